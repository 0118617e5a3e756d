package component

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/internal/testutil"
)

// roundTripFiles lists the component binaries of the corpora that must
// decode and re-encode byte for byte.
func roundTripFiles(t *testing.T) []corpusCase {
	var out []corpusCase
	root := testutil.Shared(t, "conformance/wast-bin")
	for _, c := range wastBinCases(t, root, "") {
		if c.Kind == "assert_malformed" || !IsComponent(c.Bytes) {
			continue
		}
		out = append(out, c)
	}
	wc := testutil.Shared(t, "conformance/wit-component")
	var files []string
	for _, pat := range []string{"components/*/component.wasm", "interfaces/*.wasm"} {
		m, _ := filepath.Glob(filepath.Join(wc, pat))
		files = append(files, m...)
	}
	sort.Strings(files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(wc, f)
		out = append(out, corpusCase{Name: "wit-component/" + rel, Kind: "component", Bytes: b})
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	cases := roundTripFiles(t)
	ok := 0
	var failures []string
	for _, c := range cases {
		comp, err := Decode(c.Bytes)
		if err != nil {
			failures = append(failures, c.Name+": "+err.Error())
			continue
		}
		got := comp.Encode()
		if !bytes.Equal(got, c.Bytes) {
			at := 0
			for at < len(got) && at < len(c.Bytes) && got[at] == c.Bytes[at] {
				at++
			}
			failures = append(failures, c.Name+": re-encoding differs at offset "+itoa(at))
			continue
		}
		ok++
	}
	for _, f := range failures {
		t.Log(f)
	}
	testutil.Conformance(t, "component-roundtrip", ok, len(cases))
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

// TestMalformedRejected checks that Decode rejects the assert_malformed
// binaries of the scripts. Some are malformed only in a way that validation
// sees (the reference checks both in one pass); those are counted, and
// TestValidate covers them.
func TestMalformedRejected(t *testing.T) {
	root := testutil.Shared(t, "conformance/wast-bin")
	total, rejected := 0, 0
	var accepted []string
	for _, c := range wastBinCases(t, root, "") {
		if c.Kind != "assert_malformed" {
			continue
		}
		total++
		if _, err := Decode(c.Bytes); err != nil {
			rejected++
			continue
		}
		accepted = append(accepted, c.Name)
	}
	for _, a := range accepted {
		t.Log("decodes (left to validation): " + a)
	}
	testutil.Conformance(t, "component-malformed-decode", rejected, total)
}

func TestNestingLimit(t *testing.T) {
	// An instance type nested MaxNesting+1 deep inside a type section.
	inner := []byte{0x42, 0x00}
	for i := 0; i < MaxNesting+1; i++ {
		inner = append([]byte{0x42, 0x01, 0x01}, inner...)
	}
	// Wrap as a type section with one type.
	body := append([]byte{0x01}, inner...)
	b := append(append([]byte{}, preamble[:]...), 0x07)
	b = append(b, leb(len(body))...)
	b = append(b, body...)
	if _, err := Decode(b); err == nil || !strings.Contains(err.Error(), "nest deeper") {
		t.Fatalf("Decode of a too deep type: %v", err)
	}
	// Components nested too deeply.
	c := append([]byte{}, preamble[:]...)
	for i := 0; i < MaxNesting+1; i++ {
		n := append(append([]byte{}, preamble[:]...), 0x04)
		n = append(n, leb(len(c))...)
		c = append(n, c...)
	}
	if _, err := Decode(c); err == nil || !strings.Contains(err.Error(), "nest deeper") {
		t.Fatalf("Decode of too deeply nested components: %v", err)
	}
}

func leb(n int) []byte {
	var b []byte
	for {
		c := byte(n & 0x7f)
		n >>= 7
		if n != 0 {
			b = append(b, c|0x80)
			continue
		}
		return append(b, c)
	}
}

// TestParseNames reads every component-name section of the corpora.
func TestParseNames(t *testing.T) {
	n := 0
	for _, c := range roundTripFiles(t) {
		comp, err := Decode(c.Bytes)
		if err != nil {
			continue
		}
		for _, s := range comp.Sections {
			cs, ok := s.(*CustomSection)
			if !ok || cs.Name != "component-name" {
				continue
			}
			ns, err := ParseNames(cs)
			if err != nil {
				// binary.wast carries deliberately broken name sections,
				// which engines must tolerate; producers' must parse.
				if strings.HasPrefix(c.Name, "wit-component/") {
					t.Errorf("%s: %v", c.Name, err)
				}
				continue
			}
			n++
			for _, sn := range ns.Sorts {
				for _, a := range sn.Names {
					if a.Name == "" {
						t.Errorf("%s: empty name for %s %d", c.Name, sn.Sort, a.Index)
					}
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no component-name section found in the corpora")
	}
	t.Logf("%d component-name sections read", n)
}
