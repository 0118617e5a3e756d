package component

import (
	"github.com/wasmcm/wasmcm/internal/wasm"
)

var preamble = [8]byte{0x00, 0x61, 0x73, 0x6d, Version, 0x00, Layer, 0x00}

// IsComponent reports whether b starts with the preamble of a component (as
// opposed to a core module, whose layer field is 0).
func IsComponent(b []byte) bool {
	return len(b) >= 8 && [8]byte(b[:8]) == preamble
}

// Decode decodes a component binary. The result refers to b (core module
// bytes, custom section data): do not modify b afterwards. Decode checks the
// binary format only; Validate checks the rest.
func Decode(b []byte) (*Component, error) {
	d := decoder{}
	return d.component(wasm.NewReader(b, 0), 0)
}

// maxStartResults bounds the result count of a start function, as the
// reference does for function results.
const maxStartResults = 1000

type decoder struct{}

func (d *decoder) component(r *wasm.Reader, depth int) (*Component, error) {
	if depth > MaxNesting {
		return nil, r.Errorf("components nest deeper than %d levels", MaxNesting)
	}
	start := r.Offset()
	head, err := r.Bytes(min(8, r.Remaining()))
	if err != nil {
		return nil, err
	}
	if len(head) < 4 || string(head[:4]) != "\x00asm" {
		return nil, wasm.ErrorAt(start, "not a component: the magic header \\0asm is missing")
	}
	if len(head) < 8 {
		return nil, wasm.ErrorAt(start+len(head), "unexpected end of input in the preamble")
	}
	if head[6] == 0 && head[7] == 0 {
		return nil, wasm.ErrorAt(start+4, "this is a core module (layer 0), not a component")
	}
	if [8]byte(head) != preamble {
		return nil, wasm.ErrorAt(start+4, "unknown component version/layer % x (want 0d 00 01 00)", head[4:8])
	}
	c := &Component{}
	for !r.EOF() {
		secStart := r.Offset()
		id, _ := r.Byte()
		sizeAt := r.Offset()
		body, err := r.Sub("section")
		if err != nil {
			return nil, err
		}
		if w := body.Offset() - sizeAt; w != wasm.SizeU32(uint32(body.Remaining())) {
			if c.sizeWidth == nil {
				c.sizeWidth = make([]uint8, len(c.Sections), len(c.Sections)+1)
			}
			c.sizeWidth = append(c.sizeWidth, uint8(w))
		} else if c.sizeWidth != nil {
			c.sizeWidth = append(c.sizeWidth, 0)
		}
		s, err := d.section(SectionID(id), body, depth, secStart)
		if err != nil {
			return nil, err
		}
		if !body.EOF() {
			return nil, body.Errorf("%d bytes left over at the end of section %d", body.Remaining(), id)
		}
		c.Sections = append(c.Sections, s)
	}
	return c, nil
}

