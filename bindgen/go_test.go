package bindgen

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/wit"
)

const testRoot = "example.com/guest/bindings"

// generate loads the WIT at path, selects world and generates bindings.
func generate(t testing.TB, path, world string) map[string][]byte {
	t.Helper()
	r, pkgs, err := wit.Load(path, wit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := r.SelectWorld(pkgs, world)
	if err != nil {
		t.Fatal(err)
	}
	files, err := Go(r, w, GoOptions{PackageRoot: testRoot})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// writeModule writes files (paths relative to the module root) into a new
// module example.com/guest that uses this checkout for wasmcm.
func writeModule(t testing.TB, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	gomod := "module example.com/guest\n\ngo 1.25\n\nrequire github.com/wasmcm/wasmcm v0.0.0\n\nreplace github.com/wasmcm/wasmcm => " + testutil.RepoRoot(t) + "\n"
	all := map[string][]byte{"go.mod": []byte(gomod)}
	for name, b := range files {
		all[name] = b
	}
	for name, b := range all {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// goTool runs the go command for wasip1/wasm in dir.
func goTool(t testing.TB, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func underRoot(files map[string][]byte) map[string][]byte {
	out := map[string][]byte{}
	for name, b := range files {
		out["bindings/"+name] = b
	}
	return out
}

// checkBindings generates bindings twice (they must be identical), then
// builds and vets them for wasip1.
func checkBindings(t *testing.T, path, world string) map[string][]byte {
	files := generate(t, path, world)
	again := generate(t, path, world)
	if len(files) != len(again) {
		t.Fatalf("second generation made %d files, first %d", len(again), len(files))
	}
	for name, b := range files {
		if !bytes.Equal(b, again[name]) {
			t.Fatalf("%s differs between two generations", name)
		}
	}
	dir := writeModule(t, underRoot(files))
	goTool(t, dir, "build", "./...")
	goTool(t, dir, "vet", "./...")
	return files
}

func fileNames(files map[string][]byte) []string {
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func TestGoKinds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds generated code")
	}
	files := checkBindings(t, "testdata/kinds", "kinds")
	want := []string{
		"export/test/kinds/api/api.wit.go",
		"export/test/kinds/types/types.wit.go",
		"test/kinds/api/api.wit.go",
		"test/kinds/kinds/kinds.wit.go",
		"test/kinds/types/types.wit.go",
	}
	if got := fileNames(files); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("files = %v, want %v", got, want)
	}
	api := string(files["test/kinds/api/api.wit.go"])
	for _, s := range []string{
		"//go:wasmimport test:kinds/api@0.1.0 echo-string\n",
		"func Type(func_ uint32, interface_ string, go_ uint8, cm_ uint32, unsafe_ uint32) uint32",
		"func Check(ok bool) (string, error)",
		"func CheckUnit(ok bool) error",
	} {
		if !strings.Contains(api, s) {
			t.Errorf("api bindings lack %q", s)
		}
	}
	exp := string(files["export/test/kinds/types/types.wit.go"])
	for _, s := range []string{
		"//go:wasmexport test:kinds/types@0.1.0#[dtor]counter\n",
		"//go:wasmimport [export]test:kinds/types@0.1.0 [resource-new]counter\n",
		"//go:wasmexport cabi_post_test:kinds/types@0.1.0#[method]counter.name\n",
	} {
		if !strings.Contains(exp, s) {
			t.Errorf("exported types lack %q", s)
		}
	}
}

// materializeWASI builds a loadable copy of a WASI package of the corpus,
// whose deps/ entries are files naming their link targets.
func materializeWASI(t testing.TB, dir string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), filepath.Base(dir))
	if err := os.MkdirAll(filepath.Join(out, "deps"), 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".wit") {
			if err := os.Symlink(filepath.Join(dir, e.Name()), filepath.Join(out, e.Name())); err != nil {
				t.Fatal(err)
			}
		}
	}
	deps, _ := os.ReadDir(filepath.Join(dir, "deps"))
	for _, d := range deps {
		target := filepath.Join(dir, "deps", d.Name())
		if !d.IsDir() {
			b, err := os.ReadFile(target)
			if err != nil {
				t.Fatal(err)
			}
			target = filepath.Join(dir, "deps", strings.TrimSpace(string(b)))
		}
		if err := os.Symlink(target, filepath.Join(out, "deps", d.Name())); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestGoWASI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds generated code")
	}
	cases := []struct{ pkg, world string }{
		{"cli", "wasi:cli/command@0.2.12"},
		{"http", "wasi:http/proxy@0.2.12"},
	}
	passed := 0
	for _, c := range cases {
		t.Run(c.pkg, func(t *testing.T) {
			dir := materializeWASI(t, testutil.Shared(t, "conformance/wasi/0.2.12/"+c.pkg))
			files := checkBindings(t, dir, c.world)
			if len(files) < 10 {
				t.Errorf("only %d packages", len(files))
			}
			passed++
		})
	}
	testutil.Conformance(t, "bindgen-go-wasi-0.2.12", passed, len(cases))
}

// BenchmarkGoWASIHTTP generates the bindings of the wasi:http proxy world
// (the resolve is loaded once).
func BenchmarkGoWASIHTTP(b *testing.B) {
	dir := materializeWASI(b, testutil.Shared(b, "conformance/wasi/0.2.12/http"))
	r, pkgs, err := wit.Load(dir, wit.Options{})
	if err != nil {
		b.Fatal(err)
	}
	w, err := r.SelectWorld(pkgs, "wasi:http/proxy@0.2.12")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Go(r, w, GoOptions{PackageRoot: testRoot}); err != nil {
			b.Fatal(err)
		}
	}
}
