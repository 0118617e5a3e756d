package bindgen

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"sync"
	"testing"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/preview1"
	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/runtime"
	"github.com/wasmcm/wasmcm/wit"
)

// The end-to-end tests take a Go program written against generated
// bindings through the whole path a user takes: generate, build with stock
// Go for wasip1 as a reactor, embed the world, component.New with wasmcm's
// own preview-1 adapter, run on runtime and runtime/wasi. Built modules are
// cached under .cache/guests keyed by a hash of everything the build reads
// (the generated files, the program, package cm and the Go version), so
// only a change pays for the Go build.

// goGuest is a Go guest built for a world.
type goGuest struct {
	r       *wit.Resolve
	world   wit.WorldID
	core    []byte // the wasip1 reactor module
	cacheAt string // the directory the build is cached in
}

// buildGoGuest generates the bindings of world in the WIT at witPath,
// writes them with the Go files of srcDir (the main package) into a module
// and builds it as a wasip1 reactor. A build that fails because Go cannot
// build for wasip1 at all skips the test; one that fails on the bindings
// fails it.
func buildGoGuest(t testing.TB, witPath, world, srcDir string) *goGuest {
	t.Helper()
	r, pkgs, err := wit.Load(witPath, wit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := r.SelectWorld(pkgs, world)
	if err != nil {
		t.Fatal(err)
	}
	gen, err := Go(r, w, GoOptions{PackageRoot: testRoot})
	if err != nil {
		t.Fatal(err)
	}
	files := underRoot(gen)
	srcs, err := filepath.Glob(filepath.Join(srcDir, "*.go"))
	if err != nil || len(srcs) == 0 {
		t.Fatalf("no Go files in %s", srcDir)
	}
	for _, s := range srcs {
		b, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(s)] = b
	}
	root := testutil.RepoRoot(t)
	cmFiles, _ := filepath.Glob(filepath.Join(root, "bindgen", "guest", "cm", "*.go"))
	key := map[string][]byte{"go-version": []byte(goruntime.Version())}
	for name, b := range files {
		key["src/"+name] = b
	}
	for _, f := range cmFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		key["cm/"+filepath.Base(f)] = b
	}
	dir := filepath.Join(root, ".cache", "guests", "bindgen-"+testutil.HashFiles(key))
	out := filepath.Join(dir, "guest.wasm")
	if b, err := os.ReadFile(out); err == nil {
		return &goGuest{r: r, world: w, core: b, cacheAt: dir}
	}
	mod := writeModule(t, files)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if msg, err := goBuildWasip1(t, mod, out+".tmp", "."); err != nil {
		if _, herr := goBuildWasip1(t, writeModule(t, map[string][]byte{"main.go": []byte("package main\n\nfunc main() {}\n")}), filepath.Join(t.TempDir(), "hello.wasm"), "."); herr != nil {
			t.Skipf("skipped: this Go cannot build a wasip1 reactor: %s", firstLineOf(herr.Error()))
		}
		t.Fatalf("building the guest: %v\n%s", err, msg)
	}
	// Renamed last, so that a cut-short build is never taken as cached.
	if err := os.Rename(out+".tmp", out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return &goGuest{r: r, world: w, core: b, cacheAt: dir}
}

// goBuildWasip1 builds pkg of the module in dir as a wasip1 reactor.
func goBuildWasip1(t testing.TB, dir, out, pkg string) ([]byte, error) {
	cmd := exec.Command(testutil.GoCommand(t), "build", "-buildmode=c-shared", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0", "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	msg, err := cmd.CombinedOutput()
	if err != nil {
		return msg, fmt.Errorf("%v: %s", err, msg)
	}
	return msg, nil
}

func firstLineOf(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// component wraps the guest into a component: its world embedded, then
// component.New with the given preview-1 adapter, or wasmcm's own for nil.
// The result is written beside the cached module too, for tools that read
// files.
func (g *goGuest) component(t testing.TB, adapter []byte) []byte {
	t.Helper()
	emb, err := component.Embed(g.core, g.r, g.world, canon.UTF8)
	if err != nil {
		t.Fatalf("embedding the world: %v", err)
	}
	if adapter == nil {
		if adapter, err = preview1.ForModule(g.core); err != nil {
			t.Fatalf("the preview-1 adapter: %v", err)
		}
	}
	c, err := component.New(emb, component.NewOptions{Adapters: map[string][]byte{preview1.ModuleName: adapter}})
	if err != nil {
		t.Fatalf("component new: %v", err)
	}
	return c
}

var (
	e2eOnce sync.Once
	e2eRT   *runtime.Runtime
	e2eErr  error
	e2eMu   sync.Mutex
	e2eComp = map[[32]byte]*runtime.Compiled{}
)

// compileComponent compiles c once per test binary, on one runtime whose
// machine code is cached under .cache/wazero.
func compileComponent(t testing.TB, c []byte) *runtime.Compiled {
	t.Helper()
	e2eOnce.Do(func() {
		e2eRT, e2eErr = runtime.New(context.Background(), runtime.Config{CompilationCacheDir: filepath.Join(testutil.RepoRoot(t), ".cache", "wazero")})
	})
	if e2eErr != nil {
		t.Fatal(e2eErr)
	}
	e2eMu.Lock()
	defer e2eMu.Unlock()
	k := sha256.Sum256(c)
	if cc, ok := e2eComp[k]; ok {
		return cc
	}
	cc, err := e2eRT.Compile(context.Background(), c)
	if err != nil {
		t.Fatalf("compiling the component: %v", err)
	}
	e2eComp[k] = cc
	return cc
}

// syncBuffer is a bytes.Buffer safe to write from the guest's streams.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// jcoVersion is the jco the comparisons use, as the other packages' tests.
const jcoVersion = "1.35.0"

// jcoLib is the lib directory of jco's package (the reference preview-1
// adapters), or the test is skipped.
func jcoLib(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(testutil.RepoRoot(t), ".cache", "jco", "node_modules", "@bytecodealliance", "jco", "lib")
	if _, err := os.Stat(filepath.Join(dir, "wasi_snapshot_preview1.reactor.wasm")); err != nil {
		t.Skipf("skipped: jco is absent (npm install --prefix .cache/jco @bytecodealliance/jco@%s)", jcoVersion)
	}
	return dir
}
