package runtime

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/internal/wasm"
	"github.com/wasmcm/wasmcm/wit"
)

// Instance is an instantiated component. Calls into one instance must not
// run concurrently: a component instance runs one thread of guest code at
// a time, as the component model specifies.
type Instance struct {
	c     *Compiled
	mods  []api.Module // core instances by plan index
	extra []api.Module // trampoline and bundle modules
	// flagsMod holds the flags memory when the plan has adapters.
	flagsMod api.Module
	comps    []compState
	res      []*canon.ResourceType
	tramps   []rtTramp
	refs     []rtRef
	lifted   []*rtLifted // by liftedFunc.id, made on first use
	// resources maps a resource TypeDef to its run-time type, for the
	// lift/lower contexts.
	resources func(wit.TypeID) *canon.ResourceType
	cc        callContext
	depth     int
	// dropper is the component instance running resource.drop, the
	// caller of a destructor.
	dropper *compState
	closed  bool
	// async is the async runtime (async.go), made on the first async
	// call, so that synchronous calls carry none of it.
	async *asyncRT
	// goLowered counts calls of a lowered lifted function of the graph
	// that went through Go instead of a fused adapter, for tests.
	goLowered int
}

// compState is the state of one component instance of the graph.
type compState struct {
	name      string
	parent    *compState
	table     canon.ResourceTable
	maxHandle int
	// flags are may_enter and may_leave (see fuse.go): two bytes of the
	// flags memory, or of a Go array when no adapter reads them.
	flags []byte
	// slots are the context.get/set storage of the task running in the
	// instance (the spec's thread storage, which starts at zero for every
	// task); saved keeps those of the tasks a call interrupted. Only kept
	// when usesContext.
	slots       [2]uint64
	saved       [][2]uint64
	usesContext bool
	// backpressure is the backpressure.inc/dec counter.
	backpressure int
}

// errorContext is an error context in a handle table.
type errorContext struct{ msg string }

// rtRef is a resolved core export. Functions are looked up on first use:
// wazero builds a call engine with its own stack for every
// ExportedFunction, too much to do for each reference at instantiation.
type rtRef struct {
	fn  api.Function
	mem api.Memory
	mod api.Module
}

// fn returns the core function of reference ri, or nil when its core
// instance does not exist yet.
func (inst *Instance) fn(ri int) api.Function {
	r := &inst.refs[ri]
	if r.fn == nil && r.mod != nil {
		r.fn = r.mod.ExportedFunction(inst.c.p.refs[ri].item.name)
	}
	return r.fn
}

// rtTramp is the run-time state of a trampoline.
type rtTramp struct {
	p      *planTramp
	host   *hostFunc
	comp   *compState
	cx     canon.LiftLowerContext
	caller Caller
	nflat  int // flat parameter count of the lowered signature
	scope  canon.BorrowScope
	busy   bool
	// linked component instance serving a host import.
	linked *Func
	// linkedCopy is the direct path to linked, when it has one.
	linkedCopy *copyPlan
	// flat is host.flat, when the host function has the fast form.
	flat FlatFunc
	// memRef is the plan.refs index of the memory option, or -1.
	memRef int
}

// rtLifted is the run-time state of a lifted function.
type rtLifted struct {
	p     *liftedFunc
	comp  *compState
	cx    canon.LiftLowerContext
	fn    api.Function
	post  api.Function
	stack []uint64
	post1 []uint64
	scope canon.BorrowScope
	nres  int
	// viaTramp is set when the lifted core function is a trampoline.
	viaTramp int
	// spilled tells that the results come back through a pointer,
	// argsSpilled that the arguments go through one.
	spilled, argsSpilled bool
}

// callContext is the context a guest runs with: it carries the instance so
// that the trampolines (host functions compiled once per Compiled) find
// their instance without a lookup.
type callContext struct {
	context.Context
	inst *Instance
}

type instanceKey struct{}

func (c *callContext) Value(k any) any {
	if _, ok := k.(instanceKey); ok {
		return c.inst
	}
	return c.Context.Value(k)
}

func instanceOf(ctx context.Context) *Instance {
	if cc, ok := ctx.(*callContext); ok {
		return cc.inst
	}
	inst, _ := ctx.Value(instanceKey{}).(*Instance)
	return inst
}

