package witwasm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/wit"
)

// TestDepWithForeignPackage loads a binary WIT package in deps/ whose
// interface uses a type of another package: both come into the Resolve, the
// used one first, and the WIT package that imports it resolves against them.
func TestDepWithForeignPackage(t *testing.T) {
	src := &wit.Resolve{}
	ids, err := src.AddSource("p.wit", `package q:q;
interface y { use f:f/t.{r}; g: func(a: r); }
package f:f { interface t { record r { x: u32 } } }
`)
	if err != nil {
		t.Fatal(err)
	}
	bin, err := component.EncodeWIT(src, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(t.TempDir(), "root")
	if err := os.MkdirAll(filepath.Join(root, "deps"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "deps", "q.wasm"), bin, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "m.wit"), []byte("package m:m;\nworld w { import q:q/y; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, main, err := wit.Load(root, wit.Options{DecodeWasm: Decode})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range r.Packages {
		names = append(names, p.Name.String())
	}
	if got := strings.Join(names, " "); got != "f:f q:q m:m" {
		t.Errorf("packages %q, want f:f q:q m:m", got)
	}
	if got := r.Print(main[0]); !strings.Contains(got, "import q:q/y;") {
		t.Errorf("main package printed\n%s", got)
	}

	// A component with core code is not a WIT package.
	if _, _, err := Decode("c.wat", []byte("(component (core module))")); err == nil || !strings.Contains(err.Error(), "actual component") {
		t.Errorf("component: %v", err)
	}
}

// TestDepsSharingAPackage loads two binary WIT deps that both carry package
// f:f: the same items merge into one package; an item the first lacks is a
// clear error rather than being dropped.
func TestDepsSharingAPackage(t *testing.T) {
	encode := func(src string) []byte {
		t.Helper()
		r := &wit.Resolve{}
		ids, err := r.AddSource("p.wit", src)
		if err != nil {
			t.Fatal(err)
		}
		b, err := component.EncodeWIT(r, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	root := filepath.Join(t.TempDir(), "root")
	if err := os.MkdirAll(filepath.Join(root, "deps"), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(root, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("m.wit", []byte("package m:m;\nworld w { import a:a/y; import b:b/y; }\n"))
	write("deps/a.wasm", encode("package a:a;\ninterface y { use f:f/t.{r}; g: func(a: r); }\npackage f:f { interface t { record r { x: u32 } } }\n"))
	write("deps/b.wasm", encode("package b:b;\ninterface y { use f:f/t.{r}; g: func(a: r); }\npackage f:f { interface t { record r { x: u32 } } }\n"))
	r, _, err := wit.Load(root, wit.Options{DecodeWasm: Decode})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(r.Packages); n != 4 {
		t.Errorf("%d packages, want 4 (f:f once)", n)
	}

	write("deps/b.wasm", encode("package b:b;\ninterface y { use f:f/u.{s}; g: func(a: s); }\npackage f:f { interface u { record s { x: u32 } } }\n"))
	_, _, err = wit.Load(root, wit.Options{DecodeWasm: Decode})
	if err == nil || !strings.Contains(err.Error(), "interface `u`") {
		t.Errorf("an interface the loaded f:f lacks: %v", err)
	}
}
