package runtime

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/wasm"
	"github.com/wasmcm/wasmcm/wit"
)

// This file interprets a component graph at compile time into a plan (see
// plan.go). Every component instantiation of the graph is static once the
// root's imports are taken as symbols, so the builder simply instantiates
// the graph with symbolic items.

// maxPlanSize bounds what one component may expand to, so that a small
// binary instantiating a component in a loop of nested definitions cannot
// make the builder run away.
const (
	maxCoreInstances = 10000
	maxComponents    = 10000
	maxTypes         = 1 << 20
)

// item is a component-level definition as the builder knows it.
type item struct {
	sort component.Sort
	fn   *cfunc
	inst *cinst
	typ  *tdef
	mod  *moduleDef
	comp *compDef
}

// cfunc is a component function: lifted in the graph or imported.
type cfunc struct {
	lifted *liftedFunc
	// imported from the host: instance name ("" for root) and name.
	hostIface, hostName string
	sig                 *funcSig
}

// cinst is a component instance: its exports by name.
type cinst struct {
	exports map[string]item
	order   []string
}

func (c *cinst) add(name string, it item) {
	if c.exports == nil {
		c.exports = map[string]item{}
	}
	if _, dup := c.exports[name]; !dup {
		c.order = append(c.order, name)
	}
	c.exports[name] = it
}

// tdef is a component type.
type tdef struct {
	val      wit.Type // a value type or a resource (KindResource TypeDef)
	isVal    bool
	resource int // index in plan.resources when the type is a resource, else -1
	fn       *funcSig
	instType *component.InstanceType
	compType *component.ComponentType
	scope    *scope // where instType/compType were defined
}

// moduleDef is a core module definition.
type moduleDef struct {
	index int // in plan.modules
	info  *wasm.ModuleInfo
}

// compDef is a component definition with the scope its outer aliases see.
type compDef struct {
	c     *component.Component
	outer *scope
}

// coreInst is a core instance as the builder knows it.
type coreInst struct {
	real    int // index in plan.coreInsts, or -1 for a bundle
	info    *wasm.ModuleInfo
	exports map[string]coreItem // bundles
	bundle  int                 // index in plan.bundles once used as an argument, else -1
	// memAt maps export names of memories that moved to accessor
	// instances (multimem.go) to those instances.
	memAt map[string]int
}

// scope holds the index spaces of one component instantiation (or one
// instance or component type's declarations).
type scope struct {
	parent *scope
	comp   int // the component instance

	funcs      []item
	instances  []item
	types      []item
	modules    []item
	components []item

	coreFuncs, coreTables, coreMems, coreGlobals, coreTags []coreItem
	coreInsts                                              []*coreInst
	coreTypes                                              int

	exports cinst
}

// builder builds a plan.
type builder struct {
	p       *plan
	modules map[*component.CoreModuleSection]int
	ntypes  int
	// adapterMods dedupes generated adapter modules by their bytes.
	adapterMods map[string]int
}

func newBuilder() *builder {
	r := &wit.Resolve{}
	return &builder{
		p: &plan{
			resolve:    r,
			abi:        canon.New(r, canon.Addr32),
			resourceOf: map[wit.TypeID]int{},
		},
		modules:     map[*component.CoreModuleSection]int{},
		adapterMods: map[string]int{},
	}
}

// buildError is a compile error located in the graph.
func (b *builder) errorf(sc *scope, format string, args ...any) error {
	where := "component"
	if sc != nil && sc.comp > 0 && sc.comp < len(b.p.compNames) {
		where = b.p.compNames[sc.comp]
	}
	return fmt.Errorf("%s: %s", where, fmt.Sprintf(format, args...))
}

// build compiles the root component.
func (b *builder) build(c *component.Component) error {
	root := &compDef{c: c}
	b.p.comps = 0
	sc, err := b.instantiate(root, nil, "root component", 0, -1)
	if err != nil {
		return err
	}
	b.p.exports = b.exportTree(&sc.exports)
	b.p.refsOfIns = make([][]int, len(b.p.coreInsts))
	for i, r := range b.p.refs {
		if r.item.kind == coreFromInstance {
			b.p.refsOfIns[r.item.inst] = append(b.p.refsOfIns[r.item.inst], i)
		}
	}
	return nil
}

func (b *builder) exportTree(ci *cinst) *exportTree {
	t := &exportTree{funcs: map[string]*exportFunc{}, instances: map[string]*exportTree{}, resources: map[string]int{}}
	for _, name := range ci.order {
		it := ci.exports[name]
		switch it.sort {
		case component.SortType:
			if it.typ != nil && it.typ.resource >= 0 {
				t.resources[name] = it.typ.resource
			}
		case component.SortFunc:
			t.funcs[name] = &exportFunc{name: name, f: it.fn}
			t.names = append(t.names, name)
		case component.SortInstance:
			t.instances[name] = b.exportTree(it.inst)
			t.names = append(t.names, name)
		}
	}
	return t
}

// instantiate walks the sections of def with the given arguments (nil for
// the root, whose imports become host symbols).
func (b *builder) instantiate(def *compDef, args map[string]item, name string, depth, parent int) (*scope, error) {
	if depth > component.MaxNesting {
		return nil, fmt.Errorf("%s: component instances nest deeper than %d levels", name, component.MaxNesting)
	}
	if b.p.comps >= maxComponents {
		return nil, fmt.Errorf("%s: the component graph creates more than %d component instances", name, maxComponents)
	}
	sc := &scope{parent: def.outer, comp: b.p.comps}
	b.p.comps++
	b.p.compNames = append(b.p.compNames, name)
	b.p.compParents = append(b.p.compParents, parent)
	root := args == nil
	for _, s := range def.c.Sections {
		var err error
		switch s := s.(type) {
		case *component.CoreModuleSection:
			idx, ok := b.modules[s]
			if !ok {
				idx = len(b.p.modules)
				b.modules[s] = idx
				pm := planModule{bytes: s.Bytes, info: s.Info, name: fmt.Sprintf("core module %d of %s", len(sc.modules), name)}
				if err = renameEmptyModule(&pm); err != nil {
					return nil, b.errorf(sc, "%s: %v", pm.name, err)
				}
				b.p.modules = append(b.p.modules, pm)
			}
			sc.modules = append(sc.modules, item{sort: component.SortCoreModule, mod: &moduleDef{index: idx, info: s.Info}})
		case *component.CoreInstanceSection:
			for _, ci := range s.Instances {
				if err = b.coreInstance(sc, ci); err != nil {
					break
				}
			}
		case *component.CoreTypeSection:
			sc.coreTypes += len(s.Types)
		case *component.ComponentSection:
			sc.components = append(sc.components, item{sort: component.SortComponent, comp: &compDef{c: s.Component, outer: sc}})
		case *component.InstanceSection:
			for _, in := range s.Instances {
				if err = b.instance(sc, in, depth); err != nil {
					break
				}
			}
		case *component.AliasSection:
			for i := range s.Aliases {
				if err = b.alias(sc, &s.Aliases[i]); err != nil {
					break
				}
			}
		case *component.TypeSection:
			for _, t := range s.Types {
				var td *tdef
				if td, err = b.defineType(sc, t, ""); err != nil {
					break
				}
				sc.types = append(sc.types, item{sort: component.SortType, typ: td})
			}
		case *component.CanonSection:
			for i := range s.Funcs {
				if err = b.canon(sc, &s.Funcs[i]); err != nil {
					break
				}
			}
		case *component.ImportSection:
			for _, im := range s.Imports {
				if root {
					err = b.rootImport(sc, im)
				} else {
					err = b.nestedImport(sc, im, args)
				}
				if err != nil {
					break
				}
			}
		case *component.ExportSection:
			for _, ex := range s.Exports {
				it, e := sc.get(ex.Sort, ex.Index)
				if e != nil {
					err = b.errorf(sc, "export %q: %v", ex.Name.Name, e)
					break
				}
				sc.exports.add(ex.Name.Name, it)
				sc.push(it)
			}
		case *component.StartSection:
			err = b.errorf(sc, "component start functions are not supported")
		case *component.ValueSection:
			err = b.errorf(sc, "component values are not supported")
		case *component.CustomSection:
		default:
			err = b.errorf(sc, "unknown section %T", s)
		}
		if err != nil {
			return nil, err
		}
	}
	return sc, nil
}

