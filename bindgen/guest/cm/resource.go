package cm

import (
	"runtime"
	"strconv"
)

// Resource is the handle inside every imported resource type of the
// bindings (embedded, so its methods are the resource's). An owned handle
// gets a cleanup that drops it if the Go value is collected without Drop;
// a borrowed one belongs to the call that lent it and is never dropped here.
type Resource struct {
	handle  uint32
	owned   bool
	drop    func(uint32)
	cleanup runtime.Cleanup
}

// InitResource sets up r, the Resource embedded in *obj, for handle h.
// drop is the resource's [resource-drop] import. With cleanup set, an owned
// handle whose Go value is collected is dropped then.
func InitResource[T any](obj *T, r *Resource, h uint32, owned bool, drop func(uint32), cleanup bool) {
	r.handle, r.owned, r.drop = h, owned, drop
	if owned && cleanup {
		r.cleanup = runtime.AddCleanup(obj, drop, h)
	}
}

// Handle returns the handle, to lend it to a call. It panics when the
// resource was dropped or moved away.
func (r *Resource) Handle() uint32 {
	if r == nil || r.handle == 0 {
		panic("cm: use of a dropped or moved resource")
	}
	return r.handle
}

// TakeHandle moves the owned handle out of r, to pass it to a call that
// takes ownership; r is unusable afterwards.
func (r *Resource) TakeHandle() uint32 {
	h := r.Handle()
	if !r.owned {
		panic("cm: passing a borrowed resource (handle " + strconv.FormatUint(uint64(h), 10) + ") where ownership is required")
	}
	r.cleanup.Stop()
	r.handle = 0
	return h
}

// Drop drops an owned handle now. Dropping twice, or dropping a borrowed
// handle (the host lent it for one call), does nothing.
func (r *Resource) Drop() {
	if r == nil || r.handle == 0 || !r.owned {
		return
	}
	h := r.handle
	r.cleanup.Stop()
	r.handle = 0
	r.drop(h)
}

// Close drops the handle as Drop does, for code that expects io.Closer.
func (r *Resource) Close() error {
	r.Drop()
	return nil
}

// ExportTable holds the Go values behind the resources a component exports.
// A value's index (its "rep") is what the host stores in its handles; the
// table maps reps back to values and counts the owned handles to each, so
// that a value returned twice keeps one rep and its Drop runs once, when the
// last handle goes.
type ExportTable[T any] struct {
	entries []exportEntry[T]
	free    []uint32
	byValue map[any]uint32
}

type exportEntry[T any] struct {
	value T
	refs  uint32 // owned handles to this rep that exist
	live  bool
}

// Add puts v in the table and returns its rep (never 0).
func (t *ExportTable[T]) Add(v T) uint32 {
	var rep uint32
	e := exportEntry[T]{value: v, live: true}
	if n := len(t.free); n > 0 {
		rep = t.free[n-1]
		t.free = t.free[:n-1]
		t.entries[rep-1] = e
	} else {
		t.entries = append(t.entries, e)
		rep = uint32(len(t.entries))
	}
	if isComparable(v) {
		if t.byValue == nil {
			t.byValue = map[any]uint32{}
		}
		t.byValue[v] = rep
	}
	return rep
}

// Get returns the value of rep, panicking with the rep when there is none
// (the host passed a rep this component never made).
func (t *ExportTable[T]) Get(rep uint32) T {
	if !t.Has(rep) {
		panic("cm: unknown resource rep " + strconv.FormatUint(uint64(rep), 10))
	}
	return t.entries[rep-1].value
}

// Has reports whether rep is in the table.
func (t *ExportTable[T]) Has(rep uint32) bool {
	return rep != 0 && int64(rep) <= int64(len(t.entries)) && t.entries[rep-1].live
}

// Lookup returns the rep of v when v is in the table.
func (t *ExportTable[T]) Lookup(v T) (uint32, bool) {
	if !isComparable(v) {
		return 0, false
	}
	rep, ok := t.byValue[v]
	return rep, ok
}

// Remove takes rep out of the table and returns its value.
func (t *ExportTable[T]) Remove(rep uint32) T {
	v := t.Get(rep)
	if isComparable(v) {
		delete(t.byValue, v)
	}
	var zero exportEntry[T]
	t.entries[rep-1] = zero
	t.free = append(t.free, rep)
	return v
}

// Own returns the rep to make a new owned handle of v with (its
// [resource-new]): v's rep when it has one, else a new one. The handle is
// counted until Release.
func (t *ExportTable[T]) Own(v T) uint32 {
	rep, ok := t.Lookup(v)
	if !ok {
		rep = t.Add(v)
	}
	t.entries[rep-1].refs++
	return rep
}

// Hold counts one more owned handle to rep, so that a Release in between
// (the destructor of a handle being dropped) keeps the value in the table.
func (t *ExportTable[T]) Hold(rep uint32) {
	t.Get(rep)
	t.entries[rep-1].refs++
}

// Release forgets one owned handle to rep, as its destructor does. When it
// was the last, the value leaves the table and is returned with true: the
// caller runs its Drop, or gives it to the program.
func (t *ExportTable[T]) Release(rep uint32) (T, bool) {
	if !t.Has(rep) {
		var zero T
		return zero, false
	}
	if e := &t.entries[rep-1]; e.refs > 1 {
		e.refs--
		var zero T
		return zero, false
	}
	return t.Remove(rep), true
}

// Len is how many values the table holds.
func (t *ExportTable[T]) Len() int { return len(t.entries) - len(t.free) }

// isComparable reports whether v can key a map: the reverse index only covers
// such values (pointers, typically).
func isComparable(v any) (ok bool) {
	if v == nil {
		return false
	}
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	_ = v == v
	return true
}

// Lift returns the value behind an owned handle h (owned), which the
// component takes back from the host, or behind rep h (a borrow lent to
// this component). The owned handle is dropped at once (drop, the
// resource's [resource-drop]) after rep (its [resource-rep]) found the
// value; its destructor only counts, as Hold keeps the value in the table
// meanwhile, and the value leaves the table unless other handles to it
// remain.
func (t *ExportTable[T]) Lift(h uint32, owned bool, rep func(uint32) uint32, drop func(uint32)) T {
	if !owned {
		return t.Get(h)
	}
	r := rep(h)
	v := t.Get(r)
	t.Hold(r)
	drop(h)
	t.Release(r)
	return v
}

// Lower returns the rep to make a new owned handle of v with (see Own);
// a nil v (of the resource what names) is a bug of the program.
func (t *ExportTable[T]) Lower(what string, v T) uint32 {
	if any(v) == nil {
		panic("bindgen: nil " + what + " returned to the host")
	}
	return t.Own(v)
}

// Destroy is the destructor of rep: once the last handle is gone, the
// value leaves the table and its Drop method runs if it has one.
func (t *ExportTable[T]) Destroy(rep uint32) {
	v, last := t.Release(rep)
	if !last {
		return
	}
	if d, ok := any(v).(interface{ Drop() }); ok {
		d.Drop()
	}
}
