package wat

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/wasmcm/wasmcm/internal/wasm"
)

// printer writes text with indentation.
type printer struct {
	b      strings.Builder
	indent int
}

func (p *printer) nl() {
	p.b.WriteByte('\n')
	for i := 0; i < p.indent; i++ {
		p.b.WriteString("  ")
	}
}

func (p *printer) open(format string, args ...any) {
	p.nl()
	p.b.WriteByte('(')
	fmt.Fprintf(&p.b, format, args...)
	p.indent++
}

func (p *printer) close() {
	p.indent--
	p.b.WriteByte(')')
}

func (p *printer) str(format string, args ...any) { fmt.Fprintf(&p.b, format, args...) }

// quote writes s as a string literal.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\t':
			b.WriteString("\\t")
		case c == '\n':
			b.WriteString("\\n")
		case c == '\r':
			b.WriteString("\\r")
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, "\\%02x", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// idOK reports whether a name can be written as a plain $id.
func idOK(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isIDChar(s[i]) {
			return false
		}
	}
	return true
}

// nameSet hands out the text for the names of one index space: $name when
// it is a valid and unused identifier, else a made-up $id with an @name
// annotation holding the real name.
type nameSet struct {
	what  string
	names map[uint32]string
	used  map[string]bool
}

func newNameSet(what string, names map[uint32]string) *nameSet {
	return &nameSet{what: what, names: names, used: map[string]bool{}}
}

// decl returns " $id" (and an annotation) for definition i, or "".
func (n *nameSet) decl(i uint32) string {
	if n == nil {
		return ""
	}
	name, ok := n.names[i]
	if !ok || name == "" {
		return ""
	}
	if idOK(name) && !n.used[name] && !strings.HasPrefix(name, "#") {
		n.used[name] = true
		return " $" + name
	}
	return fmt.Sprintf(" $#%s%d (@name %s)", n.what, i, quote(name))
}

// coreNames are the names of a core module's name section.
type coreNames struct {
	module                                     string
	hasModule                                  bool
	funcs, types, tables, mems, globals, elems map[uint32]string
	datas, tags                                map[uint32]string
	locals, labels, fields                     map[uint32]map[uint32]string
}

func readNameMap(r *wasm.Reader) (map[uint32]string, error) {
	n, err := r.Count("names")
	if err != nil {
		return nil, err
	}
	m := make(map[uint32]string, n)
	for i := 0; i < n; i++ {
		idx, err := r.U32()
		if err != nil {
			return nil, err
		}
		s, err := r.Name()
		if err != nil {
			return nil, err
		}
		m[idx] = s
	}
	return m, nil
}

