package wit

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file prints the resolved model back to WIT text, in the canonical form
// wit-component's WitPrinter writes: tools compare printed WIT byte for byte,
// so the item order, blank lines and indentation follow the reference exactly.

// Print returns the canonical WIT text of one package: `package ns:name;`
// followed by its interfaces and worlds. Worlds are printed elaborated
// (includes already merged in), and types taken from other interfaces become
// synthesized `use` statements.
//
// A model that the resolver produced always prints. A hand-built model that
// is inconsistent (an unnamed record, an id out of range) prints as far as it
// can, with a `/* error: ... */` marker where it could not; PrintChecked
// reports such problems as an error instead.
func (r *Resolve) Print(pkg PackageID) string {
	s, _ := r.PrintChecked([]PackageID{pkg})
	return s
}

// PrintAll prints several packages into one text: the first as the main
// package (`package a:b;` and its items), each following one as a nested
// `package c:d { ... }` block, the form WIT accepts for several packages in
// one file. It is how a package travels together with its dependencies.
func (r *Resolve) PrintAll(pkgs []PackageID) string {
	s, _ := r.PrintChecked(pkgs)
	return s
}

// PrintChecked is PrintAll that also reports the first inconsistency of the
// model met while printing (the text is still returned, with markers).
func (r *Resolve) PrintChecked(pkgs []PackageID) (string, error) {
	p := printer{r: r}
	for i, pkg := range pkgs {
		if i > 1 {
			p.newline()
			p.newline()
		}
		p.printPackage(pkg, i == 0)
	}
	return p.b.String(), p.err
}

// printer mirrors the reference's WitPrinter over its OutputToString.
type printer struct {
	r *Resolve
	b strings.Builder

	indent      int
	needsIndent bool
	// anyItems says whether the current block printed an item already, so
	// that the next one is preceded by a blank line.
	anyItems bool

	err error
}

// fail records the first inconsistency and prints a marker in its place, so
// that printing always completes.
func (p *printer) fail(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if p.err == nil {
		p.err = fmt.Errorf("wit: print: %s", msg)
	}
	p.str("/* error: " + msg + " */")
}

// Output primitives, named after the reference's Output trait.

func (p *printer) indentIfNeeded() {
	if p.needsIndent {
		for range p.indent {
			p.b.WriteString("  ")
		}
		p.needsIndent = false
	}
}

// str writes text after indenting the line if it is fresh.
func (p *printer) str(s string) {
	p.indentIfNeeded()
	p.b.WriteString(s)
}

// raw writes text without indentation (the reference's push_str).
func (p *printer) raw(s string) { p.b.WriteString(s) }

func (p *printer) newline() {
	p.b.WriteByte('\n')
	p.needsIndent = true
}

func (p *printer) semicolon() {
	p.b.WriteByte(';')
	p.newline()
}

func (p *printer) indentStart() {
	p.b.WriteString(" {")
	p.indent++
	p.newline()
}

func (p *printer) indentEnd() {
	if p.indent > 0 {
		p.indent--
	}
	p.indentIfNeeded()
	p.b.WriteByte('}')
	p.newline()
}

func (p *printer) newItem() {
	if p.anyItems {
		p.newline()
	}
	p.anyItems = true
}

// name writes an identifier, %-escaped when it is a WIT keyword.
func (p *printer) name(s string) {
	if isKeyword(s) {
		p.str("%" + s)
		return
	}
	p.str(s)
}

func (p *printer) docs(d Docs) {
	if !d.Present || d.Contents == "" {
		return
	}
	// Like Rust's str::lines: split at '\n', drop a '\r' before it, and no
	// empty last line after a final newline.
	s := strings.TrimSuffix(d.Contents, "\n")
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSuffix(line, "\r")
		p.indentIfNeeded()
		p.raw("///")
		if line != "" {
			p.raw(" " + line)
		}
		p.newline()
	}
}

func (p *printer) stability(s Stability) {
	switch s.Kind {
	case StabilityStable:
		p.str("@since(version = ")
		if s.Since != nil {
			p.str(s.Since.String())
		}
		p.str(")")
		p.newline()
	case StabilityUnstable:
		p.str("@unstable(feature = " + s.Feature + ")")
		p.newline()
	default:
		return
	}
	if s.Deprecated != nil {
		p.str("@deprecated(version = " + s.Deprecated.String() + ")")
		p.newline()
	}
}

