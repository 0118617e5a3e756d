package bindgen

import (
	"fmt"
	"strings"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/wit"
)

// The code below emits the canonical ABI for the generated functions, for
// guest and host bindings alike: one walk over the types (records and
// tuples field by field, variants case by case, lists through one generic
// loop of the run-time package) whose leaves, the few places the two sides
// differ, an abiDialect supplies. A guest reads and writes its own memory
// through unsafe pointers and pins what it hands out (guestABI); a host
// goes through hostcm's bounds-checked Lift and Lower, which record the
// first error (hostABI).
//
// Flat values travel as uint64 bit patterns: the join of a variant's cases
// (i32 in an i64 slot, f32 in an i32 slot...) then keeps the bits where
// they are, so a case's payload reads and writes its own slots unchanged,
// and only the wasm signature converts to the slot's core type. Layouts,
// offsets and flat counts all come from package canon.
//
// Compound types get helper functions per package, named after their
// TypeDef id: lift_T (from flat values), lower_T (to flat values), load_T
// and store_T (memory). Lists and maps call the run-time package's
// generic LiftListFunc, LowerMap... with the load_T/store_T of their
// elements. Helpers use only the public API of the types, so a package can
// lift another package's types. Lowering helpers take the lowering context
// (the pins of a guest, the Lower of a host) first; lifting helpers take
// the host's Lift first and nothing in a guest.

// abiDialect is what guest and host bindings do differently at the leaves
// of lifting and lowering. Expressions are Go source; x and h are uint64
// flat values, a an address (abiDialect.addrType), cx the name of the
// lowering context.
type abiDialect interface {
	// liftParams and liftArgs start the parameters and the arguments of
	// lifting helpers ("" in a guest, "l *cm.Lift, " and "l, " in a host).
	liftParams() string
	liftArgs() string
	// lowerParam is the lowering context parameter of lowering helpers,
	// lowerCx its name.
	lowerParam() string
	lowerCx() string
	addrType() string
	at(a string, off uint64) string
	elemAt(a, j string, size uint64) string

	liftScalar(t wit.Type, x string) string
	lowerScalar(t wit.Type, v string) string
	loadScalar(t wit.Type, a string) string
	storeScalar(t wit.Type, v, a string) string
	// loadUint loads an unsigned integer of size bytes as a uint64;
	// storeUint stores x as one.
	loadUint(size uint64, a string) string
	storeUint(size uint64, a, x string) string
	// disc checks discriminant x of a type of n cases; flags lifts flags
	// bits x of n labels as Go type gt.
	disc(what, x string, n int) string
	flags(gt, x string, n int) string
	// flatPtrLen passes the pointer and length in f[i], f[i+1] to the
	// run-time package's lifting functions.
	flatPtrLen(f string, i int) string
	liftString(f string, i int) string
	lowerString(cx, v string) string
	liftHandle(id wit.TypeID, td *wit.TypeDef, h string) (string, error)
	lowerHandle(td *wit.TypeDef, v, cx string) (string, error)
	// plainList reports whether a list of elem is copied as a block.
	plainList(elem wit.Type) bool
	// sizeArgs are the element size (and alignment) a list needs.
	sizeArgs(l *canon.Layout) string
	unsupported(what string) error
}

func (p *goPkg) layout(t wit.Type) (*canon.Layout, error) { return p.g.abi.Layout(t) }

func (p *goPkg) u() string { return p.use("unsafe", "unsafe") }
func (p *goPkg) m() string { return p.use("math", "math") }

func (p *goPkg) deref(goType, addr string) string {
	return fmt.Sprintf("*(*%s)(%s)", goType, addr)
}

// plainScalar reports whether a list of t can be copied as bytes: Go lays
// the type out exactly as the ABI does and every bit pattern is valid.
func plainScalar(t wit.Type) bool {
	switch t {
	case wit.U8, wit.S8, wit.U16, wit.S16, wit.U32, wit.S32, wit.U64, wit.S64, wit.F32, wit.F64, wit.Char:
		return true
	}
	return false
}

// def returns the TypeDef of t after aliases, or nil for primitives.
func (p *goPkg) def(t wit.Type) (wit.TypeID, *wit.TypeDef) {
	t = p.g.r.Dealias(t)
	id, ok := t.ID()
	if !ok {
		return wit.NoType, nil
	}
	return id, p.g.r.Types[id]
}

// flatCount is how many flat values t has.
func (p *goPkg) flatCount(t wit.Type) (int, error) {
	l, err := p.layout(t)
	if err != nil {
		return 0, err
	}
	return int(l.FlatCount), nil
}

// resourceOf returns the package declaring the resource of handle type
// td, the resource's members there and its WIT name.
func (p *goPkg) resourceOf(td *wit.TypeDef) (*goPkg, *members, string, error) {
	rid := p.g.r.DealiasID(td.Resource)
	rdef := p.g.r.Types[rid]
	q := p.g.ownerPkg(rdef, p)
	if q == nil || q.members[rid] == nil {
		return nil, nil, "", fmt.Errorf("resource %s has no owner", rdef.Name)
	}
	return q, q.members[rid], rdef.Name, nil
}

