package canon

import (
	"context"
	"encoding/binary"
	"fmt"
)

func kindOK(l *Layout, v *Value) bool {
	if v.kind == l.Kind {
		return true
	}
	switch l.Kind {
	case KindFixedList, KindMap:
		return v.kind == KindList
	}
	return false
}

func mismatch(l *Layout, v *Value) error {
	if v.kind == KindInvalid {
		return valuef("missing value of type %s", l.Kind)
	}
	return valuef("a %s value cannot be lowered as %s", v.kind, l.Kind)
}

// lowerScalar returns the core bits of a scalar value of layout kind k.
func lowerScalar(k Kind, v *Value) (uint64, error) {
	switch k {
	case KindBool:
		if v.bits != 0 {
			return 1, nil
		}
		return 0, nil
	case KindS8, KindS16, KindS32:
		return uint64(uint32(v.bits)), nil
	case KindU8, KindU16, KindU32, KindS64, KindU64:
		return v.bits, nil
	case KindF32:
		// Lowering may write any NaN; the canonical one keeps results
		// deterministic (the spec's deterministic profile).
		return canon32(uint32(v.bits)), nil
	case KindF64:
		return canon64(v.bits), nil
	case KindChar:
		c := v.bits
		if c >= 0x110000 || (c >= 0xd800 && c <= 0xdfff) {
			return 0, valuef("char %#x is not a Unicode scalar value", c)
		}
		return c, nil
	}
	return 0, fmt.Errorf("canon: %s is not a scalar", k)
}

// lowerFlat appends the flat form of v to dst.
func (cx *LiftLowerContext) lowerFlat(ctx context.Context, l *Layout, v *Value, dst []uint64) ([]uint64, error) {
	if !kindOK(l, v) {
		return dst, mismatch(l, v)
	}
	switch k := l.Kind; k {
	case KindBool, KindS8, KindU8, KindS16, KindU16, KindS32, KindU32, KindS64, KindU64, KindF32, KindF64, KindChar:
		x, err := lowerScalar(k, v)
		return append(dst, x), err
	case KindString:
		p, n, err := cx.storeStringIntoRange(ctx, v.str, v.bits&3)
		return append(dst, p, n), err
	case KindList, KindMap:
		p, n, err := cx.storeListIntoRange(ctx, l, v)
		return append(dst, p, n), err
	case KindFixedList:
		if uint64(len(v.elems)) != l.length {
			return dst, valuef("fixed-length list of %d elements given %d", l.length, len(v.elems))
		}
		var err error
		for i := range v.elems {
			if dst, err = cx.lowerFlat(ctx, l.elem, &v.elems[i], dst); err != nil {
				return dst, atIndex(err, "element", i)
			}
		}
		return dst, nil
	case KindRecord, KindTuple:
		if len(v.elems) != len(l.fields) {
			return dst, valuef("%s of %d fields given %d", k, len(l.fields), len(v.elems))
		}
		var err error
		for i, f := range l.fields {
			if e := &v.elems[i]; f.Kind.isScalar() && e.kind == f.Kind {
				// Inline the common case of a scalar field.
				x, err := lowerScalar(f.Kind, e)
				if err != nil {
					return dst, at(err, cx.fieldName(l, i))
				}
				dst = append(dst, x)
				continue
			}
			if dst, err = cx.lowerFlat(ctx, f, &v.elems[i], dst); err != nil {
				return dst, at(err, cx.fieldName(l, i))
			}
		}
		return dst, nil
	case KindVariant, KindEnum, KindOption, KindResult:
		c, err := checkCase(l, v)
		if err != nil {
			return dst, err
		}
		start := len(dst)
		dst = append(dst, v.bits)
		if c != nil {
			// Joined slots hold the payload's bits zero-extended, which is
			// what the uint64 form of every core value already is.
			if dst, err = cx.lowerFlat(ctx, c, &v.elems[0], dst); err != nil {
				return dst, at(err, cx.caseName(l, int(v.bits)))
			}
		}
		for uint64(len(dst)-start) < l.FlatCount {
			dst = append(dst, 0)
		}
		return dst, nil
	case KindFlags:
		if v.bits&^flagsMask(l.length) != 0 {
			return dst, valuef("flags value %#x sets bits past the %d labels", v.bits, l.length)
		}
		return append(dst, v.bits), nil
	case KindOwn, KindBorrow:
		h, err := cx.lowerHandle(l, v)
		return append(dst, uint64(h)), err
	case KindStream, KindFuture, KindErrorContext:
		h, err := cx.lowerAsync(l, v)
		return append(dst, uint64(h)), err
	}
	return dst, fmt.Errorf("canon: lower: unsupported kind %s", l.Kind)
}

