package runtime_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/internal/wat"
	"github.com/wasmcm/wasmcm/runtime"
	"github.com/wasmcm/wasmcm/wit"
)

// The property test of the general adapters: for random types T and
// random values, X calls Y's f: func(x: T) -> T, which passes x to a Go
// host function that returns it, and returns its result; a Go call of X's
// g(v) must give v back, composed (X to Y through a fused adapter) and
// linked through the host alike, for every pair of string encodings of X
// and Y. Types are structural (tuples, lists, options, results and
// primitives) so that the components need no exported type names; tuples
// lay out as records and options and results as variants.

// propType is a random type: its text in the component type syntax and
// its wit.Type in a Resolve.
type propGen struct {
	r   *wit.Resolve
	rng *rand.Rand
}

var propPrims = []struct {
	t    wit.Type
	text string
}{
	{wit.Bool, "bool"}, {wit.S8, "s8"}, {wit.U8, "u8"}, {wit.S16, "s16"}, {wit.U16, "u16"},
	{wit.S32, "s32"}, {wit.U32, "u32"}, {wit.S64, "s64"}, {wit.U64, "u64"}, {wit.F32, "f32"},
	{wit.F64, "f64"}, {wit.Char, "char"}, {wit.String, "string"},
}

func (g *propGen) add(td *wit.TypeDef) wit.Type {
	g.r.Types = append(g.r.Types, td)
	return wit.TypeOf(wit.TypeID(len(g.r.Types) - 1))
}

func (g *propGen) typ(depth int) (wit.Type, string) {
	if depth <= 0 || g.rng.IntN(3) == 0 {
		if g.rng.IntN(4) == 0 {
			return wit.String, "string" // strings are where encodings differ
		}
		p := propPrims[g.rng.IntN(len(propPrims))]
		return p.t, p.text
	}
	d := depth - 1
	switch g.rng.IntN(4) {
	case 0:
		e, et := g.typ(d)
		return g.add(&wit.TypeDef{Kind: wit.KindList, Elem: e}), "(list " + et + ")"
	case 1:
		n := 1 + g.rng.IntN(4)
		td := &wit.TypeDef{Kind: wit.KindTuple}
		text := "(tuple"
		for i := 0; i < n; i++ {
			e, et := g.typ(d)
			td.Tuple = append(td.Tuple, e)
			text += " " + et
		}
		return g.add(td), text + ")"
	case 2:
		e, et := g.typ(d)
		return g.add(&wit.TypeDef{Kind: wit.KindOption, Elem: e}), "(option " + et + ")"
	default:
		ok, okt := g.typ(d)
		er, ert := g.typ(d)
		return g.add(&wit.TypeDef{Kind: wit.KindResult, Ok: ok, Err: er}), "(result " + okt + " (error " + ert + "))"
	}
}

var propStrings = []string{"", "a", "hello, world", "é", "naïve café", "€uro", "😀 smile", "mixed ÿ Ā 😀 end",
	strings.Repeat("ascii ", 40), strings.Repeat("ü", 100), strings.Repeat("日本", 70)}

// value makes a random value of t.
func (g *propGen) value(t wit.Type, depth int) canon.Value {
	switch t {
	case wit.Bool:
		return canon.Bool(g.rng.IntN(2) == 1)
	case wit.S8:
		return canon.S8(int8(g.rng.Uint32()))
	case wit.U8:
		return canon.U8(uint8(g.rng.Uint32()))
	case wit.S16:
		return canon.S16(int16(g.rng.Uint32()))
	case wit.U16:
		return canon.U16(uint16(g.rng.Uint32()))
	case wit.S32:
		return canon.S32(int32(g.rng.Uint32()))
	case wit.U32:
		return canon.U32(g.rng.Uint32())
	case wit.S64:
		return canon.S64(int64(g.rng.Uint64()))
	case wit.U64:
		return canon.U64(g.rng.Uint64())
	case wit.F32:
		return canon.F32(float32(g.rng.NormFloat64() * 1e3))
	case wit.F64:
		return canon.F64(g.rng.NormFloat64() * math.Pi * 1e9)
	case wit.Char:
		for {
			r := rune(g.rng.IntN(0x110000))
			if r < 0xD800 || r > 0xDFFF {
				return canon.Char(r)
			}
		}
	case wit.String:
		return canon.String(propStrings[g.rng.IntN(len(propStrings))])
	}
	td := g.r.TypeDef(t)
	switch td.Kind {
	case wit.KindList:
		n := g.rng.IntN(4)
		if depth == 0 && g.rng.IntN(4) == 0 {
			n = 50 + g.rng.IntN(50)
		}
		elems := make([]canon.Value, n)
		for i := range elems {
			elems[i] = g.value(td.Elem, depth+1)
		}
		return canon.List(elems...)
	case wit.KindTuple:
		elems := make([]canon.Value, len(td.Tuple))
		for i, e := range td.Tuple {
			elems[i] = g.value(e, depth+1)
		}
		return canon.Tuple(elems...)
	case wit.KindOption:
		if g.rng.IntN(3) == 0 {
			return canon.None()
		}
		return canon.Some(g.value(td.Elem, depth+1))
	case wit.KindResult:
		if g.rng.IntN(2) == 0 {
			return canon.Ok(g.value(td.Ok, depth+1))
		}
		return canon.Err(g.value(td.Err, depth+1))
	}
	panic(fmt.Sprintf("no values of %v", td.Kind))
}