// enter returns the context to run guest code with; exit(ctx) must
// follow. The preallocated context is reused only when wazero keeps no
// reference to it after the call: with CloseOnContextDone a watcher
// goroutine reads it, so each call gets its own.
func (inst *Instance) enter(ctx context.Context) context.Context {
	if inst.depth == 0 && !inst.c.r.cfg.CloseOnContextDone {
		inst.depth++
		inst.cc.Context = ctx
		return &inst.cc
	}
	if instanceOf(ctx) == inst {
		return ctx
	}
	inst.depth++
	return &callContext{Context: ctx, inst: inst}
}

// exit undoes enter for the context it returned.
func (inst *Instance) exit(orig, entered context.Context) {
	if orig == entered {
		return
	}
	inst.depth--
	if inst.depth == 0 {
		inst.cc.Context = nil
	}
}

// Instantiate instantiates the component with the host definitions of l
// (which may be nil when the component imports nothing). Every import must
// be satisfied; the error names each one that is not.
func (c *Compiled) Instantiate(ctx context.Context, l *Linker) (*Instance, error) {
	r := c.r
	if n := r.instances.Add(1); n > int64(r.cfg.MaxInstances) {
		r.instances.Add(-1)
		return nil, fmt.Errorf("runtime: instance limit of %d reached", r.cfg.MaxInstances)
	}
	p := c.p
	inst := &Instance{c: c}
	inst.cc.inst = inst
	ok := false
	defer func() {
		if !ok {
			inst.Close(ctx)
		}
	}()
	inst.comps = make([]compState, p.comps)
	var flags []byte
	if p.fused > 0 {
		fm, err := r.wz.InstantiateModule(ctx, c.flagsMod, c.modConfig)
		if err != nil {
			return nil, fmt.Errorf("runtime: flags memory: %w", err)
		}
		inst.extra = append(inst.extra, fm)
		inst.flagsMod = fm
		flags, _ = fm.ExportedMemory("m").Read(0, uint32(2*p.comps))
	} else {
		flags = make([]byte, 2*p.comps)
	}
	for i := range inst.comps {
		inst.comps[i] = compState{name: p.compNames[i], maxHandle: r.cfg.MaxHandles, flags: flags[2*i : 2*i+2 : 2*i+2]}
		inst.comps[i].setEnter(true)
		inst.comps[i].setLeave(true)
		inst.comps[i].usesContext = p.usesContext[i]
		if pi := p.compParents[i]; pi >= 0 {
			inst.comps[i].parent = &inst.comps[pi]
		}
	}
	// Resources: generative ones per instance, imported ones from l.
	var missing []string
	inst.res = make([]*canon.ResourceType, len(p.resources))
	for i := range p.resources {
		pr := &p.resources[i]
		if pr.comp < 0 {
			hi := l.lookup(pr.hostIface)
			var hr *HostResource
			if hi != nil {
				hr = hi.resource[pr.hostName]
				if hr == nil && hi.comp != nil {
					// A resource of a component instance linked whole.
					if rt := hi.comp.linkedResource(hi.compExport, pr.hostName); rt != nil {
						inst.res[i] = rt
						continue
					}
				}
			}
			if hr == nil {
				missing = append(missing, fmt.Sprintf("resource %s", importDesc(pr.hostIface, pr.hostName)))
				continue
			}
			inst.res[i] = hr.typ
			continue
		}
		rt := &canon.ResourceType{Name: pr.name, Impl: &inst.comps[pr.comp]}
		if pr.dtor >= 0 {
			ref, cs := pr.dtor, &inst.comps[pr.comp]
			rt.Dtor = func(ctx context.Context, rep uint32) error {
				caller := inst.dropper
				if !cs.mayEnterFrom(caller) {
					return trapf("cannot enter component instance (%s) to run a destructor", cs.name)
				}
				fn := inst.fn(ref)
				if fn == nil {
					return trapf("destructor of resource %q is not instantiated yet", rt.Name)
				}
				cs.enterFrom(caller)
				stack := []uint64{uint64(rep)}
				if err := fn.CallWithStack(ctx, stack); err != nil {
					return cleanError(err)
				}
				cs.leaveTo(caller)
				return nil
			}
		}
		inst.res[i] = rt
	}
	inst.resources = func(id wit.TypeID) *canon.ResourceType {
		if i, ok := p.resourceOf[id]; ok {
			return inst.res[i]
		}
		return nil
	}
	for _, hn := range p.hostNeeds {
		switch hn.kind {
		case needFunc:
			hi := l.lookup(hn.iface)
			switch {
			case hi == nil || (hi.funcs[hn.name] == nil && hi.comp == nil):
				missing = append(missing, fmt.Sprintf("function %s was not found", importDesc(hn.iface, hn.name)))
			case hi.comp != nil:
				if _, err := hi.comp.linkedFunc(hi.compExport, hn.name); err != nil {
					missing = append(missing, fmt.Sprintf("function %s was not found: %v", importDesc(hn.iface, hn.name), err))
				}
			}
		case needInstance:
			if hi := l.lookup(hn.iface); hi != nil && hi.funcs[hn.name] != nil {
				missing = append(missing, fmt.Sprintf("instance %s: expected instance, found a function", importDesc(hn.iface, hn.name)))
			}
		case needSameResource:
			if hi := l.lookup(hn.iface); hi != nil {
				if hr := hi.resource[hn.name]; hr != nil && inst.res[hn.resource] != nil && hr.typ != inst.res[hn.resource] {
					missing = append(missing, fmt.Sprintf("resource %s: mismatched resource types", importDesc(hn.iface, hn.name)))
				}
			}
		case needUnsupported:
			what := "found nothing"
			if hi := l.lookup(hn.iface); hi != nil && hi.funcs[hn.name] != nil {
				what = "found a function"
			} else if l.lookup(hn.name) != nil {
				what = "found an instance"
			}
			missing = append(missing, fmt.Sprintf("%s %s: the host cannot supply it (%s)", hn.sort, importDesc(hn.iface, hn.name), what))
		}
	}
	if len(missing) > 0 {
		return nil, &LinkError{Missing: missing}
	}
	inst.refs = make([]rtRef, len(p.refs))
	inst.tramps = make([]rtTramp, len(p.tramps))
	for i, pt := range p.tramps {
		t := &inst.tramps[i]
		t.p, t.comp, t.memRef = pt, &inst.comps[pt.comp], -1
		if pt.kind == trampLowerHost {
			hi := l.lookup(pt.hostIface)
			if hi.comp != nil {
				f, err := hi.comp.linkedFunc(hi.compExport, pt.hostName)
				if err != nil {
					return nil, &LinkError{Missing: []string{fmt.Sprintf("function %s: %v", importDesc(pt.hostIface, pt.hostName), err)}}
				}
				t.linked = f
				// Values go straight from memory to memory when they can.
				if f.rt != nil && !f.rt.p.opts.async && !f.rt.p.sig.async {
					t.linkedCopy = planCopy(p.resolve, pt.sig, pt.opts, f.rt.p, true)
				}
			} else {
				t.host = hi.funcs[pt.hostName]
				t.flat = t.host.flat
			}
		}
		if pt.opts != nil {
			inst.initContext(&t.cx, pt.opts, pt.comp)
			t.caller.cx = &t.cx
			t.scope = canon.BorrowScope{}
			t.cx.Borrows = &t.scope
			t.nflat = len(pt.core.Params)
			t.memRef = pt.opts.memory
		}
	}

	// Instantiate the core modules in plan order. Each instantiation
	// resolves its import module names through *cur, set afresh for it.
	var args, shimArgs []modArg
	cur := &args
	rctx := experimental.WithImportResolver(experimental.WithMemoryAllocator(ctx, memoryAllocator{}), func(name string) api.Module {
		for _, a := range *cur {
			if a.name == name {
				return a.mod
			}
		}
		return nil
	})
	gctx := inst.enter(rctx)
	defer inst.exit(rctx, gctx)
	cfg := c.modConfig
	var shims []api.Module
	for i, pc := range p.coreInsts {
		args = args[:0]
		for _, a := range pc.args {
			var m api.Module
			switch {
			case a.special == argFlags:
				m = inst.flagsMod
			case a.special == argTramps:
				m = c.trampMod
			case a.inst >= 0:
				m = inst.mods[a.inst]
			case c.hostBundles[a.bundle] != nil:
				m = c.hostBundles[a.bundle]
			default:
				if shims == nil {
					shims = make([]api.Module, len(p.bundles))
				}
				if m = shims[a.bundle]; m != nil {
					break
				}
				pb := &p.bundles[a.bundle]
				shimArgs = append(shimArgs[:0], modArg{"t", c.trampMod})
				for k, src := range pb.sources {
					shimArgs = append(shimArgs, modArg{strconv.Itoa(k), inst.mods[src]})
				}
				cur = &shimArgs
				var err error
				m, err = r.wz.InstantiateModule(gctx, c.bundles[a.bundle], cfg)
				cur = &args
				if err != nil {
					return nil, fmt.Errorf("runtime: core instance %d: argument %q: %w", i, a.name, err)
				}
				inst.extra = append(inst.extra, m)
				shims[a.bundle] = m
			}
			args = append(args, modArg{a.name, m})
		}
		m, err := r.wz.InstantiateModule(gctx, c.mods[pc.module], cfg)
		inst.mods = append(inst.mods, m)
		if err != nil {
			return nil, fmt.Errorf("runtime: instantiating %s: %w", p.modules[pc.module].name, cleanError(err))
		}
		for _, ri := range p.refsOfIns[i] {
			it := p.refs[ri].item
			switch it.ext {
			case wasm.ExternFunc:
				inst.refs[ri].mod = m
			default:
				inst.refs[ri].mem = m.ExportedMemory(it.name)
			}
		}
	}
	ok = true
	return inst, nil
}

