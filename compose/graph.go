// Package compose builds one component out of several: a composition graph
// whose nodes are imports, instantiations of components and aliases of
// their exports, and whose edges are instantiation arguments. Types are
// those of the shared WIT model: every component is decoded to the world it
// implements, and the graph copies what it uses into one wit.Resolve of its
// own, so that each instance gets its own resources and arguments are
// checked against imports structurally.
//
// Encoding embeds each distinct component once and instantiates it as often
// as the graph does; imports left open by instantiations become imports of
// the result, merged by name (semver-compatible versions collapse to the
// highest). Plug wires a socket's imports from plugs' exports, transitively,
// and the WAC language (Compose) describes a graph in text.
package compose

import (
	"bytes"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/wat"
	"github.com/wasmcm/wasmcm/wit"
)

// Package is a component to compose, with the world it implements.
type Package struct {
	// Name identifies the package in messages and in encoded names
	// (ns:pkg or ns:pkg@version).
	Name  string
	Bytes []byte

	comp      *component.Component
	r         *wit.Resolve
	world     wit.WorldID
	funcTypes map[string]*wit.Function // exported function types
	// funcTypeDefs are the same types as the component declares them.
	funcTypeDefs []namedFuncType
}

type namedFuncType struct {
	name string
	ft   *component.FuncType
}

// NewPackage decodes a component binary. The component must be valid and
// describable in WIT.
func NewPackage(name string, b []byte) (*Package, error) {
	if !component.IsComponent(b) {
		return nil, fmt.Errorf("package `%s`: not a WebAssembly component", name)
	}
	// The package keeps the decoded component, whose names and module
	// bytes point into its input: a private copy lets the caller reuse b.
	c, err := component.Decode(bytes.Clone(b))
	if err != nil {
		return nil, fmt.Errorf("package `%s`: %w", name, err)
	}
	if err := component.Validate(c, component.DefaultFeatures); err != nil {
		return nil, fmt.Errorf("package `%s`: %w", name, err)
	}
	// WIT has no exported function types; set them aside (each replaced
	// by an equal local definition, so that indices stay) and decode the
	// rest.
	forWIT, funcTypes := splitFuncTypeExports(c)
	d, err := component.ComponentTypes(forWIT)
	if err != nil {
		return nil, fmt.Errorf("package `%s`: %w", name, err)
	}
	p := &Package{Name: name, Bytes: b, comp: c, r: d.Resolve, world: d.World, funcTypes: map[string]*wit.Function{}}
	for n, ft := range funcTypes {
		if f := primitiveFunc(n, ft); f != nil {
			p.funcTypes[n] = f
			p.funcTypeDefs = append(p.funcTypeDefs, namedFuncType{n, ft})
		}
	}
	sort.Slice(p.funcTypeDefs, func(i, j int) bool { return p.funcTypeDefs[i].name < p.funcTypeDefs[j].name })
	return p, nil
}

// splitFuncTypeExports returns c with its top-level exports of function
// types replaced by plain definitions, and those types by export name.
func splitFuncTypeExports(c *component.Component) (*component.Component, map[string]*component.FuncType) {
	var types []component.Type // the type index space; nil where not a local definition
	out := map[string]*component.FuncType{}
	cp := &component.Component{Sections: append([]component.Section(nil), c.Sections...)}
	for i, sec := range c.Sections {
		switch sec := sec.(type) {
		case *component.TypeSection:
			types = append(types, sec.Types...)
		case *component.AliasSection:
			for _, a := range sec.Aliases {
				if a.Sort == component.SortType {
					types = append(types, nil)
				}
			}
		case *component.ImportSection:
			for _, im := range sec.Imports {
				if im.Type.Sort == component.SortType {
					types = append(types, nil)
				}
			}
		case *component.ExportSection:
			var keep []component.Export
			var defs []component.Type
			for _, x := range sec.Exports {
				if x.Sort == component.SortType && int(x.Index) < len(types) {
					if ft, ok := types[x.Index].(*component.FuncType); ok {
						out[x.Name.Name] = ft
						defs = append(defs, ft)
						types = append(types, ft)
						continue
					}
				}
				if x.Sort == component.SortType {
					types = append(types, nil)
				}
				keep = append(keep, x)
			}
			if len(defs) > 0 {
				// Exports and definitions both add indices in order; the
				// definitions go first, which only matters when an export
				// of a type follows one of a function type in one section.
				var secs []component.Section
				secs = append(secs, &component.TypeSection{Types: defs})
				if len(keep) > 0 {
					secs = append(secs, &component.ExportSection{Exports: keep})
				}
				cp.Sections = append(append(append([]component.Section(nil), cp.Sections[:i+len(cp.Sections)-len(c.Sections)]...), secs...), cp.Sections[i+1+len(cp.Sections)-len(c.Sections):]...)
			}
		}
	}
	return cp, out
}

