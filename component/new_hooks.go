package component

import (
	"fmt"
	"strconv"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/internal/wasm"
)

// This file is the task hook: a main module that exports __wasm_task_hook
// (wasi-libc's, to set up per-task state such as the stack) has it called
// around every entry into its code the component makes: exported functions
// and their post-returns and callbacks, reallocs used as canonical options,
// resource destructors and _initialize. The calls go through wrappers of a
// hooks module, as the reference's fixup module defines them.

// The codes passed to the hook (the reference's TaskHook).
const (
	hookSyncStart = iota
	hookSyncFinish
	hookAsyncStart
	hookAsyncResume
	hookAsyncBlock
	hookAsyncFinish
	hookInitializeStart
	hookInitializeFinish
	hookResourceDtorStart
	hookResourceDtorFinish
	hookPostReturnStart
	hookPostReturnFinish
	hookReallocStart
	hookReallocFinish
)

const taskHookName = "__wasm_task_hook"

// hookEnd says what the hook is told when a wrapped function returns:
// a fixed code, or (hookAsyncCode) AsyncBlock or AsyncFinish by the
// returned callback code.
const hookAsyncCode = -1

// hookedFunc is a function of a module that is called through a wrapper.
type hookedFunc struct {
	m          *newEnc
	name       string // legacy export name
	start, end int
}

// checkTaskHook validates the main module's __wasm_task_hook, if any.
func (n *newEnc) checkTaskHook() (bool, error) {
	e, ok := n.coreExports[taskHookName]
	if !ok || e.Kind != wasm.ExternFunc {
		return false, nil
	}
	i32 := cI32
	if err := checkSig(taskHookName, coreSig([]canon.CoreType{i32}, nil), n.info.FuncType(n.funcTypeOf(e))); err != nil {
		return false, fmt.Errorf("failed to classify export `%s`: %w", taskHookName, err)
	}
	return true, nil
}

// hookedFuncs lists what the hook wraps, module by module.
func (n *newEnc) hookedFuncs() []hookedFunc {
	var out []hookedFunc
	for _, m := range n.modules() {
		for _, ne := range m.exports {
			h := hookedFunc{m: m, name: ne.core, start: hookSyncStart, end: hookSyncFinish}
			switch ne.abi {
			case abiExportAsync:
				h.start, h.end = hookAsyncStart, hookAsyncCode
			case abiExportAsyncStackful:
				h.start, h.end = hookAsyncStart, hookAsyncFinish
			}
			out = append(out, h)
			if ne.postReturn != "" {
				out = append(out, hookedFunc{m: m, name: ne.postReturn, start: hookPostReturnStart, end: hookPostReturnFinish})
			}
			if ne.callback != "" {
				out = append(out, hookedFunc{m: m, name: ne.callback, start: hookAsyncResume, end: hookAsyncCode})
			}
		}
		for _, r := range []string{"cabi_realloc", "canonical_abi_realloc", "cabi_import_realloc", "cabi_export_realloc"} {
			if m.exportsFunc(r) {
				out = append(out, hookedFunc{m: m, name: r, start: hookReallocStart, end: hookReallocFinish})
			}
		}
	}
	for _, name := range n.dtors {
		out = append(out, hookedFunc{m: n, name: name, start: hookResourceDtorStart, end: hookResourceDtorFinish})
	}
	return out
}

// hooksModule writes the module of wrappers: it imports the hook as
// ("", "hook") and each wrapped function k as ("", k), and exports the
// wrapper of k as k.
func hooksModule(funcs []hookedFunc) ([]byte, error) {
	var s wasm.Builder
	i32 := wasm.ValI32
	hook := s.AddImport("", "hook", wasm.ExternType{Kind: wasm.ExternFunc, Index: s.AddFuncType([]wasm.ValType{i32}, nil)})
	types := make([]uint32, len(funcs))
	imported := make([]uint32, len(funcs))
	sigs := make([]*wasm.FuncType, len(funcs))
	for k, h := range funcs {
		ft := h.m.info.FuncType(h.m.funcTypeOf(h.m.coreExports[h.name]))
		if ft == nil {
			return nil, fmt.Errorf("task hook: %s is not a function", h.name)
		}
		sigs[k] = ft
		types[k] = s.AddFuncType(ft.Params, ft.Results)
		imported[k] = s.AddImport("", strconv.Itoa(k), wasm.ExternType{Kind: wasm.ExternFunc, Index: types[k]})
	}
	for k, h := range funcs {
		ft := sigs[k]
		var c wasm.Code
		c.I32Const(int32(h.start)).Call(hook)
		for p := range ft.Params {
			c.LocalGet(uint32(p))
		}
		c.Call(imported[k])
		var locals []wasm.ValType
		if h.end == hookAsyncCode {
			// A callback code of 0 is EXIT: the task is done; others
			// mean it blocks.
			code := uint32(len(ft.Params))
			locals = []wasm.ValType{i32}
			c.LocalSet(code).I32Const(hookAsyncBlock).I32Const(hookAsyncFinish).LocalGet(code).Op(wasm.OpSelect).Call(hook).LocalGet(code)
		} else {
			c.I32Const(int32(h.end)).Call(hook)
		}
		c.End()
		s.Export(strconv.Itoa(k), wasm.ExternFunc, s.AddFunc(wasm.Func{Type: types[k], Locals: locals, Body: c.Bytes()}))
	}
	return s.Encode(), nil
}

// hookKey names a wrapped function.
type hookKey struct {
	m    *newEnc
	name string
}

// instantiateHooks instantiates the hooks module once the modules are,
// and records the wrappers in b.hooked.
func (b *newBuilder) instantiateHooks(insts map[*newEnc]uint32) error {
	n := b.n
	funcs := n.hookedFuncs()
	mod, err := hooksModule(funcs)
	if err != nil {
		return err
	}
	mi, err := b.coreModule(mod)
	if err != nil {
		return err
	}
	args := []CoreInlineExport{{Name: "hook", Sort: SortCoreFunc, Index: b.coreAlias(insts[n], n.real(taskHookName), SortCoreFunc)}}
	for k, h := range funcs {
		args = append(args, CoreInlineExport{Name: strconv.Itoa(k), Sort: SortCoreFunc, Index: b.coreAlias(insts[h.m], h.m.real(h.name), SortCoreFunc)})
	}
	inst := b.coreInstance(CoreInstance{Exports: args})
	hi := b.coreInstance(CoreInstance{Instantiate: true, Module: mi, Args: []CoreInstantiateArg{{Name: "", Instance: inst}}})
	b.hooked = map[hookKey]uint32{}
	for k, h := range funcs {
		b.hooked[hookKey{h.m, h.name}] = b.coreAlias(hi, strconv.Itoa(k), SortCoreFunc)
	}
	return nil
}

// entry is the core function the component calls for the export name of
// module m: its hook wrapper when there is one.
func (b *newBuilder) entry(insts map[*newEnc]uint32, m *newEnc, name string) uint32 {
	if f, ok := b.hooked[hookKey{m, name}]; ok {
		return f
	}
	return b.coreAlias(insts[m], m.real(name), SortCoreFunc)
}
