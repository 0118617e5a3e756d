package canon_test

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/canon/internal/typestr"
)

// FuzzLift lifts and loads random bytes as random types. Only values or
// errors may come out (never a panic), and the value built must stay within
// a constant factor of the bytes the guest could have provided.
func FuzzLift(f *testing.F) {
	f.Add([]byte("\x01\x00\x00\x00\x00\x00\x00\x00\x00hello world, this is memory"))
	f.Add([]byte("\x07\x00\x00\x00\x00\x00\x00\x00\x03\x10\x00\x00\x00\x04\x00\x00\x00abcdefgh"))
	f.Add(make([]byte, 64))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 9 {
			return
		}
		seed := binary.LittleEndian.Uint64(data)
		mode := data[8]
		mem := append([]byte(nil), data[9:]...)
		g := newTypeGen(seed)
		typ := g.typ(int(seed>>60) % 5)
		addr := canon.Addr32
		if mode&4 != 0 {
			addr = canon.Addr64
		}
		budget := 4*uint64(len(mem)) + 64
		cx := &canon.LiftLowerContext{
			ABI:            canon.New(g.r, addr),
			Memory:         canon.FixedMemory(mem),
			StringEncoding: canon.StringEncoding(mode % 3),
			Table:          &canon.ResourceTable{},
			MaxLiftBytes:   budget,
		}
		l, err := cx.ABI.Layout(typ)
		if err != nil {
			t.Fatalf("generated type %s has no layout: %v", typestr.Format(g.r, typ), err)
		}
		var v canon.Value
		if mode&8 == 0 && l.Flat != nil {
			flat := make([]uint64, len(l.Flat))
			for i, ct := range l.Flat {
				var x uint64
				if len(mem) > 0 {
					var b [8]byte
					for j := range b {
						b[j] = mem[(8*i+j)%len(mem)]
					}
					x = binary.LittleEndian.Uint64(b[:])
				}
				if ct == canon.CoreI32 || ct == canon.CoreF32 {
					x &= 0xffffffff
				}
				flat[i] = x
			}
			v, err = cx.LiftFlat(typ, flat)
		} else {
			ptr := uint64(seed>>32) % uint64(len(mem)+16)
			v, err = cx.Load(typ, ptr)
		}
		if err != nil {
			var trap *canon.Trap
			var verr *canon.ValueError
			if !errors.As(err, &trap) && !errors.As(err, &verr) {
				t.Fatalf("%s: an error that is neither a trap nor a value error: %v", typestr.Format(g.r, typ), err)
			}
			return
		}
		if size := valueBytes(v); size > 128*(budget+l.Size+l.FlatCount)+budget {
			t.Fatalf("%s: lifting %d bytes built a %d-byte value", typestr.Format(g.r, typ), len(mem), size)
		}
	})
}

// valueBytes estimates the host memory a Value holds.
func valueBytes(v canon.Value) uint64 {
	n := uint64(56)
	if v.Kind() == canon.KindString {
		n += uint64(len(v.String()))
	}
	for _, e := range v.Elems() {
		n += valueBytes(e)
	}
	return n
}
