package bindgen

import (
	"fmt"
	"strings"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/wit"
)

// The code below emits the canonical ABI for the generated functions. Flat
// values travel as uint64 bit patterns: the join of a variant's cases
// (i32 in an i64 slot, f32 in an i32 slot...) then keeps the bits where they
// are, so a case's payload reads and writes its own slots unchanged, and
// only the wasm signature converts to the slot's core type. Layouts,
// offsets and flat counts all come from package canon.
//
// Compound types get helper functions per package, named after their
// TypeDef id: lift_T (from flat values), lower_T (to flat values), load_T
// and store_T (memory), liftList_T and lowerList_T. Helpers use only the
// public API of the types, so a package can lift another package's types.

func (p *goPkg) layout(t wit.Type) (*canon.Layout, error) { return p.g.abi.Layout(t) }

func (p *goPkg) u() string { return p.use("unsafe", "unsafe") }
func (p *goPkg) m() string { return p.use("math", "math") }

// at spells the address ptr+off.
func (p *goPkg) at(ptr string, off uint64) string {
	if off == 0 {
		return ptr
	}
	return fmt.Sprintf("%s.Add(%s, %d)", p.u(), ptr, off)
}

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

// liftScalarFlat lifts a primitive from the flat bits x.
func (p *goPkg) liftScalarFlat(t wit.Type, x string) string {
	switch t {
	case wit.Bool:
		return "(" + x + " != 0)"
	case wit.U64:
		return x
	case wit.F32:
		return p.m() + ".Float32frombits(uint32(" + x + "))"
	case wit.F64:
		return p.m() + ".Float64frombits(" + x + ")"
	case wit.Char:
		return "rune(uint32(" + x + "))"
	}
	return primGo[t] + "(" + x + ")"
}

// lowerScalarFlat gives the flat bits of primitive value v.
func (p *goPkg) lowerScalarFlat(t wit.Type, v string) string {
	switch t {
	case wit.Bool:
		return "uint64(" + p.cm() + ".BoolBits(" + v + "))"
	case wit.U64:
		return v
	case wit.S8, wit.S16, wit.S32, wit.Char:
		return "uint64(uint32(int32(" + v + ")))"
	case wit.F32:
		return "uint64(" + p.m() + ".Float32bits(" + v + "))"
	case wit.F64:
		return p.m() + ".Float64bits(" + v + ")"
	}
	return "uint64(" + v + ")"
}

// liftHandle turns handle (or rep) expression h into the Go value of
// handle type td.
func (p *goPkg) liftHandle(id wit.TypeID, td *wit.TypeDef, h string) (string, error) {
	rid := p.g.r.DealiasID(td.Resource)
	rdef := p.g.r.Types[rid]
	q := p.g.ownerPkg(rdef, p)
	if q == nil {
		return "", fmt.Errorf("resource %s has no owner", rdef.Name)
	}
	m := q.members[rid]
	own := td.Kind == wit.KindOwn
	if q.export {
		return fmt.Sprintf("%s%s(%s, %v)", p.qualify(q), m.lift, h, own), nil
	}
	if own {
		return fmt.Sprintf("%s%s(%s, true)", p.qualify(q), m.fromHandle, h), nil
	}
	// A borrow lent to an export: dropped when the export returns.
	name := fmt.Sprintf("liftBorrow_T%d", id)
	if !p.helpers[name] {
		p.helpers[name] = true
		gt, err := p.goType(wit.TypeOf(id))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&p.hbuf, "func %s(h uint32) %s {\n\tr := %s%s(h, false)\n\t%s.Lend(&r.Resource)\n\treturn r\n}\n\n", name, gt, p.qualify(q), m.fromHandle, p.cm())
	}
	return name + "(" + h + ")", nil
}

