package component

import (
	"math"

	"github.com/wasmcm/wasmcm/internal/wasm"
)

var preamble = [8]byte{0x00, 0x61, 0x73, 0x6d, Version, 0x00, Layer, 0x00}

// IsComponent reports whether b starts with the preamble of a component (as
// opposed to a core module, whose layer field is 0).
func IsComponent(b []byte) bool {
	return len(b) >= 8 && [8]byte(b[:8]) == preamble
}

// Decode decodes a component binary. The result refers to b (core module
// bytes, custom section data, and every name, which points into b rather
// than being copied): do not modify b afterwards. Decode checks the binary
// format only; Validate checks the rest.
func Decode(b []byte) (*Component, error) {
	d := decoder{}
	r := wasm.NewReader(b, 0)
	r.AliasStrings()
	return d.component(r, 0)
}

// leading is the error for a byte that starts no valid form of what is
// being read, worded as the reference words it.
func leading(off int, b byte, what string) error {
	return wasm.ErrorAt(off, "invalid leading byte (0x%x) for %s", b, what)
}

// readFlag reads a 0x00/0x01 byte that says whether something optional follows.
func readFlag(r *wasm.Reader, what string) (bool, error) {
	c, err := r.Byte()
	if err != nil {
		return false, err
	}
	if c > 1 {
		return false, leading(r.Offset()-1, c, what)
	}
	return c == 1, nil
}

// shareStringsAbove is the section size from which its names share one
// copy of it.
const shareStringsAbove = 48

// maxStartResults bounds the result count of a start function, as the
// reference does for function results.
const maxStartResults = 1000

// decoder holds the offsets of the component being decoded, where items
// and declarations record their starts.
type decoder struct {
	off *offsets
	// Types are the most numerous items of an interface-heavy component:
	// they are taken from chunks (varena.go) instead of allocated one by
	// one. Everything taken is part of the result.
	defined slab[DefinedType]
	funcs   slab[FuncType]
	vals    slab[ValType]
	fieldsS slab[Field]
	cases   slab[Case]
	// An engine's component has hundreds of small sections (an alias, a
	// canonical function, a core instance each): they and their items
	// come from chunks too.
	aliasSecs  slab[AliasSection]
	aliases    slab[Alias]
	canonSecs  slab[CanonSection]
	canons     slab[Canon]
	opts       slab[CanonOpt]
	coreSecs   slab[CoreInstanceSection]
	coreInsts  slab[CoreInstance]
	typeSecs   slab[TypeSection]
	types      slab[Type]
	importSecs slab[ImportSection]
	imports    slab[Import]
}

// item records the start of the next item of the current section.
func (d *decoder) item(r *wasm.Reader) { d.off.items.add(r.Offset()) }

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
		return nil, wasm.ErrorAt(start+len(head), "unexpected end-of-file in the preamble")
	}
	if head[6] == 0 && head[7] == 0 {
		return nil, wasm.ErrorAt(start+4, "expected a version header for a component, found a core module's (layer 0)")
	}
	if [8]byte(head) != preamble {
		return nil, wasm.ErrorAt(start+4, "unknown binary version % x for a component (want 0d 00 01 00)", head[4:8])
	}
	c := &Component{off: &offsets{start: start}}
	var n int
	if d.off == nil {
		// The outermost component: size the slabs of its sections and
		// their items (nested components' included) from their headers.
		var k skim
		n = k.scan(r.Peeked(), 0)
		d.reserve(&k)
	} else {
		n = countSections(r.Peeked())
	}
	// Sized once: an engine's component has hundreds of small sections,
	// and growing three lists by doubling allocated twice their size.
	if n > 0 {
		c.Sections = make([]Section, 0, n)
		c.off.sections = make([]int, 0, n)
		c.off.first = make([]int32, 0, n)
	}
	outer := d.off
	d.off = c.off
	defer func() { d.off = outer }()
	// One reader serves every section in turn (a section keeps no reader):
	// an engine's component has hundreds of sections.
	body := new(wasm.Reader)
	for !r.EOF() {
		secStart := r.Offset()
		c.off.sections = append(c.off.sections, secStart)
		// An item count past int32 needs an input over 2 GB, whose
		// offsets offList no longer records anyway.
		c.off.first = append(c.off.first, int32(min(c.off.items.n, math.MaxInt32)))
		id, _ := r.Byte()
		if id > byte(SectionValue) {
			return nil, wasm.ErrorAt(secStart, "malformed section id: %d is no component section", id)
		}
		sizeAt := r.Offset()
		if err = r.SubInto("section", body); err != nil {
			return nil, err
		}
		// A one-byte size is minimal: only longer ones are measured.
		if w := body.Offset() - sizeAt; w > 1 && w != wasm.SizeU32(uint32(body.Remaining())) {
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
			if SectionID(id) == SectionStart {
				return nil, body.Errorf("unexpected content in the component start section (%d bytes left over)", body.Remaining())
			}
			return nil, body.Errorf("section size mismatch: unexpected data at the end of the section (%d bytes left over in %s section)", body.Remaining(), sectionNames[id])
		}
		c.Sections = append(c.Sections, s)
	}
	return c, nil
}

