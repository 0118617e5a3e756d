package wasi

import (
	"context"
	"fmt"
	"math"
	"net"
	"net/netip"
	"sync"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/runtime/wasi/internal/host"
)

const (
	// maxDatagram is the largest UDP payload over IPv4; larger sends get
	// datagram-too-large.
	maxDatagram = 65507
	// udpQueue bounds the datagrams received ahead of the guest; more are
	// dropped, as a full kernel buffer drops them.
	udpQueue = 64
	// udpSendPermit is what check-send grants at a time.
	udpSendPermit = 64
	// maxReceive bounds one receive's list, whatever max-results says.
	maxReceive = udpQueue
)

type datagram struct {
	data []byte
	from netip.AddrPort
}

// udpSocket is the object behind udp-socket. Binding opens the Go socket
// at once; stream only changes which peer the streams talk with, as the
// WIT says.
type udpSocket struct {
	h      *Host
	family family

	mu         sync.Mutex
	bindState  tcpState // tcpUnbound, tcpBindStarted or tcpBound
	conn       *net.UDPConn
	remote     netip.AddrPort // the peer of the streams, when valid
	generation int            // which stream call the live streams come from
	changed    signal

	// datagrams received by the background reader
	reading bool
	queue   []datagram
	recvErr error

	hopLimit               uint8
	recvBuffer, sendBuffer uint64
	counted                bool // in h.sockets until closed
}

func (s *udpSocket) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil {
		s.conn.Close()
	}
	s.h.closeSocket(&s.counted)
	s.giveQueue(s.queue)
	s.queue = nil
	s.generation = -1
	s.changed.fire()
	return nil
}

func (s *udpSocket) startBind(ap netip.AddrPort, af family) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := checkAddr(ap, af, s.family); err != nil {
		return err
	}
	switch s.bindState {
	case tcpUnbound:
	case tcpBindStarted:
		return errConcurrencyConflict // the bind is pending
	default:
		return errInvalidState
	}
	if !s.h.bindAllowed(ap) {
		return errAccessDenied
	}
	c, err := net.ListenUDP(s.family.net("udp"), net.UDPAddrFromAddrPort(ap))
	if err != nil {
		return netCode(err)
	}
	s.conn = c
	s.bindState = tcpBindStarted
	s.applyLocked()
	return nil
}

func (s *udpSocket) applyLocked() {
	if s.conn == nil {
		return
	}
	s.conn.SetReadBuffer(int(min(s.recvBuffer, math.MaxInt32)))
	s.conn.SetWriteBuffer(int(min(s.sendBuffer, math.MaxInt32)))
	setHopLimit(s.conn, s.family, s.hopLimit)
}

func (s *udpSocket) finishBind() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bindState != tcpBindStarted {
		return errNotInProgress
	}
	s.bindState = tcpBound
	return nil
}

// stream associates the socket with remote (or none) and returns the
// generation the new streams carry: older streams stop working.
func (s *udpSocket) stream(remote *netip.AddrPort, af family) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if remote != nil {
		if err := checkRemote(*remote, af, s.family); err != nil {
			return 0, err
		}
	}
	if s.bindState != tcpBound {
		return 0, errInvalidState
	}
	if remote != nil && !s.h.addrAllowed(*remote) {
		return 0, errAccessDenied
	}
	s.remote = netip.AddrPort{}
	if remote != nil {
		s.remote = *remote
	}
	s.generation++
	// Datagrams queued for the old association are not the new one's.
	s.giveQueue(s.queue)
	s.queue = nil
	s.fillLocked()
	return s.generation, nil
}

// fillLocked keeps one background read running while the queue has room.
func (s *udpSocket) fillLocked() {
	if s.reading || s.conn == nil || len(s.queue) >= udpQueue || s.recvErr != nil {
		return
	}
	s.reading = true
	go func(c *net.UDPConn) {
		buf := make([]byte, maxDatagram+1)
		for {
			n, from, err := c.ReadFromUDPAddrPort(buf)
			s.mu.Lock()
			if err != nil {
				s.reading = false
				if s.conn == c && s.generation >= 0 {
					s.recvErr = err
				}
				s.changed.fire()
				s.mu.Unlock()
				return
			}
			from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
			if s.family == ipv6 {
				from = netip.AddrPortFrom(netip.AddrFrom16(from.Addr().As16()), from.Port())
			}
			// Queued bytes are charged to the guest's buffer budget, so
			// that many sockets cannot make the host hold many queues;
			// what does not fit is dropped, as a full socket buffer drops.
			// Datagrams from peers not granted are dropped like others.
			if (!s.remote.IsValid() || s.remote == from) && s.h.addrAllowed(from) && len(s.queue) < udpQueue && s.h.httpBudget.Take(n) {
				s.queue = append(s.queue, datagram{append([]byte(nil), buf[:n]...), from})
				s.changed.fire()
			}
			if len(s.queue) >= udpQueue {
				s.reading = false
				s.mu.Unlock()
				return
			}
			s.mu.Unlock()
		}
	}(s.conn)
}

