// Package extra_test runs a Go guest of the kinds the kinds world lacks
// (maps, fixed-length lists, a resource of the world itself implemented by
// the host, world-level imported and exported functions) through the host
// bindings generated in ./bindings.
package extra_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/wasmcm/wasmcm/bindgen/internal/host/extra/bindings/test/extra/extra"
	"github.com/wasmcm/wasmcm/bindgen/internal/host/hosttest"
)

const pkgRoot = "github.com/wasmcm/wasmcm/bindgen/internal/host/extra/bindings"

func TestBindingsCurrent(t *testing.T) {
	hosttest.Current(t, "bindgen/internal/host/extra/bindings", hosttest.HostBindings(t, "bindgen/internal/host/extra/wit", "extra", pkgRoot))
}

// host implements the world's own functions and its resource thing.
type host struct {
	mu     sync.Mutex
	made   int
	closed []string
	got    []string
}

type thing struct {
	h    *host
	name string
}

func (t *thing) Name(ctx context.Context) (string, error)    { return t.name, nil }
func (t *thing) Rename(ctx context.Context, to string) error { t.name = to; return nil }

// Close runs when the guest drops the thing.
func (t *thing) Close(ctx context.Context) error {
	t.h.mu.Lock()
	defer t.h.mu.Unlock()
	t.h.closed = append(t.h.closed, t.name)
	return nil
}

func (h *host) NewThing(ctx context.Context, name string) (extra.Thing, error) {
	h.mu.Lock()
	h.made++
	h.mu.Unlock()
	return &thing{h: h, name: name}, nil
}

func (h *host) Lend(ctx context.Context, t extra.Thing) (string, error) {
	return "lent " + t.(*thing).name, nil
}

func (h *host) Describe(ctx context.Context, m map[string]uint32, fixed [4]uint8) (string, error) {
	keys := slices.Sorted(maps.Keys(m))
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%q=%d ", k, m[k])
	}
	fmt.Fprint(&b, fixed)
	h.mu.Lock()
	h.got = append(h.got, b.String())
	h.mu.Unlock()
	return b.String(), nil
}

var _ extra.Functions = (*host)(nil)

func TestExtra(t *testing.T) {
	comp := hosttest.GoGuest(t, "bindgen/internal/host/extra/wit", "extra", "bindgen/internal/host/extra/testdata/guest")
	ctx := context.Background()
	h := &host{}
	inst, err := extra.Instantiate(ctx, hosttest.Runtime(t), comp, extra.Imports{Functions: h})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)

	for _, m := range []map[string][]uint32{{}, {"a": {1, 2, 3}, "": {}, "ü": {4294967295}}} {
		got, err := inst.EchoMap(ctx, m)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(m) {
			t.Errorf("echo-map(%v) = %v, %v", m, got, err)
		}
	}
	big := map[string][]uint32{}
	for i := range 1000 {
		big[fmt.Sprint("k", i)] = []uint32{uint32(i)}
	}
	if got, err := inst.EchoMap(ctx, big); err != nil || len(got) != 1000 || got["k999"][0] != 999 {
		t.Errorf("echo-map of 1000 entries: %d entries, %v", len(got), err)
	}
	if got, err := inst.EchoFixed(ctx, [3]uint32{1, 2, 4294967295}); err != nil || got != [3]uint32{4294967295, 2, 1} {
		t.Errorf("echo-fixed = %v, %v", got, err)
	}
	got, err := inst.Things(ctx, []string{"a", "bee", ""})
	if err != nil || fmt.Sprint(got) != "[A/lent A BEE/lent BEE /lent ]" {
		t.Errorf("things = %q, %v", got, err)
	}
	h.mu.Lock()
	if h.made != 3 || fmt.Sprint(h.closed) != "[A BEE ]" {
		t.Errorf("host things: %d made, closed %q", h.made, h.closed)
	}
	h.mu.Unlock()
	d, err := inst.CallDescribe(ctx)
	want := `""=0 "one"=1 "two"=2 [1 2 3 255]`
	if err != nil || d != want || len(h.got) != 1 || h.got[0] != want {
		t.Errorf("describe = %q, %v (host got %q), want %q", d, err, h.got, want)
	}
}
