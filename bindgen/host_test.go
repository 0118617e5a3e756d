package bindgen

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/wit"
)

const hostTestRoot = "example.com/guest/bindings"

// generateHost loads the WIT at path, selects world and generates host
// bindings.
func generateHost(t testing.TB, path, world string) map[string][]byte {
	t.Helper()
	r, pkgs, err := wit.Load(path, wit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := r.SelectWorld(pkgs, world)
	if err != nil {
		t.Fatal(err)
	}
	files, err := GoHost(r, w, GoOptions{PackageRoot: hostTestRoot})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// hostGoTool runs the go command for the machine's own platform in dir.
func hostGoTool(t testing.TB, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// sameFiles reports the first difference between two generations.
func sameFiles(t testing.TB, a, b map[string][]byte) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("second generation made %d files, first %d", len(b), len(a))
	}
	for name, x := range a {
		if !bytes.Equal(x, b[name]) {
			t.Fatalf("%s differs between two generations", name)
		}
	}
}

// checkHostBindings generates host bindings twice (they must be
// identical), then builds and vets them.
func checkHostBindings(t *testing.T, path, world string) map[string][]byte {
	files := generateHost(t, path, world)
	sameFiles(t, files, generateHost(t, path, world))
	dir := writeModule(t, underRoot(files))
	hostGoTool(t, dir, "vet", "./...")
	return files
}

func TestGoHostKinds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds generated code")
	}
	files := checkHostBindings(t, "testdata/kinds", "kinds")
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
}