// lowerHandle gives the handle (or rep) of Go value v of handle type td.
func (p *goPkg) lowerHandle(td *wit.TypeDef, v string) (string, error) {
	rid := p.g.r.DealiasID(td.Resource)
	rdef := p.g.r.Types[rid]
	q := p.g.ownerPkg(rdef, p)
	if q == nil {
		return "", fmt.Errorf("resource %s has no owner", rdef.Name)
	}
	if q.export {
		if td.Kind == wit.KindBorrow {
			return "", fmt.Errorf("a borrow of exported resource %s cannot be passed out", rdef.Name)
		}
		return fmt.Sprintf("%s%s(%s)", p.qualify(q), q.members[rid].lower, v), nil
	}
	if td.Kind == wit.KindOwn {
		return v + ".TakeHandle()", nil
	}
	return v + ".Handle()", nil
}

// flatCount is how many flat values t has.
func (p *goPkg) flatCount(t wit.Type) (int, error) {
	l, err := p.layout(t)
	if err != nil {
		return 0, err
	}
	return int(l.FlatCount), nil
}

// liftFlat returns an expression lifting t from f[i:].
func (p *goPkg) liftFlat(t wit.Type, f string, i int) (string, error) {
	t = p.g.r.Dealias(t)
	x := fmt.Sprintf("%s[%d]", f, i)
	if t.IsPrimitive() {
		if t == wit.String {
			return fmt.Sprintf("%s.LiftString(uint32(%s[%d]), uint32(%s[%d]))", p.cm(), f, i, f, i+1), nil
		}
		if t == wit.ErrorContext {
			return "", fmt.Errorf("error-context is not supported")
		}
		return p.liftScalarFlat(t, x), nil
	}
	id, td := p.def(t)
	switch td.Kind {
	case wit.KindFlags:
		gt, err := p.goType(t)
		if err != nil {
			return "", err
		}
		return gt + "(" + x + ")", nil
	case wit.KindOwn, wit.KindBorrow:
		return p.liftHandle(id, td, "uint32("+x+")")
	case wit.KindList, wit.KindMap:
		fn, err := p.liftListFn(id, td)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s(uint32(%s[%d]), uint32(%s[%d]))", fn, f, i, f, i+1), nil
	}
	n, err := p.flatCount(t)
	if err != nil {
		return "", err
	}
	name := fmt.Sprintf("lift_T%d", id)
	if err := p.helper(name, func(b *strings.Builder) error { return p.genLift(b, name, id, td) }); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s(%s[%d:%d])", name, f, i, i+n), nil
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

// cases describes the cases of a variant-like type in p's file.
func (p *goPkg) cases(id wit.TypeID, td *wit.TypeDef) (kindExpr func(v string) string, cs []caseInfo, err error) {
	gt, err := p.goType(wit.TypeOf(id))
	if err != nil {
		return nil, nil, err
	}
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
	case wit.KindEnum:
		for i := range td.Enum {
			i := i
			cs = append(cs, caseInfo{test: fmt.Sprint(i), make: func(string) string { return fmt.Sprintf("%s(%d)", gt, i) }})
		}
		return func(v string) string { return v }, cs, nil
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
		cs = append(cs, caseInfo{payload: td.Ok, test: "false",
			make: func(x string) string {
				if x == "" {
					x = "struct{}{}"
				}
				return cm + ".OK[" + ot + ", " + et + "](" + x + ")"
			},
			get: func(v, name string) string { return name + ", _ := " + v + ".OK()\n" }})
		cs = append(cs, caseInfo{payload: td.Err, test: "true",
			make: func(x string) string {
				if x == "" {
					x = "struct{}{}"
				}
				return cm + ".Err[" + ot + ", " + et + "](" + x + ")"
			},
			get: func(v, name string) string { return name + ", _ := " + v + ".Err()\n" }})
		return func(v string) string { return v + ".IsErr()" }, cs, nil
	}
	return nil, nil, fmt.Errorf("%s is not a variant", td.Kind)
}

