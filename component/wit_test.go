package component

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/wit"
)

// witStripProducers removes a trailing "producers" custom section: it names
// the tool that wrote the file, which is not part of the WIT encoding.
func witStripProducers(t testing.TB, b []byte) []byte {
	t.Helper()
	off := len(preamble)
	for off < len(b) {
		start := off
		id := b[off]
		off++
		size, n := witReadU32(b[off:])
		if n == 0 || off+n+int(size) > len(b) {
			t.Fatalf("bad section at %d", start)
		}
		off += n
		body := b[off : off+int(size)]
		off += int(size)
		if id == byte(SectionCustom) {
			l, m := witReadU32(body)
			if m > 0 && int(l) <= len(body)-m && string(body[m:m+int(l)]) == "producers" {
				return append(append([]byte(nil), b[:start]...), b[off:]...)
			}
		}
	}
	return b
}

func witReadU32(b []byte) (uint32, int) {
	var v uint32
	for i := 0; i < len(b) && i < 5; i++ {
		v |= uint32(b[i]&0x7f) << (7 * i)
		if b[i]&0x80 == 0 {
			return v, i + 1
		}
	}
	return 0, 0
}

// TestWITEncodeHandBuilt encodes the model of wit-component's interfaces/empty
// case, built by hand: empty interfaces and worlds importing and exporting
// them by name and inline.
func TestWITEncodeHandBuilt(t *testing.T) {
	witHandEmptyTest(t, witHandEmpty())
}

func witHandEmpty() *wit.Resolve {
	r := &wit.Resolve{}
	r.Packages = []*wit.Package{{Name: wit.PackageName{Namespace: "foo", Name: "empty"}}}
	r.Interfaces = []*wit.Interface{
		{Name: "empty", Package: 0},
		{Package: 0}, // import empty: interface {}
		{Package: 0}, // export empty2: interface {}
	}
	r.Worlds = []*wit.World{
		{Name: "empty-world", Package: 0,
			Imports: []wit.WorldItem{
				{Key: wit.WorldKey{Interface: 0}, Kind: wit.WorldItemInterface, Interface: 0},
				{Key: wit.WorldKey{Name: "empty"}, Kind: wit.WorldItemInterface, Interface: 1},
			},
			Exports: []wit.WorldItem{
				{Key: wit.WorldKey{Interface: 0}, Kind: wit.WorldItemInterface, Interface: 0},
				{Key: wit.WorldKey{Name: "empty2"}, Kind: wit.WorldItemInterface, Interface: 2},
			}},
		{Name: "actually-empty-world", Package: 0},
	}
	r.Packages[0].Interfaces = []wit.Entry[wit.InterfaceID]{{Name: "empty", ID: 0}}
	r.Packages[0].Worlds = []wit.Entry[wit.WorldID]{{Name: "empty-world", ID: 0}, {Name: "actually-empty-world", ID: 1}}
	return r
}

func witHandEmptyTest(t *testing.T, r *wit.Resolve) {
	got, err := EncodeWIT(r, 0)
	if err != nil {
		t.Fatal(err)
	}
	// The bytes of empty.wat as wasm-tools assembles it, producers left out.
	want, _ := hex.DecodeString("0061736d0d000100071a014102014200040" +
		"00f666f6f3a656d7074792f656d7074790500" +
		"0b0b0100" + "05656d707479" + "030000" +
		"07690141020141080142000300" + "0f666f6f3a656d7074792f656d707479" + "0500" +
		"01420003000565" + "6d707479" + "0501" + "014200" + "0400" + "0f666f6f3a656d7074792f656d707479" + "0502" +
		"014200" + "0400" + "06656d70747932" + "0503" +
		"0400" + "15666f6f3a656d7074792f656d7074792d776f726c64" + "0400" +
		"0b11" + "0100" + "0b656d7074792d776f726c64" + "030200" +
		"0729014102014100" + "0400" + "1e666f6f3a656d7074792f61637475616c6c792d656d7074792d776f726c64" + "0400" +
		"0b1a0100" + "1461637475616c6c792d656d7074792d776f726c64" + "030400" +
		"00100c7061636b6167652d646f6373017b7d")
	if !bytes.Equal(got, want) {
		t.Errorf("encoded:\n%x\nwant:\n%x", got, want)
	}
	if file := filepath.Join(testutil.RepoRoot(t), "..", "shared", "conformance", "wit-component", "interfaces", "empty.wasm"); true {
		if ref, err := os.ReadFile(file); err == nil && !bytes.Equal(witStripProducers(t, ref), want) {
			t.Errorf("the test's expected bytes differ from %s", file)
		}
	}
}

