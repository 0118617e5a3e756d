package component

import (
	"github.com/wasmcm/wasmcm/internal/wasm"
)

// Encode returns the binary encoding of c. Integers are written in their
// minimal LEB128 form, as the producers of the corpora do; the one padding
// seen in practice, a section size written wider than needed, is recorded
// by Decode and kept, so a decoded component re-encodes to the bytes it was
// decoded from.
func (c *Component) Encode() []byte {
	var e encoder
	return e.component(make([]byte, 0, 256), c)
}

type encoder struct{}

func (e *encoder) component(b []byte, c *Component) []byte {
	b = append(b, preamble[:]...)
	keepWidths := len(c.sizeWidth) == len(c.Sections)
	for i, s := range c.Sections {
		b = append(b, byte(s.ID()))
		// Reserve a 5-byte size, encode the body, then shift it left to sit
		// after the minimal size: one copy instead of a buffer per section.
		at := len(b)
		b = append(b, 0, 0, 0, 0, 0)
		b = e.section(b, s)
		n := len(b) - at - 5
		size := wasm.AppendU32(nil, uint32(n))
		if keepWidths && int(c.sizeWidth[i]) > len(size) {
			size = padLEB(size, int(c.sizeWidth[i]))
		}
		copy(b[at:], size)
		copy(b[at+len(size):], b[at+5:])
		b = b[:at+len(size)+n]
	}
	return b
}

// padLEB widens a minimal unsigned LEB128 to width bytes (at most 5).
func padLEB(b []byte, width int) []byte {
	for len(b) < width {
		b[len(b)-1] |= 0x80
		b = append(b, 0)
	}
	return b
}

func (e *encoder) section(b []byte, s Section) []byte {
	switch s := s.(type) {
	case *CustomSection:
		return append(wasm.AppendName(b, s.Name), s.Data...)
	case *CoreModuleSection:
		return append(b, s.Bytes...)
	case *CoreInstanceSection:
		b = wasm.AppendU32(b, uint32(len(s.Instances)))
		for i := range s.Instances {
			b = e.coreInstance(b, &s.Instances[i])
		}
	case *CoreTypeSection:
		b = wasm.AppendU32(b, uint32(len(s.Types)))
		for i := range s.Types {
			b = e.coreType(b, &s.Types[i])
		}
	case *ComponentSection:
		return e.component(b, s.Component)
	case *InstanceSection:
		b = wasm.AppendU32(b, uint32(len(s.Instances)))
		for i := range s.Instances {
			b = e.instance(b, &s.Instances[i])
		}
	case *AliasSection:
		b = wasm.AppendU32(b, uint32(len(s.Aliases)))
		for i := range s.Aliases {
			b = e.alias(b, &s.Aliases[i])
		}
	case *TypeSection:
		b = wasm.AppendU32(b, uint32(len(s.Types)))
		for _, t := range s.Types {
			b = e.typ(b, t)
		}
	case *CanonSection:
		b = wasm.AppendU32(b, uint32(len(s.Funcs)))
		for i := range s.Funcs {
			b = e.canon(b, &s.Funcs[i])
		}
	case *StartSection:
		b = wasm.AppendU32(b, s.Func)
		b = wasm.AppendU32(b, uint32(len(s.Args)))
		for _, a := range s.Args {
			b = wasm.AppendU32(b, a)
		}
		b = wasm.AppendU32(b, s.Results)
	case *ImportSection:
		b = wasm.AppendU32(b, uint32(len(s.Imports)))
		for i := range s.Imports {
			b = e.externName(b, &s.Imports[i].Name)
			b = e.externType(b, &s.Imports[i].Type)
		}
	case *ExportSection:
		b = wasm.AppendU32(b, uint32(len(s.Exports)))
		for i := range s.Exports {
			x := &s.Exports[i]
			b = e.externName(b, &x.Name)
			b = wasm.AppendU32(e.sort(b, x.Sort), x.Index)
			if x.Type == nil {
				b = append(b, 0)
			} else {
				b = e.externType(append(b, 1), x.Type)
			}
		}
	case *ValueSection:
		b = wasm.AppendU32(b, uint32(len(s.Values)))
		for _, v := range s.Values {
			b = e.valType(b, v.Type)
			b = wasm.AppendU32(b, uint32(len(v.Bytes)))
			b = append(b, v.Bytes...)
		}
	}
	return b
}

func (e *encoder) coreInstance(b []byte, ci *CoreInstance) []byte {
	if ci.Instantiate {
		b = wasm.AppendU32(append(b, 0), ci.Module)
		b = wasm.AppendU32(b, uint32(len(ci.Args)))
		for _, a := range ci.Args {
			b = wasm.AppendU32(append(wasm.AppendName(b, a.Name), 0x12), a.Instance)
		}
		return b
	}
	b = wasm.AppendU32(append(b, 1), uint32(len(ci.Exports)))
	for _, x := range ci.Exports {
		b = wasm.AppendName(b, x.Name)
		b = wasm.AppendU32(append(b, coreSortCodes[x.Sort]), x.Index)
	}
	return b
}

