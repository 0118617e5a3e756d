package runtime_test

import (
	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/wasm"
)

// Two components, B (the callee) and A (the caller, importing B's
// functions as instance "b"), composed into one or run side by side. In
// WIT terms:
//
//	B exports add: func(a: u32, b: u32) -> u32
//	          ch: func(c: char) -> char
//	          take: func(l: list<u8>) -> u32   // the length plus the last byte
//	          echo: func(s: string) -> string
//	A exports loop: func(n: u32) -> u32          // n calls of add
//	          callch: func(x: u32) -> char        // ch(x), x given as a char
//	          send: func(n: u32, len: u32) -> u32 // n calls of take(len bytes)

// bCore is B's core module.
func bCore() []byte {
	var m wasm.Builder
	i32 := wasm.ValI32
	m.AddMemory(wasm.MemoryType{Limits: wasm.Limits{Min: 40}})
	heap := m.AddGlobal(wasm.Global{Type: wasm.GlobalType{Val: i32, Mutable: true}, Init: wasm.ConstI32(1024)})
	t2 := m.AddFuncType([]wasm.ValType{i32, i32}, []wasm.ValType{i32})
	t1 := m.AddFuncType([]wasm.ValType{i32}, []wasm.ValType{i32})

	var c wasm.Code
	c.LocalGet(0).LocalGet(1).Op(wasm.OpI32Add).End()
	add := m.AddFunc(wasm.Func{Type: t2, Body: c.Bytes()})

	c = wasm.Code{}
	c.LocalGet(0).End()
	ch := m.AddFunc(wasm.Func{Type: t1, Body: c.Bytes()})

	// take(ptr, len): len + the last byte; resets the heap.
	c = wasm.Code{}
	c.I32Const(1024).GlobalSet(heap).
		LocalGet(1).Op(wasm.OpI32Eqz).If(wasm.BlockEmpty).I32Const(0).Return().End().
		LocalGet(1).LocalGet(0).LocalGet(1).Op(wasm.OpI32Add).I32Const(1).Op(wasm.OpI32Sub).
		Load(wasm.OpI32Load8U, 0, 0, 0).Op(wasm.OpI32Add).End()
	take := m.AddFunc(wasm.Func{Type: t2, Body: c.Bytes()})

	// echo(ptr, len): stores (ptr, len) at 16, returns 16; resets the heap.
	c = wasm.Code{}
	c.I32Const(16).LocalGet(0).Store(wasm.OpI32Store, 2, 0, 0).
		I32Const(16).LocalGet(1).Store(wasm.OpI32Store, 2, 4, 0).
		I32Const(1024).GlobalSet(heap).I32Const(16).End()
	echo := m.AddFunc(wasm.Func{Type: t2, Body: c.Bytes()})

	var r wasm.Code
	r.GlobalGet(heap).I32Const(7).Op(wasm.OpI32Add).I32Const(-8).Op(wasm.OpI32And).LocalTee(4).
		LocalGet(3).Op(wasm.OpI32Add).GlobalSet(heap).LocalGet(4).End()
	realloc := m.AddFunc(wasm.Func{Type: m.AddFuncType([]wasm.ValType{i32, i32, i32, i32}, []wasm.ValType{i32}),
		Locals: []wasm.ValType{i32}, Body: r.Bytes()})

	m.Export("add", wasm.ExternFunc, add)
	m.Export("ch", wasm.ExternFunc, ch)
	m.Export("take", wasm.ExternFunc, take)
	m.Export("echo", wasm.ExternFunc, echo)
	m.Export("realloc", wasm.ExternFunc, realloc)
	m.Export("mem", wasm.ExternMemory, 0)
	return m.Encode()
}

