package component

import (
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/wasmcm/wasmcm/internal/wasm"
	"github.com/wasmcm/wasmcm/wit"
)

// newBuilder assembles the component of New. Component-level types go
// through top, a witIfaceEncoder whose outer declarations are the
// component's own type index space; they are turned into sections
// (flush) before any other section is added, so indices stay in step.
type newBuilder struct {
	n       *newEnc
	r2      *wit.Resolve
	top     *witIfaceEncoder
	c       Component
	flushed int

	funcs, coreFuncs, coreInstances, coreModules, coreTables, coreMems, coreGlobals, components, coreTypes uint32

	worldFuncs map[string]uint32     // world-level imported function → func index
	importMaps *witMaps              // the import phase's type maps
	resLocal   map[wit.TypeID]uint32 // resources of exported interfaces → type index
	lifted     map[string]uint32     // key + "#" + function → lifted func index
	hooked     map[hookKey]uint32    // task hook wrappers (new_hooks.go)
}

func (b *newBuilder) flush() {
	for _, d := range b.top.outer.list[b.flushed:] {
		switch d.Kind {
		case DeclType:
			b.c.Sections = append(b.c.Sections, &TypeSection{Types: []Type{d.Type}})
		case DeclAlias:
			b.c.Sections = append(b.c.Sections, &AliasSection{Aliases: []Alias{*d.Alias}})
		case DeclImport:
			if d.Extern.Sort == SortFunc {
				b.worldFuncs[d.Name.Name] = b.funcs
				b.funcs++
			}
			b.c.Sections = append(b.c.Sections, &ImportSection{Imports: []Import{{Name: d.Name, Type: d.Extern}}})
		case DeclCoreType:
			b.c.Sections = append(b.c.Sections, &CoreTypeSection{Types: []CoreType{*d.CoreType}})
		}
	}
	b.flushed = len(b.top.outer.list)
}

func (b *newBuilder) add(s Section) {
	b.flush()
	b.c.Sections = append(b.c.Sections, s)
}

// coreAlias aliases an export of a core instance.
func (b *newBuilder) coreAlias(inst uint32, name string, sort Sort) uint32 {
	b.add(&AliasSection{Aliases: []Alias{{Sort: sort, Target: AliasCoreExport, Instance: inst, Name: name}}})
	switch sort {
	case SortCoreTable:
		b.coreTables++
		return b.coreTables - 1
	case SortCoreMemory:
		b.coreMems++
		return b.coreMems - 1
	case SortCoreGlobal:
		b.coreGlobals++
		return b.coreGlobals - 1
	}
	b.coreFuncs++
	return b.coreFuncs - 1
}

func (b *newBuilder) canon(c Canon) uint32 {
	b.add(&CanonSection{Funcs: []Canon{c}})
	if c.Op == CanonLift {
		b.funcs++
		return b.funcs - 1
	}
	b.coreFuncs++
	return b.coreFuncs - 1
}

func (b *newBuilder) coreModule(bytes []byte) (uint32, error) {
	info, err := wasm.ReadModule(bytes, 0)
	if err != nil {
		return 0, err
	}
	b.add(&CoreModuleSection{Bytes: bytes, Info: info})
	b.coreModules++
	return b.coreModules - 1, nil
}

func (b *newBuilder) coreInstance(ci CoreInstance) uint32 {
	b.add(&CoreInstanceSection{Instances: []CoreInstance{ci}})
	b.coreInstances++
	return b.coreInstances - 1
}

// liveTypes collects types and everything they refer to, as wit-parser's
// LiveTypes.
type liveTypes struct {
	r   *wit.Resolve
	set map[wit.TypeID]bool
}

func (l *liveTypes) addType(t wit.Type, depth int) {
	if id, ok := t.ID(); ok {
		l.addID(id, depth)
	}
}

func (l *liveTypes) addID(id wit.TypeID, depth int) {
	if l.set[id] || depth > 1000 {
		return
	}
	td := l.r.Types[id]
	kids := []wit.Type{td.Elem, td.Key, td.Ok, td.Err}
	kids = append(kids, td.Tuple...)
	for _, f := range td.Fields {
		kids = append(kids, f.Type)
	}
	for _, c := range td.Cases {
		kids = append(kids, c.Type)
	}
	if td.Kind == wit.KindOwn || td.Kind == wit.KindBorrow {
		kids = append(kids, wit.TypeOf(td.Resource))
	}
	for _, k := range kids {
		if k != wit.NoneType {
			l.addType(k, depth+1)
		}
	}
	l.set[id] = true
}

func (l *liveTypes) addFunc(f *wit.Function) {
	if f.Kind == wit.Static || f.Kind == wit.AsyncStatic {
		l.addID(f.Resource, 0)
	}
	for _, p := range f.Params {
		l.addType(p.Type, 0)
	}
	if f.Result != wit.NoneType {
		l.addType(f.Result, 0)
	}
}

func (l *liveTypes) addInterface(i *wit.Interface) {
	for _, t := range i.Types {
		l.addID(t.ID, 0)
	}
	for _, f := range i.Functions {
		l.addFunc(f)
	}
}

// exportsUsed maps each exported interface to the exported interfaces
// whose types it uses, directly or through them (process_exports_used):
// those types come from the exported instances, not from imports.
func (n *newEnc) exportsUsed() map[wit.InterfaceID]map[wit.InterfaceID]bool {
	w := n.r.Worlds[n.world]
	exportedByID := map[wit.InterfaceID]bool{}
	for _, it := range w.Exports {
		if it.Kind == wit.WorldItemInterface && it.Key.IsInterface() {
			exportedByID[it.Key.Interface] = true
		}
	}
	out := map[wit.InterfaceID]map[wit.InterfaceID]bool{}
	for _, it := range w.Exports {
		if it.Kind != wit.WorldItemInterface {
			continue
		}
		set := map[wit.InterfaceID]bool{}
		for _, dep := range n.interfaceDirectDeps(it.Interface) {
			if !exportedByID[dep] || set[dep] {
				continue
			}
			set[dep] = true
			for x := range out[dep] {
				set[x] = true
			}
		}
		out[it.Interface] = set
	}
	return out
}

