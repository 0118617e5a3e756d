package wasm

import (
	"encoding/binary"
	"math"
)

// Builder assembles a core module. Fill its fields (or use the Add methods,
// which return the new item's index) and call Encode. Indices of functions,
// tables, memories and globals count imports first, as in the binary format,
// so add imports before definitions when using the returned indices.
type Builder struct {
	Types    []RecGroup
	Imports  []Import
	Funcs    []Func
	Tables   []TableType
	Memories []MemoryType
	Globals  []Global
	Exports  []Export
	Start    *uint32
	Elements []Element
	Datas    []Data
	// Customs are appended after every other section, in order.
	Customs []Custom

	funcImports, tableImports, memImports, globalImports int
}

// Func is a function defined by the module.
type Func struct {
	Type   uint32
	Locals []ValType // one entry per local; runs are compressed on encoding
	// Body is the instruction sequence, including the final end opcode.
	Body []byte
}

// Global is a global defined by the module; Init is a constant expression
// including its end opcode.
type Global struct {
	Type GlobalType
	Init []byte
}

// Element is an active element segment of function indices for a table
// (flags 0 or 2 of the binary format).
type Element struct {
	Table  uint32
	Offset []byte // constant expression including end
	Funcs  []uint32
}

// Data is an active (Offset != nil) or passive data segment for a memory.
type Data struct {
	Memory uint32
	Offset []byte // constant expression including end; nil for passive
	Bytes  []byte
}

// Custom is a custom section.
type Custom struct {
	Name string
	Data []byte
}

// AddFuncType adds a function type (deduplicating equal ones) and returns
// its index.
func (m *Builder) AddFuncType(params, results []ValType) uint32 {
	ft := FuncType{Params: params, Results: results}
	for i, g := range m.Types {
		if !g.Explicit && len(g.Types) == 1 && g.Types[0].Kind == CompFunc && !g.Types[0].Explicit && g.Types[0].Func.Equal(&ft) {
			return uint32(i)
		}
	}
	m.Types = append(m.Types, RecGroup{Types: []SubType{{Final: true, Kind: CompFunc, Func: ft}}})
	return uint32(len(m.Types) - 1)
}

// AddImport adds an import and returns its index in its kind's index space.
func (m *Builder) AddImport(module, name string, t ExternType) uint32 {
	m.Imports = append(m.Imports, Import{Module: module, Name: name, Type: t})
	var n *int
	switch t.Kind {
	case ExternFunc, ExternFuncExact:
		n = &m.funcImports
	case ExternTable:
		n = &m.tableImports
	case ExternMemory:
		n = &m.memImports
	case ExternGlobal:
		n = &m.globalImports
	default:
		return 0
	}
	*n++
	return uint32(*n - 1)
}

// AddFunc adds a function and returns its function index.
func (m *Builder) AddFunc(f Func) uint32 {
	m.Funcs = append(m.Funcs, f)
	return uint32(m.funcImports + len(m.Funcs) - 1)
}

// AddMemory adds a memory and returns its memory index.
func (m *Builder) AddMemory(t MemoryType) uint32 {
	m.Memories = append(m.Memories, t)
	return uint32(m.memImports + len(m.Memories) - 1)
}

// AddTable adds a table and returns its table index.
func (m *Builder) AddTable(t TableType) uint32 {
	m.Tables = append(m.Tables, t)
	return uint32(m.tableImports + len(m.Tables) - 1)
}

// AddGlobal adds a global and returns its global index.
func (m *Builder) AddGlobal(g Global) uint32 {
	m.Globals = append(m.Globals, g)
	return uint32(m.globalImports + len(m.Globals) - 1)
}

// Export adds an export.
func (m *Builder) Export(name string, kind ExternKind, index uint32) {
	m.Exports = append(m.Exports, Export{Name: name, Kind: kind, Index: index})
}

