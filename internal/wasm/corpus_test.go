package wasm

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/wasmcm/wasmcm/internal/testutil"
)

// TestReadModuleAgreesWithWazero reads the core modules of the wit-component
// corpus and checks the exported and imported functions against what wazero
// reports for the same bytes.
func TestReadModuleAgreesWithWazero(t *testing.T) {
	root := testutil.Shared(t, "conformance/wit-component/components")
	files, _ := filepath.Glob(filepath.Join(root, "*", "module.wasm"))
	adapters, _ := filepath.Glob(filepath.Join(root, "*", "adapt-*.wasm"))
	files = append(files, adapters...)
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter().WithCoreFeatures(0xffffffff))
	defer rt.Close(ctx)
	checked := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		info, err := ReadModule(b, 0)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		cm, err := rt.CompileModule(ctx, b)
		if err != nil {
			continue // a feature wazero lacks; the facts were still read
		}
		checked++
		exp := cm.ExportedFunctions()
		n := 0
		for _, e := range info.Exports {
			if e.Kind != ExternFunc {
				continue
			}
			n++
			d, ok := exp[e.Name]
			if !ok {
				t.Errorf("%s: export %q not seen by wazero", f, e.Name)
				continue
			}
			x, _ := info.FuncTypeIndex(e.Index)
			ft := info.FuncType(x)
			if ft == nil || len(ft.Params) != len(d.ParamTypes()) || len(ft.Results) != len(d.ResultTypes()) {
				t.Errorf("%s: export %q: type %v disagrees with wazero", f, e.Name, ft)
			}
		}
		if n != len(exp) {
			t.Errorf("%s: %d exported functions, wazero sees %d", f, n, len(exp))
		}
		imp := 0
		for _, im := range info.Imports {
			if im.Type.Kind == ExternFunc {
				imp++
			}
		}
		if imp != len(cm.ImportedFunctions()) {
			t.Errorf("%s: %d imported functions, wazero sees %d", f, imp, len(cm.ImportedFunctions()))
		}
	}
	t.Logf("%d modules read, %d cross-checked with wazero", len(files), checked)
}
