// Package witgen generates random, valid WIT documents from a seed, for fuzz
// and differential tests of the WIT front end.
//
// A document is one file: an optional set of nested `package ns:x { ... }`
// blocks that the main package uses, then the main package's interfaces and
// worlds. Everything generated resolves: types only refer to types defined
// before them (though they are written in shuffled order, which WIT allows),
// interfaces only use earlier interfaces, and a world never both imports and
// exports an interface, directly or through its dependencies. Options switch
// off the syntax that a given peer (such as wasm-tools 1.230) does not know.
package witgen

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// Options choose the WIT syntax a document may use and how large it is.
type Options struct {
	Async            bool // async functions, stream and future types
	ErrorContext     bool // the error-context type
	FixedLengthLists bool // list<T, N>
	Maps             bool // map<K, V> (newer than wasm-tools 1.230)
	// ConstructorResults lets constructors return result<r, E> (newer than
	// wasm-tools 1.230).
	ConstructorResults bool
	Gates              bool // @since, @unstable and @deprecated
	NestedPackages     bool // `package ns:x { ... }` blocks used by the main package
	Includes           bool // `include` of another world
	// IncludeCopies lets a world include another whose inline interfaces or
	// compound function types the include copies (newer than wasm-tools
	// 1.230, which shares them instead).
	IncludeCopies bool
	// IncludeWith adds `with { a as b }` to includes (wasm-tools 1.230 keeps
	// the old name inside the renamed function).
	IncludeWith bool
	Docs        bool // /// and /** */ doc comments
	// WorldItemDocs puts doc comments on `import i;` and `export i;` lines
	// (newer than wasm-tools 1.230, which drops them).
	WorldItemDocs bool

	// Features are the names @unstable gates pick from; a test enables some
	// of them in both resolvers.
	Features []string

	// Size scales the number of interfaces, types, functions and worlds;
	// 0 means 3.
	Size int
}

// All enables every syntax the generator knows.
var All = Options{
	Async: true, ErrorContext: true, FixedLengthLists: true, Maps: true,
	ConstructorResults: true, Gates: true, NestedPackages: true,
	Includes: true, IncludeCopies: true, IncludeWith: true, Docs: true, WorldItemDocs: true,
	Features: []string{"active", "inactive"},
}

// Reference1230 is the syntax that wasm-tools 1.230 (the peer in
// internal/oracle) resolves the same way as the current reference, once
// 1.230's names for async functions and fixed-size lists are mapped to
// today's.
var Reference1230 = Options{
	Async: true, ErrorContext: true, FixedLengthLists: true,
	Gates: true, NestedPackages: true, Includes: true, Docs: true,
	Features: []string{"active", "inactive"},
}

// Generate returns a valid WIT document determined by seed and opts.
func Generate(seed uint64, opts Options) string {
	g := newGen(seed, opts)
	g.document()
	return g.b.String()
}

// Invalid returns a document that must fail to resolve, and a short note of
// the error planted in it. It is a valid document with one mistake: a name
// used but never defined, a name defined twice, a type that contains itself,
// a missing token, an @since newer than its package, and the like.
func Invalid(seed uint64, opts Options) (doc, why string) {
	g := newGen(seed, opts)
	g.breakKind = 1 + g.r.IntN(numBreaks)
	g.document()
	if !g.broken {
		// The planted kind had no place to go in this document; fall back
		// to one that always applies.
		return g.b.String() + "\ninterface " + g.fresh() + " {\n  x: func() -> undefined-type;\n}\n", "use of an undefined type"
	}
	return g.b.String(), g.why
}

// The kinds of planted errors.
const (
	breakUndefinedType = iota + 1
	breakDuplicateType
	breakSelfReference
	breakMissingSemicolon
	breakSinceTooNew
	breakUndefinedInterface
	breakBorrowNonResource
	breakDuplicateParam
	numBreaks = iota
)

// named is a named type in scope where a type is written.
type named struct {
	name     string // as written at the use site (may be a `use` rename)
	resource bool
	gated    bool // may not be referred to by anything stable
}

// iface is a generated interface, for `use` and world imports.
type iface struct {
	pkg   string // "" for the main package, else "ns:name@v" of a nested one
	name  string
	types []named // exported types
	deps  []*iface
}