// TestWITEncodeConformance encodes every interfaces/ case of wit-component and
// compares with the reference's component byte for byte (without the
// producers section).
func TestWITEncodeConformance(t *testing.T) {
	root := testutil.Shared(t, "conformance/wit-component/interfaces")
	ents, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	passed, total := 0, 0
	for _, e := range ents {
		n := e.Name()
		var src string
		switch {
		case e.IsDir():
			src = filepath.Join(root, n)
		case strings.HasSuffix(n, ".wit"):
			src = filepath.Join(root, n)
			n = strings.TrimSuffix(n, ".wit")
		default:
			continue
		}
		want, err := os.ReadFile(filepath.Join(root, n+".wasm"))
		if err != nil {
			continue
		}
		total++
		r, ids, err := wit.Load(src, wit.Options{})
		if err != nil || len(ids) == 0 {
			t.Logf("%s: load: %v", n, err)
			continue
		}
		got, err := EncodeWIT(r, ids[len(ids)-1])
		if err != nil {
			t.Errorf("%s: %v", n, err)
			continue
		}
		want = witStripProducers(t, want)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: encoding differs from %s.wasm at byte %d (got %d bytes, want %d)", n, n, witFirstDiff(got, want), len(got), len(want))
			continue
		}
		passed++
	}
	testutil.Conformance(t, "witbin-encode-interfaces", passed, total)
}

func witFirstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestWITBinaryReserializes reads each reference encoding into the tree and
// serializes it again: the bytes must not change.
func TestWITBinaryReserializes(t *testing.T) {
	root := testutil.Shared(t, "conformance/wit-component/interfaces")
	files, err := filepath.Glob(filepath.Join(root, "*.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no .wasm files")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c, err := Decode(b)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
			continue
		}
		if got := c.Encode(); !bytes.Equal(got, b) {
			t.Errorf("%s: re-serialized bytes differ at byte %d", filepath.Base(f), witFirstDiff(got, b))
		}
	}
}

// TestWITDecodeMalformed checks that broken inputs give located errors, not
// panics or huge allocations.
func TestWITDecodeMalformed(t *testing.T) {
	good, err := EncodeWIT(witHandEmpty(), 0)
	if err != nil {
		t.Fatal(err)
	}
	// Every truncation and every single-byte corruption must read without a
	// panic (a cut at a section boundary is a valid, shorter component).
	for i := range good {
		_, _ = DecodeWIT(good[:i])
		bad := append([]byte(nil), good...)
		bad[i] ^= 0xff
		_, _ = DecodeWIT(bad)
	}
	for _, b := range [][]byte{
		nil,
		[]byte("\x00asm\x01\x00\x00\x00"),
		append(append([]byte{}, preamble[:]...), 7, 0xff, 0xff, 0xff, 0xff, 0x0f),
		append(append([]byte{}, preamble[:]...), 7, 5, 0xff, 0xff, 0xff, 0xff, 0x0f),
		append(append([]byte{}, preamble[:]...), 7, 3, 1, 0x41, 0x7f),
	} {
		if _, err := DecodeWIT(b); err == nil {
			t.Errorf("no error for % x", b)
		}
	}
}

