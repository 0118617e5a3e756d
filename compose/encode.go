package compose

import (
	"fmt"

	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/wit"
)

// EncodeOptions configure Graph.Encode.
type EncodeOptions struct {
	// ImportPackages imports each component as "unlocked-dep=<name>"
	// instead of embedding it, as wac does when asked not to define
	// packages.
	ImportPackages bool
}

type encoder struct {
	g      *Graph
	c      *component.Component
	counts [component.SortInstance + 1]uint32

	imports map[string]uint32 // import name -> index in its sort
	pkgs    map[*Package]uint32
	insts   map[NodeID]uint32
	aliases map[NodeID]uint32
	opts    EncodeOptions
}

func sortOf(it Item) component.Sort {
	switch it.Kind {
	case ItemInstance:
		return component.SortInstance
	case ItemFunc:
		return component.SortFunc
	}
	return component.SortType
}

func (e *encoder) sec(s component.Section) { e.c.Sections = append(e.c.Sections, s) }

// Encode encodes the graph as one component. The result is validated.
func (g *Graph) Encode(opts EncodeOptions) ([]byte, error) {
	e := &encoder{g: g, c: &component.Component{}, imports: map[string]uint32{}, pkgs: map[*Package]uint32{},
		insts: map[NodeID]uint32{}, aliases: map[NodeID]uint32{}, opts: opts}
	if err := e.declareImports(); err != nil {
		return nil, err
	}
	if err := e.exportDefinitions(); err != nil {
		return nil, err
	}
	for i, nd := range g.nodes {
		if nd.kind == nodeInstance {
			if err := e.instance(NodeID(i)); err != nil {
				return nil, err
			}
		}
	}
	var exports []component.Export
	for _, x := range g.exports {
		sort, idx, err := e.ref(x.node)
		if err != nil {
			return nil, err
		}
		exports = append(exports, component.Export{Name: component.ExternName{Name: x.name}, Sort: sort, Index: idx})
		e.counts[sort]++
	}
	if len(exports) > 0 {
		e.sec(&component.ExportSection{Exports: exports})
	}
	b := e.c.Encode()
	dc, err := component.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("compose: the composed component does not decode (a bug): %w", err)
	}
	if err := component.Validate(dc, component.DefaultFeatures); err != nil {
		return nil, fmt.Errorf("compose: the composed component is not valid: %w", err)
	}
	return b, nil
}

