package runtime

import (
	"context"

	"github.com/tetratelabs/wazero/api"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/internal/wasm"
	"github.com/wasmcm/wasmcm/wit"
)

// This file fuses component-to-component calls whose values are all
// scalars: the lowered import becomes an export of a small generated core
// module (the adapter) that does what the canonical ABI requires between
// the two sides — the caller's may_leave, the callee's may_enter, each
// value's lift checks and conversions, post-return — in wasm, and calls
// the callee's core function directly. Such calls never go through Go.
//
// The may_enter and may_leave flags of every component instance live in a
// one-page core memory (the flags memory) that the adapters import and the
// Go side reads and writes through a view of it: two bytes per component
// instance, may_enter at 2i and may_leave at 2i+1.

// adapterTrap codes: the argument of the "trap" host function adapters
// call before trapping, which gives the trap its message.
const (
	trapCannotLeave int32 = iota
	trapCannotEnter
	trapBadChar
	trapBadEnum
	trapReallocAlign
	trapListAlign
	trapListOOB
	trapStringOOB
	trapStringAlign
	trapUnalignedArgs
	trapUnalignedResults
	trapOutOfBounds
	trapUncaught
	trapBadUTF8
	trapIncompleteUTF8
	trapBadUTF16
)

var adapterTrapMessages = [...]string{
	trapCannotLeave: "cannot leave component instance",
	trapCannotEnter: "cannot enter component instance",
	trapBadChar:     "invalid `char` bit pattern",
	trapBadEnum:     "invalid variant discriminant", // the reference's words: an enum is a variant
	// The general adapters' traps (adapter.go), in the reference's words.
	trapReallocAlign:     "unaligned pointer: realloc return: result not aligned",
	trapListAlign:        "unaligned pointer: list pointer not aligned",
	trapListOOB:          "list content out-of-bounds",
	trapStringOOB:        "string content out-of-bounds",
	trapStringAlign:      "unaligned pointer: string pointer not aligned to 2",
	trapUnalignedArgs:    "unaligned pointer: spilled parameters not aligned",
	trapUnalignedResults: "unaligned pointer: return area not aligned",
	trapOutOfBounds:      "out of bounds memory access",
	trapUncaught:         "uncaught exception propagated out of component",
	trapBadUTF8:          "invalid utf-8 string",
	trapIncompleteUTF8:   "incomplete utf-8 byte sequence",
	trapBadUTF16:         "invalid utf-16 string",
}

// adapterTrap is the host function adapters call to trap with a message.
func adapterTrap(ctx context.Context, mod api.Module, stack []uint64) {
	code := int32(stack[0])
	msg := "adapter trap"
	if code >= 0 && int(code) < len(adapterTrapMessages) {
		msg = adapterTrapMessages[code]
	}
	panic(&guestError{err: &Trap{Reason: msg}})
}

// convKind is what an adapter does to one flat value on its way across.
type convKind uint8

const (
	convNone  convKind = iota // passed unchanged
	convBool                  // any non-zero i32 becomes 1
	convU8                    // the low 8 bits
	convS8                    // the low 8 bits, sign-extended
	convU16                   // the low 16 bits
	convS16                   // the low 16 bits, sign-extended
	convChar                  // trap unless a Unicode scalar value
	convEnum                  // trap unless below n
	convFlags                 // the low n bits
)

type conv struct {
	kind convKind
	n    uint32
	typ  wasm.ValType
}

// scalarConvs returns the conversions of the flat values of ts, or false
// when a type needs memory, a handle table or a variant's joined flat
// types, which adapters do not handle.
func scalarConvs(r *wit.Resolve, ts []wit.Type, out []conv) ([]conv, bool) {
	for _, t := range ts {
		var ok bool
		if out, ok = scalarConv(r, t, out, 0); !ok {
			return nil, false
		}
	}
	return out, true
}

