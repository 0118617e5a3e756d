package wasi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/runtime"
	"github.com/wasmcm/wasmcm/runtime/wasi/internal/host"
	"github.com/wasmcm/wasmcm/wit"
)

// TestEverySocketsVersionServed checks that the host defines every
// function and resource of wasi:sockets of every 0.2.x release (all
// feature gates on, so the unstable network-error-code too).
func TestEverySocketsVersionServed(t *testing.T) {
	root := testutil.Shared(t, "conformance/wasi")
	served := hostServes(t)
	passed, total := 0, 0
	for minor := 0; minor <= 12; minor++ {
		ver := fmt.Sprintf("0.2.%d", minor)
		if _, err := os.Stat(filepath.Join(root, ver, "sockets")); err != nil {
			continue
		}
		r, w := loadWorld(t, assemble(t, filepath.Join(root, ver)), ver, "imports")
		p, n := countServed(t, ver, r, w, served, func(pkg wit.PackageName) bool {
			return pkg.Namespace == "wasi" && pkg.Name == "sockets"
		})
		passed, total = passed+p, total+n
	}
	if total == 0 {
		t.Fatal("no wasi:sockets interfaces found in the corpus")
	}
	testutil.Conformance(t, "wasi-sockets-host-functions", passed, total)
}

// sockHost drives the wasi:sockets functions as a guest's lowered calls
// would reach them.
type sockHost struct {
	*httpHost
	net canon.Value // the instance-network, borrowed
}

func newSockHost(t *testing.T, n Network) *sockHost {
	x := newHTTPHost(t, Config{Network: n})
	t.Cleanup(func() { x.h.reset() })
	return &sockHost{x, borrow(x.call(ifInstanceNetwork, "instance-network"))}
}

func loopback() Network {
	return Network{AllowTCP: true, AllowUDP: true, AllowedAddrs: []AddrPattern{{Prefix: netip.MustParsePrefix("127.0.0.0/8")}}}
}

func addr(s string) canon.Value {
	ap := netip.MustParseAddrPort(s)
	f := ipv4
	if ap.Addr().Is6() {
		f = ipv6
	}
	return sockAddrValue(ap, f)
}

// code is the error-code of a result, or -1 for ok.
func code(v canon.Value) int {
	if v.Case() == 0 {
		return -1
	}
	p, _ := v.Payload()
	return int(p.Case())
}

func wantCode(t *testing.T, what string, v canon.Value, want sockErr) {
	t.Helper()
	if got := code(v); got != int(want) {
		name := "ok"
		if got >= 0 {
			name = sockErr(got).Error()
		}
		t.Errorf("%s: %s, want %v", what, name, want)
	}
}

func (x *sockHost) tcp(name string, args ...canon.Value) canon.Value {
	x.t.Helper()
	return x.call(ifTCP, "[method]tcp-socket."+name, args...)
}

func (x *sockHost) udp(name string, args ...canon.Value) canon.Value {
	x.t.Helper()
	return x.call(ifUDP, name, args...)
}

func (x *sockHost) newTCP() canon.Value {
	x.t.Helper()
	return borrow(okPayload(x.t, x.call(ifTCPCreate, "create-tcp-socket", canon.Enum(0))))
}

// block waits on a pollable the host returned, as pollable.block does.
func (x *sockHost) block(p canon.Value) {
	x.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pl, err := get[host.Pollable](x.h, p, "pollable")
	if err != nil {
		x.t.Fatal(err)
	}
	if err := host.Block(ctx, pl); err != nil {
		x.t.Fatal(err)
	}
}

// connect runs start-connect, waits on subscribe, and returns finish-connect.
func (x *sockHost) connect(s canon.Value, to string) canon.Value {
	x.t.Helper()
	if r := x.tcp("start-connect", s, x.net, addr(to)); r.Case() != 0 {
		return r
	}
	x.block(x.tcp("subscribe", s))
	return x.tcp("finish-connect", s)
}

func (x *sockHost) streams(v canon.Value) (host.InputStream, host.OutputStream) {
	x.t.Helper()
	in, err := get[host.InputStream](x.h, v.Index(0), "input-stream")
	if err != nil {
		x.t.Fatal(err)
	}
	out, err := get[host.OutputStream](x.h, v.Index(1), "output-stream")
	if err != nil {
		x.t.Fatal(err)
	}
	return in, out
}

func echoListener(t *testing.T) net.Listener {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	return ln
}

// readAll reads from a guest input stream until n bytes or the end.
func readN(t *testing.T, in host.InputStream, n int) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var got []byte
	for len(got) < n {
		b, err := in.BlockingRead(ctx, uint64(n-len(got)))
		if err != nil {
			t.Fatalf("read after %q: %v", got, err)
		}
		got = append(got, b...)
	}
	return string(got)
}

