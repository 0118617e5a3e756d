package parse

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// token is the kind of one lexical token, as wit-parser's lexer has them.
type token uint8

const (
	tokWhitespace token = iota
	tokComment

	tokEquals
	tokComma
	tokColon
	tokPeriod
	tokSemicolon
	tokLeftParen
	tokRightParen
	tokLeftBrace
	tokRightBrace
	tokLessThan
	tokGreaterThan
	tokRArrow
	tokStar
	tokAt
	tokSlash
	tokPlus
	tokMinus
	tokStringLiteral

	tokUse
	tokType
	tokFunc
	tokU8
	tokU16
	tokU32
	tokU64
	tokS8
	tokS16
	tokS32
	tokS64
	tokF32
	tokF64
	tokChar
	tokRecord
	tokResource
	tokOwn
	tokBorrow
	tokFlags
	tokVariant
	tokEnum
	tokBool
	tokString
	tokOption
	tokResult
	tokFuture
	tokStream
	tokErrorContext
	tokList
	tokMap
	tokUnderscore
	tokAs
	tokFrom
	tokStatic
	tokInterface
	tokTuple
	tokImport
	tokExport
	tokWorld
	tokPackage
	tokConstructor
	tokAsync

	tokId
	tokExplicitId

	tokInteger

	tokInclude
	tokWith
)

// keywords are the reserved words (keywordOrID must agree); any other
// keylike run of characters is an identifier.
var keywords = map[string]token{
	"use": tokUse, "type": tokType, "func": tokFunc,
	"u8": tokU8, "u16": tokU16, "u32": tokU32, "u64": tokU64,
	"s8": tokS8, "s16": tokS16, "s32": tokS32, "s64": tokS64,
	"f32": tokF32, "f64": tokF64, "char": tokChar,
	"resource": tokResource, "own": tokOwn, "borrow": tokBorrow,
	"record": tokRecord, "flags": tokFlags, "variant": tokVariant, "enum": tokEnum,
	"bool": tokBool, "string": tokString, "option": tokOption, "result": tokResult,
	"future": tokFuture, "stream": tokStream, "error-context": tokErrorContext,
	"list": tokList, "map": tokMap, "_": tokUnderscore, "as": tokAs, "from": tokFrom,
	"static": tokStatic, "interface": tokInterface, "tuple": tokTuple,
	"world": tokWorld, "import": tokImport, "export": tokExport,
	"package": tokPackage, "constructor": tokConstructor,
	"include": tokInclude, "with": tokWith, "async": tokAsync,
}

// keywordOrID classifies a keylike word. A switch (compiled to a search on
// length and bytes) is cheaper than hashing every identifier for the map.
func keywordOrID(word string) token {
	switch word {
	case "use":
		return tokUse
	case "type":
		return tokType
	case "func":
		return tokFunc
	case "u8":
		return tokU8
	case "u16":
		return tokU16
	case "u32":
		return tokU32
	case "u64":
		return tokU64
	case "s8":
		return tokS8
	case "s16":
		return tokS16
	case "s32":
		return tokS32
	case "s64":
		return tokS64
	case "f32":
		return tokF32
	case "f64":
		return tokF64
	case "char":
		return tokChar
	case "resource":
		return tokResource
	case "own":
		return tokOwn
	case "borrow":
		return tokBorrow
	case "record":
		return tokRecord
	case "flags":
		return tokFlags
	case "variant":
		return tokVariant
	case "enum":
		return tokEnum
	case "bool":
		return tokBool
	case "string":
		return tokString
	case "option":
		return tokOption
	case "result":
		return tokResult
	case "future":
		return tokFuture
	case "stream":
		return tokStream
	case "error-context":
		return tokErrorContext
	case "list":
		return tokList
	case "map":
		return tokMap
	case "_":
		return tokUnderscore
	case "as":
		return tokAs
	case "from":
		return tokFrom
	case "static":
		return tokStatic
	case "interface":
		return tokInterface
	case "tuple":
		return tokTuple
	case "world":
		return tokWorld
	case "import":
		return tokImport
	case "export":
		return tokExport
	case "package":
		return tokPackage
	case "constructor":
		return tokConstructor
	case "include":
		return tokInclude
	case "with":
		return tokWith
	case "async":
		return tokAsync
	}
	return tokId
}