// checkCase checks a variant-family value against its layout and returns
// the case's payload layout.
func checkCase(l *Layout, v *Value) (*Layout, error) {
	if v.bits >= l.length {
		return nil, valuef("%s case %d is out of range (%d cases)", l.Kind, v.bits, l.length)
	}
	c := l.cases[v.bits]
	if (c != nil) != (len(v.elems) == 1) || len(v.elems) > 1 {
		if c == nil {
			return nil, valuef("%s case %d has no payload, but one was given", l.Kind, v.bits)
		}
		return nil, valuef("%s case %d needs a payload", l.Kind, v.bits)
	}
	return c, nil
}

func (cx *LiftLowerContext) lowerHandle(l *Layout, v *Value) (uint32, error) {
	if cx.Table == nil {
		return 0, fmt.Errorf("canon: lowering %s needs a ResourceTable", l.Kind)
	}
	rt := cx.resourceType(l.resource)
	rep := uint32(v.bits)
	if l.Kind == KindOwn {
		return cx.Table.Add(&ResourceHandle{Type: rt, Rep: rep, Own: true})
	}
	if rt.Impl != nil && rt.Impl == cx.Instance {
		// Borrowing into the instance that implements the resource passes
		// the rep itself.
		return rep, nil
	}
	h := &ResourceHandle{Type: rt, Rep: rep, Scope: cx.Borrows}
	if cx.Borrows != nil {
		cx.Borrows.numBorrows++
	}
	return cx.Table.Add(h)
}

func (cx *LiftLowerContext) lowerAsync(l *Layout, v *Value) (uint32, error) {
	if cx.Async == nil {
		return 0, fmt.Errorf("canon: lowering a %s needs the runtime's AsyncValues", l.Kind)
	}
	return cx.Async.Lower(l.Kind, l.Type, uint32(v.bits))
}

func (cx *LiftLowerContext) storePtrPair(ptr, a, b uint64) {
	if cx.ABI.addr == Addr64 {
		binary.LittleEndian.PutUint64(cx.buf[ptr:], a)
		binary.LittleEndian.PutUint64(cx.buf[ptr+8:], b)
		return
	}
	binary.LittleEndian.PutUint32(cx.buf[ptr:], uint32(a))
	binary.LittleEndian.PutUint32(cx.buf[ptr+4:], uint32(b))
}

func putScalar(b []byte, size uint64, x uint64) {
	switch size {
	case 1:
		b[0] = byte(x)
	case 2:
		binary.LittleEndian.PutUint16(b, uint16(x))
	case 4:
		binary.LittleEndian.PutUint32(b, uint32(x))
	default:
		binary.LittleEndian.PutUint64(b, x)
	}
}

