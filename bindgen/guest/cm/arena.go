package cm

import (
	"strconv"
	"unsafe"
)

// staticArenaSize is the arena that exists before the Go runtime does: it
// lives in the module's data, so cabi_realloc can hand it out while the
// runtime is still initialising (the preview1 adapter allocates its state
// that early).
const staticArenaSize = 64 << 10

// minChunk is the least a heap chunk of the arena holds.
const minChunk = 64 << 10

// maxAlloc bounds one cabi_realloc request: more than a 32-bit memory can
// hold is a host bug, reported as such instead of attempted.
const maxAlloc = 1 << 31

var staticArena [staticArenaSize / 8]uint64

// initialized is set by this package's init function, which the Go runtime
// runs in _initialize once it can allocate.
var initialized bool

func init() { initialized = true }

// arena is a bump allocator for the memory the host writes arguments and
// results into. Generated code copies values out and then resets it, so a
// block lives from its cabi_realloc to the end of the lowering that asked for
// it.
type arena struct {
	cur  []uint64 // the chunk being bumped; staticArena until it overflows
	off  uintptr  // bytes of cur in use
	keep [][]uint64
	// spare is a heap chunk allocated at a safe point (not during a
	// lowering) so that an overflow does not need the Go heap.
	spare   []uint64
	largest uintptr // the largest overflow seen, to size spare
}

var theArena arena

func alignUp(x, align uintptr) uintptr { return (x + align - 1) &^ (align - 1) }

// alloc returns size bytes aligned to align from the arena.
func (a *arena) alloc(align, size uintptr) unsafe.Pointer {
	if align == 0 || align&(align-1) != 0 {
		panic("cm: cabi_realloc: alignment " + strconv.FormatUint(uint64(align), 10) + " is not a power of two")
	}
	if size > maxAlloc {
		panic("cm: cabi_realloc: " + strconv.FormatUint(uint64(size), 10) + " bytes requested, more than a 32-bit memory can hold")
	}
	if a.cur == nil {
		a.cur = staticArena[:]
	}
	if p := a.bump(align, size); p != nil {
		return p
	}
	need := size + align
	switch {
	case uintptr(len(a.spare))*8 >= need:
		a.keep = append(a.keep, a.spare)
		a.cur, a.spare = a.spare, nil
	case !initialized:
		panic("cm: cabi_realloc: " + strconv.FormatUint(uint64(size), 10) + " bytes requested before the Go runtime is initialised; the static arena holds " + strconv.Itoa(staticArenaSize))
	default:
		// Last resort: the Go heap, which may run the garbage collector.
		// refill sizes the next spare from this so it happens once.
		n := max(need, minChunk)
		c := make([]uint64, (n+7)/8)
		a.keep = append(a.keep, c)
		a.cur = c
	}
	a.largest = max(a.largest, need)
	a.off = 0
	return a.bump(align, size)
}

// bump allocates from the current chunk, or returns nil when it is full.
func (a *arena) bump(align, size uintptr) unsafe.Pointer {
	base := unsafe.Pointer(unsafe.SliceData(a.cur))
	start := alignUp(uintptr(base)+a.off, align) - uintptr(base)
	if start > uintptr(len(a.cur))*8 || size > uintptr(len(a.cur))*8-start {
		return nil
	}
	a.off = start + size
	if size == 0 {
		// A zero-sized block: any aligned address in the chunk will do.
		return unsafe.Add(base, start&^7)
	}
	return unsafe.Add(base, start)
}

// realloc implements cabi_realloc on the arena.
func (a *arena) realloc(old unsafe.Pointer, oldSize, align, newSize uintptr) unsafe.Pointer {
	if old != nil && newSize <= oldSize {
		return old
	}
	p := a.alloc(align, newSize)
	if old != nil && oldSize > 0 {
		copy(unsafe.Slice((*byte)(p), oldSize), unsafe.Slice((*byte)(old), oldSize))
	}
	return p
}

// reset forgets every block: their contents have been copied out.
func (a *arena) reset() {
	a.cur = staticArena[:]
	a.off = 0
	for _, c := range a.keep {
		if len(c) > len(a.spare) {
			a.spare = c
		}
	}
	clear(a.keep)
	a.keep = a.keep[:0]
}

// refill prepares a spare chunk as large as the largest overflow so far, at a
// point where allocating from the Go heap is safe.
func (a *arena) refill() {
	if !initialized || a.largest == 0 || uintptr(len(a.spare))*8 >= a.largest {
		return
	}
	a.spare = make([]uint64, (max(a.largest, minChunk)+7)/8)
}

// ResetArena releases every block cabi_realloc handed out, once generated code
// has copied the values in them; it is also a safe point to prepare memory for
// the next lowering.
func ResetArena() {
	theArena.reset()
	theArena.refill()
}

// ArenaInUse is how many bytes of the arena's current chunk are handed out.
func ArenaInUse() uintptr { return theArena.off }
