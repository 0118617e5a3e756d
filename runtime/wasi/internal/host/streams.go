package host

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// ErrClosed is stream-error.closed: the stream has ended (EOF for input,
// a closed destination for output) and will give nothing more.
var ErrClosed = errors.New("stream closed")

// StreamError is stream-error.last-operation-failed: Err is the payload
// behind the wasi:io/error resource the guest receives. The stream is
// closed after it.
type StreamError struct{ Err error }

func (e *StreamError) Error() string { return "last operation failed: " + e.Err.Error() }
func (e *StreamError) Unwrap() error { return e.Err }

// TrapError is a guest mistake the spec makes a trap (a write above the
// permit, a blocking write of more than 4096 bytes).
type TrapError struct{ Msg string }

func (e *TrapError) Error() string { return e.Msg }

// MaxRead is the most one read or skip returns. The guest asks for a u64;
// the host never allocates by that number.
const MaxRead = 1 << 20

// WritePermit is what check-write grants on streams that write through at
// once; BlockingLimit is the spec's 4096-byte cap of blocking-write-and-flush.
const (
	WritePermit   = 1 << 20
	BlockingLimit = 4096
)

// InputStream is wasi:io/streams.input-stream.
type InputStream interface {
	// Read returns up to n bytes without blocking (possibly none), ErrClosed
	// at the end, or a *StreamError.
	Read(n uint64) ([]byte, error)
	// BlockingRead waits until at least one byte or the end.
	BlockingRead(ctx context.Context, n uint64) ([]byte, error)
	// Subscribe returns a pollable ready when Read would give data or an error.
	Subscribe() Pollable
	// Close releases what the stream holds.
	Close() error
}

// OutputStream is wasi:io/streams.output-stream.
type OutputStream interface {
	// CheckWrite returns how many bytes the next Write may take.
	CheckWrite() (uint64, error)
	// Write writes contents; more than the permit traps.
	Write(contents []byte) error
	// Flush requests buffered output to reach its destination.
	Flush() error
	// BlockingFlush flushes and waits for it.
	BlockingFlush(ctx context.Context) error
	// Subscribe returns a pollable ready when CheckWrite permits a write.
	Subscribe() Pollable
	// Close flushes and releases the stream.
	Close() error
}

// Skip is input-stream.skip in terms of Read.
func Skip(s InputStream, n uint64) (uint64, error) {
	b, err := s.Read(n)
	return uint64(len(b)), err
}

// BlockingSkip is input-stream.blocking-skip.
func BlockingSkip(ctx context.Context, s InputStream, n uint64) (uint64, error) {
	b, err := s.BlockingRead(ctx, n)
	return uint64(len(b)), err
}

// BlockingWriteAndFlush is output-stream.blocking-write-and-flush: wait for
// a permit, write, flush, wait for the flush, for up to 4096 bytes.
func BlockingWriteAndFlush(ctx context.Context, s OutputStream, contents []byte) error {
	if len(contents) > BlockingLimit {
		return &TrapError{fmt.Sprintf("wasi:io/streams: blocking-write-and-flush of %d bytes, more than 4096", len(contents))}
	}
	for len(contents) > 0 {
		n, err := blockingCheckWrite(ctx, s)
		if err != nil {
			return err
		}
		if n > uint64(len(contents)) {
			n = uint64(len(contents))
		}
		if err := s.Write(contents[:n]); err != nil {
			return err
		}
		contents = contents[n:]
	}
	return s.BlockingFlush(ctx)
}

func blockingCheckWrite(ctx context.Context, s OutputStream) (uint64, error) {
	for {
		n, err := s.CheckWrite()
		if err != nil || n > 0 {
			return n, err
		}
		if err := Block(ctx, s.Subscribe()); err != nil {
			return 0, err
		}
	}
}

var zeroes [BlockingLimit]byte

