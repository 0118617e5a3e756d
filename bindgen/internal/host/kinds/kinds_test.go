// Package kinds_test runs the Go guest of every type kind (world
// test:kinds/kinds of bindgen/testdata/kinds, implemented by
// bindgen/testdata/kindsguest with wasmcm's guest bindings and made a
// component with wasmcm's preview-1 adapter) through the host bindings
// generated in ./bindings: every export is called with edge values through
// Go types, and the guest's run export calls every import, which Go
// interfaces serve, host-implemented resources included.
package kinds_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/wasmcm/wasmcm/bindgen/hostcm"
	"github.com/wasmcm/wasmcm/bindgen/internal/host/hosttest"
	xtypes "github.com/wasmcm/wasmcm/bindgen/internal/host/kinds/bindings/export/test/kinds/types"
	"github.com/wasmcm/wasmcm/bindgen/internal/host/kinds/bindings/test/kinds/api"
	"github.com/wasmcm/wasmcm/bindgen/internal/host/kinds/bindings/test/kinds/kinds"
	"github.com/wasmcm/wasmcm/bindgen/internal/host/kinds/bindings/test/kinds/types"
	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/canon/wave"
	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/runtime"
	"github.com/wasmcm/wasmcm/runtime/wasi"
)

const root = "github.com/wasmcm/wasmcm/bindgen/internal/host/kinds/bindings"

// TestBindingsCurrent checks the committed host bindings against the
// generator.
func TestBindingsCurrent(t *testing.T) {
	hosttest.Current(t, "bindgen/internal/host/kinds/bindings", hosttest.HostBindings(t, "bindgen/testdata/kinds", "kinds", root))
}

var (
	compOnce sync.Once
	comp     []byte
)

func component(t *testing.T) []byte {
	t.Helper()
	compOnce.Do(func() { comp = hosttest.GoGuest(t, "bindgen/testdata/kinds", "kinds", "bindgen/testdata/kindsguest") })
	if comp == nil {
		t.Fatal("the guest failed to build in an earlier test")
	}
	return comp
}

// host serves the world's imports: the api echoes, types' counter is a
// host-implemented resource, log records lines.
type host struct {
	mu      sync.Mutex
	logs    []string
	calls   map[string]int
	got     map[string][]any // what some imports received
	live    map[*counter]bool
	closed  []string
	failing bool // Check returns an error that is not its WIT error
}

func newHost() *host {
	return &host{calls: map[string]int{}, got: map[string][]any{}, live: map[*counter]bool{}}
}

func (h *host) note(name string, args ...any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls[name]++
	if len(args) > 0 {
		h.got[name] = append(h.got[name], args...)
	}
}

// counter is the host's implementation of the imported resource counter.
type counter struct {
	h    *host
	name string
	n    uint32
}

func (c *counter) Add(ctx context.Context, n uint32) (uint32, error) { c.n += n; return c.n, nil }
func (c *counter) Get(ctx context.Context) (uint32, error)           { return c.n, nil }
func (c *counter) Name(ctx context.Context) (string, error)          { return c.name, nil }

// Close runs when the guest drops its last handle.
func (c *counter) Close(ctx context.Context) error {
	c.h.mu.Lock()
	defer c.h.mu.Unlock()
	if !c.h.live[c] {
		return fmt.Errorf("counter %s closed twice", c.name)
	}
	delete(c.h.live, c)
	c.h.closed = append(c.h.closed, c.name)
	return nil
}

func (h *host) newCounter(name string, n uint32) *counter {
	c := &counter{h: h, name: name, n: n}
	h.mu.Lock()
	h.live[c] = true
	h.mu.Unlock()
	return c
}

// typesImpl implements types.Imports.
type typesImpl struct{ h *host }

func (t typesImpl) NewCounter(ctx context.Context, start uint32) (types.Counter, error) {
	t.h.note("new-counter", start)
	return t.h.newCounter(fmt.Sprintf("host%d", start), start), nil
}

func (t typesImpl) CounterMerge(ctx context.Context, a, b types.Counter) (types.Counter, error) {
	x, _ := a.Get(ctx)
	y, _ := b.Get(ctx)
	an, _ := a.Name(ctx)
	bn, _ := b.Name(ctx)
	t.h.note("merge", an, bn)
	return t.h.newCounter(an+"+"+bn, x+y), nil
}