func readIndirect(r *wasm.Reader) (map[uint32]map[uint32]string, error) {
	n, err := r.Count("names")
	if err != nil {
		return nil, err
	}
	m := make(map[uint32]map[uint32]string, n)
	for i := 0; i < n; i++ {
		idx, err := r.U32()
		if err != nil {
			return nil, err
		}
		if m[idx], err = readNameMap(r); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func parseCoreNames(data []byte) *coreNames {
	cn := &coreNames{}
	r := wasm.NewReader(data, 0)
	for !r.EOF() {
		id, err := r.Byte()
		if err != nil {
			return cn
		}
		sub, err := r.Sub("name subsection")
		if err != nil {
			return cn
		}
		switch id {
		case 0:
			cn.module, _ = sub.Name()
			cn.hasModule = true
		case 1:
			cn.funcs, _ = readNameMap(sub)
		case 2:
			cn.locals, _ = readIndirect(sub)
		case 3:
			cn.labels, _ = readIndirect(sub)
		case 4:
			cn.types, _ = readNameMap(sub)
		case 5:
			cn.tables, _ = readNameMap(sub)
		case 6:
			cn.mems, _ = readNameMap(sub)
		case 7:
			cn.globals, _ = readNameMap(sub)
		case 8:
			cn.elems, _ = readNameMap(sub)
		case 9:
			cn.datas, _ = readNameMap(sub)
		case 10:
			cn.fields, _ = readIndirect(sub)
		case 11:
			cn.tags, _ = readNameMap(sub)
		}
	}
	return cn
}

var sectionAnchors = map[byte]string{
	wasm.SecType: "type", wasm.SecImport: "import", wasm.SecFunction: "func", wasm.SecTable: "table",
	wasm.SecMemory: "memory", 13: "tag", wasm.SecGlobal: "global", wasm.SecExport: "export",
	wasm.SecStart: "start", wasm.SecElement: "elem", wasm.SecCode: "code", wasm.SecData: "data",
}

// valTypeText spells a core value type.
func valTypeText(v wasm.ValType) string {
	switch v.Code {
	case wasm.I32, wasm.I64, wasm.F32, wasm.F64, wasm.V128, wasm.Ref, wasm.RefNull:
		return v.String()
	}
	if !v.Heap.Shared {
		for k, c := range shortRefs {
			if c == v.Code {
				return k
			}
		}
	}
	return "(ref null " + v.Heap.String() + ")"
}

type rawSection struct {
	id   byte
	name string // custom sections
	body *wasm.Reader
	data []byte
}

// coreModulePrinter prints one core module.
type coreModulePrinter struct {
	p      *printer
	names  *coreNames
	types  []wasm.SubType
	funcTy []uint32 // type of every function, imports first
	nf     uint32   // imported functions
	ns     map[string]*nameSet
}

func (mp *coreModulePrinter) set(what string, m map[uint32]string) *nameSet {
	s := mp.ns[what]
	if s == nil {
		s = newNameSet(what, m)
		mp.ns[what] = s
	}
	return s
}

// printModule prints the core module b as (module ...) or, with core set,
// as (core module ...), with decl after the keyword.
func printModule(p *printer, b []byte, keyword, decl string) error {
	if len(b) < 8 || string(b[:4]) != "\x00asm" {
		return fmt.Errorf("not a core module: the magic header is missing")
	}
	r := wasm.NewReader(b[8:], 8)
	var secs []rawSection
	var names *coreNames
	for !r.EOF() {
		id, _ := r.Byte()
		body, err := r.Sub("section")
		if err != nil {
			return err
		}
		s := rawSection{id: id, body: body}
		if id == 0 {
			if s.name, err = body.Name(); err != nil {
				return err
			}
			s.data = body.Rest()
			if s.name == "name" {
				names = parseCoreNames(s.data)
				continue
			}
		}
		secs = append(secs, s)
	}
	if names == nil {
		names = &coreNames{}
	}
	mp := &coreModulePrinter{p: p, names: names, ns: map[string]*nameSet{}}
	p.open("%s", keyword)
	if names.hasModule && keyword == "module" {
		if idOK(names.module) {
			decl = " $" + names.module + decl
		} else {
			decl = " $#module (@name " + quote(names.module) + ")" + decl
		}
	}
	p.str("%s", decl)
	last := ""
	for _, s := range secs {
		if err := mp.section(s, &last); err != nil {
			return err
		}
	}
	p.close()
	return nil
}

func (mp *coreModulePrinter) section(s rawSection, last *string) error {
	p := mp.p
	r := s.body
	count := func() (int, error) { return r.Count("items") }
	switch s.id {
	case 0:
		place := "before first"
		if *last != "" {
			place = "after " + *last
		}
		p.nl()
		p.str("(@custom %s (%s) %s)", quote(s.name), place, quote(string(s.data)))
		return nil
	case wasm.SecDataCount:
		*last = "datacount"
		return nil
	}
	if a, ok := sectionAnchors[s.id]; ok {
		*last = a
	}
	if *last == "datacount" {
		*last = "elem"
	}
	switch s.id {
	case wasm.SecType:
		n, err := count()
		if err != nil {
			return err
		}
		tn := mp.set("type", mp.names.types)
		for i := 0; i < n; i++ {
			g, err := r.ReadRecGroup()
			if err != nil {
				return err
			}
			if g.Explicit {
				p.open("rec")
			}
			for _, st := range g.Types {
				idx := uint32(len(mp.types))
				mp.types = append(mp.types, st)
				p.open("type (;%d;)%s ", idx, tn.decl(idx))
				mp.subType(st, mp.names.fields[idx])
				p.close()
			}
			if g.Explicit {
				p.close()
			}
		}
	case wasm.SecImport:
		n, err := count()
		if err != nil {
			return err
		}
		counts := map[wasm.ExternKind]uint32{}
		for i := 0; i < n; i++ {
			im, err := r.ReadImport()
			if err != nil {
				return err
			}
			p.nl()
			p.str("(import %s %s ", quote(im.Module), quote(im.Name))
			k := im.Type.Kind
			if k == wasm.ExternFuncExact {
				k = wasm.ExternFunc
			}
			idx := counts[k]
			counts[k]++
			if k == wasm.ExternFunc {
				mp.funcTy = append(mp.funcTy, im.Type.Index)
				mp.nf++
			}
			mp.externType(im.Type, idx)
			p.str(")")
		}
	case wasm.SecFunction:
		n, err := count()
		if err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			t, err := r.U32()
			if err != nil {
				return err
			}
			mp.funcTy = append(mp.funcTy, t)
		}
	case wasm.SecTable:
		n, err := count()
		if err != nil {
			return err
		}
		tn := mp.set("table", mp.names.tables)
		base := mp.ns["table-count"]
		_ = base
		for i := 0; i < n; i++ {
			idx := mp.count("table")
			init := false
			if c, _ := r.Peek(); c == 0x40 {
				r.Byte()
				r.Byte()
				init = true
			}
			tt, err := r.ReadTableType()
			if err != nil {
				return err
			}
			p.nl()
			p.str("(table (;%d;)%s %s", idx, tn.decl(idx), tableTypeText(tt))
			if init {
				if err := mp.constExpr(r); err != nil {
					return err
				}
			}
			p.str(")")
		}
	case wasm.SecMemory:
		n, err := count()
		if err != nil {
			return err
		}
		mn := mp.set("memory", mp.names.mems)
		for i := 0; i < n; i++ {
			idx := mp.count("memory")
			mt, err := r.ReadMemoryType()
			if err != nil {
				return err
			}
			p.nl()
			p.str("(memory (;%d;)%s %s)", idx, mn.decl(idx), memoryTypeText(mt))
		}
	case 13:
		n, err := count()
		if err != nil {
			return err
		}
		tn := mp.set("tag", mp.names.tags)
		for i := 0; i < n; i++ {
			idx := mp.count("tag")
			if _, err := r.Byte(); err != nil {
				return err
			}
			t, err := r.U32()
			if err != nil {
				return err
			}
			p.nl()
			p.str("(tag (;%d;)%s (type %d))", idx, tn.decl(idx), t)
		}
	case wasm.SecGlobal:
		n, err := count()
		if err != nil {
			return err
		}
		gn := mp.set("global", mp.names.globals)
		for i := 0; i < n; i++ {
			idx := mp.count("global")
			gt, err := r.ReadGlobalType()
			if err != nil {
				return err
			}
			p.nl()
			p.str("(global (;%d;)%s %s", idx, gn.decl(idx), globalTypeText(gt))
			if err := mp.constExpr(r); err != nil {
				return err
			}
			p.str(")")
		}
	case wasm.SecExport:
		n, err := count()
		if err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			name, err := r.Name()
			if err != nil {
				return err
			}
			k, err := r.Byte()
			if err != nil {
				return err
			}
			idx, err := r.U32()
			if err != nil {
				return err
			}
			p.nl()
			p.str("(export %s (%s %d))", quote(name), wasm.ExternKind(k), idx)
		}
	case wasm.SecStart:
		f, err := r.U32()
		if err != nil {
			return err
		}
		p.nl()
		p.str("(start %d)", f)
	case wasm.SecElement:
		n, err := count()
		if err != nil {
			return err
		}
		en := mp.set("elem", mp.names.elems)
		for i := 0; i < n; i++ {
			if err := mp.elem(r, uint32(i), en); err != nil {
				return err
			}
		}
	case wasm.SecCode:
		n, err := count()
		if err != nil {
			return err
		}
		fn := mp.set("func", mp.names.funcs)
		for i := 0; i < n; i++ {
			body, err := r.Sub("function body")
			if err != nil {
				return err
			}
			if err := mp.function(mp.nf+uint32(i), body, fn); err != nil {
				return err
			}
		}
	case wasm.SecData:
		n, err := count()
		if err != nil {
			return err
		}
		dn := mp.set("data", mp.names.datas)
		for i := 0; i < n; i++ {
			flag, err := r.U32()
			if err != nil {
				return err
			}
			p.nl()
			p.str("(data (;%d;)%s", i, dn.decl(uint32(i)))
			if flag != 1 {
				mem := uint32(0)
				if flag == 2 {
					if mem, err = r.U32(); err != nil {
						return err
					}
					p.str(" (memory %d)", mem)
				}
				p.str(" (offset")
				if err := mp.constExpr(r); err != nil {
					return err
				}
				p.str(")")
			}
			n, err := r.Count("data bytes")
			if err != nil {
				return err
			}
			d, err := r.Bytes(n)
			if err != nil {
				return err
			}
			p.str(" %s)", quote(string(d)))
		}
	default:
		return fmt.Errorf("unknown core section id %d", s.id)
	}
	if !r.EOF() {
		return r.Errorf("unexpected data at the end of the section")
	}
	return nil
}

