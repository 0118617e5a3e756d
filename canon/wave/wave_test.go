package wave_test

import (
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/canon/internal/typestr"
	"github.com/wasmcm/wasmcm/canon/wave"
	"github.com/wasmcm/wasmcm/wit"
)

func TestParseFormat(t *testing.T) {
	for _, tc := range []struct {
		typ, in, out string // out "" means in prints as itself
	}{
		{"bool", "true", ""},
		{"s8", "-128", ""},
		{"u64", "18446744073709551615", ""},
		{"f32", "3.4028234664e38", "340282350000000000000000000000000000000"},
		{"f32", "1.4012984643e-45", "0.000000000000000000000000000000000000000000001"},
		{"f64", "-0.0e-0", "-0"},
		{"f64", "nan", ""},
		{"f64", "-inf", ""},
		{"char", `'\u{2603}'`, "'☃'"},
		{"char", `'\''`, ""},
		{"string", `"\\\'\"\t\n\r"`, `"\\\'\"\t\n\r"`},
		{"string", "\"\"\"\n    Trailing indent\n  determines dedent\n  \"\"\"", `"  Trailing indent\ndetermines dedent"`},
		{"string", "\"\"\"\n\"\"\"", `""`},
		{"list<u8>", "[1, 2, 3,]", "[1, 2, 3]"},
		{"list<u8, 2>", "[1,2]", "[1, 2]"},
		{"tuple<u8, string>", `(1, "a")`, ""},
		{"record{a: u8, b: option<u8>}", "{b: 1, a: 2}", "{a: 2, b: some(1)}"},
		{"record{a: u8, b: option<u8>}", "{a: 2}", ""},
		{"record{b: option<u8>}", "{:}", ""},
		{"variant{days(u32), forever}", "days(30)", ""},
		{"variant{days(u32), forever}", "forever", ""},
		{"variant{ok, err(string)}", `%err("x")`, ""},
		{"enum{ok, not-found}", "%ok", ""},
		{"enum{ok, not-found}", "not-found", ""},
		{"option<u8>", "123", "some(123)"},
		{"option<option<u8>>", "some(none)", ""},
		{"result<u8>", "7", "ok(7)"},
		{"result<_, string>", `err("oops")`, ""},
		{"result", "ok", ""},
		{"flags{read, write, exec}", "{write, read,}", "{read, write}"},
		{"flags{read, write, exec}", "{}", ""},
		{"map<string, u8>", `[("a", 1), ("b", 2)]`, ""},
		{"own<R>", "own(7)", ""},
		{"u8", " // leading comment\n 5 // trailing\n", "5"},
	} {
		r := &wit.Resolve{}
		typ, err := (&typestr.Parser{R: r}).Parse(tc.typ)
		if err != nil {
			t.Fatal(err)
		}
		v, err := wave.Parse(r, typ, tc.in)
		if err != nil {
			t.Errorf("%s: parse %q: %v", tc.typ, tc.in, err)
			continue
		}
		want := tc.out
		if want == "" {
			want = tc.in
		}
		got, err := wave.Format(r, typ, v)
		if err != nil || got != want {
			t.Errorf("%s: %q printed as %q (%v), want %q", tc.typ, tc.in, got, err, want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ typ, in, msg string }{
		{"u8", "256", "out of range"},
		{"u8", "-1", "out of range"},
		{"s8", "1.5", "expected an integer"},
		{"u8", "01", "expected an integer"},
		{"char", "'ab'", "exactly one"},
		{"char", `'\u{d800}'`, "not a Unicode scalar value"},
		{"string", `"abc`, "unterminated"},
		{"variant{ok, b}", "ok", "keyword"},
		{"record{a: u8}", "{}", "missing field a"},
		{"record{a: u8, b: u8}", "{a: 1}", "missing field b"},
		{"list<u8, 2>", "[1]", "the type has 2"},
		{"option<option<u8>>", "5", "none or some"},
		{"flags{a}", "{a, a}", "twice"},
		{"bool", "true false", "after the value"},
	} {
		r := &wit.Resolve{}
		typ, _ := (&typestr.Parser{R: r}).Parse(tc.typ)
		_, err := wave.Parse(r, typ, tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s %q: error %v, want one containing %q", tc.typ, tc.in, err, tc.msg)
		}
	}
}

func TestParseValues(t *testing.T) {
	r := &wit.Resolve{}
	p := &typestr.Parser{R: r}
	a, _ := p.Parse("u8")
	b, _ := p.Parse("option<u8>")
	vs, err := wave.ParseValues(r, []wit.Type{a, b, b}, "1, some(2)")
	if err != nil || len(vs) != 3 || !vs[2].Equal(canon.None()) {
		t.Fatalf("got %v, %v", vs, err)
	}
	s, _ := wave.FormatValues(r, []wit.Type{a, b}, vs[:2])
	if s != "1, some(2)" {
		t.Fatalf("FormatValues = %q", s)
	}
}
