package canon

import (
	"errors"
	"fmt"
	"strings"
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
