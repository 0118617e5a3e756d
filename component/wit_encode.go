package component

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/wasmcm/wasmcm/internal/witbin"
	"github.com/wasmcm/wasmcm/wit"
)

// EncodeWIT encodes one package of r in the binary WIT form, as
// wit-component's encoding/wit.rs writes it: for each interface a component
// type exporting it as an instance (importing the interfaces it uses types
// from), for each world a component type wrapping the world's component
// type, each exported under its name, then the "package-docs" custom
// section with docs and gates. The producers section, which names the
// tool, is left to the caller.
func EncodeWIT(r *wit.Resolve, pkg wit.PackageID) ([]byte, error) {
	c, err := witPackageComponent(r, pkg)
	if err != nil {
		return nil, err
	}
	return c.Encode(), nil
}

// witPackageComponent is EncodeWIT returning the tree before serialization.
func witPackageComponent(r *wit.Resolve, pkg wit.PackageID) (*Component, error) {
	if pkg < 0 || int(pkg) >= len(r.Packages) || r.Packages[pkg] == nil {
		return nil, fmt.Errorf("wit: package %d does not exist", pkg)
	}
	e := &witPkgEncoder{r: r, pkg: pkg}
	var top witTop
	p := r.Packages[pkg]
	for _, ent := range p.Interfaces {
		ct, err := e.encodeInterface(ent.ID)
		if err != nil {
			return nil, fmt.Errorf("wit: interface %s: %w", ent.Name, err)
		}
		top.exportType(ent.Name, top.addType(ct))
	}
	for _, ent := range p.Worlds {
		ct, err := encodeWorldType(r, ent.ID)
		if err != nil {
			return nil, fmt.Errorf("wit: world %s: %w", ent.Name, err)
		}
		top.exportType(ent.Name, top.addType(wrapWorldType(ct, witIDOfName(p.Name, ent.Name))))
	}
	md, err := witbin.PackageDocs(r, pkg)
	if err != nil {
		return nil, err
	}
	top.addCustom(witbin.PackageDocsSection, md)
	return &top.c, nil
}

// wrapWorldType is the component type that exports a world's component
// type under the world's full name, the shape both the WIT package form
// and the component-type custom section use.
func wrapWorldType(world *ComponentType, fullName string) *ComponentType {
	wrapper := &witDecls{}
	wrapper.addType(world)
	wrapper.addExport(ExternName{Name: fullName}, ExternType{Sort: SortComponent, Index: 0})
	return &ComponentType{Decls: wrapper.list}
}

type witPkgEncoder struct {
	r   *wit.Resolve
	pkg wit.PackageID
}

// witIDOfName is "ns:pkg/name@version".
func witIDOfName(p wit.PackageName, name string) string {
	s := p.Namespace + ":" + p.Name + "/" + name
	if p.Version != nil {
		s += "@" + p.Version.String()
	}
	return s
}

// witIDOf is the full name of a named interface.
func witIDOf(r *wit.Resolve, id wit.InterfaceID) (string, error) {
	i, err := witIface(r, id)
	if err != nil {
		return "", err
	}
	if i.Name == "" {
		return "", fmt.Errorf("interface %d is anonymous and has no name", id)
	}
	if i.Package < 0 || int(i.Package) >= len(r.Packages) {
		return "", fmt.Errorf("interface %s belongs to no package", i.Name)
	}
	return witIDOfName(r.Packages[i.Package].Name, i.Name), nil
}

func witIface(r *wit.Resolve, id wit.InterfaceID) (*wit.Interface, error) {
	if id < 0 || int(id) >= len(r.Interfaces) || r.Interfaces[id] == nil {
		return nil, fmt.Errorf("interface %d does not exist", id)
	}
	return r.Interfaces[id], nil
}

func witTypeDef(r *wit.Resolve, id wit.TypeID) (*wit.TypeDef, error) {
	if id < 0 || int(id) >= len(r.Types) || r.Types[id] == nil {
		return nil, fmt.Errorf("type %d does not exist", id)
	}
	return r.Types[id], nil
}

