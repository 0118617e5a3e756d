package wit

import (
	"strings"
)

// This file moves an unresolvedPackage into a Resolve: foreign references
// are connected to packages already there, gated-out items are dropped,
// worlds get their includes and are elaborated. It follows the reference's
// Remap::append (resolve/mod.rs).

// remap maps the unresolved package's arena indices to the Resolve's; a
// NoType (NoInterface, NoWorld) entry is an item gated out by a feature.
type remap struct {
	types      []TypeID
	interfaces []InterfaceID
	worlds     []WorldID
	ownHandles map[TypeID]TypeID
	hasBorrow  map[TypeID]bool
	u          *unresolvedPackage
	typeDefs   slab[TypeDef] // for the own<T> handles made while remapping
}

func mapID[ID ~int32](m []ID, id ID, desc string, l loc) (ID, error) {
	if id < 0 || int(id) >= len(m) {
		return -1, errorf(l, "internal error: reference to a %s that has not been registered", desc)
	}
	if m[id] < 0 {
		return -1, errorf(l, "found a reference to a %s which is excluded due to its feature not being activated", desc)
	}
	return m[id], nil
}

func (m *remap) mapType(id TypeID, l loc) (TypeID, error) { return mapID(m.types, id, "type", l) }
func (m *remap) mapInterface(id InterfaceID, l loc) (InterfaceID, error) {
	return mapID(m.interfaces, id, "interface", l)
}
func (m *remap) mapWorld(id WorldID, l loc) (WorldID, error) { return mapID(m.worlds, id, "world", l) }

// packageByName finds a package of r by its name.
func (r *Resolve) packageByName(name *PackageName) (PackageID, bool) {
	for i, p := range r.Packages {
		if samePackageName(&p.Name, name) {
			return PackageID(i), true
		}
	}
	return NoPackage, false
}

func samePackageName(a, b *PackageName) bool {
	if a.Namespace != b.Namespace || a.Name != b.Name || (a.Version == nil) != (b.Version == nil) {
		return false
	}
	return a.Version == nil || *a.Version == *b.Version
}

// includeStability decides whether an item with the given stability exists
// in this Resolve (its feature is enabled, or its @since is released).
func (r *Resolve) includeStability(s *Stability, pkg PackageID, l loc) (bool, error) {
	switch s.Kind {
	case StabilityStable:
		p := r.Packages[pkg]
		if p.Name.Version == nil {
			return false, errorf(l, "package [%s] contains a feature gate with a version specifier, so it must have a version", p.Name)
		}
		if s.Since != nil && s.Since.Compare(*p.Name.Version) > 0 {
			return false, errorf(l, "feature gate cannot reference unreleased version %s of package [%s] (current version %s)", s.Since, p.Name, p.Name.Version)
		}
		return true, nil
	case StabilityUnstable:
		if r.AllFeatures {
			return true, nil
		}
		for _, f := range r.Features {
			if f == s.Feature {
				return true, nil
			}
		}
		return false, nil
	}
	return true, nil
}

