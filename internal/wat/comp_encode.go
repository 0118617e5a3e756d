package wat

import (
	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/wasm"
)

// compEncoder collects the items of one component into sections, grouping
// consecutive items of the same section as the reference does, and the
// names for the component-name section.
type compEncoder struct {
	r     *resolver
	c     *component.Component
	open  component.Section // the section being filled, or nil
	names [component.SortInstance + 1][]string
	named bool
}

func (e *compEncoder) flush() { e.open = nil }

// item appends an item to the open section of id, opening one if needed.
func (e *compEncoder) item(id component.SectionID, add func(s component.Section)) {
	if e.open == nil || e.open.ID() != id {
		var s component.Section
		switch id {
		case component.SectionCoreInstance:
			s = &component.CoreInstanceSection{}
		case component.SectionCoreType:
			s = &component.CoreTypeSection{}
		case component.SectionInstance:
			s = &component.InstanceSection{}
		case component.SectionAlias:
			s = &component.AliasSection{}
		case component.SectionType:
			s = &component.TypeSection{}
		case component.SectionCanon:
			s = &component.CanonSection{}
		case component.SectionImport:
			s = &component.ImportSection{}
		case component.SectionExport:
			s = &component.ExportSection{}
		}
		e.c.Sections = append(e.c.Sections, s)
		e.open = s
	}
	add(e.open)
}

func (e *compEncoder) name(sort component.Sort, n string) {
	e.names[sort] = append(e.names[sort], n)
	if n != "" {
		e.named = true
	}
}

func (e *compEncoder) alias(a component.Alias, name string) {
	e.item(component.SectionAlias, func(s component.Section) {
		s.(*component.AliasSection).Aliases = append(s.(*component.AliasSection).Aliases, a)
	})
	e.name(a.Sort, name)
}

// component resolves and encodes the fields of one component.
func (r *resolver) component(id, name string, fields []field) (*component.Component, error) {
	r.stack = append(r.stack, newState(id))
	defer func() { r.stack = r.stack[:len(r.stack)-1] }()
	e := &compEncoder{r: r, c: &component.Component{}}
	for _, f := range fields {
		if err := e.field(f); err != nil {
			return nil, err
		}
	}
	e.flush()
	if ns := e.nameSection(debugName(id, name)); ns != nil {
		e.c.Sections = append(e.c.Sections, &component.CustomSection{Name: "component-name", Data: ns})
	}
	return e.c, nil
}

// emitPending writes the aliases resolution inserted before a field.
func (e *compEncoder) emitPending() {
	for _, p := range e.r.takePending() {
		e.alias(p.a, p.name)
	}
}