// count hands out the next index of a space that imports may have started.
func (mp *coreModulePrinter) count(what string) uint32 {
	s := mp.set(what+"#", nil)
	i := uint32(len(s.used))
	s.used[strconv.Itoa(int(i))] = true
	return i
}

func (mp *coreModulePrinter) externType(t wasm.ExternType, idx uint32) {
	p := mp.p
	switch t.Kind {
	case wasm.ExternFunc, wasm.ExternFuncExact:
		mp.count("func")
		d := mp.set("func", mp.names.funcs).decl(idx)
		if t.Kind == wasm.ExternFuncExact {
			p.str("(func (;%d;)%s (exact (type %d)))", idx, d, t.Index)
		} else {
			p.str("(func (;%d;)%s (type %d))", idx, d, t.Index)
		}
	case wasm.ExternTable:
		mp.count("table")
		p.str("(table (;%d;)%s %s)", idx, mp.set("table", mp.names.tables).decl(idx), tableTypeText(t.Table))
	case wasm.ExternMemory:
		mp.count("memory")
		p.str("(memory (;%d;)%s %s)", idx, mp.set("memory", mp.names.mems).decl(idx), memoryTypeText(t.Memory))
	case wasm.ExternGlobal:
		mp.count("global")
		p.str("(global (;%d;)%s %s)", idx, mp.set("global", mp.names.globals).decl(idx), globalTypeText(t.Global))
	case wasm.ExternTag:
		mp.count("tag")
		p.str("(tag (;%d;)%s (type %d))", idx, mp.set("tag", mp.names.tags).decl(idx), t.Index)
	}
}

