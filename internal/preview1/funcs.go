package preview1

import "github.com/wasmcm/wasmcm/internal/wasm"

// This file defines the adapter's functions. Each preview-1 function
// checks its file descriptor in the file table, calls the WASI 0.2 imports
// with the return area of the state region, and maps their errors.
//
// Lists the host returns are placed by cabi_import_realloc where they are
// wanted: bytes read go straight into the caller's buffer, argument and
// environment strings straight into the caller's buffer, everything else
// into the scratch space.

// Offsets in the return area of the results the adapter reads, by the
// canonical ABI (checked against canon's layouts in the tests).
const (
	rCode1 = 1 // error-code of result<_, error-code> and result<u8-sized, error-code>
	rCode4 = 4 // error-code (or payload) of a result whose ok type has alignment 4
	rCode8 = 8 // error-code (or payload) of a result whose ok type has alignment 8
)

func (g *gen) errno(code X) X { return Call(g.fn("errno"), code) }

// fail returns the errno of a failed result in the return area, whose
// error-code is at codeOff.
func (g *gen) fail(codeOff uint32) X {
	return If(Ld8(g.ret(), 0), Ret(g.errno(Ld8(g.ret(), codeOff))))
}

// fdEntry sets e to the file table entry of fd, returning EBADF when fd is
// not open.
func (g *gen) fdEntry(f *fn, fd X) (e Local, x X) {
	e = f.I32Local()
	return e, Seq(Set(e, Call(g.fn("entry"), fd)), If(Eqz(Get(e)), Ret(I32(eBadf))))
}

// dirHandle sets h to the descriptor of fd, which must be a directory.
func (g *gen) dirHandle(f *fn, fd X) (h Local, x X) {
	e, check := g.fdEntry(f, fd)
	h = f.I32Local()
	return h, Seq(check, If(Ne(Ld8(Get(e), feKind), I32(kDir)), Ret(I32(eNotdir))), Set(h, Ld32(Get(e), feHandle)))
}

// descHandle sets h to the descriptor of fd (a file or a directory),
// returning streamErr for a stream.
func (g *gen) descHandle(f *fn, fd X, streamErr int32) (e, h Local, x X) {
	e, check := g.fdEntry(f, fd)
	h = f.I32Local()
	return e, h, Seq(check, If(LtU(Ld8(Get(e), feKind), I32(kFile)), Ret(I32(streamErr))), Set(h, Ld32(Get(e), feHandle)))
}

// fileHandle is descHandle for operations that need a file, not a
// directory.
func (g *gen) fileHandle(f *fn, fd X, streamErr int32) (e, h Local, x X) {
	e, h, check := g.descHandle(f, fd, streamErr)
	return e, h, Seq(check, If(Eq(Ld8(Get(e), feKind), I32(kDir)), Ret(I32(eIsdir))))
}

// filetype maps a descriptor-type to a preview-1 filetype.
func filetype(t X) X {
	return Wrap(And64(ShrU64(I64(filetypeOf), Ext64(Shl(t, I32(3)))), I64(0xff)))
}

// nanos reads an option<datetime> at p+off as nanoseconds (0 when none).
func nanos(p X, off uint32) X {
	return Select(Add64(Mul64(Ld64(p, off+8), I64(1e9)), Ext64(Ld32(p, off+16))), I64(0), Ld8(p, off))
}

// datetimeNanos reads a datetime at p as nanoseconds.
func datetimeNanos(p X) X { return Add64(Mul64(Ld64(p, 0), I64(1e9)), Ext64(Ld32(p, 8))) }

// iov is the address of iovec i of the array at iovs.
func iov(iovs, i Local) X { return Add(Get(iovs), Shl(Get(i), I32(3))) }

// newTimestamp flattens the new-timestamp of a preview-1 time t with the
// fst_flags bits set (a given time) and now (the current time).
func newTimestamp(t, fst Local, set, now int32) []X {
	return []X{
		Select(I32(1), Select(I32(2), I32(0), And(Get(fst), I32(set))), And(Get(fst), I32(now))),
		op(0x80, Get(t), I64(1e9)),       // i64.div_u
		Wrap(op(0x82, Get(t), I64(1e9))), // i64.rem_u
	}
}

// badTimes returns EINVAL when fst asks for both a time and now.
func badTimes(fst Local) X {
	return If(Or(
		Eq(And(Get(fst), I32(fstAtim|fstAtimNow)), I32(fstAtim|fstAtimNow)),
		Eq(And(Get(fst), I32(fstMtim|fstMtimNow)), I32(fstMtim|fstMtimNow))),
		Ret(I32(eInval)))
}

