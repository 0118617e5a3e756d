package wat

import (
	"fmt"
	"strings"

	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/wasm"
)

// Print returns the text of a component or core module binary, in the
// layout of the reference printer (wasmprinter): one definition per line
// with its index in a comment and references by index. Names from the name
// sections become $ids (or @name annotations when they are not valid
// identifiers), so that Parse gives back the same bytes.
func Print(b []byte) (string, error) {
	p := &printer{}
	if component.IsComponent(b) {
		c, err := component.Decode(b)
		if err != nil {
			return "", err
		}
		if err := printComponent(p, c, "component", ""); err != nil {
			return "", err
		}
	} else if wasm.IsModule(b) {
		if err := printModule(p, b, "module", ""); err != nil {
			return "", err
		}
	} else {
		return "", fmt.Errorf("not a WebAssembly binary: the magic header and version are not those of a component or core module")
	}
	return strings.TrimPrefix(p.b.String(), "\n") + "\n", nil
}

// compPrinter prints one component.
type compPrinter struct {
	p     *printer
	names [component.SortInstance + 1]*nameSet
	count [component.SortInstance + 1]uint32
}

var sortTags = [...]string{"cfunc", "ctable", "cmemory", "cglobal", "ctag", "ctype", "cmodule", "cinstance",
	"func", "value", "type", "component", "instance"}

// def hands out the next index of sort with its name text.
func (cp *compPrinter) def(s component.Sort) string {
	i := cp.count[s]
	cp.count[s]++
	return fmt.Sprintf("(;%d;)%s", i, cp.names[s].decl(i))
}

func printComponent(p *printer, c *component.Component, keyword, decl string) error {
	cp := &compPrinter{p: p}
	maps := [component.SortInstance + 1]map[uint32]string{}
	for _, s := range c.Sections {
		if cs, ok := s.(*component.CustomSection); ok && cs.Name == "component-name" {
			ns, err := component.ParseNames(cs)
			if err != nil {
				break
			}
			if ns.HasComponent && decl == "" {
				if idOK(ns.Component) {
					decl = " $" + ns.Component
				} else {
					decl = " $#component (@name " + quote(ns.Component) + ")"
				}
			}
			for _, sn := range ns.Sorts {
				if int(sn.Sort) < len(maps) {
					m := map[uint32]string{}
					for _, a := range sn.Names {
						m[a.Index] = a.Name
					}
					maps[sn.Sort] = m
				}
			}
		}
	}
	for i := range cp.names {
		cp.names[i] = newNameSet(sortTags[i], maps[i])
	}
	p.open("%s%s", keyword, decl)
	for _, s := range c.Sections {
		if err := cp.section(s); err != nil {
			return err
		}
	}
	p.close()
	return nil
}

func externNameText(n component.ExternName) string {
	s := quote(n.Name)
	for _, a := range n.Attrs {
		switch a.Kind {
		case component.AttrImplements:
			s += " (implements " + quote(a.Value) + ")"
		case component.AttrVersionSuffix:
			s += " (versionsuffix " + quote(a.Value) + ")"
		case component.AttrExternalID:
			s += " (external-id " + quote(a.Value) + ")"
		}
	}
	return s
}

func sortKeyword(s component.Sort) string {
	if s.IsCore() {
		return "core " + strings.TrimPrefix(s.String(), "core ")
	}
	return s.String()
}

func valText(v component.ValType) string {
	if v.Prim != 0 {
		return v.Prim.String()
	}
	return fmt.Sprint(v.Index)
}

