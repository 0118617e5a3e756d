package component

import (
	"fmt"
	"strings"

	"github.com/wasmcm/wasmcm/internal/wasm"
)

// ---- type definitions ----

// maxFixedListLen bounds the length of a fixed-length list, as the
// reference does.
const maxFixedListLen = 1 << 30

func (v *validator) typeDef(s *scope, t Type, depth int) (tid, error) {
	switch t := t.(type) {
	case *DefinedType:
		return v.definedType(s, t)
	case *FuncType:
		return v.funcType(s, t)
	case *ResourceType:
		if s.kind != scopeComponent {
			return 0, v.errf("resources can only be defined within a concrete component")
		}
		switch {
		case t.Rep == wasm.ValI32:
		case t.Rep == wasm.ValI64 && !v.f.Memory64:
			return 0, v.errf("resources with `i64` require the `cm64` feature to be enabled")
		case t.Rep == wasm.ValI64:
		case v.f.Memory64:
			return 0, v.errf("resources can only be represented by `i32` or `i64`")
		default:
			return 0, v.errf("resources can only be represented by `i32`")
		}
		if t.Dtor != nil {
			ft, err := v.coreFuncAt(s, *t.Dtor)
			if err != nil {
				return 0, err
			}
			if len(ft.Params) != 1 || ft.Params[0] != t.Rep || len(ft.Results) != 0 {
				return 0, v.errf("core function %d has wrong signature for a destructor", *t.Dtor)
			}
		}
		id := v.newResource()
		if s.localResources == nil {
			s.localResources = map[rid]wasm.ValType{}
		}
		s.localResources[v.types[id].rid] = t.Rep
		return id, nil
	case *ComponentType:
		return v.declsType(s, t.Decls, scopeComponentType, depth)
	case *InstanceType:
		return v.declsType(s, t.Decls, scopeInstanceType, depth)
	}
	return 0, v.errf("unknown type definition")
}

// checkLabels checks that labels are kebab-case, non-empty and
// strongly-unique.
func (v *validator) checkLabels(what string, names []string) error {
	conflict := func(n, prev string) error {
		// "record field" -> "field", as the reference words it.
		return v.errf("%s name `%s` conflicts with previous %s name `%s`", what, n, what[strings.LastIndexByte(what, ' ')+1:], prev)
	}
	// Labels are compared by a hash of their lower-case form (kebab names
	// are ASCII): pairwise while they are few, then through a table reused
	// by every check.
	var small [16]uint64
	hashed := len(names) > len(small)
	// Seeded per validator, so that no input can be made of labels whose
	// hashes collide.
	seed := v.hashKey().seed
	var tab []labelSlot
	var shift int
	if hashed {
		// An open-addressing table over the hashes, at most half full,
		// reused by every check: cheaper than a map for keys that are
		// hashes already.
		size, bits := 64, 6
		for size < 2*len(names) {
			size, bits = size*2, bits+1
		}
		shift = 64 - bits
		if cap(v.labels) < size {
			v.labels = make([]labelSlot, size)
		}
		tab = v.labels[:size]
		clear(tab)
	}
	for i, n := range names {
		if n == "" {
			return v.errf("%s name cannot be empty", what)
		}
		if !kebab(n) {
			return v.errf("%s name `%s` is not in kebab case", what, n)
		}
		h := foldHash(seed, n) // n is a label: see foldHash
		if !hashed {
			for j, hp := range small[:i] {
				if hp == h && strings.EqualFold(n, names[j]) {
					return conflict(n, names[j])
				}
			}
			small[i] = h
			continue
		}
		// The top bits of a Fibonacci product: foldHash's low bits see
		// only some bytes of each eight.
		// Every earlier label of the same hash is met before an empty slot.
		slot := int((h * 0x9e3779b97f4a7c15) >> shift)
		for ; tab[slot].pos != 0; slot = (slot + 1) & (len(tab) - 1) {
			if j := int(tab[slot].pos) - 1; tab[slot].h == h && strings.EqualFold(n, names[j]) {
				return conflict(n, names[j])
			}
		}
		tab[slot] = labelSlot{h: h, pos: int32(i) + 1}
	}
	return nil
}

