package runtime

import (
	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/internal/wasm"
)

// fuseMemories tells that general adapters, which use several memories,
// can be instantiated (through internal/multimem's lowering).
const fuseMemories = true

// fuseAny plans a general adapter (adapter.go) for the lowering of lf with
// options opts into component instance caller, and returns the core
// function the lowering defines. ok is false when the call must go
// through Go: the callee is a trampoline, an option the adapters do not
// handle (64-bit memories), or a type they do not (error contexts,
// streams, futures).
func (b *builder) fuseAny(caller int, lf *liftedFunc, opts *planOpts) (coreItem, bool) {
	if !fuseMemories || lf.coreTramp >= 0 || lf.core < 0 {
		return coreItem{}, false
	}
	if opts.addr != canon.Addr32 || lf.opts.addr != canon.Addr32 {
		return coreItem{}, false
	}
	abi := b.p.abi
	sig := lf.sig
	lowerCT, err := abi.FlattenFuncType(sig.params, sig.result, canon.FuncTypeOptions{}, canon.ContextLower)
	if err != nil {
		return coreItem{}, false
	}
	callee := b.p.refs[lf.core].item
	if callee.kind != coreFromInstance || callee.ftype == nil || !callee.ftype.Equal(coreFuncType(lf.coreType)) {
		return coreItem{}, false
	}
	s := &adapterSpec{params: sig.params, results: sig.results, lowerCT: lowerCT, liftCT: lf.coreType,
		caller:   adapterSide{enc: opts.encoding, memRef: -1, comp: int32(caller)},
		callee:   adapterSide{enc: lf.opts.encoding, memRef: -1, comp: int32(lf.comp)},
		calleeFn: callee.name, task: b.p.usesContext[lf.comp], catch: b.throws()}
	var args []planArg
	args = append(args, planArg{name: "f", inst: -1, bundle: -1, special: argFlags},
		planArg{name: "t", inst: -1, bundle: -1, special: argTramps},
		planArg{name: "c", inst: callee.inst, bundle: -1})
	side := func(o *planOpts, sd *adapterSide, memName, reallocName *string, memArg, reallocArg string) bool {
		if o.memory >= 0 {
			it := b.p.refs[o.memory].item
			if it.kind != coreFromInstance {
				return false
			}
			sd.hasMem, sd.memRef, *memName = true, int32(o.memory), it.name
			args = append(args, planArg{name: memArg, inst: it.inst, bundle: -1})
		}
		if o.realloc >= 0 {
			it := b.p.refs[o.realloc].item
			if it.kind != coreFromInstance || it.ftype == nil || !it.ftype.Equal(&wasm.FuncType{Params: reallocParams, Results: []wasm.ValType{wasm.ValI32}}) {
				return false
			}
			sd.hasRealloc, *reallocName = true, it.name
			args = append(args, planArg{name: reallocArg, inst: it.inst, bundle: -1})
		}
		return true
	}
	if !side(opts, &s.caller, &s.callerMem, &s.callerRealloc, "a", "q") || !side(lf.opts, &s.callee, &s.calleeMem, &s.calleeRealloc, "b", "r") {
		return coreItem{}, false
	}
	if lf.opts.postReturn >= 0 {
		it := b.p.refs[lf.opts.postReturn].item
		if it.kind != coreFromInstance || it.ftype == nil || !it.ftype.Equal(&wasm.FuncType{Params: coreVals(lf.coreType.Results)}) {
			return coreItem{}, false
		}
		s.hasPost, s.post = true, it.name
		args = append(args, planArg{name: "p", inst: it.inst, bundle: -1})
	}
	for x := lf.comp; x >= 0; x = b.p.compParents[x] {
		if !b.selfOrAncestor(x, caller) {
			s.entering = append(s.entering, x)
		}
	}
	s.where = int32(len(b.p.modules))
	mod, usesRes, err := buildAdapterFor(abi, s, -1)
	if err == nil && usesRes {
		// Handles move through the libcall, which finds the call's state
		// (the caller's options and borrow scope, the callee) in a
		// trampoline that is planned for it but never called.
		ti := len(b.p.tramps)
		b.p.tramps = append(b.p.tramps, &planTramp{comp: caller, core: lowerCT, opts: opts, sig: sig,
			kind: trampLowerLifted, callee: lf, desc: lf.desc})
		mod, _, err = buildAdapterFor(abi, s, int32(ti))
	}
	if err != nil {
		return coreItem{}, false // an *adapterError: a type not handled
	}
	mi, ok := b.adapterMods[string(mod)]
	if !ok {
		mi = len(b.p.modules)
		b.adapterMods[string(mod)] = mi
		b.p.modules = append(b.p.modules, planModule{bytes: mod, name: "adapter of " + lf.desc})
	}
	// The adapter has several memories: multimem.go lowers it and plans
	// its accessors.
	pc := planCoreInst{module: mi, args: args}
	if _, err := b.lowerMemories(&pc); err != nil {
		return coreItem{}, false
	}
	idx := len(b.p.coreInsts)
	b.p.coreInsts = append(b.p.coreInsts, pc)
	b.p.fused++
	return coreItem{kind: coreFromInstance, ext: wasm.ExternFunc, inst: idx, name: "a", ftype: coreFuncType(lowerCT),
		typ: wasm.ExternType{Kind: wasm.ExternFunc}}, true
}
