package runtime_test

import (
	"context"
	"testing"
)

// wiringWat instantiates one module three times: from a real instance,
// then from two bundles mixing another instance's exports, a trampoline
// and a memory. Each instantiation must see its own arguments, though the
// runtime rewrites the module's imports to name where each item lives.
const wiringWat = `(component
  (core module $A
    (memory (export "mem") 1)
    (func (export "one") (result i32) i32.const 1)
    (func (export "two") (result i32) i32.const 2)
    (func (export "f") (result i32) i32.const 3))
  (core instance $a (instantiate $A))
  (type $r (resource (rep i32)))
  (core func $new (canon resource.new $r))
  (core module $U
    (import "x" "f" (func $f (result i32)))
    (import "x" "new" (func $new (param i32) (result i32)))
    (import "x" "mem" (memory 1))
    (func (export "g") (result i32)
      (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))
      (i32.add (i32.mul (call $f) (i32.const 100)) (i32.load (i32.const 0)))))
  (core instance $ok (instantiate $A))
  (core module $W
    (import "x" "f" (func $f (result i32)))
    (func (export "g") (result i32) call $f))
  (core instance $w0 (instantiate $W (with "x" (instance $a))))
  (core instance $w1 (instantiate $W (with "x" (instance (export "f" (func $a "one"))))))
  (core instance $w2 (instantiate $W (with "x" (instance (export "f" (func $a "two"))))))
  (core instance $u1 (instantiate $U (with "x" (instance
    (export "f" (func $a "one")) (export "new" (func $new)) (export "mem" (memory $a "mem"))))))
  (core instance $u2 (instantiate $U (with "x" (instance
    (export "f" (func $a "two")) (export "new" (func $new)) (export "mem" (memory $ok "mem"))))))
  (func (export "w0") (result u32) (canon lift (core func $w0 "g")))
  (func (export "w1") (result u32) (canon lift (core func $w1 "g")))
  (func (export "w2") (result u32) (canon lift (core func $w2 "g")))
  (func (export "u1") (result u32) (canon lift (core func $u1 "g")))
  (func (export "u2") (result u32) (canon lift (core func $u2 "g"))))`

func TestBundleWiring(t *testing.T) {
	ctx := context.Background()
	c := compileWAT(t, ctx, "wiring.wat", wiringWat)
	for round := 0; round < 2; round++ {
		inst, err := c.Instantiate(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		// u1 and u2 count in different memories: 1, 2 in $a's, 1 in $ok's.
		for _, tc := range []struct {
			name string
			want uint64
		}{{"w0", 3}, {"w1", 1}, {"w2", 2}, {"u1", 101}, {"u1", 102}, {"u2", 201}, {"u1", 103}} {
			res, err := inst.Call(ctx, tc.name)
			if err != nil || res[0].Uint() != tc.want {
				t.Fatalf("round %d: %s = %v %v, want %d", round, tc.name, res, err, tc.want)
			}
		}
		inst.Close(ctx)
	}
}