// primitiveFunc converts a function type of primitive parameters and
// result to WIT (other function types stay unavailable as definitions).
func primitiveFunc(name string, ft *component.FuncType) *wit.Function {
	conv := func(v component.ValType) (wit.Type, bool) {
		if v.Prim == 0 {
			return 0, false
		}
		return wit.PrimitiveByName(v.Prim.String())
	}
	f := &wit.Function{Name: name, Kind: wit.Freestanding, Resource: wit.NoType}
	if ft.Async {
		f.Kind = wit.AsyncFreestanding
	}
	for _, p := range ft.Params {
		t, ok := conv(p.Type)
		if !ok {
			return nil
		}
		f.Params = append(f.Params, wit.Param{Name: p.Name, Type: t})
	}
	if ft.Result != nil {
		t, ok := conv(*ft.Result)
		if !ok {
			return nil
		}
		f.Result = t
	}
	return f
}

// FuncType returns the function type a package's component exports under
// name as a type definition (WIT cannot say this; wac can use it).
func (p *Package) FuncType(name string) (*wit.Function, bool) {
	f, ok := p.funcTypes[name]
	return f, ok
}

// World returns the resolve and the world the package's component
// implements (wit.NoWorld for a WIT package).
func (p *Package) World() (*wit.Resolve, wit.WorldID) { return p.r, p.world }

// IsComponent reports whether the package is a component that can be
// instantiated (rather than a binary WIT package of types).
func (p *Package) IsComponent() bool { return p.world != wit.NoWorld }

// ItemKind says what an Item is.
type ItemKind uint8

// The kinds of items.
const (
	ItemInstance ItemKind = iota // an instance of an interface
	ItemFunc                     // a function
	ItemType                     // a type (a resource or a value type)
)

// String names the kind in messages ("instance", "function", "type").
func (k ItemKind) String() string {
	switch k {
	case ItemInstance:
		return "instance"
	case ItemFunc:
		return "function"
	}
	return "type"
}

// Item is a typed definition of the graph: what a node produces. Its
// interface, function or type lives in the graph's Resolve.
type Item struct {
	Kind      ItemKind
	Interface wit.InterfaceID
	Func      *wit.Function
	Type      wit.TypeID
}

// NodeID identifies a node of a Graph.
type NodeID int

type nodeKind uint8

const (
	nodeImport nodeKind = iota
	nodeInstance
	nodeAlias
)

type export struct {
	name string
	item Item
}

type node struct {
	kind  nodeKind
	item  Item
	label string // the name users know the node by (for pictures)

	importName string // nodeImport

	pkg      *Package          // nodeInstance
	args     map[string]NodeID // import name -> argument
	implicit map[string]int    // import name -> index in Graph.imports
	argOrder []string          // import names in the package's order
	exports  []export          // in the package's order
	argNode  map[string]NodeID // for pictures: argument edges
	_        struct{}

	source NodeID // nodeAlias
	export string
}

type graphImport struct {
	name     string
	item     Item
	node     NodeID // the explicit import node, or -1 for an implicit import
	by       string // package whose instantiation imported it implicitly
	compat   string // semver-compatible key
	explicit bool
}

