package cm

import (
	"runtime"
	"unsafe"
)

// Pins keeps Go memory alive and in place while the host may read or write
// it through a guest address. Generated code passes every pointer it turns
// into an address through Addr: storing the pointer here makes it escape to
// the heap, which does not move, and keeps its object reachable until
// Release.
type Pins struct {
	ptrs []unsafe.Pointer
}

// Addr pins p and returns it as a guest address (0 for nil).
func (p *Pins) Addr(ptr unsafe.Pointer) uint32 {
	if ptr == nil {
		return 0
	}
	p.ptrs = append(p.ptrs, ptr)
	return addrOf(ptr)
}

// Keep pins p without taking its address, for memory that another pinned
// block refers to.
func (p *Pins) Keep(ptr unsafe.Pointer) {
	if ptr != nil {
		p.ptrs = append(p.ptrs, ptr)
	}
}

// Alloc returns a zeroed, pinned block of size bytes aligned to 8, which is
// enough for every canonical ABI type.
func (p *Pins) Alloc(size uintptr) unsafe.Pointer {
	if size == 0 {
		size = 1
	}
	b := make([]uint64, (size+7)/8)
	ptr := unsafe.Pointer(unsafe.SliceData(b))
	p.ptrs = append(p.ptrs, ptr)
	return ptr
}

// AllocAddr is Alloc that also returns the block's guest address.
func (p *Pins) AllocAddr(size uintptr) (unsafe.Pointer, uint32) {
	ptr := p.Alloc(size)
	return ptr, addrOf(ptr)
}

// KeepAlive marks the pinned memory as used up to this point: generated
// code calls it after the import call that reads the memory.
func (p *Pins) KeepAlive() { runtime.KeepAlive(p.ptrs) }

// Release unpins everything, letting the garbage collector have it.
func (p *Pins) Release() {
	clear(p.ptrs)
	p.ptrs = p.ptrs[:0]
}

// Len is how many pointers are pinned.
func (p *Pins) Len() int { return len(p.ptrs) }

// exportPins holds what the results of the running export point at until
// its post-return.
var exportPins Pins

// ExportPins returns the pins of the current export call's results.
func ExportPins() *Pins { return &exportPins }

// BeginExport starts an export call: the results of the previous call are
// released (its post-return, if any, has run or was not needed), and the
// arena's spare is prepared here, where allocating is safe.
func BeginExport() {
	exportPins.Release()
	theArena.refill()
}

// PostReturn ends an export call once the host has read its results: their
// memory is released. It allocates nothing: a post-return may not call out
// of the component, which a collection would.
func PostReturn() { exportPins.Release() }
