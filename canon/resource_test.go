package canon_test

import (
	"context"
	"testing"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/canon/internal/typestr"
	"github.com/wasmcm/wasmcm/wit"
)

func TestResourceTable(t *testing.T) {
	ctx := context.Background()
	var dropped []uint32
	rt := &canon.ResourceType{Name: "file", Dtor: func(_ context.Context, rep uint32) error {
		dropped = append(dropped, rep)
		return nil
	}}
	other := &canon.ResourceType{Name: "socket"}
	var tab canon.ResourceTable

	h1, _ := tab.ResourceNew(rt, 100)
	h2, _ := tab.ResourceNew(rt, 200)
	if h1 != 1 || h2 != 2 {
		t.Fatalf("handles %d, %d; want 1, 2 (index 0 is never used)", h1, h2)
	}
	if rep, err := tab.ResourceRep(rt, h2); err != nil || rep != 200 {
		t.Fatalf("rep = %d, %v", rep, err)
	}
	if _, err := tab.ResourceRep(other, h2); !canon.IsTrap(err) {
		t.Fatalf("rep with the wrong resource type: %v, want a trap", err)
	}
	if err := tab.ResourceDrop(ctx, rt, h1); err != nil {
		t.Fatal(err)
	}
	if len(dropped) != 1 || dropped[0] != 100 {
		t.Fatalf("destructor calls %v", dropped)
	}
	if err := tab.ResourceDrop(ctx, rt, h1); !canon.IsTrap(err) {
		t.Fatalf("dropping a dropped handle: %v, want a trap", err)
	}
	if _, err := tab.ResourceRep(rt, h1); !canon.IsTrap(err) {
		t.Fatalf("using a dropped handle: %v, want a trap", err)
	}
	if h3, _ := tab.ResourceNew(rt, 300); h3 != h1 {
		t.Fatalf("freed index not reused: got %d, want %d", h3, h1)
	}
	if _, err := tab.ResourceRep(rt, 99); !canon.IsTrap(err) {
		t.Fatalf("index past the end: %v", err)
	}
}

// TestBorrowLending follows one borrow through a call: the caller lends its
// own handle (lift of borrow), the callee gets a borrow handle (lower of
// borrow), must drop it before returning, and the lender cannot be dropped
// or moved while lent.
func TestBorrowLending(t *testing.T) {
	ctx := context.Background()
	r := &wit.Resolve{}
	p := &typestr.Parser{R: r}
	borrowT, _ := p.Parse("borrow<R>")
	ownT, _ := p.Parse("own<R>")
	abi := canon.New(r, canon.Addr32)
	rt := &canon.ResourceType{Name: "R", Impl: "callee-instance"}
	resources := func(wit.TypeID) *canon.ResourceType { return rt }

	caller := &canon.ResourceTable{}
	h, _ := caller.ResourceNew(rt, 7)
	callScope := &canon.BorrowScope{}
	callerCx := &canon.LiftLowerContext{ABI: abi, Table: caller, Borrows: callScope, Resources: resources, Instance: "caller-instance"}

	// The caller passes borrow(h): lifting lends the handle to the call.
	v, err := callerCx.LiftFlat(borrowT, []uint64{uint64(h)})
	if err != nil || v.Handle() != 7 {
		t.Fatalf("lift borrow: %v %v", v, err)
	}
	if err := caller.ResourceDrop(ctx, rt, h); !canon.IsTrap(err) {
		t.Fatalf("dropping a lent own: %v, want a trap", err)
	}
	h, _ = caller.ResourceNew(rt, 7) // the failed drop consumed the index; make it again
	if _, err := callerCx.LiftFlat(borrowT, []uint64{uint64(h)}); err != nil {
		t.Fatal(err)
	}

	// The callee (a third instance) receives a borrow handle.
	callee := &canon.ResourceTable{}
	task := &canon.BorrowScope{}
	calleeCx := &canon.LiftLowerContext{ABI: abi, Table: callee, Borrows: task, Resources: resources, Instance: "third-instance"}
	flat, err := calleeCx.LowerFlat(ctx, borrowT, canon.Borrow(7), nil)
	if err != nil {
		t.Fatal(err)
	}
	if task.NumBorrows() != 1 {
		t.Fatalf("borrows = %d", task.NumBorrows())
	}
	if err := task.CheckReturn(); !canon.IsTrap(err) {
		t.Fatalf("returning with a live borrow: %v, want a trap", err)
	}
	if err := callee.ResourceDrop(ctx, rt, uint32(flat[0])); err != nil {
		t.Fatal(err)
	}
	if err := task.CheckReturn(); err != nil {
		t.Fatal(err)
	}

	// Lowering a borrow into the implementing instance passes the rep.
	implCx := &canon.LiftLowerContext{ABI: abi, Table: &canon.ResourceTable{}, Resources: resources, Instance: "callee-instance"}
	flat, _ = implCx.LowerFlat(ctx, borrowT, canon.Borrow(7), nil)
	if flat[0] != 7 {
		t.Fatalf("borrow into the implementation = %d, want the rep 7", flat[0])
	}

	// After the call, the lender can be dropped again.
	callScope.Release()
	if err := caller.ResourceDrop(ctx, rt, h); err != nil {
		t.Fatalf("drop after the call: %v", err)
	}

	// An own that is lent cannot move either (a trap, fatal to the
	// instance, so the table is not used afterwards).
	h, _ = caller.ResourceNew(rt, 8)
	if _, err := callerCx.LiftFlat(borrowT, []uint64{uint64(h)}); err != nil {
		t.Fatal(err)
	}
	if _, err := callerCx.LiftFlat(ownT, []uint64{uint64(h)}); !canon.IsTrap(err) {
		t.Fatalf("moving a lent own: %v, want a trap", err)
	}
}
