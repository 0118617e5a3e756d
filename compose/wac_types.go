package compose

import (
	"fmt"

	"github.com/wasmcm/wasmcm/compose/internal/wac"
	"github.com/wasmcm/wasmcm/wit"
)

// The type declarations of a WAC document (interfaces, worlds, records,
// aliases...) resolve into the graph's wit.Resolve, in the document's own
// package, as WIT declarations do.

// local is the scope of an interface or world body.
type local struct {
	names map[string]*symbol
	owner wit.TypeOwner
	what  string // "interface `i`", for messages
}

func (r *resolver) lookupIn(l *local, id wac.Ident) (*symbol, error) {
	if l != nil {
		if s, ok := l.names[id.Name]; ok {
			return s, nil
		}
	}
	return r.lookup(id)
}

func (r *resolver) addType(td *wit.TypeDef) wit.TypeID {
	r.g.Resolve.Types = append(r.g.Resolve.Types, td)
	return wit.TypeID(len(r.g.Resolve.Types) - 1)
}

// declareTop binds a top-level type declaration; declarations are
// exported from the composition under their names.
func (r *resolver) declareTop(id wac.Ident, s *symbol) error {
	if _, ok := r.exported[id.Name]; ok {
		return r.errf(id.Span, "type declaration `%s` conflicts with a previous export of the same name", id.Name)
	}
	if _, ok := r.names[id.Name]; ok {
		return r.errf(id.Span, "type declaration `%s` conflicts with a previous export of the same name", id.Name)
	}
	if err := r.define(id, s); err != nil {
		return err
	}
	r.exported[id.Name] = id.Span
	r.exportType(id.Name, s)
	return nil
}

// exportType records a type definition the composition exports. Function
// types, which a component can export but wasmcm does not encode yet, are
// only listed.
func (r *resolver) exportType(name string, s *symbol) {
	te := typeExport{name: name}
	switch s.kind {
	case symType:
		id, ok := s.typ.ID()
		if !ok {
			r.typeExports = append(r.typeExports, name)
			return
		}
		te.kind, te.typ = exportValueType, id
	case symInterface:
		te.kind, te.iface = exportInterface, s.iface
	case symWorld:
		te.kind, te.world = exportWorld, s.world
	default:
		r.typeExports = append(r.typeExports, name)
		return
	}
	r.g.types = append(r.g.types, te)
}

func (r *resolver) typeStmt(t *wac.TypeStmt) error {
	switch {
	case t.Interface != nil:
		if err := r.checkTopName(t.Interface.ID); err != nil {
			return err
		}
		id, err := r.interfaceBody(t.Interface.ID.Name, t.Interface.Items)
		if err != nil {
			return err
		}
		pk := r.g.Resolve.Packages[r.docPkg]
		pk.Interfaces = append(pk.Interfaces, wit.Entry[wit.InterfaceID]{Name: t.Interface.ID.Name, ID: id})
		return r.declareTop(t.Interface.ID, &symbol{kind: symInterface, iface: id})
	case t.World != nil:
		if err := r.checkTopName(t.World.ID); err != nil {
			return err
		}
		id, err := r.worldDecl(t.World)
		if err != nil {
			return err
		}
		return r.declareTop(t.World.ID, &symbol{kind: symWorld, world: id})
	}
	// The body's own errors come first, as in the reference.
	s, err := r.typeDecl(t.Decl, nil)
	if err != nil {
		return err
	}
	return r.declareTop(t.Decl.ID, s)
}

func (r *resolver) checkTopName(id wac.Ident) error {
	if _, ok := r.exported[id.Name]; ok {
		return r.errf(id.Span, "type declaration `%s` conflicts with a previous export of the same name", id.Name)
	}
	if _, ok := r.names[id.Name]; ok {
		return r.errf(id.Span, "type declaration `%s` conflicts with a previous export of the same name", id.Name)
	}
	return nil
}

func (r *resolver) inlineInterface(ii *wac.InlineInterface) (wit.InterfaceID, error) {
	return r.interfaceBody("", ii.Items)
}

