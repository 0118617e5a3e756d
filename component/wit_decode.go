package component

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/wasmcm/wasmcm/internal/witbin"
	"github.com/wasmcm/wasmcm/wit"
)

type witForeignPkg struct {
	name   wit.PackageName
	ifaces []wit.Entry[wit.InterfaceID]
}

type witOwnerKey struct {
	kind wit.TypeOwnerKind
	id   int32
}

func witKeyOf(o wit.TypeOwner) witOwnerKey {
	switch o.Kind {
	case wit.OwnerWorld:
		return witOwnerKey{o.Kind, int32(o.World)}
	case wit.OwnerInterface:
		return witOwnerKey{o.Kind, int32(o.Interface)}
	}
	return witOwnerKey{}
}

type witDecoder struct {
	tt *witTypes
	r  *wit.Resolve

	foreign      []*witForeignPkg
	foreignIndex map[string]int
	ifaceToPkg   map[wit.InterfaceID]int
	named        map[string]wit.InterfaceID
	resources    map[witOwnerKey]map[string]wit.TypeID
	typeMap      map[witTyID]wit.TypeID

	pkgIfaces []wit.Entry[wit.InterfaceID]
	pkgWorlds []wit.Entry[wit.WorldID]

	// shareTypes makes a type seen twice an alias, and an instance type
	// seen twice the same interface (ComponentTypes).
	shareTypes bool
	instances  map[witTyID]wit.InterfaceID
}

// DecodedWIT is what a component binary says in WIT: a WIT package (World
// is wit.NoWorld), or the world a component implements, which is world
// "root" of package root:component, the names the reference gives it.
type DecodedWIT struct {
	Resolve *wit.Resolve
	Package wit.PackageID
	World   wit.WorldID
}

// DecodeWIT decodes a component binary into WIT, as wit-parser's
// decoding.rs does: a component whose exports are all component types is a
// binary WIT package (as EncodeWIT writes it); any other component gives the
// world of its imports and exports, with the interfaces and types they use.
// Foreign packages are recreated with just the interfaces and types used.
// The result keeps no reference to b.
func DecodeWIT(b []byte) (*DecodedWIT, error) {
	// Decode's names point into its input, and the Resolve keeps them: a
	// private copy lets the caller reuse b.
	c, err := Decode(bytes.Clone(b))
	if err != nil {
		return nil, err
	}
	return ComponentWIT(c)
}

// ComponentWIT is DecodeWIT on a decoded component.
func ComponentWIT(c *Component) (*DecodedWIT, error) { return componentWIT(c, false) }

// ComponentTypes is ComponentWIT for tools that need a component's types
// rather than WIT text (composition): a type that an export shares with an
// import, as when an imported instance is exported again, becomes an alias
// of the import's type where ComponentWIT, like the reference, reports that
// WIT cannot say it.
func ComponentTypes(c *Component) (*DecodedWIT, error) { return componentWIT(c, true) }

func componentWIT(c *Component, shareTypes bool) (*DecodedWIT, error) {
	tt := &witTypes{}
	_, externs, err := tt.component(c, nil, 0)
	if err != nil {
		return nil, fmt.Errorf("wit: %w", err)
	}
	var metadata []byte
	for _, s := range c.Sections {
		if cs, ok := s.(*CustomSection); ok && cs.Name == witbin.PackageDocsSection {
			if metadata != nil {
				return nil, fmt.Errorf("wit: more than one %q section", witbin.PackageDocsSection)
			}
			metadata = cs.Data
		}
	}
	d := newWitDecoder(tt)
	d.shareTypes = shareTypes
	out := &DecodedWIT{World: wit.NoWorld}
	if witIsPackage(tt, externs) {
		if !witIsLabel(externs[0].entity.name.Name) {
			return nil, fmt.Errorf("wit: export %q has the form of the old (v1) WIT encoding, which is not supported", externs[0].entity.name.Name)
		}
		out.Package, err = d.decodePackage(externs)
	} else {
		out.World, out.Package, err = d.decodeComponent(externs)
	}
	if err != nil {
		return nil, fmt.Errorf("wit: %w", err)
	}
	if metadata != nil {
		if err := witbin.InjectPackageDocs(d.r, out.Package, metadata); err != nil {
			return nil, fmt.Errorf("wit: package-docs: %w", err)
		}
	}
	out.Resolve = d.r
	return out, nil
}

