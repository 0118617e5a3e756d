package runtime

import (
	"context"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/wit"
)

// This file is streams and futures (CanonicalABI.md, "Stream State" and
// "Future State"): both ends live in handle tables, a copy waits at the
// shared channel until the other end copies too, and the values move
// from the writer's memory to the reader's in Go.

// Copy results (CanonicalABI.md, CopyResult) and the BLOCKED return.
const (
	copyCompleted = 0
	copyDropped   = 1
	copyCancelled = 2
	blocked       = 0xffff_ffff
)

// Event codes of streams and futures.
const (
	eventStreamRead  = 2
	eventStreamWrite = 3
	eventFutureRead  = 4
	eventFutureWrite = 5
)

// copyState is a stream or future end's CopyState.
type copyState uint8

const (
	copyIdle copyState = iota
	copyCopying
	copyCancelling
	copyDone
)

// channel is the state both ends of one stream or future share.
type channel struct {
	future  bool
	elem    wit.Type // wit.NoneType: no payload
	dropped bool
	// pending is the copy waiting for the other end.
	pending *copyBuf
}

// copyBuf is the guest buffer of one stream.read/write or
// future.read/write.
type copyBuf struct {
	end      *copyEnd
	cs       *compState
	cx       canon.LiftLowerContext
	ptr      uint64
	n        uint64
	progress uint64
}

func (b *copyBuf) remain() uint64 { return b.n - b.progress }

// copyEnd is a readable or writable end of a stream or future.
type copyEnd struct {
	waitable
	ch       *channel
	readable bool
	state    copyState
	handle   uint32
	// hasEvent says an event is pending: result and, for a stream, the
	// progress of buf when the event is taken.
	hasEvent bool
	result   uint32
	buf      *copyBuf
	// reclaim is set when the pending event is a partial copy: taking
	// it releases the buffer from the channel.
	reclaim bool
}

func (e *copyEnd) eventCode() uint32 {
	switch {
	case e.ch.future && e.readable:
		return eventFutureRead
	case e.ch.future:
		return eventFutureWrite
	case e.readable:
		return eventStreamRead
	}
	return eventStreamWrite
}

// setEvent records the end's copy result, to be taken later.
func (e *copyEnd) setEvent(result uint32, reclaim bool) {
	e.hasEvent, e.result, e.reclaim = true, result, reclaim
}

func (e *copyEnd) pending() bool { return e.hasEvent }

func (e *copyEnd) event() (code, p1, p2 uint32, ok bool) {
	if !e.hasEvent {
		return 0, 0, 0, false
	}
	e.hasEvent = false
	if e.reclaim && e.ch.pending == e.buf {
		e.ch.pending = nil
	}
	payload := e.result
	if e.ch.future {
		if e.result == copyDropped || e.result == copyCompleted {
			e.state = copyDone
		} else {
			e.state = copyIdle
		}
	} else {
		if e.buf != nil {
			payload |= uint32(e.buf.progress) << 4
		}
		if e.result == copyDropped {
			e.state = copyDone
		} else {
			e.state = copyIdle
		}
	}
	e.buf = nil
	return e.eventCode(), e.handle, payload, true
}

// numeric tells a payload that can move between buffers of one instance.
func numeric(t wit.Type) bool {
	switch t {
	case wit.NoneType, wit.U8, wit.U16, wit.U32, wit.U64, wit.S8, wit.S16, wit.S32, wit.S64, wit.F32, wit.F64:
		return true
	}
	return false
}

// transfer moves n values from src to dst.
func (inst *Instance) transfer(ctx context.Context, ch *channel, src, dst *copyBuf, n uint64) error {
	if n == 0 {
		return nil
	}
	if ch.elem != wit.NoneType {
		l, err := inst.c.p.abi.Layout(ch.elem)
		if err != nil {
			return err
		}
		size := l.Size
		if numeric(ch.elem) {
			// Numbers move as bytes; copy is a memmove, so buffers that
			// overlap in one memory get what loading all values first
			// and then storing them gives (the reference's order).
			from, err := src.cx.Region(src.ptr+src.progress*size, n*size, l.Align)
			if err != nil {
				return err
			}
			to, err := dst.cx.Region(dst.ptr+dst.progress*size, n*size, l.Align)
			if err != nil {
				return err
			}
			copy(to, from)
			src.progress += n
			dst.progress += n
			return nil
		}
		for i := uint64(0); i < n; i++ {
			var v canon.Value
			if err := src.cx.LoadInto(ch.elem, src.ptr+(src.progress+i)*size, &v); err != nil {
				return err
			}
			if err := dst.cx.Store(ctx, ch.elem, v, dst.ptr+(dst.progress+i)*size); err != nil {
				return err
			}
		}
	}
	src.progress += n
	dst.progress += n
	return nil
}

