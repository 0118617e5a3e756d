package wasi_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/runtime"
	"github.com/wasmcm/wasmcm/runtime/wasi"
)

var (
	httpOnce sync.Once
	httpOut  string
	httpErr  error
)

// httpGuest builds (or finds cached) testdata/guests/http/guest.js: a
// wasi:http proxy made by componentize-js with its fetch event, whose
// world is wasi:http/proxy@0.2.10 taken from the conformance corpus.
func httpGuest(t testing.TB) string {
	t.Helper()
	testutil.ComponentizeJS(t)
	wasiDir := testutil.Shared(t, "conformance/wasi/0.2.10")
	httpOnce.Do(func() {
		src := filepath.Join(testutil.RepoRoot(t), "testdata", "guests", "http")
		key := testutil.BuildJSScriptFiles(t)
		for _, f := range []string{"guest.js", "world.wit", "build.mjs"} {
			b, err := os.ReadFile(filepath.Join(src, f))
			if err != nil {
				httpErr = err
				return
			}
			key["http/"+f] = b
		}
		httpOut, httpErr = testutil.CachedBuild(t, "http", testutil.HashFiles(key), "guest.component.wasm", func(out string) error {
			wit := httpWIT(t, src, wasiDir)
			mod, _ := testutil.ComponentizeJS(t)
			return runNode(filepath.Join(src, "build.mjs"), mod, filepath.Join(src, "guest.js"), wit, out)
		})
	})
	if httpErr != nil {
		t.Fatalf("building the http guest: %v", httpErr)
	}
	return httpOut
}

