package component

import (
	"math/bits"
	"math/rand/v2"
	"strings"
)

// This file holds the validator's name bookkeeping: which types each
// scope's imports and exports may mention, the names of its resources and
// the strong-uniqueness keys of its names. A scope's names are consulted
// only while it is being validated, and scopes nest, so they live on
// stacks of the validator that a scope truncates when it ends: an
// interface's instance type is a scope of its own, and making maps for
// each cost more than checking the names. A scope with many names gets a
// map over its part of the stack.

// space is one namespace of a scope: its imports or its exports.
type space int32

// spaces returns a new scope's export and import namespaces.
func (v *validator) spaces() (exp, imp space) {
	v.nextSpace += 2
	return v.nextSpace, v.nextSpace + 1
}

type spaceTid struct {
	sp space
	t  tid
}

type spaceName struct {
	sp   space
	name string
}

// nameKey is the strong-uniqueness key of an extern name in a namespace
// (externName.uniqueKey without building the string): a is the key, or
// the lower-case resource for [constructor] (form 1) and for [method] and
// [static] whose item differs (form 2, b the lower-case item).
type nameKey struct {
	sp   space
	form uint8
	a, b string
}

func (n *externName) key(sp space) nameKey {
	switch n.kind {
	case nameConstructor:
		return nameKey{sp: sp, form: 1, a: n.lowered(n.resource)}
	case nameMethod, nameStatic:
		if n.resource == n.item || (!n.lower && strings.EqualFold(n.resource, n.item)) {
			return nameKey{sp: sp, a: n.lowered(n.resource)}
		}
		return nameKey{sp: sp, form: 2, a: n.lowered(n.resource), b: n.lowered(n.item)}
	case nameLabel:
		return nameKey{sp: sp, a: n.lowered(n.raw)}
	}
	return nameKey{sp: sp, a: n.raw}
}

func (k *nameKey) hash(key *hashKey) uint64 {
	h := key.string(k.a)
	if k.b != "" {
		h = h*0x9e3779b97f4a7c15 ^ key.string(k.b)
	}
	return h ^ uint64(k.sp)<<8 ^ uint64(k.form)
}

// hashKey keys the hashes of the validator's open-addressing tables of
// names (uniqueness keys, instance exports, core imports), which are
// filled from untrusted input: with a random key, colliding names cannot
// be chosen in advance.
type hashKey struct{ seed, k1 uint64 }

// hashKey returns the validator's hash key, made on first use and kept
// by the pooled validator.
func (v *validator) hashKey() *hashKey {
	if v.hkey.seed == 0 {
		v.hkey = newHashKey()
	}
	return &v.hkey
}

func newHashKey() hashKey { return hashKey{seed: rand.Uint64() | 1, k1: rand.Uint64() | 1} }

// string hashes s as the Go runtime hashes memory where it has no AES
// instructions (wyhash's construction): in line, it costs a fraction of
// maphash.String's call for the short names of components.
func (key *hashKey) string(s string) uint64 {
	const m5 = 0x1d8e4e27c47d124f
	var a, b uint64
	seed, n := key.seed, len(s)
	switch {
	case n == 0:
		return seed
	case n < 4:
		a = uint64(s[0]) | uint64(s[n>>1])<<8 | uint64(s[n-1])<<16
	case n <= 8:
		a, b = load32(s), load32(s[n-4:])
	case n <= 16:
		a, b = load64(s), load64(s[n-8:])
	default:
		for i := 0; n-i > 16; i += 16 {
			seed = hashMix(load64(s[i:])^key.k1, load64(s[i+8:])^seed)
		}
		a, b = load64(s[n-16:]), load64(s[n-8:])
	}
	return hashMix(m5^uint64(n), hashMix(a^key.k1, b^seed))
}

func hashMix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// lowered is lowerASCII(s) for a part of n, which is s itself when n is
// known to be lower case.
func (n *externName) lowered(s string) string {
	if n.lower {
		return s
	}
	return lowerASCII(s)
}

// lowerASCII is strings.ToLower for the ASCII names it is given, which
// returns s itself when it has no upper case.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// indexAbove is the number of entries of one scope past which lookups go
// through a map instead of a scan.
const indexAbove = 48

// keyEntry is a name of a scope with the hash of its key; the key itself
// is made again from the name on the rare equal hash.
type keyEntry struct {
	h    uint64
	sp   space
	name string
}

