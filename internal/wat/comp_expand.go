package wat

import (
	"github.com/wasmcm/wasmcm/component"
)

// expander rewrites the sugar of one component's fields (or one type's
// declarations), as the reference's expansion pass does: inline types
// become type definitions placed before their use, inline exports become
// export fields at the end, inline imports become import fields.
type expander struct {
	s              *source
	typesToPrepend []field
	fieldsPrepend  []field
	fieldsAppend   []field
}

func (s *source) expandFields(fields []field) []field {
	e := &expander{s: s}
	out := make([]field, 0, len(fields))
	for _, f := range fields {
		f = e.field(f)
		out = append(out, e.typesToPrepend...)
		out = append(out, e.fieldsPrepend...)
		out = append(out, f)
		e.typesToPrepend, e.fieldsPrepend = e.typesToPrepend[:0], e.fieldsPrepend[:0]
	}
	return append(out, e.fieldsAppend...)
}

func (s *source) expandDecls(decls []cDecl) []cDecl {
	e := &expander{s: s}
	out := make([]cDecl, 0, len(decls))
	for _, d := range decls {
		switch d := d.(type) {
		case *cCoreTypeField:
			e.coreType(d)
		case *cTypeField:
			e.typeField(d)
		case *cImport:
			e.itemSig(d.sig)
		case *cExportDecl:
			e.itemSig(d.sig)
		}
		for _, t := range e.typesToPrepend {
			out = append(out, t)
		}
		out = append(out, d)
		e.typesToPrepend = e.typesToPrepend[:0]
	}
	return out
}

func (e *expander) fill(id *string) string {
	if *id == "" {
		*id = e.s.gensym()
	}
	return *id
}

func (e *expander) exportsOf(names []externName, sort component.Sort, id *string) {
	for _, n := range names {
		x := e.fill(id)
		e.fieldsAppend = append(e.fieldsAppend, &cExport{ext: n, ref: itemRef{sort: sort, idx: index{isID: true, id: x}}, pos: -1})
	}
}

func (e *expander) field(f field) field {
	switch f := f.(type) {
	case *cCoreModule:
		e.exportsOf(f.exports, component.SortCoreModule, &f.id)
		if f.imported != nil {
			ref := e.coreTypeUse(f.tu)
			return &cImport{name: *f.imported, sig: &itemSig{id: f.id, sort: component.SortCoreModule, mod: &coreTypeUse{ref: ref}}}
		}
	case *cCoreInstance:
		for i := range f.args {
			a := &f.args[i]
			if a.ref == nil {
				id := e.s.gensym()
				e.fieldsPrepend = append(e.fieldsPrepend, &cCoreInstance{id: id, exports: a.bundle})
				a.ref = &coreRef{sort: component.SortCoreInstance, idx: index{isID: true, id: id}}
				a.bundle = nil
			}
		}
	case *cCoreTypeField:
		e.coreType(f)
	case *cComponent:
		e.exportsOf(f.exports, component.SortComponent, &f.id)
		if f.imported != nil {
			ref := e.typeUse(f.tu)
			return &cImport{name: *f.imported, sig: &itemSig{id: f.id, sort: component.SortComponent, tu: &cTypeUse{ref: ref}}}
		}
		f.fields = e.s.expandFields(f.fields)
	case *cInstance:
		e.exportsOf(f.exports, component.SortInstance, &f.id)
		if f.imported != nil {
			ref := e.typeUse(f.tu)
			return &cImport{name: *f.imported, sig: &itemSig{id: f.id, sort: component.SortInstance, tu: &cTypeUse{ref: ref}}}
		}
		for i := range f.args {
			a := &f.args[i]
			if a.ref == nil {
				id := e.s.gensym()
				e.fieldsPrepend = append(e.fieldsPrepend, &cInstance{id: id, bundle: a.bundle})
				a.ref = &itemRef{sort: component.SortInstance, idx: index{isID: true, id: id}}
				a.bundle = nil
			}
		}
	case *cTypeField:
		e.typeField(f)
	case *cCanon:
		e.canon(f)
	case *cCoreFunc:
		if f.alias != nil {
			f.alias.id, f.alias.name = f.id, f.name
			return f.alias
		}
		f.canon.id, f.canon.name = f.id, f.name
		e.canon(f.canon)
		return f.canon
	case *cFunc:
		e.exportsOf(f.exports, component.SortFunc, &f.id)
		switch {
		case f.imported != nil:
			ref := e.typeUse(f.tu)
			return &cImport{name: *f.imported, sig: &itemSig{id: f.id, sort: component.SortFunc, tu: &cTypeUse{ref: ref}}}
		case f.alias != nil:
			f.alias.id, f.alias.name = f.id, f.name
			return f.alias
		default:
			f.lift.id, f.lift.name = f.id, f.name
			e.canon(f.lift)
			return f.lift
		}
	case *cImport:
		e.itemSig(f.sig)
	case *cExport:
		if f.ty != nil {
			e.itemSig(f.ty)
		}
	}
	return f
}

