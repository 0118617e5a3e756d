package ast

import (
	"fmt"

	"github.com/wasmcm/wasmcm/internal/srcerr"
)

// Error is a located WIT error. Its text follows the reference's layout:
//
//	expected '>', found keyword `type`
//	     --> foo.wit:6:3
//	      |
//	    6 |   type y = u32
//	      |   ^
type Error struct {
	Path   string // the file name as given to the parser
	Source string // the whole source of that file
	Span   Span
	Msg    string
	// NoSpan marks errors that have no location (e.g. a missing package);
	// they print as the message alone.
	NoSpan bool
}

// Errorf returns a located error.
func Errorf(f *File, span Span, format string, args ...any) *Error {
	return &Error{Path: f.Path, Source: f.Source, Span: span, Msg: fmt.Sprintf(format, args...)}
}

func (e *Error) Error() string {
	if e.NoSpan {
		return e.Msg
	}
	return srcerr.Format(e.Path, e.Source, e.Span.Start, e.Span.End, e.Msg)
}

// LineCol returns the 1-based line and column (in bytes) of the error's
// start.
func (e *Error) LineCol() (line, col int) {
	return srcerr.LineCol(e.Source, e.Span.Start)
}

// Location returns "path:line:col".
func (e *Error) Location() string {
	line, col := e.LineCol()
	return fmt.Sprintf("%s:%d:%d", e.Path, line, col)
}
