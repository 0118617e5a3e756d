// Package witbin is the binary form of WIT: a WIT package encoded as a
// component whose exports are component types, one per interface and world,
// as wit-component's encoding/wit.rs writes it. Docs and @since/@unstable
// gates, which component types cannot hold, travel in a "package-docs"
// custom section.
//
// The encoder builds a small tree of the component-type constructs it needs
// (tree.go) and serializes that tree itself; when the project's component
// encoder exists the tree can be handed to it instead.
package witbin

// ValType is a component value type: a primitive, or a type index.
type ValType struct {
	// Prim is the primitive's type code (0x7f bool … 0x64 error-context),
	// or 0 when the type is the defined type at Index.
	Prim  byte
	Index uint32
}

// Primitive type codes of the binary format.
const (
	PrimBool         byte = 0x7f
	PrimS8           byte = 0x7e
	PrimU8           byte = 0x7d
	PrimS16          byte = 0x7c
	PrimU16          byte = 0x7b
	PrimS32          byte = 0x7a
	PrimU32          byte = 0x79
	PrimS64          byte = 0x78
	PrimU64          byte = 0x77
	PrimF32          byte = 0x76
	PrimF64          byte = 0x75
	PrimChar         byte = 0x74
	PrimString       byte = 0x73
	PrimErrorContext byte = 0x64
)

// Defined value type opcodes.
const (
	OpRecord          byte = 0x72
	OpVariant         byte = 0x71
	OpList            byte = 0x70
	OpTuple           byte = 0x6f
	OpFlags           byte = 0x6e
	OpEnum            byte = 0x6d
	OpOption          byte = 0x6b
	OpResult          byte = 0x6a
	OpOwn             byte = 0x69
	OpBorrow          byte = 0x68
	OpFixedLengthList byte = 0x67
	OpStream          byte = 0x66
	OpFuture          byte = 0x65
	OpMap             byte = 0x63
)

// Named is a labelled value type: a record field or a parameter.
type Named struct {
	Name string
	Type ValType
}

// Case is a variant case; Type is nil without payload.
type Case struct {
	Name string
	Type *ValType
}

// DefVal is a defined value type. Op says which; only its fields are used.
// Op 0 with Prim set is a primitive used as a type definition (a named
// primitive like `type t = u32`).
type DefVal struct {
	Op      byte
	Prim    byte
	Fields  []Named   // record
	Cases   []Case    // variant
	Labels  []string  // flags, enum
	Types   []ValType // tuple
	Elem    *ValType  // list, fixed-length list, option, future, stream (nil: none), map value
	Key     ValType   // map
	Ok, Err *ValType  // result
	Len     uint32    // fixed-length list
	Index   uint32    // own, borrow
}

// FuncType is a component function type.
type FuncType struct {
	Async  bool
	Params []Named
	Result *ValType
}

// TypeKind says which type a Type defines.
type TypeKind uint8

// The kinds of type definitions the WIT encoding uses.
const (
	TypeDefined TypeKind = iota
	TypeFunc
	TypeComponent
	TypeInstance
)

// Type is one type definition.
type Type struct {
	Kind      TypeKind
	Defined   DefVal
	Func      FuncType
	Component *Decls // component or instance declarators
}

// Sort numbers of the binary format (those the WIT encoding uses).
const (
	SortFunc      byte = 0x01
	SortType      byte = 0x03
	SortComponent byte = 0x04
	SortInstance  byte = 0x05
)

// ExternName is an import or export name with its optional attributes.
type ExternName struct {
	Name       string
	Implements string // `implements` attribute: an interface name
	ExternalID string
}

// Extern is the type of an import or export: SortFunc, SortComponent and
// SortInstance take a type index; SortType takes a bound, (eq Index) or
// (sub resource) when SubResource is set.
type Extern struct {
	Sort        byte
	Index       uint32
	SubResource bool
}

// DeclKind says what a declarator is.
type DeclKind uint8

// The declarators of component and instance types.
const (
	DeclType DeclKind = iota
	DeclAlias
	DeclImport
	DeclExport
)

// Alias is an alias declarator of a type: either an export of an instance
// (InstanceExport) or a type of an enclosing scope (outer Count, Index).
type Alias struct {
	Outer    bool
	Count    uint32
	Index    uint32 // outer: the type index in that scope
	Instance uint32 // instance export: the instance index
	Name     string // instance export: the export's name
}

// Decl is one declarator of a component or instance type.
type Decl struct {
	Kind   DeclKind
	Type   *Type
	Alias  Alias
	Name   ExternName
	Extern Extern
}

// Decls is the body of a component or instance type, counting the type and
// instance indices its declarators introduce as it grows.
type Decls struct {
	List      []Decl
	types     uint32
	instances uint32
}

// TypeCount is the number of type indices declared so far.
func (d *Decls) TypeCount() uint32 { return d.types }

// AddType appends a type definition and returns its index.
func (d *Decls) AddType(t *Type) uint32 {
	d.List = append(d.List, Decl{Kind: DeclType, Type: t})
	d.types++
	return d.types - 1
}

// AddAlias appends a type alias and returns the new type index.
func (d *Decls) AddAlias(a Alias) uint32 {
	d.List = append(d.List, Decl{Kind: DeclAlias, Alias: a})
	d.types++
	return d.types - 1
}

// AddImport appends an import; it returns the index the import introduces
// in its sort's index space (types and instances are counted).
func (d *Decls) AddImport(n ExternName, e Extern) uint32 {
	d.List = append(d.List, Decl{Kind: DeclImport, Name: n, Extern: e})
	return d.count(e)
}

// AddExport appends an export, like AddImport.
func (d *Decls) AddExport(n ExternName, e Extern) uint32 {
	d.List = append(d.List, Decl{Kind: DeclExport, Name: n, Extern: e})
	return d.count(e)
}

func (d *Decls) count(e Extern) uint32 {
	switch e.Sort {
	case SortType:
		d.types++
		return d.types - 1
	case SortInstance:
		d.instances++
		return d.instances - 1
	}
	return 0
}

// Component is the top level of an encoded WIT package: a sequence of type
// definitions, exports of those types, and custom sections, in order.
type Component struct {
	Items []Item
	types uint32
}

// ItemKind says what a top-level item is.
type ItemKind uint8

// The top-level items of an encoded package.
const (
	ItemType ItemKind = iota
	ItemExport
	ItemCustom
)

// Item is a top-level item of a Component.
type Item struct {
	Kind ItemKind
	Type *Type
	// ItemExport: the exported type index under Name.
	Name  string
	Index uint32
	// ItemCustom: a custom section's name and contents.
	Data []byte
}

// AddType appends a type definition and returns its index.
func (c *Component) AddType(t *Type) uint32 {
	c.Items = append(c.Items, Item{Kind: ItemType, Type: t})
	c.types++
	return c.types - 1
}

// ExportType exports type index i as name, which introduces a new type index.
func (c *Component) ExportType(name string, i uint32) uint32 {
	c.Items = append(c.Items, Item{Kind: ItemExport, Name: name, Index: i})
	c.types++
	return c.types - 1
}

// AddCustom appends a custom section.
func (c *Component) AddCustom(name string, data []byte) {
	c.Items = append(c.Items, Item{Kind: ItemCustom, Name: name, Data: data})
}