// labelSlot is an entry of checkLabels' table: a label's hash and its
// position plus one (0: empty).
type labelSlot struct {
	h   uint64
	pos int32
}

// scratchNames returns a slice of n names to fill, reused by the next
// call (label checks do not keep it).
func (v *validator) scratchNames(n int) []string {
	if cap(v.names) < n {
		v.names = make([]string, n)
	}
	return v.names[:n]
}

// foldHash hashes a label in lower case, eight bytes at a time: for
// label characters (letters, digits, '-') setting bit 5 of every byte is
// lowering them. Names up to eight bytes are read as two overlapping
// halves and longer ones end with an overlapping last word, so that
// nearly every label is one or two multiplications. The seed is the
// validator's random hash key.
func foldHash(seed uint64, s string) uint64 {
	const (
		fold = 0x2020202020202020
		mul  = 0x9e3779b97f4a7c15
	)
	n := len(s)
	h := seed ^ uint64(n)
	var w uint64
	switch {
	case n == 0:
		return h
	case n < 4:
		w = uint64(s[0]) | uint64(s[n>>1])<<8 | uint64(s[n-1])<<16 | fold
	case n <= 8:
		w = load32(s) | load32(s[n-4:])<<32 | fold
	default:
		for i := 0; i+8 < n; i += 8 {
			h = (h ^ (load64(s[i:]) | fold)) * mul
			h ^= h >> 29
		}
		w = load64(s[n-8:]) | fold
	}
	h = (h ^ w) * mul
	return h ^ h>>29
}

func (v *validator) definedType(s *scope, t *DefinedType) (tid, error) {
	d := v.defs.one() // zero: set fields, not the whole struct
	d.kind, d.prim = t.Kind, t.Prim
	var err error
	vt := func(x ValType) vval {
		if err != nil {
			return vval{}
		}
		var r vval
		r, err = v.valType(s, x)
		return r
	}
	opt := func(x *ValType) *vval {
		if err != nil || x == nil {
			return nil
		}
		r := v.vals.one()
		*r = vt(*x)
		return r
	}
	switch t.Kind {
	case KindPrimitive:
		if t.Prim == ErrorContext && !v.f.ErrorContext {
			return 0, v.errf("the error-context type needs the 📝 feature")
		}
	case KindRecord:
		if len(t.Fields) == 0 {
			return 0, v.errf("record type must have at least one field")
		}
		names := v.scratchNames(len(t.Fields))
		d.fields = v.fields.many(len(t.Fields))
		for i, f := range t.Fields {
			names[i] = f.Name
			d.fields[i] = vfield{name: f.Name, t: vt(f.Type)}
		}
		if err == nil {
			err = v.checkLabels("record field", names)
		}
	case KindVariant:
		if len(t.Cases) == 0 {
			return 0, v.errf("variant type must have at least one case")
		}
		names := v.scratchNames(len(t.Cases))
		d.fields = v.fields.many(len(t.Cases))
		for i, c := range t.Cases {
			names[i] = c.Name
			d.fields[i] = vfield{name: c.Name, t: vval{prim: noPrim}}
			if c.Type != nil {
				d.fields[i].t = vt(*c.Type)
			}
		}
		if err == nil {
			err = v.checkLabels("variant case", names)
		}
	case KindList, KindOption:
		d.elem = opt(&t.Elem)
	case KindFixedList:
		if !v.f.FixedLengthLists {
			return 0, v.errf("fixed-length lists need the 🔧 feature")
		}
		if t.Len == 0 {
			return 0, v.errf("Fixed-length lists must have more than zero elements")
		}
		if t.Len > maxFixedListLen {
			return 0, v.errf("fixed-length list element count exceeds limit of %d", maxFixedListLen)
		}
		d.elem, d.n = opt(&t.Elem), t.Len
	case KindMap:
		if !v.f.Map {
			return 0, v.errf("maps need the 🗺️ feature")
		}
		d.key, d.elem = vt(t.Key), opt(&t.Elem)
		if err == nil && !v.isMapKey(d.key) {
			return 0, v.errf("map key must be a boolean, integer, char or string type")
		}
	case KindTuple:
		if len(t.Types) == 0 {
			return 0, v.errf("tuple type must have at least one type")
		}
		d.fields = v.fields.many(len(t.Types))
		for i, x := range t.Types {
			d.fields[i] = vfield{t: vt(x)}
		}
	case KindFlags:
		if len(t.Names) == 0 {
			return 0, v.errf("flags must have at least one entry")
		}
		if len(t.Names) > 32 {
			return 0, v.errf("cannot have more than 32 flags")
		}
		d.names = t.Names
		err = v.checkLabels("flag", t.Names)
	case KindEnum:
		if len(t.Names) == 0 {
			return 0, v.errf("enum type must have at least one variant")
		}
		d.names = t.Names
		err = v.checkLabels("enum tag", t.Names)
	case KindResult:
		d.ok, d.err = opt(t.Ok), opt(t.Err)
	case KindOwn, KindBorrow:
		d.res, err = v.resourceAt(s, t.Resource)
	case KindStream, KindFuture:
		if !v.f.Async {
			return 0, v.errf("streams and futures need the 🔀 (async) feature")
		}
		d.elem = opt(t.Payload)
		if err == nil && t.Kind == KindStream && d.elem != nil && v.isChar(*d.elem) {
			return 0, v.errf("`stream<char>` is not valid at this time, use `stream<u8>` with a defined by encoding instead for now")
		}
		if err == nil && d.elem != nil && v.containsBorrow(*d.elem) {
			return 0, v.errf("stream and future payloads cannot contain a borrow")
		}
	default:
		return 0, v.errf("unknown defined type kind 0x%02x", byte(t.Kind))
	}
	if err != nil {
		return 0, err
	}
	v.finish(d)
	if int(d.depth) > MaxNesting {
		return 0, v.errf("type nesting is too deep")
	}
	if d.size >= maxValueSize {
		return 0, v.errf("type exceeds maximum byte size (%d bytes or more)", uint64(maxValueSize))
	}
	return v.newType(vview{kind: vDefined, def: d}), nil
}

