package wasi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/runtime"
	"github.com/wasmcm/wasmcm/runtime/wasi/internal/host"
)

// httpHost is a host whose wasi:http functions a test calls directly, as
// a guest's lowered calls would reach them: values in, values out.
type httpHost struct {
	t *testing.T
	h *Host
}

func newHTTPHost(t *testing.T, cfg Config) *httpHost {
	h, err := newHost(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.defs = map[string]any{}
	if err := h.define(runtime.NewLinker()); err != nil {
		t.Fatal(err)
	}
	return &httpHost{t, h}
}

func (x *httpHost) call(iface, name string, args ...canon.Value) canon.Value {
	x.t.Helper()
	f, ok := x.h.defs[iface+"#"+name].(runtime.HostFunc)
	if !ok {
		x.t.Fatalf("%s#%s is not a dynamic host function", iface, name)
	}
	res, err := f(context.Background(), args)
	if err != nil {
		x.t.Fatalf("%s: %v", name, err)
	}
	if len(res) == 0 {
		return canon.Value{}
	}
	return res[0]
}

func (x *httpHost) types(name string, args ...canon.Value) canon.Value {
	x.t.Helper()
	return x.call(ifHTTPTypes, name, args...)
}

func str(s string) canon.Value { return canon.String(s) }

// borrow turns an own handle the host returned into the borrow a method
// receives.
func borrow(v canon.Value) canon.Value { return canon.Borrow(v.Handle()) }

func okPayload(t *testing.T, v canon.Value) canon.Value {
	t.Helper()
	if v.Case() != 0 {
		t.Fatalf("result is an error: %v", v)
	}
	p, _ := v.Payload()
	return p
}

// TestHTTPFields: the fields rules a guest meets, names kept lower case,
// values as given.
func TestHTTPFields(t *testing.T) {
	x := newHTTPHost(t, Config{})
	f := x.types("[constructor]fields")
	if r := x.types("[method]fields.append", borrow(f), str("X-Multi"), byteList([]byte("a"))); r.Case() != 0 {
		t.Fatal(r)
	}
	x.types("[method]fields.append", borrow(f), str("x-multi"), byteList([]byte("b")))
	if got := x.types("[method]fields.get", borrow(f), str("X-MULTI")); got.Len() != 2 || string(bytesOf(got.Index(1))) != "b" {
		t.Fatalf("get: %v", got)
	}
	errCase := func(r canon.Value) int {
		if r.Case() == 0 {
			return -1
		}
		p, _ := r.Payload()
		return int(p.Case())
	}
	for _, c := range []struct {
		name, value string
		want        int
	}{
		{"x-ok", "v\tw", -1},
		{"bad name", "v", int(headerInvalidSyntax)},
		{"", "v", int(headerInvalidSyntax)},
		{"x-crlf", "a\r\nb", int(headerInvalidSyntax)},
		{"x-nul", "a\x00", int(headerInvalidSyntax)},
		{"Transfer-Encoding", "chunked", int(headerForbidden)},
		{"connection", "close", int(headerForbidden)},
	} {
		if got := errCase(x.types("[method]fields.append", borrow(f), str(c.name), byteList([]byte(c.value)))); got != c.want {
			t.Errorf("append(%q, %q): case %d, want %d", c.name, c.value, got, c.want)
		}
	}
	if got := errCase(x.types("[method]fields.set", borrow(f), str("x-multi"), canon.List(byteList([]byte("c"))))); got != -1 {
		t.Fatalf("set: %d", got)
	}
	entries := x.types("[method]fields.entries", borrow(f))
	var names []string
	for _, e := range entries.Elems() {
		names = append(names, e.Index(0).String()+"="+string(bytesOf(e.Index(1))))
	}
	if strings.Join(names, ",") != "x-ok=v\tw,x-multi=c" {
		t.Fatalf("entries %q", names)
	}
	// from-list refuses a forbidden name as a whole.
	bad := canon.List(canon.Tuple(str("x-a"), byteList(nil)), canon.Tuple(str("upgrade"), byteList([]byte("h2c"))))
	if got := errCase(x.types("[static]fields.from-list", bad)); got != int(headerForbidden) {
		t.Fatalf("from-list: %d", got)
	}
	// The headers of a response are immutable; a clone of them is not.
	resp := x.types("[constructor]outgoing-response", f)
	hs := x.types("[method]outgoing-response.headers", borrow(resp))
	if got := errCase(x.types("[method]fields.delete", borrow(hs), str("x-ok"))); got != int(headerImmutable) {
		t.Fatalf("delete on immutable headers: %d", got)
	}
	c := x.types("[method]fields.clone", borrow(hs))
	if got := errCase(x.types("[method]fields.delete", borrow(c), str("x-ok"))); got != -1 || x.types("[method]fields.has", borrow(c), str("x-ok")).Bool() {
		t.Fatalf("delete on a clone: %d", got)
	}
	if !x.types("[method]fields.has", borrow(hs), str("x-ok")).Bool() {
		t.Fatal("deleting from the clone changed the original")
	}
	if r := x.types("[method]outgoing-response.set-status-code", borrow(resp), canon.U16(99)); r.Case() == 0 {
		t.Fatal("status 99 accepted")
	}
	// A request's method, path, scheme and authority are checked as set.
	req := x.types("[constructor]outgoing-request", x.types("[constructor]fields"))
	for _, c := range []struct {
		name string
		arg  canon.Value
		ok   bool
	}{
		{"set-method", methodValue("PURGE"), true},
		{"set-method", methodValue("BAD METHOD"), false},
		{"set-method", methodValue(""), false},
		{"set-path-with-query", canon.Some(str("/a?b=c")), true},
		{"set-path-with-query", canon.Some(str("no-slash")), false},
		{"set-path-with-query", canon.Some(str("/a b")), false},
		{"set-path-with-query", canon.Some(str("/a\r\nX: y")), false},
		{"set-scheme", schemeValue("https"), true},
		{"set-scheme", schemeValue("1bad"), false},
		{"set-authority", canon.Some(str("example.com:8080")), true},
		{"set-authority", canon.Some(str("user@example.com")), false},
		{"set-authority", canon.Some(str("a/b")), false},
	} {
		if r := x.types("[method]outgoing-request."+c.name, borrow(req), c.arg); (r.Case() == 0) != c.ok {
			t.Errorf("%s(%v): ok %v, want %v", c.name, c.arg, r.Case() == 0, c.ok)
		}
	}
	if m := methodOf(x.types("[method]outgoing-request.method", borrow(req))); m != "PURGE" {
		t.Errorf("method %q", m)
	}
}

// waitFuture polls a future-incoming-response as a guest would.
func (x *httpHost) waitFuture(fut canon.Value) canon.Value {
	x.t.Helper()
	p := x.types("[method]future-incoming-response.subscribe", borrow(fut))
	pl, err := host.Lookup[host.Pollable](&x.h.table, p.Handle(), "pollable")
	if err != nil {
		x.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := host.Block(ctx, pl); err != nil {
		x.t.Fatal(err)
	}
	got := x.types("[method]future-incoming-response.get", borrow(fut))
	inner, has := got.Payload()
	if !has {
		x.t.Fatal("get of a ready future gave none")
	}
	return okPayload(x.t, inner) // result<incoming-response, error-code>
}

func (x *httpHost) request(method canon.Value, scheme, authority, path string) canon.Value {
	r := x.types("[constructor]outgoing-request", x.types("[constructor]fields"))
	x.types("[method]outgoing-request.set-method", borrow(r), method)
	x.types("[method]outgoing-request.set-scheme", borrow(r), schemeValue(scheme))
	x.types("[method]outgoing-request.set-authority", borrow(r), canon.Some(str(authority)))
	x.types("[method]outgoing-request.set-path-with-query", borrow(r), canon.Some(str(path)))
	return r
}

// TestHTTPOutgoing: outgoing-handler.handle denied without a grant (the
// server never sees it), and with one: a POST body streamed, the response
// status, headers, body and trailers read as a guest reads them.
func TestHTTPOutgoing(t *testing.T) {
	var reached atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Trailer", "X-Sum")
		w.Header().Set("X-Got", fmt.Sprintf("%s %s %d", r.Method, r.URL.RequestURI(), len(b)))
		w.WriteHeader(201)
		io.WriteString(w, "answer")
		w.Header().Set("X-Sum", "42")
	}))
	defer srv.Close()
	authority := strings.TrimPrefix(srv.URL, "http://")

	denied := newHTTPHost(t, Config{AllowedHTTPHosts: []string{"example.com"}})
	res := denied.call(ifHTTPOutgoing, "handle", denied.request(methodValue("GET"), "http", authority, "/"), canon.None())
	if p, _ := res.Payload(); res.Case() != 1 || p.Case() != ecHTTPRequestDenied {
		t.Fatalf("denied: %v", res)
	}

	x := newHTTPHost(t, Config{AllowedHTTPHosts: []string{"127.0.0.1"}})
	req := x.request(methodValue("POST"), "http", authority, "/p?q=1")
	body := okPayload(t, x.types("[method]outgoing-request.body", borrow(req)))
	if r := x.types("[method]outgoing-request.body", borrow(req)); r.Case() != 1 {
		t.Fatal("a second body() was given")
	}
	stream := okPayload(t, x.types("[method]outgoing-body.write", borrow(body)))
	fut := okPayload(t, x.call(ifHTTPOutgoing, "handle", req, canon.None()))
	out, err := host.Lookup[host.OutputStream](&x.h.table, stream.Handle(), "output-stream")
	if err != nil {
		t.Fatal(err)
	}
	if err := host.BlockingWriteAndFlush(context.Background(), out, []byte("hello body")); err != nil {
		t.Fatal(err)
	}
	if r := x.types("[static]outgoing-body.finish", body, canon.None()); r.Case() != 0 {
		t.Fatalf("finish: %v", r)
	}
	resp := x.waitFuture(fut)
	if resp.Case() != 0 {
		t.Fatalf("response error %v", resp)
	}
	rv, _ := resp.Payload()
	if s := x.types("[method]incoming-response.status", borrow(rv)).Uint(); s != 201 {
		t.Fatalf("status %d", s)
	}
	hs := x.types("[method]incoming-response.headers", borrow(rv))
	if got := x.types("[method]fields.get", borrow(hs), str("x-got")); got.Len() != 1 || string(bytesOf(got.Index(0))) != "POST /p?q=1 10" {
		t.Fatalf("x-got %v", got)
	}
	ib := okPayload(t, x.types("[method]incoming-response.consume", borrow(rv)))
	is := okPayload(t, x.types("[method]incoming-body.stream", borrow(ib)))
	in, err := host.Lookup[host.InputStream](&x.h.table, is.Handle(), "input-stream")
	if err != nil {
		t.Fatal(err)
	}
	var got []byte
	for {
		b, err := in.BlockingRead(context.Background(), 1024)
		got = append(got, b...)
		if err == host.ErrClosed {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if string(got) != "answer" {
		t.Fatalf("body %q", got)
	}
	ft := x.types("[static]incoming-body.finish", ib)
	deadline := time.Now().Add(5 * time.Second)
	var tr canon.Value
	for {
		tr = x.types("[method]future-trailers.get", borrow(ft))
		if _, has := tr.Payload(); has || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	inner, _ := tr.Payload()
	opt := okPayload(t, okPayload(t, inner))
	trailers, has := opt.Payload()
	if !has {
		t.Fatal("no trailers")
	}
	if got := x.types("[method]fields.get", borrow(trailers), str("x-sum")); got.Len() != 1 || string(bytesOf(got.Index(0))) != "42" {
		t.Fatalf("trailer %v", got)
	}
	if reached.Load() != 1 {
		t.Fatalf("the server saw %d requests, want 1 (the denied one must not reach it)", reached.Load())
	}

	// A refused connection is error-code.connection-refused.
	r := x.request(methodValue("GET"), "http", "127.0.0.1:1", "/")
	res = x.waitFuture(okPayload(t, x.call(ifHTTPOutgoing, "handle", r, canon.None())))
	if p, _ := res.Payload(); res.Case() != 1 || p.Case() != ecConnectionRefused {
		t.Fatalf("refused: %v", res)
	}
	// A body shorter than its content-length fails finish.
	f := x.types("[constructor]fields")
	x.types("[method]fields.append", borrow(f), str("content-length"), byteList([]byte("5")))
	resp2 := x.types("[constructor]outgoing-response", f)
	b2 := okPayload(t, x.types("[method]outgoing-response.body", borrow(resp2)))
	if r := x.types("[static]outgoing-body.finish", b2, canon.None()); r.Case() != 1 {
		t.Fatal("finish of 0 of 5 declared bytes succeeded")
	} else if p, _ := r.Payload(); p.Case() != ecHTTPResponseBodySize {
		t.Fatalf("finish: %v", r)
	}
}

// TestHTTPOutgoingOptions: request-options' timeouts end a request with
// their error-codes, and a streamed request body carries its trailers.
func TestHTTPOutgoingOptions(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow-start":
			time.Sleep(500 * time.Millisecond)
		case "/stall":
			io.WriteString(w, "part")
			w.(http.Flusher).Flush()
			time.Sleep(500 * time.Millisecond)
		case "/trailers":
			b, _ := io.ReadAll(r.Body)
			fmt.Fprintf(w, "%s trailer=%s", b, r.Trailer.Get("X-Check"))
		}
	}))
	defer srv.Close()
	authority := strings.TrimPrefix(srv.URL, "http://")
	x := newHTTPHost(t, Config{AllowedHTTPHosts: []string{"*"}})
	ms := func(n int) canon.Value { return canon.Some(canon.U64(uint64(time.Duration(n) * time.Millisecond))) }

	opts := x.types("[constructor]request-options")
	x.types("[method]request-options.set-first-byte-timeout", borrow(opts), ms(50))
	if got := x.types("[method]request-options.first-byte-timeout", borrow(opts)); !got.Equal(ms(50)) {
		t.Fatalf("first-byte-timeout %v", got)
	}
	res := x.waitFuture(okPayload(t, x.call(ifHTTPOutgoing, "handle", x.request(methodValue("GET"), "http", authority, "/slow-start"), canon.Some(opts))))
	if p, _ := res.Payload(); res.Case() != 1 || p.Case() != ecHTTPResponseTimeout {
		t.Fatalf("first-byte timeout: %v", res)
	}

	opts = x.types("[constructor]request-options")
	x.types("[method]request-options.set-between-bytes-timeout", borrow(opts), ms(50))
	res = x.waitFuture(okPayload(t, x.call(ifHTTPOutgoing, "handle", x.request(methodValue("GET"), "http", authority, "/stall"), canon.Some(opts))))
	rv := okPayload(t, res)
	ib := okPayload(t, x.types("[method]incoming-response.consume", borrow(rv)))
	is := okPayload(t, x.types("[method]incoming-body.stream", borrow(ib)))
	in, _ := host.Lookup[host.InputStream](&x.h.table, is.Handle(), "input-stream")
	var got []byte
	var rerr error
	for rerr == nil {
		var b []byte
		b, rerr = in.BlockingRead(context.Background(), 1024)
		got = append(got, b...)
	}
	var ec *ErrorCode
	if string(got) != "part" || !errors.As(rerr, &ec) || ec.Case != ecConnectionReadTimeout {
		t.Fatalf("between-bytes timeout: %q %v", got, rerr)
	}

	req := x.request(methodValue("PUT"), "http", authority, "/trailers")
	body := okPayload(t, x.types("[method]outgoing-request.body", borrow(req)))
	stream := okPayload(t, x.types("[method]outgoing-body.write", borrow(body)))
	out, _ := host.Lookup[host.OutputStream](&x.h.table, stream.Handle(), "output-stream")
	out.Write([]byte("streamed "))
	fut := okPayload(t, x.call(ifHTTPOutgoing, "handle", req, canon.None()))
	time.Sleep(20 * time.Millisecond) // the request is under way, its body open
	out.Write([]byte("body"))
	tr := x.types("[constructor]fields")
	x.types("[method]fields.append", borrow(tr), str("x-check"), byteList([]byte("ok")))
	if r := x.types("[static]outgoing-body.finish", body, canon.Some(tr)); r.Case() != 0 {
		t.Fatalf("finish: %v", r)
	}
	rv = okPayload(t, x.waitFuture(fut))
	ib = okPayload(t, x.types("[method]incoming-response.consume", borrow(rv)))
	is = okPayload(t, x.types("[method]incoming-body.stream", borrow(ib)))
	in, _ = host.Lookup[host.InputStream](&x.h.table, is.Handle(), "input-stream")
	got = nil
	for {
		b, err := in.BlockingRead(context.Background(), 1024)
		got = append(got, b...)
		if err != nil {
			break
		}
	}
	if string(got) != "streamed body trailer=ok" {
		t.Fatalf("trailers: %q", got)
	}
}

