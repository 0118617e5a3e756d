package canon_test

import (
	"context"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/canon/internal/typestr"
	"github.com/wasmcm/wasmcm/wit"
)

// TestTrapWording checks that every trap the spec defines is worded with
// the reference runtime's phrase for its condition (the phrases its test
// suites expect in assert_trap), followed by canon's own detail.
func TestTrapWording(t *testing.T) {
	ctx := context.Background()
	r := &wit.Resolve{}
	p := &typestr.Parser{R: r}
	typ := func(s string) wit.Type {
		ty, err := p.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return ty
	}
	abi := canon.New(r, canon.Addr32)
	// cx returns a context on a 64 KiB memory holding init at 0x100, whose
	// realloc returns ret (or a fresh aligned block when ret is 0).
	cx := func(enc canon.StringEncoding, init []byte, ret uint64) *canon.LiftLowerContext {
		mem := make([]byte, 1<<16)
		copy(mem[0x100:], init)
		return &canon.LiftLowerContext{ABI: abi, Memory: canon.FixedMemory(mem), StringEncoding: enc,
			Table: &canon.ResourceTable{},
			Realloc: func(_ context.Context, _, _, _, _ uint64) (uint64, error) {
				if ret != 0 {
					return ret, nil
				}
				return 0x1000, nil
			}}
	}
	guest := &canon.ResourceType{Name: "r1", Impl: "instance 1"}
	other := &canon.ResourceType{Name: "r2", Impl: "instance 1"}

	for _, tc := range []struct {
		name  string
		run   func() error
		words []string // each must appear
	}{
		{"unaligned load", func() error {
			_, err := cx(canon.UTF8, nil, 0).Load(typ("u32"), 0x101)
			return err
		}, []string{"unaligned pointer"}},
		{"load out of bounds", func() error {
			_, err := cx(canon.UTF8, nil, 0).Load(typ("u64"), 0x10000)
			return err
		}, []string{"out of bounds"}},
		{"string out of bounds", func() error {
			_, err := cx(canon.UTF8, nil, 0).LiftString(0xfff0, 20)
			return err
		}, []string{"string content out-of-bounds", "string pointer/length out of bounds of memory"}},
		{"string too long", func() error {
			_, err := cx(canon.UTF8, nil, 0).LiftString(0, 1<<31-1)
			return err
		}, []string{"string content out-of-bounds"}},
		{"utf16 string unaligned", func() error {
			_, err := cx(canon.UTF16, nil, 0).LiftString(0x101, 1)
			return err
		}, []string{"unaligned pointer", "string pointer not aligned to 2"}},
		{"latin1+utf16 string unaligned", func() error {
			_, err := cx(canon.Latin1UTF16, nil, 0).LiftString(0x101, 1)
			return err
		}, []string{"unaligned pointer", "string pointer not aligned to 2"}},
		{"invalid utf-8", func() error {
			_, err := cx(canon.UTF8, []byte("ab\xffc"), 0).LiftString(0x100, 4)
			return err
		}, []string{"invalid utf-8 sequence of 1 bytes from index 2"}},
		{"invalid utf-8 sequence of 2 bytes", func() error {
			_, err := cx(canon.UTF8, []byte("\xe2\x82("), 0).LiftString(0x100, 3)
			return err
		}, []string{"invalid utf-8 sequence of 2 bytes from index 0"}},
		{"truncated utf-8", func() error {
			_, err := cx(canon.UTF8, []byte("ab\xc3"), 0).LiftString(0x100, 3)
			return err
		}, []string{"incomplete utf-8 byte sequence from index 2"}},
		{"unpaired surrogate", func() error {
			_, err := cx(canon.UTF16, []byte{'a', 0, 0x00, 0xd8, 'b', 0}, 0).LiftString(0x100, 3)
			return err
		}, []string{"invalid utf-16", "code unit 1"}},
		{"list out of bounds", func() error {
			_, err := cx(canon.UTF8, nil, 0).LiftFlat(typ("list<u32>"), []uint64{0xfff0, 8})
			return err
		}, []string{"list content out-of-bounds", "list pointer/length out of bounds of memory"}},
		{"list out of bounds, fast path", func() error {
			_, err := canon.LiftList[uint32](cx(canon.UTF8, nil, 0), 0xfff0, 8)
			return err
		}, []string{"list content out-of-bounds", "list pointer/length out of bounds of memory"}},
		{"unaligned list", func() error {
			_, err := cx(canon.UTF8, nil, 0).LiftFlat(typ("list<u32>"), []uint64{0x102, 1})
			return err
		}, []string{"unaligned pointer"}},
		{"variant discriminant", func() error {
			_, err := cx(canon.UTF8, nil, 0).LiftFlat(typ("variant{a, b(u8)}"), []uint64{2, 0})
			return err
		}, []string{"invalid variant discriminant", "discriminant 2 out of range [0..2)"}},
		{"enum discriminant in memory", func() error {
			_, err := cx(canon.UTF8, []byte{3}, 0).Load(typ("enum{a, b, c}"), 0x100)
			return err
		}, []string{"invalid variant discriminant", "discriminant 3 out of range [0..3)"}},
		{"char", func() error {
			_, err := cx(canon.UTF8, nil, 0).LiftFlat(typ("char"), []uint64{0xd800})
			return err
		}, []string{"invalid `char` bit pattern"}},
		{"realloc result not aligned", func() error {
			_, err := cx(canon.UTF8, nil, 0x1002).LowerFlat(ctx, typ("list<u32>"), canon.List(canon.U32(1)), nil)
			return err
		}, []string{"unaligned pointer", "realloc return: result not aligned"}},
		{"realloc result out of bounds, list", func() error {
			_, err := cx(canon.UTF8, nil, 0xfffc).LowerFlat(ctx, typ("list<u32>"), canon.List(canon.U32(1), canon.U32(2)), nil)
			return err
		}, []string{"list content out-of-bounds", "realloc return: beyond end of memory"}},
		{"realloc result out of bounds, string", func() error {
			_, _, err := cx(canon.UTF16, nil, 0xfffe).LowerString(ctx, "hello")
			return err
		}, []string{"string content out-of-bounds", "realloc return: beyond end of memory"}},
		{"realloc result out of bounds, block", func() error {
			_, _, err := cx(canon.UTF8, nil, 0xfffc).Alloc(ctx, 4, 8)
			return err
		}, []string{"realloc return: beyond end of memory"}},
		{"unknown handle", func() error {
			return (&canon.ResourceTable{}).ResourceDrop(ctx, guest, 5)
		}, []string{"unknown handle index 5"}},
		{"wrong resource type", func() error {
			var tab canon.ResourceTable
			h, _ := tab.ResourceNew(guest, 7)
			return tab.ResourceDrop(ctx, other, h)
		}, []string{"handle index 1 used with the wrong type, expected guest-defined resource but found a different guest-defined resource"}},
		{"own moved while lent", func() error {
			c := cx(canon.UTF8, nil, 0)
			c.Borrows = &canon.BorrowScope{}
			h, _ := c.Table.ResourceNew(guest, 7)
			if _, err := c.LiftBorrow(guest, h); err != nil {
				return err
			}
			_, err := c.LiftOwn(guest, h)
			return err
		}, []string{"cannot remove owned resource while borrowed"}},
		{"borrows not dropped", func() error {
			c := cx(canon.UTF8, nil, 0)
			scope := &canon.BorrowScope{}
			c.Borrows = scope
			if _, err := c.LowerBorrow(guest, 7); err != nil {
				return err
			}
			return scope.CheckReturn()
		}, []string{"borrow handles still remain at the end of the call"}},
	} {
		err := tc.run()
		if err == nil || !canon.IsTrap(err) {
			t.Errorf("%s: %v, want a trap", tc.name, err)
			continue
		}
		for _, w := range tc.words {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not say %q", tc.name, err, w)
			}
		}
	}
}
