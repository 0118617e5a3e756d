package runtime

import (
	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/internal/wasm"
	"github.com/wasmcm/wasmcm/wit"
)

// adapterSpec is one general adapter as the builder plans it: the
// function's types, both sides' options and the names of what the module
// imports from the two instances.
type adapterSpec struct {
	params  []wit.Type
	results []wit.Type
	// caller is the lowering side, callee the lifting side.
	caller, callee adapterSide
	entering       []int
	// lowerCT and liftCT are the core signatures of the lowering (the
	// adapter's own) and of the lifted core function.
	lowerCT, liftCT canon.CoreFuncType
	// import names: the memories ("a", "b"), the callee ("c"), the
	// reallocs ("r" callee, "q" caller), the post-return ("p").
	callerMem, calleeMem, calleeFn, calleeRealloc, callerRealloc, post string
	hasPost                                                            bool
	// where is the plan module index the adapter will have, which its
	// traps name.
	where int32
	// task tells that the callee's instance uses context.get/set: the
	// call is a new task there, whose slots the libcall keeps.
	task bool
	// catch tells that a core module of the graph has exception tags: the
	// adapter catches what unwinds out of the callee's side.
	catch bool
}

var reallocParams = []wasm.ValType{wasm.ValI32, wasm.ValI32, wasm.ValI32, wasm.ValI32}

func coreVals(ts []canon.CoreType) []wasm.ValType {
	out := make([]wasm.ValType, len(ts))
	for i, t := range ts {
		out[i] = valOf(t)
	}
	return out
}

// buildAdapter generates the adapter module of s: it exports "a", the
// lowered function. It fails (an *adapterError) for what it does not
// handle, and the call then goes through Go.
func buildAdapter(abi *canon.ABI, s *adapterSpec) ([]byte, error) {
	b, _, err := buildAdapterFor(abi, s, -1)
	return b, err
}

// buildAdapterFor is buildAdapter with the trampoline index the handle
// libcall takes; usesRes tells that the adapter moves handles.
func buildAdapterFor(abi *canon.ABI, s *adapterSpec, tramp int32) (_ []byte, usesRes bool, _ error) {
	var m wasm.Builder
	any := wasm.ExternType{Kind: wasm.ExternMemory, Memory: wasm.MemoryType{Limits: wasm.Limits{Min: 0}}}
	one := uint64(1)
	m.AddImport("f", "m", wasm.ExternType{Kind: wasm.ExternMemory, Memory: wasm.MemoryType{Limits: wasm.Limits{Min: 1, Max: &one}}})
	nmem := uint32(1)
	if s.caller.hasMem {
		s.caller.mem = nmem
		m.AddImport("a", s.callerMem, any)
		nmem++
	}
	if s.callee.hasMem {
		s.callee.mem = nmem
		m.AddImport("b", s.calleeMem, any)
	}
	i32 := wasm.ValI32
	g := &gen{abi: abi, caller: &s.caller, callee: &s.callee, tramp: tramp, where: s.where}
	g.trap = m.AddImport("t", "trapat", wasm.ExternType{Kind: wasm.ExternFunc, Index: m.AddFuncType([]wasm.ValType{i32, i32}, nil)})
	g.resFn = m.AddImport("t", "res", wasm.ExternType{Kind: wasm.ExternFunc, Index: m.AddFuncType([]wasm.ValType{i32, i32, i32, i32}, []wasm.ValType{i32})})
	liftParams, liftResults := coreVals(s.liftCT.Params), coreVals(s.liftCT.Results)
	callee := m.AddImport("c", s.calleeFn, wasm.ExternType{Kind: wasm.ExternFunc, Index: m.AddFuncType(liftParams, liftResults)})
	reallocType := m.AddFuncType(reallocParams, []wasm.ValType{i32})
	if s.callee.hasRealloc {
		s.callee.realloc = m.AddImport("r", s.calleeRealloc, wasm.ExternType{Kind: wasm.ExternFunc, Index: reallocType})
	}
	if s.caller.hasRealloc {
		s.caller.realloc = m.AddImport("q", s.callerRealloc, wasm.ExternType{Kind: wasm.ExternFunc, Index: reallocType})
	}
	var post uint32
	if s.hasPost {
		post = m.AddImport("p", s.post, wasm.ExternType{Kind: wasm.ExternFunc, Index: m.AddFuncType(liftResults, nil)})
	}
	lowerParams, lowerResults := coreVals(s.lowerCT.Params), coreVals(s.lowerCT.Results)
	g.nparams = uint32(len(lowerParams))
	g.body(s, callee, post)
	if g.err != nil {
		return nil, false, g.err
	}
	f := m.AddFunc(wasm.Func{Type: m.AddFuncType(lowerParams, lowerResults), Locals: g.locals, Body: g.c.Bytes()})
	m.Export("a", wasm.ExternFunc, f)
	return m.Encode(), g.usesRes, nil
}

