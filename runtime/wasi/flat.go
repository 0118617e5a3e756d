package wasi

import (
	"context"
	"encoding/binary"
	"errors"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/runtime"
	"github.com/wasmcm/wasmcm/runtime/wasi/internal/host"
)

// The stream methods every guest calls per write and read take the fast
// form: the guest's bytes are written to the host writer straight from its
// memory, and read bytes are copied once, into the guest's buffer. The
// layouts below are the canonical ABI's for these result types (32-bit
// memory):
//
//	result<_, stream-error>        size 12: case u8 @0; stream-error @4
//	result<list<u8>, stream-error> size 12: case u8 @0; list ptr,len @4,@8
//	result<u64, stream-error>      size 16: case u8 @0; u64 or stream-error @8
//
// stream-error is size 8: case u8 @0 (0 last-operation-failed, 1 closed),
// own<error> i32 @4.

// flatRep turns a borrowed handle of the caller into the host object's rep.
func flatRep(c *runtime.Caller, r *runtime.HostResource, handle uint64) (uint32, error) {
	cx := c.Context()
	if cx == nil || cx.Table == nil {
		return 0, errors.New("wasi: host call without a handle table")
	}
	return cx.Table.ResourceRep(r.Type(), uint32(handle))
}

func flatObj[T any](h *Host, c *runtime.Caller, r *runtime.HostResource, handle uint64, what string) (T, error) {
	rep, err := flatRep(c, r, handle)
	if err != nil {
		var zero T
		return zero, err
	}
	return host.Lookup[T](&h.table, rep, what)
}

// storeStreamResult writes the error case of a result whose payload starts
// at payload (4 or 8), or the ok case when err is nil.
func (h *Host) storeStreamResult(c *runtime.Caller, retptr uint64, size uint64, payload uint64, err error) error {
	cx := c.Context()
	var caseIdx, errCase byte
	var errHandle uint32
	if err != nil {
		caseIdx = 1
		if errors.Is(err, host.ErrClosed) {
			errCase = 1
		} else {
			var se *host.StreamError
			if !errors.As(err, &se) {
				return err // a trap or a cancelled context
			}
			rep, aerr := h.table.Add(se)
			if aerr != nil {
				return aerr
			}
			hnd, aerr := cx.Table.ResourceNew(h.res.ioError.Type(), rep)
			if aerr != nil {
				h.table.Remove(rep)
				return aerr
			}
			errHandle = hnd
		}
	}
	mem, rerr := cx.Region(retptr, size, 4)
	if rerr != nil {
		return rerr
	}
	mem[0] = caseIdx
	if err != nil {
		mem[payload] = errCase
		binary.LittleEndian.PutUint32(mem[payload+4:], errHandle)
	}
	return nil
}

func (h *Host) defineFlatStreams(d *definer) {
	out := func(c *runtime.Caller, handle uint64) (host.OutputStream, error) {
		return flatObj[host.OutputStream](h, c, h.res.outputStream, handle, "output-stream")
	}
	in := func(c *runtime.Caller, handle uint64) (host.InputStream, error) {
		return flatObj[host.InputStream](h, c, h.res.inputStream, handle, "input-stream")
	}
	// write and blocking-write-and-flush: (self, ptr, len, retptr).
	writeFn := func(blocking bool) runtime.FlatFunc {
		return func(ctx context.Context, c *runtime.Caller, stack []uint64) error {
			s, err := out(c, stack[0])
			if err != nil {
				return err
			}
			contents, err := c.Context().Region(uint64(uint32(stack[1])), uint64(uint32(stack[2])), 1)
			if err != nil {
				return err
			}
			if blocking {
				err = host.BlockingWriteAndFlush(ctx, s, contents)
			} else {
				err = s.Write(contents)
			}
			return h.storeStreamResult(c, uint64(uint32(stack[3])), 12, 4, err)
		}
	}
	d.flat(ifStreams, "[method]output-stream.write", writeFn(false))
	d.flat(ifStreams, "[method]output-stream.blocking-write-and-flush", writeFn(true))
	// flush and blocking-flush: (self, retptr).
	flushFn := func(blocking bool) runtime.FlatFunc {
		return func(ctx context.Context, c *runtime.Caller, stack []uint64) error {
			s, err := out(c, stack[0])
			if err != nil {
				return err
			}
			if blocking {
				err = s.BlockingFlush(ctx)
			} else {
				err = s.Flush()
			}
			return h.storeStreamResult(c, uint64(uint32(stack[1])), 12, 4, err)
		}
	}
	d.flat(ifStreams, "[method]output-stream.flush", flushFn(false))
	d.flat(ifStreams, "[method]output-stream.blocking-flush", flushFn(true))
	// check-write: (self, retptr) -> result<u64, stream-error>.
	d.flat(ifStreams, "[method]output-stream.check-write", func(ctx context.Context, c *runtime.Caller, stack []uint64) error {
		s, err := out(c, stack[0])
		if err != nil {
			return err
		}
		n, err := s.CheckWrite()
		retptr := uint64(uint32(stack[1]))
		if serr := h.storeStreamResult(c, retptr, 16, 8, err); serr != nil || err != nil {
			return serr
		}
		mem, err := c.Context().Region(retptr, 16, 8)
		if err != nil {
			return err
		}
		binary.LittleEndian.PutUint64(mem[8:], n)
		return nil
	})
	// read and blocking-read: (self, len, retptr) -> result<list<u8>, stream-error>.
	readFn := func(blocking bool) runtime.FlatFunc {
		return func(ctx context.Context, c *runtime.Caller, stack []uint64) error {
			s, err := in(c, stack[0])
			if err != nil {
				return err
			}
			var b []byte
			if blocking {
				b, err = s.BlockingRead(ctx, stack[1])
			} else {
				b, err = s.Read(stack[1])
			}
			retptr := uint64(uint32(stack[2]))
			if err != nil {
				return h.storeStreamResult(c, retptr, 12, 4, err)
			}
			ptr, n, err := canon.LowerList(ctx, c.Context(), b)
			if err != nil {
				return err
			}
			mem, err := c.Context().Region(retptr, 12, 4)
			if err != nil {
				return err
			}
			mem[0] = 0
			binary.LittleEndian.PutUint32(mem[4:], uint32(ptr))
			binary.LittleEndian.PutUint32(mem[8:], uint32(n))
			return nil
		}
	}
	d.flat(ifStreams, "[method]input-stream.read", readFn(false))
	d.flat(ifStreams, "[method]input-stream.blocking-read", readFn(true))
}
