// Package component decodes, encodes and validates WebAssembly component
// binaries (the Component Model's binary format, Binary.md).
//
// A Component is kept as the list of its sections in order, each decoded into
// the structures of the spec (ComponentDefinedType, FuncType, InstanceType,
// ...), so that Encode gives back the very bytes Decode read. Core modules
// are kept as raw bytes plus the facts the component level needs.
package component

import (
	"fmt"
	"math"

	"github.com/wasmcm/wasmcm/internal/wasm"
)

// Version and Layer are the preamble fields of a component binary.
const (
	Version = 0x0d
	Layer   = 0x01
)

// MaxNesting bounds how deeply components, component types, instance types
// and module types may nest inside one another; deeper input is rejected
// instead of exhausting the stack.
const MaxNesting = 100

// DecodeError is the error Decode returns: the byte offset in the input and
// a sentence saying what is wrong there.
type DecodeError = wasm.Error

// Component is a decoded component: its sections in binary order.
type Component struct {
	Sections []Section

	// sizeWidth records, per section, how many bytes its size took when a
	// producer padded it (a valid non-minimal LEB128); nil when every size
	// was minimal. Encode keeps those widths so that the bytes round-trip.
	sizeWidth []uint8

	// off says where the parts of a decoded component start in the input,
	// so that validation errors can name a byte offset; nil when the
	// component was built rather than decoded.
	off *offsets
}

// offsets records byte offsets of a decoded component in the input given
// to Decode. Items are the entries of the vector sections (core instances,
// types, aliases, ...), flattened over all sections; decls are the
// declarations of component and instance types in the order a depth-first
// walk meets them, which is the order validation visits them in.
type offsets struct {
	start    int     // the preamble
	sections []int   // each section's id byte
	first    []int32 // per section, the index in items of its first item
	items    offList
	decls    offList
}

// offList is a growing list of offsets kept in fixed chunks, so that it
// is never copied as it grows (a WIT package's types record one offset per
// declaration: hundreds, and the doubling of one slice allocated twice
// their size).
type offList struct {
	chunks []*[offChunk]int32
	n      int
	cur    *[offChunk]int32 // the last chunk, where add writes
}

const offChunk = 128

// add appends off; an offset past what int32 holds is recorded as
// unknown (-1), which errors then leave out.
func (l *offList) add(off int) {
	// Unsigned, n's remainder is a mask, and the index of an array
	// by it needs no bounds check (add runs per item and declaration).
	i := uint(l.n) % offChunk
	if i == 0 {
		l.cur = new([offChunk]int32)
		l.chunks = append(l.chunks, l.cur)
	}
	if off > math.MaxInt32 {
		off = -1
	}
	l.cur[i] = int32(off)
	l.n++
}

// at returns offset i, or -1 when there is none.
func (l *offList) at(i int) int {
	if i < 0 || i >= l.n {
		return -1
	}
	return int(l.chunks[i/offChunk][i%offChunk])
}

// item returns the offset of item j of section i, or -1 when unknown
// (the component was built, or changed after decoding).
func (o *offsets) item(i, j int) int {
	if o == nil || i >= len(o.first) {
		return -1
	}
	end := o.items.n
	if i+1 < len(o.first) {
		end = int(o.first[i+1])
	}
	if k := int(o.first[i]) + j; k < end {
		return o.items.at(k)
	}
	return -1
}

// SectionOffset returns the offset in the decoded input of section i's id
// byte, or -1 when c was not made by Decode.
func (c *Component) SectionOffset(i int) int {
	if c.off == nil || i < 0 || i >= len(c.off.sections) || len(c.off.sections) != len(c.Sections) {
		return -1
	}
	return c.off.sections[i]
}

// ItemOffset returns the offset in the decoded input of item j of section i
// (its j-th core instance, type, alias, canonical function, import, export
// or value), or -1 when c was not made by Decode or has no such item.
func (c *Component) ItemOffset(i, j int) int {
	if c.off == nil || i < 0 || j < 0 || len(c.off.sections) != len(c.Sections) {
		return -1
	}
	return c.off.item(i, j)
}

