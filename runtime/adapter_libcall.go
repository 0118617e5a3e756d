package runtime

import (
	"context"
	"errors"
	"strconv"
	"unicode/utf8"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/wit"
)

// The general adapters' libcalls: host functions of the trampolines' host
// module, as the reference's adapters call its host for transcoding and
// for handle tables. The string libcall reads one memory and writes the
// other directly; it never builds a Go string. Each takes the plan.refs
// indexes of its memories and finds them through the call's instance.

// String libcall operations: transcoding into latin1+utf16 (the other
// pairs, and strings in the same encoding, are the adapter's own wasm).
const (
	libUTF8ToLatin1 = iota
	libUTF16ToLatin1
	libUTF8ToCompactUTF16
	libUTF16ToCompactUTF16
	libUTF16ToCompactProbably
)

// Handle libcall operations besides the directions (dirParams,
// dirResults).
const (
	// libResEnd ends a call: the callee's borrows must be dropped, the
	// caller's lent handles are released.
	libResEnd = 2
	// libTaskEnter and libTaskExit start and end a task in a component
	// instance that uses context.get/set (its third argument): the task's
	// context slots start at zero, the interrupted task's come back.
	libTaskEnter = 3
	libTaskExit  = 4
)

// addAdapterLibcalls adds the libcalls to the trampolines' host module.
func addAdapterLibcalls(hb wazero.HostModuleBuilder) {
	i32 := api.ValueTypeI32
	hb.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(adapterTrapAt),
		[]api.ValueType{i32, i32}, nil).Export("trapat")
	hb.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(adapterStr),
		[]api.ValueType{i32, i32, i32, i32, i32, i32, i32, i32}, []api.ValueType{api.ValueTypeI64}).Export("str")
	hb.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(adapterRes),
		[]api.ValueType{i32, i32, i32, i32}, []api.ValueType{i32}).Export("res")
}

// adapterTrapAt is the trap of general adapters: the trap code and the
// plan module index of the adapter, which the message names.
func adapterTrapAt(ctx context.Context, _ api.Module, stack []uint64) {
	code, where := int32(stack[0]), int(uint32(stack[1]))
	msg := "adapter trap"
	if code >= 0 && int(code) < len(adapterTrapMessages) {
		msg = adapterTrapMessages[code]
	}
	if inst := instanceOf(ctx); inst != nil && where < len(inst.c.p.modules) {
		msg += " (in the " + inst.c.p.modules[where].name + ")"
	}
	panic(&guestError{err: &Trap{Reason: msg}})
}

func memoryBytes(m api.Memory) []byte {
	if m == nil {
		return nil
	}
	b, _ := m.Read(0, m.Size())
	return b
}

// adapterStr is the string libcall: op, the source and destination
// memories' refs, then the source's pointer and code units, the
// destination's pointer and byte size, and an extra argument.
func adapterStr(ctx context.Context, _ api.Module, stack []uint64) {
	inst := instanceOf(ctx)
	if inst == nil {
		panic(&guestError{err: trapf("adapter libcall outside of a component call")})
	}
	from, to := int(uint32(stack[1])), int(uint32(stack[2]))
	if from >= len(inst.refs) || to >= len(inst.refs) {
		panic(&guestError{err: trapf("adapter libcall: no memory %d or %d", from, to)})
	}
	s := memoryBytes(inst.refs[from].mem)
	d := memoryBytes(inst.refs[to].mem)
	op := uint32(stack[0])
	r, err := transcode(int(op&0xff), s, d, uint64(uint32(stack[3])), uint64(uint32(stack[4])),
		uint64(uint32(stack[5])), uint64(uint32(stack[6])), uint64(uint32(stack[7])))
	if err != nil {
		if t, ok := err.(*Trap); ok && int(op>>8) < len(inst.c.p.modules) {
			t.Reason += " (in the " + inst.c.p.modules[op>>8].name + ")"
		}
		panic(&guestError{err: err})
	}
	stack[0] = r
}