// witIsPackage reports whether the externs are those of a WIT package:
// only exports, each of a component type.
func witIsPackage(tt *witTypes, externs []witExtern) bool {
	if len(externs) == 0 {
		return false
	}
	for _, x := range externs {
		if !x.export || x.entity.sort != SortType || tt.tys[tt.peel(x.entity.created)].kind != witComponent {
			return false
		}
	}
	return true
}

func newWitDecoder(tt *witTypes) *witDecoder {
	return &witDecoder{
		tt: tt, r: &wit.Resolve{},
		foreignIndex: map[string]int{}, ifaceToPkg: map[wit.InterfaceID]int{},
		named: map[string]wit.InterfaceID{}, resources: map[witOwnerKey]map[string]wit.TypeID{},
		typeMap: map[witTyID]wit.TypeID{}, instances: map[witTyID]wit.InterfaceID{},
	}
}

// decodePackage decodes a binary WIT package: each export is a component
// type exporting one world (a component) or one interface (an instance).
func (d *witDecoder) decodePackage(externs []witExtern) (wit.PackageID, error) {
	var pkgName *wit.PackageName
	for _, x := range externs {
		exName := x.entity.name.Name
		comp := d.tt.tys[d.tt.peel(x.entity.created)]
		if len(comp.exports) != 1 {
			return wit.NoPackage, fmt.Errorf("%s: expected a single export, but found %d instead", exName, len(comp.exports))
		}
		item := comp.exports[0]
		var name wit.PackageName
		var err error
		switch item.sort {
		case SortComponent:
			name, err = d.decodeWorld(item)
		case SortInstance:
			name, err = d.decodeInterface(comp.imports, item)
		default:
			err = fmt.Errorf("the export is neither a world nor an interface")
		}
		if err != nil {
			return wit.NoPackage, fmt.Errorf("%s: %w", exName, err)
		}
		if pkgName == nil {
			pkgName = &name
		} else if pkgName.String() != name.String() {
			return wit.NoPackage, fmt.Errorf("%s: item defined with mismatched package name", exName)
		}
	}
	return d.finish(*pkgName)
}

// decodeComponent decodes the world of a component: its imports of
// instances, functions and types, and its exports of instances and
// functions, in order.
func (d *witDecoder) decodeComponent(externs []witExtern) (wit.WorldID, wit.PackageID, error) {
	w := &wit.World{Name: "root", Package: wit.NoPackage}
	d.r.Worlds = append(d.r.Worlds, w)
	wid := wit.WorldID(len(d.r.Worlds) - 1)
	owner := wit.TypeOwner{Kind: wit.OwnerWorld, World: wid}
	for _, x := range externs {
		e := x.entity
		name := e.name.Name
		var it wit.WorldItem
		var err error
		switch e.sort {
		case SortInstance:
			it, err = d.decodeWorldInstance(e)
		case SortFunc:
			var f *wit.Function
			if f, err = d.convertFunction(name, e, owner); err != nil {
				err = fmt.Errorf("failed to decode function from %s `%s`: %w", witDir(x.export), name, err)
			}
			it = wit.WorldItem{Key: wit.WorldKey{Name: name}, Kind: wit.WorldItemFunction, Function: f}
		case SortType:
			if x.export {
				return 0, 0, fmt.Errorf("component export `%s` was not a function or instance", name)
			}
			var id wit.TypeID
			if id, err = d.registerTypeExport(name, e, owner); err != nil {
				err = fmt.Errorf("failed to decode type from export `%s`: %w", name, err)
			}
			it = wit.WorldItem{Key: wit.WorldKey{Name: name}, Kind: wit.WorldItemType, Type: id}
		default:
			if x.export {
				return 0, 0, fmt.Errorf("component export `%s` was not a function or instance", name)
			}
			continue // other imports are not part of the world
		}
		if err != nil {
			return 0, 0, err
		}
		if x.export {
			w.Exports = witInsertItem(d.r, w.Exports, it)
		} else {
			w.Imports = witInsertItem(d.r, w.Imports, it)
		}
	}
	d.pkgWorlds = append(d.pkgWorlds, wit.Entry[wit.WorldID]{Name: "root", ID: wid})
	pkg, err := d.finish(wit.PackageName{Namespace: "root", Name: "component"})
	return wid, pkg, err
}

func witDir(export bool) string {
	if export {
		return "export"
	}
	return "import"
}

// witInsertItem adds it to a world's items, replacing an item of the same
// key as the reference's ordered map does.
func witInsertItem(r *wit.Resolve, items []wit.WorldItem, it wit.WorldItem) []wit.WorldItem {
	for i := range items {
		if items[i].Key == it.Key {
			items[i] = it
			return items
		}
	}
	return append(items, it)
}

