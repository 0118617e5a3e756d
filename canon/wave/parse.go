package wave

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/wit"
)

// Parse reads a WAVE value of type t. Whitespace and // comments may
// surround it.
func Parse(r *wit.Resolve, t wit.Type, s string) (canon.Value, error) {
	p := &parser{r: r, s: s}
	p.ws()
	v, err := p.value(t, 0)
	if err != nil {
		return canon.Value{}, err
	}
	p.ws()
	if p.i != len(p.s) {
		return canon.Value{}, p.errf("unexpected text after the value")
	}
	return v, nil
}

// ParseValues reads a comma-separated sequence of values of types ts, the
// form of a function's arguments. Trailing option arguments that are left
// out are none.
func ParseValues(r *wit.Resolve, ts []wit.Type, s string) ([]canon.Value, error) {
	p := &parser{r: r, s: s}
	out := make([]canon.Value, 0, len(ts))
	p.ws()
	for i, t := range ts {
		if p.i == len(p.s) {
			// Only trailing options may be omitted.
			for _, u := range ts[i:] {
				if _, td, _ := typeDef(r, u); td == nil || td.Kind != wit.KindOption {
					return nil, p.errf("%d values given, %d expected", i, len(ts))
				}
				out = append(out, canon.None())
			}
			return out, nil
		}
		if i > 0 {
			if err := p.expect(','); err != nil {
				return nil, err
			}
			p.ws()
		}
		v, err := p.value(t, 0)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		p.ws()
	}
	if p.i < len(p.s) && p.s[p.i] == ',' {
		p.i++
		p.ws()
	}
	if p.i != len(p.s) {
		return nil, p.errf("more values than the %d expected", len(ts))
	}
	return out, nil
}

type parser struct {
	r *wit.Resolve
	s string
	i int
}

// Error is a parse error at a line and column (1-based, columns in
// characters).
type Error struct {
	Line, Col int
	Msg       string
}

func (e *Error) Error() string { return fmt.Sprintf("wave: %d:%d: %s", e.Line, e.Col, e.Msg) }