// path returns how the main package refers to the interface.
func (i *iface) path() string {
	if i.pkg == "" {
		return i.name
	}
	ns, rest, _ := strings.Cut(i.pkg, ":")
	name, ver, ok := strings.Cut(rest, "@")
	if !ok {
		return ns + ":" + name + "/" + i.name
	}
	return ns + ":" + name + "/" + i.name + "@" + ver
}

// world is a generated world, for include.
type world struct {
	name             string
	imports, exports []*iface // interfaces, including those brought in by deps
	hasTypes         bool
	copies           bool // has inline interfaces or compound function types
	// includes are the worlds this one is made of: itself and every world
	// it includes, transitively. Including two worlds that share one would
	// bring its named items in twice.
	includes []*world
	funcs    []string // names of imported and exported functions
}

type gen struct {
	r    *rand.Rand
	o    Options
	b    strings.Builder
	used map[string]bool

	pkgVersion string // version of the package being written, "" if none
	curPkg     string
	ifaces     []*iface // of the package being written and of earlier ones
	worlds     []*world

	// compound is set when a type expression other than a primitive is
	// written, to tell which worlds an include would copy from.
	compound bool

	breakKind int
	broken    bool
	why       string
}

func newGen(seed uint64, opts Options) *gen {
	if opts.Size <= 0 {
		opts.Size = 3
	}
	return &gen{
		r:    rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		o:    opts,
		used: map[string]bool{},
	}
}

// plant reports whether to plant an error of kind k here, and records it.
func (g *gen) plant(k int, why string) bool {
	if g.breakKind != k || g.broken || g.r.IntN(3) != 0 {
		return false
	}
	g.broken, g.why = true, why
	return true
}

func (g *gen) chance(n int) bool { return g.r.IntN(n) == 0 }

func (g *gen) upTo(n int) int { return g.r.IntN(n + 1) }

var words = []string{
	"alpha", "bravo", "cedar", "delta", "ember", "fjord", "gamma", "harbor",
	"iris", "juniper", "kilo", "lumen", "maple", "nova", "onyx", "pixel",
	"quartz", "raven", "sierra", "tango", "umber", "vertex", "willow", "xenon",
	"yarrow", "zephyr", "blob", "frame", "packet", "socket", "token", "cursor",
}

// escaped are keywords, written %-escaped where a name is expected.
var escaped = []string{"type", "record", "interface", "list", "stream", "own", "world", "use"}

// fresh returns a kebab-case name not used before in the document.
func (g *gen) fresh() string {
	for {
		var parts []string
		n := 1 + g.r.IntN(3)
		for i := 0; i < n; i++ {
			w := words[g.r.IntN(len(words))]
			switch g.r.IntN(12) {
			case 0:
				w = strings.ToUpper(w)
			case 1:
				w += fmt.Sprint(g.r.IntN(10))
			}
			parts = append(parts, w)
		}
		name := strings.Join(parts, "-")
		// Unique regardless of case: newer references reject names that
		// differ only in case, wasm-tools 1.230 does not.
		if key := strings.ToLower(name); !g.used[key] {
			g.used[key] = true
			return name
		}
	}
}

// freshOrKeyword is fresh, sometimes a %-escaped keyword instead.
func (g *gen) freshOrKeyword() (written, name string) {
	if g.chance(15) {
		for _, k := range escaped {
			if !g.used[k] {
				g.used[k] = true
				return "%" + k, k
			}
		}
	}
	n := g.fresh()
	return n, n
}

func (g *gen) line(indent int, format string, args ...any) {
	g.b.WriteString(strings.Repeat("  ", indent))
	fmt.Fprintf(&g.b, format, args...)
	g.b.WriteByte('\n')
}

var docTexts = []string{
	"Frobs the widget.", "A handle to something.", "", "Returns the thing; see also `other`.",
	"Line one.\nLine two.", "Unicode: héllo wörld ✓", "  indented text", "Contains */ inside? no: a star / slash",
}

func (g *gen) docs(indent int) {
	if !g.o.Docs || !g.chance(3) {
		return
	}
	text := docTexts[g.r.IntN(len(docTexts))]
	if g.chance(4) && !strings.Contains(text, "*/") {
		g.line(indent, "/** %s */", strings.ReplaceAll(text, "\n", " "))
		return
	}
	for _, l := range strings.Split(text, "\n") {
		if l == "" {
			g.line(indent, "///")
		} else {
			g.line(indent, "/// %s", l)
		}
	}
}

