package witbin

import (
	"fmt"
	"strings"

	"github.com/wasmcm/wasmcm/wit"
)

// Decoding follows wit-parser's decoding.rs: the component types are first
// given identities (the reference gets those from wasmparser's validator;
// here a small table of type ids does the same for the constructs the WIT
// encoding uses), then walked to rebuild interfaces, worlds and types.

// anyID identifies a type across all scopes of the component, as
// wasmparser's ComponentAnyTypeId does.
type anyID int32

type tyKind uint8

const (
	tkDefined tyKind = iota
	tkFunc
	tkComponent
	tkInstance
	tkResource
	tkAlias // a type exported with (eq i): a new identity equal to alias
)

// entity is one import or export of a component or instance type.
type entity struct {
	name ExternName
	sort byte
	typ  anyID // func, instance, component: its type
	// type sort: what the bound refers to and the identity the export
	// creates (the same fresh resource for (sub resource)).
	referenced, created anyID
}

type tyInfo struct {
	kind  tyKind
	alias anyID
	// def and fn hold anyIDs in place of type indices.
	def              *DefVal
	fn               *FuncType
	imports, exports []entity
}

type scope struct {
	parent    *scope
	types     []anyID
	instances []anyID
}

type typeTable struct{ tys []tyInfo }

func (tt *typeTable) add(t tyInfo) anyID {
	tt.tys = append(tt.tys, t)
	return anyID(len(tt.tys) - 1)
}

func (s *scope) typ(i uint32) (anyID, error) {
	if int(i) >= len(s.types) {
		return 0, fmt.Errorf("type index %d out of bounds (%d types)", i, len(s.types))
	}
	return s.types[i], nil
}

// resolveVal turns a type index into an anyID (kept in ValType.Index).
func (s *scope) resolveVal(v ValType) (ValType, error) {
	if v.Prim != 0 {
		return v, nil
	}
	id, err := s.typ(v.Index)
	return ValType{Index: uint32(id)}, err
}

func (s *scope) resolveOpt(v *ValType) (*ValType, error) {
	if v == nil {
		return nil, nil
	}
	r, err := s.resolveVal(*v)
	return &r, err
}

// defineType gives a type definition of scope s its identity.
func (tt *typeTable) defineType(t *Type, s *scope) (anyID, error) {
	switch t.Kind {
	case TypeDefined:
		v := t.Defined
		var err error
		for i := range v.Fields {
			if v.Fields[i].Type, err = s.resolveVal(v.Fields[i].Type); err != nil {
				return 0, err
			}
		}
		v.Fields = append([]Named(nil), v.Fields...)
		cases := make([]Case, len(v.Cases))
		for i, c := range v.Cases {
			cases[i].Name = c.Name
			if cases[i].Type, err = s.resolveOpt(c.Type); err != nil {
				return 0, err
			}
		}
		v.Cases = cases
		types := make([]ValType, len(v.Types))
		for i, x := range v.Types {
			if types[i], err = s.resolveVal(x); err != nil {
				return 0, err
			}
		}
		v.Types = types
		if v.Elem, err = s.resolveOpt(v.Elem); err != nil {
			return 0, err
		}
		if v.Ok, err = s.resolveOpt(v.Ok); err != nil {
			return 0, err
		}
		if v.Err, err = s.resolveOpt(v.Err); err != nil {
			return 0, err
		}
		if v.Op == OpMap {
			if v.Key, err = s.resolveVal(v.Key); err != nil {
				return 0, err
			}
		}
		if v.Op == OpOwn || v.Op == OpBorrow {
			id, err := s.typ(v.Index)
			if err != nil {
				return 0, err
			}
			v.Index = uint32(id)
		}
		return tt.add(tyInfo{kind: tkDefined, def: &v}), nil
	case TypeFunc:
		f := FuncType{Async: t.Func.Async}
		for _, p := range t.Func.Params {
			vt, err := s.resolveVal(p.Type)
			if err != nil {
				return 0, err
			}
			f.Params = append(f.Params, Named{Name: p.Name, Type: vt})
		}
		var err error
		if f.Result, err = s.resolveOpt(t.Func.Result); err != nil {
			return 0, err
		}
		return tt.add(tyInfo{kind: tkFunc, fn: &f}), nil
	case TypeComponent, TypeInstance:
		inner := &scope{parent: s}
		info := tyInfo{kind: tkComponent}
		if t.Kind == TypeInstance {
			info.kind = tkInstance
		}
		for i := range t.Component.List {
			d := &t.Component.List[i]
			switch d.Kind {
			case DeclType:
				id, err := tt.defineType(d.Type, inner)
				if err != nil {
					return 0, err
				}
				inner.types = append(inner.types, id)
			case DeclAlias:
				id, err := tt.alias(d.Alias, inner)
				if err != nil {
					return 0, err
				}
				inner.types = append(inner.types, id)
			case DeclImport, DeclExport:
				e, err := tt.entity(d, inner)
				if err != nil {
					return 0, err
				}
				if d.Kind == DeclImport {
					info.imports = append(info.imports, e)
				} else {
					info.exports = append(info.exports, e)
				}
			}
		}
		return tt.add(info), nil
	}
	return 0, fmt.Errorf("unknown type kind %d", t.Kind)
}

