package wasi_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/wasmcm/wasmcm/internal/testutil"
)

// Test guests are built from testdata/guests by tools nobody here wrote:
// Debian's rustc for wasm32-wasi, and jco's preview-1 command adapter (or
// componentize-js) to make components. Built files are cached under
// .cache/guests/ keyed by a hash of the source and the tools, so only the
// first run pays for building.

// jcoVersion is the jco the guests are built with (see the report of the
// WASI host for the install line).
const jcoVersion = "1.35.0"

type guestFiles struct {
	core      string // the core wasip1 module
	component string // the command component
}

var (
	rustOnce sync.Once
	rustOut  guestFiles
	rustErr  error
)

// jcoPath finds jco: $WASMCM_JCO, else .cache/jco beside the checkout.
func jcoPath(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("WASMCM_JCO"); p != "" {
		return p
	}
	p := filepath.Join(testutil.RepoRoot(t), ".cache", "jco", "node_modules", ".bin", "jco")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("skipped: jco is absent (npm install --prefix .cache/jco @bytecodealliance/jco@%s)", jcoVersion)
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("skipped: node is absent, and jco needs it")
	}
	return p
}

// rustcPath finds a rustc with the wasm32-wasi standard library.
func rustcPath(t testing.TB) string {
	t.Helper()
	for _, p := range []string{os.Getenv("WASMCM_RUSTC"), "/usr/bin/rustc"} {
		if p == "" {
			continue
		}
		out, err := exec.Command(p, "--print", "sysroot").Output()
		if err != nil {
			continue
		}
		if _, err := os.Stat(filepath.Join(strings.TrimSpace(string(out)), "lib", "rustlib", "wasm32-wasi")); err == nil {
			return p
		}
	}
	t.Skip("skipped: no rustc with the wasm32-wasi target (apt-get install rustc libstd-rust-dev-wasm32)")
	return ""
}

func cacheDir(t testing.TB, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s\n", len(p), p)
	}
	dir := filepath.Join(testutil.RepoRoot(t), ".cache", "guests", hex.EncodeToString(h.Sum(nil))[:16])
	return dir
}

// rustGuest builds (or finds cached) testdata/guests/rust/guest.rs.
func rustGuest(t testing.TB) guestFiles {
	t.Helper()
	rustc, jco := rustcPath(t), jcoPath(t)
	rustOnce.Do(func() {
		src := filepath.Join(testutil.RepoRoot(t), "testdata", "guests", "rust", "guest.rs")
		code, err := os.ReadFile(src)
		if err != nil {
			rustErr = err
			return
		}
		ver, _ := exec.Command(rustc, "-V").Output()
		dir := cacheDir(t, "rust", string(code), string(ver), jcoVersion)
		out := guestFiles{filepath.Join(dir, "guest.wasm"), filepath.Join(dir, "guest.component.wasm")}
		if _, err := os.Stat(out.component); err == nil {
			rustOut = out
			return
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			rustErr = err
			return
		}
		cmd := exec.Command(rustc, "--edition", "2021", "--target", "wasm32-wasi", "-O", "-C", "strip=debuginfo", "-o", out.core+".tmp", src)
		cmd.Env = append(os.Environ(), "RUSTC_BOOTSTRAP=1") // for std::os::wasi::fs::symlink_path
		if b, err := cmd.CombinedOutput(); err != nil {
			rustErr = fmt.Errorf("rustc: %v\n%s", err, b)
			return
		}
		if b, err := exec.Command(jco, "new", out.core+".tmp", "--wasi-command", "-o", out.component+".tmp").CombinedOutput(); err != nil {
			rustErr = fmt.Errorf("jco new: %v\n%s", err, b)
			return
		}
		// Rename last, so a cut-short build is never taken as cached.
		if err := os.Rename(out.core+".tmp", out.core); err != nil {
			rustErr = err
			return
		}
		rustErr = os.Rename(out.component+".tmp", out.component)
		rustOut = out
	})
	if rustErr != nil {
		t.Fatalf("building the rust guest: %v", rustErr)
	}
	return rustOut
}

var (
	jsOnce sync.Once
	jsOut  string
	jsErr  error
)

// jsGuest builds (or finds cached) testdata/guests/js/guest.js with
// componentize-js. Its world imports WASI 0.2.10 packages, which the build
// takes from the conformance corpus.
func jsGuest(t testing.TB) string {
	t.Helper()
	jco := jcoPath(t)
	wasiDir := testutil.Shared(t, "conformance/wasi/0.2.10")
	modDir := filepath.Join(filepath.Dir(filepath.Dir(jco)), "@bytecodealliance", "componentize-js")
	pkg, err := os.ReadFile(filepath.Join(modDir, "package.json"))
	if err != nil {
		t.Skipf("skipped: componentize-js is absent beside jco (%v)", err)
	}
	jsOnce.Do(func() {
		src := filepath.Join(testutil.RepoRoot(t), "testdata", "guests", "js")
		var parts []string
		for _, f := range []string{"guest.js", "world.wit", "build.mjs"} {
			b, err := os.ReadFile(filepath.Join(src, f))
			if err != nil {
				jsErr = err
				return
			}
			parts = append(parts, string(b))
		}
		dir := cacheDir(t, append(parts, "js", string(pkg))...)
		out := filepath.Join(dir, "guest.component.wasm")
		if _, err := os.Stat(out); err == nil {
			jsOut = out
			return
		}
		work := filepath.Join(dir, "work")
		os.RemoveAll(work)
		wit := filepath.Join(work, "wit")
		for _, p := range []string{"cli", "io", "clocks", "random", "filesystem", "sockets"} {
			if err := os.MkdirAll(filepath.Join(wit, "deps", p), 0o755); err != nil {
				jsErr = err
				return
			}
			files, _ := filepath.Glob(filepath.Join(wasiDir, p, "*.wit"))
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err == nil {
					err = os.WriteFile(filepath.Join(wit, "deps", p, filepath.Base(f)), b, 0o644)
				}
				if err != nil {
					jsErr = err
					return
				}
			}
		}
		if err := os.WriteFile(filepath.Join(wit, "world.wit"), []byte(parts[1]), 0o644); err != nil {
			jsErr = err
			return
		}
		cmd := exec.Command("node", filepath.Join(src, "build.mjs"), modDir, filepath.Join(src, "guest.js"), wit, out+".tmp")
		cmd.Dir = work
		if b, err := cmd.CombinedOutput(); err != nil {
			jsErr = fmt.Errorf("componentize-js: %v\n%s", err, b)
			return
		}
		os.RemoveAll(work)
		jsErr = os.Rename(out+".tmp", out)
		jsOut = out
	})
	if jsErr != nil {
		t.Fatalf("building the js guest: %v", jsErr)
	}
	return jsOut
}
