// Command kindsguest implements the world test:kinds/kinds (../kinds) with
// the bindings bindgen generates, for the end-to-end tests: every export
// echoes what it is given through Go values, and run calls every import
// and checks what comes back. GUEST_GC_EVERY=N makes every Nth export call
// run the garbage collector in the middle of the call; GUEST_RESERVE=N
// prepares the arena for lowerings of N bytes (cm.Reserve).
package main

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"strings"

	xapi "example.com/guest/bindings/export/test/kinds/api"
	xtypes "example.com/guest/bindings/export/test/kinds/types"
	"example.com/guest/bindings/test/kinds/api"
	"example.com/guest/bindings/test/kinds/kinds"
	"example.com/guest/bindings/test/kinds/types"
	"github.com/wasmcm/wasmcm/bindgen/guest/cm"
)

var gcEvery, calls int

// midCall runs the garbage collector every gcEvery export calls, while the
// export's arguments are live Go values and its results not yet lowered.
func midCall() {
	calls++
	if gcEvery > 0 && calls%gcEvery == 0 {
		runtime.GC()
	}
}

// counter is the exported resource test:kinds/types.counter.
type counter struct {
	name string
	n    uint32
}

func (c *counter) Add(n uint32) uint32 { c.n += n; return c.n }
func (c *counter) Get() uint32         { return c.n }
func (c *counter) Name() string        { return c.name }

// Drop tells the host that the destructor ran.
func (c *counter) Drop() { kinds.Log("drop " + c.name) }

type typesImpl struct{}

func (typesImpl) NewCounter(start uint32) xtypes.Counter {
	midCall()
	return &counter{name: "c" + strconv.Itoa(int(start)), n: start}
}

func (typesImpl) CounterMerge(a, b xtypes.Counter) xtypes.Counter {
	midCall()
	return &counter{name: a.Name() + "+" + b.Name(), n: a.Get() + b.Get()}
}

// apiImpl echoes every value after a round through fresh Go memory.
type apiImpl struct{}

func (apiImpl) EchoScalars(a xtypes.AllScalars) xtypes.AllScalars { midCall(); return a }

func (apiImpl) EchoString(s string) string {
	midCall()
	return strings.Clone(s)
}

func (apiImpl) EchoBytes(b []uint8) []uint8 {
	midCall()
	return append([]uint8(nil), b...)
}

func (apiImpl) EchoPoint(p xtypes.Point) xtypes.Point { midCall(); return p }
func (apiImpl) EchoShape(s xtypes.Shape) xtypes.Shape { midCall(); return s }

func (apiImpl) EchoNested(n xtypes.Nested) xtypes.Nested {
	midCall()
	n.Tags = append([]string(nil), n.Tags...)
	return n
}

func (apiImpl) EchoList(l [][]string) [][]string { midCall(); return l }

func (apiImpl) EchoOption(o cm.Option[cm.Option[uint32]]) cm.Option[cm.Option[uint32]] {
	midCall()
	return o
}

func (apiImpl) EchoTuple(t struct {
	F0 uint8
	F1 string
	F2 float64
}) struct {
	F0 uint8
	F1 string
	F2 float64
} {
	midCall()
	return t
}

func (apiImpl) EchoColor(c xtypes.Color, p xtypes.Perms) struct {
	F0 xtypes.Color
	F1 xtypes.Perms
} {
	midCall()
	return struct {
		F0 xtypes.Color
		F1 xtypes.Perms
	}{c, p}
}

func (apiImpl) EchoChar(c rune) rune { midCall(); return c }

func (apiImpl) EchoF32(x float32, y float64) float64 { midCall(); return float64(x) + y }

func (apiImpl) Check(ok bool) (string, error) {
	midCall()
	if ok {
		return "fine", nil
	}
	return "", xtypes.ErrorCodeNotFound("missing thing")
}