func (e *encoder) sort(b []byte, s Sort) []byte {
	if s.IsCore() {
		return append(b, 0, coreSortCodes[s])
	}
	return append(b, byte(s-SortFunc)+1)
}

func (e *encoder) coreType(b []byte, ct *CoreType) []byte {
	if ct.Module != nil {
		b = wasm.AppendU32(append(b, 0x50), uint32(len(ct.Module.Decls)))
		for i := range ct.Module.Decls {
			b = e.moduleDecl(b, &ct.Module.Decls[i])
		}
		return b
	}
	g := &ct.Rec
	if !g.Explicit && len(g.Types) == 1 && g.Types[0].Explicit && !g.Types[0].Final {
		b = append(b, 0x00)
	}
	return wasm.AppendRecGroup(b, g)
}

func (e *encoder) moduleDecl(b []byte, md *ModuleDecl) []byte {
	b = append(b, byte(md.Kind))
	switch md.Kind {
	case ModuleDeclImport:
		return wasm.AppendImport(b, md.Import)
	case ModuleDeclType:
		return wasm.AppendRecGroup(b, &md.Type)
	case ModuleDeclAlias:
		return wasm.AppendU32(wasm.AppendU32(append(b, 0x10, 0x01), md.Count), md.Index)
	case ModuleDeclExport:
		return wasm.AppendExternType(wasm.AppendName(b, md.Name), md.Extern)
	}
	return b
}

func (e *encoder) instance(b []byte, in *Instance) []byte {
	if in.Instantiate {
		b = wasm.AppendU32(append(b, 0), in.Component)
		b = wasm.AppendU32(b, uint32(len(in.Args)))
		for _, a := range in.Args {
			b = wasm.AppendU32(e.sort(wasm.AppendName(b, a.Name), a.Sort), a.Index)
		}
		return b
	}
	b = wasm.AppendU32(append(b, 1), uint32(len(in.Exports)))
	for i := range in.Exports {
		x := &in.Exports[i]
		b = wasm.AppendU32(e.sort(e.externName(b, &x.Name), x.Sort), x.Index)
	}
	return b
}

func (e *encoder) alias(b []byte, a *Alias) []byte {
	b = append(e.sort(b, a.Sort), byte(a.Target))
	if a.Target == AliasOuter {
		return wasm.AppendU32(wasm.AppendU32(b, a.Count), a.Index)
	}
	return wasm.AppendName(wasm.AppendU32(b, a.Instance), a.Name)
}

func (e *encoder) valType(b []byte, v ValType) []byte {
	if v.Prim != 0 {
		return append(b, byte(v.Prim))
	}
	return wasm.AppendS64(b, int64(v.Index))
}

func (e *encoder) optValType(b []byte, v *ValType) []byte {
	if v == nil {
		return append(b, 0)
	}
	return e.valType(append(b, 1), *v)
}

func (e *encoder) resultList(b []byte, v *ValType) []byte {
	if v == nil {
		return append(b, 1, 0)
	}
	return e.valType(append(b, 0), *v)
}

func (e *encoder) fields(b []byte, fs []Field) []byte {
	b = wasm.AppendU32(b, uint32(len(fs)))
	for _, f := range fs {
		b = e.valType(wasm.AppendName(b, f.Name), f.Type)
	}
	return b
}

func (e *encoder) typ(b []byte, t Type) []byte {
	switch t := t.(type) {
	case *ResourceType:
		b = wasm.AppendValType(append(b, 0x3f), t.Rep)
		if t.Dtor == nil {
			return append(b, 0)
		}
		return wasm.AppendU32(append(b, 1), *t.Dtor)
	case *FuncType:
		if t.Async {
			b = append(b, 0x43)
		} else {
			b = append(b, 0x40)
		}
		return e.resultList(e.fields(b, t.Params), t.Result)
	case *ComponentType:
		b = wasm.AppendU32(append(b, 0x41), uint32(len(t.Decls)))
		for i := range t.Decls {
			b = e.decl(b, &t.Decls[i])
		}
		return b
	case *InstanceType:
		b = wasm.AppendU32(append(b, 0x42), uint32(len(t.Decls)))
		for i := range t.Decls {
			b = e.decl(b, &t.Decls[i])
		}
		return b
	case *DefinedType:
		return e.definedType(b, t)
	}
	return b
}

