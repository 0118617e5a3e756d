package component

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/wit"
)

// TestWITOfComponents decodes every component of wit-component's
// components/ cases into the world it implements and prints it: it must
// give the case's component.wit.print, as `wasm-tools component wit` does.
func TestWITOfComponents(t *testing.T) {
	root := testutil.Shared(t, "conformance/wit-component/components")
	files, err := filepath.Glob(filepath.Join(root, "*", "component.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	passed := 0
	for _, f := range files {
		name := filepath.Base(filepath.Dir(f))
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(filepath.Dir(f), "component.wit.print"))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		dw, err := DecodeWIT(b)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		got, err := dw.Resolve.PrintChecked([]wit.PackageID{dw.Package})
		if err != nil {
			t.Errorf("%s: print: %v", name, err)
			continue
		}
		if got != string(want) {
			t.Errorf("%s: printed world differs:\n%s\nwant:\n%s", name, got, want)
			continue
		}
		passed++
	}
	testutil.Conformance(t, "component-wit-print", passed, len(files))
}
