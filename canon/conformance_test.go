package canon_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/canon/internal/typestr"
	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/wit"
)

// The harness of ../shared/conformance/canon-abi/README.md: every case runs
// in a fresh Resolve, memory, handle table and bump allocator.

type vcase map[string]any

func loadVectors(t *testing.T) ([]vcase, map[string]vcase) {
	dir := testutil.Shared(t, "conformance/canon-abi")
	var cases []vcase
	readJSON(t, filepath.Join(dir, "cases.json"), &cases)
	golden := map[string]vcase{}
	readJSON(t, filepath.Join(dir, "golden.json"), &golden)
	return cases, golden
}

func readJSON(t *testing.T, path string, v any) {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func (c vcase) str(k string) string { s, _ := c[k].(string); return s }

func (c vcase) num(k string) uint64 {
	n, _ := c[k].(json.Number)
	x, _ := strconv.ParseUint(string(n), 10, 64)
	return x
}

func encodingOf(s string) canon.StringEncoding {
	switch s {
	case "utf16":
		return canon.UTF16
	case "latin1+utf16":
		return canon.Latin1UTF16
	}
	return canon.UTF8
}

// bump is the allocator of the README's section 5.
type bump struct {
	mem      []byte
	last     uint64
	misalign bool
	calls    [][5]uint64
}

func (b *bump) realloc(_ context.Context, old, oldSize, align, newSize uint64) (uint64, error) {
	var ret uint64
	if old != 0 && newSize < oldSize {
		ret = (old + align - 1) / align * align
	} else {
		ret = (b.last + align - 1) / align * align
		if b.misalign && align > 1 {
			ret++
		}
		b.last = ret + newSize
		n := uint64(len(b.mem))
		if ret+oldSize <= n && old+oldSize <= n {
			copy(b.mem[ret:ret+oldSize], b.mem[old:old+oldSize])
		}
	}
	b.calls = append(b.calls, [5]uint64{old, oldSize, align, newSize, ret})
	return ret, nil
}

func (b *bump) high() uint64 {
	var h uint64
	for _, c := range b.calls {
		h = max(h, c[4]+c[3])
	}
	return h
}

type env struct {
	r     *wit.Resolve
	p     *typestr.Parser
	abi   *canon.ABI
	cx    *canon.LiftLowerContext
	bump  *bump
	table *canon.ResourceTable
}

func newEnv(c vcase) *env {
	r := &wit.Resolve{}
	addr := canon.Addr32
	if c.str("addr_type") == "i64" {
		addr = canon.Addr64
	}
	e := &env{r: r, p: &typestr.Parser{R: r}, table: &canon.ResourceTable{}}
	e.abi = canon.New(r, addr)
	size := c.num("memory_size")
	mem := make([]byte, size)
	e.bump = &bump{mem: mem, last: c.num("heap_base"), misalign: c["realloc_misalign"] == true}
	if m, ok := c["memory"].(string); ok {
		b, _ := hex.DecodeString(m)
		copy(mem, b)
	}
	e.cx = &canon.LiftLowerContext{
		ABI:            e.abi,
		Memory:         canon.FixedMemory(mem),
		Realloc:        e.bump.realloc,
		StringEncoding: encodingOf(c.str("string_encoding")),
		Table:          e.table,
	}
	return e
}

func coreNames(ts []canon.CoreType) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.String()
	}
	return out
}

func anyStrings(a any) []string {
	l, _ := a.([]any)
	out := make([]string, len(l))
	for i, x := range l {
		out[i], _ = x.(string)
	}
	return out
}

func anyNums(a any) []uint64 {
	l, _ := a.([]any)
	out := make([]uint64, len(l))
	for i, x := range l {
		n, _ := x.(json.Number)
		out[i], _ = strconv.ParseUint(string(n), 10, 64)
	}
	return out
}

// checkTypeInfo compares the type-info fields of a single-type op.
func checkTypeInfo(l *canon.Layout, g vcase) error {
	if got, want := coreNames(l.Flat), anyStrings(g["flat_types"]); !reflect.DeepEqual(got, want) {
		return fmt.Errorf("flat_types %v, want %v", got, want)
	}
	if l.Size != g.num("size") || uint64(l.Align) != g.num("align") {
		return fmt.Errorf("size/align %d/%d, want %d/%d", l.Size, l.Align, g.num("size"), g.num("align"))
	}
	if fo, ok := g["field_offsets"]; ok {
		if got, want := l.FieldOffsets, anyNums(fo); !reflect.DeepEqual(got, want) {
			return fmt.Errorf("field_offsets %v, want %v", got, want)
		}
	}
	if _, ok := g["payload_offset"]; ok && l.PayloadOffset != g.num("payload_offset") {
		return fmt.Errorf("payload_offset %d, want %d", l.PayloadOffset, g.num("payload_offset"))
	}
	return nil
}