// gate writes a feature gate for an item, sometimes, and reports whether it
// wrote @unstable: such an item may be left out, so nothing may refer to it.
func (g *gen) gate(indent int, allowUnstable bool) (unstable bool) {
	if !g.o.Gates || !g.chance(4) {
		return false
	}
	switch {
	case g.pkgVersion != "" && g.chance(2):
		since := g.sinceVersion()
		if g.plant(breakSinceTooNew, "@since newer than the package version") {
			since = "99.0.0"
		}
		g.line(indent, "@since(version = %s)", since)
		if g.chance(3) {
			g.line(indent, "@deprecated(version = %s)", g.pkgVersion)
		}
	case allowUnstable && len(g.o.Features) > 0:
		g.line(indent, "@unstable(feature = %s)", g.o.Features[g.r.IntN(len(g.o.Features))])
		return true
	}
	return false
}

// sinceVersion returns a version no newer than the package's.
func (g *gen) sinceVersion() string {
	if g.chance(2) {
		return g.pkgVersion
	}
	return "0.0.0"
}

var primitives = []string{"bool", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "f32", "f64", "char", "string"}

// typ writes a type expression using the named types in scope. top marks a
// parameter's outermost type, the one place borrow<r> is written.
func (g *gen) typ(scope []named, depth int, top bool) string {
	if depth <= 0 || g.chance(3) {
		return g.leaf(scope, top)
	}
	g.compound = true
	d := depth - 1
	switch g.r.IntN(9) {
	case 0:
		if g.o.FixedLengthLists && g.chance(3) {
			return fmt.Sprintf("list<%s, %d>", g.typ(scope, d, false), 1+g.r.IntN(8))
		}
		return "list<" + g.typ(scope, d, false) + ">"
	case 1:
		return "option<" + g.typ(scope, d, false) + ">"
	case 2:
		switch g.r.IntN(4) {
		case 0:
			return "result"
		case 1:
			return "result<" + g.typ(scope, d, false) + ">"
		case 2:
			return "result<_, " + g.typ(scope, d, false) + ">"
		}
		return "result<" + g.typ(scope, d, false) + ", " + g.typ(scope, d, false) + ">"
	case 3:
		n := 1 + g.r.IntN(4)
		ts := make([]string, n)
		for i := range ts {
			ts[i] = g.typ(scope, d, false)
		}
		return "tuple<" + strings.Join(ts, ", ") + ">"
	case 4:
		if g.o.Async {
			kw := []string{"stream", "future"}[g.r.IntN(2)]
			if g.chance(4) {
				return kw
			}
			return kw + "<" + g.typ(scope, d, false) + ">"
		}
	case 5:
		if g.o.Maps {
			keys := []string{"string", "u32", "s64", "char", "bool"}
			return "map<" + keys[g.r.IntN(len(keys))] + ", " + g.typ(scope, d, false) + ">"
		}
	}
	return g.leaf(scope, top)
}

func (g *gen) leaf(scope []named, top bool) string {
	if g.plant(breakUndefinedType, "use of an undefined type") {
		return "no-such-type"
	}
	var stable []named
	for _, n := range scope {
		if !n.gated {
			stable = append(stable, n)
		}
	}
	if len(stable) > 0 && g.chance(2) {
		g.compound = true
		n := stable[g.r.IntN(len(stable))]
		name := escapeName(n.name)
		if n.resource {
			switch {
			case top && g.chance(2):
				return "borrow<" + name + ">"
			case g.chance(3):
				return "own<" + name + ">"
			}
		} else if top && g.plant(breakBorrowNonResource, "borrow of a type that is not a resource") {
			return "borrow<" + name + ">"
		}
		return name
	}
	if g.o.ErrorContext && g.chance(20) {
		g.compound = true
		return "error-context"
	}
	return primitives[g.r.IntN(len(primitives))]
}