// flagAt is the byte of the flags memory holding flag which (0 may_enter,
// 1 may_leave) of component instance comp.
func flagAt(comp int32, which int) uint64 { return uint64(2*int(comp) + which) }

func (g *gen) setFlag(comp int32, which int, v int32) {
	g.c.I32Const(0).I32Const(v).Store(wasm.OpI32Store8, 0, flagAt(comp, which), memFlags)
}

// values lays out a parameter or result list: its layouts and, when
// spilled, the tuple's layout.
func (g *gen) values(ts []wit.Type) ([]*canon.Layout, *canon.Layout, int) {
	ls := make([]*canon.Layout, len(ts))
	n := 0
	for i, t := range ts {
		l, err := g.abi.Layout(t)
		if err != nil {
			g.fail("%v", err)
			return nil, nil, 0
		}
		if l.Flat == nil {
			n = 1 << 20
		} else {
			n += len(l.Flat)
		}
		ls[i] = l
	}
	tl, err := g.abi.TupleLayout(ts)
	if err != nil && len(ts) > 0 {
		g.fail("%v", err)
	}
	return ls, tl, n
}

// translateList moves a parameter or result list.
func (g *gen) translateList(ls []*canon.Layout, tl *canon.Layout, src, dst place) {
	k := 0
	for i, l := range ls {
		n := len(l.Flat)
		off := uint64(0)
		if tl != nil {
			off = tl.FieldOffsets[i]
		}
		g.value = i
		g.translate(l, sub(src, k, n).at(off), sub(dst, k, n).at(off))
		k += n
	}
}

