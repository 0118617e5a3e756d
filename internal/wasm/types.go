package wasm

import "fmt"

// Value type codes of core WebAssembly.
const (
	I32  byte = 0x7f
	I64  byte = 0x7e
	F32  byte = 0x7d
	F64  byte = 0x7c
	V128 byte = 0x7b
	// RefNull and Ref are the long forms of reference types, followed by a
	// heap type.
	RefNull byte = 0x63
	Ref     byte = 0x64
)

// Abstract heap type codes (also the short forms of nullable reference
// types: FuncRef as a value type is (ref null func)).
const (
	HeapFunc     byte = 0x70
	HeapExtern   byte = 0x6f
	HeapAny      byte = 0x6e
	HeapNone     byte = 0x71
	HeapNoExtern byte = 0x72
	HeapNoFunc   byte = 0x73
	HeapEq       byte = 0x6d
	HeapStruct   byte = 0x6b
	HeapArray    byte = 0x6a
	HeapI31      byte = 0x6c
	HeapExn      byte = 0x69
	HeapNoExn    byte = 0x74
	HeapCont     byte = 0x68
	HeapNoCont   byte = 0x75
)

func isAbstractHeap(c byte) bool {
	return (c >= 0x68 && c <= 0x75) && c != 0x63 && c != 0x64
}

// HeapType is an abstract heap type (Abstract != 0) or a type index.
type HeapType struct {
	Abstract byte // an abstract heap type code, or 0 for Index
	Shared   bool // the 0x65 prefix of shared abstract types
	Exact    bool // the 0x62 prefix of exact type indices
	Index    uint32
}

// ValType is a core value type. Code is a number type code, RefNull/Ref
// (with Heap), or an abstract heap type code used as the short form of a
// nullable reference (with Heap.Abstract equal to Code). Keeping the form
// read lets a module type re-encode byte for byte.
type ValType struct {
	Code byte
	Heap HeapType
}

// Number value types, for convenience.
var (
	ValI32       = ValType{Code: I32}
	ValI64       = ValType{Code: I64}
	ValF32       = ValType{Code: F32}
	ValF64       = ValType{Code: F64}
	ValV128      = ValType{Code: V128}
	ValFuncRef   = ValType{Code: HeapFunc, Heap: HeapType{Abstract: HeapFunc}}
	ValExternRef = ValType{Code: HeapExtern, Heap: HeapType{Abstract: HeapExtern}}
)

// IsRef reports whether v is a reference type.
func (v ValType) IsRef() bool {
	return v.Code != I32 && v.Code != I64 && v.Code != F32 && v.Code != F64 && v.Code != V128
}

// Canonical returns v with a short-form reference spelled in its long form,
// so that equal types compare equal.
func (v ValType) Canonical() ValType {
	if v.IsRef() && v.Code != Ref && v.Code != RefNull {
		return ValType{Code: RefNull, Heap: v.Heap}
	}
	return v
}

// String spells v as in the text format.
func (v ValType) String() string {
	switch v.Code {
	case I32:
		return "i32"
	case I64:
		return "i64"
	case F32:
		return "f32"
	case F64:
		return "f64"
	case V128:
		return "v128"
	case Ref:
		return "(ref " + v.Heap.String() + ")"
	case RefNull:
		return "(ref null " + v.Heap.String() + ")"
	}
	return "(ref null " + v.Heap.String() + ")"
}

var heapNames = map[byte]string{
	HeapFunc: "func", HeapExtern: "extern", HeapAny: "any", HeapNone: "none",
	HeapNoExtern: "noextern", HeapNoFunc: "nofunc", HeapEq: "eq", HeapStruct: "struct",
	HeapArray: "array", HeapI31: "i31", HeapExn: "exn", HeapNoExn: "noexn",
	HeapCont: "cont", HeapNoCont: "nocont",
}

// String spells h as in the text format.
func (h HeapType) String() string {
	if h.Abstract != 0 {
		s := heapNames[h.Abstract]
		if h.Shared {
			s = "(shared " + s + ")"
		}
		return s
	}
	if h.Exact {
		return fmt.Sprintf("(exact %d)", h.Index)
	}
	return fmt.Sprint(h.Index)
}

