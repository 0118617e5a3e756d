package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wasmcm/wasmcm/canon/wave"
	"github.com/wasmcm/wasmcm/runtime"
	"github.com/wasmcm/wasmcm/runtime/wasi"
)

// ExitTrap is the exit code of a guest that trapped (wasmtime's, 128 plus
// SIGABRT), apart from the codes a guest exits with itself.
const ExitTrap = 134

// exitError ends a run with a given exit code; msg, when set, is printed
// as an error first.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }
func (e *exitError) ExitCode() int { return e.code }

func newRun(io IO) *cobra.Command {
	var invoke string
	var dirs, envs []string
	var inheritEnv bool
	var nf netFlags
	cmd := &cobra.Command{
		Use:   "run [flags] COMPONENT.wasm [ARGS...]",
		Short: "Run a component: its wasi:cli/run export, or one function with --invoke",
		Long: `run compiles a component, links the WASI 0.2 host to its imports and
instantiates it. Without --invoke it calls the wasi:cli/run export and exits
with the guest's exit code. With --invoke it calls one exported function
with arguments written in WAVE and prints the result in WAVE.

The guest sees only what the flags grant: the directories of --dir, the
environment of --env (and the host's with --inherit-env) and ARGS, with the
component's file name as the program name. wasi:sockets may reach nothing
unless granted: --inherit-network for any address, --allow-addr for some
(TCP and UDP both, unless --tcp=false or --udp=false), and
--allow-ip-name-lookup for resolving names. A trap exits with code 134 and a
message naming the trap.`,
		Example: `  wasmcm run hello.wasm
  wasmcm run --dir ./data::/data --env LANG=C app.wasm input.txt
  wasmcm run --allow-addr 127.0.0.1:8080 client.wasm
  wasmcm run --inherit-network --allow-ip-name-lookup fetch.wasm
  wasmcm run --invoke 'add(1, 2)' calc.wasm
  wasmcm run --invoke 'greet("world")' greeter.wasm`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg := wasi.Config{
				Args:       append([]string{filepath.Base(args[0])}, args[1:]...),
				InheritEnv: inheritEnv,
				Stdin:      io.Stdin,
				Stdout:     io.Stdout,
				Stderr:     io.Stderr,
			}
			if err := grant(&cfg, dirs, envs, &nf); err != nil {
				return err
			}
			return runComponent(cmd.Context(), io, args[0], invoke, cfg)
		},
	}
	f := cmd.Flags()
	f.StringVar(&invoke, "invoke", "", "call this exported function with WAVE arguments, e.g. 'f(1, \"x\")', and print its result")
	f.StringArrayVar(&dirs, "dir", nil, "preopen host directory HOST as GUEST (HOST[::GUEST]; repeatable)")
	f.StringArrayVar(&envs, "env", nil, "set the guest environment variable KEY=VALUE (repeatable)")
	f.BoolVar(&inheritEnv, "inherit-env", false, "give the guest the host's environment too")
	nf.register(cmd)
	return cmd
}

func runComponent(ctx context.Context, io IO, path, invoke string, cfg wasi.Config) error {
	if ctx == nil {
		ctx = context.Background()
	}
	bin, err := os.ReadFile(path)
	if err != nil {
		return userErr(err)
	}
	rt, err := runtime.New(ctx, runtime.Config{})
	if err != nil {
		return err
	}
	defer rt.Close(ctx)
	c, err := rt.Compile(ctx, bin)
	if err != nil {
		return userErr(fmt.Errorf("%s: %w", path, err))
	}
	l := runtime.NewLinker()
	if _, err := wasi.Add(l, cfg); err != nil {
		return err
	}
	// The call is parsed before instantiating, so that a typo does not
	// run the guest's start code.
	var name, argText string
	if invoke != "" {
		open := strings.IndexByte(invoke, '(')
		if open <= 0 || !strings.HasSuffix(invoke, ")") {
			return userErr(fmt.Errorf("--invoke %q: want NAME(ARGS), e.g. 'f(1, \"x\")'", invoke))
		}
		name, argText = strings.TrimSpace(invoke[:open]), invoke[open+1:len(invoke)-1]
	}
	inst, err := c.Instantiate(ctx, l)
	if err != nil {
		var le *runtime.LinkError
		if errors.As(err, &le) {
			return userErr(fmt.Errorf("%s: %w", path, err))
		}
		return trapOrError(path, err)
	}
	defer inst.Close(ctx)
	if invoke == "" {
		code, err := wasi.Run(ctx, inst)
		if err != nil {
			if strings.Contains(err.Error(), "exports no wasi:cli/run") {
				return userErr(fmt.Errorf("%s: %w (use --invoke to call one of: %s)", path, err, strings.Join(c.Exports(), ", ")))
			}
			return trapOrError(path, err)
		}
		if code != 0 {
			return &exitError{code: code}
		}
		return nil
	}
	f, err := inst.Func(name)
	if err != nil {
		return userErr(fmt.Errorf("--invoke: %w (exports: %s)", err, strings.Join(c.Exports(), ", ")))
	}
	vals, err := wave.ParseValues(f.Resolve(), f.Params(), argText)
	if err != nil {
		return userErr(fmt.Errorf("--invoke %s: arguments: %w", name, err))
	}
	res, err := f.Call(ctx, vals...)
	if err != nil {
		var ee *wasi.ExitError
		if errors.As(err, &ee) {
			if ee.Code != 0 {
				return &exitError{code: int(ee.Code)}
			}
			return nil
		}
		return trapOrError(path, err)
	}
	if len(res) == 1 {
		s, err := wave.Format(f.Resolve(), f.Result(), res[0])
		if err != nil {
			return err
		}
		fmt.Fprintln(io.Stdout, s)
	}
	return nil
}

// trapOrError turns a guest's trap into ExitTrap with its message; other
// errors are the user's (a component that cannot run as given).
func trapOrError(path string, err error) error {
	if runtime.IsTrap(err) {
		return &exitError{code: ExitTrap, msg: fmt.Sprintf("%s: the guest trapped: %v", path, err)}
	}
	return userErr(fmt.Errorf("%s: %w", path, err))
}
