package component

import (
	"github.com/wasmcm/wasmcm/internal/wasm"
)

// This file holds the validator's semantic types: component types resolved
// out of their index spaces into one arena, so that types from different
// scopes (outer aliases, nested components, instantiation) can be compared
// and substituted.

// tid indexes validator.types.
type tid int32

// rid identifies a resource type. Aliases of a resource (exports, eq
// imports) are distinct tids sharing one rid.
type rid int32

type vkind uint8

const (
	vDefined vkind = iota
	vFunc
	vComponent
	vInstance
	vResource
)

func (k vkind) String() string {
	return [...]string{"defined type", "func", "component", "instance", "resource"}[k]
}

// withArticle names the kind of type for a sentence ("an instance type").
func (k vkind) withArticle() string {
	return [...]string{"a defined type", "a func type", "a component type", "an instance type", "a resource type"}[k]
}

// vval is a value type: a primitive (prim != 0) or a defined type.
type vval struct {
	prim PrimValType
	t    tid
}

// vfield is a labelled value type: a record field, a function parameter,
// a variant case (t.prim is noPrim without a payload) or a tuple element (no
// name).
type vfield struct {
	name string
	t    vval
}

// noPrim is the prim of a variant case without a payload (no binary
// primitive has this code).
const noPrim PrimValType = 0xff

// opt returns a variant case's payload, or nil.
func (f *vfield) opt() *vval {
	if f.t.prim == noPrim {
		return nil
	}
	return &f.t
}

// vdef is a defined value type with its value types resolved. It is laid
// out small (defined types are the most numerous): one list for the
// fields, cases or tuple elements, whichever its kind has.
type vdef struct {
	kind   DefinedKind
	prim   PrimValType
	borrow bool // holds a borrow
	ptr    bool // lifting or lowering it touches linear memory
	hasRes bool // refers to a resource (own/borrow) somewhere
	// walk is set when a child needs a name (a record, variant, enum,
	// flags or handle) or has one that does: else namedVal need not look
	// into d (list<u8>, option<string>, ...).
	walk  bool
	align uint8
	// depth is the structural nesting depth.
	depth int32
	// esize is the effective size of a type of this body (vtype.size),
	// counted by finish along with the other facts (0: not counted, as
	// in a substituted copy, whose children may differ in size).
	esize uint32
	n     uint32 // fixed list
	res   tid    // own, borrow: the resource (an alias tid)
	size  uint64
	key   vval // map
	// fields holds the fields of a record, the cases of a variant, the
	// elements of a tuple.
	fields []vfield
	names  []string // flags, enum
	elem   *vval    // list, fixed list, option, map value, stream/future payload
	ok     *vval
	err    *vval
}

// children yields the value types d refers to directly (without making a
// slice of them: types are many).
func (d *vdef) children(yield func(vval) bool) {
	for _, f := range d.fields {
		if f.t.prim != noPrim && !yield(f.t) {
			return
		}
	}
	for _, t := range [...]*vval{d.elem, d.ok, d.err} {
		if t != nil && !yield(*t) {
			return
		}
	}
	if d.kind == KindMap {
		yield(d.key)
	}
}

// needsName reports whether a defined type of kind k must be named where
// an import or export mentions it (a handle: its resource).
func needsName(k DefinedKind) bool {
	switch k {
	case KindRecord, KindVariant, KindEnum, KindFlags, KindOwn, KindBorrow:
		return true
	}
	return false
}