func (r *resolver) interfaceBody(name string, items []wac.InterfaceItem) (wit.InterfaceID, error) {
	res := r.g.Resolve
	iface := &wit.Interface{Name: name, Package: wit.NoPackage}
	if name != "" {
		iface.Package = r.docPkg
	}
	res.Interfaces = append(res.Interfaces, iface)
	id := wit.InterfaceID(len(res.Interfaces) - 1)
	what := "interface"
	if name != "" {
		what = fmt.Sprintf("interface `%s`", name)
	}
	l := &local{names: map[string]*symbol{}, owner: wit.TypeOwner{Kind: wit.OwnerInterface, Interface: id}, what: what}
	for _, it := range items {
		switch {
		case it.Use != nil:
			if err := r.use(it.Use, l, func(n string, t wit.TypeID) { iface.Types = append(iface.Types, wit.Entry[wit.TypeID]{Name: n, ID: t}) }, "export", nil); err != nil {
				return 0, err
			}
		case it.Decl != nil:
			if _, ok := l.names[it.Decl.ID.Name]; ok {
				return 0, r.errf(it.Decl.ID.Span, "duplicate interface export `%s` for %s", it.Decl.ID.Name, what)
			}
			s, err := r.typeDecl(it.Decl, l)
			if err != nil {
				return 0, err
			}
			s.span = it.Decl.ID.Span
			l.names[it.Decl.ID.Name] = s
			if s.kind == symType {
				iface.Types = append(iface.Types, wit.Entry[wit.TypeID]{Name: it.Decl.ID.Name, ID: mustID(s.typ)})
				if it.Decl.Kind == wac.DeclResource {
					fs, err := r.resourceFuncs(it.Decl, mustID(s.typ), l)
					if err != nil {
						return 0, err
					}
					iface.Functions = append(iface.Functions, fs...)
				}
			}
		case it.Export != nil:
			x := it.Export
			f, err := r.funcTypeRef(&x.Func, l)
			if err != nil {
				return 0, err
			}
			if _, ok := l.names[x.ID.Name]; ok {
				return 0, r.errf(x.ID.Span, "duplicate interface export `%s` for %s", x.ID.Name, what)
			}
			f.Name = x.ID.Name
			iface.Functions = append(iface.Functions, f)
			l.names[x.ID.Name] = &symbol{kind: symFuncType, fn: f, span: x.ID.Span}
		}
	}
	return id, nil
}

func (r *resolver) funcTypeRef(ref *wac.FuncTypeRef, l *local) (*wit.Function, error) {
	if ref.Func != nil {
		return r.funcType(ref.Func, l, l.owner)
	}
	s, err := r.lookupIn(l, *ref.Ident)
	if err != nil {
		return nil, err
	}
	if s.kind != symFuncType {
		return nil, r.errf(ref.Ident.Span, "`%s` (%s) is not a function type", ref.Ident.Name, r.describeSym(s))
	}
	f := *s.fn
	return &f, nil
}

// use brings types of another interface into scope l as aliases.
func (r *resolver) use(u *wac.Use, l *local, add func(string, wit.TypeID), conflictWith string, taken func(string) bool) error {
	res := r.g.Resolve
	var src wit.InterfaceID
	var srcName string
	if u.Path.Ident != nil {
		s, err := r.lookupIn(nil, *u.Path.Ident)
		if err != nil {
			return err
		}
		if s.kind != symInterface {
			return r.errf(u.Path.Ident.Span, "`%s` (%s) is not an interface", u.Path.Ident.Name, r.describeSym(s))
		}
		src, srcName = s.iface, u.Path.Ident.Name
	} else {
		s, lp, err := r.pathDef(u.Path.Path)
		if err != nil {
			return err
		}
		if s.kind != symInterface {
			return r.errf(u.Path.Span, "`%s` (%s) is not an interface", u.Path.Path.String(), r.describeSym(s))
		}
		src, srcName = r.copyIface(lp, s.iface), u.Path.Path.String()
	}
	si := res.Interfaces[src]
	for _, it := range u.Items {
		t, ok := wit.Lookup(si.Types, it.ID.Name)
		if !ok {
			return r.errf(it.ID.Span, "a type named `%s` is not defined in interface `%s`", it.ID.Name, srcName)
		}
		name, span := it.ID.Name, it.ID.Span
		if it.As != nil {
			name, span = it.As.Name, it.As.Span
		}
		if _, dup := l.names[name]; dup || (taken != nil && taken(name)) {
			return r.errf(span, "use of type `%s` conflicts with an %s of the same name", name, conflictWith)
		}
		alias := r.addType(&wit.TypeDef{Name: name, Kind: wit.KindType, Elem: wit.TypeOf(t), Owner: l.owner})
		l.names[name] = &symbol{kind: symType, typ: wit.TypeOf(alias), span: span}
		add(name, alias)
	}
	return nil
}

