package wasm

import (
	"math/rand/v2"
	"reflect"
	"testing"
)

// randomValType appends a value type: mostly numbers, sometimes a
// reference in its short or long form.
func randomValType(rng *rand.Rand, b []byte) []byte {
	switch rng.IntN(8) {
	case 0:
		return append(b, HeapFunc)
	case 1:
		return append(b, Ref, HeapExtern)
	case 2:
		return AppendS64(append(b, RefNull), int64(rng.IntN(200)))
	}
	return append(b, []byte{I32, I64, F32, F64, V128}[rng.IntN(5)])
}

func randomFuncType(rng *rand.Rand, b []byte, refs bool) []byte {
	b = append(b, byte(CompFunc))
	for range 2 {
		n := rng.IntN(6)
		if rng.IntN(20) == 0 {
			n = 130 // a two-byte count
		}
		b = AppendU32(b, uint32(n))
		for range n {
			if refs {
				b = randomValType(rng, b)
			} else {
				b = append(b, []byte{I32, I64, F32, F64, V128}[rng.IntN(5)])
			}
		}
	}
	return b
}

// TestReadTypes: the type section read with shared value type chunks and
// the number-only fast path gives what reading each group alone gives.
func TestReadTypes(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for iter := 0; iter < 300; iter++ {
		n := rng.IntN(40)
		sec := AppendU32(nil, uint32(n))
		for range n {
			switch k := rng.IntN(10); {
			case k == 0: // an explicit rec group
				m := rng.IntN(3)
				sec = AppendU32(append(sec, 0x4e), uint32(m))
				for range m {
					sec = randomFuncType(rng, sec, true)
				}
			case k == 1: // a subtype with a supertype
				sec = randomFuncType(rng, append(sec, 0x50, 1, 0), false)
			case k == 2: // a struct
				sec = append(sec, byte(CompStruct), 2, I32, 1, PackedI8, 0)
			default:
				sec = randomFuncType(rng, sec, k == 3)
			}
		}
		mod := append(append(append([]byte{}, Magic...), ModuleVersion...), SecType)
		mod = append(AppendU32(mod, uint32(len(sec))), sec...)
		info, err := ReadModule(mod, 0)
		if err != nil {
			t.Fatalf("iter %d: %v", iter, err)
		}
		var want []SubType
		r := NewReader(sec, 0)
		r.U32()
		for range n {
			g, err := r.ReadRecGroup()
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, g.Types...)
		}
		if (len(want) > 0 || len(info.Types) > 0) && !reflect.DeepEqual(info.Types, want) {
			t.Fatalf("iter %d: types differ:\n%+v\nwant\n%+v", iter, info.Types, want)
		}
		// Neighbours share chunks: growing one list leaves the next alone.
		for i := range info.Types {
			f := &info.Types[i].Func
			if len(f.Params) != cap(f.Params) || len(f.Results) != cap(f.Results) {
				t.Fatalf("iter %d: type %d: a list's capacity reaches past it", iter, i)
			}
		}
	}
	// Truncated and malformed function types still fail with an offset.
	for _, sec := range [][]byte{
		{1, 0x60, 2, I32},
		{1, 0x60, 1, I32, 3, I32},
		{1, 0x60, 1, 0x10, 0},
		{1, 0x60, 0x80},
	} {
		mod := append(append(append([]byte{}, Magic...), ModuleVersion...), SecType, byte(len(sec)))
		if _, err := ReadModule(append(mod, sec...), 0); err == nil {
			t.Errorf("type section % x accepted", sec)
		} else if _, ok := err.(*Error); !ok {
			t.Errorf("type section % x: error %T", sec, err)
		}
	}
}
