package canon_test

import (
	"context"
	"testing"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/canon/internal/typestr"
	"github.com/wasmcm/wasmcm/wit"
)

func propEnv(r *wit.Resolve, enc canon.StringEncoding, addr canon.AddrType) (*canon.LiftLowerContext, *bump) {
	mem := make([]byte, 1<<20)
	b := &bump{mem: mem, last: 64}
	return &canon.LiftLowerContext{
		ABI:            canon.New(r, addr),
		Memory:         canon.FixedMemory(mem),
		Realloc:        b.realloc,
		StringEncoding: enc,
		Table:          &canon.ResourceTable{},
	}, b
}

// TestRoundTrip checks, for seeded random types and values, that lifting
// what was lowered gives the value back, that loading what was stored does
// too, in every string encoding and both address types, and that the two
// paths agree with each other.
func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	n := 1000
	if testing.Short() {
		n = 150
	}
	for seed := uint64(0); seed < uint64(n); seed++ {
		g := newTypeGen(seed)
		typ := g.typ(4)
		for _, enc := range []canon.StringEncoding{canon.UTF8, canon.UTF16, canon.Latin1UTF16} {
			for _, addr := range []canon.AddrType{canon.Addr32, canon.Addr64} {
				cx, b := propEnv(g.r, enc, addr)
				l, err := cx.ABI.Layout(typ)
				if err != nil {
					t.Fatalf("seed %d: %s: %v", seed, typestr.Format(g.r, typ), err)
				}
				var rep uint32
				v := g.value(l, &rep)
				name := func() string { return typestr.Format(g.r, typ) + " " + enc.String() + " " + addr.String() }

				if l.Flat != nil {
					flat, err := cx.LowerFlat(ctx, typ, v, nil)
					if err != nil {
						t.Fatalf("seed %d %s: lower: %v", seed, name(), err)
					}
					if uint64(len(flat)) != l.FlatCount {
						t.Fatalf("seed %d %s: %d flat values, layout says %d", seed, name(), len(flat), l.FlatCount)
					}
					back, err := cx.LiftFlat(typ, flat)
					if err != nil {
						t.Fatalf("seed %d %s: lift: %v", seed, name(), err)
					}
					if !back.Equal(v) {
						t.Fatalf("seed %d %s: lift(lower(v)) = %#v, want %#v", seed, name(), back, v)
					}
				}

				ptr := (b.last + 7) &^ 7
				b.last = ptr + l.Size
				if err := cx.Store(ctx, typ, v, ptr); err != nil {
					t.Fatalf("seed %d %s: store: %v", seed, name(), err)
				}
				back, err := cx.Load(typ, ptr)
				if err != nil {
					t.Fatalf("seed %d %s: load: %v", seed, name(), err)
				}
				if !back.Equal(v) {
					t.Fatalf("seed %d %s: load(store(v)) = %#v, want %#v", seed, name(), back, v)
				}

				// Storing the lifted value again must write the same bytes
				// for the value's own block (nested blocks move).
				if isFlatOnly(l) {
					before := append([]byte(nil), b.mem[ptr:ptr+l.Size]...)
					if err := cx.Store(ctx, typ, back, ptr); err != nil {
						t.Fatal(err)
					}
					if string(before) != string(b.mem[ptr:ptr+l.Size]) {
						t.Fatalf("seed %d %s: storing the loaded value wrote different bytes", seed, name())
					}
				}
			}
		}
	}
}

// isFlatOnly reports types with no pointers and no handles, whose stored
// bytes do not depend on allocation or on the handle table.
func isFlatOnly(l *canon.Layout) bool {
	switch l.Kind {
	case canon.KindString, canon.KindList, canon.KindMap, canon.KindOwn, canon.KindBorrow:
		return false
	}
	if l.Elem() != nil && !isFlatOnly(l.Elem()) {
		return false
	}
	for _, f := range l.Fields() {
		if !isFlatOnly(f) {
			return false
		}
	}
	for _, c := range l.Cases() {
		if c != nil && !isFlatOnly(c) {
			return false
		}
	}
	return true
}

// TestTranscode lifts strings from each encoding and lowers them into
// each other one, as a fused adapter does, and checks the text survives.
func TestTranscode(t *testing.T) {
	ctx := context.Background()
	r := &wit.Resolve{}
	for _, s := range append(sampleStrings, "a long ascii string that goes on", "ünïcödé and 日本 and 😀😀") {
		for _, from := range []canon.StringEncoding{canon.UTF8, canon.UTF16, canon.Latin1UTF16} {
			src, _ := propEnv(r, from, canon.Addr32)
			flat, err := src.LowerFlat(ctx, wit.String, canon.String(s), nil)
			if err != nil {
				t.Fatal(err)
			}
			v, err := src.LiftFlat(wit.String, flat)
			if err != nil {
				t.Fatal(err)
			}
			for _, to := range []canon.StringEncoding{canon.UTF8, canon.UTF16, canon.Latin1UTF16} {
				for _, addr := range []canon.AddrType{canon.Addr32, canon.Addr64} {
					dst, _ := propEnv(r, to, addr)
					flat, err := dst.LowerFlat(ctx, wit.String, v, nil)
					if err != nil {
						t.Fatalf("%q %s->%s: %v", s, from, to, err)
					}
					got, err := dst.LiftFlat(wit.String, flat)
					if err != nil {
						t.Fatalf("%q %s->%s: lift: %v", s, from, to, err)
					}
					if got.String() != s {
						t.Fatalf("%q %s->%s: got %q", s, from, to, got.String())
					}
				}
			}
		}
	}
}
