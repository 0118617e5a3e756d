package component

import (
	"fmt"
	"slices"

	"github.com/wasmcm/wasmcm/internal/wasm"
)

// This file reduces an adapter module to what the component needs, as
// wit-component's gc.rs does: only the required exports stay, and only what
// they reach (functions, globals, types, the memory, and so imports) is
// kept. It also gives the adapter its shadow stack: an adapter with a
// mutable i32 global named __stack_pointer gets a start function (or, with
// an allocation_state global and a realloc from the main module, a lazy
// allocation on entry to each export) that allocates one page for it.

const adapterPage = 64 * 1024

type gcDef struct {
	imported     bool
	module, name string
}

type gcFunc struct {
	gcDef
	typ  uint32
	body []byte // locals and instructions
	off  int
}

type gcGlobal struct {
	gcDef
	typ  wasm.GlobalType
	init []byte
	off  int
}

type gcTable struct {
	gcDef
	typ wasm.TableType
}

type gcMemory struct {
	gcDef
	typ wasm.MemoryType
}

// gcModule is an adapter as the GC sees it. Adapters have no data or element
// segments and no start function, which keeps this small.
type gcModule struct {
	types   []wasm.FuncType
	funcs   []gcFunc
	tables  []gcTable
	mems    []gcMemory
	globals []gcGlobal
	exports []wasm.Export

	funcNames, globalNames map[uint32]string
	producers              []byte

	liveTypes, liveFuncs, liveTables, liveGlobals, liveMems []bool
	work                                                    []func() error
}