func coreTypes(ts []canon.CoreType) string {
	var b strings.Builder
	for _, t := range ts {
		b.WriteString(" " + t.String())
	}
	return b.String()
}

// propComponent is X or Y: it imports what it calls (imp, lowered as
// lowerFn), and exports the lifted forwarder as export; both with
// encoding enc. The core forwarder passes its flat parameters on and
// returns the results (through a block of its own when they spill).
func propComponent(t testing.TB, abi *canon.ABI, typ wit.Type, text, imp, lowerFn, export, enc string) string {
	lift, err := abi.FlattenFuncType([]wit.Type{typ}, typ, canon.FuncTypeOptions{}, canon.ContextLift)
	if err != nil {
		t.Fatal(err)
	}
	lower, err := abi.FlattenFuncType([]wit.Type{typ}, typ, canon.FuncTypeOptions{}, canon.ContextLower)
	if err != nil {
		t.Fatal(err)
	}
	l, err := abi.Layout(typ)
	if err != nil {
		t.Fatal(err)
	}
	var body strings.Builder
	for i := range lift.Params {
		fmt.Fprintf(&body, " (local.get %d)", i)
	}
	spilled := len(lower.Params) > len(lift.Params)
	if spilled {
		fmt.Fprintf(&body, " (call $realloc (i32.const 0) (i32.const 0) (i32.const 8) (i32.const %d)) (local.tee %d)", l.Size, len(lift.Params))
	}
	body.WriteString(" (call $sink)")
	if spilled {
		fmt.Fprintf(&body, " (local.get %d)", len(lift.Params))
	}
	result := ""
	if len(lift.Results) > 0 {
		result = "(result" + coreTypes(lift.Results) + ")"
	}
	lowerResult := ""
	if len(lower.Results) > 0 {
		lowerResult = "(result" + coreTypes(lower.Results) + ")"
	}
	opts := fmt.Sprintf(`(memory (core memory $mem "mem")) (realloc (core func $mem "realloc")) string-encoding=%s`, enc)
	return fmt.Sprintf(`(component
  %s
  (core module $Mem
    (memory (export "mem") 1)
    (global $heap (mut i32) (i32.const 1024))
    (func (export "realloc") (param $old i32) (param $osize i32) (param $align i32) (param $size i32) (result i32)
      (local $p i32) (local $end i32)
      (local.set $p (i32.and (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get $align))))
      (local.set $end (i32.add (local.get $p) (local.get $size)))
      (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
        (then
          (if (i32.lt_s (memory.grow (i32.add (i32.shr_u (i32.sub (local.get $end) (i32.mul (memory.size) (i32.const 65536))) (i32.const 16)) (i32.const 1)))
                        (i32.const 0))
            (then unreachable))))
      (global.set $heap (local.get $end))
      (if (local.get $osize)
        (then (memory.copy (local.get $p) (local.get $old)
                (select (local.get $osize) (local.get $size) (i32.lt_u (local.get $osize) (local.get $size))))))
      (local.get $p)))
  (core instance $mem (instantiate $Mem))
  (core func $lowered (canon lower (func %s) %s))
  (core module $M
    (import "mem" "realloc" (func $realloc (param i32 i32 i32 i32) (result i32)))
    (import "h" "sink" (func $sink (param%s) %s))
    (func (export "f") (param%s) %s (local i32)%s))
  (core instance $i (instantiate $M (with "mem" (instance $mem)) (with "h" (instance (export "sink" (func $lowered))))))
  (func (export %q) (param "x" %s) (result %s) (canon lift (core func $i "f") %s)))`,
		imp, lowerFn, opts, coreTypes(lower.Params), lowerResult, coreTypes(lift.Params), result, body.String(), export, text, text, opts)
}

