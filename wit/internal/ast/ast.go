// Package ast is the syntax tree of WIT source files, produced by the parser
// and consumed by the resolver. It keeps every span and doc comment so that
// resolution errors can point at the source and docs reach the model.
//
// The shapes follow wit-parser's ast.rs so that the resolver can walk the
// tree in the same order as the reference (the reference JSON's arena indices
// depend on that order).
package ast

// Span is a half-open byte range [Start, End) in one File's Source.
type Span struct {
	Start, End int
}

// Id is an identifier as written, with any leading '%' removed.
type Id struct {
	Name string
	Span Span
}

// Docs locate the comments before an item: Span runs from the first
// comment's start to the last one's end (trailing whitespace left out) and
// is empty when there are none. Like the reference, every comment counts
// ("// x" as well as "/// x" and "/** x */"). Their text is read back from
// File.Text only when the resolver needs it, so most items (which have no
// docs) cost nothing here.
type Docs struct {
	Span Span
}

// Present reports whether there is at least one comment.
func (d Docs) Present() bool { return d.Span.End > d.Span.Start }

// File is one parsed WIT source file.
type File struct {
	Path   string
	Source string
	// Text is what was parsed: Source itself, or for markdown its ```wit
	// blocks with everything else blanked (same offsets). Spans index both.
	Text string
	// Package is the file's `package a:b@1.0.0;` header, nil when absent.
	Package *PackageName
	// Items are the file's top-level items in order (interfaces, worlds,
	// top-level `use`, and nested `package a:b { ... }` blocks).
	Items []Item
}

// PackageName is `ns:name@version` as written.
type PackageName struct {
	Docs      Docs
	Span      Span
	Namespace Id
	Name      Id
	Version   string // "" when absent; validated semver text otherwise
	VerSpan   Span
}

// Item is a top-level item: *Interface, *World, *ToplevelUse or *NestedPackage.
type Item interface{ item() }

// NestedPackage is `package a:b { ... }` inside a file.
type NestedPackage struct {
	Name  PackageName
	Items []Item
}

// ToplevelUse is `use a:b/c@1.0.0 as d;` at the top level of a file.
type ToplevelUse struct {
	Span       Span
	Attributes []Attribute
	Item       UsePath
	As         *Id
}

// Interface is `interface name { ... }`.
type Interface struct {
	Docs       Docs
	Attributes []Attribute
	Name       Id
	Items      []InterfaceItem
}

// World is `world name { ... }`.
type World struct {
	Docs       Docs
	Attributes []Attribute
	Name       Id
	Items      []WorldItem
}

func (*Interface) item()     {}
func (*World) item()         {}
func (*ToplevelUse) item()   {}
func (*NestedPackage) item() {}

// InterfaceItem is *TypeDef, *NamedFunc or *Use.
type InterfaceItem interface{ interfaceItem() }

// WorldItem is *Import, *Export, *Use, *TypeDef or *Include.
type WorldItem interface{ worldItem() }

func (*TypeDef) interfaceItem()   {}
func (*NamedFunc) interfaceItem() {}
func (*Use) interfaceItem()       {}
func (*Import) worldItem()        {}
func (*Export) worldItem()        {}
func (*Use) worldItem()           {}
func (*TypeDef) worldItem()       {}
func (*Include) worldItem()       {}

// Import is `import ...;` in a world.
type Import struct {
	Docs       Docs
	Attributes []Attribute
	Kind       ExternKind
}

// Export is `export ...;` in a world.
type Export struct {
	Docs       Docs
	Attributes []Attribute
	Kind       ExternKind
}

// ExternKindTag says which form an import or export takes.
type ExternKindTag uint8

// The forms of an import or export.
const (
	ExternInterface ExternKindTag = iota // `import name: interface { items }`
	ExternPath                           // `import iface;` or `import ns:pkg/iface@v;`
	ExternFunc                           // `import name: func(...)`
	ExternNamedPath                      // `import name: ns:pkg/iface;` (named import of a path)
)

// ExternKind is the body of an import or export.
type ExternKind struct {
	Tag   ExternKindTag
	Name  Id              // ExternInterface, ExternFunc, ExternNamedPath
	Items []InterfaceItem // ExternInterface
	Path  UsePath         // ExternPath, ExternNamedPath
	Func  *Func           // ExternFunc
	// Span is where the reference points errors about this import or
	// export: the name (Name for the named forms, Path.Name for ExternPath).
	Span Span
}

// UsePath is `iface` (a name in the current package) or `ns:pkg/iface@v`.
type UsePath struct {
	// Package is nil for a local name.
	Package *PackageName
	Name    Id
}

// Use is `use path.{a, b as c};` inside an interface or world.
type Use struct {
	Attributes []Attribute
	From       UsePath
	Names      []UseName
}

// UseName is one `a` or `a as b` of a use.
type UseName struct {
	Name Id
	As   *Id
}

// Include is `include path with { a as b };` in a world.
type Include struct {
	Attributes []Attribute
	From       UsePath
	Names      []IncludeName
}