// finish computes d's cached facts from its children's.
func (v *validator) finish(d *vdef) {
	switch d.kind {
	case KindOwn, KindBorrow:
		d.hasRes = true
	}
	switch d.kind {
	case KindBorrow:
		d.borrow = true
	case KindList, KindMap:
		d.ptr = true
	case KindPrimitive:
		d.ptr = d.prim == String
	}
	// A stream, future or handle does not carry its element's borrows and
	// pointers in its own representation.
	inherit := true
	switch d.kind {
	case KindStream, KindFuture, KindOwn, KindBorrow:
		inherit = false
	}
	esize := uint64(1)
	for c := range d.children {
		esize += uint64(v.valSize(c))
		if inherit && c.prim == String {
			d.ptr = true
		}
		if cd := v.def(c); cd != nil {
			d.depth = max(d.depth, cd.depth)
			d.hasRes = d.hasRes || cd.hasRes
			d.walk = d.walk || cd.walk || needsName(cd.kind)
			if inherit {
				d.borrow = d.borrow || cd.borrow
				d.ptr = d.ptr || cd.ptr
			}
		}
	}
	d.depth++
	d.esize = uint32(min(esize, maxTypeSize))
	var align uint64
	d.size, align = v.computeSizeAlign(d)
	d.align = uint8(align)
}

type vfunc struct {
	async  bool
	params []vfield
	result *vval
}

// entity is the type of a definition of some sort: what an import or
// export carries.
type entity struct {
	sort Sort
	t    tid         // func, instance, component, type: the type
	val  vval        // value
	mod  *moduleType // core module
}

type vexport struct {
	name string
	e    entity
}

// vinst is an instance type; defined lists the resources it introduces
// (exported (sub resource) types), which each import makes fresh.
type vinst struct {
	exports []vexport
	defined []rid
	// index is an open-addressing table over the exports' names (seeded
	// hashes, pos the index in exports plus one), made by the first
	// lookup of a long list: an interface has a hundred exports, each
	// aliased or checked by name.
	index []labelSlot
	scans uint8 // lookups made by scanning, before index is made
}

// lookupScanMax is the number of exports up to which lookup always scans.
const lookupScanMax = 12

// lookup finds an export of in by name. The exports of an instance type
// never change once it is made, so the index made here stays valid.
func (v *validator) lookup(in *vinst, name string) (entity, bool) {
	if in.index == nil && (len(in.exports) <= lookupScanMax || in.scans < 4) {
		// An index pays for itself from a few lookups on.
		in.scans++
		for i := range in.exports {
			if in.exports[i].name == name {
				return in.exports[i].e, true
			}
		}
		return entity{}, false
	}
	key := v.hashKey()
	if in.index == nil {
		in.index = v.slots.many(tabSize(len(in.exports)))
		mask := len(in.index) - 1
		for i := range in.exports {
			h := key.string(in.exports[i].name)
			slot := int(h) & mask
			for in.index[slot].pos != 0 {
				slot = (slot + 1) & mask
			}
			in.index[slot] = labelSlot{h: h, pos: int32(i) + 1}
		}
	}
	h := key.string(name)
	mask := len(in.index) - 1
	for slot := int(h) & mask; in.index[slot].pos != 0; slot = (slot + 1) & mask {
		if e := &in.index[slot]; e.h == h && in.exports[e.pos-1].name == name {
			return in.exports[e.pos-1].e, true
		}
	}
	return entity{}, false
}

// tabSize is the size of an open-addressing table for n keys: a power of
// two at least twice n.
func tabSize(n int) int {
	size := 16
	for size < 2*n {
		size *= 2
	}
	return size
}

// vcomp is a component type: imports (whose resources are abstract) and
// exports (whose defined resources each instantiation makes fresh).
type vcomp struct {
	imports  []vexport
	exports  []vexport
	imported []rid
	defined  []rid
}

// vtype is an entry of the type arena. It holds no pointers (the arena
// is neither scanned by the collector nor written with barriers): body
// indexes the validator's list of its kind's bodies.
type vtype struct {
	kind vkind
	// hasRes says that the type refers to a resource somewhere (or, for
	// an instance or component type, defines or imports one), so that
	// substituting resources can keep every other type as it is.
	hasRes bool
	// size is the effective size of the type (every type node counted
	// through every reference), bounded by maxTypeSize.
	size uint32
	rid  rid // resources
	body int32
}

