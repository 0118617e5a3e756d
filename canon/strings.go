package canon

import (
	"context"
	"encoding/binary"
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"
)

// reallocMax is the largest size a realloc call may ask for: the spec
// asserts byte lengths fit in an i32 realloc.
const reallocMax = 1<<32 - 1

func (cx *LiftLowerContext) utf16Tag() uint64 {
	if cx.ABI.addr == Addr64 {
		return 1 << 63
	}
	return 1 << 31
}

// liftString decodes a string of taggedUnits code units at ptr in the
// context's encoding.
func (cx *LiftLowerContext) liftString(ptr, taggedUnits uint64, dst *Value) error {
	s, src, err := cx.decodeString(ptr, taggedUnits)
	if err != nil {
		return err
	}
	dst.kind, dst.bits, dst.str, dst.elems = KindString, src, s, dst.elems[:0]
	return nil
}

// LiftString is the fast path for a string: it decodes the string at ptr
// with the given (tagged) code-unit count, trapping as the spec does.
func (cx *LiftLowerContext) LiftString(ptr, taggedUnits uint64) (string, error) {
	cx.refresh()
	s, _, err := cx.decodeString(ptr&cx.addrMask(), taggedUnits&cx.addrMask())
	return s, err
}

func (cx *LiftLowerContext) decodeString(ptr, units uint64) (string, uint64, error) {
	var align uint32 = 2
	var byteLen uint64
	src := uint64(srcUTF8)
	switch cx.StringEncoding {
	case UTF8:
		align, byteLen = 1, units
	case UTF16:
		src = srcUTF16
		if units > MaxStringByteLength/2 {
			return "", 0, trapf("lift", "utf16 string of %d code units is longer than %d bytes", units, MaxStringByteLength)
		}
		byteLen = 2 * units
	case Latin1UTF16:
		tag := cx.utf16Tag()
		if units&tag != 0 {
			src = srcTaggedUTF16
			units ^= tag
			if units > MaxStringByteLength/2 {
				return "", 0, trapf("lift", "utf16 string of %d code units is longer than %d bytes", units, MaxStringByteLength)
			}
			byteLen = 2 * units
		} else {
			src, byteLen = srcLatin1, units
		}
	}
	if byteLen > MaxStringByteLength {
		return "", 0, trapf("lift", "string of %d bytes is longer than %d bytes", byteLen, MaxStringByteLength)
	}
	if ptr&(uint64(align)-1) != 0 {
		return "", 0, trapf("lift", "%s string pointer %#x is not aligned to %d", cx.StringEncoding, ptr, align)
	}
	if !cx.inBounds(ptr, byteLen) {
		return "", 0, trapf("lift", "string of %d bytes at %#x runs past the end of memory (%d bytes)", byteLen, ptr, len(cx.buf))
	}
	if err := cx.charge("lift", byteLen); err != nil {
		return "", 0, err
	}
	b := cx.buf[ptr : ptr+byteLen]
	switch src {
	case srcUTF8:
		if !utf8.Valid(b) {
			return "", 0, trapf("lift", "string at %#x is not valid UTF-8", ptr)
		}
		return string(b), src, nil
	case srcLatin1:
		return decodeLatin1(b), src, nil
	}
	s, ok := decodeUTF16(b)
	if !ok {
		return "", 0, trapf("lift", "string at %#x is not valid UTF-16 (unpaired surrogate)", ptr)
	}
	return s, src, nil
}

func decodeLatin1(b []byte) string {
	n := len(b)
	for _, c := range b {
		if c >= 0x80 {
			n++
		}
	}
	if n == len(b) {
		return string(b)
	}
	out := make([]byte, 0, n)
	for _, c := range b {
		out = utf8.AppendRune(out, rune(c))
	}
	return string(out)
}