func (e *encoder) definedType(b []byte, t *DefinedType) []byte {
	if t.Kind == KindPrimitive {
		return append(b, byte(t.Prim))
	}
	b = append(b, byte(t.Kind))
	switch t.Kind {
	case KindRecord:
		return e.fields(b, t.Fields)
	case KindVariant:
		b = wasm.AppendU32(b, uint32(len(t.Cases)))
		for _, c := range t.Cases {
			b = append(e.optValType(wasm.AppendName(b, c.Name), c.Type), 0)
		}
	case KindList, KindOption:
		return e.valType(b, t.Elem)
	case KindFixedList:
		return wasm.AppendU32(e.valType(b, t.Elem), t.Len)
	case KindMap:
		return e.valType(e.valType(b, t.Key), t.Elem)
	case KindTuple:
		b = wasm.AppendU32(b, uint32(len(t.Types)))
		for _, v := range t.Types {
			b = e.valType(b, v)
		}
	case KindFlags, KindEnum:
		b = wasm.AppendU32(b, uint32(len(t.Names)))
		for _, n := range t.Names {
			b = wasm.AppendName(b, n)
		}
	case KindResult:
		return e.optValType(e.optValType(b, t.Ok), t.Err)
	case KindOwn, KindBorrow:
		return wasm.AppendU32(b, t.Resource)
	case KindStream, KindFuture:
		return e.optValType(b, t.Payload)
	}
	return b
}

func (e *encoder) decl(b []byte, d *Decl) []byte {
	b = append(b, byte(d.Kind))
	switch d.Kind {
	case DeclCoreType:
		return e.coreType(b, d.CoreType)
	case DeclType:
		return e.typ(b, d.Type)
	case DeclAlias:
		return e.alias(b, d.Alias)
	case DeclImport, DeclExport:
		return e.externType(e.externName(b, &d.Name), &d.Extern)
	}
	return b
}

func (e *encoder) externName(b []byte, n *ExternName) []byte {
	form := n.Form
	if len(n.Attrs) > 0 {
		form = 2
	}
	b = wasm.AppendName(append(b, form), n.Name)
	if form == 2 {
		b = wasm.AppendU32(b, uint32(len(n.Attrs)))
		for _, a := range n.Attrs {
			b = wasm.AppendName(append(b, byte(a.Kind)), a.Value)
		}
	}
	return b
}

func (e *encoder) externType(b []byte, t *ExternType) []byte {
	switch t.Sort {
	case SortCoreModule:
		return wasm.AppendU32(append(b, 0x00, 0x11), t.Index)
	case SortValue:
		return e.valType(append(b, 0x02), t.ValueType)
	case SortType:
		if t.SubResource {
			return append(b, 0x03, 0x01)
		}
		return wasm.AppendU32(append(b, 0x03, 0x00), t.Index)
	}
	return wasm.AppendU32(append(b, byte(t.Sort-SortFunc)+1), t.Index)
}

func (e *encoder) canonOpts(b []byte, opts []CanonOpt) []byte {
	b = wasm.AppendU32(b, uint32(len(opts)))
	for _, o := range opts {
		b = append(b, byte(o.Kind))
		if o.Kind.hasIndex() {
			b = wasm.AppendU32(b, o.Index)
		}
	}
	return b
}

func flag(b []byte, f bool) []byte {
	if f {
		return append(b, 1)
	}
	return append(b, 0)
}

func (e *encoder) canon(b []byte, c *Canon) []byte {
	b = append(b, byte(c.Op))
	switch c.Op {
	case CanonLift:
		b = e.canonOpts(wasm.AppendU32(append(b, 0), c.Func), c.Options)
		return wasm.AppendU32(b, c.Type)
	case CanonLower:
		return e.canonOpts(wasm.AppendU32(append(b, 0), c.Func), c.Options)
	case CanonResourceNew, CanonResourceDrop, CanonResourceRep,
		CanonStreamNew, CanonStreamDropReadable, CanonStreamDropWritable,
		CanonFutureNew, CanonFutureDropReadable, CanonFutureDropWritable,
		CanonThreadSpawnRef:
		return wasm.AppendU32(b, c.Type)
	case CanonStreamRead, CanonStreamWrite, CanonFutureRead, CanonFutureWrite:
		return e.canonOpts(wasm.AppendU32(b, c.Type), c.Options)
	case CanonStreamCancelRead, CanonStreamCancelWrite, CanonFutureCancelRead, CanonFutureCancelWrite:
		return flag(wasm.AppendU32(b, c.Type), c.Flag)
	case CanonSubtaskCancel, CanonThreadSuspend, CanonThreadYield, CanonThreadSuspendThenResume,
		CanonThreadYieldThenResume, CanonThreadSuspendThenPromote, CanonThreadYieldThenPromote:
		return flag(b, c.Flag)
	case CanonTaskReturn:
		return e.canonOpts(e.resultList(b, c.Result), c.Options)
	case CanonContextGet, CanonContextSet:
		return wasm.AppendU32(wasm.AppendValType(b, c.ValType), c.Index)
	case CanonErrorContextNew, CanonErrorContextDebug:
		return e.canonOpts(b, c.Options)
	case CanonWaitableSetWait, CanonWaitableSetPoll:
		return wasm.AppendU32(flag(b, c.Flag), c.Index)
	case CanonThreadNewIndirect, CanonThreadSpawnIndirect:
		return wasm.AppendU32(wasm.AppendU32(b, c.Type), c.Index)
	}
	return b
}
