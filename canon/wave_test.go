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