// push appends it to the index space of its sort (exports and imports
// define new indices).
func (sc *scope) push(it item) {
	switch it.sort {
	case component.SortFunc:
		sc.funcs = append(sc.funcs, it)
	case component.SortInstance:
		sc.instances = append(sc.instances, it)
	case component.SortType:
		sc.types = append(sc.types, it)
	case component.SortCoreModule:
		sc.modules = append(sc.modules, it)
	case component.SortComponent:
		sc.components = append(sc.components, it)
	}
}

// get returns the definition at index i of the sort's space.
func (sc *scope) get(s component.Sort, i uint32) (item, error) {
	var space []item
	switch s {
	case component.SortFunc:
		space = sc.funcs
	case component.SortInstance:
		space = sc.instances
	case component.SortType:
		space = sc.types
	case component.SortCoreModule:
		space = sc.modules
	case component.SortComponent:
		space = sc.components
	default:
		return item{}, fmt.Errorf("%s definitions are not supported", s)
	}
	if uint64(i) >= uint64(len(space)) {
		return item{}, fmt.Errorf("%s index %d out of range (%d defined)", s, i, len(space))
	}
	return space[i], nil
}

// coreSpace returns the core index space of a core sort.
func (sc *scope) coreSpace(s component.Sort) (*[]coreItem, error) {
	switch s {
	case component.SortCoreFunc:
		return &sc.coreFuncs, nil
	case component.SortCoreTable:
		return &sc.coreTables, nil
	case component.SortCoreMemory:
		return &sc.coreMems, nil
	case component.SortCoreGlobal:
		return &sc.coreGlobals, nil
	case component.SortCoreTag:
		return &sc.coreTags, nil
	}
	return nil, fmt.Errorf("%s is not a core item sort", s)
}

func (sc *scope) coreItem(s component.Sort, i uint32) (coreItem, error) {
	sp, err := sc.coreSpace(s)
	if err != nil {
		return coreItem{}, err
	}
	if uint64(i) >= uint64(len(*sp)) {
		return coreItem{}, fmt.Errorf("%s index %d out of range (%d defined)", s, i, len(*sp))
	}
	return (*sp)[i], nil
}

func sortOfExtern(k wasm.ExternKind) component.Sort {
	switch k {
	case wasm.ExternFunc, wasm.ExternFuncExact:
		return component.SortCoreFunc
	case wasm.ExternTable:
		return component.SortCoreTable
	case wasm.ExternMemory:
		return component.SortCoreMemory
	case wasm.ExternGlobal:
		return component.SortCoreGlobal
	default:
		return component.SortCoreTag
	}
}

// coreInstance defines a core instance: an instantiation or a bundle.
func (b *builder) coreInstance(sc *scope, ci component.CoreInstance) error {
	if !ci.Instantiate {
		ins := &coreInst{real: -1, bundle: -1, exports: map[string]coreItem{}}
		for _, e := range ci.Exports {
			it, err := sc.coreItem(e.Sort, e.Index)
			if err != nil {
				return b.errorf(sc, "core instance %d export %q: %v", len(sc.coreInsts), e.Name, err)
			}
			ins.exports[e.Name] = it
		}
		sc.coreInsts = append(sc.coreInsts, ins)
		return nil
	}
	if len(b.p.coreInsts) >= maxCoreInstances {
		return b.errorf(sc, "the component graph creates more than %d core instances", maxCoreInstances)
	}
	if uint64(ci.Module) >= uint64(len(sc.modules)) {
		return b.errorf(sc, "core instance %d: module index %d out of range", len(sc.coreInsts), ci.Module)
	}
	md := sc.modules[ci.Module].mod
	if md == nil {
		return b.errorf(sc, "core instance %d: module %d is imported from the host, which is not supported", len(sc.coreInsts), ci.Module)
	}
	args := map[string]*coreInst{}
	for _, a := range ci.Args {
		if uint64(a.Instance) >= uint64(len(sc.coreInsts)) {
			return b.errorf(sc, "core instance %d: argument %q: instance index %d out of range", len(sc.coreInsts), a.Name, a.Instance)
		}
		args[a.Name] = memView(sc.coreInsts[a.Instance])
	}
	// An argument made of exports of other instances would need a shim
	// module instantiated with every instance; instead the module's
	// imports from it are rewritten to name where each item lives.
	wire := false
	for _, im := range md.info.Imports {
		if a, ok := args[im.Module]; ok && a.real < 0 && !allTramps(a) {
			wire = true
		}
	}
	mi := md.index
	if wire || b.p.modules[mi].wired {
		if b.p.modules[mi].used {
			// Instantiated before: this instantiation gets a copy.
			pm := b.p.modules[mi]
			if pm.mm != nil {
				pm.bytes, pm.mm = pm.mm.orig, nil
			}
			if pm.wired {
				pm.bytes = pm.base
			}
			pm.used, pm.wired, pm.base = false, false, nil
			mi = len(b.p.modules)
			b.p.modules = append(b.p.modules, pm)
		}
	}
	pc := planCoreInst{module: mi}
	pm := &b.p.modules[mi]
	pm.used = true
	var wiring *importWiring
	if wire {
		wiring = newImportWiring(md.info)
	}
	seen := map[string]bool{}
	for _, im := range md.info.Imports {
		a, ok := args[im.Module]
		if !ok {
			return b.errorf(sc, "core instance %d: module imports %q, which no argument supplies", len(sc.coreInsts), im.Module)
		}
		if wiring != nil && a.real < 0 && !allTramps(a) {
			it, ok := a.exports[im.Name]
			if !ok {
				return b.errorf(sc, "core instance %d: module imports %q from %q, which the argument does not export", len(sc.coreInsts), im.Name, im.Module)
			}
			if name, special, inst, isNew := wiring.add(it); isNew {
				pc.args = append(pc.args, planArg{name: name, inst: inst, bundle: -1, special: special})
			}
			continue
		}
		if wiring != nil {
			wiring.keep()
		}
		if seen[im.Module] {
			continue
		}
		seen[im.Module] = true
		wazName := im.Module
		if wazName == "" {
			wazName = pm.emptyAs
		}
		if a.real >= 0 {
			pc.args = append(pc.args, planArg{name: wazName, inst: a.real, bundle: -1})
			continue
		}
		if a.bundle < 0 {
			bi, err := b.makeBundle(sc, a)
			if err != nil {
				return err
			}
			a.bundle = bi
		}
		pc.args = append(pc.args, planArg{name: wazName, inst: -1, bundle: a.bundle})
	}
	if wiring != nil {
		if err := wiring.rewrite(pm); err != nil {
			return b.errorf(sc, "core instance %d: %v", len(sc.coreInsts), err)
		}
	}
	memAt, err := b.lowerMemories(&pc)
	if err != nil {
		return b.errorf(sc, "core instance %d: %v", len(sc.coreInsts), err)
	}
	idx := len(b.p.coreInsts)
	b.p.coreInsts = append(b.p.coreInsts, pc)
	sc.coreInsts = append(sc.coreInsts, &coreInst{real: idx, info: md.info, bundle: -1, memAt: memAt})
	return nil
}