// SectionID is the id byte of a component section.
type SectionID byte

// The component section ids.
const (
	SectionCustom       SectionID = 0
	SectionCoreModule   SectionID = 1
	SectionCoreInstance SectionID = 2
	SectionCoreType     SectionID = 3
	SectionComponent    SectionID = 4
	SectionInstance     SectionID = 5
	SectionAlias        SectionID = 6
	SectionType         SectionID = 7
	SectionCanon        SectionID = 8
	SectionStart        SectionID = 9
	SectionImport       SectionID = 10
	SectionExport       SectionID = 11
	SectionValue        SectionID = 12
)

// Section is one section of a component. Its dynamic type is one of the
// *...Section types of this package.
type Section interface {
	ID() SectionID
}

// CustomSection is a custom section: a name and uninterpreted bytes (see
// ParseNames for the component-name section).
type CustomSection struct {
	Name string
	Data []byte
}

// CoreModuleSection holds one core module as its bytes and its facts.
type CoreModuleSection struct {
	// Bytes is the whole module, preamble included (a sub-slice of the
	// input given to Decode).
	Bytes []byte
	// Info lists the module's types, imports, exports and what it defines.
	Info *wasm.ModuleInfo
	// Offset is where Bytes starts in the input, for error messages.
	Offset int
}

// CoreInstanceSection defines core instances.
type CoreInstanceSection struct{ Instances []CoreInstance }

// CoreTypeSection defines core types (function/GC types and module types).
type CoreTypeSection struct{ Types []CoreType }

// ComponentSection holds a nested component.
type ComponentSection struct{ Component *Component }

// InstanceSection defines component instances.
type InstanceSection struct{ Instances []Instance }

// AliasSection defines aliases.
type AliasSection struct{ Aliases []Alias }

// TypeSection defines component types.
type TypeSection struct{ Types []Type }

// CanonSection defines functions with the canonical ABI (canon lift, lower
// and the built-ins).
type CanonSection struct{ Funcs []Canon }

// StartSection holds the component's start function (🪙).
type StartSection struct {
	Func    uint32
	Args    []uint32 // value indices
	Results uint32
}

// ImportSection defines imports.
type ImportSection struct{ Imports []Import }

// ExportSection defines exports.
type ExportSection struct{ Exports []Export }

// ValueSection defines values (🪙). Each value keeps its encoded bytes: how
// to read them depends on the type, which validation knows.
type ValueSection struct{ Values []Value }

// ID implements Section.
func (*CustomSection) ID() SectionID { return SectionCustom }

// ID implements Section.
func (*CoreModuleSection) ID() SectionID { return SectionCoreModule }

// ID implements Section.
func (*CoreInstanceSection) ID() SectionID { return SectionCoreInstance }

// ID implements Section.
func (*CoreTypeSection) ID() SectionID { return SectionCoreType }

// ID implements Section.
func (*ComponentSection) ID() SectionID { return SectionComponent }

// ID implements Section.
func (*InstanceSection) ID() SectionID { return SectionInstance }

// ID implements Section.
func (*AliasSection) ID() SectionID { return SectionAlias }

// ID implements Section.
func (*TypeSection) ID() SectionID { return SectionType }

// ID implements Section.
func (*CanonSection) ID() SectionID { return SectionCanon }

// ID implements Section.
func (*StartSection) ID() SectionID { return SectionStart }

// ID implements Section.
func (*ImportSection) ID() SectionID { return SectionImport }

// ID implements Section.
func (*ExportSection) ID() SectionID { return SectionExport }

// ID implements Section.
func (*ValueSection) ID() SectionID { return SectionValue }

// Sort is the kind of a definition, naming its index space.
type Sort uint8

