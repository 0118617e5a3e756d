package wasi

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/runtime"
	"github.com/wasmcm/wasmcm/runtime/wasi/internal/host"
)

// Interface names, all at Version.
const (
	ifEnvironment    = "wasi:cli/environment@" + Version
	ifExit           = "wasi:cli/exit@" + Version
	ifStdin          = "wasi:cli/stdin@" + Version
	ifStdout         = "wasi:cli/stdout@" + Version
	ifStderr         = "wasi:cli/stderr@" + Version
	ifTerminalInput  = "wasi:cli/terminal-input@" + Version
	ifTerminalOutput = "wasi:cli/terminal-output@" + Version
	ifTerminalStdin  = "wasi:cli/terminal-stdin@" + Version
	ifTerminalStdout = "wasi:cli/terminal-stdout@" + Version
	ifTerminalStderr = "wasi:cli/terminal-stderr@" + Version
	ifError          = "wasi:io/error@" + Version
	ifPoll           = "wasi:io/poll@" + Version
	ifStreams        = "wasi:io/streams@" + Version
	ifMonotonic      = "wasi:clocks/monotonic-clock@" + Version
	ifWallClock      = "wasi:clocks/wall-clock@" + Version
	ifTimezone       = "wasi:clocks/timezone@" + Version
	ifRandom         = "wasi:random/random@" + Version
	ifInsecure       = "wasi:random/insecure@" + Version
	ifInsecureSeed   = "wasi:random/insecure-seed@" + Version
	ifTypes          = "wasi:filesystem/types@" + Version
	ifPreopens       = "wasi:filesystem/preopens@" + Version
)

// maxRandomBytes bounds one get-random-bytes call: the length is the
// guest's, and the host must not allocate by it unchecked.
const maxRandomBytes = 64 << 20

// resources are the host resource types, kept for the fast paths.
type resources struct {
	inputStream, outputStream, pollable, ioError, descriptor *runtime.HostResource
}

// terminal is the object behind terminal-input and terminal-output.
type terminal struct{}

// stdio wraps a standard stream so that dropping one handle of it does not
// close it for the others.
type stdioIn struct{ host.InputStream }
type stdioOut struct{ host.OutputStream }

func (stdioIn) Close() error  { return nil }
func (stdioOut) Close() error { return nil }

type definer struct {
	l   *runtime.Linker
	err error
	// defs records "iface#name" of every definition, for the test that
	// every function and resource of every WASI version is served.
	// The value is the HostFunc, or true for other definitions.
	defs map[string]any
}

func (d *definer) record(iface, name string, v any) {
	if d.defs != nil {
		d.defs[iface+"#"+name] = v
	}
}

func (d *definer) fn(iface, name string, f runtime.HostFunc) {
	d.record(iface, name, f)
	if d.err == nil {
		d.err = d.l.Func(iface, name, f)
	}
}

func (d *definer) flat(iface, name string, f runtime.FlatFunc) {
	d.record(iface, name, true)
	if d.err == nil {
		d.err = d.l.FlatFunc(iface, name, f)
	}
}

func (d *definer) resource(iface, name string, dtor func(context.Context, uint32) error) *runtime.HostResource {
	d.record(iface, name, true)
	if d.err != nil {
		return nil
	}
	r, err := d.l.Resource(iface, name, dtor)
	d.err = err
	return r
}

// drop is the destructor of every host resource: the object leaves the
// table and is closed, unless it is a preopen the host keeps.
func (h *Host) drop(_ context.Context, rep uint32) error {
	v := h.table.Remove(rep)
	if v == nil {
		return fmt.Errorf("wasi: drop of handle rep %d, which holds nothing", rep)
	}
	if d, ok := v.(*host.Descriptor); ok {
		for _, p := range h.preopens {
			if p.d == d {
				return nil
			}
		}
	}
	if c, ok := v.(interface{ Close() error }); ok {
		c.Close() // a close error has no one to go to: the guest dropped it
	}
	return nil
}