// helper emits a helper function once.
func (p *goPkg) helper(name string, gen func(b *strings.Builder) error) error {
	if p.helpers[name] {
		return nil
	}
	p.helpers[name] = true
	var b strings.Builder
	if err := gen(&b); err != nil {
		return err
	}
	p.hbuf.WriteString(b.String())
	return nil
}

// helperName is the name of the helper of kind op (lift, lower, load,
// store) for t.
func (p *goPkg) helperName(op string, t wit.Type) string {
	if id, ok := t.ID(); ok {
		return fmt.Sprintf("%s_T%d", op, id)
	}
	return op + "_" + strings.ReplaceAll(t.PrimitiveName(), "-", "_")
}

// leaf checks a type the bindings cannot move and returns its TypeDef.
func (p *goPkg) leaf(t wit.Type) (wit.TypeID, *wit.TypeDef, error) {
	if t == wit.ErrorContext {
		return wit.NoType, nil, p.d.unsupported("error-context")
	}
	if t.IsPrimitive() {
		return wit.NoType, nil, nil
	}
	id, td := p.def(t)
	if td.Kind == wit.KindFuture || td.Kind == wit.KindStream {
		return id, td, p.d.unsupported(td.Kind.String() + " types (they need the async ABI)")
	}
	return id, td, nil
}

// liftFlat returns an expression lifting t from f[i:].
func (p *goPkg) liftFlat(t wit.Type, f string, i int) (string, error) {
	t = p.g.r.Dealias(t)
	x := fmt.Sprintf("%s[%d]", f, i)
	id, td, err := p.leaf(t)
	if err != nil {
		return "", err
	}
	if td == nil {
		if t == wit.String {
			return p.d.liftString(f, i), nil
		}
		return p.d.liftScalar(t, x), nil
	}
	switch td.Kind {
	case wit.KindEnum:
		gt, err := p.goType(t)
		return gt + "(" + p.d.disc(kindName(td), x, len(td.Enum)) + ")", err
	case wit.KindFlags:
		gt, err := p.goType(t)
		return p.d.flags(gt, x, len(td.Flags)), err
	case wit.KindOwn, wit.KindBorrow:
		return p.d.liftHandle(id, td, x)
	case wit.KindList, wit.KindMap:
		fn, args, err := p.listOp("Lift", id, td)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s(%s%s%s)", fn, p.d.liftArgs(), p.d.flatPtrLen(f, i), args), nil
	}
	n, err := p.flatCount(t)
	if err != nil {
		return "", err
	}
	name := p.helperName("lift", t)
	if err := p.helper(name, func(b *strings.Builder) error { return p.genLift(b, name, id, td) }); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s(%s%s[%d:%d])", name, p.d.liftArgs(), f, i, i+n), nil
}

// lowerFlat returns statements storing Go value v of type t in f[i:],
// with lowering context cx.
func (p *goPkg) lowerFlat(t wit.Type, v, f string, i int, cx string) (string, error) {
	t = p.g.r.Dealias(t)
	dst := fmt.Sprintf("%s[%d]", f, i)
	id, td, err := p.leaf(t)
	if err != nil {
		return "", err
	}
	if td == nil {
		if t == wit.String {
			return fmt.Sprintf("%s, %s[%d] = %s\n", dst, f, i+1, p.d.lowerString(cx, v)), nil
		}
		return dst + " = " + p.d.lowerScalar(t, v) + "\n", nil
	}
	switch td.Kind {
	case wit.KindFlags, wit.KindEnum:
		return dst + " = uint64(" + v + ")\n", nil
	case wit.KindOwn, wit.KindBorrow:
		h, err := p.d.lowerHandle(td, v, cx)
		return dst + " = " + h + "\n", err
	case wit.KindList, wit.KindMap:
		fn, args, err := p.listOp("Lower", id, td)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s, %s[%d] = %s(%s, %s%s)\n", dst, f, i+1, fn, cx, v, args), nil
	}
	n, err := p.flatCount(t)
	if err != nil {
		return "", err
	}
	name := p.helperName("lower", t)
	if err := p.helper(name, func(b *strings.Builder) error { return p.genLower(b, name, id, td) }); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s(%s, %s, %s[%d:%d])\n", name, cx, v, f, i, i+n), nil
}

// load returns an expression loading t from address a.
func (p *goPkg) load(t wit.Type, a string) (string, error) {
	t = p.g.r.Dealias(t)
	id, td, err := p.leaf(t)
	if err != nil {
		return "", err
	}
	if td == nil {
		if t == wit.String {
			return fmt.Sprintf("%s.LoadString(%s%s)", p.cm(), p.d.liftArgs(), a), nil
		}
		return p.d.loadScalar(t, a), nil
	}
	l, err := p.layout(t)
	if err != nil {
		return "", err
	}
	switch td.Kind {
	case wit.KindEnum:
		gt, err := p.goType(t)
		return gt + "(" + p.d.disc(kindName(td), p.d.loadUint(l.Size, a), len(td.Enum)) + ")", err
	case wit.KindFlags:
		gt, err := p.goType(t)
		return p.d.flags(gt, p.d.loadUint(l.Size, a), len(td.Flags)), err
	case wit.KindOwn, wit.KindBorrow:
		return p.d.liftHandle(id, td, p.d.loadUint(4, a))
	case wit.KindList, wit.KindMap:
		fn, args, err := p.listOp("Load", id, td)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s(%s%s%s)", fn, p.d.liftArgs(), a, args), nil
	}
	name := p.helperName("load", t)
	if err := p.helper(name, func(b *strings.Builder) error { return p.genLoad(b, name, id, td, l) }); err != nil {
		return "", err
	}
	return name + "(" + p.d.liftArgs() + a + ")", nil
}

