package component

import (
	"strings"
	"testing"

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