type graphExport struct {
	name string
	node NodeID
}

// Graph is a composition under construction.
type Graph struct {
	// Resolve holds every type, interface and function of the graph.
	Resolve *wit.Resolve

	nodes   []*node
	imports []graphImport
	exports []graphExport
	types   []typeExport
}

// typeExport is a type definition the composition exports (a WAC
// document's declarations): a value type, an interface or a world of the
// graph's Resolve.
type typeExport struct {
	name  string
	kind  typeExportKind
	typ   wit.TypeID
	iface wit.InterfaceID
	world wit.WorldID
}

type typeExportKind uint8

const (
	exportValueType typeExportKind = iota
	exportInterface
	exportWorld
)

// NewGraph returns an empty graph.
func NewGraph() *Graph { return &Graph{Resolve: &wit.Resolve{}} }

// Item returns what node n produces.
func (g *Graph) Item(n NodeID) Item { return g.nodes[n].item }

// SetLabel names node n for pictures.
func (g *Graph) SetLabel(n NodeID, label string) { g.nodes[n].label = label }

func (g *Graph) add(n *node) NodeID {
	g.nodes = append(g.nodes, n)
	return NodeID(len(g.nodes) - 1)
}

// ImportConflictError says an import name is taken.
type ImportConflictError struct {
	Name string
	By   string // the package whose instantiation imported it, if implicit
}

// Error implements error.
func (e *ImportConflictError) Error() string {
	if e.By != "" {
		return fmt.Sprintf("import `%s` conflicts with an item that was implicitly imported by an instantiation of `%s`", e.Name, e.By)
	}
	return fmt.Sprintf("duplicate import `%s`", e.Name)
}

// Import adds an import of the composed component.
func (g *Graph) Import(name string, it Item) (NodeID, error) {
	if err := checkExternName(name); err != nil {
		return 0, fmt.Errorf("import name `%s` is not valid: %w", name, err)
	}
	if i, ok := g.findImport(name); ok {
		return 0, &ImportConflictError{Name: name, By: g.imports[i].by}
	}
	id := g.add(&node{kind: nodeImport, item: it, importName: name, label: name})
	g.imports = append(g.imports, graphImport{name: name, item: it, node: id, compat: compatKey(name), explicit: true})
	return id, nil
}

// ImportItem copies an import or export item of a package's world into the
// graph, for an import whose type a package defines. Interfaces whose types
// it uses become imports too.
func (g *Graph) ImportItem(p *Package, it wit.WorldItem) (Item, error) {
	c := &copier{to: g.Resolve, s: newScope(p.r), g: g, top: wit.NoInterface}
	if it.Kind == wit.WorldItemInterface {
		c.top = it.Interface
	}
	item := c.item(it)
	return item, c.err
}

// findImport finds a graph import by semver-compatible name.
func (g *Graph) findImport(name string) (int, bool) {
	key := compatKey(name)
	for i, im := range g.imports {
		if im.compat == key {
			return i, true
		}
	}
	return 0, false
}

func (c *copier) item(it wit.WorldItem) Item {
	switch it.Kind {
	case wit.WorldItemInterface:
		return Item{Kind: ItemInstance, Interface: c.iface(it.Interface)}
	case wit.WorldItemFunction:
		return Item{Kind: ItemFunc, Func: c.function(it.Function)}
	}
	return Item{Kind: ItemType, Type: c.typeID(it.Type)}
}

// Arg is an instantiation argument: node Node for the import named Name.
type Arg struct {
	Name string
	Node NodeID
}

// ArgError is an error about one instantiation argument (Index in the
// arguments given, or -1 for an import filled implicitly).
type ArgError struct {
	Name  string
	Index int
	Err   error
}

// Error implements error.
func (e *ArgError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *ArgError) Unwrap() error { return e.Err }

// MissingArgError says an instantiation lacks an argument.
type MissingArgError struct{ Name, Package string }