// store returns statements storing Go value v of type t at address a,
// with lowering context cx.
func (p *goPkg) store(t wit.Type, v, a, cx string) (string, error) {
	t = p.g.r.Dealias(t)
	id, td, err := p.leaf(t)
	if err != nil {
		return "", err
	}
	if td == nil {
		if t == wit.String {
			return fmt.Sprintf("%s.StoreString(%s, %s, %s)\n", p.cm(), cx, v, a), nil
		}
		return p.d.storeScalar(t, v, a), nil
	}
	l, err := p.layout(t)
	if err != nil {
		return "", err
	}
	switch td.Kind {
	case wit.KindFlags, wit.KindEnum:
		return p.d.storeUint(l.Size, a, v), nil
	case wit.KindOwn, wit.KindBorrow:
		h, err := p.d.lowerHandle(td, v, cx)
		return p.d.storeUint(4, a, h), err
	case wit.KindList, wit.KindMap:
		fn, args, err := p.listOp("Store", id, td)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s(%s, %s, %s%s)\n", fn, cx, v, a, args), nil
	}
	name := p.helperName("store", t)
	if err := p.helper(name, func(b *strings.Builder) error { return p.genStore(b, name, id, td, l) }); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s(%s, %s, %s)\n", name, cx, v, a), nil
}

// listOp returns the run-time function moving a list (or map) of type td
// by op (Lift, Load, Lower, Store) and the arguments it takes after the
// list itself: a plain list is copied as a block, other lists and maps go
// element by element through load_T/store_T helpers.
func (p *goPkg) listOp(op string, id wit.TypeID, td *wit.TypeDef) (fn, args string, err error) {
	cm := p.cm()
	lifting := op == "Lift" || op == "Load"
	if td.Kind == wit.KindList && p.d.plainList(p.g.r.Dealias(td.Elem)) {
		if !lifting {
			return cm + "." + op + "List", "", nil
		}
		et, err := p.goType(td.Elem)
		return cm + "." + op + "List[" + et + "]", "", err
	}
	elems := []wit.Type{td.Elem}
	if td.Kind == wit.KindMap {
		elems = []wit.Type{td.Key, td.Elem}
	}
	var fns []string
	for _, et := range elems {
		f, err := p.elemFn(lifting, et)
		if err != nil {
			return "", "", err
		}
		fns = append(fns, f)
	}
	tl, err := p.layout(wit.TypeOf(id))
	if err != nil {
		return "", "", err
	}
	el := tl.Elem()
	if td.Kind == wit.KindMap {
		return cm + "." + op + "Map", fmt.Sprintf(", %s, %d, %s, %s", p.d.sizeArgs(el), el.FieldOffsets[1], fns[0], fns[1]), nil
	}
	return cm + "." + op + "ListFunc", fmt.Sprintf(", %s, %s", p.d.sizeArgs(el), fns[0]), nil
}

// elemFn returns the function loading (or storing) one element of type t,
// the shape the run-time package's list loops call: cm.LoadString, a
// load_T helper, or a one-line helper around what load emits.
func (p *goPkg) elemFn(lifting bool, t wit.Type) (string, error) {
	t = p.g.r.Dealias(t)
	if t == wit.String {
		if lifting {
			return p.cm() + ".LoadString", nil
		}
		return p.cm() + ".StoreString", nil
	}
	op := "store"
	if lifting {
		op = "load"
	}
	name := p.helperName(op, t)
	if p.helpers[name] {
		return name, nil
	}
	gt, err := p.goType(t)
	if err != nil {
		return "", err
	}
	if lifting {
		e, err := p.load(t, "a")
		if err != nil || p.helpers[name] {
			return name, err // load emitted the helper itself
		}
		return name, p.helper(name, func(b *strings.Builder) error {
			fmt.Fprintf(b, "func %s(%sa %s) %s {\n\treturn %s\n}\n\n", name, p.d.liftParams(), p.d.addrType(), gt, e)
			return nil
		})
	}
	s, err := p.store(t, "v", "a", p.d.lowerCx())
	if err != nil || p.helpers[name] {
		return name, err
	}
	return name, p.helper(name, func(b *strings.Builder) error {
		fmt.Fprintf(b, "func %s(%s, v %s, a %s) {\n%s}\n\n", name, p.d.lowerParam(), gt, p.d.addrType(), s)
		return nil
	})
}

