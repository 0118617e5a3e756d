//go:build wasm

package cm

// cabiRealloc is the component's cabi_realloc: the host calls it to get
// memory for the strings and lists it lowers into the guest. It never
// allocates from the Go heap while the arena or its spare has room.
//
//go:wasmexport cabi_realloc
func cabiRealloc(old, oldSize, align, newSize uint32) uint32 {
	var o = PtrOf(old)
	if old == 0 {
		o = nil
	}
	return addrOf(theArena.realloc(o, uintptr(oldSize), uintptr(align), uintptr(newSize)))
}
