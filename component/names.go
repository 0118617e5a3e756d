package component

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// nameKind classifies an extern name (Explainer.md, "Import and Export
// Definitions").
type nameKind uint8

const (
	nameLabel nameKind = iota
	nameConstructor
	nameMethod
	nameStatic
	nameInterface
	nameDependency // wasm-tools: unlocked-dep=<..>, locked-dep=<..>
	nameURL        // wasm-tools: url=<..>
	nameHash       // wasm-tools: integrity=<..>
)

// externName is a parsed extern name.
type externName struct {
	kind nameKind
	raw  string
	// resource and item of [constructor]r, [method]r.m, [static]r.m.
	resource, item string
	// interface names: ns:pkg/iface@version
	version string
	// lower is set (by fastExternName) when the labels of the name have
	// no upper case, so that its key needs no lower-casing.
	lower bool
}

func kebabErr(s string) error { return fmt.Errorf("`%s` is not in kebab case", s) }

// parseExternName parses an import or export name.
func parseExternName(s string, f Features) (externName, error) {
	n := externName{raw: s}
	rest := s
	eat := func(p string) bool {
		if strings.HasPrefix(rest, p) {
			rest = rest[len(p):]
			return true
		}
		return false
	}
	resourceFunc := func(k nameKind) (externName, error) {
		dot := strings.IndexByte(rest, '.')
		if dot < 0 {
			return n, fmt.Errorf("failed to find `.` character")
		}
		n.kind, n.resource, n.item = k, rest[:dot], rest[dot+1:]
		if !kebab(n.resource) {
			return n, kebabErr(n.resource)
		}
		if !kebab(n.item) {
			return n, kebabErr(n.item)
		}
		return n, nil
	}
	switch {
	case eat("[constructor]"):
		if !kebab(rest) {
			return n, kebabErr(rest)
		}
		n.kind, n.resource = nameConstructor, rest
		return n, nil
	case eat("[method]"):
		return resourceFunc(nameMethod)
	case eat("[static]"):
		return resourceFunc(nameStatic)
	case strings.HasPrefix(rest, "unlocked-dep="), strings.HasPrefix(rest, "locked-dep="),
		strings.HasPrefix(rest, "url="), strings.HasPrefix(rest, "integrity="), strings.Contains(rest, ":"):
		p := nameCursor{next: rest, f: f}
		if err := p.parse(&n); err != nil {
			return n, err
		}
		if p.next != "" {
			return n, p.trailing()
		}
		return n, nil
	}
	if !kebab(rest) {
		return n, kebabErr(rest)
	}
	n.kind = nameLabel
	return n, nil
}

// nameCursor reads the structured forms of an extern name from the left,
// as the reference's parser does (so that its errors name the same place).
type nameCursor struct {
	next string
	f    Features
}

func (p *nameCursor) eat(prefix string) bool {
	if strings.HasPrefix(p.next, prefix) {
		p.next = p.next[len(prefix):]
		return true
	}
	return false
}

func (p *nameCursor) expect(prefix string) error {
	if !p.eat(prefix) {
		return fmt.Errorf("expected `%s` at `%s`", prefix, p.next)
	}
	return nil
}

// upTo takes the text before the first c, leaving c.
func (p *nameCursor) upTo(c byte) (string, error) {
	i := strings.IndexByte(p.next, c)
	if i < 0 {
		return "", fmt.Errorf("failed to find `%c` character", c)
	}
	s := p.next[:i]
	p.next = p.next[i:]
	return s, nil
}

// kebab takes a run of label characters (all the rest when there is no
// other character) and checks it is a label.
func (p *nameCursor) kebab() (string, error) {
	i := 0
	for i < len(p.next) && (isAlnum(p.next[i]) || p.next[i] == '-') {
		i++
	}
	s := p.next[:i]
	if i == len(p.next) {
		s = p.next
	}
	p.next = p.next[len(s):]
	if !kebab(s) {
		return s, kebabErr(s)
	}
	return s, nil
}

func (p *nameCursor) lowerKebab() error {
	s, err := p.kebab()
	if err != nil {
		return err
	}
	if strings.ToLower(s) != s {
		return fmt.Errorf("character `%c` is not lowercase in package name/namespace `%s`", firstUpper(s), s)
	}
	return nil
}

// trailing is the error for what is left after a complete name.
func (p *nameCursor) trailing() error {
	if strings.HasPrefix(p.next, "/") && !p.f.NestedNames {
		return fmt.Errorf("trailing characters found: `%s` (nested interface names need the 🪺 feature)", p.next)
	}
	return fmt.Errorf("trailing characters found: `%s`", p.next)
}

