package wat

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// kind is the kind of a node of the s-expression tree.
type kind uint8

const (
	kList     kind = iota // ( ... )
	kKeyword              // starts with a lower-case letter
	kID                   // $name or $"name"; text holds the name
	kString               // "..."; text holds the decoded bytes
	kNum                  // starts with a digit, or a sign then a digit, inf or nan
	kReserved             // any other run of id characters
	kAnnot                // @name, the head of an annotation list
)

var kindNames = [...]string{"`(`", "keyword", "identifier", "string", "number", "reserved word", "annotation"}

// node is one s-expression: a parenthesized list or a token.
type node struct {
	kind     kind
	text     string
	pos, end int // byte offsets in the source
	kids     []*node
}

// describe names the node for "expected X, found Y" messages.
func (n *node) describe() string {
	switch n.kind {
	case kList:
		if len(n.kids) > 0 && (n.kids[0].kind == kKeyword || n.kids[0].kind == kAnnot) {
			return "`(" + n.kids[0].text + "`"
		}
		return "`(`"
	case kKeyword, kReserved, kNum:
		return fmt.Sprintf("%s `%s`", kindNames[n.kind], n.text)
	case kID:
		return "identifier `$" + n.text + "`"
	case kAnnot:
		return "annotation `" + n.text + "`"
	}
	return kindNames[n.kind]
}

// textOr returns the text of a token, or "" for nil and lists.
func (n *node) textOr() string {
	if n == nil || n.kind == kList {
		return ""
	}
	return n.text
}

// head returns the keyword a list starts with, or "".
func (n *node) head() string {
	if n != nil && n.kind == kList && len(n.kids) > 0 && (n.kids[0].kind == kKeyword || n.kids[0].kind == kAnnot) {
		return n.kids[0].text
	}
	return ""
}

// maxDepth bounds how deeply lists nest, so that hostile text cannot
// exhaust memory or the stack of the recursive passes.
const maxDepth = 1000

// source is one text being parsed: its name, its bytes and the error
// constructor that locates messages in it.
type source struct {
	name string
	src  string
	gen  int // counter for generated names
}