// interfaceDirectDeps lists the interfaces whose types i uses (its `use`s).
func (n *newEnc) interfaceDirectDeps(id wit.InterfaceID) []wit.InterfaceID {
	var out []wit.InterfaceID
	seen := map[wit.InterfaceID]bool{}
	for _, t := range n.r.Interfaces[id].Types {
		td := n.r.Types[t.ID]
		if td.Kind != wit.KindType {
			continue
		}
		target, ok := td.Elem.ID()
		if !ok {
			continue
		}
		o := n.r.Types[target].Owner
		if o.Kind == wit.OwnerInterface && o.Interface != id && !seen[o.Interface] {
			seen[o.Interface] = true
			out = append(out, o.Interface)
		}
	}
	return out
}

// pruned returns a view of the world with only the imports the component
// needs: the functions the modules use, and the types those, the
// built-ins and the exports need (process_live_type_imports).
func (n *newEnc) pruned() (*wit.Resolve, *wit.World) {
	r2 := *n.r
	r2.Interfaces = slices.Clone(n.r.Interfaces)
	w := n.r.Worlds[n.world]
	n.used = n.exportsUsed()
	lv := &liveTypes{r: n.r, set: map[wit.TypeID]bool{}}
	for _, it := range w.Imports {
		if it.Kind == wit.WorldItemType {
			lv.addID(it.Type, 0) // world-level types are all encoded
		}
	}
	// fromExport adds what an export of iface (or of the world's top
	// level, ok false) needs from imports: types of other interfaces
	// that are not exported ones it uses.
	fromExport := func(add func(*liveTypes), iface wit.InterfaceID, ok bool) {
		if !ok {
			add(lv)
			return
		}
		ex := &liveTypes{r: n.r, set: map[wit.TypeID]bool{}}
		add(ex)
		for id := range ex.set {
			o := n.r.Types[id].Owner
			if o.Kind == wit.OwnerInterface && o.Interface != iface && !n.used[iface][o.Interface] {
				lv.addID(id, 0)
			}
		}
	}
	for _, im := range slices.Concat(n.imports, n.adapterImports()) {
		switch {
		case im.kind == impLower:
			lv.addFunc(im.fn)
		case im.kind == impResourceDrop:
			lv.addID(im.res, 0)
		case im.intr != nil:
			in := im.intr
			if in.op == CanonTaskReturn && in.fn.Result != wit.NoneType {
				fromExport(func(l *liveTypes) { l.addType(in.fn.Result, 0) }, in.iface, in.hasIface)
			}
			if in.op >= CanonStreamNew && in.op <= CanonFutureDropWritable && !in.unit {
				if in.imported {
					lv.addID(in.payload, 0)
				} else {
					fromExport(func(l *liveTypes) { l.addID(in.payload, 0) }, in.iface, in.hasIface)
				}
			}
		}
	}
	for _, it := range w.Exports {
		switch it.Kind {
		case wit.WorldItemFunction:
			lv.addFunc(it.Function)
		case wit.WorldItemInterface:
			i := n.r.Interfaces[it.Interface]
			fromExport(func(l *liveTypes) { l.addInterface(i) }, it.Interface, true)
		}
	}
	live := lv.set
	w2 := &wit.World{Name: w.Name, Package: w.Package, Exports: w.Exports}
	keptIface := map[wit.InterfaceID]bool{}
	var types []wit.WorldItem
	for _, it := range w.Imports {
		key := n.keyName(it.Key)
		switch it.Kind {
		case wit.WorldItemInterface:
			i := n.r.Interfaces[it.Interface]
			ni := *i
			ni.Types, ni.Functions = nil, nil
			for _, t := range i.Types {
				if live[t.ID] {
					ni.Types = append(ni.Types, t)
				}
			}
			for _, f := range i.Functions {
				if n.usedFuncs[key][f.Name] {
					ni.Functions = append(ni.Functions, f)
				}
			}
			if n.usedFuncs[key] == nil && len(ni.Types) == 0 {
				continue
			}
			r2.Interfaces[it.Interface] = &ni
			keptIface[it.Interface] = true
			w2.Imports = append(w2.Imports, it)
		case wit.WorldItemFunction:
			if n.usedFuncs[""][it.Function.Name] {
				w2.Imports = append(w2.Imports, it)
			}
		case wit.WorldItemType:
			types = append(types, it)
			w2.Imports = append(w2.Imports, it)
		}
	}
	return &r2, w2
}

// shimEntry is one slot of the shim module's table: a lowered import that
// needs memory or realloc (of owner, the main module or an adapter), a
// function of an adapter the main module imports, or a resource destructor.
type shimEntry struct {
	sig   wasm.FuncType
	owner *newEnc
	imp   int        // index in owner.imports, or -1
	dtor  wit.TypeID // when imp is -1
	// realloc, when not "", names the main module's realloc this slot
	// stands for (lowerings with an imported memory use it before the main
	// module exists).
	realloc string
}

func (n *newEnc) adapterImports() []newImport {
	var out []newImport
	for _, a := range n.adapters {
		out = append(out, a.imports...)
	}
	return out
}

