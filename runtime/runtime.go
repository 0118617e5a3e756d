// Package runtime runs WebAssembly components on wazero.
//
// A component is compiled once (Runtime.Compile): its component graph —
// nested components, instances, aliases, canonical definitions — is
// interpreted at compile time into a flat plan of core module
// instantiations with their exact import wiring and the trampolines that
// lift, lower and implement the resource built-ins. Instantiating
// (Compiled.Instantiate) runs that plan with the host definitions of a
// Linker and walks no graph. Calls into an instance (Instance.Call,
// Instance.Func) reuse resolved wazero functions and preallocated buffers.
//
// Host functions come in two forms: HostFunc receives lifted canon.Values,
// FlatFunc receives the flat core values and the caller's memory, for hot
// paths. Errors returned to Go name the component export or import and say
// why; traps the canonical ABI defines are *canon.Trap values inside them.
package runtime

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// Config configures a Runtime. The zero value is a sensible default.
type Config struct {
	// CompilationCacheDir, when set, keeps compiled machine code in this
	// directory across processes.
	CompilationCacheDir string
	// MemoryLimitPages caps every linear memory (64 KiB pages); 0 keeps
	// wazero's limit of 65536 pages (4 GiB).
	MemoryLimitPages uint32
	// CloseOnContextDone makes a context deadline or cancellation stop a
	// running guest; the call then returns the context's error.
	CloseOnContextDone bool
	// Interpreter selects wazero's interpreter instead of its compiler.
	Interpreter bool
	// MaxInstances caps the component instances alive at once in this
	// runtime; 0 means 10000.
	MaxInstances int
	// MaxHandles caps the handles each component instance's table holds
	// at once; 0 means 1<<20.
	MaxHandles int
}

// Runtime compiles and runs components. It wraps one wazero runtime.
// It is safe for concurrent use.
type Runtime struct {
	cfg       Config
	wz        wazero.Runtime
	cache     wazero.CompilationCache
	instances atomic.Int64
}

// New returns a Runtime configured by cfg.
func New(ctx context.Context, cfg Config) (*Runtime, error) {
	var rc wazero.RuntimeConfig
	if cfg.Interpreter {
		rc = wazero.NewRuntimeConfigInterpreter()
	} else {
		rc = wazero.NewRuntimeConfig()
	}
	// Components' core modules use the 2.0 features (multi-value,
	// reference types, bulk memory, SIMD).
	rc = rc.WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling |
		experimental.CoreFeaturesTailCall | experimental.CoreFeaturesExtendedConst |
		experimental.CoreFeaturesTypedFunctionReferences)
	r := &Runtime{cfg: cfg}
	if cfg.CompilationCacheDir != "" {
		cache, err := wazero.NewCompilationCacheWithDir(cfg.CompilationCacheDir)
		if err != nil {
			return nil, fmt.Errorf("runtime: compilation cache %s: %w", cfg.CompilationCacheDir, err)
		}
		r.cache = cache
		rc = rc.WithCompilationCache(cache)
	}
	if cfg.MemoryLimitPages != 0 {
		rc = rc.WithMemoryLimitPages(cfg.MemoryLimitPages)
	}
	if cfg.CloseOnContextDone {
		rc = rc.WithCloseOnContextDone(true)
	}
	if r.cfg.MaxInstances == 0 {
		r.cfg.MaxInstances = 10000
	}
	if r.cfg.MaxHandles == 0 {
		r.cfg.MaxHandles = 1 << 20
	}
	r.wz = wazero.NewRuntimeWithConfig(ctx, rc)
	return r, nil
}

// Close releases the runtime, its compiled components and instances.
func (r *Runtime) Close(ctx context.Context) error {
	err := r.wz.Close(ctx)
	if r.cache != nil {
		err = errors.Join(err, r.cache.Close(ctx))
	}
	return err
}