// describe names a token the way the reference's error messages do.
func (t token) describe() string {
	switch t {
	case tokWhitespace:
		return "whitespace"
	case tokComment:
		return "a comment"
	case tokEquals:
		return "'='"
	case tokComma:
		return "','"
	case tokColon:
		return "':'"
	case tokPeriod:
		return "'.'"
	case tokSemicolon:
		return "';'"
	case tokLeftParen:
		return "'('"
	case tokRightParen:
		return "')'"
	case tokLeftBrace:
		return "'{'"
	case tokRightBrace:
		return "'}'"
	case tokLessThan:
		return "'<'"
	case tokGreaterThan:
		return "'>'"
	case tokRArrow:
		return "`->`"
	case tokStar:
		return "`*`"
	case tokAt:
		return "`@`"
	case tokSlash:
		return "`/`"
	case tokPlus:
		return "`+`"
	case tokMinus:
		return "`-`"
	case tokStringLiteral:
		return "a string literal"
	case tokId:
		return "an identifier"
	case tokExplicitId:
		return "an '%' identifier"
	case tokInteger:
		return "an integer"
	}
	for kw, tok := range keywords {
		if tok == t {
			return "keyword `" + kw + "`"
		}
	}
	return "unknown token"
}

// lexError is a lexing failure at one byte offset; it renders as a one-byte
// span like the reference's lexer errors.
type lexError struct {
	pos int
	msg string
}

// tokenizer produces tokens from a source. It is a small value: copying it
// is how the parser looks ahead, exactly as the reference clones its lexer.
type tokenizer struct {
	src string
	pos int

	// The token at cpos, remembered by a look-ahead so the parse that
	// follows does not lex it again (the grammar peeks at most tokens).
	cached bool
	cpos   int
	cok    bool // false: cpos is the end of input
	ctok   token
	cspan  span

	// a is where the parser allocates the tree (shared by copies).
	a *arena
}

// newTokenizer checks the whole input for forbidden code points (as the
// reference does before lexing anything) and skips a leading BOM.
func newTokenizer(src string) (tokenizer, *lexError) {
	if err := detectInvalidInput(src); err != nil {
		return tokenizer{}, err
	}
	t := tokenizer{src: src}
	t.eatc('\uFEFF')
	return t, nil
}

// plainASCII marks the bytes detectInvalidInput passes without a closer look.
var plainASCII = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = true
	}
	t['\n'], t['\r'], t['\t'] = true, true, true
	return t
}()

func detectInvalidInput(src string) *lexError {
	for i := 0; i < len(src); {
		// Skip eight bytes at a time while they are printable ASCII or
		// '\n' (lines end in every word or so): no byte has the high bit
		// set, none other than '\n' is below 0x20, none equals 0x7f. The
		// per-byte tests are exact (no carry crosses a byte).
		for i+8 <= len(src) {
			x := uint64(src[i]) | uint64(src[i+1])<<8 | uint64(src[i+2])<<16 | uint64(src[i+3])<<24 |
				uint64(src[i+4])<<32 | uint64(src[i+5])<<40 | uint64(src[i+6])<<48 | uint64(src[i+7])<<56
			const ones, highs, lows = 0x0101010101010101, 0x8080808080808080, 0x7f7f7f7f7f7f7f7f
			below20 := ^((x & lows) + 0x60*ones) // high bit: byte < 0x20
			nl := x ^ (0x0a * ones)
			nl = ^(((nl & lows) + lows) | nl) // high bit: byte == '\n'
			del := x ^ (0x7f * ones)
			del = ^(((del & lows) + lows) | del) // high bit: byte == 0x7f
			if (x|(below20&^nl)|del)&highs != 0 {
				break
			}
			i += 8
		}
		if i >= len(src) {
			break
		}
		c := src[i]
		if plainASCII[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			return &lexError{i, fmt.Sprintf("Control code '%s'", escapeUnicode(rune(c)))}
		}
		r, size := utf8.DecodeRuneInString(src[i:])
		if r == utf8.RuneError && size == 1 {
			return &lexError{i, fmt.Sprintf("invalid UTF-8: byte 0x%02x does not start a valid UTF-8 sequence", c)}
		}
		switch r {
		case '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069':
			// Bidirectional overrides can make source read differently
			// than it parses (CVE-2021-42574).
			// The reference's text here is a Debug dump of Rust's
			// EscapeUnicode; this gives just the quoted escape.
			return &lexError{i, fmt.Sprintf("Input contains bidirectional override codepoint '%s'", escapeUnicode(r))}
		case '\u0149', '\u0673', '\u0f77', '\u0f79', '\u17a3', '\u17a4', '\u17b4', '\u17b5':
			return &lexError{i, fmt.Sprintf("Codepoint '%s' is discouraged by Unicode", escapeUnicode(r))}
		}
		if unicode.IsControl(r) {
			return &lexError{i, fmt.Sprintf("Control code '%s'", escapeUnicode(r))}
		}
		i += size
	}
	return nil
}