func scalarConv(r *wit.Resolve, t wit.Type, out []conv, depth int) ([]conv, bool) {
	if depth > 32 {
		return nil, false
	}
	t = r.Dealias(t)
	i32, i64 := wasm.ValI32, wasm.ValI64
	switch t {
	case wit.Bool:
		return append(out, conv{kind: convBool, typ: i32}), true
	case wit.U8:
		return append(out, conv{kind: convU8, typ: i32}), true
	case wit.S8:
		return append(out, conv{kind: convS8, typ: i32}), true
	case wit.U16:
		return append(out, conv{kind: convU16, typ: i32}), true
	case wit.S16:
		return append(out, conv{kind: convS16, typ: i32}), true
	case wit.U32, wit.S32:
		return append(out, conv{typ: i32}), true
	case wit.U64, wit.S64:
		return append(out, conv{typ: i64}), true
	case wit.F32:
		return append(out, conv{typ: wasm.ValF32}), true
	case wit.F64:
		return append(out, conv{typ: wasm.ValF64}), true
	case wit.Char:
		return append(out, conv{kind: convChar, typ: i32}), true
	}
	td := r.TypeDef(t)
	if td == nil {
		return nil, false
	}
	switch td.Kind {
	case wit.KindEnum:
		if len(td.Enum) == 0 || len(td.Enum) > 1<<16 {
			return nil, false
		}
		return append(out, conv{kind: convEnum, n: uint32(len(td.Enum)), typ: i32}), true
	case wit.KindFlags:
		if len(td.Flags) == 0 || len(td.Flags) > 32 {
			return nil, false
		}
		return append(out, conv{kind: convFlags, n: uint32(len(td.Flags)), typ: i32}), true
	case wit.KindRecord:
		for _, f := range td.Fields {
			var ok bool
			if out, ok = scalarConv(r, f.Type, out, depth+1); !ok {
				return nil, false
			}
		}
		return out, true
	case wit.KindTuple:
		for _, e := range td.Tuple {
			var ok bool
			if out, ok = scalarConv(r, e, out, depth+1); !ok {
				return nil, false
			}
		}
		return out, true
	}
	return nil, false
}

// fuse plans an adapter for the lowering of lf into component instance
// caller, when its values are all scalars, and returns the core function
// the lowering defines. ok is false when the call must go through Go.
func (b *builder) fuse(caller int, lf *liftedFunc) (coreItem, bool) {
	if lf.coreTramp >= 0 || lf.core < 0 || b.p.usesContext[lf.comp] || b.throws() {
		return coreItem{}, false
	}
	r := b.p.resolve
	params, ok := scalarConvs(r, lf.sig.params, nil)
	if !ok || len(params) > canon.MaxFlatParams {
		return coreItem{}, false
	}
	results, ok := scalarConvs(r, lf.sig.results, nil)
	if !ok || len(results) > canon.MaxFlatResults {
		return coreItem{}, false
	}
	callee := b.p.refs[lf.core].item
	if callee.kind != coreFromInstance || callee.ftype == nil || !sameTypes(callee.ftype.Params, params) || !sameTypes(callee.ftype.Results, results) {
		return coreItem{}, false
	}
	var post *coreItem
	if lf.opts.postReturn >= 0 {
		it := b.p.refs[lf.opts.postReturn].item
		if it.kind != coreFromInstance || it.ftype == nil || !sameTypes(it.ftype.Params, results) || len(it.ftype.Results) != 0 {
			return coreItem{}, false
		}
		post = &it
	}
	// The entering set: the callee's instance and its ancestors that are
	// not the caller's (see compState.enterFrom).
	var entering []int
	for x := lf.comp; x >= 0; x = b.p.compParents[x] {
		if !b.selfOrAncestor(x, caller) {
			entering = append(entering, x)
		}
	}
	mod := adapterModule(params, results, caller, lf.comp, entering, callee, post)
	mi, ok := b.adapterMods[string(mod)]
	if !ok {
		mi = len(b.p.modules)
		b.adapterMods[string(mod)] = mi
		b.p.modules = append(b.p.modules, planModule{bytes: mod, name: "adapter of " + lf.desc})
	}
	pc := planCoreInst{module: mi, args: []planArg{
		{name: "f", inst: -1, bundle: -1, special: argFlags},
		{name: "t", inst: -1, bundle: -1, special: argTramps},
		{name: "c", inst: callee.inst, bundle: -1},
	}}
	if post != nil {
		pc.args = append(pc.args, planArg{name: "p", inst: post.inst, bundle: -1})
	}
	idx := len(b.p.coreInsts)
	b.p.coreInsts = append(b.p.coreInsts, pc)
	b.p.fused++
	ft := &wasm.FuncType{Params: valTypes(params), Results: valTypes(results)}
	return coreItem{kind: coreFromInstance, ext: wasm.ExternFunc, inst: idx, name: "a", ftype: ft,
		typ: wasm.ExternType{Kind: wasm.ExternFunc}}, true
}

