package wat

import (
	"bytes"
	"os"
	"testing"
)

// FuzzParseWAT: any text either fails with a located error or assembles;
// what assembles and prints must parse back to the same bytes.
func FuzzParseWAT(f *testing.F) {
	for _, s := range []string{
		`(component)`,
		`(module (func (export "f") (param i32) (result i32) local.get 0 i32.const 1 i32.add))`,
		`(component (core module $m (memory (export "m") 1) (data (i32.const 0) "hi")) (core instance $i (instantiate $m)) (alias core export $i "m" (core memory $mem)))`,
		`(component (type $r (record (field "a" u32) (field "b" (list string)))) (import "f" (func (param "x" $r) (result (option u8)))))`,
		`(component (import "i" (instance $i (export "f" (func)))) (func (export "g") (alias export $i "f")))`,
		`(module (type (func)) (table 1 funcref) (elem (i32.const 0) func 0) (func (type 0) (block $l (br $l))) (global (mut i64) (i64.const -1)))`,
		`(component (core module $m (func (export "f") (result i32) (if (result i32) (i32.const 1) (then (i32.const 2)) (else (i32.const 3))))) (core instance $i (instantiate $m)) (func (export "f") (result u32) (canon lift (core func $i "f"))))`,
	} {
		f.Add([]byte(s))
	}
	for _, p := range []string{
		"../../../shared/conformance/wast-bin/component-model-test/values/concat/000-component.wat",
		"../../../shared/conformance/wast-bin/component-model-test/resources/simple/000-component.wat",
	} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		b, err := Parse("fuzz.wat", src)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		text, err := Print(b)
		if err != nil {
			return
		}
		again, err := Parse("printed.wat", []byte(text))
		if err != nil {
			t.Fatalf("printed text does not parse: %v\n%s", err, text)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("print/parse changed the bytes\n%s", text)
		}
	})
}
