package runtime

import (
	"context"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/wit"
)

// This file is the async canonical ABI (Concurrency.md, CanonicalABI.md):
// tasks of async-lifted functions, subtasks made by async lowers, waitable
// sets, and the event loop that drives them. Everything runs on the
// calling goroutine: a callback task is stackless (its core function
// returns a code to the loop, which calls its callback with the next
// event), and a built-in that blocks (waitable-set.wait, a synchronous
// call of an async function) runs the loop nested until what it waits
// for happens. None of it is touched by synchronous calls: the state is
// made on the first async call (Instance.async).

// Callback codes (CanonicalABI.md, CallbackCode).
const (
	callbackExit  = 0
	callbackYield = 1
	callbackWait  = 2
)

// Event codes (CanonicalABI.md, EventCode).
const (
	eventNone          = 0
	eventSubtask       = 1
	eventTaskCancelled = 6
)

// Subtask states (CanonicalABI.md, Subtask.State).
const (
	subtaskStarting = 0
	subtaskStarted  = 1
	subtaskReturned = 2
	// The cancelled states, before or after the callee started.
	subtaskCancelledBeforeStarted  = 3
	subtaskCancelledBeforeReturned = 4
)

// Cancellation states of a task (CanonicalABI.md, Task.State).
const (
	cancelNone      = iota
	cancelPending   // requested, not yet delivered
	cancelDelivered // delivered: the task may call task.cancel
)

// asyncRT is an instance's async runtime.
type asyncRT struct {
	// tasks are the tasks that have not exited, in the order they last
	// ran (the loop resumes the first that can run, then moves it last).
	tasks []*task
	// running are the tasks whose code is on the Go stack, innermost
	// last: the current task is the last one.
	running []*task
	// moved are the stream and future ends lifted out of one table and
	// not yet lowered into another, by id (streams.go).
	moved []*copyEnd
	// busy counts the calls of each plan reference (core function) that
	// are on the Go stack (callRef).
	busy map[int]int
}

// taskState is where a task is in its life.
type taskState uint8

const (
	taskStarting taskState = iota // waiting for backpressure to clear
	taskRunning                   // its code is on the Go stack
	taskYielded                   // its callback returned YIELD
	taskWaiting                   // its callback returned WAIT
	taskParked                    // a stackful task blocked on its goroutine
	taskExited
)

// task is one call of an async-lifted function (the spec's Task).
type task struct {
	rt     *rtLifted
	cs     *compState
	caller *compState
	// cx is the callee's lift/lower context for this task: tasks of one
	// function may be pending together, so each has its own borrows.
	cx    canon.LiftLowerContext
	scope canon.BorrowScope
	state taskState
	set   *waitableSet // the set a waiting task waits on
	args  []canon.Value
	// returned is set by task.return; deliver hands its values to the
	// caller.
	returned bool
	deliver  func(ctx context.Context, vals []canon.Value) error
	// slots are the task's context.get/set storage between runs.
	slots [2]uint64
	// sub is the caller's subtask (nil for a synchronous caller).
	sub *subtask
	// cancel is the cancellation state; onCancel resolves the caller's
	// subtask when the task calls task.cancel.
	cancel   uint8
	onCancel func()
	// g is set for a stackful task, which runs on its own goroutine.
	g *gtask
	// start, when set, starts a STARTING task instead of startTask.
	start func(ctx context.Context) error
}

// gtask is the goroutine of a stackful task. Control passes between it
// and the loop over two channels, so exactly one of them runs at a time:
// the loop sends on resume (false: abort) and waits on yield; the task
// sends on yield when it blocks or ends.
type gtask struct {
	resume chan bool
	yield  chan struct{}
	// ready is what a blocked task waits for.
	ready func() bool
	// saved is the task's part of asyncRT.running while it is parked.
	saved []*task
	done  bool
	err   error
	// aborted is set when the loop aborted the task (abortParked): its
	// instance is left as it was entered, not poisoned.
	aborted bool
}

// waitTask waits until the goroutine of t blocks or ends.
func (inst *Instance) waitTask(t *task) error {
	g := t.g
	<-g.yield
	if g.done {
		t.g = nil
		return g.err
	}
	return nil
}

// switchTo resumes the parked stackful task t (go false: abort it) and
// waits until it blocks again or ends.
func (inst *Instance) switchTo(t *task, goOn bool) error {
	a := inst.async
	g := t.g
	a.running = append(a.running, g.saved...)
	g.saved = g.saved[:0]
	g.resume <- goOn
	<-g.yield
	if g.done {
		t.g = nil
		return g.err
	}
	return nil
}

