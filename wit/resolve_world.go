package wit

import (
	"cmp"
	"slices"
	"strings"
)

// This file completes worlds: `include` copies another world's items in,
// and elaboration adds the interfaces that imports and exports depend on,
// in the reference's order (resolve/mod.rs: process_world_includes,
// elaborate_world; resolve/clone.rs).

func (m *remap) processWorldIncludes(r *Resolve, id WorldID, idx int, pkg PackageID) error {
	w := r.Worlds[id]
	includes := w.Includes
	w.Includes = nil
	locs := m.u.worldItems[idx].includes
	for i := range includes {
		inc := &includes[i]
		l := loc{}
		if i < len(locs) {
			l = locs[i]
		}
		ok, err := r.includeStability(&inc.Stability, pkg, l)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := m.resolveInclude(r, id, inc.World, inc.Names, l, pkg); err != nil {
			return err
		}
	}
	return validateCaseInsensitiveNames(r.Worlds[id])
}

// validateCaseInsensitiveNames rejects names of one world that differ only
// in case: WIT identifiers are case-insensitive.
func validateCaseInsensitiveNames(w *World) error {
	for _, side := range [...]struct {
		items []WorldItem
		desc  string
	}{{w.Imports, "import"}, {w.Exports, "export"}} {
		seen := map[string]string{}
		for _, it := range side.items {
			if it.Key.IsInterface() {
				continue
			}
			name := it.Key.Name
			lower := strings.ToLower(name)
			if prev, ok := seen[lower]; ok && prev != name {
				return errorf(loc{}, "%s `%s` in world `%s` conflicts with %s `%s` (kebab-case identifiers are case-insensitive)",
					side.desc, name, w.Name, side.desc, prev)
			}
			seen[lower] = name
		}
	}
	return nil
}

// renameItem applies one `a as b` of an include to a name, including the
// resource part of "[method]a.f" style names.
func renameItem(orig string, n IncludeName) (string, bool) {
	if orig == n.Name {
		return n.As, true
	}
	kind, rest, ok := strings.Cut(orig, "]")
	if !ok {
		return "", false
	}
	if name, tail, ok := strings.Cut(rest, "."); ok && name == n.Name {
		return kind + "]" + n.As + "." + tail, true
	}
	if rest == n.Name {
		return kind + "]" + n.As, true
	}
	return "", false
}