// throws reports whether a core module planned so far has or imports an
// exception tag. An exception must not unwind from one component instance
// into another (it becomes a trap at the boundary), and an adapter's plain
// call would let it through, so such calls go through Go, where the
// callee's exception ends its call as a trap. Modules planned later cannot
// be the callee's or be imported by it.
func (b *builder) throws() bool {
	for _, m := range b.p.modules {
		if m.info != nil && len(m.info.Tags) > 0 {
			return true
		}
	}
	return false
}

func (b *builder) selfOrAncestor(c, d int) bool {
	for ; d >= 0; d = b.p.compParents[d] {
		if d == c {
			return true
		}
	}
	return false
}

func valTypes(cs []conv) []wasm.ValType {
	out := make([]wasm.ValType, len(cs))
	for i, c := range cs {
		out[i] = c.typ
	}
	return out
}

func sameTypes(ts []wasm.ValType, cs []conv) bool {
	if len(ts) != len(cs) {
		return false
	}
	for i, t := range ts {
		if t.Code != cs[i].typ.Code {
			return false
		}
	}
	return true
}

// adapterModule generates the adapter: it imports the flags memory
// ("f" "m"), the trap function ("t" "trap"), the callee ("c" name) and its
// post-return ("p" name), and exports the adapted function "a".
func adapterModule(params, results []conv, caller, callee int, entering []int, fn coreItem, post *coreItem) []byte {
	var m wasm.Builder
	one := uint64(1)
	m.AddImport("f", "m", wasm.ExternType{Kind: wasm.ExternMemory, Memory: wasm.MemoryType{Limits: wasm.Limits{Min: 1, Max: &one}}})
	trap := m.AddImport("t", "trap", wasm.ExternType{Kind: wasm.ExternFunc, Index: m.AddFuncType([]wasm.ValType{wasm.ValI32}, nil)})
	pt, rt := valTypes(params), valTypes(results)
	target := m.AddImport("c", fn.name, wasm.ExternType{Kind: wasm.ExternFunc, Index: m.AddFuncType(pt, rt)})
	var postFn uint32
	if post != nil {
		postFn = m.AddImport("p", post.name, wasm.ExternType{Kind: wasm.ExternFunc, Index: m.AddFuncType(rt, nil)})
	}
	var c wasm.Code
	trapIf := func(code int32) {
		c.If(wasm.BlockEmpty).I32Const(code).Call(trap).Unreachable().End()
	}
	flag := func(comp, which int) uint64 { return uint64(2*comp + which) }
	// The caller may not leave during its realloc or post-return, and no
	// instance of the entering set may be re-entered.
	c.I32Const(0).Load(wasm.OpI32Load8U, 0, flag(caller, 1), 0).Op(wasm.OpI32Eqz)
	trapIf(trapCannotLeave)
	for _, x := range entering {
		c.I32Const(0).Load(wasm.OpI32Load8U, 0, flag(x, 0), 0).Op(wasm.OpI32Eqz)
		trapIf(trapCannotEnter)
	}
	// Lift checks of the arguments come before entering the callee.
	for i, p := range params {
		checkValue(&c, p, uint32(i), trapIf)
	}
	setFlags := func(v int32) {
		for _, x := range entering {
			c.I32Const(0).I32Const(v).Store(wasm.OpI32Store8, 0, flag(x, 0), 0)
		}
	}
	setFlags(0)
	for i, p := range params {
		c.LocalGet(uint32(i))
		convertValue(&c, p)
	}
	c.Call(target)
	var locals []wasm.ValType
	res := uint32(len(params))
	if len(results) == 1 {
		locals = append(locals, rt[0])
		c.LocalSet(res)
		checkValue(&c, results[0], res, trapIf)
	}
	if post != nil {
		c.I32Const(0).I32Const(0).Store(wasm.OpI32Store8, 0, flag(callee, 1), 0)
		if len(results) == 1 {
			c.LocalGet(res)
		}
		c.Call(postFn)
		c.I32Const(0).I32Const(1).Store(wasm.OpI32Store8, 0, flag(callee, 1), 0)
	}
	setFlags(1)
	if len(results) == 1 {
		c.LocalGet(res)
		convertValue(&c, results[0])
	}
	c.End()
	f := m.AddFunc(wasm.Func{Type: m.AddFuncType(pt, rt), Locals: locals, Body: c.Bytes()})
	m.Export("a", wasm.ExternFunc, f)
	return m.Encode()
}

