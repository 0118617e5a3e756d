package wat

import (
	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/wasm"
)

// compState holds the index spaces of one component, component type,
// instance type or module type being resolved.
type compState struct {
	id string
	ns [component.SortInstance + 1]*namespace
}

func newState(id string) *compState {
	st := &compState{id: id}
	for i := range st.ns {
		st.ns[i] = newNS(component.Sort(i).String())
	}
	return st
}

// pendingAlias is an alias that resolution inserts before the definition
// that needed it, with the name it gets in the name section.
type pendingAlias struct {
	a    component.Alias
	name string
}

// resolver turns $ids into indices, inserting the aliases that references
// to instance exports and to enclosing scopes need.
type resolver struct {
	s       *source
	stack   []*compState
	pending []pendingAlias
}

func (r *resolver) cur() *compState { return r.stack[len(r.stack)-1] }

func (r *resolver) register(sort component.Sort, id string, pos int) error {
	_, err := r.cur().ns[sort].add(r.s, id, pos)
	return err
}

// resolveNS resolves x in sort's index space, looking through enclosing
// scopes and inserting an outer alias when it is found there.
func (r *resolver) resolveNS(x index, sort component.Sort) (uint32, error) {
	if !x.isID {
		return x.num, nil
	}
	for depth := 0; depth < len(r.stack); depth++ {
		st := r.stack[len(r.stack)-1-depth]
		i, ok := st.ns[sort].ids[x.id]
		if !ok {
			continue
		}
		if depth == 0 {
			return i, nil
		}
		switch sort {
		case component.SortCoreModule, component.SortCoreType, component.SortType, component.SortComponent:
		default:
			return 0, r.s.errorf(max(x.pos, 0), "outer item `$%s` is not a module, type, or component", x.id)
		}
		a := component.Alias{Sort: sort, Target: component.AliasOuter, Count: uint32(depth), Index: i}
		// The reference registers the alias without the $id, so every use
		// makes an alias of its own and none is named.
		local, err := r.cur().ns[sort].add(r.s, "", -1)
		if err != nil {
			return 0, err
		}
		r.pending = append(r.pending, pendingAlias{a: a})
		return local, nil
	}
	return r.cur().ns[sort].resolve(r.s, x)
}

// itemRef resolves a component item reference, aliasing through the
// export names when there are any.
func (r *resolver) itemRef(ref itemRef) (uint32, error) {
	if len(ref.names) == 0 {
		return r.resolveNS(ref.idx, ref.sort)
	}
	inst, err := r.resolveNS(ref.idx, component.SortInstance)
	if err != nil {
		return 0, err
	}
	for i, n := range ref.names {
		sort := component.SortInstance
		if i == len(ref.names)-1 {
			sort = ref.sort
		}
		a := component.Alias{Sort: sort, Target: component.AliasExport, Instance: inst, Name: n}
		if inst, err = r.cur().ns[sort].add(r.s, "", -1); err != nil {
			return 0, err
		}
		r.pending = append(r.pending, pendingAlias{a: a})
	}
	return inst, nil
}

// coreRef resolves a core item reference; an export name makes a core
// export alias.
func (r *resolver) coreRef(ref coreRef) (uint32, error) {
	if ref.name == nil {
		return r.resolveNS(ref.idx, ref.sort)
	}
	if ref.sort > component.SortCoreTag {
		return 0, r.s.errorf(max(ref.idx.pos, 0), "core instances cannot export this kind of item, so an export name cannot be used to resolve this reference")
	}
	inst, err := r.resolveNS(ref.idx, component.SortCoreInstance)
	if err != nil {
		return 0, err
	}
	a := component.Alias{Sort: ref.sort, Target: component.AliasCoreExport, Instance: inst, Name: *ref.name}
	i, err := r.cur().ns[ref.sort].add(r.s, "", -1)
	if err != nil {
		return 0, err
	}
	r.pending = append(r.pending, pendingAlias{a: a})
	return i, nil
}

func (r *resolver) valType(v *cValType) (component.ValType, error) {
	if v.ref == nil {
		return component.ValType{Prim: v.prim}, nil
	}
	i, err := r.resolveNS(*v.ref, component.SortType)
	return component.ValType{Index: i}, err
}

func (r *resolver) optValType(v *cValType) (*component.ValType, error) {
	if v == nil {
		return nil, nil
	}
	t, err := r.valType(v)
	return &t, err
}

// coreTypes resolves core value types against the current core type space.
func (r *resolver) coreTypes() *moduleResolver {
	return &moduleResolver{m: &coreModule{s: r.s}, types: r.cur().ns[component.SortCoreType]}
}

