package witbin

import (
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/wasmcm/wasmcm/wit"
)

// The "package-docs" custom section: a version byte (1) and a JSON object
// with the docs and stability of everything in the package, keyed by name.
// Its layout is the reference's (wit-parser's metadata.rs, written by
// serde_json), so the bytes match.

const packageDocsVersion = 1

// packageMetadata builds the section's contents for one package.
func packageMetadata(r *wit.Resolve, pkg wit.PackageID) ([]byte, error) {
	p := r.Packages[pkg]
	var o jsonObj
	o.docs(p.Docs)
	var worlds, ifaces jsonObj
	for _, e := range p.Worlds {
		if e.ID < 0 || int(e.ID) >= len(r.Worlds) || r.Worlds[e.ID] == nil {
			return nil, fmt.Errorf("witbin: world %s does not exist", e.Name)
		}
		w, err := worldMetadata(r, r.Worlds[e.ID])
		if err != nil {
			return nil, err
		}
		worlds.raw(e.Name, w)
	}
	for _, e := range p.Interfaces {
		i, err := iface(r, e.ID)
		if err != nil {
			return nil, fmt.Errorf("witbin: %w", err)
		}
		ifaces.raw(e.Name, interfaceMetadata(r, i))
	}
	o.raw("worlds", worlds.bytes())
	o.raw("interfaces", ifaces.bytes())
	return append([]byte{packageDocsVersion}, o.object()...), nil
}

// jsonObj collects the members of a JSON object; members whose value is
// empty (nil, or an empty object) are left out, as serde's
// skip_serializing_if does in the reference.
type jsonObj struct {
	b []byte
	n int
}

func (o *jsonObj) member(key string) {
	if o.n > 0 {
		o.b = append(o.b, ',')
	}
	o.n++
	o.b = appendJSONString(o.b, key)
	o.b = append(o.b, ':')
}

// raw adds key with an already encoded value, skipping nil.
func (o *jsonObj) raw(key string, v []byte) {
	if v == nil {
		return
	}
	o.member(key)
	o.b = append(o.b, v...)
}

func (o *jsonObj) str(key, v string) {
	o.member(key)
	o.b = appendJSONString(o.b, v)
}

func (o *jsonObj) docs(d wit.Docs) {
	if d.Present {
		o.str("docs", d.Contents)
	}
}

func (o *jsonObj) stability(s wit.Stability) {
	o.raw("stability", stabilityJSON(s))
}

// bytes returns the object, or nil when it has no members.
func (o *jsonObj) bytes() []byte {
	if o.n == 0 {
		return nil
	}
	return o.object()
}

// object returns the object even when empty.
func (o *jsonObj) object() []byte {
	return append(append([]byte{'{'}, o.b...), '}')
}

func stabilityJSON(s wit.Stability) []byte {
	var inner jsonObj
	var tag string
	switch s.Kind {
	case wit.StabilityStable:
		tag = "stable"
		since := ""
		if s.Since != nil {
			since = s.Since.String()
		}
		inner.str("since", since)
	case wit.StabilityUnstable:
		tag = "unstable"
		inner.str("feature", s.Feature)
	default:
		return nil
	}
	if s.Deprecated != nil {
		inner.str("deprecated", s.Deprecated.String())
	}
	var o jsonObj
	o.raw(tag, inner.object())
	return o.object()
}

func interfaceMetadata(r *wit.Resolve, i *wit.Interface) []byte {
	var o jsonObj
	o.docs(i.Docs)
	o.stability(i.Stability)
	var funcs, types jsonObj
	for _, f := range i.Functions {
		if f != nil {
			funcs.raw(f.Name, functionMetadata(f))
		}
	}
	for _, t := range i.Types {
		types.raw(t.Name, typeMetadata(r, t.ID))
	}
	o.raw("funcs", funcs.bytes())
	o.raw("types", types.bytes())
	return o.bytes()
}

func functionMetadata(f *wit.Function) []byte {
	var o jsonObj
	o.docs(f.Docs)
	o.stability(f.Stability)
	return o.bytes()
}