// witTypeInterfaceDep returns the interface a `use`d type comes from, when the
// type is an alias of a type owned by another interface.
func witTypeInterfaceDep(r *wit.Resolve, id wit.TypeID) (wit.InterfaceID, bool) {
	td, err := witTypeDef(r, id)
	if err != nil || td.Kind != wit.KindType {
		return wit.NoInterface, false
	}
	otherID, ok := td.Elem.ID()
	if !ok {
		return wit.NoInterface, false
	}
	other, err := witTypeDef(r, otherID)
	if err != nil || witSameOwner(td.Owner, other.Owner) || other.Owner.Kind != wit.OwnerInterface {
		return wit.NoInterface, false
	}
	return other.Owner.Interface, true
}

func witSameOwner(a, b wit.TypeOwner) bool {
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case wit.OwnerWorld:
		return a.World == b.World
	case wit.OwnerInterface:
		return a.Interface == b.Interface
	}
	return true
}

// encodeInterface encodes an interface as a component type that imports
// every interface it (transitively) uses types from, with all their types,
// and exports itself as an instance.
func (e *witPkgEncoder) encodeInterface(id wit.InterfaceID) (*ComponentType, error) {
	var live []wit.InterfaceID
	seen := map[wit.InterfaceID]bool{}
	var add func(id wit.InterfaceID, depth int) error
	add = func(id wit.InterfaceID, depth int) error {
		if seen[id] {
			return nil
		}
		if depth > len(e.r.Interfaces) {
			return fmt.Errorf("interfaces use types from each other in a cycle")
		}
		i, err := witIface(e.r, id)
		if err != nil {
			return err
		}
		for _, t := range i.Types {
			if dep, ok := witTypeInterfaceDep(e.r, t.ID); ok {
				if err := add(dep, depth+1); err != nil {
					return err
				}
			}
		}
		seen[id] = true
		live = append(live, id)
		return nil
	}
	if err := add(id, 0); err != nil {
		return nil, err
	}

	ie := newWitIfaceEncoder(e.r)
	for _, dep := range live {
		ie.iface = dep
		ie.hasIface = true
		name, err := witIDOf(e.r, dep)
		if err != nil {
			return nil, err
		}
		if dep == id {
			idx, err := ie.encodeInstance(dep)
			if err != nil {
				return nil, err
			}
			ie.outer.addExport(ExternName{Name: name}, ExternType{Sort: SortInstance, Index: idx})
			continue
		}
		ie.pushInstance()
		for _, t := range e.r.Interfaces[dep].Types {
			if _, err := ie.encodeValType(wit.TypeOf(t.ID)); err != nil {
				return nil, err
			}
		}
		inst := ie.popInstance()
		idx := ie.outer.addType(&InstanceType{Decls: inst.list})
		ie.importMap[dep] = ie.instances
		ie.instances++
		ie.outer.addImport(ExternName{Name: name}, ExternType{Sort: SortInstance, Index: idx})
	}
	return &ComponentType{Decls: ie.outer.list}, nil
}

// encodeWorldType encodes a world as a component type: its imports and exports
// with their types.
func encodeWorldType(r *wit.Resolve, id wit.WorldID) (*ComponentType, error) {
	if id < 0 || int(id) >= len(r.Worlds) || r.Worlds[id] == nil {
		return nil, fmt.Errorf("world %d does not exist", id)
	}
	w := r.Worlds[id]
	ie := newWitIfaceEncoder(r)
	for _, imp := range w.Imports {
		if err := ie.worldItem(imp, true); err != nil {
			return nil, fmt.Errorf("import %s: %w", witWorldKeyName(r, imp.Key), err)
		}
	}
	for _, exp := range w.Exports {
		if exp.Kind == wit.WorldItemType {
			return nil, fmt.Errorf("export %s: worlds cannot export types", exp.Key.Name)
		}
		if err := ie.worldItem(exp, false); err != nil {
			return nil, fmt.Errorf("export %s: %w", witWorldKeyName(r, exp.Key), err)
		}
	}
	return &ComponentType{Decls: ie.outer.list}, nil
}