// typeDecl declares a resource, variant, record, flags, enum or alias.
func (r *resolver) typeDecl(d *wac.TypeDecl, l *local) (*symbol, error) {
	owner := wit.TypeOwner{}
	if l != nil {
		owner = l.owner
	}
	td := &wit.TypeDef{Name: d.ID.Name, Owner: owner}
	switch d.Kind {
	case wac.DeclResource:
		td.Kind = wit.KindResource
	case wac.DeclVariant:
		td.Kind = wit.KindVariant
		seen := map[string]bool{}
		for _, c := range d.Cases {
			if seen[c.ID.Name] {
				return nil, r.errf(c.ID.Span, "duplicate case `%s` for variant type `%s`", c.ID.Name, d.ID.Name)
			}
			seen[c.ID.Name] = true
			cs := wit.Case{Name: c.ID.Name}
			if c.Type != nil {
				t, err := r.typeRef(c.Type, l)
				if err != nil {
					return nil, err
				}
				cs.Type = t
			}
			td.Cases = append(td.Cases, cs)
		}
	case wac.DeclRecord:
		td.Kind = wit.KindRecord
		seen := map[string]bool{}
		for _, f := range d.Fields {
			if seen[f.ID.Name] {
				return nil, r.errf(f.ID.Span, "duplicate field `%s` for record type `%s`", f.ID.Name, d.ID.Name)
			}
			seen[f.ID.Name] = true
			t, err := r.typeRef(&f.Type, l)
			if err != nil {
				return nil, err
			}
			td.Fields = append(td.Fields, wit.Field{Name: f.ID.Name, Type: t})
		}
	case wac.DeclFlags, wac.DeclEnum:
		what := "flag `%s` for flags type `%s`"
		td.Kind = wit.KindFlags
		if d.Kind == wac.DeclEnum {
			td.Kind, what = wit.KindEnum, "case `%s` for enum type `%s`"
		}
		seen := map[string]bool{}
		for _, n := range d.Names {
			if seen[n.Name] {
				return nil, r.errf(n.Span, "duplicate "+what, n.Name, d.ID.Name)
			}
			seen[n.Name] = true
			if td.Kind == wit.KindFlags {
				td.Flags = append(td.Flags, wit.Flag{Name: n.Name})
			} else {
				td.Enum = append(td.Enum, wit.EnumCase{Name: n.Name})
			}
		}
	case wac.DeclAlias:
		if d.AliasFunc != nil {
			f, err := r.funcType(d.AliasFunc, l, owner)
			if err != nil {
				return nil, err
			}
			return &symbol{kind: symFuncType, fn: f}, nil
		}
		if d.AliasType.Kind == wac.TypeIdent {
			s, err := r.lookupIn(l, wac.Ident{Name: d.AliasType.Name, Span: d.AliasType.Span})
			if err != nil {
				return nil, err
			}
			switch s.kind {
			case symFuncType:
				return &symbol{kind: symFuncType, fn: s.fn}, nil
			case symType:
				// An alias of a resource is the resource, not an own handle.
				td.Kind, td.Elem = wit.KindType, s.typ
				return &symbol{kind: symType, typ: wit.TypeOf(r.addType(td))}, nil
			default:
				return nil, r.errf(d.AliasType.Span, "`%s` (%s) cannot be used in a type alias", d.AliasType.Name, r.describeSym(s))
			}
		}
		t, err := r.typeRef(d.AliasType, l)
		if err != nil {
			return nil, err
		}
		td.Kind, td.Elem = wit.KindType, t
	}
	return &symbol{kind: symType, typ: wit.TypeOf(r.addType(td))}, nil
}