func (e *compEncoder) field(f field) error {
	r := e.r
	switch f := f.(type) {
	case *cCustom:
		e.flush()
		e.c.Sections = append(e.c.Sections, &component.CustomSection{Name: f.name, Data: f.data})
		return nil
	case *cCoreModule:
		b, err := f.inline.encode()
		if err != nil {
			return err
		}
		e.flush()
		info, _ := wasm.ReadModule(b, 0)
		e.c.Sections = append(e.c.Sections, &component.CoreModuleSection{Bytes: b, Info: info})
		e.flush()
		e.name(component.SortCoreModule, debugName(f.id, f.name))
		return r.register(component.SortCoreModule, f.id, f.pos)
	case *cCoreInstance:
		ci := component.CoreInstance{Instantiate: f.instantiate}
		var err error
		if f.instantiate {
			if ci.Module, err = r.itemRef(f.module); err != nil {
				return err
			}
			for _, a := range f.args {
				inst, err := r.coreRef(coreRef{sort: component.SortCoreInstance, idx: a.ref.idx, name: a.ref.name})
				if err != nil {
					return err
				}
				ci.Args = append(ci.Args, component.CoreInstantiateArg{Name: a.name, Instance: inst})
			}
		} else {
			for _, x := range f.exports {
				i, err := r.coreRef(x.ref)
				if err != nil {
					return err
				}
				ci.Exports = append(ci.Exports, component.CoreInlineExport{Name: x.name, Sort: x.ref.sort, Index: i})
			}
		}
		e.emitPending()
		e.item(component.SectionCoreInstance, func(s component.Section) {
			s.(*component.CoreInstanceSection).Instances = append(s.(*component.CoreInstanceSection).Instances, ci)
		})
		e.name(component.SortCoreInstance, debugName(f.id, f.name))
		return r.register(component.SortCoreInstance, f.id, -1)
	case *cCoreTypeField:
		ct, err := r.coreTypeField(f)
		if err != nil {
			return err
		}
		e.emitPending()
		e.item(component.SectionCoreType, func(s component.Section) {
			s.(*component.CoreTypeSection).Types = append(s.(*component.CoreTypeSection).Types, *ct)
		})
		e.name(component.SortCoreType, debugName(f.id, f.name))
		if f.module != nil {
			return r.register(component.SortCoreType, f.id, f.pos)
		}
		return nil
	case *cCoreRec:
		for _, st := range f.group.subs {
			if err := r.register(component.SortCoreType, st.id, st.pos); err != nil {
				return err
			}
		}
		ct := component.CoreType{Rec: wasm.RecGroup{Explicit: true}}
		for _, st := range f.group.subs {
			s, err := r.coreTypes().subType(st)
			if err != nil {
				return err
			}
			ct.Rec.Types = append(ct.Rec.Types, s)
			e.name(component.SortCoreType, debugName(st.id, st.name))
		}
		e.item(component.SectionCoreType, func(s component.Section) {
			s.(*component.CoreTypeSection).Types = append(s.(*component.CoreTypeSection).Types, ct)
		})
		return nil
	case *cComponent:
		e.name(component.SortComponent, debugName(f.id, f.name))
		e.flush()
		c, err := r.component(f.id, f.name, f.fields)
		if err != nil {
			return err
		}
		e.c.Sections = append(e.c.Sections, &component.ComponentSection{Component: c})
		return r.register(component.SortComponent, f.id, -1)
	case *cInstance:
		in := component.Instance{Instantiate: f.instantiate}
		var err error
		if f.instantiate {
			if in.Component, err = r.itemRef(f.component); err != nil {
				return err
			}
			for _, a := range f.args {
				i, err := r.itemRef(*a.ref)
				if err != nil {
					return err
				}
				in.Args = append(in.Args, component.InstantiateArg{Name: a.name, Sort: a.ref.sort, Index: i})
			}
		} else {
			for _, x := range f.bundle {
				i, err := r.itemRef(x.ref)
				if err != nil {
					return err
				}
				in.Exports = append(in.Exports, component.InlineExport{Name: x.ext.binary(), Sort: x.ref.sort, Index: i})
			}
		}
		e.emitPending()
		e.item(component.SectionInstance, func(s component.Section) {
			s.(*component.InstanceSection).Instances = append(s.(*component.InstanceSection).Instances, in)
		})
		e.name(component.SortInstance, debugName(f.id, f.name))
		return r.register(component.SortInstance, f.id, -1)
	case *cAlias:
		a, err := r.alias(f)
		if err != nil {
			return err
		}
		e.emitPending()
		e.alias(a, debugName(f.id, f.name))
		return r.register(f.sort, f.id, f.pos)
	case *cTypeField:
		t, err := r.typeDef(f.id, f.def)
		if err != nil {
			return err
		}
		e.emitPending()
		e.item(component.SectionType, func(s component.Section) {
			s.(*component.TypeSection).Types = append(s.(*component.TypeSection).Types, t)
		})
		e.name(component.SortType, debugName(f.id, f.name))
		return r.register(component.SortType, f.id, f.pos)
	case *cCanon:
		c, err := r.canon(f)
		if err != nil {
			return err
		}
		e.emitPending()
		e.item(component.SectionCanon, func(s component.Section) {
			s.(*component.CanonSection).Funcs = append(s.(*component.CanonSection).Funcs, c)
		})
		sort := component.SortCoreFunc
		if f.lift {
			sort = component.SortFunc
		}
		e.name(sort, debugName(f.id, f.name))
		return r.register(sort, f.id, -1)
	case *cStart:
		st := &component.StartSection{Results: uint32(len(f.results))}
		var err error
		if st.Func, err = r.resolveNS(f.fn, component.SortFunc); err != nil {
			return err
		}
		for _, a := range f.args {
			v, err := r.itemRef(a)
			if err != nil {
				return err
			}
			st.Args = append(st.Args, v)
		}
		e.emitPending()
		e.flush()
		e.c.Sections = append(e.c.Sections, st)
		for _, id := range f.results {
			if err := r.register(component.SortValue, id, -1); err != nil {
				return err
			}
		}
		return nil
	case *cImport:
		et, err := r.itemSig(f.sig)
		if err != nil {
			return err
		}
		e.emitPending()
		im := component.Import{Name: f.name.binary(), Type: et}
		e.item(component.SectionImport, func(s component.Section) {
			s.(*component.ImportSection).Imports = append(s.(*component.ImportSection).Imports, im)
		})
		e.name(f.sig.sort, debugName(f.sig.id, f.sig.name))
		return r.register(f.sig.sort, f.sig.id, f.pos)
	case *cExport:
		x := component.Export{Name: f.ext.binary(), Sort: f.ref.sort}
		if f.ty != nil {
			et, err := r.itemSig(f.ty)
			if err != nil {
				return err
			}
			x.Type = &et
		}
		var err error
		if x.Index, err = r.itemRef(f.ref); err != nil {
			return err
		}
		e.emitPending()
		e.item(component.SectionExport, func(s component.Section) {
			s.(*component.ExportSection).Exports = append(s.(*component.ExportSection).Exports, x)
		})
		e.name(f.ref.sort, debugName(f.id, f.name))
		return r.register(f.ref.sort, f.id, f.pos)
	}
	return nil
}

