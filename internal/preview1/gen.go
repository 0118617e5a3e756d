package preview1

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/wasm"
	"github.com/wasmcm/wasmcm/wit"
)

// Flavor says which kind of main module the adapter serves.
type Flavor uint8

// The two flavours of the reference adapter: a command exports
// wasi:cli/run, which calls the main module's _start; a reactor exports
// only the preview-1 functions.
const (
	Command Flavor = iota
	Reactor
)

// String names the flavour as wit-component's adapters are named.
func (f Flavor) String() string {
	if f == Reactor {
		return "reactor"
	}
	return "command"
}

// Options configure Generate.
type Options struct {
	Flavor Flavor
	// StateAddr is where in the main module's memory the adapter keeps its
	// state (file table, preopen names, return areas, scratch space for
	// lists the host returns): StateSize bytes that the main module never
	// touches. Zero means the adapter takes one fresh page with memory.grow
	// on its first call, as the reference adapter does when the main module
	// has no cabi_realloc; that is wrong for runtimes that assume nobody else
	// grows memory (Go), which is why OptionsFor picks an address for those.
	StateAddr uint32
	// StateSize is the size of the region at StateAddr (ignored when
	// StateAddr is zero); at least MinStateSize.
	StateSize uint32
}

// MinStateSize is the smallest state region Generate accepts.
const MinStateSize = 4096

// goStateAddr and goStateSize name the hole the Go linker leaves for
// wasm_exec.js between the zero page and the data (cmd/link's
// wasmMinDataAddr): never written by a wasip1 program.
const (
	goStateAddr = 4096
	goStateSize = 8192
)

// OptionsFor returns the options that suit module: a command when it exports
// _start, else a reactor; the state in the Go linker's unused low memory
// when module was built by Go (it carries a go:buildid section), else in a
// page of its own.
func OptionsFor(module []byte) (Options, error) {
	info, err := wasm.ReadModule(module, 0)
	if err != nil {
		return Options{}, fmt.Errorf("preview1 adapter: the main module is not valid: %w", err)
	}
	o := Options{Flavor: Reactor}
	for _, e := range info.Exports {
		if e.Name == "_start" && e.Kind == wasm.ExternFunc {
			o.Flavor = Command
		}
	}
	names, err := customNames(module)
	if err != nil {
		return Options{}, err
	}
	for _, n := range names {
		if n == "go:buildid" {
			o.StateAddr, o.StateSize = goStateAddr, goStateSize
		}
	}
	return o, nil
}

// ModuleName is the import module name the adapter implements.
const ModuleName = "wasi_snapshot_preview1"

// ForModule returns the adapter that suits module (OptionsFor, then
// Generate), or nil when module imports nothing from ModuleName.
func ForModule(module []byte) ([]byte, error) {
	info, err := wasm.ReadModule(module, 0)
	if err != nil {
		return nil, fmt.Errorf("preview1 adapter: the main module is not valid: %w", err)
	}
	uses := false
	for _, im := range info.Imports {
		uses = uses || im.Module == ModuleName
	}
	if !uses {
		return nil, nil
	}
	o, err := OptionsFor(module)
	if err != nil {
		return nil, err
	}
	return Generate(o)
}

// customNames lists the names of module's custom sections.
func customNames(module []byte) ([]string, error) {
	if !bytes.HasPrefix(module, wasm.Magic) || len(module) < 8 {
		return nil, errors.New("preview1 adapter: the main module is not a core wasm module")
	}
	r := wasm.NewReader(module[8:], 8)
	var names []string
	for !r.EOF() {
		id, err := r.Byte()
		if err != nil {
			return nil, err
		}
		sec, err := r.Sub("section")
		if err != nil {
			return nil, err
		}
		if id == wasm.SecCustom {
			n, err := sec.Name()
			if err != nil {
				return nil, err
			}
			names = append(names, n)
		}
	}
	return names, nil
}