// decodeUTF16 decodes little-endian UTF-16, rejecting unpaired surrogates.
func decodeUTF16(b []byte) (string, bool) {
	n := len(b) / 2
	// Size the output exactly first: each unit is 1-3 UTF-8 bytes, a pair 4.
	size := 0
	for i := 0; i < n; i++ {
		u := binary.LittleEndian.Uint16(b[2*i:])
		switch {
		case u < 0x80:
			size++
		case u < 0x800:
			size += 2
		case u >= 0xd800 && u < 0xdc00:
			if i+1 >= n {
				return "", false
			}
			v := binary.LittleEndian.Uint16(b[2*i+2:])
			if v < 0xdc00 || v > 0xdfff {
				return "", false
			}
			size += 4
			i++
		case u >= 0xdc00 && u <= 0xdfff:
			return "", false
		default:
			size += 3
		}
	}
	out := make([]byte, 0, size)
	for i := 0; i < n; i++ {
		u := rune(binary.LittleEndian.Uint16(b[2*i:]))
		if u >= 0xd800 && u < 0xdc00 {
			v := rune(binary.LittleEndian.Uint16(b[2*i+2:]))
			u = utf16.DecodeRune(u, v)
			i++
		}
		out = utf8.AppendRune(out, u)
	}
	return string(out), true
}

// utf16Len counts the UTF-16 code units of s, and reports whether every
// character is below U+0100 (fits Latin-1) and whether s is all ASCII.
func utf16Len(s string) (n uint64, latin1, ascii bool) {
	latin1, ascii = true, true
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			n++
			i++
			continue
		}
		ascii = false
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r >= 0x100 {
			latin1 = false
		}
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n, latin1, ascii
}

// spread16 widens the 4 bytes in the low half of x to 4 16-bit units.
func spread16(x uint64) uint64 {
	x = (x | x<<16) & 0x0000ffff0000ffff
	return (x | x<<8) & 0x00ff00ff00ff00ff
}

// putUTF16 writes s as little-endian UTF-16 into b (which has room for
// 2*len(s) bytes) and returns the bytes written, or false when s is not
// valid UTF-8. ASCII runs go 8 bytes at a time; validation happens on the
// way, so the string is read once.
func putUTF16(b []byte, s string) (int, bool) {
	j := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) {
			x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
				uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
			m := x & 0x8080808080808080
			if m == 0 {
				binary.LittleEndian.PutUint64(b[j:], spread16(x&0xffffffff))
				binary.LittleEndian.PutUint64(b[j+8:], spread16(x>>32))
				i += 8
				j += 16
				continue
			}
			// Copy the ASCII bytes before the first non-ASCII one.
			for k := bits.TrailingZeros64(m) / 8; k > 0; k-- {
				b[j] = s[i]
				b[j+1] = 0
				i++
				j += 2
			}
		}
		c := s[i]
		switch {
		case c < utf8.RuneSelf:
			b[j] = c
			b[j+1] = 0
			j += 2
			i++
			continue
		case c >= 0xc2 && c <= 0xdf && i+1 < len(s) && s[i+1]&0xc0 == 0x80:
			binary.LittleEndian.PutUint16(b[j:], uint16(c&0x1f)<<6|uint16(s[i+1]&0x3f))
			j += 2
			i += 2
			continue
		case c >= 0xe0 && c <= 0xef && i+2 < len(s) && s[i+2]&0xc0 == 0x80:
			// The second byte's range excludes overlong forms (after E0)
			// and surrogates (after ED).
			lo, hi := byte(0x80), byte(0xbf)
			if c == 0xe0 {
				lo = 0xa0
			} else if c == 0xed {
				hi = 0x9f
			}
			if d := s[i+1]; d >= lo && d <= hi {
				binary.LittleEndian.PutUint16(b[j:], uint16(c&0x0f)<<12|uint16(d&0x3f)<<6|uint16(s[i+2]&0x3f))
				j += 2
				i += 3
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return j, false
		}
		i += size
		if r >= 0x10000 {
			r -= 0x10000
			binary.LittleEndian.PutUint16(b[j:], uint16(0xd800+(r>>10)))
			binary.LittleEndian.PutUint16(b[j+2:], uint16(0xdc00+(r&0x3ff)))
			j += 4
		} else {
			binary.LittleEndian.PutUint16(b[j:], uint16(r))
			j += 2
		}
	}
	return j, true
}

// putLatin1 writes s (every character below U+0100) as Latin-1.
func putLatin1(b []byte, s string) int {
	j := 0
	for _, r := range s {
		b[j] = byte(r)
		j++
	}
	return j
}

// LowerString is the fast path for a string: it stores s (a Go string,
// UTF-8) in the context's encoding through Realloc and returns the pointer
// and the (tagged) code-unit count, the string's two flat values.
func (cx *LiftLowerContext) LowerString(ctx context.Context, s string) (ptr, units uint64, err error) {
	cx.refresh()
	return cx.storeStringIntoRange(ctx, s, srcUTF8)
}

