package wat

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzComponent: any text assembles or fails with an error, never a panic.
func FuzzComponent(f *testing.F) {
	filepath.WalkDir("../../../../shared/conformance/wac", func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".wat") {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(string(b))
			}
		}
		return nil
	})
	f.Fuzz(func(t *testing.T, src string) {
		Component(src)
	})
}