func typeMetadata(r *wit.Resolve, id wit.TypeID) []byte {
	td, err := typeDef(r, id)
	if err != nil {
		return nil
	}
	var items jsonObj
	item := func(name string, d wit.Docs) {
		if d.Present {
			items.str(name, d.Contents)
		}
	}
	switch td.Kind {
	case wit.KindRecord:
		for _, f := range td.Fields {
			item(f.Name, f.Docs)
		}
	case wit.KindFlags:
		for _, f := range td.Flags {
			item(f.Name, f.Docs)
		}
	case wit.KindVariant:
		for _, c := range td.Cases {
			item(c.Name, c.Docs)
		}
	case wit.KindEnum:
		for _, c := range td.Enum {
			item(c.Name, c.Docs)
		}
	}
	var o jsonObj
	o.docs(td.Docs)
	o.stability(td.Stability)
	o.raw("items", items.bytes())
	return o.bytes()
}

func worldMetadata(r *wit.Resolve, w *wit.World) ([]byte, error) {
	var ifaceImportsOrExports, types, funcImportsOrExports, ifaceExports, funcExports jsonObj
	var importStab, exportStab, importDocs, exportDocs jsonObj

	// record keeps the stability and docs of an interface imported or
	// exported by reference (not inline), under its world-key name.
	record := func(it wit.WorldItem, isImport bool) {
		name := worldKeyName(r, it.Key)
		if s := stabilityJSON(it.Stability); s != nil {
			if isImport {
				importStab.raw(name, s)
			} else {
				exportStab.raw(name, s)
			}
		}
		if it.Docs.Present {
			if isImport {
				importDocs.str(name, it.Docs.Contents)
			} else {
				exportDocs.str(name, it.Docs.Contents)
			}
		}
	}
	items := func(list []wit.WorldItem, isImport bool) error {
		for _, it := range list {
			if it.Key.IsInterface() {
				if it.Kind == wit.WorldItemInterface {
					record(it, isImport)
				}
				continue
			}
			name := it.Key.Name
			switch it.Kind {
			case wit.WorldItemInterface:
				i, err := iface(r, it.Interface)
				if err != nil {
					return fmt.Errorf("witbin: world %s: %w", w.Name, err)
				}
				if i.Name != "" {
					record(it, isImport)
					continue
				}
				data := interfaceMetadata(r, i)
				if data == nil {
					continue
				}
				// Since the v1 format, exports always go to their own map.
				if isImport {
					ifaceImportsOrExports.raw(name, data)
				} else {
					ifaceExports.raw(name, data)
				}
			case wit.WorldItemType:
				types.raw(name, typeMetadata(r, it.Type))
			case wit.WorldItemFunction:
				if it.Function == nil {
					return fmt.Errorf("witbin: world %s: %s has no function", w.Name, name)
				}
				data := functionMetadata(it.Function)
				if data == nil {
					continue
				}
				if isImport {
					funcImportsOrExports.raw(name, data)
				} else {
					funcExports.raw(name, data)
				}
			}
		}
		return nil
	}
	if err := items(w.Imports, true); err != nil {
		return nil, err
	}
	if err := items(w.Exports, false); err != nil {
		return nil, err
	}
	var o jsonObj
	o.docs(w.Docs)
	o.stability(w.Stability)
	o.raw("interfaces", ifaceImportsOrExports.bytes())
	o.raw("types", types.bytes())
	o.raw("funcs", funcImportsOrExports.bytes())
	o.raw("interface_exports", ifaceExports.bytes())
	o.raw("func_exports", funcExports.bytes())
	o.raw("interface_import_stability", importStab.bytes())
	o.raw("interface_export_stability", exportStab.bytes())
	o.raw("interface_import_docs", importDocs.bytes())
	o.raw("interface_export_docs", exportDocs.bytes())
	return o.bytes(), nil
}

// appendJSONString writes s as serde_json does: only '"', '\\' and control
// characters are escaped; everything else, non-ASCII included, is kept.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x80 {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, s[i:i+size]...)
			}
			i += size
			continue
		}
		switch c {
		case '"':
			b = append(b, `\"`...)
		case '\\':
			b = append(b, `\\`...)
		case '\n':
			b = append(b, `\n`...)
		case '\r':
			b = append(b, `\r`...)
		case '\t':
			b = append(b, `\t`...)
		case '\b':
			b = append(b, `\b`...)
		case '\f':
			b = append(b, `\f`...)
		default:
			if c < 0x20 {
				h := strconv.FormatUint(uint64(c), 16)
				b = append(b, `\u00`...)
				if len(h) == 1 {
					b = append(b, '0')
				}
				b = append(b, h...)
			} else {
				b = append(b, c)
			}
		}
		i++
	}
	return append(b, '"')
}
