package runtime_test

import (
	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/wasm"
)

// The test component, built with the core emitter and the component
// encoder (there is no WAT assembler in Go here). In WIT terms:
//
//	world bench {
//	  import test:bench/host@1.0.0;   // interface host { inc: func(x: u32) -> u32; }
//	  export add: func(a: u32, b: u32) -> u32;
//	  export call-host: func(n: u32) -> u32;  // calls inc n times
//	  export echo: func(s: string) -> string;
//	}

const benchHostIface = "test:bench/host@1.0.0"

// benchCore returns the core module: it imports host.inc and exports add,
// loop, echo, realloc and its memory.
func benchCore() []byte {
	var m wasm.Builder
	i32 := []wasm.ValType{wasm.ValI32}
	tInc := m.AddFuncType(i32, i32)
	inc := m.AddImport("host", "inc", wasm.ExternType{Kind: wasm.ExternFunc, Index: tInc})
	m.AddMemory(wasm.MemoryType{Limits: wasm.Limits{Min: 1}})
	heap := m.AddGlobal(wasm.Global{Type: wasm.GlobalType{Val: wasm.ValI32, Mutable: true}, Init: wasm.ConstI32(1024)})

	var c wasm.Code
	c.LocalGet(0).LocalGet(1).Op(wasm.OpI32Add).End()
	add := m.AddFunc(wasm.Func{Type: m.AddFuncType([]wasm.ValType{wasm.ValI32, wasm.ValI32}, i32), Body: c.Bytes()})

	// loop(n): acc = 0; while n != 0 { acc = inc(acc); n-- }; acc
	var l wasm.Code
	l.Block(wasm.BlockEmpty).Loop(wasm.BlockEmpty).
		LocalGet(0).Op(wasm.OpI32Eqz).BrIf(1).
		LocalGet(1).Call(inc).LocalSet(1).
		LocalGet(0).I32Const(1).Op(wasm.OpI32Sub).LocalSet(0).
		Br(0).End().End().
		LocalGet(1).End()
	loop := m.AddFunc(wasm.Func{Type: tInc, Locals: []wasm.ValType{wasm.ValI32}, Body: l.Bytes()})

	// realloc(old, oldSize, align, newSize): a bump allocator, 8-aligned.
	var r wasm.Code
	r.GlobalGet(heap).I32Const(7).Op(wasm.OpI32Add).I32Const(-8).Op(wasm.OpI32And).LocalTee(4).
		LocalGet(3).Op(wasm.OpI32Add).GlobalSet(heap).
		LocalGet(4).End()
	realloc := m.AddFunc(wasm.Func{Type: m.AddFuncType([]wasm.ValType{wasm.ValI32, wasm.ValI32, wasm.ValI32, wasm.ValI32}, i32),
		Locals: []wasm.ValType{wasm.ValI32}, Body: r.Bytes()})

	// echo(ptr, len): store (ptr, len) at 16 and return 16; also reset
	// the heap so that repeated calls do not exhaust memory.
	var e wasm.Code
	e.I32Const(16).LocalGet(0).Store(wasm.OpI32Store, 2, 0, 0).
		I32Const(16).LocalGet(1).Store(wasm.OpI32Store, 2, 4, 0).
		I32Const(1024).GlobalSet(heap).
		I32Const(16).End()
	echo := m.AddFunc(wasm.Func{Type: m.AddFuncType([]wasm.ValType{wasm.ValI32, wasm.ValI32}, i32), Body: e.Bytes()})

	m.Export("add", wasm.ExternFunc, add)
	m.Export("loop", wasm.ExternFunc, loop)
	m.Export("realloc", wasm.ExternFunc, realloc)
	m.Export("echo", wasm.ExternFunc, echo)
	m.Export("mem", wasm.ExternMemory, 0)
	return m.Encode()
}

// benchComponent wraps benchCore in the component described above.
func benchComponent() []byte {
	core := benchCore()
	info, err := wasm.ReadModule(core, 0)
	if err != nil {
		panic(err)
	}
	u32 := component.ValType{Prim: component.U32}
	str := component.ValType{Prim: component.String}
	name := func(s string) component.ExternName { return component.ExternName{Name: s} }
	c := &component.Component{Sections: []component.Section{
		&component.TypeSection{Types: []component.Type{
			// 0: the host interface's instance type.
			&component.InstanceType{Decls: []component.Decl{
				{Kind: component.DeclType, Type: &component.FuncType{Params: []component.Field{{Name: "x", Type: u32}}, Result: &u32}},
				{Kind: component.DeclExport, Name: name("inc"), Extern: component.ExternType{Sort: component.SortFunc, Index: 0}},
			}},
			// 1: add, 2: call-host, 3: echo.
			&component.FuncType{Params: []component.Field{{Name: "a", Type: u32}, {Name: "b", Type: u32}}, Result: &u32},
			&component.FuncType{Params: []component.Field{{Name: "n", Type: u32}}, Result: &u32},
			&component.FuncType{Params: []component.Field{{Name: "s", Type: str}}, Result: &str},
		}},
		&component.ImportSection{Imports: []component.Import{
			{Name: name(benchHostIface), Type: component.ExternType{Sort: component.SortInstance, Index: 0}},
		}},
		&component.AliasSection{Aliases: []component.Alias{
			{Sort: component.SortFunc, Target: component.AliasExport, Instance: 0, Name: "inc"}, // func 0
		}},
		&component.CanonSection{Funcs: []component.Canon{
			{Op: component.CanonLower, Func: 0}, // core func 0
		}},
		&component.CoreModuleSection{Bytes: core, Info: info},
		&component.CoreInstanceSection{Instances: []component.CoreInstance{
			{Exports: []component.CoreInlineExport{{Name: "inc", Sort: component.SortCoreFunc, Index: 0}}},
			{Instantiate: true, Module: 0, Args: []component.CoreInstantiateArg{{Name: "host", Instance: 0}}},
		}},
		&component.AliasSection{Aliases: []component.Alias{
			{Sort: component.SortCoreFunc, Target: component.AliasCoreExport, Instance: 1, Name: "add"},     // core func 1
			{Sort: component.SortCoreFunc, Target: component.AliasCoreExport, Instance: 1, Name: "loop"},    // core func 2
			{Sort: component.SortCoreFunc, Target: component.AliasCoreExport, Instance: 1, Name: "realloc"}, // core func 3
			{Sort: component.SortCoreFunc, Target: component.AliasCoreExport, Instance: 1, Name: "echo"},    // core func 4
			{Sort: component.SortCoreMemory, Target: component.AliasCoreExport, Instance: 1, Name: "mem"},   // core memory 0
		}},
		&component.CanonSection{Funcs: []component.Canon{
			{Op: component.CanonLift, Func: 1, Type: 1}, // func 1
			{Op: component.CanonLift, Func: 2, Type: 2}, // func 2
			{Op: component.CanonLift, Func: 4, Type: 3, Options: []component.CanonOpt{ // func 3
				{Kind: component.OptUTF8}, {Kind: component.OptMemory, Index: 0}, {Kind: component.OptRealloc, Index: 3}}},
		}},
		&component.ExportSection{Exports: []component.Export{
			{Name: name("add"), Sort: component.SortFunc, Index: 1},
			{Name: name("call-host"), Sort: component.SortFunc, Index: 2},
			{Name: name("echo"), Sort: component.SortFunc, Index: 3},
		}},
	}}
	return c.Encode()
}