// aCore is A's core module: it imports b.add, b.ch, b.take and its memory
// (m.mem, defined by memCore so that take can be lowered with it).
func aCore() []byte {
	var m wasm.Builder
	i32 := wasm.ValI32
	t2 := m.AddFuncType([]wasm.ValType{i32, i32}, []wasm.ValType{i32})
	t1 := m.AddFuncType([]wasm.ValType{i32}, []wasm.ValType{i32})
	add := m.AddImport("b", "add", wasm.ExternType{Kind: wasm.ExternFunc, Index: t2})
	ch := m.AddImport("b", "ch", wasm.ExternType{Kind: wasm.ExternFunc, Index: t1})
	take := m.AddImport("b", "take", wasm.ExternType{Kind: wasm.ExternFunc, Index: t2})
	m.AddImport("m", "mem", wasm.ExternType{Kind: wasm.ExternMemory, Memory: wasm.MemoryType{Limits: wasm.Limits{Min: 20}}})

	// loop(n): acc = 0; while n != 0 { acc = add(acc, 1); n-- }; acc
	var l wasm.Code
	l.Block(wasm.BlockEmpty).Loop(wasm.BlockEmpty).
		LocalGet(0).Op(wasm.OpI32Eqz).BrIf(1).
		LocalGet(1).I32Const(1).Call(add).LocalSet(1).
		LocalGet(0).I32Const(1).Op(wasm.OpI32Sub).LocalSet(0).
		Br(0).End().End().
		LocalGet(1).End()
	loop := m.AddFunc(wasm.Func{Type: t1, Locals: []wasm.ValType{i32}, Body: l.Bytes()})

	var c wasm.Code
	c.LocalGet(0).Call(ch).End()
	callch := m.AddFunc(wasm.Func{Type: t1, Body: c.Bytes()})

	// send(n, len): memory[len-1] = 7; n calls of take(0, len); the last result.
	c = wasm.Code{}
	c.LocalGet(1).Op(wasm.OpI32Eqz).Op(wasm.OpI32Eqz).If(wasm.BlockEmpty).
		LocalGet(1).I32Const(1).Op(wasm.OpI32Sub).I32Const(7).Store(wasm.OpI32Store8, 0, 0, 0).End().
		Block(wasm.BlockEmpty).Loop(wasm.BlockEmpty).
		LocalGet(0).Op(wasm.OpI32Eqz).BrIf(1).
		I32Const(0).LocalGet(1).Call(take).LocalSet(2).
		LocalGet(0).I32Const(1).Op(wasm.OpI32Sub).LocalSet(0).
		Br(0).End().End().
		LocalGet(2).End()
	send := m.AddFunc(wasm.Func{Type: t2, Locals: []wasm.ValType{i32}, Body: c.Bytes()})

	m.Export("loop", wasm.ExternFunc, loop)
	m.Export("callch", wasm.ExternFunc, callch)
	m.Export("send", wasm.ExternFunc, send)
	return m.Encode()
}

func mustInfo(b []byte) *wasm.ModuleInfo {
	info, err := wasm.ReadModule(b, 0)
	if err != nil {
		panic(err)
	}
	return info
}

var (
	u32T  = component.ValType{Prim: component.U32}
	charT = component.ValType{Prim: component.Char}
	strT  = component.ValType{Prim: component.String}
)

func xname(s string) component.ExternName { return component.ExternName{Name: s} }

// bTypes are B's function types: 0 add, 1 ch, 2 list<u8>, 3 take, 4 echo.
func bTypes() []component.Type {
	u8 := component.ValType{Prim: component.U8}
	return []component.Type{
		&component.FuncType{Params: []component.Field{{Name: "a", Type: u32T}, {Name: "b", Type: u32T}}, Result: &u32T},
		&component.FuncType{Params: []component.Field{{Name: "c", Type: charT}}, Result: &charT},
		&component.DefinedType{Kind: component.KindList, Elem: u8},
		&component.FuncType{Params: []component.Field{{Name: "l", Type: component.ValType{Index: 2}}}, Result: &u32T},
		&component.FuncType{Params: []component.Field{{Name: "s", Type: strT}}, Result: &strT},
	}
}

