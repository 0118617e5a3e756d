package cli

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/wasmcm/wasmcm/internal/wat"
)

func newParse(io IO) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "parse FILE.wat [-o OUT.wasm]",
		Short: "Assemble component or core module text into a binary",
		Long: `parse reads the WebAssembly text format — a (component ...) or a
(module ...) — and writes its binary form. It makes the same bytes as the
reference assembler (wasm-tools parse), name sections included. Errors
point at the file, line and column.`,
		Example: `  wasmcm parse adder.wat -o adder.wasm`,
		Args:    exactlyOne("text file", "wasmcm parse"),
		RunE: func(cmd *cobra.Command, args []string) error {
			src, err := os.ReadFile(args[0])
			if err != nil {
				return userErr(err)
			}
			b, err := wat.Parse(args[0], src)
			if err != nil {
				return userErr(err)
			}
			return writeOutput(io, out, b)
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "where to write the binary (default: standard output)")
	return cmd
}

func newPrint(io IO) *cobra.Command {
	return &cobra.Command{
		Use:   "print FILE.wasm",
		Short: "Print a component or core module binary as text",
		Long: `print writes the text format of a component or core module binary, one
definition per line with its index in a comment. Names from the name
sections become $identifiers; parsing the text gives the binary back.`,
		Example: `  wasmcm print adder.wasm`,
		Args:    exactlyOne("binary file", "wasmcm print"),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := os.ReadFile(args[0])
			if err != nil {
				return userErr(err)
			}
			text, err := wat.Print(b)
			if err != nil {
				return userErr(err)
			}
			_, err = io.Stdout.Write([]byte(text))
			return err
		},
	}
}
