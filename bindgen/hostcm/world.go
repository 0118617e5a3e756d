package hostcm

import (
	"fmt"
	"strings"

	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/runtime"
	"github.com/wasmcm/wasmcm/wit"
)

// World describes the world generated bindings were made for: the types
// their functions use, without aliases, and the functions of each import
// and export. A component is checked against it before it is used.
type World struct {
	Name    string // ns:pkg/world, for messages
	Types   []Type
	Imports []Item
	Exports []Item
}

// Type describes a type definition; its Types refer to primitives (the
// wit.Type values below 32) or to other entries of World.Types (Ref).
type Type struct {
	Kind  wit.Kind
	Name  string     // a resource's name (and, for messages, a named type's)
	Names []string   // field, case, enum case or flag names
	Types []wit.Type // field, case or tuple types; the element of an option, list or handle; ok and err of a result; key and value of a map
	Len   uint32     // a fixed-length list's length
}

// Ref refers to World.Types[i].
func Ref(i int) wit.Type { return wit.TypeOf(wit.TypeID(i)) }

// Item is one import or export of a world: an interface or a function.
type Item struct {
	Name  string // the world key: ns:pkg/iface@v, or a plain name
	Iface bool
	// WASI tells an interface the WASI host serves when the application
	// does not.
	WASI  bool
	Funcs []Func
}

// Func is a function of an item.
type Func struct {
	Name   string
	Params []string
	Types  []wit.Type
	Result wit.Type // wit.NoneType for none
}

// Binding is the outcome of checking a component against a World: the
// names the component gives the world's items (their versions may
// differ), by item index; "" for an import the component does not have.
type Binding struct {
	Imports []string
	Exports []string
	// WASI tells that the component imports WASI interfaces the world does
	// not have (a preview-1 adapter's), which the WASI host serves.
	WASI bool
}

// Check decodes the component's world and checks it against w: every
// export of w must be exported with the same types, and every import of
// the component that the bindings serve must be one of w's with the same
// types. The error names the first mismatch.
func Check(w *World, bin []byte) (*Binding, error) {
	d, err := component.DecodeWIT(bin)
	if err != nil {
		return nil, fmt.Errorf("%s: decoding the component's types: %w", w.Name, err)
	}
	if d.World == wit.NoWorld {
		return nil, fmt.Errorf("%s: the binary is a WIT package, not a component", w.Name)
	}
	r := d.Resolve
	cw := r.Worlds[d.World]
	b := &Binding{Imports: make([]string, len(w.Imports)), Exports: make([]string, len(w.Exports))}
	m := &matcher{w: w, r: r, res: map[int]wit.TypeID{}, rev: map[wit.TypeID]int{}}
	for i := range w.Exports {
		it := &w.Exports[i]
		ci, name, ok := findItem(r, cw.Exports, it)
		if !ok {
			return nil, fmt.Errorf("%s: the component does not export %s", w.Name, itemDesc(it))
		}
		b.Exports[i] = name
		for fi := range it.Funcs {
			f := &it.Funcs[fi]
			cf := itemFunc(r, ci, f.Name)
			if cf == nil {
				return nil, fmt.Errorf("%s: export %s of the component has no function %s", w.Name, name, f.Name)
			}
			if err := m.fn(f, cf.Params, cf.Result); err != nil {
				return nil, fmt.Errorf("%s: export %s: %w", w.Name, funcDesc(it, name, f.Name), err)
			}
		}
	}
	for _, ci := range cw.Imports {
		if ci.Kind == wit.WorldItemType {
			continue
		}
		name := keyName(r, ci.Key)
		idx := -1
		for i := range w.Imports {
			if compatible(w.Imports[i].Name, name) && w.Imports[i].Iface == (ci.Kind == wit.WorldItemInterface) {
				idx = i
				break
			}
		}
		if idx < 0 {
			if ci.Kind == wit.WorldItemInterface && isWASI(name) {
				b.WASI = true // the WASI host serves it
				continue
			}
			return nil, fmt.Errorf("%s: the component imports %s, which the world does not have", w.Name, name)
		}
		it := &w.Imports[idx]
		b.Imports[idx] = name
		var cfs []*wit.Function
		if ci.Kind == wit.WorldItemFunction {
			cfs = []*wit.Function{ci.Function}
		} else {
			cfs = r.Interfaces[ci.Interface].Functions
		}
		for _, cf := range cfs {
			var f *Func
			for k := range it.Funcs {
				if it.Funcs[k].Name == cf.Name {
					f = &it.Funcs[k]
				}
			}
			if f == nil {
				return nil, fmt.Errorf("%s: the component imports function %s of %s, which the world does not have", w.Name, cf.Name, name)
			}
			if err := m.fn(f, cf.Params, cf.Result); err != nil {
				return nil, fmt.Errorf("%s: import %s: %w", w.Name, funcDesc(it, name, f.Name), err)
			}
		}
	}
	return b, nil
}

