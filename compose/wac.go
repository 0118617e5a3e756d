package compose

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/wasmcm/wasmcm/compose/internal/wac"
	"github.com/wasmcm/wasmcm/wit"
)

// SourceError is an error located in a WAC document.
type SourceError struct {
	Path string
	Line int
	Col  int
	Msg  string
	text string // the rendered error, with the source line and a caret
}

// Error implements error.
func (e *SourceError) Error() string { return e.text }

// Options say where a WAC document's packages are.
type Options struct {
	// Deps maps a package name (ns:pkg) to a file: a component (.wasm or
	// .wat) or WIT (a .wit file or a folder).
	Deps map[string]string
	// DepsDir holds packages as DIR/ns/pkg.wasm, .wat, or a WIT folder
	// DIR/ns/pkg/ (a version adds a level: DIR/ns/pkg/1.0.0.wasm).
	DepsDir string
}

// Composition is a resolved WAC document.
type Composition struct {
	// Package is the name the document declares.
	Package string
	Graph   *Graph
	// TypeExports are the type definitions the document exports that the
	// encoding leaves out: function types (`type f = func(...)`), which
	// are checked but not encoded. Declared interfaces, worlds and value
	// types are exported by the composed component.
	TypeExports []string
}

// ComposeFile reads and resolves a WAC document.
func ComposeFile(path string, opts Options) (*Composition, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Compose(path, string(src), opts)
}

// Compose resolves a WAC document into a composition graph. Errors are
// *SourceError values located in the document.
func Compose(path, src string, opts Options) (*Composition, error) {
	doc, err := wac.Parse(src)
	if err != nil {
		return nil, locate(path, src, err)
	}
	r := &resolver{path: path, src: src, opts: opts, g: NewGraph(), names: map[string]*symbol{},
		pkgs: map[string]*loaded{}, exported: map[string]wac.Span{}, importNames: map[string]wac.Span{}}
	if err := r.document(doc); err != nil {
		return nil, locate(path, src, err)
	}
	return &Composition{Package: doc.Package.Name, Graph: r.g, TypeExports: r.typeExports}, nil
}

func locate(path, src string, err error) error {
	var we *wac.Error
	if errors.As(err, &we) {
		if we.Span.Offset < 0 {
			// Nowhere in the document (an implicit import, say).
			return &SourceError{Path: path, Msg: we.Msg, text: path + ": " + we.Msg}
		}
		l, c := wac.Position(src, we.Span.Offset)
		return &SourceError{Path: path, Line: l, Col: c, Msg: we.Msg, text: wac.Render(path, src, we)}
	}
	return err
}

type symKind uint8

const (
	symNode symKind = iota
	symType
	symFuncType
	symInterface
	symWorld
)

type symbol struct {
	kind  symKind
	node  NodeID
	typ   wit.Type
	fn    *wit.Function
	iface wit.InterfaceID
	world wit.WorldID
	span  wac.Span
	// name is the name the item is known by outside (an import or export
	// name), used to name arguments and exports.
	name string
}

// loaded is a package named by the document.
type loaded struct {
	pkg  *Package // a component
	r    *wit.Resolve
	id   wit.PackageID // a WIT package
	s    *scope        // its definitions copied into the graph
	name string
}

type resolver struct {
	path, src string
	opts      Options
	g         *Graph
	doc       *wac.Document
	docPkg    wit.PackageID

	names       map[string]*symbol
	pkgs        map[string]*loaded
	exported    map[string]wac.Span // export names and where they were given
	importNames map[string]wac.Span
	typeExports []string
}

func (r *resolver) errf(span wac.Span, format string, args ...any) error {
	return wac.Errorf(span, format, args...)
}

