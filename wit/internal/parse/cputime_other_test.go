//go:build !unix

package parse

import "time"

func processCPU() time.Duration { return 0 }
