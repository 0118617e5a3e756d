package component_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/wat"
)

// liftCase is a component lifting a core function whose parameters are
// core, with one parameter of the component type def: it is valid exactly
// when core is def's flattening (CanonicalABI.md, flatten_type).
func liftCase(t *testing.T, def, core string) []byte {
	t.Helper()
	src := fmt.Sprintf(`(component
  (type $t %s)
  (core module $m (func (export "f") (param %s)))
  (core instance $i (instantiate $m))
  (func (param "x" $t) (canon lift (core func $i "f")))
)`, def, core)
	b, err := wat.Parse("lift.wat", []byte(src))
	if err != nil {
		t.Fatalf("%s: %v", def, err)
	}
	return b
}

// TestFlattenVariants checks the flattening of variants (their cases
// joined position by position, nested cases included) through the core
// signatures canon lift accepts: the expected one and its neighbours.
func TestFlattenVariants(t *testing.T) {
	for _, tc := range []struct{ def, want string }{
		{`(variant (case "a" u32) (case "b" f32))`, "i32 i32"},
		{`(variant (case "a" u64) (case "b" f32))`, "i32 i64"},
		{`(variant (case "a" f32) (case "b" f32))`, "i32 f32"},
		{`(variant (case "a") (case "b"))`, "i32"},
		{`(result u32 (error f64))`, "i32 i64"},
		{`(option (variant (case "a" f64) (case "b" (tuple f32 f32))))`, "i32 i32 i64 f32"},
		{`(variant (case "a" (variant (case "x" f32) (case "y"))) (case "b" u64))`, "i32 i64 f32"},
		{`(variant (case "a" (tuple u8 f32)) (case "b" (variant (case "x" f64) (case "y" u32))) (case "c"))`, "i32 i32 i64"},
		{`(variant (case "a" (tuple f32 f32 f32)) (case "b" (result (tuple f32 u64) (error f32))))`, "i32 i32 f32 i64"},
	} {
		if err := validate(liftCase(t, tc.def, tc.want)); err != nil {
			t.Errorf("%s as (param %s): %v", tc.def, tc.want, err)
		}
		for _, wrong := range []string{tc.want + " i32", strings.TrimSuffix(tc.want, strings.Fields(tc.want)[len(strings.Fields(tc.want))-1]) + "f64"} {
			if strings.TrimSpace(wrong) == tc.want {
				continue
			}
			if err := validate(liftCase(t, tc.def, wrong)); err == nil {
				t.Errorf("%s as (param %s): accepted", tc.def, wrong)
			}
		}
	}
	// Seventeen flat values do not fit in parameters: the lift then takes
	// one pointer, which needs a memory and realloc; without them it is
	// rejected, whatever the case tails held.
	big := `(variant (case "a" (tuple u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32)) (case "b" f32))`
	if err := validate(liftCase(t, big, "i32")); err == nil || !strings.Contains(err.Error(), "memory") {
		t.Errorf("17 flat values without memory: %v", err)
	}
}

func validate(b []byte) error {
	c, err := component.Decode(b)
	if err != nil {
		return err
	}
	return component.Validate(c, component.AllFeatures)
}

// TestValidateReuse validates valid and invalid components in turn from
// several goroutines: Validate reuses earlier calls' memory, which must
// carry nothing from one call to the next.
func TestValidateReuse(t *testing.T) {
	good := liftCase(t, `(variant (case "a" u64) (case "b" f32))`, "i32 i64")
	bad := liftCase(t, `(variant (case "a" u64) (case "b" f32))`, "i32 i32")
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				if (i+g)%2 == 0 {
					if err := validate(good); err != nil {
						t.Errorf("valid rejected on call %d: %v", i, err)
						return
					}
				} else if err := validate(bad); err == nil {
					t.Errorf("invalid accepted on call %d", i)
					return
				}
			}
		}()
	}
	wg.Wait()
}