func (p *nameCursor) parse(n *externName) error {
	switch {
	case p.eat("unlocked-dep="):
		n.kind = nameDependency
		if err := p.expect("<"); err != nil {
			return err
		}
		if err := p.pkgNameQuery(); err != nil {
			return err
		}
		return p.expect(">")
	case p.eat("locked-dep="):
		n.kind = nameDependency
		if err := p.expect("<"); err != nil {
			return err
		}
		if _, err := p.pkgName(false); err != nil {
			return err
		}
		if err := p.expect(">"); err != nil {
			return err
		}
		return p.optionalHash()
	case p.eat("url="):
		n.kind = nameURL
		if err := p.expect("<"); err != nil {
			return err
		}
		url, err := p.upTo('>')
		if err != nil {
			return err
		}
		if strings.Contains(url, "<") {
			return fmt.Errorf("url cannot contain `<`")
		}
		p.eat(">")
		return p.optionalHash()
	case p.eat("integrity="):
		n.kind = nameHash
		if err := p.expect("<"); err != nil {
			return err
		}
		h, err := p.upTo('>')
		if err != nil {
			return err
		}
		if err := checkHash(h); err != nil {
			return err
		}
		return p.expect(">")
	}
	n.kind = nameInterface
	ver, err := p.pkgName(true)
	if err != nil {
		return err
	}
	n.version = ver
	return nil
}

// pkgPath reads namespace:package(/interface)*; more namespaces and
// interfaces need the 🪺 feature.
func (p *nameCursor) pkgPath(requireProjection bool) error {
	if err := p.lowerKebab(); err != nil {
		return err
	}
	if err := p.expect(":"); err != nil {
		return err
	}
	if err := p.lowerKebab(); err != nil {
		return err
	}
	for p.f.NestedNames && strings.HasPrefix(p.next, ":") {
		p.eat(":")
		if err := p.lowerKebab(); err != nil {
			return err
		}
	}
	switch {
	case p.eat("/"):
		if _, err := p.kebab(); err != nil {
			return err
		}
		for p.f.NestedNames && p.eat("/") {
			if _, err := p.kebab(); err != nil {
				return err
			}
		}
	case requireProjection && strings.HasPrefix(p.next, ":"):
		return fmt.Errorf("expected `/` after package name (nested package names need the 🪺 feature)")
	case requireProjection:
		return fmt.Errorf("expected `/` after package name")
	}
	return nil
}

// pkgName reads a package path and an optional @version, which it
// returns; an interface's version is checked later, with its attributes.
func (p *nameCursor) pkgName(iface bool) (string, error) {
	if err := p.pkgPath(iface); err != nil {
		return "", err
	}
	if !p.eat("@") {
		return "", nil
	}
	ver, err := p.upTo('>')
	if err != nil {
		ver, p.next = p.next, ""
	}
	if ver == "" && iface {
		return "", fmt.Errorf("empty string, expected a semver version")
	}
	if !iface && !validSemver(ver) {
		return "", fmt.Errorf("`%s` is not a valid semver: %s", ver, semverProblem(ver))
	}
	return ver, nil
}

// pkgNameQuery reads a package path and an optional version range:
// @*, @{>=v}, @{<v} or @{>=v <w}.
func (p *nameCursor) pkgNameQuery() error {
	if err := p.pkgPath(false); err != nil {
		return err
	}
	if !p.eat("@") || p.eat("*") {
		return nil
	}
	if err := p.expect("{"); err != nil {
		return err
	}
	r, err := p.upTo('}')
	if err != nil {
		return err
	}
	p.eat("}")
	return checkSemverRange(r)
}

// optionalHash reads ",integrity=<...>" if it is there.
func (p *nameCursor) optionalHash() error {
	if !p.eat(",") {
		return nil
	}
	if err := p.expect("integrity=<"); err != nil {
		return err
	}
	h, err := p.upTo('>')
	if err != nil {
		return err
	}
	if err := checkHash(h); err != nil {
		return err
	}
	return p.expect(">")
}

func checkHash(s string) error {
	any := false
	for _, h := range strings.Fields(s) {
		any = true
		var rest string
		switch {
		case strings.HasPrefix(h, "sha256"), strings.HasPrefix(h, "sha384"), strings.HasPrefix(h, "sha512"):
			rest = h[6:]
		default:
			return fmt.Errorf("unrecognized hash algorithm: `%s`", h)
		}
		if !strings.HasPrefix(rest, "-") {
			return fmt.Errorf("expected `-` after hash algorithm: %s", h)
		}
		b64, _, _ := strings.Cut(rest[1:], "?")
		if !isBase64(b64) {
			return fmt.Errorf("not valid base64: `%s`", b64)
		}
	}
	if !any {
		return fmt.Errorf("integrity hash cannot be empty")
	}
	return nil
}