// resourceFuncs declares the constructor and methods of a resource.
func (r *resolver) resourceFuncs(d *wac.TypeDecl, res wit.TypeID, l *local) ([]*wit.Function, error) {
	var out []*wit.Function
	seen := map[string]bool{}
	ctor := false
	for _, m := range d.Methods {
		f, err := r.funcType(&m.Func, l, l.owner)
		if err != nil {
			return nil, err
		}
		f.Resource = res
		switch {
		case m.Constructor:
			if ctor {
				return nil, r.errf(m.ID.Span, "duplicate constructor for resource `%s`", d.ID.Name)
			}
			ctor = true
			f.Kind, f.Name = wit.Constructor, "[constructor]"+d.ID.Name
			own := r.addType(&wit.TypeDef{Kind: wit.KindOwn, Resource: res, Owner: l.owner})
			f.Result = wit.TypeOf(own)
		default:
			if seen[m.ID.Name] {
				return nil, r.errf(m.ID.Span, "duplicate method `%s` for resource `%s`", m.ID.Name, d.ID.Name)
			}
			seen[m.ID.Name] = true
			if m.Static {
				f.Kind, f.Name = wit.Static, "[static]"+d.ID.Name+"."+m.ID.Name
			} else {
				f.Kind, f.Name = wit.Method, "[method]"+d.ID.Name+"."+m.ID.Name
				self := r.addType(&wit.TypeDef{Kind: wit.KindBorrow, Resource: res, Owner: l.owner})
				f.Params = append([]wit.Param{{Name: "self", Type: wit.TypeOf(self)}}, f.Params...)
			}
		}
		out = append(out, f)
	}
	return out, nil
}

func (r *resolver) funcType(ft *wac.FuncType, l *local, owner wit.TypeOwner) (*wit.Function, error) {
	f := &wit.Function{Kind: wit.Freestanding, Resource: wit.NoType}
	seen := map[string]bool{}
	for _, p := range ft.Params {
		if seen[p.ID.Name] {
			return nil, r.errf(p.ID.Span, "duplicate function parameter `%s`", p.ID.Name)
		}
		seen[p.ID.Name] = true
		t, err := r.typeRef(&p.Type, l)
		if err != nil {
			return nil, err
		}
		f.Params = append(f.Params, wit.Param{Name: p.ID.Name, Type: t})
	}
	if ft.Result != nil {
		t, err := r.typeRef(ft.Result, l)
		if err != nil {
			return nil, err
		}
		if r.containsBorrow(t) {
			return nil, r.errf(ft.Result.Span, "function result cannot recursively contain a borrow type")
		}
		f.Result = t
	}
	if len(ft.NamedResults) > 0 {
		return nil, r.errf(ft.Span, "named function results are not supported; use a single result type")
	}
	return f, nil
}

func (r *resolver) containsBorrow(t wit.Type) bool {
	seen := map[wit.TypeID]bool{}
	var walk func(t wit.Type) bool
	walk = func(t wit.Type) bool {
		id, ok := t.ID()
		if !ok || seen[id] {
			return false
		}
		seen[id] = true
		td := r.g.Resolve.Types[id]
		switch td.Kind {
		case wit.KindBorrow:
			return true
		case wit.KindResource:
			return false
		}
		for _, f := range td.Fields {
			if walk(f.Type) {
				return true
			}
		}
		for _, c := range td.Cases {
			if walk(c.Type) {
				return true
			}
		}
		for _, x := range td.Tuple {
			if walk(x) {
				return true
			}
		}
		return walk(td.Elem) || walk(td.Ok) || walk(td.Err)
	}
	return walk(t)
}

