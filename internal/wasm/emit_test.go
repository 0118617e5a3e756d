package wasm

import (
	"context"
	"testing"

	"github.com/tetratelabs/wazero"
)

// buildSample builds a module that uses every part of the Builder: types,
// imports of each kind wazero supports, functions with locals and control
// flow, a table with an element segment, memory with data, globals,
// exports and a custom section.
func buildSample() *Builder {
	m := &Builder{}
	i32 := []ValType{ValI32}
	binI32 := m.AddFuncType([]ValType{ValI32, ValI32}, i32)
	void := m.AddFuncType(nil, nil)
	if again := m.AddFuncType([]ValType{ValI32, ValI32}, i32); again != binI32 {
		panic("AddFuncType did not deduplicate")
	}
	hostAdd := m.AddImport("env", "add", ExternType{Kind: ExternFunc, Index: binI32})
	m.AddImport("env", "g", ExternType{Kind: ExternGlobal, Global: GlobalType{Val: ValI64}})

	max := uint64(2)
	mem := m.AddMemory(MemoryType{Limits{Min: 1, Max: &max}})
	tbl := m.AddTable(TableType{Elem: ValFuncRef, Limits: Limits{Min: 2}})
	counter := m.AddGlobal(Global{Type: GlobalType{Val: ValI32, Mutable: true}, Init: ConstI32(7)})

	// sum(n): 0 + 1 + ... + (n-1) with a loop, via the imported add.
	var c Code
	c.Block(BlockEmpty).
		Loop(BlockEmpty).
		LocalGet(1).LocalGet(0).Op(OpI32GeU).BrIf(1).
		LocalGet(2).LocalGet(1).Call(hostAdd).LocalSet(2).
		LocalGet(1).I32Const(1).Op(OpI32Add).LocalSet(1).
		Br(0).
		End().
		End().
		LocalGet(2).End()
	sum := m.AddFunc(Func{Type: m.AddFuncType(i32, i32), Locals: []ValType{ValI32, ValI32}, Body: c.Bytes()})

	// load(addr) reads an i32 from memory; store bumps the global.
	var l Code
	l.LocalGet(0).Load(OpI32Load, 2, 0, 0).End()
	load := m.AddFunc(Func{Type: m.AddFuncType(i32, i32), Body: l.Bytes()})
	var s Code
	s.GlobalGet(counter).I32Const(1).Op(OpI32Add).GlobalSet(counter).End()
	bump := m.AddFunc(Func{Type: void, Body: s.Bytes()})
	// pick(i) calls through the table.
	var p Code
	p.I32Const(3).I32Const(4).LocalGet(0).CallIndirect(binI32, tbl).End()
	pick := m.AddFunc(Func{Type: m.AddFuncType(i32, i32), Body: p.Bytes()})
	// mul(a, b) for the table, with an if/else.
	var mu Code
	mu.LocalGet(0).Op(OpI32Eqz).If(BlockVal(ValI32)).I32Const(0).Else().LocalGet(0).LocalGet(1).Op(OpI32Mul).End().End()
	mul := m.AddFunc(Func{Type: binI32, Body: mu.Bytes()})

	m.Elements = append(m.Elements, Element{Table: tbl, Offset: ConstI32(0), Funcs: []uint32{hostAdd, mul}})
	m.Datas = append(m.Datas, Data{Memory: mem, Offset: ConstI32(16), Bytes: []byte{0x2a, 0, 0, 0}})
	m.Export("sum", ExternFunc, sum)
	m.Export("load", ExternFunc, load)
	m.Export("bump", ExternFunc, bump)
	m.Export("pick", ExternFunc, pick)
	m.Export("memory", ExternMemory, mem)
	m.Export("counter", ExternGlobal, counter)
	m.Export("table", ExternTable, tbl)
	m.Customs = append(m.Customs, Custom{Name: "note", Data: []byte("hi")})
	return m
}

