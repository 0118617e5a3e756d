package compose

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzCompose: any document resolves (against the test components) and
// encodes, or fails with an error located in it; never a panic.
func FuzzCompose(f *testing.F) {
	filepath.WalkDir("../../shared/conformance/wac/crates/wac-parser/tests/resolution", func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".wac") {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(string(b))
			}
		}
		return nil
	})
	if b, err := os.ReadFile(filepath.Join("testdata", "app.wac")); err == nil {
		f.Add(string(b))
	}
	f.Add("package a:b;\nimport x: interface { resource r { constructor(); m: func(b: borrow<r>) -> r; } };\nlet o = new test:offset { ... };\nlet a = new test:adder { ...o, ... };\nexport a...;\n")
	opts := Options{DepsDir: filepath.Join("testdata", "deps")}
	f.Fuzz(func(t *testing.T, src string) {
		c, err := Compose("f.wac", src, opts)
		if err != nil {
			var se *SourceError
			if !errors.As(err, &se) {
				t.Fatalf("unlocated error: %v", err)
			}
			return
		}
		c.Graph.Encode(EncodeOptions{})
		c.Graph.DOT()
	})
}
