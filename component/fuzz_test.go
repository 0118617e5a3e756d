package component

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/wasmcm/wasmcm/internal/testutil"
)

// FuzzDecode checks that Decode and Validate never panic or hang, that
// their errors name an offset inside the input, and that whatever Decode
// accepts re-encodes to the same bytes and decodes again.
func FuzzDecode(f *testing.F) {
	root := testutil.RepoRoot(f)
	for _, pat := range []string{
		"../shared/conformance/wast-bin/*/*/*/*.wasm",
		"../shared/conformance/wast-bin/*/*/*/*/*.wasm",
		"../shared/conformance/wit-component/components/*/component.wasm",
		"../shared/conformance/wit-component/interfaces/*.wasm",
	} {
		files, _ := filepath.Glob(filepath.Join(root, pat))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil && IsComponent(b) {
				f.Add(b)
			}
		}
	}
	f.Add(preamble[:])
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Decode(b)
		if err != nil {
			de, ok := err.(*DecodeError)
			if !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if de.Offset < 0 || de.Offset > len(b) {
				t.Fatalf("error offset 0x%x outside the %d-byte input: %v", de.Offset, len(b), err)
			}
			return
		}
		out := c.Encode()
		if !bytes.Equal(out, b) {
			// Only non-minimal LEB128s inside sections may differ; the
			// result must still decode and be stable.
			c2, err := Decode(out)
			if err != nil {
				t.Fatalf("re-encoding does not decode: %v", err)
			}
			if !bytes.Equal(c2.Encode(), out) {
				t.Fatal("encoding is not stable")
			}
		}
		// Validation must not panic or hang, and must say where.
		if err := Validate(c, AllFeatures); err != nil {
			ve, ok := err.(*ValidationError)
			if !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if ve.Offset < 0 || ve.Offset >= len(b) {
				t.Fatalf("error offset 0x%x outside the %d-byte input: %v", ve.Offset, len(b), err)
			}
		}
	})
}
