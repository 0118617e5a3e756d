package component

import (
	"errors"
	"fmt"
	"strings"

	"github.com/wasmcm/wasmcm/internal/wasm"
)

// ---- definitions by sort, instances, exports, start ----

// entityOf returns the type of the definition sort/idx of s; consume marks
// a value as used.
func (v *validator) entityOf(s *scope, sort Sort, idx uint32, consume bool) (entity, error) {
	e := entity{sort: sort}
	oob := func(what string, n int) error {
		return v.errf("%s index out of bounds: %d (%d %ss defined)", what, idx, n, what)
	}
	switch sort {
	case SortFunc:
		t, err := v.funcAt(s, idx)
		e.t = t
		return e, err
	case SortType:
		t, err := v.typeAt(s, idx)
		e.t = t
		return e, err
	case SortInstance:
		if int64(idx) >= int64(len(s.instances)) {
			return e, oob("instance", len(s.instances))
		}
		e.t = s.instances[idx]
	case SortComponent:
		if int64(idx) >= int64(len(s.components)) {
			return e, oob("component", len(s.components))
		}
		e.t = s.components[idx]
	case SortCoreModule:
		if int64(idx) >= int64(len(s.coreModules)) {
			return e, oob("module", len(s.coreModules))
		}
		e.mod = s.coreModules[idx]
	case SortValue:
		if !v.f.Values {
			return e, v.errf("values need the 🪙 (values) feature")
		}
		if int64(idx) >= int64(len(s.values)) {
			return e, oob("value", len(s.values))
		}
		if consume {
			if s.values[idx].used {
				return e, v.errf("value %d cannot be used more than once", idx)
			}
			s.values[idx].used = true
		}
		e.val = s.values[idx].t
	default:
		return e, v.errf("a %s cannot be used here", sort)
	}
	return e, nil
}

func (v *validator) instance(s *scope, in *Instance) error {
	if !in.Instantiate {
		it := &vinst{}
		// The names of an inline instance are a namespace of their own.
		sp, _ := v.spaces()
		var names nameMarks
		v.openNames(&names)
		defer v.closeNames(&names)
		for _, x := range in.Exports {
			e, err := v.entityOf(s, x.Sort, x.Index, true)
			if err != nil {
				return err
			}
			if e.sort.IsCore() && e.sort != SortCoreModule {
				return v.errf("a %s cannot be exported from an instance", e.sort)
			}
			// The names of an inline instance register no resources (as
			// in the reference): a [constructor]/[method]/[static] export
			// has no resource name to refer to here.
			n, err := parseExternName(x.Name.Name, v.f)
			if err != nil {
				return v.errf("export name `%s` is not a valid extern name: %v", x.Name.Name, err)
			}
			if err := v.checkAttrs(&x.Name, &n, e); err != nil {
				return err
			}
			if err := v.checkResourceFunc(&names, sp, &n, e); err != nil {
				return v.errf("export name `%s` is not valid: %v", x.Name.Name, err)
			}
			if prev, dup := v.addKey(&names, n.key(sp), x.Name.Name); dup {
				return v.errf("export name `%s` conflicts with previous name `%s`", x.Name.Name, prev)
			}
			it.exports = append(it.exports, vexport{name: x.Name.Name, e: e})
		}
		s.instances = append(s.instances, v.newType(vview{kind: vInstance, inst: it}))
		return nil
	}
	if int64(in.Component) >= int64(len(s.components)) {
		return v.errf("unknown component %d: component index out of bounds", in.Component)
	}
	ct := v.tcomp(s.components[in.Component])
	args := map[string]entity{}
	for _, a := range in.Args {
		if _, dup := args[a.Name]; dup {
			return v.errf("instantiation argument `%s` conflicts with previous argument `%s`", a.Name, a.Name)
		}
		e, err := v.entityOf(s, a.Sort, a.Index, true)
		if err != nil {
			return err
		}
		args[a.Name] = e
	}
	b := &binder{m: map[rid]rid{}, bindable: map[rid]bool{}}
	for _, r := range ct.imported {
		b.bindable[r] = true
	}
	memo := &v.memo
	memo.reset()
	for _, im := range ct.imports {
		got, ok := args[im.name]
		if !ok {
			return v.errf("missing import named `%s`", im.name)
		}
		if err := v.entitySub(got, im.e, b); err != nil {
			return v.errf("type mismatch for import `%s`: %v", im.name, err)
		}
		// The types the import introduced are now the argument's.
		v.bindTypes(im.e, got, memo)
	}
	// Each instantiation defines new resources; bound imports are replaced
	// by what was given.
	m := &v.ridSubst
	m.reset()
	for k, r := range b.m {
		m.set(k, r)
	}
	for _, r := range ct.defined {
		v.nextRID++
		m.set(r, v.nextRID)
	}
	it := v.insts.one()
	it.exports = v.exportSlab.many(len(ct.exports))
	for i, x := range ct.exports {
		it.exports[i] = vexport{name: x.name, e: v.substEntity(x.e, m, memo, true)}
	}
	s.instances = append(s.instances, v.newType(vview{kind: vInstance, inst: it}))
	return nil
}

func (v *validator) export(s *scope, ex *Export) error {
	if ex.Sort.IsCore() && ex.Sort != SortCoreModule {
		return v.errf("a %s cannot be exported from a component", ex.Sort)
	}
	e, err := v.entityOf(s, ex.Sort, ex.Index, true)
	if err != nil {
		return err
	}
	if ex.Sort == SortType {
		e.t = v.alias(e.t)
	}
	if ex.Type != nil {
		want, err := v.externType(s, ex.Type, false)
		if err != nil {
			return err
		}
		if want.sort == SortInstance {
			want.t = v.pristine(want.t)
		}
		if err := v.entitySub(e, want, nil); err != nil {
			return v.errf("ascribed type of export is not compatible with item's type: %v", err)
		}
		if want.sort == SortType && v.types[want.t].kind == vResource && v.types[e.t].kind == vResource {
			// A (sub resource) ascription made a fresh resource above;
			// the export keeps the item's identity instead.
			want.t = e.t
			s.definedRes = s.definedRes[:len(s.definedRes)-1]
		}
		e = want
	}
	return v.addExtern(s, &ex.Name, e, false)
}

