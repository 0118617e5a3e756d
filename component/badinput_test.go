package component

import (
	"errors"
	"strings"
	"testing"
)

// sec is a section with a one-byte size (bodies here are short).
func sec(id SectionID, body ...byte) []byte {
	if len(body) > 127 {
		panic("sec: body too long for a one-byte size")
	}
	return append([]byte{byte(id), byte(len(body))}, body...)
}

// bin is a component of the given sections.
func bin(sections ...[]byte) []byte {
	b := append([]byte{}, preamble[:]...)
	for _, s := range sections {
		b = append(b, s...)
	}
	return b
}

// TestBadInput checks that each kind of bad input is rejected with an error
// naming the byte offset of the offending item and a sentence saying what
// is wrong, by Decode or by Validate.
func TestBadInput(t *testing.T) {
	// Offsets: the preamble takes 0x00-0x07, so a first section's id is at
	// 0x08, its size at 0x09, its body from 0x0a (its item count), and its
	// first item at 0x0b.
	// MaxNesting+1 types, each a list of the one before: the last is
	// nested too deeply. Indices of 64 and more take two bytes as s33.
	var deepTypes []byte
	deepTypes = append(deepTypes, byte(MaxNesting+1), 0x70, 0x79)
	deepLast := 0
	for i := 0; i < MaxNesting; i++ {
		deepLast = len(deepTypes)
		deepTypes = append(deepTypes, 0x70)
		if i < 64 {
			deepTypes = append(deepTypes, byte(i))
		} else {
			deepTypes = append(deepTypes, byte(i&0x7f)|0x80, byte(i>>7))
		}
	}
	// The type section needs a two-byte size: the body starts at 0x0b.
	deepBin := append(append([]byte{}, preamble[:]...), 0x07, byte(len(deepTypes)&0x7f|0x80), byte(len(deepTypes)>>7))
	deepBin = append(deepBin, deepTypes...)
	deepLast += 0x0b
	inner := bin(sec(SectionType, 0x01, 0x70, 0x03))
	nested := bin(sec(SectionCustom, 0x01, 'c'), append([]byte{byte(SectionComponent), byte(len(inner))}, inner...))

	tests := []struct {
		name     string
		in       []byte
		validate bool // the error comes from Validate, not Decode
		off      int
		want     string
	}{
		// The preamble.
		{"empty", nil, false, 0, "magic header"},
		{"truncated preamble", []byte("\x00asm\x0d\x00"), false, 6, "unexpected end-of-file in the preamble"},
		{"wrong version", []byte("\x00asm\x0c\x00\x01\x00"), false, 4, "unknown binary version 0c 00 01 00"},
		{"wrong layer", []byte("\x00asm\x0d\x00\x02\x00"), false, 4, "unknown binary version 0d 00 02 00"},
		{"core module", []byte("\x00asm\x01\x00\x00\x00"), false, 4, "expected a version header for a component"},
		// Section framing.
		{"truncated section size", bin([]byte{0x07}), false, 9, "unexpected end-of-file in an integer"},
		{"section longer than the file", bin([]byte{0x07, 0x05, 0x01}), false, 9, "unexpected end-of-file: a section of 5 bytes is longer than the 1 bytes that remain"},
		{"unknown section id", bin(sec(13)), false, 8, "malformed section id: 13"},
		{"bytes left in a section", bin(sec(SectionType, 0x01, 0x79, 0x00)), false, 0x0c, "unexpected data at the end of the section"},
		// LEB128s.
		{"overlong LEB128", bin(sec(SectionType, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00)), false, 0x0a, "integer representation too long"},
		{"LEB128 over 32 bits", bin(sec(SectionType, 0xff, 0xff, 0xff, 0xff, 0x1f)), false, 0x0a, "integer too large"},
		// Lengths beyond the section (the file goes on after it).
		{"count beyond the section", bin(sec(SectionType, 0x05, 0x79), sec(SectionCustom, 0x01, 'x')), false, 0x0a, "5 types declared but only 1 bytes remain"},
		{"name beyond the section", bin(sec(SectionImport, 0x01, 0x00, 0x09, 'a'), sec(SectionCustom, 0x01, 'x')), false, 0x0c, "a string of 9 bytes is longer than the 1 bytes that remain"},
		{"item beyond the section", bin(sec(SectionType, 0x01, 0x70), sec(SectionCustom, 0x01, 'x')), false, 0x0c, "unexpected end-of-file"},
		// Bad bytes.
		{"invalid UTF-8 in a name", bin(sec(SectionImport, 0x01, 0x00, 0x02, 0xc3, 0x28, 0x01, 0x00)), false, 0x0d, "malformed UTF-8"},
		{"invalid type opcode", bin(sec(SectionType, 0x01, 0x10)), false, 0x0b, "invalid leading byte (0x10) for component defined type"},
		{"invalid sort", bin(sec(SectionExport, 0x01, 0x00, 0x01, 'a', 0x09, 0x00, 0x00)), false, 0x0e, "invalid leading byte (0x9) for component external kind"},
		// Instance types, each declaring the next as its one type: with a
		// two-byte section size the first starts at 0x0c, each 3 bytes in.
		{"types nested too deeply", func() []byte {
			inner := []byte{0x42, 0x00}
			for i := 0; i < MaxNesting+1; i++ {
				inner = append([]byte{0x42, 0x01, 0x01}, inner...)
			}
			body := append([]byte{0x01}, inner...)
			return bin([]byte{0x07, byte(len(body)&0x7f) | 0x80, byte(len(body) >> 7)}, body)
		}(), false, 0x0c + 3*MaxNesting, "types nest deeper than 100 levels"},

		// Validation: the offset is that of the item at fault.
		{"type index out of range", bin(sec(SectionType, 0x02, 0x79, 0x70, 0x05)), true, 0x0c, "type index out of bounds: 5 (1 types defined)"},
		{"type recursion", bin(sec(SectionType, 0x01, 0x70, 0x00)), true, 0x0b, "type index out of bounds: 0 (0 types defined)"},
		{"value types nested too deeply", deepBin, true, deepLast, "type nesting is too deep"},
		{"duplicate import", bin(sec(SectionType, 0x01, 0x40, 0x00, 0x01, 0x00),
			sec(SectionImport, 0x02, 0x00, 0x01, 'f', 0x01, 0x00, 0x00, 0x01, 'f', 0x01, 0x00)), true, 0x17, "import name `f` conflicts with previous name `f`"},
		{"duplicate export", bin(sec(SectionType, 0x01, 0x79),
			sec(SectionExport, 0x02, 0x00, 0x01, 'a', 0x03, 0x00, 0x00, 0x00, 0x01, 'a', 0x03, 0x00, 0x00)), true, 0x15, "export name `a` conflicts with previous name `a`"},
		{"name not in kebab case", bin(sec(SectionType, 0x01, 0x40, 0x00, 0x01, 0x00),
			sec(SectionImport, 0x01, 0x00, 0x02, 'A', '_', 0x01, 0x00)), true, 0x12, "`A_` is not in kebab case"},
		{"function index out of range", bin(sec(SectionExport, 0x01, 0x00, 0x01, 'f', 0x01, 0x07, 0x00)), true, 0x0b, "function index out of bounds: 7 (0 functions defined)"},
		{"canon memory out of range", bin(sec(SectionType, 0x01, 0x40, 0x01, 0x01, 's', 0x73, 0x01, 0x00),
			sec(SectionImport, 0x01, 0x00, 0x01, 'f', 0x01, 0x00),
			sec(SectionCanon, 0x01, 0x01, 0x00, 0x00, 0x01, 0x03, 0x04)), true, 0x1d, "memory index out of bounds: 4 (0 memories defined)"},
		{"declaration in an instance type", bin(sec(SectionType, 0x01, 0x42, 0x02, 0x01, 0x79, 0x04, 0x00, 0x01, 'x', 0x01, 0x00)), true, 0x0f, "type index 0 is not a function type"},
		// The nested component starts at 0x0e; its type item at 0x0b in it.
		{"item of a nested component", nested, true, 0x0e + 0x0b, "type index out of bounds: 3 (0 types defined)"},
		{"export of an unknown instance", bin(sec(SectionExport, 0x01, 0x00, 0x01, 'i', 0x05, 0x00, 0x00)), true, 0x0b, "instance index out of bounds: 0 (0 instances defined)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Decode(tc.in)
			if !tc.validate {
				var de *DecodeError
				if !errors.As(err, &de) {
					t.Fatalf("Decode: %v (%T), want a *DecodeError", err, err)
				}
				if de.Offset != tc.off || !strings.Contains(de.Msg, tc.want) {
					t.Fatalf("Decode: %v\nwant: offset 0x%x: ...%s...", err, tc.off, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			err = Validate(c, AllFeatures)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate: %v (%T), want a *ValidationError", err, err)
			}
			if ve.Offset != tc.off || !strings.Contains(ve.Msg, tc.want) {
				t.Fatalf("Validate: %v\nwant: offset 0x%x: ...%s...", err, tc.off, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "offset 0x") || ve.Where == "" {
				t.Fatalf("Validate: %q does not say where", err)
			}
		})
	}
}

// TestOffsetsMatchBytes checks the offsets Decode records against the
// bytes of every component of the corpora: each section offset holds the
// section's id, each item offset the item's leading byte, and each
// declaration offset the declaration's kind.
func TestOffsetsMatchBytes(t *testing.T) {
	checked := 0
	for _, tc := range roundTripFiles(t) {
		c, err := Decode(tc.Bytes)
		if err != nil {
			continue
		}
		var walk func(c *Component)
		walk = func(c *Component) {
			o := c.off
			decl := 0
			// Declarations are recorded in the order a depth-first walk of
			// the type sections meets them.
			var decls func(ds []Decl)
			decls = func(ds []Decl) {
				for i := range ds {
					if at := o.decls.at(decl); tc.Bytes[at] != byte(ds[i].Kind) {
						t.Fatalf("%s: declaration at 0x%x holds 0x%02x, want kind 0x%02x", tc.Name, at, tc.Bytes[at], ds[i].Kind)
					}
					decl++
					switch x := ds[i].Type.(type) {
					case *ComponentType:
						decls(x.Decls)
					case *InstanceType:
						decls(x.Decls)
					}
				}
			}
			for i, s := range c.Sections {
				if at := c.SectionOffset(i); tc.Bytes[at] != byte(s.ID()) {
					t.Fatalf("%s: section %d at 0x%x holds 0x%02x, want id %d", tc.Name, i, at, tc.Bytes[at], s.ID())
				}
				item := func(j int, want byte) {
					if at := o.item(i, j); at < 0 || tc.Bytes[at] != want {
						t.Fatalf("%s: section %d item %d at 0x%x, want a 0x%02x there", tc.Name, i, j, at, want)
					}
					checked++
				}
				switch s := s.(type) {
				case *ComponentSection:
					walk(s.Component)
				case *CanonSection:
					for j := range s.Funcs {
						item(j, byte(s.Funcs[j].Op))
					}
				case *ImportSection:
					for j := range s.Imports {
						item(j, s.Imports[j].Name.Form)
					}
				case *ExportSection:
					for j := range s.Exports {
						item(j, s.Exports[j].Name.Form)
					}
				case *InstanceSection:
					for j := range s.Instances {
						item(j, map[bool]byte{true: 0, false: 1}[s.Instances[j].Instantiate])
					}
				case *TypeSection:
					for j, ty := range s.Types {
						switch x := ty.(type) {
						case *ComponentType:
							item(j, 0x41)
							decls(x.Decls)
						case *InstanceType:
							item(j, 0x42)
							decls(x.Decls)
						case *ResourceType:
							item(j, 0x3f)
						case *DefinedType:
							if x.Kind != KindPrimitive {
								item(j, byte(x.Kind))
							}
						}
					}
				}
			}
			if decl != o.decls.n {
				t.Fatalf("%s: %d declarations recorded, %d walked", tc.Name, o.decls.n, decl)
			}
		}
		walk(c)
	}
	if checked == 0 {
		t.Fatal("no item checked")
	}
	t.Logf("%d items checked", checked)
}