// The sorts. The core ones come first, in the order of their codes.
const (
	SortCoreFunc Sort = iota
	SortCoreTable
	SortCoreMemory
	SortCoreGlobal
	SortCoreTag
	SortCoreType
	SortCoreModule
	SortCoreInstance
	SortFunc
	SortValue
	SortType
	SortComponent
	SortInstance
)

var sortNames = [...]string{
	"core func", "core table", "core memory", "core global", "core tag",
	"core type", "core module", "core instance",
	"func", "value", "type", "component", "instance",
}

// String names the sort as the text format does ("core func", "instance").
func (s Sort) String() string {
	if int(s) < len(sortNames) {
		return sortNames[s]
	}
	return fmt.Sprintf("sort(%d)", s)
}

// IsCore reports whether s is one of the core sorts.
func (s Sort) IsCore() bool { return s <= SortCoreInstance }

// Core sort codes, for core:sort.
var coreSortCodes = [...]byte{0x00, 0x01, 0x02, 0x03, 0x04, 0x10, 0x11, 0x12}

func coreSortFromCode(c byte) (Sort, bool) {
	for i, code := range coreSortCodes {
		if code == c {
			return Sort(i), true
		}
	}
	return 0, false
}

// CoreInstance is a core instance definition: instantiate a module with
// named instance arguments, or bundle existing definitions as exports.
type CoreInstance struct {
	// Instantiate selects (instantiate Module Args) over inline Exports.
	Instantiate bool
	Module      uint32
	Args        []CoreInstantiateArg
	Exports     []CoreInlineExport
}

// CoreInstantiateArg supplies a core instance for a module's import name.
type CoreInstantiateArg struct {
	Name     string
	Instance uint32
}

// CoreInlineExport is an export of an inline core instance.
type CoreInlineExport struct {
	Name  string
	Sort  Sort // a core sort
	Index uint32
}

// CoreType is a core type definition: a recursion group of function/GC
// types or a module type.
type CoreType struct {
	// Module is non-nil for a module type; otherwise Rec holds the types.
	Module *ModuleType
	Rec    wasm.RecGroup
}

// ModuleType is a core module type: its declarations in order.
type ModuleType struct{ Decls []ModuleDecl }

// ModuleDeclKind says which field of a ModuleDecl is set.
type ModuleDeclKind byte

// The module declaration kinds, by their binary codes.
const (
	ModuleDeclImport ModuleDeclKind = 0x00
	ModuleDeclType   ModuleDeclKind = 0x01
	ModuleDeclAlias  ModuleDeclKind = 0x02
	ModuleDeclExport ModuleDeclKind = 0x03
)

// ModuleDecl is one declaration of a module type.
type ModuleDecl struct {
	Kind   ModuleDeclKind
	Import wasm.Import   // ModuleDeclImport
	Type   wasm.RecGroup // ModuleDeclType
	// ModuleDeclAlias: (alias outer Count Index (type)).
	Count, Index uint32
	// ModuleDeclExport.
	Name   string
	Extern wasm.ExternType
}

// Instance is a component instance definition: instantiate a component
// with named arguments, or bundle definitions as exports.
type Instance struct {
	// Instantiate selects (instantiate Component Args) over inline Exports.
	Instantiate bool
	Component   uint32
	Args        []InstantiateArg
	Exports     []InlineExport
}

// InstantiateArg supplies a definition for a component's import name.
type InstantiateArg struct {
	Name  string
	Sort  Sort
	Index uint32
}

// InlineExport is an export of an inline instance.
type InlineExport struct {
	Name  ExternName
	Sort  Sort
	Index uint32
}

// AliasTarget says what an alias refers to.
type AliasTarget byte

// The alias targets, by their binary codes.
const (
	AliasExport     AliasTarget = 0x00 // an export of a component instance
	AliasCoreExport AliasTarget = 0x01 // an export of a core instance
	AliasOuter      AliasTarget = 0x02 // a definition of an enclosing scope
)