// ReadHeapType reads a heap type.
func (r *Reader) ReadHeapType() (HeapType, error) {
	start := r.Offset()
	c, err := r.Peek()
	if err != nil {
		return HeapType{}, err
	}
	switch {
	case c == 0x65:
		r.pos++
		a, err := r.Byte()
		if err != nil {
			return HeapType{}, err
		}
		if !isAbstractHeap(a) {
			return HeapType{}, ErrorAt(start, "invalid shared heap type 0x%02x", a)
		}
		return HeapType{Abstract: a, Shared: true}, nil
	case c == 0x62:
		r.pos++
		idx, err := r.U32()
		return HeapType{Exact: true, Index: idx}, err
	case isAbstractHeap(c):
		r.pos++
		return HeapType{Abstract: c}, nil
	}
	v, err := r.S33()
	if err != nil {
		return HeapType{}, err
	}
	if v < 0 || v > 0xffffffff {
		return HeapType{}, ErrorAt(start, "invalid heap type")
	}
	return HeapType{Index: uint32(v)}, nil
}

// AppendHeapType appends the encoding of h.
func AppendHeapType(b []byte, h HeapType) []byte {
	switch {
	case h.Abstract != 0:
		if h.Shared {
			b = append(b, 0x65)
		}
		return append(b, h.Abstract)
	case h.Exact:
		return AppendU32(append(b, 0x62), h.Index)
	}
	return AppendS64(b, int64(h.Index))
}

// ReadValType reads a core value type.
func (r *Reader) ReadValType() (ValType, error) {
	start := r.Offset()
	c, err := r.Byte()
	if err != nil {
		return ValType{}, err
	}
	switch {
	case c == I32 || c == I64 || c == F32 || c == F64 || c == V128:
		return ValType{Code: c}, nil
	case c == Ref || c == RefNull:
		h, err := r.ReadHeapType()
		return ValType{Code: c, Heap: h}, err
	case c == 0x65:
		a, err := r.Byte()
		if err != nil {
			return ValType{}, err
		}
		if !isAbstractHeap(a) {
			return ValType{}, ErrorAt(start, "invalid value type 0x65 0x%02x", a)
		}
		return ValType{Code: a, Heap: HeapType{Abstract: a, Shared: true}}, nil
	case isAbstractHeap(c):
		return ValType{Code: c, Heap: HeapType{Abstract: c}}, nil
	}
	return ValType{}, ErrorAt(start, "invalid value type 0x%02x", c)
}

// AppendValType appends the encoding of v.
func AppendValType(b []byte, v ValType) []byte {
	switch v.Code {
	case I32, I64, F32, F64, V128:
		return append(b, v.Code)
	case Ref, RefNull:
		return AppendHeapType(append(b, v.Code), v.Heap)
	}
	if v.Heap.Shared {
		b = append(b, 0x65)
	}
	return append(b, v.Code)
}

// FuncType is a core function type.
type FuncType struct {
	Params, Results []ValType
}

// Equal reports whether two function types are structurally the same.
func (f *FuncType) Equal(g *FuncType) bool {
	if f == g {
		return true
	}
	if len(f.Params) != len(g.Params) || len(f.Results) != len(g.Results) {
		return false
	}
	return sameVals(f.Params, g.Params) && sameVals(f.Results, g.Results)
}

// sameVals compares value types by their canonical forms, which only
// reference types written in another form need: number and vector types
// (codes 0x7b to 0x7f, nearly all of them) compare by code alone.
func sameVals(a, b []ValType) bool {
	for i := range a {
		x, y := &a[i], &b[i]
		if x.Code == y.Code && x.Code >= V128 {
			continue
		}
		if *x != *y && x.Canonical() != y.Canonical() {
			return false
		}
	}
	return true
}

// String spells f as in the text format.
func (f *FuncType) String() string {
	s := "(func"
	if len(f.Params) > 0 {
		s += " (param"
		for _, p := range f.Params {
			s += " " + p.String()
		}
		s += ")"
	}
	if len(f.Results) > 0 {
		s += " (result"
		for _, p := range f.Results {
			s += " " + p.String()
		}
		s += ")"
	}
	return s + ")"
}

// Storage types of struct and array fields: a value type or a packed type.
const (
	PackedI8  byte = 0x78
	PackedI16 byte = 0x77
)

// FieldType is a struct field or array element type.
type FieldType struct {
	Packed  byte    // PackedI8, PackedI16, or 0 for Val
	Val     ValType // when Packed is 0
	Mutable bool
}

// CompositeKind says which composite type a SubType holds.
type CompositeKind byte