// genLift writes lift_T: t from its flat values.
func (p *goPkg) genLift(b *strings.Builder, name string, id wit.TypeID, td *wit.TypeDef) error {
	t := wit.TypeOf(id)
	gt, err := p.goType(t)
	if err != nil {
		return err
	}
	fmt.Fprintf(b, "func %s(f []uint64) %s {\n", name, gt)
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
		fmt.Fprintf(b, "\tvar a %s\n", gt)
		for k := 0; k < int(td.Len); k++ {
			e, err := p.liftFlat(td.Elem, "f", k*n)
			if err != nil {
				return err
			}
			fmt.Fprintf(b, "\ta[%d] = %s\n", k, e)
		}
		b.WriteString("\treturn a\n}\n\n")
	case wit.KindVariant, wit.KindEnum, wit.KindOption, wit.KindResult:
		_, cs, err := p.cases(id, td)
		if err != nil {
			return err
		}
		b.WriteString("\tswitch f[0] {\n")
		for k, c := range cs {
			fmt.Fprintf(b, "\tcase %d:\n", k)
			x := ""
			if c.payload != wit.NoneType {
				x, err = p.liftFlat(c.payload, "f", 1)
				if err != nil {
					return err
				}
			}
			fmt.Fprintf(b, "\t\treturn %s\n", c.make(x))
		}
		fmt.Fprintf(b, "\t}\n\tpanic(%q)\n}\n\n", "bindgen: the host passed an invalid case of "+kindName(td))
	default:
		return fmt.Errorf("cannot lift %s", td.Kind)
	}
	return nil
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

// lowerFlat returns statements storing Go value v of type t in f[i:].
func (p *goPkg) lowerFlat(t wit.Type, v, f string, i int, pins string) (string, error) {
	t = p.g.r.Dealias(t)
	if t.IsPrimitive() {
		if t == wit.String {
			return fmt.Sprintf("{\n\tptr, n := %s.LowerString(%s, %s)\n\t%s[%d], %s[%d] = uint64(ptr), uint64(n)\n}\n", p.cm(), pins, v, f, i, f, i+1), nil
		}
		if t == wit.ErrorContext {
			return "", fmt.Errorf("error-context is not supported")
		}
		return fmt.Sprintf("%s[%d] = %s\n", f, i, p.lowerScalarFlat(t, v)), nil
	}
	id, td := p.def(t)
	switch td.Kind {
	case wit.KindFlags, wit.KindEnum:
		return fmt.Sprintf("%s[%d] = uint64(%s)\n", f, i, v), nil
	case wit.KindOwn, wit.KindBorrow:
		h, err := p.lowerHandle(td, v)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s[%d] = uint64(%s)\n", f, i, h), nil
	case wit.KindList, wit.KindMap:
		fn, err := p.lowerListFn(id, td)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("{\n\tptr, n := %s(%s, %s)\n\t%s[%d], %s[%d] = uint64(ptr), uint64(n)\n}\n", fn, v, pins, f, i, f, i+1), nil
	}
	n, err := p.flatCount(t)
	if err != nil {
		return "", err
	}
	name := fmt.Sprintf("lower_T%d", id)
	if err := p.helper(name, func(b *strings.Builder) error { return p.genLower(b, name, id, td) }); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s(%s, %s[%d:%d], %s)\n", name, v, f, i, i+n, pins), nil
}

// genLower writes lower_T: t to its flat values (f arrives zeroed).
func (p *goPkg) genLower(b *strings.Builder, name string, id wit.TypeID, td *wit.TypeDef) error {
	gt, err := p.goType(wit.TypeOf(id))
	if err != nil {
		return err
	}
	fmt.Fprintf(b, "func %s(v %s, f []uint64, pins *%s.Pins) {\n", name, gt, p.cm())
	switch td.Kind {
	case wit.KindRecord, wit.KindTuple:
		types, names := p.fieldsOf(td)
		off := 0
		for k, ft := range types {
			s, err := p.lowerFlat(ft, "v."+names[k], "f", off, "pins")
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
			s, err := p.lowerFlat(td.Elem, fmt.Sprintf("v[%d]", k), "f", k*n, "pins")
			if err != nil {
				return err
			}
			b.WriteString(s)
		}
	case wit.KindVariant, wit.KindOption, wit.KindResult:
		kind, cs, err := p.cases(id, td)
		if err != nil {
			return err
		}
		fmt.Fprintf(b, "switch %s {\n", kind("v"))
		for k, c := range cs {
			fmt.Fprintf(b, "case %s:\n\tf[0] = %d\n", c.test, k)
			if c.payload != wit.NoneType {
				b.WriteString(c.get("v", "x"))
				s, err := p.lowerFlat(c.payload, "x", "f", 1, "pins")
				if err != nil {
					return err
				}
				b.WriteString(s)
			}
		}
		b.WriteString("}\n")
	default:
		return fmt.Errorf("cannot lower %s", td.Kind)
	}
	b.WriteString("}\n\n")
	return nil
}