func TestAdapterProperty(t *testing.T) {
	ctx := context.Background()
	r, err := runtime.New(ctx, runtime.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(ctx)
	encs := []string{"utf8", "utf16", "latin1+utf16"}
	const ntypes = 40
	g := &propGen{r: &wit.Resolve{}, rng: rand.New(rand.NewPCG(7, 11))}
	abi := canon.New(g.r, canon.Addr32)
	echo := func(ctx context.Context, args []canon.Value) ([]canon.Value, error) { return args, nil }
	checked, fused := 0, 0
	for n := 0; n < ntypes; n++ {
		typ, text := g.typ(3)
		if n == ntypes-1 {
			// Enough parameters to spill: a tuple of 17 flat values.
			parts := make([]string, 17)
			tt := make([]wit.Type, 17)
			for i := range parts {
				parts[i], tt[i] = "u8", wit.U8
			}
			parts[3], tt[3] = "string", wit.String
			typ, text = g.add(&wit.TypeDef{Kind: wit.KindTuple, Tuple: tt}), "(tuple "+strings.Join(parts, " ")+")"
		}
		t.Logf("type %d: %s", n, text)
		values := make([]canon.Value, 4)
		for i := range values {
			values[i] = g.value(typ, 0)
		}
		for _, ex := range encs {
			for _, ey := range encs {
				y := propComponent(t, abi, typ, text, fmt.Sprintf(`(import "sink" (func $sink (param "x" %s) (result %s)))`, text, text), "$sink", "f", ey)
				x := propComponent(t, abi, typ, text, fmt.Sprintf(`(import "y" (instance $y (export "f" (func (param "x" %s) (result %s)))))`, text, text), `$y "f"`, "g", ex)
				compile := func(src string) *runtime.Compiled {
					bin, err := wat.Parse("prop.wat", []byte(src))
					if err != nil {
						t.Fatalf("%s: %v\n%s", text, err, src)
					}
					c, err := r.Compile(ctx, bin)
					if err != nil {
						t.Fatalf("%s: %v", text, err)
					}
					return c
				}
				sinkLinker := func() *runtime.Linker {
					l := runtime.NewLinker()
					if err := l.Func("", "sink", echo); err != nil {
						t.Fatal(err)
					}
					return l
				}
				cc := compile(fmt.Sprintf("(component\n(import \"sink\" (func $sink (param \"x\" %s) (result %s)))\n%s\n%s\n"+
					"(instance $y (instantiate $Y (with \"sink\" (func $sink))))\n(instance $x (instantiate $X (with \"y\" (instance $y))))\n"+
					"(export \"g\" (func $x \"g\")))", text, text, strings.Replace(y, "(component", "(component $Y", 1), strings.Replace(x, "(component", "(component $X", 1)))
				if a, _ := runtime.Fused(cc); a > 0 {
					fused++
				}
				composed, err := cc.Instantiate(ctx, sinkLinker())
				if err != nil {
					t.Fatal(err)
				}
				iy, err := compile(y).Instantiate(ctx, sinkLinker())
				if err != nil {
					t.Fatal(err)
				}
				l := runtime.NewLinker()
				if err := l.Instance("y", iy, ""); err != nil {
					t.Fatal(err)
				}
				linked, err := compile(x).Instantiate(ctx, l)
				if err != nil {
					t.Fatal(err)
				}
				for _, v := range values {
					got, err := composed.Call(ctx, "g", v)
					if err != nil {
						t.Fatalf("%s (X %s, Y %s): composed g(%v): %v", text, ex, ey, v, err)
					}
					want, err := linked.Call(ctx, "g", v)
					if err != nil {
						t.Fatalf("%s (X %s, Y %s): linked g(%v): %v", text, ex, ey, v, err)
					}
					if !got[0].Equal(v) || !want[0].Equal(v) {
						t.Fatalf("%s (X %s, Y %s): g(%v): composed %v, linked %v", text, ex, ey, v, got[0], want[0])
					}
					checked++
				}
				if n := composed.GoCalls(); n != 0 {
					t.Errorf("%s: %d composed calls went through Go", text, n)
				}
			}
		}
	}
	t.Logf("%d calls checked over %d types and 9 encoding pairs; %d compositions fused", checked, ntypes, fused)
}
