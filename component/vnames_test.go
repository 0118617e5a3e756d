package component

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestKebabAgrees checks the validator's table-driven kebab against
// isKebab, the plain reading of the rule, on every short string over the
// characters that matter and on random longer ones.
func TestKebabAgrees(t *testing.T) {
	const alphabet = "aZ0-_"
	var walk func(s string, n int)
	walk = func(s string, n int) {
		if kebab(s) != isKebab(s) {
			t.Fatalf("kebab(%q) = %v, isKebab = %v", s, kebab(s), isKebab(s))
		}
		if ok, upper := kebabCase(s); ok && upper != (lowerASCII(s) != s) {
			t.Fatalf("kebabCase(%q) says upper case %v", s, upper)
		}
		if n == 0 {
			return
		}
		for i := 0; i < len(alphabet); i++ {
			walk(s+alphabet[i:i+1], n-1)
		}
	}
	walk("", 6)
	r := rand.New(rand.NewPCG(1, 2))
	const chars = "abcXYZ019--é"
	for range 20000 {
		b := make([]byte, r.IntN(20))
		for i := range b {
			b[i] = chars[r.IntN(len(chars))]
		}
		if s := string(b); kebab(s) != isKebab(s) {
			t.Fatalf("kebab(%q) = %v, isKebab = %v", s, kebab(s), isKebab(s))
		}
	}
}

// TestFastExternNameAgrees checks that the validator's fast reading of
// extern names gives what parseExternName gives wherever it answers.
func TestFastExternNameAgrees(t *testing.T) {
	names := []string{"a", "foo-bar", "Foo", "a:b/c", "a:b/c@1.0.0", "a:b/c@", "a:b/c@1>", "a:B/c", "a-1:b/c",
		"[constructor]r", "[method]r.m", "[static]r.m", "[method]r", "[method]r.", "[constructor]", "[foo]x",
		"a:b", "a:b/c/d", "a:b:c/d", "url=<x>", "locked-dep=<a:b>", "integrity=<sha256-x>", "a:b/c-1@0.2.0-rc-2023-11-10",
		"wasi:http/types@0.2.0", "x:y/z@1.0.0+build", "", "-", "a--b", "1a"}
	for _, f := range []Features{AllFeatures, DefaultFeatures} {
		for _, s := range names {
			var got externName
			if !fastExternName(s, f, &got) {
				continue
			}
			got.lower = false // parseExternName leaves lower-casing to key
			want, err := parseExternName(s, f)
			if err != nil || got != want {
				t.Errorf("%q: fast %+v, parse %+v (%v)", s, got, want, err)
			}
		}
	}
}

// TestFoldHash checks that labels equal but for case hash alike, which
// the label checks rely on.
func TestFoldHash(t *testing.T) {
	for _, p := range [][2]string{{"a", "A"}, {"http-request-denied", "HTTP-request-denied"}, {"dns-timeout-0123456789", "DNS-TIMEOUT-0123456789"}} {
		if foldHash(testSeed, p[0]) != foldHash(testSeed, p[1]) {
			t.Errorf("foldHash(%q) != foldHash(%q)", p[0], p[1])
		}
	}
	if foldHash(testSeed, "abcdefgh-1") == foldHash(testSeed, "abcdefgh-2") {
		t.Error("foldHash does not tell abcdefgh-1 from abcdefgh-2")
	}
	// Every byte of labels of each length counts, and case does not.
	base := "abcdefghijklmnopqrstuvwxyz-0123456789"
	for n := 1; n <= len(base); n++ {
		s := base[:n]
		h := foldHash(testSeed, s)
		if foldHash(testSeed, strings.ToUpper(s)) != h {
			t.Fatalf("foldHash(%q) depends on case", s)
		}
		for i := 0; i < n; i++ {
			b := []byte(s)
			b[i] ^= 1
			if foldHash(testSeed, string(b)) == h {
				t.Fatalf("foldHash(%q) == foldHash(%q)", s, b)
			}
		}
	}
}