// escapeUnicode is Rust's char::escape_unicode: \u{hex}.
func escapeUnicode(r rune) string { return fmt.Sprintf("\\u{%x}", r) }

// rustChar formats a char as Rust's {:?} does.
func rustChar(r rune) string {
	switch r {
	case '\t':
		return `'\t'`
	case '\r':
		return `'\r'`
	case '\n':
		return `'\n'`
	case '\\':
		return `'\\'`
	case '\'':
		return `'\''`
	case 0:
		return `'\0'`
	}
	if !unicode.IsPrint(r) && r != ' ' || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) {
		return "'" + escapeUnicode(r) + "'"
	}
	return "'" + string(r) + "'"
}

// peekChar returns the next character (folding CRLF to '\n', as the
// reference does) and the offset after it, or ok=false at the end.
func (t *tokenizer) peekChar() (r rune, next int, ok bool) {
	if t.pos >= len(t.src) {
		return 0, t.pos, false
	}
	c := t.src[t.pos]
	if c < utf8.RuneSelf {
		if c == '\r' && t.pos+1 < len(t.src) && t.src[t.pos+1] == '\n' {
			return '\n', t.pos + 2, true
		}
		return rune(c), t.pos + 1, true
	}
	r, size := utf8.DecodeRuneInString(t.src[t.pos:])
	return r, t.pos + size, true
}

func (t *tokenizer) nextChar() (r rune, at int, ok bool) {
	at = t.pos
	r, next, ok := t.peekChar()
	if ok {
		t.pos = next
	}
	return r, at, ok
}

func (t *tokenizer) eatc(want rune) bool {
	r, next, ok := t.peekChar()
	if ok && r == want {
		t.pos = next
		return true
	}
	return false
}

func isKeylikeStart(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_' || r == '-'
	}
	return isXIDStart(r)
}

func isKeylikeContinue(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-'
	}
	return isXIDStart(r) || unicode.In(r, unicode.Mn, unicode.Mc, unicode.Nd, unicode.Pc, unicode.Other_ID_Continue)
}

// isXIDStart approximates Unicode XID_Start for non-ASCII characters; such
// identifiers are lexed but always rejected by validateID, so only the
// wording of the error depends on the exact set.
func isXIDStart(r rune) bool {
	return unicode.In(r, unicode.L, unicode.Nl, unicode.Other_ID_Start)
}

func (t *tokenizer) skipWhitespace() {
	for t.pos < len(t.src) {
		switch t.src[t.pos] {
		case ' ', '\t', '\n':
			t.pos++
		case '\r':
			if t.pos+1 < len(t.src) && t.src[t.pos+1] == '\n' {
				t.pos += 2
				continue
			}
			return
		default:
			return
		}
	}
}

func (t *tokenizer) eatKeylike() {
	for t.pos < len(t.src) {
		if c := t.src[t.pos]; c < utf8.RuneSelf {
			if c >= 'a' && c <= 'z' || c == '-' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c == '_' {
				t.pos++
				continue
			}
			return
		}
		r, next, ok := t.peekChar()
		if !ok || !isKeylikeContinue(r) {
			return
		}
		t.pos = next
	}
}

