package host

import (
	"io/fs"
	"os"
	"runtime"
	"syscall"
	"time"
	"unsafe"
)

const (
	atSymlinkNofollow = 0x100
	utimeNow          = (1 << 30) - 1
	utimeOmit         = (1 << 30) - 2
)

func timespecOf(n NewTimestamp) (syscall.Timespec, error) {
	switch n.Kind {
	case NoChange:
		return syscall.Timespec{Nsec: utimeOmit}, nil
	case Now:
		return syscall.Timespec{Nsec: utimeNow}, nil
	}
	t, err := n.resolve()
	if err != nil {
		return syscall.Timespec{}, err
	}
	return syscall.NsecToTimespec(t.UnixNano()), nil
}

func utimensat(dirfd uintptr, path string, atime, mtime NewTimestamp, flags int) error {
	var ts [2]syscall.Timespec
	var err error
	if ts[0], err = timespecOf(atime); err != nil {
		return err
	}
	if ts[1], err = timespecOf(mtime); err != nil {
		return err
	}
	var p *byte
	if path != "" {
		if p, err = syscall.BytePtrFromString(path); err != nil {
			return err
		}
	}
	_, _, e := syscall.Syscall6(syscall.SYS_UTIMENSAT, dirfd, uintptr(unsafe.Pointer(p)), uintptr(unsafe.Pointer(&ts)), uintptr(flags), 0, 0)
	runtime.KeepAlive(p)
	if e != 0 {
		return e
	}
	return nil
}

// setFileTimes sets the times of an open file (futimens).
func setFileTimes(f *os.File, atime, mtime NewTimestamp) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var opErr error
	if err := rc.Control(func(fd uintptr) { opErr = utimensat(fd, "", atime, mtime, 0) }); err != nil {
		return err
	}
	return opErr
}

// setTimesNoFollow sets the times of base in dir without following a link.
func setTimesNoFollow(dir *os.File, base string, atime, mtime NewTimestamp) error {
	rc, err := dir.SyscallConn()
	if err != nil {
		return err
	}
	var opErr error
	if err := rc.Control(func(fd uintptr) { opErr = utimensat(fd, base, atime, mtime, atSymlinkNofollow) }); err != nil {
		return err
	}
	return opErr
}

func withFds(a, b *os.File, f func(afd, bfd uintptr) error) error {
	ra, err := a.SyscallConn()
	if err != nil {
		return err
	}
	rb, err := b.SyscallConn()
	if err != nil {
		return err
	}
	var opErr error
	err = ra.Control(func(afd uintptr) {
		err := rb.Control(func(bfd uintptr) { opErr = f(afd, bfd) })
		if opErr == nil {
			opErr = err
		}
	})
	if err != nil {
		return err
	}
	return opErr
}

func renameat(oldDir *os.File, oldBase string, newDir *os.File, newBase string) error {
	return withFds(oldDir, newDir, func(a, b uintptr) error {
		return syscall.Renameat(int(a), oldBase, int(b), newBase)
	})
}

func linkat(oldDir *os.File, oldBase string, newDir *os.File, newBase string) error {
	return withFds(oldDir, newDir, func(a, b uintptr) error {
		p1, err := syscall.BytePtrFromString(oldBase)
		if err != nil {
			return err
		}
		p2, err := syscall.BytePtrFromString(newBase)
		if err != nil {
			return err
		}
		// flags 0: a symlink is linked itself, never followed.
		_, _, e := syscall.Syscall6(syscall.SYS_LINKAT, a, uintptr(unsafe.Pointer(p1)), b, uintptr(unsafe.Pointer(p2)), 0, 0)
		runtime.KeepAlive(p1)
		runtime.KeepAlive(p2)
		if e != 0 {
			return e
		}
		return nil
	})
}

func syncFlags(flags DescriptorFlags) int {
	m := 0
	if flags&FlagFileIntegritySync != 0 {
		m |= syscall.O_SYNC
	}
	if flags&FlagDataIntegritySync != 0 {
		m |= syscall.O_DSYNC
	}
	if flags&FlagRequestedWriteSync != 0 {
		m |= syscall.O_RSYNC
	}
	return m
}

func fileID(fi fs.FileInfo) (dev, ino uint64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Dev), st.Ino
	}
	return 0, 0
}

func sysStat(fi fs.FileInfo, st *Stat) {
	s, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	st.LinkCount = uint64(s.Nlink)
	st.AccessTimestamp = DatetimeOf(time.Unix(s.Atim.Unix()))
	st.StatusChangeTimestamp = DatetimeOf(time.Unix(s.Ctim.Unix()))
}
