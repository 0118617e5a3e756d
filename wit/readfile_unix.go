//go:build unix

package wit

import (
	"errors"
	"os"
	"syscall"
)

// readFile reads a whole file with plain system calls: open, fstat (to size
// the buffer exactly), read what fstat reported, close. os.Open would also register
// the descriptor with the poller and switch it between blocking modes,
// which for a tree of small WIT files costs more than the reading itself.
func readFile(path string) ([]byte, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	size := 0
	var st syscall.Stat_t
	if syscall.Fstat(fd, &st) == nil && st.Size > 0 && st.Size < 1<<30 {
		size = int(st.Size)
	}
	// One byte more than the size, so that the read that sees the end of
	// the file does not need a bigger buffer; a file that grew meanwhile
	// is still read whole.
	buf := make([]byte, 0, size+1)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := syscall.Read(fd, buf[len(buf):cap(buf)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "read", Path: path, Err: err}
		}
		if n <= 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
		if size > 0 && len(buf) == size {
			// All fstat promised: a regular file that does not change
			// while it is read ends here, so skip the read that would
			// confirm it (one system call per file of the tree).
			return buf, nil
		}
	}
}

// isDirError reports whether reading path failed because it is a directory.
func isDirError(_ string, err error) bool { return errors.Is(err, syscall.EISDIR) }

// isNotDirError reports whether listing a directory failed because the
// path is not one (or does not exist, or is a dangling or looping link).
func isNotDirError(_ string, err error) bool {
	return errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ELOOP)
}
