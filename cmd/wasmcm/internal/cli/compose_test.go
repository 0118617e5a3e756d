package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/component"
)

const composeFixtures = "../../../../compose/testdata"

func fixturePath(name string) string { return filepath.Join(composeFixtures, name) }

func TestPlugCommand(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "composed.wasm")
	dot := filepath.Join(dir, "composed.dot")
	code, _, errs := run(t, "", "plug", fixturePath("app.wat"), "--plug", fixturePath("adder.wat"), "--plug", fixturePath("offset.wat"), "-o", out, "--graph", dot)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, w := range []string{"wired: app.wat: import `test:math/adder@1.0.0` <- export `test:math/adder@1.0.0` of adder.wat", "wired: adder.wat: import `test:math/offset@1.0.0` <- export `test:math/offset@1.0.0` of offset.wat"} {
		if !strings.Contains(errs, w) {
			t.Errorf("stderr does not say %q:\n%s", w, errs)
		}
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	c, err := component.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := component.Validate(c, component.DefaultFeatures); err != nil {
		t.Fatal(err)
	}
	d, err := component.DecodeWIT(b)
	if err != nil {
		t.Fatal(err)
	}
	w := d.Resolve.Worlds[d.World]
	if len(w.Imports) != 0 || len(w.Exports) != 1 || w.Exports[0].Key.Name != "run" {
		t.Errorf("composed world: %d imports, exports %+v", len(w.Imports), w.Exports)
	}
	if g, err := os.ReadFile(dot); err != nil || !strings.HasPrefix(string(g), "digraph {") {
		t.Errorf("graph: %v %q", err, g)
	}
	if _, err := exec.LookPath("dot"); err == nil {
		svg := filepath.Join(dir, "composed.svg")
		if code, _, errs := run(t, "", "plug", fixturePath("app.wat"), "--plug", fixturePath("adder.wat"), "-o", out, "--graph", svg); code != ExitOK {
			t.Errorf("--graph .svg: exit %d: %s", code, errs)
		}
	}
}

func TestPlugCommandBadInput(t *testing.T) {
	out := filepath.Join(t.TempDir(), "x.wasm")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"plug", fixturePath("app.wat"), "--plug", fixturePath("adder-u64.wat"), "-o", out}, "adder-u64.wat cannot fill import `test:math/adder@1.0.0` of app.wat"},
		{[]string{"plug", fixturePath("needs-ping.wat"), "--plug", fixturePath("ping.wat"), "--plug", fixturePath("pong.wat"), "-o", out}, "cycle: ping.wat -> pong.wat -> ping.wat"},
		{[]string{"plug", fixturePath("app.wat"), "-o", out}, "at least one --plug"},
		{[]string{"plug", fixturePath("nope.wasm"), "--plug", fixturePath("adder.wat")}, "nope.wasm"},
	} {
		code, _, errs := run(t, "", tc.args...)
		if code != ExitUser || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 1 and %q", tc.args[1:], code, errs, tc.want)
		}
	}
}

func TestComposeCommand(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "composed.wasm")
	code, _, errs := run(t, "", "compose", fixturePath("app.wac"), "-o", out, "--graph", filepath.Join(dir, "g.dot"))
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := component.Decode(b); err != nil || component.Validate(c, component.DefaultFeatures) != nil {
		t.Fatalf("composed component does not validate: %v", err)
	}
	// --dep names a package's file directly.
	wac := filepath.Join(dir, "two.wac")
	os.WriteFile(wac, []byte("package x:y;\nlet o = new a:off {};\nlet a = new a:add { offset: o.offset };\nexport a.adder;\n"), 0o644)
	code, _, errs = run(t, "", "compose", wac, "--dep", "a:off="+fixturePath("offset.wat"), "--dep", "a:add="+fixturePath("adder.wat"), "-o", out)
	if code != ExitOK {
		t.Fatalf("--dep: exit %d: %s", code, errs)
	}
}

func TestComposeCommandErrorsPointIntoTheDocument(t *testing.T) {
	dir := t.TempDir()
	wac := filepath.Join(dir, "bad.wac")
	os.WriteFile(wac, []byte("package x:y;\nlet a = new a:add { offset: 1 };\n"), 0o644)
	code, _, errs := run(t, "", "compose", wac, "--dep", "a:add="+fixturePath("adder.wat"))
	if code != ExitUser || !strings.Contains(errs, "bad.wac:2:29") || !strings.Contains(errs, "^") {
		t.Errorf("exit %d, stderr:\n%s", code, errs)
	}
	code, _, errs = run(t, "", "compose", wac, "--dep", "nonsense")
	if code != ExitUser || !strings.Contains(errs, "ns:pkg=PATH") {
		t.Errorf("bad --dep: exit %d, stderr %q", code, errs)
	}
}
