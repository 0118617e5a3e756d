package preview1_test

import (
	"testing"

	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/preview1"
)

// BenchmarkGenerate is the cost of making the adapter.
func BenchmarkGenerate(b *testing.B) {
	for b.Loop() {
		if _, err := preview1.Generate(preview1.Options{Flavor: preview1.Command}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkComponentNewGo is `component new` of a stock Go reactor (about
// 2 MB) with the built-in adapter, generating the adapter each time as the
// default path does. The bar is 100 ms.
func BenchmarkComponentNewGo(b *testing.B) {
	core := goGuest(b, "goreactor", "c-shared")
	b.ReportMetric(float64(len(core))/1e6, "MB-module")
	b.SetBytes(int64(len(core)))
	for b.Loop() {
		o, err := preview1.OptionsFor(core)
		if err != nil {
			b.Fatal(err)
		}
		a, err := preview1.Generate(o)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := component.New(core, component.NewOptions{Adapters: map[string][]byte{"wasi_snapshot_preview1": a}}); err != nil {
			b.Fatal(err)
		}
	}
}