func (cp *compPrinter) section(s component.Section) error {
	p := cp.p
	switch s := s.(type) {
	case *component.CustomSection:
		if s.Name == "component-name" {
			return nil
		}
		p.nl()
		p.str("(@custom %s %s)", quote(s.Name), quote(string(s.Data)))
	case *component.CoreModuleSection:
		return printModule(p, s.Bytes, "core module", " "+cp.def(component.SortCoreModule))
	case *component.CoreInstanceSection:
		for _, ci := range s.Instances {
			p.open("core instance %s", cp.def(component.SortCoreInstance))
			if ci.Instantiate {
				p.str(" (instantiate %d", ci.Module)
				p.indent++
				for _, a := range ci.Args {
					p.nl()
					p.str("(with %s (instance %d))", quote(a.Name), a.Instance)
				}
				p.indent--
				p.str(")")
			} else {
				for _, x := range ci.Exports {
					p.nl()
					p.str("(export %s (%s %d))", quote(x.Name), strings.TrimPrefix(x.Sort.String(), "core "), x.Index)
				}
			}
			p.close()
		}
	case *component.CoreTypeSection:
		for _, ct := range s.Types {
			if err := cp.coreType(&ct, true); err != nil {
				return err
			}
		}
	case *component.ComponentSection:
		return printComponent(p, s.Component, "component", " "+cp.def(component.SortComponent))
	case *component.InstanceSection:
		for _, in := range s.Instances {
			p.open("instance %s", cp.def(component.SortInstance))
			if in.Instantiate {
				p.str(" (instantiate %d", in.Component)
				p.indent++
				for _, a := range in.Args {
					p.nl()
					p.str("(with %s (%s %d))", quote(a.Name), sortKeyword(a.Sort), a.Index)
				}
				p.indent--
				p.str(")")
			} else {
				for _, x := range in.Exports {
					p.nl()
					p.str("(export %s (%s %d))", externNameText(x.Name), sortKeyword(x.Sort), x.Index)
				}
			}
			p.close()
		}
	case *component.AliasSection:
		for _, a := range s.Aliases {
			p.nl()
			p.str("%s", aliasText(a, cp.def(a.Sort)))
		}
	case *component.TypeSection:
		for _, t := range s.Types {
			p.open("type %s ", cp.def(component.SortType))
			if err := cp.typeDef(t); err != nil {
				return err
			}
			p.close()
		}
	case *component.CanonSection:
		for _, c := range s.Funcs {
			if err := cp.canon(c); err != nil {
				return err
			}
		}
	case *component.StartSection:
		p.nl()
		p.str("(start %d", s.Func)
		for _, a := range s.Args {
			p.str(" (value %d)", a)
		}
		for i := uint32(0); i < s.Results; i++ {
			p.str(" (result (value %s))", cp.def(component.SortValue))
		}
		p.str(")")
	case *component.ImportSection:
		for _, im := range s.Imports {
			p.nl()
			p.str("(import %s %s)", externNameText(im.Name), cp.externType(im.Type, cp.def(im.Type.Sort)))
		}
	case *component.ExportSection:
		for _, x := range s.Exports {
			p.nl()
			p.str("(export %s %s (%s %d)", cp.def(x.Sort), externNameText(x.Name), sortKeyword(x.Sort), x.Index)
			if x.Type != nil {
				p.str(" %s", cp.externType(*x.Type, ""))
			}
			p.str(")")
		}
	default:
		return fmt.Errorf("printing a %T is not supported", s)
	}
	return nil
}

func aliasText(a component.Alias, decl string) string {
	switch a.Target {
	case component.AliasExport:
		return fmt.Sprintf("(alias export %d %s (%s %s))", a.Instance, quote(a.Name), sortKeyword(a.Sort), decl)
	case component.AliasCoreExport:
		return fmt.Sprintf("(alias core export %d %s (%s %s))", a.Instance, quote(a.Name), sortKeyword(a.Sort), decl)
	}
	return fmt.Sprintf("(alias outer %d %d (%s %s))", a.Count, a.Index, sortKeyword(a.Sort), decl)
}

// externType prints an import or export type with decl after the sort.
func (cp *compPrinter) externType(t component.ExternType, decl string) string {
	if decl != "" {
		decl = " " + decl
	}
	switch t.Sort {
	case component.SortCoreModule:
		return fmt.Sprintf("(core module%s (type %d))", decl, t.Index)
	case component.SortValue:
		return fmt.Sprintf("(value%s %s)", decl, valText(t.ValueType))
	case component.SortType:
		if t.SubResource {
			return fmt.Sprintf("(type%s (sub resource))", decl)
		}
		return fmt.Sprintf("(type%s (eq %d))", decl, t.Index)
	}
	return fmt.Sprintf("(%s%s (type %d))", t.Sort, decl, t.Index)
}

// coreType prints a core type definition; at the component level it is
// (core type ...) or (core rec ...).
func (cp *compPrinter) coreType(ct *component.CoreType, top bool) error {
	p := cp.p
	decl := func() string {
		if top {
			return cp.def(component.SortCoreType)
		}
		return ""
	}
	if ct.Module != nil {
		p.open("core type %s (module", decl())
		for _, d := range ct.Module.Decls {
			switch d.Kind {
			case component.ModuleDeclType:
				printRecGroup(p, &d.Type, "", nil)
			case component.ModuleDeclImport:
				p.nl()
				p.str("(import %s %s %s)", quote(d.Import.Module), quote(d.Import.Name), coreExternText(d.Import.Type))
			case component.ModuleDeclAlias:
				p.nl()
				p.str("(alias outer %d %d (type))", d.Count, d.Index)
			case component.ModuleDeclExport:
				p.nl()
				p.str("(export %s %s)", quote(d.Name), coreExternText(d.Extern))
			}
		}
		p.str(")")
		p.close()
		return nil
	}
	if ct.Rec.Explicit {
		p.open("core rec")
		for _, st := range ct.Rec.Types {
			p.nl()
			p.str("(type %s %s)", decl(), subTypeText(st, nil))
		}
		p.close()
		return nil
	}
	if len(ct.Rec.Types) != 1 {
		return fmt.Errorf("a core type group of %d types without rec", len(ct.Rec.Types))
	}
	p.nl()
	p.str("(core type %s %s)", decl(), subTypeText(ct.Rec.Types[0], nil))
	return nil
}