// declareImports declares the graph's imports as a world's imports are
// declared in a component type, at the top level so that indices match.
//
// Value types the composition exports (WAC's type declarations) are
// declared the same way, as type imports of that world, whose declarations
// become exports instead: an import and an export of a type both add one
// index to the type index space, so the indices stay the same.
func (e *encoder) declareImports() error {
	g := e.g
	r := g.Resolve
	w := &wit.World{Name: "composition", Package: wit.NoPackage}
	typeExports := map[string]bool{}
	for _, te := range g.types {
		if te.kind != exportValueType {
			continue
		}
		it := wit.WorldItem{Key: wit.WorldKey{Name: te.name}, Kind: wit.WorldItemType, Type: te.typ}
		if td := r.Types[te.typ]; td.Name != te.name {
			// Exported under another name: an alias of the type.
			r.Types = append(r.Types, &wit.TypeDef{Name: te.name, Kind: wit.KindType, Elem: wit.TypeOf(te.typ)})
			it.Type = wit.TypeID(len(r.Types) - 1)
		}
		w.Imports = append(w.Imports, it)
		typeExports[te.name] = true
	}
	if len(g.imports) == 0 && len(w.Imports) == 0 {
		return nil
	}
	for _, i := range e.importOrder() {
		im := g.imports[i]
		it := wit.WorldItem{Key: wit.WorldKey{Name: im.name}}
		switch im.item.Kind {
		case ItemInstance:
			it.Kind, it.Interface = wit.WorldItemInterface, im.item.Interface
			if i := r.Interfaces[im.item.Interface]; i.Name != "" && i.Package != wit.NoPackage && KeyName(r, wit.WorldKey{Interface: im.item.Interface}) == im.name {
				it.Key = wit.WorldKey{Interface: im.item.Interface}
			}
		case ItemFunc:
			f := *im.item.Func
			f.Name = im.name
			it.Kind, it.Function = wit.WorldItemFunction, &f
		case ItemType:
			if typeExports[im.name] {
				return fmt.Errorf("compose: cannot encode the import `%s` beside an exported type of the same name", im.name)
			}
			it.Kind, it.Type = wit.WorldItemType, im.item.Type
			// A world type import takes its name from the type.
			if td := r.Types[im.item.Type]; td.Name != im.name {
				alias := &wit.TypeDef{Name: im.name, Kind: wit.KindType, Elem: wit.TypeOf(im.item.Type)}
				if td.Kind == wit.KindResource && td.Name == "" {
					td.Name = im.name
				} else {
					r.Types = append(r.Types, alias)
					it.Type = wit.TypeID(len(r.Types) - 1)
				}
			}
		}
		w.Imports = append(w.Imports, it)
	}
	r.Worlds = append(r.Worlds, w)
	ct, err := component.WorldType(r, wit.WorldID(len(r.Worlds)-1))
	r.Worlds = r.Worlds[:len(r.Worlds)-1]
	if err != nil {
		return fmt.Errorf("compose: declaring the imports: %w", err)
	}
	for i := range ct.Decls {
		d := &ct.Decls[i]
		switch d.Kind {
		case component.DeclType:
			e.sec(&component.TypeSection{Types: []component.Type{d.Type}})
			e.counts[component.SortType]++
		case component.DeclCoreType:
			e.sec(&component.CoreTypeSection{Types: []component.CoreType{*d.CoreType}})
			e.counts[component.SortCoreType]++
		case component.DeclAlias:
			e.sec(&component.AliasSection{Aliases: []component.Alias{*d.Alias}})
			e.counts[d.Alias.Sort]++
		case component.DeclImport:
			if d.Extern.Sort == component.SortType && typeExports[d.Name.Name] && !d.Extern.SubResource {
				e.sec(&component.ExportSection{Exports: []component.Export{{Name: d.Name, Sort: component.SortType, Index: d.Extern.Index}}})
				e.counts[component.SortType]++
				continue
			}
			e.sec(&component.ImportSection{Imports: []component.Import{{Name: d.Name, Type: d.Extern}}})
			e.imports[d.Name.Name] = e.counts[d.Extern.Sort]
			e.counts[d.Extern.Sort]++
		default:
			return fmt.Errorf("compose: unexpected declaration in the imports' type")
		}
	}
	return nil
}

// exportDefinitions exports the interfaces and worlds the composition
// defines as types, each encoded as the binary WIT format encodes it in a
// package: a component type exporting the instance (or component) type
// under its full name.
func (e *encoder) exportDefinitions() error {
	r := e.g.Resolve
	encoded := map[wit.PackageID]map[string]component.Type{}
	emitted := map[string]uint32{} // by package and name
	for _, te := range e.g.types {
		var pkg wit.PackageID
		var name string
		switch te.kind {
		case exportInterface:
			pkg, name = r.Interfaces[te.iface].Package, r.Interfaces[te.iface].Name
		case exportWorld:
			pkg, name = r.Worlds[te.world].Package, r.Worlds[te.world].Name
		default:
			continue
		}
		if pkg == wit.NoPackage || name == "" {
			return fmt.Errorf("compose: cannot export `%s`: it is not a named definition of a package", te.name)
		}
		types, ok := encoded[pkg]
		if !ok {
			var err error
			if types, err = packageTypes(r, pkg); err != nil {
				return err
			}
			encoded[pkg] = types
		}
		key := fmt.Sprintf("%d/%s", pkg, name)
		idx, ok := emitted[key]
		if !ok {
			t, ok := types[name]
			if !ok {
				return fmt.Errorf("compose: `%s` is missing from the encoding of its package (a bug)", name)
			}
			e.sec(&component.TypeSection{Types: []component.Type{t}})
			idx = e.counts[component.SortType]
			e.counts[component.SortType]++
			emitted[key] = idx
		}
		e.sec(&component.ExportSection{Exports: []component.Export{{Name: component.ExternName{Name: te.name}, Sort: component.SortType, Index: idx}}})
		e.counts[component.SortType]++
	}
	return nil
}

