package wat

import (
	"encoding/binary"

	"github.com/wasmcm/wasmcm/internal/wasm"
)

// namespace maps $ids of one index space to indices.
type namespace struct {
	what  string
	ids   map[string]uint32
	count uint32
}

func newNS(what string) *namespace { return &namespace{what: what, ids: map[string]uint32{}} }

// add registers the next definition; a repeated $id is an error.
func (n *namespace) add(s *source, id string, pos int) (uint32, error) {
	i := n.count
	n.count++
	if id != "" {
		if _, dup := n.ids[id]; dup {
			return 0, s.errorf(max(pos, 0), "duplicate %s identifier `$%s`", n.what, printable(id))
		}
		n.ids[id] = i
	}
	return i, nil
}

func printable(id string) string {
	if isGensym(id) {
		return "<generated>"
	}
	return id
}

func (n *namespace) resolve(s *source, x index) (uint32, error) {
	if !x.isID {
		return x.num, nil
	}
	if i, ok := n.ids[x.id]; ok {
		return i, nil
	}
	return 0, s.errorf(max(x.pos, 0), "unknown %s: failed to find name `$%s`", n.what, printable(x.id))
}

// moduleResolver holds the index spaces of a module being encoded.
type moduleResolver struct {
	m                                         *coreModule
	types, funcs, tables, mems, globals, tags *namespace
	elems, datas                              *namespace
	// subs lists every type in index order.
	subs []*subT
}

// expand adds the function types that type uses imply, as the reference
// does: a use matching an earlier plain (type (func ...)) reuses it, any
// other gets a new type appended to the type section.
func (m *coreModule) expand() {
	m.funcKeys = map[string]index{}
	n := uint32(0)
	for _, g := range m.groups {
		for _, t := range g.subs {
			if !g.rec && t.kind == wasm.CompFunc {
				k := t.fn.key()
				if _, ok := m.funcKeys[k]; !ok {
					m.funcKeys[k] = numIndex(n)
				}
			}
			n++
		}
	}
	m.nextType = n
	for _, d := range m.order {
		switch d := d.(type) {
		case *importT:
			m.expandUse(d.tu)
		case *funcDef:
			m.expandUse(d.tu)
			m.expandBody(d.body)
		case *tagDef:
			m.expandUse(d.tu)
		}
	}
}

func (m *coreModule) expandBody(body []instr) {
	for i := range body {
		in := &body[i]
		switch in.op.imm {
		case imBlock, imTryTable:
			if in.tu.idx != nil {
				in.tu.resolved = *in.tu.idx
				continue
			}
			if in.tu.inline == nil || len(in.tu.inline.params) == 0 && len(in.tu.inline.results) <= 1 {
				continue
			}
			m.expandUse(in.tu)
		case imCallInd:
			m.expandUse(in.tu)
		}
	}
}

func (m *coreModule) expandUse(tu *typeUse) {
	if tu.idx != nil {
		tu.resolved = *tu.idx
		return
	}
	f := tu.inline
	if f == nil {
		f = &funcT{}
	}
	k := f.key()
	if x, ok := m.funcKeys[k]; ok {
		tu.resolved = x
		return
	}
	t := &subT{kind: wasm.CompFunc}
	for _, p := range f.params {
		t.fn.params = append(t.fn.params, paramT{ty: p.ty})
	}
	t.fn.results = f.results
	m.groups = append(m.groups, typeGroup{subs: []*subT{t}})
	x := numIndex(m.nextType)
	m.nextType++
	m.funcKeys[k] = x
	tu.resolved = x
}

