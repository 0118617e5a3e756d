package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/wasm"
)

func newInspect(io IO) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "inspect [flags] FILE",
		Short: "Show what a component binary defines, as a tree",
		Long: `Decode the component FILE ("-" for standard input) and list its definitions
in binary order: imports and exports with their types, core modules with
their sizes, imports and exports, core and component instances with their
arguments, aliases, types, canonical functions with their options, nested
components (indented), start functions, values and custom sections. Each
line starts with the byte offset of the item and says which index it
defines ("func 2 = canon lift ..."). The component is decoded, not
validated: run 'wasmcm validate' for that. A core module given as FILE is
shown as one core module.

--json writes the same tree as JSON: one object for the component,
  {"kind": "component", "offset", "size", "items": [...]}
where each item has these fields (omitted when empty):
  kind     what the item is: import, export, core-module, core-instance,
           core-type, component, instance, alias, type, canon, start,
           value, custom; in types: core-import, core-export, and the above
  sort     the index space it defines: "func", "core func", "type", ...
  index    its index in that space (with sort)
  name     the import, export or custom section name
  offset   where the item starts in FILE (bytes; -1 when unknown)
  size     the bytes of a core module, nested component, custom section
           or value
  type     the item's type, as text
  detail   what it is, as text ("canon lift core func 3 (type 2)")
  options  the canonical options ("memory 0", "string-encoding=utf8")
  args     instantiation arguments: {"name", "sort", "index"}
  imports, exports  a core module's or module type's, as
           {"module", "name", "type"} and {"name", "type"}
  items    the definitions of a nested component, or the declarations of
           a component or instance type`,
		Example: `  wasmcm inspect app.wasm
  wasmcm inspect --json app.wasm | jq '.items[] | select(.kind == "export")'`,
		Args: exactlyOne("FILE", "wasmcm inspect"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runInspect(io, args[0], asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "write the tree as JSON (fields described above)")
	return cmd
}

// inspected is one node of the tree inspect shows; its JSON form is the
// documented output of --json.
type inspected struct {
	Kind    string         `json:"kind"`
	Sort    string         `json:"sort,omitempty"`
	Index   *uint32        `json:"index,omitempty"`
	Name    string         `json:"name,omitempty"`
	Offset  int            `json:"offset"`
	Size    int            `json:"size,omitempty"`
	Type    string         `json:"type,omitempty"`
	Detail  string         `json:"detail,omitempty"`
	Options []string       `json:"options,omitempty"`
	Args    []inspectedArg `json:"args,omitempty"`
	Imports []coreImport   `json:"imports,omitempty"`
	Exports []coreExport   `json:"exports,omitempty"`
	Items   []*inspected   `json:"items,omitempty"`
}

type inspectedArg struct {
	Name  string `json:"name"`
	Sort  string `json:"sort"`
	Index uint32 `json:"index"`
}

type coreImport struct {
	Module string `json:"module"`
	Name   string `json:"name"`
	Type   string `json:"type"`
}

type coreExport struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