// The composite type opcodes.
const (
	CompFunc   CompositeKind = 0x60
	CompStruct CompositeKind = 0x5f
	CompArray  CompositeKind = 0x5e
	CompCont   CompositeKind = 0x5d
)

// SubType is one type of a recursion group: a composite type (func, struct,
// array, cont) with its subtyping information.
type SubType struct {
	// Explicit is true when the type was written with a sub/sub final
	// prefix (0x50/0x4f); a bare composite type is final without supertypes.
	Explicit bool
	Final    bool
	Shared   bool
	Kind     CompositeKind
	// ContTypeIdx is the function type of a CompCont.
	ContTypeIdx uint32
	Supers      []uint32

	Describes  *uint32     // custom descriptors (0x4c)
	Descriptor *uint32     // custom descriptors (0x4d)
	Func       FuncType    // CompFunc
	Fields     []FieldType // CompStruct (every field) or CompArray (one)
}

// RecGroup is a recursion group of types. Explicit is true when the group
// was written with the rec prefix (0x4e), even for a single type.
type RecGroup struct {
	Explicit bool
	Types    []SubType
}

func (r *Reader) readStorage() (FieldType, error) {
	c, err := r.Peek()
	if err != nil {
		return FieldType{}, err
	}
	var f FieldType
	if c == PackedI8 || c == PackedI16 {
		r.pos++
		f.Packed = c
	} else if f.Val, err = r.ReadValType(); err != nil {
		return f, err
	}
	f.Mutable, err = r.Bool("field mutability")
	return f, err
}

func appendStorage(b []byte, f FieldType) []byte {
	if f.Packed != 0 {
		b = append(b, f.Packed)
	} else {
		b = AppendValType(b, f.Val)
	}
	if f.Mutable {
		return append(b, 1)
	}
	return append(b, 0)
}

// ReadValTypes reads a vector of value types.
func (r *Reader) ReadValTypes() ([]ValType, error) { return r.readValTypes(nil) }

func (r *Reader) readValTypes(vals *valTypeSlab) ([]ValType, error) {
	n, err := r.Count("value types")
	if err != nil {
		return nil, err
	}
	vs := vals.take(n)
	for i := range vs {
		if vs[i], err = r.ReadValType(); err != nil {
			return nil, err
		}
	}
	return vs, nil
}

// valTypeSlab hands out lists of value types cut from shared chunks, so
// that a type section's function types cost a few allocations in all
// instead of two each. The lists are capped (three-index slices): an
// append to one copies it rather than overwriting its neighbour.
type valTypeSlab struct {
	buf []ValType
	// hint bounds how many value types are still to come (from the bytes
	// that remain), so that a chunk is not made larger than the input
	// could fill.
	hint int
}

// slabChunkMax bounds a chunk, whatever the hint says.
const slabChunkMax = 1 << 12

// take returns a list of n value types; a nil slab allocates it alone.
func (s *valTypeSlab) take(n int) []ValType {
	if s == nil {
		return make([]ValType, n)
	}
	if n == 0 {
		var none [0]ValType
		return none[:]
	}
	if cap(s.buf)-len(s.buf) < n {
		s.buf = make([]ValType, 0, max(n, min(s.hint, slabChunkMax)))
	}
	l := len(s.buf)
	s.buf = s.buf[:l+n]
	s.hint -= n
	return s.buf[l : l+n : l+n]
}

// readNumFunc reads the rest of a function type (after its 0x60) whose
// parameters and results are all number types, the common case, in one
// pass over the bytes. It reports false, having read nothing, for any
// other function type.
func (r *Reader) readNumFunc(st *SubType, vals *valTypeSlab) bool {
	b, p := r.b, r.pos
	if p >= len(b) || b[p] >= 0x80 {
		return false
	}
	np := int(b[p])
	q := p + 1 + np // the result count
	if q >= len(b) || b[q] >= 0x80 || q+1+int(b[q]) > len(b) {
		return false
	}
	nr := int(b[q])
	for _, c := range b[p+1 : q] {
		if c < V128 || c > I32 {
			return false
		}
	}
	for _, c := range b[q+1 : q+1+nr] {
		if c < V128 || c > I32 {
			return false
		}
	}
	st.Final, st.Kind = true, CompFunc
	st.Func.Params = vals.take(np)
	for i, c := range b[p+1 : q] {
		st.Func.Params[i] = ValType{Code: c}
	}
	st.Func.Results = vals.take(nr)
	for i, c := range b[q+1 : q+1+nr] {
		st.Func.Results[i] = ValType{Code: c}
	}
	r.pos = q + 1 + nr
	return true
}