// caseInfo lists the payload types and case constructors of a variant,
// option or result, as Go code builds and inspects them.
type caseInfo struct {
	payload wit.Type
	// make returns the expression building the case from payload
	// expression x ("" when there is no payload).
	make func(x string) string
	// get returns statements binding the payload to name, from value v
	// (v holds this case).
	get func(v, name string) string
	// test is the Go case expression of a switch on kindExpr.
	test string
}

// cases describes the cases of a variant, option or result in p's file.
func (p *goPkg) cases(id wit.TypeID, td *wit.TypeDef) (kindExpr func(v string) string, cs []caseInfo, err error) {
	switch td.Kind {
	case wit.KindVariant:
		q := p.g.ownerPkg(td, p)
		m := q.members[id]
		qual := p.qualify(q)
		for i, c := range td.Cases {
			i := i
			ci := caseInfo{payload: c.Type, test: qual + m.consts[i]}
			ci.make = func(x string) string { return qual + m.ctors[i] + "(" + x + ")" }
			ci.get = func(v, name string) string { return fmt.Sprintf("%s, _ := %s.%s()\n", name, v, m.access[i]) }
			cs = append(cs, ci)
		}
		return func(v string) string { return v + ".Kind()" }, cs, nil
	case wit.KindOption:
		et, err := p.goType(td.Elem)
		if err != nil {
			return nil, nil, err
		}
		cm := p.cm()
		cs = append(cs, caseInfo{test: "false", make: func(string) string { return cm + ".None[" + et + "]()" }})
		cs = append(cs, caseInfo{payload: td.Elem, test: "true",
			make: func(x string) string { return cm + ".Some[" + et + "](" + x + ")" },
			get:  func(v, name string) string { return name + " := " + v + ".Value()\n" }})
		return func(v string) string { return "!" + v + ".IsNone()" }, cs, nil
	case wit.KindResult:
		ot, err := p.goType(td.Ok)
		if err != nil {
			return nil, nil, err
		}
		et, err := p.goType(td.Err)
		if err != nil {
			return nil, nil, err
		}
		cm := p.cm()
		unit := func(x string) string {
			if x == "" {
				return "struct{}{}"
			}
			return x
		}
		cs = append(cs, caseInfo{payload: td.Ok, test: "false",
			make: func(x string) string { return cm + ".OK[" + ot + ", " + et + "](" + unit(x) + ")" },
			get:  func(v, name string) string { return name + ", _ := " + v + ".OK()\n" }})
		cs = append(cs, caseInfo{payload: td.Err, test: "true",
			make: func(x string) string { return cm + ".Err[" + ot + ", " + et + "](" + unit(x) + ")" },
			get:  func(v, name string) string { return name + ", _ := " + v + ".Err()\n" }})
		return func(v string) string { return v + ".IsErr()" }, cs, nil
	}
	return nil, nil, fmt.Errorf("%s is not a variant", td.Kind)
}

func kindName(td *wit.TypeDef) string {
	if td.Name != "" {
		return td.Kind.String() + " " + td.Name
	}
	return td.Kind.String()
}

// fieldsOf returns the field types and Go field names of a record or tuple.
func (p *goPkg) fieldsOf(td *wit.TypeDef) ([]wit.Type, []string) {
	if td.Kind == wit.KindTuple {
		names := make([]string, len(td.Tuple))
		for i := range names {
			names[i] = fmt.Sprintf("F%d", i)
		}
		return td.Tuple, names
	}
	types := make([]wit.Type, len(td.Fields))
	for i, f := range td.Fields {
		types[i] = f.Type
	}
	return types, p.g.recordFields(td)
}

// recordFields returns the Go field names of a record, as its declaring
// package names them.
func (g *generator) recordFields(td *wit.TypeDef) []string {
	seen := map[string]bool{}
	out := make([]string, len(td.Fields))
	for i, f := range td.Fields {
		n := camel(f.Name)
		for seen[n] {
			n += "_"
		}
		seen[n] = true
		out[i] = n
	}
	return out
}

// genLift writes lift_T: a record, tuple, fixed-length list or variant
// from its flat values.
func (p *goPkg) genLift(b *strings.Builder, name string, id wit.TypeID, td *wit.TypeDef) error {
	gt, err := p.goType(wit.TypeOf(id))
	if err != nil {
		return err
	}
	fmt.Fprintf(b, "func %s(%sf []uint64) %s {\n", name, p.d.liftParams(), gt)
	switch td.Kind {
	case wit.KindRecord, wit.KindTuple:
		types, names := p.fieldsOf(td)
		fmt.Fprintf(b, "\treturn %s{", gt)
		off := 0
		for k, ft := range types {
			e, err := p.liftFlat(ft, "f", off)
			if err != nil {
				return err
			}
			n, err := p.flatCount(ft)
			if err != nil {
				return err
			}
			off += n
			fmt.Fprintf(b, "\n\t\t%s: %s,", names[k], e)
		}
		b.WriteString("\n\t}\n}\n\n")
	case wit.KindFixedLengthList:
		n, err := p.flatCount(td.Elem)
		if err != nil {
			return err
		}
		fmt.Fprintf(b, "\treturn %s{", gt)
		for k := 0; k < int(td.Len); k++ {
			e, err := p.liftFlat(td.Elem, "f", k*n)
			if err != nil {
				return err
			}
			fmt.Fprintf(b, "\n\t\t%s,", e)
		}
		b.WriteString("\n\t}\n}\n\n")
	case wit.KindVariant, wit.KindOption, wit.KindResult:
		return p.genCases(b, id, td, p.d.disc(kindName(td), "f[0]", p.caseCount(td)), func(t wit.Type) (string, error) {
			return p.liftFlat(t, "f", 1)
		})
	default:
		return fmt.Errorf("cannot lift %s", td.Kind)
	}
	return nil
}