// modArg supplies an import module name of a core instantiation.
type modArg struct {
	name string
	mod  api.Module
}

// initContext fills a lift/lower context from canonical options.
func (inst *Instance) initContext(cx *canon.LiftLowerContext, o *planOpts, comp int) {
	p := inst.c.p
	cx.ABI = p.abi
	cx.StringEncoding = o.encoding
	cx.Table = &inst.comps[comp].table
	cx.Instance = &inst.comps[comp]
	cx.Resources = inst.resources
	cx.Async = &asyncValues{inst: inst, cs: &inst.comps[comp]}
	if o.memory >= 0 {
		ref := o.memory
		cx.Memory = lazyMemory{inst: inst, ref: ref}
	}
	if o.realloc >= 0 {
		ref := o.realloc
		cs := &inst.comps[comp]
		stack := make([]uint64, 4)
		cx.Realloc = func(ctx context.Context, oldPtr, oldSize, align, newSize uint64) (uint64, error) {
			fn := inst.fn(ref)
			if fn == nil {
				return 0, trapf("realloc is not instantiated yet")
			}
			stack = stack[:4]
			stack[0], stack[1], stack[2], stack[3] = oldPtr, oldSize, align, newSize
			prev := cs.canLeave()
			cs.setLeave(false)
			err := fn.CallWithStack(ctx, stack)
			cs.setLeave(prev)
			if err != nil {
				return 0, cleanError(err)
			}
			return uint64(uint32(stack[0])), nil
		}
	}
}

