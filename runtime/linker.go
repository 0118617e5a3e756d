package runtime

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/tetratelabs/wazero/api"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/wit"
)

// HostFunc is a host function in the dynamic form: it receives the lifted
// arguments and returns the results to lower, one Value per parameter and at
// most one result. Returning an error traps the calling guest; the error is
// returned from the outermost call that entered the guest.
type HostFunc func(ctx context.Context, args []canon.Value) ([]canon.Value, error)

// FlatFunc is a host function in the fast form, for hot paths: stack holds
// the flat core parameters on entry (as the import's lowered core signature
// lays them out) and receives the flat core results, exactly like a wazero
// stack-based host function. Strings, lists and spilled values are reached
// through caller, which gives the caller's memory, realloc and handle table.
// No Value is built and nothing is allocated by the runtime on this path.
type FlatFunc func(ctx context.Context, caller *Caller, stack []uint64) error

// Caller is the calling side of a lowered host import during one call: the
// canonical options the guest lowered the import with (memory, realloc,
// string encoding) and the handle table of the calling component instance.
// It is valid only during the call.
type Caller struct {
	cx     *canon.LiftLowerContext
	mem    api.Memory
	module api.Module
}

// Memory returns the caller's linear memory (the memory canonical option),
// or nil when the import was lowered without one.
func (c *Caller) Memory() api.Memory { return c.mem }

// Module returns the core module instance that made the call.
func (c *Caller) Module() api.Module { return c.module }

// Context returns the lift/lower context of the call: the caller's memory,
// realloc, string encoding and handle table, for use with the fast helpers
// of package canon (LiftString, LowerString, LiftList, LowerList, Region).
func (c *Caller) Context() *canon.LiftLowerContext { return c.cx }

// Linker holds the host definitions that satisfy a component's imports:
// functions and resource types, grouped by the instance (interface) that
// exports them, plus root-level functions. One Linker can serve many
// instantiations, also concurrently once it is no longer modified.
//
// Interface names are matched as the component model matches versions: an
// import of "wasi:io/streams@0.2.3" is served by a host definition of
// "wasi:io/streams@0.2.12" (same semver-compatible key, host version not
// lower), preferring an exact match and then the highest compatible version.
type Linker struct {
	instances map[string]*hostInstance // by exact name; "" holds root-level items
}

// NewLinker returns an empty Linker.
func NewLinker() *Linker {
	return &Linker{instances: map[string]*hostInstance{}}
}

// hostInstance is everything a Linker defines under one instance name.
type hostInstance struct {
	name     string
	base     string       // the name without its version
	version  *wit.Version // nil when unversioned
	funcs    map[string]*hostFunc
	resource map[string]*HostResource
	// comp is set when a whole component instance export is linked.
	comp       *Instance
	compExport string
}

// hostFunc is one host function definition, in either form.
type hostFunc struct {
	name    string
	dynamic HostFunc
	flat    FlatFunc
}

// HostResource is a resource type defined by the host. Values of it travel
// through the guest as handles in the guest's table; the host sees the rep,
// a number of its choosing (typically an index into its own table of
// objects).
type HostResource struct {
	iface, name string
	typ         *canon.ResourceType
}

// Name returns the resource's name as defined.
func (r *HostResource) Name() string { return r.name }

// Type returns the resource's run-time type: the identity its handles carry
// in a guest's table, so that a FlatFunc can turn a handle into its rep
// (Caller.Context().Table.ResourceRep).
func (r *HostResource) Type() *canon.ResourceType { return r.typ }

func (l *Linker) instance(name string) (*hostInstance, error) {
	if hi, ok := l.instances[name]; ok {
		return hi, nil
	}
	hi := &hostInstance{name: name, base: name, funcs: map[string]*hostFunc{}, resource: map[string]*HostResource{}}
	if i := strings.LastIndexByte(name, '@'); i > 0 {
		v, err := wit.ParseVersion(name[i+1:])
		if err != nil {
			return nil, fmt.Errorf("linker: instance name %q: bad version: %w", name, err)
		}
		hi.base, hi.version = name[:i], &v
	}
	l.instances[name] = hi
	return hi, nil
}

