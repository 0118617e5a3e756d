package wasi

import (
	"context"
	"io"
	"math"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/runtime/wasi/internal/host"
)

// tcpState is where a tcp-socket is in the WIT's state machine.
type tcpState uint8

const (
	tcpUnbound tcpState = iota
	tcpBindStarted
	tcpBound
	tcpListenStarted
	tcpListening
	tcpConnecting // start-connect called; the dial runs in the background
	tcpConnected
	tcpClosed // a connect failed: the socket is of no further use
)

// tcpSendBuffer is what an output-stream of a connection buffers before
// check-write grants no more, so that a guest never blocks in a write.
const tcpSendBuffer = 64 << 10

// tcpSocket is the object behind tcp-socket.
//
// A bound socket is a boundTCP (on Unix a bound descriptor that does not
// listen yet); listening makes it a Go listener, and a bound socket that
// connects gives up its descriptor and dials from its address.
type tcpSocket struct {
	h      *Host
	family family

	mu      sync.Mutex
	state   tcpState
	bound   boundTCP // bound, not listening
	ln      *net.TCPListener
	conn    *net.TCPConn
	pipe    *host.Pipe // the send side of conn
	changed signal

	// the background dial
	cancel  context.CancelFunc
	dialed  *net.TCPConn
	dialErr error
	dialEnd bool

	// the accept running ahead of the guest, one connection at a time
	accepting bool
	pending   *net.TCPConn
	acceptErr error

	opts    tcpOptions
	counted bool // in h.sockets until closed
}

// tcpOptions are the socket options a guest sets; accepted sockets
// inherit them, and a later connection or listener gets them applied.
type tcpOptions struct {
	keepAlive              bool
	keepIdle, keepInterval time.Duration
	keepCount              uint32
	hopLimit               uint8
	recvBuffer, sendBuffer uint64
	backlog                uint64
}

func defaultTCPOptions() tcpOptions {
	return tcpOptions{keepIdle: 2 * time.Hour, keepInterval: 75 * time.Second, keepCount: 9,
		hopLimit: 64, recvBuffer: 128 << 10, sendBuffer: 128 << 10, backlog: 128}
}

// apply sets the options on a connection.
func (o tcpOptions) apply(c *net.TCPConn, f family) {
	c.SetKeepAliveConfig(net.KeepAliveConfig{Enable: o.keepAlive, Idle: o.keepIdle, Interval: o.keepInterval, Count: int(o.keepCount)})
	c.SetReadBuffer(int(min(o.recvBuffer, math.MaxInt32)))
	c.SetWriteBuffer(int(min(o.sendBuffer, math.MaxInt32)))
	setHopLimit(c, f, o.hopLimit)
}

func (s *tcpSocket) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closeLocked()
	return nil
}

func (s *tcpSocket) closeLocked() {
	s.h.closeSocket(&s.counted)
	if s.cancel != nil {
		s.cancel()
	}
	if s.bound != nil {
		s.bound.close()
		s.bound = nil
	}
	if s.ln != nil {
		s.ln.Close()
	}
	if s.pending != nil {
		s.pending.Close()
		s.pending = nil
	}
	if s.dialed != nil {
		s.dialed.Close()
		s.dialed = nil
	}
	if s.conn != nil {
		s.conn.Close()
	}
	if s.pipe != nil {
		s.pipe.CloseWrite(net.ErrClosed)
	}
	s.changed.fire()
}

// startBind binds.
func (s *tcpSocket) startBind(ap netip.AddrPort, af family) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := checkAddr(ap, af, s.family); err != nil {
		return err
	}
	switch s.state {
	case tcpUnbound:
	case tcpBindStarted, tcpListenStarted, tcpConnecting:
		// Another start is pending: network.error-code's concurrency-conflict,
		// as wasmtime answers too.
		return errConcurrencyConflict
	default:
		return errInvalidState
	}
	if !s.h.bindAllowed(ap) {
		return errAccessDenied
	}
	if ap.Addr().IsMulticast() {
		return errInvalidArgument
	}
	b, err := bindTCP(s.family, ap)
	if err != nil {
		return netCode(err)
	}
	s.bound = b
	s.state = tcpBindStarted
	return nil
}