func limitsText(l wasm.Limits) string {
	s := ""
	if l.Is64 {
		s = "i64 "
	}
	s += strconv.FormatUint(l.Min, 10)
	if l.Max != nil {
		s += " " + strconv.FormatUint(*l.Max, 10)
	}
	return s
}

func memoryTypeText(m wasm.MemoryType) string {
	s := limitsText(m.Limits)
	if m.Shared {
		s += " shared"
	}
	if m.PageSizeLog2 != nil {
		s += fmt.Sprintf(" (pagesize %d)", uint64(1)<<*m.PageSizeLog2)
	}
	return s
}

func tableTypeText(t wasm.TableType) string {
	s := ""
	if t.Shared {
		s = "shared "
	}
	return s + limitsText(t.Limits) + " " + valTypeText(t.Elem)
}

func globalTypeText(g wasm.GlobalType) string {
	s := valTypeText(g.Val)
	if g.Shared {
		s = "shared " + s
	}
	if g.Mutable {
		return "(mut " + s + ")"
	}
	return s
}

// subType prints a type definition (without the enclosing (type ...)).
func (mp *coreModulePrinter) subType(st wasm.SubType, fieldNames map[uint32]string) {
	p := mp.p
	p.str("%s", subTypeText(st, fieldNames))
}

