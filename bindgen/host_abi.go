package bindgen

import (
	"fmt"
	"strings"

	"github.com/wasmcm/wasmcm/wit"
)

// The host side of the canonical ABI, emitted as Go. Generated code moves
// values between Go and the guest's memory through hostcm.Lift and
// hostcm.Lower (l and w in the helpers), which bounds-check every access
// and keep the first error: lifts compose as expressions and the caller
// checks the error once. Flat values travel as the uint64 slots of a
// wazero stack, a payload in the low bits of its slot, as in the guest
// bindings. Helpers are per package and named after the TypeDef id:
// hlift_T (flat), hlower_T, hload_T (memory), hstore_T, hliftList_T,
// hlowerList_T.

// handleExpr is the LiftR/LowerR function of the resource of handle td.
func (p *goPkg) handleFn(td *wit.TypeDef, lift bool) (string, error) {
	rid := p.g.r.DealiasID(td.Resource)
	rdef := p.g.r.Types[rid]
	q := p.g.ownerPkg(rdef, p)
	if q == nil || q.members[rid] == nil {
		return "", fmt.Errorf("resource %s has no owner", rdef.Name)
	}
	if lift {
		return p.qualify(q) + q.members[rid].lift, nil
	}
	return p.qualify(q) + q.members[rid].lower, nil
}

// hLiftFlat returns an expression lifting t from f[i:].
func (p *goPkg) hLiftFlat(t wit.Type, f string, i int) (string, error) {
	t = p.g.r.Dealias(t)
	x := fmt.Sprintf("%s[%d]", f, i)
	if t.IsPrimitive() {
		switch t {
		case wit.Bool:
			return "l.Bool(" + x + ")", nil
		case wit.U64:
			return x, nil
		case wit.F32:
			return "l.F32(" + x + ")", nil
		case wit.F64:
			return "l.F64(" + x + ")", nil
		case wit.Char:
			return "l.Char(" + x + ")", nil
		case wit.String:
			return fmt.Sprintf("l.String(%s[%d], %s[%d])", f, i, f, i+1), nil
		case wit.ErrorContext:
			return "", fmt.Errorf("error-context is not supported by the Go host bindings")
		}
		return primGo[t] + "(" + x + ")", nil
	}
	id, td := p.def(t)
	switch td.Kind {
	case wit.KindEnum:
		gt, err := p.goType(t)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s(l.Disc(%q, %s, %d))", gt, kindName(td), x, len(td.Enum)), nil
	case wit.KindFlags:
		gt, err := p.goType(t)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s(l.Flags(%s, %d))", gt, x, len(td.Flags)), nil
	case wit.KindOwn, wit.KindBorrow:
		fn, err := p.handleFn(td, true)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s(l, %s, %v)", fn, x, td.Kind == wit.KindOwn), nil
	case wit.KindList, wit.KindMap:
		fn, err := p.hLiftListFn(id, td)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s(l, %s[%d], %s[%d])", fn, f, i, f, i+1), nil
	case wit.KindFuture, wit.KindStream:
		return "", fmt.Errorf("%s types are not supported by the Go host bindings (they need the async ABI)", td.Kind)
	}
	n, err := p.flatCount(t)
	if err != nil {
		return "", err
	}
	name := fmt.Sprintf("hlift_T%d", id)
	if err := p.helper(name, func(b *strings.Builder) error { return p.genHLift(b, name, id, td) }); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s(l, %s[%d:%d])", name, f, i, i+n), nil
}

func (p *goPkg) genHLift(b *strings.Builder, name string, id wit.TypeID, td *wit.TypeDef) error {
	gt, err := p.goType(wit.TypeOf(id))
	if err != nil {
		return err
	}
	fmt.Fprintf(b, "func %s(l *%s.Lift, f []uint64) %s {\n", name, p.cm(), gt)
	switch td.Kind {
	case wit.KindRecord, wit.KindTuple:
		types, names := p.fieldsOf(td)
		fmt.Fprintf(b, "\treturn %s{", gt)
		off := 0
		for k, ft := range types {
			e, err := p.hLiftFlat(ft, "f", off)
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
			e, err := p.hLiftFlat(td.Elem, "f", k*n)
			if err != nil {
				return err
			}
			fmt.Fprintf(b, "\ta[%d] = %s\n", k, e)
		}
		b.WriteString("\treturn a\n}\n\n")
	case wit.KindVariant, wit.KindOption, wit.KindResult:
		_, cs, err := p.cases(id, td)
		if err != nil {
			return err
		}
		fmt.Fprintf(b, "\tswitch l.Disc(%q, f[0], %d) {\n", kindName(td), len(cs))
		for k, c := range cs {
			fmt.Fprintf(b, "\tcase %d:\n", k)
			x := ""
			if c.payload != wit.NoneType {
				x, err = p.hLiftFlat(c.payload, "f", 1)
				if err != nil {
					return err
				}
			}
			fmt.Fprintf(b, "\t\treturn %s\n", c.make(x))
		}
		fmt.Fprintf(b, "\t}\n\tvar zero %s\n\treturn zero\n}\n\n", gt)
	default:
		return fmt.Errorf("cannot lift %s", td.Kind)
	}
	return nil
}

