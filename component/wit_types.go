package component

import "fmt"

// This file gives the component-level types of a decoded component the
// identities that decoding to WIT needs, as wasmparser's type information
// does for wit-parser's decoding.rs: every type definition, every type
// export (which makes a new identity equal to what it exports) and every
// (sub resource) gets an id of one arena, shared by all scopes, so that a
// `use`d type can be told from a type defined again and a resource from
// another of the same name. Instantiating a nested component substitutes
// the instantiation's arguments for its imported types, as the shims that
// wit-component writes need.
//
// Only component-level types are followed: core modules, core instances and
// core functions do not appear in WIT. Bad indices give errors.

// witTyID indexes witTypes.tys.
type witTyID int32

type witTyKind uint8

const (
	witDefined witTyKind = iota
	witFunc
	witComponent
	witInstance
	witResource
	witAlias // a type exported with (eq i): a new identity equal to alias
)

// witEntity is one import or export of a component or instance type.
type witEntity struct {
	name ExternName
	sort Sort
	typ  witTyID // func, instance, component: its type
	// type sort: what the bound refers to and the identity the export
	// creates (the same fresh resource for (sub resource)).
	referenced, created witTyID
}

// witTy is one type of the arena. In def and fn the ValType indices (and
// DefinedType.Resource) hold witTyIDs instead of type indices.
type witTy struct {
	kind             witTyKind
	alias            witTyID
	def              *DefinedType
	fn               *FuncType
	imports, exports []witEntity
}

// witTypes is the arena.
type witTypes struct{ tys []witTy }

// witMaxTypes bounds the arena, so that substitutions over a hostile
// component cannot grow it without limit.
const witMaxTypes = 1 << 22

func (tt *witTypes) add(t witTy) witTyID {
	tt.tys = append(tt.tys, t)
	return witTyID(len(tt.tys) - 1)
}

// witScope holds the component-level index spaces of one component,
// component type or instance type.
type witScope struct {
	parent     *witScope
	types      []witTyID
	funcs      []witTyID
	instances  []witTyID
	components []witTyID
}

func witIndex(space []witTyID, i uint32, what string) (witTyID, error) {
	if int64(i) >= int64(len(space)) {
		return 0, fmt.Errorf("%s index %d out of bounds (%d defined)", what, i, len(space))
	}
	return space[i], nil
}

func (s *witScope) typ(i uint32) (witTyID, error) { return witIndex(s.types, i, "type") }

// resolveVal turns a type index into an id (kept in ValType.Index).
func (s *witScope) resolveVal(v ValType) (ValType, error) {
	if v.Prim != 0 {
		return v, nil
	}
	id, err := s.typ(v.Index)
	return ValType{Index: uint32(id)}, err
}

func (s *witScope) resolveOpt(v *ValType) (*ValType, error) {
	if v == nil {
		return nil, nil
	}
	r, err := s.resolveVal(*v)
	return &r, err
}

// mapDefined copies d with every value type passed through f (and the
// resource of a handle through res).
func mapDefined(d *DefinedType, f func(ValType) (ValType, error), res func(uint32) (uint32, error)) (*DefinedType, error) {
	v := *d
	var err error
	opt := func(p *ValType) (*ValType, error) {
		if p == nil || err != nil {
			return p, err
		}
		x, e := f(*p)
		return &x, e
	}
	if d.Fields != nil {
		v.Fields = make([]Field, len(d.Fields))
		for i, fl := range d.Fields {
			v.Fields[i].Name = fl.Name
			if v.Fields[i].Type, err = f(fl.Type); err != nil {
				return nil, err
			}
		}
	}
	if d.Cases != nil {
		v.Cases = make([]Case, len(d.Cases))
		for i, c := range d.Cases {
			v.Cases[i].Name = c.Name
			if v.Cases[i].Type, err = opt(c.Type); err != nil {
				return nil, err
			}
		}
	}
	if d.Types != nil {
		v.Types = make([]ValType, len(d.Types))
		for i, x := range d.Types {
			if v.Types[i], err = f(x); err != nil {
				return nil, err
			}
		}
	}
	switch d.Kind {
	case KindList, KindFixedList, KindOption:
		v.Elem, err = f(d.Elem)
	case KindMap:
		if v.Key, err = f(d.Key); err == nil {
			v.Elem, err = f(d.Elem)
		}
	case KindOwn, KindBorrow:
		v.Resource, err = res(d.Resource)
	}
	if err != nil {
		return nil, err
	}
	if v.Ok, err = opt(d.Ok); err != nil {
		return nil, err
	}
	if v.Err, err = opt(d.Err); err != nil {
		return nil, err
	}
	if v.Payload, err = opt(d.Payload); err != nil {
		return nil, err
	}
	return &v, nil
}