func checkCalls(b *bump, g vcase) error {
	want := [][5]uint64{}
	for _, c := range g["realloc_calls"].([]any) {
		n := anyNums(c)
		want = append(want, [5]uint64{n[0], n[1], n[2], n[3], n[4]})
	}
	got := b.calls
	if got == nil {
		got = [][5]uint64{}
	}
	if !reflect.DeepEqual(got, want) {
		return fmt.Errorf("realloc_calls %v, want %v", got, want)
	}
	return nil
}

func checkMemory(b *bump, end uint64, g vcase) error {
	mem := b.mem
	want := g.str("memory")
	if end > uint64(len(mem)) {
		return fmt.Errorf("memory end %d past memory size %d", end, len(mem))
	}
	if got := hex.EncodeToString(mem[:end]); got != want {
		return fmt.Errorf("memory\n got %s\nwant %s", got, want)
	}
	for i := end; i < uint64(len(mem)); i++ {
		if mem[i] != 0 {
			return fmt.Errorf("memory byte %d past the end (%d) is %#x", i, end, mem[i])
		}
	}
	return nil
}

func checkValue(l *canon.Layout, got canon.Value, g vcase, src canon.StringEncoding) error {
	want, err := fromJSON(l, g["value"], src)
	if err != nil {
		return fmt.Errorf("golden value: %v", err)
	}
	if !got.Equal(want) {
		return fmt.Errorf("value %#v, want %#v", got, want)
	}
	return nil
}

func checkValues(ls []*canon.Layout, got []canon.Value, g vcase) error {
	a, _ := g["value"].([]any)
	if len(a) != len(got) {
		return fmt.Errorf("%d values, want %d", len(got), len(a))
	}
	for i, l := range ls {
		if err := checkValue(l, got[i], vcase{"value": a[i]}, canon.UTF8); err != nil {
			return fmt.Errorf("value %d: %v", i, err)
		}
	}
	return nil
}

// expectErr judges an error against a golden failure.
func expectErr(err error, g vcase) error {
	if g["ok"] == true {
		if err != nil {
			return fmt.Errorf("unexpected error: %v", err)
		}
		return nil
	}
	if err == nil {
		return fmt.Errorf("want %s, got success", g.str("error"))
	}
	if g.str("error") == "trap" && !canon.IsTrap(err) {
		return fmt.Errorf("want a trap, got error %v", err)
	}
	return nil
}