func printRecGroup(p *printer, g *wasm.RecGroup, decl string, _ any) {
	if g.Explicit {
		p.open("rec")
	}
	for _, st := range g.Types {
		p.nl()
		p.str("(type%s %s)", decl, subTypeText(st, nil))
	}
	if g.Explicit {
		p.close()
	}
}

func coreExternText(t wasm.ExternType) string {
	switch t.Kind {
	case wasm.ExternFunc:
		return fmt.Sprintf("(func (type %d))", t.Index)
	case wasm.ExternFuncExact:
		return fmt.Sprintf("(func (exact (type %d)))", t.Index)
	case wasm.ExternTable:
		return "(table " + tableTypeText(t.Table) + ")"
	case wasm.ExternMemory:
		return "(memory " + memoryTypeText(t.Memory) + ")"
	case wasm.ExternGlobal:
		return "(global " + globalTypeText(t.Global) + ")"
	case wasm.ExternTag:
		return fmt.Sprintf("(tag (type %d))", t.Index)
	}
	return "(unknown)"
}

func (cp *compPrinter) typeDef(t component.Type) error {
	p := cp.p
	switch t := t.(type) {
	case *component.DefinedType:
		p.str("%s", definedText(t))
	case *component.FuncType:
		p.str("%s", funcTypeText(t))
	case *component.ResourceType:
		p.str("(resource (rep %s)", valTypeText(t.Rep))
		if t.Dtor != nil {
			p.str(" (dtor (core func %d))", *t.Dtor)
		}
		p.str(")")
	case *component.ComponentType:
		p.str("(component")
		p.indent++
		if err := cp.decls(t.Decls); err != nil {
			return err
		}
		p.indent--
		p.str(")")
	case *component.InstanceType:
		p.str("(instance")
		p.indent++
		if err := cp.decls(t.Decls); err != nil {
			return err
		}
		p.indent--
		p.str(")")
	}
	return nil
}

func (cp *compPrinter) decls(decls []component.Decl) error {
	p := cp.p
	// Declarations have index spaces of their own and no names.
	inner := &compPrinter{p: p}
	for i := range inner.names {
		inner.names[i] = newNameSet(sortTags[i], nil)
	}
	for _, d := range decls {
		switch d.Kind {
		case component.DeclCoreType:
			if err := inner.coreType(d.CoreType, true); err != nil {
				return err
			}
		case component.DeclType:
			p.open("type %s ", inner.def(component.SortType))
			if err := inner.typeDef(d.Type); err != nil {
				return err
			}
			p.close()
		case component.DeclAlias:
			p.nl()
			p.str("%s", aliasText(*d.Alias, inner.def(d.Alias.Sort)))
		case component.DeclImport:
			p.nl()
			p.str("(import %s %s)", externNameText(d.Name), inner.externType(d.Extern, inner.def(d.Extern.Sort)))
		case component.DeclExport:
			p.nl()
			p.str("(export %s %s)", externNameText(d.Name), inner.externType(d.Extern, inner.def(d.Extern.Sort)))
		}
	}
	return nil
}

func optVal(v *component.ValType) string {
	if v == nil {
		return ""
	}
	return " " + valText(*v)
}

func definedText(t *component.DefinedType) string {
	var b strings.Builder
	switch t.Kind {
	case component.KindPrimitive:
		return t.Prim.String()
	case component.KindRecord:
		b.WriteString("(record")
		for _, f := range t.Fields {
			fmt.Fprintf(&b, " (field %s %s)", quote(f.Name), valText(f.Type))
		}
	case component.KindVariant:
		b.WriteString("(variant")
		for _, c := range t.Cases {
			fmt.Fprintf(&b, " (case %s%s)", quote(c.Name), optVal(c.Type))
		}
	case component.KindList:
		fmt.Fprintf(&b, "(list %s", valText(t.Elem))
	case component.KindFixedList:
		fmt.Fprintf(&b, "(list %s %d", valText(t.Elem), t.Len)
	case component.KindMap:
		fmt.Fprintf(&b, "(map %s %s", valText(t.Key), valText(t.Elem))
	case component.KindTuple:
		b.WriteString("(tuple")
		for _, v := range t.Types {
			b.WriteString(" " + valText(v))
		}
	case component.KindFlags, component.KindEnum:
		if t.Kind == component.KindFlags {
			b.WriteString("(flags")
		} else {
			b.WriteString("(enum")
		}
		for _, n := range t.Names {
			b.WriteString(" " + quote(n))
		}
	case component.KindOption:
		fmt.Fprintf(&b, "(option %s", valText(t.Elem))
	case component.KindResult:
		b.WriteString("(result" + optVal(t.Ok))
		if t.Err != nil {
			fmt.Fprintf(&b, " (error %s)", valText(*t.Err))
		}
	case component.KindOwn:
		fmt.Fprintf(&b, "(own %d", t.Resource)
	case component.KindBorrow:
		fmt.Fprintf(&b, "(borrow %d", t.Resource)
	case component.KindStream:
		b.WriteString("(stream" + optVal(t.Payload))
	case component.KindFuture:
		b.WriteString("(future" + optVal(t.Payload))
	}
	b.WriteByte(')')
	return b.String()
}

