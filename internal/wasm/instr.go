package wasm

// ImmKind says which immediates an instruction has, and so which fields of
// an Instr ReadInstr filled.
type ImmKind uint8

// The immediate kinds. X and Y are the index immediates in encoding order.
const (
	ImmNone         ImmKind = iota
	ImmBlock                // Block: block, loop, if, try
	ImmTryTable             // Block, Catches
	ImmLabel                // X: br, br_if, br_on_null, rethrow, delegate
	ImmBrTable              // Labels, X (the default)
	ImmFunc                 // X: call, return_call, ref.func
	ImmCallIndirect         // X type, Y table
	ImmLocal                // X
	ImmGlobal               // X
	ImmTable                // X: table.get/set/grow/size/fill
	ImmMem                  // X: memory.size, memory.grow, memory.fill
	ImmMemArg               // Mem: loads, stores, atomics
	ImmMemArgLane           // Mem, Lane: v128.loadN_lane/storeN_lane
	ImmI32                  // Bits (sign-extended int32)
	ImmI64                  // Bits
	ImmF32                  // Bits (the raw 32 bits)
	ImmF64                  // Bits
	ImmHeap                 // Heap: ref.null
	ImmRefTest              // Heap: ref.test, ref.cast (nullable or not by Sub)
	ImmSelectT              // Types: typed select
	ImmMemInit              // X data, Y memory
	ImmData                 // X: data.drop
	ImmMemCopy              // X destination memory, Y source memory
	ImmTableInit            // X element segment, Y table
	ImmElem                 // X: elem.drop
	ImmTableCopy            // X destination table, Y source table
	ImmType                 // X: call_ref, struct.new ...
	ImmTypeField            // X type, Y field
	ImmTag                  // X: throw, catch
	ImmTypeU32              // X type, Y count: array.new_fixed
	ImmTypeData             // X type, Y data
	ImmTypeElem             // X type, Y element segment
	ImmTypeType             // X, Y types: array.copy
	ImmV128                 // V128: v128.const
	ImmShuffle              // V128: the 16 lane indices of i8x16.shuffle
	ImmLane                 // Lane: extract/replace lane
	ImmBrOnCast             // Lane (the flags), X label, Heap, Heap2
	ImmFence                // atomic.fence's reserved byte
)

// Instruction prefixes: the opcode byte of an instruction whose real opcode
// follows as a u32 (Instr.Sub).
const (
	PrefixGC      byte = 0xfb
	PrefixMisc    byte = 0xfc
	PrefixSIMD    byte = 0xfd
	PrefixAtomics byte = 0xfe
)

// MemArg is the immediate of a memory access.
type MemArg struct {
	Align  uint32 // log2 of the alignment, without the memory-index flag
	Mem    uint32
	Offset uint64
}

// BlockType is the type of a block: empty, one value type or a type index.
type BlockType struct {
	Kind  byte // 0 empty, 1 value (Val), 2 type index (Index)
	Val   ValType
	Index int64
}

// Catch is one clause of try_table.
type Catch struct {
	Kind  byte // 0 catch, 1 catch_ref, 2 catch_all, 3 catch_all_ref
	Tag   uint32
	Label uint32
}

// Instr is one decoded instruction. Only the fields its Imm names are
// meaningful; ReadInstr reuses the slices of the Instr it is given.
type Instr struct {
	Op  byte   // the first byte: an opcode or one of the Prefix* bytes
	Sub uint32 // the opcode after a prefix
	Imm ImmKind

	X, Y    uint32
	Mem     MemArg
	Lane    byte
	Bits    uint64
	Heap    HeapType
	Heap2   HeapType
	Block   BlockType
	Labels  []uint32
	Catches []Catch
	Types   []ValType
	V128    [16]byte
}

// Prefixed reports whether the instruction has a prefix byte.
func (in *Instr) Prefixed() bool { return in.Op >= PrefixGC && in.Op <= PrefixAtomics }