func (s *udpSocket) receive(gen int, max uint64) ([]datagram, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if gen != s.generation {
		return nil, errInvalidState
	}
	if len(s.queue) == 0 && s.recvErr != nil {
		err := s.recvErr
		s.recvErr = nil
		s.fillLocked()
		return nil, netCode(err)
	}
	n := min(max, uint64(len(s.queue)), maxReceive)
	out := s.queue[:n:n]
	s.giveQueue(out)
	s.queue = append([]datagram(nil), s.queue[n:]...)
	s.fillLocked()
	return out, nil
}

func (s *udpSocket) send(gen int, d datagram, to *netip.AddrPort, af family) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if gen != s.generation {
		return errInvalidState
	}
	dst := s.remote
	if to != nil {
		if err := checkRemote(*to, af, s.family); err != nil {
			return err
		}
		if s.remote.IsValid() && *to != s.remote {
			return errInvalidArgument
		}
		dst = *to
	}
	if !dst.IsValid() {
		return errInvalidArgument
	}
	if !s.h.addrAllowed(dst) {
		return errAccessDenied
	}
	if len(d.data) > maxDatagram {
		return errDatagramTooLarge
	}
	if _, err := s.conn.WriteToUDPAddrPort(d.data, dst); err != nil {
		return netCode(err)
	}
	return nil
}

// giveQueue returns the budget the datagrams took. Called with s.mu held.
func (s *udpSocket) giveQueue(q []datagram) {
	for _, d := range q {
		s.h.httpBudget.Give(len(d.data))
	}
}

// incomingStream and outgoingStream are the datagram streams of one stream
// call; gen tells whether they are still the socket's live pair.
type incomingStream struct {
	s   *udpSocket
	gen int
}

type outgoingStream struct {
	s      *udpSocket
	gen    int
	mu     sync.Mutex
	permit uint64
	asked  bool
}

