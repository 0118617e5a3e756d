package component

import (
	"github.com/wasmcm/wasmcm/internal/wasm"
)

// This file walks core instructions for the adapter GC (new_gc.go): every
// immediate that names a type, function, table, memory or global goes
// through an index map, which both marks the item live and gives its new
// index, and the instruction is written again with the new indices.

// opIndexMap maps the indices an instruction names; an error stops the walk.
type opIndexMap struct {
	typ, fn, table, global, mem func(uint32) (uint32, error)
}

// opWriter copies instructions from r to out, mapping indices.
type opWriter struct {
	r   *wasm.Reader
	m   *opIndexMap
	out []byte
}

func (w *opWriter) u32() error {
	v, err := w.r.U32()
	w.out = wasm.AppendU32(w.out, v)
	return err
}

func (w *opWriter) index(f func(uint32) (uint32, error)) error {
	v, err := w.r.U32()
	if err != nil {
		return err
	}
	if v, err = f(v); err != nil {
		return err
	}
	w.out = wasm.AppendU32(w.out, v)
	return nil
}

func (w *opWriter) bytes(n int) error {
	b, err := w.r.Bytes(n)
	w.out = append(w.out, b...)
	return err
}

func (w *opWriter) heapType() error {
	h, err := w.r.ReadHeapType()
	if err != nil {
		return err
	}
	if h.Abstract == 0 {
		if h.Index, err = w.m.typ(h.Index); err != nil {
			return err
		}
	}
	w.out = wasm.AppendHeapType(w.out, h)
	return nil
}

func (w *opWriter) valType() error {
	v, err := w.r.ReadValType()
	if err != nil {
		return err
	}
	if (v.Code == wasm.Ref || v.Code == wasm.RefNull) && v.Heap.Abstract == 0 {
		if v.Heap.Index, err = w.m.typ(v.Heap.Index); err != nil {
			return err
		}
	}
	w.out = wasm.AppendValType(w.out, v)
	return nil
}

func (w *opWriter) blockType() error {
	c, err := w.r.Peek()
	if err != nil {
		return err
	}
	switch {
	case c == 0x40:
		return w.bytes(1)
	case c == wasm.Ref || c == wasm.RefNull || c == 0x65 || (c >= 0x68 && c <= 0x7f):
		return w.valType()
	}
	v, err := w.r.S33()
	if err != nil {
		return err
	}
	if v < 0 || v > 0xffffffff {
		return w.r.Errorf("invalid block type")
	}
	t, err := w.m.typ(uint32(v))
	if err != nil {
		return err
	}
	w.out = wasm.AppendS64(w.out, int64(t))
	return nil
}

func (w *opWriter) memarg() error {
	align, err := w.r.U32()
	if err != nil {
		return err
	}
	w.out = wasm.AppendU32(w.out, align)
	if align&0x40 != 0 {
		if err := w.index(w.m.mem); err != nil {
			return err
		}
	} else if _, err := w.m.mem(0); err != nil { // memory 0, implied
		return err
	}
	off, err := w.r.U64()
	w.out = wasm.AppendU64(w.out, off)
	return err
}

// locals copies a function's local declarations.
func (w *opWriter) locals() error {
	n, err := w.r.U32()
	if err != nil {
		return err
	}
	if int(n) > w.r.Remaining() {
		return w.r.Errorf("%d local declarations in a body of %d bytes", n, w.r.Remaining())
	}
	w.out = wasm.AppendU32(w.out, n)
	for range n {
		if err := w.u32(); err != nil {
			return err
		}
		if err := w.valType(); err != nil {
			return err
		}
	}
	return nil
}

