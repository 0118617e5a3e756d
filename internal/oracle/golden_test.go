package oracle

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/internal/testutil"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite wit/testdata/golden/*.json from the reference")

// goldenHTTP are the WASI packages whose resolution is kept as golden JSON
// for the main module's tests.
var goldenHTTP = []string{"0.2.12", "0.3.0"}

// TestGoldenHTTP checks wit/testdata/golden/wasi-http-<version>.json, the
// reference's `component wit --json` (no features) of
// ../shared/conformance/wasi/<version>/http, against wasm-tools 1.230. With
// -update-golden it writes the files instead:
//
//	cd internal/oracle && go test -run TestGoldenHTTP -update-golden
//
// Writing prefers a native `wasm-tools` on PATH (the current reference) and
// falls back to 1.230 brought to the current shape. Checking can only use
// 1.230, which does not know the doc comments of world import/export
// statements, so those are left out of the comparison.
func TestGoldenHTTP(t *testing.T) {
	tool := reference(t)
	root := testutil.RepoRoot(t)
	dir := filepath.Join(root, "wit", "testdata", "golden")
	var provenance []string
	for _, v := range goldenHTTP {
		t.Run(v, func(t *testing.T) {
			pkg := httpCopy(t, v)
			raw, err := tool.ResolveJSON(context.Background(), pkg, Options{})
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "wasi-http-"+v+".json")
			if *updateGolden {
				text, from, err := goldenText(pkg, raw)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, text, 0o644); err != nil {
					t.Fatal(err)
				}
				provenance = append(provenance, fmt.Sprintf("- `%s`: `wasm-tools component wit --json` of `../shared/conformance/wasi/%s/http` by %s.", filepath.Base(path), v, from))
				return
			}
			golden, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (write it with -update-golden)", err)
			}
			var got any
			if err := json.Unmarshal(golden, &got); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			want, err := Current(raw)
			if err != nil {
				t.Fatal(err)
			}
			dropWorldItemDocs(got)
			if p, ok := firstDiff(want, got, ""); !ok {
				t.Errorf("%s differs from wasm-tools 1.230 at %s; rewrite it with -update-golden", path, p)
			}
		})
	}
	if *updateGolden && len(provenance) > 0 {
		readme := "# Golden reference JSON\n\nWritten by `go test -run TestGoldenHTTP -update-golden` in `internal/oracle`; do not edit.\n\n" +
			strings.Join(provenance, "\n") + "\n"
		if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte(readme), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// goldenText returns the golden JSON for the package at pkg: a native
// wasm-tools's output when one is on PATH, else raw (1.230's) brought to the
// current shape. from says which.
func goldenText(pkg string, raw []byte) (text []byte, from string, err error) {
	if bin, err := exec.LookPath("wasm-tools"); err == nil {
		ver, err := exec.Command(bin, "--version").Output()
		if err == nil {
			out, err := exec.Command(bin, "component", "wit", "--json", pkg).Output()
			if err != nil {
				return nil, "", fmt.Errorf("%s component wit --json %s: %w", bin, pkg, err)
			}
			return withNewline(out), strings.TrimSpace(string(ver)) + " (native)", nil
		}
	}
	text, err = currentText(raw)
	return text, "wasm-tools 1.230 of go.bytecodealliance.org v0.7.0, async names and fixed-length lists rewritten to the current shape (world import/export docs missing)", err
}

// currentText applies Current's rewrites to the reference's JSON text,
// keeping its member order and layout (so the golden files read like the
// reference's output), and checks the result against Current as values.
func currentText(raw []byte) ([]byte, error) {
	out := raw
	for _, r := range [...][2]string{
		{`"fixed-size-list"`, `"fixed-length-list"`},
		{`"[async method]`, `"[method]`},
		{`"[async static]`, `"[static]`},
		{`"[async]`, `"`},
	} {
		out = bytes.ReplaceAll(out, []byte(r[0]), []byte(r[1]))
	}
	want, err := Current(raw)
	if err != nil {
		return nil, err
	}
	var got any
	if err := json.Unmarshal(out, &got); err != nil {
		return nil, err
	}
	if !reflect.DeepEqual(got, want) {
		// Some doc comment starts with "[async]": the text rewrite went
		// too far. Fall back to Current's value, re-encoded.
		return json.MarshalIndent(want, "", "  ")
	}
	return withNewline(out), nil
}

func withNewline(b []byte) []byte {
	if !bytes.HasSuffix(b, []byte("\n")) {
		b = append(b, '\n')
	}
	return b
}

// dropWorldItemDocs removes the "docs" of interface imports and exports of
// worlds, which wasm-tools 1.230 does not record.
func dropWorldItemDocs(v any) {
	m, ok := v.(map[string]any)
	if !ok {
		return
	}
	worlds, _ := m["worlds"].([]any)
	for _, w := range worlds {
		wm, _ := w.(map[string]any)
		for _, dir := range []string{"imports", "exports"} {
			items, _ := wm[dir].(map[string]any)
			for _, it := range items {
				if im, ok := it.(map[string]any); ok {
					if iface, ok := im["interface"].(map[string]any); ok {
						delete(iface, "docs")
					}
				}
			}
		}
	}
}
