package wit

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/wasmcm/wasmcm/wit/internal/ast"
)

// This file turns the syntax trees of one package into an unresolvedPackage:
// names are looked up, types defined and interned, but references to other
// packages are still placeholders. It follows wit-parser's ast/resolve.rs
// step by step, because the order in which it allocates items is the order
// of the arena indices that the reference JSON prints.

// omap is an insertion-ordered map, the reference's IndexMap.
type omap[V any] struct {
	keys  []string
	vals  []V
	index map[string]int
}

// slab hands out items of the model from chunks (of up to 64), so that a
// package's types and functions cost a few allocations rather than one
// each. The items live as long as the Resolve that points at them.
type slab[T any] []T

func (s *slab[T]) alloc() *T {
	if len(*s) == cap(*s) {
		*s = make([]T, 0, min(max(2*cap(*s), 8), 64))
	}
	*s = (*s)[:len(*s)+1]
	return &(*s)[len(*s)-1]
}

// omapIndexAt is the size from which an omap keeps a hash index; smaller
// maps (most interfaces) are searched linearly, which allocates nothing.
const omapIndexAt = 16

func (m *omap[V]) find(k string) int {
	if m.index != nil {
		if i, ok := m.index[k]; ok {
			return i
		}
		return -1
	}
	for i, key := range m.keys {
		if key == k {
			return i
		}
	}
	return -1
}

func (m *omap[V]) get(k string) (V, bool) {
	if i := m.find(k); i >= 0 {
		return m.vals[i], true
	}
	var zero V
	return zero, false
}

// insert adds k or replaces its value in place, reporting whether it existed.
func (m *omap[V]) insert(k string, v V) bool {
	if i := m.find(k); i >= 0 {
		m.vals[i] = v
		return true
	}
	m.keys = append(m.keys, k)
	m.vals = append(m.vals, v)
	switch {
	case m.index != nil:
		m.index[k] = len(m.keys) - 1
	case len(m.keys) >= omapIndexAt:
		m.index = make(map[string]int, 2*len(m.keys))
		for i, key := range m.keys {
			m.index[key] = i
		}
	}
	return false
}

func (m *omap[V]) len() int { return len(m.keys) }

// grow makes room for n more entries.
func (m *omap[V]) grow(n int) {
	m.keys = slices.Grow(m.keys, n)
	m.vals = slices.Grow(m.vals, n)
}

// itemKind tells a world from an interface among package items.
type itemKind uint8

const (
	itemInterface itemKind = iota
	itemWorld
)

// pkgItem is an interface or world of the package being resolved.
type pkgItem struct {
	kind itemKind
	id   int32
}

// lookupVal is what a name means inside an interface or world: a type, or
// a non-type item ("function") that may not be used as one.
type lookupVal struct {
	id   TypeID
	item string
	l    loc
}

// foreignItem is an interface or world of another package that this one
// refers to, with the stability of every reference.
type foreignItem struct {
	item        pkgItem
	stabilities []Stability
}

// foreignPkg is one package this package depends on.
type foreignPkg struct {
	name  PackageName
	items omap[*foreignItem]
}

// worldLocs records where a world's items were written.
type worldLocs struct {
	imports, exports []loc
	includes         []loc
}

// unresolvedPackage is one package after name resolution within itself.
// Foreign interfaces, worlds and types come first in their arenas.
type unresolvedPackage struct {
	name    PackageName
	nameLoc loc
	docs    Docs

	worlds     []*World
	worldLocs  []loc
	worldItems []worldLocs
	interfaces []*Interface
	ifaceLocs  []loc
	types      []*TypeDef
	typeLocs   []loc
	fieldLocs  map[TypeID][]loc
	funcLocs   [][]loc // per interface, parallel to its Functions

	foreignDeps           omap[*foreignPkg]
	foreignDepLocs        []loc
	unknownTypeLocs       []loc
	requiredResourceTypes []typeRef
}

type typeRef struct {
	id TypeID
	l  loc
}

// declList is the top-level items of one file (or of one nested package).
type declList struct {
	f     *ast.File
	items []ast.Item
}

// astResolver resolves the files of one package (the reference's Resolver).
type astResolver struct {
	pkgName    *PackageName
	pkgNameLoc loc
	pkgDocs    Docs
	lists      []declList

	u *unresolvedPackage

	anonTypes map[string]TypeID
	cur       int // index into lists of the file being resolved

	astItems          []map[string]pkgItem
	packageItems      map[string]pkgItem
	interfaceTypes    []*omap[lookupVal]
	foreignInterfaces map[InterfaceID]bool
	typeLookup        *omap[lookupVal]
	keyBuf            []byte
	cursor            posCursor
	typeDefs          slab[TypeDef]
	funcs             slab[Function]
	docText           textChunks
	params            []Param
	versions          map[string]*Version // parsed @since/@deprecated versions
}

func newASTResolver() *astResolver {
	return &astResolver{
		u: &unresolvedPackage{
			fieldLocs: map[TypeID][]loc{},
		},
		anonTypes:         map[string]TypeID{},
		packageItems:      map[string]pkgItem{},
		foreignInterfaces: map[InterfaceID]bool{},
		typeLookup:        &omap[lookupVal]{},
	}
}

func (r *astResolver) at(span ast.Span) loc { return loc{f: r.lists[r.cur].f, span: span} }

// posCursor remembers the last position computed in a file: items are
// mostly visited in source order, so the next one is found by scanning
// only the text in between, without a table of line starts.
type posCursor struct {
	f         *ast.File
	off, line int
	lineStart int
}

// pos converts a loc to the model's Pos.
func (r *astResolver) pos(l loc) Pos {
	if l.f == nil {
		return Pos{}
	}
	c := &r.cursor
	if c.f != l.f {
		*c = posCursor{f: l.f, line: 1}
	}
	src := l.f.Source
	off := min(max(l.span.Start, 0), len(src))
	if off >= c.off {
		c.line += strings.Count(src[c.off:off], "\n")
	} else {
		c.line -= strings.Count(src[off:c.off], "\n")
	}
	c.off = off
	c.lineStart = strings.LastIndexByte(src[:off], '\n') + 1
	// Columns count bytes, as the reference's do.
	return Pos{File: l.f.Path, Line: c.line, Col: off - c.lineStart + 1}
}

// push adds one file (or nested package body) to the package.
func (r *astResolver) push(f *ast.File, name *ast.PackageName, items []ast.Item) error {
	if name != nil {
		l := loc{f: f, span: pkgNameSpan(name)}
		cur, err := convertPackageName(f, name)
		if err != nil {
			return err
		}
		if r.pkgName != nil && !samePackageName(&cur, r.pkgName) {
			return errorf(l, "package identifier `%s` does not match previous package name of `%s`", cur, r.pkgName)
		}
		r.pkgName = &cur
		r.pkgNameLoc = l
		docs := convertDocs(f.Text, name.Docs, &r.docText)
		if docs.Present {
			if r.pkgDocs.Present {
				return errorf(loc{f: f, span: name.Docs.Span}, "found doc comments on multiple 'package' items")
			}
			r.pkgDocs = docs
		}
	}
	for _, it := range items {
		if np, ok := it.(*ast.NestedPackage); ok {
			return errorf(loc{f: f, span: pkgNameSpan(&np.Name)}, "nested packages must be placed at the top-level")
		}
	}
	r.lists = append(r.lists, declList{f: f, items: items})
	return nil
}

// pkgNameSpan is the span of `ns:name@version` in a package header.
func pkgNameSpan(n *ast.PackageName) ast.Span {
	s := ast.Span{Start: n.Namespace.Span.Start, End: n.Name.Span.End}
	if n.Version != "" && n.VerSpan.End > s.End {
		s.End = n.VerSpan.End
	}
	return s
}

// usePkgSpan is the span of `ns:name` in a use path (the reference leaves
// the version out of it).
func usePkgSpan(n *ast.PackageName) ast.Span {
	return ast.Span{Start: n.Namespace.Span.Start, End: n.Name.Span.End}
}