// loadScalar returns an expression loading primitive t from address a.
func (p *goPkg) loadScalar(t wit.Type, a string) string {
	switch t {
	case wit.Bool:
		return "(" + p.deref("uint8", a) + " != 0)"
	}
	return p.deref(primGo[t], a)
}

// load returns an expression loading t from address a.
func (p *goPkg) load(t wit.Type, a string) (string, error) {
	t = p.g.r.Dealias(t)
	if t.IsPrimitive() {
		switch t {
		case wit.String:
			return fmt.Sprintf("%s.LiftString(%s, %s)", p.cm(), p.deref("uint32", a), p.deref("uint32", p.at(a, 4))), nil
		case wit.ErrorContext:
			return "", fmt.Errorf("error-context is not supported")
		}
		return p.loadScalar(t, a), nil
	}
	id, td := p.def(t)
	l, err := p.layout(t)
	if err != nil {
		return "", err
	}
	switch td.Kind {
	case wit.KindFlags:
		gt, err := p.goType(t)
		if err != nil {
			return "", err
		}
		return gt + "(" + p.deref(uintType(l.Size), a) + ")", nil
	case wit.KindOwn, wit.KindBorrow:
		return p.liftHandle(id, td, p.deref("uint32", a))
	case wit.KindList, wit.KindMap:
		fn, err := p.liftListFn(id, td)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s(%s, %s)", fn, p.deref("uint32", a), p.deref("uint32", p.at(a, 4))), nil
	}
	name := fmt.Sprintf("load_T%d", id)
	if err := p.helper(name, func(b *strings.Builder) error { return p.genLoad(b, name, id, td, l) }); err != nil {
		return "", err
	}
	return name + "(" + a + ")", nil
}

func (p *goPkg) genLoad(b *strings.Builder, name string, id wit.TypeID, td *wit.TypeDef, l *canon.Layout) error {
	gt, err := p.goType(wit.TypeOf(id))
	if err != nil {
		return err
	}
	fmt.Fprintf(b, "func %s(p %s.Pointer) %s {\n", name, p.u(), gt)
	switch td.Kind {
	case wit.KindRecord, wit.KindTuple:
		types, names := p.fieldsOf(td)
		fmt.Fprintf(b, "\treturn %s{", gt)
		for k, ft := range types {
			e, err := p.load(ft, p.at("p", l.FieldOffsets[k]))
			if err != nil {
				return err
			}
			fmt.Fprintf(b, "\n\t\t%s: %s,", names[k], e)
		}
		b.WriteString("\n\t}\n}\n\n")
	case wit.KindFixedLengthList:
		el := l.Elem()
		e, err := p.load(td.Elem, fmt.Sprintf("%s.Add(p, uintptr(j)*%d)", p.u(), el.Size))
		if err != nil {
			return err
		}
		fmt.Fprintf(b, "\tvar a %s\n\tfor j := range a {\n\t\ta[j] = %s\n\t}\n\treturn a\n}\n\n", gt, e)
	case wit.KindVariant, wit.KindEnum, wit.KindOption, wit.KindResult:
		_, cs, err := p.cases(id, td)
		if err != nil {
			return err
		}
		fmt.Fprintf(b, "\tswitch %s {\n", p.deref(uintType(uint64(l.DiscriminantSize)), "p"))
		for k, c := range cs {
			fmt.Fprintf(b, "\tcase %d:\n", k)
			x := ""
			if c.payload != wit.NoneType {
				x, err = p.load(c.payload, p.at("p", l.PayloadOffset))
				if err != nil {
					return err
				}
			}
			fmt.Fprintf(b, "\t\treturn %s\n", c.make(x))
		}
		fmt.Fprintf(b, "\t}\n\tpanic(%q)\n}\n\n", "bindgen: the host passed an invalid case of "+kindName(td))
	default:
		return fmt.Errorf("cannot load %s", td.Kind)
	}
	return nil
}