// parkTask blocks the stackful task cur, on its goroutine, until ready
// holds: control goes back to the loop, which resumes it (switchTo).
func (inst *Instance) parkTask(cur *task, ready func() bool) error {
	a := inst.async
	g := cur.g
	idx := len(a.running) - 1
	for idx >= 0 && a.running[idx] != cur {
		idx--
	}
	g.saved = append(g.saved[:0], a.running[idx:]...)
	a.running = a.running[:idx]
	g.ready = ready
	cur.state = taskParked
	g.yield <- struct{}{}
	if !<-g.resume {
		g.aborted = true
		return trapf("the task was aborted: the call that ran it ended while it was blocked")
	}
	cur.state = taskRunning
	return nil
}

// abortParked ends the stackful tasks still blocked once the outermost
// call returns, so that no goroutine outlives it.
func (inst *Instance) abortParked() {
	a := inst.async
	if a == nil || len(a.running) > 0 {
		return
	}
	for _, t := range append([]*task(nil), a.tasks...) {
		if t.g != nil && t.state == taskParked {
			_ = inst.switchTo(t, false)
		}
	}
}

// waitableItem is something a waitable set can hold: a subtask (and,
// later, stream and future ends).
type waitableItem interface {
	base() *waitable
	// event returns the pending event, clearing it, or ok false.
	event() (code, p1, p2 uint32, ok bool)
	// pending tells an event is pending.
	pending() bool
}

// waitable is the part of a waitable that joins sets.
type waitable struct {
	set *waitableSet
}

func (w *waitable) base() *waitable { return w }

// join moves w into set s (nil: into no set).
func join(wi waitableItem, s *waitableSet) {
	w := wi.base()
	if w.set != nil {
		elems := w.set.elems
		for i, e := range elems {
			if e == wi {
				w.set.elems = append(elems[:i:i], elems[i+1:]...)
				break
			}
		}
	}
	w.set = s
	if s != nil {
		s.elems = append(s.elems, wi)
	}
}

// waitableSet is the spec's WaitableSet.
type waitableSet struct {
	elems   []waitableItem
	waiters int
}

// next returns the first pending event of the set, clearing it.
func (s *waitableSet) next() (code, p1, p2 uint32, ok bool) {
	for _, e := range s.elems {
		if code, p1, p2, ok = e.event(); ok {
			return
		}
	}
	return 0, 0, 0, false
}

func (s *waitableSet) ready() bool {
	for _, e := range s.elems {
		if e.pending() {
			return true
		}
	}
	return false
}

// subtask is a call made by an async lower, seen from the caller.
type subtask struct {
	waitable
	handle           uint32
	state, delivered uint32
	callee           *task
	cancelRequested  bool
}

// resolved tells the subtask reached a final state.
func (s *subtask) resolved() bool { return s.state >= subtaskReturned }

func (s *subtask) pending() bool { return s.state != s.delivered }

func (s *subtask) event() (code, p1, p2 uint32, ok bool) {
	if s.state == s.delivered {
		return 0, 0, 0, false
	}
	s.delivered = s.state
	return eventSubtask, s.handle, s.state, true
}

// asyncState returns the instance's async runtime, making it.
func (inst *Instance) asyncState() *asyncRT {
	if inst.async == nil {
		inst.async = &asyncRT{}
	}
	return inst.async
}

// current returns the task whose code runs, or nil.
func (a *asyncRT) current() *task {
	if len(a.running) == 0 {
		return nil
	}
	return a.running[len(a.running)-1]
}

// newTask makes a task of the async-lifted rt called with args.
func (inst *Instance) newTask(rt *rtLifted, args []canon.Value, caller *compState) *task {
	// args are copied: keeping the caller's slice would make it escape
	// on the synchronous path too (Func.Call's variadic arguments).
	t := &task{rt: rt, cs: rt.comp, caller: caller, cx: rt.cx, args: append([]canon.Value(nil), args...)}
	t.cx.Borrows = &t.scope
	return t
}