// Error implements error.
func (e *MissingArgError) Error() string {
	return fmt.Sprintf("missing instantiation argument `%s` for package `%s`", e.Name, e.Package)
}

// KeyName is the name of a world item as a component import or export.
func KeyName(r *wit.Resolve, k wit.WorldKey) string {
	if !k.IsInterface() {
		return k.Name
	}
	i := r.Interfaces[k.Interface]
	if i.Package == wit.NoPackage {
		return i.Name
	}
	p := r.Packages[i.Package].Name
	s := p.Namespace + ":" + p.Name + "/" + i.Name
	if p.Version != nil {
		s += "@" + p.Version.String()
	}
	return s
}

// Imports lists the import names of a package's component in order.
func (p *Package) Imports() []string {
	var out []string
	if !p.IsComponent() {
		return nil
	}
	for _, it := range p.r.Worlds[p.world].Imports {
		out = append(out, KeyName(p.r, it.Key))
	}
	return out
}

// Exports lists the export names of a package's component in order.
func (p *Package) Exports() []string {
	var out []string
	if !p.IsComponent() {
		return nil
	}
	for _, it := range p.r.Worlds[p.world].Exports {
		out = append(out, KeyName(p.r, it.Key))
	}
	return out
}

// findImport finds the import of p named name, matching a versionless or
// semver-compatible name too.
func (p *Package) findImport(name string) (wit.WorldItem, string, bool) {
	w := p.r.Worlds[p.world]
	for _, it := range w.Imports {
		if n := KeyName(p.r, it.Key); n == name {
			return it, n, true
		}
	}
	for _, it := range w.Imports {
		if n := KeyName(p.r, it.Key); compatKey(n) == compatKey(name) || stripVersion(n) == name {
			return it, n, true
		}
	}
	return wit.WorldItem{}, "", false
}

// Instantiate adds an instantiation of p with args. With fill, imports
// without an argument become imports of the composed component (merged
// with equal ones); without, they are an error.
func (g *Graph) Instantiate(p *Package, args []Arg, fill bool) (NodeID, error) {
	if !p.IsComponent() {
		return 0, fmt.Errorf("package `%s` is not a component and cannot be instantiated", p.Name)
	}
	byName := map[string]int{}
	for i, a := range args {
		_, n, ok := p.findImport(a.Name)
		if !ok {
			return 0, &ArgError{Name: a.Name, Index: i, Err: fmt.Errorf("component `%s` has no import named `%s`", p.Name, a.Name)}
		}
		if _, dup := byName[n]; dup {
			return 0, &ArgError{Name: a.Name, Index: i, Err: fmt.Errorf("duplicate instantiation argument `%s`", a.Name)}
		}
		byName[n] = i
	}
	s := newScope(p.r)
	nd := &node{kind: nodeInstance, pkg: p, args: map[string]NodeID{}, implicit: map[string]int{}, label: p.Name}
	w := p.r.Worlds[p.world]
	var missing []string
	for _, it := range w.Imports {
		name := KeyName(p.r, it.Key)
		nd.argOrder = append(nd.argOrder, name)
		if i, ok := byName[name]; ok {
			a := args[i]
			if err := g.check(g.nodes[a.Node].item, it, s); err != nil {
				return 0, &ArgError{Name: a.Name, Index: i, Err: wrapArg(err, a.Name)}
			}
			nd.args[name] = a.Node
			continue
		}
		if !fill {
			missing = append(missing, name)
			continue
		}
		idx, err := g.implicitImport(name, it, s, p.Name)
		if err != nil {
			return 0, &ArgError{Name: name, Index: -1, Err: err}
		}
		nd.implicit[name] = idx
	}
	if len(missing) > 0 {
		return 0, &MissingArgError{Name: missing[0], Package: p.Name}
	}
	c := &copier{to: g.Resolve, s: s}
	inst := &wit.Interface{Package: wit.NoPackage}
	for _, it := range w.Exports {
		item := c.item(it)
		name := KeyName(p.r, it.Key)
		nd.exports = append(nd.exports, export{name: name, item: item})
		switch item.Kind {
		case ItemFunc:
			inst.Functions = append(inst.Functions, item.Func)
		case ItemType:
			inst.Types = append(inst.Types, wit.Entry[wit.TypeID]{Name: name, ID: item.Type})
		}
	}
	g.Resolve.Interfaces = append(g.Resolve.Interfaces, inst)
	nd.item = Item{Kind: ItemInstance, Interface: wit.InterfaceID(len(g.Resolve.Interfaces) - 1)}
	return g.add(nd), nil
}