func (apiImpl) CheckSimple(ok bool) (uint32, error) {
	midCall()
	if ok {
		return 7, nil
	}
	return 0, xtypes.SimpleErrorWorse
}

func (apiImpl) CheckUnit(ok bool) error {
	midCall()
	if ok {
		return nil
	}
	return errors.New("any error")
}

func (apiImpl) CheckStr(ok bool) error {
	midCall()
	if ok {
		return nil
	}
	return errors.New("not ok")
}

func (apiImpl) Many(a, b, c, d, e, f, g, h, i, j uint32, k, l, m, n string, o uint64, p float32) uint32 {
	midCall()
	return a + b + c + d + e + f + g + h + i + j + uint32(len(k+l+m+n)) + uint32(o) + uint32(p)
}

func (apiImpl) CounterTotal(c xtypes.Counter) uint32 { midCall(); return c.Get() }

func (apiImpl) TakeCounter(c xtypes.Counter) uint32 { midCall(); return c.Get() * 10 }

func (apiImpl) MakeCounter(n uint32) xtypes.Counter {
	midCall()
	return &counter{name: "made" + strconv.Itoa(int(n)), n: n}
}

func (apiImpl) Nothing() { midCall() }

func (apiImpl) Type(func_ uint32, interface_ string, go_ uint8, cm_ uint32, unsafe_ uint32) uint32 {
	midCall()
	return func_ + uint32(len(interface_)) + uint32(go_) + cm_ + unsafe_
}

type worldImpl struct{}

// Run calls every import with known values and checks the answers of the
// host, which echoes. It returns how many checks passed, or the first
// failure.
func (worldImpl) Run(args []string) (uint32, error) {
	midCall()
	c := &checker{}
	c.imports()
	if c.err != nil {
		return 0, c.err
	}
	kinds.Log(fmt.Sprintf("run %v: %d checks", args, c.n))
	return uint32(c.n), nil
}

type checker struct {
	n   int
	err error
}

func (c *checker) eq(what string, got, want any) {
	if c.err != nil {
		return
	}
	if !reflect.DeepEqual(got, want) {
		c.err = fmt.Errorf("%s: got %#v, want %#v", what, got, want)
		return
	}
	c.n++
	runtime.GC() // between import calls, with results only in Go memory
}

