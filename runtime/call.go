package runtime

import (
	"context"
	"fmt"
	"strings"

	"github.com/tetratelabs/wazero/api"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/wit"
)

// Func is an exported component function of an instance, resolved once so
// that calls do no lookup.
type Func struct {
	inst *Instance
	name string
	f    *cfunc
	rt   *rtLifted
	// host is set when the export re-exports a host import.
	host *hostFunc
	// flatOK tells that every parameter and result is a number, so that
	// CallFlat can pass core values straight through.
	flatOK bool
}

// Func returns the exported function name: a root export ("run") or a
// function of an exported instance ("wasi:cli/run@0.2.0#run"; nested
// instances are separated by '#' as well).
func (inst *Instance) Func(name string) (*Func, error) {
	t := inst.c.p.exports
	path := strings.Split(name, "#")
	for _, seg := range path[:len(path)-1] {
		sub, ok := t.instances[seg]
		if !ok {
			return nil, fmt.Errorf("runtime: no exported instance %q (in %q)", seg, name)
		}
		t = sub
	}
	ef, ok := t.funcs[path[len(path)-1]]
	if !ok {
		return nil, fmt.Errorf("runtime: no exported function %q", name)
	}
	return inst.funcOf(name, ef.f)
}

func (inst *Instance) funcOf(name string, f *cfunc) (*Func, error) {
	fn := &Func{inst: inst, name: name, f: f}
	if f.lifted != nil {
		fn.rt = inst.liftedState(f.lifted)
		fn.flatOK = !f.lifted.opts.async && !f.sig.async && f.lifted.opts.memory < 0 && allNumbers(f.sig.params) && allNumbers(f.sig.results)
	} else {
		return nil, fmt.Errorf("runtime: export %q re-exports %s, which Go can call directly", name, importDesc(f.hostIface, f.hostName))
	}
	return fn, nil
}

func allNumbers(ts []wit.Type) bool {
	for _, t := range ts {
		switch t {
		case wit.U8, wit.U16, wit.U32, wit.U64, wit.S8, wit.S16, wit.S32, wit.S64, wit.F32, wit.F64:
		default:
			return false
		}
	}
	return true
}

// linkedFunc resolves the function name of the exported instance export
// ("" for the root) for a Linker entry.
func (inst *Instance) linkedFunc(export, name string) (*Func, error) {
	full := name
	if export != "" {
		full = export + "#" + name
	}
	return inst.Func(full)
}

// linkedResource returns the resource type name exported by the exported
// instance export ("" for the root) for a Linker entry, or nil.
func (inst *Instance) linkedResource(export, name string) *canon.ResourceType {
	t := inst.c.p.exports
	if export != "" {
		for _, seg := range strings.Split(export, "#") {
			if t = t.instances[seg]; t == nil {
				return nil
			}
		}
	}
	if i, ok := t.resources[name]; ok && i < len(inst.res) {
		return inst.res[i]
	}
	return nil
}

// liftedState returns the run-time state of a lifted function.
func (inst *Instance) liftedState(lf *liftedFunc) *rtLifted {
	if inst.lifted == nil {
		inst.lifted = make([]*rtLifted, inst.c.p.nlifted)
	}
	if rt := inst.lifted[lf.id]; rt != nil {
		return rt
	}
	rt := &rtLifted{p: lf, comp: &inst.comps[lf.comp], viaTramp: lf.coreTramp}
	inst.initContext(&rt.cx, lf.opts, lf.comp)
	rt.cx.Borrows = &rt.scope
	n := max(len(lf.coreType.Params), len(lf.coreType.Results), 1)
	rt.stack = make([]uint64, n)
	rt.nres = len(lf.coreType.Results)
	if n, err := inst.c.p.abi.FlatCount(lf.sig.results); err == nil && n > canon.MaxFlatResults {
		rt.spilled = true
	}
	if n, err := inst.c.p.abi.FlatCount(lf.sig.params); err != nil || n > canon.MaxFlatParams {
		rt.argsSpilled = true
	}
	inst.lifted[lf.id] = rt
	return rt
}

// GoCalls returns how many calls between the component instances inside
// inst went through Go instead of a fused adapter (core wasm): a
// diagnostic for tests and tuning; a composition whose calls are all
// fused reports 0.
func (inst *Instance) GoCalls() int { return inst.goLowered }

// Name returns the name the function was looked up by.
func (f *Func) Name() string { return f.name }

// Params returns the parameter types; they refer to Resolve.
func (f *Func) Params() []wit.Type { return f.f.sig.params }

// ParamNames returns the parameter names.
func (f *Func) ParamNames() []string { return f.f.sig.names }

