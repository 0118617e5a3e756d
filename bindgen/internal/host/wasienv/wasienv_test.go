// Package wasienv_test checks that a Go application can serve a WASI
// interface itself through the host bindings: a Go guest (testdata/guest)
// whose world imports wasi:cli/environment sees what the application's
// implementation answers, both through the preview-1 adapter (os.Environ,
// os.Args) and through a direct call, while the rest of WASI stays with
// wasmcm's WASI host; without the override it sees the WASI host's
// configuration.
package wasienv_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/wasmcm/wasmcm/bindgen/hostcm"
	"github.com/wasmcm/wasmcm/bindgen/internal/host/hosttest"
	"github.com/wasmcm/wasmcm/bindgen/internal/host/wasienv/bindings/test/wasienv/wasienv"
	"github.com/wasmcm/wasmcm/bindgen/internal/host/wasienv/bindings/wasi/cli/environment"
	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/runtime/wasi"
)

const pkgRoot = "github.com/wasmcm/wasmcm/bindgen/internal/host/wasienv/bindings"

// witDir is the world's WIT with WASI 0.2.6 (the version of wasmcm's
// preview-1 adapter) beside it from the conformance corpus.
func witDir(t *testing.T) string {
	return testutil.WITWithWASI(t, testutil.RepoRoot(t)+"/bindgen/internal/host/wasienv/wit", "0.2.6")
}

func TestBindingsCurrent(t *testing.T) {
	hosttest.Current(t, "bindgen/internal/host/wasienv/bindings", hosttest.HostBindings(t, witDir(t), "wasienv", pkgRoot))
}

// env is the application's own wasi:cli/environment.
type env struct{ calls int }

func (e *env) GetEnvironment(ctx context.Context) ([]struct {
	F0 string
	F1 string
}, error) {
	e.calls++
	return []struct{ F0, F1 string }{{"FROM", "the application"}, {"EMPTY", ""}, {"UNICODE", "ünï ✓"}}, nil
}

func (e *env) GetArguments(ctx context.Context) ([]string, error) {
	e.calls++
	return []string{"app-served", "--flag"}, nil
}

func (e *env) InitialCwd(ctx context.Context) (hostcm.Option[string], error) {
	e.calls++
	return hostcm.Some("/srv/app"), nil
}

var _ environment.Imports = (*env)(nil)

func TestOverride(t *testing.T) {
	comp := hosttest.GoGuest(t, witDir(t), "wasienv", "bindgen/internal/host/wasienv/testdata/guest")
	ctx := context.Background()
	rt := hosttest.Runtime(t)
	wasiCfg := wasi.Config{Args: []string{"wasi-host"}, Env: []string{"FROM=the WASI host"}}
	for _, c := range []struct {
		name                  string
		impl                  *env
		environ, args, direct string
		cwd                   string
	}{
		{"overridden", &env{}, "[FROM=the application EMPTY= UNICODE=ünï ✓]", "[app-served --flag]", "[{FROM the application} {EMPTY } {UNICODE ünï ✓}]", "/srv/app"},
		{"WASI host", nil, "[FROM=the WASI host]", "[wasi-host]", "[{FROM the WASI host}]", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			imports := wasienv.Imports{WASI: wasiCfg}
			if c.impl != nil {
				imports.Environment = c.impl
			}
			inst, err := wasienv.Instantiate(ctx, rt, comp, imports)
			if err != nil {
				t.Fatal(err)
			}
			defer inst.Close(ctx)
			environ, err := inst.Environ(ctx)
			if err != nil || fmt.Sprint(environ) != c.environ {
				t.Errorf("os.Environ() = %q, %v; want %s", environ, err, c.environ)
			}
			args, err := inst.Args(ctx)
			if err != nil || fmt.Sprint(args) != c.args {
				t.Errorf("os.Args = %q, %v; want %s", args, err, c.args)
			}
			direct, err := inst.Direct(ctx)
			if err != nil || fmt.Sprint(direct) != c.direct {
				t.Errorf("get-environment = %q, %v; want %s", direct, err, c.direct)
			}
			cwd, err := inst.Cwd(ctx)
			if v, _ := cwd.Get(); err != nil || v != c.cwd {
				t.Errorf("initial-cwd = %q, %v; want %q", v, err, c.cwd)
			}
			if c.impl != nil && c.impl.calls < 4 {
				t.Errorf("the application's environment answered %d calls, want at least 4", c.impl.calls)
			}
		})
	}
}