func (s *tcpSocket) finishBind() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != tcpBindStarted {
		return errNotInProgress
	}
	s.state = tcpBound
	return nil
}

func (s *tcpSocket) startConnect(ap netip.AddrPort, af family) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := checkRemote(ap, af, s.family); err != nil {
		return err
	}
	switch s.state {
	case tcpBindStarted, tcpListenStarted, tcpConnecting:
		return errConcurrencyConflict
	case tcpListening, tcpConnected, tcpClosed:
		return errInvalidState
	}
	if !s.h.addrAllowed(ap) {
		return errAccessDenied
	}
	dialer := net.Dialer{}
	if s.bound != nil {
		// Bound first: dial from the bound address, which closing the
		// bound descriptor just freed.
		dialer.LocalAddr = net.TCPAddrFromAddrPort(s.bound.addr())
		dialer.Control = reuseAddr
		s.bound.close()
		s.bound = nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.state = tcpConnecting
	s.dialEnd = false
	go func() {
		c, err := dialer.DialContext(ctx, s.family.net("tcp"), ap.String())
		s.mu.Lock()
		defer s.mu.Unlock()
		if ctx.Err() != nil && c != nil { // closed while dialing
			c.Close()
			c = nil
		}
		cancel()
		if c != nil {
			s.dialed = c.(*net.TCPConn)
		}
		s.dialErr, s.dialEnd = err, true
		s.changed.fire()
	}()
	return nil
}

// finishConnect returns the connection's streams.
func (s *tcpSocket) finishConnect() (host.InputStream, host.OutputStream, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != tcpConnecting {
		return nil, nil, errNotInProgress
	}
	if !s.dialEnd {
		return nil, nil, errWouldBlock
	}
	if s.dialErr != nil || s.dialed == nil {
		s.state = tcpClosed
		if s.dialErr == nil {
			return nil, nil, errConnectionAborted
		}
		return nil, nil, netCode(s.dialErr)
	}
	s.conn, s.dialed = s.dialed, nil
	s.state = tcpConnected
	s.opts.apply(s.conn, s.family)
	in, out := s.streamsLocked()
	return in, out, nil
}

// streamsLocked makes the input and output streams of s.conn: reads by
// the existing wasi:io reader, writes into a pipe a goroutine copies to
// the connection, so that the guest never blocks on the network.
func (s *tcpSocket) streamsLocked() (host.InputStream, host.OutputStream) {
	s.pipe = host.NewPipe(tcpSendBuffer, &s.h.httpBudget)
	go func(conn *net.TCPConn, p *host.Pipe) {
		if _, err := io.Copy(conn, p); err != nil {
			p.CloseRead(err)
			return
		}
		conn.CloseWrite() // shutdown(send), once the buffered bytes went out
	}(s.conn, s.pipe)
	return host.NewReaderStream(s.conn), s.pipe.Stream()
}

func (s *tcpSocket) startListen() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch s.state {
	case tcpBindStarted, tcpListenStarted, tcpConnecting:
		return errConcurrencyConflict
	case tcpBound:
		ln, err := s.bound.listen(int(min(s.opts.backlog, math.MaxInt32)))
		if err != nil {
			return netCode(err)
		}
		s.bound, s.ln = nil, ln
		s.state = tcpListenStarted
		return nil
	}
	return errInvalidState
}

func (s *tcpSocket) finishListen() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != tcpListenStarted {
		return errNotInProgress
	}
	s.state = tcpListening
	return nil
}