func itemDesc(it *Item) string {
	if it.Iface {
		return "interface " + it.Name
	}
	return "function " + it.Name
}

func funcDesc(it *Item, name, f string) string {
	if it.Iface {
		return name + "#" + f
	}
	return name
}

// isWASI reports whether the WASI host serves interface name.
func isWASI(name string) bool {
	for _, p := range []string{"wasi:cli/", "wasi:io/", "wasi:clocks/", "wasi:random/", "wasi:filesystem/"} {
		if strings.HasPrefix(name, p) && strings.Contains(name, "@0.2.") {
			return true
		}
	}
	return false
}

func keyName(r *wit.Resolve, k wit.WorldKey) string {
	if !k.IsInterface() {
		return k.Name
	}
	iface := r.Interfaces[k.Interface]
	if iface.Package == wit.NoPackage {
		return iface.Name
	}
	return r.Packages[iface.Package].Name.Namespace + ":" + r.Packages[iface.Package].Name.Name + "/" + iface.Name + versionSuffix(r.Packages[iface.Package].Name.Version)
}

func versionSuffix(v *wit.Version) string {
	if v == nil {
		return ""
	}
	return "@" + v.String()
}

// compatible reports whether names a and b are the same item: equal, or
// equal but for semver-compatible versions.
func compatible(a, b string) bool {
	if a == b {
		return true
	}
	i, j := strings.LastIndexByte(a, '@'), strings.LastIndexByte(b, '@')
	if i < 0 || j < 0 || a[:i] != b[:j] {
		return false
	}
	va, err1 := wit.ParseVersion(a[i+1:])
	vb, err2 := wit.ParseVersion(b[j+1:])
	return err1 == nil && err2 == nil && va.CompatKey() == vb.CompatKey()
}

func findItem(r *wit.Resolve, items []wit.WorldItem, it *Item) (*wit.WorldItem, string, bool) {
	for i := range items {
		ci := &items[i]
		if ci.Kind == wit.WorldItemType || (ci.Kind == wit.WorldItemInterface) != it.Iface {
			continue
		}
		if n := keyName(r, ci.Key); compatible(it.Name, n) {
			return ci, n, true
		}
	}
	return nil, "", false
}

func itemFunc(r *wit.Resolve, ci *wit.WorldItem, name string) *wit.Function {
	if ci.Kind == wit.WorldItemFunction {
		return ci.Function
	}
	return r.Interfaces[ci.Interface].Function(name)
}

// matcher compares the types of World with those of a component, pairing
// the world's resources with the component's as it goes.
type matcher struct {
	w   *World
	r   *wit.Resolve
	res map[int]wit.TypeID
	rev map[wit.TypeID]int
}

func (m *matcher) fn(f *Func, ps []wit.Param, res wit.Type) error {
	if len(ps) != len(f.Types) {
		return fmt.Errorf("expected %d parameters, the component's function has %d", len(f.Types), len(ps))
	}
	for i, p := range ps {
		if p.Name != f.Params[i] {
			return fmt.Errorf("parameter %d: expected the name %s, the component has %s", i, f.Params[i], p.Name)
		}
		if err := m.typ(f.Types[i], p.Type, 0); err != nil {
			return fmt.Errorf("parameter %s: %w", p.Name, err)
		}
	}
	if err := m.typ(f.Result, res, 0); err != nil {
		return fmt.Errorf("result: %w", err)
	}
	return nil
}

func (m *matcher) desc(t wit.Type) string {
	if t == wit.NoneType {
		return "nothing"
	}
	if t.IsPrimitive() {
		return t.PrimitiveName()
	}
	id, _ := t.ID()
	if int(id) >= len(m.w.Types) {
		return "a bad type"
	}
	d := &m.w.Types[id]
	if d.Name != "" {
		return d.Kind.String() + " " + d.Name
	}
	return d.Kind.String()
}

func (m *matcher) adesc(t wit.Type) string {
	if t == wit.NoneType {
		return "nothing"
	}
	if t.IsPrimitive() {
		return t.PrimitiveName()
	}
	td := m.r.TypeDef(t)
	if td == nil {
		return "an unknown type"
	}
	if td.Name != "" {
		return td.Kind.String() + " " + td.Name
	}
	return td.Kind.String()
}

