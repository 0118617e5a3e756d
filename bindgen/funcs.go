package bindgen

import (
	"fmt"
	"strings"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/wit"
)

// Result shapes of a Go function.
const (
	resNone  = iota // no result
	resPlain        // one result
	resErr          // a result<T, E>: (T, error) or error
)

// sig is the Go signature of a WIT function.
type sig struct {
	names   []string   // Go names of all parameters (self included)
	types   []wit.Type // their WIT types
	decl    string     // the parameter list without self
	results string     // the result list
	mode    int
	ok, err wit.Type // resErr: the result's types
	okGo    string
}

func isMethod(f *wit.Function) bool { return f.Kind == wit.Method || f.Kind == wit.AsyncMethod }

// sigOf returns the Go signature of f in p's file.
func (p *goPkg) sigOf(f *wit.Function) (*sig, error) {
	if f.Kind.IsAsync() {
		return nil, fmt.Errorf("async functions are not supported by the Go bindings (stock Go lacks the async ABI)")
	}
	s := &sig{names: p.g.paramNames(f.Params)}
	var decl []string
	for i, prm := range f.Params {
		s.types = append(s.types, prm.Type)
		if i == 0 && isMethod(f) {
			continue
		}
		gt, err := p.goType(prm.Type)
		if err != nil {
			return nil, fmt.Errorf("parameter %s: %w", prm.Name, err)
		}
		decl = append(decl, s.names[i]+" "+gt)
	}
	s.decl = strings.Join(decl, ", ")
	if f.Result == wit.NoneType {
		return s, nil
	}
	if _, td := p.def(f.Result); td != nil && td.Kind == wit.KindResult {
		s.mode, s.ok, s.err = resErr, td.Ok, td.Err
		if td.Ok == wit.NoneType {
			s.results = "error"
			return s, nil
		}
		ot, err := p.goType(td.Ok)
		if err != nil {
			return nil, fmt.Errorf("result: %w", err)
		}
		s.okGo = ot
		s.results = "(" + ot + ", error)"
		return s, nil
	}
	rt, err := p.goType(f.Result)
	if err != nil {
		return nil, fmt.Errorf("result: %w", err)
	}
	s.mode, s.results = resPlain, rt
	return s, nil
}

// coreGo is the Go type of a core wasm value in a wasmimport/wasmexport
// signature.
func coreGo(c canon.CoreType) string {
	switch c {
	case canon.CoreI64:
		return "uint64"
	case canon.CoreF32:
		return "float32"
	case canon.CoreF64:
		return "float64"
	}
	return "uint32"
}

// coreSig spells the parameters (p0, p1...) and result of core function
// type ft in Go.
func coreSig(ft canon.CoreFuncType) string {
	var params []string
	for i, c := range ft.Params {
		params = append(params, fmt.Sprintf("p%d %s", i, coreGo(c)))
	}
	res := ""
	if len(ft.Results) == 1 {
		res = " " + coreGo(ft.Results[0])
	}
	return "(" + strings.Join(params, ", ") + ")" + res
}

// resultCall spells call, a function returning a result<T, E> as Go's
// (T, error) or error, binding _o (when T exists) and _err; it returns the
// statement, the type arguments "T, E" and the ok value to make the result
// from.
func (p *goPkg) resultCall(s *sig, call string) (stmt, types, ok string, err error) {
	ot, err := p.goType(s.ok)
	if err != nil {
		return "", "", "", err
	}
	et, err := p.goType(s.err)
	if err != nil {
		return "", "", "", err
	}
	if s.ok == wit.NoneType {
		return "_err := " + call + "\n", ot + ", " + et, "struct{}{}", nil
	}
	return "_o, _err := " + call + "\n", ot + ", " + et, "_o", nil
}

// fromBits converts flat bits x to a core value of type c, undoing the
// conversion to bits when x spells one.
func (p *goPkg) fromBits(c canon.CoreType, x string) string {
	switch c {
	case canon.CoreI64:
		return x
	case canon.CoreF32:
		if in, ok := unwrapCall("uint64("+p.m()+".Float32bits(", x, "))"); ok {
			return in
		}
		return p.m() + ".Float32frombits(uint32(" + x + "))"
	case canon.CoreF64:
		if in, ok := unwrapCall(p.m()+".Float64bits(", x, ")"); ok {
			return in
		}
		return p.m() + ".Float64frombits(" + x + ")"
	}
	if in, ok := unwrapCall("uint64(", x, ")"); ok {
		return "uint32(" + in + ")"
	}
	return "uint32(" + x + ")"
}