func (n *newEnc) build() (*Component, error) {
	r2, w2 := n.pruned()
	b := &newBuilder{n: n, r2: r2, top: newWitIfaceEncoder(r2), worldFuncs: map[string]uint32{},
		resLocal: map[wit.TypeID]uint32{}, lifted: map[string]uint32{}}
	for _, it := range w2.Imports {
		if err := b.top.worldItem(it, true); err != nil {
			return nil, fmt.Errorf("import %s: %w", n.keyName(it.Key), err)
		}
	}
	b.flush()
	b.importMaps = b.top.m

	// The export phase: types of exported interfaces are defined here.
	b.top.m = newWitMaps()
	b.top.inst, b.top.hasIface, b.top.importTypes = nil, false, false
	b.top.local = n.exportedIfc
	b.top.named = func(id wit.TypeID, td *wit.TypeDef, enc ValType) (ValType, error) { return enc, nil }
	b.top.resource = func(id wit.TypeID, td *wit.TypeDef) (uint32, error) {
		if idx, ok := b.resLocal[id]; ok {
			return idx, nil
		}
		return 0, fmt.Errorf("resource %s is not defined by this component", td.Name)
	}

	mainMod, err := b.coreModule(n.module)
	if err != nil {
		return nil, err
	}
	adapterMods := make([]uint32, len(n.adapters))
	for k, a := range n.adapters {
		if adapterMods[k], err = b.coreModule(a.module); err != nil {
			return nil, fmt.Errorf("adapter %s: %w", a.name, err)
		}
	}

	var entries []shimEntry
	// With an imported memory the main module's lowerings are direct: the
	// shim defines the memory, and a slot stands for the realloc.
	reallocSlot := -1
	lowerings := func(m *newEnc) {
		for i := range m.imports {
			im := &m.imports[i]
			switch {
			case im.kind == impAdapterFunc:
				im.indirect = len(entries)
				entries = append(entries, shimEntry{sig: *im.core, owner: m, imp: i})
			case im.kind == impIntrinsic && m == n && n.memType != nil && im.intr.op != CanonThreadNewIndirect:
				if im.intr.opts.realloc && reallocSlot < 0 {
					i32 := wasm.ValI32
					reallocSlot = len(entries)
					entries = append(entries, shimEntry{sig: wasm.FuncType{Params: []wasm.ValType{i32, i32, i32, i32}, Results: []wasm.ValType{i32}}, owner: n, imp: -1, realloc: n.importRealloc()})
				}
			case im.kind == impIntrinsic && im.intr.needsLate():
				im.indirect = len(entries)
				entries = append(entries, shimEntry{sig: wasm.FuncType{Params: coreVals(im.sig.Params), Results: coreVals(im.sig.Results)}, owner: m, imp: i})
			case im.kind == impLower && m == n && n.memType != nil:
				if im.opts.realloc && reallocSlot < 0 {
					i32 := wasm.ValI32
					reallocSlot = len(entries)
					entries = append(entries, shimEntry{sig: wasm.FuncType{Params: []wasm.ValType{i32, i32, i32, i32}, Results: []wasm.ValType{i32}}, owner: n, imp: -1, realloc: n.importRealloc()})
				}
			case im.kind == impLower && (im.opts.memory || im.opts.realloc):
				im.indirect = len(entries)
				entries = append(entries, shimEntry{sig: wasm.FuncType{Params: coreVals(im.sig.Params), Results: coreVals(im.sig.Results)}, owner: m, imp: i})
			}
		}
	}
	lowerings(n)
	dtorSlot := map[wit.TypeID]int{}
	for _, it := range n.r.Worlds[n.world].Exports {
		if it.Kind != wit.WorldItemInterface {
			continue
		}
		for _, t := range n.r.Interfaces[it.Interface].Types {
			if _, ok := n.dtors[t.ID]; ok {
				dtorSlot[t.ID] = len(entries)
				entries = append(entries, shimEntry{sig: wasm.FuncType{Params: []wasm.ValType{wasm.ValI32}}, owner: n, imp: -1, dtor: t.ID})
			}
		}
	}
	for _, a := range n.adapters {
		lowerings(a)
	}
	tls, err := n.tlsGlobal()
	if err != nil {
		return nil, err
	}
	var shimInst, fixupMod, mem, shimRealloc uint32
	if len(entries) > 0 || n.memType != nil || tls != nil {
		shim, fixup := shimModules(entries, n.memType, tls)
		shimMod, err := b.coreModule(shim)
		if err != nil {
			return nil, err
		}
		if len(entries) > 0 {
			if fixupMod, err = b.coreModule(fixup); err != nil {
				return nil, err
			}
		}
		shimInst = b.coreInstance(CoreInstance{Instantiate: true, Module: shimMod})
		if n.memType != nil {
			mem = b.coreAlias(shimInst, "$memory", SortCoreMemory)
		}
		if reallocSlot >= 0 {
			shimRealloc = b.coreAlias(shimInst, strconv.Itoa(reallocSlot), SortCoreFunc)
		}
	}

	// Resources of exported interfaces.
	for _, it := range n.r.Worlds[n.world].Exports {
		if it.Kind != wit.WorldItemInterface {
			continue
		}
		for _, t := range n.r.Interfaces[it.Interface].Types {
			if n.r.Types[t.ID].Kind != wit.KindResource {
				continue
			}
			rt := &ResourceType{Rep: wasm.ValI32}
			if slot, ok := dtorSlot[t.ID]; ok {
				f := b.coreAlias(shimInst, strconv.Itoa(slot), SortCoreFunc)
				rt.Dtor = &f
			}
			b.resLocal[t.ID] = b.top.outer.addType(rt)
		}
	}

	// instantiate instantiates module m (the main module or an adapter)
	// with its imports: one inline instance per import module.
	var mainInst uint32
	instantiate := func(m *newEnc, mod uint32) (uint32, error) {
		var modules []string
		byModule := map[string][]CoreInlineExport{}
		add := func(module string, e CoreInlineExport) {
			if _, ok := byModule[module]; !ok {
				modules = append(modules, module)
			}
			byModule[module] = append(byModule[module], e)
		}
		if m.importsMemory {
			add("env", CoreInlineExport{Name: "memory", Sort: SortCoreMemory, Index: mem})
		}
		for i := range m.imports {
			im := &m.imports[i]
			var f uint32
			sort := SortCoreFunc
			switch {
			case im.kind == impMainExport:
				sort = map[wasm.ExternKind]Sort{wasm.ExternFunc: SortCoreFunc, wasm.ExternTable: SortCoreTable,
					wasm.ExternMemory: SortCoreMemory, wasm.ExternGlobal: SortCoreGlobal}[im.extern]
				f = b.coreAlias(mainInst, im.name, sort)
			case im.indirect >= 0:
				f = b.coreAlias(shimInst, strconv.Itoa(im.indirect), SortCoreFunc)
			case im.kind == impLower:
				fi, err := b.importedFunc(im)
				if err != nil {
					return 0, err
				}
				f = b.canon(Canon{Op: CanonLower, Func: fi, Options: m.canonOpts(im.opts, mem, shimRealloc, nil)})
			case im.kind == impIntrinsic && im.intr.tls && tls != nil:
				name := "$get-tls-base"
				if im.intr.op == CanonContextSet {
					name = "$set-tls-base"
				}
				f = b.coreAlias(shimInst, name, SortCoreFunc)
			case im.kind == impIntrinsic:
				var err error
				if f, err = b.intrinsic(m, im, mem, shimRealloc, 0); err != nil {
					return 0, err
				}
			case im.kind == impResourceDrop:
				t, err := b.importedResource(im.res)
				if err != nil {
					return 0, err
				}
				f = b.canon(Canon{Op: CanonResourceDrop, Type: t})
			default:
				op := map[newImportKind]CanonOp{impExportNew: CanonResourceNew, impExportRep: CanonResourceRep, impExportDrop: CanonResourceDrop}[im.kind]
				f = b.canon(Canon{Op: op, Type: b.resLocal[im.res]})
			}
			add(im.module, CoreInlineExport{Name: im.name, Sort: sort, Index: f})
		}
		var args []CoreInstantiateArg
		for _, mod := range modules {
			inst := b.coreInstance(CoreInstance{Exports: byModule[mod]})
			args = append(args, CoreInstantiateArg{Name: mod, Instance: inst})
		}
		return b.coreInstance(CoreInstance{Instantiate: true, Module: mod, Args: args}), nil
	}
	if mainInst, err = instantiate(n, mainMod); err != nil {
		return nil, err
	}
	insts := map[*newEnc]uint32{n: mainInst}
	needMem := n.needMemory
	for _, a := range n.adapters {
		needMem = needMem || a.needMemory || a.importsMemory
	}
	if needMem && n.memType == nil {
		mem = b.coreAlias(mainInst, n.real("memory"), SortCoreMemory)
	}
	for k, a := range n.adapters {
		inst, err := instantiate(a, adapterMods[k])
		if err != nil {
			return nil, fmt.Errorf("adapter %s: %w", a.name, err)
		}
		insts[a] = inst
	}

	if n.taskHook {
		if err := b.instantiateHooks(insts); err != nil {
			return nil, err
		}
	}

	// Reallocs are aliased once each, when first needed.
	reallocs := map[string]uint32{}
	realloc := func(m *newEnc, name string) uint32 {
		key := m.name + "\x00" + name
		if idx, ok := reallocs[key]; ok {
			return idx
		}
		idx := b.entry(insts, m, name)
		reallocs[key] = idx
		return idx
	}

	if len(entries) > 0 {
		fixArgs := []CoreInlineExport{{Name: "$imports", Sort: SortCoreTable, Index: b.coreAlias(shimInst, "$imports", SortCoreTable)}}
		for k, e := range entries {
			var f uint32
			switch {
			case e.realloc != "":
				f = realloc(n, e.realloc)
			case e.imp < 0:
				f = b.entry(insts, n, n.dtors[e.dtor])
			case e.owner.imports[e.imp].kind == impAdapterFunc:
				im := &e.owner.imports[e.imp]
				a := n.adapterNames[im.module]
				var owner *newEnc
				for _, x := range n.adapters {
					if x.name == a.name {
						owner = x
					}
				}
				if owner == nil {
					return nil, fmt.Errorf("adapter %s is not instantiated", im.module)
				}
				f = b.coreAlias(insts[owner], im.orig, SortCoreFunc)
			case e.owner.imports[e.imp].kind == impIntrinsic:
				im := &e.owner.imports[e.imp]
				var re, table uint32
				if im.intr.opts.realloc {
					re = realloc(e.owner, e.owner.importRealloc())
				}
				if im.intr.op == CanonThreadNewIndirect {
					if !n.exportsTable("__indirect_function_table") {
						return nil, fmt.Errorf("table __indirect_function_table must be an exported funcref table for thread.new-indirect")
					}
					table = b.coreAlias(mainInst, n.real("__indirect_function_table"), SortCoreTable)
				}
				var err error
				if f, err = b.intrinsic(e.owner, im, mem, re, table); err != nil {
					return nil, err
				}
			default:
				im := &e.owner.imports[e.imp]
				fi, err := b.importedFunc(im)
				if err != nil {
					return nil, err
				}
				var re uint32
				if im.opts.realloc {
					re = realloc(e.owner, e.owner.importRealloc())
				}
				f = b.canon(Canon{Op: CanonLower, Func: fi, Options: e.owner.canonOpts(im.opts, mem, re, nil)})
			}
			fixArgs = append(fixArgs, CoreInlineExport{Name: strconv.Itoa(k), Sort: SortCoreFunc, Index: f})
		}
		inst := b.coreInstance(CoreInstance{Exports: fixArgs})
		b.coreInstance(CoreInstance{Instantiate: true, Module: fixupMod, Args: []CoreInstantiateArg{{Name: "", Instance: inst}}})
	}
	if n.initialize {
		// A start function calls _initialize, between the task hook's
		// InitializeStart and InitializeFinish when there is one.
		var m wasm.Builder
		t := m.AddFuncType(nil, nil)
		f := m.AddImport("main", n.real("_initialize"), wasm.ExternType{Kind: wasm.ExternFunc, Index: t})
		if n.taskHook {
			hook := m.AddImport("main", n.real(taskHookName), wasm.ExternType{Kind: wasm.ExternFunc, Index: m.AddFuncType([]wasm.ValType{wasm.ValI32}, nil)})
			var c wasm.Code
			c.I32Const(hookInitializeStart).Call(hook).Call(f).I32Const(hookInitializeFinish).Call(hook).End()
			f = m.AddFunc(wasm.Func{Type: t, Body: c.Bytes()})
		}
		m.Start = &f
		mod, err := b.coreModule(m.Encode())
		if err != nil {
			return nil, err
		}
		b.coreInstance(CoreInstance{Instantiate: true, Module: mod, Args: []CoreInstantiateArg{{Name: "main", Instance: mainInst}}})
	}

	// Exports, in world order, each lifted from the module implementing it.
	// Types are encoded afresh (the export phase), with world-level types
	// where the imports put them; an exported interface's types are
	// defined here, and those of exported interfaces it uses are aliased
	// from their exported instances (encode_interface_export).
	importInst := b.top.importMap
	exportMaps := newWitMaps()
	for id, idx := range b.importMaps.idToIndex {
		if n.r.Types[id].Owner.Kind == wit.OwnerWorld {
			exportMaps.idToIndex[id] = idx
		}
	}
	exportedInst := map[wit.InterfaceID]uint32{}
	w := n.r.Worlds[n.world]
	for i := range w.Exports {
		it := &w.Exports[i]
		key := n.keyName(it.Key)
		var owner *newEnc
		for _, m := range n.modules() {
			if m.ownExports[key] {
				owner = m
			}
		}
		if owner == nil {
			continue // an adapter the component does not need
		}
		b.top.m = exportMaps
		b.top.importMap = importInst
		if it.Kind == wit.WorldItemInterface {
			b.top.local = map[wit.InterfaceID]bool{it.Interface: true}
			overlay := maps.Clone(importInst)
			for x := range n.used[it.Interface] {
				if idx, ok := exportedInst[x]; ok {
					overlay[x] = idx
				}
			}
			b.top.importMap = overlay
		}
		for _, ne := range owner.exports {
			if ne.item != it {
				continue
			}
			var ft uint32
			var err error
			if it.Kind == wit.WorldItemFunction {
				err = b.inImportContext(func() error { ft, err = b.top.encodeFuncType(ne.fn); return err })
			} else {
				ft, err = b.top.encodeFuncType(ne.fn)
			}
			if err != nil {
				return nil, fmt.Errorf("export %s: %w", ne.core, err)
			}
			core := b.entry(insts, owner, ne.core)
			var post *uint32
			if ne.postReturn != "" {
				p := b.entry(insts, owner, ne.postReturn)
				post = &p
			}
			var re uint32
			if ne.opts.realloc {
				re = realloc(owner, owner.exportRealloc())
			}
			opts := owner.canonOpts(ne.opts, mem, re, post)
			if ne.callback != "" {
				opts = append(opts, CanonOpt{Kind: OptCallback, Index: b.entry(insts, owner, ne.callback)})
			}
			lifted := b.canon(Canon{Op: CanonLift, Func: core, Type: ft, Options: opts})
			if it.Kind == wit.WorldItemFunction {
				b.add(&ExportSection{Exports: []Export{{Name: ExternName{Name: ne.fn.Name}, Sort: SortFunc, Index: lifted}}})
				b.funcs++
				continue
			}
			b.lifted[key+"#"+ne.fn.Name] = lifted
		}
		if it.Kind == wit.WorldItemInterface {
			if err := b.exportInterface(it, key); err != nil {
				return nil, fmt.Errorf("export %s: %w", key, err)
			}
			exportedInst[it.Interface] = b.top.outer.instances - 1
			// Later exports find this interface's types in its instance.
			for _, t := range n.r.Interfaces[it.Interface].Types {
				delete(exportMaps.idToIndex, t.ID)
			}
		}
	}
	b.top.importMap = importInst
	b.flush()
	return &b.c, nil
}