// vview is a type with its body: what newType takes and view gives.
type vview struct {
	kind   vkind
	hasRes bool
	size   uint32
	rid    rid
	def    *vdef
	fn     *vfunc
	inst   *vinst
	comp   *vcomp
}

// view returns type t with its body.
func (v *validator) view(t tid) vview {
	ty := &v.types[t]
	w := vview{kind: ty.kind, hasRes: ty.hasRes, size: ty.size, rid: ty.rid}
	switch ty.kind {
	case vDefined:
		w.def = v.defList[ty.body]
	case vFunc:
		w.fn = v.fnList[ty.body]
	case vInstance:
		w.inst = v.instList[ty.body]
	case vComponent:
		w.comp = v.compList[ty.body]
	}
	return w
}

// tdef, tfn, tinst and tcomp return the body of type t, or nil when it is
// of another kind.
func (v *validator) tdef(t tid) *vdef {
	if ty := &v.types[t]; ty.kind == vDefined {
		return v.defList[ty.body]
	}
	return nil
}

func (v *validator) tfn(t tid) *vfunc {
	if ty := &v.types[t]; ty.kind == vFunc {
		return v.fnList[ty.body]
	}
	return nil
}

func (v *validator) tinst(t tid) *vinst {
	if ty := &v.types[t]; ty.kind == vInstance {
		return v.instList[ty.body]
	}
	return nil
}

func (v *validator) tcomp(t tid) *vcomp {
	if ty := &v.types[t]; ty.kind == vComponent {
		return v.compList[ty.body]
	}
	return nil
}

// setInst gives instance type t another body.
func (v *validator) setInst(t tid, in *vinst) {
	v.instList = append(v.instList, in)
	v.types[t].body = int32(len(v.instList) - 1)
}

// tidMap and ridMap are the dense maps of substitutions.
type (
	tidMap = denseMap[tid, tid]
	ridMap = denseMap[rid, rid]
)

// moduleType is a core module type.
type moduleType struct {
	imports []wasm.Import // with types resolved into funcs below
	itypes  []coreExtern
	exports *coreExports
}

// coreExtern is the type of a core import/export with function types
// resolved.
type coreExtern struct {
	kind   wasm.ExternKind
	fn     *wasm.FuncType // funcs and tags
	table  wasm.TableType
	memory wasm.MemoryType
	global wasm.GlobalType
}

// maxTypeSize bounds the effective size of a type, as the reference does,
// so that types built by doubling cannot make checks exponential.
const maxTypeSize = 1_000_000

func (v *validator) valSize(x vval) uint32 {
	if x.prim != 0 {
		return 1
	}
	return v.types[x.t].size
}

func (v *validator) entitySize(e entity) uint32 {
	switch e.sort {
	case SortValue:
		return v.valSize(e.val)
	case SortCoreModule:
		if e.mod == nil {
			return 1
		}
		return uint32(1 + min(len(e.mod.imports)+len(e.mod.exports.names), maxTypeSize))
	}
	return v.types[e.t].size
}

func (v *validator) valHasRes(x vval) bool {
	return x.prim == 0 && v.types[x.t].hasRes
}

func (v *validator) entityHasRes(e entity) bool {
	switch e.sort {
	case SortValue:
		return v.valHasRes(e.val)
	case SortCoreModule:
		return false
	}
	return v.types[e.t].hasRes
}

