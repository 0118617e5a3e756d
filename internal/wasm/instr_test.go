package wasm

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/wasmcm/wasmcm/internal/testutil"
)

// TestReadInstrEmitted reads back what the Code emitter wrote.
func TestReadInstrEmitted(t *testing.T) {
	var c Code
	c.Block(BlockEmpty).Loop(BlockVal(ValI64)).If(BlockFunc(3))
	c.BrTable([]uint32{0, 2, 1}, 5).Call(70000).CallIndirect(4, 2)
	c.I32Const(-5).I64Const(-1 << 40).F32Const(1.5).F64Const(-2.25)
	c.Load(OpI64Load, 3, 1<<33, 0).Store(OpI32Store8, 0, 7, 2)
	c.MemorySize(1).MemoryGrow(0).MemoryCopy(1, 2).MemoryFill(3).MemoryInit(9, 1).DataDrop(9)
	c.Prefixed(PrefixSIMD, 86).MemArg(MemArg{Align: 2, Mem: 1, Offset: 16}).Op(3)
	c.Prefixed(PrefixSIMD, 12).Raw(make([]byte, 16)).RefNull(HeapType{Abstract: HeapFunc}).RefFunc(8)
	c.End()
	want := []Instr{
		{Op: 0x02, Imm: ImmBlock}, {Op: 0x03, Imm: ImmBlock, Block: BlockType{Kind: 1, Val: ValI64}},
		{Op: 0x04, Imm: ImmBlock, Block: BlockType{Kind: 2, Index: 3}},
		{Op: 0x0e, Imm: ImmBrTable, Labels: []uint32{0, 2, 1}, X: 5}, {Op: 0x10, Imm: ImmFunc, X: 70000},
		{Op: 0x11, Imm: ImmCallIndirect, X: 4, Y: 2},
		{Op: 0x41, Imm: ImmI32, Bits: uint64(0xfffffffffffffffb)}, {Op: 0x42, Imm: ImmI64, Bits: uint64(0xffffff0000000000)},
		{Op: 0x43, Imm: ImmF32, Bits: 0x3fc00000}, {Op: 0x44, Imm: ImmF64, Bits: 0xc002000000000000},
		{Op: OpI64Load, Imm: ImmMemArg, Mem: MemArg{Align: 3, Offset: 1 << 33}},
		{Op: OpI32Store8, Imm: ImmMemArg, Mem: MemArg{Mem: 2, Offset: 7}},
		{Op: 0x3f, Imm: ImmMem, X: 1}, {Op: 0x40, Imm: ImmMem}, {Op: PrefixMisc, Sub: 10, Imm: ImmMemCopy, X: 1, Y: 2},
		{Op: PrefixMisc, Sub: 11, Imm: ImmMem, X: 3}, {Op: PrefixMisc, Sub: 8, Imm: ImmMemInit, X: 9, Y: 1},
		{Op: PrefixMisc, Sub: 9, Imm: ImmData, X: 9},
		{Op: PrefixSIMD, Sub: 86, Imm: ImmMemArgLane, Mem: MemArg{Align: 2, Mem: 1, Offset: 16}, Lane: 3},
		{Op: PrefixSIMD, Sub: 12, Imm: ImmV128}, {Op: 0xd0, Imm: ImmHeap, Heap: HeapType{Abstract: HeapFunc}},
		{Op: 0xd2, Imm: ImmFunc, X: 8}, {Op: OpEnd, Imm: ImmNone},
	}
	r := NewReader(c.Bytes(), 0)
	var in Instr
	for i, w := range want {
		in = Instr{} // only the fields of its Imm are set
		if err := r.ReadInstr(&in); err != nil {
			t.Fatalf("instruction %d: %v", i, err)
		}
		if in.Op != w.Op || in.Sub != w.Sub || in.Imm != w.Imm || in.X != w.X || in.Y != w.Y || in.Mem != w.Mem ||
			in.Lane != w.Lane || in.Bits != w.Bits || in.Heap != w.Heap || in.Block != w.Block || len(in.Labels) != len(w.Labels) {
			t.Fatalf("instruction %d: %+v, want %+v", i, in, w)
		}
	}
	if !r.EOF() {
		t.Fatalf("%d bytes left", r.Remaining())
	}
	// Every cut of the sequence is an error, never a panic.
	for n := 0; n < len(c.Bytes()); n++ {
		r := NewReader(c.Bytes()[:n], 0)
		for !r.EOF() {
			if err := r.ReadInstr(&in); err != nil {
				break
			}
		}
	}
	for _, bad := range [][]byte{{0xff}, {0x27}, {PrefixMisc, 18}, {PrefixAtomics, 4}, {PrefixGC, 0x30}} {
		if err := NewReader(bad, 0).ReadInstr(&in); err == nil {
			t.Errorf("% x: no error", bad)
		}
	}
}

// TestReadInstrCorpus walks every function body of the compiled modules of
// the wit-component corpus (rustc, clang and Go output) instruction by
// instruction: each body must end exactly at its last end.
func TestReadInstrCorpus(t *testing.T) {
	root := testutil.Shared(t, "conformance/wit-component/components")
	files, _ := filepath.Glob(filepath.Join(root, "*", "*.wasm"))
	bodies, instrs := 0, 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !IsModule(b) {
			continue
		}
		r := NewReader(b[8:], 8)
		for !r.EOF() {
			id, _ := r.Byte()
			sec, err := r.Sub("section")
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if id != SecCode {
				continue
			}
			n, _ := sec.Count("bodies")
			for i := 0; i < n; i++ {
				body, err := sec.Sub("body")
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				runs, _ := body.Count("locals")
				for j := 0; j < runs; j++ {
					body.U32()
					body.ReadValType()
				}
				var in Instr
				depth := 1
				for depth > 0 {
					if err := body.ReadInstr(&in); err != nil {
						t.Fatalf("%s: body %d: %v", f, i, err)
					}
					instrs++
					switch {
					case in.Imm == ImmBlock || in.Imm == ImmTryTable:
						depth++
					case in.Op == OpEnd:
						depth--
					}
				}
				if !body.EOF() {
					t.Fatalf("%s: body %d: %d bytes after its end", f, i, body.Remaining())
				}
				bodies++
			}
		}
	}
	if bodies == 0 {
		t.Fatal("no function bodies found")
	}
	t.Logf("%d bodies, %d instructions", bodies, instrs)
}