func (r *resolver) alias(a *cAlias) (component.Alias, error) {
	out := component.Alias{Sort: a.sort, Target: a.target, Name: a.export}
	var err error
	switch a.target {
	case component.AliasExport:
		out.Instance, err = r.resolveNS(a.instance, component.SortInstance)
	case component.AliasCoreExport:
		out.Instance, err = r.resolveNS(a.instance, component.SortCoreInstance)
	case component.AliasOuter:
		depth := a.outer.num
		if a.outer.isID {
			found := false
			for d := 0; d < len(r.stack); d++ {
				if r.stack[len(r.stack)-1-d].id == a.outer.id {
					depth, found = uint32(d), true
					break
				}
			}
			if !found {
				return out, r.s.errorf(max(a.outer.pos, a.pos), "outer component `%s` not found", a.outer.id)
			}
		} else if !a.index.isID {
			out.Count, out.Index = a.outer.num, a.index.num
			return out, nil
		}
		if int(depth) >= len(r.stack) {
			return out, r.s.errorf(max(a.outer.pos, a.pos), "outer count of `%d` is too large", depth)
		}
		out.Count = depth
		out.Index, err = r.stack[len(r.stack)-1-int(depth)].ns[a.sort].resolve(r.s, a.index)
	}
	return out, err
}