// appendPackage adds one unresolved package to r; its dependencies must
// already be there.
func (r *Resolve) appendPackage(u *unresolvedPackage) (PackageID, error) {
	if _, dup := r.packageByName(&u.name); dup {
		return NoPackage, errorf(u.nameLoc, "package `%s` is already present in this Resolve", u.name)
	}
	m := &remap{ownHandles: map[TypeID]TypeID{}, hasBorrow: map[TypeID]bool{}, u: u}
	pkg := PackageID(len(r.Packages))
	r.Packages = append(r.Packages, &Package{Name: u.name, Docs: u.docs})
	if err := m.processForeignDeps(r, pkg); err != nil {
		return NoPackage, err
	}
	foreignTypes, foreignIfaces, foreignWorlds := len(m.types), len(m.interfaces), len(m.worlds)

	// Types first, in their (topological) order.
	for i := foreignTypes; i < len(u.types); i++ {
		td, l := u.types[i], u.typeLocs[i]
		ok, err := r.includeStability(&td.Stability, pkg, l)
		if err != nil {
			return NoPackage, err
		}
		if !ok {
			m.types = append(m.types, NoType)
			continue
		}
		if err := m.updateTypeDef(r, td, TypeID(i), l); err != nil {
			return NoPackage, err
		}
		id := TypeID(len(r.Types))
		r.Types = append(r.Types, td)
		if td.Name == "" && td.Owner.Kind == OwnerNone && td.Kind == KindOwn {
			if prev, ok := m.ownHandles[td.Resource]; ok {
				id = prev
			} else {
				m.ownHandles[td.Resource] = id
			}
		}
		m.types = append(m.types, id)
	}

	for i := foreignIfaces; i < len(u.interfaces); i++ {
		iface, l := u.interfaces[i], u.ifaceLocs[i]
		ok, err := r.includeStability(&iface.Stability, pkg, l)
		if err != nil {
			return NoPackage, err
		}
		if !ok {
			m.interfaces = append(m.interfaces, NoInterface)
			continue
		}
		iface.Package = pkg
		if err := m.updateInterface(r, iface, i, l); err != nil {
			return NoPackage, err
		}
		m.interfaces = append(m.interfaces, InterfaceID(len(r.Interfaces)))
		r.Interfaces = append(r.Interfaces, iface)
	}

	for i := foreignTypes; i < len(m.types); i++ {
		id := m.types[i]
		if id < 0 {
			continue
		}
		td := r.Types[id]
		if td.Owner.Kind == OwnerInterface {
			mapped, err := m.mapInterface(td.Owner.Interface, u.typeLocs[i])
			if err != nil {
				return NoPackage, errorf(u.typeLocs[i], "%s; this type is not gated by a feature but its interface is", err.(*Error).Msg)
			}
			td.Owner.Interface = mapped
		}
	}

	for i := foreignWorlds; i < len(u.worlds); i++ {
		w, l := u.worlds[i], u.worldLocs[i]
		ok, err := r.includeStability(&w.Stability, pkg, l)
		if err != nil {
			return NoPackage, err
		}
		if !ok {
			m.worlds = append(m.worlds, NoWorld)
			continue
		}
		if err := m.updateWorld(r, w, i, pkg); err != nil {
			return NoPackage, err
		}
		m.worlds = append(m.worlds, WorldID(len(r.Worlds)))
		r.Worlds = append(r.Worlds, w)
	}

	for i := foreignTypes; i < len(m.types); i++ {
		id := m.types[i]
		if id < 0 {
			continue
		}
		td := r.Types[id]
		if td.Owner.Kind == OwnerWorld {
			mapped, err := m.mapWorld(td.Owner.World, u.typeLocs[i])
			if err != nil {
				return NoPackage, errorf(u.typeLocs[i], "%s; this type is not gated by a feature but its world is", err.(*Error).Msg)
			}
			td.Owner.World = mapped
		}
	}

	// Includes and elaboration, in world order: an included world of this
	// package comes earlier and is therefore already complete.
	for i := foreignWorlds; i < len(m.worlds); i++ {
		id := m.worlds[i]
		if id < 0 {
			continue
		}
		if err := m.processWorldIncludes(r, id, i, pkg); err != nil {
			return NoPackage, err
		}
		if err := r.elaborateWorld(id, u.worldLocs[i]); err != nil {
			return NoPackage, err
		}
	}

	p := r.Packages[pkg]
	for i := foreignIfaces; i < len(m.interfaces); i++ {
		id := m.interfaces[i]
		if id < 0 {
			continue
		}
		iface := r.Interfaces[id]
		iface.Package = pkg
		if iface.Name != "" {
			p.Interfaces = append(p.Interfaces, Entry[InterfaceID]{iface.Name, id})
		}
	}
	for i := foreignWorlds; i < len(m.worlds); i++ {
		id := m.worlds[i]
		if id < 0 {
			continue
		}
		w := r.Worlds[id]
		w.Package = pkg
		p.Worlds = append(p.Worlds, Entry[WorldID]{w.Name, id})
	}
	return pkg, nil
}

