package compose

import (
	"fmt"
	"strings"

	"github.com/wasmcm/wasmcm/wit"
)

// scope maps the types and interfaces of one package's Resolve (the world a
// component decodes to) to those of the graph's Resolve, for one use of
// that package: an instantiation binds the package's imports to its
// arguments, and its exports become fresh definitions (new resources) of
// that instance.
type scope struct {
	from   *wit.Resolve
	types  map[wit.TypeID]wit.TypeID
	ifaces map[wit.InterfaceID]wit.InterfaceID
}

func newScope(from *wit.Resolve) *scope {
	return &scope{from: from, types: map[wit.TypeID]wit.TypeID{}, ifaces: map[wit.InterfaceID]wit.InterfaceID{}}
}

// copier copies definitions of a scope's Resolve into the graph's Resolve.
//
// On the import side (g set), a named interface is an import of the
// composition: it is found by name among the graph's imports and merged
// there, or copied and made an import, so that everything that imports
// ns:pkg/iface shares one definition (and its resources).
type copier struct {
	to *wit.Resolve
	s  *scope

	g   *Graph
	by  string          // the package whose instantiation imports, for messages
	top wit.InterfaceID // an interface the caller registers itself
	err error           // the first merge error
}

func (c *copier) pkg(name wit.PackageName) wit.PackageID {
	for i, p := range c.to.Packages {
		if p.Name.String() == name.String() {
			return wit.PackageID(i)
		}
	}
	c.to.Packages = append(c.to.Packages, &wit.Package{Name: name})
	return wit.PackageID(len(c.to.Packages) - 1)
}

// iface copies interface id (or returns its existing copy).
func (c *copier) iface(id wit.InterfaceID) wit.InterfaceID {
	if n, ok := c.s.ifaces[id]; ok {
		return n
	}
	src := c.s.from.Interfaces[id]
	var full string
	if c.g != nil && src.Name != "" && src.Package != wit.NoPackage {
		full = KeyName(c.s.from, wit.WorldKey{Interface: id})
		if i, ok := c.g.findImport(full); ok && id != c.top {
			im := &c.g.imports[i]
			if im.item.Kind == ItemInstance {
				if im.explicit && c.by != "" {
					c.fail(&ImportConflictError{Name: full, By: c.by})
				} else if err := c.g.mergeIface(im.item.Interface, id, c.s); err != nil {
					c.fail(&MergeError{Name: full, Packages: [2]string{im.by, c.by}, Err: err})
				} else if versionLess(im.name, full) {
					c.g.rename(im, full)
				}
				return im.item.Interface
			}
		}
	}
	ni := &wit.Interface{Name: src.Name, Docs: src.Docs, Stability: src.Stability, Package: wit.NoPackage}
	c.to.Interfaces = append(c.to.Interfaces, ni)
	nid := wit.InterfaceID(len(c.to.Interfaces) - 1)
	c.s.ifaces[id] = nid
	if src.Package != wit.NoPackage && src.Name != "" {
		p := c.pkg(c.s.from.Packages[src.Package].Name)
		ni.Package = p
		c.to.Packages[p].Interfaces = append(c.to.Packages[p].Interfaces, wit.Entry[wit.InterfaceID]{Name: src.Name, ID: nid})
	}
	for _, e := range src.Types {
		ni.Types = append(ni.Types, wit.Entry[wit.TypeID]{Name: e.Name, ID: c.typeID(e.ID)})
	}
	for _, f := range src.Functions {
		ni.Functions = append(ni.Functions, c.function(f))
	}
	if full != "" && id != c.top {
		it := Item{Kind: ItemInstance, Interface: nid}
		c.g.imports = append(c.g.imports, graphImport{name: full, item: it, node: -1, by: c.by, compat: compatKey(full)})
	}
	return nid
}

func (c *copier) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

func (c *copier) function(f *wit.Function) *wit.Function {
	nf := *f
	nf.Params = make([]wit.Param, len(f.Params))
	for i, p := range f.Params {
		nf.Params[i] = wit.Param{Name: p.Name, Type: c.typ(p.Type)}
	}
	nf.Result = c.typ(f.Result)
	if f.Kind != wit.Freestanding && f.Kind != wit.AsyncFreestanding && f.Resource != wit.NoType {
		nf.Resource = c.typeID(f.Resource)
	}
	return &nf
}

