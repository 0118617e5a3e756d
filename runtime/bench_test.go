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
	"github.com/wasmcm/wasmcm/internal/wat"
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

// The callee and caller of BenchmarkAdapters: Y lifts functions of a u32,
// a string, a list<u8> and a record of a string and a list<u8>, which
// return a number (Y keeps nothing: its realloc hands out one block at
// 64 KiB, grown to fit); X lowers them and calls one n times in a loop
// over bytes at 0x100 of its memory (zeros: valid UTF-8).
const adapterBenchY = `(component $Y
  (core module $m
    (memory (export "mem") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $pages i32)
      (local.set $pages (i32.shr_u (i32.add (local.get 3) (i32.const 131071)) (i32.const 16)))
      (if (i32.lt_u (memory.size) (local.get $pages))
        (then (if (i32.lt_s (memory.grow (i32.sub (local.get $pages) (memory.size))) (i32.const 0)) (then unreachable))))
      (i32.const 65536))
    (func (export "add") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
    (func (export "str") (param i32 i32) (result i32) (local.get 1))
    (func (export "list") (param i32 i32) (result i32) (i32.load8_u (local.get 0)) (local.get 1) (i32.add))
    (func (export "rec") (param i32 i32 i32 i32) (result i32) (i32.add (local.get 1) (local.get 3))))
  (core instance $i (instantiate $m))
  (type $r (record (field "s" string) (field "l" (list u8))))
  (export $re "r" (type $r))
  (func (export "add") (param "x" u32) (result u32) (canon lift (core func $i "add")))
  (func (export "str") (param "x" string) (result u32)
    (canon lift (core func $i "str") (memory (core memory $i "mem")) (realloc (core func $i "realloc"))))
  (func (export "list") (param "x" (list u8)) (result u32)
    (canon lift (core func $i "list") (memory (core memory $i "mem")) (realloc (core func $i "realloc"))))
  (func (export "rec") (param "x" $re) (result u32)
    (canon lift (core func $i "rec") (memory (core memory $i "mem")) (realloc (core func $i "realloc")))))`

const adapterBenchX = `(component $X
  (import "y" (instance $y
    (type $r (record (field "s" string) (field "l" (list u8))))
    (export "r" (type $re (eq $r)))
    (export "add" (func (param "x" u32) (result u32)))
    (export "str" (func (param "x" string) (result u32)))
    (export "list" (func (param "x" (list u8)) (result u32)))
    (export "rec" (func (param "x" $re) (result u32)))))
  (core module $Mem (memory (export "mem") 17))
  (core instance $mem (instantiate $Mem))
  (core func $add (canon lower (func $y "add")))
  (core func $str (canon lower (func $y "str") (memory (core memory $mem "mem"))))
  (core func $list (canon lower (func $y "list") (memory (core memory $mem "mem"))))
  (core func $rec (canon lower (func $y "rec") (memory (core memory $mem "mem"))))
  (core module $m
    (import "y" "add" (func $add (param i32) (result i32)))
    (import "y" "str" (func $str (param i32 i32) (result i32)))
    (import "y" "list" (func $list (param i32 i32) (result i32)))
    (import "y" "rec" (func $rec (param i32 i32 i32 i32) (result i32)))
    (func (export "run-add") (param $n i32) (param $len i32) (result i32)
      (local $s i32)
      (block $done (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $s (call $add (local.get $s)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
      (local.get $s))
    (func (export "run-str") (param $n i32) (param $len i32) (result i32)
      (local $s i32)
      (block $done (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $s (i32.add (local.get $s) (call $str (i32.const 0x100) (local.get $len))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
      (local.get $s))
    (func (export "run-list") (param $n i32) (param $len i32) (result i32)
      (local $s i32)
      (block $done (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $s (i32.add (local.get $s) (call $list (i32.const 0x100) (local.get $len))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
      (local.get $s))
    (func (export "run-rec") (param $n i32) (param $len i32) (result i32)
      (local $s i32)
      (block $done (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $s (i32.add (local.get $s) (call $rec (i32.const 0x100) (i32.const 16) (i32.const 0x200) (local.get $len))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
      (local.get $s)))
  (core instance $i (instantiate $m (with "y" (instance
    (export "add" (func $add)) (export "str" (func $str)) (export "list" (func $list)) (export "rec" (func $rec))))))
  (func (export "run-add") (param "n" u32) (param "len" u32) (result u32) (canon lift (core func $i "run-add")))
  (func (export "run-str") (param "n" u32) (param "len" u32) (result u32) (canon lift (core func $i "run-str")))
  (func (export "run-list") (param "n" u32) (param "len" u32) (result u32) (canon lift (core func $i "run-list")))
  (func (export "run-rec") (param "n" u32) (param "len" u32) (result u32) (canon lift (core func $i "run-rec"))))`

