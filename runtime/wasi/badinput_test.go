package wasi

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/runtime"
	"github.com/wasmcm/wasmcm/runtime/wasi/internal/host"
)

// newTestHost makes a Host whose dynamic host functions the test calls
// directly, as the runtime would after lifting a guest's arguments.
func newTestHost(t *testing.T, cfg Config) (*Host, func(iface, name string, args ...canon.Value) ([]canon.Value, error)) {
	t.Helper()
	h2, err := addRecording(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h2.Close() })
	call := func(iface, name string, args ...canon.Value) ([]canon.Value, error) {
		f, ok := h2.defs[iface+"#"+name].(runtime.HostFunc)
		if !ok {
			t.Fatalf("%s#%s is not a dynamic host function", iface, name)
		}
		return f(context.Background(), args)
	}
	return h2, call
}

func addRecording(cfg Config) (*Host, error) {
	h, err := newHost(cfg)
	if err != nil {
		return nil, err
	}
	h.defs = map[string]any{}
	if err := h.define(runtime.NewLinker()); err != nil {
		h.Close()
		return nil, err
	}
	return h, nil
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "f"), []byte("data"), 0o644)
	h, call := newTestHost(t, Config{Dirs: []Dir{{Host: dir, Guest: "/"}}})

	// A handle rep that holds nothing, or holds another kind of object, is a
	// trap with a message, never a panic.
	for _, c := range []struct{ iface, name string }{
		{ifTypes, "[method]descriptor.stat"},
		{ifTypes, "[method]descriptor.read-directory"},
		{ifPoll, "[method]pollable.ready"},
		{ifError, "[method]error.to-debug-string"},
	} {
		if _, err := call(c.iface, c.name, canon.Borrow(12345)); err == nil {
			t.Errorf("%s with a dead handle: no error", c.name)
		}
	}
	res, err := call(ifPreopens, "get-directories")
	if err != nil {
		t.Fatal(err)
	}
	pre := res[0].Index(0).Index(0)
	if _, err := call(ifPoll, "[method]pollable.ready", pre); err == nil {
		t.Error("a descriptor passed as a pollable: no error")
	}

	// Reads past the end and huge lengths are bounded.
	res, err = call(ifTypes, "[method]descriptor.open-at", pre, canon.Flags(0), canon.String("f"), canon.Flags(0), canon.Flags(uint32(host.FlagRead)))
	if err != nil || res[0].Case() != 0 {
		t.Fatalf("open-at: %v %v", res, err)
	}
	f, _ := res[0].Payload()
	res, err = call(ifTypes, "[method]descriptor.read", f, canon.U64(math.MaxUint64), canon.U64(0))
	if err != nil || res[0].Case() != 0 {
		t.Fatalf("huge read: %v %v", res, err)
	}
	if p, _ := res[0].Payload(); p.Index(0).Len() != 4 || !p.Index(1).Bool() {
		t.Fatalf("huge read gave %v", p)
	}
	res, _ = call(ifTypes, "[method]descriptor.read", f, canon.U64(10), canon.U64(1000))
	if p, _ := res[0].Payload(); p.Index(0).Len() != 0 || !p.Index(1).Bool() {
		t.Fatalf("read past EOF gave %v", p)
	}
	res, _ = call(ifTypes, "[method]descriptor.read", f, canon.U64(10), canon.U64(math.MaxUint64))
	if res[0].Case() != 1 || func() uint32 { p, _ := res[0].Payload(); return p.Case() }() != uint32(host.ErrInvalid) {
		t.Fatalf("read at offset 2^64-1: %v", res)
	}
	// Writing through a read-only descriptor is an error-code.
	res, _ = call(ifTypes, "[method]descriptor.write", f, canon.List(canon.U8(1)), canon.U64(0))
	if res[0].Case() != 1 {
		t.Fatalf("write through a read-only descriptor: %v", res)
	}
	// A timestamp a datetime can carry but the host cannot is invalid.
	ts := canon.Variant(2, canon.Record(canon.U64(math.MaxUint64), canon.U32(0)))
	res, _ = call(ifTypes, "[method]descriptor.set-times-at", pre, canon.Flags(0), canon.String("f"), ts, canon.Variant(0, canon.Value{}))
	if p, _ := res[0].Payload(); res[0].Case() != 1 || p.Case() != uint32(host.ErrInvalid) {
		t.Fatalf("set-times-at with 2^64-1 seconds: %v", res)
	}
	// Too many random bytes is a trap, not an allocation.
	if _, err := call(ifRandom, "get-random-bytes", canon.U64(1<<40)); err == nil {
		t.Error("get-random-bytes of 2^40: no error")
	}
	// Timers far in the future do not overflow into the past.
	res, _ = call(ifMonotonic, "subscribe-duration", canon.U64(math.MaxUint64))
	if r, _ := call(ifPoll, "[method]pollable.ready", canon.Borrow(res[0].Handle())); r[0].Bool() {
		t.Error("a timer 2^64-1 ns away is ready")
	}
	res, _ = call(ifMonotonic, "subscribe-instant", canon.U64(0))
	if r, _ := call(ifPoll, "[method]pollable.ready", canon.Borrow(res[0].Handle())); !r[0].Bool() {
		t.Error("a timer at instant 0 is not ready")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	far, _ := call(ifMonotonic, "subscribe-duration", canon.U64(math.MaxUint64))
	pollFn := h.defs[ifPoll+"#poll"].(runtime.HostFunc)
	if _, err := pollFn(ctx, []canon.Value{canon.List(canon.Borrow(far[0].Handle()))}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("poll of a far timer under a deadline: %v", err)
	}
	if _, err := call(ifPoll, "poll", canon.List()); err == nil {
		t.Error("poll of nothing: no error")
	}
	// Exits unwind with their code.
	var exit *ExitError
	if _, err := call(ifExit, "exit-with-code", canon.U8(42)); !errors.As(err, &exit) || exit.Code != 42 {
		t.Errorf("exit-with-code 42: %v", err)
	}
	if _, err := call(ifExit, "exit", canon.Err(canon.Value{})); !errors.As(err, &exit) || exit.Code != 1 {
		t.Errorf("exit(err): %v", err)
	}
	// Dropping a dead rep is an error; dropping a preopen keeps it usable.
	if err := h.drop(context.Background(), 99999); err == nil {
		t.Error("drop of a dead rep: no error")
	}
	if err := h.drop(context.Background(), pre.Handle()); err != nil {
		t.Fatal(err)
	}
	res, _ = call(ifPreopens, "get-directories")
	if r, err := call(ifTypes, "[method]descriptor.stat", res[0].Index(0).Index(0)); err != nil || r[0].Case() != 0 {
		t.Fatalf("preopen after a drop: %v %v", r, err)
	}
}
