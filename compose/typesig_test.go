package compose

import (
	"fmt"
	"sort"
	"strings"

	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/wat"
)

// The tests compare a composed component with the reference's expected
// text by the types of its imports and exports, written out structurally
// (resources named by where they come from), not by bytes.

type tscope struct {
	parent     *tscope
	types      []string
	funcs      []string
	instances  []map[string]string
	components []map[string]string // export name -> type, of a component type
	compImps   []map[string]string
}

func (s *tscope) typ(i uint32) string {
	if int(i) < len(s.types) {
		return s.types[i]
	}
	return fmt.Sprintf("?type%d", i)
}

func (s *tscope) val(v component.ValType) string {
	if v.Prim != 0 {
		return v.Prim.String()
	}
	return s.typ(v.Index)
}

func (s *tscope) optVal(v *component.ValType) string {
	if v == nil {
		return "_"
	}
	return s.val(*v)
}

func (s *tscope) define(t component.Type, self string) string {
	switch t := t.(type) {
	case *component.DefinedType:
		var parts []string
		switch t.Kind {
		case component.KindPrimitive:
			return t.Prim.String()
		case component.KindRecord:
			for _, f := range t.Fields {
				parts = append(parts, f.Name+":"+s.val(f.Type))
			}
		case component.KindVariant:
			for _, c := range t.Cases {
				parts = append(parts, c.Name+":"+s.optVal(c.Type))
			}
		case component.KindTuple:
			for _, v := range t.Types {
				parts = append(parts, s.val(v))
			}
		case component.KindFlags, component.KindEnum:
			parts = t.Names
		case component.KindList, component.KindOption:
			parts = []string{s.val(t.Elem)}
		case component.KindResult:
			parts = []string{s.optVal(t.Ok), s.optVal(t.Err)}
		case component.KindOwn, component.KindBorrow:
			parts = []string{s.typ(t.Resource)}
		case component.KindStream, component.KindFuture:
			parts = []string{s.optVal(t.Payload)}
		}
		return fmt.Sprintf("%x(%s)", byte(t.Kind), strings.Join(parts, ","))
	case *component.FuncType:
		var ps []string
		for _, p := range t.Params {
			ps = append(ps, p.Name+":"+s.val(p.Type))
		}
		return fmt.Sprintf("func(%s)->%s", strings.Join(ps, ","), s.optVal(t.Result))
	case *component.ResourceType:
		return "resource " + self
	case *component.InstanceType, *component.ComponentType:
		var decls []component.Decl
		kind := "instance"
		if it, ok := t.(*component.InstanceType); ok {
			decls = it.Decls
		} else {
			decls = t.(*component.ComponentType).Decls
			kind = "component"
		}
		inner := &tscope{parent: s}
		var items []string
		for _, d := range decls {
			switch d.Kind {
			case component.DeclType:
				inner.types = append(inner.types, inner.define(d.Type, fmt.Sprintf("%s#%d", self, len(inner.types))))
			case component.DeclAlias:
				inner.alias(d.Alias)
			case component.DeclImport, component.DeclExport:
				desc := inner.extern(d.Extern, d.Name.Name)
				prefix := "export "
				if d.Kind == component.DeclImport {
					prefix = "import "
				}
				items = append(items, prefix+d.Name.Name+": "+desc)
			}
		}
		sort.Strings(items)
		return kind + "{" + strings.Join(items, "; ") + "}"
	}
	return "?"
}

func (s *tscope) alias(a *component.Alias) {
	var desc string
	switch a.Target {
	case component.AliasOuter:
		o := s
		for k := uint32(0); k < a.Count && o != nil; k++ {
			o = o.parent
		}
		if o != nil && a.Sort == component.SortType {
			desc = o.typ(a.Index)
		}
	case component.AliasExport:
		if int(a.Instance) < len(s.instances) {
			desc = s.instances[a.Instance][a.Name]
		}
	}
	s.add(a.Sort, desc, nil)
}

