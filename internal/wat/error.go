package wat

import (
	"fmt"
	"unicode/utf8"

	"github.com/wasmcm/wasmcm/internal/srcerr"
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
	return srcerr.LineCol(e.Source, e.Offset)
}

// Error implements error.
func (e *Error) Error() string {
	if !utf8.ValidString(srcerr.Line(e.Source, e.Offset)) {
		// Raw bytes of a broken line would garble a terminal.
		line, col := e.LineCol()
		return fmt.Sprintf("%s:%d:%d: %s", e.Path, line, col, e.Msg)
	}
	return srcerr.Format(e.Path, e.Source, e.Offset, e.Offset, e.Msg)
}