// skim is what a pass over the section headers of a component tells
// before it is decoded: per section id, how many sections there are and
// the sum of their leading counts (their items), nested components
// included.
type skim struct {
	secs, items [SectionValue + 1]int
}

// scan skims the sections framed in b up to the first that is not, and
// the components nested in them down to MaxNesting, and returns how many
// it found in b itself (as countSections does). A count is capped by its
// section's size (an item takes a byte at least), so that what is
// reserved from it is bounded by the input, as Count bounds the rest.
func (k *skim) scan(b []byte, depth int) int {
	n, p := 0, 0
	for ; p+1 < len(b) && n < 1<<16; n++ {
		id := b[p]
		// Most sections of an engine's component are under 128 bytes:
		// their size is one byte, read in line.
		size, w := int(b[p+1]), 1
		if size >= 0x80 {
			v, vw, err := wasm.DecodeU32(b[p+1:])
			if err != nil {
				break
			}
			size, w = int(v), vw
		}
		body := p + 1 + w
		if size > len(b)-body {
			break
		}
		if id > byte(SectionValue) {
			// Counted, as countSections counts it; Decode stops there.
			n++
			break
		}
		k.secs[id]++
		switch SectionID(id) {
		case SectionCoreInstance, SectionAlias, SectionType, SectionCanon, SectionImport:
			if size == 0 {
				break
			}
			if c := int(b[body]); c < 0x80 {
				k.items[id] += min(c, size)
			} else if c, _, err := wasm.DecodeU32(b[body : body+size]); err == nil {
				k.items[id] += min(int(c), size)
			}
		case SectionComponent:
			if depth < MaxNesting && size > 8 {
				k.scan(b[body+8:body+size], depth+1)
			}
		}
		p = body + size
	}
	return n
}

// reserve sizes the slabs of the sections a skim found and of their
// items.
func (d *decoder) reserve(k *skim) {
	d.coreSecs.reserve(k.secs[SectionCoreInstance])
	d.coreInsts.reserve(k.items[SectionCoreInstance])
	d.aliasSecs.reserve(k.secs[SectionAlias])
	d.aliases.reserve(k.items[SectionAlias])
	d.typeSecs.reserve(k.secs[SectionType])
	d.types.reserve(k.items[SectionType])
	d.canonSecs.reserve(k.secs[SectionCanon])
	d.canons.reserve(k.items[SectionCanon])
	d.importSecs.reserve(k.secs[SectionImport])
	d.imports.reserve(k.items[SectionImport])
}

// countSections counts the sections framed in b (id, size, body) up to
// the first that is not, and at most 1<<16.
func countSections(b []byte) int {
	n := 0
	for len(b) > 1 && n < 1<<16 {
		size, w, err := wasm.DecodeU32(b[1:])
		if err != nil || uint64(size) > uint64(len(b)-1-w) {
			break
		}
		b = b[1+w+int(size):]
		n++
	}
	return n
}

