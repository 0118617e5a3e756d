package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/wasm"
)

// The run command's test components are built with the core emitter and
// the component encoder. calc exports
//
//	add: func(a: u32, b: u32) -> u32
//	echo: func(s: string) -> string
//	boom: func() -> u32   // traps
//
// and a command exports wasi:cli/run@0.2.0's run, returning ok or err, or
// trapping.

func calcCore() []byte {
	var m wasm.Builder
	i32 := wasm.ValI32
	m.AddMemory(wasm.MemoryType{Limits: wasm.Limits{Min: 1}})
	heap := m.AddGlobal(wasm.Global{Type: wasm.GlobalType{Val: i32, Mutable: true}, Init: wasm.ConstI32(1024)})
	t2 := m.AddFuncType([]wasm.ValType{i32, i32}, []wasm.ValType{i32})
	var c wasm.Code
	c.LocalGet(0).LocalGet(1).Op(wasm.OpI32Add).End()
	add := m.AddFunc(wasm.Func{Type: t2, Body: c.Bytes()})
	c = wasm.Code{}
	c.I32Const(16).LocalGet(0).Store(wasm.OpI32Store, 2, 0, 0).
		I32Const(16).LocalGet(1).Store(wasm.OpI32Store, 2, 4, 0).I32Const(16).End()
	echo := m.AddFunc(wasm.Func{Type: t2, Body: c.Bytes()})
	c = wasm.Code{}
	c.Unreachable().End()
	boom := m.AddFunc(wasm.Func{Type: m.AddFuncType(nil, []wasm.ValType{i32}), Body: c.Bytes()})
	var r wasm.Code
	r.GlobalGet(heap).I32Const(7).Op(wasm.OpI32Add).I32Const(-8).Op(wasm.OpI32And).LocalTee(4).
		LocalGet(3).Op(wasm.OpI32Add).GlobalSet(heap).LocalGet(4).End()
	realloc := m.AddFunc(wasm.Func{Type: m.AddFuncType([]wasm.ValType{i32, i32, i32, i32}, []wasm.ValType{i32}),
		Locals: []wasm.ValType{i32}, Body: r.Bytes()})
	m.Export("add", wasm.ExternFunc, add)
	m.Export("echo", wasm.ExternFunc, echo)
	m.Export("boom", wasm.ExternFunc, boom)
	m.Export("realloc", wasm.ExternFunc, realloc)
	m.Export("mem", wasm.ExternMemory, 0)
	return m.Encode()
}

func moduleSection(t *testing.T, b []byte) *component.CoreModuleSection {
	info, err := wasm.ReadModule(b, 0)
	if err != nil {
		t.Fatal(err)
	}
	return &component.CoreModuleSection{Bytes: b, Info: info}
}

func calcComponent(t *testing.T) []byte {
	u32 := component.ValType{Prim: component.U32}
	str := component.ValType{Prim: component.String}
	n := func(s string) component.ExternName { return component.ExternName{Name: s} }
	c := &component.Component{Sections: []component.Section{
		&component.TypeSection{Types: []component.Type{
			&component.FuncType{Params: []component.Field{{Name: "a", Type: u32}, {Name: "b", Type: u32}}, Result: &u32},
			&component.FuncType{Params: []component.Field{{Name: "s", Type: str}}, Result: &str},
			&component.FuncType{Result: &u32},
		}},
		moduleSection(t, calcCore()),
		&component.CoreInstanceSection{Instances: []component.CoreInstance{{Instantiate: true, Module: 0}}},
		&component.AliasSection{Aliases: []component.Alias{
			{Sort: component.SortCoreFunc, Target: component.AliasCoreExport, Instance: 0, Name: "add"},
			{Sort: component.SortCoreFunc, Target: component.AliasCoreExport, Instance: 0, Name: "echo"},
			{Sort: component.SortCoreFunc, Target: component.AliasCoreExport, Instance: 0, Name: "boom"},
			{Sort: component.SortCoreFunc, Target: component.AliasCoreExport, Instance: 0, Name: "realloc"},
			{Sort: component.SortCoreMemory, Target: component.AliasCoreExport, Instance: 0, Name: "mem"},
		}},
		&component.CanonSection{Funcs: []component.Canon{
			{Op: component.CanonLift, Func: 0, Type: 0},
			{Op: component.CanonLift, Func: 1, Type: 1, Options: []component.CanonOpt{
				{Kind: component.OptUTF8}, {Kind: component.OptMemory, Index: 0}, {Kind: component.OptRealloc, Index: 3}}},
			{Op: component.CanonLift, Func: 2, Type: 2},
		}},
		&component.ExportSection{Exports: []component.Export{
			{Name: n("add"), Sort: component.SortFunc, Index: 0},
			{Name: n("echo"), Sort: component.SortFunc, Index: 1},
			{Name: n("boom"), Sort: component.SortFunc, Index: 2},
		}},
	}}
	return c.Encode()
}