func (p *parser) errf(format string, args ...any) error {
	line, col := 1, 1
	for _, r := range p.s[:min(p.i, len(p.s))] {
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return &Error{Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) ws() {
	for p.i < len(p.s) {
		switch c := p.s[p.i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			p.i++
		case c == '/' && p.i+1 < len(p.s) && p.s[p.i+1] == '/':
			for p.i < len(p.s) && p.s[p.i] != '\n' {
				p.i++
			}
		default:
			return
		}
	}
}

func (p *parser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *parser) expect(c byte) error {
	p.ws()
	if p.peek() != c {
		if p.i >= len(p.s) {
			return p.errf("expected %q, found the end", c)
		}
		return p.errf("expected %q", c)
	}
	p.i++
	return nil
}

func isLabelByte(c byte) bool {
	return c == '-' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// label reads a label; escaped says it had a % prefix (so it is never a
// keyword).
func (p *parser) label() (name string, escaped bool, err error) {
	start := p.i
	if p.peek() == '%' {
		escaped = true
		p.i++
	}
	j := p.i
	if j >= len(p.s) || !((p.s[j] >= 'a' && p.s[j] <= 'z') || (p.s[j] >= 'A' && p.s[j] <= 'Z')) {
		p.i = start
		return "", false, p.errf("expected a label")
	}
	for p.i < len(p.s) && isLabelByte(p.s[p.i]) {
		p.i++
	}
	return p.s[j:p.i], escaped, nil
}

// sequence parses `open value, value, ... close` with a trailing comma
// allowed, calling each for every element.
func (p *parser) sequence(open, close byte, each func(i int) error) error {
	if err := p.expect(open); err != nil {
		return err
	}
	for n := 0; ; n++ {
		p.ws()
		if p.peek() == close {
			p.i++
			return nil
		}
		if n > 0 {
			if err := p.expect(','); err != nil {
				return err
			}
			p.ws()
			if p.peek() == close {
				p.i++
				return nil
			}
		}
		if err := each(n); err != nil {
			return err
		}
	}
}

func (p *parser) value(t wit.Type, depth int) (canon.Value, error) {
	if depth > maxDepth {
		return canon.Value{}, p.errf("value nests deeper than %d", maxDepth)
	}
	t, td, err := typeDef(p.r, t)
	if err != nil {
		return canon.Value{}, err
	}
	if td == nil {
		return p.prim(t)
	}
	switch td.Kind {
	case wit.KindList, wit.KindFixedLengthList:
		var elems []canon.Value
		err := p.sequence('[', ']', func(int) error {
			v, err := p.value(td.Elem, depth+1)
			elems = append(elems, v)
			return err
		})
		if err != nil {
			return canon.Value{}, err
		}
		if td.Kind == wit.KindFixedLengthList {
			if uint64(len(elems)) != uint64(td.Len) {
				return canon.Value{}, p.errf("list of %d elements, the type has %d", len(elems), td.Len)
			}
			return canon.FixedList(elems...), nil
		}
		return canon.List(elems...), nil
	case wit.KindMap:
		var pairs [][2]canon.Value
		err := p.sequence('[', ']', func(int) error {
			var kv [2]canon.Value
			err := p.sequence('(', ')', func(i int) error {
				var err error
				switch i {
				case 0:
					kv[0], err = p.value(td.Key, depth+1)
				case 1:
					kv[1], err = p.value(td.Elem, depth+1)
				default:
					err = p.errf("a map entry is a (key, value) pair")
				}
				return err
			})
			if err == nil && !kv[1].IsValid() {
				err = p.errf("a map entry is a (key, value) pair")
			}
			pairs = append(pairs, kv)
			return err
		})
		if err != nil {
			return canon.Value{}, err
		}
		return canon.Map(pairs...), nil
	case wit.KindTuple:
		elems := make([]canon.Value, 0, len(td.Tuple))
		err := p.sequence('(', ')', func(i int) error {
			if i >= len(td.Tuple) {
				return p.errf("tuple has %d elements", len(td.Tuple))
			}
			v, err := p.value(td.Tuple[i], depth+1)
			elems = append(elems, v)
			return err
		})
		if err != nil {
			return canon.Value{}, err
		}
		if len(elems) != len(td.Tuple) {
			return canon.Value{}, p.errf("tuple of %d elements given %d", len(td.Tuple), len(elems))
		}
		return canon.Tuple(elems...), nil
	case wit.KindRecord:
		return p.record(td, depth)
	case wit.KindFlags:
		var bits uint32
		err := p.sequence('{', '}', func(int) error {
			name, _, err := p.label()
			if err != nil {
				return err
			}
			for i, f := range td.Flags {
				if f.Name == name && i < 32 {
					if bits&(1<<i) != 0 {
						return p.errf("flag %s given twice", name)
					}
					bits |= 1 << i
					return nil
				}
			}
			return p.errf("no flag %q", name)
		})
		return canon.Flags(bits), err
	case wit.KindEnum:
		name, _, err := p.label()
		if err != nil {
			return canon.Value{}, err
		}
		for i, c := range td.Enum {
			if c.Name == name {
				return canon.Enum(uint32(i)), nil
			}
		}
		return canon.Value{}, p.errf("no enum case %q", name)
	case wit.KindVariant:
		start := p.i
		name, escaped, err := p.label()
		if err != nil {
			return canon.Value{}, err
		}
		if !escaped && keywords[name] {
			p.i = start
			return canon.Value{}, p.errf("case %q is a keyword and must be written %%%s", name, name)
		}
		for i, c := range td.Cases {
			if c.Name == name {
				payload, err := p.payload(c.Type, depth)
				if err != nil {
					return canon.Value{}, err
				}
				return canon.Variant(uint32(i), payload), nil
			}
		}
		p.i = start
		return canon.Value{}, p.errf("no variant case %q", name)
	case wit.KindOption:
		if name, ok := p.keyword("none", "some"); ok {
			if name == "none" {
				return canon.None(), nil
			}
			v, err := p.payload(td.Elem, depth)
			if err != nil {
				return canon.Value{}, err
			}
			return canon.Some(v), nil
		}
		if nested(p.r, td.Elem) {
			return canon.Value{}, p.errf("expected none or some(...)")
		}
		v, err := p.value(td.Elem, depth+1)
		if err != nil {
			return canon.Value{}, err
		}
		return canon.Some(v), nil
	case wit.KindResult:
		if name, ok := p.keyword("ok", "err"); ok {
			typ := td.Ok
			if name == "err" {
				typ = td.Err
			}
			v, err := p.payload(typ, depth)
			if err != nil {
				return canon.Value{}, err
			}
			if name == "err" {
				return canon.Err(v), nil
			}
			return canon.Ok(v), nil
		}
		if td.Ok == wit.NoneType || nested(p.r, td.Ok) {
			return canon.Value{}, p.errf("expected ok or err")
		}
		v, err := p.value(td.Ok, depth+1)
		if err != nil {
			return canon.Value{}, err
		}
		return canon.Ok(v), nil
	case wit.KindOwn, wit.KindBorrow, wit.KindStream, wit.KindFuture:
		h, err := p.handle(td.Kind.String())
		if err != nil {
			return canon.Value{}, err
		}
		switch td.Kind {
		case wit.KindOwn:
			return canon.Own(h), nil
		case wit.KindBorrow:
			return canon.Borrow(h), nil
		case wit.KindStream:
			return canon.Stream(h), nil
		}
		return canon.Future(h), nil
	}
	return canon.Value{}, p.errf("a %s has no values", td.Kind)
}

// nested reports option and result payloads, which rule out the flat
// (unwrapped) form of an outer option or result.
func nested(r *wit.Resolve, t wit.Type) bool {
	_, td, _ := typeDef(r, t)
	return td != nil && (td.Kind == wit.KindOption || td.Kind == wit.KindResult)
}

// keyword consumes one of two unescaped keyword labels if it is next.
func (p *parser) keyword(a, b string) (string, bool) {
	start := p.i
	name, escaped, err := p.label()
	if err == nil && !escaped && (name == a || name == b) {
		return name, true
	}
	p.i = start
	return "", false
}

func (p *parser) payload(t wit.Type, depth int) (canon.Value, error) {
	p.ws()
	if t == wit.NoneType {
		if p.peek() == '(' {
			return canon.Value{}, p.errf("this case has no payload")
		}
		return canon.Value{}, nil
	}
	if err := p.expect('('); err != nil {
		return canon.Value{}, err
	}
	p.ws()
	v, err := p.value(t, depth+1)
	if err != nil {
		return canon.Value{}, err
	}
	return v, p.expect(')')
}

func (p *parser) handle(kind string) (uint32, error) {
	name, _, err := p.label()
	if err != nil || name != kind {
		return 0, p.errf("expected %s(<n>)", kind)
	}
	if err := p.expect('('); err != nil {
		return 0, err
	}
	p.ws()
	tok := p.number()
	n, err := strconv.ParseUint(tok, 10, 32)
	if err != nil {
		return 0, p.errf("bad handle %q", tok)
	}
	return uint32(n), p.expect(')')
}

func (p *parser) record(td *wit.TypeDef, depth int) (canon.Value, error) {
	fields := make([]canon.Value, len(td.Fields))
	if err := p.expect('{'); err != nil {
		return canon.Value{}, err
	}
	p.ws()
	if p.peek() == ':' {
		p.i++
		if err := p.expect('}'); err != nil {
			return canon.Value{}, err
		}
	} else {
		p.i--
		err := p.sequence('{', '}', func(int) error {
			name, _, err := p.label()
			if err != nil {
				return err
			}
			for i, f := range td.Fields {
				if f.Name != name {
					continue
				}
				if fields[i].IsValid() {
					return p.errf("field %s given twice", name)
				}
				if err := p.expect(':'); err != nil {
					return err
				}
				p.ws()
				fields[i], err = p.value(f.Type, depth+1)
				return err
			}
			return p.errf("no field %q", name)
		})
		if err != nil {
			return canon.Value{}, err
		}
	}
	for i, f := range td.Fields {
		if fields[i].IsValid() {
			continue
		}
		if _, fd, _ := typeDef(p.r, f.Type); fd != nil && fd.Kind == wit.KindOption {
			fields[i] = canon.None()
			continue
		}
		return canon.Value{}, p.errf("missing field %s", f.Name)
	}
	return canon.Record(fields...), nil
}

// number returns the next number token (sign, digits, fraction, exponent).
func (p *parser) number() string {
	j := p.i
	if p.peek() == '-' {
		p.i++
	}
	for p.i < len(p.s) {
		c := p.s[p.i]
		if (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || ((c == '+' || c == '-') && p.i > j && (p.s[p.i-1] == 'e' || p.s[p.i-1] == 'E')) {
			p.i++
			continue
		}
		break
	}
	return p.s[j:p.i]
}

func validNumber(tok string, integer bool) bool {
	s := strings.TrimPrefix(tok, "-")
	digits := func(s string) int {
		n := 0
		for n < len(s) && s[n] >= '0' && s[n] <= '9' {
			n++
		}
		return n
	}
	n := digits(s)
	if n == 0 || (n > 1 && s[0] == '0') {
		return false
	}
	s = s[n:]
	if integer {
		return s == ""
	}
	if strings.HasPrefix(s, ".") {
		if n = digits(s[1:]); n == 0 {
			return false
		}
		s = s[1+n:]
	}
	if s != "" && (s[0] == 'e' || s[0] == 'E') {
		s = s[1:]
		if s != "" && (s[0] == '+' || s[0] == '-') {
			s = s[1:]
		}
		if n = digits(s); n == 0 {
			return false
		}
		s = s[n:]
	}
	return s == ""
}

func (p *parser) prim(t wit.Type) (canon.Value, error) {
	start := p.i
	switch t {
	case wit.Bool:
		name, _, err := p.label()
		if err == nil && (name == "true" || name == "false") {
			return canon.Bool(name == "true"), nil
		}
		p.i = start
		return canon.Value{}, p.errf("expected true or false")
	case wit.S8, wit.S16, wit.S32, wit.S64, wit.U8, wit.U16, wit.U32, wit.U64:
		tok := p.number()
		if !validNumber(tok, true) {
			p.i = start
			return canon.Value{}, p.errf("expected an integer")
		}
		bits := map[wit.Type]int{wit.S8: 8, wit.S16: 16, wit.S32: 32, wit.S64: 64, wit.U8: 8, wit.U16: 16, wit.U32: 32, wit.U64: 64}[t]
		switch t {
		case wit.S8, wit.S16, wit.S32, wit.S64:
			x, err := strconv.ParseInt(tok, 10, bits)
			if err != nil {
				p.i = start
				return canon.Value{}, p.errf("%s out of range for %s", tok, t.PrimitiveName())
			}
			switch t {
			case wit.S8:
				return canon.S8(int8(x)), nil
			case wit.S16:
				return canon.S16(int16(x)), nil
			case wit.S32:
				return canon.S32(int32(x)), nil
			}
			return canon.S64(x), nil
		}
		x, err := strconv.ParseUint(tok, 10, bits)
		if err != nil {
			p.i = start
			return canon.Value{}, p.errf("%s out of range for %s", tok, t.PrimitiveName())
		}
		switch t {
		case wit.U8:
			return canon.U8(uint8(x)), nil
		case wit.U16:
			return canon.U16(uint16(x)), nil
		case wit.U32:
			return canon.U32(uint32(x)), nil
		}
		return canon.U64(x), nil
	case wit.F32, wit.F64:
		bits := 64
		if t == wit.F32 {
			bits = 32
		}
		var tok string
		if c := p.peek(); (c >= 'a' && c <= 'z') || (c == '-' && p.i+1 < len(p.s) && p.s[p.i+1] == 'i') {
			neg := c == '-'
			if neg {
				p.i++
			}
			name, _, err := p.label()
			switch {
			case err == nil && name == "inf" && neg:
				tok = "-Inf"
			case err == nil && name == "inf":
				tok = "+Inf"
			case err == nil && name == "nan" && !neg:
				tok = "NaN"
			default:
				p.i = start
				return canon.Value{}, p.errf("expected a number, nan, inf or -inf")
			}
		} else {
			tok = p.number()
			if !validNumber(tok, false) {
				p.i = start
				return canon.Value{}, p.errf("expected a number")
			}
		}
		if tok == "NaN" {
			// strconv's NaN is not the canonical one.
			if t == wit.F32 {
				return canon.F32(math.Float32frombits(0x7fc00000)), nil
			}
			return canon.F64(math.Float64frombits(0x7ff8000000000000)), nil
		}
		f, err := strconv.ParseFloat(tok, bits)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			p.i = start
			return canon.Value{}, p.errf("bad number %q", tok)
		}
		if t == wit.F32 {
			return canon.F32(float32(f)), nil
		}
		return canon.F64(f), nil
	case wit.Char:
		if p.peek() != '\'' {
			return canon.Value{}, p.errf("expected a char in single quotes")
		}
		p.i++
		r, err := p.char('\'')
		if err != nil {
			return canon.Value{}, err
		}
		if p.peek() != '\'' {
			return canon.Value{}, p.errf("a char holds exactly one character")
		}
		p.i++
		return canon.Char(r), nil
	case wit.String:
		return p.str()
	case wit.ErrorContext:
		h, err := p.handle("error-context")
		return canon.ErrorContext(h), err
	}
	return canon.Value{}, p.errf("unsupported type")
}

// char reads one character or escape, which must not be the bare quote q
// or a newline.
func (p *parser) char(q byte) (rune, error) {
	if p.i >= len(p.s) {
		return 0, p.errf("unterminated literal")
	}
	c := p.s[p.i]
	switch c {
	case q:
		return 0, p.errf("empty literal")
	case '\n':
		return 0, p.errf("newline in a literal (write \\n)")
	case '\\':
		p.i++
		return p.escape()
	}
	r, size := utf8.DecodeRuneInString(p.s[p.i:])
	if r == utf8.RuneError && size <= 1 {
		return 0, p.errf("invalid UTF-8")
	}
	p.i += size
	return r, nil
}

func (p *parser) escape() (rune, error) {
	if p.i >= len(p.s) {
		return 0, p.errf("unterminated escape")
	}
	c := p.s[p.i]
	p.i++
	switch c {
	case '\'', '"', '\\':
		return rune(c), nil
	case 't':
		return '\t', nil
	case 'n':
		return '\n', nil
	case 'r':
		return '\r', nil
	case 'u':
		if p.peek() != '{' {
			return 0, p.errf(`expected \u{...}`)
		}
		p.i++
		j := p.i
		for p.i < len(p.s) && p.s[p.i] != '}' && p.i-j <= 8 {
			p.i++
		}
		if p.peek() != '}' {
			return 0, p.errf(`unterminated \u{...}`)
		}
		x, err := strconv.ParseUint(p.s[j:p.i], 16, 32)
		p.i++
		if err != nil || x >= 0x110000 || (x >= 0xd800 && x <= 0xdfff) {
			return 0, p.errf(`\u{%s} is not a Unicode scalar value`, p.s[j:p.i-1])
		}
		return rune(x), nil
	}
	p.i--
	return 0, p.errf("unknown escape \\%c", c)
}

func (p *parser) str() (canon.Value, error) {
	if strings.HasPrefix(p.s[p.i:], `"""`) {
		return p.multiline()
	}
	if p.peek() != '"' {
		return canon.Value{}, p.errf("expected a string in double quotes")
	}
	p.i++
	var b strings.Builder
	for {
		if p.peek() == '"' {
			p.i++
			return canon.String(b.String()), nil
		}
		r, err := p.char('"')
		if err != nil {
			return canon.Value{}, err
		}
		b.WriteRune(r)
	}
}

// multiline reads a """ string: the indent of the closing delimiter is
// removed from every line.
func (p *parser) multiline() (canon.Value, error) {
	p.i += 3
	switch {
	case strings.HasPrefix(p.s[p.i:], "\r\n"):
		p.i += 2
	case strings.HasPrefix(p.s[p.i:], "\n"):
		p.i++
	default:
		return canon.Value{}, p.errf(`a """ string starts with a line break`)
	}
	end := strings.Index(p.s[p.i:], `"""`)
	if end < 0 {
		return canon.Value{}, p.errf(`unterminated """ string`)
	}
	body := p.s[p.i : p.i+end]
	nl := strings.LastIndexByte(body, '\n')
	if strings.Trim(body[nl+1:], " ") != "" {
		return canon.Value{}, p.errf(`the closing """ must be on its own line`)
	}
	if nl < 0 {
		p.i += end + 3
		return canon.String(""), nil
	}
	indent := len(body) - nl - 1
	lines := strings.Split(body[:nl], "\n")
	var b strings.Builder
	for i, line := range lines {
		line = strings.TrimSuffix(line, "\r")
		if strings.TrimLeft(line, " ") != "" || len(line) >= indent {
			if len(line) < indent || strings.TrimLeft(line[:indent], " ") != "" {
				return canon.Value{}, p.errf("line %d of the string is indented less than the closing delimiter", i+1)
			}
			line = line[indent:]
		} else {
			line = ""
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		sub := &parser{s: line}
		for sub.i < len(sub.s) {
			if sub.s[sub.i] == '\\' {
				sub.i++
				r, err := sub.escape()
				if err != nil {
					return canon.Value{}, p.errf("%v", err)
				}
				b.WriteRune(r)
				continue
			}
			r, size := utf8.DecodeRuneInString(sub.s[sub.i:])
			sub.i += size
			b.WriteRune(r)
		}
	}
	p.i += end + 3
	return canon.String(b.String()), nil
}
