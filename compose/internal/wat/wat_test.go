package wat

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/testutil"
)

// Every component text of the wac corpus assembles to a component that
// validates and decodes to WIT.
func TestCorpusAssembles(t *testing.T) {
	root := testutil.Shared(t, "conformance/wac")
	var files []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".wat") {
			files = append(files, p)
		}
		return nil
	})
	ok := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Component(string(src))
		if err != nil {
			// Inputs of failing cases may be malformed on purpose.
			if !strings.Contains(f, "/fail/") {
				t.Errorf("%s: %v", f, err)
			}
			continue
		}
		c, err := component.Decode(b)
		if err != nil {
			t.Errorf("%s: decode: %v", f, err)
			continue
		}
		if err := component.Validate(c, component.DefaultFeatures); err != nil {
			t.Errorf("%s: validate: %v", f, err)
			continue
		}
		// Some components (exported function types, nested instances)
		// have no WIT form; they are counted, not failed.
		if _, err := component.ComponentWIT(c); err != nil {
			t.Logf("%s: no WIT form: %v", filepath.Base(filepath.Dir(f)), err)
			continue
		}
		ok++
	}
	t.Logf("%d/%d component texts assemble, validate and decode", ok, len(files))
}

func TestErrorsLocated(t *testing.T) {
	for _, src := range []string{
		"(component (import \"a\" (func (type $nope))))",
		"(component (type (record (field \"a\" nope))))",
		"(component (core module (func i32.foo)))",
		"(component",
		"(component (type \"x\"",
	} {
		_, err := Component(src)
		if err == nil {
			t.Errorf("%s: no error", src)
			continue
		}
		if e, ok := err.(*Error); !ok || e.Line == 0 {
			t.Errorf("%s: error not located: %v", src, err)
		}
	}
}
