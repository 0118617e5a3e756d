package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/wasm"
)

// writeFile writes b to a new file of a temporary directory.
func writeFile(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const embedWIT = `package my:app;

interface host {
  log: func(msg: string);
}

world app {
  import host;
  export run: func() -> u32;
}
`

// appModule implements world app: it imports my:app/host.log and exports
// run, which returns 7, and a memory and realloc.
func appModule() []byte {
	var m wasm.Builder
	i32 := wasm.ValI32
	logT := m.AddFuncType([]wasm.ValType{i32, i32}, nil)
	m.AddImport("my:app/host", "log", wasm.ExternType{Kind: wasm.ExternFunc, Index: logT})
	m.AddMemory(wasm.MemoryType{Limits: wasm.Limits{Min: 1}})
	runT := m.AddFuncType(nil, []wasm.ValType{i32})
	var c wasm.Code
	c.I32Const(7).End()
	run := m.AddFunc(wasm.Func{Type: runT, Body: c.Bytes()})
	reT := m.AddFuncType([]wasm.ValType{i32, i32, i32, i32}, []wasm.ValType{i32})
	var r wasm.Code
	r.I32Const(0).End()
	re := m.AddFunc(wasm.Func{Type: reT, Body: r.Bytes()})
	m.Export("run", wasm.ExternFunc, run)
	m.Export("cabi_realloc", wasm.ExternFunc, re)
	m.Export("memory", wasm.ExternMemory, 0)
	return m.Encode()
}

func TestComponentEmbedNewWit(t *testing.T) {
	witFile := writeFile(t, "app.wit", []byte(embedWIT))
	mod := writeFile(t, "app.wasm", appModule())
	embedded := filepath.Join(t.TempDir(), "app.embedded.wasm")
	if code, _, errs := run(t, "", "component", "embed", "--world", "app", witFile, mod, "-o", embedded); code != ExitOK {
		t.Fatalf("embed: exit %d: %s", code, errs)
	}
	// The bound module prints its world as wasm-tools does: root:root/root
	// with the embedded world's items, and the embedded package after it.
	code, out, errs := run(t, "", "component", "wit", embedded)
	if code != ExitOK || !strings.HasPrefix(out, "package root:root;\n\nworld root {\n  import my:app/host;\n\n  export run: func() -> u32;\n}") ||
		!strings.Contains(out, "package my:app {\n  interface host {") || strings.Count(out, "package my:app") != 1 {
		t.Fatalf("wit of the embedded module: exit %d\n%s%s", code, out, errs)
	}

	comp := filepath.Join(t.TempDir(), "app.component.wasm")
	if code, _, errs := run(t, "", "component", "new", embedded, "-o", comp); code != ExitOK {
		t.Fatalf("new: exit %d: %s", code, errs)
	}
	b, err := os.ReadFile(comp)
	if err != nil || !component.IsComponent(b) {
		t.Fatalf("new wrote no component: %v", err)
	}
	code, out, errs = run(t, "", "component", "wit", comp)
	want := "package root:component;\n\nworld root {\n  import my:app/host;\n\n  export run: func() -> u32;\n}\n"
	if code != ExitOK || !strings.HasPrefix(out, want) || !strings.Contains(out, "package my:app {\n  interface host {\n    log: func(msg: string);\n  }\n}") {
		t.Fatalf("wit of the component: exit %d\n%s%s\nwant a start of\n%s", code, out, errs, want)
	}
	code, out, _ = run(t, "", "component", "wit", "--json", comp)
	if code != ExitOK || !strings.Contains(out, `"name": "root"`) {
		t.Fatalf("wit --json: exit %d\n%s", code, out)
	}

	// Standard input and output.
	in, _ := os.ReadFile(embedded)
	code, out, errs = run(t, string(in), "component", "new", "-")
	if code != ExitOK || !component.IsComponent([]byte(out)) {
		t.Fatalf("new from stdin to stdout: exit %d: %s", code, errs)
	}
}

func TestComponentNewAdapt(t *testing.T) {
	// A module importing from an adapter, and an adapter (with its world
	// embedded) that implements it on my:app/host.
	var m wasm.Builder
	i32 := wasm.ValI32
	t2 := m.AddFuncType([]wasm.ValType{i32, i32}, nil)
	m.AddImport("old", "print", wasm.ExternType{Kind: wasm.ExternFunc, Index: t2})
	m.AddMemory(wasm.MemoryType{Limits: wasm.Limits{Min: 1}})
	m.Export("memory", wasm.ExternMemory, 0)
	mod := writeFile(t, "main.wasm", m.Encode())

	var a wasm.Builder
	at := a.AddFuncType([]wasm.ValType{i32, i32}, nil)
	logF := a.AddImport("my:app/host", "log", wasm.ExternType{Kind: wasm.ExternFunc, Index: at})
	a.AddImport("env", "memory", wasm.ExternType{Kind: wasm.ExternMemory, Memory: wasm.MemoryType{Limits: wasm.Limits{Min: 0}}})
	var c wasm.Code
	c.LocalGet(0).LocalGet(1).Call(logF).End()
	f := a.AddFunc(wasm.Func{Type: at, Body: c.Bytes()})
	a.Export("print", wasm.ExternFunc, f)
	a.Export("unused", wasm.ExternFunc, f)
	witFile := writeFile(t, "adapter.wit", []byte("package my:app;\ninterface host { log: func(msg: string); }\nworld adapter { import host; }\n"))
	adapter := filepath.Join(t.TempDir(), "old.wasm")
	if code, _, errs := run(t, "", "component", "embed", witFile, writeFile(t, "raw.wasm", a.Encode()), "-o", adapter); code != ExitOK {
		t.Fatalf("embed the adapter: exit %d: %s", code, errs)
	}

	comp := filepath.Join(t.TempDir(), "c.wasm")
	for _, flag := range []string{"old=" + adapter, adapter} {
		if code, _, errs := run(t, "", "component", "new", "--adapt", flag, mod, "-o", comp); code != ExitOK {
			t.Fatalf("new --adapt %s: exit %d: %s", flag, code, errs)
		}
		code, out, errs := run(t, "", "component", "wit", comp)
		if code != ExitOK || !strings.HasPrefix(out, "package root:component;\n\nworld root {\n  import my:app/host;\n}\n") {
			t.Fatalf("wit: exit %d\n%s%s", code, out, errs)
		}
	}

	// Without the adapter the import has nothing to resolve it.
	code, _, errs := run(t, "", "component", "new", mod, "-o", comp)
	if code != ExitUser || !strings.Contains(errs, "old::print") {
		t.Fatalf("new without the adapter: exit %d: %s", code, errs)
	}
	code, _, errs = run(t, "", "component", "new", "--adapt", "=x", mod)
	if code != ExitUser || !strings.Contains(errs, "NAME=FILE") {
		t.Fatalf("bad --adapt: exit %d: %s", code, errs)
	}
}

func TestComponentBadInput(t *testing.T) {
	notWasm := writeFile(t, "x.wasm", []byte("not wasm"))
	for _, args := range [][]string{
		{"component", "new", notWasm},
		{"component", "new", filepath.Join(t.TempDir(), "missing.wasm")},
		{"component", "wit", notWasm},
		{"component", "embed", "--world", "nope", writeFile(t, "a.wit", []byte(embedWIT)), notWasm},
		{"component", "embed", "--encoding", "ebcdic", writeFile(t, "b.wit", []byte(embedWIT)), notWasm},
		{"component", "new"},
		{"component", "embed", "x"},
	} {
		code, _, errs := run(t, "", args...)
		if code != ExitUser || !strings.HasPrefix(errs, "error: ") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errs)
		}
	}
	for _, args := range [][]string{{"component", "--help"}, {"component", "new", "--help"}, {"component", "embed", "--help"}, {"component", "wit", "--help"}} {
		code, out, _ := run(t, "", args...)
		if code != ExitOK || !strings.Contains(out, "Examples:\n  wasmcm ") {
			t.Errorf("%v: exit %d, no example:\n%s", args, code, out)
		}
	}
}