// externalID prints `@external-id("...")` as the reference's printer does:
// letters, digits and -_./: and space as they are, other characters
// escaped.
func (p *printer) externalID(id string) {
	if id == "" {
		return
	}
	var b strings.Builder
	b.WriteString("@external-id(\"")
	for _, c := range id {
		switch {
		case c < utf8.RuneSelf && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '/' || c == ':' || c == ' '):
			b.WriteRune(c)
		case c == '\\':
			b.WriteString(`\\`)
		case c == '"':
			b.WriteString(`\"`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		default:
			b.WriteString(`\u{` + strconv.FormatUint(uint64(c), 16) + `}`)
		}
	}
	b.WriteString("\")")
	p.str(b.String())
	p.newline()
}

// Arena accessors that report bad ids instead of panicking.

func (p *printer) pkg(id PackageID) *Package {
	if id < 0 || int(id) >= len(p.r.Packages) || p.r.Packages[id] == nil {
		return nil
	}
	return p.r.Packages[id]
}

func (p *printer) iface(id InterfaceID) *Interface {
	if id < 0 || int(id) >= len(p.r.Interfaces) || p.r.Interfaces[id] == nil {
		return nil
	}
	return p.r.Interfaces[id]
}

func (p *printer) world(id WorldID) *World {
	if id < 0 || int(id) >= len(p.r.Worlds) || p.r.Worlds[id] == nil {
		return nil
	}
	return p.r.Worlds[id]
}

func (p *printer) typeDef(id TypeID) *TypeDef {
	if id < 0 || int(id) >= len(p.r.Types) || p.r.Types[id] == nil {
		return nil
	}
	return p.r.Types[id]
}

func (p *printer) printPackage(id PackageID, isMain bool) {
	pkg := p.pkg(id)
	if pkg == nil {
		p.fail("package %d does not exist", id)
		p.newline()
		return
	}
	p.docs(pkg.Docs)
	p.str("package ")
	p.name(pkg.Name.Namespace)
	p.str(":")
	p.name(pkg.Name.Name)
	if pkg.Name.Version != nil {
		p.str("@" + pkg.Name.Version.String())
	}
	if isMain {
		p.semicolon()
		p.newline()
	} else {
		p.indentStart()
	}
	for _, e := range pkg.Interfaces {
		i := p.iface(e.ID)
		if i == nil {
			p.fail("interface %d of package %s does not exist", e.ID, pkg.Name)
			p.newline()
			continue
		}
		p.docs(i.Docs)
		p.stability(i.Stability)
		p.str("interface ")
		p.name(e.Name)
		p.indentStart()
		p.printInterface(e.ID)
		p.indentEnd()
		if isMain {
			p.newline()
		}
	}
	for _, e := range pkg.Worlds {
		w := p.world(e.ID)
		if w == nil {
			p.fail("world %d of package %s does not exist", e.ID, pkg.Name)
			p.newline()
			continue
		}
		p.docs(w.Docs)
		p.stability(w.Stability)
		p.str("world ")
		p.name(e.Name)
		p.indentStart()
		p.printWorld(e.ID)
		p.indentEnd()
	}
	if !isMain {
		p.indentEnd()
	}
}

// resourceOf returns the resource a function belongs to, if any.
func resourceOf(f *Function) (TypeID, bool) {
	switch f.Kind {
	case Method, AsyncMethod, Static, AsyncStatic, Constructor:
		return f.Resource, true
	}
	return NoType, false
}

func (p *printer) printInterface(id InterfaceID) {
	prev := p.anyItems
	p.anyItems = false
	i := p.iface(id)

	resourceFuncs := map[TypeID][]*Function{}
	var freestanding []*Function
	for _, f := range i.Functions {
		if f == nil {
			continue
		}
		if res, ok := resourceOf(f); ok {
			resourceFuncs[res] = append(resourceFuncs[res], f)
		} else {
			freestanding = append(freestanding, f)
		}
	}
	p.printTypes(TypeOwner{Kind: OwnerInterface, Interface: id}, i.Package, i.Types, resourceFuncs)
	for _, f := range freestanding {
		p.newItem()
		p.docs(f.Docs)
		p.stability(f.Stability)
		p.externalID(f.ExternalID)
		p.name(f.Name)
		p.str(": ")
		p.printFunction(f)
		p.semicolon()
	}
	p.anyItems = prev
}

