package wasi_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/runtime"
	"github.com/wasmcm/wasmcm/runtime/wasi"
)

// compiled components are shared by the tests of the package: compiling is
// the slow part.
var (
	rtOnce   sync.Once
	rt       *runtime.Runtime
	compMu   sync.Mutex
	compiled = map[string]*runtime.Compiled{}
)

func compile(t testing.TB, path string) *runtime.Compiled {
	t.Helper()
	ctx := context.Background()
	rtOnce.Do(func() {
		var err error
		rt, err = runtime.New(ctx, runtime.Config{CompilationCacheDir: testutil.RepoRoot(t) + "/.cache/wazero"})
		if err != nil {
			panic(err)
		}
	})
	compMu.Lock()
	defer compMu.Unlock()
	if c, ok := compiled[path]; ok {
		return c
	}
	bin, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := rt.Compile(ctx, bin)
	if err != nil {
		t.Fatalf("compile %s: %v", path, err)
	}
	compiled[path] = c
	return c
}

type result struct {
	code           int
	err            error
	stdout, stderr string
}

// run runs a command component with cfg, capturing its output.
func run(t testing.TB, path string, cfg wasi.Config) result {
	t.Helper()
	ctx := context.Background()
	c := compile(t, path)
	var stdout, stderr bytes.Buffer
	if cfg.Stdout == nil {
		cfg.Stdout = &stdout
	}
	if cfg.Stderr == nil {
		cfg.Stderr = &stderr
	}
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
	return result{code, err, stdout.String(), stderr.String()}
}

func TestRustHello(t *testing.T) {
	g := rustGuest(t)
	r := run(t, g.component, wasi.Config{Args: []string{"guest", "hello"}})
	if r.err != nil || r.code != 0 || r.stdout != "hello from rust\n" {
		t.Fatalf("%+v", r)
	}
}

func TestRustArgsAndEnvOnlyAsGiven(t *testing.T) {
	g := rustGuest(t)
	t.Setenv("WASMCM_HOST_SECRET", "host-only")
	r := run(t, g.component, wasi.Config{Args: []string{"guest", "args", "a b", "ü"}})
	if r.err != nil || r.code != 0 || r.stdout != "guest\nargs\na b\nü\n" {
		t.Fatalf("args: %+v", r)
	}
	r = run(t, g.component, wasi.Config{Args: []string{"guest", "env"}, Env: []string{"B=2", "A=1=one"}})
	if r.err != nil || r.stdout != "A=1=one\nB=2\n" {
		t.Fatalf("env: %+v", r)
	}
	// Nothing of the host is visible without InheritEnv, and with it the
	// host's own variable comes through.
	r = run(t, g.component, wasi.Config{Args: []string{"guest", "env"}})
	if r.err != nil || r.stdout != "" {
		t.Fatalf("empty env: %+v", r)
	}
	r = run(t, g.component, wasi.Config{Args: []string{"guest", "env"}, InheritEnv: true})
	if !strings.Contains(r.stdout, "WASMCM_HOST_SECRET=host-only\n") {
		t.Fatalf("inherited env lacks the host variable: %+v", r)
	}
	// No arguments given: the guest sees none (and so runs its default).
	r = run(t, g.component, wasi.Config{})
	if r.err != nil || r.stdout != "hello from rust\n" {
		t.Fatalf("no args: %+v", r)
	}
}

func TestRustStdio(t *testing.T) {
	g := rustGuest(t)
	in := strings.Repeat("line of stdin\n", 10000)
	r := run(t, g.component, wasi.Config{Args: []string{"guest", "cat"}, Stdin: strings.NewReader(in)})
	if r.err != nil || r.stdout != in {
		t.Fatalf("cat: err %v, %d bytes out of %d", r.err, len(r.stdout), len(in))
	}
	// A pipe is read by the host in the background, through pollables.
	pr, pw := io.Pipe()
	go func() {
		for i := 0; i < 100; i++ {
			fmt.Fprintf(pw, "chunk %d\n", i)
		}
		pw.Close()
	}()
	r = run(t, g.component, wasi.Config{Args: []string{"guest", "cat"}, Stdin: pr})
	if r.err != nil || strings.Count(r.stdout, "\n") != 100 || !strings.HasSuffix(r.stdout, "chunk 99\n") {
		t.Fatalf("cat of a pipe: %+v", r)
	}
	r = run(t, g.component, wasi.Config{Args: []string{"guest", "stderr"}})
	if r.err != nil || r.stdout != "to stdout\n" || r.stderr != "to stderr\n" {
		t.Fatalf("stderr: %+v", r)
	}
}

