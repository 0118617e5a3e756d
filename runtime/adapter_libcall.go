package runtime

import (
	"context"
	"errors"
	"strconv"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/wit"
)

// The general adapters' libcalls: host functions of the trampolines' host
// module, as the reference's adapters call its host for handle tables
// (which live in Go here too), and the trap that gives a trap its
// message. Values themselves, strings included, never leave wasm.

// Handle libcall operations besides the directions (dirParams,
// dirResults).
const (
	// libResEnd ends a call: the callee's borrows must be dropped, the
	// caller's lent handles are released.
	libResEnd = 2
	// libTaskEnter and libTaskExit start and end a task in a component
	// instance that uses context.get/set (its third argument): the task's
	// context slots start at zero, the interrupted task's come back.
	libTaskEnter = 3
	libTaskExit  = 4
)

// addAdapterLibcalls adds the libcalls to the trampolines' host module.
func addAdapterLibcalls(hb wazero.HostModuleBuilder) {
	i32 := api.ValueTypeI32
	hb.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(adapterTrapAt),
		[]api.ValueType{i32, i32}, nil).Export("trapat")
	hb.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(adapterRes),
		[]api.ValueType{i32, i32, i32, i32}, []api.ValueType{i32}).Export("res")
}

// adapterTrapAt is the trap of general adapters: the trap code and the
// plan module index of the adapter, which the message names.
func adapterTrapAt(ctx context.Context, _ api.Module, stack []uint64) {
	code, where := int32(stack[0]), int(uint32(stack[1]))
	msg := "adapter trap"
	if code >= 0 && int(code) < len(adapterTrapMessages) {
		msg = adapterTrapMessages[code]
	}
	if inst := instanceOf(ctx); inst != nil && where < len(inst.c.p.modules) {
		msg += " (in the " + inst.c.p.modules[where].name + ")"
	}
	panic(&guestError{err: &Trap{Reason: msg}})
}

// adapterRes is the handle libcall: (trampoline, op, type, handle). It
// lifts the handle from one side's table and lowers it into the other's,
// as a call through Go would; libResEnd ends the call's borrows.
func adapterRes(ctx context.Context, _ api.Module, stack []uint64) {
	inst := instanceOf(ctx)
	if inst == nil {
		panic(&guestError{err: trapf("adapter libcall outside of a component call")})
	}
	if op := uint32(stack[1]); op == libTaskEnter || op == libTaskExit {
		ci := int(uint32(stack[2]))
		if ci >= len(inst.comps) {
			panic(&guestError{err: trapf("adapter libcall: no component instance %d", ci)})
		}
		cs := &inst.comps[ci]
		if op == libTaskEnter {
			cs.saved = append(cs.saved, cs.slots)
			cs.slots = [2]uint64{}
		} else if n := len(cs.saved); n > 0 {
			cs.slots = cs.saved[n-1]
			cs.saved = cs.saved[:n-1]
		}
		stack[0] = 0
		return
	}
	ti := int(uint32(stack[0]))
	if ti >= len(inst.tramps) || inst.tramps[ti].p.callee == nil {
		panic(&guestError{err: trapf("adapter libcall: no adapter %d", ti)})
	}
	t := &inst.tramps[ti]
	rt := inst.liftedState(t.p.callee)
	op := uint32(stack[1])
	if op == libResEnd {
		err := rt.scope.CheckReturn()
		t.scope.Release()
		if err != nil {
			panic(&guestError{err: err})
		}
		stack[0] = 0
		return
	}
	from, to := &t.cx, &rt.cx
	if op&0xff == dirResults {
		from, to = to, from
	}
	// A trap names the value the handle is in, as lifting values does.
	fail := func(err error) {
		var ct *canon.Trap
		if v := op >> 8; v > 0 && errors.As(err, &ct) {
			ct.Path = append([]string{"value " + strconv.Itoa(int(v-1))}, ct.Path...)
		}
		panic(&guestError{err: err})
	}
	typ := wit.Type(uint32(stack[2]))
	flat := [1]uint64{uint64(uint32(stack[3]))}
	var v canon.Value
	if err := from.LiftFlatInto(typ, flat[:], &v); err != nil {
		fail(err)
	}
	out, err := to.LowerFlat(ctx, typ, v, flat[:0])
	if err != nil {
		fail(err)
	}
	stack[0] = out[0]
}
