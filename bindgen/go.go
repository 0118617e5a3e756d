// Package bindgen generates guest bindings for WIT worlds.
//
// [Go] writes Go packages for stock Go's wasip1 port: the world's imported
// interfaces become Go functions and types over //go:wasmimport, its exported
// interfaces become Go interfaces that the program implements and registers,
// wired to //go:wasmexport functions that follow the canonical ABI. The
// generated code uses only what stock Go allows in those signatures
// (integers and floats), lays values out with the sizes, alignments and
// flattening of package canon, and relies on the small run-time package
// github.com/wasmcm/wasmcm/bindgen/guest/cm.
package bindgen

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/wit"
)

// CMPath is the import path of the run-time package generated code uses.
const CMPath = "github.com/wasmcm/wasmcm/bindgen/guest/cm"

// GoOptions configure Go bindings.
type GoOptions struct {
	// PackageRoot is the import path of the directory the files are
	// written to; package paths below it follow the WIT names
	// (PackageRoot/wasi/http/types). Required.
	PackageRoot string
	// NoCleanup leaves owned handles of imported resources that the
	// program forgets to Drop alone instead of dropping them when the
	// garbage collector finds them unreachable. Cleanups run in an
	// arbitrary order, which breaks resources that must be dropped before
	// their parents (wasi:io streams before their bodies, say).
	NoCleanup bool
}

// Go generates Go bindings for world w of r. The result maps file paths,
// relative to the directory of opts.PackageRoot and separated by slashes, to
// gofmt'd file contents. Generation is deterministic: the same input gives
// the same bytes.
func Go(r *wit.Resolve, w wit.WorldID, opts GoOptions) (map[string][]byte, error) {
	g, err := newGenerator(r, w, opts, false)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	// Generating may add packages (an interface only used through types).
	for i := 0; i < len(g.pkgs); i++ {
		p := g.pkgs[i]
		b, err := p.generate()
		if err != nil {
			return nil, err
		}
		out[p.dir+"/"+p.name+".wit.go"] = b
	}
	return out, nil
}

// newGenerator checks the options and plans the packages of bindings of
// world w of r, for a guest or a host.
func newGenerator(r *wit.Resolve, w wit.WorldID, opts GoOptions, host bool) (*generator, error) {
	if opts.PackageRoot == "" {
		return nil, fmt.Errorf("bindgen: GoOptions.PackageRoot is empty; it must name the import path the files are written under")
	}
	if w < 0 || int(w) >= len(r.Worlds) {
		return nil, fmt.Errorf("bindgen: world %d does not exist (the resolve has %d)", w, len(r.Worlds))
	}
	g := &generator{
		r:        r,
		abi:      canon.New(r, canon.Addr32),
		w:        r.Worlds[w],
		opts:     opts,
		ifaces:   map[ifaceKey]*goPkg{},
		exported: map[wit.InterfaceID]wit.WorldKey{},
		imported: map[wit.InterfaceID]wit.WorldKey{},
		aliases:  map[string]bool{},
		dirs:     map[string]bool{},
		errTypes: map[wit.TypeID]bool{},
		host:     host,
	}
	reserved := reservedAliases
	if host {
		g.desc = &hostDesc{index: map[wit.TypeID]int{}}
		reserved = append(reserved[:len(reserved):len(reserved)], hostAliases...)
	}
	for _, n := range reserved {
		g.aliases[n] = true
	}
	if err := g.plan(); err != nil {
		return nil, err
	}
	return g, nil
}

// reservedAliases are names no generated package may be imported as: the
// standard imports of generated files and the locals of generated helpers.
var reservedAliases = []string{"cm", "unsafe", "math", "errors", "runtime"}

// helperLocals are the names generated helper functions use for their
// parameters and locals; no package alias may take one.
var helperLocals = map[string]bool{
	"v": true, "f": true, "p": true, "pins": true, "s": true, "j": true, "n": true, "ptr": true,
	"e": true, "ok": true, "x": true, "h": true, "rep": true, "d": true, "r": true, "a": true,
	"k": true, "m": true, "addr": true, "payload": true, "zero": true,
	// host bindings
	"l": true, "w": true, "c": true, "ctx": true, "err": true, "st": true, "b": true,
	"i": true, "o": true, "t": true, "base": true, "own": true, "rt": true, "cx": true,
}