func parseAdapter(b []byte) (*gcModule, error) {
	if !wasm.IsModule(b) {
		return nil, fmt.Errorf("adapter must be a core wasm module, not a component")
	}
	m := &gcModule{funcNames: map[uint32]string{}, globalNames: map[uint32]string{}}
	r := wasm.NewReader(b[8:], 8)
	nextCode := -1
	for !r.EOF() {
		id, _ := r.Byte()
		sec, err := r.Sub(fmt.Sprintf("section %d", id))
		if err != nil {
			return nil, err
		}
		if id == wasm.SecCustom {
			name, err := sec.Name()
			if err != nil {
				return nil, err
			}
			switch name {
			case "name":
				m.readNames(sec.Rest()) // errors in names are ignored, as the reference does
			case "producers":
				m.producers = sec.Rest()
			}
			continue
		}
		var n int
		if id != wasm.SecStart && id != wasm.SecDataCount {
			if n, err = sec.Count("entries"); err != nil {
				return nil, err
			}
		}
		switch id {
		case wasm.SecType:
			for range n {
				g, err := sec.ReadRecGroup()
				if err != nil {
					return nil, err
				}
				for _, st := range g.Types {
					if st.Kind != wasm.CompFunc {
						return nil, fmt.Errorf("adapter: only function types are supported")
					}
					m.types = append(m.types, st.Func)
				}
			}
		case wasm.SecImport:
			for range n {
				im, err := sec.ReadImport()
				if err != nil {
					return nil, err
				}
				d := gcDef{imported: true, module: im.Module, name: im.Name}
				switch im.Type.Kind {
				case wasm.ExternFunc:
					m.funcs = append(m.funcs, gcFunc{gcDef: d, typ: im.Type.Index})
				case wasm.ExternTable:
					m.tables = append(m.tables, gcTable{gcDef: d, typ: im.Type.Table})
				case wasm.ExternMemory:
					m.mems = append(m.mems, gcMemory{gcDef: d, typ: im.Type.Memory})
				case wasm.ExternGlobal:
					m.globals = append(m.globals, gcGlobal{gcDef: d, typ: im.Type.Global})
				default:
					return nil, fmt.Errorf("adapter: unsupported import kind of `%s::%s`", im.Module, im.Name)
				}
			}
		case wasm.SecFunction:
			nextCode = len(m.funcs)
			for range n {
				t, err := sec.U32()
				if err != nil {
					return nil, err
				}
				m.funcs = append(m.funcs, gcFunc{typ: t})
			}
		case wasm.SecTable:
			for range n {
				if c, _ := sec.Peek(); c == 0x40 {
					return nil, fmt.Errorf("adapter: tables with initializers are not supported")
				}
				t, err := sec.ReadTableType()
				if err != nil {
					return nil, err
				}
				m.tables = append(m.tables, gcTable{typ: t})
			}
		case wasm.SecMemory:
			for range n {
				t, err := sec.ReadMemoryType()
				if err != nil {
					return nil, err
				}
				m.mems = append(m.mems, gcMemory{typ: t})
			}
		case wasm.SecGlobal:
			for range n {
				t, err := sec.ReadGlobalType()
				if err != nil {
					return nil, err
				}
				off := sec.Offset()
				if err := sec.SkipConstExpr(); err != nil {
					return nil, err
				}
				init := b[off:sec.Offset()] // offsets count from the module's start
				m.globals = append(m.globals, gcGlobal{typ: t, init: init, off: off})
			}
		case wasm.SecExport:
			for range n {
				name, err := sec.Name()
				if err != nil {
					return nil, err
				}
				k, err := sec.Byte()
				if err != nil {
					return nil, err
				}
				idx, err := sec.U32()
				if err != nil {
					return nil, err
				}
				m.exports = append(m.exports, wasm.Export{Name: name, Kind: wasm.ExternKind(k), Index: idx})
			}
		case wasm.SecCode:
			if nextCode < 0 || n != len(m.funcs)-nextCode {
				return nil, fmt.Errorf("adapter: function and code section counts differ")
			}
			for i := range n {
				body, err := sec.Sub("function body")
				if err != nil {
					return nil, err
				}
				m.funcs[nextCode+i].off = body.Offset()
				m.funcs[nextCode+i].body = body.Rest()
			}
		default:
			return nil, fmt.Errorf("unsupported section %d in adapter", id)
		}
		if !sec.EOF() {
			return nil, sec.Errorf("section %d has %d bytes after its last entry", id, sec.Remaining())
		}
	}
	for i, f := range m.funcs {
		if !f.imported && f.body == nil {
			return nil, fmt.Errorf("adapter: function %d has no body", i)
		}
		if int(f.typ) >= len(m.types) {
			return nil, fmt.Errorf("adapter: function %d has type %d out of range", i, f.typ)
		}
	}
	m.liveTypes = make([]bool, len(m.types))
	m.liveFuncs = make([]bool, len(m.funcs))
	m.liveTables = make([]bool, len(m.tables))
	m.liveGlobals = make([]bool, len(m.globals))
	m.liveMems = make([]bool, len(m.mems))
	return m, nil
}

// readNames reads the function and global names of a "name" section.
func (m *gcModule) readNames(data []byte) {
	r := wasm.NewReader(data, 0)
	for !r.EOF() {
		id, err := r.Byte()
		if err != nil {
			return
		}
		sub, err := r.Sub("name subsection")
		if err != nil {
			return
		}
		if id != 1 && id != 7 {
			continue
		}
		n, err := sub.Count("names")
		if err != nil {
			return
		}
		for range n {
			idx, err := sub.U32()
			if err != nil {
				return
			}
			name, err := sub.Name()
			if err != nil {
				return
			}
			if id == 1 {
				m.funcNames[idx] = name
			} else {
				m.globalNames[idx] = name
			}
		}
	}
}

func (m *gcModule) markType(i uint32) (uint32, error) {
	if int64(i) >= int64(len(m.types)) {
		return 0, fmt.Errorf("adapter: type %d out of range", i)
	}
	if !m.liveTypes[i] {
		m.liveTypes[i] = true
		for _, v := range slices.Concat(m.types[i].Params, m.types[i].Results) {
			if v.Heap.Abstract == 0 && (v.Code == wasm.Ref || v.Code == wasm.RefNull) {
				if _, err := m.markType(v.Heap.Index); err != nil {
					return 0, err
				}
			}
		}
	}
	return i, nil
}

