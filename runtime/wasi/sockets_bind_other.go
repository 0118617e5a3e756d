//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package wasi

import (
	"net"
	"net/netip"
	"syscall"
)

// boundTCP is a TCP socket bound to a local address. Without Unix
// descriptors the bind is Go's, which listens at once: connections may
// complete in the kernel before start-listen.
type boundTCP interface {
	addr() netip.AddrPort
	listen(backlog int) (*net.TCPListener, error)
	close()
}

type listenerBound struct{ ln *net.TCPListener }

func bindTCP(f family, ap netip.AddrPort) (boundTCP, error) {
	ln, err := net.ListenTCP(f.net("tcp"), net.TCPAddrFromAddrPort(ap))
	if err != nil {
		return nil, err
	}
	return &listenerBound{ln}, nil
}

func (b *listenerBound) addr() netip.AddrPort { return b.ln.Addr().(*net.TCPAddr).AddrPort() }

func (b *listenerBound) listen(int) (*net.TCPListener, error) {
	ln := b.ln
	b.ln = nil
	return ln, nil
}

func (b *listenerBound) close() {
	if b.ln != nil {
		b.ln.Close()
		b.ln = nil
	}
}

func reuseAddr(_, _ string, _ syscall.RawConn) error { return nil }