func (v *validator) newType(t vview) tid {
	size := uint64(1)
	switch t.kind {
	case vResource:
		t.hasRes = true
	case vDefined:
		switch {
		case t.def.esize != 0:
			size = uint64(t.def.esize)
		case t.def.kind != KindOwn && t.def.kind != KindBorrow:
			for c := range t.def.children {
				size += uint64(v.valSize(c))
			}
		}
		t.hasRes = t.def.hasRes
	case vFunc:
		for _, p := range t.fn.params {
			size += uint64(v.valSize(p.t))
			t.hasRes = t.hasRes || v.valHasRes(p.t)
		}
		if t.fn.result != nil {
			size += uint64(v.valSize(*t.fn.result))
			t.hasRes = t.hasRes || v.valHasRes(*t.fn.result)
		}
	case vInstance:
		for _, e := range t.inst.exports {
			size += uint64(v.entitySize(e.e))
			t.hasRes = t.hasRes || v.entityHasRes(e.e)
		}
		t.hasRes = t.hasRes || len(t.inst.defined) > 0
	case vComponent:
		for _, e := range t.comp.imports {
			size += uint64(v.entitySize(e.e))
			t.hasRes = t.hasRes || v.entityHasRes(e.e)
		}
		for _, e := range t.comp.exports {
			size += uint64(v.entitySize(e.e))
			t.hasRes = t.hasRes || v.entityHasRes(e.e)
		}
		t.hasRes = t.hasRes || len(t.comp.imported) > 0 || len(t.comp.defined) > 0
	}
	if size >= maxTypeSize {
		size = maxTypeSize
		v.tooBig = true
	}
	vt := vtype{kind: t.kind, hasRes: t.hasRes, size: uint32(size), rid: t.rid}
	switch t.kind {
	case vDefined:
		vt.body = int32(len(v.defList))
		v.defList = append(v.defList, t.def)
	case vFunc:
		vt.body = int32(len(v.fnList))
		v.fnList = append(v.fnList, t.fn)
	case vInstance:
		vt.body = int32(len(v.instList))
		v.instList = append(v.instList, t.inst)
	case vComponent:
		vt.body = int32(len(v.compList))
		v.compList = append(v.compList, t.comp)
	}
	v.types = append(v.types, vt)
	return tid(len(v.types) - 1)
}

func (v *validator) newResource() tid {
	v.nextRID++
	return v.newType(vview{kind: vResource, rid: v.nextRID})
}

// alias makes a new tid equal to t (wasm-tools' with_unique): the export of
// a type gives it a new identity for the named-type rules while keeping its
// structure and resource identity.
func (v *validator) alias(t tid) tid {
	if in := v.tinst(t); in != nil && len(in.defined) > 0 {
		// The alias shares the instance type's exports: a use that took
		// its resources as they are must not see them in the alias (it
		// gets a copy with fresh ones), and no later use may take them.
		if v.anyLent(in.defined) {
			t = v.pristine(t)
		}
		for _, r := range v.tinst(t).defined {
			v.lend(r)
		}
	}
	v.types = append(v.types, v.types[t]) // the same body
	return tid(len(v.types) - 1)
}

// lend marks resource r as taken by a use of the instance type defining
// it (freshenInstance).
func (v *validator) lend(r rid) {
	if r < 0 {
		return
	}
	for int(r) >= len(v.lent) {
		v.lent = append(v.lent, false)
	}
	v.lent[r] = true
}

func (v *validator) anyLent(rs []rid) bool {
	for _, r := range rs {
		if r >= 0 && int(r) < len(v.lent) && v.lent[r] {
			return true
		}
	}
	return false
}

// def returns the defined type t refers to, or nil.
func (v *validator) def(val vval) *vdef {
	if val.prim != 0 {
		return nil
	}
	return v.tdef(val.t)
}

// containsResource reports whether the type refers to a resource type
// anywhere (for outer aliases across components).
func (v *validator) containsResource(t tid, seen map[tid]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	ty := v.view(t)
	vv := func(x vval) bool { return x.prim == 0 && v.containsResource(x.t, seen) }
	switch ty.kind {
	case vResource:
		return true
	case vDefined:
		d := ty.def
		switch d.kind {
		case KindOwn, KindBorrow:
			return true
		}
		for c := range d.children {
			if vv(c) {
				return true
			}
		}
		return false
	case vFunc:
		for _, p := range ty.fn.params {
			if vv(p.t) {
				return true
			}
		}
		return ty.fn.result != nil && vv(*ty.fn.result)
	case vInstance:
		for _, e := range ty.inst.exports {
			if v.entityHasResource(e.e, seen) {
				return true
			}
		}
	case vComponent:
		for _, e := range ty.comp.imports {
			if v.entityHasResource(e.e, seen) {
				return true
			}
		}
		for _, e := range ty.comp.exports {
			if v.entityHasResource(e.e, seen) {
				return true
			}
		}
	}
	return false
}

