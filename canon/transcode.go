package canon

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
	"unsafe"
)

// This file holds the transcoding kernels behind strings.go. They work a
// word at a time where they can: one 64-bit load tells whether 8 UTF-8
// bytes (or 4 UTF-16 units) are ASCII, and one 32-bit load decodes a
// multi-byte UTF-8 sequence with masks. Each kernel validates as it goes,
// so its input is read once. The slices advance instead of being indexed,
// which lets the compiler drop most bounds checks.
//
// Kernels that write guest memory never leave bytes past their output
// changed: the spec's store_string functions write exactly the encoded
// string, and the golden vectors compare the whole memory. (A kernel may
// write a word ahead and overwrite it afterwards, when the rest of the
// input is long enough to be sure to cover it.)

const (
	hi8  = 0x8080808080808080 // the top bit of every byte
	hi16 = 0x8000800080008000 // the top bit of every 16-bit unit
)

// bytesOf views s as bytes without copying; the kernels only read it.
func bytesOf(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// stringOf makes a string of b without copying; b must not change after.
func stringOf(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// spread16 widens the 4 bytes in the low half of x to 4 16-bit units.
func spread16(x uint64) uint64 {
	x = (x | x<<16) & 0x0000ffff0000ffff
	return (x | x<<8) & 0x00ff00ff00ff00ff
}

// nonzero16 counts the 16-bit units of x that are not zero.
func nonzero16(x uint64) int {
	return bits.OnesCount64((((x &^ hi16) + 0x7fff7fff7fff7fff) | x) & hi16)
}

// hasZero16 reports whether a 16-bit unit of x is zero.
func hasZero16(x uint64) bool {
	return (((x&^hi16)+0x7fff7fff7fff7fff)|x)&hi16 != hi16
}

// asciiPrefix returns the length of the longest ASCII prefix of p.
func asciiPrefix(p []byte) int {
	p = p[:len(p):len(p)]
	n := len(p)
	for len(p) > 32 && (binary.LittleEndian.Uint64(p)|binary.LittleEndian.Uint64(p[8:])|
		binary.LittleEndian.Uint64(p[16:])|binary.LittleEndian.Uint64(p[24:]))&hi8 == 0 {
		p = p[32:]
	}
	for len(p) >= 8 {
		if m := binary.LittleEndian.Uint64(p) & hi8; m != 0 {
			return n - len(p) + bits.TrailingZeros64(m)>>3
		}
		p = p[8:]
	}
	for i, c := range p {
		if c >= utf8.RuneSelf {
			return n - len(p) + i
		}
	}
	return n
}

// validUTF8 reports whether p is valid UTF-8. It agrees with utf8.Valid
// and is faster on text that is not ASCII.
func validUTF8(p []byte) bool {
	p = p[:len(p):len(p)] // spares the slicing below a capacity fixup
words:
	for len(p) >= 8 {
		m := binary.LittleEndian.Uint64(p) & hi8
		if m == 0 {
			p = p[8:]
			// (> rather than >= spares the slicing a past-the-end fixup.)
			for len(p) > 32 && (binary.LittleEndian.Uint64(p)|binary.LittleEndian.Uint64(p[8:])|
				binary.LittleEndian.Uint64(p[16:])|binary.LittleEndian.Uint64(p[24:]))&hi8 == 0 {
				p = p[32:]
			}
			continue
		}
		p = p[bits.TrailingZeros64(m)>>3:]
		for len(p) >= 4 {
			w := binary.LittleEndian.Uint32(p)
			switch {
			case w&0x80 == 0:
				// Short ASCII runs are stepped over here, longer ones in
				// the word loop.
				hm := w & 0x80808080
				if hm == 0 {
					continue words
				}
				p = p[bits.TrailingZeros32(hm)>>3:]
			case w&0xc0e0 == 0x80c0: // 110xxxxx 10xxxxxx
				if w&0x1e == 0 {
					return false // overlong
				}
				p = p[2:]
			case w&0xc0c0f0 == 0x8080e0: // 1110xxxx 10xxxxxx 10xxxxxx
				r := (w&0x0f)<<12 | (w>>2)&0xfc0 | (w>>16)&0x3f
				if r < 0x800 || r&0xf800 == 0xd800 {
					return false // overlong or a surrogate
				}
				p = p[3:]
			case w&0xc0c0c0f8 == 0x808080f0: // 11110xxx and three 10xxxxxx
				r := (w&0x07)<<18 | (w&0x3f00)<<4 | (w>>10)&0xfc0 | w>>24&0x3f
				if r-0x10000 >= 0x100000 {
					return false // overlong or past U+10FFFF
				}
				p = p[4:]
			default:
				return false
			}
		}
		break
	}
	return utf8.Valid(p)
}

// putUTF16 writes s as little-endian UTF-16 into dst and returns the bytes
// written, or false when s is not valid UTF-8 (or dst is too short, which
// the callers rule out: dst has room for the UTF-16 of s, and for 2*len(s)
// bytes when s is not yet validated).
func putUTF16(dst []byte, s string) (int, bool) {
	src, b := bytesOf(s), dst
	// The word loop widens ASCII 8 bytes at a time. A word with a
	// non-ASCII byte is widened whole too, and the units from that byte on
	// are overwritten by what follows; with 32 bytes of input left, what
	// follows (at least 2 bytes of output for every 3 of input) is sure
	// to cover them.
words:
	for len(src) >= 32 && len(b) >= 16 {
		x := binary.LittleEndian.Uint64(src)
		store64(b, spread16(x&0xffffffff))
		store64(b[8:], spread16(x>>32))
		m := x & hi8
		if m == 0 {
			src, b = src[8:], b[16:]
			continue
		}
		k := bits.TrailingZeros64(m) >> 3
		src, b = src[k:], b[2*k:]
		// The run of multi-byte sequences that starts here, decoded from
		// 4-byte loads, with the short ASCII runs (1 to 3 bytes) between
		// them; a longer ASCII run goes back to the word loop.
		for len(src) >= 4 && len(b) >= 4 {
			w := binary.LittleEndian.Uint32(src)
			switch {
			case w&0x80 == 0:
				hm := w & 0x80808080
				if hm == 0 || len(src) < 32 || len(b) < 8 {
					continue words
				}
				k := bits.TrailingZeros32(hm) >> 3
				store64(b, spread16(uint64(w)))
				src, b = src[k:], b[2*k:]
			case w&0xc0e0 == 0x80c0: // 110xxxxx 10xxxxxx
				r := (w&0x1f)<<6 | (w>>8)&0x3f
				if r < 0x80 {
					return len(dst) - len(b), false // overlong
				}
				binary.LittleEndian.PutUint16(b, uint16(r))
				src, b = src[2:], b[2:]
			case w&0xc0c0f0 == 0x8080e0: // 1110xxxx 10xxxxxx 10xxxxxx
				r := (w&0x0f)<<12 | (w>>2)&0xfc0 | (w>>16)&0x3f
				if r < 0x800 || r&0xf800 == 0xd800 {
					return len(dst) - len(b), false // overlong or a surrogate
				}
				binary.LittleEndian.PutUint16(b, uint16(r))
				src, b = src[3:], b[2:]
			case w&0xc0c0c0f8 == 0x808080f0: // 11110xxx and three 10xxxxxx
				r := (w&0x07)<<18 | (w&0x3f00)<<4 | (w>>10)&0xfc0 | w>>24&0x3f
				r -= 0x10000
				if r >= 0x100000 {
					return len(dst) - len(b), false // overlong or past U+10FFFF
				}
				binary.LittleEndian.PutUint32(b, (0xd800+r>>10)|(0xdc00+r&0x3ff)<<16)
				src, b = src[4:], b[4:]
			default:
				return len(dst) - len(b), false
			}
		}
		break
	}
	// The last bytes, writing exactly the output.
	for len(src) > 0 {
		if len(src) >= 8 && len(b) >= 16 {
			if x := binary.LittleEndian.Uint64(src); x&hi8 == 0 {
				store64(b, spread16(x&0xffffffff))
				store64(b[8:], spread16(x>>32))
				src, b = src[8:], b[16:]
				continue
			}
		}
		if c := src[0]; c < utf8.RuneSelf {
			if len(b) < 2 {
				return len(dst) - len(b), false
			}
			b[0], b[1] = c, 0
			src, b = src[1:], b[2:]
			continue
		}
		r, size := utf8.DecodeRune(src)
		if r == utf8.RuneError && size == 1 {
			return len(dst) - len(b), false
		}
		src = src[size:]
		if r >= 0x10000 {
			if len(b) < 4 {
				return len(dst) - len(b), false
			}
			r -= 0x10000
			binary.LittleEndian.PutUint32(b, uint32(0xd800+r>>10)|uint32(0xdc00+r&0x3ff)<<16)
			b = b[4:]
			continue
		}
		if len(b) < 2 {
			return len(dst) - len(b), false
		}
		binary.LittleEndian.PutUint16(b, uint16(r))
		b = b[2:]
	}
	return len(dst) - len(b), true
}

// putLatin1 writes the leading characters of s that are below U+0100 into
// dst as Latin-1, and returns the bytes written and the bytes of s read: it
// stops at the first character that does not fit (or that is not valid
// UTF-8), or when dst is full. It writes nothing past its output: when the
// text turns out not to fit Latin-1, the caller moves the prefix to a
// larger allocation and the bytes left behind stay as written.
func putLatin1(dst []byte, s string) (n, read int) {
	src, b := bytesOf(s), dst
	for len(src) >= 8 && len(b) >= 8 {
		x := binary.LittleEndian.Uint64(src)
		m := x & hi8
		if m == 0 {
			store64(b, x)
			src, b = src[8:], b[8:]
			continue
		}
		k := bits.TrailingZeros64(m) >> 3
		for i, c := range src[:k] {
			b[i] = c
		}
		src, b = src[k:], b[k:]
		// Two-byte sequences of Latin-1 characters, and the short ASCII
		// runs between them.
		for len(src) >= 4 && len(b) >= 4 {
			w := binary.LittleEndian.Uint32(src)
			if w&0x80 == 0 {
				hm := w & 0x80808080
				if hm == 0 {
					break
				}
				k := bits.TrailingZeros32(hm) >> 3
				for i, c := range src[:k] {
					b[i] = c
				}
				src, b = src[k:], b[k:]
				continue
			}
			if w&0xc0fe != 0x80c2 {
				return len(dst) - len(b), len(s) - len(src)
			}
			b[0] = byte(w)<<6 | byte(w>>8)&0x3f
			src, b = src[2:], b[1:]
		}
	}
	for len(src) > 0 && len(b) > 0 {
		c := src[0]
		if c < utf8.RuneSelf {
			b[0] = c
			src, b = src[1:], b[1:]
			continue
		}
		if c&0xfe != 0xc2 || len(src) < 2 || src[1]&0xc0 != 0x80 {
			break
		}
		b[0] = c<<6 | src[1]&0x3f
		src, b = src[2:], b[1:]
	}
	return len(dst) - len(b), len(s) - len(src)
}

// utf16Len counts the UTF-16 code units of s (valid UTF-8), and reports
// whether every character is below U+0100 (fits Latin-1) and whether s is
// all ASCII. A character is a byte that is not a continuation byte, plus
// one more unit for each 4-byte lead; it is past U+00FF when its lead is
// C4 or above.
func utf16Len(s string) (n uint64, latin1, ascii bool) {
	src := bytesOf(s)
	var cont, four int
	var high, wide uint64
	for len(src) >= 8 {
		x := binary.LittleEndian.Uint64(src)
		src = src[8:]
		if x&hi8 == 0 {
			continue
		}
		high |= x
		cont += bits.OnesCount64(x &^ (x << 1) & hi8)
		four += bits.OnesCount64(x & (x << 1) & (x << 2) & (x << 3) & hi8)
		wide |= x & (x << 1) & (x<<2 | x<<3 | x<<4 | x<<5) & hi8
	}
	for _, c := range src {
		x := uint64(c)
		high |= x
		cont += int((x &^ (x << 1) & 0x80) >> 7)
		four += int((x & (x << 1) & (x << 2) & (x << 3) & 0x80) >> 7)
		wide |= x & (x << 1) & (x<<2 | x<<3 | x<<4 | x<<5) & 0x80
	}
	return uint64(len(s) - cont + four), wide == 0, high&hi8 == 0
}

// utf8Size validates little-endian UTF-16 and returns the size of its
// UTF-8 encoding.
func utf8Size(p []byte) (int, bool) {
	size := 0
	for len(p) >= 8 {
		x := binary.LittleEndian.Uint64(p)
		if x&0xff80ff80ff80ff80 == 0 {
			size += 4
			p = p[8:]
			continue
		}
		// Without surrogates, every unit is 1 byte, plus 1 from U+0080
		// and 1 more from U+0800.
		t := x & 0xf800f800f800f800
		if !hasZero16(t ^ 0xd800d800d800d800) {
			size += 4 + nonzero16(x&0xff80ff80ff80ff80) + nonzero16(t)
			p = p[8:]
			continue
		}
		n, ok := utf8SizeUnit(p)
		if !ok {
			return 0, false
		}
		size += n
		p = p[2:]
		if n == 4 {
			p = p[2:]
		}
	}
	for len(p) >= 2 {
		n, ok := utf8SizeUnit(p)
		if !ok {
			return 0, false
		}
		size += n
		p = p[2:]
		if n == 4 {
			p = p[2:]
		}
	}
	return size, true
}

// utf8SizeUnit returns the UTF-8 size of the unit (or surrogate pair) at
// the start of p, which holds at least one unit.
func utf8SizeUnit(p []byte) (int, bool) {
	u := binary.LittleEndian.Uint16(p)
	switch {
	case u < 0x80:
		return 1, true
	case u < 0x800:
		return 2, true
	case u&0xf800 != 0xd800:
		return 3, true
	case u < 0xdc00 && len(p) >= 4 && binary.LittleEndian.Uint16(p[2:])&0xfc00 == 0xdc00:
		return 4, true
	}
	return 0, false
}

// decodeUTF16 decodes little-endian UTF-16, rejecting unpaired surrogates.
// It sizes the output first, so it allocates exactly once.
func decodeUTF16(p []byte) (string, bool) {
	size, ok := utf8Size(p)
	if !ok {
		return "", false
	}
	if size == 0 {
		return "", true
	}
	buf := make([]byte, size)
	out := buf
	// The output is the host's own buffer, so the loop may write a few
	// bytes ahead; it checks every length all the same, in case the
	// memory changed between the passes.
	for len(p) >= 8 && len(out) >= 4 {
		x := binary.LittleEndian.Uint64(p)
		if x&0xff80ff80ff80ff80 == 0 {
			y := (x | x>>8) & 0x0000ffff0000ffff
			store32(out, uint32(y|y>>16))
			p, out = p[8:], out[4:]
			continue
		}
		if len(out) < 16 {
			break
		}
		for k := 0; k < 4; k++ {
			u := uint32(binary.LittleEndian.Uint16(p))
			p = p[2:]
			switch {
			case u < 0x80:
				out[0] = byte(u)
				out = out[1:]
			case u < 0x800:
				binary.LittleEndian.PutUint16(out, uint16(0x80c0|u>>6|(u&0x3f)<<8))
				out = out[2:]
			case u&0xf800 != 0xd800:
				store32(out, 0x8080e0|u>>12|(u>>6&0x3f)<<8|(u&0x3f)<<16)
				out = out[3:]
			default:
				if len(p) < 2 {
					return "", false
				}
				r := 0x10000 + (u-0xd800)<<10 + (uint32(binary.LittleEndian.Uint16(p)) - 0xdc00)
				store32(out, 0x808080f0|r>>18|(r>>12&0x3f)<<8|(r>>6&0x3f)<<16|(r&0x3f)<<24)
				p, out = p[2:], out[4:]
				k++
			}
		}
	}
	for len(p) >= 2 {
		r := rune(binary.LittleEndian.Uint16(p))
		p = p[2:]
		if r&0xf800 == 0xd800 {
			if len(p) < 2 {
				return "", false
			}
			r = 0x10000 + (r-0xd800)<<10 + (rune(binary.LittleEndian.Uint16(p)) - 0xdc00)
			p = p[2:]
		}
		if utf8.RuneLen(r) > len(out) {
			return "", false
		}
		out = out[utf8.EncodeRune(out, r):]
	}
	if len(out) != 0 {
		return "", false
	}
	return stringOf(buf), true
}

// decodeLatin1 decodes Latin-1 (every byte is the code point).
func decodeLatin1(p []byte) string {
	extra := 0 // bytes from U+0080 on take 2 bytes in UTF-8
	q := p
	for len(q) >= 8 {
		extra += bits.OnesCount64(binary.LittleEndian.Uint64(q) & hi8)
		q = q[8:]
	}
	for _, c := range q {
		extra += int(c >> 7)
	}
	if extra == 0 {
		return string(p)
	}
	buf := make([]byte, len(p)+extra)
	out := buf
	for len(p) >= 8 && len(out) >= 16 {
		x := binary.LittleEndian.Uint64(p)
		if x&hi8 == 0 {
			store64(out, x)
			p, out = p[8:], out[8:]
			continue
		}
		for _, c := range p[:8] {
			if c < utf8.RuneSelf {
				out[0] = c
				out = out[1:]
				continue
			}
			binary.LittleEndian.PutUint16(out, 0x80c0|uint16(c>>6)|uint16(c&0x3f)<<8)
			out = out[2:]
		}
		p = p[8:]
	}
	for _, c := range p {
		if c < utf8.RuneSelf {
			out[0] = c
			out = out[1:]
			continue
		}
		out[0], out[1] = 0xc0|c>>6, 0x80|c&0x3f
		out = out[2:]
	}
	return stringOf(buf)
}
