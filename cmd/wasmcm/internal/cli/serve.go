package cli

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/wasmcm/wasmcm/runtime"
	"github.com/wasmcm/wasmcm/runtime/wasi"
)

func newServe(io IO) *cobra.Command {
	var addr string
	var dirs, envs, allow []string
	var inheritEnv bool
	var nf netFlags
	var maxBody int64
	var timeout time.Duration
	var prewarm int
	var cacheDir string
	cmd := &cobra.Command{
		Use:   "serve [flags] COMPONENT.wasm",
		Short: "Serve HTTP with a wasi:http proxy component",
		Long: `serve runs an HTTP server whose requests are handled by a component
exporting wasi:http/incoming-handler 0.2.x (the wasi:http proxy world), as
wasmtime serve does. The component is compiled once and instantiated for
every request, so requests share no guest state; response bodies are
streamed to the client as the guest writes them.

The guest's outgoing requests (wasi:http/outgoing-handler) reach only the
hosts given with --allow-http ("*" for any); others get
error-code.HTTP-request-denied. --dir and --env grant directories and
environment as for run, and --inherit-network, --allow-addr and
--allow-ip-name-lookup wasi:sockets as for run. The guest's stdout and stderr are the server's.
A guest is stopped when its client goes away, or after --timeout.
serve stops cleanly on SIGINT or SIGTERM, letting running requests finish.`,
		Example: `  wasmcm serve proxy.wasm
  wasmcm serve --addr 127.0.0.1:3000 --allow-http api.example.com proxy.wasm
  wasmcm serve --cache-dir ~/.cache/wasmcm --prewarm 2 proxy.wasm
  curl http://127.0.0.1:8080/`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg := wasi.Config{
				Args:             []string{args[0]},
				InheritEnv:       inheritEnv,
				Stdout:           io.Stdout,
				Stderr:           io.Stderr,
				AllowedHTTPHosts: allow,
			}
			if err := grant(&cfg, dirs, envs, &nf); err != nil {
				return err
			}
			for _, a := range allow {
				if a == "" || strings.ContainsAny(a, "/?#@ ") {
					return userErr(fmt.Errorf("--allow-http %q: want HOST, HOST:PORT, *.DOMAIN or *, without a scheme or path", a))
				}
			}
			return serve(cmd.Context(), io, args[0], addr, serveOptions{maxBody, timeout, prewarm, cacheDir}, cfg)
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:8080", "the address to listen on (port 0 picks a free one)")
	f.StringArrayVar(&allow, "allow-http", nil, "let the guest send HTTP requests to HOST, HOST:PORT, *.DOMAIN, or \"*\" for any (repeatable)")
	f.StringArrayVar(&dirs, "dir", nil, "preopen host directory HOST as GUEST (HOST[::GUEST]; repeatable)")
	f.StringArrayVar(&envs, "env", nil, "set the guest environment variable KEY=VALUE (repeatable)")
	f.BoolVar(&inheritEnv, "inherit-env", false, "give the guest the host's environment too")
	nf.register(cmd)
	f.DurationVar(&timeout, "timeout", 0, "stop a request's guest after this long, e.g. 30s (0: no limit)")
	f.StringVar(&cacheDir, "cache-dir", "", "keep the compiled machine code in this directory, so the next start skips compiling")
	f.IntVar(&prewarm, "prewarm", 0, "keep this many instances made ahead of requests, for a lower latency when the server has idle time")
	f.Int64Var(&maxBody, "max-request-body", wasi.DefaultMaxRequestBody, "the largest request body in bytes (0 or negative: no limit)")
	return cmd
}

// netFlags are the wasi:sockets grants of run and serve, named as
// wasmtime's -S inherit-network, allow-ip-name-lookup, tcp and udp.
type netFlags struct {
	inherit, lookup, tcp, udp bool
	addrs                     []string
}

func (n *netFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVar(&n.inherit, "inherit-network", false, "let the guest's wasi:sockets bind, connect and send to any address")
	f.StringArrayVar(&n.addrs, "allow-addr", nil, "let the guest's wasi:sockets connect, send and bind to these addresses only, and hear only them: IP or CIDR, optionally :PORT or :LOW-HIGH, IPv6 in brackets, e.g. 127.0.0.1:8080, 10.0.0.0/8, [::1]:1000-2000 (repeatable)")
	f.BoolVar(&n.lookup, "allow-ip-name-lookup", false, "let the guest resolve host names (wasi:sockets/ip-name-lookup)")
	f.BoolVar(&n.tcp, "tcp", true, "with --inherit-network or --allow-addr, let the guest use TCP (--tcp=false withholds it)")
	f.BoolVar(&n.udp, "udp", true, "with --inherit-network or --allow-addr, let the guest use UDP (--udp=false withholds it)")
}

// grant adds the --dir, --env and network grants to cfg: run and serve
// read them alike.
func grant(cfg *wasi.Config, dirs, envs []string, n *netFlags) error {
	if n != nil {
		if n.inherit {
			cfg.Network = wasi.InheritNetwork()
		}
		for _, a := range n.addrs {
			p, err := wasi.ParseAddrPattern(a)
			if err != nil {
				return userErr(fmt.Errorf("--allow-addr: %w", err))
			}
			cfg.Network.AllowedAddrs = append(cfg.Network.AllowedAddrs, p)
		}
		granted := len(cfg.Network.AllowedAddrs) > 0
		cfg.Network.AllowTCP = granted && n.tcp
		cfg.Network.AllowUDP = granted && n.udp
		cfg.Network.AllowNameLookup = n.lookup
	}
	for _, e := range envs {
		if !strings.Contains(e, "=") || strings.HasPrefix(e, "=") {
			return userErr(fmt.Errorf("--env %q: want KEY=VALUE", e))
		}
		cfg.Env = append(cfg.Env, e)
	}
	for _, d := range dirs {
		host, guest, ok := strings.Cut(d, "::")
		if !ok {
			guest = host
		}
		if host == "" || guest == "" {
			return userErr(fmt.Errorf("--dir %q: want HOST or HOST::GUEST", d))
		}
		if fi, err := os.Stat(host); err != nil || !fi.IsDir() {
			return userErr(fmt.Errorf("--dir %q: %s is not a directory", d, host))
		}
		cfg.Dirs = append(cfg.Dirs, wasi.Dir{Host: host, Guest: guest})
	}
	return nil
}

// serveOptions are serve's flags that tune the handler.
type serveOptions struct {
	maxBody int64
	timeout time.Duration
	prewarm int
	cache   string
}

func serve(ctx context.Context, io IO, path, addr string, o serveOptions, cfg wasi.Config) error {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	bin, err := os.ReadFile(path)
	if err != nil {
		return userErr(err)
	}
	// A guest is stopped when its request ends: the client went away or
	// --timeout passed.
	rt, err := runtime.New(ctx, runtime.Config{CloseOnContextDone: true, CompilationCacheDir: o.cache})
	if err != nil {
		return err
	}
	defer rt.Close(context.WithoutCancel(ctx))
	c, err := rt.Compile(ctx, bin)
	if err != nil {
		return userErr(fmt.Errorf("%s: %w", path, err))
	}
	h, err := wasi.NewHTTPHandler(c, cfg)
	if err != nil {
		return userErr(fmt.Errorf("%s: %w", path, err))
	}
	if o.maxBody == 0 {
		o.maxBody = -1 // 0 is the handler's "default"; the flag's 0 means none
	}
	h.MaxRequestBody, h.Timeout, h.Prewarm = o.maxBody, o.timeout, o.prewarm
	defer h.Close()
	h.ErrorLog = log.New(io.Stderr, "wasmcm serve: ", log.LstdFlags)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return userErr(fmt.Errorf("--addr %s: %w", addr, err))
	}
	srv := &http.Server{Handler: h, ErrorLog: h.ErrorLog, ReadHeaderTimeout: 30 * time.Second}
	fmt.Fprintf(io.Stderr, "Serving HTTP on http://%s/\n", ln.Addr())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(io.Stderr, "Shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
