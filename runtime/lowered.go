package runtime

import (
	"context"
	"fmt"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/wit"
)

// This file is the entry point of generated (typed) bindings: they move
// arguments and results with the fast helpers of package canon themselves,
// so that a call builds no Value, while the runtime keeps doing what the
// component model requires around the call (entering, no leaving during a
// lowering, borrow checks, post-return).

// Lowering moves the arguments and results of one call of an exported
// function without Values. The runtime calls LowerParams, then the core
// function, then LiftResults, then the post-return function.
type Lowering interface {
	// LowerParams writes the flat core parameters to params (exactly the
	// core signature's count; a spilled list is one pointer), storing
	// strings, lists and spilled values through cx, the callee's memory and
	// realloc. ctx must be passed on to cx's functions.
	LowerParams(ctx context.Context, cx *canon.LiftLowerContext, params []uint64) error
	// LiftResults reads the results from the flat core results (a pointer
	// to them when they are spilled) through cx before post-return frees
	// them.
	LiftResults(cx *canon.LiftLowerContext, results []uint64) error
}

// CallLowered calls the function with arguments and results moved by c. An
// error of c, a trap or a failed borrow check is returned in a
// *CallError; after a trap the instance refuses further calls, as after
// one in Call.
func (f *Func) CallLowered(ctx context.Context, c Lowering) error {
	rt := f.rt
	cs := rt.comp
	if !cs.mayEnterFrom(nil) {
		return &CallError{Component: cs.name, Func: fmt.Sprintf("export %q", f.name), Err: trapf("cannot enter component instance")}
	}
	inst := f.inst
	gctx := inst.enter(ctx)
	cs.enterFrom(nil)
	ran, err := f.callLowered(gctx, c)
	inst.exit(ctx, gctx)
	if err != nil {
		if !ran {
			cs.leaveTo(nil) // nothing ran in the callee
		}
		return &CallError{Component: cs.name, Func: fmt.Sprintf("export %q", f.name), Err: err}
	}
	cs.leaveTo(nil)
	return nil
}

func (f *Func) callLowered(ctx context.Context, c Lowering) (ran bool, err error) {
	rt := f.rt
	cs := rt.comp
	stack := rt.stack
	prev := cs.canLeave()
	cs.setLeave(false)
	err = c.LowerParams(ctx, &rt.cx, stack[:len(rt.p.coreType.Params)])
	cs.setLeave(prev)
	if err != nil {
		return false, err
	}
	if err := rt.callCore(ctx, f.inst, stack); err != nil {
		return true, err
	}
	cs.setLeave(false)
	err = c.LiftResults(&rt.cx, stack[:rt.nres])
	cs.setLeave(prev)
	if err != nil {
		return true, err
	}
	if err := rt.scope.CheckReturn(); err != nil {
		return true, err
	}
	if rt.p.opts.postReturn >= 0 {
		if err := rt.postReturn(ctx, f.inst, stack[:rt.nres]); err != nil {
			return true, err
		}
	}
	return true, nil
}

// ResourceType returns the run-time type of resource id, a TypeDef of the
// Resolve the instance's functions refer to (Func.Resolve), or nil when the
// component has no such resource. Generated bindings pass it to the handle
// helpers of package canon.
func (inst *Instance) ResourceType(id wit.TypeID) *canon.ResourceType {
	if inst.resources == nil {
		return nil
	}
	return inst.resources(id)
}

// DropResource drops an owned handle the host holds: rep is the rep of an
// own lifted out of the instance (canon.Own(rep) on the Value path) and
// rt its resource type. The destructor runs in the instance that
// implements the resource.
func (inst *Instance) DropResource(ctx context.Context, rt *canon.ResourceType, rep uint32) error {
	if rt == nil || rt.Dtor == nil {
		return nil
	}
	gctx := inst.enter(ctx)
	defer inst.exit(ctx, gctx)
	prev := inst.dropper
	inst.dropper = nil
	err := rt.Dtor(gctx, rep)
	inst.dropper = prev
	if err != nil {
		return &CallError{Component: "root component", Func: fmt.Sprintf("destructor of resource %q", rt.Name), Err: err}
	}
	return nil
}

// Remove deletes every definition of the instance iface (exact name), so
// that an application can replace an interface another package defined
// (one WASI interface, say). It reports whether there was one.
func (l *Linker) Remove(iface string) bool {
	if _, ok := l.instances[iface]; !ok {
		return false
	}
	delete(l.instances, iface)
	return true
}

// Flat reports whether CallFlat can call the function: its parameters and
// results are all numbers and it needs no memory.
func (f *Func) Flat() bool { return f.flatOK }
