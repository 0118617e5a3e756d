package wasm

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/wasmcm/wasmcm/internal/testutil"
)

// engineModule returns the largest core module inside the largest cached
// component (a componentize-js guest: a JavaScript engine of ~12 MB), and
// skips when none is cached.
func engineModule(tb testing.TB) []byte {
	files, _ := filepath.Glob(filepath.Join(testutil.RepoRoot(tb), ".cache", "guests", "*", "guest.component.wasm"))
	var best []byte
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if m := largestCoreModule(data); len(m) > len(best) {
			best = m
		}
	}
	if len(best) < 4<<20 {
		tb.Skip("skipped: no componentize-js component (with a core module of 4 MB or more) cached under .cache/guests; the runtime/wasi tests build one when componentize-js is installed")
	}
	return best
}

// largestCoreModule walks a component's preamble and sections (recursing
// into nested components) and returns the largest core module section's
// bytes, or nil. It reads by hand what package component decodes, since
// that package imports this one.
func largestCoreModule(b []byte) []byte {
	if len(b) < 8 || string(b[:4]) != string(Magic) || b[6] != 1 || b[7] != 0 {
		return nil // not a component (layer 1)
	}
	var best []byte
	r := NewReader(b[8:], 8)
	for !r.EOF() {
		id, err := r.Byte()
		if err != nil {
			return best
		}
		sec, err := r.Sub("section")
		if err != nil {
			return best
		}
		var m []byte
		switch id {
		case 1: // core module
			m = sec.Rest()
		case 4: // nested component
			m = largestCoreModule(sec.Rest())
		}
		if len(m) > len(best) {
			best = m
		}
	}
	return best
}

// BenchmarkReadModule reads the facts of a JavaScript engine's core module
// (componentize-js: ~140 types, ~100 imports, ~12,700 functions), what
// component.Decode does for each core module it meets.
func BenchmarkReadModule(b *testing.B) {
	m := engineModule(b)
	info, err := ReadModule(m, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d bytes: %d types, %d imports, %d functions, %d exports", len(m), info.NumTypes(), len(info.Imports), info.NumFuncs(), len(info.Exports))
	for _, read := range []struct {
		name string
		f    func([]byte, int) (*ModuleInfo, error)
	}{{"copy", ReadModule}, {"alias", ReadModuleAliased}} {
		b.Run(read.name, func(b *testing.B) {
			b.SetBytes(int64(len(m)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := read.f(m, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
