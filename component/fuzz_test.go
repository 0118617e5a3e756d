package component

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/wasmcm/wasmcm/internal/testutil"
)

// FuzzDecode checks that Decode never panics or hangs, and that whatever it
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
			if _, ok := err.(*DecodeError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
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
		_ = Validate(c, AllFeatures) // must not panic or hang
	})
}