func (l *Linker) define(iface, name string, f *hostFunc) error {
	if name == "" {
		return fmt.Errorf("linker: function of %q has no name", iface)
	}
	hi, err := l.instance(iface)
	if err != nil {
		return err
	}
	if hi.comp != nil {
		return fmt.Errorf("linker: %q is already defined as a component instance", iface)
	}
	if _, dup := hi.funcs[name]; dup {
		return fmt.Errorf("linker: function %q of %q is defined twice", name, iface)
	}
	hi.funcs[name] = f
	return nil
}

// Func defines the host function name of the instance iface (an interface
// name such as "wasi:cli/environment@0.2.12"); iface "" defines a root-level
// function import. Its parameters and results are checked against the
// importing component's types when a component is instantiated.
func (l *Linker) Func(iface, name string, fn HostFunc) error {
	if fn == nil {
		return fmt.Errorf("linker: function %q of %q is nil", name, iface)
	}
	return l.define(iface, name, &hostFunc{name: name, dynamic: fn})
}

// FlatFunc defines a host function in the fast form (see FlatFunc).
func (l *Linker) FlatFunc(iface, name string, fn FlatFunc) error {
	if fn == nil {
		return fmt.Errorf("linker: function %q of %q is nil", name, iface)
	}
	return l.define(iface, name, &hostFunc{name: name, flat: fn})
}

// Resource defines the host resource type name of the instance iface.
// dtor, when not nil, runs with the rep when a guest drops the last owned
// handle. Host functions receive and return values of the resource as
// canon.Own(rep) and canon.Borrow(rep).
func (l *Linker) Resource(iface, name string, dtor func(ctx context.Context, rep uint32) error) (*HostResource, error) {
	hi, err := l.instance(iface)
	if err != nil {
		return nil, err
	}
	if _, dup := hi.resource[name]; dup {
		return nil, fmt.Errorf("linker: resource %q of %q is defined twice", name, iface)
	}
	r := &HostResource{iface: iface, name: name, typ: &canon.ResourceType{Name: name, Dtor: dtor}}
	hi.resource[name] = r
	return r, nil
}

// DefineResource defines an existing host resource type under another
// name too (the same type, not a new one).
func (l *Linker) DefineResource(iface, name string, r *HostResource) error {
	hi, err := l.instance(iface)
	if err != nil {
		return err
	}
	if _, dup := hi.resource[name]; dup {
		return fmt.Errorf("linker: resource %q of %q is defined twice", name, iface)
	}
	hi.resource[name] = r
	return nil
}

// Instance links the exported instance export of a component instance
// (export "" for the root instance itself: all of its exports) as the
// instance name, so that one component's exports serve another's imports.
// Calls between the two go through the runtime.
func (l *Linker) Instance(name string, inst *Instance, export string) error {
	hi, err := l.instance(name)
	if err != nil {
		return err
	}
	if len(hi.funcs) > 0 || len(hi.resource) > 0 || hi.comp != nil {
		return fmt.Errorf("linker: %q is already defined", name)
	}
	hi.comp, hi.compExport = inst, export
	return nil
}

// lookup finds the host instance serving an import named name: the exact
// name first, else the highest semver-compatible version not lower than
// the import's.
func (l *Linker) lookup(name string) *hostInstance {
	if l == nil {
		return nil
	}
	if hi, ok := l.instances[name]; ok {
		return hi
	}
	i := strings.LastIndexByte(name, '@')
	if i <= 0 {
		return nil
	}
	want, err := wit.ParseVersion(name[i+1:])
	if err != nil {
		return nil
	}
	base, key := name[:i], want.CompatKey()
	var best *hostInstance
	for _, hi := range l.instances {
		if hi.base != base || hi.version == nil || hi.version.CompatKey() != key || hi.version.Compare(want) < 0 {
			continue
		}
		if best == nil || hi.version.Compare(*best.version) > 0 {
			best = hi
		}
	}
	return best
}

// names lists the defined instance names, sorted, for error messages.
func (l *Linker) names() []string {
	var s []string
	for n := range l.instances {
		s = append(s, n)
	}
	sort.Strings(s)
	return s
}