// span returns m[at:at+n] or false when it is out of bounds.
func span(m []byte, at, n uint64) ([]byte, bool) {
	if at > uint64(len(m)) || n > uint64(len(m))-at {
		return nil, false
	}
	return m[at : at+n : at+n], true
}

func strTrap(format string, args ...any) error { return trapf(format, args...) }

// transcode runs string operation op from s (the source memory) to d.
// Partial operations return the source units read (high 32 bits) and the
// destination units written; the others return the units written.
func transcode(op int, s, d []byte, src, n, dst, dstSize, extra uint64) (uint64, error) {
	srcBytes := n
	switch op {
	case libUTF16ToLatin1, libUTF16ToCompactUTF16, libUTF16ToCompactProbably:
		srcBytes = 2 * n
	}
	in, ok := span(s, src, srcBytes)
	if !ok {
		return 0, strTrap("string content out-of-bounds: %d bytes at %#x", srcBytes, src)
	}
	out, ok := span(d, dst, dstSize)
	if !ok {
		return 0, strTrap("string content out-of-bounds: realloc return: beyond end of memory (%d bytes at %#x)", dstSize, dst)
	}
	switch op {
	case libUTF8ToLatin1:
		return utf8ToLatin1(in, out)
	case libUTF16ToLatin1:
		return utf16ToLatin1(in, out), nil
	case libUTF8ToCompactUTF16, libUTF16ToCompactUTF16:
		// out holds extra Latin-1 bytes written by the first pass, to be
		// inflated in place, then the rest of the source as UTF-16.
		if 2*extra > uint64(len(out)) {
			return 0, strTrap("string content out-of-bounds: %d bytes written before", extra)
		}
		for i := int(extra) - 1; i >= 0; i-- {
			out[2*i], out[2*i+1] = out[i], 0
		}
		rest := out[2*extra:]
		var w uint64
		var err error
		if op == libUTF8ToCompactUTF16 {
			w, err = utf8ToUTF16(in, rest)
		} else {
			if _, ok := validUTF16(in); !ok {
				return 0, strTrap("invalid utf-16 string")
			}
			if len(in) > len(rest) {
				return 0, strTrap("string content out-of-bounds")
			}
			w = uint64(copy(rest, in)) / 2
		}
		return extra + w, err
	case libUTF16ToCompactProbably:
		latin1, ok := validUTF16(in)
		if !ok {
			return 0, strTrap("invalid utf-16 string")
		}
		if latin1 {
			for i := uint64(0); i < n; i++ {
				out[i] = in[2*i]
			}
			return n, nil
		}
		copy(out, in)
		return n | utf16Tag, nil
	}
	return 0, strTrap("adapter libcall: unknown string operation %d", op)
}

// validUTF16 reports whether p (little-endian code units) is valid UTF-16
// and whether every unit fits Latin-1.
func validUTF16(p []byte) (latin1, ok bool) {
	latin1 = true
	for i := 0; i+1 < len(p); i += 2 {
		u := uint16(p[i]) | uint16(p[i+1])<<8
		switch {
		case u < 0x100:
			continue
		case u >= 0xD800 && u < 0xDC00:
			if i+3 >= len(p) {
				return false, false
			}
			v := uint16(p[i+2]) | uint16(p[i+3])<<8
			if v < 0xDC00 || v >= 0xE000 {
				return false, false
			}
			i += 2
		case u >= 0xDC00 && u < 0xE000:
			return false, false
		}
		latin1 = false
	}
	return latin1, true
}

// utf8ToUTF16 decodes in into out and returns the code units written.
func utf8ToUTF16(in, out []byte) (uint64, error) {
	w := 0
	for i := 0; i < len(in); {
		c := in[i]
		var r rune
		if c < utf8.RuneSelf {
			r = rune(c)
			i++
		} else {
			var size int
			r, size = utf8.DecodeRune(in[i:])
			if r == utf8.RuneError && size <= 1 {
				return 0, strTrap("invalid utf-8 string at byte %d", i)
			}
			i += size
		}
		if r >= 0x10000 {
			if w+4 > len(out) {
				return 0, strTrap("string content out-of-bounds")
			}
			r -= 0x10000
			hi, lo := 0xD800+(r>>10), 0xDC00+(r&0x3ff)
			out[w], out[w+1], out[w+2], out[w+3] = byte(hi), byte(hi>>8), byte(lo), byte(lo>>8)
			w += 4
			continue
		}
		if w+2 > len(out) {
			return 0, strTrap("string content out-of-bounds")
		}
		out[w], out[w+1] = byte(r), byte(r>>8)
		w += 2
	}
	return uint64(w / 2), nil
}

