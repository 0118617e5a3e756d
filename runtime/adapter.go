package runtime

import (
	"fmt"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/internal/wasm"
)

// This file generates fused adapters for component-to-component calls of
// any synchronous signature, the way the reference runtime's FACT does: a
// core module that imports the caller's memory, the callee's memory, the
// callee's core function, its realloc and post-return, and translates each
// value from one side's canonical ABI form to the other's (lift from the
// caller's memory or flat values, lower into the callee's) in wasm. The
// module uses several memories; on wazero it runs through the multi-memory
// lowering of internal/multimem.
//
// Strings are checked, reallocated (the worst case first), transcoded
// and moved in wasm too (adapter_string.go). Only handles, which live in
// the instances' handle tables in Go, move through libcalls (host
// functions), as the reference's adapters do for resources.

// memFlags is the flags memory's index in a general adapter module (it
// stays the native memory when multimem lowers the module); the caller's
// and the callee's memories follow, when the sides have them.
const memFlags = 0

// maxStringBytes is the spec's MAX_STRING_BYTE_LENGTH.
const maxStringBytes = 1<<31 - 1

// utf16Tag marks a latin1+utf16 string's length as UTF-16.
const utf16Tag = 1 << 31

// adapterSide is the canonical options of one side of an adapter, as the
// generated module sees them.
type adapterSide struct {
	enc canon.StringEncoding
	// mem is the module's index of the side's memory; hasMem is false when
	// the side has none (no value needs it).
	mem    uint32
	hasMem bool
	// realloc is the function index of the side's realloc.
	realloc    uint32
	hasRealloc bool
	// memRef is the plan.refs index of the memory.
	memRef int32
	// comp is the component instance of the side.
	comp int32
}

// slot is one flat value held in a local of the adapter function.
type slot struct {
	idx uint32
	t   canon.CoreType
}

// place is where a value is: in locals (stack) or in a side's memory at
// the address in local addr plus off.
type place struct {
	stack []slot
	side  *adapterSide
	mem   bool
	addr  uint32
	off   uint64
}

func (p place) at(off uint64) place { p.off += off; return p }

// adapterError is a signature the generator does not handle; the call
// then goes through Go.
type adapterError struct{ why string }

func (e *adapterError) Error() string { return "adapter: " + e.why }

// gen generates the body of one adapter function.
type gen struct {
	abi     *canon.ABI
	c       wasm.Code
	nparams uint32
	locals  []wasm.ValType
	// imported functions
	trap, resFn uint32
	usesRes     bool
	// where is the plan module index of the adapter, which its traps
	// name.
	where int32
	// tramp is the plan trampoline whose state (the caller's options and
	// borrow scope, the callee) the handle libcall uses.
	tramp          int32
	caller, callee *adapterSide
	depth          int
	// dir is the direction handles move in (dirParams, dirResults).
	dir int
	// value is the index of the parameter or result being moved, which
	// the handle libcall's traps name as the Go path does.
	value int
	err   error
}

func valOf(t canon.CoreType) wasm.ValType {
	switch t {
	case canon.CoreI64:
		return wasm.ValI64
	case canon.CoreF32:
		return wasm.ValF32
	case canon.CoreF64:
		return wasm.ValF64
	}
	return wasm.ValI32
}

func (g *gen) fail(format string, args ...any) {
	if g.err == nil {
		g.err = &adapterError{why: fmt.Sprintf(format, args...)}
	}
}

// local adds a local of type t.
func (g *gen) local(t canon.CoreType) uint32 {
	g.locals = append(g.locals, valOf(t))
	return g.nparams + uint32(len(g.locals)) - 1
}

// slots allocates a local for each flat type.
func (g *gen) slots(ts []canon.CoreType) []slot {
	out := make([]slot, len(ts))
	for i, t := range ts {
		out[i] = slot{idx: g.local(t), t: t}
	}
	return out
}