// IncludeName is one `a as b` of an include.
type IncludeName struct {
	Name Id
	As   Id
}

// AttributeKind says which @-attribute it is.
type AttributeKind uint8

// The attributes WIT knows.
const (
	AttrSince AttributeKind = iota
	AttrUnstable
	AttrDeprecated
	AttrExternalID
)

// Attribute is `@since(version = x)`, `@unstable(feature = f)`,
// `@deprecated(version = x)` or `@external-id(...)`. One Value field serves
// all kinds (there are many attributes; a small node keeps trees small).
type Attribute struct {
	Kind AttributeKind
	Span Span
	// Value is the version text (since, deprecated), the feature name
	// (unstable) or the decoded string (external-id).
	Value string
}

// TypeDef is `type x = ...`, `record x {...}`, `resource x {...}`, etc.
type TypeDef struct {
	Docs       Docs
	Attributes []Attribute
	Name       Id
	Type       Type
}

// NamedFunc is `name: func(...) -> T;` (also used for resource methods).
type NamedFunc struct {
	Docs       Docs
	Attributes []Attribute
	Name       Id
	Func       Func
}

// Func is a function signature.
type Func struct {
	Span   Span
	Async  bool
	Params []Param
	Result Type // nil when there is no result
}

// Param is one `name: type` parameter.
type Param struct {
	Name Id
	Type Type
}

// Type is one of the type expressions below.
type Type interface {
	TypeSpan() Span
}

// Primitive is a built-in type keyword: bool, u8 … f64, char, string,
// error-context. Name is the keyword.
type Primitive struct {
	Name string
	Span Span
}

// Name refers to a type by name.
type Name struct{ Id Id }

// List is list<T>.
type List struct {
	Span Span
	Elem Type
}

// FixedLengthList is list<T, N>.
type FixedLengthList struct {
	Span Span
	Elem Type
	Size uint32
}

// Map is map<K, V>.
type Map struct {
	Span       Span
	Key, Value Type
}

// Handle is own<R> or borrow<R>. Its Span is the resource name's, as in
// the reference.
type Handle struct {
	Span     Span
	Borrow   bool
	Resource Id
}

// Resource is `resource x { ... }` (Funcs empty for `resource x;`).
type Resource struct {
	Span  Span
	Funcs []ResourceFunc
}

// ResourceFuncKind says what a resource function is.
type ResourceFuncKind uint8

// The kinds of resource functions.
const (
	ResourceMethod ResourceFuncKind = iota
	ResourceStatic
	ResourceConstructor
)

// ResourceFunc is a method, static function or constructor of a resource.
type ResourceFunc struct {
	Kind ResourceFuncKind
	Func NamedFunc
}

// Record is record { fields }.
type Record struct {
	Span   Span
	Fields []Field
}

// Field is a record field.
type Field struct {
	Docs Docs
	Name Id
	Type Type
}

// Flags is flags { names }.
type Flags struct {
	Span  Span
	Flags []Flag
}

// Flag is one flag.
type Flag struct {
	Docs Docs
	Name Id
}

// Variant is variant { cases }.
type Variant struct {
	Span  Span
	Cases []Case
}

// Case is a variant case; Type is nil without payload.
type Case struct {
	Docs Docs
	Name Id
	Type Type
}

// Enum is enum { cases }.
type Enum struct {
	Span  Span
	Cases []EnumCase
}

// EnumCase is one enum case.
type EnumCase struct {
	Docs Docs
	Name Id
}

// Option is option<T>.
type Option struct {
	Span Span
	Elem Type
}

// Result is result, result<T>, result<_, E> or result<T, E>; absent parts are nil.
type Result struct {
	Span    Span
	Ok, Err Type
}

// Tuple is tuple<T...>.
type Tuple struct {
	Span  Span
	Types []Type
}

// Future is future or future<T>.
type Future struct {
	Span Span
	Elem Type
}

// Stream is stream or stream<T>.
type Stream struct {
	Span Span
	Elem Type
}

// TypeSpan returns the span of the type expression.
func (t *Primitive) TypeSpan() Span       { return t.Span }
func (t *Name) TypeSpan() Span            { return t.Id.Span }
func (t *List) TypeSpan() Span            { return t.Span }
func (t *FixedLengthList) TypeSpan() Span { return t.Span }
func (t *Map) TypeSpan() Span             { return t.Span }
func (t *Handle) TypeSpan() Span          { return t.Span }
func (t *Resource) TypeSpan() Span        { return t.Span }
func (t *Record) TypeSpan() Span          { return t.Span }
func (t *Flags) TypeSpan() Span           { return t.Span }
func (t *Variant) TypeSpan() Span         { return t.Span }
func (t *Enum) TypeSpan() Span            { return t.Span }
func (t *Option) TypeSpan() Span          { return t.Span }
func (t *Result) TypeSpan() Span          { return t.Span }
func (t *Tuple) TypeSpan() Span           { return t.Span }
func (t *Future) TypeSpan() Span          { return t.Span }
func (t *Stream) TypeSpan() Span          { return t.Span }
