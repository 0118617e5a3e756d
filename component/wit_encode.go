package witbin

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/wasmcm/wasmcm/wit"
)

// Encode encodes one package of r in the binary WIT format: for each
// interface a component type exporting it as an instance (importing the
// interfaces it uses types from), for each world a component type wrapping
// the world's component type, each exported under its name, then the
// "package-docs" custom section. The producers section, which names the
// tool, is left to the caller.
func Encode(r *wit.Resolve, pkg wit.PackageID) ([]byte, error) {
	c, err := EncodeComponent(r, pkg)
	if err != nil {
		return nil, err
	}
	return c.Bytes(), nil
}

// EncodeComponent is Encode returning the tree before serialization.
func EncodeComponent(r *wit.Resolve, pkg wit.PackageID) (*Component, error) {
	if pkg < 0 || int(pkg) >= len(r.Packages) || r.Packages[pkg] == nil {
		return nil, fmt.Errorf("witbin: package %d does not exist", pkg)
	}
	e := &encoder{r: r, pkg: pkg}
	c := &Component{}
	p := r.Packages[pkg]
	for _, ent := range p.Interfaces {
		ct, err := e.encodeInterface(ent.ID)
		if err != nil {
			return nil, fmt.Errorf("witbin: interface %s: %w", ent.Name, err)
		}
		c.ExportType(ent.Name, c.AddType(ct))
	}
	for _, ent := range p.Worlds {
		ct, err := EncodeWorld(r, ent.ID)
		if err != nil {
			return nil, fmt.Errorf("witbin: world %s: %w", ent.Name, err)
		}
		wrapper := &Decls{}
		wrapper.AddType(ct)
		wrapper.AddExport(ExternName{Name: idOfName(p.Name, ent.Name)}, Extern{Sort: SortComponent, Index: 0})
		c.ExportType(ent.Name, c.AddType(&Type{Kind: TypeComponent, Component: wrapper}))
	}
	md, err := packageMetadata(r, pkg)
	if err != nil {
		return nil, err
	}
	c.AddCustom("package-docs", md)
	return c, nil
}

type encoder struct {
	r   *wit.Resolve
	pkg wit.PackageID
}

// idOfName is "ns:pkg/name@version".
func idOfName(p wit.PackageName, name string) string {
	s := p.Namespace + ":" + p.Name + "/" + name
	if p.Version != nil {
		s += "@" + p.Version.String()
	}
	return s
}

// idOf is the full name of a named interface.
func idOf(r *wit.Resolve, id wit.InterfaceID) (string, error) {
	i, err := iface(r, id)
	if err != nil {
		return "", err
	}
	if i.Name == "" {
		return "", fmt.Errorf("interface %d is anonymous and has no name", id)
	}
	if i.Package < 0 || int(i.Package) >= len(r.Packages) {
		return "", fmt.Errorf("interface %s belongs to no package", i.Name)
	}
	return idOfName(r.Packages[i.Package].Name, i.Name), nil
}

func iface(r *wit.Resolve, id wit.InterfaceID) (*wit.Interface, error) {
	if id < 0 || int(id) >= len(r.Interfaces) || r.Interfaces[id] == nil {
		return nil, fmt.Errorf("interface %d does not exist", id)
	}
	return r.Interfaces[id], nil
}

func typeDef(r *wit.Resolve, id wit.TypeID) (*wit.TypeDef, error) {
	if id < 0 || int(id) >= len(r.Types) || r.Types[id] == nil {
		return nil, fmt.Errorf("type %d does not exist", id)
	}
	return r.Types[id], nil
}

// typeInterfaceDep returns the interface a `use`d type comes from, when the
// type is an alias of a type owned by another interface.
func typeInterfaceDep(r *wit.Resolve, id wit.TypeID) (wit.InterfaceID, bool) {
	td, err := typeDef(r, id)
	if err != nil || td.Kind != wit.KindType {
		return wit.NoInterface, false
	}
	otherID, ok := td.Elem.ID()
	if !ok {
		return wit.NoInterface, false
	}
	other, err := typeDef(r, otherID)
	if err != nil || sameOwner(td.Owner, other.Owner) || other.Owner.Kind != wit.OwnerInterface {
		return wit.NoInterface, false
	}
	return other.Owner.Interface, true
}

