package bindgen

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/wit"
)

func (p *goPkg) ctxt() string { return p.use("context", "context") }
func (p *goPkg) canonPkg() string {
	return p.use("github.com/wasmcm/wasmcm/canon", "canon")
}
func (p *goPkg) rtPkg() string { return p.use("github.com/wasmcm/wasmcm/runtime", "runtime") }

// hostSig returns f's signature in host bindings: a context first and an
// error last (the WIT error of a result, or a call's failure).
func (p *goPkg) hostSig(f *wit.Function) (s *sig, params, results string, err error) {
	s, err = p.sigOf(f)
	if err != nil {
		return nil, "", "", err
	}
	params = "ctx " + p.ctxt() + ".Context"
	if s.decl != "" {
		params += ", " + s.decl
	}
	switch s.mode {
	case resNone:
		results = "error"
	case resPlain:
		results = "(" + s.results + ", error)"
	default:
		results = s.results
	}
	return s, params, results, nil
}

// paramsFlat says how f's parameters travel: their flat offsets and
// count, or spilled to memory.
func (p *goPkg) paramsFlat(s *sig) (offsets []int, total int, spilled bool, err error) {
	offsets, total, err = p.paramFlat(s.types)
	return offsets, total, total > canon.MaxFlatParams, err
}

// genHostResource declares a resource in host bindings: a Go interface the
// program implements for the world's imports, a handle type with methods
// for its exports, and the lifting and lowering of both.
func (p *goPkg) genHostResource(id wit.TypeID, td *wit.TypeDef, name string, m *members, doc string) error {
	b := &p.decls
	cm := p.cm()
	k := p.index()
	j := p.g.resIndex(id)
	if !p.export {
		b.WriteString(doc)
		fmt.Fprintf(b, "//\n// The host implements it. When the guest drops its last handle to a value,\n// the value's Close method runs if it has one (Close(context.Context) error,\n// or io.Closer).\ntype %s interface {\n", name)
		for _, f := range p.ownFuncs() {
			if !isMethod(f) || p.g.r.DealiasID(f.Resource) != id {
				continue
			}
			_, params, results, err := p.hostSig(f)
			if err != nil {
				return fmt.Errorf("method %s: %w", f.Name, err)
			}
			b.WriteString(indent(docComment(f.Docs, "")))
			fmt.Fprintf(b, "\t%s(%s) %s\n", p.funcNames[f], params, results)
		}
		b.WriteString("}\n\n")
		fmt.Fprintf(b, "// %s lifts a handle of %s from the guest; for generated bindings.\n", m.lift, td.Name)
		fmt.Fprintf(b, "func %s(l *%s.Lift, h uint64, own bool) %s {\n\tst, _ := l.S.Pkgs[%d].(*%s)\n\tif st == nil {\n\t\tl.Fail(errNotBound_)\n\t\treturn nil\n\t}\n\treturn %s.LiftResource(l, &st.t_%s, %q, %d, h, own)\n}\n\n",
			m.lift, cm, name, k, p.stateType(), cm, name, td.Name, j)
		fmt.Fprintf(b, "// %s lowers v into the guest as a handle of %s; for generated bindings.\n", m.lower, td.Name)
		fmt.Fprintf(b, "func %s(w *%s.Lower, v %s, own bool) uint64 {\n\tst, _ := w.S.Pkgs[%d].(*%s)\n\tif st == nil {\n\t\tw.Fail(errNotBound_)\n\t\treturn 0\n\t}\n\treturn %s.LowerResource(w, &st.t_%s, %q, %d, v, own)\n}\n\n",
			m.lower, cm, name, k, p.stateType(), cm, name, td.Name, j)
		return nil
	}
	b.WriteString(doc)
	fmt.Fprintf(b, "//\n// The component implements it; a *%s is a handle the host holds. Close\n// drops an owned handle; passing it to the guest as owned moves it there.\ntype %s struct {\n\te *Exports\n\th %s.Handle\n}\n\n", name, name, cm)
	fmt.Fprintf(b, "// %s lifts a handle of %s from the guest; for generated bindings.\n", m.lift, td.Name)
	fmt.Fprintf(b, "func %s(l *%s.Lift, h uint64, own bool) *%s {\n\te, _ := l.S.Pkgs[%d].(*Exports)\n\tif e == nil {\n\t\tl.Fail(errNotBound_)\n\t\treturn nil\n\t}\n\treturn &%s{e: e, h: %s.LiftHandle(l, %d, h, own)}\n}\n\n", m.lift, cm, name, k, name, cm, j)
	fmt.Fprintf(b, "// %s lowers v into the guest as a handle of %s; for generated bindings.\n", m.lower, td.Name)
	fmt.Fprintf(b, "func %s(w *%s.Lower, v *%s, own bool) uint64 {\n\tif v == nil {\n\t\tw.Fail(%s.New(%q))\n\t\treturn 0\n\t}\n\treturn %s.LowerHandle(w, &v.h, %q, own)\n}\n\n",
		m.lower, cm, name, p.use("errors", "errors"), "bindgen: a nil "+td.Name+" cannot be passed to the guest", cm, td.Name)
	fmt.Fprintf(b, "// Close drops the handle when the host owns it, running the resource's\n// destructor in the component; a borrowed or moved handle is only\n// forgotten. Further use of r fails.\nfunc (r *%s) Close(ctx %s.Context) error {\n\tif r == nil {\n\t\treturn nil\n\t}\n\treturn r.h.Close(ctx)\n}\n\n", name, p.ctxt())
	return nil
}

