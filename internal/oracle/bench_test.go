package oracle

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	bawit "go.bytecodealliance.org/wit"

	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/wit"
)

// httpCopy materializes ../shared/conformance/wasi/<version>/http with its
// deps into a temporary directory that every resolver can read.
func httpCopy(b testing.TB, version string) string {
	b.Helper()
	src := testutil.Shared(b, "conformance/wasi/"+version+"/http")
	dst := filepath.Join(b.TempDir(), "http")
	if err := Materialize(src, dst); err != nil {
		b.Fatal(err)
	}
	return dst
}

// BenchmarkLoadWITHTTP is the reference peer: go.bytecodealliance.org's
// LoadWIT resolving wasi:http@0.2.12 with its dependencies, which runs
// wasm-tools 1.230 in wazero and decodes its JSON (as wit-bindgen-go did).
func BenchmarkLoadWITHTTP(b *testing.B) {
	dir := httpCopy(b, "0.2.12")
	// The first call compiles wasm-tools into wazero's on-disk cache; time
	// the calls that find it there, as repeated use does.
	if _, err := bawit.LoadWIT(dir); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		res, err := bawit.LoadWIT(dir)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Packages) != 7 {
			b.Fatalf("LoadWIT gave %d packages, want 7", len(res.Packages))
		}
	}
}

// BenchmarkOracleJSONHTTP is the reference without the JSON decoding of
// LoadWIT and with the compiled module reused: the bare cost of one
// wasm-tools run.
func BenchmarkOracleJSONHTTP(b *testing.B) {
	dir := httpCopy(b, "0.2.12")
	tool := reference(b)
	ctx := context.Background()
	for b.Loop() {
		if _, err := tool.ResolveJSON(ctx, dir, Options{AllFeatures: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWasmcmHTTP is wasmcm's front end on the same input.
func BenchmarkWasmcmHTTP(b *testing.B) {
	dir := httpCopy(b, "0.2.12")
	if _, _, err := wit.Load(dir, wit.Options{AllFeatures: true}); err != nil {
		if strings.Contains(err.Error(), "not implemented yet") {
			b.Skip("skipped: wit.Load is not implemented yet")
		}
		b.Fatal(err)
	}
	for b.Loop() {
		res, _, err := wit.Load(dir, wit.Options{AllFeatures: true})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Packages) != 7 {
			b.Fatalf("Load gave %d packages, want 7", len(res.Packages))
		}
	}
}