// trapIf traps with code when the i32 on the stack is non-zero.
func (g *gen) trapIf(code int32) {
	g.c.If(wasm.BlockEmpty).I32Const(code).I32Const(g.where).Call(g.trap).Unreachable().End()
}

// fromSlot converts a flat value of slot type have (on the stack) to want,
// undoing the spec's variant joining.
func (g *gen) fromSlot(have, want canon.CoreType) {
	if have == want {
		return
	}
	c := &g.c
	switch {
	case have == canon.CoreI64 && want == canon.CoreI32:
		c.Op(0xa7) // i32.wrap_i64
	case have == canon.CoreI32 && want == canon.CoreF32:
		c.Op(0xbe) // f32.reinterpret_i32
	case have == canon.CoreI64 && want == canon.CoreF32:
		c.Op(0xa7).Op(0xbe)
	case have == canon.CoreI64 && want == canon.CoreF64:
		c.Op(0xbf) // f64.reinterpret_i64
	default:
		g.fail("flat %s cannot hold a %s", have, want)
	}
}

// toSlot converts a flat value of type have to the slot type want, as
// the spec joins variant payloads.
func (g *gen) toSlot(have, want canon.CoreType) {
	if have == want {
		return
	}
	c := &g.c
	switch {
	case have == canon.CoreI32 && want == canon.CoreI64:
		c.Op(0xad) // i64.extend_i32_u
	case have == canon.CoreF32 && want == canon.CoreI32:
		c.Op(0xbc) // i32.reinterpret_f32
	case have == canon.CoreF32 && want == canon.CoreI64:
		c.Op(0xbc).Op(0xad)
	case have == canon.CoreF64 && want == canon.CoreI64:
		c.Op(0xbd) // i64.reinterpret_f64
	default:
		g.fail("flat %s cannot go in a %s", have, want)
	}
}

// get pushes the value of core type t at p: a slot, or a load with op.
func (g *gen) get(p place, t canon.CoreType, load byte) {
	if p.mem {
		g.c.LocalGet(p.addr).Load(load, 0, p.off, p.side.mem)
		return
	}
	if len(p.stack) == 0 {
		g.fail("no flat value left")
		return
	}
	g.c.LocalGet(p.stack[0].idx)
	g.fromSlot(p.stack[0].t, t)
}

// put stores the value of core type t that value pushes at p.
func (g *gen) put(p place, t canon.CoreType, store byte, value func()) {
	if p.mem {
		g.c.LocalGet(p.addr)
		value()
		g.c.Store(store, 0, p.off, p.side.mem)
		return
	}
	if len(p.stack) == 0 {
		g.fail("no flat value left")
		return
	}
	value()
	g.toSlot(t, p.stack[0].t)
	g.c.LocalSet(p.stack[0].idx)
}

// sub is the part of p holding a value of n flat values starting at slot
// i (a memory place is the same place; offsets are added with at).
func sub(p place, i, n int) place {
	if p.mem {
		return p
	}
	if i+n > len(p.stack) {
		return place{stack: nil}
	}
	p.stack = p.stack[i : i+n]
	return p
}