// keyOf returns the uniqueness key of an extern name already checked
// (so that it parses) in sp.
func (v *validator) keyOf(sp space, name string) nameKey {
	var n externName
	if !fastExternName(name, v.f, &n) {
		n, _ = parseExternName(name, v.f)
	}
	return n.key(sp)
}

type resEntry struct {
	sp   space
	t    tid
	name string
}

// nameMarks is where a scope's entries start on the validator's stacks,
// and its indexes over them once they are many.
type nameMarks struct {
	keyStart, resStart int
	// keyTab is an open-addressing table over the scope's keys (pos is
	// the index in v.keys plus one), from the validator's slab.
	keyTab    []labelSlot
	resIdx    map[spaceTid]string
	resAllIdx map[spaceName]struct{}
}

// keyScanMax is the number of names of a scope up to which their keys are
// compared one by one instead of through a table.
const keyScanMax = 8

// openNames marks the start of a scope's names.
func (v *validator) openNames(m *nameMarks) {
	*m = nameMarks{keyStart: len(v.keys), resStart: len(v.res)}
}

// closeNames drops a scope's names.
func (v *validator) closeNames(m *nameMarks) {
	v.keys, v.res = v.keys[:m.keyStart], v.res[:m.resStart]
	m.keyTab, m.resIdx, m.resAllIdx = nil, nil, nil
}

// addKey records the uniqueness key of name, or returns the name that
// has the same key already.
func (v *validator) addKey(m *nameMarks, k nameKey, name string) (prev string, dup bool) {
	h := k.hash(v.hashKey())
	if m.keyTab == nil {
		for i := m.keyStart; i < len(v.keys); i++ {
			if v.sameKey(&v.keys[i], h, &k) {
				return v.keys[i].name, true
			}
		}
	} else {
		// Every entry of the same hash is met before an empty slot.
		mask := len(m.keyTab) - 1
		for slot := int(h) & mask; m.keyTab[slot].pos != 0; slot = (slot + 1) & mask {
			if e := &m.keyTab[slot]; e.h == h && v.sameKey(&v.keys[e.pos-1], h, &k) {
				return v.keys[e.pos-1].name, true
			}
		}
	}
	v.keys = append(v.keys, keyEntry{h: h, sp: k.sp, name: name})
	switch n := len(v.keys) - m.keyStart; {
	case m.keyTab != nil && 2*n <= len(m.keyTab):
		v.indexKey(m.keyTab, len(v.keys)-1)
	case n > keyScanMax:
		m.keyTab = v.slots.many(tabSize(2 * n))
		for i := m.keyStart; i < len(v.keys); i++ {
			v.indexKey(m.keyTab, i)
		}
	}
	return "", false
}

// indexKey enters v.keys[i] in tab.
func (v *validator) indexKey(tab []labelSlot, i int) {
	h := v.keys[i].h
	mask := len(tab) - 1
	slot := int(h) & mask
	for tab[slot].pos != 0 {
		slot = (slot + 1) & mask
	}
	tab[slot] = labelSlot{h: h, pos: int32(i) + 1}
}

// sameKey reports whether entry e has key k (whose hash is h): the key of
// e is made again from its name only when the hashes agree.
func (v *validator) sameKey(e *keyEntry, h uint64, k *nameKey) bool {
	return e.h == h && e.sp == k.sp && v.keyOf(e.sp, e.name) == *k
}

// registerResource records the name of a resource import or export.
func (v *validator) registerResource(m *nameMarks, sp space, t tid, name string) {
	v.res = append(v.res, resEntry{sp: sp, t: t, name: name})
	switch n := len(v.res) - m.resStart; {
	case m.resIdx != nil:
		m.resIdx[spaceTid{sp, t}] = name
		m.resAllIdx[spaceName{sp, name}] = struct{}{}
	case n > indexAbove:
		m.resIdx = make(map[spaceTid]string, 2*n)
		m.resAllIdx = make(map[spaceName]struct{}, 2*n)
		for _, e := range v.res[m.resStart:] {
			m.resIdx[spaceTid{e.sp, e.t}] = e.name
			m.resAllIdx[spaceName{e.sp, e.name}] = struct{}{}
		}
	}
}

