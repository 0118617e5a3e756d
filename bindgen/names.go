package bindgen

import (
	"go/token"
	"strings"
	"unicode"

	"github.com/wasmcm/wasmcm/wit"
)

// initialisms are WIT words spelled in capitals in Go names, as Go does.
var initialisms = map[string]string{
	"api": "API", "ascii": "ASCII", "cpu": "CPU", "dns": "DNS", "eof": "EOF",
	"html": "HTML", "http": "HTTP", "https": "HTTPS", "id": "ID", "io": "IO",
	"ip": "IP", "ipv4": "IPv4", "ipv6": "IPv6", "json": "JSON", "tcp": "TCP",
	"tls": "TLS", "ttl": "TTL", "udp": "UDP", "uri": "URI", "url": "URL",
	"utf8": "UTF8", "uuid": "UUID", "xml": "XML",
}

// camel turns a WIT name (kebab-case, words all lower or all upper case)
// into an exported Go name.
func camel(name string) string {
	var b strings.Builder
	for _, w := range strings.Split(name, "-") {
		if w == "" {
			continue
		}
		if s, ok := initialisms[strings.ToLower(w)]; ok {
			b.WriteString(s)
			continue
		}
		rs := []rune(w)
		rs[0] = unicode.ToUpper(rs[0])
		b.WriteString(string(rs))
	}
	s := b.String()
	if s == "" || !unicode.IsLetter([]rune(s)[0]) {
		s = "X" + s
	}
	return s
}

// lowerCamel turns a WIT name into an unexported Go name (a parameter).
func lowerCamel(name string) string {
	ws := strings.Split(name, "-")
	var b strings.Builder
	for i, w := range ws {
		if w == "" {
			continue
		}
		if i == 0 {
			b.WriteString(strings.ToLower(w))
			continue
		}
		b.WriteString(camel(w))
	}
	s := b.String()
	if s == "" || !unicode.IsLetter([]rune(s)[0]) {
		s = "x" + s
	}
	return s
}

// goPkgName turns a WIT name into a Go package name: lower case letters and
// digits only.
func goPkgName(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
		}
	}
	s := b.String()
	if s == "" || !unicode.IsLetter(rune(s[0])) {
		s = "x" + s
	}
	if isGoKeyword(s) {
		s += "x"
	}
	return s
}

func isGoKeyword(s string) bool { return token.IsKeyword(s) }

// predeclared are Go's predeclared identifiers, which a parameter must not
// shadow: the generated body uses some of them.
var predeclared = map[string]bool{
	"any": true, "append": true, "bool": true, "byte": true, "cap": true, "clear": true,
	"close": true, "complex": true, "complex128": true, "complex64": true, "copy": true,
	"delete": true, "error": true, "false": true, "float32": true, "float64": true,
	"imag": true, "int": true, "int16": true, "int32": true, "int64": true, "int8": true,
	"iota": true, "len": true, "make": true, "max": true, "min": true, "new": true,
	"nil": true, "panic": true, "print": true, "println": true, "real": true,
	"recover": true, "rune": true, "string": true, "true": true, "uint": true,
	"uint16": true, "uint32": true, "uint64": true, "uint8": true, "uintptr": true,
	"comparable": true,
}

// declare reserves a package-level name derived from want, returning it or,
// when taken, want with underscores appended (WIT-derived names never hold
// one, so the result cannot clash with a later WIT name either).
func (p *goPkg) declare(want string) string {
	n := want
	for p.names[n] {
		n += "_"
	}
	p.names[n] = true
	return n
}

// nameTypes gives the named types of an interface or world their Go names,
// in declaration order.
func (p *goPkg) nameTypes(types []wit.Entry[wit.TypeID]) {
	for _, e := range types {
		p.typeNames[e.ID] = p.declare(camel(e.Name))
		p.typeOrder = append(p.typeOrder, e.ID)
	}
}

// paramNames picks Go names for a function's parameters: lowerCamel, with
// keywords, predeclared identifiers, import aliases and duplicates renamed.
func (g *generator) paramNames(params []wit.Param) []string {
	seen := map[string]bool{}
	out := make([]string, len(params))
	for i, prm := range params {
		n := lowerCamel(prm.Name)
		for isGoKeyword(n) || predeclared[n] || g.aliases[n] || seen[n] {
			n += "_"
		}
		seen[n] = true
		out[i] = n
	}
	return out
}

// docComment renders WIT docs as a Go comment, or def when there are none.
func docComment(d wit.Docs, def string) string {
	text := strings.TrimSpace(d.Contents)
	if text == "" {
		text = def
	}
	if text == "" {
		return ""
	}
	var b strings.Builder
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			b.WriteString("//\n")
			continue
		}
		b.WriteString("// " + l + "\n")
	}
	return b.String()
}