func (r *resolver) document(doc *wac.Document) error {
	r.doc = doc
	name := wit.PackageName{}
	if parts := strings.SplitN(doc.Package.Name, ":", 2); len(parts) == 2 {
		name.Namespace, name.Name = parts[0], parts[1]
	}
	if doc.Package.Version != "" {
		v, _ := wit.ParseVersion(doc.Package.Version)
		name.Version = &v
	}
	r.g.Resolve.Packages = append(r.g.Resolve.Packages, &wit.Package{Name: name})
	r.docPkg = wit.PackageID(len(r.g.Resolve.Packages) - 1)
	for _, st := range doc.Stmts {
		var err error
		switch {
		case st.Import != nil:
			err = r.importStmt(st.Import)
		case st.Type != nil:
			err = r.typeStmt(st.Type)
		case st.Let != nil:
			err = r.letStmt(st.Let)
		case st.Export != nil:
			err = r.exportStmt(st.Export)
		}
		if err != nil {
			return err
		}
	}
	if doc.Targets != nil {
		return r.checkTargets(doc.Targets)
	}
	return nil
}

// define binds a top-level name.
func (r *resolver) define(id wac.Ident, s *symbol) error {
	if prev, ok := r.names[id.Name]; ok {
		_ = prev
		return r.errf(id.Span, "`%s` was previously defined", id.Name)
	}
	s.span = id.Span
	r.names[id.Name] = s
	return nil
}

func (r *resolver) lookup(id wac.Ident) (*symbol, error) {
	s, ok := r.names[id.Name]
	if !ok {
		return nil, r.errf(id.Span, "undefined name `%s`", id.Name)
	}
	return s, nil
}

// describeSym names what a symbol is, for messages: "u32", "interface".
func (r *resolver) describeSym(s *symbol) string {
	switch s.kind {
	case symNode:
		return r.g.nodes[s.node].item.Kind.String()
	case symFuncType:
		return "function type"
	case symInterface:
		return "interface"
	case symWorld:
		return "world"
	}
	return describe(r.g.Resolve, s.typ)
}

// ---- packages

func (r *resolver) packageFile(name, version string) (string, bool) {
	if p, ok := r.opts.Deps[name]; ok && version == "" {
		return p, true
	}
	if p, ok := r.opts.Deps[name+"@"+version]; ok {
		return p, true
	}
	if r.opts.DepsDir == "" {
		return "", false
	}
	base := filepath.Join(append([]string{r.opts.DepsDir}, strings.Split(name, ":")...)...)
	if version != "" {
		base = filepath.Join(base, version)
	}
	if st, err := os.Stat(base); err == nil && st.IsDir() {
		return base, true
	}
	for _, ext := range []string{".wasm", ".wat", ".wit"} {
		if _, err := os.Stat(base + ext); err == nil {
			return base + ext, true
		}
	}
	return "", false
}

// load finds and reads a package (once).
func (r *resolver) load(name, version string, span wac.Span) (*loaded, error) {
	key := name
	if version != "" {
		key += "@" + version
	}
	if l, ok := r.pkgs[key]; ok {
		return l, nil
	}
	path, ok := r.packageFile(name, version)
	if !ok {
		return nil, r.errf(span, "unknown package `%s`", name)
	}
	fail := func(err error) error {
		return r.errf(span, "failed to parse package `%s`: %v", name, err)
	}
	l := &loaded{name: key}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fail(err)
	}
	if st.IsDir() || strings.HasSuffix(path, ".wit") {
		res, pkgs, err := wit.Load(path, wit.Options{})
		if err != nil {
			return nil, fail(err)
		}
		l.r, l.id = res, pkgs[len(pkgs)-1]
	} else {
		p, err := ReadPackage(key, path)
		if err != nil {
			return nil, fail(err)
		}
		l.pkg, l.r = p, p.r
		if !p.IsComponent() {
			// A binary WIT package: its definitions, no component.
			l.id = lastPackage(p.r)
			l.pkg = nil
		}
	}
	l.s = newScope(l.r)
	r.pkgs[key] = l
	return l, nil
}

func lastPackage(r *wit.Resolve) wit.PackageID { return wit.PackageID(len(r.Packages) - 1) }