func (v *validator) isChar(x vval) bool {
	if x.prim != 0 {
		return x.prim == Char
	}
	d := v.def(x)
	return d.kind == KindPrimitive && d.prim == Char
}

func (v *validator) isMapKey(x vval) bool {
	p := x.prim
	if p == 0 {
		d := v.def(x)
		if d.kind != KindPrimitive {
			return false
		}
		p = d.prim
	}
	switch p {
	case F32, F64, ErrorContext:
		return false
	}
	return true
}

func (v *validator) funcType(s *scope, t *FuncType) (tid, error) {
	if t.Async && !v.f.Async {
		return 0, v.errf("async function types need the 🔀 (async) feature")
	}
	fn := v.fns.one()
	*fn = vfunc{async: t.Async, params: v.fields.many(len(t.Params))}
	names := v.scratchNames(len(t.Params))
	for i, p := range t.Params {
		x, err := v.valType(s, p.Type)
		if err != nil {
			return 0, err
		}
		names[i] = p.Name
		fn.params[i] = vfield{name: p.Name, t: x}
	}
	if err := v.checkLabels("function parameter", names); err != nil {
		return 0, err
	}
	r, err := v.optValType(s, t.Result)
	if err != nil {
		return 0, err
	}
	if r != nil && v.containsBorrow(*r) {
		return 0, v.errf("function result cannot contain a `borrow` type")
	}
	fn.result = r
	return v.newType(vview{kind: vFunc, fn: fn}), nil
}

