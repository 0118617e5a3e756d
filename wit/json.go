package wit

import (
	"strconv"
	"unicode/utf8"
)

// MarshalJSON encodes the Resolve as the reference's JSON (wit-parser's
// serde form): arenas as arrays, ids as indices, keys in the reference's
// order, optional members left out as it leaves them out.
func (r *Resolve) MarshalJSON() ([]byte, error) {
	w := jsonWriter{buf: make([]byte, 0, 1024+256*(len(r.Types)+len(r.Interfaces)))}
	w.byte('{')
	w.key("worlds")
	w.byte('[')
	for i, world := range r.Worlds {
		w.comma(i)
		w.world(world)
	}
	w.byte(']')
	w.byte(',')
	w.key("interfaces")
	w.byte('[')
	for i, iface := range r.Interfaces {
		w.comma(i)
		w.iface(iface)
	}
	w.byte(']')
	w.byte(',')
	w.key("types")
	w.byte('[')
	for i, td := range r.Types {
		w.comma(i)
		w.typeDef(td)
	}
	w.byte(']')
	w.byte(',')
	w.key("packages")
	w.byte('[')
	for i, p := range r.Packages {
		w.comma(i)
		w.pkg(p)
	}
	w.byte(']')
	w.byte('}')
	return w.buf, nil
}

type jsonWriter struct{ buf []byte }

func (w *jsonWriter) byte(b byte) { w.buf = append(w.buf, b) }

func (w *jsonWriter) comma(i int) {
	if i > 0 {
		w.buf = append(w.buf, ',')
	}
}

func (w *jsonWriter) key(k string) {
	w.str(k)
	w.buf = append(w.buf, ':')
}

func (w *jsonWriter) int(n int64) { w.buf = strconv.AppendInt(w.buf, n, 10) }