// pristine returns instance type t with resources no use has taken: t
// itself, or a copy with fresh ones when a use took t's (freshenInstance),
// so that comparing with it cannot meet that use's resources.
func (v *validator) pristine(t tid) tid {
	it := v.tinst(t)
	if !v.anyLent(it.defined) {
		return t
	}
	m := &v.ridSubst
	m.reset()
	for _, r := range it.defined {
		v.nextRID++
		m.set(r, v.nextRID)
	}
	v.memo.reset()
	return v.subst(t, m, &v.memo, false)
}

func (v *validator) start(s *scope, st *StartSection) error {
	if !v.f.Values {
		return v.errf("start functions need the 🪙 (values) feature")
	}
	if s.hasStart {
		return v.errf("component cannot have more than one start function")
	}
	s.hasStart = true
	ft, err := v.funcAt(s, st.Func)
	if err != nil {
		return err
	}
	fn := v.tfn(ft)
	if len(fn.params) != len(st.Args) {
		return v.errf("component start function requires %d arguments but was given %d", len(fn.params), len(st.Args))
	}
	for i, a := range st.Args {
		e, err := v.entityOf(s, SortValue, a, true)
		if err != nil {
			return err
		}
		if err := v.valSub(e.val, fn.params[i].t, nil); err != nil {
			return v.errf("value type mismatch for component start function argument %d: %v", i, err)
		}
	}
	n := 0
	if fn.result != nil {
		n = 1
	}
	if int(st.Results) != n {
		return v.errf("component start function has %d results but %d were declared", n, st.Results)
	}
	if fn.result != nil {
		s.values = append(s.values, valueEntry{t: *fn.result})
	}
	return nil
}

// ---- substitution and subtyping ----

func (v *validator) substVal(x vval, m *ridMap, memo *tidMap, bound bool) vval {
	if x.prim != 0 {
		return x
	}
	return vval{t: v.subst(x.t, m, memo, bound)}
}

func (v *validator) substOpt(x *vval, m *ridMap, memo *tidMap, bound bool) *vval {
	if x == nil {
		return nil
	}
	r := v.substVal(*x, m, memo, bound)
	return &r
}

func (v *validator) substEntity(e entity, m *ridMap, memo *tidMap, bound bool) entity {
	switch e.sort {
	case SortValue:
		e.val = v.substVal(e.val, m, memo, bound)
	case SortCoreModule:
	default:
		e.t = v.subst(e.t, m, memo, bound)
	}
	return e
}

// subst returns t with the resources in m replaced, copying only what
// changes. bound says that memo starts with types bound by an
// instantiation (replaced wherever they occur); without, only resources
// change, and a type without any is kept as it is.
func (v *validator) subst(t tid, m *ridMap, memo *tidMap, bound bool) tid {
	if r, ok := memo.get(t); ok {
		return r
	}
	ty := v.view(t)
	if !bound && !ty.hasRes {
		return t // no resource inside: nothing to replace
	}
	memo.set(t, t)
	out := t
	switch ty.kind {
	case vResource:
		if n, ok := m.get(ty.rid); ok {
			ty.rid = n
			out = v.newType(ty)
		}
	case vDefined:
		if d, changed := v.substDef(ty.def, m, memo, bound); changed {
			out = v.newType(vview{kind: vDefined, def: d})
		}
	case vFunc:
		// Copy the parameters only once one changes.
		var params []vfield
		for i, p := range ty.fn.params {
			x := v.substVal(p.t, m, memo, bound)
			if x != p.t && params == nil {
				params = v.fields.many(len(ty.fn.params))
				copy(params, ty.fn.params[:i])
			}
			if params != nil {
				params[i] = vfield{name: p.name, t: x}
			}
		}
		result := ty.fn.result
		if result != nil {
			if r := v.substVal(*result, m, memo, bound); r != *result {
				result = v.vals.one()
				*result = r
			}
		}
		if params != nil || result != ty.fn.result {
			if params == nil {
				params = ty.fn.params
			}
			fn := v.fns.one()
			*fn = vfunc{async: ty.fn.async, params: params, result: result}
			out = v.newType(vview{kind: vFunc, fn: fn})
		}
	case vInstance:
		// Copy the exports only once one changes.
		var exports []vexport
		for i, x := range ty.inst.exports {
			e := v.substEntity(x.e, m, memo, bound)
			if e != x.e && exports == nil {
				exports = v.exportSlab.many(len(ty.inst.exports))
				copy(exports, ty.inst.exports[:i])
			}
			if exports != nil {
				exports[i] = vexport{name: x.name, e: e}
			}
		}
		var defined []rid
		for i, r := range ty.inst.defined {
			if n, ok := m.get(r); ok {
				if defined == nil {
					defined = append(make([]rid, 0, len(ty.inst.defined)), ty.inst.defined[:i]...)
				}
				r = n
			}
			if defined != nil {
				defined = append(defined, r)
			}
		}
		if exports != nil || defined != nil {
			if exports == nil {
				exports = ty.inst.exports
			}
			if defined == nil {
				defined = ty.inst.defined
			}
			in := v.insts.one()
			*in = vinst{exports: exports, defined: defined}
			out = v.newType(vview{kind: vInstance, inst: in})
		}
	case vComponent:
		ct := &vcomp{
			imports: v.exportSlab.many(len(ty.comp.imports)),
			exports: v.exportSlab.many(len(ty.comp.exports)),
		}
		for i, x := range ty.comp.imports {
			ct.imports[i] = vexport{name: x.name, e: v.substEntity(x.e, m, memo, bound)}
		}
		for i, x := range ty.comp.exports {
			ct.exports[i] = vexport{name: x.name, e: v.substEntity(x.e, m, memo, bound)}
		}
		mapR := func(rs []rid) []rid {
			out := make([]rid, len(rs))
			for i, r := range rs {
				if n, ok := m.get(r); ok {
					r = n
				}
				out[i] = r
			}
			return out
		}
		ct.imported, ct.defined = mapR(ty.comp.imported), mapR(ty.comp.defined)
		out = v.newType(vview{kind: vComponent, comp: ct})
	}
	memo.set(t, out)
	return out
}

