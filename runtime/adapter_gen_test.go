package runtime

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/wit"
)

// adapterTypes builds a Resolve with types of every kind the general
// adapters handle, by name.
func adapterTypes() (*wit.Resolve, map[string]wit.Type) {
	r := &wit.Resolve{}
	add := func(td *wit.TypeDef) wit.Type {
		r.Types = append(r.Types, td)
		return wit.TypeOf(wit.TypeID(len(r.Types) - 1))
	}
	ts := map[string]wit.Type{}
	res := wit.TypeID(len(r.Types))
	add(&wit.TypeDef{Kind: wit.KindResource, Name: "r"})
	ts["own"] = add(&wit.TypeDef{Kind: wit.KindOwn, Resource: res})
	ts["borrow"] = add(&wit.TypeDef{Kind: wit.KindBorrow, Resource: res})
	ts["list-u8"] = add(&wit.TypeDef{Kind: wit.KindList, Elem: wit.U8})
	ts["list-string"] = add(&wit.TypeDef{Kind: wit.KindList, Elem: wit.String})
	ts["rec"] = add(&wit.TypeDef{Kind: wit.KindRecord, Fields: []wit.Field{{Name: "s", Type: wit.String}, {Name: "l", Type: ts["list-u8"]}, {Name: "c", Type: wit.Char}}})
	ts["var"] = add(&wit.TypeDef{Kind: wit.KindVariant, Cases: []wit.Case{{Name: "a", Type: wit.F32}, {Name: "b", Type: wit.U64}, {Name: "c"}, {Name: "d", Type: wit.String}}})
	ts["opt"] = add(&wit.TypeDef{Kind: wit.KindOption, Elem: wit.Char})
	ts["res"] = add(&wit.TypeDef{Kind: wit.KindResult, Ok: wit.String, Err: wit.U8})
	ts["flags"] = add(&wit.TypeDef{Kind: wit.KindFlags, Flags: []wit.Flag{{Name: "a"}, {Name: "b"}, {Name: "c"}}})
	ts["enum"] = add(&wit.TypeDef{Kind: wit.KindEnum, Enum: []wit.EnumCase{{Name: "x"}, {Name: "y"}}})
	ts["tuple"] = add(&wit.TypeDef{Kind: wit.KindTuple, Tuple: []wit.Type{wit.S8, wit.F64, ts["var"]}})
	ts["fixed"] = add(&wit.TypeDef{Kind: wit.KindFixedLengthList, Elem: wit.U16, Len: 3})
	ts["fixed-long"] = add(&wit.TypeDef{Kind: wit.KindFixedLengthList, Elem: wit.U16, Len: 100})
	ts["fixed-strings"] = add(&wit.TypeDef{Kind: wit.KindFixedLengthList, Elem: wit.String, Len: 20})
	ts["list-rec"] = add(&wit.TypeDef{Kind: wit.KindList, Elem: ts["rec"]})
	ts["list-tuple"] = add(&wit.TypeDef{Kind: wit.KindList, Elem: add(&wit.TypeDef{Kind: wit.KindTuple, Tuple: []wit.Type{wit.U32, wit.F64}})})
	names := []string{"bool", "s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64", "f32", "f64", "char", "string"}
	for i, p := range []wit.Type{wit.Bool, wit.S8, wit.U8, wit.S16, wit.U16, wit.S32, wit.U32, wit.S64, wit.U64, wit.F32, wit.F64, wit.Char, wit.String} {
		ts[names[i]] = p
	}
	return r, ts
}

// testSpec makes the spec of an adapter of params -> result between two
// sides with memories and reallocs and the given encodings.
func testSpec(t testing.TB, abi *canon.ABI, params []wit.Type, result wit.Type, from, to canon.StringEncoding) *adapterSpec {
	t.Helper()
	var results []wit.Type
	if result != wit.NoneType {
		results = []wit.Type{result}
	}
	lower, err := abi.FlattenFuncType(params, result, canon.FuncTypeOptions{}, canon.ContextLower)
	if err != nil {
		t.Fatal(err)
	}
	lift, err := abi.FlattenFuncType(params, result, canon.FuncTypeOptions{}, canon.ContextLift)
	if err != nil {
		t.Fatal(err)
	}
	return &adapterSpec{params: params, results: results, lowerCT: lower, liftCT: lift,
		caller:   adapterSide{enc: from, hasMem: true, hasRealloc: true, memRef: 0, comp: 1},
		callee:   adapterSide{enc: to, hasMem: true, hasRealloc: true, memRef: 1, comp: 2},
		entering: []int{2}, callerMem: "m", calleeMem: "m", calleeFn: "f", calleeRealloc: "realloc", callerRealloc: "realloc",
		post: "post", hasPost: true}
}

// TestAdapterModulesValidate generates adapters for signatures of every
// kind and encoding pair and has wasm-tools validate them.
func TestAdapterModulesValidate(t *testing.T) {
	tool, err := exec.LookPath("wasm-tools")
	if err != nil {
		t.Skip("wasm-tools is not installed")
	}
	r, ts := adapterTypes()
	abi := canon.New(r, canon.Addr32)
	sigs := []struct {
		params []string
		result string
	}{
		{[]string{"string"}, "string"},
		{[]string{"list-u8"}, "list-u8"},
		{[]string{"list-string", "rec"}, "rec"},
		{[]string{"var", "opt", "res"}, "var"},
		{[]string{"flags", "enum", "tuple", "fixed"}, "tuple"},
		{[]string{"list-rec", "list-tuple"}, "list-rec"},
		{[]string{"own", "borrow"}, "own"},
		{[]string{"bool", "s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64", "f32", "f64", "char", "string", "string", "string"}, "u64"},
		{[]string{"char"}, "char"},
		{[]string{"fixed-long", "fixed-strings"}, "fixed-strings"},
		{nil, "res"},
	}
	encs := []canon.StringEncoding{canon.UTF8, canon.UTF16, canon.Latin1UTF16}
	dir := t.TempDir()
	n := 0
	for _, s := range sigs {
		var params []wit.Type
		for _, p := range s.params {
			params = append(params, ts[p])
		}
		for _, from := range encs {
			for _, to := range encs {
				spec := testSpec(t, abi, params, ts[s.result], from, to)
				mod, _, err := buildAdapterFor(abi, spec, 0)
				if err != nil {
					t.Fatalf("%v -> %s (%s to %s): %v", s.params, s.result, from, to, err)
				}
				f := filepath.Join(dir, fmt.Sprintf("a%d.wasm", n))
				n++
				if err := os.WriteFile(f, mod, 0o644); err != nil {
					t.Fatal(err)
				}
				if out, err := exec.Command(tool, "validate", "--features", "all", f).CombinedOutput(); err != nil {
					t.Errorf("%v -> %s (%s to %s): %s", s.params, s.result, from, to, out)
				}
			}
		}
	}
	t.Logf("%d adapters validated", n)
}
