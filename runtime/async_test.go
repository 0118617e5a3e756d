package runtime_test

import (
	"context"
	goruntime "runtime"
	"strings"
	"testing"
	"time"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/runtime"
)

// asyncWat composes two components through the async ABI: $B's run is
// lifted async with a callback and calls $A's compute through an async
// lower. compute yields before it returns, so run gets a STARTED subtask,
// waits for it in a waitable set, and returns what compute delivered into
// its memory. hang waits on an empty set (a deadlock); copy moves bytes
// through a stream inside one component.
const asyncWat = `(component
  (component $A
    (core module $m
      (import "" "task.return" (func $ret (param i32)))
      (global $x (mut i32) (i32.const 0))
      (func (export "compute") (param i32) (result i32)
        (global.set $x (local.get 0))
        (i32.const 1))
      (func (export "cb") (param i32 i32 i32) (result i32)
        (if (i32.ne (local.get 0) (i32.const 0)) (then unreachable))
        (call $ret (i32.mul (global.get $x) (i32.const 2)))
        (i32.const 0)))
    (core func $ret (canon task.return (result u32)))
    (core instance $i (instantiate $m (with "" (instance (export "task.return" (func $ret))))))
    (func (export "compute") async (param "x" u32) (result u32)
      (canon lift (core func $i "compute") async (callback (core func $i "cb"))))
    ;; block is of async type, lifted without the async option: it waits
    ;; on an empty set, on a goroutine of its own, until it is aborted.
    (core module $libc (memory (export "mem") 1))
    (core instance $libc (instantiate $libc))
    (core func $wsnew (canon waitable-set.new))
    (core func $wait (canon waitable-set.wait (memory $libc "mem")))
    (core module $n
      (import "" "wsnew" (func $wsnew (result i32)))
      (import "" "wait" (func $wait (param i32 i32) (result i32)))
      (func (export "block") (drop (call $wait (call $wsnew) (i32.const 0)))))
    (core instance $n (instantiate $n (with "" (instance
      (export "wsnew" (func $wsnew)) (export "wait" (func $wait))))))
    (func (export "block") async (canon lift (core func $n "block"))))
  (component $B
    (import "compute" (func $compute async (param "x" u32) (result u32)))
    (import "block" (func $block async))
    (core func $block (canon lower (func $block) async))
    (core module $libc (memory (export "mem") 1))
    (core instance $libc (instantiate $libc))
    (core func $compute (canon lower (func $compute) async (memory $libc "mem")))
    (core func $ret (canon task.return (result u32)))
    (core func $wsnew (canon waitable-set.new))
    (core func $join (canon waitable.join))
    (core func $drop (canon subtask.drop))
    (type $s (stream u8))
    (core func $snew (canon stream.new $s))
    (core func $sread (canon stream.read $s async (memory $libc "mem")))
    (core func $swrite (canon stream.write $s async (memory $libc "mem")))
    (core func $scancelw (canon stream.cancel-write $s async))
    (core func $sdr (canon stream.drop-readable $s))
    (core func $sdw (canon stream.drop-writable $s))
    (core module $m
      (import "" "compute" (func $compute (param i32 i32) (result i32)))
      (import "" "ret" (func $ret (param i32)))
      (import "" "wsnew" (func $wsnew (result i32)))
      (import "" "join" (func $join (param i32 i32)))
      (import "" "drop" (func $drop (param i32)))
      (import "" "snew" (func $snew (result i64)))
      (import "" "sread" (func $sread (param i32 i32 i32) (result i32)))
      (import "" "swrite" (func $swrite (param i32 i32 i32) (result i32)))
      (import "" "scancelw" (func $scancelw (param i32) (result i32)))
      (import "" "sdr" (func $sdr (param i32)))
      (import "" "sdw" (func $sdw (param i32)))
      (import "" "block" (func $block (result i32)))
      (import "libc" "mem" (memory 1))
      (data (i32.const 0) "hello")
      (func (export "run") (param i32) (result i32)
        (local $st i32) (local $ws i32)
        (local.set $st (call $compute (local.get 0) (i32.const 100)))
        (if (i32.ne (i32.and (local.get $st) (i32.const 0xf)) (i32.const 1)) (then unreachable))
        (local.set $ws (call $wsnew))
        (call $join (i32.shr_u (local.get $st) (i32.const 4)) (local.get $ws))
        (i32.or (i32.const 2) (i32.shl (local.get $ws) (i32.const 4))))
      (func (export "cb") (param $ev i32) (param $h i32) (param $state i32) (result i32)
        (if (i32.ne (local.get $ev) (i32.const 1)) (then unreachable))
        (if (i32.ne (local.get $state) (i32.const 2)) (then unreachable))
        (call $drop (local.get $h))
        (call $ret (i32.load (i32.const 100)))
        (i32.const 0))
      (func (export "hang") (result i32)
        (i32.or (i32.const 2) (i32.shl (call $wsnew) (i32.const 4))))
      ;; leave starts block, which stays blocked, and returns 7.
      (func (export "leave") (result i32)
        (if (i32.ne (i32.and (call $block) (i32.const 0xf)) (i32.const 1)) (then unreachable))
        (call $ret (i32.const 7))
        (i32.const 0))
      (func (export "copy") (result i32)
        (local $s i64) (local $r i32) (local $w i32)
        (local.set $s (call $snew))
        (local.set $r (i32.wrap_i64 (local.get $s)))
        (local.set $w (i32.wrap_i64 (i64.shr_u (local.get $s) (i64.const 32))))
        ;; Nobody reads yet: the write blocks.
        (if (i32.ne (call $swrite (local.get $w) (i32.const 0) (i32.const 5)) (i32.const -1)) (then unreachable))
        ;; The read takes 3 of the 5 bytes: COMPLETED, progress 3.
        (if (i32.ne (call $sread (local.get $r) (i32.const 16) (i32.const 3)) (i32.const 0x30)) (then unreachable))
        ;; The write's event is pending: cancelling returns it.
        (if (i32.ne (call $scancelw (local.get $w)) (i32.const 0x30)) (then unreachable))
        (call $sdr (local.get $r))
        (call $sdw (local.get $w))
        (i32.load (i32.const 16))))
    (core instance $i (instantiate $m
      (with "libc" (instance $libc))
      (with "" (instance
        (export "compute" (func $compute)) (export "ret" (func $ret))
        (export "wsnew" (func $wsnew)) (export "join" (func $join)) (export "drop" (func $drop))
        (export "snew" (func $snew)) (export "sread" (func $sread)) (export "swrite" (func $swrite))
        (export "scancelw" (func $scancelw)) (export "sdr" (func $sdr)) (export "sdw" (func $sdw))
        (export "block" (func $block))))))
    (func (export "leave") async (result u32)
      (canon lift (core func $i "leave") async (callback (core func $i "cb"))))
    (func (export "run") async (param "x" u32) (result u32)
      (canon lift (core func $i "run") async (callback (core func $i "cb"))))
    (func (export "hang") async (result u32)
      (canon lift (core func $i "hang") async (callback (core func $i "cb"))))
    (func (export "copy") (result u32) (canon lift (core func $i "copy"))))
  (instance $a (instantiate $A))
  (instance $b (instantiate $B (with "compute" (func $a "compute")) (with "block" (func $a "block"))))
  (export "leave" (func $b "leave"))
  (export "run" (func $b "run"))
  (export "hang" (func $b "hang"))
  (export "copy" (func $b "copy")))`

