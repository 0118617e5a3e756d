package canon_test

import (
	"testing"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/canon/wave"
	"github.com/wasmcm/wasmcm/internal/testutil"
)

// TestWAVEVectors prints every value of the conformance vectors in WAVE and
// parses it back.
func TestWAVEVectors(t *testing.T) {
	cases, golden := loadVectors(t)
	passed, total := 0, 0
	for _, c := range cases {
		op := c.str("op")
		value := c["value"]
		if op == "lift" || op == "load" {
			value = golden[c.str("name")]["value"] // what the lift produced
		}
		if value == nil || c.str("type") == "" || c.str("intent") == "invalid" {
			continue
		}
		e := newEnv(c)
		typ, err := e.p.Parse(c.str("type"))
		if err != nil {
			t.Fatal(err)
		}
		l, err := e.abi.Layout(typ)
		if err != nil {
			continue // an invalid type
		}
		v, err := fromJSON(l, value, canon.UTF8)
		if err != nil {
			continue // an invalid value
		}
		total++
		s, err := wave.Format(e.r, typ, v)
		if err != nil {
			t.Errorf("%s: format: %v", c.str("name"), err)
			continue
		}
		back, err := wave.Parse(e.r, typ, s)
		if err != nil {
			t.Errorf("%s: parse %s: %v", c.str("name"), s, err)
			continue
		}
		if !back.Equal(v) {
			t.Errorf("%s: %.200s parsed back differently", c.str("name"), s)
			continue
		}
		passed++
	}
	testutil.Conformance(t, "canon-abi-wave", passed, total)
}

// FuzzWAVE parses random text as random types: no panics, and whatever
// parses prints and parses back to the same value.
func FuzzWAVE(f *testing.F) {
	for _, s := range []string{"{a: 1}", "some(3)", `ok("y")`, "[1, 2]", "%ok", "{read, write}", "'x'", "nan", "\"\"\"\n  a\n  \"\"\"", "[(1, 2)]"} {
		f.Add(uint64(7), s)
	}
	f.Fuzz(func(t *testing.T, seed uint64, s string) {
		g := newTypeGen(seed)
		typ := g.typ(int(seed>>60) % 4)
		v, err := wave.Parse(g.r, typ, s)
		if err != nil {
			return
		}
		out, err := wave.Format(g.r, typ, v)
		if err != nil {
			t.Fatalf("%q parsed but does not print: %v", s, err)
		}
		back, err := wave.Parse(g.r, typ, out)
		if err != nil || !back.Equal(v) {
			t.Fatalf("%q printed as %q, which parses as %v (%v)", s, out, back, err)
		}
	})
}
