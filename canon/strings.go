package canon

import (
	"context"
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
			return "", 0, trapf("lift", msgStringOOB+": utf16 string of %d code units is longer than the limit of %d bytes", units, MaxStringByteLength)
		}
		byteLen = 2 * units
	case Latin1UTF16:
		tag := cx.utf16Tag()
		if units&tag != 0 {
			src = srcTaggedUTF16
			units ^= tag
			if units > MaxStringByteLength/2 {
				return "", 0, trapf("lift", msgStringOOB+": utf16 string of %d code units is longer than the limit of %d bytes", units, MaxStringByteLength)
			}
			byteLen = 2 * units
		} else {
			src, byteLen = srcLatin1, units
		}
	}
	if byteLen > MaxStringByteLength {
		return "", 0, trapf("lift", msgStringOOB+": string of %d bytes is longer than the limit of %d bytes", byteLen, MaxStringByteLength)
	}
	if ptr&(uint64(align)-1) != 0 {
		return "", 0, trapf("lift", msgUnaligned+": "+msgStringUnaligned+" %d (%s string at %#x)", align, cx.StringEncoding, ptr)
	}
	if !cx.inBounds(ptr, byteLen) {
		return "", 0, trapf("lift", msgStringOOB+": "+msgStringHostOOB+" (%d bytes at %#x, memory is %d bytes)", byteLen, ptr, len(cx.buf))
	}
	if err := cx.charge("lift", byteLen); err != nil {
		return "", 0, err
	}
	b := cx.buf[ptr : ptr+byteLen]
	switch src {
	case srcUTF8:
		if !validUTF8(b) {
			return "", 0, trapf("lift", "%s (string at %#x)", utf8Error(b), ptr)
		}
		return string(b), src, nil
	case srcLatin1:
		return decodeLatin1(b), src, nil
	}
	s, ok := decodeUTF16(b)
	if !ok {
		return "", 0, trapf("lift", msgInvalidUTF16+": unpaired surrogate at code unit %d (string at %#x)", unpairedSurrogate(b), ptr)
	}
	return s, src, nil
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
	if !(src == srcUTF8 && cx.StringEncoding == UTF16) && !validUTF8(bytesOf(s)) {
		return 0, 0, errInvalidUTF8
	}
	// Source code units, as the source memory counted them (a string
	// from a Latin-1 memory has one unit a character, which is also its
	// UTF-16 length).
	units := uint64(len(s))
	if src != srcUTF8 {
		units, _, _ = utf16Len(s)
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
	if err := cx.allocCheck("lower", allocString, ptr, align, byteLen); err != nil {
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
	if err := cx.allocCheck("lower", allocString, ptr, 1, units); err != nil {
		return 0, 0, err
	}
	// Code point i is at byte i while everything before it is ASCII.
	if i := asciiPrefix(bytesOf(s)); i < len(s) {
		copy(cx.buf[ptr:], s[:i])
		if ptr, err = cx.realloc(ctx, "lower", ptr, units, 1, worst); err != nil {
			return 0, 0, err
		}
		if err := cx.allocCheck("lower", allocString, ptr, 1, worst); err != nil {
			return 0, 0, err
		}
		copy(cx.buf[ptr+uint64(i):], s[i:])
		n := uint64(len(s))
		if worst > n {
			if ptr, err = cx.realloc(ctx, "lower", ptr, worst, 1, n); err != nil {
				return 0, 0, err
			}
			if err := cx.allocCheck("lower", allocString, ptr, 1, n); err != nil {
				return 0, 0, err
			}
		}
		return ptr, n, nil
	}
	copy(cx.buf[ptr:ptr+units], s)
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
	if err := cx.allocCheck("lower", allocString, ptr, 2, worst); err != nil {
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
		if err := cx.allocCheck("lower", allocString, ptr, 2, n); err != nil {
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
	if err := cx.allocCheck("lower", allocString, ptr, 2, units); err != nil {
		return 0, 0, err
	}
	w, i := putLatin1(cx.buf[ptr:ptr+units], s)
	n := uint64(w) // Latin-1 bytes written
	if i < len(s) {
		worst := 2 * units
		if ptr, err = cx.realloc(ctx, "lower", ptr, units, 2, worst); err != nil {
			return 0, 0, err
		}
		if err := cx.allocCheck("lower", allocString, ptr, 2, worst); err != nil {
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
			if err := cx.allocCheck("lower", allocString, ptr, 2, encLen); err != nil {
				return 0, 0, err
			}
		}
		return ptr, encLen/2 | cx.utf16Tag(), nil
	}
	if n < units {
		if ptr, err = cx.realloc(ctx, "lower", ptr, units, 2, n); err != nil {
			return 0, 0, err
		}
		if err := cx.allocCheck("lower", allocString, ptr, 2, n); err != nil {
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
	if err := cx.allocCheck("lower", allocString, ptr, 2, srcBytes); err != nil {
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
	if err := cx.allocCheck("lower", allocString, ptr, 1, n); err != nil {
		return 0, 0, err
	}
	return ptr, n, nil
}
