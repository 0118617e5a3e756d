package component

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/internal/wasm"
	"github.com/wasmcm/wasmcm/wit"
)

// A core module carries the world it was bound to in custom sections whose
// names start with "component-type", in the format of wit-component's
// metadata.rs: a component with a "wit-component-encoding" custom section
// (format version 4 and the string encoding), one component type wrapping
// the world's component type, exported under the world's name.

// embedSectionPrefix starts the name of every metadata section.
const embedSectionPrefix = "component-type"

const (
	embedEncodingSection = "wit-component-encoding"
	embedVersion         = 0x04
)

// Embed returns module with the world of r appended in a
// "component-type:<world>" custom section, with strings of the module's
// functions in the given encoding, as `wasm-tools component embed` does.
func Embed(module []byte, r *wit.Resolve, world wit.WorldID, enc canon.StringEncoding) ([]byte, error) {
	if !wasm.IsModule(module) {
		return nil, fmt.Errorf("embed: the input is not a core wasm module")
	}
	if _, err := coreSections(module); err != nil {
		return nil, fmt.Errorf("embed: %w", err)
	}
	data, err := WorldMetadata(r, world, enc)
	if err != nil {
		return nil, err
	}
	name := embedSectionPrefix + ":" + r.Worlds[world].Name
	var body []byte
	body = wasm.AppendName(body, name)
	body = append(body, data...)
	out := append([]byte(nil), module...)
	out = append(out, wasm.SecCustom)
	out = wasm.AppendU32(out, uint32(len(body)))
	return append(out, body...), nil
}

// WorldMetadata returns the contents of a component-type custom section
// describing world (a component binary, as wit-component's metadata::encode
// writes it, without its producers section).
func WorldMetadata(r *wit.Resolve, world wit.WorldID, enc canon.StringEncoding) ([]byte, error) {
	if world < 0 || int(world) >= len(r.Worlds) || r.Worlds[world] == nil {
		return nil, fmt.Errorf("embed: world %d does not exist", world)
	}
	if enc > canon.Latin1UTF16 {
		return nil, fmt.Errorf("embed: unknown string encoding %d", enc)
	}
	w := r.Worlds[world]
	if w.Package < 0 || int(w.Package) >= len(r.Packages) {
		return nil, fmt.Errorf("embed: world %s belongs to no package", w.Name)
	}
	ct, err := encodeWorldType(r, world)
	if err != nil {
		return nil, fmt.Errorf("embed: world %s: %w", w.Name, err)
	}
	outer := wrapWorldType(ct, witIDOfName(r.Packages[w.Package].Name, w.Name))
	c := &Component{Sections: []Section{
		&CustomSection{Name: embedEncodingSection, Data: []byte{embedVersion, byte(enc)}},
		&TypeSection{Types: []Type{outer}},
		&ExportSection{Exports: []Export{{Name: ExternName{Name: w.Name}, Sort: SortType, Index: 0}}},
	}}
	return c.Encode(), nil
}

// Bindings is what a module's component-type sections say: the world it
// was bound to and the string encoding of its functions.
type Bindings struct {
	Resolve  *wit.Resolve
	World    wit.WorldID
	Encoding canon.StringEncoding
}

// ReadEmbedded finds the component-type sections of a core module and
// decodes the world they describe. It also returns the module without
// those sections. It fails when there is no such section; more than one
// (as a linker leaves when libraries bound to different worlds are linked
// together) is not supported yet.
func ReadEmbedded(module []byte) (*Bindings, []byte, error) {
	secs, err := coreSections(module)
	if err != nil {
		return nil, nil, err
	}
	var found []coreSection
	stripped := append([]byte(nil), module[:8]...)
	for _, s := range secs {
		if s.id == wasm.SecCustom && strings.HasPrefix(s.name, embedSectionPrefix) {
			found = append(found, s)
			continue
		}
		stripped = append(stripped, module[s.start:s.end]...)
	}
	switch len(found) {
	case 0:
		return nil, nil, fmt.Errorf("module does not have a component-type custom section describing its world")
	case 1:
	default:
		return nil, nil, fmt.Errorf("module has %d component-type custom sections; merging the worlds of several is not supported", len(found))
	}
	b, err := DecodeMetadata(found[0].data)
	if err != nil {
		return nil, nil, fmt.Errorf("decoding custom section %s: %w", found[0].name, err)
	}
	return b, stripped, nil
}

