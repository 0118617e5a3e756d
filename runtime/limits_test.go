package runtime_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wasmcm/wasmcm/internal/wat"
	"github.com/wasmcm/wasmcm/runtime"
)

// limitsWat: spin loops forever; grow grows memory 16 pages at a time
// until memory.grow fails and returns the pages reached; hog does the same
// and then traps, as a guest out of memory would; add is there to show the
// instance (or another) still works.
const limitsWat = `(component
  (core module $M
    (memory 1)
    (func (export "spin") (loop $l (br $l)))
    (func $grow (export "grow") (result i32)
      (block $full
        (loop $l
          (br_if $full (i32.eq (memory.grow (i32.const 16)) (i32.const -1)))
          (br $l)))
      (memory.size))
    (func (export "hog") (drop (call $grow)) unreachable)
    (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
  (core instance $m (instantiate $M))
  (func (export "spin") (canon lift (core func $m "spin")))
  (func (export "grow") (result u32) (canon lift (core func $m "grow")))
  (func (export "hog") (canon lift (core func $m "hog")))
  (func (export "add") (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $m "add"))))`

// bigWat declares a memory of 100 pages at least.
const bigWat = `(component
  (core module $M (memory 100))
  (core instance $m (instantiate $M)))`

func TestGuestLimits(t *testing.T) {
	ctx := context.Background()
	rt, err := runtime.New(ctx, runtime.Config{CloseOnContextDone: true, MemoryLimitPages: 64})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	bin, err := wat.Parse("limits.wat", []byte(limitsWat))
	if err != nil {
		t.Fatal(err)
	}
	c, err := rt.Compile(ctx, bin)
	if err != nil {
		t.Fatal(err)
	}
	inst := func() *runtime.Instance {
		t.Helper()
		i, err := c.Instantiate(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		return i
	}
	add := func(i *runtime.Instance) error {
		f, err := i.Func("add")
		if err != nil {
			return err
		}
		stack := []uint64{2, 3}
		if err := f.CallFlat(ctx, stack); err != nil {
			return err
		}
		if stack[0] != 5 {
			return errors.New("2+3 is not 5")
		}
		return nil
	}

	// An endless loop is stopped by the deadline of its call; the other
	// instance and the runtime keep working.
	spinner, other := inst(), inst()
	dctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	start := time.Now()
	_, err = spinner.Call(dctx, "spin")
	cancel()
	if err == nil || !strings.Contains(err.Error(), "deadline exceeded") {
		t.Fatalf("spin: %v, want the deadline's error", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("spin was stopped after %v", d)
	}
	if err := add(other); err != nil {
		t.Fatalf("another instance after the spin: %v", err)
	}
	if err := add(inst()); err != nil {
		t.Fatalf("a new instance after the spin: %v", err)
	}

	// Memory grows up to the cap and no further: memory.grow fails in the
	// guest, which sees it (grow) or traps (hog); the others keep working.
	g := inst()
	res, err := g.Call(ctx, "grow")
	if err != nil || res[0].Uint() != 49 {
		t.Fatalf("grow: %v %v, want 49 pages (1 + 3×16, the next 16 would pass the cap of 64)", res, err)
	}
	_, err = inst().Call(ctx, "hog")
	if err == nil || !runtime.IsTrap(err) || !strings.Contains(err.Error(), "unreachable") {
		t.Fatalf("hog: %v, want its trap", err)
	}
	if err := add(other); err != nil {
		t.Fatalf("another instance after the hog: %v", err)
	}

	// A component whose memory starts above the cap does not instantiate,
	// and says why.
	bin, err = wat.Parse("big.wat", []byte(bigWat))
	if err != nil {
		t.Fatal(err)
	}
	cb, err := rt.Compile(ctx, bin)
	if err == nil {
		_, err = cb.Instantiate(ctx, nil)
	}
	if err == nil || !strings.Contains(err.Error(), "memory") {
		t.Fatalf("a memory of 100 pages under a cap of 64: %v", err)
	}
	t.Logf("memory above the cap: %v", err)
	if err := add(other); err != nil {
		t.Fatalf("another instance at the end: %v", err)
	}
}