func (g *gen) defineAll() {
	g.defineCore()
	g.defineProcess()
	g.defineFD()
	g.definePath()
	g.definePoll()
	if g.o.Flavor == Command {
		g.def(def{name: "run", export: "wasi:cli/run@" + WASIVersion + "#run", results: []wasm.ValType{wasm.ValI32},
			body: func(f *fn) []X {
				return []X{Call(g.imp(mainModule, "_start")), Ret(I32(0))}
			}})
	}
}

// defineCore defines the state's initialisation, cabi_import_realloc and
// the helpers the preview-1 functions share.
func (g *gen) defineCore() {
	types, streams := "filesystem/types", "io/streams"

	g.helper("init", "", "", func(f *fn) []X {
		i, ptr, n, np, e, h, sp, sl := f.I32Local(), f.I32Local(), f.I32Local(), f.I32Local(), f.I32Local(), f.I32Local(), f.I32Local(), f.I32Local()
		xs := []X{GSet(g.gInit, I32(1))}
		if g.o.StateAddr == 0 {
			xs = append(xs,
				GSet(g.gBase, Grow(I32(1))),
				If(Eq(GGet(g.gBase), I32(-1)), Trap()),
				GSet(g.gBase, Shl(GGet(g.gBase), I32(16))))
		} else {
			xs = append(xs, GSet(g.gBase, U32(g.o.StateAddr)))
		}
		xs = append(xs, Fill(g.st(g.offFDs), I32(0), U32(g.fdCap*fdSize)))
		for w := 0; w*8 < len(errnoOf); w++ {
			var v uint64
			for k := 0; k < 8 && w*8+k < len(errnoOf); k++ {
				v |= uint64(errnoOf[w*8+k]) << (8 * k)
			}
			xs = append(xs, St64(g.st(offErr+uint32(w)*8), 0, I64(int64(v))))
		}
		stdio := func(fd uint32, kind int32, iface, name string) X {
			ent := g.st(g.offFDs + fd*fdSize)
			return Seq(St8(ent, feKind, I32(kind)), St32(g.st(g.offFDs+fd*fdSize), feHandle, Call(g.imp(iface, name))))
		}
		xs = append(xs,
			stdio(0, kIn, "cli/stdin", "get-stdin"),
			stdio(1, kOut, "cli/stdout", "get-stdout"),
			stdio(2, kOut, "cli/stderr", "get-stderr"),
			g.scratch(),
			Call(g.imp("filesystem/preopens", "get-directories"), g.ret()),
			Set(ptr, Ld32(g.ret(), 0)), Set(n, Ld32(g.ret(), 4)),
			Set(np, g.st(g.offNames)),
			Each(i, Get(n), func(brk, next Label) []X {
				el := func() X { return Add(Get(ptr), Mul(Get(i), I32(12))) }
				return []X{
					Set(h, Ld32(el(), 0)), Set(sp, Ld32(el(), 4)), Set(sl, Ld32(el(), 8)),
					// Preopens beyond the table, or whose names do not
					// fit, are dropped: the guest cannot name them.
					If(Or(GeU(Add(Get(i), I32(3)), U32(g.fdCap)), GtU(Get(sl), Sub(g.st(g.offNames+g.namesCap), Get(np)))),
						Call(g.imp(types, "[resource-drop]descriptor"), Get(h)), Br(next)),
					Set(e, Add(g.st(g.offFDs), Shl(Add(Get(i), I32(3)), I32(4)))),
					Copy(Get(np), Get(sp), Get(sl)),
					St8(Get(e), feKind, I32(kDir)), St8(Get(e), fePreopen, I32(1)),
					St32(Get(e), feHandle, Get(h)), St32(Get(e), feName, Get(np)), St32(Get(e), feNameLen, Get(sl)),
					Set(np, Add(Get(np), Get(sl))),
				}
			}),
			// The preopens' own flags tell path_open whether it may ask
			// for mutate-directory.
			Each(i, Get(n), func(brk, next Label) []X {
				return []X{
					BrIf(brk, GeU(Add(Get(i), I32(3)), U32(g.fdCap))),
					Set(e, Add(g.st(g.offFDs), Shl(Add(Get(i), I32(3)), I32(4)))),
					BrIf(next, Eqz(Ld8(Get(e), feKind))),
					Call(g.imp(types, "[method]descriptor.get-flags"), Ld32(Get(e), feHandle), g.ret()),
					If(Eqz(Ld8(g.ret(), 0)), St8(Get(e), feDFlags, Ld8(g.ret(), rCode1))),
				}
			}),
		)
		return xs
	})

	// cabi_import_realloc(old_ptr, old_size, align, new_size) serves the
	// lowerings of the imports from the region the caller set up.
	g.def(def{name: "cabi_import_realloc", export: "cabi_import_realloc", params: sig2vals("iiii"), results: sig2vals("i"),
		body: func(f *fn) []X {
			old, align, size, p := Local(0), Local(2), Local(3), f.I32Local()
			return []X{
				If(Get(old), Trap()), // lists are allocated once, never grown
				If(Eq(Get(align), I32(1)),
					If(Eq(GGet(g.gIAMode), I32(iaStrings)),
						Set(p, GGet(g.gIAStr)),
						GSet(g.gIAStr, Add(Add(Get(p), Get(size)), I32(1))),
						Ret(Get(p))),
					If(Eq(GGet(g.gIAMode), I32(iaDiscard)),
						If(GtU(Get(size), Sub(GGet(g.gIAEnd), GGet(g.gIAPtr))), Trap()),
						Ret(GGet(g.gIAPtr)))),
				Set(p, And(Add(GGet(g.gIAPtr), Sub(Get(align), I32(1))), Sub(I32(0), Get(align)))),
				If(Or(LtU(Get(p), GGet(g.gIAPtr)), GtU(Get(p), GGet(g.gIAEnd))), Trap()),
				If(GtU(Get(size), Sub(GGet(g.gIAEnd), Get(p))), Trap()),
				GSet(g.gIAPtr, Add(Get(p), Get(size))),
				Ret(Get(p)),
			}
		}})

	g.helper("errno", "i", "i", func(f *fn) []X {
		return []X{
			If(GeU(Get(0), I32(int32(len(errnoOf)))), Ret(I32(eIO))),
			Ret(Ld8(Add(g.st(offErr), Get(0)), 0)),
		}
	})

	// entry(fd) is the address of fd's table entry, or 0 when not open.
	g.helper("entry", "i", "i", func(f *fn) []X {
		e := f.I32Local()
		return []X{
			If(GeU(Get(0), U32(g.fdCap)), Ret(I32(0))),
			Set(e, Add(g.st(g.offFDs), Shl(Get(0), I32(4)))),
			Ret(Select(Get(e), I32(0), Ld8(Get(e), feKind))),
		}
	})

	// alloc_fd() is the lowest free descriptor number, or -1.
	g.helper("alloc_fd", "", "i", func(f *fn) []X {
		i := f.I32Local()
		return []X{
			Each(i, U32(g.fdCap), func(brk, next Label) []X {
				return []X{If(Eqz(Ld8(Add(g.st(g.offFDs), Shl(Get(i), I32(4))), feKind)), Ret(Get(i)))}
			}),
			Ret(I32(-1)),
		}
	})

	// stream_errno(p) maps the stream-error at p to an errno, or -1 when
	// the stream is closed, dropping the error resource.
	g.helper("stream_errno", "i", "i", func(f *fn) []X {
		h, r := f.I32Local(), f.I32Local()
		hdr := g.st(offHdr)
		return []X{
			If(Ld8(Get(0), 0), Ret(I32(-1))),
			Set(h, Ld32(Get(0), 4)),
			Call(g.imp(types, "filesystem-error-code"), Get(h), hdr),
			Set(r, Select(g.errno(Ld8(g.st(offHdr), 1)), I32(eIO), Ld8(g.st(offHdr), 0))),
			Call(g.imp("io/error", "[resource-drop]error"), Get(h)),
			Ret(Get(r)),
		}
	})

	// close_entry(e) drops what entry e holds and frees it.
	g.helper("close_entry", "i", "", func(f *fn) []X {
		kind, h := f.I32Local(), f.I32Local()
		return []X{
			Set(kind, Ld8(Get(0), feKind)), Set(h, Ld32(Get(0), feHandle)),
			If(Eq(Get(kind), I32(kIn)), Call(g.imp(streams, "[resource-drop]input-stream"), Get(h))),
			If(Eq(Get(kind), I32(kOut)), Call(g.imp(streams, "[resource-drop]output-stream"), Get(h))),
			If(GeU(Get(kind), I32(kFile)), Call(g.imp(types, "[resource-drop]descriptor"), Get(h))),
			St64(Get(0), 0, I64(0)), St64(Get(0), 8, I64(0)),
		}
	})

	// filestat(buf, s) writes the preview-1 filestat of the descriptor-stat
	// at s (the inode is left 0 for the caller).
	g.helper("filestat", "ii", "", func(f *fn) []X {
		buf, s := Get(0), Get(1)
		return []X{
			Fill(buf, I32(0), I32(64)),
			St8(buf, 16, filetype(Ld8(s, 0))),
			St64(buf, 24, Ld64(s, 8)),
			St64(buf, 32, Ld64(s, 16)),
			St64(buf, 40, nanos(s, 24)),
			St64(buf, 48, nanos(s, 48)),
			St64(buf, 56, nanos(s, 72)),
		}
	})

	// file_write(e, iovs, n, pos, keep) writes the iovecs to the file of
	// entry e at pos, leaving the count in gN and, when keep, the new
	// position in the entry. A failure after some bytes is a short write.
	g.helper("file_write", "iiiIi", "i", func(f *fn) []X {
		e, iovs, n, pos, keep := Local(0), Local(1), Local(2), Local(3), Local(4)
		i, p, l, w := f.I32Local(), f.I32Local(), f.I32Local(), f.I32Local()
		return []X{
			GSet(g.gN, I32(0)),
			Each(i, Get(n), func(brk, next Label) []X {
				return []X{
					Set(p, Ld32(iov(iovs, i), 0)), Set(l, Ld32(iov(iovs, i), 4)),
					BrIf(next, Eqz(Get(l))),
					Call(g.imp(types, "[method]descriptor.write"), Ld32(Get(e), feHandle), Get(p), Get(l), Get(pos), g.ret()),
					If(Ld8(g.ret(), 0), BrIf(brk, GGet(g.gN)), Ret(g.errno(Ld8(g.ret(), rCode8)))),
					Set(w, Wrap(Ld64(g.ret(), rCode8))),
					GSet(g.gN, Add(GGet(g.gN), Get(w))),
					Set(pos, Add64(Get(pos), Ext64(Get(w)))),
					BrIf(brk, LtU(Get(w), Get(l))),
				}
			}),
			If(Get(keep), St64(Get(e), fePos, Get(pos))),
			Ret(I32(0)),
		}
	})

	// file_read(e, iovs, n, pos, keep) is file_write's reading twin; the
	// host's bytes land in the iovec buffers directly.
	g.helper("file_read", "iiiIi", "i", func(f *fn) []X {
		e, iovs, n, pos, keep := Local(0), Local(1), Local(2), Local(3), Local(4)
		i, p, l, got := f.I32Local(), f.I32Local(), f.I32Local(), f.I32Local()
		return []X{
			GSet(g.gN, I32(0)),
			Each(i, Get(n), func(brk, next Label) []X {
				return []X{
					Set(p, Ld32(iov(iovs, i), 0)), Set(l, Ld32(iov(iovs, i), 4)),
					BrIf(next, Eqz(Get(l))),
					g.setIA(Get(p), Add(Get(p), Get(l)), iaBump),
					Call(g.imp(types, "[method]descriptor.read"), Ld32(Get(e), feHandle), Ext64(Get(l)), Get(pos), g.ret()),
					If(Ld8(g.ret(), 0), BrIf(brk, GGet(g.gN)), Ret(g.errno(Ld8(g.ret(), rCode4)))),
					Set(got, Ld32(g.ret(), 8)),
					GSet(g.gN, Add(GGet(g.gN), Get(got))),
					Set(pos, Add64(Get(pos), Ext64(Get(got)))),
					BrIf(brk, LtU(Get(got), Get(l))),
				}
			}),
			If(Get(keep), St64(Get(e), fePos, Get(pos))),
			Ret(I32(0)),
		}
	})
}

