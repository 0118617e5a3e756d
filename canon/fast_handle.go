package canon

// The fast path for handles: generated bindings know the run-time
// ResourceType of every resource they move, so they lift and lower handles
// without a Layout or a Value. Each function does what lifting or lowering
// an own or borrow does in the spec (CanonicalABI.md, lift_own, lift_borrow,
// lower_own, lower_borrow), with the same traps.

// LiftOwn takes the owned handle i of resource rt out of the context's
// table and returns its rep: ownership moves to the lifting side.
func (cx *LiftLowerContext) LiftOwn(rt *ResourceType, i uint32) (uint32, error) {
	if cx.Table == nil {
		return 0, trapf("lift own", "no handle table")
	}
	h, err := cx.Table.handle("lift own", rt, i, false)
	if err != nil {
		return 0, err
	}
	if !h.Own {
		return 0, trapf("lift own", "handle %d is a borrow, not an own", i)
	}
	if h.NumLends != 0 {
		return 0, trapf("lift own", msgOwnBorrowed+" (handle %d is lent to %d call(s))", i, h.NumLends)
	}
	if _, err := cx.Table.Remove(i); err != nil {
		return 0, err
	}
	return h.Rep, nil
}

// LiftBorrow returns the rep behind handle i of resource rt (an own or a
// borrow), lending the handle to the call's borrow scope when there is one.
func (cx *LiftLowerContext) LiftBorrow(rt *ResourceType, i uint32) (uint32, error) {
	if cx.Table == nil {
		return 0, trapf("lift borrow", "no handle table")
	}
	h, err := cx.Table.handle("lift borrow", rt, i, false)
	if err != nil {
		return 0, err
	}
	if cx.Borrows != nil {
		h.NumLends++
		cx.Borrows.lenders = append(cx.Borrows.lenders, h)
	}
	return h.Rep, nil
}

// LowerOwn puts a new owned handle for rep of resource rt in the context's
// table and returns its index.
func (cx *LiftLowerContext) LowerOwn(rt *ResourceType, rep uint32) (uint32, error) {
	if cx.Table == nil {
		return 0, trapf("lower own", "no handle table")
	}
	return cx.Table.Add(&ResourceHandle{Type: rt, Rep: rep, Own: true})
}

// LowerBorrow gives the callee a borrow of rep of resource rt: the rep
// itself when the callee implements the resource, else a borrow handle
// counted in the call's borrow scope.
func (cx *LiftLowerContext) LowerBorrow(rt *ResourceType, rep uint32) (uint32, error) {
	if rt.Impl != nil && rt.Impl == cx.Instance {
		return rep, nil
	}
	if cx.Table == nil {
		return 0, trapf("lower borrow", "no handle table")
	}
	i, err := cx.Table.Add(&ResourceHandle{Type: rt, Rep: rep, Scope: cx.Borrows})
	if err != nil {
		return 0, err
	}
	if cx.Borrows != nil {
		cx.Borrows.numBorrows++
	}
	return i, nil
}