// bComponent is B: it lifts its core functions.
func bComponent() *component.Component {
	core := bCore()
	memOpts := []component.CanonOpt{{Kind: component.OptUTF8}, {Kind: component.OptMemory, Index: 0}, {Kind: component.OptRealloc, Index: 4}}
	return &component.Component{Sections: []component.Section{
		&component.TypeSection{Types: bTypes()},
		&component.CoreModuleSection{Bytes: core, Info: mustInfo(core)},
		&component.CoreInstanceSection{Instances: []component.CoreInstance{{Instantiate: true, Module: 0}}},
		&component.AliasSection{Aliases: []component.Alias{
			{Sort: component.SortCoreFunc, Target: component.AliasCoreExport, Instance: 0, Name: "add"},     // core func 0
			{Sort: component.SortCoreFunc, Target: component.AliasCoreExport, Instance: 0, Name: "ch"},      // 1
			{Sort: component.SortCoreFunc, Target: component.AliasCoreExport, Instance: 0, Name: "take"},    // 2
			{Sort: component.SortCoreFunc, Target: component.AliasCoreExport, Instance: 0, Name: "echo"},    // 3
			{Sort: component.SortCoreFunc, Target: component.AliasCoreExport, Instance: 0, Name: "realloc"}, // 4
			{Sort: component.SortCoreMemory, Target: component.AliasCoreExport, Instance: 0, Name: "mem"},   // memory 0
		}},
		&component.CanonSection{Funcs: []component.Canon{
			{Op: component.CanonLift, Func: 0, Type: 0},
			{Op: component.CanonLift, Func: 1, Type: 1},
			{Op: component.CanonLift, Func: 2, Type: 3, Options: memOpts},
			{Op: component.CanonLift, Func: 3, Type: 4, Options: memOpts},
		}},
		&component.ExportSection{Exports: []component.Export{
			{Name: xname("add"), Sort: component.SortFunc, Index: 0},
			{Name: xname("ch"), Sort: component.SortFunc, Index: 1},
			{Name: xname("take"), Sort: component.SortFunc, Index: 2},
			{Name: xname("echo"), Sort: component.SortFunc, Index: 3},
		}},
	}}
}

// memCore defines A's memory.
func memCore() []byte {
	var m wasm.Builder
	m.AddMemory(wasm.MemoryType{Limits: wasm.Limits{Min: 20}})
	m.Export("mem", wasm.ExternMemory, 0)
	return m.Encode()
}

