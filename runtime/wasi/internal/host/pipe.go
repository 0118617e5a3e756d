package host

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// Pipe is a bounded byte pipe whose writing end is an OutputStream of the
// guest and whose reading end is an io.Reader for a Go consumer (an HTTP
// body on its way to the network). The guest never blocks in Write:
// CheckWrite grants what the buffer has room for, and the stream's pollable
// is ready once the consumer made room, so a guest streams a body of any
// size through a buffer of fixed size.
type Pipe struct {
	mu      sync.Mutex
	buf     []byte
	max     int
	wclosed bool  // the writer finished: the reader sees werr or io.EOF after buf
	werr    error // why the body ended short, when it did
	rerr    error // the reader went away: writes fail with it
	written int64 // bytes the writer has written, in all
	budget  *Budget
	changed chan struct{}
}

// Budget bounds the bytes a guest's pipes (and whatever else shares it)
// hold in host memory at once, so that a guest opening many bodies cannot
// make the host buffer a megabyte for each. The zero value has no room.
type Budget struct {
	Max  int64
	used atomic.Int64
}

// Take reserves n bytes, or reports that they do not fit.
func (b *Budget) Take(n int) bool {
	if b == nil {
		return true
	}
	if b.used.Add(int64(n)) > b.Max {
		b.used.Add(-int64(n))
		return false
	}
	return true
}

// Give returns n bytes taken before.
func (b *Budget) Give(n int) {
	if b != nil {
		b.used.Add(-int64(n))
	}
}

// Avail is what Take would grant now.
func (b *Budget) Avail() int64 {
	if b == nil {
		return 1 << 62
	}
	return max(b.Max-b.used.Load(), 0)
}

// Reset forgets what was taken, for a host serving a new guest.
func (b *Budget) Reset() { b.used.Store(0) }

// ErrBudget is the failure of a write that the budget has no room for.
var ErrBudget = errors.New("the host's memory budget for this guest's buffers is used up")

// NewPipe returns a pipe buffering up to capacity bytes, charged to budget
// (nil for none).
func NewPipe(capacity int, budget *Budget) *Pipe {
	return &Pipe{max: capacity, budget: budget, changed: make(chan struct{})}
}

// signal wakes everyone waiting on the pipe. Called with p.mu held.
func (p *Pipe) signal() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// Read implements io.Reader: it blocks until bytes, the end, or an error.
func (p *Pipe) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.buf) == 0 {
		if p.wclosed {
			if p.werr != nil {
				return 0, p.werr
			}
			return 0, io.EOF
		}
		if p.rerr != nil {
			return 0, p.rerr
		}
		ch := p.changed
		p.mu.Unlock()
		<-ch
		p.mu.Lock()
	}
	n := copy(b, p.buf)
	p.buf = p.buf[n:]
	p.budget.Give(n)
	if len(p.buf) == 0 {
		p.buf = nil // let the backing array go between bursts
	}
	p.signal()
	return n, nil
}

// CloseWrite ends the body: the reader gets err (io.EOF when nil) after the
// buffered bytes. Later calls change nothing.
func (p *Pipe) CloseWrite(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.wclosed {
		return
	}
	p.wclosed, p.werr = true, err
	p.signal()
}

// CloseRead tells the writer the consumer is gone: its next operation
// fails with err (last-operation-failed), and what was buffered is dropped.
func (p *Pipe) CloseRead(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.rerr == nil {
		p.rerr = err
	}
	p.budget.Give(len(p.buf))
	p.buf = nil
	p.signal()
}

// Close implements io.Closer for the reading end (an http.Request body).
func (p *Pipe) Close() error {
	p.CloseRead(io.ErrClosedPipe)
	return nil
}

// Written returns how many bytes the writer has written.
func (p *Pipe) Written() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.written
}

// Settle waits until the writer has written something or finished. When
// it finished cleanly with everything still buffered, it returns those
// bytes and true: the whole body, whose length is then known.
func (p *Pipe) Settle(ctx context.Context) ([]byte, bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.buf) == 0 && !p.wclosed && p.rerr == nil {
		ch := p.changed
		p.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			p.mu.Lock()
			return nil, false, ctx.Err()
		}
		p.mu.Lock()
	}
	if p.wclosed && p.werr == nil && int64(len(p.buf)) == p.written {
		return p.buf, true, nil
	}
	return nil, false, nil
}

// Stream returns the writing end as a guest output-stream. Dropping the
// stream does not end the body; CloseWrite does.
func (p *Pipe) Stream() OutputStream { return pipeStream{p} }

type pipeStream struct{ p *Pipe }

// state reports a reason the stream cannot be written. Called with p.mu held.
func (p *Pipe) state() error {
	if p.rerr != nil {
		return &StreamError{p.rerr}
	}
	if p.wclosed {
		return ErrClosed
	}
	return nil
}

func (s pipeStream) CheckWrite() (uint64, error) {
	p := s.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.state(); err != nil {
		return 0, err
	}
	room := int64(p.max - len(p.buf))
	if avail := p.budget.Avail(); avail < room {
		if avail == 0 && len(p.buf) == 0 {
			// Nothing of this pipe's can free room: waiting would hang.
			return 0, &StreamError{ErrBudget}
		}
		room = avail
	}
	return uint64(room), nil
}

func (s pipeStream) Write(contents []byte) error {
	p := s.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.state(); err != nil {
		return err
	}
	if room := p.max - len(p.buf); len(contents) > room {
		return &TrapError{fmt.Sprintf("wasi:io/streams: write of %d bytes, more than the permit of %d", len(contents), room)}
	}
	if len(contents) == 0 {
		return nil
	}
	if !p.budget.Take(len(contents)) {
		return &TrapError{fmt.Sprintf("wasi:io/streams: write of %d bytes, more than the permit of %d", len(contents), p.budget.Avail())}
	}
	p.buf = append(p.buf, contents...)
	p.written += int64(len(contents))
	p.signal()
	return nil
}

// Flush has nothing to push: the reader takes bytes as they come.
func (s pipeStream) Flush() error {
	p := s.p
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state()
}

// BlockingFlush waits until the reader has taken everything written.
func (s pipeStream) BlockingFlush(ctx context.Context) error {
	p := s.p
	p.mu.Lock()
	for {
		if err := p.state(); err != nil {
			p.mu.Unlock()
			return err
		}
		if len(p.buf) == 0 {
			p.mu.Unlock()
			return nil
		}
		ch := p.changed
		p.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
		p.mu.Lock()
	}
}

func (s pipeStream) Subscribe() Pollable { return pipeWritable{s.p} }
func (s pipeStream) Close() error        { return nil }

// pipeWritable is ready when a write is permitted or would fail.
type pipeWritable struct{ p *Pipe }

func (w pipeWritable) Ready() bool {
	p := w.p
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state() != nil || len(p.buf) < p.max
}

func (w pipeWritable) Wait() (<-chan struct{}, time.Time) {
	p := w.p
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.changed, time.Time{}
}

// Signal is a pollable that becomes ready once, when its channel closes:
// a response arriving, trailers received.
type Signal <-chan struct{}

// Ready implements Pollable.
func (s Signal) Ready() bool {
	select {
	case <-s:
		return true
	default:
		return false
	}
}

// Wait implements Pollable.
func (s Signal) Wait() (<-chan struct{}, time.Time) { return s, time.Time{} }