// TestHTTPGuestLimits: what one guest holds in the host is bounded: the
// bytes of its fields and body buffers, and its requests in flight.
func TestHTTPGuestLimits(t *testing.T) {
	x := newHTTPHost(t, Config{AllowedHTTPHosts: []string{"*"}})
	x.h.httpBudget.Max = 1000
	f := x.types("[constructor]fields")
	big := byteList(bytes.Repeat([]byte{'v'}, 600))
	x.types("[method]fields.append", borrow(f), str("x-a"), big)
	fn := x.h.defs[ifHTTPTypes+"#[method]fields.append"].(runtime.HostFunc)
	if _, err := fn(context.Background(), []canon.Value{borrow(f), str("x-b"), big}); err == nil || !strings.Contains(err.Error(), "memory budget") {
		t.Fatalf("append past the budget: %v", err)
	}
	resp := x.types("[constructor]outgoing-response", x.types("[constructor]fields"))
	body := okPayload(t, x.types("[method]outgoing-response.body", borrow(resp)))
	stream := okPayload(t, x.types("[method]outgoing-body.write", borrow(body)))
	out, _ := host.Lookup[host.OutputStream](&x.h.table, stream.Handle(), "output-stream")
	if n, err := out.CheckWrite(); n != 1000-603 || err != nil {
		t.Fatalf("body permit within the budget: %d %v", n, err)
	}
	x.h.reset()
	if x.h.table.Len() != 0 || x.h.httpBudget.Avail() != 1000 {
		t.Fatalf("after reset: %d objects, budget %d", x.h.table.Len(), x.h.httpBudget.Avail())
	}

	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
	}))
	defer srv.Close()
	defer close(release)
	authority := strings.TrimPrefix(srv.URL, "http://")
	for i := range maxOutgoing {
		if r := x.call(ifHTTPOutgoing, "handle", x.request(methodValue("GET"), "http", authority, "/"), canon.None()); r.Case() != 0 {
			t.Fatalf("request %d: %v", i, r)
		}
	}
	r := x.call(ifHTTPOutgoing, "handle", x.request(methodValue("GET"), "http", authority, "/"), canon.None())
	if p, _ := r.Payload(); r.Case() != 1 || p.Case() != ecConnectionLimitReached {
		t.Fatalf("request %d: %v", maxOutgoing+1, r)
	}
	// Dropping the guest's objects (the host's reset) cancels them and
	// gives the slots back.
	x.h.reset()
	deadline := time.Now().Add(5 * time.Second)
	for x.h.outgoing.Load() != 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := x.h.outgoing.Load(); n != 0 {
		t.Fatalf("%d requests still counted in flight", n)
	}
}

