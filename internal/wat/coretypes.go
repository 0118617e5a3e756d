package wat

import (
	"strconv"
	"strings"

	"github.com/wasmcm/wasmcm/internal/wasm"
)

// valT is a core value type as written: a number type, or a reference type
// whose heap type may name a type by $id.
type valT struct {
	code     byte // wasm.I32 ... wasm.V128, or wasm.Ref for references
	nullable bool
	heap     heapT
}

// heapT is a heap type as written.
type heapT struct {
	abs    byte // abstract heap type code, 0 for a type index
	shared bool
	exact  bool
	idx    index
}

// key spells the type for deduplication of implied function types; $ids are
// kept as written, as the reference compares unresolved types.
func (v valT) key() string {
	if v.code != wasm.Ref {
		return string(rune(v.code))
	}
	k := "r"
	if v.nullable {
		k = "n"
	}
	return k + v.heap.key()
}

func (h heapT) key() string {
	s := ""
	if h.shared {
		s += "s"
	}
	if h.exact {
		s += "x"
	}
	if h.abs != 0 {
		return s + string(rune(h.abs))
	}
	if h.idx.isID {
		return s + "$" + h.idx.id + ";"
	}
	return s + "#" + strconv.Itoa(int(h.idx.num)) + ";"
}

var numTypes = map[string]byte{"i32": wasm.I32, "i64": wasm.I64, "f32": wasm.F32, "f64": wasm.F64, "v128": wasm.V128}

var absHeaps = map[string]byte{
	"func": wasm.HeapFunc, "extern": wasm.HeapExtern, "any": wasm.HeapAny, "none": wasm.HeapNone,
	"noextern": wasm.HeapNoExtern, "nofunc": wasm.HeapNoFunc, "eq": wasm.HeapEq, "struct": wasm.HeapStruct,
	"array": wasm.HeapArray, "i31": wasm.HeapI31, "exn": wasm.HeapExn, "noexn": wasm.HeapNoExn,
	"cont": wasm.HeapCont, "nocont": wasm.HeapNoCont,
}

// shortRefs are the abbreviations of nullable abstract references.
var shortRefs = map[string]byte{
	"funcref": wasm.HeapFunc, "externref": wasm.HeapExtern, "anyref": wasm.HeapAny, "nullref": wasm.HeapNone,
	"nullexternref": wasm.HeapNoExtern, "nullfuncref": wasm.HeapNoFunc, "eqref": wasm.HeapEq,
	"structref": wasm.HeapStruct, "arrayref": wasm.HeapArray, "i31ref": wasm.HeapI31, "exnref": wasm.HeapExn,
	"nullexnref": wasm.HeapNoExn, "contref": wasm.HeapCont, "nullcontref": wasm.HeapNoCont,
}

// isValType reports whether the next item starts a value type.
func (c *cur) isValType() bool {
	n := c.peek()
	if n == nil {
		return false
	}
	if n.kind == kKeyword {
		_, ok := numTypes[n.text]
		_, ok2 := shortRefs[n.text]
		return ok || ok2
	}
	return n.head() == "ref"
}

func (c *cur) isRefType() bool {
	n := c.peek()
	if n == nil {
		return false
	}
	if n.kind == kKeyword {
		_, ok := shortRefs[n.text]
		return ok
	}
	return n.head() == "ref"
}

func (c *cur) valType() (valT, error) {
	n := c.peek()
	if n == nil {
		return valT{}, c.expected("a value type")
	}
	if n.kind == kKeyword {
		if code, ok := numTypes[n.text]; ok {
			c.i++
			return valT{code: code}, nil
		}
		if h, ok := shortRefs[n.text]; ok {
			c.i++
			return valT{code: wasm.Ref, nullable: true, heap: heapT{abs: h}}, nil
		}
	}
	if n.head() == "ref" {
		return c.refType()
	}
	return valT{}, c.expected("a value type")
}

func (c *cur) refType() (valT, error) {
	n := c.peek()
	if n != nil && n.kind == kKeyword {
		if h, ok := shortRefs[n.text]; ok {
			c.i++
			return valT{code: wasm.Ref, nullable: true, heap: heapT{abs: h}}, nil
		}
	}
	sc, err := c.sub("ref")
	if err != nil {
		return valT{}, c.expected("a reference type")
	}
	v := valT{code: wasm.Ref, nullable: sc.optKw("null")}
	if v.heap, err = sc.heapType(); err != nil {
		return v, err
	}
	return v, sc.end()
}

