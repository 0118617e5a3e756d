package component

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/internal/wasm"
)

// TestModuleSubManyImports checks module subtyping past the scan (through
// the map of the expected imports): a module with more imports than the
// type expects is a subtype; one missing an import or importing it with
// another type is not.
func TestModuleSubManyImports(t *testing.T) {
	v := &validator{}
	i32 := &wasm.FuncType{Params: []wasm.ValType{wasm.ValI32}}
	i64 := &wasm.FuncType{Params: []wasm.ValType{wasm.ValI64}}
	mod := func(n int, fn func(i int) *wasm.FuncType) *moduleType {
		mt := &moduleType{exports: v.newCoreExports(0)}
		for i := range n {
			mt.imports = append(mt.imports, wasm.Import{Module: fmt.Sprintf("m%d", i%3), Name: fmt.Sprintf("f%d", i)})
			mt.itypes = append(mt.itypes, coreExtern{kind: wasm.ExternFunc, fn: fn(i)})
		}
		return mt
	}
	same := func(int) *wasm.FuncType { return i32 }
	want := mod(200, same)
	if err := v.moduleSub(mod(200, same), want); err != nil {
		t.Fatalf("equal module types: %v", err)
	}
	if err := v.moduleSub(mod(150, same), want); err != nil {
		t.Fatalf("a module importing less: %v", err)
	}
	if err := v.moduleSub(mod(200, same), mod(150, same)); err == nil || !strings.Contains(err.Error(), "missing expected import `m0::f150`") {
		t.Fatalf("a module importing more: got %v", err)
	}
	other := func(i int) *wasm.FuncType {
		if i == 77 {
			return i64
		}
		return i32
	}
	if err := v.moduleSub(mod(200, other), want); err == nil || !strings.Contains(err.Error(), "type mismatch in import `m2::f77`") {
		t.Fatalf("an import of another type: got %v", err)
	}
}
