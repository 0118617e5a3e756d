package canon

import (
	"context"
	"fmt"
)

// ResourceType is a resource type at run time. Resource types are
// generative: every instantiation of a component that defines a resource
// makes a new ResourceType, and handles are checked against it by identity.
type ResourceType struct {
	Name string
	// Impl identifies the component instance that implements the resource.
	// Lowering a borrow into that same instance passes the rep itself
	// instead of a handle (LiftLowerContext.Instance is compared with it).
	Impl any
	// Dtor runs when an owned handle is dropped; nil means no destructor.
	Dtor func(ctx context.Context, rep uint32) error
}

// ResourceHandle is a resource handle in a ResourceTable: an own or a
// borrow of one resource.
type ResourceHandle struct {
	Type *ResourceType
	Rep  uint32
	Own  bool
	// Scope is the call a borrow was lent to; it must drop the borrow
	// before it returns.
	Scope *BorrowScope
	// NumLends counts the calls this handle is lent to as a borrow; an
	// own cannot be dropped or moved while it is lent.
	NumLends uint32
}

// BorrowScope tracks the borrows of one call. On the callee side it counts
// the borrow handles the call received (all must be dropped before it
// returns); on the caller side it records the handles lent to the call,
// which stay lent until Release.
type BorrowScope struct {
	numBorrows int
	lenders    []*ResourceHandle
}

// NumBorrows is how many borrow handles of the call are not dropped yet.
func (s *BorrowScope) NumBorrows() int { return s.numBorrows }

// CheckReturn traps when the call still holds borrows: a borrow must not
// outlive the call it was lent to. The runtime calls it when the callee
// returns (task.return).
func (s *BorrowScope) CheckReturn() error {
	if s.numBorrows > 0 {
		return trapf("return", msgBorrowsRemain+" (%d not dropped)", s.numBorrows)
	}
	return nil
}

// Release ends the lending of the caller's handles: the call returned.
func (s *BorrowScope) Release() {
	for _, h := range s.lenders {
		h.NumLends--
	}
	s.lenders = s.lenders[:0]
}

// MaxTableLength is the largest index a ResourceTable hands out.
const MaxTableLength = 1<<28 - 1

// ResourceTable is one component instance's table of handles. It holds
// resource handles and, for the runtime, other elements (waitables,
// streams, error contexts) that share the index space. Index 0 is never
// used, freed indices are reused last-freed first, as the spec does. The
// zero value is an empty table. It is not safe for concurrent use: an
// instance runs one thread of guest code at a time.
type ResourceTable struct {
	slots []any
	free  []uint32
}

// Len returns how many elements the table holds.
func (t *ResourceTable) Len() int {
	if len(t.slots) == 0 {
		return 0
	}
	return len(t.slots) - 1 - len(t.free)
}

// Add puts e in the table and returns its index.
func (t *ResourceTable) Add(e any) (uint32, error) {
	if e == nil {
		return 0, fmt.Errorf("canon: cannot add nil to a table")
	}
	if len(t.slots) == 0 {
		t.slots = append(t.slots, nil)
	}
	if n := len(t.free); n > 0 {
		i := t.free[n-1]
		t.free = t.free[:n-1]
		t.slots[i] = e
		return i, nil
	}
	i := len(t.slots)
	if i > MaxTableLength {
		return 0, trapf("table", "table is full (%d entries)", MaxTableLength)
	}
	t.slots = append(t.slots, e)
	return uint32(i), nil
}

// Get returns the element at index i, trapping when there is none.
func (t *ResourceTable) Get(i uint32) (any, error) {
	if uint64(i) >= uint64(len(t.slots)) || t.slots[i] == nil {
		return nil, trapf("table", msgUnknownHandle+" %d", i)
	}
	return t.slots[i], nil
}

// Remove takes the element at index i out of the table.
func (t *ResourceTable) Remove(i uint32) (any, error) {
	e, err := t.Get(i)
	if err != nil {
		return nil, err
	}
	t.slots[i] = nil
	t.free = append(t.free, i)
	return e, nil
}

func (t *ResourceTable) handle(op string, rt *ResourceType, i uint32, remove bool) (*ResourceHandle, error) {
	var e any
	var err error
	if remove {
		e, err = t.Remove(i)
	} else {
		e, err = t.Get(i)
	}
	if err != nil {
		err.(*Trap).Op = op
		return nil, err
	}
	h, ok := e.(*ResourceHandle)
	if !ok {
		return nil, trapf(op, "handle index %d "+msgWrongType+", expected %s but found an element that is not a resource handle", i, rt.kind())
	}
	if h.Type != rt {
		found := h.Type.kind()
		if found == rt.kind() {
			found = "a different " + found
		}
		detail := ""
		if h.Type.Name != "" && rt.Name != "" {
			detail = fmt.Sprintf(" (%s, not %s)", h.Type.Name, rt.Name)
		}
		return nil, trapf(op, "handle index %d "+msgWrongType+", expected %s but found %s%s", i, rt.kind(), found, detail)
	}
	return h, nil
}

// kind says who defines the resource, in the reference's words: a
// resource implemented by a component instance is guest-defined.
func (rt *ResourceType) kind() string {
	if rt != nil && rt.Impl != nil {
		return "guest-defined resource"
	}
	return "host-defined resource"
}

// ResourceNew is `canon resource.new`: a new owned handle for rep.
func (t *ResourceTable) ResourceNew(rt *ResourceType, rep uint32) (uint32, error) {
	return t.Add(&ResourceHandle{Type: rt, Rep: rep, Own: true})
}

// ResourceRep is `canon resource.rep`: the rep behind handle i.
func (t *ResourceTable) ResourceRep(rt *ResourceType, i uint32) (uint32, error) {
	h, err := t.handle("resource.rep", rt, i, false)
	if err != nil {
		return 0, err
	}
	return h.Rep, nil
}

// ResourceDrop is `canon resource.drop`: it removes handle i, running the
// destructor of an own and ending a borrow. Dropping a handle that is lent
// to a call traps.
func (t *ResourceTable) ResourceDrop(ctx context.Context, rt *ResourceType, i uint32) error {
	h, err := t.handle("resource.drop", rt, i, true)
	if err != nil {
		return err
	}
	if h.NumLends != 0 {
		return trapf("resource.drop", msgOwnBorrowed+" (handle %d is lent to %d call(s))", i, h.NumLends)
	}
	if !h.Own {
		if h.Scope != nil {
			h.Scope.numBorrows--
		}
		return nil
	}
	if rt.Dtor != nil {
		return rt.Dtor(ctx, h.Rep)
	}
	return nil
}
