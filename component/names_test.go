package component

import (
	"strings"
	"testing"
)

// TestExternNameErrors checks the errors for malformed structured names:
// each names the place the reference's parser stops at, in its words.
func TestExternNameErrors(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"unlocked-dep=", "expected `<` at ``"},
		{"unlocked-dep=<", "`` is not in kebab case"},
		{"unlocked-dep=<a:a@>", "expected `{` at `>`"},
		{"unlocked-dep=<a:a@{1.0.0}>", "expected `>=` or `<` at start of version range"},
		{"unlocked-dep=<a:a@{>=1.0}>", "`1.0` is not a valid semver: unexpected end of input while parsing minor version number"},
		{"locked-dep=<a:a", "expected `>` at ``"},
		{"locked-dep=<a:a@1.2.3", "expected `>` at ``"},
		{"locked-dep=<a:a@1.2.3>,", "expected `integrity=<` at ``"},
		{"locked-dep=<a:a@1.2.3>x", "trailing characters found: `x`"},
		{"locked-dep=<A:a>", "character `A` is not lowercase in package name/namespace"},
		{"url=<a<b>", "url cannot contain `<`"},
		{"integrity=<md5-abc>", "unrecognized hash algorithm: `md5-abc`"},
		{"integrity=<sha256-@@>", "not valid base64: `@@`"},
		{"a:b", "expected `/` after package name"},
		{"a:b:c/d", "expected `/` after package name (nested package names need the 🪺 feature)"},
		{"a:b/c/d", "trailing characters found: `/d` (nested interface names need the 🪺 feature)"},
		{"a:b/c@", "empty string, expected a semver version"},
		{"[method]a", "failed to find `.` character"},
	} {
		_, err := parseExternName(tc.name, DefaultFeatures)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	for _, ok := range []string{"unlocked-dep=<a:b@*>", "unlocked-dep=<a:b@{>=1.0.0 <2.0.0}>", "locked-dep=<a:b@1.2.3>,integrity=<sha256-YWJj>",
		"url=<https://example.com/x.wasm>", "a:b/c@1.2.3", "my-label", "[constructor]r", "[static]r.f"} {
		if _, err := parseExternName(ok, DefaultFeatures); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	nested := DefaultFeatures
	nested.NestedNames = true
	if _, err := parseExternName("a:b:c/d/e", nested); err != nil {
		t.Errorf("nested names with the feature: %v", err)
	}
}
