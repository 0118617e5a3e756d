package canon_test

import (
	"context"
	"sync"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/canon/internal/typestr"
	"github.com/wasmcm/wasmcm/wit"
)

// (module (memory (export "mem") 1))
var memoryModule = []byte{
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
	0x05, 0x03, 0x01, 0x00, 0x01, // memory section: 1 memory, min 1 page
	0x07, 0x07, 0x01, 0x03, 'm', 'e', 'm', 0x02, 0x00, // export "mem"
}

// TestWazeroMemoryGrows lowers into a real wazero memory whose realloc
// grows it on every call, so every byte view the ABI held before a realloc
// is stale afterwards.
func TestWazeroMemoryGrows(t *testing.T) {
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	mod, err := rt.Instantiate(ctx, memoryModule)
	if err != nil {
		t.Fatal(err)
	}
	mem := mod.ExportedMemory("mem")
	var next uint64 = 8
	grows := 0
	realloc := func(_ context.Context, old, oldSize, align, newSize uint64) (uint64, error) {
		if _, ok := mem.Grow(1); !ok {
			t.Fatal("grow failed")
		}
		grows++
		p := (next + align - 1) &^ (align - 1)
		next = p + newSize
		if old != 0 {
			b, _ := mem.Read(0, mem.Size())
			copy(b[p:], b[old:old+oldSize])
		}
		return p, nil
	}
	r := &wit.Resolve{}
	typ, _ := (&typestr.Parser{R: r}).Parse("record{a: list<string>, b: u32, c: option<string>}")
	for _, enc := range []canon.StringEncoding{canon.UTF8, canon.UTF16, canon.Latin1UTF16} {
		cx := &canon.LiftLowerContext{ABI: canon.New(r, canon.Addr32), Memory: canon.MemoryOf(mem), Realloc: realloc, StringEncoding: enc}
		v := canon.Record(canon.List(canon.String("one"), canon.String("twö"), canon.String("日本")), canon.U32(7), canon.Some(canon.String("x😀")))
		flat, err := cx.LowerFlat(ctx, typ, v, nil)
		if err != nil {
			t.Fatal(err)
		}
		back, err := cx.LiftFlat(typ, flat)
		if err != nil || !back.Equal(v) {
			t.Fatalf("%s: got %#v, %v", enc, back, err)
		}
		// Store at the start of a block the guest allocated.
		ptr, _, err := cx.Alloc(ctx, 4, 32)
		if err != nil {
			t.Fatal(err)
		}
		if err := cx.Store(ctx, typ, v, ptr); err != nil {
			t.Fatal(err)
		}
		if back, err := cx.Load(typ, ptr); err != nil || !back.Equal(v) {
			t.Fatalf("%s: load got %#v, %v", enc, back, err)
		}
	}
	if grows < 10 {
		t.Fatalf("only %d grows", grows)
	}
	var _ api.Memory = mem
}

// TestABIConcurrent lays out types from many goroutines while new types
// are still being discovered (run with -race).
func TestABIConcurrent(t *testing.T) {
	g := newTypeGen(42)
	var ts []wit.Type
	for i := 0; i < 200; i++ {
		ts = append(ts, g.typ(3))
	}
	abi := canon.New(g.r, canon.Addr32)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := range ts {
				t2 := ts[(i*7+w)%len(ts)]
				if _, err := abi.Layout(t2); err != nil {
					t.Error(err)
				}
			}
		}(w)
	}
	wg.Wait()
}