// translate moves one value of layout l from src (the caller's side for
// parameters, the callee's for results) to dst.
func (g *gen) translate(l *canon.Layout, src, dst place) {
	if g.err != nil {
		return
	}
	g.depth++
	defer func() { g.depth-- }()
	if g.depth > 64 {
		g.fail("type nests too deeply")
		return
	}
	i32, i64 := canon.CoreI32, canon.CoreI64
	c := &g.c
	scalar := func(t canon.CoreType, load, store byte, conv func()) {
		g.put(dst, t, store, func() {
			g.get(src, t, load)
			if conv != nil {
				conv()
			}
		})
	}
	switch l.Kind {
	case canon.KindBool:
		scalar(i32, wasm.OpI32Load8U, wasm.OpI32Store8, func() { c.I32Const(0).Op(wasm.OpI32Ne) })
	case canon.KindU8:
		scalar(i32, wasm.OpI32Load8U, wasm.OpI32Store8, func() {
			if !src.mem {
				c.I32Const(0xff).Op(wasm.OpI32And)
			}
		})
	case canon.KindS8:
		scalar(i32, wasm.OpI32Load8S, wasm.OpI32Store8, func() {
			if !src.mem {
				c.Op(0xc0) // i32.extend8_s
			}
		})
	case canon.KindU16:
		scalar(i32, wasm.OpI32Load16U, wasm.OpI32Store16, func() {
			if !src.mem {
				c.I32Const(0xffff).Op(wasm.OpI32And)
			}
		})
	case canon.KindS16:
		scalar(i32, wasm.OpI32Load16S, wasm.OpI32Store16, func() {
			if !src.mem {
				c.Op(0xc1) // i32.extend16_s
			}
		})
	case canon.KindU32, canon.KindS32:
		scalar(i32, wasm.OpI32Load, wasm.OpI32Store, nil)
	case canon.KindU64, canon.KindS64:
		scalar(i64, wasm.OpI64Load, wasm.OpI64Store, nil)
	case canon.KindF32:
		scalar(canon.CoreF32, wasm.OpF32Load, wasm.OpF32Store, nil)
	case canon.KindF64:
		scalar(canon.CoreF64, wasm.OpF64Load, wasm.OpF64Store, nil)
	case canon.KindChar:
		v := g.local(i32)
		g.get(src, i32, wasm.OpI32Load)
		c.LocalSet(v)
		// A Unicode scalar value: below 0x110000 and not a surrogate.
		c.LocalGet(v).I32Const(0x110000).Op(wasm.OpI32GeU)
		c.LocalGet(v).I32Const(0xD800).Op(wasm.OpI32Sub).I32Const(0x800).Op(wasm.OpI32LtU)
		c.Op(wasm.OpI32Or)
		g.trapIf(trapBadChar)
		g.put(dst, i32, wasm.OpI32Store, func() { c.LocalGet(v) })
	case canon.KindFlags:
		load, store := sizedOps(l.Size)
		n := l.Len()
		scalar(i32, load, store, func() {
			if n < 32 {
				c.I32Const(int32(uint32(1)<<n - 1)).Op(wasm.OpI32And)
			}
		})
	case canon.KindRecord, canon.KindTuple:
		k := 0
		for i, f := range l.Fields() {
			n := len(f.Flat)
			g.translate(f, sub(src, k, n).at(l.FieldOffsets[i]), sub(dst, k, n).at(l.FieldOffsets[i]))
			k += n
		}
	case canon.KindVariant, canon.KindEnum, canon.KindOption, canon.KindResult:
		g.variant(l, src, dst)
	case canon.KindFixedList:
		e := l.Elem()
		if src.mem && dst.mem && l.Len() > 8 {
			g.fixedLoop(l, src, dst)
			return
		}
		n := len(e.Flat)
		for i := uint64(0); i < l.Len(); i++ {
			g.translate(e, sub(src, int(i)*n, n).at(i*e.Size), sub(dst, int(i)*n, n).at(i*e.Size))
		}
	case canon.KindString:
		g.str(src, dst)
	case canon.KindOwn, canon.KindBorrow:
		g.handle(l, src, dst)
	case canon.KindList, canon.KindMap:
		g.list(l, src, dst)
	default:
		g.fail("%s values are not adapted in wasm", l.Kind)
	}
}