// genHostExports writes an exported interface's Exports: the typed calls
// of its functions.
func (p *goPkg) genHostExports() error {
	g := p.g
	b := &p.funcs
	funcs := g.r.Interfaces[p.iface].Functions
	if err := p.genExportsType(b, "Exports", funcs, p.moduleName()); err != nil {
		return err
	}
	item := p.g.exportItem(p.iface)
	k := p.index()
	fmt.Fprintf(b, "// NewExports resolves the functions of %s in the instance of s, whose\n// component exports it as name; for generated bindings.\n", p.moduleName())
	fmt.Fprintf(b, "func NewExports(s *%s.Instance, w *%s.World, item int, name string) (*Exports, error) {\n\te := &Exports{s: s}\n\ts.Pkgs[%d] = e\n\t_ = item\n", p.cm(), p.cm(), k)
	if err := p.bindFuncs(b, "e", funcs, func(fi int, f *wit.Function) string {
		return fmt.Sprintf("name+%q, &w.Exports[item].Funcs[%d]", "#"+f.Name, fi)
	}); err != nil {
		return err
	}
	b.WriteString("\treturn e, nil\n}\n\n")
	_ = item
	p.notBound()
	return nil
}

func (p *goPkg) notBound() {
	fmt.Fprintf(&p.funcs, "var errNotBound_ = %s.New(%q)\n\n", p.use("errors", "errors"), "bindgen: "+p.path+" is not bound to this instance (an interface the WASI host serves, or a bug)")
}

// exportItem is the index of interface id among the world's export items.
func (g *generator) exportItem(id wit.InterfaceID) int {
	for i, it := range g.hostItems(g.w.Exports, true) {
		if it.iface && it.id == id {
			return i
		}
	}
	return -1
}

// bindFuncs writes the lookups of funcs' runtime functions into recv's
// fields; args gives BindFunc's arguments after s and the World.
func (p *goPkg) bindFuncs(b *bytes.Buffer, recv string, funcs []*wit.Function, args func(int, *wit.Function) string) error {
	for fi, f := range funcs {
		wn := p.wasmName("", f)
		fmt.Fprintf(b, "\tif f, err := %s.BindFunc(%s.s, w, %s); err != nil {\n\t\treturn nil, err\n\t} else {\n\t\t%s.f_%s = f\n\t}\n\t%s.c_%s.s = %s.s\n", p.cm(), recv, args(fi, f), recv, wn, recv, wn, recv)
		if p.allNumbers(f) {
			fmt.Fprintf(b, "\t%s.c_%s.flat = %s.f_%s.Flat()\n", recv, wn, recv, wn)
		}
	}
	return nil
}

