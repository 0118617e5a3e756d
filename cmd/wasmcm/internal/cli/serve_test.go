package cli

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wasmcm/wasmcm/internal/testutil"
)

// lockedBuffer is a writer the server and the test share.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// helloProxy makes testdata/guests/http/hello.wat a component with the
// command line itself: parse, component embed, component new.
func helloProxy(t *testing.T) string {
	t.Helper()
	wasiDir := testutil.Shared(t, "conformance/wasi/0.2.0")
	src := filepath.Join(testutil.RepoRoot(t), "testdata", "guests", "http")
	dir := t.TempDir()
	wit := filepath.Join(dir, "wit")
	copyFile := func(from, to string) {
		b, err := os.ReadFile(from)
		if err == nil {
			os.MkdirAll(filepath.Dir(to), 0o755)
			err = os.WriteFile(to, b, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	copyFile(filepath.Join(src, "mini.wit"), filepath.Join(wit, "mini.wit"))
	for _, p := range []string{"cli", "io", "clocks", "random", "filesystem", "sockets", "http"} {
		files, _ := filepath.Glob(filepath.Join(wasiDir, p, "*.wit"))
		for _, f := range files {
			copyFile(f, filepath.Join(wit, "deps", p, filepath.Base(f)))
		}
	}
	core, emb, comp := filepath.Join(dir, "hello.wasm"), filepath.Join(dir, "hello.embed.wasm"), filepath.Join(dir, "hello.component.wasm")
	for _, args := range [][]string{
		{"parse", filepath.Join(src, "hello.wat"), "-o", core},
		{"component", "embed", "--world", "mini", wit, core, "-o", emb},
		{"component", "new", emb, "-o", comp},
	} {
		var stderr strings.Builder
		if code := Run(context.Background(), args, IO{Stdout: io.Discard, Stderr: &stderr}); code != 0 {
			t.Fatalf("wasmcm %s: exit %d: %s", strings.Join(args, " "), code, stderr.String())
		}
	}
	return comp
}

// TestServe starts wasmcm serve on a free port, sends it requests and stops
// it as SIGINT would (its context ends): it exits 0.
func TestServe(t *testing.T) {
	comp := helloProxy(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	stderr := &lockedBuffer{}
	exit := make(chan int, 1)
	go func() {
		exit <- Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--prewarm", "1", "--cache-dir", t.TempDir(), comp}, IO{Stdout: io.Discard, Stderr: io.MultiWriter(stderr, pw)})
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	go io.Copy(io.Discard, pr)
	if err != nil || !strings.HasPrefix(line, "Serving HTTP on http://") {
		t.Fatalf("first line %q, %v; stderr: %s", line, err, stderr)
	}
	url := strings.TrimSpace(strings.TrimPrefix(line, "Serving HTTP on "))
	for range 2 {
		resp, err := http.Get(url + "any/path")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "hello from wat\n" || resp.Header.Get("content-type") != "text/plain" {
			t.Fatalf("%d %q %v", resp.StatusCode, b, resp.Header)
		}
	}
	cancel()
	select {
	case code := <-exit:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop after its context ended")
	}
	if _, err := http.Get(url); err == nil {
		t.Fatal("the server still answers after stopping")
	}
}

// TestServeErrors: a component that is not a proxy and a bad address are
// the user's errors, named.
func TestServeErrors(t *testing.T) {
	dir := t.TempDir()
	notProxy := writeWasm(t, "calc.wasm", calcComponent(t))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", notProxy}, "not a wasi:http proxy"},
		{[]string{"serve", filepath.Join(dir, "missing.wasm")}, "no such file"},
		{[]string{"serve", "--addr", "256.0.0.1:1", helloProxy(t)}, "--addr 256.0.0.1:1"},
		{[]string{"serve", "--env", "NOEQUALS", notProxy}, "want KEY=VALUE"},
		{[]string{"serve", "--allow-http", "https://api.example.com", notProxy}, "without a scheme or path"},
	} {
		var stderr strings.Builder
		code := Run(context.Background(), c.args, IO{Stdout: io.Discard, Stderr: &stderr})
		if code != ExitUser || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, stderr.String(), c.want)
		}
	}
}
