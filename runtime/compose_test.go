package runtime_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/runtime"
)

// composed compiles and instantiates the composition of A and B.
func composed(t testing.TB) (*runtime.Compiled, *runtime.Instance) {
	t.Helper()
	ctx := context.Background()
	rt, err := runtime.New(ctx, runtime.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close(ctx) })
	c, err := rt.Compile(ctx, composedComponent())
	if err != nil {
		t.Fatal(err)
	}
	inst, err := c.Instantiate(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c, inst
}

// linked instantiates B and A as two root components, B's exports serving
// A's import through the Linker.
func linked(t testing.TB) *runtime.Instance {
	t.Helper()
	ctx := context.Background()
	rt, err := runtime.New(ctx, runtime.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close(ctx) })
	cb, err := rt.Compile(ctx, bComponent().Encode())
	if err != nil {
		t.Fatal(err)
	}
	ib, err := cb.Instantiate(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := rt.Compile(ctx, aComponent().Encode())
	if err != nil {
		t.Fatal(err)
	}
	l := runtime.NewLinker()
	if err := l.Instance("b", ib, ""); err != nil {
		t.Fatal(err)
	}
	ia, err := ca.Instantiate(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	return ia
}

func TestComposedCalls(t *testing.T) {
	ctx := context.Background()
	c, _ := composed(t)
	wantA, wantCp := 2, 1 // add and ch fused, take's list copied by Go
	if runtime.FuseMemories {
		wantA, wantCp = 3, 0 // take's list too, in a general adapter
	}
	if a, cp := runtime.Fused(c); a != wantA || cp != wantCp {
		t.Errorf("%d adapters and %d direct copies, want %d and %d", a, cp, wantA, wantCp)
	}
	for _, tc := range []struct {
		name string
		inst func(t testing.TB) *runtime.Instance
	}{
		{"composed", func(t testing.TB) *runtime.Instance { _, i := composed(t); return i }},
		{"linked", linked},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inst := tc.inst(t)
			res, err := inst.Call(ctx, "loop", canon.U32(1000))
			if err != nil || res[0].Uint() != 1000 {
				t.Fatalf("loop: %v %v", res, err)
			}
			res, err = inst.Call(ctx, "callch", canon.U32('é'))
			if err != nil || res[0].Char() != 'é' {
				t.Fatalf("callch: %v %v", res, err)
			}
			for _, n := range []uint32{0, 1, 100, 1 << 20} {
				res, err = inst.Call(ctx, "send", canon.U32(3), canon.U32(n))
				want := uint64(n)
				if n > 0 {
					want += 7
				}
				if err != nil || res[0].Uint() != want {
					t.Fatalf("send %d: %v %v, want %d", n, res, err, want)
				}
			}
			// The list runs past the end of the caller's memory.
			_, err = inst.Call(ctx, "send", canon.U32(1), canon.U32(20<<16+1))
			if err == nil || !runtime.IsTrap(err) || !strings.Contains(err.Error(), "out of bounds") {
				t.Fatalf("send past the end: %v", err)
			}
		})
	}
}

func TestComposedCharTrap(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"composed", "linked"} {
		var inst *runtime.Instance
		if name == "composed" {
			_, inst = composed(t)
		} else {
			inst = linked(t)
		}
		_, err := inst.Call(ctx, "callch", canon.U32(0xD800))
		if err == nil || !runtime.IsTrap(err) {
			t.Fatalf("%s: callch(0xD800): %v, want a trap", name, err)
		}
		if name == "composed" && !strings.Contains(err.Error(), "invalid `char` bit pattern") {
			t.Errorf("%s: trap %q", name, err)
		}
		// A trapped: it refuses further calls.
		if _, err := inst.Call(ctx, "loop", canon.U32(1)); err == nil || !strings.Contains(err.Error(), "cannot enter component instance") {
			t.Errorf("%s: call after a trap: %v", name, err)
		}
	}
}

// rawPair instantiates B's and A's core modules on wazero, A importing B's
// functions directly: the floor of a wasm-to-wasm call.
func rawPair(b *testing.B) api.Module {
	ctx := context.Background()
	r := wazero.NewRuntime(ctx)
	b.Cleanup(func() { r.Close(ctx) })
	for _, m := range []struct {
		name string
		bin  []byte
	}{{"m", memCore()}, {"b", bCore()}, {"a", aCore()}} {
		cm, err := r.CompileModule(ctx, m.bin)
		if err != nil {
			b.Fatal(err)
		}
		mod, err := r.InstantiateModule(ctx, cm, wazero.NewModuleConfig().WithName(m.name))
		if err != nil {
			b.Fatal(err)
		}
		if m.name == "a" {
			return mod
		}
	}
	return nil
}

// BenchmarkComponentToComponent: a u32 add called 1000 times per op by
// one component from another, composed (a fused adapter), linked through
// the host, and between two raw wazero modules; reported per call.
func BenchmarkComponentToComponent(b *testing.B) {
	ctx := context.Background()
	const n = 1000
	run := func(b *testing.B, call func(stack []uint64) error) {
		stack := make([]uint64, 1)
		b.ReportAllocs()
		defer cpuMetric(b, n)()
		for b.Loop() {
			stack[0] = n
			if err := call(stack); err != nil || stack[0] != n {
				b.Fatal(stack, err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/call")
	}
	b.Run("raw-wazero", func(b *testing.B) {
		f := rawPair(b).ExportedFunction("loop")
		run(b, func(stack []uint64) error { return f.CallWithStack(ctx, stack) })
	})
	b.Run("composed", func(b *testing.B) {
		_, inst := composed(b)
		f, err := inst.Func("loop")
		if err != nil {
			b.Fatal(err)
		}
		run(b, func(stack []uint64) error { return f.CallFlat(ctx, stack) })
	})
	b.Run("linked-through-host", func(b *testing.B) {
		f, err := linked(b).Func("loop")
		if err != nil {
			b.Fatal(err)
		}
		run(b, func(stack []uint64) error { return f.CallFlat(ctx, stack) })
	})
}

// BenchmarkListAcrossComponents sends a 1 MiB list<u8> from A to B: one
// op is one call.
func BenchmarkListAcrossComponents(b *testing.B) {
	ctx := context.Background()
	const size = 1 << 20
	for _, name := range []string{"composed", "raw-memcpy"} {
		b.Run(name, func(b *testing.B) {
			if name == "raw-memcpy" {
				// The floor: one Go copy of 1 MiB.
				src, dst := make([]byte, size), make([]byte, size)
				b.SetBytes(size)
				defer cpuMetric(b, 1)()
				for b.Loop() {
					copy(dst, src)
				}
				return
			}
			_, inst := composed(b)
			f, err := inst.Func("send")
			if err != nil {
				b.Fatal(err)
			}
			stack := make([]uint64, 2)
			b.SetBytes(size)
			b.ReportAllocs()
			defer cpuMetric(b, 1)()
			for b.Loop() {
				stack[0], stack[1] = 1, size
				if err := f.CallFlat(ctx, stack); err != nil || stack[0] != size+7 {
					b.Fatal(stack, err)
				}
			}
		})
	}
}
