package runtime_test

import (
	"context"
	"crypto/rand"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/runtime"
)

// The benchmarks compare the runtime with raw wazero running the same core
// module: the difference is the component layer's cost.

// cpuMetric reports the process's CPU time per op next to the wall-clock
// ns/op (divided by perOp, e.g. calls per op): the machine is shared, and
// the CPU time is the steadier number. Use as defer cpuMetric(b, 1)().
func cpuMetric(b *testing.B, perOp int) func() {
	start := cpuTime()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N)/float64(perOp), "cpu-ns/call")
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rawWazero instantiates benchCore on wazero with a Go host function inc.
func rawWazero(b *testing.B) (wazero.Runtime, api.Module, wazero.CompiledModule, wazero.CompiledModule) {
	ctx := context.Background()
	r := wazero.NewRuntime(ctx)
	b.Cleanup(func() { r.Close(ctx) })
	host, err := r.NewHostModuleBuilder("host").NewFunctionBuilder().
		WithGoModuleFunction(api.GoModuleFunc(func(ctx context.Context, mod api.Module, stack []uint64) {
			stack[0] = uint64(uint32(stack[0]) + 1)
		}), []api.ValueType{api.ValueTypeI32}, []api.ValueType{api.ValueTypeI32}).
		Export("inc").Compile(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := r.InstantiateModule(ctx, host, wazero.NewModuleConfig()); err != nil {
		b.Fatal(err)
	}
	cm, err := r.CompileModule(ctx, benchCore())
	if err != nil {
		b.Fatal(err)
	}
	m, err := r.InstantiateModule(ctx, cm, wazero.NewModuleConfig().WithName(""))
	if err != nil {
		b.Fatal(err)
	}
	return r, m, cm, host
}

func flatIncLinker(b testing.TB) *runtime.Linker {
	l := runtime.NewLinker()
	if err := l.FlatFunc(benchHostIface, "inc", func(ctx context.Context, c *runtime.Caller, stack []uint64) error {
		stack[0] = uint64(uint32(stack[0]) + 1)
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	return l
}

// BenchmarkHostToGuestScalar: a u32 add through the component layer
// (CallFlat, and Call with Values) and through raw wazero.
func BenchmarkHostToGuestScalar(b *testing.B) {
	ctx := context.Background()
	b.Run("raw-wazero", func(b *testing.B) {
		_, m, _, _ := rawWazero(b)
		f := m.ExportedFunction("add")
		stack := make([]uint64, 2)
		b.ReportAllocs()
		defer cpuMetric(b, 1)()
		for b.Loop() {
			stack[0], stack[1] = 40, 2
			if err := f.CallWithStack(ctx, stack); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("component-flat", func(b *testing.B) {
		_, _, inst := newBench(b, flatIncLinker(b))
		f, err := inst.Func("add")
		if err != nil {
			b.Fatal(err)
		}
		stack := make([]uint64, 2)
		b.ReportAllocs()
		defer cpuMetric(b, 1)()
		for b.Loop() {
			stack[0], stack[1] = 40, 2
			if err := f.CallFlat(ctx, stack); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("component-values", func(b *testing.B) {
		_, _, inst := newBench(b, flatIncLinker(b))
		f, err := inst.Func("add")
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		defer cpuMetric(b, 1)()
		for b.Loop() {
			if _, err := f.Call(ctx, canon.U32(40), canon.U32(2)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkGuestToHostScalar: the guest calls a u32 -> u32 host function
// 1000 times per op; reported per call.
func BenchmarkGuestToHostScalar(b *testing.B) {
	ctx := context.Background()
	const n = 1000
	report := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/call")
	}
	b.Run("raw-wazero", func(b *testing.B) {
		_, m, _, _ := rawWazero(b)
		f := m.ExportedFunction("loop")
		stack := make([]uint64, 1)
		b.ReportAllocs()
		defer cpuMetric(b, n)()
		for b.Loop() {
			stack[0] = n
			if err := f.CallWithStack(ctx, stack); err != nil {
				b.Fatal(err)
			}
		}
		report(b)
	})
	b.Run("component-flat-host", func(b *testing.B) {
		_, _, inst := newBench(b, flatIncLinker(b))
		f, _ := inst.Func("call-host")
		stack := make([]uint64, 1)
		b.ReportAllocs()
		defer cpuMetric(b, n)()
		for b.Loop() {
			stack[0] = n
			if err := f.CallFlat(ctx, stack); err != nil {
				b.Fatal(err)
			}
		}
		report(b)
	})
	b.Run("component-dynamic-host", func(b *testing.B) {
		calls := 0
		_, _, inst := newBench(b, incLinker(b, &calls))
		f, _ := inst.Func("call-host")
		stack := make([]uint64, 1)
		b.ReportAllocs()
		defer cpuMetric(b, n)()
		for b.Loop() {
			stack[0] = n
			if err := f.CallFlat(ctx, stack); err != nil {
				b.Fatal(err)
			}
		}
		report(b)
	})
}

// BenchmarkStringRoundTrip sends a 16-byte string to the guest and lifts
// the string it returns.
func BenchmarkStringRoundTrip(b *testing.B) {
	ctx := context.Background()
	_, _, inst := newBench(b, flatIncLinker(b))
	f, err := inst.Func("echo")
	if err != nil {
		b.Fatal(err)
	}
	s := canon.String(strings.Repeat("x", 16))
	b.ReportAllocs()
	defer cpuMetric(b, 1)()
	for b.Loop() {
		res, err := f.Call(ctx, s)
		if err != nil || len(res[0].String()) != 16 {
			b.Fatal(res, err)
		}
	}
}

// BenchmarkInstantiate instantiates the precompiled component and, for
// comparison, its core module (plus the host module) on raw wazero.
func BenchmarkInstantiate(b *testing.B) {
	ctx := context.Background()
	b.Run("raw-wazero", func(b *testing.B) {
		r, _, cm, _ := rawWazero(b)
		b.ReportAllocs()
		defer cpuMetric(b, 1)()
		for b.Loop() {
			m, err := r.InstantiateModule(ctx, cm, wazero.NewModuleConfig().WithName(""))
			if err != nil {
				b.Fatal(err)
			}
			m.Close(ctx)
		}
	})
	// The same with the module configuration the runtime uses (a random
	// source given, so that wazero seeds no fake one per instance).
	b.Run("raw-wazero-same-config", func(b *testing.B) {
		r, _, cm, _ := rawWazero(b)
		cfg := wazero.NewModuleConfig().WithName("").WithRandSource(rand.Reader)
		b.ReportAllocs()
		defer cpuMetric(b, 1)()
		for b.Loop() {
			m, err := r.InstantiateModule(ctx, cm, cfg)
			if err != nil {
				b.Fatal(err)
			}
			m.Close(ctx)
		}
	})
	b.Run("component", func(b *testing.B) {
		_, c, _ := newBench(b, flatIncLinker(b))
		l := flatIncLinker(b)
		b.ReportAllocs()
		defer cpuMetric(b, 1)()
		for b.Loop() {
			inst, err := c.Instantiate(ctx, l)
			if err != nil {
				b.Fatal(err)
			}
			inst.Close(ctx)
		}
	})
}
