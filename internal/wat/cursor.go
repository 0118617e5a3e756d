package wat

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// cur walks the items of one list of the tree.
type cur struct {
	s    *source
	list *node
	i    int
}

func (s *source) cursor(list *node, skip int) *cur { return &cur{s: s, list: list, i: skip} }

func (c *cur) done() bool { return c.i >= len(c.list.kids) }

func (c *cur) peek() *node {
	if c.done() {
		return nil
	}
	return c.list.kids[c.i]
}

// peekAt returns the item k places ahead, or nil.
func (c *cur) peekAt(k int) *node {
	if c.i+k >= len(c.list.kids) {
		return nil
	}
	return c.list.kids[c.i+k]
}

func (c *cur) next() *node {
	n := c.peek()
	if n != nil {
		c.i++
	}
	return n
}

// pos is where the next item starts, or the closing parenthesis.
func (c *cur) pos() int {
	if n := c.peek(); n != nil {
		return n.pos
	}
	if c.list.end > 0 {
		return c.list.end - 1
	}
	return len(c.s.src)
}

func (c *cur) errorf(format string, args ...any) *Error { return c.s.errorf(c.pos(), format, args...) }

// expected reports what was expected where the cursor stands.
func (c *cur) expected(what string) *Error {
	if n := c.peek(); n != nil {
		return c.s.errorf(n.pos, "expected %s, found %s", what, n.describe())
	}
	return c.errorf("expected %s, found `)`", what)
}

// end checks that the list has no more items.
func (c *cur) end() error {
	if n := c.peek(); n != nil {
		return c.s.errorf(n.pos, "unexpected %s: expected `)`", n.describe())
	}
	return nil
}

func (c *cur) isKw(k string) bool {
	n := c.peek()
	return n != nil && n.kind == kKeyword && n.text == k
}

func (c *cur) optKw(k string) bool {
	if c.isKw(k) {
		c.i++
		return true
	}
	return false
}

func (c *cur) kw(k string) error {
	if !c.optKw(k) {
		return c.expected("`" + k + "`")
	}
	return nil
}

// isList reports whether the next item is a list headed by keyword k.
func (c *cur) isList(k string) bool { return c.peek().head() == k }

// sub enters the next item, which must be a list headed by keyword k.
func (c *cur) sub(k string) (*cur, error) {
	n := c.peek()
	if n == nil || n.kind != kList || n.head() != k {
		return nil, c.expected("`(" + k + "`")
	}
	c.i++
	return c.s.cursor(n, 1), nil
}

// anyList enters the next item, which must be a list.
func (c *cur) anyList() (*cur, error) {
	n := c.peek()
	if n == nil || n.kind != kList {
		return nil, c.expected("`(`")
	}
	c.i++
	return c.s.cursor(n, 0), nil
}

// optID reads an optional $id, returning its name and position.
func (c *cur) optID() (string, int) {
	if n := c.peek(); n != nil && n.kind == kID {
		c.i++
		return n.text, n.pos
	}
	return "", -1
}

// optNameAnnot reads an optional (@name "...") annotation.
func (c *cur) optNameAnnot() (string, bool, error) {
	if !c.isList("name") || c.peek().kids[0].kind != kAnnot {
		return "", false, nil
	}
	sc, _ := c.sub("name")
	s, err := sc.str()
	if err != nil {
		return "", false, err
	}
	return s, true, sc.end()
}

func (c *cur) isStr() bool {
	n := c.peek()
	return n != nil && n.kind == kString
}

func (c *cur) str() (string, error) {
	n := c.peek()
	if n == nil || n.kind != kString {
		return "", c.expected("a string")
	}
	c.i++
	return n.text, nil
}

// name reads a string that must be valid UTF-8 (import and export names).
func (c *cur) name() (string, error) {
	at := c.pos()
	s, err := c.str()
	if err != nil {
		return "", err
	}
	if !validUTF8(s) {
		return "", c.s.errorf(at, "malformed UTF-8 encoding")
	}
	return s, nil
}

func validUTF8(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

func (c *cur) isNum() bool {
	n := c.peek()
	return n != nil && n.kind == kNum
}

// isU32 reports whether the next item is an unsigned integer.
func (c *cur) isU32() bool {
	n := c.peek()
	if n == nil || n.kind != kNum {
		return false
	}
	_, ok := parseUint(n.text, 32)
	return ok
}

func (c *cur) u32() (uint32, error) {
	n := c.peek()
	if n == nil || n.kind != kNum {
		return 0, c.expected("an integer")
	}
	v, ok := parseUint(n.text, 32)
	if !ok {
		return 0, c.s.errorf(n.pos, "invalid u32 number: constant out of range")
	}
	c.i++
	return uint32(v), nil
}

func (c *cur) u64() (uint64, error) {
	n := c.peek()
	if n == nil || n.kind != kNum {
		return 0, c.expected("an integer")
	}
	v, ok := parseUint(n.text, 64)
	if !ok {
		return 0, c.s.errorf(n.pos, "invalid u64 number: constant out of range")
	}
	c.i++
	return v, nil
}

// index is a reference to a definition: a number or a $id.
type index struct {
	isID bool
	id   string
	num  uint32
	pos  int
}

func numIndex(n uint32) index { return index{num: n, pos: -1} }

func (c *cur) isIndex() bool {
	n := c.peek()
	return n != nil && (n.kind == kID || n.kind == kNum && c.isU32())
}

func (c *cur) index() (index, error) {
	n := c.peek()
	if n != nil && n.kind == kID {
		c.i++
		return index{isID: true, id: n.text, pos: n.pos}, nil
	}
	if n != nil && n.kind == kNum {
		v, err := c.u32()
		return index{num: v, pos: n.pos}, err
	}
	return index{}, c.expected("an index or identifier")
}

func (c *cur) optIndex() (*index, error) {
	if !c.isIndex() {
		return nil, nil
	}
	x, err := c.index()
	return &x, err
}

// parseUint reads an unsigned integer literal (decimal or 0x hex, with
// underscores between digits) that fits in bits.
func parseUint(s string, bits int) (uint64, bool) {
	if strings.HasPrefix(s, "+") {
		return 0, false
	}
	digits, base := s, 10
	if strings.HasPrefix(s, "0x") {
		digits, base = s[2:], 16
	}
	if !validDigits(digits, base) {
		return 0, false
	}
	v, err := strconv.ParseUint(strings.ReplaceAll(digits, "_", ""), base, bits)
	return v, err == nil
}

// validDigits checks digits and the placement of underscores (only between
// digits).
func validDigits(s string, base int) bool {
	if s == "" {
		return false
	}
	prevDigit := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' {
			if !prevDigit || i == len(s)-1 {
				return false
			}
			prevDigit = false
			continue
		}
		if base == 16 && !isHex(c) || base == 10 && (c < '0' || c > '9') {
			return false
		}
		prevDigit = true
	}
	return true
}