// witParseInterfaceName splits "ns:pkg/iface@version".
func witParseInterfaceName(s string) (struct {
	pkg   wit.PackageName
	iface string
}, bool) {
	var out struct {
		pkg   wit.PackageName
		iface string
	}
	colon := strings.IndexByte(s, ':')
	slash := strings.IndexByte(s, '/')
	if colon <= 0 || slash <= colon+1 {
		return out, false
	}
	rest := s[slash+1:]
	if at := strings.IndexByte(rest, '@'); at >= 0 {
		v, err := wit.ParseVersion(rest[at+1:])
		if err != nil {
			return out, false
		}
		out.pkg.Version = &v
		rest = rest[:at]
	}
	if rest == "" || strings.ContainsAny(rest, "/:") {
		return out, false
	}
	out.pkg.Namespace, out.pkg.Name, out.iface = s[:colon], s[colon+1:slash], rest
	return out, true
}

func (d *witDecoder) decodeInterface(imports []witEntity, item witEntity) (wit.PackageName, error) {
	n, ok := witParseInterfaceName(item.name.Name)
	if !ok {
		return wit.PackageName{}, fmt.Errorf("expected the interface name %q to be fully qualified", item.name.Name)
	}
	for _, imp := range imports {
		if _, err := d.registerImport(imp.name.Name, imp); err != nil {
			return wit.PackageName{}, fmt.Errorf("failed to process import `%s`: %w", imp.name.Name, err)
		}
	}
	if _, _, err := d.registerInterface(item.name.Name, item); err != nil {
		return wit.PackageName{}, err
	}
	return n.pkg, nil
}

func (d *witDecoder) decodeWorld(item witEntity) (wit.PackageName, error) {
	n, ok := witParseInterfaceName(item.name.Name)
	if !ok {
		return wit.PackageName{}, fmt.Errorf("expected the world name %q to be fully qualified", item.name.Name)
	}
	if err := d.registerWorld(n.iface, d.tt.tys[item.typ]); err != nil {
		return wit.PackageName{}, err
	}
	return n.pkg, nil
}

// registerImport connects an imported instance to the interface it names:
// one of this package (whose types are then matched by name) or one of a
// foreign package, which is filled in lazily with what is used.
func (d *witDecoder) registerImport(name string, item witEntity) (wit.InterfaceID, error) {
	if item.sort != SortInstance {
		return 0, fmt.Errorf("import `%s` is not an instance", name)
	}
	ty := d.tt.tys[item.typ]
	id, local := d.named[name]
	if !local {
		var err error
		if id, err = d.extractDepInterface(name); err != nil {
			return 0, err
		}
	}
	owner := wit.TypeOwner{Kind: wit.OwnerInterface, Interface: id}
	for _, e := range ty.exports {
		iface := d.r.Interfaces[id]
		switch e.sort {
		case SortType:
			if existing, ok := wit.Lookup(iface.Types, e.name.Name); ok {
				if ref := d.tt.tys[e.referenced]; ref.kind == witDefined {
					if err := d.registerDefined(existing, e.referenced, 0); err != nil {
						return 0, err
					}
				}
				if _, dup := d.typeMap[e.created]; dup {
					return 0, fmt.Errorf("type `%s` appears twice", e.name.Name)
				}
				d.typeMap[e.created] = existing
				continue
			}
			if local {
				return 0, fmt.Errorf("instance type export `%s` not defined in interface", e.name.Name)
			}
			tid, err := d.registerTypeExport(e.name.Name, e, owner)
			if err != nil {
				return 0, err
			}
			iface.Types = append(iface.Types, wit.Entry[wit.TypeID]{Name: e.name.Name, ID: tid})
		case SortFunc:
			if iface.Function(e.name.Name) != nil {
				continue
			}
			if local {
				return 0, fmt.Errorf("instance function export `%s` not defined in interface", e.name.Name)
			}
			f, err := d.convertFunction(e.name.Name, e, owner)
			if err != nil {
				return 0, err
			}
			iface.Functions = append(iface.Functions, f)
		default:
			return 0, fmt.Errorf("instance type export `%s` is not a type", e.name.Name)
		}
	}
	return id, nil
}