func TestEmitAcceptedByWazero(t *testing.T) {
	ctx := context.Background()
	bin := buildSample().Encode()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	_, err := rt.NewHostModuleBuilder("env").
		NewFunctionBuilder().WithFunc(func(a, b uint32) uint32 { return a + b }).Export("add").
		Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// wazero's host module builder cannot export globals: compile only to
	// check validity, then run a copy without the global import.
	if _, err := rt.CompileModule(ctx, bin); err != nil {
		t.Fatalf("wazero rejects the emitted module: %v", err)
	}
	m := buildSample()
	m.Imports = m.Imports[:1]
	m.globalImports = 0
	// The global import was index 0: the defined counter becomes 0 too, so
	// re-encode with the bump function's global index fixed.
	var s Code
	s.GlobalGet(0).I32Const(1).Op(OpI32Add).GlobalSet(0).End()
	m.Funcs[2].Body = s.Bytes()
	for i := range m.Exports {
		if m.Exports[i].Kind == ExternGlobal {
			m.Exports[i].Index = 0
		}
	}
	mod, err := rt.Instantiate(ctx, m.Encode())
	if err != nil {
		t.Fatalf("instantiate: %v", err)
	}
	call := func(name string, args ...uint64) uint64 {
		t.Helper()
		r, err := mod.ExportedFunction(name).Call(ctx, args...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(r) == 0 {
			return 0
		}
		return r[0]
	}
	if got := call("sum", 5); got != 10 {
		t.Errorf("sum(5) = %d, want 10", got)
	}
	if got := call("load", 16); got != 42 {
		t.Errorf("load(16) = %d, want 42 (the data segment)", got)
	}
	call("bump")
	if got := mod.ExportedGlobal("counter").Get(); got != 8 {
		t.Errorf("counter = %d, want 8", got)
	}
	if got := call("pick", 0); got != 7 {
		t.Errorf("pick(0) = %d, want 3+4", got)
	}
	if got := call("pick", 1); got != 12 {
		t.Errorf("pick(1) = %d, want 3*4", got)
	}
}

func TestReadModuleAgreesWithBuilder(t *testing.T) {
	m := buildSample()
	bin := m.Encode()
	info, err := ReadModule(bin, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(info.Imports) != len(m.Imports) {
		t.Fatalf("imports: got %d, want %d", len(info.Imports), len(m.Imports))
	}
	for i, im := range m.Imports {
		if info.Imports[i].Module != im.Module || info.Imports[i].Name != im.Name || info.Imports[i].Type.Kind != im.Type.Kind {
			t.Errorf("import %d: got %+v, want %+v", i, info.Imports[i], im)
		}
	}
	if len(info.Exports) != len(m.Exports) {
		t.Fatalf("exports: got %d, want %d", len(info.Exports), len(m.Exports))
	}
	for i, e := range m.Exports {
		if info.Exports[i] != e {
			t.Errorf("export %d: got %+v, want %+v", i, info.Exports[i], e)
		}
	}
	if info.NumFuncs() != 1+len(m.Funcs) || info.ImportedFuncs != 1 {
		t.Errorf("funcs: %d (%d imported), want %d (1 imported)", info.NumFuncs(), info.ImportedFuncs, 1+len(m.Funcs))
	}
	// The type of the exported sum is (i32) -> i32.
	et, ok := info.ExportType(info.Exports[0])
	if !ok {
		t.Fatal("no type for export sum")
	}
	ft := info.FuncType(et.Index)
	if ft == nil || ft.String() != "(func (param i32) (result i32))" {
		t.Errorf("sum's type: %v", ft)
	}
	mt, ok := info.ExportType(info.Exports[4])
	if !ok || mt.Kind != ExternMemory || mt.Memory.Min != 1 || mt.Memory.Max == nil || *mt.Memory.Max != 2 {
		t.Errorf("memory export type: %+v", mt)
	}
	gt, ok := info.ExportType(info.Exports[5])
	if !ok || !gt.Global.Mutable || gt.Global.Val != ValI32 {
		t.Errorf("global export type: %+v", gt)
	}
	if info.NumTypes() != len(m.Types) {
		t.Errorf("types: %d, want %d", info.NumTypes(), len(m.Types))
	}
}

func TestReadModuleErrors(t *testing.T) {
	good := (&Builder{}).Encode()
	tests := []struct {
		name string
		in   []byte
	}{
		{"short", good[:5]},
		{"bad version", append([]byte("\x00asm"), 2, 0, 0, 0)},
		{"section out of order", append(append([]byte{}, good...), 3, 1, 0, 1, 1, 0)},
		{"section too long", append(append([]byte{}, good...), 1, 10, 0)},
		{"unknown section", append(append([]byte{}, good...), 14, 0)},
		{"trailing bytes in section", append(append([]byte{}, good...), 1, 2, 0, 0)},
		{"bad import kind", append(append([]byte{}, good...), 2, 5, 1, 0, 0, 9, 0)},
	}
	for _, tc := range tests {
		if _, err := ReadModule(tc.in, 0); err == nil {
			t.Errorf("%s: accepted", tc.name)
		} else if _, ok := err.(*Error); !ok {
			t.Errorf("%s: error %T is not *Error", tc.name, err)
		}
	}
}
