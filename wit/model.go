package wit

// This file is the resolved WIT model shared by every part of wasmcm: the WIT
// front end produces it, the binary codec encodes and decodes it, the canonical
// ABI lays values out by it, and bindgen, compose and the runtime read it.
//
// It mirrors wit-parser's Resolve on purpose: items live in arenas (slices)
// addressed by stable indices, so the reference JSON (which prints those
// indices) falls out directly and so references between items are plain
// integers rather than pointers.

// TypeID indexes Resolve.Types.
type TypeID int32

// InterfaceID indexes Resolve.Interfaces.
type InterfaceID int32

// WorldID indexes Resolve.Worlds.
type WorldID int32

// PackageID indexes Resolve.Packages.
type PackageID int32

// The "no item" values of the ID types, where the reference has Option<Id>.
const (
	NoType      TypeID      = -1
	NoInterface InterfaceID = -1
	NoWorld     WorldID     = -1
	NoPackage   PackageID   = -1
)

// Resolve is a set of resolved WIT packages and everything they define.
// The zero value is an empty Resolve ready to be loaded into.
type Resolve struct {
	Worlds     []*World
	Interfaces []*Interface
	Types      []*TypeDef
	Packages   []*Package

	// Features are the names enabled for @unstable gates; AllFeatures enables
	// every gate. They are set before loading and decide which items exist.
	Features    []string
	AllFeatures bool
}

// Type is a reference to a WIT type: either a primitive or a TypeDef of the
// arena. It is a small comparable value so that it can key maps and travel
// through the canonical ABI without allocation. The zero value, NoneType,
// stands for "no type" where the reference has Option<Type> (a result with no
// payload, a case without a payload, a function without a result).
type Type uint32

// Primitive types. Their order matches the reference's Type enum.
const (
	NoneType Type = iota
	Bool
	U8
	U16
	U32
	U64
	S8
	S16
	S32
	S64
	F32
	F64
	Char
	String
	ErrorContext

	// typeIDBase is the first Type value that refers to a TypeDef.
	typeIDBase Type = 32
)

// TypeOf returns the Type that refers to the TypeDef with the given id.
func TypeOf(id TypeID) Type { return Type(id) + typeIDBase }

// ID returns the TypeDef id that t refers to, and false if t is a primitive
// or NoneType.
func (t Type) ID() (TypeID, bool) {
	if t < typeIDBase {
		return NoType, false
	}
	return TypeID(t - typeIDBase), true
}

// IsPrimitive reports whether t is one of the primitive types.
func (t Type) IsPrimitive() bool { return t > NoneType && t < typeIDBase }

var primitiveNames = [...]string{
	NoneType: "", Bool: "bool", U8: "u8", U16: "u16", U32: "u32", U64: "u64",
	S8: "s8", S16: "s16", S32: "s32", S64: "s64", F32: "f32", F64: "f64",
	Char: "char", String: "string", ErrorContext: "error-context",
}

// PrimitiveName returns the WIT spelling of a primitive type ("u32",
// "error-context"), or "" when t is not a primitive.
func (t Type) PrimitiveName() string {
	if t < Type(len(primitiveNames)) {
		return primitiveNames[t]
	}
	return ""
}

// PrimitiveByName returns the primitive type spelled name in WIT.
func PrimitiveByName(name string) (Type, bool) {
	for i, n := range primitiveNames {
		if n == name && i != 0 {
			return Type(i), true
		}
	}
	return NoneType, false
}

// Pos is a position in a WIT source: file name, 1-based line and column.
// Columns count bytes from the start of the line, as the reference does
// (wit-parser's SourceMap::linecol), so a tab or a multi-byte character
// before the item moves it by its size in UTF-8.
type Pos struct {
	File string
	Line int
	Col  int
}

// Docs holds the doc comments of an item with their comment markers removed.
type Docs struct {
	Contents string
	// Present tells an empty doc comment (a bare "///") from none at all;
	// the reference keeps the difference.
	Present bool
}

// StabilityKind says which of @since / @unstable an item carries.
type StabilityKind uint8

// The stability kinds of the reference, in its order.
const (
	StabilityUnknown StabilityKind = iota
	StabilityUnstable
	StabilityStable
)

