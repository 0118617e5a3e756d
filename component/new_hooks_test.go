package component_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/wasm"
	"github.com/wasmcm/wasmcm/runtime"
	"github.com/wasmcm/wasmcm/wit"
)

// hookedModule is a module whose __wasm_task_hook counts its calls and
// remembers the last code, and whose export run returns count<<8 | last
// as it sees them.
func hookedModule(t *testing.T) []byte {
	var m wasm.Builder
	i32 := wasm.ValI32
	count := m.AddGlobal(wasm.Global{Type: wasm.GlobalType{Val: i32, Mutable: true}, Init: wasm.ConstI32(0)})
	last := m.AddGlobal(wasm.Global{Type: wasm.GlobalType{Val: i32, Mutable: true}, Init: wasm.ConstI32(-1)})
	var hook, run, init wasm.Code
	hook.GlobalGet(count).I32Const(1).Op(0x6a).GlobalSet(count).LocalGet(0).GlobalSet(last).End()
	run.GlobalGet(count).I32Const(8).Op(0x74).GlobalGet(last).Op(0x72).End()
	init.End()
	m.Export("__wasm_task_hook", wasm.ExternFunc, m.AddFunc(wasm.Func{Type: m.AddFuncType([]wasm.ValType{i32}, nil), Body: hook.Bytes()}))
	m.Export("run", wasm.ExternFunc, m.AddFunc(wasm.Func{Type: m.AddFuncType(nil, []wasm.ValType{i32}), Body: run.Bytes()}))
	m.Export("_initialize", wasm.ExternFunc, m.AddFunc(wasm.Func{Type: m.AddFuncType(nil, nil), Body: init.Bytes()}))
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "w.wit"), []byte("package t:hooks;\nworld w { export run: func() -> u32; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, pkgs, err := wit.Load(dir, wit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := r.SelectWorld(pkgs, "w")
	if err != nil {
		t.Fatal(err)
	}
	b, err := component.Embed(m.Encode(), r, w, canon.UTF8)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestNewTaskHook runs a component whose module exports __wasm_task_hook:
// _initialize runs between InitializeStart (6) and InitializeFinish (7),
// and each call of an export between SyncStart (0) and SyncFinish (1).
func TestNewTaskHook(t *testing.T) {
	ctx := context.Background()
	c, err := component.New(hookedModule(t), component.NewOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rt, err := runtime.New(ctx, runtime.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	compiled, err := rt.Compile(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := compiled.Instantiate(ctx, runtime.NewLinker())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []uint64{3<<8 | 0, 5<<8 | 0} {
		got, err := inst.Call(ctx, "run")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Uint() != want {
			t.Fatalf("run = %v, want count %d, last code %d", got, want>>8, want&0xff)
		}
	}
}
