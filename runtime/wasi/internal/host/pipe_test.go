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
	p := NewPipe(8)
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

	p = NewPipe(8)
	p.Stream().Write([]byte("ab"))
	p.CloseWrite(errors.New("cut"))
	b, err = io.ReadAll(p)
	if string(b) != "ab" || err == nil || err.Error() != "cut" {
		t.Fatalf("failed end: %q %v", b, err)
	}

	p = NewPipe(8)
	p.CloseRead(errors.New("gone"))
	var se *StreamError
	if err := p.Stream().Write([]byte("x")); !errors.As(err, &se) || !p.Stream().Subscribe().Ready() {
		t.Fatalf("write after the reader left: %v", err)
	}

	p = NewPipe(8)
	p.Stream().Write([]byte("all"))
	p.CloseWrite(nil)
	if all, complete, err := p.Settle(context.Background()); string(all) != "all" || !complete || err != nil {
		t.Fatalf("settle: %q %v %v", all, complete, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, _, err := NewPipe(8).Settle(ctx); err == nil {
		t.Fatal("settle of an idle pipe did not end with its context")
	}
}
