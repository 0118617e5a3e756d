package wit

import (
	"errors"
	"fmt"
	"strings"

	"github.com/wasmcm/wasmcm/internal/srcerr"
	"github.com/wasmcm/wasmcm/wit/internal/ast"
)

// Error is a WIT error, located in a source file when Line > 0. Its text
// follows the reference (wit-parser) layout: outer context first, joined by
// ": ", then the message with a source snippet:
//
//	failed to parse package: dir: name `x` does not exist
//	     --> dir/a.wit:3:7
//	      |
//	    3 |   use x.{};
//	      |       ^
type Error struct {
	Path string // the file name as given; "" for errors without location
	Line int    // 1-based; 0 when the error has no location
	Col  int    // 1-based
	Msg  string // the message alone, without location or context

	text    string   // Msg rendered with location and snippet
	context []string // outer context, outermost first
	cause   error    // the underlying error (e.g. from the file system)
}

// Unwrap returns the underlying error, such as a file system error, if any.
func (e *Error) Unwrap() error { return e.cause }

// Error returns the full text: context, message, location and snippet.
func (e *Error) Error() string {
	if len(e.context) == 0 {
		return e.text
	}
	return strings.Join(e.context, ": ") + ": " + e.text
}

// Location returns "path:line:col", or "" when the error has no location.
func (e *Error) Location() string {
	if e.Line == 0 {
		return ""
	}
	return fmt.Sprintf("%s:%d:%d", e.Path, e.Line, e.Col)
}

// withContext prepends an outer context to err, as anyhow's `context` does in
// the reference, so that the printed chain reads outermost first.
func withContext(err error, ctx string) error {
	var we *Error
	if errors.As(err, &we) {
		we.context = append([]string{ctx}, we.context...)
		return we
	}
	return &Error{Msg: err.Error(), text: err.Error(), context: []string{ctx}, cause: err}
}

// loc is a span in one parsed file; the zero loc is "unknown".
type loc struct {
	f    *ast.File
	span ast.Span
}

func (l loc) known() bool { return l.f != nil }

// pos converts a loc to the model's Pos.
func (l loc) pos() Pos {
	if l.f == nil {
		return Pos{}
	}
	line, col := srcerr.LineCol(l.f.Source, l.span.Start)
	return Pos{File: l.f.Path, Line: line, Col: col}
}

// errorf returns an Error at l (unlocated when l is unknown).
func errorf(l loc, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	if !l.known() {
		return &Error{Msg: msg, text: msg}
	}
	return locatedError(l.f.Path, l.f.Source, l.span, msg)
}

// locatedError renders msg at span of src in the reference's layout.
func locatedError(path, src string, span ast.Span, msg string) *Error {
	line, col := srcerr.LineCol(src, span.Start)
	return &Error{Path: path, Line: line, Col: col, Msg: msg, text: srcerr.Format(path, src, span.Start, span.End, msg)}
}

// fromAST converts the parser's error so that *ast.Error never leaks.
func fromAST(err error) error {
	var ae *ast.Error
	if !errors.As(err, &ae) {
		return err
	}
	if ae.NoSpan {
		return &Error{Msg: ae.Msg, text: ae.Msg}
	}
	return locatedError(ae.Path, ae.Source, ae.Span, ae.Msg)
}