// FuzzHTTPFields runs a guest's sequences of fields calls with names and
// values from the input: no call panics, and what fields hold stays valid
// (lower-case token names, none forbidden, values without CR, LF or NUL).
func FuzzHTTPFields(f *testing.F) {
	f.Add([]byte("\x00x-a\x00v\x01X-A\x00w\x03connection\x00x\x02x-a\x00"))
	f.Add([]byte("\x00bad name\x00v\x00x\x00a\r\nb\x05\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		x := newHTTPHost(t, Config{})
		cur := x.types("[constructor]fields")
		next := func() string {
			i := bytes.IndexByte(data, 0)
			if i < 0 {
				s := string(data)
				data = nil
				return s
			}
			s := string(data[:i])
			data = data[i+1:]
			return s
		}
		for len(data) > 0 {
			op := data[0] % 6
			data = data[1:]
			name, value := next(), next()
			switch op {
			case 0:
				x.types("[method]fields.append", borrow(cur), str(name), byteList([]byte(value)))
			case 1:
				x.types("[method]fields.set", borrow(cur), str(name), canon.List(byteList([]byte(value))))
			case 2:
				x.types("[method]fields.delete", borrow(cur), str(name))
			case 3:
				x.types("[method]fields.get", borrow(cur), str(name))
			case 4:
				cur = x.types("[method]fields.clone", borrow(cur))
			case 5:
				r := x.types("[static]fields.from-list", canon.List(canon.Tuple(str(name), byteList([]byte(value)))))
				if r.Case() == 0 {
					cur = okPayload(t, r)
				}
			}
			fl, err := get[*fields](x.h, cur, "fields")
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range fl.entries {
				if !validFieldName(e.name) || strings.ToLower(e.name) != e.name || forbiddenHeaders[e.name] || !validFieldValue(e.value) {
					t.Fatalf("fields hold %q: %q", e.name, e.value)
				}
			}
		}
	})
}