// utf8ToLatin1 writes in as Latin-1 until a character Latin-1 cannot hold;
// it returns the bytes read and written.
func utf8ToLatin1(in, out []byte) (uint64, error) {
	w, i := 0, 0
	for i < len(in) && w < len(out) {
		c := in[i]
		if c < utf8.RuneSelf {
			out[w] = c
			w++
			i++
			continue
		}
		r, size := utf8.DecodeRune(in[i:])
		if r == utf8.RuneError && size <= 1 {
			return 0, strTrap("invalid utf-8 string at byte %d", i)
		}
		if r > 0xFF {
			break
		}
		out[w] = byte(r)
		w++
		i += size
	}
	return uint64(i)<<32 | uint64(w), nil
}

// utf16ToLatin1 writes in as Latin-1 until a unit Latin-1 cannot hold.
func utf16ToLatin1(in, out []byte) uint64 {
	units := len(in) / 2
	i := 0
	for ; i < units && i < len(out); i++ {
		if in[2*i+1] != 0 {
			break
		}
		out[i] = in[2*i]
	}
	return uint64(i)<<32 | uint64(i)
}

// adapterRes is the handle libcall: (trampoline, op, type, handle). It
// lifts the handle from one side's table and lowers it into the other's,
// as a call through Go would; libResEnd ends the call's borrows.
func adapterRes(ctx context.Context, _ api.Module, stack []uint64) {
	inst := instanceOf(ctx)
	if inst == nil {
		panic(&guestError{err: trapf("adapter libcall outside of a component call")})
	}
	if op := uint32(stack[1]); op == libTaskEnter || op == libTaskExit {
		ci := int(uint32(stack[2]))
		if ci >= len(inst.comps) {
			panic(&guestError{err: trapf("adapter libcall: no component instance %d", ci)})
		}
		cs := &inst.comps[ci]
		if op == libTaskEnter {
			cs.saved = append(cs.saved, cs.slots)
			cs.slots = [2]uint64{}
		} else if n := len(cs.saved); n > 0 {
			cs.slots = cs.saved[n-1]
			cs.saved = cs.saved[:n-1]
		}
		stack[0] = 0
		return
	}
	ti := int(uint32(stack[0]))
	if ti >= len(inst.tramps) || inst.tramps[ti].p.callee == nil {
		panic(&guestError{err: trapf("adapter libcall: no adapter %d", ti)})
	}
	t := &inst.tramps[ti]
	rt := inst.liftedState(t.p.callee)
	op := uint32(stack[1])
	if op == libResEnd {
		err := rt.scope.CheckReturn()
		t.scope.Release()
		if err != nil {
			panic(&guestError{err: err})
		}
		stack[0] = 0
		return
	}
	from, to := &t.cx, &rt.cx
	if op&0xff == dirResults {
		from, to = to, from
	}
	// A trap names the value the handle is in, as lifting values does.
	fail := func(err error) {
		var ct *canon.Trap
		if v := op >> 8; v > 0 && errors.As(err, &ct) {
			ct.Path = append([]string{"value " + strconv.Itoa(int(v-1))}, ct.Path...)
		}
		panic(&guestError{err: err})
	}
	typ := wit.Type(uint32(stack[2]))
	flat := [1]uint64{uint64(uint32(stack[3]))}
	var v canon.Value
	if err := from.LiftFlatInto(typ, flat[:], &v); err != nil {
		fail(err)
	}
	out, err := to.LowerFlat(ctx, typ, v, flat[:0])
	if err != nil {
		fail(err)
	}
	stack[0] = out[0]
}
