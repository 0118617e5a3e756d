package host

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"syscall"
)

// ErrorCode is wasi:filesystem/types.error-code; the values are the enum's
// case indices, in the WIT's order.
type ErrorCode uint8

// The cases of error-code.
const (
	ErrAccess ErrorCode = iota
	ErrWouldBlock
	ErrAlready
	ErrBadDescriptor
	ErrBusy
	ErrDeadlock
	ErrQuota
	ErrExist
	ErrFileTooLarge
	ErrIllegalByteSequence
	ErrInProgress
	ErrInterrupted
	ErrInvalid
	ErrIO
	ErrIsDirectory
	ErrLoop
	ErrTooManyLinks
	ErrMessageSize
	ErrNameTooLong
	ErrNoDevice
	ErrNoEntry
	ErrNoLock
	ErrInsufficientMemory
	ErrInsufficientSpace
	ErrNotDirectory
	ErrNotEmpty
	ErrNotRecoverable
	ErrUnsupported
	ErrNoTTY
	ErrNoSuchDevice
	ErrOverflow
	ErrNotPermitted
	ErrPipe
	ErrReadOnly
	ErrInvalidSeek
	ErrTextFileBusy
	ErrCrossDevice
	numErrorCodes
)

var errorCodeNames = [numErrorCodes]string{
	"access", "would-block", "already", "bad-descriptor", "busy", "deadlock",
	"quota", "exist", "file-too-large", "illegal-byte-sequence", "in-progress",
	"interrupted", "invalid", "io", "is-directory", "loop", "too-many-links",
	"message-size", "name-too-long", "no-device", "no-entry", "no-lock",
	"insufficient-memory", "insufficient-space", "not-directory", "not-empty",
	"not-recoverable", "unsupported", "no-tty", "no-such-device", "overflow",
	"not-permitted", "pipe", "read-only", "invalid-seek", "text-file-busy",
	"cross-device",
}

// String returns the WIT name of the case.
func (c ErrorCode) String() string {
	if c < numErrorCodes {
		return errorCodeNames[c]
	}
	return "error-code(?)"
}

// Error makes an ErrorCode usable as a Go error, so that Go callers can
// return it through error values and tests can compare with errors.Is.
func (c ErrorCode) Error() string { return "wasi error-code " + c.String() }

// errnoCodes maps the POSIX errors that the host can see to error-codes.
var errnoCodes = map[syscall.Errno]ErrorCode{
	syscall.EACCES:       ErrAccess,
	syscall.EAGAIN:       ErrWouldBlock,
	syscall.EALREADY:     ErrAlready,
	syscall.EBADF:        ErrBadDescriptor,
	syscall.EBUSY:        ErrBusy,
	syscall.EDEADLK:      ErrDeadlock,
	syscall.EDQUOT:       ErrQuota,
	syscall.EEXIST:       ErrExist,
	syscall.EFBIG:        ErrFileTooLarge,
	syscall.EILSEQ:       ErrIllegalByteSequence,
	syscall.EINPROGRESS:  ErrInProgress,
	syscall.EINTR:        ErrInterrupted,
	syscall.EINVAL:       ErrInvalid,
	syscall.EIO:          ErrIO,
	syscall.EISDIR:       ErrIsDirectory,
	syscall.ELOOP:        ErrLoop,
	syscall.EMLINK:       ErrTooManyLinks,
	syscall.EMSGSIZE:     ErrMessageSize,
	syscall.ENAMETOOLONG: ErrNameTooLong,
	syscall.ENODEV:       ErrNoDevice,
	syscall.ENOENT:       ErrNoEntry,
	syscall.ENOLCK:       ErrNoLock,
	syscall.ENOMEM:       ErrInsufficientMemory,
	syscall.ENOSPC:       ErrInsufficientSpace,
	syscall.ENOTDIR:      ErrNotDirectory,
	syscall.ENOTEMPTY:    ErrNotEmpty,
	syscall.ENOTSUP:      ErrUnsupported,
	syscall.ENOTTY:       ErrNoTTY,
	syscall.ENXIO:        ErrNoSuchDevice,
	syscall.EOVERFLOW:    ErrOverflow,
	syscall.EPERM:        ErrNotPermitted,
	syscall.EPIPE:        ErrPipe,
	syscall.EROFS:        ErrReadOnly,
	syscall.ESPIPE:       ErrInvalidSeek,
	syscall.ETXTBSY:      ErrTextFileBusy,
	syscall.EXDEV:        ErrCrossDevice,
}

// CodeOf maps an error from the os package to the error-code the guest sees.
// It never reveals the host path: the guest gets only the code.
func CodeOf(err error) ErrorCode {
	if err == nil {
		return ErrIO
	}
	var c ErrorCode
	if errors.As(err, &c) {
		return c
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		if c, ok := errnoCodes[errno]; ok {
			return c
		}
		return ErrIO
	}
	// os.Root reports a path that leaves it with an unexported error; the
	// spec's word for it is not-permitted.
	if isEscape(err) {
		return ErrNotPermitted
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return ErrNoEntry
	case errors.Is(err, fs.ErrExist):
		return ErrExist
	case errors.Is(err, fs.ErrPermission):
		return ErrAccess
	case errors.Is(err, os.ErrClosed):
		return ErrBadDescriptor
	case errors.Is(err, errors.ErrUnsupported):
		return ErrUnsupported
	}
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Err != nil && pe.Err.Error() == "not a directory" {
		return ErrNotDirectory
	}
	return ErrIO
}

// isEscape reports whether err is os.Root refusing a path that leaves it.
// The os package keeps that error unexported, so its text is the only handle.
func isEscape(err error) bool {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if strings.Contains(e.Error(), "path escapes from parent") {
			return true
		}
		if _, ok := e.(syscall.Errno); ok {
			return false
		}
	}
	return false
}
