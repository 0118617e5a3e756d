// Package bench builds the component the host bindings' benchmarks and
// bad-input tests run: world test:bench/bench (wit/bench.wit) implemented
// by a core module written with the project's emitter, wrapped by
// component.New. Its echo functions hand their arguments back, so that a
// call measures the bindings and the runtime, not the guest.
package bench

import (
	"fmt"
	"path/filepath"
	"runtime"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/wasm"
	"github.com/wasmcm/wasmcm/wit"
)

// Iface is the exported interface's name.
const Iface = "test:bench/api@0.1.0"

// WITDir returns the directory of the world's WIT.
func WITDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "wit")
}

// Module returns the core module: cabi_realloc (a bump allocator that
// every echo resets), the api functions and memory.
func Module() []byte { return ModuleNamed("test:bench/api@0.1.0") }

// ModuleNamed is Module with the api functions exported under the
// interface name iface (to build mismatching components).
func ModuleNamed(iface string) []byte {
	var m wasm.Builder
	i32, f32 := wasm.ValI32, wasm.ValF32
	m.AddMemory(wasm.MemoryType{Limits: wasm.Limits{Min: 4}})
	heap := m.AddGlobal(wasm.Global{Type: wasm.GlobalType{Val: i32, Mutable: true}, Init: wasm.ConstI32(1024)})

	var r wasm.Code
	r.GlobalGet(heap).I32Const(7).Op(wasm.OpI32Add).I32Const(-8).Op(wasm.OpI32And).LocalTee(4).
		LocalGet(3).Op(wasm.OpI32Add).GlobalSet(heap).
		LocalGet(4).End()
	realloc := m.AddFunc(wasm.Func{Type: m.AddFuncType([]wasm.ValType{i32, i32, i32, i32}, []wasm.ValType{i32}),
		Locals: []wasm.ValType{i32}, Body: r.Bytes()})

	var a wasm.Code
	a.LocalGet(0).LocalGet(1).Op(wasm.OpI32Add).End()
	add := m.AddFunc(wasm.Func{Type: m.AddFuncType([]wasm.ValType{i32, i32}, []wasm.ValType{i32}), Body: a.Bytes()})

	// echo(ptr, len) and echo-list(ptr, len): the pair at 16, heap reset.
	var e wasm.Code
	e.I32Const(16).LocalGet(0).Store(wasm.OpI32Store, 2, 0, 0).
		I32Const(16).LocalGet(1).Store(wasm.OpI32Store, 2, 4, 0).
		I32Const(1024).GlobalSet(heap).
		I32Const(16).End()
	echo := m.AddFunc(wasm.Func{Type: m.AddFuncType([]wasm.ValType{i32, i32}, []wasm.ValType{i32}), Body: e.Bytes()})

	// echo-rec(8 fields): the record at 64.
	recParams := []wasm.ValType{i32, i32, f32, i32, i32, i32, f32, i32}
	var er wasm.Code
	for k, t := range recParams {
		op := wasm.OpI32Store
		if t == f32 {
			op = wasm.OpF32Store
		}
		er.I32Const(64).LocalGet(uint32(k)).Store(op, 2, uint64(4*k), 0)
	}
	er.I32Const(64).End()
	echoRec := m.AddFunc(wasm.Func{Type: m.AddFuncType(recParams, []wasm.ValType{i32}), Body: er.Bytes()})

	var b wasm.Code
	b.Unreachable().End()
	boom := m.AddFunc(wasm.Func{Type: m.AddFuncType(nil, nil), Body: b.Bytes()})

	m.Export("memory", wasm.ExternMemory, 0)
	m.Export("cabi_realloc", wasm.ExternFunc, realloc)
	m.Export(iface+"#add", wasm.ExternFunc, add)
	m.Export(iface+"#echo", wasm.ExternFunc, echo)
	m.Export(iface+"#echo-list", wasm.ExternFunc, echo)
	m.Export(iface+"#echo-rec", wasm.ExternFunc, echoRec)
	m.Export(iface+"#boom", wasm.ExternFunc, boom)
	return m.Encode()
}

// Component returns the component: Module with the world embedded,
// wrapped by component.New.
func Component() ([]byte, error) {
	return ComponentOf(Module(), WITDir(), "bench")
}

// ComponentOf embeds world of the WIT at dir into module and wraps it.
func ComponentOf(module []byte, dir, world string) ([]byte, error) {
	r, pkgs, err := wit.Load(dir, wit.Options{})
	if err != nil {
		return nil, err
	}
	w, err := r.SelectWorld(pkgs, world)
	if err != nil {
		return nil, err
	}
	emb, err := component.Embed(module, r, w, canon.UTF8)
	if err != nil {
		return nil, fmt.Errorf("embedding the world: %w", err)
	}
	c, err := component.New(emb, component.NewOptions{})
	if err != nil {
		return nil, fmt.Errorf("component.New: %w", err)
	}
	return c, nil
}