// DecodeMetadata decodes the contents of one component-type section. The
// result keeps no reference to data.
func DecodeMetadata(data []byte) (*Bindings, error) {
	if len(data) > 0 && data[0] == 0x03 {
		return nil, fmt.Errorf("the old (0x03) component-type format is not supported")
	}
	// Decode's names point into its input and the bindings keep them.
	c, err := Decode(bytes.Clone(data))
	if err != nil {
		return nil, err
	}
	out := &Bindings{}
	var enc []byte
	seen := false
	for _, s := range c.Sections {
		if cs, ok := s.(*CustomSection); ok && cs.Name == embedEncodingSection {
			enc, seen = cs.Data, true
		}
	}
	switch {
	case !seen:
		return nil, fmt.Errorf("missing custom section of name `%s`", embedEncodingSection)
	case len(enc) == 0:
		return nil, fmt.Errorf("custom section `%s` in unknown format", embedEncodingSection)
	case enc[0] != embedVersion:
		return nil, fmt.Errorf("custom section `%s` uses format %d but only %d is supported", embedEncodingSection, enc[0], embedVersion)
	case len(enc) != 2 || enc[1] > byte(canon.Latin1UTF16):
		return nil, fmt.Errorf("custom section `%s`: invalid string encoding", embedEncodingSection)
	}
	out.Encoding = canon.StringEncoding(enc[1])

	tt := &witTypes{}
	_, externs, err := tt.component(c, nil, 0)
	if err != nil {
		return nil, err
	}
	if len(externs) != 1 || !externs[0].export {
		return nil, fmt.Errorf("expected one export in component")
	}
	x := externs[0].entity
	if x.sort != SortType {
		return nil, fmt.Errorf("expected an export of a type")
	}
	ty := tt.tys[tt.peel(x.created)]
	if ty.kind != witComponent || len(ty.imports) != 0 || len(ty.exports) != 1 || ty.exports[0].sort != SortComponent {
		return nil, fmt.Errorf("expected an exported component type wrapping one world")
	}
	d := newWitDecoder(tt)
	name, err := d.decodeWorld(ty.exports[0])
	if err != nil {
		return nil, err
	}
	pkg, err := d.finish(name)
	if err != nil {
		return nil, err
	}
	// As the reference's Bindgen, the module's world is the world root of
	// a package root:root that has the decoded world's items; the decoded
	// package stays as it was.
	r := d.r
	ow := r.Worlds[r.Packages[pkg].Worlds[0].ID]
	r.Packages = append(r.Packages, &wit.Package{Name: wit.PackageName{Namespace: "root", Name: "root"}})
	root := wit.PackageID(len(r.Packages) - 1)
	r.Worlds = append(r.Worlds, &wit.World{Name: "root", Package: root,
		Imports: slices.Clone(ow.Imports), Exports: slices.Clone(ow.Exports)})
	w := wit.WorldID(len(r.Worlds) - 1)
	r.Packages[root].Worlds = []wit.Entry[wit.WorldID]{{Name: "root", ID: w}}
	out.Resolve, out.World = r, w
	return out, nil
}

// coreSection is one section of a core module: where it is in the module
// (id and size included) and, for a custom section, its name and contents.
type coreSection struct {
	id         byte
	start, end int
	name       string
	data       []byte
}

// coreSections lists the sections of a core module without looking inside
// them (except for custom section names).
func coreSections(b []byte) ([]coreSection, error) {
	if !wasm.IsModule(b) {
		return nil, fmt.Errorf("not a core wasm module")
	}
	r := wasm.NewReader(b[8:], 8)
	var out []coreSection
	for !r.EOF() {
		s := coreSection{start: r.Offset()}
		id, _ := r.Byte()
		s.id = id
		sub, err := r.Sub(fmt.Sprintf("section %d", id))
		if err != nil {
			return nil, err
		}
		s.end = r.Offset()
		if id == wasm.SecCustom {
			if s.name, err = sub.Name(); err != nil {
				return nil, err
			}
			s.data = sub.Rest()
		}
		out = append(out, s)
	}
	return out, nil
}
