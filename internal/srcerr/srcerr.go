// Package srcerr lays out errors located in a source text, the way the
// reference tools (wit-parser, wast) print them:
//
//	expected '>', found keyword `type`
//	     --> foo.wit:6:3
//	      |
//	    6 |   type y = u32
//	      |   ^-----
//
// The WIT parser and the text-format assembler both print through Format,
// so their errors look alike.
package srcerr

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// maxSnippet is the longest source line shown; past it (a minified file, a
// huge string) only "path:line:col: msg" is printed, as the reference does.
const maxSnippet = 500

// LineCol returns the 1-based line and column of byte offset off in src.
// Columns count bytes, as the reference does (wit-parser's linecol). An
// offset out of src is clamped to it.
func LineCol(src string, off int) (line, col int) {
	off = min(max(off, 0), len(src))
	before := src[:off]
	line = strings.Count(before, "\n") + 1
	col = off - (strings.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// Line returns the line of src holding byte offset off, without its line
// ending.
func Line(src string, off int) string {
	off = min(max(off, 0), len(src))
	start := strings.LastIndexByte(src[:off], '\n') + 1
	end := strings.IndexByte(src[start:], '\n')
	if end < 0 {
		end = len(src)
	} else {
		end += start
	}
	return strings.TrimSuffix(src[start:end], "\r")
}

// Format returns msg located at bytes [start, end) of src, the text of the
// file path: the message, "--> path:line:col", the source line and a caret
// under start, continued by one '-' per further character up to end (none
// when end <= start). A line longer than 500 bytes is not shown.
func Format(path, src string, start, end int, msg string) string {
	start = min(max(start, 0), len(src))
	line, col := LineCol(src, start)
	snippet := Line(src, start)
	if len(snippet) > maxSnippet {
		return fmt.Sprintf("%s:%d:%d: %s", path, line, col, msg)
	}
	marker := strings.Repeat(" ", col-1) + "^"
	if end > start && end <= len(src) {
		if n := utf8.RuneCountInString(src[start:end]); n > 1 {
			marker += strings.Repeat("-", n-1)
		}
	}
	return fmt.Sprintf("%s\n     --> %s:%d:%d\n      |\n %4d | %s\n      | %s", msg, path, line, col, line, snippet, marker)
}
