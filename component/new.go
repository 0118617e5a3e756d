package component

import (
	"fmt"
	"slices"
	"strings"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/internal/wasm"
	"github.com/wasmcm/wasmcm/wit"
)

// This file is `component new`: it wraps a core module bound to a world
// (with the world in a component-type custom section, see Embed) into a
// component, following wit-component's ComponentEncoder (encoding.rs,
// encoding/world.rs, validation.rs):
//
//   - the module's imports and exports are checked against the world, with
//     errors naming the item;
//   - the world's imports that the module uses are imported, with only the
//     functions it uses and the types those need;
//   - imports are lowered with the canonical options they need; those that
//     need the module's own memory or realloc go through a shim module's
//     table, filled by a fixup module once the module is instantiated;
//   - resources of exported interfaces are defined here, with their
//     [resource-new]/[resource-rep]/[resource-drop] intrinsics ([export]
//     import modules) and destructors;
//   - exports are lifted (with post-return) and exported interfaces are
//     wrapped in a small shim component that gives their types names;
//   - an exported _initialize runs when the component is instantiated.

// NewOptions configure New.
type NewOptions struct {
	// Adapters maps an import module name of the main module (such as
	// wasi_snapshot_preview1) to an adapter module implementing it on top
	// of the world the adapter itself embeds (in its component-type
	// section). The adapter's world joins the main module's; the adapter
	// is reduced to the functions the main module imports from it and the
	// exports of its world, and only the imports those reach stay.
	Adapters map[string][]byte
}

// New builds a component from a core module bound to a world.
func New(module []byte, opts NewOptions) ([]byte, error) {
	b, core, err := readEmbeddedOrEmpty(module)
	if err != nil {
		return nil, err
	}
	core, renamed, err := dedupeImports(core)
	if err != nil {
		return nil, fmt.Errorf("module was not valid: %w", err)
	}
	info, err := wasm.ReadModule(core, 0)
	if err != nil {
		return nil, fmt.Errorf("module was not valid: %w", err)
	}
	n := &newEnc{r: b.Resolve, world: b.World, enc: b.Encoding, module: core, info: info,
		abi: canon.New(b.Resolve, canon.Addr32), origNames: renamed}
	n.ownExports, n.ownImports = map[string]bool{}, map[string]bool{}
	for _, it := range b.Resolve.Worlds[b.World].Exports {
		n.ownExports[n.keyName(it.Key)] = true
	}
	for _, it := range b.Resolve.Worlds[b.World].Imports {
		n.ownImports[n.keyName(it.Key)] = true
	}
	names := make([]string, 0, len(opts.Adapters))
	for name := range opts.Adapters {
		names = append(names, name)
	}
	slices.Sort(names)
	adapters := map[string]*newEnc{}
	for _, name := range names {
		a, err := n.mergeAdapter(name, opts.Adapters[name])
		if err != nil {
			return nil, err
		}
		adapters[name] = a
	}
	n.adapterNames = adapters
	mergeImportsBySemver(n.r, n.world)
	if err := n.validate(); err != nil {
		return nil, fmt.Errorf("failed to decode world from module: module was not valid: %w", err)
	}
	for _, name := range names {
		if err := n.prepareAdapter(adapters[name]); err != nil {
			return nil, err
		}
	}
	c, err := n.build()
	if err != nil {
		return nil, err
	}
	return c.Encode(), nil
}

// readEmbeddedOrEmpty is ReadEmbedded, with a module that has no
// component-type section bound to an empty world.
func readEmbeddedOrEmpty(module []byte) (*Bindings, []byte, error) {
	secs, err := coreSections(module)
	if err != nil {
		return nil, nil, err
	}
	for _, s := range secs {
		if s.id == wasm.SecCustom && strings.HasPrefix(s.name, embedSectionPrefix) {
			return ReadEmbedded(module)
		}
	}
	r := &wit.Resolve{
		Packages: []*wit.Package{{Name: wit.PackageName{Namespace: "root", Name: "root"},
			Worlds: []wit.Entry[wit.WorldID]{{Name: "root", ID: 0}}}},
		Worlds: []*wit.World{{Name: "root", Package: 0}},
	}
	return &Bindings{Resolve: r, World: 0}, module, nil
}