// callAsync calls an async-lifted function synchronously (from the host
// or a synchronous lower): the task starts, and the loop runs until it
// returns its result.
func (inst *Instance) callAsync(ctx context.Context, rt *rtLifted, args []canon.Value, caller *compState) ([]canon.Value, error) {
	if !rt.comp.mayEnterFrom(caller) {
		return nil, trapf("cannot enter component instance")
	}
	a := inst.asyncState()
	if caller != nil && !a.mayBlock(caller) {
		// A synchronous call of an async function may block: a task that
		// may not block cannot make one (as wasmtime checks it, up front).
		return nil, trapf("cannot block a synchronous task before returning")
	}
	t := inst.newTask(rt, args, caller)
	var result []canon.Value
	t.deliver = func(_ context.Context, vals []canon.Value) error {
		result = vals
		return nil
	}
	a.tasks = append(a.tasks, t)
	if t.cs.backpressure == 0 && t.cs.canEnter() {
		if err := inst.startTask(ctx, t); err != nil {
			return nil, err
		}
	}
	if !t.returned && caller != nil && !a.mayBlock(caller) {
		return nil, trapf("cannot block a synchronous task before returning")
	}
	var err error
	if cur := a.current(); caller != nil && cur != nil && cur.g != nil && cur.cs == caller {
		// A stackful caller parks while it waits, letting the loop run.
		err = inst.blockIn(ctx, cur, func() bool { return t.returned })
	} else {
		err = inst.runUntil(ctx, func() bool { return t.returned })
	}
	if caller == nil {
		inst.abortParked()
	}
	if err != nil {
		return nil, err
	}
	return result, nil
}

// callSyncTask calls a function of async type lifted without the async
// option: it runs as the synchronous path does, but as the current task,
// so that it may block (async.go's nested loop).
func (inst *Instance) callSyncTask(ctx context.Context, rt *rtLifted, args []canon.Value, caller *compState) ([]canon.Value, error) {
	a := inst.asyncState()
	if caller != nil && !a.mayBlock(caller) {
		return nil, trapf("cannot block a synchronous task before returning")
	}
	t := &task{rt: rt, cs: rt.comp, caller: caller, state: taskRunning}
	a.running = append(a.running, t)
	defer func() { a.running = a.running[:len(a.running)-1] }()
	return inst.callLiftedSync(ctx, rt, args, caller)
}

// mayBlock tells that code running in cs may block: the current task is
// of an async function type, or has returned its result.
func (a *asyncRT) mayBlock(cs *compState) bool {
	cur := a.current()
	return cur != nil && cur.cs == cs && (cur.rt.p.sig.async || cur.returned)
}

// lowerAsync runs canon lower async of a lifted function: the arguments
// are lifted from the caller, the callee's task starts, and the caller
// gets RETURNED when it finished at once, or a subtask handle and state.
func (inst *Instance) lowerAsync(ctx context.Context, t *rtTramp, stack []uint64) error {
	p, cs := t.p, t.comp
	sig := p.sig
	nparams := len(p.core.Params)
	var retptr uint64
	if sig.result != wit.NoneType {
		nparams--
		retptr = stack[nparams]
	}
	// The caller's context is per call: an async callee may deliver its
	// result after another call through this trampoline started.
	cx := t.cx
	var scope canon.BorrowScope
	cx.Borrows = &scope
	args, err := cx.LiftValues(canon.MaxFlatAsyncParams, sig.params, stack[:nparams])
	if err != nil {
		return err
	}
	rt := inst.liftedState(p.callee)
	syncAsync := !rt.p.opts.async && rt.p.sig.async
	if syncAsync && rt.comp.isSelfOrAncestorOf(cs) || !syncAsync && !rt.comp.mayEnterFrom(cs) {
		return trapf("cannot enter component instance")
	}
	st := &subtask{state: subtaskStarting}
	deliver := func(ctx context.Context, vals []canon.Value) error {
		if sig.result != wit.NoneType {
			prev := cs.canLeave()
			cs.setLeave(false)
			_, err := cx.LowerValues(ctx, 0, sig.results, vals, &retptr, nil)
			cs.setLeave(prev)
			if err != nil {
				return err
			}
		}
		st.state = subtaskReturned
		return nil
	}
	a := inst.asyncState()
	if syncAsync {
		// A callee of async type lifted without the async option may
		// block: it runs on its own goroutine, as a stackful task does.
		// It needs its instance to itself (the spec's exclusive thread):
		// while the instance is entered it waits, STARTING.
		ct := &task{rt: rt, cs: rt.comp, caller: cs, sub: st, state: taskStarting}
		st.callee = ct
		a.tasks = append(a.tasks, ct)
		ct.start = func(ctx context.Context) error { return inst.launchSync(ctx, ct, args, deliver) }
		if rt.comp.canEnter() && rt.comp.backpressure == 0 {
			if err := ct.start(ctx); err != nil {
				return err
			}
		}
		return inst.subtaskResult(st, t, stack)
	}
	if !rt.p.opts.async {
		// A synchronous callee runs to completion now.
		st.state = subtaskStarted
		vals, err := inst.callLifted(ctx, rt, args, cs)
		if err != nil {
			return err
		}
		if err := deliver(ctx, vals); err != nil {
			return err
		}
		stack[0] = subtaskReturned
		return nil
	}
	ct := inst.newTask(rt, args, cs)
	ct.deliver = deliver
	st.callee = ct
	ct.sub = st
	ct.onCancel = func() { st.state = subtaskCancelledBeforeReturned }
	a.tasks = append(a.tasks, ct)
	if ct.cs.backpressure == 0 && ct.cs.canEnter() {
		if err := inst.startTask(ctx, ct); err != nil {
			return err
		}
	}
	return inst.subtaskResult(st, t, stack)
}

