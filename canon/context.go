package canon

import (
	"context"
	"fmt"

	"github.com/wasmcm/wasmcm/wit"
)

// AsyncValues lifts and lowers the handles of streams, futures and error
// contexts, whose meaning belongs to the runtime's task machinery. Lift
// takes the handle at index i out of the instance's table and returns the
// runtime's own id for the value (which becomes Value.Handle); Lower does
// the reverse. t is the stream, future or error-context type.
type AsyncValues interface {
	Lift(kind Kind, t wit.Type, i uint32) (uint32, error)
	Lower(kind Kind, t wit.Type, h uint32) (uint32, error)
}

// LiftLowerContext is the environment of one lift or lower: the canonical
// options (memory, realloc, string encoding, post-return), the instance's
// handle table and the borrow scope of the call. It mirrors the spec's
// LiftLowerContext. A context is cheap; make one per call (or reuse one per
// instance and set Borrows per call). It is not safe for concurrent use.
type LiftLowerContext struct {
	ABI            *ABI
	Memory         Memory  // required for strings, lists and spilled values
	Realloc        Realloc // required to lower strings, lists and spilled values
	StringEncoding StringEncoding
	// PostReturn is the post-return option; LiftResults calls it with the
	// flat results once they are lifted.
	PostReturn func(ctx context.Context, flat []uint64) error

	// Table is the instance's handle table, needed for own, borrow and
	// async values.
	Table *ResourceTable
	// Instance identifies the instance the values are lowered into or
	// lifted from (see ResourceType.Impl).
	Instance any
	// Borrows is the call's borrow scope: lifting a borrow lends the handle
	// to it, lowering a borrow counts it (nil: borrows are not tracked).
	Borrows *BorrowScope
	// Resources maps a resource TypeDef (after aliases) to its run-time
	// type. When nil, the context makes one ResourceType per resource on
	// first use and keeps it, which suits a single instance or a test.
	Resources func(wit.TypeID) *ResourceType
	// Async handles stream, future and error-context values.
	Async AsyncValues

	// MaxLiftBytes bounds the guest bytes one lift may copy out (strings
	// and list contents together). A guest can point many list elements
	// at the same bytes; the bound keeps that from multiplying host
	// memory. 0 means four times the memory size plus 1 MiB.
	MaxLiftBytes uint64

	buf    []byte
	budget uint64
	own    map[wit.TypeID]*ResourceType
}

// refresh fetches the memory view and resets the lift budget at the start
// of a top-level operation.
func (cx *LiftLowerContext) refresh() {
	if cx.Memory != nil {
		cx.buf = cx.Memory.Bytes()
	} else {
		cx.buf = nil
	}
	cx.budget = cx.MaxLiftBytes
	if cx.budget == 0 {
		cx.budget = 4*uint64(len(cx.buf)) + 1<<20
	}
}

func (cx *LiftLowerContext) charge(op string, n uint64) error {
	if n > cx.budget {
		return trapf(op, "lifting copies more than the %d-byte budget (MaxLiftBytes)", cx.MaxLiftBytes)
	}
	cx.budget -= n
	return nil
}

func (cx *LiftLowerContext) resourceType(id wit.TypeID) *ResourceType {
	if cx.Resources != nil {
		if rt := cx.Resources(id); rt != nil {
			return rt
		}
	}
	if cx.own == nil {
		cx.own = map[wit.TypeID]*ResourceType{}
	}
	rt := cx.own[id]
	if rt == nil {
		name := ""
		if int(id) < len(cx.ABI.resolve.Types) {
			name = cx.ABI.resolve.Types[id].Name
		}
		rt = &ResourceType{Name: name}
		cx.own[id] = rt
	}
	return rt
}

func (cx *LiftLowerContext) layout(t wit.Type) (*Layout, error) {
	if cx.ABI == nil {
		return nil, fmt.Errorf("canon: LiftLowerContext has no ABI")
	}
	l := cx.ABI.layout(t)
	if l.err != nil {
		return nil, l.err
	}
	if l.noValues != nil {
		return nil, l.noValues
	}
	return l, nil
}

func (cx *LiftLowerContext) addrMask() uint64 {
	if cx.ABI.addr == Addr64 {
		return ^uint64(0)
	}
	return 0xffffffff
}

// inBounds reports whether [ptr, ptr+n) lies inside the memory.
func (cx *LiftLowerContext) inBounds(ptr, n uint64) bool {
	m := uint64(len(cx.buf))
	return ptr <= m && n <= m-ptr
}