func (v *validator) entityHasResource(e entity, seen map[tid]bool) bool {
	switch e.sort {
	case SortValue:
		return e.val.prim == 0 && v.containsResource(e.val.t, seen)
	case SortCoreModule:
		return false
	}
	return v.containsResource(e.t, seen)
}

// containsBorrow reports whether a value type holds a borrow anywhere.
func (v *validator) containsBorrow(x vval) bool {
	d := v.def(x)
	return d != nil && d.borrow
}

// containsPtr reports whether lifting or lowering x touches linear memory
// (strings and lists).
func (v *validator) containsPtr(x vval) bool {
	if x.prim != 0 {
		return x.prim == String
	}
	d := v.def(x)
	return d != nil && d.ptr
}

// flatTypes is a bounded list of core types for flattening (CanonicalABI.md
// "Flattening"): push fails once max is passed.
type flatTypes struct {
	t   []wasm.ValType
	max int
}

func (f *flatTypes) push(t wasm.ValType) bool {
	if len(f.t) >= f.max {
		return false
	}
	f.t = append(f.t, t)
	return true
}

func joinFlat(a, b wasm.ValType) wasm.ValType {
	switch {
	case a == b:
		return a
	case (a == wasm.ValI32 && b == wasm.ValF32) || (a == wasm.ValF32 && b == wasm.ValI32):
		return wasm.ValI32
	}
	return wasm.ValI64
}

// flatten pushes the flattened core types of x; false when they do not fit.
func (v *validator) flatten(x vval, ptr wasm.ValType, out *flatTypes) bool {
	if x.prim != 0 {
		return flattenPrim(x.prim, ptr, out)
	}
	d := v.def(x)
	switch d.kind {
	case KindPrimitive:
		return flattenPrim(d.prim, ptr, out)
	case KindRecord, KindTuple:
		for _, f := range d.fields {
			if !v.flatten(f.t, ptr, out) {
				return false
			}
		}
		return true
	case KindList, KindMap:
		return out.push(ptr) && out.push(ptr)
	case KindFixedList:
		for i := uint32(0); i < d.n; i++ {
			if !v.flatten(*d.elem, ptr, out) {
				return false
			}
		}
		return true
	case KindFlags:
		for i := 0; i < (len(d.names)+31)/32; i++ {
			if !out.push(wasm.ValI32) {
				return false
			}
		}
		return true
	case KindEnum, KindOwn, KindBorrow, KindStream, KindFuture:
		return out.push(wasm.ValI32)
	case KindOption, KindResult, KindVariant:
		return v.flattenVariant(d, ptr, out)
	}
	return false
}

// cases yields the payloads of the cases of an option, result or
// variant (nil for a case without one).
func (d *vdef) cases(yield func(*vval) bool) {
	switch d.kind {
	case KindOption:
		if yield(nil) {
			yield(d.elem)
		}
	case KindResult:
		if yield(d.ok) {
			yield(d.err)
		}
	case KindVariant:
		for i := range d.fields {
			if !yield(d.fields[i].opt()) {
				return
			}
		}
	}
}

func (d *vdef) caseCount() int {
	if d.kind == KindVariant {
		return len(d.fields)
	}
	return 2
}