func (m *gcModule) markFunc(i uint32) (uint32, error) {
	if int64(i) >= int64(len(m.funcs)) {
		return 0, fmt.Errorf("adapter: function %d out of range", i)
	}
	if !m.liveFuncs[i] {
		m.liveFuncs[i] = true
		m.work = append(m.work, func() error {
			f := &m.funcs[i]
			if _, err := m.markType(f.typ); err != nil {
				return err
			}
			if f.imported {
				return nil
			}
			w := &opWriter{r: wasm.NewReader(f.body, f.off), m: m.marker()}
			if err := w.locals(); err != nil {
				return err
			}
			return w.ops()
		})
	}
	return i, nil
}

func (m *gcModule) markGlobal(i uint32) (uint32, error) {
	if int64(i) >= int64(len(m.globals)) {
		return 0, fmt.Errorf("adapter: global %d out of range", i)
	}
	if !m.liveGlobals[i] {
		m.liveGlobals[i] = true
		if g := &m.globals[i]; !g.imported {
			m.work = append(m.work, func() error {
				w := &opWriter{r: wasm.NewReader(g.init, g.off), m: m.marker()}
				return w.ops()
			})
		}
	}
	return i, nil
}

func (m *gcModule) markTable(i uint32) (uint32, error) {
	if int64(i) >= int64(len(m.tables)) {
		return 0, fmt.Errorf("adapter: table %d out of range", i)
	}
	m.liveTables[i] = true
	return i, nil
}

func (m *gcModule) markMem(i uint32) (uint32, error) {
	if int64(i) >= int64(len(m.mems)) {
		return 0, fmt.Errorf("adapter: memory %d out of range", i)
	}
	m.liveMems[i] = true
	return i, nil
}

func (m *gcModule) marker() *opIndexMap {
	return &opIndexMap{typ: m.markType, fn: m.markFunc, table: m.markTable, global: m.markGlobal, mem: m.markMem}
}

// liveness marks everything the exports reach.
func (m *gcModule) liveness() error {
	for _, e := range m.exports {
		var err error
		switch e.Kind {
		case wasm.ExternFunc:
			_, err = m.markFunc(e.Index)
		case wasm.ExternGlobal:
			_, err = m.markGlobal(e.Index)
		case wasm.ExternTable:
			_, err = m.markTable(e.Index)
		case wasm.ExternMemory:
			_, err = m.markMem(e.Index)
		default:
			err = fmt.Errorf("adapter: unsupported export kind of `%s`", e.Name)
		}
		if err != nil {
			return err
		}
	}
	for len(m.work) > 0 {
		f := m.work[len(m.work)-1]
		m.work = m.work[:len(m.work)-1]
		if err := f(); err != nil {
			return err
		}
	}
	return nil
}

// findMutI32Global finds the live mutable i32 global with the given name.
func (m *gcModule) findMutI32Global(name string) (int, error) {
	found := -1
	for i, g := range m.globals {
		if m.liveGlobals[i] && g.typ.Mutable && g.typ.Val == wasm.ValI32 && m.globalNames[uint32(i)] == name {
			if found >= 0 {
				return -1, fmt.Errorf("found more than one mutable i32 global with name %s", name)
			}
			found = i
		}
	}
	return found, nil
}

// indexMap is an old → new map of one index space.
type indexMap struct {
	to   []int64
	next uint32
}

func newIndexMap(n int) *indexMap {
	m := &indexMap{to: make([]int64, n)}
	for i := range m.to {
		m.to[i] = -1
	}
	return m
}

func (im *indexMap) push(old int) {
	im.to[old] = int64(im.next)
	im.next++
}

func (im *indexMap) remap(old uint32) (uint32, error) {
	if int64(old) >= int64(len(im.to)) || im.to[old] < 0 {
		return 0, fmt.Errorf("adapter GC: index %d is not live", old)
	}
	return uint32(im.to[old]), nil
}

func isMainRealloc(d gcDef) bool {
	return d.imported && d.module == "__main_module__" && (d.name == "canonical_abi_realloc" || d.name == "cabi_realloc")
}

