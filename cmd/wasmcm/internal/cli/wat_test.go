package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// parse then print then parse gives the same binary; errors are located.
func TestParsePrintCommands(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "c.wat")
	text := `(component $c
  (core module $m (func (export "f") (result i32) i32.const 42))
  (core instance $i (instantiate $m))
  (func (export "f") (result u32) (canon lift (core func $i "f")))
)
`
	if err := os.WriteFile(src, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "c.wasm")
	if code, _, errs := run(t, "", "parse", src, "-o", out); code != ExitOK {
		t.Fatalf("parse: exit %d: %s", code, errs)
	}
	code, printed, errs := run(t, "", "print", out)
	if code != ExitOK {
		t.Fatalf("print: exit %d: %s", code, errs)
	}
	for _, w := range []string{"(component $c", "(core module (;0;) $m", "i32.const 42", `(export (;1;) "f" (func 0))`} {
		if !strings.Contains(printed, w) {
			t.Errorf("printed text lacks %q:\n%s", w, printed)
		}
	}
	again := filepath.Join(dir, "again.wat")
	if err := os.WriteFile(again, []byte(printed), 0o644); err != nil {
		t.Fatal(err)
	}
	code, bin, errs := run(t, "", "parse", again)
	if code != ExitOK {
		t.Fatalf("parse printed: exit %d: %s", code, errs)
	}
	want, _ := os.ReadFile(out)
	if bin != string(want) {
		t.Errorf("parse(print(parse(x))) differs from parse(x)")
	}

	bad := filepath.Join(dir, "bad.wat")
	if err := os.WriteFile(bad, []byte("(component\n  (import \"a\" (func (type $nope)))\n)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs = run(t, "", "parse", bad)
	if code != ExitUser || !strings.Contains(errs, "bad.wat:2:27") || !strings.Contains(errs, "unknown type") {
		t.Errorf("bad input: exit %d, stderr:\n%s", code, errs)
	}
}