// store returns statements storing Go value v of type t at address a.
func (p *goPkg) store(t wit.Type, v, a, pins string) (string, error) {
	t = p.g.r.Dealias(t)
	if t.IsPrimitive() {
		switch t {
		case wit.String:
			return fmt.Sprintf("{\n\tptr, n := %s.LowerString(%s, %s)\n\t%s = ptr\n\t%s = n\n}\n", p.cm(), pins, v, p.deref("uint32", a), p.deref("uint32", p.at(a, 4))), nil
		case wit.ErrorContext:
			return "", fmt.Errorf("error-context is not supported")
		case wit.Bool:
			return p.deref("bool", a) + " = " + v + "\n", nil
		}
		return p.deref(primGo[t], a) + " = " + v + "\n", nil
	}
	id, td := p.def(t)
	l, err := p.layout(t)
	if err != nil {
		return "", err
	}
	switch td.Kind {
	case wit.KindFlags, wit.KindEnum:
		u := uintType(l.Size)
		return p.deref(u, a) + " = " + u + "(" + v + ")\n", nil
	case wit.KindOwn, wit.KindBorrow:
		h, err := p.lowerHandle(td, v)
		if err != nil {
			return "", err
		}
		return p.deref("uint32", a) + " = " + h + "\n", nil
	case wit.KindList, wit.KindMap:
		fn, err := p.lowerListFn(id, td)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("{\n\tptr, n := %s(%s, %s)\n\t%s = ptr\n\t%s = n\n}\n", fn, v, pins, p.deref("uint32", a), p.deref("uint32", p.at(a, 4))), nil
	}
	name := fmt.Sprintf("store_T%d", id)
	if err := p.helper(name, func(b *strings.Builder) error { return p.genStore(b, name, id, td, l) }); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s(%s, %s, %s)\n", name, v, a, pins), nil
}

func (p *goPkg) genStore(b *strings.Builder, name string, id wit.TypeID, td *wit.TypeDef, l *canon.Layout) error {
	gt, err := p.goType(wit.TypeOf(id))
	if err != nil {
		return err
	}
	fmt.Fprintf(b, "func %s(v %s, p %s.Pointer, pins *%s.Pins) {\n", name, gt, p.u(), p.cm())
	switch td.Kind {
	case wit.KindRecord, wit.KindTuple:
		types, names := p.fieldsOf(td)
		for k, ft := range types {
			s, err := p.store(ft, "v."+names[k], p.at("p", l.FieldOffsets[k]), "pins")
			if err != nil {
				return err
			}
			b.WriteString(s)
		}
	case wit.KindFixedLengthList:
		s, err := p.store(td.Elem, "v[j]", fmt.Sprintf("%s.Add(p, uintptr(j)*%d)", p.u(), l.Elem().Size), "pins")
		if err != nil {
			return err
		}
		fmt.Fprintf(b, "for j := range v {\n%s}\n", s)
	case wit.KindVariant, wit.KindOption, wit.KindResult:
		kind, cs, err := p.cases(id, td)
		if err != nil {
			return err
		}
		disc := uintType(uint64(l.DiscriminantSize))
		fmt.Fprintf(b, "switch %s {\n", kind("v"))
		for k, c := range cs {
			fmt.Fprintf(b, "case %s:\n\t%s = %d\n", c.test, p.deref(disc, "p"), k)
			if c.payload != wit.NoneType {
				b.WriteString(c.get("v", "x"))
				s, err := p.store(c.payload, "x", p.at("p", l.PayloadOffset), "pins")
				if err != nil {
					return err
				}
				b.WriteString(s)
			}
		}
		b.WriteString("}\n")
	default:
		return fmt.Errorf("cannot store %s", td.Kind)
	}
	b.WriteString("}\n\n")
	return nil
}

