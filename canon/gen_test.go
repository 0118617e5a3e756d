package canon_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/wit"
)

// typeGen builds random anonymous types into a Resolve.
type typeGen struct {
	r   *wit.Resolve
	rng *rand.Rand
	res wit.TypeID
}

func newTypeGen(seed uint64) *typeGen {
	g := &typeGen{r: &wit.Resolve{}, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	g.r.Types = append(g.r.Types, &wit.TypeDef{Kind: wit.KindResource, Name: "R"})
	g.res = 0
	return g
}

func (g *typeGen) add(td *wit.TypeDef) wit.Type {
	g.r.Types = append(g.r.Types, td)
	return wit.TypeOf(wit.TypeID(len(g.r.Types) - 1))
}

var prims = []wit.Type{wit.Bool, wit.S8, wit.U8, wit.S16, wit.U16, wit.S32, wit.U32, wit.S64, wit.U64, wit.F32, wit.F64, wit.Char, wit.String}

func (g *typeGen) typ(depth int) wit.Type {
	if depth <= 0 || g.rng.IntN(3) == 0 {
		if g.rng.IntN(30) == 0 {
			return g.add(&wit.TypeDef{Kind: wit.KindOwn, Resource: g.res})
		}
		return prims[g.rng.IntN(len(prims))]
	}
	d := depth - 1
	switch g.rng.IntN(12) {
	case 0:
		return g.add(&wit.TypeDef{Kind: wit.KindList, Elem: g.typ(d)})
	case 1:
		return g.add(&wit.TypeDef{Kind: wit.KindFixedLengthList, Elem: g.typ(d), Len: uint32(1 + g.rng.IntN(4))})
	case 2:
		n := 1 + g.rng.IntN(5)
		td := &wit.TypeDef{Kind: wit.KindRecord}
		for i := 0; i < n; i++ {
			td.Fields = append(td.Fields, wit.Field{Name: fmt.Sprintf("f%d", i), Type: g.typ(d)})
		}
		return g.add(td)
	case 3:
		n := 1 + g.rng.IntN(4)
		td := &wit.TypeDef{Kind: wit.KindTuple}
		for i := 0; i < n; i++ {
			td.Tuple = append(td.Tuple, g.typ(d))
		}
		return g.add(td)
	case 4:
		n := 1 + g.rng.IntN(5)
		td := &wit.TypeDef{Kind: wit.KindVariant}
		for i := 0; i < n; i++ {
			c := wit.Case{Name: fmt.Sprintf("c%d", i)}
			if g.rng.IntN(4) != 0 {
				c.Type = g.typ(d)
			}
			td.Cases = append(td.Cases, c)
		}
		return g.add(td)
	case 5:
		n := 1 + g.rng.IntN(300)
		if g.rng.IntN(2) == 0 {
			n = 1 + g.rng.IntN(4)
		}
		td := &wit.TypeDef{Kind: wit.KindEnum}
		for i := 0; i < n; i++ {
			td.Enum = append(td.Enum, wit.EnumCase{Name: fmt.Sprintf("e%d", i)})
		}
		return g.add(td)
	case 6:
		return g.add(&wit.TypeDef{Kind: wit.KindOption, Elem: g.typ(d)})
	case 7:
		td := &wit.TypeDef{Kind: wit.KindResult}
		if g.rng.IntN(3) != 0 {
			td.Ok = g.typ(d)
		}
		if g.rng.IntN(3) != 0 {
			td.Err = g.typ(d)
		}
		return g.add(td)
	case 8:
		n := 1 + g.rng.IntN(32)
		td := &wit.TypeDef{Kind: wit.KindFlags}
		for i := 0; i < n; i++ {
			td.Flags = append(td.Flags, wit.Flag{Name: fmt.Sprintf("g%d", i)})
		}
		return g.add(td)
	case 9:
		keys := []wit.Type{wit.Bool, wit.U8, wit.S32, wit.U64, wit.Char, wit.String}
		return g.add(&wit.TypeDef{Kind: wit.KindMap, Key: keys[g.rng.IntN(len(keys))], Elem: g.typ(d)})
	case 10:
		// An alias, which the ABI must see through.
		return g.add(&wit.TypeDef{Kind: wit.KindType, Elem: g.typ(d)})
	default:
		return prims[g.rng.IntN(len(prims))]
	}
}

var sampleStrings = []string{"", "a", "hello", "café", "\x00nul", "ÿþ", "€uro", "日本語", "😀", "a😀b", "\u0100", "\u00ff\u0100", "\u007f\u0080", "\U0010FFFF"}

func (g *typeGen) str() string {
	if g.rng.IntN(2) == 0 {
		return sampleStrings[g.rng.IntN(len(sampleStrings))]
	}
	n := g.rng.IntN(20)
	rs := make([]rune, n)
	for i := range rs {
		switch g.rng.IntN(4) {
		case 0:
			rs[i] = rune(g.rng.IntN(0x80))
		case 1:
			rs[i] = rune(g.rng.IntN(0x100))
		case 2:
			rs[i] = rune(0x100 + g.rng.IntN(0xd800-0x100))
		default:
			rs[i] = rune(0x10000 + g.rng.IntN(0x100000))
		}
	}
	return string(rs)
}

func (g *typeGen) f64() float64 {
	special := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), math.MaxFloat64, math.SmallestNonzeroFloat64, 0.1}
	if g.rng.IntN(3) == 0 {
		f := special[g.rng.IntN(len(special))]
		if math.IsNaN(f) {
			return math.Float64frombits(0x7ff8000000000000)
		}
		return f
	}
	return math.Float64frombits(g.rng.Uint64()&^(0x7ff<<52) | uint64(g.rng.IntN(0x7ff))<<52)
}