type newImportKind uint8

const (
	impLower newImportKind = iota
	impResourceDrop
	impExportNew
	impExportRep
	impExportDrop
	impAdapterFunc // a function of an adapter (module is the adapter's name)
	impMainExport  // an adapter's import of something the main module exports
	impIntrinsic   // a canonical built-in (intr)
)

// newImport is one function import of the main module, classified.
type newImport struct {
	module, name string // name is unique in module (see dedupeImports)
	orig         string // the name the module gave, which says what it is
	kind         newImportKind
	key          string        // world import/export key name; "" for $root
	fn           *wit.Function // impLower
	res          wit.TypeID    // resource intrinsics
	opts         newOpts       // impLower
	sig          canon.CoreFuncType
	indirect     int             // index in the shim's table, or -1
	core         *wasm.FuncType  // impAdapterFunc: the type the module imports
	extern       wasm.ExternKind // impMainExport: what is imported
	intr         *newIntrinsic   // impIntrinsic
	// noSigCheck is set where the reference does not check the module's
	// type (task.return); sig is then the module's own.
	noSigCheck bool
}

// newOpts are the canonical options a lift or lower needs.
type newOpts struct{ memory, realloc, strings, async bool }

// newExport is one function the main module exports for the world.
type newExport struct {
	key        string // "" for a world-level function
	item       *wit.WorldItem
	fn         *wit.Function
	core       string // core export name
	postReturn string // "" when none
	callback   string // [async-lift]: the callback's core export name
	abi        newABI
	opts       newOpts
}

type newEnc struct {
	r      *wit.Resolve
	world  wit.WorldID
	enc    canon.StringEncoding
	module []byte
	info   *wasm.ModuleInfo
	abi    *canon.ABI

	coreExports map[string]wasm.Export
	realNames   map[string]string // legacy name → the module's (see readExports)
	imports     []newImport
	exports     []newExport
	// dtors maps a resource of an exported interface to its destructor's
	// core export name.
	dtors       map[wit.TypeID]string
	exportedIfc map[wit.InterfaceID]bool
	// used maps exported interfaces to the exported interfaces whose types
	// they use (see exportsUsed).
	used map[wit.InterfaceID]map[wit.InterfaceID]bool
	// used records the world import keys the module uses, and usedFuncs
	// the functions of each.
	usedFuncs map[string]map[string]bool
	usedRes   map[wit.TypeID]bool

	needMemory                           bool
	taskHook                             bool // the main module exports __wasm_task_hook
	needImportRealloc, needExportRealloc bool
	initialize                           bool

	// ownExports are the keys of the world exports this module implements
	// (the world's exports are the main module's and its adapters').
	ownExports map[string]bool
	// ownImports are the keys of the world imports the module's own world
	// has (of the main module, whose world the adapters' join).
	ownImports map[string]bool
	// origNames maps renamed duplicate imports to their own names.
	origNames map[[2]string]string

	// Of the main module: the adapters by import module name, and those
	// the component needs, in order.
	adapterNames map[string]*newEnc
	adapters     []*newEnc

	// Of an adapter: its name, whether it imports the main module's
	// memory, and what the main module imports from it.
	name          string
	importsMemory bool
	// memType is the type of the memory the main module imports (nil when
	// it exports its memory instead).
	memType    *wasm.MemoryType
	requiredBy []newImport
}

// keyName is the name a world item is imported or exported under.
func (n *newEnc) keyName(k wit.WorldKey) string {
	if !k.IsInterface() {
		return k.Name
	}
	s, err := witIDOf(n.r, k.Interface)
	if err != nil {
		return "?"
	}
	return s
}

func coreSigString(params, results []wasm.ValType) string {
	f := func(vs []wasm.ValType) string {
		var s []string
		for _, v := range vs {
			s = append(s, strings.ToUpper(v.String()[:1])+v.String()[1:])
		}
		return "[" + strings.Join(s, ", ") + "]"
	}
	return f(params) + " -> " + f(results)
}