// liftListFn returns the function lifting a list (or map) of type td from
// (ptr, len).
func (p *goPkg) liftListFn(id wit.TypeID, td *wit.TypeDef) (string, error) {
	if td.Kind == wit.KindList && plainScalar(p.g.r.Dealias(td.Elem)) {
		et, err := p.goType(td.Elem)
		if err != nil {
			return "", err
		}
		return p.cm() + ".LiftList[" + et + "]", nil
	}
	name := fmt.Sprintf("liftList_T%d", id)
	err := p.helper(name, func(b *strings.Builder) error {
		gt, err := p.goType(wit.TypeOf(id))
		if err != nil {
			return err
		}
		l, err := p.layout(wit.TypeOf(id))
		if err != nil {
			return err
		}
		el := l.Elem()
		cm, u := p.cm(), p.u()
		fmt.Fprintf(b, "func %s(ptr, n uint32) %s {\n\tif n == 0 {\n\t\treturn nil\n\t}\n\t%s.CheckLen(%q, n, %d)\n\tp := %s.PtrOf(ptr)\n", name, gt, cm, kindName(td), el.Size, cm)
		elemAt := fmt.Sprintf("%s.Add(p, uintptr(j)*%d)", u, el.Size)
		if td.Kind == wit.KindMap {
			k, err := p.load(td.Key, "e")
			if err != nil {
				return err
			}
			v, err := p.load(td.Elem, p.at("e", el.FieldOffsets[1]))
			if err != nil {
				return err
			}
			fmt.Fprintf(b, "\tm := make(%s, n)\n\tfor j := 0; j < int(n); j++ {\n\t\te := %s\n\t\tm[%s] = %s\n\t}\n\treturn m\n}\n\n", gt, elemAt, k, v)
			return nil
		}
		e, err := p.load(td.Elem, elemAt)
		if err != nil {
			return err
		}
		fmt.Fprintf(b, "\ts := make(%s, n)\n\tfor j := range s {\n\t\ts[j] = %s\n\t}\n\treturn s\n}\n\n", gt, e)
		return nil
	})
	return name, err
}

// lowerListFn returns the function lowering a list (or map) of type td to
// (ptr, len), pinning what it points at.
func (p *goPkg) lowerListFn(id wit.TypeID, td *wit.TypeDef) (string, error) {
	if td.Kind == wit.KindList && plainScalar(p.g.r.Dealias(td.Elem)) {
		et, err := p.goType(td.Elem)
		if err != nil {
			return "", err
		}
		return p.cm() + ".LowerList[" + et + "]", nil
	}
	name := fmt.Sprintf("lowerList_T%d", id)
	err := p.helper(name, func(b *strings.Builder) error {
		gt, err := p.goType(wit.TypeOf(id))
		if err != nil {
			return err
		}
		l, err := p.layout(wit.TypeOf(id))
		if err != nil {
			return err
		}
		el := l.Elem()
		cm, u := p.cm(), p.u()
		fmt.Fprintf(b, "func %s(v %s, pins *%s.Pins) (uint32, uint32) {\n\tif len(v) == 0 {\n\t\treturn 0, 0\n\t}\n\tp, addr := pins.AllocAddr(uintptr(len(v)) * %d)\n", name, gt, cm, el.Size)
		elemAt := fmt.Sprintf("%s.Add(p, uintptr(j)*%d)", u, el.Size)
		if td.Kind == wit.KindMap {
			ks, err := p.store(td.Key, "k", "e", "pins")
			if err != nil {
				return err
			}
			vs, err := p.store(td.Elem, "x", p.at("e", el.FieldOffsets[1]), "pins")
			if err != nil {
				return err
			}
			fmt.Fprintf(b, "\tj := 0\n\tfor k, x := range v {\n\t\te := %s\n%s%s\t\tj++\n\t}\n\treturn addr, uint32(len(v))\n}\n\n", elemAt, ks, vs)
			return nil
		}
		s, err := p.store(td.Elem, "v[j]", elemAt, "pins")
		if err != nil {
			return err
		}
		fmt.Fprintf(b, "\tfor j := range v {\n%s\t}\n\treturn addr, uint32(len(v))\n}\n\n", s)
		return nil
	})
	return name, err
}
