package wasm

import (
	"fmt"
)

// Magic and version of a core module, and the layer field that tells a core
// module (0x0000) from a component.
var (
	Magic         = []byte{0x00, 0x61, 0x73, 0x6d}
	ModuleVersion = []byte{0x01, 0x00, 0x00, 0x00}
)

// Core section ids.
const (
	SecCustom    = 0
	SecType      = 1
	SecImport    = 2
	SecFunction  = 3
	SecTable     = 4
	SecMemory    = 5
	SecGlobal    = 6
	SecExport    = 7
	SecStart     = 8
	SecElement   = 9
	SecCode      = 10
	SecData      = 11
	SecDataCount = 12
	SecTag       = 13
)

// ModuleInfo is what the component level needs to know about a core module:
// its types, imports, exports and the types of everything it defines. It is
// read without looking into function bodies, data or element segments, and
// is not modified after ReadModule returns, so it may be read concurrently.
//
// The function index space is not a list: an engine's module defines tens
// of thousands of functions and the component level asks for the types of
// a few, so the function section stays as bytes (checked when read) and
// NumFuncs, FuncTypeIndex and FuncTypes read it. The type section stays
// as bytes too: only the function types its imports, exported functions
// and tags use are decoded (FuncType), the rest on demand.
type ModuleInfo struct {
	Imports  []Import
	Exports  []Export
	Tables   []TableType
	Memories []MemoryType
	Globals  []GlobalType
	Tags     []uint32 // type index of every tag, imported ones first

	// ImportedFuncs etc. count the imports at the front of each space.
	ImportedFuncs, ImportedTables, ImportedMemories, ImportedGlobals, ImportedTags int

	// funcs is the function index space (NumFuncs, FuncTypeIndex).
	funcs funcSpace
	// types is the type index space (NumTypes, FuncType, SubTypes).
	types typeSpace
}

// ExportType returns the extern type of an export.
func (m *ModuleInfo) ExportType(e Export) (ExternType, bool) {
	t := ExternType{Kind: e.Kind}
	i := int64(e.Index)
	switch e.Kind {
	case ExternFunc:
		x, ok := m.FuncTypeIndex(e.Index)
		if !ok {
			return t, false
		}
		t.Index = x
	case ExternTable:
		if i >= int64(len(m.Tables)) {
			return t, false
		}
		t.Table = m.Tables[i]
	case ExternMemory:
		if i >= int64(len(m.Memories)) {
			return t, false
		}
		t.Memory = m.Memories[i]
	case ExternGlobal:
		if i >= int64(len(m.Globals)) {
			return t, false
		}
		t.Global = m.Globals[i]
	case ExternTag:
		if i >= int64(len(m.Tags)) {
			return t, false
		}
		t.Index = m.Tags[i]
	default:
		return t, false
	}
	return t, true
}

// IsModule reports whether b starts with the preamble of a core module.
func IsModule(b []byte) bool {
	return len(b) >= 8 && string(b[:4]) == string(Magic) && string(b[4:8]) == string(ModuleVersion)
}

// ReadModule reads the facts of the core module b, whose first byte is at
// offset base of the enclosing input (for error offsets). Function bodies,
// element and data segments are skipped: wazero validates them when it
// compiles the module. The result keeps no reference to b: names and the
// function section are copied, so the caller may reuse b.
func ReadModule(b []byte, base int) (*ModuleInfo, error) {
	return readModule(b, base, false)
}

// ReadModuleAliased is ReadModule for a caller that keeps b unmodified for
// as long as it uses the result: import and export names and the function
// section's type indices are read from b itself instead of from copies
// (what a component decoder, whose results already hold sub-slices of its
// input, wants).
func ReadModuleAliased(b []byte, base int) (*ModuleInfo, error) {
	return readModule(b, base, true)
}