// checkValue emits the trapping checks of a flat value in local i.
func checkValue(c *wasm.Code, v conv, i uint32, trapIf func(int32)) {
	switch v.kind {
	case convChar:
		// A Unicode scalar value: below 0x110000 and not a surrogate.
		c.LocalGet(i).I32Const(0x110000).Op(wasm.OpI32GeU)
		c.LocalGet(i).I32Const(0xD800).Op(wasm.OpI32Sub).I32Const(0x800).Op(wasm.OpI32LtU)
		c.Op(wasm.OpI32Or)
		trapIf(trapBadChar)
	case convEnum:
		c.LocalGet(i).I32Const(int32(v.n)).Op(wasm.OpI32GeU)
		trapIf(trapBadEnum)
	}
}

// convertValue converts the flat value on the stack as lifting and
// lowering it would.
func convertValue(c *wasm.Code, v conv) {
	switch v.kind {
	case convBool:
		c.I32Const(0).Op(wasm.OpI32Ne)
	case convU8:
		c.I32Const(0xff).Op(wasm.OpI32And)
	case convS8:
		c.Op(0xc0) // i32.extend8_s
	case convU16:
		c.I32Const(0xffff).Op(wasm.OpI32And)
	case convS16:
		c.Op(0xc1) // i32.extend16_s
	case convFlags:
		if v.n < 32 {
			c.I32Const(int32(uint32(1)<<v.n - 1)).Op(wasm.OpI32And)
		}
	}
}

// flagsModule is the module of the flags memory: one page, not growable.
func flagsModule() []byte {
	var m wasm.Builder
	one := uint64(1)
	m.AddMemory(wasm.MemoryType{Limits: wasm.Limits{Min: 1, Max: &one}})
	m.Export("m", wasm.ExternMemory, 0)
	return m.Encode()
}

// Flags of a component instance, in its two bytes.

func (c *compState) canEnter() bool  { return c.flags[0] != 0 }
func (c *compState) canLeave() bool  { return c.flags[1] != 0 }
func (c *compState) setEnter(v bool) { c.flags[0] = boolByte(v) }
func (c *compState) setLeave(v bool) { c.flags[1] = boolByte(v) }
func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}