// launchSync starts the task ct of an async-typed function lifted without
// the async option on a goroutine of its own and waits until it blocks or
// ends.
func (inst *Instance) launchSync(ctx context.Context, ct *task, args []canon.Value, deliver func(context.Context, []canon.Value) error) error {
	a := inst.async
	rt, cs, st := ct.rt, ct.caller, ct.sub
	ct.start = nil
	ct.state = taskRunning
	st.state = subtaskStarted
	ct.g = &gtask{resume: make(chan bool), yield: make(chan struct{})}
	{
		go func() {
			a.running = append(a.running, ct)
			vals, err := inst.callLiftedSync(ctx, rt, args, cs)
			a.running = a.running[:len(a.running)-1]
			if ct.g.aborted {
				ct.cs.leaveTo(cs)
			}
			if err == nil {
				ct.returned = true
				err = deliver(ctx, vals)
			}
			ct.state = taskExited
			for k, x := range a.tasks {
				if x == ct {
					a.tasks = append(a.tasks[:k:k], a.tasks[k+1:]...)
					break
				}
			}
			ct.g.err, ct.g.done = err, true
			ct.g.yield <- struct{}{}
		}()
	}
	return inst.waitTask(ct)
}

// subtaskResult returns what an async lower gives its caller: RETURNED
// when the callee finished, else a handle to the subtask and its state.
func (inst *Instance) subtaskResult(st *subtask, t *rtTramp, stack []uint64) error {
	p, cs := t.p, t.comp
	if st.state == subtaskReturned {
		st.delivered = st.state
		stack[0] = subtaskReturned
		return nil
	}
	if cs.table.Len() >= cs.maxHandle {
		return trapf("%s: the handle table holds %d handles, the limit", p.desc, cs.table.Len())
	}
	h, err := cs.table.Add(st)
	if err != nil {
		return err
	}
	st.handle = h
	st.delivered = st.state
	stack[0] = uint64(h)<<4 | uint64(st.state)
	return nil
}

// startTask lowers a task's arguments into its instance and runs its core
// function.
func (inst *Instance) startTask(ctx context.Context, t *task) error {
	rt := t.rt
	sig := rt.p.sig
	cs := t.cs
	cs.enterFrom(t.caller)
	prev := cs.canLeave()
	cs.setLeave(false)
	flat, err := t.cx.LowerValues(ctx, canon.MaxFlatParams, sig.params, t.args, nil, nil)
	cs.setLeave(prev)
	t.args = nil
	if err != nil {
		cs.leaveTo(t.caller)
		return err
	}
	stack := make([]uint64, max(len(flat), 1))
	copy(stack, flat)
	if t.sub != nil {
		t.sub.state = subtaskStarted
	}
	call := func() error {
		if rt.viaTramp >= 0 {
			return rt.callCore(ctx, inst, stack)
		}
		return inst.callRef(ctx, rt.p.core, rt.p.desc, stack)
	}
	if rt.p.opts.callback < 0 {
		// A stackful task runs on its own goroutine, so that it can
		// block and give control back (parkTask).
		t.g = &gtask{resume: make(chan bool), yield: make(chan struct{})}
		go func() {
			err := inst.runCode(ctx, t, call)
			if err == nil {
				err = inst.exitTask(t)
			}
			t.g.err, t.g.done = err, true
			t.g.yield <- struct{}{}
		}()
		return inst.waitTask(t)
	}
	err = inst.runCode(ctx, t, call)
	if err != nil {
		return err
	}
	if rt.p.opts.callback < 0 {
		// A stackful task is done when its core function returns.
		return inst.exitTask(t)
	}
	return inst.afterCode(t, uint32(stack[0]))
}

