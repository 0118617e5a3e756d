package component

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"

	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/internal/wasm"
)

// compileCore checks a core module with wazero, which validates bodies.
func compileCore(t *testing.T, b []byte) {
	t.Helper()
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter().WithCoreFeatures(api.CoreFeaturesV2|
		experimental.CoreFeaturesTailCall|experimental.CoreFeaturesExtendedConst|experimental.CoreFeaturesTypedFunctionReferences))
	defer rt.Close(ctx)
	if _, err := rt.CompileModule(ctx, b); err != nil {
		t.Fatalf("the reduced adapter does not compile: %v", err)
	}
}

func exportNames(t *testing.T, b []byte) []string {
	info, err := wasm.ReadModule(b, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range info.Exports {
		out = append(out, e.Name)
	}
	return out
}

func importNames(t *testing.T, b []byte) []string {
	info, err := wasm.ReadModule(b, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, im := range info.Imports {
		out = append(out, im.Module+"::"+im.Name)
	}
	return out
}

// TestAdapterGC reduces the corpus adapters and jco's preview-1 adapters:
// the result keeps the exports asked for, drops imports nothing reaches,
// and still compiles.
func TestAdapterGC(t *testing.T) {
	root := testutil.Shared(t, "conformance/wit-component/components")
	files, _ := filepath.Glob(filepath.Join(root, "*", "adapt-*.wasm"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		exps := exportNames(t, b)
		if len(exps) == 0 {
			continue
		}
		for _, realloc := range []string{"", "cabi_realloc"} {
			if realloc == "" && !slices.Contains(importNames(t, b), "env::memory") {
				continue // growing memory needs one
			}
			out, err := gcAdapter(b, exps, realloc)
			if err != nil {
				t.Errorf("%s: %v", f, err)
				continue
			}
			if got := exportNames(t, out); !slices.Equal(got, exps) {
				t.Errorf("%s: exports %v, want %v", f, got, exps)
			}
			t.Run(filepath.Base(filepath.Dir(f))+"/"+realloc, func(t *testing.T) { compileCore(t, out) })
		}
	}

	jco := filepath.Join(testutil.RepoRoot(t), ".cache", "jco", "node_modules", "@bytecodealliance", "jco", "lib", "wasi_snapshot_preview1.command.wasm")
	b, err := os.ReadFile(jco)
	if err != nil {
		t.Skipf("skipped: jco's adapter is absent (%v)", err)
	}
	_, b, err = ReadEmbedded(b)
	if err != nil {
		t.Fatal(err)
	}
	out, err := gcAdapter(b, []string{"fd_write", "proc_exit", "wasi:cli/run@0.2.12#run"}, "cabi_realloc")
	if err != nil {
		t.Fatal(err)
	}
	compileCore(t, out)
	imps := importNames(t, out)
	if slices.ContainsFunc(imps, func(s string) bool { return strings.Contains(s, "descriptor.set-times-at") }) {
		t.Errorf("fd_write and proc_exit do not reach set-times-at, but it stays imported: %v", imps)
	}
	if !slices.Contains(imps, "wasi:cli/exit@0.2.12::exit") || !slices.Contains(imps, "__main_module__::_start") {
		t.Errorf("imports %v lack exit or _start", imps)
	}
	t.Logf("jco command adapter: %d → %d bytes, %d imports", len(b), len(out), len(imps))
}

// FuzzAdapterGC feeds mutated adapters to the GC: it must fail cleanly,
// never panic, and what it returns must be readable.
func FuzzAdapterGC(f *testing.F) {
	// Seeds: the corpus adapters, when the corpus is beside the checkout.
	files, _ := filepath.Glob("../../shared/conformance/wit-component/components/*/adapt-*.wasm")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b, "")
		}
	}
	f.Fuzz(func(t *testing.T, b []byte, realloc string) {
		if !utf8.ValidString(realloc) {
			return // the name comes from a module already read, so it is UTF-8
		}
		m, err := parseAdapter(b)
		if err != nil {
			return
		}
		var names []string
		for _, e := range m.exports {
			names = append(names, e.Name)
		}
		out, err := gcAdapter(b, names, realloc)
		if err != nil {
			return
		}
		if _, err := wasm.ReadModule(out, 0); err != nil {
			t.Fatalf("the GC wrote an unreadable module: %v", err)
		}
	})
}
