package bindgen

import (
	"fmt"
	"strings"

	"github.com/wasmcm/wasmcm/wit"
)

// genHostWorld writes the world's package: the world's own functions (an
// interface for its imports, typed calls for its exports), Imports,
// Component, Compile and Instance.
func (p *goPkg) genHostWorld() error {
	g := p.g
	b := &p.funcs
	cm, rtp := p.cm(), p.rtPkg()
	imports := g.hostItems(g.w.Imports, false)
	exports := g.hostItems(g.w.Exports, true)
	pkg := g.r.Packages[g.w.Package].Name
	wname := pkg.Namespace + ":" + pkg.Name + "/" + g.w.Name

	// The world's own imported functions.
	var rootImports, rootExports []*wit.Function
	for _, it := range imports {
		if !it.iface {
			rootImports = append(rootImports, it.funcs[0])
		}
	}
	for _, it := range exports {
		if !it.iface {
			rootExports = append(rootExports, it.funcs[0])
		}
	}
	var rootRes []wit.TypeID
	for _, id := range p.typeOrder {
		if g.r.Types[id].Kind == wit.KindResource {
			rootRes = append(rootRes, id)
		}
	}
	var rootFree []*wit.Function
	for _, f := range rootImports {
		if !isMethod(f) {
			rootFree = append(rootFree, f)
		}
	}
	if len(rootImports) > 0 || len(rootRes) > 0 {
		fmt.Fprintf(b, "// Functions is what the host implements for the functions world %s\n// imports itself.\ntype Functions interface {\n", g.w.Name)
		for _, f := range rootFree {
			_, params, results, err := p.hostSig(f)
			if err != nil {
				return p.funcErr(f, err)
			}
			b.WriteString(indent(docComment(f.Docs, "")))
			fmt.Fprintf(b, "\t%s(%s) %s\n", p.funcNames[f], params, results)
		}
		fmt.Fprintf(b, "}\n\ntype rootState struct {\n\ts    *%s.Instance\n\timpl Functions\n", cm)
		for _, id := range rootRes {
			fmt.Fprintf(b, "\tt_%s %s.Table[%s]\n", p.typeNames[id], cm, p.typeNames[id])
		}
		b.WriteString("}\n\n")
		for _, f := range rootImports {
			if err := p.genHostServe(b, f, "rootState"); err != nil {
				return p.funcErr(f, err)
			}
		}
		p.notBound()
	}
	if len(rootExports) > 0 {
		if err := p.genExportsType(b, "rootExports", rootExports, "world "+g.w.Name); err != nil {
			return err
		}
	}

	// Imports.
	taken := map[string]bool{"Functions": true, "WASI": true}
	field := func(want string) string {
		n := want
		for taken[n] {
			n += "_"
		}
		taken[n] = true
		return n
	}
	// Components of any world may import WASI (a preview-1 adapter's
	// imports), so every world can configure the WASI host.
	needWASI := true
	fmt.Fprintf(b, "// Imports are the host's implementations of what world %s imports.\ntype Imports struct {\n", g.w.Name)
	for i := range imports {
		it := &imports[i]
		if !it.iface {
			continue
		}
		iface := g.r.Interfaces[it.id]
		hasRes := false
		for _, e := range iface.Types {
			if g.r.Types[e.ID].Kind == wit.KindResource {
				hasRes = true
			}
		}
		if len(iface.Functions) == 0 && !hasRes {
			continue
		}
		n := iface.Name
		if n == "" || iface.Package == wit.NoPackage {
			n = it.name
		}
		it.field = field(camel(n))
		if it.wasi {
			needWASI = true
			fmt.Fprintf(b, "\t// %s implements %s; nil leaves it to wasmcm's WASI host.\n", it.field, it.name)
		} else {
			fmt.Fprintf(b, "\t// %s implements %s.\n", it.field, it.name)
		}
		fmt.Fprintf(b, "\t%s %sImports\n", it.field, p.qualify(it.pkg))
	}
	if len(rootImports) > 0 || len(rootRes) > 0 {
		b.WriteString("\t// Functions implements the world's own imported functions.\n\tFunctions Functions\n")
	}
	if needWASI {
		fmt.Fprintf(b, "\t// WASI configures wasmcm's WASI host: what the guest may see and use.\n\tWASI %s.Config\n", p.use("github.com/wasmcm/wasmcm/runtime/wasi", "wasi"))
	}
	b.WriteString("}\n\n")

	// Component and Compile.
	fmt.Fprintf(b, "// Component is a compiled component of world %s.\ntype Component struct {\n\tc *%s.Compiled\n\tb *%s.Binding\n}\n\n", wname, rtp, cm)
	fmt.Fprintf(b, "// Compile checks that the component bin implements world %s (its\n// exports with the same types, its imports among the world's) and compiles\n// it. The error names the first mismatch.\nfunc Compile(ctx %s.Context, rt *%s.Runtime, bin []byte) (*Component, error) {\n\tb, err := %s.Check(&world_, bin)\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\tc, err := rt.Compile(ctx, bin)\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\treturn &Component{c: c, b: b}, nil\n}\n\n", wname, p.ctxt(), rtp, cm)
	fmt.Fprintf(b, "// Close releases the compiled code.\nfunc (c *Component) Close(ctx %s.Context) error { return c.c.Close(ctx) }\n\n", p.ctxt())

	// Instance.
	mtaken := map[string]bool{"Close": true, "Runtime": true}
	for _, f := range rootExports {
		mtaken[p.funcNames[f]] = true
	}
	var ifields strings.Builder
	if len(rootExports) > 0 {
		ifields.WriteString("\t*rootExports\n")
	}
	for i := range exports {
		it := &exports[i]
		if !it.iface {
			continue
		}
		iface := g.r.Interfaces[it.id]
		n := iface.Name
		if n == "" || iface.Package == wit.NoPackage {
			n = it.name
		}
		it.field = camel(n)
		for mtaken[it.field] {
			it.field += "_"
		}
		mtaken[it.field] = true
		fmt.Fprintf(&ifields, "\tx_%s *%sExports\n", it.field, p.qualify(it.pkg))
	}
	wasiField := ""
	if needWASI {
		wasiField = "\twasi *" + p.use("github.com/wasmcm/wasmcm/runtime/wasi", "wasi") + ".Host\n"
	}
	fmt.Fprintf(b, "// Instance is an instance of a component of world %s. Calls into one\n// instance must not run concurrently.\ntype Instance struct {\n\ts     *%s.Instance\n\towned *Component\n%s%s}\n\n", wname, cm, wasiField, ifields.String())
	for _, it := range exports {
		if it.iface {
			fmt.Fprintf(b, "// %s calls the functions of the exported interface %s.\nfunc (i *Instance) %s() *%sExports { return i.x_%s }\n\n", it.field, it.name, it.field, p.qualify(it.pkg), it.field)
		}
	}
	fmt.Fprintf(b, "// Runtime returns the runtime instance, for the dynamic API.\nfunc (i *Instance) Runtime() *%s.Instance { return i.s.Runtime }\n\n", rtp)
	fmt.Fprintf(b, "// Close releases the instance (and the component Instantiate compiled).\nfunc (i *Instance) Close(ctx %s.Context) error {\n\terr := i.s.Runtime.Close(ctx)\n", p.ctxt())
	if needWASI {
		b.WriteString("\tif i.wasi != nil {\n\t\tif e := i.wasi.Close(); err == nil {\n\t\t\terr = e\n\t\t}\n\t}\n")
	}
	b.WriteString("\tif i.owned != nil {\n\t\tif e := i.owned.Close(ctx); err == nil {\n\t\t\terr = e\n\t\t}\n\t}\n\treturn err\n}\n\n")
	fmt.Fprintf(b, "// Instantiate compiles bin (see Compile) and instantiates it with\n// imports; closing the instance releases both.\nfunc Instantiate(ctx %s.Context, rt *%s.Runtime, bin []byte, imports Imports) (*Instance, error) {\n\tc, err := Compile(ctx, rt, bin)\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\ti, err := c.Instantiate(ctx, imports)\n\tif err != nil {\n\t\tc.Close(ctx)\n\t\treturn nil, err\n\t}\n\ti.owned = c\n\treturn i, nil\n}\n\n", p.ctxt(), rtp)

	// Component.Instantiate.
	fmt.Fprintf(b, "// Instantiate instantiates the component with the host's imports: the\n// program's implementations, and wasmcm's WASI host for the WASI\n// interfaces the program leaves nil.\nfunc (c *Component) Instantiate(ctx %s.Context, imports Imports) (*Instance, error) {\n\ts := %s.NewInstance(&world_, %d)\n\tl := %s.NewLinker()\n\ti := &Instance{s: s}\n", p.ctxt(), cm, len(g.pkgs), rtp)
	if needWASI {
		wp := p.use("github.com/wasmcm/wasmcm/runtime/wasi", "wasi")
		b.WriteString("\tneedWASI := c.b.WASI\n")
		for k, it := range imports {
			if it.wasi && it.field != "" {
				fmt.Fprintf(b, "\tneedWASI = needWASI || (c.b.Imports[%d] != \"\" && imports.%s == nil)\n", k, it.field)
			}
		}
		fmt.Fprintf(b, "\tfor k, n := range c.b.Imports {\n\t\tif n == \"\" && world_.Imports[k].WASI {\n\t\t\tneedWASI = true // types only, or an interface not listed\n\t\t}\n\t}\n\tif needWASI {\n\t\th, err := %s.Add(l, imports.WASI)\n\t\tif err != nil {\n\t\t\treturn nil, err\n\t\t}\n\t\ti.wasi = h\n\t}\n", wp)
		_ = wp
	}
	b.WriteString("\tfail := func(err error) (*Instance, error) {\n")
	if needWASI {
		b.WriteString("\t\tif i.wasi != nil {\n\t\t\ti.wasi.Close()\n\t\t}\n")
	}
	b.WriteString("\t\treturn nil, err\n\t}\n")
	for k, it := range imports {
		if !it.iface || it.field == "" {
			continue
		}
		fmt.Fprintf(b, "\tif n := c.b.Imports[%d]; n != \"\" {\n", k)
		if it.wasi {
			fmt.Fprintf(b, "\t\tif imports.%s != nil {\n\t\t\tl.Remove(n[:strings.LastIndexByte(n, '@')+1] + wasi.Version)\n\t\t\tif err := %sBind(s, l, n, imports.%s); err != nil {\n\t\t\t\treturn fail(err)\n\t\t\t}\n\t\t}\n", it.field, p.qualify(it.pkg), it.field)
			p.use("strings", "strings")
		} else {
			fmt.Fprintf(b, "\t\tif imports.%s == nil {\n\t\t\treturn fail(%s.Errorf(\"%%s: the component imports %%s, but Imports.%s is nil\", world_.Name, n))\n\t\t}\n\t\tif err := %sBind(s, l, n, imports.%s); err != nil {\n\t\t\treturn fail(err)\n\t\t}\n", it.field, p.use("fmt", "fmt"), it.field, p.qualify(it.pkg), it.field)
		}
		b.WriteString("\t}\n")
	}
	if len(rootImports) > 0 || len(rootRes) > 0 {
		fmt.Fprintf(b, "\trs := &rootState{s: s, impl: imports.Functions}\n\ts.Pkgs[%d] = rs\n", p.index())
		for _, id := range rootRes {
			fmt.Fprintf(b, "\tif hr, err := l.Resource(\"\", %q, %s.Dtor(&rs.t_%s)); err != nil {\n\t\treturn fail(err)\n\t} else {\n\t\ts.Res[%d] = hr.Type()\n\t}\n", g.r.Types[id].Name, cm, p.typeNames[id], g.resIndex(id))
		}
		for k, it := range imports {
			if it.iface {
				continue
			}
			if isMethod(it.funcs[0]) {
				fmt.Fprintf(b, "\tif n := c.b.Imports[%d]; n != \"\" {\n\t\tif err := l.FlatFunc(\"\", n, rs.serve_%s); err != nil {\n\t\t\treturn fail(err)\n\t\t}\n\t}\n", k, p.wasmName("", it.funcs[0]))
				continue
			}
			fmt.Fprintf(b, "\tif n := c.b.Imports[%d]; n != \"\" {\n\t\tif imports.Functions == nil {\n\t\t\treturn fail(%s.Errorf(\"%%s: the component imports function %%s, but Imports.Functions is nil\", world_.Name, n))\n\t\t}\n\t\tif err := l.FlatFunc(\"\", n, rs.serve_%s); err != nil {\n\t\t\treturn fail(err)\n\t\t}\n\t}\n", k, p.use("fmt", "fmt"), p.wasmName("", it.funcs[0]))
		}
	}
	b.WriteString("\tinst, err := c.c.Instantiate(ctx, l)\n\tif err != nil {\n\t\treturn fail(err)\n\t}\n\ts.Runtime = inst\n")
	b.WriteString("\tfailInst := func(err error) (*Instance, error) {\n\t\tinst.Close(ctx)\n\t\treturn fail(err)\n\t}\n\t_ = failInst\n")
	if len(rootExports) > 0 {
		b.WriteString("\tw := &world_\n\tre := &rootExports{s: s}\n\ti.rootExports = re\n")
		var fs []*wit.Function
		idx := map[*wit.Function]int{}
		for k, it := range exports {
			if !it.iface {
				fs = append(fs, it.funcs[0])
				idx[it.funcs[0]] = k
			}
		}
		for _, f := range fs {
			wn := p.wasmName("", f)
			fmt.Fprintf(b, "\tif f, err := %s.BindFunc(s, w, c.b.Exports[%d], &w.Exports[%d].Funcs[0]); err != nil {\n\t\treturn failInst(err)\n\t} else {\n\t\tre.f_%s = f\n\t}\n\tre.c_%s.s = s\n", cm, idx[f], idx[f], wn, wn)
		}
	}
	for k, it := range exports {
		if !it.iface {
			continue
		}
		fmt.Fprintf(b, "\tif e, err := %sNewExports(s, &world_, %d, c.b.Exports[%d]); err != nil {\n\t\treturn failInst(err)\n\t} else {\n\t\ti.x_%s = e\n\t}\n", p.qualify(it.pkg), k, k, it.field)
	}
	b.WriteString("\treturn i, nil\n}\n\n")

	var d strings.Builder
	p.writeDesc(&d, imports, exports)
	b.WriteString(d.String())
	return nil
}