// Result returns the result type (wit.NoneType for none).
func (f *Func) Result() wit.Type { return f.f.sig.result }

// Resolve returns the types the function's parameters and result refer
// to, for building and printing values.
func (f *Func) Resolve() *wit.Resolve { return f.inst.c.p.resolve }

// Call calls the function with one value per parameter and returns its
// result (none or one value).
func (inst *Instance) Call(ctx context.Context, name string, args ...canon.Value) ([]canon.Value, error) {
	f, err := inst.Func(name)
	if err != nil {
		return nil, err
	}
	return f.Call(ctx, args...)
}

// Call calls the function with one value per parameter and returns its
// result (none or one value).
func (f *Func) Call(ctx context.Context, args ...canon.Value) ([]canon.Value, error) {
	inst := f.inst
	if len(args) != len(f.f.sig.params) {
		return nil, fmt.Errorf("runtime: %s takes %d arguments, %d given", f.name, len(f.f.sig.params), len(args))
	}
	gctx := inst.enter(ctx)
	defer inst.exit(ctx, gctx)
	res, err := inst.callLifted(gctx, f.rt, args, nil)
	if inst.async != nil {
		// No stackful task outlives the call that ran it (async.go).
		inst.abortParked()
	}
	if err != nil {
		return nil, &CallError{Component: f.rt.comp.name, Func: fmt.Sprintf("export %q", f.name), Err: err}
	}
	return res, nil
}

// CallFlat calls a function whose parameters and results are all numbers
// with their flat core values: stack holds the parameters on entry and the
// result on return (it must be long enough for both), as in wazero's
// CallWithStack. It allocates nothing.
func (f *Func) CallFlat(ctx context.Context, stack []uint64) error {
	if !f.flatOK {
		return fmt.Errorf("runtime: %s has non-numeric parameters or results; use Call", f.name)
	}
	rt := f.rt
	cs := rt.comp
	if !cs.mayEnterFrom(nil) {
		return &CallError{Component: cs.name, Func: f.name, Err: trapf("cannot enter component instance")}
	}
	inst := f.inst
	gctx := inst.enter(ctx)
	cs.enterFrom(nil)
	err := rt.callCore(gctx, inst, stack)
	if err == nil && rt.p.opts.postReturn >= 0 {
		err = rt.postReturn(gctx, inst, stack[:rt.nres])
	}
	if inst.async != nil {
		inst.abortParked()
	}
	inst.exit(ctx, gctx)
	if err != nil {
		return &CallError{Component: cs.name, Func: f.name, Err: err}
	}
	cs.leaveTo(nil)
	return nil
}

// callCore calls the lifted core function with stack.
func (rt *rtLifted) callCore(ctx context.Context, inst *Instance, stack []uint64) error {
	if rt.viaTramp >= 0 {
		return inst.tramp(ctx, rt.viaTramp, nil, stack)
	}
	if rt.fn == nil {
		rt.fn = inst.fn(rt.p.core)
		if rt.fn == nil {
			return trapf("%s is called before its core instance exists", rt.p.desc)
		}
	}
	if err := rt.fn.CallWithStack(ctx, stack); err != nil {
		return cleanError(err)
	}
	return nil
}

func (rt *rtLifted) postReturn(ctx context.Context, inst *Instance, results []uint64) error {
	if rt.post == nil {
		rt.post = inst.fn(rt.p.opts.postReturn)
		if rt.post == nil {
			return trapf("post-return of %s is not instantiated", rt.p.desc)
		}
		rt.post1 = make([]uint64, max(len(rt.p.coreType.Results), 1))
	}
	n := copy(rt.post1, results)
	prev := rt.comp.canLeave()
	rt.comp.setLeave(false)
	err := rt.post.CallWithStack(ctx, rt.post1[:max(n, 1)])
	rt.comp.setLeave(prev)
	if err != nil {
		return cleanError(err)
	}
	return nil
}

// callLifted runs a lifted function with host values: lower the arguments
// into the callee, call, lift the results, check borrows, post-return.
func (inst *Instance) callLifted(ctx context.Context, rt *rtLifted, args []canon.Value, caller *compState) ([]canon.Value, error) {
	if rt.p.opts.async {
		return inst.callAsync(ctx, rt, args, caller)
	}
	if rt.p.sig.async {
		return inst.callSyncTask(ctx, rt, args, caller)
	}
	return inst.callLiftedSync(ctx, rt, args, caller)
}