func (r *resolver) canon(f *cCanon) (component.Canon, error) {
	c := component.Canon{Op: f.op, Flag: f.flag, Index: f.slot}
	var err error
	if f.lift {
		if c.Type, err = r.itemRef(*f.tu.ref); err != nil {
			return c, err
		}
		if c.Func, err = r.coreRef(*f.fn); err != nil {
			return c, err
		}
	}
	if f.lower != nil {
		if c.Func, err = r.itemRef(*f.lower); err != nil {
			return c, err
		}
	}
	if f.ty != nil {
		if c.Type, err = r.itemRef(*f.ty); err != nil {
			return c, err
		}
	}
	if f.op == component.CanonTaskReturn && f.result != nil {
		if c.Result, err = r.optValType(f.result); err != nil {
			return c, err
		}
	}
	if f.op == component.CanonContextGet || f.op == component.CanonContextSet {
		if c.ValType, err = r.coreTypes().valType(f.valType); err != nil {
			return c, err
		}
	}
	if f.mem != nil {
		if c.Index, err = r.coreRef(*f.mem); err != nil {
			return c, err
		}
	}
	if f.coreTy != nil {
		if c.Type, err = r.coreRef(*f.coreTy); err != nil {
			return c, err
		}
	}
	if f.table != nil {
		if c.Index, err = r.coreRef(*f.table); err != nil {
			return c, err
		}
	}
	for _, o := range f.opts {
		opt := component.CanonOpt{Kind: o.kind}
		if o.ref != nil {
			if opt.Index, err = r.coreRef(*o.ref); err != nil {
				return c, err
			}
		}
		c.Options = append(c.Options, opt)
	}
	return c, nil
}

// nameSection builds the component-name section, or nil when nothing is
// named.
func (e *compEncoder) nameSection(own string) []byte {
	var b []byte
	if own != "" {
		body := wasm.AppendName(nil, own)
		b = append(wasm.AppendU32(append(b, 0), uint32(len(body))), body...)
	}
	order := []component.Sort{
		component.SortCoreFunc, component.SortCoreTable, component.SortCoreMemory, component.SortCoreGlobal,
		component.SortCoreTag, component.SortCoreType, component.SortCoreModule, component.SortCoreInstance,
		component.SortFunc, component.SortValue, component.SortType, component.SortComponent, component.SortInstance,
	}
	coreCodes := [...]byte{0x00, 0x01, 0x02, 0x03, 0x04, 0x10, 0x11, 0x12}
	for _, s := range order {
		var m []nameAssoc
		for i, n := range e.names[s] {
			if n != "" {
				m = append(m, nameAssoc{uint32(i), n})
			}
		}
		if len(m) == 0 {
			continue
		}
		var body []byte
		if s.IsCore() {
			body = []byte{0x00, coreCodes[s]}
		} else {
			body = []byte{byte(s-component.SortFunc) + 1}
		}
		body = appendNameMap(body, m)
		b = append(wasm.AppendU32(append(b, 1), uint32(len(body))), body...)
	}
	return b
}