func (c *copier) typ(t wit.Type) wit.Type {
	id, ok := t.ID()
	if !ok {
		return t
	}
	return wit.TypeOf(c.typeID(id))
}

func (c *copier) typeID(id wit.TypeID) wit.TypeID {
	if n, ok := c.s.types[id]; ok {
		return n
	}
	src := c.s.from.Types[id]
	// The owner first: copying an interface copies all its types.
	if src.Owner.Kind == wit.OwnerInterface {
		if _, done := c.s.ifaces[src.Owner.Interface]; !done {
			c.iface(src.Owner.Interface)
			if n, ok := c.s.types[id]; ok {
				return n
			}
		}
	}
	td := *src
	c.to.Types = append(c.to.Types, &td)
	nid := wit.TypeID(len(c.to.Types) - 1)
	c.s.types[id] = nid
	switch src.Owner.Kind {
	case wit.OwnerInterface:
		td.Owner = wit.TypeOwner{Kind: wit.OwnerInterface, Interface: c.s.ifaces[src.Owner.Interface]}
	default:
		td.Owner = wit.TypeOwner{Kind: wit.OwnerNone}
	}
	td.Fields = append([]wit.Field(nil), src.Fields...)
	for i := range td.Fields {
		td.Fields[i].Type = c.typ(td.Fields[i].Type)
	}
	td.Cases = append([]wit.Case(nil), src.Cases...)
	for i := range td.Cases {
		td.Cases[i].Type = c.typ(td.Cases[i].Type)
	}
	td.Tuple = append([]wit.Type(nil), src.Tuple...)
	for i := range td.Tuple {
		td.Tuple[i] = c.typ(td.Tuple[i])
	}
	td.Elem, td.Key, td.Ok, td.Err = c.typ(src.Elem), c.typ(src.Key), c.typ(src.Ok), c.typ(src.Err)
	if src.Kind == wit.KindOwn || src.Kind == wit.KindBorrow {
		td.Resource = c.typeID(src.Resource)
	}
	return nid
}

// mismatch is a type error: a path of context ("export `f`", "field `x`")
// and what was expected and found.
type mismatch struct {
	path []string
	msg  string
}

func (m *mismatch) Error() string {
	if len(m.path) == 0 {
		return m.msg
	}
	return strings.Join(m.path, ": ") + ": " + m.msg
}

func wrap(err error, format string, args ...any) error {
	if m, ok := err.(*mismatch); ok {
		m.path = append([]string{fmt.Sprintf(format, args...)}, m.path...)
		return m
	}
	return err
}

// checker decides whether a definition of the graph's Resolve (the
// argument) can be used where a definition of a package's Resolve (the
// import) is expected, binding the import's types to the argument's as it
// goes (an imported resource becomes the argument's resource).
type checker struct {
	g *wit.Resolve // the argument's side
	s *scope       // the expected side and its bindings
}

// describe names a type for messages.
func describe(r *wit.Resolve, t wit.Type) string {
	if t == wit.NoneType {
		return "nothing"
	}
	if t.IsPrimitive() {
		return t.PrimitiveName()
	}
	td := r.TypeDef(r.Dealias(t))
	if td == nil {
		return "?"
	}
	if td.Kind == wit.KindResource {
		return fmt.Sprintf("resource `%s`", td.Name)
	}
	return td.Kind.String()
}

func (k *checker) fail(a, b wit.Type) error {
	return &mismatch{msg: fmt.Sprintf("expected %s, found %s", describe(k.s.from, b), describe(k.g, a))}
}

// bindType binds expected type b (a named type of an imported interface) to
// argument type a, checking it where it is not a resource.
func (k *checker) bindType(a wit.TypeID, b wit.TypeID) error {
	if prev, ok := k.s.types[b]; ok {
		if k.g.DealiasID(prev) != k.g.DealiasID(a) {
			return &mismatch{msg: "a different type was already bound to it"}
		}
		return nil
	}
	bd := k.s.from.Types[k.s.from.DealiasID(b)]
	ad := k.g.Types[k.g.DealiasID(a)]
	if bd.Kind == wit.KindResource {
		if ad.Kind != wit.KindResource {
			return k.fail(wit.TypeOf(a), wit.TypeOf(b))
		}
		k.s.types[b] = a
		if db := k.s.from.DealiasID(b); db != b {
			if prev, ok := k.s.types[db]; ok && k.g.DealiasID(prev) != k.g.DealiasID(a) {
				return &mismatch{msg: fmt.Sprintf("expected %s, found a different resource", describe(k.s.from, wit.TypeOf(b)))}
			}
			k.s.types[db] = k.g.DealiasID(a)
		}
		return nil
	}
	if err := k.valType(wit.TypeOf(a), wit.TypeOf(b)); err != nil {
		return err
	}
	k.s.types[b] = a
	return nil
}

