package canon

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Trap is a trap the canonical ABI defines: bad input from a guest (an
// invalid string, a discriminant out of range, a pointer out of bounds) or a
// misused handle. Path says where in the value it happened, e.g.
// "field b / element 3"; it is empty at the top level.
type Trap struct {
	Op     string // "lift", "load", "lower", "store", "resource.drop", ...
	Reason string
	Path   []string // outermost first
}

// Error implements error.
func (t *Trap) Error() string {
	var b strings.Builder
	b.WriteString("canon: trap in ")
	b.WriteString(t.Op)
	if len(t.Path) > 0 {
		b.WriteString(" at ")
		b.WriteString(strings.Join(t.Path, " / "))
	}
	b.WriteString(": ")
	b.WriteString(t.Reason)
	return b.String()
}

// IsTrap reports whether err is (or wraps) a *Trap.
func IsTrap(err error) bool {
	var t *Trap
	return errors.As(err, &t)
}

// The reference runtime's words for the traps the spec defines. A Trap's
// Reason starts with the words for its condition and adds the detail, so
// that messages can be matched against the reference's test suites. Where
// the reference words a condition differently on its host path than in its
// fused adapters (a string out of bounds, a misaligned string), the
// Reason has both: canon serves both paths.
const (
	msgUnaligned       = "unaligned pointer"
	msgOutOfBounds     = "out of bounds memory access"
	msgStringOOB       = "string content out-of-bounds"
	msgStringHostOOB   = "string pointer/length out of bounds of memory"
	msgStringUnaligned = "string pointer not aligned to"
	msgListOOB         = "list content out-of-bounds"
	msgListHostOOB     = "list pointer/length out of bounds of memory"
	msgInvalidUTF8     = "invalid utf-8"
	msgIncompleteUTF8  = "incomplete utf-8 byte sequence"
	msgInvalidUTF16    = "invalid utf-16"
	msgDiscriminant    = "invalid variant discriminant"
	msgChar            = "invalid `char` bit pattern"
	msgReallocAlign    = "realloc return: result not aligned"
	msgReallocBounds   = "realloc return: beyond end of memory"
	msgUnknownHandle   = "unknown handle index"
	msgWrongType       = "used with the wrong type"
	msgOwnBorrowed     = "cannot remove owned resource while borrowed"
	msgBorrowsRemain   = "borrow handles still remain at the end of the call"
)

func trapf(op, format string, args ...any) error {
	return &Trap{Op: op, Reason: fmt.Sprintf(format, args...)}
}

// ValueError says that a host value does not match the WIT type it is being
// lowered as, or that a type cannot carry values. It is the caller's bug,
// not the guest's, so it is not a Trap.
type ValueError struct {
	Reason string
	Path   []string
}

// Error implements error.
func (e *ValueError) Error() string {
	if len(e.Path) == 0 {
		return "canon: " + e.Reason
	}
	return "canon: at " + strings.Join(e.Path, " / ") + ": " + e.Reason
}

func valuef(format string, args ...any) error {
	return &ValueError{Reason: fmt.Sprintf(format, args...)}
}

// at prefixes a path segment onto a Trap or ValueError on the way up; the
// success path never pays for it.
func at(err error, seg string) error {
	switch e := err.(type) {
	case *Trap:
		e.Path = append([]string{seg}, e.Path...)
	case *ValueError:
		e.Path = append([]string{seg}, e.Path...)
	}
	return err
}

func atIndex(err error, what string, i int) error {
	if _, ok := err.(*Trap); !ok {
		if _, ok := err.(*ValueError); !ok {
			return err
		}
	}
	return at(err, fmt.Sprintf("%s %d", what, i))
}

// listOOB is the trap for a list whose elements run past the end of memory.
func listOOB(ptr, byteLen uint64, memLen int) error {
	return trapf("lift", msgListOOB+": "+msgListHostOOB+" (%d bytes at %#x, memory is %d bytes)", byteLen, ptr, memLen)
}

// discriminantTrap is the trap for a case index past a variant's cases
// (or an enum's, option's or result's).
func discriminantTrap(op string, k Kind, disc, cases uint64) error {
	return trapf(op, msgDiscriminant+": %s discriminant %d out of range [0..%d)", k, disc, cases)
}

// utf8Error says where and how p (not valid UTF-8) goes wrong: a sequence
// cut short by the end of the string, or an invalid one and its length
// (the longest prefix of a valid sequence, at least 1), as the reference
// words them.
func utf8Error(p []byte) string {
	i := 0
	for i < len(p) {
		r, size := utf8.DecodeRune(p[i:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		i += size
	}
	if i < len(p) && !utf8.FullRune(p[i:]) {
		return fmt.Sprintf("%s from index %d", msgIncompleteUTF8, i)
	}
	n := 1
	if i < len(p) {
		// A lead byte followed by continuation bytes that a valid sequence
		// could start with counts them in.
		lo, hi, need := byte(0x80), byte(0xbf), 0
		switch c := p[i]; {
		case c >= 0xc2 && c <= 0xdf:
			need = 1
		case c >= 0xe0 && c <= 0xef:
			need = 2
			if c == 0xe0 {
				lo = 0xa0
			} else if c == 0xed {
				hi = 0x9f
			}
		case c >= 0xf0 && c <= 0xf4:
			need = 3
			if c == 0xf0 {
				lo = 0x90
			} else if c == 0xf4 {
				hi = 0x8f
			}
		}
		for k := 1; k <= need && i+k < len(p); k++ {
			if c := p[i+k]; c < lo || c > hi {
				break
			}
			lo, hi = 0x80, 0xbf
			n++
		}
	}
	return fmt.Sprintf("%s sequence of %d bytes from index %d", msgInvalidUTF8, n, i)
}

// unpairedSurrogate returns the index of the first code unit of p (UTF-16,
// little-endian) that is a surrogate without its pair.
func unpairedSurrogate(p []byte) int {
	n := len(p) / 2
	for i := 0; i < n; i++ {
		u := binary.LittleEndian.Uint16(p[2*i:])
		if u < 0xd800 || u > 0xdfff {
			continue
		}
		if u < 0xdc00 && i+1 < n {
			if v := binary.LittleEndian.Uint16(p[2*i+2:]); v >= 0xdc00 && v <= 0xdfff {
				i++
				continue
			}
		}
		return i
	}
	return n
}
