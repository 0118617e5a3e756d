package bindgen

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/canon/wave"
	"github.com/wasmcm/wasmcm/runtime"
	"github.com/wasmcm/wasmcm/runtime/wasi"
	"github.com/wasmcm/wasmcm/wit"
)

const (
	kindsTypes = "test:kinds/types@0.1.0"
	kindsAPI   = "test:kinds/api@0.1.0"
)

var (
	kindsOnce  sync.Once
	kindsGuest *goGuest
	kindsComp  []byte
)

// kindsComponent builds testdata/kindsguest (every type kind, both
// directions) and makes it a component with wasmcm's adapter.
func kindsComponent(t testing.TB) (*goGuest, []byte) {
	t.Helper()
	if testing.Short() {
		t.Skip("skipped in -short: builds a Go guest")
	}
	kindsOnce.Do(func() {
		g := buildGoGuest(t, "testdata/kinds", "kinds", "testdata/kindsguest")
		kindsGuest, kindsComp = g, g.component(t, nil)
	})
	if kindsGuest == nil {
		t.Fatal("the kinds guest failed to build in an earlier test")
	}
	return kindsGuest, kindsComp
}

// kindsHost serves the imports of the kinds world from Go: every echo-*
// returns its arguments, and it records what each import received, in
// WAVE, to check what the guest lowered.
type kindsHost struct {
	r        *wit.Resolve
	mu       sync.Mutex
	got      map[string][]string // import → WAVE arguments, in call order
	logs     []string
	counters map[uint32]uint32 // rep → value of the host's counters
	names    map[uint32]string
	nextRep  uint32
	dtors    int
	// quiet stops recording arguments and log lines (long runs count
	// them instead).
	quiet   bool
	nlogs   int
	memSize uint32 // the guest's memory size at the last log call
}