type ifaceKey struct {
	id     wit.InterfaceID
	export bool
}

type generator struct {
	r    *wit.Resolve
	abi  *canon.ABI
	w    *wit.World
	opts GoOptions

	pkgs     []*goPkg
	ifaces   map[ifaceKey]*goPkg
	world    *goPkg
	exported map[wit.InterfaceID]wit.WorldKey
	imported map[wit.InterfaceID]wit.WorldKey
	aliases  map[string]bool // import aliases handed out, world-wide
	dirs     map[string]bool // directories handed out, case-folded
	// errTypes are the types used as the error of a function's result; they
	// get an Error method so that they can be returned as Go errors.
	errTypes map[wit.TypeID]bool

	// host is set for host bindings (GoHost): the world's imports are
	// implemented by the Go program and its exports by the guest, the
	// reverse of guest bindings.
	host bool
	// desc numbers the types host bindings describe to check a component
	// (see hostDesc).
	desc *hostDesc
}

// plan makes a Go package for every interface the world imports and
// exports and one for the world itself, names every type, and finds the
// error types.
func (g *generator) plan() error {
	for _, it := range g.w.Imports {
		if it.Kind == wit.WorldItemInterface {
			g.imported[it.Interface] = it.Key
		}
	}
	for _, it := range g.w.Exports {
		if it.Kind == wit.WorldItemInterface {
			g.exported[it.Interface] = it.Key
		}
	}
	g.world = g.newPkg(g.worldDir(), wit.NoInterface, false, wit.WorldKey{})
	for _, it := range g.w.Imports {
		if it.Kind == wit.WorldItemInterface {
			g.ifacePkg(it.Interface, false)
		}
	}
	for _, it := range g.w.Exports {
		if it.Kind == wit.WorldItemInterface {
			g.ifacePkg(it.Interface, true)
		}
	}
	// Functions (and the types they use) decide which types need Error.
	var funcs []*wit.Function
	for _, items := range [][]wit.WorldItem{g.w.Imports, g.w.Exports} {
		for _, it := range items {
			switch it.Kind {
			case wit.WorldItemFunction:
				funcs = append(funcs, it.Function)
			case wit.WorldItemInterface:
				funcs = append(funcs, g.r.Interfaces[it.Interface].Functions...)
			}
		}
	}
	for _, f := range funcs {
		if td := g.r.TypeDef(g.r.Dealias(f.Result)); td != nil && td.Kind == wit.KindResult {
			if id, ok := g.r.Dealias(td.Err).ID(); ok {
				if d := g.r.Types[id]; d.Name != "" && d.Kind != wit.KindResource && d.Kind != wit.KindOwn && d.Kind != wit.KindBorrow {
					g.errTypes[id] = true
				}
			}
		}
	}
	return nil
}

// worldDir is the directory of the world's own package: ns/pkg/world.
func (g *generator) worldDir() string {
	pkg := g.r.Packages[g.w.Package].Name
	return g.uniqueDir(path.Join(goPkgName(pkg.Namespace), goPkgName(pkg.Name), goPkgName(g.w.Name)))
}

func (g *generator) uniqueDir(dir string) string {
	d := dir
	for i := 2; g.dirs[strings.ToLower(d)]; i++ {
		d = fmt.Sprintf("%s%d", dir, i)
	}
	g.dirs[strings.ToLower(d)] = true
	return d
}

// ifacePkg returns the package of interface id for the given direction,
// making it on first use.
func (g *generator) ifacePkg(id wit.InterfaceID, export bool) *goPkg {
	if p, ok := g.ifaces[ifaceKey{id, export}]; ok {
		return p
	}
	iface := g.r.Interfaces[id]
	var dir string
	var key wit.WorldKey
	if export {
		key = g.exported[id]
	} else {
		key, _ = g.imported[id]
		if _, ok := g.imported[id]; !ok {
			key = wit.WorldKey{Interface: id}
		}
	}
	if iface.Name == "" || iface.Package == wit.NoPackage {
		// An interface declared inline in the world, named by its key.
		dir = path.Join(g.world.dir, goPkgName(key.Name))
	} else {
		pkg := g.r.Packages[iface.Package].Name
		dir = path.Join(goPkgName(pkg.Namespace), goPkgName(pkg.Name), goPkgName(iface.Name))
	}
	if export {
		if _, both := g.imported[id]; both {
			// Imported too: the export's types are distinct Go types.
			dir = path.Join("export", dir)
		}
	}
	p := g.newPkg(g.uniqueDir(dir), id, export, key)
	g.ifaces[ifaceKey{id, export}] = p
	p.nameTypes(iface.Types)
	p.nameMembers()
	p.nameFuncs(iface.Functions)
	return p
}