// storeStringIntoRange follows the spec's store_string_into_range,
// allocation for allocation: which realloc calls are made, with which
// sizes, depends on the source and destination encodings.
func (cx *LiftLowerContext) storeStringIntoRange(ctx context.Context, s string, src uint64) (uint64, uint64, error) {
	// Host strings are checked before they reach guest memory; the
	// UTF-8 to UTF-16 path checks while it transcodes.
	if !(src == srcUTF8 && cx.StringEncoding == UTF16) && !utf8.ValidString(s) {
		return 0, 0, errInvalidUTF8
	}
	// Source code units, as the source memory counted them.
	var units uint64
	switch src {
	case srcUTF8:
		units = uint64(len(s))
	default:
		n, _, _ := utf16Len(s)
		units = n
		if src == srcLatin1 {
			units = uint64(utf8.RuneCountInString(s))
		}
	}
	switch cx.StringEncoding {
	case UTF8:
		switch src {
		case srcUTF8:
			return cx.storeStringCopy(ctx, s, units, 1, 1, UTF8)
		case srcLatin1:
			return cx.storeStringToUTF8(ctx, s, units, 2*units)
		default:
			return cx.storeStringToUTF8(ctx, s, units, 3*units)
		}
	case UTF16:
		switch src {
		case srcUTF8:
			return cx.storeUTF8ToUTF16(ctx, s, units)
		default:
			return cx.storeStringCopy(ctx, s, units, 2, 2, UTF16)
		}
	default:
		switch src {
		case srcUTF8, srcUTF16:
			return cx.storeStringToLatin1OrUTF16(ctx, s, units)
		case srcLatin1:
			return cx.storeStringCopy(ctx, s, units, 1, 2, Latin1UTF16)
		default:
			return cx.storeProbablyUTF16ToLatin1OrUTF16(ctx, s, units)
		}
	}
}

var errInvalidUTF8 = &ValueError{Reason: "string is not valid UTF-8"}

func tooLong(n uint64) error {
	return valuef("string needs %d bytes, more than a realloc can ask for", n)
}

func (cx *LiftLowerContext) storeStringCopy(ctx context.Context, s string, units, unitSize uint64, align uint32, enc StringEncoding) (uint64, uint64, error) {
	byteLen := unitSize * units
	if units > reallocMax/unitSize {
		return 0, 0, tooLong(units * unitSize)
	}
	ptr, err := cx.realloc(ctx, "lower", 0, 0, align, byteLen)
	if err != nil {
		return 0, 0, err
	}
	if err := cx.allocCheck("lower", ptr, align, byteLen); err != nil {
		return 0, 0, err
	}
	b := cx.buf[ptr : ptr+byteLen]
	switch enc {
	case UTF8:
		copy(b, s)
	case UTF16:
		putUTF16(b, s) // s is valid: checked above
	default:
		putLatin1(b, s)
	}
	return ptr, units, nil
}

func (cx *LiftLowerContext) storeStringToUTF8(ctx context.Context, s string, units, worst uint64) (uint64, uint64, error) {
	if worst > reallocMax {
		return 0, 0, tooLong(worst)
	}
	ptr, err := cx.realloc(ctx, "lower", 0, 0, 1, units)
	if err != nil {
		return 0, 0, err
	}
	if err := cx.allocCheck("lower", ptr, 1, units); err != nil {
		return 0, 0, err
	}
	// Code point i is at byte i while everything before it is ASCII.
	for i := 0; i < len(s); i++ {
		if s[i] < utf8.RuneSelf {
			cx.buf[ptr+uint64(i)] = s[i]
			continue
		}
		if ptr, err = cx.realloc(ctx, "lower", ptr, units, 1, worst); err != nil {
			return 0, 0, err
		}
		if err := cx.allocCheck("lower", ptr, 1, worst); err != nil {
			return 0, 0, err
		}
		copy(cx.buf[ptr+uint64(i):], s[i:])
		n := uint64(len(s))
		if worst > n {
			if ptr, err = cx.realloc(ctx, "lower", ptr, worst, 1, n); err != nil {
				return 0, 0, err
			}
			if err := cx.allocCheck("lower", ptr, 1, n); err != nil {
				return 0, 0, err
			}
		}
		return ptr, n, nil
	}
	return ptr, units, nil
}