func isBase64(s string) bool {
	// As lenient as the reference: base64 characters, then at most two
	// '=' (not first).
	if s == "" {
		return false
	}
	equals := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '/') && equals == 0:
		case c == '=' && i > 0 && equals < 2:
			equals++
		default:
			return false
		}
	}
	return true
}

func checkSemverRange(r string) error {
	switch {
	case r == "*":
		return nil
	case strings.HasPrefix(r, ">="):
		lower, upper, hasUpper := strings.Cut(r[2:], " ")
		if !validSemver(lower) {
			return fmt.Errorf("`%s` is not a valid semver: %s", lower, semverProblem(lower))
		}
		if hasUpper {
			if !strings.HasPrefix(upper, "<") {
				return fmt.Errorf("expected `<` at start of version range upper bounds")
			}
			if !validSemver(upper[1:]) {
				return fmt.Errorf("`%s` is not a valid semver: %s", upper[1:], semverProblem(upper[1:]))
			}
		}
		return nil
	case strings.HasPrefix(r, "<"):
		if !validSemver(r[1:]) {
			return fmt.Errorf("`%s` is not a valid semver: %s", r[1:], semverProblem(r[1:]))
		}
		return nil
	}
	return fmt.Errorf("expected `>=` or `<` at start of version range")
}

// validSemver checks MAJOR.MINOR.PATCH(-pre)?(+build)? as semver.org
// defines it.
// semverProblem says what is wrong with a version in the words of the
// semver crate, which the reference reports: the first problem met reading
// major.minor.patch[-pre][+build] from the left.
func semverProblem(v string) string {
	if v == "" {
		return "empty string, expected a semver version"
	}
	rest := v
	for i, what := range [...]string{"major version number", "minor version number", "patch version number"} {
		n := 0
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		switch {
		case n == 0 && rest == "":
			return "unexpected end of input while parsing " + what
		case n == 0:
			return fmt.Sprintf("unexpected character %s while parsing %s", quoteChar(rest), what)
		case n > 1 && rest[0] == '0':
			return "invalid leading zero in " + what
		}
		rest = rest[n:]
		if i < 2 {
			if rest == "" {
				return "unexpected end of input while parsing " + what
			}
			if rest[0] != '.' {
				return fmt.Sprintf("unexpected character %s after %s", quoteChar(rest), what)
			}
			rest = rest[1:]
		}
	}
	after := "patch version number"
	for _, part := range [...]struct {
		lead byte
		what string
	}{{'-', "pre-release identifier"}, {'+', "build metadata"}} {
		if rest == "" || rest[0] != part.lead {
			continue
		}
		rest = rest[1:]
		n := 0
		for n < len(rest) && (rest[n] == '.' || rest[n] == '-' || isAlnum(rest[n])) {
			n++
		}
		for _, seg := range strings.Split(rest[:n], ".") {
			if seg == "" {
				return "empty identifier segment in " + part.what
			}
		}
		rest, after = rest[n:], part.what
	}
	if rest != "" {
		return fmt.Sprintf("unexpected character %s after %s", quoteChar(rest), after)
	}
	if !validSemver(v) {
		return "invalid leading zero in pre-release identifier"
	}
	return ""
}

// firstUpper returns the first upper-case ASCII letter of s.
func firstUpper(s string) byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			return s[i]
		}
	}
	return '?'
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// quoteChar quotes the first character of s as Rust's Debug does for the
// common case ('a').
func quoteChar(s string) string {
	r, _ := utf8.DecodeRuneInString(s)
	if r == '\'' || r == '\\' {
		return `'\` + string(r) + `'`
	}
	return "'" + string(r) + "'"
}

func numericIdent(n string) bool {
	if n == "" || (len(n) > 1 && n[0] == '0') {
		return false
	}
	for i := 0; i < len(n); i++ {
		if n[i] < '0' || n[i] > '9' {
			return false
		}
	}
	return true
}

func validIdents(s string, noLeadingZero bool) bool {
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

// isCanonVersion reports whether v is a 🔗 canonversion: 1, 0.1, 0.0.1,
// 0.0.0 and the like.
func isCanonVersion(v string) bool {
	parts := strings.Split(v, ".")
	switch len(parts) {
	case 1:
		return numericIdent(parts[0]) && parts[0] != "0"
	case 2:
		return parts[0] == "0" && numericIdent(parts[1]) && parts[1] != "0"
	case 3:
		return parts[0] == "0" && parts[1] == "0" && numericIdent(parts[2])
	}
	return false
}