// nextRaw returns the next token including whitespace and comments;
// ok=false at the end of input.
func (t *tokenizer) nextRaw() (tok token, sp span, ok bool, err *lexError) {
	if t.pos >= len(t.src) {
		return 0, span{}, false, nil
	}
	start := t.pos
	var ch rune
	if c := t.src[t.pos]; c < utf8.RuneSelf && c != '\r' {
		ch = rune(c) // ASCII: most of the input
		t.pos++
	} else {
		ch, _, _ = t.nextChar()
	}
	switch ch {
	case '\n', '\t', ' ':
		t.skipWhitespace()
		tok = tokWhitespace
	case '/':
		switch {
		case t.eatc('/'):
			// A line comment ends after its '\n' (a CRLF folds to one).
			if i := strings.IndexByte(t.src[t.pos:], '\n'); i >= 0 {
				t.pos += i + 1
			} else {
				t.pos = len(t.src)
			}
			tok = tokComment
		case t.eatc('*'):
			// '/' and '*' are ASCII, so scanning bytes is safe in UTF-8.
			depth := 1
			for depth > 0 {
				i := strings.IndexAny(t.src[t.pos:], "/*")
				if i < 0 {
					return 0, span{}, false, &lexError{start, "unterminated block comment"}
				}
				t.pos += i + 1
				c := t.src[t.pos-1]
				switch {
				case c == '/' && t.pos < len(t.src) && t.src[t.pos] == '*':
					t.pos++
					depth++
				case c == '*' && t.pos < len(t.src) && t.src[t.pos] == '/':
					t.pos++
					depth--
				}
			}
			tok = tokComment
		default:
			tok = tokSlash
		}
	case '=':
		tok = tokEquals
	case ',':
		tok = tokComma
	case ':':
		tok = tokColon
	case '.':
		tok = tokPeriod
	case ';':
		tok = tokSemicolon
	case '(':
		tok = tokLeftParen
	case ')':
		tok = tokRightParen
	case '{':
		tok = tokLeftBrace
	case '}':
		tok = tokRightBrace
	case '<':
		tok = tokLessThan
	case '>':
		tok = tokGreaterThan
	case '*':
		tok = tokStar
	case '@':
		tok = tokAt
	case '-':
		if t.eatc('>') {
			tok = tokRArrow
		} else {
			tok = tokMinus
		}
	case '+':
		tok = tokPlus
	case '%':
		if r, next, ok := t.peekChar(); ok && isKeylikeStart(r) {
			t.pos = next
			t.eatKeylike()
		}
		tok = tokExplicitId
	case '"':
		if _, err := t.lexString(start); err != nil {
			return 0, span{}, false, err
		}
		tok = tokStringLiteral
	default:
		switch {
		case isKeylikeStart(ch):
			t.eatKeylike()
			tok = keywordOrID(t.src[start:t.pos])
		case ch >= '0' && ch <= '9':
			for {
				r, next, ok := t.peekChar()
				if !ok || r < '0' || r > '9' {
					break
				}
				t.pos = next
			}
			tok = tokInteger
		default:
			return 0, span{}, false, &lexError{start, "unexpected character " + rustChar(ch)}
		}
	}
	return tok, span{Start: start, End: t.pos}, true, nil
}

// next returns the next token that is not whitespace or a comment.
func (t *tokenizer) next() (tok token, sp span, ok bool, err *lexError) {
	if t.cached && t.cpos == t.pos {
		if !t.cok {
			return 0, span{}, false, nil
		}
		t.pos = t.cspan.End
		return t.ctok, t.cspan, true, nil
	}
	for {
		tok, sp, ok, err = t.nextRaw()
		if err != nil || !ok || (tok != tokWhitespace && tok != tokComment) {
			return
		}
	}
}

// lexString reads a string literal whose opening quote is at start (already
// consumed) and returns its value.
func (t *tokenizer) lexString(start int) (string, *lexError) {
	var buf []byte
	for {
		c, pos, err := t.anyChar()
		if err != nil {
			return "", err
		}
		switch {
		case c == '"':
			if !utf8.Valid(buf) {
				return "", &lexError{start, "invalid UTF-8: " + utf8ErrorText(buf)}
			}
			return string(buf), nil
		case c == '\\':
			c, pos, err := t.anyChar()
			if err != nil {
				return "", err
			}
			switch {
			case c == '"' || c == '\'' || c == '\\':
				buf = append(buf, byte(c))
			case c == 't':
				buf = append(buf, '\t')
			case c == 'n':
				buf = append(buf, '\n')
			case c == 'r':
				buf = append(buf, '\r')
			case c == 'u':
				if err := t.wantChar('{'); err != nil {
					return "", err
				}
				n, err := t.hexNum()
				if err != nil {
					return "", err
				}
				if n > unicode.MaxRune || n >= 0xD800 && n < 0xE000 {
					return "", &lexError{pos, fmt.Sprintf("invalid unicode value %#x", n)}
				}
				buf = utf8.AppendRune(buf, rune(n))
				if err := t.wantChar('}'); err != nil {
					return "", err
				}
			case isHexDigit(c):
				_, d, err := t.hexDigit()
				if err != nil {
					return "", err
				}
				buf = append(buf, hexVal(c)*16+d)
			default:
				return "", &lexError{pos, "invalid string escape " + rustChar(c)}
			}
		case c < 0x20 || c == 0x7f:
			return "", &lexError{pos, "invalid string character " + rustChar(c)}
		default:
			buf = utf8.AppendRune(buf, c)
		}
	}
}

