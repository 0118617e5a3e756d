//go:build unix

package parse

import (
	"syscall"
	"time"
)

// processCPU is the CPU time used by this process so far; benchmarks report
// it per op because wall time is unreliable on a machine shared with other
// builds.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
