package parse

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wasmcm/wasmcm/wit/internal/ast"
)

func collect(t *testing.T, src string) ([]token, *lexError) {
	t.Helper()
	tz, err := newTokenizer(src)
	if err != nil {
		return nil, err
	}
	var toks []token
	for {
		kind, _, ok, err := tz.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return toks, nil
		}
		toks = append(toks, kind)
	}
}

func TestTokens(t *testing.T) {
	for src, want := range map[string][]token{
		"":            nil,
		"_":           {tokUnderscore},
		"apple--pear": {tokId},
		"apple pear":  {tokId, tokId},
		"_a_p_p_l_e_": {tokId},
		"garçon-hühnervögel-москва-東京": {tokId},
		"%a-a":          {tokExplicitId},
		"%bool":         {tokExplicitId},
		"%":             {tokExplicitId},
		"a: func()":     {tokId, tokColon, tokFunc, tokLeftParen, tokRightParen},
		"own<some-id>":  {tokOwn, tokLessThan, tokId, tokGreaterThan},
		"error-context": {tokErrorContext},
		"-> - +":        {tokRArrow, tokMinus, tokPlus},
		// '-' continues an identifier, so `a->` is `a-` then `>`.
		"a->":     {tokId, tokGreaterThan},
		"12ab":    {tokInteger, tokId},
		"\ufeffa": {tokId},
		// CRLF is one newline; comments of every kind are skipped.
		"a\r\nb // c\r\n/* d /* nested */ e */ f": {tokId, tokId, tokId},
		"/**/x":               {tokId},
		`"a\"b" "\u{1_F600}"`: {tokStringLiteral, tokStringLiteral},
		// A version is lexed as plain tokens and put together by the parser.
		"1.0.0-rc.1+build":    {tokInteger, tokPeriod, tokInteger, tokPeriod, tokInteger, tokMinus, tokId, tokPeriod, tokInteger, tokPlus, tokId},
		"0.2.0-rc-2023-11-10": {tokInteger, tokPeriod, tokInteger, tokPeriod, tokInteger, tokMinus, tokId},
	} {
		got, err := collect(t, src)
		if err != nil {
			t.Errorf("%q: %s", src, err.msg)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %v, want %v", src, got, want)
		}
	}
}

func TestLexErrors(t *testing.T) {
	for _, c := range []struct {
		src string
		pos int
		msg string
	}{
		{"\u0149", 0, `Codepoint '\u{149}' is discouraged by Unicode`},
		{"a \u202a", 2, `Input contains bidirectional override codepoint '\u{202a}'`},
		{"\x00", 0, `Control code '\u{0}'`},
		{"a\x0b", 1, `Control code '\u{b}'`},
		{"\u0085", 0, `Control code '\u{85}'`},
		{"a\xffb", 1, "invalid UTF-8: byte 0xff does not start a valid UTF-8 sequence"},
		{"x /* a /* b */", 2, "unterminated block comment"},
		{"a\rb", 1, `unexpected character '\r'`},
		{"#", 0, "unexpected character '#'"},
		{`"\h"`, 2, `invalid string escape 'h'`},
		{`"\0_1"`, 3, `invalid hex digit '_'`},
		{`"\ff"`, 0, "invalid UTF-8: invalid utf-8 sequence of 1 bytes from index 0"},
		{`"\u0000"`, 3, `expected character '{'`},
		{`"\u{0h"`, 5, `expected character '}'`},
		{`"\u{1_}"`, 4, "trailing underscore in number"},
		{`"\u{fffffffffffffffffffff}"`, 12, "number is too big to fit in a u32"},
		{`"\u{ffff_ffff}"`, 2, "invalid unicode value 0xffffffff"},
		{`"\u{d800}"`, 2, "invalid unicode value 0xd800"},
		{"\"\t\"", 1, `invalid string character '\t'`},
		{`"abc`, 4, "unexpected end of file"},
	} {
		_, err := collect(t, c.src)
		if err == nil {
			t.Errorf("%q: no error, want %q", c.src, c.msg)
			continue
		}
		if err.pos != c.pos || err.msg != c.msg {
			t.Errorf("%q: got %q at %d, want %q at %d", c.src, err.msg, err.pos, c.msg, c.pos)
		}
	}
}