func (d *witDecoder) extractDepInterface(name string) (wit.InterfaceID, error) {
	n, ok := witParseInterfaceName(name)
	if !ok {
		return 0, fmt.Errorf("package name is not a valid id: %s", name)
	}
	key := n.pkg.String()
	pi, ok := d.foreignIndex[key]
	if !ok {
		pi = len(d.foreign)
		d.foreign = append(d.foreign, &witForeignPkg{name: n.pkg})
		d.foreignIndex[key] = pi
	}
	p := d.foreign[pi]
	id, ok := wit.Lookup(p.ifaces, n.iface)
	if !ok {
		d.r.Interfaces = append(d.r.Interfaces, &wit.Interface{Name: n.iface, Package: wit.NoPackage})
		id = wit.InterfaceID(len(d.r.Interfaces) - 1)
		p.ifaces = append(p.ifaces, wit.Entry[wit.InterfaceID]{Name: n.iface, ID: id})
	}
	d.ifaceToPkg[id] = pi
	return id, nil
}

// registerInterface turns an instance type into an interface: a named one
// of this package, or an anonymous one of a world (keyed by its name).
func (d *witDecoder) registerInterface(name string, item witEntity) (wit.WorldKey, wit.InterfaceID, error) {
	if _, ok := d.named[name]; ok {
		id, err := d.registerImport(name, item)
		return wit.WorldKey{Interface: id}, id, err
	}
	ifaceName := ""
	if n, ok := witParseInterfaceName(name); ok {
		ifaceName = n.iface
	} else if !witIsLabel(name) {
		return wit.WorldKey{}, 0, fmt.Errorf("cannot extract item name from: %s", name)
	}
	iface := &wit.Interface{Name: ifaceName, Package: wit.NoPackage}
	d.r.Interfaces = append(d.r.Interfaces, iface)
	id := wit.InterfaceID(len(d.r.Interfaces) - 1)
	owner := wit.TypeOwner{Kind: wit.OwnerInterface, Interface: id}
	for _, e := range d.tt.tys[item.typ].exports {
		switch e.sort {
		case SortType:
			tid, err := d.registerTypeExport(e.name.Name, e, owner)
			if err != nil {
				return wit.WorldKey{}, 0, fmt.Errorf("failed to register type export '%s': %w", e.name.Name, err)
			}
			iface.Types = append(iface.Types, wit.Entry[wit.TypeID]{Name: e.name.Name, ID: tid})
		case SortFunc:
			f, err := d.convertFunction(e.name.Name, e, owner)
			if err != nil {
				return wit.WorldKey{}, 0, fmt.Errorf("failed to convert function '%s': %w", e.name.Name, err)
			}
			iface.Functions = append(iface.Functions, f)
		default:
			return wit.WorldKey{}, 0, fmt.Errorf("instance type export `%s` is not a type or function", e.name.Name)
		}
	}
	if ifaceName == "" {
		return wit.WorldKey{Name: name}, id, nil
	}
	if _, dup := wit.Lookup(d.pkgIfaces, ifaceName); dup {
		return wit.WorldKey{}, 0, fmt.Errorf("duplicate interface %s", name)
	}
	d.pkgIfaces = append(d.pkgIfaces, wit.Entry[wit.InterfaceID]{Name: ifaceName, ID: id})
	d.named[name] = id
	return wit.WorldKey{Interface: id}, id, nil
}

// witIsLabel reports whether s is a plain kebab-case name.
func witIsLabel(s string) bool {
	if s == "" {
		return false
	}
	for _, w := range strings.Split(s, "-") {
		if w == "" {
			return false
		}
		for _, c := range w {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
				return false
			}
		}
		if w[0] >= '0' && w[0] <= '9' {
			return false
		}
	}
	return true
}

// findAlias returns the WIT type that id, or what it is an alias of, was
// decoded to already.
func (d *witDecoder) findAlias(id witTyID) (wit.TypeID, bool) {
	for n := 0; n <= len(d.tt.tys); n++ {
		if t, ok := d.typeMap[id]; ok {
			return t, true
		}
		if d.tt.tys[id].kind != witAlias {
			return 0, false
		}
		id = d.tt.tys[id].alias
	}
	return 0, false
}