// adapterBenchInstance instantiates X calling Y, composed (one component:
// the calls go through fused adapters) or linked through the host (two
// root components, Y's instance serving X's import: the calls go through
// Go).
func adapterBenchInstance(t testing.TB, linked bool) *runtime.Instance {
	t.Helper()
	ctx := context.Background()
	r, err := runtime.New(ctx, runtime.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(ctx) })
	compile := func(src string) *runtime.Compiled {
		bin, err := wat.Parse("bench.wat", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		c, err := r.Compile(ctx, bin)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if !linked {
		c := compile("(component\n" + adapterBenchY + "\n" + adapterBenchX + `
  (instance $y (instantiate $Y))
  (instance $x (instantiate $X (with "y" (instance $y))))
  (export "run-add" (func $x "run-add"))
  (export "run-str" (func $x "run-str"))
  (export "run-list" (func $x "run-list"))
  (export "run-rec" (func $x "run-rec")))`)
		inst, err := c.Instantiate(ctx, runtime.NewLinker())
		if err != nil {
			t.Fatal(err)
		}
		return inst
	}
	iy, err := compile(adapterBenchY).Instantiate(ctx, runtime.NewLinker())
	if err != nil {
		t.Fatal(err)
	}
	l := runtime.NewLinker()
	if err := l.Instance("y", iy, ""); err != nil {
		t.Fatal(err)
	}
	ix, err := compile(adapterBenchX).Instantiate(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// BenchmarkAdapters: X calls Y with a u32, a 16-byte and a 1 MiB string,
// a 1 MiB list<u8> and a record of a 16-byte string and a 1 KiB list<u8>,
// composed (fused adapters: no Go on the path) and linked through the
// host; ns/call and MB/s per call, X looping in wasm.
func BenchmarkAdapters(b *testing.B) {
	ctx := context.Background()
	cases := []struct {
		name   string
		export string
		calls  uint32
		len    uint32
		bytes  int64
		want   func(n, l uint32) uint32
	}{
		{"u32", "run-add", 1000, 0, 0, func(n, l uint32) uint32 { return n }},
		{"string-16B", "run-str", 1000, 16, 16, func(n, l uint32) uint32 { return n * l }},
		{"string-1MiB", "run-str", 1, 1 << 20, 1 << 20, func(n, l uint32) uint32 { return n * l }},
		{"list-u8-1MiB", "run-list", 1, 1 << 20, 1 << 20, func(n, l uint32) uint32 { return n * l }},
		{"record-string-list-1KiB", "run-rec", 1000, 1024, 16 + 1024, func(n, l uint32) uint32 { return n * (l + 16) }},
	}
	for _, c := range cases {
		for _, linked := range []bool{false, true} {
			mode := map[bool]string{false: "composed", true: "host-linked"}[linked]
			b.Run(c.name+"/"+mode, func(b *testing.B) {
				inst := adapterBenchInstance(b, linked)
				f, err := inst.Func(c.export)
				if err != nil {
					b.Fatal(err)
				}
				stack := make([]uint64, 2)
				if c.bytes > 0 {
					b.SetBytes(c.bytes * int64(c.calls))
				}
				b.ReportAllocs()
				defer cpuMetric(b, int(c.calls))()
				for b.Loop() {
					stack[0], stack[1] = uint64(c.calls), uint64(c.len)
					if err := f.CallFlat(ctx, stack); err != nil || uint32(stack[0]) != c.want(c.calls, c.len) {
						b.Fatal(stack, err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(c.calls), "ns/call")
				if n := inst.GoCalls(); !linked && n != 0 {
					b.Fatalf("%d calls went through Go", n)
				}
			})
		}
	}
}
