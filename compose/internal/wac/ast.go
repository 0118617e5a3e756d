// Package wac parses the WebAssembly Compositions language (WAC): a
// document declares a package, imports, WIT-like types, instantiations of
// components (let x = new ns:pkg { ... }) and exports. The parser keeps the
// byte span of everything, so that later errors point into the text.
package wac

// Span is a byte range of the source.
type Span struct{ Offset, Len int }

// Ident is an identifier and where it is (a leading % is dropped).
type Ident struct {
	Name string
	Span Span
}

// PackageName is ns:name[@version] (Name holds ns:name).
type PackageName struct {
	Name        string
	Version     string
	Span        Span
	VersionSpan Span
}

// PackagePath is ns:pkg/item[/nested][@version].
type PackagePath struct {
	Package     string   // ns:pkg
	Segments    []string // the item path after the package
	Version     string
	Span        Span
	VersionSpan Span
}

// String spells the path as written (without the version).
func (p *PackagePath) String() string {
	s := p.Package
	for _, seg := range p.Segments {
		s += "/" + seg
	}
	return s
}

// Document is a whole WAC file.
type Document struct {
	Package PackageName
	Targets *PackagePath
	Stmts   []Stmt
}

// Stmt is one statement; exactly one field is set.
type Stmt struct {
	Import *ImportStmt
	Type   *TypeStmt
	Let    *LetStmt
	Export *ExportStmt
}

// ExternName is an `as` name: an identifier or a string.
type ExternName struct {
	Name     string
	IsString bool
	Span     Span
}

// ImportStmt is `import id (as name)? : type ;`.
type ImportStmt struct {
	ID   Ident
	As   *ExternName
	Type ImportType
	Span Span
}

// ImportType is what an import statement imports; one field is set.
type ImportType struct {
	Path      *PackagePath
	Func      *FuncType
	Interface *InlineInterface
	Ident     *Ident
	Span      Span
}

// TypeStmt is a top-level interface, world or type declaration.
type TypeStmt struct {
	Interface *InterfaceDecl
	World     *WorldDecl
	Decl      *TypeDecl
}

// InterfaceDecl is `interface id { items }`.
type InterfaceDecl struct {
	ID    Ident
	Items []InterfaceItem
}

// InlineInterface is `interface { items }`.
type InlineInterface struct {
	Items []InterfaceItem
	Span  Span
}

// InterfaceItem is a use, a type declaration or an export; one is set.
type InterfaceItem struct {
	Use    *Use
	Decl   *TypeDecl
	Export *InterfaceExport
}

// Use is `use path.{items};`.
type Use struct {
	Path  UsePath
	Items []UseItem
	Span  Span
}

// UsePath is a package path or an identifier.
type UsePath struct {
	Path  *PackagePath
	Ident *Ident
	Span  Span
}

// UseItem is `id (as id)?`.
type UseItem struct {
	ID Ident
	As *Ident
}

// InterfaceExport is `id: func-type-ref;`.
type InterfaceExport struct {
	ID   Ident
	Func FuncTypeRef
}

// FuncTypeRef is a function type or the name of one.
type FuncTypeRef struct {
	Func  *FuncType
	Ident *Ident
	Span  Span
}

// FuncType is `func(params) (-> results)?`.
type FuncType struct {
	Params []NamedType
	// Result is the scalar result; NamedResults the legacy named ones.
	Result       *TypeRef
	NamedResults []NamedType
	HasNamed     bool
	Span         Span
}

// NamedType is `id: type`.
type NamedType struct {
	ID   Ident
	Type TypeRef
}

// TypeKind says what a TypeRef is.
type TypeKind uint8

// The kinds of type references.
const (
	TypePrim TypeKind = iota
	TypeTuple
	TypeList
	TypeOption
	TypeResult
	TypeBorrow
	TypeIdent
)

// TypeRef is a value type as written.
type TypeRef struct {
	Kind  TypeKind
	Name  string    // TypePrim: the primitive; TypeIdent: the name
	Elems []TypeRef // tuple items; list/option/borrow element
	// Result: Ok, Err (nil when absent).
	Ok, Err *TypeRef
	Span    Span
}

// WorldDecl is `world id { items }`.
type WorldDecl struct {
	ID    Ident
	Items []WorldItem
}

// WorldItem is one item of a world; one field is set.
type WorldItem struct {
	Use     *Use
	Decl    *TypeDecl
	Import  *WorldItemPath
	Export  *WorldItemPath
	Include *Include
}

// WorldItemPath is what a world imports or exports.
type WorldItemPath struct {
	// Named: `id: extern-type`.
	Named *Ident
	Func  *FuncType
	Iface *InlineInterface
	Ref   *Ident // the extern type given by name (with Named), or an id alone
	Path  *PackagePath
	Span  Span
}

// Include is `include world-ref (with { a as b, ... })?;`.
type Include struct {
	Path *PackagePath
	ID   *Ident
	With []IncludeWith
	Span Span
}

// IncludeWith is `id as id`.
type IncludeWith struct {
	Name, As Ident
}

// TypeDeclKind says what a TypeDecl declares.
type TypeDeclKind uint8

// The kinds of type declarations.
const (
	DeclResource TypeDeclKind = iota
	DeclVariant
	DeclRecord
	DeclFlags
	DeclEnum
	DeclAlias
)

// TypeDecl is a resource, variant, record, flags, enum or alias.
type TypeDecl struct {
	Kind TypeDeclKind
	ID   Ident
	// Resource methods.
	Methods []ResourceMethod
	// Variant cases (Type nil without payload) and record fields.
	Cases  []VariantCase
	Fields []NamedType
	// Flags and enum cases.
	Names []Ident
	// Alias: a function type or a value type.
	AliasFunc *FuncType
	AliasType *TypeRef
	Span      Span
}

// VariantCase is `id ('(' type ')')?`.
type VariantCase struct {
	ID   Ident
	Type *TypeRef
}

// ResourceMethod is a constructor or a (static) method.
type ResourceMethod struct {
	Constructor bool
	Static      bool
	ID          Ident // the method name; `constructor` for constructors
	Func        FuncType
}

// LetStmt is `let id = expr;`.
type LetStmt struct {
	ID   Ident
	Expr Expr
}

// ExportStmt is `export expr (... | as name)?;`.
type ExportStmt struct {
	Expr   Expr
	Spread bool
	As     *ExternName
	Span   Span
	// SpreadSpan is where `...` is.
	SpreadSpan Span
}

// Expr is a primary expression with postfix accesses.
type Expr struct {
	New     *NewExpr
	Nested  *Expr
	Ident   *Ident
	Postfix []Postfix
	Span    Span
	// PrimarySpan covers the primary expression alone.
	PrimarySpan Span
}

// Postfix is `.id` or `["name"]`.
type Postfix struct {
	Name    string
	IsNamed bool // ["name"]
	Span    Span
}

// NewExpr is `new pkg { args }`.
type NewExpr struct {
	Package PackageName
	Args    []InstArg
	Fill    bool
	// FillSpan is where the final `...` is.
	FillSpan Span
	Span     Span
}

// InstArg is an instantiation argument: `id`, `...id` or `name: expr`.
type InstArg struct {
	Ident  *Ident
	Spread *Ident
	Name   *ExternName
	Expr   *Expr
	Span   Span
}