// hLowerFlat returns statements lowering Go value v of type t to f[i:].
func (p *goPkg) hLowerFlat(t wit.Type, v, f string, i int) (string, error) {
	t = p.g.r.Dealias(t)
	dst := fmt.Sprintf("%s[%d]", f, i)
	if t.IsPrimitive() {
		switch t {
		case wit.Bool:
			return dst + " = w.Bool(" + v + ")\n", nil
		case wit.U64:
			return dst + " = " + v + "\n", nil
		case wit.S8, wit.S16, wit.S32:
			return dst + " = uint64(uint32(int32(" + v + ")))\n", nil
		case wit.F32:
			return dst + " = w.F32(" + v + ")\n", nil
		case wit.F64:
			return dst + " = w.F64(" + v + ")\n", nil
		case wit.Char:
			return dst + " = w.Char(" + v + ")\n", nil
		case wit.String:
			return fmt.Sprintf("%s[%d], %s[%d] = w.String(%s)\n", f, i, f, i+1, v), nil
		case wit.ErrorContext:
			return "", fmt.Errorf("error-context is not supported by the Go host bindings")
		}
		return dst + " = uint64(" + v + ")\n", nil
	}
	id, td := p.def(t)
	switch td.Kind {
	case wit.KindFlags, wit.KindEnum:
		return dst + " = uint64(" + v + ")\n", nil
	case wit.KindOwn, wit.KindBorrow:
		fn, err := p.handleFn(td, false)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s = %s(w, %s, %v)\n", dst, fn, v, td.Kind == wit.KindOwn), nil
	case wit.KindList, wit.KindMap:
		fn, err := p.hLowerListFn(id, td)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s[%d], %s[%d] = %s(w, %s)\n", f, i, f, i+1, fn, v), nil
	case wit.KindFuture, wit.KindStream:
		return "", fmt.Errorf("%s types are not supported by the Go host bindings (they need the async ABI)", td.Kind)
	}
	n, err := p.flatCount(t)
	if err != nil {
		return "", err
	}
	name := fmt.Sprintf("hlower_T%d", id)
	if err := p.helper(name, func(b *strings.Builder) error { return p.genHLower(b, name, id, td) }); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s(w, %s, %s[%d:%d])\n", name, v, f, i, i+n), nil
}

