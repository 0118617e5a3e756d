package component_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/runtime"
	"github.com/wasmcm/wasmcm/runtime/wasi"
)

// These tests wrap real preview-1 programs (a Rust wasm32-wasi program built
// with Debian's rustc, a stock Go GOOS=wasip1 program) with New and jco's
// preview-1 command adapter, and run them on this project's runtime and
// WASI host, and where node is present under `jco run` too.

const guestJcoVersion = "1.35.0"

func jcoDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(testutil.RepoRoot(t), ".cache", "jco", "node_modules")
	if _, err := os.Stat(filepath.Join(dir, "@bytecodealliance", "jco", "lib", "wasi_snapshot_preview1.command.wasm")); err != nil {
		t.Skipf("skipped: jco is absent (npm install --prefix .cache/jco @bytecodealliance/jco@%s)", guestJcoVersion)
	}
	return dir
}

func commandAdapter(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(jcoDir(t), "@bytecodealliance", "jco", "lib", "wasi_snapshot_preview1.command.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func guestCache(t testing.TB, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s\n", len(p), p)
	}
	return filepath.Join(testutil.RepoRoot(t), ".cache", "guests", "new-"+hex.EncodeToString(h.Sum(nil))[:16])
}

var (
	buildMu sync.Mutex
	built   = map[string]string{}
)

// buildCore builds a core wasip1 module once (cached under .cache/guests)
// with the command given, which writes to its last argument.
func buildCore(t testing.TB, key string, src string, env []string, name string, args ...string) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	if p, ok := built[key]; ok {
		return p
	}
	code, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	ver, _ := exec.Command(name, "version").CombinedOutput()
	if strings.HasSuffix(name, "rustc") {
		ver, _ = exec.Command(name, "-V").Output()
	}
	dir := guestCache(t, key, string(code), string(ver))
	out := filepath.Join(dir, "core.wasm")
	if _, err := os.Stat(out); err != nil {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(name, append(args, "-o", out+".tmp", src)...)
		cmd.Env = append(os.Environ(), env...)
		cmd.Dir = filepath.Dir(src)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("building %s: %v\n%s", src, err, b)
		}
		if err := os.Rename(out+".tmp", out); err != nil {
			t.Fatal(err)
		}
	}
	built[key] = out
	return out
}

func rustCore(t testing.TB) string {
	t.Helper()
	rustc := ""
	for _, p := range []string{os.Getenv("WASMCM_RUSTC"), "/usr/bin/rustc"} {
		if p == "" {
			continue
		}
		out, err := exec.Command(p, "--print", "sysroot").Output()
		if err != nil {
			continue
		}
		if _, err := os.Stat(filepath.Join(strings.TrimSpace(string(out)), "lib", "rustlib", "wasm32-wasi")); err == nil {
			rustc = p
			break
		}
	}
	if rustc == "" {
		t.Skip("skipped: no rustc with the wasm32-wasi target (apt-get install rustc libstd-rust-dev-wasm32)")
	}
	src := filepath.Join(testutil.RepoRoot(t), "testdata", "guests", "rust", "guest.rs")
	return buildCore(t, "rust", src, []string{"RUSTC_BOOTSTRAP=1"}, rustc,
		"--edition", "2021", "--target", "wasm32-wasi", "-O", "-C", "strip=debuginfo")
}

func goCore(t testing.TB) string {
	t.Helper()
	goBin := filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		if goBin, err = exec.LookPath("go"); err != nil {
			t.Skip("skipped: no go command")
		}
	}
	src, _ := filepath.Abs(filepath.Join("testdata", "new-guests", "go", "main.go"))
	return buildCore(t, "go", src, []string{"GOOS=wasip1", "GOARCH=wasm", "GOFLAGS=", "GO111MODULE=off", "CGO_ENABLED=0"}, goBin,
		"build", "-trimpath")
}

var (
	rtOnce sync.Once
	rt     *runtime.Runtime
	rtErr  error
)