// sameOwner compares owners by the field their kind uses.
func sameOwner(a, b TypeOwner) bool {
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case OwnerWorld:
		return a.World == b.World
	case OwnerInterface:
		return a.Interface == b.Interface
	}
	return true
}

func sameVersion(a, b *Version) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func sameStability(a, b Stability) bool {
	return a.Kind == b.Kind && a.Feature == b.Feature &&
		sameVersion(a.Since, b.Since) && sameVersion(a.Deprecated, b.Deprecated)
}

// useGroup is one synthesized `use iface.{a, b as c};`.
type useGroup struct {
	from  InterfaceID
	stab  Stability
	extID string
	names [][2]string // {local name, name in the other interface}
}

// printTypes prints the types of an interface or world: aliases of types
// owned elsewhere become `use` statements (first, grouped per interface while
// consecutive), the others are declared in order.
func (p *printer) printTypes(owner TypeOwner, myPkg PackageID, types []Entry[TypeID], resourceFuncs map[TypeID][]*Function) {
	var declare []TypeID
	var uses []*useGroup
	for _, e := range types {
		td := p.typeDef(e.ID)
		if td == nil {
			p.fail("type %d (%s) does not exist", e.ID, e.Name)
			p.newline()
			continue
		}
		if td.Kind == KindType {
			if otherID, ok := td.Elem.ID(); ok {
				other := p.typeDef(otherID)
				if other != nil && other.Owner.Kind != OwnerNone && !sameOwner(owner, other.Owner) {
					if other.Owner.Kind != OwnerInterface || other.Name == "" {
						p.fail("type %s refers to a type that cannot be imported with use", e.Name)
						p.newline()
						continue
					}
					if n := len(uses); n > 0 && uses[n-1].from == other.Owner.Interface && sameStability(uses[n-1].stab, td.Stability) && uses[n-1].extID == td.ExternalID {
						uses[n-1].names = append(uses[n-1].names, [2]string{e.Name, other.Name})
						continue
					}
					uses = append(uses, &useGroup{from: other.Owner.Interface, stab: td.Stability, extID: td.ExternalID, names: [][2]string{{e.Name, other.Name}}})
					continue
				}
			}
		}
		declare = append(declare, e.ID)
	}

	for _, u := range uses {
		p.anyItems = true
		p.stability(u.stab)
		p.externalID(u.extID)
		p.str("use ")
		p.pathToInterface(u.from, myPkg)
		p.str(".{")
		for i, n := range u.names {
			if i > 0 {
				p.str(", ")
			}
			if n[0] == n[1] {
				p.name(n[0])
			} else {
				p.name(n[1])
				p.str(" as ")
				p.name(n[0])
			}
		}
		p.str("}")
		p.semicolon()
	}

	for _, id := range declare {
		td := p.r.Types[id]
		p.newItem()
		p.docs(td.Docs)
		p.stability(td.Stability)
		p.externalID(td.ExternalID)
		if td.Kind == KindResource {
			p.printResource(id, resourceFuncs[id])
		} else {
			p.declareType(td)
		}
	}
}

func (p *printer) printResource(id TypeID, funcs []*Function) {
	td := p.r.Types[id]
	p.str("resource ")
	if td.Name == "" {
		p.fail("resource %d has no name", id)
	} else {
		p.name(td.Name)
	}
	if len(funcs) == 0 {
		p.semicolon()
		return
	}
	p.indentStart()
	for _, f := range funcs {
		p.docs(f.Docs)
		p.stability(f.Stability)
		p.externalID(f.ExternalID)
		switch f.Kind {
		case Constructor:
		case Method, AsyncMethod:
			p.name(itemName(f))
			p.str(": ")
		case Static, AsyncStatic:
			p.name(itemName(f))
			p.str(": static ")
		}
		p.printFunction(f)
		p.semicolon()
	}
	p.indentEnd()
}

