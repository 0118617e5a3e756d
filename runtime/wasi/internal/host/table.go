package host

import (
	"fmt"
	"sync"
)

// maxObjects bounds how many host objects one guest may hold, so that a guest
// looping on open or subscribe runs out of handles instead of host memory.
const maxObjects = 1 << 20

// Table holds the host objects behind a guest's resource handles. The rep a
// guest's handle carries is an index here; rep 0 is never used, so a zeroed
// handle never finds an object.
type Table struct {
	mu   sync.Mutex
	objs []any
	free []uint32
}

// Add stores v and returns its rep.
func (t *Table) Add(v any) (uint32, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n := len(t.free); n > 0 {
		rep := t.free[n-1]
		t.free = t.free[:n-1]
		t.objs[rep] = v
		return rep, nil
	}
	if len(t.objs) == 0 {
		t.objs = append(t.objs, nil)
	}
	if len(t.objs) > maxObjects {
		return 0, fmt.Errorf("wasi: more than %d live host resources", maxObjects)
	}
	t.objs = append(t.objs, v)
	return uint32(len(t.objs) - 1), nil
}

// Get returns the object of rep, or nil when there is none.
func (t *Table) Get(rep uint32) any {
	t.mu.Lock()
	defer t.mu.Unlock()
	if int(rep) >= len(t.objs) {
		return nil
	}
	return t.objs[rep]
}

// Remove takes the object of rep out and returns it (nil when there is none).
func (t *Table) Remove(rep uint32) any {
	t.mu.Lock()
	defer t.mu.Unlock()
	if rep == 0 || int(rep) >= len(t.objs) || t.objs[rep] == nil {
		return nil
	}
	v := t.objs[rep]
	t.objs[rep] = nil
	t.free = append(t.free, rep)
	return v
}

// Len returns how many objects are live.
func (t *Table) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.objs) == 0 {
		return 0
	}
	return len(t.objs) - 1 - len(t.free)
}

// Lookup returns the object of rep as a T, or an error naming what was
// expected when rep holds nothing or something else.
func Lookup[T any](t *Table, rep uint32, what string) (T, error) {
	v, ok := t.Get(rep).(T)
	if !ok {
		var zero T
		return zero, fmt.Errorf("wasi: handle rep %d is not a live %s", rep, what)
	}
	return v, nil
}

// Reset empties the table and returns the objects it held, for a host
// reused by the next guest: what one guest left behind must neither leak
// nor be reachable by the next.
func (t *Table) Reset() []any {
	t.mu.Lock()
	defer t.mu.Unlock()
	var live []any
	for _, v := range t.objs {
		if v != nil {
			live = append(live, v)
		}
	}
	t.objs, t.free = nil, nil
	return live
}