// allTramps tells a bundle made only of trampolines, which is a host
// module shared by all instances.
func allTramps(ci *coreInst) bool {
	for _, it := range ci.exports {
		if it.kind != coreFromTramp {
			return false
		}
	}
	return true
}

// importWiring rewrites a module's imports from bundles of mixed origin
// to import each item from the core instance that has it (module name
// prefix+"i<k>") or from the trampolines' host module (prefix+"t").
type importWiring struct {
	info    *wasm.ModuleInfo
	prefix  string
	imports []wasm.Import
	named   map[string]bool
}

func newImportWiring(info *wasm.ModuleInfo) *importWiring {
	used := map[string]bool{}
	for _, im := range info.Imports {
		used[im.Module] = true
	}
	prefix := "wasmcm:"
	for {
		clash := false
		for m := range used {
			if strings.HasPrefix(m, prefix) {
				clash = true
				break
			}
		}
		if !clash {
			break
		}
		prefix = "_" + prefix
	}
	return &importWiring{info: info, prefix: prefix, named: map[string]bool{}}
}

// add rewrites the next import to where it lives, returning the module
// name and what it stands for, isNew the first time a name is used.
func (w *importWiring) add(it coreItem) (name string, special argSpecial, inst int, isNew bool) {
	im := w.info.Imports[len(w.imports)]
	inst = -1
	if it.kind == coreFromTramp {
		name, special = w.prefix+"t", argTramps
		im.Module, im.Name = name, "t"+strconv.Itoa(it.tramp)
	} else {
		name, inst = w.prefix+"i"+strconv.Itoa(it.inst), it.inst
		im.Module, im.Name = name, it.name
	}
	w.imports = append(w.imports, im)
	isNew = !w.named[name]
	w.named[name] = true
	return name, special, inst, isNew
}

// keep leaves the next import as it is.
func (w *importWiring) keep() {
	w.imports = append(w.imports, w.info.Imports[len(w.imports)])
}

// rewrite replaces pm's import section.
func (w *importWiring) rewrite(pm *planModule) error {
	if pm.emptyAs != "" {
		for i := range w.imports {
			if w.imports[i].Module == "" {
				w.imports[i].Module = pm.emptyAs
			}
		}
	}
	out, err := replaceImports(pm.bytes, w.imports)
	if err != nil {
		return err
	}
	pm.base, pm.bytes, pm.wired = pm.bytes, out, true
	return nil
}

// replaceImports returns module bytes with the import section made of
// imports.
func replaceImports(bin []byte, imports []wasm.Import) ([]byte, error) {
	r := wasm.NewReader(bin, 0)
	head, err := r.Bytes(8)
	if err != nil {
		return nil, err
	}
	out := append(make([]byte, 0, len(bin)+64), head...)
	for !r.EOF() {
		id, err := r.Byte()
		if err != nil {
			return nil, err
		}
		body, err := r.Sub("section")
		if err != nil {
			return nil, err
		}
		if id != wasm.SecImport {
			out = append(out, id)
			out = wasm.AppendU32(out, uint32(body.Remaining()))
			out = append(out, body.Rest()...)
			continue
		}
		sec := wasm.AppendU32(nil, uint32(len(imports)))
		for _, im := range imports {
			sec = wasm.AppendImport(sec, im)
		}
		out = append(out, id)
		out = wasm.AppendU32(out, uint32(len(sec)))
		out = append(out, sec...)
	}
	return out, nil
}

// makeBundle plans a bundle core instance used as an argument.
func (b *builder) makeBundle(sc *scope, ci *coreInst) (int, error) {
	pb := planBundle{}
	names := make([]string, 0, len(ci.exports))
	for n := range ci.exports {
		names = append(names, n)
	}
	sortStrings(names)
	allTramps := true
	for _, n := range names {
		it := ci.exports[n]
		pb.items = append(pb.items, bundleItem{name: n, item: it})
		if it.kind != coreFromTramp {
			allTramps = false
		}
	}
	if !allTramps {
		shim, sources, err := b.shim(pb.items)
		if err != nil {
			return 0, b.errorf(sc, "core instance %d: %v", len(sc.coreInsts), err)
		}
		pb.shim, pb.sources = shim, sources
	}
	b.p.bundles = append(b.p.bundles, pb)
	return len(b.p.bundles) - 1, nil
}

// shim generates the core module that re-exports a bundle's items: each is
// imported from the instance that has it (module names "0", "1", ...) or
// from the trampolines' host module "t", and exported under its name.
func (b *builder) shim(items []bundleItem) ([]byte, []int, error) {
	var m wasm.Builder
	var sources []int
	srcName := map[int]string{}
	for _, bi := range items {
		it := bi.item
		mod, name := "t", "t"+strconv.Itoa(it.tramp)
		if it.kind == coreFromInstance {
			s, ok := srcName[it.inst]
			if !ok {
				s = strconv.Itoa(len(sources))
				srcName[it.inst] = s
				sources = append(sources, it.inst)
			}
			mod, name = s, it.name
		}
		t := it.typ
		if it.ext == wasm.ExternFunc || it.ext == wasm.ExternTag {
			if it.ftype == nil {
				return nil, nil, fmt.Errorf("function %q has no known type", bi.name)
			}
			t.Index = m.AddFuncType(it.ftype.Params, it.ftype.Results)
		}
		idx := m.AddImport(mod, name, t)
		m.Export(bi.name, it.ext, idx)
	}
	return m.Encode(), sources, nil
}

