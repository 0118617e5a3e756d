package wat

import (
	"strings"

	"github.com/wasmcm/wasmcm/component"
)

// The component text is read into fields that mirror the text forms; the
// expansion pass then rewrites the sugar (inline exports, imports, types)
// into plain fields, and resolution turns $ids into indices while it emits
// the binary items.

type field any

// itemRef is (sort idx "export"*): a definition, or an export of an
// instance reached through a chain of export names.
type itemRef struct {
	sort  component.Sort
	idx   index
	names []string
}

// coreRef is (core sort idx "export"?).
type coreRef struct {
	sort component.Sort
	idx  index
	name *string
}

// externName is an import or export name with its attributes.
type externName struct {
	name                                  string
	implements, versionSuffix, externalID *string
}

// cValType is a component value type: a primitive, a reference to a type,
// or an inline defined type (which expansion turns into a reference).
type cValType struct {
	prim   component.PrimValType
	ref    *index
	inline *cDefType
}

type cDefType struct {
	kind     component.DefinedKind
	prim     component.PrimValType
	fields   []cNamed
	cases    []cCase
	elem     *cValType
	key      *cValType
	length   uint32
	types    []*cValType
	names    []string
	ok, err  *cValType
	payload  *cValType
	resource index
}

type cNamed struct {
	name string
	ty   *cValType
}

type cCase struct {
	name string
	ty   *cValType
}

type cFuncType struct {
	async  bool
	params []cNamed
	result *cValType
}

type cDecl any // *cCoreTypeField, *cTypeField, *cAlias, *cImport, *cExportDecl

type cCompType struct{ decls []cDecl }

type cInstType struct{ decls []cDecl }

type cResourceType struct {
	rep  valT
	dtor *coreRef
}

// cTypeUse is (type ref) or an inline type of the kind expected.
type cTypeUse struct {
	ref    *itemRef
	inline any // *cFuncType, *cCompType, *cInstType
}

// moduleTypeDecl is one declaration of a core module type.
type moduleTypeDecl any // *subT group (typeGroup), *cAlias, *importT, *modExport

type modExport struct {
	name string
	sig  *importT // reuses importT for the item's kind and type
}

type cModuleType struct{ decls []moduleTypeDecl }

// coreTypeUse is (type ref) or an inline module type.
type coreTypeUse struct {
	ref    *coreRef
	inline *cModuleType
}

type cCoreModule struct {
	id, name string
	exports  []externName
	inline   *coreModule
	imported *externName
	tu       *coreTypeUse
	pos      int
}

type cCoreInstance struct {
	id, name    string
	instantiate bool
	module      itemRef
	args        []cCoreArg
	exports     []cCoreExport
}

type cCoreArg struct {
	name   string
	ref    *coreRef
	bundle []cCoreExport
}

type cCoreExport struct {
	name string
	ref  coreRef
}

type cCoreTypeField struct {
	id, name string
	def      *subT
	module   *cModuleType
	pos      int
}

type cCoreRec struct{ group typeGroup }

type cComponent struct {
	id, name string
	exports  []externName
	fields   []field
	imported *externName
	tu       *cTypeUse
}

type cInstance struct {
	id, name string
	exports  []externName
	imported *externName
	tu       *cTypeUse
	// instantiate
	instantiate bool
	component   itemRef
	args        []cArg
	bundle      []*cExport
}

type cArg struct {
	name   string
	ref    *itemRef
	bundle []*cExport
}

type cAlias struct {
	id, name string
	target   component.AliasTarget
	sort     component.Sort
	instance index
	export   string
	outer    index
	index    index
	pos      int
}

type cTypeField struct {
	id, name string
	exports  []externName
	def      any // *cDefType, *cFuncType, *cCompType, *cInstType, *cResourceType
	pos      int
}

type canonOpt struct {
	kind component.CanonOptKind
	ref  *coreRef
}

type cCanon struct {
	id, name string
	op       component.CanonOp
	lift     bool
	tu       *cTypeUse // lift
	fn       *coreRef  // lift
	lower    *itemRef  // lower
	opts     []canonOpt
	ty       *itemRef // resource/stream/future types
	coreTy   *coreRef // thread ops
	table    *coreRef
	mem      *coreRef
	result   *cValType
	hasRes   bool
	valType  valT
	slot     uint32
	flag     bool
}

type cStart struct {
	fn      index
	args    []itemRef
	results []string
}

// itemSig is the type of an import or export: a sort and a type use.
type itemSig struct {
	id, name string
	sort     component.Sort
	tu       *cTypeUse    // func, component, instance
	mod      *coreTypeUse // core module
	val      *cValType    // value
	eq       *index       // type (eq i)
	sub      bool         // type (sub resource)
}

type cImport struct {
	name externName
	sig  *itemSig
	pos  int
}

type cExport struct {
	id, name string
	ext      externName
	ref      itemRef
	ty       *itemSig
	pos      int
}

type cExportDecl struct {
	name externName
	sig  *itemSig
}

type cCustom struct {
	name string
	data []byte
}

// --- parsing ---

type compParser struct{ s *source }

func (p *compParser) externName(c *cur) (externName, error) {
	var n externName
	var err error
	if c.isList("interface") {
		sc, _ := c.sub("interface")
		if n.name, err = sc.name(); err != nil {
			return n, err
		}
		if err := sc.end(); err != nil {
			return n, err
		}
	} else if n.name, err = c.name(); err != nil {
		return n, err
	}
	attr := func(k string) (*string, error) {
		if !c.isList(k) {
			return nil, nil
		}
		sc, _ := c.sub(k)
		v, err := sc.name()
		if err != nil {
			return nil, err
		}
		return &v, sc.end()
	}
	if n.implements, err = attr("implements"); err != nil {
		return n, err
	}
	if n.versionSuffix, err = attr("versionsuffix"); err != nil {
		return n, err
	}
	n.externalID, err = attr("external-id")
	return n, err
}