// substDef substitutes into the value types of a defined type, returning
// a copy when one changed.
func (v *validator) substDef(od *vdef, m *ridMap, memo *tidMap, bound bool) (*vdef, bool) {
	changed := false
	sv := func(x vval) vval {
		r := v.substVal(x, m, memo, bound)
		changed = changed || r != x
		return r
	}
	so := func(x *vval) *vval {
		if x == nil {
			return nil
		}
		if r := sv(*x); r != *x {
			p := v.vals.one()
			*p = r
			return p
		}
		return x
	}
	// Find out whether anything changes before copying (a second
	// substitution of a child is a memo lookup).
	for c := range od.children {
		sv(c)
	}
	if od.kind == KindOwn || od.kind == KindBorrow {
		changed = changed || v.subst(od.res, m, memo, bound) != od.res
	}
	if !changed {
		return od, false
	}
	d := v.defs.one()
	*d = *od
	d.esize = 0 // its children may differ in size: newType counts them
	if od.fields != nil {
		d.fields = v.fields.many(len(od.fields))
		for i, f := range od.fields {
			d.fields[i] = vfield{name: f.name, t: sv(f.t)} // noPrim stays
		}
	}
	d.elem, d.ok, d.err = so(od.elem), so(od.ok), so(od.err)
	d.key = sv(od.key)
	if d.kind == KindOwn || d.kind == KindBorrow {
		d.res = v.subst(od.res, m, memo, bound)
		changed = changed || d.res != od.res
	}
	return d, changed
}

// bindTypes records, for substitution, that the types an import declared
// are those of the argument given for it (Binary.md: "the actual type
// supplied is immediately substituted for all uses of the import").
func (v *validator) bindTypes(want, got entity, memo *tidMap) {
	switch want.sort {
	case SortType:
		memo.set(want.t, got.t)
	case SortInstance:
		gi := v.tinst(got.t)
		for _, x := range v.tinst(want.t).exports {
			if g, ok := v.lookup(gi, x.name); ok && g.sort == x.e.sort {
				v.bindTypes(x.e, g, memo)
			}
		}
	}
}

// binder binds the abstract resources of a component's imports to the
// resources of the arguments as instantiation matches them.
type binder struct {
	m        map[rid]rid
	bindable map[rid]bool
}

func (v *validator) resourceSub(a, e rid, b *binder) error {
	if b != nil {
		if m, ok := b.m[a]; ok {
			a = m
		}
		if m, ok := b.m[e]; ok {
			e = m
		}
		if a == e {
			return nil
		}
		if _, bound := b.m[e]; !bound && b.bindable[e] {
			b.m[e] = a
			return nil
		}
		if _, bound := b.m[a]; !bound && b.bindable[a] {
			b.m[a] = e
			return nil
		}
	}
	if a != e {
		return fmt.Errorf("resource types are not the same")
	}
	return nil
}

// entitySub checks that a definition of type a may be used where b is
// expected.
func (v *validator) entitySub(a, b entity, bd *binder) error {
	if a.sort != b.sort {
		return fmt.Errorf("expected %s, found %s", b.sort, a.sort)
	}
	switch a.sort {
	case SortCoreModule:
		return v.moduleSub(a.mod, b.mod)
	case SortValue:
		return v.valSub(a.val, b.val, bd)
	}
	return v.typeSub(a.t, b.t, bd)
}

func (v *validator) typeSub(a, b tid, bd *binder) error {
	ta, tb := v.view(a), v.view(b)
	if ta.kind != tb.kind {
		return fmt.Errorf("expected %s, found %s", tb.kind, ta.kind)
	}
	switch ta.kind {
	case vResource:
		return v.resourceSub(ta.rid, tb.rid, bd)
	case vDefined:
		return v.valSub(vval{t: a}, vval{t: b}, bd)
	case vFunc:
		return v.funcSub(ta.fn, tb.fn, bd)
	case vInstance:
		for _, x := range tb.inst.exports {
			got, ok := v.lookup(ta.inst, x.name)
			if !ok {
				return fmt.Errorf("missing expected export `%s`", x.name)
			}
			if err := v.entitySub(got, x.e, bd); err != nil {
				return fmt.Errorf("type mismatch in instance export `%s`: %v", x.name, err)
			}
		}
	case vComponent:
		// a's abstract imported resources unify with what b provides.
		nb := &binder{m: map[rid]rid{}, bindable: map[rid]bool{}}
		if bd != nil {
			for k, r := range bd.m {
				nb.m[k] = r
			}
			for k := range bd.bindable {
				nb.bindable[k] = true
			}
		}
		for _, r := range ta.comp.imported {
			nb.bindable[r] = true
		}
		bd = nb
		// Imports are contravariant: what a needs, b's importers give.
		for _, x := range ta.comp.imports {
			var got *entity
			for i := range tb.comp.imports {
				if tb.comp.imports[i].name == x.name {
					got = &tb.comp.imports[i].e
				}
			}
			if got == nil {
				return fmt.Errorf("missing expected import `%s`", x.name)
			}
			if err := v.entitySub(*got, x.e, bd); err != nil {
				return fmt.Errorf("type mismatch in import `%s`: %v", x.name, err)
			}
		}
		for _, x := range tb.comp.exports {
			var got *entity
			for i := range ta.comp.exports {
				if ta.comp.exports[i].name == x.name {
					got = &ta.comp.exports[i].e
				}
			}
			if got == nil {
				return fmt.Errorf("missing expected export `%s`", x.name)
			}
			if err := v.entitySub(*got, x.e, bd); err != nil {
				return fmt.Errorf("type mismatch in export `%s`: %v", x.name, err)
			}
		}
	}
	return nil
}

func (v *validator) funcSub(a, b *vfunc, bd *binder) error {
	if a.async != b.async {
		return fmt.Errorf("async mismatch between function types")
	}
	if len(a.params) != len(b.params) {
		return fmt.Errorf("expected %d parameters, found %d", len(b.params), len(a.params))
	}
	for i := range a.params {
		if a.params[i].name != b.params[i].name {
			return fmt.Errorf("expected parameter named `%s`, found `%s`", b.params[i].name, a.params[i].name)
		}
		if err := v.valSub(a.params[i].t, b.params[i].t, bd); err != nil {
			return fmt.Errorf("type mismatch in function parameter `%s`: %v", a.params[i].name, err)
		}
	}
	switch {
	case a.result == nil && b.result == nil:
		return nil
	case a.result == nil:
		return fmt.Errorf("expected a result, found none")
	case b.result == nil:
		return fmt.Errorf("expected no result, found one")
	}
	if err := v.valSub(*a.result, *b.result, bd); err != nil {
		return fmt.Errorf("type mismatch with result type: %v", err)
	}
	return nil
}