// resourceName returns the name resource t was registered with in sp.
func (v *validator) resourceName(m *nameMarks, sp space, t tid) (string, bool) {
	if m.resIdx != nil {
		name, ok := m.resIdx[spaceTid{sp, t}]
		return name, ok
	}
	// The last registration wins, as a map's would.
	for i := len(v.res) - 1; i >= m.resStart; i-- {
		if e := &v.res[i]; e.sp == sp && e.t == t {
			return e.name, true
		}
	}
	return "", false
}

// hasResourceName reports whether a resource was registered as name in sp.
func (v *validator) hasResourceName(m *nameMarks, sp space, name string) bool {
	if m.resAllIdx != nil {
		_, ok := m.resAllIdx[spaceName{sp, name}]
		return ok
	}
	for _, e := range v.res[m.resStart:] {
		if e.sp == sp && e.name == name {
			return true
		}
	}
	return false
}

// setNamed records that t may be mentioned in sp. A type is named in one
// or two namespaces (a scope's exports, and its imports) nearly always:
// two slots per type, and a map for the rest.
func (v *validator) setNamed(sp space, t tid) {
	if v.isNamed(sp, t) {
		return
	}
	if int(t) >= len(v.named) {
		// Sized with the arena: every type may be named.
		n := max(int(t)+1, cap(v.types))
		if n <= cap(v.named) {
			// Past its length, named is zero (validator.reset).
			v.named = v.named[:n]
		} else {
			v.named = append(v.named, make([][2]space, n-len(v.named))...)
		}
	}
	switch slot := &v.named[t]; {
	case slot[0] == 0:
		slot[0] = sp
	case slot[1] == 0:
		slot[1] = sp
	default:
		if v.namedMore == nil {
			v.namedMore = map[spaceTid]struct{}{}
		}
		v.namedMore[spaceTid{sp, t}] = struct{}{}
	}
}

// isNamed reports whether t may be mentioned in namespace sp.
func (v *validator) isNamed(sp space, t tid) bool {
	if t < 0 || int(t) >= len(v.named) {
		return false
	}
	if slot := v.named[t]; slot[0] == sp || slot[1] == sp {
		return true
	}
	if v.namedMore == nil {
		return false
	}
	_, ok := v.namedMore[spaceTid{sp, t}]
	return ok
}

// fastExternName parses the common extern names, a label or a plain
// interface name ns:pkg/iface[@version], into n as parseExternName does;
// false for anything else (including every invalid name), which
// parseExternName then reads, and words the error of. It fills n in place:
// the validator parses every name, and copying the result cost as much as
// parsing it.
func fastExternName(s string, f Features, n *externName) bool {
	return fastExternNameKnown(s, f, n, nil)
}

// fastExternNameKnown is fastExternName with known, when not nil, the
// last resource name of a [method] or [static] name found lower-case
// kebab (updated here): an interface names its resource in every one of
// its methods, and checking the same name again cost as much as the rest.
func fastExternNameKnown(s string, f Features, n *externName, known *string) bool {
	*n = externName{raw: s}
	if len(s) > 0 && s[0] == '[' {
		var kind nameKind
		var rest string
		switch {
		case strings.HasPrefix(s, "[method]"):
			kind, rest = nameMethod, s[len("[method]"):]
		case strings.HasPrefix(s, "[constructor]"):
			n.kind, n.resource = nameConstructor, s[len("[constructor]"):]
			ok, upper := kebabCase(n.resource)
			n.lower = !upper
			return ok
		case strings.HasPrefix(s, "[static]"):
			kind, rest = nameStatic, s[len("[static]"):]
		default:
			return false
		}
		dot := strings.IndexByte(rest, '.')
		if dot < 0 {
			return false
		}
		n.kind, n.resource, n.item = kind, rest[:dot], rest[dot+1:]
		ok, upper := true, false
		if known == nil || *known == "" || n.resource != *known {
			if ok, upper = kebabCase(n.resource); ok && !upper && known != nil {
				*known = n.resource
			}
		}
		ok2, upper2 := kebabCase(n.item)
		n.lower = !upper && !upper2
		return ok && ok2
	}
	colon := strings.IndexByte(s, ':')
	if colon < 0 {
		// The structured forms without a colon start with a word and
		// '=': not kebab.
		n.kind = nameLabel
		ok, upper := kebabCase(s)
		n.lower = !upper
		return ok
	}
	ns, rest := s[:colon], s[colon+1:]
	if !isLowerKebab(ns) {
		return false
	}
	slash := strings.IndexByte(rest, '/')
	if slash < 0 {
		return false
	}
	pkg, rest := rest[:slash], rest[slash+1:]
	if !isLowerKebab(pkg) {
		return false
	}
	i := 0
	for i < len(rest) && (isAlnum(rest[i]) || rest[i] == '-') {
		i++
	}
	iface, rest := rest[:i], rest[i:]
	if !kebab(iface) {
		return false
	}
	switch {
	case rest == "":
	case rest[0] == '@' && len(rest) > 1 && strings.IndexByte(rest, '>') < 0:
		n.version = rest[1:]
	default:
		return false
	}
	n.kind = nameInterface
	return true
}