// document writes the nested packages, then the main package.
func (g *gen) document() {
	g.docs(0)
	main := "wasmcm:" + g.fresh()
	mainVersion := ""
	if g.chance(2) {
		mainVersion = fmt.Sprintf("%d.%d.%d", g.r.IntN(2), g.r.IntN(4), g.r.IntN(3))
		main += "@" + mainVersion
	}
	g.line(0, "package %s;", main)
	g.b.WriteByte('\n')

	if g.o.NestedPackages {
		for i := g.upTo(2); i > 0; i-- {
			g.nestedPackage()
		}
	}
	g.pkgVersion, g.curPkg = mainVersion, ""
	g.packageItems(0)
}

func (g *gen) nestedPackage() {
	name := "dep:" + g.fresh()
	g.pkgVersion = ""
	if g.chance(2) {
		g.pkgVersion = fmt.Sprintf("%d.%d.0", 1+g.r.IntN(2), g.r.IntN(3))
		name += "@" + g.pkgVersion
	}
	g.curPkg = name
	g.docs(0)
	g.line(0, "package %s {", name)
	g.packageItems(1)
	g.line(0, "}")
	g.b.WriteByte('\n')
	// A nested package's worlds are not included by the main package.
	g.worlds = nil
}

// packageItems writes the interfaces and worlds of the current package, in
// shuffled order.
func (g *gen) packageItems(indent int) {
	var blocks []string
	n := 1 + g.upTo(g.o.Size)
	for i := 0; i < n; i++ {
		blocks = append(blocks, g.capture(func() { g.iface(indent) }))
	}
	if g.plant(breakUndefinedInterface, "use of an undefined interface") {
		blocks = append(blocks, g.capture(func() {
			g.line(indent, "interface %s {", g.fresh())
			g.line(indent+1, "use no-such-interface.{t};")
			g.line(indent, "}")
		}))
	}
	if g.curPkg == "" || g.chance(3) {
		for i := g.upTo(g.o.Size - 1); i >= 0; i-- {
			blocks = append(blocks, g.capture(func() { g.world(indent) }))
		}
	}
	// Worlds are only generated in the main package and the order of
	// worlds is kept: includes refer to earlier ones. Shuffling is only
	// for interfaces, which WIT sorts itself.
	ifaces := blocks[:n]
	g.r.Shuffle(len(ifaces), func(i, j int) { ifaces[i], ifaces[j] = ifaces[j], ifaces[i] })
	for _, b := range blocks {
		g.b.WriteString(b)
		g.b.WriteByte('\n')
	}
}

// capture runs f writing into a fresh buffer and returns what it wrote.
func (g *gen) capture(f func()) string {
	saved := g.b
	g.b = strings.Builder{}
	f()
	s := g.b.String()
	g.b = saved
	return s
}

// iface writes one interface: uses of earlier interfaces, type definitions,
// functions and resources.
func (g *gen) iface(indent int) {
	me := &iface{pkg: g.curPkg}
	written, name := g.freshOrKeyword()
	me.name = name
	var body []string // items, shuffled before writing
	var scope []named

	// use statements: earlier interfaces of this package, and any of the
	// nested packages when this is the main package.
	for _, dep := range g.ifaces {
		if len(dep.types) == 0 || !g.chance(3) || (dep.pkg != g.curPkg && g.curPkg != "") {
			continue
		}
		var names []string
		for _, t := range dep.types {
			if t.gated || !g.chance(2) {
				continue
			}
			local := t.name
			if g.chance(4) {
				local = g.fresh()
				names = append(names, escapeName(t.name)+" as "+local)
			} else if g.used["use:"+me.name+":"+t.name] || slices.ContainsFunc(scope, func(n named) bool { return n.name == local }) {
				continue
			} else {
				names = append(names, escapeName(t.name))
			}
			g.used["use:"+me.name+":"+t.name] = true
			scope = append(scope, named{name: local, resource: t.resource})
		}
		if len(names) == 0 {
			continue
		}
		body = append(body, fmt.Sprintf("use %s.{%s};", g.ref(dep), strings.Join(names, ", ")))
		me.deps = append(me.deps, dep)
	}

	// Type definitions; each refers only to earlier ones, so the
	// definitions can be written in any order.
	nt := g.upTo(g.o.Size + 1)
	type pending struct {
		text string
		n    *named
	}
	var defs []pending
	for i := 0; i < nt; i++ {
		text, n := g.typeDef(indent+1, scope)
		scope = append(scope, *n)
		defs = append(defs, pending{text, &scope[len(scope)-1]})
		me.types = append(me.types, *n)
	}
	if len(me.types) > 0 && g.plant(breakDuplicateType, "a type defined twice") {
		body = append(body, fmt.Sprintf("type %s = u8;", escapeName(me.types[0].name)))
	}
	if g.plant(breakSelfReference, "a type that refers to itself") {
		n := g.fresh()
		body = append(body, fmt.Sprintf("type %s = list<%s>;", n, n))
	}
	for _, d := range defs {
		body = append(body, d.text)
	}

	// Resources get their methods now that every type is known.
	nf := g.upTo(g.o.Size)
	for i := 0; i < nf; i++ {
		body = append(body, g.capture(func() { g.function(indent+1, scope, "") }))
	}
	g.r.Shuffle(len(body), func(i, j int) { body[i], body[j] = body[j], body[i] })

	g.docs(indent)
	g.gate(indent, false)
	g.line(indent, "interface %s {", written)
	for _, item := range body {
		if !strings.HasSuffix(item, "\n") {
			g.line(indent+1, "%s", item)
		} else {
			g.b.WriteString(item)
		}
	}
	g.line(indent, "}")
	g.ifaces = append(g.ifaces, me)
}

