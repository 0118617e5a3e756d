package compose

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wasmcm/wasmcm/bindgen"
	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/preview1"
	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/runtime"
	"github.com/wasmcm/wasmcm/runtime/wasi"
	"github.com/wasmcm/wasmcm/wit"
)

// The cross-language end-to-end test composes three components built here
// from testdata/guests/xlang: text in Rust (canonical ABI by hand), format
// in JavaScript (componentize-js) and an app in Go (wasmcm's bindgen and
// preview-1 adapter) that uses both. Each build is cached under
// .cache/guests keyed by what it reads; a missing toolchain skips.

// xlangWASI is the WASI version the app's world names (that of wasmcm's
// preview-1 adapter).
const xlangWASI = preview1.WASIVersion

// xlangDir is where the sources are.
func xlangDir(t testing.TB) string {
	return filepath.Join(testutil.RepoRoot(t), "testdata", "guests", "xlang")
}

// xlangWIT loads the demo package (with WASI beside it) once per test.
func xlangWIT(t testing.TB) (dir string, r *wit.Resolve, pkgs []wit.PackageID) {
	t.Helper()
	dir = testutil.WITWithWASI(t, filepath.Join(xlangDir(t), "wit"), xlangWASI)
	r, pkgs, err := wit.Load(dir, wit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return dir, r, pkgs
}

// newComponent embeds world into core and makes the component, with
// wasmcm's own preview-1 adapter when the module needs one.
func newComponent(t testing.TB, core []byte, r *wit.Resolve, pkgs []wit.PackageID, world string) []byte {
	t.Helper()
	w, err := r.SelectWorld(pkgs, world)
	if err != nil {
		t.Fatal(err)
	}
	emb, err := component.Embed(core, r, w, canon.UTF8)
	if err != nil {
		t.Fatalf("embedding %s: %v", world, err)
	}
	opts := component.NewOptions{}
	adapter, err := preview1.ForModule(core)
	if err != nil {
		t.Fatalf("the preview-1 adapter: %v", err)
	}
	if adapter != nil {
		opts.Adapters = map[string][]byte{preview1.ModuleName: adapter}
	}
	c, err := component.New(emb, opts)
	if err != nil {
		t.Fatalf("component new (%s): %v", world, err)
	}
	return c
}

// buildRustText builds text.rs for wasm32-unknown-unknown and makes it the
// component of world text-impl.
func buildRustText(t testing.TB) []byte {
	t.Helper()
	rustc := testutil.Rustc(t, "wasm32-unknown-unknown")
	src := filepath.Join(xlangDir(t), "text.rs")
	code, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	ver, _ := runOutput(rustc, "-V")
	core, err := testutil.CachedBuild(t, "xlang-rust", testutil.HashFiles(map[string][]byte{"text.rs": code, "rustc": ver}), "text.wasm", func(out string) error {
		_, err := runOutput(rustc, "--edition", "2021", "--target", "wasm32-unknown-unknown", "--crate-type", "cdylib", "-O", "-C", "strip=debuginfo", "-o", out, src)
		return err
	})
	if err != nil {
		t.Fatalf("building text.rs: %v", err)
	}
	b, err := os.ReadFile(core)
	if err != nil {
		t.Fatal(err)
	}
	_, r, pkgs := xlangWIT(t)
	return newComponent(t, b, r, pkgs, "text-impl")
}

// buildGoApp generates the bindings of world app, builds app/main.go with
// them for wasip1 and makes it a component.
func buildGoApp(t testing.TB) []byte {
	t.Helper()
	_, r, pkgs := xlangWIT(t)
	w, err := r.SelectWorld(pkgs, "app")
	if err != nil {
		t.Fatal(err)
	}
	gen, err := bindgen.Go(r, w, bindgen.GoOptions{PackageRoot: "example.com/xlang/bindings"})
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for name, b := range gen {
		files["bindings/"+name] = b
	}
	main, err := os.ReadFile(filepath.Join(xlangDir(t), "app", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	files["main.go"] = main
	key := testutil.GoWasip1Key(t)
	for n, b := range files {
		key["src/"+n] = b
	}
	core, err := testutil.CachedBuild(t, "xlang-go", testutil.HashFiles(key), "app.wasm", func(out string) error {
		return testutil.BuildGoWasip1(t, "example.com/xlang", files, out)
	})
	if err != nil {
		t.Fatalf("building the Go app: %v", err)
	}
	b, err := os.ReadFile(core)
	if err != nil {
		t.Fatal(err)
	}
	return newComponent(t, b, r, pkgs, "app")
}

// buildJSFormat makes format.js the component of world format-impl with
// componentize-js (about a minute the first time).
func buildJSFormat(t testing.TB) []byte {
	t.Helper()
	testutil.ComponentizeJS(t)
	dir, _, _ := xlangWIT(t)
	src := filepath.Join(xlangDir(t), "format.js")
	key := testutil.BuildJSScriptFiles(t)
	for _, f := range []string{"format.js", "wit/demo.wit"} {
		b, err := os.ReadFile(filepath.Join(xlangDir(t), f))
		if err != nil {
			t.Fatal(err)
		}
		key[f] = b
	}
	key["wasi"] = []byte(xlangWASI)
	out, err := testutil.CachedBuild(t, "xlang-js", testutil.HashFiles(key), "format.wasm", func(out string) error {
		return testutil.BuildJS(t, src, dir, "format-impl", out)
	})
	if err != nil {
		t.Fatalf("building format.js: %v", err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// xlangComponents are the three components, built once per test binary.
type xlangComponents struct {
	text, format, app *Package
}

var (
	xlangMu    sync.Mutex
	xlangBuilt *xlangComponents
)

func xlangGuests(t testing.TB) *xlangComponents {
	t.Helper()
	if testing.Short() {
		t.Skip("skipped in -short: the guests take minutes to build the first time")
	}
	xlangMu.Lock()
	defer xlangMu.Unlock()
	if xlangBuilt != nil {
		return xlangBuilt
	}
	pkg := func(name string, b []byte) *Package {
		p, err := NewPackage(name, b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return p
	}
	c := &xlangComponents{
		text:   pkg("xlang:text", buildRustText(t)),
		app:    pkg("xlang:app", buildGoApp(t)),
		format: pkg("xlang:format", buildJSFormat(t)),
	}
	xlangBuilt = c
	return c
}

// runOutput runs a command and returns its output, which an error
// includes.
func runOutput(name string, args ...string) ([]byte, error) {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("%s: %v\n%s", filepath.Base(name), err, out)
	}
	return out, nil
}

// xlangWant is what the app prints, however it is put together.
const xlangWant = `analyze: words=17 bytes=97 longest="Ünïcödé"
summary: "17 words in 97 bytes, longest \"Ünïcödé\"" (error <nil>)
summary without words: error "no words in 8 bytes"
describe: word "fox"
describe: number 42
describe: punct , U+002C
describe: word "dög"
describe: punct ! U+0021
describe: number -4611686018427387904
describe: punct 𝄞 U+1D11E
tally.add: 15
tally.add: 15
tally.top: fox 4
tally.top: the 4
report: fox=4, the=4, dog=2
pad left: [wasm······]
pad center: [···wasm···]
pad right: [······wasm]
`

var (
	xlangRTOnce sync.Once
	xlangRT     *runtime.Runtime
	xlangRTErr  error
)

// xlangRuntime is one runtime for the test binary, its machine code cached
// under .cache/wazero (the JS engine takes ~40 s to compile the first time).
func xlangRuntime(t testing.TB) *runtime.Runtime {
	t.Helper()
	xlangRTOnce.Do(func() {
		xlangRT, xlangRTErr = runtime.New(context.Background(), runtime.Config{CompilationCacheDir: filepath.Join(testutil.RepoRoot(t), ".cache", "wazero")})
	})
	if xlangRTErr != nil {
		t.Fatal(xlangRTErr)
	}
	return xlangRT
}

// instantiate compiles bin and instantiates it with WASI and the given
// instances linked (name -> instance exporting name).
func instantiate(t testing.TB, bin []byte, stdout *bytes.Buffer, links map[string]*runtime.Instance) *runtime.Instance {
	t.Helper()
	ctx := context.Background()
	c, err := xlangRuntime(t).Compile(ctx, bin)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	l := runtime.NewLinker()
	h, err := wasi.Add(l, wasi.Config{Args: []string{"app"}, Stdout: stdout, Stderr: stdout})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	for name, inst := range links {
		if err := l.Instance(name, inst, name); err != nil {
			t.Fatal(err)
		}
	}
	inst, err := c.Instantiate(ctx, l)
	if err != nil {
		t.Fatalf("instantiate: %v", err)
	}
	t.Cleanup(func() { inst.Close(ctx) })
	return inst
}

// runApp runs wasi:cli/run of inst and returns what it printed.
func runApp(t testing.TB, inst *runtime.Instance, out *bytes.Buffer) string {
	t.Helper()
	code, err := wasi.Run(context.Background(), inst)
	if err != nil || code != 0 {
		t.Fatalf("run: exit %d, %v\noutput:\n%s", code, err, out)
	}
	return out.String()
}

// hostLinked instantiates the three components separately, each one's
// imports served by the others' instances through the host.
func hostLinked(t testing.TB, g *xlangComponents, out *bytes.Buffer) *runtime.Instance {
	t.Helper()
	const textName, formatName = "xlang:demo/text@0.1.0", "xlang:demo/format@0.1.0"
	text := instantiate(t, g.text.Bytes, out, nil)
	format := instantiate(t, g.format.Bytes, out, map[string]*runtime.Instance{textName: text})
	return instantiate(t, g.app.Bytes, out, map[string]*runtime.Instance{textName: text, formatName: format})
}

// checkComposed validates a composition and checks that it embeds each
// component once and imports only WASI.
func checkComposed(t testing.TB, g *xlangComponents, bin []byte) {
	t.Helper()
	c, err := component.Decode(bin)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if err := component.Validate(c, component.DefaultFeatures); err != nil {
		t.Fatalf("validate: %v", err)
	}
	if max := len(g.text.Bytes) + len(g.format.Bytes) + len(g.app.Bytes) + 64<<10; len(bin) > max {
		t.Errorf("composition of %d bytes: more than the three components (%d) and some glue", len(bin), max)
	}
	d, err := component.ComponentWIT(c)
	if err != nil {
		t.Fatal(err)
	}
	w := d.Resolve.Worlds[d.World]
	for _, it := range w.Imports {
		if n := KeyName(d.Resolve, it.Key); it.Kind == wit.WorldItemInterface && !strings.HasPrefix(n, "wasi:") {
			t.Errorf("composition imports %s", n)
		}
	}
	var exports []string
	for _, it := range w.Exports {
		exports = append(exports, KeyName(d.Resolve, it.Key))
	}
	sort.Strings(exports)
	if got := strings.Join(exports, " "); got != "analyze-many wasi:cli/run@"+xlangWASI {
		t.Errorf("composition exports %s", got)
	}
}

// The Go app, the Rust text and the JS format composed into one component
// by plug and by WAC run as the three instantiated apart and linked through
// the host do: strings, lists, records, variants, an enum, a result and a
// resource (made in Rust, used from Go, lent to JS) cross every pair.
func TestXLangComposed(t *testing.T) {
	g := xlangGuests(t)

	var hostOut bytes.Buffer
	if got := runApp(t, hostLinked(t, g, &hostOut), &hostOut); got != xlangWant {
		t.Fatalf("host-linked output:\n%s\nwant:\n%s", got, xlangWant)
	}

	res, err := Plug(g.app, []*Package{g.text, g.format}, PlugOptions{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	wiring := strings.Join(res.Wiring, "\n")
	for _, w := range []string{
		"xlang:app: import `xlang:demo/text@0.1.0` <- export `xlang:demo/text@0.1.0` of xlang:text",
		"xlang:app: import `xlang:demo/format@0.1.0` <- export `xlang:demo/format@0.1.0` of xlang:format",
		"xlang:format: import `xlang:demo/text@0.1.0` <- export `xlang:demo/text@0.1.0` of xlang:text",
	} {
		if !strings.Contains(wiring, w) {
			t.Errorf("plug wiring lacks %q:\n%s", w, wiring)
		}
	}
	plugged, err := res.Graph.Encode(EncodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkComposed(t, g, plugged)
	var out bytes.Buffer
	if got := runApp(t, instantiate(t, plugged, &out, nil), &out); got != xlangWant {
		t.Errorf("plugged output:\n%s\nwant:\n%s", got, xlangWant)
	}

	deps := xlangDeps(t, g)
	comp, err := ComposeFile(filepath.Join(xlangDir(t), "demo.wac"), Options{Deps: deps})
	if err != nil {
		t.Fatal(err)
	}
	composed, err := comp.Graph.Encode(EncodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkComposed(t, g, composed)
	out.Reset()
	inst := instantiate(t, composed, &out, nil)
	if got := runApp(t, inst, &out); got != xlangWant {
		t.Errorf("WAC output:\n%s\nwant:\n%s", got, xlangWant)
	}
	// The other export, called directly: Go to Rust ten times.
	r, err := inst.Call(context.Background(), "analyze-many", canon.String("two words"), canon.U32(10))
	if err != nil || r[0].Uint() != 20 {
		t.Errorf("analyze-many: %v %v", r, err)
	}
	// Every call between the three components went through a fused
	// adapter: none took the runtime's Go path.
	if n := inst.GoCalls(); n != 0 {
		t.Errorf("%d calls between the composed components went through Go, want 0 (all fused)", n)
	}
}

// xlangDeps writes the three components to files for WAC and the CLI.
func xlangDeps(t testing.TB, g *xlangComponents) map[string]string {
	t.Helper()
	dir := t.TempDir()
	deps := map[string]string{}
	for _, p := range []*Package{g.text, g.format, g.app} {
		f := filepath.Join(dir, strings.TrimPrefix(p.Name, "xlang:")+".wasm")
		if err := os.WriteFile(f, p.Bytes, 0o644); err != nil {
			t.Fatal(err)
		}
		deps[p.Name] = f
	}
	return deps
}

// wasmcm plug and wasmcm compose make the same composition from files, and
// it runs the same.
func TestXLangCLI(t *testing.T) {
	g := xlangGuests(t)
	deps := xlangDeps(t, g)
	dir := t.TempDir()
	bin := filepath.Join(dir, "wasmcm")
	build := exec.Command(testutil.GoCommand(t), "build", "-o", bin, "./cmd/wasmcm")
	build.Dir = testutil.RepoRoot(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building wasmcm: %v\n%s", err, out)
	}
	plugged, composed := filepath.Join(dir, "plugged.wasm"), filepath.Join(dir, "composed.wasm")
	out, err := runOutput(bin, "plug", deps["xlang:app"], "--plug", deps["xlang:text"], "--plug", deps["xlang:format"], "-o", plugged)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "wired: format.wasm: import `xlang:demo/text@0.1.0` <- export `xlang:demo/text@0.1.0` of text.wasm") {
		t.Errorf("wasmcm plug said:\n%s", out)
	}
	args := []string{"compose", filepath.Join(xlangDir(t), "demo.wac"), "-o", composed}
	for _, name := range []string{"xlang:text", "xlang:format", "xlang:app"} {
		args = append(args, "--dep", name+"="+deps[name])
	}
	if _, err := runOutput(bin, args...); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{plugged, composed} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checkComposed(t, g, b)
		var out bytes.Buffer
		if got := runApp(t, instantiate(t, b, &out, nil), &out); got != xlangWant {
			t.Errorf("%s output:\n%s\nwant:\n%s", filepath.Base(f), got, xlangWant)
		}
	}
}

// jco run (transpiled to JavaScript, run on node with jco's WASI shim)
// prints the same as wasmcm for the composition.
func TestXLangJcoRun(t *testing.T) {
	jco := testutil.Jco(t)
	g := xlangGuests(t)
	res, err := Plug(g.app, []*Package{g.text, g.format}, PlugOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bin, err := res.Graph.Encode(EncodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "composed.wasm")
	if err := os.WriteFile(f, bin, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(jco, "run", f)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("jco run: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	if stdout.String() != xlangWant {
		t.Errorf("jco run printed:\n%s\nwant:\n%s", stdout.String(), xlangWant)
	}
}

// BenchmarkXLangCall measures one call from the Go app to Rust's analyze
// (a string in, a record with a string out): composed into one component,
// and with the two instantiated apart and linked through the host
// (Linker.Instance). The app makes b.N calls in one export call, so an
// op is one cross-component call plus what both guests do for it; "host"
// is the same call made from Go on the host for reference.
func BenchmarkXLangCall(b *testing.B) {
	g := xlangGuests(b)
	ctx := context.Background()
	const s = "the quick brown fox jumps over the lazy dog"
	res, err := Plug(g.app, []*Package{g.text, g.format}, PlugOptions{})
	if err != nil {
		b.Fatal(err)
	}
	composed, err := res.Graph.Encode(EncodeOptions{})
	if err != nil {
		b.Fatal(err)
	}
	many := func(b *testing.B, inst *runtime.Instance) {
		f, err := inst.Func("analyze-many")
		if err != nil {
			b.Fatal(err)
		}
		// One warm-up call grows the guests' heaps first.
		if _, err := f.Call(ctx, canon.String(s), canon.U32(1000)); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		defer cpuMetric(b)()
		r, err := f.Call(ctx, canon.String(s), canon.U32(uint32(b.N)))
		if err != nil || r[0].Uint() != uint64(9*b.N)&0xffffffff {
			b.Fatalf("analyze-many = %v, %v", r, err)
		}
	}
	var out bytes.Buffer
	b.Run("composed", func(b *testing.B) { many(b, instantiate(b, composed, &out, nil)) })
	b.Run("host-linked", func(b *testing.B) { many(b, hostLinked(b, g, &out)) })
	b.Run("host", func(b *testing.B) {
		f, err := instantiate(b, g.text.Bytes, &out, nil).Func("xlang:demo/text@0.1.0#analyze")
		if err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		defer cpuMetric(b)()
		for i := 0; i < b.N; i++ {
			if _, err := f.Call(ctx, canon.String(s)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// cpuMetric reports the process's CPU time per op beside the wall clock:
// the machine is shared, and CPU time is the steadier number.
func cpuMetric(b *testing.B) func() {
	start := cpuTime()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
