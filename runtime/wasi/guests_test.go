package wasi_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/wasmcm/wasmcm/internal/testutil"
)

// Test guests are built from testdata/guests by tools nobody here wrote:
// Debian's rustc for wasm32-wasi, and jco's preview-1 command adapter (or
// componentize-js) to make components. Built files are cached under
// .cache/guests/ keyed by a hash of the source and the tools, so only the
// first run pays for building.

// jcoVersion is the jco the guests are built with.
const jcoVersion = testutil.JcoVersion

type guestFiles struct {
	core      string // the core wasip1 module
	component string // the command component
}

var (
	rustOnce sync.Once
	rustOut  guestFiles
	rustErr  error
)

// jcoPath finds jco and node, or skips.
func jcoPath(t testing.TB) string { return testutil.Jco(t) }

// rustcPath finds a rustc with the wasm32-wasi standard library, or skips.
func rustcPath(t testing.TB) string { return testutil.Rustc(t, "wasm32-wasi") }

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
	testutil.ComponentizeJS(t)
	testutil.Shared(t, "conformance/wasi/0.2.10")
	jsOnce.Do(func() {
		src := filepath.Join(testutil.RepoRoot(t), "testdata", "guests", "js")
		key := testutil.BuildJSScriptFiles(t)
		for _, f := range []string{"guest.js", "world.wit"} {
			b, err := os.ReadFile(filepath.Join(src, f))
			if err != nil {
				jsErr = err
				return
			}
			key[f] = b
		}
		jsOut, jsErr = testutil.CachedBuild(t, "js", testutil.HashFiles(key), "guest.component.wasm", func(out string) error {
			return testutil.BuildJS(t, filepath.Join(src, "guest.js"), testutil.WITWithWASI(t, src, "0.2.10"), "guest", out)
		})
	})
	if jsErr != nil {
		t.Fatalf("building the js guest: %v", jsErr)
	}
	return jsOut
}