func (p *goPkg) genHLower(b *strings.Builder, name string, id wit.TypeID, td *wit.TypeDef) error {
	gt, err := p.goType(wit.TypeOf(id))
	if err != nil {
		return err
	}
	fmt.Fprintf(b, "func %s(w *%s.Lower, v %s, f []uint64) {\n", name, p.cm(), gt)
	switch td.Kind {
	case wit.KindRecord, wit.KindTuple:
		types, names := p.fieldsOf(td)
		off := 0
		for k, ft := range types {
			s, err := p.hLowerFlat(ft, "v."+names[k], "f", off)
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
			s, err := p.hLowerFlat(td.Elem, fmt.Sprintf("v[%d]", k), "f", k*n)
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
		// Slots a case does not use must be zero.
		fmt.Fprintf(b, "clear(f)\nswitch %s {\n", kind("v"))
		for k, c := range cs {
			fmt.Fprintf(b, "case %s:\n\tf[0] = %d\n", c.test, k)
			if c.payload != wit.NoneType {
				b.WriteString(c.get("v", "x"))
				s, err := p.hLowerFlat(c.payload, "x", "f", 1)
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

// addr spells the address a+off.
func addr(a string, off uint64) string {
	if off == 0 {
		return a
	}
	return fmt.Sprintf("%s+%d", a, off)
}

// hLoad returns an expression loading t from address expression a.
func (p *goPkg) hLoad(t wit.Type, a string) (string, error) {
	t = p.g.r.Dealias(t)
	if t.IsPrimitive() {
		switch t {
		case wit.Bool:
			return "(l.U8(" + a + ") != 0)", nil
		case wit.U8:
			return "l.U8(" + a + ")", nil
		case wit.S8:
			return "int8(l.U8(" + a + "))", nil
		case wit.U16:
			return "l.U16(" + a + ")", nil
		case wit.S16:
			return "int16(l.U16(" + a + "))", nil
		case wit.U32:
			return "l.U32(" + a + ")", nil
		case wit.S32:
			return "int32(l.U32(" + a + "))", nil
		case wit.U64:
			return "l.U64(" + a + ")", nil
		case wit.S64:
			return "int64(l.U64(" + a + "))", nil
		case wit.F32:
			return "l.F32(uint64(l.U32(" + a + ")))", nil
		case wit.F64:
			return "l.F64(l.U64(" + a + "))", nil
		case wit.Char:
			return "l.Char(uint64(l.U32(" + a + ")))", nil
		case wit.String:
			return "l.LoadString(" + a + ")", nil
		}
		return "", fmt.Errorf("%s is not supported by the Go host bindings", t.PrimitiveName())
	}
	id, td := p.def(t)
	l, err := p.layout(t)
	if err != nil {
		return "", err
	}
	load := func(size uint64) string {
		switch size {
		case 1:
			return "uint64(l.U8(" + a + "))"
		case 2:
			return "uint64(l.U16(" + a + "))"
		}
		return "uint64(l.U32(" + a + "))"
	}
	switch td.Kind {
	case wit.KindEnum:
		gt, err := p.goType(t)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s(l.Disc(%q, %s, %d))", gt, kindName(td), load(l.Size), len(td.Enum)), nil
	case wit.KindFlags:
		gt, err := p.goType(t)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s(l.Flags(%s, %d))", gt, load(l.Size), len(td.Flags)), nil
	case wit.KindOwn, wit.KindBorrow:
		fn, err := p.handleFn(td, true)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s(l, uint64(l.U32(%s)), %v)", fn, a, td.Kind == wit.KindOwn), nil
	case wit.KindList, wit.KindMap:
		fn, err := p.hLiftListFn(id, td)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s(l, uint64(l.U32(%s)), uint64(l.U32(%s)))", fn, a, addr(a, 4)), nil
	case wit.KindFuture, wit.KindStream:
		return "", fmt.Errorf("%s types are not supported by the Go host bindings (they need the async ABI)", td.Kind)
	}
	name := fmt.Sprintf("hload_T%d", id)
	if err := p.helper(name, func(b *strings.Builder) error { return p.genHLoad(b, name, id, td) }); err != nil {
		return "", err
	}
	return name + "(l, " + a + ")", nil
}

func (p *goPkg) genHLoad(b *strings.Builder, name string, id wit.TypeID, td *wit.TypeDef) error {
	gt, err := p.goType(wit.TypeOf(id))
	if err != nil {
		return err
	}
	l, err := p.layout(wit.TypeOf(id))
	if err != nil {
		return err
	}
	fmt.Fprintf(b, "func %s(l *%s.Lift, a uint64) %s {\n", name, p.cm(), gt)
	switch td.Kind {
	case wit.KindRecord, wit.KindTuple:
		types, names := p.fieldsOf(td)
		fmt.Fprintf(b, "\treturn %s{", gt)
		for k, ft := range types {
			e, err := p.hLoad(ft, addr("a", l.FieldOffsets[k]))
			if err != nil {
				return err
			}
			fmt.Fprintf(b, "\n\t\t%s: %s,", names[k], e)
		}
		b.WriteString("\n\t}\n}\n\n")
	case wit.KindFixedLengthList:
		e, err := p.hLoad(td.Elem, fmt.Sprintf("a+uint64(j)*%d", l.Elem().Size))
		if err != nil {
			return err
		}
		fmt.Fprintf(b, "\tvar v %s\n\tfor j := range v {\n\t\tv[j] = %s\n\t}\n\treturn v\n}\n\n", gt, e)
	case wit.KindVariant, wit.KindOption, wit.KindResult:
		_, cs, err := p.cases(id, td)
		if err != nil {
			return err
		}
		d := "uint64(l.U32(a))"
		switch l.DiscriminantSize {
		case 1:
			d = "uint64(l.U8(a))"
		case 2:
			d = "uint64(l.U16(a))"
		}
		fmt.Fprintf(b, "\tswitch l.Disc(%q, %s, %d) {\n", kindName(td), d, len(cs))
		for k, c := range cs {
			fmt.Fprintf(b, "\tcase %d:\n", k)
			x := ""
			if c.payload != wit.NoneType {
				x, err = p.hLoad(c.payload, addr("a", l.PayloadOffset))
				if err != nil {
					return err
				}
			}
			fmt.Fprintf(b, "\t\treturn %s\n", c.make(x))
		}
		fmt.Fprintf(b, "\t}\n\tvar zero %s\n\treturn zero\n}\n\n", gt)
	default:
		return fmt.Errorf("cannot load %s", td.Kind)
	}
	return nil
}

// hStore returns statements storing Go value v of type t at address
// expression a.
func (p *goPkg) hStore(t wit.Type, v, a string) (string, error) {
	t = p.g.r.Dealias(t)
	if t.IsPrimitive() {
		switch t {
		case wit.Bool:
			return "w.PutU8(" + a + ", uint8(w.Bool(" + v + ")))\n", nil
		case wit.U8:
			return "w.PutU8(" + a + ", " + v + ")\n", nil
		case wit.S8:
			return "w.PutU8(" + a + ", uint8(" + v + "))\n", nil
		case wit.U16:
			return "w.PutU16(" + a + ", " + v + ")\n", nil
		case wit.S16:
			return "w.PutU16(" + a + ", uint16(" + v + "))\n", nil
		case wit.U32:
			return "w.PutU32(" + a + ", " + v + ")\n", nil
		case wit.S32:
			return "w.PutU32(" + a + ", uint32(" + v + "))\n", nil
		case wit.U64:
			return "w.PutU64(" + a + ", " + v + ")\n", nil
		case wit.S64:
			return "w.PutU64(" + a + ", uint64(" + v + "))\n", nil
		case wit.F32:
			return "w.PutU32(" + a + ", uint32(w.F32(" + v + ")))\n", nil
		case wit.F64:
			return "w.PutU64(" + a + ", w.F64(" + v + "))\n", nil
		case wit.Char:
			return "w.PutU32(" + a + ", uint32(w.Char(" + v + ")))\n", nil
		case wit.String:
			return "w.PutString(" + a + ", " + v + ")\n", nil
		}
		return "", fmt.Errorf("%s is not supported by the Go host bindings", t.PrimitiveName())
	}
	id, td := p.def(t)
	l, err := p.layout(t)
	if err != nil {
		return "", err
	}
	put := func(size uint64, x string) string {
		switch size {
		case 1:
			return "w.PutU8(" + a + ", uint8(" + x + "))\n"
		case 2:
			return "w.PutU16(" + a + ", uint16(" + x + "))\n"
		}
		return "w.PutU32(" + a + ", uint32(" + x + "))\n"
	}
	switch td.Kind {
	case wit.KindFlags, wit.KindEnum:
		return put(l.Size, v), nil
	case wit.KindOwn, wit.KindBorrow:
		fn, err := p.handleFn(td, false)
		if err != nil {
			return "", err
		}
		return put(4, fmt.Sprintf("%s(w, %s, %v)", fn, v, td.Kind == wit.KindOwn)), nil
	case wit.KindList, wit.KindMap:
		fn, err := p.hLowerListFn(id, td)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("{\n\tptr, n := %s(w, %s)\n\tw.PutU32(%s, uint32(ptr))\n\tw.PutU32(%s, uint32(n))\n}\n", fn, v, a, addr(a, 4)), nil
	case wit.KindFuture, wit.KindStream:
		return "", fmt.Errorf("%s types are not supported by the Go host bindings (they need the async ABI)", td.Kind)
	}
	name := fmt.Sprintf("hstore_T%d", id)
	if err := p.helper(name, func(b *strings.Builder) error { return p.genHStore(b, name, id, td) }); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s(w, %s, %s)\n", name, v, a), nil
}

func (p *goPkg) genHStore(b *strings.Builder, name string, id wit.TypeID, td *wit.TypeDef) error {
	gt, err := p.goType(wit.TypeOf(id))
	if err != nil {
		return err
	}
	l, err := p.layout(wit.TypeOf(id))
	if err != nil {
		return err
	}
	fmt.Fprintf(b, "func %s(w *%s.Lower, v %s, a uint64) {\n", name, p.cm(), gt)
	switch td.Kind {
	case wit.KindRecord, wit.KindTuple:
		types, names := p.fieldsOf(td)
		for k, ft := range types {
			s, err := p.hStore(ft, "v."+names[k], addr("a", l.FieldOffsets[k]))
			if err != nil {
				return err
			}
			b.WriteString(s)
		}
	case wit.KindFixedLengthList:
		s, err := p.hStore(td.Elem, "v[j]", fmt.Sprintf("a+uint64(j)*%d", l.Elem().Size))
		if err != nil {
			return err
		}
		fmt.Fprintf(b, "for j := range v {\n%s}\n", s)
	case wit.KindVariant, wit.KindOption, wit.KindResult:
		kind, cs, err := p.cases(id, td)
		if err != nil {
			return err
		}
		put := "w.PutU32(a, %d)\n"
		switch l.DiscriminantSize {
		case 1:
			put = "w.PutU8(a, %d)\n"
		case 2:
			put = "w.PutU16(a, %d)\n"
		}
		fmt.Fprintf(b, "switch %s {\n", kind("v"))
		for k, c := range cs {
			fmt.Fprintf(b, "case %s:\n\t"+put, c.test, k)
			if c.payload != wit.NoneType {
				b.WriteString(c.get("v", "x"))
				s, err := p.hStore(c.payload, "x", addr("a", l.PayloadOffset))
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

// hLiftListFn returns the function lifting a list (or map) of type td from
// (ptr, len).
func (p *goPkg) hLiftListFn(id wit.TypeID, td *wit.TypeDef) (string, error) {
	if td.Kind == wit.KindList && plainScalar(p.g.r.Dealias(td.Elem)) && p.g.r.Dealias(td.Elem) != wit.Char {
		et, err := p.goType(td.Elem)
		if err != nil {
			return "", err
		}
		return p.cm() + ".LiftList[" + et + "]", nil
	}
	name := fmt.Sprintf("hliftList_T%d", id)
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
		fmt.Fprintf(b, "func %s(l *%s.Lift, ptr, n uint64) %s {\n\tif !l.ListRegion(ptr, n, %d, %d) {\n\t\treturn nil\n\t}\n\tbase, n := ptr&0xffffffff, n&0xffffffff\n", name, p.cm(), gt, el.Size, el.Align)
		elemAt := fmt.Sprintf("base+uint64(j)*%d", el.Size)
		if td.Kind == wit.KindMap {
			k, err := p.hLoad(td.Key, "e")
			if err != nil {
				return err
			}
			v, err := p.hLoad(td.Elem, addr("e", el.FieldOffsets[1]))
			if err != nil {
				return err
			}
			fmt.Fprintf(b, "\tm := make(%s, n)\n\tfor j := uint64(0); j < n && l.Err() == nil; j++ {\n\t\te := %s\n\t\tm[%s] = %s\n\t}\n\treturn m\n}\n\n", gt, elemAt, k, v)
			return nil
		}
		e, err := p.hLoad(td.Elem, elemAt)
		if err != nil {
			return err
		}
		fmt.Fprintf(b, "\ts := make(%s, n)\n\tfor j := range s {\n\t\ts[j] = %s\n\t\tif l.Err() != nil {\n\t\t\treturn nil\n\t\t}\n\t}\n\treturn s\n}\n\n", gt, e)
		return nil
	})
	return name, err
}

// hLowerListFn returns the function lowering a list (or map) of type td to
// (ptr, len).
func (p *goPkg) hLowerListFn(id wit.TypeID, td *wit.TypeDef) (string, error) {
	if td.Kind == wit.KindList && plainScalar(p.g.r.Dealias(td.Elem)) && p.g.r.Dealias(td.Elem) != wit.Char {
		return p.cm() + ".LowerList", nil
	}
	name := fmt.Sprintf("hlowerList_T%d", id)
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
		fmt.Fprintf(b, "func %s(w *%s.Lower, v %s) (uint64, uint64) {\n\tbase := w.ListAlloc(len(v), %d, %d)\n", name, p.cm(), gt, el.Size, el.Align)
		elemAt := fmt.Sprintf("base+uint64(j)*%d", el.Size)
		if td.Kind == wit.KindMap {
			ks, err := p.hStore(td.Key, "k", "e")
			if err != nil {
				return err
			}
			vs, err := p.hStore(td.Elem, "x", addr("e", el.FieldOffsets[1]))
			if err != nil {
				return err
			}
			fmt.Fprintf(b, "\tj := 0\n\tfor k, x := range v {\n\t\te := %s\n%s%s\t\tj++\n\t}\n\treturn base, uint64(len(v))\n}\n\n", elemAt, ks, vs)
			return nil
		}
		s, err := p.hStore(td.Elem, "v[j]", elemAt)
		if err != nil {
			return err
		}
		fmt.Fprintf(b, "\tfor j := range v {\n%s\t\tif w.Err() != nil {\n\t\t\tbreak\n\t\t}\n\t}\n\treturn base, uint64(len(v))\n}\n\n", s)
		return nil
	})
	return name, err
}