// pathDef resolves ns:pkg/item to a definition of a package: an interface
// or world of a WIT package, or an export of a component.
func (r *resolver) pathDef(p *wac.PackagePath) (*symbol, *loaded, error) {
	nameSpan := wac.Span{Offset: p.Span.Offset, Len: len(p.Package)}
	l, err := r.load(p.Package, p.Version, nameSpan)
	if err != nil {
		return nil, nil, err
	}
	item := p.Segments[0]
	if l.pkg == nil {
		pk := l.r.Packages[l.id]
		if id, ok := wit.Lookup(pk.Interfaces, item); ok && len(p.Segments) == 1 {
			return &symbol{kind: symInterface, iface: id, name: p.String()}, l, nil
		}
		if id, ok := wit.Lookup(pk.Worlds, item); ok && len(p.Segments) == 1 {
			return &symbol{kind: symWorld, world: id, name: p.String()}, l, nil
		}
		return nil, nil, r.errf(segmentsSpan(p), "package `%s` has no export named `%s`", p.Package, strings.Join(p.Segments, "/"))
	}
	w := l.r.Worlds[l.pkg.world]
	for _, it := range w.Exports {
		n := KeyName(l.r, it.Key)
		if n == item || stripVersion(n) == p.String() || (it.Key.IsInterface() && l.r.Interfaces[it.Key.Interface].Name == item) {
			switch it.Kind {
			case wit.WorldItemInterface:
				return &symbol{kind: symInterface, iface: it.Interface, name: n}, l, nil
			case wit.WorldItemFunction:
				return &symbol{kind: symFuncType, fn: it.Function, name: n}, l, nil
			}
		}
	}
	return nil, nil, r.errf(segmentsSpan(p), "package `%s` has no export named `%s`", p.Package, strings.Join(p.Segments, "/"))
}

// segmentsSpan is where the item path of a package path is.
func segmentsSpan(p *wac.PackagePath) wac.Span {
	return wac.Span{Offset: p.Span.Offset + len(p.Package) + 1, Len: len(strings.Join(p.Segments, "/"))}
}

// definition copies a package's interface into the graph as a definition
// (not an import), once per package.
func (r *resolver) copyIface(l *loaded, id wit.InterfaceID) wit.InterfaceID {
	c := &copier{to: r.g.Resolve, s: l.s}
	return c.iface(id)
}

func (r *resolver) copyWorld(l *loaded, id wit.WorldID) wit.WorldID {
	c := &copier{to: r.g.Resolve, s: l.s}
	src := l.r.Worlds[id]
	w := &wit.World{Name: src.Name, Package: wit.NoPackage}
	cp := func(items []wit.WorldItem) []wit.WorldItem {
		var out []wit.WorldItem
		for _, it := range items {
			n := it
			switch it.Kind {
			case wit.WorldItemInterface:
				n.Interface = c.iface(it.Interface)
			case wit.WorldItemFunction:
				n.Function = c.function(it.Function)
			case wit.WorldItemType:
				n.Type = c.typeID(it.Type)
			}
			if it.Key.IsInterface() {
				n.Key = wit.WorldKey{Interface: c.iface(it.Key.Interface)}
			}
			out = append(out, n)
		}
		return out
	}
	w.Imports, w.Exports = cp(src.Imports), cp(src.Exports)
	r.g.Resolve.Worlds = append(r.g.Resolve.Worlds, w)
	return wit.WorldID(len(r.g.Resolve.Worlds) - 1)
}

// ---- imports

func (r *resolver) checkImportName(name string, span wac.Span) error {
	if prev, ok := r.importNames[name]; ok {
		_ = prev
		return r.errf(span, "duplicate import `%s`", name)
	}
	if err := checkExternName(name); err != nil {
		return r.errf(span, "import name `%s` is not valid", name)
	}
	return nil
}

