//go:build !linux

package host

import (
	"io/fs"
	"os"
)

// Elsewhere than Linux the host keeps to what package os offers: the
// operations below need *at system calls it does not expose.

func setFileTimes(*os.File, NewTimestamp, NewTimestamp) error { return ErrUnsupported }

func setTimesNoFollow(*os.File, string, NewTimestamp, NewTimestamp) error { return ErrUnsupported }
func renameat(*os.File, string, *os.File, string) error                   { return ErrCrossDevice }
func linkat(*os.File, string, *os.File, string) error                     { return ErrCrossDevice }
func syncFlags(DescriptorFlags) int                                       { return 0 }
func fileID(fs.FileInfo) (dev, ino uint64)                                { return 0, 0 }
func sysStat(fs.FileInfo, *Stat)                                          {}