func subTypeText(st wasm.SubType, fieldNames map[uint32]string) string {
	var b strings.Builder
	closers := 0
	if st.Explicit {
		b.WriteString("(sub")
		if st.Final {
			b.WriteString(" final")
		}
		for _, s := range st.Supers {
			fmt.Fprintf(&b, " %d", s)
		}
		b.WriteByte(' ')
		closers++
	}
	if st.Shared {
		b.WriteString("(shared ")
		closers++
	}
	switch st.Kind {
	case wasm.CompFunc:
		b.WriteString("(func")
		writeParamsResults(&b, st.Func.Params, st.Func.Results, nil)
		b.WriteByte(')')
	case wasm.CompStruct:
		b.WriteString("(struct")
		fn := newNameSet("field", fieldNames)
		for i, f := range st.Fields {
			fmt.Fprintf(&b, " (field%s %s)", fn.decl(uint32(i)), fieldTypeText(f))
		}
		b.WriteByte(')')
	case wasm.CompArray:
		b.WriteString("(array")
		if len(st.Fields) == 1 {
			b.WriteString(" " + fieldTypeText(st.Fields[0]))
		}
		b.WriteByte(')')
	case wasm.CompCont:
		fmt.Fprintf(&b, "(cont %d)", st.ContTypeIdx)
	}
	b.WriteString(strings.Repeat(")", closers))
	return b.String()
}

func fieldTypeText(f wasm.FieldType) string {
	s := ""
	switch f.Packed {
	case wasm.PackedI8:
		s = "i8"
	case wasm.PackedI16:
		s = "i16"
	default:
		s = valTypeText(f.Val)
	}
	if f.Mutable {
		return "(mut " + s + ")"
	}
	return s
}

func writeParamsResults(b *strings.Builder, params, results []wasm.ValType, names *nameSet) {
	if names != nil {
		for i, v := range params {
			fmt.Fprintf(b, " (param%s %s)", names.decl(uint32(i)), valTypeText(v))
		}
	} else if len(params) > 0 {
		b.WriteString(" (param")
		for _, v := range params {
			b.WriteString(" " + valTypeText(v))
		}
		b.WriteByte(')')
	}
	if len(results) > 0 {
		b.WriteString(" (result")
		for _, v := range results {
			b.WriteString(" " + valTypeText(v))
		}
		b.WriteByte(')')
	}
}

func (mp *coreModulePrinter) elem(r *wasm.Reader, i uint32, en *nameSet) error {
	p := mp.p
	flags, err := r.U32()
	if err != nil {
		return err
	}
	if flags > 7 {
		return r.Errorf("invalid element segment flags %d", flags)
	}
	p.nl()
	p.str("(elem (;%d;)%s", i, en.decl(i))
	exprs := flags&4 != 0
	switch {
	case flags&1 == 0: // active
		if flags&2 != 0 {
			t, err := r.U32()
			if err != nil {
				return err
			}
			p.str(" (table %d)", t)
		}
		p.str(" (offset")
		if err := mp.constExpr(r); err != nil {
			return err
		}
		p.str(")")
	case flags&2 != 0:
		p.str(" declare")
	}
	explicitType := flags&3 != 0
	var ty wasm.ValType
	if exprs {
		ty = wasm.ValFuncRef
		if explicitType {
			if ty, err = r.ReadValType(); err != nil {
				return err
			}
		}
		p.str(" %s", valTypeText(ty))
	} else {
		if explicitType {
			if k, err := r.Byte(); err != nil || k != 0 {
				return r.Errorf("unsupported element kind")
			}
		}
		p.str(" func")
	}
	n, err := r.Count("elements")
	if err != nil {
		return err
	}
	for j := 0; j < n; j++ {
		if exprs {
			p.str(" (item")
			if err := mp.constExpr(r); err != nil {
				return err
			}
			p.str(")")
		} else {
			f, err := r.U32()
			if err != nil {
				return err
			}
			p.str(" %d", f)
		}
	}
	p.str(")")
	return nil
}