// Encode returns the binary module.
func (m *Builder) Encode() []byte {
	b := append(append([]byte{}, Magic...), ModuleVersion...)
	var s []byte
	section := func(id byte, body []byte) {
		b = append(b, id)
		b = AppendU32(b, uint32(len(body)))
		b = append(b, body...)
	}
	if len(m.Types) > 0 {
		s = AppendU32(s[:0], uint32(len(m.Types)))
		for i := range m.Types {
			s = AppendRecGroup(s, &m.Types[i])
		}
		section(SecType, s)
	}
	if len(m.Imports) > 0 {
		s = AppendU32(s[:0], uint32(len(m.Imports)))
		for _, im := range m.Imports {
			s = AppendImport(s, im)
		}
		section(SecImport, s)
	}
	if len(m.Funcs) > 0 {
		s = AppendU32(s[:0], uint32(len(m.Funcs)))
		for _, f := range m.Funcs {
			s = AppendU32(s, f.Type)
		}
		section(SecFunction, s)
	}
	if len(m.Tables) > 0 {
		s = AppendU32(s[:0], uint32(len(m.Tables)))
		for _, t := range m.Tables {
			s = AppendTableType(s, t)
		}
		section(SecTable, s)
	}
	if len(m.Memories) > 0 {
		s = AppendU32(s[:0], uint32(len(m.Memories)))
		for _, t := range m.Memories {
			s = AppendMemoryType(s, t)
		}
		section(SecMemory, s)
	}
	if len(m.Globals) > 0 {
		s = AppendU32(s[:0], uint32(len(m.Globals)))
		for _, g := range m.Globals {
			s = AppendGlobalType(s, g.Type)
			s = append(s, g.Init...)
		}
		section(SecGlobal, s)
	}
	if len(m.Exports) > 0 {
		s = AppendU32(s[:0], uint32(len(m.Exports)))
		for _, e := range m.Exports {
			s = AppendName(s, e.Name)
			s = AppendU32(append(s, byte(e.Kind)), e.Index)
		}
		section(SecExport, s)
	}
	if m.Start != nil {
		section(SecStart, AppendU32(s[:0], *m.Start))
	}
	if len(m.Elements) > 0 {
		s = AppendU32(s[:0], uint32(len(m.Elements)))
		for _, e := range m.Elements {
			if e.Table == 0 {
				s = append(s, 0x00)
			} else {
				s = AppendU32(append(s, 0x02), e.Table)
			}
			s = append(s, e.Offset...)
			if e.Table != 0 {
				s = append(s, 0x00) // elemkind funcref
			}
			s = AppendU32(s, uint32(len(e.Funcs)))
			for _, f := range e.Funcs {
				s = AppendU32(s, f)
			}
		}
		section(SecElement, s)
	}
	if len(m.Datas) > 0 {
		section(SecDataCount, AppendU32(s[:0], uint32(len(m.Datas))))
	}
	if len(m.Funcs) > 0 {
		s = AppendU32(s[:0], uint32(len(m.Funcs)))
		var body []byte
		for _, f := range m.Funcs {
			body = appendLocals(body[:0], f.Locals)
			body = append(body, f.Body...)
			s = AppendU32(s, uint32(len(body)))
			s = append(s, body...)
		}
		section(SecCode, s)
	}
	if len(m.Datas) > 0 {
		s = AppendU32(s[:0], uint32(len(m.Datas)))
		for _, d := range m.Datas {
			switch {
			case d.Offset == nil:
				s = append(s, 0x01)
			case d.Memory == 0:
				s = append(append(s, 0x00), d.Offset...)
			default:
				s = append(AppendU32(append(s, 0x02), d.Memory), d.Offset...)
			}
			s = AppendU32(s, uint32(len(d.Bytes)))
			s = append(s, d.Bytes...)
		}
		section(SecData, s)
	}
	for _, c := range m.Customs {
		s = AppendName(s[:0], c.Name)
		section(SecCustom, append(s, c.Data...))
	}
	return b
}