func (m *remap) processForeignDeps(r *Resolve, pkg PackageID) error {
	u := m.u
	type dep struct {
		pkg         *PackageName
		name        string
		l           loc
		stabilities []Stability
	}
	ifaceDeps := map[InterfaceID]dep{}
	worldDeps := map[WorldID]dep{}
	for i, fp := range u.foreignDeps.vals {
		for j, name := range fp.items.keys {
			fi := fp.items.vals[j]
			d := dep{&fp.name, name, u.foreignDepLocs[i], fi.stabilities}
			if fi.item.kind == itemInterface {
				ifaceDeps[InterfaceID(fi.item.id)] = d
			} else {
				worldDeps[WorldID(fi.item.id)] = d
			}
		}
	}
	known := func() []string {
		names := make([]string, len(r.Packages))
		for i, p := range r.Packages {
			names[i] = p.Name.String()
		}
		return names
	}
	notFound := func(d dep) error {
		msg := "package '" + d.pkg.String() + "' not found"
		if k := known(); len(k) > 0 {
			msg += ". known packages:\n    " + strings.Join(k, "\n    ")
		}
		return errorf(d.l, "%s", msg)
	}
	enabled := func(d dep, l loc) (bool, error) {
		for i := range d.stabilities {
			ok, err := r.includeStability(&d.stabilities[i], pkg, l)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	}

	for i := range u.interfaces {
		d, ok := ifaceDeps[InterfaceID(i)]
		if !ok {
			break // foreign interfaces come first
		}
		p, ok := r.packageByName(d.pkg)
		if !ok {
			return notFound(d)
		}
		l := u.ifaceLocs[i]
		on, err := enabled(d, l)
		if err != nil {
			return err
		}
		if !on {
			m.interfaces = append(m.interfaces, NoInterface)
			continue
		}
		id, ok := Lookup(r.Packages[p].Interfaces, d.name)
		if !ok {
			return errorf(l, "interface '%s' not found in package '%s'", d.name, r.Packages[p].Name)
		}
		m.interfaces = append(m.interfaces, id)
	}
	for i := range u.worlds {
		d, ok := worldDeps[WorldID(i)]
		if !ok {
			break
		}
		p, ok := r.packageByName(d.pkg)
		if !ok {
			return notFound(d)
		}
		l := u.worldLocs[i]
		on, err := enabled(d, l)
		if err != nil {
			return err
		}
		if !on {
			m.worlds = append(m.worlds, NoWorld)
			continue
		}
		id, ok := Lookup(r.Packages[p].Worlds, d.name)
		if !ok {
			return errorf(l, "world '%s' not found in package '%s'", d.name, r.Packages[p].Name)
		}
		m.worlds = append(m.worlds, id)
	}

	for i, td := range u.types {
		if td.Kind != KindUnknown {
			break // unknown (foreign) types come first
		}
		ok, err := r.includeStability(&td.Stability, pkg, u.typeLocs[i])
		if err != nil {
			return err
		}
		if !ok {
			m.types = append(m.types, NoType)
			continue
		}
		iface, err := m.mapInterface(td.Owner.Interface, loc{})
		if err != nil {
			return err
		}
		id, ok := Lookup(r.Interfaces[iface].Types, td.Name)
		if !ok {
			return errorf(u.unknownTypeLocs[i], "type `%s` not defined in interface", td.Name)
		}
		m.types = append(m.types, id)
	}

	for _, rr := range u.requiredResourceTypes {
		id, err := m.mapType(rr.id, rr.l)
		if err != nil {
			continue // gated out: any use of it reports an error later
		}
		for range len(r.Types) + 1 {
			td := r.Types[id]
			if td.Kind == KindType {
				if next, ok := td.Elem.ID(); ok {
					id = next
					continue
				}
			}
			if td.Kind != KindResource {
				return errorf(rr.l, "type used in a handle must be a resource")
			}
			break
		}
	}
	return nil
}

// updateTypeDef maps the type references of td (but not its owner, whose
// interfaces are not known yet).
func (m *remap) updateTypeDef(r *Resolve, td *TypeDef, id TypeID, l loc) error {
	var err error
	switch td.Kind {
	case KindOwn, KindBorrow:
		td.Resource, err = m.mapType(td.Resource, l)
	case KindRecord:
		fl := m.u.fieldLocs[id]
		for i := range td.Fields {
			at := l
			if i < len(fl) {
				at = fl[i]
			}
			if err = m.updateType(r, &td.Fields[i].Type, at); err != nil {
				return err
			}
		}
	case KindTuple:
		for i := range td.Tuple {
			if err = m.updateType(r, &td.Tuple[i], l); err != nil {
				return err
			}
		}
	case KindVariant:
		for i := range td.Cases {
			if err = m.updateType(r, &td.Cases[i].Type, l); err != nil {
				return err
			}
		}
	case KindOption, KindList, KindFixedLengthList, KindFuture, KindStream:
		err = m.updateType(r, &td.Elem, l)
	case KindMap:
		if err = m.updateType(r, &td.Key, l); err == nil {
			err = m.updateType(r, &td.Elem, l)
		}
	case KindResult:
		if err = m.updateType(r, &td.Ok, l); err == nil {
			err = m.updateType(r, &td.Err, l)
		}
	case KindType:
		// Not updateType: `type a = r` of a resource r stays an alias, usable
		// both as the resource and as its handle.
		if tid, ok := td.Elem.ID(); ok {
			tid, err = m.mapType(tid, l)
			td.Elem = TypeOf(tid)
		}
	}
	return err
}

// updateType maps a type reference; a reference to a resource becomes an
// own<T> handle, allocated once per resource.
func (m *remap) updateType(r *Resolve, t *Type, l loc) error {
	id, ok := t.ID()
	if !ok {
		return nil
	}
	id, err := m.mapType(id, l)
	if err != nil {
		return err
	}
	*t = TypeOf(id)
	cur := id
	for range len(r.Types) + 1 {
		td := r.Types[cur]
		if td.Kind == KindType {
			if next, ok := td.Elem.ID(); ok {
				cur = next
				continue
			}
		}
		if td.Kind == KindResource {
			h, ok := m.ownHandles[id]
			if !ok {
				h = TypeID(len(r.Types))
				td := m.typeDefs.alloc()
				*td = TypeDef{Kind: KindOwn, Resource: id}
				r.Types = append(r.Types, td)
				m.ownHandles[id] = h
			}
			*t = TypeOf(h)
		}
		break
	}
	return nil
}

func (m *remap) updateInterface(r *Resolve, iface *Interface, idx int, l loc) error {
	types := iface.Types[:0]
	for _, e := range iface.Types {
		if int(e.ID) < len(m.types) && m.types[e.ID] >= 0 {
			types = append(types, e)
		}
	}
	iface.Types = types
	for i := range iface.Types {
		id, err := m.mapType(iface.Types[i].ID, l)
		if err != nil {
			return err
		}
		iface.Types[i].ID = id
	}
	funcs := iface.Functions[:0]
	var locs []loc
	if int(idx) < len(m.u.funcLocs) {
		locs = m.u.funcLocs[idx]
	}
	for i, f := range iface.Functions {
		fl := loc{}
		if i < len(locs) {
			fl = locs[i]
		}
		ok, err := r.includeStability(&f.Stability, iface.Package, fl)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := m.updateFunction(r, f, fl); err != nil {
			return err
		}
		funcs = append(funcs, f)
	}
	iface.Functions = funcs
	return nil
}

func (m *remap) updateFunction(r *Resolve, f *Function, l loc) error {
	if f.Kind != Freestanding && f.Kind != AsyncFreestanding {
		id, err := m.mapType(f.Resource, l)
		if err != nil {
			return err
		}
		f.Resource = id
	}
	for i := range f.Params {
		if err := m.updateType(r, &f.Params[i].Type, l); err != nil {
			return err
		}
	}
	if err := m.updateType(r, &f.Result, l); err != nil {
		return err
	}
	if f.Result != NoneType && m.typeHasBorrow(r, f.Result) {
		return errorf(l, "function `%s` returns a type which contains a `borrow<T>` which is not supported", f.Name)
	}
	return nil
}

func (m *remap) updateWorld(r *Resolve, w *World, idx int, pkg PackageID) error {
	locs := m.u.worldItems[idx]
	update := func(items []WorldItem, locs []loc) ([]WorldItem, error) {
		out := items[:0]
		for i := range items {
			it := items[i]
			l := loc{}
			if i < len(locs) {
				l = locs[i]
			}
			var stab *Stability
			switch it.Kind {
			case WorldItemType:
				id, err := m.mapType(it.Type, l)
				if err != nil {
					return nil, err
				}
				it.Type = id
				stab = &r.Types[id].Stability
			case WorldItemFunction:
				stab = &it.Function.Stability
			default:
				stab = &it.Stability
			}
			ok, err := r.includeStability(stab, pkg, l)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			if it.Key.IsInterface() {
				if it.Key.Interface, err = m.mapInterface(it.Key.Interface, l); err != nil {
					return nil, err
				}
			}
			switch it.Kind {
			case WorldItemInterface:
				if it.Interface, err = m.mapInterface(it.Interface, l); err != nil {
					return nil, err
				}
			case WorldItemFunction:
				if err := m.updateFunction(r, it.Function, l); err != nil {
					return nil, err
				}
			}
			out = append(out, it)
		}
		return out, nil
	}
	var err error
	if w.Imports, err = update(w.Imports, locs.imports); err != nil {
		return err
	}
	w.Exports, err = update(w.Exports, locs.exports)
	return err
}

// typeHasBorrow reports whether a borrow<T> is reachable from t.
func (m *remap) typeHasBorrow(r *Resolve, t Type) bool {
	id, ok := t.ID()
	if !ok {
		return false
	}
	if v, ok := m.hasBorrow[id]; ok {
		return v
	}
	m.hasBorrow[id] = false // cut (impossible) cycles
	td := r.Types[id]
	v := false
	switch td.Kind {
	case KindBorrow:
		v = true
	case KindType, KindList, KindFixedLengthList, KindFuture, KindStream, KindOption:
		v = m.typeHasBorrow(r, td.Elem)
	case KindVariant:
		for _, c := range td.Cases {
			if m.typeHasBorrow(r, c.Type) {
				v = true
				break
			}
		}
	case KindRecord:
		for _, f := range td.Fields {
			if m.typeHasBorrow(r, f.Type) {
				v = true
				break
			}
		}
	case KindTuple:
		for _, e := range td.Tuple {
			if m.typeHasBorrow(r, e) {
				v = true
				break
			}
		}
	case KindMap:
		v = m.typeHasBorrow(r, td.Key) || m.typeHasBorrow(r, td.Elem)
	case KindResult:
		v = m.typeHasBorrow(r, td.Ok) || m.typeHasBorrow(r, td.Err)
	}
	m.hasBorrow[id] = v
	return v
}