// Alias is an alias definition.
type Alias struct {
	Sort   Sort
	Target AliasTarget
	// AliasExport, AliasCoreExport: the instance and the export's name.
	Instance uint32
	Name     string
	// AliasOuter: how many scopes out, and the index there.
	Count, Index uint32
}

// PrimValType is a primitive value type, by its binary code.
type PrimValType byte

// The primitive value types.
const (
	Bool         PrimValType = 0x7f
	S8           PrimValType = 0x7e
	U8           PrimValType = 0x7d
	S16          PrimValType = 0x7c
	U16          PrimValType = 0x7b
	S32          PrimValType = 0x7a
	U32          PrimValType = 0x79
	S64          PrimValType = 0x78
	U64          PrimValType = 0x77
	F32          PrimValType = 0x76
	F64          PrimValType = 0x75
	Char         PrimValType = 0x74
	String       PrimValType = 0x73
	ErrorContext PrimValType = 0x64
)

func isPrim(c byte) bool { return (c >= 0x73 && c <= 0x7f) || c == 0x64 }

var primNames = [...]string{
	Bool: "bool", S8: "s8", U8: "u8", S16: "s16", U16: "u16", S32: "s32", U32: "u32",
	S64: "s64", U64: "u64", F32: "f32", F64: "f64", Char: "char", String: "string",
	ErrorContext: "error-context",
}

// String spells the type as WIT does.
func (p PrimValType) String() string {
	if int(p) < len(primNames) && primNames[p] != "" {
		return primNames[p]
	}
	return fmt.Sprintf("prim(0x%02x)", byte(p))
}

// ValType is a component value type: a primitive (Prim != 0) or the index
// of a defined value type (Prim == 0).
type ValType struct {
	Prim  PrimValType
	Index uint32
}

// String spells the type as the text format does.
func (v ValType) String() string {
	if v.Prim != 0 {
		return v.Prim.String()
	}
	return fmt.Sprintf("(type %d)", v.Index)
}

// Type is a component type definition; its dynamic type is one of
// *DefinedType, *FuncType, *ComponentType, *InstanceType, *ResourceType.
type Type interface{ isType() }

// DefinedKind says which kind of ComponentDefinedType a DefinedType is.
type DefinedKind byte

// The defined value type kinds, by their binary codes.
const (
	KindPrimitive DefinedKind = 0 // Prim holds the type
	KindRecord    DefinedKind = 0x72
	KindVariant   DefinedKind = 0x71
	KindList      DefinedKind = 0x70
	KindFixedList DefinedKind = 0x67
	KindTuple     DefinedKind = 0x6f
	KindFlags     DefinedKind = 0x6e
	KindEnum      DefinedKind = 0x6d
	KindOption    DefinedKind = 0x6b
	KindResult    DefinedKind = 0x6a
	KindOwn       DefinedKind = 0x69
	KindBorrow    DefinedKind = 0x68
	KindStream    DefinedKind = 0x66
	KindFuture    DefinedKind = 0x65
	KindMap       DefinedKind = 0x63
)

// DefinedType is a ComponentDefinedType (defvaltype). Which fields are used
// depends on Kind.
type DefinedType struct {
	// (The small fields come first, ordered to leave no padding between
	// them: a decoded component holds hundreds of defined types.)
	Kind DefinedKind
	Prim PrimValType // KindPrimitive
	// Elem is the element of list, fixed list, option; the value of map.
	Elem ValType
	Len  uint32  // KindFixedList
	Key  ValType // KindMap
	// Resource type index of own and borrow.
	Resource uint32
	// Fields of a record, cases of a variant.
	Fields []Field
	Cases  []Case
	// Types of a tuple.
	Types []ValType
	// Names of flags or enum cases.
	Names []string
	// Ok and Err of a result; Payload of stream and future (nil: none).
	Ok, Err, Payload *ValType
}

// Field is a labelled value type (record field, function parameter).
type Field struct {
	Name string
	Type ValType
}

// Case is a variant case with an optional payload.
type Case struct {
	Name string
	Type *ValType
}