func (h *Host) defineUDP(d *definer) {
	d.resource(ifUDP, "udp-socket", h.drop)
	d.resource(ifUDP, "incoming-datagram-stream", h.drop)
	d.resource(ifUDP, "outgoing-datagram-stream", h.drop)
	self := func(v canon.Value) (*udpSocket, error) { return get[*udpSocket](h, v, "udp-socket") }
	d.fn(ifUDPCreate, "create-udp-socket", func(_ context.Context, args []canon.Value) ([]canon.Value, error) {
		if !h.cfg.Network.AllowUDP {
			return sockResult(canon.Value{}, errAccessDenied)
		}
		if err := h.openSocket(); err != nil {
			return sockResult(canon.Value{}, err)
		}
		s := &udpSocket{h: h, family: family(args[0].Case()), hopLimit: 64, recvBuffer: 208 << 10, sendBuffer: 208 << 10, counted: true}
		v, err := h.add(s)
		if err != nil {
			s.Close()
			return sockResult(canon.Value{}, errNewSocketLimit)
		}
		return one(canon.Ok(v)), nil
	})
	method := func(name string, f func(s *udpSocket, args []canon.Value) (canon.Value, error)) {
		defineMethod(d, h, ifUDP, "[method]udp-socket."+name, func(_ context.Context, s *udpSocket, args []canon.Value) ([]canon.Value, error) {
			return sockResult(f(s, args))
		})
	}
	method("start-bind", func(s *udpSocket, args []canon.Value) (canon.Value, error) {
		if _, err := get[network](h, args[1], "network"); err != nil {
			return canon.Value{}, err
		}
		ap, af := sockAddr(args[2])
		return canon.Value{}, s.startBind(ap, af)
	})
	method("finish-bind", func(s *udpSocket, _ []canon.Value) (canon.Value, error) { return canon.Value{}, s.finishBind() })
	method("stream", func(s *udpSocket, args []canon.Value) (canon.Value, error) {
		var remote *netip.AddrPort
		var af family
		if p, has := args[1].Payload(); has && args[1].Case() == 1 {
			ap, f := sockAddr(p)
			remote, af = &ap, f
		}
		gen, err := s.stream(remote, af)
		if err != nil {
			return canon.Value{}, err
		}
		in, err := h.add(&incomingStream{s: s, gen: gen})
		if err != nil {
			return canon.Value{}, err
		}
		out, err := h.add(&outgoingStream{s: s, gen: gen})
		if err != nil {
			h.table.Remove(in.Handle())
			return canon.Value{}, err
		}
		return canon.Tuple(in, out), nil
	})
	method("local-address", func(s *udpSocket, _ []canon.Value) (canon.Value, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.bindState != tcpBound {
			return canon.Value{}, errInvalidState
		}
		return sockAddrValue(netAddrPort(s.conn.LocalAddr()), s.family), nil
	})
	method("remote-address", func(s *udpSocket, _ []canon.Value) (canon.Value, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if !s.remote.IsValid() {
			return canon.Value{}, errInvalidState
		}
		return sockAddrValue(s.remote, s.family), nil
	})
	defineMethod(d, h, ifUDP, "[method]udp-socket.address-family", func(_ context.Context, s *udpSocket, args []canon.Value) ([]canon.Value, error) {
		return one(canon.Enum(uint32(s.family))), nil
	})
	opt := func(name string, get func(s *udpSocket) canon.Value, set func(s *udpSocket, v uint64)) {
		method(name, func(s *udpSocket, _ []canon.Value) (canon.Value, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			return get(s), nil
		})
		method("set-"+name, func(s *udpSocket, args []canon.Value) (canon.Value, error) {
			v := args[1].Uint()
			if v == 0 {
				return canon.Value{}, errInvalidArgument
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			set(s, v)
			s.applyLocked()
			return canon.Value{}, nil
		})
	}
	opt("unicast-hop-limit", func(s *udpSocket) canon.Value { return canon.U8(s.hopLimit) },
		func(s *udpSocket, v uint64) { s.hopLimit = uint8(v) })
	opt("receive-buffer-size", func(s *udpSocket) canon.Value { return canon.U64(s.recvBuffer) },
		func(s *udpSocket, v uint64) { s.recvBuffer = min(v, math.MaxInt32) })
	opt("send-buffer-size", func(s *udpSocket) canon.Value { return canon.U64(s.sendBuffer) },
		func(s *udpSocket, v uint64) { s.sendBuffer = min(v, math.MaxInt32) })
	d.fn(ifUDP, "[method]udp-socket.subscribe", func(_ context.Context, args []canon.Value) ([]canon.Value, error) {
		if _, err := self(args[0]); err != nil {
			return nil, err
		}
		// A UDP socket has no operation in the background to wait for.
		v, err := h.add(host.ReadyPollable{})
		return one(v), err
	})

	defineMethod(d, h, ifUDP, "[method]incoming-datagram-stream.receive", func(_ context.Context, in *incomingStream, args []canon.Value) ([]canon.Value, error) {
		ds, err := in.s.receive(in.gen, args[1].Uint())
		if err != nil {
			return sockResult(canon.Value{}, err)
		}
		elems := make([]canon.Value, len(ds))
		for i, dg := range ds {
			elems[i] = canon.Record(byteList(dg.data), sockAddrValue(dg.from, in.s.family))
		}
		return one(canon.Ok(canon.List(elems...))), nil
	})
	defineMethod(d, h, ifUDP, "[method]incoming-datagram-stream.subscribe", func(_ context.Context, in *incomingStream, args []canon.Value) ([]canon.Value, error) {
		s := in.s
		v, err := h.add(condPollable{
			ready: func() bool {
				s.mu.Lock()
				defer s.mu.Unlock()
				s.fillLocked()
				return len(s.queue) > 0 || s.recvErr != nil || s.generation != in.gen
			},
			wait: func() <-chan struct{} {
				s.mu.Lock()
				defer s.mu.Unlock()
				return s.changed.wait()
			},
		})
		return one(v), err
	})
	defineMethod(d, h, ifUDP, "[method]outgoing-datagram-stream.check-send", func(_ context.Context, out *outgoingStream, args []canon.Value) ([]canon.Value, error) {
		out.s.mu.Lock()
		stale := out.gen != out.s.generation
		out.s.mu.Unlock()
		if stale {
			return sockResult(canon.Value{}, errInvalidState)
		}
		out.mu.Lock()
		defer out.mu.Unlock()
		out.permit, out.asked = udpSendPermit, true
		return one(canon.Ok(canon.U64(out.permit))), nil
	})
	defineMethod(d, h, ifUDP, "[method]outgoing-datagram-stream.send", func(_ context.Context, out *outgoingStream, args []canon.Value) ([]canon.Value, error) {
		list := args[1].Elems()
		out.mu.Lock()
		defer out.mu.Unlock()
		if !out.asked {
			return nil, fmt.Errorf("wasi:sockets/udp: send without a check-send before it")
		}
		if uint64(len(list)) > out.permit {
			return nil, fmt.Errorf("wasi:sockets/udp: send of %d datagrams, more than check-send's permit of %d", len(list), out.permit)
		}
		out.permit -= uint64(len(list))
		sent := uint64(0)
		for _, e := range list {
			var to *netip.AddrPort
			var af family
			if p, has := e.Index(1).Payload(); has && e.Index(1).Case() == 1 {
				ap, f := sockAddr(p)
				to, af = &ap, f
			}
			if err := out.s.send(out.gen, datagram{data: bytesOf(e.Index(0))}, to, af); err != nil {
				if sent > 0 {
					break // what was sent is the result; the error is the next call's
				}
				return sockResult(canon.Value{}, err)
			}
			sent++
		}
		return one(canon.Ok(canon.U64(sent))), nil
	})
	d.fn(ifUDP, "[method]outgoing-datagram-stream.subscribe", func(_ context.Context, args []canon.Value) ([]canon.Value, error) {
		if _, err := get[*outgoingStream](h, args[0], "outgoing-datagram-stream"); err != nil {
			return nil, err
		}
		// Sends go straight to the kernel, which takes or drops them: a
		// permit is always there.
		v, err := h.add(host.ReadyPollable{})
		return one(v), err
	})
}