// str writes a JSON string, escaping as serde_json does.
func (w *jsonWriter) str(s string) {
	const hex = "0123456789abcdef"
	w.buf = append(w.buf, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		w.buf = append(w.buf, s[start:i]...)
		switch c {
		case '"':
			w.buf = append(w.buf, '\\', '"')
		case '\\':
			w.buf = append(w.buf, '\\', '\\')
		case '\n':
			w.buf = append(w.buf, '\\', 'n')
		case '\r':
			w.buf = append(w.buf, '\\', 'r')
		case '\t':
			w.buf = append(w.buf, '\\', 't')
		case '\b':
			w.buf = append(w.buf, '\\', 'b')
		case '\f':
			w.buf = append(w.buf, '\\', 'f')
		default:
			w.buf = append(w.buf, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	if utf8.ValidString(s[start:]) {
		w.buf = append(w.buf, s[start:]...)
	} else {
		for _, r := range s[start:] {
			w.buf = utf8.AppendRune(w.buf, r)
		}
	}
	w.buf = append(w.buf, '"')
}

func (w *jsonWriter) typ(t Type) {
	if t.IsPrimitive() {
		w.str(t.PrimitiveName())
		return
	}
	if id, ok := t.ID(); ok {
		w.int(int64(id))
		return
	}
	w.buf = append(w.buf, "null"...)
}

func (w *jsonWriter) optID(id int32) {
	if id < 0 {
		w.buf = append(w.buf, "null"...)
		return
	}
	w.int(int64(id))
}

func (w *jsonWriter) docs(d Docs) {
	if !d.Present {
		return
	}
	w.byte(',')
	w.key("docs")
	w.byte('{')
	w.key("contents")
	w.str(d.Contents)
	w.byte('}')
}

// externalID writes the "external_id" member, which the reference leaves
// out when there is none.
func (w *jsonWriter) externalID(id string) {
	if id == "" {
		return
	}
	w.byte(',')
	w.key("external_id")
	w.str(id)
}

func (w *jsonWriter) stability(s Stability) {
	if s.Kind == StabilityUnknown {
		return
	}
	w.byte(',')
	w.key("stability")
	w.byte('{')
	if s.Kind == StabilityUnstable {
		w.key("unstable")
		w.byte('{')
		w.key("feature")
		w.str(s.Feature)
	} else {
		w.key("stable")
		w.byte('{')
		w.key("since")
		if s.Since != nil {
			w.str(s.Since.String())
		} else {
			w.str("0.0.0")
		}
	}
	if s.Deprecated != nil {
		w.byte(',')
		w.key("deprecated")
		w.str(s.Deprecated.String())
	}
	w.byte('}')
	w.byte('}')
}

func (w *jsonWriter) worldKey(k WorldKey) {
	if k.IsInterface() {
		w.str("interface-" + strconv.Itoa(int(k.Interface)))
		return
	}
	w.str(k.Name)
}

func (w *jsonWriter) worldItems(items []WorldItem) {
	w.byte('{')
	for i := range items {
		it := &items[i]
		w.comma(i)
		w.worldKey(it.Key)
		w.byte(':')
		w.byte('{')
		switch it.Kind {
		case WorldItemInterface:
			w.key("interface")
			w.byte('{')
			w.key("id")
			w.int(int64(it.Interface))
			w.stability(it.Stability)
			w.externalID(it.ExternalID)
			w.docs(it.Docs)
			w.byte('}')
		case WorldItemFunction:
			w.key("function")
			w.function(it.Function)
		case WorldItemType:
			w.key("type")
			w.int(int64(it.Type))
		}
		w.byte('}')
	}
	w.byte('}')
}

func (w *jsonWriter) world(world *World) {
	w.byte('{')
	w.key("name")
	w.str(world.Name)
	w.byte(',')
	w.key("imports")
	w.worldItems(world.Imports)
	w.byte(',')
	w.key("exports")
	w.worldItems(world.Exports)
	w.byte(',')
	w.key("package")
	w.optID(int32(world.Package))
	w.docs(world.Docs)
	w.stability(world.Stability)
	w.byte('}')
}

func (w *jsonWriter) iface(iface *Interface) {
	w.byte('{')
	w.key("name")
	if iface.Name == "" {
		w.buf = append(w.buf, "null"...)
	} else {
		w.str(iface.Name)
	}
	w.byte(',')
	w.key("types")
	w.byte('{')
	for i, e := range iface.Types {
		w.comma(i)
		w.key(e.Name)
		w.int(int64(e.ID))
	}
	w.byte('}')
	w.byte(',')
	w.key("functions")
	w.byte('{')
	for i, f := range iface.Functions {
		w.comma(i)
		w.key(f.Name)
		w.function(f)
	}
	w.byte('}')
	w.docs(iface.Docs)
	w.stability(iface.Stability)
	w.byte(',')
	w.key("package")
	w.optID(int32(iface.Package))
	w.byte('}')
}

var functionKindNames = [...]string{
	Freestanding: "freestanding", AsyncFreestanding: "async-freestanding",
	Method: "method", AsyncMethod: "async-method", Static: "static",
	AsyncStatic: "async-static", Constructor: "constructor",
}

func (w *jsonWriter) function(f *Function) {
	w.byte('{')
	w.key("name")
	w.str(f.Name)
	w.byte(',')
	w.key("kind")
	switch {
	case int(f.Kind) >= len(functionKindNames):
		w.str("unknown")
	case f.Kind == Freestanding || f.Kind == AsyncFreestanding:
		w.str(functionKindNames[f.Kind])
	default:
		w.byte('{')
		w.key(functionKindNames[f.Kind])
		w.int(int64(f.Resource))
		w.byte('}')
	}
	w.byte(',')
	w.key("params")
	w.byte('[')
	for i, p := range f.Params {
		w.comma(i)
		w.byte('{')
		if p.Name != "" {
			w.key("name")
			w.str(p.Name)
			w.byte(',')
		}
		w.key("type")
		w.typ(p.Type)
		w.byte('}')
	}
	w.byte(']')
	if f.Result != NoneType {
		w.byte(',')
		w.key("result")
		w.typ(f.Result)
	}
	w.docs(f.Docs)
	w.stability(f.Stability)
	w.externalID(f.ExternalID)
	w.byte('}')
}

func (w *jsonWriter) typeDef(td *TypeDef) {
	w.byte('{')
	w.key("name")
	if td.Name == "" {
		w.buf = append(w.buf, "null"...)
	} else {
		w.str(td.Name)
	}
	w.byte(',')
	w.key("kind")
	w.kind(td)
	w.byte(',')
	w.key("owner")
	switch td.Owner.Kind {
	case OwnerWorld:
		w.byte('{')
		w.key("world")
		w.int(int64(td.Owner.World))
		w.byte('}')
	case OwnerInterface:
		w.byte('{')
		w.key("interface")
		w.int(int64(td.Owner.Interface))
		w.byte('}')
	default:
		w.buf = append(w.buf, "null"...)
	}
	w.docs(td.Docs)
	w.stability(td.Stability)
	w.externalID(td.ExternalID)
	w.byte('}')
}

func (w *jsonWriter) kind(td *TypeDef) {
	switch td.Kind {
	case KindResource:
		w.str("resource")
		return
	case KindUnknown:
		w.str("unknown")
		return
	}
	w.byte('{')
	switch td.Kind {
	case KindRecord:
		w.key("record")
		w.byte('{')
		w.key("fields")
		w.byte('[')
		for i, f := range td.Fields {
			w.comma(i)
			w.byte('{')
			w.key("name")
			w.str(f.Name)
			w.byte(',')
			w.key("type")
			w.typ(f.Type)
			w.docs(f.Docs)
			w.byte('}')
		}
		w.byte(']')
		w.byte('}')
	case KindOwn, KindBorrow:
		w.key("handle")
		w.byte('{')
		if td.Kind == KindOwn {
			w.key("own")
		} else {
			w.key("borrow")
		}
		w.int(int64(td.Resource))
		w.byte('}')
	case KindFlags:
		w.key("flags")
		w.byte('{')
		w.key("flags")
		w.byte('[')
		for i, f := range td.Flags {
			w.comma(i)
			w.byte('{')
			w.key("name")
			w.str(f.Name)
			w.docs(f.Docs)
			w.byte('}')
		}
		w.byte(']')
		w.byte('}')
	case KindTuple:
		w.key("tuple")
		w.byte('{')
		w.key("types")
		w.byte('[')
		for i, t := range td.Tuple {
			w.comma(i)
			w.typ(t)
		}
		w.byte(']')
		w.byte('}')
	case KindVariant:
		w.key("variant")
		w.byte('{')
		w.key("cases")
		w.byte('[')
		for i, c := range td.Cases {
			w.comma(i)
			w.byte('{')
			w.key("name")
			w.str(c.Name)
			w.byte(',')
			w.key("type")
			w.typ(c.Type)
			w.docs(c.Docs)
			w.byte('}')
		}
		w.byte(']')
		w.byte('}')
	case KindEnum:
		w.key("enum")
		w.byte('{')
		w.key("cases")
		w.byte('[')
		for i, c := range td.Enum {
			w.comma(i)
			w.byte('{')
			w.key("name")
			w.str(c.Name)
			w.docs(c.Docs)
			w.byte('}')
		}
		w.byte(']')
		w.byte('}')
	case KindOption:
		w.key("option")
		w.typ(td.Elem)
	case KindResult:
		w.key("result")
		w.byte('{')
		w.key("ok")
		w.typ(td.Ok)
		w.byte(',')
		w.key("err")
		w.typ(td.Err)
		w.byte('}')
	case KindList:
		w.key("list")
		w.typ(td.Elem)
	case KindMap:
		w.key("map")
		w.byte('[')
		w.typ(td.Key)
		w.byte(',')
		w.typ(td.Elem)
		w.byte(']')
	case KindFixedLengthList:
		w.key("fixed-length-list")
		w.byte('[')
		w.typ(td.Elem)
		w.byte(',')
		w.int(int64(td.Len))
		w.byte(']')
	case KindFuture:
		w.key("future")
		w.typ(td.Elem)
	case KindStream:
		w.key("stream")
		w.typ(td.Elem)
	case KindType:
		w.key("type")
		w.typ(td.Elem)
	}
	w.byte('}')
}

func (w *jsonWriter) pkg(p *Package) {
	w.byte('{')
	w.key("name")
	w.str(p.Name.String())
	w.docs(p.Docs)
	w.byte(',')
	w.key("interfaces")
	w.byte('{')
	for i, e := range p.Interfaces {
		w.comma(i)
		w.key(e.Name)
		w.int(int64(e.ID))
	}
	w.byte('}')
	w.byte(',')
	w.key("worlds")
	w.byte('{')
	for i, e := range p.Worlds {
		w.comma(i)
		w.key(e.Name)
		w.int(int64(e.ID))
	}
	w.byte('}')
	w.byte('}')
}
