package canon

import (
	"encoding/binary"
	"fmt"
	"math"
)

const (
	canonicalNaN32 = 0x7fc00000
	canonicalNaN64 = 0x7ff8000000000000
)

// resize returns s with length n, reusing its storage when it can.
func resize(s []Value, n int) []Value {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]Value, n)
}

// setScalar overwrites *dst with a scalar, keeping its slice storage for
// reuse.
func setScalar(dst *Value, k Kind, bits uint64) {
	dst.kind, dst.bits, dst.str, dst.elems = k, bits, "", dst.elems[:0]
}

// LiftF32 converts the bits of an f32 core value to a float32,
// canonicalising NaN as lifting does.
func LiftF32(bits uint64) float32 {
	b := uint32(bits)
	if b&0x7f800000 == 0x7f800000 && b&0x007fffff != 0 {
		b = canonicalNaN32
	}
	return math.Float32frombits(b)
}

// LiftF64 converts the bits of an f64 core value to a float64,
// canonicalising NaN.
func LiftF64(bits uint64) float64 {
	if bits&0x7ff0000000000000 == 0x7ff0000000000000 && bits&0x000fffffffffffff != 0 {
		bits = canonicalNaN64
	}
	return math.Float64frombits(bits)
}

func canon32(b uint32) uint64 {
	if b&0x7f800000 == 0x7f800000 && b&0x007fffff != 0 {
		return canonicalNaN32
	}
	return uint64(b)
}

func canon64(b uint64) uint64 {
	if b&0x7ff0000000000000 == 0x7ff0000000000000 && b&0x000fffffffffffff != 0 {
		return canonicalNaN64
	}
	return b
}

// LiftChar converts an i32 to a char, trapping on surrogates and values
// past U+10FFFF.
func LiftChar(i uint64) (rune, error) {
	c := uint32(i)
	if c >= 0x110000 || (c >= 0xd800 && c <= 0xdfff) {
		return 0, trapf("lift", msgChar+": %#x is not a Unicode scalar value", c)
	}
	return rune(c), nil
}

// liftScalar converts a flat or loaded integer to the scalar kind k.
func liftScalar(k Kind, x uint64) (uint64, error) {
	switch k {
	case KindBool:
		if uint32(x) != 0 {
			return 1, nil
		}
		return 0, nil
	case KindS8:
		return uint64(int64(int8(x))), nil
	case KindU8:
		return x & 0xff, nil
	case KindS16:
		return uint64(int64(int16(x))), nil
	case KindU16:
		return x & 0xffff, nil
	case KindS32:
		return uint64(int64(int32(x))), nil
	case KindU32:
		return x & 0xffffffff, nil
	case KindS64, KindU64:
		return x, nil
	case KindF32:
		return canon32(uint32(x)), nil
	case KindF64:
		return canon64(x), nil
	case KindChar:
		r, err := LiftChar(x)
		return uint64(r), err
	}
	return 0, fmt.Errorf("canon: %s is not a scalar", k)
}