func mapFunc(ft *FuncType, f func(ValType) (ValType, error)) (*FuncType, error) {
	out := &FuncType{Async: ft.Async, Params: make([]Field, len(ft.Params))}
	var err error
	for i, p := range ft.Params {
		out.Params[i].Name = p.Name
		if out.Params[i].Type, err = f(p.Type); err != nil {
			return nil, err
		}
	}
	if ft.Result != nil {
		r, err := f(*ft.Result)
		if err != nil {
			return nil, err
		}
		out.Result = &r
	}
	return out, nil
}

// defineType gives a type definition of scope s its identity.
func (tt *witTypes) defineType(t Type, s *witScope, depth int) (witTyID, error) {
	if len(tt.tys) > witMaxTypes {
		return 0, fmt.Errorf("too many types")
	}
	switch t := t.(type) {
	case *DefinedType:
		d, err := mapDefined(t, s.resolveVal, func(i uint32) (uint32, error) {
			id, err := s.typ(i)
			if err == nil && tt.tys[tt.peel(id)].kind != witResource {
				err = fmt.Errorf("a handle refers to type %d, which is not a resource", i)
			}
			return uint32(id), err
		})
		if err != nil {
			return 0, err
		}
		return tt.add(witTy{kind: witDefined, def: d}), nil
	case *FuncType:
		f, err := mapFunc(t, s.resolveVal)
		if err != nil {
			return 0, err
		}
		return tt.add(witTy{kind: witFunc, fn: f}), nil
	case *ResourceType:
		return tt.add(witTy{kind: witResource}), nil
	case *ComponentType:
		return tt.declsType(t.Decls, witComponent, s, depth)
	case *InstanceType:
		return tt.declsType(t.Decls, witInstance, s, depth)
	}
	return 0, fmt.Errorf("unknown type definition %T", t)
}

func (tt *witTypes) declsType(decls []Decl, kind witTyKind, parent *witScope, depth int) (witTyID, error) {
	if depth > MaxNesting {
		return 0, fmt.Errorf("types nest deeper than %d levels", MaxNesting)
	}
	inner := &witScope{parent: parent}
	info := witTy{kind: kind}
	for i := range decls {
		d := &decls[i]
		switch d.Kind {
		case DeclType:
			id, err := tt.defineType(d.Type, inner, depth+1)
			if err != nil {
				return 0, err
			}
			inner.types = append(inner.types, id)
		case DeclAlias:
			if err := tt.alias(d.Alias, inner); err != nil {
				return 0, err
			}
		case DeclImport, DeclExport:
			e, err := tt.entity(d.Name, d.Extern, inner)
			if err != nil {
				return 0, err
			}
			if d.Kind == DeclImport {
				info.imports = append(info.imports, e)
			} else {
				info.exports = append(info.exports, e)
			}
		}
	}
	return tt.add(info), nil
}

// instanceExport finds the export name of the instance type id.
func (tt *witTypes) instanceExport(id witTyID, name string) (witEntity, bool) {
	for _, e := range tt.tys[id].exports {
		if e.name.Name == name {
			return e, true
		}
	}
	return witEntity{}, false
}