// fixedLoop translates a long fixed-length list from memory to memory:
// one memory.copy when its elements are plain numbers, else a loop.
func (g *gen) fixedLoop(l *canon.Layout, src, dst place) {
	c := &g.c
	i32 := canon.CoreI32
	e := l.Elem()
	cur, out, left := g.local(i32), g.local(i32), g.local(i32)
	c.LocalGet(src.addr).I32Const(int32(src.off)).Op(wasm.OpI32Add).LocalSet(cur)
	c.LocalGet(dst.addr).I32Const(int32(dst.off)).Op(wasm.OpI32Add).LocalSet(out)
	if sameBytes(e) {
		c.LocalGet(out).LocalGet(cur).I32Const(int32(l.Size)).MemoryCopy(dst.side.mem, src.side.mem)
		return
	}
	c.I32Const(int32(l.Len())).LocalSet(left)
	c.Loop(wasm.BlockEmpty)
	g.translate(e, place{side: src.side, mem: true, addr: cur}, place{side: dst.side, mem: true, addr: out})
	c.LocalGet(cur).I32Const(int32(e.Size)).Op(wasm.OpI32Add).LocalSet(cur)
	c.LocalGet(out).I32Const(int32(e.Size)).Op(wasm.OpI32Add).LocalSet(out)
	c.LocalGet(left).I32Const(1).Op(wasm.OpI32Sub).LocalTee(left).BrIf(0)
	c.End()
}

// sizedOps are the load and store of an unsigned integer of size bytes.
func sizedOps(size uint64) (load, store byte) {
	switch size {
	case 1:
		return wasm.OpI32Load8U, wasm.OpI32Store8
	case 2:
		return wasm.OpI32Load16U, wasm.OpI32Store16
	}
	return wasm.OpI32Load, wasm.OpI32Store
}

// variant translates a variant, enum, option or result: the
// discriminant, checked against the number of cases, then the case's
// payload, taken from and put into the joined flat slots.
func (g *gen) variant(l *canon.Layout, src, dst place) {
	c := &g.c
	i32 := canon.CoreI32
	load, store := sizedOps(uint64(l.DiscriminantSize))
	d := g.local(i32)
	g.get(sub(src, 0, 1), i32, load)
	c.LocalTee(d).I32Const(int32(l.Len())).Op(wasm.OpI32GeU)
	g.trapIf(trapBadEnum)
	g.put(sub(dst, 0, 1), i32, store, func() { c.LocalGet(d) })
	cases := l.Cases()
	for i, cl := range cases {
		if cl == nil {
			continue
		}
		c.LocalGet(d).I32Const(int32(i)).Op(wasm.OpI32Eq).If(wasm.BlockEmpty)
		n := len(cl.Flat)
		g.translate(cl, sub(src, 1, n).at(l.PayloadOffset), sub(dst, 1, n).at(l.PayloadOffset))
		c.End()
	}
}

// needSide fails unless s has a memory (and a realloc when alloc).
func (g *gen) needSide(s *adapterSide, alloc bool) bool {
	if !s.hasMem {
		g.fail("a string or list needs a memory on both sides")
		return false
	}
	if alloc && !s.hasRealloc {
		g.fail("a string or list needs the receiving side's realloc")
		return false
	}
	return true
}

// pointerPair loads the (pointer, length) of a string or list at p into
// two new locals.
func (g *gen) pointerPair(p place) (ptr, n uint32) {
	i32 := canon.CoreI32
	ptr, n = g.local(i32), g.local(i32)
	g.get(sub(p, 0, 1), i32, wasm.OpI32Load)
	g.c.LocalSet(ptr)
	g.get(sub(p, 1, 1).at(4), i32, wasm.OpI32Load)
	g.c.LocalSet(n)
	return ptr, n
}

// putPair stores the (pointer, length) in locals ptr and n at p.
func (g *gen) putPair(p place, ptr, n uint32) {
	i32 := canon.CoreI32
	g.put(sub(p, 0, 1), i32, wasm.OpI32Store, func() { g.c.LocalGet(ptr) })
	g.put(sub(p, 1, 1).at(4), i32, wasm.OpI32Store, func() { g.c.LocalGet(n) })
}

// checkAligned traps unless the pointer in local ptr is aligned to align.
func (g *gen) checkAligned(ptr uint32, align uint32, code int32) {
	if align <= 1 {
		return
	}
	g.c.LocalGet(ptr).I32Const(int32(align - 1)).Op(wasm.OpI32And)
	g.trapIf(code)
}

