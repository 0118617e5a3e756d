package oracle

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/wasmcm/wasmcm/internal/testutil"
)

// shared is one compiled wasm-tools for all tests of the package: compiling
// it is the expensive part.
var shared struct {
	once sync.Once
	tool *Tool
	err  error
}

// reference returns the compiled wasm-tools, or skips when its module has
// not been downloaded.
func reference(t testing.TB) *Tool {
	t.Helper()
	shared.once.Do(func() { shared.tool, shared.err = New(context.Background()) })
	if shared.err != nil {
		t.Skipf("skipped: %v", shared.err)
	}
	return shared.tool
}

func TestResolveJSONAndReject(t *testing.T) {
	tool := reference(t)
	ctx := context.Background()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.wit")
	os.WriteFile(good, []byte("package a:b;\ninterface i {\n  @unstable(feature = x)\n  f: func(a: u32) -> string;\n}\n"), 0o644)
	for _, tc := range []struct {
		opts Options
		hasF bool
	}{{Options{}, false}, {Options{Features: []string{"x"}}, true}, {Options{AllFeatures: true}, true}} {
		out, err := tool.ResolveJSON(ctx, good, tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		var v struct {
			Interfaces []struct {
				Functions map[string]any `json:"functions"`
			} `json:"interfaces"`
		}
		if err := json.Unmarshal(out, &v); err != nil || len(v.Interfaces) != 1 {
			t.Fatalf("%+v: bad JSON (%v):\n%s", tc.opts, err, out)
		}
		if _, ok := v.Interfaces[0].Functions["f"]; ok != tc.hasF {
			t.Errorf("%+v: function f present = %v, want %v", tc.opts, ok, tc.hasF)
		}
	}

	bad := filepath.Join(dir, "bad.wit")
	os.WriteFile(bad, []byte("package a:b;\ninterface i {\n  f: func() -> nope;\n}\n"), 0o644)
	_, err := tool.ResolveJSON(ctx, bad, Options{})
	re, ok := err.(*RejectError)
	if !ok || !strings.Contains(re.Message, "name `nope` is not defined") || !strings.Contains(re.Message, "bad.wit:3:") {
		t.Fatalf("bad input: got %v", err)
	}
}

// TestOracleAgreesWithWitParserUI measures how far wasm-tools 1.230, after
// Current, is from the expected JSON of the current reference's UI suite:
// the gap is what the differential test must steer clear of.
func TestOracleAgreesWithWitParserUI(t *testing.T) {
	tool := reference(t)
	dir := testutil.Shared(t, "conformance/wit-parser-ui")
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	same, total := 0, 0
	var differ []string
	for _, e := range ents {
		name := e.Name()
		base := name
		if !e.IsDir() {
			ext := filepath.Ext(name)
			if ext != ".wit" && ext != ".wat" && ext != ".md" {
				continue
			}
			base = strings.TrimSuffix(name, ext)
		} else if name == "parse-fail" {
			continue
		}
		want, err := os.ReadFile(filepath.Join(dir, base+".wit.json"))
		if err != nil {
			continue
		}
		total++
		got, err := tool.ResolveJSON(context.Background(), filepath.Join(dir, name), Options{Features: []string{"active"}})
		if err != nil {
			differ = append(differ, name+" (rejected)")
			continue
		}
		a, err := Current(got)
		if err != nil {
			t.Fatal(err)
		}
		var b any
		if err := json.Unmarshal(want, &b); err != nil {
			t.Fatal(err)
		}
		if reflect.DeepEqual(a, b) {
			same++
		} else {
			differ = append(differ, name)
		}
	}
	t.Logf("wasm-tools 1.230 agrees with the current reference on %d/%d UI cases; differs on %v", same, total, differ)
	// 1.230 lacks map<K, V> and constructor results, and gates foreign
	// dependencies and elaborates includes differently: 7 cases as of
	// wasm-tools 1.257's suite.
	if total > 0 && same < total-7 {
		t.Errorf("agreement dropped to %d/%d", same, total)
	}
}

func TestCurrentRewritesShapes(t *testing.T) {
	in := `{"interfaces":[{"functions":{"[async]f":{"name":"[async]f","kind":"async-freestanding","params":[]},
"[async method]r.g":{"name":"[async method]r.g","kind":{"async-method":0},"params":[]},
"[async static]r.h":{"name":"[async static]r.h","kind":{"async-static":0},"params":[]}}}],
"worlds":[{"name":"[async]w","imports":{"f":{"function":{"name":"[async]f","kind":"async-freestanding","params":[]}}}}],
"types":[{"name":null,"kind":{"fixed-size-list":["u32",4]}}],
"docs":{"contents":"[async]not a function"}}`
	want := `{"interfaces":[{"functions":{"f":{"name":"f","kind":"async-freestanding","params":[]},
"[method]r.g":{"name":"[method]r.g","kind":{"async-method":0},"params":[]},
"[static]r.h":{"name":"[static]r.h","kind":{"async-static":0},"params":[]}}}],
"worlds":[{"name":"[async]w","imports":{"f":{"function":{"name":"f","kind":"async-freestanding","params":[]}}}}],
"types":[{"name":null,"kind":{"fixed-length-list":["u32",4]}}],
"docs":{"contents":"[async]not a function"}}`
	got, err := Current([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	var w any
	json.Unmarshal([]byte(want), &w)
	if !reflect.DeepEqual(got, w) {
		g, _ := json.Marshal(got)
		t.Errorf("got  %s\nwant %s", g, want)
	}
}

func TestMaterialize(t *testing.T) {
	src := testutil.Shared(t, "conformance/wasi/0.2.12/http")
	dst := filepath.Join(t.TempDir(), "http")
	if err := Materialize(src, dst); err != nil {
		t.Fatal(err)
	}
	for _, dep := range []string{"cli", "clocks", "filesystem", "io", "random", "sockets"} {
		m, _ := filepath.Glob(filepath.Join(dst, "deps", dep, "*.wit"))
		if len(m) == 0 {
			t.Errorf("deps/%s holds no .wit files", dep)
		}
		if _, err := os.Stat(filepath.Join(dst, "deps", dep, "deps")); err == nil {
			t.Errorf("deps/%s/deps was copied; resolvers never read it", dep)
		}
	}
	if err := Materialize(src, dst); err == nil {
		t.Error("materializing over an existing copy succeeded")
	}
}
