package bench_test

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/wasmcm/wasmcm/bindgen/internal/host/bench"
	hapi "github.com/wasmcm/wasmcm/bindgen/internal/host/bench/bindings/test/bench/api"
	hbench "github.com/wasmcm/wasmcm/bindgen/internal/host/bench/bindings/test/bench/bench"
	"github.com/wasmcm/wasmcm/bindgen/internal/host/hosttest"
	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/runtime"
)

// TestBindingsCurrent checks the committed bindings against the generator,
// so that the benchmarks measure the code it makes now.
func TestBindingsCurrent(t *testing.T) {
	hosttest.Current(t, "bindgen/internal/host/bench/bindings", hosttest.HostBindings(t, "bindgen/internal/host/bench/wit", "bench", "github.com/wasmcm/wasmcm/bindgen/internal/host/bench/bindings"))
}

func newInstance(t testing.TB) (*hbench.Instance, context.Context) {
	t.Helper()
	ctx := context.Background()
	bin, err := bench.Component()
	if err != nil {
		t.Fatal(err)
	}
	rt, err := runtime.New(ctx, runtime.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close(ctx) })
	inst, err := hbench.Instantiate(ctx, rt, bin, hbench.Imports{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Close(ctx) })
	return inst, ctx
}

func recs(n int) []hapi.Rec8 {
	out := make([]hapi.Rec8, n)
	for i := range out {
		out[i] = hapi.Rec8{A: uint32(i), B: -int32(i), C: float32(i) / 2, D: math.MaxUint32, E: 7, F: math.MinInt32, G: float32(math.Inf(-1)), H: uint32(i * 3)}
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	inst, ctx := newInstance(t)
	a := inst.API()
	if got, err := a.Add(ctx, 40, 2); err != nil || got != 42 {
		t.Fatalf("Add = %d, %v", got, err)
	}
	if got, err := a.Add(ctx, math.MaxUint32, 2); err != nil || got != 1 {
		t.Fatalf("Add wraps: %d, %v", got, err)
	}
	for _, s := range []string{"", "hello, world 16b", "ünïcödé ✓ 🎉", strings.Repeat("long ", 20000)} {
		got, err := a.Echo(ctx, s)
		if err != nil || got != s {
			t.Fatalf("Echo(%d bytes) = %d bytes, %v", len(s), len(got), err)
		}
	}
	r := recs(1)[0]
	if got, err := a.EchoRec(ctx, r); err != nil || got != r {
		t.Fatalf("EchoRec = %+v, %v", got, err)
	}
	for _, n := range []int{0, 1, 1000} {
		l := recs(n)
		got, err := a.EchoList(ctx, l)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(l, got); diff != "" {
			t.Fatalf("EchoList(%d): %s", n, diff)
		}
	}
}

// TestTrap: a trap inside a call is an error wrapping it, and the instance
// refuses further calls.
func TestTrap(t *testing.T) {
	inst, ctx := newInstance(t)
	err := inst.API().Boom(ctx)
	if err == nil || !runtime.IsTrap(err) {
		t.Fatalf("Boom = %v, want a trap", err)
	}
	var ce *runtime.CallError
	if !errors.As(err, &ce) || !strings.Contains(ce.Func, "boom") {
		t.Fatalf("Boom's error %v does not name the export", err)
	}
	if _, err := inst.API().Add(ctx, 1, 2); err == nil {
		t.Fatal("the instance accepted a call after a trap")
	}
}

// TestMismatch: a component of another world is refused by Instantiate
// with an error naming the first mismatch, before any call.
func TestMismatch(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(bench.WITDir(), "bench.wit"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ from, to, want string }{
		{"h: u32,", "z: u32,", "field 7: expected h, the component has z"},
		{"a: u32,", "a: s32,", "field a: expected u32, the component has s32"},
		{"echo: func(s: string) -> string;", "echo: func(text: string) -> string;", "expected the name s, the component has text"},
		{"world bench {\n  export api;\n}", "world bench {\n  export api2: interface { add: func(a: u32, b: u32) -> u32; }\n}", "the component does not export interface test:bench/api@0.1.0"},
	}
	ctx := context.Background()
	rt, err := runtime.New(ctx, runtime.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	for _, c := range cases {
		dir := t.TempDir()
		text := strings.Replace(string(src), c.from, c.to, 1)
		if err := os.WriteFile(filepath.Join(dir, "bench.wit"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		mod := bench.Module()
		if strings.Contains(c.to, "api2") {
			mod = bench.ModuleNamed("api2")
		}
		bin, err := bench.ComponentOf(mod, dir, "bench")
		if err != nil {
			t.Fatalf("%s: %v", c.to, err)
		}
		_, err = hbench.Instantiate(ctx, rt, bin, hbench.Imports{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Instantiate = %v, want an error containing %q", c.to, err, c.want)
		}
	}
}

// rawInstance instantiates the core module on bare wazero: the floor.
func rawInstance(b *testing.B) (api.Module, context.Context) {
	ctx := context.Background()
	r := wazero.NewRuntime(ctx)
	b.Cleanup(func() { r.Close(ctx) })
	m, err := r.Instantiate(ctx, bench.Module())
	if err != nil {
		b.Fatal(err)
	}
	return m, ctx
}

func BenchmarkScalar(b *testing.B) {
	b.Run("typed", func(b *testing.B) {
		inst, ctx := newInstance(b)
		a := inst.API()
		b.ReportAllocs()
		start := cpuTime()
		for b.Loop() {
			if _, err := a.Add(ctx, 1, 2); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	})
	b.Run("dynamic", func(b *testing.B) {
		inst, ctx := newInstance(b)
		f, _ := inst.Runtime().Func(bench.Iface + "#add")
		b.ReportAllocs()
		start := cpuTime()
		for b.Loop() {
			if _, err := f.Call(ctx, canon.U32(1), canon.U32(2)); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	})
	b.Run("dynamic-flat", func(b *testing.B) {
		inst, ctx := newInstance(b)
		f, _ := inst.Runtime().Func(bench.Iface + "#add")
		stack := make([]uint64, 2)
		b.ReportAllocs()
		start := cpuTime()
		for b.Loop() {
			stack[0], stack[1] = 1, 2
			if err := f.CallFlat(ctx, stack); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	})
	b.Run("wazero", func(b *testing.B) {
		m, ctx := rawInstance(b)
		f := m.ExportedFunction(bench.Iface + "#add")
		stack := make([]uint64, 2)
		b.ReportAllocs()
		start := cpuTime()
		for b.Loop() {
			stack[0], stack[1] = 1, 2
			if err := f.CallWithStack(ctx, stack); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	})
}

const s16 = "sixteen bytes!!!"

func BenchmarkString16(b *testing.B) {
	b.Run("typed", func(b *testing.B) {
		inst, ctx := newInstance(b)
		a := inst.API()
		b.ReportAllocs()
		start := cpuTime()
		for b.Loop() {
			if s, err := a.Echo(ctx, s16); err != nil || len(s) != 16 {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	})
	b.Run("dynamic", func(b *testing.B) {
		inst, ctx := newInstance(b)
		f, _ := inst.Runtime().Func(bench.Iface + "#echo")
		b.ReportAllocs()
		start := cpuTime()
		for b.Loop() {
			if _, err := f.Call(ctx, canon.String(s16)); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	})
	b.Run("wazero", func(b *testing.B) {
		m, ctx := rawInstance(b)
		realloc, echo, mem := m.ExportedFunction("cabi_realloc"), m.ExportedFunction(bench.Iface+"#echo"), m.Memory()
		stack := make([]uint64, 4)
		b.ReportAllocs()
		start := cpuTime()
		for b.Loop() {
			stack[0], stack[1], stack[2], stack[3] = 0, 0, 1, 16
			if err := realloc.CallWithStack(ctx, stack); err != nil {
				b.Fatal(err)
			}
			ptr := uint32(stack[0])
			mem.WriteString(ptr, s16)
			stack[0], stack[1] = uint64(ptr), 16
			if err := echo.CallWithStack(ctx, stack); err != nil {
				b.Fatal(err)
			}
			ret, _ := mem.Read(uint32(stack[0]), 8)
			s, _ := mem.Read(binary.LittleEndian.Uint32(ret), binary.LittleEndian.Uint32(ret[4:]))
			if len(string(s)) != 16 {
				b.Fatal("bad echo")
			}
		}
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	})
}

func BenchmarkRecord8(b *testing.B) {
	r := recs(2)[1]
	b.Run("typed", func(b *testing.B) {
		inst, ctx := newInstance(b)
		a := inst.API()
		b.ReportAllocs()
		start := cpuTime()
		for b.Loop() {
			if _, err := a.EchoRec(ctx, r); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	})
	b.Run("dynamic", func(b *testing.B) {
		inst, ctx := newInstance(b)
		f, _ := inst.Runtime().Func(bench.Iface + "#echo-rec")
		v := canon.Record(canon.U32(r.A), canon.S32(r.B), canon.F32(r.C), canon.U32(r.D), canon.U32(r.E), canon.S32(r.F), canon.F32(r.G), canon.U32(r.H))
		b.ReportAllocs()
		start := cpuTime()
		for b.Loop() {
			if _, err := f.Call(ctx, v); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	})
	b.Run("wazero", func(b *testing.B) {
		m, ctx := rawInstance(b)
		f, mem := m.ExportedFunction(bench.Iface+"#echo-rec"), m.Memory()
		stack := make([]uint64, 8)
		b.ReportAllocs()
		start := cpuTime()
		for b.Loop() {
			stack[0], stack[1], stack[2], stack[3] = uint64(r.A), uint64(uint32(r.B)), uint64(math.Float32bits(r.C)), uint64(r.D)
			stack[4], stack[5], stack[6], stack[7] = uint64(r.E), uint64(uint32(r.F)), uint64(math.Float32bits(r.G)), uint64(r.H)
			if err := f.CallWithStack(ctx, stack); err != nil {
				b.Fatal(err)
			}
			x, _ := mem.Read(uint32(stack[0]), 32)
			got := hapi.Rec8{A: binary.LittleEndian.Uint32(x), B: int32(binary.LittleEndian.Uint32(x[4:])), C: math.Float32frombits(binary.LittleEndian.Uint32(x[8:])),
				D: binary.LittleEndian.Uint32(x[12:]), E: binary.LittleEndian.Uint32(x[16:]), F: int32(binary.LittleEndian.Uint32(x[20:])),
				G: math.Float32frombits(binary.LittleEndian.Uint32(x[24:])), H: binary.LittleEndian.Uint32(x[28:])}
			if got.A != r.A {
				b.Fatal("bad echo")
			}
		}
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	})
}

func BenchmarkList1000(b *testing.B) {
	l := recs(1000)
	b.Run("typed", func(b *testing.B) {
		inst, ctx := newInstance(b)
		a := inst.API()
		b.ReportAllocs()
		start := cpuTime()
		for b.Loop() {
			if got, err := a.EchoList(ctx, l); err != nil || len(got) != 1000 {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	})
	b.Run("dynamic", func(b *testing.B) {
		inst, ctx := newInstance(b)
		f, _ := inst.Runtime().Func(bench.Iface + "#echo-list")
		vs := make([]canon.Value, len(l))
		for i, r := range l {
			vs[i] = canon.Record(canon.U32(r.A), canon.S32(r.B), canon.F32(r.C), canon.U32(r.D), canon.U32(r.E), canon.S32(r.F), canon.F32(r.G), canon.U32(r.H))
		}
		v := canon.List(vs...)
		b.ReportAllocs()
		start := cpuTime()
		for b.Loop() {
			if _, err := f.Call(ctx, v); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	})
	b.Run("wazero", func(b *testing.B) {
		m, ctx := rawInstance(b)
		realloc, echo, mem := m.ExportedFunction("cabi_realloc"), m.ExportedFunction(bench.Iface+"#echo-list"), m.Memory()
		stack := make([]uint64, 4)
		buf := make([]byte, 32*len(l))
		b.ReportAllocs()
		start := cpuTime()
		for b.Loop() {
			for i, r := range l {
				x := buf[32*i:]
				binary.LittleEndian.PutUint32(x, r.A)
				binary.LittleEndian.PutUint32(x[4:], uint32(r.B))
				binary.LittleEndian.PutUint32(x[8:], math.Float32bits(r.C))
				binary.LittleEndian.PutUint32(x[12:], r.D)
				binary.LittleEndian.PutUint32(x[16:], r.E)
				binary.LittleEndian.PutUint32(x[20:], uint32(r.F))
				binary.LittleEndian.PutUint32(x[24:], math.Float32bits(r.G))
				binary.LittleEndian.PutUint32(x[28:], r.H)
			}
			stack[0], stack[1], stack[2], stack[3] = 0, 0, 4, uint64(len(buf))
			if err := realloc.CallWithStack(ctx, stack); err != nil {
				b.Fatal(err)
			}
			ptr := uint32(stack[0])
			mem.Write(ptr, buf)
			stack[0], stack[1] = uint64(ptr), uint64(len(l))
			if err := echo.CallWithStack(ctx, stack); err != nil {
				b.Fatal(err)
			}
			ret, _ := mem.Read(uint32(stack[0]), 8)
			x, _ := mem.Read(binary.LittleEndian.Uint32(ret), 32*binary.LittleEndian.Uint32(ret[4:]))
			out := make([]hapi.Rec8, len(x)/32)
			for i := range out {
				y := x[32*i:]
				out[i] = hapi.Rec8{A: binary.LittleEndian.Uint32(y), B: int32(binary.LittleEndian.Uint32(y[4:])), C: math.Float32frombits(binary.LittleEndian.Uint32(y[8:])),
					D: binary.LittleEndian.Uint32(y[12:]), E: binary.LittleEndian.Uint32(y[16:]), F: int32(binary.LittleEndian.Uint32(y[20:])),
					G: math.Float32frombits(binary.LittleEndian.Uint32(y[24:])), H: binary.LittleEndian.Uint32(y[28:])}
			}
			if len(out) != 1000 {
				b.Fatal("bad echo")
			}
		}
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	})
}

// cpuTime is the process's user+system CPU time: on a machine shared with
// other work it is a steadier measure than wall-clock time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
