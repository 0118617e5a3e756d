package bindgen

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/wit"
)

// guestHost runs the example Go guest as a core wasip1 reactor on wazero
// and plays the component model's part by hand: it lowers arguments through
// the guest's cabi_realloc, calls the //go:wasmexport functions with flat
// values, lifts the results with canon and runs cabi_post_*.
type guestHost struct {
	t      testing.TB
	ctx    context.Context
	r      *wit.Resolve
	store  *wit.Interface
	mod    api.Module
	cx     *canon.LiftLowerContext
	logs   []string
	reps   map[uint32]uint32 // handle → rep of the exported bucket resource
	nextH  uint32
	prefix string
}

// buildExampleGuest builds examples/go-guest, cached under .cache/guests by
// a hash of its sources, package cm and the Go version.
func buildExampleGuest(t testing.TB) []byte {
	t.Helper()
	root := testutil.RepoRoot(t)
	key := map[string][]byte{"go-version": []byte(goruntime.Version())}
	for _, dir := range []string{"examples/go-guest", "bindgen/guest/cm"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") {
				return err
			}
			b, err := os.ReadFile(p)
			key[p[len(root):]] = b
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(root, ".cache", "guests", "go-guest-"+testutil.HashFiles(key))
	out := filepath.Join(dir, "guest.wasm")
	if b, err := os.ReadFile(out); err == nil {
		return b
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(testutil.GoCommand(t), "build", "-buildmode=c-shared", "-o", out+".tmp", "./examples/go-guest")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the example guest: %v\n%s", err, b)
	}
	if err := os.Rename(out+".tmp", out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newGuestHost(t testing.TB, wasm []byte, env map[string]string) *guestHost {
	t.Helper()
	ctx := context.Background()
	r, _, err := wit.Load(filepath.Join(testutil.RepoRoot(t), "examples/go-guest/wit"), wit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := &guestHost{t: t, ctx: ctx, r: r, reps: map[uint32]uint32{}, prefix: "example:guest/store@0.1.0#"}
	for _, i := range r.Interfaces {
		if i.Name == "store" {
			h.store = i
		}
	}
	rt := wazero.NewRuntime(ctx)
	t.Cleanup(func() { rt.Close(ctx) })
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)
	_, err = rt.NewHostModuleBuilder("$root").
		NewFunctionBuilder().WithFunc(func(ctx context.Context, m api.Module, ptr, n uint32) {
		b, _ := m.Memory().Read(ptr, n)
		h.logs = append(h.logs, string(b))
	}).Export("log").Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = rt.NewHostModuleBuilder("[export]example:guest/store@0.1.0").
		NewFunctionBuilder().WithFunc(func(rep uint32) uint32 {
		h.nextH++
		h.reps[h.nextH] = rep
		return h.nextH
	}).Export("[resource-new]bucket").
		NewFunctionBuilder().WithFunc(func(hd uint32) uint32 { return h.reps[hd] }).Export("[resource-rep]bucket").
		NewFunctionBuilder().WithFunc(func(hd uint32) { delete(h.reps, hd) }).Export("[resource-drop]bucket").
		Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cfg := wazero.NewModuleConfig().WithStartFunctions()
	for k, v := range env {
		cfg = cfg.WithEnv(k, v)
	}
	h.mod, err = rt.InstantiateWithConfig(ctx, wasm, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.mod.ExportedFunction("_initialize").Call(ctx); err != nil {
		t.Fatal(err)
	}
	realloc := h.mod.ExportedFunction("cabi_realloc")
	h.cx = &canon.LiftLowerContext{
		ABI:    canon.New(r, canon.Addr32),
		Memory: canon.MemoryOf(h.mod.Memory()),
		Realloc: func(ctx context.Context, old, oldSize, align, newSize uint64) (uint64, error) {
			res, err := realloc.Call(ctx, old, oldSize, align, newSize)
			if err != nil {
				return 0, err
			}
			return res[0], nil
		},
	}
	return h
}

// call calls exported function name of the store interface with args
// (a method's self is a rep: the guest implements the resource).
func (h *guestHost) call(name string, args ...canon.Value) canon.Value {
	h.t.Helper()
	f := h.store.Function(name)
	if f == nil {
		h.t.Fatalf("no function %s", name)
	}
	types := make([]wit.Type, len(f.Params))
	for i, p := range f.Params {
		types[i] = p.Type
	}
	cx := *h.cx
	var flat []uint64
	if f.Kind == wit.Method {
		// A borrow of a resource the callee implements is lowered as its
		// rep, which this fake host passes itself.
		flat = append(flat, uint64(args[0].Handle()))
		types, args = types[1:], args[1:]
	}
	flat, err := cx.LowerValues(h.ctx, canon.MaxFlatParams, types, args, nil, flat)
	if err != nil {
		h.t.Fatalf("lowering the arguments of %s: %v", name, err)
	}
	fn := h.mod.ExportedFunction(h.prefix + name)
	if fn == nil {
		h.t.Fatalf("the guest does not export %s", h.prefix+name)
	}
	res, err := fn.Call(h.ctx, flat...)
	if err != nil {
		h.t.Fatalf("calling %s: %v", name, err)
	}
	if f.Result == wit.NoneType {
		return canon.Value{}
	}
	if f.Kind == wit.Constructor {
		// The handle is in this fake host's table, not a canon one.
		if post := h.mod.ExportedFunction("cabi_post_" + h.prefix + name); post != nil {
			if _, err := post.Call(h.ctx, res...); err != nil {
				h.t.Fatal(err)
			}
		}
		return canon.Own(uint32(res[0]))
	}
	post := h.mod.ExportedFunction("cabi_post_" + h.prefix + name)
	cx.PostReturn = func(ctx context.Context, flat []uint64) error {
		if post == nil {
			return nil
		}
		_, err := post.Call(ctx, flat...)
		return err
	}
	vs, err := cx.LiftResults(h.ctx, []wit.Type{f.Result}, res)
	if err != nil {
		h.t.Fatalf("lifting the result of %s: %v", name, err)
	}
	return vs[0]
}

func TestExampleGuest(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a Go guest")
	}
	h := newGuestHost(t, buildExampleGuest(t), map[string]string{"GOGC": "1"})
	if got := h.call("word-count", canon.String("the quick  brown\tfox")); got.Uint() != 4 {
		t.Errorf("word-count = %v, want 4", got.Uint())
	}
	handle := h.call("[constructor]bucket", canon.String("b1")).Handle()
	rep := h.reps[handle]
	if rep == 0 {
		t.Fatalf("constructor returned handle %d that resource-new never made", handle)
	}
	self := canon.Borrow(rep)
	if v := h.call("[method]bucket.set", self, canon.String("k"), canon.String("v")); v.Case() != 0 {
		t.Fatalf("set = case %d, want ok", v.Case())
	}
	v := h.call("[method]bucket.get", self, canon.String("k"))
	if p, _ := v.Payload(); v.Case() != 0 || p.String() != "v" {
		t.Errorf("get(k) = case %d %q, want ok \"v\"", v.Case(), p.String())
	}
	v = h.call("[method]bucket.get", self, canon.String("nope"))
	e, _ := v.Payload()
	if v.Case() != 1 || e.Case() != 0 {
		t.Fatalf("get(nope) = case %d, want error not-found", v.Case())
	}
	if p, _ := e.Payload(); p.String() != "nope" {
		t.Errorf("not-found payload = %q", p.String())
	}
	for i := 0; i < 99; i++ {
		h.call("[method]bucket.set", self, canon.String(fmt.Sprintf("key%03d", i)), canon.String("x"))
	}
	v = h.call("[method]bucket.set", self, canon.String("one-too-many"), canon.String("x"))
	if e, _ := v.Payload(); v.Case() != 1 || e.Case() != 1 {
		t.Errorf("set past the limit = %d/%d, want error full", v.Case(), e.Case())
	}
	keys := h.call("[method]bucket.keys", self)
	if keys.Len() != 100 || keys.Index(0).String() != "k" || keys.Index(1).String() != "key000" {
		t.Errorf("keys: %d, first %q %q", keys.Len(), keys.Index(0).String(), keys.Index(1).String())
	}
	// The host drops the handle: the destructor runs the value's Drop.
	if _, err := h.mod.ExportedFunction(h.prefix+"[dtor]bucket").Call(h.ctx, uint64(rep)); err != nil {
		t.Fatal(err)
	}
	if len(h.logs) != 1 || h.logs[0] != "bucket b1 dropped" {
		t.Errorf("logs = %q", h.logs)
	}
}

// TestExampleGuestNoGrowth makes many calls that allocate on both sides of
// the boundary, with the guest's GC at its most eager: memory must stop
// growing once the heap has settled.
func TestExampleGuestNoGrowth(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a Go guest")
	}
	h := newGuestHost(t, buildExampleGuest(t), map[string]string{"GOGC": "1"})
	self := canon.Borrow(h.reps[h.call("[constructor]bucket", canon.String("b")).Handle()])
	long := canon.String(string(make([]byte, 300<<10))) // past the static arena
	round := func(i int) {
		k := canon.String(fmt.Sprintf("k%d", i%50))
		h.call("[method]bucket.set", self, k, canon.String(fmt.Sprintf("value %d", i)))
		if v := h.call("[method]bucket.get", self, k); v.Case() != 0 {
			t.Fatalf("call %d: get failed", i)
		}
		h.call("[method]bucket.keys", self)
		if i%1000 == 0 {
			h.call("word-count", long)
		}
	}
	for i := 0; i < 2000; i++ {
		round(i)
	}
	before := h.mod.Memory().Size()
	n := 34000
	for i := 0; i < n; i++ {
		round(i)
	}
	after := h.mod.Memory().Size()
	t.Logf("memory %d → %d bytes over %d rounds (%d export calls)", before, after, n, n*3+n/1000)
	if after > before+1<<20 {
		t.Errorf("memory grew from %d to %d bytes", before, after)
	}
}