// immOf gives the immediates of a one-byte opcode; ok is false for bytes
// that are no instruction.
func immOf(op byte) (ImmKind, bool) {
	switch {
	case op == 0x00 || op == 0x01 || op == 0x05 || op == 0x0a || op == 0x0b || op == 0x0f || op == 0x19 || op == 0x1a || op == 0x1b:
		return ImmNone, true
	case op >= 0x02 && op <= 0x04 || op == 0x06:
		return ImmBlock, true
	case op == 0x07 || op == 0x08:
		return ImmTag, true
	case op == 0x09 || op == 0x0c || op == 0x0d || op == 0x18 || op == 0xd5 || op == 0xd6:
		return ImmLabel, true
	case op == 0x0e:
		return ImmBrTable, true
	case op == 0x10 || op == 0x12 || op == 0xd2:
		return ImmFunc, true
	case op == 0x11 || op == 0x13:
		return ImmCallIndirect, true
	case op == 0x14 || op == 0x15:
		return ImmType, true
	case op == 0x1c:
		return ImmSelectT, true
	case op == 0x1f:
		return ImmTryTable, true
	case op >= 0x20 && op <= 0x22:
		return ImmLocal, true
	case op == 0x23 || op == 0x24:
		return ImmGlobal, true
	case op == 0x25 || op == 0x26:
		return ImmTable, true
	case op >= 0x28 && op <= 0x3e:
		return ImmMemArg, true
	case op == 0x3f || op == 0x40:
		return ImmMem, true
	case op == 0x41:
		return ImmI32, true
	case op == 0x42:
		return ImmI64, true
	case op == 0x43:
		return ImmF32, true
	case op == 0x44:
		return ImmF64, true
	case op >= 0x45 && op <= 0xc4:
		return ImmNone, true
	case op == 0xd0:
		return ImmHeap, true
	case op == 0xd1 || op == 0xd3 || op == 0xd4:
		return ImmNone, true
	}
	return ImmNone, false
}

// prefixedImmOf gives the immediates of a prefixed opcode.
func prefixedImmOf(prefix byte, sub uint32) (ImmKind, bool) {
	switch prefix {
	case PrefixGC:
		switch sub {
		case 0, 1, 6, 7, 0x0b, 0x0c, 0x0d, 0x0e, 0x10:
			return ImmType, true
		case 2, 3, 4, 5:
			return ImmTypeField, true
		case 8:
			return ImmTypeU32, true
		case 9, 0x12:
			return ImmTypeData, true
		case 0x0a, 0x13:
			return ImmTypeElem, true
		case 0x11:
			return ImmTypeType, true
		case 0x0f, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e:
			return ImmNone, true
		case 0x14, 0x15, 0x16, 0x17:
			return ImmRefTest, true
		case 0x18, 0x19:
			return ImmBrOnCast, true
		}
	case PrefixMisc:
		switch {
		case sub <= 7:
			return ImmNone, true
		case sub == 8:
			return ImmMemInit, true
		case sub == 9:
			return ImmData, true
		case sub == 10:
			return ImmMemCopy, true
		case sub == 11:
			return ImmMem, true
		case sub == 12:
			return ImmTableInit, true
		case sub == 13:
			return ImmElem, true
		case sub == 14:
			return ImmTableCopy, true
		case sub >= 15 && sub <= 17:
			return ImmTable, true
		}
	case PrefixSIMD:
		switch {
		case sub <= 11 || sub == 92 || sub == 93:
			return ImmMemArg, true
		case sub == 12:
			return ImmV128, true
		case sub == 13:
			return ImmShuffle, true
		case sub >= 21 && sub <= 34:
			return ImmLane, true
		case sub >= 84 && sub <= 91:
			return ImmMemArgLane, true
		case sub <= 0x113:
			return ImmNone, true
		}
	case PrefixAtomics:
		switch {
		case sub <= 2 || sub >= 0x10 && sub <= 0x4e:
			return ImmMemArg, true
		case sub == 3:
			return ImmFence, true
		}
	}
	return ImmNone, false
}

// ReadMemArg reads a memory immediate (with the multi-memory index when bit
// 6 of the alignment is set).
func (r *Reader) ReadMemArg() (MemArg, error) {
	var m MemArg
	a, err := r.U32()
	if err != nil {
		return m, err
	}
	if a&0x40 != 0 {
		if m.Mem, err = r.U32(); err != nil {
			return m, err
		}
		a &^= 0x40
	}
	m.Align = a
	m.Offset, err = r.U64()
	return m, err
}

// ReadBlockType reads the type of a block.
func (r *Reader) ReadBlockType() (BlockType, error) {
	c, err := r.Peek()
	if err != nil {
		return BlockType{}, err
	}
	if c == 0x40 {
		r.pos++
		return BlockType{}, nil
	}
	if c >= 0x62 && c <= 0x7f {
		v, err := r.ReadValType()
		return BlockType{Kind: 1, Val: v}, err
	}
	start := r.Offset()
	i, err := r.S33()
	if err == nil && i < 0 {
		err = ErrorAt(start, "invalid block type %d", i)
	}
	return BlockType{Kind: 2, Index: i}, err
}