// instance defines a component instance.
func (b *builder) instance(sc *scope, in component.Instance, depth int) error {
	if !in.Instantiate {
		ci := &cinst{}
		for _, e := range in.Exports {
			it, err := sc.get(e.Sort, e.Index)
			if err != nil {
				return b.errorf(sc, "instance %d export %q: %v", len(sc.instances), e.Name.Name, err)
			}
			ci.add(e.Name.Name, it)
		}
		sc.instances = append(sc.instances, item{sort: component.SortInstance, inst: ci})
		return nil
	}
	it, err := sc.get(component.SortComponent, in.Component)
	if err != nil {
		return b.errorf(sc, "instance %d: %v", len(sc.instances), err)
	}
	if it.comp == nil {
		return b.errorf(sc, "instance %d: component %d is imported, which is not supported", len(sc.instances), in.Component)
	}
	args := map[string]item{}
	for _, a := range in.Args {
		ai, err := sc.get(a.Sort, a.Index)
		if err != nil {
			return b.errorf(sc, "instance %d argument %q: %v", len(sc.instances), a.Name, err)
		}
		args[a.Name] = ai
	}
	name := fmt.Sprintf("component instance %d (of %s)", len(sc.instances), b.p.compNames[sc.comp])
	child, err := b.instantiate(it.comp, args, name, depth+1, sc.comp)
	if err != nil {
		return err
	}
	ci := child.exports
	sc.instances = append(sc.instances, item{sort: component.SortInstance, inst: &ci})
	return nil
}

// alias defines an alias.
func (b *builder) alias(sc *scope, a *component.Alias) error {
	switch a.Target {
	case component.AliasExport:
		if uint64(a.Instance) >= uint64(len(sc.instances)) {
			return b.errorf(sc, "alias of export %q: instance index %d out of range", a.Name, a.Instance)
		}
		ci := sc.instances[a.Instance].inst
		it, ok := ci.exports[a.Name]
		if !ok {
			return b.errorf(sc, "alias of export %q: instance %d has no such export", a.Name, a.Instance)
		}
		if it.sort != a.Sort {
			return b.errorf(sc, "alias of export %q: it is a %s, not a %s", a.Name, it.sort, a.Sort)
		}
		sc.push(it)
	case component.AliasCoreExport:
		if uint64(a.Instance) >= uint64(len(sc.coreInsts)) {
			return b.errorf(sc, "alias of core export %q: core instance index %d out of range", a.Name, a.Instance)
		}
		ci := sc.coreInsts[a.Instance]
		sp, err := sc.coreSpace(a.Sort)
		if err != nil {
			return b.errorf(sc, "alias of core export %q: %v", a.Name, err)
		}
		var it coreItem
		if ci.real < 0 {
			var ok bool
			if it, ok = ci.exports[a.Name]; !ok {
				return b.errorf(sc, "alias of core export %q: the core instance has no such export", a.Name)
			}
		} else {
			var e *wasm.Export
			for i := range ci.info.Exports {
				if ci.info.Exports[i].Name == a.Name {
					e = &ci.info.Exports[i]
					break
				}
			}
			if e == nil {
				return b.errorf(sc, "alias of core export %q: core instance %d has no such export", a.Name, a.Instance)
			}
			t, _ := ci.info.ExportType(*e)
			it = coreItem{kind: coreFromInstance, ext: e.Kind, inst: ci.real, name: a.Name, typ: t}
			if at, ok := ci.memAt[a.Name]; ok && e.Kind == wasm.ExternMemory {
				it.inst = at // the memory lives in an accessor (multimem.go)
			}
			if e.Kind == wasm.ExternFunc || e.Kind == wasm.ExternTag {
				it.ftype = ci.info.FuncType(t.Index)
			}
		}
		if sortOfExtern(it.ext) != a.Sort {
			return b.errorf(sc, "alias of core export %q: it is a %s, not a %s", a.Name, sortOfExtern(it.ext), a.Sort)
		}
		*sp = append(*sp, it)
	case component.AliasOuter:
		t := sc
		for i := uint32(0); i < a.Count && t != nil; i++ {
			t = t.parent
		}
		if t == nil {
			return b.errorf(sc, "outer alias: count %d goes past the root", a.Count)
		}
		if a.Sort == component.SortCoreType {
			sc.coreTypes++
			return nil
		}
		it, err := t.get(a.Sort, a.Index)
		if err != nil {
			return b.errorf(sc, "outer alias: %v", err)
		}
		sc.push(it)
	default:
		return b.errorf(sc, "unknown alias target %d", a.Target)
	}
	return nil
}

// rootImport makes a root import a host symbol.
func (b *builder) rootImport(sc *scope, im component.Import) error {
	name := im.Name.Name
	b.p.imports = append(b.p.imports, name)
	it, err := b.hostItem(sc, "", name, im.Type)
	if err != nil {
		return b.errorf(sc, "import %q: %v", name, err)
	}
	sc.push(it)
	return nil
}

// hostItem is the symbol for an item the host supplies: name in instance
// iface ("" at the root) of type t, whose indices refer to sc.
func (b *builder) hostItem(sc *scope, iface, name string, t component.ExternType) (item, error) {
	switch t.Sort {
	case component.SortFunc:
		td, err := sc.typeAt(t.Index)
		if err != nil {
			return item{}, err
		}
		if td.fn == nil {
			return item{}, fmt.Errorf("type %d is not a function type", t.Index)
		}
		b.p.hostNeeds = append(b.p.hostNeeds, hostNeed{kind: needFunc, iface: iface, name: name})
		return item{sort: component.SortFunc, fn: &cfunc{hostIface: iface, hostName: name, sig: td.fn}}, nil
	case component.SortInstance:
		td, err := sc.typeAt(t.Index)
		if err != nil {
			return item{}, err
		}
		if td.instType == nil {
			return item{}, fmt.Errorf("type %d is not an instance type", t.Index)
		}
		inner := name
		if iface != "" {
			inner = iface + "#" + name
		}
		ci, err := b.hostInstance(td.scope, td.instType, inner)
		if err != nil {
			return item{}, err
		}
		b.p.hostNeeds = append(b.p.hostNeeds, hostNeed{kind: needInstance, iface: iface, name: name})
		return item{sort: component.SortInstance, inst: ci}, nil
	case component.SortType:
		if !t.SubResource {
			td, err := sc.typeAt(t.Index)
			if err != nil {
				return item{}, err
			}
			if td.resource >= 0 {
				// An equality bound: a host resource of this name, if
				// supplied, must be the very same type.
				b.p.hostNeeds = append(b.p.hostNeeds, hostNeed{kind: needSameResource, iface: iface, name: name, resource: td.resource})
			}
			return item{sort: component.SortType, typ: td}, nil
		}
		return item{sort: component.SortType, typ: b.newResource(name, -1, -1, iface, name)}, nil
	case component.SortCoreModule, component.SortComponent:
		// The host cannot supply modules or components.
		b.p.hostNeeds = append(b.p.hostNeeds, hostNeed{kind: needUnsupported, iface: iface, name: name, sort: t.Sort})
		return item{sort: t.Sort}, nil
	default:
		return item{}, fmt.Errorf("importing a %s is not supported", t.Sort)
	}
}

