package wat

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/wasmcm/wasmcm/component"
)

// Component reads the text of one component, (component ...), and returns
// its binary encoding.
func Component(src string) ([]byte, error) {
	nodes, err := parseSexprs(src)
	if err != nil {
		return nil, err
	}
	if len(nodes) != 1 || nodes[0].head() != "component" {
		var at *node
		if len(nodes) > 0 {
			at = nodes[0]
		}
		return nil, errAt(at, "expected one (component ...)")
	}
	s := newScope(nil, scopeComponent)
	c, err := s.component(tail(nodes[0]))
	if err != nil {
		return nil, err
	}
	return c.Encode(), nil
}

type scopeKind uint8

const (
	scopeComponent scopeKind = iota
	scopeComponentType
	scopeInstanceType
)

// scope is one index space context: a component, a component type or an
// instance type.
type scope struct {
	parent *scope
	kind   scopeKind
	name   string // $id of the component or type, for outer aliases
	names  [component.SortInstance + 1]map[string]uint32
	counts [component.SortInstance + 1]uint32

	comp  *component.Component // scopeComponent
	decls []component.Decl     // type scopes
}

func newScope(parent *scope, k scopeKind) *scope {
	s := &scope{parent: parent, kind: k}
	if k == scopeComponent {
		s.comp = &component.Component{}
	}
	return s
}

// next allocates an index in sort's space and binds id (if any) to it.
func (s *scope) next(sort component.Sort, id *node) (uint32, error) {
	i := s.counts[sort]
	s.counts[sort]++
	if id != nil && id.isID() {
		if s.names[sort] == nil {
			s.names[sort] = map[string]uint32{}
		}
		if _, dup := s.names[sort][id.atom]; dup {
			return 0, errAt(id, "duplicate %s identifier %s", sort, id.atom)
		}
		s.names[sort][id.atom] = i
	}
	return i, nil
}

// ref resolves an index or $id of sort.
func (s *scope) ref(sort component.Sort, n *node) (uint32, error) {
	if n == nil || n.isList || n.isStr {
		return 0, errAt(n, "expected a %s index", sort)
	}
	if n.isID() {
		i, ok := s.names[sort][n.atom]
		if !ok {
			return 0, errAt(n, "unknown %s %s", sort, n.atom)
		}
		return i, nil
	}
	v, err := strconv.ParseUint(n.atom, 10, 32)
	if err != nil {
		return 0, errAt(n, "expected a %s index, found %q", sort, n.atom)
	}
	return uint32(v), nil
}

func (s *scope) section(sec component.Section) {
	s.comp.Sections = append(s.comp.Sections, sec)
}

// addType adds a type definition to the scope and returns its index.
func (s *scope) addType(t component.Type, id *node) (uint32, error) {
	if s.kind == scopeComponent {
		s.section(&component.TypeSection{Types: []component.Type{t}})
	} else {
		s.decls = append(s.decls, component.Decl{Kind: component.DeclType, Type: t})
	}
	return s.next(component.SortType, id)
}

func (s *scope) addAlias(a component.Alias, id *node) error {
	if s.kind == scopeComponent {
		s.section(&component.AliasSection{Aliases: []component.Alias{a}})
	} else {
		s.decls = append(s.decls, component.Decl{Kind: component.DeclAlias, Alias: &a})
	}
	_, err := s.next(a.Sort, id)
	return err
}

// optID splits an optional $id off the front of args.
func optID(args []*node) (*node, []*node) {
	if len(args) > 0 && args[0].isID() {
		return args[0], args[1:]
	}
	return nil, args
}

func (s *scope) component(fields []*node) (*component.Component, error) {
	for _, f := range fields {
		if err := s.field(f); err != nil {
			return nil, err
		}
	}
	return s.comp, nil
}