// encode returns the binary module.
func (m *coreModule) encode() ([]byte, error) {
	m.expand()
	r := &moduleResolver{m: m, types: newNS("type"), funcs: newNS("func"), tables: newNS("table"),
		mems: newNS("memory"), globals: newNS("global"), tags: newNS("tag"), elems: newNS("elem"), datas: newNS("data")}
	s := m.s
	for _, g := range m.groups {
		for _, t := range g.subs {
			if _, err := r.types.add(s, t.id, t.pos); err != nil {
				return nil, err
			}
			r.subs = append(r.subs, t)
		}
	}
	for _, im := range m.imports {
		var ns *namespace
		switch im.kind {
		case wasm.ExternFunc, wasm.ExternFuncExact:
			ns = r.funcs
		case wasm.ExternTable:
			ns = r.tables
		case wasm.ExternMemory:
			ns = r.mems
		case wasm.ExternGlobal:
			ns = r.globals
		case wasm.ExternTag:
			ns = r.tags
		}
		if _, err := ns.add(s, im.id, im.pos); err != nil {
			return nil, err
		}
	}
	for _, f := range m.funcs {
		if _, err := r.funcs.add(s, f.id, f.pos); err != nil {
			return nil, err
		}
	}
	for _, t := range m.tables {
		if _, err := r.tables.add(s, t.id, -1); err != nil {
			return nil, err
		}
	}
	for _, d := range m.mems {
		if _, err := r.mems.add(s, d.id, -1); err != nil {
			return nil, err
		}
	}
	for _, g := range m.globals {
		if _, err := r.globals.add(s, g.id, -1); err != nil {
			return nil, err
		}
	}
	for _, t := range m.tags {
		if _, err := r.tags.add(s, t.id, -1); err != nil {
			return nil, err
		}
	}
	for _, e := range m.elems {
		if _, err := r.elems.add(s, e.id, -1); err != nil {
			return nil, err
		}
	}
	for _, d := range m.datas {
		if _, err := r.datas.add(s, d.id, -1); err != nil {
			return nil, err
		}
	}
	return r.encode()
}

func (r *moduleResolver) valType(v valT) (wasm.ValType, error) {
	if v.code != wasm.Ref {
		return wasm.ValType{Code: v.code}, nil
	}
	h, err := r.heapType(v.heap)
	if err != nil {
		return wasm.ValType{}, err
	}
	if v.nullable && h.Abstract != 0 {
		return wasm.ValType{Code: h.Abstract, Heap: h}, nil
	}
	if v.nullable {
		return wasm.ValType{Code: wasm.RefNull, Heap: h}, nil
	}
	return wasm.ValType{Code: wasm.Ref, Heap: h}, nil
}

func (r *moduleResolver) heapType(h heapT) (wasm.HeapType, error) {
	if h.abs != 0 {
		return wasm.HeapType{Abstract: h.abs, Shared: h.shared}, nil
	}
	i, err := r.types.resolve(r.m.s, h.idx)
	return wasm.HeapType{Index: i, Exact: h.exact}, err
}

func (r *moduleResolver) subType(t *subT) (wasm.SubType, error) {
	st := wasm.SubType{Final: true, Kind: t.kind, Shared: t.shared}
	if t.final != nil {
		st.Final = *t.final
	}
	if t.parent != nil {
		p, err := r.types.resolve(r.m.s, *t.parent)
		if err != nil {
			return st, err
		}
		st.Supers = []uint32{p}
	}
	st.Explicit = t.parent != nil || !st.Final
	var err error
	switch t.kind {
	case wasm.CompFunc:
		for _, p := range t.fn.params {
			v, err := r.valType(p.ty)
			if err != nil {
				return st, err
			}
			st.Func.Params = append(st.Func.Params, v)
		}
		for _, p := range t.fn.results {
			v, err := r.valType(p)
			if err != nil {
				return st, err
			}
			st.Func.Results = append(st.Func.Results, v)
		}
	case wasm.CompStruct, wasm.CompArray:
		for _, f := range t.fields {
			ft := wasm.FieldType{Packed: f.packed, Mutable: f.mutable}
			if f.packed == 0 {
				if ft.Val, err = r.valType(f.ty); err != nil {
					return st, err
				}
			}
			st.Fields = append(st.Fields, ft)
		}
		if st.Fields == nil && t.kind == wasm.CompStruct {
			st.Fields = []wasm.FieldType{}
		}
	case wasm.CompCont:
		if st.ContTypeIdx, err = r.types.resolve(r.m.s, t.cont); err != nil {
			return st, err
		}
	}
	return st, nil
}

func section(b []byte, id byte, body []byte) []byte {
	b = append(b, id)
	b = wasm.AppendU32(b, uint32(len(body)))
	return append(b, body...)
}

