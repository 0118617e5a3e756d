package preview1_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/preview1"
	"github.com/wasmcm/wasmcm/internal/testutil"
	wrt "github.com/wasmcm/wasmcm/runtime"
	"github.com/wasmcm/wasmcm/runtime/wasi"
)

// The guests are built by tools nobody here wrote (the Go toolchain for
// wasip1, Debian's rustc for wasm32-wasi) and cached under .cache/guests,
// keyed by a hash of the source and the tool's version.

const jcoVersion = "1.35.0"

func cached(t testing.TB, name string, key []string, build func(out string) error) []byte {
	t.Helper()
	h := sha256.New()
	for _, k := range key {
		fmt.Fprintf(h, "%d:%s\n", len(k), k)
	}
	dir := filepath.Join(testutil.RepoRoot(t), ".cache", "guests", hex.EncodeToString(h.Sum(nil))[:16])
	out := filepath.Join(dir, name)
	if b, err := os.ReadFile(out); err == nil {
		return b
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := build(out + ".tmp"); err != nil {
		t.Fatalf("building %s: %v", name, err)
	}
	// Renamed last, so that a cut-short build is never taken as cached.
	if err := os.Rename(out+".tmp", out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// goGuest builds testdata/<dir> with GOOS=wasip1 GOARCH=wasm.
func goGuest(t testing.TB, dir string, buildmode string) []byte {
	t.Helper()
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(gobin); err != nil {
		t.Skip("skipped: no go toolchain to build a wasip1 guest")
	}
	src := filepath.Join("testdata", dir, "main.go")
	code, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(src)
	return cached(t, dir+".wasm", []string{"go-wasip1", string(code), runtime.Version(), buildmode}, func(out string) error {
		args := []string{"build", "-o", out}
		if buildmode != "" {
			args = append(args, "-buildmode="+buildmode)
		}
		cmd := exec.Command(gobin, append(args, abs)...)
		cmd.Dir = filepath.Dir(abs)
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
		if b, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%v\n%s", err, b)
		}
		return nil
	})
}

// rustGuest builds the runtime's Rust test guest (testdata/guests/rust at
// the repository root) with Debian's rustc.
func rustGuest(t testing.TB) []byte {
	t.Helper()
	var rustc string
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
	code, err := os.ReadFile(src)
	if err != nil {
		t.Skipf("skipped: the Rust guest is absent: %v", err)
	}
	ver, _ := exec.Command(rustc, "-V").Output()
	return cached(t, "guest.wasm", []string{"rust", string(code), string(ver)}, func(out string) error {
		cmd := exec.Command(rustc, "--edition", "2021", "--target", "wasm32-wasi", "-O", "-C", "strip=debuginfo", "-o", out, src)
		cmd.Env = append(os.Environ(), "RUSTC_BOOTSTRAP=1")
		if b, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%v\n%s", err, b)
		}
		return nil
	})
}

// jcoDir is jco's package directory, for its reference adapters and `jco run`.
func jcoDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(testutil.RepoRoot(t), ".cache", "jco", "node_modules", "@bytecodealliance", "jco")
	if _, err := os.Stat(filepath.Join(dir, "lib", "wasi_snapshot_preview1.command.wasm")); err != nil {
		t.Skipf("skipped: jco is absent (npm install --prefix .cache/jco @bytecodealliance/jco@%s)", jcoVersion)
	}
	return dir
}

