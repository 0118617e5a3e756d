package ast

import (
	"fmt"
	"strings"
	"unicode/utf8"
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

// LineCol returns the 1-based line and column of the error's start. Columns
// count bytes, as the reference does (wit-parser's SourceMap::linecol).
func (e *Error) LineCol() (line, col int) {
	return LineCol(e.Source, e.Span.Start)
}

// LineCol returns the 1-based line and column of a byte offset in src.
func LineCol(src string, off int) (line, col int) {
	if off > len(src) {
		off = len(src)
	}
	if off < 0 {
		off = 0
	}
	before := src[:off]
	line = strings.Count(before, "\n") + 1
	lineStart := strings.LastIndexByte(before, '\n') + 1
	col = len(before) - lineStart + 1
	return line, col
}

// Location returns "path:line:col".
func (e *Error) Location() string {
	line, col := e.LineCol()
	return fmt.Sprintf("%s:%d:%d", e.Path, line, col)
}

func (e *Error) Error() string {
	if e.NoSpan {
		return e.Msg
	}
	line, col := e.LineCol()
	start := e.Span.Start
	if start > len(e.Source) {
		start = len(e.Source)
	}
	lineStart := strings.LastIndexByte(e.Source[:start], '\n') + 1
	lineEnd := strings.IndexByte(e.Source[lineStart:], '\n')
	if lineEnd < 0 {
		lineEnd = len(e.Source)
	} else {
		lineEnd += lineStart
	}
	snippet := strings.TrimSuffix(e.Source[lineStart:lineEnd], "\r")
	if len(snippet) > 500 {
		return fmt.Sprintf("%s:%d:%d: %s", e.Path, line, col, e.Msg)
	}
	marker := strings.Repeat(" ", col-1) + "^"
	if e.Span.End > e.Span.Start && e.Span.End <= len(e.Source) {
		if n := utf8.RuneCountInString(e.Source[start:e.Span.End]); n > 1 {
			marker += strings.Repeat("-", n-1)
		}
	}
	return fmt.Sprintf("%s\n     --> %s:%d:%d\n      |\n %4d | %s\n      | %s", e.Msg, e.Path, line, col, line, snippet, marker)
}
