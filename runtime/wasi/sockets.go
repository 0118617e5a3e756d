package wasi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/runtime/wasi/internal/host"
)

// The wasi:sockets interfaces, at Version.
const (
	ifNetwork         = "wasi:sockets/network@" + Version
	ifInstanceNetwork = "wasi:sockets/instance-network@" + Version
	ifTCPCreate       = "wasi:sockets/tcp-create-socket@" + Version
	ifTCP             = "wasi:sockets/tcp@" + Version
	ifUDPCreate       = "wasi:sockets/udp-create-socket@" + Version
	ifUDP             = "wasi:sockets/udp@" + Version
	ifNameLookup      = "wasi:sockets/ip-name-lookup@" + Version
)

// Network is what wasi:sockets may do. The zero value grants nothing:
// creating a socket and name lookups get access-denied, and so does any
// bind, connect or send to an address no AllowedAddrs pattern admits.
// Connections accepted and datagrams received from such addresses are
// dropped before the guest sees them. Binding an ephemeral port (0) is
// the local end of a client and needs only the address: the unspecified
// one, or one a pattern's prefix holds.
type Network struct {
	// AllowTCP and AllowUDP let the guest create sockets of that protocol.
	AllowTCP, AllowUDP bool
	// AllowNameLookup lets wasi:sockets/ip-name-lookup ask the host's
	// resolver.
	AllowNameLookup bool
	// AllowedAddrs are the socket addresses bind, connect and send may use.
	AllowedAddrs []AddrPattern
}

// InheritNetwork is the Network of wasmtime's -S inherit-network: TCP and
// UDP to and from any address (name lookups stay a separate grant).
func InheritNetwork() Network {
	return Network{AllowTCP: true, AllowUDP: true, AllowedAddrs: []AddrPattern{
		{Prefix: netip.MustParsePrefix("0.0.0.0/0")},
		{Prefix: netip.MustParsePrefix("::/0")},
	}}
}

// AddrPattern admits the socket addresses whose IP is in Prefix and whose
// port is in [MinPort, MaxPort]; both ports zero admit any port.
type AddrPattern struct {
	Prefix           netip.Prefix
	MinPort, MaxPort uint16
}

// Admits reports whether the pattern admits ap. Port 0 (an ephemeral port
// to bind) is admitted only by a pattern of any port.
func (p AddrPattern) Admits(ap netip.AddrPort) bool {
	// An IPv4 address is also its IPv4-mapped IPv6 form, so that ::/0
	// (and ::ffff:0:0/96) admit IPv4 too.
	a := ap.Addr().WithZone("")
	if !p.Prefix.Contains(a.Unmap()) && !p.Prefix.Contains(netip.AddrFrom16(a.As16())) {
		return false
	}
	if p.MinPort == 0 && p.MaxPort == 0 {
		return true
	}
	return ap.Port() != 0 && ap.Port() >= p.MinPort && ap.Port() <= p.MaxPort
}

// String returns the pattern in the form ParseAddrPattern reads.
func (p AddrPattern) String() string {
	s := p.Prefix.String()
	if p.Prefix.Addr().Is6() {
		s = "[" + s + "]"
	}
	switch {
	case p.MinPort == 0 && p.MaxPort == 0:
		return s
	case p.MinPort == p.MaxPort:
		return fmt.Sprintf("%s:%d", s, p.MinPort)
	}
	return fmt.Sprintf("%s:%d-%d", s, p.MinPort, p.MaxPort)
}