// astPkgKey is the key of a package name as written; valid semver text is
// canonical, so it equals PackageName.String of the parsed name.
func astPkgKey(n *ast.PackageName) string {
	if n.Version == "" {
		return n.Namespace.Name + ":" + n.Name.Name
	}
	return n.Namespace.Name + ":" + n.Name.Name + "@" + n.Version
}

func convertPackageName(f *ast.File, n *ast.PackageName) (PackageName, error) {
	p := PackageName{Namespace: n.Namespace.Name, Name: n.Name.Name}
	if n.Version != "" {
		v, err := ParseVersion(n.Version)
		if err != nil {
			return p, errorf(loc{f: f, span: n.VerSpan}, "%s", err.Error())
		}
		p.Version = &v
	}
	return p, nil
}

// resolve finishes the package: the reference's Resolver::resolve.
func (r *astResolver) resolve() (*unresolvedPackage, error) {
	if r.pkgName == nil {
		return nil, errorf(loc{}, "no `package` header was found in any WIT file for this package")
	}
	r.reserve()
	r.populateForeignDeps()
	ifaceOrder, worldOrder, err := r.populateASTItems()
	if err != nil {
		return nil, err
	}
	if err := r.populateForeignTypes(); err != nil {
		return nil, err
	}

	type ifaceAST struct {
		i    *ast.Interface
		list int
	}
	type worldAST struct {
		w    *ast.World
		list int
	}
	ifaceASTs := map[InterfaceID]ifaceAST{}
	worldASTs := map[WorldID]worldAST{}
	for i, dl := range r.lists {
		for _, it := range dl.items {
			switch it := it.(type) {
			case *ast.Interface:
				ifaceASTs[InterfaceID(r.astItems[i][it.Name.Name].id)] = ifaceAST{it, i}
			case *ast.World:
				worldASTs[WorldID(r.astItems[i][it.Name.Name].id)] = worldAST{it, i}
			}
		}
	}
	for _, id := range ifaceOrder {
		a := ifaceASTs[id]
		r.cur = a.list
		if err := r.resolveInterface(id, a.i.Items, a.i.Docs, a.i.Attributes); err != nil {
			return nil, err
		}
	}
	for _, id := range worldOrder {
		a := worldASTs[id]
		r.cur = a.list
		if err := r.resolveWorld(id, a.w); err != nil {
			return nil, err
		}
	}
	u := r.u
	u.name = *r.pkgName
	u.nameLoc = r.pkgNameLoc
	u.docs = r.pkgDocs
	return u, nil
}

// pathVisit is one use/include/import path found by forEachPath.
type pathVisit struct {
	owner    *ast.Id // the interface (or, for include, world) containing it
	attrs    []ast.Attribute
	path     *ast.UsePath
	names    []ast.UseName
	hasNames bool // a `use` (with names) rather than an import or include
	world    bool // the path must name a world (include)
}

// forEachPath visits every path of a decl list in the reference's order:
// per world its uses and includes first, then imports, then exports.
func forEachPath(items []ast.Item, f func(v pathVisit) error) error {
	for _, it := range items {
		switch it := it.(type) {
		case *ast.World:
			var imports, exports []*ast.ExternKind
			var importAttrs, exportAttrs [][]ast.Attribute
			for _, wi := range it.Items {
				switch wi := wi.(type) {
				case *ast.Use:
					if err := f(pathVisit{attrs: wi.Attributes, path: &wi.From, names: wi.Names, hasNames: true}); err != nil {
						return err
					}
				case *ast.Include:
					if err := f(pathVisit{owner: &it.Name, attrs: wi.Attributes, path: &wi.From, world: true}); err != nil {
						return err
					}
				case *ast.Import:
					imports = append(imports, &wi.Kind)
					importAttrs = append(importAttrs, wi.Attributes)
				case *ast.Export:
					exports = append(exports, &wi.Kind)
					exportAttrs = append(exportAttrs, wi.Attributes)
				}
			}
			visit := func(k *ast.ExternKind, attrs []ast.Attribute) error {
				switch k.Tag {
				case ast.ExternInterface:
					for _, ii := range k.Items {
						if u, ok := ii.(*ast.Use); ok {
							if err := f(pathVisit{attrs: u.Attributes, path: &u.From, names: u.Names, hasNames: true}); err != nil {
								return err
							}
						}
					}
				case ast.ExternPath, ast.ExternNamedPath:
					return f(pathVisit{attrs: attrs, path: &k.Path})
				}
				return nil
			}
			for i, k := range imports {
				if err := visit(k, importAttrs[i]); err != nil {
					return err
				}
			}
			for i, k := range exports {
				if err := visit(k, exportAttrs[i]); err != nil {
					return err
				}
			}
		case *ast.Interface:
			for _, ii := range it.Items {
				if u, ok := ii.(*ast.Use); ok {
					if err := f(pathVisit{owner: &it.Name, attrs: u.Attributes, path: &u.From, names: u.Names, hasNames: true}); err != nil {
						return err
					}
				}
			}
		case *ast.ToplevelUse:
			if err := f(pathVisit{attrs: it.Attributes, path: &it.Item}); err != nil {
				return err
			}
		case *ast.NestedPackage:
			if err := forEachPath(it.Items, f); err != nil {
				return err
			}
		}
	}
	return nil
}

// reserve sizes the package's arenas from a count of what its trees
// declare, so that they do not grow step by step. Every named type, use
// and parameter may make a type (an anonymous one at most); the counts
// are upper bounds in practice, and the arenas still grow if not.
func (r *astResolver) reserve() {
	ifaces, worlds, types, funcs, params := 0, 0, 0, 0, 0
	countItems := func(items []ast.InterfaceItem) {
		for _, it := range items {
			switch it := it.(type) {
			case *ast.TypeDef:
				types++
				if res, ok := it.Type.(*ast.Resource); ok {
					funcs += len(res.Funcs)
					for i := range res.Funcs {
						params += len(res.Funcs[i].Func.Func.Params) + 1
					}
				}
			case *ast.Use:
				types += len(it.Names)
			case *ast.NamedFunc:
				funcs++
				params += len(it.Func.Params)
			}
		}
	}
	for _, dl := range r.lists {
		for _, it := range dl.items {
			switch it := it.(type) {
			case *ast.Interface:
				ifaces++
				countItems(it.Items)
			case *ast.World:
				worlds++
				for _, wi := range it.Items {
					switch wi := wi.(type) {
					case *ast.Import:
						if wi.Kind.Tag == ast.ExternInterface {
							ifaces++
							countItems(wi.Kind.Items)
						}
					case *ast.Export:
						if wi.Kind.Tag == ast.ExternInterface {
							ifaces++
							countItems(wi.Kind.Items)
						}
					case *ast.TypeDef:
						types++
					case *ast.Use:
						types += len(wi.Names)
					}
				}
			}
		}
	}
	named := types
	types += params // anonymous types of parameters and results, at most
	u := r.u
	u.types = slices.Grow(u.types, types)
	u.typeLocs = slices.Grow(u.typeLocs, types)
	u.interfaces = slices.Grow(u.interfaces, ifaces)
	u.ifaceLocs = slices.Grow(u.ifaceLocs, ifaces)
	u.funcLocs = slices.Grow(u.funcLocs, ifaces)
	r.interfaceTypes = slices.Grow(r.interfaceTypes, ifaces)
	u.worlds = slices.Grow(u.worlds, worlds)
	u.worldLocs = slices.Grow(u.worldLocs, worlds)
	u.worldItems = slices.Grow(u.worldItems, worlds)
	r.params = slices.Grow(r.params, params)
	r.funcs = make(slab[Function], 0, max(funcs, 8))
	// TypeDefs are big: room for the named ones; anonymous ones get chunks
	// as they come.
	r.typeDefs = make(slab[TypeDef], 0, max(named, 8))
}

func (r *astResolver) allocInterface(l loc) InterfaceID {
	r.interfaceTypes = append(r.interfaceTypes, &omap[lookupVal]{})
	id := InterfaceID(len(r.u.interfaces))
	r.u.interfaces = append(r.u.interfaces, &Interface{Package: NoPackage, Pos: r.pos(l)})
	r.u.ifaceLocs = append(r.u.ifaceLocs, l)
	r.u.funcLocs = append(r.u.funcLocs, nil)
	return id
}