// defineProcess defines arguments, environment, clocks, randomness, exit
// and the functions that only answer.
func (g *gen) defineProcess() {
	env := "cli/environment"

	// A list<string> (stride 8) or list<tuple<string, string>> (stride 16).
	sizes := func(name, wf string, stride int32) {
		g.export(name, "ii", func(f *fn) []X {
			ptr, n, i, sum := f.I32Local(), f.I32Local(), f.I32Local(), f.I32Local()
			el := func() X { return Add(Get(ptr), Mul(Get(i), I32(stride))) }
			var size X = Add(Ld32(el(), 4), I32(1))
			if stride == 16 {
				size = Add(Add(Ld32(el(), 4), Ld32(el(), 12)), I32(2)) // "k=v\0"
			}
			return []X{
				g.setIA(g.st(g.offScratch), g.st(g.o.StateSize), iaDiscard),
				Call(g.imp(env, wf), g.ret()),
				Set(ptr, Ld32(g.ret(), 0)), Set(n, Ld32(g.ret(), 4)), Set(sum, I32(0)),
				Each(i, Get(n), func(brk, next Label) []X { return []X{Set(sum, Add(Get(sum), size))} }),
				St32(Get(0), 0, Get(n)), St32(Get(1), 0, Get(sum)),
				Ret(I32(0)),
			}
		})
	}
	get := func(name, wf string, stride int32) {
		g.export(name, "ii", func(f *fn) []X {
			ptr, n, i := f.I32Local(), f.I32Local(), f.I32Local()
			el := func() X { return Add(Get(ptr), Mul(Get(i), I32(stride))) }
			body := []X{St32(Add(Get(0), Shl(Get(i), I32(2))), 0, Ld32(el(), 0))}
			if stride == 16 {
				// The key and value were placed one byte apart.
				body = append(body,
					St8(Add(Ld32(el(), 0), Ld32(el(), 4)), 0, I32('=')),
					St8(Add(Ld32(el(), 8), Ld32(el(), 12)), 0, I32(0)))
			} else {
				body = append(body, St8(Add(Ld32(el(), 0), Ld32(el(), 4)), 0, I32(0)))
			}
			return []X{
				g.setIA(g.st(g.offScratch), g.st(g.o.StateSize), iaStrings),
				GSet(g.gIAStr, Get(1)),
				Call(g.imp(env, wf), g.ret()),
				Set(ptr, Ld32(g.ret(), 0)), Set(n, Ld32(g.ret(), 4)),
				Each(i, Get(n), func(brk, next Label) []X { return body }),
				Ret(I32(0)),
			}
		})
	}
	sizes("args_sizes_get", "get-arguments", 8)
	get("args_get", "get-arguments", 8)
	sizes("environ_sizes_get", "get-environment", 16)
	get("environ_get", "get-environment", 16)

	clock := func(name, sig, wf string) {
		g.export(name, sig, func(f *fn) []X {
			out := Get(Local(len(sig) - 1))
			return []X{
				If(Eq(Get(0), I32(0)),
					Call(g.imp("clocks/wall-clock", wf), g.ret()),
					St64(out, 0, datetimeNanos(g.ret())),
					Ret(I32(0))),
				If(Eq(Get(0), I32(1)),
					St64(out, 0, Call(g.imp("clocks/monotonic-clock", wf))),
					Ret(I32(0))),
				Ret(I32(eInval)), // the CPU-time clocks do not exist in WASI 0.2
			}
		})
	}
	clock("clock_res_get", "ii", "resolution")
	clock("clock_time_get", "iIi", "now")

	g.export("random_get", "ii", func(f *fn) []X {
		off, c := f.I32Local(), f.I32Local()
		buf, n := Local(0), Local(1)
		return []X{
			While(LtU(Get(off), Get(n)), func(brk Label) []X {
				return []X{
					Set(c, f.Min(Sub(Get(n), Get(off)), I32(1<<16))),
					g.setIA(Add(Get(buf), Get(off)), Add(Add(Get(buf), Get(off)), Get(c)), iaBump),
					Call(g.imp("random/random", "get-random-bytes"), Ext64(Get(c)), g.ret()),
					Set(off, Add(Get(off), Get(c))),
				}
			}),
			Ret(I32(0)),
		}
	})

	g.def(def{name: "proc_exit", export: "proc_exit", params: sig2vals("i"), entry: true, body: func(f *fn) []X {
		// WASI 0.2 has only success and failure; a nonzero code is failure.
		return []X{Call(g.imp("cli/exit", "exit"), Ne(Get(0), I32(0))), Trap()}
	}})
	g.export("proc_raise", "i", func(f *fn) []X { return []X{Ret(I32(eNosys))} })
	g.export("sched_yield", "", func(f *fn) []X { return []X{Ret(I32(0))} })

	// Sockets exist only as preopened descriptors in preview 1, and the
	// adapter has none.
	sock := func(name, sig string) {
		g.export(name, sig, func(f *fn) []X {
			_, check := g.fdEntry(f, Get(0))
			return []X{check, Ret(I32(eNotsup))}
		})
	}
	sock("sock_accept", "iii")
	sock("sock_recv", "iiiiii")
	sock("sock_send", "iiiii")
	sock("sock_shutdown", "ii")
}