func (s *tscope) add(sort component.Sort, desc string, exports map[string]string) {
	switch sort {
	case component.SortType:
		s.types = append(s.types, desc)
	case component.SortFunc:
		s.funcs = append(s.funcs, desc)
	case component.SortInstance:
		if exports == nil {
			exports = map[string]string{}
		}
		s.instances = append(s.instances, exports)
	case component.SortComponent:
		s.components = append(s.components, exports)
	}
}

// extern renders an extern type and adds it to its index space.
func (s *tscope) extern(e component.ExternType, name string) string {
	var desc string
	var exports map[string]string
	switch e.Sort {
	case component.SortType:
		if e.SubResource {
			desc = "resource " + name
		} else {
			desc = s.typ(e.Index)
		}
	case component.SortInstance:
		desc = s.typ(e.Index)
		exports = instanceExports(desc, name)
	case component.SortComponent:
		desc = s.typ(e.Index)
	default:
		desc = s.typ(e.Index)
	}
	s.add(e.Sort, desc, exports)
	return desc
}

// signature renders the imports and exports of a component binary.
func signature(b []byte) ([]string, error) {
	c, err := component.Decode(b)
	if err != nil {
		return nil, err
	}
	s := &tscope{}
	var out []string
	for _, sec := range c.Sections {
		switch sec := sec.(type) {
		case *component.TypeSection:
			for _, t := range sec.Types {
				s.types = append(s.types, s.define(t, fmt.Sprintf("#%d", len(s.types))))
			}
		case *component.ImportSection:
			for _, im := range sec.Imports {
				desc := s.extern(im.Type, im.Name.Name)
				out = append(out, "import "+im.Name.Name+": "+desc)
			}
		case *component.AliasSection:
			for i := range sec.Aliases {
				s.alias(&sec.Aliases[i])
			}
		case *component.InstanceSection:
			for range sec.Instances {
				s.add(component.SortInstance, "", nil)
			}
		case *component.ComponentSection:
			s.add(component.SortComponent, "", nil)
		case *component.CanonSection:
			for _, f := range sec.Funcs {
				if f.Op == component.CanonLift {
					s.add(component.SortFunc, s.typ(f.Type), nil)
				}
			}
		case *component.ExportSection:
			for _, x := range sec.Exports {
				out = append(out, fmt.Sprintf("export %s: %s", x.Name.Name, x.Sort))
				s.add(x.Sort, "", nil)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// instanceExports splits a rendered instance type into its exports' types,
// with its resources named after the instance import.
func instanceExports(desc, inst string) map[string]string {
	out := map[string]string{}
	body := strings.TrimSuffix(strings.TrimPrefix(desc, "instance{"), "}")
	depth := 0
	start := 0
	var items []string
	for i, c := range body {
		switch c {
		case '{', '(':
			depth++
		case '}', ')':
			depth--
		case ';':
			if depth == 0 {
				items = append(items, strings.TrimSpace(body[start:i]))
				start = i + 1
			}
		}
	}
	items = append(items, strings.TrimSpace(body[start:]))
	for _, it := range items {
		it = strings.TrimPrefix(it, "export ")
		if k := strings.Index(it, ": "); k > 0 {
			v := it[k+2:]
			// Resources are named by their definition: an export equal
			// to another names the same resource.
			if strings.HasPrefix(v, "resource ") {
				v = "resource " + inst + "." + strings.TrimPrefix(v, "resource ")
			}
			out[it[:k]] = v
		}
	}
	return out
}

// compareEncoded compares a composed component with expected component
// text by import and export signatures; "" when they agree.
func compareEncoded(got []byte, wantText string) string {
	wb, err := wat.Parse("expected.wat", []byte(wantText))
	if err != nil {
		return "reading the expected text: " + err.Error()
	}
	want, err := signature(wb)
	if err != nil {
		return "decoding the expected component: " + err.Error()
	}
	have, err := signature(got)
	if err != nil {
		return "decoding the composed component: " + err.Error()
	}
	if strings.Join(want, "\n") == strings.Join(have, "\n") {
		return ""
	}
	return "signatures differ:\nwant:\n  " + strings.Join(want, "\n  ") + "\ngot:\n  " + strings.Join(have, "\n  ")
}
