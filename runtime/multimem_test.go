package runtime_test

import (
	"context"
	"testing"
)

// multimemWat has a core module with two memories ($M) whose second memory
// is exported, read by the canonical ABI (a lift's memory option), imported
// by another module straight from $M's instance ($R) and through a bundle
// ($B), and a second instance of $M that must get memories of its own; a
// two-memory module with an import ($N) instantiated unwired, then wired to
// a real instance and to a bundle, each instantiation its own copy.
const multimemWat = `(component
  (core module $M
    (memory $a 1)
    (memory $b (export "mem") 1)
    (data (memory $b) (i32.const 16) "second")
    (data (memory $a) (i32.const 16) "first!")
    (func (export "get") (result i32)
      (i32.store $b (i32.const 0) (i32.const 16))
      (i32.store $b (i32.const 4) (i32.const 6))
      (i32.const 0))
    (func (export "bump") (result i32)
      (i32.store8 $b (i32.const 16) (i32.add (i32.load8_u $b (i32.const 16)) (i32.const 1)))
      (memory.copy $a $b (i32.const 100) (i32.const 16) (i32.const 6))
      (i32.load8_u $a (i32.const 100))))
  (core instance $m (instantiate $M))
  (core instance $m2 (instantiate $M))
  (core module $R
    (import "m" "mem" (memory 1))
    (func (export "peek") (result i32) (i32.load8_u (i32.const 16))))
  (core instance $r (instantiate $R (with "m" (instance $m))))
  (core instance $r2 (instantiate $R (with "m" (instance (export "mem" (memory $m2 "mem"))))))
  (core module $F (func (export "bump") (result i32) (i32.const 70)))
  (core instance $f (instantiate $F))
  (core module $N
    (import "x" "bump" (func $f (result i32)))
    (memory $a 1)
    (memory $b 1)
    (func (export "run") (result i32)
      (i32.store8 $b (i32.const 9) (call $f))
      (memory.copy $a $b (i32.const 0) (i32.const 9) (i32.const 1))
      (i32.load8_u $a (i32.const 0))))
  (core instance $n0 (instantiate $N (with "x" (instance $f))))
  (core instance $n1 (instantiate $N (with "x" (instance $m))))
  (core instance $n2 (instantiate $N (with "x" (instance (export "bump" (func $m2 "bump"))))))
  (func (export "n0") (result u32) (canon lift (core func $n0 "run")))
  (func (export "n1") (result u32) (canon lift (core func $n1 "run")))
  (func (export "n2") (result u32) (canon lift (core func $n2 "run")))
  (func (export "get") (result string) (canon lift (core func $m "get") (memory $m "mem")))
  (func (export "bump") (result u32) (canon lift (core func $m "bump")))
  (func (export "bump2") (result u32) (canon lift (core func $m2 "bump")))
  (func (export "peek") (result u32) (canon lift (core func $r "peek")))
  (func (export "peek2") (result u32) (canon lift (core func $r2 "peek"))))`

func TestMultiMemoryModule(t *testing.T) {
	ctx := context.Background()
	c := compileWAT(t, ctx, "multimem.wat", multimemWat)
	for round := 0; round < 2; round++ {
		inst, err := c.Instantiate(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := inst.Call(ctx, "get")
		if err != nil || res[0].String() != "second" {
			t.Fatalf("get = %v, %v", res, err)
		}
		for _, tc := range []struct {
			name string
			want uint64
		}{{"peek", 's'}, {"bump", 't'}, {"peek", 't'}, {"bump", 'u'}, {"peek2", 's'}, {"bump2", 't'}, {"peek2", 't'}, {"peek", 'u'},
			{"n0", 70}, {"n1", 'v'}, {"n2", 'u'}, {"n1", 'w'}, {"n0", 70}} {
			res, err := inst.Call(ctx, tc.name)
			if err != nil || res[0].Uint() != tc.want {
				t.Fatalf("round %d: %s = %v %v, want %c", round, tc.name, res, err, rune(tc.want))
			}
		}
		res, err = inst.Call(ctx, "get")
		if err != nil || res[0].String() != "wecond" {
			t.Fatalf("get after bumps = %v, %v", res, err)
		}
		inst.Close(ctx)
	}
}