func rep(v canon.Value) uint32 { return v.Handle() }

func get[T any](h *Host, v canon.Value, what string) (T, error) {
	return host.Lookup[T](&h.table, rep(v), what)
}

// defineMethod defines the method name ("[method]r.m") of iface: f is given the
// object its first argument is a handle to, a T in r's table (a handle of
// another kind is a trap, worded with r).
func defineMethod[T any](d *definer, h *Host, iface, name string, f func(ctx context.Context, self T, args []canon.Value) ([]canon.Value, error)) {
	res := name[strings.IndexByte(name, ']')+1:]
	res = res[:strings.IndexByte(res, '.')]
	d.fn(iface, name, func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
		self, err := get[T](h, args[0], res)
		if err != nil {
			return nil, err
		}
		return f(ctx, self, args)
	})
}

var (
	none = []canon.Value(nil)
	ok   = []canon.Value{canon.Ok(canon.Value{})}
)

func one(v canon.Value) []canon.Value { return []canon.Value{v} }

// fsResult turns a filesystem error into result's error case, and other
// errors (bad handles) into traps.
func fsResult(v canon.Value, err error) ([]canon.Value, error) {
	if err == nil {
		return one(canon.Ok(v)), nil
	}
	var c host.ErrorCode
	if errors.As(err, &c) {
		return one(canon.Err(canon.Enum(uint32(c)))), nil
	}
	return nil, err
}

// streamResult turns a stream error into result's error case.
func (h *Host) streamResult(v canon.Value, err error) ([]canon.Value, error) {
	if err == nil {
		return one(canon.Ok(v)), nil
	}
	se, serr := h.streamError(err)
	if serr != nil {
		return nil, serr
	}
	return one(canon.Err(se)), nil
}

// streamError makes the stream-error value of err: closed, or
// last-operation-failed with a new wasi:io/error resource. Traps and
// context errors stay Go errors.
func (h *Host) streamError(err error) (canon.Value, error) {
	if errors.Is(err, host.ErrClosed) {
		return canon.Variant(1, canon.Value{}), nil
	}
	var se *host.StreamError
	if errors.As(err, &se) {
		e, err := h.add(se)
		if err != nil {
			return canon.Value{}, err
		}
		return canon.Variant(0, e), nil
	}
	return canon.Value{}, err
}

func bytesOf(v canon.Value) []byte {
	elems := v.Elems()
	b := make([]byte, len(elems))
	for i, e := range elems {
		b[i] = byte(e.Uint())
	}
	return b
}

func byteList(b []byte) canon.Value {
	elems := make([]canon.Value, len(b))
	for i, x := range b {
		elems[i] = canon.U8(x)
	}
	return canon.List(elems...)
}

func datetime(d host.Datetime) canon.Value {
	return canon.Record(canon.U64(d.Seconds), canon.U32(d.Nanoseconds))
}

func optDatetime(d *host.Datetime) canon.Value {
	if d == nil {
		return canon.None()
	}
	return canon.Some(datetime(*d))
}

func newTimestamp(v canon.Value) host.NewTimestamp {
	n := host.NewTimestamp{Kind: host.NewTimestampKind(v.Case())}
	if p, has := v.Payload(); has {
		n.Time = host.Datetime{Seconds: p.Index(0).Uint(), Nanoseconds: uint32(p.Index(1).Uint())}
	}
	return n
}

func stat(s host.Stat) canon.Value {
	return canon.Record(canon.Enum(uint32(s.Type)), canon.U64(s.LinkCount), canon.U64(s.Size),
		optDatetime(s.AccessTimestamp), optDatetime(s.ModificationTimestamp), optDatetime(s.StatusChangeTimestamp))
}

func (h *Host) define(l *runtime.Linker) error {
	d := &definer{l: l, defs: h.defs}
	h.defineCLI(d)
	h.defineIO(d)
	h.defineClocks(d)
	h.defineRandom(d)
	h.defineFilesystem(d)
	h.defineHTTP(d)
	h.defineSockets(d)
	return d.err
}