// TestWITDecodePackageConformance decodes each reference encoding of wit-component's
// interfaces/ cases, prints the package (it must give X.wit.print, as in
// the reference's tests) and encodes it again (counted when it gives the
// same bytes).
func TestWITDecodePackageConformance(t *testing.T) {
	root := testutil.Shared(t, "conformance/wit-component/interfaces")
	files, err := filepath.Glob(filepath.Join(root, "*.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	printed, reencoded := 0, 0
	for _, f := range files {
		n := strings.TrimSuffix(filepath.Base(f), ".wasm")
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dw, err := DecodeWIT(b)
		if err != nil {
			t.Errorf("%s: %v", n, err)
			continue
		}
		r, pkg := dw.Resolve, dw.Package
		wantFile := filepath.Join(root, n+".wit.print")
		if _, err := os.Stat(wantFile); err != nil {
			wantFile = filepath.Join(root, n, r.Packages[pkg].Name.Name+".wit.print")
		}
		want, err := os.ReadFile(wantFile)
		if err != nil {
			t.Errorf("%s: %v", n, err)
			continue
		}
		got, err := r.PrintChecked([]wit.PackageID{pkg})
		if err != nil {
			t.Errorf("%s: print: %v", n, err)
		} else if got != string(want) {
			t.Errorf("%s: printed WIT differs from %s:\n%s", n, filepath.Base(wantFile), got)
		} else {
			printed++
		}
		again, err := EncodeWIT(r, pkg)
		if err != nil {
			t.Errorf("%s: re-encode: %v", n, err)
			continue
		}
		if !bytes.Equal(again, witStripProducers(t, b)) {
			// The reference does not reach this either where function order
			// changes: decoding puts resource functions first, so the JSON
			// of package-docs lists them in another order (wasi-http).
			t.Logf("%s: re-encoding differs at byte %d", n, witFirstDiff(again, witStripProducers(t, b)))
			continue
		}
		reencoded++
	}
	testutil.Conformance(t, "witbin-decode-print", printed, len(files))
	testutil.Conformance(t, "witbin-decode-reencode", reencoded, len(files))
}

// witWASIDir returns a loadable copy of a WASI package folder: the corpus keeps
// each deps/<name> link as a small file holding the link's target.
func witWASIDir(t *testing.T, dir string) string {
	out := filepath.Join(t.TempDir(), filepath.Base(dir))
	if err := os.MkdirAll(filepath.Join(out, "deps"), 0o755); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.wit"))
	for _, f := range files {
		if err := os.Symlink(f, filepath.Join(out, filepath.Base(f))); err != nil {
			t.Fatal(err)
		}
	}
	deps, _ := os.ReadDir(filepath.Join(dir, "deps"))
	for _, d := range deps {
		target := filepath.Join(dir, "deps", d.Name())
		if !d.IsDir() {
			b, err := os.ReadFile(target)
			if err != nil {
				t.Fatal(err)
			}
			target = filepath.Join(dir, "deps", strings.TrimSpace(string(b)))
		}
		if err := os.Symlink(target, filepath.Join(out, "deps", d.Name())); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestWITThroughBinaryWASI encodes every WASI package of every version, decodes
// it and checks that it prints as the loaded package does.
func TestWITThroughBinaryWASI(t *testing.T) {
	root := testutil.Shared(t, "conformance/wasi")
	pkgs, _ := filepath.Glob(filepath.Join(root, "*", "*"))
	passed, total := 0, 0
	for _, p := range pkgs {
		if fi, err := os.Stat(p); err != nil || !fi.IsDir() {
			continue
		}
		total++
		name := filepath.Base(filepath.Dir(p)) + "/" + filepath.Base(p)
		r, ids, err := wit.Load(witWASIDir(t, p), wit.Options{})
		if err != nil || len(ids) == 0 {
			t.Logf("%s: load: %v", name, err)
			continue
		}
		b, err := EncodeWIT(r, ids[0])
		if err != nil {
			t.Errorf("%s: encode: %v", name, err)
			continue
		}
		dw, err := DecodeWIT(b)
		if err != nil {
			t.Errorf("%s: decode: %v", name, err)
			continue
		}
		r2, p2 := dw.Resolve, dw.Package
		want, got := r.Print(ids[0]), r2.Print(p2)
		if got != want {
			t.Errorf("%s: printed after the binary round trip:\n%s\nwant:\n%s", name, got, want)
			continue
		}
		passed++
	}
	testutil.Conformance(t, "witbin-wasi-roundtrip", passed, total)
}

// TestDecodeWITKeepsNoReference: Decode's names point into its input, so
// DecodeWIT, whose Resolve outlives the call, must decode a copy: the
// caller may reuse its buffer.
func TestDecodeWITKeepsNoReference(t *testing.T) {
	path := filepath.Join(testutil.Shared(t, "conformance/wit-component/interfaces"), "wasi-http.wasm")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d, err := DecodeWIT(b)
	if err != nil {
		t.Fatal(err)
	}
	before := d.Resolve.Print(d.Package)
	for i := range b {
		b[i] = 'x'
	}
	if after := d.Resolve.Print(d.Package); before != after {
		t.Fatal("the decoded WIT changed with the buffer it was decoded from")
	}
}