// aComponent is A: it imports instance "b" (B's exports), lowers them
// into its core module and lifts that module's functions.
func aComponent() *component.Component {
	core, mem := aCore(), memCore()
	var bi []component.Decl
	for _, t := range bTypes() {
		bi = append(bi, component.Decl{Kind: component.DeclType, Type: t})
	}
	bi = append(bi,
		component.Decl{Kind: component.DeclExport, Name: xname("add"), Extern: component.ExternType{Sort: component.SortFunc, Index: 0}},
		component.Decl{Kind: component.DeclExport, Name: xname("ch"), Extern: component.ExternType{Sort: component.SortFunc, Index: 1}},
		component.Decl{Kind: component.DeclExport, Name: xname("take"), Extern: component.ExternType{Sort: component.SortFunc, Index: 3}},
		component.Decl{Kind: component.DeclExport, Name: xname("echo"), Extern: component.ExternType{Sort: component.SortFunc, Index: 4}},
	)
	return &component.Component{Sections: []component.Section{
		&component.TypeSection{Types: []component.Type{
			&component.InstanceType{Decls: bi}, // 0
			&component.FuncType{Params: []component.Field{{Name: "n", Type: u32T}}, Result: &u32T},                            // 1 loop
			&component.FuncType{Params: []component.Field{{Name: "x", Type: u32T}}, Result: &charT},                           // 2 callch
			&component.FuncType{Params: []component.Field{{Name: "n", Type: u32T}, {Name: "len", Type: u32T}}, Result: &u32T}, // 3 send
		}},
		&component.ImportSection{Imports: []component.Import{
			{Name: xname("b"), Type: component.ExternType{Sort: component.SortInstance, Index: 0}},
		}},
		&component.AliasSection{Aliases: []component.Alias{
			{Sort: component.SortFunc, Target: component.AliasExport, Instance: 0, Name: "add"},  // func 0
			{Sort: component.SortFunc, Target: component.AliasExport, Instance: 0, Name: "ch"},   // func 1
			{Sort: component.SortFunc, Target: component.AliasExport, Instance: 0, Name: "take"}, // func 2
		}},
		&component.CoreModuleSection{Bytes: mem, Info: mustInfo(mem)},                                       // module 0
		&component.CoreModuleSection{Bytes: core, Info: mustInfo(core)},                                     // module 1
		&component.CoreInstanceSection{Instances: []component.CoreInstance{{Instantiate: true, Module: 0}}}, // core instance 0
		&component.AliasSection{Aliases: []component.Alias{
			{Sort: component.SortCoreMemory, Target: component.AliasCoreExport, Instance: 0, Name: "mem"}, // memory 0
		}},
		&component.CanonSection{Funcs: []component.Canon{
			{Op: component.CanonLower, Func: 0}, // core func 0
			{Op: component.CanonLower, Func: 1}, // core func 1
			{Op: component.CanonLower, Func: 2, Options: []component.CanonOpt{{Kind: component.OptMemory, Index: 0}}}, // core func 2
		}},
		&component.CoreInstanceSection{Instances: []component.CoreInstance{
			{Exports: []component.CoreInlineExport{ // core instance 1
				{Name: "add", Sort: component.SortCoreFunc, Index: 0},
				{Name: "ch", Sort: component.SortCoreFunc, Index: 1},
				{Name: "take", Sort: component.SortCoreFunc, Index: 2},
			}},
			{Instantiate: true, Module: 1, Args: []component.CoreInstantiateArg{{Name: "b", Instance: 1}, {Name: "m", Instance: 0}}}, // 2
		}},
		&component.AliasSection{Aliases: []component.Alias{
			{Sort: component.SortCoreFunc, Target: component.AliasCoreExport, Instance: 2, Name: "loop"},   // core func 3
			{Sort: component.SortCoreFunc, Target: component.AliasCoreExport, Instance: 2, Name: "callch"}, // 4
			{Sort: component.SortCoreFunc, Target: component.AliasCoreExport, Instance: 2, Name: "send"},   // 5
		}},
		&component.CanonSection{Funcs: []component.Canon{
			{Op: component.CanonLift, Func: 3, Type: 1}, // func 3
			{Op: component.CanonLift, Func: 4, Type: 2}, // func 4
			{Op: component.CanonLift, Func: 5, Type: 3}, // func 5
		}},
		&component.ExportSection{Exports: []component.Export{
			{Name: xname("loop"), Sort: component.SortFunc, Index: 3},
			{Name: xname("callch"), Sort: component.SortFunc, Index: 4},
			{Name: xname("send"), Sort: component.SortFunc, Index: 5},
		}},
	}}
}

// composedComponent instantiates B, then A with B's instance, and exports
// A's functions.
func composedComponent() []byte {
	c := &component.Component{Sections: []component.Section{
		&component.ComponentSection{Component: bComponent()}, // component 0
		&component.ComponentSection{Component: aComponent()}, // component 1
		&component.InstanceSection{Instances: []component.Instance{
			{Instantiate: true, Component: 0}, // instance 0
			{Instantiate: true, Component: 1, Args: []component.InstantiateArg{{Name: "b", Sort: component.SortInstance, Index: 0}}}, // 1
		}},
		&component.AliasSection{Aliases: []component.Alias{
			{Sort: component.SortFunc, Target: component.AliasExport, Instance: 1, Name: "loop"},   // func 0
			{Sort: component.SortFunc, Target: component.AliasExport, Instance: 1, Name: "callch"}, // 1
			{Sort: component.SortFunc, Target: component.AliasExport, Instance: 1, Name: "send"},   // 2
		}},
		&component.ExportSection{Exports: []component.Export{
			{Name: xname("loop"), Sort: component.SortFunc, Index: 0},
			{Name: xname("callch"), Sort: component.SortFunc, Index: 1},
			{Name: xname("send"), Sort: component.SortFunc, Index: 2},
		}},
	}}
	return c.Encode()
}
