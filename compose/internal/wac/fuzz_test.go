package wac

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse: any text parses or fails with an error inside the text,
// never a panic.
func FuzzParse(f *testing.F) {
	filepath.WalkDir("../../../../shared/conformance/wac", func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".wac") {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(string(b))
			}
		}
		return nil
	})
	f.Add("package a:b;\nlet x = new c:d { y: (z).w[\"q\"], ...v, ... };\nexport x... ;")
	f.Fuzz(func(t *testing.T, src string) {
		_, err := Parse(src)
		if err != nil {
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("error of type %T", err)
			}
			if e.Span.Offset < 0 || e.Span.Offset > len(src) {
				t.Fatalf("error outside the text: %+v (len %d)", e.Span, len(src))
			}
			_ = Render("f.wac", src, e)
		}
	})
}