// gcAdapter reduces the adapter b to the exports named in required.
// mainRealloc is the realloc the main module exports for the adapter, or ""
// when the adapter must grow memory itself.
func gcAdapter(b []byte, required []string, mainRealloc string) ([]byte, error) {
	m, err := parseAdapter(b)
	if err != nil {
		return nil, err
	}
	var kept []wasm.Export
	for _, name := range required {
		if !slices.ContainsFunc(m.exports, func(e wasm.Export) bool { return e.Name == name }) {
			return nil, fmt.Errorf("adapter module does not have export `%s`", name)
		}
	}
	for _, e := range m.exports {
		if slices.Contains(required, e.Name) {
			kept = append(kept, e)
		}
	}
	m.exports = kept
	if err := m.liveness(); err != nil {
		return nil, err
	}
	return m.encode(mainRealloc)
}

func (m *gcModule) encode(mainRealloc string) ([]byte, error) {
	types, funcs, tables, globals, mems := newIndexMap(len(m.types)), newIndexMap(len(m.funcs)),
		newIndexMap(len(m.tables)), newIndexMap(len(m.globals)), newIndexMap(len(m.mems))
	mapper := &opIndexMap{typ: types.remap, fn: funcs.remap, table: tables.remap, global: globals.remap, mem: mems.remap}

	var outTypes []wasm.FuncType
	emptyType := int64(-1)
	for i, t := range m.types {
		if !m.liveTypes[i] {
			continue
		}
		types.push(i)
		var nt wasm.FuncType
		var err error
		if nt.Params, err = remapValTypes(t.Params, types); err != nil {
			return nil, err
		}
		if nt.Results, err = remapValTypes(t.Results, types); err != nil {
			return nil, err
		}
		if len(t.Params) == 0 && len(t.Results) == 0 {
			emptyType = int64(len(outTypes))
		}
		outTypes = append(outTypes, nt)
	}
	addType := func(params, results []wasm.ValType) uint32 {
		outTypes = append(outTypes, wasm.FuncType{Params: params, Results: results})
		return uint32(len(outTypes) - 1)
	}
	i32 := wasm.ValI32
	reallocType := func() uint32 { return addType([]wasm.ValType{i32, i32, i32, i32}, []wasm.ValType{i32}) }

	// Growing memory for a realloc needs the memory even when nothing else
	// uses it.
	if sp, _ := m.findMutI32Global("__stack_pointer"); len(m.mems) > 0 && !slices.Contains(m.liveMems, true) {
		state, _ := m.findMutI32Global("allocation_state")
		grows := sp >= 0 && (mainRealloc == "" || state < 0)
		for i, f := range m.funcs {
			grows = grows || (m.liveFuncs[i] && isMainRealloc(f.gcDef) && mainRealloc == "")
		}
		if grows {
			m.liveMems[0] = true
		}
	}
	var imports []wasm.Import
	numMems := 0
	var localMems []wasm.MemoryType
	for i, mem := range m.mems {
		if !m.liveMems[i] {
			continue
		}
		mems.push(i)
		numMems++
		if mem.imported {
			imports = append(imports, wasm.Import{Module: mem.module, Name: mem.name, Type: wasm.ExternType{Kind: wasm.ExternMemory, Memory: mem.typ}})
		} else {
			localMems = append(localMems, mem.typ)
		}
	}
	for i, t := range m.tables {
		if m.liveTables[i] {
			return nil, fmt.Errorf("tables should not be present in the final adapter module")
		}
		_ = t
	}
	var outGlobals []wasm.Global
	for i, g := range m.globals {
		if !m.liveGlobals[i] {
			continue
		}
		globals.push(i)
		if g.imported {
			imports = append(imports, wasm.Import{Module: g.module, Name: g.name, Type: wasm.ExternType{Kind: wasm.ExternGlobal, Global: g.typ}})
			continue
		}
	}
	realloc := int64(-1)
	numFuncImports := uint32(0)
	type funcOut struct {
		typ  uint32
		body []byte // nil: a body to write from the original
		src  int    // original index, or -1
	}
	var locals []funcOut
	var names []nameEntry
	for i, f := range m.funcs {
		if !m.liveFuncs[i] || !f.imported || (isMainRealloc(f.gcDef) && mainRealloc == "") {
			continue
		}
		funcs.push(i)
		t, _ := types.remap(f.typ)
		name := f.name
		if isMainRealloc(f.gcDef) {
			realloc, name = int64(numFuncImports), mainRealloc
		}
		imports = append(imports, wasm.Import{Module: f.module, Name: name, Type: wasm.ExternType{Kind: wasm.ExternFunc, Index: t}})
		numFuncImports++
	}
	sp, err := m.findMutI32Global("__stack_pointer")
	if err != nil {
		return nil, err
	}
	state, err := m.findMutI32Global("allocation_state")
	if err != nil {
		return nil, err
	}
	if mainRealloc != "" && sp >= 0 && realloc < 0 {
		// The adapter needs a stack but does not import the main module's
		// realloc: import it for allocate_stack.
		funcs.next++
		realloc = int64(numFuncImports)
		imports = append(imports, wasm.Import{Module: "__main_module__", Name: mainRealloc, Type: wasm.ExternType{Kind: wasm.ExternFunc, Index: reallocType()}})
		names = append(names, nameEntry{uint32(numFuncImports), mainRealloc})
		numFuncImports++
	}
	for i, f := range m.funcs {
		if !m.liveFuncs[i] || (f.imported && !(isMainRealloc(f.gcDef) && mainRealloc == "")) {
			continue
		}
		funcs.push(i)
		t, _ := types.remap(f.typ)
		if f.imported {
			// The adapter imports the main module's realloc, which does
			// not have one: grow memory instead.
			realloc = int64(numFuncImports) + int64(len(locals))
			locals = append(locals, funcOut{typ: t, body: reallocViaMemoryGrow(), src: -1})
			continue
		}
		locals = append(locals, funcOut{typ: t, src: i})
	}
	lazyInit := int64(-1)
	if sp >= 0 && state >= 0 && mainRealloc != "" {
		lazyInit = int64(numFuncImports) + int64(len(locals))
		funcs.next++
		locals = append(locals, funcOut{typ: addType(nil, nil), src: -1})
	}
	// Global initialisers are mapped once every global has its index.
	for i, g := range m.globals {
		if !m.liveGlobals[i] || g.imported {
			continue
		}
		w := &opWriter{r: wasm.NewReader(g.init, g.off), m: mapper}
		if err := w.ops(); err != nil {
			return nil, err
		}
		outGlobals = append(outGlobals, wasm.Global{Type: g.typ, Init: w.out})
	}

	exported := map[uint32]bool{}
	for _, e := range m.exports {
		if e.Kind == wasm.ExternFunc {
			exported[e.Index] = true
		}
	}
	var spNew, stateNew int64 = -1, -1
	if sp >= 0 {
		v, _ := globals.remap(uint32(sp))
		spNew = int64(v)
	}
	if state >= 0 {
		v, _ := globals.remap(uint32(state))
		stateNew = int64(v)
	}
	for k := range locals {
		lo := &locals[k]
		if lo.src < 0 {
			continue
		}
		f := &m.funcs[lo.src]
		w := &opWriter{r: wasm.NewReader(f.body, f.off), m: mapper}
		if err := w.locals(); err != nil {
			return nil, err
		}
		if lazyInit >= 0 && exported[uint32(lo.src)] {
			w.out = wasm.AppendU32(append(w.out, 0x10), uint32(lazyInit))
		}
		if err := w.ops(); err != nil {
			return nil, err
		}
		lo.body = w.out
	}
	if lazyInit >= 0 {
		locals[lazyInit-int64(numFuncImports)].body = allocateStack(uint32(realloc), uint32(spNew), stateNew)
	}
	if sp >= 0 && (realloc < 0 || state < 0) {
		realloc = int64(numFuncImports) + int64(len(locals))
		locals = append(locals, funcOut{typ: reallocType(), body: reallocViaMemoryGrow(), src: -1})
	}
	var start *uint32
	if sp >= 0 && lazyInit < 0 && numMems > 0 {
		if numMems != 1 {
			return nil, fmt.Errorf("adapter modules don't support multi-memory")
		}
		t := uint32(0)
		if emptyType >= 0 {
			t = uint32(emptyType)
		} else {
			t = addType(nil, nil)
		}
		idx := numFuncImports + uint32(len(locals))
		names = append(names, nameEntry{idx, "allocate_stack"})
		locals = append(locals, funcOut{typ: t, body: allocateStack(uint32(realloc), uint32(spNew), stateNew), src: -1})
		start = &idx
	}
	if numMems > 1 {
		return nil, fmt.Errorf("the adapter module should not use multi-memory")
	}
	if len(localMems) > 0 {
		return nil, fmt.Errorf("locally-defined memories are not allowed define a local memory")
	}

	var exports []wasm.Export
	for _, e := range m.exports {
		var idx uint32
		var err error
		switch e.Kind {
		case wasm.ExternFunc:
			idx, err = funcs.remap(e.Index)
		case wasm.ExternGlobal:
			idx, err = globals.remap(e.Index)
		case wasm.ExternMemory:
			idx, err = mems.remap(e.Index)
		default:
			err = fmt.Errorf("unsupported export kind of `%s`", e.Name)
		}
		if err != nil {
			return nil, err
		}
		exports = append(exports, wasm.Export{Name: e.Name, Kind: e.Kind, Index: idx})
	}

	for i := range m.funcs {
		if name, ok := m.funcNames[uint32(i)]; ok && m.liveFuncs[i] {
			if v, err := funcs.remap(uint32(i)); err == nil {
				names = append(names, nameEntry{v, name})
			}
		}
	}
	if realloc >= 0 && (mainRealloc == "" || state < 0) {
		names = append(names, nameEntry{uint32(realloc), "realloc_via_memory_grow"})
	}
	if lazyInit >= 0 {
		names = append(names, nameEntry{uint32(lazyInit), "allocate_stack"})
	}
	var gnames []nameEntry
	for i := range m.globals {
		if name, ok := m.globalNames[uint32(i)]; ok && m.liveGlobals[i] {
			v, _ := globals.remap(uint32(i))
			gnames = append(gnames, nameEntry{v, name})
		}
	}

	// Writing the module.
	out := append(append([]byte{}, wasm.Magic...), wasm.ModuleVersion...)
	section := func(id byte, body []byte) {
		out = append(out, id)
		out = wasm.AppendU32(out, uint32(len(body)))
		out = append(out, body...)
	}
	var s []byte
	if len(outTypes) > 0 {
		s = wasm.AppendU32(nil, uint32(len(outTypes)))
		for _, t := range outTypes {
			st := wasm.SubType{Final: true, Kind: wasm.CompFunc, Func: t}
			s = wasm.AppendSubType(s, &st)
		}
		section(wasm.SecType, s)
	}
	if len(imports) > 0 {
		s = wasm.AppendU32(nil, uint32(len(imports)))
		for _, im := range imports {
			s = wasm.AppendImport(s, im)
		}
		section(wasm.SecImport, s)
	}
	if len(locals) > 0 {
		s = wasm.AppendU32(nil, uint32(len(locals)))
		for _, f := range locals {
			s = wasm.AppendU32(s, f.typ)
		}
		section(wasm.SecFunction, s)
	}
	if len(outGlobals) > 0 {
		s = wasm.AppendU32(nil, uint32(len(outGlobals)))
		for _, g := range outGlobals {
			s = append(wasm.AppendGlobalType(s, g.Type), g.Init...)
		}
		section(wasm.SecGlobal, s)
	}
	if len(exports) > 0 {
		s = wasm.AppendU32(nil, uint32(len(exports)))
		for _, e := range exports {
			s = wasm.AppendU32(append(wasm.AppendName(s, e.Name), byte(e.Kind)), e.Index)
		}
		section(wasm.SecExport, s)
	}
	if start != nil {
		section(wasm.SecStart, wasm.AppendU32(nil, *start))
	}
	if len(locals) > 0 {
		s = wasm.AppendU32(nil, uint32(len(locals)))
		for _, f := range locals {
			s = append(wasm.AppendU32(s, uint32(len(f.body))), f.body...)
		}
		section(wasm.SecCode, s)
	}
	if len(names) > 0 || len(gnames) > 0 {
		var ns []byte
		for _, sub := range []struct {
			id   byte
			list []nameEntry
		}{{1, names}, {7, gnames}} {
			if len(sub.list) == 0 {
				continue
			}
			slices.SortStableFunc(sub.list, func(a, b nameEntry) int { return int(a.idx) - int(b.idx) })
			sub.list = slices.CompactFunc(sub.list, func(a, b nameEntry) bool { return a.idx == b.idx })
			body := wasm.AppendU32(nil, uint32(len(sub.list)))
			for _, e := range sub.list {
				body = wasm.AppendName(wasm.AppendU32(body, e.idx), e.name)
			}
			ns = append(ns, sub.id)
			ns = append(wasm.AppendU32(ns, uint32(len(body))), body...)
		}
		section(wasm.SecCustom, append(wasm.AppendName(nil, "name"), ns...))
	}
	if m.producers != nil {
		section(wasm.SecCustom, append(wasm.AppendName(nil, "producers"), m.producers...))
	}
	return out, nil
}

