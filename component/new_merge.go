package component

import (
	"fmt"
	"slices"
	"strings"

	"github.com/wasmcm/wasmcm/wit"
)

// This file merges the world of an adapter into the world of the main
// module, as wit-component's Bindgen::merge does with wit-parser's
// Resolve::merge and merge_worlds: packages, interfaces and types that both
// sides have (by name) are shared, everything else is copied over, and the
// adapter's world's imports and exports join the main world's.

// witRemap maps the arenas of a merged Resolve to the one it went into.
type witRemap struct {
	pkgs   []wit.PackageID
	ifaces []wit.InterfaceID
	types  []wit.TypeID
	worlds []wit.WorldID
}

func (m *witRemap) typ(t wit.Type) wit.Type {
	if id, ok := t.ID(); ok && int(id) < len(m.types) {
		return wit.TypeOf(m.types[id])
	}
	return t
}

func (m *witRemap) typeID(id wit.TypeID) wit.TypeID {
	if id >= 0 && int(id) < len(m.types) {
		return m.types[id]
	}
	return id
}

func (m *witRemap) iface(id wit.InterfaceID) wit.InterfaceID {
	if id >= 0 && int(id) < len(m.ifaces) {
		return m.ifaces[id]
	}
	return id
}

func (m *witRemap) function(f *wit.Function) *wit.Function {
	nf := *f
	nf.Params = slices.Clone(f.Params)
	for i := range nf.Params {
		nf.Params[i].Type = m.typ(nf.Params[i].Type)
	}
	nf.Result = m.typ(f.Result)
	if f.Kind != wit.Freestanding && f.Kind != wit.AsyncFreestanding {
		nf.Resource = m.typeID(f.Resource)
	}
	return &nf
}

func (m *witRemap) owner(o wit.TypeOwner) wit.TypeOwner {
	switch o.Kind {
	case wit.OwnerInterface:
		o.Interface = m.iface(o.Interface)
	case wit.OwnerWorld:
		if o.World >= 0 && int(o.World) < len(m.worlds) {
			o.World = m.worlds[o.World]
		}
	}
	return o
}

func samePackageName(a, b wit.PackageName) bool {
	if a.Namespace != b.Namespace || a.Name != b.Name || (a.Version == nil) != (b.Version == nil) {
		return false
	}
	return a.Version == nil || *a.Version == *b.Version
}