func (c *checker) imports() {
	sc := types.AllScalars{B: true, U8v: 200, U16v: 60000, U32v: 4000000000, U64v: 1<<63 + 5,
		S8v: -100, S16v: -30000, S32v: -2000000000, S64v: -1 << 62, F32v: 1.5, F64v: -2.25, C: '☃'}
	c.eq("echo-scalars", api.EchoScalars(sc), sc)
	c.eq("echo-string", api.EchoString("héllo wörld"), "héllo wörld")
	c.eq("echo-string empty", api.EchoString(""), "")
	big := strings.Repeat("0123456789abcdef", 10000)
	c.eq("echo-string big", api.EchoString(big), big)
	c.eq("echo-bytes", api.EchoBytes([]uint8{0, 1, 255}), []uint8{0, 1, 255})
	p := types.Point{X: -1, Y: 2, Label: "p"}
	c.eq("echo-point", api.EchoPoint(p), p)
	shapes := []types.Shape{
		types.ShapeNone(),
		types.ShapeCircle(2.5),
		types.ShapeRect(struct{ F0, F1 float64 }{3, 4}),
		types.ShapeNamed("tri"),
		types.ShapePoly([]types.Point{{X: 1, Y: 2, Label: "a"}, {X: 3, Y: 4, Label: "b"}}),
		types.ShapeBig(1 << 40),
	}
	for _, s := range shapes {
		c.eq("echo-shape "+s.Kind().String(), api.EchoShape(s), s)
	}
	n := types.Nested{
		P:       p,
		Shapes:  shapes,
		Opt:     cm.Some("opt"),
		Res:     cm.Err[uint32]("bad"),
		Fixed:   []uint8{9, 8},
		Tags:    []string{"x", "", "zz"},
		Pairs:   []types.Pair{{1, "one"}, {2, "two"}},
		C:       types.ColorBlue,
		F:       types.PermsRead | types.PermsExec,
		Maybe:   cm.Some(types.Point{X: 5, Y: 6, Label: "m"}),
		Keyword: 42,
	}
	c.eq("echo-nested", api.EchoNested(n), n)
	l := [][]string{{"a", "b"}, nil, {"c"}}
	c.eq("echo-list", api.EchoList(l), l)
	for _, o := range []cm.Option[cm.Option[uint32]]{cm.None[cm.Option[uint32]](), cm.Some(cm.None[uint32]()), cm.Some(cm.Some[uint32](5))} {
		c.eq("echo-option", api.EchoOption(o), o)
	}
	tu := struct {
		F0 uint8
		F1 string
		F2 float64
	}{7, "seven", 7.5}
	c.eq("echo-tuple", api.EchoTuple(tu), tu)
	c.eq("echo-color", api.EchoColor(types.ColorGreen, types.PermsWrite), struct {
		F0 types.Color
		F1 types.Perms
	}{types.ColorGreen, types.PermsWrite})
	c.eq("echo-char", api.EchoChar('𝄞'), '𝄞')
	c.eq("echo-f32", api.EchoF32(0.5, 0.25), 0.75)

	s, err := api.Check(true)
	c.eq("check(true)", [2]any{s, err}, [2]any{"fine", nil})
	_, err = api.Check(false)
	var ec types.ErrorCode
	if errors.As(err, &ec) {
		v, _ := ec.NotFound()
		c.eq("check(false)", [2]any{ec.Kind(), v}, [2]any{types.ErrorCodeKindNotFound, "nothing here"})
	} else {
		c.eq("check(false) error type", err, ec)
	}
	u, err := api.CheckSimple(true)
	c.eq("check-simple(true)", [2]any{u, err}, [2]any{uint32(3), nil})
	_, err = api.CheckSimple(false)
	c.eq("check-simple(false)", err, error(types.SimpleErrorBad))
	c.eq("check-unit(true)", api.CheckUnit(true), nil)
	c.eq("check-unit(false)", api.CheckUnit(false), cm.ErrResult)
	c.eq("check-str(true)", api.CheckStr(true), nil)
	err = api.CheckStr(false)
	var es cm.ErrorOf[string]
	errors.As(err, &es)
	c.eq("check-str(false)", es.Value, "host says no")
	c.eq("many", api.Many(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, "a", "bb", "ccc", "dddd", 100, 0.5), uint32(1+2+3+4+5+6+7+8+9+10+10+100))
	c.eq("type", api.Type(1, "if", 2, 3, 4), uint32(1+2+2+3+4))
	api.Nothing()

	// Imported resources: the host implements counter.
	a := types.NewCounter(10)
	c.eq("counter.add", a.Add(5), uint32(15))
	c.eq("counter.name", a.Name(), "host10")
	b := types.NewCounter(1)
	m := types.CounterMerge(a, b)
	c.eq("counter.merge", m.Get(), uint32(16))
	c.eq("counter-total", api.CounterTotal(m), uint32(16))
	c.eq("take-counter", api.TakeCounter(b), uint32(1))
	mk := api.MakeCounter(3)
	c.eq("make-counter", mk.Get(), uint32(3))
	a.Drop()
	m.Drop()
	mk.Drop()
}

func init() {
	gcEvery, _ = strconv.Atoi(os.Getenv("GUEST_GC_EVERY"))
	if n, err := strconv.Atoi(os.Getenv("GUEST_RESERVE")); err == nil {
		cm.Reserve(n)
	}
	xtypes.Export(typesImpl{})
	xapi.Export(apiImpl{})
	kinds.Export(worldImpl{})
}

func main() {}