func (d *witDecoder) registerTypeExport(name string, e witEntity, owner wit.TypeOwner) (wit.TypeID, error) {
	if prev, dup := d.typeMap[e.created]; dup && d.shareTypes {
		// The same type again: an alias of it, and for a resource, the
		// resource itself for the functions of its owner.
		d.r.Types = append(d.r.Types, &wit.TypeDef{Name: name, Owner: owner, Kind: wit.KindType, Elem: wit.TypeOf(prev)})
		if d.r.Types[prev].Kind == wit.KindResource {
			k := witKeyOf(owner)
			if d.resources[k] == nil {
				d.resources[k] = map[string]wit.TypeID{}
			}
			d.resources[k][name] = prev
		}
		return wit.TypeID(len(d.r.Types) - 1), nil
	}
	td := &wit.TypeDef{Name: name, Owner: owner}
	if prev, ok := d.findAlias(e.referenced); ok {
		td.Kind, td.Elem = wit.KindType, wit.TypeOf(prev)
	} else {
		ref := d.tt.tys[d.tt.peel(e.referenced)]
		switch ref.kind {
		case witDefined:
			if err := d.convertDefined(ref.def, td); err != nil {
				return 0, fmt.Errorf("failed to convert unaliased type: %w", err)
			}
		case witResource:
			td.Kind = wit.KindResource
		default:
			return 0, fmt.Errorf("type export `%s` is not a value type or resource", name)
		}
	}
	d.r.Types = append(d.r.Types, td)
	id := wit.TypeID(len(d.r.Types) - 1)
	if td.Kind == wit.KindResource {
		k := witKeyOf(owner)
		if d.resources[k] == nil {
			d.resources[k] = map[string]wit.TypeID{}
		}
		d.resources[k][name] = id
	}
	if _, dup := d.typeMap[e.created]; dup {
		return 0, fmt.Errorf("cannot represent this component in WIT: the type `%s` appears more than once", name)
	}
	d.typeMap[e.created] = id
	return id, nil
}

func (d *witDecoder) registerWorld(name string, ty witTy) error {
	w := &wit.World{Name: name, Package: wit.NoPackage}
	d.r.Worlds = append(d.r.Worlds, w)
	wid := wit.WorldID(len(d.r.Worlds) - 1)
	owner := wit.TypeOwner{Kind: wit.OwnerWorld, World: wid}
	for _, e := range ty.imports {
		var it wit.WorldItem
		switch e.sort {
		case SortInstance:
			var err error
			if it, err = d.decodeWorldInstance(e); err != nil {
				return err
			}
		case SortType:
			id, err := d.registerTypeExport(e.name.Name, e, owner)
			if err != nil {
				return err
			}
			it = wit.WorldItem{Key: wit.WorldKey{Name: e.name.Name}, Kind: wit.WorldItemType, Type: id}
		case SortFunc:
			f, err := d.convertFunction(e.name.Name, e, owner)
			if err != nil {
				return err
			}
			it = wit.WorldItem{Key: wit.WorldKey{Name: e.name.Name}, Kind: wit.WorldItemFunction, Function: f}
		default:
			return fmt.Errorf("component import `%s` is not an instance, func, or type", e.name.Name)
		}
		w.Imports = append(w.Imports, it)
	}
	for _, e := range ty.exports {
		var it wit.WorldItem
		switch e.sort {
		case SortInstance:
			var err error
			if it, err = d.decodeWorldInstance(e); err != nil {
				return err
			}
		case SortFunc:
			f, err := d.convertFunction(e.name.Name, e, owner)
			if err != nil {
				return err
			}
			it = wit.WorldItem{Key: wit.WorldKey{Name: e.name.Name}, Kind: wit.WorldItemFunction, Function: f}
		default:
			return fmt.Errorf("component export `%s` is not an instance or function", e.name.Name)
		}
		w.Exports = append(w.Exports, it)
	}
	if _, dup := wit.Lookup(d.pkgWorlds, name); dup {
		return fmt.Errorf("duplicate world %s", name)
	}
	d.pkgWorlds = append(d.pkgWorlds, wit.Entry[wit.WorldID]{Name: name, ID: wid})
	return nil
}

func (d *witDecoder) decodeWorldInstance(e witEntity) (wit.WorldItem, error) {
	var key wit.WorldKey
	var id wit.InterfaceID
	var err error
	if prev, ok := d.instances[e.typ]; ok && d.shareTypes && !witHasAttr(&e.name, AttrImplements) {
		if _, named := witParseInterfaceName(e.name.Name); !named {
			// An instance of a type seen before (an imported instance
			// exported again): the same interface, as the reference's
			// composition tools type it.
			return wit.WorldItem{Key: wit.WorldKey{Name: e.name.Name}, Kind: wit.WorldItemInterface, Interface: prev}, nil
		}
	}
	defer func() {
		if err == nil && d.shareTypes {
			if _, seen := d.instances[e.typ]; !seen {
				d.instances[e.typ] = id
			}
		}
	}()
	switch {
	case witHasAttr(&e.name, AttrImplements):
		impl, _ := e.name.Attr(AttrImplements)
		id, err = d.registerImport(impl, e)
		key = wit.WorldKey{Name: e.name.Name}
	default:
		if _, ok := witParseInterfaceName(e.name.Name); ok {
			id, err = d.registerImport(e.name.Name, e)
			key = wit.WorldKey{Interface: id}
		} else {
			key, id, err = d.registerInterface(e.name.Name, e)
		}
	}
	if err != nil {
		return wit.WorldItem{}, fmt.Errorf("failed to decode WIT from `%s`: %w", e.name.Name, err)
	}
	return wit.WorldItem{Key: key, Kind: wit.WorldItemInterface, Interface: id}, nil
}

