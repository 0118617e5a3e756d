package host

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"
)

// Pollable is wasi:io/poll.pollable: something a guest can wait for.
type Pollable interface {
	// Ready reports, without blocking, whether the event has happened.
	Ready() bool
	// Wait tells how to wait for the event: a channel that is closed or
	// receives when it may have happened, a deadline, or both (zero values
	// for neither). Poll checks Ready again after waking, so a spurious
	// wake-up is harmless.
	Wait() (<-chan struct{}, time.Time)
}

// ReadyPollable is always ready: files and other sources that never block.
type ReadyPollable struct{}

// Ready implements Pollable.
func (ReadyPollable) Ready() bool { return true }

// Wait implements Pollable.
func (ReadyPollable) Wait() (<-chan struct{}, time.Time) { return nil, time.Time{} }

// Timer becomes ready at a deadline of the Go monotonic clock.
type Timer struct{ Deadline time.Time }

// Ready implements Pollable.
func (t Timer) Ready() bool { return !time.Now().Before(t.Deadline) }

// Wait implements Pollable.
func (t Timer) Wait() (<-chan struct{}, time.Time) { return nil, t.Deadline }

// ErrEmptyPoll is the trap of poll on an empty list: it would wait forever.
var ErrEmptyPoll = errors.New("wasi:io/poll: poll called with an empty list")

// maxPollList bounds a poll list; the ABI allows u32 indices.
const maxPollList = 1<<32 - 1

// Poll is wasi:io/poll.poll: it blocks until at least one pollable is ready
// and returns the indices of the ready ones, in order. It returns ctx.Err()
// when the context ends first, so a cancelled guest does not hang.
func Poll(ctx context.Context, ps []Pollable) ([]uint32, error) {
	if len(ps) == 0 {
		return nil, ErrEmptyPoll
	}
	if uint64(len(ps)) > maxPollList {
		return nil, fmt.Errorf("wasi:io/poll: %d pollables do not fit u32 indices", len(ps))
	}
	var cases []reflect.SelectCase
	for {
		var ready []uint32
		for i, p := range ps {
			if p.Ready() {
				ready = append(ready, uint32(i))
			}
		}
		if len(ready) > 0 {
			return ready, nil
		}
		// Nothing is ready: wait on every channel, the earliest deadline and
		// the context at once.
		cases = cases[:0]
		var earliest time.Time
		for _, p := range ps {
			ch, dl := p.Wait()
			if ch != nil {
				cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ch)})
			}
			if !dl.IsZero() && (earliest.IsZero() || dl.Before(earliest)) {
				earliest = dl
			}
		}
		if err := waitAny(ctx, cases, earliest); err != nil {
			return nil, err
		}
	}
}

// Block is pollable.block: wait until p is ready.
func Block(ctx context.Context, p Pollable) error {
	for !p.Ready() {
		ch, dl := p.Wait()
		var timer <-chan time.Time
		if !dl.IsZero() {
			t := time.NewTimer(time.Until(dl))
			defer t.Stop()
			timer = t.C
		}
		select {
		case <-ch:
		case <-timer:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func waitAny(ctx context.Context, cases []reflect.SelectCase, deadline time.Time) error {
	if !deadline.IsZero() {
		t := time.NewTimer(time.Until(deadline))
		defer t.Stop()
		cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(t.C)})
	}
	done := len(cases)
	cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ctx.Done())})
	chosen, _, _ := reflect.Select(cases)
	if chosen == done {
		return ctx.Err()
	}
	return nil
}
