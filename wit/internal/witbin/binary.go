package witbin

// Serialization of the tree to the component binary format (Binary.md).

// Preamble is the header of a component: magic, version 0x0d, layer 1.
var Preamble = []byte{0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00}

// Section ids of the component binary format used here.
const (
	secCustom = 0
	secType   = 7
	secExport = 11
)

// Bytes serializes the component. Consecutive items of one kind share a
// section, as the reference's builder does, so that the output is the
// reference's byte for byte.
func (c *Component) Bytes() []byte {
	out := append([]byte(nil), Preamble...)
	for i := 0; i < len(c.Items); {
		it := c.Items[i]
		if it.Kind == ItemCustom {
			var body []byte
			body = appendName(body, it.Name)
			body = append(body, it.Data...)
			out = appendSection(out, secCustom, body)
			i++
			continue
		}
		j := i
		for j < len(c.Items) && c.Items[j].Kind == it.Kind {
			j++
		}
		var body []byte
		body = appendU32(body, uint32(j-i))
		for _, x := range c.Items[i:j] {
			if it.Kind == ItemType {
				body = appendType(body, x.Type)
			} else {
				body = appendExternName(body, ExternName{Name: x.Name})
				body = append(body, SortType)
				body = appendU32(body, x.Index)
				body = append(body, 0x00) // no explicit type ascription
			}
		}
		id := byte(secType)
		if it.Kind == ItemExport {
			id = secExport
		}
		out = appendSection(out, id, body)
		i = j
	}
	return out
}

func appendSection(b []byte, id byte, body []byte) []byte {
	b = append(b, id)
	b = appendU32(b, uint32(len(body)))
	return append(b, body...)
}

func appendU32(b []byte, v uint32) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// appendS64 writes signed LEB128: type indices in value-type position are
// s33 so that they stay apart from the (negative) primitive codes.
func appendS64(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

func appendName(b []byte, s string) []byte {
	b = appendU32(b, uint32(len(s)))
	return append(b, s...)
}

// appendExternName writes nameattributes: 0x00 and the name when there are
// no attributes, else 0x02, the name and the attribute list.
func appendExternName(b []byte, n ExternName) []byte {
	var attrs [][2]any
	if n.Implements != "" {
		attrs = append(attrs, [2]any{byte(0x00), n.Implements})
	}
	if n.ExternalID != "" {
		attrs = append(attrs, [2]any{byte(0x02), n.ExternalID})
	}
	if len(attrs) == 0 {
		b = append(b, 0x00)
		return appendName(b, n.Name)
	}
	b = append(b, 0x02)
	b = appendName(b, n.Name)
	b = appendU32(b, uint32(len(attrs)))
	for _, a := range attrs {
		b = append(b, a[0].(byte))
		b = appendName(b, a[1].(string))
	}
	return b
}

func appendValType(b []byte, t ValType) []byte {
	if t.Prim != 0 {
		return append(b, t.Prim)
	}
	return appendS64(b, int64(t.Index))
}

func appendOptValType(b []byte, t *ValType) []byte {
	if t == nil {
		return append(b, 0x00)
	}
	b = append(b, 0x01)
	return appendValType(b, *t)
}

func appendType(b []byte, t *Type) []byte {
	switch t.Kind {
	case TypeDefined:
		return appendDefVal(b, &t.Defined)
	case TypeFunc:
		if t.Func.Async {
			b = append(b, 0x43)
		} else {
			b = append(b, 0x40)
		}
		b = appendU32(b, uint32(len(t.Func.Params)))
		for _, p := range t.Func.Params {
			b = appendName(b, p.Name)
			b = appendValType(b, p.Type)
		}
		if t.Func.Result == nil {
			return append(b, 0x01, 0x00)
		}
		b = append(b, 0x00)
		return appendValType(b, *t.Func.Result)
	case TypeComponent, TypeInstance:
		if t.Kind == TypeComponent {
			b = append(b, 0x41)
		} else {
			b = append(b, 0x42)
		}
		b = appendU32(b, uint32(len(t.Component.List)))
		for i := range t.Component.List {
			b = appendDecl(b, &t.Component.List[i])
		}
		return b
	}
	return b
}

func appendDecl(b []byte, d *Decl) []byte {
	switch d.Kind {
	case DeclType:
		b = append(b, 0x01)
		return appendType(b, d.Type)
	case DeclAlias:
		b = append(b, 0x02, SortType)
		if d.Alias.Outer {
			b = append(b, 0x02)
			b = appendU32(b, d.Alias.Count)
			return appendU32(b, d.Alias.Index)
		}
		b = append(b, 0x00)
		b = appendU32(b, d.Alias.Instance)
		return appendName(b, d.Alias.Name)
	case DeclImport, DeclExport:
		if d.Kind == DeclImport {
			b = append(b, 0x03)
		} else {
			b = append(b, 0x04)
		}
		b = appendExternName(b, d.Name)
		b = append(b, d.Extern.Sort)
		if d.Extern.Sort == SortType {
			if d.Extern.SubResource {
				return append(b, 0x01)
			}
			b = append(b, 0x00)
		}
		return appendU32(b, d.Extern.Index)
	}
	return b
}

func appendDefVal(b []byte, v *DefVal) []byte {
	if v.Op == 0 {
		return append(b, v.Prim)
	}
	b = append(b, v.Op)
	switch v.Op {
	case OpRecord:
		b = appendU32(b, uint32(len(v.Fields)))
		for _, f := range v.Fields {
			b = appendName(b, f.Name)
			b = appendValType(b, f.Type)
		}
	case OpVariant:
		b = appendU32(b, uint32(len(v.Cases)))
		for _, c := range v.Cases {
			b = appendName(b, c.Name)
			b = appendOptValType(b, c.Type)
			b = append(b, 0x00) // no `refines`
		}
	case OpFlags, OpEnum:
		b = appendU32(b, uint32(len(v.Labels)))
		for _, l := range v.Labels {
			b = appendName(b, l)
		}
	case OpTuple:
		b = appendU32(b, uint32(len(v.Types)))
		for _, t := range v.Types {
			b = appendValType(b, t)
		}
	case OpList, OpOption:
		b = appendValType(b, *v.Elem)
	case OpFixedLengthList:
		b = appendValType(b, *v.Elem)
		b = appendU32(b, v.Len)
	case OpMap:
		b = appendValType(b, v.Key)
		b = appendValType(b, *v.Elem)
	case OpResult:
		b = appendOptValType(b, v.Ok)
		b = appendOptValType(b, v.Err)
	case OpOwn, OpBorrow:
		b = appendU32(b, v.Index)
	case OpFuture, OpStream:
		b = appendOptValType(b, v.Elem)
	}
	return b
}
