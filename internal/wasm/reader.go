package wasm

import (
	"encoding/binary"
	"fmt"
	"unicode/utf8"
	"unsafe"
)

// Error is a decoding error: where in the input it happened and why.
type Error struct {
	// Offset is the byte offset in the whole input (not the section).
	Offset int
	// Msg says what was wrong, as a sentence fragment.
	Msg string
}

// Error formats the error as "offset 0x1f: msg".
func (e *Error) Error() string { return fmt.Sprintf("offset 0x%x: %s", e.Offset, e.Msg) }

// Reader reads the binary format from a byte slice, tracking the offset in
// the original input so that every error can say where it happened.
type Reader struct {
	b    []byte
	pos  int
	base int
	// str, when set, is string(b): names are cut from it instead of each
	// being copied into its own allocation.
	str string
	// alias makes names point into b itself (AliasStrings).
	alias bool
}

// NewReader returns a reader of b, whose first byte is at offset base of the
// original input.
func NewReader(b []byte, base int) *Reader { return &Reader{b: b, base: base} }

// AliasStrings makes Name return strings that point into the input
// itself instead of copies, for this reader and the readers it makes
// (Sub, SubValue). The caller promises that the input is never modified
// while a name read from it is in use: a decoder whose results already
// keep sub-slices of the input (module bytes, custom section data) loses
// nothing by keeping its names there too, and saves a copy of every
// section made of names.
func (r *Reader) AliasStrings() { r.alias, r.str = true, "" }

// ShareStrings copies the unread bytes into one string from which Name will
// cut its results: one allocation for a section instead of one per name.
// The names then keep that whole copy alive, so use it for sections made
// mostly of names, not for ones holding code or data.
func (r *Reader) ShareStrings() {
	if r.alias {
		return // names already point into the input
	}
	r.str = string(r.b[r.pos:])
	r.b = r.b[r.pos:]
	r.base += r.pos
	r.pos = 0
}

// Offset returns the current offset in the original input.
func (r *Reader) Offset() int { return r.base + r.pos }

// Remaining returns the number of unread bytes.
func (r *Reader) Remaining() int { return len(r.b) - r.pos }

// EOF reports whether every byte was read.
func (r *Reader) EOF() bool { return r.pos >= len(r.b) }

// Errorf returns an *Error at the current offset.
func (r *Reader) Errorf(format string, args ...any) error {
	return &Error{Offset: r.Offset(), Msg: fmt.Sprintf(format, args...)}
}

// ErrorAt returns an *Error at the given offset of the original input.
func ErrorAt(offset int, format string, args ...any) error {
	return &Error{Offset: offset, Msg: fmt.Sprintf(format, args...)}
}

// Byte reads one byte.
//
// Byte and Peek are small enough to be inlined (decoders call them for
// nearly every byte); U32 leaves encodings longer than a byte to u32.
func (r *Reader) Byte() (byte, error) {
	if p := r.pos; p < len(r.b) {
		r.pos = p + 1
		return r.b[p], nil
	}
	return 0, &Error{Offset: r.base + r.pos, Msg: msgEOF}
}

// msgEOF is the error of a read past the end, made in line (an Errorf
// call would make the reader's small methods too costly to inline).
const msgEOF = "unexpected end-of-file"

// Peek returns the next byte without reading it.
func (r *Reader) Peek() (byte, error) {
	if r.pos < len(r.b) {
		return r.b[r.pos], nil
	}
	return 0, &Error{Offset: r.base + r.pos, Msg: msgEOF}
}

// U32 reads an unsigned LEB128 u32.
func (r *Reader) U32() (uint32, error) {
	if p := r.pos; p < len(r.b) {
		if c := r.b[p]; c < 0x80 {
			r.pos = p + 1
			return uint32(c), nil
		}
	}
	return r.u32()
}

// u32 is U32 for encodings longer than a byte, and errors.
//
//go:noinline
func (r *Reader) u32() (uint32, error) {
	v, n, err := DecodeU32(r.b[r.pos:])
	if err != nil {
		return 0, r.Errorf("%v", err)
	}
	r.pos += n
	return v, nil
}