// isLowerKebab reports whether s is a lower-case label made only of
// label characters.
func isLowerKebab(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return kebab(s)
}

// validSemver reports whether v is a semver version, without allocating:
// MAJOR.MINOR.PATCH(-pre)?(+build)? as semver.org defines it.
func validSemver(v string) bool {
	if ok, sure := plainSemver(v); sure {
		return ok
	}
	core, build, hasBuild := strings.Cut(v, "+")
	if hasBuild && !validIdents(build, false) {
		return false
	}
	core, pre, hasPre := strings.Cut(core, "-")
	if hasPre && !validIdents(pre, true) {
		return false
	}
	for i := 0; i < 3; i++ {
		num := core
		dot := strings.IndexByte(core, '.')
		if i < 2 {
			if dot < 0 {
				return false
			}
			num, core = core[:dot], core[dot+1:]
		} else if dot >= 0 {
			return false
		}
		if !numericIdent(num) {
			return false
		}
	}
	return true
}

// plainSemver reads the versions interfaces nearly always have, digits
// and dots only, in one pass: sure is false for anything else (a
// pre-release or build part, or a bad character), which validSemverFast
// then reads in full.
func plainSemver(v string) (ok, sure bool) {
	dots, start := 0, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '.':
			if i == start || v[start] == '0' && i-start > 1 {
				return false, true
			}
			dots, start = dots+1, i+1
		case c < '0' || c > '9':
			return false, false
		}
	}
	if start == len(v) || v[start] == '0' && len(v)-start > 1 {
		return false, true
	}
	return dots == 2, true
}

// Byte classes of label characters, for kebab.
const (
	kLower = 1 + iota
	kUpper
	kDigit
	kDash
)

// kebabClass is a constant table: the class of each byte.
var kebabClass = func() (t [256]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = kLower
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = kUpper
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = kDigit
	}
	t['-'] = kDash
	return t
}()

// kebab is isKebab (names.go) by a table, for the validator's hot paths:
// words of one case separated by single dashes, the first starting with a
// letter, later ones possibly with digits.
func kebab(s string) bool {
	ok, _ := kebabCase(s)
	return ok
}

// kebabCase is kebab that also says whether s has an upper-case word.
// Nearly every name is lower case: those are checked eight bytes at a
// time (lowerKebabWord), and anything else by kebabMixed.
func kebabCase(s string) (bool, bool) {
	if len(s) == 0 || s[0] < 'a' || s[0] > 'z' {
		return kebabMixed(s)
	}
	var d uint64
	var ok bool
	switch {
	case len(s) < 4:
		// Padded with letters; the last byte is also the last of w.
		last := uint64(s[len(s)-1])
		w := uint64(s[0]) | uint64(s[len(s)/2])<<8 | last<<16 | 'a'*0x0001010101000000 | last<<56
		d, ok = lowerKebabWord(w)
	case len(s) <= 8:
		// The first four bytes and the last four: every two adjacent
		// bytes of s are adjacent in one of them (a dash at the seam
		// may only send s to kebabWords).
		d, ok = lowerKebabWord(load32(s) | load32(s[len(s)-4:])<<32)
	default:
		dash := false
		i := 0
		for ; i+8 < len(s); i += 8 {
			d, ok = lowerKebabWord(load64(s[i:]))
			if !ok || d&(d<<8) != 0 || dash && d&0x80 != 0 {
				return kebabMixed(s)
			}
			dash = d>>56 != 0
		}
		// The last eight bytes, which may overlap the word before:
		// then the pair across the seam is inside this word.
		if i == len(s)-8 && dash && s[i] == '-' {
			return kebabMixed(s)
		}
		d, ok = lowerKebabWord(load64(s[len(s)-8:]))
	}
	if !ok || d&(d<<8) != 0 || d>>56 != 0 {
		return kebabMixed(s)
	}
	return true, false
}

