package component_test

import (
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/wat"
)

// TestNamedThroughAnonymous checks the rule that an import or export may
// mention records, variants, enums, flags and handles only by a name,
// where they hide inside lists, options, results and tuples (vdef.walk
// lets the check skip types with nothing to name, and must not skip
// these). Expected results are wasm-tools'.
func TestNamedThroughAnonymous(t *testing.T) {
	for _, c := range []struct{ name, src, err string }{
		{"record in tuple of option of result", `(component
			(type $r (record (field "a" u32)))
			(type $o (option (result (list $r))))
			(type $t (tuple u8 $o))
			(import "f" (func (param "x" $t))))`, "func not valid to be used as import"},
		{"nothing to name", `(component
			(type $l (list (tuple u8 (option string))))
			(import "f" (func (param "x" $l) (result (list u8)))))`, ""},
		{"instance names its record", `(component
			(type $i (instance
				(type $r0 (record (field "a" u32)))
				(export "r" (type $r (eq $r0)))
				(type $l (list (option $r)))
				(export "f" (func (param "x" $l)))))
			(import "i" (instance (type $i))))`, ""},
		{"instance mentions its unexported record", `(component
			(type $i (instance
				(type $r0 (record (field "a" u32)))
				(export "r" (type $r (eq $r0)))
				(type $l (list (option $r0)))
				(export "f" (func (param "x" $l)))))
			(import "i" (instance (type $i))))`, "instance not valid to be used as import"},
		{"handle in list of tuple", `(component
			(type $res (resource (rep i32)))
			(type $t (list (tuple u32 (own $res))))
			(import "f" (func (param "x" $t))))`, "func not valid to be used as import"},
	} {
		b, err := wat.Parse(c.name, []byte(c.src))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		comp, err := component.Decode(b)
		if err == nil {
			err = component.Validate(comp, component.AllFeatures)
		}
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: got %v, want %q", c.name, err, c.err)
		}
	}
}
