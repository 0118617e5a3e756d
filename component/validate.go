package component

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/wasmcm/wasmcm/internal/wasm"
)

// Features selects the gated proposals (Explainer.md, "Gated Features")
// that validation accepts.
type Features struct {
	Async             bool // 🔀 async, stream, future
	Map               bool // 🗺️ the map type
	Implements        bool // 🏷️ implements and external-id
	Values            bool // 🪙 value imports/exports and start
	NestedNames       bool // 🪺 nested namespaces and packages
	MoreAsyncBuiltins bool // 🚝 more options on async built-ins
	AsyncStackful     bool // 🚟 async lift without callback
	Threading         bool // 🧵 threading built-ins
	SharedThreads     bool // 🧵② shared-everything threads
	FixedLengthLists  bool // 🔧 fixed-length lists
	ErrorContext      bool // 📝 the error-context type
	CanonNames        bool // 🔗 canonical interface names
	Memory64          bool // 🐘 64-bit memories and contexts
	GC                bool // wasm-tools' GC canonical options
}

// DefaultFeatures are the features that shipped in a WASI release.
var DefaultFeatures = Features{Async: true, Map: true, Implements: true}

// AllFeatures enables every gated feature.
var AllFeatures = Features{
	Async: true, Map: true, Implements: true, Values: true, NestedNames: true,
	MoreAsyncBuiltins: true, AsyncStackful: true, Threading: true, SharedThreads: true,
	FixedLengthLists: true, ErrorContext: true, CanonNames: true, Memory64: true, GC: true,
}

// ValidationError says why a component is invalid: where (the byte offset
// of the offending item and its path of sections and items, e.g. "section
// 3 (type) > type 2 > declaration 1") and why.
type ValidationError struct {
	// Offset is where the innermost item of Where starts in the input
	// given to Decode, or -1 when the component was built rather than
	// decoded.
	Offset int
	Where  string
	Msg    string
}