// ReadInstr reads one instruction and its immediates into in. It knows the
// immediates of every instruction of the core specification and of the
// GC, exception-handling, SIMD (with relaxed SIMD) and threads proposals;
// any other opcode is an error naming it.
func (r *Reader) ReadInstr(in *Instr) error {
	start := r.Offset()
	op, err := r.Byte()
	if err != nil {
		return err
	}
	in.Op, in.Sub = op, 0
	var ok bool
	if op >= PrefixGC && op <= PrefixAtomics {
		if in.Sub, err = r.U32(); err != nil {
			return err
		}
		in.Imm, ok = prefixedImmOf(op, in.Sub)
		if !ok {
			return ErrorAt(start, "unknown instruction 0x%02x %d", op, in.Sub)
		}
	} else if in.Imm, ok = immOf(op); !ok {
		return ErrorAt(start, "unknown instruction 0x%02x", op)
	}
	u := func(p *uint32) {
		if err == nil {
			*p, err = r.U32()
		}
	}
	switch in.Imm {
	case ImmNone:
	case ImmBlock:
		in.Block, err = r.ReadBlockType()
	case ImmTryTable:
		if in.Block, err = r.ReadBlockType(); err != nil {
			return err
		}
		n, err := r.Count("catch clauses")
		if err != nil {
			return err
		}
		in.Catches = in.Catches[:0]
		for i := 0; i < n; i++ {
			at := r.Offset()
			k, err := r.Byte()
			if err != nil {
				return err
			}
			if k > 3 {
				return ErrorAt(at, "invalid catch kind %d", k)
			}
			c := Catch{Kind: k}
			if k < 2 {
				if c.Tag, err = r.U32(); err != nil {
					return err
				}
			}
			if c.Label, err = r.U32(); err != nil {
				return err
			}
			in.Catches = append(in.Catches, c)
		}
	case ImmBrTable:
		n, err := r.Count("labels")
		if err != nil {
			return err
		}
		in.Labels = in.Labels[:0]
		for i := 0; i < n; i++ {
			l, err := r.U32()
			if err != nil {
				return err
			}
			in.Labels = append(in.Labels, l)
		}
		in.X, err = r.U32()
		return err
	case ImmLabel, ImmFunc, ImmLocal, ImmGlobal, ImmTable, ImmMem, ImmData, ImmElem, ImmType, ImmTag:
		u(&in.X)
	case ImmCallIndirect, ImmMemInit, ImmMemCopy, ImmTableInit, ImmTableCopy, ImmTypeField, ImmTypeU32, ImmTypeData, ImmTypeElem, ImmTypeType:
		u(&in.X)
		u(&in.Y)
	case ImmMemArg:
		in.Mem, err = r.ReadMemArg()
	case ImmMemArgLane:
		if in.Mem, err = r.ReadMemArg(); err == nil {
			in.Lane, err = r.Byte()
		}
	case ImmLane, ImmFence:
		in.Lane, err = r.Byte()
	case ImmI32:
		var v int32
		v, err = r.S32()
		in.Bits = uint64(int64(v))
	case ImmI64:
		var v int64
		v, err = r.S64()
		in.Bits = uint64(v)
	case ImmF32, ImmF64:
		n := 4
		if in.Imm == ImmF64 {
			n = 8
		}
		var b []byte
		if b, err = r.Bytes(n); err == nil {
			in.Bits = 0
			for i := n - 1; i >= 0; i-- {
				in.Bits = in.Bits<<8 | uint64(b[i])
			}
		}
	case ImmHeap, ImmRefTest:
		in.Heap, err = r.ReadHeapType()
	case ImmSelectT:
		in.Types, err = r.ReadValTypes()
	case ImmV128, ImmShuffle:
		var b []byte
		if b, err = r.Bytes(16); err == nil {
			copy(in.V128[:], b)
		}
	case ImmBrOnCast:
		if in.Lane, err = r.Byte(); err != nil {
			return err
		}
		u(&in.X)
		if err == nil {
			if in.Heap, err = r.ReadHeapType(); err == nil {
				in.Heap2, err = r.ReadHeapType()
			}
		}
	}
	return err
}