func runInspect(io IO, path string, asJSON bool) error {
	b, err := readWasm(io, path)
	if err != nil {
		return userErr(err)
	}
	var root *inspected
	if len(b) >= 8 && string(b[:4]) == "\x00asm" && b[6] == 0 && b[7] == 0 {
		info, err := wasm.ReadModule(b, 0)
		if err != nil {
			return userErr(locate(path, b, err))
		}
		root = coreModuleNode(info, 0, len(b), nil)
	} else {
		c, err := component.Decode(b)
		if err != nil {
			return userErr(locate(path, b, err))
		}
		root = inspectComponent(c, 0, len(b))
	}
	if asJSON {
		enc := json.NewEncoder(io.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(root)
	}
	return printTree(io.Stdout, root, 0)
}

// ---- building the tree ----

// spaces counts the definitions of each sort of a component or type, so
// that every item can say which index it defines; types remembers the
// types defined in place, so that imports and exports can show theirs.
type spaces struct {
	n        [component.SortInstance + 1]uint32
	types    map[uint32]component.Type
	coreFunc map[uint32]*wasm.FuncType // core types that are function types
}

func newSpaces() *spaces {
	return &spaces{types: map[uint32]component.Type{}, coreFunc: map[uint32]*wasm.FuncType{}}
}

// define takes the next index of sort s.
func (sp *spaces) define(s component.Sort) *uint32 {
	i := sp.n[s]
	sp.n[s]++
	return &i
}

func inspectComponent(c *component.Component, offset, size int) *inspected {
	root := &inspected{Kind: "component", Offset: offset, Size: size}
	sp := newSpaces()
	for i, s := range c.Sections {
		root.Items = append(root.Items, sectionNodes(c, i, s, sp, offset+size)...)
	}
	return root
}

// sectionNodes lists the definitions of section si of c, which ends at end
// (0: unknown).
func sectionNodes(c *component.Component, si int, s component.Section, sp *spaces, end int) []*inspected {
	secOff := c.SectionOffset(si)
	itemOff := func(j int) int { return c.ItemOffset(si, j) }
	var out []*inspected
	switch s := s.(type) {
	case *component.CustomSection:
		out = append(out, &inspected{Kind: "custom", Name: s.Name, Offset: secOff, Size: len(s.Data)})
	case *component.CoreModuleSection:
		out = append(out, coreModuleNode(s.Info, s.Offset, len(s.Bytes), sp.define(component.SortCoreModule)))
	case *component.CoreInstanceSection:
		for j := range s.Instances {
			in := &s.Instances[j]
			n := &inspected{Kind: "core-instance", Sort: "core instance", Index: sp.define(component.SortCoreInstance), Offset: itemOff(j)}
			if in.Instantiate {
				n.Detail = fmt.Sprintf("instantiate core module %d", in.Module)
				for _, a := range in.Args {
					n.Args = append(n.Args, inspectedArg{Name: a.Name, Sort: "core instance", Index: a.Instance})
				}
			} else {
				n.Detail = "exports"
				for _, e := range in.Exports {
					n.Args = append(n.Args, inspectedArg{Name: e.Name, Sort: e.Sort.String(), Index: e.Index})
				}
			}
			out = append(out, n)
		}
	case *component.CoreTypeSection:
		for j := range s.Types {
			out = append(out, coreTypeNodes(&s.Types[j], itemOff(j), sp)...)
		}
	case *component.ComponentSection:
		// The nested component's preamble follows the section's id and
		// size; it runs to the next section, or to the end of c.
		if next := c.SectionOffset(si + 1); next > 0 {
			end = next
		}
		start := end - 8 // an empty component is its preamble
		if len(s.Component.Sections) > 0 {
			start = s.Component.SectionOffset(0) - 8
		}
		size := 0
		if start >= 0 && end > start {
			size = end - start
		}
		n := inspectComponent(s.Component, secOff, size)
		n.Sort, n.Index = "component", sp.define(component.SortComponent)
		out = append(out, n)
	case *component.InstanceSection:
		for j := range s.Instances {
			in := &s.Instances[j]
			n := &inspected{Kind: "instance", Sort: "instance", Index: sp.define(component.SortInstance), Offset: itemOff(j)}
			if in.Instantiate {
				n.Detail = fmt.Sprintf("instantiate component %d", in.Component)
				for _, a := range in.Args {
					n.Args = append(n.Args, inspectedArg{Name: a.Name, Sort: a.Sort.String(), Index: a.Index})
				}
			} else {
				n.Detail = "exports"
				for _, e := range in.Exports {
					n.Args = append(n.Args, inspectedArg{Name: e.Name.Name, Sort: e.Sort.String(), Index: e.Index})
				}
			}
			out = append(out, n)
		}
	case *component.AliasSection:
		for j := range s.Aliases {
			out = append(out, aliasNode(&s.Aliases[j], itemOff(j), sp))
		}
	case *component.TypeSection:
		for j, t := range s.Types {
			out = append(out, typeNode(t, itemOff(j), sp))
		}
	case *component.CanonSection:
		for j := range s.Funcs {
			out = append(out, canonNode(&s.Funcs[j], itemOff(j), sp))
		}
	case *component.StartSection:
		n := &inspected{Kind: "start", Offset: secOff, Detail: fmt.Sprintf("start func %d", s.Func)}
		for _, a := range s.Args {
			n.Args = append(n.Args, inspectedArg{Sort: "value", Index: a})
		}
		for r := uint32(0); r < s.Results; r++ {
			n.Detail += fmt.Sprintf(" -> value %d", *sp.define(component.SortValue))
		}
		out = append(out, n)
	case *component.ImportSection:
		for j := range s.Imports {
			im := &s.Imports[j]
			out = append(out, &inspected{Kind: "import", Name: im.Name.Name, Sort: im.Type.Sort.String(),
				Index: sp.define(im.Type.Sort), Offset: itemOff(j), Type: externText(&im.Type, sp)})
		}
	case *component.ExportSection:
		for j := range s.Exports {
			ex := &s.Exports[j]
			n := &inspected{Kind: "export", Name: ex.Name.Name, Sort: ex.Sort.String(), Offset: itemOff(j),
				Detail: fmt.Sprintf("%s %d", ex.Sort, ex.Index)}
			if ex.Type != nil {
				n.Type = externText(ex.Type, sp)
			} else if ex.Sort == component.SortType {
				n.Type = knownType(ex.Index, sp)
			}
			// An export defines a new index of its sort.
			n.Index = sp.define(ex.Sort)
			out = append(out, n)
		}
	case *component.ValueSection:
		for j, v := range s.Values {
			out = append(out, &inspected{Kind: "value", Sort: "value", Index: sp.define(component.SortValue),
				Offset: itemOff(j), Size: len(v.Bytes), Type: v.Type.String()})
		}
	}
	return out
}

func coreModuleNode(info *wasm.ModuleInfo, offset, size int, index *uint32) *inspected {
	n := &inspected{Kind: "core-module", Offset: offset, Size: size}
	if index != nil {
		n.Sort, n.Index = "core module", index
	}
	for _, im := range info.Imports {
		n.Imports = append(n.Imports, coreImport{Module: im.Module, Name: im.Name, Type: coreExternText(im.Type, info.FuncType)})
	}
	for _, e := range info.Exports {
		t, ok := info.ExportType(e)
		text := e.Kind.String() + " (out of bounds)"
		if ok {
			text = coreExternText(t, info.FuncType)
		}
		n.Exports = append(n.Exports, coreExport{Name: e.Name, Type: text})
	}
	return n
}

func coreTypeNodes(ct *component.CoreType, offset int, sp *spaces) []*inspected {
	if ct.Module != nil {
		n := &inspected{Kind: "core-type", Sort: "core type", Index: sp.define(component.SortCoreType), Offset: offset, Detail: "module type"}
		// A module type has its own type index space.
		var types []*wasm.SubType
		ft := func(i uint32) *wasm.FuncType {
			if int64(i) < int64(len(types)) && types[i].Kind == wasm.CompFunc {
				return &types[i].Func
			}
			return nil
		}
		for i := range ct.Module.Decls {
			d := &ct.Module.Decls[i]
			switch d.Kind {
			case component.ModuleDeclType:
				for k := range d.Type.Types {
					types = append(types, &d.Type.Types[k])
				}
			case component.ModuleDeclAlias:
				types = append(types, &wasm.SubType{}) // an outer type, not shown
			case component.ModuleDeclImport:
				n.Imports = append(n.Imports, coreImport{Module: d.Import.Module, Name: d.Import.Name, Type: coreExternText(d.Import.Type, ft)})
			case component.ModuleDeclExport:
				n.Exports = append(n.Exports, coreExport{Name: d.Name, Type: coreExternText(d.Extern, ft)})
			}
		}
		return []*inspected{n}
	}
	var out []*inspected
	for k := range ct.Rec.Types {
		st := &ct.Rec.Types[k]
		idx := sp.define(component.SortCoreType)
		if st.Kind == wasm.CompFunc {
			sp.coreFunc[*idx] = &st.Func
		}
		out = append(out, &inspected{Kind: "core-type", Sort: "core type", Index: idx, Offset: offset, Type: subTypeText(st)})
	}
	return out
}

func subTypeText(st *wasm.SubType) string {
	switch st.Kind {
	case wasm.CompFunc:
		return st.Func.String()
	case wasm.CompStruct:
		return fmt.Sprintf("(struct %d fields)", len(st.Fields))
	case wasm.CompArray:
		return "(array)"
	}
	return "(cont)"
}

func aliasNode(a *component.Alias, offset int, sp *spaces) *inspected {
	n := &inspected{Kind: "alias", Sort: a.Sort.String(), Offset: offset}
	switch a.Target {
	case component.AliasExport:
		n.Detail = fmt.Sprintf("alias export %q of instance %d", a.Name, a.Instance)
	case component.AliasCoreExport:
		n.Detail = fmt.Sprintf("alias export %q of core instance %d", a.Name, a.Instance)
	case component.AliasOuter:
		n.Detail = fmt.Sprintf("alias outer %d %s %d", a.Count, a.Sort, a.Index)
	}
	n.Index = sp.define(a.Sort)
	return n
}

func typeNode(t component.Type, offset int, sp *spaces) *inspected {
	idx := sp.define(component.SortType)
	sp.types[*idx] = t
	n := &inspected{Kind: "type", Sort: "type", Index: idx, Offset: offset, Type: typeText(t)}
	var decls []component.Decl
	switch t := t.(type) {
	case *component.ComponentType:
		decls = t.Decls
	case *component.InstanceType:
		decls = t.Decls
	}
	if decls != nil {
		// Declarations have no offsets of their own here; they define
		// indices in the type's own spaces.
		inner := newSpaces()
		for i := range decls {
			n.Items = append(n.Items, declNode(&decls[i], inner))
		}
	}
	return n
}

func declNode(d *component.Decl, sp *spaces) *inspected {
	switch d.Kind {
	case component.DeclCoreType:
		ns := coreTypeNodes(d.CoreType, -1, sp)
		if len(ns) == 1 {
			return ns[0]
		}
		return &inspected{Kind: "core-type", Offset: -1, Items: ns, Detail: "recursion group"}
	case component.DeclType:
		return typeNode(d.Type, -1, sp)
	case component.DeclAlias:
		return aliasNode(d.Alias, -1, sp)
	}
	kind := "export"
	if d.Kind == component.DeclImport {
		kind = "import"
	}
	return &inspected{Kind: kind, Name: d.Name.Name, Sort: d.Extern.Sort.String(), Index: sp.define(d.Extern.Sort),
		Offset: -1, Type: externText(&d.Extern, sp)}
}

func canonNode(cf *component.Canon, offset int, sp *spaces) *inspected {
	n := &inspected{Kind: "canon", Offset: offset}
	op := cf.Op.String()
	switch cf.Op {
	case component.CanonLift:
		n.Sort, n.Index = "func", sp.define(component.SortFunc)
		n.Detail = fmt.Sprintf("canon lift core func %d (type %d)", cf.Func, cf.Type)
		n.Type = knownType(cf.Type, sp)
	case component.CanonLower:
		n.Sort, n.Index = "core func", sp.define(component.SortCoreFunc)
		n.Detail = fmt.Sprintf("canon lower func %d", cf.Func)
	default:
		n.Sort, n.Index = "core func", sp.define(component.SortCoreFunc)
		n.Detail = "canon " + op
		switch cf.Op {
		case component.CanonResourceNew, component.CanonResourceDrop, component.CanonResourceRep,
			component.CanonStreamNew, component.CanonStreamRead, component.CanonStreamWrite,
			component.CanonStreamCancelRead, component.CanonStreamCancelWrite,
			component.CanonStreamDropReadable, component.CanonStreamDropWritable,
			component.CanonFutureNew, component.CanonFutureRead, component.CanonFutureWrite,
			component.CanonFutureCancelRead, component.CanonFutureCancelWrite,
			component.CanonFutureDropReadable, component.CanonFutureDropWritable:
			n.Detail += fmt.Sprintf(" (type %d)", cf.Type)
			n.Type = knownType(cf.Type, sp)
		case component.CanonThreadSpawnRef, component.CanonThreadNewIndirect, component.CanonThreadSpawnIndirect:
			n.Detail += fmt.Sprintf(" (core type %d)", cf.Type)
			if cf.Op != component.CanonThreadSpawnRef {
				n.Detail += fmt.Sprintf(" (table %d)", cf.Index)
			}
		case component.CanonTaskReturn:
			if cf.Result != nil {
				n.Detail += " (result " + cf.Result.String() + ")"
			}
		case component.CanonContextGet, component.CanonContextSet:
			n.Detail += fmt.Sprintf(" %s %d", cf.ValType, cf.Index)
		case component.CanonWaitableSetWait, component.CanonWaitableSetPoll:
			n.Detail += fmt.Sprintf(" (memory %d)", cf.Index)
		}
		switch cf.Op {
		case component.CanonSubtaskCancel, component.CanonStreamCancelRead, component.CanonStreamCancelWrite,
			component.CanonFutureCancelRead, component.CanonFutureCancelWrite:
			if cf.Flag {
				n.Options = append(n.Options, "async")
			}
		case component.CanonWaitableSetWait, component.CanonWaitableSetPoll, component.CanonThreadYield,
			component.CanonThreadSuspend, component.CanonThreadSuspendThenResume, component.CanonThreadYieldThenResume,
			component.CanonThreadSuspendThenPromote, component.CanonThreadYieldThenPromote:
			if cf.Flag {
				n.Options = append(n.Options, "cancellable")
			}
		}
	}
	for _, o := range cf.Options {
		switch o.Kind {
		case component.OptMemory:
			n.Options = append(n.Options, fmt.Sprintf("memory %d", o.Index))
		case component.OptRealloc, component.OptPostReturn, component.OptCallback:
			n.Options = append(n.Options, fmt.Sprintf("%s core func %d", o.Kind, o.Index))
		case component.OptCoreType:
			n.Options = append(n.Options, fmt.Sprintf("core-type %d", o.Index))
		default:
			n.Options = append(n.Options, o.Kind.String())
		}
	}
	return n
}

// knownType is the text of type i when it was defined in place, else "".
func knownType(i uint32, sp *spaces) string {
	if t, ok := sp.types[i]; ok {
		return typeText(t)
	}
	return ""
}

// ---- types as text ----

// externText writes an import's or export's type: the sort and type index,
// and the type itself when it was defined in place.
func externText(t *component.ExternType, sp *spaces) string {
	switch t.Sort {
	case component.SortCoreModule:
		return fmt.Sprintf("core module (core type %d)", t.Index)
	case component.SortValue:
		return "value " + t.ValueType.String()
	case component.SortType:
		if t.SubResource {
			return "type (sub resource)"
		}
		s := fmt.Sprintf("type (eq %d)", t.Index)
		if k := knownType(t.Index, sp); k != "" {
			s += ": " + k
		}
		return s
	}
	s := fmt.Sprintf("%s (type %d)", t.Sort, t.Index)
	if k := knownType(t.Index, sp); k != "" && t.Sort == component.SortFunc {
		s += ": " + k
	}
	return s
}

func typeText(t component.Type) string {
	switch t := t.(type) {
	case *component.DefinedType:
		return definedText(t)
	case *component.FuncType:
		var b strings.Builder
		if t.Async {
			b.WriteString("async ")
		}
		b.WriteString("func(")
		for i, p := range t.Params {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(p.Name + ": " + p.Type.String())
		}
		b.WriteByte(')')
		if t.Result != nil {
			b.WriteString(" -> " + t.Result.String())
		}
		return b.String()
	case *component.ResourceType:
		s := "resource (rep " + t.Rep.String() + ")"
		if t.Dtor != nil {
			s += fmt.Sprintf(" (dtor core func %d)", *t.Dtor)
		}
		return s
	case *component.ComponentType:
		return fmt.Sprintf("component type (%d declarations)", len(t.Decls))
	case *component.InstanceType:
		return fmt.Sprintf("instance type (%d declarations)", len(t.Decls))
	}
	return "?"
}

func definedText(t *component.DefinedType) string {
	opt := func(v *component.ValType) string {
		if v == nil {
			return "_"
		}
		return v.String()
	}
	list := func(open, close string, parts []string) string {
		return open + strings.Join(parts, ", ") + close
	}
	switch t.Kind {
	case component.KindPrimitive:
		return t.Prim.String()
	case component.KindRecord:
		parts := make([]string, len(t.Fields))
		for i, f := range t.Fields {
			parts[i] = f.Name + ": " + f.Type.String()
		}
		return list("record { ", " }", parts)
	case component.KindVariant:
		parts := make([]string, len(t.Cases))
		for i, c := range t.Cases {
			parts[i] = c.Name
			if c.Type != nil {
				parts[i] += "(" + c.Type.String() + ")"
			}
		}
		return list("variant { ", " }", parts)
	case component.KindList:
		return "list<" + t.Elem.String() + ">"
	case component.KindFixedList:
		return "list<" + t.Elem.String() + ", " + strconv.FormatUint(uint64(t.Len), 10) + ">"
	case component.KindMap:
		return "map<" + t.Key.String() + ", " + t.Elem.String() + ">"
	case component.KindTuple:
		parts := make([]string, len(t.Types))
		for i, x := range t.Types {
			parts[i] = x.String()
		}
		return list("tuple<", ">", parts)
	case component.KindFlags:
		return list("flags { ", " }", t.Names)
	case component.KindEnum:
		return list("enum { ", " }", t.Names)
	case component.KindOption:
		return "option<" + t.Elem.String() + ">"
	case component.KindResult:
		if t.Ok == nil && t.Err == nil {
			return "result"
		}
		if t.Err == nil {
			return "result<" + opt(t.Ok) + ">"
		}
		return "result<" + opt(t.Ok) + ", " + opt(t.Err) + ">"
	case component.KindOwn:
		return fmt.Sprintf("own<(type %d)>", t.Resource)
	case component.KindBorrow:
		return fmt.Sprintf("borrow<(type %d)>", t.Resource)
	case component.KindStream, component.KindFuture:
		name := "stream"
		if t.Kind == component.KindFuture {
			name = "future"
		}
		if t.Payload == nil {
			return name
		}
		return name + "<" + t.Payload.String() + ">"
	}
	return fmt.Sprintf("defined type 0x%02x", byte(t.Kind))
}

// coreExternText writes a core import's or export's type.
func coreExternText(t wasm.ExternType, funcType func(uint32) *wasm.FuncType) string {
	limits := func(l wasm.Limits) string {
		s := strconv.FormatUint(l.Min, 10)
		if l.Max != nil {
			s += " " + strconv.FormatUint(*l.Max, 10)
		}
		if l.Is64 {
			s = "i64 " + s
		}
		if l.Shared {
			s += " shared"
		}
		return s
	}
	switch t.Kind {
	case wasm.ExternFunc, wasm.ExternFuncExact, wasm.ExternTag:
		kind := "func"
		if t.Kind == wasm.ExternTag {
			kind = "tag"
		}
		if ft := funcType(t.Index); ft != nil {
			return kind + " " + ft.String()
		}
		return fmt.Sprintf("%s (type %d)", kind, t.Index)
	case wasm.ExternMemory:
		return "memory " + limits(t.Memory.Limits)
	case wasm.ExternTable:
		return "table " + limits(t.Table.Limits) + " " + t.Table.Elem.String()
	case wasm.ExternGlobal:
		if t.Global.Mutable {
			return "global (mut " + t.Global.Val.String() + ")"
		}
		return "global " + t.Global.Val.String()
	}
	return t.Kind.String()
}

// ---- printing ----

// maxLine bounds a line's type text in the tree; --json has it whole.
const maxLine = 160

func printTree(w io.Writer, n *inspected, depth int) error {
	var b strings.Builder
	writeNode(&b, n, depth)
	_, err := io.WriteString(w, b.String())
	return err
}

func writeNode(b *strings.Builder, n *inspected, depth int) {
	off := "        -"
	if n.Offset >= 0 {
		off = fmt.Sprintf("%#9x", n.Offset)
	}
	b.WriteString(off + "  " + strings.Repeat("  ", depth))
	b.WriteString(nodeLine(n))
	b.WriteByte('\n')
	pad := "           " + strings.Repeat("  ", depth+1)
	for _, a := range n.Args {
		switch {
		case n.Kind == "start":
			fmt.Fprintf(b, "%swith %s %d\n", pad, a.Sort, a.Index)
		case n.Detail == "exports":
			fmt.Fprintf(b, "%sexport %q: %s %d\n", pad, a.Name, a.Sort, a.Index)
		default:
			fmt.Fprintf(b, "%swith %q: %s %d\n", pad, a.Name, a.Sort, a.Index)
		}
	}
	for _, im := range n.Imports {
		fmt.Fprintf(b, "%simport %q %q: %s\n", pad, im.Module, im.Name, im.Type)
	}
	for _, ex := range n.Exports {
		fmt.Fprintf(b, "%sexport %q: %s\n", pad, ex.Name, ex.Type)
	}
	for _, c := range n.Items {
		writeNode(b, c, depth+1)
	}
}

// nodeLine is the one-line description of a node: "func 2 = canon lift
// core func 3 (type 1): func(x: u32) [memory 0, realloc core func 4]".
func nodeLine(n *inspected) string {
	var s string
	if n.Index != nil {
		s = fmt.Sprintf("%s %d = ", n.Sort, *n.Index)
	}
	switch n.Kind {
	case "component":
		s += "component"
	case "core-module":
		s += "module"
	case "import", "core-import":
		s += fmt.Sprintf("import %q", n.Name)
	case "export", "core-export":
		s += fmt.Sprintf("export %q", n.Name)
	case "custom":
		s += fmt.Sprintf("custom section %q", n.Name)
	case "value":
		s += "value"
	}
	if n.Detail != "" {
		if n.Kind == "export" || n.Kind == "import" || n.Kind == "value" || n.Kind == "custom" {
			s += ": "
		}
		s += n.Detail
	}
	if n.Type != "" {
		t := n.Type
		if len(t) > maxLine {
			cut := maxLine
			for cut > 0 && !utf8.RuneStart(t[cut]) {
				cut--
			}
			t = t[:cut] + "…"
		}
		switch {
		case n.Kind == "export" && n.Detail != "":
			s += " as " + t
		case n.Kind == "import" || n.Kind == "export" || n.Kind == "value":
			s += ": " + t
		case n.Detail != "" || n.Kind == "canon":
			s += ": " + t
		default:
			s += t
		}
	}
	if n.Size > 0 {
		s += fmt.Sprintf(" (%d bytes)", n.Size)
	}
	if len(n.Options) > 0 {
		s += " [" + strings.Join(n.Options, ", ") + "]"
	}
	return strings.TrimSuffix(s, " = ")
}
