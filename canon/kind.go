package canon

// Kind is the kind of a Value, and the shape a Layout gives a WIT type after
// aliases are followed. Specialised types keep their own kind (an option is
// not a variant here) so that values print and convert by their WIT type.
type Kind uint8

// The kinds of values.
const (
	KindInvalid Kind = iota
	KindBool
	KindS8
	KindU8
	KindS16
	KindU16
	KindS32
	KindU32
	KindS64
	KindU64
	KindF32
	KindF64
	KindChar
	KindString
	KindErrorContext
	KindList
	KindFixedList
	KindRecord
	KindTuple
	KindVariant
	KindEnum
	KindOption
	KindResult
	KindFlags
	KindMap
	KindOwn
	KindBorrow
	KindStream
	KindFuture
)

var kindNames = [...]string{
	KindInvalid: "invalid", KindBool: "bool", KindS8: "s8", KindU8: "u8",
	KindS16: "s16", KindU16: "u16", KindS32: "s32", KindU32: "u32",
	KindS64: "s64", KindU64: "u64", KindF32: "f32", KindF64: "f64",
	KindChar: "char", KindString: "string", KindErrorContext: "error-context",
	KindList: "list", KindFixedList: "fixed-length list", KindRecord: "record",
	KindTuple: "tuple", KindVariant: "variant", KindEnum: "enum",
	KindOption: "option", KindResult: "result", KindFlags: "flags",
	KindMap: "map", KindOwn: "own", KindBorrow: "borrow", KindStream: "stream",
	KindFuture: "future",
}

// String returns the WIT word for the kind.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(?)"
}

// isScalar reports kinds whose value lives entirely in Value.bits.
func (k Kind) isScalar() bool { return k >= KindBool && k <= KindChar }