// typeDef returns the text of one type definition (with its docs and gate)
// and the name it defines.
func (g *gen) typeDef(indent int, scope []named) (string, *named) {
	written, name := g.freshOrKeyword()
	n := &named{name: name}
	text := g.capture(func() {
		g.docs(indent)
		// Gating a type away would break the items that use it, so only
		// types that nothing uses could be gated; @since is always safe.
		g.gate(indent, false)
		switch g.r.IntN(6) {
		case 0:
			g.line(indent, "record %s {", written)
			nf := 1 + g.upTo(3)
			var fields []string
			for i := 0; i < nf; i++ {
				fields = append(fields, g.fresh())
			}
			// Two fields of one name are not planted as an error: the
			// reference accepts them.
			for _, f := range fields {
				g.docs(indent + 1)
				g.line(indent+1, "%s: %s,", f, g.typ(scope, 2, false))
			}
			g.line(indent, "}")
		case 1:
			g.line(indent, "variant %s {", written)
			for i := 1 + g.upTo(3); i > 0; i-- {
				if g.chance(3) {
					g.line(indent+1, "%s,", g.fresh())
				} else {
					g.line(indent+1, "%s(%s),", g.fresh(), g.typ(scope, 2, false))
				}
			}
			g.line(indent, "}")
		case 2:
			g.line(indent, "enum %s {", written)
			for i := 1 + g.upTo(4); i > 0; i-- {
				g.line(indent+1, "%s,", g.fresh())
			}
			g.line(indent, "}")
		case 3:
			g.line(indent, "flags %s {", written)
			// At least one flag: wasm-tools 1.230 accepts empty flags,
			// newer versions do not.
			for i := 1 + g.upTo(4); i > 0; i-- {
				g.line(indent+1, "%s,", g.fresh())
			}
			g.line(indent, "}")
		case 4:
			n.resource = true
			g.resource(indent, written, name, scope)
		default:
			semi := ";"
			if g.plant(breakMissingSemicolon, "a missing semicolon") {
				semi = ""
			}
			g.line(indent, "type %s = %s%s", written, g.typ(scope, 3, false), semi)
		}
	})
	return strings.TrimSuffix(text, "\n") + "\n", n
}

// resource writes a resource with a constructor, methods and static
// functions. Its functions may use the resource itself and every earlier
// type.
func (g *gen) resource(indent int, written, name string, scope []named) {
	if g.chance(3) {
		g.line(indent, "resource %s;", written)
		return
	}
	self := append(slices.Clip(scope), named{name: name, resource: true})
	g.line(indent, "resource %s {", written)
	if g.chance(2) {
		g.docs(indent + 1)
		result := ""
		if g.o.ConstructorResults && g.chance(3) {
			result = " -> result<" + escapeName(name) + ", string>"
		}
		g.line(indent+1, "constructor(%s)%s;", g.params(self), result)
	}
	for i := g.upTo(3); i > 0; i-- {
		g.function(indent+1, self, name)
	}
	g.line(indent, "}")
}

