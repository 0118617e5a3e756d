package canon

import (
	"fmt"
	"math/bits"
	"sync"
	"sync/atomic"

	"github.com/wasmcm/wasmcm/wit"
)

// AddrType is the index type of the memory the canonical options name:
// i32 for ordinary memories, i64 for memory64. It decides the size of
// pointers and lengths in memory and in flat values.
type AddrType uint8

// The two address types.
const (
	Addr32 AddrType = iota
	Addr64
)

// PtrSize is the byte size of a pointer or length: 4 or 8.
func (a AddrType) PtrSize() uint32 {
	if a == Addr64 {
		return 8
	}
	return 4
}

// CoreType is the core wasm type of pointers and lengths.
func (a AddrType) CoreType() CoreType {
	if a == Addr64 {
		return CoreI64
	}
	return CoreI32
}

// String returns "i32" or "i64".
func (a AddrType) String() string { return a.CoreType().String() }

// CoreType is a core wasm value type as flattening produces it.
type CoreType uint8

// The core value types.
const (
	CoreI32 CoreType = iota + 1
	CoreI64
	CoreF32
	CoreF64
)

// String returns the core wasm spelling.
func (c CoreType) String() string {
	switch c {
	case CoreI32:
		return "i32"
	case CoreI64:
		return "i64"
	case CoreF32:
		return "f32"
	case CoreF64:
		return "f64"
	}
	return "?"
}

// Limits of the spec.
const (
	// MaxFlatParams is how many flat parameters a function may have before
	// they are spilled to memory.
	MaxFlatParams = 16
	// MaxFlatAsyncParams is the same limit for async lowered calls.
	MaxFlatAsyncParams = 4
	// MaxFlatResults is how many flat results a function may have before
	// they are returned through memory.
	MaxFlatResults = 1
	// MaxStringByteLength and MaxListByteLength bound what a lift accepts.
	MaxStringByteLength = 1<<28 - 1
	MaxListByteLength   = 1<<28 - 1
	// maxFlatMaterialized bounds the flat types a Layout spells out. A type
	// wider than this (a big fixed-length list) is only ever passed in
	// memory, so its flat list is never needed.
	maxFlatMaterialized = 4096
	// maxTypeDepth guards the recursion over a (possibly corrupt, cyclic)
	// Resolve.
	maxTypeDepth = 200
)

// Layout is everything the canonical ABI knows about one type: its size and
// alignment in memory, its flat core types, and where the parts of a
// record or variant sit. Layouts are computed once per type by an ABI and
// must not be modified.
type Layout struct {
	Kind  Kind
	Type  wit.Type // with aliases followed; NoneType for a synthesized tuple
	Size  uint64
	Align uint32
	// Flat is the flattening of the type; nil when it has more than a few
	// thousand core values (FlatCount says how many).
	Flat      []CoreType
	FlatCount uint64
	// FieldOffsets are the byte offsets of the fields of a record or tuple.
	FieldOffsets []uint64
	// DiscriminantSize and PayloadOffset describe variants, enums, options
	// and results: the discriminant's byte size (1, 2 or 4) and where the
	// payload starts.
	DiscriminantSize uint32
	PayloadOffset    uint64

	def      *wit.TypeDef // nil for primitives and synthesized tuples
	elem     *Layout      // list, fixed list, map (the key-value tuple)
	fields   []*Layout    // record and tuple
	cases    []*Layout    // variant family; nil entries have no payload
	length   uint64       // fixed list length, number of flags or of cases
	resource wit.TypeID   // own and borrow, after aliases
	err      error        // the type has no layout (empty record, 33 flags...)
	noValues error        // the layout exists but values are rejected
}

// Err reports why the type has no valid layout, or nil.
func (l *Layout) Err() error { return l.err }

// Def returns the TypeDef of the layout, or nil for primitives.
func (l *Layout) Def() *wit.TypeDef { return l.def }

// Elem returns the element layout of a list, fixed-length list or map
// (for a map: the tuple of key and value).
func (l *Layout) Elem() *Layout { return l.elem }

// Fields returns the field layouts of a record or tuple.
func (l *Layout) Fields() []*Layout { return l.fields }

// Cases returns the payload layouts of a variant, option or result (nil
// for a case without payload) or nil entries for an enum.
func (l *Layout) Cases() []*Layout { return l.cases }

