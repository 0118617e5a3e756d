package runtime

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/wasm"
)

// Compiled is a compiled component: its core modules compiled by wazero
// and the plan that instantiates them. It is safe for concurrent use;
// instantiate it as often as needed.
type Compiled struct {
	r *Runtime
	p *plan
	// mods are the compiled core modules, by plan module index.
	mods []wazero.CompiledModule
	// tramps is the host module of all trampolines ("t0", "t1", ...).
	tramps wazero.CompiledModule
	// bundles are the compiled bundle modules: a shim (core wasm) or a
	// host module exporting trampolines under the bundle's names.
	bundles []wazero.CompiledModule
	// flagsMod is the module of the flags memory (when there are adapters).
	flagsMod wazero.CompiledModule
	// trampMod and hostBundles (by bundle index, nil for shims) are the
	// host modules, instantiated once: they hold no state, since a
	// trampoline finds its instance through the call's context.
	trampMod    api.Module
	hostBundles []api.Module
	// modConfig instantiates every core module: anonymous, with the start
	// function run, and a random source given so that wazero does not
	// seed a fake one for each instance (core modules of a component
	// cannot reach it anyway).
	modConfig wazero.ModuleConfig
}

// Compile decodes a component binary and compiles it: the component graph
// becomes a flat plan and every core module is compiled once.
func (r *Runtime) Compile(ctx context.Context, bin []byte) (*Compiled, error) {
	if !component.IsComponent(bin) {
		if wasm.IsModule(bin) {
			return nil, errors.New("runtime: the binary is a core module, not a component")
		}
		return nil, errors.New("runtime: not a component binary (bad preamble)")
	}
	// The decoded component's names point into its input, and the plan
	// keeps some of them: a private copy lets the caller reuse bin.
	c, err := component.Decode(bytes.Clone(bin))
	if err != nil {
		return nil, fmt.Errorf("runtime: decode: %w", err)
	}
	b := newBuilder()
	if err := b.build(c); err != nil {
		return nil, fmt.Errorf("runtime: %w", err)
	}
	cc := &Compiled{r: r, p: b.p}
	ok := false
	defer func() {
		if !ok {
			cc.Close(ctx)
		}
	}()
	for i := range b.p.modules {
		m := &b.p.modules[i]
		cm, err := r.compileModule(ctx, m)
		if err != nil {
			return nil, fmt.Errorf("runtime: %s: %w", m.name, err)
		}
		cc.mods = append(cc.mods, cm)
	}
	// Host modules need a name to be built; instances are anonymous.
	hb := r.wz.NewHostModuleBuilder("wasmcm-trampolines")
	for i := range b.p.tramps {
		cc.hostFunc(hb, i, "t"+strconv.Itoa(i))
	}
	hb.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(adapterTrap), []api.ValueType{api.ValueTypeI32}, nil).Export("trap")
	addAdapterLibcalls(hb)
	if b.p.fused > 0 {
		if cc.flagsMod, err = r.wz.CompileModule(ctx, flagsModule()); err != nil {
			return nil, fmt.Errorf("runtime: flags memory: %w", err)
		}
	}
	if cc.tramps, err = hb.Compile(ctx); err != nil {
		return nil, fmt.Errorf("runtime: trampolines: %w", err)
	}
	for i, pb := range b.p.bundles {
		var cm wazero.CompiledModule
		if pb.shim != nil {
			cm, err = r.wz.CompileModule(ctx, pb.shim)
		} else {
			hb := r.wz.NewHostModuleBuilder("wasmcm-bundle")
			for _, it := range pb.items {
				cc.hostFunc(hb, it.item.tramp, it.name)
			}
			cm, err = hb.Compile(ctx)
		}
		if err != nil {
			return nil, fmt.Errorf("runtime: core instance bundle %d: %w", i, err)
		}
		cc.bundles = append(cc.bundles, cm)
	}
	cc.modConfig = wazero.NewModuleConfig().WithName("").WithStartFunctions().WithRandSource(rand.Reader)
	if cc.trampMod, err = r.wz.InstantiateModule(ctx, cc.tramps, cc.modConfig); err != nil {
		return nil, fmt.Errorf("runtime: trampolines: %w", err)
	}
	cc.hostBundles = make([]api.Module, len(b.p.bundles))
	for i, pb := range b.p.bundles {
		if pb.shim == nil {
			if cc.hostBundles[i], err = r.wz.InstantiateModule(ctx, cc.bundles[i], cc.modConfig); err != nil {
				return nil, fmt.Errorf("runtime: core instance bundle %d: %w", i, err)
			}
		}
	}
	ok = true
	return cc, nil
}

// hostFunc adds trampoline i to a host module under name.
func (c *Compiled) hostFunc(hb wazero.HostModuleBuilder, i int, name string) {
	t := c.p.tramps[i]
	ft := coreFuncType(t.core)
	hb.NewFunctionBuilder().
		WithGoModuleFunction(api.GoModuleFunc(func(ctx context.Context, mod api.Module, stack []uint64) {
			inst := instanceOf(ctx)
			if inst == nil {
				panic(errors.New("runtime: trampoline called outside of a component call"))
			}
			// The fast form of a host function is called right here: the
			// general path (inst.tramp) has a large frame to clear and
			// defers to run, which cost as much as wazero's own host call.
			t := &inst.tramps[i]
			if t.flat != nil && t.comp.canLeave() {
				if t.caller.mem == nil && t.memRef >= 0 {
					t.caller.mem = inst.refs[t.memRef].mem
				}
				t.caller.module = mod
				if err := t.flat(ctx, &t.caller, stack); err != nil {
					panic(&guestError{err: err})
				}
				return
			}
			if err := inst.tramp(ctx, i, mod, stack); err != nil {
				panic(&guestError{err: err})
			}
		}), apiTypes(ft.Params), apiTypes(ft.Results)).
		Export(name)
}