// fillAccept starts a background accept when none runs and none waits.
// Called with s.mu held.
func (s *tcpSocket) fillAccept() {
	if s.accepting || s.pending != nil || s.acceptErr != nil || s.ln == nil {
		return
	}
	s.accepting = true
	go func(ln *net.TCPListener) {
		var c *net.TCPConn
		var err error
		for {
			c, err = ln.AcceptTCP()
			if err != nil || s.h.addrAllowed(netAddrPort(c.RemoteAddr())) {
				break
			}
			c.Close() // a peer the guest was not granted never reaches it
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		s.accepting = false
		if s.state != tcpListening || s.ln != ln {
			if c != nil {
				c.Close()
			}
			return
		}
		s.pending, s.acceptErr = c, err
		s.changed.fire()
	}(s.ln)
}

func (s *tcpSocket) accept() (*tcpSocket, host.InputStream, host.OutputStream, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != tcpListening {
		return nil, nil, nil, errInvalidState
	}
	if s.acceptErr != nil {
		err := s.acceptErr
		s.acceptErr = nil
		return nil, nil, nil, netCode(err)
	}
	if s.pending == nil {
		s.fillAccept()
		return nil, nil, nil, errWouldBlock
	}
	if err := s.h.openSocket(); err != nil {
		return nil, nil, nil, err // the connection waits for a socket to close
	}
	c := &tcpSocket{h: s.h, family: s.family, state: tcpConnected, conn: s.pending, opts: s.opts, counted: true}
	s.pending = nil
	s.fillAccept()
	c.opts.apply(c.conn, c.family)
	in, out := c.streamsLocked()
	return c, in, out, nil
}

func (s *tcpSocket) localAddress() (netip.AddrPort, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.conn != nil:
		return netAddrPort(s.conn.LocalAddr()), nil
	case s.bound != nil && s.state != tcpBindStarted:
		return s.bound.addr(), nil
	case s.ln != nil:
		return netAddrPort(s.ln.Addr()), nil
	}
	return netip.AddrPort{}, errInvalidState
}

func (s *tcpSocket) remoteAddress() (netip.AddrPort, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != tcpConnected {
		return netip.AddrPort{}, errInvalidState
	}
	return netAddrPort(s.conn.RemoteAddr()), nil
}

// ready is the subscribe pollable's test: a connect that finished, a
// connection to accept; in any other state the socket is ready.
func (s *tcpSocket) ready() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch s.state {
	case tcpConnecting:
		return s.dialEnd
	case tcpListening:
		s.fillAccept()
		return s.pending != nil || s.acceptErr != nil
	}
	return true
}

func (s *tcpSocket) wait() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed.wait()
}

func (s *tcpSocket) shutdown(how uint32) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != tcpConnected {
		return errInvalidState
	}
	if how == 0 || how == 2 { // receive, both
		s.conn.CloseRead()
	}
	if how == 1 || how == 2 { // send, both
		s.pipe.CloseWrite(nil)
	}
	return nil
}

