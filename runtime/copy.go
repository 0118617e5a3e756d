package runtime

import (
	"context"
	"encoding/binary"
	"unicode/utf8"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/wit"
)

// This file is the direct path of component-to-component calls that move
// strings or lists between two memories. wazero 1.12 has no multi-memory,
// so a core wasm adapter cannot read one memory and write the other; the
// call goes through a Go trampoline, which copies each string or list
// from the caller's memory into a block the callee's realloc returns with
// one copy, and builds no Value and allocates nothing.

// copyOp moves one parameter (or the result) across.
type copyOp struct {
	conv conv // scalars: as the adapters convert them
	// elemSize is the element size of a list of numbers, 1 for a UTF-8
	// string; 0 for a scalar.
	elemSize uint32
	isString bool
}

// copyPlan is the direct path of one lowering: the ops of the flat
// parameters and of the result, when every value is a scalar, a UTF-8
// string on both sides or a list of numbers.
type copyPlan struct {
	params []copyOp
	// result is the op of the result; resultOut tells that the caller
	// gets it through its return pointer (a string or list).
	result    *copyOp
	resultOut bool
}

// planCopy returns the direct path of lowering lf, of type sig (in r, the
// lowering side's types), with options opts, or nil when the call needs
// the general path. Calls of scalars only are left to the adapters unless
// scalars is set.
func planCopy(r *wit.Resolve, sig *funcSig, opts *planOpts, lf *liftedFunc, scalars bool) *copyPlan {
	if lf.coreTramp >= 0 || lf.core < 0 {
		return nil
	}
	cp := &copyPlan{}
	memory := false
	nflat := 0
	for _, t := range sig.params {
		op, ok := copyOpOf(r, t)
		if !ok {
			return nil
		}
		if op.elemSize > 0 {
			memory = true
			nflat += 2
		} else {
			nflat++
		}
		cp.params = append(cp.params, op)
	}
	if nflat > canon.MaxFlatParams {
		return nil
	}
	if len(sig.results) == 1 {
		op, ok := copyOpOf(r, sig.result)
		if !ok {
			return nil
		}
		cp.result = &op
		if op.elemSize > 0 {
			memory = true
			cp.resultOut = true
		}
	}
	if !memory {
		if !scalars {
			return nil // the adapters take these
		}
		return cp
	}
	// Both sides need a memory, the receiving sides a realloc, and
	// strings UTF-8 on both sides.
	if opts == nil || opts.memory < 0 || lf.opts.memory < 0 || opts.addr != canon.Addr32 || lf.opts.addr != canon.Addr32 {
		return nil
	}
	for _, op := range cp.params {
		if op.elemSize > 0 && lf.opts.realloc < 0 {
			return nil
		}
		if op.isString && (opts.encoding != canon.UTF8 || lf.opts.encoding != canon.UTF8) {
			return nil
		}
	}
	if cp.resultOut && (opts.realloc < 0 || (cp.result.isString && (opts.encoding != canon.UTF8 || lf.opts.encoding != canon.UTF8))) {
		return nil
	}
	return cp
}

func copyOpOf(r *wit.Resolve, t wit.Type) (copyOp, bool) {
	t = r.Dealias(t)
	if t == wit.String {
		return copyOp{elemSize: 1, isString: true}, true
	}
	if td := r.TypeDef(t); td != nil && td.Kind == wit.KindList {
		switch r.Dealias(td.Elem) {
		case wit.U8, wit.S8:
			return copyOp{elemSize: 1}, true
		case wit.U16, wit.S16:
			return copyOp{elemSize: 2}, true
		case wit.U32, wit.S32, wit.F32:
			return copyOp{elemSize: 4}, true
		case wit.U64, wit.S64, wit.F64:
			return copyOp{elemSize: 8}, true
		}
		return copyOp{}, false
	}
	cs, ok := scalarConv(r, t, nil, 0)
	if !ok || len(cs) != 1 {
		return copyOp{}, false
	}
	return copyOp{conv: cs[0]}, true
}

// convert applies a scalar op to a flat value, as the adapters do.
func (c conv) apply(v uint64) (uint64, error) {
	switch c.kind {
	case convBool:
		if uint32(v) != 0 {
			return 1, nil
		}
		return 0, nil
	case convU8:
		return uint64(uint8(v)), nil
	case convS8:
		return uint64(uint32(int32(int8(v)))), nil
	case convU16:
		return uint64(uint16(v)), nil
	case convS16:
		return uint64(uint32(int32(int16(v)))), nil
	case convChar:
		x := uint32(v)
		if x >= 0x110000 || (x >= 0xD800 && x <= 0xDFFF) {
			return 0, &Trap{Reason: adapterTrapMessages[trapBadChar]}
		}
		return uint64(x), nil
	case convEnum:
		if uint32(v) >= c.n {
			return 0, &Trap{Reason: adapterTrapMessages[trapBadEnum]}
		}
		return uint64(uint32(v)), nil
	case convFlags:
		if c.n < 32 {
			return uint64(uint32(v) & (1<<c.n - 1)), nil
		}
		return uint64(uint32(v)), nil
	}
	return v, nil
}