// httpWIT puts the guest's world and the WASI packages it uses (wasi:http
// and its deps) in a temporary folder for componentize-js.
func httpWIT(t testing.TB, src, wasiDir string) string {
	out := t.TempDir()
	cp := func(from, to string) {
		files, _ := filepath.Glob(filepath.Join(from, "*.wit"))
		if len(files) == 0 {
			t.Fatalf("no .wit files in %s", from)
		}
		os.MkdirAll(to, 0o755)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err == nil {
				err = os.WriteFile(filepath.Join(to, filepath.Base(f)), b, 0o644)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	b, err := os.ReadFile(filepath.Join(src, "world.wit"))
	if err == nil {
		err = os.WriteFile(filepath.Join(out, "world.wit"), b, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"cli", "io", "clocks", "random", "filesystem", "sockets", "http"} {
		cp(filepath.Join(wasiDir, p), filepath.Join(out, "deps", p))
	}
	return out
}

// proxyServer serves the guest with wasmcm's handler through httptest.
func proxyServer(t testing.TB, cfg wasi.Config, tweak func(*wasi.HTTPHandler)) (*httptest.Server, *syncBuffer) {
	t.Helper()
	c := compile(t, httpGuest(t))
	h, err := wasi.NewHTTPHandler(c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	logBuf := &syncBuffer{}
	h.ErrorLog = log.New(logBuf, "", 0)
	if tweak != nil {
		tweak(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, logBuf
}

type syncBuffer struct {
	mu sync.Mutex
	bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Buffer.Write(p)
}

type httpResult struct {
	status int
	header http.Header
	body   string
	err    error
}

func do(t testing.TB, method, url string, body io.Reader, hdr map[string]string) httpResult {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return httpResult{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return httpResult{resp.StatusCode, resp.Header, string(b), err}
}

// TestHTTPProxy serves a componentize-js proxy through wasmcm's
// HTTPHandler: routes, headers, a body echoed and an 8 MiB body streamed
// both ways, and outgoing requests allowed and denied.
func TestHTTPProxy(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short: the JS guest takes a minute to build and compile the first time")
	}
	upstream := httptest.NewServer(upstreamHandler())
	defer upstream.Close()
	upHost := strings.TrimPrefix(upstream.URL, "http://")
	srv, logs := proxyServer(t, wasi.Config{AllowedHTTPHosts: []string{upHost}}, nil)

	t.Run("hello", func(t *testing.T) {
		r := do(t, "GET", srv.URL+"/hello", nil, nil)
		if r.err != nil || r.status != 200 || r.body != "hello from js\n" || r.header.Get("x-guest") != "js" || r.header.Get("content-type") != "text/plain" {
			t.Fatalf("%+v\nlog: %s", r, logs)
		}
	})
	t.Run("status", func(t *testing.T) {
		for _, s := range []int{201, 204, 404, 418, 503} {
			r := do(t, "GET", fmt.Sprintf("%s/status/%d", srv.URL, s), nil, nil)
			if r.err != nil || r.status != s {
				t.Fatalf("status %d: %+v", s, r)
			}
		}
	})
	t.Run("headers", func(t *testing.T) {
		r := do(t, "GET", srv.URL+"/headers", nil, map[string]string{"X-One": "1", "x-two": "zwei", "Connection": "keep-alive"})
		if r.err != nil || r.status != 200 || r.body != "x-one=1\nx-two=zwei\n" || r.header.Get("x-multi") != "a, b" {
			t.Fatalf("%+v", r)
		}
	})
	t.Run("echo", func(t *testing.T) {
		r := do(t, "POST", srv.URL+"/echo", strings.NewReader("body é"), map[string]string{"content-type": "text/x-test", "x-test": "yo"})
		if r.err != nil || r.status != 200 || r.body != "body é" || r.header.Get("x-method") != "POST" ||
			r.header.Get("content-type") != "text/x-test" || r.header.Get("x-test-echo") != "yo" {
			t.Fatalf("%+v", r)
		}
	})
	big := make([]byte, 8<<20)
	for i := range big {
		big[i] = byte(i*7 + i>>13)
	}
	t.Run("echo-8MiB", func(t *testing.T) {
		// Streamed: no declared length, so neither side can buffer it whole
		// by the header.
		r := do(t, "POST", srv.URL+"/echo", io.MultiReader(bytes.NewReader(big)), nil)
		if r.err != nil || r.status != 200 || len(r.body) != len(big) || sha256.Sum256([]byte(r.body)) != sha256.Sum256(big) {
			t.Fatalf("status %d, %d bytes back of %d, err %v", r.status, len(r.body), len(big), r.err)
		}
	})
	t.Run("large-response", func(t *testing.T) {
		r := do(t, "GET", srv.URL+fmt.Sprintf("/large?n=%d", 8<<20), nil, nil)
		if r.err != nil || r.status != 200 || len(r.body) != 8<<20 || r.body[:3] != "abc" || r.body[len(r.body)-1] != 'a'+byte((8<<20-1)%(64<<10)%26) {
			t.Fatalf("status %d, %d bytes, err %v", r.status, len(r.body), r.err)
		}
	})
	t.Run("fetch-allowed", func(t *testing.T) {
		r := do(t, "GET", srv.URL+"/fetch?url="+upstream.URL+"/up", nil, nil)
		if r.err != nil || r.status != 200 || r.body != "upstream 200 GET /up" || r.header.Get("x-upstream") != "yes:guest" {
			t.Fatalf("%+v\nlog: %s", r, logs)
		}
	})
	t.Run("forward-2MiB", func(t *testing.T) {
		// The guest posts the body to the upstream, which answers with its
		// length and hash, streamed back through the guest.
		r := do(t, "POST", srv.URL+"/forward?url="+upstream.URL+"/sum", bytes.NewReader(big[:2<<20]), nil)
		want := fmt.Sprintf("POST %d %x", 2<<20, sha256.Sum256(big[:2<<20]))
		if r.err != nil || r.status != 200 || r.body != want || r.header.Get("x-upstream") != "yes:" {
			t.Fatalf("%+v\nwant body %q\nlog: %s", r, want, logs)
		}
	})
	t.Run("fetch-denied", func(t *testing.T) {
		other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			t.Error("a denied request reached the server")
		}))
		defer other.Close()
		r := do(t, "GET", srv.URL+"/fetch?url="+other.URL+"/up", nil, nil)
		if r.err != nil || r.status != 502 || !strings.Contains(r.body, "fetch failed") {
			t.Fatalf("%+v", r)
		}
	})
	t.Run("fresh-instances", func(t *testing.T) {
		for range 3 {
			if r := do(t, "GET", srv.URL+"/counter", nil, nil); r.err != nil || r.body != "counter 1\n" {
				t.Fatalf("%+v", r)
			}
		}
	})
	t.Run("throw", func(t *testing.T) {
		r := do(t, "GET", srv.URL+"/throw", nil, nil)
		if r.err != nil || r.status != 500 {
			t.Fatalf("%+v\nlog: %s", r, logs)
		}
	})
}

// upstreamHandler is the server the guest's outgoing requests go to: it
// tells what it received.
func upstreamHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-upstream", "yes:"+r.Header.Get("x-from"))
		if r.URL.Path == "/sum" {
			b, _ := io.ReadAll(r.Body)
			fmt.Fprintf(w, "%s %d %x", r.Method, len(b), sha256.Sum256(b))
			return
		}
		fmt.Fprintf(w, "%s %s", r.Method, r.URL.Path)
	})
}

