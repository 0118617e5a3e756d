package wasi_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/wasmcm/wasmcm/runtime/wasi"
)

// wasmtimeServe starts `wasmtime serve` on component at a free port and
// returns its base URL, or skips when wasmtime is absent.
func wasmtimeServe(t testing.TB, component string) string {
	t.Helper()
	bin, err := exec.LookPath("wasmtime")
	if err != nil {
		t.Skip("skipped: wasmtime is absent (the reference host this test compares with)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "serve", "-S", "cli", "--addr", addr, component)
	out, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		cancel()
		t.Skipf("skipped: wasmtime serve does not start: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
	})
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		said := false
		for sc.Scan() {
			if !said && strings.Contains(sc.Text(), "Serving HTTP on") {
				said = true
				ready <- true
			}
		}
		if !said {
			ready <- false
		}
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatal("wasmtime serve exited before serving")
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("wasmtime serve did not start in 2 minutes")
	}
	return "http://" + addr
}

// comparable is what two hosts must agree on: the status, the body (its
// hash when long) and the headers the guest sets (content-type, x-*).
func comparable(r httpResult) string {
	if r.err != nil {
		return "error"
	}
	var hs []string
	for k, v := range r.header {
		lk := strings.ToLower(k)
		if lk == "content-type" || strings.HasPrefix(lk, "x-") {
			hs = append(hs, lk+": "+strings.Join(v, ","))
		}
	}
	sort.Strings(hs)
	body := r.body
	if len(body) > 256 {
		body = fmt.Sprintf("%d bytes sha256 %x", len(body), sha256.Sum256([]byte(body)))
	}
	return fmt.Sprintf("%d\n%s\n%q", r.status, strings.Join(hs, "\n"), body)
}

// TestHTTPProxyDifferential sends the same requests to the componentize-js
// proxy under wasmcm's HTTPHandler and under wasmtime serve, and compares
// the answers.
func TestHTTPProxyDifferential(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short: the JS guest takes a minute to build and compile the first time")
	}
	g := httpGuest(t)
	ref := wasmtimeServe(t, g)
	upstream := httptest.NewServer(upstreamHandler())
	defer upstream.Close()
	srv, logs := proxyServer(t, wasi.Config{AllowedHTTPHosts: []string{"*"}}, nil)

	big := make([]byte, 3<<20)
	for i := range big {
		big[i] = byte(i * 31)
	}
	type req struct {
		method, path string
		body         []byte
		hdr          map[string]string
	}
	reqs := []req{
		{"GET", "/hello", nil, nil},
		{"GET", "/status/201", nil, nil},
		{"GET", "/status/204", nil, nil},
		{"GET", "/status/418", nil, nil},
		{"GET", "/status/503", nil, nil},
		{"GET", "/nowhere", nil, nil},
		{"GET", "/headers", nil, map[string]string{"X-One": "1", "x-two": "zwei", "x-three": "a, b"}},
		{"POST", "/echo", []byte("body é"), map[string]string{"content-type": "text/x-test", "x-test": "yo"}},
		{"PUT", "/echo", big, nil},
		{"POST", "/count", big, nil},
		{"GET", "/large?n=1048577", nil, nil},
		{"GET", "/fetch?url=" + upstream.URL + "/up", nil, nil},
		{"GET", "/fetch?url=http://127.0.0.1:1/refused", nil, nil},
		{"POST", "/forward?url=" + upstream.URL + "/sum", big, nil},
		{"GET", "/counter", nil, nil},
		{"GET", "/counter", nil, nil},
		{"GET", "/throw", nil, nil},
	}
	for _, rq := range reqs {
		var body func() io.Reader
		if rq.body != nil {
			body = func() io.Reader { return bytes.NewReader(rq.body) }
		} else {
			body = func() io.Reader { return nil }
		}
		got := comparable(do(t, rq.method, srv.URL+rq.path, body(), rq.hdr))
		want := comparable(do(t, rq.method, ref+rq.path, body(), rq.hdr))
		if got != want {
			t.Errorf("%s %s:\nwasmcm:   %s\nwasmtime: %s\nlog: %s", rq.method, rq.path, got, want, logs)
		}
	}
}

// TestHTTPMiniDifferential compares the hand-written 0.2.0 proxies under
// both hosts: the hello world, and the header-errors (so the rules on
// invalid, forbidden and immutable fields are the reference's), and a
// guest that never sets the response.
func TestHTTPMiniDifferential(t *testing.T) {
	for _, mode := range []string{"hello", "headers", "noresponse", "trap"} {
		t.Run(mode, func(t *testing.T) {
			comp := miniProxy(t, mode)
			ref := wasmtimeServe(t, comp)
			srv, logs := miniServer(t, mode, wasi.Config{})
			g, w := do(t, "GET", srv.URL+"/a?b=c", nil, nil), do(t, "GET", ref+"/a?b=c", nil, nil)
			got, want := comparable(g), comparable(w)
			switch mode {
			case "noresponse":
				// Both answer 500, each with a page of its own.
				got, want = fmt.Sprint(g.status), fmt.Sprint(w.status)
			case "trap":
				// Both send the status and the part written. wasmtime 49
				// then ends the body as if complete; wasmcm cuts the
				// connection, so the client can tell it is not (see
				// RATIONALE.md).
				got, want = fmt.Sprint(g.status, strings.HasPrefix("partial", g.body)), fmt.Sprint(w.status, w.body == "partial")
				if g.err == nil {
					t.Error("wasmcm ended a trapped body as if complete")
				}
			}
			if got != want {
				t.Errorf("wasmcm:   %s\nwasmtime: %s\nlog: %s", got, want, logs)
			}
		})
	}
}