// declsType validates the declarations of a component or instance type in
// a fresh scope.
func (v *validator) declsType(s *scope, decls []Decl, kind scopeKind, depth int) (tid, error) {
	if depth+1 > MaxNesting {
		return 0, v.errf("types nest deeper than %d levels", MaxNesting)
	}
	ns := v.newScope(kind, s)
	// Size the scope's lists once: they are many, and most are short.
	var nexp, nimp, ntypes, ninst, nfunc, ndef, nimpRes int
	for i := range decls {
		d := &decls[i]
		switch d.Kind {
		case DeclExport, DeclImport:
			if d.Kind == DeclExport {
				nexp++
			} else {
				nimp++
			}
			switch d.Extern.Sort {
			case SortType:
				ntypes++
				switch {
				case !d.Extern.SubResource:
				case d.Kind == DeclExport:
					ndef++
				default:
					nimpRes++
				}
			case SortInstance:
				ninst++
			case SortFunc:
				nfunc++
			}
		case DeclType:
			ntypes++
		case DeclAlias:
			if d.Alias == nil {
				break
			}
			switch d.Alias.Sort {
			case SortType:
				ntypes++
			case SortInstance:
				ninst++
			}
		}
	}
	ns.exports = v.exportSlab.many(nexp)[:0]
	ns.imports = v.exportSlab.many(nimp)[:0]
	ns.types = v.tids.many(ntypes)[:0]
	ns.instances = v.tids.many(ninst)[:0]
	ns.funcs = v.tids.many(nfunc)[:0]
	ns.definedRes = v.rids.many(ndef)[:0]
	ns.importedRes = v.rids.many(nimpRes)[:0]
	k := v.pushDecls()
	for i := range decls {
		d := &decls[i]
		v.atDecl(k, i)
		if v.tooBig {
			return 0, v.errf("effective type size exceeds the limit of %d", maxTypeSize)
		}
		switch d.Kind {
		case DeclCoreType:
			if err := v.coreTypeDef(ns, d.CoreType, depth+1); err != nil {
				return 0, err
			}
		case DeclType:
			id, err := v.typeDef(ns, d.Type, depth+1)
			if err != nil {
				return 0, err
			}
			ns.types = append(ns.types, id)
		case DeclAlias:
			a := d.Alias
			if a.Target == AliasExport && a.Sort != SortType && a.Sort != SortInstance {
				return 0, v.errf("aliases in a component or instance type may only refer to types or instances")
			}
			if a.Target == AliasOuter && a.Sort != SortType && a.Sort != SortCoreType {
				return 0, v.errf("aliases in a component or instance type may only refer to types or instances (outer aliases only to types)")
			}
			if a.Target == AliasCoreExport {
				return 0, v.errf("core export aliases are not allowed in a type")
			}
			if err := v.aliasDef(ns, a); err != nil {
				return 0, err
			}
		case DeclImport, DeclExport:
			imp := d.Kind == DeclImport
			e, err := v.externType(ns, &d.Extern, imp)
			if err != nil {
				return 0, err
			}
			if err := v.addExtern(ns, &d.Name, e, imp); err != nil {
				return 0, err
			}
		}
	}
	v.pop()
	v.closeNames(&ns.names)
	var t tid
	if kind == scopeInstanceType {
		in := v.insts.one()
		*in = vinst{exports: ns.exports, defined: ns.definedRes}
		t = v.newType(vview{kind: vInstance, inst: in})
	} else {
		t = v.newType(vview{kind: vComponent, comp: &vcomp{imports: ns.imports, exports: ns.exports,
			imported: ns.importedRes, defined: ns.definedRes}})
	}
	v.freeScope(ns)
	return t, nil
}