// checkBounds traps with code unless ptr+bytes (locals, i32) lies within
// the memory of s; the sum is taken in 64 bits.
func (g *gen) checkBounds(s *adapterSide, ptr, bytes uint32, code int32) {
	c := &g.c
	c.LocalGet(ptr).Op(0xad).LocalGet(bytes).Op(0xad).Op(0x7c) // i64 add
	c.MemorySize(s.mem).Op(0xad).I64Const(16).Op(0x86)         // i64.shl
	c.Op(0x56)                                                 // i64.gt_u
	g.trapIf(code)
}

// realloc calls side s's realloc(oldPtr, oldSize, align, newSize) with the
// arguments that push pushes and sets local ptr to its result, checked
// for alignment and bounds (newSize in local size).
func (g *gen) realloc(s *adapterSide, push func(), ptr, size uint32, align uint32, what int32) {
	push()
	g.c.Call(s.realloc).LocalSet(ptr)
	g.checkAligned(ptr, align, trapReallocAlign)
	g.checkBounds(s, ptr, size, what)
}

// list translates a list: the source's bounds and alignment checked, a
// block from the destination's realloc, then one memory.copy when the
// element's memory form is the same on both sides (numbers and records
// of them), else a loop over the elements.
func (g *gen) list(l *canon.Layout, src, dst place) {
	if !g.needSide(src.side, false) || !g.needSide(dst.side, true) {
		return
	}
	c := &g.c
	i32, i64 := canon.CoreI32, canon.CoreI64
	e := l.Elem()
	sp, n := g.pointerPair(src)
	g.checkAligned(sp, e.Align, trapListAlign)
	// The byte length, in 64 bits: n * size must fit in 32.
	bytes := g.local(i32)
	b64 := g.local(i64)
	c.LocalGet(n).Op(0xad).I64Const(int64(e.Size)).Op(0x7e).LocalTee(b64) // i64.mul
	c.I64Const(0xffffffff).Op(0x56)
	g.trapIf(trapListOOB)
	c.LocalGet(b64).Op(0xa7).LocalSet(bytes)
	g.checkBounds(src.side, sp, bytes, trapListOOB)
	dp := g.local(i32)
	g.realloc(dst.side, func() { c.I32Const(0).I32Const(0).I32Const(int32(e.Align)).LocalGet(bytes) }, dp, bytes, e.Align, trapListOOB)
	if sameBytes(e) {
		c.LocalGet(dp).LocalGet(sp).LocalGet(bytes).MemoryCopy(dst.side.mem, src.side.mem)
	} else if e.Size > 0 {
		cur, out, left := g.local(i32), g.local(i32), g.local(i32)
		c.LocalGet(sp).LocalSet(cur).LocalGet(dp).LocalSet(out).LocalGet(n).LocalSet(left)
		c.Block(wasm.BlockEmpty).LocalGet(left).Op(wasm.OpI32Eqz).BrIf(0)
		c.Loop(wasm.BlockEmpty)
		g.translate(e, place{side: src.side, mem: true, addr: cur}, place{side: dst.side, mem: true, addr: out})
		c.LocalGet(cur).I32Const(int32(e.Size)).Op(wasm.OpI32Add).LocalSet(cur)
		c.LocalGet(out).I32Const(int32(e.Size)).Op(wasm.OpI32Add).LocalSet(out)
		c.LocalGet(left).I32Const(1).Op(wasm.OpI32Sub).LocalTee(left).BrIf(0)
		c.End().End()
	}
	g.putPair(dst, dp, n)
}

// sameBytes reports whether values of l have one memory form that needs
// no check or conversion, so a list of them copies as bytes.
func sameBytes(l *canon.Layout) bool {
	switch l.Kind {
	case canon.KindU8, canon.KindS8, canon.KindU16, canon.KindS16, canon.KindU32, canon.KindS32,
		canon.KindU64, canon.KindS64, canon.KindF32, canon.KindF64:
		return true
	case canon.KindRecord, canon.KindTuple:
		for _, f := range l.Fields() {
			if !sameBytes(f) {
				return false
			}
		}
		return true
	case canon.KindFixedList:
		return sameBytes(l.Elem())
	}
	return false
}
