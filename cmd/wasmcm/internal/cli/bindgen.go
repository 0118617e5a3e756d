package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/spf13/cobra"

	"github.com/wasmcm/wasmcm/bindgen"
	"github.com/wasmcm/wasmcm/wit"
)

// newBindgen is `wasmcm bindgen`, with one subcommand per guest language.
func newBindgen(io IO) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "bindgen",
		Short:   "Generate guest bindings for a WIT world",
		Example: `  wasmcm bindgen go --world greeter --out bindings --package-root example.com/app/bindings ./wit`,
	}
	cmd.AddCommand(newBindgenGo(io))
	return cmd
}

type bindgenGoFlags struct {
	world, out, root string
	noCleanup        bool
	host             bool
}

func newBindgenGo(io IO) *cobra.Command {
	var f bindgenGoFlags
	cmd := &cobra.Command{
		Use:   "go [flags] WIT_PATH",
		Short: "Generate Go bindings (stock Go, GOOS=wasip1) for a WIT world",
		Long: `Generate Go packages for the world's imported and exported interfaces and
its own functions, under --out, one package per interface (ns/pkg/iface).
--package-root is the import path of --out.

The program implements each exported interface's Exports and registers it
with Export in an init function, then builds a reactor:

  GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared

With --host the packages are host bindings instead: a Go program runs a
component of the world on wasmcm's runtime. The world's package has
Compile, Instantiate and Imports; each imported interface is a Go
interface (Imports) the program implements, WASI's served by wasmcm's
WASI host unless the program implements them; each exported interface's
functions are methods of the Exports that Instance gives.`,
		Example: `  wasmcm bindgen go --world guest --out bindings --package-root example.com/app/bindings ./wit
  wasmcm bindgen go --host --world kitchen --out hostbindings --package-root example.com/app/hostbindings ./wit`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return userErr(fmt.Errorf("bindgen go takes exactly one WIT_PATH, got %d", len(args)))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBindgenGo(io, args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.world, "world", "w", "", "the world (a name in the main package, or ns:pkg/world@version)")
	fl.StringVarP(&f.out, "out", "o", "", "the directory to write the packages into")
	fl.StringVar(&f.root, "package-root", "", "the import path of --out")
	fl.BoolVar(&f.noCleanup, "no-cleanup", false, "do not drop forgotten owned handles when the GC collects them")
	fl.BoolVar(&f.host, "host", false, "generate host bindings (a Go program running the component) instead of guest bindings")
	return cmd
}

func runBindgenGo(io IO, path string, f bindgenGoFlags) error {
	if f.out == "" || f.root == "" {
		return userErr(fmt.Errorf("bindgen go needs --out and --package-root"))
	}
	r, pkgs, err := load(io, path, wit.Options{})
	if err != nil {
		return userErr(err)
	}
	w, err := r.SelectWorld(pkgs, f.world)
	if err != nil {
		return userErr(err)
	}
	gen := bindgen.Go
	if f.host {
		gen = bindgen.GoHost
	}
	files, err := gen(r, w, bindgen.GoOptions{PackageRoot: f.root, NoCleanup: f.noCleanup})
	if err != nil {
		return userErr(err)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := filepath.Join(f.out, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return userErr(err)
		}
		if err := os.WriteFile(p, files[n], 0o644); err != nil {
			return userErr(err)
		}
		fmt.Fprintln(io.Stdout, p)
	}
	return nil
}
