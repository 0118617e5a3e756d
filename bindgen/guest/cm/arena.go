package cm

import (
	"runtime/debug"
	"strconv"
	"unsafe"
)

// staticArenaSize is the arena that exists before the Go runtime does: it
// lives in the module's data, so cabi_realloc can hand it out while the
// runtime is still initialising. A preview-1 adapter allocates then, for
// good: the reference adapter takes a 64 KiB page for its state and another
// for its stack; what is left is the first chunk of every lowering.
const staticArenaSize = 256 << 10

// lazyGC is the GC percentage while cabi_realloc takes memory from the Go
// heap: so large that the allocation starts no collection, and that the
// heap's growth is not followed by eager scavenging (which reads the
// clocks). Turning the collector off (-1) does not do the latter: the
// scavenger's goal, computed from an infinite heap goal, overflows.
const lazyGC = 1 << 30

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
	cur []uint64 // the chunk being bumped; staticArena until it overflows
	off uintptr  // bytes of cur in use
	// floor is where staticArena's reusable part starts: blocks handed out
	// before the Go runtime is initialised belong to adapters, which keep
	// them for ever (their state and stack), so reset never goes below.
	floor uintptr
	keep  [][]uint64
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
		if !initialized {
			a.floor = a.off
		}
		return p
	}
	need := size + align
	switch {
	case uintptr(len(a.spare))*8 >= need:
		a.keepChunk(a.spare)
		a.cur, a.spare = a.spare, nil
	case !initialized:
		panic("cm: cabi_realloc: " + strconv.FormatUint(uint64(size), 10) + " bytes requested before the Go runtime is initialised; the static arena holds " + strconv.Itoa(staticArenaSize) + ", of which " + strconv.FormatUint(uint64(a.off), 10) + " are taken")
	default:
		// Last resort: the Go heap, with the collector off so that the
		// allocation cannot start a collection, which would call WASI
		// (the clocks) in the middle of the host's lowering, where the
		// component model forbids calls out. refill sizes the next spare
		// from this, so it happens once per new largest size.
		n := max(need, minChunk)
		gc := debug.SetGCPercent(lazyGC)
		c := make([]uint64, (n+7)/8)
		a.keep = append(a.keep, c)
		debug.SetGCPercent(gc)
		a.cur = c
	}
	a.largest = max(a.largest, need)
	a.off = 0
	return a.bump(align, size)
}

// keepChunk records c as in use until the next reset, without letting a
// growing slice start a collection.
func (a *arena) keepChunk(c []uint64) {
	if len(a.keep) < cap(a.keep) {
		a.keep = append(a.keep, c)
		return
	}
	gc := debug.SetGCPercent(lazyGC)
	a.keep = append(a.keep, c)
	debug.SetGCPercent(gc)
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
	a.off = a.floor
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

// Reserve prepares the arena for lowerings of up to n bytes at once (the
// largest string or list, elements included, that the host may pass in one
// call or return from one import), so that cabi_realloc never needs the Go
// heap while the host lowers values. Call it in an init function.
//
// Without it, the first lowering larger than any before takes its memory
// from the Go heap, with collections held off. That usually works, but
// not when a collection is in its mark phase (the allocation must help it)
// or the heap's growth makes the runtime scavenge: both read the clocks,
// which the canonical ABI forbids while the host lowers values, and the
// call traps. Stock Go gives a program no way to rule that out.
func Reserve(n int) {
	if n > 0 && uintptr(n) <= maxAlloc {
		theArena.largest = max(theArena.largest, uintptr(n)+8)
		theArena.refill()
	}
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