func (s *source) errorf(off int, format string, args ...any) *Error {
	return &Error{Path: s.name, Source: s.src, Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// isIDChar reports whether c may appear in a keyword, identifier or number.
func isIDChar(c byte) bool {
	if c <= ' ' || c >= 0x7f {
		return false
	}
	switch c {
	case '"', ',', ';', '(', ')', '[', ']', '{', '}':
		return false
	}
	return true
}

// read turns the whole source into a list of top-level nodes. Annotations
// other than the ones the encoder understands are dropped here, as the
// reference ignores unknown annotations.
func (s *source) read() ([]*node, error) {
	src := s.src
	root := &node{kind: kList}
	stack := []*node{root}
	i := 0
	for {
		// Skip white space and comments.
		for i < len(src) {
			c := src[i]
			if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
				i++
				continue
			}
			if c == ';' && i+1 < len(src) && src[i+1] == ';' {
				for i < len(src) && src[i] != '\n' {
					i++
				}
				continue
			}
			if c == '(' && i+1 < len(src) && src[i+1] == ';' {
				start := i
				depth := 0
				for {
					if i+1 >= len(src) {
						return nil, s.errorf(start, "unterminated block comment")
					}
					if src[i] == '(' && src[i+1] == ';' {
						depth++
						i += 2
					} else if src[i] == ';' && src[i+1] == ')' {
						depth--
						i += 2
						if depth == 0 {
							break
						}
					} else {
						i++
					}
				}
				continue
			}
			break
		}
		if i >= len(src) {
			break
		}
		top := stack[len(stack)-1]
		start := i
		c := src[i]
		switch {
		case c == '(':
			if len(stack) > maxDepth {
				return nil, s.errorf(i, "item nesting too deep (more than %d levels)", maxDepth)
			}
			n := &node{kind: kList, pos: i}
			top.kids = append(top.kids, n)
			stack = append(stack, n)
			i++
			continue
		case c == ')':
			if len(stack) == 1 {
				return nil, s.errorf(i, "unexpected `)` with no matching `(`")
			}
			top.end = i + 1
			stack = stack[:len(stack)-1]
			i++
			continue
		case c == '"':
			text, next, err := s.str(i)
			if err != nil {
				return nil, err
			}
			i = next
			top.kids = append(top.kids, &node{kind: kString, text: text, pos: start, end: i})
		default:
			for i < len(src) && isIDChar(src[i]) {
				i++
			}
			if i == start {
				if c >= 0x80 {
					r, _ := utf8.DecodeRuneInString(src[i:])
					return nil, s.errorf(i, "unexpected character %q", r)
				}
				return nil, s.errorf(i, "unexpected character %q", c)
			}
			word := src[start:i]
			n := &node{pos: start, end: i, text: word}
			switch {
			case word[0] == '$':
				n.kind = kID
				n.text = word[1:]
				if n.text == "" {
					if i < len(src) && src[i] == '"' {
						text, next, err := s.str(i)
						if err != nil {
							return nil, err
						}
						if !utf8.ValidString(text) {
							return nil, s.errorf(i, "malformed UTF-8 encoding in identifier")
						}
						if text == "" {
							return nil, s.errorf(start, "empty identifier")
						}
						n.text, i, n.end = text, next, next
					} else {
						return nil, s.errorf(start, "empty identifier")
					}
				}
			case word[0] >= 'a' && word[0] <= 'z':
				n.kind = kKeyword
			case word[0] >= '0' && word[0] <= '9':
				n.kind = kNum
			case (word[0] == '+' || word[0] == '-') && len(word) > 1 && (word[1] >= '0' && word[1] <= '9' || strings.HasPrefix(word[1:], "inf") || strings.HasPrefix(word[1:], "nan")):
				n.kind = kNum
			case word[0] == '@' && len(top.kids) == 0 && top != root && len(word) > 1:
				n.kind = kAnnot
				n.text = word[1:]
			default:
				n.kind = kReserved
			}
			top.kids = append(top.kids, n)
		}
	}
	if len(stack) > 1 {
		return nil, s.errorf(stack[len(stack)-1].pos, "unclosed `(`: expected `)` before the end of the text")
	}
	return stripAnnotations(root.kids), nil
}

// knownAnnotations are the annotations the encoder gives meaning to; the
// others are dropped wherever they appear.
var knownAnnotations = map[string]bool{"name": true, "custom": true, "producers": true, "dylink.0": true}

func stripAnnotations(kids []*node) []*node {
	out := kids[:0]
	for _, k := range kids {
		if k.kind == kList {
			if len(k.kids) > 0 && k.kids[0].kind == kAnnot && !knownAnnotations[k.kids[0].text] {
				continue
			}
			k.kids = stripAnnotations(k.kids)
		}
		out = append(out, k)
	}
	return out
}

// str decodes the string literal starting at src[i] (a quote) and returns
// its bytes and the offset after the closing quote.
func (s *source) str(i int) (string, int, error) {
	src := s.src
	start := i
	i++
	var b strings.Builder
	for {
		if i >= len(src) {
			return "", 0, s.errorf(start, "unterminated string literal")
		}
		c := src[i]
		switch {
		case c == '"':
			return b.String(), i + 1, nil
		case c == '\\':
			if i+1 >= len(src) {
				return "", 0, s.errorf(start, "unterminated string literal")
			}
			e := src[i+1]
			i += 2
			switch e {
			case 't':
				b.WriteByte('\t')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case '"', '\'', '\\':
				b.WriteByte(e)
			case 'u':
				if i >= len(src) || src[i] != '{' {
					return "", 0, s.errorf(i-2, "invalid string escape: expected `{` after `\\u`")
				}
				end := strings.IndexByte(src[i:], '}')
				if end < 0 {
					return "", 0, s.errorf(i-2, "invalid string escape: unterminated `\\u{`")
				}
				hex := strings.ReplaceAll(src[i+1:i+end], "_", "")
				v, err := strconv.ParseUint(hex, 16, 32)
				if err != nil || hex == "" || v > 0x10ffff || (v >= 0xd800 && v < 0xe000) {
					return "", 0, s.errorf(i-2, "invalid unicode escape `\\u{%s}`", src[i+1:i+end])
				}
				b.WriteRune(rune(v))
				i += end + 1
			default:
				if i < len(src) && isHex(e) && isHex(src[i]) {
					v, _ := strconv.ParseUint(string([]byte{e, src[i]}), 16, 8)
					b.WriteByte(byte(v))
					i++
				} else {
					return "", 0, s.errorf(i-2, "invalid string escape `\\%c`", e)
				}
			}
		case c == '\n':
			return "", 0, s.errorf(i, "newline in string literal")
		case c < 0x20 && c != '\t' || c == 0x7f:
			return "", 0, s.errorf(i, "control character 0x%02x in string literal", c)
		default:
			b.WriteByte(c)
			i++
		}
	}
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