// ops copies instructions until the reader is empty.
func (w *opWriter) ops() error {
	m := w.m
	for !w.r.EOF() {
		start := w.r.Offset()
		op, _ := w.r.Byte()
		w.out = append(w.out, op)
		var err error
		switch {
		case op <= 0x01, op == 0x05, op == 0x0a, op == 0x0b, op == 0x0f, op == 0x19, op == 0x1a, op == 0x1b,
			op >= 0x45 && op <= 0xc4, op == 0xd1, op == 0xd3, op == 0xd4:
			// no immediates
		case op >= 0x02 && op <= 0x04, op == 0x06: // block, loop, if, try
			err = w.blockType()
		case op == 0x07, op == 0x08: // catch, throw: tag
			err = w.u32()
		case op == 0x09, op == 0x18, op == 0x0c, op == 0x0d, op == 0xd5, op == 0xd6: // labels
			err = w.u32()
		case op == 0x0e: // br_table
			var n uint32
			if n, err = w.r.U32(); err == nil {
				if int(n) > w.r.Remaining() {
					return wasm.ErrorAt(start, "br_table of %d labels in %d bytes", n, w.r.Remaining())
				}
				w.out = wasm.AppendU32(w.out, n)
				for i := uint32(0); i <= n && err == nil; i++ {
					err = w.u32()
				}
			}
		case op == 0x10, op == 0x12, op == 0xd2: // call, return_call, ref.func
			err = w.index(m.fn)
		case op == 0x11, op == 0x13: // call_indirect, return_call_indirect
			if err = w.index(m.typ); err == nil {
				err = w.index(m.table)
			}
		case op == 0x14, op == 0x15: // call_ref, return_call_ref
			err = w.index(m.typ)
		case op == 0x1c: // select t*
			var n uint32
			if n, err = w.r.U32(); err == nil {
				if int(n) > w.r.Remaining() {
					return wasm.ErrorAt(start, "select of %d types in %d bytes", n, w.r.Remaining())
				}
				w.out = wasm.AppendU32(w.out, n)
				for i := uint32(0); i < n && err == nil; i++ {
					err = w.valType()
				}
			}
		case op == 0x1f: // try_table
			if err = w.blockType(); err != nil {
				return err
			}
			var n uint32
			if n, err = w.r.U32(); err == nil {
				if int(n) > w.r.Remaining() {
					return wasm.ErrorAt(start, "try_table of %d catches in %d bytes", n, w.r.Remaining())
				}
				w.out = wasm.AppendU32(w.out, n)
				for i := uint32(0); i < n && err == nil; i++ {
					var k byte
					if k, err = w.r.Byte(); err != nil {
						break
					}
					w.out = append(w.out, k)
					if k <= 1 {
						if err = w.u32(); err != nil {
							break
						}
					}
					err = w.u32()
				}
			}
		case op >= 0x20 && op <= 0x22: // locals
			err = w.u32()
		case op == 0x23, op == 0x24:
			err = w.index(m.global)
		case op == 0x25, op == 0x26:
			err = w.index(m.table)
		case op >= 0x28 && op <= 0x3e:
			err = w.memarg()
		case op == 0x3f, op == 0x40:
			err = w.index(m.mem)
		case op == 0x41:
			var v int32
			v, err = w.r.S32()
			w.out = wasm.AppendS32(w.out, v)
		case op == 0x42:
			var v int64
			v, err = w.r.S64()
			w.out = wasm.AppendS64(w.out, v)
		case op == 0x43:
			err = w.bytes(4)
		case op == 0x44:
			err = w.bytes(8)
		case op == 0xd0: // ref.null
			err = w.heapType()
		case op == 0xfc:
			err = w.miscOp(start)
		case op == 0xfd:
			err = w.simdOp(start)
		case op == 0xfe:
			var sub uint32
			if sub, err = w.r.U32(); err == nil {
				w.out = wasm.AppendU32(w.out, sub)
				if sub == 0x03 { // atomic.fence
					err = w.bytes(1)
				} else {
					err = w.memarg()
				}
			}
		default:
			return wasm.ErrorAt(start, "instruction 0x%02x is not supported in an adapter", op)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (w *opWriter) miscOp(start int) error {
	m := w.m
	sub, err := w.r.U32()
	if err != nil {
		return err
	}
	w.out = wasm.AppendU32(w.out, sub)
	switch {
	case sub <= 7, sub >= 19 && sub <= 22: // saturating truncations, wide arithmetic
		return nil
	case sub == 8: // memory.init data mem
		if err := w.u32(); err != nil {
			return err
		}
		return w.index(m.mem)
	case sub == 9, sub == 13: // data.drop, elem.drop
		return w.u32()
	case sub == 10: // memory.copy
		if err := w.index(m.mem); err != nil {
			return err
		}
		return w.index(m.mem)
	case sub == 11:
		return w.index(m.mem)
	case sub == 12: // table.init elem table
		if err := w.u32(); err != nil {
			return err
		}
		return w.index(m.table)
	case sub == 14:
		if err := w.index(m.table); err != nil {
			return err
		}
		return w.index(m.table)
	case sub >= 15 && sub <= 17:
		return w.index(m.table)
	}
	return wasm.ErrorAt(start, "instruction 0xfc %d is not supported in an adapter", sub)
}

func (w *opWriter) simdOp(start int) error {
	sub, err := w.r.U32()
	if err != nil {
		return err
	}
	w.out = wasm.AppendU32(w.out, sub)
	switch {
	case sub <= 0x0b, sub == 0x5c, sub == 0x5d:
		return w.memarg()
	case sub == 0x0c, sub == 0x0d: // v128.const, i8x16.shuffle
		return w.bytes(16)
	case sub >= 0x15 && sub <= 0x22: // lane accesses
		return w.bytes(1)
	case sub >= 0x54 && sub <= 0x5b: // load/store lane
		if err := w.memarg(); err != nil {
			return err
		}
		return w.bytes(1)
	case sub > 0x113:
		return wasm.ErrorAt(start, "instruction 0xfd %d is not supported in an adapter", sub)
	}
	return nil
}
