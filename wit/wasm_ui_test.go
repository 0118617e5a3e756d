package wit_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/internal/witwasm"
	"github.com/wasmcm/wasmcm/wit"
)

// The wit-parser UI suite has packages given as .wat and .wasm; its JSON
// test (in package wit) decodes them with the component decoder.
func init() { wit.SetUIDecodeWasm(witwasm.Decode) }

// TestLoadWasmPackage checks that a .wat root and a .wasm dependency load
// through Options.DecodeWasm, that the dependency takes its place among the
// WIT packages, and that without a decoder such files are a clear error.
func TestLoadWasmPackage(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	deps := filepath.Join(root, "deps")
	if err := os.MkdirAll(deps, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(path, text string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, "x.wat"), `(component
  (type $x (component (export "a:b/x" (instance (type (record (field "f" u32))) (export "r" (type (eq 0)))))))
  (export "x" (type $x)))`)
	r, ids, err := wit.Load(filepath.Join(dir, "x.wat"), wit.Options{DecodeWasm: witwasm.Decode})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.TrimSpace(r.Print(ids[0])) + "\n"
	if want := "package a:b;\n\ninterface x {\n  record r {\n    f: u32,\n  }\n}\n"; got != want {
		t.Errorf("root .wat printed\n%s\nwant\n%s", got, want)
	}

	write(filepath.Join(deps, "x.wat"), `(component
  (type $x (component (export "a:b/x" (instance (type (record (field "f" u32))) (export "r" (type (eq 0)))))))
  (export "x" (type $x)))`)
	write(filepath.Join(root, "main.wit"), "package m:m;\nworld w { import a:b/x; }\n")
	r, ids, err = wit.Load(root, wit.Options{DecodeWasm: witwasm.Decode})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(r.Packages); n != 2 || r.Packages[0].Name.String() != "a:b" || ids[0] != 1 {
		t.Errorf("packages %d, first %v, main %d: want a:b first, main m:m", n, r.Packages[0].Name, ids[0])
	}

	_, _, err = wit.Load(root, wit.Options{})
	if err == nil || !strings.Contains(err.Error(), "encoded as wasm") {
		t.Errorf("without a decoder: %v, want an error about wasm", err)
	}

	write(filepath.Join(deps, "x.wat"), `(component (core module))`)
	_, _, err = wit.Load(root, wit.Options{DecodeWasm: witwasm.Decode})
	if err == nil || !strings.Contains(err.Error(), "actual component") {
		t.Errorf("a component that is not a package: %v", err)
	}
	write(filepath.Join(deps, "x.wat"), `(component (type`)
	_, _, err = wit.Load(root, wit.Options{DecodeWasm: witwasm.Decode})
	if err == nil || !strings.Contains(err.Error(), "x.wat") {
		t.Errorf("bad text: %v, want an error naming the file", err)
	}
}