// canonOpts spells the canonical options o with the given memory, realloc
// and post-return (named when not "").
func (n *newEnc) canonOpts(o newOpts, mem, realloc uint32, post *uint32) []CanonOpt {
	var out []CanonOpt
	if o.memory {
		out = append(out, CanonOpt{Kind: OptMemory, Index: mem})
	}
	if o.realloc {
		out = append(out, CanonOpt{Kind: OptRealloc, Index: realloc})
	}
	if o.strings {
		out = append(out, CanonOpt{Kind: OptUTF8 + CanonOptKind(n.enc)})
	}
	if o.async {
		out = append(out, CanonOpt{Kind: OptAsync})
	}
	if post != nil {
		out = append(out, CanonOpt{Kind: OptPostReturn, Index: *post})
	}
	return out
}

// importedFunc returns the component function an import lowers, aliasing
// it out of its instance.
func (b *newBuilder) importedFunc(im *newImport) (uint32, error) {
	if im.key == "" {
		f, ok := b.worldFuncs[im.fn.Name]
		if !ok {
			return 0, fmt.Errorf("function %s was not imported", im.fn.Name)
		}
		return f, nil
	}
	it := b.n.worldItem(b.n.r.Worlds[b.n.world].Imports, im.key)
	inst, ok := b.top.importMap[it.Interface]
	if !ok {
		return 0, fmt.Errorf("interface %s was not imported", im.key)
	}
	b.add(&AliasSection{Aliases: []Alias{{Sort: SortFunc, Target: AliasExport, Instance: inst, Name: im.fn.Name}}})
	b.funcs++
	return b.funcs - 1, nil
}