// constExpr prints instructions up to end on the current line.
func (mp *coreModulePrinter) constExpr(r *wasm.Reader) error {
	ip := &instrPrinter{mp: mp, r: r, inline: true}
	return ip.run(0)
}

func (mp *coreModulePrinter) function(fi uint32, r *wasm.Reader, fn *nameSet) error {
	p := mp.p
	if int(fi) >= len(mp.funcTy) {
		return r.Errorf("function %d has no type", fi)
	}
	t := mp.funcTy[fi]
	p.open("func (;%d;)%s (type %d)", fi, fn.decl(fi), t)
	ln := newNameSet("local", mp.names.locals[fi])
	var b strings.Builder
	nparams := 0
	if int(t) < len(mp.types) && mp.types[t].Kind == wasm.CompFunc {
		ft := mp.types[t].Func
		nparams = len(ft.Params)
		writeParamsResults(&b, ft.Params, ft.Results, ln)
	}
	p.str("%s", b.String())
	runs, err := r.Count("locals")
	if err != nil {
		return err
	}
	li := uint32(nparams)
	for i := 0; i < runs; i++ {
		n, err := r.U32()
		if err != nil {
			return err
		}
		if n > uint32(r.Remaining()) {
			return r.Errorf("too many locals")
		}
		v, err := r.ReadValType()
		if err != nil {
			return err
		}
		for k := uint32(0); k < n; k++ {
			p.nl()
			p.str("(local%s %s)", ln.decl(li), valTypeText(v))
			li++
		}
	}
	ip := &instrPrinter{mp: mp, r: r, labels: mp.names.labels[fi]}
	if err := ip.run(0); err != nil {
		return err
	}
	if !r.EOF() {
		return r.Errorf("unexpected data after the end of the function body")
	}
	p.close()
	return nil
}

// revOps maps (prefix, code) back to instructions.
var revOps = map[[2]uint32]*op{}

func init() {
	for _, o := range ops {
		revOps[[2]uint32{uint32(o.prefix), o.code}] = o
	}
}

type instrPrinter struct {
	mp     *coreModulePrinter
	r      *wasm.Reader
	inline bool // a constant expression on one line
	labels map[uint32]string
	nblock uint32
}

func (ip *instrPrinter) emit(s string) {
	p := ip.mp.p
	if ip.inline {
		p.str(" %s", s)
		return
	}
	p.nl()
	p.str("%s", s)
}

// run prints instructions until the end that closes the body. Decoding
// is internal/wasm's instruction reader; this only spells what it read.
func (ip *instrPrinter) run(depth int) error {
	r := ip.r
	p := ip.mp.p
	var in wasm.Instr
	for {
		at := r.Offset()
		if err := r.ReadInstr(&in); err != nil {
			return err
		}
		key := [2]uint32{0, uint32(in.Op)}
		if in.Prefixed() {
			key = [2]uint32{uint32(in.Op), in.Sub}
		}
		o := revOps[key]
		name := ""
		if o == nil {
			switch key {
			case [2]uint32{0, 0x1c}:
				o, name = ops["select"], "select"
			case [2]uint32{0xfb, 21}:
				o, name = ops["ref.test"], "ref.test"
			case [2]uint32{0xfb, 23}:
				o, name = ops["ref.cast"], "ref.cast"
			default:
				return wasm.ErrorAt(at, "unsupported instruction opcode %#x %d", key[0], key[1])
			}
		} else {
			name = o.name
		}
		if o.name == "end" {
			if depth == 0 {
				return nil
			}
			depth--
			p.indent--
			ip.emit("end")
			continue
		}
		if o.name == "else" {
			p.indent--
			ip.emit("else")
			p.indent++
			continue
		}
		text, err := ip.immediates(o, &in, name)
		if err != nil {
			return err
		}
		ip.emit(text)
		if o.imm == imBlock || o.imm == imTryTable {
			depth++
			p.indent++
		}
	}
}

// blockType spells a block type.
func blockTypeText(bt wasm.BlockType) string {
	switch bt.Kind {
	case 1:
		return " (result " + valTypeText(bt.Val) + ")"
	case 2:
		return fmt.Sprintf(" (type %d)", bt.Index)
	}
	return ""
}