// function writes a function; inside a resource (res != "") it is a method
// or a static function.
func (g *gen) function(indent int, scope []named, res string) {
	g.docs(indent)
	g.gate(indent, true)
	kw := "func"
	if res != "" && g.chance(3) {
		kw = "static func"
	}
	if g.o.Async && g.chance(4) {
		kw = strings.Replace(kw, "func", "async func", 1)
	}
	written, _ := g.freshOrKeyword()
	result := ""
	if g.chance(3) == false {
		result = " -> " + g.typ(scope, 3, false)
	}
	g.line(indent, "%s: %s(%s)%s;", written, kw, g.params(scope), result)
}

func (g *gen) params(scope []named) string {
	var ps []string
	var names []string
	for i := g.upTo(3); i > 0; i-- {
		names = append(names, string(rune('a'+len(names)))+g.paramSuffix())
	}
	if len(names) > 0 && g.plant(breakDuplicateParam, "a parameter defined twice") {
		names = append(names, names[0])
	}
	for _, n := range names {
		ps = append(ps, n+": "+g.typ(scope, 2, true))
	}
	return strings.Join(ps, ", ")
}

func (g *gen) paramSuffix() string {
	if g.chance(2) {
		return ""
	}
	return "-" + words[g.r.IntN(len(words))]
}

// world writes a world: interface imports and exports that respect the
// import/export rule, functions, types and includes.
func (g *gen) world(indent int) {
	w := &world{}
	w.includes = []*world{w}
	written, name := g.freshOrKeyword()
	w.name = name
	var items []string
	var scope []named

	// Includes of earlier worlds without types; their interfaces constrain
	// this world's choices.
	if g.o.Includes {
		for _, other := range g.worlds {
			if other.hasTypes || (other.copies && !g.o.IncludeCopies) || !g.chance(3) {
				continue
			}
			if conflicts(other.imports, w.exports) || conflicts(w.imports, other.exports) {
				continue
			}
			if slices.ContainsFunc(other.includes, func(x *world) bool { return slices.Contains(w.includes, x) }) {
				continue
			}
			w.includes = append(w.includes, other.includes...)
			w.imports = append(w.imports, other.imports...)
			w.exports = append(w.exports, other.exports...)
			w.copies = w.copies || other.copies
			funcs := slices.Clone(other.funcs)
			// `include w;`, or `include w with { a as b }` without a
			// semicolon; the renamed function is known by its new name
			// from here on.
			tail := ";"
			if g.o.IncludeWith && len(funcs) > 0 && g.chance(2) {
				renamed := g.fresh()
				tail = fmt.Sprintf(" with { %s as %s }", escapeName(funcs[0]), renamed)
				funcs[0] = renamed
			}
			w.funcs = append(w.funcs, funcs...)
			items = append(items, fmt.Sprintf("include %s%s", escapeName(other.name), tail))
		}
	}

	// Interface exports first, then imports that do not pull any export in.
	// An export's dependencies become imports, so none of them may be
	// exported, and it may not be imported itself: imports and exports
	// (closed over dependencies) stay apart.
	for _, i := range g.ifaces {
		if !g.chance(3) || slices.Contains(w.imports, i) || slices.Contains(w.exports, i) {
			continue
		}
		deps := closure(i)[1:]
		if conflicts(deps, w.exports) {
			continue
		}
		w.imports = append(w.imports, deps...)
		w.exports = append(w.exports, i)
		items = append(items, g.worldLine(indent+1, "export", g.ref(i)))
	}
	for _, i := range g.ifaces {
		if !g.chance(3) || slices.Contains(w.exports, i) {
			continue
		}
		c := closure(i)
		if conflicts(c, w.exports) {
			continue
		}
		w.imports = append(w.imports, c...)
		items = append(items, g.worldLine(indent+1, "import", g.ref(i)))
	}

	// Types: uses of imported-safe interfaces and local definitions.
	for _, i := range g.ifaces {
		if len(i.types) == 0 || !g.chance(4) || conflicts(closure(i), w.exports) {
			continue
		}
		var names []string
		for _, t := range i.types {
			if t.gated || !g.chance(2) || slices.ContainsFunc(scope, func(n named) bool { return n.name == t.name }) {
				continue
			}
			names = append(names, escapeName(t.name))
			scope = append(scope, named{name: t.name, resource: t.resource})
		}
		if len(names) > 0 {
			w.imports = append(w.imports, closure(i)...)
			w.hasTypes = true
			items = append(items, fmt.Sprintf("use %s.{%s};", g.ref(i), strings.Join(names, ", ")))
		}
	}
	for i := g.upTo(1); i > 0; i-- {
		text, n := g.worldType(indent+1, scope)
		scope = append(scope, *n)
		w.hasTypes = true
		items = append(items, text)
	}

	// Functions and inline interfaces.
	for i := g.upTo(g.o.Size); i > 0; i-- {
		dir := []string{"import", "export"}[g.r.IntN(2)]
		fname, raw := g.freshOrKeyword()
		if g.chance(4) {
			w.copies = true
			items = append(items, g.capture(func() {
				g.docs(indent + 1)
				g.line(indent+1, "%s %s: interface {", dir, fname)
				// The world's types are not in scope inside an inline
				// interface.
				for j := 1 + g.upTo(1); j > 0; j-- {
					g.function(indent+2, nil, "")
				}
				g.line(indent+1, "}")
			}))
			continue
		}
		kw := "func"
		if g.o.Async && g.chance(4) {
			kw = "async func"
		}
		g.compound = false
		result := ""
		if g.chance(2) {
			result = " -> " + g.typ(scope, 2, false)
		}
		params := g.params(scope)
		w.copies = w.copies || g.compound
		items = append(items, g.capture(func() {
			g.docs(indent + 1)
			if !g.gate(indent+1, true) {
				// Only functions sure to exist are renamed by includes.
				w.funcs = append(w.funcs, raw)
			}
			g.line(indent+1, "%s %s: %s(%s)%s;", dir, fname, kw, params, result)
		}))
	}

	g.docs(indent)
	g.gate(indent, false)
	g.line(indent, "world %s {", written)
	for _, it := range items {
		if strings.HasSuffix(it, "\n") {
			g.b.WriteString(it)
		} else {
			g.line(indent+1, "%s", it)
		}
	}
	g.line(indent, "}")
	g.worlds = append(g.worlds, w)
}