// copy starts a read (e readable) or write of buf on e's channel, as
// SharedStreamImpl.read/write and SharedFutureImpl.read/write do.
func (inst *Instance) copy(ctx context.Context, e *copyEnd, buf *copyBuf) error {
	ch := e.ch
	e.buf = buf
	if ch.dropped {
		e.setEvent(copyDropped, false)
		return nil
	}
	p := ch.pending
	if p == nil {
		ch.pending = buf
		return nil
	}
	if p.cs == buf.cs && !numeric(ch.elem) {
		return trapf("cannot read from and write to intra-component future/stream with non-numeric payload")
	}
	src, dst := p, buf
	if !e.readable {
		src, dst = buf, p
	}
	if ch.future {
		if err := inst.transfer(ctx, ch, src, dst, 1); err != nil {
			return err
		}
		ch.pending = nil
		p.end.setEvent(copyCompleted, false)
		e.setEvent(copyCompleted, false)
		return nil
	}
	if p.remain() > 0 {
		if buf.remain() > 0 {
			if err := inst.transfer(ctx, ch, src, dst, min(p.remain(), buf.remain())); err != nil {
				return err
			}
			p.end.setEvent(copyCompleted, true)
		}
		e.setEvent(copyCompleted, false)
		return nil
	}
	if !e.readable && buf.n == 0 && p.n == 0 {
		e.setEvent(copyCompleted, false)
		return nil
	}
	ch.pending = nil
	p.end.setEvent(copyCompleted, false)
	ch.pending = buf
	return nil
}

// dropEnd drops a stream or future end (its channel then tells the other
// end, if it waits).
func dropChannel(e *copyEnd) {
	ch := e.ch
	if ch.dropped {
		return
	}
	ch.dropped = true
	if p := ch.pending; p != nil && p.end != e {
		ch.pending = nil
		p.end.setEvent(copyDropped, false)
	}
}

// streamBuiltin runs the stream and future built-ins.
func (inst *Instance) streamBuiltin(ctx context.Context, t *rtTramp, stack []uint64) error {
	p, cs := t.p, t.comp
	op := p.op
	future := op >= component.CanonFutureNew && op <= component.CanonFutureDropWritable
	what := "stream"
	if future {
		what = "future"
	}
	switch op {
	case component.CanonStreamNew, component.CanonFutureNew:
		if cs.table.Len()+2 > cs.maxHandle {
			return trapf("%s: the handle table holds %d handles, the limit", p.desc, cs.table.Len())
		}
		ch := &channel{future: future, elem: p.elem}
		r := &copyEnd{ch: ch, readable: true}
		w := &copyEnd{ch: ch}
		ri, err := cs.table.Add(r)
		if err != nil {
			return err
		}
		wi, err := cs.table.Add(w)
		if err != nil {
			return err
		}
		r.handle, w.handle = ri, wi
		stack[0] = uint64(ri) | uint64(wi)<<32
		return nil
	}
	i := uint32(stack[0])
	switch op {
	case component.CanonStreamRead, component.CanonStreamWrite, component.CanonFutureRead, component.CanonFutureWrite:
		if !p.opts.async && !inst.asyncState().mayBlock(cs) {
			return trapf("cannot block a synchronous task before returning")
		}
	case component.CanonStreamCancelRead, component.CanonStreamCancelWrite, component.CanonFutureCancelRead, component.CanonFutureCancelWrite:
		if !p.async && !inst.asyncState().mayBlock(cs) {
			return trapf("cannot block a synchronous task before returning")
		}
	}
	readable := op == component.CanonStreamRead || op == component.CanonStreamCancelRead || op == component.CanonStreamDropReadable ||
		op == component.CanonFutureRead || op == component.CanonFutureCancelRead || op == component.CanonFutureDropReadable
	x, err := cs.table.Get(i)
	if err != nil {
		return err
	}
	e, ok := x.(*copyEnd)
	if !ok || e.readable != readable || e.ch.future != future {
		return trapf("%s: handle %d is not the right end of a %s", p.desc, i, what)
	}
	if !sameType(inst.c.p.resolve, e.ch.elem, p.elem, 0) {
		return trapf("%s: handle %d is a %s of another type", p.desc, i, what)
	}
	switch op {
	case component.CanonStreamDropReadable, component.CanonStreamDropWritable,
		component.CanonFutureDropReadable, component.CanonFutureDropWritable:
		if e.state == copyCopying || e.state == copyCancelling {
			return trapf("cannot drop busy %s", what)
		}
		if future && !readable && e.state != copyDone {
			return trapf("cannot drop future write end without first writing a value")
		}
		join(e, nil)
		if _, err := cs.table.Remove(i); err != nil {
			return err
		}
		dropChannel(e)
		return nil
	case component.CanonStreamCancelRead, component.CanonStreamCancelWrite,
		component.CanonFutureCancelRead, component.CanonFutureCancelWrite:
		if e.state != copyCopying {
			return trapf("%s: there is no %s operation to cancel", p.desc, what)
		}
		if e.set != nil && !p.async {
			return trapf("waitable cannot be used synchronously while added to a waitable set")
		}
		e.state = copyCancelling
		if !e.hasEvent {
			if e.ch.pending == e.buf {
				e.ch.pending = nil
			}
			e.setEvent(copyCancelled, false)
		}
		_, _, payload, _ := e.event()
		stack[0] = uint64(payload)
		return nil
	}
	// A read or write.
	if e.state == copyDone {
		switch {
		case future && readable:
			return trapf("cannot read from future after previous read succeeded")
		case future:
			return trapf("cannot write to future after previous write succeeded or readable end dropped")
		case readable:
			return trapf("cannot read from stream after being notified that the writable end dropped")
		}
		return trapf("cannot write to stream after being notified that the readable end dropped")
	}
	if e.state != copyIdle {
		return trapf("cannot have concurrent operations active on a future/stream")
	}
	if e.set != nil && !p.opts.async {
		return trapf("waitable cannot be used synchronously while added to a waitable set")
	}
	n := uint64(1)
	if !future {
		n = uint64(uint32(stack[2]))
		if n > 1<<28-1 {
			return trapf("stream read/write count too large")
		}
	}
	buf := &copyBuf{end: e, cs: cs, cx: t.cx, ptr: uint64(uint32(stack[1])), n: n}
	buf.cx.Borrows = nil
	if p.elem != wit.NoneType && n > 0 {
		l, err := inst.c.p.abi.Layout(p.elem)
		if err != nil {
			return err
		}
		if buf.ptr%uint64(l.Align) != 0 {
			return trapf("%s: pointer %d is not aligned to %d", p.desc, buf.ptr, l.Align)
		}
		if _, err := buf.cx.Region(buf.ptr, n*l.Size, l.Align); err != nil {
			return trapf("%s: buffer out of bounds: %v", p.desc, err)
		}
	}
	e.state = copyCopying
	if err := inst.copy(ctx, e, buf); err != nil {
		return err
	}
	if !e.hasEvent {
		if p.opts.async {
			stack[0] = blocked
			return nil
		}
		cur := inst.asyncState().current()
		if err := inst.blockIn(ctx, cur, func() bool { return e.hasEvent }); err != nil {
			return err
		}
	}
	_, _, payload, _ := e.event()
	stack[0] = uint64(payload)
	return nil
}