func (h *Host) defineCLI(d *definer) {
	d.fn(ifEnvironment, "get-environment", func(context.Context, []canon.Value) ([]canon.Value, error) {
		elems := make([]canon.Value, len(h.env))
		for i, kv := range h.env {
			elems[i] = canon.Tuple(canon.String(kv[0]), canon.String(kv[1]))
		}
		return one(canon.List(elems...)), nil
	})
	d.fn(ifEnvironment, "get-arguments", func(context.Context, []canon.Value) ([]canon.Value, error) {
		elems := make([]canon.Value, len(h.args))
		for i, a := range h.args {
			elems[i] = canon.String(a)
		}
		return one(canon.List(elems...)), nil
	})
	d.fn(ifEnvironment, "initial-cwd", func(context.Context, []canon.Value) ([]canon.Value, error) {
		if h.cfg.Cwd == "" {
			return one(canon.None()), nil
		}
		return one(canon.Some(canon.String(h.cfg.Cwd))), nil
	})
	d.fn(ifExit, "exit", func(_ context.Context, args []canon.Value) ([]canon.Value, error) {
		code := uint32(0)
		if args[0].Case() != 0 {
			code = 1
		}
		return nil, &ExitError{Code: code}
	})
	d.fn(ifExit, "exit-with-code", func(_ context.Context, args []canon.Value) ([]canon.Value, error) {
		return nil, &ExitError{Code: uint32(uint8(args[0].Uint()))}
	})
	d.fn(ifStdin, "get-stdin", func(context.Context, []canon.Value) ([]canon.Value, error) {
		v, err := h.add(stdioIn{h.stdin})
		return one(v), err
	})
	d.fn(ifStdout, "get-stdout", func(context.Context, []canon.Value) ([]canon.Value, error) {
		v, err := h.add(stdioOut{h.stdout})
		return one(v), err
	})
	d.fn(ifStderr, "get-stderr", func(context.Context, []canon.Value) ([]canon.Value, error) {
		v, err := h.add(stdioOut{h.stderr})
		return one(v), err
	})
	d.resource(ifTerminalInput, "terminal-input", h.drop)
	d.resource(ifTerminalOutput, "terminal-output", h.drop)
	// The standard streams are Go readers and writers, never the host's
	// terminal as such, so the guest is told there is no terminal.
	noTerminal := func(context.Context, []canon.Value) ([]canon.Value, error) { return one(canon.None()), nil }
	d.fn(ifTerminalStdin, "get-terminal-stdin", noTerminal)
	d.fn(ifTerminalStdout, "get-terminal-stdout", noTerminal)
	d.fn(ifTerminalStderr, "get-terminal-stderr", noTerminal)
}