// TestKebabCaseWords checks kebabCase's eight-bytes-at-a-time path
// against isKebab: every string of 8 to 10 bytes over a letter, a digit
// and a dash (dashes at and across word boundaries), every byte value at
// every position of a lower-case label of 16 to 17 bytes, and random
// lower-case names up to 40 bytes.
func TestKebabCaseWords(t *testing.T) {
	check := func(s string) {
		t.Helper()
		ok, upper := kebabCase(s)
		if ok != isKebab(s) || ok && upper != (lowerASCII(s) != s) {
			t.Fatalf("kebabCase(%q) = %v, %v; isKebab = %v", s, ok, upper, isKebab(s))
		}
	}
	var walk func(b []byte)
	walk = func(b []byte) {
		if len(b) >= 8 {
			check(string(b))
		}
		if len(b) == 10 {
			return
		}
		for _, c := range []byte("a0-") {
			walk(append(b, c))
		}
	}
	walk(nil)
	// Mixed case, digits and dashes across the seams of 7 to 9 bytes.
	var mixed func(b []byte)
	mixed = func(b []byte) {
		if len(b) >= 7 {
			check(string(b))
		}
		if len(b) == 9 {
			return
		}
		for _, c := range []byte("aB1-") {
			mixed(append(b, c))
		}
	}
	mixed(nil)
	for _, base := range []string{"abcdefgh-jklmnop", "abcdefgh-jklmnop9"} {
		for i := range len(base) {
			for c := range 256 {
				b := []byte(base)
				b[i] = byte(c)
				check(string(b))
			}
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	const chars = "abz09-----AZ"
	for range 50000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = chars[r.IntN(len(chars))]
		}
		check(string(b))
	}
	// Upper-case words among lower-case ones, as in wasi:http's error
	// codes (HTTP-request-denied), and one letter of the other case.
	words := []string{"http", "HTTP", "tls", "TLS", "x", "Y", "request", "DENIED", "a1", "B"}
	for range 50000 {
		var b []byte
		for n := 1 + r.IntN(6); n > 0; n-- {
			if len(b) > 0 {
				b = append(b, '-')
			}
			b = append(b, words[r.IntN(len(words))]...)
		}
		if r.IntN(4) == 0 {
			i := r.IntN(len(b))
			b[i] ^= 0x20
		}
		check(string(b))
	}
}

// TestValidSemverFast checks validSemver (and its digits-and-dots
// path) against refSemver.
func TestValidSemverFast(t *testing.T) {
	for _, v := range []string{"", "0", "1.2", "1.2.3", "0.2.10", "01.2.3", "1.02.3", "1.2.03", "1.2.0", "10.20.30",
		"1.2.3.4", ".1.2", "1..2", "1.2.", "1.2.3-rc.1", "1.2.3+b", "1.2.3-01", "1.2.3-rc.01", "a.b.c", "1.2.3-", "1.2.x"} {
		if got, want := validSemver(v), refSemver(v); got != want {
			t.Errorf("validSemver(%q) = %v, refSemver says %v", v, got, want)
		}
	}
	var walk func(s string, n int)
	walk = func(s string, n int) {
		if validSemver(s) != refSemver(s) {
			t.Fatalf("validSemver(%q) = %v", s, validSemver(s))
		}
		if n == 0 {
			return
		}
		for _, c := range "01.9-" {
			walk(s+string(c), n-1)
		}
	}
	walk("", 7)
}

// TestFastExternNameKnown checks that remembering the last resource of
// [method] names never changes what fastExternName answers, in sequences
// that repeat, change and empty the resource.
func TestFastExternNameKnown(t *testing.T) {
	names := []string{"[method].a", "[method]r.a", "[method]r.b", "[static]r.c", "[method].a", "[static].a",
		"[method]R.a", "[method]r-1.a", "[method]r.A", "[method]r--x.a", "[method]r-.a", "[constructor]r", "r", "[method]r.a"}
	r := rand.New(rand.NewPCG(5, 6))
	var known string
	for range 2000 {
		s := names[r.IntN(len(names))]
		var want, got externName
		okWant := fastExternName(s, AllFeatures, &want)
		okGot := fastExternNameKnown(s, AllFeatures, &got, &known)
		if okWant != okGot || okWant && want != got {
			t.Fatalf("%q after known %q: %v %+v, want %v %+v", s, known, okGot, got, okWant, want)
		}
	}
}

// testSeed seeds foldHash in tests; any value has the properties checked.
const testSeed = 0x243f6a8885a308d3

// refSemver is the plain reading of semver.org's grammar that
// validSemver's faster one is checked against.
func refSemver(v string) bool {
	core, build, hasBuild := strings.Cut(v, "+")
	if hasBuild && !validIdents(build, false) {
		return false
	}
	core, pre, hasPre := strings.Cut(core, "-")
	if hasPre && !validIdents(pre, true) {
		return false
	}
	nums := strings.Split(core, ".")
	if len(nums) != 3 {
		return false
	}
	for _, n := range nums {
		if !numericIdent(n) {
			return false
		}
	}
	return true
}

// isKebab is the plain reading of a label (kebab-case words, each all
// lowercase or all uppercase, later words may start with a digit) that
// kebab, which the parser and validator use, is checked against.
func isKebab(s string) bool {
	if s == "" || strings.HasSuffix(s, "-") {
		return false
	}
	lower, upper, first, digit := false, false, true, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' && !lower && !upper:
			lower = true
		case c >= 'A' && c <= 'Z' && !lower && !upper:
			upper = true
		case c >= '0' && c <= '9' && !lower && !upper && !first:
			digit = true
		case c >= 'a' && c <= 'z' && lower:
		case c >= 'A' && c <= 'Z' && upper:
		case c >= '0' && c <= '9' && (lower || upper):
			digit = true
		case c == '-' && (lower || upper || digit):
			lower, upper, first, digit = false, false, false, false
		default:
			return false
		}
	}
	return true
}
