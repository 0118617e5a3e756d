// Package wat reads the component text format (the subset that composition
// tests and fixtures use: types, imports, exports, aliases, instances,
// nested components, canonical lift/lower and small core modules) into a
// component binary. It is a reader for test inputs and expected outputs, not
// a complete assembler: anything outside the subset is a located error.
package wat

import (
	"fmt"
	"strconv"
	"strings"
)

// node is one s-expression: an atom (keyword, $id, number), a string, or a
// parenthesized list.
type node struct {
	list   []*node
	isList bool
	atom   string // atoms and decoded strings
	isStr  bool
	line   int
	col    int
}

// Error is a syntax or assembly error located in the text.
type Error struct {
	Line, Col int
	Msg       string
}

// Error implements error.
func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg) }

func errAt(n *node, format string, args ...any) error {
	if n == nil {
		return &Error{Msg: fmt.Sprintf(format, args...)}
	}
	return &Error{Line: n.line, Col: n.col, Msg: fmt.Sprintf(format, args...)}
}

// maxDepth bounds nesting so that hostile text cannot exhaust the stack.
const maxDepth = 200

type lexer struct {
	src       string
	pos       int
	line, col int
}

func (l *lexer) adv() {
	if l.src[l.pos] == '\n' {
		l.line++
		l.col = 1
	} else {
		l.col++
	}
	l.pos++
}

// skip skips white space, line comments and (nested) block comments.
func (l *lexer) skip() error {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			l.adv()
		case strings.HasPrefix(l.src[l.pos:], ";;"):
			for l.pos < len(l.src) && l.src[l.pos] != '\n' {
				l.adv()
			}
		case strings.HasPrefix(l.src[l.pos:], "(;"):
			depth := 0
			line, col := l.line, l.col
			for {
				if l.pos >= len(l.src) {
					return &Error{Line: line, Col: col, Msg: "unterminated block comment"}
				}
				if strings.HasPrefix(l.src[l.pos:], "(;") {
					depth++
					l.adv()
					l.adv()
					continue
				}
				if strings.HasPrefix(l.src[l.pos:], ";)") {
					depth--
					l.adv()
					l.adv()
					if depth == 0 {
						break
					}
					continue
				}
				l.adv()
			}
		default:
			return nil
		}
	}
	return nil
}

// parseSexprs reads every top-level s-expression of src.
func parseSexprs(src string) ([]*node, error) {
	l := &lexer{src: src, line: 1, col: 1}
	var out []*node
	for {
		if err := l.skip(); err != nil {
			return nil, err
		}
		if l.pos >= len(l.src) {
			return out, nil
		}
		n, err := l.expr(0)
		if err != nil {
			return nil, err
		}
		if n != nil {
			out = append(out, n)
		}
	}
}

// expr reads one expression; annotations such as (@producers ...) read as
// nil and are dropped by the caller.
func (l *lexer) expr(depth int) (*node, error) {
	if depth > maxDepth {
		return nil, &Error{Line: l.line, Col: l.col, Msg: "nesting too deep"}
	}
	n := &node{line: l.line, col: l.col}
	c := l.src[l.pos]
	switch {
	case c == '(':
		l.adv()
		n.isList = true
		annotation := l.pos < len(l.src) && l.src[l.pos] == '@'
		for {
			if err := l.skip(); err != nil {
				return nil, err
			}
			if l.pos >= len(l.src) {
				return nil, &Error{Line: n.line, Col: n.col, Msg: "unclosed parenthesis"}
			}
			if l.src[l.pos] == ')' {
				l.adv()
				if annotation {
					return nil, nil
				}
				return n, nil
			}
			k, err := l.expr(depth + 1)
			if err != nil {
				return nil, err
			}
			if k != nil {
				n.list = append(n.list, k)
			}
		}
	case c == ')':
		return nil, &Error{Line: l.line, Col: l.col, Msg: "unexpected `)`"}
	case c == '"':
		s, err := l.str()
		if err != nil {
			return nil, err
		}
		n.atom, n.isStr = s, true
		return n, nil
	default:
		start := l.pos
		for l.pos < len(l.src) {
			c := l.src[l.pos]
			if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(' || c == ')' || c == '"' || c == ';' {
				break
			}
			l.adv()
		}
		if l.pos == start {
			return nil, &Error{Line: l.line, Col: l.col, Msg: fmt.Sprintf("unexpected character %q", l.src[l.pos])}
		}
		n.atom = l.src[start:l.pos]
		return n, nil
	}
}

func (l *lexer) str() (string, error) {
	line, col := l.line, l.col
	l.adv()
	var b strings.Builder
	for {
		if l.pos >= len(l.src) {
			return "", &Error{Line: line, Col: col, Msg: "unterminated string"}
		}
		c := l.src[l.pos]
		if c == '"' {
			l.adv()
			return b.String(), nil
		}
		if c != '\\' {
			b.WriteByte(c)
			l.adv()
			continue
		}
		l.adv()
		if l.pos >= len(l.src) {
			return "", &Error{Line: line, Col: col, Msg: "unterminated string"}
		}
		e := l.src[l.pos]
		switch e {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '"', '\'', '\\':
			b.WriteByte(e)
		case 'u':
			end := strings.IndexByte(l.src[l.pos:], '}')
			if l.pos+1 >= len(l.src) || l.src[l.pos+1] != '{' || end < 0 {
				return "", &Error{Line: l.line, Col: l.col, Msg: "bad \\u escape"}
			}
			v, err := strconv.ParseUint(l.src[l.pos+2:l.pos+end], 16, 32)
			if err != nil {
				return "", &Error{Line: l.line, Col: l.col, Msg: "bad \\u escape"}
			}
			b.WriteRune(rune(v))
			for i := 0; i < end; i++ {
				l.adv()
			}
		default:
			if l.pos+1 < len(l.src) {
				v, err := strconv.ParseUint(l.src[l.pos:l.pos+2], 16, 8)
				if err == nil {
					b.WriteByte(byte(v))
					l.adv()
					break
				}
			}
			return "", &Error{Line: l.line, Col: l.col, Msg: fmt.Sprintf("unknown escape \\%c", e)}
		}
		l.adv()
	}
}

// head returns the keyword a list starts with ("" for none).
func (n *node) head() string {
	if n == nil || !n.isList || len(n.list) == 0 || n.list[0].isList || n.list[0].isStr {
		return ""
	}
	return n.list[0].atom
}

// isID reports whether n is a $identifier atom.
func (n *node) isID() bool {
	return n != nil && !n.isList && !n.isStr && strings.HasPrefix(n.atom, "$")
}

func (n *node) isKw(kw string) bool { return n != nil && !n.isList && !n.isStr && n.atom == kw }

// tail is a list's elements after its head (nil for atoms and empty lists).
func tail(n *node) []*node {
	if n == nil || len(n.list) < 1 {
		return nil
	}
	return n.list[1:]
}