// LiftFlat lifts a value of type t from its flat core values (as many as
// the type flattens to). Integers narrower than their core type ignore the
// extra bits; f32 values are in the low 32 bits of their slot.
func (cx *LiftLowerContext) LiftFlat(t wit.Type, flat []uint64) (Value, error) {
	var v Value
	err := cx.LiftFlatInto(t, flat, &v)
	return v, err
}

// LiftFlatInto is LiftFlat into *dst, reusing dst's storage: lifting
// scalars, enums, flags and records of them into a reused Value does not
// allocate.
func (cx *LiftLowerContext) LiftFlatInto(t wit.Type, flat []uint64, dst *Value) error {
	l, err := cx.layout(t)
	if err != nil {
		return err
	}
	if uint64(len(flat)) != l.FlatCount {
		return fmt.Errorf("canon: lift: type flattens to %d core values, got %d", l.FlatCount, len(flat))
	}
	cx.refresh()
	_, err = cx.liftFlat(l, flat, 0, dst)
	return err
}

// Load reads a value of type t from memory at ptr, which must be aligned
// for t and leave room for it.
func (cx *LiftLowerContext) Load(t wit.Type, ptr uint64) (Value, error) {
	var v Value
	err := cx.LoadInto(t, ptr, &v)
	return v, err
}

// LoadInto is Load into *dst, reusing its storage.
func (cx *LiftLowerContext) LoadInto(t wit.Type, ptr uint64, dst *Value) error {
	l, err := cx.layout(t)
	if err != nil {
		return err
	}
	cx.refresh()
	if err := cx.checkRange("load", ptr, l.Size, l.Align); err != nil {
		return err
	}
	return cx.load(l, ptr, dst)
}

func (cx *LiftLowerContext) checkRange(op string, ptr, size uint64, align uint32) error {
	if ptr&(uint64(align)-1) != 0 {
		return trapf(op, msgUnaligned+": pointer %#x is not aligned to %d", ptr, align)
	}
	if !cx.inBounds(ptr, size) {
		return trapf(op, msgOutOfBounds+": %d bytes at %#x run past the end of memory (%d bytes)", size, ptr, len(cx.buf))
	}
	return nil
}

// LowerFlat lowers v as type t to flat core values, appended to dst.
// Strings and lists are allocated through Realloc.
func (cx *LiftLowerContext) LowerFlat(ctx context.Context, t wit.Type, v Value, dst []uint64) ([]uint64, error) {
	l, err := cx.layout(t)
	if err != nil {
		return dst, err
	}
	cx.refresh()
	return cx.lowerFlat(ctx, l, &v, dst)
}

// Store writes v as type t to memory at ptr, which must be aligned for t
// and leave room for it.
func (cx *LiftLowerContext) Store(ctx context.Context, t wit.Type, v Value, ptr uint64) error {
	l, err := cx.layout(t)
	if err != nil {
		return err
	}
	cx.refresh()
	if err := cx.checkRange("store", ptr, l.Size, l.Align); err != nil {
		return err
	}
	return cx.store(ctx, l, &v, ptr)
}

// LiftValues lifts a parameter or result list of types ts from flat
// values. When the types flatten to more than maxFlat values, flat is a
// single pointer to the tuple of them in memory (the spilled form).
func (cx *LiftLowerContext) LiftValues(maxFlat int, ts []wit.Type, flat []uint64) ([]Value, error) {
	out := make([]Value, len(ts))
	n, err := cx.ABI.flatCount(ts)
	if err != nil {
		return nil, err
	}
	cx.refresh()
	if n > uint64(maxFlat) {
		if len(flat) != 1 {
			return nil, fmt.Errorf("canon: lift: spilled values need 1 pointer, got %d core values", len(flat))
		}
		tl, err := cx.ABI.TupleLayout(ts)
		if err != nil {
			return nil, err
		}
		ptr := flat[0] & cx.addrMask()
		if err := cx.checkRange("lift", ptr, tl.Size, tl.Align); err != nil {
			return nil, err
		}
		for i, f := range tl.fields {
			if f.noValues != nil {
				return nil, f.noValues
			}
			if err := cx.load(f, ptr+tl.FieldOffsets[i], &out[i]); err != nil {
				return nil, atIndex(err, "value", i)
			}
		}
		return out, nil
	}
	if uint64(len(flat)) != n {
		return nil, fmt.Errorf("canon: lift: types flatten to %d core values, got %d", n, len(flat))
	}
	pos := 0
	for i, t := range ts {
		l, err := cx.layout(t)
		if err != nil {
			return nil, err
		}
		if pos, err = cx.liftFlat(l, flat, pos, &out[i]); err != nil {
			return nil, atIndex(err, "value", i)
		}
	}
	return out, nil
}