// genExportsType declares the struct recvType holding the functions and
// call states of funcs, and their typed calls.
func (p *goPkg) genExportsType(b *bytes.Buffer, recvType string, funcs []*wit.Function, what string) error {
	var fields strings.Builder
	for _, f := range funcs {
		wn := p.wasmName("", f)
		fmt.Fprintf(&fields, "\tf_%s *%s.Func\n\tc_%s call_%s\n", wn, p.rtPkg(), wn, wn)
	}
	if recvType == "Exports" {
		fmt.Fprintf(b, "// Exports calls the functions the component exports for %s. Calls\n// must not run concurrently (an instance runs one call at a time).\n", what)
	} else {
		fmt.Fprintf(b, "// %s calls the functions the component exports at the world's level.\n", recvType)
	}
	fmt.Fprintf(b, "type %s struct {\n\ts *%s.Instance\n%s}\n\n", recvType, p.cm(), fields.String())
	for _, f := range funcs {
		if err := p.genHostCall(b, f, recvType); err != nil {
			return p.funcErr(f, err)
		}
	}
	return nil
}

// genHostCall writes the typed call of exported function f: its call
// state (arguments and result, kept in the receiver so that a call
// allocates nothing), the lowering and lifting, and the method.
func (p *goPkg) genHostCall(b *bytes.Buffer, f *wit.Function, recvType string) error {
	g := p.g
	s, params, results, err := p.hostSig(f)
	if err != nil {
		return err
	}
	offsets, total, spilled, err := p.paramsFlat(s)
	if err != nil {
		return err
	}
	wn := p.wasmName("", f)
	ct := "call_" + wn
	cm, cn := p.cm(), p.canonPkg()
	fmt.Fprintf(b, "type %s struct {\n\ts *%s.Instance\n", ct, cm)
	for i, t := range s.types {
		gt, err := p.goType(t)
		if err != nil {
			return err
		}
		fmt.Fprintf(b, "\ta%d %s\n", i, gt)
	}
	var rt string
	if f.Result != wit.NoneType {
		if rt, err = p.goType(f.Result); err != nil {
			return err
		}
		fmt.Fprintf(b, "\tr %s\n", rt)
	}
	numeric := p.allNumbers(f)
	if numeric {
		// Numbers only: Func.CallFlat when the runtime allows it.
		fmt.Fprintf(b, "\tflat bool\n\tst   [%d]uint64\n", max(len(s.types), 1))
	}
	b.WriteString("}\n\n")

	// LowerParams.
	fmt.Fprintf(b, "func (c *%s) LowerParams(ctx %s.Context, cx *%s.LiftLowerContext, f []uint64) error {\n", ct, p.ctxt(), cn)
	if len(s.types) > 0 {
		var body strings.Builder
		if spilled {
			l, err := g.abi.TupleLayout(s.types)
			if err != nil {
				return err
			}
			fmt.Fprintf(&body, "a := w.Alloc(%d, %d)\n", l.Align, l.Size)
			for i, t := range s.types {
				st, err := p.store(t, fmt.Sprintf("c.a%d", i), p.d.at("a", l.FieldOffsets[i]), "w")
				if err != nil {
					return err
				}
				body.WriteString(st)
			}
			body.WriteString("f[0] = a\n")
		} else {
			if total > 0 {
				body.WriteString("clear(f)\n")
			}
			for i, t := range s.types {
				st, err := p.lowerFlat(t, fmt.Sprintf("c.a%d", i), "f", offsets[i], "w")
				if err != nil {
					return err
				}
				body.WriteString(st)
			}
		}
		if usesName(body.String(), "w") {
			fmt.Fprintf(b, "\tw := c.s.Lower(ctx, cx)\n%s\treturn w.Err()\n}\n\n", indent(body.String()))
		} else {
			// Numbers need no lowering state.
			fmt.Fprintf(b, "%s\treturn nil\n}\n\n", indent(body.String()))
		}
	} else {
		b.WriteString("\treturn nil\n}\n\n")
	}

	// LiftResults.
	fmt.Fprintf(b, "func (c *%s) LiftResults(cx *%s.LiftLowerContext, f []uint64) error {\n", ct, cn)
	if f.Result != wit.NoneType {
		n, err := p.flatCount(f.Result)
		if err != nil {
			return err
		}
		var e string
		if n <= canon.MaxFlatResults {
			e, err = p.liftFlat(f.Result, "f", 0)
		} else {
			var l *canon.Layout
			if l, err = p.layout(f.Result); err == nil {
				e, err = p.load(f.Result, fmt.Sprintf("l.Block(f[0], %d, %d)", l.Size, l.Align))
			}
		}
		if err != nil {
			return err
		}
		if usesName(e, "l") {
			fmt.Fprintf(b, "\tl := c.s.Lift(cx)\n\tc.r = %s\n\treturn l.Err()\n}\n\n", e)
		} else {
			// A number needs no lifting state.
			fmt.Fprintf(b, "\tc.r = %s\n\treturn nil\n}\n\n", e)
		}
	} else {
		b.WriteString("\treturn nil\n}\n\n")
	}

	// The method.
	recv, owner := "_e *"+recvType, "_e"
	if isMethod(f) {
		rid := g.r.DealiasID(f.Resource)
		recv, owner = fmt.Sprintf("%s *%s", s.names[0], p.typeNames[rid]), s.names[0]+".e"
	}
	name := p.funcNames[f]
	b.WriteString(docComment(f.Docs, name+" calls "+f.Name+"."))
	fmt.Fprintf(b, "func (%s) %s(%s) %s {\n", recv, name, params, results)
	if isMethod(f) {
		zero := ""
		switch {
		case s.mode == resPlain:
			zero = "_zero, "
			fmt.Fprintf(b, "\tvar _zero %s\n", s.results)
		case s.mode == resErr && s.ok != wit.NoneType:
			zero = "_zero, "
			fmt.Fprintf(b, "\tvar _zero %s\n", s.okGo)
		}
		fmt.Fprintf(b, "\tif %s == nil || %s.h.Closed() {\n\t\treturn %s%s.New(%q)\n\t}\n", s.names[0], s.names[0], zero, p.use("errors", "errors"), "bindgen: "+f.Name+" called on a nil or closed resource")
	}
	fmt.Fprintf(b, "\t_c := &%s.c_%s\n", owner, wn)
	if numeric {
		fmt.Fprintf(b, "\tif _c.flat {\n")
		for i, t := range s.types {
			fmt.Fprintf(b, "\t\t_c.st[%d] = %s\n", i, p.numLower(t, s.names[i]))
		}
		fmt.Fprintf(b, "\t\t_err := %s.f_%s.CallFlat(ctx, _c.st[:])\n", owner, wn)
		if f.Result == wit.NoneType {
			b.WriteString("\t\treturn _err\n\t}\n")
		} else {
			fmt.Fprintf(b, "\t\treturn %s.Checked(%s, _err)\n\t}\n", cm, p.numLift(f.Result, "_c.st[0]"))
		}
	}
	for i := range s.types {
		fmt.Fprintf(b, "\t_c.a%d = %s\n", i, s.names[i])
	}
	fmt.Fprintf(b, "\t_err := %s.s.Call(ctx, %s.f_%s, _c)\n", owner, owner, wn)
	if f.Result != wit.NoneType {
		b.WriteString("\t_v := _c.r\n")
	}
	// Drop the call's values: the state stays in the receiver.
	fmt.Fprintf(b, "\t*_c = %s{s: %s.s}\n", ct, owner)
	switch s.mode {
	case resNone:
		b.WriteString("\treturn _err\n")
	case resPlain:
		zero, err := p.zero(f.Result)
		if err != nil {
			return err
		}
		if strings.HasSuffix(zero, "{}") {
			// Spelled out for structs and arrays: cm.Checked copies them
			// through generic code, which costs a Record8 call ~8%.
			fmt.Fprintf(b, "\tif _err != nil {\n\t\treturn %s, _err\n\t}\n\treturn _v, nil\n", zero)
		} else {
			fmt.Fprintf(b, "\treturn %s.Checked(_v, _err)\n", cm)
		}
	case resErr:
		if s.ok == wit.NoneType {
			fmt.Fprintf(b, "\t_, _err = %s.%s(_v, _err)\n\treturn _err\n", cm, p.unwrapFn(s.err))
		} else {
			fmt.Fprintf(b, "\treturn %s.%s(_v, _err)\n", cm, p.unwrapFn(s.err))
		}
	}
	b.WriteString("}\n\n")
	return nil
}