func TestStringValues(t *testing.T) {
	for src, want := range map[string]string{
		`""`: "", `"a b c"`: "a b c", `"\""`: `"`, `"\t\n\r\\\'"`: "\t\n\r\\'",
		`"\00"`: "\x00", `"\0f"`: "\x0f", `"\u{0}"`: "\x00", `"\u{1_2_3_f}"`: "\u123f",
		`"\c3\a9"`: "é", `"é"`: "é",
	} {
		tz, err := newTokenizer(src)
		if err != nil {
			t.Fatal(err.msg)
		}
		tz.pos = 1
		got, lerr := tz.lexString(0)
		if lerr != nil || got != want {
			t.Errorf("%s: got %q (%v), want %q", src, got, lerr, want)
		}
	}
}

func TestValidateID(t *testing.T) {
	for _, id := range []string{"apple", "apple-pear-grape", "a0", "a", "bool", "APPLE-PEAR", "apple-PEAR-grape",
		"APPLE-pear-GRAPE", "ENOENT", "is-XML", "apple-0", "a0-000-3d4a-54FF"} {
		if err := validateID(0, id); err != nil {
			t.Errorf("%q: %s", id, err.msg)
		}
	}
	for _, id := range []string{"", "0", "%", "$", "0a", ".", "·", "a a", "_", "-", "a-", "-a", "Apple", "applE",
		"apple_pear", "apple.pear", "apple-Pear", "apple\u05f3pear", "apple\u200cpear", "apple--pear", "_apple",
		"Москва", "a0-000-3d4A-54Ff", "😼", "\u212b"} {
		if err := validateID(0, id); err == nil {
			t.Errorf("%q: accepted", id)
		}
	}
}

func TestVersions(t *testing.T) {
	for _, v := range []string{"1.0.0", "0.2.0-rc-2023-11-10", "1.0.0-rc.1+build", "1.0.0+build.5.x-y", "1.0.0-0.a", "10.20.30"} {
		f, err := File("v.wit", "package a:b@"+v+";")
		if err != nil {
			t.Errorf("%s: %v", v, err)
			continue
		}
		if f.Package.Version != v {
			t.Errorf("%s: parsed as %q", v, f.Package.Version)
		}
	}
	for v, msg := range map[string]string{
		"01.0.0":   "invalid leading zero in major version number",
		"1.0.0-01": "invalid leading zero in pre-release identifier",
		// The second '.' ends the version, so this is no `package x;` header
		// and is parsed as a nested package instead.
		"1.0.0-a..b":               "expected '{', found '.'",
		"1.0":                      "expected '.', found ';'",
		"1.0.99999999999999999999": "value of patch version number exceeds u64::MAX",
	} {
		_, err := File("v.wit", "package a:b@"+v+";")
		var ae *ast.Error
		if !errors.As(err, &ae) || ae.Msg != msg {
			t.Errorf("%s: got %v, want %q", v, err, msg)
		}
	}
	// Like the reference, a '+' with nothing after it is left out of the
	// version rather than rejected.
	if f, err := File("v.wit", "package a:b@1.0.0+;"); err != nil || f.Package.Version != "1.0.0" {
		t.Errorf("1.0.0+: got %v", err)
	}
	// In a use path the '.' after a pre-release belongs to the use.
	f, err := File("u.wit", "package a:b; interface i { use x:y/z@1.0.0-a.{t}; }")
	if err != nil {
		t.Fatal(err)
	}
	use := f.Items[0].(*ast.Interface).Items[0].(*ast.Use)
	if use.From.Package.Version != "1.0.0-a" || use.Names[0].Name.Name != "t" {
		t.Errorf("use path parsed as %+v", use)
	}
}

func TestMarkdown(t *testing.T) {
	md := "# Title with `code` and ĳ\n\nProse; } not WIT.\n\n```wit\npackage a:b;\ninterface i {\n```\n\n```rust\nfn main() {}\n```\n\n~~~wit\n  f: func();\n}\n~~~\n"
	f, err := File("doc.md", md)
	if err != nil {
		t.Fatal(err)
	}
	if f.Package == nil || len(f.Items) != 1 || len(f.Items[0].(*ast.Interface).Items) != 1 {
		t.Fatalf("parsed %+v", f)
	}
	fn := f.Items[0].(*ast.Interface).Items[0].(*ast.NamedFunc)
	if got := md[fn.Name.Span.Start:fn.Name.Span.End]; got != "f" {
		t.Errorf("span of f points at %q in the markdown", got)
	}
	// Errors point into the markdown file.
	_, err = File("doc.md", "text\n\n```wit\npackage a:b;\ninterface i { x }\n```\n")
	var ae *ast.Error
	if !errors.As(err, &ae) || ae.Location() != "doc.md:5:17" || !strings.Contains(ae.Error(), "    5 | interface i { x }") {
		t.Errorf("got %v", err)
	}
}