func (d *witDecoder) convertFunction(name string, e witEntity, owner wit.TypeOwner) (*wit.Function, error) {
	if e.sort != SortFunc {
		return nil, fmt.Errorf("`%s` is not a function", name)
	}
	ft := d.tt.tys[e.typ].fn
	f := &wit.Function{Name: name}
	for _, p := range ft.Params {
		t, err := d.convertValType(p.Type)
		if err != nil {
			return nil, fmt.Errorf("failed to convert params: %w", err)
		}
		f.Params = append(f.Params, wit.Param{Name: p.Name, Type: t})
	}
	if ft.Result != nil {
		t, err := d.convertValType(*ft.Result)
		if err != nil {
			return nil, fmt.Errorf("failed to convert anonymous result type: %w", err)
		}
		f.Result = t
	}
	resource := func(r string) (wit.TypeID, error) {
		id, ok := d.resources[witKeyOf(owner)][r]
		if !ok {
			return 0, fmt.Errorf("function `%s` belongs to resource `%s`, which is not defined here", name, r)
		}
		return id, nil
	}
	var err error
	switch {
	case strings.HasPrefix(name, "[constructor]"):
		f.Kind = wit.Constructor
		f.Resource, err = resource(strings.TrimPrefix(name, "[constructor]"))
	case strings.HasPrefix(name, "[method]"), strings.HasPrefix(name, "[static]"):
		rest := name[strings.IndexByte(name, ']')+1:]
		dot := strings.IndexByte(rest, '.')
		if dot < 0 {
			return nil, fmt.Errorf("function name `%s` lacks the resource's name", name)
		}
		method := strings.HasPrefix(name, "[method]")
		switch {
		case method && ft.Async:
			f.Kind = wit.AsyncMethod
		case method:
			f.Kind = wit.Method
		case ft.Async:
			f.Kind = wit.AsyncStatic
		default:
			f.Kind = wit.Static
		}
		f.Resource, err = resource(rest[:dot])
	case ft.Async:
		f.Kind = wit.AsyncFreestanding
	default:
		f.Kind = wit.Freestanding
	}
	if err != nil {
		return nil, err
	}
	return f, nil
}

var witPrimTypes = map[PrimValType]wit.Type{
	Bool: wit.Bool, U8: wit.U8, U16: wit.U16, U32: wit.U32, U64: wit.U64,
	S8: wit.S8, S16: wit.S16, S32: wit.S32, S64: wit.S64,
	F32: wit.F32, F64: wit.F64, Char: wit.Char, String: wit.String,
	ErrorContext: wit.ErrorContext,
}

// convertValType returns the WIT type of a value type, defining an
// anonymous type the first time a structural type is met.
func (d *witDecoder) convertValType(v ValType) (wit.Type, error) {
	if v.Prim != 0 {
		return witPrimTypes[v.Prim], nil
	}
	id := witTyID(v.Index)
	if t, ok := d.typeMap[id]; ok {
		return wit.TypeOf(t), nil
	}
	info := d.tt.tys[d.tt.peel(id)]
	if info.kind != witDefined {
		return wit.NoneType, fmt.Errorf("a value type refers to a type that is not a value type")
	}
	td := &wit.TypeDef{}
	if err := d.convertDefined(info.def, td); err != nil {
		return wit.NoneType, err
	}
	switch td.Kind {
	case wit.KindRecord, wit.KindVariant, wit.KindEnum, wit.KindFlags, wit.KindResource:
		return wit.NoneType, fmt.Errorf("unexpected unnamed type of kind '%s'", td.Kind)
	}
	d.r.Types = append(d.r.Types, td)
	t := wit.TypeID(len(d.r.Types) - 1)
	d.typeMap[id] = t
	return wit.TypeOf(t), nil
}

func (d *witDecoder) optValType(v *ValType) (wit.Type, error) {
	if v == nil {
		return wit.NoneType, nil
	}
	return d.convertValType(*v)
}