// callLiftedSync is callLifted of a function lifted without the async
// option.
func (inst *Instance) callLiftedSync(ctx context.Context, rt *rtLifted, args []canon.Value, caller *compState) ([]canon.Value, error) {
	cs := rt.comp
	if !cs.mayEnterFrom(caller) {
		return nil, trapf("cannot enter component instance")
	}
	cs.enterFrom(caller)
	sig := rt.p.sig
	cx := &rt.cx
	prev := cs.canLeave()
	cs.setLeave(false)
	var flat []uint64
	var err error
	if rt.argsSpilled {
		flat, err = cx.LowerValues(ctx, canon.MaxFlatParams, sig.params, args, nil, rt.stack[:0])
	} else {
		// Lowered one by one: LowerValues would count the flat values of
		// the whole list on every call.
		flat = rt.stack[:0]
		for i, t := range sig.params {
			if flat, err = cx.LowerFlat(ctx, t, args[i], flat); err != nil {
				err = fmt.Errorf("value %d: %w", i, err)
				break
			}
		}
	}
	cs.setLeave(prev)
	if err != nil {
		cs.leaveTo(caller) // nothing ran in the callee
		return nil, err
	}
	stack := rt.stack
	if len(flat) > len(stack) {
		stack = flat
	} else {
		copy(stack, flat)
	}
	if err := rt.callCore(ctx, inst, stack); err != nil {
		return nil, err
	}
	res, err := rt.liftResults(stack[:rt.nres])
	if err != nil {
		return nil, err
	}
	if err := rt.scope.CheckReturn(); err != nil {
		return nil, err
	}
	if rt.p.opts.postReturn >= 0 {
		if err := rt.postReturn(ctx, inst, stack[:rt.nres]); err != nil {
			return nil, err
		}
	}
	cs.leaveTo(caller)
	return res, nil
}

