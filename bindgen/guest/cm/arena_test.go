package cm

import (
	"testing"
	"unsafe"
)

// TestArenaEarlyBlocksKept: blocks handed out before the runtime is
// initialised (an adapter's state and stack) survive every reset, and later
// lowerings get memory after them.
func TestArenaEarlyBlocksKept(t *testing.T) {
	var a arena
	initialized = false
	state := a.alloc(8, 64<<10)
	stack := a.alloc(8, 64<<10)
	initialized = true
	end := uintptr(stack) + 64<<10
	for i := 0; i < 3; i++ {
		a.reset()
		p := a.alloc(1, 100)
		if uintptr(p) < end {
			t.Fatalf("round %d: a lowering got %#x, inside the early blocks (%#x..%#x)", i, uintptr(p), uintptr(state), end)
		}
	}
	// Too much before initialisation is refused with a message, not
	// taken from the Go heap.
	var b arena
	initialized = false
	defer func() {
		initialized = true
		if recover() == nil {
			t.Error("an early allocation larger than the static arena did not panic")
		}
	}()
	b.alloc(8, staticArenaSize+8)
}

// TestArenaOverflow: a request larger than the static arena's room comes
// from the heap, and after a reset the static arena is used again.
func TestArenaOverflow(t *testing.T) {
	var a arena
	static := uintptr(unsafe.Pointer(&staticArena[0]))
	inStatic := func(p unsafe.Pointer) bool {
		return uintptr(p) >= static && uintptr(p) < static+staticArenaSize
	}
	if p := a.alloc(8, 16); !inStatic(p) {
		t.Fatal("a small block is not in the static arena")
	}
	if p := a.alloc(8, staticArenaSize); inStatic(p) {
		t.Fatal("a block larger than the static arena is inside it")
	}
	a.reset()
	a.refill()
	if p := a.alloc(8, 16); !inStatic(p) {
		t.Fatal("after a reset a small block is not in the static arena")
	}
	if len(a.spare)*8 < staticArenaSize {
		t.Errorf("the spare chunk holds %d bytes, less than the largest overflow", len(a.spare)*8)
	}
}