// Len is the length of a fixed-length list, the number of flags, or the
// number of cases of a variant, enum, option or result.
func (l *Layout) Len() uint64 { return l.length }

// ABI computes and caches layouts for the types of one Resolve and one
// address type. It is safe for concurrent use. Types added to the Resolve
// after first use are picked up; types changed in place are not.
type ABI struct {
	resolve *wit.Resolve
	addr    AddrType

	prims [wit.ErrorContext + 1]*Layout
	defs  atomic.Pointer[[]*Layout]
	mu    sync.Mutex // serialises computing new layouts
}

// New returns the ABI of r for memories of the given address type.
func New(r *wit.Resolve, addr AddrType) *ABI {
	a := &ABI{resolve: r, addr: addr}
	for t := wit.Bool; t <= wit.ErrorContext; t++ {
		a.prims[t] = a.primLayout(t)
	}
	return a
}

// Resolve returns the Resolve the ABI reads types from.
func (a *ABI) Resolve() *wit.Resolve { return a.resolve }

// AddrType returns the address type of the ABI.
func (a *ABI) AddrType() AddrType { return a.addr }

// Layout returns the layout of t, or an error naming why t cannot be laid
// out (an empty record, more than 32 flags, a resource used as a value, an
// unknown type).
func (a *ABI) Layout(t wit.Type) (*Layout, error) {
	l := a.layout(t)
	if l.err != nil {
		return l, l.err
	}
	return l, nil
}

var (
	noneLayout = &Layout{err: fmt.Errorf("canon: no type")}
)

// layout never returns nil; check l.err.
func (a *ABI) layout(t wit.Type) *Layout {
	if t.IsPrimitive() {
		if int(t) < len(a.prims) {
			return a.prims[t]
		}
		return &Layout{Type: t, err: fmt.Errorf("canon: unknown primitive type %d", t)}
	}
	id, ok := t.ID()
	if !ok {
		return noneLayout
	}
	if p := a.defs.Load(); p != nil && int(id) < len(*p) {
		return (*p)[id]
	}
	return a.grow(id)
}

// grow lays out every type of the Resolve not yet known, then answers id.
func (a *ABI) grow(id wit.TypeID) *Layout {
	a.mu.Lock()
	defer a.mu.Unlock()
	var old []*Layout
	if p := a.defs.Load(); p != nil {
		old = *p
	}
	n := len(a.resolve.Types)
	if int(id) >= n || id < 0 {
		return &Layout{Type: wit.TypeOf(id), err: fmt.Errorf("canon: type id %d is not in the Resolve (%d types)", id, n)}
	}
	b := &builder{a: a, out: make([]*Layout, n), busy: make([]bool, n)}
	copy(b.out, old)
	for i := len(old); i < n; i++ {
		b.def(wit.TypeID(i), 0)
	}
	a.defs.Store(&b.out)
	return b.out[id]
}

func (a *ABI) primLayout(t wit.Type) *Layout {
	l := &Layout{Type: t, FlatCount: 1}
	switch t {
	case wit.Bool:
		l.Kind, l.Size, l.Flat = KindBool, 1, []CoreType{CoreI32}
	case wit.S8:
		l.Kind, l.Size, l.Flat = KindS8, 1, []CoreType{CoreI32}
	case wit.U8:
		l.Kind, l.Size, l.Flat = KindU8, 1, []CoreType{CoreI32}
	case wit.S16:
		l.Kind, l.Size, l.Flat = KindS16, 2, []CoreType{CoreI32}
	case wit.U16:
		l.Kind, l.Size, l.Flat = KindU16, 2, []CoreType{CoreI32}
	case wit.S32:
		l.Kind, l.Size, l.Flat = KindS32, 4, []CoreType{CoreI32}
	case wit.U32:
		l.Kind, l.Size, l.Flat = KindU32, 4, []CoreType{CoreI32}
	case wit.S64:
		l.Kind, l.Size, l.Flat = KindS64, 8, []CoreType{CoreI64}
	case wit.U64:
		l.Kind, l.Size, l.Flat = KindU64, 8, []CoreType{CoreI64}
	case wit.F32:
		l.Kind, l.Size, l.Flat = KindF32, 4, []CoreType{CoreF32}
	case wit.F64:
		l.Kind, l.Size, l.Flat = KindF64, 8, []CoreType{CoreF64}
	case wit.Char:
		l.Kind, l.Size, l.Flat = KindChar, 4, []CoreType{CoreI32}
	case wit.ErrorContext:
		l.Kind, l.Size, l.Flat = KindErrorContext, 4, []CoreType{CoreI32}
	case wit.String:
		p := a.addr.CoreType()
		l.Kind, l.Size, l.Flat, l.FlatCount = KindString, 2*uint64(a.addr.PtrSize()), []CoreType{p, p}, 2
		l.Align = a.addr.PtrSize()
		return l
	default:
		l.err = fmt.Errorf("canon: unknown primitive type %d", t)
		return l
	}
	l.Align = uint32(l.Size)
	return l
}

