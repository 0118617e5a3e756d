//go:build wasm

// Command greeter is the component of `make demo`, written in stock Go: it
// implements world example:greeter/greeter (examples/wit/greeter) with the
// bindings that `wasmcm bindgen go` generates in ./bindings.
//
// The demo builds and runs it:
//
//	wasmcm bindgen go --world greeter --out examples/greeter/bindings \
//	    --package-root github.com/wasmcm/wasmcm/examples/greeter/bindings examples/wit/greeter
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o greeter.wasm ./examples/greeter
//	wasmcm component embed --world greeter examples/wit/greeter greeter.wasm -o greeter.embedded.wasm
//	wasmcm component new greeter.embedded.wasm -o greeter.component.wasm
//	wasmcm run --invoke 'greet("world")' greeter.component.wasm
package main

import (
	"strings"

	"github.com/wasmcm/wasmcm/bindgen/guest/cm"
	"github.com/wasmcm/wasmcm/examples/greeter/bindings/example/greeter/greeter"
)

type impl struct{}

func (impl) Greet(name string) string { return "Hello, " + name + "!" }

func (impl) WordCount(text string) uint32 { return uint32(len(strings.Fields(text))) }

func (impl) LongestWord(text string) cm.Option[string] {
	longest := ""
	for _, w := range strings.Fields(text) {
		if len(w) > len(longest) {
			longest = w
		}
	}
	if longest == "" {
		return cm.None[string]()
	}
	return cm.Some(longest)
}

// A reactor runs no main function, so the exports are registered here.
func init() { greeter.Export(impl{}) }

func main() {}
