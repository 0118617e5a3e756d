package runtime_test

import (
	"context"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/internal/wat"
	"github.com/wasmcm/wasmcm/runtime"
)

// trapsWat has a component $A whose functions throw or hit unreachable,
// called (through fused adapters, which catch what unwinds out of $A) by
// an outer component from inside a try_table whose catch_all must never
// see $A's exception.
const trapsWat = `(component
  (component $A
    (core module $m
      (tag $t)
      (func (export "throw") (param i32) (result i32) (throw $t))
      (func (export "unreachable") unreachable))
    (core instance $i (instantiate $m))
    (func (export "throw") (param "x" u32) (result u32) (canon lift (core func $i "throw")))
    (func (export "unreachable") (canon lift (core func $i "unreachable"))))
  (instance $a (instantiate $A))
  (core func $throw (canon lower (func $a "throw")))
  (core func $unreachable (canon lower (func $a "unreachable")))
  (core module $m
    (import "" "throw" (func $throw (param i32) (result i32)))
    (import "" "unreachable" (func $unreachable))
    (func (export "throw") (result i32)
      (block $caught
        (try_table (catch_all $caught)
          (return (call $throw (i32.const 1)))))
      ;; the exception leaked across the component boundary
      (i32.const 99))
    (func (export "unreachable") (call $unreachable)))
  (core instance $i (instantiate $m
    (with "" (instance
      (export "throw" (func $throw))
      (export "unreachable" (func $unreachable))))))
  (func (export "throw") (result u32) (canon lift (core func $i "throw")))
  (func (export "unreachable") (canon lift (core func $i "unreachable"))))`

// enumWat has no exception tags, so its lowering of a lifted function is
// fused into an adapter, whose enum check must trap in the reference's
// words too.
const enumWat = `(component
  (component $C
    (type $e (enum "x" "y"))
    (export $e2 "e" (type $e))
    (core module $m
      (func (export "bad-enum") (result i32) (i32.const 7)))
    (core instance $i (instantiate $m))
    (func (export "bad-enum") (result $e2) (canon lift (core func $i "bad-enum"))))
  (instance $c (instantiate $C))
  (core func $bad-enum (canon lower (func $c "bad-enum")))
  (core module $m
    (import "" "bad-enum" (func $bad-enum (result i32)))
    (func (export "bad-enum") (result i32) (call $bad-enum)))
  (core instance $i (instantiate $m
    (with "" (instance (export "bad-enum" (func $bad-enum))))))
  (func (export "bad-enum") (result u32) (canon lift (core func $i "bad-enum"))))`

// TestTrapMessages checks that traps read as the reference implementation's
// (whose words the spec's tests quote) and that an exception does not cross
// a component boundary.
func TestTrapMessages(t *testing.T) {
	ctx := context.Background()
	rt, err := runtime.New(ctx, runtime.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	for _, tc := range []struct{ src, export, want string }{
		{trapsWat, "throw", "wasm trap: uncaught exception propagated out of component"},
		{trapsWat, "unreachable", "wasm trap: wasm `unreachable` instruction executed"},
		{enumWat, "bad-enum", "wasm trap: invalid variant discriminant"},
	} {
		bin, err := wat.Parse(tc.export+".wat", []byte(tc.src))
		if err != nil {
			t.Fatal(err)
		}
		c, err := rt.Compile(ctx, bin)
		if err != nil {
			t.Fatal(err)
		}
		inst, err := c.Instantiate(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := inst.Call(ctx, tc.export)
		if err == nil {
			t.Errorf("%s: returned %v, want a trap", tc.export, res)
			continue
		}
		if !runtime.IsTrap(err) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want a trap saying %q", tc.export, err, tc.want)
		}
		// The call was fused: the adapter, not Go, turned the callee's
		// exception into a trap.
		if n := inst.GoCalls(); n != 0 {
			t.Errorf("%s: %d calls went through Go, want 0", tc.export, n)
		}
	}
}