// U64 reads an unsigned LEB128 u64.
func (r *Reader) U64() (uint64, error) {
	v, n, err := DecodeU64(r.b[r.pos:])
	if err != nil {
		return 0, r.Errorf("%v", err)
	}
	r.pos += n
	return v, nil
}

// S32 reads a signed LEB128 s32.
func (r *Reader) S32() (int32, error) {
	v, n, err := DecodeS32(r.b[r.pos:])
	if err != nil {
		return 0, r.Errorf("%v", err)
	}
	r.pos += n
	return v, nil
}

// S33 reads a signed LEB128 s33.
func (r *Reader) S33() (int64, error) {
	if p := r.pos; p < len(r.b) && r.b[p] < 0x40 {
		// One byte, sign bit clear: the type indices of most types.
		r.pos = p + 1
		return int64(r.b[p]), nil
	}
	return r.s33()
}

// s33 is S33 past its one-byte path.
func (r *Reader) s33() (int64, error) {
	if p := r.pos; p+1 < len(r.b) && r.b[p] >= 0x80 && r.b[p+1] < 0x40 {
		// Two bytes, the last with its sign bit clear: the type
		// indices from 64 up of an interface's many types.
		r.pos = p + 2
		return int64(r.b[p]&0x7f) | int64(r.b[p+1])<<7, nil
	}
	v, n, err := DecodeS33(r.b[r.pos:])
	if err != nil {
		return 0, r.Errorf("%v", err)
	}
	r.pos += n
	return v, nil
}

// S64 reads a signed LEB128 s64.
func (r *Reader) S64() (int64, error) {
	v, n, err := DecodeS64(r.b[r.pos:])
	if err != nil {
		return 0, r.Errorf("%v", err)
	}
	r.pos += n
	return v, nil
}

// Bytes reads n bytes, returning a sub-slice of the input (not a copy).
func (r *Reader) Bytes(n int) ([]byte, error) {
	if n < 0 || n > r.Remaining() {
		return nil, r.Errorf("unexpected end-of-file: %d bytes wanted, %d remain", n, r.Remaining())
	}
	b := r.b[r.pos : r.pos+n : r.pos+n]
	r.pos += n
	return b, nil
}

// Peeked returns the unread bytes without reading them.
func (r *Reader) Peeked() []byte { return r.b[r.pos:] }

// Rest reads every remaining byte.
func (r *Reader) Rest() []byte {
	b := r.b[r.pos:len(r.b):len(r.b)]
	r.pos = len(r.b)
	return b
}

// Name reads a length-prefixed UTF-8 string.
func (r *Reader) Name() (string, error) {
	// Nearly every name is ASCII and shorter than 128 bytes: its length
	// is one byte, read here instead of through U32 (not inlined).
	if b, p := r.b, r.pos; p < len(b) {
		if n := int(b[p]); n < 0x80 && n < len(b)-p {
			if s := b[p+1 : p+1+n]; isASCII(s) {
				r.pos = p + 1 + n
				if r.alias {
					if n == 0 {
						return "", nil
					}
					return unsafe.String(&s[0], n), nil
				}
				if r.str != "" {
					return r.str[p+1 : p+1+n], nil
				}
				return string(s), nil
			}
		}
	}
	return r.name()
}

// name is Name past its fast path.
func (r *Reader) name() (string, error) {
	start := r.Offset()
	n, err := r.U32()
	if err != nil {
		return "", err
	}
	if int64(n) > int64(r.Remaining()) {
		return "", ErrorAt(start, "unexpected end-of-file: a string of %d bytes is longer than the %d bytes that remain", n, r.Remaining())
	}
	b := r.b[r.pos : r.pos+int(n)]
	if !isASCII(b) && !utf8.Valid(b) {
		return "", r.Errorf("malformed UTF-8 encoding in a name")
	}
	r.pos += int(n)
	if r.alias {
		if n == 0 {
			return "", nil
		}
		return unsafe.String(&b[0], len(b)), nil
	}
	if r.str != "" {
		return r.str[r.pos-int(n) : r.pos], nil
	}
	return string(b), nil
}