// hostInstance evaluates an instance type's declarations into an instance
// of host symbols.
func (b *builder) hostInstance(outer *scope, it *component.InstanceType, iface string) (*cinst, error) {
	ds := &scope{parent: outer, comp: outer.comp}
	ci := &cinst{}
	for i := range it.Decls {
		d := &it.Decls[i]
		switch d.Kind {
		case component.DeclCoreType:
			ds.coreTypes++
		case component.DeclType:
			td, err := b.defineType(ds, d.Type, "")
			if err != nil {
				return nil, err
			}
			ds.types = append(ds.types, item{sort: component.SortType, typ: td})
		case component.DeclAlias:
			if err := b.alias(ds, d.Alias); err != nil {
				return nil, err
			}
		case component.DeclExport:
			name := d.Name.Name
			it, err := b.hostItem(ds, iface, name, d.Extern)
			if err != nil {
				return nil, fmt.Errorf("export %q: %w", name, err)
			}
			if it.sort == component.SortType {
				ds.push(it)
			}
			ci.add(name, it)
		}
	}
	return ci, nil
}

// nestedImport takes a nested component's import from its arguments.
func (b *builder) nestedImport(sc *scope, im component.Import, args map[string]item) error {
	it, ok := args[im.Name.Name]
	if !ok {
		return b.errorf(sc, "import %q is not supplied by the instantiation", im.Name.Name)
	}
	if it.sort != im.Type.Sort {
		return b.errorf(sc, "import %q: a %s is supplied where a %s is imported", im.Name.Name, it.sort, im.Type.Sort)
	}
	sc.push(it)
	return nil
}

func (sc *scope) typeAt(i uint32) (*tdef, error) {
	it, err := sc.get(component.SortType, i)
	if err != nil {
		return nil, err
	}
	if it.typ == nil {
		return nil, fmt.Errorf("type %d is not known", i)
	}
	return it.typ, nil
}

// newResource makes a resource type: a new KindResource TypeDef and its
// plan entry.
func (b *builder) newResource(name string, comp, dtor int, hostIface, hostName string) *tdef {
	id := wit.TypeID(len(b.p.resolve.Types))
	b.p.resolve.Types = append(b.p.resolve.Types, &wit.TypeDef{Name: name, Kind: wit.KindResource})
	ri := len(b.p.resources)
	b.p.resources = append(b.p.resources, planResource{name: name, comp: comp, dtor: dtor, hostIface: hostIface, hostName: hostName, typ: id})
	b.p.resourceOf[id] = ri
	return &tdef{val: wit.TypeOf(id), resource: ri}
}

// defineType converts a component type definition.
func (b *builder) defineType(sc *scope, t component.Type, name string) (*tdef, error) {
	b.ntypes++
	if b.ntypes > maxTypes {
		return nil, fmt.Errorf("more than %d type definitions", maxTypes)
	}
	switch t := t.(type) {
	case *component.DefinedType:
		v, err := b.definedType(sc, t)
		if err != nil {
			return nil, err
		}
		return &tdef{val: v, isVal: true, resource: -1}, nil
	case *component.FuncType:
		sig := &funcSig{}
		for _, p := range t.Params {
			v, err := b.valType(sc, p.Type)
			if err != nil {
				return nil, fmt.Errorf("parameter %q: %w", p.Name, err)
			}
			sig.names = append(sig.names, p.Name)
			sig.params = append(sig.params, v)
		}
		if t.Result != nil {
			v, err := b.valType(sc, *t.Result)
			if err != nil {
				return nil, fmt.Errorf("result: %w", err)
			}
			sig.result = v
			sig.results = []wit.Type{v}
		}
		sig.async = t.Async
		return &tdef{fn: sig, resource: -1}, nil
	case *component.ResourceType:
		dtor := -1
		if t.Dtor != nil {
			it, err := sc.coreItem(component.SortCoreFunc, *t.Dtor)
			if err != nil {
				return nil, fmt.Errorf("resource destructor: %w", err)
			}
			dtor = b.ref(it)
		}
		return b.newResource(name, sc.comp, dtor, "", ""), nil
	case *component.InstanceType:
		return &tdef{instType: t, scope: sc, resource: -1}, nil
	case *component.ComponentType:
		return &tdef{compType: t, scope: sc, resource: -1}, nil
	}
	return nil, fmt.Errorf("unknown type definition %T", t)
}

// ref returns the plan.refs index of a core item.
func (b *builder) ref(it coreItem) int {
	b.p.refs = append(b.p.refs, coreRef{item: it})
	return len(b.p.refs) - 1
}

var primTypes = map[component.PrimValType]wit.Type{
	component.Bool: wit.Bool, component.S8: wit.S8, component.U8: wit.U8,
	component.S16: wit.S16, component.U16: wit.U16, component.S32: wit.S32,
	component.U32: wit.U32, component.S64: wit.S64, component.U64: wit.U64,
	component.F32: wit.F32, component.F64: wit.F64, component.Char: wit.Char,
	component.String: wit.String, component.ErrorContext: wit.ErrorContext,
}

// valType converts a value type reference.
func (b *builder) valType(sc *scope, v component.ValType) (wit.Type, error) {
	if v.Prim != 0 {
		t, ok := primTypes[v.Prim]
		if !ok {
			return 0, fmt.Errorf("unknown primitive type 0x%x", byte(v.Prim))
		}
		return t, nil
	}
	td, err := sc.typeAt(v.Index)
	if err != nil {
		return 0, err
	}
	if !td.isVal {
		return 0, fmt.Errorf("type %d is not a value type", v.Index)
	}
	return td.val, nil
}

func (b *builder) optValType(sc *scope, v *component.ValType) (wit.Type, error) {
	if v == nil {
		return wit.NoneType, nil
	}
	return b.valType(sc, *v)
}