// convertDefined fills td's kind and structure from a defined type.
func (d *witDecoder) convertDefined(v *DefinedType, td *wit.TypeDef) error {
	var err error
	switch v.Kind {
	case KindPrimitive:
		td.Kind, td.Elem = wit.KindType, witPrimTypes[v.Prim]
	case KindList, KindOption:
		td.Kind = wit.KindList
		if v.Kind == KindOption {
			td.Kind = wit.KindOption
		}
		td.Elem, err = d.convertValType(v.Elem)
	case KindFixedList:
		td.Kind, td.Len = wit.KindFixedLengthList, v.Len
		td.Elem, err = d.convertValType(v.Elem)
	case KindMap:
		td.Kind = wit.KindMap
		if td.Key, err = d.convertValType(v.Key); err == nil {
			td.Elem, err = d.convertValType(v.Elem)
		}
	case KindTuple:
		td.Kind = wit.KindTuple
		for _, x := range v.Types {
			t, err := d.convertValType(x)
			if err != nil {
				return err
			}
			td.Tuple = append(td.Tuple, t)
		}
	case KindResult:
		td.Kind = wit.KindResult
		if td.Ok, err = d.optValType(v.Ok); err == nil {
			td.Err, err = d.optValType(v.Err)
		}
	case KindRecord:
		td.Kind = wit.KindRecord
		for _, f := range v.Fields {
			t, err := d.convertValType(f.Type)
			if err != nil {
				return fmt.Errorf("failed to convert record field '%s': %w", f.Name, err)
			}
			td.Fields = append(td.Fields, wit.Field{Name: f.Name, Type: t})
		}
	case KindVariant:
		td.Kind = wit.KindVariant
		for _, c := range v.Cases {
			t, err := d.optValType(c.Type)
			if err != nil {
				return err
			}
			td.Cases = append(td.Cases, wit.Case{Name: c.Name, Type: t})
		}
	case KindFlags:
		td.Kind = wit.KindFlags
		for _, l := range v.Names {
			td.Flags = append(td.Flags, wit.Flag{Name: l})
		}
	case KindEnum:
		td.Kind = wit.KindEnum
		for _, l := range v.Names {
			td.Enum = append(td.Enum, wit.EnumCase{Name: l})
		}
	case KindOwn, KindBorrow:
		td.Kind = wit.KindOwn
		if v.Kind == KindBorrow {
			td.Kind = wit.KindBorrow
		}
		res, ok := d.findAlias(witTyID(v.Resource))
		if !ok {
			return fmt.Errorf("a handle refers to a resource that is not declared before it")
		}
		td.Resource = res
	case KindFuture, KindStream:
		td.Kind = wit.KindFuture
		if v.Kind == KindStream {
			td.Kind = wit.KindStream
		}
		td.Elem, err = d.optValType(v.Payload)
	default:
		return fmt.Errorf("unknown defined type %#x", byte(v.Kind))
	}
	return err
}

// witMaxDepth bounds how deeply registerDefined follows nested types.
const witMaxDepth = 1000