func (p *goPkg) caseCount(td *wit.TypeDef) int {
	if td.Kind == wit.KindVariant {
		return len(td.Cases)
	}
	return 2
}

// genCases writes the body of a lifting or loading helper of a variant,
// option or result: a switch on the checked discriminant disc, payloads
// lifted by payload.
func (p *goPkg) genCases(b *strings.Builder, id wit.TypeID, td *wit.TypeDef, disc string, payload func(wit.Type) (string, error)) error {
	gt, err := p.goType(wit.TypeOf(id))
	if err != nil {
		return err
	}
	_, cs, err := p.cases(id, td)
	if err != nil {
		return err
	}
	fmt.Fprintf(b, "\tswitch %s {\n", disc)
	for k, c := range cs {
		fmt.Fprintf(b, "\tcase %d:\n", k)
		x := ""
		if c.payload != wit.NoneType {
			if x, err = payload(c.payload); err != nil {
				return err
			}
		}
		fmt.Fprintf(b, "\t\treturn %s\n", c.make(x))
	}
	// Only after a failed check, which a host records and a guest panics on.
	fmt.Fprintf(b, "\t}\n\tvar zero %s\n\treturn zero\n}\n\n", gt)
	return nil
}

// genLower writes lower_T: t to its flat values.
func (p *goPkg) genLower(b *strings.Builder, name string, id wit.TypeID, td *wit.TypeDef) error {
	gt, err := p.goType(wit.TypeOf(id))
	if err != nil {
		return err
	}
	cx := p.d.lowerCx()
	fmt.Fprintf(b, "func %s(%s, v %s, f []uint64) {\n", name, p.d.lowerParam(), gt)
	switch td.Kind {
	case wit.KindRecord, wit.KindTuple:
		types, names := p.fieldsOf(td)
		off := 0
		for k, ft := range types {
			s, err := p.lowerFlat(ft, "v."+names[k], "f", off, cx)
			if err != nil {
				return err
			}
			n, err := p.flatCount(ft)
			if err != nil {
				return err
			}
			off += n
			b.WriteString(s)
		}
	case wit.KindFixedLengthList:
		n, err := p.flatCount(td.Elem)
		if err != nil {
			return err
		}
		for k := 0; k < int(td.Len); k++ {
			s, err := p.lowerFlat(td.Elem, fmt.Sprintf("v[%d]", k), "f", k*n, cx)
			if err != nil {
				return err
			}
			b.WriteString(s)
		}
	case wit.KindVariant, wit.KindOption, wit.KindResult:
		// Slots a case does not use must be zero.
		b.WriteString("clear(f)\n")
		if err := p.genSwitch(b, id, td, func(k int) string { return fmt.Sprintf("f[0] = %d\n", k) }, func(t wit.Type) (string, error) {
			return p.lowerFlat(t, "x", "f", 1, cx)
		}); err != nil {
			return err
		}
	default:
		return fmt.Errorf("cannot lower %s", td.Kind)
	}
	b.WriteString("}\n\n")
	return nil
}

// genSwitch writes the switch of a lowering or storing helper of a
// variant, option or result: setDisc sets the discriminant of case k,
// payload lowers x.
func (p *goPkg) genSwitch(b *strings.Builder, id wit.TypeID, td *wit.TypeDef, setDisc func(k int) string, payload func(wit.Type) (string, error)) error {
	kind, cs, err := p.cases(id, td)
	if err != nil {
		return err
	}
	fmt.Fprintf(b, "switch %s {\n", kind("v"))
	for k, c := range cs {
		fmt.Fprintf(b, "case %s:\n\t%s", c.test, setDisc(k))
		if c.payload != wit.NoneType {
			b.WriteString(c.get("v", "x"))
			s, err := payload(c.payload)
			if err != nil {
				return err
			}
			b.WriteString(s)
		}
	}
	b.WriteString("}\n")
	return nil
}