func coreVals(ts []canon.CoreType) []wasm.ValType {
	out := make([]wasm.ValType, len(ts))
	for i, t := range ts {
		switch t {
		case canon.CoreI64:
			out[i] = wasm.ValI64
		case canon.CoreF32:
			out[i] = wasm.ValF32
		case canon.CoreF64:
			out[i] = wasm.ValF64
		default:
			out[i] = wasm.ValI32
		}
	}
	return out
}

// checkSig compares a core function type with the expected signature.
func checkSig(name string, want canon.CoreFuncType, got *wasm.FuncType) error {
	w := wasm.FuncType{Params: coreVals(want.Params), Results: coreVals(want.Results)}
	if got == nil || !w.Equal(got) {
		found := "?"
		if got != nil {
			found = coreSigString(got.Params, got.Results)
		}
		return fmt.Errorf("type mismatch for function `%s`: expected `%s` but found `%s`", name, coreSigString(w.Params, w.Results), found)
	}
	return nil
}

// typeNeeds reports whether values of t hold strings and lists (which need
// memory, and realloc to be created by the receiver).
func (n *newEnc) typeNeeds(t wit.Type, depth int) (strs, lists bool) {
	if t == wit.String {
		return true, false
	}
	td := n.r.TypeDef(t)
	if td == nil || depth > 1000 {
		return false, false
	}
	var kids []wit.Type
	switch td.Kind {
	case wit.KindList, wit.KindMap:
		lists = true
		kids = []wit.Type{td.Elem, td.Key}
	case wit.KindRecord:
		for _, f := range td.Fields {
			kids = append(kids, f.Type)
		}
	case wit.KindVariant:
		for _, c := range td.Cases {
			kids = append(kids, c.Type)
		}
	case wit.KindTuple:
		kids = td.Tuple
	case wit.KindOption, wit.KindType, wit.KindFixedLengthList:
		kids = []wit.Type{td.Elem}
	case wit.KindResult:
		kids = []wit.Type{td.Ok, td.Err}
	}
	for _, k := range kids {
		if k == wit.NoneType {
			continue
		}
		s, l := n.typeNeeds(k, depth+1)
		strs, lists = strs || s, lists || l
	}
	return strs, lists
}

func (n *newEnc) resourceOf(i *wit.Interface, name string) (wit.TypeID, bool) {
	id, ok := wit.Lookup(i.Types, name)
	if !ok {
		return 0, false
	}
	if td := n.r.Types[n.r.DealiasID(id)]; td.Kind == wit.KindResource {
		return n.r.DealiasID(id), true
	}
	return 0, false
}

func (n *newEnc) worldItem(items []wit.WorldItem, key string) *wit.WorldItem {
	for i := range items {
		if n.keyName(items[i].Key) == key {
			return &items[i]
		}
	}
	return nil
}