// Generate returns the preview-1 adapter module of the given options: a
// core module that imports the main module's memory as env.memory (and,
// for a command, its _start from __main_module__), implements the
// wasi_snapshot_preview1 functions on WASI 0.2 imports lowered with the
// canonical ABI, exports cabi_import_realloc for those lowerings, and
// carries its world in a component-type custom section.
func Generate(o Options) ([]byte, error) {
	if o.Flavor > Reactor {
		return nil, fmt.Errorf("preview1 adapter: unknown flavour %d", o.Flavor)
	}
	if o.StateAddr != 0 {
		if o.StateSize < MinStateSize {
			return nil, fmt.Errorf("preview1 adapter: a state region of %d bytes is too small (at least %d)", o.StateSize, MinStateSize)
		}
		if o.StateAddr%8 != 0 || uint64(o.StateAddr)+uint64(o.StateSize) > 1<<32 {
			return nil, fmt.Errorf("preview1 adapter: state region at %#x (%d bytes) is unaligned or outside a 32-bit memory", o.StateAddr, o.StateSize)
		}
	} else {
		o.StateSize = 1 << 16
	}
	r, world, err := loadWorld(o.Flavor)
	if err != nil {
		return nil, err
	}
	g := &gen{o: o, r: r, abi: canon.New(r, canon.Addr32), ifaces: map[string]wit.InterfaceID{}}
	for _, p := range r.Packages {
		for _, e := range p.Interfaces {
			q := *p
			q.Name.Version = nil
			g.ifaces[q.Name.String()+"/"+e.Name] = e.ID
		}
	}
	g.layout()
	// The bodies run twice: once to learn which imports they call (so
	// that imports, which come first in the function index space, are
	// exactly those), then for real.
	g.collect = true
	if err := g.build(); err != nil {
		return nil, err
	}
	g.collect = false
	if err := g.build(); err != nil {
		return nil, err
	}
	return component.Embed(g.b.Encode(), r, world, canon.UTF8)
}

// impKey names an import: the interface without version ("io/streams",
// or "__main_module__") and the function.
type impKey struct{ iface, name string }

// def is a function the adapter defines.
type def struct {
	name    string
	export  string // "" when not exported
	params  []wasm.ValType
	results []wasm.ValType
	entry   bool // runs the lazy initialisation first
	body    func(f *fn) []X
}

type gen struct {
	o      Options
	r      *wit.Resolve
	abi    *canon.ABI
	ifaces map[string]wit.InterfaceID

	b       wasm.Builder
	collect bool
	used    []impKey
	impIdx  map[impKey]uint32
	funcIdx map[string]uint32
	defs    []def
	err     error

	// globals
	gInit, gBase, gIAPtr, gIAEnd, gIAStr, gIAMode, gN uint32

	// layout of the state region, as offsets from its base
	fdCap, offFDs, offNames, namesCap, offScratch uint32
}

// Offsets in the state region that do not depend on its size.
const (
	offRet = 0   // return area of lowered imports (128 bytes)
	offHdr = 128 // a second return area and a dirent header (32 bytes)
	offErr = 160 // error-code to errno table (40 bytes)
	offFD0 = 200 // the file table
	fdSize = 16  // bytes per file table entry
)

func (g *gen) layout() {
	g.fdCap = g.o.StateSize / 128
	g.offFDs = offFD0
	g.offNames = g.offFDs + g.fdCap*fdSize
	g.namesCap = g.o.StateSize / 16
	g.offScratch = (g.offNames + g.namesCap + 7) &^ 7
}

// st is the address of offset off of the state region.
func (g *gen) st(off uint32) X {
	if g.o.StateAddr != 0 {
		return U32(g.o.StateAddr + off)
	}
	return Add(GGet(g.gBase), U32(off))
}

// ret is the address of the return area.
func (g *gen) ret() X { return g.st(offRet) }

// imp returns the function index of a WASI import, declaring it when
// collecting.
func (g *gen) imp(iface, name string) uint32 {
	k := impKey{iface, name}
	if g.collect {
		for _, u := range g.used {
			if u == k {
				return 0
			}
		}
		g.used = append(g.used, k)
		return 0
	}
	return g.impIdx[k]
}

// fn returns the index of a defined function.
func (g *gen) fn(name string) uint32 {
	if g.collect {
		return 0
	}
	i, ok := g.funcIdx[name]
	if !ok && g.err == nil {
		g.err = fmt.Errorf("preview1 adapter: internal error: no function %q", name)
	}
	return i
}

