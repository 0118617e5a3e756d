package runtime_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/preview1"
	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/runtime"
	"github.com/wasmcm/wasmcm/runtime/wasi"
)

// jco's reference preview-1 adapter takes its state with memory.grow; Go's
// sbrk then extends its heap over that page (Go assumes nobody else grows
// memory), so whether a Go program survives the reference adapter depends
// on where its heap puts objects. The example Go reactor that trapped in
// _initialize ("out of bounds memory access", in runtime.throw writing its
// message) traps the same way under wasmtime 49, so the fault is the
// component's, not the runtime's. This test runs Go programs wrapped with
// wasmcm's adapter (which must work) and the reference (logged) on wasmcm
// and, when installed, on wasmtime: the two runtimes must agree on every
// outcome.

// goCommand builds the Go program in file as a wasip1 command.
func goCommand(t *testing.T, file string) []byte {
	src, err := os.ReadFile(file)
	if err != nil {
		t.Skipf("skipped: %v", err)
	}
	key := testutil.GoWasip1Key(t)
	key["main.go"] = src
	out, err := testutil.CachedBuild(t, "gocmd", testutil.HashFiles(key), "main.wasm", func(out string) error {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "main.go"), src, 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module guest\n\ngo 1.25\n"), 0o644); err != nil {
			return err
		}
		abs, _ := filepath.Abs(out)
		cmd := exec.Command(testutil.GoCommand(t), "build", "-o", abs, ".")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0", "GOWORK=off")
		if b, err := cmd.CombinedOutput(); err != nil {
			return errors.New(string(b))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// outcome is how a run ended: its output and "exit N" or "trap".
type outcome struct{ stdout, end string }

func runWasmcm(t *testing.T, comp []byte, args []string) outcome {
	ctx := context.Background()
	rt, err := runtime.New(ctx, runtime.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	c, err := rt.Compile(ctx, comp)
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	l := runtime.NewLinker()
	h, err := wasi.Add(l, wasi.Config{Args: append([]string{"guest"}, args...), Stdout: &stdout, Stderr: &stderr})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	inst, err := c.Instantiate(ctx, l)
	if err != nil {
		if runtime.IsTrap(err) || strings.Contains(err.Error(), "wasm error") {
			return outcome{stdout.String(), "trap"}
		}
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	code, err := wasi.Run(ctx, inst)
	if err != nil {
		t.Logf("wasmcm: %v", err)
		return outcome{stdout.String(), "trap"}
	}
	return outcome{stdout.String(), "exit " + string(rune('0'+code))}
}

func runWasmtime(t *testing.T, wasmtime string, comp []byte, args []string) outcome {
	f := filepath.Join(t.TempDir(), "c.wasm")
	if err := os.WriteFile(f, comp, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(wasmtime, append([]string{"run", f}, args...)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return outcome{stdout.String(), "exit 0"}
	case errors.As(err, &ee) && strings.Contains(stderr.String(), "wasm trap"):
		return outcome{stdout.String(), "trap"}
	case errors.As(err, &ee) && ee.ExitCode() < 10:
		return outcome{stdout.String(), "exit " + string(rune('0'+ee.ExitCode()))}
	}
	t.Fatalf("wasmtime: %v\n%s", err, stderr.String())
	return outcome{}
}

func TestGoHeapGrowthAdapters(t *testing.T) {
	if testing.Short() {
		t.Skip("builds Go guests")
	}
	ref := filepath.Join(testutil.RepoRoot(t), ".cache", "jco", "node_modules", "@bytecodealliance", "jco", "lib", "wasi_snapshot_preview1.command.wasm")
	refAdapter, err := os.ReadFile(ref)
	if err != nil {
		t.Logf("jco's reference adapter is absent (%v): only wasmcm's is run", err)
	}
	wasmtime, _ := exec.LookPath("wasmtime")
	for _, g := range []struct {
		name, file string
		args       []string
		stdout     string
	}{
		// Grows its heap by 48 MiB, writing between growths.
		{"goheap", "testdata/goheap/main.go.txt", nil, "start\nheap ok\n"},
		// internal/preview1's Go guest printing an empty environment.
		{"goguest", "../internal/preview1/testdata/goguest/main.go", []string{"env"}, ""},
	} {
		t.Run(g.name, func(t *testing.T) {
			core := goCommand(t, g.file)
			opts, err := preview1.OptionsFor(core)
			if err != nil {
				t.Fatal(err)
			}
			ours, err := preview1.Generate(opts)
			if err != nil {
				t.Fatal(err)
			}
			adapters := map[string][]byte{"wasmcm": ours}
			if refAdapter != nil {
				adapters["reference"] = refAdapter
			}
			for _, name := range []string{"wasmcm", "reference"} {
				adapter := adapters[name]
				if adapter == nil {
					continue
				}
				comp, err := component.New(core, component.NewOptions{Adapters: map[string][]byte{"wasi_snapshot_preview1": adapter}})
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				got := runWasmcm(t, comp, g.args)
				t.Logf("%s adapter on wasmcm: %s, stdout %q", name, got.end, got.stdout)
				if name == "wasmcm" && (got.end != "exit 0" || got.stdout != g.stdout) {
					t.Errorf("wasmcm's adapter: %s, stdout %q, want exit 0 with %q", got.end, got.stdout, g.stdout)
				}
				if wasmtime == "" {
					continue
				}
				want := runWasmtime(t, wasmtime, comp, g.args)
				t.Logf("%s adapter on wasmtime: %s, stdout %q", name, want.end, want.stdout)
				if got != want {
					t.Errorf("%s adapter: wasmcm %s with %q, wasmtime %s with %q", name, got.end, got.stdout, want.end, want.stdout)
				}
			}
		})
	}
}