// unwrapCall returns what x passes to a call spelled open...close, when x
// is one such call.
func unwrapCall(open, x, close string) (string, bool) {
	in, ok := strings.CutPrefix(x, open)
	if !ok || !strings.HasSuffix(in, close) {
		return "", false
	}
	in = in[:len(in)-len(close)]
	return in, balanced(in)
}

// toBits converts core value x of type c to flat bits.
func (p *goPkg) toBits(c canon.CoreType, x string) string {
	switch c {
	case canon.CoreI64:
		return x
	case canon.CoreF32:
		return "uint64(" + p.m() + ".Float32bits(" + x + "))"
	case canon.CoreF64:
		return p.m() + ".Float64bits(" + x + ")"
	}
	return "uint64(" + x + ")"
}

// wasmName is the Go name of the wasmimport or wasmexport function of f.
func (p *goPkg) wasmName(prefix string, f *wit.Function) string {
	if isMethod(f) {
		return prefix + p.typeNames[p.g.r.DealiasID(f.Resource)] + "_" + p.funcNames[f]
	}
	return prefix + p.funcNames[f]
}

// genFuncs writes the package's functions: wrappers of imports, or the
// Exports interface and the wasmexport functions.
func (p *goPkg) genFuncs() error {
	g := p.g
	if p.iface != wit.NoInterface {
		funcs := g.r.Interfaces[p.iface].Functions
		if p.export {
			return p.genExports(funcs, g.worldKeyName(p.key)+"#")
		}
		for _, f := range funcs {
			if err := p.genImport(f); err != nil {
				return err
			}
		}
		return nil
	}
	var exports []*wit.Function
	for _, it := range g.w.Imports {
		if it.Kind == wit.WorldItemFunction {
			if err := p.genImport(it.Function); err != nil {
				return err
			}
		}
	}
	for _, it := range g.w.Exports {
		if it.Kind == wit.WorldItemFunction {
			exports = append(exports, it.Function)
		}
	}
	if len(exports) > 0 {
		return p.genExports(exports, "")
	}
	return nil
}

func (p *goPkg) funcErr(f *wit.Function, err error) error {
	return fmt.Errorf("bindgen: function %s of %s: %w", f.Name, p.path, err)
}

// spill describes how a function's parameters travel: flat, or in memory.
func (p *goPkg) paramFlat(types []wit.Type) (offsets []int, total int, err error) {
	for _, t := range types {
		n, err := p.flatCount(t)
		if err != nil {
			return nil, 0, err
		}
		offsets = append(offsets, total)
		total += n
	}
	return offsets, total, nil
}