func (r *resolver) importStmt(s *wac.ImportStmt) error {
	name, nameSpan := s.ID.Name, s.ID.Span
	if s.As != nil {
		name, nameSpan = s.As.Name, s.As.Span
	}
	var item Item
	t := s.Type
	switch {
	case t.Func != nil:
		f, err := r.funcType(t.Func, nil, wit.TypeOwner{})
		if err != nil {
			return err
		}
		f.Name = name
		item = Item{Kind: ItemFunc, Func: f}
	case t.Interface != nil:
		id, err := r.inlineInterface(t.Interface)
		if err != nil {
			return err
		}
		item = Item{Kind: ItemInstance, Interface: id}
	case t.Ident != nil:
		sym, err := r.lookup(*t.Ident)
		if err != nil {
			return err
		}
		switch sym.kind {
		case symFuncType:
			f := *sym.fn
			f.Name = name
			item = Item{Kind: ItemFunc, Func: &f}
		case symInterface:
			item = Item{Kind: ItemInstance, Interface: sym.iface}
			if s.As == nil {
				if n := KeyName(r.g.Resolve, wit.WorldKey{Interface: sym.iface}); r.g.Resolve.Interfaces[sym.iface].Name != "" {
					name = n
				}
			}
		case symType:
			item = Item{Kind: ItemType, Type: mustID(sym.typ)}
		default:
			return r.errf(t.Ident.Span, "`%s` (%s) cannot be imported", t.Ident.Name, r.describeSym(sym))
		}
	case t.Path != nil:
		sym, l, err := r.pathDef(t.Path)
		if err != nil {
			return err
		}
		if s.As == nil {
			name = t.Path.String()
			if t.Path.Version != "" {
				name += "@" + t.Path.Version
			}
			nameSpan = t.Path.Span
		}
		var it wit.WorldItem
		switch sym.kind {
		case symInterface:
			it = wit.WorldItem{Kind: wit.WorldItemInterface, Interface: sym.iface, Key: wit.WorldKey{Interface: sym.iface}}
		case symFuncType:
			it = wit.WorldItem{Kind: wit.WorldItemFunction, Function: sym.fn, Key: wit.WorldKey{Name: name}}
		default:
			return r.errf(t.Path.Span, "`%s` (world) cannot be imported", t.Path.String())
		}
		c := &copier{to: r.g.Resolve, s: l.s, g: r.g, top: wit.NoInterface}
		if it.Kind == wit.WorldItemInterface {
			c.top = it.Interface
		}
		item = c.item(it)
		if c.err != nil {
			return r.errf(t.Path.Span, "%v", c.err)
		}
	}
	if err := r.checkImportName(name, nameSpan); err != nil {
		return err
	}
	n, err := r.g.Import(name, item)
	if err != nil {
		return r.errf(nameSpan, "%v", err)
	}
	r.importNames[name] = nameSpan
	r.g.SetLabel(n, name)
	return r.define(s.ID, &symbol{kind: symNode, node: n, name: name})
}

func mustID(t wit.Type) wit.TypeID {
	id, _ := t.ID()
	return id
}

// ---- expressions

type value struct {
	sym  *symbol // a definition
	node NodeID
	name string // the name the value is known by (import or export name)
	span wac.Span
}

func (v value) isNode() bool { return v.sym == nil }

func (r *resolver) expr(e *wac.Expr) (value, error) {
	var v value
	var err error
	switch {
	case e.New != nil:
		n, err := r.newExpr(e.New)
		if err != nil {
			return v, err
		}
		v = value{node: n}
	case e.Nested != nil:
		if v, err = r.expr(e.Nested); err != nil {
			return v, err
		}
	case e.Ident != nil:
		sym, err := r.lookup(*e.Ident)
		if err != nil {
			return v, err
		}
		if sym.kind == symNode {
			v = value{node: sym.node, name: sym.name}
		} else {
			v = value{sym: sym, name: e.Ident.Name}
		}
	}
	v.span = e.PrimarySpan
	for _, pf := range e.Postfix {
		if !v.isNode() || r.g.nodes[v.node].item.Kind != ItemInstance {
			what := "a type definition"
			if v.isNode() {
				what = "a " + r.g.nodes[v.node].item.Kind.String()
			}
			return v, r.errf(v.span, "an instance is required to perform an access operation (this evaluated to %s)", what)
		}
		n, err := r.g.Alias(v.node, pf.Name)
		if err != nil {
			return v, r.errf(pf.Span, "the instance has no export named `%s`", pf.Name)
		}
		v = value{node: n, name: r.g.nodes[n].export, span: join(v.span, pf.Span)}
	}
	return v, nil
}