func witWorldKeyName(r *wit.Resolve, k wit.WorldKey) string {
	if !k.IsInterface() {
		return k.Name
	}
	n, err := witIDOf(r, k.Interface)
	if err != nil {
		return "?"
	}
	return n
}

func (ie *witIfaceEncoder) worldItem(it wit.WorldItem, isImport bool) error {
	name := ExternName{Name: it.Key.Name}
	if it.Key.IsInterface() {
		n, err := witIDOf(ie.r, it.Key.Interface)
		if err != nil {
			return err
		}
		name.Name = n
	}
	var ext ExternType
	switch it.Kind {
	case wit.WorldItemInterface:
		i, err := witIface(ie.r, it.Interface)
		if err != nil {
			return err
		}
		if !it.Key.IsInterface() && i.Name != "" {
			// `import label: ns:pkg/iface;` says which interface the
			// named import implements.
			impl, err := witIDOf(ie.r, it.Interface)
			if err != nil {
				return err
			}
			name.Attrs = append(name.Attrs, NameAttr{Kind: AttrImplements, Value: impl})
		}
		ie.iface, ie.hasIface = it.Interface, true
		idx, err := ie.encodeInstance(it.Interface)
		if err != nil {
			return err
		}
		ext = ExternType{Sort: SortInstance, Index: idx}
	case wit.WorldItemFunction:
		if it.Function == nil {
			return fmt.Errorf("no function")
		}
		ie.hasIface = false
		idx, err := ie.encodeFuncType(it.Function)
		if err != nil {
			return err
		}
		ext = ExternType{Sort: SortFunc, Index: idx}
	case wit.WorldItemType:
		ie.hasIface = false
		ie.importTypes = true
		_, err := ie.encodeValType(wit.TypeOf(it.Type))
		ie.importTypes = false
		return err
	default:
		return fmt.Errorf("unknown world item kind %d", it.Kind)
	}
	if isImport {
		ie.outer.addImport(name, ext)
	} else {
		ie.outer.addExport(name, ext)
	}
	return nil
}

// witMaps remember what was encoded in the current index space, so that each
// type is defined once and structurally equal anonymous types share one
// definition, as in the reference.
type witMaps struct {
	idToIndex  map[wit.TypeID]uint32
	defToIndex map[string]uint32
	funcs      map[string]uint32
}

func newWitMaps() *witMaps {
	return &witMaps{idToIndex: map[wit.TypeID]uint32{}, defToIndex: map[string]uint32{}, funcs: map[string]uint32{}}
}

// witIfaceEncoder mirrors the reference's InterfaceEncoder: it builds an
// outer component type and, between pushInstance and popInstance, an
// instance type inside it.
type witIfaceEncoder struct {
	r     *wit.Resolve
	outer *witDecls
	inst  *witDecls // nil outside an instance

	m, saved *witMaps

	importMap    map[wit.InterfaceID]uint32 // interface → instance index
	outerTypeMap map[witAliasKey]uint32     // type of an instance → its alias in outer
	instances    uint32
	importTypes  bool

	// Hooks of component new (nil/false when encoding WIT): local lists
	// interfaces whose types are defined here structurally rather than
	// aliased from an import; named decides what a named type becomes
	// (given its structural index, or a primitive) and resource what a
	// resource is.
	local    map[wit.InterfaceID]bool
	named    func(id wit.TypeID, td *wit.TypeDef, enc ValType) (ValType, error)
	resource func(id wit.TypeID, td *wit.TypeDef) (uint32, error)
	iface    wit.InterfaceID
	hasIface bool
}

func newWitIfaceEncoder(r *wit.Resolve) *witIfaceEncoder {
	return &witIfaceEncoder{
		r: r, outer: &witDecls{}, m: newWitMaps(),
		importMap: map[wit.InterfaceID]uint32{}, outerTypeMap: map[witAliasKey]uint32{},
	}
}

func (ie *witIfaceEncoder) pushInstance() {
	ie.saved = ie.m
	ie.m = newWitMaps()
	ie.inst = &witDecls{}
}

