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

// TestEveryVersionServed loads the wasi:cli imports world of every WASI
// 0.2.x release (all feature gates on) and checks that the host defines
// every function and resource of its cli, io, clocks, random and
// filesystem interfaces. The Linker serves older versions from these
// definitions by semver, so names are compared without versions.
func TestEveryVersionServed(t *testing.T) {
	root := testutil.Shared(t, "conformance/wasi")
	served := hostServes(t)
	passed, total := 0, 0
	for minor := 0; minor <= 12; minor++ {
		ver := fmt.Sprintf("0.2.%d", minor)
		r, w := loadWorld(t, assemble(t, filepath.Join(root, ver)), ver, "imports")
		p, n := countServed(t, ver, r, w, served, func(pkg wit.PackageName) bool {
			return pkg.Namespace == "wasi" && pkg.Name != "sockets"
		})
		passed, total = passed+p, total+n
	}
	testutil.Conformance(t, "wasi-host-functions", passed, total)
}

// hostServes returns what the host defines, as "ns:pkg/iface#name"
// without versions.
func hostServes(t *testing.T) map[string]bool {
	t.Helper()
	h := &Host{defs: map[string]any{}}
	if err := h.define(runtime.NewLinker()); err != nil {
		t.Fatal(err)
	}
	served := map[string]bool{}
	for k := range h.defs {
		iface, name, _ := strings.Cut(k, "#")
		served[strings.Split(iface, "@")[0]+"#"+name] = true
	}
	return served
}

// loadWorld resolves dir with every feature gate on and selects world.
func loadWorld(t *testing.T, dir, ver, world string) (*wit.Resolve, wit.WorldID) {
	t.Helper()
	r, pkgs, err := wit.Load(dir, wit.Options{AllFeatures: true})
	if err != nil {
		t.Fatalf("%s: %v", ver, err)
	}
	w, err := r.SelectWorld(pkgs, world)
	if err != nil {
		t.Fatalf("%s: %v", ver, err)
	}
	return r, w
}

// countServed counts the functions and resources of the interfaces world
// w imports from the packages keep accepts, and reports each one that
// served lacks.
func countServed(t *testing.T, ver string, r *wit.Resolve, w wit.WorldID, served map[string]bool, keep func(wit.PackageName) bool) (passed, total int) {
	t.Helper()
	for _, it := range r.Worlds[w].Imports {
		if it.Kind != wit.WorldItemInterface {
			continue
		}
		iface := r.Interfaces[it.Interface]
		pkg := r.Packages[iface.Package].Name
		if !keep(pkg) {
			continue
		}
		base := pkg.Namespace + ":" + pkg.Name + "/" + iface.Name
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
	return passed, total
}

// assemble makes a loadable copy of <version>/cli: its *.wit files and, in
// deps/, the other packages of the same version (the corpus keeps deps/
// entries as link files, which not every checkout turns into links).
func assemble(t *testing.T, verDir string) string {
	return assembleWIT(t, verDir, "cli", "io", "clocks", "random", "filesystem", "sockets")
}

// assembleWIT makes a loadable copy of <version>/top with the packages
// deps of the same version in its deps/.
func assembleWIT(t *testing.T, verDir, top string, deps ...string) string {
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
	copyWit(filepath.Join(verDir, top), filepath.Join(dir, top))
	for _, p := range deps {
		copyWit(filepath.Join(verDir, p), filepath.Join(dir, top, "deps", p))
	}
	return filepath.Join(dir, top)
}