// genLoad writes load_T: t from memory at a.
func (p *goPkg) genLoad(b *strings.Builder, name string, id wit.TypeID, td *wit.TypeDef, l *canon.Layout) error {
	gt, err := p.goType(wit.TypeOf(id))
	if err != nil {
		return err
	}
	fmt.Fprintf(b, "func %s(%sa %s) %s {\n", name, p.d.liftParams(), p.d.addrType(), gt)
	switch td.Kind {
	case wit.KindRecord, wit.KindTuple:
		types, names := p.fieldsOf(td)
		fmt.Fprintf(b, "\treturn %s{", gt)
		for k, ft := range types {
			e, err := p.load(ft, p.d.at("a", l.FieldOffsets[k]))
			if err != nil {
				return err
			}
			fmt.Fprintf(b, "\n\t\t%s: %s,", names[k], e)
		}
		b.WriteString("\n\t}\n}\n\n")
	case wit.KindFixedLengthList:
		e, err := p.load(td.Elem, p.d.elemAt("a", "j", l.Elem().Size))
		if err != nil {
			return err
		}
		fmt.Fprintf(b, "\tvar v %s\n\tfor j := range v {\n\t\tv[j] = %s\n\t}\n\treturn v\n}\n\n", gt, e)
	case wit.KindVariant, wit.KindOption, wit.KindResult:
		disc := p.d.disc(kindName(td), p.d.loadUint(uint64(l.DiscriminantSize), "a"), p.caseCount(td))
		return p.genCases(b, id, td, disc, func(t wit.Type) (string, error) {
			return p.load(t, p.d.at("a", l.PayloadOffset))
		})
	default:
		return fmt.Errorf("cannot load %s", td.Kind)
	}
	return nil
}

// genStore writes store_T: t to memory at a.
func (p *goPkg) genStore(b *strings.Builder, name string, id wit.TypeID, td *wit.TypeDef, l *canon.Layout) error {
	gt, err := p.goType(wit.TypeOf(id))
	if err != nil {
		return err
	}
	cx := p.d.lowerCx()
	fmt.Fprintf(b, "func %s(%s, v %s, a %s) {\n", name, p.d.lowerParam(), gt, p.d.addrType())
	switch td.Kind {
	case wit.KindRecord, wit.KindTuple:
		types, names := p.fieldsOf(td)
		for k, ft := range types {
			s, err := p.store(ft, "v."+names[k], p.d.at("a", l.FieldOffsets[k]), cx)
			if err != nil {
				return err
			}
			b.WriteString(s)
		}
	case wit.KindFixedLengthList:
		s, err := p.store(td.Elem, "v[j]", p.d.elemAt("a", "j", l.Elem().Size), cx)
		if err != nil {
			return err
		}
		fmt.Fprintf(b, "for j := range v {\n%s}\n", s)
	case wit.KindVariant, wit.KindOption, wit.KindResult:
		ds := uint64(l.DiscriminantSize)
		if err := p.genSwitch(b, id, td, func(k int) string { return p.d.storeUint(ds, "a", fmt.Sprint(k)) }, func(t wit.Type) (string, error) {
			return p.store(t, "x", p.d.at("a", l.PayloadOffset), cx)
		}); err != nil {
			return err
		}
	default:
		return fmt.Errorf("cannot store %s", td.Kind)
	}
	b.WriteString("}\n\n")
	return nil
}

// guestABI is the dialect of guest bindings: the guest's own memory
// through unsafe pointers, Go memory handed out through cm.Pins so that it
// stays put and alive while the host reads it, invalid input from the
// host a panic (the host broke the ABI; nothing can be returned).
type guestABI struct{ p *goPkg }

func (d guestABI) liftParams() string { return "" }
func (d guestABI) liftArgs() string   { return "" }
func (d guestABI) lowerParam() string { return "pins *" + d.p.cm() + ".Pins" }
func (d guestABI) lowerCx() string    { return "pins" }
func (d guestABI) addrType() string   { return d.p.u() + ".Pointer" }

func (d guestABI) at(a string, off uint64) string {
	if off == 0 {
		return a
	}
	return fmt.Sprintf("%s.Add(%s, %d)", d.p.u(), a, off)
}

func (d guestABI) elemAt(a, j string, size uint64) string {
	return fmt.Sprintf("%s.Add(%s, uintptr(%s)*%d)", d.p.u(), a, j, size)
}

func (d guestABI) liftScalar(t wit.Type, x string) string {
	switch t {
	case wit.Bool:
		return "(" + x + " != 0)"
	case wit.U64:
		return x
	case wit.F32:
		return d.p.m() + ".Float32frombits(uint32(" + x + "))"
	case wit.F64:
		return d.p.m() + ".Float64frombits(" + x + ")"
	case wit.Char:
		return "rune(uint32(" + x + "))"
	}
	return primGo[t] + "(" + x + ")"
}

func (d guestABI) lowerScalar(t wit.Type, v string) string {
	switch t {
	case wit.Bool:
		return "uint64(" + d.p.cm() + ".BoolBits(" + v + "))"
	case wit.U64:
		return v
	case wit.S8, wit.S16, wit.S32, wit.Char:
		return "uint64(uint32(int32(" + v + ")))"
	case wit.F32:
		return "uint64(" + d.p.m() + ".Float32bits(" + v + "))"
	case wit.F64:
		return d.p.m() + ".Float64bits(" + v + ")"
	}
	return "uint64(" + v + ")"
}

func (d guestABI) loadScalar(t wit.Type, a string) string {
	if t == wit.Bool {
		return "(" + d.p.deref("uint8", a) + " != 0)"
	}
	return d.p.deref(primGo[t], a)
}