func newKindsHost(t testing.TB, r *wit.Resolve, l *runtime.Linker) *kindsHost {
	h := &kindsHost{r: r, got: map[string][]string{}, counters: map[uint32]uint32{}, names: map[uint32]string{}}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var api, types *wit.Interface
	for _, i := range r.Interfaces {
		switch i.Name {
		case "api":
			api = i
		case "types":
			types = i
		}
	}
	// record wraps fn so that the arguments of import name of iface are
	// kept in WAVE.
	record := func(iface *wit.Interface, name string, fn runtime.HostFunc) runtime.HostFunc {
		f := iface.Function(name)
		if f == nil {
			t.Fatalf("no function %s", name)
		}
		ts := make([]wit.Type, len(f.Params))
		for i, p := range f.Params {
			ts[i] = p.Type
		}
		return func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
			if h.quiet {
				return fn(ctx, args)
			}
			s, err := wave.FormatValues(r, ts, args)
			if err != nil {
				return nil, fmt.Errorf("%s: formatting the arguments: %v", name, err)
			}
			h.mu.Lock()
			if !h.quiet {
				h.got[name] = append(h.got[name], s)
			}
			h.mu.Unlock()
			return fn(ctx, args)
		}
	}
	echo := func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
		return []canon.Value{args[0]}, nil
	}
	fixed := map[string]runtime.HostFunc{
		"echo-color": func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
			return []canon.Value{canon.Tuple(args[0], args[1])}, nil
		},
		"echo-f32": func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
			return []canon.Value{canon.F64(float64(args[0].Float32()) + args[1].Float64())}, nil
		},
		"check": func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
			if args[0].Bool() {
				return []canon.Value{canon.Ok(canon.String("fine"))}, nil
			}
			return []canon.Value{canon.Err(canon.Variant(0, canon.String("nothing here")))}, nil
		},
		"check-simple": func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
			if args[0].Bool() {
				return []canon.Value{canon.Ok(canon.U32(3))}, nil
			}
			return []canon.Value{canon.Err(canon.Enum(0))}, nil
		},
		"check-unit": func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
			if args[0].Bool() {
				return []canon.Value{canon.Ok(canon.Value{})}, nil
			}
			return []canon.Value{canon.Err(canon.Value{})}, nil
		},
		"check-str": func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
			if args[0].Bool() {
				return []canon.Value{canon.Ok(canon.Value{})}, nil
			}
			return []canon.Value{canon.Err(canon.String("host says no"))}, nil
		},
		"many": func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
			var sum uint32
			for _, a := range args[:10] {
				sum += uint32(a.Uint())
			}
			for _, a := range args[10:14] {
				sum += uint32(len(a.String()))
			}
			sum += uint32(args[14].Uint()) + uint32(args[15].Float32())
			return []canon.Value{canon.U32(sum)}, nil
		},
		"type": func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
			return []canon.Value{canon.U32(uint32(args[0].Uint()) + uint32(len(args[1].String())) + uint32(args[2].Uint()) + uint32(args[3].Uint()) + uint32(args[4].Uint()))}, nil
		},
		"nothing": func(ctx context.Context, args []canon.Value) ([]canon.Value, error) { return nil, nil },
		"counter-total": func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
			return []canon.Value{canon.U32(h.counter(args[0].Handle()))}, nil
		},
		"take-counter": func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
			// The host owns it now, and is done with it.
			rep := args[0].Handle()
			v := h.counter(rep)
			h.drop(rep)
			return []canon.Value{canon.U32(v)}, nil
		},
		"make-counter": func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
			return []canon.Value{canon.Own(h.newCounter(uint32(args[0].Uint())))}, nil
		},
	}
	for name, fn := range fixed {
		must(l.Func(kindsAPI, name, record(api, name, fn)))
	}
	for _, f := range api.Functions {
		if _, ok := fixed[f.Name]; !ok && strings.HasPrefix(f.Name, "echo-") {
			must(l.Func(kindsAPI, f.Name, record(api, f.Name, echo)))
		}
	}
	_, err := l.Resource(kindsTypes, "counter", func(ctx context.Context, rep uint32) error {
		h.mu.Lock()
		h.dtors++
		h.mu.Unlock()
		h.drop(rep)
		return nil
	})
	must(err)
	res := map[string]runtime.HostFunc{
		"[constructor]counter": func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
			return []canon.Value{canon.Own(h.newCounter(uint32(args[0].Uint())))}, nil
		},
		"[method]counter.add": func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.counters[args[0].Handle()] += uint32(args[1].Uint())
			return []canon.Value{canon.U32(h.counters[args[0].Handle()])}, nil
		},
		"[method]counter.get": func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
			return []canon.Value{canon.U32(h.counter(args[0].Handle()))}, nil
		},
		"[method]counter.name": func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			return []canon.Value{canon.String(h.names[args[0].Handle()])}, nil
		},
		"[static]counter.merge": func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
			return []canon.Value{canon.Own(h.newCounter(h.counter(args[0].Handle()) + h.counter(args[1].Handle())))}, nil
		},
	}
	for name, fn := range res {
		must(l.Func(kindsTypes, name, record(types, name, fn)))
	}
	// log is a flat function, to see the guest's memory.
	must(l.FlatFunc("", "log", func(ctx context.Context, c *runtime.Caller, stack []uint64) error {
		m := c.Memory()
		b, ok := m.Read(uint32(stack[0]), uint32(stack[1]))
		if !ok {
			return fmt.Errorf("log: string at %d+%d is outside memory", stack[0], stack[1])
		}
		h.mu.Lock()
		h.nlogs++
		if !h.quiet {
			h.logs = append(h.logs, string(b))
		}
		h.memSize = m.Size()
		h.mu.Unlock()
		return nil
	}))
	return h
}

func (h *kindsHost) newCounter(v uint32) uint32 {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.nextRep++
	h.counters[h.nextRep] = v
	h.names[h.nextRep] = fmt.Sprintf("host%d", v)
	return h.nextRep
}

func (h *kindsHost) counter(rep uint32) uint32 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.counters[rep]
}

func (h *kindsHost) drop(rep uint32) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.counters, rep)
	delete(h.names, rep)
}

// kindsInstance instantiates the kinds component with the WASI host (the
// environment given) and a kindsHost.
func kindsInstance(t testing.TB, comp []byte, r *wit.Resolve, env ...string) (*runtime.Instance, *kindsHost, *syncBuffer) {
	t.Helper()
	ctx := context.Background()
	l := runtime.NewLinker()
	stderr := &syncBuffer{}
	wh, err := wasi.Add(l, wasi.Config{Args: []string{"kinds"}, Env: env, Stderr: stderr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wh.Close() })
	h := newKindsHost(t, r, l)
	inst, err := compileComponent(t, comp).Instantiate(ctx, l)
	if err != nil {
		t.Fatalf("instantiating: %v\nstderr: %s", err, stderr)
	}
	t.Cleanup(func() { inst.Close(ctx) })
	return inst, h, stderr
}

