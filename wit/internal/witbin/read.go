package witbin

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// Reading the binary form back into the tree. The input is untrusted: every
// length is checked against the bytes left before anything is allocated,
// and nesting is bounded.

const maxDepth = 64

// ReadError is a malformed or unsupported input, located by byte offset.
type ReadError struct {
	Offset int
	Msg    string
}

func (e *ReadError) Error() string {
	return fmt.Sprintf("witbin: at byte %#x: %s", e.Offset, e.Msg)
}

type reader struct {
	b   []byte
	off int
}

func (r *reader) fail(format string, args ...any) error {
	return &ReadError{Offset: r.off, Msg: fmt.Sprintf(format, args...)}
}

func (r *reader) eof() bool { return r.off >= len(r.b) }

func (r *reader) byte() (byte, error) {
	if r.off >= len(r.b) {
		return 0, r.fail("unexpected end of input")
	}
	c := r.b[r.off]
	r.off++
	return c, nil
}

func (r *reader) u32() (uint32, error) {
	var v uint64
	for i := 0; i < 5; i++ {
		c, err := r.byte()
		if err != nil {
			return 0, err
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c&0x80 == 0 {
			if v > 0xffffffff {
				return 0, r.fail("integer too large")
			}
			return uint32(v), nil
		}
	}
	return 0, r.fail("integer representation too long")
}

// s33 reads a signed LEB128 value of at most 33 bits.
func (r *reader) s33() (int64, error) {
	var v int64
	var shift uint
	for i := 0; i < 5; i++ {
		c, err := r.byte()
		if err != nil {
			return 0, err
		}
		v |= int64(c&0x7f) << shift
		shift += 7
		if c&0x80 == 0 {
			if shift < 64 && c&0x40 != 0 {
				v |= -1 << shift
			}
			return v, nil
		}
	}
	return 0, r.fail("integer representation too long")
}

// count reads a vector length, which cannot exceed the bytes left (every
// element takes at least one byte).
func (r *reader) count() (int, error) {
	n, err := r.u32()
	if err != nil {
		return 0, err
	}
	if int(n) > len(r.b)-r.off {
		return 0, r.fail("vector of %d elements is longer than the input", n)
	}
	return int(n), nil
}

func (r *reader) name() (string, error) {
	n, err := r.u32()
	if err != nil {
		return "", err
	}
	if int(n) > len(r.b)-r.off {
		return "", r.fail("name of %d bytes is longer than the input", n)
	}
	s := r.b[r.off : r.off+int(n)]
	if !utf8.Valid(s) {
		return "", r.fail("name is not valid UTF-8")
	}
	r.off += int(n)
	return string(s), nil
}

// Read parses a component holding an encoded WIT package into the tree.
// Sections other than types, exports and custom sections are rejected: they
// do not occur in the WIT encoding.
func Read(b []byte) (*Component, error) {
	if len(b) < len(Preamble) || !bytes.Equal(b[:4], Preamble[:4]) {
		return nil, &ReadError{Msg: "not a WebAssembly binary (bad magic)"}
	}
	if !bytes.Equal(b[4:8], Preamble[4:8]) {
		return nil, &ReadError{Offset: 4, Msg: "not a component (version and layer are not 0x0d 0x00 0x01 0x00)"}
	}
	r := &reader{b: b, off: len(Preamble)}
	c := &Component{}
	for !r.eof() {
		id, err := r.byte()
		if err != nil {
			return nil, err
		}
		size, err := r.u32()
		if err != nil {
			return nil, err
		}
		if int(size) > len(b)-r.off {
			return nil, r.fail("section of %d bytes is longer than the input", size)
		}
		sr := &reader{b: b[:r.off+int(size)], off: r.off}
		r.off += int(size)
		switch id {
		case secCustom:
			name, err := sr.name()
			if err != nil {
				return nil, err
			}
			c.AddCustom(name, b[sr.off:len(sr.b)])
			continue
		case secType:
			n, err := sr.count()
			if err != nil {
				return nil, err
			}
			for range n {
				t, err := sr.typ(0)
				if err != nil {
					return nil, err
				}
				c.AddType(t)
			}
		case secExport:
			n, err := sr.count()
			if err != nil {
				return nil, err
			}
			for range n {
				name, err := sr.externName()
				if err != nil {
					return nil, err
				}
				sort, err := sr.byte()
				if err != nil {
					return nil, err
				}
				if sort != SortType {
					return nil, sr.fail("export %q is not a type (sort %#x); a WIT package exports only types", name.Name, sort)
				}
				idx, err := sr.u32()
				if err != nil {
					return nil, err
				}
				has, err := sr.byte()
				if err != nil {
					return nil, err
				}
				if has != 0 {
					return nil, sr.fail("export %q has a type ascription, which the WIT encoding does not use", name.Name)
				}
				c.ExportType(name.Name, idx)
			}
		default:
			return nil, sr.fail("section %d does not occur in an encoded WIT package", id)
		}
		if !sr.eof() {
			return nil, sr.fail("%d bytes left over at the end of section %d", len(sr.b)-sr.off, id)
		}
	}
	return c, nil
}

func (r *reader) externName() (ExternName, error) {
	form, err := r.byte()
	if err != nil {
		return ExternName{}, err
	}
	if form > 2 {
		return ExternName{}, r.fail("bad name form %#x", form)
	}
	var n ExternName
	if n.Name, err = r.name(); err != nil {
		return n, err
	}
	if form != 2 {
		return n, nil
	}
	cnt, err := r.count()
	if err != nil {
		return n, err
	}
	for range cnt {
		kind, err := r.byte()
		if err != nil {
			return n, err
		}
		v, err := r.name()
		if err != nil {
			return n, err
		}
		switch kind {
		case 0x00:
			n.Implements = v
		case 0x01: // a version suffix says nothing WIT keeps
		case 0x02:
			n.ExternalID = v
		default:
			return n, r.fail("unknown name attribute %#x", kind)
		}
	}
	return n, nil
}

func (r *reader) valType() (ValType, error) {
	v, err := r.s33()
	if err != nil {
		return ValType{}, err
	}
	if v >= 0 {
		if v > 0xffffffff {
			return ValType{}, r.fail("type index too large")
		}
		return ValType{Index: uint32(v)}, nil
	}
	code := byte(v & 0x7f)
	if (code >= PrimString && code <= PrimBool) || code == PrimErrorContext {
		return ValType{Prim: code}, nil
	}
	return ValType{}, r.fail("bad value type %#x", code)
}

func (r *reader) optValType() (*ValType, error) {
	c, err := r.byte()
	if err != nil {
		return nil, err
	}
	switch c {
	case 0:
		return nil, nil
	case 1:
		v, err := r.valType()
		return &v, err
	}
	return nil, r.fail("bad option byte %#x", c)
}

func (r *reader) typ(depth int) (*Type, error) {
	if depth > maxDepth {
		return nil, r.fail("types nested too deeply")
	}
	op, err := r.byte()
	if err != nil {
		return nil, err
	}
	switch op {
	case 0x40, 0x43:
		ft := FuncType{Async: op == 0x43}
		n, err := r.count()
		if err != nil {
			return nil, err
		}
		for range n {
			name, err := r.name()
			if err != nil {
				return nil, err
			}
			vt, err := r.valType()
			if err != nil {
				return nil, err
			}
			ft.Params = append(ft.Params, Named{Name: name, Type: vt})
		}
		c, err := r.byte()
		if err != nil {
			return nil, err
		}
		switch c {
		case 0x00:
			vt, err := r.valType()
			if err != nil {
				return nil, err
			}
			ft.Result = &vt
		case 0x01:
			if z, err := r.byte(); err != nil || z != 0 {
				return nil, r.fail("named results are not supported")
			}
		default:
			return nil, r.fail("bad result list %#x", c)
		}
		return &Type{Kind: TypeFunc, Func: ft}, nil
	case 0x41, 0x42:
		kind := TypeComponent
		if op == 0x42 {
			kind = TypeInstance
		}
		d := &Decls{}
		n, err := r.count()
		if err != nil {
			return nil, err
		}
		for range n {
			if err := r.decl(d, kind == TypeComponent, depth); err != nil {
				return nil, err
			}
		}
		return &Type{Kind: kind, Component: d}, nil
	case 0x3f:
		return nil, r.fail("resource definitions do not occur in an encoded WIT package")
	}
	r.off--
	v, err := r.defVal()
	if err != nil {
		return nil, err
	}
	return &Type{Kind: TypeDefined, Defined: v}, nil
}

func (r *reader) decl(d *Decls, inComponent bool, depth int) error {
	k, err := r.byte()
	if err != nil {
		return err
	}
	switch k {
	case 0x00:
		return r.fail("core types do not occur in an encoded WIT package")
	case 0x01:
		t, err := r.typ(depth + 1)
		if err != nil {
			return err
		}
		d.AddType(t)
		return nil
	case 0x02:
		sort, err := r.byte()
		if err != nil {
			return err
		}
		if sort != SortType {
			return r.fail("alias of sort %#x; only types are aliased in an encoded WIT package", sort)
		}
		tgt, err := r.byte()
		if err != nil {
			return err
		}
		var a Alias
		switch tgt {
		case 0x00:
			if a.Instance, err = r.u32(); err != nil {
				return err
			}
			if a.Name, err = r.name(); err != nil {
				return err
			}
		case 0x02:
			a.Outer = true
			if a.Count, err = r.u32(); err != nil {
				return err
			}
			if a.Index, err = r.u32(); err != nil {
				return err
			}
		default:
			return r.fail("bad alias target %#x", tgt)
		}
		d.AddAlias(a)
		return nil
	case 0x03, 0x04:
		if k == 0x03 && !inComponent {
			return r.fail("imports occur only in component types")
		}
		name, err := r.externName()
		if err != nil {
			return err
		}
		sort, err := r.byte()
		if err != nil {
			return err
		}
		e := Extern{Sort: sort}
		switch sort {
		case SortFunc, SortComponent, SortInstance:
			if e.Index, err = r.u32(); err != nil {
				return err
			}
		case SortType:
			b, err := r.byte()
			if err != nil {
				return err
			}
			switch b {
			case 0x00:
				if e.Index, err = r.u32(); err != nil {
					return err
				}
			case 0x01:
				e.SubResource = true
			default:
				return r.fail("bad type bound %#x", b)
			}
		default:
			return r.fail("import or export %q of sort %#x does not occur in an encoded WIT package", name.Name, sort)
		}
		if k == 0x03 {
			d.AddImport(name, e)
		} else {
			d.AddExport(name, e)
		}
		return nil
	}
	return r.fail("bad declarator %#x", k)
}

func (r *reader) defVal() (DefVal, error) {
	op, err := r.byte()
	if err != nil {
		return DefVal{}, err
	}
	v := DefVal{Op: op}
	switch op {
	case PrimBool, PrimS8, PrimU8, PrimS16, PrimU16, PrimS32, PrimU32, PrimS64, PrimU64,
		PrimF32, PrimF64, PrimChar, PrimString, PrimErrorContext:
		return DefVal{Prim: op}, nil
	case OpRecord:
		n, err := r.count()
		if err != nil {
			return v, err
		}
		for range n {
			name, err := r.name()
			if err != nil {
				return v, err
			}
			vt, err := r.valType()
			if err != nil {
				return v, err
			}
			v.Fields = append(v.Fields, Named{Name: name, Type: vt})
		}
	case OpVariant:
		n, err := r.count()
		if err != nil {
			return v, err
		}
		for range n {
			name, err := r.name()
			if err != nil {
				return v, err
			}
			vt, err := r.optValType()
			if err != nil {
				return v, err
			}
			if z, err := r.byte(); err != nil || z != 0 {
				return v, r.fail("variant case %q: `refines` is not supported", name)
			}
			v.Cases = append(v.Cases, Case{Name: name, Type: vt})
		}
	case OpFlags, OpEnum:
		n, err := r.count()
		if err != nil {
			return v, err
		}
		for range n {
			name, err := r.name()
			if err != nil {
				return v, err
			}
			v.Labels = append(v.Labels, name)
		}
	case OpTuple:
		n, err := r.count()
		if err != nil {
			return v, err
		}
		for range n {
			vt, err := r.valType()
			if err != nil {
				return v, err
			}
			v.Types = append(v.Types, vt)
		}
	case OpList, OpOption:
		vt, err := r.valType()
		v.Elem = &vt
		return v, err
	case OpFixedLengthList:
		vt, err := r.valType()
		if err != nil {
			return v, err
		}
		v.Elem = &vt
		v.Len, err = r.u32()
		return v, err
	case OpMap:
		if v.Key, err = r.valType(); err != nil {
			return v, err
		}
		vt, err := r.valType()
		v.Elem = &vt
		return v, err
	case OpResult:
		if v.Ok, err = r.optValType(); err != nil {
			return v, err
		}
		v.Err, err = r.optValType()
		return v, err
	case OpOwn, OpBorrow:
		v.Index, err = r.u32()
		return v, err
	case OpFuture, OpStream:
		v.Elem, err = r.optValType()
		return v, err
	default:
		r.off--
		return v, r.fail("unknown type %#x", op)
	}
	return v, nil
}