// Stability is an item's feature gate: @since(version = V),
// @unstable(feature = F), each with an optional @deprecated(version = V).
type Stability struct {
	Kind       StabilityKind
	Feature    string   // for StabilityUnstable
	Since      *Version // for StabilityStable
	Deprecated *Version // optional for both
}

// Package is one WIT package: a name and the interfaces and worlds it
// defines, in source order.
type Package struct {
	Name       PackageName
	Docs       Docs
	Interfaces []Entry[InterfaceID]
	Worlds     []Entry[WorldID]
}

// Entry is one name → id pair of an ordered map.
type Entry[ID ~int32] struct {
	Name string
	ID   ID
}

// Lookup finds name in an ordered list of entries.
func Lookup[ID ~int32](entries []Entry[ID], name string) (ID, bool) {
	for _, e := range entries {
		if e.Name == name {
			return e.ID, true
		}
	}
	return -1, false
}

// PackageName is namespace:name@version.
type PackageName struct {
	Namespace string
	Name      string
	Version   *Version // nil when the package is unversioned
}

// String returns "ns:name" or "ns:name@1.2.3".
func (n PackageName) String() string {
	s := n.Namespace + ":" + n.Name
	if n.Version != nil {
		s += "@" + n.Version.String()
	}
	return s
}

// Interface is a named (or, inside a world, anonymous) collection of types
// and functions.
type Interface struct {
	Name      string // "" for an interface declared inline in a world
	Types     []Entry[TypeID]
	Functions []*Function
	Docs      Docs
	Stability Stability
	Package   PackageID // NoPackage when not (yet) part of a package
	Pos       Pos
}

