package canon

import (
	"context"
	"math"
	"unsafe"
)

// This file is the fast path for generated bindings: strings and lists of
// scalars move between Go values and guest memory without Value and
// without reflection; scalars convert to and from flat core values with the
// helpers below, and Region gives checked access to a block of memory for
// the loads and stores of records at fixed offsets.

// Scalar is a Go type whose values are laid out in memory like the
// matching WIT integer or float type (u8..s64, f32, f64), so that lists of
// them can be copied as bytes.
type Scalar interface {
	~uint8 | ~int8 | ~uint16 | ~int16 | ~uint32 | ~int32 | ~uint64 | ~int64 | ~float32 | ~float64
}

// Region returns the size bytes of memory at ptr after checking, as the
// ABI does, that ptr is aligned and the block is in bounds. The slice
// aliases guest memory and is valid until the guest runs again (a realloc
// may move memory).
func (cx *LiftLowerContext) Region(ptr, size uint64, align uint32) ([]byte, error) {
	cx.refresh()
	if err := cx.checkRange("load", ptr, size, align); err != nil {
		return nil, err
	}
	return cx.buf[ptr : ptr+size : ptr+size], nil
}

// Alloc calls the guest's realloc for a new block and checks it as the ABI
// checks every allocation, returning the block's address and bytes.
func (cx *LiftLowerContext) Alloc(ctx context.Context, align uint32, size uint64) (uint64, []byte, error) {
	cx.refresh()
	ptr, err := cx.realloc(ctx, "lower", 0, 0, align, size)
	if err != nil {
		return 0, nil, err
	}
	if err := cx.allocCheck("lower", allocBlock, ptr, align, size); err != nil {
		return 0, nil, err
	}
	return ptr, cx.buf[ptr : ptr+size : ptr+size], nil
}

func sizeOf[T Scalar]() uint64 {
	var z T
	return uint64(unsafe.Sizeof(z))
}

// LowerList stores a list of scalars through Realloc and returns its
// pointer and length, the list's two flat values. NaN bit patterns are
// copied as they are, which the spec allows.
func LowerList[T Scalar](ctx context.Context, cx *LiftLowerContext, list []T) (ptr, n uint64, err error) {
	size := sizeOf[T]()
	n = uint64(len(list))
	if n > reallocMax/size {
		return 0, 0, valuef("list of %d %d-byte elements is too long for a realloc", n, size)
	}
	ptr, b, err := cx.Alloc(ctx, uint32(size), n*size)
	if err != nil {
		return 0, 0, err
	}
	if n > 0 {
		putScalars(b, list)
	}
	return ptr, n, nil
}

// LiftList reads a list of n scalars at ptr into a new slice, trapping as
// the spec does on a misaligned, out-of-bounds or too long list; floats
// have their NaNs canonicalised.
func LiftList[T Scalar](cx *LiftLowerContext, ptr, n uint64) ([]T, error) {
	cx.refresh()
	m := cx.addrMask()
	ptr, n = ptr&m, n&m
	size := sizeOf[T]()
	if n > MaxListByteLength/size {
		return nil, trapf("lift", msgListOOB+": list of %d elements of %d bytes is longer than the limit of %d bytes", n, size, MaxListByteLength)
	}
	byteLen := n * size
	if ptr&(size-1) != 0 {
		return nil, trapf("lift", msgUnaligned+": list pointer %#x is not aligned to %d", ptr, size)
	}
	if !cx.inBounds(ptr, byteLen) {
		return nil, listOOB(ptr, byteLen, len(cx.buf))
	}
	out := make([]T, n)
	if n > 0 {
		getScalars(out, cx.buf[ptr:ptr+byteLen])
		canonicalizeFloats(out)
	}
	return out, nil
}

func canonicalizeFloats[T Scalar](s []T) {
	var one T = 1
	if one/2 == 0 {
		return // an integer type
	}
	size := sizeOf[T]()
	for i := range s {
		if s[i] != s[i] { // NaN
			if size == 4 {
				*(*uint32)(unsafe.Pointer(&s[i])) = canonicalNaN32
			} else {
				*(*uint64)(unsafe.Pointer(&s[i])) = canonicalNaN64
			}
		}
	}
}

// LowerBool, LowerChar, LowerF32 and LowerF64 give the flat core value of
// a scalar; integers need no help beyond a conversion (uint64(uint32(x))
// for the 32-bit and smaller ones).
func LowerBool(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// LowerChar: see LowerBool. A rune that is not a Unicode scalar value is
// an error.
func LowerChar(r rune) (uint64, error) {
	if r < 0 || r >= 0x110000 || (r >= 0xd800 && r <= 0xdfff) {
		return 0, valuef("char %#x is not a Unicode scalar value", r)
	}
	return uint64(r), nil
}

// LowerF32: see LowerBool.
func LowerF32(f float32) uint64 { return uint64(math.Float32bits(f)) }

// LowerF64: see LowerBool.
func LowerF64(f float64) uint64 { return math.Float64bits(f) }

// LiftBool converts an i32 to a bool: any non-zero value is true.
func LiftBool(i uint64) bool { return uint32(i) != 0 }