// liftFlat lifts l from flat[pos:] and returns the position after it.
func (cx *LiftLowerContext) liftFlat(l *Layout, flat []uint64, pos int, dst *Value) (int, error) {
	if uint64(len(flat)-pos) < l.FlatCount {
		return pos, fmt.Errorf("canon: lift: %d core values left, %s needs %d", len(flat)-pos, l.Kind, l.FlatCount)
	}
	switch k := l.Kind; k {
	case KindBool, KindS8, KindU8, KindS16, KindU16, KindS32, KindU32, KindS64, KindU64, KindF32, KindF64, KindChar:
		b, err := liftScalar(k, flat[pos])
		if err != nil {
			return pos, err
		}
		setScalar(dst, k, b)
		return pos + 1, nil
	case KindString:
		m := cx.addrMask()
		return pos + 2, cx.liftString(flat[pos]&m, flat[pos+1]&m, dst)
	case KindList, KindMap:
		m := cx.addrMask()
		return pos + 2, cx.loadListFromRange(l, flat[pos]&m, flat[pos+1]&m, dst)
	case KindFixedList:
		n := int(l.length)
		dst.kind, dst.bits, dst.str, dst.elems = k, 0, "", resize(dst.elems, n)
		var err error
		for i := range dst.elems {
			if pos, err = cx.liftFlat(l.elem, flat, pos, &dst.elems[i]); err != nil {
				return pos, atIndex(err, "element", i)
			}
		}
		return pos, nil
	case KindRecord, KindTuple:
		dst.kind, dst.bits, dst.str, dst.elems = k, 0, "", resize(dst.elems, len(l.fields))
		var err error
		for i, f := range l.fields {
			if f.Kind.isScalar() {
				// Inline the common case of a scalar field.
				x, err := liftScalar(f.Kind, flat[pos])
				if err != nil {
					return pos, at(err, cx.fieldName(l, i))
				}
				setScalar(&dst.elems[i], f.Kind, x)
				pos++
				continue
			}
			if pos, err = cx.liftFlat(f, flat, pos, &dst.elems[i]); err != nil {
				return pos, at(err, cx.fieldName(l, i))
			}
		}
		return pos, nil
	case KindVariant, KindEnum, KindOption, KindResult:
		disc := flat[pos] & 0xffffffff
		if disc >= l.length {
			return pos, discriminantTrap("lift", k, disc, l.length)
		}
		end := pos + int(l.FlatCount)
		c := l.cases[disc]
		dst.kind, dst.bits, dst.str = k, disc, ""
		if c == nil {
			dst.elems = dst.elems[:0]
			return end, nil
		}
		dst.elems = resize(dst.elems, 1)
		// The payload's slots are the variant's joined slots; every scalar
		// lift takes only the low bits it needs, which is exactly the
		// spec's coercion from a joined slot to the case's own type.
		if _, err := cx.liftFlat(c, flat, pos+1, &dst.elems[0]); err != nil {
			return pos, at(err, cx.caseName(l, int(disc)))
		}
		return end, nil
	case KindFlags:
		setScalar(dst, k, flat[pos]&flagsMask(l.length))
		return pos + 1, nil
	case KindOwn, KindBorrow:
		rep, err := cx.liftHandle(l, uint32(flat[pos]))
		if err != nil {
			return pos, err
		}
		setScalar(dst, k, uint64(rep))
		return pos + 1, nil
	case KindStream, KindFuture, KindErrorContext:
		h, err := cx.liftAsync(l, uint32(flat[pos]))
		if err != nil {
			return pos, err
		}
		setScalar(dst, k, uint64(h))
		return pos + 1, nil
	}
	return pos, fmt.Errorf("canon: lift: unsupported kind %s", l.Kind)
}

func flagsMask(n uint64) uint64 {
	if n >= 32 {
		return 0xffffffff
	}
	return 1<<n - 1
}

func (cx *LiftLowerContext) fieldName(l *Layout, i int) string {
	if l.Kind == KindRecord && l.def != nil && i < len(l.def.Fields) {
		return "field " + l.def.Fields[i].Name
	}
	return fmt.Sprintf("element %d", i)
}

func (cx *LiftLowerContext) caseName(l *Layout, i int) string {
	switch l.Kind {
	case KindOption:
		return "some"
	case KindResult:
		if i == 0 {
			return "ok"
		}
		return "error"
	}
	if l.def != nil && i < len(l.def.Cases) {
		return "case " + l.def.Cases[i].Name
	}
	return fmt.Sprintf("case %d", i)
}

func (cx *LiftLowerContext) liftHandle(l *Layout, i uint32) (uint32, error) {
	if cx.Table == nil {
		return 0, fmt.Errorf("canon: lifting %s needs a ResourceTable", l.Kind)
	}
	rt := cx.resourceType(l.resource)
	op := "lift " + l.Kind.String()
	if l.Kind == KindOwn {
		h, err := cx.Table.handle(op, rt, i, true)
		if err != nil {
			return 0, err
		}
		if h.NumLends != 0 {
			return 0, trapf(op, msgOwnBorrowed+" (handle %d is lent to %d call(s))", i, h.NumLends)
		}
		if !h.Own {
			return 0, trapf(op, "handle %d is a borrow, not an own", i)
		}
		return h.Rep, nil
	}
	h, err := cx.Table.handle(op, rt, i, false)
	if err != nil {
		return 0, err
	}
	if cx.Borrows != nil {
		h.NumLends++
		cx.Borrows.lenders = append(cx.Borrows.lenders, h)
	}
	return h.Rep, nil
}