// itemName is a function's name as written in WIT: without the
// "[method]r." prefix of resource functions.
func itemName(f *Function) string {
	switch f.Kind {
	case Constructor:
		return "constructor"
	case Method, AsyncMethod, Static, AsyncStatic:
		if i := strings.IndexByte(f.Name, '.'); i >= 0 {
			return f.Name[i+1:]
		}
	}
	return f.Name
}

// isConstructorShorthand reports whether a constructor returns exactly
// own<its resource>, the result `constructor(...)` implies and which is
// therefore not printed.
func (p *printer) isConstructorShorthand(f *Function) bool {
	if f.Kind != Constructor {
		return false
	}
	td := p.r.TypeDef(f.Result)
	return td != nil && td.Kind == KindOwn && td.Resource == f.Resource
}

func (p *printer) printFunction(f *Function) {
	if f.Kind.IsAsync() {
		p.str("async ")
	}
	if f.Kind == Constructor {
		p.str("constructor(")
	} else {
		p.str("func(")
	}
	params := f.Params
	if (f.Kind == Method || f.Kind == AsyncMethod) && len(params) > 0 {
		params = params[1:] // `self` is implied
	}
	for i, param := range params {
		if i > 0 {
			p.str(", ")
		}
		p.name(param.Name)
		p.str(": ")
		p.typeName(param.Type)
	}
	p.str(")")
	if p.isConstructorShorthand(f) {
		return
	}
	if f.Result != NoneType {
		p.str(" -> ")
		p.typeName(f.Result)
	}
}

// printWorld prints imported interfaces first, then types (with resource
// functions), then imported functions, then the exports: the order the
// binary encoding of worlds uses, which keeps the text topologically sorted.
func (p *printer) printWorld(id WorldID) {
	prev := p.anyItems
	p.anyItems = false
	w := p.world(id)
	var types []Entry[TypeID]
	resourceFuncs := map[TypeID][]*Function{}
	var funcs []*WorldItem
	for i := range w.Imports {
		it := &w.Imports[i]
		switch it.Kind {
		case WorldItemType:
			types = append(types, Entry[TypeID]{Name: it.Key.Name, ID: it.Type})
		case WorldItemFunction:
			if it.Function == nil {
				p.fail("import %q of world %s has no function", it.Key.Name, w.Name)
				p.newline()
				continue
			}
			if res, ok := resourceOf(it.Function); ok {
				resourceFuncs[res] = append(resourceFuncs[res], it.Function)
				continue
			}
			funcs = append(funcs, it)
		default:
			p.printWorldItem(it, w.Package, "import")
			// Imports are not separated by blank lines, but whatever
			// follows them is.
			p.anyItems = true
		}
	}
	p.printTypes(TypeOwner{Kind: OwnerWorld, World: id}, w.Package, types, resourceFuncs)
	for _, it := range funcs {
		p.printWorldItem(it, w.Package, "import")
		p.anyItems = true
	}
	if len(w.Exports) > 0 {
		p.newItem()
	}
	for i := range w.Exports {
		p.printWorldItem(&w.Exports[i], w.Package, "export")
	}
	p.anyItems = prev
}