// kindName names the kind of a value type as the reference's messages do:
// a primitive by name ("u32"), a defined type by kind ("record"), except
// that an expected defined primitive is just "primitive".
func (v *validator) kindName(x vval, expected bool) string {
	if x.prim != 0 {
		return x.prim.String()
	}
	d := v.def(x)
	if d.kind == KindPrimitive {
		if expected {
			return "primitive"
		}
		return d.prim.String()
	}
	return map[DefinedKind]string{KindRecord: "record", KindVariant: "variant", KindList: "list",
		KindFixedList: "fixed-length list", KindTuple: "tuple", KindFlags: "flags", KindEnum: "enum",
		KindOption: "option", KindResult: "result", KindOwn: "own", KindBorrow: "borrow",
		KindStream: "stream", KindFuture: "future", KindMap: "map"}[d.kind]
}

// optSub checks optional types (a case's payload, a result's ok): missing
// is the error when only b has a type, extra when only a has one, and
// mismatch prefixes the error of their types.
func (v *validator) optSub(a, b *vval, missing, extra, mismatch string, bd *binder) error {
	switch {
	case a == nil && b == nil:
		return nil
	case a == nil:
		return errors.New(missing)
	case b == nil:
		return errors.New(extra)
	}
	if err := v.valSub(*a, *b, bd); err != nil {
		return fmt.Errorf("%s: %v", mismatch, err)
	}
	return nil
}

// optSubOf is optSub with the reference's words for ok, err, future and
// stream types.
func (v *validator) optSubOf(a, b *vval, what, mismatch string, bd *binder) error {
	return v.optSub(a, b, "expected "+what+" type, but found none", "expected "+what+" type to not be present", mismatch, bd)
}

// valSub checks value types structurally (primitives must be equal, as
// the reference implementation does).
func (v *validator) valSub(a, b vval, bd *binder) error {
	if a.prim == 0 && b.prim == 0 && a.t == b.t {
		return nil
	}
	pa, pb := a.prim, b.prim
	da, db := v.def(a), v.def(b)
	if da != nil && da.kind == KindPrimitive {
		pa, da = da.prim, nil
	}
	if db != nil && db.kind == KindPrimitive {
		pb, db = db.prim, nil
	}
	if pa != 0 || pb != 0 {
		if pa != pb {
			if pa != 0 && pb != 0 {
				return fmt.Errorf("expected primitive `%s` found primitive `%s`", pb, pa)
			}
			return fmt.Errorf("expected %s, found %s", v.kindName(b, true), v.kindName(a, false))
		}
		return nil
	}
	if da.kind != db.kind {
		return fmt.Errorf("expected %s, found %s", v.kindName(b, true), v.kindName(a, false))
	}
	key := [2]tid{a.t, b.t}
	cacheable := !da.hasRes && !db.hasRes
	if cacheable && v.sameTypes[key] {
		return nil
	}
	if err := v.defSub(a, b, da, db, bd); err != nil {
		return err
	}
	if cacheable {
		if v.sameTypes == nil {
			v.sameTypes = map[[2]tid]bool{}
		}
		v.sameTypes[key] = true
	}
	return nil
}

func (v *validator) defSub(a, b vval, da, db *vdef, bd *binder) error {
	switch da.kind {
	case KindRecord:
		if len(da.fields) != len(db.fields) {
			return fmt.Errorf("expected %d fields, found %d", len(db.fields), len(da.fields))
		}
		for i := range da.fields {
			if da.fields[i].name != db.fields[i].name {
				return fmt.Errorf("expected field name `%s`, found `%s`", db.fields[i].name, da.fields[i].name)
			}
			if err := v.valSub(da.fields[i].t, db.fields[i].t, bd); err != nil {
				return fmt.Errorf("type mismatch in record field `%s`: %v", da.fields[i].name, err)
			}
		}
	case KindVariant:
		if len(da.fields) != len(db.fields) {
			return fmt.Errorf("expected %d cases, found %d", len(db.fields), len(da.fields))
		}
		for i := range da.fields {
			if da.fields[i].name != db.fields[i].name {
				return fmt.Errorf("expected case named `%s`, found `%s`", db.fields[i].name, da.fields[i].name)
			}
			name := da.fields[i].name
			if err := v.optSub(da.fields[i].opt(), db.fields[i].opt(), "expected case `"+name+"` to have a type, found none",
				"expected case `"+name+"` to have no type", "type mismatch in variant case `"+name+"`", bd); err != nil {
				return err
			}
		}
	case KindTuple:
		if len(da.fields) != len(db.fields) {
			return fmt.Errorf("expected %d types, found %d", len(db.fields), len(da.fields))
		}
		for i := range da.fields {
			if err := v.valSub(da.fields[i].t, db.fields[i].t, bd); err != nil {
				return fmt.Errorf("type mismatch in tuple field %d: %v", i, err)
			}
		}
	case KindFlags, KindEnum:
		if len(da.names) != len(db.names) {
			return fmt.Errorf("mismatch in %s elements", v.kindName(a, false))
		}
		for i := range da.names {
			if da.names[i] != db.names[i] {
				return fmt.Errorf("mismatch in %s elements", v.kindName(a, false))
			}
		}
	case KindList, KindOption:
		return v.valSub(*da.elem, *db.elem, bd)
	case KindFixedList:
		if da.n != db.n {
			return fmt.Errorf("expected fixed-length list of %d elements, found %d", db.n, da.n)
		}
		return v.valSub(*da.elem, *db.elem, bd)
	case KindMap:
		if err := v.valSub(da.key, db.key, bd); err != nil {
			return err
		}
		return v.valSub(*da.elem, *db.elem, bd)
	case KindResult:
		if err := v.optSubOf(da.ok, db.ok, "ok", "type mismatch in ok variant", bd); err != nil {
			return err
		}
		return v.optSubOf(da.err, db.err, "err", "type mismatch in err variant", bd)
	case KindOwn, KindBorrow:
		return v.resourceSub(v.types[da.res].rid, v.types[db.res].rid, bd)
	case KindStream, KindFuture:
		what := "future"
		if da.kind == KindStream {
			what = "stream"
		}
		return v.optSubOf(da.elem, db.elem, what, "type mismatch in "+what, bd)
	}
	return nil
}

