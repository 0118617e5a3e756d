package wasi

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/runtime"
	"github.com/wasmcm/wasmcm/wit"
)

// TestEveryHTTPVersionServed checks that the host defines every function
// and resource of wasi:http/types and wasi:http/outgoing-handler of every
// 0.2.x release (all feature gates on, so the unstable
// send-informational too), as TestEveryVersionServed does for the rest.
func TestEveryHTTPVersionServed(t *testing.T) {
	root := testutil.Shared(t, "conformance/wasi")
	h := &Host{defs: map[string]any{}}
	if err := h.define(runtime.NewLinker()); err != nil {
		t.Fatal(err)
	}
	served := map[string]bool{}
	for k := range h.defs {
		iface, name, _ := strings.Cut(k, "#")
		served[strings.Split(iface, "@")[0]+"#"+name] = true
	}
	passed, total := 0, 0
	for minor := 0; minor <= 12; minor++ {
		ver := fmt.Sprintf("0.2.%d", minor)
		// Some releases kept the previous wasi:http (0.2.4 has 0.2.3's),
		// whose deps are of another version: each wasi:http once.
		proxy, err := os.ReadFile(filepath.Join(root, ver, "http", "proxy.wit"))
		if err != nil || !strings.Contains(string(proxy), "package wasi:http@"+ver+";") {
			continue
		}
		dir := assembleHTTP(t, filepath.Join(root, ver))
		r, pkgs, err := wit.Load(dir, wit.Options{AllFeatures: true})
		if err != nil {
			t.Fatalf("%s: %v", ver, err)
		}
		w, err := r.SelectWorld(pkgs, "proxy")
		if err != nil {
			t.Fatalf("%s: %v", ver, err)
		}
		for _, it := range r.Worlds[w].Imports {
			if it.Kind != wit.WorldItemInterface {
				continue
			}
			iface := r.Interfaces[it.Interface]
			pkg := r.Packages[iface.Package].Name
			if pkg.Namespace != "wasi" || pkg.Name != "http" {
				continue
			}
			base := "wasi:http/" + iface.Name
			var names []string
			for _, f := range iface.Functions {
				names = append(names, f.Name)
			}
			for _, e := range iface.Types {
				if td := r.Types[e.ID]; td.Kind == wit.KindResource {
					names = append(names, e.Name)
				}
			}
			for _, n := range names {
				total++
				if served[base+"#"+n] {
					passed++
				} else {
					t.Errorf("%s: %s#%s is not served", ver, base, n)
				}
			}
		}
	}
	if total == 0 {
		t.Fatal("no wasi:http interfaces found in the corpus")
	}
	testutil.Conformance(t, "wasi-http-host-functions", passed, total)
}

// assembleHTTP makes a loadable copy of <version>/http with the packages
// it uses beside it in deps/.
func assembleHTTP(t *testing.T, verDir string) string {
	t.Helper()
	dir := t.TempDir()
	copyWit := func(from, to string) {
		if err := os.MkdirAll(to, 0o755); err != nil {
			t.Fatal(err)
		}
		files, _ := filepath.Glob(filepath.Join(from, "*.wit"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(to, filepath.Base(f)), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	copyWit(filepath.Join(verDir, "http"), filepath.Join(dir, "http"))
	for _, p := range []string{"cli", "io", "clocks", "random", "filesystem", "sockets"} {
		copyWit(filepath.Join(verDir, p), filepath.Join(dir, "http", "deps", p))
	}
	return filepath.Join(dir, "http")
}
