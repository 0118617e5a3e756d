package wat

import (
	"strconv"

	"github.com/wasmcm/wasmcm/internal/wasm"
)

// coreModule is a core module text after de-inlining of imports and
// exports: its definitions per index space, in text order.
type coreModule struct {
	s        *source
	id, name string

	groups  []typeGroup
	imports []*importT
	funcs   []*funcDef
	tables  []*tableDef
	mems    []*memDef
	globals []*globalDef
	tags    []*tagDef
	exports []*exportT
	start   *index
	elems   []*elemDef
	datas   []*dataDef
	customs []*customT

	// order lists the definitions that carry type uses, in text order, for
	// the expansion of implied function types.
	order []any
	// lastDef names the kind of the last definition seen, to reject an
	// import after a definition.
	lastDef string

	// funcKeys maps function type keys to the index of the first type
	// defining them, for implied types.
	funcKeys map[string]index
	nextType uint32
}

type typeGroup struct {
	rec  bool
	subs []*subT
}

type importT struct {
	pos           int
	module, field string
	kind          wasm.ExternKind
	id, name      string
	tu            *typeUse // funcs, tags
	table         tableTypeT
	mem           wasm.MemoryType
	global        globalTypeT
}

type funcDef struct {
	pos      int
	id, name string
	tu       *typeUse
	locals   []paramT
	body     []instr
}

type tableDef struct {
	id, name string
	ty       tableTypeT
	init     []instr // nil without an initializer
}

type memDef struct {
	id, name string
	ty       wasm.MemoryType
}

type globalDef struct {
	id, name string
	ty       globalTypeT
	init     []instr
}

type tagDef struct {
	id, name string
	tu       *typeUse
}

type exportT struct {
	name string
	kind wasm.ExternKind
	idx  index
}

type elemDef struct {
	id, name string
	mode     byte // 0 active, 1 passive, 2 declared
	table    *index
	offset   []instr
	indices  []index // funcs, when exprs is nil
	exprs    [][]instr
	ty       valT
	isExprs  bool
}

type dataDef struct {
	id, name string
	active   bool
	mem      index
	offset   []instr
	data     []byte
}

type customT struct {
	name  string
	place string // "first", "last", "before X", "after X"
	data  []byte
}