// commandComponent's run returns err when fail is set, ok otherwise, and
// traps when trap is set.
func commandComponent(t *testing.T, fail, trap bool) []byte {
	var m wasm.Builder
	var c wasm.Code
	switch {
	case trap:
		c.Unreachable().End()
	case fail:
		c.I32Const(1).End()
	default:
		c.I32Const(0).End()
	}
	run := m.AddFunc(wasm.Func{Type: m.AddFuncType(nil, []wasm.ValType{wasm.ValI32}), Body: c.Bytes()})
	m.Export("run", wasm.ExternFunc, run)
	res := component.ValType{Index: 0}
	n := func(s string) component.ExternName { return component.ExternName{Name: s} }
	comp := &component.Component{Sections: []component.Section{
		&component.TypeSection{Types: []component.Type{
			&component.DefinedType{Kind: component.KindResult},
			&component.FuncType{Result: &res},
		}},
		moduleSection(t, m.Encode()),
		&component.CoreInstanceSection{Instances: []component.CoreInstance{{Instantiate: true, Module: 0}}},
		&component.AliasSection{Aliases: []component.Alias{
			{Sort: component.SortCoreFunc, Target: component.AliasCoreExport, Instance: 0, Name: "run"},
		}},
		&component.CanonSection{Funcs: []component.Canon{{Op: component.CanonLift, Func: 0, Type: 1}}},
		&component.InstanceSection{Instances: []component.Instance{
			{Exports: []component.InlineExport{{Name: n("run"), Sort: component.SortFunc, Index: 0}}},
		}},
		&component.ExportSection{Exports: []component.Export{
			{Name: n("wasi:cli/run@0.2.0"), Sort: component.SortInstance, Index: 0},
		}},
	}}
	return comp.Encode()
}

func writeWasm(t *testing.T, name string, b []byte) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunInvoke(t *testing.T) {
	calc := writeWasm(t, "calc.wasm", calcComponent(t))
	for _, tc := range []struct {
		invoke, out string
	}{
		{"add(1, 2)", "3\n"},
		{"add(4294967295, 1)", "0\n"},
		{`echo("héllo")`, "\"héllo\"\n"},
		{`echo("")`, "\"\"\n"},
	} {
		code, out, errs := run(t, "", "run", "--invoke", tc.invoke, calc)
		if code != ExitOK || out != tc.out || errs != "" {
			t.Errorf("run --invoke %s: exit %d, out %q, err %q; want %q", tc.invoke, code, out, errs, tc.out)
		}
	}
	for _, tc := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"--invoke", "boom()", calc}, ExitTrap, "trapped"},
		{[]string{"--invoke", "add(1)", calc}, ExitUser, "arguments"},
		{[]string{"--invoke", `add(1, "x")`, calc}, ExitUser, "arguments"},
		{[]string{"--invoke", "nope()", calc}, ExitUser, "exports: add, echo, boom"},
		{[]string{"--invoke", "add 1 2", calc}, ExitUser, "NAME(ARGS)"},
		{[]string{calc}, ExitUser, "not a command"},
		{[]string{"--env", "NOEQUALS", calc}, ExitUser, "KEY=VALUE"},
		{[]string{"--dir", "/does/not/exist::/d", calc}, ExitUser, "not a directory"},
		{[]string{filepath.Join(t.TempDir(), "missing.wasm")}, ExitUser, "missing.wasm"},
	} {
		code, _, errs := run(t, "", append([]string{"run"}, tc.args...)...)
		if code != tc.code || !strings.Contains(errs, tc.err) {
			t.Errorf("run %v: exit %d, err %q; want %d and %q", tc.args, code, errs, tc.code, tc.err)
		}
	}
	// Not a component.
	mod := writeWasm(t, "core.wasm", calcCore())
	if code, _, errs := run(t, "", "run", mod); code != ExitUser || !strings.Contains(errs, "core module") {
		t.Errorf("run of a core module: exit %d, %q", code, errs)
	}
}

func TestRunCommand(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		fail, trap bool
		code       int
		err        string
	}{
		{false, false, ExitOK, ""},
		{true, false, 1, ""},
		{false, true, ExitTrap, "unreachable"},
	} {
		p := writeWasm(t, "cmd.wasm", commandComponent(t, tc.fail, tc.trap))
		code, _, errs := run(t, "", "run", "--dir", dir+"::/data", "--env", "A=1", "--inherit-env", p, "arg1")
		if code != tc.code || (tc.err == "" && errs != "") || !strings.Contains(errs, tc.err) {
			t.Errorf("run (fail %v, trap %v): exit %d, err %q; want %d and %q", tc.fail, tc.trap, code, errs, tc.code, tc.err)
		}
	}
}