func (e *expander) canon(c *cCanon) {
	if c.lift {
		c.tu = &cTypeUse{ref: e.typeUse(c.tu)}
	}
	if c.op == component.CanonTaskReturn && c.result != nil {
		e.valType(c.result)
	}
}

func (e *expander) itemSig(sig *itemSig) {
	switch sig.sort {
	case component.SortCoreModule:
		sig.mod = &coreTypeUse{ref: e.coreTypeUse(sig.mod)}
	case component.SortFunc, component.SortComponent, component.SortInstance:
		sig.tu = &cTypeUse{ref: e.typeUse(sig.tu)}
	case component.SortValue:
		e.valType(sig.val)
	}
}

func (e *expander) typeField(t *cTypeField) {
	switch d := t.def.(type) {
	case *cDefType:
		e.defType(d)
	case *cFuncType:
		e.funcType(d)
	case *cCompType:
		d.decls = e.s.expandDecls(d.decls)
	case *cInstType:
		d.decls = e.s.expandDecls(d.decls)
	}
	if len(t.exports) > 0 {
		e.exportsOf(t.exports, component.SortType, &t.id)
	}
}

func (e *expander) funcType(f *cFuncType) {
	for i := range f.params {
		e.valType(f.params[i].ty)
	}
	if f.result != nil {
		e.valType(f.result)
	}
}

func (e *expander) defType(d *cDefType) {
	for _, f := range d.fields {
		e.valType(f.ty)
	}
	for _, c := range d.cases {
		if c.ty != nil {
			e.valType(c.ty)
		}
	}
	for _, v := range []*cValType{d.key, d.elem, d.ok, d.err, d.payload} {
		if v != nil {
			e.valType(v)
		}
	}
	for _, v := range d.types {
		e.valType(v)
	}
}

// valType turns an inline defined type into a reference to a new type
// definition placed before the current field.
func (e *expander) valType(v *cValType) {
	if v.inline == nil {
		return
	}
	e.defType(v.inline)
	id := e.s.gensym()
	e.typesToPrepend = append(e.typesToPrepend, &cTypeField{id: id, def: v.inline, pos: -1})
	v.inline = nil
	v.ref = &index{isID: true, id: id}
}

// typeUse returns the reference a component type use stands for, adding a
// type definition for an inline type.
func (e *expander) typeUse(tu *cTypeUse) *itemRef {
	if tu.ref != nil {
		return tu.ref
	}
	switch d := tu.inline.(type) {
	case *cFuncType:
		e.funcType(d)
	case *cCompType:
		d.decls = e.s.expandDecls(d.decls)
	case *cInstType:
		d.decls = e.s.expandDecls(d.decls)
	}
	id := e.s.gensym()
	e.typesToPrepend = append(e.typesToPrepend, &cTypeField{id: id, def: tu.inline, pos: -1})
	return &itemRef{sort: component.SortType, idx: index{isID: true, id: id}}
}

func (e *expander) coreTypeUse(tu *coreTypeUse) *coreRef {
	if tu.ref != nil {
		return tu.ref
	}
	e.moduleType(tu.inline)
	id := e.s.gensym()
	e.typesToPrepend = append(e.typesToPrepend, &cCoreTypeField{id: id, module: tu.inline, pos: -1})
	return &coreRef{sort: component.SortCoreType, idx: index{isID: true, id: id}}
}

func (e *expander) coreType(t *cCoreTypeField) {
	if t.module != nil {
		e.moduleType(t.module)
	}
}

// moduleType adds the function types that imports and exports of a module
// type imply, before the declaration that needs them.
func (e *expander) moduleType(mt *cModuleType) {
	keys := map[string]index{}
	var out []moduleTypeDecl
	for _, d := range mt.decls {
		var sigs []*importT
		switch d := d.(type) {
		case typeGroup:
			if !d.rec && d.subs[0].kind == 0x60 {
				t := d.subs[0]
				id := e.fill(&t.id)
				if _, ok := keys[t.fn.key()]; !ok {
					keys[t.fn.key()] = index{isID: true, id: id}
				}
			}
		case *importT:
			sigs = append(sigs, d)
		case *modExport:
			sigs = append(sigs, d.sig)
		}
		for _, sig := range sigs {
			if sig.tu == nil {
				continue
			}
			if sig.tu.idx != nil {
				sig.tu.resolved = *sig.tu.idx
				continue
			}
			f := sig.tu.inline
			if f == nil {
				f = &funcT{}
			}
			if x, ok := keys[f.key()]; ok {
				sig.tu.resolved = x
				continue
			}
			id := e.s.gensym()
			t := &subT{id: id, kind: 0x60}
			for _, p := range f.params {
				t.fn.params = append(t.fn.params, paramT{ty: p.ty})
			}
			t.fn.results = f.results
			out = append(out, typeGroup{subs: []*subT{t}})
			// The reference does not record the new type, so each such
			// use gets a type of its own.
			sig.tu.resolved = index{isID: true, id: id}
		}
		out = append(out, d)
	}
	mt.decls = out
}
