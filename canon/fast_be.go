//go:build !(386 || amd64 || arm || arm64 || loong64 || mips64le || mipsle || ppc64le || riscv64 || wasm)

package canon

import (
	"encoding/binary"
	"unsafe"
)

// On big-endian hosts every element is byte-swapped on the way.

func putScalars[T Scalar](b []byte, s []T) {
	size := sizeOf[T]()
	for i := range s {
		p := unsafe.Pointer(&s[i])
		switch size {
		case 1:
			b[i] = *(*uint8)(p)
		case 2:
			binary.LittleEndian.PutUint16(b[2*i:], *(*uint16)(p))
		case 4:
			binary.LittleEndian.PutUint32(b[4*i:], *(*uint32)(p))
		default:
			binary.LittleEndian.PutUint64(b[8*i:], *(*uint64)(p))
		}
	}
}

func getScalars[T Scalar](s []T, b []byte) {
	size := sizeOf[T]()
	for i := range s {
		p := unsafe.Pointer(&s[i])
		switch size {
		case 1:
			*(*uint8)(p) = b[i]
		case 2:
			*(*uint16)(p) = binary.LittleEndian.Uint16(b[2*i:])
		case 4:
			*(*uint32)(p) = binary.LittleEndian.Uint32(b[4*i:])
		default:
			*(*uint64)(p) = binary.LittleEndian.Uint64(b[8*i:])
		}
	}
}