func (ie *witIfaceEncoder) popInstance() *witDecls {
	ie.m = ie.saved
	ie.saved = nil
	d := ie.inst
	ie.inst = nil
	return d
}

// cur is the index space types are defined in now.
func (ie *witIfaceEncoder) cur() *witDecls {
	if ie.inst != nil {
		return ie.inst
	}
	return ie.outer
}

// encodeInstance encodes an interface as an instance type in outer.
func (ie *witIfaceEncoder) encodeInstance(id wit.InterfaceID) (uint32, error) {
	ie.pushInstance()
	i := ie.r.Interfaces[id]
	order := map[wit.TypeID]int{}
	for n, t := range i.Types {
		if _, err := ie.encodeValType(wit.TypeOf(t.ID)); err != nil {
			return 0, fmt.Errorf("type %s: %w", t.Name, err)
		}
		if _, ok := order[t.ID]; !ok {
			order[t.ID] = n
		}
	}
	// Resource functions first, in the order of their resources, then the
	// freestanding ones: the order printing WIT and decoding gives.
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
	slices.SortStableFunc(funcs, func(a, b *wit.Function) int { return rank(a) - rank(b) })
	for _, f := range funcs {
		if f == nil {
			return 0, fmt.Errorf("nil function")
		}
		idx, err := ie.encodeFuncType(f)
		if err != nil {
			return 0, fmt.Errorf("function %s: %w", f.Name, err)
		}
		ie.inst.addExport(ExternName{Name: f.Name}, ExternType{Sort: SortFunc, Index: idx})
	}
	inst := ie.popInstance()
	idx := ie.outer.addType(&InstanceType{Decls: inst.list})
	ie.importMap[id] = ie.instances
	ie.instances++
	return idx, nil
}

// witFuncKey identifies a function type by what the binary records of it.
func witFuncKey(f *wit.Function) string {
	var b strings.Builder
	if f.Kind.IsAsync() {
		b.WriteString("async ")
	}
	for _, p := range f.Params {
		b.WriteString(p.Name)
		b.WriteByte(':')
		b.WriteString(strconv.FormatUint(uint64(p.Type), 10))
		b.WriteByte(',')
	}
	b.WriteString("->")
	b.WriteString(strconv.FormatUint(uint64(f.Result), 10))
	return b.String()
}

func (ie *witIfaceEncoder) encodeFuncType(f *wit.Function) (uint32, error) {
	key := witFuncKey(f)
	if idx, ok := ie.m.funcs[key]; ok {
		return idx, nil
	}
	ft := &FuncType{Async: f.Kind.IsAsync()}
	for _, p := range f.Params {
		vt, err := ie.encodeValType(p.Type)
		if err != nil {
			return 0, fmt.Errorf("parameter %s: %w", p.Name, err)
		}
		ft.Params = append(ft.Params, Field{Name: p.Name, Type: vt})
	}
	if f.Result != wit.NoneType {
		vt, err := ie.encodeValType(f.Result)
		if err != nil {
			return 0, fmt.Errorf("result: %w", err)
		}
		ft.Result = &vt
	}
	idx := ie.cur().addType(ft)
	ie.m.funcs[key] = idx
	return idx, nil
}

var witPrimCodes = map[wit.Type]PrimValType{
	wit.Bool: Bool, wit.U8: U8, wit.U16: U16, wit.U32: U32, wit.U64: U64,
	wit.S8: S8, wit.S16: S16, wit.S32: S32, wit.S64: S64,
	wit.F32: F32, wit.F64: F64, wit.Char: Char, wit.String: String,
	wit.ErrorContext: ErrorContext,
}

// witDefKey identifies an anonymous type by its structure, so that equal
// anonymous types share one definition, as the reference's def_to_index.
func witDefKey(td *wit.TypeDef) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(int(td.Kind)))
	for _, t := range []wit.Type{td.Elem, td.Key, td.Ok, td.Err} {
		b.WriteByte(',')
		b.WriteString(strconv.FormatUint(uint64(t), 10))
	}
	b.WriteByte(',')
	b.WriteString(strconv.FormatUint(uint64(td.Len), 10))
	b.WriteByte(',')
	b.WriteString(strconv.Itoa(int(td.Resource)))
	for _, t := range td.Tuple {
		b.WriteByte(';')
		b.WriteString(strconv.FormatUint(uint64(t), 10))
	}
	return b.String()
}