// externType resolves an import or export type into an entity; a type
// bound creates the new type the import or export introduces.
func (v *validator) externType(s *scope, t *ExternType, imp bool) (entity, error) {
	e := entity{sort: t.Sort}
	switch t.Sort {
	case SortCoreModule:
		ct, err := v.coreTypeAt(s, t.Index)
		if err != nil {
			return e, err
		}
		if ct.module == nil {
			return e, v.errf("core type index %d is not a module type", t.Index)
		}
		e.mod = ct.module
	case SortFunc, SortInstance, SortComponent:
		id, err := v.typeAt(s, t.Index)
		if err != nil {
			return e, err
		}
		want := vFunc
		switch t.Sort {
		case SortInstance:
			want = vInstance
		case SortComponent:
			want = vComponent
		}
		if v.types[id].kind != want {
			name := want.withArticle()
			if want == vFunc {
				name = "a function type"
			}
			return e, v.errf("type index %d is not %s", t.Index, name)
		}
		e.t = id
	case SortValue:
		if !v.f.Values {
			return e, v.errf("values need the 🪙 (values) feature")
		}
		x, err := v.valType(s, t.ValueType)
		if err != nil {
			return e, err
		}
		e.val = x
	case SortType:
		if t.SubResource {
			e.t = v.newResource()
			r := v.types[e.t].rid
			if imp {
				s.importedRes = append(s.importedRes, r)
			} else {
				s.definedRes = append(s.definedRes, r)
			}
		} else {
			id, err := v.typeAt(s, t.Index)
			if err != nil {
				return e, err
			}
			e.t = v.alias(id)
		}
	default:
		return e, v.errf("invalid extern type sort %s", t.Sort)
	}
	return e, nil
}

// addExtern adds an import or export (of a component or a type) to s:
// its index space, the named-type sets, the resource names, and the
// import/export lists after checking its name.
func (v *validator) addExtern(s *scope, name *ExternName, e entity, imp bool) error {
	kind := "export"
	if imp {
		kind = "import"
	}
	if e.sort == SortInstance {
		e.t = v.freshenInstance(s, e.t, imp)
	}
	if err := v.addEntity(s, e); err != nil {
		return err
	}
	if !imp && e.sort == SortValue {
		// The index an export introduces for a value is already consumed.
		s.values[len(s.values)-1].used = true
	}
	if e.sort == SortType && v.types[e.t].kind == vResource {
		v.registerResource(&s.names, s.space(imp), e.t, name.Name)
	}
	if !v.registerNamed(s, e, imp) {
		what := e.sort.String()
		if e.sort == SortType {
			what = "type"
		}
		return v.errf("%s not valid to be used as %s", what, kind)
	}
	if err := v.checkExternName(s, name, e, imp); err != nil {
		return err
	}
	ve := vexport{name: name.Name, e: e}
	if imp {
		s.imports = append(s.imports, ve)
	} else {
		s.exports = append(s.exports, ve)
	}
	return nil
}

// freshenInstance gives the resources an instance type defines new
// identities, as each import (or export from a type) of it makes new
// ones; they become imported (or defined) resources of s.
//
// The first use of an instance type takes its resources as they are (they
// were made fresh when the type was defined and nothing else holds them),
// sharing the type's exports instead of copying every type that mentions
// a resource; the resources are then lent, and later uses copy.
func (v *validator) freshenInstance(s *scope, t tid, imp bool) tid {
	it := v.tinst(t)
	if len(it.defined) == 0 {
		return t
	}
	if !v.anyLent(it.defined) {
		for _, r := range it.defined {
			v.lend(r)
			if imp {
				s.importedRes = append(s.importedRes, r)
			} else {
				s.definedRes = append(s.definedRes, r)
			}
		}
		inst := v.insts.one()
		inst.exports = it.exports
		ty := v.view(t)
		ty.inst = inst
		return v.newType(ty)
	}
	m := &v.ridSubst
	m.reset()
	for _, r := range it.defined {
		v.nextRID++
		m.set(r, v.nextRID)
		if imp {
			s.importedRes = append(s.importedRes, v.nextRID)
		} else {
			s.definedRes = append(s.definedRes, v.nextRID)
		}
	}
	v.memo.reset()
	nt := v.subst(t, m, &v.memo, false)
	inst := v.insts.one()
	*inst = *v.tinst(nt)
	inst.defined = nil
	v.setInst(nt, inst)
	return nt
}