// TestHTTPOutgoingTLS: https requests go through Config.HTTPTransport (here
// one trusting a test server's certificate); through a transport that does
// not trust it they fail with TLS-certificate-error.
func TestHTTPOutgoingTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "over tls")
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake
	srv.StartTLS()
	defer srv.Close()
	authority := strings.TrimPrefix(srv.URL, "https://")
	x := newHTTPHost(t, Config{AllowedHTTPHosts: []string{"*"}, HTTPTransport: srv.Client().Transport})
	res := x.waitFuture(okPayload(t, x.call(ifHTTPOutgoing, "handle", x.request(methodValue("GET"), "https", authority, "/"), canon.None())))
	rv := okPayload(t, res)
	if s := x.types("[method]incoming-response.status", borrow(rv)).Uint(); s != 200 {
		t.Fatalf("status %d", s)
	}
	untrusting := newHTTPHost(t, Config{AllowedHTTPHosts: []string{"*"}, HTTPTransport: &http.Transport{}})
	res = untrusting.waitFuture(okPayload(t, untrusting.call(ifHTTPOutgoing, "handle", untrusting.request(methodValue("GET"), "https", authority, "/"), canon.None())))
	if p, _ := res.Payload(); res.Case() != 1 || p.Case() != ecTLSCertificateError {
		t.Fatalf("untrusted certificate: %v", res)
	}
}

// TestHTTPAllowedHosts: how AllowedHTTPHosts entries match authorities.
func TestHTTPAllowedHosts(t *testing.T) {
	h := &Host{cfg: Config{AllowedHTTPHosts: []string{"api.example.com", "127.0.0.1:8080", "*.svc.local", "[::1]"}}}
	for authority, want := range map[string]bool{
		"api.example.com":      true,
		"API.Example.com:443":  true,
		"example.com":          false,
		"evil-api.example.com": false,
		"127.0.0.1:8080":       true,
		"127.0.0.1:8081":       false,
		"127.0.0.1":            false,
		"a.svc.local":          true,
		"a.b.svc.local:9000":   true,
		"svc.local":            false,
		"xsvc.local":           false,
		"[::1]:80":             true,
	} {
		if got := h.allowed(authority); got != want {
			t.Errorf("%q: allowed %v, want %v", authority, got, want)
		}
	}
	if (&Host{}).allowed("example.com") {
		t.Error("the zero Config allows a request")
	}
}