// parseInt reads an integer literal for an iN.const: signed values and
// unsigned values up to 2^bits-1 (wrapping), as the text format allows.
func parseInt(s string, bits int) (int64, bool) {
	neg := false
	body := s
	if strings.HasPrefix(body, "-") {
		neg, body = true, body[1:]
	} else if strings.HasPrefix(body, "+") {
		body = body[1:]
	}
	u, ok := parseUint(body, 64)
	if !ok {
		return 0, false
	}
	if neg {
		if u > 1<<(bits-1) {
			return 0, false
		}
		return -int64(u), true
	}
	if bits < 64 && u >= 1<<bits {
		return 0, false
	}
	if bits == 32 {
		return int64(int32(uint32(u))), true
	}
	return int64(u), true
}

// parseFloat reads a float literal into its IEEE bits (32 or 64 wide).
func parseFloat(s string, bits int) (uint64, bool) {
	neg := false
	body := s
	if strings.HasPrefix(body, "-") {
		neg, body = true, body[1:]
	} else if strings.HasPrefix(body, "+") {
		body = body[1:]
	}
	var sign uint64
	if neg {
		sign = 1 << (bits - 1)
	}
	mantBits := 52
	expMask := uint64(0x7ff) << 52
	if bits == 32 {
		mantBits, expMask = 23, uint64(0xff)<<23
	}
	switch {
	case body == "inf":
		return sign | expMask, true
	case body == "nan":
		return sign | expMask | 1<<(mantBits-1), true
	case strings.HasPrefix(body, "nan:0x"):
		p, ok := parseUint(body[6:], 64)
		if !ok || p == 0 || p >= 1<<mantBits {
			return 0, false
		}
		return sign | expMask | p, true
	}
	var f float64
	if strings.HasPrefix(body, "0x") {
		h := body[2:]
		mant, exp := h, ""
		if i := strings.IndexAny(h, "pP"); i >= 0 {
			mant, exp = h[:i], h[i+1:]
		}
		ip, fp := mant, ""
		if i := strings.IndexByte(mant, '.'); i >= 0 {
			ip, fp = mant[:i], mant[i+1:]
		}
		if ip == "" || !validDigits(ip, 16) || fp != "" && !validDigits(fp, 16) {
			return 0, false
		}
		e := int64(0)
		if exp != "" {
			es := exp
			eneg := false
			if es[0] == '+' || es[0] == '-' {
				eneg = es[0] == '-'
				es = es[1:]
			}
			if !validDigits(es, 10) {
				return 0, false
			}
			ev, err := strconv.ParseInt(strings.ReplaceAll(es, "_", ""), 10, 64)
			if err != nil {
				ev = 1 << 40 // saturate: far beyond any float's range
			}
			if eneg {
				ev = -ev
			}
			e = ev
		} else if strings.ContainsAny(mant, "pP") {
			return 0, false
		}
		// Exact value as a big rational, then round to the target width.
		digits := strings.ReplaceAll(ip+fp, "_", "")
		m, ok := new(big.Int).SetString(digits, 16)
		if !ok {
			return 0, false
		}
		e -= 4 * int64(len(strings.ReplaceAll(fp, "_", "")))
		if e > 100000 {
			e = 100000
		} else if e < -100000 {
			e = -100000
		}
		bf := new(big.Float).SetPrec(0).SetMode(big.ToNearestEven)
		bf.SetInt(m)
		bf.SetMantExp(bf, int(e))
		if bits == 32 {
			v, _ := bf.Float32()
			if math.IsInf(float64(v), 0) {
				return 0, false
			}
			return sign | uint64(math.Float32bits(v)), true
		}
		v, _ := bf.Float64()
		if math.IsInf(v, 0) {
			return 0, false
		}
		return sign | math.Float64bits(v), true
	}
	if body == "" || body[0] < '0' || body[0] > '9' {
		return 0, false
	}
	// Decimal: check the underscores, then let strconv round.
	for _, part := range strings.FieldsFunc(body, func(r rune) bool { return r == '.' || r == 'e' || r == 'E' || r == '+' || r == '-' }) {
		if !validDigits(part, 10) {
			return 0, false
		}
	}
	clean := strings.ReplaceAll(body, "_", "")
	var err error
	f, err = strconv.ParseFloat(clean, bits)
	if err != nil {
		return 0, false
	}
	if bits == 32 {
		return sign | uint64(math.Float32bits(float32(f))), true
	}
	return sign | math.Float64bits(f), true
}