// alias adds what an alias names to its index space in s; core aliases
// are not followed.
func (tt *witTypes) alias(a *Alias, s *witScope) error {
	switch a.Target {
	case AliasOuter:
		o := s
		for range a.Count {
			if o.parent == nil {
				return fmt.Errorf("outer alias count %d reaches past the outermost scope", a.Count)
			}
			o = o.parent
		}
		switch a.Sort {
		case SortType:
			id, err := o.typ(a.Index)
			if err != nil {
				return err
			}
			s.types = append(s.types, id)
		case SortComponent:
			id, err := witIndex(o.components, a.Index, "component")
			if err != nil {
				return err
			}
			s.components = append(s.components, id)
		}
		return nil
	case AliasExport:
		inst, err := witIndex(s.instances, a.Instance, "instance")
		if err != nil {
			return err
		}
		e, ok := tt.instanceExport(inst, a.Name)
		if !ok || e.sort != a.Sort {
			return fmt.Errorf("instance %d has no %s export %q", a.Instance, a.Sort, a.Name)
		}
		switch a.Sort {
		case SortType:
			s.types = append(s.types, e.created)
		case SortFunc:
			s.funcs = append(s.funcs, e.typ)
		case SortInstance:
			s.instances = append(s.instances, e.typ)
		case SortComponent:
			s.components = append(s.components, e.typ)
		}
	}
	return nil
}

// entity types an import or export declared with an extern type and adds
// it to its index space.
func (tt *witTypes) entity(name ExternName, t ExternType, s *witScope) (witEntity, error) {
	e := witEntity{name: name, sort: t.Sort}
	switch t.Sort {
	case SortType:
		if t.SubResource {
			e.created = tt.add(witTy{kind: witResource})
			e.referenced = e.created
		} else {
			ref, err := s.typ(t.Index)
			if err != nil {
				return e, err
			}
			e.referenced = ref
			e.created = tt.add(witTy{kind: witAlias, alias: ref})
		}
		s.types = append(s.types, e.created)
		return e, nil
	case SortFunc, SortInstance, SortComponent:
		id, err := s.typ(t.Index)
		if err != nil {
			return e, err
		}
		want := map[Sort]witTyKind{SortFunc: witFunc, SortInstance: witInstance, SortComponent: witComponent}[t.Sort]
		if tt.tys[id].kind != want {
			return e, fmt.Errorf("%q: type %d is not a %s type", name.Name, t.Index, t.Sort)
		}
		e.typ = id
		tt.push(s, e)
	}
	return e, nil
}

// push adds a func, instance or component entity to its index space.
func (tt *witTypes) push(s *witScope, e witEntity) {
	switch e.sort {
	case SortFunc:
		s.funcs = append(s.funcs, e.typ)
	case SortInstance:
		s.instances = append(s.instances, e.typ)
	case SortComponent:
		s.components = append(s.components, e.typ)
	case SortType:
		s.types = append(s.types, e.created)
	}
}

// peel follows the identities created by (eq i) exports.
func (tt *witTypes) peel(id witTyID) witTyID {
	for n := 0; tt.tys[id].kind == witAlias && n <= len(tt.tys); n++ {
		id = tt.tys[id].alias
	}
	return id
}

// witExtern is a top-level import or export of a component, in order.
type witExtern struct {
	export bool
	entity witEntity
}