func TestRustExitAndPanic(t *testing.T) {
	g := rustGuest(t)
	// The preview-1 adapter reports every non-zero proc_exit as exit(err),
	// which is code 1 (jco run says 1 as well).
	r := run(t, g.component, wasi.Config{Args: []string{"guest", "exit", "7"}})
	if r.err != nil || r.code != 1 || r.stdout != "before exit" {
		t.Fatalf("exit 7: %+v", r)
	}
	r = run(t, g.component, wasi.Config{Args: []string{"guest", "exit", "0"}})
	if r.err != nil || r.code != 0 {
		t.Fatalf("exit 0: %+v", r)
	}
	r = run(t, g.component, wasi.Config{Args: []string{"guest", "panic"}})
	if r.err == nil || r.code == 0 {
		t.Fatalf("panic did not trap: %+v", r)
	}
	if r.stdout != "partial output" || !strings.Contains(r.stderr, "guest panics on purpose") {
		t.Fatalf("output lost around the panic: %+v", r)
	}
	t.Logf("panic: %v", r.err)
}

func TestRustClocks(t *testing.T) {
	g := rustGuest(t)
	r := run(t, g.component, wasi.Config{Args: []string{"guest", "clocks"}})
	if r.err != nil || r.stdout != "wall-after-2020 true\nslept-enough true\n" {
		t.Fatalf("%+v", r)
	}
}

func TestRustFiles(t *testing.T) {
	g := rustGuest(t)
	dir := t.TempDir()
	r := run(t, g.component, wasi.Config{Args: []string{"guest", "files", "/data"}, Dirs: []wasi.Dir{{Host: dir, Guest: "/data"}}})
	want := "read hello file\nread hello file appended\nlist b.txt,c.txt\nsize 19 file true dir false\nmtime-set true\nlinked bb\nmissing NotFound\ndone\n"
	if r.err != nil || r.stdout != want {
		t.Fatalf("files: %+v", r)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("the guest left %v", ents)
	}
	// A read-only preopen refuses the first write.
	r = run(t, g.component, wasi.Config{Args: []string{"guest", "files", "/data"}, Dirs: []wasi.Dir{{Host: dir, Guest: "/data", ReadOnly: true}}})
	if r.err == nil && r.code == 0 {
		t.Fatalf("files on a read-only preopen: %+v", r)
	}
}

func TestRustSandbox(t *testing.T) {
	g := rustGuest(t)
	top := t.TempDir()
	dir := filepath.Join(top, "pre")
	os.Mkdir(dir, 0o755)
	os.WriteFile(filepath.Join(top, "secret"), []byte("SECRET"), 0o644)
	os.WriteFile(filepath.Join(dir, "ok"), []byte("fine"), 0o644)
	os.Symlink("../secret", filepath.Join(dir, "planted"))
	dirs := []wasi.Dir{{Host: dir, Guest: "/data"}}
	r := run(t, g.component, wasi.Config{Args: []string{"guest", "read", "/data/ok", "/data/../secret", "/data/planted", "/etc/passwd", filepath.Join(top, "secret"), "/secret", "../secret"}, Dirs: dirs})
	if r.err != nil {
		t.Fatal(r.err)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 7 || lines[0] != "/data/ok: ok 4 bytes" {
		t.Fatalf("read: %q", r.stdout)
	}
	for _, l := range lines[1:] {
		if strings.Contains(l, ": ok") || strings.Contains(l, top) && !strings.HasPrefix(l, top) {
			t.Errorf("escape: %s", l)
		}
	}
	t.Logf("sandbox:\n%s", r.stdout)
	// A link the guest makes to the outside can be made, not followed.
	r = run(t, g.component, wasi.Config{Args: []string{"guest", "symlink", "../secret", "/data/evil"}, Dirs: dirs})
	if r.err != nil || !strings.Contains(r.stdout, "read: err") {
		t.Fatalf("guest symlink: %+v", r)
	}
	t.Logf("guest symlink:\n%s", r.stdout)
}
