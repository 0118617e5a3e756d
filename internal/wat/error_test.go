package wat

import (
	"strings"
	"testing"
)

// Errors name the file, line and column, and show the line with a caret.
func TestErrorLayout(t *testing.T) {
	for _, tc := range []struct{ src, where, msg string }{
		{"(component\n  (import \"a\" (func (type $nope)))\n)", "x.wat:2:27", "unknown type: failed to find name `$nope`"},
		{"(module\n  (func i32.bogus))", "x.wat:2:9", "unknown operator"},
		{"(component (type", "x.wat:1:12", "unclosed `(`"},
		{"(module (func (local $a i32) (local $a i32)))", "x.wat:1:37", "duplicate local identifier `$a`"},
	} {
		_, err := Parse("x.wat", []byte(tc.src))
		if err == nil {
			t.Errorf("%q: no error", tc.src)
			continue
		}
		s := err.Error()
		if !strings.Contains(s, tc.where) || !strings.Contains(s, tc.msg) || !strings.Contains(s, "^") {
			t.Errorf("%q:\n%s\nwant %s and %q", tc.src, s, tc.where, tc.msg)
		}
	}
}