// WriteZeroes is output-stream.write-zeroes.
func WriteZeroes(s OutputStream, n uint64) error {
	permit, err := s.CheckWrite()
	if err != nil {
		return err
	}
	if n > permit {
		return &TrapError{fmt.Sprintf("wasi:io/streams: write-zeroes of %d bytes, more than the permit of %d", n, permit)}
	}
	for n > 0 {
		k := min(n, uint64(len(zeroes)))
		if err := s.Write(zeroes[:k]); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

// BlockingWriteZeroesAndFlush is output-stream.blocking-write-zeroes-and-flush.
func BlockingWriteZeroesAndFlush(ctx context.Context, s OutputStream, n uint64) error {
	if n > BlockingLimit {
		return &TrapError{fmt.Sprintf("wasi:io/streams: blocking-write-zeroes-and-flush of %d bytes, more than 4096", n)}
	}
	return BlockingWriteAndFlush(ctx, s, zeroes[:n])
}

// Splice is output-stream.splice: move up to n bytes from src without
// blocking, bounded by the write permit.
func Splice(dst OutputStream, src InputStream, n uint64) (uint64, error) {
	permit, err := dst.CheckWrite()
	if err != nil {
		return 0, err
	}
	n = min(n, permit)
	if n == 0 {
		return 0, nil
	}
	b, err := src.Read(n)
	if err != nil {
		return 0, err
	}
	if err := dst.Write(b); err != nil {
		return 0, err
	}
	return uint64(len(b)), nil
}

// BlockingSplice is output-stream.blocking-splice.
func BlockingSplice(ctx context.Context, dst OutputStream, src InputStream, n uint64) (uint64, error) {
	permit, err := blockingCheckWrite(ctx, dst)
	if err != nil {
		return 0, err
	}
	n = min(n, permit)
	if n == 0 {
		return 0, nil
	}
	b, err := src.BlockingRead(ctx, n)
	if err != nil {
		return 0, err
	}
	if err := dst.Write(b); err != nil {
		return 0, err
	}
	return uint64(len(b)), nil
}

// NewReaderStream returns an input stream reading r. Readers that never
// block (bytes.Reader, strings.Reader, bytes.Buffer) are read in place; any
// other reader is read by a goroutine one chunk ahead of the guest, so that
// read and poll never block the guest on it. A nil r is an empty stream.
func NewReaderStream(r io.Reader) InputStream {
	switch r.(type) {
	case nil:
		return &syncReader{r: bytes.NewReader(nil)}
	case *bytes.Reader, *strings.Reader, *bytes.Buffer:
		return &syncReader{r: r}
	}
	return &asyncReader{r: r}
}

// syncReader reads a reader that answers at once.
type syncReader struct {
	mu     sync.Mutex
	r      io.Reader
	closed bool
}

func (s *syncReader) Read(n uint64) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	if n == 0 {
		return []byte{}, nil
	}
	buf := make([]byte, min(n, MaxRead))
	k, err := s.r.Read(buf)
	if k > 0 {
		return buf[:k], nil
	}
	if err == io.EOF || err == nil {
		s.closed = true
		return nil, ErrClosed
	}
	s.closed = true
	return nil, &StreamError{err}
}

func (s *syncReader) BlockingRead(_ context.Context, n uint64) ([]byte, error) {
	return s.Read(n)
}
func (s *syncReader) Subscribe() Pollable { return ReadyPollable{} }
func (s *syncReader) Close() error        { return nil }

// asyncReader reads a reader that may block (a pipe, a terminal) from a
// goroutine, one chunk at a time and only when the guest asks, so no more
// is taken from the reader than the guest is about to see.
type asyncReader struct {
	mu      sync.Mutex
	r       io.Reader
	buf     []byte
	err     error // io.EOF or the reader's error, once seen
	reading bool
	ready   chan struct{} // closed when the running read finishes
}

// fill starts a background read when none is running and nothing is
// buffered. It is called with s.mu held.
func (s *asyncReader) fill() {
	if s.reading || len(s.buf) > 0 || s.err != nil {
		return
	}
	s.reading = true
	s.ready = make(chan struct{})
	go func(ready chan struct{}) {
		chunk := make([]byte, 64<<10)
		k, err := s.r.Read(chunk)
		s.mu.Lock()
		s.buf = append(s.buf, chunk[:k]...)
		if err != nil {
			s.err = err
		} else if k == 0 {
			// A reader returning (0, nil) is asked again next time.
		}
		s.reading = false
		close(ready)
		s.mu.Unlock()
	}(s.ready)
}

func (s *asyncReader) Read(n uint64) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.buf) > 0 {
		k := min(n, uint64(len(s.buf)), MaxRead)
		out := bytes.Clone(s.buf[:k])
		s.buf = s.buf[k:]
		return out, nil
	}
	if s.err != nil {
		if s.err == io.EOF {
			return nil, ErrClosed
		}
		err := s.err
		s.err = io.EOF // closed after reporting the failure once
		return nil, &StreamError{err}
	}
	s.fill()
	return []byte{}, nil
}

func (s *asyncReader) BlockingRead(ctx context.Context, n uint64) ([]byte, error) {
	for {
		b, err := s.Read(n)
		if err != nil || len(b) > 0 || n == 0 {
			return b, err
		}
		if err := Block(ctx, s.Subscribe()); err != nil {
			return nil, err
		}
	}
}

func (s *asyncReader) Ready() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.buf) > 0 || s.err != nil {
		return true
	}
	s.fill()
	return false
}

func (s *asyncReader) Wait() (<-chan struct{}, time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fill()
	return s.ready, time.Time{}
}

func (s *asyncReader) Subscribe() Pollable { return s }
func (s *asyncReader) Close() error        { return nil }

// NewWriterStream returns an output stream writing through to w: every write
// reaches w before the call returns, so nothing is lost when the guest exits
// or traps.
func NewWriterStream(w io.Writer) OutputStream {
	if w == nil {
		w = io.Discard
	}
	return &writerStream{w: w}
}

type writerStream struct {
	mu     sync.Mutex
	w      io.Writer
	closed bool
	failed error // a failure not yet reported
}

func (s *writerStream) CheckWrite() (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.take(); err != nil {
		return 0, err
	}
	return WritePermit, nil
}

// take reports a pending failure once, then closed. Called with s.mu held.
func (s *writerStream) take() error {
	if s.failed != nil {
		err := s.failed
		s.failed = nil
		return &StreamError{err}
	}
	if s.closed {
		return ErrClosed
	}
	return nil
}

func (s *writerStream) Write(contents []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.take(); err != nil {
		return err
	}
	if len(contents) > WritePermit {
		return &TrapError{fmt.Sprintf("wasi:io/streams: write of %d bytes, more than the permit of %d", len(contents), WritePermit)}
	}
	if _, err := s.w.Write(contents); err != nil {
		s.closed = true
		return &StreamError{err}
	}
	return nil
}

func (s *writerStream) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.take(); err != nil {
		return err
	}
	if f, ok := s.w.(interface{ Flush() error }); ok {
		if err := f.Flush(); err != nil {
			s.closed = true
			return &StreamError{err}
		}
	}
	return nil
}

func (s *writerStream) BlockingFlush(context.Context) error { return s.Flush() }
func (s *writerStream) Subscribe() Pollable                 { return ReadyPollable{} }
func (s *writerStream) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.w.(interface{ Flush() error }); ok && !s.closed {
		return f.Flush()
	}
	return nil
}