func (d *decoder) section(id SectionID, r *wasm.Reader, depth, start int) (Section, error) {
	if id >= SectionCoreInstance && id != SectionComponent {
		r.ShareStrings()
	}
	switch id {
	case SectionCustom:
		name, err := r.Name()
		if err != nil {
			return nil, err
		}
		return &CustomSection{Name: name, Data: r.Rest()}, nil
	case SectionCoreModule:
		off := r.Offset()
		b := r.Rest()
		info, err := wasm.ReadModule(b, off)
		if err != nil {
			return nil, err
		}
		return &CoreModuleSection{Bytes: b, Info: info, Offset: off}, nil
	case SectionCoreInstance:
		n, err := r.Count("core instances")
		if err != nil {
			return nil, err
		}
		s := &CoreInstanceSection{Instances: make([]CoreInstance, n)}
		for i := range s.Instances {
			if err := d.coreInstance(r, &s.Instances[i]); err != nil {
				return nil, err
			}
		}
		return s, nil
	case SectionCoreType:
		n, err := r.Count("core types")
		if err != nil {
			return nil, err
		}
		s := &CoreTypeSection{Types: make([]CoreType, n)}
		for i := range s.Types {
			if err := d.coreType(r, &s.Types[i], depth); err != nil {
				return nil, err
			}
		}
		return s, nil
	case SectionComponent:
		c, err := d.component(r, depth+1)
		if err != nil {
			return nil, err
		}
		return &ComponentSection{Component: c}, nil
	case SectionInstance:
		n, err := r.Count("instances")
		if err != nil {
			return nil, err
		}
		s := &InstanceSection{Instances: make([]Instance, n)}
		for i := range s.Instances {
			if err := d.instance(r, &s.Instances[i]); err != nil {
				return nil, err
			}
		}
		return s, nil
	case SectionAlias:
		n, err := r.Count("aliases")
		if err != nil {
			return nil, err
		}
		s := &AliasSection{Aliases: make([]Alias, n)}
		for i := range s.Aliases {
			if err := d.alias(r, &s.Aliases[i]); err != nil {
				return nil, err
			}
		}
		return s, nil
	case SectionType:
		n, err := r.Count("types")
		if err != nil {
			return nil, err
		}
		s := &TypeSection{Types: make([]Type, n)}
		for i := range s.Types {
			if s.Types[i], err = d.typ(r, depth); err != nil {
				return nil, err
			}
		}
		return s, nil
	case SectionCanon:
		n, err := r.Count("canonical functions")
		if err != nil {
			return nil, err
		}
		s := &CanonSection{Funcs: make([]Canon, n)}
		for i := range s.Funcs {
			if err := d.canon(r, &s.Funcs[i]); err != nil {
				return nil, err
			}
		}
		return s, nil
	case SectionStart:
		s := &StartSection{}
		var err error
		if s.Func, err = r.U32(); err != nil {
			return nil, err
		}
		n, err := r.Count("start arguments")
		if err != nil {
			return nil, err
		}
		s.Args = make([]uint32, n)
		for i := range s.Args {
			if s.Args[i], err = r.U32(); err != nil {
				return nil, err
			}
		}
		rstart := r.Offset()
		if s.Results, err = r.U32(); err != nil {
			return nil, err
		}
		if s.Results > maxStartResults {
			return nil, wasm.ErrorAt(rstart, "start function results count %d is out of bounds (at most %d)", s.Results, maxStartResults)
		}
		return s, nil
	case SectionImport:
		n, err := r.Count("imports")
		if err != nil {
			return nil, err
		}
		s := &ImportSection{Imports: make([]Import, n)}
		for i := range s.Imports {
			im := &s.Imports[i]
			if err := d.externName(r, &im.Name); err != nil {
				return nil, err
			}
			if im.Type, err = d.externType(r); err != nil {
				return nil, err
			}
		}
		return s, nil
	case SectionExport:
		n, err := r.Count("exports")
		if err != nil {
			return nil, err
		}
		s := &ExportSection{Exports: make([]Export, n)}
		for i := range s.Exports {
			e := &s.Exports[i]
			if err := d.externName(r, &e.Name); err != nil {
				return nil, err
			}
			if e.Sort, err = d.sort(r); err != nil {
				return nil, err
			}
			if e.Index, err = r.U32(); err != nil {
				return nil, err
			}
			has, err := r.Bool("optional export type")
			if err != nil {
				return nil, err
			}
			if has {
				t, err := d.externType(r)
				if err != nil {
					return nil, err
				}
				e.Type = &t
			}
		}
		return s, nil
	case SectionValue:
		n, err := r.Count("values")
		if err != nil {
			return nil, err
		}
		s := &ValueSection{Values: make([]Value, n)}
		for i := range s.Values {
			v := &s.Values[i]
			if v.Type, err = d.valType(r); err != nil {
				return nil, err
			}
			sub, err := r.Sub("value")
			if err != nil {
				return nil, err
			}
			v.Bytes = sub.Rest()
		}
		return s, nil
	}
	return nil, wasm.ErrorAt(start, "unknown component section id %d", id)
}

