package bindgen

import (
	"fmt"
	"strings"

	"github.com/wasmcm/wasmcm/wit"
)

// members are the Go names that belong to one declared type.
type members struct {
	consts   []string // enum cases, flags, variant kinds
	kindType string   // variant: the type of its Kind
	ctors    []string // variant: constructor per case
	access   []string // variant: accessor method per case ("" without payload)
	fields   []string // record: field names
	payload  []int    // variant: payload field index per case (-1: none)
	nPayload []string // variant: Go types of the payload fields
	// resources
	fromHandle string // imported: wraps a handle
	lift       string // exported: handle or rep to value
	lower      string // exported: value to owned handle
	methods    map[*wit.Function]string
	table      string // exported: the table of values
}

var resourceReserved = []string{"Resource", "Handle", "TakeHandle", "Drop", "Close"}

// nameMembers names what each declared type brings with it.
func (p *goPkg) nameMembers() {
	if p.members == nil {
		p.members = map[wit.TypeID]*members{}
	}
	for _, id := range p.typeOrder {
		td := p.g.r.Types[id]
		name := p.typeNames[id]
		m := &members{}
		p.members[id] = m
		switch td.Kind {
		case wit.KindEnum:
			for _, c := range td.Enum {
				m.consts = append(m.consts, p.declare(name+camel(c.Name)))
			}
		case wit.KindFlags:
			for _, f := range td.Flags {
				m.consts = append(m.consts, p.declare(name+camel(f.Name)))
			}
		case wit.KindRecord:
			seen := map[string]bool{}
			for _, f := range td.Fields {
				n := camel(f.Name)
				for seen[n] {
					n += "_"
				}
				seen[n] = true
				m.fields = append(m.fields, n)
			}
		case wit.KindVariant:
			m.kindType = p.declare(name + "Kind")
			methods := map[string]bool{"Kind": true, "Error": true, "String": true}
			for _, c := range td.Cases {
				m.consts = append(m.consts, p.declare(m.kindType+camel(c.Name)))
				m.ctors = append(m.ctors, p.declare(name+camel(c.Name)))
				if c.Type == wit.NoneType {
					m.access = append(m.access, "")
					continue
				}
				n := camel(c.Name)
				for methods[n] {
					n += "_"
				}
				methods[n] = true
				m.access = append(m.access, n)
			}
		case wit.KindResource:
			m.methods = map[*wit.Function]string{}
			if p.g.host {
				m.lift = p.declare("Lift" + name)
				m.lower = p.declare("Lower" + name)
			} else if p.export {
				m.lift = p.declare("Lift" + name)
				m.lower = p.declare("Lower" + name)
				m.table = "table_" + name
			} else {
				m.fromHandle = p.declare(name + "FromHandle")
			}
		}
	}
}

// nameFuncs names the functions of an interface: freestanding ones and
// constructors and statics at package level, methods on their resource.
func (p *goPkg) nameFuncs(funcs []*wit.Function) {
	if p.funcNames == nil {
		p.funcNames = map[*wit.Function]string{}
	}
	for _, f := range funcs {
		switch f.Kind {
		case wit.Method, wit.AsyncMethod:
			rid := p.g.r.DealiasID(f.Resource)
			m := p.members[rid]
			if m == nil {
				continue
			}
			taken := map[string]bool{}
			for _, n := range resourceReserved {
				taken[n] = true
			}
			for _, n := range m.methods {
				taken[n] = true
			}
			n := camel(methodName(f.Name))
			for taken[n] {
				n += "_"
			}
			m.methods[f] = n
			p.funcNames[f] = n
		case wit.Constructor:
			p.funcNames[f] = p.declare("New" + p.typeNames[p.g.r.DealiasID(f.Resource)])
		case wit.Static, wit.AsyncStatic:
			p.funcNames[f] = p.declare(p.typeNames[p.g.r.DealiasID(f.Resource)] + camel(methodName(f.Name)))
		default:
			p.funcNames[f] = p.declare(camel(f.Name))
		}
	}
}

