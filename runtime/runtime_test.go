package runtime_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/runtime"
)

func newBench(t testing.TB, l *runtime.Linker) (*runtime.Runtime, *runtime.Compiled, *runtime.Instance) {
	t.Helper()
	ctx := context.Background()
	rt, err := runtime.New(ctx, runtime.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close(ctx) })
	c, err := rt.Compile(ctx, benchComponent())
	if err != nil {
		t.Fatal(err)
	}
	inst, err := c.Instantiate(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	return rt, c, inst
}

// incLinker serves the host interface at a newer compatible version, in
// the dynamic form.
func incLinker(t testing.TB, calls *int) *runtime.Linker {
	l := runtime.NewLinker()
	err := l.Func("test:bench/host@1.2.0", "inc", func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
		*calls++
		return []canon.Value{canon.U32(uint32(args[0].Uint()) + 1)}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestCallsAndHostImports(t *testing.T) {
	ctx := context.Background()
	calls := 0
	_, c, inst := newBench(t, incLinker(t, &calls))
	if got := strings.Join(c.Exports(), ","); got != "add,call-host,echo" {
		t.Errorf("exports %s", got)
	}
	res, err := inst.Call(ctx, "add", canon.U32(40), canon.U32(2))
	if err != nil || len(res) != 1 || res[0].Uint() != 42 {
		t.Fatalf("add: %v %v", res, err)
	}
	res, err = inst.Call(ctx, "call-host", canon.U32(5))
	if err != nil || res[0].Uint() != 5 || calls != 5 {
		t.Fatalf("call-host: %v %v (%d calls)", res, err, calls)
	}
	res, err = inst.Call(ctx, "echo", canon.String("héllo, wörld"))
	if err != nil || res[0].String() != "héllo, wörld" {
		t.Fatalf("echo: %v %v", res, err)
	}
	f, err := inst.Func("add")
	if err != nil {
		t.Fatal(err)
	}
	stack := []uint64{7, 8}
	if err := f.CallFlat(ctx, stack); err != nil || stack[0] != 15 {
		t.Fatalf("CallFlat: %v %v", stack, err)
	}
	if _, err := inst.Func("nope"); err == nil {
		t.Error("Func of a missing export succeeded")
	}
}

func TestFlatHostFunc(t *testing.T) {
	ctx := context.Background()
	l := runtime.NewLinker()
	if err := l.FlatFunc(benchHostIface, "inc", func(ctx context.Context, c *runtime.Caller, stack []uint64) error {
		stack[0] = uint64(uint32(stack[0]) + 2)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	_, _, inst := newBench(t, l)
	res, err := inst.Call(ctx, "call-host", canon.U32(3))
	if err != nil || res[0].Uint() != 6 {
		t.Fatalf("call-host: %v %v", res, err)
	}
}

func TestHostErrorTraps(t *testing.T) {
	ctx := context.Background()
	l := runtime.NewLinker()
	boom := errors.New("boom")
	l.Func(benchHostIface, "inc", func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
		return nil, boom
	})
	_, _, inst := newBench(t, l)
	_, err := inst.Call(ctx, "call-host", canon.U32(1))
	if !errors.Is(err, boom) {
		t.Fatalf("error %v does not wrap the host's", err)
	}
	var ce *runtime.CallError
	if !errors.As(err, &ce) || ce.Func != `export "call-host"` {
		t.Fatalf("error %v does not name the export", err)
	}
	// The instance trapped: it refuses further calls.
	if _, err := inst.Call(ctx, "add", canon.U32(1), canon.U32(2)); err == nil || !strings.Contains(err.Error(), "cannot enter") {
		t.Fatalf("call after a trap: %v", err)
	}
}

func TestUnsatisfiedImports(t *testing.T) {
	ctx := context.Background()
	rt, err := runtime.New(ctx, runtime.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	c, err := rt.Compile(ctx, benchComponent())
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []*runtime.Linker{nil, runtime.NewLinker()} {
		_, err = c.Instantiate(ctx, l)
		var le *runtime.LinkError
		if !errors.As(err, &le) || !strings.Contains(err.Error(), `"inc" of "test:bench/host@1.0.0"`) {
			t.Fatalf("error %v does not name the missing import", err)
		}
	}
	// An older minor version does not serve a newer import.
	l := runtime.NewLinker()
	l.Func("test:bench/host@0.9.0", "inc", func(ctx context.Context, args []canon.Value) ([]canon.Value, error) { return nil, nil })
	if _, err := c.Instantiate(ctx, l); err == nil {
		t.Fatal("an incompatible version linked")
	}
}

func TestLimits(t *testing.T) {
	ctx := context.Background()
	rt, err := runtime.New(ctx, runtime.Config{MaxInstances: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	c, err := rt.Compile(ctx, benchComponent())
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	l := incLinker(t, &calls)
	a, err := c.Instantiate(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Instantiate(ctx, l); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Instantiate(ctx, l); err == nil || !strings.Contains(err.Error(), "instance limit") {
		t.Fatalf("third instance: %v", err)
	}
	a.Close(ctx)
	if _, err := c.Instantiate(ctx, l); err != nil {
		t.Fatalf("after a close: %v", err)
	}
	if _, err := rt.Compile(ctx, []byte("\x00asm\x01\x00\x00\x00")); err == nil || !strings.Contains(err.Error(), "core module") {
		t.Fatalf("compiling a core module: %v", err)
	}
}

func TestContextCancelStopsGuest(t *testing.T) {
	rt, err := runtime.New(context.Background(), runtime.Config{CloseOnContextDone: true})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(context.Background())
	c, err := rt.Compile(context.Background(), benchComponent())
	if err != nil {
		t.Fatal(err)
	}
	l := runtime.NewLinker()
	ctx, cancel := context.WithCancel(context.Background())
	l.Func(benchHostIface, "inc", func(_ context.Context, args []canon.Value) ([]canon.Value, error) {
		if args[0].Uint() == 1000 {
			cancel()
		}
		return []canon.Value{canon.U32(uint32(args[0].Uint()) + 1)}, nil
	})
	inst, err := c.Instantiate(context.Background(), l)
	if err != nil {
		t.Fatal(err)
	}
	_, err = inst.Call(ctx, "call-host", canon.U32(1<<31))
	if err == nil {
		t.Fatal("a cancelled call ran to the end")
	}
}