func wrapArg(err error, name string) error {
	if m, ok := err.(*mismatch); ok {
		return &mismatch{path: append([]string{fmt.Sprintf("mismatched instantiation argument `%s`", name)}, m.path...), msg: m.msg}
	}
	return err
}

// check checks argument item a against import it of scope s's package.
func (g *Graph) check(a Item, it wit.WorldItem, s *scope) error {
	k := &checker{g: g.Resolve, s: s}
	switch it.Kind {
	case wit.WorldItemInterface:
		if a.Kind != ItemInstance {
			return &mismatch{msg: fmt.Sprintf("expected instance, found %s", a.Kind)}
		}
		return k.iface(a.Interface, it.Interface)
	case wit.WorldItemFunction:
		if a.Kind != ItemFunc {
			return &mismatch{msg: fmt.Sprintf("expected function, found %s", a.Kind)}
		}
		return k.function(a.Func, it.Function)
	}
	if a.Kind != ItemType {
		return &mismatch{msg: fmt.Sprintf("expected type, found %s", a.Kind)}
	}
	return k.bindType(a.Type, it.Type)
}

// MergeError says two imports of the same name cannot be merged.
type MergeError struct {
	Name     string
	Packages [2]string
	Err      error
}

// Error implements error.
func (e *MergeError) Error() string {
	return fmt.Sprintf("failed to merge the type definition for implicit import `%s` due to conflicting types (imported by `%s` and `%s`): %v", e.Name, e.Packages[0], e.Packages[1], e.Err)
}

// Unwrap returns the underlying error.
func (e *MergeError) Unwrap() error { return e.Err }

// implicitImport makes import it of a package an import of the result,
// merging it with an earlier import of the same (or a semver-compatible)
// name.
func (g *Graph) implicitImport(name string, it wit.WorldItem, s *scope, by string) (int, error) {
	c := &copier{to: g.Resolve, s: s, g: g, by: by, top: wit.NoInterface}
	if it.Key.IsInterface() {
		c.iface(it.Interface)
		if c.err != nil {
			return 0, c.err
		}
		i, _ := g.findImport(name)
		return i, nil
	}
	if i, ok := g.findImport(name); ok {
		im := &g.imports[i]
		if im.explicit {
			return 0, &ImportConflictError{Name: name, By: by}
		}
		var err error
		if it.Kind == wit.WorldItemInterface && im.item.Kind == ItemInstance {
			err = g.mergeIface(im.item.Interface, it.Interface, s)
		} else {
			err = g.check(im.item, it, s)
		}
		if err != nil {
			return 0, &MergeError{Name: name, Packages: [2]string{im.by, by}, Err: err}
		}
		return i, nil
	}
	if it.Kind == wit.WorldItemInterface {
		c.top = it.Interface
	}
	item := c.item(it)
	if c.err != nil {
		return 0, c.err
	}
	g.imports = append(g.imports, graphImport{name: name, item: item, node: -1, by: by, compat: compatKey(name)})
	return len(g.imports) - 1, nil
}

