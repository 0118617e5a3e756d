package cm

import (
	"slices"
	"strconv"
	"unsafe"
)

// PtrOf turns a guest address into a pointer. Guest addresses only ever
// point at memory this package or the generated code keeps alive: the arena
// or pinned Go memory.
func PtrOf(addr uint32) unsafe.Pointer {
	return unsafe.Add(unsafe.Pointer(nil), uintptr(addr))
}

func addrOf(p unsafe.Pointer) uint32 { return uint32(uintptr(p)) }

// CheckLen panics, naming what, when n elements of size bytes cannot fit in a
// 32-bit memory: such a length from the host is a bug, and it must not size a
// Go allocation.
func CheckLen(what string, n uint32, size uintptr) {
	if uint64(n)*uint64(size) > 1<<32 {
		panic("cm: " + what + ": " + strconv.FormatUint(uint64(n), 10) + " elements of " + strconv.FormatUint(uint64(size), 10) + " bytes do not fit in memory")
	}
}

// LiftString copies the string of n bytes at ptr.
func LiftString(ptr, n uint32) string {
	if n == 0 {
		return ""
	}
	CheckLen("string", n, 1)
	return string(unsafe.Slice((*byte)(PtrOf(ptr)), n))
}

// LiftList copies n elements at ptr; T must be laid out as the WIT element
// type is (integers and floats).
func LiftList[T any](ptr, n uint32) []T {
	if n == 0 {
		return nil
	}
	var zero T
	CheckLen("list", n, unsafe.Sizeof(zero))
	return slices.Clone(unsafe.Slice((*T)(PtrOf(ptr)), n))
}

// LowerString pins s and returns its address and length as flat values.
func LowerString(p *Pins, s string) (ptr, n uint64) {
	return uint64(p.Addr(unsafe.Pointer(unsafe.StringData(s)))), uint64(len(s))
}

// LowerList pins the elements of s and returns their address and count as
// flat values; T must be laid out as the WIT element type is.
func LowerList[T any](p *Pins, s []T) (ptr, n uint64) {
	return uint64(p.Addr(unsafe.Pointer(unsafe.SliceData(s)))), uint64(len(s))
}

// ReturnArea returns a pinned block of size bytes for results the host
// writes, as the return pointer of an import call.
func ReturnArea(p *Pins, size uintptr) unsafe.Pointer { return p.Alloc(size) }

// Bool converts a flat or loaded i32 to a bool: any non-zero value is true.
func Bool[T uint8 | uint32 | uint64](x T) bool { return x != 0 }

// BoolBits converts a bool to its i32 value.
func BoolBits(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}