// value makes a random value of layout l. Floats use the canonical NaN
// only, so that round trips are exact.
func (g *typeGen) value(l *canon.Layout, rep *uint32) canon.Value {
	switch l.Kind {
	case canon.KindBool:
		return canon.Bool(g.rng.IntN(2) == 0)
	case canon.KindS8:
		return canon.S8(int8(g.rng.Uint32()))
	case canon.KindU8:
		return canon.U8(uint8(g.rng.Uint32()))
	case canon.KindS16:
		return canon.S16(int16(g.rng.Uint32()))
	case canon.KindU16:
		return canon.U16(uint16(g.rng.Uint32()))
	case canon.KindS32:
		return canon.S32(int32(g.rng.Uint32()))
	case canon.KindU32:
		return canon.U32(g.rng.Uint32())
	case canon.KindS64:
		return canon.S64(int64(g.rng.Uint64()))
	case canon.KindU64:
		return canon.U64(g.rng.Uint64())
	case canon.KindF32:
		f := float32(g.f64())
		if f != f {
			f = math.Float32frombits(0x7fc00000)
		}
		return canon.F32(f)
	case canon.KindF64:
		return canon.F64(g.f64())
	case canon.KindChar:
		for {
			r := rune(g.rng.IntN(0x110000))
			if r < 0xd800 || r > 0xdfff {
				return canon.Char(r)
			}
		}
	case canon.KindString:
		return canon.String(g.str())
	case canon.KindList, canon.KindMap:
		n := g.rng.IntN(5)
		elems := make([]canon.Value, n)
		for i := range elems {
			elems[i] = g.value(l.Elem(), rep)
		}
		if l.Kind == canon.KindMap {
			pairs := make([][2]canon.Value, n)
			for i, e := range elems {
				pairs[i] = [2]canon.Value{e.Index(0), e.Index(1)}
			}
			return canon.Map(pairs...)
		}
		return canon.List(elems...)
	case canon.KindFixedList:
		elems := make([]canon.Value, l.Len())
		for i := range elems {
			elems[i] = g.value(l.Elem(), rep)
		}
		return canon.FixedList(elems...)
	case canon.KindRecord, canon.KindTuple:
		elems := make([]canon.Value, len(l.Fields()))
		for i, f := range l.Fields() {
			elems[i] = g.value(f, rep)
		}
		if l.Kind == canon.KindRecord {
			return canon.Record(elems...)
		}
		return canon.Tuple(elems...)
	case canon.KindVariant, canon.KindEnum, canon.KindOption, canon.KindResult:
		c := uint32(g.rng.IntN(int(l.Len())))
		var payload canon.Value
		if cl := l.Cases()[c]; cl != nil {
			payload = g.value(cl, rep)
		}
		switch l.Kind {
		case canon.KindEnum:
			return canon.Enum(c)
		case canon.KindOption:
			if c == 0 {
				return canon.None()
			}
			return canon.Some(payload)
		case canon.KindResult:
			if c == 0 {
				return canon.Ok(payload)
			}
			return canon.Err(payload)
		}
		return canon.Variant(c, payload)
	case canon.KindFlags:
		bits := g.rng.Uint32()
		if l.Len() < 32 {
			bits &= 1<<l.Len() - 1
		}
		return canon.Flags(bits)
	case canon.KindOwn:
		*rep++
		return canon.Own(*rep)
	}
	panic("unsupported kind " + l.Kind.String())
}