func (r *resolver) typeRef(t *wac.TypeRef, l *local) (wit.Type, error) {
	owner := wit.TypeOwner{}
	if l != nil {
		owner = l.owner
	}
	switch t.Kind {
	case wac.TypePrim:
		p, _ := wit.PrimitiveByName(t.Name)
		return p, nil
	case wac.TypeIdent:
		s, err := r.lookupIn(l, wac.Ident{Name: t.Name, Span: t.Span})
		if err != nil {
			return 0, err
		}
		if s.kind != symType {
			return 0, r.errf(t.Span, "`%s` (%s) cannot be used as a value type", t.Name, r.describeSym(s))
		}
		if td := r.g.Resolve.TypeDef(r.g.Resolve.Dealias(s.typ)); td != nil && td.Kind == wit.KindResource {
			own := r.addType(&wit.TypeDef{Kind: wit.KindOwn, Resource: mustID(s.typ), Owner: owner})
			return wit.TypeOf(own), nil
		}
		return s.typ, nil
	case wac.TypeBorrow:
		inner := t.Elems[0]
		if inner.Kind != wac.TypeIdent {
			return 0, r.errf(inner.Span, "`%s` is not a resource type", "type")
		}
		s, err := r.lookupIn(l, wac.Ident{Name: inner.Name, Span: inner.Span})
		if err != nil {
			return 0, err
		}
		td := (*wit.TypeDef)(nil)
		if s.kind == symType {
			td = r.g.Resolve.TypeDef(r.g.Resolve.Dealias(s.typ))
		}
		if td == nil || td.Kind != wit.KindResource {
			return 0, r.errf(inner.Span, "`%s` (%s) is not a resource type", inner.Name, r.describeSym(s))
		}
		return wit.TypeOf(r.addType(&wit.TypeDef{Kind: wit.KindBorrow, Resource: mustID(s.typ), Owner: owner})), nil
	}
	td := &wit.TypeDef{Owner: owner}
	switch t.Kind {
	case wac.TypeTuple:
		td.Kind = wit.KindTuple
		for i := range t.Elems {
			e, err := r.typeRef(&t.Elems[i], l)
			if err != nil {
				return 0, err
			}
			td.Tuple = append(td.Tuple, e)
		}
	case wac.TypeList, wac.TypeOption:
		td.Kind = wit.KindList
		if t.Kind == wac.TypeOption {
			td.Kind = wit.KindOption
		}
		e, err := r.typeRef(&t.Elems[0], l)
		if err != nil {
			return 0, err
		}
		td.Elem = e
	case wac.TypeResult:
		td.Kind = wit.KindResult
		if t.Ok != nil {
			e, err := r.typeRef(t.Ok, l)
			if err != nil {
				return 0, err
			}
			td.Ok = e
		}
		if t.Err != nil {
			e, err := r.typeRef(t.Err, l)
			if err != nil {
				return 0, err
			}
			td.Err = e
		}
	}
	return wit.TypeOf(r.addType(td)), nil
}

// worldDecl declares a world in the document's package.
func (r *resolver) worldDecl(d *wac.WorldDecl) (wit.WorldID, error) {
	res := r.g.Resolve
	w := &wit.World{Name: d.ID.Name, Package: r.docPkg}
	res.Worlds = append(res.Worlds, w)
	id := wit.WorldID(len(res.Worlds) - 1)
	pk := res.Packages[r.docPkg]
	pk.Worlds = append(pk.Worlds, wit.Entry[wit.WorldID]{Name: d.ID.Name, ID: id})
	l := &local{names: map[string]*symbol{}, owner: wit.TypeOwner{Kind: wit.OwnerWorld, World: id}, what: fmt.Sprintf("world `%s`", d.ID.Name)}
	imports := map[string]*origin{}
	exports := map[string]*origin{}
	var used []usedIface
	for _, it := range d.Items {
		switch {
		case it.Use != nil:
			at := len(w.Imports)
			if err := r.use(it.Use, l, func(n string, t wit.TypeID) {
				if elem, ok := res.Types[t].Elem.ID(); ok && res.Types[elem].Owner.Kind == wit.OwnerInterface {
					used = append(used, usedIface{res.Types[elem].Owner.Interface, at})
				}
				w.Imports = append(w.Imports, wit.WorldItem{Key: wit.WorldKey{Name: n}, Kind: wit.WorldItemType, Type: t})
				imports[n] = &origin{}
			}, "import", func(n string) bool { return imports[n] != nil }); err != nil {
				return 0, err
			}
		case it.Decl != nil:
			if _, ok := l.names[it.Decl.ID.Name]; ok || imports[it.Decl.ID.Name] != nil {
				return 0, r.errf(it.Decl.ID.Span, "import `%s` conflicts with existing import of the same name in world `%s`", it.Decl.ID.Name, d.ID.Name)
			}
			s, err := r.typeDecl(it.Decl, l)
			if err != nil {
				return 0, err
			}
			l.names[it.Decl.ID.Name] = s
			if s.kind == symType {
				w.Imports = append(w.Imports, wit.WorldItem{Key: wit.WorldKey{Name: it.Decl.ID.Name}, Kind: wit.WorldItemType, Type: mustID(s.typ)})
				imports[it.Decl.ID.Name] = &origin{}
				if it.Decl.Kind == wac.DeclResource {
					fs, err := r.resourceFuncs(it.Decl, mustID(s.typ), l)
					if err != nil {
						return 0, err
					}
					for _, f := range fs {
						w.Imports = append(w.Imports, wit.WorldItem{Key: wit.WorldKey{Name: f.Name}, Kind: wit.WorldItemFunction, Function: f})
					}
				}
			}
		case it.Import != nil, it.Export != nil:
			p := it.Import
			seen, kind := imports, "import"
			if p == nil {
				p, seen, kind = it.Export, exports, "export"
			}
			item, name, span, err := r.worldItem(p, l, kind)
			if err != nil {
				return 0, err
			}
			if o := seen[name]; o != nil {
				if o.include {
					return 0, r.errf(o.span, "%s `%s` from world `%s` conflicts with %s of the same name in world `%s`", kind, name, o.world, kind, d.ID.Name)
				}
				return 0, r.errf(span, "%s `%s` conflicts with existing %s of the same name in world `%s`", kind, name, kind, d.ID.Name)
			}
			seen[name] = &origin{}
			if kind == "import" {
				w.Imports = append(w.Imports, item)
			} else {
				w.Exports = append(w.Exports, item)
			}
		case it.Include != nil:
			if err := r.include(it.Include, w, imports, exports); err != nil {
				return 0, err
			}
		}
	}
	importUsed(res, w, used)
	return id, nil
}

