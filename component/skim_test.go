package component

import (
	"testing"

	"github.com/wasmcm/wasmcm/internal/wasm"
)

// TestSkim checks what the skim of section headers counts (nested
// components included) and that a count a section's bytes cannot hold is
// capped by them, so that what Decode reserves from it stays bounded by
// the input.
func TestSkim(t *testing.T) {
	sec := func(id SectionID, body ...byte) []byte {
		return append(wasm.AppendU32([]byte{byte(id)}, uint32(len(body))), body...)
	}
	var inner []byte
	inner = append(inner, sec(SectionAlias, 2, 0, 0)...)
	inner = append(inner, sec(SectionCanon, 1, 0)...)
	nested := append(append([]byte{}, preamble[:]...), inner...)
	var b []byte
	b = append(b, sec(SectionAlias, 3, 0, 0)...)
	b = append(b, sec(SectionCanon, 0x7f, 0)...)                       // 127 claimed, 2 bytes
	b = append(b, sec(SectionImport, 0xff, 0xff, 0xff, 0xff, 0x0f)...) // 2^32-1 claimed, 5 bytes
	b = append(b, sec(SectionComponent, nested...)...)
	var k skim
	if n := k.scan(b, 0); n != 4 {
		t.Errorf("scan found %d sections, want 4", n)
	}
	if k.secs[SectionAlias] != 2 || k.secs[SectionCanon] != 2 || k.secs[SectionImport] != 1 || k.secs[SectionComponent] != 1 {
		t.Errorf("sections per id: %v", k.secs)
	}
	if want := 3 + 2; k.items[SectionAlias] != want {
		t.Errorf("aliases: %d, want %d", k.items[SectionAlias], want)
	}
	if want := 2 + 1; k.items[SectionCanon] != want {
		t.Errorf("canonical functions: %d, want %d (capped by the section's size)", k.items[SectionCanon], want)
	}
	if want := 5; k.items[SectionImport] != want {
		t.Errorf("imports: %d, want %d (capped by the section's size)", k.items[SectionImport], want)
	}
	// A cut or malformed header ends the skim.
	k = skim{}
	if n := k.scan(append(sec(SectionAlias, 1, 0), byte(SectionCanon), 0x80), 0); n != 1 {
		t.Errorf("scan of a cut header found %d sections, want 1", n)
	}
}