// definedType converts a defined value type into an anonymous TypeDef of
// the plan's Resolve (primitives need none).
func (b *builder) definedType(sc *scope, d *component.DefinedType) (wit.Type, error) {
	td := &wit.TypeDef{}
	var err error
	switch d.Kind {
	case component.KindPrimitive:
		return b.valType(sc, component.ValType{Prim: d.Prim})
	case component.KindRecord:
		td.Kind = wit.KindRecord
		for _, f := range d.Fields {
			t, e := b.valType(sc, f.Type)
			if e != nil {
				return 0, fmt.Errorf("field %q: %w", f.Name, e)
			}
			td.Fields = append(td.Fields, wit.Field{Name: f.Name, Type: t})
		}
	case component.KindVariant:
		td.Kind = wit.KindVariant
		for _, c := range d.Cases {
			t, e := b.optValType(sc, c.Type)
			if e != nil {
				return 0, fmt.Errorf("case %q: %w", c.Name, e)
			}
			td.Cases = append(td.Cases, wit.Case{Name: c.Name, Type: t})
		}
	case component.KindList:
		td.Kind = wit.KindList
		td.Elem, err = b.valType(sc, d.Elem)
	case component.KindFixedList:
		td.Kind = wit.KindFixedLengthList
		td.Len = d.Len
		td.Elem, err = b.valType(sc, d.Elem)
	case component.KindTuple:
		td.Kind = wit.KindTuple
		for _, v := range d.Types {
			t, e := b.valType(sc, v)
			if e != nil {
				return 0, e
			}
			td.Tuple = append(td.Tuple, t)
		}
	case component.KindFlags:
		td.Kind = wit.KindFlags
		for _, n := range d.Names {
			td.Flags = append(td.Flags, wit.Flag{Name: n})
		}
	case component.KindEnum:
		td.Kind = wit.KindEnum
		for _, n := range d.Names {
			td.Enum = append(td.Enum, wit.EnumCase{Name: n})
		}
	case component.KindOption:
		td.Kind = wit.KindOption
		td.Elem, err = b.valType(sc, d.Elem)
	case component.KindResult:
		td.Kind = wit.KindResult
		if td.Ok, err = b.optValType(sc, d.Ok); err == nil {
			td.Err, err = b.optValType(sc, d.Err)
		}
	case component.KindOwn, component.KindBorrow:
		td.Kind = wit.KindOwn
		if d.Kind == component.KindBorrow {
			td.Kind = wit.KindBorrow
		}
		rt, e := sc.typeAt(d.Resource)
		if e != nil {
			return 0, e
		}
		if rt.resource < 0 {
			return 0, fmt.Errorf("type %d is not a resource", d.Resource)
		}
		td.Resource = b.p.resources[rt.resource].typ
	case component.KindStream, component.KindFuture:
		td.Kind = wit.KindStream
		if d.Kind == component.KindFuture {
			td.Kind = wit.KindFuture
		}
		td.Elem, err = b.optValType(sc, d.Payload)
	case component.KindMap:
		td.Kind = wit.KindMap
		if td.Key, err = b.valType(sc, d.Key); err == nil {
			td.Elem, err = b.valType(sc, d.Elem)
		}
	default:
		return 0, fmt.Errorf("unknown defined type kind 0x%x", byte(d.Kind))
	}
	if err != nil {
		return 0, err
	}
	id := wit.TypeID(len(b.p.resolve.Types))
	b.p.resolve.Types = append(b.p.resolve.Types, td)
	return wit.TypeOf(id), nil
}

// options resolves canonical options.
func (b *builder) options(sc *scope, opts []component.CanonOpt) (*planOpts, error) {
	po := &planOpts{memory: -1, realloc: -1, postReturn: -1, callback: -1}
	for _, o := range opts {
		switch o.Kind {
		case component.OptUTF8:
			po.encoding = canon.UTF8
		case component.OptUTF16:
			po.encoding = canon.UTF16
		case component.OptLatin1UTF16:
			po.encoding = canon.Latin1UTF16
		case component.OptMemory:
			it, err := sc.coreItem(component.SortCoreMemory, o.Index)
			if err != nil {
				return nil, fmt.Errorf("memory option: %w", err)
			}
			if it.kind != coreFromInstance {
				return nil, fmt.Errorf("memory option: not a core instance's memory")
			}
			if it.typ.Memory.Is64 {
				po.addr = canon.Addr64
			}
			po.memory = b.ref(it)
		case component.OptRealloc:
			it, err := sc.coreItem(component.SortCoreFunc, o.Index)
			if err != nil {
				return nil, fmt.Errorf("realloc option: %w", err)
			}
			if it.kind != coreFromInstance {
				return nil, fmt.Errorf("realloc option: a runtime trampoline used as realloc is not supported")
			}
			po.realloc = b.ref(it)
		case component.OptPostReturn:
			it, err := sc.coreItem(component.SortCoreFunc, o.Index)
			if err != nil {
				return nil, fmt.Errorf("post-return option: %w", err)
			}
			if it.kind != coreFromInstance {
				return nil, fmt.Errorf("post-return option: a runtime trampoline used as post-return is not supported")
			}
			po.postReturn = b.ref(it)
		case component.OptAsync:
			po.async = true
		case component.OptCallback:
			it, err := sc.coreItem(component.SortCoreFunc, o.Index)
			if err != nil {
				return nil, fmt.Errorf("callback option: %w", err)
			}
			if it.kind != coreFromInstance {
				return nil, fmt.Errorf("callback option: a runtime trampoline used as callback is not supported")
			}
			po.callback = b.ref(it)
		default:
			return nil, fmt.Errorf("the %s option is not supported", o.Kind)
		}
	}
	return po, nil
}

// coreFuncType converts a flattened signature to a core function type.
func coreFuncType(ct canon.CoreFuncType) *wasm.FuncType {
	conv := func(ts []canon.CoreType) []wasm.ValType {
		out := make([]wasm.ValType, len(ts))
		for i, t := range ts {
			switch t {
			case canon.CoreI32:
				out[i] = wasm.ValI32
			case canon.CoreI64:
				out[i] = wasm.ValI64
			case canon.CoreF32:
				out[i] = wasm.ValF32
			default:
				out[i] = wasm.ValF64
			}
		}
		return out
	}
	return &wasm.FuncType{Params: conv(ct.Params), Results: conv(ct.Results)}
}