// component types a component: it returns its component type and lists
// its imports and exports in binary order.
func (tt *witTypes) component(c *Component, parent *witScope, depth int) (witTyID, []witExtern, error) {
	if depth > MaxNesting {
		return 0, nil, fmt.Errorf("components nest deeper than %d levels", MaxNesting)
	}
	s := &witScope{parent: parent}
	info := witTy{kind: witComponent}
	var externs []witExtern
	for si, sec := range c.Sections {
		fail := func(err error) (witTyID, []witExtern, error) {
			return 0, nil, fmt.Errorf("section %d: %w", si, err)
		}
		switch sec := sec.(type) {
		case *TypeSection:
			for _, t := range sec.Types {
				id, err := tt.defineType(t, s, depth)
				if err != nil {
					return fail(err)
				}
				s.types = append(s.types, id)
			}
		case *ImportSection:
			for _, im := range sec.Imports {
				e, err := tt.entity(im.Name, im.Type, s)
				if err != nil {
					return fail(fmt.Errorf("import %q: %w", im.Name.Name, err))
				}
				info.imports = append(info.imports, e)
				externs = append(externs, witExtern{entity: e})
			}
		case *AliasSection:
			for i := range sec.Aliases {
				if err := tt.alias(&sec.Aliases[i], s); err != nil {
					return fail(err)
				}
			}
		case *CanonSection:
			for _, cf := range sec.Funcs {
				if cf.Op == CanonLift {
					id, err := s.typ(cf.Type)
					if err != nil {
						return fail(err)
					}
					s.funcs = append(s.funcs, id)
				}
			}
		case *ComponentSection:
			id, _, err := tt.component(sec.Component, s, depth+1)
			if err != nil {
				return fail(err)
			}
			s.components = append(s.components, id)
		case *InstanceSection:
			for i := range sec.Instances {
				id, err := tt.instance(&sec.Instances[i], s)
				if err != nil {
					return fail(fmt.Errorf("instance %d: %w", len(s.instances), err))
				}
				s.instances = append(s.instances, id)
			}
		case *ExportSection:
			for _, ex := range sec.Exports {
				e, err := tt.export(ex, s)
				if err != nil {
					return fail(fmt.Errorf("export %q: %w", ex.Name.Name, err))
				}
				info.exports = append(info.exports, e)
				externs = append(externs, witExtern{export: true, entity: e})
			}
		}
	}
	return tt.add(info), externs, nil
}

// sortItem returns the id a definition of a component's index space has.
func (tt *witTypes) sortItem(s *witScope, sort Sort, i uint32) (witTyID, error) {
	switch sort {
	case SortType:
		return s.typ(i)
	case SortFunc:
		return witIndex(s.funcs, i, "func")
	case SortInstance:
		return witIndex(s.instances, i, "instance")
	case SortComponent:
		return witIndex(s.components, i, "component")
	}
	return 0, fmt.Errorf("sort %s is not followed", sort)
}

func (tt *witTypes) export(ex Export, s *witScope) (witEntity, error) {
	if ex.Type != nil {
		// An ascribed type says what the export is, and the index space
		// gets that type.
		return tt.entity(ex.Name, *ex.Type, s)
	}
	e := witEntity{name: ex.Name, sort: ex.Sort}
	switch ex.Sort {
	case SortType, SortFunc, SortInstance, SortComponent:
	default:
		return e, nil // core modules and values are not part of WIT
	}
	id, err := tt.sortItem(s, ex.Sort, ex.Index)
	if err != nil {
		return e, err
	}
	if ex.Sort == SortType {
		e.referenced = id
		e.created = tt.add(witTy{kind: witAlias, alias: id})
	} else {
		e.typ = id
	}
	tt.push(s, e)
	return e, nil
}

// instance types an instance definition.
func (tt *witTypes) instance(in *Instance, s *witScope) (witTyID, error) {
	if !in.Instantiate {
		info := witTy{kind: witInstance}
		for _, x := range in.Exports {
			e := witEntity{name: x.Name, sort: x.Sort}
			if x.Sort != SortType && x.Sort != SortFunc && x.Sort != SortInstance && x.Sort != SortComponent {
				continue
			}
			id, err := tt.sortItem(s, x.Sort, x.Index)
			if err != nil {
				return 0, err
			}
			if x.Sort == SortType {
				e.referenced, e.created = id, id
			} else {
				e.typ = id
			}
			info.exports = append(info.exports, e)
		}
		return tt.add(info), nil
	}
	comp, err := witIndex(s.components, in.Component, "component")
	if err != nil {
		return 0, err
	}
	ct := tt.tys[comp]
	m := map[witTyID]witTyID{}
	for _, im := range ct.imports {
		var arg *InstantiateArg
		for i := range in.Args {
			if in.Args[i].Name == im.name.Name {
				arg = &in.Args[i]
				break
			}
		}
		if arg == nil || arg.Sort != im.sort {
			continue // left to validation
		}
		id, err := tt.sortItem(s, arg.Sort, arg.Index)
		if err != nil {
			return 0, err
		}
		switch im.sort {
		case SortType:
			m[im.created] = id
		case SortInstance:
			// The instance's types become the argument's.
			for _, e := range tt.tys[im.typ].exports {
				if e.sort != SortType {
					continue
				}
				if a, ok := tt.instanceExport(id, e.name.Name); ok && a.sort == SortType {
					m[e.created] = a.created
				}
			}
		}
	}
	info := witTy{kind: witInstance}
	memo := map[witTyID]witTyID{}
	for _, e := range ct.exports {
		ne, err := tt.substEntity(e, m, memo, 0)
		if err != nil {
			return 0, err
		}
		info.exports = append(info.exports, ne)
	}
	return tt.add(info), nil
}