// builder lays out the TypeDefs of a Resolve, detecting cycles.
type builder struct {
	a    *ABI
	out  []*Layout
	busy []bool
}

func (b *builder) typ(t wit.Type, depth int) *Layout {
	if t.IsPrimitive() {
		return b.a.layout(t)
	}
	id, ok := t.ID()
	if !ok {
		return noneLayout
	}
	if int(id) >= len(b.out) || id < 0 {
		return &Layout{Type: t, err: fmt.Errorf("canon: type id %d is not in the Resolve", id)}
	}
	return b.def(id, depth)
}

func (b *builder) def(id wit.TypeID, depth int) *Layout {
	if l := b.out[id]; l != nil {
		return l
	}
	if b.busy[id] || depth > maxTypeDepth {
		// Not stored: the outer call stores the failed layout.
		return &Layout{Type: wit.TypeOf(id), err: fmt.Errorf("canon: type %d refers to itself or nests deeper than %d", id, maxTypeDepth)}
	}
	b.busy[id] = true
	l := b.compute(id, depth+1)
	b.busy[id] = false
	b.out[id] = l
	return l
}

func (b *builder) compute(id wit.TypeID, depth int) *Layout {
	td := b.a.resolve.Types[id]
	t := wit.TypeOf(id)
	if td == nil {
		return &Layout{Type: t, err: fmt.Errorf("canon: type %d is nil", id)}
	}
	name := td.Name
	if name == "" {
		name = "anonymous " + td.Kind.String()
	}
	fail := func(format string, args ...any) *Layout {
		return &Layout{Type: t, def: td, err: fmt.Errorf("canon: type %q: %s", name, fmt.Sprintf(format, args...))}
	}
	sub := func(u wit.Type, what string) (*Layout, *Layout) {
		l := b.typ(u, depth)
		if l.err != nil {
			return nil, fail("%s: %v", what, l.err)
		}
		return l, nil
	}
	ptr := b.a.addr.CoreType()
	switch td.Kind {
	case wit.KindType:
		l := b.typ(td.Elem, depth)
		return l
	case wit.KindRecord, wit.KindTuple:
		kind := KindRecord
		n := len(td.Fields)
		if td.Kind == wit.KindTuple {
			kind, n = KindTuple, len(td.Tuple)
		}
		if n == 0 {
			return fail("a %s must have at least one field", kind)
		}
		fields := make([]*Layout, n)
		for i := range fields {
			var ft wit.Type
			var what string
			if kind == KindRecord {
				ft, what = td.Fields[i].Type, "field "+td.Fields[i].Name
			} else {
				ft, what = td.Tuple[i], fmt.Sprintf("element %d", i)
			}
			l, bad := sub(ft, what)
			if bad != nil {
				return bad
			}
			fields[i] = l
		}
		l, err := recordLayout(fields)
		if err != nil {
			return fail("%v", err)
		}
		l.Kind, l.Type, l.def = kind, t, td
		return l
	case wit.KindFlags:
		n := len(td.Flags)
		if n == 0 || n > 32 {
			return fail("flags must have 1 to 32 labels, not %d", n)
		}
		l := &Layout{Kind: KindFlags, Type: t, def: td, length: uint64(n), Flat: []CoreType{CoreI32}, FlatCount: 1}
		switch {
		case n <= 8:
			l.Size = 1
		case n <= 16:
			l.Size = 2
		default:
			l.Size = 4
		}
		l.Align = uint32(l.Size)
		return l
	case wit.KindVariant, wit.KindEnum, wit.KindOption, wit.KindResult:
		var cases []*Layout
		kind := KindVariant
		switch td.Kind {
		case wit.KindVariant:
			if len(td.Cases) == 0 {
				return fail("a variant must have at least one case")
			}
			cases = make([]*Layout, len(td.Cases))
			for i, c := range td.Cases {
				if c.Type == wit.NoneType {
					continue
				}
				l, bad := sub(c.Type, "case "+c.Name)
				if bad != nil {
					return bad
				}
				cases[i] = l
			}
		case wit.KindEnum:
			kind = KindEnum
			if len(td.Enum) == 0 {
				return fail("an enum must have at least one case")
			}
			cases = make([]*Layout, len(td.Enum))
		case wit.KindOption:
			kind = KindOption
			l, bad := sub(td.Elem, "option payload")
			if bad != nil {
				return bad
			}
			cases = []*Layout{nil, l}
		case wit.KindResult:
			kind = KindResult
			cases = make([]*Layout, 2)
			if td.Ok != wit.NoneType {
				l, bad := sub(td.Ok, "ok payload")
				if bad != nil {
					return bad
				}
				cases[0] = l
			}
			if td.Err != wit.NoneType {
				l, bad := sub(td.Err, "error payload")
				if bad != nil {
					return bad
				}
				cases[1] = l
			}
		}
		l, err := variantLayout(cases, ptr)
		if err != nil {
			return fail("%v", err)
		}
		l.Kind, l.Type, l.def = kind, t, td
		return l
	case wit.KindList, wit.KindMap:
		var elem *Layout
		kind := KindList
		if td.Kind == wit.KindList {
			l, bad := sub(td.Elem, "list element")
			if bad != nil {
				return bad
			}
			elem = l
		} else {
			kind = KindMap
			k, bad := sub(td.Key, "map key")
			if bad != nil {
				return bad
			}
			v, bad := sub(td.Elem, "map value")
			if bad != nil {
				return bad
			}
			el, err := recordLayout([]*Layout{k, v})
			if err != nil {
				return fail("%v", err)
			}
			el.Kind = KindTuple
			elem = el
		}
		ps := b.a.addr.PtrSize()
		return &Layout{Kind: kind, Type: t, def: td, elem: elem, Size: 2 * uint64(ps), Align: ps,
			Flat: []CoreType{ptr, ptr}, FlatCount: 2, noValues: elem.noValues}
	case wit.KindFixedLengthList:
		elem, bad := sub(td.Elem, "list element")
		if bad != nil {
			return bad
		}
		n := uint64(td.Len)
		hi, size := bits.Mul64(elem.Size, n)
		if hi != 0 {
			return fail("size overflows")
		}
		l := &Layout{Kind: KindFixedList, Type: t, def: td, elem: elem, length: n, Size: size, Align: elem.Align, noValues: elem.noValues}
		hi, l.FlatCount = bits.Mul64(elem.FlatCount, n)
		if hi != 0 {
			l.FlatCount = ^uint64(0)
		}
		if elem.Flat != nil && l.FlatCount <= maxFlatMaterialized {
			l.Flat = make([]CoreType, 0, l.FlatCount)
			for i := uint64(0); i < n; i++ {
				l.Flat = append(l.Flat, elem.Flat...)
			}
		}
		if n == 0 {
			// The reference lays it out (size 0) but validation rejects
			// the type; refusing its values keeps a zero-size element from
			// turning an untrusted length into a huge allocation.
			l.noValues = fail("a fixed-length list must have at least one element").err
		}
		return l
	case wit.KindOwn, wit.KindBorrow:
		kind := KindOwn
		if td.Kind == wit.KindBorrow {
			kind = KindBorrow
		}
		res := b.a.resolve.DealiasID(td.Resource)
		if int(res) < 0 || int(res) >= len(b.a.resolve.Types) || b.a.resolve.Types[res] == nil || b.a.resolve.Types[res].Kind != wit.KindResource {
			return fail("%s does not name a resource", kind)
		}
		return &Layout{Kind: kind, Type: t, def: td, resource: res, Size: 4, Align: 4, Flat: []CoreType{CoreI32}, FlatCount: 1}
	case wit.KindFuture, wit.KindStream:
		kind := KindFuture
		if td.Kind == wit.KindStream {
			kind = KindStream
		}
		l := &Layout{Kind: kind, Type: t, def: td, Size: 4, Align: 4, Flat: []CoreType{CoreI32}, FlatCount: 1}
		if td.Elem != wit.NoneType {
			e, bad := sub(td.Elem, string(kind.String())+" payload")
			if bad != nil {
				return bad
			}
			l.elem = e
		}
		return l
	case wit.KindResource:
		return fail("a resource is not a value type; use own<%s> or borrow<%s>", td.Name, td.Name)
	}
	return fail("unsupported kind %s", td.Kind)
}

