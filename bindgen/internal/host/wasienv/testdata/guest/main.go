// Command guest implements world test:wasienv/wasienv (../../wit) with
// wasmcm's guest bindings: it reports the environment it sees, both as the
// Go program sees it (through the preview-1 adapter) and as
// wasi:cli/environment answers a direct call.
package main

import (
	"os"

	"example.com/guest/bindings/test/wasienv/wasienv"
	"example.com/guest/bindings/wasi/cli/environment"
	"github.com/wasmcm/wasmcm/bindgen/guest/cm"
)

type impl struct{}

func (impl) Environ() []string { return os.Environ() }

func (impl) Args() []string { return os.Args }

func (impl) Direct() []struct {
	F0 string
	F1 string
} {
	return environment.GetEnvironment()
}

func (impl) Cwd() cm.Option[string] { return environment.InitialCwd() }

func init() { wasienv.Export(impl{}) }

func main() {}