// load64 is the first eight bytes of s, little-endian (one load).
func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// load32 is the first four bytes of s, little-endian (one load).
func load32(s string) uint64 {
	_ = s[3]
	return uint64(uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24)
}

// lowerKebabWord reports whether the eight bytes of w (little-endian) are
// all lower-case letters, digits or dashes, and returns the dashes' high
// bits. Range tests add to each byte (all below 0x80 by then, so no byte
// carries into the next) and read its high bit.
func lowerKebabWord(w uint64) (dashes uint64, ok bool) {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
	)
	if w&high != 0 {
		return 0, false
	}
	lower := (w + (0x80-'a')*ones) &^ (w + (0x7f-'z')*ones)
	digit := (w + (0x80-'0')*ones) &^ (w + (0x7f-'9')*ones)
	dashes = ^(w ^ '-'*ones + 0x7f*ones) & high
	return dashes, (lower|digit|dashes)&high == high
}

// kebabMixed is kebabCase for names the lower-case path turned down,
// most of them labels with upper-case words (wasi:http's error codes,
// HTTP-request-denied): eight bytes at a time (kebabBlock), s is a label
// when every byte is a label character, it starts with a letter and does
// not end with a dash, no dash follows a dash and no two adjacent letters
// differ in case, unless it has both digits and upper case (a digit may
// stand between letters of one word). Those, and whatever the blocks
// reject, go to kebabWords, which answers exactly.
func kebabMixed(s string) (bool, bool) {
	if len(s) < 4 || s[0]|0x20 < 'a' || s[0]|0x20 > 'z' || s[len(s)-1] == '-' {
		return kebabWords(s)
	}
	var upper, digit uint64
	ok := true
	if len(s) < 8 {
		// The first four bytes and the last four: every two adjacent
		// bytes of s are adjacent in one of them; the two at the seam
		// (bytes 3 and 4) are not a pair of s.
		upper, digit, ok = kebabBlock(load32(s)|load32(s[len(s)-4:])<<32, 0x80<<32)
	} else {
		// Blocks seven bytes apart, so that each pair of s is inside
		// one, and the last eight bytes.
		for i := 0; ok && i+8 < len(s); i += 7 {
			u, d, k := kebabBlock(load64(s[i:]), 0)
			upper, digit, ok = upper|u, digit|d, k
		}
		u, d, k := kebabBlock(load64(s[len(s)-8:]), 0)
		upper, digit, ok = upper|u, digit|d, ok && k
	}
	if !ok || upper != 0 && digit != 0 {
		return kebabWords(s)
	}
	return true, upper != 0
}

// kebabBlock checks the eight bytes of w (little-endian): ok when all are
// label characters, no dash follows a dash and no two adjacent letters
// differ in case, except at the pairs seam marks (the high bit of the
// second byte of each); it returns the high bits of its upper-case
// letters and digits. Range tests add to each byte (all below 0x80 by
// then, so no byte carries into the next) and read its high bit.
func kebabBlock(w, seam uint64) (upper, digit uint64, ok bool) {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
	)
	lower := (w + (0x80-'a')*ones) &^ (w + (0x7f-'z')*ones)
	upper = (w + (0x80-'A')*ones) &^ (w + (0x7f-'Z')*ones) & high
	digit = (w + (0x80-'0')*ones) &^ (w + (0x7f-'9')*ones) & high
	dash := ^(w ^ '-'*ones + 0x7f*ones)
	bad := dash&(dash<<8) | lower&(upper<<8) | upper&(lower<<8)
	return upper, digit, w&high == 0 && (lower|upper|digit|dash)&high == high && bad&high&^seam == 0
}

// kebabWords is kebabCase for any input, by a table of byte classes.
func kebabWords(s string) (bool, bool) {
	const (
		none = iota
		lower
		upper
	)
	mode, first, word, hasUpper := none, true, false, false
	for i := 0; i < len(s); i++ {
		switch kebabClass[s[i]] {
		case kLower:
			if mode == upper {
				return false, false
			}
			mode, word = lower, true
		case kUpper:
			if mode == lower {
				return false, false
			}
			mode, word, hasUpper = upper, true, true
		case kDigit:
			if mode == none && first {
				return false, false
			}
			word = true
		case kDash:
			if !word {
				return false, false
			}
			mode, first, word = none, false, false
		default:
			return false, false
		}
	}
	return word, hasUpper
}
