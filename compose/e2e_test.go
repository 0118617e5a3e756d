package compose

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/runtime"
)

func fixture(t *testing.T, name, file string) *Package {
	t.Helper()
	p, err := loadTestPackage(name, filepath.Join("testdata", file))
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return p
}

// runU32 compiles a component, instantiates it with l and calls export
// name with x.
func runU32(t *testing.T, rt *runtime.Runtime, bin []byte, l *runtime.Linker, name string, x uint32) (uint32, *runtime.Instance) {
	t.Helper()
	ctx := context.Background()
	c, err := rt.Compile(ctx, bin)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	if l == nil {
		l = runtime.NewLinker()
	}
	inst, err := c.Instantiate(ctx, l)
	if err != nil {
		t.Fatalf("instantiate: %v", err)
	}
	if name == "" {
		return 0, inst
	}
	res, err := inst.Call(ctx, name, canon.U32(x))
	if err != nil {
		t.Fatalf("call %s: %v", name, err)
	}
	return uint32(res[0].Uint()), inst
}

// The same three components give the same result composed into one (by
// plug and by WAC) as linked through the host.
func TestComposedRunsLikeHostLinked(t *testing.T) {
	ctx := context.Background()
	rt, err := runtime.New(ctx, runtime.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	app, adder, offset := fixture(t, "test:app", "app.wat"), fixture(t, "test:adder", "adder.wat"), fixture(t, "test:offset", "offset.wat")

	// Through the host: each instance serves the next one's import.
	_, offInst := runU32(t, rt, offset.Bytes, nil, "", 0)
	l1 := runtime.NewLinker()
	if err := l1.Instance("test:math/offset@1.0.0", offInst, "test:math/offset@1.0.0"); err != nil {
		t.Fatal(err)
	}
	_, addInst := runU32(t, rt, adder.Bytes, l1, "", 0)
	l2 := runtime.NewLinker()
	if err := l2.Instance("test:math/adder@1.0.0", addInst, "test:math/adder@1.0.0"); err != nil {
		t.Fatal(err)
	}
	want, _ := runU32(t, rt, app.Bytes, l2, "run", 5)
	if want != 20 {
		t.Fatalf("host-linked run(5) = %d, want 5+5+10", want)
	}

	// Plug: the adder fills the app, the offset fills the adder.
	res, err := Plug(app, []*Package{adder, offset}, PlugOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(res.Wiring, "\n"); len(res.Wiring) != 2 || !strings.Contains(w, "test:app: import `test:math/adder@1.0.0` <- export `test:math/adder@1.0.0` of test:adder") || !strings.Contains(w, "test:adder: import `test:math/offset@1.0.0`") {
		t.Errorf("wiring: %q", res.Wiring)
	}
	bin, err := res.Graph.Encode(EncodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if imps := res.Graph.ImportNames(); len(imps) != 0 {
		t.Errorf("plugged composition still imports %q", imps)
	}
	if got, _ := runU32(t, rt, bin, nil, "run", 5); got != want {
		t.Errorf("plugged run(5) = %d, host-linked %d", got, want)
	}

	// WAC: the same composition written out.
	c, err := ComposeFile(filepath.Join("testdata", "app.wac"), Options{DepsDir: filepath.Join("testdata", "deps")})
	if err != nil {
		t.Fatal(err)
	}
	bin, err = c.Graph.Encode(EncodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := runU32(t, rt, bin, nil, "run", 7); got != 24 {
		t.Errorf("WAC run(7) = %d, want 24", got)
	}
	if dot := c.Graph.DOT(); !strings.Contains(dot, `instantiation of package \"test:app\"`) || !strings.Contains(dot, "argument to") {
		t.Errorf("DOT:\n%s", dot)
	}

	// Leaving the offset out keeps its interface an import, which the host
	// then serves.
	res, err = Plug(app, []*Package{adder}, PlugOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bin, err = res.Graph.Encode(EncodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := runU32(t, rt, bin, l1, "run", 5); got != want {
		t.Errorf("partly plugged run(5) = %d, want %d", got, want)
	}
}

func TestPlugErrorsNameBothSides(t *testing.T) {
	app, adder, offset := fixture(t, "app.wasm", "app.wat"), fixture(t, "adder.wasm", "adder.wat"), fixture(t, "offset.wasm", "offset.wat")
	for _, tc := range []struct {
		name   string
		socket *Package
		plugs  []*Package
		opts   PlugOptions
		want   []string
	}{
		{"type mismatch", app, []*Package{fixture(t, "adder-u64.wasm", "adder-u64.wat")}, PlugOptions{},
			[]string{"adder-u64.wasm", "app.wasm", "test:math/adder@1.0.0", "parameter `a`", "expected u32, found u64"}},
		{"cycle", fixture(t, "needs-ping.wasm", "needs-ping.wat"), []*Package{fixture(t, "ping.wasm", "ping.wat"), fixture(t, "pong.wasm", "pong.wat")}, PlugOptions{},
			[]string{"cycle", "ping.wasm -> pong.wasm -> ping.wasm"}},
		{"ambiguous", app, []*Package{adder, fixture(t, "adder-copy.wasm", "adder.wat"), offset}, PlugOptions{Strict: true},
			[]string{"ambiguous", "adder.wasm", "adder-copy.wasm", "test:math/adder@1.0.0", "app.wasm"}},
		{"incompatible versions", adder, []*Package{fixture(t, "offset2.wasm", "offset2.wat")}, PlugOptions{},
			[]string{"adder.wasm", "test:math/offset@1.0.0", "offset2.wasm", "test:math/offset@2.0.0"}},
		{"nothing to plug", offset, []*Package{adder}, PlugOptions{},
			[]string{"no plug exports anything offset.wasm imports"}},
	} {
		_, err := Plug(tc.socket, tc.plugs, tc.opts)
		var pe *PlugError
		if !errors.As(err, &pe) {
			t.Errorf("%s: error %v, want a PlugError", tc.name, err)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not say %q", tc.name, err, w)
			}
		}
	}
	// Without Strict, --plug order breaks the tie and says so.
	res, err := Plug(app, []*Package{adder, fixture(t, "adder-copy.wasm", "adder.wat"), offset}, PlugOptions{})
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(res.Notes, "\n")
	if !strings.Contains(notes, "adder.wasm chosen over adder-copy.wasm") || !strings.Contains(notes, "adder-copy.wasm was not used") {
		t.Errorf("notes: %s", notes)
	}
}

func TestWACErrorsAreLocated(t *testing.T) {
	deps := Options{DepsDir: filepath.Join("testdata", "deps")}
	for _, tc := range []struct {
		src, want string
	}{
		{"package a:b;\nlet app = new test:app { ... };\nexport app.nope;\n", "x.wac:3:11"},
		{"package a:b;\nimport adder: interface { add: func(a: string, b: u32) -> u32; };\nlet app = new test:app { adder };\n", "x.wac:3:26"},
		{"package a:b;\nlet a = new test:offset {};\nlet b = new test:adder { offset: a.offset };\nlet c = new test:adder { offset: b };\n", "x.wac:4:26"},
		{"package a:b;\nlet app = new test:nope { ... };\n", "x.wac:2:15"},
	} {
		_, err := Compose("x.wac", tc.src, deps)
		var se *SourceError
		if !errors.As(err, &se) {
			t.Errorf("%q: error %v, want a located one", tc.src, err)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "^") {
			t.Errorf("%q: error\n%v\nwant it at %s with a caret", tc.src, err, tc.want)
		}
	}
}

func TestMain(m *testing.M) {
	os.Exit(m.Run())
}