// importedResource returns the type index of an imported resource.
func (b *newBuilder) importedResource(id wit.TypeID) (uint32, error) {
	td := b.n.r.Types[id]
	if td.Owner.Kind == wit.OwnerInterface {
		if inst, ok := b.top.importMap[td.Owner.Interface]; ok {
			idx := b.top.outer.addAlias(&Alias{Sort: SortType, Target: AliasExport, Instance: inst, Name: td.Name})
			b.flush()
			return idx, nil
		}
	}
	for _, it := range b.n.r.Worlds[b.n.world].Imports {
		if it.Kind == wit.WorldItemType && b.n.r.DealiasID(it.Type) == id {
			if idx, ok := b.importMaps.idToIndex[it.Type]; ok {
				return idx, nil
			}
		}
	}
	return 0, fmt.Errorf("resource %s is not imported", td.Name)
}

// topType returns the component-level type index of a WIT type in the
// export phase.
func (b *newBuilder) topType(id wit.TypeID) (uint32, error) {
	v, err := b.top.encodeValType(wit.TypeOf(id))
	if err != nil {
		return 0, err
	}
	if v.Prim != 0 {
		return b.top.outer.addType(&DefinedType{Kind: KindPrimitive, Prim: v.Prim}), nil
	}
	return v.Index, nil
}

