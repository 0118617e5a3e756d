package host

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"
)

// TestPipe: the write permit is the room left, the pollable waits for the
// reader to make room, the reader sees the bytes then the writer's end
// (clean or failed), and a reader that goes away fails the next write.
func TestPipe(t *testing.T) {
	p := NewPipe(8, nil)
	s := p.Stream()
	if n, err := s.CheckWrite(); n != 8 || err != nil {
		t.Fatalf("permit %d %v", n, err)
	}
	if err := s.Write([]byte("12345678")); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CheckWrite(); n != 0 || s.Subscribe().Ready() {
		t.Fatalf("full pipe: permit %d, ready %v", n, s.Subscribe().Ready())
	}
	var te *TrapError
	if err := s.Write([]byte("9")); !errors.As(err, &te) {
		t.Fatalf("write above the permit: %v", err)
	}
	go func() {
		time.Sleep(10 * time.Millisecond)
		b := make([]byte, 3)
		p.Read(b)
	}()
	if err := Block(context.Background(), s.Subscribe()); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CheckWrite(); n != 3 {
		t.Fatalf("permit after a read of 3: %d", n)
	}
	s.Write([]byte("9"))
	p.CloseWrite(nil)
	if _, err := s.CheckWrite(); err != ErrClosed {
		t.Fatalf("after the end: %v", err)
	}
	b, err := io.ReadAll(p)
	if string(b) != "456789" || err != nil || p.Written() != 9 {
		t.Fatalf("%q %v written %d", b, err, p.Written())
	}

	p = NewPipe(8, nil)
	p.Stream().Write([]byte("ab"))
	p.CloseWrite(errors.New("cut"))
	b, err = io.ReadAll(p)
	if string(b) != "ab" || err == nil || err.Error() != "cut" {
		t.Fatalf("failed end: %q %v", b, err)
	}

	p = NewPipe(8, nil)
	p.CloseRead(errors.New("gone"))
	var se *StreamError
	if err := p.Stream().Write([]byte("x")); !errors.As(err, &se) || !p.Stream().Subscribe().Ready() {
		t.Fatalf("write after the reader left: %v", err)
	}

	p = NewPipe(8, nil)
	p.Stream().Write([]byte("all"))
	p.CloseWrite(nil)
	if all, complete, err := p.Settle(context.Background()); string(all) != "all" || !complete || err != nil {
		t.Fatalf("settle: %q %v %v", all, complete, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, _, err := NewPipe(8, nil).Settle(ctx); err == nil {
		t.Fatal("settle of an idle pipe did not end with its context")
	}
}

// TestPipeBudget: pipes sharing a budget get permits of what is left, a
// write above it traps, reads give it back, and a pipe that can never get
// room fails instead of waiting forever.
func TestPipeBudget(t *testing.T) {
	b := &Budget{Max: 10}
	p1, p2 := NewPipe(8, b), NewPipe(8, b)
	p1.Stream().Write([]byte("12345678"))
	if n, err := p2.Stream().CheckWrite(); n != 2 || err != nil {
		t.Fatalf("permit %d %v", n, err)
	}
	var te *TrapError
	if err := p2.Stream().Write([]byte("abc")); !errors.As(err, &te) {
		t.Fatalf("write above the budget: %v", err)
	}
	p2.Stream().Write([]byte("ab"))
	p3 := NewPipe(8, b)
	var se *StreamError
	if _, err := p3.Stream().CheckWrite(); !errors.As(err, &se) || !errors.Is(err, ErrBudget) {
		t.Fatalf("empty pipe, no budget: %v", err)
	}
	buf := make([]byte, 4)
	p1.Read(buf)
	if n, _ := p3.Stream().CheckWrite(); n != 4 {
		t.Fatalf("permit after a read gave 4 back: %d", n)
	}
	p1.CloseRead(io.ErrClosedPipe)
	if n, _ := p3.Stream().CheckWrite(); n != 8 {
		t.Fatalf("permit after the reader left: %d", n)
	}
}