// body emits the adapter function: the flags, the parameters from the
// caller into the callee, the call, the results back, post-return.
func (g *gen) body(s *adapterSpec, callee, post uint32) {
	c := &g.c
	caller, cs := s.caller.comp, s.callee.comp
	// The caller may not leave during its realloc or post-return, and no
	// instance of the entering set may be re-entered.
	c.I32Const(0).Load(wasm.OpI32Load8U, 0, flagAt(caller, 1), memFlags).Op(wasm.OpI32Eqz)
	g.trapIf(trapCannotLeave)
	for _, x := range s.entering {
		c.I32Const(0).Load(wasm.OpI32Load8U, 0, flagAt(int32(x), 0), memFlags).Op(wasm.OpI32Eqz)
		g.trapIf(trapCannotEnter)
	}
	for _, x := range s.entering {
		g.setFlag(int32(x), 0, 0)
	}
	if s.task {
		g.taskCall(libTaskEnter, cs)
	}

	if s.catch {
		// An exception of the callee (or of a realloc or post-return)
		// must not unwind into the caller: it ends the call as a trap.
		c.Block(wasm.BlockEmpty).Block(wasm.BlockEmpty)
		c.Raw([]byte{0x1f, 0x40, 0x01, 0x02, 0x00}) // try_table (catch_all 0)
	}
	// Parameters: the callee may not leave while its realloc runs.
	g.setFlag(cs, 1, 0)
	pls, ptl, pn := g.values(s.params)
	if g.err != nil {
		return
	}
	var src, dst place
	if pn > canon.MaxFlatParams {
		if !g.needSide(&s.caller, false) || !g.needSide(&s.callee, true) {
			return
		}
		g.checkAligned(0, ptl.Align, trapUnalignedArgs)
		src = place{side: &s.caller, mem: true, addr: 0}
		p := g.local(canon.CoreI32)
		size := g.local(canon.CoreI32)
		c.I32Const(int32(ptl.Size)).LocalSet(size)
		g.realloc(&s.callee, func() { c.I32Const(0).I32Const(0).I32Const(int32(ptl.Align)).LocalGet(size) }, p, size, ptl.Align, trapOutOfBounds)
		dst = place{side: &s.callee, mem: true, addr: p}
	} else {
		in := make([]slot, len(s.lowerCT.Params))
		for i, t := range s.lowerCT.Params {
			in[i] = slot{idx: uint32(i), t: t}
		}
		src = place{stack: in, side: &s.caller}
		dst = place{stack: g.slots(s.liftCT.Params), side: &s.callee}
	}
	g.dir = dirParams
	g.translateList(pls, ptl, src, dst)
	g.setFlag(cs, 1, 1)

	if dst.mem {
		c.LocalGet(dst.addr)
	} else {
		for _, sl := range dst.stack {
			c.LocalGet(sl.idx)
		}
	}
	c.Call(callee)
	res := g.slots(s.liftCT.Results)
	for i := len(res) - 1; i >= 0; i-- {
		c.LocalSet(res[i].idx)
	}
	if g.usesRes {
		// Borrows the callee got must be dropped by now; the caller's
		// lent handles are released.
		g.handleCall(libResEnd, 0)
		c.Drop()
	}

	// Results: the caller may not leave while its realloc runs.
	g.setFlag(caller, 1, 0)
	rls, rtl, rn := g.values(s.results)
	if g.err != nil {
		return
	}
	var out []slot
	if len(s.results) > 0 {
		if rn > canon.MaxFlatResults {
			if !g.needSide(&s.callee, false) || !g.needSide(&s.caller, false) {
				return
			}
			g.checkAligned(res[0].idx, rtl.Align, trapUnalignedResults)
			src = place{side: &s.callee, mem: true, addr: res[0].idx}
			retptr := uint32(len(s.lowerCT.Params) - 1)
			g.checkAligned(retptr, rtl.Align, trapUnalignedResults)
			dst = place{side: &s.caller, mem: true, addr: retptr}
		} else {
			src = place{stack: res, side: &s.callee}
			out = g.slots(s.lowerCT.Results)
			dst = place{stack: out, side: &s.caller}
		}
		g.dir = dirResults
		g.translateList(rls, rtl, src, dst)
	}
	g.setFlag(caller, 1, 1)

	if s.hasPost {
		g.setFlag(cs, 1, 0)
		for _, r := range res {
			c.LocalGet(r.idx)
		}
		c.Call(post)
		g.setFlag(cs, 1, 1)
	}
	if s.catch {
		c.End().Br(1).End()
		c.I32Const(trapUncaught).I32Const(g.where).Call(g.trap).Unreachable()
		c.End()
	}
	if s.task {
		g.taskCall(libTaskExit, cs)
	}
	for _, x := range s.entering {
		g.setFlag(int32(x), 0, 1)
	}
	for _, o := range out {
		c.LocalGet(o.idx)
	}
	c.End()
}

// Directions of a handle's move.
const (
	dirParams  = 0 // caller to callee
	dirResults = 1 // callee to caller
)

// handle moves an own or borrow handle (or an error context) between the
// two instances' handle tables through the handle libcall.
func (g *gen) handle(l *canon.Layout, src, dst place) {
	i32 := canon.CoreI32
	g.put(dst, i32, wasm.OpI32Store, func() {
		g.handleCall(int32(g.dir|(g.value+1)<<8), int32(l.Type))
		g.get(src, i32, wasm.OpI32Load)
		g.c.Call(g.resFn)
	})
}

// taskCall calls the handle libcall's task operation op for component
// instance comp.
func (g *gen) taskCall(op, comp int32) {
	g.c.I32Const(-1).I32Const(op).I32Const(comp).I32Const(0).Call(g.resFn).Drop()
}

// handleCall pushes the handle libcall's first three arguments: the
// trampoline holding the call's state, op and the handle's type; for
// libResEnd it also pushes the (unused) fourth and calls it.
func (g *gen) handleCall(op, typ int32) {
	g.usesRes = true
	g.c.I32Const(g.tramp).I32Const(op).I32Const(typ)
	if op == libResEnd {
		g.c.I32Const(0).Call(g.resFn)
	}
}
