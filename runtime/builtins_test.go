package runtime_test

import (
	"context"
	"testing"

	"github.com/wasmcm/wasmcm/runtime"
)

// builtinsWat uses the built-ins a synchronous task may call: context
// slots (a fresh task starts at zero, a callee's task does not see or
// change its caller's), error contexts (a message kept and read back, the
// handle dropped) and an async-only built-in (a clear trap).
const builtinsWat = `(component
  (component $Inner
    (canon context.get i32 0 (core func $get))
    (canon context.set i32 0 (core func $set))
    (core module $M
      (import "" "get" (func $get (result i32)))
      (import "" "set" (func $set (param i32)))
      ;; peek: the slot as the task finds it, then set to 5
      (func (export "peek") (result i32)
        (call $get)
        (call $set (i32.const 5))))
    (core instance $m (instantiate $M (with "" (instance (export "get" (func $get)) (export "set" (func $set))))))
    (func (export "peek") (result u32) (canon lift (core func $m "peek"))))
  (instance $inner (instantiate $Inner))
  (core func $peek (canon lower (func $inner "peek")))

  (core module $Mem
    (memory (export "mem") 1)
    (data (i32.const 100) "disk full")
    (global $heap (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (global.get $heap))
      (global.set $heap (i32.add (global.get $heap) (local.get 3)))
      (local.get $p)))
  (core instance $mem (instantiate $Mem))
  (canon context.get i32 0 (core func $get))
  (canon context.set i32 0 (core func $set))
  (canon error-context.new (memory $mem "mem") (core func $ec.new))
  (canon error-context.debug-message (memory $mem "mem") (realloc (func $mem "realloc")) (core func $ec.debug))
  (canon error-context.drop (core func $ec.drop))
  (canon waitable-set.new (core func $ws.new))
  (core module $M
    (import "mem" "mem" (memory 1))
    (import "" "peek" (func $peek (result i32)))
    (import "" "get" (func $get (result i32)))
    (import "" "set" (func $set (param i32)))
    (import "" "ec.new" (func $ec.new (param i32 i32) (result i32)))
    (import "" "ec.debug" (func $ec.debug (param i32 i32)))
    (import "" "ec.drop" (func $ec.drop (param i32)))
    (import "" "ws.new" (func $ws.new (result i32)))
    ;; slots: the caller's slot before (0), the callee's first sight of
    ;; its own (0), the caller's after the call (still 7): 0 + 0*10 + 7*100.
    (func (export "slots") (result i32)
      (local $before i32) (local $callee i32)
      (local.set $before (call $get))
      (call $set (i32.const 7))
      (local.set $callee (call $peek))
      (if (i32.ne (call $peek) (i32.const 0)) (then unreachable))
      (i32.add (local.get $before)
        (i32.add (i32.mul (local.get $callee) (i32.const 10))
          (i32.mul (call $get) (i32.const 100)))))
    ;; errmsg: an error context made of "disk full", its message read back
    ;; into 16..24, dropped; a second drop traps.
    (func (export "errmsg") (result i32)
      (local $e i32)
      (local.set $e (call $ec.new (i32.const 100) (i32.const 9)))
      (call $ec.debug (local.get $e) (i32.const 16))
      (call $ec.drop (local.get $e))
      (i32.const 16))
    (func (export "double-drop")
      (local $e i32)
      (local.set $e (call $ec.new (i32.const 100) (i32.const 9)))
      (call $ec.drop (local.get $e))
      (call $ec.drop (local.get $e)))
    (func (export "waitable") (result i32) (call $ws.new)))
  (core instance $m (instantiate $M
    (with "mem" (instance $mem))
    (with "" (instance
      (export "peek" (func $peek))
      (export "get" (func $get))
      (export "set" (func $set))
      (export "ec.new" (func $ec.new))
      (export "ec.debug" (func $ec.debug))
      (export "ec.drop" (func $ec.drop))
      (export "ws.new" (func $ws.new))))))
  (func (export "slots") (result u32) (canon lift (core func $m "slots")))
  (func (export "errmsg") (result string) (canon lift (core func $m "errmsg") (memory $mem "mem")))
  (func (export "double-drop") (canon lift (core func $m "double-drop")))
  (func (export "waitable") (result u32) (canon lift (core func $m "waitable"))))`

func TestSyncBuiltins(t *testing.T) {
	ctx := context.Background()
	c := compileWAT(t, ctx, "builtins.wat", builtinsWat)
	inst := func() *runtime.Instance {
		i, err := c.Instantiate(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		return i
	}
	in := inst()
	for i := 0; i < 2; i++ {
		// The second call is a new task: its slot starts at zero again.
		res, err := in.Call(ctx, "slots")
		if err != nil || res[0].Uint() != 700 {
			t.Fatalf("slots (call %d): %v %v, want 700", i, res, err)
		}
	}
	// The calls into $Inner, which uses context slots, went through a
	// fused adapter (its task libcall keeps the slots).
	if n := in.GoCalls(); n != 0 {
		t.Errorf("%d calls into the inner component went through Go, want 0", n)
	}
	for i := 0; i < 3; i++ {
		res, err := in.Call(ctx, "errmsg")
		if err != nil || res[0].String() != "disk full" {
			t.Fatalf("errmsg: %v %v", res, err)
		}
	}
	if _, err := inst().Call(ctx, "double-drop"); err == nil || !runtime.IsTrap(err) {
		t.Fatalf("double-drop: %v, want a trap", err)
	}
	// A synchronous task may make a waitable set (it may not wait on it):
	// the first handle of a fresh table is 1.
	res, err := inst().Call(ctx, "waitable")
	if err != nil || res[0].Uint() != 1 {
		t.Fatalf("waitable-set.new: %v %v, want handle 1", res, err)
	}
}