// importType is the lowered core signature of a WASI function.
func (g *gen) importType(k impKey) (params, results []wasm.ValType, err error) {
	if k.iface == mainModule {
		return nil, nil, nil // _start
	}
	if strings.HasPrefix(k.name, "[resource-drop]") {
		return []wasm.ValType{wasm.ValI32}, nil, nil
	}
	id, ok := g.ifaces["wasi:"+k.iface]
	if !ok {
		return nil, nil, fmt.Errorf("preview1 adapter: internal error: no interface wasi:%s", k.iface)
	}
	wf := g.r.Interfaces[id].Function(k.name)
	if wf == nil {
		return nil, nil, fmt.Errorf("preview1 adapter: internal error: no function %s in wasi:%s", k.name, k.iface)
	}
	ft, err := g.abi.FuncType(wf, canon.FuncTypeOptions{}, canon.ContextLower)
	if err != nil {
		return nil, nil, err
	}
	conv := func(ts []canon.CoreType) []wasm.ValType {
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
	return conv(ft.Params), conv(ft.Results), nil
}

// mainModule is the import module that names the main module's exports.
const mainModule = "__main_module__"

func (g *gen) build() error {
	g.b = wasm.Builder{}
	g.impIdx = map[impKey]uint32{}
	g.funcIdx = map[string]uint32{}
	g.defs = nil
	if !g.collect {
		for _, k := range g.used {
			params, results, err := g.importType(k)
			if err != nil {
				return err
			}
			module := mainModule
			if k.iface != mainModule {
				module = "wasi:" + k.iface + "@" + WASIVersion
			}
			g.impIdx[k] = g.b.AddImport(module, k.name, wasm.ExternType{Kind: wasm.ExternFunc, Index: g.b.AddFuncType(params, results)})
		}
	}
	g.b.AddImport("env", "memory", wasm.ExternType{Kind: wasm.ExternMemory})
	mut := func() uint32 {
		return g.b.AddGlobal(wasm.Global{Type: wasm.GlobalType{Val: wasm.ValI32, Mutable: true}, Init: wasm.ConstI32(0)})
	}
	g.gInit, g.gBase, g.gIAPtr, g.gIAEnd, g.gIAStr, g.gIAMode, g.gN = mut(), mut(), mut(), mut(), mut(), mut(), mut()

	g.defineAll()
	nImports := uint32(len(g.used))
	if g.collect {
		nImports = 0
	}
	for i, d := range g.defs {
		g.funcIdx[d.name] = nImports + uint32(i)
	}
	for _, d := range g.defs {
		f := &fn{g: g, params: d.params}
		if d.entry {
			If(Eqz(GGet(g.gInit)), Call(g.fn("init")))(f)
		}
		for _, x := range d.body(f) {
			if x != nil {
				x(f)
			}
		}
		f.c.End()
		idx := g.b.AddFunc(wasm.Func{Type: g.b.AddFuncType(d.params, d.results), Locals: f.locals, Body: f.c.Bytes()})
		if d.export != "" {
			g.b.Export(d.export, wasm.ExternFunc, idx)
		}
	}
	return g.err
}

// def adds a function.
func (g *gen) def(d def) { g.defs = append(g.defs, d) }

// export adds an exported preview-1 function of i32 parameters (i64 where
// sig says 'I') returning an errno.
func (g *gen) export(name, sig string, body func(f *fn) []X) {
	g.def(def{name: name, export: name, params: sig2vals(sig), results: []wasm.ValType{wasm.ValI32}, entry: true, body: body})
}

// helper adds an internal function; sig is params "->" results.
func (g *gen) helper(name, params, results string, body func(f *fn) []X) {
	g.def(def{name: name, params: sig2vals(params), results: sig2vals(results), body: body})
}

func sig2vals(sig string) []wasm.ValType {
	out := make([]wasm.ValType, len(sig))
	for i, c := range sig {
		if c == 'I' {
			out[i] = wasm.ValI64
		} else {
			out[i] = wasm.ValI32
		}
	}
	return out
}

// setIA points cabi_import_realloc at [ptr, end) in the given mode.
func (g *gen) setIA(ptr, end X, mode int32) X {
	return Seq(GSet(g.gIAPtr, ptr), GSet(g.gIAEnd, end), GSet(g.gIAMode, I32(mode)))
}

// scratch points cabi_import_realloc at the scratch space.
func (g *gen) scratch() X {
	return g.setIA(g.st(g.offScratch), g.st(g.o.StateSize), iaBump)
}

// Modes of cabi_import_realloc.
const (
	iaBump    = 0 // everything bumps through [ptr, end)
	iaStrings = 1 // byte lists go to the caller's buffer at gIAStr, each followed by a free byte; the rest bumps
	iaDiscard = 2 // byte lists all go to ptr and are overwritten by the next; the rest bumps
)
