package bindgen

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/internal/testutil"
)

// TestGoToolGenerate takes the path of a user whose module adds wasmcm as a
// tool (go get -tool): go generate runs `go tool wasmcm bindgen go`, the
// program builds for wasip1, and `go tool wasmcm` makes it a component and
// runs one of its exports.
func TestGoToolGenerate(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short: builds the CLI and a Go guest")
	}
	goCmd := testutil.GoCommand(t)
	root := testutil.RepoRoot(t)
	dir := t.TempDir()
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"go.mod": "module example.com/app\n\ngo 1.25\n",
		// The checksums of wasmcm's own dependencies: the test runs offline.
		"go.sum": string(sum),
		"wit/app.wit": `package example:app@0.1.0;

world app {
  export greet: func(name: string) -> string;
}
`,
		"main.go": `//go:generate go tool wasmcm bindgen go --world app --out bindings --package-root example.com/app/bindings ./wit

package main

import "example.com/app/bindings/example/app/app"

type impl struct{}

func (impl) Greet(name string) string { return "hello, " + name }

func init() { app.Export(impl{}) }

func main() {}
`,
	}
	for name, s := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod", "GOWORK=off")
	step := func(extraEnv []string, args ...string) string {
		t.Helper()
		cmd := exec.Command(goCmd, args...)
		cmd.Dir = dir
		cmd.Env = append(env, extraEnv...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	step(nil, "mod", "edit", "-require=github.com/wasmcm/wasmcm@v0.0.0", "-replace=github.com/wasmcm/wasmcm="+root)
	step(nil, "get", "-tool", "github.com/wasmcm/wasmcm/cmd/wasmcm")
	if mod, _ := os.ReadFile(filepath.Join(dir, "go.mod")); !strings.Contains(string(mod), "tool github.com/wasmcm/wasmcm/cmd/wasmcm") {
		t.Fatalf("go get -tool left no tool directive:\n%s", mod)
	}
	step(nil, "generate", "./...")
	if _, err := os.Stat(filepath.Join(dir, "bindings", "example", "app", "app", "app.wit.go")); err != nil {
		t.Fatalf("go generate wrote no bindings: %v", err)
	}
	step([]string{"GOOS=wasip1", "GOARCH=wasm"}, "build", "-buildmode=c-shared", "-o", "app.wasm", ".")
	step(nil, "tool", "wasmcm", "component", "embed", "--world", "app", "wit", "app.wasm", "-o", "app.embedded.wasm")
	step(nil, "tool", "wasmcm", "component", "new", "app.embedded.wasm", "-o", "app.component.wasm")
	if got := step(nil, "tool", "wasmcm", "run", "--invoke", `greet("go tool")`, "app.component.wasm"); got != "\"hello, go tool\"\n" {
		t.Errorf("run --invoke printed %q", got)
	}
}
