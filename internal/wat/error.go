package wat

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Error is a located error in a text file. It prints in the layout of the
// WIT errors (and of the reference's wast errors):
//
//	expected `)`, found keyword `func`
//	     --> x.wat:6:3
//	      |
//	    6 |   (func)
//	      |   ^
type Error struct {
	Path   string // the file name as given to Parse
	Source string // the whole text
	Offset int    // byte offset of the error in Source
	Msg    string
}

// LineCol returns the 1-based line and column (in bytes) of the error.
func (e *Error) LineCol() (line, col int) {
	off := min(max(e.Offset, 0), len(e.Source))
	before := e.Source[:off]
	line = strings.Count(before, "\n") + 1
	col = off - (strings.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// Error implements error.
func (e *Error) Error() string {
	line, col := e.LineCol()
	off := min(max(e.Offset, 0), len(e.Source))
	start := strings.LastIndexByte(e.Source[:off], '\n') + 1
	end := strings.IndexByte(e.Source[start:], '\n')
	if end < 0 {
		end = len(e.Source)
	} else {
		end += start
	}
	snippet := strings.TrimSuffix(e.Source[start:end], "\r")
	if len(snippet) > 500 || !utf8.ValidString(snippet) {
		return fmt.Sprintf("%s:%d:%d: %s", e.Path, line, col, e.Msg)
	}
	// The caret goes under the error's column; tabs are kept so it lines up.
	pad := []byte(snippet[:min(off-start, len(snippet))])
	for i, c := range pad {
		if c != '\t' {
			pad[i] = ' '
		}
	}
	return fmt.Sprintf("%s\n     --> %s:%d:%d\n      |\n %4d | %s\n      | %s^", e.Msg, e.Path, line, col, line, snippet, pad)
}
