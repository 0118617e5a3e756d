package component

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/wasmcm/wasmcm/internal/testutil"
)

// largestComponent returns the largest component binary of the corpora.
func largestComponent(b *testing.B) ([]byte, string) {
	root := testutil.Shared(b, "conformance")
	var best []byte
	var name string
	for _, pat := range []string{"wast-bin/*/*/*/*.wasm", "wast-bin/*/*/*/*/*.wasm", "wit-component/components/*/component.wasm", "wit-component/interfaces/*.wasm"} {
		files, _ := filepath.Glob(filepath.Join(root, pat))
		for _, p := range files {
			data, err := os.ReadFile(p)
			if err == nil && IsComponent(data) && len(data) > len(best) {
				best, name = data, p
			}
		}
	}
	if best == nil {
		b.Skip("no component in the corpora")
	}
	return best, name
}

func BenchmarkDecode(b *testing.B) {
	data, name := largestComponent(b)
	b.Logf("%s: %d bytes", filepath.Base(filepath.Dir(name))+"/"+filepath.Base(name), len(data))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	data, _ := largestComponent(b)
	c, err := Decode(data)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		c.Encode()
	}
}