func (v *validator) flattenVariant(d *vdef, ptr wasm.ValType, out *flatTypes) bool {
	if !out.push(wasm.ValI32) {
		return false
	}
	start := len(out.t)
	for c := range d.cases {
		if c == nil {
			continue
		}
		// The case is flattened on its own (bounded by max by itself)
		// past the end of out, then joined into the cases' common tail
		// and cut off: no list of its own to allocate.
		end, lim := len(out.t), out.max
		out.max = end + lim
		ok := v.flatten(*c, ptr, out)
		out.max = lim
		if !ok {
			out.t = out.t[:end]
			return false
		}
		n := len(out.t) - end
		if start+n > lim {
			out.t = out.t[:end]
			return false
		}
		for i := range n {
			t := out.t[end+i]
			if start+i < end {
				out.t[start+i] = joinFlat(out.t[start+i], t)
			} else {
				out.t[start+i] = t // start+i <= end+i: copies toward the front
			}
		}
		out.t = out.t[:max(end, start+n)]
	}
	return true
}

func flattenPrim(p PrimValType, ptr wasm.ValType, out *flatTypes) bool {
	switch p {
	case S64, U64:
		return out.push(wasm.ValI64)
	case F32:
		return out.push(wasm.ValF32)
	case F64:
		return out.push(wasm.ValF64)
	case String:
		return out.push(ptr) && out.push(ptr)
	}
	return out.push(wasm.ValI32)
}

// maxValueSize bounds elem_size of every defined value type (Binary.md).
const maxValueSize = 1 << 28

// sizeAlign returns the canonical ABI size and alignment of x with 64-bit
// pointers, saturating at a value above maxValueSize.
func (v *validator) sizeAlign(x vval) (uint64, uint64) {
	if x.prim != 0 {
		return primSizeAlign(x.prim)
	}
	d := v.def(x)
	if d == nil {
		return 4, 4
	}
	return d.size, uint64(d.align)
}

func (v *validator) computeSizeAlign(d *vdef) (uint64, uint64) {
	const sat = 1 << 40
	align := func(n, a uint64) uint64 { return (n + a - 1) / a * a }
	switch d.kind {
	case KindPrimitive:
		return primSizeAlign(d.prim)
	case KindRecord, KindTuple:
		var s, a uint64 = 0, 1
		for _, f := range d.fields {
			es, ea := v.sizeAlign(f.t)
			s = align(s, ea) + es
			a = max(a, ea)
			if s > sat {
				s = sat
			}
		}
		return align(s, a), a
	case KindList, KindMap:
		return 16, 8
	case KindFixedList:
		es, ea := v.sizeAlign(*d.elem)
		if es != 0 && uint64(d.n) > sat/es {
			return sat, ea
		}
		return es * uint64(d.n), ea
	case KindFlags:
		switch n := len(d.names); {
		case n <= 8:
			return 1, 1
		case n <= 16:
			return 2, 2
		}
		return 4 * uint64((len(d.names)+31)/32), 4
	case KindEnum:
		return discSize(len(d.names)), discSize(len(d.names))
	case KindOwn, KindBorrow, KindStream, KindFuture:
		return 4, 4
	case KindOption, KindResult, KindVariant:
		ds := discSize(d.caseCount())
		var maxS, maxA uint64 = 0, 1
		for c := range d.cases {
			if c != nil {
				cs, ca := v.sizeAlign(*c)
				maxS, maxA = max(maxS, cs), max(maxA, ca)
			}
		}
		a := max(ds, maxA)
		s := align(ds, maxA) + maxS
		return align(s, a), a
	}
	return 4, 4
}

func discSize(n int) uint64 {
	switch {
	case n <= 1<<8:
		return 1
	case n <= 1<<16:
		return 2
	}
	return 4
}

func primSizeAlign(p PrimValType) (uint64, uint64) {
	switch p {
	case Bool, S8, U8:
		return 1, 1
	case S16, U16:
		return 2, 2
	case S64, U64, F64:
		return 8, 8
	case String:
		return 16, 8
	}
	return 4, 4
}

// typeDepth returns the structural nesting depth of a value type.
func (v *validator) typeDepth(x vval) int {
	if d := v.def(x); d != nil {
		return int(d.depth)
	}
	return 0
}