// moduleSub checks a core module type a against an expected b: a may
// import less and export more.
func (v *validator) moduleSub(a, b *moduleType) error {
	// A module's imports are unique (moduleFromInfo, moduleTypeDef): past a
	// few, b's are found through a map rather than by scanning them for
	// each of a's, which untrusted counts would make quadratic.
	var byName map[[2]string]int
	if len(a.imports) > 8 && len(b.imports) > 8 {
		byName = make(map[[2]string]int, len(b.imports))
		for j, bim := range b.imports {
			byName[[2]string{bim.Module, bim.Name}] = j
		}
	}
	for i, im := range a.imports {
		j := -1
		if byName != nil {
			if k, ok := byName[[2]string{im.Module, im.Name}]; ok {
				j = k
			}
		} else {
			for k, bim := range b.imports {
				if bim.Module == im.Module && bim.Name == im.Name {
					j = k
					break
				}
			}
		}
		if j < 0 {
			return fmt.Errorf("missing expected import `%s::%s`", im.Module, im.Name)
		}
		if err := v.coreExternSub(&b.itypes[j], &a.itypes[i]); err != nil {
			return fmt.Errorf("type mismatch in import `%s::%s`: %v", im.Module, im.Name, err)
		}
	}
	for i, name := range b.exports.names {
		got, ok := v.coreExport(a.exports, name)
		if !ok {
			return fmt.Errorf("missing expected export `%s`", name)
		}
		if err := v.coreExternSub(got, &b.exports.types[i]); err != nil {
			return fmt.Errorf("type mismatch in export `%s`: %v", name, err)
		}
	}
	return nil
}

// ---- canonical definitions ----

// canonOpts are checked canonical options.
type canonOpts struct {
	encoding   CanonOptKind
	memory     *uint32
	ptr        wasm.ValType
	realloc    *uint32
	postReturn *uint32
	async      bool
	callback   *uint32
	coreType   *wasm.FuncType
	gc         bool
}

// encName names a string encoding as the reference's messages do.
func encName(k CanonOptKind) string {
	return [...]string{"utf8", "utf16", "latin1-utf16"}[k]
}

// rustTypes writes core value types as the reference's messages do
// ("[I32, I64]"), with the text format for reference types.
func rustTypes(ts []wasm.ValType) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, t := range ts {
		if i > 0 {
			b.WriteString(", ")
		}
		switch t {
		case wasm.ValI32:
			b.WriteString("I32")
		case wasm.ValI64:
			b.WriteString("I64")
		case wasm.ValF32:
			b.WriteString("F32")
		case wasm.ValF64:
			b.WriteString("F64")
		case wasm.ValV128:
			b.WriteString("V128")
		default:
			b.WriteString(t.String())
		}
	}
	b.WriteByte(']')
	return b.String()
}

func (v *validator) checkOpts(s *scope, opts []CanonOpt) (*canonOpts, error) {
	o := v.opts.one()
	o.ptr = wasm.ValI32
	var enc *CanonOpt
	for i := range opts {
		op := &opts[i]
		switch op.Kind {
		case OptUTF8, OptUTF16, OptLatin1UTF16:
			if enc != nil {
				return nil, v.errf("canonical encoding option `%s` conflicts with option `%s`", encName(enc.Kind), encName(op.Kind))
			}
			enc = op
		case OptMemory:
			if o.memory != nil {
				return nil, v.errf("canonical option `memory` is specified more than once")
			}
			m, err := v.memoryAt(s, op.Index)
			if err != nil {
				return nil, err
			}
			if m.Shared {
				return nil, v.errf("canonical option `memory` must name an unshared memory: mismatch in the shared flag for memories")
			}
			if m.Is64 {
				if !v.f.Memory64 {
					return nil, v.errf("64-bit memories require the `cm64` feature to be enabled (canonical option `memory`)")
				}
				o.ptr = wasm.ValI64
			}
			o.memory = &op.Index
		case OptRealloc:
			if o.realloc != nil {
				return nil, v.errf("canonical option `realloc` is specified more than once")
			}
			o.realloc = &op.Index
		case OptPostReturn:
			if o.postReturn != nil {
				return nil, v.errf("canonical option `post-return` is specified more than once")
			}
			o.postReturn = &op.Index
		case OptAsync:
			if o.async {
				return nil, v.errf("canonical option `async` is specified more than once")
			}
			if !v.f.Async {
				return nil, v.errf("canonical option `async` requires the component model async feature")
			}
			o.async = true
		case OptCallback:
			if o.callback != nil {
				return nil, v.errf("canonical option `callback` is specified more than once")
			}
			o.callback = &op.Index
		case OptCoreType:
			if o.coreType != nil {
				return nil, v.errf("canonical option `core type` is specified more than once")
			}
			if !v.f.GC {
				return nil, v.errf("canonical option `core type` requires the component model gc feature")
			}
			ft, err := v.coreFuncTypeAt(s, op.Index)
			if err != nil {
				return nil, err
			}
			o.coreType = ft
		case OptGC:
			if o.gc {
				return nil, v.errf("canonical option `gc` is specified more than once")
			}
			if !v.f.GC {
				return nil, v.errf("canonical option `gc` requires the `cm-gc` feature")
			}
			o.gc = true
		}
	}
	if enc != nil {
		o.encoding = enc.Kind
	}
	if o.callback != nil && !o.async {
		return nil, v.errf("cannot specify callback without async")
	}
	if o.async && o.postReturn != nil {
		return nil, v.errf("cannot specify post-return function in async")
	}
	if o.coreType != nil && !o.gc {
		return nil, v.errf("cannot specify `core-type` without `gc`")
	}
	if o.realloc != nil {
		if o.memory == nil {
			return nil, v.errf("canonical option `realloc` requires `memory` to also be specified")
		}
		ft, err := v.coreFuncAt(s, *o.realloc)
		if err != nil {
			return nil, err
		}
		p := o.ptr
		if !ft.Equal(&wasm.FuncType{Params: []wasm.ValType{p, p, p, p}, Results: []wasm.ValType{p}}) {
			return nil, v.errf("canonical option `realloc` uses a core function with an incorrect signature")
		}
	}
	return o, nil
}