func funcTypeText(t *component.FuncType) string {
	var b strings.Builder
	b.WriteString("(func")
	if t.Async {
		b.WriteString(" async")
	}
	for _, f := range t.Params {
		fmt.Fprintf(&b, " (param %s %s)", quote(f.Name), valText(f.Type))
	}
	if t.Result != nil {
		fmt.Fprintf(&b, " (result %s)", valText(*t.Result))
	}
	b.WriteByte(')')
	return b.String()
}

func optsText(opts []component.CanonOpt) string {
	var b strings.Builder
	for _, o := range opts {
		switch o.Kind {
		case component.OptMemory:
			fmt.Fprintf(&b, " (memory %d)", o.Index)
		case component.OptRealloc, component.OptPostReturn, component.OptCallback, component.OptCoreType:
			fmt.Fprintf(&b, " (%s %d)", o.Kind, o.Index)
		default:
			b.WriteString(" " + o.Kind.String())
		}
	}
	return b.String()
}

func (cp *compPrinter) canon(c component.Canon) error {
	p := cp.p
	p.nl()
	if c.Op == component.CanonLift {
		p.str("(canon lift (core func %d)%s (func %s (type %d)))", c.Func, optsText(c.Options), cp.def(component.SortFunc), c.Type)
		return nil
	}
	var args string
	switch c.Op {
	case component.CanonLower:
		args = fmt.Sprintf(" (func %d)%s", c.Func, optsText(c.Options))
	case component.CanonResourceNew, component.CanonResourceDrop, component.CanonResourceRep,
		component.CanonStreamNew, component.CanonStreamDropReadable, component.CanonStreamDropWritable,
		component.CanonFutureNew, component.CanonFutureDropReadable, component.CanonFutureDropWritable:
		args = fmt.Sprintf(" %d", c.Type)
	case component.CanonStreamRead, component.CanonStreamWrite, component.CanonFutureRead, component.CanonFutureWrite:
		args = fmt.Sprintf(" %d%s", c.Type, optsText(c.Options))
	case component.CanonStreamCancelRead, component.CanonStreamCancelWrite, component.CanonFutureCancelRead, component.CanonFutureCancelWrite:
		args = fmt.Sprintf(" %d", c.Type)
		if c.Flag {
			args += " async"
		}
	case component.CanonSubtaskCancel:
		if c.Flag {
			args = " async"
		}
	case component.CanonThreadYield, component.CanonThreadSuspend, component.CanonThreadSuspendThenResume,
		component.CanonThreadYieldThenResume, component.CanonThreadSuspendThenPromote, component.CanonThreadYieldThenPromote:
		if c.Flag {
			args = " cancellable"
		}
	case component.CanonTaskReturn:
		if c.Result != nil {
			args = fmt.Sprintf(" (result %s)", valText(*c.Result))
		}
		args += optsText(c.Options)
	case component.CanonContextGet, component.CanonContextSet:
		args = fmt.Sprintf(" %s %d", valTypeText(c.ValType), c.Index)
	case component.CanonErrorContextNew, component.CanonErrorContextDebug:
		args = optsText(c.Options)
	case component.CanonWaitableSetWait, component.CanonWaitableSetPoll:
		if c.Flag {
			args = " cancellable"
		}
		args += fmt.Sprintf(" (memory %d)", c.Index)
	case component.CanonThreadNewIndirect, component.CanonThreadSpawnIndirect:
		args = fmt.Sprintf(" %d %d", c.Type, c.Index)
	case component.CanonThreadSpawnRef:
		args = fmt.Sprintf(" %d", c.Type)
	}
	p.str("(canon %s%s (core func %s))", c.Op, args, cp.def(component.SortCoreFunc))
	return nil
}