func (h *Host) defineIO(d *definer) {
	h.res.ioError = d.resource(ifError, "error", h.drop)
	defineMethod(d, h, ifError, "[method]error.to-debug-string", func(_ context.Context, e *host.StreamError, args []canon.Value) ([]canon.Value, error) {
		return one(canon.String(e.Err.Error())), nil
	})

	h.res.pollable = d.resource(ifPoll, "pollable", h.drop)
	defineMethod(d, h, ifPoll, "[method]pollable.ready", func(_ context.Context, p host.Pollable, args []canon.Value) ([]canon.Value, error) {
		return one(canon.Bool(p.Ready())), nil
	})
	defineMethod(d, h, ifPoll, "[method]pollable.block", func(ctx context.Context, p host.Pollable, args []canon.Value) ([]canon.Value, error) {
		return none, host.Block(ctx, p)
	})
	d.fn(ifPoll, "poll", func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
		in := args[0].Elems()
		ps := make([]host.Pollable, len(in))
		for i, v := range in {
			p, err := get[host.Pollable](h, v, "pollable")
			if err != nil {
				return nil, err
			}
			ps[i] = p
		}
		ready, err := host.Poll(ctx, ps)
		if err != nil {
			return nil, err
		}
		out := make([]canon.Value, len(ready))
		for i, r := range ready {
			out[i] = canon.U32(r)
		}
		return one(canon.List(out...)), nil
	})

	h.res.inputStream = d.resource(ifStreams, "input-stream", h.drop)
	h.res.outputStream = d.resource(ifStreams, "output-stream", h.drop)
	h.defineFlatStreams(d)
	in := func(v canon.Value) (host.InputStream, error) { return get[host.InputStream](h, v, "input-stream") }
	out := func(v canon.Value) (host.OutputStream, error) { return get[host.OutputStream](h, v, "output-stream") }
	skip := func(blocking bool) runtime.HostFunc {
		return func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
			s, err := in(args[0])
			if err != nil {
				return nil, err
			}
			var n uint64
			if blocking {
				n, err = host.BlockingSkip(ctx, s, args[1].Uint())
			} else {
				n, err = host.Skip(s, args[1].Uint())
			}
			return h.streamResult(canon.U64(n), err)
		}
	}
	d.fn(ifStreams, "[method]input-stream.skip", skip(false))
	d.fn(ifStreams, "[method]input-stream.blocking-skip", skip(true))
	d.fn(ifStreams, "[method]input-stream.subscribe", func(_ context.Context, args []canon.Value) ([]canon.Value, error) {
		s, err := in(args[0])
		if err != nil {
			return nil, err
		}
		v, err := h.add(s.Subscribe())
		return one(v), err
	})
	outOp := func(op func(ctx context.Context, s host.OutputStream, args []canon.Value) error) runtime.HostFunc {
		return func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
			s, err := out(args[0])
			if err != nil {
				return nil, err
			}
			return h.streamResult(canon.Value{}, op(ctx, s, args))
		}
	}
	d.fn(ifStreams, "[method]output-stream.write-zeroes", outOp(func(_ context.Context, s host.OutputStream, args []canon.Value) error {
		return host.WriteZeroes(s, args[1].Uint())
	}))
	d.fn(ifStreams, "[method]output-stream.blocking-write-zeroes-and-flush", outOp(func(ctx context.Context, s host.OutputStream, args []canon.Value) error {
		return host.BlockingWriteZeroesAndFlush(ctx, s, args[1].Uint())
	}))
	d.fn(ifStreams, "[method]output-stream.subscribe", func(_ context.Context, args []canon.Value) ([]canon.Value, error) {
		s, err := out(args[0])
		if err != nil {
			return nil, err
		}
		v, err := h.add(s.Subscribe())
		return one(v), err
	})
	splice := func(blocking bool) runtime.HostFunc {
		return func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
			dst, err := out(args[0])
			if err != nil {
				return nil, err
			}
			src, err := in(args[1])
			if err != nil {
				return nil, err
			}
			var n uint64
			if blocking {
				n, err = host.BlockingSplice(ctx, dst, src, args[2].Uint())
			} else {
				n, err = host.Splice(dst, src, args[2].Uint())
			}
			return h.streamResult(canon.U64(n), err)
		}
	}
	d.fn(ifStreams, "[method]output-stream.splice", splice(false))
	d.fn(ifStreams, "[method]output-stream.blocking-splice", splice(true))
}

// deadline turns a monotonic-clock instant into a time, saturating far
// futures instead of overflowing.
func (h *Host) deadline(instant uint64) time.Time {
	if instant > math.MaxInt64/2 {
		return h.monoBase.Add(math.MaxInt64 / 2)
	}
	return h.monoBase.Add(time.Duration(instant))
}

func (h *Host) monoNow() uint64 { return uint64(time.Since(h.monoBase)) }