// FuncType is a component function type.
type FuncType struct {
	Async  bool
	Params []Field
	Result *ValType // nil: no result
}

// ComponentType is a component type: its declarations in order.
type ComponentType struct{ Decls []Decl }

// InstanceType is an instance type: its declarations in order (never
// imports).
type InstanceType struct{ Decls []Decl }

// ResourceType is a resource type definition.
type ResourceType struct {
	Rep  wasm.ValType
	Dtor *uint32 // core func index of the destructor
}

func (*DefinedType) isType()   {}
func (*FuncType) isType()      {}
func (*ComponentType) isType() {}
func (*InstanceType) isType()  {}
func (*ResourceType) isType()  {}

// DeclKind says which field of a Decl is set.
type DeclKind byte

// The declaration kinds of component and instance types, by binary code.
const (
	DeclCoreType DeclKind = 0x00
	DeclType     DeclKind = 0x01
	DeclAlias    DeclKind = 0x02
	DeclImport   DeclKind = 0x03 // component types only
	DeclExport   DeclKind = 0x04
)

// Decl is one declaration of a component or instance type.
type Decl struct {
	// (Kind comes last, where it fills the padding after Extern: a WIT
	// package's types have hundreds of declarations.)
	CoreType *CoreType // DeclCoreType
	Type     Type      // DeclType
	Alias    *Alias    // DeclAlias
	// DeclImport, DeclExport.
	Name   ExternName
	Extern ExternType
	Kind   DeclKind
}

// ExternType is the type of an import or export (externtype). Sort is one
// of SortCoreModule, SortFunc, SortValue, SortType, SortComponent,
// SortInstance.
type ExternType struct {
	// (Fields are ordered so that the two bytes share one word: a decoded
	// component holds one ExternType per import, export and declaration.)
	Sort Sort
	// SubResource is the (sub resource) bound of a type.
	SubResource bool
	// Index is the type index of a module/func/component/instance; for a
	// type bound (eq i) it is i.
	Index uint32
	// ValueType is the type of a value (🪙). It is written as a bare
	// valtype, as wasm-tools does, not as Binary.md's valuebound.
	ValueType ValType
}

// NameAttrKind is the kind of an extern name attribute.
type NameAttrKind byte

// The name attributes, by binary code.
const (
	AttrImplements    NameAttrKind = 0x00 // 🏷️ (implements "iface")
	AttrVersionSuffix NameAttrKind = 0x01 // 🔗 (versionsuffix "vs")
	AttrExternalID    NameAttrKind = 0x02 // 🏷️ (external-id "n")
)

// NameAttr is one attribute of an extern name.
type NameAttr struct {
	Kind  NameAttrKind
	Value string
}

// ExternName is the name of an import or export with its attributes.
type ExternName struct {
	Name string
	// Form is the leading byte: 0x00 (current), 0x01 (legacy, same
	// meaning) or 0x02 (followed by attributes).
	Form  byte
	Attrs []NameAttr
}

// Attr returns the value of the attribute of the given kind.
func (n *ExternName) Attr(k NameAttrKind) (string, bool) {
	for _, a := range n.Attrs {
		if a.Kind == k {
			return a.Value, true
		}
	}
	return "", false
}

// Import is an import definition.
type Import struct {
	Name ExternName
	Type ExternType
}

// Export is an export definition, with an optional ascribed type.
type Export struct {
	Name  ExternName
	Sort  Sort
	Index uint32
	Type  *ExternType
}

// Value is a value definition (🪙): its type and its encoded bytes.
type Value struct {
	Type  ValType
	Bytes []byte
}

// CanonOp is the opcode of a canonical definition.
type CanonOp byte