// exportInterface exports an interface as the instance of a shim
// component, which imports the interface's types and lifted functions and
// exports them under their names, as wit-component does.
func (b *newBuilder) exportInterface(it *wit.WorldItem, key string) error {
	x := it.Interface
	iface := b.r2.Interfaces[x]
	se := newWitIfaceEncoder(b.r2)
	se.local = map[wit.InterfaceID]bool{}
	for i := range b.r2.Interfaces {
		se.local[wit.InterfaceID(i)] = true
	}
	var args []InstantiateArg
	importIdx := map[wit.TypeID]uint32{}
	used := map[string]bool{}
	uniq := func(s string) string {
		name := s
		for k := 1; used[name]; k++ {
			name = s + "-n" + strconv.Itoa(k)
		}
		used[name] = true
		return name
	}
	var topErr error
	arg := func(id wit.TypeID, name string) {
		idx, err := b.topType(id)
		if err != nil && topErr == nil {
			topErr = err
		}
		args = append(args, InstantiateArg{Name: name, Sort: SortType, Index: idx})
	}
	se.named = func(id wit.TypeID, td *wit.TypeDef, enc ValType) (ValType, error) {
		idx := enc.Index
		if enc.Prim != 0 {
			idx = se.outer.addType(&DefinedType{Kind: KindPrimitive, Prim: enc.Prim})
		}
		name := uniq("import-type-" + td.Name)
		ni := se.outer.addImport(ExternName{Name: name}, ExternType{Sort: SortType, Index: idx})
		arg(id, name)
		importIdx[id] = ni
		return ValType{Index: ni}, nil
	}
	se.resource = func(id wit.TypeID, td *wit.TypeDef) (uint32, error) {
		name := uniq("import-type-" + td.Name)
		ni := se.outer.addImport(ExternName{Name: name}, ExternType{Sort: SortType, SubResource: true})
		if idx, ok := b.resLocal[id]; ok && td.Owner.Kind == wit.OwnerInterface && td.Owner.Interface == x {
			args = append(args, InstantiateArg{Name: name, Sort: SortType, Index: idx})
		} else {
			arg(id, name)
		}
		importIdx[id] = ni
		return ni, nil
	}
	for _, t := range iface.Types {
		if _, err := se.encodeValType(wit.TypeOf(t.ID)); err != nil {
			return err
		}
	}
	funcs := b.sortedFuncs(iface)
	funcIdx := map[string]uint32{}
	for k, f := range funcs {
		ft, err := se.encodeFuncType(f)
		if err != nil {
			return err
		}
		name := "import-func-n" + strconv.Itoa(k)
		se.outer.addImport(ExternName{Name: name}, ExternType{Sort: SortFunc, Index: ft})
		lifted, ok := b.lifted[key+"#"+f.Name]
		if !ok {
			return fmt.Errorf("function %s was not lifted", f.Name)
		}
		args = append(args, InstantiateArg{Name: name, Sort: SortFunc, Index: lifted})
		funcIdx[f.Name] = uint32(k)
	}
	if topErr != nil {
		return topErr
	}

	// The export phase: the interface's own types get their names.
	se.m = newWitMaps()
	for id, idx := range importIdx {
		if td := b.r2.Types[id]; td.Owner.Kind != wit.OwnerInterface || td.Owner.Interface != x {
			se.m.idToIndex[id] = idx
		}
	}
	owned := func(td *wit.TypeDef) bool { return td.Owner.Kind == wit.OwnerInterface && td.Owner.Interface == x }
	se.named = func(id wit.TypeID, td *wit.TypeDef, enc ValType) (ValType, error) {
		if !owned(td) {
			return ValType{Index: importIdx[id]}, nil
		}
		idx := enc.Index
		if enc.Prim != 0 {
			idx = se.outer.addType(&DefinedType{Kind: KindPrimitive, Prim: enc.Prim})
		}
		return ValType{Index: se.outer.addExport(ExternName{Name: td.Name}, ExternType{Sort: SortType, Index: idx})}, nil
	}
	se.resource = func(id wit.TypeID, td *wit.TypeDef) (uint32, error) {
		if !owned(td) {
			return importIdx[id], nil
		}
		return se.outer.addExport(ExternName{Name: td.Name}, ExternType{Sort: SortType, Index: importIdx[id]}), nil
	}
	for _, t := range iface.Types {
		if _, err := se.encodeValType(wit.TypeOf(t.ID)); err != nil {
			return err
		}
	}
	for _, f := range funcs {
		ft, err := se.encodeFuncType(f)
		if err != nil {
			return err
		}
		se.outer.addExport(ExternName{Name: f.Name}, ExternType{Sort: SortFunc, Index: ft})
	}

	shim := &Component{}
	for _, d := range se.outer.list {
		switch d.Kind {
		case DeclType:
			shim.Sections = append(shim.Sections, &TypeSection{Types: []Type{d.Type}})
		case DeclImport:
			shim.Sections = append(shim.Sections, &ImportSection{Imports: []Import{{Name: d.Name, Type: d.Extern}}})
		case DeclAlias:
			return fmt.Errorf("internal error: alias in an export shim")
		case DeclExport:
			ex := Export{Name: d.Name, Sort: d.Extern.Sort, Index: d.Extern.Index}
			if d.Extern.Sort == SortFunc {
				ext := d.Extern
				ex.Index, ex.Type = funcIdx[d.Name.Name], &ext
			}
			shim.Sections = append(shim.Sections, &ExportSection{Exports: []Export{ex}})
		}
	}
	b.add(&ComponentSection{Component: shim})
	b.components++
	b.add(&InstanceSection{Instances: []Instance{{Instantiate: true, Component: b.components - 1, Args: args}}})
	b.top.outer.instances++
	name := ExternName{Name: key}
	if !it.Key.IsInterface() && iface.Name != "" {
		if impl, err := witIDOf(b.r2, x); err == nil {
			name.Attrs = []NameAttr{{Kind: AttrImplements, Value: impl}}
		}
	}
	b.add(&ExportSection{Exports: []Export{{Name: name, Sort: SortInstance, Index: b.top.outer.instances - 1}}})
	b.top.outer.instances++
	return nil
}

