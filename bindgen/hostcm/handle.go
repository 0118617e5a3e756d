package hostcm

import (
	"context"
	"errors"
)

// Handle is what the host holds of a value of a resource the component
// exports: its rep in the instance, whether the host owns it, and whether
// it is closed (dropped, moved into the guest, or forgotten). Generated
// handle types wrap one.
type Handle struct {
	s      *Instance
	rt     int // the resource's index in Instance.XRes
	rep    uint32
	own    bool
	closed bool
}

// LiftHandle lifts a handle h of the exported resource rt (an index in
// Instance.XRes), owned or borrowed.
func LiftHandle(l *Lift, rt int, h uint64, own bool) Handle {
	r := l.S.XRes[rt]
	if own {
		return Handle{s: l.S, rt: rt, rep: l.Own(r, h), own: true}
	}
	return Handle{s: l.S, rt: rt, rep: l.Borrow(r, h)}
}

// LowerHandle lowers the handle v holds into the guest (what names its
// resource in errors): an owned one moves there and v is closed after it.
func LowerHandle(w *Lower, v *Handle, what string, own bool) uint64 {
	if v.closed {
		w.Fail(errors.New("bindgen: a closed " + what + " cannot be passed to the guest"))
		return 0
	}
	r := w.S.XRes[v.rt]
	if !own {
		return w.Borrow(r, v.rep)
	}
	if !v.own {
		w.Fail(errors.New("bindgen: a borrowed " + what + " cannot be passed to the guest as owned"))
		return 0
	}
	v.closed = true // moved into the guest
	return w.Own(r, v.rep)
}

// Closed reports whether the handle can no longer be used.
func (v *Handle) Closed() bool { return v.closed }

// Close drops the handle when the host owns it, running the resource's
// destructor in the component; a borrowed or moved handle is only
// forgotten.
func (v *Handle) Close(ctx context.Context) error {
	if v.closed {
		return nil
	}
	v.closed = true
	if !v.own {
		return nil
	}
	return v.s.Runtime.DropResource(ctx, v.s.XRes[v.rt], v.rep)
}

// LiftResource lifts a handle h of resource rt that the host implements,
// owned or borrowed, as the value of table t (name names the resource).
func LiftResource[T any](l *Lift, t *Table[T], name string, rt int, h uint64, own bool) T {
	r := l.S.Res[rt]
	if own {
		return Get(l, t, name, l.Own(r, h), true)
	}
	return Get(l, t, name, l.Borrow(r, h), false)
}

// LowerResource lowers v, a value of resource rt that the host implements,
// into the guest as an owned or borrowed handle, through table t.
func LowerResource[T any](w *Lower, t *Table[T], name string, rt int, v T, own bool) uint64 {
	if any(v) == nil {
		w.Fail(errors.New("bindgen: a nil " + name + " cannot be passed to the guest"))
		return 0
	}
	rep := Put(w, t, v, own)
	if own {
		return w.Own(w.S.Res[rt], rep)
	}
	return w.Borrow(w.S.Res[rt], rep)
}