// The canonical definitions, by binary code.
const (
	CanonLift                       CanonOp = 0x00
	CanonLower                      CanonOp = 0x01
	CanonResourceNew                CanonOp = 0x02
	CanonResourceDrop               CanonOp = 0x03
	CanonResourceRep                CanonOp = 0x04
	CanonTaskCancel                 CanonOp = 0x05
	CanonSubtaskCancel              CanonOp = 0x06
	CanonTaskReturn                 CanonOp = 0x09
	CanonContextGet                 CanonOp = 0x0a
	CanonContextSet                 CanonOp = 0x0b
	CanonThreadYield                CanonOp = 0x0c
	CanonSubtaskDrop                CanonOp = 0x0d
	CanonStreamNew                  CanonOp = 0x0e
	CanonStreamRead                 CanonOp = 0x0f
	CanonStreamWrite                CanonOp = 0x10
	CanonStreamCancelRead           CanonOp = 0x11
	CanonStreamCancelWrite          CanonOp = 0x12
	CanonStreamDropReadable         CanonOp = 0x13
	CanonStreamDropWritable         CanonOp = 0x14
	CanonFutureNew                  CanonOp = 0x15
	CanonFutureRead                 CanonOp = 0x16
	CanonFutureWrite                CanonOp = 0x17
	CanonFutureCancelRead           CanonOp = 0x18
	CanonFutureCancelWrite          CanonOp = 0x19
	CanonFutureDropReadable         CanonOp = 0x1a
	CanonFutureDropWritable         CanonOp = 0x1b
	CanonErrorContextNew            CanonOp = 0x1c
	CanonErrorContextDebug          CanonOp = 0x1d
	CanonErrorContextDrop           CanonOp = 0x1e
	CanonWaitableSetNew             CanonOp = 0x1f
	CanonWaitableSetWait            CanonOp = 0x20
	CanonWaitableSetPoll            CanonOp = 0x21
	CanonWaitableSetDrop            CanonOp = 0x22
	CanonWaitableJoin               CanonOp = 0x23
	CanonBackpressureInc            CanonOp = 0x24
	CanonBackpressureDec            CanonOp = 0x25
	CanonThreadIndex                CanonOp = 0x26
	CanonThreadNewIndirect          CanonOp = 0x27
	CanonThreadResumeLater          CanonOp = 0x28
	CanonThreadSuspend              CanonOp = 0x29
	CanonThreadSuspendThenResume    CanonOp = 0x2a
	CanonThreadYieldThenResume      CanonOp = 0x2b
	CanonThreadSuspendThenPromote   CanonOp = 0x2c
	CanonThreadYieldThenPromote     CanonOp = 0x2d
	CanonThreadSpawnRef             CanonOp = 0x40
	CanonThreadSpawnIndirect        CanonOp = 0x41
	CanonThreadAvailableParallelism CanonOp = 0x42
)

var canonNames = [...]string{
	CanonLift: "lift", CanonLower: "lower", CanonResourceNew: "resource.new",
	CanonResourceDrop: "resource.drop", CanonResourceRep: "resource.rep",
	CanonTaskCancel: "task.cancel", CanonSubtaskCancel: "subtask.cancel",
	CanonTaskReturn: "task.return", CanonContextGet: "context.get", CanonContextSet: "context.set",
	CanonThreadYield: "thread.yield", CanonSubtaskDrop: "subtask.drop",
	CanonStreamNew: "stream.new", CanonStreamRead: "stream.read", CanonStreamWrite: "stream.write",
	CanonStreamCancelRead: "stream.cancel-read", CanonStreamCancelWrite: "stream.cancel-write",
	CanonStreamDropReadable: "stream.drop-readable", CanonStreamDropWritable: "stream.drop-writable",
	CanonFutureNew: "future.new", CanonFutureRead: "future.read", CanonFutureWrite: "future.write",
	CanonFutureCancelRead: "future.cancel-read", CanonFutureCancelWrite: "future.cancel-write",
	CanonFutureDropReadable: "future.drop-readable", CanonFutureDropWritable: "future.drop-writable",
	CanonErrorContextNew: "error-context.new", CanonErrorContextDebug: "error-context.debug-message",
	CanonErrorContextDrop: "error-context.drop", CanonWaitableSetNew: "waitable-set.new",
	CanonWaitableSetWait: "waitable-set.wait", CanonWaitableSetPoll: "waitable-set.poll",
	CanonWaitableSetDrop: "waitable-set.drop", CanonWaitableJoin: "waitable.join",
	CanonBackpressureInc: "backpressure.inc", CanonBackpressureDec: "backpressure.dec",
	CanonThreadIndex: "thread.index", CanonThreadNewIndirect: "thread.new-indirect",
	CanonThreadResumeLater: "thread.resume-later", CanonThreadSuspend: "thread.suspend",
	CanonThreadSuspendThenResume: "thread.suspend-then-resume", CanonThreadYieldThenResume: "thread.yield-then-resume",
	CanonThreadSuspendThenPromote: "thread.suspend-then-promote", CanonThreadYieldThenPromote: "thread.yield-then-promote",
	CanonThreadSpawnRef: "thread.spawn-ref", CanonThreadSpawnIndirect: "thread.spawn-indirect",
	CanonThreadAvailableParallelism: "thread.available-parallelism",
}

