package witgen

import (
	"regexp"
	"strings"
	"testing"
)

func TestGenerateIsDeterministic(t *testing.T) {
	for seed := uint64(0); seed < 50; seed++ {
		a, b := Generate(seed, All), Generate(seed, All)
		if a != b {
			t.Fatalf("seed %d: two runs differ", seed)
		}
	}
	if Generate(1, All) == Generate(2, All) {
		t.Fatal("seeds 1 and 2 gave the same document")
	}
}

// TestOptionsGateSyntax checks that syntax switched off never appears, and
// that switched on it does appear over a few seeds.
func TestOptionsGateSyntax(t *testing.T) {
	checks := []struct {
		name string
		re   *regexp.Regexp
		off  func(*Options)
	}{
		{"async", regexp.MustCompile(`\basync func\b|[^%\w-](stream|future)\b`), func(o *Options) { o.Async = false }},
		{"map", regexp.MustCompile(`\bmap<`), func(o *Options) { o.Maps = false }},
		{"fixed-length list", regexp.MustCompile(`list<[^<>]*, \d+>`), func(o *Options) { o.FixedLengthLists = false }},
		{"gates", regexp.MustCompile(`@since|@unstable|@deprecated`), func(o *Options) { o.Gates = false }},
		{"nested packages", regexp.MustCompile(`(?m)^package [^;]*\{$`), func(o *Options) { o.NestedPackages = false }},
		{"include", regexp.MustCompile(`(?m)^\s*include `), func(o *Options) { o.Includes = false }},
		{"include with", regexp.MustCompile(`include [^;]* with \{`), func(o *Options) { o.IncludeWith = false }},
		{"constructor result", regexp.MustCompile(`constructor\([^)]*\) ->`), func(o *Options) { o.ConstructorResults = false }},
		{"docs", regexp.MustCompile(`///|/\*\*`), func(o *Options) { o.Docs = false }},
		{"world item docs", regexp.MustCompile(`(///|\*/)[^\n]*\n\s*(import|export) [^:]*;`), func(o *Options) { o.WorldItemDocs = false }},
		{"error-context", regexp.MustCompile(`\berror-context\b`), func(o *Options) { o.ErrorContext = false }},
	}
	for _, c := range checks {
		off := All
		c.off(&off)
		seen := false
		for seed := uint64(0); seed < 200; seed++ {
			if doc := Generate(seed, off); c.re.MatchString(doc) {
				t.Fatalf("%s switched off, but seed %d uses it:\n%s", c.name, seed, doc)
			}
			if c.re.MatchString(Generate(seed, All)) {
				seen = true
			}
		}
		if !seen {
			t.Errorf("%s switched on never appeared in 200 documents", c.name)
		}
	}
}

func TestInvalidPlantsAnError(t *testing.T) {
	whys := map[string]bool{}
	for seed := uint64(0); seed < 300; seed++ {
		doc, why := Invalid(seed, All)
		if why == "" || doc == "" {
			t.Fatalf("seed %d: no planted error", seed)
		}
		whys[why] = true
	}
	// Every kind of planted error should come up over 300 seeds.
	if len(whys) < numBreaks-1 {
		t.Errorf("only %d kinds of planted errors came up: %v", len(whys), whys)
	}
}

func TestSizeScales(t *testing.T) {
	small, large := 0, 0
	for seed := uint64(0); seed < 20; seed++ {
		small += strings.Count(Generate(seed, Options{Size: 1}), "\n")
		large += strings.Count(Generate(seed, Options{Size: 8}), "\n")
	}
	if large <= 2*small {
		t.Errorf("Size 8 gave %d lines over 20 seeds, Size 1 gave %d; want clearly more", large, small)
	}
}