// setOpt changes an option under the lock, and applies it to a live
// connection.
func (s *tcpSocket) setOpt(valid bool, set func(*tcpOptions)) error {
	if !valid {
		return errInvalidArgument
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	set(&s.opts)
	if s.conn != nil {
		s.opts.apply(s.conn, s.family)
	}
	return nil
}

func (s *tcpSocket) getOpts() tcpOptions {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opts
}

func (h *Host) defineTCP(d *definer) {
	d.resource(ifTCP, "tcp-socket", h.drop)
	d.fn(ifTCPCreate, "create-tcp-socket", func(_ context.Context, args []canon.Value) ([]canon.Value, error) {
		if !h.cfg.Network.AllowTCP {
			return sockResult(canon.Value{}, errAccessDenied)
		}
		if err := h.openSocket(); err != nil {
			return sockResult(canon.Value{}, err)
		}
		s := &tcpSocket{h: h, family: family(args[0].Case()), opts: defaultTCPOptions(), counted: true}
		v, err := h.add(s)
		if err != nil {
			s.Close()
			return sockResult(canon.Value{}, errNewSocketLimit)
		}
		return one(canon.Ok(v)), nil
	})
	// method defines a method taking the socket and returning a result.
	method := func(name string, f func(s *tcpSocket, args []canon.Value) (canon.Value, error)) {
		defineMethod(d, h, ifTCP, "[method]tcp-socket."+name, func(_ context.Context, s *tcpSocket, args []canon.Value) ([]canon.Value, error) {
			return sockResult(f(s, args))
		})
	}
	withNetwork := func(op func(s *tcpSocket, ap netip.AddrPort, af family) error) func(*tcpSocket, []canon.Value) (canon.Value, error) {
		return func(s *tcpSocket, args []canon.Value) (canon.Value, error) {
			if _, err := get[network](h, args[1], "network"); err != nil {
				return canon.Value{}, err
			}
			ap, af := sockAddr(args[2])
			return canon.Value{}, op(s, ap, af)
		}
	}
	method("start-bind", withNetwork((*tcpSocket).startBind))
	method("finish-bind", func(s *tcpSocket, _ []canon.Value) (canon.Value, error) { return canon.Value{}, s.finishBind() })
	method("start-connect", withNetwork((*tcpSocket).startConnect))
	method("finish-connect", func(s *tcpSocket, _ []canon.Value) (canon.Value, error) {
		in, out, err := s.finishConnect()
		if err != nil {
			return canon.Value{}, err
		}
		return h.addStreams(in, out)
	})
	method("start-listen", func(s *tcpSocket, _ []canon.Value) (canon.Value, error) { return canon.Value{}, s.startListen() })
	method("finish-listen", func(s *tcpSocket, _ []canon.Value) (canon.Value, error) { return canon.Value{}, s.finishListen() })
	method("accept", func(s *tcpSocket, _ []canon.Value) (canon.Value, error) {
		c, in, out, err := s.accept()
		if err != nil {
			return canon.Value{}, err
		}
		sv, err := h.add(c)
		if err != nil {
			c.Close()
			in.Close()
			return canon.Value{}, err
		}
		streams, err := h.addStreams(in, out)
		if err != nil {
			return canon.Value{}, err
		}
		return canon.Tuple(sv, streams.Index(0), streams.Index(1)), nil
	})
	method("local-address", func(s *tcpSocket, _ []canon.Value) (canon.Value, error) {
		ap, err := s.localAddress()
		if err != nil {
			return canon.Value{}, err
		}
		return sockAddrValue(ap, s.family), nil
	})
	method("remote-address", func(s *tcpSocket, _ []canon.Value) (canon.Value, error) {
		ap, err := s.remoteAddress()
		if err != nil {
			return canon.Value{}, err
		}
		return sockAddrValue(ap, s.family), nil
	})
	defineMethod(d, h, ifTCP, "[method]tcp-socket.is-listening", func(_ context.Context, s *tcpSocket, args []canon.Value) ([]canon.Value, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		return one(canon.Bool(s.state == tcpListening)), nil
	})
	defineMethod(d, h, ifTCP, "[method]tcp-socket.address-family", func(_ context.Context, s *tcpSocket, args []canon.Value) ([]canon.Value, error) {
		return one(canon.Enum(uint32(s.family))), nil
	})
	method("set-listen-backlog-size", func(s *tcpSocket, args []canon.Value) (canon.Value, error) {
		s.mu.Lock()
		st := s.state
		s.mu.Unlock()
		if st == tcpConnecting || st == tcpConnected {
			return canon.Value{}, errInvalidState
		}
		// The size is the listen call's; a socket listening already keeps
		// the one it listened with.
		v := args[1].Uint()
		return canon.Value{}, s.setOpt(v > 0, func(o *tcpOptions) { o.backlog = v })
	})
	method("keep-alive-enabled", func(s *tcpSocket, _ []canon.Value) (canon.Value, error) {
		return canon.Bool(s.getOpts().keepAlive), nil
	})
	method("set-keep-alive-enabled", func(s *tcpSocket, args []canon.Value) (canon.Value, error) {
		v := args[1].Bool()
		return canon.Value{}, s.setOpt(true, func(o *tcpOptions) { o.keepAlive = v })
	})
	method("keep-alive-idle-time", func(s *tcpSocket, _ []canon.Value) (canon.Value, error) {
		return canon.U64(uint64(s.getOpts().keepIdle)), nil
	})
	method("set-keep-alive-idle-time", func(s *tcpSocket, args []canon.Value) (canon.Value, error) {
		v := args[1].Uint()
		// Kernels keep whole seconds: round up, so a small time stays non-zero.
		dur := time.Duration(min(v, uint64(math.MaxInt32)*uint64(time.Second)))
		dur = (dur + time.Second - 1).Truncate(time.Second)
		return canon.Value{}, s.setOpt(v > 0, func(o *tcpOptions) { o.keepIdle = dur })
	})
	method("keep-alive-interval", func(s *tcpSocket, _ []canon.Value) (canon.Value, error) {
		return canon.U64(uint64(s.getOpts().keepInterval)), nil
	})
	method("set-keep-alive-interval", func(s *tcpSocket, args []canon.Value) (canon.Value, error) {
		v := args[1].Uint()
		dur := time.Duration(min(v, uint64(math.MaxInt32)*uint64(time.Second)))
		dur = (dur + time.Second - 1).Truncate(time.Second)
		return canon.Value{}, s.setOpt(v > 0, func(o *tcpOptions) { o.keepInterval = dur })
	})
	method("keep-alive-count", func(s *tcpSocket, _ []canon.Value) (canon.Value, error) {
		return canon.U32(s.getOpts().keepCount), nil
	})
	method("set-keep-alive-count", func(s *tcpSocket, args []canon.Value) (canon.Value, error) {
		v := uint32(args[1].Uint())
		return canon.Value{}, s.setOpt(v > 0 && v <= 127, func(o *tcpOptions) { o.keepCount = v })
	})
	method("hop-limit", func(s *tcpSocket, _ []canon.Value) (canon.Value, error) {
		return canon.U8(s.getOpts().hopLimit), nil
	})
	method("set-hop-limit", func(s *tcpSocket, args []canon.Value) (canon.Value, error) {
		v := uint8(args[1].Uint())
		return canon.Value{}, s.setOpt(v > 0, func(o *tcpOptions) { o.hopLimit = v })
	})
	method("receive-buffer-size", func(s *tcpSocket, _ []canon.Value) (canon.Value, error) {
		return canon.U64(s.getOpts().recvBuffer), nil
	})
	method("set-receive-buffer-size", func(s *tcpSocket, args []canon.Value) (canon.Value, error) {
		v := args[1].Uint()
		return canon.Value{}, s.setOpt(v > 0, func(o *tcpOptions) { o.recvBuffer = min(v, math.MaxInt32) })
	})
	method("send-buffer-size", func(s *tcpSocket, _ []canon.Value) (canon.Value, error) {
		return canon.U64(s.getOpts().sendBuffer), nil
	})
	method("set-send-buffer-size", func(s *tcpSocket, args []canon.Value) (canon.Value, error) {
		v := args[1].Uint()
		return canon.Value{}, s.setOpt(v > 0, func(o *tcpOptions) { o.sendBuffer = min(v, math.MaxInt32) })
	})
	defineMethod(d, h, ifTCP, "[method]tcp-socket.subscribe", func(_ context.Context, s *tcpSocket, args []canon.Value) ([]canon.Value, error) {
		v, err := h.add(condPollable{ready: s.ready, wait: s.wait})
		return one(v), err
	})
	method("shutdown", func(s *tcpSocket, args []canon.Value) (canon.Value, error) {
		return canon.Value{}, s.shutdown(args[1].Case())
	})
}

// addStreams gives the guest a connection's streams, as the tuple
// finish-connect and accept return.
func (h *Host) addStreams(in host.InputStream, out host.OutputStream) (canon.Value, error) {
	iv, err := h.add(in)
	if err != nil {
		return canon.Value{}, err
	}
	ov, err := h.add(out)
	if err != nil {
		h.table.Remove(iv.Handle())
		return canon.Value{}, err
	}
	return canon.Tuple(iv, ov), nil
}