func (cx *LiftLowerContext) liftAsync(l *Layout, i uint32) (uint32, error) {
	if cx.Async == nil {
		return 0, fmt.Errorf("canon: lifting a %s needs the runtime's AsyncValues", l.Kind)
	}
	return cx.Async.Lift(l.Kind, l.Type, i)
}

// load reads l at ptr; the caller has checked that [ptr, ptr+l.Size) is in
// bounds and aligned, so only nested strings and lists check again.
func (cx *LiftLowerContext) load(l *Layout, ptr uint64, dst *Value) error {
	b := cx.buf
	switch k := l.Kind; k {
	case KindBool, KindU8, KindS8:
		x, err := liftScalar(k, uint64(b[ptr]))
		setScalar(dst, k, x)
		return err
	case KindS16, KindU16:
		x, _ := liftScalar(k, uint64(binary.LittleEndian.Uint16(b[ptr:])))
		setScalar(dst, k, x)
		return nil
	case KindS32, KindU32, KindF32, KindChar:
		x, err := liftScalar(k, uint64(binary.LittleEndian.Uint32(b[ptr:])))
		if err != nil {
			return err
		}
		setScalar(dst, k, x)
		return nil
	case KindS64, KindU64, KindF64:
		x, _ := liftScalar(k, binary.LittleEndian.Uint64(b[ptr:]))
		setScalar(dst, k, x)
		return nil
	case KindString:
		p, n := cx.loadPtrPair(ptr)
		return cx.liftString(p, n, dst)
	case KindList, KindMap:
		p, n := cx.loadPtrPair(ptr)
		return cx.loadListFromRange(l, p, n, dst)
	case KindFixedList:
		return cx.loadElems(l, ptr, int(l.length), dst)
	case KindRecord, KindTuple:
		dst.kind, dst.bits, dst.str, dst.elems = k, 0, "", resize(dst.elems, len(l.fields))
		for i, f := range l.fields {
			if err := cx.load(f, ptr+l.FieldOffsets[i], &dst.elems[i]); err != nil {
				return at(err, cx.fieldName(l, i))
			}
		}
		return nil
	case KindVariant, KindEnum, KindOption, KindResult:
		var disc uint64
		switch l.DiscriminantSize {
		case 1:
			disc = uint64(b[ptr])
		case 2:
			disc = uint64(binary.LittleEndian.Uint16(b[ptr:]))
		default:
			disc = uint64(binary.LittleEndian.Uint32(b[ptr:]))
		}
		if disc >= l.length {
			return discriminantTrap("load", k, disc, l.length)
		}
		dst.kind, dst.bits, dst.str = k, disc, ""
		c := l.cases[disc]
		if c == nil {
			dst.elems = dst.elems[:0]
			return nil
		}
		dst.elems = resize(dst.elems, 1)
		if err := cx.load(c, ptr+l.PayloadOffset, &dst.elems[0]); err != nil {
			return at(err, cx.caseName(l, int(disc)))
		}
		return nil
	case KindFlags:
		var x uint64
		switch l.Size {
		case 1:
			x = uint64(b[ptr])
		case 2:
			x = uint64(binary.LittleEndian.Uint16(b[ptr:]))
		default:
			x = uint64(binary.LittleEndian.Uint32(b[ptr:]))
		}
		setScalar(dst, k, x&flagsMask(l.length))
		return nil
	case KindOwn, KindBorrow:
		rep, err := cx.liftHandle(l, binary.LittleEndian.Uint32(b[ptr:]))
		if err != nil {
			return err
		}
		setScalar(dst, k, uint64(rep))
		return nil
	case KindStream, KindFuture, KindErrorContext:
		h, err := cx.liftAsync(l, binary.LittleEndian.Uint32(b[ptr:]))
		if err != nil {
			return err
		}
		setScalar(dst, k, uint64(h))
		return nil
	}
	return fmt.Errorf("canon: load: unsupported kind %s", l.Kind)
}