// Count reads the length of a vector whose elements take at least one byte
// each, and rejects a length that the remaining bytes cannot hold, so that
// callers may allocate by it.
func (r *Reader) Count(what string) (int, error) {
	// A one-byte count, the common case, in line.
	if b, p := r.b, r.pos; p < len(b) {
		if n := int(b[p]); n < 0x80 && n < len(b)-p {
			r.pos = p + 1
			return n, nil
		}
	}
	return r.count(what)
}

// count is Count past its one-byte path.
func (r *Reader) count(what string) (int, error) {
	start := r.Offset()
	n, err := r.U32()
	if err != nil {
		return 0, err
	}
	if int64(n) > int64(r.Remaining()) {
		return 0, ErrorAt(start, "unexpected end-of-file: %d %s declared but only %d bytes remain", n, what, r.Remaining())
	}
	return int(n), nil
}

// Sub reads a length-prefixed region (a section or subsection body) and
// returns a reader for it, positioned at its first byte.
func (r *Reader) Sub(what string) (*Reader, error) {
	sub, err := r.SubValue(what)
	if err != nil {
		return nil, err
	}
	return &sub, nil
}

// SubValue is Sub returning the reader itself, which a caller reading many
// sections keeps on its stack instead of allocating one per section.
func (r *Reader) SubValue(what string) (Reader, error) {
	start := r.Offset()
	n, err := r.U32()
	if err != nil {
		return Reader{}, err
	}
	if int64(n) > int64(r.Remaining()) {
		return Reader{}, ErrorAt(start, "unexpected end-of-file: a %s of %d bytes is longer than the %d bytes that remain", what, n, r.Remaining())
	}
	sub := Reader{b: r.b[r.pos : r.pos+int(n) : r.pos+int(n)], base: r.Offset(), alias: r.alias}
	if r.str != "" {
		sub.str = r.str[r.pos : r.pos+int(n)]
	}
	r.pos += int(n)
	return sub, nil
}

// SubInto is SubValue writing the reader into *sub, for a caller that
// reads hundreds of sections into one reader: no 64-byte Reader is made
// and copied per section.
func (r *Reader) SubInto(what string, sub *Reader) error {
	var end int
	if p := r.pos; p < len(r.b) && r.b[p] < 0x80 && int(r.b[p]) < len(r.b)-p {
		// A one-byte size, in line (an engine's component has hundreds
		// of small sections).
		r.pos = p + 1
		end = r.pos + int(r.b[p])
	} else {
		start := r.Offset()
		n, err := r.U32()
		if err != nil {
			return err
		}
		if int64(n) > int64(len(r.b)-r.pos) {
			return ErrorAt(start, "unexpected end-of-file: a %s of %d bytes is longer than the %d bytes that remain", what, n, r.Remaining())
		}
		end = r.pos + int(n)
	}
	sub.b, sub.pos, sub.base, sub.alias = r.b[r.pos:end:end], 0, r.base+r.pos, r.alias
	sub.str = ""
	if r.str != "" {
		sub.str = r.str[r.pos:end]
	}
	r.pos = end
	return nil
}

// Bool reads a 0x00/0x01 flag.
func (r *Reader) Bool(what string) (bool, error) {
	c, err := r.Byte()
	if err != nil {
		return false, err
	}
	switch c {
	case 0:
		return false, nil
	case 1:
		return true, nil
	}
	return false, ErrorAt(r.Offset()-1, "invalid boolean value 0x%02x for %s (want 0x00 or 0x01)", c, what)
}

// isASCII reports whether b is all ASCII, a word at a time: names nearly
// always are, and utf8.Valid costs more on short ones.
func isASCII(b []byte) bool {
	var or uint64
	for len(b) >= 8 {
		or |= binary.LittleEndian.Uint64(b)
		b = b[8:]
	}
	for _, c := range b {
		or |= uint64(c)
	}
	return or&leadBits == 0
}