// remapValTypes maps the concrete heap types of a list of value types.
func remapValTypes(list []wasm.ValType, types *indexMap) ([]wasm.ValType, error) {
	out := slices.Clone(list)
	for i, v := range out {
		if v.Heap.Abstract == 0 && (v.Code == wasm.Ref || v.Code == wasm.RefNull) {
			idx, err := types.remap(v.Heap.Index)
			if err != nil {
				return nil, err
			}
			out[i].Heap.Index = idx
		}
	}
	return out, nil
}

type nameEntry struct {
	idx  uint32
	name string
}

// reallocViaMemoryGrow is a realloc that only hands out fresh pages: it
// traps unless asked for exactly one new page, which it gets by growing
// memory 0.
func reallocViaMemoryGrow() []byte {
	var c wasm.Code
	trapUnless := func(v int32, local uint32) {
		c.I32Const(v).LocalGet(local).Op(0x47).If(wasm.BlockEmpty).Unreachable().End() // i32.ne
	}
	trapUnless(0, 0)
	trapUnless(0, 1)
	trapUnless(adapterPage, 3)
	c.I32Const(1).MemoryGrow(0).LocalTee(4)
	c.I32Const(-1).Op(0x46).If(wasm.BlockEmpty).Unreachable().End() // i32.eq
	c.LocalGet(4).I32Const(16).Op(0x74).End()                       // i32.shl
	return append([]byte{0x01, 0x01, wasm.I32}, c.Bytes()...)
}

// allocateStack sets the stack pointer global to the end of a fresh page
// from realloc; with a state global (>= 0) it runs only once, and marks
// the allocation under way so that a realloc calling back into the adapter
// can tell.
func allocateStack(realloc, sp uint32, state int64) []byte {
	var c wasm.Code
	if state >= 0 {
		c.GlobalGet(uint32(state)).I32Const(0).Op(0x46).If(wasm.BlockEmpty)
		c.I32Const(1).GlobalSet(uint32(state))
	}
	c.I32Const(0).I32Const(0).I32Const(8).I32Const(adapterPage).Call(realloc)
	c.I32Const(adapterPage).Op(0x6a).GlobalSet(sp) // i32.add
	if state >= 0 {
		c.I32Const(2).GlobalSet(uint32(state)).End()
	}
	c.End()
	return append([]byte{0x00}, c.Bytes()...)
}