// inlineSugar rewrites (KIND $id? (import "n") desc...) into an import and
// peels (export "n") abbreviations off a definition, returning the names
// to export it under once it is defined.
func (s *scope) inlineSugar(f *node) (handled bool, exports []*node, def *node, err error) {
	kw := f.head()
	if kw != "type" && kw != "instance" && kw != "func" && kw != "component" {
		return false, nil, f, nil
	}
	id, args := optID(tail(f))
	for len(args) > 0 && args[0].head() == "export" && len(args[0].list) == 2 {
		exports = append(exports, args[0].list[1])
		args = args[1:]
	}
	if len(args) > 0 && args[0].head() == "import" && len(args[0].list) == 2 {
		desc := &node{isList: true, line: f.line, col: f.col, list: []*node{f.list[0]}}
		if id != nil {
			desc.list = append(desc.list, id)
		}
		desc.list = append(desc.list, args[1:]...)
		imp := &node{isList: true, line: f.line, col: f.col, list: []*node{{atom: "import"}, args[0].list[1], desc}}
		if err := s.importDecl(imp); err != nil {
			return true, nil, nil, err
		}
		return true, exports, nil, s.exportLast(f, exports)
	}
	def = &node{isList: true, line: f.line, col: f.col, list: []*node{f.list[0]}}
	if id != nil {
		def.list = append(def.list, id)
	}
	def.list = append(def.list, args...)
	return false, exports, def, nil
}

// exportLast exports the most recent definition of f's sort under names.
func (s *scope) exportLast(f *node, names []*node) error {
	sort := sortKw[f.head()]
	for _, n := range names {
		name, err := strArg(n)
		if err != nil {
			return err
		}
		x := component.Export{Name: component.ExternName{Name: name}, Sort: sort, Index: s.counts[sort] - 1}
		s.section(&component.ExportSection{Exports: []component.Export{x}})
		if _, err := s.next(sort, nil); err != nil {
			return err
		}
	}
	return nil
}

func (s *scope) field(f *node) error {
	handled, exports, def, err := s.inlineSugar(f)
	if handled || err != nil {
		return err
	}
	if err := s.field1(def); err != nil {
		return err
	}
	if len(exports) > 0 {
		return s.exportLast(def, exports)
	}
	return nil
}

func (s *scope) field1(f *node) error {
	switch f.head() {
	case "type":
		id, rest := optID(tail(f))
		if len(rest) != 1 {
			return errAt(f, "expected one type definition")
		}
		t, err := s.typeDef(rest[0])
		if err != nil {
			return err
		}
		_, err = s.addType(t, id)
		return err
	case "import":
		return s.importDecl(f)
	case "export":
		return s.export(f)
	case "alias":
		return s.alias(f)
	case "core":
		return s.coreField(f)
	case "component":
		id, rest := optID(tail(f))
		child := newScope(s, scopeComponent)
		if id != nil {
			child.name = id.atom
		}
		c, err := child.component(rest)
		if err != nil {
			return err
		}
		s.section(&component.ComponentSection{Component: c})
		_, err = s.next(component.SortComponent, id)
		return err
	case "instance":
		return s.instance(f)
	case "func":
		return s.liftFunc(f)
	case "canon":
		return errAt(f, "a (canon ...) field without a (func)/(core func) wrapper is not supported")
	}
	return errAt(f, "unsupported component field %q", f.head())
}

var prims = map[string]component.PrimValType{
	"bool": component.Bool, "s8": component.S8, "u8": component.U8, "s16": component.S16,
	"u16": component.U16, "s32": component.S32, "u32": component.U32, "s64": component.S64,
	"u64": component.U64, "f32": component.F32, "f64": component.F64, "float32": component.F32,
	"float64": component.F64, "char": component.Char, "string": component.String,
	"error-context": component.ErrorContext,
}

// valType reads a value type: a primitive, a type index, or an inline
// defined type, which is hoisted into a type definition of its own.
func (s *scope) valType(n *node) (component.ValType, error) {
	if n != nil && !n.isList && !n.isStr {
		if p, ok := prims[n.atom]; ok {
			return component.ValType{Prim: p}, nil
		}
		i, err := s.ref(component.SortType, n)
		return component.ValType{Index: i}, err
	}
	if n != nil && n.head() == "type" && len(n.list) == 2 {
		return s.valType(n.list[1])
	}
	t, err := s.defValType(n)
	if err != nil {
		return component.ValType{}, err
	}
	i, err := s.addType(t, nil)
	return component.ValType{Index: i}, err
}