// genHostImports writes an imported interface's Imports (the Go interface
// the program implements), its state and Bind, and the functions that
// serve each import from the guest.
func (p *goPkg) genHostImports() error {
	g := p.g
	b := &p.funcs
	iface := g.r.Interfaces[p.iface]
	cm := p.cm()
	var free []*wit.Function
	for _, f := range iface.Functions {
		if !isMethod(f) {
			free = append(free, f)
		}
	}
	fmt.Fprintf(b, "// Imports is what the host implements for %s. Returning an error that\n// is not the function's WIT error type traps the calling guest.\ntype Imports interface {\n", p.moduleName())
	for _, f := range free {
		_, params, results, err := p.hostSig(f)
		if err != nil {
			return p.funcErr(f, err)
		}
		b.WriteString(indent(docComment(f.Docs, "")))
		fmt.Fprintf(b, "\t%s(%s) %s\n", p.funcNames[f], params, results)
	}
	b.WriteString("}\n\n")
	var tables strings.Builder
	for _, id := range p.typeOrder {
		if g.r.Types[id].Kind == wit.KindResource {
			fmt.Fprintf(&tables, "\tt_%s %s.Table[%s]\n", p.typeNames[id], cm, p.typeNames[id])
		}
	}
	fmt.Fprintf(b, "// state_ is the per-instance state of the interface.\ntype state_ struct {\n\ts    *%s.Instance\n\timpl Imports\n%s}\n\n", cm, tables.String())
	fmt.Fprintf(b, "// Bind defines %s on l as name, the name the component imports it by,\n// served by impl; for generated bindings.\nfunc Bind(s *%s.Instance, l *%s.Linker, name string, impl Imports) error {\n\tst := &state_{s: s, impl: impl}\n\ts.Pkgs[%d] = st\n", p.moduleName(), cm, p.rtPkg(), p.index())
	for _, id := range p.typeOrder {
		td := g.r.Types[id]
		if td.Kind != wit.KindResource {
			continue
		}
		fmt.Fprintf(b, "\tif hr, err := l.Resource(name, %q, %s.Dtor(&st.t_%s)); err != nil {\n\t\treturn err\n\t} else {\n\t\ts.Res[%d] = hr.Type()\n\t}\n", td.Name, cm, p.typeNames[id], g.resIndex(id))
	}
	for _, f := range iface.Functions {
		fmt.Fprintf(b, "\tif err := l.FlatFunc(name, %q, st.serve_%s); err != nil {\n\t\treturn err\n\t}\n", f.Name, p.wasmName("", f))
	}
	b.WriteString("\treturn nil\n}\n\n")
	for _, f := range iface.Functions {
		if err := p.genHostServe(b, f, "state_"); err != nil {
			return p.funcErr(f, err)
		}
	}
	p.notBound()
	return nil
}