func (d *decoder) section(id SectionID, r *wasm.Reader, depth, start int) (Section, error) {
	// Names are cut from one copy of the section, except where there are
	// none (canon, start) or the section is so small that the copy would
	// cost as much as copying its one name or two.
	if id >= SectionCoreInstance && id != SectionComponent && id != SectionCanon && id != SectionStart && r.Remaining() > shareStringsAbove {
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
		info, err := wasm.ReadModuleAliased(b, off)
		if err != nil {
			return nil, err
		}
		return &CoreModuleSection{Bytes: b, Info: info, Offset: off}, nil
	case SectionCoreInstance:
		n, err := r.Count("core instances")
		if err != nil {
			return nil, err
		}
		s := d.coreSecs.one()
		s.Instances = d.coreInsts.many(n)
		for i := range s.Instances {
			d.item(r)
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
			d.item(r)
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
			d.item(r)
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
		s := d.aliasSecs.one()
		s.Aliases = d.aliases.many(n)
		for i := range s.Aliases {
			d.item(r)
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
		s := d.typeSecs.one()
		s.Types = d.types.many(n)
		for i := range s.Types {
			d.item(r)
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
		s := d.canonSecs.one()
		s.Funcs = d.canons.many(n)
		for i := range s.Funcs {
			d.item(r)
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
			return nil, wasm.ErrorAt(rstart, "start function results size is out of bounds (%d, at most %d)", s.Results, maxStartResults)
		}
		return s, nil
	case SectionImport:
		n, err := r.Count("imports")
		if err != nil {
			return nil, err
		}
		s := d.importSecs.one()
		s.Imports = d.imports.many(n)
		for i := range s.Imports {
			d.item(r)
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
			d.item(r)
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
			has, err := readFlag(r, "optional component export type")
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
			d.item(r)
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
	return nil, wasm.ErrorAt(start, "malformed section id: %d is no component section", id)
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
				return leading(kstart, k, "instantiation arg kind (only 0x12, instance, is allowed)")
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
		return leading(start, c, "core instance")
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
		return 0, leading(start, c, "external kind")
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
	return 0, leading(start, c, "component external kind")
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
			return leading(start+1, c, "non-final sub type (0x00 must be followed by 0x50)")
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
			return leading(kstart, k, "outer alias kind (only 0x10, type, is allowed in a module type)")
		}
		tstart := r.Offset()
		t, err := r.Byte()
		if err != nil {
			return err
		}
		if t != 0x01 {
			return leading(tstart, t, "outer alias target (only 0x01, outer, is allowed in a module type)")
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
		return leading(start, c, "type definition in a module type")
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
		return leading(start, c, "instance")
	}
	return nil
}

func (d *decoder) alias(r *wasm.Reader, a *Alias) error {
	// The sort's bytes come before the target, but which sorts are
	// allowed depends on the target: read both, then judge, as the
	// reference does (and with its words).
	start := r.Offset()
	b1, err := r.Byte()
	if err != nil {
		return err
	}
	var b2 byte
	if b1 == 0x00 {
		if b2, err = r.Byte(); err != nil {
			return err
		}
	}
	tstart := r.Offset()
	t, err := r.Byte()
	if err != nil {
		return err
	}
	a.Target = AliasTarget(t)
	// core is the core sort when b1 is 0x00.
	core, coreOK := coreSortFromCode(b2)
	switch a.Target {
	case AliasExport:
		switch {
		case b1 == 0x00 && b2 == 0x11:
			a.Sort = SortCoreModule
		case b1 == 0x00:
			return leading(start+1, b2, "component external kind (an instance export alias of a core sort must be a core module)")
		case b1 >= 0x01 && b1 <= 0x05:
			a.Sort = SortFunc + Sort(b1-1)
		default:
			return leading(start, b1, "component external kind")
		}
	case AliasCoreExport:
		if b1 != 0x00 {
			return leading(start, b1, "core instance export kind")
		}
		if !coreOK || core > SortCoreTag {
			return leading(start+1, b2, "external kind")
		}
		a.Sort = core
	case AliasOuter:
		switch {
		case b1 == 0x00 && (b2 == 0x10 || b2 == 0x11):
			a.Sort = core
		case b1 == 0x00:
			return leading(start+1, b2, "component outer alias kind (only core type and core module)")
		case b1 == 0x03 || b1 == 0x04:
			a.Sort = SortFunc + Sort(b1-1)
		default:
			return leading(start, b1, "component outer alias kind (only type and component)")
		}
		if a.Count, err = r.U32(); err != nil {
			return err
		}
		a.Index, err = r.U32()
		return err
	default:
		return leading(tstart, t, "alias")
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
	if c < 0x40 {
		// A one-byte type index, in line (S33 is not inlined).
		r.Byte()
		return ValType{Index: uint32(c)}, nil
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
	has, err := readFlag(r, "optional component value type")
	if err != nil || !has {
		return nil, err
	}
	v, err := d.valType(r)
	if err != nil {
		return nil, err
	}
	p := d.vals.one()
	*p = v
	return p, nil
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
		p := d.vals.one()
		*p = v
		return p, nil
	case 0x01:
		z, err := r.Byte()
		if err != nil {
			return nil, err
		}
		if z != 0 {
			return nil, leading(start+1, z, "number of results (named results are gone: only 0x00 is allowed)")
		}
		return nil, nil
	}
	return nil, leading(start, c, "component function results")
}

func (d *decoder) fields(r *wasm.Reader, what string) ([]Field, error) {
	n, err := r.Count(what)
	if err != nil {
		return nil, err
	}
	fs := d.fieldsS.many(n)
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
		has, err := readFlag(r, "resource destructor")
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
		ft := d.funcs.one()
		ft.Async = c == 0x43
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
		dt := d.defined.one()
		dt.Kind, dt.Prim = KindPrimitive, PrimValType(c)
		return dt, nil
	}
	dt := d.defined.one()
	dt.Kind = DefinedKind(c)
	switch dt.Kind {
	case KindRecord:
		dt.Fields, err = d.fields(r, "record fields")
	case KindVariant:
		n, err := r.Count("variant cases")
		if err != nil {
			return nil, err
		}
		dt.Cases = d.cases.many(n)
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
				return nil, leading(zstart, z, "zero byte required (a variant case ends with 0x00; refines is gone)")
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
		return nil, leading(start, c, "component defined type")
	}
	if err != nil {
		return nil, err
	}
	return dt, nil
}

func (d *decoder) decl(r *wasm.Reader, dc *Decl, inComponent bool, depth int) error {
	start := r.Offset()
	d.off.decls.add(start)
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
		dc.Alias = d.aliases.one()
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
	if inComponent {
		return leading(start, c, "component or instance type declaration")
	}
	return leading(start, c, "component or instance type declaration (an instance type has no imports)")
}

func (d *decoder) externName(r *wasm.Reader, n *ExternName) error {
	start := r.Offset()
	c, err := r.Byte()
	if err != nil {
		return err
	}
	if c > 2 {
		return leading(start, c, "component name")
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
			return leading(astart, k, "name option")
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
			return t, leading(start+1, k, "component external kind (only 0x11, core module, is allowed)")
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
			return t, leading(bstart, b, "type bound")
		}
		return t, err
	}
	return t, leading(start, c, "component external kind")
}

func (d *decoder) canonOpts(r *wasm.Reader) ([]CanonOpt, error) {
	n, err := r.Count("canonical options")
	if err != nil {
		return nil, err
	}
	opts := d.opts.many(n)
	for i := range opts {
		start := r.Offset()
		k, err := r.Byte()
		if err != nil {
			return nil, err
		}
		opts[i].Kind = CanonOptKind(k)
		if k > byte(OptGC) {
			return nil, leading(start, k, "canonical option")
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
			return leading(start+1, z, "canonical function "+cf.Op.String()+" (only 0x00, func, is allowed)")
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
	return leading(start, c, "canonical function")
}