func (d *decoder) coreInstance(r *wasm.Reader, ci *CoreInstance) error {
	start := r.Offset()
	c, err := r.Byte()
	if err != nil {
		return err
	}
	switch c {
	case 0x00:
		ci.Instantiate = true
		if ci.Module, err = r.U32(); err != nil {
			return err
		}
		n, err := r.Count("instantiation arguments")
		if err != nil {
			return err
		}
		ci.Args = make([]CoreInstantiateArg, n)
		for i := range ci.Args {
			a := &ci.Args[i]
			if a.Name, err = r.Name(); err != nil {
				return err
			}
			kstart := r.Offset()
			k, err := r.Byte()
			if err != nil {
				return err
			}
			if k != 0x12 {
				return wasm.ErrorAt(kstart, "invalid core instantiation argument kind 0x%02x (want 0x12, instance)", k)
			}
			if a.Instance, err = r.U32(); err != nil {
				return err
			}
		}
	case 0x01:
		n, err := r.Count("core instance exports")
		if err != nil {
			return err
		}
		ci.Exports = make([]CoreInlineExport, n)
		for i := range ci.Exports {
			e := &ci.Exports[i]
			if e.Name, err = r.Name(); err != nil {
				return err
			}
			if e.Sort, err = d.coreSort(r); err != nil {
				return err
			}
			if e.Index, err = r.U32(); err != nil {
				return err
			}
		}
	default:
		return wasm.ErrorAt(start, "invalid core instance opcode 0x%02x", c)
	}
	return nil
}

func (d *decoder) coreSort(r *wasm.Reader) (Sort, error) {
	start := r.Offset()
	c, err := r.Byte()
	if err != nil {
		return 0, err
	}
	s, ok := coreSortFromCode(c)
	if !ok {
		return 0, wasm.ErrorAt(start, "invalid core sort 0x%02x", c)
	}
	return s, nil
}

func (d *decoder) sort(r *wasm.Reader) (Sort, error) {
	start := r.Offset()
	c, err := r.Byte()
	if err != nil {
		return 0, err
	}
	switch c {
	case 0x00:
		return d.coreSort(r)
	case 0x01, 0x02, 0x03, 0x04, 0x05:
		return SortFunc + Sort(c-1), nil
	}
	return 0, wasm.ErrorAt(start, "invalid sort 0x%02x", c)
}

func (d *decoder) coreType(r *wasm.Reader, ct *CoreType, depth int) error {
	c, err := r.Peek()
	if err != nil {
		return err
	}
	switch c {
	case 0x00:
		// A non-final sub type is prefixed with 0x00 here to tell it from
		// a module type (both use 0x50).
		start := r.Offset()
		r.Byte()
		if c, err := r.Peek(); err != nil || c != 0x50 {
			return wasm.ErrorAt(start, "invalid core type: 0x00 must introduce a non-final sub type (0x50)")
		}
		ct.Rec, err = r.ReadRecGroup()
		return err
	case 0x50:
		r.Byte()
		if depth+1 > MaxNesting {
			return r.Errorf("types nest deeper than %d levels", MaxNesting)
		}
		n, err := r.Count("module type declarations")
		if err != nil {
			return err
		}
		mt := &ModuleType{Decls: make([]ModuleDecl, n)}
		ct.Module = mt
		for i := range mt.Decls {
			if err := d.moduleDecl(r, &mt.Decls[i]); err != nil {
				return err
			}
		}
		return nil
	}
	ct.Rec, err = r.ReadRecGroup()
	return err
}

func (d *decoder) moduleDecl(r *wasm.Reader, md *ModuleDecl) error {
	start := r.Offset()
	c, err := r.Byte()
	if err != nil {
		return err
	}
	md.Kind = ModuleDeclKind(c)
	switch md.Kind {
	case ModuleDeclImport:
		md.Import, err = r.ReadImport()
	case ModuleDeclType:
		md.Type, err = r.ReadRecGroup()
	case ModuleDeclAlias:
		kstart := r.Offset()
		k, err := r.Byte()
		if err != nil {
			return err
		}
		if k != 0x10 {
			return wasm.ErrorAt(kstart, "invalid outer alias kind 0x%02x in a module type (want 0x10, type)", k)
		}
		tstart := r.Offset()
		t, err := r.Byte()
		if err != nil {
			return err
		}
		if t != 0x01 {
			return wasm.ErrorAt(tstart, "invalid alias target 0x%02x in a module type (want 0x01, outer)", t)
		}
		if md.Count, err = r.U32(); err != nil {
			return err
		}
		md.Index, err = r.U32()
		return err
	case ModuleDeclExport:
		if md.Name, err = r.Name(); err != nil {
			return err
		}
		md.Extern, err = r.ReadExternType()
	default:
		return wasm.ErrorAt(start, "invalid module type declaration 0x%02x", c)
	}
	return err
}

