package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/preview1"
	"github.com/wasmcm/wasmcm/wit"
)

// maxWasm bounds the size of a wasm input, so that a wrong path to a huge
// file ends in an error rather than exhausting memory.
const maxWasm = 1 << 30

func newComponentCmd(io IO) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "component",
		Short: "Make components from core modules and inspect them",
		Long: `Commands that work on component binaries, as 'wasm-tools component' has them:
new wraps a core module into a component, embed binds a core module to a
WIT world, wit prints the WIT of a component or a bound module.`,
		Example: `  wasmcm component embed --world command ./wit prog.wasm -o prog.embedded.wasm
  wasmcm component new prog.embedded.wasm -o prog.component.wasm
  wasmcm component new --adapt wasi_snapshot_preview1=adapter.wasm prog.wasm -o prog.component.wasm
  wasmcm component wit prog.component.wasm`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newComponentNew(io), newComponentEmbed(io), newComponentWit(io))
	return cmd
}

// readWasm reads a wasm input: a file, or standard input for "-".
func readWasm(io IO, path string) ([]byte, error) {
	if path == "-" {
		b, err := readAllLimited(io.Stdin, maxWasm)
		if err != nil {
			return nil, fmt.Errorf("reading standard input: %w", err)
		}
		return b, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := readAllLimited(f, maxWasm)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

// writeOutput writes a binary to the file out, or to standard output when
// out is "" or "-".
func writeOutput(io IO, out string, b []byte) error {
	if out == "" || out == "-" {
		_, err := io.Stdout.Write(b)
		return err
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		return userErr(err)
	}
	return nil
}

// exactlyOne is an Args check naming what the command takes.
func exactlyOne(what, usage string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != 1 {
			return userErr(fmt.Errorf("%s takes exactly one %s, got %d\nRun '%s --help' for usage.", cmd.CommandPath(), what, len(args), usage))
		}
		return nil
	}
}

type newFlags struct {
	output         string
	adapt          []string
	skipValidation bool
}

func newComponentNew(io IO) *cobra.Command {
	var f newFlags
	cmd := &cobra.Command{
		Use:   "new [flags] MODULE",
		Short: "Wrap a core module bound to a world into a component",
		Long: `Wrap the core module MODULE ("-" for standard input) into a component. The
module carries the world it implements in a component-type custom section
(see 'wasmcm component embed'); a module without one gets an empty world.

--adapt NAME=FILE gives an adapter module for the functions MODULE imports
from module NAME, such as a WASI preview-1 adapter for
wasi_snapshot_preview1. The adapter's own world joins the component's, and
only what MODULE uses of it is kept. --adapt FILE takes NAME from the file
name, up to its first dot. A module that imports wasi_snapshot_preview1
without --adapt for it gets wasmcm's built-in preview-1 adapter (a command
when MODULE exports _start, else a reactor).

The component is validated before it is written, unless --skip-validation.`,
		Example: `  wasmcm component new prog.embedded.wasm -o prog.component.wasm
  wasmcm component new --adapt wasi_snapshot_preview1=wasi_snapshot_preview1.command.wasm main.wasm -o main.component.wasm`,
		Args: exactlyOne("MODULE", "wasmcm component new"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runComponentNew(io, args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.output, "output", "o", "", "write the component to this file (default: standard output)")
	fl.StringArrayVar(&f.adapt, "adapt", nil, "an adapter, as NAME=FILE or FILE (repeatable)")
	fl.BoolVar(&f.skipValidation, "skip-validation", false, "do not validate the component before writing it")
	return cmd
}

func runComponentNew(io IO, path string, f newFlags) error {
	module, err := readWasm(io, path)
	if err != nil {
		return userErr(err)
	}
	opts := component.NewOptions{}
	for _, a := range f.adapt {
		name, file, ok := strings.Cut(a, "=")
		if !ok {
			file = a
			name, _, _ = strings.Cut(filepath.Base(a), ".")
		}
		if name == "" || file == "" {
			return userErr(fmt.Errorf("--adapt %q: want NAME=FILE or FILE", a))
		}
		b, err := readWasm(io, file)
		if err != nil {
			return userErr(fmt.Errorf("--adapt %s: %w", name, err))
		}
		if opts.Adapters == nil {
			opts.Adapters = map[string][]byte{}
		}
		if _, dup := opts.Adapters[name]; dup {
			return userErr(fmt.Errorf("--adapt %s is given twice", name))
		}
		opts.Adapters[name] = b
	}
	if _, given := opts.Adapters[preview1.ModuleName]; !given {
		a, err := preview1.ForModule(module)
		if err != nil {
			return userErr(fmt.Errorf("%s: %w", path, err))
		}
		if a != nil {
			if opts.Adapters == nil {
				opts.Adapters = map[string][]byte{}
			}
			opts.Adapters[preview1.ModuleName] = a
		}
	}
	out, err := component.New(module, opts)
	if err != nil {
		return userErr(fmt.Errorf("%s: %w", path, err))
	}
	if !f.skipValidation {
		c, err := component.Decode(out)
		if err == nil {
			err = component.Validate(c, component.AllFeatures)
		}
		if err != nil {
			// New made a component the validator rejects: a bug here.
			return fmt.Errorf("the new component is not valid (write it anyway with --skip-validation): %w", err)
		}
	}
	return writeOutput(io, f.output, out)
}

type embedFlags struct {
	world    string
	output   string
	encoding string
}

func newComponentEmbed(io IO) *cobra.Command {
	var f embedFlags
	cmd := &cobra.Command{
		Use:   "embed [flags] WIT_PATH MODULE",
		Short: "Bind a core module to a WIT world",
		Long: `Bind the core module MODULE ("-" for standard input) to a world of the WIT
at WIT_PATH (a package directory with its deps/, or a .wit file): the world
is appended to the module in a component-type custom section, in
wit-component's format, for 'wasmcm component new' to read.

--world names the world (a world of the main package, or
ns:pkg/world@version); it may be left out when the package has one world.`,
		Example: `  wasmcm component embed --world command ./wit prog.wasm -o prog.embedded.wasm`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return userErr(fmt.Errorf("component embed takes WIT_PATH and MODULE, got %d arguments\nRun 'wasmcm component embed --help' for usage.", len(args)))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runComponentEmbed(io, args[0], args[1], f)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.world, "world", "w", "", "the world to bind the module to")
	fl.StringVarP(&f.output, "output", "o", "", "write the module to this file (default: standard output)")
	fl.StringVar(&f.encoding, "encoding", "utf8", "the string encoding of the module: utf8, utf16 or compact-utf16")
	return cmd
}

func runComponentEmbed(io IO, witPath, modPath string, f embedFlags) error {
	encodings := map[string]canon.StringEncoding{"utf8": canon.UTF8, "utf16": canon.UTF16, "compact-utf16": canon.Latin1UTF16}
	enc, ok := encodings[f.encoding]
	if !ok {
		return userErr(fmt.Errorf("--encoding %q: want utf8, utf16 or compact-utf16", f.encoding))
	}
	r, pkgs, err := wit.Load(witPath, wit.Options{})
	if err != nil {
		return userErr(err)
	}
	world, err := r.SelectWorld(pkgs, f.world)
	if err != nil {
		return userErr(err)
	}
	module, err := readWasm(io, modPath)
	if err != nil {
		return userErr(err)
	}
	out, err := component.Embed(module, r, world, enc)
	if err != nil {
		return userErr(fmt.Errorf("%s: %w", modPath, err))
	}
	return writeOutput(io, f.output, out)
}

func newComponentWit(io IO) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "wit [flags] WASM",
		Short: "Print the WIT of a component, a binary WIT package or a bound module",
		Long: `Print the WIT that WASM ("-" for standard input) describes: the world a
component implements (world root of package root:component, as the
reference names it), the package a binary WIT package holds, or the world
a core module is bound to by its component-type section. With --json the
resolution is printed as JSON instead.`,
		Example: `  wasmcm component wit prog.component.wasm
  wasmcm component wit --json prog.component.wasm`,
		Args: exactlyOne("WASM", "wasmcm component wit"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runComponentWit(io, args[0], asJSON)
		},
	}
	cmd.Flags().BoolVarP(&asJSON, "json", "j", false, "print the resolution as JSON instead of WIT text")
	return cmd
}

func runComponentWit(stdio IO, path string, asJSON bool) error {
	b, err := readWasm(stdio, path)
	if err != nil {
		return userErr(err)
	}
	var r *wit.Resolve
	var pkg wit.PackageID
	if component.IsComponent(b) {
		d, err := component.DecodeWIT(b)
		if err != nil {
			return userErr(fmt.Errorf("%s: %w", path, err))
		}
		r, pkg = d.Resolve, d.Package
	} else {
		bind, _, err := component.ReadEmbedded(b)
		if err != nil {
			return userErr(fmt.Errorf("%s: %w", path, err))
		}
		r, pkg = bind.Resolve, bind.Resolve.Worlds[bind.World].Package
	}
	if asJSON {
		return printJSON(stdio.Stdout, r)
	}
	order := []wit.PackageID{pkg}
	for id := range r.Packages {
		if wit.PackageID(id) != pkg && !slices.Contains(order, wit.PackageID(id)) {
			order = append(order, wit.PackageID(id))
		}
	}
	return printText(stdio.Stdout, r, order)
}
