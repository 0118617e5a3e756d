package preview1

// defineFD defines the fd_* functions.
func (g *gen) defineFD() {
	types, streams := "filesystem/types", "io/streams"

	g.export("fd_write", "iiii", func(f *fn) []X {
		fd, iovs, n, nw := Local(0), Local(1), Local(2), Local(3)
		e, check := g.fdEntry(f, Get(fd))
		i, p, l, c, total, r := f.I32Local(), f.I32Local(), f.I32Local(), f.I32Local(), f.I32Local(), f.I32Local()
		return []X{
			check,
			If(Eq(Ld8(Get(e), feKind), I32(kOut)),
				Block(func(done Label) []X {
					return []X{Each(i, Get(n), func(brk, next Label) []X {
						return []X{
							Set(p, Ld32(iov(iovs, i), 0)), Set(l, Ld32(iov(iovs, i), 4)),
							// blocking-write-and-flush takes at most 4096 bytes.
							While(Get(l), func(Label) []X {
								return []X{
									Set(c, f.Min(Get(l), I32(4096))),
									Call(g.imp(streams, "[method]output-stream.blocking-write-and-flush"), Ld32(Get(e), feHandle), Get(p), Get(c), g.ret()),
									If(Ld8(g.ret(), 0),
										Set(r, Call(g.fn("stream_errno"), Add(g.ret(), I32(4)))),
										If(Eq(Get(r), I32(-1)), Set(r, I32(ePipe))),
										BrIf(done, Get(total)),
										Ret(Get(r))),
									Set(total, Add(Get(total), Get(c))),
									Set(p, Add(Get(p), Get(c))),
									Set(l, Sub(Get(l), Get(c))),
								}
							}),
						}
					})}
				}),
				St32(Get(nw), 0, Get(total)),
				Ret(I32(0))),
			If(Eq(Ld8(Get(e), feKind), I32(kFile)),
				If(And(Ld8(Get(e), feFlags), I32(fdflagAppend)),
					Call(g.imp(types, "[method]descriptor.stat"), Ld32(Get(e), feHandle), g.ret()),
					g.fail(rCode8),
					St64(Get(e), fePos, Ld64(g.ret(), rCode8+16))),
				Set(r, Call(g.fn("file_write"), Get(e), Get(iovs), Get(n), Ld64(Get(e), fePos), I32(1))),
				If(Get(r), Ret(Get(r))),
				St32(Get(nw), 0, GGet(g.gN)),
				Ret(I32(0))),
			Ret(I32(eBadf)),
		}
	})

	g.export("fd_pwrite", "iiiIi", func(f *fn) []X {
		e, _, check := g.fileHandle(f, Get(0), eSpipe)
		r := f.I32Local()
		return []X{
			check,
			Set(r, Call(g.fn("file_write"), Get(e), Get(1), Get(2), Get(3), I32(0))),
			If(Get(r), Ret(Get(r))),
			St32(Get(4), 0, GGet(g.gN)),
			Ret(I32(0)),
		}
	})

	g.export("fd_read", "iiii", func(f *fn) []X {
		fd, iovs, n, nr := Local(0), Local(1), Local(2), Local(3)
		e, check := g.fdEntry(f, Get(fd))
		i, p, l, r := f.I32Local(), f.I32Local(), f.I32Local(), f.I32Local()
		return []X{
			check,
			If(Eq(Ld8(Get(e), feKind), I32(kIn)),
				// One read into the first non-empty buffer: a short read.
				Each(i, Get(n), func(brk, next Label) []X {
					return []X{Set(p, Ld32(iov(iovs, i), 0)), Set(l, Ld32(iov(iovs, i), 4)), BrIf(brk, Get(l))}
				}),
				If(Eqz(Get(l)), St32(Get(nr), 0, I32(0)), Ret(I32(0))),
				g.setIA(Get(p), Add(Get(p), Get(l)), iaBump),
				Call(g.imp(streams, "[method]input-stream.blocking-read"), Ld32(Get(e), feHandle), Ext64(Get(l)), g.ret()),
				If(Ld8(g.ret(), 0),
					Set(r, Call(g.fn("stream_errno"), Add(g.ret(), I32(4)))),
					If(Eq(Get(r), I32(-1)), St32(Get(nr), 0, I32(0)), Ret(I32(0))), // closed: end of file
					Ret(Get(r))),
				St32(Get(nr), 0, Ld32(g.ret(), 8)),
				Ret(I32(0))),
			If(Eq(Ld8(Get(e), feKind), I32(kFile)),
				Set(r, Call(g.fn("file_read"), Get(e), Get(iovs), Get(n), Ld64(Get(e), fePos), I32(1))),
				If(Get(r), Ret(Get(r))),
				St32(Get(nr), 0, GGet(g.gN)),
				Ret(I32(0))),
			If(Eq(Ld8(Get(e), feKind), I32(kDir)), Ret(I32(eIsdir))),
			Ret(I32(eBadf)),
		}
	})

	g.export("fd_pread", "iiiIi", func(f *fn) []X {
		e, _, check := g.fileHandle(f, Get(0), eSpipe)
		r := f.I32Local()
		return []X{
			check,
			Set(r, Call(g.fn("file_read"), Get(e), Get(1), Get(2), Get(3), I32(0))),
			If(Get(r), Ret(Get(r))),
			St32(Get(4), 0, GGet(g.gN)),
			Ret(I32(0)),
		}
	})

	g.export("fd_seek", "iIii", func(f *fn) []X {
		off, whence, out := Local(1), Local(2), Local(3)
		e, h, check := g.fileHandle(f, Get(0), eSpipe)
		pos := f.I64Local()
		return []X{
			check,
			IfElse(Eq(Get(whence), I32(0)), []X{Set(pos, Get(off))}, []X{
				IfElse(Eq(Get(whence), I32(1)), []X{Set(pos, Add64(Ld64(Get(e), fePos), Get(off)))}, []X{
					If(Ne(Get(whence), I32(2)), Ret(I32(eInval))),
					Call(g.imp(types, "[method]descriptor.stat"), Get(h), g.ret()),
					g.fail(rCode8),
					Set(pos, Add64(Ld64(g.ret(), rCode8+16), Get(off))),
				}),
			}),
			If(LtS64(Get(pos), I64(0)), Ret(I32(eInval))),
			St64(Get(e), fePos, Get(pos)),
			St64(Get(out), 0, Get(pos)),
			Ret(I32(0)),
		}
	})

	g.export("fd_tell", "ii", func(f *fn) []X {
		e, _, check := g.fileHandle(f, Get(0), eSpipe)
		return []X{check, St64(Get(1), 0, Ld64(Get(e), fePos)), Ret(I32(0))}
	})

	g.export("fd_close", "i", func(f *fn) []X {
		e, check := g.fdEntry(f, Get(0))
		return []X{check, Call(g.fn("close_entry"), Get(e)), Ret(I32(0))}
	})

	g.export("fd_renumber", "ii", func(f *fn) []X {
		from, fromCheck := g.fdEntry(f, Get(0))
		to, toCheck := g.fdEntry(f, Get(1))
		return []X{
			fromCheck, toCheck,
			If(Eq(Get(0), Get(1)), Ret(I32(0))),
			Call(g.fn("close_entry"), Get(to)),
			Copy(Get(to), Get(from), I32(fdSize)),
			Fill(Get(from), I32(0), I32(fdSize)),
			Ret(I32(0)),
		}
	})

	g.export("fd_fdstat_get", "ii", func(f *fn) []X {
		buf := Local(1)
		e, check := g.fdEntry(f, Get(0))
		ft := f.I32Local()
		return []X{
			check,
			Set(ft, I32(ftCharDevice)),
			If(Eq(Ld8(Get(e), feKind), I32(kDir)), Set(ft, I32(ftDirectory))),
			If(Eq(Ld8(Get(e), feKind), I32(kFile)),
				Call(g.imp(types, "[method]descriptor.get-type"), Ld32(Get(e), feHandle), g.ret()),
				g.fail(rCode1),
				Set(ft, filetype(Ld8(g.ret(), rCode1)))),
			Fill(Get(buf), I32(0), I32(24)),
			St8(Get(buf), 0, Get(ft)),
			St16(Get(buf), 2, Ld8(Get(e), feFlags)),
			St64(Get(buf), 8, I64(allRights)),
			St64(Get(buf), 16, I64(allRights)),
			Ret(I32(0)),
		}
	})

	g.export("fd_fdstat_set_flags", "ii", func(f *fn) []X {
		e, check := g.fdEntry(f, Get(0))
		return []X{check, St8(Get(e), feFlags, Get(1)), Ret(I32(0))}
	})

	g.export("fd_fdstat_set_rights", "iII", func(f *fn) []X {
		_, check := g.fdEntry(f, Get(0))
		return []X{check, Ret(I32(eNotsup))}
	})

	g.export("fd_filestat_get", "ii", func(f *fn) []X {
		buf := Local(1)
		e, check := g.fdEntry(f, Get(0))
		hdr := g.st(offHdr)
		return []X{
			check,
			If(LtU(Ld8(Get(e), feKind), I32(kFile)),
				Fill(Get(buf), I32(0), I32(64)),
				St8(Get(buf), 16, I32(ftCharDevice)),
				Ret(I32(0))),
			Call(g.imp(types, "[method]descriptor.stat"), Ld32(Get(e), feHandle), g.ret()),
			g.fail(rCode8),
			Call(g.fn("filestat"), Get(buf), Add(g.ret(), I32(rCode8))),
			Call(g.imp(types, "[method]descriptor.metadata-hash"), Ld32(Get(e), feHandle), hdr),
			If(Eqz(Ld8(g.st(offHdr), 0)), St64(Get(buf), 8, Ld64(g.st(offHdr), rCode8))),
			Ret(I32(0)),
		}
	})

	g.export("fd_filestat_set_size", "iI", func(f *fn) []X {
		_, h, check := g.fileHandle(f, Get(0), eInval)
		return []X{
			check,
			Call(g.imp(types, "[method]descriptor.set-size"), Get(h), Get(1), g.ret()),
			g.fail(rCode1),
			Ret(I32(0)),
		}
	})

	g.export("fd_filestat_set_times", "iIIi", func(f *fn) []X {
		atim, mtim, fst := Local(1), Local(2), Local(3)
		_, h, check := g.descHandle(f, Get(0), eInval)
		args := append([]X{Get(h)}, newTimestamp(atim, fst, fstAtim, fstAtimNow)...)
		args = append(args, newTimestamp(mtim, fst, fstMtim, fstMtimNow)...)
		return []X{
			check, badTimes(fst),
			Call(g.imp(types, "[method]descriptor.set-times"), append(args, g.ret())...),
			g.fail(rCode1),
			Ret(I32(0)),
		}
	})

	sync := func(name, method string) {
		g.export(name, "i", func(f *fn) []X {
			_, h, check := g.descHandle(f, Get(0), eInval)
			return []X{
				check,
				Call(g.imp(types, method), Get(h), g.ret()),
				g.fail(rCode1),
				Ret(I32(0)),
			}
		})
	}
	sync("fd_sync", "[method]descriptor.sync")
	sync("fd_datasync", "[method]descriptor.sync-data")

	g.export("fd_advise", "iIIi", func(f *fn) []X {
		_, h, check := g.fileHandle(f, Get(0), eSpipe)
		return []X{
			check,
			If(GtU(Get(3), I32(5)), Ret(I32(eInval))),
			Call(g.imp(types, "[method]descriptor.advise"), Get(h), Get(1), Get(2), Get(3), g.ret()),
			g.fail(rCode1),
			Ret(I32(0)),
		}
	})

	g.export("fd_allocate", "iII", func(f *fn) []X {
		_, _, check := g.fileHandle(f, Get(0), eInval)
		return []X{check, Ret(I32(eNotsup))}
	})

	g.export("fd_prestat_get", "ii", func(f *fn) []X {
		e, check := g.fdEntry(f, Get(0))
		return []X{
			check,
			If(Eqz(Ld8(Get(e), fePreopen)), Ret(I32(eBadf))),
			St32(Get(1), 0, I32(0)), // tag: a directory
			St32(Get(1), 4, Ld32(Get(e), feNameLen)),
			Ret(I32(0)),
		}
	})

	g.export("fd_prestat_dir_name", "iii", func(f *fn) []X {
		e, check := g.fdEntry(f, Get(0))
		return []X{
			check,
			If(Eqz(Ld8(Get(e), fePreopen)), Ret(I32(eBadf))),
			If(LtU(Get(2), Ld32(Get(e), feNameLen)), Ret(I32(eNametoolong))),
			Copy(Get(1), Ld32(Get(e), feName), Ld32(Get(e), feNameLen)),
			Ret(I32(0)),
		}
	})

	// fd_readdir reads the directory from the start each time and skips
	// cookie entries: the cookie of an entry is its index plus one. Entries
	// that do not fit are cut off at the end of the buffer, which tells the
	// caller to ask again with a larger one, as preview 1 specifies.
	g.export("fd_readdir", "iiiIi", func(f *fn) []X {
		buf, blen, cookie, usedp := Local(1), Local(2), Local(3), Local(4)
		h, check := g.dirHandle(f, Get(0))
		s, used, rem, nl, r := f.I32Local(), f.I32Local(), f.I32Local(), f.I32Local(), f.I32Local()
		idx := f.I64Local()
		hdr := func() X { return g.st(offHdr) }
		drop := func() X { return Call(g.imp(types, "[resource-drop]directory-entry-stream"), Get(s)) }
		return []X{
			check,
			Call(g.imp(types, "[method]descriptor.read-directory"), Get(h), g.ret()),
			g.fail(rCode4),
			Set(s, Ld32(g.ret(), rCode4)),
			Block(func(done Label) []X {
				return []X{Loop(func(top Label) []X {
					return []X{
						g.scratch(),
						Call(g.imp(types, "[method]directory-entry-stream.read-directory-entry"), Get(s), g.ret()),
						If(Ld8(g.ret(), 0), Set(r, g.errno(Ld8(g.ret(), rCode4))), drop(), Ret(Get(r))),
						BrIf(done, Eqz(Ld8(g.ret(), 4))), // none: the end
						If(Eqz(LtS64(Get(idx), Get(cookie))),
							Set(nl, Ld32(g.ret(), 16)),
							St64(hdr(), 0, Add64(Get(idx), I64(1))), // d_next
							St64(hdr(), 8, I64(0)),                  // d_ino
							St32(hdr(), 16, Get(nl)),                // d_namlen
							St32(hdr(), 20, filetype(Ld8(g.ret(), 8))),
							Set(rem, Sub(Get(blen), Get(used))),
							Copy(Add(Get(buf), Get(used)), hdr(), f.Min(Get(rem), I32(24))),
							If(LtU(Get(rem), I32(24)), Set(used, Get(blen)), Br(done)),
							Copy(Add(Add(Get(buf), Get(used)), I32(24)), Ld32(g.ret(), 12), f.Min(Sub(Get(rem), I32(24)), Get(nl))),
							If(LtU(Sub(Get(rem), I32(24)), Get(nl)), Set(used, Get(blen)), Br(done)),
							Set(used, Add(Get(used), Add(Get(nl), I32(24))))),
						Set(idx, Add64(Get(idx), I64(1))),
						Br(top),
					}
				})}
			}),
			drop(),
			St32(Get(usedp), 0, Get(used)),
			Ret(I32(0)),
		}
	})
}