func (ie *witIfaceEncoder) lookup(id wit.TypeID, td *wit.TypeDef) (uint32, bool) {
	if idx, ok := ie.m.idToIndex[id]; ok {
		return idx, true
	}
	if td.Name == "" {
		if idx, ok := ie.m.defToIndex[witDefKey(td)]; ok {
			return idx, true
		}
	}
	return 0, false
}

func (ie *witIfaceEncoder) insert(id wit.TypeID, td *wit.TypeDef, idx uint32) {
	ie.m.idToIndex[id] = idx
	if td.Name == "" {
		ie.m.defToIndex[witDefKey(td)] = idx
	}
}

func (ie *witIfaceEncoder) optValType(t wit.Type) (*ValType, error) {
	if t == wit.NoneType {
		return nil, nil
	}
	vt, err := ie.encodeValType(t)
	if err != nil {
		return nil, err
	}
	return &vt, nil
}

func (ie *witIfaceEncoder) defined(v *DefinedType) ValType {
	return ValType{Index: ie.cur().addType(v)}
}

// encodeValType defines t (and what it refers to) in the current index
// space if it is not there yet, and returns how to refer to it.
func (ie *witIfaceEncoder) encodeValType(t wit.Type) (ValType, error) {
	if code, ok := witPrimCodes[t]; ok {
		return ValType{Prim: code}, nil
	}
	id, ok := t.ID()
	if !ok {
		return ValType{}, fmt.Errorf("invalid type %d", uint32(t))
	}
	td, err := witTypeDef(ie.r, id)
	if err != nil {
		return ValType{}, err
	}
	if idx, ok := ie.lookup(id, td); ok {
		return ValType{Index: idx}, nil
	}
	// A type owned by another interface is imported with an alias.
	if td.Owner.Kind == wit.OwnerInterface && !(ie.hasIface && td.Owner.Interface == ie.iface) && !ie.local[td.Owner.Interface] {
		idx, err := ie.importType(td.Owner.Interface, id, td)
		if err != nil {
			return ValType{}, err
		}
		ie.insert(id, td, idx)
		return ValType{Index: idx}, nil
	}

	var enc ValType
	switch td.Kind {
	case wit.KindRecord:
		v := &DefinedType{Kind: KindRecord}
		for _, f := range td.Fields {
			vt, err := ie.encodeValType(f.Type)
			if err != nil {
				return ValType{}, err
			}
			v.Fields = append(v.Fields, Field{Name: f.Name, Type: vt})
		}
		enc = ie.defined(v)
	case wit.KindTuple:
		v := &DefinedType{Kind: KindTuple}
		for _, e := range td.Tuple {
			vt, err := ie.encodeValType(e)
			if err != nil {
				return ValType{}, err
			}
			v.Types = append(v.Types, vt)
		}
		enc = ie.defined(v)
	case wit.KindFlags:
		v := &DefinedType{Kind: KindFlags}
		for _, f := range td.Flags {
			v.Names = append(v.Names, f.Name)
		}
		enc = ie.defined(v)
	case wit.KindEnum:
		v := &DefinedType{Kind: KindEnum}
		for _, c := range td.Enum {
			v.Names = append(v.Names, c.Name)
		}
		enc = ie.defined(v)
	case wit.KindVariant:
		v := &DefinedType{Kind: KindVariant}
		for _, c := range td.Cases {
			vt, err := ie.optValType(c.Type)
			if err != nil {
				return ValType{}, err
			}
			v.Cases = append(v.Cases, Case{Name: c.Name, Type: vt})
		}
		enc = ie.defined(v)
	case wit.KindOption, wit.KindList:
		vt, err := ie.encodeValType(td.Elem)
		if err != nil {
			return ValType{}, err
		}
		kind := KindOption
		if td.Kind == wit.KindList {
			kind = KindList
		}
		enc = ie.defined(&DefinedType{Kind: kind, Elem: vt})
	case wit.KindFixedLengthList:
		vt, err := ie.encodeValType(td.Elem)
		if err != nil {
			return ValType{}, err
		}
		enc = ie.defined(&DefinedType{Kind: KindFixedList, Elem: vt, Len: td.Len})
	case wit.KindMap:
		k, err := ie.encodeValType(td.Key)
		if err != nil {
			return ValType{}, err
		}
		v, err := ie.encodeValType(td.Elem)
		if err != nil {
			return ValType{}, err
		}
		enc = ie.defined(&DefinedType{Kind: KindMap, Key: k, Elem: v})
	case wit.KindResult:
		ok, err := ie.optValType(td.Ok)
		if err != nil {
			return ValType{}, err
		}
		er, err := ie.optValType(td.Err)
		if err != nil {
			return ValType{}, err
		}
		enc = ie.defined(&DefinedType{Kind: KindResult, Ok: ok, Err: er})
	case wit.KindFuture, wit.KindStream:
		vt, err := ie.optValType(td.Elem)
		if err != nil {
			return ValType{}, err
		}
		kind := KindFuture
		if td.Kind == wit.KindStream {
			kind = KindStream
		}
		enc = ie.defined(&DefinedType{Kind: kind, Payload: vt})
	case wit.KindType:
		if enc, err = ie.encodeValType(td.Elem); err != nil {
			return ValType{}, err
		}
	case wit.KindResource:
		if td.Name == "" {
			return ValType{}, fmt.Errorf("resource %d has no name", id)
		}
		if ie.resource != nil {
			idx, err := ie.resource(id, td)
			if err != nil {
				return ValType{}, err
			}
			ie.m.idToIndex[id] = idx
			return ValType{Index: idx}, nil
		}
		idx := ie.exportResource(td.Name)
		ie.m.idToIndex[id] = idx
		return ValType{Index: idx}, nil
	case wit.KindOwn, wit.KindBorrow:
		res, err := ie.encodeValType(wit.TypeOf(td.Resource))
		if err != nil {
			return ValType{}, err
		}
		if res.Prim != 0 {
			return ValType{}, fmt.Errorf("handle to a primitive type")
		}
		kind := KindOwn
		if td.Kind == wit.KindBorrow {
			kind = KindBorrow
		}
		enc = ie.defined(&DefinedType{Kind: kind, Resource: res.Index})
	default:
		return ValType{}, fmt.Errorf("type %d has unknown kind %d", id, td.Kind)
	}

	if td.Name != "" && ie.named != nil {
		if enc, err = ie.named(id, td, enc); err != nil {
			return ValType{}, err
		}
	} else if td.Name != "" {
		idx := enc.Index
		if enc.Prim != 0 {
			// A named primitive needs an entry to be exported.
			idx = ie.cur().addType(&DefinedType{Kind: KindPrimitive, Prim: enc.Prim})
		}
		enc = ValType{Index: ie.exportType(idx, td.Name)}
	}
	if enc.Prim == 0 {
		ie.insert(id, td, enc.Index)
	}
	return enc, nil
}