func TestDepthLimits(t *testing.T) {
	deep := "package a:b; interface i { type t = " + strings.Repeat("list<", 200) + "u8" + strings.Repeat(">", 200) + "; }"
	_, err := File("d.wit", deep)
	var ae *ast.Error
	if !errors.As(err, &ae) || ae.Msg != "type nesting too deep" {
		t.Errorf("got %v", err)
	}
	nested := strings.Repeat("package a:b {\n", 150) + strings.Repeat("}\n", 150)
	_, err = File("n.wit", nested)
	if !errors.As(err, &ae) || ae.Msg != "package nesting too deep" || ae.Location() != "n.wit:101:1" {
		t.Errorf("got %v", err)
	}
}

func TestKeywords(t *testing.T) {
	for kw, want := range keywords {
		if got := keywordOrID(kw); got != want {
			t.Errorf("%q: got %v, want %v", kw, got, want)
		}
		if !strings.HasPrefix(want.describe(), "keyword `") {
			t.Errorf("%q: describe %q", kw, want.describe())
		}
	}
	for _, id := range []string{"x", "error-contexts", "usex", "d", "a"} {
		if got := keywordOrID(id); got != tokId {
			t.Errorf("%q: got %v", id, got)
		}
	}
}

// TestDetectInvalidInputEveryOffset puts each forbidden byte at every offset
// of a printable run, so the eight-at-a-time scan cannot step over it.
func TestDetectInvalidInputEveryOffset(t *testing.T) {
	base := strings.Repeat("abcdefgh", 4)
	for _, bad := range []string{"\x00", "\x1f", "\x7f", "\x0b", "\u0085", "\u202e", "\xff"} {
		for i := 0; i <= len(base); i++ {
			err := detectInvalidInput(base[:i] + bad + base[i:])
			if err == nil || err.pos != i {
				t.Errorf("%q at %d: got %v", bad, i, err)
			}
		}
	}
	for _, ok := range []string{base, base + "\n\t\r\n~ é", "~~~~~~~~~~~~~~~~"} {
		if err := detectInvalidInput(ok); err != nil {
			t.Errorf("%q: %s", ok, err.msg)
		}
	}
}

// The keyword switch and the keyword table (used for error texts) agree.
func TestKeywordSwitch(t *testing.T) {
	for kw, tok := range keywords {
		if got := keywordOrID(kw); got != tok {
			t.Errorf("keywordOrID(%q) = %v, want %v", kw, got, tok)
		}
	}
	for _, id := range []string{"x", "uses", "u128", "interfaces", "Type", "error", "context", "-"} {
		if got := keywordOrID(id); got != tokId {
			t.Errorf("keywordOrID(%q) = %v, want an identifier", id, got)
		}
	}
}

// The one-pass check accepts exactly what validateID's rules accept.
func TestValidKebab(t *testing.T) {
	for _, id := range []string{
		"", "a", "a-b", "a1", "a-1", "1a", "-a", "a-", "a--b", "AB-cd", "Ab", "aB", "a-B1-c",
		"ABC", "a_b", "a b", "é", "a-é", "0", "a-0-B", "x-1a", "X1-y2",
	} {
		slow := validateID(0, id) == nil
		if validKebab(id) && !slow {
			t.Errorf("validKebab(%q) accepts what validateID rejects", id)
		}
		if !validKebab(id) && slow {
			t.Errorf("validKebab(%q) rejects a valid name", id)
		}
	}
}

// The eight-byte skip of detectInvalidInput agrees with a byte-by-byte
// check for every byte value at every position of a word.
func TestDetectInvalidInputWords(t *testing.T) {
	for c := range 256 {
		for pos := range 16 {
			b := []byte("package a:b;\n  interface i {}\n")
			b[pos] = byte(c)
			src := string(b)
			want := -1
			for i := 0; i < len(src); {
				r, size := utf8.DecodeRuneInString(src[i:])
				bad := r == utf8.RuneError && size == 1
				if r < utf8.RuneSelf && !bad {
					bad = !plainASCII[byte(r)]
				}
				if bad {
					want = i
					break
				}
				i += size
			}
			err := detectInvalidInput(src)
			if (err == nil) != (want < 0) || (err != nil && err.pos != want) {
				t.Fatalf("byte %#x at %d: got %v, want an error at %d", c, pos, err, want)
			}
		}
	}
}