func apiTypes(ts []wasm.ValType) []api.ValueType {
	out := make([]api.ValueType, len(ts))
	for i, t := range ts {
		switch t.Code {
		case wasm.I32:
			out[i] = api.ValueTypeI32
		case wasm.I64:
			out[i] = api.ValueTypeI64
		case wasm.F32:
			out[i] = api.ValueTypeF32
		default:
			out[i] = api.ValueTypeF64
		}
	}
	return out
}

// Close releases the compiled code.
func (c *Compiled) Close(ctx context.Context) error {
	var err error
	for _, m := range c.hostBundles {
		if m != nil {
			err = errors.Join(err, m.Close(ctx))
		}
	}
	if c.trampMod != nil {
		err = errors.Join(err, c.trampMod.Close(ctx))
	}
	for _, m := range c.mods {
		err = errors.Join(err, m.Close(ctx))
	}
	for _, m := range c.bundles {
		err = errors.Join(err, m.Close(ctx))
	}
	if c.tramps != nil {
		err = errors.Join(err, c.tramps.Close(ctx))
	}
	if c.flagsMod != nil {
		err = errors.Join(err, c.flagsMod.Close(ctx))
	}
	return err
}

// Exports lists the names of the component's exported functions and
// instances, as Instance.Func accepts them ("f", "ns:pkg/iface@1.0.0#f").
func (c *Compiled) Exports() []string {
	var out []string
	var walk func(prefix string, t *exportTree)
	walk = func(prefix string, t *exportTree) {
		for _, n := range t.names {
			if f, ok := t.funcs[n]; ok {
				_ = f
				out = append(out, prefix+n)
			} else if sub, ok := t.instances[n]; ok {
				walk(prefix+n+"#", sub)
			}
		}
	}
	walk("", c.p.exports)
	return out
}

// Imports lists the names of the component's root imports.
func (c *Compiled) Imports() []string { return append([]string(nil), c.p.imports...) }

// guestError carries an error out of a trampoline through wazero (which
// recovers panics of host functions) so that the caller gets it back
// unchanged.
type guestError struct{ err error }

func (e *guestError) Error() string { return e.err.Error() }
func (e *guestError) Unwrap() error { return e.err }

// Trap is a trap raised by the runtime itself (not by the canonical ABI's
// value checks, which are *canon.Trap): entering an instance that may not
// be entered, leaving one that may not be left, a limit reached.
type Trap struct {
	Reason string
}

// Error prefixes the reason with "wasm trap: ", as the reference
// implementation's messages (which the spec's tests quote) do.
func (t *Trap) Error() string { return "wasm trap: " + t.Reason }

func trapf(format string, args ...any) error {
	return &Trap{Reason: fmt.Sprintf(format, args...)}
}

// cleanError strips wazero's wrapping (stack traces, "recovered by
// wazero") from an error a guest call returned.
func cleanError(err error) error {
	var ge *guestError
	if errors.As(err, &ge) {
		return ge.err
	}
	var ce *CallError
	if errors.As(err, &ce) {
		return ce
	}
	msg := err.Error()
	for i := 0; i < len(msg); i++ {
		if msg[i] == '\n' {
			return &wasmTrap{msg: referenceTrapMessage(msg[:i]), err: err}
		}
	}
	return err
}

// referenceTrapMessage rewrites the first line of a wazero trap error in
// the reference's words (which the spec's tests quote), keeping any other
// message as it is.
func referenceTrapMessage(line string) string {
	const prefix = "wasm error: "
	if len(line) < len(prefix) || line[:len(prefix)] != prefix {
		return line
	}
	return "wasm trap: " + referenceWords(line[len(prefix):])
}

// referenceWords gives the reference's words for the message of a wazero
// trap (after its "wasm error: " prefix); wazero's other messages (integer
// overflow, out of bounds memory access...) already are.
func referenceWords(msg string) string {
	switch msg {
	case "unreachable":
		return "wasm `unreachable` instruction executed"
	case "stack overflow":
		return "call stack exhausted"
	case "invalid table access":
		return "undefined element: out of bounds table access"
	case "expected shared memory":
		return "atomic wait on non-shared memory"
	case "uncaught exception":
		return "uncaught exception propagated out of component"
	}
	return msg
}

// wasmTrap is a trap of core wasm code (unreachable, out of bounds...),
// with wazero's stack trace kept out of the message.
type wasmTrap struct {
	msg string
	err error
}

func (e *wasmTrap) Error() string { return e.msg }
func (e *wasmTrap) Unwrap() error { return e.err }

// CallError is the error of a call into a component: which instance,
// which export or import, and why (Err, possibly a *canon.Trap or a *Trap).
type CallError struct {
	Component string // the component instance, e.g. "root component"
	Func      string // the export or import called
	Err       error
}

func (e *CallError) Error() string {
	return fmt.Sprintf("%s: %s: %v", e.Component, e.Func, e.Err)
}

func (e *CallError) Unwrap() error { return e.Err }

// IsTrap reports whether err is a trap: of core wasm code, of the
// canonical ABI or of the runtime's own rules.
func IsTrap(err error) bool {
	var t *Trap
	var w *wasmTrap
	return errors.As(err, &t) || errors.As(err, &w) || canon.IsTrap(err)
}