// LowerValues lowers a parameter or result list. When the types flatten
// to more than maxFlat values they are stored as a tuple in memory: at
// *outParam when it is given (a caller-supplied return area, and nothing
// is appended to dst), otherwise in a block allocated through Realloc,
// whose pointer is appended to dst.
func (cx *LiftLowerContext) LowerValues(ctx context.Context, maxFlat int, ts []wit.Type, vs []Value, outParam *uint64, dst []uint64) ([]uint64, error) {
	if len(ts) != len(vs) {
		return dst, valuef("%d values for %d types", len(vs), len(ts))
	}
	n, err := cx.ABI.flatCount(ts)
	if err != nil {
		return dst, err
	}
	cx.refresh()
	if n > uint64(maxFlat) {
		tl, err := cx.ABI.TupleLayout(ts)
		if err != nil {
			return dst, err
		}
		var ptr uint64
		if outParam == nil {
			if ptr, err = cx.realloc(ctx, "lower", 0, 0, tl.Align, tl.Size); err != nil {
				return dst, err
			}
			dst = append(dst, ptr)
		} else {
			ptr = *outParam & cx.addrMask()
		}
		if err := cx.checkRange("lower", ptr, tl.Size, tl.Align); err != nil {
			return dst, err
		}
		for i, f := range tl.fields {
			if f.noValues != nil {
				return dst, f.noValues
			}
			if err := cx.store(ctx, f, &vs[i], ptr+tl.FieldOffsets[i]); err != nil {
				return dst, atIndex(err, "value", i)
			}
		}
		return dst, nil
	}
	for i, t := range ts {
		l, err := cx.layout(t)
		if err != nil {
			return dst, err
		}
		if dst, err = cx.lowerFlat(ctx, l, &vs[i], dst); err != nil {
			return dst, atIndex(err, "value", i)
		}
	}
	return dst, nil
}

// LiftResults lifts the results of a lifted function's core call (at most
// MaxFlatResults flat values, else a pointer to them) and then runs the
// post-return option with the same flat values, as canon lift does.
func (cx *LiftLowerContext) LiftResults(ctx context.Context, ts []wit.Type, flat []uint64) ([]Value, error) {
	vs, err := cx.LiftValues(MaxFlatResults, ts, flat)
	if err != nil {
		return nil, err
	}
	if cx.PostReturn != nil {
		if err := cx.PostReturn(ctx, flat); err != nil {
			return nil, err
		}
	}
	return vs, nil
}

// realloc calls the guest's realloc and re-fetches memory, which the call
// may have grown.
func (cx *LiftLowerContext) realloc(ctx context.Context, op string, old, oldSize uint64, align uint32, newSize uint64) (uint64, error) {
	if cx.Realloc == nil {
		return 0, fmt.Errorf("canon: %s needs the realloc option", op)
	}
	if cx.Memory == nil {
		return 0, fmt.Errorf("canon: %s needs the memory option", op)
	}
	p, err := cx.Realloc(ctx, old, oldSize, uint64(align), newSize)
	cx.buf = cx.Memory.Bytes()
	if err != nil {
		return 0, err
	}
	return p & cx.addrMask(), nil
}

// What a realloc allocates, for the words of its traps.
const (
	allocBlock  = iota // spilled values
	allocString        // a string's code units
	allocList          // a list's elements
)

// allocCheck checks a block the realloc returned.
func (cx *LiftLowerContext) allocCheck(op string, what int, ptr uint64, align uint32, size uint64) error {
	if ptr&(uint64(align)-1) != 0 {
		return trapf(op, msgUnaligned+": "+msgReallocAlign+" (%#x, want alignment %d)", ptr, align)
	}
	if !cx.inBounds(ptr, size) {
		prefix := ""
		switch what {
		case allocString:
			prefix = msgStringOOB + ": "
		case allocList:
			prefix = msgListOOB + ": "
		}
		return trapf(op, prefix+msgReallocBounds+" (%d bytes at %#x, memory is %d bytes)", size, ptr, len(cx.buf))
	}
	return nil
}
