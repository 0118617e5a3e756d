//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package wasi

import "syscall"

// setHopLimit has no portable form here; the guest's value is kept and
// reported, the system's default applies.
func setHopLimit(syscall.Conn, family, uint8) {}