// valType checks that value type a (graph) matches b (package).
func (k *checker) valType(a, b wit.Type) error {
	a, b = k.g.Dealias(a), k.s.from.Dealias(b)
	if a.IsPrimitive() || b.IsPrimitive() || a == wit.NoneType || b == wit.NoneType {
		if a != b {
			return k.fail(a, b)
		}
		return nil
	}
	aid, _ := a.ID()
	bid, _ := b.ID()
	if bound, ok := k.s.types[bid]; ok {
		if k.g.DealiasID(bound) == aid {
			return nil
		}
		bd := k.s.from.Types[bid]
		if bd.Kind == wit.KindResource {
			return k.fail(a, b)
		}
	}
	ad, bd := k.g.Types[aid], k.s.from.Types[bid]
	if ad.Kind != bd.Kind {
		return k.fail(a, b)
	}
	switch bd.Kind {
	case wit.KindResource:
		if _, ok := k.s.types[bid]; !ok {
			k.s.types[bid] = aid
			return nil
		}
		return k.fail(a, b)
	case wit.KindOwn, wit.KindBorrow:
		return k.valType(wit.TypeOf(ad.Resource), wit.TypeOf(bd.Resource))
	case wit.KindRecord:
		if len(ad.Fields) != len(bd.Fields) {
			return &mismatch{msg: fmt.Sprintf("expected a record with %d fields, found %d fields", len(bd.Fields), len(ad.Fields))}
		}
		for i := range bd.Fields {
			if ad.Fields[i].Name != bd.Fields[i].Name {
				return &mismatch{msg: fmt.Sprintf("expected record field `%s`, found `%s`", bd.Fields[i].Name, ad.Fields[i].Name)}
			}
			if err := k.valType(ad.Fields[i].Type, bd.Fields[i].Type); err != nil {
				return wrap(err, "mismatched type for record field `%s`", bd.Fields[i].Name)
			}
		}
	case wit.KindVariant:
		if len(ad.Cases) != len(bd.Cases) {
			return &mismatch{msg: fmt.Sprintf("expected a variant with %d cases, found %d cases", len(bd.Cases), len(ad.Cases))}
		}
		for i := range bd.Cases {
			if ad.Cases[i].Name != bd.Cases[i].Name {
				return &mismatch{msg: fmt.Sprintf("expected variant case `%s`, found `%s`", bd.Cases[i].Name, ad.Cases[i].Name)}
			}
			if err := k.valType(ad.Cases[i].Type, bd.Cases[i].Type); err != nil {
				return wrap(err, "mismatched type for variant case `%s`", bd.Cases[i].Name)
			}
		}
	case wit.KindFlags:
		if len(ad.Flags) != len(bd.Flags) {
			return &mismatch{msg: fmt.Sprintf("expected %d flags, found %d flags", len(bd.Flags), len(ad.Flags))}
		}
		for i := range bd.Flags {
			if ad.Flags[i].Name != bd.Flags[i].Name {
				return &mismatch{msg: fmt.Sprintf("expected flag `%s`, found `%s`", bd.Flags[i].Name, ad.Flags[i].Name)}
			}
		}
	case wit.KindEnum:
		if len(ad.Enum) != len(bd.Enum) {
			return &mismatch{msg: fmt.Sprintf("expected an enum with %d cases, found %d cases", len(bd.Enum), len(ad.Enum))}
		}
		for i := range bd.Enum {
			if ad.Enum[i].Name != bd.Enum[i].Name {
				return &mismatch{msg: fmt.Sprintf("expected enum case `%s`, found `%s`", bd.Enum[i].Name, ad.Enum[i].Name)}
			}
		}
	case wit.KindTuple:
		if len(ad.Tuple) != len(bd.Tuple) {
			return &mismatch{msg: fmt.Sprintf("expected a tuple of size %d, found a tuple of size %d", len(bd.Tuple), len(ad.Tuple))}
		}
		for i := range bd.Tuple {
			if err := k.valType(ad.Tuple[i], bd.Tuple[i]); err != nil {
				return wrap(err, "mismatched type for tuple item %d", i)
			}
		}
	case wit.KindOption, wit.KindList, wit.KindFuture, wit.KindStream:
		if err := k.valType(ad.Elem, bd.Elem); err != nil {
			return wrap(err, "mismatched type for %s element", bd.Kind)
		}
	case wit.KindFixedLengthList:
		if ad.Len != bd.Len {
			return &mismatch{msg: fmt.Sprintf("expected a list of length %d, found length %d", bd.Len, ad.Len)}
		}
		return k.valType(ad.Elem, bd.Elem)
	case wit.KindMap:
		if err := k.valType(ad.Key, bd.Key); err != nil {
			return wrap(err, "mismatched type for map key")
		}
		return k.valType(ad.Elem, bd.Elem)
	case wit.KindResult:
		if (ad.Ok == wit.NoneType) != (bd.Ok == wit.NoneType) {
			return &mismatch{msg: fmt.Sprintf("expected result %s ok type, found %s", presence(bd.Ok), presence(ad.Ok))}
		}
		if err := k.valType(ad.Ok, bd.Ok); err != nil {
			return wrap(err, "mismatched type for result `ok`")
		}
		if (ad.Err == wit.NoneType) != (bd.Err == wit.NoneType) {
			return &mismatch{msg: fmt.Sprintf("expected result %s err type, found %s", presence(bd.Err), presence(ad.Err))}
		}
		if err := k.valType(ad.Err, bd.Err); err != nil {
			return wrap(err, "mismatched type for result `err`")
		}
	default:
		return k.fail(a, b)
	}
	return nil
}

