package xlang_test

import (
	"path/filepath"
	"testing"

	"github.com/wasmcm/wasmcm/bindgen/internal/host/hosttest"
	"github.com/wasmcm/wasmcm/internal/preview1"
	"github.com/wasmcm/wasmcm/internal/testutil"
)

const bindingsDir = "bindgen/internal/host/xlang/bindings"

// witDir is the demo package with the WASI packages its app world names
// beside it (world app is not bound here, but the package must load).
func witDir(t testing.TB) string {
	t.Helper()
	return testutil.WITWithWASI(t, filepath.Join(testutil.RepoRoot(t), "testdata", "guests", "xlang", "wit"), preview1.WASIVersion)
}

// bindings generates the host bindings of both worlds, each under its
// own root so that text's package (exported by one, imported by the
// other) does not collide.
func bindings(t testing.TB) map[string][]byte {
	t.Helper()
	dir := witDir(t)
	all := map[string][]byte{}
	for _, w := range []struct{ world, sub string }{{"text-impl", "rust"}, {"format-impl", "js"}} {
		for n, b := range hosttest.HostBindings(t, dir, w.world, "github.com/wasmcm/wasmcm/"+bindingsDir+"/"+w.sub) {
			all[w.sub+"/"+n] = b
		}
	}
	return all
}

// TestBindingsCurrent checks the committed host bindings against the
// generator.
func TestBindingsCurrent(t *testing.T) {
	hosttest.Current(t, bindingsDir, bindings(t))
}