// genHostServe writes the flat host function serving imported f from the
// guest: lift the arguments, call the program, lower the result.
func (p *goPkg) genHostServe(b *bytes.Buffer, f *wit.Function, stateType string) error {
	g := p.g
	s, _, _, err := p.hostSig(f)
	if err != nil {
		return err
	}
	offsets, total, spilled, err := p.paramsFlat(s)
	if err != nil {
		return err
	}
	cm := p.cm()
	wn := p.wasmName("", f)
	fmt.Fprintf(b, "func (st *%s) serve_%s(ctx %s.Context, cl *%s.Caller, f []uint64) error {\n\tcx := cl.Context()\n", stateType, wn, p.ctxt(), p.rtPkg())
	args := make([]string, len(s.types))
	for i := range args {
		args[i] = fmt.Sprintf("_a%d", i)
	}
	if len(s.types) > 0 {
		var lift strings.Builder
		if spilled {
			lay, err := g.abi.TupleLayout(s.types)
			if err != nil {
				return err
			}
			for i, t := range s.types {
				gt, err := p.goType(t)
				if err != nil {
					return err
				}
				fmt.Fprintf(&lift, "var %s %s\n", args[i], gt)
			}
			fmt.Fprintf(&lift, "if l.Region(f[0], %d, %d) {\n\ta := f[0] & 0xffffffff\n", lay.Size, lay.Align)
			for i, t := range s.types {
				e, err := p.load(t, p.d.at("a", lay.FieldOffsets[i]))
				if err != nil {
					return err
				}
				fmt.Fprintf(&lift, "\t%s = %s\n", args[i], e)
			}
			lift.WriteString("}\n")
		} else {
			for i, t := range s.types {
				e, err := p.liftFlat(t, "f", offsets[i])
				if err != nil {
					return err
				}
				fmt.Fprintf(&lift, "%s := %s\n", args[i], e)
			}
		}
		if usesName(lift.String(), "l") {
			fmt.Fprintf(b, "\tl := st.s.Lift(cx)\n%s\tif err := l.Err(); err != nil {\n\t\treturn err\n\t}\n", indent(lift.String()))
		} else {
			// Numbers need no lifting state.
			b.WriteString(indent(lift.String()))
		}
	}
	var call string
	if isMethod(f) {
		call = fmt.Sprintf("_a0.%s(%s)", p.funcNames[f], strings.Join(append([]string{"ctx"}, args[1:]...), ", "))
	} else {
		call = fmt.Sprintf("st.impl.%s(%s)", p.funcNames[f], strings.Join(append([]string{"ctx"}, args...), ", "))
	}
	release := "\t" + cm + ".EndBorrows(cx)\n"
	switch {
	case s.mode == resNone || (s.mode == resErr && s.ok == wit.NoneType && f.Result == wit.NoneType):
		fmt.Fprintf(b, "\t_err := %s\n%s\treturn _err\n}\n\n", call, release)
		return nil
	case s.mode == resPlain:
		fmt.Fprintf(b, "\t_v, _err := %s\n%s\tif _err != nil {\n\t\treturn _err\n\t}\n", call, release)
	default:
		stmt, types, o, err := p.resultCall(s, call)
		if err != nil {
			return err
		}
		b.WriteString(indent(stmt))
		b.WriteString(release)
		// An error holding no E is the host's failure: it traps the guest.
		fmt.Fprintf(b, "\t_v, _err := %s.ResultOf[%s](%s, _err)\n\tif _err != nil {\n\t\treturn _err\n\t}\n", cm, types, o)
	}
	n, err := p.flatCount(f.Result)
	if err != nil {
		return err
	}
	var low string
	if n <= canon.MaxFlatResults {
		low, err = p.lowerFlat(f.Result, "_v", "f", 0, "w")
	} else {
		ret := total
		if spilled {
			ret = 1
		}
		low, err = p.store(f.Result, "_v", fmt.Sprintf("f[%d]&0xffffffff", ret), "w")
	}
	if err != nil {
		return err
	}
	if usesName(low, "w") {
		fmt.Fprintf(b, "\tw := st.s.Lower(ctx, cx)\n%s\treturn w.Err()\n}\n\n", indent(low))
	} else {
		// A number needs no lowering state.
		fmt.Fprintf(b, "%s\treturn nil\n}\n\n", indent(low))
	}
	return nil
}

