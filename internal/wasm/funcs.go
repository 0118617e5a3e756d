package wasm

import (
	"encoding/binary"
	"math/bits"
)

// funcSpace is a module's function index space, kept the way the binary
// holds it: an engine's module has tens of thousands of functions, and the
// component level asks for the types of a handful (its exports), so the
// function section is kept as bytes and decoded on demand instead of into
// a list of every type index.
type funcSpace struct {
	// imported holds the type index of each imported function.
	imported []uint32
	// defined is the function section after its count: one LEB128 u32
	// type index per defined function, checked by ReadModule.
	defined []byte
	// n is the number of defined functions.
	n int
	// oneByte is set when every entry is one byte long: entry j is then
	// defined[j], and marks is nil.
	oneByte bool
	// marks[k] counts the numbers that end in defined[:k*markBlock], so
	// that reaching an entry is a binary search of marks and a count of
	// number ends in at most one block.
	marks []uint32
}

// markBlock is how many bytes of the function section one mark covers: 4
// bytes of marks per 64 bytes of section (some 40 functions).
const markBlock = 64

// leadBits has the top bit of every byte of a word: a byte of a LEB128
// number without it is the number's last.
const leadBits = 0x8080808080808080

// word loads the 8 bytes of b at p, little-endian, zero past the end of b
// (a zero byte reads as the end of a number, so callers mask those out).
func word(b []byte, p int) uint64 {
	if p+8 <= len(b) {
		return binary.LittleEndian.Uint64(b[p:])
	}
	var w uint64
	for i := len(b) - 1; i >= p; i-- {
		w = w<<8 | uint64(b[i])
	}
	return w
}

// lastBytes returns the mask of the bytes of a word at p that end a
// LEB128 number, leaving out those past the end of b.
func lastBytes(b []byte, p int, w uint64) uint64 {
	t := ^w & leadBits
	if n := len(b) - p; n < 8 {
		t &= 1<<(8*n) - 1
	}
	return t
}

// longRuns returns the top bits of the bytes of w that start four
// continuation bytes in a row, given the continuation bits c of w.
func longRuns(c uint64) uint64 { return c & (c >> 8) & (c >> 16) & (c >> 24) }

// scanFuncs checks that b holds exactly n LEB128 numbers of at most four
// bytes each (which cannot overflow a u32) eight bytes at a time: it
// counts the bytes that end a number and looks for four continuation
// bytes in a row, without a branch per number. It reports false when b
// holds anything else (a count mismatch, an unfinished last number, a
// number of five bytes or more), which readFuncs then accepts or rejects
// with where and why.
func (f *funcSpace) scanFuncs(b []byte, n int) bool {
	f.defined, f.n, f.oneByte, f.marks = b, n, len(b) == n, nil
	if !f.oneByte {
		f.marks = make([]uint32, 0, len(b)/markBlock+1)
	}
	count := 0           // numbers ended before p
	var bad, prev uint64 // long runs seen; continuation bits of the last word
	p := 0
	for ; p+markBlock <= len(b); p += markBlock {
		if !f.oneByte {
			f.marks = append(f.marks, uint32(count))
		}
		blk := b[p : p+markBlock : p+markBlock]
		if (binary.LittleEndian.Uint64(blk)|binary.LittleEndian.Uint64(blk[8:])|
			binary.LittleEndian.Uint64(blk[16:])|binary.LittleEndian.Uint64(blk[24:])|
			binary.LittleEndian.Uint64(blk[32:])|binary.LittleEndian.Uint64(blk[40:])|
			binary.LittleEndian.Uint64(blk[48:])|binary.LittleEndian.Uint64(blk[56:]))&leadBits == 0 {
			// 64 one-byte numbers (a module with fewer than 128 types
			// has nothing else).
			count += markBlock
			prev = 0
			continue
		}
		for q := 0; q < markBlock; q += 8 {
			w := binary.LittleEndian.Uint64(blk[q:])
			c := w & leadBits
			// Runs within the word, and across the boundary with the
			// last three bytes of the previous one.
			bad |= longRuns(c) | longRuns(prev>>40|c<<24)
			count += bits.OnesCount64(^w & leadBits)
			prev = c
		}
	}
	if p < len(b) {
		if !f.oneByte {
			f.marks = append(f.marks, uint32(count))
		}
		for ; p < len(b); p += 8 {
			w := word(b, p) // zero bytes past the end: not continuations
			c := w & leadBits
			bad |= longRuns(c) | longRuns(prev>>40|c<<24)
			count += bits.OnesCount64(lastBytes(b, p, w))
			prev = c
		}
	}
	return bad == 0 && count == n && (len(b) == 0 || b[len(b)-1] < 0x80)
}

