package hostcm

import "github.com/wasmcm/wasmcm/canon"

// The functions below are the shapes generated code lifts and lowers
// strings, lists and maps with, as the guest bindings' package cm does:
// flat values are a pointer and a length in two uint64 slots, in memory
// two u32s at an address. Element loaders and storers are the generated
// load_T/store_T helpers (or LoadString/StoreString), so one loop serves
// every element type. Like every step of a Lift or Lower, they do nothing
// after an error and leave it for the caller to check once.

// LoadString lifts the string whose pointer and length are stored at a.
func LoadString(l *Lift, a uint64) string { return l.LoadString(a) }

// StoreString lowers s and stores its pointer and length at a.
func StoreString(w *Lower, s string, a uint64) { w.PutString(a, s) }

func (l *Lift) pair(a uint64) (ptr, n uint64) { return uint64(l.U32(a)), uint64(l.U32(a + 4)) }

func (w *Lower) putPair(a, ptr, n uint64) {
	w.PutU32(a, uint32(ptr))
	w.PutU32(a+4, uint32(n))
}

// LoadList lifts the list of scalars whose pointer and length are stored
// at a (see LiftList).
func LoadList[T canon.Scalar](l *Lift, a uint64) []T {
	ptr, n := l.pair(a)
	return LiftList[T](l, ptr, n)
}

// StoreList lowers a list of scalars (see LowerList) and stores its
// pointer and length at a.
func StoreList[T canon.Scalar](w *Lower, list []T, a uint64) {
	ptr, n := LowerList(w, list)
	w.putPair(a, ptr, n)
}

// LiftListFunc lifts the n elements of the given size and alignment at
// ptr, each with load.
func LiftListFunc[T any](l *Lift, ptr, n, size uint64, align uint32, load func(*Lift, uint64) T) []T {
	if !l.ListRegion(ptr, n, size, align) {
		return nil
	}
	base, n := ptr&0xffffffff, n&0xffffffff
	s := make([]T, n)
	for j := range s {
		s[j] = load(l, base+uint64(j)*size)
		if l.err != nil {
			return nil
		}
	}
	return s
}

// LoadListFunc is LiftListFunc of the pointer and length stored at a.
func LoadListFunc[T any](l *Lift, a, size uint64, align uint32, load func(*Lift, uint64) T) []T {
	ptr, n := l.pair(a)
	return LiftListFunc(l, ptr, n, size, align, load)
}

// LowerListFunc lowers list into a block of elements of the given size
// and alignment allocated in the guest, each with store, and returns its
// pointer and length.
func LowerListFunc[T any](w *Lower, list []T, size uint64, align uint32, store func(*Lower, T, uint64)) (ptr, n uint64) {
	base := w.ListAlloc(len(list), size, align)
	for j := range list {
		if w.err != nil {
			break
		}
		store(w, list[j], base+uint64(j)*size)
	}
	return base, uint64(len(list))
}

// StoreListFunc is LowerListFunc storing the pointer and length at a.
func StoreListFunc[T any](w *Lower, list []T, a, size uint64, align uint32, store func(*Lower, T, uint64)) {
	ptr, n := LowerListFunc(w, list, size, align, store)
	w.putPair(a, ptr, n)
}

// LiftMap lifts the n entries of the given size and alignment at ptr,
// each a key (loaded with loadK) and a value at valOff (with loadV).
func LiftMap[K comparable, V any](l *Lift, ptr, n, size uint64, align uint32, valOff uint64, loadK func(*Lift, uint64) K, loadV func(*Lift, uint64) V) map[K]V {
	if !l.ListRegion(ptr, n, size, align) {
		return nil
	}
	base, n := ptr&0xffffffff, n&0xffffffff
	m := make(map[K]V, n)
	for j := uint64(0); j < n && l.err == nil; j++ {
		e := base + j*size
		m[loadK(l, e)] = loadV(l, e+valOff)
	}
	return m
}

// LoadMap is LiftMap of the pointer and length stored at a.
func LoadMap[K comparable, V any](l *Lift, a, size uint64, align uint32, valOff uint64, loadK func(*Lift, uint64) K, loadV func(*Lift, uint64) V) map[K]V {
	ptr, n := l.pair(a)
	return LiftMap(l, ptr, n, size, align, valOff, loadK, loadV)
}

// LowerMap lowers m into a block of entries of the given size and
// alignment allocated in the guest, each key stored with storeK and value
// at valOff with storeV, and returns its pointer and length.
func LowerMap[K comparable, V any](w *Lower, m map[K]V, size uint64, align uint32, valOff uint64, storeK func(*Lower, K, uint64), storeV func(*Lower, V, uint64)) (ptr, n uint64) {
	base := w.ListAlloc(len(m), size, align)
	j := uint64(0)
	for k, v := range m {
		if w.err != nil {
			break
		}
		e := base + j*size
		storeK(w, k, e)
		storeV(w, v, e+valOff)
		j++
	}
	return base, uint64(len(m))
}

// StoreMap is LowerMap storing the pointer and length at a.
func StoreMap[K comparable, V any](w *Lower, m map[K]V, a, size uint64, align uint32, valOff uint64, storeK func(*Lower, K, uint64), storeV func(*Lower, V, uint64)) {
	ptr, n := LowerMap(w, m, size, align, valOff, storeK, storeV)
	w.putPair(a, ptr, n)
}