func appendLocals(b []byte, locals []ValType) []byte {
	runs := 0
	for i := range locals {
		if i == 0 || locals[i] != locals[i-1] {
			runs++
		}
	}
	b = AppendU32(b, uint32(runs))
	for i := 0; i < len(locals); {
		j := i
		for j < len(locals) && locals[j] == locals[i] {
			j++
		}
		b = AppendU32(b, uint32(j-i))
		b = AppendValType(b, locals[i])
		i = j
	}
	return b
}

// Code is an instruction encoder. Its methods append one instruction each
// and return the Code so that calls can be chained; Bytes returns the
// sequence.
type Code struct{ b []byte }

// Bytes returns the encoded instructions.
func (c *Code) Bytes() []byte { return c.b }

// Op appends an instruction without immediates (numeric, comparison,
// conversion and parametric instructions; see the Op* constants).
func (c *Code) Op(op byte) *Code { c.b = append(c.b, op); return c }

func (c *Code) opU32(op byte, v uint32) *Code {
	c.b = AppendU32(append(c.b, op), v)
	return c
}

// Opcodes without immediates that the runtime's adapters use. Any other
// single-byte opcode can be given to Op directly.
const (
	OpUnreachable       byte = 0x00
	OpNop               byte = 0x01
	OpElse              byte = 0x05
	OpEnd               byte = 0x0b
	OpReturn            byte = 0x0f
	OpDrop              byte = 0x1a
	OpSelect            byte = 0x1b
	OpI32Eqz            byte = 0x45
	OpI32Eq             byte = 0x46
	OpI32Ne             byte = 0x47
	OpI32LtS            byte = 0x48
	OpI32LtU            byte = 0x49
	OpI32GtS            byte = 0x4a
	OpI32GtU            byte = 0x4b
	OpI32LeU            byte = 0x4d
	OpI32GeU            byte = 0x4f
	OpI64Eqz            byte = 0x50
	OpI64Eq             byte = 0x51
	OpI64LtU            byte = 0x54
	OpI64GtU            byte = 0x56
	OpI32Clz            byte = 0x67
	OpI32Add            byte = 0x6a
	OpI32Sub            byte = 0x6b
	OpI32Mul            byte = 0x6c
	OpI32DivU           byte = 0x6e
	OpI32RemU           byte = 0x70
	OpI32And            byte = 0x71
	OpI32Or             byte = 0x72
	OpI32Xor            byte = 0x73
	OpI32Shl            byte = 0x74
	OpI32ShrS           byte = 0x75
	OpI32ShrU           byte = 0x76
	OpI64Add            byte = 0x7c
	OpI64Sub            byte = 0x7d
	OpI64Mul            byte = 0x7e
	OpI64And            byte = 0x83
	OpI64Or             byte = 0x84
	OpI64Shl            byte = 0x86
	OpI64ShrU           byte = 0x88
	OpI32WrapI64        byte = 0xa7
	OpI64ExtendS        byte = 0xac // i64.extend_i32_s
	OpI64ExtendU        byte = 0xad // i64.extend_i32_u
	OpI32ReinterpretF32 byte = 0xbc
	OpI64ReinterpretF64 byte = 0xbd
	OpF32ReinterpretI32 byte = 0xbe
	OpF64ReinterpretI64 byte = 0xbf
)

// Memory access opcodes, for Load and Store.
const (
	OpI32Load    byte = 0x28
	OpI64Load    byte = 0x29
	OpF32Load    byte = 0x2a
	OpF64Load    byte = 0x2b
	OpI32Load8S  byte = 0x2c
	OpI32Load8U  byte = 0x2d
	OpI32Load16S byte = 0x2e
	OpI32Load16U byte = 0x2f
	OpI64Load8U  byte = 0x31
	OpI64Load16U byte = 0x33
	OpI64Load32U byte = 0x35
	OpI32Store   byte = 0x36
	OpI64Store   byte = 0x37
	OpF32Store   byte = 0x38
	OpF64Store   byte = 0x39
	OpI32Store8  byte = 0x3a
	OpI32Store16 byte = 0x3b
	OpI64Store8  byte = 0x3c
	OpI64Store16 byte = 0x3d
	OpI64Store32 byte = 0x3e
)