func (r *astResolver) allocWorld(l loc) WorldID {
	id := WorldID(len(r.u.worlds))
	r.u.worlds = append(r.u.worlds, &World{Package: NoPackage, Pos: r.pos(l)})
	r.u.worldLocs = append(r.u.worldLocs, l)
	r.u.worldItems = append(r.u.worldItems, worldLocs{})
	return id
}

func (r *astResolver) allocType(td *TypeDef, l loc) TypeID {
	id := TypeID(len(r.u.types))
	td.Pos = r.pos(l)
	r.u.types = append(r.u.types, td)
	r.u.typeLocs = append(r.u.typeLocs, l)
	return id
}

// populateForeignDeps allocates a placeholder interface (or world, for an
// include) for every `ns:pkg/name` path, before any local item.
func (r *astResolver) populateForeignDeps() {
	for i, dl := range r.lists {
		r.cur = i
		_ = forEachPath(dl.items, func(v pathVisit) error {
			if v.path.Package == nil {
				return nil
			}
			// Stability errors are reported later, where the reference
			// reports them; here an invalid one counts as unknown.
			stab, _ := r.stability(v.attrs)
			key := astPkgKey(v.path.Package)
			fp, ok := r.u.foreignDeps.get(key)
			if !ok {
				pn, err := convertPackageName(dl.f, v.path.Package)
				if err != nil {
					return nil
				}
				fp = &foreignPkg{name: pn}
				r.u.foreignDeps.insert(key, fp)
				r.u.foreignDepLocs = append(r.u.foreignDepLocs, r.at(usePkgSpan(v.path.Package)))
			}
			fi, ok := fp.items.get(v.path.Name.Name)
			if !ok {
				fi = &foreignItem{}
				if v.world {
					fi.item = pkgItem{itemWorld, int32(r.allocWorld(r.at(v.path.Name.Span)))}
				} else {
					fi.item = pkgItem{itemInterface, int32(r.allocInterface(r.at(v.path.Name.Span)))}
				}
				fp.items.insert(v.path.Name.Name, fi)
			}
			fi.stabilities = append(fi.stabilities, stab)
			if fi.item.kind == itemInterface {
				r.foreignInterfaces[InterfaceID(fi.item.id)] = true
			}
			return nil
		})
	}
}

// populateASTItems checks names, orders interfaces and worlds by their
// dependencies and allocates them in that order.
func (r *astResolver) populateASTItems() ([]InterfaceID, []WorldID, error) {
	packageItems := map[string]ast.Span{}
	packageItemFile := map[string]*ast.File{}
	isWorld := map[string]bool{}
	order := newDepGraph(8)
	for _, dl := range r.lists {
		for _, it := range dl.items {
			var name ast.Id
			switch it := it.(type) {
			case *ast.Interface:
				name = it.Name
			case *ast.World:
				name = it.Name
				isWorld[name.Name] = true
			default:
				continue
			}
			if _, dup := packageItems[name.Name]; dup {
				return nil, nil, errorf(loc{f: dl.f, span: name.Span}, "duplicate item named `%s`", name.Name)
			}
			packageItems[name.Name] = name.Span
			packageItemFile[name.Name] = dl.f
			order.set(name.Name, nil)
		}
	}

	// Record the dependencies between interfaces (and worlds, through
	// include) induced by local `use` paths, for the topological sort.
	type source struct {
		foreign bool
		id      ast.Id
	}
	for i, dl := range r.lists {
		r.cur = i
		ns := map[string]source{}
		for _, it := range dl.items {
			var name ast.Id
			var src source
			switch it := it.(type) {
			case *ast.ToplevelUse:
				name = it.Item.Name
				if it.As != nil {
					name = *it.As
				}
				if it.Item.Package != nil {
					src.foreign = true
				} else {
					src.id = it.Item.Name
				}
			case *ast.Interface:
				name, src.id = it.Name, it.Name
			case *ast.World:
				name, src.id = it.Name, it.Name
			default:
				continue
			}
			if _, dup := ns[name.Name]; dup {
				return nil, nil, errorf(r.at(name.Span), "duplicate name `%s` in this file", name.Name)
			}
			ns[name.Name] = src
		}
		err := forEachPath(dl.items, func(v pathVisit) error {
			if v.owner == nil || v.path.Package != nil {
				return nil
			}
			used := v.path.Name
			if s, ok := ns[used.Name]; ok {
				if !s.foreign {
					order.push(v.owner.Name, depEdge{s.id.Name, r.at(s.id.Span)})
				}
				return nil
			}
			if _, ok := packageItems[used.Name]; ok {
				order.push(v.owner.Name, depEdge{used.Name, r.at(used.Span)})
				return nil
			}
			return errorf(r.at(used.Span), "interface or world `%s` does not exist", used.Name)
		})
		if err != nil {
			return nil, nil, err
		}
	}
	names, err := toposort("interface or world", order, nil)
	if err != nil {
		return nil, nil, err
	}

	ids := map[string]pkgItem{}
	var ifaceOrder []InterfaceID
	var worldOrder []WorldID
	for _, name := range names {
		l := loc{f: packageItemFile[name], span: packageItems[name]}
		if isWorld[name] {
			id := r.allocWorld(l)
			r.u.worlds[id].Name = name
			ids[name] = pkgItem{itemWorld, int32(id)}
			worldOrder = append(worldOrder, id)
		} else {
			id := r.allocInterface(l)
			r.u.interfaces[id].Name = name
			ids[name] = pkgItem{itemInterface, int32(id)}
			ifaceOrder = append(ifaceOrder, id)
		}
	}
	for i, dl := range r.lists {
		r.cur = i
		items := map[string]pkgItem{}
		for _, it := range dl.items {
			switch it := it.(type) {
			case *ast.ToplevelUse:
				if len(it.Attributes) > 0 {
					return nil, nil, errorf(r.at(it.Span), "attributes not allowed on top-level use")
				}
				name := it.Item.Name
				if it.As != nil {
					name = *it.As
				}
				var item pkgItem
				if it.Item.Package == nil {
					var ok bool
					item, ok = ids[it.Item.Name.Name]
					if !ok {
						return nil, nil, errorf(r.at(it.Item.Name.Span), "interface or world `%s` does not exist", it.Item.Name.Name)
					}
				} else {
					fi, err := r.foreignItem(dl.f, &it.Item)
					if err != nil {
						return nil, nil, err
					}
					item = fi.item
				}
				items[name.Name] = item
			case *ast.Interface:
				items[it.Name.Name] = ids[it.Name.Name]
				r.packageItems[it.Name.Name] = ids[it.Name.Name]
			case *ast.World:
				items[it.Name.Name] = ids[it.Name.Name]
				r.packageItems[it.Name.Name] = ids[it.Name.Name]
			}
		}
		r.astItems = append(r.astItems, items)
	}
	return ifaceOrder, worldOrder, nil
}

