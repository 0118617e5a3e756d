// Command wasmcm is the WebAssembly Component Model toolchain: it parses and
// prints WIT and, as it grows, generates bindings, builds, composes and runs
// components. Run `wasmcm --help` for the commands.
package main

import (
	"context"
	"os"

	"github.com/wasmcm/wasmcm/cmd/wasmcm/internal/cli"
)

func main() {
	os.Exit(cli.Run(context.Background(), os.Args[1:], cli.IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}))
}