func presence(t wit.Type) string {
	if t == wit.NoneType {
		return "no"
	}
	return "an"
}

// function checks that function a (graph) matches b (package).
func (k *checker) function(a, b *wit.Function) error {
	if len(a.Params) != len(b.Params) {
		return &mismatch{msg: fmt.Sprintf("expected %d parameters, found %d", len(b.Params), len(a.Params))}
	}
	for i := range b.Params {
		if a.Params[i].Name != b.Params[i].Name {
			return &mismatch{msg: fmt.Sprintf("expected function parameter %d to be named `%s`, found `%s`", i, b.Params[i].Name, a.Params[i].Name)}
		}
		if err := k.valType(a.Params[i].Type, b.Params[i].Type); err != nil {
			return wrap(err, "mismatched type for function parameter `%s`", b.Params[i].Name)
		}
	}
	if (a.Result == wit.NoneType) != (b.Result == wit.NoneType) {
		if b.Result == wit.NoneType {
			return &mismatch{msg: "expected function without a result, found a function with a result"}
		}
		return &mismatch{msg: "expected function with a result, found a function without a result"}
	}
	if err := k.valType(a.Result, b.Result); err != nil {
		return wrap(err, "mismatched type for function result")
	}
	if a.Kind.IsAsync() != b.Kind.IsAsync() {
		return &mismatch{msg: "expected an async function"}
	}
	return nil
}

// iface checks that interface a (graph) provides everything interface b
// (package) declares; a may have more.
func (k *checker) iface(a wit.InterfaceID, b wit.InterfaceID) error {
	ai, bi := k.g.Interfaces[a], k.s.from.Interfaces[b]
	k.s.ifaces[b] = a
	for _, e := range bi.Types {
		at, ok := wit.Lookup(ai.Types, e.Name)
		if !ok {
			if f := ai.Function(e.Name); f != nil {
				return wrap(&mismatch{msg: "expected type, found function"}, "mismatched type for export `%s`", e.Name)
			}
			return &mismatch{msg: fmt.Sprintf("instance is missing expected type export `%s`", e.Name)}
		}
		if err := k.bindType(at, e.ID); err != nil {
			return wrap(err, "mismatched type for export `%s`", e.Name)
		}
	}
	for _, bf := range bi.Functions {
		af := ai.Function(bf.Name)
		if af == nil {
			if _, ok := wit.Lookup(ai.Types, bf.Name); ok {
				return wrap(&mismatch{msg: "expected function, found type"}, "mismatched type for export `%s`", bf.Name)
			}
			return &mismatch{msg: fmt.Sprintf("instance is missing expected function export `%s`", bf.Name)}
		}
		if err := k.function(af, bf); err != nil {
			return wrap(err, "mismatched type for export `%s`", bf.Name)
		}
	}
	return nil
}