// BlockEmpty is the block type of a block without parameters or results.
const BlockEmpty int64 = -0x40

// BlockVal returns the block type of a block with one result of type v (a
// number type or a short-form reference type).
func BlockVal(v ValType) int64 { return int64(int8(v.Code<<1)) >> 1 }

// BlockFunc returns the block type given by a function type index.
func BlockFunc(typeIdx uint32) int64 { return int64(typeIdx) }

func (c *Code) block(op byte, bt int64) *Code {
	c.b = AppendS64(append(c.b, op), bt)
	return c
}

// Block opens a block (BlockEmpty, BlockVal or BlockFunc).
func (c *Code) Block(bt int64) *Code { return c.block(0x02, bt) }

// Loop opens a loop.
func (c *Code) Loop(bt int64) *Code { return c.block(0x03, bt) }

// If opens an if.
func (c *Code) If(bt int64) *Code { return c.block(0x04, bt) }

// Else starts the else arm of an if.
func (c *Code) Else() *Code { return c.Op(OpElse) }

// End closes a block, loop, if or the function body.
func (c *Code) End() *Code { return c.Op(OpEnd) }

// Br branches to the label at depth.
func (c *Code) Br(depth uint32) *Code { return c.opU32(0x0c, depth) }

// BrIf branches to the label at depth when the top of the stack is not zero.
func (c *Code) BrIf(depth uint32) *Code { return c.opU32(0x0d, depth) }

// BrTable branches by index into labels, or to def.
func (c *Code) BrTable(labels []uint32, def uint32) *Code {
	c.b = AppendU32(append(c.b, 0x0e), uint32(len(labels)))
	for _, l := range labels {
		c.b = AppendU32(c.b, l)
	}
	c.b = AppendU32(c.b, def)
	return c
}

// Return returns from the function.
func (c *Code) Return() *Code { return c.Op(OpReturn) }

// Unreachable traps.
func (c *Code) Unreachable() *Code { return c.Op(OpUnreachable) }

// Call calls a function by index.
func (c *Code) Call(f uint32) *Code { return c.opU32(0x10, f) }

// CallIndirect calls through a table with the given type index.
func (c *Code) CallIndirect(typeIdx, table uint32) *Code {
	c.b = AppendU32(AppendU32(append(c.b, 0x11), typeIdx), table)
	return c
}

// Drop drops the top of the stack.
func (c *Code) Drop() *Code { return c.Op(OpDrop) }

// LocalGet pushes a local.
func (c *Code) LocalGet(i uint32) *Code { return c.opU32(0x20, i) }

// LocalSet pops into a local.
func (c *Code) LocalSet(i uint32) *Code { return c.opU32(0x21, i) }

// LocalTee stores into a local, keeping the value.
func (c *Code) LocalTee(i uint32) *Code { return c.opU32(0x22, i) }

// GlobalGet pushes a global.
func (c *Code) GlobalGet(i uint32) *Code { return c.opU32(0x23, i) }

// GlobalSet pops into a global.
func (c *Code) GlobalSet(i uint32) *Code { return c.opU32(0x24, i) }

// memarg appends a memory immediate; a memory index other than 0 uses the
// multi-memory encoding (bit 6 of the alignment).
func (c *Code) memarg(alignLog2 uint32, offset uint64, mem uint32) {
	if mem != 0 {
		c.b = AppendU32(c.b, alignLog2|0x40)
		c.b = AppendU32(c.b, mem)
	} else {
		c.b = AppendU32(c.b, alignLog2)
	}
	c.b = AppendU64(c.b, offset)
}