// usedIface is an interface a world's `use` takes types from, and where
// in the world's imports the first of them is.
type usedIface struct {
	iface wit.InterfaceID
	at    int
}

// importUsed elaborates world w as the WIT resolver does: the interfaces
// its `use`s take types from, and those every imported or exported
// interface takes types from (transitively), are imported unless the world
// has them already, each before what needs it; an exported interface's
// dependencies that are exported themselves stay exports.
func importUsed(res *wit.Resolve, w *wit.World, used []usedIface) {
	have := map[wit.InterfaceID]bool{}
	for _, it := range w.Imports {
		if it.Kind == wit.WorldItemInterface {
			have[it.Interface] = true
		}
	}
	exported := map[wit.InterfaceID]bool{}
	for _, it := range w.Exports {
		if it.Kind == wit.WorldItemInterface {
			exported[it.Interface] = true
		}
	}
	placed := map[wit.InterfaceID]bool{}
	var out []wit.WorldItem
	// deps appends the imports interface id needs, dependencies first.
	var deps func(id wit.InterfaceID, self bool)
	deps = func(id wit.InterfaceID, self bool) {
		if placed[id] {
			return
		}
		placed[id] = true
		for _, e := range res.Interfaces[id].Types {
			td := res.Types[e.ID]
			if elem, ok := td.Elem.ID(); ok && td.Kind == wit.KindType {
				if o := res.Types[elem].Owner; o.Kind == wit.OwnerInterface && o.Interface != id && !exported[o.Interface] {
					deps(o.Interface, true)
				}
			}
		}
		if self && !have[id] {
			out = append(out, wit.WorldItem{Key: wit.WorldKey{Interface: id}, Kind: wit.WorldItemInterface, Interface: id})
		}
	}
	next := 0
	for i, it := range w.Imports {
		for next < len(used) && used[next].at == i {
			deps(used[next].iface, true)
			next++
		}
		if it.Kind == wit.WorldItemInterface {
			deps(it.Interface, false)
		}
		out = append(out, it)
	}
	for ; next < len(used); next++ {
		deps(used[next].iface, true)
	}
	for _, it := range w.Exports {
		if it.Kind == wit.WorldItemInterface {
			placed[it.Interface] = false
			deps(it.Interface, false)
		}
	}
	w.Imports = out
}