// runCode runs code of task t with t current: its instance is entered
// (the caller's enterFrom already happened for a start) and its context
// slots are its own.
func (inst *Instance) runCode(ctx context.Context, t *task, code func() error) error {
	a := inst.asyncState()
	cs := t.cs
	t.state = taskRunning
	a.running = append(a.running, t)
	if cs.usesContext {
		cs.slots = t.slots
	}
	err := code()
	if cs.usesContext {
		t.slots = cs.slots
	}
	a.running = a.running[:len(a.running)-1]
	cs.leaveTo(t.caller)
	return err
}

// afterCode acts on the code a callback task's core function or callback
// returned.
func (inst *Instance) afterCode(t *task, packed uint32) error {
	switch packed & 0xf {
	case callbackExit:
		return inst.exitTask(t)
	case callbackYield:
		t.state = taskYielded
	case callbackWait:
		e, err := t.cs.table.Get(packed >> 4)
		if err != nil {
			return err
		}
		s, ok := e.(*waitableSet)
		if !ok {
			return trapf("callback returned WAIT on handle %d, which is not a waitable set", packed>>4)
		}
		t.set = s
		s.waiters++
		t.state = taskWaiting
	default:
		return trapf("unsupported callback code: %d", packed&0xf)
	}
	return nil
}

// exitTask ends task t, which must have returned its result.
func (inst *Instance) exitTask(t *task) error {
	a := inst.async
	t.state = taskExited
	for i, x := range a.tasks {
		if x == t {
			a.tasks = append(a.tasks[:i:i], a.tasks[i+1:]...)
			break
		}
	}
	if !t.returned {
		return trapf("async-lifted export failed to produce a result")
	}
	return t.scope.CheckReturn()
}

// runUntil runs the loop until done holds; it traps when no task can make
// progress before.
func (inst *Instance) runUntil(ctx context.Context, done func() bool) error {
	for !done() {
		if err := ctx.Err(); err != nil {
			return err
		}
		ran, err := inst.step(ctx)
		if err != nil {
			return err
		}
		if !ran {
			return trapf("deadlock detected: event loop cannot make further progress")
		}
	}
	return nil
}

// step runs the first pending task that can run: one that can start, a
// yielded one, or a waiting one whose set has an event. A task cannot run
// while its instance is entered (its code, or a synchronous call into the
// instance, is on the stack: the spec's exclusive thread).
func (inst *Instance) step(ctx context.Context) (bool, error) {
	a := inst.async
	if a == nil {
		return false, nil
	}
	for i, t := range a.tasks {
		// A parked task that kept its instance (a synchronously lifted
		// one) is the one holding it.
		if !t.cs.canEnter() && (t.state != taskParked || t.rt.p.opts.async) {
			continue
		}
		var code, p1, p2 uint32
		switch t.state {
		case taskStarting:
			if t.cs.backpressure != 0 {
				continue
			}
			a.tasks = append(append(a.tasks[:i:i], a.tasks[i+1:]...), t)
			if t.start != nil {
				return true, t.start(ctx)
			}
			return true, inst.startTask(ctx, t)
		case taskParked:
			if !t.g.ready() {
				continue
			}
			a.tasks = append(append(a.tasks[:i:i], a.tasks[i+1:]...), t)
			return true, inst.switchTo(t, true)
		case taskYielded:
			code = eventNone
			if t.cancel == cancelPending {
				code, t.cancel = eventTaskCancelled, cancelDelivered
			}
		case taskWaiting:
			if t.cancel == cancelPending {
				code, t.cancel = eventTaskCancelled, cancelDelivered
			} else {
				var ok bool
				if code, p1, p2, ok = t.set.next(); !ok {
					continue
				}
			}
			t.set.waiters--
			t.set = nil
		default:
			continue
		}
		a.tasks = append(append(a.tasks[:i:i], a.tasks[i+1:]...), t)
		return true, inst.resume(ctx, t, code, p1, p2)
	}
	return false, nil
}