// genImport writes the Go function (or method) that calls imported f.
func (p *goPkg) genImport(f *wit.Function) error {
	g := p.g
	s, err := p.sigOf(f)
	if err != nil {
		return p.funcErr(f, err)
	}
	ft, err := g.abi.FuncType(f, canon.FuncTypeOptions{}, canon.ContextLower)
	if err != nil {
		return p.funcErr(f, err)
	}
	offsets, total, err := p.paramFlat(s.types)
	if err != nil {
		return p.funcErr(f, err)
	}
	spilled := total > canon.MaxFlatParams
	resFlat := 0
	if f.Result != wit.NoneType {
		if resFlat, err = p.flatCount(f.Result); err != nil {
			return p.funcErr(f, err)
		}
	}
	retptr := resFlat > canon.MaxFlatResults
	name := p.funcNames[f]
	wname := p.wasmName("wasmimport_", f)

	// The wasmimport declaration.
	b := &p.funcs
	fmt.Fprintf(b, "//go:wasmimport %s %s\n//go:noescape\nfunc %s%s\n\n", p.moduleName(), f.Name, wname, coreSig(ft))

	// The Go function.
	b.WriteString(docComment(f.Docs, defaultFuncDoc(name, f)))
	recv := ""
	if isMethod(f) {
		rid := g.r.DealiasID(f.Resource)
		recv = fmt.Sprintf("(%s *%s) ", s.names[0], p.typeNames[rid])
	}
	fmt.Fprintf(b, "func %s%s(%s) %s {\n", recv, name, s.decl, s.results)
	cm := p.cm()
	var body strings.Builder
	body.WriteString("var _pins " + cm + ".Pins\n")
	var args []string
	if spilled {
		l, err := g.abi.TupleLayout(s.types)
		if err != nil {
			return p.funcErr(f, err)
		}
		fmt.Fprintf(&body, "_sp, _spa := _pins.AllocAddr(%d)\n", l.Size)
		for i, t := range s.types {
			st, err := p.store(t, s.names[i], p.d.at("_sp", l.FieldOffsets[i]), "&_pins")
			if err != nil {
				return p.funcErr(f, err)
			}
			body.WriteString(st)
		}
		args = append(args, "_spa")
	} else if total > 0 {
		fmt.Fprintf(&body, "var _f [%d]uint64\n", total)
		for i, t := range s.types {
			st, err := p.lowerFlat(t, s.names[i], "_f", offsets[i], "&_pins")
			if err != nil {
				return p.funcErr(f, err)
			}
			body.WriteString(st)
		}
		for i := 0; i < total; i++ {
			args = append(args, p.fromBits(ft.Params[i], fmt.Sprintf("_f[%d]", i)))
		}
	}
	if retptr {
		l, err := p.layout(f.Result)
		if err != nil {
			return p.funcErr(f, err)
		}
		fmt.Fprintf(&body, "_ret, _reta := _pins.AllocAddr(%d)\n", l.Size)
		args = append(args, "_reta")
	}
	call := wname + "(" + strings.Join(args, ", ") + ")"
	switch {
	case f.Result == wit.NoneType:
		body.WriteString(call + "\n_pins.KeepAlive()\n")
	case retptr:
		body.WriteString(call + "\n_pins.KeepAlive()\n")
		e, err := p.load(f.Result, "_ret")
		if err != nil {
			return p.funcErr(f, err)
		}
		fmt.Fprintf(&body, "_v := %s\n%s.ResetArena()\n", e, cm)
	default:
		fmt.Fprintf(&body, "_r0 := %s\n_pins.KeepAlive()\n", call)
		fmt.Fprintf(&body, "_rf := [1]uint64{%s}\n", p.toBits(ft.Results[0], "_r0"))
		e, err := p.liftFlat(f.Result, "_rf", 0)
		if err != nil {
			return p.funcErr(f, err)
		}
		fmt.Fprintf(&body, "_v := %s\n%s.ResetArena()\n", e, cm)
	}
	switch s.mode {
	case resPlain:
		body.WriteString("return _v\n")
	case resErr:
		if s.ok == wit.NoneType {
			fmt.Fprintf(&body, "_, _err := %s.%s(_v, nil)\nreturn _err\n", cm, p.unwrapFn(s.err))
		} else {
			fmt.Fprintf(&body, "return %s.%s(_v, nil)\n", cm, p.unwrapFn(s.err))
		}
	}
	b.WriteString(indent(body.String()))
	b.WriteString("}\n\n")
	return nil
}

func defaultFuncDoc(name string, f *wit.Function) string {
	return name + " calls " + f.Name + "."
}

// genExports writes the Exports interface the program implements, its
// registration, and a wasmexport function per exported function (prefix is
// "ns:pkg/iface@v#" for interfaces).
func (p *goPkg) genExports(funcs []*wit.Function, prefix string) error {
	g := p.g
	b := &p.funcs
	var ifaceFuncs []*wit.Function
	for _, f := range funcs {
		if !isMethod(f) {
			ifaceFuncs = append(ifaceFuncs, f)
		}
	}
	what := p.moduleName()
	if p.iface == wit.NoInterface {
		what = "world " + g.w.Name
	}
	if len(ifaceFuncs) > 0 {
		fmt.Fprintf(b, "// Exports is what the component implements for %s. Register an\n// implementation with Export in an init function: a reactor runs no main.\ntype Exports interface {\n", what)
		for _, f := range ifaceFuncs {
			s, err := p.sigOf(f)
			if err != nil {
				return p.funcErr(f, err)
			}
			b.WriteString(indent(docComment(f.Docs, "")))
			fmt.Fprintf(b, "\t%s(%s) %s\n", p.funcNames[f], s.decl, s.results)
		}
		b.WriteString("}\n\nvar exports_ Exports\n\n")
		fmt.Fprintf(b, "// Export registers the implementation of %s.\nfunc Export(impl Exports) { exports_ = impl }\n\n", what)
		fmt.Fprintf(b, "func impl_() Exports {\n\tif exports_ == nil {\n\t\tpanic(%q)\n\t}\n\treturn exports_\n}\n\n", "bindgen: no implementation of "+what+" is registered; call "+p.name+".Export in an init function")
	}
	for _, f := range funcs {
		if err := p.genExport(f, prefix); err != nil {
			return p.funcErr(f, err)
		}
	}
	return nil
}