// exportType exports a type under its name (or, at the top of a world,
// imports it) and returns the new index.
func (ie *witIfaceEncoder) exportType(idx uint32, name string) uint32 {
	ext := ExternType{Sort: SortType, Index: idx}
	if ie.inst != nil {
		return ie.inst.addExport(ExternName{Name: name}, ext)
	}
	if ie.importTypes {
		return ie.outer.addImport(ExternName{Name: name}, ext)
	}
	return ie.outer.addExport(ExternName{Name: name}, ext)
}

func (ie *witIfaceEncoder) exportResource(name string) uint32 {
	ext := ExternType{Sort: SortType, SubResource: true}
	if ie.inst != nil {
		return ie.inst.addExport(ExternName{Name: name}, ext)
	}
	if ie.importTypes {
		return ie.outer.addImport(ExternName{Name: name}, ext)
	}
	return ie.outer.addExport(ExternName{Name: name}, ext)
}

// importType aliases a type of an already imported interface into the
// outer scope (once) and, inside an instance, from there with an outer
// alias.
func (ie *witIfaceEncoder) importType(owner wit.InterfaceID, id wit.TypeID, td *wit.TypeDef) (uint32, error) {
	inst, ok := ie.importMap[owner]
	if !ok {
		n, _ := witIDOf(ie.r, owner)
		return 0, fmt.Errorf("type %s comes from interface %s, which is not imported before it", td.Name, n)
	}
	k := witAliasKey{inst, id}
	outerIdx, ok := ie.outerTypeMap[k]
	if !ok {
		outerIdx = ie.outer.addAlias(&Alias{Sort: SortType, Target: AliasExport, Instance: inst, Name: td.Name})
		ie.outerTypeMap[k] = outerIdx
	}
	if ie.inst != nil {
		return ie.inst.addAlias(&Alias{Sort: SortType, Target: AliasOuter, Count: 1, Index: outerIdx}), nil
	}
	return outerIdx, nil
}

