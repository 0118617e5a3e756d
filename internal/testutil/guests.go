package testutil

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"sort"
	"strings"
	"testing"
)

// Test guests are built from sources in the repository by tools nobody here
// wrote (Debian's rustc, stock Go for wasip1, componentize-js). What follows
// finds those tools, skipping with a one-line reason when one is absent,
// and caches what they build under .cache/guests keyed by a hash of
// everything the build reads, so only a change pays for building.

// JcoVersion is the jco the tests install into .cache/jco (with
// componentize-js beside it).
const JcoVersion = "1.35.0"

// HashFiles hashes named contents in name order: a cache key.
func HashFiles(files map[string][]byte) string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%d:%s\n%d:", len(n), n, len(files[n]))
		h.Write(files[n])
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// CachedBuild returns .cache/guests/<prefix>-<key>/<name>, running build
// first when the file is not there yet. build writes to the path it is
// given; the result is renamed into place only when build succeeds, so a
// build cut short is never taken as cached.
func CachedBuild(t testing.TB, prefix, key, name string, build func(out string) error) (string, error) {
	t.Helper()
	dir := filepath.Join(RepoRoot(t), ".cache", "guests", prefix+"-"+key)
	out := filepath.Join(dir, name)
	if _, err := os.Stat(out); err == nil {
		return out, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp := out + ".tmp"
	if err := build(tmp); err != nil {
		os.Remove(tmp)
		return "", err
	}
	return out, os.Rename(tmp, out)
}

// Rustc finds a rustc ($WASMCM_RUSTC, else Debian's /usr/bin/rustc) with
// the standard library of target (wasm32-wasi, wasm32-unknown-unknown), or
// skips the test.
func Rustc(t testing.TB, target string) string {
	t.Helper()
	for _, p := range []string{os.Getenv("WASMCM_RUSTC"), "/usr/bin/rustc"} {
		if p == "" {
			continue
		}
		out, err := exec.Command(p, "--print", "sysroot").Output()
		if err != nil {
			continue
		}
		if _, err := os.Stat(filepath.Join(strings.TrimSpace(string(out)), "lib", "rustlib", target)); err == nil {
			return p
		}
	}
	t.Skipf("skipped: no rustc with the %s target (apt-get install rustc libstd-rust-dev-wasm32)", target)
	return ""
}

// Jco finds jco ($WASMCM_JCO, else .cache/jco beside the checkout) and
// node, or skips the test.
func Jco(t testing.TB) string {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("skipped: node is absent, and jco needs it")
	}
	if p := os.Getenv("WASMCM_JCO"); p != "" {
		return p
	}
	p := filepath.Join(RepoRoot(t), ".cache", "jco", "node_modules", ".bin", "jco")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("skipped: jco is absent (npm install --prefix .cache/jco @bytecodealliance/jco@%s)", JcoVersion)
	}
	return p
}

// ComponentizeJS finds componentize-js beside jco, returning its module
// directory and its package.json (part of a build's cache key), or skips.
func ComponentizeJS(t testing.TB) (dir string, pkgJSON []byte) {
	t.Helper()
	jco := Jco(t)
	dir = filepath.Join(filepath.Dir(filepath.Dir(jco)), "@bytecodealliance", "componentize-js")
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		t.Skipf("skipped: componentize-js is absent beside jco (%v)", err)
	}
	return dir, b
}

// BuildJS makes a component of the JavaScript module at source for world
// of the WIT at witDir with componentize-js's node API (the script
// testdata/guests/js/build.mjs), writing it to out. It takes a minute.
func BuildJS(t testing.TB, source, witDir, world, out string) error {
	t.Helper()
	mod, _ := ComponentizeJS(t)
	script := filepath.Join(RepoRoot(t), "testdata", "guests", "js", "build.mjs")
	cmd := exec.Command("node", script, mod, source, witDir, out, world)
	cmd.Dir = witDir
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("componentize-js: %v\n%s", err, b)
	}
	return nil
}

// BuildJSScriptFiles are the files of a JS guest build besides the guest's
// own: part of its cache key.
func BuildJSScriptFiles(t testing.TB) map[string][]byte {
	t.Helper()
	_, pkg := ComponentizeJS(t)
	b, err := os.ReadFile(filepath.Join(RepoRoot(t), "testdata", "guests", "js", "build.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{"build.mjs": b, "componentize-js/package.json": pkg}
}

// WITWithWASI copies the .wit files of dir into a new temporary folder and
// puts the WASI packages of version (wasi:cli and what it uses, from the
// conformance corpus) beside them as deps, for worlds that name WASI
// interfaces without the repository keeping a copy of WASI's WIT.
func WITWithWASI(t testing.TB, dir, version string) string {
	t.Helper()
	wasiDir := Shared(t, "conformance/wasi/"+version)
	out := t.TempDir()
	copyWIT := func(from, to string) {
		files, err := filepath.Glob(filepath.Join(from, "*.wit"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no .wit files in %s", from)
		}
		if err := os.MkdirAll(to, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err == nil {
				err = os.WriteFile(filepath.Join(to, filepath.Base(f)), b, 0o644)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	copyWIT(dir, out)
	for _, p := range []string{"cli", "io", "clocks", "random", "filesystem", "sockets"} {
		copyWIT(filepath.Join(wasiDir, p), filepath.Join(out, "deps", p))
	}
	return out
}

// GoCommand finds the go command of the toolchain running the tests, or
// skips.
func GoCommand(t testing.TB) string {
	t.Helper()
	p := filepath.Join(goruntime.GOROOT(), "bin", "go")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	p, err := exec.LookPath("go")
	if err != nil {
		t.Skip("skipped: no go command to build a wasip1 guest")
	}
	return p
}

// GoWasip1Key is the part of a Go guest's cache key that is not the
// guest's own: the Go version and the guest run-time package cm.
func GoWasip1Key(t testing.TB) map[string][]byte {
	t.Helper()
	key := map[string][]byte{"go-version": []byte(goruntime.Version())}
	cm, _ := filepath.Glob(filepath.Join(RepoRoot(t), "bindgen", "guest", "cm", "*.go"))
	for _, f := range cm {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		key["cm/"+filepath.Base(f)] = b
	}
	return key
}

// BuildGoWasip1 writes files (paths relative to the module root) into a
// new module named module that uses this checkout for wasmcm, and builds
// its main package as a wasip1 reactor (-buildmode=c-shared) to out.
func BuildGoWasip1(t testing.TB, module string, files map[string][]byte, out string) error {
	t.Helper()
	dir := t.TempDir()
	gomod := "module " + module + "\n\ngo 1.25\n\nrequire github.com/wasmcm/wasmcm v0.0.0\n\nreplace github.com/wasmcm/wasmcm => " + RepoRoot(t) + "\n"
	all := map[string][]byte{"go.mod": []byte(gomod)}
	for name, b := range files {
		all[name] = b
	}
	for name, b := range all {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return err
		}
	}
	cmd := exec.Command(GoCommand(t), "build", "-buildmode=c-shared", "-o", out, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0", "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build (wasip1, c-shared): %v\n%s", err, b)
	}
	return nil
}
