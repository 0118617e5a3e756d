package runtime_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/wat"
	"github.com/wasmcm/wasmcm/runtime"
)

// The store (testdata/store.wat) exports wasmcm:test/store: a resource
// blob with a constructor and methods, and functions over strings, lists
// of strings and lists of numbers. The app (testdata/app.wat) imports it
// and exports functions that use it. The same two texts run composed
// (one outer component instantiating both, the import wired inside) and
// linked (two root components, the store's instance serving the app's
// import through Linker.Instance); every call must give the same result.

// readWat reads a component text of testdata.
func readWat(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// nest turns the text of a root component into a nested one named id.
func nest(t testing.TB, src, id string) string {
	t.Helper()
	i := strings.Index(src, "(component")
	if i < 0 {
		t.Fatal("no (component in the text")
	}
	return src[:i] + "(component " + id + src[i+len("(component"):]
}

var appExports = []string{"run-concat", "run-repeat", "run-sum", "run-blob", "run-consume", "run-dangling", "run-drops"}

// storeAppComposed is the outer component instantiating the store and the
// app, exporting the app's functions.
func storeAppComposed(t testing.TB) []byte {
	t.Helper()
	var b strings.Builder
	b.WriteString("(component\n")
	b.WriteString(nest(t, readWat(t, "store.wat"), "$Store"))
	b.WriteString("\n")
	b.WriteString(nest(t, readWat(t, "app.wat"), "$App"))
	b.WriteString(`
  (instance $store (instantiate $Store))
  (alias export $store "wasmcm:test/store" (instance $iface))
  (instance $app (instantiate $App (with "wasmcm:test/store" (instance $iface))))
`)
	for _, e := range appExports {
		b.WriteString("  (export \"" + e + "\" (func $app \"" + e + "\"))\n")
	}
	b.WriteString(")\n")
	bin, err := wat.Parse("composed.wat", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

func assemble(t testing.TB, name string) []byte {
	t.Helper()
	bin, err := wat.Parse(name, []byte(readWat(t, name)))
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// storeApp returns the app instance, composed or linked.
func storeApp(t testing.TB, linked bool) *runtime.Instance {
	t.Helper()
	ctx := context.Background()
	rt, err := runtime.New(ctx, runtime.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close(ctx) })
	if !linked {
		c, err := rt.Compile(ctx, storeAppComposed(t))
		if err != nil {
			t.Fatal(err)
		}
		inst, err := c.Instantiate(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		return inst
	}
	cs, err := rt.Compile(ctx, assemble(t, "store.wat"))
	if err != nil {
		t.Fatal(err)
	}
	is, err := cs.Instantiate(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := rt.Compile(ctx, assemble(t, "app.wat"))
	if err != nil {
		t.Fatal(err)
	}
	l := runtime.NewLinker()
	if err := l.Instance("wasmcm:test/store", is, "wasmcm:test/store"); err != nil {
		t.Fatal(err)
	}
	inst, err := ca.Instantiate(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

func strs(ss ...string) canon.Value {
	vs := make([]canon.Value, len(ss))
	for i, s := range ss {
		vs[i] = canon.String(s)
	}
	return canon.List(vs...)
}

func TestComposedVersusLinked(t *testing.T) {
	ctx := context.Background()
	type call struct {
		name string
		args []canon.Value
		want canon.Value
	}
	long := strings.Repeat("é-ü-", 5000)
	calls := []call{
		{"run-concat", []canon.Value{strs("a", "bc", "déf"), canon.String(", ")}, canon.String("a, bc, déf")},
		{"run-concat", []canon.Value{strs(), canon.String("-")}, canon.String("")},
		{"run-concat", []canon.Value{strs(long, long), canon.String("|")}, canon.String(long + "|" + long)},
		{"run-repeat", []canon.Value{canon.String("xy☃"), canon.U32(3)}, strs("xy☃", "xy☃", "xy☃")},
		{"run-repeat", []canon.Value{canon.String(""), canon.U32(0)}, strs()},
		{"run-sum", []canon.Value{canon.List(canon.U32(1), canon.U32(2), canon.U32(3), canon.U32(4000000000))}, canon.U64(4000000006)},
		{"run-blob", []canon.Value{canon.String("hello"), canon.String(", wörld")}, canon.Tuple(canon.String("hello, wörld"), canon.U32(13))},
		{"run-drops", nil, canon.U32(1)},
		{"run-consume", []canon.Value{canon.String("bye")}, canon.String("bye")},
		{"run-drops", nil, canon.U32(2)},
		{"run-blob", []canon.Value{canon.String(""), canon.String(long)}, canon.Tuple(canon.String(long), canon.U32(uint32(len(long))))},
		{"run-drops", nil, canon.U32(3)},
	}
	results := map[bool][]canon.Value{}
	traps := map[bool]string{}
	for _, linked := range []bool{false, true} {
		mode := map[bool]string{false: "composed", true: "linked"}[linked]
		inst := storeApp(t, linked)
		for _, c := range calls {
			res, err := inst.Call(ctx, c.name, c.args...)
			if err != nil {
				t.Fatalf("%s: %s: %v", mode, c.name, err)
			}
			if len(res) != 1 || !res[0].Equal(c.want) {
				t.Fatalf("%s: %s = %v, want %v", mode, c.name, res, c.want)
			}
			results[linked] = append(results[linked], res[0])
		}
		// 100 more blobs, each made, borrowed three times and dropped:
		// the destructor runs once for each, and no handle is left behind
		// to fill a table.
		for i := 0; i < 100; i++ {
			if _, err := inst.Call(ctx, "run-blob", canon.String("a"), canon.String("b")); err != nil {
				t.Fatalf("%s: run-blob %d: %v", mode, i, err)
			}
		}
		res, err := inst.Call(ctx, "run-drops")
		if err != nil || res[0].Uint() != 103 {
			t.Fatalf("%s: drops after 100 more blobs: %v %v, want 103", mode, res, err)
		}
		// Composed, every call of the app into the store (strings, lists,
		// the resource's handles) went through a fused adapter.
		if n := inst.GoCalls(); !linked && n != 0 {
			t.Errorf("composed: %d calls went through Go, want 0 (all fused)", n)
		}
		results[linked] = append(results[linked], res[0])
		// A handle used after its drop traps in the caller, which then
		// refuses further calls.
		_, err = inst.Call(ctx, "run-dangling")
		if err == nil || !runtime.IsTrap(err) {
			t.Fatalf("%s: run-dangling: %v, want a trap", mode, err)
		}
		// The message past the name of the export (the component
		// instance named differs: a nested one or the root).
		traps[linked] = err.Error()[strings.Index(err.Error(), "export \"run-dangling\""):]
		if _, err := inst.Call(ctx, "run-drops"); err == nil || !strings.Contains(err.Error(), "cannot enter component instance") {
			t.Fatalf("%s: call after a trap: %v", mode, err)
		}
	}
	if len(results[false]) != len(results[true]) {
		t.Fatalf("%d results composed, %d linked", len(results[false]), len(results[true]))
	}
	for i, v := range results[false] {
		if !v.Equal(results[true][i]) {
			t.Errorf("result %d: composed %v, linked %v", i, v, results[true][i])
		}
	}
	if d := cmp.Diff(traps[false], traps[true]); d != "" {
		t.Errorf("composed and linked trap differently (-composed +linked):\n%s", d)
	}
}

// TestStoreAppValid checks that the test's components are valid, so that
// the runtime is not tested on something the model rejects.
func TestStoreAppValid(t *testing.T) {
	for name, bin := range map[string][]byte{
		"store":    assemble(t, "store.wat"),
		"app":      assemble(t, "app.wat"),
		"composed": storeAppComposed(t),
	} {
		c, err := component.Decode(bin)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := component.Validate(c, component.DefaultFeatures); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