func join(a, b wac.Span) wac.Span {
	return wac.Span{Offset: a.Offset, Len: b.Offset + b.Len - a.Offset}
}

// matchImport finds the import of p an argument named name is for: the
// exact name, the name without version, or an interface's short name.
func matchImport(p *Package, name string) (string, bool) {
	w := p.r.Worlds[p.world]
	for _, it := range w.Imports {
		if KeyName(p.r, it.Key) == name {
			return name, true
		}
	}
	for _, it := range w.Imports {
		n := KeyName(p.r, it.Key)
		if stripVersion(n) == name || compatKey(n) == compatKey(name) {
			return n, true
		}
		if it.Key.IsInterface() && p.r.Interfaces[it.Key.Interface].Name == name {
			return n, true
		}
	}
	return "", false
}

func (r *resolver) newExpr(n *wac.NewExpr) (NodeID, error) {
	if n.Package.Name == r.doc.Package.Name {
		return 0, r.errf(n.Package.Span, "cannot instantiate the package being defined")
	}
	nameSpan := wac.Span{Offset: n.Package.Span.Offset, Len: len(n.Package.Name)}
	l, err := r.load(n.Package.Name, n.Package.Version, nameSpan)
	if err != nil {
		return 0, err
	}
	if l.pkg == nil {
		return 0, r.errf(nameSpan, "package `%s` is not a component and cannot be instantiated", n.Package.Name)
	}
	p := l.pkg
	var args []Arg
	var spans []wac.Span
	given := map[string]wac.Span{}
	add := func(name string, node NodeID, span, nameSpan wac.Span) error {
		full, ok := matchImport(p, name)
		if !ok {
			return r.errf(span, "component `%s` has no import named `%s`", n.Package.Name, name)
		}
		if _, dup := given[full]; dup {
			return r.errf(nameSpan, "duplicate instantiation argument `%s`", name)
		}
		given[full] = nameSpan
		args = append(args, Arg{Name: full, Node: node})
		spans = append(spans, span)
		return nil
	}
	type spread struct {
		node NodeID
		span wac.Span
	}
	var spreads []spread
	for _, a := range n.Args {
		switch {
		case a.Ident != nil:
			sym, err := r.lookup(*a.Ident)
			if err != nil {
				return 0, err
			}
			if sym.kind != symNode {
				return 0, r.errf(a.Ident.Span, "`%s` (%s) cannot be used as an instantiation argument", a.Ident.Name, r.describeSym(sym))
			}
			name := a.Ident.Name
			if _, ok := matchImport(p, name); !ok && sym.name != "" {
				if _, ok := matchImport(p, sym.name); ok {
					name = sym.name
				}
			}
			if err := add(name, sym.node, a.Ident.Span, a.Ident.Span); err != nil {
				return 0, err
			}
		case a.Name != nil:
			v, err := r.expr(a.Expr)
			if err != nil {
				return 0, err
			}
			if !v.isNode() {
				return 0, r.errf(a.Expr.Span, "a type definition cannot be used as an instantiation argument")
			}
			if err := add(a.Name.Name, v.node, a.Name.Span, a.Name.Span); err != nil {
				return 0, err
			}
		case a.Spread != nil:
			sym, err := r.lookup(*a.Spread)
			if err != nil {
				return 0, err
			}
			if sym.kind != symNode || r.g.nodes[sym.node].item.Kind != ItemInstance {
				return 0, r.errf(a.Spread.Span, "an instance is required to perform a spread operation")
			}
			spreads = append(spreads, spread{sym.node, a.Spread.Span})
		}
	}
	// Spread instances fill what the explicit arguments left, in order.
	for _, sp := range spreads {
		matched := false
		for _, name := range r.g.Exports(sp.node) {
			full, ok := matchImport(p, name)
			if !ok {
				continue
			}
			if _, done := given[full]; done {
				continue
			}
			al, err := r.g.Alias(sp.node, name)
			if err != nil {
				return 0, r.errf(sp.span, "%v", err)
			}
			given[full] = sp.span
			args = append(args, Arg{Name: full, Node: al})
			spans = append(spans, sp.span)
			matched = true
		}
		if !matched {
			return 0, r.errf(sp.span, "the instance has no matching exports for the remaining unsatisfied arguments")
		}
	}
	id, err := r.g.Instantiate(p, args, n.Fill)
	if err != nil {
		var ae *ArgError
		var me *MissingArgError
		var mg *MergeError
		var ic *ImportConflictError
		switch {
		case errors.As(err, &ae) && ae.Index >= 0:
			return 0, r.errf(spans[ae.Index], "%v", ae.Err)
		case errors.As(err, &me):
			return 0, r.errf(nameSpan, "%v", err)
		case errors.As(err, &ic):
			if sp, ok := r.importNames[ic.Name]; ok {
				return 0, r.errf(sp, "%v", err)
			}
			return 0, r.errf(nameSpan, "%v", err)
		case errors.As(err, &mg):
			return 0, r.errf(nameSpan, "%v", err)
		}
		return 0, r.errf(nameSpan, "%v", err)
	}
	r.g.SetLabel(id, n.Package.Name)
	return id, nil
}

