package wac

import (
	"fmt"
	"strings"
)

// Error is a located error in a WAC document.
type Error struct {
	Span Span
	Msg  string
}

// Error implements error.
func (e *Error) Error() string { return e.Msg }

// Errorf returns an Error at span.
func Errorf(span Span, format string, args ...any) *Error {
	return &Error{Span: span, Msg: fmt.Sprintf(format, args...)}
}

// Position converts a byte offset of src to a 1-based line and column
// (columns count characters).
func Position(src string, offset int) (line, col int) {
	if offset > len(src) {
		offset = len(src)
	}
	line = 1 + strings.Count(src[:offset], "\n")
	start := strings.LastIndexByte(src[:offset], '\n') + 1
	col = 1 + len([]rune(src[start:offset]))
	return line, col
}

// Render formats err the way WIT errors are shown: the message, then
// file:line:col, the source line and a caret under the span.
func Render(path, src string, err *Error) string {
	line, col := Position(src, err.Span.Offset)
	start := err.Span.Offset
	if start > len(src) {
		start = len(src)
	}
	ls := strings.LastIndexByte(src[:start], '\n') + 1
	le := strings.IndexByte(src[ls:], '\n')
	if le < 0 {
		le = len(src)
	} else {
		le += ls
	}
	text := strings.TrimRight(src[ls:le], "\r")
	width := err.Span.Len
	if width < 1 {
		width = 1
	}
	if rest := len([]rune(text)) - (col - 1); width > rest && rest > 0 {
		width = rest
	}
	pad := strings.Repeat(" ", len(fmt.Sprint(line)))
	return fmt.Sprintf("%s\n     --> %s:%d:%d\n %s |\n %d | %s\n %s | %s%s", err.Msg, path, line, col, pad, line, text, pad,
		strings.Repeat(" ", col-1), strings.Repeat("^", width))
}

type tokKind uint8

const (
	tEOF tokKind = iota
	tIdent
	tKeyword
	tString
	tPunct // { } ( ) < > , ; : = . ... -> [ ] @ / _
	tVersion
)

type token struct {
	kind tokKind
	text string
	span Span
	// docs before the token are not kept: WAC docs do not affect encoding.
}

var keywords = map[string]bool{
	"import": true, "with": true, "type": true, "tuple": true, "list": true, "option": true,
	"result": true, "borrow": true, "resource": true, "variant": true, "record": true,
	"flags": true, "enum": true, "func": true, "static": true, "constructor": true,
	"u8": true, "s8": true, "u16": true, "s16": true, "u32": true, "s32": true, "u64": true,
	"s64": true, "f32": true, "f64": true, "char": true, "bool": true, "string": true,
	"interface": true, "world": true, "export": true, "new": true, "let": true, "use": true,
	"include": true, "as": true, "package": true, "targets": true,
}

type lexer struct {
	src string
	pos int
}

func isIDStart(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isIDChar(c byte) bool  { return isIDStart(c) || c >= '0' && c <= '9' || c == '-' }

func (l *lexer) skip() error {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			l.pos++
		case strings.HasPrefix(l.src[l.pos:], "//"):
			for l.pos < len(l.src) && l.src[l.pos] != '\n' {
				l.pos++
			}
		case strings.HasPrefix(l.src[l.pos:], "/*"):
			start := l.pos
			depth := 0
			for {
				if l.pos >= len(l.src) {
					return Errorf(Span{start, 2}, "unterminated block comment")
				}
				if strings.HasPrefix(l.src[l.pos:], "/*") {
					depth++
					l.pos += 2
				} else if strings.HasPrefix(l.src[l.pos:], "*/") {
					depth--
					l.pos += 2
					if depth == 0 {
						break
					}
				} else {
					l.pos++
				}
			}
		default:
			return nil
		}
	}
	return nil
}

// next reads one token. Versions are read by version(), after an `@`.
func (l *lexer) next() (token, error) {
	if err := l.skip(); err != nil {
		return token{}, err
	}
	if l.pos >= len(l.src) {
		return token{kind: tEOF, span: Span{l.pos, 0}}, nil
	}
	start := l.pos
	c := l.src[l.pos]
	switch {
	case c == '%' || isIDStart(c):
		if c == '%' {
			l.pos++
		}
		for l.pos < len(l.src) && isIDChar(l.src[l.pos]) {
			l.pos++
		}
		text := l.src[start:l.pos]
		if c != '%' && keywords[text] {
			return token{kind: tKeyword, text: text, span: Span{start, l.pos - start}}, nil
		}
		if err := checkID(strings.TrimPrefix(text, "%")); err != nil {
			return token{}, Errorf(Span{start, l.pos - start}, "%v", err)
		}
		return token{kind: tIdent, text: strings.TrimPrefix(text, "%"), span: Span{start, l.pos - start}}, nil
	case c == '"':
		l.pos++
		for l.pos < len(l.src) && l.src[l.pos] != '"' {
			if l.src[l.pos] == '\n' {
				break
			}
			l.pos++
		}
		if l.pos >= len(l.src) || l.src[l.pos] != '"' {
			return token{}, Errorf(Span{start, 1}, "unterminated string")
		}
		l.pos++
		return token{kind: tString, text: l.src[start+1 : l.pos-1], span: Span{start, l.pos - start}}, nil
	case strings.HasPrefix(l.src[l.pos:], "..."):
		l.pos += 3
		return token{kind: tPunct, text: "...", span: Span{start, 3}}, nil
	case strings.HasPrefix(l.src[l.pos:], "->"):
		l.pos += 2
		return token{kind: tPunct, text: "->", span: Span{start, 2}}, nil
	case strings.IndexByte("{}()<>,;:=.[]@/_", c) >= 0:
		l.pos++
		return token{kind: tPunct, text: string(c), span: Span{start, 1}}, nil
	}
	return token{}, Errorf(Span{start, 1}, "unexpected character `%c`", c)
}

// version reads a semver-shaped token right after an `@`.
func (l *lexer) version() token {
	start := l.pos
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if isIDChar(c) || c == '.' || c == '+' {
			l.pos++
			continue
		}
		break
	}
	// A path may go on with `.{` (use foo:bar/baz@1.0.0.{x}).
	if l.pos > start && l.src[l.pos-1] == '.' {
		l.pos--
	}
	return token{kind: tVersion, text: l.src[start:l.pos], span: Span{start, l.pos - start}}
}

// checkID accepts kebab-case identifiers whose words are all lower or all
// upper case.
func checkID(s string) error {
	for _, w := range strings.Split(s, "-") {
		if w == "" {
			return fmt.Errorf("`%s` is not a valid identifier: empty word", s)
		}
		if w[0] >= '0' && w[0] <= '9' {
			return fmt.Errorf("`%s` is not a valid identifier: a word starts with a digit", s)
		}
		lower, upper := false, false
		for i := 0; i < len(w); i++ {
			if w[i] >= 'a' && w[i] <= 'z' {
				lower = true
			} else if w[i] >= 'A' && w[i] <= 'Z' {
				upper = true
			}
		}
		if lower && upper {
			return fmt.Errorf("`%s` is not a valid identifier: a word mixes lower and upper case", s)
		}
	}
	return nil
}

func describeTok(t token) string {
	switch t.kind {
	case tEOF:
		return "end of input"
	case tIdent:
		return "identifier"
	case tKeyword:
		return fmt.Sprintf("`%s` keyword", t.text)
	case tString:
		return "string"
	case tVersion:
		return "version"
	}
	return fmt.Sprintf("`%s`", t.text)
}