func (d *decoder) instance(r *wasm.Reader, in *Instance) error {
	start := r.Offset()
	c, err := r.Byte()
	if err != nil {
		return err
	}
	switch c {
	case 0x00:
		in.Instantiate = true
		if in.Component, err = r.U32(); err != nil {
			return err
		}
		n, err := r.Count("instantiation arguments")
		if err != nil {
			return err
		}
		in.Args = make([]InstantiateArg, n)
		for i := range in.Args {
			a := &in.Args[i]
			if a.Name, err = r.Name(); err != nil {
				return err
			}
			if a.Sort, err = d.sort(r); err != nil {
				return err
			}
			if a.Index, err = r.U32(); err != nil {
				return err
			}
		}
	case 0x01:
		n, err := r.Count("instance exports")
		if err != nil {
			return err
		}
		in.Exports = make([]InlineExport, n)
		for i := range in.Exports {
			e := &in.Exports[i]
			if err := d.externName(r, &e.Name); err != nil {
				return err
			}
			if e.Sort, err = d.sort(r); err != nil {
				return err
			}
			if e.Index, err = r.U32(); err != nil {
				return err
			}
		}
	default:
		return wasm.ErrorAt(start, "invalid instance opcode 0x%02x", c)
	}
	return nil
}

func (d *decoder) alias(r *wasm.Reader, a *Alias) error {
	start := r.Offset()
	sort, err := d.sort(r)
	if err != nil {
		return err
	}
	a.Sort = sort
	tstart := r.Offset()
	t, err := r.Byte()
	if err != nil {
		return err
	}
	a.Target = AliasTarget(t)
	switch a.Target {
	case AliasExport:
		if sort.IsCore() && sort != SortCoreModule {
			return wasm.ErrorAt(start, "an export alias of a component instance cannot have sort %s", sort)
		}
	case AliasCoreExport:
		if !sort.IsCore() || sort > SortCoreTag {
			return wasm.ErrorAt(start, "a core export alias cannot have sort %s", sort)
		}
	case AliasOuter:
		if sort != SortCoreType && sort != SortCoreModule && sort != SortType && sort != SortComponent {
			return wasm.ErrorAt(start, "an outer alias cannot have sort %s", sort)
		}
		if a.Count, err = r.U32(); err != nil {
			return err
		}
		a.Index, err = r.U32()
		return err
	default:
		return wasm.ErrorAt(tstart, "invalid alias target 0x%02x", t)
	}
	if a.Instance, err = r.U32(); err != nil {
		return err
	}
	a.Name, err = r.Name()
	return err
}

func (d *decoder) valType(r *wasm.Reader) (ValType, error) {
	c, err := r.Peek()
	if err != nil {
		return ValType{}, err
	}
	if isPrim(c) {
		r.Byte()
		return ValType{Prim: PrimValType(c)}, nil
	}
	start := r.Offset()
	v, err := r.S33()
	if err != nil {
		return ValType{}, err
	}
	if v < 0 {
		return ValType{}, wasm.ErrorAt(start, "invalid value type 0x%02x", c)
	}
	if v > 0xffffffff {
		return ValType{}, wasm.ErrorAt(start, "type index %d is too large", v)
	}
	return ValType{Index: uint32(v)}, nil
}

