package runtime_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/component"
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

// propGen makes random types into a Resolve, with printers of their
// text in the component type syntax: ref names a nominal type (record,
// variant, enum, flags), which each component refers to by its own index
// (imported, exported or aliased).
type propGen struct {
	r   *wit.Resolve
	rng *rand.Rand
	// defs print the nominal types' definitions, in dependency order.
	defs []printer
}

type printer func(ref func(int) string) string

func lit(s string) printer { return func(func(int) string) string { return s } }

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

// nominal adds a nominal type printed by def.
func (g *propGen) nominal(td *wit.TypeDef, def printer) (wit.Type, printer) {
	k := len(g.defs)
	g.defs = append(g.defs, def)
	return g.add(td), func(ref func(int) string) string { return ref(k) }
}

func seq(ps []printer, f func(i int, s string) string) printer {
	return func(ref func(int) string) string {
		var b strings.Builder
		for i, p := range ps {
			b.WriteString(f(i, p(ref)))
		}
		return b.String()
	}
}

func (g *propGen) typ(depth int) (wit.Type, printer) {
	if depth <= 0 || g.rng.IntN(3) == 0 {
		if g.rng.IntN(4) == 0 {
			return wit.String, lit("string") // strings are where encodings differ
		}
		p := propPrims[g.rng.IntN(len(propPrims))]
		return p.t, lit(p.text)
	}
	d := depth - 1
	switch g.rng.IntN(8) {
	case 0:
		e, et := g.typ(d)
		return g.add(&wit.TypeDef{Kind: wit.KindList, Elem: e}), func(ref func(int) string) string { return "(list " + et(ref) + ")" }
	case 1:
		n := 1 + g.rng.IntN(4)
		td := &wit.TypeDef{Kind: wit.KindTuple}
		var ps []printer
		for i := 0; i < n; i++ {
			e, et := g.typ(d)
			td.Tuple = append(td.Tuple, e)
			ps = append(ps, et)
		}
		inner := seq(ps, func(_ int, s string) string { return " " + s })
		return g.add(td), func(ref func(int) string) string { return "(tuple" + inner(ref) + ")" }
	case 2:
		e, et := g.typ(d)
		return g.add(&wit.TypeDef{Kind: wit.KindOption, Elem: e}), func(ref func(int) string) string { return "(option " + et(ref) + ")" }
	case 3:
		ok, okt := g.typ(d)
		er, ert := g.typ(d)
		return g.add(&wit.TypeDef{Kind: wit.KindResult, Ok: ok, Err: er}), func(ref func(int) string) string {
			return "(result " + okt(ref) + " (error " + ert(ref) + "))"
		}
	case 4:
		n := 1 + g.rng.IntN(4)
		td := &wit.TypeDef{Kind: wit.KindRecord}
		var ps []printer
		for i := 0; i < n; i++ {
			e, et := g.typ(d)
			td.Fields = append(td.Fields, wit.Field{Name: fmt.Sprintf("f%d", i), Type: e})
			ps = append(ps, et)
		}
		inner := seq(ps, func(i int, s string) string { return fmt.Sprintf(" (field \"f%d\" %s)", i, s) })
		return g.nominal(td, func(ref func(int) string) string { return "(record" + inner(ref) + ")" })
	case 5:
		n := 1 + g.rng.IntN(4)
		td := &wit.TypeDef{Kind: wit.KindVariant}
		var ps []printer
		for i := 0; i < n; i++ {
			if g.rng.IntN(3) == 0 {
				td.Cases = append(td.Cases, wit.Case{Name: fmt.Sprintf("c%d", i), Type: wit.NoneType})
				ps = append(ps, lit(""))
				continue
			}
			e, et := g.typ(d)
			td.Cases = append(td.Cases, wit.Case{Name: fmt.Sprintf("c%d", i), Type: e})
			ps = append(ps, func(ref func(int) string) string { return " " + et(ref) })
		}
		inner := seq(ps, func(i int, s string) string { return fmt.Sprintf(" (case \"c%d\"%s)", i, s) })
		return g.nominal(td, func(ref func(int) string) string { return "(variant" + inner(ref) + ")" })
	case 6:
		n := 1 + g.rng.IntN(300)
		td := &wit.TypeDef{Kind: wit.KindEnum}
		text := "(enum"
		for i := 0; i < n; i++ {
			td.Enum = append(td.Enum, wit.EnumCase{Name: fmt.Sprintf("e%d", i)})
			text += fmt.Sprintf(" \"e%d\"", i)
		}
		return g.nominal(td, lit(text+")"))
	default:
		n := 1 + g.rng.IntN(32)
		td := &wit.TypeDef{Kind: wit.KindFlags}
		text := "(flags"
		for i := 0; i < n; i++ {
			td.Flags = append(td.Flags, wit.Flag{Name: fmt.Sprintf("g%d", i)})
			text += fmt.Sprintf(" \"g%d\"", i)
		}
		return g.nominal(td, lit(text+")"))
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
	case wit.KindRecord:
		elems := make([]canon.Value, len(td.Fields))
		for i, f := range td.Fields {
			elems[i] = g.value(f.Type, depth+1)
		}
		return canon.Record(elems...)
	case wit.KindVariant:
		c := g.rng.IntN(len(td.Cases))
		if td.Cases[c].Type == wit.NoneType {
			return canon.Variant(uint32(c), canon.Value{})
		}
		return canon.Variant(uint32(c), g.value(td.Cases[c].Type, depth+1))
	case wit.KindEnum:
		return canon.Enum(uint32(g.rng.IntN(len(td.Enum))))
	case wit.KindFlags:
		return canon.Flags(uint32(g.rng.Uint64() & (1<<len(td.Flags) - 1)))
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

// propComponent is X or Y: after preamble (its imports, which include
// what it calls, lowered as lowerFn), a core forwarder that passes its
// flat parameters on and returns the results (through a block of its own
// when they spill), lifted as $f of type liftText, then tail (its
// exports); both with encoding enc.
func propComponent(t testing.TB, abi *canon.ABI, typ wit.Type, liftText, preamble, lowerFn, tail, enc string) string {
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
  (func $f (param "x" %s) (result %s) (canon lift (core func $i "f") %s))
  %s)`,
		preamble, lowerFn, opts, coreTypes(lower.Params), lowerResult, coreTypes(lift.Params), result, body.String(), liftText, liftText, opts, tail)
}

// refs names nominal type k with prefix p: $p0, $p1...
func refs(p string) func(int) string { return func(k int) string { return fmt.Sprintf("$%s%d", p, k) } }

func TestAdapterProperty(t *testing.T) {
	// Several seeds: a bug may need a type only some of them make (a
	// string in a list, to see locals reused across elements).
	for _, seed := range []uint64{7, 3, 4} {
		t.Run(fmt.Sprint("seed-", seed), func(t *testing.T) { adapterProperty(t, seed) })
	}
}

func adapterProperty(t *testing.T, seed uint64) {
	ctx := context.Background()
	r, err := runtime.New(ctx, runtime.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(ctx)
	encs := []string{"utf8", "utf16", "latin1+utf16"}
	const ntypes = 40
	g := &propGen{r: &wit.Resolve{}, rng: rand.New(rand.NewPCG(seed, 11))}
	abi := canon.New(g.r, canon.Addr32)
	echo := func(ctx context.Context, args []canon.Value) ([]canon.Value, error) { return args, nil }
	checked, fused := 0, 0
	for n := 0; n < ntypes; n++ {
		ndefs := len(g.defs)
		typ, text := g.typ(3)
		if n == ntypes-1 {
			// Enough parameters to spill: a tuple of 17 flat values.
			parts := make([]string, 17)
			tt := make([]wit.Type, 17)
			for i := range parts {
				parts[i], tt[i] = "u8", wit.U8
			}
			parts[3], tt[3] = "string", wit.String
			typ, text = g.add(&wit.TypeDef{Kind: wit.KindTuple, Tuple: tt}), lit("(tuple "+strings.Join(parts, " ")+")")
		}
		t.Logf("type %d: %s", n, text(refs("t")))
		values := make([]canon.Value, 4)
		for i := range values {
			values[i] = g.value(typ, 0)
		}
		// The nominal types: imported (by Y and the composition, as type
		// imports with their definitions) and exported again.
		ti, te, ta := text(refs("i")), text(refs("e")), text(refs("a"))
		var imports, exports, instType, aliases strings.Builder
		for k, d := range g.defs[ndefs:] {
			k += ndefs
			fmt.Fprintf(&imports, "(type $t%d %s) (import \"t%d\" (type $i%d (eq $t%d)))\n", k, d(refs("i")), k, k, k)
			fmt.Fprintf(&exports, "(type $u%d %s) (export $e%d \"t%d\" (type $u%d))\n", k, d(refs("e")), k, k, k)
			fmt.Fprintf(&instType, "(type $t%d %s) (export \"t%d\" (type $e%d (eq $t%d)))\n", k, d(refs("e")), k, k, k)
			fmt.Fprintf(&aliases, "(alias export $y \"t%d\" (type $a%d))\n", k, k)
		}
		sinkImport := fmt.Sprintf(`(import "sink" (func $sink (param "x" %s) (result %s)))`, ti, ti)
		for _, ex := range encs {
			for _, ey := range encs {
				y := propComponent(t, abi, typ, ti, imports.String()+sinkImport, "$sink",
					exports.String()+fmt.Sprintf(`(export "f" (func $f) (func (param "x" %s) (result %s)))`, te, te), ey)
				x := propComponent(t, abi, typ, ta,
					fmt.Sprintf(`(import "y" (instance $y %s (export "f" (func (param "x" %s) (result %s)))))`, instType.String(), te, te)+"\n"+aliases.String(),
					`$y "f"`, `(export "g" (func $f))`, ex)
				compile := func(src string) *runtime.Compiled {
					bin, err := wat.Parse("prop.wat", []byte(src))
					if err != nil {
						t.Fatalf("%s: %v\n%s", text(refs("t")), err, src)
					}
					// The components must be valid, so that the runtime is
					// not tested on what the model rejects.
					dc, err := component.Decode(bin)
					if err == nil {
						err = component.Validate(dc, component.DefaultFeatures)
					}
					if err != nil {
						t.Fatalf("%s: invalid: %v\n%s", text(refs("t")), err, src)
					}
					c, err := r.Compile(ctx, bin)
					if err != nil {
						t.Fatalf("%s: %v", text(refs("t")), err)
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
				var tyArgs strings.Builder
				for k := ndefs; k < len(g.defs); k++ {
					fmt.Fprintf(&tyArgs, " (with \"t%d\" (type $i%d))", k, k)
				}
				cc := compile(fmt.Sprintf("(component\n%s%s\n%s\n%s\n"+
					"(instance $y (instantiate $Y%s (with \"sink\" (func $sink))))\n(instance $x (instantiate $X (with \"y\" (instance $y))))\n"+
					"%s(export \"g\" (func $x \"g\") (func (param \"x\" %s) (result %s))))",
					imports.String(), sinkImport, strings.Replace(y, "(component", "(component $Y", 1), strings.Replace(x, "(component", "(component $X", 1),
					tyArgs.String(), exports.String(), te, te))
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
						t.Fatalf("%s (X %s, Y %s): composed g(%v): %v", text(refs("t")), ex, ey, v, err)
					}
					want, err := linked.Call(ctx, "g", v)
					if err != nil {
						t.Fatalf("%s (X %s, Y %s): linked g(%v): %v", text(refs("t")), ex, ey, v, err)
					}
					if !got[0].Equal(v) || !want[0].Equal(v) {
						t.Fatalf("%s (X %s, Y %s): g(%v): composed %v, linked %v", text(refs("t")), ex, ey, v, got[0], want[0])
					}
					checked++
				}
				if n := composed.GoCalls(); n != 0 {
					t.Errorf("%s: %d composed calls went through Go", text(refs("t")), n)
				}
			}
		}
	}
	t.Logf("%d calls checked over %d types and 9 encoding pairs; %d compositions fused", checked, ntypes, fused)
}
