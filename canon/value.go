package canon

import (
	"math"
)

// Value is a component-model value, the dynamic form the runtime and the CLI
// pass around. It is a small struct, not an interface, so that scalars,
// enums and flags need no allocation and a lift can reuse the storage of a
// previous value (LiftFlatInto, LoadInto).
//
// A Value knows its kind but not its full WIT type: a record's fields are
// positional, a variant holds a case index. The type is given separately
// whenever a value is lifted, lowered, printed or parsed.
//
// Layout by kind:
//   - scalars: bits (signed integers sign-extended, floats as IEEE bits)
//   - string: str, plus the source encoding in bits (see StringFrom)
//   - list, fixed-length list, record, tuple: elems in order
//   - map: elems, each a 2-element tuple (key, value)
//   - variant, enum, option, result: the case index in bits and the
//     payload, if any, as elems[0]. Option: none = 0, some = 1. Result:
//     ok = 0, error = 1.
//   - flags: the set bits in bits, bit i for the i-th label
//   - own, borrow: the resource rep in bits
//   - stream, future, error-context: a handle chosen by the runtime in bits
type Value struct {
	kind  Kind
	bits  uint64
	str   string
	elems []Value
}

// Kind returns the kind of v; KindInvalid for the zero Value.
func (v Value) Kind() Kind { return v.kind }

// IsValid reports whether v is a value (the zero Value stands for "no
// payload").
func (v Value) IsValid() bool { return v.kind != KindInvalid }

// Bool returns a bool value.
func Bool(b bool) Value {
	if b {
		return Value{kind: KindBool, bits: 1}
	}
	return Value{kind: KindBool}
}

// S8 returns an s8 value.
func S8(x int8) Value { return Value{kind: KindS8, bits: uint64(int64(x))} }

// U8 returns a u8 value.
func U8(x uint8) Value { return Value{kind: KindU8, bits: uint64(x)} }

// S16 returns an s16 value.
func S16(x int16) Value { return Value{kind: KindS16, bits: uint64(int64(x))} }

// U16 returns a u16 value.
func U16(x uint16) Value { return Value{kind: KindU16, bits: uint64(x)} }

// S32 returns an s32 value.
func S32(x int32) Value { return Value{kind: KindS32, bits: uint64(int64(x))} }

// U32 returns a u32 value.
func U32(x uint32) Value { return Value{kind: KindU32, bits: uint64(x)} }

// S64 returns an s64 value.
func S64(x int64) Value { return Value{kind: KindS64, bits: uint64(x)} }

// U64 returns a u64 value.
func U64(x uint64) Value { return Value{kind: KindU64, bits: x} }

// F32 returns an f32 value.
func F32(x float32) Value { return Value{kind: KindF32, bits: uint64(math.Float32bits(x))} }

// F64 returns an f64 value.
func F64(x float64) Value { return Value{kind: KindF64, bits: math.Float64bits(x)} }

// Char returns a char value. Lowering rejects a rune that is not a Unicode
// scalar value with a ValueError.
func Char(r rune) Value { return Value{kind: KindChar, bits: uint64(uint32(r))} }

// String returns a string value held as UTF-8 (a Go string).
func String(s string) Value { return Value{kind: KindString, str: s} }

// Source encodings of a string value, kept in Value.bits. They only change
// how many code units the lowering's allocations count (see StringFrom).
const (
	srcUTF8        = 0
	srcUTF16       = 1 // from a utf16 memory
	srcLatin1      = 2 // from a latin1+utf16 memory, Latin-1 form
	srcTaggedUTF16 = 3 // from a latin1+utf16 memory, UTF-16 form
)

// StringFrom returns a string value that came from a memory with the given
// string encoding. Lowering it into another memory allocates as the spec
// does for that pair of encodings (fused adapters count the source's code
// units, not UTF-8 bytes). For Latin1UTF16 the form is Latin-1 when every
// character is below U+0100 and UTF-16 otherwise. Lifting a string sets this
// itself.
func StringFrom(s string, enc StringEncoding) Value {
	v := Value{kind: KindString, str: s}
	switch enc {
	case UTF16:
		v.bits = srcUTF16
	case Latin1UTF16:
		v.bits = srcLatin1
		for _, r := range s {
			if r >= 0x100 {
				v.bits = srcTaggedUTF16
				break
			}
		}
	}
	return v
}

// List returns a list value.
func List(elems ...Value) Value { return Value{kind: KindList, elems: elems} }

// FixedList returns a fixed-length list value.
func FixedList(elems ...Value) Value { return Value{kind: KindFixedList, elems: elems} }

// Record returns a record value with its fields in declaration order.
func Record(fields ...Value) Value { return Value{kind: KindRecord, elems: fields} }

// Tuple returns a tuple value.
func Tuple(elems ...Value) Value { return Value{kind: KindTuple, elems: elems} }