// usesName reports whether Go expression e mentions identifier name.
func usesName(e, name string) bool {
	for i := strings.Index(e, name); i >= 0; {
		end := i + len(name)
		before := i == 0 || !isIdentByte(e[i-1])
		after := end == len(e) || !isIdentByte(e[end])
		if before && after && (i == 0 || e[i-1] != '.') {
			return true
		}
		j := strings.Index(e[end:], name)
		if j < 0 {
			break
		}
		i = end + j
	}
	return false
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// zero spells the zero value of t's Go type.
func (p *goPkg) zero(t wit.Type) (string, error) {
	t = p.g.r.Dealias(t)
	switch t {
	case wit.Bool:
		return "false", nil
	case wit.String:
		return `""`, nil
	}
	if t.IsPrimitive() {
		return "0", nil
	}
	_, td := p.def(t)
	switch td.Kind {
	case wit.KindEnum, wit.KindFlags:
		return "0", nil
	case wit.KindList, wit.KindMap, wit.KindOwn, wit.KindBorrow:
		return "nil", nil
	}
	gt, err := p.goType(t)
	return gt + "{}", err
}

// unwrapFn is the run-time function turning a result with error type t
// into Go's (T, error): the error value itself when its type is a Go
// error, else an ErrorOf or ErrResult.
func (p *goPkg) unwrapFn(t wit.Type) string {
	if t == wit.NoneType {
		return "UnwrapUnit"
	}
	if id, ok := p.g.r.Dealias(t).ID(); ok && p.g.errTypes[id] {
		return "Unwrap"
	}
	return "UnwrapValue"
}

// allNumbers reports whether f's parameters and result are all numbers
// (what Func.CallFlat accepts).
func (p *goPkg) allNumbers(f *wit.Function) bool {
	num := func(t wit.Type) bool {
		switch p.g.r.Dealias(t) {
		case wit.U8, wit.U16, wit.U32, wit.U64, wit.S8, wit.S16, wit.S32, wit.S64, wit.F32, wit.F64:
			return true
		}
		return false
	}
	for _, prm := range f.Params {
		if !num(prm.Type) {
			return false
		}
	}
	return f.Result == wit.NoneType || num(f.Result)
}

// numLower gives the flat value of number v of type t.
func (p *goPkg) numLower(t wit.Type, v string) string {
	switch p.g.r.Dealias(t) {
	case wit.S8, wit.S16, wit.S32:
		return "uint64(uint32(int32(" + v + ")))"
	case wit.F32:
		return "uint64(" + p.m() + ".Float32bits(" + v + "))"
	case wit.F64:
		return p.m() + ".Float64bits(" + v + ")"
	}
	return "uint64(" + v + ")"
}

// numLift lifts number t from flat value x.
func (p *goPkg) numLift(t wit.Type, x string) string {
	t = p.g.r.Dealias(t)
	switch t {
	case wit.U64:
		return x
	case wit.F32:
		return p.canonPkg() + ".LiftF32(uint64(uint32(" + x + ")))"
	case wit.F64:
		return p.canonPkg() + ".LiftF64(" + x + ")"
	}
	return primGo[t] + "(" + x + ")"
}

// ownFuncs are the functions of p's interface, or the world's own imported
// functions for the world's package.
func (p *goPkg) ownFuncs() []*wit.Function {
	if p.iface != wit.NoInterface {
		return p.g.r.Interfaces[p.iface].Functions
	}
	var fs []*wit.Function
	for _, it := range p.g.w.Imports {
		if it.Kind == wit.WorldItemFunction {
			fs = append(fs, it.Function)
		}
	}
	return fs
}

// stateType is the type of p's per-instance state.
func (p *goPkg) stateType() string {
	if p.iface == wit.NoInterface {
		return "rootState"
	}
	return "state_"
}