// ParseAddrPattern reads "*" (every address), an IP or CIDR prefix
// ("127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8"), optionally followed by
// ":PORT" or ":LOW-HIGH", with an IPv6 prefix then in brackets
// ("[::1]:8080", "[fd00::/8]:1000-2000").
func ParseAddrPattern(s string) (AddrPattern, error) {
	bad := func(why string) (AddrPattern, error) {
		return AddrPattern{}, fmt.Errorf("address pattern %q: %s", s, why)
	}
	if s == "*" {
		return AddrPattern{Prefix: netip.MustParsePrefix("::/0")}, nil
	}
	addr, ports := s, ""
	switch {
	case strings.HasPrefix(s, "["):
		end := strings.Index(s, "]")
		if end < 0 {
			return bad("no closing ]")
		}
		addr, ports = s[1:end], s[end+1:]
		if ports != "" && !strings.HasPrefix(ports, ":") {
			return bad("expected :PORT after ]")
		}
		ports = strings.TrimPrefix(ports, ":")
		if ports == "" && len(s) > end+1 {
			return bad("empty port")
		}
	case strings.Count(s, ":") == 1:
		addr, ports, _ = strings.Cut(s, ":")
		if ports == "" {
			return bad("empty port")
		}
	}
	var p AddrPattern
	if strings.Contains(addr, "/") {
		pre, err := netip.ParsePrefix(addr)
		if err != nil {
			return bad(err.Error())
		}
		p.Prefix = pre.Masked()
	} else {
		ip, err := netip.ParseAddr(addr)
		if err != nil {
			return bad("not an IP address or CIDR prefix")
		}
		if ip.Zone() != "" {
			return bad("zones are not supported")
		}
		p.Prefix = netip.PrefixFrom(ip, ip.BitLen())
	}
	if ports != "" {
		lo, hi, isRange := strings.Cut(ports, "-")
		if !isRange {
			hi = lo
		}
		l, err1 := strconv.ParseUint(lo, 10, 16)
		h, err2 := strconv.ParseUint(hi, 10, 16)
		if err1 != nil || err2 != nil || l == 0 || h < l {
			return bad("ports must be PORT or LOW-HIGH within 1-65535")
		}
		p.MinPort, p.MaxPort = uint16(l), uint16(h)
	}
	return p, nil
}

// bindAllowed reports whether the guest may bind ap. An ephemeral port
// (0) is the local end of a client: allowed on the unspecified address or
// on any address a pattern's prefix holds, whatever ports the patterns
// name, once anything is granted. Connections and datagrams arriving from
// addresses no pattern admits are dropped (remoteAllowed), so such a
// socket still talks only with what was granted.
func (h *Host) bindAllowed(ap netip.AddrPort) bool {
	if ap.Port() != 0 {
		return h.addrAllowed(ap)
	}
	for _, p := range h.cfg.Network.AllowedAddrs {
		if ap.Addr().IsUnspecified() || (AddrPattern{Prefix: p.Prefix}).Admits(ap) {
			return true
		}
	}
	return false
}

// addrAllowed reports whether the guest may use ap: connect or send to
// it, accept or receive from it, bind it.
func (h *Host) addrAllowed(ap netip.AddrPort) bool {
	for _, p := range h.cfg.Network.AllowedAddrs {
		if p.Admits(ap) {
			return true
		}
	}
	return false
}

// sockErr is wasi:sockets/network.error-code; the values are the enum's
// case indices in the WIT's order.
type sockErr uint32

const (
	errUnknown sockErr = iota
	errAccessDenied
	errNotSupported
	errInvalidArgument
	errOutOfMemory
	errTimeout
	errConcurrencyConflict
	errNotInProgress
	errWouldBlock
	errInvalidState
	errNewSocketLimit
	errAddressNotBindable
	errAddressInUse
	errRemoteUnreachable
	errConnectionRefused
	errConnectionReset
	errConnectionAborted
	errDatagramTooLarge
	errNameUnresolvable
	errTemporaryResolverFailure
	errPermanentResolverFailure
)

var sockErrNames = [...]string{
	"unknown", "access-denied", "not-supported", "invalid-argument",
	"out-of-memory", "timeout", "concurrency-conflict", "not-in-progress",
	"would-block", "invalid-state", "new-socket-limit",
	"address-not-bindable", "address-in-use", "remote-unreachable",
	"connection-refused", "connection-reset", "connection-aborted",
	"datagram-too-large", "name-unresolvable", "temporary-resolver-failure",
	"permanent-resolver-failure",
}

