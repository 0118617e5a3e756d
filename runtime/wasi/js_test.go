package wasi_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/runtime/wasi"
)

// TestJSGuest runs a componentize-js (StarlingMonkey) component: a 12 MB
// guest whose WASI use comes from a JS engine nobody here wrote.
func TestJSGuest(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short: the JS guest takes a minute to build and compile the first time")
	}
	g := jsGuest(t)
	t.Run("hello", func(t *testing.T) {
		r := run(t, g, wasi.Config{Args: []string{"guest", "hello"}})
		if r.err != nil || r.code != 0 || r.stdout != "hello from js\n" {
			t.Fatalf("%+v", r)
		}
	})
	t.Run("args-env", func(t *testing.T) {
		t.Setenv("WASMCM_HOST_SECRET", "host-only")
		r := run(t, g, wasi.Config{Args: []string{"guest", "args", "é x"}})
		if r.err != nil || r.stdout != "guest\nargs\né x\n" {
			t.Fatalf("args: %+v", r)
		}
		r = run(t, g, wasi.Config{Args: []string{"guest", "env"}, Env: []string{"K=v"}})
		if r.err != nil || r.stdout != "K=v\n" {
			t.Fatalf("env: %+v", r)
		}
	})
	t.Run("files", func(t *testing.T) {
		dir := t.TempDir()
		pre := filepath.Join(dir, "pre")
		os.Mkdir(pre, 0o755)
		r := run(t, g, wasi.Config{Args: []string{"guest", "files", "/data"}, Dirs: []wasi.Dir{{Host: pre, Guest: "/data"}}})
		if r.err != nil || r.code != 0 {
			t.Fatalf("%+v", r)
		}
		want := "read written by js eof=true\nsize 13\nescape: not-permitted\n"
		if r.stdout != want {
			t.Fatalf("stdout %q, want %q", r.stdout, want)
		}
		if b, err := os.ReadFile(filepath.Join(pre, "js.txt")); err != nil || string(b) != "written by js" {
			t.Fatalf("file on the host: %q %v", b, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "escape.txt")); err == nil {
			t.Fatal("the guest created a file outside its preopen")
		}
	})
	t.Run("clock-random", func(t *testing.T) {
		r := run(t, g, wasi.Config{Args: []string{"guest", "clock"}})
		if r.err != nil || r.stdout != "after-2020 true\n" {
			t.Fatalf("clock: %+v", r)
		}
		r = run(t, g, wasi.Config{Args: []string{"guest", "random"}})
		if r.err != nil || r.stdout != "random 32 true\n" {
			t.Fatalf("random: %+v", r)
		}
	})
	t.Run("trap", func(t *testing.T) {
		r := run(t, g, wasi.Config{Args: []string{"guest", "no-such-command"}})
		if r.err == nil && r.code == 0 {
			t.Fatalf("an exception in run did not fail: %+v", r)
		}
		if !strings.Contains(r.stderr, "unknown command no-such-command") {
			t.Fatalf("stderr lost: %q", r.stderr)
		}
	})
}