func (r *resolver) worldItem(p *wac.WorldItemPath, l *local, kind string) (wit.WorldItem, string, wac.Span, error) {
	res := r.g.Resolve
	switch {
	case p.Named != nil && p.Func != nil:
		f, err := r.funcType(p.Func, l, l.owner)
		if err != nil {
			return wit.WorldItem{}, "", p.Span, err
		}
		f.Name = p.Named.Name
		return wit.WorldItem{Key: wit.WorldKey{Name: p.Named.Name}, Kind: wit.WorldItemFunction, Function: f}, p.Named.Name, p.Named.Span, nil
	case p.Named != nil && p.Iface != nil:
		id, err := r.inlineInterface(p.Iface)
		if err != nil {
			return wit.WorldItem{}, "", p.Span, err
		}
		return wit.WorldItem{Key: wit.WorldKey{Name: p.Named.Name}, Kind: wit.WorldItemInterface, Interface: id}, p.Named.Name, p.Named.Span, nil
	case p.Named != nil:
		s, err := r.lookupIn(l, *p.Ref)
		if err != nil {
			return wit.WorldItem{}, "", p.Span, err
		}
		switch s.kind {
		case symFuncType:
			f := *s.fn
			f.Name = p.Named.Name
			return wit.WorldItem{Key: wit.WorldKey{Name: p.Named.Name}, Kind: wit.WorldItemFunction, Function: &f}, p.Named.Name, p.Named.Span, nil
		case symInterface:
			return wit.WorldItem{Key: wit.WorldKey{Name: p.Named.Name}, Kind: wit.WorldItemInterface, Interface: s.iface}, p.Named.Name, p.Named.Span, nil
		}
		return wit.WorldItem{}, "", p.Span, r.errf(p.Ref.Span, "`%s` (%s) is not a function type or interface", p.Ref.Name, r.describeSym(s))
	case p.Path != nil:
		s, lp, err := r.pathDef(p.Path)
		if err != nil {
			return wit.WorldItem{}, "", p.Span, err
		}
		if s.kind != symInterface {
			return wit.WorldItem{}, "", p.Span, r.errf(p.Path.Span, "`%s` (%s) is not an interface", p.Path.String(), r.describeSym(s))
		}
		id := r.copyIface(lp, s.iface)
		return wit.WorldItem{Key: wit.WorldKey{Interface: id}, Kind: wit.WorldItemInterface, Interface: id}, KeyName(res, wit.WorldKey{Interface: id}), p.Path.Span, nil
	}
	s, err := r.lookupIn(l, *p.Ref)
	if err != nil {
		return wit.WorldItem{}, "", p.Span, err
	}
	if s.kind != symInterface {
		return wit.WorldItem{}, "", p.Span, r.errf(p.Ref.Span, "`%s` (%s) is not an interface", p.Ref.Name, r.describeSym(s))
	}
	return wit.WorldItem{Key: wit.WorldKey{Interface: s.iface}, Kind: wit.WorldItemInterface, Interface: s.iface}, KeyName(res, wit.WorldKey{Interface: s.iface}), p.Ref.Span, nil
}

// origin says where a world's item name came from: declared in the world,
// or included (span is the include's world or its `as` name).
type origin struct {
	include bool
	span    wac.Span
	world   string
}

func (r *resolver) include(inc *wac.Include, w *wit.World, imports, exports map[string]*origin) error {
	res := r.g.Resolve
	var src wit.WorldID
	var srcName string
	var span wac.Span
	if inc.ID != nil {
		s, err := r.lookup(*inc.ID)
		if err != nil {
			return err
		}
		if s.kind != symWorld {
			return r.errf(inc.ID.Span, "`%s` (%s) is not a world", inc.ID.Name, r.describeSym(s))
		}
		src, srcName, span = s.world, inc.ID.Name, inc.ID.Span
	} else {
		s, lp, err := r.pathDef(inc.Path)
		if err != nil {
			return err
		}
		if s.kind != symWorld {
			return r.errf(inc.Path.Span, "`%s` (%s) is not a world", inc.Path.String(), r.describeSym(s))
		}
		src, srcName, span = r.copyWorld(lp, s.world), inc.Path.String(), inc.Path.Span
	}
	_ = span
	sw := res.Worlds[src]
	rename := map[string]string{}
	for _, wi := range inc.With {
		if _, dup := rename[wi.Name.Name]; dup {
			return r.errf(wi.Name.Span, "duplicate `%s` in world include `with` clause", wi.Name.Name)
		}
		rename[wi.Name.Name] = wi.As.Name
	}
	for _, wi := range inc.With {
		found := false
		for _, it := range append(append([]wit.WorldItem{}, sw.Imports...), sw.Exports...) {
			if !it.Key.IsInterface() && it.Key.Name == wi.Name.Name {
				found = true
			}
		}
		if !found {
			return r.errf(wi.Name.Span, "world `%s` does not have an import or export named `%s`", srcName, wi.Name.Name)
		}
	}
	add := func(items []wit.WorldItem, seen map[string]*origin, kind string, out *[]wit.WorldItem) error {
		for _, it := range items {
			n := it
			name := KeyName(res, it.Key)
			if !it.Key.IsInterface() {
				if to, ok := rename[name]; ok {
					name = to
					n.Key = wit.WorldKey{Name: to}
				}
			}
			sp := span
			for _, wi := range inc.With {
				if wi.As.Name == name {
					sp = wi.As.Span
				}
			}
			if seen[name] != nil {
				if it.Key.IsInterface() {
					continue
				}
				return r.errf(sp, "%s `%s` from world `%s` conflicts with %s of the same name in world `%s`", kind, name, srcName, kind, w.Name)
			}
			seen[name] = &origin{include: true, span: sp, world: srcName}
			*out = append(*out, n)
		}
		return nil
	}
	if err := add(sw.Imports, imports, "import", &w.Imports); err != nil {
		return err
	}
	return add(sw.Exports, exports, "export", &w.Exports)
}

