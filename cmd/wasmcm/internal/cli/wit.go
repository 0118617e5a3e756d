package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wasmcm/wasmcm/internal/witwasm"
	"github.com/wasmcm/wasmcm/wit"
)

// witFlags are the flags of `wasmcm wit`, named as `wasm-tools component wit`
// names them where it has them.
type witFlags struct {
	json        bool
	world       string
	features    []string
	allFeatures bool
}

func newWit(io IO) *cobra.Command {
	var f witFlags
	cmd := &cobra.Command{
		Use:   "wit [flags] PATH",
		Short: "Resolve a WIT package and print it as canonical WIT or JSON",
		Long: `Resolve the WIT at PATH and print it in canonical form: the main package,
then each package it uses as a nested "package ns:name { ... }" block.

PATH is a directory holding one package in its *.wit files, with the
packages it depends on in deps/ (each a file or a folder); or a single
.wit file, which may hold several packages; or "-" to read one file from
standard input.

Items gated with @unstable(feature = ...) are left out unless their feature
is enabled with --features or --all-features.

With --json the whole resolution (the main package and every package it
uses) is printed as JSON in the reference's shape (wit-parser's Resolve:
arenas of worlds, interfaces, types and packages addressed by index).

With --world only one world is printed: NAME is a world of the main
package, or a qualified "ns:pkg/world@version". With --json and --world the
world's JSON object is printed; its ids index the arenas of the full
resolution that --json alone prints.`,
		Example: `  wasmcm wit ./wit
  wasmcm wit --json ./wit > resolve.json
  wasmcm wit --world proxy ../shared/conformance/wasi/0.2.12/http
  wasmcm wit --features active,experimental api.wit
  cat api.wit | wasmcm wit -`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return userErr(fmt.Errorf("wit takes exactly one PATH, got %d\nRun 'wasmcm wit --help' for usage.", len(args)))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWit(io, args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&f.json, "json", "j", false, "print the resolution as JSON instead of WIT text")
	fl.StringVarP(&f.world, "world", "w", "", "print only this world (a name in the main package, or ns:pkg/world@version)")
	fl.StringArrayVar(&f.features, "features", nil, "enable these @unstable features (comma- or space-separated; repeatable)")
	fl.BoolVar(&f.allFeatures, "all-features", false, "enable every @unstable feature")
	return cmd
}

func runWit(io IO, path string, f witFlags) error {
	opts := wit.Options{Features: splitFeatures(f.features), AllFeatures: f.allFeatures}
	r, pkgs, err := load(io, path, opts)
	if err != nil {
		return userErr(err)
	}
	if len(pkgs) == 0 {
		return userErr(fmt.Errorf("%s: no WIT package found", path))
	}

	if f.world != "" {
		id, err := r.SelectWorld(pkgs, f.world)
		if err != nil {
			return userErr(err)
		}
		if f.json {
			return printWorldJSON(io.Stdout, r, id)
		}
		return printText(io.Stdout, worldOnly(r, id), []wit.PackageID{r.Worlds[id].Package})
	}
	if f.json {
		return printJSON(io.Stdout, r)
	}
	// As the reference does: the main package (the last one the loader
	// returns), then every other package of the resolution nested after it,
	// so that the text stands alone.
	main := pkgs[len(pkgs)-1]
	order := []wit.PackageID{main}
	for id := range r.Packages {
		if wit.PackageID(id) != main {
			order = append(order, wit.PackageID(id))
		}
	}
	return printText(io.Stdout, r, order)
}

// load resolves path, or standard input for "-".
func load(io IO, path string, opts wit.Options) (*wit.Resolve, []wit.PackageID, error) {
	if opts.DecodeWasm == nil {
		// A .wasm or .wat package (the path itself or one in deps/), as
		// the reference's wit-parser accepts.
		opts.DecodeWasm = witwasm.Decode
	}
	if path != "-" {
		return wit.Load(path, opts)
	}
	src, err := readAllLimited(io.Stdin, maxStdin)
	if err != nil {
		return nil, nil, fmt.Errorf("reading standard input: %w", err)
	}
	r := &wit.Resolve{Features: opts.Features, AllFeatures: opts.AllFeatures}
	pkgs, err := r.AddSource("<stdin>", string(src))
	return r, pkgs, err
}

// maxStdin bounds what is read from standard input, so a runaway pipe ends
// in an error rather than exhausting memory.
const maxStdin = 64 << 20

func readAllLimited(r io.Reader, limit int64) ([]byte, error) {
	if r == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("input is larger than %d MiB", limit>>20)
	}
	return b, nil
}

// splitFeatures splits --features values on commas and white space, as the
// reference does.
func splitFeatures(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
			out = append(out, f)
		}
	}
	return out
}

func printText(w io.Writer, r *wit.Resolve, pkgs []wit.PackageID) error {
	text, err := r.PrintChecked(pkgs)
	if err != nil {
		// The resolver produced a model the printer cannot print: a bug.
		return fmt.Errorf("printing WIT: %w", err)
	}
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	_, err = io.WriteString(w, text)
	return err
}

// printJSON prints the resolution as indented JSON, as the reference does.
func printJSON(w io.Writer, r *wit.Resolve) error {
	compact, err := r.MarshalJSON()
	if err != nil {
		return fmt.Errorf("encoding JSON: %w", err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, compact, "", "  "); err != nil {
		return fmt.Errorf("encoding JSON: %w", err)
	}
	out.WriteByte('\n')
	_, err = w.Write(out.Bytes())
	return err
}

// printWorldJSON prints the JSON object of one world, cut out of the whole
// resolution's JSON so that it is exactly what --json prints for it.
func printWorldJSON(w io.Writer, r *wit.Resolve, id wit.WorldID) error {
	compact, err := r.MarshalJSON()
	if err != nil {
		return fmt.Errorf("encoding JSON: %w", err)
	}
	var all struct {
		Worlds []json.RawMessage `json:"worlds"`
	}
	if err := json.Unmarshal(compact, &all); err != nil {
		return fmt.Errorf("encoding JSON: %w", err)
	}
	if int(id) < 0 || int(id) >= len(all.Worlds) {
		return fmt.Errorf("encoding JSON: world %d is not in the resolution", id)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, all.Worlds[id], "", "  "); err != nil {
		return fmt.Errorf("encoding JSON: %w", err)
	}
	out.WriteByte('\n')
	_, err = w.Write(out.Bytes())
	return err
}

// worldOnly returns a shallow copy of r in which the world's package holds
// that world alone, so printing the package prints just the world. r itself
// is not changed.
func worldOnly(r *wit.Resolve, id wit.WorldID) *wit.Resolve {
	cp := *r
	cp.Packages = append([]*wit.Package(nil), r.Packages...)
	pid := r.Worlds[id].Package
	pkg := *r.Packages[pid]
	pkg.Interfaces = nil
	pkg.Worlds = []wit.Entry[wit.WorldID]{{Name: r.Worlds[id].Name, ID: id}}
	cp.Packages[pid] = &pkg
	return &cp
}