// sortedFuncs orders an interface's functions as encodeInstance does:
// resource functions first, in the order of their resources.
func (b *newBuilder) sortedFuncs(i *wit.Interface) []*wit.Function {
	order := map[wit.TypeID]int{}
	for n, t := range i.Types {
		if _, ok := order[t.ID]; !ok {
			order[t.ID] = n
		}
	}
	funcs := slices.Clone(i.Functions)
	rank := func(f *wit.Function) int {
		switch f.Kind {
		case wit.Method, wit.AsyncMethod, wit.Static, wit.AsyncStatic, wit.Constructor:
			if n, ok := order[f.Resource]; ok {
				return n
			}
		}
		return len(order)
	}
	slices.SortStableFunc(funcs, func(a, c *wit.Function) int { return rank(a) - rank(c) })
	return funcs
}

// shimModules writes the shim module, whose table-dispatching functions the
// main module imports before the functions they stand for exist (and which
// defines the memory the main module imports, if it does), and the fixup
// module, which fills the table once they do.
func shimModules(entries []shimEntry, mem *wasm.MemoryType, tls *wasm.ValType) (shim, fixup []byte) {
	n := uint64(len(entries))
	table := wasm.TableType{Elem: wasm.ValFuncRef, Limits: wasm.Limits{Min: n, Max: &n}}
	var s wasm.Builder
	if mem != nil {
		s.Export("$memory", wasm.ExternMemory, s.AddMemory(*mem))
	}
	if tls != nil {
		// The TLS base pointer lives here when no context slot is free
		// for it.
		init := wasm.ConstI32(0)
		if *tls == wasm.ValI64 {
			init = wasm.ConstExpr(new(wasm.Code).I64Const(0))
		}
		g := s.AddGlobal(wasm.Global{Type: wasm.GlobalType{Val: *tls, Mutable: true}, Init: init})
		var get, set wasm.Code
		get.GlobalGet(g).End()
		set.LocalGet(0).GlobalSet(g).End()
		s.Export("$get-tls-base", wasm.ExternFunc, s.AddFunc(wasm.Func{Type: s.AddFuncType(nil, []wasm.ValType{*tls}), Body: get.Bytes()}))
		s.Export("$set-tls-base", wasm.ExternFunc, s.AddFunc(wasm.Func{Type: s.AddFuncType([]wasm.ValType{*tls}, nil), Body: set.Bytes()}))
	}
	if n == 0 {
		return s.Encode(), nil
	}
	s.AddTable(table)
	for k, e := range entries {
		t := s.AddFuncType(e.sig.Params, e.sig.Results)
		var c wasm.Code
		for p := range e.sig.Params {
			c.LocalGet(uint32(p))
		}
		c.I32Const(int32(k)).CallIndirect(t, 0).End()
		f := s.AddFunc(wasm.Func{Type: t, Body: c.Bytes()})
		s.Export(strconv.Itoa(k), wasm.ExternFunc, f)
	}
	s.Export("$imports", wasm.ExternTable, 0)

	var fx wasm.Builder
	fx.AddImport("", "$imports", wasm.ExternType{Kind: wasm.ExternTable, Table: table})
	var funcs []uint32
	for k, e := range entries {
		t := fx.AddFuncType(e.sig.Params, e.sig.Results)
		funcs = append(funcs, fx.AddImport("", strconv.Itoa(k), wasm.ExternType{Kind: wasm.ExternFunc, Index: t}))
	}
	fx.Elements = []wasm.Element{{Table: 0, Offset: wasm.ConstI32(0), Funcs: funcs}}
	return s.Encode(), fx.Encode()
}

