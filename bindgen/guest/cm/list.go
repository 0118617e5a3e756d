package cm

import (
	"strconv"
	"unsafe"
)

// The functions below are the shapes generated code lifts and lowers
// strings, lists and maps with. Flat values are the uint64 slots of the
// generated code; in memory, a string or list is its address and length,
// two u32s. Element loaders and storers are the generated load_T/store_T
// helpers (or LoadString/StoreString), so one loop serves every element
// type.

// Disc returns discriminant d of a type of n cases (what names it, for the
// message); a discriminant out of range is a host bug the guest cannot
// recover from, so it panics.
func Disc(what string, d uint64, n int) uint64 {
	if d >= uint64(n) {
		panic("bindgen: the host passed an invalid case of " + what + " (discriminant " + strconv.FormatUint(d, 10) + ", " + strconv.Itoa(n) + " cases)")
	}
	return d
}

// LoadString lifts the string whose address and length are stored at p.
func LoadString(p unsafe.Pointer) string {
	return LiftString(*(*uint32)(p), *(*uint32)(unsafe.Add(p, 4)))
}

// StoreString lowers s and stores its address and length at p.
func StoreString(pins *Pins, s string, p unsafe.Pointer) {
	ptr, n := LowerString(pins, s)
	storePair(p, ptr, n)
}

func storePair(p unsafe.Pointer, ptr, n uint64) {
	*(*uint32)(p) = uint32(ptr)
	*(*uint32)(unsafe.Add(p, 4)) = uint32(n)
}

func loadPair(p unsafe.Pointer) (ptr, n uint32) {
	return *(*uint32)(p), *(*uint32)(unsafe.Add(p, 4))
}

// LoadList lifts the list of plain scalars whose address and length are
// stored at p (see LiftList).
func LoadList[T any](p unsafe.Pointer) []T { return LiftList[T](loadPair(p)) }

// StoreList lowers a list of plain scalars (see LowerList) and stores its
// address and length at p.
func StoreList[T any](pins *Pins, s []T, p unsafe.Pointer) {
	ptr, n := LowerList(pins, s)
	storePair(p, ptr, n)
}

// LiftListFunc lifts the n elements of size bytes at ptr, each with load.
func LiftListFunc[T any](ptr, n uint32, size uintptr, load func(unsafe.Pointer) T) []T {
	if n == 0 {
		return nil
	}
	CheckLen("list", n, size)
	base := PtrOf(ptr)
	s := make([]T, n)
	for j := range s {
		s[j] = load(unsafe.Add(base, uintptr(j)*size))
	}
	return s
}

// LoadListFunc is LiftListFunc of the address and length stored at p.
func LoadListFunc[T any](p unsafe.Pointer, size uintptr, load func(unsafe.Pointer) T) []T {
	ptr, n := loadPair(p)
	return LiftListFunc(ptr, n, size, load)
}

// LowerListFunc lowers s into a pinned block of elements of size bytes,
// each with store, and returns its address and length as flat values.
func LowerListFunc[T any](pins *Pins, s []T, size uintptr, store func(*Pins, T, unsafe.Pointer)) (ptr, n uint64) {
	if len(s) == 0 {
		return 0, 0
	}
	base, addr := pins.AllocAddr(uintptr(len(s)) * size)
	for j := range s {
		store(pins, s[j], unsafe.Add(base, uintptr(j)*size))
	}
	return uint64(addr), uint64(len(s))
}

// StoreListFunc is LowerListFunc storing the address and length at p.
func StoreListFunc[T any](pins *Pins, s []T, p unsafe.Pointer, size uintptr, store func(*Pins, T, unsafe.Pointer)) {
	ptr, n := LowerListFunc(pins, s, size, store)
	storePair(p, ptr, n)
}

// LiftMap lifts the n entries of size bytes at ptr, each a key (loaded
// with loadK) and a value at valOff (loaded with loadV).
func LiftMap[K comparable, V any](ptr, n uint32, size, valOff uintptr, loadK func(unsafe.Pointer) K, loadV func(unsafe.Pointer) V) map[K]V {
	if n == 0 {
		return nil
	}
	CheckLen("map", n, size)
	base := PtrOf(ptr)
	m := make(map[K]V, n)
	for j := uintptr(0); j < uintptr(n); j++ {
		e := unsafe.Add(base, j*size)
		m[loadK(e)] = loadV(unsafe.Add(e, valOff))
	}
	return m
}

// LoadMap is LiftMap of the address and length stored at p.
func LoadMap[K comparable, V any](p unsafe.Pointer, size, valOff uintptr, loadK func(unsafe.Pointer) K, loadV func(unsafe.Pointer) V) map[K]V {
	ptr, n := loadPair(p)
	return LiftMap(ptr, n, size, valOff, loadK, loadV)
}

// LowerMap lowers m into a pinned block of entries of size bytes, each key
// stored with storeK and value at valOff with storeV, and returns its
// address and length as flat values.
func LowerMap[K comparable, V any](pins *Pins, m map[K]V, size, valOff uintptr, storeK func(*Pins, K, unsafe.Pointer), storeV func(*Pins, V, unsafe.Pointer)) (ptr, n uint64) {
	if len(m) == 0 {
		return 0, 0
	}
	base, addr := pins.AllocAddr(uintptr(len(m)) * size)
	j := uintptr(0)
	for k, v := range m {
		e := unsafe.Add(base, j*size)
		storeK(pins, k, e)
		storeV(pins, v, unsafe.Add(e, valOff))
		j++
	}
	return uint64(addr), uint64(len(m))
}

// StoreMap is LowerMap storing the address and length at p.
func StoreMap[K comparable, V any](pins *Pins, m map[K]V, p unsafe.Pointer, size, valOff uintptr, storeK func(*Pins, K, unsafe.Pointer), storeV func(*Pins, V, unsafe.Pointer)) {
	ptr, n := LowerMap(pins, m, size, valOff, storeK, storeV)
	storePair(p, ptr, n)
}