// worldLine writes an interface import or export with its docs.
func (g *gen) worldLine(indent int, dir, ref string) string {
	return g.capture(func() {
		if g.o.WorldItemDocs {
			g.docs(indent)
		}
		g.line(indent, "%s %s;", dir, ref)
	})
}

// ref returns how the package being written refers to interface i: by
// name inside its own package, by full path from another.
func (g *gen) ref(i *iface) string {
	if i.pkg == g.curPkg {
		return escapeName(i.name)
	}
	return escapePath(i.path())
}

// worldType writes a type defined in a world: an alias, a record or an enum
// (resources stay in interfaces).
func (g *gen) worldType(indent int, scope []named) (string, *named) {
	written, name := g.freshOrKeyword()
	text := g.capture(func() {
		g.docs(indent)
		switch g.r.IntN(3) {
		case 0:
			g.line(indent, "record %s {", written)
			g.line(indent+1, "%s: %s,", g.fresh(), g.typ(scope, 2, false))
			g.line(indent, "}")
		case 1:
			g.line(indent, "enum %s { %s, %s }", written, g.fresh(), g.fresh())
		default:
			g.line(indent, "type %s = %s;", written, g.typ(scope, 2, false))
		}
	})
	return strings.TrimSuffix(strings.TrimLeft(text, " "), "\n"), &named{name: name}
}

// closure returns i and every interface it depends on.
func closure(i *iface) []*iface {
	var out []*iface
	var walk func(*iface)
	walk = func(x *iface) {
		if slices.Contains(out, x) {
			return
		}
		out = append(out, x)
		for _, d := range x.deps {
			walk(d)
		}
	}
	walk(i)
	return out
}

func conflicts(a, b []*iface) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

func isKeyword(s string) bool { return slices.Contains(escaped, s) }

func escapeName(s string) string {
	if isKeyword(s) {
		return "%" + s
	}
	return s
}

// escapePath escapes the interface name of a path such as "ns:pkg/name@1.0.0".
func escapePath(p string) string {
	if !strings.Contains(p, "/") {
		return escapeName(p)
	}
	head, tail, _ := strings.Cut(p, "/")
	name, ver, hasVer := strings.Cut(tail, "@")
	if hasVer {
		return head + "/" + escapeName(name) + "@" + ver
	}
	return head + "/" + escapeName(name)
}
