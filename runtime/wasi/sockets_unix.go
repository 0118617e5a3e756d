//go:build linux || darwin || freebsd || netbsd || openbsd

package wasi

import (
	"syscall"
)

// setHopLimit sets the IP TTL (IPv4) or unicast hop limit (IPv6) of a
// socket; Go's net package has no option for it.
func setHopLimit(c syscall.Conn, f family, v uint8) {
	raw, err := c.SyscallConn()
	if err != nil {
		return
	}
	raw.Control(func(fd uintptr) {
		if f == ipv4 {
			syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IP, syscall.IP_TTL, int(v))
		} else {
			syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IPV6, syscall.IPV6_UNICAST_HOPS, int(v))
		}
	})
}