// asyncValues moves stream and future ends between handle tables when
// they are lifted and lowered (canon.AsyncValues): a lift takes the
// readable end out of the sender's table into the instance's moved
// ends, a lower puts it into the receiver's.
type asyncValues struct {
	inst *Instance
	cs   *compState
}

func (av *asyncValues) Lift(kind canon.Kind, t wit.Type, i uint32) (uint32, error) {
	if kind == canon.KindErrorContext {
		return 0, trapf("lifting an error-context is not supported")
	}
	cs := av.cs
	x, err := cs.table.Get(i)
	if err != nil {
		return 0, err
	}
	e, ok := x.(*copyEnd)
	future := kind == canon.KindFuture
	what := "stream"
	if future {
		what = "future"
	}
	if !ok || !e.readable || e.ch.future != future {
		return 0, trapf("handle %d is not the readable end of a %s", i, what)
	}
	if e.set != nil {
		return 0, trapf("cannot lift %s while it's in a waitable set", what)
	}
	if e.state == copyDone {
		if future {
			return 0, trapf("cannot lift future after previous read succeeded")
		}
		return 0, trapf("cannot lift stream after being notified that the writable end dropped")
	}
	if e.state != copyIdle {
		return 0, trapf("cannot lift busy %s", what)
	}
	if _, err := cs.table.Remove(i); err != nil {
		return 0, err
	}
	a := av.inst.asyncState()
	a.moved = append(a.moved, e)
	return uint32(len(a.moved) - 1), nil
}

func (av *asyncValues) Lower(kind canon.Kind, t wit.Type, h uint32) (uint32, error) {
	a := av.inst.asyncState()
	if int(h) >= len(a.moved) || a.moved[h] == nil {
		return 0, trapf("no %s with id %d to lower", kind, h)
	}
	e := a.moved[h]
	a.moved[h] = nil
	for len(a.moved) > 0 && a.moved[len(a.moved)-1] == nil {
		a.moved = a.moved[:len(a.moved)-1]
	}
	cs := av.cs
	if cs.table.Len() >= cs.maxHandle {
		return 0, trapf("the handle table holds %d handles, the limit", cs.table.Len())
	}
	i, err := cs.table.Add(e)
	if err != nil {
		return 0, err
	}
	e.handle = i
	return i, nil
}
