package bindgen

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/internal/testutil"
)

// jcoCases are calls of the kinds guest's exports written twice, as a JS
// expression for the component transpiled by jco (testdata/kindsjs/run.mjs
// prints its value as JSON) and, where one call says it, as a WAVE call on
// wasmcm's runtime: the same values in and out on both.
var jcoCases = []struct {
	name, js, jsWant string
	fn, args, want   string // the WAVE side; fn "" when it takes several calls
}{
	{"run", `m.run(['x', 'y'])`, `37`, "run", `["x", "y"]`, `ok(37)`},
	{"echo-string", `api.echoString('héllo, wörld 🌍')`, `"héllo, wörld 🌍"`,
		"echo-string", `"héllo, wörld 🌍"`, `"héllo, wörld 🌍"`},
	{"echo-scalars", `api.echoScalars({b: true, u8v: 255, u16v: 65535, u32v: 4294967295, u64v: 18446744073709551615n, s8v: -128, s16v: -32768, s32v: -2147483648, s64v: -9223372036854775808n, f32v: 1.5, f64v: -0.125, c: '☃'})`,
		`{"b":true,"u8v":255,"u16v":65535,"u32v":4294967295,"u64v":"18446744073709551615n","s8v":-128,"s16v":-32768,"s32v":-2147483648,"s64v":"-9223372036854775808n","f32v":1.5,"f64v":-0.125,"c":"☃"}`,
		"echo-scalars", `{b: true, u8v: 255, u16v: 65535, u32v: 4294967295, u64v: 18446744073709551615, s8v: -128, s16v: -32768, s32v: -2147483648, s64v: -9223372036854775808, f32v: 1.5, f64v: -0.125, c: '☃'}`,
		`{b: true, u8v: 255, u16v: 65535, u32v: 4294967295, u64v: 18446744073709551615, s8v: -128, s16v: -32768, s32v: -2147483648, s64v: -9223372036854775808, f32v: 1.5, f64v: -0.125, c: '☃'}`},
	{"echo-nested", `api.echoNested({p: {x: 1, y: 2, label: 'p'}, shapes: [{tag: 'circle', val: 1}, {tag: 'named', val: 'n'}, {tag: 'poly', val: [{x: 0, y: 0, label: ''}]}, {tag: 'none'}], opt: 'o', res: {tag: 'err', val: 'e'}, fixed: new Uint8Array([1, 2, 3]), tags: ['a', '', 'ccc'], pairs: [[1, 'one'], [2, 'two']], c: 'blue', f: {read: true, exec: true}, maybe: {x: 7, y: 8, label: 'm'}, keyword: 9})`,
		`{"p":{"x":1,"y":2,"label":"p"},"shapes":[{"tag":"circle","val":1},{"tag":"named","val":"n"},{"tag":"poly","val":[{"x":0,"y":0,"label":""}]},{"tag":"none"}],"opt":"o","res":{"tag":"err","val":"e"},"fixed":[1,2,3],"tags":["a","","ccc"],"pairs":[[1,"one"],[2,"two"]],"c":"blue","f":{"read":true,"write":false,"exec":true},"maybe":{"x":7,"y":8,"label":"m"},"keyword":9}`,
		"echo-nested", kindsCalls[13].args, kindsCalls[13].args},
	{"echo-shape", `api.echoShape({tag: 'rect', val: [1.25, -8]})`, `{"tag":"rect","val":[1.25,-8]}`,
		"echo-shape", `rect((1.25, -8))`, `rect((1.25, -8))`},
	{"echo-list", `api.echoList([['a', 'b'], [], ['c']])`, `[["a","b"],[],["c"]]`,
		"echo-list", `[["a", "b"], [], ["c"]]`, `[["a", "b"], [], ["c"]]`},
	// jco tags the outer option of option<option<u32>>, not the inner one.
	{"echo-option", `[api.echoOption({tag: 'none'}), api.echoOption({tag: 'some', val: undefined}), api.echoOption({tag: 'some', val: 42})]`, `[{"tag":"none"},{"tag":"some"},{"tag":"some","val":42}]`, "", "", ""},
	{"echo-color", `api.echoColor('green', {write: true})`, `["green",{"read":false,"write":true,"exec":false}]`,
		"echo-color", `green, {write}`, `(green, {write})`},
	{"check-true", `api.check(true)`, `"fine"`, "check", `true`, `ok("fine")`},
	{"check-false", `api.check(false)`, `throws {"tag":"not-found","val":"missing thing"}`, "check", `false`, `err(not-found("missing thing"))`},
	{"check-simple", `api.checkSimple(false)`, `throws "worse"`, "check-simple", `false`, `err(worse)`},
	{"check-str", `api.checkStr(false)`, `throws "not ok"`, "check-str", `false`, `err("not ok")`},
	{"many", `api.many(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 'a', 'bb', 'ccc', 'dddd', 100n, 2.5)`, `167`,
		"many", `1, 2, 3, 4, 5, 6, 7, 8, 9, 10, "a", "bb", "ccc", "dddd", 100, 2.5`, `167`},
	{"counter", `(() => { const a = new types.Counter(5), b = new types.Counter(7); a.add(10); return [a.get(), types.Counter.merge(a, b).name(), api.counterTotal(a)]; })()`, `[15,"c5+c7",15]`, "", "", ""},
	{"make-take", `(() => { const c = api.makeCounter(4); return [c.name(), api.takeCounter(c)]; })()`, `["made4",40]`, "", "", ""},
	{"big-string", `api.echoString('0123456789abcdef'.repeat(1 << 16)).length`, `1048576`, "", "", ""},
}