func (tt *typeTable) alias(a Alias, s *scope) (anyID, error) {
	if a.Outer {
		o := s
		for range a.Count {
			if o.parent == nil {
				return 0, fmt.Errorf("outer alias count %d reaches past the outermost scope", a.Count)
			}
			o = o.parent
		}
		return o.typ(a.Index)
	}
	if int(a.Instance) >= len(s.instances) {
		return 0, fmt.Errorf("instance index %d out of bounds", a.Instance)
	}
	inst := tt.tys[s.instances[a.Instance]]
	for _, e := range inst.exports {
		if e.name.Name == a.Name && e.sort == SortType {
			return e.created, nil
		}
	}
	return 0, fmt.Errorf("instance %d has no type export %q", a.Instance, a.Name)
}

func (tt *typeTable) entity(d *Decl, s *scope) (entity, error) {
	e := entity{name: d.Name, sort: d.Extern.Sort}
	switch d.Extern.Sort {
	case SortType:
		if d.Extern.SubResource {
			e.created = tt.add(tyInfo{kind: tkResource})
			e.referenced = e.created
		} else {
			ref, err := s.typ(d.Extern.Index)
			if err != nil {
				return e, err
			}
			e.referenced = ref
			e.created = tt.add(tyInfo{kind: tkAlias, alias: ref})
		}
		s.types = append(s.types, e.created)
		return e, nil
	case SortFunc, SortInstance, SortComponent:
		id, err := s.typ(d.Extern.Index)
		if err != nil {
			return e, err
		}
		want := map[byte]tyKind{SortFunc: tkFunc, SortInstance: tkInstance, SortComponent: tkComponent}[d.Extern.Sort]
		if tt.tys[id].kind != want {
			return e, fmt.Errorf("%q: type %d is not of the kind its sort needs", d.Name.Name, d.Extern.Index)
		}
		e.typ = id
		if d.Extern.Sort == SortInstance {
			s.instances = append(s.instances, id)
		}
		return e, nil
	}
	return e, fmt.Errorf("%q: unsupported sort %#x", d.Name.Name, d.Extern.Sort)
}

// peel follows the identities created by (eq i) exports.
func (tt *typeTable) peel(id anyID) anyID {
	for n := 0; tt.tys[id].kind == tkAlias && n <= len(tt.tys); n++ {
		id = tt.tys[id].alias
	}
	return id
}

// Decode decodes a component holding an encoded WIT package (as Encode
// writes it) into a new Resolve, returning the package's id. The packages
// it uses are recreated with just the interfaces and types it needs.
func Decode(b []byte) (*wit.Resolve, wit.PackageID, error) {
	c, err := Read(b)
	if err != nil {
		return nil, wit.NoPackage, err
	}
	return DecodeComponent(c)
}

type foreignPkg struct {
	name   wit.PackageName
	ifaces []wit.Entry[wit.InterfaceID]
}

type ownerKey struct {
	kind wit.TypeOwnerKind
	id   int32
}

func keyOf(o wit.TypeOwner) ownerKey {
	switch o.Kind {
	case wit.OwnerWorld:
		return ownerKey{o.Kind, int32(o.World)}
	case wit.OwnerInterface:
		return ownerKey{o.Kind, int32(o.Interface)}
	}
	return ownerKey{}
}

type decoder struct {
	tt *typeTable
	r  *wit.Resolve

	foreign      []*foreignPkg
	foreignIndex map[string]int
	ifaceToPkg   map[wit.InterfaceID]int
	named        map[string]wit.InterfaceID
	resources    map[ownerKey]map[string]wit.TypeID
	typeMap      map[anyID]wit.TypeID

	pkgIfaces []wit.Entry[wit.InterfaceID]
	pkgWorlds []wit.Entry[wit.WorldID]
}