// call calls export name (an interface's functions as iface#name) with
// WAVE arguments and returns the result in WAVE ("" for none).
func call(t testing.TB, inst *runtime.Instance, name, args string) string {
	t.Helper()
	f, err := inst.Func(name)
	if err != nil {
		t.Fatal(err)
	}
	vals, err := wave.ParseValues(f.Resolve(), f.Params(), args)
	if err != nil {
		t.Fatalf("%s(%s): %v", name, args, err)
	}
	res, err := f.Call(context.Background(), vals...)
	if err != nil {
		t.Fatalf("%s(%s): %v", name, args, err)
	}
	if len(res) == 0 {
		return ""
	}
	s, err := wave.Format(f.Resolve(), f.Result(), res[0])
	if err != nil {
		t.Fatalf("%s(%s): formatting the result: %v", name, args, err)
	}
	return s
}

// kindsCalls are the exports' echo cases: function, WAVE arguments, WAVE
// result.
var kindsCalls = []struct{ fn, args, want string }{
	{"echo-scalars", `{b: true, u8v: 255, u16v: 65535, u32v: 4294967295, u64v: 18446744073709551615, s8v: -128, s16v: -32768, s32v: -2147483648, s64v: -9223372036854775808, f32v: 1.5, f64v: -0.125, c: '☃'}`, ""},
	{"echo-scalars", `{b: false, u8v: 0, u16v: 0, u32v: 0, u64v: 0, s8v: 0, s16v: 0, s32v: 0, s64v: 0, f32v: nan, f64v: inf, c: '\u{0}'}`, ""},
	{"echo-string", `"héllo, wörld 🌍"`, ""},
	{"echo-string", `""`, ""},
	{"echo-bytes", `[0, 1, 2, 255]`, ""},
	{"echo-bytes", `[]`, ""},
	{"echo-point", `{x: -3, y: 4, label: "origin"}`, ""},
	{"echo-shape", `%none`, ""},
	{"echo-shape", `circle(2.5)`, ""},
	{"echo-shape", `rect((1.25, -8))`, ""},
	{"echo-shape", `named("hexagon")`, ""},
	{"echo-shape", `poly([{x: 1, y: 2, label: "a"}, {x: 3, y: 4, label: "b"}])`, ""},
	{"echo-shape", `big(18446744073709551615)`, ""},
	{"echo-nested", `{p: {x: 1, y: 2, label: "p"}, shapes: [circle(1), named("n"), poly([{x: 0, y: 0, label: ""}]), %none], opt: some("o"), res: err("e"), fixed: [1, 2, 3], tags: ["a", "", "ccc"], pairs: [(1, "one"), (2, "two")], c: blue, f: {read, exec}, maybe: some({x: 7, y: 8, label: "m"}), keyword: 9}`, ""},
	{"echo-nested", `{p: {x: 0, y: 0, label: ""}, shapes: [], opt: none, res: ok(5), fixed: [], tags: [], pairs: [], c: red, f: {}, maybe: none, keyword: 0}`,
		// WAVE leaves out record fields that are none.
		`{p: {x: 0, y: 0, label: ""}, shapes: [], res: ok(5), fixed: [], tags: [], pairs: [], c: red, f: {}, keyword: 0}`},
	{"echo-list", `[["a", "b"], [], ["c"]]`, ""},
	{"echo-option", `none`, ""},
	{"echo-option", `some(none)`, ""},
	{"echo-option", `some(some(42))`, ""},
	{"echo-tuple", `(7, "seven", 7.5)`, ""},
	{"echo-color", `green, {write}`, `(green, {write})`},
	{"echo-color", `blue, {read, write, exec}`, `(blue, {read, write, exec})`},
	{"echo-char", `'𝄞'`, ""},
	{"echo-f32", `0.5, 0.25`, `0.75`},
	{"check", `true`, `ok("fine")`},
	{"check", `false`, `err(not-found("missing thing"))`},
	{"check-simple", `true`, `ok(7)`},
	{"check-simple", `false`, `err(worse)`},
	{"check-unit", `true`, `ok`},
	{"check-unit", `false`, `err`},
	{"check-str", `true`, `ok`},
	{"check-str", `false`, `err("not ok")`},
	{"many", `1, 2, 3, 4, 5, 6, 7, 8, 9, 10, "a", "bb", "ccc", "dddd", 100, 2.5`, `167`},
	{"type", `1, "ab", 3, 4, 5`, `15`},
	{"nothing", ``, ``},
}

