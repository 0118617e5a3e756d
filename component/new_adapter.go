package component

import (
	"fmt"
	"slices"

	"github.com/wasmcm/wasmcm/internal/wasm"
	"github.com/wasmcm/wasmcm/wit"
)

// Adapters, as wit-component has them (encoding.rs, encoding/world.rs):
// a core module that implements the functions the main module imports from
// one module name (wasi_snapshot_preview1) on top of the imports of its own
// world. It may import the main module's memory as env::memory and any
// export of the main module from __main_module__ (its realloc, _start), and
// it may export functions of its world (wasi:cli/run#run), which the
// component exports. Its own imports are lowered with its
// cabi_import_realloc, its exports lifted with its cabi_export_realloc,
// both against the main module's memory.

// mergeAdapter merges the world of the adapter into the main module's and
// returns the adapter, not validated yet.
func (n *newEnc) mergeAdapter(name string, module []byte) (*newEnc, error) {
	b, core, err := readEmbeddedOrEmpty(module)
	if err != nil {
		return nil, fmt.Errorf("adapter `%s`: %w", name, err)
	}
	remap, err := mergeResolve(n.r, b.Resolve)
	if err != nil {
		return nil, fmt.Errorf("failed to merge WIT packages of adapter `%s` into main packages: %w", name, err)
	}
	keys, err := mergeWorlds(n.r, remap.worlds[b.World], n.world)
	if err != nil {
		return nil, fmt.Errorf("failed to merge WIT packages of adapter `%s` into main packages: %w", name, err)
	}
	a := &newEnc{r: n.r, world: n.world, enc: b.Encoding, module: core, abi: n.abi, name: name,
		ownExports: map[string]bool{}}
	for _, k := range keys {
		a.ownExports[k] = true
	}
	return a, nil
}

// needed reports whether the component needs the adapter at all: the main
// module imports from it, or its world exports functions.
func (n *newEnc) needed(a *newEnc) bool {
	if len(a.requiredBy) > 0 {
		return true
	}
	for _, it := range n.r.Worlds[n.world].Exports {
		if !a.ownExports[n.keyName(it.Key)] {
			continue
		}
		switch it.Kind {
		case wit.WorldItemFunction:
			return true
		case wit.WorldItemInterface:
			if len(n.r.Interfaces[it.Interface].Functions) > 0 {
				return true
			}
		}
	}
	return false
}

// roots are the exports of a validated module that the component uses.
func (n *newEnc) roots() []string {
	var out []string
	for _, e := range n.exports {
		out = append(out, e.core)
		if e.postReturn != "" {
			out = append(out, e.postReturn)
		}
	}
	var dtors []string
	for _, d := range n.dtors {
		dtors = append(dtors, d)
	}
	slices.Sort(dtors)
	out = append(out, dtors...)
	for _, name := range []string{"cabi_realloc", "canonical_abi_realloc", "cabi_import_realloc", "cabi_export_realloc", "cabi_realloc_adapter", "_initialize"} {
		if n.exportsFunc(name) {
			out = append(out, name)
		}
	}
	return out
}

// prepareAdapter validates an adapter, reduces it to what the component
// needs and validates the result again, whose imports are then the
// adapter's part of the component's imports.
func (n *newEnc) prepareAdapter(a *newEnc) error {
	if !n.needed(a) {
		return nil
	}
	a.abi = n.abi
	fail := func(what string, err error) error {
		return fmt.Errorf("failed to validate the imports of the %sadapter module `%s`: %w", what, a.name, err)
	}
	info, err := wasm.ReadModule(a.module, 0)
	if err != nil {
		return fail("", err)
	}
	a.info = info
	if err := a.validate(); err != nil {
		return fail("", err)
	}
	var required []string
	for _, im := range a.requiredBy {
		if !slices.Contains(required, im.orig) {
			required = append(required, im.orig)
		}
	}
	for _, r := range a.roots() {
		if !slices.Contains(required, r) {
			required = append(required, r)
		}
	}
	reduced, err := gcAdapter(a.module, required, n.reallocForAdapter())
	if err != nil {
		return fmt.Errorf("failed to reduce input adapter module to its minimal size: %w", err)
	}
	m := &newEnc{r: n.r, world: n.world, enc: a.enc, module: reduced, abi: n.abi, name: a.name,
		ownExports: a.ownExports, requiredBy: a.requiredBy}
	if m.info, err = wasm.ReadModule(reduced, 0); err != nil {
		return fail("minimized ", err)
	}
	if err := m.validate(); err != nil {
		return fail("minimized ", err)
	}
	for _, im := range m.requiredBy {
		e, ok := m.coreExports[im.orig]
		if !ok || e.Kind != wasm.ExternFunc {
			return fail("minimized ", fmt.Errorf("adapter module did not export `%s`", im.orig))
		}
		if got := m.info.FuncType(m.funcTypeOf(e)); got == nil || !got.Equal(im.core) {
			found := "?"
			if got != nil {
				found = coreSigString(got.Params, got.Results)
			}
			return fail("minimized ", fmt.Errorf("type mismatch for function `%s`: expected `%s` but found `%s`",
				im.orig, coreSigString(im.core.Params, im.core.Results), found))
		}
	}
	if (m.needMemory || m.importsMemory) && n.memType == nil {
		if e, ok := n.coreExports["memory"]; !ok || e.Kind != wasm.ExternMemory {
			return fmt.Errorf("module does not export a memory named `memory`")
		}
	}
	for _, im := range m.imports {
		if im.kind != impMainExport {
			continue
		}
		if e, ok := n.coreExports[im.name]; !ok || e.Kind != im.extern {
			return fmt.Errorf("adapter `%s` imports `%s` from the main module, which does not export it", m.name, im.name)
		}
	}
	for key, fns := range m.usedFuncs {
		if n.usedFuncs[key] == nil {
			n.usedFuncs[key] = map[string]bool{}
		}
		for f := range fns {
			n.usedFuncs[key][f] = true
		}
	}
	for r := range m.usedRes {
		n.usedRes[r] = true
	}
	n.adapters = append(n.adapters, m)
	return nil
}

// modules lists the main module and the adapters the component needs.
func (n *newEnc) modules() []*newEnc {
	return append([]*newEnc{n}, n.adapters...)
}
