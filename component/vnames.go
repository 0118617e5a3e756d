package component

import "strings"

// This file holds the validator's name bookkeeping: which types each
// scope's imports and exports may mention, the names of its resources and
// the strong-uniqueness keys of its names. They live in maps of the
// validator keyed by a namespace id rather than in maps of every scope:
// an interface's instance type is a scope of its own, and making maps for
// each cost more than checking the names.

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
		return nameKey{sp: sp, form: 1, a: lowerASCII(n.resource)}
	case nameMethod, nameStatic:
		if strings.EqualFold(n.resource, n.item) {
			return nameKey{sp: sp, a: lowerASCII(n.resource)}
		}
		return nameKey{sp: sp, form: 2, a: lowerASCII(n.resource), b: lowerASCII(n.item)}
	case nameLabel:
		return nameKey{sp: sp, a: lowerASCII(n.raw)}
	}
	return nameKey{sp: sp, a: n.raw}
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

// registerResource records the name of a resource import or export.
func (v *validator) registerResource(sp space, t tid, name string) {
	v.resByType[spaceTid{sp, t}] = name
	v.resAll[spaceName{sp, name}] = struct{}{}
}

// isNamed reports whether t may be mentioned in namespace sp.
func (v *validator) isNamed(sp space, t tid) bool {
	_, ok := v.named[spaceTid{sp, t}]
	return ok
}

// fastExternName parses the common extern names, a label or a plain
// interface name ns:pkg/iface[@version], as parseExternName does; ok is
// false for anything else (including every invalid name), which
// parseExternName then reads, and words the error of.
func fastExternName(s string, f Features) (n externName, ok bool) {
	n.raw = s
	if len(s) > 0 && s[0] == '[' {
		for _, p := range [...]struct {
			prefix string
			kind   nameKind
		}{{"[constructor]", nameConstructor}, {"[method]", nameMethod}, {"[static]", nameStatic}} {
			rest, ok := strings.CutPrefix(s, p.prefix)
			if !ok {
				continue
			}
			if p.kind == nameConstructor {
				n.kind, n.resource = nameConstructor, rest
				return n, isKebab(rest)
			}
			res, item, ok := strings.Cut(rest, ".")
			n.kind, n.resource, n.item = p.kind, res, item
			return n, ok && isKebab(res) && isKebab(item)
		}
		return n, false
	}
	colon := strings.IndexByte(s, ':')
	if colon < 0 {
		if s == "" || !isKebab(s) {
			return n, false
		}
		// The structured forms without a colon start with a word and
		// '=': not kebab.
		n.kind = nameLabel
		return n, true
	}
	ns, rest := s[:colon], s[colon+1:]
	if !isLowerKebab(ns) {
		return n, false
	}
	slash := strings.IndexByte(rest, '/')
	if slash < 0 {
		return n, false
	}
	pkg, rest := rest[:slash], rest[slash+1:]
	if !isLowerKebab(pkg) {
		return n, false
	}
	i := 0
	for i < len(rest) && (isAlnum(rest[i]) || rest[i] == '-') {
		i++
	}
	iface, rest := rest[:i], rest[i:]
	if !isKebab(iface) {
		return n, false
	}
	switch {
	case rest == "":
	case rest[0] == '@' && len(rest) > 1 && strings.IndexByte(rest, '>') < 0:
		n.version = rest[1:]
	default:
		return n, false
	}
	n.kind = nameInterface
	return n, true
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
	return isKebab(s)
}

// validSemverFast is validSemver without allocating:
// MAJOR.MINOR.PATCH(-pre)?(+build)? as semver.org defines it.
func validSemverFast(v string) bool {
	core, build, hasBuild := strings.Cut(v, "+")
	if hasBuild && !validIdentsFast(build, false) {
		return false
	}
	core, pre, hasPre := strings.Cut(core, "-")
	if hasPre && !validIdentsFast(pre, true) {
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

func validIdentsFast(s string, noLeadingZero bool) bool {
	for {
		id, rest, more := strings.Cut(s, ".")
		if id == "" {
			return false
		}
		allDigits := true
		for i := 0; i < len(id); i++ {
			c := id[i]
			if c >= '0' && c <= '9' {
				continue
			}
			allDigits = false
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-') {
				return false
			}
		}
		if noLeadingZero && allDigits && len(id) > 1 && id[0] == '0' {
			return false
		}
		if !more {
			return true
		}
		s = rest
	}
}