func alignUp(x uint64, a uint32) uint64 {
	m := uint64(a) - 1
	return (x + m) &^ m
}

// recordLayout lays fields out in order, each at its alignment.
func recordLayout(fields []*Layout) (*Layout, error) {
	l := &Layout{Kind: KindTuple, fields: fields, FieldOffsets: make([]uint64, len(fields)), Align: 1}
	var s uint64
	for i, f := range fields {
		s = alignUp(s, f.Align)
		l.FieldOffsets[i] = s
		if s+f.Size < s {
			return nil, fmt.Errorf("size overflows")
		}
		s += f.Size
		if f.Align > l.Align {
			l.Align = f.Align
		}
		if l.FlatCount+f.FlatCount < l.FlatCount {
			l.FlatCount = ^uint64(0)
		} else {
			l.FlatCount += f.FlatCount
		}
		if f.noValues != nil && l.noValues == nil {
			l.noValues = f.noValues
		}
	}
	if alignUp(s, l.Align) < s {
		return nil, fmt.Errorf("size overflows")
	}
	l.Size = alignUp(s, l.Align)
	if l.FlatCount <= maxFlatMaterialized {
		l.Flat = make([]CoreType, 0, l.FlatCount)
		for _, f := range fields {
			l.Flat = append(l.Flat, f.Flat...)
		}
	}
	return l, nil
}

