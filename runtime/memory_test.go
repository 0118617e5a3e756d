package runtime

import (
	"bytes"
	"testing"
)

func TestLinearMemoryGrowth(t *testing.T) {
	const max = 40 * pageSize
	m := memoryAllocator{}.Allocate(17*pageSize, max).(*linearMemory)
	if len(m.buf) != 17*pageSize || cap(m.buf) != 19*pageSize {
		t.Fatalf("17 pages: len %d cap %d, want 17 pages with room for 2 more", len(m.buf)/pageSize, cap(m.buf)/pageSize)
	}
	m.buf[0], m.buf[len(m.buf)-1] = 1, 2
	first := &m.buf[0]
	b := m.Reallocate(19 * pageSize)
	if &b[0] != first || len(b) != 19*pageSize {
		t.Fatalf("growing into the room moved the memory or gave %d pages", len(b)/pageSize)
	}
	b = m.Reallocate(25 * pageSize)
	if &b[0] == first || len(b) != 25*pageSize || b[0] != 1 || b[17*pageSize-1] != 2 || !bytes.Equal(b[17*pageSize:], make([]byte, 8*pageSize)) {
		t.Fatalf("growing past the room: %d pages, contents not kept or not zero", len(b)/pageSize)
	}
	if cap(b) > max {
		t.Fatalf("capacity %d pages past the maximum", cap(b)/pageSize)
	}
	b = m.Reallocate(max)
	if len(b) != max || b[0] != 1 {
		t.Fatalf("growing to the maximum: %d pages", len(b)/pageSize)
	}
	// A one-page memory gets an eighth of a page of room, not two pages.
	if s := (memoryAllocator{}).Allocate(pageSize, max).(*linearMemory); cap(s.buf) != pageSize+pageSize/8 {
		t.Fatalf("one page: capacity %d bytes", cap(s.buf))
	}
	// The room never passes the maximum.
	if s := (memoryAllocator{}).Allocate(17*pageSize, 17*pageSize).(*linearMemory); cap(s.buf) != 17*pageSize {
		t.Fatalf("at its maximum: capacity %d pages", cap(s.buf)/pageSize)
	}
}
