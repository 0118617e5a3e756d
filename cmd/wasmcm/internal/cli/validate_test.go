package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/wasm"
)

// doubler is a core module exporting run: (i32) -> i32.
func doubler() []byte {
	var m wasm.Builder
	i32 := wasm.ValI32
	t := m.AddFuncType([]wasm.ValType{i32}, []wasm.ValType{i32})
	var c wasm.Code
	c.LocalGet(0).LocalGet(0).Op(0x6a).End() // i32.add
	m.Export("run", wasm.ExternFunc, m.AddFunc(wasm.Func{Type: t, Body: c.Bytes()}))
	return m.Encode()
}

// sampleComponent imports f: func(x: u32) -> u32, lowers it into a core
// instance, lifts a core module's run as run and exports both, and
// instantiates a nested empty component.
func sampleComponent(t *testing.T) []byte {
	t.Helper()
	mod := doubler()
	info, err := wasm.ReadModule(mod, 0)
	if err != nil {
		t.Fatal(err)
	}
	u32 := component.ValType{Prim: component.U32}
	c := &component.Component{Sections: []component.Section{
		&component.TypeSection{Types: []component.Type{
			&component.FuncType{Params: []component.Field{{Name: "x", Type: u32}}, Result: &u32},
		}},
		&component.ImportSection{Imports: []component.Import{
			{Name: component.ExternName{Name: "f"}, Type: component.ExternType{Sort: component.SortFunc, Index: 0}},
		}},
		&component.CoreModuleSection{Bytes: mod, Info: info},
		&component.CanonSection{Funcs: []component.Canon{{Op: component.CanonLower, Func: 0}}},
		&component.CoreInstanceSection{Instances: []component.CoreInstance{
			{Exports: []component.CoreInlineExport{{Name: "f", Sort: component.SortCoreFunc, Index: 0}}},
			{Instantiate: true, Module: 0},
		}},
		&component.AliasSection{Aliases: []component.Alias{
			{Sort: component.SortCoreFunc, Target: component.AliasCoreExport, Instance: 1, Name: "run"},
		}},
		&component.CanonSection{Funcs: []component.Canon{{Op: component.CanonLift, Func: 1, Type: 0,
			Options: []component.CanonOpt{{Kind: component.OptUTF8}}}}},
		&component.ComponentSection{Component: &component.Component{}},
		&component.InstanceSection{Instances: []component.Instance{{Instantiate: true, Component: 0}}},
		&component.ExportSection{Exports: []component.Export{
			{Name: component.ExternName{Name: "run"}, Sort: component.SortFunc, Index: 1},
			{Name: component.ExternName{Name: "g"}, Sort: component.SortFunc, Index: 0},
		}},
	}}
	b := c.Encode()
	dc, err := component.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := component.Validate(dc, component.DefaultFeatures); err != nil {
		t.Fatalf("the sample component is invalid: %v", err)
	}
	return b
}

// fixedListComponent defines list<u8, 4>, valid only with the
// fixed-length-lists feature.
func fixedListComponent() []byte {
	c := &component.Component{Sections: []component.Section{
		&component.TypeSection{Types: []component.Type{
			&component.DefinedType{Kind: component.KindFixedList, Elem: component.ValType{Prim: component.U8}, Len: 4},
		}},
	}}
	return c.Encode()
}

func TestValidateCommand(t *testing.T) {
	good := writeFile(t, "good.wasm", sampleComponent(t))
	code, out, errs := run(t, "", "validate", good)
	if code != ExitOK || out != "" || errs != "" {
		t.Fatalf("validate of a valid component: exit %d, stdout %q, stderr %q", code, out, errs)
	}

	// An out-of-range type index in the type section: Validate names the
	// item's offset (preamble 8, section id and size, count: 0x0b).
	bad := []byte("\x00asm\x0d\x00\x01\x00\x07\x03\x01\x70\x05")
	code, out, errs = run(t, "", "validate", writeFile(t, "bad.wasm", bad))
	if code != ExitUser || out != "" {
		t.Fatalf("validate of an invalid component: exit %d, stdout %q", code, out)
	}
	for _, want := range []string{"bad.wasm: offset 0xb: section 0 (type) > type 0: type index out of bounds: 5 (0 types defined)", "  0xb | 70 05\n        ^^"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr %q does not contain %q", errs, want)
		}
	}

	// A truncated file is a decode error, located too.
	code, _, errs = run(t, string(bad[:11]), "validate", "-")
	if code != ExitUser || !strings.Contains(errs, "<stdin>: offset 0x9: unexpected end-of-file") {
		t.Fatalf("validate of a truncated component: exit %d, stderr %q", code, errs)
	}

	// A core module is read for its structure.
	code, _, errs = run(t, "", "validate", writeFile(t, "mod.wasm", doubler()))
	if code != ExitOK {
		t.Fatalf("validate of a core module: exit %d: %s", code, errs)
	}
}