// registerNamed checks that everything e's type mentions that must be
// named (records, variants, enums, flags, resources) was imported (for an
// import) or imported or exported (for an export), then records the types
// e introduces.
func (v *validator) registerNamed(s *scope, e entity, imp bool) bool {
	if s.kind == scopeInstanceType {
		return true
	}
	set := s.space(imp)
	switch e.sort {
	case SortType:
		if !v.allNamed(e.t, set) {
			return false
		}
		v.setNamed(s.expSpace, e.t)
		if imp {
			v.setNamed(s.impSpace, e.t)
		}
		return true
	case SortInstance:
		for _, x := range v.tinst(e.t).exports {
			if !v.registerNamed(s, x.e, imp) {
				return false
			}
		}
		return true
	case SortFunc:
		return v.allNamedInFunc(e.t, set)
	case SortValue:
		return v.namedVal(e.val, set)
	}
	return true
}

func (v *validator) allNamed(t tid, set space) bool {
	ty := v.view(t)
	switch ty.kind {
	case vDefined:
		d := ty.def
		switch d.kind {
		case KindOwn, KindBorrow:
			return v.isNamed(set, d.res)
		}
		if !d.walk {
			return true
		}
		for c := range d.children {
			if !v.namedVal(c, set) {
				return false
			}
		}
		return true
	case vFunc:
		return v.allNamedInFunc(t, set)
	case vInstance:
		for _, x := range ty.inst.exports {
			switch x.e.sort {
			case SortFunc:
				if !v.allNamedInFunc(x.e.t, set) {
					return false
				}
			case SortType, SortInstance:
				if !v.allNamed(x.e.t, set) {
					return false
				}
			case SortValue:
				if x.e.val.prim == 0 && !v.allNamed(x.e.val.t, set) {
					return false
				}
			}
		}
	}
	return true
}

func (v *validator) allNamedInFunc(t tid, set space) bool {
	fn := v.tfn(t)
	for _, p := range fn.params {
		if !v.namedVal(p.t, set) {
			return false
		}
	}
	return fn.result == nil || v.namedVal(*fn.result, set)
}

// namedVal reports whether a value type only refers to named types where
// names are required.
func (v *validator) namedVal(x vval, set space) bool {
	d := v.def(x)
	if d == nil {
		return true
	}
	switch d.kind {
	case KindPrimitive:
		return true
	case KindFlags, KindEnum, KindRecord, KindVariant:
		return v.isNamed(set, x.t)
	case KindOwn, KindBorrow:
		return v.isNamed(set, d.res)
	}
	if !d.walk {
		return true
	}
	for c := range d.children {
		if !v.namedVal(c, set) {
			return false
		}
	}
	return true
}

// checkExternName checks an import or export name: its syntax, strong
// uniqueness, attributes, and the [constructor]/[method]/[static] rules.
func (v *validator) checkExternName(s *scope, name *ExternName, e entity, imp bool) error {
	kind := "export"
	if imp {
		kind = "import"
	}
	var n externName
	if !fastExternNameKnown(name.Name, v.f, &n, &v.knownRes) {
		var err error
		if n, err = parseExternName(name.Name, v.f); err != nil {
			return v.errf("%s name `%s` is not a valid extern name: %v", kind, name.Name, err)
		}
	}
	if !imp && (n.kind == nameDependency || n.kind == nameURL || n.kind == nameHash) {
		return v.errf("name `%s` is not a valid export name", name.Name)
	}
	if err := v.checkAttrs(name, &n, e); err != nil {
		return err
	}
	if err := v.checkResourceFunc(&s.names, s.space(imp), &n, e); err != nil {
		return v.errf("%s name `%s` is not valid: %v", kind, name.Name, err)
	}
	// Equal names have equal keys, so this catches exact repeats too.
	if prev, dup := v.addKey(&s.names, n.key(s.space(imp)), name.Name); dup {
		return v.errf("%s name `%s` conflicts with previous name `%s`", kind, name.Name, prev)
	}
	return nil
}