// Load appends a load (one of the Op*Load* constants) from memory mem.
func (c *Code) Load(op byte, alignLog2 uint32, offset uint64, mem uint32) *Code {
	c.b = append(c.b, op)
	c.memarg(alignLog2, offset, mem)
	return c
}

// Store appends a store (one of the Op*Store* constants) to memory mem.
func (c *Code) Store(op byte, alignLog2 uint32, offset uint64, mem uint32) *Code {
	return c.Load(op, alignLog2, offset, mem)
}

// MemorySize pushes the size of memory mem in pages.
func (c *Code) MemorySize(mem uint32) *Code { return c.opU32(0x3f, mem) }

// MemoryGrow grows memory mem.
func (c *Code) MemoryGrow(mem uint32) *Code { return c.opU32(0x40, mem) }

// MemoryCopy copies between memories dst and src.
func (c *Code) MemoryCopy(dst, src uint32) *Code {
	c.b = AppendU32(AppendU32(AppendU32(append(c.b, 0xfc), 10), dst), src)
	return c
}

// MemoryFill fills memory mem.
func (c *Code) MemoryFill(mem uint32) *Code {
	c.b = AppendU32(AppendU32(append(c.b, 0xfc), 11), mem)
	return c
}

// I32Const pushes an i32 constant.
func (c *Code) I32Const(v int32) *Code {
	c.b = AppendS32(append(c.b, 0x41), v)
	return c
}

// I64Const pushes an i64 constant.
func (c *Code) I64Const(v int64) *Code {
	c.b = AppendS64(append(c.b, 0x42), v)
	return c
}

// F32Const pushes an f32 constant.
func (c *Code) F32Const(v float32) *Code {
	c.b = binary.LittleEndian.AppendUint32(append(c.b, 0x43), math.Float32bits(v))
	return c
}

// F64Const pushes an f64 constant.
func (c *Code) F64Const(v float64) *Code {
	c.b = binary.LittleEndian.AppendUint64(append(c.b, 0x44), math.Float64bits(v))
	return c
}

// RefFunc pushes a reference to function f.
func (c *Code) RefFunc(f uint32) *Code { return c.opU32(0xd2, f) }

// RefNull pushes a null reference of the heap type h.
func (c *Code) RefNull(h HeapType) *Code {
	c.b = AppendHeapType(append(c.b, 0xd0), h)
	return c
}

// ConstI32 returns the constant expression (i32.const v) end, for global
// initialisers and segment offsets.
func ConstI32(v int32) []byte { return append(AppendS32([]byte{0x41}, v), OpEnd) }

// ConstExpr returns the instructions of c followed by end, as a constant
// expression.
func ConstExpr(c *Code) []byte { return append(append([]byte{}, c.b...), OpEnd) }

// Raw appends already encoded instructions.
func (c *Code) Raw(b []byte) *Code { c.b = append(c.b, b...); return c }

// Prefixed appends a prefixed opcode (one of the Prefix* bytes and the
// opcode after it) without immediates.
func (c *Code) Prefixed(prefix byte, sub uint32) *Code {
	c.b = AppendU32(append(c.b, prefix), sub)
	return c
}

// MemArg appends a memory immediate (for prefixed accesses, after Prefixed).
func (c *Code) MemArg(m MemArg) *Code {
	c.memarg(m.Align, m.Offset, m.Mem)
	return c
}

// MemoryInit copies from data segment data into memory mem.
func (c *Code) MemoryInit(data, mem uint32) *Code {
	c.b = AppendU32(AppendU32(AppendU32(append(c.b, 0xfc), 8), data), mem)
	return c
}

// DataDrop drops data segment data.
func (c *Code) DataDrop(data uint32) *Code {
	c.b = AppendU32(AppendU32(append(c.b, 0xfc), 9), data)
	return c
}

// SIMD opcodes (after PrefixSIMD) of whole-vector loads and stores.
const (
	SIMDV128Load  uint32 = 0
	SIMDV128Store uint32 = 11
)
