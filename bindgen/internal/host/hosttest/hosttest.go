// Package hosttest builds the guest components that the host bindings'
// tests run, the way a user makes them: guest bindings from wasmcm's guest
// generator, a stock Go build for wasip1 as a reactor, the world embedded,
// and component.New with wasmcm's own preview-1 adapter. Core modules are
// cached under .cache/guests (see testutil.CachedBuild), so only a change
// of what a build reads pays for the Go build.
//
// It also checks that bindings committed to the repository are what the
// generator makes now.
package hosttest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/bindgen"
	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/preview1"
	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/runtime"
	"github.com/wasmcm/wasmcm/wit"
)

// GuestRoot is the import path of the guest bindings in a guest module
// built by GoGuest: its main package imports them from there.
const GuestRoot = "example.com/guest/bindings"

// Load loads the WIT at dir (relative to the repository root, or
// absolute) and selects world.
func Load(t testing.TB, dir, world string) (*wit.Resolve, wit.WorldID) {
	t.Helper()
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(testutil.RepoRoot(t), dir)
	}
	r, pkgs, err := wit.Load(dir, wit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := r.SelectWorld(pkgs, world)
	if err != nil {
		t.Fatal(err)
	}
	return r, w
}

// GoGuest builds the Go program whose files are in srcDir (relative to the
// repository root) against guest bindings of world in the WIT at witDir,
// generated under GuestRoot, and returns it as a component.
func GoGuest(t testing.TB, witDir, world, srcDir string) []byte {
	t.Helper()
	if testing.Short() {
		t.Skip("skipped in -short: builds a Go guest")
	}
	r, w := Load(t, witDir, world)
	gen, err := bindgen.Go(r, w, bindgen.GoOptions{PackageRoot: GuestRoot})
	if err != nil {
		t.Fatalf("guest bindings: %v", err)
	}
	files := map[string][]byte{}
	for name, b := range gen {
		files["bindings/"+name] = b
	}
	srcs, _ := filepath.Glob(filepath.Join(testutil.RepoRoot(t), srcDir, "*.go"))
	if len(srcs) == 0 {
		t.Fatalf("no Go files in %s", srcDir)
	}
	for _, s := range srcs {
		b, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(s)] = b
	}
	key := testutil.GoWasip1Key(t)
	for name, b := range files {
		key["src/"+name] = b
	}
	path, err := testutil.CachedBuild(t, "hostbind", testutil.HashFiles(key), "guest.wasm", func(out string) error {
		return testutil.BuildGoWasip1(t, "example.com/guest", files, out)
	})
	if err != nil {
		t.Fatal(err)
	}
	return Componentize(t, path, r, w)
}

// ExampleGuest builds a main package of this module (such as
// examples/go-guest, whose bindings are committed) for wasip1 and returns
// it as a component of world in the WIT at witDir.
func ExampleGuest(t testing.TB, pkgDir, witDir, world string) []byte {
	t.Helper()
	if testing.Short() {
		t.Skip("skipped in -short: builds a Go guest")
	}
	root := testutil.RepoRoot(t)
	key := testutil.GoWasip1Key(t)
	err := filepath.WalkDir(filepath.Join(root, pkgDir), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") {
			return err
		}
		b, err := os.ReadFile(p)
		key[p[len(root):]] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	r, w := Load(t, witDir, world)
	path, err := testutil.CachedBuild(t, "hostbind-example", testutil.HashFiles(key), "guest.wasm", func(out string) error {
		cmd := exec.Command(testutil.GoCommand(t), "build", "-buildmode=c-shared", "-o", out, "./"+filepath.ToSlash(pkgDir))
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0", "GOWORK=off")
		if b, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s (wasip1, c-shared): %v\n%s", pkgDir, err, b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return Componentize(t, path, r, w)
}

// Componentize embeds world w into the core module at path and makes it a
// component with wasmcm's preview-1 adapter, as `wasmcm component embed`
// and `component new` do.
func Componentize(t testing.TB, path string, r *wit.Resolve, w wit.WorldID) []byte {
	t.Helper()
	core, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	emb, err := component.Embed(core, r, w, canon.UTF8)
	if err != nil {
		t.Fatalf("embedding the world: %v", err)
	}
	adapter, err := preview1.ForModule(core)
	if err != nil {
		t.Fatalf("the preview-1 adapter: %v", err)
	}
	c, err := component.New(emb, component.NewOptions{Adapters: map[string][]byte{preview1.ModuleName: adapter}})
	if err != nil {
		t.Fatalf("component new: %v", err)
	}
	return c
}

// Current checks that the files under dir (relative to the repository
// root) are the generated files gen, named relative to dir. With
// WASMCM_UPDATE=1 in the environment it writes them instead.
func Current(t testing.TB, dir string, gen map[string][]byte) {
	t.Helper()
	dir = filepath.Join(testutil.RepoRoot(t), dir)
	names := make([]string, 0, len(gen))
	for n := range gen {
		names = append(names, n)
	}
	sort.Strings(names)
	if os.Getenv("WASMCM_UPDATE") == "1" {
		for _, n := range names {
			p := filepath.Join(dir, filepath.FromSlash(n))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, gen[n], 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(n)))
		if err != nil || !bytes.Equal(b, gen[n]) {
			t.Errorf("%s is not what the generator makes now (rerun with WASMCM_UPDATE=1)", filepath.Join(dir, n))
		}
	}
	var extra []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".wit.go") {
			rel, _ := filepath.Rel(dir, p)
			if _, ok := gen[filepath.ToSlash(rel)]; !ok {
				extra = append(extra, rel)
			}
		}
		return nil
	})
	if len(extra) > 0 {
		t.Errorf("%s holds generated files the generator no longer makes: %v", dir, extra)
	}
}

// HostBindings generates host bindings of world in the WIT at witDir under
// the import path root.
func HostBindings(t testing.TB, witDir, world, root string) map[string][]byte {
	t.Helper()
	r, w := Load(t, witDir, world)
	files, err := bindgen.GoHost(r, w, bindgen.GoOptions{PackageRoot: root})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// Runtime returns a runtime whose compiled code is cached under
// .cache/wazero (a Go guest takes seconds to compile), closed when the
// test ends.
func Runtime(t testing.TB) *runtime.Runtime {
	t.Helper()
	ctx := context.Background()
	rt, err := runtime.New(ctx, runtime.Config{CompilationCacheDir: filepath.Join(testutil.RepoRoot(t), ".cache", "wazero")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close(ctx) })
	return rt
}