func TestValidateFeatures(t *testing.T) {
	p := writeFile(t, "fixed.wasm", fixedListComponent())
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{nil, ExitUser, "fixed-length lists need the 🔧 feature"},
		{[]string{"--features", "cm-fixed-length-lists"}, ExitOK, ""},
		{[]string{"-f", "cm_fixed_length_lists,cm-values"}, ExitOK, ""},
		{[]string{"--all-features"}, ExitOK, ""},
		{[]string{"--all-features", "--features", "-cm-fixed-length-lists"}, ExitUser, "fixed-length lists"},
		{[]string{"--features", "all"}, ExitOK, ""},
		{[]string{"--features", "cm-nope"}, ExitUser, `unknown feature "cm-nope" (known: all, cm-async,`},
	} {
		args := append(append([]string{"validate"}, tc.args...), p)
		code, _, errs := run(t, "", args...)
		if code != tc.code || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d mentioning %q", tc.args, code, errs, tc.code, tc.want)
		}
	}
}

func TestInspectCommand(t *testing.T) {
	p := writeFile(t, "sample.wasm", sampleComponent(t))
	code, out, errs := run(t, "", "inspect", p)
	if code != ExitOK || errs != "" {
		t.Fatalf("inspect: exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"      0x0  component (",
		"      0xb    type 0 = func(x: u32) -> u32\n",
		`func 0 = import "f": func (type 0): func(x: u32) -> u32`,
		"core module 0 = module (",
		`export "run": func (func (param i32) (result i32))`,
		"core func 0 = canon lower func 0\n",
		"core instance 0 = exports\n",
		`export "f": core func 0`,
		"core instance 1 = instantiate core module 0\n",
		`core func 1 = alias export "run" of core instance 1`,
		"func 1 = canon lift core func 1 (type 0): func(x: u32) -> u32 [string-encoding=utf8]\n",
		"component 0 = component (8 bytes)\n",
		"instance 0 = instantiate component 0\n",
		`func 2 = export "run": func 1`,
		`func 3 = export "g": func 0`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect output lacks %q:\n%s", want, out)
		}
	}

	code, out, errs = run(t, "", "inspect", "--json", p)
	if code != ExitOK {
		t.Fatalf("inspect --json: exit %d: %s", code, errs)
	}
	var root inspected
	if err := json.Unmarshal([]byte(out), &root); err != nil {
		t.Fatalf("inspect --json: %v\n%s", err, out)
	}
	if root.Kind != "component" || root.Offset != 0 || root.Size == 0 || len(root.Items) != 12 {
		t.Fatalf("inspect --json: root %+v", root)
	}
	lift := root.Items[7]
	if lift.Kind != "canon" || lift.Sort != "func" || lift.Index == nil || *lift.Index != 1 ||
		lift.Detail != "canon lift core func 1 (type 0)" || lift.Type != "func(x: u32) -> u32" ||
		len(lift.Options) != 1 || lift.Options[0] != "string-encoding=utf8" || lift.Offset <= 0 {
		t.Errorf("inspect --json: canon lift item %+v", lift)
	}
	mod := root.Items[2]
	if mod.Kind != "core-module" || mod.Size != len(doubler()) || len(mod.Exports) != 1 || mod.Exports[0].Name != "run" {
		t.Errorf("inspect --json: core module item %+v", mod)
	}
	// Field names are the documented, stable ones.
	for _, field := range []string{`"kind"`, `"sort"`, `"index"`, `"offset"`, `"size"`, `"type"`, `"detail"`, `"options"`, `"args"`, `"exports"`, `"items"`, `"name"`} {
		if !strings.Contains(out, field) {
			t.Errorf("inspect --json has no %s field", field)
		}
	}

	// Bad input exits 1 with a located error.
	code, out, errs = run(t, "", "inspect", writeFile(t, "bad.wasm", []byte("\x00asm\x0d\x00\x01\x00\x07\x02\x01\x10")))
	if code != ExitUser || out != "" || !strings.Contains(errs, "offset 0xb: invalid leading byte (0x10) for component defined type") {
		t.Fatalf("inspect of a malformed component: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}
