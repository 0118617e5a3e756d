package runtime

import (
	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/wasm"
	"github.com/wasmcm/wasmcm/wit"
)

// This file is the flat plan a component compiles to. Compile interprets
// the component graph once, symbolically, with the root's imports as the
// only unknowns; what is left is a list of core modules, the core
// instantiations in the order they must happen with the exact instance
// each import module name resolves to, and the trampolines. Instantiate
// only walks these lists.

// plan is a compiled component.
type plan struct {
	modules   []planModule
	coreInsts []planCoreInst
	bundles   []planBundle
	tramps    []*planTramp
	// nlifted counts the lifted functions (liftedFunc.id).
	nlifted int
	// fused counts the fused adapters (core instances of generated
	// modules); when there are any, the flags live in a flags memory.
	fused int
	// comps counts the component instances the graph creates (the root is
	// 0); each gets its own handle table and may_enter/may_leave flags.
	comps     int
	compNames []string
	// compParents is the component instance each was instantiated in
	// (-1 for the root): entering an instance enters its ancestors too.
	compParents []int
	resources   []planResource
	// resourceOf maps a resource TypeDef to its index in resources.
	resourceOf map[wit.TypeID]int
	resolve    *wit.Resolve
	abi        *canon.ABI
	exports    *exportTree
	// imports lists the root's imports, for error messages.
	imports []string
	// hostNeeds are what the host must (or must not) supply.
	hostNeeds []hostNeed
	// refs are the core exports trampolines and lifted functions use
	// (memories, reallocs, post-returns, callees), resolved once the core
	// instance they name exists.
	refs      []coreRef
	refsOfIns [][]int // refs by core instance
	// usesContext marks the component instances that define context.get
	// or context.set: a call into one saves and clears its context slots
	// (a new task), so it is never fused.
	usesContext map[int]bool
}

// planModule is one core module to compile.
type planModule struct {
	bytes []byte
	info  *wasm.ModuleInfo
	name  string // for error messages: "module 2 of component 1"
	// emptyAs is the module name that stands for "" in bytes.
	emptyAs string
	// used is set once a core instantiation uses the module; wired when
	// its imports were rewritten for that instantiation (see
	// builder.wire), base then keeping the bytes before.
	used, wired bool
	base        []byte
	// mm is set once the module, having several memories, is lowered
	// (multimem.go): bytes is then the main module.
	mm *mmModule
}

// planCoreInst is one core instantiation: module with, for each import
// module name, either a real core instance (inst ≥ 0) or a bundle.
type planCoreInst struct {
	module int
	args   []planArg
}

// planArg supplies the import module name of a core instantiation.
type planArg struct {
	name    string
	inst    int // index in coreInsts, or -1
	bundle  int // index in bundles, or -1
	special argSpecial
}

// argSpecial names the runtime's own modules adapters import.
type argSpecial uint8

const (
	argNone   argSpecial = iota
	argFlags             // the instance's flags memory
	argTramps            // the trampolines' host module
)

// planBundle is a core instance made of exports of other instances and of
// trampolines (an "inline exports" core instance used as an instantiation
// argument). It becomes a generated core module that imports each item
// from where it lives and re-exports it under the bundle's name; when it
// holds only trampolines it is a host module instead.
type planBundle struct {
	items []bundleItem
	// shim is the generated re-export module (nil for a host bundle).
	shim []byte
	// sources are the core instances the shim imports from, by the module
	// names "0", "1", ... of its imports; the trampolines come from "t".
	sources []int
}

// bundleItem is one export of a bundle.
type bundleItem struct {
	name string
	item coreItem
}

// coreItemKind says where a core definition lives.
type coreItemKind uint8

const (
	coreFromInstance coreItemKind = iota + 1 // an export of a real core instance
	coreFromTramp                            // a trampoline (a Go host function)
)

// coreItem is a core function, table, memory or global as the plan knows
// it statically.
type coreItem struct {
	kind  coreItemKind
	ext   wasm.ExternKind
	inst  int    // coreFromInstance: index in plan.coreInsts
	name  string // coreFromInstance: the export name
	tramp int    // coreFromTramp
	typ   wasm.ExternType
	ftype *wasm.FuncType // for functions
}

// coreRef is a coreItem a trampoline or lifted function uses at run time.
type coreRef struct{ item coreItem }

// trampKind is what a trampoline does.
type trampKind uint8