// mergeResolve copies from into into, sharing what into already defines.
func mergeResolve(into, from *wit.Resolve) (*witRemap, error) {
	m := &witRemap{
		pkgs:   make([]wit.PackageID, len(from.Packages)),
		ifaces: make([]wit.InterfaceID, len(from.Interfaces)),
		types:  make([]wit.TypeID, len(from.Types)),
		worlds: make([]wit.WorldID, len(from.Worlds)),
	}
	sharedPkg := make([]bool, len(from.Packages))
	for i, p := range from.Packages {
		m.pkgs[i] = wit.NoPackage
		if p == nil {
			continue
		}
		for j, q := range into.Packages {
			if q != nil && samePackageName(p.Name, q.Name) {
				m.pkgs[i], sharedPkg[i] = wit.PackageID(j), true
				break
			}
		}
		if !sharedPkg[i] {
			np := &wit.Package{Name: p.Name, Docs: p.Docs}
			into.Packages = append(into.Packages, np)
			m.pkgs[i] = wit.PackageID(len(into.Packages) - 1)
		}
	}
	pkg := func(id wit.PackageID) wit.PackageID {
		if id >= 0 && int(id) < len(m.pkgs) {
			return m.pkgs[id]
		}
		return wit.NoPackage
	}

	// Interfaces: a named interface of a package into has is shared.
	sharedIface := make([]bool, len(from.Interfaces))
	for i, x := range from.Interfaces {
		if x == nil {
			return nil, fmt.Errorf("interface %d does not exist", i)
		}
		if x.Name != "" && x.Package >= 0 && int(x.Package) < len(sharedPkg) && sharedPkg[x.Package] {
			if id, ok := wit.Lookup(into.Packages[m.pkgs[x.Package]].Interfaces, x.Name); ok {
				m.ifaces[i], sharedIface[i] = id, true
				continue
			}
		}
		into.Interfaces = append(into.Interfaces, nil)
		m.ifaces[i] = wit.InterfaceID(len(into.Interfaces) - 1)
	}

	// Types: a named type of a shared interface that into's interface has is
	// shared too.
	sharedType := make([]bool, len(from.Types))
	for i, td := range from.Types {
		if td == nil {
			return nil, fmt.Errorf("type %d does not exist", i)
		}
		if td.Name != "" && td.Owner.Kind == wit.OwnerInterface && td.Owner.Interface >= 0 &&
			int(td.Owner.Interface) < len(sharedIface) && sharedIface[td.Owner.Interface] {
			if id, ok := wit.Lookup(into.Interfaces[m.ifaces[td.Owner.Interface]].Types, td.Name); ok {
				m.types[i], sharedType[i] = id, true
				continue
			}
		}
		into.Types = append(into.Types, nil)
		m.types[i] = wit.TypeID(len(into.Types) - 1)
	}
	for i, w := range from.Worlds {
		if w == nil {
			return nil, fmt.Errorf("world %d does not exist", i)
		}
		into.Worlds = append(into.Worlds, nil)
		m.worlds[i] = wit.WorldID(len(into.Worlds) - 1)
	}

	for i, td := range from.Types {
		if sharedType[i] {
			continue
		}
		nt := *td
		nt.Elem, nt.Key, nt.Ok, nt.Err = m.typ(td.Elem), m.typ(td.Key), m.typ(td.Ok), m.typ(td.Err)
		nt.Tuple = slices.Clone(td.Tuple)
		for k := range nt.Tuple {
			nt.Tuple[k] = m.typ(nt.Tuple[k])
		}
		nt.Fields = slices.Clone(td.Fields)
		for k := range nt.Fields {
			nt.Fields[k].Type = m.typ(nt.Fields[k].Type)
		}
		nt.Cases = slices.Clone(td.Cases)
		for k := range nt.Cases {
			nt.Cases[k].Type = m.typ(nt.Cases[k].Type)
		}
		if td.Kind == wit.KindOwn || td.Kind == wit.KindBorrow {
			nt.Resource = m.typeID(td.Resource)
		}
		nt.Owner = m.owner(td.Owner)
		into.Types[m.types[i]] = &nt
		// A type new to a shared interface joins it.
		if td.Name != "" && td.Owner.Kind == wit.OwnerInterface && int(td.Owner.Interface) < len(sharedIface) && sharedIface[td.Owner.Interface] {
			x := into.Interfaces[m.ifaces[td.Owner.Interface]]
			x.Types = append(x.Types, wit.Entry[wit.TypeID]{Name: td.Name, ID: m.types[i]})
		}
	}
	for i, x := range from.Interfaces {
		if sharedIface[i] {
			// Functions into's interface lacks join it.
			y := into.Interfaces[m.ifaces[i]]
			for _, f := range x.Functions {
				if y.Function(f.Name) == nil {
					y.Functions = append(y.Functions, m.function(f))
				}
			}
			continue
		}
		nx := *x
		nx.Package = pkg(x.Package)
		nx.Types = slices.Clone(x.Types)
		for k := range nx.Types {
			nx.Types[k].ID = m.typeID(nx.Types[k].ID)
		}
		nx.Functions = make([]*wit.Function, len(x.Functions))
		for k, f := range x.Functions {
			nx.Functions[k] = m.function(f)
		}
		into.Interfaces[m.ifaces[i]] = &nx
		if x.Name != "" && nx.Package >= 0 {
			p := into.Packages[nx.Package]
			if _, ok := wit.Lookup(p.Interfaces, x.Name); !ok {
				p.Interfaces = append(p.Interfaces, wit.Entry[wit.InterfaceID]{Name: x.Name, ID: m.ifaces[i]})
			}
		}
	}
	for i, w := range from.Worlds {
		nw := &wit.World{Name: w.Name, Package: pkg(w.Package), Docs: w.Docs, Stability: w.Stability, Pos: w.Pos}
		nw.Imports, nw.Exports = m.worldItems(w.Imports), m.worldItems(w.Exports)
		into.Worlds[m.worlds[i]] = nw
		if nw.Package >= 0 {
			p := into.Packages[nw.Package]
			if _, ok := wit.Lookup(p.Worlds, w.Name); !ok {
				p.Worlds = append(p.Worlds, wit.Entry[wit.WorldID]{Name: w.Name, ID: m.worlds[i]})
			}
		}
	}
	return m, nil
}

func (m *witRemap) worldItems(list []wit.WorldItem) []wit.WorldItem {
	out := make([]wit.WorldItem, 0, len(list))
	for _, it := range list {
		n := it
		if it.Key.IsInterface() {
			n.Key.Interface = m.iface(it.Key.Interface)
		}
		switch it.Kind {
		case wit.WorldItemInterface:
			n.Interface = m.iface(it.Interface)
		case wit.WorldItemFunction:
			n.Function = m.function(it.Function)
		case wit.WorldItemType:
			n.Type = m.typeID(it.Type)
		}
		out = append(out, n)
	}
	return out
}

// worldKeyName names a world item's key as a component import or export.
func worldKeyName(r *wit.Resolve, k wit.WorldKey) string {
	if !k.IsInterface() {
		return k.Name
	}
	s, err := witIDOf(r, k.Interface)
	if err != nil {
		return "?"
	}
	return s
}

