package wasi

import (
	"context"
	"errors"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/runtime/wasi/internal/host"
)

func (h *Host) defineFilesystem(d *definer) {
	h.res.descriptor = d.resource(ifTypes, "descriptor", h.drop)
	d.resource(ifTypes, "directory-entry-stream", h.drop)
	desc := func(v canon.Value) (*host.Descriptor, error) { return get[*host.Descriptor](h, v, "descriptor") }

	// method defines a descriptor method whose Go side gives a value and an
	// error; the value is made only on success.
	method := func(name string, f func(ctx context.Context, self *host.Descriptor, args []canon.Value) (canon.Value, error)) {
		defineMethod(d, h, ifTypes, "[method]descriptor."+name, func(ctx context.Context, self *host.Descriptor, args []canon.Value) ([]canon.Value, error) {
			return fsResult(f(ctx, self, args))
		})
	}
	stream := func(s any, err error) (canon.Value, error) {
		if err != nil {
			return canon.Value{}, err
		}
		return h.add(s)
	}
	method("read-via-stream", func(_ context.Context, self *host.Descriptor, args []canon.Value) (canon.Value, error) {
		return stream(self.ReadViaStream(args[1].Uint()))
	})
	method("write-via-stream", func(_ context.Context, self *host.Descriptor, args []canon.Value) (canon.Value, error) {
		return stream(self.WriteViaStream(args[1].Uint()))
	})
	method("append-via-stream", func(_ context.Context, self *host.Descriptor, _ []canon.Value) (canon.Value, error) {
		return stream(self.AppendViaStream())
	})
	method("advise", func(_ context.Context, self *host.Descriptor, args []canon.Value) (canon.Value, error) {
		return canon.Value{}, self.Advise(args[1].Uint(), args[2].Uint(), uint8(args[3].Case()))
	})
	method("sync-data", func(_ context.Context, self *host.Descriptor, _ []canon.Value) (canon.Value, error) {
		return canon.Value{}, self.SyncData()
	})
	method("sync", func(_ context.Context, self *host.Descriptor, _ []canon.Value) (canon.Value, error) {
		return canon.Value{}, self.Sync()
	})
	method("get-flags", func(_ context.Context, self *host.Descriptor, _ []canon.Value) (canon.Value, error) {
		return canon.Flags(uint32(self.GetFlags())), nil
	})
	method("get-type", func(_ context.Context, self *host.Descriptor, _ []canon.Value) (canon.Value, error) {
		return canon.Enum(uint32(self.GetType())), nil
	})
	method("set-size", func(_ context.Context, self *host.Descriptor, args []canon.Value) (canon.Value, error) {
		return canon.Value{}, self.SetSize(args[1].Uint())
	})
	method("set-times", func(_ context.Context, self *host.Descriptor, args []canon.Value) (canon.Value, error) {
		return canon.Value{}, self.SetTimes(newTimestamp(args[1]), newTimestamp(args[2]))
	})
	method("read", func(_ context.Context, self *host.Descriptor, args []canon.Value) (canon.Value, error) {
		b, eof, err := self.Read(args[1].Uint(), args[2].Uint())
		if err != nil {
			return canon.Value{}, err
		}
		return canon.Tuple(byteList(b), canon.Bool(eof)), nil
	})
	method("write", func(_ context.Context, self *host.Descriptor, args []canon.Value) (canon.Value, error) {
		n, err := self.Write(bytesOf(args[1]), args[2].Uint())
		return canon.U64(n), err
	})
	method("read-directory", func(_ context.Context, self *host.Descriptor, _ []canon.Value) (canon.Value, error) {
		return stream(self.ReadDirectory())
	})
	method("create-directory-at", func(_ context.Context, self *host.Descriptor, args []canon.Value) (canon.Value, error) {
		return canon.Value{}, self.CreateDirectoryAt(args[1].String())
	})
	method("stat", func(_ context.Context, self *host.Descriptor, _ []canon.Value) (canon.Value, error) {
		s, err := self.Stat()
		return stat(s), err
	})
	method("stat-at", func(_ context.Context, self *host.Descriptor, args []canon.Value) (canon.Value, error) {
		s, err := self.StatAt(host.PathFlags(args[1].FlagBits()), args[2].String())
		return stat(s), err
	})
	method("set-times-at", func(_ context.Context, self *host.Descriptor, args []canon.Value) (canon.Value, error) {
		return canon.Value{}, self.SetTimesAt(host.PathFlags(args[1].FlagBits()), args[2].String(), newTimestamp(args[3]), newTimestamp(args[4]))
	})
	method("link-at", func(_ context.Context, self *host.Descriptor, args []canon.Value) (canon.Value, error) {
		other, err := desc(args[3])
		if err != nil {
			return canon.Value{}, err
		}
		return canon.Value{}, self.LinkAt(host.PathFlags(args[1].FlagBits()), args[2].String(), other, args[4].String())
	})
	method("open-at", func(_ context.Context, self *host.Descriptor, args []canon.Value) (canon.Value, error) {
		return stream(self.OpenAt(host.PathFlags(args[1].FlagBits()), args[2].String(), host.OpenFlags(args[3].FlagBits()), host.DescriptorFlags(args[4].FlagBits())))
	})
	method("readlink-at", func(_ context.Context, self *host.Descriptor, args []canon.Value) (canon.Value, error) {
		s, err := self.ReadlinkAt(args[1].String())
		return canon.String(s), err
	})
	method("remove-directory-at", func(_ context.Context, self *host.Descriptor, args []canon.Value) (canon.Value, error) {
		return canon.Value{}, self.RemoveDirectoryAt(args[1].String())
	})
	method("rename-at", func(_ context.Context, self *host.Descriptor, args []canon.Value) (canon.Value, error) {
		other, err := desc(args[2])
		if err != nil {
			return canon.Value{}, err
		}
		return canon.Value{}, self.RenameAt(args[1].String(), other, args[3].String())
	})
	method("symlink-at", func(_ context.Context, self *host.Descriptor, args []canon.Value) (canon.Value, error) {
		return canon.Value{}, self.SymlinkAt(args[1].String(), args[2].String())
	})
	method("unlink-file-at", func(_ context.Context, self *host.Descriptor, args []canon.Value) (canon.Value, error) {
		return canon.Value{}, self.UnlinkFileAt(args[1].String())
	})
	defineMethod(d, h, ifTypes, "[method]descriptor.is-same-object", func(_ context.Context, self *host.Descriptor, args []canon.Value) ([]canon.Value, error) {
		other, err := desc(args[1])
		if err != nil {
			return nil, err
		}
		return one(canon.Bool(self.IsSameObject(other))), nil
	})
	hash := func(m host.MetadataHash) canon.Value { return canon.Record(canon.U64(m.Lower), canon.U64(m.Upper)) }
	method("metadata-hash", func(_ context.Context, self *host.Descriptor, _ []canon.Value) (canon.Value, error) {
		m, err := self.MetadataHash()
		return hash(m), err
	})
	method("metadata-hash-at", func(_ context.Context, self *host.Descriptor, args []canon.Value) (canon.Value, error) {
		m, err := self.MetadataHashAt(host.PathFlags(args[1].FlagBits()), args[2].String())
		return hash(m), err
	})
	defineMethod(d, h, ifTypes, "[method]directory-entry-stream.read-directory-entry", func(_ context.Context, s *host.DirectoryEntryStream, args []canon.Value) ([]canon.Value, error) {
		e, err := s.ReadDirectoryEntry()
		if err != nil || e == nil {
			return fsResult(canon.None(), err)
		}
		return fsResult(canon.Some(canon.Record(canon.Enum(uint32(e.Type)), canon.String(e.Name))), nil)
	})
	d.fn(ifTypes, "filesystem-error-code", func(_ context.Context, args []canon.Value) ([]canon.Value, error) {
		e, err := get[*host.StreamError](h, args[0], "error")
		if err != nil {
			return nil, err
		}
		var c host.ErrorCode
		if errors.As(e.Err, &c) {
			return one(canon.Some(canon.Enum(uint32(c)))), nil
		}
		return one(canon.None()), nil
	})
	d.fn(ifPreopens, "get-directories", func(context.Context, []canon.Value) ([]canon.Value, error) {
		elems := make([]canon.Value, len(h.preopens))
		for i, p := range h.preopens {
			v, err := h.add(p.d)
			if err != nil {
				return nil, err
			}
			elems[i] = canon.Tuple(v, canon.String(p.name))
		}
		return one(canon.List(elems...)), nil
	})
}