func (v *validator) requireMemory(o *canonOpts) error {
	if o.memory == nil {
		return v.errf("canonical option `memory` is required")
	}
	return nil
}

func (v *validator) requireRealloc(o *canonOpts) error {
	if err := v.requireMemory(o); err != nil {
		return err
	}
	if o.realloc == nil {
		return v.errf("canonical option `realloc` is required")
	}
	return nil
}

func (v *validator) checkLowerOpts(o *canonOpts) error {
	if o.postReturn != nil {
		return v.errf("canonical option `post-return` cannot be specified for lowerings")
	}
	if o.callback != nil {
		return v.errf("canonical option `callback` cannot be specified for lowerings")
	}
	if o.gc && o.coreType == nil {
		return v.errf("cannot specify `gc` without also specifying a `core-type` for lowerings")
	}
	return nil
}

const (
	maxFlatParams      = 16
	maxFlatAsyncParams = 4
	maxFlatResults     = 1
)

// lowerFunc computes the core signature of fn lifted (lift) or lowered
// (!lift) with the options, checking the options it needs (CanonicalABI.md,
// flatten_functype).
func (v *validator) lowerFunc(fn *vfunc, o *canonOpts, lift bool) (*wasm.FuncType, error) {
	if o.gc {
		if o.coreType == nil {
			return nil, v.errf("canonical option `gc` requires a `core-type`")
		}
		return o.coreType, nil
	}
	// The lists are built in the validator's scratch buffers and copied
	// into its slabs once their length is known.
	params := flatTypes{t: v.flatBuf[0][:0], max: maxFlatParams}
	results := flatTypes{t: v.flatBuf[1][:0], max: maxFlatResults}
	defer func() { v.flatBuf[0], v.flatBuf[1] = params.t[:0], results.t[:0] }()
	if !lift && o.async {
		params.max = maxFlatAsyncParams
	}
	for _, p := range fn.params {
		if v.containsPtr(p.t) {
			if lift {
				if err := v.requireRealloc(o); err != nil {
					return nil, err
				}
			} else if err := v.requireMemory(o); err != nil {
				return nil, err
			}
		}
		if !v.flatten(p.t, o.ptr, &params) {
			params.t = append(params.t[:0], o.ptr)
			if err := v.requireMemory(o); err != nil {
				return nil, err
			}
			if lift {
				if err := v.requireRealloc(o); err != nil {
					return nil, err
				}
			}
			break
		}
	}
	if fn.result != nil && !lift && v.containsPtr(*fn.result) {
		if err := v.requireRealloc(o); err != nil {
			return nil, err
		}
	}
	switch {
	case !o.async:
		if fn.result != nil && !v.flatten(*fn.result, o.ptr, &results) {
			results.t = results.t[:0]
			if err := v.requireMemory(o); err != nil {
				return nil, err
			}
			if lift {
				results.t = append(results.t[:0], o.ptr)
			} else {
				params.t = append(params.t, o.ptr)
			}
		}
	case !lift:
		if fn.result != nil {
			params.t = append(params.t, wasm.ValI32)
			if err := v.requireMemory(o); err != nil {
				return nil, err
			}
		}
		results.t = append(results.t[:0], wasm.ValI32)
	default:
		if fn.result != nil {
			tmp := flatTypes{t: v.flatBuf[2][:0], max: maxFlatParams}
			overflow := !v.flatten(*fn.result, o.ptr, &tmp)
			v.flatBuf[2] = tmp.t[:0]
			if overflow || v.containsPtr(*fn.result) {
				if err := v.requireMemory(o); err != nil {
					return nil, err
				}
			}
		}
		if o.callback != nil {
			results.t = append(results.t[:0], wasm.ValI32)
		}
	}
	ft := v.coreSigs.one()
	ft.Params, ft.Results = v.keepFlat(params.t), v.keepFlat(results.t)
	return ft, nil
}

// keepFlat copies a flattened list out of the scratch buffers into the
// validator's slab (nil when empty, as a list never pushed to was).
func (v *validator) keepFlat(t []wasm.ValType) []wasm.ValType {
	if len(t) == 0 {
		return nil
	}
	k := v.flatVals.many(len(t))
	copy(k, t)
	return k
}

// sig returns a core function type of the validator's slabs (the lists
// given are copied: literals stay on the stack).
func (v *validator) sig(params, results []wasm.ValType) *wasm.FuncType {
	ft := v.coreSigs.one()
	ft.Params, ft.Results = v.keepFlat(params), v.keepFlat(results)
	return ft
}

var (
	i32 = wasm.ValI32
	i64 = wasm.ValI64
)

func (v *validator) needAsync(op CanonOp) error {
	if !v.f.Async {
		return v.errf("`%s` requires the component model async feature", op)
	}
	return nil
}

func (v *validator) needThreading(op CanonOp) error {
	if !v.f.Threading {
		return v.errf("`%s` requires the component model threading feature", op)
	}
	return nil
}

// streamOrFuture returns the payload of the stream (or future) type i.
func (v *validator) streamOrFuture(s *scope, i uint32, kind DefinedKind, op CanonOp) (*vval, error) {
	id, err := v.typeAt(s, i)
	if err != nil {
		return nil, err
	}
	d := v.tdef(id)
	if d == nil || d.kind != kind {
		what := "stream"
		if kind == KindFuture {
			what = "future"
		}
		return nil, v.errf("`%s` requires a %s type", op, what)
	}
	return d.elem, nil
}