// methodName is the part of "[method]r.name" or "[static]r.name" after the
// dot.
func methodName(n string) string {
	if i := strings.LastIndexByte(n, '.'); i >= 0 {
		return n[i+1:]
	}
	return n
}

var primGo = map[wit.Type]string{
	wit.Bool: "bool", wit.U8: "uint8", wit.S8: "int8", wit.U16: "uint16", wit.S16: "int16",
	wit.U32: "uint32", wit.S32: "int32", wit.U64: "uint64", wit.S64: "int64",
	wit.F32: "float32", wit.F64: "float64", wit.Char: "rune", wit.String: "string",
}

// nominal kinds are declared as Go types of their own; the others are
// spelled structurally (and named ones are Go aliases of that spelling).
func nominal(k wit.Kind) bool {
	switch k {
	case wit.KindRecord, wit.KindVariant, wit.KindEnum, wit.KindFlags, wit.KindResource:
		return true
	}
	return false
}

// goType spells type t in p's file.
func (p *goPkg) goType(t wit.Type) (string, error) {
	g := p.g
	t = g.r.Dealias(t)
	if t == wit.NoneType {
		return "struct{}", nil
	}
	if s, ok := primGo[t]; ok {
		return s, nil
	}
	if t == wit.ErrorContext {
		return "", fmt.Errorf("error-context is not supported by the Go bindings (it needs the async ABI)")
	}
	id, _ := t.ID()
	td := g.r.Types[id]
	if nominal(td.Kind) && td.Name != "" {
		q := g.ownerPkg(td, p)
		if q == nil {
			return "", fmt.Errorf("type %s has no owner", td.Name)
		}
		return p.qualify(q) + q.typeNames[id], nil
	}
	switch td.Kind {
	case wit.KindOwn, wit.KindBorrow:
		rid := g.r.DealiasID(td.Resource)
		name, err := p.goType(wit.TypeOf(rid))
		if err != nil {
			return "", err
		}
		if g.isExportedResource(rid, p) {
			return name, nil
		}
		return "*" + name, nil
	case wit.KindOption:
		e, err := p.goType(td.Elem)
		if err != nil {
			return "", err
		}
		return p.cm() + ".Option[" + e + "]", nil
	case wit.KindResult:
		o, err := p.goType(td.Ok)
		if err != nil {
			return "", err
		}
		e, err := p.goType(td.Err)
		if err != nil {
			return "", err
		}
		return p.cm() + ".Result[" + o + ", " + e + "]", nil
	case wit.KindList:
		e, err := p.goType(td.Elem)
		if err != nil {
			return "", err
		}
		return "[]" + e, nil
	case wit.KindFixedLengthList:
		e, err := p.goType(td.Elem)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("[%d]%s", td.Len, e), nil
	case wit.KindMap:
		k, err := p.goType(td.Key)
		if err != nil {
			return "", err
		}
		v, err := p.goType(td.Elem)
		if err != nil {
			return "", err
		}
		return "map[" + k + "]" + v, nil
	case wit.KindTuple:
		var b strings.Builder
		b.WriteString("struct {")
		for i, e := range td.Tuple {
			s, err := p.goType(e)
			if err != nil {
				return "", err
			}
			if i > 0 {
				b.WriteString(";")
			}
			fmt.Fprintf(&b, " F%d %s", i, s)
		}
		b.WriteString(" }")
		return b.String(), nil
	case wit.KindFuture, wit.KindStream:
		return "", fmt.Errorf("%s types are not supported by the Go bindings (they need the async ABI, which stock Go lacks)", td.Kind)
	}
	return "", fmt.Errorf("type kind %s is not supported by the Go bindings", td.Kind)
}