func TestSocketsDeniedByDefault(t *testing.T) {
	x := newSockHost(t, Network{})
	wantCode(t, "create-tcp-socket", x.call(ifTCPCreate, "create-tcp-socket", canon.Enum(0)), errAccessDenied)
	wantCode(t, "create-udp-socket", x.call(ifUDPCreate, "create-udp-socket", canon.Enum(0)), errAccessDenied)
	wantCode(t, "resolve-addresses", x.call(ifNameLookup, "resolve-addresses", x.net, canon.String("localhost")), errAccessDenied)

	// Sockets granted, but no address: bind, connect and send are denied.
	ln := echoListener(t)
	y := newSockHost(t, Network{AllowTCP: true, AllowUDP: true})
	s := y.newTCP()
	wantCode(t, "bind", y.tcp("start-bind", s, y.net, addr("127.0.0.1:0")), errAccessDenied)
	wantCode(t, "connect", y.tcp("start-connect", s, y.net, addr(ln.Addr().String())), errAccessDenied)

	// An address pattern admits its prefix and ports only.
	z := newSockHost(t, Network{AllowTCP: true, AllowedAddrs: []AddrPattern{{Prefix: netip.MustParsePrefix("127.0.0.1/32"), MinPort: 1, MaxPort: 1}}})
	s = z.newTCP()
	wantCode(t, "connect to another port", z.tcp("start-connect", s, z.net, addr(ln.Addr().String())), errAccessDenied)
	wantCode(t, "bind to another port", z.tcp("start-bind", s, z.net, addr("127.0.0.1:2")), errAccessDenied)
	wantCode(t, "bind an ephemeral port elsewhere", z.tcp("start-bind", s, z.net, addr("10.0.0.1:0")), errAccessDenied)
	// The ephemeral local end of a client is allowed, but what arrives
	// from peers not granted is dropped: a listener on it accepts nothing
	// from 127.0.0.1's ephemeral ports.
	okPayload(t, z.tcp("start-bind", s, z.net, addr("127.0.0.1:0")))
	okPayload(t, z.tcp("finish-bind", s))
	okPayload(t, z.tcp("start-listen", s))
	okPayload(t, z.tcp("finish-listen", s))
	ap, _ := sockAddr(okPayload(t, z.tcp("local-address", s)))
	c, err := net.Dial("tcp4", ap.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	z.tcp("accept", s) // starts the background accept
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("read from a refused connection gave data")
	}
	wantCode(t, "accept of a peer not granted", z.tcp("accept", s), errWouldBlock)
}