func (r *Reader) readComposite(c byte, st *SubType, vals *valTypeSlab) error {
	start := r.Offset() - 1
	var err error
	if c == 0x65 {
		st.Shared = true
		if c, err = r.Byte(); err != nil {
			return err
		}
	}
	if c == 0x4c {
		v, err := r.U32()
		if err != nil {
			return err
		}
		st.Describes = &v
		if c, err = r.Byte(); err != nil {
			return err
		}
	}
	if c == 0x4d {
		v, err := r.U32()
		if err != nil {
			return err
		}
		st.Descriptor = &v
		if c, err = r.Byte(); err != nil {
			return err
		}
	}
	st.Kind = CompositeKind(c)
	switch st.Kind {
	case CompFunc:
		if st.Func.Params, err = r.readValTypes(vals); err != nil {
			return err
		}
		st.Func.Results, err = r.readValTypes(vals)
		return err
	case CompStruct:
		n, err := r.Count("struct fields")
		if err != nil {
			return err
		}
		st.Fields = make([]FieldType, n)
		for i := range st.Fields {
			if st.Fields[i], err = r.readStorage(); err != nil {
				return err
			}
		}
		return nil
	case CompArray:
		f, err := r.readStorage()
		st.Fields = []FieldType{f}
		return err
	case CompCont:
		st.ContTypeIdx, err = r.U32()
		return err
	}
	return ErrorAt(start, "invalid leading byte (0x%x) for core type", c)
}

// ReadSubType reads one subtype.
func (r *Reader) ReadSubType() (SubType, error) {
	var st SubType
	err := r.readSubType(&st, nil)
	return st, err
}

// readSubType reads one subtype into st, its value types cut from vals
// (nil: allocated alone).
func (r *Reader) readSubType(st *SubType, vals *valTypeSlab) error {
	c, err := r.Byte()
	if err != nil {
		return err
	}
	if c == byte(CompFunc) && vals != nil && r.readNumFunc(st, vals) {
		return nil
	}
	if c == 0x50 || c == 0x4f {
		st.Explicit, st.Final = true, c == 0x4f
		n, err := r.Count("supertypes")
		if err != nil {
			return err
		}
		st.Supers = make([]uint32, n)
		for i := range st.Supers {
			if st.Supers[i], err = r.U32(); err != nil {
				return err
			}
		}
		if c, err = r.Byte(); err != nil {
			return err
		}
	} else {
		st.Final = true
	}
	return r.readComposite(c, st, vals)
}

// ReadRecGroup reads a recursion group (or a single subtype, which forms an
// implicit group of one).
func (r *Reader) ReadRecGroup() (RecGroup, error) {
	c, err := r.Peek()
	if err != nil {
		return RecGroup{}, err
	}
	if c != 0x4e {
		st, err := r.ReadSubType()
		return RecGroup{Types: []SubType{st}}, err
	}
	r.pos++
	n, err := r.Count("types in a rec group")
	if err != nil {
		return RecGroup{}, err
	}
	g := RecGroup{Explicit: true, Types: make([]SubType, n)}
	for i := range g.Types {
		if g.Types[i], err = r.ReadSubType(); err != nil {
			return g, err
		}
	}
	return g, nil
}

// AppendSubType appends the encoding of st.
func AppendSubType(b []byte, st *SubType) []byte {
	if st.Explicit {
		if st.Final {
			b = append(b, 0x4f)
		} else {
			b = append(b, 0x50)
		}
		b = AppendU32(b, uint32(len(st.Supers)))
		for _, s := range st.Supers {
			b = AppendU32(b, s)
		}
	}
	if st.Shared {
		b = append(b, 0x65)
	}
	if st.Describes != nil {
		b = AppendU32(append(b, 0x4c), *st.Describes)
	}
	if st.Descriptor != nil {
		b = AppendU32(append(b, 0x4d), *st.Descriptor)
	}
	b = append(b, byte(st.Kind))
	switch st.Kind {
	case CompFunc:
		b = AppendU32(b, uint32(len(st.Func.Params)))
		for _, v := range st.Func.Params {
			b = AppendValType(b, v)
		}
		b = AppendU32(b, uint32(len(st.Func.Results)))
		for _, v := range st.Func.Results {
			b = AppendValType(b, v)
		}
	case CompStruct:
		b = AppendU32(b, uint32(len(st.Fields)))
		for _, f := range st.Fields {
			b = appendStorage(b, f)
		}
	case CompArray:
		if len(st.Fields) == 1 {
			b = appendStorage(b, st.Fields[0])
		}
	case CompCont:
		b = AppendU32(b, st.ContTypeIdx)
	}
	return b
}