// packageTypes encodes package pkg of r in the binary WIT format and
// returns the component type of each interface and world by name.
func packageTypes(r *wit.Resolve, pkg wit.PackageID) (map[string]component.Type, error) {
	b, err := component.EncodeWIT(r, pkg)
	if err != nil {
		return nil, fmt.Errorf("compose: encoding the definitions of package %s: %w", r.Packages[pkg].Name, err)
	}
	c, err := component.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("compose: decoding the definitions of package %s (a bug): %w", r.Packages[pkg].Name, err)
	}
	// The type index space: definitions, and exports, which add an index
	// for the type they export.
	var types []*component.Type
	out := map[string]component.Type{}
	for _, sec := range c.Sections {
		switch sec := sec.(type) {
		case *component.TypeSection:
			for i := range sec.Types {
				types = append(types, &sec.Types[i])
			}
		case *component.ExportSection:
			for _, x := range sec.Exports {
				if x.Sort != component.SortType {
					continue
				}
				var t *component.Type
				if int(x.Index) < len(types) {
					t = types[x.Index]
				}
				if t != nil {
					out[x.Name.Name] = *t
				}
				types = append(types, t)
			}
		case *component.ImportSection:
			for _, im := range sec.Imports {
				if im.Type.Sort == component.SortType {
					types = append(types, nil)
				}
			}
		case *component.AliasSection:
			for _, a := range sec.Aliases {
				if a.Sort == component.SortType {
					types = append(types, nil)
				}
			}
		}
	}
	return out, nil
}

// importOrder orders the imports so that an interface comes after the
// interfaces whose types it uses (a stable topological order).
func (e *encoder) importOrder() []int {
	g := e.g
	r := g.Resolve
	owner := map[wit.InterfaceID]int{}
	for i, im := range g.imports {
		if im.item.Kind == ItemInstance {
			owner[im.item.Interface] = i
		}
	}
	usesOf := func(t wit.TypeID) (int, bool) {
		td := r.Types[t]
		if td.Kind != wit.KindType {
			if td.Owner.Kind == wit.OwnerInterface {
				j, ok := owner[td.Owner.Interface]
				return j, ok
			}
			return 0, false
		}
		if id, ok := td.Elem.ID(); ok {
			if o := r.Types[id].Owner; o.Kind == wit.OwnerInterface {
				j, ok := owner[o.Interface]
				return j, ok
			}
		}
		return 0, false
	}
	deps := make([][]int, len(g.imports))
	for i, im := range g.imports {
		switch im.item.Kind {
		case ItemInstance:
			for _, t := range r.Interfaces[im.item.Interface].Types {
				if j, ok := usesOf(t.ID); ok && j != i {
					deps[i] = append(deps[i], j)
				}
			}
		case ItemType:
			if j, ok := usesOf(im.item.Type); ok && j != i {
				deps[i] = append(deps[i], j)
			}
		}
	}
	var order []int
	state := make([]uint8, len(g.imports)) // 1 visiting, 2 done
	var visit func(i int)
	visit = func(i int) {
		if state[i] != 0 {
			return
		}
		state[i] = 1
		for _, j := range deps[i] {
			visit(j)
		}
		state[i] = 2
		order = append(order, i)
	}
	for i := range g.imports {
		visit(i)
	}
	return order
}

