package component

import (
	"strconv"
	"testing"

	"github.com/wasmcm/wasmcm/internal/wasm"
)

// TestCoreExportsLookup checks coreExports below and above the size at
// which it indexes its names: every name is found with its own type
// whatever the order of lookups (get's hint of the next position must
// never decide what is found), absent names are not, and a repeated name
// is refused.
func TestCoreExportsLookup(t *testing.T) {
	for _, n := range []int{1, 3, coreExportsIndexAbove, coreExportsIndexAbove + 1, 40} {
		for _, pooled := range []bool{false, true} {
			v := &validator{}
			fns := make([]wasm.FuncType, n)
			c := v.newCoreExports(0)
			if pooled {
				c = v.newCoreExports(n)
			}
			for i := 0; i < n; i++ {
				if !v.addCoreExport(c, strconv.Itoa(i), coreExtern{kind: wasm.ExternFunc, fn: &fns[i]}) {
					t.Fatalf("n=%d: add %d refused", n, i)
				}
			}
			if _, ok := v.addCoreExportSlot(c, strconv.Itoa(n/2)); ok {
				t.Fatalf("n=%d pooled=%v: a repeated name was accepted", n, pooled)
			}
			// In order, in reverse, and strided: the hint is right, wrong,
			// and off by one.
			var order []int
			for i := 0; i < n; i++ {
				order = append(order, i)
			}
			for i := n - 1; i >= 0; i-- {
				order = append(order, i)
			}
			for i := 0; i < n; i += 3 {
				order = append(order, i, i)
			}
			for _, i := range order {
				got, ok := v.coreExport(c, strconv.Itoa(i))
				if !ok || got.fn != &fns[i] {
					t.Fatalf("n=%d pooled=%v: get(%d) = %v, %v", n, pooled, i, got, ok)
				}
			}
			if _, ok := v.coreExport(c, strconv.Itoa(n)); ok {
				t.Fatalf("n=%d: found an absent name", n)
			}
		}
	}
}