func (t *tokenizer) anyChar() (rune, int, *lexError) {
	c, pos, ok := t.nextChar()
	if !ok {
		return 0, 0, &lexError{len(t.src), "unexpected end of file"}
	}
	return c, pos, nil
}

func (t *tokenizer) wantChar(want rune) *lexError {
	c, pos, err := t.anyChar()
	if err != nil {
		return err
	}
	if c != want {
		return &lexError{pos, "expected character " + rustChar(want)}
	}
	return nil
}

func (t *tokenizer) hexDigit() (int, byte, *lexError) {
	c, pos, err := t.anyChar()
	if err != nil {
		return 0, 0, err
	}
	if !isHexDigit(c) {
		return 0, 0, &lexError{pos, "invalid hex digit " + rustChar(c)}
	}
	return pos, hexVal(c), nil
}

// hexNum reads the digits of a \u{...} escape, with '_' separators.
func (t *tokenizer) hexNum() (uint32, *lexError) {
	pos, d, err := t.hexDigit()
	if err != nil {
		return 0, err
	}
	n := uint32(d)
	lastUnderscore := false
	for {
		if t.eatc('_') {
			lastUnderscore = true
			continue
		}
		at := t.pos
		c, next, ok := t.peekChar()
		if !ok {
			return 0, &lexError{len(t.src), "unexpected end of file"}
		}
		if !isHexDigit(c) {
			break
		}
		lastUnderscore = false
		t.pos = next
		if n > (1<<32-1)/16 {
			return 0, &lexError{at, "number is too big to fit in a u32"}
		}
		n = n*16 + uint32(hexVal(c))
	}
	if lastUnderscore {
		return 0, &lexError{pos, "trailing underscore in number"}
	}
	return n, nil
}

func isHexDigit(c rune) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexVal(c rune) byte {
	switch {
	case c >= 'a' && c <= 'f':
		return byte(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return byte(c-'A') + 10
	}
	return byte(c - '0')
}

// validateID checks the kebab-case rules: '-'-separated non-empty parts,
// each all-lowercase or all-uppercase ASCII letters and digits, the first
// part starting with a letter.
func validateID(start int, id string) *lexError {
	if validKebab(id) {
		return nil
	}
	if id == "" {
		return &lexError{start, "identifiers must have characters between '-'s"}
	}
	for idx := 0; ; idx++ {
		part := id
		i := strings.IndexByte(id, '-')
		if i >= 0 {
			part, id = id[:i], id[i+1:]
		}
		if part == "" {
			return &lexError{start, "identifiers must have characters between '-'s"}
		}
		first, _ := utf8.DecodeRuneInString(part)
		if idx == 0 && !(first >= 'a' && first <= 'z' || first >= 'A' && first <= 'Z') {
			return &lexError{start, "invalid character in identifier " + rustChar(first)}
		}
		upper, set := false, false
		for _, c := range part {
			switch {
			case c >= '0' && c <= '9':
			case c >= 'A' && c <= 'Z':
				if set && !upper {
					return &lexError{start, "invalid character in identifier " + rustChar(c)}
				}
				upper, set = true, true
			case c >= 'a' && c <= 'z':
				if set && upper {
					return &lexError{start, "invalid character in identifier " + rustChar(c)}
				}
				set = true
			default:
				return &lexError{start, "invalid character in identifier " + rustChar(c)}
			}
		}
		if i < 0 {
			return nil
		}
	}
}

// validKebab is validateID's rules in one pass over the bytes, for the
// common case of a valid name; validateID explains any other.
func validKebab(id string) bool {
	partStart, firstPart := true, true
	upper, set := false, false
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c == '-':
			if partStart {
				return false
			}
			partStart, firstPart, set = true, false, false
			continue
		case c >= 'a' && c <= 'z':
			if set && upper {
				return false
			}
			upper, set = false, true
		case c >= 'A' && c <= 'Z':
			if set && !upper {
				return false
			}
			upper, set = true, true
		case c >= '0' && c <= '9':
			if partStart && firstPart {
				return false
			}
		default:
			return false
		}
		partStart = false
	}
	return !partStart
}

// utf8ErrorText describes the first invalid sequence in b the way Rust's
// Utf8Error does.
func utf8ErrorText(b []byte) string {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r != utf8.RuneError || size != 1 {
			i += size
			continue
		}
		if utf8.FullRune(b[i:]) {
			return fmt.Sprintf("invalid utf-8 sequence of 1 bytes from index %d", i)
		}
		return fmt.Sprintf("incomplete utf-8 byte sequence from index %d", i)
	}
	return "invalid utf-8"
}
