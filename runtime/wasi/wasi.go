package wasi

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/runtime"
	"github.com/wasmcm/wasmcm/runtime/wasi/internal/host"
)

// Version is the WASI version the host's definitions carry; imports of any
// 0.2.x version link to them.
const Version = "0.2.12"

// ExitError is how wasi:cli/exit unwinds a guest: the host function returns
// it, the call traps out of the guest, and Run turns it into Code.
type ExitError struct{ Code uint32 }

func (e *ExitError) Error() string { return fmt.Sprintf("wasi: guest exited with code %d", e.Code) }

// Host is the WASI state of the guests instantiated with one Linker: their
// open files and streams, their preopens and standard streams.
type Host struct {
	cfg   Config
	table host.Table
	fs    *host.FS

	args     []string
	env      [][2]string
	preopens []preopen

	stdin          host.InputStream
	stdout, stderr host.OutputStream

	monoBase time.Time

	randMu   sync.Mutex
	random   io.Reader
	insecure *rand.Rand
	seed     [2]uint64

	res resources
	// httpBudget bounds the host memory of the guest's wasi:http buffers;
	// outgoing counts its requests in flight.
	httpBudget host.Budget
	outgoing   atomic.Int32
	// sockets counts the guest's open wasi:sockets sockets, bounded by
	// maxSockets.
	sockets atomic.Int32
	// defs, when set before define, collects what was defined (tests).
	defs map[string]any
}

type preopen struct {
	d    *host.Descriptor
	name string
}

// Add defines the WASI 0.2 interfaces on l, serving the guest cfg grants.
// The returned Host holds the preopened directories; Close releases them.
func Add(l *runtime.Linker, cfg Config) (*Host, error) {
	h, err := newHost(cfg)
	if err != nil {
		return nil, err
	}
	if err := h.define(l); err != nil {
		h.Close()
		return nil, err
	}
	return h, nil
}

func newHost(cfg Config) (*Host, error) {
	h := &Host{cfg: cfg, fs: host.NewFS(), monoBase: time.Now()}
	h.httpBudget.Max = httpBudgetMax
	h.args = append([]string(nil), cfg.Args...)
	var env []string
	if cfg.InheritEnv {
		env = append(env, os.Environ()...)
	}
	env = append(env, cfg.Env...)
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		h.env = append(h.env, [2]string{k, v})
	}
	for _, d := range cfg.Dirs {
		desc, err := h.fs.OpenPreopen(d.Host, d.ReadOnly)
		if err != nil {
			h.Close()
			return nil, fmt.Errorf("wasi: preopen %q for %q: %w", d.Host, d.Guest, err)
		}
		h.preopens = append(h.preopens, preopen{desc, d.Guest})
	}
	h.stdin = host.NewReaderStream(cfg.Stdin)
	h.stdout = host.NewWriterStream(cfg.Stdout)
	h.stderr = host.NewWriterStream(cfg.Stderr)

	h.random = cfg.Random
	if h.random == nil {
		h.random = crand.Reader
	}
	var seed [32]byte
	if _, err := io.ReadFull(h.random, seed[:]); err != nil {
		h.Close()
		return nil, fmt.Errorf("wasi: random source: %w", err)
	}
	h.insecure = rand.New(rand.NewChaCha8(seed))
	h.seed = [2]uint64{h.insecure.Uint64(), h.insecure.Uint64()}
	return h, nil
}

// Close releases the preopened directories. Guests must not run after it.
func (h *Host) Close() error {
	var errs []error
	for _, p := range h.preopens {
		errs = append(errs, p.d.Close())
	}
	h.preopens = nil
	return errors.Join(errs...)
}

// reset closes and forgets every object a guest left in the table, apart
// from the preopens the host keeps, so the host can serve another guest.
func (h *Host) reset() {
	defer h.httpBudget.Reset()
	for _, v := range h.table.Reset() {
		if d, ok := v.(*host.Descriptor); ok && h.isPreopen(d) {
			continue
		}
		if c, ok := v.(interface{ Close() error }); ok {
			c.Close()
		}
	}
}

func (h *Host) isPreopen(d *host.Descriptor) bool {
	for _, p := range h.preopens {
		if p.d == d {
			return true
		}
	}
	return false
}

// Run calls the guest's wasi:cli/run export and returns its exit code: 0
// when run returns ok, 1 when it returns error, the code given to
// wasi:cli/exit when the guest exits. A trap or another failure is returned
// as the error, with exit code 1.
func Run(ctx context.Context, inst *runtime.Instance) (int, error) {
	fn, err := runFunc(inst)
	if err != nil {
		return 1, err
	}
	res, err := fn.Call(ctx)
	var exit *ExitError
	if errors.As(err, &exit) {
		return int(exit.Code), nil
	}
	if err != nil {
		return 1, err
	}
	if len(res) == 1 && res[0].Case() == 0 {
		return 0, nil
	}
	return 1, nil
}

// runFunc finds wasi:cli/run's run among the 0.2.x versions, newest first.
func runFunc(inst *runtime.Instance) (*runtime.Func, error) {
	for minor := 12; minor >= 0; minor-- {
		if fn, err := inst.Func(fmt.Sprintf("wasi:cli/run@0.2.%d#run", minor)); err == nil {
			return fn, nil
		}
	}
	return nil, errors.New("wasi: the component exports no wasi:cli/run@0.2.x, so it is not a command")
}

// randomBytes fills b from the secure source.
func (h *Host) randomBytes(b []byte) error {
	h.randMu.Lock()
	defer h.randMu.Unlock()
	_, err := io.ReadFull(h.random, b)
	return err
}

func (h *Host) randomU64() (uint64, error) {
	var b [8]byte
	if err := h.randomBytes(b[:]); err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b[:]), nil
}

// add puts a host object in the table, for a guest's own handle.
func (h *Host) add(v any) (canon.Value, error) {
	rep, err := h.table.Add(v)
	if err != nil {
		return canon.Value{}, err
	}
	return canon.Own(rep), nil
}