func readModule(b []byte, base int, alias bool) (*ModuleInfo, error) {
	r := NewReader(b, base)
	if alias {
		r.AliasStrings()
	}
	if len(b) < 8 || string(b[:4]) != string(Magic) {
		return nil, r.Errorf("not a core module: bad magic")
	}
	if string(b[4:8]) != string(ModuleVersion) {
		if b[6] != 0 || b[7] != 0 {
			return nil, r.Errorf("expected a version header for a module, found % x (a component's?)", b[4:8])
		}
		return nil, r.Errorf("unknown binary version % x for a core module", b[4:8])
	}
	r.pos = 8
	m := &ModuleInfo{}
	last := 0
	for !r.EOF() {
		start := r.Offset()
		id, _ := r.Byte()
		sizeAt := r.pos
		sec, err := r.SubValue("section")
		if err != nil {
			// Worded with the section's id; formatted only on this path
			// because a module has many sections.
			r.pos = sizeAt
			_, err = r.Sub(fmt.Sprintf("section %d", id))
			return nil, err
		}
		if id != SecCustom {
			order := coreSectionOrder(id)
			if order == 0 {
				return nil, ErrorAt(start, "unknown core section id %d", id)
			}
			if order <= last {
				return nil, ErrorAt(start, "section out of order: core section %d comes after a later one or repeats", id)
			}
			last = order
		}
		if err := m.readSection(id, &sec); err != nil {
			return nil, err
		}
	}
	if !alias && len(m.funcs.defined) > 0 {
		m.funcs.defined = append([]byte(nil), m.funcs.defined...)
	}
	if !alias && len(m.types.sec) > 0 {
		m.types.sec = append([]byte(nil), m.types.sec...)
	}
	m.used()
	return m, nil
}

// coreSectionOrder gives the position a section id must keep (0: unknown).
func coreSectionOrder(id byte) int {
	switch id {
	case SecType:
		return 1
	case SecImport:
		return 2
	case SecFunction:
		return 3
	case SecTable:
		return 4
	case SecMemory:
		return 5
	case SecTag:
		return 6
	case SecGlobal:
		return 7
	case SecExport:
		return 8
	case SecStart:
		return 9
	case SecElement:
		return 10
	case SecDataCount:
		return 11
	case SecCode:
		return 12
	case SecData:
		return 13
	}
	return 0
}

func (m *ModuleInfo) readSection(id byte, r *Reader) error {
	var n int
	var err error
	switch id {
	case SecType, SecImport, SecFunction, SecTable, SecMemory, SecGlobal, SecExport, SecTag:
		if n, err = r.Count("entries"); err != nil {
			return err
		}
	default:
		return nil // bodies, segments, custom sections: not facts
	}
	// The lists are sized once for the declared count instead of doubling
	// as they fill; the count is bounded by the section's bytes (Count),
	// and the head start by presizeMax, since an entry of a few bytes
	// decodes into a much larger struct.
	switch id {
	case SecType:
		err = m.readTypes(r, n)
	case SecImport:
		err = m.readImports(r, n)
	case SecFunction:
		// Checked eight bytes at a time, kept as bytes (funcSpace).
		if m.funcs.scanFuncs(r.b[r.pos:], n) {
			r.pos = len(r.b)
			return nil
		}
		return m.funcs.readFuncs(r, n)
	case SecExport:
		err = m.readExports(r, n)
	default:
		err = m.readOthers(id, r, n)
	}
	if err != nil {
		return err
	}
	if !r.EOF() {
		return r.Errorf("section %d has %d bytes after its last entry", id, r.Remaining())
	}
	return nil
}

// presizeMax bounds how many entries a list is sized for before its
// entries are read.
const presizeMax = 4096

// readImports reads the import section's n entries into the import list
// and the index spaces.
func (m *ModuleInfo) readImports(r *Reader, n int) error {
	// Sized for n and filled in place (see readTypes).
	m.Imports = make([]Import, min(n, presizeMax))
	// Import names are most of the section: cut them from one copy.
	r.ShareStrings()
	m.funcs.imported = make([]uint32, 0, min(n, presizeMax))
	for i := 0; i < n; i++ {
		start := r.Offset()
		if c, _ := r.Peek(); c == 0 && r.Remaining() > 1 && (r.b[r.pos+1] == 0x7f || r.b[r.pos+1] == 0x7e) {
			return ErrorAt(start, "compact import encodings are not supported")
		}
		if i == len(m.Imports) {
			m.Imports = append(m.Imports, Import{})
		}
		im := &m.Imports[i]
		var err error
		if im.Module, err = r.Name(); err != nil {
			return err
		}
		if im.Name, err = r.Name(); err != nil {
			return err
		}
		if r.pos < len(r.b) && r.b[r.pos] == byte(ExternFunc) {
			// A function import, the common case, without the copies
			// of a whole ExternType.
			r.pos++
			im.Type.Kind = ExternFunc
			if im.Type.Index, err = r.U32(); err != nil {
				return err
			}
		} else if im.Type, err = r.ReadExternType(); err != nil {
			return err
		}
		switch im.Type.Kind {
		case ExternFunc, ExternFuncExact:
			m.funcs.imported = append(m.funcs.imported, im.Type.Index)
			m.ImportedFuncs++
		case ExternTable:
			m.Tables = append(m.Tables, im.Type.Table)
			m.ImportedTables++
		case ExternMemory:
			m.Memories = append(m.Memories, im.Type.Memory)
			m.ImportedMemories++
		case ExternGlobal:
			m.Globals = append(m.Globals, im.Type.Global)
			m.ImportedGlobals++
		case ExternTag:
			m.Tags = append(m.Tags, im.Type.Index)
			m.ImportedTags++
		}
	}
	return nil
}