// inlineExports reads (export "name")* sugar.
func (p *compParser) inlineExports(c *cur) ([]externName, error) {
	var out []externName
	for c.isList("export") && p.isInlineExport(c.peek()) {
		sc, _ := c.sub("export")
		n, err := p.externName(sc)
		if err != nil {
			return nil, err
		}
		if err := sc.end(); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// isInlineExport tells (export "n") sugar from a definition's own export
// form: the sugar has only a name inside.
func (p *compParser) isInlineExport(n *node) bool {
	if len(n.kids) < 2 {
		return false
	}
	k := n.kids[1]
	return len(n.kids) == 2 && (k.kind == kString || k.head() == "interface")
}

// inlineImport reads an optional (import "name") sugar.
func (p *compParser) inlineImport(c *cur) (*externName, error) {
	n := c.peek()
	if n.head() != "import" || len(n.kids) != 2 || !(n.kids[1].kind == kString || n.kids[1].head() == "interface") {
		return nil, nil
	}
	sc, _ := c.sub("import")
	en, err := p.externName(sc)
	if err != nil {
		return nil, err
	}
	return &en, sc.end()
}

func (p *compParser) idName(c *cur) (string, string, error) {
	id, _ := c.optID()
	name, _, err := c.optNameAnnot()
	return id, name, err
}

// fields reads component fields until the end of the cursor.
func (p *compParser) fields(c *cur, depth int) ([]field, error) {
	if depth > component.MaxNesting {
		return nil, c.errorf("components nest deeper than %d levels", component.MaxNesting)
	}
	var out []field
	for !c.done() {
		fc, err := c.anyList()
		if err != nil {
			return nil, err
		}
		f, err := p.field(fc, depth)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

func (p *compParser) field(c *cur, depth int) (field, error) {
	head := c.peek()
	if head == nil || head.kind != kKeyword && head.kind != kAnnot {
		return nil, c.expected("a component field")
	}
	if head.kind == kAnnot {
		c.i++
		switch head.text {
		case "custom":
			name, err := c.str()
			if err != nil {
				return nil, err
			}
			var data []byte
			for !c.done() {
				s, err := c.str()
				if err != nil {
					return nil, err
				}
				data = append(data, s...)
			}
			return &cCustom{name: name, data: data}, nil
		case "producers":
			data, err := producers(c)
			return &cCustom{name: "producers", data: data}, err
		}
		return nil, p.s.errorf(head.pos, "unexpected annotation `@%s` in a component", head.text)
	}
	pos := c.list.pos
	c.i++
	switch head.text {
	case "core":
		k := c.next()
		if k == nil || k.kind != kKeyword {
			c.i--
			return nil, c.expected("`module`, `instance`, `type`, `func` or `rec`")
		}
		switch k.text {
		case "module":
			return p.coreModule(c, pos, depth)
		case "instance":
			return p.coreInstance(c)
		case "type":
			return p.coreType(c, pos)
		case "func":
			return p.coreFunc(c)
		case "rec":
			g := typeGroup{rec: true}
			for !c.done() {
				tc, err := c.sub("type")
				if err != nil {
					return nil, err
				}
				t, err := tc.typeDef()
				if err != nil {
					return nil, err
				}
				g.subs = append(g.subs, t)
			}
			return &cCoreRec{group: g}, nil
		}
		return nil, p.s.errorf(k.pos, "expected `module`, `instance`, `type`, `func` or `rec`, found %s", k.describe())
	case "component":
		return p.component(c, depth)
	case "instance":
		return p.instance(c)
	case "alias":
		return p.alias(c, pos)
	case "type":
		return p.typeField(c, true, pos)
	case "import":
		return p.importField(c, pos)
	case "func":
		return p.funcField(c)
	case "export":
		return p.exportField(c, pos)
	case "start":
		return p.start(c)
	case "canon":
		return p.canon(c)
	}
	return nil, p.s.errorf(head.pos, "expected a component field, found %s", head.describe())
}

func (p *compParser) coreModule(c *cur, pos, depth int) (field, error) {
	m := &cCoreModule{pos: pos}
	var err error
	if m.id, m.name, err = p.idName(c); err != nil {
		return nil, err
	}
	if m.exports, err = p.inlineExports(c); err != nil {
		return nil, err
	}
	if m.imported, err = p.inlineImport(c); err != nil {
		return nil, err
	}
	if m.imported != nil {
		if m.tu, err = p.coreTypeUse(c); err != nil {
			return nil, err
		}
		return m, c.end()
	}
	m.inline, err = parseModule(c, m.id, m.name)
	return m, err
}

func (p *compParser) coreTypeUse(c *cur) (*coreTypeUse, error) {
	if c.isList("type") && isRefList(c.peek()) {
		sc, _ := c.anyList()
		r, err := p.coreRefBody(sc, false)
		return &coreTypeUse{ref: &r}, err
	}
	mt, err := p.moduleType(c)
	return &coreTypeUse{inline: mt}, err
}

// isRefList reports whether a list is (kind idx "name"*) rather than an
// inline definition.
func isRefList(n *node) bool {
	if len(n.kids) < 2 {
		return false
	}
	k := n.kids[1]
	if k.kind != kID && k.kind != kNum {
		return false
	}
	return len(n.kids) == 2 || n.kids[2].kind == kString
}

var coreSorts = map[string]component.Sort{
	"func": component.SortCoreFunc, "table": component.SortCoreTable, "memory": component.SortCoreMemory,
	"global": component.SortCoreGlobal, "tag": component.SortCoreTag, "type": component.SortCoreType,
	"module": component.SortCoreModule, "instance": component.SortCoreInstance,
}

var compSorts = map[string]component.Sort{
	"func": component.SortFunc, "value": component.SortValue, "type": component.SortType,
	"component": component.SortComponent, "instance": component.SortInstance,
}

// coreRefBody reads `sort idx "name"?` (after `core` when present).
func (p *compParser) coreRefBody(c *cur, wantCore bool) (coreRef, error) {
	if wantCore {
		if err := c.kw("core"); err != nil {
			return coreRef{}, err
		}
	}
	k := c.peek()
	if k == nil || k.kind != kKeyword {
		return coreRef{}, c.expected("a core sort")
	}
	if _, ok := coreSorts[k.text]; !ok {
		return coreRef{}, c.expected("a core sort")
	}
	c.i++
	r := coreRef{sort: coreSorts[k.text]}
	var err error
	if r.idx, err = c.index(); err != nil {
		return r, err
	}
	if c.isStr() {
		n, _ := c.name()
		r.name = &n
	}
	return r, c.end()
}

// corePrefixed reads an index, or (core sort idx "name"?) — the legacy
// (sort idx "name"?) is accepted too.
func (p *compParser) corePrefixed(c *cur, sort component.Sort) (coreRef, error) {
	if c.isIndex() {
		x, _ := c.index()
		return coreRef{sort: sort, idx: x}, nil
	}
	sc, err := c.anyList()
	if err != nil {
		return coreRef{}, c.expected("an index or a core reference")
	}
	r, err := p.coreRefBody(sc, sc.isKw("core"))
	if err != nil {
		return r, err
	}
	if r.sort != sort {
		return r, p.s.errorf(sc.list.pos, "expected a reference to a %s", sort)
	}
	return r, nil
}

// coreContents reads the contents of (memory ...) canon options: an index
// with an optional export name, or (core memory ...).
func (p *compParser) coreContents(c *cur, sort component.Sort) (coreRef, error) {
	if c.isIndex() {
		x, _ := c.index()
		r := coreRef{sort: sort, idx: x}
		if c.isStr() {
			n, _ := c.name()
			r.name = &n
		}
		return r, c.end()
	}
	sc, err := c.anyList()
	if err != nil {
		return coreRef{}, err
	}
	r, err := p.coreRefBody(sc, true)
	if err != nil {
		return r, err
	}
	if r.sort != sort {
		return r, p.s.errorf(sc.list.pos, "expected a reference to a %s", sort)
	}
	return r, c.end()
}

// itemRefBody reads `sort idx "name"*` for a component sort (or `core
// module`).
func (p *compParser) itemRefBody(c *cur) (itemRef, error) {
	var r itemRef
	if c.optKw("core") {
		if err := c.kw("module"); err != nil {
			return r, err
		}
		r.sort = component.SortCoreModule
	} else if c.optKw("module") {
		r.sort = component.SortCoreModule
	} else {
		k := c.peek()
		s, ok := compSorts[k.textOr()]
		if !ok || k.kind != kKeyword {
			return r, c.expected("`func`, `value`, `type`, `component`, `instance` or `core module`")
		}
		c.i++
		r.sort = s
	}
	var err error
	if r.idx, err = c.index(); err != nil {
		return r, err
	}
	for !c.done() {
		n, err := c.name()
		if err != nil {
			return r, err
		}
		r.names = append(r.names, n)
	}
	return r, nil
}

// indexOrRef reads a bare index or (sort idx "name"*).
func (p *compParser) indexOrRef(c *cur, sort component.Sort) (itemRef, error) {
	if c.isIndex() {
		x, _ := c.index()
		return itemRef{sort: sort, idx: x}, nil
	}
	sc, err := c.anyList()
	if err != nil {
		return itemRef{}, c.expected("an index or a reference")
	}
	r, err := p.itemRefBody(sc)
	if err == nil && r.sort != sort {
		err = p.s.errorf(sc.list.pos, "expected a reference to a %s", sort)
	}
	return r, err
}

func (p *compParser) coreInstance(c *cur) (field, error) {
	ci := &cCoreInstance{}
	var err error
	if ci.id, ci.name, err = p.idName(c); err != nil {
		return nil, err
	}
	if c.isList("instantiate") {
		ic, _ := c.sub("instantiate")
		ci.instantiate = true
		if ci.module, err = p.indexOrRef(ic, component.SortCoreModule); err != nil {
			return nil, err
		}
		for !ic.done() {
			wc, err := ic.sub("with")
			if err != nil {
				return nil, err
			}
			a := cCoreArg{}
			if a.name, err = wc.name(); err != nil {
				return nil, err
			}
			ac, err := wc.anyList()
			if err != nil {
				return nil, err
			}
			if ac.isKw("instance") && !isRefList(ac.list) {
				ac.i++
				if a.bundle, err = p.coreExports(ac); err != nil {
					return nil, err
				}
			} else {
				r, err := p.coreRefBody(ac, false)
				if err != nil {
					return nil, err
				}
				a.ref = &r
			}
			ci.args = append(ci.args, a)
			if err := wc.end(); err != nil {
				return nil, err
			}
		}
		return ci, c.end()
	}
	ci.exports, err = p.coreExports(c)
	return ci, err
}

func (p *compParser) coreExports(c *cur) ([]cCoreExport, error) {
	var out []cCoreExport
	for !c.done() {
		ec, err := c.sub("export")
		if err != nil {
			return nil, err
		}
		x := cCoreExport{}
		if x.name, err = ec.name(); err != nil {
			return nil, err
		}
		rc, err := ec.anyList()
		if err != nil {
			return nil, err
		}
		if x.ref, err = p.coreRefBody(rc, false); err != nil {
			return nil, err
		}
		out = append(out, x)
		if err := ec.end(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (p *compParser) coreType(c *cur, pos int) (field, error) {
	t := &cCoreTypeField{pos: pos}
	var err error
	if t.id, t.name, err = p.idName(c); err != nil {
		return nil, err
	}
	if c.isList("module") {
		mc, _ := c.sub("module")
		if t.module, err = p.moduleType(mc); err != nil {
			return nil, err
		}
		return t, c.end()
	}
	st := &subT{id: t.id, name: t.name, pos: pos}
	if err := c.subType(st); err != nil {
		return nil, err
	}
	t.def = st
	return t, c.end()
}

func (p *compParser) moduleType(c *cur) (*cModuleType, error) {
	mt := &cModuleType{}
	for !c.done() {
		dc, err := c.anyList()
		if err != nil {
			return nil, err
		}
		k := dc.next()
		if k == nil || k.kind != kKeyword {
			return nil, dc.expected("a module type declaration")
		}
		switch k.text {
		case "type":
			t, err := dc.typeDef()
			if err != nil {
				return nil, err
			}
			mt.decls = append(mt.decls, typeGroup{subs: []*subT{t}})
		case "rec":
			g := typeGroup{rec: true}
			for !dc.done() {
				tc, err := dc.sub("type")
				if err != nil {
					return nil, err
				}
				t, err := tc.typeDef()
				if err != nil {
					return nil, err
				}
				g.subs = append(g.subs, t)
			}
			mt.decls = append(mt.decls, g)
		case "alias":
			a := &cAlias{target: component.AliasOuter, sort: component.SortCoreType, pos: dc.list.pos}
			if err := dc.kw("outer"); err != nil {
				return nil, err
			}
			if a.outer, err = dc.index(); err != nil {
				return nil, err
			}
			if a.index, err = dc.index(); err != nil {
				return nil, err
			}
			kc, err := dc.sub("type")
			if err != nil {
				return nil, err
			}
			if a.id, a.name, err = p.idName(kc); err != nil {
				return nil, err
			}
			if err := kc.end(); err != nil {
				return nil, err
			}
			mt.decls = append(mt.decls, a)
		case "import":
			im := &importT{pos: dc.list.pos}
			if im.module, err = dc.name(); err != nil {
				return nil, err
			}
			if im.field, err = dc.name(); err != nil {
				return nil, err
			}
			sc, err := dc.anyList()
			if err != nil {
				return nil, err
			}
			if err := p.coreItemSig(sc, im); err != nil {
				return nil, err
			}
			mt.decls = append(mt.decls, im)
		case "export":
			name, err := dc.name()
			if err != nil {
				return nil, err
			}
			sc, err := dc.anyList()
			if err != nil {
				return nil, err
			}
			im := &importT{pos: sc.list.pos}
			if err := p.coreItemSig(sc, im); err != nil {
				return nil, err
			}
			mt.decls = append(mt.decls, &modExport{name: name, sig: im})
		default:
			return nil, p.s.errorf(k.pos, "expected a module type declaration, found %s", k.describe())
		}
		if err := dc.end(); err != nil {
			return nil, err
		}
	}
	return mt, nil
}

// coreItemSig reads (func $id? typeuse), (memory ...), ... into im.
func (p *compParser) coreItemSig(c *cur, im *importT) error {
	k := c.next()
	if k == nil || k.kind != kKeyword {
		return c.expected("an item signature")
	}
	im.id, _ = c.optID()
	var err error
	if im.name, _, err = c.optNameAnnot(); err != nil {
		return err
	}
	switch k.text {
	case "func":
		im.kind = 0
		if im.tu, err = c.typeUse(true); err != nil {
			return err
		}
	case "table":
		im.kind = 1
		if im.table, err = c.tableType(); err != nil {
			return err
		}
	case "memory":
		im.kind = 2
		if im.mem, err = c.memoryType(); err != nil {
			return err
		}
	case "global":
		im.kind = 3
		if im.global, err = c.globalType(); err != nil {
			return err
		}
	case "tag":
		im.kind = 4
		if im.tu, err = c.typeUse(false); err != nil {
			return err
		}
	default:
		return p.s.errorf(k.pos, "expected an item signature, found %s", k.describe())
	}
	return c.end()
}

func (p *compParser) component(c *cur, depth int) (field, error) {
	cc := &cComponent{}
	var err error
	if cc.id, cc.name, err = p.idName(c); err != nil {
		return nil, err
	}
	if cc.exports, err = p.inlineExports(c); err != nil {
		return nil, err
	}
	if cc.imported, err = p.inlineImport(c); err != nil {
		return nil, err
	}
	if cc.imported != nil {
		if cc.tu, err = p.typeUse(c, "component"); err != nil {
			return nil, err
		}
		return cc, c.end()
	}
	cc.fields, err = p.fields(c, depth+1)
	return cc, err
}

// typeUse reads (type ref) or an inline type of kind "func", "component"
// or "instance".
func (p *compParser) typeUse(c *cur, what string) (*cTypeUse, error) {
	if c.isList("type") && isRefList(c.peek()) {
		sc, _ := c.anyList()
		r, err := p.itemRefBody(sc)
		return &cTypeUse{ref: &r}, err
	}
	switch what {
	case "func":
		ft, err := p.funcType(c)
		return &cTypeUse{inline: ft}, err
	case "component":
		decls, err := p.decls(c, true)
		return &cTypeUse{inline: &cCompType{decls: decls}}, err
	default:
		decls, err := p.decls(c, false)
		return &cTypeUse{inline: &cInstType{decls: decls}}, err
	}
}

func (p *compParser) instance(c *cur) (field, error) {
	in := &cInstance{}
	var err error
	if in.id, in.name, err = p.idName(c); err != nil {
		return nil, err
	}
	if in.exports, err = p.inlineExports(c); err != nil {
		return nil, err
	}
	if in.imported, err = p.inlineImport(c); err != nil {
		return nil, err
	}
	if in.imported != nil {
		if in.tu, err = p.typeUse(c, "instance"); err != nil {
			return nil, err
		}
		return in, c.end()
	}
	if c.isList("instantiate") {
		ic, _ := c.sub("instantiate")
		in.instantiate = true
		if in.component, err = p.indexOrRef(ic, component.SortComponent); err != nil {
			return nil, err
		}
		for !ic.done() {
			wc, err := ic.sub("with")
			if err != nil {
				return nil, err
			}
			a := cArg{}
			if a.name, err = wc.name(); err != nil {
				return nil, err
			}
			if wc.isList("instance") && !isRefList(wc.peek()) {
				ac, _ := wc.sub("instance")
				if a.bundle, err = p.exports(ac); err != nil {
					return nil, err
				}
			} else {
				ac, err := wc.anyList()
				if err != nil {
					return nil, err
				}
				r, err := p.itemRefBody(ac)
				if err != nil {
					return nil, err
				}
				a.ref = &r
			}
			in.args = append(in.args, a)
			if err := wc.end(); err != nil {
				return nil, err
			}
		}
		return in, c.end()
	}
	in.bundle, err = p.exports(c)
	return in, err
}

func (p *compParser) exports(c *cur) ([]*cExport, error) {
	var out []*cExport
	for !c.done() {
		ec, err := c.sub("export")
		if err != nil {
			return nil, err
		}
		x, err := p.exportBody(ec, ec.list.pos)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

func (p *compParser) exportField(c *cur, pos int) (field, error) { return p.exportBody(c, pos) }

func (p *compParser) exportBody(c *cur, pos int) (*cExport, error) {
	x := &cExport{pos: pos}
	var err error
	if x.id, x.name, err = p.idName(c); err != nil {
		return nil, err
	}
	if x.ext, err = p.externName(c); err != nil {
		return nil, err
	}
	rc, err := c.anyList()
	if err != nil {
		return nil, err
	}
	if x.ref, err = p.itemRefBody(rc); err != nil {
		return nil, err
	}
	if !c.done() {
		sc, err := c.anyList()
		if err != nil {
			return nil, err
		}
		if x.ty, err = p.itemSig(sc, false); err != nil {
			return nil, err
		}
	}
	return x, c.end()
}

func (p *compParser) aliasSort(c *cur, outer bool) (component.Sort, error) {
	if c.optKw("core") {
		if c.optKw("module") {
			return component.SortCoreModule, nil
		}
		if outer && c.optKw("type") {
			return component.SortCoreType, nil
		}
		return 0, c.expected("`module`")
	}
	k := c.peek()
	if k != nil && k.kind == kKeyword {
		if s, ok := compSorts[k.text]; ok && (!outer || s == component.SortType || s == component.SortComponent) {
			c.i++
			return s, nil
		}
	}
	return 0, c.expected("an alias kind")
}

func (p *compParser) alias(c *cur, pos int) (*cAlias, error) {
	a := &cAlias{pos: pos}
	var err error
	var kc *cur
	switch {
	case c.optKw("outer"):
		a.target = component.AliasOuter
		if a.outer, err = c.index(); err != nil {
			return nil, err
		}
		if a.index, err = c.index(); err != nil {
			return nil, err
		}
		if kc, err = c.anyList(); err != nil {
			return nil, err
		}
		if a.sort, err = p.aliasSort(kc, true); err != nil {
			return nil, err
		}
	case c.optKw("export"):
		a.target = component.AliasExport
		if a.instance, err = c.index(); err != nil {
			return nil, err
		}
		if a.export, err = c.name(); err != nil {
			return nil, err
		}
		if kc, err = c.anyList(); err != nil {
			return nil, err
		}
		if a.sort, err = p.aliasSort(kc, false); err != nil {
			return nil, err
		}
	case c.optKw("core"):
		a.target = component.AliasCoreExport
		if err := c.kw("export"); err != nil {
			return nil, err
		}
		if a.instance, err = c.index(); err != nil {
			return nil, err
		}
		if a.export, err = c.name(); err != nil {
			return nil, err
		}
		if kc, err = c.anyList(); err != nil {
			return nil, err
		}
		if err := kc.kw("core"); err != nil {
			return nil, err
		}
		k := kc.next()
		s, ok := coreSorts[k.textOr()]
		if !ok || s > component.SortCoreTag {
			return nil, p.s.errorf(kc.list.pos, "expected a core export kind")
		}
		a.sort = s
	default:
		return nil, c.expected("`outer`, `export` or `core export`")
	}
	if a.id, a.name, err = p.idName(kc); err != nil {
		return nil, err
	}
	if err := kc.end(); err != nil {
		return nil, err
	}
	return a, c.end()
}

// inlineAlias reads (alias export $i "name") or (alias core export ...).
func (p *compParser) inlineAlias(c *cur, core bool, sort component.Sort) (*cAlias, error) {
	a := &cAlias{target: component.AliasExport, sort: sort, pos: c.list.pos}
	if core {
		a.target = component.AliasCoreExport
		if err := c.kw("core"); err != nil {
			return nil, err
		}
	}
	if err := c.kw("export"); err != nil {
		return nil, err
	}
	var err error
	if a.instance, err = c.index(); err != nil {
		return nil, err
	}
	if a.export, err = c.name(); err != nil {
		return nil, err
	}
	return a, c.end()
}

func (p *compParser) typeField(c *cur, allowExports bool, pos int) (*cTypeField, error) {
	t := &cTypeField{pos: pos}
	var err error
	if t.id, t.name, err = p.idName(c); err != nil {
		return nil, err
	}
	if allowExports {
		if t.exports, err = p.inlineExports(c); err != nil {
			return nil, err
		}
	}
	if t.def, err = p.typeDef(c); err != nil {
		return nil, err
	}
	return t, c.end()
}

func (p *compParser) typeDef(c *cur) (any, error) {
	n := c.peek()
	if n == nil {
		return nil, c.expected("a type definition")
	}
	if n.kind != kList {
		prim, err := p.prim(c)
		return &cDefType{kind: component.KindPrimitive, prim: prim}, err
	}
	sc, _ := c.anyList()
	switch sc.list.head() {
	case "func":
		sc.i++
		ft, err := p.funcType(sc)
		if err != nil {
			return nil, err
		}
		return ft, sc.end()
	case "component":
		sc.i++
		decls, err := p.decls(sc, true)
		return &cCompType{decls: decls}, err
	case "instance":
		sc.i++
		decls, err := p.decls(sc, false)
		return &cInstType{decls: decls}, err
	case "resource":
		sc.i++
		rt := &cResourceType{}
		rc, err := sc.sub("rep")
		if err != nil {
			return nil, err
		}
		if rt.rep, err = rc.valType(); err != nil {
			return nil, err
		}
		if err := rc.end(); err != nil {
			return nil, err
		}
		if !sc.done() {
			dc, err := sc.sub("dtor")
			if err != nil {
				return nil, err
			}
			r, err := p.corePrefixed(dc, component.SortCoreFunc)
			if err != nil {
				return nil, err
			}
			rt.dtor = &r
			if err := dc.end(); err != nil {
				return nil, err
			}
		}
		return rt, sc.end()
	}
	return p.defTypeBody(sc)
}

var prims = map[string]component.PrimValType{
	"bool": component.Bool, "s8": component.S8, "u8": component.U8, "s16": component.S16, "u16": component.U16,
	"s32": component.S32, "u32": component.U32, "s64": component.S64, "u64": component.U64,
	"f32": component.F32, "f64": component.F64, "float32": component.F32, "float64": component.F64,
	"char": component.Char, "string": component.String, "error-context": component.ErrorContext,
}

func (p *compParser) prim(c *cur) (component.PrimValType, error) {
	n := c.peek()
	if n != nil && n.kind == kKeyword {
		if v, ok := prims[n.text]; ok {
			c.i++
			return v, nil
		}
	}
	return 0, c.expected("a primitive value type")
}

// isValType reports whether the next item can start a component value type.
func (p *compParser) isValType(c *cur) bool {
	n := c.peek()
	if n == nil {
		return false
	}
	if n.kind == kID || n.kind == kNum {
		return true
	}
	if n.kind == kKeyword {
		_, ok := prims[n.text]
		return ok
	}
	switch n.head() {
	case "record", "variant", "list", "map", "tuple", "flags", "enum", "option", "result", "own", "borrow":
		return true
	}
	return false
}

func (p *compParser) valType(c *cur) (*cValType, error) {
	n := c.peek()
	if n == nil {
		return nil, c.expected("a value type")
	}
	if n.kind == kID || n.kind == kNum {
		x, err := c.index()
		return &cValType{ref: &x}, err
	}
	if n.kind != kList {
		prim, err := p.prim(c)
		return &cValType{prim: prim}, err
	}
	sc, _ := c.anyList()
	d, err := p.defTypeBody(sc)
	if err != nil {
		return nil, err
	}
	return &cValType{inline: d}, nil
}

// defTypeBody reads a non-primitive defined type inside its parentheses.
func (p *compParser) defTypeBody(c *cur) (*cDefType, error) {
	k := c.next()
	if k == nil || k.kind != kKeyword {
		if k != nil {
			c.i--
		}
		return nil, c.expected("a type definition")
	}
	d := &cDefType{}
	var err error
	switch k.text {
	case "record":
		d.kind = component.KindRecord
		for !c.done() {
			fc, err := c.sub("field")
			if err != nil {
				return nil, err
			}
			f := cNamed{}
			if f.name, err = fc.name(); err != nil {
				return nil, err
			}
			if f.ty, err = p.valType(fc); err != nil {
				return nil, err
			}
			if err := fc.end(); err != nil {
				return nil, err
			}
			d.fields = append(d.fields, f)
		}
	case "variant":
		d.kind = component.KindVariant
		for !c.done() {
			cc, err := c.sub("case")
			if err != nil {
				return nil, err
			}
			cc.optID()
			cs := cCase{}
			if cs.name, err = cc.name(); err != nil {
				return nil, err
			}
			if !cc.done() {
				if cs.ty, err = p.valType(cc); err != nil {
					return nil, err
				}
			}
			if err := cc.end(); err != nil {
				return nil, err
			}
			d.cases = append(d.cases, cs)
		}
	case "list":
		d.kind = component.KindList
		if d.elem, err = p.valType(c); err != nil {
			return nil, err
		}
		if c.isNum() {
			d.kind = component.KindFixedList
			if d.length, err = c.u32(); err != nil {
				return nil, err
			}
		}
	case "map":
		d.kind = component.KindMap
		if d.key, err = p.valType(c); err != nil {
			return nil, err
		}
		if d.elem, err = p.valType(c); err != nil {
			return nil, err
		}
	case "tuple":
		d.kind = component.KindTuple
		for !c.done() {
			t, err := p.valType(c)
			if err != nil {
				return nil, err
			}
			d.types = append(d.types, t)
		}
	case "flags", "enum":
		d.kind = component.KindFlags
		if k.text == "enum" {
			d.kind = component.KindEnum
		}
		for !c.done() {
			n, err := c.name()
			if err != nil {
				return nil, err
			}
			d.names = append(d.names, n)
		}
	case "option":
		d.kind = component.KindOption
		if d.elem, err = p.valType(c); err != nil {
			return nil, err
		}
	case "result":
		d.kind = component.KindResult
		if p.isValType(c) {
			if d.ok, err = p.valType(c); err != nil {
				return nil, err
			}
		}
		if c.isList("error") {
			ec, _ := c.sub("error")
			if d.err, err = p.valType(ec); err != nil {
				return nil, err
			}
			if err := ec.end(); err != nil {
				return nil, err
			}
		}
	case "own", "borrow":
		d.kind = component.KindOwn
		if k.text == "borrow" {
			d.kind = component.KindBorrow
		}
		if d.resource, err = c.index(); err != nil {
			return nil, err
		}
	case "stream", "future":
		d.kind = component.KindStream
		if k.text == "future" {
			d.kind = component.KindFuture
		}
		if !c.done() {
			if d.payload, err = p.valType(c); err != nil {
				return nil, err
			}
		}
	default:
		return nil, p.s.errorf(k.pos, "expected a type definition, found %s", k.describe())
	}
	return d, c.end()
}

func (p *compParser) funcType(c *cur) (*cFuncType, error) {
	ft := &cFuncType{async: c.optKw("async")}
	for c.isList("param") {
		pc, _ := c.sub("param")
		var n cNamed
		var err error
		if n.name, err = pc.name(); err != nil {
			return nil, err
		}
		if n.ty, err = p.valType(pc); err != nil {
			return nil, err
		}
		if err := pc.end(); err != nil {
			return nil, err
		}
		ft.params = append(ft.params, n)
	}
	if c.isList("result") {
		rc, _ := c.sub("result")
		var err error
		if ft.result, err = p.valType(rc); err != nil {
			return nil, err
		}
		if err := rc.end(); err != nil {
			return nil, err
		}
	}
	return ft, nil
}

// decls reads the declarations of a component type (imports allowed) or an
// instance type.
func (p *compParser) decls(c *cur, imports bool) ([]cDecl, error) {
	var out []cDecl
	for !c.done() {
		dc, err := c.anyList()
		if err != nil {
			return nil, err
		}
		k := dc.peek()
		if k == nil || k.kind != kKeyword {
			return nil, dc.expected("a type declaration")
		}
		pos := dc.list.pos
		dc.i++
		switch {
		case k.text == "core":
			if err := dc.kw("type"); err != nil {
				return nil, err
			}
			t, err := p.coreType(dc, pos)
			if err != nil {
				return nil, err
			}
			out = append(out, t)
		case k.text == "type":
			t, err := p.typeField(dc, false, pos)
			if err != nil {
				return nil, err
			}
			out = append(out, t)
		case k.text == "alias":
			a, err := p.alias(dc, pos)
			if err != nil {
				return nil, err
			}
			out = append(out, a)
		case k.text == "import" && imports:
			im, err := p.importField(dc, pos)
			if err != nil {
				return nil, err
			}
			out = append(out, im)
		case k.text == "export":
			x := &cExportDecl{}
			if x.name, err = p.externName(dc); err != nil {
				return nil, err
			}
			sc, err := dc.anyList()
			if err != nil {
				return nil, err
			}
			if x.sig, err = p.itemSig(sc, true); err != nil {
				return nil, err
			}
			if err := dc.end(); err != nil {
				return nil, err
			}
			out = append(out, x)
		default:
			return nil, p.s.errorf(k.pos, "expected a type declaration, found %s", k.describe())
		}
	}
	return out, nil
}

// itemSig reads (core module ...), (func ...), (component ...),
// (instance ...), (value ...) or (type (eq|sub ...)).
func (p *compParser) itemSig(c *cur, names bool) (*itemSig, error) {
	sig := &itemSig{}
	var err error
	if c.optKw("core") {
		if err := c.kw("module"); err != nil {
			return nil, err
		}
		sig.sort = component.SortCoreModule
	} else {
		k := c.peek()
		s, ok := compSorts[k.textOr()]
		if !ok || k.kind != kKeyword {
			return nil, c.expected("`func`, `component`, `instance`, `value`, `type` or `core module`")
		}
		c.i++
		sig.sort = s
	}
	if names {
		if sig.id, sig.name, err = p.idName(c); err != nil {
			return nil, err
		}
	}
	switch sig.sort {
	case component.SortCoreModule:
		sig.mod, err = p.coreTypeUse(c)
	case component.SortFunc:
		sig.tu, err = p.typeUse(c, "func")
	case component.SortComponent:
		sig.tu, err = p.typeUse(c, "component")
	case component.SortInstance:
		sig.tu, err = p.typeUse(c, "instance")
	case component.SortValue:
		if c.isList("type") && isRefList(c.peek()) {
			sc, _ := c.anyList()
			r, err := p.itemRefBody(sc)
			if err != nil {
				return nil, err
			}
			sig.val = &cValType{ref: &r.idx}
		} else {
			sig.val, err = p.valType(c)
		}
	case component.SortType:
		bc, err := c.anyList()
		if err != nil {
			return nil, err
		}
		if bc.optKw("eq") {
			x, err := bc.index()
			if err != nil {
				return nil, err
			}
			sig.eq = &x
		} else if bc.optKw("sub") {
			if err := bc.kw("resource"); err != nil {
				return nil, err
			}
			sig.sub = true
		} else {
			return nil, bc.expected("`eq` or `sub`")
		}
		if err := bc.end(); err != nil {
			return nil, err
		}
	}
	if err != nil {
		return nil, err
	}
	return sig, c.end()
}

func (p *compParser) importField(c *cur, pos int) (*cImport, error) {
	im := &cImport{pos: pos}
	var err error
	if im.name, err = p.externName(c); err != nil {
		return nil, err
	}
	sc, err := c.anyList()
	if err != nil {
		return nil, err
	}
	if im.sig, err = p.itemSig(sc, true); err != nil {
		return nil, err
	}
	return im, c.end()
}

// cFunc is (func $id? (export ...)* (import ...) | (alias ...) | lift).
type cFunc struct {
	id, name string
	exports  []externName
	imported *externName
	tu       *cTypeUse
	alias    *cAlias
	lift     *cCanon
}

func (p *compParser) funcField(c *cur) (field, error) {
	f := &cFunc{}
	var err error
	if f.id, f.name, err = p.idName(c); err != nil {
		return nil, err
	}
	if f.exports, err = p.inlineExports(c); err != nil {
		return nil, err
	}
	if f.imported, err = p.inlineImport(c); err != nil {
		return nil, err
	}
	if f.imported != nil {
		if f.tu, err = p.typeUse(c, "func"); err != nil {
			return nil, err
		}
		return f, c.end()
	}
	if c.isList("alias") {
		ac, _ := c.sub("alias")
		if f.alias, err = p.inlineAlias(ac, false, component.SortFunc); err != nil {
			return nil, err
		}
		return f, c.end()
	}
	if f.tu, err = p.typeUse(c, "func"); err != nil {
		return nil, err
	}
	cc, err := c.sub("canon")
	if err != nil {
		return nil, err
	}
	if err := cc.kw("lift"); err != nil {
		return nil, err
	}
	f.lift = &cCanon{lift: true, op: component.CanonLift, tu: f.tu}
	if err := p.liftBody(cc, f.lift); err != nil {
		return nil, err
	}
	return f, c.end()
}

func (p *compParser) liftBody(c *cur, cn *cCanon) error {
	fc, err := c.anyList()
	if err != nil {
		return err
	}
	r, err := p.coreRefBody(fc, true)
	if err != nil {
		return err
	}
	if r.sort != component.SortCoreFunc {
		return p.s.errorf(fc.list.pos, "expected a core func reference")
	}
	cn.fn = &r
	if cn.opts, err = p.canonOpts(c); err != nil {
		return err
	}
	return nil
}

func (p *compParser) canonOpts(c *cur) ([]canonOpt, error) {
	var out []canonOpt
	for !c.done() {
		n := c.peek()
		switch {
		case c.optKw("string-encoding=utf8"):
			out = append(out, canonOpt{kind: component.OptUTF8})
		case c.optKw("string-encoding=utf16"):
			out = append(out, canonOpt{kind: component.OptUTF16})
		case c.optKw("string-encoding=latin1+utf16"):
			out = append(out, canonOpt{kind: component.OptLatin1UTF16})
		case c.optKw("async"):
			out = append(out, canonOpt{kind: component.OptAsync})
		case c.optKw("gc"):
			out = append(out, canonOpt{kind: component.OptGC})
		case n.kind == kList:
			var o canonOpt
			var sort component.Sort
			switch n.head() {
			case "memory":
				o.kind, sort = component.OptMemory, component.SortCoreMemory
			case "realloc":
				o.kind, sort = component.OptRealloc, component.SortCoreFunc
			case "post-return":
				o.kind, sort = component.OptPostReturn, component.SortCoreFunc
			case "callback":
				o.kind, sort = component.OptCallback, component.SortCoreFunc
			case "core-type":
				o.kind, sort = component.OptCoreType, component.SortCoreType
			default:
				return out, nil
			}
			oc, _ := c.anyList()
			oc.i = 1
			var r coreRef
			var err error
			if o.kind == component.OptMemory {
				r, err = p.coreContents(oc, sort)
			} else {
				r, err = p.corePrefixed(oc, sort)
				if err == nil {
					err = oc.end()
				}
			}
			if err != nil {
				return nil, err
			}
			o.ref = &r
			out = append(out, o)
		default:
			return out, nil
		}
	}
	return out, nil
}

var canonOps = map[string]component.CanonOp{}

func init() {
	for op := component.CanonOp(0); op < 0x50; op++ {
		if s := op.String(); !strings.HasPrefix(s, "canon(") {
			canonOps[s] = op
		}
	}
	canonOps["thread.available_parallelism"] = component.CanonThreadAvailableParallelism
	delete(canonOps, "lift")
}

// canon reads (canon lift ... (func ...)) or (canon OP ... (core func ...)).
func (p *compParser) canon(c *cur) (field, error) {
	cn := &cCanon{}
	if c.optKw("lift") {
		cn.lift, cn.op = true, component.CanonLift
		if err := p.liftBody(c, cn); err != nil {
			return nil, err
		}
		fc, err := c.sub("func")
		if err != nil {
			return nil, err
		}
		if cn.id, cn.name, err = p.idName(fc); err != nil {
			return nil, err
		}
		if cn.tu, err = p.typeUse(fc, "func"); err != nil {
			return nil, err
		}
		if err := fc.end(); err != nil {
			return nil, err
		}
		return cn, c.end()
	}
	if err := p.coreCanon(c, cn); err != nil {
		return nil, err
	}
	fc, err := c.sub("core")
	if err != nil {
		return nil, err
	}
	if err := fc.kw("func"); err != nil {
		return nil, err
	}
	if cn.id, cn.name, err = p.idName(fc); err != nil {
		return nil, err
	}
	if err := fc.end(); err != nil {
		return nil, err
	}
	return cn, c.end()
}

// coreCanon reads a canonical built-in after `canon`.
func (p *compParser) coreCanon(c *cur, cn *cCanon) error {
	k := c.peek()
	if k == nil || k.kind != kKeyword {
		return c.expected("a canonical definition")
	}
	op, ok := canonOps[k.text]
	if !ok {
		return p.s.errorf(k.pos, "expected a canonical definition, found %s", k.describe())
	}
	c.i++
	cn.op = op
	var err error
	typeRef := func() error {
		r, err := p.indexOrRef(c, component.SortType)
		cn.ty = &r
		return err
	}
	switch op {
	case component.CanonLower:
		fc, err := c.anyList()
		if err != nil {
			return err
		}
		r, err := p.itemRefBody(fc)
		if err != nil {
			return err
		}
		cn.lower = &r
		cn.opts, err = p.canonOpts(c)
		return err
	case component.CanonResourceNew, component.CanonResourceDrop, component.CanonResourceRep,
		component.CanonStreamNew, component.CanonStreamDropReadable, component.CanonStreamDropWritable,
		component.CanonFutureNew, component.CanonFutureDropReadable, component.CanonFutureDropWritable:
		return typeRef()
	case component.CanonStreamRead, component.CanonStreamWrite, component.CanonFutureRead, component.CanonFutureWrite:
		if err := typeRef(); err != nil {
			return err
		}
		cn.opts, err = p.canonOpts(c)
		return err
	case component.CanonStreamCancelRead, component.CanonStreamCancelWrite, component.CanonFutureCancelRead, component.CanonFutureCancelWrite:
		if err := typeRef(); err != nil {
			return err
		}
		cn.flag = c.optKw("async")
	case component.CanonSubtaskCancel:
		cn.flag = c.optKw("async")
	case component.CanonThreadYield, component.CanonThreadSuspend, component.CanonThreadSuspendThenResume,
		component.CanonThreadYieldThenResume, component.CanonThreadSuspendThenPromote, component.CanonThreadYieldThenPromote:
		cn.flag = c.optKw("cancellable")
	case component.CanonTaskReturn:
		if c.isList("result") {
			rc, _ := c.sub("result")
			cn.hasRes = true
			if cn.result, err = p.valType(rc); err != nil {
				return err
			}
			if err := rc.end(); err != nil {
				return err
			}
		}
		cn.opts, err = p.canonOpts(c)
		return err
	case component.CanonContextGet, component.CanonContextSet:
		if cn.valType, err = c.valType(); err != nil {
			return err
		}
		cn.slot, err = c.u32()
		return err
	case component.CanonErrorContextNew, component.CanonErrorContextDebug:
		cn.opts, err = p.canonOpts(c)
		return err
	case component.CanonWaitableSetWait, component.CanonWaitableSetPoll:
		cn.flag = c.optKw("cancellable")
		mc, err := c.sub("memory")
		if err != nil {
			return err
		}
		r, err := p.coreContents(mc, component.SortCoreMemory)
		cn.mem = &r
		return err
	case component.CanonThreadNewIndirect, component.CanonThreadSpawnIndirect:
		r, err := p.corePrefixed(c, component.SortCoreType)
		if err != nil {
			return err
		}
		cn.coreTy = &r
		t, err := p.corePrefixed(c, component.SortCoreTable)
		cn.table = &t
		return err
	case component.CanonThreadSpawnRef:
		r, err := p.corePrefixed(c, component.SortCoreType)
		cn.coreTy = &r
		return err
	}
	return nil
}

// cCoreFunc is (core func $id? (canon ...) | (alias core export ...)).
type cCoreFunc struct {
	id, name string
	alias    *cAlias
	canon    *cCanon
}

func (p *compParser) coreFunc(c *cur) (field, error) {
	f := &cCoreFunc{}
	var err error
	if f.id, f.name, err = p.idName(c); err != nil {
		return nil, err
	}
	bc, err := c.anyList()
	if err != nil {
		return nil, err
	}
	switch bc.list.head() {
	case "alias":
		bc.i = 1
		if f.alias, err = p.inlineAlias(bc, true, component.SortCoreFunc); err != nil {
			return nil, err
		}
	case "canon":
		bc.i = 1
		f.canon = &cCanon{}
		if err := p.coreCanon(bc, f.canon); err != nil {
			return nil, err
		}
		if err := bc.end(); err != nil {
			return nil, err
		}
	default:
		return nil, p.s.errorf(bc.list.pos, "expected `(canon ...)` or `(alias ...)`")
	}
	return f, c.end()
}

func (p *compParser) start(c *cur) (field, error) {
	st := &cStart{}
	var err error
	if st.fn, err = c.index(); err != nil {
		return nil, err
	}
	for !c.done() && !c.isList("result") {
		ac, err := c.anyList()
		if err != nil {
			return nil, err
		}
		r, err := p.itemRefBody(ac)
		if err != nil {
			return nil, err
		}
		st.args = append(st.args, r)
	}
	for c.isList("result") {
		rc, _ := c.sub("result")
		vc, err := rc.sub("value")
		if err != nil {
			return nil, err
		}
		id, _ := vc.optID()
		st.results = append(st.results, id)
		if err := vc.end(); err != nil {
			return nil, err
		}
		if err := rc.end(); err != nil {
			return nil, err
		}
	}
	return st, c.end()
}
