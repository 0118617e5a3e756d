// Package cli is the wasmcm command line. It lives apart from package main so
// that tests can run commands in-process and check their output and exit
// codes.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// Exit codes of the command line.
const (
	ExitOK       = 0 // success
	ExitUser     = 1 // bad input or bad usage: the user can fix it
	ExitInternal = 2 // a bug in wasmcm
)

// IO is where a run reads and writes.
type IO struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// userError marks errors caused by the input or the command line, which exit
// with ExitUser. Everything else exits with ExitInternal.
type userError struct{ err error }

func (e userError) Error() string { return e.err.Error() }
func (e userError) Unwrap() error { return e.err }

// userErr wraps a bad-input error so that it exits with ExitUser.
func userErr(err error) error {
	if err == nil {
		return nil
	}
	return userError{err}
}

// Run runs the command line with args (without the program name) and
// returns the process exit code. Errors go to io.Stderr as "error: ..."
// followed by the located source text where there is one.
func Run(ctx context.Context, args []string, io IO) (code int) {
	defer func() {
		// A panic is a bug; report it as one rather than crash with a
		// goroutine dump the user cannot act on.
		if p := recover(); p != nil {
			fmt.Fprintf(io.Stderr, "internal error: %v\nThis is a bug in wasmcm; please report it with the input that caused it.\n%s", p, debug.Stack())
			code = ExitInternal
		}
	}()
	root := newRoot(io)
	root.SetArgs(args)
	return report(root.ExecuteContext(ctx), io.Stderr)
}

// report prints err, if any, and returns the exit code it calls for.
func report(err error, stderr io.Writer) int {
	if err == nil {
		return ExitOK
	}
	// A command that ends with an exit code of its own (run: the guest's
	// exit code, or a trap).
	var ec interface{ ExitCode() int }
	if errors.As(err, &ec) {
		if msg := err.Error(); msg != "" {
			fmt.Fprintf(stderr, "error: %s\n", msg)
		}
		return ec.ExitCode()
	}
	var ue userError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return ExitUser
	}
	if isUsageError(err) {
		fmt.Fprintf(stderr, "error: %v\nRun 'wasmcm --help' for usage.\n", err)
		return ExitUser
	}
	fmt.Fprintf(stderr, "internal error: %v\n", err)
	return ExitInternal
}

// isUsageError recognizes cobra's own errors about the command line (an
// unknown flag or command, a wrong number of arguments). Cobra returns them
// as plain errors, so their text is all there is to go by.
func isUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument", "invalid argument", "accepts ", "requires at least", "requires at most", "bad flag syntax"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func newRoot(io IO) *cobra.Command {
	root := &cobra.Command{
		Use:   "wasmcm",
		Short: "wasmcm is a WebAssembly Component Model toolchain and runtime",
		Long: `wasmcm works with WebAssembly components: it resolves and prints WIT,
generates Go bindings, makes components from core modules, composes them and
runs them on wazero.`,
		Example: `  wasmcm wit ./wit                 # print a WIT package in canonical form
  wasmcm bindgen go --world app --out bindings --package-root example.com/app/bindings ./wit
  GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o app.wasm .
  wasmcm component embed --world app ./wit app.wasm -o app.embedded.wasm
  wasmcm component new app.embedded.wasm -o app.component.wasm
  wasmcm run --invoke 'greet("world")' app.component.wasm`,
		SilenceErrors: true,
		SilenceUsage:  true,
		// No completion command: it would be an unmaintained extra surface.
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
	}
	root.SetIn(io.Stdin)
	root.SetOut(io.Stdout)
	root.SetErr(io.Stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return userErr(fmt.Errorf("%w\nRun '%s --help' for usage.", err, c.CommandPath()))
	})
	root.AddCommand(newWit(io), newBindgen(io), newComponentCmd(io), newRun(io), newServe(io), newPlug(io), newCompose(io), newValidate(io), newInspect(io), newParse(io), newPrint(io), newVersion(io))
	// Cobra adds its help command lazily; make it now so that it too shows
	// an example.
	root.InitDefaultHelpCmd()
	for _, c := range root.Commands() {
		if c.Name() == "help" {
			c.Example = "  wasmcm help wit"
		}
	}
	return root
}

func newVersion(io IO) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version of wasmcm",
		Example: "  wasmcm version",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := fmt.Fprintln(io.Stdout, "wasmcm", Version())
			return err
		},
	}
}

// Version returns the module version wasmcm was built from ("(devel)" for a
// build inside the checkout) and the Go version that built it.
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v + " " + bi.GoVersion
}