func (d *decoder) optValType(r *wasm.Reader) (*ValType, error) {
	has, err := r.Bool("optional value type")
	if err != nil || !has {
		return nil, err
	}
	v, err := d.valType(r)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

func (d *decoder) resultList(r *wasm.Reader) (*ValType, error) {
	start := r.Offset()
	c, err := r.Byte()
	if err != nil {
		return nil, err
	}
	switch c {
	case 0x00:
		v, err := d.valType(r)
		if err != nil {
			return nil, err
		}
		return &v, nil
	case 0x01:
		z, err := r.Byte()
		if err != nil {
			return nil, err
		}
		if z != 0 {
			return nil, wasm.ErrorAt(start+1, "invalid number of named results %d (only 0 is allowed)", z)
		}
		return nil, nil
	}
	return nil, wasm.ErrorAt(start, "invalid result list opcode 0x%02x", c)
}

func (d *decoder) fields(r *wasm.Reader, what string) ([]Field, error) {
	n, err := r.Count(what)
	if err != nil {
		return nil, err
	}
	fs := make([]Field, n)
	for i := range fs {
		if fs[i].Name, err = r.Name(); err != nil {
			return nil, err
		}
		if fs[i].Type, err = d.valType(r); err != nil {
			return nil, err
		}
	}
	return fs, nil
}

func (d *decoder) names(r *wasm.Reader, what string) ([]string, error) {
	n, err := r.Count(what)
	if err != nil {
		return nil, err
	}
	ns := make([]string, n)
	for i := range ns {
		if ns[i], err = r.Name(); err != nil {
			return nil, err
		}
	}
	return ns, nil
}

func (d *decoder) typ(r *wasm.Reader, depth int) (Type, error) {
	start := r.Offset()
	c, err := r.Byte()
	if err != nil {
		return nil, err
	}
	switch {
	case c == 0x3f:
		rt := &ResourceType{}
		if rt.Rep, err = r.ReadValType(); err != nil {
			return nil, err
		}
		has, err := r.Bool("resource destructor")
		if err != nil {
			return nil, err
		}
		if has {
			f, err := r.U32()
			if err != nil {
				return nil, err
			}
			rt.Dtor = &f
		}
		return rt, nil
	case c == 0x40 || c == 0x43:
		ft := &FuncType{Async: c == 0x43}
		if ft.Params, err = d.fields(r, "parameters"); err != nil {
			return nil, err
		}
		if ft.Result, err = d.resultList(r); err != nil {
			return nil, err
		}
		return ft, nil
	case c == 0x41 || c == 0x42:
		if depth+1 > MaxNesting {
			return nil, wasm.ErrorAt(start, "types nest deeper than %d levels", MaxNesting)
		}
		n, err := r.Count("type declarations")
		if err != nil {
			return nil, err
		}
		decls := make([]Decl, n)
		for i := range decls {
			if err := d.decl(r, &decls[i], c == 0x41, depth+1); err != nil {
				return nil, err
			}
		}
		if c == 0x41 {
			return &ComponentType{Decls: decls}, nil
		}
		return &InstanceType{Decls: decls}, nil
	case isPrim(c):
		return &DefinedType{Kind: KindPrimitive, Prim: PrimValType(c)}, nil
	}
	dt := &DefinedType{Kind: DefinedKind(c)}
	switch dt.Kind {
	case KindRecord:
		dt.Fields, err = d.fields(r, "record fields")
	case KindVariant:
		n, err := r.Count("variant cases")
		if err != nil {
			return nil, err
		}
		dt.Cases = make([]Case, n)
		for i := range dt.Cases {
			cs := &dt.Cases[i]
			if cs.Name, err = r.Name(); err != nil {
				return nil, err
			}
			if cs.Type, err = d.optValType(r); err != nil {
				return nil, err
			}
			zstart := r.Offset()
			z, err := r.Byte()
			if err != nil {
				return nil, err
			}
			if z != 0 {
				return nil, wasm.ErrorAt(zstart, "variant case must end with 0x00 (refines is not supported), found 0x%02x", z)
			}
		}
	case KindList, KindOption:
		dt.Elem, err = d.valType(r)
	case KindFixedList:
		if dt.Elem, err = d.valType(r); err == nil {
			dt.Len, err = r.U32()
		}
	case KindMap:
		if dt.Key, err = d.valType(r); err == nil {
			dt.Elem, err = d.valType(r)
		}
	case KindTuple:
		n, err := r.Count("tuple types")
		if err != nil {
			return nil, err
		}
		dt.Types = make([]ValType, n)
		for i := range dt.Types {
			if dt.Types[i], err = d.valType(r); err != nil {
				return nil, err
			}
		}
	case KindFlags:
		dt.Names, err = d.names(r, "flags")
	case KindEnum:
		dt.Names, err = d.names(r, "enum cases")
	case KindResult:
		if dt.Ok, err = d.optValType(r); err == nil {
			dt.Err, err = d.optValType(r)
		}
	case KindOwn, KindBorrow:
		dt.Resource, err = r.U32()
	case KindStream, KindFuture:
		dt.Payload, err = d.optValType(r)
	default:
		return nil, wasm.ErrorAt(start, "invalid type opcode 0x%02x", c)
	}
	if err != nil {
		return nil, err
	}
	return dt, nil
}

func (d *decoder) decl(r *wasm.Reader, dc *Decl, inComponent bool, depth int) error {
	start := r.Offset()
	c, err := r.Byte()
	if err != nil {
		return err
	}
	dc.Kind = DeclKind(c)
	switch dc.Kind {
	case DeclCoreType:
		dc.CoreType = &CoreType{}
		return d.coreType(r, dc.CoreType, depth)
	case DeclType:
		dc.Type, err = d.typ(r, depth)
		return err
	case DeclAlias:
		dc.Alias = &Alias{}
		return d.alias(r, dc.Alias)
	case DeclImport:
		if !inComponent {
			break
		}
		fallthrough
	case DeclExport:
		if err := d.externName(r, &dc.Name); err != nil {
			return err
		}
		dc.Extern, err = d.externType(r)
		return err
	}
	return wasm.ErrorAt(start, "invalid %s type declaration 0x%02x", map[bool]string{true: "component", false: "instance"}[inComponent], c)
}

func (d *decoder) externName(r *wasm.Reader, n *ExternName) error {
	start := r.Offset()
	c, err := r.Byte()
	if err != nil {
		return err
	}
	if c > 2 {
		return wasm.ErrorAt(start, "invalid name opcode 0x%02x", c)
	}
	n.Form = c
	if n.Name, err = r.Name(); err != nil {
		return err
	}
	if c != 2 {
		return nil
	}
	cnt, err := r.Count("name attributes")
	if err != nil {
		return err
	}
	n.Attrs = make([]NameAttr, cnt)
	for i := range n.Attrs {
		astart := r.Offset()
		k, err := r.Byte()
		if err != nil {
			return err
		}
		if k > 2 {
			return wasm.ErrorAt(astart, "invalid name attribute 0x%02x", k)
		}
		n.Attrs[i].Kind = NameAttrKind(k)
		if n.Attrs[i].Value, err = r.Name(); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) externType(r *wasm.Reader) (ExternType, error) {
	start := r.Offset()
	c, err := r.Byte()
	if err != nil {
		return ExternType{}, err
	}
	var t ExternType
	switch c {
	case 0x00:
		k, err := r.Byte()
		if err != nil {
			return t, err
		}
		if k != 0x11 {
			return t, wasm.ErrorAt(start+1, "invalid core extern type 0x%02x (only 0x11, module, is allowed)", k)
		}
		t.Sort = SortCoreModule
		t.Index, err = r.U32()
		return t, err
	case 0x01, 0x04, 0x05:
		t.Sort = SortFunc + Sort(c-1)
		t.Index, err = r.U32()
		return t, err
	case 0x02:
		// Binary.md writes a valuebound here, but wasm-tools (which made
		// every binary with values we have) writes a bare valtype, and the
		// two overlap (0x00/0x01 are also type indices 0 and 1): follow the
		// producers until the 🪙 feature settles.
		t.Sort = SortValue
		t.ValueType, err = d.valType(r)
		return t, err
	case 0x03:
		t.Sort = SortType
		bstart := r.Offset()
		b, err := r.Byte()
		if err != nil {
			return t, err
		}
		switch b {
		case 0x00:
			t.Index, err = r.U32()
		case 0x01:
			t.SubResource = true
		default:
			return t, wasm.ErrorAt(bstart, "invalid type bound 0x%02x", b)
		}
		return t, err
	}
	return t, wasm.ErrorAt(start, "invalid extern type 0x%02x", c)
}

func (d *decoder) canonOpts(r *wasm.Reader) ([]CanonOpt, error) {
	n, err := r.Count("canonical options")
	if err != nil {
		return nil, err
	}
	opts := make([]CanonOpt, n)
	for i := range opts {
		start := r.Offset()
		k, err := r.Byte()
		if err != nil {
			return nil, err
		}
		opts[i].Kind = CanonOptKind(k)
		if k > byte(OptGC) {
			return nil, wasm.ErrorAt(start, "invalid canonical option 0x%02x", k)
		}
		if opts[i].Kind.hasIndex() {
			if opts[i].Index, err = r.U32(); err != nil {
				return nil, err
			}
		}
	}
	return opts, nil
}

func (d *decoder) canon(r *wasm.Reader, cf *Canon) error {
	start := r.Offset()
	c, err := r.Byte()
	if err != nil {
		return err
	}
	cf.Op = CanonOp(c)
	switch cf.Op {
	case CanonLift, CanonLower:
		z, err := r.Byte()
		if err != nil {
			return err
		}
		if z != 0 {
			return wasm.ErrorAt(start+1, "invalid canonical %s sort 0x%02x (want 0x00, func)", cf.Op, z)
		}
		if cf.Func, err = r.U32(); err != nil {
			return err
		}
		if cf.Options, err = d.canonOpts(r); err != nil {
			return err
		}
		if cf.Op == CanonLift {
			cf.Type, err = r.U32()
		}
		return err
	case CanonResourceNew, CanonResourceDrop, CanonResourceRep,
		CanonStreamNew, CanonStreamDropReadable, CanonStreamDropWritable,
		CanonFutureNew, CanonFutureDropReadable, CanonFutureDropWritable,
		CanonThreadSpawnRef:
		cf.Type, err = r.U32()
		return err
	case CanonStreamRead, CanonStreamWrite, CanonFutureRead, CanonFutureWrite:
		if cf.Type, err = r.U32(); err != nil {
			return err
		}
		cf.Options, err = d.canonOpts(r)
		return err
	case CanonStreamCancelRead, CanonStreamCancelWrite, CanonFutureCancelRead, CanonFutureCancelWrite:
		if cf.Type, err = r.U32(); err != nil {
			return err
		}
		cf.Flag, err = r.Bool("async")
		return err
	case CanonSubtaskCancel:
		cf.Flag, err = r.Bool("async")
		return err
	case CanonTaskReturn:
		if cf.Result, err = d.resultList(r); err != nil {
			return err
		}
		cf.Options, err = d.canonOpts(r)
		return err
	case CanonContextGet, CanonContextSet:
		if cf.ValType, err = r.ReadValType(); err != nil {
			return err
		}
		cf.Index, err = r.U32()
		return err
	case CanonErrorContextNew, CanonErrorContextDebug:
		cf.Options, err = d.canonOpts(r)
		return err
	case CanonWaitableSetWait, CanonWaitableSetPoll:
		if cf.Flag, err = r.Bool("cancellable"); err != nil {
			return err
		}
		cf.Index, err = r.U32()
		return err
	case CanonThreadSuspend, CanonThreadYield, CanonThreadSuspendThenResume, CanonThreadYieldThenResume,
		CanonThreadSuspendThenPromote, CanonThreadYieldThenPromote:
		cf.Flag, err = r.Bool("cancellable")
		return err
	case CanonThreadNewIndirect, CanonThreadSpawnIndirect:
		if cf.Type, err = r.U32(); err != nil {
			return err
		}
		cf.Index, err = r.U32()
		return err
	case CanonTaskCancel, CanonSubtaskDrop, CanonErrorContextDrop, CanonWaitableSetNew,
		CanonWaitableSetDrop, CanonWaitableJoin, CanonBackpressureInc, CanonBackpressureDec,
		CanonThreadIndex, CanonThreadResumeLater, CanonThreadAvailableParallelism:
		return nil
	}
	return wasm.ErrorAt(start, "invalid canonical function opcode 0x%02x", c)
}