// String names the definition as the text format does ("resource.new").
func (op CanonOp) String() string {
	if int(op) < len(canonNames) && canonNames[op] != "" {
		return canonNames[op]
	}
	return fmt.Sprintf("canon(0x%02x)", byte(op))
}

// Canon is a canonical definition. Which fields are used depends on Op:
//   - lift: Func (core func), Options, Type (func type)
//   - lower: Func (component func), Options
//   - resource.new/drop/rep, stream.*/future.*: Type
//   - task.return: Result, Options
//   - context.get/set: ValType, Index (slot)
//   - waitable-set.wait/poll: Flag (cancellable), Index (memory)
//   - subtask.cancel, stream/future cancel: Flag (async)
//   - thread.yield, thread.suspend and friends: Flag (cancellable)
//   - thread.new-indirect, thread.spawn-indirect: Type (core func type), Index (table)
//   - thread.spawn-ref: Type (core func type)
//   - error-context.new/debug-message: Options
type Canon struct {
	// (Op and Flag share a word, the uint32s fill the next two: an
	// engine's component has a canonical function per import.)
	Op      CanonOp
	Flag    bool
	Func    uint32
	Type    uint32
	Index   uint32
	Options []CanonOpt
	Result  *ValType
	ValType wasm.ValType
}

// CanonOptKind is the kind of a canonical option, by binary code.
type CanonOptKind byte

// The canonical options.
const (
	OptUTF8        CanonOptKind = 0x00
	OptUTF16       CanonOptKind = 0x01
	OptLatin1UTF16 CanonOptKind = 0x02
	OptMemory      CanonOptKind = 0x03
	OptRealloc     CanonOptKind = 0x04
	OptPostReturn  CanonOptKind = 0x05
	OptAsync       CanonOptKind = 0x06
	OptCallback    CanonOptKind = 0x07
	OptCoreType    CanonOptKind = 0x08 // wasm-tools: the core type of a GC lift/lower
	OptGC          CanonOptKind = 0x09 // wasm-tools: the gc option
)

// CanonOpt is one canonical option; Index is the memory, realloc,
// post-return, callback or core type index where the kind has one.
type CanonOpt struct {
	Kind  CanonOptKind
	Index uint32
}

var optNames = [...]string{"string-encoding=utf8", "string-encoding=utf16", "string-encoding=latin1+utf16",
	"memory", "realloc", "post-return", "async", "callback", "core-type", "gc"}

// String names the option as the text format does.
func (k CanonOptKind) String() string {
	if int(k) < len(optNames) {
		return optNames[k]
	}
	return fmt.Sprintf("option(0x%02x)", byte(k))
}

func (k CanonOptKind) hasIndex() bool {
	return k == OptMemory || k == OptRealloc || k == OptPostReturn || k == OptCallback || k == OptCoreType
}