func TestAsyncTasks(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	before := goruntime.NumGoroutine()
	c := compileWAT(t, ctx, "async.wat", asyncWat)
	inst, err := c.Instantiate(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []uint32{21, 1000} {
		res, err := inst.Call(ctx, "run", canon.U32(x))
		if err != nil || len(res) != 1 || res[0].Uint() != uint64(2*x) {
			t.Fatalf("run(%d): %v %v, want %d", x, res, err, 2*x)
		}
	}
	if n := inst.GoCalls(); n != 2 {
		t.Errorf("%d async calls went through Go, want 2 (async calls are never fused)", n)
	}
	res, err := inst.Call(ctx, "copy")
	if err != nil || res[0].Uint() != 0x006c6568 { // "hel\0"
		t.Fatalf("copy: %v %v, want the stream's first 3 bytes", res, err)
	}
	_, err = inst.Call(ctx, "hang")
	if err == nil || !runtime.IsTrap(err) || !strings.Contains(err.Error(), "deadlock detected") {
		t.Fatalf("hang: %v, want a deadlock trap", err)
	}
	// block runs on a goroutine of its own and is still blocked when
	// leave returns: the call's end aborts it.
	for i := 0; i < 3; i++ {
		res, err := inst.Call(ctx, "leave")
		if err != nil || res[0].Uint() != 7 {
			t.Fatalf("leave: %v %v, want 7", res, err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for goruntime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if after := goruntime.NumGoroutine(); after > before {
		t.Errorf("%d goroutines after the calls, %d before: a stackful task leaked", after, before)
	}
}