// mergeWorlds adds the imports and exports of world from to world into
// (both in r), and returns the keys of the exports from brings.
func mergeWorlds(r *wit.Resolve, from, into wit.WorldID) ([]string, error) {
	fw, iw := r.Worlds[from], r.Worlds[into]
	find := func(items []wit.WorldItem, key string) *wit.WorldItem {
		for i := range items {
			if worldKeyName(r, items[i].Key) == key {
				return &items[i]
			}
		}
		return nil
	}
	rehome := func(it wit.WorldItem) wit.WorldItem {
		if it.Kind == wit.WorldItemType {
			if td := r.Types[it.Type]; td.Owner.Kind == wit.OwnerWorld && td.Owner.World == from {
				td.Owner.World = into
			}
		}
		return it
	}
	for _, it := range fw.Imports {
		key := worldKeyName(r, it.Key)
		if old := find(iw.Imports, key); old != nil {
			if old.Kind != it.Kind {
				return nil, fmt.Errorf("failed to merge world import %s: different kinds of items", key)
			}
			continue
		}
		iw.Imports = append(iw.Imports, rehome(it))
	}
	var added []string
	for _, it := range fw.Exports {
		key := worldKeyName(r, it.Key)
		if old := find(iw.Exports, key); old != nil {
			if old.Kind != it.Kind {
				return nil, fmt.Errorf("failed to merge world export %s: different kinds of items", key)
			}
			added = append(added, key)
			continue
		}
		iw.Exports = append(iw.Exports, rehome(it))
		added = append(added, key)
	}
	return added, nil
}

// semverMatch finds the world import an import module names when its
// version is only semver-compatible with the world's (a module built
// against wasi:cli/environment@0.2.6 imported by a world at 0.2.12).
func semverMatch(r *wit.Resolve, items []wit.WorldItem, module string) *wit.WorldItem {
	at := strings.LastIndexByte(module, '@')
	if at < 0 {
		return nil
	}
	v, err := wit.ParseVersion(module[at+1:])
	if err != nil {
		return nil
	}
	var best *wit.WorldItem
	var bestV wit.Version
	for i := range items {
		it := &items[i]
		if it.Kind != wit.WorldItemInterface || !it.Key.IsInterface() {
			continue
		}
		key := worldKeyName(r, it.Key)
		kat := strings.LastIndexByte(key, '@')
		if kat < 0 || key[:kat] != module[:at] {
			continue
		}
		kv, err := wit.ParseVersion(key[kat+1:])
		if err != nil || kv.CompatKey() != v.CompatKey() {
			continue
		}
		if best == nil || kv.Compare(bestV) > 0 {
			best, bestV = it, kv
		}
	}
	return best
}

// mergeImportsBySemver keeps, of several imports of semver-compatible
// versions of one interface, only the newest (as wit-parser's
// merge_world_imports_based_on_semver does): a module importing an older
// version gets the newer one, which semver says has everything the older
// one has. Imports whose types another import uses are kept.
func mergeImportsBySemver(r *wit.Resolve, world wit.WorldID) {
	w := r.Worlds[world]
	type ver struct {
		v   wit.Version
		idx int
	}
	newest := map[string]ver{}
	group := func(it wit.WorldItem) (string, wit.Version, bool) {
		if it.Kind != wit.WorldItemInterface || !it.Key.IsInterface() {
			return "", wit.Version{}, false
		}
		key := worldKeyName(r, it.Key)
		at := strings.LastIndexByte(key, '@')
		if at < 0 {
			return "", wit.Version{}, false
		}
		v, err := wit.ParseVersion(key[at+1:])
		if err != nil {
			return "", wit.Version{}, false
		}
		return key[:at] + "@" + v.CompatKey(), v, true
	}
	for i, it := range w.Imports {
		if g, v, ok := group(it); ok {
			if old, seen := newest[g]; !seen || v.Compare(old.v) > 0 {
				newest[g] = ver{v, i}
			}
		}
	}
	// Interfaces whose types other interfaces use stay.
	used := map[wit.InterfaceID]bool{}
	for _, td := range r.Types {
		if td == nil || td.Kind != wit.KindType || td.Owner.Kind != wit.OwnerInterface {
			continue
		}
		if id, ok := td.Elem.ID(); ok && r.Types[id].Owner.Kind == wit.OwnerInterface && r.Types[id].Owner.Interface != td.Owner.Interface {
			used[r.Types[id].Owner.Interface] = true
		}
	}
	out := w.Imports[:0]
	for i, it := range w.Imports {
		if g, _, ok := group(it); ok && newest[g].idx != i && !used[it.Interface] {
			continue
		}
		out = append(out, it)
	}
	w.Imports = out
}
