package wit

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/internal/testutil"
)

// uiCases lists the passing cases of the wit-parser UI suite: every X.wit,
// X.wat, X.md and folder X/ directly under dir, except parse-fail.
func uiCases(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var cases []string
	for _, e := range entries {
		name := e.Name()
		switch {
		case e.IsDir() && name != "parse-fail":
			cases = append(cases, name)
		case strings.HasSuffix(name, ".wit"), strings.HasSuffix(name, ".wat"), strings.HasSuffix(name, ".md"):
			cases = append(cases, name)
		}
	}
	sort.Strings(cases)
	return cases
}

// uiDecodeWasm decodes the suite's .wat/.wasm packages; the external test
// package sets it (package wit cannot import the decoder, which imports wit).
var uiDecodeWasm decodeFunc

func TestConformanceWitParserUIJSON(t *testing.T) {
	dir := testutil.Shared(t, "conformance/wit-parser-ui")
	cases := uiCases(t, dir)
	passed := 0
	var needWasm []string
	for _, c := range cases {
		base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(c, ".wit"), ".wat"), ".md")
		want, err := os.ReadFile(filepath.Join(dir, base+".wit.json"))
		if err != nil {
			t.Errorf("%s: no expected JSON: %v", c, err)
			continue
		}
		if strings.HasSuffix(c, ".wat") && uiDecodeWasm == nil {
			// Binary WIT in text form needs the component decoder.
			needWasm = append(needWasm, c)
			continue
		}
		r, _, err := Load(filepath.Join(dir, c), Options{Features: []string{"active"}, DecodeWasm: uiDecodeWasm})
		if err != nil && strings.Contains(err.Error(), "encoded as wasm are not supported") {
			needWasm = append(needWasm, c) // a dependency is a .wat or .wasm
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c, err)
			continue
		}
		got, err := r.MarshalJSON()
		if err != nil {
			t.Errorf("%s: marshal: %v", c, err)
			continue
		}
		var gv, wv any
		if err := json.Unmarshal(got, &gv); err != nil {
			t.Errorf("%s: our JSON does not parse: %v", c, err)
			continue
		}
		if err := json.Unmarshal(want, &wv); err != nil {
			t.Fatalf("%s: expected JSON does not parse: %v", c, err)
		}
		if !reflect.DeepEqual(gv, wv) {
			t.Errorf("%s: JSON differs from the reference:\n%s", c, jsonDiff(gv, wv))
			continue
		}
		passed++
	}
	if len(needWasm) > 0 {
		t.Logf("not passing (need the component decoder): %s", strings.Join(needWasm, ", "))
	}
	testutil.Conformance(t, "wit-parser-ui-json", passed, len(cases))
}

// jsonDiff names the first few paths where two JSON values differ.
func jsonDiff(got, want any) string {
	var out []string
	var walk func(path string, g, w any)
	walk = func(path string, g, w any) {
		if len(out) >= 8 {
			return
		}
		switch w := w.(type) {
		case map[string]any:
			gm, ok := g.(map[string]any)
			if !ok {
				out = append(out, path+": got "+short(g)+", want "+short(w))
				return
			}
			keys := map[string]bool{}
			for k := range w {
				keys[k] = true
			}
			for k := range gm {
				keys[k] = true
			}
			var ks []string
			for k := range keys {
				ks = append(ks, k)
			}
			sort.Strings(ks)
			for _, k := range ks {
				walk(path+"."+k, gm[k], w[k])
			}
		case []any:
			ga, ok := g.([]any)
			if !ok || len(ga) != len(w) {
				out = append(out, path+": got "+short(g)+", want "+short(w))
				return
			}
			for i := range w {
				walk(path+"["+itoa(i)+"]", ga[i], w[i])
			}
		default:
			if !reflect.DeepEqual(g, w) {
				out = append(out, path+": got "+short(g)+", want "+short(w))
			}
		}
	}
	walk("", got, want)
	return strings.Join(out, "\n")
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 300 {
		b = append(b[:300], "..."...)
	}
	return string(b)
}

var locationRE = regexp.MustCompile(`[A-Za-z0-9_./-]+\.(?:wit|md|wat|wasm):\d+:\d+`)

