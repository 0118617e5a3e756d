package wasm

// typeSpace is a module's type index space, kept the way funcSpace keeps
// functions: the type section stays as bytes (checked when read), with
// where each subtype starts and its kind, and only the function types
// that the module's imports, exported functions and tags use are decoded.
// An engine's module defines some 140 types and its interface uses a few
// dozen: a decoded SubType is 120 bytes and its value types more, the
// rest of this is 9 bytes a type.
type typeSpace struct {
	// sec is the type section's body; starts[i] is where subtype i
	// (recursion groups flattened) starts in it.
	sec    []byte
	starts []uint32
	kinds  []CompositeKind
	// funcs[i] is function type i when it was decoded, else nil (the
	// list is nil when none was).
	funcs []*FuncType
}

// readTypes reads the type section's n entries: each subtype is checked,
// its start and kind recorded, and nothing else kept (used decodes the
// function types the module uses once every section is read).
func (m *ModuleInfo) readTypes(r *Reader, n int) error {
	t := &m.types
	t.sec = r.b
	t.starts = make([]uint32, 0, min(n, presizeMax))
	t.kinds = make([]CompositeKind, 0, min(n, presizeMax))
	// Subtypes other than number-only function types are decoded into a
	// scratch value and dropped; their value types reuse one chunk.
	var scratch SubType
	var vals valTypeSlab
	one := func() error {
		t.starts = append(t.starts, uint32(r.pos))
		if end := skimNumFunc(r.b, r.pos); end > 0 {
			r.pos = end
			t.kinds = append(t.kinds, CompFunc)
			return nil
		}
		scratch = SubType{}
		vals.buf = vals.buf[:0]
		if err := r.readSubType(&scratch, &vals); err != nil {
			return err
		}
		t.kinds = append(t.kinds, scratch.Kind)
		return nil
	}
	for i := 0; i < n; i++ {
		if c, _ := r.Peek(); c != 0x4e {
			if err := one(); err != nil {
				return err
			}
			continue
		}
		r.pos++
		k, err := r.Count("types in a rec group")
		if err != nil {
			return err
		}
		for j := 0; j < k; j++ {
			if err := one(); err != nil {
				return err
			}
		}
	}
	return nil
}

// skimNumFunc returns where the function type at b[p] ends when it is one
// readNumFunc reads (a 0x60, then parameters and results that are all
// number types, with one-byte counts), or 0.
func skimNumFunc(b []byte, p int) int {
	if p+1 >= len(b) || b[p] != byte(CompFunc) || b[p+1] >= 0x80 {
		return 0
	}
	q := p + 2 + int(b[p+1]) // the result count
	if q >= len(b) || b[q] >= 0x80 || q+1+int(b[q]) > len(b) {
		return 0
	}
	// c-V128 wraps below V128: one comparison a byte.
	for _, c := range b[p+2 : q] {
		if c-V128 > I32-V128 {
			return 0
		}
	}
	end := q + 1 + int(b[q])
	for _, c := range b[q+1 : end] {
		if c-V128 > I32-V128 {
			return 0
		}
	}
	return end
}

// used decodes the function types that the module's function imports,
// exported functions and tags use, so that FuncType returns them without
// decoding (the validator and the runtime ask for exactly those).
func (m *ModuleInfo) used() {
	t := &m.types
	if len(t.kinds) == 0 {
		return
	}
	slot := make([]int32, len(t.kinds))
	n, vals := 0, 0
	mark := func(i uint32) {
		if int64(i) < int64(len(slot)) && slot[i] == 0 && t.kinds[i] == CompFunc {
			n++
			slot[i] = int32(n)
			// The value type count, exact for number-only types (only a
			// hint sizing the chunk of value types: no check needed).
			b, p := t.sec, int(t.starts[i])
			if p+1 < len(b) && b[p+1] < 0x80 {
				vals += int(b[p+1])
				if q := p + 2 + int(b[p+1]); q < len(b) && b[q] < 0x80 {
					vals += int(b[q])
				}
			}
		}
	}
	for _, x := range m.funcs.imported {
		mark(x)
	}
	for _, x := range m.Tags {
		mark(x)
	}
	for _, e := range m.Exports {
		if e.Kind == ExternFunc {
			if x, ok := m.FuncTypeIndex(e.Index); ok {
				mark(x)
			}
		}
	}
	if n == 0 {
		return
	}
	funcs := make([]FuncType, n)
	t.funcs = make([]*FuncType, len(slot))
	vs := valTypeSlab{hint: vals}
	for i, k := range slot {
		if k == 0 {
			continue
		}
		var st SubType
		r := Reader{b: t.sec, pos: int(t.starts[i])}
		if r.readSubType(&st, &vs) != nil {
			continue // checked by readTypes: only a modified input gets here
		}
		funcs[k-1] = st.Func
		t.funcs[i] = &funcs[k-1]
	}
}

// decode decodes subtype i anew, its value types allocated alone.
func (t *typeSpace) decode(i int) (SubType, bool) {
	var st SubType
	r := Reader{b: t.sec, pos: int(t.starts[i])}
	if r.readSubType(&st, nil) != nil {
		return SubType{}, false
	}
	return st, true
}

// NumTypes returns the number of types (recursion groups flattened).
func (m *ModuleInfo) NumTypes() int { return len(m.types.kinds) }

// FuncType returns the function type at type index i, or nil when i is out
// of range or not a function type. The types the module's imports,
// exported functions and tags use are decoded once by ReadModule; any
// other is decoded anew on each call.
func (m *ModuleInfo) FuncType(i uint32) *FuncType {
	// In line: the validator asks for one per import and export.
	if f := m.types.funcs; int(i) < len(f) && f[i] != nil {
		return f[i]
	}
	return funcType(&m.types, i)
}

// funcType is FuncType for a type that was not decoded.
func funcType(t *typeSpace, i uint32) *FuncType {
	if int64(i) >= int64(len(t.kinds)) || t.kinds[i] != CompFunc {
		return nil
	}
	st, ok := t.decode(int(i))
	if !ok || st.Kind != CompFunc {
		return nil
	}
	return &st.Func
}

// SubTypes returns every subtype in index order (recursion groups
// flattened), decoded anew: for tools and tests that want them all.
func (m *ModuleInfo) SubTypes() []SubType {
	out := make([]SubType, len(m.types.kinds))
	for i := range out {
		out[i], _ = m.types.decode(i)
	}
	return out
}