func (e sockErr) Error() string {
	if int(e) < len(sockErrNames) {
		return "wasi:sockets error-code " + sockErrNames[e]
	}
	return "wasi:sockets error-code(?)"
}

// netCode maps an error of the net package to the error-code the guest
// sees; the guest gets the code only, never the host's message.
func netCode(err error) sockErr {
	var c sockErr
	if errors.As(err, &c) {
		return c
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		switch errno {
		case syscall.EACCES, syscall.EPERM:
			return errAccessDenied
		case syscall.EADDRINUSE:
			return errAddressInUse
		case syscall.EADDRNOTAVAIL:
			return errAddressNotBindable
		case syscall.ECONNREFUSED:
			return errConnectionRefused
		case syscall.ECONNRESET, syscall.EPIPE:
			return errConnectionReset
		case syscall.ECONNABORTED:
			return errConnectionAborted
		case syscall.ENETUNREACH, syscall.EHOSTUNREACH, syscall.ENETDOWN, syscall.EHOSTDOWN:
			return errRemoteUnreachable
		case syscall.ETIMEDOUT:
			return errTimeout
		case syscall.EMSGSIZE:
			return errDatagramTooLarge
		case syscall.EMFILE, syscall.ENFILE:
			return errNewSocketLimit
		case syscall.ENOMEM, syscall.ENOBUFS:
			return errOutOfMemory
		}
	}
	if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		return errTimeout
	}
	return errUnknown
}

// sockResult turns an error-code into result's error case; other errors
// (bad handles, traps) stay Go errors.
func sockResult(v canon.Value, err error) ([]canon.Value, error) {
	if err == nil {
		return one(canon.Ok(v)), nil
	}
	var c sockErr
	if errors.As(err, &c) {
		return one(canon.Err(canon.Enum(uint32(c)))), nil
	}
	return nil, err
}

// family is ip-address-family.
type family uint32

const (
	ipv4 family = iota
	ipv6
)

func (f family) net(proto string) string {
	if f == ipv4 {
		return proto + "4"
	}
	return proto + "6"
}

// sockAddr reads an ip-socket-address.
func sockAddr(v canon.Value) (netip.AddrPort, family) {
	p, _ := v.Payload()
	port := uint16(p.Index(0).Uint())
	if v.Case() == 0 {
		a := p.Index(1)
		ip := netip.AddrFrom4([4]byte{byte(a.Index(0).Uint()), byte(a.Index(1).Uint()), byte(a.Index(2).Uint()), byte(a.Index(3).Uint())})
		return netip.AddrPortFrom(ip, port), ipv4
	}
	a := p.Index(2)
	var b [16]byte
	for i := range 8 {
		x := a.Index(i).Uint()
		b[2*i], b[2*i+1] = byte(x>>8), byte(x)
	}
	// flow-info and scope-id are not used: Go's dialer takes zones by name
	// only, and no host interface is the guest's to name.
	return netip.AddrPortFrom(netip.AddrFrom16(b), port), ipv6
}

// ipValue makes an ip-address.
func ipValue(ip netip.Addr) canon.Value {
	if ip.Is4() {
		b := ip.As4()
		return canon.Variant(0, canon.Tuple(canon.U8(b[0]), canon.U8(b[1]), canon.U8(b[2]), canon.U8(b[3])))
	}
	b := ip.As16()
	elems := make([]canon.Value, 8)
	for i := range elems {
		elems[i] = canon.U16(uint16(b[2*i])<<8 | uint16(b[2*i+1]))
	}
	return canon.Variant(1, canon.Tuple(elems...))
}

