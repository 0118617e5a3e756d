package multimem

import (
	"context"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/wasmcm/wasmcm/internal/wat"
)

// instance is a lowered module instantiated on wazero with its accessors.
type instance struct {
	t    testing.TB
	ctx  context.Context
	rt   wazero.Runtime
	main api.Module
	low  *Lowered
	accs map[uint32]api.Module
	fns  map[string]api.Function
}

// assemble parses a core module text.
func assemble(t testing.TB, src string) []byte {
	t.Helper()
	bin, err := wat.Parse("test.wat", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// lowerAndRun lowers bin and instantiates it; providers are instantiated
// first under their names (modules the test module imports from).
func lowerAndRun(t testing.TB, bin []byte, opts Options, providers map[string]string) (*instance, error) {
	t.Helper()
	return lowerAndRunOn(t, wazero.NewRuntimeConfig(), bin, opts, providers)
}

// lowerAndRunOn is lowerAndRun on a wazero engine of choice.
func lowerAndRunOn(t testing.TB, cfg wazero.RuntimeConfig, bin []byte, opts Options, providers map[string]string) (*instance, error) {
	t.Helper()
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, cfg)
	t.Cleanup(func() { rt.Close(ctx) })
	for name, src := range providers {
		if _, err := rt.InstantiateWithConfig(ctx, assemble(t, src), wazero.NewModuleConfig().WithName(name)); err != nil {
			t.Fatal(err)
		}
	}
	low, err := Lower(bin, opts)
	if err != nil {
		t.Fatal(err)
	}
	in := &instance{t: t, ctx: ctx, rt: rt, low: low, accs: map[uint32]api.Module{}, fns: map[string]api.Function{}}
	for _, a := range low.Accessors {
		m, err := rt.InstantiateWithConfig(ctx, a.Module, wazero.NewModuleConfig().WithName(a.Name))
		if err != nil {
			return in, err
		}
		in.accs[a.Memory] = m
	}
	in.main, err = rt.InstantiateWithConfig(ctx, low.Main, wazero.NewModuleConfig().WithName("main"))
	return in, err
}

// call calls an export, failing the test on a trap unless wantTrap.
func (in *instance) call(name string, args ...uint64) ([]uint64, error) {
	f := in.fns[name]
	if f == nil {
		// wazero makes a call engine per ExportedFunction: keep it.
		if f = in.main.ExportedFunction(name); f == nil {
			in.t.Fatalf("no export %q", name)
		}
		in.fns[name] = f
	}
	return f.Call(in.ctx, args...)
}

// memory returns original memory k.
func (in *instance) memory(k uint32) api.Memory {
	if k == in.low.Native {
		return in.main.Memory()
	}
	return in.accs[k].Memory()
}

const twoMems = `(module
  (memory $m0 1)
  (memory $m1 1 3)
  (data (memory $m1) (i32.const 16) "hello")
  (data $p "passive!")
  (func (export "load8") (param i32) (result i32) (i32.load8_u $m1 (local.get 0)))
  (func (export "load64") (param i32) (result i64) (i64.load $m1 offset=8 (local.get 0)))
  (func (export "store32") (param i32 i32) (i32.store $m1 offset=4 (local.get 0) (local.get 1)))
  (func (export "store0") (param i32 i32) (i32.store $m0 offset=4 (local.get 0) (local.get 1)))
  (func (export "size1") (result i32) (memory.size $m1))
  (func (export "grow1") (param i32) (result i32) (memory.grow $m1 (local.get 0)))
  (func (export "fill1") (param i32 i32 i32) (memory.fill $m1 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy01") (param i32 i32 i32) (memory.copy $m0 $m1 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy10") (param i32 i32 i32) (memory.copy $m1 $m0 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy11") (param i32 i32 i32) (memory.copy $m1 $m1 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init1") (param i32 i32 i32) (memory.init $m1 $p (local.get 0) (local.get 1) (local.get 2)))
  (func (export "drop") (data.drop $p))
  (export "mem1" (memory $m1))
)`

func TestLowerSmoke(t *testing.T) {
	in, err := lowerAndRun(t, assemble(t, twoMems), Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := in.call("load8", 17)
	if err != nil || r[0] != 'e' {
		t.Fatalf("load8 = %v, %v", r, err)
	}
	if _, err := in.call("store32", 100, 0x01020304); err != nil {
		t.Fatal(err)
	}
	if b, _ := in.memory(1).Read(104, 4); string(b) != "\x04\x03\x02\x01" {
		t.Fatalf("store32 wrote %x", b)
	}
	if _, err := in.call("copy01", 0, 16, 5); err != nil {
		t.Fatal(err)
	}
	if b, _ := in.memory(0).Read(0, 5); string(b) != "hello" {
		t.Fatalf("copy01 wrote %q", b)
	}
	if _, err := in.call("copy01", 0, 65530, 10); err == nil || !strings.Contains(err.Error(), "out of bounds") {
		t.Fatalf("copy01 out of bounds: %v", err)
	}
	if a := in.low.Accessors[0]; len(a.Exports) != 1 || a.Exports[0] != "mem1" {
		t.Fatalf("exports %v", a.Exports)
	}
	must := func(name string, args ...uint64) []uint64 {
		t.Helper()
		r, err := in.call(name, args...)
		if err != nil {
			t.Fatalf("%s%v: %v", name, args, err)
		}
		return r
	}
	must("init1", 200, 1, 6)
	if b, _ := in.memory(1).Read(200, 6); string(b) != "assive" {
		t.Fatalf("init1 wrote %q", b)
	}
	must("drop")
	if _, err := in.call("init1", 200, 1, 1); err == nil {
		t.Fatal("init1 after drop did not trap")
	}
	must("init1", 200, 0, 0)
	must("fill1", 300, 0xab, 3)
	if r := must("load64", 292); r[0] != 0xababab {
		t.Fatalf("load64 = %x", r[0])
	}
	if r := must("grow1", 1); r[0] != 1 {
		t.Fatalf("grow1 = %d", r[0])
	}
	if r := must("size1"); r[0] != 2 {
		t.Fatalf("size1 = %d", r[0])
	}
	if r := must("grow1", 5); r[0] != 0xffffffff {
		t.Fatalf("grow1 past max = %x", r[0])
	}
	must("store0", 1000, 0x11223344)
	must("copy10", 70000, 1000, 300)
	if r := must("load8", 70004); r[0] != 0x44 {
		t.Fatalf("copy10 then load8 = %x", r[0])
	}
	must("copy11", 70001, 70000, 300)
	if r := must("load8", 70005); r[0] != 0x44 {
		t.Fatalf("copy11 then load8 = %x", r[0])
	}
}