func (d guestABI) storeScalar(t wit.Type, v, a string) string {
	return d.p.deref(primGo[t], a) + " = " + v + "\n"
}

func (d guestABI) loadUint(size uint64, a string) string {
	return "uint64(" + d.p.deref(uintType(size), a) + ")"
}

func (d guestABI) storeUint(size uint64, a, x string) string {
	u := uintType(size)
	return d.p.deref(u, a) + " = " + convert(u, x) + "\n"
}

func (d guestABI) disc(what, x string, n int) string {
	return fmt.Sprintf("%s.Disc(%q, %s, %d)", d.p.cm(), what, x, n)
}

func (d guestABI) flags(gt, x string, n int) string { return gt + "(" + x + ")" }

func (d guestABI) flatPtrLen(f string, i int) string {
	return fmt.Sprintf("uint32(%s[%d]), uint32(%s[%d])", f, i, f, i+1)
}

func (d guestABI) liftString(f string, i int) string {
	return d.p.cm() + ".LiftString(" + d.flatPtrLen(f, i) + ")"
}

func (d guestABI) lowerString(cx, v string) string {
	return d.p.cm() + ".LowerString(" + cx + ", " + v + ")"
}

// liftHandle turns handle (or rep) h into the Go value of handle type td.
func (d guestABI) liftHandle(id wit.TypeID, td *wit.TypeDef, h string) (string, error) {
	p := d.p
	h = convert("uint32", h)
	q, m, _, err := p.resourceOf(td)
	if err != nil {
		return "", err
	}
	own := td.Kind == wit.KindOwn
	if q.export {
		return fmt.Sprintf("%s%s(%s, %v)", p.qualify(q), m.lift, h, own), nil
	}
	if own {
		return fmt.Sprintf("%s%s(%s, true)", p.qualify(q), m.fromHandle, h), nil
	}
	// A borrow lent to an export: dropped when the export returns.
	name := fmt.Sprintf("liftBorrow_T%d", id)
	err = p.helper(name, func(b *strings.Builder) error {
		gt, err := p.goType(wit.TypeOf(id))
		fmt.Fprintf(b, "func %s(h uint32) %s {\n\tr := %s%s(h, false)\n\t%s.Lend(&r.Resource)\n\treturn r\n}\n\n", name, gt, p.qualify(q), m.fromHandle, p.cm())
		return err
	})
	return name + "(" + h + ")", err
}

// lowerHandle gives the handle (or rep) of Go value v of handle type td.
func (d guestABI) lowerHandle(td *wit.TypeDef, v, cx string) (string, error) {
	p := d.p
	q, m, name, err := p.resourceOf(td)
	if err != nil {
		return "", err
	}
	switch {
	case q.export && td.Kind == wit.KindBorrow:
		return "", fmt.Errorf("a borrow of exported resource %s cannot be passed out", name)
	case q.export:
		return fmt.Sprintf("uint64(%s%s(%s))", p.qualify(q), m.lower, v), nil
	case td.Kind == wit.KindOwn:
		return "uint64(" + v + ".TakeHandle())", nil
	}
	return "uint64(" + v + ".Handle())", nil
}

func (d guestABI) plainList(elem wit.Type) bool    { return plainScalar(elem) }
func (d guestABI) sizeArgs(l *canon.Layout) string { return fmt.Sprint(l.Size) }

func (d guestABI) unsupported(what string) error {
	return fmt.Errorf("%s is not supported by the Go guest bindings", what)
}

// hostABI is the dialect of host bindings: the guest's memory through
// hostcm's Lift (l) and Lower (w), which bounds-check every access and
// record the first error, so that bad input from a guest is an error of
// the call, never a panic.
type hostABI struct{ p *goPkg }

func (d hostABI) liftParams() string { return "l *" + d.p.cm() + ".Lift, " }
func (d hostABI) liftArgs() string   { return "l, " }
func (d hostABI) lowerParam() string { return "w *" + d.p.cm() + ".Lower" }
func (d hostABI) lowerCx() string    { return "w" }
func (d hostABI) addrType() string   { return "uint64" }

// at spells the address a+off.
func (d hostABI) at(a string, off uint64) string {
	if off == 0 {
		return a
	}
	return fmt.Sprintf("%s+%d", a, off)
}

func (d hostABI) elemAt(a, j string, size uint64) string {
	return fmt.Sprintf("%s+uint64(%s)*%d", a, j, size)
}

func (d hostABI) liftScalar(t wit.Type, x string) string {
	switch t {
	case wit.Bool:
		return "l.Bool(" + x + ")"
	case wit.U64:
		return x
	case wit.F32:
		return "l.F32(" + x + ")"
	case wit.F64:
		return "l.F64(" + x + ")"
	case wit.Char:
		return "l.Char(" + x + ")"
	}
	return primGo[t] + "(" + x + ")"
}

func (d hostABI) lowerScalar(t wit.Type, v string) string {
	switch t {
	case wit.Bool:
		return "w.Bool(" + v + ")"
	case wit.U64:
		return v
	case wit.S8, wit.S16, wit.S32:
		return "uint64(uint32(int32(" + v + ")))"
	case wit.F32:
		return "w.F32(" + v + ")"
	case wit.F64:
		return "w.F64(" + v + ")"
	case wit.Char:
		return "w.Char(" + v + ")"
	}
	return "uint64(" + v + ")"
}