// liftResults lifts the callee's flat results. The one result a function
// has is lifted directly (LiftValues would lay out a tuple of it on every
// call).
func (rt *rtLifted) liftResults(flat []uint64) ([]canon.Value, error) {
	sig := rt.p.sig
	if len(sig.results) != 1 {
		return rt.cx.LiftValues(canon.MaxFlatResults, sig.results, flat)
	}
	res := make([]canon.Value, 1)
	var err error
	if rt.spilled {
		if len(flat) != 1 {
			return nil, fmt.Errorf("spilled results need 1 pointer, got %d core values", len(flat))
		}
		ptr := flat[0]
		if rt.cx.ABI.AddrType() == canon.Addr32 {
			ptr = uint64(uint32(ptr))
		}
		err = rt.cx.LoadInto(sig.result, ptr, &res[0])
	} else {
		err = rt.cx.LiftFlatInto(sig.result, flat, &res[0])
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// tramp runs trampoline i, called by core wasm (or by a lift of it).
func (inst *Instance) tramp(ctx context.Context, i int, mod api.Module, stack []uint64) error {
	t := &inst.tramps[i]
	p := t.p
	cs := t.comp
	if t.host != nil && t.host.flat != nil && cs.canLeave() {
		// The fast form: flat values straight through, no Values.
		if t.caller.mem == nil && p.opts.memory >= 0 {
			t.caller.mem = inst.refs[p.opts.memory].mem
		}
		t.caller.module = mod
		return t.host.flat(ctx, &t.caller, stack)
	}
	switch p.kind {
	case trampResourceNew:
		if !cs.canLeave() {
			return trapf("cannot leave component instance (%s) during a lift, lower or post-return", cs.name)
		}
		if cs.table.Len() >= cs.maxHandle {
			return trapf("resource.new: the handle table holds %d handles, the limit", cs.table.Len())
		}
		h, err := cs.table.ResourceNew(inst.res[p.resource], uint32(stack[0]))
		if err != nil {
			return err
		}
		stack[0] = uint64(h)
		return nil
	case trampResourceRep:
		rep, err := cs.table.ResourceRep(inst.res[p.resource], uint32(stack[0]))
		if err != nil {
			return err
		}
		stack[0] = uint64(rep)
		return nil
	case trampContextGet:
		stack[0] = cs.slots[p.slot]
		return nil
	case trampContextSet:
		cs.slots[p.slot] = stack[0]
		return nil
	case trampBackpressure:
		n := cs.backpressure + p.slot
		if n < 0 || n >= 1<<16 {
			return trapf("backpressure counter overflow: %s: the counter would be %d", p.desc, n)
		}
		cs.backpressure = n
		return nil
	case trampAsync:
		if !cs.canLeave() {
			return trapf("cannot leave component instance (%s) during a lift, lower or post-return", cs.name)
		}
		return inst.asyncBuiltin(ctx, t, stack)
	case trampErrorContextNew, trampErrorContextDebug, trampErrorContextDrop, trampNeedsAsync:
		if !cs.canLeave() {
			return trapf("cannot leave component instance (%s) during a lift, lower or post-return", cs.name)
		}
		return inst.builtin(ctx, t, stack)
	case trampResourceDrop:
		if !cs.canLeave() {
			return trapf("cannot leave component instance (%s) during a lift, lower or post-return", cs.name)
		}
		prev := inst.dropper
		inst.dropper = cs
		err := cs.table.ResourceDrop(ctx, inst.res[p.resource], uint32(stack[0]))
		inst.dropper = prev
		return err
	}
	if !cs.canLeave() {
		return trapf("cannot leave component instance (%s) to call %s during a lift, lower or post-return", cs.name, p.desc)
	}
	if p.kind == trampLowerLifted {
		inst.goLowered++
	}
	if p.kind == trampLowerAsync {
		inst.goLowered++
		return inst.lowerAsync(ctx, t, stack)
	}
	if p.copy != nil {
		return inst.callCopy(ctx, t, p.copy, inst, inst.liftedState(p.callee), stack)
	}
	if t.linkedCopy != nil {
		return inst.callCopy(ctx, t, t.linkedCopy, t.linked.inst, t.linked.rt, stack)
	}
	if t.busy {
		// The same trampoline re-entered (a host function calling back):
		// use fresh state rather than the preallocated one.
		nt := *t
		nt.scope = canon.BorrowScope{}
		nt.cx.Borrows = &nt.scope
		nt.caller.cx = &nt.cx
		nt.busy = false
		t = &nt
	}
	t.busy = true
	defer func() { t.busy = false }()
	sig := p.sig
	cx := &t.cx
	nparams := t.nflat
	retptr := uint64(0)
	spillResults := false
	if n := len(p.core.Params); n > 0 && len(p.core.Results) == 0 && sig.result != wit.NoneType {
		// The results are written through a return pointer, the last
		// parameter.
		nparams = n - 1
		retptr = stack[nparams]
		spillResults = true
	}
	args, err := cx.LiftValues(canon.MaxFlatParams, sig.params, stack[:nparams])
	if err != nil {
		return err
	}
	var results []canon.Value
	switch {
	case t.host != nil:
		results, err = t.host.dynamic(ctx, args)
		if err == nil && len(results) != len(sig.results) {
			err = fmt.Errorf("host function %s returned %d results, want %d", p.desc, len(results), len(sig.results))
		}
	case t.linked != nil:
		results, err = t.linked.Call(ctx, args...)
	default:
		results, err = inst.callLifted(ctx, inst.liftedState(p.callee), args, cs)
	}
	t.scope.Release()
	if err != nil {
		return err
	}
	prev := cs.canLeave()
	cs.setLeave(false)
	defer func() { cs.setLeave(prev) }()
	if spillResults {
		_, err = cx.LowerValues(ctx, canon.MaxFlatResults, sig.results, results, &retptr, nil)
		return err
	}
	out, err := cx.LowerValues(ctx, canon.MaxFlatResults, sig.results, results, nil, stack[:0])
	if err != nil {
		return err
	}
	copy(stack, out)
	return nil
}

// builtin runs the error-context built-ins and the async ones (which
// trap): the instance may leave.
func (inst *Instance) builtin(ctx context.Context, t *rtTramp, stack []uint64) error {
	p, cs := t.p, t.comp
	switch p.kind {
	case trampErrorContextNew:
		if cs.table.Len() >= cs.maxHandle {
			return trapf("%s: the handle table holds %d handles, the limit", p.desc, cs.table.Len())
		}
		var msg canon.Value
		if err := t.cx.LiftFlatInto(wit.String, stack[:2], &msg); err != nil {
			return err
		}
		i, err := cs.table.Add(&errorContext{msg: msg.String()})
		if err != nil {
			return err
		}
		stack[0] = uint64(i)
		return nil
	case trampErrorContextDebug, trampErrorContextDrop:
		i := uint32(stack[0])
		e, err := cs.table.Get(i)
		if err != nil {
			return err
		}
		ec, ok := e.(*errorContext)
		if !ok {
			return trapf("%s: handle %d is not an error context", p.desc, i)
		}
		if p.kind == trampErrorContextDrop {
			_, err := cs.table.Remove(i)
			return err
		}
		ptr := stack[1]
		_, err = t.cx.LowerValues(ctx, canon.MaxFlatResults, stringResult, []canon.Value{canon.String(ec.msg)}, &ptr, nil)
		return err
	}
	return trapf("%s", p.desc)
}

var stringResult = []wit.Type{wit.String}
