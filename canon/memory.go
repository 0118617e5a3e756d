package canon

import "context"

// Memory is a guest's linear memory as the canonical ABI sees it.
//
// Bytes returns the whole memory. A realloc call runs guest code, which may
// grow the memory and move it, so the ABI calls Bytes again after every
// realloc instead of keeping an old slice; an implementation should make
// Bytes cheap (it is called once per top-level operation and once per
// realloc).
type Memory interface {
	Bytes() []byte
}

// FixedMemory is a Memory over a plain byte slice that never grows: a host
// buffer, a test memory, or a snapshot.
type FixedMemory []byte

// Bytes implements Memory.
func (m FixedMemory) Bytes() []byte { return m }

// WazeroMemory is the part of wazero's api.Memory the ABI needs. Any type
// with these two methods (wazero's included) can be turned into a Memory by
// MemoryOf without this package importing wazero.
type WazeroMemory interface {
	Size() uint32
	Read(offset, byteCount uint32) ([]byte, bool)
}

type wazeroMemory struct{ m WazeroMemory }

func (w wazeroMemory) Bytes() []byte {
	b, _ := w.m.Read(0, w.m.Size())
	return b
}

// MemoryOf adapts a wazero api.Memory (or anything with its Size and Read
// methods) to Memory. Read(0, Size()) returns a view of the whole memory,
// which is fetched afresh each time because growing moves it.
func MemoryOf(m WazeroMemory) Memory { return wazeroMemory{m} }

// Realloc is the guest's cabi_realloc: it returns a block of newSize bytes
// aligned to align, moving oldSize bytes from oldPtr when oldPtr is not 0.
// It runs guest code and may grow memory. An error (a guest trap) aborts
// the lowering and is returned unchanged.
type Realloc func(ctx context.Context, oldPtr, oldSize, align, newSize uint64) (uint64, error)