// populateForeignTypes creates a placeholder type (kind unknown) for every
// name used from a foreign interface.
func (r *astResolver) populateForeignTypes() error {
	for i, dl := range r.lists {
		r.cur = i
		err := forEachPath(dl.items, func(v pathVisit) error {
			if !v.hasNames {
				return nil
			}
			stab, err := r.stability(v.attrs)
			if err != nil {
				return err
			}
			extID, err := r.externalID(v.attrs)
			if err != nil {
				return err
			}
			item, name, l, err := r.resolvePath(v.path)
			if err != nil {
				return err
			}
			iface, err := r.ifaceFromItem(item, name, l)
			if err != nil {
				return err
			}
			if !r.foreignInterfaces[iface] {
				return nil
			}
			lookup := r.interfaceTypes[iface]
			for _, n := range v.names {
				if _, ok := lookup.get(n.Name.Name); ok {
					continue
				}
				nl := r.at(n.Name.Span)
				td := r.typeDefs.alloc()
				*td = TypeDef{
					Name:       n.Name.Name,
					Kind:       KindUnknown,
					Owner:      TypeOwner{Kind: OwnerInterface, Interface: iface},
					Stability:  stab,
					ExternalID: extID,
				}
				id := r.allocType(td, nl)
				r.u.unknownTypeLocs = append(r.u.unknownTypeLocs, nl)
				lookup.insert(n.Name.Name, lookupVal{id: id, l: nl})
				r.u.interfaces[iface].Types = append(r.u.interfaces[iface].Types, Entry[TypeID]{n.Name.Name, id})
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (r *astResolver) resolveWorld(id WorldID, w *ast.World) error {
	world := r.u.worlds[id]
	world.Docs = r.docs(w.Docs)
	stab, err := r.stability(w.Attributes)
	if err != nil {
		return err
	}
	world.Stability = stab

	owner := TypeOwner{Kind: OwnerWorld, World: id}
	if err := r.resolveTypes(owner, worldTypeItems(w.Items)); err != nil {
		return err
	}
	locs := &r.u.worldItems[id]
	for _, it := range w.Items {
		inc, ok := it.(*ast.Include)
		if !ok {
			continue
		}
		stab, err := r.stability(inc.Attributes)
		if err != nil {
			return err
		}
		item, name, l, err := r.resolvePath(&inc.From)
		if err != nil {
			return err
		}
		from, err := r.worldFromItem(item, name, l)
		if err != nil {
			return err
		}
		wi := WorldInclude{Stability: stab, World: from, Pos: r.pos(l)}
		for _, n := range inc.Names {
			wi.Names = append(wi.Names, IncludeName{Name: n.Name.Name, As: n.As.Name})
		}
		world.Includes = append(world.Includes, wi)
		locs.includes = append(locs.includes, l)
	}

	for i, name := range r.typeLookup.keys {
		v := r.typeLookup.vals[i]
		if findItem(world.Imports, WorldKey{Name: name}) >= 0 {
			return errorf(v.l, "import `%s` conflicts with prior import of same name", name)
		}
		world.Imports = append(world.Imports, WorldItem{Key: WorldKey{Name: name}, Kind: WorldItemType, Type: v.id, Pos: r.pos(v.l)})
		locs.imports = append(locs.imports, v.l)
	}

	imported := map[InterfaceID]bool{}
	exported := map[InterfaceID]bool{}
	for _, it := range w.Items {
		var docs ast.Docs
		var attrs []ast.Attribute
		var kind *ast.ExternKind
		var desc string
		var seen map[InterfaceID]bool
		switch it := it.(type) {
		case *ast.Import:
			docs, attrs, kind, desc, seen = it.Docs, it.Attributes, &it.Kind, "import", imported
		case *ast.Export:
			docs, attrs, kind, desc, seen = it.Docs, it.Attributes, &it.Kind, "export", exported
		case *ast.TypeDef:
			res, ok := it.Type.(*ast.Resource)
			if !ok {
				continue
			}
			for i := range res.Funcs {
				f, err := r.resolveResourceFunc(&res.Funcs[i], it.Name)
				if err != nil {
					return err
				}
				fl := r.at(res.Funcs[i].Func.Name.Span)
				world.Imports = append(world.Imports, WorldItem{Key: WorldKey{Name: f.Name}, Kind: WorldItemFunction, Function: f, Pos: f.Pos})
				locs.imports = append(locs.imports, fl)
			}
			continue
		default:
			continue
		}
		item, il, err := r.resolveWorldItem(docs, attrs, kind)
		if err != nil {
			return err
		}
		var key WorldKey
		switch kind.Tag {
		case ast.ExternInterface, ast.ExternNamedPath:
			key = WorldKey{Name: kind.Name.Name}
		case ast.ExternFunc:
			key = WorldKey{Name: item.Function.Name}
		case ast.ExternPath:
			key = WorldKey{Interface: item.Interface}
		}
		kl := r.at(externSpan(kind))
		if key.IsInterface() {
			if seen[key.Interface] {
				return errorf(kl, "interface cannot be %sed more than once", desc)
			}
			seen[key.Interface] = true
		}
		item.Key = key
		dst, dstLocs := &world.Imports, &locs.imports
		if desc == "export" {
			dst, dstLocs = &world.Exports, &locs.exports
		}
		if i := findItem(*dst, key); i >= 0 {
			prev := [...]string{WorldItemInterface: "interface", WorldItemFunction: "func", WorldItemType: "type"}[(*dst)[i].Kind]
			return errorf(kl, "%s `%s` conflicts with prior %s of same name", desc, key.Name, prev)
		}
		*dst = append(*dst, item)
		*dstLocs = append(*dstLocs, il)
	}
	r.typeLookup = &omap[lookupVal]{}
	return nil
}

// externSpan is where the reference points for an import or export.
func externSpan(k *ast.ExternKind) ast.Span {
	if k.Tag == ast.ExternPath {
		return k.Path.Name.Span
	}
	return k.Name.Span
}

// findItem returns the index of key among items, or -1.
func findItem(items []WorldItem, key WorldKey) int {
	for i := range items {
		if items[i].Key == key {
			return i
		}
	}
	return -1
}

func (r *astResolver) resolveWorldItem(docs ast.Docs, attrs []ast.Attribute, kind *ast.ExternKind) (WorldItem, loc, error) {
	switch kind.Tag {
	case ast.ExternInterface:
		prev := r.typeLookup
		r.typeLookup = &omap[lookupVal]{}
		l := r.at(kind.Name.Span)
		id := r.allocInterface(l)
		if err := r.resolveInterface(id, kind.Items, docs, attrs); err != nil {
			return WorldItem{}, loc{}, err
		}
		r.typeLookup = prev
		extID, err := r.externalID(attrs)
		if err != nil {
			return WorldItem{}, loc{}, err
		}
		return WorldItem{Kind: WorldItemInterface, Interface: id, Stability: r.u.interfaces[id].Stability, ExternalID: extID, Pos: r.pos(l)}, l, nil
	case ast.ExternPath, ast.ExternNamedPath:
		stab, err := r.stability(attrs)
		if err != nil {
			return WorldItem{}, loc{}, err
		}
		extID, err := r.externalID(attrs)
		if err != nil {
			return WorldItem{}, loc{}, err
		}
		d := r.docs(docs)
		item, name, l, err := r.resolvePath(&kind.Path)
		if err != nil {
			return WorldItem{}, loc{}, err
		}
		id, err := r.ifaceFromItem(item, name, l)
		if err != nil {
			return WorldItem{}, loc{}, err
		}
		if kind.Tag == ast.ExternNamedPath {
			l = r.at(kind.Name.Span)
		}
		return WorldItem{Kind: WorldItemInterface, Interface: id, Stability: stab, ExternalID: extID, Docs: d, Pos: r.pos(l)}, l, nil
	default:
		fk := Freestanding
		if kind.Func.Async {
			fk = AsyncFreestanding
		}
		f, err := r.resolveFunction(docs, attrs, kind.Name.Name, kind.Name.Span, kind.Func, fk, NoType)
		if err != nil {
			return WorldItem{}, loc{}, err
		}
		return WorldItem{Kind: WorldItemFunction, Function: f, Pos: f.Pos}, r.at(kind.Name.Span), nil
	}
}

// typeItem is a `use` or a type definition of an interface or world, in
// source order.
type typeItem struct {
	use *ast.Use
	def *ast.TypeDef
}

func worldTypeItems(items []ast.WorldItem) []typeItem {
	out := make([]typeItem, 0, len(items))
	for _, it := range items {
		switch it := it.(type) {
		case *ast.Use:
			out = append(out, typeItem{use: it})
		case *ast.TypeDef:
			out = append(out, typeItem{def: it})
		}
	}
	return out
}

func (r *astResolver) resolveInterface(id InterfaceID, items []ast.InterfaceItem, docs ast.Docs, attrs []ast.Attribute) error {
	iface := r.u.interfaces[id]
	iface.Docs = r.docs(docs)
	stab, err := r.stability(attrs)
	if err != nil {
		return err
	}
	iface.Stability = stab

	tis := make([]typeItem, 0, len(items))
	for _, it := range items {
		switch it := it.(type) {
		case *ast.Use:
			tis = append(tis, typeItem{use: it})
		case *ast.TypeDef:
			tis = append(tis, typeItem{def: it})
		}
	}
	r.typeLookup.grow(len(items))
	if err := r.resolveTypes(TypeOwner{Kind: OwnerInterface, Interface: id}, tis); err != nil {
		return err
	}
	iface.Types = make([]Entry[TypeID], 0, r.typeLookup.len())
	for i, name := range r.typeLookup.keys {
		iface.Types = append(iface.Types, Entry[TypeID]{name, r.typeLookup.vals[i].id})
	}

	nf := 0
	for _, it := range items {
		switch it := it.(type) {
		case *ast.NamedFunc:
			nf++
		case *ast.TypeDef:
			if res, ok := it.Type.(*ast.Resource); ok {
				nf += len(res.Funcs)
			}
		}
	}
	funcs := make([]*Function, 0, nf)
	locs := make([]loc, 0, nf)
	for _, it := range items {
		switch it := it.(type) {
		case *ast.NamedFunc:
			if err := r.defineName(it.Name, lookupVal{item: "function"}); err != nil {
				return err
			}
			fk := Freestanding
			if it.Func.Async {
				fk = AsyncFreestanding
			}
			f, err := r.resolveFunction(it.Docs, it.Attributes, it.Name.Name, it.Name.Span, &it.Func, fk, NoType)
			if err != nil {
				return err
			}
			funcs = append(funcs, f)
			locs = append(locs, r.at(it.Name.Span))
		case *ast.TypeDef:
			res, ok := it.Type.(*ast.Resource)
			if !ok {
				continue
			}
			for i := range res.Funcs {
				f, err := r.resolveResourceFunc(&res.Funcs[i], it.Name)
				if err != nil {
					return err
				}
				funcs = append(funcs, f)
				locs = append(locs, r.at(res.Funcs[i].Func.Name.Span))
			}
		}
	}
	iface.Functions = funcs
	r.u.funcLocs[id] = locs
	r.interfaceTypes[id] = r.typeLookup
	r.typeLookup = &omap[lookupVal]{}
	return nil
}

// collectDeps lists the names a type expression refers to.
func collectDeps(t ast.Type, deps []depEdge, r *astResolver) []depEdge {
	switch t := t.(type) {
	case *ast.Name:
		deps = append(deps, depEdge{t.Id.Name, r.at(t.Id.Span)})
	case *ast.Handle:
		deps = append(deps, depEdge{t.Resource.Name, r.at(t.Resource.Span)})
	case *ast.Record:
		for _, f := range t.Fields {
			deps = collectDeps(f.Type, deps, r)
		}
	case *ast.Tuple:
		for _, e := range t.Types {
			deps = collectDeps(e, deps, r)
		}
	case *ast.Variant:
		for _, c := range t.Cases {
			if c.Type != nil {
				deps = collectDeps(c.Type, deps, r)
			}
		}
	case *ast.Option:
		deps = collectDeps(t.Elem, deps, r)
	case *ast.List:
		deps = collectDeps(t.Elem, deps, r)
	case *ast.FixedLengthList:
		deps = collectDeps(t.Elem, deps, r)
	case *ast.Map:
		deps = collectDeps(t.Key, deps, r)
		deps = collectDeps(t.Value, deps, r)
	case *ast.Result:
		if t.Ok != nil {
			deps = collectDeps(t.Ok, deps, r)
		}
		if t.Err != nil {
			deps = collectDeps(t.Err, deps, r)
		}
	case *ast.Future:
		if t.Elem != nil {
			deps = collectDeps(t.Elem, deps, r)
		}
	case *ast.Stream:
		if t.Elem != nil {
			deps = collectDeps(t.Elem, deps, r)
		}
	}
	return deps
}

// oldFloatHint explains the removed float32/float64 names, as the
// reference does.
func oldFloatHint(name string) string {
	var repl string
	switch name {
	case "float32":
		repl = "f32"
	case "float64":
		repl = "f64"
	default:
		return ""
	}
	return "the `" + name + "` type has been renamed to `" + repl + "` and is no longer accepted, but the `WIT_REQUIRE_F32_F64=0` environment variable can be used to temporarily disable this error"
}

func (r *astResolver) resolveTypes(owner TypeOwner, items []typeItem) error {
	for _, it := range items {
		if it.use != nil {
			if err := r.resolveUse(owner, it.use); err != nil {
				return err
			}
		}
	}
	deps := newDepGraph(len(items))
	defs := omap[*ast.TypeDef]{}
	defs.grow(len(items))
	// The edges of all definitions share one buffer; each keeps a window.
	edges := make([]depEdge, 0, 2*len(items))
	for _, it := range items {
		if it.def != nil {
			if defs.insert(it.def.Name.Name, it.def) {
				return errorf(r.at(it.def.Name.Span), "name `%s` is defined more than once", it.def.Name.Name)
			}
			start := len(edges)
			edges = collectDeps(it.def.Type, edges, r)
			deps.set(it.def.Name.Name, edges[start:len(edges):len(edges)])
			continue
		}
		for _, n := range it.use.Names {
			name := n.Name.Name
			if n.As != nil {
				name = n.As.Name
			}
			deps.set(name, nil)
			defs.insert(name, nil)
		}
	}
	order, err := toposort("type", deps, oldFloatHint)
	if err != nil {
		return err
	}
	for _, name := range order {
		def, _ := defs.get(name)
		if def == nil {
			continue
		}
		// The reference swap-removes each definition as it goes, so a name
		// is defined at most once here.
		defs.vals[defs.find(name)] = nil
		stab, err := r.stability(def.Attributes)
		if err != nil {
			return err
		}
		extID, err := r.externalID(def.Attributes)
		if err != nil {
			return err
		}
		td := r.typeDefs.alloc()
		*td = TypeDef{Name: def.Name.Name, Owner: owner, Docs: r.docs(def.Docs), Stability: stab, ExternalID: extID}
		var fieldLocs []loc
		if err := r.resolveTypeDef(td, def.Type, &stab, &fieldLocs); err != nil {
			return err
		}
		id := r.allocType(td, r.at(def.Name.Span))
		if fieldLocs != nil {
			r.u.fieldLocs[id] = fieldLocs
		}
		if err := r.defineName(def.Name, lookupVal{id: id}); err != nil {
			return err
		}
	}
	return nil
}

func (r *astResolver) resolveUse(owner TypeOwner, u *ast.Use) error {
	item, name, l, err := r.resolvePath(&u.From)
	if err != nil {
		return err
	}
	from, err := r.ifaceFromItem(item, name, l)
	if err != nil {
		return err
	}
	stab, err := r.stability(u.Attributes)
	if err != nil {
		return err
	}
	extID, err := r.externalID(u.Attributes)
	if err != nil {
		return err
	}
	for _, n := range u.Names {
		v, ok := r.interfaceTypes[from].get(n.Name.Name)
		switch {
		case !ok:
			return errorf(r.at(n.Name.Span), "name `%s` does not exist", n.Name.Name)
		case v.item != "":
			return errorf(r.at(n.Name.Span), "cannot import %s `%s`", v.item, n.Name.Name)
		}
		as := n.Name
		if n.As != nil {
			as = *n.As
		}
		td := r.typeDefs.alloc()
		*td = TypeDef{Name: as.Name, Kind: KindType, Elem: TypeOf(v.id), Owner: owner, Stability: stab, ExternalID: extID}
		id := r.allocType(td, r.at(n.Name.Span))
		if err := r.defineName(as, lookupVal{id: id}); err != nil {
			return err
		}
	}
	return nil
}

func (r *astResolver) resolveResourceFunc(rf *ast.ResourceFunc, resource ast.Id) (*Function, error) {
	v, ok := r.typeLookup.get(resource.Name)
	if !ok || v.item != "" {
		return nil, errorf(r.at(resource.Span), "type lookup for resource `%s` failed", resource.Name)
	}
	nf := &rf.Func
	var name string
	var kind FunctionKind
	switch rf.Kind {
	case ast.ResourceMethod:
		name = r.docText.concat("[method]", resource.Name, ".", nf.Name.Name)
		kind = Method
		if nf.Func.Async {
			kind = AsyncMethod
		}
	case ast.ResourceStatic:
		name = r.docText.concat("[static]", resource.Name, ".", nf.Name.Name)
		kind = Static
		if nf.Func.Async {
			kind = AsyncStatic
		}
	default:
		name = r.docText.concat("[constructor]", resource.Name)
		kind = Constructor
	}
	return r.resolveFunction(nf.Docs, nf.Attributes, name, nf.Name.Span, &nf.Func, kind, v.id)
}

func (r *astResolver) resolveFunction(docs ast.Docs, attrs []ast.Attribute, name string, nameSpan ast.Span, fn *ast.Func, kind FunctionKind, resource TypeID) (*Function, error) {
	f := r.funcs.alloc()
	*f = Function{Name: name, Kind: kind, Resource: resource, Docs: r.docs(docs)}
	stab, err := r.stability(attrs)
	if err != nil {
		return nil, err
	}
	f.Stability = stab
	if f.ExternalID, err = r.externalID(attrs); err != nil {
		return nil, err
	}
	// Parameters go to a buffer shared by the package's functions; each
	// function keeps a capacity-limited window of it.
	start := len(r.params)
	if kind == Method || kind == AsyncMethod {
		td := TypeDef{Kind: KindBorrow, Resource: resource}
		td.Stability = r.findStability(&td, Stability{})
		self := r.anonTypeDef(&td, r.at(fn.Span))
		r.params = append(r.params, Param{Name: "self", Type: self, Pos: r.pos(r.at(fn.Span))})
	}
	for _, p := range fn.Params {
		for _, prev := range r.params[start:] {
			if prev.Name == p.Name.Name {
				return nil, errorf(r.at(p.Name.Span), "param `%s` is defined more than once", p.Name.Name)
			}
		}
		t, err := r.resolveType(p.Type, Stability{})
		if err != nil {
			return nil, err
		}
		r.params = append(r.params, Param{Name: p.Name.Name, Type: t, Pos: r.pos(r.at(p.Name.Span))})
	}
	if len(r.params) > start {
		f.Params = r.params[start:len(r.params):len(r.params)]
	}
	if kind == Constructor {
		if fn.Result == nil {
			f.Result = TypeOf(resource)
		} else {
			t, err := r.resolveConstructorResult(resource, fn.Result)
			if err != nil {
				return nil, err
			}
			f.Result = t
		}
	} else if fn.Result != nil {
		t, err := r.resolveType(fn.Result, Stability{})
		if err != nil {
			return nil, err
		}
		f.Result = t
	}
	l := r.at(nameSpan)
	f.Pos = r.pos(l)
	return f, nil
}

func (r *astResolver) resolveConstructorResult(resource TypeID, ast_ ast.Type) (Type, error) {
	t, err := r.resolveType(ast_, Stability{})
	if err != nil {
		return NoneType, err
	}
	td := r.typeDefOf(t)
	if td == nil || td.Kind != KindResult {
		return NoneType, errorf(r.at(typeSpan(ast_)), "if a constructor return type is declared it must be a `result`")
	}
	if id, ok := td.Ok.ID(); ok && id == resource {
		return t, nil
	}
	span := typeSpan(ast_)
	if res, ok := ast_.(*ast.Result); ok && res.Ok != nil {
		span = typeSpan(res.Ok)
	}
	return NoneType, errorf(r.at(span), "the `ok` type must be the resource being constructed")
}

func (r *astResolver) typeDefOf(t Type) *TypeDef {
	if id, ok := t.ID(); ok {
		return r.u.types[id]
	}
	return nil
}

// typeSpan is the reference's Type::span: handles point at the resource name.
func typeSpan(t ast.Type) ast.Span {
	if h, ok := t.(*ast.Handle); ok {
		return h.Resource.Span
	}
	return t.TypeSpan()
}

func (r *astResolver) resolvePath(p *ast.UsePath) (pkgItem, string, loc, error) {
	l := r.at(p.Name.Span)
	if p.Package == nil {
		item, ok := r.astItems[r.cur][p.Name.Name]
		if !ok {
			item, ok = r.packageItems[p.Name.Name]
		}
		if !ok {
			return pkgItem{}, "", l, errorf(l, "interface or world `%s` does not exist", p.Name.Name)
		}
		return item, p.Name.Name, l, nil
	}
	fi, err := r.foreignItem(r.lists[r.cur].f, p)
	if err != nil {
		return pkgItem{}, "", l, err
	}
	return fi.item, p.Name.Name, l, nil
}

// foreignItem finds the placeholder populateForeignDeps made for a path.
func (r *astResolver) foreignItem(f *ast.File, p *ast.UsePath) (*foreignItem, error) {
	if fp, ok := r.u.foreignDeps.get(astPkgKey(p.Package)); ok {
		if fi, ok := fp.items.get(p.Name.Name); ok {
			return fi, nil
		}
	}
	if _, err := convertPackageName(f, p.Package); err != nil {
		return nil, err
	}
	return nil, errorf(loc{f: f, span: p.Name.Span}, "internal error: no placeholder for `%s/%s`", astPkgKey(p.Package), p.Name.Name)
}

func (r *astResolver) ifaceFromItem(item pkgItem, name string, l loc) (InterfaceID, error) {
	if item.kind == itemWorld {
		return NoInterface, errorf(l, "name `%s` is defined as a world, not an interface", name)
	}
	return InterfaceID(item.id), nil
}

func (r *astResolver) worldFromItem(item pkgItem, name string, l loc) (WorldID, error) {
	if item.kind == itemInterface {
		return NoWorld, errorf(l, "name `%s` is defined as an interface, not a world", name)
	}
	return WorldID(item.id), nil
}

func (r *astResolver) defineName(name ast.Id, v lookupVal) error {
	v.l = r.at(name.Span)
	if r.typeLookup.insert(name.Name, v) {
		return errorf(v.l, "name `%s` is defined more than once", name.Name)
	}
	return nil
}

// resolveTypeDef fills td's kind from a type expression.
func (r *astResolver) resolveTypeDef(td *TypeDef, t ast.Type, stab *Stability, fieldLocs *[]loc) error {
	switch t := t.(type) {
	case *ast.Primitive:
		p, ok := PrimitiveByName(t.Name)
		if !ok {
			return errorf(r.at(t.Span), "unknown primitive type `%s`", t.Name)
		}
		td.Kind, td.Elem = KindType, p
	case *ast.Name:
		id, err := r.resolveTypeName(t.Id)
		if err != nil {
			return err
		}
		td.Kind, td.Elem = KindType, TypeOf(id)
	case *ast.List:
		e, err := r.resolveType(t.Elem, *stab)
		if err != nil {
			return err
		}
		td.Kind, td.Elem = KindList, e
	case *ast.Map:
		k, err := r.resolveType(t.Key, *stab)
		if err != nil {
			return err
		}
		v, err := r.resolveType(t.Value, *stab)
		if err != nil {
			return err
		}
		switch k {
		case Bool, U8, U16, U32, U64, S8, S16, S32, S64, Char, String:
		default:
			return errorf(r.at(t.Span), "invalid map key type: map keys must be bool, u8, u16, u32, u64, s8, s16, s32, s64, char, or string")
		}
		td.Kind, td.Key, td.Elem = KindMap, k, v
	case *ast.FixedLengthList:
		e, err := r.resolveType(t.Elem, *stab)
		if err != nil {
			return err
		}
		td.Kind, td.Elem, td.Len = KindFixedLengthList, e, t.Size
	case *ast.Handle:
		id, err := r.validateResource(t.Resource)
		if err != nil {
			return err
		}
		td.Kind, td.Resource = KindOwn, id
		if t.Borrow {
			td.Kind = KindBorrow
		}
	case *ast.Resource:
		ctors := 0
		names := map[string]bool{}
		for _, f := range t.Funcs {
			if f.Kind == ast.ResourceConstructor {
				ctors++
				if ctors > 1 {
					return errorf(r.at(f.Func.Name.Span), "duplicate constructors")
				}
				continue
			}
			if names[f.Func.Name.Name] {
				return errorf(r.at(f.Func.Name.Span), "duplicate function name `%s`", f.Func.Name.Name)
			}
			names[f.Func.Name.Name] = true
		}
		td.Kind = KindResource
	case *ast.Record:
		td.Kind = KindRecord
		td.Fields = make([]Field, 0, len(t.Fields))
		locs := make([]loc, 0, len(t.Fields))
		for _, f := range t.Fields {
			docs := r.docs(f.Docs)
			ft, err := r.resolveType(f.Type, *stab)
			if err != nil {
				return err
			}
			td.Fields = append(td.Fields, Field{Name: f.Name.Name, Type: ft, Docs: docs})
			locs = append(locs, r.at(f.Name.Span))
		}
		if fieldLocs != nil {
			*fieldLocs = locs
		}
	case *ast.Flags:
		td.Kind = KindFlags
		td.Flags = make([]Flag, 0, len(t.Flags))
		for _, f := range t.Flags {
			td.Flags = append(td.Flags, Flag{Name: f.Name.Name, Docs: r.docs(f.Docs)})
		}
	case *ast.Tuple:
		td.Kind = KindTuple
		td.Tuple = make([]Type, 0, len(t.Types))
		for _, e := range t.Types {
			et, err := r.resolveType(e, *stab)
			if err != nil {
				return err
			}
			td.Tuple = append(td.Tuple, et)
		}
	case *ast.Variant:
		if len(t.Cases) == 0 {
			return errorf(r.at(t.Span), "empty variant")
		}
		td.Kind = KindVariant
		td.Cases = make([]Case, 0, len(t.Cases))
		for _, c := range t.Cases {
			docs := r.docs(c.Docs)
			ct := NoneType
			if c.Type != nil {
				var err error
				if ct, err = r.resolveType(c.Type, *stab); err != nil {
					return err
				}
			}
			td.Cases = append(td.Cases, Case{Name: c.Name.Name, Type: ct, Docs: docs})
		}
	case *ast.Enum:
		if len(t.Cases) == 0 {
			return errorf(r.at(t.Span), "empty enum")
		}
		td.Kind = KindEnum
		td.Enum = make([]EnumCase, 0, len(t.Cases))
		for _, c := range t.Cases {
			td.Enum = append(td.Enum, EnumCase{Name: c.Name.Name, Docs: r.docs(c.Docs)})
		}
	case *ast.Option:
		e, err := r.resolveType(t.Elem, *stab)
		if err != nil {
			return err
		}
		td.Kind, td.Elem = KindOption, e
	case *ast.Result:
		td.Kind = KindResult
		if t.Ok != nil {
			ok, err := r.resolveType(t.Ok, *stab)
			if err != nil {
				return err
			}
			td.Ok = ok
		}
		if t.Err != nil {
			e, err := r.resolveType(t.Err, *stab)
			if err != nil {
				return err
			}
			td.Err = e
		}
	case *ast.Future:
		td.Kind = KindFuture
		if t.Elem != nil {
			e, err := r.resolveType(t.Elem, *stab)
			if err != nil {
				return err
			}
			td.Elem = e
		}
	case *ast.Stream:
		td.Kind = KindStream
		if t.Elem != nil {
			e, err := r.resolveType(t.Elem, *stab)
			if err != nil {
				return err
			}
			td.Elem = e
		}
	default:
		return errorf(r.at(t.TypeSpan()), "unsupported type expression")
	}
	return nil
}

func (r *astResolver) resolveTypeName(name ast.Id) (TypeID, error) {
	v, ok := r.typeLookup.get(name.Name)
	switch {
	case !ok:
		return NoType, errorf(r.at(name.Span), "name `%s` does not exist", name.Name)
	case v.item != "":
		return NoType, errorf(r.at(name.Span), "cannot use %s `%s` as a type", v.item, name.Name)
	}
	return v.id, nil
}

func (r *astResolver) validateResource(name ast.Id) (TypeID, error) {
	id, err := r.resolveTypeName(name)
	if err != nil {
		return NoType, err
	}
	cur := id
	for range len(r.u.types) + 1 {
		td := r.u.types[cur]
		switch {
		case td.Kind == KindResource:
			return id, nil
		case td.Kind == KindType:
			if next, ok := td.Elem.ID(); ok {
				cur = next
				continue
			}
		case td.Kind == KindUnknown:
			r.u.requiredResourceTypes = append(r.u.requiredResourceTypes, typeRef{cur, r.at(name.Span)})
			return id, nil
		}
		break
	}
	return NoType, errorf(r.at(name.Span), "type `%s` used in a handle must be a resource", name.Name)
}

// findStability gives an anonymous type the stability of the first named
// type it refers to, when it has none itself (option<T> inherits T's).
func (r *astResolver) findStability(td *TypeDef, stab Stability) Stability {
	if stab.Kind != StabilityUnknown {
		return stab
	}
	in := func(t Type) (Stability, bool) {
		if id, ok := t.ID(); ok {
			if s := r.u.types[id].Stability; s.Kind != StabilityUnknown {
				return s, true
			}
		}
		return Stability{}, false
	}
	var ts []Type
	switch td.Kind {
	case KindType, KindList, KindFixedLengthList, KindOption, KindFuture, KindStream:
		ts = []Type{td.Elem}
	case KindOwn, KindBorrow:
		ts = []Type{TypeOf(td.Resource)}
	case KindTuple:
		ts = td.Tuple
	case KindMap:
		ts = []Type{td.Key, td.Elem}
	case KindResult:
		ts = []Type{td.Ok, td.Err}
	}
	for _, t := range ts {
		if s, ok := in(t); ok {
			return s
		}
	}
	return Stability{}
}

func (r *astResolver) resolveType(t ast.Type, stab Stability) (Type, error) {
	// Fast paths for what anonTypeDef would collapse anyway: primitives,
	// names and own<T> resolve to an existing type without a new TypeDef.
	switch t := t.(type) {
	case *ast.Resource:
		return NoneType, errorf(r.at(t.TypeSpan()), "resources must be declared at the top level")
	case *ast.Primitive:
		if p, ok := PrimitiveByName(t.Name); ok {
			return p, nil
		}
	case *ast.Name:
		id, err := r.resolveTypeName(t.Id)
		if err != nil {
			return NoneType, err
		}
		return TypeOf(id), nil
	case *ast.Handle:
		if !t.Borrow {
			id, err := r.validateResource(t.Resource)
			if err != nil {
				return NoneType, err
			}
			return TypeOf(id), nil
		}
	}
	var td TypeDef
	if err := r.resolveTypeDef(&td, t, &stab, nil); err != nil {
		return NoneType, err
	}
	td.Stability = r.findStability(&td, stab)
	return r.anonTypeDef(&td, r.at(typeSpan(t))), nil
}

// anonTypeDef interns an anonymous type: structurally equal anonymous types
// share one TypeDef, aliases and own<T> collapse to what they name.
func (r *astResolver) anonTypeDef(td *TypeDef, l loc) Type {
	switch td.Kind {
	case KindType:
		return td.Elem
	case KindOwn:
		return TypeOf(td.Resource)
	}
	key := r.keyBuf[:0]
	key = append(key, byte(td.Kind))
	typ := func(t Type) { key = strconv.AppendUint(append(key, ','), uint64(t), 10) }
	name := func(s string) { key = append(append(key, ','), s...) }
	switch td.Kind {
	case KindVariant:
		for _, c := range td.Cases {
			name(c.Name)
			typ(c.Type)
		}
	case KindBorrow:
		typ(TypeOf(td.Resource))
	case KindRecord:
		for _, f := range td.Fields {
			name(f.Name)
			typ(f.Type)
		}
	case KindFlags:
		for _, f := range td.Flags {
			name(f.Name)
		}
	case KindTuple:
		for _, t := range td.Tuple {
			typ(t)
		}
	case KindEnum:
		for _, c := range td.Enum {
			name(c.Name)
		}
	case KindList, KindOption, KindFuture, KindStream:
		typ(td.Elem)
	case KindMap:
		typ(td.Key)
		typ(td.Elem)
	case KindFixedLengthList:
		typ(td.Elem)
		key = strconv.AppendUint(append(key, ';'), uint64(td.Len), 10)
	case KindResult:
		typ(td.Ok)
		typ(td.Err)
	}
	r.keyBuf = key
	if id, ok := r.anonTypes[string(key)]; ok {
		return TypeOf(id)
	}
	stored := r.typeDefs.alloc()
	*stored = *td
	id := r.allocType(stored, l)
	r.anonTypes[string(key)] = id
	return TypeOf(id)
}

// docs converts doc comments of the file being resolved.
func (r *astResolver) docs(d ast.Docs) Docs {
	if !d.Present() {
		return Docs{}
	}
	return convertDocs(r.lists[r.cur].f.Text, d, &r.docText)
}

// textChunks hands out immutable strings written into shared chunks: the
// docs and resource function names of a package cost a few allocations
// rather than one each. A chunk
// is only ever appended to, so the bytes behind a string never change.
type textChunks []byte

func (c *textChunks) start(n int) {
	if cap(*c)-len(*c) < n {
		// Chunks grow with use, so a package with few docs wastes little.
		*c = make([]byte, 0, max(n, min(2*cap(*c), 16<<10), 1<<10))
	}
}

// concat returns the concatenation of parts, written into a chunk.
func (c *textChunks) concat(parts ...string) string {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	c.start(n)
	start := len(*c)
	for _, p := range parts {
		*c = append(*c, p...)
	}
	return c.since(start)
}

func (c *textChunks) since(start int) string {
	b := (*c)[start:]
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// nextComment returns the range of the first comment in text[pos:end],
// which holds only comments and whitespace (a doc span), or ok=false. A
// line comment ends after its newline; block comments nest.
func nextComment(text string, pos, end int) (start, stop int, ok bool) {
	for pos < end && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n' || text[pos] == '\r') {
		pos++
	}
	if pos+1 >= end || text[pos] != '/' {
		return 0, 0, false
	}
	switch text[pos+1] {
	case '/':
		if i := strings.IndexByte(text[pos:end], '\n'); i >= 0 {
			return pos, pos + i + 1, true
		}
		return pos, end, true
	case '*':
		depth, i := 1, pos+2
		for depth > 0 && i < end {
			j := strings.IndexAny(text[i:end], "/*")
			if j < 0 {
				return pos, end, true
			}
			i += j + 1
			switch c := text[i-1]; {
			case c == '/' && i < end && text[i] == '*':
				i++
				depth++
			case c == '*' && i < end && text[i] == '/':
				i++
				depth--
			}
		}
		return pos, i, true
	}
	return 0, 0, false
}

// convertDocs strips comment markers and common indentation, as the
// reference's Resolver::docs. text is the parsed text the span indexes.
// Lines are kept as offsets into text; a one-line doc is a substring of
// text, longer ones are written into chunks.
func convertDocs(text string, d ast.Docs, chunks *textChunks) Docs {
	if !d.Present() {
		return Docs{}
	}
	type line struct{ start, end int }
	var small [32]line
	lines := small[:0]
	end := min(max(d.Span.End, 0), len(text))
	for s, e, ok := nextComment(text, min(max(d.Span.Start, 0), end), end); ok; s, e, ok = nextComment(text, e, end) {
		ls, le := s, e
		if strings.HasPrefix(text[ls:le], "/**") {
			ls += 3
			if strings.HasSuffix(text[ls:le], "*/") {
				le -= 2
			}
		} else {
			for ls < le && text[ls] == '/' {
				ls++
			}
		}
		lines = append(lines, line{ls, ls + len(trimRightSpace(text[ls:le]))})
	}
	if len(lines) == 0 {
		return Docs{}
	}
	minWS := -1
	for _, l := range lines {
		if l.start == l.end {
			continue
		}
		n := 0
		for l.start+n < l.end {
			c := text[l.start+n]
			if c != ' ' && c != '\t' && c != '\n' && c != '\f' && c != '\r' {
				break
			}
			n++
		}
		if minWS < 0 || n < minWS {
			minWS = n
		}
	}
	if minWS > 0 {
		for i, l := range lines {
			// Only spaces are removed (a tab-indented line keeps its tabs).
			if l.end-l.start >= minWS && strings.Count(text[l.start:l.start+minWS], " ") == minWS {
				lines[i].start += minWS
			}
		}
	}
	if len(lines) == 1 {
		one := text[lines[0].start:lines[0].end]
		if strings.IndexByte(one, '\n') < 0 && strings.IndexByte(one, '\r') < 0 {
			return Docs{Contents: one, Present: true}
		}
	}
	n := 0
	for _, l := range lines {
		n += l.end - l.start + 1
	}
	chunks.start(n)
	start := len(*chunks)
	b := *chunks
	for _, l := range lines {
		s := text[l.start:l.end]
		if s == "" {
			b = append(b, '\n')
			continue
		}
		for len(s) > 0 {
			line := s
			if i := strings.IndexByte(s, '\n'); i >= 0 {
				line, s = s[:i], s[i+1:]
			} else {
				s = ""
			}
			b = append(b, strings.TrimSuffix(line, "\r")...)
			b = append(b, '\n')
		}
	}
	for len(b) > start && b[len(b)-1] == '\n' {
		b = b[:len(b)-1]
	}
	*chunks = b
	return Docs{Contents: chunks.since(start), Present: true}
}

// trimRightSpace is strings.TrimRightFunc(s, unicode.IsSpace) with an
// ASCII fast path.
func trimRightSpace(s string) string {
	for len(s) > 0 {
		c := s[len(s)-1]
		if c >= utf8.RuneSelf {
			return strings.TrimRightFunc(s, unicode.IsSpace)
		}
		if c != ' ' && (c < '\t' || c > '\r') {
			return s
		}
		s = s[:len(s)-1]
	}
	return s
}

func (r *astResolver) stability(attrs []ast.Attribute) (Stability, error) {
	var since, deprecated *Version
	var sinceLoc, deprecatedLoc loc
	var unstable *string
	for i := range attrs {
		a := &attrs[i]
		switch a.Kind {
		case ast.AttrSince:
			if since != nil {
				return Stability{}, errorf(r.at(a.Span), "cannot specify @since twice")
			}
			v, err := r.version(a)
			if err != nil {
				return Stability{}, err
			}
			since, sinceLoc = v, r.at(a.Span)
		case ast.AttrDeprecated:
			if deprecated != nil {
				return Stability{}, errorf(r.at(a.Span), "cannot specify @deprecated twice")
			}
			v, err := r.version(a)
			if err != nil {
				return Stability{}, err
			}
			deprecated, deprecatedLoc = v, r.at(a.Span)
		case ast.AttrUnstable:
			if unstable != nil {
				return Stability{}, errorf(r.at(a.Span), "cannot specify @unstable twice")
			}
			f := a.Value
			unstable = &f
		}
	}
	switch {
	case since != nil && unstable == nil:
		return Stability{Kind: StabilityStable, Since: since, Deprecated: deprecated}, nil
	case since == nil && unstable != nil:
		return Stability{Kind: StabilityUnstable, Feature: *unstable, Deprecated: deprecated}, nil
	case since != nil:
		return Stability{}, errorf(sinceLoc, "cannot specify both @since and @unstable")
	case deprecated != nil:
		return Stability{}, errorf(deprecatedLoc, "cannot specify both @deprecated without @since or @unstable")
	}
	return Stability{}, nil
}

// version parses an attribute's version once per distinct text; the
// resulting *Version is shared and never modified.
func (r *astResolver) version(a *ast.Attribute) (*Version, error) {
	if v, ok := r.versions[a.Value]; ok {
		return v, nil
	}
	v, err := ParseVersion(a.Value)
	if err != nil {
		return nil, errorf(r.at(a.Span), "%s", err.Error())
	}
	if r.versions == nil {
		r.versions = map[string]*Version{}
	}
	r.versions[a.Value] = &v
	return &v, nil
}

// externalID returns the text of an @external-id attribute ("" when there
// is none) and rejects a second one, as the reference does.
func (r *astResolver) externalID(attrs []ast.Attribute) (string, error) {
	id, seen := "", false
	for i := range attrs {
		if attrs[i].Kind == ast.AttrExternalID {
			if seen {
				return "", errorf(r.at(attrs[i].Span), "cannot specify @external-id twice")
			}
			id, seen = attrs[i].Value, true
		}
	}
	return id, nil
}
