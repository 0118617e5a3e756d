// Package oracle runs the reference WIT resolver so that wasmcm's own front
// end can be checked against it.
//
// The reference is wasm-tools 1.230 compiled to WebAssembly, as shipped inside
// go.bytecodealliance.org v0.7.0 (the retired Go bindings generator). That
// module only exposes it through wit.LoadWIT, which decodes the JSON into its
// own types and always enables every feature; the differential tests need the
// raw JSON and the feature flags, so this package runs the same binary itself
// in wazero. It lives in a separate Go module so that the main module does not
// depend on go.bytecodealliance.org.
package oracle

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"
)

// Module is the Go module whose embedded wasm-tools build is the reference.
const Module = "go.bytecodealliance.org"

// wasmInModule is where that module keeps the gzipped wasm-tools binary.
const wasmInModule = "internal/wasmtools/wasm-tools.wasm.gz"

// Tool is a compiled wasm-tools, ready to run any number of times. It is safe
// for concurrent use: each Run instantiates a fresh module.
type Tool struct {
	runtime wazero.Runtime
	module  wazero.CompiledModule
}

// New locates the wasm-tools binary of go.bytecodealliance.org in the module
// cache (via `go list -m`, run in this module's directory) and compiles it.
// Compiled code is cached on disk under the user cache directory so that
// later runs start quickly.
func New(ctx context.Context) (*Tool, error) {
	gz, err := findWasm()
	if err != nil {
		return nil, err
	}
	bin, err := gunzip(gz)
	if err != nil {
		return nil, fmt.Errorf("oracle: decompressing %s: %w", gz, err)
	}
	cfg := wazero.NewRuntimeConfig().WithCloseOnContextDone(true)
	if dir, err := os.UserCacheDir(); err == nil {
		if cache, err := wazero.NewCompilationCacheWithDir(filepath.Join(dir, "wasmcm-oracle")); err == nil {
			cfg = cfg.WithCompilationCache(cache)
		}
	}
	r := wazero.NewRuntimeWithConfig(ctx, cfg)
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, r); err != nil {
		r.Close(ctx)
		return nil, fmt.Errorf("oracle: instantiating WASI: %w", err)
	}
	m, err := r.CompileModule(ctx, bin)
	if err != nil {
		r.Close(ctx)
		return nil, fmt.Errorf("oracle: compiling wasm-tools: %w", err)
	}
	return &Tool{runtime: r, module: m}, nil
}

// Close releases the runtime and its compiled code.
func (t *Tool) Close(ctx context.Context) error { return t.runtime.Close(ctx) }

// Result is the outcome of one wasm-tools run.
type Result struct {
	Stdout, Stderr []byte
	ExitCode       uint32
}

// Run runs wasm-tools with args. The host directory dir is visible to the
// guest as /in (read-only in spirit: wasm-tools only reads), so paths in args
// should start with /in/.
func (t *Tool) Run(ctx context.Context, dir string, args ...string) (Result, error) {
	var stdout, stderr bytes.Buffer
	cfg := wazero.NewModuleConfig().
		WithName("").
		WithArgs(append([]string{"wasm-tools"}, args...)...).
		WithStdout(&stdout).
		WithStderr(&stderr).
		WithSysWalltime().
		WithSysNanotime()
	if dir != "" {
		cfg = cfg.WithFSConfig(wazero.NewFSConfig().WithReadOnlyDirMount(dir, "/in"))
	}
	mod, err := t.runtime.InstantiateModule(ctx, t.module, cfg)
	res := Result{Stdout: stdout.Bytes(), Stderr: stderr.Bytes()}
	if mod != nil {
		mod.Close(ctx)
	}
	if err != nil {
		var exit *sys.ExitError
		if errors.As(err, &exit) {
			// A non-zero exit is an answer (the input was rejected), not a
			// failure to run the tool.
			res.ExitCode = exit.ExitCode()
			return res, nil
		}
		return res, fmt.Errorf("oracle: running wasm-tools %s: %w", strings.Join(args, " "), err)
	}
	return res, nil
}

// Options are the `component wit` flags that decide what a package resolves
// to.
type Options struct {
	Features    []string // enabled @unstable features
	AllFeatures bool
}

// RejectError is returned when the reference rejects its input; Message is
// what it printed, with guest paths as the reference saw them.
type RejectError struct {
	Message string
}

func (e *RejectError) Error() string { return "reference rejected the input: " + e.Message }

// ResolveJSON resolves the WIT file or directory at path as
// `wasm-tools component wit --json` does and returns the JSON it prints. A
// rejection of the input is a *RejectError.
func (t *Tool) ResolveJSON(ctx context.Context, path string, opts Options) ([]byte, error) {
	return t.component(ctx, path, opts, "--json")
}

// Print resolves path as `wasm-tools component wit` does and returns the
// canonical WIT text it prints.
func (t *Tool) Print(ctx context.Context, path string, opts Options) ([]byte, error) {
	return t.component(ctx, path, opts)
}

func (t *Tool) component(ctx context.Context, path string, opts Options, extra ...string) ([]byte, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	args := append([]string{"component", "wit"}, extra...)
	if len(opts.Features) > 0 {
		args = append(args, "--features", strings.Join(opts.Features, ","))
	}
	if opts.AllFeatures {
		args = append(args, "--all-features")
	}
	args = append(args, "/in/"+filepath.Base(abs))
	res, err := t.Run(ctx, filepath.Dir(abs), args...)
	if err != nil {
		return nil, err
	}
	if res.ExitCode != 0 {
		return nil, &RejectError{Message: strings.TrimSpace(string(res.Stderr))}
	}
	return res.Stdout, nil
}

// findWasm returns the path of the gzipped wasm-tools binary inside the
// module cache's copy of go.bytecodealliance.org.
func findWasm() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("oracle: cannot tell where the oracle module's source is")
	}
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", Module)
	cmd.Dir = filepath.Dir(file)
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			err = fmt.Errorf("%w: %s", err, bytes.TrimSpace(ee.Stderr))
		}
		return "", fmt.Errorf("oracle: locating %s (run `go mod download` in internal/oracle): %w", Module, err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		return "", fmt.Errorf("oracle: %s is not downloaded (run `go mod download` in internal/oracle)", Module)
	}
	p := filepath.Join(dir, filepath.FromSlash(wasmInModule))
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("oracle: %s has no wasm-tools binary: %w", Module, err)
	}
	return p, nil
}

func gunzip(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	return io.ReadAll(zr)
}
