// Package wasm holds the core WebAssembly pieces the rest of wasmcm shares:
// LEB128, a byte reader with offsets, the core type model, a reader of a core
// module's facts (types, imports, exports, memories) that skips function
// bodies, and a small emitter of core modules.
package wasm

import "errors"

// The LEB128 errors carry no offset; Reader adds where they happened.
var (
	errLEBEnd      = errors.New("unexpected end-of-file in an integer")
	errLEBTooLong  = errors.New("integer representation too long")
	errLEBTooLarge = errors.New("integer too large")
)

// AppendU32 appends the minimal unsigned LEB128 encoding of v.
func AppendU32(b []byte, v uint32) []byte { return AppendU64(b, uint64(v)) }

// AppendU64 appends the minimal unsigned LEB128 encoding of v.
func AppendU64(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// AppendS32 appends the minimal signed LEB128 encoding of v.
func AppendS32(b []byte, v int32) []byte { return AppendS64(b, int64(v)) }

// AppendS64 appends the minimal signed LEB128 encoding of v (also used for
// s33 values such as block types and heap type indices).
func AppendS64(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// SizeU32 returns the length of the minimal LEB128 encoding of v.
func SizeU32(v uint32) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// DecodeU32 decodes an unsigned LEB128 u32 at the start of b, returning the
// value and the number of bytes read. Encodings longer than 5 bytes and
// values that do not fit in 32 bits are errors.
func DecodeU32(b []byte) (uint32, int, error) {
	// Fast path for the common one-byte case.
	if len(b) > 0 && b[0] < 0x80 {
		return uint32(b[0]), 1, nil
	}
	var v uint32
	for i := 0; i < 5; i++ {
		if i >= len(b) {
			return 0, 0, errLEBEnd
		}
		c := b[i]
		if i == 4 {
			if c&0x80 != 0 {
				return 0, 0, errLEBTooLong
			}
			if c&0x70 != 0 {
				return 0, 0, errLEBTooLarge
			}
		}
		v |= uint32(c&0x7f) << (7 * i)
		if c&0x80 == 0 {
			return v, i + 1, nil
		}
	}
	return 0, 0, errLEBTooLong // unreachable: the fifth byte returns above
}

// DecodeU64 decodes an unsigned LEB128 u64 (at most 10 bytes).
func DecodeU64(b []byte) (uint64, int, error) {
	var v uint64
	for i := 0; i < 10; i++ {
		if i >= len(b) {
			return 0, 0, errLEBEnd
		}
		c := b[i]
		if i == 9 {
			if c&0x80 != 0 {
				return 0, 0, errLEBTooLong
			}
			if c&0x7e != 0 {
				return 0, 0, errLEBTooLarge
			}
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c&0x80 == 0 {
			return v, i + 1, nil
		}
	}
	return 0, 0, errLEBTooLong
}

// decodeSigned decodes a signed LEB128 of the given bit width (32, 33 or 64).
func decodeSigned(b []byte, bits int) (int64, int, error) {
	maxBytes := (bits + 6) / 7
	var v int64
	for i := 0; i < maxBytes; i++ {
		if i >= len(b) {
			return 0, 0, errLEBEnd
		}
		c := b[i]
		if i == maxBytes-1 {
			if c&0x80 != 0 {
				return 0, 0, errLEBTooLong
			}
			// The unused high bits of the last byte must all repeat the
			// sign bit.
			used := bits - 7*i // value bits in this byte, sign included
			mask := byte(0x7f) &^ (byte(1)<<(used-1) - 1)
			if hi := c & mask; hi != 0 && hi != mask {
				return 0, 0, errLEBTooLarge
			}
		}
		v |= int64(c&0x7f) << (7 * i)
		if c&0x80 == 0 {
			shift := 7 * (i + 1)
			if shift < 64 && c&0x40 != 0 {
				v |= -1 << shift
			}
			return v, i + 1, nil
		}
	}
	return 0, 0, errLEBTooLong
}

// DecodeS32 decodes a signed LEB128 s32 (at most 5 bytes).
func DecodeS32(b []byte) (int32, int, error) {
	v, n, err := decodeSigned(b, 32)
	return int32(v), n, err
}

// DecodeS33 decodes a signed LEB128 s33 (at most 5 bytes), the encoding of
// block types and heap types, whose non-negative values are type indices.
func DecodeS33(b []byte) (int64, int, error) { return decodeSigned(b, 33) }

// DecodeS64 decodes a signed LEB128 s64 (at most 10 bytes).
func DecodeS64(b []byte) (int64, int, error) { return decodeSigned(b, 64) }