// witAliasKey names a type exported by an instance: component new may
// alias one type both from an imported and from an exported instance.
type witAliasKey struct {
	inst uint32
	id   wit.TypeID
}

// witDecls is the body of a component or instance type being built, with
// the type and instance indices its declarations introduce counted.
type witDecls struct {
	list      []Decl
	types     uint32
	instances uint32
}

// addType appends a type definition and returns its index.
func (d *witDecls) addType(t Type) uint32 {
	d.list = append(d.list, Decl{Kind: DeclType, Type: t})
	d.types++
	return d.types - 1
}

// addAlias appends a type alias and returns the new type index.
func (d *witDecls) addAlias(a *Alias) uint32 {
	d.list = append(d.list, Decl{Kind: DeclAlias, Alias: a})
	d.types++
	return d.types - 1
}

// addImport appends an import; it returns the index the import introduces
// in its sort's index space (types and instances are counted).
func (d *witDecls) addImport(n ExternName, e ExternType) uint32 {
	d.list = append(d.list, Decl{Kind: DeclImport, Name: n, Extern: e})
	return d.count(e)
}

// addExport appends an export, like addImport.
func (d *witDecls) addExport(n ExternName, e ExternType) uint32 {
	d.list = append(d.list, Decl{Kind: DeclExport, Name: n, Extern: e})
	return d.count(e)
}

func (d *witDecls) count(e ExternType) uint32 {
	switch e.Sort {
	case SortType:
		d.types++
		return d.types - 1
	case SortInstance:
		d.instances++
		return d.instances - 1
	}
	return 0
}

// witTop builds the top level of an encoded WIT package: type definitions
// and exports of them, consecutive ones sharing a section as the
// reference's builder does, so that the bytes are the reference's.
type witTop struct {
	c     Component
	types uint32
}

func (w *witTop) addType(t Type) uint32 {
	if n := len(w.c.Sections); n > 0 {
		if s, ok := w.c.Sections[n-1].(*TypeSection); ok {
			s.Types = append(s.Types, t)
			w.types++
			return w.types - 1
		}
	}
	w.c.Sections = append(w.c.Sections, &TypeSection{Types: []Type{t}})
	w.types++
	return w.types - 1
}

// exportType exports type index i as name, which introduces a new index.
func (w *witTop) exportType(name string, i uint32) uint32 {
	ex := Export{Name: ExternName{Name: name}, Sort: SortType, Index: i}
	if n := len(w.c.Sections); n > 0 {
		if s, ok := w.c.Sections[n-1].(*ExportSection); ok {
			s.Exports = append(s.Exports, ex)
			w.types++
			return w.types - 1
		}
	}
	w.c.Sections = append(w.c.Sections, &ExportSection{Exports: []Export{ex}})
	w.types++
	return w.types - 1
}

func (w *witTop) addCustom(name string, data []byte) {
	w.c.Sections = append(w.c.Sections, &CustomSection{Name: name, Data: data})
}