// canon handles one canonical definition.
func (b *builder) canon(sc *scope, c *component.Canon) error {
	switch c.Op {
	case component.CanonLift:
		core, err := sc.coreItem(component.SortCoreFunc, c.Func)
		if err != nil {
			return b.errorf(sc, "canon lift: %v", err)
		}
		td, err := sc.typeAt(c.Type)
		if err != nil || td.fn == nil {
			return b.errorf(sc, "canon lift: type %d is not a function type", c.Type)
		}
		opts, err := b.options(sc, c.Options)
		if err != nil {
			return b.errorf(sc, "canon lift: %v", err)
		}
		ct, err := b.p.abi.FlattenFuncType(td.fn.params, td.fn.result, canon.FuncTypeOptions{Async: opts.async, Callback: opts.callback >= 0}, canon.ContextLift)
		if err != nil {
			return b.errorf(sc, "canon lift: %v", err)
		}
		if opts.callback >= 0 && !opts.async {
			return b.errorf(sc, "canon lift: a callback needs the async option")
		}
		lf := &liftedFunc{id: b.p.nlifted, comp: sc.comp, opts: opts, sig: td.fn, coreType: ct, core: -1, coreTramp: -1,
			desc: fmt.Sprintf("function %d of %s", len(sc.funcs), b.p.compNames[sc.comp])}
		if core.kind == coreFromTramp {
			lf.coreTramp = core.tramp
		} else {
			lf.core = b.ref(core)
		}
		b.p.nlifted++
		sc.funcs = append(sc.funcs, item{sort: component.SortFunc, fn: &cfunc{lifted: lf, sig: td.fn}})
	case component.CanonLower:
		it, err := sc.get(component.SortFunc, c.Func)
		if err != nil {
			return b.errorf(sc, "canon lower: %v", err)
		}
		opts, err := b.options(sc, c.Options)
		if err != nil {
			return b.errorf(sc, "canon lower: %v", err)
		}
		f := it.fn
		if opts.async {
			// An async lower: the call becomes a subtask (async.go), run
			// through Go; fused adapters do not cover it.
			if f.lifted == nil {
				return b.errorf(sc, "canon lower: the async option on %s (a host import) is not supported", importDesc(f.hostIface, f.hostName))
			}
			ct, err := b.p.abi.FlattenFuncType(f.sig.params, f.sig.result, canon.FuncTypeOptions{Async: true}, canon.ContextLower)
			if err != nil {
				return b.errorf(sc, "canon lower: %v", err)
			}
			b.addTramp(sc, &planTramp{comp: sc.comp, core: ct, opts: opts, sig: f.sig, kind: trampLowerAsync, callee: f.lifted, desc: f.lifted.desc})
			return nil
		}
		if f.lifted != nil && !f.lifted.opts.async && !f.sig.async {
			if len(b.p.coreInsts) >= maxCoreInstances {
				return b.errorf(sc, "the component graph creates more than %d core instances", maxCoreInstances)
			}
			if a, ok := b.fuse(sc.comp, f.lifted); ok {
				sc.coreFuncs = append(sc.coreFuncs, a)
				return nil
			}
			if a, ok := b.fuseAny(sc.comp, f.lifted, opts); ok {
				sc.coreFuncs = append(sc.coreFuncs, a)
				return nil
			}
		}
		ct, err := b.p.abi.FlattenFuncType(f.sig.params, f.sig.result, canon.FuncTypeOptions{}, canon.ContextLower)
		if err != nil {
			return b.errorf(sc, "canon lower: %v", err)
		}
		t := &planTramp{comp: sc.comp, core: ct, opts: opts, sig: f.sig}
		if f.lifted != nil {
			t.kind, t.callee = trampLowerLifted, f.lifted
			if !f.lifted.opts.async && !f.sig.async {
				t.copy = planCopy(b.p.resolve, f.sig, opts, f.lifted, false)
			}
			t.desc = f.lifted.desc
		} else {
			t.kind, t.hostIface, t.hostName = trampLowerHost, f.hostIface, f.hostName
			t.desc = importDesc(f.hostIface, f.hostName)
		}
		b.addTramp(sc, t)
	case component.CanonResourceNew, component.CanonResourceDrop, component.CanonResourceRep:
		td, err := sc.typeAt(c.Type)
		if err != nil || td.resource < 0 {
			return b.errorf(sc, "canon %s: type %d is not a resource", c.Op, c.Type)
		}
		t := &planTramp{comp: sc.comp, resource: td.resource}
		i32 := []canon.CoreType{canon.CoreI32}
		switch c.Op {
		case component.CanonResourceNew:
			t.kind, t.core = trampResourceNew, canon.CoreFuncType{Params: i32, Results: i32}
		case component.CanonResourceDrop:
			t.kind, t.core = trampResourceDrop, canon.CoreFuncType{Params: i32}
		default:
			t.kind, t.core = trampResourceRep, canon.CoreFuncType{Params: i32, Results: i32}
		}
		t.desc = fmt.Sprintf("%s of resource %q", c.Op, b.p.resources[td.resource].name)
		b.addTramp(sc, t)
	case component.CanonContextGet, component.CanonContextSet:
		if c.Index > 1 {
			return b.errorf(sc, "canon %s: slot %d does not exist", c.Op, c.Index)
		}
		vt := []canon.CoreType{canon.CoreI32}
		if c.ValType == wasm.ValI64 {
			vt = []canon.CoreType{canon.CoreI64}
		}
		t := &planTramp{comp: sc.comp, slot: int(c.Index), kind: trampContextGet, core: canon.CoreFuncType{Results: vt}}
		if c.Op == component.CanonContextSet {
			t.kind, t.core = trampContextSet, canon.CoreFuncType{Params: vt}
		}
		t.desc = fmt.Sprintf("%s %d", c.Op, c.Index)
		if b.p.usesContext == nil {
			b.p.usesContext = map[int]bool{}
		}
		b.p.usesContext[sc.comp] = true
		b.addTramp(sc, t)
	case component.CanonBackpressureInc, component.CanonBackpressureDec:
		t := &planTramp{comp: sc.comp, kind: trampBackpressure, slot: 1, desc: c.Op.String()}
		if c.Op == component.CanonBackpressureDec {
			t.slot = -1
		}
		b.addTramp(sc, t)
	case component.CanonErrorContextNew, component.CanonErrorContextDebug, component.CanonErrorContextDrop:
		i32 := []canon.CoreType{canon.CoreI32}
		t := &planTramp{comp: sc.comp, desc: c.Op.String()}
		switch c.Op {
		case component.CanonErrorContextNew:
			t.kind, t.core = trampErrorContextNew, canon.CoreFuncType{Params: []canon.CoreType{canon.CoreI32, canon.CoreI32}, Results: i32}
		case component.CanonErrorContextDebug:
			t.kind, t.core = trampErrorContextDebug, canon.CoreFuncType{Params: []canon.CoreType{canon.CoreI32, canon.CoreI32}}
		default:
			t.kind, t.core = trampErrorContextDrop, canon.CoreFuncType{Params: i32}
		}
		if c.Op != component.CanonErrorContextDrop {
			opts, err := b.options(sc, c.Options)
			if err != nil {
				return b.errorf(sc, "canon %s: %v", c.Op, err)
			}
			if opts.memory < 0 {
				return b.errorf(sc, "canon %s: no memory option", c.Op)
			}
			t.opts = opts
		}
		b.addTramp(sc, t)
	case component.CanonThreadSpawnRef, component.CanonThreadSpawnIndirect, component.CanonThreadAvailableParallelism:
		return b.errorf(sc, "canon %s is not supported (shared-everything threads are not implemented)", c.Op)
	default:
		ct, err := b.asyncBuiltinType(sc, c)
		if err != nil {
			return b.errorf(sc, "canon %s: %v", c.Op, err)
		}
		if t, err := b.asyncBuiltin(sc, c, ct); err != nil {
			return b.errorf(sc, "canon %s: %v", c.Op, err)
		} else if t != nil {
			b.addTramp(sc, t)
			return nil
		}
		// Only an async task can use these; a synchronous one may still
		// call them (and must trap as the spec says when it may not leave).
		why := "needs the async runtime, which is not implemented"
		switch c.Op {
		case component.CanonTaskReturn, component.CanonTaskCancel:
			why = "called by a function that is not lifted async"
		}
		b.addTramp(sc, &planTramp{comp: sc.comp, kind: trampNeedsAsync, core: ct, desc: fmt.Sprintf("canon %s %s", c.Op, why)})
	}
	return nil
}