// registerDefined walks a type met again (a re-import of an interface
// already decoded) against its WIT definition, so that its anonymous parts
// map to the types already made rather than to new copies.
func (d *witDecoder) registerDefined(id wit.TypeID, def witTyID, depth int) error {
	if depth > witMaxDepth {
		return fmt.Errorf("types nested too deeply")
	}
	info := d.tt.tys[d.tt.peel(def)]
	if info.kind != witDefined {
		return nil
	}
	v, td := info.def, d.r.Types[id]
	if td.Kind == wit.KindType {
		if _, ok := td.Elem.ID(); ok {
			return nil // named elsewhere: nothing anonymous to connect
		}
	}
	pair := func(w *ValType, t wit.Type) error {
		if w == nil || w.Prim != 0 {
			return nil
		}
		tid, ok := t.ID()
		if !ok {
			return fmt.Errorf("expected id-based type")
		}
		_, had := d.typeMap[witTyID(w.Index)]
		d.typeMap[witTyID(w.Index)] = tid
		if had {
			return nil
		}
		return d.registerDefined(tid, witTyID(w.Index), depth+1)
	}
	mismatch := func(what string) error { return fmt.Errorf("expected %s", what) }
	switch v.Kind {
	case KindList, KindOption:
		if td.Kind != wit.KindList && td.Kind != wit.KindOption {
			return mismatch("a list or option")
		}
		return pair(&v.Elem, td.Elem)
	case KindFixedList:
		if td.Kind != wit.KindFixedLengthList || td.Len != v.Len {
			return mismatch("a fixed-length list")
		}
		return pair(&v.Elem, td.Elem)
	case KindMap:
		if td.Kind != wit.KindMap {
			return mismatch("a map")
		}
		if err := pair(&v.Key, td.Key); err != nil {
			return err
		}
		return pair(&v.Elem, td.Elem)
	case KindTuple:
		if td.Kind != wit.KindTuple || len(td.Tuple) != len(v.Types) {
			return mismatch("a tuple")
		}
		for i := range v.Types {
			if err := pair(&v.Types[i], td.Tuple[i]); err != nil {
				return err
			}
		}
	case KindResult:
		if td.Kind != wit.KindResult || (v.Ok == nil) != (td.Ok == wit.NoneType) || (v.Err == nil) != (td.Err == wit.NoneType) {
			return mismatch("a result of the same shape")
		}
		if err := pair(v.Ok, td.Ok); err != nil {
			return err
		}
		return pair(v.Err, td.Err)
	case KindRecord:
		if td.Kind != wit.KindRecord || len(td.Fields) != len(v.Fields) {
			return mismatch("a record")
		}
		for i := range v.Fields {
			if v.Fields[i].Name != td.Fields[i].Name {
				return fmt.Errorf("mismatched field order")
			}
			if err := pair(&v.Fields[i].Type, td.Fields[i].Type); err != nil {
				return err
			}
		}
	case KindVariant:
		if td.Kind != wit.KindVariant || len(td.Cases) != len(v.Cases) {
			return mismatch("a variant")
		}
		for i := range v.Cases {
			if v.Cases[i].Name != td.Cases[i].Name {
				return fmt.Errorf("mismatched case order")
			}
			if (v.Cases[i].Type == nil) != (td.Cases[i].Type == wit.NoneType) {
				return fmt.Errorf("disagreement on case type")
			}
			if err := pair(v.Cases[i].Type, td.Cases[i].Type); err != nil {
				return err
			}
		}
	case KindFuture, KindStream:
		if (v.Payload == nil) != (td.Elem == wit.NoneType) {
			return fmt.Errorf("disagreement on payload")
		}
		return pair(v.Payload, td.Elem)
	}
	return nil
}

// finish puts the foreign packages, in dependency order, and then the
// decoded package into the Resolve.
func (d *witDecoder) finish(name wit.PackageName) (wit.PackageID, error) {
	var order []int
	state := make([]uint8, len(d.foreign)) // 0 new, 1 visiting, 2 done
	var visit func(i int) error
	visit = func(i int) error {
		switch state[i] {
		case 1:
			return fmt.Errorf("witbin: packages %s depend on each other in a cycle", d.foreign[i].name)
		case 2:
			return nil
		}
		state[i] = 1
		for _, e := range d.foreign[i].ifaces {
			for _, t := range d.r.Interfaces[e.ID].Types {
				if dep, ok := witTypeInterfaceDep(d.r, t.ID); ok {
					if j, ok := d.ifaceToPkg[dep]; ok && j != i {
						if err := visit(j); err != nil {
							return err
						}
					}
				}
			}
		}
		state[i] = 2
		order = append(order, i)
		return nil
	}
	for i := range d.foreign {
		if err := visit(i); err != nil {
			return wit.NoPackage, err
		}
	}
	var own []wit.Entry[wit.InterfaceID]
	for _, i := range order {
		p := d.foreign[i]
		if p.name == name {
			// Interfaces of the decoded world's own package (a world
			// in a component-type section imports them by full name)
			// belong to that package, not to a second one of its name.
			own = append(own, p.ifaces...)
			continue
		}
		d.insertPackage(p.name, p.ifaces, nil)
	}
	return d.insertPackage(name, append(own, d.pkgIfaces...), d.pkgWorlds), nil
}

func (d *witDecoder) insertPackage(name wit.PackageName, ifaces []wit.Entry[wit.InterfaceID], worlds []wit.Entry[wit.WorldID]) wit.PackageID {
	d.r.Packages = append(d.r.Packages, &wit.Package{Name: name, Interfaces: ifaces, Worlds: worlds})
	id := wit.PackageID(len(d.r.Packages) - 1)
	for _, e := range ifaces {
		d.r.Interfaces[e.ID].Package = id
	}
	for _, e := range worlds {
		w := d.r.Worlds[e.ID]
		w.Package = id
		for _, list := range [][]wit.WorldItem{w.Imports, w.Exports} {
			for _, it := range list {
				if !it.Key.IsInterface() && it.Kind == wit.WorldItemInterface && d.r.Interfaces[it.Interface].Name == "" {
					d.r.Interfaces[it.Interface].Package = id
				}
			}
		}
	}
	return id
}

func witHasAttr(n *ExternName, k NameAttrKind) bool {
	_, ok := n.Attr(k)
	return ok
}