// resume calls a callback task's callback with an event.
func (inst *Instance) resume(ctx context.Context, t *task, code, p1, p2 uint32) error {
	stack := []uint64{uint64(code), uint64(p1), uint64(p2)}
	t.cs.enterFrom(t.caller)
	err := inst.runCode(ctx, t, func() error {
		return inst.callRef(ctx, t.rt.p.opts.callback, t.rt.p.desc, stack)
	})
	if err != nil {
		return err
	}
	return inst.afterCode(t, uint32(stack[0]))
}

// callRef calls the core function of plan reference ref for a task. A
// wazero Function must not be called again before its call returns, and
// the nested loops can start a second task of a function whose first is
// blocked below: that call gets a Function of its own.
func (inst *Instance) callRef(ctx context.Context, ref int, desc string, stack []uint64) error {
	a := inst.async
	fn := inst.fn(ref)
	if fn == nil {
		return trapf("%s is called before its core instance exists", desc)
	}
	if a.busy == nil {
		a.busy = map[int]int{}
	}
	if a.busy[ref] > 0 {
		fn = inst.refs[ref].mod.ExportedFunction(inst.c.p.refs[ref].item.name)
	}
	a.busy[ref]++
	err := fn.CallWithStack(ctx, stack)
	a.busy[ref]--
	if err != nil {
		return cleanError(err)
	}
	return nil
}

// asyncBuiltin runs the async built-ins.
func (inst *Instance) asyncBuiltin(ctx context.Context, t *rtTramp, stack []uint64) error {
	p, cs := t.p, t.comp
	a := inst.asyncState()
	switch p.op {
	case component.CanonTaskReturn:
		cur := a.current()
		if cur == nil || cur.cs != cs {
			return trapf("canon task.return called by a function that is not lifted async")
		}
		if cur.returned {
			return trapf("task.return called twice")
		}
		if !sameResult(inst.c.p.resolve, p.sig.result, cur.rt.p.sig.result) || !inst.sameOptions(p.opts, cur.rt.p.opts) {
			return trapf("invalid `task.return` signature and/or options for current task")
		}
		vals, err := cur.cx.LiftValues(canon.MaxFlatParams, p.sig.results, stack[:len(p.core.Params)])
		if err != nil {
			return err
		}
		cur.returned = true
		return cur.deliver(ctx, vals)
	case component.CanonWaitableSetNew:
		if cs.table.Len() >= cs.maxHandle {
			return trapf("%s: the handle table holds %d handles, the limit", p.desc, cs.table.Len())
		}
		h, err := cs.table.Add(&waitableSet{})
		if err != nil {
			return err
		}
		stack[0] = uint64(h)
		return nil
	case component.CanonWaitableSetDrop:
		s, err := tableSet(cs, uint32(stack[0]))
		if err != nil {
			return err
		}
		if s.waiters > 0 {
			return trapf("cannot drop waitable set with waiters")
		}
		for len(s.elems) > 0 {
			join(s.elems[0], nil)
		}
		_, err = cs.table.Remove(uint32(stack[0]))
		return err
	case component.CanonWaitableJoin:
		e, err := cs.table.Get(uint32(stack[0]))
		if err != nil {
			return err
		}
		w, ok := e.(waitableItem)
		if !ok {
			return trapf("waitable.join: handle %d is not a waitable", uint32(stack[0]))
		}
		var s *waitableSet
		if si := uint32(stack[1]); si != 0 {
			if s, err = tableSet(cs, si); err != nil {
				return err
			}
		}
		join(w, s)
		return nil
	case component.CanonWaitableSetWait, component.CanonWaitableSetPoll:
		s, err := tableSet(cs, uint32(stack[0]))
		if err != nil {
			return err
		}
		ptr := stack[1]
		code, p1, p2, ok := s.next()
		if cur := a.current(); p.async && cur != nil && cur.cs == cs && cur.cancel == cancelPending {
			// A cancellable wait or poll delivers a pending cancellation.
			code, p1, p2, ok = eventTaskCancelled, 0, 0, true
			cur.cancel = cancelDelivered
		}
		if !ok && p.op == component.CanonWaitableSetWait {
			if !a.mayBlock(cs) {
				return trapf("cannot block a synchronous task before returning")
			}
			cur := a.current()
			s.waiters++
			err := inst.blockIn(ctx, cur, func() bool { return s.ready() })
			s.waiters--
			if err != nil {
				return err
			}
			if code, p1, p2, ok = s.next(); !ok && cur.cancel == cancelPending && p.async {
				code, cur.cancel = eventTaskCancelled, cancelDelivered
			}
		}
		var buf [8]byte
		le32(buf[:4], p1)
		le32(buf[4:], p2)
		mem := inst.refs[p.mem].mem
		if mem == nil || !mem.Write(uint32(ptr), buf[:]) {
			return trapf("%s: event pointer %d is out of bounds", p.desc, ptr)
		}
		stack[0] = uint64(code)
		return nil
	case component.CanonThreadYield:
		if cur := a.current(); p.async && cur != nil && cur.cs == cs && cur.cancel == cancelPending {
			cur.cancel = cancelDelivered
			stack[0] = 1 // cancelled
			return nil
		}
		if cur := a.current(); cur != nil && cur.cs == cs {
			// Let every other task that can run take one turn.
			n := len(a.tasks)
			for i := 0; i < n; i++ {
				ran, err := inst.step(ctx)
				if err != nil {
					return err
				}
				if !ran {
					break
				}
			}
		}
		stack[0] = 0 // not cancelled
		return nil
	case component.CanonSubtaskCancel:
		return inst.subtaskCancel(ctx, t, stack)
	case component.CanonTaskCancel:
		cur := a.current()
		if cur == nil || cur.cs != cs || !cur.rt.p.opts.async {
			return trapf("canon task.cancel called by a function that is not lifted async")
		}
		if cur.returned {
			return trapf("task.cancel called after the task returned its result")
		}
		if cur.cancel != cancelDelivered {
			return trapf("task.cancel called without a cancellation delivered to the task")
		}
		if err := cur.scope.CheckReturn(); err != nil {
			return err
		}
		cur.returned = true
		if cur.onCancel != nil {
			cur.onCancel()
		}
		return nil
	case component.CanonSubtaskDrop:
		e, err := cs.table.Get(uint32(stack[0]))
		if err != nil {
			return err
		}
		st, ok := e.(*subtask)
		if !ok {
			return trapf("subtask.drop: handle %d is not a subtask", uint32(stack[0]))
		}
		if !st.resolved() || st.delivered != st.state {
			return trapf("cannot drop a subtask which has not yet resolved")
		}
		join(st, nil)
		_, err = cs.table.Remove(uint32(stack[0]))
		return err
	}
	if p.op >= component.CanonStreamNew && p.op <= component.CanonFutureDropWritable {
		return inst.streamBuiltin(ctx, t, stack)
	}
	return trapf("%s is not implemented", p.desc)
}