func sameOwner(a, b wit.TypeOwner) bool {
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
func (e *encoder) encodeInterface(id wit.InterfaceID) (*Type, error) {
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
		i, err := iface(e.r, id)
		if err != nil {
			return err
		}
		for _, t := range i.Types {
			if dep, ok := typeInterfaceDep(e.r, t.ID); ok {
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

	ie := newInterfaceEncoder(e.r)
	for _, dep := range live {
		ie.iface = dep
		ie.hasIface = true
		name, err := idOf(e.r, dep)
		if err != nil {
			return nil, err
		}
		if dep == id {
			idx, err := ie.encodeInstance(dep)
			if err != nil {
				return nil, err
			}
			ie.outer.AddExport(ExternName{Name: name}, Extern{Sort: SortInstance, Index: idx})
			continue
		}
		ie.pushInstance()
		for _, t := range e.r.Interfaces[dep].Types {
			if _, err := ie.encodeValType(wit.TypeOf(t.ID)); err != nil {
				return nil, err
			}
		}
		inst := ie.popInstance()
		idx := ie.outer.AddType(&Type{Kind: TypeInstance, Component: inst})
		ie.importMap[dep] = ie.instances
		ie.instances++
		ie.outer.AddImport(ExternName{Name: name}, Extern{Sort: SortInstance, Index: idx})
	}
	return &Type{Kind: TypeComponent, Component: ie.outer}, nil
}

// EncodeWorld encodes a world as a component type: its imports and exports
// with their types.
func EncodeWorld(r *wit.Resolve, id wit.WorldID) (*Type, error) {
	if id < 0 || int(id) >= len(r.Worlds) || r.Worlds[id] == nil {
		return nil, fmt.Errorf("world %d does not exist", id)
	}
	w := r.Worlds[id]
	ie := newInterfaceEncoder(r)
	for _, imp := range w.Imports {
		if err := ie.worldItem(imp, true); err != nil {
			return nil, fmt.Errorf("import %s: %w", worldKeyName(r, imp.Key), err)
		}
	}
	for _, exp := range w.Exports {
		if exp.Kind == wit.WorldItemType {
			return nil, fmt.Errorf("export %s: worlds cannot export types", exp.Key.Name)
		}
		if err := ie.worldItem(exp, false); err != nil {
			return nil, fmt.Errorf("export %s: %w", worldKeyName(r, exp.Key), err)
		}
	}
	return &Type{Kind: TypeComponent, Component: ie.outer}, nil
}

func worldKeyName(r *wit.Resolve, k wit.WorldKey) string {
	if !k.IsInterface() {
		return k.Name
	}
	n, err := idOf(r, k.Interface)
	if err != nil {
		return "?"
	}
	return n
}

func (ie *interfaceEncoder) worldItem(it wit.WorldItem, isImport bool) error {
	name := ExternName{Name: it.Key.Name}
	if it.Key.IsInterface() {
		n, err := idOf(ie.r, it.Key.Interface)
		if err != nil {
			return err
		}
		name.Name = n
	}
	var ext Extern
	switch it.Kind {
	case wit.WorldItemInterface:
		i, err := iface(ie.r, it.Interface)
		if err != nil {
			return err
		}
		if !it.Key.IsInterface() && i.Name != "" {
			// `import label: ns:pkg/iface;` says which interface the
			// named import implements.
			if name.Implements, err = idOf(ie.r, it.Interface); err != nil {
				return err
			}
		}
		ie.iface, ie.hasIface = it.Interface, true
		idx, err := ie.encodeInstance(it.Interface)
		if err != nil {
			return err
		}
		ext = Extern{Sort: SortInstance, Index: idx}
	case wit.WorldItemFunction:
		if it.Function == nil {
			return fmt.Errorf("no function")
		}
		ie.hasIface = false
		idx, err := ie.encodeFuncType(it.Function)
		if err != nil {
			return err
		}
		ext = Extern{Sort: SortFunc, Index: idx}
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
		ie.outer.AddImport(name, ext)
	} else {
		ie.outer.AddExport(name, ext)
	}
	return nil
}

// maps remember what was encoded in the current index space, so that each
// type is defined once and structurally equal anonymous types share one
// definition, as in the reference.
type maps struct {
	idToIndex  map[wit.TypeID]uint32
	defToIndex map[string]uint32
	funcs      map[string]uint32
}

func newMaps() *maps {
	return &maps{idToIndex: map[wit.TypeID]uint32{}, defToIndex: map[string]uint32{}, funcs: map[string]uint32{}}
}

// interfaceEncoder mirrors the reference's InterfaceEncoder: it builds an
// outer component type and, between pushInstance and popInstance, an
// instance type inside it.
type interfaceEncoder struct {
	r     *wit.Resolve
	outer *Decls
	inst  *Decls // nil outside an instance

	maps, saved *maps

	importMap    map[wit.InterfaceID]uint32 // interface → instance index
	outerTypeMap map[wit.TypeID]uint32      // type → its alias in outer
	instances    uint32
	importTypes  bool
	iface        wit.InterfaceID
	hasIface     bool
}

func newInterfaceEncoder(r *wit.Resolve) *interfaceEncoder {
	return &interfaceEncoder{
		r: r, outer: &Decls{}, maps: newMaps(),
		importMap: map[wit.InterfaceID]uint32{}, outerTypeMap: map[wit.TypeID]uint32{},
	}
}

func (ie *interfaceEncoder) pushInstance() {
	ie.saved = ie.maps
	ie.maps = newMaps()
	ie.inst = &Decls{}
}

func (ie *interfaceEncoder) popInstance() *Decls {
	ie.maps = ie.saved
	ie.saved = nil
	d := ie.inst
	ie.inst = nil
	return d
}

// cur is the index space types are defined in now.
func (ie *interfaceEncoder) cur() *Decls {
	if ie.inst != nil {
		return ie.inst
	}
	return ie.outer
}

// encodeInstance encodes an interface as an instance type in outer.
func (ie *interfaceEncoder) encodeInstance(id wit.InterfaceID) (uint32, error) {
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
		ie.inst.AddExport(ExternName{Name: f.Name}, Extern{Sort: SortFunc, Index: idx})
	}
	inst := ie.popInstance()
	idx := ie.outer.AddType(&Type{Kind: TypeInstance, Component: inst})
	ie.importMap[id] = ie.instances
	ie.instances++
	return idx, nil
}

// funcKey identifies a function type by what the binary records of it.
func funcKey(f *wit.Function) string {
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

func (ie *interfaceEncoder) encodeFuncType(f *wit.Function) (uint32, error) {
	key := funcKey(f)
	if idx, ok := ie.maps.funcs[key]; ok {
		return idx, nil
	}
	ft := FuncType{Async: f.Kind.IsAsync()}
	for _, p := range f.Params {
		vt, err := ie.encodeValType(p.Type)
		if err != nil {
			return 0, fmt.Errorf("parameter %s: %w", p.Name, err)
		}
		ft.Params = append(ft.Params, Named{Name: p.Name, Type: vt})
	}
	if f.Result != wit.NoneType {
		vt, err := ie.encodeValType(f.Result)
		if err != nil {
			return 0, fmt.Errorf("result: %w", err)
		}
		ft.Result = &vt
	}
	idx := ie.cur().AddType(&Type{Kind: TypeFunc, Func: ft})
	ie.maps.funcs[key] = idx
	return idx, nil
}

var primCodes = map[wit.Type]byte{
	wit.Bool: PrimBool, wit.U8: PrimU8, wit.U16: PrimU16, wit.U32: PrimU32, wit.U64: PrimU64,
	wit.S8: PrimS8, wit.S16: PrimS16, wit.S32: PrimS32, wit.S64: PrimS64,
	wit.F32: PrimF32, wit.F64: PrimF64, wit.Char: PrimChar, wit.String: PrimString,
	wit.ErrorContext: PrimErrorContext,
}

// defKey identifies an anonymous type by its structure, so that equal
// anonymous types share one definition, as the reference's def_to_index.
func defKey(td *wit.TypeDef) string {
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

func (ie *interfaceEncoder) lookup(id wit.TypeID, td *wit.TypeDef) (uint32, bool) {
	if idx, ok := ie.maps.idToIndex[id]; ok {
		return idx, true
	}
	if td.Name == "" {
		if idx, ok := ie.maps.defToIndex[defKey(td)]; ok {
			return idx, true
		}
	}
	return 0, false
}

func (ie *interfaceEncoder) insert(id wit.TypeID, td *wit.TypeDef, idx uint32) {
	ie.maps.idToIndex[id] = idx
	if td.Name == "" {
		ie.maps.defToIndex[defKey(td)] = idx
	}
}

func (ie *interfaceEncoder) optValType(t wit.Type) (*ValType, error) {
	if t == wit.NoneType {
		return nil, nil
	}
	vt, err := ie.encodeValType(t)
	if err != nil {
		return nil, err
	}
	return &vt, nil
}

func (ie *interfaceEncoder) defined(v DefVal) ValType {
	return ValType{Index: ie.cur().AddType(&Type{Kind: TypeDefined, Defined: v})}
}

// encodeValType defines t (and what it refers to) in the current index
// space if it is not there yet, and returns how to refer to it.
func (ie *interfaceEncoder) encodeValType(t wit.Type) (ValType, error) {
	if code, ok := primCodes[t]; ok {
		return ValType{Prim: code}, nil
	}
	id, ok := t.ID()
	if !ok {
		return ValType{}, fmt.Errorf("invalid type %d", uint32(t))
	}
	td, err := typeDef(ie.r, id)
	if err != nil {
		return ValType{}, err
	}
	if idx, ok := ie.lookup(id, td); ok {
		return ValType{Index: idx}, nil
	}
	// A type owned by another interface is imported with an alias.
	if td.Owner.Kind == wit.OwnerInterface && !(ie.hasIface && td.Owner.Interface == ie.iface) {
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
		v := DefVal{Op: OpRecord}
		for _, f := range td.Fields {
			vt, err := ie.encodeValType(f.Type)
			if err != nil {
				return ValType{}, err
			}
			v.Fields = append(v.Fields, Named{Name: f.Name, Type: vt})
		}
		enc = ie.defined(v)
	case wit.KindTuple:
		v := DefVal{Op: OpTuple}
		for _, e := range td.Tuple {
			vt, err := ie.encodeValType(e)
			if err != nil {
				return ValType{}, err
			}
			v.Types = append(v.Types, vt)
		}
		enc = ie.defined(v)
	case wit.KindFlags:
		v := DefVal{Op: OpFlags}
		for _, f := range td.Flags {
			v.Labels = append(v.Labels, f.Name)
		}
		enc = ie.defined(v)
	case wit.KindEnum:
		v := DefVal{Op: OpEnum}
		for _, c := range td.Enum {
			v.Labels = append(v.Labels, c.Name)
		}
		enc = ie.defined(v)
	case wit.KindVariant:
		v := DefVal{Op: OpVariant}
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
		op := OpOption
		if td.Kind == wit.KindList {
			op = OpList
		}
		enc = ie.defined(DefVal{Op: op, Elem: &vt})
	case wit.KindFixedLengthList:
		vt, err := ie.encodeValType(td.Elem)
		if err != nil {
			return ValType{}, err
		}
		enc = ie.defined(DefVal{Op: OpFixedLengthList, Elem: &vt, Len: td.Len})
	case wit.KindMap:
		k, err := ie.encodeValType(td.Key)
		if err != nil {
			return ValType{}, err
		}
		v, err := ie.encodeValType(td.Elem)
		if err != nil {
			return ValType{}, err
		}
		enc = ie.defined(DefVal{Op: OpMap, Key: k, Elem: &v})
	case wit.KindResult:
		ok, err := ie.optValType(td.Ok)
		if err != nil {
			return ValType{}, err
		}
		er, err := ie.optValType(td.Err)
		if err != nil {
			return ValType{}, err
		}
		enc = ie.defined(DefVal{Op: OpResult, Ok: ok, Err: er})
	case wit.KindFuture, wit.KindStream:
		vt, err := ie.optValType(td.Elem)
		if err != nil {
			return ValType{}, err
		}
		op := OpFuture
		if td.Kind == wit.KindStream {
			op = OpStream
		}
		enc = ie.defined(DefVal{Op: op, Elem: vt})
	case wit.KindType:
		if enc, err = ie.encodeValType(td.Elem); err != nil {
			return ValType{}, err
		}
	case wit.KindResource:
		if td.Name == "" {
			return ValType{}, fmt.Errorf("resource %d has no name", id)
		}
		idx := ie.exportResource(td.Name)
		ie.maps.idToIndex[id] = idx
		return ValType{Index: idx}, nil
	case wit.KindOwn, wit.KindBorrow:
		res, err := ie.encodeValType(wit.TypeOf(td.Resource))
		if err != nil {
			return ValType{}, err
		}
		if res.Prim != 0 {
			return ValType{}, fmt.Errorf("handle to a primitive type")
		}
		op := OpOwn
		if td.Kind == wit.KindBorrow {
			op = OpBorrow
		}
		enc = ie.defined(DefVal{Op: op, Index: res.Index})
	default:
		return ValType{}, fmt.Errorf("type %d has unknown kind %d", id, td.Kind)
	}

	if td.Name != "" {
		idx := enc.Index
		if enc.Prim != 0 {
			// A named primitive needs an entry to be exported.
			idx = ie.cur().AddType(&Type{Kind: TypeDefined, Defined: DefVal{Prim: enc.Prim}})
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
func (ie *interfaceEncoder) exportType(idx uint32, name string) uint32 {
	ext := Extern{Sort: SortType, Index: idx}
	if ie.inst != nil {
		return ie.inst.AddExport(ExternName{Name: name}, ext)
	}
	if ie.importTypes {
		return ie.outer.AddImport(ExternName{Name: name}, ext)
	}
	return ie.outer.AddExport(ExternName{Name: name}, ext)
}

func (ie *interfaceEncoder) exportResource(name string) uint32 {
	ext := Extern{Sort: SortType, SubResource: true}
	if ie.inst != nil {
		return ie.inst.AddExport(ExternName{Name: name}, ext)
	}
	if ie.importTypes {
		return ie.outer.AddImport(ExternName{Name: name}, ext)
	}
	return ie.outer.AddExport(ExternName{Name: name}, ext)
}

// importType aliases a type of an already imported interface into the
// outer scope (once) and, inside an instance, from there with an outer
// alias.
func (ie *interfaceEncoder) importType(owner wit.InterfaceID, id wit.TypeID, td *wit.TypeDef) (uint32, error) {
	inst, ok := ie.importMap[owner]
	if !ok {
		n, _ := idOf(ie.r, owner)
		return 0, fmt.Errorf("type %s comes from interface %s, which is not imported before it", td.Name, n)
	}
	outerIdx, ok := ie.outerTypeMap[id]
	if !ok {
		outerIdx = ie.outer.AddAlias(Alias{Instance: inst, Name: td.Name})
		ie.outerTypeMap[id] = outerIdx
	}
	if ie.inst != nil {
		return ie.inst.AddAlias(Alias{Outer: true, Count: 1, Index: outerIdx}), nil
	}
	return outerIdx, nil
}