// readFuncs reads the function section's entries one by one, for what
// scanFuncs left: five-byte numbers (accepted) and malformed sections
// (rejected with where and why).
func (f *funcSpace) readFuncs(r *Reader, n int) error {
	b := r.b[r.pos:]
	f.defined, f.n, f.oneByte = b, n, false
	for i := 0; i < n; i++ {
		if _, err := r.U32(); err != nil {
			return err
		}
	}
	if !r.EOF() {
		return r.Errorf("section %d has %d bytes after its last entry", SecFunction, r.Remaining())
	}
	// Valid: the marks count ends as scanFuncs does.
	f.marks = make([]uint32, 0, len(b)/markBlock+1)
	count := 0
	for p := 0; p < len(b); p += 8 {
		if p%markBlock == 0 {
			f.marks = append(f.marks, uint32(count))
		}
		count += bits.OnesCount64(lastBytes(b, p, word(b, p)))
	}
	return nil
}

// typeIndex returns the type index of defined function j.
func (f *funcSpace) typeIndex(j int) (uint32, bool) {
	if j < 0 || j >= f.n {
		return 0, false
	}
	b := f.defined
	if f.oneByte {
		if j >= len(b) {
			return 0, false
		}
		return uint32(b[j]), true
	}
	p := 0
	if j > 0 {
		// Entry j starts after the j-th end: find the last block that
		// starts with fewer than j ends before it, then skip j-count
		// ends from the block's start.
		lo, hi := 0, len(f.marks) // marks[lo] < j <= marks[hi] (hi: past the end)
		for hi-lo > 1 {
			mid := int(uint(lo+hi) >> 1)
			if int(f.marks[mid]) < j {
				lo = mid
			} else {
				hi = mid
			}
		}
		if len(f.marks) == 0 {
			return 0, false
		}
		p = lo * markBlock
		for k := j - int(f.marks[lo]); k > 0; {
			if p >= len(b) {
				return 0, false
			}
			t := lastBytes(b, p, word(b, p))
			c := bits.OnesCount64(t)
			if c < k {
				k -= c
				p += 8
				continue
			}
			for ; k > 1; k-- {
				t &= t - 1
			}
			p += bits.TrailingZeros64(t)/8 + 1
			break
		}
	}
	if p >= len(b) {
		return 0, false
	}
	if b[p] < 0x80 {
		return uint32(b[p]), true
	}
	v, _, err := DecodeU32(b[p:])
	return v, err == nil
}

// NumFuncs returns the number of functions, imported ones included.
func (m *ModuleInfo) NumFuncs() int { return len(m.funcs.imported) + m.funcs.n }

// FuncTypeIndex returns the type index of function i (imported functions
// first), or false when i is out of range. It does not allocate: a
// defined function's index is read from the function section's bytes,
// skipping fewer than 64 entries.
func (m *ModuleInfo) FuncTypeIndex(i uint32) (uint32, bool) {
	if int64(i) < int64(len(m.funcs.imported)) {
		return m.funcs.imported[i], true
	}
	return m.funcs.typeIndex(int(int64(i) - int64(len(m.funcs.imported))))
}

// FuncTypes returns a new list of the type index of every function,
// imported ones first, for callers that visit them all.
func (m *ModuleInfo) FuncTypes() []uint32 {
	out := make([]uint32, 0, m.NumFuncs())
	out = append(out, m.funcs.imported...)
	b := m.funcs.defined
	for p, j := 0, 0; j < m.funcs.n && p < len(b); j++ {
		if b[p] < 0x80 {
			out = append(out, uint32(b[p]))
			p++
			continue
		}
		v, k, err := DecodeU32(b[p:])
		if err != nil {
			break // ReadModule checked the section: only a modified input gets here
		}
		out = append(out, v)
		p += k
	}
	return out
}