func (r *resolver) defType(d *cDefType) (*component.DefinedType, error) {
	t := &component.DefinedType{Kind: d.kind, Prim: d.prim, Len: d.length, Names: d.names}
	var err error
	for _, f := range d.fields {
		v, err := r.valType(f.ty)
		if err != nil {
			return nil, err
		}
		t.Fields = append(t.Fields, component.Field{Name: f.name, Type: v})
	}
	for _, c := range d.cases {
		v, err := r.optValType(c.ty)
		if err != nil {
			return nil, err
		}
		t.Cases = append(t.Cases, component.Case{Name: c.name, Type: v})
	}
	if d.kind == component.KindMap {
		if t.Key, err = r.valType(d.key); err != nil {
			return nil, err
		}
	}
	if d.elem != nil {
		if t.Elem, err = r.valType(d.elem); err != nil {
			return nil, err
		}
	}
	for _, v := range d.types {
		x, err := r.valType(v)
		if err != nil {
			return nil, err
		}
		t.Types = append(t.Types, x)
	}
	if d.kind == component.KindTuple && t.Types == nil {
		t.Types = []component.ValType{}
	}
	if t.Ok, err = r.optValType(d.ok); err != nil {
		return nil, err
	}
	if t.Err, err = r.optValType(d.err); err != nil {
		return nil, err
	}
	if t.Payload, err = r.optValType(d.payload); err != nil {
		return nil, err
	}
	if d.kind == component.KindOwn || d.kind == component.KindBorrow {
		if t.Resource, err = r.resolveNS(d.resource, component.SortType); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func (r *resolver) funcType(f *cFuncType) (*component.FuncType, error) {
	t := &component.FuncType{Async: f.async, Params: []component.Field{}}
	for _, p := range f.params {
		v, err := r.valType(p.ty)
		if err != nil {
			return nil, err
		}
		t.Params = append(t.Params, component.Field{Name: p.name, Type: v})
	}
	var err error
	t.Result, err = r.optValType(f.result)
	return t, err
}

// typeDef resolves a type definition; component and instance types open a
// scope named by the type's $id.
func (r *resolver) typeDef(id string, def any) (component.Type, error) {
	switch d := def.(type) {
	case *cDefType:
		return r.defType(d)
	case *cFuncType:
		return r.funcType(d)
	case *cCompType:
		r.stack = append(r.stack, newState(id))
		decls, err := r.decls(d.decls)
		r.stack = r.stack[:len(r.stack)-1]
		return &component.ComponentType{Decls: decls}, err
	case *cInstType:
		r.stack = append(r.stack, newState(id))
		decls, err := r.decls(d.decls)
		r.stack = r.stack[:len(r.stack)-1]
		return &component.InstanceType{Decls: decls}, err
	case *cResourceType:
		rep, err := r.coreTypes().valType(d.rep)
		if err != nil {
			return nil, err
		}
		rt := &component.ResourceType{Rep: rep}
		if d.dtor != nil {
			f, err := r.coreRef(*d.dtor)
			if err != nil {
				return nil, err
			}
			rt.Dtor = &f
		}
		return rt, nil
	}
	return nil, nil
}

// takePending moves the inserted aliases out.
func (r *resolver) takePending() []pendingAlias {
	p := r.pending
	r.pending = nil
	return p
}

// decls resolves the declarations of a component or instance type.
func (r *resolver) decls(decls []cDecl) ([]component.Decl, error) {
	out := make([]component.Decl, 0, len(decls))
	for _, d := range decls {
		var decl component.Decl
		var reg func() error
		switch d := d.(type) {
		case *cCoreTypeField:
			ct, err := r.coreTypeField(d)
			if err != nil {
				return nil, err
			}
			decl = component.Decl{Kind: component.DeclCoreType, CoreType: ct}
			if d.module != nil {
				reg = func() error { return r.register(component.SortCoreType, d.id, d.pos) }
			}
		case *cTypeField:
			t, err := r.typeDef(d.id, d.def)
			if err != nil {
				return nil, err
			}
			decl = component.Decl{Kind: component.DeclType, Type: t}
			reg = func() error { return r.register(component.SortType, d.id, d.pos) }
		case *cAlias:
			a, err := r.alias(d)
			if err != nil {
				return nil, err
			}
			decl = component.Decl{Kind: component.DeclAlias, Alias: &a}
			reg = func() error { return r.register(d.sort, d.id, d.pos) }
		case *cImport:
			et, err := r.itemSig(d.sig)
			if err != nil {
				return nil, err
			}
			decl = component.Decl{Kind: component.DeclImport, Name: d.name.binary(), Extern: et}
			reg = func() error { return r.register(d.sig.sort, d.sig.id, d.pos) }
		case *cExportDecl:
			et, err := r.itemSig(d.sig)
			if err != nil {
				return nil, err
			}
			decl = component.Decl{Kind: component.DeclExport, Name: d.name.binary(), Extern: et}
			reg = func() error { return r.register(d.sig.sort, d.sig.id, -1) }
		}
		for _, p := range r.takePending() {
			a := p.a
			out = append(out, component.Decl{Kind: component.DeclAlias, Alias: &a})
		}
		if reg != nil {
			if err := reg(); err != nil {
				return nil, err
			}
		}
		out = append(out, decl)
	}
	return out, nil
}

func (n externName) binary() component.ExternName {
	en := component.ExternName{Name: n.name}
	if n.implements != nil {
		en.Attrs = append(en.Attrs, component.NameAttr{Kind: component.AttrImplements, Value: *n.implements})
	}
	if n.versionSuffix != nil {
		en.Attrs = append(en.Attrs, component.NameAttr{Kind: component.AttrVersionSuffix, Value: *n.versionSuffix})
	}
	if n.externalID != nil {
		en.Attrs = append(en.Attrs, component.NameAttr{Kind: component.AttrExternalID, Value: *n.externalID})
	}
	return en
}

// itemSig resolves the type of an import or export.
func (r *resolver) itemSig(sig *itemSig) (component.ExternType, error) {
	et := component.ExternType{Sort: sig.sort}
	var err error
	switch sig.sort {
	case component.SortCoreModule:
		et.Index, err = r.coreRef(*sig.mod.ref)
	case component.SortFunc, component.SortComponent, component.SortInstance:
		et.Index, err = r.itemRef(*sig.tu.ref)
	case component.SortValue:
		et.ValueType, err = r.valType(sig.val)
	case component.SortType:
		if sig.sub {
			et.SubResource = true
		} else {
			et.Index, err = r.resolveNS(*sig.eq, component.SortType)
		}
	}
	return et, err
}

// coreTypeField resolves a core type definition: a function/GC type in the
// current core type space (registered before it is resolved, so that it
// may refer to itself) or a module type in a scope of its own.
func (r *resolver) coreTypeField(t *cCoreTypeField) (*component.CoreType, error) {
	if t.module == nil {
		if err := r.register(component.SortCoreType, t.id, t.pos); err != nil {
			return nil, err
		}
		st, err := r.coreTypes().subType(t.def)
		if err != nil {
			return nil, err
		}
		return &component.CoreType{Rec: wasm.RecGroup{Types: []wasm.SubType{st}}}, nil
	}
	r.stack = append(r.stack, newState(t.id))
	defer func() { r.stack = r.stack[:len(r.stack)-1] }()
	mt := &component.ModuleType{}
	for _, d := range t.module.decls {
		switch d := d.(type) {
		case typeGroup:
			for _, st := range d.subs {
				if err := r.register(component.SortCoreType, st.id, st.pos); err != nil {
					return nil, err
				}
			}
			g := wasm.RecGroup{Explicit: d.rec}
			for _, st := range d.subs {
				s, err := r.coreTypes().subType(st)
				if err != nil {
					return nil, err
				}
				g.Types = append(g.Types, s)
			}
			mt.Decls = append(mt.Decls, component.ModuleDecl{Kind: component.ModuleDeclType, Type: g})
		case *cAlias:
			a, err := r.alias(d)
			if err != nil {
				return nil, err
			}
			if err := r.register(component.SortCoreType, d.id, d.pos); err != nil {
				return nil, err
			}
			mt.Decls = append(mt.Decls, component.ModuleDecl{Kind: component.ModuleDeclAlias, Count: a.Count, Index: a.Index})
		case *importT:
			et, err := r.coreTypes().externType(d)
			if err != nil {
				return nil, err
			}
			mt.Decls = append(mt.Decls, component.ModuleDecl{Kind: component.ModuleDeclImport, Import: wasm.Import{Module: d.module, Name: d.field, Type: et}})
		case *modExport:
			et, err := r.coreTypes().externType(d.sig)
			if err != nil {
				return nil, err
			}
			mt.Decls = append(mt.Decls, component.ModuleDecl{Kind: component.ModuleDeclExport, Name: d.name, Extern: et})
		}
	}
	return &component.CoreType{Module: mt}, nil
}
