package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wasmcm/wasmcm/compose"
)

// graphFlag writes a picture of a composition: Graphviz DOT, or SVG when
// Graphviz's dot is installed.
func writeGraph(path string, g *compose.Graph) error {
	if path == "" {
		return nil
	}
	dot := g.DOT()
	if !strings.HasSuffix(path, ".svg") {
		return userErr(os.WriteFile(path, []byte(dot), 0o644))
	}
	bin, err := exec.LookPath("dot")
	if err != nil {
		return userErr(fmt.Errorf("--graph %s: an SVG needs Graphviz's `dot`, which is not installed; ask for a .dot file instead", path))
	}
	cmd := exec.Command(bin, "-Tsvg", "-o", path)
	cmd.Stdin = strings.NewReader(dot)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("dot -Tsvg: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

type plugFlags struct {
	plugs  []string
	out    string
	strict bool
	graph  string
}

func newPlug(io IO) *cobra.Command {
	var f plugFlags
	cmd := &cobra.Command{
		Use:   "plug SOCKET --plug PLUG... -o OUT",
		Short: "Fill a component's imports with other components' exports",
		Long: `plug composes a socket component with plug components into one component.
Each import of the socket that a plug exports is filled by that plug; the
plugs' own imports are filled the same way from the other plugs, so plugs
may depend on one another (each plug is instantiated once). Imports no plug
exports stay imports of the result; the result exports what the socket
exports. When several plugs export the same thing, the first --plug wins
(or, with --strict, it is an error). What was wired is printed.

Components may be binaries (.wasm) or component text (.wat).`,
		Example: `  wasmcm plug app.wasm --plug adder.wasm --plug offset.wasm -o composed.wasm
  wasmcm plug app.wasm --plug adder.wasm -o composed.wasm --graph composed.dot`,
		Args: exactlyOne("socket component", "wasmcm plug"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPlug(io, args[0], f)
		},
	}
	cmd.Flags().StringArrayVar(&f.plugs, "plug", nil, "a plug component (repeatable; order breaks ties)")
	cmd.Flags().StringVarP(&f.out, "output", "o", "", "where to write the composed component (default: standard output)")
	cmd.Flags().BoolVar(&f.strict, "strict", false, "refuse imports that more than one plug exports")
	cmd.Flags().StringVar(&f.graph, "graph", "", "also write a picture of the composition (.dot, or .svg with Graphviz)")
	return cmd
}

func runPlug(io IO, socketPath string, f plugFlags) error {
	if len(f.plugs) == 0 {
		return userErr(errors.New("plug needs at least one --plug"))
	}
	socket, err := compose.ReadPackage(filepath.Base(socketPath), socketPath)
	if err != nil {
		return userErr(err)
	}
	var plugs []*compose.Package
	for _, p := range f.plugs {
		pkg, err := compose.ReadPackage(filepath.Base(p), p)
		if err != nil {
			return userErr(err)
		}
		plugs = append(plugs, pkg)
	}
	res, err := compose.Plug(socket, plugs, compose.PlugOptions{Strict: f.strict})
	if err != nil {
		return userErr(err)
	}
	b, err := res.Graph.Encode(compose.EncodeOptions{})
	if err != nil {
		return err
	}
	for _, w := range res.Wiring {
		fmt.Fprintln(io.Stderr, "wired:", w)
	}
	for _, n := range res.Notes {
		fmt.Fprintln(io.Stderr, "note:", n)
	}
	if err := writeGraph(f.graph, res.Graph); err != nil {
		return err
	}
	return writeOutput(io, f.out, b)
}

type composeFlags struct {
	out     string
	deps    []string
	depsDir string
	graph   string
}

func newCompose(io IO) *cobra.Command {
	var f composeFlags
	cmd := &cobra.Command{
		Use:   "compose FILE.wac -o OUT",
		Short: "Compose components as a WAC document describes",
		Long: `compose reads a document in the WebAssembly Compositions language (WAC):

  package example:app;
  let adder = new test:adder { ... };        // instantiate, importing the rest
  let app = new test:app { adder: adder["test:math/adder@1.0.0"] };
  export app.run;

and writes the component it describes, each component embedded once.
Packages (ns:pkg) are found with --dep ns:pkg=PATH or in --deps-dir
(DIR/ns/pkg.wasm, .wat, or a WIT folder DIR/ns/pkg/); by default in a
deps folder beside the document. Errors point into the document.`,
		Example: `  wasmcm compose app.wac -o composed.wasm
  wasmcm compose app.wac --dep test:adder=adder.wasm --deps-dir ./components -o composed.wasm --graph app.svg`,
		Args: exactlyOne("WAC document", "wasmcm compose"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCompose(io, args[0], f)
		},
	}
	cmd.Flags().StringVarP(&f.out, "output", "o", "", "where to write the composed component (default: standard output)")
	cmd.Flags().StringArrayVar(&f.deps, "dep", nil, "where a package is: ns:pkg=PATH (repeatable)")
	cmd.Flags().StringVar(&f.depsDir, "deps-dir", "", "folder of packages as ns/pkg.wasm (default: deps beside the document)")
	cmd.Flags().StringVar(&f.graph, "graph", "", "also write a picture of the composition (.dot, or .svg with Graphviz)")
	return cmd
}

func runCompose(io IO, path string, f composeFlags) error {
	opts := compose.Options{Deps: map[string]string{}, DepsDir: f.depsDir}
	for _, d := range f.deps {
		name, p, ok := strings.Cut(d, "=")
		if !ok || name == "" || p == "" {
			return userErr(fmt.Errorf("--dep %q: want ns:pkg=PATH", d))
		}
		opts.Deps[name] = p
	}
	if opts.DepsDir == "" {
		opts.DepsDir = filepath.Join(filepath.Dir(path), "deps")
	}
	c, err := compose.ComposeFile(path, opts)
	if err != nil {
		return userErr(err)
	}
	b, err := c.Graph.Encode(compose.EncodeOptions{})
	if err != nil {
		return userErr(err)
	}
	if len(c.TypeExports) > 0 {
		fmt.Fprintf(io.Stderr, "note: the type definitions %s are checked but not exported by the composed component\n", strings.Join(c.TypeExports, ", "))
	}
	if err := writeGraph(f.graph, c.Graph); err != nil {
		return err
	}
	return writeOutput(io, f.out, b)
}
