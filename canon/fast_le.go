//go:build 386 || amd64 || arm || arm64 || loong64 || mips64le || mipsle || ppc64le || riscv64 || wasm

package canon

import "unsafe"

// On little-endian hosts a Go slice of scalars has the canonical ABI's
// memory layout already, so lists move with one copy.

func putScalars[T Scalar](b []byte, s []T) {
	copy(b, unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(sizeOf[T]())))
}

func getScalars[T Scalar](s []T, b []byte) {
	copy(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(sizeOf[T]())), b)
}