func TestTCPConnectEcho(t *testing.T) {
	ln := echoListener(t)
	x := newSockHost(t, loopback())
	s := x.newTCP()
	streams := dbg(t, x.connect(s, ln.Addr().String()))
	in, out := x.streams(streams)
	msg := "hello over wasi:sockets"
	if err := host.BlockingWriteAndFlush(context.Background(), out, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	if got := readN(t, in, len(msg)); got != msg {
		t.Fatalf("echo: %q", got)
	}
	remote := okPayload(t, x.tcp("remote-address", s))
	if !remote.Equal(addr(ln.Addr().String())) {
		t.Errorf("remote-address: %v", remote)
	}
	local := okPayload(t, x.tcp("local-address", s))
	if p, _ := local.Payload(); p.Index(0).Uint() == 0 {
		t.Errorf("local-address has port 0: %v", local)
	}
	// shutdown(send): the echo server sees the end and closes, so the
	// guest's input ends too.
	if r := x.tcp("shutdown", s, canon.Enum(1)); r.Case() != 0 {
		t.Fatal(r)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := in.BlockingRead(ctx, 10); !errors.Is(err, host.ErrClosed) {
		t.Fatalf("read after shutdown: %v", err)
	}
}

func TestTCPListenAccept(t *testing.T) {
	x := newSockHost(t, loopback())
	s := x.newTCP()
	for _, step := range []string{"start-bind", "finish-bind", "start-listen", "finish-listen"} {
		var r canon.Value
		if step == "start-bind" {
			r = x.tcp(step, s, x.net, addr("127.0.0.1:0"))
		} else {
			r = x.tcp(step, s)
		}
		if r.Case() != 0 {
			t.Fatalf("%s: %v", step, r)
		}
	}
	if !x.tcp("is-listening", s).Bool() {
		t.Fatal("is-listening false after finish-listen")
	}
	wantCode(t, "accept with none waiting", x.tcp("accept", s), errWouldBlock)
	local := okPayload(t, x.tcp("local-address", s))
	ap, _ := sockAddr(local)
	c, err := net.Dial("tcp4", ap.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	x.block(x.tcp("subscribe", s))
	acc := okPayload(t, x.tcp("accept", s))
	in, out := x.streams(canon.Tuple(acc.Index(1), acc.Index(2)))
	if _, err := c.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	if got := readN(t, in, 4); got != "ping" {
		t.Fatalf("accepted read: %q", got)
	}
	if err := host.BlockingWriteAndFlush(context.Background(), out, []byte("pong")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "pong" {
		t.Fatalf("client read %q, %v", buf, err)
	}
	remote := okPayload(t, x.tcp("remote-address", borrow(acc.Index(0))))
	if !remote.Equal(addr(c.LocalAddr().String())) {
		t.Errorf("accepted remote-address %v, client is %v", remote, c.LocalAddr())
	}
}

// TestTCPStateMachine: misuse of the two-phase operations gets the
// WIT's error codes.
func TestTCPStateMachine(t *testing.T) {
	ln := echoListener(t)
	x := newSockHost(t, loopback())
	s := x.newTCP()
	wantCode(t, "finish-bind without start", x.tcp("finish-bind", s), errNotInProgress)
	wantCode(t, "finish-connect without start", x.tcp("finish-connect", s), errNotInProgress)
	wantCode(t, "finish-listen without start", x.tcp("finish-listen", s), errNotInProgress)
	wantCode(t, "start-listen unbound", x.tcp("start-listen", s), errInvalidState)
	wantCode(t, "local-address unbound", x.tcp("local-address", s), errInvalidState)
	wantCode(t, "remote-address unconnected", x.tcp("remote-address", s), errInvalidState)
	wantCode(t, "shutdown unconnected", x.tcp("shutdown", s, canon.Enum(2)), errInvalidState)
	wantCode(t, "accept not listening", x.tcp("accept", s), errInvalidState)
	wantCode(t, "bind IPv6 address on IPv4 socket", x.tcp("start-bind", s, x.net, addr("[::1]:0")), errInvalidArgument)
	wantCode(t, "connect to port 0", x.tcp("start-connect", s, x.net, addr("127.0.0.1:0")), errInvalidArgument)
	wantCode(t, "connect to 0.0.0.0", x.tcp("start-connect", s, x.net, addr("0.0.0.0:80")), errInvalidArgument)
	wantCode(t, "set-hop-limit 0", x.tcp("set-hop-limit", s, canon.U8(0)), errInvalidArgument)
	wantCode(t, "set-receive-buffer-size 0", x.tcp("set-receive-buffer-size", s, canon.U64(0)), errInvalidArgument)
	wantCode(t, "set-keep-alive-count 0", x.tcp("set-keep-alive-count", s, canon.U32(0)), errInvalidArgument)

	if r := x.tcp("start-bind", s, x.net, addr("127.0.0.1:0")); r.Case() != 0 {
		t.Fatal(r)
	}
	wantCode(t, "start-listen while bind in progress", x.tcp("start-listen", s), errConcurrencyConflict)
	wantCode(t, "start-connect while bind in progress", x.tcp("start-connect", s, x.net, addr(ln.Addr().String())), errConcurrencyConflict)
	wantCode(t, "local-address while bind in progress", x.tcp("local-address", s), errInvalidState)
	wantCode(t, "second start-bind", x.tcp("start-bind", s, x.net, addr("127.0.0.1:0")), errConcurrencyConflict)
	x.tcp("finish-bind", s)
	wantCode(t, "bind after finish-bind", x.tcp("start-bind", s, x.net, addr("127.0.0.1:0")), errInvalidState)
	wantCode(t, "finish-bind twice", x.tcp("finish-bind", s), errNotInProgress)
	x.tcp("start-listen", s)
	wantCode(t, "start-listen twice", x.tcp("start-listen", s), errConcurrencyConflict)
	x.tcp("finish-listen", s)
	wantCode(t, "connect on a listening socket", x.tcp("start-connect", s, x.net, addr(ln.Addr().String())), errInvalidState)
	wantCode(t, "start-listen on a listening socket", x.tcp("start-listen", s), errInvalidState)

	// A refused connect leaves the socket closed.
	dead, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := dead.Addr().String()
	dead.Close()
	c := x.newTCP()
	wantCode(t, "connect to a closed port", x.connect(c, deadAddr), errConnectionRefused)
	wantCode(t, "connect again after failure", x.tcp("start-connect", c, x.net, addr(ln.Addr().String())), errInvalidState)

	// Connected: a second connect is invalid-state, finish-connect again
	// is not-in-progress, binding is invalid-state.
	c = x.newTCP()
	okPayload(t, x.connect(c, ln.Addr().String()))
	wantCode(t, "connect twice", x.tcp("start-connect", c, x.net, addr(ln.Addr().String())), errInvalidState)
	wantCode(t, "finish-connect twice", x.tcp("finish-connect", c), errNotInProgress)
	wantCode(t, "bind when connected", x.tcp("start-bind", c, x.net, addr("127.0.0.1:0")), errInvalidState)
	wantCode(t, "listen when connected", x.tcp("start-listen", c), errInvalidState)

	// Options read back what was set.
	x.tcp("set-keep-alive-enabled", c, canon.Bool(true))
	if !okPayload(t, x.tcp("keep-alive-enabled", c)).Bool() {
		t.Error("keep-alive-enabled not kept")
	}
	x.tcp("set-hop-limit", c, canon.U8(9))
	if okPayload(t, x.tcp("hop-limit", c)).Uint() != 9 {
		t.Error("hop-limit not kept")
	}
	x.tcp("set-keep-alive-idle-time", c, canon.U64(uint64(1500*time.Millisecond)))
	if got := okPayload(t, x.tcp("keep-alive-idle-time", c)).Uint(); got != uint64(2*time.Second) {
		t.Errorf("keep-alive-idle-time %v, want 2s (whole seconds, rounded up)", time.Duration(got))
	}
}

func TestUDPEcho(t *testing.T) {
	srv, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	go func() {
		buf := make([]byte, 2048)
		for {
			n, from, err := srv.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			srv.WriteToUDPAddrPort(buf[:n], from)
		}
	}()
	x := newSockHost(t, loopback())
	s := borrow(okPayload(t, x.call(ifUDPCreate, "create-udp-socket", canon.Enum(0))))
	wantCode(t, "stream unbound", x.udp("[method]udp-socket.stream", s, canon.None()), errInvalidState)
	wantCode(t, "finish-bind without start", x.udp("[method]udp-socket.finish-bind", s), errNotInProgress)
	okPayload(t, x.udp("[method]udp-socket.start-bind", s, x.net, addr("127.0.0.1:0")))
	wantCode(t, "second start-bind", x.udp("[method]udp-socket.start-bind", s, x.net, addr("127.0.0.1:0")), errConcurrencyConflict)
	okPayload(t, x.udp("[method]udp-socket.finish-bind", s))
	srvAddr := addr(srv.LocalAddr().String())
	wantCode(t, "stream to port 0", x.udp("[method]udp-socket.stream", s, canon.Some(addr("127.0.0.1:0"))), errInvalidArgument)
	wantCode(t, "stream to a denied address", x.udp("[method]udp-socket.stream", s, canon.Some(addr("10.1.2.3:53"))), errAccessDenied)
	pair := okPayload(t, x.udp("[method]udp-socket.stream", s, canon.Some(srvAddr)))
	in, out := borrow(pair.Index(0)), borrow(pair.Index(1))
	if !okPayload(t, x.udp("[method]udp-socket.remote-address", s)).Equal(srvAddr) {
		t.Error("remote-address is not the stream's peer")
	}

	send := func(dgs ...canon.Value) canon.Value {
		f := x.h.defs[ifUDP+"#[method]outgoing-datagram-stream.send"].(runtime.HostFunc)
		res, err := f(context.Background(), []canon.Value{out, canon.List(dgs...)})
		if err != nil {
			return canon.String(err.Error()) // a trap
		}
		return res[0]
	}
	dg := func(s string, to canon.Value) canon.Value { return canon.Record(byteList([]byte(s)), to) }
	if r := send(dg("x", canon.None())); r.Kind() != canon.KindString || !strings.Contains(r.String(), "check-send") {
		t.Fatalf("send before check-send: %v, want a trap", r)
	}
	permit := okPayload(t, x.udp("[method]outgoing-datagram-stream.check-send", out)).Uint()
	if permit == 0 {
		t.Fatal("check-send granted nothing")
	}
	big := make([]canon.Value, permit+1)
	for i := range big {
		big[i] = dg("x", canon.None())
	}
	if r := send(big...); r.Kind() != canon.KindString {
		t.Fatalf("send above the permit: %v, want a trap", r)
	}
	wantCode(t, "send to another peer than the stream's", send(dg("x", canon.Some(addr("127.0.0.1:9")))), errInvalidArgument)
	if n := okPayload(t, send(dg("one", canon.None()), dg("two", canon.Some(srvAddr)))).Uint(); n != 2 {
		t.Fatalf("sent %d", n)
	}
	var got []string
	for len(got) < 2 {
		x.block(x.udp("[method]incoming-datagram-stream.subscribe", in))
		for _, d := range okPayload(t, x.udp("[method]incoming-datagram-stream.receive", in, canon.U64(10))).Elems() {
			got = append(got, string(bytesOf(d.Index(0))))
			if !d.Index(1).Equal(srvAddr) {
				t.Errorf("datagram from %v", d.Index(1))
			}
		}
	}
	if strings.Join(got, ",") != "one,two" {
		t.Fatalf("received %v", got)
	}
	// A new stream call retires the old pair.
	okPayload(t, x.udp("[method]udp-socket.stream", s, canon.None()))
	wantCode(t, "receive on a retired stream", x.udp("[method]incoming-datagram-stream.receive", in, canon.U64(1)), errInvalidState)
}

func TestNameLookup(t *testing.T) {
	x := newSockHost(t, Network{AllowNameLookup: true})
	lookup := func(name string) ([]string, canon.Value) {
		r := x.call(ifNameLookup, "resolve-addresses", x.net, canon.String(name))
		if r.Case() != 0 {
			return nil, r
		}
		st := borrow(okPayload(t, r))
		x.block(x.call(ifNameLookup, "[method]resolve-address-stream.subscribe", st))
		var out []string
		for {
			n := x.call(ifNameLookup, "[method]resolve-address-stream.resolve-next-address", st)
			if n.Case() != 0 {
				return out, n
			}
			p := okPayload(t, n)
			a, has := p.Payload()
			if !has {
				return out, n
			}
			var ip netip.Addr
			if a.Case() == 0 {
				ap, _ := sockAddr(canon.Variant(0, canon.Record(canon.U16(0), mustPayload(a))))
				ip = ap.Addr()
			} else {
				ap, _ := sockAddr(canon.Variant(1, canon.Record(canon.U16(0), canon.U32(0), mustPayload(a), canon.U32(0))))
				ip = ap.Addr()
			}
			out = append(out, ip.String())
		}
	}
	if got, _ := lookup("127.0.0.5"); strings.Join(got, ",") != "127.0.0.5" {
		t.Errorf("IP literal: %v", got)
	}
	if got, _ := lookup("::1"); strings.Join(got, ",") != "::1" {
		t.Errorf("IPv6 literal: %v", got)
	}
	if got, r := lookup("localhost"); len(got) == 0 {
		t.Errorf("localhost: nothing (%v)", r)
	}
	for _, bad := range []string{"", "bad name", "a..b", strings.Repeat("a", 300), "x/y"} {
		_, r := lookup(bad)
		wantCode(t, fmt.Sprintf("resolve %q", bad), r, errInvalidArgument)
	}
}

func mustPayload(v canon.Value) canon.Value { p, _ := v.Payload(); return p }

// TestSocketsDeadline: a guest blocked on a socket that never gets ready
// is stopped by its context's deadline.
func TestSocketsDeadline(t *testing.T) {
	x := newSockHost(t, loopback())
	s := x.newTCP()
	x.tcp("start-bind", s, x.net, addr("127.0.0.1:0"))
	x.tcp("finish-bind", s)
	x.tcp("start-listen", s)
	x.tcp("finish-listen", s)
	p := x.tcp("subscribe", s)
	poll := x.h.defs[ifPoll+"#poll"].(runtime.HostFunc)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := poll(ctx, []canon.Value{canon.List(borrow(p))})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("poll: %v, want the deadline", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("poll returned after %v", d)
	}
}

// TestSocketsNoGoroutineLeak: the goroutines behind connects, accepts,
// copies and datagram reads end when the guest's objects are released.
func TestSocketsNoGoroutineLeak(t *testing.T) {
	ln := echoListener(t)
	before := goruntime.NumGoroutine()
	x := newSockHost(t, loopback())
	for range 5 {
		s := x.newTCP()
		in, out := x.streams(okPayload(t, x.connect(s, ln.Addr().String())))
		host.BlockingWriteAndFlush(context.Background(), out, []byte("x"))
		readN(t, in, 1)
		l := x.newTCP()
		x.tcp("start-bind", l, x.net, addr("127.0.0.1:0"))
		x.tcp("finish-bind", l)
		x.tcp("start-listen", l)
		x.tcp("finish-listen", l)
		x.tcp("accept", l) // starts the background accept
		u := borrow(okPayload(t, x.call(ifUDPCreate, "create-udp-socket", canon.Enum(0))))
		x.udp("[method]udp-socket.start-bind", u, x.net, addr("127.0.0.1:0"))
		x.udp("[method]udp-socket.finish-bind", u)
		x.udp("[method]udp-socket.stream", u, canon.None())
	}
	if goruntime.NumGoroutine() <= before {
		t.Fatal("no goroutines started: the test checks nothing")
	}
	x.h.reset()
	deadline := time.Now().Add(5 * time.Second)
	for goruntime.NumGoroutine() > before+2 { // the echo server's own may linger
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines left, %d before\n%s", goruntime.NumGoroutine(), before, buf[:goruntime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestParseAddrPattern(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
		err  bool
	}{
		{"127.0.0.1", "127.0.0.1/32", false},
		{"10.0.0.0/8", "10.0.0.0/8", false},
		{"10.1.2.3/8:80", "10.0.0.0/8:80", false},
		{"127.0.0.1:8000-9000", "127.0.0.1/32:8000-9000", false},
		{"::1", "[::1/128]", false},
		{"[::1]:443", "[::1/128]:443", false},
		{"[fd00::/8]:1-2", "[fd00::/8]:1-2", false},
		{"*", "[::/0]", false},
		{"localhost", "", true},
		{"127.0.0.1:0", "", true},
		{"127.0.0.1:9-8", "", true},
		{"127.0.0.1:", "", true},
		{"[::1", "", true},
		{"10.0.0.0/33", "", true},
	} {
		p, err := ParseAddrPattern(c.in)
		if (err != nil) != c.err {
			t.Errorf("%q: error %v", c.in, err)
			continue
		}
		if err == nil && p.String() != c.want {
			t.Errorf("%q: %s, want %s", c.in, p, c.want)
		}
	}
	star, _ := ParseAddrPattern("*")
	if !star.Admits(netip.MustParseAddrPort("1.2.3.4:5")) || !star.Admits(netip.MustParseAddrPort("[::1]:5")) {
		t.Error("* does not admit everything")
	}
}

func dbg(t *testing.T, v canon.Value) canon.Value {
	t.Helper()
	if v.Case() != 0 {
		p, _ := v.Payload()
		t.Fatalf("error %v", sockErr(p.Case()))
	}
	p, _ := v.Payload()
	return p
}

// TestSocketsLimit: a guest opening sockets in a loop gets
// new-socket-limit instead of the host's descriptors, and closing one
// makes room again.
func TestSocketsLimit(t *testing.T) {
	x := newSockHost(t, loopback())
	var last canon.Value
	for i := 0; i < maxSockets; i++ {
		last = okPayload(t, x.call(ifTCPCreate, "create-tcp-socket", canon.Enum(0)))
	}
	wantCode(t, "one socket too many", x.call(ifUDPCreate, "create-udp-socket", canon.Enum(0)), errNewSocketLimit)
	if err := x.h.drop(context.Background(), last.Handle()); err != nil {
		t.Fatal(err)
	}
	okPayload(t, x.call(ifUDPCreate, "create-udp-socket", canon.Enum(0)))
}

// TestTCPBindThenConnect: a socket bound first connects from its bound
// address.
func TestTCPBindThenConnect(t *testing.T) {
	ln := echoListener(t)
	x := newSockHost(t, loopback())
	s := x.newTCP()
	okPayload(t, x.tcp("start-bind", s, x.net, addr("127.0.0.1:0")))
	okPayload(t, x.tcp("finish-bind", s))
	bound := okPayload(t, x.tcp("local-address", s))
	okPayload(t, x.connect(s, ln.Addr().String()))
	if got := okPayload(t, x.tcp("local-address", s)); !got.Equal(bound) {
		t.Fatalf("connected from %v, bound to %v", got, bound)
	}
}

// TestNetworkErrorCode: a stream's error from the network tells its
// error-code; other errors tell none.
func TestNetworkErrorCode(t *testing.T) {
	x := newSockHost(t, loopback())
	for _, c := range []struct {
		err  error
		want int
	}{
		{&net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, int(errConnectionReset)},
		{errTimeout, int(errTimeout)},
		{errors.New("not a network error"), -1},
	} {
		e, err := x.h.add(&host.StreamError{Err: c.err})
		if err != nil {
			t.Fatal(err)
		}
		got := x.call(ifNetwork, "network-error-code", borrow(e))
		p, has := got.Payload()
		if !has && c.want != -1 || has && int(p.Case()) != c.want {
			t.Errorf("%v: %v, want %d", c.err, got, c.want)
		}
	}
}

// TestTCPBoundNotListening: a bound socket refuses connections until it
// listens, as the WIT's bound state does.
func TestTCPBoundNotListening(t *testing.T) {
	switch goruntime.GOOS {
	case "linux", "darwin", "freebsd", "netbsd", "openbsd":
	default:
		t.Skip("skipped: binding without listening needs Unix descriptors")
	}
	x := newSockHost(t, loopback())
	s := x.newTCP()
	okPayload(t, x.tcp("start-bind", s, x.net, addr("127.0.0.1:0")))
	okPayload(t, x.tcp("finish-bind", s))
	ap, _ := sockAddr(okPayload(t, x.tcp("local-address", s)))
	if c, err := net.Dial("tcp4", ap.String()); err == nil {
		c.Close()
		t.Fatal("a bound socket that does not listen accepted a connection")
	}
	c := x.newTCP()
	wantCode(t, "connect to a bound socket", x.connect(c, ap.String()), errConnectionRefused)
	x.tcp("set-listen-backlog-size", s, canon.U64(4))
	okPayload(t, x.tcp("start-listen", s))
	okPayload(t, x.tcp("finish-listen", s))
	conn, err := net.Dial("tcp4", ap.String())
	if err != nil {
		t.Fatalf("after listen: %v", err)
	}
	conn.Close()
	// A second bind to the address in use is address-in-use.
	d := x.newTCP()
	wantCode(t, "bind to a port in use", x.tcp("start-bind", d, x.net, addr(ap.String())), errAddressInUse)
}

// TestTCPIPv6: an IPv6 socket listens on ::1 and a second connects to it;
// addresses come back as ipv6-socket-address.
func TestTCPIPv6(t *testing.T) {
	if l, err := net.Listen("tcp6", "[::1]:0"); err != nil {
		t.Skipf("skipped: no IPv6 loopback here: %v", err)
	} else {
		l.Close()
	}
	x := newSockHost(t, Network{AllowTCP: true, AllowedAddrs: []AddrPattern{{Prefix: netip.MustParsePrefix("::1/128")}}})
	l := borrow(okPayload(t, x.call(ifTCPCreate, "create-tcp-socket", canon.Enum(1))))
	okPayload(t, x.tcp("start-bind", l, x.net, addr("[::1]:0")))
	okPayload(t, x.tcp("finish-bind", l))
	okPayload(t, x.tcp("start-listen", l))
	okPayload(t, x.tcp("finish-listen", l))
	local := okPayload(t, x.tcp("local-address", l))
	if local.Case() != 1 {
		t.Fatalf("local-address of an IPv6 socket: %v", local)
	}
	ap, _ := sockAddr(local)
	c := borrow(okPayload(t, x.call(ifTCPCreate, "create-tcp-socket", canon.Enum(1))))
	wantCode(t, "IPv4 address on an IPv6 socket", x.tcp("start-connect", c, x.net, addr("127.0.0.1:80")), errInvalidArgument)
	wantCode(t, "IPv4-mapped address on an IPv6 socket", x.tcp("start-connect", c, x.net, addr("[::ffff:127.0.0.1]:80")), errInvalidArgument)
	in, out := x.streams(okPayload(t, x.connect(c, ap.String())))
	x.block(x.tcp("subscribe", l))
	acc := okPayload(t, x.tcp("accept", l))
	ain, aout := x.streams(canon.Tuple(acc.Index(1), acc.Index(2)))
	host.BlockingWriteAndFlush(context.Background(), out, []byte("six"))
	if got := readN(t, ain, 3); got != "six" {
		t.Fatalf("accepted side read %q", got)
	}
	host.BlockingWriteAndFlush(context.Background(), aout, []byte("ok"))
	if got := readN(t, in, 2); got != "ok" {
		t.Fatalf("client read %q", got)
	}
	if r := okPayload(t, x.tcp("remote-address", c)); !r.Equal(local) {
		t.Errorf("remote-address %v, want %v", r, local)
	}
}

// BenchmarkTCPRoundTrip: one 1 KiB write and its echo read back through a
// guest's connection streams, against a Go echo server on 127.0.0.1.
func BenchmarkTCPRoundTrip(b *testing.B) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	h, err := newHost(Config{Network: loopback()})
	if err != nil {
		b.Fatal(err)
	}
	h.defs = map[string]any{}
	if err := h.define(runtime.NewLinker()); err != nil {
		b.Fatal(err)
	}
	defer h.reset()
	call := func(iface, name string, args ...canon.Value) canon.Value {
		res, err := h.defs[iface+"#"+name].(runtime.HostFunc)(context.Background(), args)
		if err != nil {
			b.Fatal(err)
		}
		if len(res) == 0 {
			return canon.Value{}
		}
		return res[0]
	}
	netv := borrow(call(ifInstanceNetwork, "instance-network"))
	s := borrow(mustPayload(call(ifTCPCreate, "create-tcp-socket", canon.Enum(0))))
	if r := call(ifTCP, "[method]tcp-socket.start-connect", s, netv, addr(ln.Addr().String())); r.Case() != 0 {
		b.Fatal(r)
	}
	p, _ := get[host.Pollable](h, call(ifTCP, "[method]tcp-socket.subscribe", s), "pollable")
	if err := host.Block(context.Background(), p); err != nil {
		b.Fatal(err)
	}
	r := call(ifTCP, "[method]tcp-socket.finish-connect", s)
	if r.Case() != 0 {
		b.Fatal(r)
	}
	in, _ := get[host.InputStream](h, mustPayload(r).Index(0), "input-stream")
	out, _ := get[host.OutputStream](h, mustPayload(r).Index(1), "output-stream")
	msg := make([]byte, 1024)
	ctx := context.Background()
	b.SetBytes(int64(len(msg)))
	b.ResetTimer()
	for range b.N {
		for off := 0; off < len(msg); off += host.BlockingLimit {
			if err := host.BlockingWriteAndFlush(ctx, out, msg[off:min(off+host.BlockingLimit, len(msg))]); err != nil {
				b.Fatal(err)
			}
		}
		for got := 0; got < len(msg); {
			p, err := in.BlockingRead(ctx, uint64(len(msg)-got))
			if err != nil {
				b.Fatal(err)
			}
			got += len(p)
		}
	}
}

// TestUDPStreamFilters: streams to a peer receive only that peer's
// datagrams; streams without one receive everyone's and must name the
// destination of each send.
func TestUDPStreamFilters(t *testing.T) {
	x := newSockHost(t, loopback())
	s := borrow(okPayload(t, x.call(ifUDPCreate, "create-udp-socket", canon.Enum(0))))
	okPayload(t, x.udp("[method]udp-socket.start-bind", s, x.net, addr("127.0.0.1:0")))
	okPayload(t, x.udp("[method]udp-socket.finish-bind", s))
	local, _ := sockAddr(okPayload(t, x.udp("[method]udp-socket.local-address", s)))
	peer := func() *net.UDPConn {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	a, b := peer(), peer()
	pair := okPayload(t, x.udp("[method]udp-socket.stream", s, canon.Some(addr(a.LocalAddr().String()))))
	in := borrow(pair.Index(0))
	to := net.UDPAddrFromAddrPort(local)
	b.WriteToUDP([]byte("from b"), to)
	a.WriteToUDP([]byte("from a"), to)
	x.block(x.udp("[method]incoming-datagram-stream.subscribe", in))
	got := okPayload(t, x.udp("[method]incoming-datagram-stream.receive", in, canon.U64(10))).Elems()
	if len(got) != 1 || string(bytesOf(got[0].Index(0))) != "from a" {
		t.Fatalf("connected stream received %d datagrams, first %q", len(got), bytesOf(got[0].Index(0)))
	}
	// Unconnected: both peers are heard; a send must name its destination.
	pair = okPayload(t, x.udp("[method]udp-socket.stream", s, canon.None()))
	in, out := borrow(pair.Index(0)), borrow(pair.Index(1))
	wantCode(t, "remote-address unconnected", x.udp("[method]udp-socket.remote-address", s), errInvalidState)
	b.WriteToUDP([]byte("b again"), to)
	x.block(x.udp("[method]incoming-datagram-stream.subscribe", in))
	got = okPayload(t, x.udp("[method]incoming-datagram-stream.receive", in, canon.U64(10))).Elems()
	if len(got) != 1 || string(bytesOf(got[0].Index(0))) != "b again" || !got[0].Index(1).Equal(addr(b.LocalAddr().String())) {
		t.Fatalf("unconnected stream received %v", got)
	}
	okPayload(t, x.udp("[method]outgoing-datagram-stream.check-send", out))
	if n := okPayload(t, x.udp("[method]outgoing-datagram-stream.send", out,
		canon.List(canon.Record(byteList([]byte("to b")), canon.Some(addr(b.LocalAddr().String())))))).Uint(); n != 1 {
		t.Fatalf("sent %d", n)
	}
	buf := make([]byte, 16)
	b.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, from, err := b.ReadFromUDPAddrPort(buf)
	if err != nil || string(buf[:n]) != "to b" || from != local {
		t.Fatalf("b read %q from %v: %v", buf[:n], from, err)
	}
	big := make([]byte, maxDatagram+1)
	wantCode(t, "oversized datagram", x.udp("[method]outgoing-datagram-stream.send", out,
		canon.List(canon.Record(byteList(big), canon.Some(addr(b.LocalAddr().String()))))), errDatagramTooLarge)
}
