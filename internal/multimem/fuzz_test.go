package multimem

import (
	"testing"

	"github.com/wasmcm/wasmcm/internal/wasm"
)

// FuzzLower feeds Lower mutated modules: it must give an error or modules
// that read back, never panic or hang.
func FuzzLower(f *testing.F) {
	f.Add(assemble(f, twoMems), uint8(0))
	f.Add(assemble(f, scenarioModule("did")), uint8(1))
	f.Add(simdModule(), uint8(1))
	bin, _ := program(7, 20)
	f.Add(bin, uint8(2))
	f.Fuzz(func(t *testing.T, bin []byte, native uint8) {
		low, err := Lower(bin, Options{Native: uint32(native % 4)})
		if err != nil {
			return
		}
		if _, err := wasm.ReadModule(low.Main, 0); err != nil && len(low.Accessors) > 0 {
			t.Fatalf("main does not read back: %v", err)
		}
		for _, a := range low.Accessors {
			if _, err := wasm.ReadModule(a.Module, 0); err != nil {
				t.Fatalf("accessor %d does not read back: %v", a.Memory, err)
			}
		}
	})
}