// DecodeComponent is Decode from the tree.
func DecodeComponent(c *Component) (*wit.Resolve, wit.PackageID, error) {
	tt := &typeTable{}
	root := &scope{}
	type export struct {
		name string
		id   anyID
	}
	var exports []export
	var metadata []byte
	for _, it := range c.Items {
		switch it.Kind {
		case ItemType:
			id, err := tt.defineType(it.Type, root)
			if err != nil {
				return nil, wit.NoPackage, fmt.Errorf("witbin: %w", err)
			}
			root.types = append(root.types, id)
		case ItemExport:
			id, err := root.typ(it.Index)
			if err != nil {
				return nil, wit.NoPackage, fmt.Errorf("witbin: export %q: %w", it.Name, err)
			}
			if tt.tys[id].kind != tkComponent {
				return nil, wit.NoPackage, fmt.Errorf("witbin: export %q is not a component type, so this is not a WIT package", it.Name)
			}
			exports = append(exports, export{it.Name, id})
			root.types = append(root.types, id)
		case ItemCustom:
			if it.Name == "package-docs" {
				metadata = it.Data
			}
		}
	}
	if len(exports) == 0 {
		return nil, wit.NoPackage, fmt.Errorf("witbin: the component exports no component type, so it is not a WIT package")
	}
	if _, ok := parseInterfaceName(exports[0].name); ok {
		return nil, wit.NoPackage, fmt.Errorf("witbin: export %q has the form of the old (v1) WIT encoding, which is not supported", exports[0].name)
	}

	d := &decoder{
		tt: tt, r: &wit.Resolve{},
		foreignIndex: map[string]int{}, ifaceToPkg: map[wit.InterfaceID]int{},
		named: map[string]wit.InterfaceID{}, resources: map[ownerKey]map[string]wit.TypeID{},
		typeMap: map[anyID]wit.TypeID{},
	}
	var pkgName *wit.PackageName
	for _, ex := range exports {
		comp := tt.tys[ex.id]
		if len(comp.exports) != 1 {
			return nil, wit.NoPackage, fmt.Errorf("witbin: %s: expected a single export, but found %d instead", ex.name, len(comp.exports))
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
			return nil, wit.NoPackage, fmt.Errorf("witbin: %s: %w", ex.name, err)
		}
		if pkgName == nil {
			pkgName = &name
		} else if pkgName.String() != name.String() {
			return nil, wit.NoPackage, fmt.Errorf("witbin: %s: item defined with mismatched package name", ex.name)
		}
	}
	pkg, err := d.finish(*pkgName)
	if err != nil {
		return nil, wit.NoPackage, err
	}
	if metadata != nil {
		if err := injectMetadata(d.r, pkg, metadata); err != nil {
			return nil, wit.NoPackage, fmt.Errorf("witbin: package-docs: %w", err)
		}
	}
	return d.r, pkg, nil
}