// genTypes declares the package's types.
func (p *goPkg) genTypes() error {
	g := p.g
	b := &p.decls
	cm := ""
	for _, id := range p.typeOrder {
		td := g.r.Types[id]
		name := p.typeNames[id]
		m := p.members[id]
		doc := docComment(td.Docs, name+" is the WIT "+td.Kind.String()+" "+td.Name+".")
		switch td.Kind {
		case wit.KindRecord:
			b.WriteString(doc)
			fmt.Fprintf(b, "type %s struct {\n", name)
			for i, f := range td.Fields {
				s, err := p.goType(f.Type)
				if err != nil {
					return p.typeErr(td, err)
				}
				b.WriteString(indent(docComment(f.Docs, "")))
				fmt.Fprintf(b, "\t%s %s\n", m.fields[i], s)
			}
			b.WriteString("}\n\n")
			if g.errTypes[id] {
				fmt.Fprintf(b, "// Error lets a %s be returned as an error.\nfunc (e %s) Error() string { return %q }\n\n", name, name, td.Name)
			}
		case wit.KindEnum, wit.KindFlags:
			l, err := g.abi.Layout(wit.TypeOf(id))
			if err != nil {
				return p.typeErr(td, err)
			}
			under := uintType(l.Size)
			b.WriteString(doc)
			fmt.Fprintf(b, "type %s %s\n\n", name, under)
			var labels []string
			var docs []wit.Docs
			if td.Kind == wit.KindEnum {
				for _, c := range td.Enum {
					labels, docs = append(labels, c.Name), append(docs, c.Docs)
				}
			} else {
				for _, f := range td.Flags {
					labels, docs = append(labels, f.Name), append(docs, f.Docs)
				}
			}
			if len(labels) > 0 {
				b.WriteString("const (\n")
				for i, c := range m.consts {
					b.WriteString(indent(docComment(docs[i], c+" is "+labels[i]+".")))
					if td.Kind == wit.KindEnum {
						fmt.Fprintf(b, "\t%s %s = %d\n", c, name, i)
					} else {
						fmt.Fprintf(b, "\t%s %s = 1 << %d\n", c, name, i)
					}
				}
				b.WriteString(")\n\n")
			}
			fmt.Fprintf(b, "var labels_%s = [...]string{%s}\n\n", name, quoteList(labels))
			if td.Kind == wit.KindEnum {
				fmt.Fprintf(b, "// String returns the WIT name of the case.\nfunc (e %s) String() string { return %s.Label(labels_%s[:], int(e), %q) }\n\n", name, p.cm(), name, td.Name)
			} else {
				fmt.Fprintf(b, "// String returns the WIT names of the set flags, separated by |.\nfunc (e %s) String() string { return %s.FlagNames(labels_%s[:], uint64(e)) }\n\n", name, p.cm(), name)
			}
			if g.errTypes[id] {
				fmt.Fprintf(b, "// Error lets a %s be returned as an error.\nfunc (e %s) Error() string { return %q + e.String() }\n\n", name, name, td.Name+": ")
			}
		case wit.KindVariant:
			if err := p.genVariant(id, td, name, m, doc); err != nil {
				return p.typeErr(td, err)
			}
		case wit.KindResource:
			if g.host {
				if err := p.genHostResource(id, td, name, m, doc); err != nil {
					return p.typeErr(td, err)
				}
			} else if p.export {
				if err := p.genExportedResource(id, td, name, m, doc); err != nil {
					return p.typeErr(td, err)
				}
			} else {
				if cm == "" {
					cm = p.cm()
				}
				b.WriteString(doc)
				fmt.Fprintf(b, "//\n// Its methods are the resource's; Drop drops the handle (an owned handle\n// the program forgets is dropped when the garbage collector finds it\n// unreachable, unless the bindings were generated without cleanups).\n")
				fmt.Fprintf(b, "type %s struct {\n\t%s.Resource\n}\n\n", name, cm)
				drop := "wasmimport_" + name + "_drop"
				fmt.Fprintf(b, "// %s wraps handle h of %s, owned or borrowed; for generated bindings.\n", m.fromHandle, td.Name)
				fmt.Fprintf(b, "func %s(h uint32, owned bool) *%s {\n\tr := &%s{}\n\t%s.InitResource(r, &r.Resource, h, owned, %s, %v)\n\treturn r\n}\n\n", m.fromHandle, name, name, cm, drop, !g.opts.NoCleanup)
				fmt.Fprintf(b, "//go:wasmimport %s [resource-drop]%s\nfunc %s(h uint32)\n\n", p.moduleName(), td.Name, drop)
			}
		default:
			s, err := p.goType(wit.TypeOf(id))
			if err != nil {
				// A type the bindings cannot spell: leave it out, and fail
				// only if a function needs it.
				fmt.Fprintf(b, "// %s (WIT %s) is left out: %v.\n\n", name, td.Name, err)
				continue
			}
			b.WriteString(doc)
			fmt.Fprintf(b, "type %s = %s\n\n", name, s)
		}
	}
	return nil
}