func (c *cur) heapType() (heapT, error) {
	n := c.peek()
	if n == nil {
		return heapT{}, c.expected("a heap type")
	}
	if n.kind == kKeyword {
		if h, ok := absHeaps[n.text]; ok {
			c.i++
			return heapT{abs: h}, nil
		}
	}
	if n.head() == "shared" {
		sc, _ := c.sub("shared")
		h, err := sc.heapType()
		h.shared = true
		if err != nil {
			return h, err
		}
		return h, sc.end()
	}
	if n.head() == "exact" {
		sc, _ := c.sub("exact")
		x, err := sc.index()
		if err != nil {
			return heapT{}, err
		}
		return heapT{exact: true, idx: x}, sc.end()
	}
	if c.isIndex() {
		x, err := c.index()
		return heapT{idx: x}, err
	}
	return heapT{}, c.expected("a heap type")
}

// funcT is a core function type as written.
type funcT struct {
	params  []paramT
	results []valT
}

type paramT struct {
	pos  int
	id   string
	name string // @name annotation
	ty   valT
}

func (f *funcT) key() string {
	var b strings.Builder
	for _, p := range f.params {
		b.WriteString(p.ty.key())
	}
	b.WriteByte('>')
	for _, r := range f.results {
		b.WriteString(r.key())
	}
	return b.String()
}

// paramsResults reads (param ...)* (result ...)* into f. Named params take
// one type; anonymous ones any number.
func (c *cur) paramsResults(f *funcT, allowNames bool) error {
	for c.isList("param") {
		sc, _ := c.sub("param")
		if id, at := sc.optID(); at >= 0 {
			pos := at
			if !allowNames {
				return c.s.errorf(at, "unexpected identifier: parameters cannot be named here")
			}
			name, _, err := sc.optNameAnnot()
			if err != nil {
				return err
			}
			t, err := sc.valType()
			if err != nil {
				return err
			}
			f.params = append(f.params, paramT{pos: pos, id: id, name: name, ty: t})
			if err := sc.end(); err != nil {
				return err
			}
			continue
		}
		for !sc.done() {
			t, err := sc.valType()
			if err != nil {
				return err
			}
			f.params = append(f.params, paramT{ty: t})
		}
	}
	for c.isList("result") {
		sc, _ := c.sub("result")
		for !sc.done() {
			t, err := sc.valType()
			if err != nil {
				return err
			}
			f.results = append(f.results, t)
		}
	}
	return nil
}

// typeUse is (type idx)? followed by an optional inline signature.
type typeUse struct {
	idx    *index
	inline *funcT
	// resolved is the type index after expansion.
	resolved index
}

func (c *cur) typeUse(allowNames bool) (*typeUse, error) {
	tu := &typeUse{}
	if c.isList("type") {
		sc, _ := c.sub("type")
		x, err := sc.index()
		if err != nil {
			return nil, err
		}
		if err := sc.end(); err != nil {
			return nil, err
		}
		tu.idx = &x
	}
	if c.isList("param") || c.isList("result") {
		tu.inline = &funcT{}
		if err := c.paramsResults(tu.inline, allowNames); err != nil {
			return nil, err
		}
	}
	return tu, nil
}

// subT is one type definition (a composite type with its subtyping).
type subT struct {
	id, name string
	pos      int
	final    *bool
	parent   *index
	shared   bool
	kind     wasm.CompositeKind
	fn       funcT
	fields   []fieldT
	cont     index
}

type fieldT struct {
	id      string
	packed  byte
	ty      valT
	mutable bool
}

// typeDef reads the body of (type $id? ...): a composite or (sub ...).
func (c *cur) typeDef() (*subT, error) {
	t := &subT{pos: c.pos()}
	t.id, _ = c.optID()
	name, _, err := c.optNameAnnot()
	if err != nil {
		return nil, err
	}
	t.name = name
	if err := c.subType(t); err != nil {
		return nil, err
	}
	return t, c.end()
}

func (c *cur) subType(t *subT) error {
	if c.isList("sub") {
		sc, _ := c.sub("sub")
		f := sc.optKw("final")
		t.final = &f
		if sc.isIndex() {
			x, _ := sc.index()
			t.parent = &x
		}
		if err := sc.subType(t); err != nil {
			return err
		}
		return sc.end()
	}
	if c.isList("shared") {
		sc, _ := c.sub("shared")
		t.shared = true
		if err := sc.composite(t); err != nil {
			return err
		}
		return sc.end()
	}
	return c.composite(t)
}