// subtaskCancel runs canon subtask.cancel: a callee that has not started
// is dropped; one waiting in its callback is given TASK_CANCELLED now,
// one running later; then the caller waits (sync) or gets BLOCKED (async)
// until the callee resolves.
func (inst *Instance) subtaskCancel(ctx context.Context, t *rtTramp, stack []uint64) error {
	p, cs := t.p, t.comp
	a := inst.asyncState()
	i := uint32(stack[0])
	e, err := cs.table.Get(i)
	if err != nil {
		return err
	}
	st, ok := e.(*subtask)
	if !ok {
		return trapf("subtask.cancel: handle %d is not a subtask", i)
	}
	if st.resolved() && st.delivered == st.state {
		return trapf("`subtask.cancel` called after terminal status delivered")
	}
	if st.cancelRequested {
		return trapf("`subtask.cancel` called twice on subtask %d", i)
	}
	if st.set != nil && !p.async {
		return trapf("waitable cannot be used synchronously while added to a waitable set")
	}
	if !st.resolved() {
		st.cancelRequested = true
		ct := st.callee
		switch {
		case ct == nil:
		case ct.state == taskStarting:
			ct.state = taskExited
			for k, x := range a.tasks {
				if x == ct {
					a.tasks = append(a.tasks[:k:k], a.tasks[k+1:]...)
					break
				}
			}
			st.state = subtaskCancelledBeforeStarted
		default:
			ct.cancel = cancelPending
			if (ct.state == taskYielded || ct.state == taskWaiting) && ct.cs.canEnter() {
				if ct.set != nil {
					ct.set.waiters--
					ct.set = nil
				}
				ct.cancel = cancelDelivered
				if err := inst.resume(ctx, ct, eventTaskCancelled, 0, 0); err != nil {
					return err
				}
			}
		}
		if !st.resolved() {
			if p.async {
				stack[0] = blocked
				return nil
			}
			if !a.mayBlock(cs) {
				return trapf("cannot block a synchronous task before returning")
			}
			if err := inst.blockIn(ctx, a.current(), st.resolved); err != nil {
				return err
			}
		}
	}
	st.delivered = st.state
	stack[0] = uint64(st.state)
	return nil
}