func (r *resolver) letStmt(s *wac.LetStmt) error {
	v, err := r.expr(&s.Expr)
	if err != nil {
		return err
	}
	if _, ok := r.names[s.ID.Name]; ok {
		return r.errf(s.ID.Span, "`%s` was previously defined", s.ID.Name)
	}
	if v.isNode() {
		return r.define(s.ID, &symbol{kind: symNode, node: v.node, name: v.name})
	}
	cp := *v.sym
	return r.define(s.ID, &cp)
}

func (r *resolver) exportName(name string, span wac.Span) error {
	if _, ok := r.exported[name]; ok {
		return r.errf(span, "duplicate export `%s`", name)
	}
	if err := checkExternName(name); err != nil {
		return r.errf(span, "export name `%s` is not valid", name)
	}
	return nil
}

func (r *resolver) exportStmt(s *wac.ExportStmt) error {
	v, err := r.expr(&s.Expr)
	if err != nil {
		return err
	}
	if s.Spread {
		if !v.isNode() || r.g.nodes[v.node].item.Kind != ItemInstance {
			return r.errf(s.Expr.Span, "an instance is required to perform a spread operation")
		}
		any := false
		for _, name := range r.g.Exports(v.node) {
			if _, ok := r.exported[name]; ok {
				continue
			}
			al, err := r.g.Alias(v.node, name)
			if err != nil {
				return r.errf(s.Expr.Span, "%v", err)
			}
			if err := r.g.Export(al, name); err != nil {
				return r.errf(s.Expr.Span, "%v", err)
			}
			r.exported[name] = s.Expr.Span
			any = true
		}
		if !any {
			return r.errf(s.Expr.Span, "instance has no exports or all exports of the instance match previously exported names")
		}
		return nil
	}
	name, span := v.name, s.Expr.Span
	if s.As != nil {
		name, span = s.As.Name, s.As.Span
	} else if v.isNode() && r.g.nodes[v.node].kind == nodeInstance {
		return r.errf(s.Expr.Span, "export statement requires an `as` clause as the export name cannot be inferred")
	}
	if name == "" {
		return r.errf(s.Expr.Span, "export statement requires an `as` clause as the export name cannot be inferred")
	}
	if err := r.exportName(name, span); err != nil {
		return err
	}
	if !v.isNode() {
		// Exporting a type definition under another name.
		r.exported[name] = span
		r.exportType(name, v.sym)
		return nil
	}
	if err := r.g.Export(v.node, name); err != nil {
		return r.errf(span, "%v", err)
	}
	r.exported[name] = span
	return nil
}