func (e *encoder) pkg(p *Package) (uint32, error) {
	if i, ok := e.pkgs[p]; ok {
		return i, nil
	}
	if e.opts.ImportPackages {
		ct, err := component.WorldType(p.r, p.world)
		if err != nil {
			return 0, fmt.Errorf("compose: the type of package `%s`: %w", p.Name, err)
		}
		// Exported function types, which the world cannot say.
		for _, d := range p.funcTypeDefs {
			ti := typeCount(ct.Decls)
			ct.Decls = append(ct.Decls, component.Decl{Kind: component.DeclType, Type: d.ft},
				component.Decl{Kind: component.DeclExport, Name: component.ExternName{Name: d.name}, Extern: component.ExternType{Sort: component.SortType, Index: ti}})
		}
		e.sec(&component.TypeSection{Types: []component.Type{ct}})
		ti := e.counts[component.SortType]
		e.counts[component.SortType]++
		e.sec(&component.ImportSection{Imports: []component.Import{{
			Name: component.ExternName{Name: "unlocked-dep=<" + stripVersion(p.Name) + ">"},
			Type: component.ExternType{Sort: component.SortComponent, Index: ti},
		}}})
	} else {
		if p.comp == nil {
			return 0, fmt.Errorf("compose: package `%s` has no component binary to embed", p.Name)
		}
		e.sec(&component.ComponentSection{Component: p.comp})
	}
	i := e.counts[component.SortComponent]
	e.counts[component.SortComponent]++
	e.pkgs[p] = i
	return i, nil
}

// typeCount is the size of the type index space after decls.
func typeCount(decls []component.Decl) uint32 {
	n := uint32(0)
	for _, d := range decls {
		switch d.Kind {
		case component.DeclType:
			n++
		case component.DeclAlias:
			if d.Alias.Sort == component.SortType {
				n++
			}
		case component.DeclImport, component.DeclExport:
			if d.Extern.Sort == component.SortType {
				n++
			}
		}
	}
	return n
}

func (e *encoder) instance(n NodeID) error {
	nd := e.g.nodes[n]
	ci, err := e.pkg(nd.pkg)
	if err != nil {
		return err
	}
	in := component.Instance{Instantiate: true, Component: ci}
	for _, name := range nd.argOrder {
		var sort component.Sort
		var idx uint32
		if a, ok := nd.args[name]; ok {
			if sort, idx, err = e.ref(a); err != nil {
				return err
			}
		} else if i, ok := nd.implicit[name]; ok {
			im := e.g.imports[i]
			sort = sortOf(im.item)
			idx, ok = e.imports[im.name]
			if !ok {
				return fmt.Errorf("compose: import `%s` was not declared (a bug)", im.name)
			}
		} else {
			continue
		}
		in.Args = append(in.Args, component.InstantiateArg{Name: name, Sort: sort, Index: idx})
	}
	e.sec(&component.InstanceSection{Instances: []component.Instance{in}})
	e.insts[n] = e.counts[component.SortInstance]
	e.counts[component.SortInstance]++
	return nil
}

// ref returns the sort and index of what node n produces, aliasing
// exports out of instances the first time they are used.
func (e *encoder) ref(n NodeID) (component.Sort, uint32, error) {
	nd := e.g.nodes[n]
	sort := sortOf(nd.item)
	switch nd.kind {
	case nodeImport:
		i, ok := e.imports[nd.importName]
		if !ok {
			return 0, 0, fmt.Errorf("compose: import `%s` was not declared (a bug)", nd.importName)
		}
		return sort, i, nil
	case nodeInstance:
		i, ok := e.insts[n]
		if !ok {
			return 0, 0, fmt.Errorf("compose: instance used before it is defined (a bug)")
		}
		return component.SortInstance, i, nil
	}
	if i, ok := e.aliases[n]; ok {
		return sort, i, nil
	}
	_, src, err := e.ref(nd.source)
	if err != nil {
		return 0, 0, err
	}
	e.sec(&component.AliasSection{Aliases: []component.Alias{{Sort: sort, Target: component.AliasExport, Instance: src, Name: nd.export}}})
	i := e.counts[sort]
	e.counts[sort]++
	e.aliases[n] = i
	return sort, i, nil
}