func (m *remap) resolveInclude(r *Resolve, id, from WorldID, names []IncludeName, l loc, pkg PackageID) error {
	incID, err := m.mapWorld(from, l)
	if err != nil {
		return err
	}
	inc := r.Worlds[incID]
	// inc is another world (include cycles are rejected earlier), so its
	// items stay put while this world's grow.
	imports, exports := inc.Imports, inc.Exports
	external := r.Worlds[id].Package != inc.Package

	left := slices.Clone(names)
	for _, items := range [][]WorldItem{imports, exports} {
		for _, it := range items {
			if it.Key.IsInterface() {
				continue
			}
			left = slices.DeleteFunc(left, func(n IncludeName) bool {
				_, ok := renameItem(it.Key.Name, n)
				return ok
			})
		}
	}
	if len(left) > 0 {
		return errorf(l, "no import or export kebab-name `%s`. Note that an ID does not support renaming", left[0].Name)
	}

	c := &cloner{r: r, types: map[TypeID]TypeID{}, prevOwner: TypeOwner{Kind: OwnerWorld, World: incID}, newOwner: TypeOwner{Kind: OwnerWorld, World: id}, pkg: pkg}
	for _, side := range [...]struct {
		items []WorldItem
		desc  string
		dst   func() *[]WorldItem
	}{
		{imports, "import", func() *[]WorldItem { return &r.Worlds[id].Imports }},
		{exports, "export", func() *[]WorldItem { return &r.Worlds[id].Exports }},
	} {
		// Room for every included item at once rather than growing by
		// appends (items already there are merged, not added).
		dst := side.dst()
		*dst = slices.Grow(*dst, len(side.items))
		for _, it := range side.items {
			if err := m.includeItem(c, names, side.dst(), it, l, side.desc, external); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *remap) includeItem(c *cloner, names []IncludeName, dst *[]WorldItem, it WorldItem, l loc, desc string, external bool) error {
	if !it.Key.IsInterface() {
		n := it.Key.Name
		for _, in := range names {
			if renamed, ok := renameItem(n, in); ok {
				n = renamed
				break
			}
		}
		c.worldItem(&it)
		switch it.Kind {
		case WorldItemFunction:
			it.Function.Name = n
		case WorldItemType:
			c.r.Types[it.Type].Name = n
		}
		it.Key = WorldKey{Name: n}
		if findItem(*dst, it.Key) >= 0 {
			return errorf(l, "%s of `%s` shadows previously %sed items", desc, n, desc)
		}
		*dst = append(*dst, it)
		return nil
	}
	i := findItem(*dst, it.Key)
	if i < 0 {
		*dst = append(*dst, it)
		i = len(*dst) - 1
	}
	into := &(*dst)[i].Stability
	from := it.Stability
	if external && from.Kind == StabilityStable {
		*into = Stability{}
		return nil
	}
	if from.Kind == StabilityUnknown || stabilityEqual(&from, into) {
		return nil
	}
	if into.Kind == StabilityUnknown {
		*into = from
		return nil
	}
	return errorf(loc{}, "mismatch in stability from '%s' to '%s'", stabilityDebug(&from), stabilityDebug(into))
}

func stabilityEqual(a, b *Stability) bool {
	verEq := func(x, y *Version) bool {
		if x == nil || y == nil {
			return x == y
		}
		return *x == *y
	}
	return a.Kind == b.Kind && a.Feature == b.Feature && verEq(a.Since, b.Since) && verEq(a.Deprecated, b.Deprecated)
}

// stabilityDebug prints a Stability as the reference's Debug formatting.
func stabilityDebug(s *Stability) string {
	dep := "None"
	if s.Deprecated != nil {
		dep = "Some(Version { " + s.Deprecated.String() + " })"
	}
	switch s.Kind {
	case StabilityStable:
		since := "?"
		if s.Since != nil {
			since = s.Since.String()
		}
		return "Stable { since: Version { " + since + " }, deprecated: " + dep + " }"
	case StabilityUnstable:
		return "Unstable { feature: \"" + s.Feature + "\", deprecated: " + dep + " }"
	}
	return "Unknown"
}

// cloner deep-copies the types (and anonymous interfaces) of world items
// that an include copies into another world, giving them the new owner.
type cloner struct {
	r         *Resolve
	types     map[TypeID]TypeID
	prevOwner TypeOwner
	newOwner  TypeOwner
	pkg       PackageID
}

func (c *cloner) worldItem(it *WorldItem) {
	switch it.Kind {
	case WorldItemType:
		it.Type = c.typeID(it.Type)
	case WorldItemFunction:
		f := *it.Function
		f.Params = slices.Clone(f.Params)
		c.function(&f)
		it.Function = &f
	case WorldItemInterface:
		if c.r.Interfaces[it.Interface].Name != "" {
			return // named interfaces are shared, not copied
		}
		it.Interface = c.iface(it.Interface)
	}
}

func (c *cloner) typeID(id TypeID) TypeID {
	if n, ok := c.types[id]; ok {
		return n
	}
	td := cloneTypeDef(c.r.Types[id])
	c.typeDef(td)
	n := TypeID(len(c.r.Types))
	c.r.Types = append(c.r.Types, td)
	c.types[id] = n
	return n
}

func cloneTypeDef(td *TypeDef) *TypeDef {
	n := *td
	n.Fields = slices.Clone(td.Fields)
	n.Flags = slices.Clone(td.Flags)
	n.Cases = slices.Clone(td.Cases)
	n.Enum = slices.Clone(td.Enum)
	n.Tuple = slices.Clone(td.Tuple)
	return &n
}

func (c *cloner) typeDef(td *TypeDef) {
	if td.Owner.Kind != OwnerNone {
		td.Owner = c.newOwner
	}
	switch td.Kind {
	case KindType:
		if id, ok := td.Elem.ID(); ok {
			if c.r.Types[id].Owner == c.prevOwner {
				td.Elem = TypeOf(c.typeID(id))
			} else if n, ok := c.types[id]; ok {
				td.Elem = TypeOf(n)
			}
			// Otherwise it is a `use` of another interface's type, which
			// keeps pointing there.
		}
	case KindOwn, KindBorrow:
		td.Resource = c.typeID(td.Resource)
	case KindOption, KindList, KindFixedLengthList, KindFuture, KindStream:
		c.ty(&td.Elem)
	case KindMap:
		c.ty(&td.Key)
		c.ty(&td.Elem)
	case KindTuple:
		for i := range td.Tuple {
			c.ty(&td.Tuple[i])
		}
	case KindRecord:
		for i := range td.Fields {
			c.ty(&td.Fields[i].Type)
		}
	case KindVariant:
		for i := range td.Cases {
			c.ty(&td.Cases[i].Type)
		}
	case KindResult:
		c.ty(&td.Ok)
		c.ty(&td.Err)
	}
}

func (c *cloner) ty(t *Type) {
	if id, ok := t.ID(); ok {
		*t = TypeOf(c.typeID(id))
	}
}

func (c *cloner) function(f *Function) {
	if f.Kind != Freestanding && f.Kind != AsyncFreestanding {
		f.Resource = c.typeID(f.Resource)
	}
	for i := range f.Params {
		c.ty(&f.Params[i].Type)
	}
	c.ty(&f.Result)
}

// iface copies an anonymous interface with its own types.
func (c *cloner) iface(old InterfaceID) InterfaceID {
	src := c.r.Interfaces[old]
	n := *src
	n.Types = slices.Clone(src.Types)
	next := InterfaceID(len(c.r.Interfaces))
	inner := &cloner{r: c.r, types: c.types, prevOwner: TypeOwner{Kind: OwnerInterface, Interface: old}, newOwner: TypeOwner{Kind: OwnerInterface, Interface: next}, pkg: c.pkg}
	for i := range n.Types {
		n.Types[i].ID = inner.typeID(n.Types[i].ID)
	}
	n.Functions = make([]*Function, len(src.Functions))
	for i, f := range src.Functions {
		nf := *f
		nf.Params = slices.Clone(f.Params)
		inner.function(&nf)
		n.Functions[i] = &nf
	}
	n.Package = c.pkg
	c.r.Interfaces = append(c.r.Interfaces, &n)
	return next
}

// typeInterfaceDep is the interface a `use` alias type imports from, when
// it is another interface than the type's own.
func (r *Resolve) typeInterfaceDep(id TypeID) (InterfaceID, bool) {
	td := r.Types[id]
	if td.Kind != KindType {
		return NoInterface, false
	}
	dep, ok := td.Elem.ID()
	if !ok {
		return NoInterface, false
	}
	other := r.Types[dep]
	if other.Owner == td.Owner || other.Owner.Kind != OwnerInterface {
		return NoInterface, false
	}
	return other.Owner.Interface, true
}

// interfaceDirectDeps lists the interfaces id uses types from, possibly
// with repeats, in the order of its types.
func (r *Resolve) interfaceDirectDeps(id InterfaceID, out []InterfaceID) []InterfaceID {
	for _, e := range r.Interfaces[id].Types {
		if dep, ok := r.typeInterfaceDep(e.ID); ok {
			out = append(out, dep)
		}
	}
	return out
}

// elaborateWorld adds to a world every interface its imports and exports
// depend on, ordering imports dependencies first, and rejects exports
// that would need an interface both imported and exported.
func (r *Resolve) elaborateWorld(id WorldID, l loc) error {
	w := r.Worlds[id]
	sortKey := func(it *WorldItem) int {
		switch it.Kind {
		case WorldItemInterface:
			return 0
		case WorldItemType:
			td := r.Types[it.Type]
			if td.Kind == KindType {
				if t, ok := td.Elem.ID(); ok && r.Types[t].Owner != td.Owner {
					return 1
				}
			}
			return 2
		}
		if it.Function.Kind == Freestanding || it.Function.Kind == AsyncFreestanding {
			return 3
		}
		return 4
	}
	sortItems := func(items []WorldItem) {
		slices.SortStableFunc(items, func(a, b WorldItem) int { return cmp.Compare(sortKey(&a), sortKey(&b)) })
	}

	imports := w.Imports // replaced below, so it may be sorted in place
	sortItems(imports)
	// Elaboration adds the interfaces imports depend on: room for some.
	newImports := make([]WorldItem, 0, 2*len(imports)+len(w.Exports))
	for _, it := range imports {
		switch it.Kind {
		case WorldItemInterface:
			newImports = r.elaborateImport(newImports, it.Key, it.Interface, it.Stability, it.Docs, it.ExternalID, it.Pos)
		case WorldItemFunction:
			newImports = append(newImports, it)
		case WorldItemType:
			if dep, ok := r.typeInterfaceDep(it.Type); ok {
				newImports = r.elaborateImport(newImports, WorldKey{Interface: dep}, dep, r.Types[it.Type].Stability, Docs{}, "", Pos{})
			}
			newImports = append(newImports, it)
		}
	}

	var newExports, exportIfaces []WorldItem
	for _, it := range w.Exports {
		switch it.Kind {
		case WorldItemInterface:
			exportIfaces = append(exportIfaces, it)
		case WorldItemFunction:
			newExports = append(newExports, it)
		}
	}
	e := &exportElaboration{r: r, imports: newImports, exports: newExports, exportIfaces: exportIfaces, required: map[InterfaceID]bool{}}
	for _, it := range exportIfaces {
		if !e.add(it, true) {
			return errorf(l, "interface `%s` transitively depends on an interface in incompatible ways", r.nameWorldKey(it.Key))
		}
	}
	sortItems(e.imports)
	w.Imports = e.imports
	w.Exports = e.exports
	return nil
}

// nameWorldKey is a key's name: its own, or the interface's full id.
func (r *Resolve) nameWorldKey(k WorldKey) string {
	if !k.IsInterface() {
		return k.Name
	}
	iface := r.Interfaces[k.Interface]
	if iface.Package == NoPackage {
		return iface.Name
	}
	return r.idOfName(iface.Package, iface.Name)
}

// elaborateImport adds an interface import after the interfaces it uses
// types from; those dependencies get the import's stability but neither
// its docs nor its external id, as in the reference.
func (r *Resolve) elaborateImport(imports []WorldItem, key WorldKey, id InterfaceID, stab Stability, docs Docs, extID string, pos Pos) []WorldItem {
	if findItem(imports, key) >= 0 {
		return imports
	}
	for _, dep := range r.interfaceDirectDeps(id, nil) {
		imports = r.elaborateImport(imports, WorldKey{Interface: dep}, dep, stab, Docs{}, "", Pos{})
	}
	return append(imports, WorldItem{Key: key, Kind: WorldItemInterface, Interface: id, Stability: stab, ExternalID: extID, Docs: docs, Pos: pos})
}

// exportElaboration is the state of the reference's add_world_export.
type exportElaboration struct {
	r            *Resolve
	imports      []WorldItem
	exports      []WorldItem
	exportIfaces []WorldItem
	required     map[InterfaceID]bool
}

func (e *exportElaboration) add(it WorldItem, export bool) bool {
	if findItem(e.exports, it.Key) >= 0 {
		return export
	}
	id := it.Interface
	if !export && e.required[id] {
		return true
	}
	for _, dep := range e.r.interfaceDirectDeps(id, nil) {
		key := WorldKey{Interface: dep}
		// The reference hands a dependency the stability and external id
		// of the export that needs it.
		depItem := WorldItem{Key: key, Kind: WorldItemInterface, Interface: dep, Stability: it.Stability, ExternalID: it.ExternalID}
		if !e.add(depItem, export && findItem(e.exportIfaces, key) >= 0) {
			return false
		}
	}
	if export {
		if e.required[id] {
			return false
		}
		e.exports = append(e.exports, it)
		return true
	}
	e.required[id] = true
	if findItem(e.imports, it.Key) < 0 {
		e.imports = append(e.imports, it)
	}
	return true
}