// Error formats the error as "offset 0x2a: where: msg", like a
// DecodeError, leaving out what is unknown.
func (e *ValidationError) Error() string {
	var b strings.Builder
	if e.Offset >= 0 {
		fmt.Fprintf(&b, "offset 0x%x: ", e.Offset)
	}
	if e.Where != "" {
		b.WriteString(e.Where)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Validate checks c against the validation rules of the Component Model
// (Explainer.md, Binary.md, CanonicalABI.md) with the given features: index
// spaces, aliases, instantiation argument types (with subtyping), resource
// rules, names, canonical options and core module imports. Core function
// bodies are left to wazero, which validates them when it compiles; so are
// wasmtime's own restrictions (no root-level component imports, ...), which
// are the runtime's. c must be shaped as Decode makes it (a nil field that
// Decode always sets is a programming error). An error is a
// *ValidationError naming the section and item at fault.
func Validate(c *Component, f Features) error {
	v := validators.Get().(*validator)
	// The type arena takes an entry for most definitions (its own, or an
	// alias or a copy for exports and fresh resources; aliases of
	// instances and functions take none): a new validator sizes it once
	// rather than copy it as it doubles; a reused one has the room of
	// its earlier calls, and counting would cost more than growing.
	var types, keys int
	if cap(v.types) == 0 {
		defs, externs := countDefs(c)
		types, keys = defs*3/4+16, min(externs, 256)
	}
	v.reset(f, types, keys)
	_, err := v.component(c, nil, 0)
	v.reset(Features{}, 0, 0) // drop what refers to c before pooling
	validators.Put(v)
	return err
}

// validators keeps the scratch of finished Validate calls (the type arena,
// its slabs, name stacks) for the next call: a validator holds nothing a
// call returns, and reusing its memory leaves the collector only the
// decoded component's garbage, which was half of decode+validate's
// allocation. reset clears everything that refers to a component.
var validators = sync.Pool{New: func() any {
	v := &validator{}
	for _, k := range []interface{ setKeep() }{&v.scopes, &v.defs, &v.fns, &v.insts, &v.fields, &v.vals, &v.exportSlab, &v.tids, &v.opts, &v.coreSigs, &v.flatVals, &v.coreExps, &v.coreNames, &v.coreExts, &v.slots, &v.coreInsts, &v.rids} {
		k.setKeep()
	}
	return v
}}

// reset readies v for a call with features f whose arena will take about
// types entries and keys uniqueness keys, keeping the memory of earlier
// calls and zeroing what pointed into their components.
func (v *validator) reset(f Features, types, keys int) {
	v.f = f
	v.nextRID, v.off, v.decl, v.tooBig, v.nextSpace = 0, nil, 0, false, 0
	clear(v.where)
	v.where = v.where[:0]
	for _, s := range []interface{ reset() }{&v.scopes, &v.defs, &v.fns, &v.insts, &v.fields, &v.vals, &v.exportSlab, &v.tids, &v.opts, &v.coreSigs, &v.flatVals, &v.coreExps, &v.coreNames, &v.coreExts, &v.slots, &v.coreInsts, &v.rids} {
		s.reset()
	}
	clear(v.freeScopes)
	v.freeScopes = v.freeScopes[:0]
	v.types = reuse(v.types, types)
	// Defined types are about half of the arena, functions a quarter.
	v.defList = reuse(v.defList, types/2)
	v.fnList = reuse(v.fnList, types/4)
	v.instList = reuse(v.instList, 0)
	v.compList = reuse(v.compList, 0)
	v.memo.reset()
	v.ridSubst.reset()
	v.lent = v.lent[:0]
	clear(v.names[:cap(v.names)])
	v.keys = reuse(v.keys, keys)
	v.res = reuse(v.res, 0)
	// named stays zero past its length (setNamed reslices into it).
	clear(v.named)
	v.named = v.named[:0]
	clear(v.namedMore)
	clear(v.sameTypes)
	v.top.empty()
	v.topComp.empty()
	v.knownRes = ""
}

// empty empties s's lists, zeroing what they held and keeping their
// memory.
func (s *scope) empty() {
	*s = scope{
		coreTypes: emptied(s.coreTypes), coreModules: emptied(s.coreModules),
		types: emptied(s.types), funcs: emptied(s.funcs), values: emptied(s.values),
		instances: emptied(s.instances), components: emptied(s.components),
		imports: emptied(s.imports), exports: emptied(s.exports),
		importedRes: emptied(s.importedRes), definedRes: emptied(s.definedRes),
	}
}

// empty empties c's lists and map, zeroing what they held and keeping
// their memory.
func (c *componentScope) empty() {
	clear(c.localResources)
	*c = componentScope{
		coreFuncs: emptied(c.coreFuncs), coreTables: emptied(c.coreTables),
		coreMemories: emptied(c.coreMemories), coreGlobals: emptied(c.coreGlobals),
		coreTags: emptied(c.coreTags), coreInstances: emptied(c.coreInstances),
		localResources: c.localResources,
	}
}

// emptied is s[:0] after zeroing s.
func emptied[T any](s []T) []T {
	clear(s)
	return s[:0]
}

// reuse empties s, zeroing its old elements, and makes its capacity at
// least n.
func reuse[T any](s []T, n int) []T {
	clear(s)
	if cap(s) < n {
		return make([]T, 0, n)
	}
	return s[:0]
}

// countDefs counts the type-level definitions of c and the components and
// types it nests, and the imports and exports among them, to size the
// validator's arena and maps.
func countDefs(c *Component) (n, externs int) {
	var decls func(ds []Decl)
	decls = func(ds []Decl) {
		n += len(ds)
		for i := range ds {
			if k := ds[i].Kind; k == DeclImport || k == DeclExport {
				externs++
			}
			switch t := ds[i].Type.(type) {
			case *ComponentType:
				decls(t.Decls)
			case *InstanceType:
				decls(t.Decls)
			}
		}
	}
	for _, s := range c.Sections {
		switch s := s.(type) {
		case *ComponentSection:
			dn, de := countDefs(s.Component)
			n, externs = n+dn, externs+de
		case *TypeSection:
			n += len(s.Types)
			for _, t := range s.Types {
				switch t := t.(type) {
				case *ComponentType:
					decls(t.Decls)
				case *InstanceType:
					decls(t.Decls)
				}
			}
		case *ImportSection:
			n += len(s.Imports)
			externs += len(s.Imports)
		case *ExportSection:
			n += len(s.Exports)
			externs += len(s.Exports)
		case *AliasSection:
			n += len(s.Aliases)
		case *InstanceSection:
			n += len(s.Instances)
		case *CanonSection:
			n += len(s.Funcs)
		}
	}
	return n, externs
}

type validator struct {
	f       Features
	types   []vtype
	nextRID rid
	// where names the item being validated, for errors; it is formatted
	// only when there is an error.
	where []frame
	// off holds the offsets of the component being validated (nil when it
	// was built); decl counts the type declarations visited in it so far,
	// indexing off.decls.
	off  *offsets
	decl int
	// tooBig is set when a type reaches maxTypeSize.
	tooBig bool
	// The arena's storage (varena.go) and scratch space reused by every
	// substitution and label check of one Validate call.
	scopes     slab[scope]
	freeScopes []*scope
	defs       slab[vdef]
	fns        slab[vfunc]
	insts      slab[vinst]
	fields     slab[vfield]
	vals       slab[vval]
	exportSlab slab[vexport]
	// Canonical options and the core signatures of lifts and lowers, with
	// the scratch lists they are flattened into (lowerFunc).
	// The exports of core instances and modules (coreExports).
	coreExps  slab[coreExports]
	coreInsts slab[coreInstance]
	coreNames slab[string]
	coreExts  slab[coreExtern]
	slots     slab[labelSlot] // export indexes (vinst.index, coreExports.index)
	// importTab finds a module's duplicate imports (checkImportsUnique).
	importTab []labelSlot
	opts      slab[canonOpts]
	coreSigs  slab[wasm.FuncType]
	flatVals  slab[wasm.ValType]
	flatBuf   [3][]wasm.ValType
	// The bodies of the arena's types, by kind (vtype.body).
	defList  []*vdef
	fnList   []*vfunc
	instList []*vinst
	compList []*vcomp
	tids     slab[tid]
	rids     slab[rid]
	memo     tidMap
	lent     []bool // by rid: see freshenInstance
	ridSubst ridMap
	labels   []labelSlot // checkLabels' table
	names    []string
	// The names of every scope (vnames.go).
	nextSpace space
	keys      []keyEntry
	hkey      hashKey // of the name tables' hashes
	res       []resEntry
	named     [][2]space // by tid
	namedMore map[spaceTid]struct{}
	// sameTypes caches pairs of resource-free value types found equal, so
	// that comparing shared (DAG) types stays linear.
	sameTypes map[[2]tid]bool
	// top and topComp are the outermost component's scope, kept with
	// their lists' memory (newScope).
	top     scope
	topComp componentScope
	// knownRes is the last resource of a [method] or [static] name found
	// to be lower-case kebab (fastExternNameKnown).
	knownRes string
}

type scopeKind uint8

const (
	scopeComponent scopeKind = iota
	scopeComponentType
	scopeInstanceType
)

// coreType is an entry of a core type index space.
type coreType struct {
	sub    *wasm.SubType
	module *moduleType
}

// coreInstance is the type of a core instance: its exports.
type coreInstance struct {
	exports *coreExports
}

// coreExports are the named exports of a core module or instance, in
// order, with an index by name once they are more than a few (an engine's
// glue instances export hundreds): an open-addressing table of keyed
// hashes from the validator's slab, cheaper to fill than a map.
type coreExports struct {
	names []string
	types []coreExtern
	index []labelSlot // pos is the position in names plus one
	// next is where the last name found was, plus one: core instances
	// are instantiated and aliased mostly in the order of their exports
	// (a glue instance exports what a module imports, a shim instance's
	// exports are aliased one after another), so get tries it before
	// hashing. A hint only: it never decides what is found.
	next int32
}

const coreExportsIndexAbove = 8

// newCoreExports returns an empty list for n exports from the validator's
// pooled slabs: an engine's glue instances export hundreds.
func (v *validator) newCoreExports(n int) *coreExports {
	c := v.coreExps.one()
	c.names, c.types = v.coreNames.many(n)[:0], v.coreExts.many(n)[:0]
	if n > coreExportsIndexAbove {
		c.index = v.slots.many(tabSize(n))
	}
	return c
}

// addCoreExport appends an export to c; false when the name is taken.
func (v *validator) addCoreExport(c *coreExports, name string, t coreExtern) bool {
	p, ok := v.addCoreExportSlot(c, name)
	if ok {
		*p = t
	}
	return ok
}

// addCoreExportSlot appends an export named name to c and returns its
// type to fill in place (zero); false when the name is taken.
func (v *validator) addCoreExportSlot(c *coreExports, name string) (*coreExtern, bool) {
	pos := len(c.names)
	switch {
	case c.index == nil && pos < coreExportsIndexAbove:
		for _, n := range c.names {
			if n == name {
				return nil, false
			}
		}
	case c.index == nil || 2*(pos+1) > len(c.index):
		// First index, or a larger one (a module type adds its exports
		// one by one): entered anew from the names.
		if _, dup := v.coreExport(c, name); dup {
			return nil, false
		}
		c.index = v.slots.many(tabSize(pos + 1))
		key := v.hashKey()
		for i, n := range c.names {
			enterSlot(c.index, key.string(n), i)
		}
		enterSlot(c.index, key.string(name), pos)
	default:
		h := v.hashKey().string(name)
		mask := len(c.index) - 1
		slot := int(h) & mask
		for ; c.index[slot].pos != 0; slot = (slot + 1) & mask {
			if e := &c.index[slot]; e.h == h && c.names[e.pos-1] == name {
				return nil, false
			}
		}
		c.index[slot] = labelSlot{h: h, pos: int32(pos) + 1}
	}
	c.names = append(c.names, name)
	c.types = append(c.types, coreExtern{})
	return &c.types[pos], true
}

// enterSlot enters position i with hash h in tab.
func enterSlot(tab []labelSlot, h uint64, i int) {
	mask := len(tab) - 1
	slot := int(h) & mask
	for tab[slot].pos != 0 {
		slot = (slot + 1) & mask
	}
	tab[slot] = labelSlot{h: h, pos: int32(i) + 1}
}

// coreExport returns the type of c's export named name (in place: it is
// large).
func (v *validator) coreExport(c *coreExports, name string) (*coreExtern, bool) {
	if i := c.next; int(i) < len(c.names) && c.names[i] == name {
		c.next++
		return &c.types[i], true
	}
	if c.index == nil || len(c.names) == 0 {
		for i, n := range c.names {
			if n == name {
				c.next = int32(i) + 1
				return &c.types[i], true
			}
		}
		return nil, false
	}
	h := v.hashKey().string(name)
	mask := len(c.index) - 1
	for slot := int(h) & mask; c.index[slot].pos != 0; slot = (slot + 1) & mask {
		if e := &c.index[slot]; e.h == h && c.names[e.pos-1] == name {
			c.next = e.pos
			return &c.types[e.pos-1], true
		}
	}
	return nil, false
}

type valueEntry struct {
	t    vval
	used bool
}

// scope is one component, component type or instance type being validated,
// with its index spaces.
type scope struct {
	kind   scopeKind
	parent *scope

	// componentScope holds what only a component has; it is nil in a
	// component or instance type, whose declarations never reach it.
	*componentScope

	coreTypes   []coreType
	coreModules []*moduleType

	types      []tid
	funcs      []tid
	values     []valueEntry
	instances  []tid
	components []tid

	// expSpace and impSpace key the validator's maps of named types,
	// resource names and uniqueness keys for the exports and imports.
	expSpace, impSpace      space
	names                   nameMarks
	imports, exports        []vexport
	importedRes, definedRes []rid
}

// componentScope is the part of a scope that only components have: their
// core index spaces, local resources, start function and context type.
type componentScope struct {
	coreFuncs      []*wasm.FuncType
	coreTables     []wasm.TableType
	coreMemories   []wasm.MemoryType
	coreGlobals    []wasm.GlobalType
	coreTags       []*wasm.FuncType
	coreInstances  []*coreInstance
	localResources map[rid]wasm.ValType // resources defined here, by rep
	hasStart       bool
	contextType    *wasm.ValType
}

// newScope makes an empty scope.
func (v *validator) newScope(kind scopeKind, parent *scope) *scope {
	// Scopes are many (one per instance type) and large: a type's scope
	// ends with its declarations and is reused (freeScope); others come
	// from a slab rather than one allocation each.
	var s *scope
	switch n := len(v.freeScopes); {
	case kind == scopeComponent && parent == nil:
		// The outermost component's index spaces are kept by the
		// pooled validator (emptied by reset): an engine's component
		// has hundreds of functions, types and core instances, and
		// growing its lists was most of the validator's allocations.
		s = &v.top
		s.componentScope = &v.topComp
	case n > 0:
		s, v.freeScopes = v.freeScopes[n-1], v.freeScopes[:n-1]
	default:
		s = v.scopes.one()
	}
	s.kind, s.parent = kind, parent
	if kind == scopeComponent && s.componentScope == nil {
		s.componentScope = &componentScope{}
	}
	s.expSpace, s.impSpace = v.spaces()
	v.openNames(&s.names)
	return s
}

// freeScope makes the scope of a component or instance type, whose
// validation is over and which nothing refers to (its lists live on in the
// type), available to the next one.
func (v *validator) freeScope(s *scope) {
	*s = scope{}
	v.freeScopes = append(v.freeScopes, s)
}

// space returns s's namespace of imports (imp) or exports.
func (s *scope) space(imp bool) space {
	if imp {
		return s.impSpace
	}
	return s.expSpace
}

// frame is one step of the path to the item being validated: "what i" or
// "what i (detail)", starting at byte off (-1: unknown). It is kept small,
// with the word it starts with as a code (frameWords). The items of a
// section and the declarations of a type share one frame that the loop
// moves along (at, atDecl), and their offsets are looked up only for an
// error (lazy): a push, an offset and a pop per item were 4% of
// validation.
type frame struct {
	detail string
	i      int32
	off    int32
	what   frameWhat
	quote  bool // detail is a name, to be quoted
	lazy   frameOff
}

// frameOff says what a frame's off holds.
type frameOff uint8

const (
	offKnown frameOff = iota // the offset
	offItem                  // the section of item i, in v.off
	offDecl                  // the number of the declaration in v.off
)

// frameWhat is what a frame enters: an index into frameWords.
type frameWhat uint8

const (
	inSection frameWhat = iota
	inComponent
	inDeclaration
	inAlias
	inCanon
	inCoreInstance
	inCoreType
	inExport
	inImport
	inInstance
	inType
	inValue
)

var frameWords = [...]string{"section", "component", "declaration", "alias", "canon", "core instance",
	"core type", "export", "import", "instance", "type", "value"}

func (f *frame) String() string {
	s := frameWords[f.what]
	if f.i >= 0 {
		s += " " + strconv.Itoa(int(f.i))
	}
	switch {
	case f.quote:
		s += " (" + strconv.Quote(f.detail) + ")"
	case f.detail != "":
		s += " (" + f.detail + ")"
	}
	return s
}

func (v *validator) errf(format string, args ...any) error {
	e := &ValidationError{Offset: -1, Msg: fmt.Sprintf(format, args...)}
	parts := make([]string, len(v.where))
	for i := range v.where {
		parts[i] = v.where[i].String()
		if off := v.offset(&v.where[i]); off >= 0 {
			e.Offset = off
		}
	}
	e.Where = strings.Join(parts, " > ")
	return e
}

// push enters item i; off is where it starts (-1: unknown, and offsets
// past what int32 holds are unknown too). Items are at least a byte each,
// so i fits in an int32 wherever off does.
func (v *validator) push(what frameWhat, i int, detail string, quote bool, off int) {
	if off > math.MaxInt32 {
		off = -1
	}
	v.where = append(v.where, frame{what: what, i: int32(i), detail: detail, quote: quote, off: int32(off)})
}

// offset returns where f's item starts (-1: unknown). Lazy frames are all
// of the component being validated (a nested component is entered from
// its section's frame, which has its offset), so v.off has them.
func (v *validator) offset(f *frame) int {
	off := int(f.off)
	switch f.lazy {
	case offItem:
		off = v.off.item(off, int(f.i))
	case offDecl:
		if v.off == nil || off >= v.off.decls.n {
			return -1
		}
		off = v.off.decls.at(off)
	}
	if off > math.MaxInt32 {
		return -1
	}
	return off
}

// pushItems enters the items of section sec of the current component and
// returns the frame's index for at.
func (v *validator) pushItems(sec int, what frameWhat, quote bool) int {
	f := frame{what: what, quote: quote, off: int32(sec), lazy: offItem}
	if sec > math.MaxInt32 {
		f.off, f.lazy = -1, offKnown
	}
	v.where = append(v.where, f)
	return len(v.where) - 1
}

// at moves frame k (pushItems) to item i.
func (v *validator) at(k, i int, detail string) {
	f := &v.where[k]
	f.i, f.detail = int32(i), detail
	if i > math.MaxInt32 {
		f.off, f.lazy = -1, offKnown
	}
}

// pushDecls enters the declarations of a component or instance type and
// returns the frame's index for atDecl.
func (v *validator) pushDecls() int {
	v.where = append(v.where, frame{what: inDeclaration, lazy: offDecl})
	return len(v.where) - 1
}

// atDecl moves frame k (pushDecls) to declaration i: the next one in the
// order Decode recorded them.
func (v *validator) atDecl(k, i int) {
	f := &v.where[k]
	f.i, f.off = int32(i), int32(v.decl)
	if v.decl >= math.MaxInt32 {
		f.off, f.lazy = -1, offKnown
	}
	v.decl++
}

func (v *validator) pop() { v.where = v.where[:len(v.where)-1] }

var sectionNames = [...]string{"custom", "core module", "core instance", "core type", "component",
	"instance", "alias", "type", "canon", "start", "import", "export", "value"}

// component validates a component (nested in parent when non-nil) and
// returns its type.
func (v *validator) component(c *Component, parent *scope, depth int) (tid, error) {
	if depth > MaxNesting {
		return 0, v.errf("components nest deeper than %d levels", MaxNesting)
	}
	s := v.newScope(scopeComponent, parent)
	// Offsets are those of c while in it, then its parent's again.
	outerOff, outerDecl := v.off, v.decl
	v.off, v.decl = c.off, 0
	if v.off != nil && len(v.off.sections) != len(c.Sections) {
		v.off = nil // changed since it was decoded
	}
	defer func() { v.off, v.decl = outerOff, outerDecl }()
	// One frame moves along the sections (an engine's component has
	// hundreds, many of one item).
	v.push(inSection, 0, "", false, -1)
	k := len(v.where) - 1
	for i, sec := range c.Sections {
		f := &v.where[k]
		f.i, f.detail, f.off = int32(i), sectionNames[sec.ID()], -1
		if v.off != nil && v.off.sections[i] <= math.MaxInt32 {
			f.off = int32(v.off.sections[i])
		}
		if err := v.section(s, sec, i, depth); err != nil {
			return 0, err
		}
		if v.tooBig {
			return 0, v.errf("effective type size exceeds the limit of %d", maxTypeSize)
		}
	}
	v.pop()
	if v.off != nil {
		v.push(inComponent, -1, "", false, v.off.start)
		defer v.pop()
	}
	for i, val := range s.values {
		if !val.used {
			return 0, v.errf("value index %d was not used as part of an instantiation, start function, or export (every value must be used exactly once)", i)
		}
	}
	v.closeNames(&s.names)
	ct := &vcomp{imports: s.imports, exports: s.exports, imported: s.importedRes}
	// Resources defined by this component are exported fresh by each
	// instantiation.
	for r := range s.localResources {
		ct.defined = append(ct.defined, r)
	}
	ct.defined = append(ct.defined, s.definedRes...)
	return v.newType(vview{kind: vComponent, comp: ct}), nil
}

func (v *validator) section(s *scope, sec Section, si, depth int) error {
	switch sec := sec.(type) {
	case *CustomSection:
		return nil
	case *CoreModuleSection:
		mt, err := v.moduleFromInfo(sec.Info)
		if err != nil {
			return err
		}
		s.coreModules = append(s.coreModules, mt)
	case *CoreInstanceSection:
		k := v.pushItems(si, inCoreInstance, false)
		for i := range sec.Instances {
			v.at(k, i, "")
			if err := v.coreInstance(s, &sec.Instances[i]); err != nil {
				return err
			}
		}
		v.pop()
	case *CoreTypeSection:
		k := v.pushItems(si, inCoreType, false)
		for i := range sec.Types {
			v.at(k, i, "")
			if err := v.coreTypeDef(s, &sec.Types[i], depth); err != nil {
				return err
			}
		}
		v.pop()
	case *ComponentSection:
		t, err := v.component(sec.Component, s, depth+1)
		if err != nil {
			return err
		}
		s.components = append(s.components, t)
	case *InstanceSection:
		k := v.pushItems(si, inInstance, false)
		for i := range sec.Instances {
			v.at(k, i, "")
			if err := v.instance(s, &sec.Instances[i]); err != nil {
				return err
			}
		}
		v.pop()
	case *AliasSection:
		k := v.pushItems(si, inAlias, false)
		for i := range sec.Aliases {
			v.at(k, i, "")
			if err := v.aliasDef(s, &sec.Aliases[i]); err != nil {
				return err
			}
		}
		v.pop()
	case *TypeSection:
		k := v.pushItems(si, inType, false)
		for i, t := range sec.Types {
			v.at(k, i, "")
			id, err := v.typeDef(s, t, depth)
			if err != nil {
				return err
			}
			if v.tooBig {
				return v.errf("effective type size exceeds the limit of %d", maxTypeSize)
			}
			s.types = append(s.types, id)
		}
		v.pop()
	case *CanonSection:
		k := v.pushItems(si, inCanon, false)
		for i := range sec.Funcs {
			v.at(k, i, sec.Funcs[i].Op.String())
			if err := v.canon(s, &sec.Funcs[i]); err != nil {
				return err
			}
		}
		v.pop()
	case *StartSection:
		return v.start(s, sec)
	case *ImportSection:
		k := v.pushItems(si, inImport, true)
		for i := range sec.Imports {
			im := &sec.Imports[i]
			v.at(k, i, im.Name.Name)
			e, err := v.externType(s, &im.Type, true)
			if err != nil {
				return err
			}
			if err := v.addExtern(s, &im.Name, e, true); err != nil {
				return err
			}
		}
		v.pop()
	case *ExportSection:
		k := v.pushItems(si, inExport, true)
		for i := range sec.Exports {
			ex := &sec.Exports[i]
			v.at(k, i, ex.Name.Name)
			if err := v.export(s, ex); err != nil {
				return err
			}
		}
		v.pop()
	case *ValueSection:
		if !v.f.Values {
			return v.errf("value definitions need the 🪙 (values) feature")
		}
		k := v.pushItems(si, inValue, false)
		for i := range sec.Values {
			v.at(k, i, "")
			t, err := v.valType(s, sec.Values[i].Type)
			if err != nil {
				return err
			}
			s.values = append(s.values, valueEntry{t: t})
		}
		v.pop()
	}
	return nil
}

// ---- index space lookups ----

func (v *validator) typeAt(s *scope, i uint32) (tid, error) {
	if int64(i) >= int64(len(s.types)) {
		return 0, v.errf("type index out of bounds: %d (%d types defined)", i, len(s.types))
	}
	return s.types[i], nil
}

func (v *validator) funcAt(s *scope, i uint32) (tid, error) {
	if int64(i) >= int64(len(s.funcs)) {
		return 0, v.errf("function index out of bounds: %d (%d functions defined)", i, len(s.funcs))
	}
	return s.funcs[i], nil
}

func (v *validator) coreFuncAt(s *scope, i uint32) (*wasm.FuncType, error) {
	if int64(i) >= int64(len(s.coreFuncs)) {
		return nil, v.errf("core function index out of bounds: %d (%d core functions defined)", i, len(s.coreFuncs))
	}
	return s.coreFuncs[i], nil
}

func (v *validator) coreTypeAt(s *scope, i uint32) (coreType, error) {
	if int64(i) >= int64(len(s.coreTypes)) {
		return coreType{}, v.errf("core type index out of bounds: %d (%d core types defined)", i, len(s.coreTypes))
	}
	return s.coreTypes[i], nil
}

func (v *validator) coreFuncTypeAt(s *scope, i uint32) (*wasm.FuncType, error) {
	ct, err := v.coreTypeAt(s, i)
	if err != nil {
		return nil, err
	}
	if ct.sub == nil || ct.sub.Kind != wasm.CompFunc {
		return nil, v.errf("core type index %d is not a function type", i)
	}
	return &ct.sub.Func, nil
}

func (v *validator) memoryAt(s *scope, i uint32) (wasm.MemoryType, error) {
	if int64(i) >= int64(len(s.coreMemories)) {
		return wasm.MemoryType{}, v.errf("memory index out of bounds: %d (%d memories defined)", i, len(s.coreMemories))
	}
	return s.coreMemories[i], nil
}

// sortWord names a sort as the reference's messages do ("module").
func sortWord(s Sort) string {
	if s == SortCoreModule {
		return "module"
	}
	return s.String()
}

// valType resolves a value type of the binary into the arena, checking
// that an index names a defined value type.
func (v *validator) valType(s *scope, t ValType) (vval, error) {
	if t.Prim != 0 {
		if t.Prim == ErrorContext && !v.f.ErrorContext {
			return vval{}, v.errf("the error-context type needs the 📝 feature")
		}
		return vval{prim: t.Prim}, nil
	}
	id, err := v.typeAt(s, t.Index)
	if err != nil {
		return vval{}, err
	}
	if v.types[id].kind != vDefined {
		return vval{}, v.errf("type index %d is not a defined type (it is %s)", t.Index, v.types[id].kind.withArticle())
	}
	return vval{t: id}, nil
}

func (v *validator) optValType(s *scope, t *ValType) (*vval, error) {
	if t == nil {
		return nil, nil
	}
	x, err := v.valType(s, *t)
	if err != nil {
		return nil, err
	}
	p := v.vals.one()
	*p = x
	return p, nil
}

// resourceAt returns the type index i when it names a resource type.
func (v *validator) resourceAt(s *scope, i uint32) (tid, error) {
	id, err := v.typeAt(s, i)
	if err != nil {
		return 0, err
	}
	if v.types[id].kind != vResource {
		return 0, v.errf("type index %d is not a resource type", i)
	}
	return id, nil
}

// ---- core modules, types and instances ----

func (v *validator) moduleFromInfo(info *wasm.ModuleInfo) (*moduleType, error) {
	// Sized once: an engine's module imports and exports hundreds.
	// The imports are the module's own (shared, not copied: an engine's
	// module imports hundreds).
	mt := &moduleType{
		imports: info.Imports,
		itypes:  v.coreExts.many(len(info.Imports))[:0],
		exports: v.newCoreExports(len(info.Exports)),
	}
	ft := func(i uint32) *wasm.FuncType {
		if f := info.FuncType(i); f != nil {
			return f
		}
		return &wasm.FuncType{}
	}
	// conv fills ce in place: a core extern is a hundred bytes, and an
	// engine's module imports hundreds.
	conv := func(ce *coreExtern, t *wasm.ExternType) {
		if t.Kind == wasm.ExternFunc || t.Kind == wasm.ExternTag || t.Kind == wasm.ExternFuncExact {
			if info.FuncType(t.Index) == nil {
				*ce = coreExtern{kind: 0xff}
				return
			}
			*ce = coreExtern{kind: t.Kind, fn: ft(t.Index)}
			return
		}
		*ce = coreExtern{kind: t.Kind, table: t.Table, memory: t.Memory, global: t.Global}
	}
	if err := v.checkImportsUnique(info.Imports); err != nil {
		return nil, err
	}
	mt.itypes = mt.itypes[:len(info.Imports)]
	for i := range info.Imports {
		im := &info.Imports[i]
		if err := v.checkCoreLimits(&im.Type); err != nil {
			return nil, err
		}
		if conv(&mt.itypes[i], &im.Type); mt.itypes[i].kind == 0xff {
			return nil, v.errf("core module import %q %q: type index %d is not a function type", im.Module, im.Name, im.Type.Index)
		}
	}
	for _, m := range info.Memories {
		if err := v.checkCoreLimits(&wasm.ExternType{Kind: wasm.ExternMemory, Memory: m}); err != nil {
			return nil, err
		}
	}
	for _, t := range info.Tables {
		if err := v.checkCoreLimits(&wasm.ExternType{Kind: wasm.ExternTable, Table: t}); err != nil {
			return nil, err
		}
	}
	for _, e := range info.Exports {
		t, ok := info.ExportType(e)
		if !ok {
			return nil, v.errf("core module export %q: %s index %d out of bounds", e.Name, e.Kind, e.Index)
		}
		ce, ok := v.addCoreExportSlot(mt.exports, e.Name)
		if !ok {
			return nil, v.errf("core module export name %q is not unique", e.Name)
		}
		if conv(ce, &t); ce.kind == 0xff {
			return nil, v.errf("core module export %q has an invalid type", e.Name)
		}
	}
	return mt, nil
}

func (v *validator) coreTypeDef(s *scope, ct *CoreType, depth int) error {
	if ct.Module == nil {
		limit := len(s.coreTypes) + len(ct.Rec.Types)
		for i := range ct.Rec.Types {
			if err := v.checkCoreRefs(s.coreTypes, limit, &ct.Rec.Types[i]); err != nil {
				return err
			}
		}
		for i := range ct.Rec.Types {
			st := &ct.Rec.Types[i]
			s.coreTypes = append(s.coreTypes, coreType{sub: st})
		}
		return nil
	}
	// A module type gets its own, initially empty, type index space.
	mt := &moduleType{exports: v.newCoreExports(0)}
	seen := map[[2]string]bool{}
	var types []coreType
	resolve := func(t wasm.ExternType) (coreExtern, error) {
		ce := coreExtern{kind: t.Kind, table: t.Table, memory: t.Memory, global: t.Global}
		if t.Kind == wasm.ExternFunc || t.Kind == wasm.ExternTag || t.Kind == wasm.ExternFuncExact {
			if int64(t.Index) >= int64(len(types)) {
				return ce, v.errf("type index out of bounds: %d in a module type", t.Index)
			}
			if types[t.Index].sub == nil || types[t.Index].sub.Kind != wasm.CompFunc {
				return ce, v.errf("type index %d is not a function type", t.Index)
			}
			ce.fn = &types[t.Index].sub.Func
		}
		return ce, nil
	}
	for i := range ct.Module.Decls {
		d := &ct.Module.Decls[i]
		switch d.Kind {
		case ModuleDeclType:
			for j := range d.Type.Types {
				types = append(types, coreType{sub: &d.Type.Types[j]})
			}
		case ModuleDeclAlias:
			if d.Count == 0 {
				// count 0 is the module type itself, whose space is local.
				if int64(d.Index) >= int64(len(types)) {
					return v.errf("type index out of bounds: %d in a module type", d.Index)
				}
				types = append(types, types[d.Index])
				continue
			}
			target, err := v.outerScope(s, d.Count-1)
			if err != nil {
				return err
			}
			t, err := v.coreTypeAt(target, d.Index)
			if err != nil {
				return err
			}
			if t.module != nil {
				return v.errf("a module type cannot alias a module type")
			}
			types = append(types, t)
		case ModuleDeclImport:
			if k := [2]string{d.Import.Module, d.Import.Name}; seen[k] {
				return v.errf("duplicate import name `%s:%s`", d.Import.Module, d.Import.Name)
			} else {
				seen[k] = true
			}
			if err := v.checkCoreLimits(&d.Import.Type); err != nil {
				return err
			}
			ce, err := resolve(d.Import.Type)
			if err != nil {
				return err
			}
			mt.imports = append(mt.imports, d.Import)
			mt.itypes = append(mt.itypes, ce)
		case ModuleDeclExport:
			if err := v.checkCoreLimits(&d.Extern); err != nil {
				return err
			}
			ce, err := resolve(d.Extern)
			if err != nil {
				return err
			}
			if !v.addCoreExport(mt.exports, d.Name, ce) {
				return v.errf("export name `%s` already defined", d.Name)
			}
		}
	}
	s.coreTypes = append(s.coreTypes, coreType{module: mt})
	return nil
}

// checkCoreRefs checks the type indices a core type refers to: in range
// (limit counts the types of its own recursion group) and not module types.
func (v *validator) checkCoreRefs(space []coreType, limit int, st *wasm.SubType) error {
	check := func(i uint32) error {
		if int64(i) >= int64(limit) {
			return v.errf("type index out of bounds: %d", i)
		}
		if int(i) < len(space) && space[i].module != nil {
			return v.errf("type index %d is a module type", i)
		}
		return nil
	}
	val := func(t wasm.ValType) error {
		if (t.Code == wasm.Ref || t.Code == wasm.RefNull) && t.Heap.Abstract == 0 {
			return check(t.Heap.Index)
		}
		return nil
	}
	for _, sup := range st.Supers {
		if err := check(sup); err != nil {
			return err
		}
	}
	for _, p := range st.Func.Params {
		if err := val(p); err != nil {
			return err
		}
	}
	for _, r := range st.Func.Results {
		if err := val(r); err != nil {
			return err
		}
	}
	for _, f := range st.Fields {
		if f.Packed == 0 {
			if err := val(f.Val); err != nil {
				return err
			}
		}
	}
	if st.Kind == wasm.CompCont {
		return check(st.ContTypeIdx)
	}
	return nil
}

// checkImportUnique rejects a repeated two-level core import name, which
// would mangle to the same single-level name.
// checkImportsUnique rejects a module that imports the same module and
// name twice. An engine's module imports hundreds: they go through an
// open-addressing table of seeded hashes reused by every module, cheaper
// than a map keyed by both strings.
func (v *validator) checkImportsUnique(ims []wasm.Import) error {
	if len(ims) < 2 {
		return nil
	}
	key := v.hashKey()
	size, bits := 16, 4
	for size < 2*len(ims) {
		size, bits = size*2, bits+1
	}
	if cap(v.importTab) < size {
		v.importTab = make([]labelSlot, size)
	}
	tab := v.importTab[:size]
	clear(tab)
	// Imports come grouped by module name: its hash is made once a group.
	var hm uint64
	for i := range ims {
		im := &ims[i]
		if i == 0 || im.Module != ims[i-1].Module {
			hm = key.string(im.Module) * 0x9e3779b97f4a7c15
		}
		h := hm ^ key.string(im.Name)
		slot := int((h * 0x9e3779b97f4a7c15) >> (64 - bits))
		for tab[slot].pos != 0 {
			if p := &ims[tab[slot].pos-1]; tab[slot].h == h && p.Module == im.Module && p.Name == im.Name {
				return v.errf("duplicate import name `%s:%s`", im.Module, im.Name)
			}
			slot = (slot + 1) & (size - 1)
		}
		tab[slot] = labelSlot{h: h, pos: int32(i) + 1}
	}
	return nil
}

func pageLog2(m wasm.MemoryType) uint32 {
	if m.PageSizeLog2 != nil {
		return *m.PageSizeLog2
	}
	return 16
}

// checkCoreLimits checks the limits of a memory or table type.
func (v *validator) checkCoreLimits(t *wasm.ExternType) error {
	switch t.Kind {
	case wasm.ExternMemory:
		m := t.Memory
		pageLog2 := uint32(16)
		if m.PageSizeLog2 != nil {
			if *m.PageSizeLog2 != 0 && *m.PageSizeLog2 != 16 {
				return v.errf("invalid custom page size")
			}
			pageLog2 = *m.PageSizeLog2
		}
		limit := uint64(1) << (32 - pageLog2)
		if m.Is64 {
			limit = uint64(1) << (64 - pageLog2)
		}
		if m.Min > limit || (m.Max != nil && *m.Max > limit) {
			return v.errf("memory size must be at most %d pages", limit)
		}
		if m.Max != nil && *m.Max < m.Min {
			return v.errf("size minimum must not be greater than maximum")
		}
	case wasm.ExternTable:
		tt := t.Table
		if !tt.Is64 && (tt.Min > 0xffffffff || (tt.Max != nil && *tt.Max > 0xffffffff)) {
			return v.errf("table size must be at most 2^32-1")
		}
		if tt.Max != nil && *tt.Max < tt.Min {
			return v.errf("size minimum must not be greater than maximum")
		}
	}
	return nil
}

// outerScope returns the scope count levels out of s.
func (v *validator) outerScope(s *scope, count uint32) (*scope, error) {
	t := s
	for i := uint32(0); i < count; i++ {
		if t.parent == nil {
			return nil, v.errf("invalid outer alias count of %d", count)
		}
		t = t.parent
	}
	return t, nil
}

func (v *validator) coreInstance(s *scope, ci *CoreInstance) error {
	if !ci.Instantiate {
		inst := v.coreInsts.one()
		inst.exports = v.newCoreExports(len(ci.Exports))
		for i := range ci.Exports {
			e := &ci.Exports[i]
			slot, ok := v.addCoreExportSlot(inst.exports, e.Name)
			if !ok {
				return v.errf("export name `%s` already defined", e.Name)
			}
			if err := v.coreItem(slot, s, e.Sort, e.Index); err != nil {
				return err
			}
		}
		s.coreInstances = append(s.coreInstances, inst)
		return nil
	}
	if int64(ci.Module) >= int64(len(s.coreModules)) {
		return v.errf("unknown module %d: module index out of bounds", ci.Module)
	}
	mt := s.coreModules[ci.Module]
	// A module takes a few arguments: they are scanned, unless there are
	// so many that a map is cheaper.
	var byName map[string]*coreInstance
	if len(ci.Args) > 16 {
		byName = make(map[string]*coreInstance, len(ci.Args))
	}
	for i, a := range ci.Args {
		dup := false
		if byName != nil {
			_, dup = byName[a.Name]
		} else {
			for _, b := range ci.Args[:i] {
				dup = dup || a.Name == b.Name
			}
		}
		if dup {
			return v.errf("duplicate module instantiation argument named `%s`", a.Name)
		}
		if int64(a.Instance) >= int64(len(s.coreInstances)) {
			return v.errf("unknown core instance %d: instance index out of bounds", a.Instance)
		}
		if byName != nil {
			byName[a.Name] = s.coreInstances[a.Instance]
		}
	}
	arg := func(name string) *coreInstance {
		if byName != nil {
			return byName[name]
		}
		for _, a := range ci.Args {
			if a.Name == name {
				return s.coreInstances[a.Instance]
			}
		}
		return nil
	}
	// Imports come grouped by module name: the argument of one import is
	// usually the next one's too.
	var inst *coreInstance
	lastModule := ""
	for i := range mt.imports {
		im := &mt.imports[i]
		if inst == nil || im.Module != lastModule {
			if inst, lastModule = arg(im.Module), im.Module; inst == nil {
				return v.errf("missing module instantiation argument named `%s`", im.Module)
			}
		}
		got, ok := v.coreExport(inst.exports, im.Name)
		if !ok {
			return v.errf("module instantiation argument `%s` does not export an item named `%s`", im.Module, im.Name)
		}
		if err := v.coreExternSub(got, &mt.itypes[i]); err != nil {
			return v.errf("type mismatch for export `%s` of module instantiation argument `%s`: %v", im.Name, im.Module, err)
		}
	}
	inst = v.coreInsts.one()
	inst.exports = mt.exports
	s.coreInstances = append(s.coreInstances, inst)
	return nil
}

// coreItem fills ce with the type of a core definition by sort and index
// (in place: a core extern is a hundred bytes).
func (v *validator) coreItem(ce *coreExtern, s *scope, sort Sort, i uint32) error {
	oob := func(what string, n int) error {
		return v.errf("unknown %s %d: %s index out of bounds (%d)", what, i, what, n)
	}
	switch sort {
	case SortCoreFunc:
		if int64(i) >= int64(len(s.coreFuncs)) {
			return oob("function", len(s.coreFuncs))
		}
		ce.kind, ce.fn = wasm.ExternFunc, s.coreFuncs[i]
	case SortCoreTable:
		if int64(i) >= int64(len(s.coreTables)) {
			return oob("table", len(s.coreTables))
		}
		ce.kind, ce.table = wasm.ExternTable, s.coreTables[i]
	case SortCoreMemory:
		if int64(i) >= int64(len(s.coreMemories)) {
			return oob("memory", len(s.coreMemories))
		}
		ce.kind, ce.memory = wasm.ExternMemory, s.coreMemories[i]
	case SortCoreGlobal:
		if int64(i) >= int64(len(s.coreGlobals)) {
			return oob("global", len(s.coreGlobals))
		}
		ce.kind, ce.global = wasm.ExternGlobal, s.coreGlobals[i]
	case SortCoreTag:
		if int64(i) >= int64(len(s.coreTags)) {
			return oob("tag", len(s.coreTags))
		}
		ce.kind, ce.fn = wasm.ExternTag, s.coreTags[i]
	default:
		return v.errf("a core instance cannot export a %s", sort)
	}
	return nil
}

// refName writes a reference type with the text format's shorthands
// (funcref, externref) where there is one, as the reference's messages do.
func refName(t wasm.ValType) string {
	switch t.Canonical() {
	case wasm.ValFuncRef.Canonical():
		return "funcref"
	case wasm.ValExternRef.Canonical():
		return "externref"
	}
	return t.String()
}

func limitsSub(a, b wasm.Limits) bool {
	if a.Min < b.Min {
		return false
	}
	if b.Max != nil && (a.Max == nil || *a.Max > *b.Max) {
		return false
	}
	return true
}

// coreExternSub checks that a core item of type a may be given where b is
// expected (core import matching).
func (v *validator) coreExternSub(a, b *coreExtern) error {
	ka, kb := a.kind, b.kind
	if ka == wasm.ExternFuncExact {
		ka = wasm.ExternFunc
	}
	if kb == wasm.ExternFuncExact {
		kb = wasm.ExternFunc
	}
	if ka != kb {
		return fmt.Errorf("expected %s, found %s", kb, ka)
	}
	switch ka {
	case wasm.ExternFunc, wasm.ExternTag:
		if !a.fn.Equal(b.fn) {
			// Two lines, aligned, as the reference writes them.
			return fmt.Errorf("expected: %s\nfound:    %s", b.fn, a.fn)
		}
	case wasm.ExternTable:
		if a.table.Elem.Canonical() != b.table.Elem.Canonical() {
			return fmt.Errorf("expected table element type %s, found %s", refName(b.table.Elem), refName(a.table.Elem))
		}
		if a.table.Is64 != b.table.Is64 || a.table.Shared != b.table.Shared || !limitsSub(a.table.Limits, b.table.Limits) {
			return fmt.Errorf("mismatch in table limits")
		}
	case wasm.ExternMemory:
		if a.memory.Shared != b.memory.Shared {
			return fmt.Errorf("mismatch in the shared flag for memories")
		}
		if a.memory.Is64 != b.memory.Is64 {
			return fmt.Errorf("mismatch in index type used for memories")
		}
		if pageLog2(a.memory) != pageLog2(b.memory) {
			return fmt.Errorf("mismatch in page size for memories")
		}
		if !limitsSub(a.memory.Limits, b.memory.Limits) {
			return fmt.Errorf("mismatch in memory limits")
		}
	case wasm.ExternGlobal:
		if a.global.Val.Canonical() != b.global.Val.Canonical() {
			return fmt.Errorf("expected global type %s, found %s", b.global.Val, a.global.Val)
		}
		if a.global.Mutable != b.global.Mutable || a.global.Shared != b.global.Shared {
			return fmt.Errorf("global mutability mismatch")
		}
	}
	return nil
}

// ---- aliases ----

func (v *validator) aliasDef(s *scope, a *Alias) error {
	switch a.Target {
	case AliasCoreExport:
		if int64(a.Instance) >= int64(len(s.coreInstances)) {
			return v.errf("unknown core instance %d: instance index out of bounds", a.Instance)
		}
		inst := s.coreInstances[a.Instance]
		ce, ok := v.coreExport(inst.exports, a.Name)
		if !ok {
			return v.errf("core instance %d has no export named `%s`", a.Instance, a.Name)
		}
		want := coreExternKind(a.Sort)
		k := ce.kind
		if k == wasm.ExternFuncExact {
			k = wasm.ExternFunc
		}
		if k != want {
			return v.errf("export `%s` for core instance %d is not a %s", a.Name, a.Instance, want)
		}
		switch a.Sort {
		case SortCoreFunc:
			s.coreFuncs = append(s.coreFuncs, ce.fn)
		case SortCoreTable:
			s.coreTables = append(s.coreTables, ce.table)
		case SortCoreMemory:
			s.coreMemories = append(s.coreMemories, ce.memory)
		case SortCoreGlobal:
			s.coreGlobals = append(s.coreGlobals, ce.global)
		case SortCoreTag:
			s.coreTags = append(s.coreTags, ce.fn)
		}
		return nil
	case AliasExport:
		if s.kind != scopeComponent && a.Sort != SortType && a.Sort != SortInstance {
			return v.errf("aliases in a component or instance type may only refer to types or instances")
		}
		if int64(a.Instance) >= int64(len(s.instances)) {
			return v.errf("unknown instance %d: instance index out of bounds", a.Instance)
		}
		it := v.tinst(s.instances[a.Instance])
		e, ok := v.lookup(it, a.Name)
		if !ok {
			return v.errf("instance %d has no export named `%s`", a.Instance, a.Name)
		}
		if e.sort != a.Sort {
			return v.errf("export `%s` for instance %d is not a %s (it is a %s)", a.Name, a.Instance, sortWord(a.Sort), sortWord(e.sort))
		}
		return v.addEntity(s, e)
	case AliasOuter:
		if s.kind != scopeComponent && a.Sort != SortType && a.Sort != SortCoreType {
			return v.errf("aliases in a component or instance type may only refer to types or instances (outer aliases only to types)")
		}
		target, err := v.outerScope(s, a.Count)
		if err != nil {
			return err
		}
		// Crossing a component boundary: resources would escape their
		// component.
		crosses := false
		for t, i := s, uint32(0); i < a.Count; i++ {
			if t.kind == scopeComponent {
				crosses = true
			}
			t = t.parent
		}
		switch a.Sort {
		case SortType:
			id, err := v.typeAt(target, a.Index)
			if err != nil {
				return err
			}
			if crosses && v.containsResource(id, map[tid]bool{}) {
				return v.errf("type index %d transitively refers to resources not defined in the current component (an outer alias cannot carry them in)", a.Index)
			}
			s.types = append(s.types, id)
		case SortCoreType:
			ct, err := v.coreTypeAt(target, a.Index)
			if err != nil {
				return err
			}
			s.coreTypes = append(s.coreTypes, ct)
		case SortComponent:
			if int64(a.Index) >= int64(len(target.components)) {
				return v.errf("unknown component %d: component index out of bounds", a.Index)
			}
			s.components = append(s.components, target.components[a.Index])
		case SortCoreModule:
			if int64(a.Index) >= int64(len(target.coreModules)) {
				return v.errf("unknown module %d: module index out of bounds", a.Index)
			}
			s.coreModules = append(s.coreModules, target.coreModules[a.Index])
		}
		return nil
	}
	return v.errf("invalid alias target")
}

// addEntity pushes a definition of the given type into its index space.
func (v *validator) addEntity(s *scope, e entity) error {
	switch e.sort {
	case SortFunc:
		s.funcs = append(s.funcs, e.t)
	case SortType:
		s.types = append(s.types, e.t)
	case SortInstance:
		s.instances = append(s.instances, e.t)
	case SortComponent:
		s.components = append(s.components, e.t)
	case SortCoreModule:
		s.coreModules = append(s.coreModules, e.mod)
	case SortValue:
		if !v.f.Values {
			return v.errf("values need the 🪙 (values) feature")
		}
		s.values = append(s.values, valueEntry{t: e.val})
	default:
		return v.errf("cannot define a %s here", e.sort)
	}
	return nil
}

// coreExternKind is the core extern kind of a core sort that names one
// (func, table, memory, global, tag), and an invalid kind otherwise.
func coreExternKind(s Sort) wasm.ExternKind {
	switch s {
	case SortCoreFunc:
		return wasm.ExternFunc
	case SortCoreTable:
		return wasm.ExternTable
	case SortCoreMemory:
		return wasm.ExternMemory
	case SortCoreGlobal:
		return wasm.ExternGlobal
	case SortCoreTag:
		return wasm.ExternTag
	}
	return 0xff
}