// mergeIface makes graph interface gid serve package interface pid too:
// definitions both have must agree; the rest is added.
func (g *Graph) mergeIface(gid wit.InterfaceID, pid wit.InterfaceID, s *scope) error {
	gi := g.Resolve.Interfaces[gid]
	pi := s.from.Interfaces[pid]
	c := &copier{to: g.Resolve, s: s}
	k := &checker{g: g.Resolve, s: s}
	s.ifaces[pid] = gid
	for _, e := range pi.Types {
		if at, ok := wit.Lookup(gi.Types, e.Name); ok {
			if err := k.bindType(at, e.ID); err != nil {
				return wrap(err, "type `%s`", e.Name)
			}
		}
	}
	for _, e := range pi.Types {
		if _, ok := wit.Lookup(gi.Types, e.Name); !ok {
			gi.Types = append(gi.Types, wit.Entry[wit.TypeID]{Name: e.Name, ID: c.typeID(e.ID)})
		}
	}
	for _, f := range pi.Functions {
		if af := gi.Function(f.Name); af != nil {
			if err := k.function(af, f); err != nil {
				return wrap(err, "function `%s`", f.Name)
			}
			continue
		}
		gi.Functions = append(gi.Functions, c.function(f))
	}
	return nil
}

// rename gives a merged import the higher version's name.
func (g *Graph) rename(im *graphImport, name string) {
	im.name = name
	if im.item.Kind != ItemInstance {
		return
	}
	i := g.Resolve.Interfaces[im.item.Interface]
	if i.Package == wit.NoPackage {
		return
	}
	v := versionOf(name)
	if v == nil {
		return
	}
	pn := g.Resolve.Packages[i.Package].Name
	pn.Version = v
	c := &copier{to: g.Resolve}
	i.Package = c.pkg(pn)
}

// AliasError says a node has no such export.
type AliasError struct{ Export string }

// Error implements error.
func (e *AliasError) Error() string {
	return fmt.Sprintf("the instance has no export named `%s`", e.Export)
}

// Alias adds a node for export name of instance node n.
func (g *Graph) Alias(n NodeID, name string) (NodeID, error) {
	src := g.nodes[n]
	if src.item.Kind != ItemInstance {
		return 0, fmt.Errorf("an instance is required to perform an access operation")
	}
	it, real, ok := g.exportOf(n, name)
	if !ok {
		return 0, &AliasError{Export: name}
	}
	return g.add(&node{kind: nodeAlias, item: it, source: n, export: real, label: name}), nil
}

// Exports lists the export names of instance node n.
func (g *Graph) Exports(n NodeID) []string {
	nd := g.nodes[n]
	var out []string
	switch nd.kind {
	case nodeInstance:
		for _, e := range nd.exports {
			out = append(out, e.name)
		}
	default:
		if nd.item.Kind == ItemInstance {
			i := g.Resolve.Interfaces[nd.item.Interface]
			for _, t := range i.Types {
				out = append(out, t.Name)
			}
			for _, f := range i.Functions {
				out = append(out, f.Name)
			}
		}
	}
	return out
}

// exportOf finds export name of node n (a versionless name matches a
// versioned export) and returns its item and full name.
func (g *Graph) exportOf(n NodeID, name string) (Item, string, bool) {
	nd := g.nodes[n]
	if nd.kind == nodeInstance {
		for _, e := range nd.exports {
			if e.name == name {
				return e.item, e.name, true
			}
		}
		for _, e := range nd.exports {
			if stripVersion(e.name) == name {
				return e.item, e.name, true
			}
		}
		// An interface export answers to its short name too (`x.baz` for
		// ns:pkg/baz@1.0.0).
		for _, e := range nd.exports {
			base := stripVersion(e.name)
			if i := strings.LastIndexByte(base, '/'); i >= 0 && strings.Contains(base, ":") && base[i+1:] == name {
				return e.item, e.name, true
			}
		}
		return Item{}, "", false
	}
	i := g.Resolve.Interfaces[nd.item.Interface]
	if t, ok := wit.Lookup(i.Types, name); ok {
		return Item{Kind: ItemType, Type: t}, name, true
	}
	if f := i.Function(name); f != nil {
		return Item{Kind: ItemFunc, Func: f}, name, true
	}
	return Item{}, "", false
}

