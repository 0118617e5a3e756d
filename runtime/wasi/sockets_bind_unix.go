//go:build linux || darwin || freebsd || netbsd || openbsd

package wasi

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"syscall"
)

// boundTCP is a TCP socket bound to a local address that neither listens
// nor connects yet, as the WIT's bound state is: connections to it are
// refused until start-listen.
type boundTCP interface {
	addr() netip.AddrPort
	// listen makes it a listener; the boundTCP is used up either way.
	listen(backlog int) (*net.TCPListener, error)
	close()
}

type fdBound struct {
	fd    int
	local netip.AddrPort
}

func bindTCP(f family, ap netip.AddrPort) (boundTCP, error) {
	domain := syscall.AF_INET
	if f == ipv6 {
		domain = syscall.AF_INET6
	}
	syscall.ForkLock.RLock()
	fd, err := syscall.Socket(domain, syscall.SOCK_STREAM, 0)
	if err == nil {
		syscall.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil, err
	}
	if f == ipv6 {
		// 0.2 sockets are single-stack.
		syscall.SetsockoptInt(fd, syscall.IPPROTO_IPV6, syscall.IPV6_V6ONLY, 1)
	}
	// As Go's listeners (and wasmtime's) do, so that a port in TIME_WAIT
	// can be bound again at once.
	syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
	var sa syscall.Sockaddr
	if f == ipv4 {
		sa = &syscall.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
	} else {
		sa = &syscall.SockaddrInet6{Port: int(ap.Port()), Addr: ap.Addr().As16()}
	}
	if err := syscall.Bind(fd, sa); err != nil {
		syscall.Close(fd)
		return nil, err
	}
	got, err := syscall.Getsockname(fd)
	if err != nil {
		syscall.Close(fd)
		return nil, err
	}
	b := &fdBound{fd: fd}
	switch got := got.(type) {
	case *syscall.SockaddrInet4:
		b.local = netip.AddrPortFrom(netip.AddrFrom4(got.Addr), uint16(got.Port))
	case *syscall.SockaddrInet6:
		b.local = netip.AddrPortFrom(netip.AddrFrom16(got.Addr), uint16(got.Port))
	}
	return b, nil
}

func (b *fdBound) addr() netip.AddrPort { return b.local }

func (b *fdBound) listen(backlog int) (*net.TCPListener, error) {
	if b.fd < 0 {
		return nil, errors.New("wasi:sockets: bound socket already used")
	}
	defer b.close()
	if err := syscall.Listen(b.fd, backlog); err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(b.fd), "wasi-tcp-listener")
	b.fd = -1 // the file owns it now
	defer f.Close()
	ln, err := net.FileListener(f) // a dup, in Go's poller
	if err != nil {
		return nil, err
	}
	return ln.(*net.TCPListener), nil
}

func (b *fdBound) close() {
	if b.fd >= 0 {
		syscall.Close(b.fd)
		b.fd = -1
	}
}

// reuseAddr is a Dialer.Control setting SO_REUSEADDR before the dialer
// binds the local address a bound socket had.
func reuseAddr(_, _ string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
	})
	if err != nil {
		return err
	}
	return serr
}