func (tt *witTypes) substEntity(e witEntity, m, memo map[witTyID]witTyID, depth int) (witEntity, error) {
	var err error
	if e.sort == SortType {
		if e.referenced, err = tt.subst(e.referenced, m, memo, depth); err != nil {
			return e, err
		}
		e.created, err = tt.subst(e.created, m, memo, depth)
		return e, err
	}
	e.typ, err = tt.subst(e.typ, m, memo, depth)
	return e, err
}

// subst returns id with the substitution m applied throughout; types that
// do not change keep their ids.
func (tt *witTypes) subst(id witTyID, m, memo map[witTyID]witTyID, depth int) (witTyID, error) {
	if to, ok := m[id]; ok {
		return to, nil
	}
	if to, ok := memo[id]; ok {
		return to, nil
	}
	if depth > 1000 || len(tt.tys) > witMaxTypes {
		return 0, fmt.Errorf("types nest too deeply to instantiate")
	}
	t := tt.tys[id]
	out := id
	val := func(v ValType) (ValType, error) {
		if v.Prim != 0 {
			return v, nil
		}
		x, err := tt.subst(witTyID(v.Index), m, memo, depth+1)
		return ValType{Index: uint32(x)}, err
	}
	switch t.kind {
	case witAlias:
		a, err := tt.subst(t.alias, m, memo, depth+1)
		if err != nil {
			return 0, err
		}
		if a != t.alias {
			out = tt.add(witTy{kind: witAlias, alias: a})
		}
	case witDefined:
		changed := false
		d, err := mapDefined(t.def, func(v ValType) (ValType, error) {
			x, err := val(v)
			changed = changed || x != v
			return x, err
		}, func(r uint32) (uint32, error) {
			x, err := tt.subst(witTyID(r), m, memo, depth+1)
			changed = changed || uint32(x) != r
			return uint32(x), err
		})
		if err != nil {
			return 0, err
		}
		if changed {
			out = tt.add(witTy{kind: witDefined, def: d})
		}
	case witFunc:
		changed := false
		f, err := mapFunc(t.fn, func(v ValType) (ValType, error) {
			x, err := val(v)
			changed = changed || x != v
			return x, err
		})
		if err != nil {
			return 0, err
		}
		if changed {
			out = tt.add(witTy{kind: witFunc, fn: f})
		}
	case witInstance, witComponent:
		changed := false
		list := func(in []witEntity) ([]witEntity, error) {
			var res []witEntity
			for _, e := range in {
				ne, err := tt.substEntity(e, m, memo, depth+1)
				if err != nil {
					return nil, err
				}
				changed = changed || ne.typ != e.typ || ne.referenced != e.referenced || ne.created != e.created
				res = append(res, ne)
			}
			return res, nil
		}
		imports, err := list(t.imports)
		if err != nil {
			return 0, err
		}
		exports, err := list(t.exports)
		if err != nil {
			return 0, err
		}
		if changed {
			out = tt.add(witTy{kind: t.kind, imports: imports, exports: exports})
		}
	}
	memo[id] = out
	return out, nil
}