// newComponent wraps a core preview-1 program with the command adapter.
func newComponent(t testing.TB, core string) []byte {
	t.Helper()
	mod, err := os.ReadFile(core)
	if err != nil {
		t.Fatal(err)
	}
	c, err := component.New(mod, component.NewOptions{Adapters: map[string][]byte{"wasi_snapshot_preview1": commandAdapter(t)}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	dc, err := component.Decode(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := component.Validate(dc, component.AllFeatures); err != nil {
		t.Fatalf("the component is not valid: %v", err)
	}
	return c
}

type runResult struct {
	code           int
	err            error
	stdout, stderr string
}

func runComponent(t testing.TB, bin []byte, cfg wasi.Config) runResult {
	t.Helper()
	ctx := context.Background()
	rtOnce.Do(func() {
		rt, rtErr = runtime.New(ctx, runtime.Config{CompilationCacheDir: filepath.Join(testutil.RepoRoot(t), ".cache", "wazero")})
	})
	if rtErr != nil {
		t.Fatal(rtErr)
	}
	c, err := rt.Compile(ctx, bin)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	var stdout, stderr bytes.Buffer
	cfg.Stdout, cfg.Stderr = &stdout, &stderr
	l := runtime.NewLinker()
	h, err := wasi.Add(l, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	inst, err := c.Instantiate(ctx, l)
	if err != nil {
		t.Fatalf("instantiate: %v", err)
	}
	defer inst.Close(ctx)
	code, err := wasi.Run(ctx, inst)
	return runResult{code, err, stdout.String(), stderr.String()}
}

// jcoRun runs a component under `jco run` (node), for comparison.
func jcoRun(t testing.TB, bin []byte, args ...string) (string, int) {
	t.Helper()
	if testing.Short() {
		t.Skip("skipped in -short: jco run takes seconds")
	}
	jco := filepath.Join(jcoDir(t), ".bin", "jco")
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("skipped: node is absent, and jco needs it")
	}
	f := filepath.Join(t.TempDir(), "c.wasm")
	if err := os.WriteFile(f, bin, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	cmd := exec.Command(jco, append([]string{"run", f}, args...)...)
	cmd.Stdout = &stdout
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), code
}

func TestNewRustCommand(t *testing.T) {
	bin := newComponent(t, rustCore(t))
	cases := []struct {
		args []string
		out  string
		code int
	}{
		{[]string{"guest", "hello"}, "hello from rust\n", 0},
		{[]string{"guest", "args", "a b", "ü"}, "guest\nargs\na b\nü\n", 0},
		{[]string{"guest", "exit", "7"}, "before exit", 1},
		{[]string{"guest", "stderr"}, "to stdout\n", 0},
	}
	for _, c := range cases {
		r := runComponent(t, bin, wasi.Config{Args: c.args})
		if r.err != nil || r.code != c.code || r.stdout != c.out {
			t.Errorf("%v: %+v, want %q exit %d", c.args, r, c.out, c.code)
		}
	}
	r := runComponent(t, bin, wasi.Config{Args: []string{"guest", "cat"}, Stdin: strings.NewReader(strings.Repeat("line\n", 5000))})
	if r.err != nil || r.stdout != strings.Repeat("line\n", 5000) {
		t.Errorf("cat: err %v, %d bytes", r.err, len(r.stdout))
	}
	dir := t.TempDir()
	r = runComponent(t, bin, wasi.Config{Args: []string{"guest", "files", "/data"}, Dirs: []wasi.Dir{{Host: dir, Guest: "/data"}}})
	if want := "read hello file\nread hello file appended\nlist b.txt,c.txt\nsize 19 file true dir false\nmtime-set true\nlinked bb\nmissing NotFound\ndone\n"; r.err != nil || r.stdout != want {
		t.Errorf("files: %+v", r)
	}

	out, code := jcoRun(t, bin, "args", "x")
	if out != "/c.wasm\nargs\nx\n" && !strings.HasSuffix(out, "args\nx\n") || code != 0 {
		t.Errorf("jco run: %q exit %d", out, code)
	}
}

func TestNewGoCommand(t *testing.T) {
	bin := newComponent(t, goCore(t))
	r := runComponent(t, bin, wasi.Config{Args: []string{"guest", "a", "b"}, Env: []string{"K=v"}, Stdin: strings.NewReader("in put")})
	want := "hello from go\nargs [guest a b]\nenv K=v\nstdin \"in put\"\n"
	if r.err != nil || r.code != 0 || r.stdout != want || r.stderr != "to stderr\n" {
		t.Errorf("%+v, want %q", r, want)
	}
	r = runComponent(t, bin, wasi.Config{Args: []string{"guest", "exit"}})
	if r.err != nil || r.code != 1 {
		t.Errorf("exit: %+v", r)
	}
	out, code := jcoRun(t, bin, "a", "b")
	if !strings.HasPrefix(out, "hello from go\nargs [") || !strings.Contains(out, " a b]\n") || code != 0 {
		t.Errorf("jco run: %q exit %d", out, code)
	}
}