// lazyMemory is a canonical-options memory resolved at run time (the
// memory's core instance may be created after the function that names it).
type lazyMemory struct {
	inst *Instance
	ref  int
}

func (m lazyMemory) Bytes() []byte {
	mem := m.inst.refs[m.ref].mem
	if mem == nil {
		return nil
	}
	b, _ := mem.Read(0, mem.Size())
	return b
}

// LinkError says which imports a Linker does not satisfy.
type LinkError struct {
	Missing []string
}

func (e *LinkError) Error() string {
	return "runtime: unsatisfied imports: " + strings.Join(e.Missing, "; ")
}

// Close releases the instance's core module instances.
func (inst *Instance) Close(ctx context.Context) error {
	if inst.closed {
		return nil
	}
	inst.closed = true
	inst.c.r.instances.Add(-1)
	var err error
	for _, m := range inst.mods {
		if m != nil {
			err = errors.Join(err, m.Close(ctx))
		}
	}
	for _, m := range inst.extra {
		err = errors.Join(err, m.Close(ctx))
	}
	return err
}

// The entering set of a call is the callee's instance and its ancestors
// that are not also the caller's (all of them for a call from the host):
// a child may call its parent, a parent its child once, and no instance
// may be re-entered (CanonicalABI.md, ComponentInstance.entering_set).

func (c *compState) isSelfOrAncestorOf(d *compState) bool {
	for ; d != nil; d = d.parent {
		if d == c {
			return true
		}
	}
	return false
}

func (c *compState) mayEnterFrom(caller *compState) bool {
	for x := c; x != nil; x = x.parent {
		if !x.canEnter() && !x.isSelfOrAncestorOf(caller) {
			return false
		}
	}
	return true
}

func (c *compState) enterFrom(caller *compState) {
	if c.usesContext {
		// A new task: its context slots start at zero.
		c.saved = append(c.saved, c.slots)
		c.slots = [2]uint64{}
	}
	for x := c; x != nil; x = x.parent {
		if !x.isSelfOrAncestorOf(caller) {
			x.setEnter(false)
		}
	}
}

func (c *compState) leaveTo(caller *compState) {
	if c.usesContext && len(c.saved) > 0 {
		c.slots = c.saved[len(c.saved)-1]
		c.saved = c.saved[:len(c.saved)-1]
	}
	for x := c; x != nil; x = x.parent {
		if !x.isSelfOrAncestorOf(caller) {
			x.setEnter(true)
		}
	}
}
