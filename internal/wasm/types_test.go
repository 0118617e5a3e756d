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
		got := info.SubTypes()
		if (len(want) > 0 || len(got) > 0) && !reflect.DeepEqual(got, want) {
			t.Fatalf("iter %d: types differ:\n%+v\nwant\n%+v", iter, got, want)
		}
		for i := range want {
			f := info.FuncType(uint32(i))
			if (f != nil) != (want[i].Kind == CompFunc) {
				t.Fatalf("iter %d: type %d: FuncType = %v for a %x", iter, i, f, want[i].Kind)
			}
			if f != nil && !reflect.DeepEqual(*f, want[i].Func) {
				t.Fatalf("iter %d: type %d: FuncType = %v, want %v", iter, i, f, &want[i].Func)
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

// TestUsedFuncTypes checks that the function types a module's imports and
// exported functions use are decoded once (FuncType returns the same
// value each time, its lists capped so that growing one leaves its
// neighbour alone), that any other type is decoded on demand, and that
// ReadModule (which copies) and ReadModuleAliased agree.
func TestUsedFuncTypes(t *testing.T) {
	var m Builder
	ref := ValType{Code: Ref, Heap: HeapType{Index: 0}}
	sigs := [][2][]ValType{
		{{ValI32, ValI64}, {ValF32}},     // 0: imported
		{{ValF64}, nil},                  // 1: unused
		{nil, {ValI32, ValI32}},          // 2: a defined, exported function's
		{{ref, ValExternRef}, {ValV128}}, // 3: imported, not number-only
		{{ValI64}, {ValI64}},             // 4: a defined, unexported function's
	}
	for _, s := range sigs {
		m.Types = append(m.Types, RecGroup{Types: []SubType{{Final: true, Kind: CompFunc, Func: FuncType{Params: s[0], Results: s[1]}}}})
	}
	m.AddImport("m", "a", ExternType{Kind: ExternFunc, Index: 0})
	m.AddImport("m", "b", ExternType{Kind: ExternFunc, Index: 3})
	f := m.AddFunc(Func{Type: 2, Body: []byte{0x41, 0, 0x41, 0, 0x0b}})
	m.AddFunc(Func{Type: 4, Body: []byte{0x20, 0, 0x0b}})
	m.Export("f", ExternFunc, f)
	bin := m.Encode()
	for _, read := range []func([]byte, int) (*ModuleInfo, error){ReadModule, ReadModuleAliased} {
		info, err := read(bin, 0)
		if err != nil {
			t.Fatal(err)
		}
		if info.NumTypes() != len(sigs) {
			t.Fatalf("NumTypes = %d, want %d", info.NumTypes(), len(sigs))
		}
		for i, s := range sigs {
			want := FuncType{Params: s[0], Results: s[1]}
			got := info.FuncType(uint32(i))
			if got == nil || !got.Equal(&want) {
				t.Fatalf("type %d: FuncType = %v, want %v", i, got, &want)
			}
			used := i == 0 || i == 2 || i == 3
			if again := info.FuncType(uint32(i)); (again == got) != used {
				t.Errorf("type %d: decoded once = %v, want %v", i, again == got, used)
			}
			if used && (cap(got.Params) != len(got.Params) || cap(got.Results) != len(got.Results)) {
				t.Errorf("type %d: a list's capacity reaches past it", i)
			}
		}
		if info.FuncType(uint32(len(sigs))) != nil {
			t.Error("FuncType past the last type is not nil")
		}
	}
}