func (m *matcher) typ(e, a wit.Type, depth int) error {
	if depth > 100 {
		return fmt.Errorf("types nest too deeply")
	}
	a = m.r.Dealias(a)
	mismatch := func() error { return fmt.Errorf("expected %s, the component has %s", m.desc(e), m.adesc(a)) }
	if e == wit.NoneType || e.IsPrimitive() || a == wit.NoneType || a.IsPrimitive() {
		if e != a {
			return mismatch()
		}
		return nil
	}
	eid, _ := e.ID()
	aid, _ := a.ID()
	if int(eid) >= len(m.w.Types) || int(aid) >= len(m.r.Types) {
		return mismatch()
	}
	d, td := &m.w.Types[eid], m.r.Types[aid]
	if d.Kind != td.Kind {
		return mismatch()
	}
	elems := func(ts []wit.Type, names []string, what string) error {
		if len(ts) != len(d.Types) {
			return fmt.Errorf("%s: expected %d %ss, the component has %d", m.desc(e), len(d.Types), what, len(ts))
		}
		for i, t := range ts {
			if names != nil && names[i] != d.Names[i] {
				return fmt.Errorf("%s: %s %d: expected %s, the component has %s", m.desc(e), what, i, d.Names[i], names[i])
			}
			if err := m.typ(d.Types[i], t, depth+1); err != nil {
				if names != nil {
					return fmt.Errorf("%s %s: %w", what, names[i], err)
				}
				return fmt.Errorf("%s %d: %w", what, i, err)
			}
		}
		return nil
	}
	labels := func(names []string, what string) error {
		if len(names) != len(d.Names) {
			return fmt.Errorf("%s: expected %d %ss, the component has %d", m.desc(e), len(d.Names), what, len(names))
		}
		for i, n := range names {
			if n != d.Names[i] {
				return fmt.Errorf("%s: %s %d: expected %s, the component has %s", m.desc(e), what, i, d.Names[i], n)
			}
		}
		return nil
	}
	switch td.Kind {
	case wit.KindRecord:
		ts, ns := make([]wit.Type, len(td.Fields)), make([]string, len(td.Fields))
		for i, f := range td.Fields {
			ts[i], ns[i] = f.Type, f.Name
		}
		return elems(ts, ns, "field")
	case wit.KindVariant:
		ts, ns := make([]wit.Type, len(td.Cases)), make([]string, len(td.Cases))
		for i, c := range td.Cases {
			ts[i], ns[i] = c.Type, c.Name
		}
		return elems(ts, ns, "case")
	case wit.KindEnum:
		ns := make([]string, len(td.Enum))
		for i, c := range td.Enum {
			ns[i] = c.Name
		}
		return labels(ns, "case")
	case wit.KindFlags:
		ns := make([]string, len(td.Flags))
		for i, f := range td.Flags {
			ns[i] = f.Name
		}
		return labels(ns, "flag")
	case wit.KindTuple:
		return elems(td.Tuple, nil, "element")
	case wit.KindOption, wit.KindList, wit.KindFuture, wit.KindStream:
		return elems([]wit.Type{td.Elem}, nil, "element")
	case wit.KindFixedLengthList:
		if td.Len != d.Len {
			return fmt.Errorf("expected a list of %d elements, the component has %d", d.Len, td.Len)
		}
		return elems([]wit.Type{td.Elem}, nil, "element")
	case wit.KindMap:
		return elems([]wit.Type{td.Key, td.Elem}, nil, "key and value")
	case wit.KindResult:
		return elems([]wit.Type{td.Ok, td.Err}, nil, "ok and error")
	case wit.KindOwn, wit.KindBorrow:
		return elems([]wit.Type{wit.TypeOf(m.r.DealiasID(td.Resource))}, nil, "resource")
	case wit.KindResource:
		if x, ok := m.res[int(eid)]; ok && x != aid {
			return fmt.Errorf("resource %s: the component uses two different resources for it", d.Name)
		}
		if x, ok := m.rev[aid]; ok && x != int(eid) {
			return fmt.Errorf("resource %s: the component uses it for two different resources (%s and %s)", td.Name, m.w.Types[x].Name, d.Name)
		}
		m.res[int(eid)], m.rev[aid] = aid, int(eid)
		return nil
	}
	return mismatch()
}

// BindFunc looks up export function name of the instance and checks its
// types against f, recording the run-time types of the resources they use
// in s.XRes.
func BindFunc(s *Instance, w *World, name string, f *Func) (*runtime.Func, error) {
	rf, err := s.Runtime.Func(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", w.Name, err)
	}
	m := &matcher{w: w, r: rf.Resolve(), res: map[int]wit.TypeID{}, rev: map[wit.TypeID]int{}}
	ps := make([]wit.Param, len(rf.Params()))
	for i, t := range rf.Params() {
		ps[i] = wit.Param{Name: rf.ParamNames()[i], Type: t}
	}
	if err := m.fn(f, ps, rf.Result()); err != nil {
		return nil, fmt.Errorf("%s: export %s: %w", w.Name, name, err)
	}
	for i, id := range m.res {
		if rt := s.Runtime.ResourceType(id); rt != nil && s.XRes[i] == nil {
			s.XRes[i] = rt
		}
	}
	return rf, nil
}