// readExports reads the export section's n entries.
func (m *ModuleInfo) readExports(r *Reader, n int) error {
	m.Exports = make([]Export, 0, min(n, presizeMax))
	r.ShareStrings()
	for i := 0; i < n; i++ {
		name, err := r.Name()
		if err != nil {
			return err
		}
		start := r.Offset()
		k, err := r.Byte()
		if err != nil {
			return err
		}
		if k > byte(ExternTag) {
			return ErrorAt(start, "invalid export kind 0x%02x", k)
		}
		idx, err := r.U32()
		if err != nil {
			return err
		}
		m.Exports = append(m.Exports, Export{Name: name, Kind: ExternKind(k), Index: idx})
	}
	return nil
}

// readOthers reads the n entries of a table, memory, global or tag section.
func (m *ModuleInfo) readOthers(id byte, r *Reader, n int) error {
	for i := 0; i < n; i++ {
		switch id {
		case SecTable:
			start := r.Offset()
			c, err := r.Peek()
			if err != nil {
				return err
			}
			init := c == 0x40
			if init {
				r.pos++
				if z, err := r.Byte(); err != nil || z != 0 {
					return ErrorAt(start, "invalid table encoding")
				}
			}
			t, err := r.ReadTableType()
			if err != nil {
				return err
			}
			if init {
				if err := r.SkipConstExpr(); err != nil {
					return err
				}
			}
			m.Tables = append(m.Tables, t)
		case SecMemory:
			t, err := r.ReadMemoryType()
			if err != nil {
				return err
			}
			m.Memories = append(m.Memories, t)
		case SecGlobal:
			t, err := r.ReadGlobalType()
			if err != nil {
				return err
			}
			if err := r.SkipConstExpr(); err != nil {
				return err
			}
			m.Globals = append(m.Globals, t)
		case SecTag:
			start := r.Offset()
			attr, err := r.Byte()
			if err != nil {
				return err
			}
			if attr != 0 {
				return ErrorAt(start, "invalid tag attribute 0x%02x", attr)
			}
			t, err := r.U32()
			if err != nil {
				return err
			}
			m.Tags = append(m.Tags, t)
		}
	}
	return nil
}

// SkipConstExpr skips a constant expression up to and including its end
// opcode. Only the instructions allowed in constant expressions (and the
// extended-const arithmetic) are recognised.
func (r *Reader) SkipConstExpr() error {
	for {
		start := r.Offset()
		op, err := r.Byte()
		if err != nil {
			return err
		}
		switch op {
		case 0x0b: // end
			return nil
		case 0x41: // i32.const
			_, err = r.S32()
		case 0x42: // i64.const
			_, err = r.S64()
		case 0x43:
			_, err = r.Bytes(4)
		case 0x44:
			_, err = r.Bytes(8)
		case 0x23, 0xd2: // global.get, ref.func
			_, err = r.U32()
		case 0xd0: // ref.null
			_, err = r.ReadHeapType()
		case 0x6a, 0x6b, 0x6c, 0x7c, 0x7d, 0x7e: // extended const
		case 0xfb: // GC prefix: struct.new etc.
			var sub uint32
			if sub, err = r.U32(); err == nil {
				switch sub {
				case 0, 1, 6, 7: // struct.new, struct.new_default, array.new, array.new_default
					_, err = r.U32()
				case 8: // array.new_fixed
					if _, err = r.U32(); err == nil {
						_, err = r.U32()
					}
				case 0x1a, 0x1b, 0x1c: // any.convert_extern, extern.convert_any, ref.i31
				default:
					return ErrorAt(start, "instruction 0xfb %d is not allowed in a constant expression", sub)
				}
			}
		case 0xfd: // SIMD prefix: only v128.const
			var sub uint32
			if sub, err = r.U32(); err == nil {
				if sub != 12 {
					return ErrorAt(start, "instruction 0xfd %d is not allowed in a constant expression", sub)
				}
				_, err = r.Bytes(16)
			}
		default:
			return ErrorAt(start, "instruction 0x%02x is not allowed in a constant expression", op)
		}
		if err != nil {
			return err
		}
	}
}