// AppendRecGroup appends the encoding of g.
func AppendRecGroup(b []byte, g *RecGroup) []byte {
	if !g.Explicit && len(g.Types) == 1 {
		return AppendSubType(b, &g.Types[0])
	}
	b = AppendU32(append(b, 0x4e), uint32(len(g.Types)))
	for i := range g.Types {
		b = AppendSubType(b, &g.Types[i])
	}
	return b
}

// Limits are the size bounds of a memory or table, with their flags.
type Limits struct {
	Min uint64
	Max *uint64
	// PageSizeLog2 is the custom-page-sizes immediate (nil for 64 KiB pages).
	PageSizeLog2 *uint32
	Shared       bool
	Is64         bool // memory64 / table64
}

// MemoryType is the type of a linear memory.
type MemoryType struct{ Limits }

// TableType is the type of a table.
type TableType struct {
	Elem ValType
	Limits
}

// GlobalType is the type of a global.
type GlobalType struct {
	Val     ValType
	Mutable bool
	Shared  bool
}

// ReadMemoryType reads a memory type.
func (r *Reader) ReadMemoryType() (MemoryType, error) {
	start := r.Offset()
	flags, err := r.Byte()
	if err != nil {
		return MemoryType{}, err
	}
	if flags&^0x0f != 0 {
		return MemoryType{}, ErrorAt(start, "invalid memory limits flags 0x%02x", flags)
	}
	var m MemoryType
	m.Shared, m.Is64 = flags&2 != 0, flags&4 != 0
	if m.Min, err = r.U64(); err != nil {
		return m, err
	}
	if flags&1 != 0 {
		v, err := r.U64()
		if err != nil {
			return m, err
		}
		m.Max = &v
	}
	if flags&8 != 0 {
		v, err := r.U32()
		if err != nil {
			return m, err
		}
		if v >= 64 {
			return m, ErrorAt(start, "invalid custom page size")
		}
		m.PageSizeLog2 = &v
	}
	return m, nil
}

// AppendMemoryType appends the encoding of m.
func AppendMemoryType(b []byte, m MemoryType) []byte {
	var flags byte
	if m.Max != nil {
		flags |= 1
	}
	if m.Shared {
		flags |= 2
	}
	if m.Is64 {
		flags |= 4
	}
	if m.PageSizeLog2 != nil {
		flags |= 8
	}
	b = AppendU64(append(b, flags), m.Min)
	if m.Max != nil {
		b = AppendU64(b, *m.Max)
	}
	if m.PageSizeLog2 != nil {
		b = AppendU32(b, *m.PageSizeLog2)
	}
	return b
}

// ReadTableType reads a table type.
func (r *Reader) ReadTableType() (TableType, error) {
	var t TableType
	var err error
	if t.Elem, err = r.ReadValType(); err != nil {
		return t, err
	}
	if !t.Elem.IsRef() {
		return t, r.Errorf("table element type %s is not a reference type", t.Elem)
	}
	start := r.Offset()
	flags, err := r.Byte()
	if err != nil {
		return t, err
	}
	if flags&^0x07 != 0 {
		return t, ErrorAt(start, "invalid table limits flags 0x%02x", flags)
	}
	t.Shared, t.Is64 = flags&2 != 0, flags&4 != 0
	if t.Min, err = r.U64(); err != nil {
		return t, err
	}
	if flags&1 != 0 {
		v, err := r.U64()
		if err != nil {
			return t, err
		}
		t.Max = &v
	}
	return t, nil
}

// AppendTableType appends the encoding of t.
func AppendTableType(b []byte, t TableType) []byte {
	b = AppendValType(b, t.Elem)
	var flags byte
	if t.Max != nil {
		flags |= 1
	}
	if t.Shared {
		flags |= 2
	}
	if t.Is64 {
		flags |= 4
	}
	b = AppendU64(append(b, flags), t.Min)
	if t.Max != nil {
		b = AppendU64(b, *t.Max)
	}
	return b
}