// Function finds a function of the interface by name.
func (i *Interface) Function(name string) *Function {
	for _, f := range i.Functions {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// World is a set of imports and exports.
type World struct {
	Name      string
	Imports   []WorldItem
	Exports   []WorldItem
	Package   PackageID
	Docs      Docs
	Stability Stability
	// Includes are the world's `include`s while it is being resolved. Like
	// the reference, the resolver empties it once the included items are
	// merged into Imports and Exports, so a resolved world has none.
	Includes []WorldInclude
	Pos      Pos
}

// WorldKey names an import or export of a world: either a plain name
// (`import foo: interface {}`, a function, a type) or the interface itself
// (`import wasi:io/streams;`).
type WorldKey struct {
	Name      string      // set for named items
	Interface InterfaceID // set (and Name empty) for items keyed by interface
}

// IsInterface reports whether the key is an interface rather than a name.
func (k WorldKey) IsInterface() bool { return k.Name == "" }

// WorldItemKind says what a world import or export is.
type WorldItemKind uint8

// The kinds of world items.
const (
	WorldItemInterface WorldItemKind = iota
	WorldItemFunction
	WorldItemType
)

// WorldItem is one import or export of a world.
type WorldItem struct {
	Key       WorldKey
	Kind      WorldItemKind
	Interface InterfaceID // WorldItemInterface
	Function  *Function   // WorldItemFunction
	Type      TypeID      // WorldItemType
	Stability Stability   // of a WorldItemInterface (functions and types carry their own)
	// ExternalID is the @external-id of a WorldItemInterface ("" when
	// absent); functions and types carry their own.
	ExternalID string
	Docs       Docs
	Pos        Pos
}

// WorldInclude records an `include` of another world until the resolver
// merges the included world's items in.
type WorldInclude struct {
	Stability Stability
	World     WorldID
	Names     []IncludeName
	Pos       Pos
}

// IncludeName is one `a as b` of an include's `with` list.
type IncludeName struct {
	Name string
	As   string
}

// FunctionKind is how a function is declared.
type FunctionKind uint8

// The function kinds of the reference.
const (
	Freestanding FunctionKind = iota
	AsyncFreestanding
	Method
	AsyncMethod
	Static
	AsyncStatic
	Constructor
)

// IsAsync reports whether the function was declared `async`.
func (k FunctionKind) IsAsync() bool {
	return k == AsyncFreestanding || k == AsyncMethod || k == AsyncStatic
}

// Function is a WIT function. Names follow the component-model's
// conventions: "[constructor]r", "[method]r.name", "[static]r.name".
type Function struct {
	Name      string
	Kind      FunctionKind
	Resource  TypeID // the resource of a method, static function or constructor
	Params    []Param
	Result    Type // NoneType when the function returns nothing
	Docs      Docs
	Stability Stability
	// ExternalID is the function's @external-id("...") ("" when absent).
	ExternalID string
	Pos        Pos
}

// Param is a named function parameter.
type Param struct {
	Name string
	Type Type
	Pos  Pos
}

// Kind is the kind of a TypeDef.
type Kind uint8

// The type definition kinds. KindOwn and KindBorrow are the two handle kinds.
const (
	KindUnknown Kind = iota
	KindRecord
	KindResource
	KindOwn
	KindBorrow
	KindFlags
	KindTuple
	KindVariant
	KindEnum
	KindOption
	KindResult
	KindList
	KindMap
	KindFixedLengthList
	KindFuture
	KindStream
	KindType // an alias: `type a = b;`
)

var kindNames = [...]string{
	KindUnknown: "unknown", KindRecord: "record", KindResource: "resource",
	KindOwn: "own", KindBorrow: "borrow", KindFlags: "flags", KindTuple: "tuple",
	KindVariant: "variant", KindEnum: "enum", KindOption: "option",
	KindResult: "result", KindList: "list", KindMap: "map",
	KindFixedLengthList: "fixed-length list", KindFuture: "future",
	KindStream: "stream", KindType: "type",
}

// String names the kind as the reference's error messages do.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(?)"
}

// TypeOwnerKind says what owns a TypeDef.
type TypeOwnerKind uint8

// The owners of a type.
const (
	OwnerNone TypeOwnerKind = iota
	OwnerWorld
	OwnerInterface
)

// TypeOwner is the world or interface a named type belongs to.
type TypeOwner struct {
	Kind      TypeOwnerKind
	World     WorldID
	Interface InterfaceID
}

// TypeDef is a defined (named or anonymous) type. Only the fields of its
// Kind are meaningful; a flat struct keeps the model free of interfaces and
// allocation-light.
type TypeDef struct {
	Name string // "" for anonymous types
	Kind Kind

	Fields   []Field    // KindRecord
	Flags    []Flag     // KindFlags
	Cases    []Case     // KindVariant
	Enum     []EnumCase // KindEnum
	Tuple    []Type     // KindTuple
	Elem     Type       // KindOption, KindList, KindFixedLengthList, KindFuture/KindStream (NoneType: no payload), KindType (the aliased type), KindMap (value)
	Key      Type       // KindMap
	Ok, Err  Type       // KindResult (NoneType: absent)
	Len      uint32     // KindFixedLengthList
	Resource TypeID     // KindOwn, KindBorrow: the resource (possibly via aliases)

	Owner     TypeOwner
	Docs      Docs
	Stability Stability
	// ExternalID is the type's @external-id("...") ("" when absent); a
	// `use` gives the aliases it defines the external id written on it.
	ExternalID string
	Pos        Pos
}

// Field is a record field.
type Field struct {
	Name string
	Type Type
	Docs Docs
}

// Flag is one flag of a flags type.
type Flag struct {
	Name string
	Docs Docs
}

// Case is one case of a variant; Type is NoneType for a case without payload.
type Case struct {
	Name string
	Type Type
	Docs Docs
}

// EnumCase is one case of an enum.
type EnumCase struct {
	Name string
	Docs Docs
}

// TypeDef returns the definition t refers to, or nil for primitives.
func (r *Resolve) TypeDef(t Type) *TypeDef {
	id, ok := t.ID()
	if !ok {
		return nil
	}
	return r.Types[id]
}

// Dealias follows `type a = b` aliases to the type they name.
func (r *Resolve) Dealias(t Type) Type {
	for {
		td := r.TypeDef(t)
		if td == nil || td.Kind != KindType {
			return t
		}
		t = td.Elem
	}
}

// DealiasID follows aliases starting at a TypeDef id, e.g. to find the
// resource a handle points at.
func (r *Resolve) DealiasID(id TypeID) TypeID {
	t := r.Dealias(TypeOf(id))
	if d, ok := t.ID(); ok {
		return d
	}
	return id
}