func (p *printer) printWorldItem(it *WorldItem, curPkg PackageID, keyword string) {
	switch it.Kind {
	case WorldItemInterface:
		// The statement's own docs win; an inline interface without them
		// falls back to the interface's docs.
		switch {
		case it.Docs.Present:
			p.docs(it.Docs)
		case !it.Key.IsInterface():
			if i := p.iface(it.Interface); i != nil {
				p.docs(i.Docs)
			}
		}
		p.stability(it.Stability)
		p.externalID(it.ExternalID)
	case WorldItemFunction:
		if it.Function == nil {
			p.fail("%s %q has no function", keyword, it.Key.Name)
			p.newline()
			return
		}
		p.docs(it.Function.Docs)
		p.stability(it.Function.Stability)
		p.externalID(it.Function.ExternalID)
	default:
		p.fail("%s %q: types cannot be printed as world items", keyword, it.Key.Name)
		p.newline()
		return
	}
	p.str(keyword + " ")
	if it.Key.IsInterface() {
		if it.Kind != WorldItemInterface {
			p.fail("%s keyed by an interface is not an interface", keyword)
		} else {
			p.pathToInterface(it.Key.Interface, curPkg)
		}
		p.semicolon()
		return
	}
	switch it.Kind {
	case WorldItemInterface:
		p.name(it.Key.Name)
		p.str(": ")
		i := p.iface(it.Interface)
		switch {
		case i == nil:
			p.fail("interface %d does not exist", it.Interface)
			p.semicolon()
		case i.Name == "":
			p.str("interface")
			p.indentStart()
			p.printInterface(it.Interface)
			p.indentEnd()
		default:
			p.pathToInterface(it.Interface, curPkg)
			p.semicolon()
		}
	case WorldItemFunction:
		p.name(it.Function.Name)
		p.str(": ")
		p.printFunction(it.Function)
		p.semicolon()
	}
}

// pathToInterface writes `name` for an interface of the current package and
// `ns:pkg/name@version` for one of another package.
func (p *printer) pathToInterface(id InterfaceID, curPkg PackageID) {
	i := p.iface(id)
	if i == nil {
		p.fail("interface %d does not exist", id)
		return
	}
	if i.Name == "" {
		p.fail("an anonymous interface has no path")
		return
	}
	if i.Package == curPkg {
		p.name(i.Name)
		return
	}
	pkg := p.pkg(i.Package)
	if pkg == nil {
		p.fail("interface %s belongs to no package", i.Name)
		return
	}
	p.name(pkg.Name.Namespace)
	p.str(":")
	p.name(pkg.Name.Name)
	p.str("/")
	p.name(i.Name)
	if pkg.Name.Version != nil {
		p.str("@" + pkg.Name.Version.String())
	}
}

// typeName writes a reference to a type: its name when it has one, else its
// structure.
func (p *printer) typeName(t Type) {
	if t.IsPrimitive() {
		if n := t.PrimitiveName(); n != "" {
			p.str(n)
			return
		}
	}
	id, ok := t.ID()
	if !ok {
		p.fail("type %d is not a valid type", uint32(t))
		return
	}
	td := p.typeDef(id)
	if td == nil {
		p.fail("type %d does not exist", id)
		return
	}
	if td.Name != "" {
		p.name(td.Name)
		return
	}
	switch td.Kind {
	case KindOwn, KindBorrow:
		p.handle(td, false)
	case KindTuple:
		p.tuple(td)
	case KindOption:
		p.str("option")
		p.raw("<")
		p.typeName(td.Elem)
		p.raw(">")
	case KindResult:
		p.result(td)
	case KindList:
		p.str("list")
		p.raw("<")
		p.typeName(td.Elem)
		p.raw(">")
	case KindMap:
		p.str("map")
		p.raw("<")
		p.typeName(td.Key)
		p.str(", ")
		p.typeName(td.Elem)
		p.raw(">")
	case KindFixedLengthList:
		p.str("list")
		p.raw("<")
		p.typeName(td.Elem)
		p.raw(", " + strconv.FormatUint(uint64(td.Len), 10))
		p.raw(">")
	case KindType:
		p.typeName(td.Elem)
	case KindFuture, KindStream:
		p.raw(td.Kind.String())
		if td.Elem != NoneType {
			p.raw("<")
			p.typeName(td.Elem)
			p.raw(">")
		}
	default:
		p.fail("anonymous %s type %d cannot be printed", td.Kind, id)
	}
}

// handle writes own/borrow. An owned handle is written as the bare resource
// name unless force is set: `type a = own<b>` differs from `type a = b`.
func (p *printer) handle(td *TypeDef, force bool) {
	res := p.typeDef(td.Resource)
	if res == nil || res.Name == "" {
		p.fail("handle to an unnamed or missing resource %d", td.Resource)
		return
	}
	if td.Kind == KindBorrow {
		p.str("borrow")
		p.raw("<")
		p.name(res.Name)
		p.raw(">")
		return
	}
	if force {
		p.str("own")
		p.raw("<")
	}
	p.name(res.Name)
	if force {
		p.raw(">")
	}
}