// apiImpl implements api.Imports: echoes, and the answers the guest's run
// expects.
type apiImpl struct{ h *host }

func (a apiImpl) EchoScalars(ctx context.Context, v types.AllScalars) (types.AllScalars, error) {
	a.h.note("echo-scalars", v)
	return v, nil
}
func (a apiImpl) EchoString(ctx context.Context, s string) (string, error) {
	a.h.note("echo-string", len(s))
	return s, nil
}
func (a apiImpl) EchoBytes(ctx context.Context, b []uint8) ([]uint8, error) {
	a.h.note("echo-bytes", b)
	return b, nil
}
func (a apiImpl) EchoPoint(ctx context.Context, p types.Point) (types.Point, error) {
	a.h.note("echo-point", p)
	return p, nil
}
func (a apiImpl) EchoShape(ctx context.Context, s types.Shape) (types.Shape, error) {
	a.h.note("echo-shape", s.Kind().String())
	return s, nil
}
func (a apiImpl) EchoNested(ctx context.Context, n types.Nested) (types.Nested, error) {
	a.h.note("echo-nested", n.Keyword, n.F.String(), len(n.Shapes))
	return n, nil
}
func (a apiImpl) EchoList(ctx context.Context, l [][]string) ([][]string, error) {
	a.h.note("echo-list", fmt.Sprint(l))
	return l, nil
}
func (a apiImpl) EchoOption(ctx context.Context, o hostcm.Option[hostcm.Option[uint32]]) (hostcm.Option[hostcm.Option[uint32]], error) {
	a.h.note("echo-option", optString(o))
	return o, nil
}

// optString writes an option<option<u32>> as WAVE does.
func optString(o hostcm.Option[hostcm.Option[uint32]]) string {
	in, ok := o.Get()
	if !ok {
		return "none"
	}
	if v, ok := in.Get(); ok {
		return fmt.Sprintf("some(some(%d))", v)
	}
	return "some(none)"
}
func (a apiImpl) EchoTuple(ctx context.Context, t struct {
	F0 uint8
	F1 string
	F2 float64
}) (struct {
	F0 uint8
	F1 string
	F2 float64
}, error) {
	a.h.note("echo-tuple", t)
	return t, nil
}
func (a apiImpl) EchoColor(ctx context.Context, c types.Color, p types.Perms) (struct {
	F0 types.Color
	F1 types.Perms
}, error) {
	a.h.note("echo-color", c.String(), p.String())
	return struct {
		F0 types.Color
		F1 types.Perms
	}{c, p}, nil
}
func (a apiImpl) EchoChar(ctx context.Context, c rune) (rune, error) {
	a.h.note("echo-char", c)
	return c, nil
}
func (a apiImpl) EchoF32(ctx context.Context, x float32, y float64) (float64, error) {
	return float64(x) + y, nil
}
func (a apiImpl) Check(ctx context.Context, ok bool) (string, error) {
	a.h.note("check", ok)
	if a.h.failing {
		return "", errors.New("the host failed")
	}
	if ok {
		return "fine", nil
	}
	return "", types.ErrorCodeNotFound("nothing here")
}
func (a apiImpl) CheckSimple(ctx context.Context, ok bool) (uint32, error) {
	if ok {
		return 3, nil
	}
	return 0, types.SimpleErrorBad
}
func (a apiImpl) CheckUnit(ctx context.Context, ok bool) error {
	if ok {
		return nil
	}
	return hostcm.ErrResult
}
func (a apiImpl) CheckStr(ctx context.Context, ok bool) error {
	if ok {
		return nil
	}
	return hostcm.ErrorOf[string]{Value: "host says no"}
}
func (a apiImpl) Many(ctx context.Context, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10 uint32, k, l, m, n string, o uint64, p float32) (uint32, error) {
	a.h.note("many", x1, x10, k+l+m+n, o, p)
	return x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10 + uint32(len(k+l+m+n)) + uint32(o) + uint32(p), nil
}
func (a apiImpl) CounterTotal(ctx context.Context, c types.Counter) (uint32, error) {
	return c.Get(ctx)
}
func (a apiImpl) TakeCounter(ctx context.Context, c types.Counter) (uint32, error) {
	// The host owns c now and is done with it.
	v, _ := c.Get(ctx)
	a.h.note("take-counter", v)
	return v, c.(*counter).Close(ctx)
}
func (a apiImpl) MakeCounter(ctx context.Context, n uint32) (types.Counter, error) {
	return a.h.newCounter(fmt.Sprintf("made%d", n), n), nil
}
func (a apiImpl) Nothing(ctx context.Context) error { a.h.note("nothing"); return nil }
func (a apiImpl) Type(ctx context.Context, func_ uint32, interface_ string, go_ uint8, cm_ uint32, unsafe_ uint32) (uint32, error) {
	a.h.note("type", interface_)
	return func_ + uint32(len(interface_)) + uint32(go_) + cm_ + unsafe_, nil
}