// validate checks the module's imports and exports against the world,
// as validation.rs does, and records what they are.
func (n *newEnc) validate() error {
	w := n.r.Worlds[n.world]
	n.readExports()
	n.usedFuncs = map[string]map[string]bool{}
	n.usedRes = map[wit.TypeID]bool{}
	n.dtors = map[wit.TypeID]string{}
	n.exportedIfc = map[wit.InterfaceID]bool{}
	for _, it := range w.Exports {
		if it.Kind == wit.WorldItemInterface {
			n.exportedIfc[it.Interface] = true
		}
	}
	funcType := func(im wasm.Import) *wasm.FuncType { return n.info.FuncType(im.Type.Index) }
	i32 := canon.CoreI32
	for _, im := range n.info.Imports {
		alias := im.Name
		if o, ok := n.origNames[[2]string{im.Module, im.Name}]; ok {
			im.Name = o // a duplicate import, renamed; classified by its own name
		}
		where := fmt.Sprintf("failed to resolve import `%s::%s`", im.Module, im.Name)
		ni := newImport{module: im.Module, name: alias, orig: im.Name, indirect: -1}
		if im.Module == "env" && im.Name == "memory" && im.Type.Kind == wasm.ExternMemory {
			n.importsMemory = true
			if n.name == "" {
				mt := im.Type.Memory
				n.memType = &mt // the shim module defines it
			}
			continue
		}
		if n.name != "" && im.Module == "__main_module__" {
			ni.kind, ni.extern = impMainExport, im.Type.Kind
			n.imports = append(n.imports, ni)
			continue
		}
		if im.Type.Kind != wasm.ExternFunc {
			return fmt.Errorf("%s: module is only allowed to import functions", where)
		}
		if a, ok := n.adapterNames[im.Module]; ok {
			ni.kind, ni.core = impAdapterFunc, funcType(im)
			if ni.core == nil {
				return fmt.Errorf("%s: not a function type", where)
			}
			n.imports = append(n.imports, ni)
			a.requiredBy = append(a.requiredBy, ni)
			continue
		}
		if err := n.classifyImport(&ni, im.Module, im.Name, funcType(im)); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		if ni.kind == impLower {
			// The string encoding of a lowering comes from the module's own
			// world, which an import only an adapter's world has lacks.
			own := ni.key
			if own == "" {
				own = ni.fn.Name
			}
			if n.ownImports != nil && !n.ownImports[own] && !n.ownImports[im.Module] && (ni.opts.memory || ni.opts.realloc) {
				return fmt.Errorf("failed to register indirect shims for main module: missing component metadata for import of `%s::%s`", im.Module, im.Name)
			}
			if n.usedFuncs[ni.key] == nil {
				n.usedFuncs[ni.key] = map[string]bool{}
			}
			n.usedFuncs[ni.key][ni.fn.Name] = true
			n.needMemory = n.needMemory || ni.opts.memory
			n.needImportRealloc = n.needImportRealloc || ni.opts.realloc
		} else if ni.kind == impIntrinsic {
			n.needMemory = n.needMemory || ni.intr.opts.memory
			n.needImportRealloc = n.needImportRealloc || ni.intr.opts.realloc
		} else {
			n.usedRes[ni.res] = true
			if n.usedFuncs[ni.key] == nil && ni.kind == impResourceDrop {
				n.usedFuncs[ni.key] = map[string]bool{}
			}
		}
		if ni.noSigCheck {
			if ft := funcType(im); ft != nil {
				ni.sig = canon.CoreFuncType{Params: canonVals(ft.Params), Results: canonVals(ft.Results)}
			}
		} else if err := checkSig(im.Name, ni.sig, funcType(im)); err != nil {
			if ni.kind == impLower && ni.key != "" {
				return fmt.Errorf("%s: failed to validate import interface `%s`: %w", where, ni.key, err)
			}
			return fmt.Errorf("%s: %w", where, err)
		}
		n.imports = append(n.imports, ni)
	}

	for i := range w.Exports {
		it := &w.Exports[i]
		key := n.keyName(it.Key)
		if !n.ownExports[key] {
			continue
		}
		var fns []*wit.Function
		switch it.Kind {
		case wit.WorldItemFunction:
			fns = []*wit.Function{it.Function}
		case wit.WorldItemInterface:
			iface := n.r.Interfaces[it.Interface]
			fns = iface.Functions
			for _, t := range iface.Types {
				if td := n.r.Types[t.ID]; td.Kind == wit.KindResource {
					if e, ok := n.coreExports[key+"#[dtor]"+t.Name]; ok {
						if err := checkSig("[dtor]"+t.Name, canon.CoreFuncType{Params: []canon.CoreType{i32}}, n.info.FuncType(n.funcTypeOf(e))); err != nil {
							return fmt.Errorf("failed to classify export `%s#[dtor]%s`: %w", key, t.Name, err)
						}
						n.dtors[t.ID] = key + "#[dtor]" + t.Name
					}
				}
			}
		default:
			return fmt.Errorf("world exports type `%s`, which a component cannot", key)
		}
		for _, f := range fns {
			ne := newExport{item: it, fn: f}
			coreName := f.Name
			if it.Kind == wit.WorldItemInterface {
				ne.key = key
				coreName = key + "#" + f.Name
			}
			e, ok := n.coreExports[coreName]
			ne.core, ne.abi = coreName, abiExport
			for _, a := range []struct {
				prefix string
				abi    newABI
			}{{"[async-lift]", abiExportAsync}, {"[async-lift-stackful]", abiExportAsyncStackful}} {
				if ok && e.Kind == wasm.ExternFunc {
					break
				}
				e, ok = n.coreExports[a.prefix+coreName]
				ne.core, ne.abi = a.prefix+coreName, a.abi
			}
			if !ok || e.Kind != wasm.ExternFunc {
				if it.Kind == wit.WorldItemInterface {
					return fmt.Errorf("failed to find export of interface `%s` function `%s`", key, f.Name)
				}
				return fmt.Errorf("failed to find export of function `%s`", f.Name)
			}
			sig, err := n.coreFuncType(f, ne.abi)
			if err != nil {
				return fmt.Errorf("failed to classify export `%s`: %w", ne.core, err)
			}
			if err := checkSig(f.Name, sig, n.info.FuncType(n.funcTypeOf(e))); err != nil {
				what := f.Name
				if ne.key != "" {
					what = ne.key
				}
				return fmt.Errorf("failed to classify export `%s`: failed to validate export for `%s`: %w", ne.core, what, err)
			}
			if ne.abi == abiExportAsync {
				cb := "[callback]" + ne.core
				ce, ok := n.coreExports[cb]
				if !ok || ce.Kind != wasm.ExternFunc {
					return fmt.Errorf("missing callback for `%s`", ne.core)
				}
				if err := checkSig(cb, coreSig([]canon.CoreType{i32, i32, i32}, []canon.CoreType{i32}), n.info.FuncType(n.funcTypeOf(ce))); err != nil {
					return fmt.Errorf("failed to classify export `%s`: %w", cb, err)
				}
				ne.callback = cb
			}
			if _, ok := n.coreExports["cabi_post_"+coreName]; ok && ne.abi == abiExport {
				ne.postReturn = "cabi_post_" + coreName
			}
			if ne.opts, err = n.requiredOptions(f, ne.abi); err != nil {
				return fmt.Errorf("failed to classify export `%s`: %w", ne.core, err)
			}
			n.needMemory = n.needMemory || ne.opts.memory
			n.needExportRealloc = n.needExportRealloc || ne.opts.realloc
			n.exports = append(n.exports, ne)
		}
	}
	if n.name == "" {
		var err error
		if n.taskHook, err = n.checkTaskHook(); err != nil {
			return err
		}
	}
	if e, ok := n.coreExports["_initialize"]; ok && e.Kind == wasm.ExternFunc {
		n.initialize = true
	}
	if e, ok := n.coreExports["memory"]; n.needMemory && n.name == "" && n.memType == nil && (!ok || e.Kind != wasm.ExternMemory) {
		return fmt.Errorf("module does not export a memory named `memory`")
	}
	if (n.needImportRealloc && n.importRealloc() == "") || (n.needExportRealloc && n.exportRealloc() == "") {
		return fmt.Errorf("module does not export a function named `cabi_realloc`")
	}
	return nil
}