func (v *validator) canon(s *scope, c *Canon) error {
	var ft *wasm.FuncType
	switch c.Op {
	case CanonLift:
		core, err := v.coreFuncAt(s, c.Func)
		if err != nil {
			return err
		}
		t, err := v.typeAt(s, c.Type)
		if err != nil {
			return err
		}
		if v.types[t].kind != vFunc {
			return v.errf("type index %d is not a function type", c.Type)
		}
		fn := v.tfn(t)
		o, err := v.checkOpts(s, c.Options)
		if err != nil {
			return err
		}
		if o.postReturn != nil {
			pr, err := v.coreFuncAt(s, *o.postReturn)
			if err != nil {
				return err
			}
			if !(&wasm.FuncType{Params: core.Results}).Equal(pr) {
				return v.errf("canonical option `post-return` uses a core function with an incorrect signature")
			}
		}
		if o.async {
			if o.callback == nil && !v.f.AsyncStackful {
				return v.errf("async lift without a callback requires the component model async stackful feature")
			}
			if o.callback != nil {
				cb, err := v.coreFuncAt(s, *o.callback)
				if err != nil {
					return err
				}
				if !cb.Equal(v.sig([]wasm.ValType{i32, i32, i32}, []wasm.ValType{i32})) && !cb.Equal(v.sig([]wasm.ValType{i32}, []wasm.ValType{i32})) {
					if len(cb.Params) != 3 && len(cb.Params) != 1 {
						return v.errf("canonical option `callback` uses a core function with an incorrect signature")
					}
				}
			}
		}
		if o.coreType != nil {
			return v.errf("canonical option `core-type` is not allowed in `canon lift`")
		}
		if o.gc {
			o.coreType = core
		}
		if o.async && !fn.async {
			return v.errf("the `async` canonical option requires an async function type")
		}
		want, err := v.lowerFunc(fn, o, true)
		if err != nil {
			return err
		}
		if !want.Equal(core) {
			if !(&wasm.FuncType{Params: want.Params}).Equal(&wasm.FuncType{Params: core.Params}) {
				return v.errf("lowered parameter types `%s` do not match parameter types `%s` of core function %d", rustTypes(want.Params), rustTypes(core.Params), c.Func)
			}
			return v.errf("lowered result types `%s` do not match result types `%s` of core function %d", rustTypes(want.Results), rustTypes(core.Results), c.Func)
		}
		s.funcs = append(s.funcs, t)
		return nil
	case CanonLower:
		t, err := v.funcAt(s, c.Func)
		if err != nil {
			return err
		}
		fn := v.tfn(t)
		o, err := v.checkOpts(s, c.Options)
		if err != nil {
			return err
		}
		if err := v.checkLowerOpts(o); err != nil {
			return err
		}
		if o.async && !fn.async {
			return v.errf("the `async` canonical option requires an async function type")
		}
		if ft, err = v.lowerFunc(fn, o, false); err != nil {
			return err
		}
	case CanonResourceNew, CanonResourceRep:
		r, err := v.resourceAt(s, c.Type)
		if err != nil {
			return err
		}
		rep, ok := s.localResources[v.types[r].rid]
		if !ok {
			return v.errf("type %d is not a local resource", c.Type)
		}
		if c.Op == CanonResourceNew {
			ft = v.sig([]wasm.ValType{rep}, []wasm.ValType{i32})
		} else {
			ft = v.sig([]wasm.ValType{i32}, []wasm.ValType{rep})
		}
	case CanonResourceDrop:
		if _, err := v.resourceAt(s, c.Type); err != nil {
			return err
		}
		ft = v.sig([]wasm.ValType{i32}, nil)
	case CanonBackpressureInc, CanonBackpressureDec, CanonTaskCancel:
		if err := v.needAsync(c.Op); err != nil {
			return err
		}
		ft = v.sig(nil, nil)
	case CanonTaskReturn:
		if err := v.needAsync(c.Op); err != nil {
			return err
		}
		r, err := v.optValType(s, c.Result)
		if err != nil {
			return err
		}
		fn := &vfunc{}
		if r != nil {
			fn.params = []vfield{{name: "v", t: *r}}
		}
		o, err := v.checkOpts(s, c.Options)
		if err != nil {
			return err
		}
		if o.realloc != nil {
			return v.errf("cannot specify `realloc` option on `task.return`")
		}
		if o.postReturn != nil {
			return v.errf("cannot specify `post-return` option on `task.return`")
		}
		if err := v.checkLowerOpts(o); err != nil {
			return err
		}
		if o.async {
			return v.errf("cannot specify `async` option on `task.return`")
		}
		if ft, err = v.lowerFunc(fn, o, false); err != nil {
			return err
		}
	case CanonContextGet, CanonContextSet:
		if err := v.needAsync(c.Op); err != nil {
			return err
		}
		switch {
		case c.ValType == i32:
		case c.ValType == i64:
			if !v.f.Memory64 {
				return v.errf("64-bit `%s` requires the component model 64-bit feature", c.Op)
			}
		default:
			return v.errf("`%s` only supports `i32` or `i64`", c.Op)
		}
		if s.contextType != nil && *s.contextType != c.ValType {
			return v.errf("`%s` type must match previous context type", c.Op)
		}
		ct := c.ValType
		s.contextType = &ct
		if c.Index > 0 {
			if !v.f.Threading {
				return v.errf("`%s` immediate must be zero: %d", c.Op, c.Index)
			}
			if c.Index > 1 {
				return v.errf("`%s` immediate must be zero or one: %d", c.Op, c.Index)
			}
		}
		if c.Op == CanonContextGet {
			ft = v.sig(nil, []wasm.ValType{c.ValType})
		} else {
			ft = v.sig([]wasm.ValType{c.ValType}, nil)
		}
	case CanonSubtaskDrop:
		if err := v.needAsync(c.Op); err != nil {
			return err
		}
		ft = v.sig([]wasm.ValType{i32}, nil)
	case CanonSubtaskCancel:
		if err := v.needAsync(c.Op); err != nil {
			return err
		}
		if c.Flag && !v.f.MoreAsyncBuiltins {
			return v.errf("async `subtask.cancel` requires the component model more async builtins feature")
		}
		ft = v.sig([]wasm.ValType{i32}, []wasm.ValType{i32})
	case CanonStreamNew, CanonFutureNew, CanonStreamDropReadable, CanonStreamDropWritable,
		CanonFutureDropReadable, CanonFutureDropWritable, CanonStreamCancelRead, CanonStreamCancelWrite,
		CanonFutureCancelRead, CanonFutureCancelWrite, CanonStreamRead, CanonStreamWrite,
		CanonFutureRead, CanonFutureWrite:
		if err := v.needAsync(c.Op); err != nil {
			return err
		}
		kind := KindStream
		switch c.Op {
		case CanonFutureNew, CanonFutureDropReadable, CanonFutureDropWritable, CanonFutureCancelRead,
			CanonFutureCancelWrite, CanonFutureRead, CanonFutureWrite:
			kind = KindFuture
		}
		elem, err := v.streamOrFuture(s, c.Type, kind, c.Op)
		if err != nil {
			return err
		}
		switch c.Op {
		case CanonStreamNew, CanonFutureNew:
			ft = v.sig(nil, []wasm.ValType{i64})
		case CanonStreamDropReadable, CanonStreamDropWritable, CanonFutureDropReadable, CanonFutureDropWritable:
			ft = v.sig([]wasm.ValType{i32}, nil)
		case CanonStreamCancelRead, CanonStreamCancelWrite, CanonFutureCancelRead, CanonFutureCancelWrite:
			if c.Flag && !v.f.MoreAsyncBuiltins {
				return v.errf("async `%s` requires the component model more async builtins feature", c.Op)
			}
			ft = v.sig([]wasm.ValType{i32}, []wasm.ValType{i32})
		default:
			o, err := v.checkOpts(s, c.Options)
			if err != nil {
				return err
			}
			if !o.async && !v.f.MoreAsyncBuiltins {
				return v.errf("synchronous `%s` requires the component model more async builtins feature", c.Op)
			}
			if elem != nil {
				if err := v.requireMemory(o); err != nil {
					return err
				}
			}
			read := c.Op == CanonStreamRead || c.Op == CanonFutureRead
			if read && elem != nil && v.containsPtr(*elem) {
				if err := v.requireRealloc(o); err != nil {
					return err
				}
			}
			if c.Op != CanonFutureWrite {
				if err := v.checkLowerOpts(o); err != nil {
					return err
				}
			}
			n := 3
			if kind == KindFuture {
				n = 2
			}
			p := make([]wasm.ValType, n)
			for i := range p {
				p[i] = i32
			}
			ft = v.sig(p, []wasm.ValType{i32})
			if o.coreType != nil {
				if !o.coreType.Equal(ft) {
					return v.errf("declared core type does not match the lowering of `%s`", c.Op)
				}
			}
		}
	case CanonErrorContextNew, CanonErrorContextDebug:
		if !v.f.ErrorContext {
			return v.errf("`%s` requires the component model error-context feature", c.Op)
		}
		o, err := v.checkOpts(s, c.Options)
		if err != nil {
			return err
		}
		if err := v.requireMemory(o); err != nil {
			return err
		}
		if o.async {
			return v.errf("cannot specify `async` option on `%s`", c.Op)
		}
		if c.Op == CanonErrorContextNew {
			ft = v.sig([]wasm.ValType{i32, i32}, []wasm.ValType{i32})
		} else {
			if err := v.requireRealloc(o); err != nil {
				return err
			}
			ft = v.sig([]wasm.ValType{i32, i32}, nil)
		}
	case CanonErrorContextDrop:
		if !v.f.ErrorContext {
			return v.errf("`%s` requires the component model error-context feature", c.Op)
		}
		ft = v.sig([]wasm.ValType{i32}, nil)
	case CanonWaitableSetNew:
		if err := v.needAsync(c.Op); err != nil {
			return err
		}
		ft = v.sig(nil, []wasm.ValType{i32})
	case CanonWaitableSetWait, CanonWaitableSetPoll:
		if err := v.needAsync(c.Op); err != nil {
			return err
		}
		m, err := v.memoryAt(s, c.Index)
		if err != nil {
			return err
		}
		if m.Shared {
			return v.errf("`%s` must name an unshared memory: mismatch in the shared flag for memories", c.Op)
		}
		p := i32
		if m.Is64 {
			p = i64
		}
		ft = v.sig([]wasm.ValType{i32, p}, []wasm.ValType{i32})
	case CanonWaitableSetDrop:
		if err := v.needAsync(c.Op); err != nil {
			return err
		}
		ft = v.sig([]wasm.ValType{i32}, nil)
	case CanonWaitableJoin:
		if err := v.needAsync(c.Op); err != nil {
			return err
		}
		ft = v.sig([]wasm.ValType{i32, i32}, nil)
	case CanonThreadYield:
		if err := v.needAsync(c.Op); err != nil {
			return err
		}
		ft = v.sig(nil, []wasm.ValType{i32})
	case CanonThreadIndex, CanonThreadSuspend:
		if err := v.needThreading(c.Op); err != nil {
			return err
		}
		ft = v.sig(nil, []wasm.ValType{i32})
	case CanonThreadResumeLater:
		if err := v.needThreading(c.Op); err != nil {
			return err
		}
		ft = v.sig([]wasm.ValType{i32}, nil)
	case CanonThreadSuspendThenResume, CanonThreadYieldThenResume, CanonThreadSuspendThenPromote, CanonThreadYieldThenPromote:
		if err := v.needThreading(c.Op); err != nil {
			return err
		}
		ft = v.sig([]wasm.ValType{i32}, []wasm.ValType{i32})
	case CanonThreadNewIndirect:
		if err := v.needThreading(c.Op); err != nil {
			return err
		}
		start, err := v.coreFuncTypeAt(s, c.Type)
		if err != nil {
			return err
		}
		if len(start.Params) != 1 || start.Params[0] != i32 || len(start.Results) != 0 {
			return v.errf("start function must take a single `i32` argument and return nothing")
		}
		if int64(c.Index) >= int64(len(s.coreTables)) {
			return v.errf("unknown table %d: table index out of bounds", c.Index)
		}
		ft = v.sig([]wasm.ValType{i32, i32}, []wasm.ValType{i32})
	case CanonThreadSpawnRef, CanonThreadSpawnIndirect, CanonThreadAvailableParallelism:
		if !v.f.SharedThreads {
			return v.errf("`%s` requires the shared-everything-threads feature", c.Op)
		}
		switch c.Op {
		case CanonThreadAvailableParallelism:
			ft = v.sig(nil, []wasm.ValType{i32})
		default:
			if _, err := v.coreFuncTypeAt(s, c.Type); err != nil {
				return err
			}
			ft = v.sig([]wasm.ValType{i32, i32}, []wasm.ValType{i32})
		}
	default:
		return v.errf("unknown canonical function %s", c.Op)
	}
	s.coreFuncs = append(s.coreFuncs, ft)
	return nil
}