func (cx *LiftLowerContext) storeUTF8ToUTF16(ctx context.Context, s string, units uint64) (uint64, uint64, error) {
	worst := 2 * units
	if units > reallocMax/2 {
		return 0, 0, tooLong(worst)
	}
	ptr, err := cx.realloc(ctx, "lower", 0, 0, 2, worst)
	if err != nil {
		return 0, 0, err
	}
	if err := cx.allocCheck("lower", ptr, 2, worst); err != nil {
		return 0, 0, err
	}
	w, ok := putUTF16(cx.buf[ptr:ptr+worst], s)
	if !ok {
		return 0, 0, errInvalidUTF8
	}
	n := uint64(w)
	if n < worst {
		if ptr, err = cx.realloc(ctx, "lower", ptr, worst, 2, n); err != nil {
			return 0, 0, err
		}
		if err := cx.allocCheck("lower", ptr, 2, n); err != nil {
			return 0, 0, err
		}
	}
	return ptr, n / 2, nil
}

func (cx *LiftLowerContext) storeStringToLatin1OrUTF16(ctx context.Context, s string, units uint64) (uint64, uint64, error) {
	if units > reallocMax/2 {
		return 0, 0, tooLong(2 * units)
	}
	ptr, err := cx.realloc(ctx, "lower", 0, 0, 2, units)
	if err != nil {
		return 0, 0, err
	}
	if err := cx.allocCheck("lower", ptr, 2, units); err != nil {
		return 0, 0, err
	}
	var n uint64 // Latin-1 bytes written so far
	for i, r := range s {
		if r < 0x100 {
			cx.buf[ptr+n] = byte(r)
			n++
			continue
		}
		worst := 2 * units
		if ptr, err = cx.realloc(ctx, "lower", ptr, units, 2, worst); err != nil {
			return 0, 0, err
		}
		if err := cx.allocCheck("lower", ptr, 2, worst); err != nil {
			return 0, 0, err
		}
		b := cx.buf[ptr : ptr+worst]
		// Inflate the Latin-1 prefix in place, back to front.
		for j := int(n) - 1; j >= 0; j-- {
			b[2*j] = b[j]
			b[2*j+1] = 0
		}
		w, _ := putUTF16(b[2*n:], s[i:])
		encLen := 2*n + uint64(w)
		if worst > encLen {
			if ptr, err = cx.realloc(ctx, "lower", ptr, worst, 2, encLen); err != nil {
				return 0, 0, err
			}
			if err := cx.allocCheck("lower", ptr, 2, encLen); err != nil {
				return 0, 0, err
			}
		}
		return ptr, encLen/2 | cx.utf16Tag(), nil
	}
	if n < units {
		if ptr, err = cx.realloc(ctx, "lower", ptr, units, 2, n); err != nil {
			return 0, 0, err
		}
		if err := cx.allocCheck("lower", ptr, 2, n); err != nil {
			return 0, 0, err
		}
	}
	return ptr, n, nil
}

func (cx *LiftLowerContext) storeProbablyUTF16ToLatin1OrUTF16(ctx context.Context, s string, units uint64) (uint64, uint64, error) {
	srcBytes := 2 * units
	if units > reallocMax/2 {
		return 0, 0, tooLong(srcBytes)
	}
	ptr, err := cx.realloc(ctx, "lower", 0, 0, 2, srcBytes)
	if err != nil {
		return 0, 0, err
	}
	if err := cx.allocCheck("lower", ptr, 2, srcBytes); err != nil {
		return 0, 0, err
	}
	b := cx.buf[ptr : ptr+srcBytes]
	w, _ := putUTF16(b, s)
	encLen := uint64(w)
	if _, latin1, _ := utf16Len(s); !latin1 {
		return ptr, encLen/2 | cx.utf16Tag(), nil
	}
	n := encLen / 2
	for i := uint64(0); i < n; i++ {
		b[i] = b[2*i]
	}
	if ptr, err = cx.realloc(ctx, "lower", ptr, srcBytes, 1, n); err != nil {
		return 0, 0, err
	}
	if err := cx.allocCheck("lower", ptr, 1, n); err != nil {
		return 0, 0, err
	}
	return ptr, n, nil
}