func (n *newEnc) funcTypeOf(e wasm.Export) uint32 {
	if t, ok := n.info.FuncTypeIndex(e.Index); ok {
		return t
	}
	return ^uint32(0)
}

// exportsFunc reports whether the module exports a function named name.
func (n *newEnc) exportsFunc(name string) bool {
	e, ok := n.coreExports[name]
	return ok && e.Kind == wasm.ExternFunc
}

// realloc is the module's general-purpose realloc, or "".
func (n *newEnc) realloc() string {
	for _, name := range []string{"cabi_realloc", "canonical_abi_realloc"} {
		if n.exportsFunc(name) {
			return name
		}
	}
	return ""
}

// importRealloc is the realloc for lowering imports: cabi_import_realloc,
// else the general one.
func (n *newEnc) importRealloc() string {
	if n.exportsFunc("cabi_import_realloc") {
		return "cabi_import_realloc"
	}
	return n.realloc()
}

// exportRealloc is the realloc for lifting exports: cabi_export_realloc,
// else the general one.
func (n *newEnc) exportRealloc() string {
	if n.exportsFunc("cabi_export_realloc") {
		return "cabi_export_realloc"
	}
	return n.realloc()
}

// reallocForAdapter is the realloc the main module gives its adapters:
// cabi_realloc_adapter, else the general one.
func (n *newEnc) reallocForAdapter() string {
	if n.exportsFunc("cabi_realloc_adapter") {
		return "cabi_realloc_adapter"
	}
	return n.realloc()
}