// ReadGlobalType reads a global type.
func (r *Reader) ReadGlobalType() (GlobalType, error) {
	var g GlobalType
	var err error
	if g.Val, err = r.ReadValType(); err != nil {
		return g, err
	}
	start := r.Offset()
	flags, err := r.Byte()
	if err != nil {
		return g, err
	}
	if flags > 3 {
		return g, ErrorAt(start, "malformed global mutability flags 0x%02x", flags)
	}
	g.Mutable, g.Shared = flags&1 != 0, flags&2 != 0
	return g, nil
}

// AppendGlobalType appends the encoding of g.
func AppendGlobalType(b []byte, g GlobalType) []byte {
	b = AppendValType(b, g.Val)
	var flags byte
	if g.Mutable {
		flags |= 1
	}
	if g.Shared {
		flags |= 2
	}
	return append(b, flags)
}

// ExternKind is the kind of a core import or export.
type ExternKind byte

// The core extern kinds, by their binary codes.
const (
	ExternFunc   ExternKind = 0x00
	ExternTable  ExternKind = 0x01
	ExternMemory ExternKind = 0x02
	ExternGlobal ExternKind = 0x03
	ExternTag    ExternKind = 0x04
	// ExternFuncExact is an exact function import (custom descriptors).
	ExternFuncExact ExternKind = 0x20
)

// String names the kind as in the text format.
func (k ExternKind) String() string {
	switch k {
	case ExternFunc, ExternFuncExact:
		return "func"
	case ExternTable:
		return "table"
	case ExternMemory:
		return "memory"
	case ExternGlobal:
		return "global"
	case ExternTag:
		return "tag"
	}
	return fmt.Sprintf("kind(0x%02x)", byte(k))
}

// ExternType is the type of a core import or export.
type ExternType struct {
	Kind   ExternKind
	Index  uint32 // type index for funcs and tags
	Table  TableType
	Memory MemoryType
	Global GlobalType
}

// ReadExternType reads a core extern type (the part of an import after its
// names).
func (r *Reader) ReadExternType() (ExternType, error) {
	start := r.Offset()
	c, err := r.Byte()
	if err != nil {
		return ExternType{}, err
	}
	t := ExternType{Kind: ExternKind(c)}
	switch t.Kind {
	case ExternFunc, ExternFuncExact:
		t.Index, err = r.U32()
	case ExternTable:
		t.Table, err = r.ReadTableType()
	case ExternMemory:
		t.Memory, err = r.ReadMemoryType()
	case ExternGlobal:
		t.Global, err = r.ReadGlobalType()
	case ExternTag:
		var attr byte
		if attr, err = r.Byte(); err == nil {
			if attr != 0 {
				return t, ErrorAt(start+1, "invalid tag attribute 0x%02x", attr)
			}
			t.Index, err = r.U32()
		}
	default:
		return t, ErrorAt(start, "invalid external kind 0x%02x", c)
	}
	return t, err
}

// AppendExternType appends the encoding of t.
func AppendExternType(b []byte, t ExternType) []byte {
	b = append(b, byte(t.Kind))
	switch t.Kind {
	case ExternFunc, ExternFuncExact:
		return AppendU32(b, t.Index)
	case ExternTable:
		return AppendTableType(b, t.Table)
	case ExternMemory:
		return AppendMemoryType(b, t.Memory)
	case ExternGlobal:
		return AppendGlobalType(b, t.Global)
	case ExternTag:
		return AppendU32(append(b, 0), t.Index)
	}
	return b
}

// Import is a core import.
type Import struct {
	Module, Name string
	Type         ExternType
}

// Export is a core export: a name and an index in the kind's index space.
type Export struct {
	Name  string
	Kind  ExternKind
	Index uint32
}

// ReadImport reads one core import.
func (r *Reader) ReadImport() (Import, error) {
	var im Import
	var err error
	if im.Module, err = r.Name(); err != nil {
		return im, err
	}
	if im.Name, err = r.Name(); err != nil {
		return im, err
	}
	im.Type, err = r.ReadExternType()
	return im, err
}

// AppendName appends a length-prefixed string.
func AppendName(b []byte, s string) []byte {
	return append(AppendU32(b, uint32(len(s))), s...)
}

// AppendImport appends the encoding of im.
func AppendImport(b []byte, im Import) []byte {
	b = AppendName(b, im.Module)
	b = AppendName(b, im.Name)
	return AppendExternType(b, im.Type)
}