// blockIn runs the loop, with task cur blocked, until ready holds. A
// stackful task gives up its instance while it blocks (it does not need
// exclusive access); a callback task keeps it.
func (inst *Instance) blockIn(ctx context.Context, cur *task, ready func() bool) error {
	cs := cur.cs
	// A stackful async task does not need its instance to itself while
	// it blocks; a callback task and a synchronously lifted one keep it.
	stackful := cur.rt.p.opts.async && cur.rt.p.opts.callback < 0
	if stackful {
		cs.setEnter(true)
	}
	var err error
	if cur.g != nil {
		err = inst.parkTask(cur, ready)
	} else {
		err = inst.runUntil(ctx, ready)
	}
	if stackful {
		cs.setEnter(false)
	}
	return err
}

func tableSet(cs *compState, i uint32) (*waitableSet, error) {
	e, err := cs.table.Get(i)
	if err != nil {
		return nil, err
	}
	s, ok := e.(*waitableSet)
	if !ok {
		return nil, trapf("handle %d is not a waitable set", i)
	}
	return s, nil
}

func le32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

// sameOptions compares the options of task.return (a) with the lift's
// (b): the string encoding, and a memory task.return names must be the
// lift's (a task.return without one can only lift values that need none,
// so wasmtime lets it pass, and the scripts expect that).
func (inst *Instance) sameOptions(a, b *planOpts) bool {
	if a.encoding != b.encoding {
		return false
	}
	if a.memory < 0 || a.memory == b.memory {
		return true
	}
	return b.memory >= 0 && inst.refs[a.memory].mem == inst.refs[b.memory].mem
}

// sameResult compares task.return's result type with the function's,
// structurally (the two may be different type definitions of one type).
func sameResult(r *wit.Resolve, a, b wit.Type) bool { return sameType(r, a, b, 0) }

func sameType(r *wit.Resolve, a, b wit.Type, depth int) bool {
	a, b = unalias(r, a), unalias(r, b)
	if a == b {
		return true
	}
	ai, aok := a.ID()
	bi, bok := b.ID()
	if !aok || !bok || depth > 64 || int(ai) >= len(r.Types) || int(bi) >= len(r.Types) {
		return false
	}
	x, y := r.Types[ai], r.Types[bi]
	if x.Kind != y.Kind || len(x.Fields) != len(y.Fields) || len(x.Flags) != len(y.Flags) ||
		len(x.Cases) != len(y.Cases) || len(x.Enum) != len(y.Enum) || len(x.Tuple) != len(y.Tuple) || x.Len != y.Len {
		return false
	}
	d := depth + 1
	for i := range x.Fields {
		if x.Fields[i].Name != y.Fields[i].Name || !sameType(r, x.Fields[i].Type, y.Fields[i].Type, d) {
			return false
		}
	}
	for i := range x.Flags {
		if x.Flags[i].Name != y.Flags[i].Name {
			return false
		}
	}
	for i := range x.Cases {
		if x.Cases[i].Name != y.Cases[i].Name || !sameType(r, x.Cases[i].Type, y.Cases[i].Type, d) {
			return false
		}
	}
	for i := range x.Enum {
		if x.Enum[i].Name != y.Enum[i].Name {
			return false
		}
	}
	for i := range x.Tuple {
		if !sameType(r, x.Tuple[i], y.Tuple[i], d) {
			return false
		}
	}
	return sameType(r, x.Elem, y.Elem, d) && sameType(r, x.Key, y.Key, d) && sameType(r, x.Ok, y.Ok, d) &&
		sameType(r, x.Err, y.Err, d) && x.Resource == y.Resource
}

// unalias follows KindType aliases.
func unalias(r *wit.Resolve, t wit.Type) wit.Type {
	for n := 0; n < 64; n++ {
		id, ok := t.ID()
		if !ok || int(id) >= len(r.Types) || r.Types[id].Kind != wit.KindType {
			return t
		}
		t = r.Types[id].Elem
	}
	return t
}
