package oracle

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bawit "go.bytecodealliance.org/wit"

	"github.com/wasmcm/wasmcm/component"
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

// BenchmarkPeerValidateWasiHTTP compares decode+validate of the largest
// component of the corpora (wit-component's wasi-http.wasm) with the
// reference validator, `wasm-tools validate` (wasmparser), when a native
// wasm-tools is on PATH (the build embedded in go.bytecodealliance.org has
// no validate command). A run of the reference also pays for starting a
// process, which is ten times the validation itself: so both validate a
// component nesting the file peerCopies times, and the reference's
// per-copy time is the difference from a component nesting it once,
// divided by the copies in between (reported as net-ns/op and net-MB/s
// per copy).
func BenchmarkPeerValidateWasiHTTP(b *testing.B) {
	src := filepath.Join(testutil.Shared(b, "conformance/wit-component/interfaces"), "wasi-http.wasm")
	data, err := os.ReadFile(src)
	if err != nil {
		b.Skipf("skipped: %v", err)
	}
	one, many := nest(data, 1), nest(data, peerCopies)
	dir := b.TempDir()
	for name, bin := range map[string][]byte{"one.wasm": one, "many.wasm": many} {
		if err := os.WriteFile(filepath.Join(dir, name), bin, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("wasmcm", func(b *testing.B) {
		b.SetBytes(int64(len(data)) * peerCopies)
		b.ReportAllocs()
		for b.Loop() {
			c, err := component.Decode(many)
			if err != nil {
				b.Fatal(err)
			}
			if err := component.Validate(c, component.AllFeatures); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/peerCopies, "ns/copy")
	})
	b.Run("wasm-tools-native", func(b *testing.B) {
		bin, err := exec.LookPath("wasm-tools")
		if err != nil {
			b.Skip("skipped: no wasm-tools on PATH")
		}
		run := func(name string) {
			if out, err := exec.Command(bin, "validate", "--features", "all", filepath.Join(dir, name)).CombinedOutput(); err != nil {
				b.Fatalf("wasm-tools validate %s: %v %s", name, err, out)
			}
		}
		run("many.wasm") // warm the page cache
		var net time.Duration
		for b.Loop() {
			t0 := time.Now()
			run("many.wasm")
			t1 := time.Now()
			run("one.wasm")
			net += t1.Sub(t0) - time.Since(t1)
		}
		perCopy := float64(net.Nanoseconds()) / float64(b.N) / (peerCopies - 1)
		b.ReportMetric(perCopy, "ns/copy")
		if perCopy > 0 {
			b.ReportMetric(float64(len(data))/perCopy*1e3, "net-MB/s")
		}
	})
}

// peerCopies is how many times BenchmarkPeerValidateWasiHTTP nests its
// input.
const peerCopies = 40

// nest returns a component whose sections are n nested copies of the
// component c.
func nest(c []byte, n int) []byte {
	out := []byte{0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00}
	for range n {
		out = append(out, 0x04)
		for v := uint32(len(c)); ; v >>= 7 {
			if v < 0x80 {
				out = append(out, byte(v))
				break
			}
			out = append(out, byte(v)|0x80)
		}
		out = append(out, c...)
	}
	return out
}