// store writes v at ptr, which the caller checked. cx.buf is re-read after
// every step that may call realloc.
func (cx *LiftLowerContext) store(ctx context.Context, l *Layout, v *Value, ptr uint64) error {
	if !kindOK(l, v) {
		return mismatch(l, v)
	}
	switch k := l.Kind; k {
	case KindBool, KindS8, KindU8, KindS16, KindU16, KindS32, KindU32, KindS64, KindU64, KindF32, KindF64, KindChar:
		x, err := lowerScalar(k, v)
		if err != nil {
			return err
		}
		putScalar(cx.buf[ptr:], l.Size, x)
		return nil
	case KindString:
		p, n, err := cx.storeStringIntoRange(ctx, v.str, v.bits&3)
		if err != nil {
			return err
		}
		cx.storePtrPair(ptr, p, n)
		return nil
	case KindList, KindMap:
		p, n, err := cx.storeListIntoRange(ctx, l, v)
		if err != nil {
			return err
		}
		cx.storePtrPair(ptr, p, n)
		return nil
	case KindFixedList:
		if uint64(len(v.elems)) != l.length {
			return valuef("fixed-length list of %d elements given %d", l.length, len(v.elems))
		}
		return cx.storeElems(ctx, l.elem, v.elems, ptr)
	case KindRecord, KindTuple:
		if len(v.elems) != len(l.fields) {
			return valuef("%s of %d fields given %d", k, len(l.fields), len(v.elems))
		}
		for i, f := range l.fields {
			if err := cx.store(ctx, f, &v.elems[i], ptr+l.FieldOffsets[i]); err != nil {
				return at(err, cx.fieldName(l, i))
			}
		}
		return nil
	case KindVariant, KindEnum, KindOption, KindResult:
		c, err := checkCase(l, v)
		if err != nil {
			return err
		}
		putScalar(cx.buf[ptr:], uint64(l.DiscriminantSize), v.bits)
		if c != nil {
			if err := cx.store(ctx, c, &v.elems[0], ptr+l.PayloadOffset); err != nil {
				return at(err, cx.caseName(l, int(v.bits)))
			}
		}
		return nil
	case KindFlags:
		if v.bits&^flagsMask(l.length) != 0 {
			return valuef("flags value %#x sets bits past the %d labels", v.bits, l.length)
		}
		putScalar(cx.buf[ptr:], l.Size, v.bits)
		return nil
	case KindOwn, KindBorrow:
		h, err := cx.lowerHandle(l, v)
		if err != nil {
			return err
		}
		binary.LittleEndian.PutUint32(cx.buf[ptr:], h)
		return nil
	case KindStream, KindFuture, KindErrorContext:
		h, err := cx.lowerAsync(l, v)
		if err != nil {
			return err
		}
		binary.LittleEndian.PutUint32(cx.buf[ptr:], h)
		return nil
	}
	return fmt.Errorf("canon: store: unsupported kind %s", l.Kind)
}

// storeListIntoRange allocates the list's block and stores its elements.
func (cx *LiftLowerContext) storeListIntoRange(ctx context.Context, l *Layout, v *Value) (uint64, uint64, error) {
	e := l.elem
	n := uint64(len(v.elems))
	if e.Size != 0 && n > reallocMax/e.Size {
		return 0, 0, valuef("list of %d elements of %d bytes is too long for a realloc", n, e.Size)
	}
	byteLen := n * e.Size
	ptr, err := cx.realloc(ctx, "lower", 0, 0, e.Align, byteLen)
	if err != nil {
		return 0, 0, err
	}
	if err := cx.allocCheck("lower", allocList, ptr, e.Align, byteLen); err != nil {
		return 0, 0, err
	}
	if err := cx.storeElems(ctx, e, v.elems, ptr); err != nil {
		return 0, 0, err
	}
	return ptr, n, nil
}

func (cx *LiftLowerContext) storeElems(ctx context.Context, e *Layout, elems []Value, ptr uint64) error {
	if e.Kind.isScalar() {
		b := cx.buf[ptr : ptr+uint64(len(elems))*e.Size]
		if storeInts(e.Kind, b, elems) {
			return nil
		}
		for i := range elems {
			v := &elems[i]
			if v.kind != e.Kind {
				return atIndex(mismatch(e, v), "element", i)
			}
			x, err := lowerScalar(e.Kind, v)
			if err != nil {
				return atIndex(err, "element", i)
			}
			putScalar(b[uint64(i)*e.Size:], e.Size, x)
		}
		return nil
	}
	for i := range elems {
		if err := cx.store(ctx, e, &elems[i], ptr+uint64(i)*e.Size); err != nil {
			return atIndex(err, "element", i)
		}
	}
	return nil
}

// storeInts is the loop of storeElems for integer elements, one loop per
// size. It reports false, having written nothing, when an element is not
// of the list's kind or the kind is not an integer, leaving the checks and
// their errors to the general loop.
func storeInts(k Kind, b []byte, elems []Value) bool {
	for i := range elems {
		if elems[i].kind != k {
			return false
		}
	}
	switch k {
	case KindU8, KindS8:
		for i := range elems {
			b[i] = byte(elems[i].bits)
		}
	case KindU16, KindS16:
		for i := range elems {
			binary.LittleEndian.PutUint16(b[2*i:], uint16(elems[i].bits))
		}
	case KindU32, KindS32:
		for i := range elems {
			binary.LittleEndian.PutUint32(b[4*i:], uint32(elems[i].bits))
		}
	case KindU64, KindS64:
		for i := range elems {
			binary.LittleEndian.PutUint64(b[8*i:], elems[i].bits)
		}
	default:
		return false
	}
	return true
}
