package component

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/internal/testutil"
)

// sameMessage reports whether our error names the problem the reference's
// expected message names: the reference's own runner asks that the error
// contain the expected text, and so do we (our errors add the location in
// front and sometimes detail behind). Where the expected text ends with the
// reference's "(at offset 0x54)", ours must name the same offset too.
func sameMessage(err error, want string) bool {
	msg, off := err.Error(), -1
	var ve *ValidationError
	var de *DecodeError
	switch {
	case errors.As(err, &ve):
		msg, off = ve.Msg, ve.Offset
	case errors.As(err, &de):
		msg, off = de.Msg, de.Offset
	}
	return strings.Contains(msg, want) || strings.Contains(fmt.Sprintf("%s (at offset 0x%x)", msg, off), want)
}

// messageCounts counts, over the rejected asserts with a message, how many
// of our errors name the same problem.
func messageCounts(t *testing.T, cases []corpusCase) (same, total int) {
	for _, c := range cases {
		if c.Message == "" || (c.Kind != "assert_invalid" && c.Kind != "assert_malformed") {
			continue
		}
		err := decodeAndValidate(c.Bytes, c.Features)
		if err == nil {
			continue // counted by TestValidate
		}
		total++
		if sameMessage(err, c.Message) {
			same++
		} else if testing.Verbose() {
			t.Logf("%s: want %q, got %v", c.Name, c.Message, err)
		}
	}
	return same, total
}

// TestValidateMessages compares our error texts with the reference's: over
// the wasm-tools CLI scripts' binaries that can be read in place, and over
// every script of wast-bin.
func TestValidateMessages(t *testing.T) {
	root := testutil.Shared(t, "conformance/wast-bin")
	same, total := messageCounts(t, wastBinCases(t, root, "wasm-tools-cli"))
	testutil.Conformance(t, "component-validate-same-message", same, total)
	same, total = messageCounts(t, wastBinCases(t, root, ""))
	testutil.Conformance(t, "component-validate-corpus-same-message", same, total)
	if extra := os.Getenv("WASMCM_WASTBIN_EXTRA"); extra != "" {
		same, total = messageCounts(t, wastBinCases(t, extra, ""))
		t.Logf("extra: same message %d/%d", same, total)
	}
}