func (cx *LiftLowerContext) loadPtrPair(ptr uint64) (uint64, uint64) {
	if cx.ABI.addr == Addr64 {
		return binary.LittleEndian.Uint64(cx.buf[ptr:]), binary.LittleEndian.Uint64(cx.buf[ptr+8:])
	}
	return uint64(binary.LittleEndian.Uint32(cx.buf[ptr:])), uint64(binary.LittleEndian.Uint32(cx.buf[ptr+4:]))
}

// loadListFromRange checks a list's bounds and loads its elements.
func (cx *LiftLowerContext) loadListFromRange(l *Layout, ptr, n uint64, dst *Value) error {
	e := l.elem
	if e.Size != 0 && n > MaxListByteLength/e.Size {
		return trapf("lift", msgListOOB+": list of %d elements of %d bytes is longer than the limit of %d bytes", n, e.Size, MaxListByteLength)
	}
	byteLen := n * e.Size
	if ptr&(uint64(e.Align)-1) != 0 {
		return trapf("lift", msgUnaligned+": list pointer %#x is not aligned to %d", ptr, e.Align)
	}
	if !cx.inBounds(ptr, byteLen) {
		return listOOB(ptr, byteLen, len(cx.buf))
	}
	if err := cx.charge("lift", byteLen); err != nil {
		return err
	}
	if err := cx.loadElems(l, ptr, int(n), dst); err != nil {
		return err
	}
	if l.Kind == KindMap {
		dst.kind = KindMap
	} else {
		dst.kind = KindList
	}
	return nil
}

// loadElems loads n elements of l.elem starting at ptr (already checked).
func (cx *LiftLowerContext) loadElems(l *Layout, ptr uint64, n int, dst *Value) error {
	e := l.elem
	dst.kind, dst.bits, dst.str, dst.elems = l.Kind, 0, "", resize(dst.elems, n)
	if e.Kind.isScalar() && e.Kind != KindChar && e.Kind != KindBool {
		loadScalars(e.Kind, cx.buf[ptr:ptr+uint64(n)*e.Size], dst.elems)
		return nil
	}
	for i := range dst.elems {
		if err := cx.load(e, ptr+uint64(i)*e.Size, &dst.elems[i]); err != nil {
			return atIndex(err, "element", i)
		}
	}
	return nil
}

// loadScalars is the loop of loadElems for integer and float elements,
// which cannot trap; one loop per kind keeps the switch out of it.
func loadScalars(k Kind, b []byte, out []Value) {
	switch k {
	case KindU8:
		for i := range out {
			out[i] = Value{kind: k, bits: uint64(b[i])}
		}
	case KindS8:
		for i := range out {
			out[i] = Value{kind: k, bits: uint64(int64(int8(b[i])))}
		}
	case KindU16:
		for i := range out {
			out[i] = Value{kind: k, bits: uint64(binary.LittleEndian.Uint16(b[2*i:]))}
		}
	case KindS16:
		for i := range out {
			out[i] = Value{kind: k, bits: uint64(int64(int16(binary.LittleEndian.Uint16(b[2*i:]))))}
		}
	case KindU32:
		for i := range out {
			out[i] = Value{kind: k, bits: uint64(binary.LittleEndian.Uint32(b[4*i:]))}
		}
	case KindS32:
		for i := range out {
			out[i] = Value{kind: k, bits: uint64(int64(int32(binary.LittleEndian.Uint32(b[4*i:]))))}
		}
	case KindF32:
		for i := range out {
			out[i] = Value{kind: k, bits: canon32(binary.LittleEndian.Uint32(b[4*i:]))}
		}
	case KindU64, KindS64:
		for i := range out {
			out[i] = Value{kind: k, bits: binary.LittleEndian.Uint64(b[8*i:])}
		}
	case KindF64:
		for i := range out {
			out[i] = Value{kind: k, bits: canon64(binary.LittleEndian.Uint64(b[8*i:]))}
		}
	}
}
