package runtime

import (
	"context"
	"fmt"
	"strings"

	"github.com/tetratelabs/wazero"

	"github.com/wasmcm/wasmcm/internal/multimem"
	"github.com/wasmcm/wasmcm/internal/wasm"
)

// This file runs core modules with more than one memory on wazero 1.12,
// which has one memory per module, by lowering them (internal/multimem):
// the module keeps its first memory and each other memory moves to an
// accessor module, a core instance of its own planned just before the
// module's, whose exported functions the module calls to touch it.

// mmModule is the lowered form of a plan module.
type mmModule struct {
	orig []byte // the module's bytes before lowering
	low  *multimem.Lowered
	// accMods are the plan modules of the accessors, as low.Accessors.
	accMods []int
}

// lowerMemories is called for a core instantiation pc about to be added
// to the plan. When its module has more than one memory, the module is
// lowered (once: its bytes become the main module), an instance of each
// accessor module is planned before pc with the argument that supplies the
// memory its original import named, and pc imports the accessor functions
// from them. The result maps each export name of a moved memory to the
// core instance that now exports it (nil when nothing moved).
func (b *builder) lowerMemories(pc *planCoreInst) (map[string]int, error) {
	pm := &b.p.modules[pc.module]
	if pm.mm == nil {
		if pm.info != nil && multimem.Count(pm.info) <= 1 {
			return nil, nil // the common case: nothing to read
		}
		// The bytes may have been wired since info was read: read them.
		info, err := wasm.ReadModule(pm.bytes, 0)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", pm.name, err)
		}
		if multimem.Count(info) <= 1 {
			return nil, nil
		}
		// The accessor functions come from module names none of the
		// module's own imports use.
		prefix := multimem.DefaultModulePrefix
		for taken := true; taken; {
			taken = false
			for _, im := range info.Imports {
				if strings.HasPrefix(im.Module, prefix) {
					taken = true
					prefix = strings.TrimSuffix(prefix, "/") + "_/"
					break
				}
			}
		}
		low, err := multimem.Lower(pm.bytes, multimem.Options{ModulePrefix: prefix})
		if err != nil {
			return nil, fmt.Errorf("%s: %v", pm.name, err)
		}
		mm := &mmModule{orig: pm.bytes, low: low}
		for _, a := range low.Accessors {
			mm.accMods = append(mm.accMods, len(b.p.modules))
			b.p.modules = append(b.p.modules, planModule{bytes: a.Module, name: fmt.Sprintf("memory %d of %s", a.Memory, pm.name), used: true})
			pm = &b.p.modules[pc.module] // the append may have moved it
		}
		pm.bytes, pm.mm = low.Main, mm
	}
	mm := pm.mm
	memAt := map[string]int{}
	var mainArgs []planArg
	for i, a := range mm.low.Accessors {
		acc := planCoreInst{module: mm.accMods[i]}
		if a.Import != nil {
			found := false
			for _, arg := range pc.args {
				if arg.name == a.Import.Module {
					acc.args = append(acc.args, arg)
					found = true
					break
				}
			}
			if !found {
				return nil, fmt.Errorf("%s: no argument supplies the memory %q %q", pm.name, a.Import.Module, a.Import.Name)
			}
		}
		if len(b.p.coreInsts) >= maxCoreInstances {
			return nil, fmt.Errorf("the component graph creates more than %d core instances", maxCoreInstances)
		}
		idx := len(b.p.coreInsts)
		b.p.coreInsts = append(b.p.coreInsts, acc)
		mainArgs = append(mainArgs, planArg{name: a.Name, inst: idx, bundle: -1})
		for _, e := range a.Exports {
			memAt[e] = idx
		}
	}
	pc.args = append(pc.args, mainArgs...)
	return memAt, nil
}

// memView is the instance ci as an instantiation argument: when some of
// its memories live in accessor instances, an argument made of its
// exports, each naming the core instance that has it, so that the
// importing module is wired to them (see importWiring); otherwise ci.
func memView(ci *coreInst) *coreInst {
	if len(ci.memAt) == 0 || ci.real < 0 {
		return ci
	}
	v := &coreInst{real: -1, bundle: -1, exports: map[string]coreItem{}}
	for _, e := range ci.info.Exports {
		t, _ := ci.info.ExportType(e)
		it := coreItem{kind: coreFromInstance, ext: e.Kind, inst: ci.real, name: e.Name, typ: t}
		if e.Kind == wasm.ExternFunc || e.Kind == wasm.ExternTag {
			it.ftype = ci.info.FuncType(t.Index)
		}
		if at, ok := ci.memAt[e.Name]; ok && e.Kind == wasm.ExternMemory {
			it.inst = at
		}
		v.exports[e.Name] = it
	}
	return v
}

// compileModule compiles plan module m. A module with several memories
// that no instantiation lowered (one only passed on as a module) is lowered
// here, so that wazero checks its parts: the accessors are compiled and
// dropped, the main module stands for it.
func (r *Runtime) compileModule(ctx context.Context, m *planModule) (wazero.CompiledModule, error) {
	if m.mm != nil || m.info == nil || multimem.Count(m.info) <= 1 {
		return r.wz.CompileModule(ctx, m.bytes)
	}
	low, err := multimem.Lower(m.bytes, multimem.Options{})
	if err != nil {
		return nil, err
	}
	for _, a := range low.Accessors {
		cm, err := r.wz.CompileModule(ctx, a.Module)
		if err != nil {
			return nil, fmt.Errorf("memory %d: %w", a.Memory, err)
		}
		cm.Close(ctx)
	}
	return r.wz.CompileModule(ctx, low.Main)
}