// sockAddrValue makes an ip-socket-address of a socket of family f.
func sockAddrValue(ap netip.AddrPort, f family) canon.Value {
	ip := ap.Addr().WithZone("")
	if !ip.IsValid() { // a socket whose address the system did not tell
		ip = netip.IPv6Unspecified()
		if f == ipv4 {
			ip = netip.IPv4Unspecified()
		}
	}
	if f == ipv4 {
		ip = ip.Unmap()
		b := ip.As4()
		return canon.Variant(0, canon.Record(canon.U16(ap.Port()),
			canon.Tuple(canon.U8(b[0]), canon.U8(b[1]), canon.U8(b[2]), canon.U8(b[3]))))
	}
	if ip.Is4() {
		ip = netip.AddrFrom16(ip.As16())
	}
	p, _ := ipValue(ip).Payload()
	return canon.Variant(1, canon.Record(canon.U16(ap.Port()), canon.U32(0), p, canon.U32(0)))
}

// checkAddr validates an address the guest gave a socket of family f:
// its family must be the socket's and, on IPv6 sockets, not IPv4-mapped
// (the 0.2 sockets are single-stack).
func checkAddr(ap netip.AddrPort, af, f family) error {
	if af != f || (f == ipv6 && ap.Addr().Is4In6()) {
		return errInvalidArgument
	}
	return nil
}

// checkRemote validates a remote address: also neither unspecified nor
// port 0.
func checkRemote(ap netip.AddrPort, af, f family) error {
	if err := checkAddr(ap, af, f); err != nil {
		return err
	}
	if ap.Addr().IsUnspecified() || ap.Port() == 0 {
		return errInvalidArgument
	}
	return nil
}

func netAddrPort(a net.Addr) netip.AddrPort {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a.AddrPort()
	case *net.UDPAddr:
		return a.AddrPort()
	}
	return netip.AddrPort{}
}

// maxSockets bounds the sockets one guest holds open at once: each is a
// host file descriptor and, for UDP, a queue; more get new-socket-limit.
const maxSockets = 256

// openSocket counts a new socket, or refuses it at the limit.
func (h *Host) openSocket() error {
	if h.sockets.Add(1) > maxSockets {
		h.sockets.Add(-1)
		return errNewSocketLimit
	}
	return nil
}

// closeSocket uncounts a socket once.
func (h *Host) closeSocket(counted *bool) {
	if *counted {
		*counted = false
		h.sockets.Add(-1)
	}
}

// network is the object behind the network resource: the one the guest
// gets from instance-network, standing for the host's network as Config
// grants it.
type network struct{}

// signal is a channel closed and replaced at every change, for pollables
// of objects whose state background goroutines change.
type signal struct{ ch chan struct{} }

func (s *signal) wait() <-chan struct{} {
	if s.ch == nil {
		s.ch = make(chan struct{})
	}
	return s.ch
}

func (s *signal) fire() {
	if s.ch != nil {
		close(s.ch)
		s.ch = nil
	}
}

// condPollable is ready when ready says so; wait gives the channel to
// wait on. Both are called without locks held by the poller.
type condPollable struct {
	ready func() bool
	wait  func() <-chan struct{}
}

func (p condPollable) Ready() bool                        { return p.ready() }
func (p condPollable) Wait() (<-chan struct{}, time.Time) { return p.wait(), time.Time{} }

// resolveStream is resolve-address-stream: a lookup running in the
// background, then its addresses one at a time.
type resolveStream struct {
	mu     sync.Mutex
	done   chan struct{}
	addrs  []netip.Addr
	err    error
	cancel context.CancelFunc
}

func (r *resolveStream) Close() error {
	r.cancel()
	return nil
}

// maxHostName is DNS's limit of a name's length.
const maxHostName = 253

// validHostName reports whether name is a name a resolver may be asked:
// labels of letters, digits, '-' and '_', separated by dots.
func validHostName(name string) bool {
	if name == "" || len(name) > maxHostName {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, c := range label {
			ok := c == '-' || c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
			if !ok {
				return false
			}
		}
	}
	return true
}

