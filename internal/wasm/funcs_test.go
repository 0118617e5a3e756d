package wasm

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// appendPaddedU32 appends v as LEB128 in exactly size bytes (1..5), the
// longer forms being the non-minimal encodings the format allows.
func appendPaddedU32(b []byte, v uint32, size int) []byte {
	for i := 0; i < size-1; i++ {
		b = append(b, byte(v&0x7f)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// funcModule encodes a module importing one function per entry of
// imported (by type index) and defining functions whose function section
// entries are the given bytes.
func funcModule(imported []uint32, n int, entries []byte) []byte {
	b := append([]byte{}, Magic...)
	b = append(b, ModuleVersion...)
	if len(imported) > 0 {
		var s []byte
		s = AppendU32(s, uint32(len(imported)))
		for _, t := range imported {
			s = AppendImport(s, Import{Module: "m", Name: "f", Type: ExternType{Kind: ExternFunc, Index: t}})
		}
		b = append(AppendU32(append(b, SecImport), uint32(len(s))), s...)
	}
	s := AppendU32(nil, uint32(n))
	s = append(s, entries...)
	return append(AppendU32(append(b, SecFunction), uint32(len(s))), s...)
}

// randomEntries makes n function section entries of the sizes the shape
// picks, returning their bytes and values.
func randomEntries(rng *rand.Rand, n int, shape int) ([]byte, []uint32) {
	var b []byte
	vals := make([]uint32, n)
	for i := range vals {
		size := 1
		switch shape {
		case 1: // now and then two bytes (an engine's module)
			if rng.IntN(200) == 0 {
				size = 2
			}
		case 2: // half and half
			size = 1 + rng.IntN(2)
		case 3: // anything up to four bytes
			size = 1 + rng.IntN(4)
		case 4: // some five-byte (non-minimal or large) entries
			size = 1 + rng.IntN(5)
		}
		v := rng.Uint32()
		if size < 5 {
			v &= 1<<(7*size) - 1
		}
		if rng.IntN(3) == 0 {
			v &= 0x7f // small values in long forms
		}
		vals[i] = v
		b = appendPaddedU32(b, v, size)
	}
	return b, vals
}

func TestFuncTypeIndex(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for iter := 0; iter < 300; iter++ {
		n := rng.IntN(700)
		if iter%50 == 0 {
			n = 64*rng.IntN(8) + rng.IntN(3) // around block sizes
		}
		shape := iter % 5
		entries, vals := randomEntries(rng, n, shape)
		imported := make([]uint32, rng.IntN(4))
		for i := range imported {
			imported[i] = rng.Uint32()
		}
		mod := funcModule(imported, n, entries)
		for _, read := range []func([]byte, int) (*ModuleInfo, error){ReadModule, ReadModuleAliased} {
			info, err := read(mod, 0)
			if err != nil {
				t.Fatalf("iter %d (shape %d, %d funcs): %v", iter, shape, n, err)
			}
			want := append(append([]uint32{}, imported...), vals...)
			if info.NumFuncs() != len(want) || info.ImportedFuncs != len(imported) {
				t.Fatalf("iter %d: NumFuncs %d (%d imported), want %d (%d)", iter, info.NumFuncs(), info.ImportedFuncs, len(want), len(imported))
			}
			for i, w := range want {
				if got, ok := info.FuncTypeIndex(uint32(i)); !ok || got != w {
					t.Fatalf("iter %d (shape %d, %d funcs): FuncTypeIndex(%d) = %d, %v; want %d", iter, shape, n, i, got, ok, w)
				}
			}
			for _, i := range []uint32{uint32(len(want)), uint32(len(want)) + 1, 1 << 31, ^uint32(0)} {
				if _, ok := info.FuncTypeIndex(i); ok {
					t.Fatalf("iter %d: FuncTypeIndex(%d) of %d functions succeeded", iter, i, len(want))
				}
			}
			if got := info.FuncTypes(); !reflect.DeepEqual(got, want) && len(want) > 0 {
				t.Fatalf("iter %d: FuncTypes differ", iter)
			}
		}
	}
}

// TestReadModuleCopiesFuncs: ReadModule's result does not change when the
// caller reuses its input; ReadModuleAliased's reads the input.
func TestReadModuleCopiesFuncs(t *testing.T) {
	mod := funcModule(nil, 3, []byte{5, 6, 7})
	info, err := ReadModule(mod, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range mod {
		mod[i] = 0xff
	}
	for i, w := range []uint32{5, 6, 7} {
		if got, ok := info.FuncTypeIndex(uint32(i)); !ok || got != w {
			t.Errorf("FuncTypeIndex(%d) = %d, %v after the input changed; want %d", i, got, ok, w)
		}
	}
}

// scanReference says, entry by entry, whether b holds exactly n LEB128
// u32s of at most four bytes each: what scanFuncs must answer.
func scanReference(b []byte, n int) bool {
	p := 0
	for i := 0; i < n; i++ {
		_, k, err := DecodeU32(b[p:])
		if err != nil || k > 4 {
			return false
		}
		p += k
	}
	return p == len(b)
}

func TestScanFuncs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	check := func(b []byte, n int) {
		t.Helper()
		var f funcSpace
		if got, want := f.scanFuncs(b, n), scanReference(b, n); got != want {
			t.Fatalf("scanFuncs(% x, %d) = %v, want %v", b, n, got, want)
		}
	}
	for iter := 0; iter < 2000; iter++ {
		// Bytes biased towards continuation bytes, so that runs of every
		// length meet the word and block boundaries.
		b := make([]byte, rng.IntN(200))
		for i := range b {
			b[i] = byte(rng.IntN(0x80))
			if rng.IntN(3) == 0 {
				b[i] |= 0x80
			}
		}
		ends := 0
		for _, c := range b {
			if c < 0x80 {
				ends++
			}
		}
		check(b, ends)
		check(b, ends+1)
		if ends > 0 {
			check(b, ends-1)
		}
	}
	// A run of exactly four continuation bytes at every position of two
	// blocks, and a run of three (a valid four-byte entry).
	for run := 3; run <= 4; run++ {
		for at := 0; at < 2*markBlock; at++ {
			b := make([]byte, 2*markBlock+8)
			for i := at; i < at+run; i++ {
				b[i] = 0x81
			}
			n := len(b) - run
			check(b, n)
		}
	}
}

func TestFuncSectionErrors(t *testing.T) {
	tests := []struct {
		name    string
		n       int
		entries []byte
		want    string
	}{
		{"fewer entries than declared", 3, []byte{1, 2}, "unexpected end-of-file"},
		{"more entries than declared", 1, []byte{1, 2}, "section 3 has 1 bytes after its last entry"},
		{"unfinished last entry", 2, []byte{1, 0x81}, "unexpected end-of-file"},
		{"over-long entry", 1, []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0}, "integer representation too long"},
		{"overflowing entry", 1, []byte{0xff, 0xff, 0xff, 0xff, 0x1f}, "integer too large"},
		{"bytes without entries", 0, []byte{0}, "section 3 has 1 bytes after its last entry"},
	}
	for _, tc := range tests {
		// Long enough that the word-at-a-time scan sees the fault in the
		// middle of a block, not only in its tail.
		entries := append(make([]byte, 100), tc.entries...)
		mod := funcModule(nil, tc.n+100, entries)
		_, err := ReadModule(mod, 0)
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		if e, ok := err.(*Error); !ok || !strings.Contains(e.Msg, tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	// A five-byte entry that fits is valid.
	mod := funcModule(nil, 2, []byte{0x80, 0x80, 0x80, 0x80, 0x0f, 3})
	info, err := ReadModule(mod, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := info.FuncTypeIndex(0); !ok || got != 0xf0000000 {
		t.Errorf("five-byte entry: %#x, %v", got, ok)
	}
	if got, ok := info.FuncTypeIndex(1); !ok || got != 3 {
		t.Errorf("entry after a five-byte one: %d, %v", got, ok)
	}
}

// FuzzFuncSection checks the word-at-a-time scan against the entry-by-
// entry reader on any bytes, and every entry's type index when valid.
func FuzzFuncSection(f *testing.F) {
	f.Add([]byte{1, 2, 3}, uint16(3))
	f.Add([]byte{0x81, 0x01, 0x80, 0x80, 0x80, 0x80, 0x01}, uint16(2))
	f.Fuzz(func(t *testing.T, b []byte, n16 uint16) {
		n := int(n16)
		var fs funcSpace
		if got, want := fs.scanFuncs(b, n), scanReference(b, n); got != want {
			t.Fatalf("scanFuncs = %v, reference %v", got, want)
		}
		if n > len(b) {
			return // Count rejects it before
		}
		info, err := ReadModule(funcModule(nil, n, b), 0)
		if err != nil {
			return
		}
		p := 0
		for i := 0; i < n; i++ {
			v, k, _ := DecodeU32(b[p:])
			p += k
			if got, ok := info.FuncTypeIndex(uint32(i)); !ok || got != v {
				t.Fatalf("FuncTypeIndex(%d) = %d, %v; want %d", i, got, ok, v)
			}
		}
	})
}

// TestReadModuleTruncated cuts every section of a module with imports of
// each kind, types, one- and two-byte function entries and exports at
// every length: each must be
// an *Error, never a panic.
func TestReadModuleTruncated(t *testing.T) {
	b := &Builder{}
	ti := b.AddFuncType([]ValType{ValI32, ValFuncRef}, []ValType{ValI64})
	b.AddImport("env", "f", ExternType{Kind: ExternFunc, Index: ti})
	b.AddImport("env", "m", ExternType{Kind: ExternMemory, Memory: MemoryType{Limits: Limits{Min: 1}}})
	b.AddImport("env", "g", ExternType{Kind: ExternGlobal, Global: GlobalType{Val: ValI32}})
	b.AddImport("env", "t", ExternType{Kind: ExternTable, Table: TableType{Elem: ValFuncRef}})
	// Enough types that some function section entries take two bytes.
	var big uint32
	for k := range 130 {
		big = b.AddFuncType(slices.Repeat([]ValType{ValI32}, k%20), slices.Repeat([]ValType{ValF64}, k/20))
	}
	for i := range 70 {
		b.AddFunc(Func{Type: []uint32{ti, big}[i%2], Body: []byte{OpEnd}})
	}
	b.Export("f", ExternFunc, 1)
	mod := b.Encode()
	if _, err := ReadModule(mod, 0); err != nil {
		t.Fatal(err)
	}
	r := NewReader(mod[8:], 8)
	for !r.EOF() {
		id, _ := r.Byte()
		sec, err := r.Sub("section")
		if err != nil {
			t.Fatal(err)
		}
		body := sec.Rest()
		for cut := 0; cut < len(body); cut++ {
			m := append(append([]byte{}, mod[:8]...), id)
			m = append(AppendU32(m, uint32(cut)), body[:cut]...)
			for _, read := range []func([]byte, int) (*ModuleInfo, error){ReadModule, ReadModuleAliased} {
				if _, err := read(m, 0); err != nil {
					if _, ok := err.(*Error); !ok {
						t.Fatalf("section %d cut at %d: error %T: %v", id, cut, err, err)
					}
				}
			}
		}
	}
}

// FuzzReadModule: any bytes give a module or an *Error, the same from
// ReadModule and ReadModuleAliased, and a module's function types agree
// with FuncTypes.
func FuzzReadModule(f *testing.F) {
	f.Add(funcModule([]uint32{1, 2}, 3, []byte{1, 0x81, 0x01, 2}))
	b := &Builder{}
	ti := b.AddFuncType([]ValType{ValI32}, nil)
	b.AddImport("env", "f", ExternType{Kind: ExternFunc, Index: ti})
	b.AddFunc(Func{Type: ti, Body: []byte{OpEnd}})
	b.Export("f", ExternFunc, 1)
	f.Add(b.Encode())
	f.Fuzz(func(t *testing.T, in []byte) {
		a, aerr := ReadModule(in, 0)
		c, cerr := ReadModuleAliased(in, 0)
		if (aerr == nil) != (cerr == nil) || (aerr != nil && aerr.Error() != cerr.Error()) {
			t.Fatalf("ReadModule: %v; aliased: %v", aerr, cerr)
		}
		if aerr != nil {
			if _, ok := aerr.(*Error); !ok {
				t.Fatalf("error %T: %v", aerr, aerr)
			}
			return
		}
		all := a.FuncTypes()
		if len(all) != a.NumFuncs() || !reflect.DeepEqual(all, c.FuncTypes()) {
			t.Fatalf("FuncTypes: %d of %d functions, or the readers disagree", len(all), a.NumFuncs())
		}
		for i, want := range all {
			if got, ok := c.FuncTypeIndex(uint32(i)); !ok || got != want {
				t.Fatalf("FuncTypeIndex(%d) = %d, %v; want %d", i, got, ok, want)
			}
		}
		for _, e := range a.Exports {
			a.ExportType(e)
		}
		// The function types decoded up front (those imports, exports
		// and tags use) and those decoded on demand agree with a full
		// decode of the type section, in both readers.
		subs := a.SubTypes()
		if a.NumTypes() != len(subs) || c.NumTypes() != len(subs) {
			t.Fatalf("NumTypes %d, %d; SubTypes %d", a.NumTypes(), c.NumTypes(), len(subs))
		}
		for i := range subs {
			fa, fc := a.FuncType(uint32(i)), c.FuncType(uint32(i))
			if (fa != nil) != (subs[i].Kind == CompFunc) || (fc != nil) != (fa != nil) {
				t.Fatalf("FuncType(%d): %v, %v for a %x", i, fa, fc, subs[i].Kind)
			}
			if fa != nil && (!fa.Equal(&subs[i].Func) || !fc.Equal(&subs[i].Func) || fa.String() != subs[i].Func.String()) {
				t.Fatalf("FuncType(%d) = %v, %v; want %v", i, fa, fc, &subs[i].Func)
			}
		}
	})
}