func (h *Host) defineClocks(d *definer) {
	d.fn(ifMonotonic, "now", func(context.Context, []canon.Value) ([]canon.Value, error) {
		return one(canon.U64(h.monoNow())), nil
	})
	d.fn(ifMonotonic, "resolution", func(context.Context, []canon.Value) ([]canon.Value, error) {
		return one(canon.U64(1)), nil
	})
	d.fn(ifMonotonic, "subscribe-instant", func(_ context.Context, args []canon.Value) ([]canon.Value, error) {
		v, err := h.add(host.Timer{Deadline: h.deadline(args[0].Uint())})
		return one(v), err
	})
	d.fn(ifMonotonic, "subscribe-duration", func(_ context.Context, args []canon.Value) ([]canon.Value, error) {
		now, dur := h.monoNow(), args[0].Uint()
		when := now + dur
		if when < now {
			when = math.MaxUint64
		}
		v, err := h.add(host.Timer{Deadline: h.deadline(when)})
		return one(v), err
	})
	d.fn(ifWallClock, "now", func(context.Context, []canon.Value) ([]canon.Value, error) {
		t := time.Now()
		return one(canon.Record(canon.U64(uint64(t.Unix())), canon.U32(uint32(t.Nanosecond())))), nil
	})
	d.fn(ifWallClock, "resolution", func(context.Context, []canon.Value) ([]canon.Value, error) {
		return one(canon.Record(canon.U64(0), canon.U32(1))), nil
	})
	zone := h.cfg.Timezone
	if zone == nil {
		zone = time.UTC
	}
	at := func(v canon.Value) time.Time {
		sec := v.Index(0).Uint()
		if sec > math.MaxInt64/2 {
			sec = math.MaxInt64 / 2
		}
		return time.Unix(int64(sec), int64(v.Index(1).Uint()%1e9)).In(zone)
	}
	d.fn(ifTimezone, "display", func(_ context.Context, args []canon.Value) ([]canon.Value, error) {
		t := at(args[0])
		name, offset := t.Zone()
		return one(canon.Record(canon.S32(int32(offset)), canon.String(name), canon.Bool(t.IsDST()))), nil
	})
	d.fn(ifTimezone, "utc-offset", func(_ context.Context, args []canon.Value) ([]canon.Value, error) {
		_, offset := at(args[0]).Zone()
		return one(canon.S32(int32(offset))), nil
	})
}

func (h *Host) defineRandom(d *definer) {
	d.fn(ifRandom, "get-random-bytes", func(_ context.Context, args []canon.Value) ([]canon.Value, error) {
		n := args[0].Uint()
		if n > maxRandomBytes {
			return nil, fmt.Errorf("wasi:random: get-random-bytes of %d bytes, more than the %d one call may ask", n, maxRandomBytes)
		}
		b := make([]byte, n)
		if err := h.randomBytes(b); err != nil {
			return nil, err
		}
		return one(byteList(b)), nil
	})
	d.fn(ifRandom, "get-random-u64", func(context.Context, []canon.Value) ([]canon.Value, error) {
		x, err := h.randomU64()
		return one(canon.U64(x)), err
	})
	d.fn(ifInsecure, "get-insecure-random-bytes", func(_ context.Context, args []canon.Value) ([]canon.Value, error) {
		n := args[0].Uint()
		if n > maxRandomBytes {
			return nil, fmt.Errorf("wasi:random: get-insecure-random-bytes of %d bytes, more than the %d one call may ask", n, maxRandomBytes)
		}
		b := make([]byte, n)
		h.randMu.Lock()
		for i := range b {
			b[i] = byte(h.insecure.Uint32())
		}
		h.randMu.Unlock()
		return one(byteList(b)), nil
	})
	d.fn(ifInsecure, "get-insecure-random-u64", func(context.Context, []canon.Value) ([]canon.Value, error) {
		h.randMu.Lock()
		defer h.randMu.Unlock()
		return one(canon.U64(h.insecure.Uint64())), nil
	})
	d.fn(ifInsecureSeed, "insecure-seed", func(context.Context, []canon.Value) ([]canon.Value, error) {
		return one(canon.Tuple(canon.U64(h.seed[0]), canon.U64(h.seed[1]))), nil
	})
}
