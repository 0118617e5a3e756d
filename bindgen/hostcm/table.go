package hostcm

import (
	"context"
	"fmt"
	"io"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/runtime"
)

// Table holds the values of one host-implemented resource type that a
// guest has handles to; the guest's handles carry the values' reps, which
// are indices into the table (0 is never used).
type Table[T any] struct {
	vals []T
	used []bool
	free []uint32
}

// Add puts v in the table and returns its rep.
func (t *Table[T]) Add(v T) uint32 {
	if len(t.vals) == 0 {
		var z T
		t.vals, t.used = append(t.vals, z), append(t.used, false)
	}
	if n := len(t.free); n > 0 {
		rep := t.free[n-1]
		t.free = t.free[:n-1]
		t.vals[rep], t.used[rep] = v, true
		return rep
	}
	t.vals, t.used = append(t.vals, v), append(t.used, true)
	return uint32(len(t.vals) - 1)
}

// Get returns the value of rep.
func (t *Table[T]) Get(rep uint32) (T, bool) {
	if int(rep) >= len(t.used) || !t.used[rep] {
		var z T
		return z, false
	}
	return t.vals[rep], true
}

// Remove takes the value of rep out of the table.
func (t *Table[T]) Remove(rep uint32) (T, bool) {
	v, ok := t.Get(rep)
	if ok {
		var z T
		t.vals[rep], t.used[rep] = z, false
		t.free = append(t.free, rep)
	}
	return v, ok
}

// Len returns how many values the table holds.
func (t *Table[T]) Len() int {
	n := 0
	for _, u := range t.used {
		if u {
			n++
		}
	}
	return n
}

func (t *Table[T]) remove(rep uint32) { t.Remove(rep) }

type remover interface{ remove(rep uint32) }

// Get returns the value of rep in t for a lifting, recording an error when
// there is none.
func Get[T any](l *Lift, t *Table[T], name string, rep uint32, take bool) T {
	if l.err != nil {
		var z T
		return z
	}
	var v T
	var ok bool
	if take {
		v, ok = t.Remove(rep)
	} else {
		v, ok = t.Get(rep)
	}
	if !ok {
		l.Fail(&canon.Trap{Op: "lift", Reason: fmt.Sprintf("no %s with rep %d in the host's table", name, rep)})
	}
	return v
}

// Put adds v to t for a lowering and returns its rep; a borrow (own false)
// stays in the table only until the export call it is lent to returns.
func Put[T any](w *Lower, t *Table[T], v T, own bool) uint32 {
	if w.err != nil {
		return 0
	}
	rep := t.Add(v)
	if !own {
		w.S.lent = append(w.S.lent, lent{t, rep})
	}
	return rep
}

// Dtor returns the destructor of a host-implemented resource: it takes the
// value out of the table and closes it when it has a Close method
// (Close(context.Context) error or io.Closer).
func Dtor[T any](t *Table[T]) func(ctx context.Context, rep uint32) error {
	return func(ctx context.Context, rep uint32) error {
		v, ok := t.Remove(rep)
		if !ok {
			return nil
		}
		switch c := any(v).(type) {
		case interface{ Close(context.Context) error }:
			return c.Close(ctx)
		case io.Closer:
			return c.Close()
		}
		return nil
	}
}

type lent struct {
	t   remover
	rep uint32
}

// Instance is the state generated bindings share for one instance of a
// component: the runtime instance, the run-time types of the world's
// resources (by index in World.Types) and each generated package's state.
//
// A world may import and export the same interface; its resources are then
// one type in WIT but two at run time (the host's and the component's), so
// the imported side's types are in Res and the exported side's in XRes.
type Instance struct {
	Runtime *runtime.Instance
	Res     []*canon.ResourceType // resources of imports, as the host defined them
	XRes    []*canon.ResourceType // resources of exports, as the component defines them
	Pkgs    []any
	lent    []lent
	// The lifting and lowering state of the call in progress, kept here
	// so that a call allocates none: generated code hands them to the
	// run-time list functions, which would make a local escape.
	lift  Lift
	lower Lower
}

// Lift starts a lifting through cx. An instance runs one call at a time,
// and its liftings do not overlap: a call's parameters are lowered before
// the guest runs, its results lifted after; a host function lifts its
// arguments before the host's code runs and lowers its results after.
func (s *Instance) Lift(cx *canon.LiftLowerContext) *Lift {
	s.lift.Init(s, cx)
	return &s.lift
}

// Lower starts a lowering through cx (see Lift).
func (s *Instance) Lower(ctx context.Context, cx *canon.LiftLowerContext) *Lower {
	s.lower.Init(ctx, s, cx)
	return &s.lower
}

// NewInstance returns the state for an instance of world w with n
// generated packages.
func NewInstance(w *World, n int) *Instance {
	return &Instance{Res: make([]*canon.ResourceType, len(w.Types)), XRes: make([]*canon.ResourceType, len(w.Types)), Pkgs: make([]any, n)}
}

// Call makes a typed call of export f with call state c (which lowers
// the parameters and lifts the results), then ends it (see EndCall).
func (s *Instance) Call(ctx context.Context, f *runtime.Func, c runtime.Lowering) error {
	err := f.CallLowered(ctx, c)
	s.EndCall()
	return err
}

// EndCall releases the host values lent to the guest for one call.
func (s *Instance) EndCall() {
	for _, e := range s.lent {
		e.t.remove(e.rep)
	}
	clear(s.lent)
	s.lent = s.lent[:0]
}