// immediates spells the instruction in with the text immediates of o.
func (ip *instrPrinter) immediates(o *op, in *wasm.Instr, name string) (string, error) {
	var b strings.Builder
	b.WriteString(name)
	switch o.imm {
	case imBlock, imTryTable:
		if l := ip.labels[ip.nblock]; l != "" && idOK(l) {
			b.WriteString(" $" + l)
		}
		ip.nblock++
		b.WriteString(blockTypeText(in.Block))
		if o.imm == imTryTable {
			kinds := [...]string{"catch", "catch_ref", "catch_all", "catch_all_ref"}
			for _, c := range in.Catches {
				b.WriteString(" (" + kinds[c.Kind])
				if c.Kind < 2 {
					fmt.Fprintf(&b, " %d", c.Tag)
				}
				fmt.Fprintf(&b, " %d)", c.Label)
			}
		}
	case imLabel, imFunc, imLocal, imGlobal, imTable, imMem, imData, imElem, imType, imTag:
		fmt.Fprintf(&b, " %d", in.X)
	case imBrTable:
		for _, l := range in.Labels {
			fmt.Fprintf(&b, " %d", l)
		}
		fmt.Fprintf(&b, " %d", in.X)
	case imCallInd:
		fmt.Fprintf(&b, " %d (type %d)", in.Y, in.X)
	case imMemarg:
		m := in.Mem
		if m.Mem != 0 {
			fmt.Fprintf(&b, " %d", m.Mem)
		}
		if m.Offset != 0 {
			fmt.Fprintf(&b, " offset=%d", m.Offset)
		}
		if m.Align != o.align {
			if m.Align >= 64 {
				return "", ip.r.Errorf("alignment too large")
			}
			fmt.Fprintf(&b, " align=%d", uint64(1)<<m.Align)
		}
	case imI32:
		fmt.Fprintf(&b, " %d", int32(in.Bits))
	case imI64:
		fmt.Fprintf(&b, " %d", int64(in.Bits))
	case imF32:
		b.WriteString(" " + floatText(in.Bits, 32))
	case imF64:
		b.WriteString(" " + floatText(in.Bits, 64))
	case imRefNull:
		b.WriteString(" " + in.Heap.String())
	case imRefTest:
		null := ""
		if in.Sub == 21 || in.Sub == 23 {
			null = "null "
		}
		b.WriteString(" (ref " + null + in.Heap.String() + ")")
	case imSelect:
		if in.Imm == wasm.ImmSelectT {
			b.WriteString(" (result")
			for _, v := range in.Types {
				b.WriteString(" " + valTypeText(v))
			}
			b.WriteString(")")
		}
	case imMemInit, imTableInit:
		fmt.Fprintf(&b, " %d %d", in.Y, in.X)
	case imMemCopy, imTableCopy, imTypeField, imTypeU32, imTypeData, imTypeElem, imTypeType:
		fmt.Fprintf(&b, " %d %d", in.X, in.Y)
	case imV128:
		b.WriteString(" i32x4")
		for i := 0; i < 4; i++ {
			fmt.Fprintf(&b, " 0x%08x", binary.LittleEndian.Uint32(in.V128[4*i:]))
		}
	}
	return b.String(), nil
}

// floatText spells float bits so that parsing gives them back exactly.
func floatText(bits uint64, width int) string {
	sign := ""
	mantBits := uint(52)
	expAll := uint64(0x7ff)
	if width == 32 {
		mantBits, expAll = 23, 0xff
	}
	if bits>>(width-1)&1 != 0 {
		sign = "-"
	}
	exp := bits >> mantBits & expAll
	mant := bits & (1<<mantBits - 1)
	if exp == expAll {
		if mant == 0 {
			return sign + "inf"
		}
		return fmt.Sprintf("%snan:0x%x", sign, mant)
	}
	if width == 32 {
		return strconv.FormatFloat(float64(math.Float32frombits(uint32(bits))), 'x', -1, 32)
	}
	return strconv.FormatFloat(math.Float64frombits(bits), 'x', -1, 64)
}
