package hostcm

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/wasmcm/wasmcm/canon"
)

// Lift is the state of one lifting of values out of a guest: the call's
// lift/lower context, a view of the guest's memory and the first error.
// Generated code composes lifts as expressions; a failed step records its
// error, returns a zero value and makes every later step a no-op, so the
// caller checks Err once at the end. Every memory access is bounds-checked:
// a bad pointer from the guest is an error, never a panic.
type Lift struct {
	S      *Instance
	Cx     *canon.LiftLowerContext
	mem    []byte
	budget uint64
	err    error
}

// Init prepares l for a lifting through cx.
func (l *Lift) Init(s *Instance, cx *canon.LiftLowerContext) {
	l.S, l.Cx, l.err, l.mem, l.budget = s, cx, nil, nil, 0
}

// memory fetches the guest's memory on first use (a lifting of numbers
// never needs it).
func (l *Lift) memory() {
	if l.mem == nil && l.Cx.Memory != nil {
		l.mem = l.Cx.Memory.Bytes()
		// The budget bounds what one lifting copies out, so that list
		// elements pointing at the same bytes cannot multiply host memory.
		l.budget = 4*uint64(len(l.mem)) + 1<<20
	}
}

// Err returns the first error of the lifting.
func (l *Lift) Err() error { return l.err }

// Fail records err unless an error is recorded already.
func (l *Lift) Fail(err error) {
	if l.err == nil {
		l.err = err
	}
}

func (l *Lift) trap(format string, args ...any) {
	l.Fail(&canon.Trap{Op: "lift", Reason: fmt.Sprintf(format, args...)})
}

func (l *Lift) charge(n uint64) bool {
	l.memory()
	if n > l.budget {
		l.trap("lifting copies more than the %d-byte budget", 4*uint64(len(l.mem))+1<<20)
		return false
	}
	l.budget -= n
	return true
}

// Region checks that [ptr, ptr+size) is in the guest's memory and ptr is
// aligned, charging size to the budget; it reports whether it is.
func (l *Lift) Region(ptr, size uint64, align uint32) bool {
	if l.err != nil {
		return false
	}
	ptr &= 0xffffffff
	l.memory()
	if ptr&uint64(align-1) != 0 {
		l.trap("pointer %#x is not aligned to %d", ptr, align)
		return false
	}
	if ptr > uint64(len(l.mem)) || size > uint64(len(l.mem))-ptr {
		l.trap("%d bytes at %#x run past the end of memory (%d bytes)", size, ptr, len(l.mem))
		return false
	}
	return l.charge(size)
}

// Block checks that the block of size bytes and alignment at ptr (results
// returned in memory) is in the guest's memory, and returns its address:
// after a failed check the address is 0 and, the error being recorded,
// every load from it a no-op.
func (l *Lift) Block(ptr, size uint64, align uint32) uint64 {
	if !l.Region(ptr, size, align) {
		return 0
	}
	return ptr & 0xffffffff
}

// ListRegion checks the block of a list of n elements of the given size
// and alignment, trapping as the spec does on too long a list.
func (l *Lift) ListRegion(ptr, n, size uint64, align uint32) bool {
	n &= 0xffffffff
	if size > 0 && n > canon.MaxListByteLength/size {
		l.trap("list of %d elements of %d bytes is too long", n, size)
		return false
	}
	return l.Region(ptr, n*size, align)
}

func (l *Lift) at(a, n uint64) []byte {
	l.memory()
	if l.err != nil || a > uint64(len(l.mem)) || n > uint64(len(l.mem))-a {
		if l.err == nil {
			l.trap("load of %d bytes at %#x is out of bounds", n, a)
		}
		return nil
	}
	return l.mem[a : a+n]
}

// U8 loads a byte at address a.
func (l *Lift) U8(a uint64) uint8 {
	if b := l.at(a, 1); b != nil {
		return b[0]
	}
	return 0
}