func TestConformanceWitParserUIParseFail(t *testing.T) {
	dir := testutil.Shared(t, "conformance/wit-parser-ui/parse-fail")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	// The reference ran from the wit-parser crate, so its paths read
	// tests/ui/parse-fail/...; loading by the real path and rewriting the
	// prefix lets the texts be compared.
	refPrefix := "tests/ui/parse-fail"
	total, rejected, sameLoc, sameMsg := 0, 0, 0, 0
	for _, e := range entries {
		name := e.Name()
		if strings.HasSuffix(name, ".result") {
			continue
		}
		total++
		want, err := os.ReadFile(filepath.Join(dir, strings.TrimSuffix(name, ".wit")+".wit.result"))
		if err != nil {
			t.Errorf("%s: no .wit.result: %v", name, err)
			continue
		}
		_, _, lerr := Load(filepath.Join(dir, name), Options{Features: []string{"active"}})
		if lerr == nil {
			t.Errorf("%s: loaded, but the reference rejects it:\n%s", name, want)
			continue
		}
		rejected++
		got := strings.ReplaceAll(lerr.Error(), dir, refPrefix)
		wantLoc := locationRE.FindString(string(want))
		gotLoc := locationRE.FindString(got)
		if wantLoc == gotLoc {
			sameLoc++
		} else {
			t.Errorf("%s: first location %q, reference %q\n got: %s\nwant: %s", name, gotLoc, wantLoc, got, want)
		}
		if got == string(want) {
			sameMsg++
		} else if wantLoc == gotLoc {
			t.Logf("%s: message differs\n got: %s\nwant: %s", name, got, want)
		}
	}
	testutil.Conformance(t, "wit-parser-ui-rejected", rejected, total)
	testutil.Conformance(t, "wit-parser-ui-same-location", sameLoc, total)
	testutil.Conformance(t, "wit-parser-ui-same-message", sameMsg, total)
}

func TestConformanceWASIResolve(t *testing.T) {
	dir := testutil.Shared(t, "conformance/wasi")
	pkgs, err := filepath.Glob(filepath.Join(dir, "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	passed, total := 0, 0
	for _, p := range pkgs {
		if fi, err := os.Stat(p); err != nil || !fi.IsDir() {
			continue
		}
		total++
		r, ids, err := Load(materializeWASI(t, p), Options{})
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if len(ids) != 1 || len(r.Packages[ids[0]].Interfaces) == 0 {
			t.Errorf("%s: main package missing or empty", p)
			continue
		}
		passed++
	}
	testutil.Conformance(t, "wasi-resolve", passed, total)
}

// materializeWASI returns a directory that wit-parser's layout can load for
// the WASI package at dir. The corpus stores each deps/<name> entry as a
// small file holding the relative target of what upstream has as a
// symbolic link; this builds a temporary copy with real links.
func materializeWASI(t testing.TB, dir string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), filepath.Base(dir))
	if err := os.MkdirAll(filepath.Join(out, "deps"), 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".wit") {
			if err := os.Symlink(filepath.Join(dir, e.Name()), filepath.Join(out, e.Name())); err != nil {
				t.Fatal(err)
			}
		}
	}
	deps, err := os.ReadDir(filepath.Join(dir, "deps"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	for _, d := range deps {
		link := filepath.Join(dir, "deps", d.Name())
		target := link
		if !d.IsDir() {
			b, err := os.ReadFile(link)
			if err != nil {
				t.Fatal(err)
			}
			target = filepath.Join(dir, "deps", strings.TrimSpace(string(b)))
		}
		if err := os.Symlink(target, filepath.Join(out, "deps", d.Name())); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// BenchmarkResolveWASIHTTP loads wasi:http@0.2.12 with its dependencies
// (reading, parsing and resolving every file).
func BenchmarkResolveWASIHTTP(b *testing.B) {
	dir := materializeWASI(b, testutil.Shared(b, "conformance/wasi/0.2.12/http"))
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		if _, _, err := Load(dir, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	// CPU time of all threads (parsing is concurrent, and GC counts too).
	if cpu := cpuTime() - start; cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}