// exportsTable reports whether the module exports a table named name.
func (n *newEnc) exportsTable(name string) bool {
	e, ok := n.coreExports[name]
	return ok && e.Kind == wasm.ExternTable
}

// inImportContext runs f with the encoder of the import phase: types of
// the world's top level and of imported interfaces are found where the
// imports put them, as the reference's root import type encoder does.
func (b *newBuilder) inImportContext(f func() error) error {
	t := b.top
	m, local, named, resource, importTypes, hasIface := t.m, t.local, t.named, t.resource, t.importTypes, t.hasIface
	t.m, t.local, t.named, t.resource, t.importTypes, t.hasIface = b.importMaps, nil, nil, nil, true, false
	err := f()
	t.m, t.local, t.named, t.resource, t.importTypes, t.hasIface = m, local, named, resource, importTypes, hasIface
	return err
}

// intrinsicType encodes a type a built-in names: in the import context
// when it comes from an import or the world's top level, else in the
// current (export) one.
func (b *newBuilder) intrinsicType(t wit.Type, imported bool) (ValType, error) {
	var v ValType
	var err error
	if imported {
		err = b.inImportContext(func() error { v, err = b.top.encodeValType(t); return err })
	} else {
		v, err = b.top.encodeValType(t)
	}
	return v, err
}

// intrinsic defines the canonical built-in im (of module m) with the given
// memory, realloc and table, and returns its core function index.
func (b *newBuilder) intrinsic(m *newEnc, im *newImport, mem, realloc, table uint32) (uint32, error) {
	in := im.intr
	c := Canon{Op: in.op, Flag: in.flag}
	switch in.op {
	case CanonTaskReturn:
		if in.fn.Result != wit.NoneType {
			v, err := b.intrinsicType(in.fn.Result, !in.hasIface)
			if err != nil {
				return 0, fmt.Errorf("task.return of %s: %w", in.fn.Name, err)
			}
			c.Result = &v
		}
		c.Options = m.canonOpts(in.opts, mem, 0, nil)
	case CanonWaitableSetWait, CanonWaitableSetPoll:
		c.Index = mem
	case CanonContextGet, CanonContextSet:
		c.ValType, c.Index = in.valType, in.slot
	case CanonErrorContextNew, CanonErrorContextDebug:
		o := in.opts
		c.Options = (&newEnc{enc: in.enc}).canonOpts(o, mem, realloc, nil)
	case CanonThreadNewIndirect:
		b.add(&CoreTypeSection{Types: []CoreType{{Rec: wasm.RecGroup{Types: []wasm.SubType{{Final: true, Kind: wasm.CompFunc, Func: wasm.FuncType{Params: []wasm.ValType{wasm.ValI32}}}}}}}})
		c.Type, c.Index = b.coreTypes, table
		b.coreTypes++
	case CanonStreamNew, CanonStreamRead, CanonStreamWrite, CanonStreamCancelRead, CanonStreamCancelWrite,
		CanonStreamDropReadable, CanonStreamDropWritable,
		CanonFutureNew, CanonFutureRead, CanonFutureWrite, CanonFutureCancelRead, CanonFutureCancelWrite,
		CanonFutureDropReadable, CanonFutureDropWritable:
		if in.unit {
			kind := KindFuture
			if in.op >= CanonStreamNew && in.op <= CanonStreamDropWritable {
				kind = KindStream
			}
			c.Type = b.top.outer.addType(&DefinedType{Kind: kind})
		} else {
			v, err := b.intrinsicType(wit.TypeOf(in.payload), in.imported || !in.hasIface)
			if err != nil {
				return 0, err
			}
			c.Type = v.Index
		}
		switch in.op {
		case CanonStreamRead, CanonStreamWrite, CanonFutureRead, CanonFutureWrite:
			o := in.opts
			o.async = in.flag
			c.Flag = false
			c.Options = m.canonOpts(o, mem, realloc, nil)
		}
	}
	return b.canon(c), nil
}

// tlsGlobal is the type of the shim's TLS base global, or nil when there is
// none: wasm-ld's TLS base imports use context slot 1 when the component
// uses threads (thread.new-indirect or slot 1 itself), as the reference
// decides, and a global otherwise.
func (n *newEnc) tlsGlobal() (*wasm.ValType, error) {
	var tls *wasm.ValType
	for _, m := range n.modules() {
		for _, im := range m.imports {
			in := im.intr
			if in == nil {
				continue
			}
			if in.op == CanonThreadNewIndirect || (!in.tls && (in.op == CanonContextGet || in.op == CanonContextSet) && in.slot == 1) {
				return nil, nil
			}
			if in.tls {
				if tls != nil && *tls != in.valType {
					return nil, fmt.Errorf("conflicting TLS base pointer types `%s` and `%s`", tls.String(), in.valType.String())
				}
				t := in.valType
				tls = &t
			}
		}
	}
	return tls, nil
}