// ExportError says an export cannot be added.
type ExportError struct{ Name, Why string }

// Error implements error.
func (e *ExportError) Error() string { return e.Why }

// Export exports node n as name.
func (g *Graph) Export(n NodeID, name string) error {
	if err := checkExternName(name); err != nil {
		return &ExportError{Name: name, Why: fmt.Sprintf("export name `%s` is not valid", name)}
	}
	for _, e := range g.exports {
		if e.name == name {
			return &ExportError{Name: name, Why: fmt.Sprintf("duplicate export `%s`", name)}
		}
	}
	if g.nodes[n].item.Kind == ItemType {
		td := g.Resolve.Types[g.nodes[n].item.Type]
		if td.Kind != wit.KindResource {
			// Value types export fine; they are named by the export.
			_ = td
		}
	}
	g.exports = append(g.exports, graphExport{name: name, node: n})
	return nil
}

// HasExport reports whether the graph exports name.
func (g *Graph) HasExport(name string) bool {
	for _, e := range g.exports {
		if e.name == name {
			return true
		}
	}
	return false
}

// ImportNames lists the imports of the composed component so far.
func (g *Graph) ImportNames() []string {
	var out []string
	for _, im := range g.imports {
		out = append(out, im.name)
	}
	return out
}

// ExportNames lists the exports of the composed component so far.
func (g *Graph) ExportNames() []string {
	var out []string
	for _, e := range g.exports {
		out = append(out, e.name)
	}
	return out
}

// Wiring describes, for people, which argument each instantiation got.
func (g *Graph) Wiring() []string {
	var out []string
	for _, nd := range g.nodes {
		if nd.kind != nodeInstance {
			continue
		}
		names := append([]string(nil), nd.argOrder...)
		sort.Strings(names)
		for _, name := range names {
			if a, ok := nd.args[name]; ok {
				out = append(out, fmt.Sprintf("%s: import `%s` <- %s", nd.label, name, g.describeNode(a)))
			} else if i, ok := nd.implicit[name]; ok {
				out = append(out, fmt.Sprintf("%s: import `%s` <- import `%s` of the composition", nd.label, name, g.imports[i].name))
			}
		}
	}
	return out
}

func (g *Graph) describeNode(n NodeID) string {
	nd := g.nodes[n]
	switch nd.kind {
	case nodeImport:
		return fmt.Sprintf("import `%s` of the composition", nd.importName)
	case nodeAlias:
		return fmt.Sprintf("export `%s` of %s", nd.export, g.nodes[nd.source].label)
	}
	return "instance " + nd.label
}

// NewPackageFromWorld makes a package of a WIT world, for compositions
// that import components of that world rather than embed them
// (EncodeOptions.ImportPackages).
func NewPackageFromWorld(name string, r *wit.Resolve, world wit.WorldID) *Package {
	return &Package{Name: name, r: r, world: world}
}

// ReadPackage reads a package from a file: a component binary (.wasm), a
// component in the text format (.wat), or WIT (a .wit file or a folder,
// whose single world is the component's type; such a package can only be
// imported, not embedded). name is how messages and encoded names call it.
func ReadPackage(name, path string) (*Package, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() || strings.HasSuffix(path, ".wit") {
		r, pkgs, err := wit.Load(path, wit.Options{})
		if err != nil {
			return nil, err
		}
		w, err := r.SelectWorld(pkgs, "")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return NewPackageFromWorld(name, r, w), nil
	}
	if st.Size() > maxPackageSize {
		return nil, fmt.Errorf("%s: %d bytes is more than a package may have (%d)", path, st.Size(), int64(maxPackageSize))
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if strings.HasSuffix(path, ".wat") {
		// The text parser's errors already name path, line and column.
		if b, err = wat.Parse(path, b); err != nil {
			return nil, err
		}
	}
	return NewPackage(name, b)
}

// maxPackageSize bounds what ReadPackage reads.
const maxPackageSize = 1 << 30