// moveBlock copies n elements of size elem at src in from (the sending
// memory) into a block of the receiving side's realloc, and returns its
// address.
func moveBlock(ctx context.Context, from, to *canon.LiftLowerContext, src, n uint64, op copyOp) (uint64, error) {
	what := "list"
	if op.isString {
		what = "string"
	}
	size := n * uint64(op.elemSize)
	align := uint64(op.elemSize)
	if src&(align-1) != 0 {
		return 0, trapf("unaligned pointer: %s at %#x", what, src)
	}
	fm := from.Memory.Bytes()
	if src > uint64(len(fm)) || size > uint64(len(fm))-src {
		if op.isString {
			return 0, trapf("string content out-of-bounds")
		}
		return 0, trapf("list pointer/length out of bounds of memory")
	}
	if size > 1<<31-1 && op.isString || size >= 1<<32 {
		if op.isString {
			return 0, trapf("string content out-of-bounds: %d bytes are more than a string may hold", size)
		}
		return 0, trapf("list of %d bytes is too large", size)
	}
	dst, err := to.Realloc(ctx, 0, 0, align, size)
	if err != nil {
		return 0, err
	}
	dst = uint64(uint32(dst))
	tm := to.Memory.Bytes()
	if dst&(align-1) != 0 {
		return 0, trapf("unaligned pointer: realloc returned %#x", dst)
	}
	if dst > uint64(len(tm)) || size > uint64(len(tm))-dst {
		return 0, trapf("%s content out-of-bounds: realloc return: beyond end of memory (%d bytes at %#x, memory is %d bytes)", what, size, dst, len(tm))
	}
	fm = from.Memory.Bytes() // the realloc may have grown it (shared memory)
	if src > uint64(len(fm)) || size > uint64(len(fm))-src {
		return 0, trapf("%s pointer/length out of bounds of memory", what)
	}
	copy(tm[dst:dst+size], fm[src:src+size])
	if op.isString && !utf8.Valid(tm[dst:dst+size]) {
		return 0, trapf("invalid utf-8 string")
	}
	return dst, nil
}

// callCopy runs the direct path of trampoline t (a lowering of a lifted
// function with a copyPlan): stack holds the caller's flat parameters and
// receives its flat results.
//
// The callee is rt, of instance callee: inst itself for a lowering of a
// lifted function of its graph, another instance for a function linked
// from it.
func (inst *Instance) callCopy(ctx context.Context, t *rtTramp, cp *copyPlan, callee *Instance, rt *rtLifted, stack []uint64) error {
	p := t.p
	caller := t.comp
	cs := rt.comp
	if !cs.mayEnterFrom(caller) {
		return trapf("cannot enter component instance")
	}
	if callee != inst {
		gctx := callee.enter(ctx)
		defer callee.exit(ctx, gctx)
		ctx = gctx
	}
	cs.enterFrom(caller)
	args := rt.stack[:0]
	in := 0
	prev := cs.canLeave()
	cs.setLeave(false)
	for _, op := range cp.params {
		if op.elemSize == 0 {
			v, err := op.conv.apply(stack[in])
			if err != nil {
				cs.setLeave(prev)
				return err
			}
			args = append(args, v)
			in++
			continue
		}
		ptr, n := uint64(uint32(stack[in])), uint64(uint32(stack[in+1]))
		in += 2
		dst, err := moveBlock(ctx, &t.cx, &rt.cx, ptr, n, op)
		if err != nil {
			cs.setLeave(prev)
			return err
		}
		args = append(args, dst, n)
	}
	cs.setLeave(prev)
	var retptr uint64
	if cp.resultOut {
		retptr = uint64(uint32(stack[in]))
	}
	out := rt.stack
	if len(args) > len(out) {
		return trapf("%s: %d core parameters, room for %d", p.desc, len(args), len(out))
	}
	if err := rt.callCore(ctx, callee, out); err != nil {
		return err
	}
	if cp.result != nil {
		op := *cp.result
		if !cp.resultOut {
			v, err := op.conv.apply(out[0])
			if err != nil {
				return err
			}
			stack[0] = v
		} else {
			// The callee returned a pointer to (ptr, len) in its memory.
			at := uint64(uint32(out[0]))
			cm := rt.cx.Memory.Bytes()
			if at&3 != 0 {
				return trapf("unaligned pointer: results at %#x", at)
			}
			if at > uint64(len(cm)) || 8 > uint64(len(cm))-at {
				return trapf("pointer out of bounds of memory: results at %#x", at)
			}
			ptr := uint64(binary.LittleEndian.Uint32(cm[at:]))
			n := uint64(binary.LittleEndian.Uint32(cm[at+4:]))
			lprev := caller.canLeave()
			caller.setLeave(false)
			dst, err := moveBlock(ctx, &rt.cx, &t.cx, ptr, n, op)
			caller.setLeave(lprev)
			if err != nil {
				return err
			}
			mm := t.cx.Memory.Bytes()
			if retptr&3 != 0 {
				return trapf("unaligned pointer: return area at %#x", retptr)
			}
			if retptr > uint64(len(mm)) || 8 > uint64(len(mm))-retptr {
				return trapf("pointer out of bounds of memory: return area at %#x", retptr)
			}
			binary.LittleEndian.PutUint32(mm[retptr:], uint32(dst))
			binary.LittleEndian.PutUint32(mm[retptr+4:], uint32(n))
		}
	}
	if rt.p.opts.postReturn >= 0 {
		if err := rt.postReturn(ctx, callee, out[:rt.nres]); err != nil {
			return err
		}
	}
	cs.leaveTo(caller)
	return nil
}
