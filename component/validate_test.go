package component

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wasmcm/wasmcm/internal/testutil"
)

// validationCounts validates every binary of the cases: expected-valid ones
// (component, component-definition, component binaries, and the
// assert_unlinkable ones, which are valid but fail to link) must pass;
// assert_invalid and assert_malformed ones must fail to decode or validate.
func validationCounts(t *testing.T, cases []corpusCase) (validOK, validTotal, invalidOK, invalidTotal int) {
	for _, c := range cases {
		if !IsComponent(c.Bytes) && c.Kind != "assert_malformed" && c.Kind != "assert_invalid" {
			continue // a core module
		}
		err := decodeAndValidate(c.Bytes, c.Features)
		switch c.Kind {
		case "component", "component-definition", "component-binary", "assert_unlinkable":
			validTotal++
			if err == nil {
				validOK++
			} else {
				t.Logf("valid but rejected: %s: %v", c.Name, err)
			}
		case "assert_invalid", "assert_malformed":
			invalidTotal++
			if err != nil {
				invalidOK++
			} else {
				t.Logf("invalid but accepted: %s", c.Name)
			}
		}
	}
	return
}

func decodeAndValidate(b []byte, f Features) error {
	c, err := Decode(b)
	if err != nil {
		return err
	}
	return Validate(c, f)
}

// TestValidate measures the validator over the suites the issue names: the
// spec's validation tests and wasm-tools' CLI tests (of which only the
// binary-form commands are assembled in wast-bin).
func TestValidate(t *testing.T) {
	root := testutil.Shared(t, "conformance/wast-bin")
	var cases []corpusCase
	cases = append(cases, wastBinCases(t, root, "component-model-test/validation")...)
	cases = append(cases, wastBinCases(t, root, "wasm-tools-cli")...)
	vok, vtot, iok, itot := validationCounts(t, cases)
	testutil.Conformance(t, "component-validate-valid", vok, vtot)
	testutil.Conformance(t, "component-validate-invalid", iok, itot)
}

// TestValidateCorpus runs the validator over every script of wast-bin.
func TestValidateCorpus(t *testing.T) {
	root := testutil.Shared(t, "conformance/wast-bin")
	vok, vtot, iok, itot := validationCounts(t, wastBinCases(t, root, ""))
	testutil.Conformance(t, "component-validate-corpus-valid", vok, vtot)
	testutil.Conformance(t, "component-validate-corpus-invalid", iok, itot)
}

// TestValidateWitComponent validates the components wit-component produced.
func TestValidateWitComponent(t *testing.T) {
	ok, total := 0, 0
	for _, c := range roundTripFiles(t) {
		if !strings.HasPrefix(c.Name, "wit-component/") {
			continue
		}
		total++
		if err := decodeAndValidate(c.Bytes, AllFeatures); err != nil {
			t.Logf("%s: %v", c.Name, err)
			continue
		}
		ok++
	}
	testutil.Conformance(t, "component-validate-wit-component", ok, total)
}

// TestValidateExtra measures the validator over an extra directory laid out
// like wast-bin, named by WASMCM_WASTBIN_EXTRA, with the .wast scripts in
// its sibling ../wast. wast-bin ships wasm-tools-cli's texts unassembled;
// assembling them with ../shared/tools/wast into such a directory gives this
// test the rest of that suite. It reports counts and has no floor.
func TestValidateExtra(t *testing.T) {
	root := os.Getenv("WASMCM_WASTBIN_EXTRA")
	if root == "" {
		t.Skip("skipped: WASMCM_WASTBIN_EXTRA is not set")
	}
	vok, vtot, iok, itot := validationCounts(t, wastBinCases(t, root, ""))
	fmt.Printf("extra: valid accepted %d/%d, invalid rejected %d/%d\n", vok, vtot, iok, itot)
}

// TestValidateFile decodes and validates the file named by
// WASMCM_VALIDATE_FILE with all features, printing the result: a debugging
// aid.
func TestValidateFile(t *testing.T) {
	p := os.Getenv("WASMCM_VALIDATE_FILE")
	if p == "" {
		t.Skip("skipped: WASMCM_VALIDATE_FILE is not set")
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Decode(b)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	for i, s := range c.Sections {
		t.Logf("section %d: %T %+v", i, s, s)
	}
	t.Logf("validate: %v", Validate(c, AllFeatures))
}

// TestValidateBoundedWork checks that types built by doubling (each a tuple
// of the previous twice) are cut off by the effective-size limit instead of
// making validation exponential.
func TestValidateBoundedWork(t *testing.T) {
	ts := &TypeSection{}
	ts.Types = append(ts.Types, &DefinedType{Kind: KindPrimitive, Prim: U8})
	for i := uint32(0); i < 60; i++ {
		ts.Types = append(ts.Types, &DefinedType{Kind: KindTuple, Types: []ValType{{Index: i}, {Index: i}}})
	}
	c := &Component{Sections: []Section{ts}}
	b := c.Encode()
	c2, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	err = Validate(c2, AllFeatures)
	if err == nil || !strings.Contains(err.Error(), "effective type size") {
		t.Fatalf("Validate of doubling types: %v", err)
	}
}

func BenchmarkValidate(b *testing.B) {
	data, _ := largestComponent(b)
	c, err := Decode(data)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		if err := Validate(c, AllFeatures); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data))*float64(b.N)/time.Duration(cpuTime()-start).Seconds()/1e6, "cpu-MB/s")
}