// checkAttrs checks the attributes of an extern name and the version of an
// interface name.
func (v *validator) checkAttrs(name *ExternName, n *externName, e entity) error {
	for i, a := range name.Attrs {
		for _, b := range name.Attrs[:i] {
			if a.Kind == b.Kind {
				return v.errf("duplicate '%s' option in name", map[NameAttrKind]string{AttrImplements: "implements", AttrVersionSuffix: "versionsuffix", AttrExternalID: "external-id"}[a.Kind])
			}
		}
		switch a.Kind {
		case AttrImplements:
			if !v.f.Implements {
				return v.errf("the `cm-implements` feature is not active")
			}
			if n.kind != nameLabel {
				return v.errf("name `%s` is not valid with `implements`", name.Name)
			}
			if e.sort != SortInstance {
				return v.errf("only instances can have an `implements`")
			}
			in, err := parseExternName(a.Value, v.f)
			if err != nil {
				return v.errf("`%s` is not a valid name: %v", a.Value, err)
			}
			if in.kind != nameInterface {
				return v.errf("name `%s` must be an interface", a.Value)
			}
		case AttrVersionSuffix:
			if !v.f.CanonNames {
				return v.errf("the `cm-canon-names` feature is not active")
			}
			if e.sort != SortInstance {
				return v.errf("only instances can have an `versionsuffix`")
			}
		case AttrExternalID:
			if !v.f.Implements {
				return v.errf("the `cm-implements` feature is not active")
			}
		}
	}
	if name.Form == 2 && len(name.Attrs) == 0 {
		// An empty attribute list is allowed.
	} else if name.Form == 2 && !v.f.Implements && !v.f.CanonNames {
		return v.errf("the `cm-implements` feature is not active")
	}
	if n.kind == nameInterface {
		if vs, ok := name.Attr(AttrVersionSuffix); ok {
			if !isCanonVersion(n.version) {
				return v.errf("invalid interface version: `%s` is not a canonical version for a version suffix", n.version)
			}
			if !validSemver(n.version + vs) {
				return v.errf("invalid interface version: `%s%s` is not a valid semver: %s", n.version, vs, semverProblem(n.version+vs))
			}
		} else if n.version != "" && !validSemver(n.version) && !(v.f.CanonNames && isCanonVersion(n.version)) {
			return v.errf("invalid interface version: `%s` is not a valid semver: %s", n.version, semverProblem(n.version))
		}
	}
	return nil
}

func (v *validator) checkResourceFunc(m *nameMarks, sp space, n *externName, e entity) error {
	if n.kind != nameConstructor && n.kind != nameMethod && n.kind != nameStatic {
		return nil
	}
	if e.sort != SortFunc {
		return fmt.Errorf("item is not a func")
	}
	fn := v.tfn(e.t)
	check := func(res tid) error {
		want, ok := v.resourceName(m, sp, res)
		if !ok {
			return fmt.Errorf("resource used in function does not have a name in this context")
		}
		if want != n.resource {
			return fmt.Errorf("function does not match expected resource name `%s`", want)
		}
		return nil
	}
	switch n.kind {
	case nameConstructor:
		if fn.async {
			return fmt.Errorf("constructor function cannot be async")
		}
		if fn.result == nil {
			return fmt.Errorf("function should return one value")
		}
		d := v.def(*fn.result)
		if d != nil && d.kind == KindResult && d.ok != nil {
			d = v.def(*d.ok)
		}
		if d == nil || d.kind != KindOwn {
			return fmt.Errorf("function should return `(own $T)` or `(result (own $T))`")
		}
		return check(d.res)
	case nameMethod:
		if len(fn.params) == 0 {
			return fmt.Errorf("function should have at least one argument")
		}
		if fn.params[0].name != "self" {
			return fmt.Errorf("function should have a first argument called `self`")
		}
		d := v.def(fn.params[0].t)
		if d == nil || d.kind != KindBorrow {
			return fmt.Errorf("function should take a first argument of `(borrow $T)`")
		}
		return check(d.res)
	case nameStatic:
		if !v.hasResourceName(m, sp, n.resource) {
			return fmt.Errorf("static resource name is not known in this context")
		}
	}
	return nil
}
