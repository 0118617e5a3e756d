//go:build amd64 || arm64 || 386 || ppc64le

package canon

import "unsafe"

// On these little-endian hosts a word store may be unaligned, so the
// kernels store words directly. (binary.LittleEndian.PutUint64 would do,
// but the compiler splits it into byte stores when it knows some of the
// bytes are zero, as in a widened ASCII word.)

func store64(b []byte, v uint64) {
	_ = b[7]
	*(*uint64)(unsafe.Pointer(unsafe.SliceData(b))) = v
}

func store32(b []byte, v uint32) {
	_ = b[3]
	*(*uint32)(unsafe.Pointer(unsafe.SliceData(b))) = v
}