// parseModule reads the fields of a module (the cursor stands after
// `module $id? (@name)?`).
func parseModule(c *cur, id, name string) (*coreModule, error) {
	m := &coreModule{s: c.s, id: id, name: name}
	for !c.done() {
		fc, err := c.anyList()
		if err != nil {
			return nil, err
		}
		if err := m.field(fc); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// inlineExports reads (export "name")* after a definition's $id.
func (m *coreModule) inlineExports(c *cur, kind wasm.ExternKind, id *string) error {
	for c.isList("export") {
		sc, _ := c.sub("export")
		name, err := sc.name()
		if err != nil {
			return err
		}
		if err := sc.end(); err != nil {
			return err
		}
		if *id == "" {
			*id = m.s.gensym()
		}
		m.exports = append(m.exports, &exportT{name: name, kind: kind, idx: index{isID: true, id: *id, pos: sc.list.pos}})
	}
	return nil
}

// inlineImport reads an optional (import "module" "name").
func (c *cur) inlineImport() (mod, field string, ok bool, err error) {
	if !c.isList("import") {
		return "", "", false, nil
	}
	sc, _ := c.sub("import")
	if mod, err = sc.name(); err != nil {
		return
	}
	if field, err = sc.name(); err != nil {
		return
	}
	return mod, field, true, sc.end()
}

// gensym names a definition that the text leaves anonymous but that an
// expansion must refer to. Such names never reach the name section.
func (s *source) gensym() string {
	s.gen++
	return "\x00" + strconv.Itoa(s.gen)
}

func isGensym(id string) bool { return len(id) > 0 && id[0] == 0 }

func (m *coreModule) addImport(im *importT) error {
	if m.lastDef != "" {
		return m.s.errorf(im.pos, "import after %s", m.lastDef)
	}
	m.imports = append(m.imports, im)
	if im.tu != nil {
		m.order = append(m.order, im)
	}
	return nil
}

func (m *coreModule) field(c *cur) error {
	head := c.peek()
	if head == nil {
		return c.expected("a module field")
	}
	pos := c.list.pos
	if head.kind == kAnnot {
		c.i++
		return m.annotation(head.text, c)
	}
	if head.kind != kKeyword {
		return c.expected("a module field")
	}
	c.i++
	switch head.text {
	case "type":
		t, err := c.typeDef()
		if err != nil {
			return err
		}
		m.groups = append(m.groups, typeGroup{subs: []*subT{t}})
		return nil
	case "rec":
		g := typeGroup{rec: true}
		for !c.done() {
			tc, err := c.sub("type")
			if err != nil {
				return err
			}
			t, err := tc.typeDef()
			if err != nil {
				return err
			}
			g.subs = append(g.subs, t)
		}
		m.groups = append(m.groups, g)
		return nil
	case "import":
		im := &importT{pos: pos}
		var err error
		if im.module, err = c.name(); err != nil {
			return err
		}
		if im.field, err = c.name(); err != nil {
			return err
		}
		dc, err := c.anyList()
		if err != nil {
			return err
		}
		what := dc.peek()
		if what == nil || what.kind != kKeyword {
			return dc.expected("an import description")
		}
		dc.i++
		im.id, _ = dc.optID()
		if im.name, _, err = dc.optNameAnnot(); err != nil {
			return err
		}
		switch what.text {
		case "func":
			im.kind = wasm.ExternFunc
			if dc.isList("exact") {
				ec, _ := dc.sub("exact")
				im.kind = wasm.ExternFuncExact
				if im.tu, err = ec.typeUse(true); err != nil {
					return err
				}
				if err := ec.end(); err != nil {
					return err
				}
			} else if im.tu, err = dc.typeUse(true); err != nil {
				return err
			}
		case "table":
			im.kind = wasm.ExternTable
			if im.table, err = dc.tableType(); err != nil {
				return err
			}
		case "memory":
			im.kind = wasm.ExternMemory
			if im.mem, err = dc.memoryType(); err != nil {
				return err
			}
		case "global":
			im.kind = wasm.ExternGlobal
			if im.global, err = dc.globalType(); err != nil {
				return err
			}
		case "tag":
			im.kind = wasm.ExternTag
			if im.tu, err = dc.typeUse(false); err != nil {
				return err
			}
		default:
			return m.s.errorf(what.pos, "expected an import description, found %s", what.describe())
		}
		if err := dc.end(); err != nil {
			return err
		}
		if err := c.end(); err != nil {
			return err
		}
		return m.addImport(im)
	case "func":
		return m.funcField(c, pos)
	case "table":
		return m.tableField(c, pos)
	case "memory":
		return m.memoryField(c, pos)
	case "global":
		return m.globalField(c, pos)
	case "tag":
		id, _ := c.optID()
		name, _, err := c.optNameAnnot()
		if err != nil {
			return err
		}
		if err := m.inlineExports(c, wasm.ExternTag, &id); err != nil {
			return err
		}
		mod, fld, isImport, err := c.inlineImport()
		if err != nil {
			return err
		}
		tu, err := c.typeUse(false)
		if err != nil {
			return err
		}
		if err := c.end(); err != nil {
			return err
		}
		if isImport {
			return m.addImport(&importT{pos: pos, module: mod, field: fld, kind: wasm.ExternTag, id: id, tu: tu})
		}
		t := &tagDef{id: id, name: name, tu: tu}
		m.tags = append(m.tags, t)
		m.order = append(m.order, t)
		return nil
	case "export":
		name, err := c.name()
		if err != nil {
			return err
		}
		ec, err := c.anyList()
		if err != nil {
			return err
		}
		k := ec.peek()
		kinds := map[string]wasm.ExternKind{"func": wasm.ExternFunc, "table": wasm.ExternTable, "memory": wasm.ExternMemory, "global": wasm.ExternGlobal, "tag": wasm.ExternTag}
		if k == nil || k.kind != kKeyword {
			return ec.expected("an export kind")
		}
		kind, ok := kinds[k.text]
		if !ok {
			return ec.expected("an export kind")
		}
		ec.i++
		x, err := ec.index()
		if err != nil {
			return err
		}
		if err := ec.end(); err != nil {
			return err
		}
		m.exports = append(m.exports, &exportT{name: name, kind: kind, idx: x})
		return c.end()
	case "start":
		x, err := c.index()
		if err != nil {
			return err
		}
		if m.start != nil {
			return m.s.errorf(pos, "multiple start sections")
		}
		m.start = &x
		return c.end()
	case "elem":
		return m.elemField(c)
	case "data":
		return m.dataField(c)
	}
	return m.s.errorf(head.pos, "expected a module field, found %s", head.describe())
}

func (m *coreModule) funcField(c *cur, pos int) error {
	f := &funcDef{pos: pos}
	f.id, _ = c.optID()
	var err error
	if f.name, _, err = c.optNameAnnot(); err != nil {
		return err
	}
	if err := m.inlineExports(c, wasm.ExternFunc, &f.id); err != nil {
		return err
	}
	mod, fld, isImport, err := c.inlineImport()
	if err != nil {
		return err
	}
	if f.tu, err = c.typeUse(true); err != nil {
		return err
	}
	if isImport {
		if err := c.end(); err != nil {
			return err
		}
		return m.addImport(&importT{pos: pos, module: mod, field: fld, kind: wasm.ExternFunc, id: f.id, name: f.name, tu: f.tu})
	}
	for c.isList("local") {
		lc, _ := c.sub("local")
		if id, at := lc.optID(); at >= 0 {
			name, _, err := lc.optNameAnnot()
			if err != nil {
				return err
			}
			t, err := lc.valType()
			if err != nil {
				return err
			}
			f.locals = append(f.locals, paramT{pos: at, id: id, name: name, ty: t})
			if err := lc.end(); err != nil {
				return err
			}
			continue
		}
		for !lc.done() {
			t, err := lc.valType()
			if err != nil {
				return err
			}
			f.locals = append(f.locals, paramT{ty: t})
		}
	}
	if err := c.instrs(&f.body, 0); err != nil {
		return err
	}
	m.funcs = append(m.funcs, f)
	m.order = append(m.order, f)
	m.lastDef = "function"
	return nil
}

func (m *coreModule) tableField(c *cur, pos int) error {
	t := &tableDef{}
	t.id, _ = c.optID()
	var err error
	if t.name, _, err = c.optNameAnnot(); err != nil {
		return err
	}
	if err := m.inlineExports(c, wasm.ExternTable, &t.id); err != nil {
		return err
	}
	mod, fld, isImport, err := c.inlineImport()
	if err != nil {
		return err
	}
	if isImport {
		tt, err := c.tableType()
		if err != nil {
			return err
		}
		if err := c.end(); err != nil {
			return err
		}
		return m.addImport(&importT{pos: pos, module: mod, field: fld, kind: wasm.ExternTable, id: t.id, table: tt})
	}
	// Inline elements: shared? i32|i64? reftype (elem ...).
	save := c.i
	shared := c.optKw("shared")
	is64 := false
	if c.optKw("i64") {
		is64 = true
	} else {
		c.optKw("i32")
	}
	if c.isRefType() {
		elem, err := c.refType()
		if err != nil {
			return err
		}
		ec, err := c.sub("elem")
		if err != nil {
			return err
		}
		e := &elemDef{mode: 0}
		if t.id == "" {
			t.id = m.s.gensym()
		}
		tx := index{isID: true, id: t.id}
		e.table = &tx
		if is64 {
			e.offset = []instr{{op: ops["i64.const"]}}
		} else {
			e.offset = []instr{{op: ops["i32.const"]}}
		}
		n := 0
		if !ec.done() && ec.peek().kind == kList {
			e.isExprs, e.ty = true, elem
			for !ec.done() {
				ex, err := ec.elemExpr()
				if err != nil {
					return err
				}
				e.exprs = append(e.exprs, ex)
			}
			n = len(e.exprs)
		} else {
			for !ec.done() {
				x, err := ec.index()
				if err != nil {
					return err
				}
				e.indices = append(e.indices, x)
			}
			n = len(e.indices)
			if !(elem.nullable && elem.heap.abs == wasm.HeapFunc && !elem.heap.shared) {
				// Only funcref takes a list of indices; others become ref.func expressions.
				e.isExprs, e.ty = true, elem
				for _, x := range e.indices {
					e.exprs = append(e.exprs, []instr{{op: ops["ref.func"], idx: []index{x}}})
				}
				e.indices = nil
			}
		}
		max := uint64(n)
		t.ty = tableTypeT{limits: wasm.Limits{Min: uint64(n), Max: &max, Is64: is64, Shared: shared}, elem: elem}
		m.elems = append(m.elems, e)
		m.tables = append(m.tables, t)
		m.lastDef = "table"
		return c.end()
	}
	c.i = save
	if t.ty, err = c.tableType(); err != nil {
		return err
	}
	if !c.done() {
		if err := c.instrs(&t.init, 0); err != nil {
			return err
		}
		if t.init == nil {
			t.init = []instr{}
		}
	}
	m.tables = append(m.tables, t)
	m.lastDef = "table"
	return nil
}

// elemExpr reads (item instr*) or a single folded instruction.
func (c *cur) elemExpr() ([]instr, error) {
	var out []instr
	if c.isList("item") {
		sc, _ := c.sub("item")
		err := sc.instrs(&out, 0)
		return out, err
	}
	n := c.peek()
	if n == nil || n.kind != kList {
		return nil, c.expected("an element expression")
	}
	err := c.instr(&out, 0)
	return out, err
}

func (m *coreModule) memoryField(c *cur, pos int) error {
	d := &memDef{}
	d.id, _ = c.optID()
	var err error
	if d.name, _, err = c.optNameAnnot(); err != nil {
		return err
	}
	if err := m.inlineExports(c, wasm.ExternMemory, &d.id); err != nil {
		return err
	}
	mod, fld, isImport, err := c.inlineImport()
	if err != nil {
		return err
	}
	if isImport {
		mt, err := c.memoryType()
		if err != nil {
			return err
		}
		if err := c.end(); err != nil {
			return err
		}
		return m.addImport(&importT{pos: pos, module: mod, field: fld, kind: wasm.ExternMemory, id: d.id, mem: mt})
	}
	save := c.i
	is64 := false
	if c.optKw("i64") {
		is64 = true
	} else {
		c.optKw("i32")
	}
	var pageLog *uint32
	if c.isList("pagesize") {
		mt, err := (&cur{s: c.s, list: &node{kind: kList, kids: append([]*node{{kind: kNum, text: "0"}}, c.peek())}}).memoryType()
		if err != nil {
			return err
		}
		c.i++
		pageLog = mt.PageSizeLog2
	}
	if c.isList("data") {
		dc, _ := c.sub("data")
		var data []byte
		for !dc.done() {
			b, err := dc.dataValue()
			if err != nil {
				return err
			}
			data = append(data, b...)
		}
		page := uint64(1) << 16
		if pageLog != nil {
			page = 1 << *pageLog
		}
		pages := (uint64(len(data)) + page - 1) / page
		max := pages
		d.ty = wasm.MemoryType{Limits: wasm.Limits{Min: pages, Max: &max, Is64: is64, PageSizeLog2: pageLog}}
		if d.id == "" {
			d.id = m.s.gensym()
		}
		seg := &dataDef{active: true, mem: index{isID: true, id: d.id}, data: data}
		if is64 {
			seg.offset = []instr{{op: ops["i64.const"]}}
		} else {
			seg.offset = []instr{{op: ops["i32.const"]}}
		}
		m.datas = append(m.datas, seg)
		m.mems = append(m.mems, d)
		m.lastDef = "memory"
		return c.end()
	}
	c.i = save
	if d.ty, err = c.memoryType(); err != nil {
		return err
	}
	m.mems = append(m.mems, d)
	m.lastDef = "memory"
	return c.end()
}

func (m *coreModule) globalField(c *cur, pos int) error {
	g := &globalDef{}
	g.id, _ = c.optID()
	var err error
	if g.name, _, err = c.optNameAnnot(); err != nil {
		return err
	}
	if err := m.inlineExports(c, wasm.ExternGlobal, &g.id); err != nil {
		return err
	}
	mod, fld, isImport, err := c.inlineImport()
	if err != nil {
		return err
	}
	if g.ty, err = c.globalType(); err != nil {
		return err
	}
	if isImport {
		if err := c.end(); err != nil {
			return err
		}
		return m.addImport(&importT{pos: pos, module: mod, field: fld, kind: wasm.ExternGlobal, id: g.id, global: g.ty})
	}
	if err := c.instrs(&g.init, 0); err != nil {
		return err
	}
	m.globals = append(m.globals, g)
	m.lastDef = "global"
	return nil
}

// offsetExpr reads (offset instr*) or a single folded instruction.
func (c *cur) offsetExpr() ([]instr, error) {
	var out []instr
	if c.isList("offset") {
		sc, _ := c.sub("offset")
		err := sc.instrs(&out, 0)
		return out, err
	}
	n := c.peek()
	if n == nil || n.kind != kList {
		return nil, c.expected("an offset expression")
	}
	c.i++
	err := c.s.cursor(n, 0).instrs(&out, 0)
	return out, err
}

func (m *coreModule) elemField(c *cur) error {
	e := &elemDef{}
	e.id, _ = c.optID()
	var err error
	if e.name, _, err = c.optNameAnnot(); err != nil {
		return err
	}
	tableOmitted := false
	switch {
	case c.optKw("declare"):
		e.mode = 2
	case c.isU32() || (c.peek() != nil && c.peek().kind == kList && !c.isRefType()):
		if c.isU32() {
			x, _ := c.index()
			e.table = &x
			tableOmitted = true
		} else if c.isList("table") {
			tc, _ := c.sub("table")
			x, err := tc.index()
			if err != nil {
				return err
			}
			if err := tc.end(); err != nil {
				return err
			}
			e.table = &x
		} else {
			tableOmitted = true
		}
		if e.offset, err = c.offsetExpr(); err != nil {
			return err
		}
	default:
		e.mode = 1
	}
	indices := false
	switch {
	case c.optKw("func"):
		indices = true
	case c.isRefType():
	case tableOmitted:
		indices = true
	}
	if indices {
		for !c.done() {
			x, err := c.index()
			if err != nil {
				return err
			}
			e.indices = append(e.indices, x)
		}
	} else {
		e.isExprs = true
		if e.ty, err = c.refType(); err != nil {
			return err
		}
		for !c.done() {
			ex, err := c.elemExpr()
			if err != nil {
				return err
			}
			e.exprs = append(e.exprs, ex)
		}
	}
	m.elems = append(m.elems, e)
	return nil
}

func (m *coreModule) dataField(c *cur) error {
	d := &dataDef{}
	d.id, _ = c.optID()
	var err error
	if d.name, _, err = c.optNameAnnot(); err != nil {
		return err
	}
	if !c.done() && !c.isStr() {
		d.active = true
		d.mem = numIndex(0)
		if c.isU32() {
			d.mem, _ = c.index()
		} else if c.isList("memory") {
			mc, _ := c.sub("memory")
			if d.mem, err = mc.index(); err != nil {
				return err
			}
			if err := mc.end(); err != nil {
				return err
			}
		}
		if d.offset, err = c.offsetExpr(); err != nil {
			return err
		}
	}
	for !c.done() {
		b, err := c.dataValue()
		if err != nil {
			return err
		}
		d.data = append(d.data, b...)
	}
	m.datas = append(m.datas, d)
	return nil
}

// dataValue reads a string or a numeric data value list such as (i32 1 2).
func (c *cur) dataValue() ([]byte, error) {
	if c.isStr() {
		s, _ := c.str()
		return []byte(s), nil
	}
	n := c.peek()
	if n == nil || n.kind != kList || len(n.kids) == 0 {
		return nil, c.expected("a string")
	}
	sc, _ := c.anyList()
	k := sc.next()
	var out []byte
	for !sc.done() {
		t := sc.next()
		if t.kind != kNum {
			return nil, c.s.errorf(t.pos, "expected a number, found %s", t.describe())
		}
		var v uint64
		var ok bool
		width := 0
		switch k.text {
		case "i8", "i16", "i32", "i64":
			width = map[string]int{"i8": 1, "i16": 2, "i32": 4, "i64": 8}[k.text]
			var s int64
			s, ok = parseInt(t.text, width*8)
			v = uint64(s)
		case "f32":
			width = 4
			v, ok = parseFloat(t.text, 32)
		case "f64":
			width = 8
			v, ok = parseFloat(t.text, 64)
		default:
			return nil, c.s.errorf(k.pos, "expected a string or a numeric data value, found %s", k.describe())
		}
		if !ok {
			return nil, c.s.errorf(t.pos, "constant out of range")
		}
		for b := 0; b < width; b++ {
			out = append(out, byte(v>>(8*b)))
		}
	}
	return out, nil
}

func (m *coreModule) annotation(name string, c *cur) error {
	switch name {
	case "custom":
		sname, err := c.str()
		if err != nil {
			return err
		}
		cs := &customT{name: sname, place: "last"}
		if n := c.peek(); n != nil && n.kind == kList {
			pc, _ := c.anyList()
			where := pc.next()
			what := pc.next()
			if where == nil || what == nil || (where.text != "before" && where.text != "after") {
				return pc.errorf("expected `before` or `after` with a section name")
			}
			cs.place = where.text + " " + what.text
			if cs.place == "before first" {
				cs.place = "first"
			} else if cs.place == "after last" {
				cs.place = "last"
			}
			if err := pc.end(); err != nil {
				return err
			}
		}
		for !c.done() {
			s, err := c.str()
			if err != nil {
				return err
			}
			cs.data = append(cs.data, s...)
		}
		m.customs = append(m.customs, cs)
		return nil
	case "producers":
		data, err := producers(c)
		if err != nil {
			return err
		}
		m.customs = append(m.customs, &customT{name: "producers", place: "last", data: data})
		return nil
	case "dylink.0":
		data, err := dylink0(c)
		if err != nil {
			return err
		}
		m.customs = append(m.customs, &customT{name: "dylink.0", place: "first", data: data})
	}
	return nil
}

var dylinkFlags = map[string]uint32{
	"binding-weak": 1 << 0, "binding-local": 1 << 1, "visibility-hidden": 1 << 2, "undefined": 1 << 4,
	"exported": 1 << 5, "explicit-name": 1 << 6, "no-strip": 1 << 7, "tls": 1 << 8, "absolute": 1 << 9,
}

// dylink0 encodes a (@dylink.0 ...) annotation: its subsections in order,
// consecutive export-info and import-info entries sharing one subsection.
func dylink0(c *cur) ([]byte, error) {
	var out []byte
	var id byte
	var body []byte
	var count uint32
	flushSub := func() {
		if id == 0 {
			return
		}
		if id == 3 || id == 4 {
			body = append(wasm.AppendU32(nil, count), body...)
		}
		out = append(wasm.AppendU32(append(out, id), uint32(len(body))), body...)
		id, body, count = 0, nil, 0
	}
	flags := func(sc *cur) (uint32, error) {
		var f uint32
		for !sc.done() {
			if sc.isU32() {
				v, _ := sc.u32()
				f |= v
				continue
			}
			n := sc.next()
			v, ok := dylinkFlags[n.textOr()]
			if !ok {
				return 0, sc.s.errorf(n.pos, "unknown symbol flag %s", n.describe())
			}
			f |= v
		}
		return f, nil
	}
	for !c.done() {
		sc, err := c.anyList()
		if err != nil {
			return nil, err
		}
		k := sc.next()
		switch k.textOr() {
		case "mem-info":
			flushSub()
			var v [4]uint32
			for i, what := range []string{"memory", "table"} {
				if sc.isList(what) {
					mc, _ := sc.sub(what)
					if v[2*i], err = mc.u32(); err != nil {
						return nil, err
					}
					if v[2*i+1], err = mc.u32(); err != nil {
						return nil, err
					}
					if err := mc.end(); err != nil {
						return nil, err
					}
				}
			}
			id = 1
			for _, x := range v {
				body = wasm.AppendU32(body, x)
			}
		case "needed", "runtime-path":
			flushSub()
			id = 2
			if k.text == "runtime-path" {
				id = 5
			}
			var names []string
			for !sc.done() {
				n, err := sc.str()
				if err != nil {
					return nil, err
				}
				names = append(names, n)
			}
			body = wasm.AppendU32(body, uint32(len(names)))
			for _, n := range names {
				body = wasm.AppendName(body, n)
			}
		case "export-info", "import-info":
			want := byte(3)
			if k.text == "import-info" {
				want = 4
			}
			if id != want {
				flushSub()
				id = want
			}
			if want == 4 {
				mod, err := sc.str()
				if err != nil {
					return nil, err
				}
				body = wasm.AppendName(body, mod)
			}
			name, err := sc.str()
			if err != nil {
				return nil, err
			}
			f, err := flags(sc)
			if err != nil {
				return nil, err
			}
			body = wasm.AppendU32(wasm.AppendName(body, name), f)
			count++
		default:
			return nil, sc.expected("`mem-info`, `needed`, `export-info`, `import-info` or `runtime-path`")
		}
		if err := sc.end(); err != nil {
			return nil, err
		}
	}
	flushSub()
	return out, nil
}

// producers encodes a (@producers (language "n" "v") ...) annotation.
func producers(c *cur) ([]byte, error) {
	fields := map[string][][2]string{}
	for !c.done() {
		fc, err := c.anyList()
		if err != nil {
			return nil, err
		}
		k := fc.next()
		if k == nil || k.kind != kKeyword || (k.text != "language" && k.text != "sdk" && k.text != "processed-by") {
			return nil, fc.errorf("expected `language`, `sdk` or `processed-by`")
		}
		n, err := fc.str()
		if err != nil {
			return nil, err
		}
		v, err := fc.str()
		if err != nil {
			return nil, err
		}
		if err := fc.end(); err != nil {
			return nil, err
		}
		fields[k.text] = append(fields[k.text], [2]string{n, v})
	}
	var b []byte
	count := 0
	for _, k := range []string{"language", "sdk", "processed-by"} {
		if len(fields[k]) > 0 {
			count++
		}
	}
	b = wasm.AppendU32(b, uint32(count))
	for _, k := range []string{"language", "sdk", "processed-by"} {
		if len(fields[k]) == 0 {
			continue
		}
		b = wasm.AppendName(b, k)
		b = wasm.AppendU32(b, uint32(len(fields[k])))
		for _, p := range fields[k] {
			b = wasm.AppendName(wasm.AppendName(b, p[0]), p[1])
		}
	}
	return b, nil
}
