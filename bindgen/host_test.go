package bindgen

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/internal/testutil"
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
	testutil.Conformance(t, "bindgen-go-host-kinds", 1, 1)
}

// hostCase is one world to generate host bindings for.
type hostCase struct {
	name  string
	r     *wit.Resolve
	world wit.WorldID
}

// expressible reports whether a Go host can express world w: no async
// functions, futures, streams or error contexts.
func expressible(r *wit.Resolve, w wit.WorldID) bool {
	var funcs []*wit.Function
	for _, items := range [][]wit.WorldItem{r.Worlds[w].Imports, r.Worlds[w].Exports} {
		for _, it := range items {
			switch it.Kind {
			case wit.WorldItemFunction:
				funcs = append(funcs, it.Function)
			case wit.WorldItemInterface:
				funcs = append(funcs, r.Interfaces[it.Interface].Functions...)
			}
		}
	}
	seen := map[wit.Type]bool{}
	var ok func(t wit.Type) bool
	ok = func(t wit.Type) bool {
		if t == wit.ErrorContext {
			return false
		}
		td := r.TypeDef(t)
		if td == nil || seen[t] {
			return true
		}
		seen[t] = true
		if td.Kind == wit.KindFuture || td.Kind == wit.KindStream {
			return false
		}
		for _, e := range descElems(r, td) {
			if !ok(e) {
				return false
			}
		}
		return true
	}
	for _, f := range funcs {
		if f.Kind.IsAsync() {
			return false
		}
		for _, p := range f.Params {
			if !ok(p.Type) {
				return false
			}
		}
		if !ok(f.Result) {
			return false
		}
	}
	return true
}

// runHostCases generates each case's bindings twice (the same bytes), then
// builds and vets them all in one module, and returns how many pass.
func runHostCases(t *testing.T, cases []hostCase) int {
	all := map[string][]byte{}
	var okCases []string
	for i, c := range cases {
		root := hostTestRoot + "/c" + itoa(i)
		gen := func() (map[string][]byte, error) { return GoHost(c.r, c.world, GoOptions{PackageRoot: root}) }
		a, err := gen()
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		b, _ := gen()
		if len(a) != len(b) {
			t.Errorf("%s: generations differ", c.name)
			continue
		}
		same := true
		for n, x := range a {
			if !bytes.Equal(x, b[n]) {
				same = false
			}
		}
		if !same {
			t.Errorf("%s: generations differ", c.name)
			continue
		}
		for n, x := range a {
			all["bindings/c"+itoa(i)+"/"+n] = x
		}
		okCases = append(okCases, "./bindings/c"+itoa(i)+"/...")
	}
	dir := writeModule(t, all)
	cmd := exec.Command("go", append([]string{"vet"}, okCases...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err == nil {
		return len(okCases)
	}
	// Find the failing cases one by one.
	passed := 0
	for _, c := range okCases {
		cmd := exec.Command("go", "vet", c)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("go vet %s: %v\n%s", c, err, out)
			continue
		}
		passed++
	}
	_ = out
	return passed
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestGoHostWASI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds generated code")
	}
	var cases []hostCase
	for _, pkg := range []string{"cli", "clocks", "filesystem", "http", "io", "random", "sockets"} {
		dir := materializeWASI(t, testutil.Shared(t, "conformance/wasi/0.2.12/"+pkg))
		r, pkgs, err := wit.Load(dir, wit.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, pid := range pkgs {
			for _, w := range r.Packages[pid].Worlds {
				cases = append(cases, hostCase{name: "wasi:" + pkg + "/" + w.Name, r: r, world: w.ID})
			}
		}
	}
	passed := runHostCases(t, cases)
	testutil.Conformance(t, "bindgen-go-host-wasi-0.2.12", passed, len(cases))
}

func TestGoHostParserUI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds generated code")
	}
	root := testutil.Shared(t, "conformance/wit-parser-ui")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var cases []hostCase
	inexpressible := 0
	for _, e := range entries {
		n := e.Name()
		if n == "parse-fail" || strings.HasSuffix(n, ".json") || strings.HasSuffix(n, ".result") {
			continue
		}
		if !e.IsDir() && !strings.HasSuffix(n, ".wit") {
			continue
		}
		r, pkgs, err := wit.Load(filepath.Join(root, n), wit.Options{Features: []string{"active"}})
		if err != nil {
			continue // not this package's concern: the parser's tests judge it
		}
		for _, pid := range pkgs {
			for _, w := range r.Packages[pid].Worlds {
				if !expressible(r, w.ID) {
					inexpressible++
					continue
				}
				cases = append(cases, hostCase{name: n + ":" + w.Name, r: r, world: w.ID})
			}
		}
	}
	passed := runHostCases(t, cases)
	t.Logf("%d worlds use async functions, futures, streams or error contexts, which Go host bindings do not express", inexpressible)
	testutil.Conformance(t, "bindgen-go-host-wit-parser-ui", passed, len(cases))
}