// TestGoGuestKinds runs the guest of every type kind as a component:
// each export echoes through Go values, each import is called by run and
// answered by a Go host, exported resources are made, used, passed and
// dropped, with GOGC=1 and a garbage collection inside every export call.
func TestGoGuestKinds(t *testing.T) {
	g, comp := kindsComponent(t)
	passed, total := checkKinds(t, g, comp)
	t.Logf("%d/%d checks", passed, total)
}

// TestGoGuestBigValues passes strings ever larger, up to 16 MiB, through an
// export: each is more than the arena has, so cabi_realloc needs memory
// while the host lowers it, where a collection (which reads the clocks)
// would trap; and the guest's heap grows to twice that, which breaks a Go
// program if anything else grows memory behind its back. The program
// reserves the arena's memory up front (cm.Reserve), as it must for the
// lowering to be safe under any collector timing.
func TestGoGuestBigValues(t *testing.T) {
	g, comp := kindsComponent(t)
	for _, env := range [][]string{
		{"GOGC=1", fmt.Sprint("GUEST_RESERVE=", 16<<20)},
		{"GOGC=1", "GUEST_GC_EVERY=1", fmt.Sprint("GUEST_RESERVE=", 16<<20)},
	} {
		t.Run(strings.Join(env, ","), func(t *testing.T) {
			inst, _, stderr := kindsInstance(t, comp, g.r, env...)
			f, err := inst.Func(kindsAPI + "#echo-string")
			if err != nil {
				t.Fatal(err)
			}
			big := strings.Repeat("0123456789abcdef", 1<<20)
			for n := 100 << 10; n <= len(big); n = n * 3 / 2 {
				res, err := f.Call(context.Background(), canon.String(big[:n]))
				if err != nil {
					t.Fatalf("echo-string of %d bytes: %v\nstderr: %s", n, err, stderr)
				}
				if res[0].String() != big[:n] {
					t.Fatalf("echo-string of %d bytes: a different string came back", n)
				}
			}
		})
	}
}