func (s *scope) optValType(n *node) (*component.ValType, error) {
	v, err := s.valType(n)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

func strArg(n *node) (string, error) {
	if n == nil || !n.isStr {
		return "", errAt(n, "expected a string")
	}
	return n.atom, nil
}

func (s *scope) defValType(n *node) (*component.DefinedType, error) {
	if n == nil || !n.isList {
		return nil, errAt(n, "expected a value type")
	}
	args := tail(n)
	d := &component.DefinedType{}
	switch n.head() {
	case "record":
		d.Kind = component.KindRecord
		for _, f := range args {
			if f.head() != "field" || len(f.list) != 3 {
				return nil, errAt(f, "expected (field \"name\" type)")
			}
			name, err := strArg(f.list[1])
			if err != nil {
				return nil, err
			}
			t, err := s.valType(f.list[2])
			if err != nil {
				return nil, err
			}
			d.Fields = append(d.Fields, component.Field{Name: name, Type: t})
		}
	case "variant":
		d.Kind = component.KindVariant
		for _, c := range args {
			if c.head() != "case" || len(c.list) < 2 {
				return nil, errAt(c, "expected (case \"name\" type?)")
			}
			_, cargs := optID(tail(c))
			name, err := strArg(cargs[0])
			if err != nil {
				return nil, err
			}
			cs := component.Case{Name: name}
			for _, extra := range cargs[1:] {
				if extra.head() == "refines" {
					continue
				}
				if cs.Type, err = s.optValType(extra); err != nil {
					return nil, err
				}
			}
			d.Cases = append(d.Cases, cs)
		}
	case "list":
		if len(args) < 1 || len(args) > 2 {
			return nil, errAt(n, "expected (list type)")
		}
		t, err := s.valType(args[0])
		if err != nil {
			return nil, err
		}
		d.Kind, d.Elem = component.KindList, t
		if len(args) == 2 {
			l, err := strconv.ParseUint(args[1].atom, 10, 32)
			if err != nil {
				return nil, errAt(args[1], "expected a length")
			}
			d.Kind, d.Len = component.KindFixedList, uint32(l)
		}
	case "option":
		if len(args) != 1 {
			return nil, errAt(n, "expected (option type)")
		}
		t, err := s.valType(args[0])
		if err != nil {
			return nil, err
		}
		d.Kind, d.Elem = component.KindOption, t
	case "tuple":
		d.Kind = component.KindTuple
		for _, a := range args {
			t, err := s.valType(a)
			if err != nil {
				return nil, err
			}
			d.Types = append(d.Types, t)
		}
	case "flags", "enum":
		d.Kind = component.KindFlags
		if n.head() == "enum" {
			d.Kind = component.KindEnum
		}
		for _, a := range args {
			name, err := strArg(a)
			if err != nil {
				return nil, err
			}
			d.Names = append(d.Names, name)
		}
	case "result":
		d.Kind = component.KindResult
		for _, a := range args {
			var err error
			if a.head() == "error" && len(a.list) == 2 {
				d.Err, err = s.optValType(a.list[1])
			} else {
				d.Ok, err = s.optValType(a)
			}
			if err != nil {
				return nil, err
			}
		}
	case "own", "borrow":
		if len(args) != 1 {
			return nil, errAt(n, "expected (%s type)", n.head())
		}
		i, err := s.ref(component.SortType, args[0])
		if err != nil {
			return nil, err
		}
		d.Kind, d.Resource = component.KindOwn, i
		if n.head() == "borrow" {
			d.Kind = component.KindBorrow
		}
	case "stream", "future":
		d.Kind = component.KindStream
		if n.head() == "future" {
			d.Kind = component.KindFuture
		}
		if len(args) == 1 {
			var err error
			if d.Payload, err = s.optValType(args[0]); err != nil {
				return nil, err
			}
		}
	default:
		return nil, errAt(n, "unsupported value type %q", n.head())
	}
	return d, nil
}

// typeDef reads the definition part of (type ...).
func (s *scope) typeDef(n *node) (component.Type, error) {
	if !n.isList {
		if p, ok := prims[n.atom]; ok {
			return &component.DefinedType{Kind: component.KindPrimitive, Prim: p}, nil
		}
		return nil, errAt(n, "expected a type definition")
	}
	switch n.head() {
	case "func":
		return s.funcType(tail(n))
	case "component", "instance":
		k := scopeComponentType
		if n.head() == "instance" {
			k = scopeInstanceType
		}
		child := newScope(s, k)
		for _, d := range tail(n) {
			if err := child.decl(d); err != nil {
				return nil, err
			}
		}
		if k == scopeInstanceType {
			return &component.InstanceType{Decls: child.decls}, nil
		}
		return &component.ComponentType{Decls: child.decls}, nil
	case "resource":
		rt := &component.ResourceType{}
		for _, a := range tail(n) {
			switch a.head() {
			case "rep":
				rt.Rep = coreValTypes["i32"]
			case "dtor":
				if len(a.list) != 2 {
					return nil, errAt(a, "expected (dtor (core func idx))")
				}
				i, err := s.coreSortIdx(a.list[1], component.SortCoreFunc)
				if err != nil {
					return nil, err
				}
				rt.Dtor = &i
			default:
				return nil, errAt(a, "unexpected %q in resource type", a.head())
			}
		}
		return rt, nil
	}
	return s.defValType(n)
}

func (s *scope) funcType(args []*node) (*component.FuncType, error) {
	ft := &component.FuncType{}
	for _, a := range args {
		switch {
		case a.isKw("async"):
			ft.Async = true
		case a.head() == "param":
			if len(a.list) != 3 {
				return nil, errAt(a, "expected (param \"name\" type)")
			}
			name, err := strArg(a.list[1])
			if err != nil {
				return nil, err
			}
			t, err := s.valType(a.list[2])
			if err != nil {
				return nil, err
			}
			ft.Params = append(ft.Params, component.Field{Name: name, Type: t})
		case a.head() == "result":
			if len(a.list) != 2 {
				return nil, errAt(a, "expected (result type)")
			}
			var err error
			if ft.Result, err = s.optValType(a.list[1]); err != nil {
				return nil, err
			}
		default:
			return nil, errAt(a, "unexpected %q in function type", a.head())
		}
	}
	return ft, nil
}

// decl reads one declaration of a component or instance type.
func (s *scope) decl(d *node) error {
	switch d.head() {
	case "type":
		id, rest := optID(tail(d))
		if len(rest) != 1 {
			return errAt(d, "expected one type definition")
		}
		t, err := s.typeDef(rest[0])
		if err != nil {
			return err
		}
		_, err = s.addType(t, id)
		return err
	case "alias":
		return s.alias(d)
	case "import", "export":
		if len(d.list) != 3 {
			return errAt(d, "expected (%s \"name\" desc)", d.head())
		}
		name, err := s.externName(d.list[1])
		if err != nil {
			return err
		}
		et, id, err := s.externDesc(d.list[2])
		if err != nil {
			return err
		}
		k := component.DeclExport
		if d.head() == "import" {
			if s.kind == scopeInstanceType {
				return errAt(d, "instance types cannot import")
			}
			k = component.DeclImport
		}
		s.decls = append(s.decls, component.Decl{Kind: k, Name: name, Extern: et})
		_, err = s.next(et.Sort, id)
		return err
	case "core":
		return errAt(d, "core type declarations are not supported")
	}
	return errAt(d, "unsupported declaration %q", d.head())
}

func (s *scope) externName(n *node) (component.ExternName, error) {
	if n.isList && n.head() == "interface" && len(n.list) == 2 {
		n = n.list[1]
	}
	name, err := strArg(n)
	return component.ExternName{Name: name}, err
}

// externDesc reads an import/export description such as (func (type 0)),
// (instance $i (export ...)), (type (sub resource)). Inline types are
// hoisted into type definitions.
func (s *scope) externDesc(n *node) (component.ExternType, *node, error) {
	var et component.ExternType
	if !n.isList || len(n.list) == 0 {
		return et, nil, errAt(n, "expected an extern description")
	}
	kw := n.head()
	args := tail(n)
	if kw == "core" {
		if len(args) == 0 || !args[0].isKw("module") {
			return et, nil, errAt(n, "expected (core module ...)")
		}
		return et, nil, errAt(n, "core module imports are not supported")
	}
	id, args := optID(args)
	switch kw {
	case "type":
		if len(args) != 1 {
			return et, nil, errAt(n, "expected (type (sub resource)) or (type (eq idx))")
		}
		b := args[0]
		switch {
		case b.head() == "sub" && len(b.list) == 2 && b.list[1].isKw("resource"):
			et = component.ExternType{Sort: component.SortType, SubResource: true}
		case b.head() == "eq" && len(b.list) == 2:
			i, err := s.ref(component.SortType, b.list[1])
			if err != nil {
				return et, nil, err
			}
			et = component.ExternType{Sort: component.SortType, Index: i}
		default:
			return et, nil, errAt(b, "expected a type bound")
		}
		return et, id, nil
	case "func", "instance", "component":
		sort := map[string]component.Sort{"func": component.SortFunc, "instance": component.SortInstance, "component": component.SortComponent}[kw]
		et.Sort = sort
		if len(args) == 1 && args[0].head() == "type" && len(args[0].list) == 2 && !args[0].list[1].isList {
			i, err := s.ref(component.SortType, args[0].list[1])
			if err != nil {
				return et, nil, err
			}
			et.Index = i
			return et, id, nil
		}
		var t component.Type
		var err error
		switch kw {
		case "func":
			t, err = s.funcType(args)
		default:
			t, err = s.typeDef(&node{isList: true, list: append([]*node{{atom: kw, line: n.line, col: n.col}}, args...), line: n.line, col: n.col})
		}
		if err != nil {
			return et, nil, err
		}
		et.Index, err = s.addType(t, nil)
		return et, id, err
	case "value":
		return et, nil, errAt(n, "value imports are not supported")
	}
	return et, nil, errAt(n, "unsupported extern description %q", kw)
}

// importDecl reads a component-level import.
func (s *scope) importDecl(f *node) error {
	if len(f.list) != 3 {
		return errAt(f, "expected (import \"name\" desc)")
	}
	name, err := s.externName(f.list[1])
	if err != nil {
		return err
	}
	et, id, err := s.externDesc(f.list[2])
	if err != nil {
		return err
	}
	s.section(&component.ImportSection{Imports: []component.Import{{Name: name, Type: et}}})
	_, err = s.next(et.Sort, id)
	return err
}

var sortKw = map[string]component.Sort{
	"func": component.SortFunc, "value": component.SortValue, "type": component.SortType,
	"component": component.SortComponent, "instance": component.SortInstance,
}

var coreSortKw = map[string]component.Sort{
	"func": component.SortCoreFunc, "table": component.SortCoreTable, "memory": component.SortCoreMemory,
	"global": component.SortCoreGlobal, "tag": component.SortCoreTag, "type": component.SortCoreType,
	"module": component.SortCoreModule, "instance": component.SortCoreInstance,
}

// sortRef reads (func idx), (core module idx) and the like: a sort and an
// index in this scope.
func (s *scope) sortRef(n *node) (component.Sort, uint32, error) {
	if !n.isList || len(n.list) < 2 {
		return 0, 0, errAt(n, "expected (sort idx)")
	}
	if n.head() == "core" {
		if len(n.list) != 3 {
			return 0, 0, errAt(n, "expected (core sort idx)")
		}
		sort, ok := coreSortKw[n.list[1].atom]
		if !ok {
			return 0, 0, errAt(n, "unknown core sort %q", n.list[1].atom)
		}
		i, err := s.ref(sort, n.list[2])
		return sort, i, err
	}
	sort, ok := sortKw[n.head()]
	if !ok || len(n.list) != 2 {
		return 0, 0, errAt(n, "expected (sort idx)")
	}
	i, err := s.ref(sort, n.list[1])
	return sort, i, err
}

// coreSortIdx reads (core func idx) or a bare index of the given core sort.
func (s *scope) coreSortIdx(n *node, sort component.Sort) (uint32, error) {
	if !n.isList {
		return s.ref(sort, n)
	}
	got, i, err := s.sortRef(n)
	if err != nil {
		return 0, err
	}
	if got != sort {
		return 0, errAt(n, "expected a %s, found a %s", sort, got)
	}
	return i, nil
}

func (s *scope) export(f *node) error {
	id, args := optID(tail(f))
	if len(args) < 2 || len(args) > 3 {
		return errAt(f, "expected (export \"name\" (sort idx) type?)")
	}
	name, err := s.externName(args[0])
	if err != nil {
		return err
	}
	sort, idx, err := s.sortRef(args[1])
	if err != nil {
		return err
	}
	x := component.Export{Name: name, Sort: sort, Index: idx}
	if len(args) == 3 {
		et, _, err := s.externDesc(args[2])
		if err != nil {
			return err
		}
		x.Type = &et
	}
	s.section(&component.ExportSection{Exports: []component.Export{x}})
	_, err = s.next(sort, id)
	return err
}

// alias reads (alias export i "n" (sort $id?)), (alias core export ...) and
// (alias outer c i (sort $id?)).
func (s *scope) alias(f *node) error {
	args := tail(f)
	if len(args) < 1 {
		return errAt(f, "expected an alias target")
	}
	last := args[len(args)-1]
	var sort component.Sort
	var id *node
	if !last.isList || len(last.list) == 0 {
		return errAt(last, "expected (sort $id?)")
	}
	if last.head() == "core" {
		if len(last.list) < 2 {
			return errAt(last, "expected (core sort)")
		}
		var ok bool
		if sort, ok = coreSortKw[last.list[1].atom]; !ok {
			return errAt(last, "unknown core sort")
		}
		if len(last.list) > 2 {
			id = last.list[2]
		}
	} else {
		var ok bool
		if sort, ok = sortKw[last.head()]; !ok {
			return errAt(last, "unknown sort %q", last.head())
		}
		if len(last.list) > 1 {
			id = last.list[1]
		}
	}
	a := component.Alias{Sort: sort}
	switch {
	case args[0].isKw("export") && len(args) == 4:
		a.Target = component.AliasExport
		i, err := s.ref(component.SortInstance, args[1])
		if err != nil {
			return err
		}
		a.Instance = i
		if a.Name, err = strArg(args[2]); err != nil {
			return err
		}
	case args[0].isKw("core") && len(args) == 5 && args[1].isKw("export"):
		a.Target = component.AliasCoreExport
		i, err := s.ref(component.SortCoreInstance, args[2])
		if err != nil {
			return err
		}
		a.Instance = i
		if a.Name, err = strArg(args[3]); err != nil {
			return err
		}
	case args[0].isKw("outer") && len(args) == 4:
		a.Target = component.AliasOuter
		target := s
		count := uint32(0)
		if args[1].isID() {
			for target != nil && target.name != args[1].atom {
				target = target.parent
				count++
			}
			if target == nil {
				return errAt(args[1], "unknown enclosing scope %s", args[1].atom)
			}
		} else {
			v, err := strconv.ParseUint(args[1].atom, 10, 32)
			if err != nil {
				return errAt(args[1], "expected a scope count")
			}
			count = uint32(v)
			for k := uint32(0); k < count && target != nil; k++ {
				target = target.parent
			}
			if target == nil {
				return errAt(args[1], "no enclosing scope %d out", count)
			}
		}
		i, err := target.ref(sort, args[2])
		if err != nil {
			return err
		}
		a.Count, a.Index = count, i
	default:
		return errAt(f, "unsupported alias form")
	}
	return s.addAlias(a, id)
}

func (s *scope) instance(f *node) error {
	id, args := optID(tail(f))
	in := component.Instance{}
	if len(args) > 0 && args[0].head() == "instantiate" {
		ia := tail(args[0])
		if len(ia) < 1 {
			return errAt(args[0], "expected (instantiate component args...)")
		}
		c, err := s.ref(component.SortComponent, ia[0])
		if err != nil {
			return err
		}
		in.Instantiate, in.Component = true, c
		for _, w := range ia[1:] {
			if w.head() != "with" || len(w.list) != 3 {
				return errAt(w, "expected (with \"name\" (sort idx))")
			}
			name, err := strArg(w.list[1])
			if err != nil {
				return err
			}
			sort, i, err := s.sortRef(w.list[2])
			if err != nil {
				return err
			}
			in.Args = append(in.Args, component.InstantiateArg{Name: name, Sort: sort, Index: i})
		}
	} else {
		for _, x := range args {
			if x.head() != "export" || len(x.list) != 3 {
				return errAt(x, "expected (export \"name\" (sort idx))")
			}
			name, err := s.externName(x.list[1])
			if err != nil {
				return err
			}
			sort, i, err := s.sortRef(x.list[2])
			if err != nil {
				return err
			}
			in.Exports = append(in.Exports, component.InlineExport{Name: name, Sort: sort, Index: i})
		}
	}
	s.section(&component.InstanceSection{Instances: []component.Instance{in}})
	_, err := s.next(component.SortInstance, id)
	return err
}

// canonOpts reads canonical options.
func (s *scope) canonOpts(args []*node) ([]component.CanonOpt, error) {
	var out []component.CanonOpt
	for _, a := range args {
		if !a.isList {
			switch a.atom {
			case "string-encoding=utf8":
				out = append(out, component.CanonOpt{Kind: component.OptUTF8})
			case "string-encoding=utf16":
				out = append(out, component.CanonOpt{Kind: component.OptUTF16})
			case "string-encoding=latin1+utf16":
				out = append(out, component.CanonOpt{Kind: component.OptLatin1UTF16})
			case "async":
				out = append(out, component.CanonOpt{Kind: component.OptAsync})
			default:
				return nil, errAt(a, "unknown canonical option %q", a.atom)
			}
			continue
		}
		kinds := map[string]struct {
			k    component.CanonOptKind
			sort component.Sort
		}{
			"memory":      {component.OptMemory, component.SortCoreMemory},
			"realloc":     {component.OptRealloc, component.SortCoreFunc},
			"post-return": {component.OptPostReturn, component.SortCoreFunc},
			"callback":    {component.OptCallback, component.SortCoreFunc},
		}
		k, ok := kinds[a.head()]
		if !ok || len(a.list) != 2 {
			return nil, errAt(a, "unknown canonical option %q", a.head())
		}
		i, err := s.coreSortIdx(a.list[1], k.sort)
		if err != nil {
			return nil, err
		}
		out = append(out, component.CanonOpt{Kind: k.k, Index: i})
	}
	return out, nil
}

// liftFunc reads (func $id? (type t) (canon lift (core func f) opts...))
// and the alias sugar (func $id? (alias export i "n")).
func (s *scope) liftFunc(f *node) error {
	id, args := optID(tail(f))
	if len(args) == 1 && args[0].head() == "alias" {
		al := &node{isList: true, list: append(append([]*node{}, args[0].list...), &node{isList: true, list: []*node{{atom: "func"}, idOrNil(id)}}), line: f.line, col: f.col}
		if id == nil {
			al.list[len(al.list)-1].list = al.list[len(al.list)-1].list[:1]
		}
		return s.alias(al)
	}
	if len(args) < 1 || args[len(args)-1].head() != "canon" {
		return errAt(f, "expected (func (type idx) (canon lift ...))")
	}
	cn := args[len(args)-1]
	typeArgs := args[:len(args)-1]
	var ti uint32
	if len(typeArgs) == 1 && typeArgs[0].head() == "type" && len(typeArgs[0].list) == 2 {
		var err error
		if ti, err = s.ref(component.SortType, typeArgs[0].list[1]); err != nil {
			return err
		}
	} else {
		ft, err := s.funcType(typeArgs)
		if err != nil {
			return err
		}
		if ti, err = s.addType(ft, nil); err != nil {
			return err
		}
	}
	if len(cn.list) < 3 || !cn.list[1].isKw("lift") {
		return errAt(cn, "expected (canon lift (core func idx) opts...)")
	}
	cf, err := s.coreSortIdx(cn.list[2], component.SortCoreFunc)
	if err != nil {
		return err
	}
	opts, err := s.canonOpts(cn.list[3:])
	if err != nil {
		return err
	}
	s.section(&component.CanonSection{Funcs: []component.Canon{{Op: component.CanonLift, Func: cf, Type: ti, Options: opts}}})
	_, err = s.next(component.SortFunc, id)
	return err
}

func idOrNil(id *node) *node {
	if id == nil {
		return &node{}
	}
	return id
}

func (s *scope) coreField(f *node) error {
	if len(f.list) < 2 || f.list[1].isList {
		return errAt(f, "expected (core module|instance|func ...)")
	}
	kw := f.list[1].atom
	id, args := optID(f.list[2:])
	switch kw {
	case "module":
		b, err := coreModule(args)
		if err != nil {
			return err
		}
		s.section(&component.CoreModuleSection{Bytes: b})
		_, err = s.next(component.SortCoreModule, id)
		return err
	case "instance":
		ci := component.CoreInstance{}
		if len(args) > 0 && args[0].head() == "instantiate" {
			ia := tail(args[0])
			if len(ia) < 1 {
				return errAt(args[0], "expected (instantiate module args...)")
			}
			m, err := s.ref(component.SortCoreModule, ia[0])
			if err != nil {
				return err
			}
			ci.Instantiate, ci.Module = true, m
			for _, w := range ia[1:] {
				if w.head() != "with" || len(w.list) != 3 || w.list[2].head() != "instance" || len(w.list[2].list) != 2 {
					return errAt(w, "expected (with \"name\" (instance idx))")
				}
				name, err := strArg(w.list[1])
				if err != nil {
					return err
				}
				i, err := s.ref(component.SortCoreInstance, w.list[2].list[1])
				if err != nil {
					return err
				}
				ci.Args = append(ci.Args, component.CoreInstantiateArg{Name: name, Instance: i})
			}
		} else {
			for _, x := range args {
				if x.head() != "export" || len(x.list) != 3 || !x.list[2].isList || len(x.list[2].list) != 2 {
					return errAt(x, "expected (export \"name\" (sort idx))")
				}
				name, err := strArg(x.list[1])
				if err != nil {
					return err
				}
				sort, ok := coreSortKw[x.list[2].head()]
				if !ok {
					return errAt(x.list[2], "unknown core sort %q", x.list[2].head())
				}
				i, err := s.ref(sort, x.list[2].list[1])
				if err != nil {
					return err
				}
				ci.Exports = append(ci.Exports, component.CoreInlineExport{Name: name, Sort: sort, Index: i})
			}
		}
		s.section(&component.CoreInstanceSection{Instances: []component.CoreInstance{ci}})
		_, err := s.next(component.SortCoreInstance, id)
		return err
	case "func":
		if len(args) != 1 || args[0].head() != "canon" || len(args[0].list) < 2 {
			return errAt(f, "expected (core func (canon ...))")
		}
		cn := tail(args[0])
		var c component.Canon
		switch cn[0].atom {
		case "lower":
			if len(cn) < 2 {
				return errAt(args[0], "expected (canon lower (func idx) opts...)")
			}
			sort, fi, err := s.sortRef(cn[1])
			if err != nil {
				return err
			}
			if sort != component.SortFunc {
				return errAt(cn[1], "expected a func")
			}
			opts, err := s.canonOpts(cn[2:])
			if err != nil {
				return err
			}
			c = component.Canon{Op: component.CanonLower, Func: fi, Options: opts}
		case "resource.drop", "resource.new", "resource.rep":
			if len(cn) < 2 {
				return errAt(args[0], "expected (canon %s type)", cn[0].atom)
			}
			tn := cn[1]
			if tn.head() == "type" && len(tn.list) == 2 {
				tn = tn.list[1]
			}
			t, err := s.ref(component.SortType, tn)
			if err != nil {
				return err
			}
			op := map[string]component.CanonOp{"resource.drop": component.CanonResourceDrop, "resource.new": component.CanonResourceNew, "resource.rep": component.CanonResourceRep}[cn[0].atom]
			c = component.Canon{Op: op, Type: t}
		default:
			return errAt(cn[0], "unsupported canonical definition %q", cn[0].atom)
		}
		s.section(&component.CanonSection{Funcs: []component.Canon{c}})
		_, err := s.next(component.SortCoreFunc, id)
		return err
	}
	return errAt(f, "unsupported core field %q", kw)
}

// describe names a node for messages.
func describe(n *node) string {
	if n == nil {
		return "nothing"
	}
	if n.isList {
		return "(" + n.head() + " ...)"
	}
	return strings.TrimSpace(n.atom)
}

var _ = fmt.Sprint