// hostMem is how a host moves each primitive: the Lift/Lower method of its
// size, and the conversions between it and the Go type.
func hostMem(t wit.Type) (size uint64, load, store string) {
	switch t {
	case wit.Bool:
		return 1, "(%s != 0)", "uint8(w.Bool(%s))"
	case wit.U8, wit.U16, wit.U32, wit.U64:
		return intSize(t), "%s", "%s"
	case wit.S8, wit.S16, wit.S32, wit.S64:
		return intSize(t), primGo[t] + "(%s)", "uint" + fmt.Sprint(8*intSize(t)) + "(%s)"
	case wit.F32:
		return 4, "l.F32(uint64(%s))", "uint32(w.F32(%s))"
	case wit.F64:
		return 8, "l.F64(%s)", "w.F64(%s)"
	case wit.Char:
		return 4, "l.Char(uint64(%s))", "uint32(w.Char(%s))"
	}
	return 0, "", ""
}

func intSize(t wit.Type) uint64 {
	switch t {
	case wit.U8, wit.S8:
		return 1
	case wit.U16, wit.S16:
		return 2
	case wit.U32, wit.S32:
		return 4
	}
	return 8
}

func (d hostABI) loadScalar(t wit.Type, a string) string {
	size, load, _ := hostMem(t)
	return fmt.Sprintf(load, fmt.Sprintf("l.U%d(%s)", 8*size, a))
}

func (d hostABI) storeScalar(t wit.Type, v, a string) string {
	size, _, store := hostMem(t)
	return fmt.Sprintf("w.PutU%d(%s, %s)\n", 8*size, a, fmt.Sprintf(store, v))
}

func (d hostABI) loadUint(size uint64, a string) string {
	if size == 8 {
		return "l.U64(" + a + ")"
	}
	return fmt.Sprintf("uint64(l.U%d(%s))", 8*size, a)
}

func (d hostABI) storeUint(size uint64, a, x string) string {
	return fmt.Sprintf("w.PutU%d(%s, %s)\n", 8*size, a, convert(uintType(size), x))
}

func (d hostABI) disc(what, x string, n int) string {
	return fmt.Sprintf("l.Disc(%q, %s, %d)", what, x, n)
}

func (d hostABI) flags(gt, x string, n int) string {
	return fmt.Sprintf("%s(l.Flags(%s, %d))", gt, x, n)
}

func (d hostABI) flatPtrLen(f string, i int) string {
	return fmt.Sprintf("%s[%d], %s[%d]", f, i, f, i+1)
}

func (d hostABI) liftString(f string, i int) string { return "l.String(" + d.flatPtrLen(f, i) + ")" }
func (d hostABI) lowerString(cx, v string) string   { return cx + ".String(" + v + ")" }

// handleFn is the LiftR/LowerR function of the resource of handle td.
func (d hostABI) handleFn(td *wit.TypeDef, lift bool) (string, error) {
	q, m, _, err := d.p.resourceOf(td)
	if err != nil {
		return "", err
	}
	if lift {
		return d.p.qualify(q) + m.lift, nil
	}
	return d.p.qualify(q) + m.lower, nil
}

func (d hostABI) liftHandle(_ wit.TypeID, td *wit.TypeDef, h string) (string, error) {
	fn, err := d.handleFn(td, true)
	return fmt.Sprintf("%s(l, %s, %v)", fn, h, td.Kind == wit.KindOwn), err
}

func (d hostABI) lowerHandle(td *wit.TypeDef, v, cx string) (string, error) {
	fn, err := d.handleFn(td, false)
	return fmt.Sprintf("%s(%s, %s, %v)", fn, cx, v, td.Kind == wit.KindOwn), err
}

// plainList: a list of chars is checked char by char.
func (d hostABI) plainList(elem wit.Type) bool { return plainScalar(elem) && elem != wit.Char }

func (d hostABI) sizeArgs(l *canon.Layout) string { return fmt.Sprintf("%d, %d", l.Size, l.Align) }

func (d hostABI) unsupported(what string) error {
	return fmt.Errorf("%s is not supported by the Go host bindings", what)
}

// convert spells the conversion of x to integer type to, leaving out a
// literal's and undoing a widening of x (uint64(y) to uint32 is y when y
// is a uint32 already, which is how handles and loads come).
func convert(to, x string) string {
	if strings.Trim(x, "0123456789") == "" {
		return x
	}
	if in, ok := strings.CutPrefix(x, "uint64("); ok && strings.HasSuffix(in, ")") && balanced(in[:len(in)-1]) && to == "uint32" {
		return in[:len(in)-1]
	}
	return to + "(" + x + ")"
}

// balanced reports whether s closes every parenthesis it opens, in order.
func balanced(s string) bool {
	depth := 0
	for _, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			if depth--; depth < 0 {
				return false
			}
		}
	}
	return depth == 0
}
