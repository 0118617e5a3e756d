// Package goguest_test runs the example Go guest (examples/go-guest, built
// with stock Go and the guest bindings, made a component with wasmcm's
// preview-1 adapter) through host bindings generated for its world.
package goguest_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/bindgen/internal/host/goguest/bindings/example/guest/guest"
	"github.com/wasmcm/wasmcm/bindgen/internal/host/goguest/bindings/example/guest/store"
	"github.com/wasmcm/wasmcm/bindgen/internal/host/hosttest"
)

// guestComponent builds (or finds cached) the example guest component,
// made with wasmcm's own preview-1 adapter.
func guestComponent(t *testing.T) []byte {
	t.Helper()
	return hosttest.ExampleGuest(t, "examples/go-guest", "examples/go-guest/wit", "guest")
}

// TestBindingsCurrent checks the committed host bindings against the
// generator.
func TestBindingsCurrent(t *testing.T) {
	hosttest.Current(t, "bindgen/internal/host/goguest/bindings",
		hosttest.HostBindings(t, "examples/go-guest/wit", "guest", "github.com/wasmcm/wasmcm/bindgen/internal/host/goguest/bindings"))
}

type logger struct{ lines []string }

func (l *logger) Log(ctx context.Context, msg string) error {
	l.lines = append(l.lines, msg)
	return nil
}

func TestGoGuest(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a Go guest")
	}
	bin := guestComponent(t)
	ctx := context.Background()
	rt := hosttest.Runtime(t)
	logs := &logger{}
	inst, err := guest.Instantiate(ctx, rt, bin, guest.Imports{Functions: logs})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	s := inst.Store()
	for _, c := range []struct {
		text string
		n    uint32
	}{{"", 0}, {"one", 1}, {"  two  words ", 2}, {strings.Repeat("w ", 50000), 50000}} {
		if n, err := s.WordCount(ctx, c.text); err != nil || n != c.n {
			t.Fatalf("WordCount(%.20q) = %d, %v; want %d", c.text, n, err, c.n)
		}
	}
	b, err := s.NewBucket(ctx, "fruit")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Get(ctx, "apple"); err == nil {
		t.Fatal("Get of a missing key succeeded")
	} else {
		var se store.StoreError
		if !errors.As(err, &se) || se.Kind() != store.StoreErrorKindNotFound {
			t.Fatalf("Get of a missing key: %v", err)
		}
		if k, _ := se.NotFound(); k != "apple" {
			t.Fatalf("not-found payload %q", k)
		}
	}
	long := strings.Repeat("ü", 10000)
	for k, v := range map[string]string{"apple": "red", "": "empty key", "long": long} {
		if err := b.Set(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	if v, err := b.Get(ctx, "long"); err != nil || v != long {
		t.Fatalf("Get(long) = %d bytes, %v", len(v), err)
	}
	keys, err := b.Keys(ctx)
	if err != nil || strings.Join(keys, ",") != ",apple,long" {
		t.Fatalf("Keys = %q, %v", keys, err)
	}
	for i := 0; i < 100; i++ {
		err = b.Set(ctx, "k"+string(rune('a'+i%26))+string(rune('a'+i/26)), "x")
	}
	var se store.StoreError
	if !errors.As(err, &se) || se.Kind() != store.StoreErrorKindFull {
		t.Fatalf("Set past the limit: %v, want full", err)
	}
	if err := b.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if len(logs.lines) != 1 || logs.lines[0] != "bucket fruit dropped" {
		t.Fatalf("logs = %q, want the destructor's line", logs.lines)
	}
	if _, err := b.Get(ctx, "apple"); err == nil {
		t.Fatal("a closed bucket accepted a call")
	}
}