func (p *goPkg) typeErr(td *wit.TypeDef, err error) error {
	return fmt.Errorf("bindgen: type %s of %s: %w", td.Name, p.path, err)
}

func uintType(size uint64) string {
	switch size {
	case 1:
		return "uint8"
	case 2:
		return "uint16"
	}
	return "uint32"
}

func quoteList(ss []string) string {
	qs := make([]string, len(ss))
	for i, s := range ss {
		qs[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(qs, ", ")
}

func indent(s string) string {
	if s == "" {
		return ""
	}
	lines := strings.SplitAfter(s, "\n")
	var b strings.Builder
	for _, l := range lines {
		if l != "" {
			b.WriteString("\t" + l)
		}
	}
	return b.String()
}

// genVariant declares a variant as a struct holding its kind and one field
// per distinct payload type: a case's payload never shares storage with a
// payload of another Go type, so the garbage collector always sees pointers
// where pointers are.
func (p *goPkg) genVariant(id wit.TypeID, td *wit.TypeDef, name string, m *members, doc string) error {
	g := p.g
	b := &p.decls
	l, err := g.abi.Layout(wit.TypeOf(id))
	if err != nil {
		return err
	}
	m.payload = make([]int, len(td.Cases))
	index := map[string]int{}
	for i, c := range td.Cases {
		m.payload[i] = -1
		if c.Type == wit.NoneType {
			continue
		}
		s, err := p.goType(c.Type)
		if err != nil {
			return fmt.Errorf("case %s: %w", c.Name, err)
		}
		k, ok := index[s]
		if !ok {
			k = len(m.nPayload)
			index[s] = k
			m.nPayload = append(m.nPayload, s)
		}
		m.payload[i] = k
	}
	b.WriteString(doc)
	fmt.Fprintf(b, "//\n// Make one with the constructors %s...; Kind says which case it holds.\n", m.ctors[0])
	fmt.Fprintf(b, "type %s struct {\n\tkind %s\n", name, m.kindType)
	for k, s := range m.nPayload {
		fmt.Fprintf(b, "\tp%d %s\n", k, s)
	}
	b.WriteString("}\n\n")
	fmt.Fprintf(b, "// %s says which case of %s a value holds.\ntype %s %s\n\nconst (\n", m.kindType, name, m.kindType, uintType(uint64(l.DiscriminantSize)))
	for i, c := range td.Cases {
		fmt.Fprintf(b, "\t// %s is the case %s.\n\t%s %s = %d\n", m.consts[i], c.Name, m.consts[i], m.kindType, i)
	}
	b.WriteString(")\n\n")
	labels := make([]string, len(td.Cases))
	for i, c := range td.Cases {
		labels[i] = c.Name
	}
	fmt.Fprintf(b, "var labels_%s = [...]string{%s}\n\n", m.kindType, quoteList(labels))
	fmt.Fprintf(b, "// String returns the WIT name of the case.\nfunc (k %s) String() string { return %s.Label(labels_%s[:], int(k), %q) }\n\n", m.kindType, p.cm(), m.kindType, td.Name)
	fmt.Fprintf(b, "// Kind returns the case v holds.\nfunc (v %s) Kind() %s { return v.kind }\n\n", name, m.kindType)
	for i, c := range td.Cases {
		b.WriteString(docComment(c.Docs, m.ctors[i]+" returns the case "+c.Name+"."))
		if k := m.payload[i]; k >= 0 {
			fmt.Fprintf(b, "func %s(payload %s) %s { return %s{kind: %s, p%d: payload} }\n\n", m.ctors[i], m.nPayload[k], name, name, m.consts[i], k)
			fmt.Fprintf(b, "// %s returns the payload of case %s, and whether v holds that case.\n", m.access[i], c.Name)
			fmt.Fprintf(b, "func (v %s) %s() (%s, bool) { return %s.Case(v.kind == %s, v.p%d) }\n\n", name, m.access[i], m.nPayload[k], p.cm(), m.consts[i], k)
		} else {
			fmt.Fprintf(b, "func %s() %s { return %s{kind: %s} }\n\n", m.ctors[i], name, name, m.consts[i])
		}
	}
	if g.errTypes[id] {
		fmt.Fprintf(b, "// Error lets a %s be returned as an error.\nfunc (v %s) Error() string { return %q + v.kind.String() }\n\n", name, name, td.Name+": ")
	}
	return nil
}

// genExportedResource declares an exported resource: the Go interface its
// implementation satisfies, the table of live values, and the canonical
// built-ins and destructor.
func (p *goPkg) genExportedResource(id wit.TypeID, td *wit.TypeDef, name string, m *members, doc string) error {
	b := &p.decls
	cm := p.cm()
	mod := p.moduleName()
	b.WriteString(doc)
	fmt.Fprintf(b, "//\n// The program implements it; values must be comparable (pointers, say). When\n// the host drops the last handle, the value's Drop method runs if it has one.\n")
	fmt.Fprintf(b, "type %s interface {\n", name)
	for _, f := range p.g.r.Interfaces[p.iface].Functions {
		if (f.Kind != wit.Method && f.Kind != wit.AsyncMethod) || p.g.r.DealiasID(f.Resource) != id {
			continue
		}
		s, err := p.sigOf(f)
		if err != nil {
			return err
		}
		b.WriteString(indent(docComment(f.Docs, "")))
		fmt.Fprintf(b, "\t%s(%s) %s\n", p.funcNames[f], s.decl, s.results)
	}
	b.WriteString("}\n\n")
	fmt.Fprintf(b, "var %s %s.ExportTable[%s]\n\n", m.table, cm, name)
	fmt.Fprintf(b, "//go:wasmimport [export]%s [resource-new]%s\nfunc wasmimport_%s_new(rep uint32) uint32\n\n", mod, td.Name, name)
	fmt.Fprintf(b, "//go:wasmimport [export]%s [resource-rep]%s\nfunc wasmimport_%s_rep(h uint32) uint32\n\n", mod, td.Name, name)
	fmt.Fprintf(b, "//go:wasmimport [export]%s [resource-drop]%s\nfunc wasmimport_%s_drop(h uint32)\n\n", mod, td.Name, name)
	fmt.Fprintf(b, "// %s returns the value behind an owned handle (owned), which the component\n// takes back from the host, or a rep (a borrow lent to this component); for\n// generated bindings.\n", m.lift)
	fmt.Fprintf(b, "func %s(h uint32, owned bool) %s {\n\treturn %s.Lift(h, owned, wasmimport_%s_rep, wasmimport_%s_drop)\n}\n\n", m.lift, name, m.table, name, name)
	fmt.Fprintf(b, "// %s returns a new owned handle for v; for generated bindings.\n", m.lower)
	fmt.Fprintf(b, "func %s(v %s) uint32 { return wasmimport_%s_new(%s.Lower(%q, v)) }\n\n", m.lower, name, name, m.table, td.Name)
	fmt.Fprintf(b, "//go:wasmexport %s#[dtor]%s\nfunc wasmexport_%s_dtor(rep uint32) { %s.Destroy(rep) }\n\n", mod, td.Name, name, m.table)
	return nil
}