// asyncBuiltinType is the core function type of the async and thread
// built-ins, as the validator gives it.
func (b *builder) asyncBuiltinType(sc *scope, c *component.Canon) (canon.CoreFuncType, error) {
	i32, i64 := canon.CoreI32, canon.CoreI64
	sig := func(params []canon.CoreType, results ...canon.CoreType) canon.CoreFuncType {
		return canon.CoreFuncType{Params: params, Results: results}
	}
	one, two, three := []canon.CoreType{i32}, []canon.CoreType{i32, i32}, []canon.CoreType{i32, i32, i32}
	switch c.Op {
	case component.CanonTaskReturn:
		var params []wit.Type
		if c.Result != nil {
			t, err := b.valType(sc, *c.Result)
			if err != nil {
				return canon.CoreFuncType{}, err
			}
			params = []wit.Type{t}
		}
		ct, err := b.p.abi.FlattenFuncType(params, wit.NoneType, canon.FuncTypeOptions{}, canon.ContextLower)
		if err != nil {
			return canon.CoreFuncType{}, err
		}
		return sig(ct.Params), nil
	case component.CanonTaskCancel:
		return sig(nil), nil
	case component.CanonSubtaskDrop, component.CanonStreamDropReadable, component.CanonStreamDropWritable,
		component.CanonFutureDropReadable, component.CanonFutureDropWritable, component.CanonWaitableSetDrop,
		component.CanonThreadResumeLater:
		return sig(one), nil
	case component.CanonSubtaskCancel, component.CanonStreamCancelRead, component.CanonStreamCancelWrite,
		component.CanonFutureCancelRead, component.CanonFutureCancelWrite, component.CanonThreadSuspendThenResume,
		component.CanonThreadYieldThenResume, component.CanonThreadSuspendThenPromote, component.CanonThreadYieldThenPromote:
		return sig(one, i32), nil
	case component.CanonStreamNew, component.CanonFutureNew:
		return sig(nil, i64), nil
	case component.CanonStreamRead, component.CanonStreamWrite:
		return sig(three, i32), nil
	case component.CanonFutureRead, component.CanonFutureWrite, component.CanonThreadNewIndirect:
		return sig(two, i32), nil
	case component.CanonWaitableSetNew, component.CanonThreadYield, component.CanonThreadIndex, component.CanonThreadSuspend:
		return sig(nil, i32), nil
	case component.CanonWaitableSetWait, component.CanonWaitableSetPoll:
		m, err := sc.coreItem(component.SortCoreMemory, c.Index)
		if err != nil {
			return canon.CoreFuncType{}, err
		}
		if m.typ.Memory.Is64 {
			return sig([]canon.CoreType{i32, i64}, i32), nil
		}
		return sig(two, i32), nil
	case component.CanonWaitableJoin:
		return sig(two), nil
	}
	return canon.CoreFuncType{}, fmt.Errorf("not supported")
}

func (b *builder) addTramp(sc *scope, t *planTramp) {
	idx := len(b.p.tramps)
	b.p.tramps = append(b.p.tramps, t)
	ft := coreFuncType(t.core)
	sc.coreFuncs = append(sc.coreFuncs, coreItem{kind: coreFromTramp, ext: wasm.ExternFunc, tramp: idx, ftype: ft,
		typ: wasm.ExternType{Kind: wasm.ExternFunc}})
}

// importDesc names a host import for messages.
func importDesc(iface, name string) string {
	if iface == "" {
		return fmt.Sprintf("import %q", name)
	}
	return fmt.Sprintf("import %q of %q", name, iface)
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// renameEmptyModule rewrites the import section of a module that imports
// from the module name "" (wazero rejects empty module names) so that it
// uses a name of its own instead, recorded in emptyAs.
func renameEmptyModule(pm *planModule) error {
	used := map[string]bool{}
	empty := false
	for _, im := range pm.info.Imports {
		used[im.Module] = true
		empty = empty || im.Module == ""
	}
	if !empty {
		return nil
	}
	name := "wasmcm:empty"
	for used[name] {
		name += "_"
	}
	pm.emptyAs = name
	r := wasm.NewReader(pm.bytes, 0)
	head, err := r.Bytes(8)
	if err != nil {
		return err
	}
	out := append([]byte(nil), head...)
	for !r.EOF() {
		id, err := r.Byte()
		if err != nil {
			return err
		}
		body, err := r.Sub("section")
		if err != nil {
			return err
		}
		if id != wasm.SecImport {
			out = append(out, id)
			out = wasm.AppendU32(out, uint32(body.Remaining()))
			out = append(out, body.Rest()...)
			continue
		}
		sec := wasm.AppendU32(nil, uint32(len(pm.info.Imports)))
		for _, im := range pm.info.Imports {
			if im.Module == "" {
				im.Module = name
			}
			sec = wasm.AppendImport(sec, im)
		}
		out = append(out, id)
		out = wasm.AppendU32(out, uint32(len(sec)))
		out = append(out, sec...)
	}
	pm.bytes = out
	return nil
}

// asyncBuiltin plans the async built-ins async.go implements; nil for
// the others.
func (b *builder) asyncBuiltin(sc *scope, c *component.Canon, ct canon.CoreFuncType) (*planTramp, error) {
	t := &planTramp{comp: sc.comp, kind: trampAsync, core: ct, op: c.Op, mem: -1, desc: fmt.Sprintf("canon %s", c.Op)}
	switch c.Op {
	case component.CanonTaskReturn:
		opts, err := b.options(sc, c.Options)
		if err != nil {
			return nil, err
		}
		sig := &funcSig{}
		if c.Result != nil {
			v, err := b.valType(sc, *c.Result)
			if err != nil {
				return nil, err
			}
			sig.result, sig.results = v, []wit.Type{v}
		}
		t.opts, t.sig = opts, sig
	case component.CanonWaitableSetWait, component.CanonWaitableSetPoll:
		m, err := sc.coreItem(component.SortCoreMemory, c.Index)
		if err != nil {
			return nil, err
		}
		if m.kind != coreFromInstance {
			return nil, fmt.Errorf("memory: not a core instance's memory")
		}
		if m.typ.Memory.Is64 {
			return nil, fmt.Errorf("a 64-bit memory is not supported")
		}
		t.mem = b.ref(m)
		t.async = c.Flag // cancellable
	case component.CanonWaitableSetNew, component.CanonWaitableSetDrop, component.CanonWaitableJoin,
		component.CanonSubtaskDrop, component.CanonTaskCancel:
	case component.CanonSubtaskCancel, component.CanonThreadYield:
		// subtask.cancel's async flag, thread.yield's cancellable one.
		t.async = c.Flag
	case component.CanonStreamNew, component.CanonStreamRead, component.CanonStreamWrite,
		component.CanonStreamCancelRead, component.CanonStreamCancelWrite,
		component.CanonStreamDropReadable, component.CanonStreamDropWritable,
		component.CanonFutureNew, component.CanonFutureRead, component.CanonFutureWrite,
		component.CanonFutureCancelRead, component.CanonFutureCancelWrite,
		component.CanonFutureDropReadable, component.CanonFutureDropWritable:
		st, err := b.valType(sc, component.ValType{Index: c.Type})
		if err != nil {
			return nil, err
		}
		id, ok := st.ID()
		if !ok || int(id) >= len(b.p.resolve.Types) {
			return nil, fmt.Errorf("type %d is not a stream or future", c.Type)
		}
		td := b.p.resolve.Types[id]
		if td.Kind != wit.KindStream && td.Kind != wit.KindFuture {
			return nil, fmt.Errorf("type %d is not a stream or future", c.Type)
		}
		t.elem, t.async = td.Elem, c.Flag
		opts, err := b.options(sc, c.Options)
		if err != nil {
			return nil, err
		}
		t.opts = opts
	default:
		return nil, nil
	}
	return t, nil
}