func (g *generator) newPkg(dir string, iface wit.InterfaceID, export bool, key wit.WorldKey) *goPkg {
	p := &goPkg{
		g:         g,
		dir:       dir,
		path:      g.opts.PackageRoot + "/" + dir,
		name:      path.Base(dir),
		iface:     iface,
		export:    export,
		key:       key,
		names:     map[string]bool{},
		typeNames: map[wit.TypeID]string{},
		imports:   map[string]string{},
		helpers:   map[string]bool{},
	}
	p.alias = g.uniqueAlias(p)
	p.d = guestABI{p}
	if g.host {
		p.d = hostABI{p}
	}
	reserved := packageReserved
	if g.host {
		reserved = hostReserved
	}
	for _, n := range reserved {
		p.names[n] = true
	}
	g.pkgs = append(g.pkgs, p)
	if iface == wit.NoInterface {
		var names []wit.Entry[wit.TypeID]
		for _, it := range g.w.Imports {
			if it.Kind == wit.WorldItemType {
				names = append(names, wit.Entry[wit.TypeID]{Name: it.Key.Name, ID: it.Type})
			}
		}
		g.world = p
		p.nameTypes(names)
		p.nameMembers()
		var funcs []*wit.Function
		for _, items := range [][]wit.WorldItem{g.w.Imports, g.w.Exports} {
			for _, it := range items {
				if it.Kind == wit.WorldItemFunction {
					funcs = append(funcs, it.Function)
				}
			}
		}
		p.nameFuncs(funcs)
	}
	return p
}

// packageReserved are the package-level names generated code declares
// besides those it derives from WIT.
var packageReserved = []string{"Exports", "Export"}

// uniqueAlias picks the name other generated files import p as: its package
// name, else prefixed with its WIT package name, else numbered.
func (g *generator) uniqueAlias(p *goPkg) string {
	cands := []string{p.name}
	parts := strings.Split(p.dir, "/")
	if len(parts) >= 2 {
		cands = append(cands, parts[len(parts)-2]+p.name)
	}
	for _, c := range cands {
		if !g.aliases[c] && !helperLocals[c] && !predeclared[c] && !isGoKeyword(c) {
			g.aliases[c] = true
			return c
		}
	}
	for i := 2; ; i++ {
		c := fmt.Sprintf("%s%d", cands[len(cands)-1], i)
		if !g.aliases[c] && !helperLocals[c] {
			g.aliases[c] = true
			return c
		}
	}
}

// ownerPkg returns the package that declares TypeDef td when referenced
// from ctx: exported interfaces' types live in their export package for code
// of other exported interfaces, everything else in the import package.
func (g *generator) ownerPkg(td *wit.TypeDef, ctx *goPkg) *goPkg {
	switch td.Owner.Kind {
	case wit.OwnerInterface:
		x := td.Owner.Interface
		if ctx.export {
			if _, ok := g.exported[x]; ok {
				return g.ifacePkg(x, true)
			}
		}
		return g.ifacePkg(x, false)
	case wit.OwnerWorld:
		return g.world
	}
	return nil
}

// isExportedResource reports whether resource id is implemented by this
// program when seen from ctx: by the component for guest bindings (its
// exports), by the host for host bindings (the world's imports).
func (g *generator) isExportedResource(id wit.TypeID, ctx *goPkg) bool {
	id = g.r.DealiasID(id)
	td := g.r.Types[id]
	p := g.ownerPkg(td, ctx)
	return p != nil && p.export != g.host
}

// sortedKeys returns the keys of m in order, for deterministic output.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