// Map returns a map value from key-value pairs, in order (duplicates are
// kept: the ABI treats a map as a list of pairs).
func Map(pairs ...[2]Value) Value {
	elems := make([]Value, len(pairs))
	for i, p := range pairs {
		elems[i] = Value{kind: KindTuple, elems: []Value{p[0], p[1]}}
	}
	return Value{kind: KindMap, elems: elems}
}

func withPayload(k Kind, c uint32, payload Value) Value {
	v := Value{kind: k, bits: uint64(c)}
	if payload.kind != KindInvalid {
		v.elems = []Value{payload}
	}
	return v
}

// Variant returns the variant case with index c; payload is the zero Value
// for a case without payload.
func Variant(c uint32, payload Value) Value { return withPayload(KindVariant, c, payload) }

// Enum returns the enum case with index c.
func Enum(c uint32) Value { return Value{kind: KindEnum, bits: uint64(c)} }

// None returns option's none.
func None() Value { return Value{kind: KindOption} }

// Some returns option's some(v).
func Some(v Value) Value { return withPayload(KindOption, 1, v) }

// Ok returns result's ok; payload is the zero Value when ok has no type.
func Ok(payload Value) Value { return withPayload(KindResult, 0, payload) }

// Err returns result's error; payload is the zero Value when error has no
// type.
func Err(payload Value) Value { return withPayload(KindResult, 1, payload) }

// Flags returns a flags value: bit i set means the i-th label is set.
func Flags(bits uint32) Value { return Value{kind: KindFlags, bits: uint64(bits)} }

// Own returns an owned handle to the resource with the given rep.
func Own(rep uint32) Value { return Value{kind: KindOwn, bits: uint64(rep)} }

// Borrow returns a borrowed handle to the resource with the given rep.
func Borrow(rep uint32) Value { return Value{kind: KindBorrow, bits: uint64(rep)} }

// Stream, Future and ErrorContext return values of those handle types;
// what the handle means is the runtime's business (see AsyncValues).
func Stream(h uint32) Value { return Value{kind: KindStream, bits: uint64(h)} }

// Future: see Stream.
func Future(h uint32) Value { return Value{kind: KindFuture, bits: uint64(h)} }

// ErrorContext: see Stream.
func ErrorContext(h uint32) Value { return Value{kind: KindErrorContext, bits: uint64(h)} }

// Bool returns the value of a bool.
func (v Value) Bool() bool { return v.bits != 0 }

// Int returns a signed integer (s8 to s64) sign-extended.
func (v Value) Int() int64 { return int64(v.bits) }

// Uint returns an unsigned integer (u8 to u64), or the raw bits of any
// scalar.
func (v Value) Uint() uint64 { return v.bits }

// Float32 returns an f32.
func (v Value) Float32() float32 { return math.Float32frombits(uint32(v.bits)) }

// Float64 returns an f64 (or an f32 widened).
func (v Value) Float64() float64 {
	if v.kind == KindF32 {
		return float64(v.Float32())
	}
	return math.Float64frombits(v.bits)
}

// Char returns a char.
func (v Value) Char() rune { return rune(uint32(v.bits)) }

// String returns the text of a string value; for other kinds it returns
// "<kind value>" as reflect.Value does, so that it is never mistaken for
// data.
func (v Value) String() string {
	if v.kind == KindString {
		return v.str
	}
	return "<" + v.kind.String() + " value>"
}

// Len returns the number of elements of a list, record, tuple or map.
func (v Value) Len() int { return len(v.elems) }

// Index returns element i of a list, record, tuple or map.
func (v Value) Index(i int) Value { return v.elems[i] }

// Elems returns the elements of a list, record, tuple or map (for a map,
// 2-element tuples). The slice is the value's own storage.
func (v Value) Elems() []Value { return v.elems }

// Case returns the case index of a variant, enum, option or result.
func (v Value) Case() uint32 { return uint32(v.bits) }

// Payload returns the payload of a variant, option or result case, and
// false when the case has none.
func (v Value) Payload() (Value, bool) {
	if len(v.elems) == 0 {
		return Value{}, false
	}
	return v.elems[0], true
}

// FlagBits returns the set labels of a flags value as bits.
func (v Value) FlagBits() uint32 { return uint32(v.bits) }

// Handle returns the rep of an own or borrow, or the handle of a stream,
// future or error-context.
func (v Value) Handle() uint32 { return uint32(v.bits) }

// Equal reports whether v and w are the same value. Floats compare by bit
// pattern (so a NaN equals the same NaN, and -0 differs from +0); a
// string's source encoding is ignored.
func (v Value) Equal(w Value) bool {
	if v.kind != w.kind || len(v.elems) != len(w.elems) {
		return false
	}
	switch v.kind {
	case KindString:
		return v.str == w.str
	case KindList, KindFixedList, KindRecord, KindTuple, KindMap:
	default:
		if v.bits != w.bits {
			return false
		}
	}
	for i := range v.elems {
		if !v.elems[i].Equal(w.elems[i]) {
			return false
		}
	}
	return true
}