func runCase(c, g vcase) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	e := newEnv(c)
	ctx := context.Background()
	op := c.str("op")
	invalid := g.str("error") == "invalid"
	src := encodingOf(c.str("src_encoding"))

	if op == "functype" {
		var params []wit.Type
		for _, s := range anyStrings(c["params"]) {
			t, err := e.p.Parse(s)
			if err != nil {
				return err
			}
			params = append(params, t)
		}
		result := wit.NoneType
		if s, ok := c["result"].(string); ok {
			if result, err = e.p.Parse(s); err != nil {
				return err
			}
		}
		ctxt := canon.ContextLift
		if c.str("context") == "lower" {
			ctxt = canon.ContextLower
		}
		ft, err := e.abi.FlattenFuncType(params, result, canon.FuncTypeOptions{Async: c["async"] == true, Callback: c["callback"] == true}, ctxt)
		if err != nil {
			return err
		}
		fp, _ := e.abi.FlattenTypes(params)
		var rs []wit.Type
		if result != wit.NoneType {
			rs = []wit.Type{result}
		}
		fr, _ := e.abi.FlattenTypes(rs)
		for _, x := range []struct {
			got  []canon.CoreType
			name string
		}{{ft.Params, "core_params"}, {ft.Results, "core_results"}, {fp, "flat_params_unspilled"}, {fr, "flat_results_unspilled"}} {
			if got, want := coreNames(x.got), anyStrings(g[x.name]); !reflect.DeepEqual(got, want) {
				return fmt.Errorf("%s %v, want %v", x.name, got, want)
			}
		}
		return nil
	}

	if op == "lower_values" || op == "lift_values" {
		var ts []wit.Type
		var ls []*canon.Layout
		for _, s := range anyStrings(c["types"]) {
			t, err := e.p.Parse(s)
			if err != nil {
				return err
			}
			l, err := e.abi.Layout(t)
			if err != nil {
				return expectErr(err, g)
			}
			ts, ls = append(ts, t), append(ls, l)
		}
		maxFlat := int(c.num("max_flat"))
		n := 0
		for _, l := range ls {
			n += int(l.FlatCount)
		}
		spilled := n > maxFlat
		flatTypes := []canon.CoreType{e.abi.AddrType().CoreType()}
		if !spilled {
			flatTypes, _ = e.abi.FlattenTypes(ts)
		}
		if op == "lift_values" {
			flat, err := flatFromJSON(flatTypes, c["flat"].([]any))
			if err != nil {
				return err
			}
			vs, err := e.cx.LiftValues(maxFlat, ts, flat)
			if err := expectErr(err, g); err != nil || g["ok"] != true {
				return err
			}
			return checkValues(ls, vs, g)
		}
		a, _ := c["values"].([]any)
		vs := make([]canon.Value, len(a))
		for i := range a {
			if vs[i], err = fromJSON(ls[i], a[i], src); err != nil {
				if invalid {
					return nil
				}
				return err
			}
		}
		flat, err := e.cx.LowerValues(ctx, maxFlat, ts, vs, nil, nil)
		if err := expectErr(err, g); err != nil || invalid {
			return err
		}
		if err := checkCalls(e.bump, g); err != nil {
			return err
		}
		if g["ok"] != true {
			return nil
		}
		if got, want := coreNames(flatTypes), anyStrings(g["flat_types"]); !reflect.DeepEqual(got, want) {
			return fmt.Errorf("flat_types %v, want %v", got, want)
		}
		if (g["spilled"] == true) != spilled {
			return fmt.Errorf("spilled %v, want %v", spilled, g["spilled"])
		}
		if spilled {
			tl, _ := e.abi.TupleLayout(ts)
			if tl.Size != g.num("tuple_size") || uint64(tl.Align) != g.num("tuple_align") {
				return fmt.Errorf("tuple %d/%d, want %d/%d", tl.Size, tl.Align, g.num("tuple_size"), g.num("tuple_align"))
			}
		}
		wantFlat, err := flatFromJSON(flatTypes, g["flat"].([]any))
		if err != nil {
			return err
		}
		if len(flat) != len(wantFlat) || (len(flat) > 0 && !reflect.DeepEqual(flat, wantFlat)) {
			return fmt.Errorf("flat %v, want %v", flat, wantFlat)
		}
		if err := checkMemory(e.bump, e.bump.high(), g); err != nil {
			return err
		}
		back, err := e.cx.LiftValues(maxFlat, ts, flat)
		if err != nil {
			return fmt.Errorf("lifting back: %v", err)
		}
		return checkValues(ls, back, g)
	}

	t, err := e.p.Parse(c.str("type"))
	if err != nil {
		return err
	}
	l, lerr := e.abi.Layout(t)
	if lerr != nil {
		return expectErr(lerr, g)
	}
	if err := checkTypeInfo(l, g); err != nil {
		return err
	}
	switch op {
	case "layout":
		return nil
	case "lower", "store":
		if c["value"] == nil && invalid {
			return nil
		}
		v, err := fromJSON(l, c["value"], src)
		if err != nil {
			if invalid {
				return nil
			}
			return err
		}
		var flat []uint64
		ptr := c.num("ptr")
		if op == "lower" {
			flat, err = e.cx.LowerFlat(ctx, t, v, nil)
		} else {
			err = e.cx.Store(ctx, t, v, ptr)
		}
		if err := expectErr(err, g); err != nil || invalid {
			return err
		}
		if err := checkCalls(e.bump, g); err != nil {
			return err
		}
		if g["ok"] != true {
			return nil
		}
		end := e.bump.high()
		var back canon.Value
		if op == "lower" {
			wantFlat, err := flatFromJSON(l.Flat, g["flat"].([]any))
			if err != nil {
				return err
			}
			if !reflect.DeepEqual(flat, wantFlat) {
				return fmt.Errorf("flat %v, want %v", flat, wantFlat)
			}
			if back, err = e.cx.LiftFlat(t, flat); err != nil {
				return fmt.Errorf("lifting back: %v", err)
			}
		} else {
			end = max(end, ptr+l.Size)
			if back, err = e.cx.Load(t, ptr); err != nil {
				return fmt.Errorf("loading back: %v", err)
			}
		}
		if err := checkMemory(e.bump, end, g); err != nil {
			return err
		}
		return checkValue(l, back, g, src)
	case "lift", "load":
		var v canon.Value
		if op == "lift" {
			flat, ferr := flatFromJSON(l.Flat, c["flat"].([]any))
			if ferr != nil {
				return ferr
			}
			v, err = e.cx.LiftFlat(t, flat)
		} else {
			v, err = e.cx.Load(t, c.num("ptr"))
		}
		if err := expectErr(err, g); err != nil || g["ok"] != true {
			return err
		}
		return checkValue(l, v, g, src)
	}
	return fmt.Errorf("unknown op %q", op)
}

func TestConformance(t *testing.T) {
	cases, golden := loadVectors(t)
	passed, total := map[string]int{}, map[string]int{}
	var failures []string
	for _, c := range cases {
		name := c.str("name")
		g, ok := golden[name]
		if !ok {
			t.Errorf("%s: no golden entry", name)
			continue
		}
		op := c.str("op")
		total[op]++
		if err := runCase(c, g); err != nil {
			failures = append(failures, fmt.Sprintf("%s: %v", name, err))
			continue
		}
		passed[op]++
	}
	ops := make([]string, 0, len(total))
	for op := range total {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		testutil.Conformance(t, "canon-abi-"+op, passed[op], total[op])
	}
	if len(failures) > 0 {
		max := 40
		if len(failures) < max {
			max = len(failures)
		}
		t.Errorf("%d cases failed; first %d:\n%s", len(failures), max, strings.Join(failures[:max], "\n"))
	}
}