const (
	trampLowerHost         trampKind = iota + 1 // canon lower of a host import
	trampLowerLifted                            // canon lower of a lifted function (component to component)
	trampResourceNew                            // canon resource.new
	trampResourceDrop                           // canon resource.drop
	trampResourceRep                            // canon resource.rep
	trampLowerImported                          // canon lower of a function of a linked component instance
	trampContextGet                             // canon context.get (slot in planTramp.slot)
	trampContextSet                             // canon context.set
	trampBackpressure                           // canon backpressure.inc/dec (delta in planTramp.slot)
	trampErrorContextNew                        // canon error-context.new
	trampErrorContextDebug                      // canon error-context.debug-message
	trampErrorContextDrop                       // canon error-context.drop
	// trampNeedsAsync is a built-in that only an async task can use
	// (task.return, waitables, streams, futures, threads): it checks
	// may_leave, as every built-in does, then traps with desc.
	trampNeedsAsync
	// trampLowerAsync is canon lower async of a lifted function: a
	// subtask (async.go).
	trampLowerAsync
	// trampAsync is one of the async built-ins async.go implements
	// (planTramp.op says which).
	trampAsync
)

// planTramp is one trampoline: a core function implemented by the runtime.
type planTramp struct {
	kind trampKind
	comp int // the component instance that defined it (lowering side)
	core canon.CoreFuncType
	// lower options, for the lowers.
	opts *planOpts
	// callee of trampLowerLifted, and its direct path when it has one.
	callee *liftedFunc
	copy   *copyPlan
	// host import of trampLowerHost: instance name ("" for root) and
	// function name.
	hostIface, hostName string
	sig                 *funcSig
	// resource of the built-ins.
	resource int
	// slot is the context slot of context.get/set, the delta of
	// backpressure.inc/dec.
	slot int
	desc string // for error messages
	// op is the built-in of trampAsync; mem the plan.refs index of the
	// memory of waitable-set.wait/poll.
	op  component.CanonOp
	mem int
	// elem is the payload type of the stream and future built-ins
	// (wit.NoneType for none); async the async flag of their cancels.
	elem  wit.Type
	async bool
}

// planOpts are canonical options resolved to plan references.
type planOpts struct {
	memory     int // index in plan.refs, or -1
	realloc    int
	postReturn int
	encoding   canon.StringEncoding
	addr       canon.AddrType
	// async is the async option; callback the plan.refs index of the
	// callback (-1 for none).
	async    bool
	callback int
}

// liftedFunc is a component function made by canon lift.
type liftedFunc struct {
	id   int // index among the plan's lifted functions
	comp int // the component instance that lifted it
	core int // plan.refs index of the core function
	// coreTramp is set when the lifted core function is itself a
	// trampoline (a lowered import lifted again).
	coreTramp int
	opts      *planOpts
	sig       *funcSig
	coreType  canon.CoreFuncType
	desc      string
}

// funcSig is a component function type in the shared model.
type funcSig struct {
	names  []string
	params []wit.Type
	result wit.Type
	// results is result as a list (empty or one type) for canon.
	results []wit.Type
	// async is the function type's async effect: a task of it may block
	// before it returns.
	async bool
}

// planResource is a resource type: defined by a component instance of the
// graph (a new type every instantiation) or imported from the host.
type planResource struct {
	name string
	comp int // defining component instance, -1 for an imported one
	dtor int // plan.refs index of the destructor, or -1
	// imported: the instance name and resource name in the Linker.
	hostIface, hostName string
	typ                 wit.TypeID
}

// exportTree is an exported component instance: functions and nested
// instances by name.
type exportTree struct {
	funcs     map[string]*exportFunc
	instances map[string]*exportTree
	// resources are exported resource types (index in plan.resources), so
	// that an instance linked through Linker.Instance supplies them.
	resources map[string]int
	names     []string // in order, for listing
}

// exportFunc is one exported function.
type exportFunc struct {
	name string
	f    *cfunc
}

// hostNeed is a condition on the host definitions: a function that must
// be defined, an instance that must not be something else, a resource
// that must equal another, an import the host cannot supply.
type hostNeed struct {
	kind        needKind
	iface, name string
	resource    int
	sort        component.Sort
}

type needKind uint8

const (
	needFunc needKind = iota + 1
	needInstance
	needSameResource
	needUnsupported
)