// logImpl implements kinds.Functions.
type logImpl struct{ h *host }

func (l logImpl) Log(ctx context.Context, msg string) error {
	l.h.mu.Lock()
	defer l.h.mu.Unlock()
	l.h.logs = append(l.h.logs, msg)
	return nil
}

func instantiate(t *testing.T, h *host, env ...string) *kinds.Instance {
	t.Helper()
	ctx := context.Background()
	inst, err := kinds.Instantiate(ctx, hosttest.Runtime(t), component(t), kinds.Imports{
		Types:     typesImpl{h},
		API:       apiImpl{h},
		Functions: logImpl{h},
		// The guest reserves its arena for the largest value the tests pass
		// (a 1 MiB list) so that cabi_realloc never needs the Go heap while
		// the host lowers values (see cm.Reserve).
		WASI: wasi.Config{Args: []string{"kinds"}, Env: append([]string{"GUEST_RESERVE=4194304"}, env...)},
	})
	if err != nil {
		t.Fatalf("instantiating: %v", err)
	}
	t.Cleanup(func() { inst.Close(ctx) })
	return inst
}

// checker counts checks.
type checker struct {
	t             *testing.T
	passed, total int
}

func (c *checker) eq(what string, got, want any, err error) {
	c.t.Helper()
	c.total++
	if err != nil {
		c.t.Errorf("%s: %v", what, err)
		return
	}
	if !reflect.DeepEqual(got, want) {
		c.t.Errorf("%s = %#v, want %#v", what, got, want)
		return
	}
	c.passed++
}