// TestGoGuestUnderJco transpiles the kinds guest's component with jco and
// runs the cases under node, with imports served by testdata/kindsjs (as the
// Go host serves them): the answers are the ones wasmcm's runtime gives for
// the same values. Both with wasmcm's preview-1 adapter and jco's.
func TestGoGuestUnderJco(t *testing.T) {
	g, comp := kindsComponent(t)
	lib := jcoLib(t)
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("skipped: node is absent, and jco needs it")
	}
	ref, err := os.ReadFile(filepath.Join(lib, "wasi_snapshot_preview1.reactor.wasm"))
	if err != nil {
		t.Fatal(err)
	}

	// wasmcm's side of the same values.
	inst, _, _ := kindsInstance(t, comp, g.r, "GOGC=1", "GUEST_GC_EVERY=1")
	for _, c := range jcoCases {
		if c.fn == "" {
			continue
		}
		name := c.fn
		if name != "run" {
			name = kindsAPI + "#" + name
		}
		if got := call(t, inst, name, c.args); got != c.want {
			t.Errorf("wasmcm %s(%s) = %s, want %s", c.fn, c.args, got, c.want)
		}
	}

	cases := make([][2]string, len(jcoCases))
	for i, c := range jcoCases {
		cases[i] = [2]string{c.name, c.js}
	}
	casesJSON, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	casesFile := filepath.Join(t.TempDir(), "cases.json")
	if err := os.WriteFile(casesFile, casesJSON, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, a := range []struct {
		name string
		comp []byte
	}{{"wasmcm adapter", comp}, {"reference adapter", g.component(t, ref)}} {
		t.Run(a.name, func(t *testing.T) {
			js := transpile(t, a.comp)
			cmd := exec.Command("node", filepath.Join(testutil.RepoRoot(t), "bindgen", "testdata", "kindsjs", "run.mjs"), js, casesFile)
			cmd.Env = append(os.Environ(), "GOGC=1", "GUEST_GC_EVERY=1")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("node: %v\n%s", err, out)
			}
			lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
			if len(lines) != len(jcoCases) {
				t.Fatalf("node printed %d lines for %d cases:\n%s", len(lines), len(jcoCases), out)
			}
			for i, c := range jcoCases {
				name, got, _ := strings.Cut(lines[i], "\t")
				if name != c.name || got != c.jsWant {
					t.Errorf("jco %s = %s, want %s", name, got, c.jsWant)
				}
			}
		})
	}
}

// transpile runs jco transpile on comp, with the imports mapped to
// testdata/kindsjs, and returns the path of the JS module. Transpiled output
// is cached under .cache/guests by the component's and the JS files' hash.
func transpile(t *testing.T, comp []byte) string {
	t.Helper()
	root := testutil.RepoRoot(t)
	jsDir := filepath.Join(root, "bindgen", "testdata", "kindsjs")
	key := map[string][]byte{"component": comp, "jco": []byte(jcoVersion)}
	for _, f := range []string{"api.js", "types.js", "log.js"} {
		b, err := os.ReadFile(filepath.Join(jsDir, f))
		if err != nil {
			t.Fatal(err)
		}
		key[f] = b
	}
	dir := filepath.Join(root, ".cache", "guests", "jco-"+testutil.HashFiles(key))
	js := filepath.Join(dir, "out", "kinds.js")
	// A cached transpile counts only while its node_modules link still
	// resolves (a cache copied from another checkout keeps a dead link).
	if _, err := os.Stat(js); err == nil {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", "@bytecodealliance", "preview2-shim")); err == nil {
			return js
		}
	}
	tmp := dir + ".tmp"
	os.RemoveAll(tmp)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	for f, b := range key {
		if strings.HasSuffix(f, ".js") {
			if err := os.WriteFile(filepath.Join(tmp, f), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The transpiled module imports @bytecodealliance/preview2-shim. The link
	// is relative (.cache/guests/X -> .cache/jco) so the cache survives a
	// move of the checkout.
	if err := os.Symlink(filepath.Join("..", "..", "jco", "node_modules"), filepath.Join(tmp, "node_modules")); err != nil {
		t.Fatal(err)
	}
	wasm := filepath.Join(tmp, "kinds.wasm")
	if err := os.WriteFile(wasm, comp, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(root, ".cache", "jco", "node_modules", ".bin", "jco"), "transpile", wasm, "-o", filepath.Join(tmp, "out"),
		"-q", "--no-typescript", "--map", "test:kinds/api=../api.js", "--map", "test:kinds/types=../types.js", "--map", "log=../log.js")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("jco transpile: %v\n%s", err, out)
	}
	os.RemoveAll(dir)
	if err := os.Rename(tmp, dir); err != nil {
		t.Fatal(err)
	}
	return js
}