func (r *moduleResolver) encode() ([]byte, error) {
	m := r.m
	s := m.s
	b := append(append([]byte{}, wasm.Magic...), wasm.ModuleVersion...)
	customs := func(place string) {
		for _, c := range m.customs {
			if c.place == place {
				b = section(b, 0, append(wasm.AppendName(nil, c.name), c.data...))
			}
		}
	}
	customs("first")
	var body []byte
	vec := func(n int) { body = wasm.AppendU32(body[:0], uint32(n)) }
	emit := func(id byte, anchor string, n int, each func(i int) error) error {
		customs("before " + anchor)
		if n > 0 {
			vec(n)
			for i := 0; i < n; i++ {
				if err := each(i); err != nil {
					return err
				}
			}
			b = section(b, id, body)
		}
		customs("after " + anchor)
		return nil
	}
	err := emit(wasm.SecType, "type", len(m.groups), func(i int) error {
		g := m.groups[i]
		rg := wasm.RecGroup{Explicit: g.rec}
		for _, t := range g.subs {
			st, err := r.subType(t)
			if err != nil {
				return err
			}
			rg.Types = append(rg.Types, st)
		}
		body = wasm.AppendRecGroup(body, &rg)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := emit(wasm.SecImport, "import", len(m.imports), func(i int) error {
		im := m.imports[i]
		et, err := r.externType(im)
		if err != nil {
			return err
		}
		body = wasm.AppendImport(body, wasm.Import{Module: im.module, Name: im.field, Type: et})
		return nil
	}); err != nil {
		return nil, err
	}
	if err := emit(wasm.SecFunction, "func", len(m.funcs), func(i int) error {
		t, err := r.types.resolve(s, m.funcs[i].tu.resolved)
		body = wasm.AppendU32(body, t)
		return err
	}); err != nil {
		return nil, err
	}
	if err := emit(wasm.SecTable, "table", len(m.tables), func(i int) error {
		t := m.tables[i]
		tt, err := r.tableType(t.ty)
		if err != nil {
			return err
		}
		if t.init != nil {
			body = append(body, 0x40, 0x00)
			body = wasm.AppendTableType(body, tt)
			return r.constExpr(&body, t.init)
		}
		body = wasm.AppendTableType(body, tt)
		return nil
	}); err != nil {
		return nil, err
	}
	if err := emit(wasm.SecMemory, "memory", len(m.mems), func(i int) error {
		body = wasm.AppendMemoryType(body, m.mems[i].ty)
		return nil
	}); err != nil {
		return nil, err
	}
	if err := emit(13, "tag", len(m.tags), func(i int) error {
		t, err := r.types.resolve(s, m.tags[i].tu.resolved)
		body = wasm.AppendU32(append(body, 0), t)
		return err
	}); err != nil {
		return nil, err
	}
	if err := emit(wasm.SecGlobal, "global", len(m.globals), func(i int) error {
		g := m.globals[i]
		gt, err := r.globalType(g.ty)
		if err != nil {
			return err
		}
		body = wasm.AppendGlobalType(body, gt)
		return r.constExpr(&body, g.init)
	}); err != nil {
		return nil, err
	}
	if err := emit(wasm.SecExport, "export", len(m.exports), func(i int) error {
		x := m.exports[i]
		var ns *namespace
		switch x.kind {
		case wasm.ExternFunc:
			ns = r.funcs
		case wasm.ExternTable:
			ns = r.tables
		case wasm.ExternMemory:
			ns = r.mems
		case wasm.ExternGlobal:
			ns = r.globals
		case wasm.ExternTag:
			ns = r.tags
		}
		idx, err := ns.resolve(s, x.idx)
		body = wasm.AppendU32(append(wasm.AppendName(body, x.name), byte(x.kind)), idx)
		return err
	}); err != nil {
		return nil, err
	}
	customs("before start")
	if m.start != nil {
		f, err := r.funcs.resolve(s, *m.start)
		if err != nil {
			return nil, err
		}
		b = section(b, wasm.SecStart, wasm.AppendU32(nil, f))
	}
	customs("after start")
	if err := emit(wasm.SecElement, "elem", len(m.elems), func(i int) error {
		return r.elem(&body, m.elems[i])
	}); err != nil {
		return nil, err
	}
	if r.needsDataCount() {
		b = section(b, wasm.SecDataCount, wasm.AppendU32(nil, uint32(len(m.datas))))
	}
	var fn []byte
	if err := emit(wasm.SecCode, "code", len(m.funcs), func(i int) error {
		var err error
		fn, err = r.funcBody(fn[:0], m.funcs[i])
		if err != nil {
			return err
		}
		body = append(wasm.AppendU32(body, uint32(len(fn))), fn...)
		return nil
	}); err != nil {
		return nil, err
	}
	if err := emit(wasm.SecData, "data", len(m.datas), func(i int) error {
		d := m.datas[i]
		if !d.active {
			body = append(body, 1)
		} else {
			mem, err := r.mems.resolve(s, d.mem)
			if err != nil {
				return err
			}
			if mem == 0 {
				body = append(body, 0)
			} else {
				body = wasm.AppendU32(append(body, 2), mem)
			}
			if err := r.constExpr(&body, d.offset); err != nil {
				return err
			}
		}
		body = append(wasm.AppendU32(body, uint32(len(d.data))), d.data...)
		return nil
	}); err != nil {
		return nil, err
	}
	customs("last")
	if names := r.names(); names != nil {
		b = section(b, 0, append(wasm.AppendName(nil, "name"), names...))
	}
	return b, nil
}

func (r *moduleResolver) tableType(t tableTypeT) (wasm.TableType, error) {
	v, err := r.valType(t.elem)
	return wasm.TableType{Elem: v, Limits: t.limits}, err
}

func (r *moduleResolver) globalType(g globalTypeT) (wasm.GlobalType, error) {
	v, err := r.valType(g.ty)
	return wasm.GlobalType{Val: v, Mutable: g.mutable, Shared: g.shared}, err
}

func (r *moduleResolver) externType(im *importT) (wasm.ExternType, error) {
	et := wasm.ExternType{Kind: im.kind}
	var err error
	switch im.kind {
	case wasm.ExternFunc, wasm.ExternFuncExact, wasm.ExternTag:
		et.Index, err = r.types.resolve(r.m.s, im.tu.resolved)
	case wasm.ExternTable:
		et.Table, err = r.tableType(im.table)
	case wasm.ExternMemory:
		et.Memory = im.mem
	case wasm.ExternGlobal:
		et.Global, err = r.globalType(im.global)
	}
	return et, err
}

func (r *moduleResolver) elem(b *[]byte, e *elemDef) error {
	s := r.m.s
	var table uint32
	hasTable := e.table != nil
	if hasTable {
		var err error
		if table, err = r.tables.resolve(s, *e.table); err != nil {
			return err
		}
	}
	exprBit := byte(0)
	if e.isExprs {
		exprBit = 4
	}
	isFuncref := e.isExprs && e.ty.nullable && e.ty.heap.abs == wasm.HeapFunc && !e.ty.heap.shared
	encodeType := false
	switch e.mode {
	case 1:
		*b = append(*b, 1|exprBit)
		encodeType = true
	case 2:
		*b = append(*b, 3|exprBit)
		encodeType = true
	default:
		if !hasTable && (!e.isExprs || isFuncref) {
			*b = append(*b, exprBit)
		} else {
			*b = wasm.AppendU32(append(*b, 2|exprBit), table)
			encodeType = true
		}
		if err := r.constExpr(b, e.offset); err != nil {
			return err
		}
	}
	if !e.isExprs {
		if encodeType {
			*b = append(*b, 0)
		}
		*b = wasm.AppendU32(*b, uint32(len(e.indices)))
		for _, x := range e.indices {
			f, err := r.funcs.resolve(s, x)
			if err != nil {
				return err
			}
			*b = wasm.AppendU32(*b, f)
		}
		return nil
	}
	if encodeType {
		v, err := r.valType(e.ty)
		if err != nil {
			return err
		}
		*b = wasm.AppendValType(*b, v)
	}
	*b = wasm.AppendU32(*b, uint32(len(e.exprs)))
	for _, ex := range e.exprs {
		if err := r.constExpr(b, ex); err != nil {
			return err
		}
	}
	return nil
}

func (r *moduleResolver) needsDataCount() bool {
	for _, f := range r.m.funcs {
		for i := range f.body {
			switch f.body[i].op.name {
			case "memory.init", "data.drop", "array.new_data", "array.init_data":
				return true
			}
		}
	}
	return false
}

// constExpr encodes instructions outside any function, then end.
func (r *moduleResolver) constExpr(b *[]byte, body []instr) error {
	fe := &funcEncoder{r: r, locals: newNS("local")}
	var err error
	*b, err = fe.instrs(*b, body)
	if err != nil {
		return err
	}
	*b = append(*b, wasm.OpEnd)
	return nil
}

// funcEncoder encodes one function body: locals by $id and the label stack.
type funcEncoder struct {
	r      *moduleResolver
	locals *namespace
	labels []string
}

func (r *moduleResolver) funcBody(b []byte, f *funcDef) ([]byte, error) {
	s := r.m.s
	fe := &funcEncoder{r: r, locals: newNS("local")}
	if f.tu.inline != nil {
		for _, p := range f.tu.inline.params {
			if _, err := fe.locals.add(s, p.id, p.pos); err != nil {
				return nil, err
			}
		}
	} else {
		t, err := r.types.resolve(s, f.tu.resolved)
		if err != nil {
			return nil, err
		}
		if int(t) < len(r.subs) {
			fe.locals.count = uint32(len(r.subs[t].fn.params))
		}
	}
	// Locals, run-length compressed.
	var types []wasm.ValType
	for _, l := range f.locals {
		if _, err := fe.locals.add(s, l.id, l.pos); err != nil {
			return nil, err
		}
		v, err := r.valType(l.ty)
		if err != nil {
			return nil, err
		}
		types = append(types, v)
	}
	runs := 0
	for i := range types {
		if i == 0 || types[i] != types[i-1] {
			runs++
		}
	}
	b = wasm.AppendU32(b, uint32(runs))
	for i := 0; i < len(types); {
		j := i
		for j < len(types) && types[j] == types[i] {
			j++
		}
		b = wasm.AppendValType(wasm.AppendU32(b, uint32(j-i)), types[i])
		i = j
	}
	b, err := fe.instrs(b, f.body)
	if err != nil {
		return nil, err
	}
	return append(b, wasm.OpEnd), nil
}

func (fe *funcEncoder) label(x index) (uint32, error) {
	if !x.isID {
		return x.num, nil
	}
	for i := len(fe.labels) - 1; i >= 0; i-- {
		if fe.labels[i] == x.id {
			return uint32(len(fe.labels) - 1 - i), nil
		}
	}
	return 0, fe.r.m.s.errorf(max(x.pos, 0), "unknown label: failed to find name `$%s`", x.id)
}

func (fe *funcEncoder) blockType(b []byte, tu *typeUse) ([]byte, error) {
	r := fe.r
	if tu.idx != nil || (tu.inline != nil && !(len(tu.inline.params) == 0 && len(tu.inline.results) <= 1)) {
		t, err := r.types.resolve(r.m.s, tu.resolved)
		return wasm.AppendS64(b, int64(t)), err
	}
	if tu.inline == nil || len(tu.inline.results) == 0 {
		return append(b, 0x40), nil
	}
	v, err := r.valType(tu.inline.results[0])
	return wasm.AppendValType(b, v), err
}

func (fe *funcEncoder) instrs(b []byte, body []instr) ([]byte, error) {
	r := fe.r
	s := r.m.s
	var err error
	for i := range body {
		in := &body[i]
		o := in.op
		if o.prefix != 0 {
			b = wasm.AppendU32(append(b, o.prefix), o.code)
		} else {
			b = append(b, byte(o.code))
		}
		res := func(ns *namespace, k int) {
			if err != nil {
				return
			}
			var v uint32
			v, err = ns.resolve(s, in.idx[k])
			b = wasm.AppendU32(b, v)
		}
		switch o.imm {
		case imBlock, imTryTable:
			if b, err = fe.blockType(b, in.tu); err != nil {
				return nil, err
			}
			if o.imm == imTryTable {
				b = wasm.AppendU32(b, uint32(len(in.catches)))
				for _, c := range in.catches {
					b = append(b, c.kind)
					if c.kind < 2 {
						t, err := r.tags.resolve(s, c.tag)
						if err != nil {
							return nil, err
						}
						b = wasm.AppendU32(b, t)
					}
					l, err := fe.label(c.label)
					if err != nil {
						return nil, err
					}
					b = wasm.AppendU32(b, l)
				}
			}
			fe.labels = append(fe.labels, in.label)
		case imEnd:
			if o.name == "end" && len(fe.labels) > 0 {
				fe.labels = fe.labels[:len(fe.labels)-1]
			}
		case imLabel, imBrTable:
			if o.imm == imBrTable {
				b = wasm.AppendU32(b, uint32(len(in.idx)-1))
			}
			for _, x := range in.idx {
				l, err := fe.label(x)
				if err != nil {
					return nil, err
				}
				b = wasm.AppendU32(b, l)
			}
		case imFunc:
			res(r.funcs, 0)
		case imCallInd:
			t, err := r.types.resolve(s, in.tu.resolved)
			if err != nil {
				return nil, err
			}
			b = wasm.AppendU32(b, t)
			res(r.tables, 0)
		case imLocal:
			res(fe.locals, 0)
		case imGlobal:
			res(r.globals, 0)
		case imTable:
			res(r.tables, 0)
		case imMem:
			res(r.mems, 0)
		case imMemarg:
			mem, err := r.mems.resolve(s, in.mem.mem)
			if err != nil {
				return nil, err
			}
			if mem == 0 {
				b = wasm.AppendU32(b, in.mem.align)
			} else {
				b = wasm.AppendU32(wasm.AppendU32(b, in.mem.align|0x40), mem)
			}
			b = wasm.AppendU64(b, in.mem.offset)
		case imI32:
			b = wasm.AppendS32(b, int32(in.bits))
		case imI64:
			b = wasm.AppendS64(b, int64(in.bits))
		case imF32:
			b = binary.LittleEndian.AppendUint32(b, uint32(in.bits))
		case imF64:
			b = binary.LittleEndian.AppendUint64(b, in.bits)
		case imRefNull:
			h, err := r.heapType(in.heap)
			if err != nil {
				return nil, err
			}
			b = wasm.AppendHeapType(b, h)
		case imRefTest:
			if in.null {
				b[len(b)-1]++
			}
			h, err := r.heapType(in.heap)
			if err != nil {
				return nil, err
			}
			b = wasm.AppendHeapType(b, h)
		case imSelect:
			if in.hasVts {
				b[len(b)-1] = 0x1c
				b = wasm.AppendU32(b, uint32(len(in.vts)))
				for _, t := range in.vts {
					v, err := r.valType(t)
					if err != nil {
						return nil, err
					}
					b = wasm.AppendValType(b, v)
				}
			}
		case imMemInit:
			res(r.datas, 1)
			res(r.mems, 0)
		case imData:
			res(r.datas, 0)
		case imMemCopy:
			res(r.mems, 0)
			res(r.mems, 1)
		case imTableInit:
			res(r.elems, 1)
			res(r.tables, 0)
		case imElem:
			res(r.elems, 0)
		case imTableCopy:
			res(r.tables, 0)
			res(r.tables, 1)
		case imType:
			res(r.types, 0)
		case imTag:
			res(r.tags, 0)
		case imTypeField:
			res(r.types, 0)
			if err == nil {
				b = wasm.AppendU32(b, in.idx[1].num) // field ids are not supported
				if in.idx[1].isID {
					err = s.errorf(max(in.idx[1].pos, 0), "field identifiers are not supported")
				}
			}
		case imTypeU32:
			res(r.types, 0)
			b = wasm.AppendU32(b, uint32(in.bits))
		case imTypeData:
			res(r.types, 0)
			res(r.datas, 1)
		case imTypeElem:
			res(r.types, 0)
			res(r.elems, 1)
		case imTypeType:
			res(r.types, 0)
			res(r.types, 1)
		case imV128:
			b = append(b, in.v128[:]...)
		}
		if err != nil {
			return nil, err
		}
	}
	return b, nil
}

// debugName is the name a definition gets in the name section: its @name
// annotation, else its $id unless generated.
func debugName(id, name string) string {
	if name != "" {
		return name
	}
	if isGensym(id) {
		return ""
	}
	return id
}

type nameAssoc struct {
	idx  uint32
	name string
}

func appendNameMap(b []byte, m []nameAssoc) []byte {
	b = wasm.AppendU32(b, uint32(len(m)))
	for _, a := range m {
		b = wasm.AppendName(wasm.AppendU32(b, a.idx), a.name)
	}
	return b
}

type indirectAssoc struct {
	idx   uint32
	names []nameAssoc
}

func appendIndirect(b []byte, m []indirectAssoc) []byte {
	b = wasm.AppendU32(b, uint32(len(m)))
	for _, a := range m {
		b = appendNameMap(wasm.AppendU32(b, a.idx), a.names)
	}
	return b
}

// names builds the name section as the reference writes it, or nil when
// nothing has a name.
func (r *moduleResolver) names() []byte {
	m := r.m
	var funcs, tables, mems, globals, tags, types, elems, datas []nameAssoc
	var locals, labels, fields []indirectAssoc
	add := func(list *[]nameAssoc, i int, id, name string) {
		if n := debugName(id, name); n != "" {
			*list = append(*list, nameAssoc{uint32(i), n})
		}
	}
	var nf, nt, nm, ng, ntag int
	for _, im := range m.imports {
		switch im.kind {
		case wasm.ExternFunc, wasm.ExternFuncExact:
			add(&funcs, nf, im.id, im.name)
			nf++
		case wasm.ExternTable:
			add(&tables, nt, im.id, im.name)
			nt++
		case wasm.ExternMemory:
			add(&mems, nm, im.id, im.name)
			nm++
		case wasm.ExternGlobal:
			add(&globals, ng, im.id, im.name)
			ng++
		case wasm.ExternTag:
			add(&tags, ntag, im.id, im.name)
			ntag++
		}
	}
	for _, f := range m.funcs {
		add(&funcs, nf, f.id, f.name)
		var ln, lb []nameAssoc
		li := 0
		if f.tu.inline != nil {
			for _, p := range f.tu.inline.params {
				add(&ln, li, p.id, p.name)
				li++
			}
		} else if t, err := r.types.resolve(m.s, f.tu.resolved); err == nil && int(t) < len(r.subs) {
			li = len(r.subs[t].fn.params)
		}
		for _, l := range f.locals {
			add(&ln, li, l.id, l.name)
			li++
		}
		bi := 0
		for i := range f.body {
			if imm := f.body[i].op.imm; imm == imBlock || imm == imTryTable {
				add(&lb, bi, f.body[i].label, "")
				bi++
			}
		}
		if len(ln) > 0 {
			locals = append(locals, indirectAssoc{uint32(nf), ln})
		}
		if len(lb) > 0 {
			labels = append(labels, indirectAssoc{uint32(nf), lb})
		}
		nf++
	}
	for _, t := range m.tables {
		add(&tables, nt, t.id, t.name)
		nt++
	}
	for _, d := range m.mems {
		add(&mems, nm, d.id, d.name)
		nm++
	}
	for _, g := range m.globals {
		add(&globals, ng, g.id, g.name)
		ng++
	}
	for _, t := range m.tags {
		add(&tags, ntag, t.id, t.name)
		ntag++
	}
	ti := 0
	for _, g := range m.groups {
		for _, t := range g.subs {
			add(&types, ti, t.id, t.name)
			if !g.rec && t.kind == wasm.CompStruct {
				var fn []nameAssoc
				for i, f := range t.fields {
					add(&fn, i, f.id, "")
				}
				if len(fn) > 0 {
					fields = append(fields, indirectAssoc{uint32(ti), fn})
				}
			}
			ti++
		}
	}
	for i, e := range m.elems {
		add(&elems, i, e.id, e.name)
	}
	for i, d := range m.datas {
		add(&datas, i, d.id, d.name)
	}
	var b []byte
	sub := func(id byte, body []byte) {
		b = append(wasm.AppendU32(append(b, id), uint32(len(body))), body...)
	}
	if n := debugName(m.id, m.name); n != "" {
		sub(0, wasm.AppendName(nil, n))
	}
	maps := []struct {
		id   byte
		list []nameAssoc
	}{{1, funcs}}
	for _, x := range maps {
		if len(x.list) > 0 {
			sub(x.id, appendNameMap(nil, x.list))
		}
	}
	if len(locals) > 0 {
		sub(2, appendIndirect(nil, locals))
	}
	if len(labels) > 0 {
		sub(3, appendIndirect(nil, labels))
	}
	for _, x := range []struct {
		id   byte
		list []nameAssoc
	}{{4, types}, {5, tables}, {6, mems}, {7, globals}, {8, elems}, {9, datas}} {
		if len(x.list) > 0 {
			sub(x.id, appendNameMap(nil, x.list))
		}
	}
	if len(fields) > 0 {
		sub(10, appendIndirect(nil, fields))
	}
	if len(tags) > 0 {
		sub(11, appendNameMap(nil, tags))
	}
	return b
}
