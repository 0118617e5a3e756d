package wasi

import (
	"io"
	"net/http"
	"time"
)

// Dir is a host directory the guest may use, and the name it sees it by.
type Dir struct {
	Host     string // the directory on the host
	Guest    string // its name for the guest, e.g. "/data" or "."
	ReadOnly bool   // withhold write and mutate-directory
}

// Config is what a guest may see and use. The zero value grants nothing:
// no arguments, no environment, no directories, an empty stdin and
// discarded stdout and stderr.
type Config struct {
	// Args are the guest's arguments, the program name first.
	Args []string
	// Env holds "KEY=value" entries, in the order the guest sees them.
	Env []string
	// InheritEnv adds the host process's environment before Env.
	InheritEnv bool
	// Cwd is the initial working directory the guest is told, if any.
	Cwd string

	// Stdin, Stdout and Stderr are the guest's standard streams; nil means
	// empty input and discarded output. Writes reach them before the guest
	// continues, so nothing is lost when it exits or traps.
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer

	// Dirs are the preopened directories.
	Dirs []Dir

	// Timezone is what wasi:clocks/timezone reports; nil means UTC, so that
	// the host's zone is not revealed unless given.
	Timezone *time.Location
	// AllowedHTTPHosts are the authorities wasi:http/outgoing-handler may
	// reach: "host" (any port), "host:port", "*.domain" (any name below
	// domain), or "*" for any. Requests to others get
	// error-code.HTTP-request-denied; none are allowed by default.
	AllowedHTTPHosts []string
	// HTTPTransport sends the allowed outgoing requests; nil means
	// http.DefaultTransport. Redirects are the guest's to follow.
	HTTPTransport http.RoundTripper

	// Network grants wasi:sockets: none by default.
	Network Network

	// Random, when set, replaces the secure random source (for
	// reproducible tests); insecure randomness is seeded from it too.
	Random io.Reader
}
