package bindgen

import (
	"context"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/runtime"
)

// echoString moves one string argument and one string result of a call on
// the fast path (no Values), as typed host bindings do.
type echoString struct {
	in, out string
}

func (c *echoString) LowerParams(ctx context.Context, cx *canon.LiftLowerContext, f []uint64) error {
	ptr, n, err := cx.LowerString(ctx, c.in)
	f[0], f[1] = ptr, n
	return err
}

func (c *echoString) LiftResults(cx *canon.LiftLowerContext, f []uint64) error {
	b, err := cx.Region(f[0], 8, 4)
	if err != nil {
		return err
	}
	c.out, err = cx.LiftString(uint64(binary.LittleEndian.Uint32(b)), uint64(binary.LittleEndian.Uint32(b[4:])))
	return err
}

// BenchmarkGoGuestCall measures calls from a Go host into exports of the
// kinds guest (generated Go bindings, stock Go, wasmcm's adapter) on the
// runtime: a 16-byte string in and out on the fast path and as Values, and
// beside them the floors: an export with no arguments or results (the
// generated export's own work and the runtime's), and the raw call of an
// export of numbers (CallFlat).
func BenchmarkGoGuestCall(b *testing.B) {
	g, comp := kindsComponent(b)
	inst, _, _ := kindsInstance(b, comp, g.r)
	ctx := context.Background()
	fn := func(name string) *runtime.Func {
		f, err := inst.Func(name)
		if err != nil {
			b.Fatal(err)
		}
		return f
	}
	echo, nothing, f32 := fn(kindsAPI+"#echo-string"), fn(kindsAPI+"#nothing"), fn(kindsAPI+"#echo-f32")
	const s16 = "0123456789abcdef"

	b.Run("echo-string-16/lowered", func(b *testing.B) {
		c := &echoString{in: s16}
		b.ReportAllocs()
		for b.Loop() {
			if err := echo.CallLowered(ctx, c); err != nil {
				b.Fatal(err)
			}
		}
		if c.out != s16 {
			b.Fatalf("echo-string = %q", c.out)
		}
	})
	b.Run("echo-string-16/values", func(b *testing.B) {
		arg := canon.String(s16)
		b.ReportAllocs()
		for b.Loop() {
			res, err := echo.Call(ctx, arg)
			if err != nil {
				b.Fatal(err)
			}
			if res[0].String() != s16 {
				b.Fatalf("echo-string = %q", res[0].String())
			}
		}
	})
	b.Run("nothing", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := nothing.Call(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("echo-f32/flat", func(b *testing.B) {
		if !f32.Flat() {
			b.Skip("echo-f32 cannot be called flat")
		}
		stack := make([]uint64, 2)
		b.ReportAllocs()
		for b.Loop() {
			stack[0], stack[1] = canon.LowerF32(0.5), canon.LowerF64(0.25)
			if err := f32.CallFlat(ctx, stack); err != nil {
				b.Fatal(err)
			}
		}
		if got := canon.LiftF64(stack[0]); got != 0.75 {
			b.Fatal(fmt.Sprint("echo-f32 = ", got))
		}
	})
}