// TestGoGuestKindsReferenceAdapter makes the kinds guest a component with
// the reference preview-1 reactor adapter (jco's) instead of wasmcm's:
// every check gives the same answer.
func TestGoGuestKindsReferenceAdapter(t *testing.T) {
	g, _ := kindsComponent(t)
	ref, err := os.ReadFile(filepath.Join(jcoLib(t), "wasi_snapshot_preview1.reactor.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	passed, total := checkKinds(t, g, g.component(t, ref))
	t.Logf("%d/%d checks with the reference adapter", passed, total)
}

// checkKinds runs the checks of TestGoGuestKinds on comp, a component of
// g, and returns how many passed.
func checkKinds(t *testing.T, g *goGuest, comp []byte) (passed, total int) {
	inst, h, stderr := kindsInstance(t, comp, g.r, "GOGC=1", "GUEST_GC_EVERY=1")
	check := func(what, got, want string) {
		t.Helper()
		total++
		if got != want {
			t.Errorf("%s = %s, want %s", what, got, want)
			return
		}
		passed++
	}

	for _, c := range kindsCalls {
		want := c.want
		if want == "" && c.fn != "nothing" {
			want = c.args
		}
		check(c.fn+"("+c.args+")", call(t, inst, kindsAPI+"#"+c.fn, c.args), want)
	}

	// run calls every import; the host echoes, the guest checks.
	got := call(t, inst, "run", `["x", "y"]`)
	check("run", got, "ok(37)")
	if !strings.HasPrefix(got, "ok") {
		t.Logf("stderr: %s", stderr)
	}
	// What the guest lowered into the imports, as the host saw it.
	for name, want := range map[string][]string{
		"echo-scalars": {`{b: true, u8v: 200, u16v: 60000, u32v: 4000000000, u64v: 9223372036854775813, s8v: -100, s16v: -30000, s32v: -2000000000, s64v: -4611686018427387904, f32v: 1.5, f64v: -2.25, c: '☃'}`},
		"echo-point":   {`{x: -1, y: 2, label: "p"}`},
		"echo-list":    {`[["a", "b"], [], ["c"]]`},
		"echo-option":  {`none`, `some(none)`, `some(some(5))`},
		"echo-tuple":   {`(7, "seven", 7.5)`},
		"echo-color":   {`green, {write}`},
		"echo-char":    {`'𝄞'`},
		"echo-shape":   {`%none`, `circle(2.5)`, `rect((3, 4))`, `named("tri")`, `poly([{x: 1, y: 2, label: "a"}, {x: 3, y: 4, label: "b"}])`, `big(1099511627776)`},
		"echo-nested":  {`{p: {x: -1, y: 2, label: "p"}, shapes: [%none, circle(2.5), rect((3, 4)), named("tri"), poly([{x: 1, y: 2, label: "a"}, {x: 3, y: 4, label: "b"}]), big(1099511627776)], opt: some("opt"), res: err("bad"), fixed: [9, 8], tags: ["x", "", "zz"], pairs: [(1, "one"), (2, "two")], c: blue, f: {read, exec}, maybe: some({x: 5, y: 6, label: "m"}), keyword: 42}`},
		"many":         {`1, 2, 3, 4, 5, 6, 7, 8, 9, 10, "a", "bb", "ccc", "dddd", 100, 0.5`},
		"type":         {`1, "if", 2, 3, 4`},
		"check":        {`true`, `false`},
	} {
		h.mu.Lock()
		g := strings.Join(h.got[name], " | ")
		h.mu.Unlock()
		check("import "+name+" received", g, strings.Join(want, " | "))
	}
	h.mu.Lock()
	strs := h.got["echo-string"]
	live, dtors := len(h.counters), h.dtors
	h.mu.Unlock()
	if len(strs) != 3 || strs[0] != `"héllo wörld"` || strs[1] != `""` || len(strs[2]) != 160002 {
		t.Errorf("echo-string received %d strings, first %.40q", len(strs), strs)
	}
	// a, m, mk dropped by the guest (the destructor), b taken by the host.
	check("host counters left", fmt.Sprint(live, " live, ", dtors, " destructor calls"), "0 live, 3 destructor calls")

	// Exported resources: the guest implements counter.
	ctor, add, name := kindsTypes+"#[constructor]counter", kindsTypes+"#[method]counter.add", kindsTypes+"#[method]counter.name"
	f, err := inst.Func(ctor)
	if err != nil {
		t.Fatal(err)
	}
	rt := inst.ResourceType(f.Resolve().TypeDef(f.Result()).Resource)
	if rt == nil {
		t.Fatal("no run-time type for the exported counter")
	}
	own := func(args string) uint32 {
		t.Helper()
		s := call(t, inst, ctor, args)
		var rep uint32
		if _, err := fmt.Sscanf(s, "own(%d)", &rep); err != nil {
			t.Fatalf("constructor result %q: %v", s, err)
		}
		return rep
	}
	c1, c2 := own("5"), own("7")
	check("counter.add", call(t, inst, add, fmt.Sprintf("borrow(%d), 10", c1)), "15")
	check("counter.name", call(t, inst, name, fmt.Sprintf("borrow(%d)", c2)), `"c7"`)
	merged := call(t, inst, kindsTypes+"#[static]counter.merge", fmt.Sprintf("borrow(%d), borrow(%d)", c1, c2))
	var c3 uint32
	fmt.Sscanf(merged, "own(%d)", &c3)
	check("counter.merge name", call(t, inst, name, fmt.Sprintf("borrow(%d)", c3)), `"c5+c7"`)
	check("counter-total", call(t, inst, kindsAPI+"#counter-total", fmt.Sprintf("borrow(%d)", c3)), "22")
	check("take-counter", call(t, inst, kindsAPI+"#take-counter", fmt.Sprintf("own(%d)", c2)), "70")
	made := call(t, inst, kindsAPI+"#make-counter", "4")
	var c4 uint32
	fmt.Sscanf(made, "own(%d)", &c4)
	check("make-counter name", call(t, inst, name, fmt.Sprintf("borrow(%d)", c4)), `"made4"`)
	h.mu.Lock()
	h.logs = nil
	h.mu.Unlock()
	for _, rep := range []uint32{c1, c3, c4} {
		if err := inst.DropResource(context.Background(), rt, rep); err != nil {
			t.Fatal(err)
		}
	}
	h.mu.Lock()
	logs := strings.Join(h.logs, ", ")
	h.mu.Unlock()
	check("destructors", logs, "drop c5, drop c5+c7, drop made4")
	if t.Failed() {
		t.Logf("guest stderr: %s", stderr)
	}
	return passed, total
}

// TestGoGuestKindsNoGrowth makes over 100k export calls (strings, records
// of lists and variants, results, exported resources made, borrowed, moved
// and dropped, and every 1000 rounds the run export's calls of every
// import) with GOGC=1 and a collection inside every 101st export: the
// answers stay right, and neither the guest's memory nor the host's heap
// grows once warm.
func TestGoGuestKindsNoGrowth(t *testing.T) {
	g, comp := kindsComponent(t)
	inst, h, stderr := kindsInstance(t, comp, g.r, "GOGC=1", "GUEST_GC_EVERY=101")
	h.mu.Lock()
	h.quiet = true
	h.mu.Unlock()
	ctx := context.Background()
	fn := func(name string) *runtime.Func {
		f, err := inst.Func(name)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	parse := func(f *runtime.Func, args string) []canon.Value {
		v, err := wave.ParseValues(f.Resolve(), f.Params(), args)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	echoString, echoNested, echoList := fn(kindsAPI+"#echo-string"), fn(kindsAPI+"#echo-nested"), fn(kindsAPI+"#echo-list")
	check, run := fn(kindsAPI+"#check"), fn("run")
	ctor, add := fn(kindsTypes+"#[constructor]counter"), fn(kindsTypes+"#[method]counter.add")
	take, mk := fn(kindsAPI+"#take-counter"), fn(kindsAPI+"#make-counter")
	rt := inst.ResourceType(ctor.Resolve().TypeDef(ctor.Result()).Resource)
	str := parse(echoString, `"0123456789abcdef"`)
	nested := parse(echoNested, kindsCalls[14].args)
	list := parse(echoList, `[["a", "b"], [], ["c"]]`)
	runArgs := parse(run, `["x"]`)
	calls := 0
	do := func(f *runtime.Func, args ...canon.Value) canon.Value {
		t.Helper()
		calls++
		res, err := f.Call(ctx, args...)
		if err != nil {
			t.Fatalf("call %d, %s: %v\nstderr: %s", calls, f.Name(), err, stderr)
		}
		if len(res) == 0 {
			return canon.Value{}
		}
		return res[0]
	}
	round := func(i int) {
		if v := do(echoString, str...); v.String() != "0123456789abcdef" {
			t.Fatalf("round %d: echo-string = %q", i, v.String())
		}
		if v := do(echoNested, nested...); !v.Equal(nested[0]) {
			t.Fatalf("round %d: echo-nested differs", i)
		}
		if v := do(echoList, list...); !v.Equal(list[0]) {
			t.Fatalf("round %d: echo-list differs", i)
		}
		if v := do(check, canon.Bool(false)); v.Case() != 1 {
			t.Fatalf("round %d: check(false) = case %d", i, v.Case())
		}
		c := do(ctor, canon.U32(uint32(i)))
		if v := do(add, canon.Borrow(c.Handle()), canon.U32(1)); v.Uint() != uint64(uint32(i)+1) {
			t.Fatalf("round %d: counter.add = %d", i, v.Uint())
		}
		if i%2 == 0 {
			if v := do(take, c); v.Uint() != uint64(uint32(i)+1)*10 {
				t.Fatalf("round %d: take-counter = %d", i, v.Uint())
			}
		} else if err := inst.DropResource(ctx, rt, c.Handle()); err != nil {
			t.Fatal(err)
		}
		m := do(mk, canon.U32(3))
		if err := inst.DropResource(ctx, rt, m.Handle()); err != nil {
			t.Fatal(err)
		}
		if i%1000 == 0 {
			if v := do(run, runArgs...); v.Case() != 0 {
				p, _ := v.Payload()
				t.Fatalf("round %d: run failed: %s", i, p.String())
			}
		}
	}
	var ms goruntime.MemStats
	heap := func() uint64 {
		goruntime.GC()
		goruntime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	warm := 2000
	for i := 0; i < warm; i++ {
		round(i)
	}
	h.mu.Lock()
	mem0 := h.memSize
	h.mu.Unlock()
	heap0 := heap()
	start := calls
	began := time.Now()
	for i := warm; calls-start < 100_000; i++ {
		round(i)
	}
	elapsed := time.Since(began)
	do(run, runArgs...) // a last log, for the memory size
	heap1 := heap()
	h.mu.Lock()
	mem1, live := h.memSize, len(h.counters)
	h.mu.Unlock()
	t.Logf("%d export calls in %v (%.1f µs each); guest memory %d → %d bytes; host heap %d → %d bytes",
		calls-start, elapsed.Round(time.Millisecond), float64(elapsed.Microseconds())/float64(calls-start), mem0, mem1, heap0, heap1)
	if mem1 > mem0 {
		t.Errorf("the guest's memory grew from %d to %d bytes", mem0, mem1)
	}
	if heap1 > heap0+1<<20 {
		t.Errorf("the host's heap grew from %d to %d bytes", heap0, heap1)
	}
	if live != 0 {
		t.Errorf("%d host counters left", live)
	}
}
