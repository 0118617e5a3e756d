package runtime

import "github.com/tetratelabs/wazero/experimental"

// Linear memories are allocated with room to grow. Guests commonly grow
// their memory by a page or two right after they start (a preview-1
// adapter takes a page for its state, then the program's allocator
// another), and wazero's default allocation has exactly the initial size,
// so the first growth copies the whole memory. A memory here starts with
// room for two more pages (an eighth of its size at most, so that small
// memories stay small; within its maximum), and grows by a quarter when it
// must move, as append does. Measured on a hello command component (17
// pages, grown twice by the adapter and the program), this halves the CPU
// time of startup to exit.

const pageSize = 65536

// memoryAllocator is the wazero allocator of every core instance's memory.
type memoryAllocator struct{}

func (memoryAllocator) Allocate(size, max uint64) experimental.LinearMemory {
	return &linearMemory{buf: make([]byte, size, roomFor(size, min(size/8, 2*pageSize), max)), max: max}
}

// roomFor is size plus extra, within max.
func roomFor(size, extra, max uint64) uint64 {
	if c := size + extra; c < max {
		return c
	}
	return max
}

// linearMemory is a memory in a Go slice with spare capacity.
type linearMemory struct {
	buf []byte
	max uint64
}

func (m *linearMemory) Reallocate(size uint64) []byte {
	if size <= uint64(cap(m.buf)) {
		m.buf = m.buf[:size]
		return m.buf
	}
	c := max(size, uint64(cap(m.buf))+uint64(cap(m.buf))/4)
	if m.max != 0 && c > m.max && size <= m.max {
		c = m.max
	}
	nb := make([]byte, size, c)
	copy(nb, m.buf)
	m.buf = nb
	return nb
}

// Free leaves the memory to the garbage collector: host code may still
// hold a view of it.
func (m *linearMemory) Free() { m.buf = nil }
