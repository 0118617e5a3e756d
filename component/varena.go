package component

import "unsafe"

// This file holds the allocation helpers of the validator's type arena.
// Validation makes many small, immutable objects (defined types, fields,
// function types, export lists); taking them from chunks that live as long
// as one Validate call turns thousands of allocations into tens, which is
// most of the validator's cost on interface-heavy components.

// slab hands out elements of T from chunks it allocates. An element or a
// slice it returned is never moved or reused, so pointers stay valid for
// the validator's lifetime (a chunk stays alive while anything points into
// it).
type slab[T any] struct {
	buf  []T
	next int // size of the next chunk

	// kept lists every chunk of a slab that is reused (keep): reset
	// clears them and grow hands them out again before allocating.
	kept  [][]T
	nkept int // how many of kept are in use
	keep  bool
}

// Chunks start small (a component with few types should not pay for
// many) and double up to slabBytes, which bounds the waste of the
// last chunk.
const (
	slabFirstBytes = 512
	slabBytes      = 4 << 10
	slabMax        = 4096 // elements; many() allocates larger requests alone
)

func (s *slab[T]) grow(n int) {
	for s.keep && s.nkept < len(s.kept) {
		c := s.kept[s.nkept]
		s.nkept++
		if cap(c) >= n {
			s.buf = c[:0]
			return
		}
	}
	if s.next == 0 {
		s.next = max(slabFirstBytes/int(unsafe.Sizeof(*new(T))), 4)
	}
	size := max(s.next, n)
	s.buf = make([]T, 0, size)
	if s.next*int(unsafe.Sizeof(*new(T))) < slabBytes {
		s.next *= 2
	}
	if s.keep {
		s.kept = append(s.kept, s.buf)
		s.nkept = len(s.kept)
	}
}

func (s *slab[T]) setKeep() { s.keep = true }

// reset makes a kept slab hand out its chunks again, zeroed, so that what
// they held (pointers into a validated component) is not kept alive and
// one() and many() still return zero values. Whatever was taken from the
// slab before must no longer be used.
func (s *slab[T]) reset() {
	for _, c := range s.kept[:s.nkept] {
		clear(c[:cap(c)])
	}
	s.buf, s.nkept = nil, 0
}

// reserve makes room for n more elements in the current chunk, so that a
// caller that knows how many it will take (Decode, from a skim of the
// section headers) gets one chunk of that size instead of chunks that
// double and leave the last one part empty.
func (s *slab[T]) reserve(n int) {
	if n <= 0 || cap(s.buf)-len(s.buf) >= n {
		return
	}
	s.buf = make([]T, 0, n)
}

// one returns a pointer to a new zero T.
func (s *slab[T]) one() *T {
	if len(s.buf) == cap(s.buf) {
		s.grow(1)
	}
	s.buf = s.buf[:len(s.buf)+1]
	return &s.buf[len(s.buf)-1]
}

// many returns n zero Ts whose capacity is n, so that appending to them
// copies instead of writing over a neighbour. Large requests get their
// own allocation.
func (s *slab[T]) many(n int) []T {
	if n == 0 {
		return nil
	}
	if n > slabMax/4 {
		return make([]T, n)
	}
	if cap(s.buf)-len(s.buf) < n {
		s.grow(n)
	}
	l := len(s.buf)
	s.buf = s.buf[:l+n]
	return s.buf[l : l+n : l+n]
}

// denseMap maps small dense integer keys (tids, rids) to values for one
// operation at a time: reset forgets every entry in O(1) by moving to a
// new generation, so that substitutions need no map per call.
type denseMap[K ~int32, V any] struct {
	gen  uint32
	gens []uint32
	vals []V
}

func (m *denseMap[K, V]) reset() {
	m.gen++
	if m.gen == 0 { // wrapped: old stamps could match again
		clear(m.gens)
		m.gen = 1
	}
}

func (m *denseMap[K, V]) get(k K) (V, bool) {
	if k >= 0 && int(k) < len(m.gens) && m.gens[k] == m.gen {
		return m.vals[k], true
	}
	var zero V
	return zero, false
}

func (m *denseMap[K, V]) set(k K, v V) {
	if k < 0 {
		return
	}
	if int(k) >= len(m.gens) {
		n := max(2*len(m.gens), int(k)+1, 64)
		gens := make([]uint32, n)
		copy(gens, m.gens)
		vals := make([]V, n)
		copy(vals, m.vals)
		m.gens, m.vals = gens, vals
	}
	m.gens[k], m.vals[k] = m.gen, v
}
