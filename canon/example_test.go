package canon_test

import (
	"context"
	"fmt"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/canon/wave"
	"github.com/wasmcm/wasmcm/wit"
)

// bumpRealloc is a guest's cabi_realloc stand-in: a bump allocator over a
// host byte slice.
func bumpRealloc(mem []byte, next *uint64) canon.Realloc {
	return func(_ context.Context, old, oldSize, align, newSize uint64) (uint64, error) {
		p := (*next + align - 1) &^ (align - 1)
		*next = p + newSize
		copy(mem[p:], mem[old:old+oldSize])
		return p, nil
	}
}

// Lower a record with a string and a list into a guest's memory, then lift
// it back and print it in WAVE.
func Example() {
	// record point { name: string, coords: list<s32> } as a TypeDef.
	r := &wit.Resolve{}
	r.Types = append(r.Types, &wit.TypeDef{Kind: wit.KindList, Elem: wit.S32})
	r.Types = append(r.Types, &wit.TypeDef{Name: "point", Kind: wit.KindRecord, Fields: []wit.Field{
		{Name: "name", Type: wit.String},
		{Name: "coords", Type: wit.TypeOf(0)},
	}})
	point := wit.TypeOf(1)

	abi := canon.New(r, canon.Addr32)
	l, _ := abi.Layout(point)
	fmt.Println("size", l.Size, "align", l.Align, "offsets", l.FieldOffsets, "flat", l.Flat)

	mem := make([]byte, 1024)
	next := uint64(16)
	cx := &canon.LiftLowerContext{
		ABI:     abi,
		Memory:  canon.FixedMemory(mem),
		Realloc: bumpRealloc(mem, &next),
	}
	v := canon.Record(canon.String("origin"), canon.List(canon.S32(0), canon.S32(-1)))
	flat, err := cx.LowerFlat(context.Background(), point, v, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println("flat values", flat)

	back, err := cx.LiftFlat(point, flat)
	if err != nil {
		panic(err)
	}
	s, _ := wave.Format(r, point, back)
	fmt.Println(s)

	// The fast path for bindings: no Value at all.
	ptr, n, _ := cx.LowerString(context.Background(), "héllo")
	str, _ := cx.LiftString(ptr, n)
	fmt.Println(ptr, n, str)

	// A guest's bad pointer is a trap.
	_, err = cx.LiftFlat(point, []uint64{1020, 10, 0, 0})
	fmt.Println(canon.IsTrap(err), err)
	// Output:
	// size 16 align 4 offsets [0 8] flat [i32 i32 i32 i32]
	// flat values [16 6 24 2]
	// {name: "origin", coords: [0, -1]}
	// 32 6 héllo
	// true canon: trap in lift at field name: string content out-of-bounds: string pointer/length out of bounds of memory (10 bytes at 0x3fc, memory is 1024 bytes)
}

// The core signature of a function, with the spec's spilling rules.
func ExampleABI_FlattenFuncType() {
	abi := canon.New(&wit.Resolve{}, canon.Addr32)
	params := []wit.Type{wit.String, wit.U64}
	lift, _ := abi.FlattenFuncType(params, wit.String, canon.FuncTypeOptions{}, canon.ContextLift)
	lower, _ := abi.FlattenFuncType(params, wit.String, canon.FuncTypeOptions{}, canon.ContextLower)
	async, _ := abi.FlattenFuncType(params, wit.String, canon.FuncTypeOptions{Async: true}, canon.ContextLower)
	fmt.Println(lift)
	fmt.Println(lower)
	fmt.Println(async)
	// Output:
	// {[i32 i32 i64] [i32]}
	// {[i32 i32 i64 i32] []}
	// {[i32 i32 i64 i32] [i32]}
}

// A resource table: own handles, lending and dropping.
func ExampleResourceTable() {
	ctx := context.Background()
	rt := &canon.ResourceType{Name: "file", Dtor: func(_ context.Context, rep uint32) error {
		fmt.Println("destroy", rep)
		return nil
	}}
	var table canon.ResourceTable
	h, _ := table.ResourceNew(rt, 42)
	rep, _ := table.ResourceRep(rt, h)
	fmt.Println("handle", h, "rep", rep)
	fmt.Println(table.ResourceDrop(ctx, rt, h))
	fmt.Println(table.ResourceDrop(ctx, rt, h))
	// Output:
	// handle 1 rep 42
	// destroy 42
	// <nil>
	// canon: trap in resource.drop: unknown handle index 1
}