func referenceAdapter(t testing.TB, f preview1.Flavor) []byte {
	b, err := os.ReadFile(filepath.Join(jcoDir(t), "lib", "wasi_snapshot_preview1."+f.String()+".wasm"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wrap makes core a component with the given adapter, or wasmcm's own
// when adapter is nil.
func wrap(t testing.TB, core, adapter []byte) []byte {
	t.Helper()
	if adapter == nil {
		o, err := preview1.OptionsFor(core)
		if err != nil {
			t.Fatal(err)
		}
		if adapter, err = preview1.Generate(o); err != nil {
			t.Fatal(err)
		}
	}
	c, err := component.New(core, component.NewOptions{Adapters: map[string][]byte{"wasi_snapshot_preview1": adapter}})
	if err != nil {
		t.Fatalf("component new: %v", err)
	}
	return c
}

var (
	rtOnce sync.Once
	rt     *wrt.Runtime
	rtErr  error
	compMu sync.Mutex
	comps  = map[[32]byte]*wrt.Compiled{}
)

func compile(t testing.TB, comp []byte) *wrt.Compiled {
	t.Helper()
	rtOnce.Do(func() {
		rt, rtErr = wrt.New(context.Background(), wrt.Config{CompilationCacheDir: filepath.Join(testutil.RepoRoot(t), ".cache", "wazero")})
	})
	if rtErr != nil {
		t.Fatal(rtErr)
	}
	compMu.Lock()
	defer compMu.Unlock()
	k := sha256.Sum256(comp)
	if c, ok := comps[k]; ok {
		return c
	}
	c, err := rt.Compile(context.Background(), comp)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	comps[k] = c
	return c
}

type result struct {
	code           int
	err            error
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("code %d, err %v\nstdout %q\nstderr %q", r.code, r.err, trunc(r.stdout), trunc(r.stderr))
}

func trunc(s string) string {
	if len(s) > 600 {
		return s[:600] + "..."
	}
	return s
}

// run runs a command component on the runtime and its WASI host.
func run(t testing.TB, comp []byte, cfg wasi.Config) result {
	t.Helper()
	ctx := context.Background()
	c := compile(t, comp)
	var stdout, stderr bytes.Buffer
	cfg.Stdout, cfg.Stderr = &stdout, &stderr
	l := wrt.NewLinker()
	h, err := wasi.Add(l, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	inst, err := c.Instantiate(ctx, l)
	if err != nil {
		return result{code: -1, err: err, stdout: stdout.String(), stderr: stderr.String()}
	}
	defer inst.Close(ctx)
	code, err := wasi.Run(ctx, inst)
	return result{code, err, stdout.String(), stderr.String()}
}

// A case runs a guest with arguments (after the program name), stdin,
// environment and a fresh preopened /data.
type gcase struct {
	name  string
	args  []string
	stdin string
	env   []string
	// what the guest must print and exit with, when known in advance
	stdout, stderr string
	code           int
	exact          bool // stderr and code are checked too
}

func (c gcase) config(t testing.TB) wasi.Config {
	cfg := wasi.Config{Args: append([]string{"guest"}, c.args...), Env: c.env, Stdin: strings.NewReader(c.stdin)}
	if len(c.args) > 1 && c.args[1] == "/data" {
		cfg.Dirs = []wasi.Dir{{Host: t.TempDir(), Guest: "/data"}}
	}
	return cfg
}

var goCases = []gcase{
	{name: "hello", stdout: "hello from go\n", exact: true},
	{name: "args", args: []string{"args", "a b", "ü"}, stdout: "guest\nargs\na b\nü\n", exact: true},
	{name: "env", args: []string{"env"}, env: []string{"B=2", "A=1=one", "EMPTY="}, stdout: "A=1=one\nB=2\nEMPTY=\n", exact: true},
	{name: "no-env", args: []string{"env"}, stdout: "", exact: true},
	{name: "cat", args: []string{"cat"}, stdin: strings.Repeat("line of stdin\n", 20000), stdout: strings.Repeat("line of stdin\n", 20000), stderr: "copied 280000 <nil>\n", exact: true},
	{name: "stderr", args: []string{"stderr"}, stdout: "to stdout\n", stderr: "to stderr\n", exact: true},
	{name: "exit0", args: []string{"exit", "0"}, stdout: "before exit", code: 0, exact: true},
	// WASI 0.2 (without the unstable exit-with-code) has only failure.
	{name: "exit3", args: []string{"exit", "3"}, stdout: "before exit", code: 1, exact: true},
	{name: "clocks", args: []string{"clocks"}, stdout: "wall-after-2020 true\nslept-enough true\ntimer fired\n", exact: true},
	{name: "random", args: []string{"random"}, stdout: "random ok true\n", exact: true},
	{name: "files", args: []string{"files", "/data"}, stdout: "read hello file\nread hello file appended\nseek 6 file 19 size 8\nnow HELLO fi\nlist b.txt,c.txt\n" +
		"many 150 file-with-a-longish-name-000 file-with-a-longish-name-149\ndir true size b 2 mtime-recent true\nold name gone true\n" +
		"link renamed.txt bb\nmtime 1000000000\nmissing true\nremove non-empty fails true\ndone\n", exact: true},
	{name: "alloc", args: []string{"alloc"}, stdout: "alloc 32640 256\nstill printing guest\n", exact: true},
}

func check(t *testing.T, c gcase, r result) {
	t.Helper()
	if r.stdout != c.stdout || (c.exact && (r.stderr != c.stderr || r.code != c.code || r.err != nil)) {
		t.Errorf("%s: got %v\nwant stdout %q stderr %q code %d", c.name, r, trunc(c.stdout), c.stderr, c.code)
	}
}

// TestGoGuest runs a stock Go wasip1 program made a component with
// wasmcm's own adapter on the runtime and its WASI host.
func TestGoGuest(t *testing.T) {
	comp := wrap(t, goGuest(t, "goguest", ""), nil)
	for _, c := range goCases {
		t.Run(c.name, func(t *testing.T) { check(t, c, run(t, comp, c.config(t))) })
	}
	t.Run("panic", func(t *testing.T) {
		r := run(t, comp, wasi.Config{Args: []string{"guest", "panic"}})
		if r.code == 0 || r.stdout != "partial output" || !strings.Contains(r.stderr, "guest panics on purpose") {
			t.Fatalf("%v", r)
		}
	})
	t.Run("read-only", func(t *testing.T) {
		// Writes into a read-only preopen fail with a preview-1 errno the
		// Go program reports as an error.
		r := run(t, comp, wasi.Config{Args: []string{"guest", "files", "/data"}, Dirs: []wasi.Dir{{Host: t.TempDir(), Guest: "/data", ReadOnly: true}}})
		if r.code != 1 || !strings.HasPrefix(r.stdout, "write error: open /data/a.txt: Read-only file system") {
			t.Fatalf("%v", r)
		}
	})
}

// TestGoGuestSameAsReference runs the Go guest with jco's reference adapter
// too. The reference takes its state with memory.grow, where Go's heap
// grows next (Go's sbrk assumes nobody else grows memory), so with this
// guest it fails its own assertions, under wasmtime as well; every case it
// survives must print the same as ours.
func TestGoGuestSameAsReference(t *testing.T) {
	core := goGuest(t, "goguest", "")
	ours, ref := wrap(t, core, nil), wrap(t, core, referenceAdapter(t, preview1.Command))
	survived := 0
	for _, c := range goCases {
		t.Run(c.name, func(t *testing.T) {
			a, b := run(t, ours, c.config(t)), run(t, ref, c.config(t))
			if b.err != nil && a.err == nil {
				t.Logf("the reference adapter fails: %v", b.err)
				return
			}
			survived++
			if a.stdout != b.stdout || a.stderr != b.stderr || a.code != b.code {
				t.Errorf("ours:\n%v\nreference:\n%v", a, b)
			}
		})
	}
	t.Logf("the reference adapter survived %d of %d cases", survived, len(goCases))
}

// rustCases are commands of the runtime's Rust guest.
var rustCases = []gcase{
	{name: "hello"},
	{name: "args", args: []string{"args", "a b", "ü"}},
	{name: "env", args: []string{"env"}, env: []string{"B=2", "A=1=one"}},
	{name: "cat", args: []string{"cat"}, stdin: strings.Repeat("line of stdin\n", 10000)},
	{name: "stderr", args: []string{"stderr"}},
	{name: "exit7", args: []string{"exit", "7"}},
	{name: "panic", args: []string{"panic"}},
	{name: "clocks", args: []string{"clocks"}},
	{name: "files", args: []string{"files", "/data"}},
}

// TestRustGuestSameAsReference runs a Rust wasm32-wasi program with
// wasmcm's adapter and with jco's: output and exit codes must agree.
func TestRustGuestSameAsReference(t *testing.T) {
	core := rustGuest(t)
	ours, ref := wrap(t, core, nil), wrap(t, core, referenceAdapter(t, preview1.Command))
	for _, c := range rustCases {
		t.Run(c.name, func(t *testing.T) {
			a, b := run(t, ours, c.config(t)), run(t, ref, c.config(t))
			if a.stdout != b.stdout || a.stderr != b.stderr || a.code != b.code || (a.err == nil) != (b.err == nil) {
				t.Errorf("ours:\n%v\nreference:\n%v", a, b)
			}
			if c.name == "hello" && a.stdout != "hello from rust\n" {
				t.Errorf("hello: %v", a)
			}
		})
	}
}

// TestGoReactor instantiates a Go reactor made a component with the
// reactor adapter: its initialisation uses the adapter.
func TestGoReactor(t *testing.T) {
	core := goGuest(t, "goreactor", "c-shared")
	o, err := preview1.OptionsFor(core)
	if err != nil || o.Flavor != preview1.Reactor {
		t.Fatalf("OptionsFor: %+v, %v", o, err)
	}
	r := run(t, wrap(t, core, nil), wasi.Config{Args: []string{"r", "x"}, Env: []string{"GREETING=hi"}})
	// wasi.Run of a reactor has nothing to run; instantiation did the work.
	if !strings.HasPrefix(r.stdout, "reactor initialised with 2 args, hi true\n") {
		t.Fatalf("%v", r)
	}
}

// TestSameAsJcoRun runs components made with wasmcm's adapter under
// `jco run` (node's WASI host) and compares with the runtime.
func TestSameAsJcoRun(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short: jco run takes seconds per case")
	}
	jco := filepath.Join(testutil.RepoRoot(t), ".cache", "jco", "node_modules", ".bin", "jco")
	jcoDir(t)
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("skipped: node is absent, and jco needs it")
	}
	tmp := t.TempDir()
	for _, g := range []struct {
		name string
		core func(testing.TB) []byte
		args []string
	}{
		{"go", func(t testing.TB) []byte { return goGuest(t, "goguest", "") }, []string{"stderr"}},
		{"go-alloc", func(t testing.TB) []byte { return goGuest(t, "goguest", "") }, []string{"alloc"}},
		{"rust", rustGuest, []string{"args", "x"}},
	} {
		t.Run(g.name, func(t *testing.T) {
			comp := wrap(t, g.core(t), nil)
			path := filepath.Join(tmp, g.name+".wasm")
			if err := os.WriteFile(path, comp, 0o644); err != nil {
				t.Fatal(err)
			}
			var jout, jerr bytes.Buffer
			cmd := exec.Command(jco, append([]string{"run", path}, g.args...)...)
			cmd.Stdout, cmd.Stderr = &jout, &jerr
			if err := cmd.Run(); err != nil {
				t.Fatalf("jco run: %v\n%s", err, jerr.String())
			}
			// jco names the program after the file, without its extension.
			r := run(t, comp, wasi.Config{Args: append([]string{g.name}, g.args...)})
			if r.stdout != jout.String() || r.code != 0 {
				t.Errorf("ours:\n%v\njco run: %q %q", r, jout.String(), jerr.String())
			}
		})
	}
}