// U16 loads a little-endian uint16 at address a.
func (l *Lift) U16(a uint64) uint16 {
	if b := l.at(a, 2); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

// U32 loads a little-endian uint32 at address a.
func (l *Lift) U32(a uint64) uint32 {
	if b := l.at(a, 4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

// U64 loads a little-endian uint64 at address a.
func (l *Lift) U64(a uint64) uint64 {
	if b := l.at(a, 8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

// Bool lifts a bool from its flat value.
func (l *Lift) Bool(x uint64) bool { return uint32(x) != 0 }

// Char lifts a char, trapping on a value that is not a Unicode scalar.
func (l *Lift) Char(x uint64) rune {
	r, err := canon.LiftChar(uint64(uint32(x)))
	if err != nil {
		l.Fail(err)
	}
	return r
}

// F32 lifts an f32 from its bits, canonicalising NaN.
func (l *Lift) F32(x uint64) float32 { return canon.LiftF32(uint64(uint32(x))) }

// F64 lifts an f64 from its bits, canonicalising NaN.
func (l *Lift) F64(x uint64) float64 { return canon.LiftF64(x) }

// String lifts a string from its pointer and tagged length.
func (l *Lift) String(ptr, n uint64) string {
	if l.err != nil {
		return ""
	}
	units := n & 0x7fffffff
	if l.Cx.StringEncoding != canon.UTF8 {
		units *= 2
	}
	if !l.charge(units) {
		return ""
	}
	s, err := l.Cx.LiftString(ptr&0xffffffff, n&0xffffffff)
	if err != nil {
		l.Fail(err)
	}
	return s
}

// LoadString loads a string's pointer and length at a and lifts it.
func (l *Lift) LoadString(a uint64) string {
	return l.String(uint64(l.U32(a)), uint64(l.U32(a+4)))
}

// Disc checks a discriminant d of a type with n cases, returning it, or 0
// after recording a trap when it is out of range.
func (l *Lift) Disc(what string, d uint64, n int) uint64 {
	d &= 0xffffffff
	if d >= uint64(n) {
		l.trap("%s: discriminant %d is out of range (%d cases)", what, d, n)
		return 0
	}
	return d
}

// Flags checks that flags bits hold no bit past the type's n labels.
func (l *Lift) Flags(bits uint64, n int) uint64 {
	if n < 64 && bits>>uint(n) != 0 {
		// The spec ignores the bits past the labels.
		bits &= 1<<uint(n) - 1
	}
	return bits
}

// Own lifts an owned handle h of resource rt, returning its rep.
func (l *Lift) Own(rt *canon.ResourceType, h uint64) uint32 {
	if l.err != nil {
		return 0
	}
	if rt == nil {
		l.Fail(errNoResource)
		return 0
	}
	rep, err := l.Cx.LiftOwn(rt, uint32(h))
	if err != nil {
		l.Fail(err)
	}
	return rep
}

// Borrow lifts a borrowed handle h of resource rt, returning its rep.
func (l *Lift) Borrow(rt *canon.ResourceType, h uint64) uint32 {
	if l.err != nil {
		return 0
	}
	if rt == nil {
		l.Fail(errNoResource)
		return 0
	}
	rep, err := l.Cx.LiftBorrow(rt, uint32(h))
	if err != nil {
		l.Fail(err)
	}
	return rep
}

var errNoResource = errors.New("hostcm: a resource the bindings need is not known to this instance (it is served by another host, such as WASI's)")

// LiftList lifts a list of scalars (copied once) from its pointer and
// length.
func LiftList[T canon.Scalar](l *Lift, ptr, n uint64) []T {
	if l.err != nil {
		return nil
	}
	var z T
	size := uint64(sizeOf(z))
	if !l.charge((n & 0xffffffff) * size) {
		return nil
	}
	s, err := canon.LiftList[T](l.Cx, ptr&0xffffffff, n&0xffffffff)
	if err != nil {
		l.Fail(err)
	}
	return s
}

func sizeOf(x any) int {
	switch x.(type) {
	case uint8, int8:
		return 1
	case uint16, int16:
		return 2
	case uint32, int32, float32:
		return 4
	}
	return 8
}

// Lower is the state of one lowering of values into a guest: the call's
// lift/lower context (whose realloc allocates in the guest) and the first
// error, with the same sticky-error style as Lift.
type Lower struct {
	S   *Instance
	Cx  *canon.LiftLowerContext
	ctx context.Context
	mem []byte // nil after an allocation, which may move memory
	err error
}

// Init prepares w for a lowering through cx.
func (w *Lower) Init(ctx context.Context, s *Instance, cx *canon.LiftLowerContext) {
	w.S, w.Cx, w.ctx, w.mem, w.err = s, cx, ctx, nil, nil
}

// Err returns the first error of the lowering.
func (w *Lower) Err() error { return w.err }

// Fail records err unless an error is recorded already.
func (w *Lower) Fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

// Alloc allocates size bytes aligned to align in the guest, returning the
// address (0 after an error).
func (w *Lower) Alloc(align uint32, size uint64) uint64 {
	if w.err != nil {
		return 0
	}
	ptr, _, err := w.Cx.Alloc(w.ctx, align, size)
	w.mem = nil
	if err != nil {
		w.Fail(err)
		return 0
	}
	return ptr
}

func (w *Lower) at(a, n uint64) []byte {
	if w.err != nil {
		return nil
	}
	if w.mem == nil {
		w.mem = w.Cx.Memory.Bytes()
	}
	if a > uint64(len(w.mem)) || n > uint64(len(w.mem))-a {
		w.Fail(&canon.Trap{Op: "store", Reason: fmt.Sprintf("store of %d bytes at %#x is out of bounds", n, a)})
		return nil
	}
	return w.mem[a : a+n]
}

// PutU8 stores a byte at address a.
func (w *Lower) PutU8(a uint64, x uint8) {
	if b := w.at(a, 1); b != nil {
		b[0] = x
	}
}

// PutU16 stores a little-endian uint16 at address a.
func (w *Lower) PutU16(a uint64, x uint16) {
	if b := w.at(a, 2); b != nil {
		binary.LittleEndian.PutUint16(b, x)
	}
}

// PutU32 stores a little-endian uint32 at address a.
func (w *Lower) PutU32(a uint64, x uint32) {
	if b := w.at(a, 4); b != nil {
		binary.LittleEndian.PutUint32(b, x)
	}
}

// PutU64 stores a little-endian uint64 at address a.
func (w *Lower) PutU64(a uint64, x uint64) {
	if b := w.at(a, 8); b != nil {
		binary.LittleEndian.PutUint64(b, x)
	}
}

// Bool gives the flat value of a bool.
func (w *Lower) Bool(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// Char gives the flat value of a char, failing for a rune that is not a
// Unicode scalar value.
func (w *Lower) Char(r rune) uint64 {
	x, err := canon.LowerChar(r)
	if err != nil {
		w.Fail(err)
	}
	return x
}

// F32 gives the flat value (bits) of an f32.
func (w *Lower) F32(x float32) uint64 { return uint64(math.Float32bits(x)) }

// F64 gives the flat value (bits) of an f64.
func (w *Lower) F64(x float64) uint64 { return math.Float64bits(x) }

// String stores s in the guest and returns its pointer and tagged length.
func (w *Lower) String(s string) (ptr, n uint64) {
	if w.err != nil {
		return 0, 0
	}
	ptr, n, err := w.Cx.LowerString(w.ctx, s)
	w.mem = nil
	if err != nil {
		w.Fail(err)
	}
	return ptr, n
}

// PutString stores s in the guest and its pointer and length at a.
func (w *Lower) PutString(a uint64, s string) {
	ptr, n := w.String(s)
	w.PutU32(a, uint32(ptr))
	w.PutU32(a+4, uint32(n))
}

// Own gives the guest a new owned handle for rep of resource rt.
func (w *Lower) Own(rt *canon.ResourceType, rep uint32) uint64 {
	if w.err != nil {
		return 0
	}
	if rt == nil {
		w.Fail(errNoResource)
		return 0
	}
	h, err := w.Cx.LowerOwn(rt, rep)
	if err != nil {
		w.Fail(err)
	}
	return uint64(h)
}

// Borrow lends the guest rep of resource rt for the call.
func (w *Lower) Borrow(rt *canon.ResourceType, rep uint32) uint64 {
	if w.err != nil {
		return 0
	}
	if rt == nil {
		w.Fail(errNoResource)
		return 0
	}
	h, err := w.Cx.LowerBorrow(rt, rep)
	if err != nil {
		w.Fail(err)
	}
	return uint64(h)
}

// LowerList stores a list of scalars (copied once) in the guest and
// returns its pointer and length.
func LowerList[T canon.Scalar](w *Lower, list []T) (ptr, n uint64) {
	if w.err != nil {
		return 0, 0
	}
	ptr, n, err := canon.LowerList(w.ctx, w.Cx, list)
	w.mem = nil
	if err != nil {
		w.Fail(err)
	}
	return ptr, n
}

// ListAlloc allocates the block of a list of n elements of the given size
// and alignment.
func (w *Lower) ListAlloc(n int, size uint64, align uint32) uint64 {
	if uint64(n) > (1<<32-1)/max(size, 1) {
		w.Fail(&canon.ValueError{Reason: fmt.Sprintf("list of %d elements of %d bytes does not fit a 32-bit memory", n, size)})
		return 0
	}
	return w.Alloc(align, uint64(n)*size)
}

// EndBorrows ends the borrows a host function was lent, once it returns.
func EndBorrows(cx *canon.LiftLowerContext) {
	if cx.Borrows != nil {
		cx.Borrows.Release()
	}
}