// discriminantSize is the byte size of the discriminant of n cases.
func discriminantSize(n int) uint32 {
	switch {
	case n <= 1<<8:
		return 1
	case n <= 1<<16:
		return 2
	}
	return 4
}

// join is the spec's join of two flat types sharing a variant slot.
func join(a, b CoreType) CoreType {
	if a == b {
		return a
	}
	if (a == CoreI32 && b == CoreF32) || (a == CoreF32 && b == CoreI32) {
		return CoreI32
	}
	return CoreI64
}

func variantLayout(cases []*Layout, ptr CoreType) (*Layout, error) {
	ds := discriminantSize(len(cases))
	l := &Layout{cases: cases, length: uint64(len(cases)), DiscriminantSize: ds}
	var maxAlign uint32 = 1
	var maxSize, maxFlat uint64
	tooWide := false
	for _, c := range cases {
		if c == nil {
			continue
		}
		maxAlign = max(maxAlign, c.Align)
		maxSize = max(maxSize, c.Size)
		maxFlat = max(maxFlat, c.FlatCount)
		if c.Flat == nil {
			tooWide = true
		}
		if c.noValues != nil && l.noValues == nil {
			l.noValues = c.noValues
		}
	}
	l.Align = max(ds, maxAlign)
	l.PayloadOffset = alignUp(uint64(ds), maxAlign)
	end := l.PayloadOffset + maxSize
	if end < maxSize || alignUp(end, l.Align) < end {
		return nil, fmt.Errorf("size overflows")
	}
	l.Size = alignUp(end, l.Align)
	l.FlatCount = 1 + maxFlat
	if maxFlat == ^uint64(0) {
		l.FlatCount = maxFlat
	}
	if !tooWide && l.FlatCount <= maxFlatMaterialized {
		flat := make([]CoreType, 1, l.FlatCount)
		flat[0] = CoreI32
		for _, c := range cases {
			if c == nil {
				continue
			}
			for i, ft := range c.Flat {
				if 1+i < len(flat) {
					flat[1+i] = join(flat[1+i], ft)
				} else {
					flat = append(flat, ft)
				}
			}
		}
		l.Flat = flat
	}
	return l, nil
}

// TupleLayout lays out a tuple of the given types without a TypeDef: the
// memory form of a spilled parameter or result list.
func (a *ABI) TupleLayout(ts []wit.Type) (*Layout, error) {
	fields := make([]*Layout, len(ts))
	for i, t := range ts {
		l := a.layout(t)
		if l.err != nil {
			return nil, fmt.Errorf("element %d: %w", i, l.err)
		}
		fields[i] = l
	}
	l, err := recordLayout(fields)
	if err != nil {
		return nil, fmt.Errorf("canon: tuple: %w", err)
	}
	if len(ts) == 0 {
		l.Size, l.Align = 0, 1
	}
	return l, nil
}