// genExport writes the wasmexport function of f and its post-return.
func (p *goPkg) genExport(f *wit.Function, prefix string) error {
	g := p.g
	s, err := p.sigOf(f)
	if err != nil {
		return err
	}
	ft, err := g.abi.FuncType(f, canon.FuncTypeOptions{}, canon.ContextLift)
	if err != nil {
		return err
	}
	offsets, total, err := p.paramFlat(s.types)
	if err != nil {
		return err
	}
	spilled := total > canon.MaxFlatParams
	cm := p.cm()
	wname := p.wasmName("wasmexport_", f)
	b := &p.funcs
	exportName := prefix + f.Name
	fmt.Fprintf(b, "//go:wasmexport %s\nfunc %s%s {\n", exportName, wname, coreSig(ft))
	var body strings.Builder
	body.WriteString(cm + ".BeginExport()\n")
	args := make([]string, len(s.types))
	for i := range s.types {
		args[i] = fmt.Sprintf("_a%d", i)
	}
	if spilled {
		l, err := g.abi.TupleLayout(s.types)
		if err != nil {
			return err
		}
		fmt.Fprintf(&body, "_sp := %s.PtrOf(p0)\n", cm)
		for i, t := range s.types {
			e, err := p.load(t, p.d.at("_sp", l.FieldOffsets[i]))
			if err != nil {
				return err
			}
			fmt.Fprintf(&body, "%s := %s\n", args[i], e)
		}
	} else if total > 0 {
		var bits []string
		for i := 0; i < total; i++ {
			bits = append(bits, p.toBits(ft.Params[i], fmt.Sprintf("p%d", i)))
		}
		fmt.Fprintf(&body, "_f := [%d]uint64{%s}\n", total, strings.Join(bits, ", "))
		for i, t := range s.types {
			e, err := p.liftFlat(t, "_f", offsets[i])
			if err != nil {
				return err
			}
			fmt.Fprintf(&body, "%s := %s\n", args[i], e)
		}
	}
	body.WriteString(cm + ".ResetArena()\n")
	var call string
	if isMethod(f) {
		call = fmt.Sprintf("%s.%s(%s)", args[0], p.funcNames[f], strings.Join(args[1:], ", "))
	} else {
		call = fmt.Sprintf("impl_().%s(%s)", p.funcNames[f], strings.Join(args, ", "))
	}
	switch s.mode {
	case resNone:
		body.WriteString(call + "\n" + cm + ".EndBorrows()\n")
	case resPlain:
		body.WriteString("_v := " + call + "\n" + cm + ".EndBorrows()\n")
	case resErr:
		stmt, types, o, err := p.resultCall(s, call)
		if err != nil {
			return err
		}
		body.WriteString(stmt + cm + ".EndBorrows()\n")
		fmt.Fprintf(&body, "_v := %s.MustResult[%s](%q, %s, _err)\n", cm, types, exportName, o)
	}
	if f.Result != wit.NoneType {
		var low string
		if len(ft.Results) == 1 && mustFlat(p, f.Result) == 1 {
			st, err := p.lowerFlat(f.Result, "_v", "_rf", 0, "_pins")
			if err != nil {
				return err
			}
			if x, ok := strings.CutPrefix(st, "_rf[0] = "); ok && strings.Count(x, "\n") == 1 {
				// One assignment: return the value itself.
				low = "return " + p.fromBits(ft.Results[0], strings.TrimSuffix(x, "\n")) + "\n"
			} else {
				low = "var _rf [1]uint64\n" + st + "return " + p.fromBits(ft.Results[0], "_rf[0]") + "\n"
			}
		} else {
			l, err := p.layout(f.Result)
			if err != nil {
				return err
			}
			st, err := p.store(f.Result, "_v", "_ret", "_pins")
			if err != nil {
				return err
			}
			low = fmt.Sprintf("_ret, _reta := _pins.AllocAddr(%d)\n", l.Size) + st + "return _reta\n"
		}
		if strings.Contains(low, "_pins") {
			body.WriteString("_pins := " + cm + ".ExportPins()\n")
		}
		body.WriteString(low)
	}
	b.WriteString(indent(body.String()))
	b.WriteString("}\n\n")
	if f.Result != wit.NoneType {
		var pp []string
		for i, c := range ft.Results {
			pp = append(pp, fmt.Sprintf("p%d %s", i, coreGo(c)))
		}
		fmt.Fprintf(b, "//go:wasmexport cabi_post_%s\nfunc wasmexport_post_%s(%s) { %s.PostReturn() }\n\n", exportName, strings.TrimPrefix(wname, "wasmexport_"), strings.Join(pp, ", "), cm)
	}
	return nil
}

func mustFlat(p *goPkg, t wit.Type) int {
	n, err := p.flatCount(t)
	if err != nil {
		return -1
	}
	return n
}