// TestKinds calls every export of the guest with edge values and checks
// what comes back; run calls every import, served by the Go host.
func TestKinds(t *testing.T) {
	h := newHost()
	inst := instantiate(t, h, "GOGC=1", "GUEST_GC_EVERY=3")
	ctx := context.Background()
	c := &checker{t: t}
	x := inst.API()

	for _, s := range []xtypes.AllScalars{
		{B: true, U8v: math.MaxUint8, U16v: math.MaxUint16, U32v: math.MaxUint32, U64v: math.MaxUint64,
			S8v: math.MinInt8, S16v: math.MinInt16, S32v: math.MinInt32, S64v: math.MinInt64,
			F32v: math.MaxFloat32, F64v: -math.SmallestNonzeroFloat64, C: '\U0010FFFF'},
		{S8v: math.MaxInt8, S16v: math.MaxInt16, S32v: math.MaxInt32, S64v: math.MaxInt64, F32v: float32(math.Inf(-1)), F64v: math.Inf(1), C: 0},
		{C: '☃', F32v: -0.0, F64v: 1e300},
	} {
		got, err := x.EchoScalars(ctx, s)
		c.eq(fmt.Sprintf("echo-scalars(%v)", s), got, s, err)
	}
	// NaNs compare by their bits: the canonical NaN comes back.
	if got, err := x.EchoScalars(ctx, xtypes.AllScalars{F32v: float32(math.NaN()), F64v: math.NaN()}); err != nil || !math.IsNaN(float64(got.F32v)) || !math.IsNaN(got.F64v) {
		t.Errorf("echo-scalars of NaNs = %v, %v", got, err)
	}
	// A char that is a surrogate cannot be lowered.
	if _, err := x.EchoChar(ctx, 0xD800); err == nil {
		t.Error("echo-char(U+D800) succeeded")
	}
	for _, s := range []string{"", "a", "héllo, wörld 🌍", strings.Repeat("ü", 100000), "nul\x00inside"} {
		got, err := x.EchoString(ctx, s)
		c.eq(fmt.Sprintf("echo-string(%d bytes)", len(s)), got, s, err)
	}
	big := make([]uint8, 1<<20)
	for i := range big {
		big[i] = uint8(i * 7)
	}
	for _, b := range [][]uint8{{}, {0, 1, 255}, big} {
		got, err := x.EchoBytes(ctx, b)
		c.eq(fmt.Sprintf("echo-bytes(%d)", len(b)), got, b, err)
	}
	if got, err := x.EchoBytes(ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("echo-bytes(nil) = %v, %v", got, err)
	}
	for _, p := range []xtypes.Point{{}, {X: math.MinInt32, Y: math.MaxInt32, Label: "ünïcode ✓"}} {
		got, err := x.EchoPoint(ctx, p)
		c.eq("echo-point", got, p, err)
	}
	shapes := []xtypes.Shape{
		xtypes.ShapeNone(),
		xtypes.ShapeCircle(2.5),
		xtypes.ShapeRect(struct{ F0, F1 float64 }{-1.25, 8}),
		xtypes.ShapeNamed(""),
		xtypes.ShapeNamed("hexagon"),
		xtypes.ShapePoly(nil),
		xtypes.ShapePoly([]xtypes.Point{{X: 1, Y: 2, Label: "a"}, {X: 3, Y: 4, Label: "b"}}),
		xtypes.ShapeBig(math.MaxUint64),
	}
	for _, s := range shapes {
		got, err := x.EchoShape(ctx, s)
		if s.Kind() == xtypes.ShapeKindPoly {
			// An empty list comes back empty, not nil.
			if p, _ := s.Poly(); len(p) == 0 {
				gp, ok := got.Poly()
				c.eq("echo-shape(poly([]))", [2]any{ok, len(gp)}, [2]any{true, 0}, err)
				continue
			}
		}
		c.eq("echo-shape("+s.Kind().String()+")", got, s, err)
	}
	full := xtypes.Nested{
		P:      xtypes.Point{X: 1, Y: 2, Label: "p"},
		Shapes: shapes[1:5],
		Opt:    hostcm.Some(""),
		Res:    hostcm.Err[uint32]("e"),
		Fixed:  []uint8{1, 2, 3},
		Tags:   []string{"a", "", strings.Repeat("c", 1000)},
		Pairs: []struct {
			F0 uint32
			F1 string
		}{{1, "one"}, {math.MaxUint32, "max"}},
		C:       xtypes.ColorBlue,
		F:       xtypes.PermsRead | xtypes.PermsWrite | xtypes.PermsExec,
		Maybe:   hostcm.Some(xtypes.Point{X: 7, Y: 8, Label: "m"}),
		Keyword: 255,
	}
	got, err := x.EchoNested(ctx, full)
	c.eq("echo-nested(full)", got, full, err)
	empty := xtypes.Nested{Res: hostcm.OK[uint32, string](0), Shapes: []xtypes.Shape{}, Fixed: []uint8{}, Tags: []string{}, Pairs: []struct {
		F0 uint32
		F1 string
	}{}}
	got, err = x.EchoNested(ctx, empty)
	c.eq("echo-nested(empty)", got, empty, err)
	for _, l := range [][][]string{{}, {{"a", "b"}, {}, {"c"}}, {{""}}} {
		got, err := x.EchoList(ctx, l)
		c.eq(fmt.Sprintf("echo-list(%q)", l), got, l, err)
	}
	for _, o := range []hostcm.Option[hostcm.Option[uint32]]{hostcm.None[hostcm.Option[uint32]](), hostcm.Some(hostcm.None[uint32]()), hostcm.Some(hostcm.Some[uint32](math.MaxUint32))} {
		got, err := x.EchoOption(ctx, o)
		c.eq("echo-option("+optString(o)+")", got, o, err)
	}
	tu := struct {
		F0 uint8
		F1 string
		F2 float64
	}{7, "seven", 7.5}
	gt, err := x.EchoTuple(ctx, tu)
	c.eq("echo-tuple", gt, tu, err)
	// Every color with every set of flags.
	for _, col := range []xtypes.Color{xtypes.ColorRed, xtypes.ColorGreen, xtypes.ColorBlue} {
		for p := xtypes.Perms(0); p < 8; p++ {
			got, err := x.EchoColor(ctx, col, p)
			c.eq(fmt.Sprintf("echo-color(%v, %v)", col, p), [2]any{got.F0, got.F1}, [2]any{col, p}, err)
		}
	}
	// Flags beyond the declared ones are not lowered.
	if got, err := x.EchoColor(ctx, xtypes.ColorRed, 0xff); err == nil && got.F1 != 7 {
		t.Errorf("echo-color with unknown flags = %v", got.F1)
	}
	for _, r := range []rune{0, 'a', '𝄞', 0x10FFFF} {
		got, err := x.EchoChar(ctx, r)
		c.eq(fmt.Sprintf("echo-char(%U)", r), got, r, err)
	}
	f, err := x.EchoF32(ctx, 0.5, 0.25)
	c.eq("echo-f32", f, 0.75, err)

	s, err := x.Check(ctx, true)
	c.eq("check(true)", s, "fine", err)
	_, err = x.Check(ctx, false)
	var ec xtypes.ErrorCode
	if errors.As(err, &ec) {
		v, _ := ec.NotFound()
		c.eq("check(false)", [2]any{ec.Kind(), v}, [2]any{xtypes.ErrorCodeKindNotFound, "missing thing"}, nil)
	} else {
		c.eq("check(false) is an ErrorCode", err, ec, nil)
	}
	u, err := x.CheckSimple(ctx, true)
	c.eq("check-simple(true)", u, uint32(7), err)
	_, err = x.CheckSimple(ctx, false)
	c.eq("check-simple(false)", err, error(xtypes.SimpleErrorWorse), nil)
	c.eq("check-unit(true)", x.CheckUnit(ctx, true), nil, nil)
	c.eq("check-unit(false)", errors.Is(x.CheckUnit(ctx, false), hostcm.ErrResult), true, nil)
	c.eq("check-str(true)", x.CheckStr(ctx, true), nil, nil)
	var es hostcm.ErrorOf[string]
	err = x.CheckStr(ctx, false)
	c.eq("check-str(false)", [2]any{errors.As(err, &es), es.Value}, [2]any{true, "not ok"}, nil)
	m, err := x.Many(ctx, 1, 2, 3, 4, 5, 6, 7, 8, 9, math.MaxUint32, "a", "bb", "ccc", strings.Repeat("d", 1000), 1<<40+100, 2.5)
	c.eq("many (spilled parameters)", m, uint32(1+2+3+4+5+6+7+8+9+1006+100+2-1), err) // MaxUint32 wraps to -1
	ty, err := x.Type(ctx, 1, "interface", 2, 3, 4)
	c.eq("type (keyword names)", ty, uint32(1+9+2+3+4), err)
	c.eq("nothing", x.Nothing(ctx), nil, nil)

	// run calls every import; the guest checks what the host answers.
	n, err := inst.Run(ctx, []string{"x", "", "ünïcode"})
	c.eq("run", n, uint32(37), err)
	h.mu.Lock()
	c.eq("import calls", fmt.Sprint(h.calls), "map[check:2 echo-bytes:1 echo-char:1 echo-color:1 echo-list:1 echo-nested:1 echo-option:3 echo-point:1 echo-scalars:1 echo-shape:6 echo-string:3 echo-tuple:1 many:1 merge:1 new-counter:2 nothing:1 take-counter:1 type:1]", nil)
	c.eq("echo-scalars received", h.got["echo-scalars"], []any{types.AllScalars{B: true, U8v: 200, U16v: 60000, U32v: 4000000000, U64v: 1<<63 + 5,
		S8v: -100, S16v: -30000, S32v: -2000000000, S64v: -1 << 62, F32v: 1.5, F64v: -2.25, C: '☃'}}, nil)
	c.eq("echo-string received", h.got["echo-string"], []any{len("héllo wörld"), 0, 160000}, nil)
	c.eq("echo-shape received", h.got["echo-shape"], []any{"none", "circle", "rect", "named", "poly", "big"}, nil)
	c.eq("echo-nested received", h.got["echo-nested"], []any{uint8(42), "read|exec", 6}, nil)
	c.eq("echo-option received", h.got["echo-option"], []any{"none", "some(none)", "some(some(5))"}, nil)
	c.eq("echo-color received", h.got["echo-color"], []any{"green", "write"}, nil)
	c.eq("many received", h.got["many"], []any{uint32(1), uint32(10), "abbcccdddd", uint64(100), float32(0.5)}, nil)
	c.eq("type received", h.got["type"], []any{"if"}, nil)
	c.eq("merge received (borrows)", h.got["merge"], []any{"host10", "host1"}, nil)
	// a, m and mk dropped by the guest (Close), b taken by the host.
	c.eq("host counters closed", fmt.Sprint(h.closed), "[host1 host10 host10+host1 made3]", nil)
	c.eq("host counters live", len(h.live), 0, nil)
	c.eq("log", h.logs, []string{`run [x  ünïcode]: 37 checks`}, nil)
	h.logs = nil
	h.mu.Unlock()

	// The exported resource: the guest implements counter.
	tx := inst.Types()
	c1, err := tx.NewCounter(ctx, 5)
	c.eq("new counter", err, nil, nil)
	c2, _ := tx.NewCounter(ctx, 7)
	v, err := c1.Add(ctx, 10)
	c.eq("counter.add", v, uint32(15), err)
	name, err := c2.Name(ctx)
	c.eq("counter.name", name, "c7", err)
	c3, err := tx.CounterMerge(ctx, c1, c2)
	c.eq("counter.merge", err, nil, nil)
	name, err = c3.Name(ctx)
	c.eq("merged name", name, "c5+c7", err)
	v, err = x.CounterTotal(ctx, c3)
	c.eq("counter-total (borrowed)", v, uint32(22), err)
	v, err = x.TakeCounter(ctx, c2)
	c.eq("take-counter (owned, moved)", v, uint32(70), err)
	if _, err := c2.Get(ctx); err == nil {
		t.Error("a counter moved into the guest still answers")
	}
	if _, err := x.TakeCounter(ctx, c2); err == nil {
		t.Error("a moved counter was passed again")
	}
	c4, err := x.MakeCounter(ctx, 4)
	c.eq("make-counter", err, nil, nil)
	name, err = c4.Name(ctx)
	c.eq("made name", name, "made4", err)
	for _, r := range []*xtypes.Counter{c1, c3, c4, c2} {
		if err := r.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c1.Get(ctx); err == nil {
		t.Error("a closed counter still answers")
	}
	h.mu.Lock()
	// c2, moved into the guest by take-counter, is the guest program's
	// value again: no destructor runs for it, and closing its moved handle
	// dropped nothing.
	c.eq("guest destructors", fmt.Sprint(h.logs), "[drop c5 drop c5+c7 drop made4]", nil)
	h.mu.Unlock()
	t.Logf("%d/%d checks", c.passed, c.total)
}

// TestHostErrorTraps: an import that returns an error other than its WIT
// error type traps the guest, and the export call fails naming it.
func TestHostErrorTraps(t *testing.T) {
	h := newHost()
	h.failing = true
	inst := instantiate(t, h)
	_, err := inst.Run(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "the host failed") {
		t.Fatalf("run with a failing import: %v", err)
	}
	var trap *canon.Trap
	t.Logf("error: %v (trap: %v)", err, errors.As(err, &trap))
}

// TestManyCalls makes 20k export calls of mixed kinds with the guest
// collecting garbage often: answers stay right.
func TestManyCalls(t *testing.T) {
	h := newHost()
	inst := instantiate(t, h, "GOGC=1", "GUEST_GC_EVERY=97")
	ctx := context.Background()
	x, tx := inst.API(), inst.Types()
	n := xtypes.Nested{P: xtypes.Point{Label: "p"}, Shapes: []xtypes.Shape{xtypes.ShapeNamed("n"), xtypes.ShapeBig(1)}, Tags: []string{"a"}, Fixed: []uint8{1}, Pairs: []struct {
		F0 uint32
		F1 string
	}{{1, "x"}}, Res: hostcm.OK[uint32, string](1), Opt: hostcm.Some("o")}
	for i := 0; i < 4000; i++ {
		s := fmt.Sprint("round ", i)
		if got, err := x.EchoString(ctx, s); err != nil || got != s {
			t.Fatalf("round %d: echo-string = %q, %v", i, got, err)
		}
		if got, err := x.EchoNested(ctx, n); err != nil || !reflect.DeepEqual(got, n) {
			t.Fatalf("round %d: echo-nested = %v, %v", i, got, err)
		}
		c, err := tx.NewCounter(ctx, uint32(i))
		if err != nil {
			t.Fatal(err)
		}
		if v, err := c.Add(ctx, 1); err != nil || v != uint32(i)+1 {
			t.Fatalf("round %d: add = %d, %v", i, v, err)
		}
		if i%2 == 0 {
			if v, err := x.TakeCounter(ctx, c); err != nil || v != (uint32(i)+1)*10 {
				t.Fatalf("round %d: take-counter = %d, %v", i, v, err)
			}
		} else if err := c.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	// Counters closed by the host run the guest's destructor; those moved
	// into the guest are its program's values again.
	if len(h.logs) != 2000 {
		t.Errorf("%d destructor lines, want 2000", len(h.logs))
	}
}

// The host's types implement what the bindings ask for.
var (
	_ api.Imports     = apiImpl{}
	_ types.Imports   = typesImpl{}
	_ types.Counter   = (*counter)(nil)
	_ kinds.Functions = logImpl{}
)

// Benchmarks of export calls into the real guest: typed through the
// bindings, and the same call through the runtime's dynamic API
// (canon.Value arguments) for comparison.
func benchInstance(b *testing.B) *kinds.Instance {
	ctx := context.Background()
	rt, err := runtime.New(ctx, runtime.Config{CompilationCacheDir: filepath.Join(testutil.RepoRoot(b), ".cache", "wazero")})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { rt.Close(ctx) })
	compOnce.Do(func() { comp = hosttest.GoGuest(b, "bindgen/testdata/kinds", "kinds", "bindgen/testdata/kindsguest") })
	h := newHost()
	inst, err := kinds.Instantiate(ctx, rt, comp, kinds.Imports{Types: typesImpl{h}, API: apiImpl{h}, Functions: logImpl{h}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { inst.Close(ctx) })
	return inst
}

var benchNested = xtypes.Nested{P: xtypes.Point{X: 1, Y: 2, Label: "p"}, Shapes: []xtypes.Shape{xtypes.ShapeNamed("n"), xtypes.ShapeBig(1), xtypes.ShapeCircle(1)},
	Tags: []string{"a", "bb"}, Fixed: []uint8{1, 2, 3}, Pairs: []struct {
		F0 uint32
		F1 string
	}{{1, "x"}}, Res: hostcm.OK[uint32, string](1), Opt: hostcm.Some("o"), C: xtypes.ColorGreen, F: xtypes.PermsRead}

const benchNestedWAVE = `{p: {x: 1, y: 2, label: "p"}, shapes: [named("n"), big(1), circle(1)], opt: some("o"), res: ok(1), fixed: [1, 2, 3], tags: ["a", "bb"], pairs: [(1, "x")], c: green, f: {read}, maybe: none, keyword: 0}`

func BenchmarkTyped(b *testing.B) {
	inst := benchInstance(b)
	ctx := context.Background()
	x := inst.API()
	b.Run("echo-string-16", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := x.EchoString(ctx, "0123456789abcdef"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("echo-nested", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := x.EchoNested(ctx, benchNested); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("f32", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := x.EchoF32(ctx, 1, 2); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkDynamic(b *testing.B) {
	inst := benchInstance(b)
	ctx := context.Background()
	for _, c := range []struct{ name, fn, args string }{
		{"echo-string-16", "echo-string", `"0123456789abcdef"`},
		{"echo-nested", "echo-nested", benchNestedWAVE},
		{"f32", "echo-f32", `1, 2`},
	} {
		f, err := inst.Runtime().Func("test:kinds/api@0.1.0#" + c.fn)
		if err != nil {
			b.Fatal(err)
		}
		args, err := wave.ParseValues(f.Resolve(), f.Params(), c.args)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := f.Call(ctx, args...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
