package component

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/wit"
)

// TestEmbedRoundTrip embeds the world of every components/ case into its
// module, reads it back, and checks that the world read back describes
// itself with the same bytes and prints as the world embedded.
func TestEmbedRoundTrip(t *testing.T) {
	root := testutil.Shared(t, "conformance/wit-component/components")
	dirs, _ := filepath.Glob(filepath.Join(root, "*", "module.wasm"))
	if len(dirs) == 0 {
		t.Fatal("no cases")
	}
	for _, f := range dirs {
		dir := filepath.Dir(f)
		name := filepath.Base(dir)
		module, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r, world, err := loadCaseWorld(dir, "module")
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		enc := canon.UTF16
		out, err := Embed(module, r, world, enc)
		if err != nil {
			t.Errorf("%s: embed: %v", name, err)
			continue
		}
		b, stripped, err := ReadEmbedded(out)
		if err != nil {
			t.Errorf("%s: read back: %v", name, err)
			continue
		}
		if !bytes.Equal(stripped, module) {
			t.Errorf("%s: the module without the section is not the input", name)
		}
		if b.Encoding != enc {
			t.Errorf("%s: encoding %v, want %v", name, b.Encoding, enc)
		}
		// The embedded world comes back in its package; the module's
		// world is root:root/root with the same items.
		ow := r.Worlds[world]
		var back wit.WorldID = -1
		for _, p := range b.Resolve.Packages {
			if p.Name.String() == r.Packages[ow.Package].Name.String() {
				for _, e := range p.Worlds {
					if e.Name == ow.Name {
						back = e.ID
					}
				}
			}
		}
		if back < 0 {
			t.Errorf("%s: world %s is not in the resolve read back", name, ow.Name)
			continue
		}
		want, _ := WorldMetadata(r, world, enc)
		got, err := WorldMetadata(b.Resolve, back, b.Encoding)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: the world read back encodes differently (%v)", name, err)
		}
		rw := b.Resolve.Worlds[b.World]
		if p := b.Resolve.Packages[rw.Package].Name.String(); rw.Name != "root" || p != "root:root" {
			t.Errorf("%s: module world %s/%s, want root:root/root", name, p, rw.Name)
		}
		bw := b.Resolve.Worlds[back]
		if len(rw.Imports) != len(bw.Imports) || len(rw.Exports) != len(bw.Exports) {
			t.Errorf("%s: module world has %d imports, %d exports; want %d, %d", name, len(rw.Imports), len(rw.Exports), len(bw.Imports), len(bw.Exports))
		}
	}
	if _, _, err := ReadEmbedded([]byte("\x00asm\x01\x00\x00\x00")); err == nil || !strings.Contains(err.Error(), "component-type") {
		t.Errorf("a module without metadata: %v", err)
	}
}

// loadCaseWorld loads a case's folder as one package (its *.wit files,
// with deps/ beside them) and selects the world named base, as the
// reference's tests do.
func loadCaseWorld(dir, base string) (*wit.Resolve, wit.WorldID, error) {
	r, pkgs, err := wit.Load(dir, wit.Options{})
	if err != nil {
		return nil, 0, err
	}
	w, err := r.SelectWorld(pkgs, base)
	return r, w, err
}