func (c *cur) composite(t *subT) error {
	sc, err := c.anyList()
	if err != nil {
		return c.expected("a composite type")
	}
	switch sc.list.head() {
	case "func":
		sc.i = 1
		t.kind = wasm.CompFunc
		if err := sc.paramsResults(&t.fn, true); err != nil {
			return err
		}
	case "struct":
		sc.i = 1
		t.kind = wasm.CompStruct
		for sc.isList("field") {
			fc, _ := sc.sub("field")
			if id, at := fc.optID(); at >= 0 {
				f, err := fc.fieldType()
				if err != nil {
					return err
				}
				f.id = id
				t.fields = append(t.fields, f)
				if err := fc.end(); err != nil {
					return err
				}
				continue
			}
			for !fc.done() {
				f, err := fc.fieldType()
				if err != nil {
					return err
				}
				t.fields = append(t.fields, f)
			}
		}
	case "array":
		sc.i = 1
		t.kind = wasm.CompArray
		f, err := sc.fieldType()
		if err != nil {
			return err
		}
		t.fields = []fieldT{f}
	case "cont":
		sc.i = 1
		t.kind = wasm.CompCont
		if t.cont, err = sc.index(); err != nil {
			return err
		}
	default:
		c.i--
		return c.expected("`func`, `struct`, `array` or `cont`")
	}
	return sc.end()
}

func (c *cur) fieldType() (fieldT, error) {
	if c.isList("mut") {
		sc, _ := c.sub("mut")
		f, err := sc.storageType()
		f.mutable = true
		if err != nil {
			return f, err
		}
		return f, sc.end()
	}
	return c.storageType()
}

func (c *cur) storageType() (fieldT, error) {
	if c.optKw("i8") {
		return fieldT{packed: wasm.PackedI8}, nil
	}
	if c.optKw("i16") {
		return fieldT{packed: wasm.PackedI16}, nil
	}
	t, err := c.valType()
	return fieldT{ty: t}, err
}

// limits reads min max? as unsigned numbers.
func (c *cur) limits(is64 bool) (wasm.Limits, error) {
	var l wasm.Limits
	var err error
	l.Is64 = is64
	if l.Min, err = c.u64(); err != nil {
		return l, err
	}
	if !is64 && l.Min > 0xffffffff {
		return l, c.errorf("limits out of range")
	}
	if c.isNum() {
		v, err := c.u64()
		if err != nil {
			return l, err
		}
		l.Max = &v
	}
	return l, nil
}

// memoryType reads i32|i64? limits shared? (pagesize N)?.
func (c *cur) memoryType() (wasm.MemoryType, error) {
	is64 := false
	if c.optKw("i64") {
		is64 = true
	} else {
		c.optKw("i32")
	}
	l, err := c.limits(is64)
	if err != nil {
		return wasm.MemoryType{}, err
	}
	l.Shared = c.optKw("shared")
	if c.isList("pagesize") {
		sc, _ := c.sub("pagesize")
		v, err := sc.u32()
		if err != nil {
			return wasm.MemoryType{}, err
		}
		if v == 0 || v&(v-1) != 0 {
			return wasm.MemoryType{}, sc.errorf("invalid custom page size")
		}
		log := uint32(0)
		for v > 1 {
			v >>= 1
			log++
		}
		l.PageSizeLog2 = &log
		if err := sc.end(); err != nil {
			return wasm.MemoryType{}, err
		}
	}
	return wasm.MemoryType{Limits: l}, nil
}

// tableTypeT is a table type whose element type may name a type by $id.
type tableTypeT struct {
	limits wasm.Limits
	elem   valT
}

func (c *cur) tableType() (tableTypeT, error) {
	var t tableTypeT
	shared := c.optKw("shared")
	is64 := false
	if c.optKw("i64") {
		is64 = true
	} else {
		c.optKw("i32")
	}
	l, err := c.limits(is64)
	if err != nil {
		return t, err
	}
	l.Shared = shared
	t.limits = l
	t.elem, err = c.refType()
	return t, err
}

// globalTypeT is a global type as written.
type globalTypeT struct {
	ty      valT
	mutable bool
	shared  bool
}

func (c *cur) globalType() (globalTypeT, error) {
	var g globalTypeT
	if c.isList("mut") {
		sc, _ := c.sub("mut")
		g.mutable = true
		var err error
		g.shared = sc.optKw("shared")
		if g.ty, err = sc.valType(); err != nil {
			return g, err
		}
		return g, sc.end()
	}
	g.shared = c.optKw("shared")
	var err error
	g.ty, err = c.valType()
	return g, err
}