func (p *printer) tuple(td *TypeDef) {
	p.str("tuple")
	p.raw("<")
	for i, t := range td.Tuple {
		if i > 0 {
			p.str(", ")
		}
		p.typeName(t)
	}
	p.raw(">")
}

func (p *printer) result(td *TypeDef) {
	p.str("result")
	switch {
	case td.Ok != NoneType && td.Err != NoneType:
		p.raw("<")
		p.typeName(td.Ok)
		p.str(", ")
		p.typeName(td.Err)
		p.raw(">")
	case td.Err != NoneType:
		p.raw("<")
		p.str("_, ")
		p.typeName(td.Err)
		p.raw(">")
	case td.Ok != NoneType:
		p.raw("<")
		p.typeName(td.Ok)
		p.raw(">")
	}
}

// declareType writes the declaration of a named, non-resource type.
func (p *printer) declareType(td *TypeDef) {
	if td.Name == "" {
		p.fail("an anonymous %s type is declared", td.Kind)
		p.newline()
		return
	}
	switch td.Kind {
	case KindRecord:
		p.str("record ")
		p.name(td.Name)
		p.indentStart()
		for _, f := range td.Fields {
			p.docs(f.Docs)
			p.name(f.Name)
			p.str(": ")
			p.typeName(f.Type)
			p.str(",")
			p.newline()
		}
		p.indentEnd()
		return
	case KindFlags:
		p.str("flags ")
		p.name(td.Name)
		p.indentStart()
		for _, f := range td.Flags {
			p.docs(f.Docs)
			p.name(f.Name)
			p.str(",")
			p.newline()
		}
		p.indentEnd()
		return
	case KindVariant:
		p.str("variant ")
		p.name(td.Name)
		p.indentStart()
		for _, c := range td.Cases {
			p.docs(c.Docs)
			p.name(c.Name)
			if c.Type != NoneType {
				p.str("(")
				p.typeName(c.Type)
				p.str(")")
			}
			p.str(",")
			p.newline()
		}
		p.indentEnd()
		return
	case KindEnum:
		p.str("enum ")
		p.name(td.Name)
		p.indentStart()
		for _, c := range td.Enum {
			p.docs(c.Docs)
			p.name(c.Name)
			p.str(",")
			p.newline()
		}
		p.indentEnd()
		return
	}

	p.str("type ")
	p.name(td.Name)
	p.str(" = ")
	switch td.Kind {
	case KindOwn, KindBorrow:
		p.handle(td, true)
	case KindTuple:
		p.tuple(td)
	case KindOption:
		p.str("option<")
		p.typeName(td.Elem)
		p.str(">")
	case KindResult:
		p.result(td)
	case KindList:
		p.str("list<")
		p.typeName(td.Elem)
		p.str(">")
	case KindMap:
		p.str("map<")
		p.typeName(td.Key)
		p.str(", ")
		p.typeName(td.Elem)
		p.str(">")
	case KindFixedLengthList:
		p.str("list<")
		p.typeName(td.Elem)
		p.str(", " + strconv.FormatUint(uint64(td.Len), 10) + ">")
	case KindFuture, KindStream:
		p.str(td.Kind.String())
		if td.Elem != NoneType {
			p.str("<")
			p.typeName(td.Elem)
			p.str(">")
		}
	case KindType:
		p.typeName(td.Elem)
	default:
		p.fail("type %s of kind %s cannot be declared", td.Name, td.Kind)
	}
	p.semicolon()
}

// isKeyword reports whether a name must be written %-escaped. The list is
// the reference printer's, which includes a few words (float32, float64) that
// are no longer keywords but are still escaped.
func isKeyword(name string) bool {
	switch name {
	case "use", "type", "func", "u8", "u16", "u32", "u64", "s8", "s16", "s32",
		"s64", "f32", "f64", "float32", "float64", "char", "resource", "record",
		"flags", "variant", "enum", "bool", "string", "option", "result",
		"future", "stream", "list", "own", "borrow", "_", "as", "from", "static",
		"interface", "tuple", "world", "import", "export", "package", "with",
		"include", "constructor", "error-context", "async", "map":
		return true
	}
	return false
}