// runNode runs a node script, for builds.
func runNode(script string, args ...string) error {
	cmd := exec.Command("node", append([]string{script}, args...)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("node %s: %v\n%s", filepath.Base(script), err, b)
	}
	return nil
}

// miniServer serves the hand-written proxy of mode.
func miniServer(t *testing.T, mode string, cfg wasi.Config) (*httptest.Server, *syncBuffer) {
	t.Helper()
	c := compile(t, miniProxy(t, mode))
	h, err := wasi.NewHTTPHandler(c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	h.ErrorLog = log.New(logs, "", 0)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, logs
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Buffer.String()
}

// TestHTTPMiniProxies serves hand-written wasi:http 0.2.0 proxies: a hello
// world, the header-errors of invalid, forbidden and immutable fields, and
// the bad guests: one that never sets the response and one that traps in
// the middle of its body.
func TestHTTPMiniProxies(t *testing.T) {
	t.Run("hello", func(t *testing.T) {
		srv, logs := miniServer(t, "hello", wasi.Config{})
		for range 3 { // a fresh instance each time
			r := do(t, "GET", srv.URL+"/", nil, nil)
			if r.err != nil || r.status != 200 || r.body != "hello from wat\n" || r.header.Get("content-type") != "text/plain" {
				t.Fatalf("%+v\nlog: %s", r, logs)
			}
		}
	})
	t.Run("header-errors", func(t *testing.T) {
		srv, logs := miniServer(t, "headers", wasi.Config{})
		r := do(t, "GET", srv.URL+"/", nil, nil)
		// invalid-syntax (name), invalid-syntax (value), forbidden, immutable.
		if r.err != nil || r.status != 200 || r.body != "1123" || r.header.Get("connection") == "text/plain" {
			t.Fatalf("%+v\nlog: %s", r, logs)
		}
	})
	t.Run("no-response", func(t *testing.T) {
		srv, logs := miniServer(t, "noresponse", wasi.Config{})
		r := do(t, "GET", srv.URL+"/x", nil, nil)
		if r.err != nil || r.status != 500 {
			t.Fatalf("%+v", r)
		}
		if want := "GET /x: the guest returned from wasi:http/incoming-handler.handle without setting the response-outparam"; !strings.Contains(logs.String(), want) {
			t.Fatalf("log %q lacks %q", logs, want)
		}
	})
	t.Run("invalid-request-header", func(t *testing.T) {
		// A client's malformed header never reaches the guest: net/http
		// answers 400 itself.
		srv, _ := miniServer(t, "hello", wasi.Config{})
		conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n")
		line, _ := bufio.NewReader(conn).ReadString('\n')
		if !strings.HasPrefix(line, "HTTP/1.1 400") {
			t.Fatalf("status line %q", line)
		}
	})
	t.Run("informational-status", func(t *testing.T) {
		srv, logs := miniServer(t, "informational", wasi.Config{})
		r := do(t, "GET", srv.URL+"/", nil, nil)
		if r.err != nil || r.status != 500 || !strings.Contains(logs.String(), "informational status 103") {
			t.Fatalf("%+v\nlog: %s", r, logs)
		}
	})
	t.Run("trap-mid-body", func(t *testing.T) {
		srv, logs := miniServer(t, "trap", wasi.Config{})
		// Twice: the host the first guest left its objects in serves the
		// second afresh.
		for range 2 {
			resp, err := http.Get(srv.URL + "/")
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			// The status was out before the trap: the client learns of the
			// failure by a body cut short, never a clean end.
			if resp.StatusCode != 200 || err == nil || !strings.HasPrefix("partial", string(b)) {
				t.Fatalf("status %d, body %q, err %v", resp.StatusCode, b, err)
			}
		}
		if want := "the guest failed while sending the body"; !strings.Contains(logs.String(), want) || !strings.Contains(logs.String(), "unreachable") {
			t.Fatalf("log %q lacks %q and the trap", logs, want)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		// A guest that never returns is stopped at the handler's timeout
		// when the runtime stops guests whose context ends.
		ctx := context.Background()
		r, err := runtime.New(ctx, runtime.Config{CloseOnContextDone: true})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close(ctx)
		bin, err := os.ReadFile(miniProxy(t, "spin"))
		if err != nil {
			t.Fatal(err)
		}
		c, err := r.Compile(ctx, bin)
		if err != nil {
			t.Fatal(err)
		}
		h, err := wasi.NewHTTPHandler(c, wasi.Config{})
		if err != nil {
			t.Fatal(err)
		}
		logs := &syncBuffer{}
		h.ErrorLog, h.Timeout = log.New(logs, "", 0), 200*time.Millisecond
		srv := httptest.NewServer(h)
		defer srv.Close()
		start := time.Now()
		res := do(t, "GET", srv.URL+"/", nil, nil)
		if res.err != nil || res.status != 500 || time.Since(start) > 10*time.Second {
			t.Fatalf("%+v after %v", res, time.Since(start))
		}
		if !strings.Contains(logs.String(), "deadline exceeded") {
			t.Fatalf("log %q does not name the deadline", logs)
		}
	})
	t.Run("not-a-proxy", func(t *testing.T) {
		_, err := wasi.NewHTTPHandler(compile(t, rustGuest(t).component), wasi.Config{})
		if err == nil || !strings.Contains(err.Error(), "not a wasi:http proxy") {
			t.Fatalf("err %v", err)
		}
	})
}

// TestHTTPClientCloses: a client that closes its connection once it has
// the whole response does not stop the guest, which may still be finishing
// (componentize-js's engine is, after the body's finish).
func TestHTTPClientCloses(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short: the JS guest takes a minute to build and compile the first time")
	}
	// A runtime that stops a guest whose context ends, as serve's does.
	ctx := context.Background()
	r, err := runtime.New(ctx, runtime.Config{CloseOnContextDone: true, CompilationCacheDir: testutil.RepoRoot(t) + "/.cache/wazero"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(ctx)
	bin, err := os.ReadFile(httpGuest(t))
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.Compile(ctx, bin)
	if err != nil {
		t.Fatal(err)
	}
	h, err := wasi.NewHTTPHandler(c, wasi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	h.ErrorLog = log.New(logs, "", 0)
	srv := httptest.NewServer(h)
	defer srv.Close()
	for range 5 {
		req, _ := http.NewRequest("GET", srv.URL+"/hello", nil)
		req.Close = true
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != "hello from js\n" {
			t.Fatalf("body %q", b)
		}
	}
	time.Sleep(100 * time.Millisecond)
	if logs.String() != "" {
		t.Fatalf("the guests failed: %s", logs)
	}
}

// TestHTTPPrewarm: with instances made ahead, requests, also concurrent
// ones, each still get a fresh instance.
func TestHTTPPrewarm(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short: the JS guest takes a minute to build and compile the first time")
	}
	var hh *wasi.HTTPHandler
	srv, logs := proxyServer(t, wasi.Config{}, func(h *wasi.HTTPHandler) { h.Prewarm = 2; hh = h })
	defer hh.Close()
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				if r := do(t, "GET", srv.URL+"/counter", nil, nil); r.err != nil || r.body != "counter 1\n" {
					t.Errorf("%+v\nlog: %s", r, logs)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestHTTPRequestBodyLimit: a body declared larger than MaxRequestBody is
// refused before the guest runs; an undeclared one is cut at the limit,
// the guest's stream failing with HTTP-request-body-size.
func TestHTTPRequestBodyLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short: the JS guest takes a minute to build and compile the first time")
	}
	srv, logs := proxyServer(t, wasi.Config{}, func(h *wasi.HTTPHandler) { h.MaxRequestBody = 1000 })
	small := bytes.Repeat([]byte{1}, 1000)
	r := do(t, "POST", srv.URL+"/count", bytes.NewReader(small), nil)
	if r.err != nil || r.status != 200 || r.body != "1000 1000\n" {
		t.Fatalf("at the limit: %+v\nlog: %s", r, logs)
	}
	big := bytes.Repeat([]byte{1}, 5000)
	r = do(t, "POST", srv.URL+"/count", bytes.NewReader(big), nil)
	if r.err != nil || r.status != 413 || !strings.Contains(r.body, "larger than the limit of 1000") {
		t.Fatalf("declared: %+v", r)
	}
	r = do(t, "POST", srv.URL+"/count", io.MultiReader(bytes.NewReader(big)), nil)
	if r.err == nil && (r.status == 200 || strings.HasPrefix(r.body, "5000")) {
		t.Fatalf("streamed past the limit: %+v", r)
	}
}