func (h *Host) resolve(name string) (*resolveStream, error) {
	if !h.cfg.Network.AllowNameLookup {
		return nil, errAccessDenied
	}
	r := &resolveStream{done: make(chan struct{}), cancel: func() {}}
	if ip, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(name, "["), "]")); err == nil {
		r.addrs = []netip.Addr{ip.WithZone("")}
		close(r.done)
		return r, nil
	}
	if !validHostName(name) {
		return nil, errInvalidArgument
	}
	ctx, cancel := context.WithTimeout(context.Background(), resolveTimeout)
	r.cancel = cancel
	go func() {
		defer cancel()
		addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", name)
		r.mu.Lock()
		defer r.mu.Unlock()
		if err != nil {
			r.err = errPermanentResolverFailure
			var de *net.DNSError
			switch {
			case errors.As(err, &de) && de.IsNotFound:
				r.err = errNameUnresolvable
			case errors.As(err, &de) && (de.IsTemporary || de.IsTimeout):
				r.err = errTemporaryResolverFailure
			case errors.Is(err, context.DeadlineExceeded):
				r.err = errTemporaryResolverFailure
			}
		}
		for _, a := range addrs {
			r.addrs = append(r.addrs, a.Unmap().WithZone(""))
		}
		close(r.done)
	}()
	return r, nil
}

// resolveTimeout bounds one lookup, so that a resolver that never answers
// does not keep a goroutine forever.
const resolveTimeout = 30 * time.Second

func (r *resolveStream) next() (canon.Value, error) {
	select {
	case <-r.done:
	default:
		return canon.Value{}, errWouldBlock
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		err := r.err
		r.err = nil // reported once; the stream is then empty
		return canon.Value{}, err
	}
	if len(r.addrs) == 0 {
		return canon.None(), nil
	}
	a := r.addrs[0]
	r.addrs = r.addrs[1:]
	return canon.Some(ipValue(a)), nil
}

func (h *Host) defineSockets(d *definer) {
	d.resource(ifNetwork, "network", h.drop)
	d.fn(ifNetwork, "network-error-code", func(_ context.Context, args []canon.Value) ([]canon.Value, error) {
		e, err := get[*host.StreamError](h, args[0], "error")
		if err != nil {
			return nil, err
		}
		var c sockErr
		if errors.As(e.Err, &c) {
			return one(canon.Some(canon.Enum(uint32(c)))), nil
		}
		if _, isNet := e.Err.(net.Error); isNet || errors.As(e.Err, new(syscall.Errno)) {
			return one(canon.Some(canon.Enum(uint32(netCode(e.Err))))), nil
		}
		return one(canon.None()), nil
	})
	d.fn(ifInstanceNetwork, "instance-network", func(context.Context, []canon.Value) ([]canon.Value, error) {
		v, err := h.add(network{})
		return one(v), err
	})
	d.resource(ifNameLookup, "resolve-address-stream", h.drop)
	d.fn(ifNameLookup, "resolve-addresses", func(_ context.Context, args []canon.Value) ([]canon.Value, error) {
		if _, err := get[network](h, args[0], "network"); err != nil {
			return nil, err
		}
		r, err := h.resolve(args[1].String())
		if err != nil {
			return sockResult(canon.Value{}, err)
		}
		v, err := h.add(r)
		if err != nil {
			r.Close()
			return nil, err
		}
		return one(canon.Ok(v)), nil
	})
	defineMethod(d, h, ifNameLookup, "[method]resolve-address-stream.resolve-next-address", func(_ context.Context, r *resolveStream, args []canon.Value) ([]canon.Value, error) {
		return sockResult(r.next())
	})
	defineMethod(d, h, ifNameLookup, "[method]resolve-address-stream.subscribe", func(_ context.Context, r *resolveStream, args []canon.Value) ([]canon.Value, error) {
		v, err := h.add(host.Signal(r.done))
		return one(v), err
	})
	h.defineTCP(d)
	h.defineUDP(d)
}