// checkTargets checks the composition against the world it targets: it
// may import only what the world imports and must export all the world
// exports, with matching types.
func (r *resolver) checkTargets(p *wac.PackagePath) error {
	var world wit.WorldID
	var wr *wit.Resolve
	if p.Package == r.doc.Package.Name {
		s, ok := r.names[p.Segments[0]]
		if !ok {
			return r.errf(segmentsSpan(p), "undefined name `%s`", p.Segments[0])
		}
		if s.kind != symWorld {
			return r.errf(p.Span, "`%s` (%s) is not a world", p.String(), r.describeSym(s))
		}
		world, wr = s.world, r.g.Resolve
	} else {
		s, lp, err := r.pathDef(p)
		if err != nil {
			return err
		}
		if s.kind != symWorld {
			return r.errf(p.Span, "`%s` (%s) is not a world", p.String(), r.describeSym(s))
		}
		world, wr = s.world, lp.r
	}
	w := wr.Worlds[world]
	target := p.String()
	for _, im := range r.g.imports {
		var want *wit.WorldItem
		for i, it := range w.Imports {
			if KeyName(wr, it.Key) == im.name {
				want = &w.Imports[i]
			}
		}
		span, ok := r.importNames[im.name]
		if !ok {
			// An implicit import, which the document does not write.
			span = wac.Span{Offset: -1}
		}
		if want == nil {
			return r.errf(span, "target world `%s` does not have an import named `%s`", target, im.name)
		}
		if wr == r.g.Resolve {
			// The world must provide what the composition imports.
			if err := r.providesItem(*want, im.item); err != nil {
				return r.errf(span, "import `%s` has a mismatched type for target world `%s`: %v", im.name, target, err)
			}
		}
	}
	for _, it := range w.Exports {
		name := KeyName(wr, it.Key)
		found := false
		for _, x := range r.g.exports {
			if x.name == name {
				found = true
				if wr == r.g.Resolve {
					if err := r.sameItem(r.g.nodes[x.node].item, it); err != nil {
						return r.errf(r.exported[name], "export `%s` has a mismatched type for target world `%s`: %v", name, target, err)
					}
				}
			}
		}
		if !found {
			return r.errf(p.Span, "target world `%s` requires an export named `%s`", target, name)
		}
	}
	return nil
}

// providesItem checks that world item have (of the graph's Resolve) can
// serve as graph item need.
func (r *resolver) providesItem(have wit.WorldItem, need Item) error {
	a := Item{Interface: have.Interface, Func: have.Function, Type: have.Type}
	switch have.Kind {
	case wit.WorldItemInterface:
		a.Kind = ItemInstance
	case wit.WorldItemFunction:
		a.Kind = ItemFunc
	default:
		a.Kind = ItemType
	}
	it := wit.WorldItem{Interface: need.Interface, Function: need.Func, Type: need.Type}
	switch need.Kind {
	case ItemInstance:
		it.Kind = wit.WorldItemInterface
	case ItemFunc:
		it.Kind = wit.WorldItemFunction
	default:
		it.Kind = wit.WorldItemType
	}
	return r.g.check(a, it, newScope(r.g.Resolve))
}

// sameItem checks a graph item against a world item of the graph's own
// Resolve.
func (r *resolver) sameItem(a Item, it wit.WorldItem) error {
	s := newScope(r.g.Resolve)
	return r.g.check(a, it, s)
}