// parseInterfaceName splits "ns:pkg/iface@version".
func parseInterfaceName(s string) (struct {
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

func (d *decoder) decodeInterface(imports []entity, item entity) (wit.PackageName, error) {
	n, ok := parseInterfaceName(item.name.Name)
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

func (d *decoder) decodeWorld(item entity) (wit.PackageName, error) {
	n, ok := parseInterfaceName(item.name.Name)
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
func (d *decoder) registerImport(name string, item entity) (wit.InterfaceID, error) {
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
				if ref := d.tt.tys[e.referenced]; ref.kind == tkDefined {
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

func (d *decoder) extractDepInterface(name string) (wit.InterfaceID, error) {
	n, ok := parseInterfaceName(name)
	if !ok {
		return 0, fmt.Errorf("package name is not a valid id: %s", name)
	}
	key := n.pkg.String()
	pi, ok := d.foreignIndex[key]
	if !ok {
		pi = len(d.foreign)
		d.foreign = append(d.foreign, &foreignPkg{name: n.pkg})
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
func (d *decoder) registerInterface(name string, item entity) (wit.WorldKey, wit.InterfaceID, error) {
	if _, ok := d.named[name]; ok {
		id, err := d.registerImport(name, item)
		return wit.WorldKey{Interface: id}, id, err
	}
	ifaceName := ""
	if n, ok := parseInterfaceName(name); ok {
		ifaceName = n.iface
	} else if !isLabel(name) {
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

// isLabel reports whether s is a plain kebab-case name.
func isLabel(s string) bool {
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
func (d *decoder) findAlias(id anyID) (wit.TypeID, bool) {
	for n := 0; n <= len(d.tt.tys); n++ {
		if t, ok := d.typeMap[id]; ok {
			return t, true
		}
		if d.tt.tys[id].kind != tkAlias {
			return 0, false
		}
		id = d.tt.tys[id].alias
	}
	return 0, false
}

func (d *decoder) registerTypeExport(name string, e entity, owner wit.TypeOwner) (wit.TypeID, error) {
	td := &wit.TypeDef{Name: name, Owner: owner}
	if prev, ok := d.findAlias(e.referenced); ok {
		td.Kind, td.Elem = wit.KindType, wit.TypeOf(prev)
	} else {
		ref := d.tt.tys[d.tt.peel(e.referenced)]
		switch ref.kind {
		case tkDefined:
			if err := d.convertDefined(ref.def, td); err != nil {
				return 0, fmt.Errorf("failed to convert unaliased type: %w", err)
			}
		case tkResource:
			td.Kind = wit.KindResource
		default:
			return 0, fmt.Errorf("type export `%s` is not a value type or resource", name)
		}
	}
	d.r.Types = append(d.r.Types, td)
	id := wit.TypeID(len(d.r.Types) - 1)
	if td.Kind == wit.KindResource {
		k := keyOf(owner)
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

func (d *decoder) registerWorld(name string, ty tyInfo) error {
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

func (d *decoder) decodeWorldInstance(e entity) (wit.WorldItem, error) {
	var key wit.WorldKey
	var id wit.InterfaceID
	var err error
	switch {
	case e.name.Implements != "":
		id, err = d.registerImport(e.name.Implements, e)
		key = wit.WorldKey{Name: e.name.Name}
	default:
		if _, ok := parseInterfaceName(e.name.Name); ok {
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

func (d *decoder) convertFunction(name string, e entity, owner wit.TypeOwner) (*wit.Function, error) {
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
		id, ok := d.resources[keyOf(owner)][r]
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

var primTypes = map[byte]wit.Type{
	PrimBool: wit.Bool, PrimU8: wit.U8, PrimU16: wit.U16, PrimU32: wit.U32, PrimU64: wit.U64,
	PrimS8: wit.S8, PrimS16: wit.S16, PrimS32: wit.S32, PrimS64: wit.S64,
	PrimF32: wit.F32, PrimF64: wit.F64, PrimChar: wit.Char, PrimString: wit.String,
	PrimErrorContext: wit.ErrorContext,
}

// convertValType returns the WIT type of a value type, defining an
// anonymous type the first time a structural type is met.
func (d *decoder) convertValType(v ValType) (wit.Type, error) {
	if v.Prim != 0 {
		return primTypes[v.Prim], nil
	}
	id := anyID(v.Index)
	if t, ok := d.typeMap[id]; ok {
		return wit.TypeOf(t), nil
	}
	info := d.tt.tys[d.tt.peel(id)]
	if info.kind != tkDefined {
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

func (d *decoder) optValType(v *ValType) (wit.Type, error) {
	if v == nil {
		return wit.NoneType, nil
	}
	return d.convertValType(*v)
}

// convertDefined fills td's kind and structure from a defined type.
func (d *decoder) convertDefined(v *DefVal, td *wit.TypeDef) error {
	var err error
	switch v.Op {
	case 0:
		td.Kind, td.Elem = wit.KindType, primTypes[v.Prim]
	case OpList, OpOption:
		td.Kind = wit.KindList
		if v.Op == OpOption {
			td.Kind = wit.KindOption
		}
		td.Elem, err = d.convertValType(*v.Elem)
	case OpFixedLengthList:
		td.Kind, td.Len = wit.KindFixedLengthList, v.Len
		td.Elem, err = d.convertValType(*v.Elem)
	case OpMap:
		td.Kind = wit.KindMap
		if td.Key, err = d.convertValType(v.Key); err == nil {
			td.Elem, err = d.convertValType(*v.Elem)
		}
	case OpTuple:
		td.Kind = wit.KindTuple
		for _, x := range v.Types {
			t, err := d.convertValType(x)
			if err != nil {
				return err
			}
			td.Tuple = append(td.Tuple, t)
		}
	case OpResult:
		td.Kind = wit.KindResult
		if td.Ok, err = d.optValType(v.Ok); err == nil {
			td.Err, err = d.optValType(v.Err)
		}
	case OpRecord:
		td.Kind = wit.KindRecord
		for _, f := range v.Fields {
			t, err := d.convertValType(f.Type)
			if err != nil {
				return fmt.Errorf("failed to convert record field '%s': %w", f.Name, err)
			}
			td.Fields = append(td.Fields, wit.Field{Name: f.Name, Type: t})
		}
	case OpVariant:
		td.Kind = wit.KindVariant
		for _, c := range v.Cases {
			t, err := d.optValType(c.Type)
			if err != nil {
				return err
			}
			td.Cases = append(td.Cases, wit.Case{Name: c.Name, Type: t})
		}
	case OpFlags:
		td.Kind = wit.KindFlags
		for _, l := range v.Labels {
			td.Flags = append(td.Flags, wit.Flag{Name: l})
		}
	case OpEnum:
		td.Kind = wit.KindEnum
		for _, l := range v.Labels {
			td.Enum = append(td.Enum, wit.EnumCase{Name: l})
		}
	case OpOwn, OpBorrow:
		td.Kind = wit.KindOwn
		if v.Op == OpBorrow {
			td.Kind = wit.KindBorrow
		}
		res, ok := d.findAlias(anyID(v.Index))
		if !ok {
			return fmt.Errorf("a handle refers to a resource that is not declared before it")
		}
		td.Resource = res
	case OpFuture, OpStream:
		td.Kind = wit.KindFuture
		if v.Op == OpStream {
			td.Kind = wit.KindStream
		}
		td.Elem, err = d.optValType(v.Elem)
	default:
		return fmt.Errorf("unknown defined type %#x", v.Op)
	}
	return err
}

// registerDefined walks a type met again (a re-import of an interface
// already decoded) against its WIT definition, so that its anonymous parts
// map to the types already made rather than to new copies.
func (d *decoder) registerDefined(id wit.TypeID, def anyID, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("types nested too deeply")
	}
	info := d.tt.tys[d.tt.peel(def)]
	if info.kind != tkDefined {
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
		_, had := d.typeMap[anyID(w.Index)]
		d.typeMap[anyID(w.Index)] = tid
		if had {
			return nil
		}
		return d.registerDefined(tid, anyID(w.Index), depth+1)
	}
	mismatch := func(what string) error { return fmt.Errorf("expected %s", what) }
	switch v.Op {
	case OpList, OpOption:
		if td.Kind != wit.KindList && td.Kind != wit.KindOption {
			return mismatch("a list or option")
		}
		return pair(v.Elem, td.Elem)
	case OpFixedLengthList:
		if td.Kind != wit.KindFixedLengthList || td.Len != v.Len {
			return mismatch("a fixed-length list")
		}
		return pair(v.Elem, td.Elem)
	case OpMap:
		if td.Kind != wit.KindMap {
			return mismatch("a map")
		}
		if err := pair(&v.Key, td.Key); err != nil {
			return err
		}
		return pair(v.Elem, td.Elem)
	case OpTuple:
		if td.Kind != wit.KindTuple || len(td.Tuple) != len(v.Types) {
			return mismatch("a tuple")
		}
		for i := range v.Types {
			if err := pair(&v.Types[i], td.Tuple[i]); err != nil {
				return err
			}
		}
	case OpResult:
		if td.Kind != wit.KindResult || (v.Ok == nil) != (td.Ok == wit.NoneType) || (v.Err == nil) != (td.Err == wit.NoneType) {
			return mismatch("a result of the same shape")
		}
		if err := pair(v.Ok, td.Ok); err != nil {
			return err
		}
		return pair(v.Err, td.Err)
	case OpRecord:
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
	case OpVariant:
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
	case OpFuture, OpStream:
		if (v.Elem == nil) != (td.Elem == wit.NoneType) {
			return fmt.Errorf("disagreement on payload")
		}
		return pair(v.Elem, td.Elem)
	}
	return nil
}

// finish puts the foreign packages, in dependency order, and then the
// decoded package into the Resolve.
func (d *decoder) finish(name wit.PackageName) (wit.PackageID, error) {
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
				if dep, ok := typeInterfaceDep(d.r, t.ID); ok {
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
	for _, i := range order {
		p := d.foreign[i]
		d.insertPackage(p.name, p.ifaces, nil)
	}
	return d.insertPackage(name, d.pkgIfaces, d.pkgWorlds), nil
}

func (d *decoder) insertPackage(name wit.PackageName, ifaces []wit.Entry[wit.InterfaceID], worlds []wit.Entry[wit.WorldID]) wit.PackageID {
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
