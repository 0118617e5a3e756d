package preview1

// definePath defines the path_* functions: each resolves its path relative
// to a directory descriptor with the matching *-at method.
func (g *gen) definePath() {
	types := "filesystem/types"
	method := func(name string) uint32 { return g.imp(types, "[method]descriptor."+name) }

	// Functions of (fd, path, path_len) on one *-at method.
	simple := func(name, m string) {
		g.export(name, "iii", func(f *fn) []X {
			h, check := g.dirHandle(f, Get(0))
			return []X{check, Call(method(m), Get(h), Get(1), Get(2), g.ret()), g.fail(rCode1), Ret(I32(0))}
		})
	}
	simple("path_create_directory", "create-directory-at")
	simple("path_remove_directory", "remove-directory-at")
	simple("path_unlink_file", "unlink-file-at")

	g.export("path_rename", "iiiiii", func(f *fn) []X {
		h, check := g.dirHandle(f, Get(0))
		h2, check2 := g.dirHandle(f, Get(3))
		return []X{check, check2,
			Call(method("rename-at"), Get(h), Get(1), Get(2), Get(h2), Get(4), Get(5), g.ret()),
			g.fail(rCode1), Ret(I32(0))}
	})

	g.export("path_symlink", "iiiii", func(f *fn) []X {
		h, check := g.dirHandle(f, Get(2))
		return []X{check,
			Call(method("symlink-at"), Get(h), Get(0), Get(1), Get(3), Get(4), g.ret()),
			g.fail(rCode1), Ret(I32(0))}
	})

	g.export("path_link", "iiiiiii", func(f *fn) []X {
		h, check := g.dirHandle(f, Get(0))
		h2, check2 := g.dirHandle(f, Get(4))
		return []X{check, check2,
			Call(method("link-at"), Get(h), And(Get(1), I32(1)), Get(2), Get(3), Get(h2), Get(5), Get(6), g.ret()),
			g.fail(rCode1), Ret(I32(0))}
	})

	g.export("path_readlink", "iiiiii", func(f *fn) []X {
		buf, blen, usedp := Local(3), Local(4), Local(5)
		h, check := g.dirHandle(f, Get(0))
		n := f.I32Local()
		return []X{check,
			g.scratch(),
			Call(method("readlink-at"), Get(h), Get(1), Get(2), g.ret()),
			g.fail(rCode4),
			// A target longer than the buffer is cut, as readlink(2) does.
			Set(n, f.Min(Ld32(g.ret(), 8), Get(blen))),
			Copy(Get(buf), Ld32(g.ret(), 4), Get(n)),
			St32(Get(usedp), 0, Get(n)),
			Ret(I32(0))}
	})

	g.export("path_filestat_get", "iiiii", func(f *fn) []X {
		flags, path, plen, buf := Local(1), Local(2), Local(3), Local(4)
		h, check := g.dirHandle(f, Get(0))
		hdr := func() X { return g.st(offHdr) }
		return []X{check,
			Call(method("stat-at"), Get(h), And(Get(flags), I32(1)), Get(path), Get(plen), g.ret()),
			g.fail(rCode8),
			Call(g.fn("filestat"), Get(buf), Add(g.ret(), I32(rCode8))),
			Call(method("metadata-hash-at"), Get(h), And(Get(flags), I32(1)), Get(path), Get(plen), hdr()),
			If(Eqz(Ld8(hdr(), 0)), St64(Get(buf), 8, Ld64(hdr(), rCode8))),
			Ret(I32(0))}
	})

	g.export("path_filestat_set_times", "iiiiIIi", func(f *fn) []X {
		flags, path, plen, atim, mtim, fst := Local(1), Local(2), Local(3), Local(4), Local(5), Local(6)
		h, check := g.dirHandle(f, Get(0))
		args := []X{Get(h), And(Get(flags), I32(1)), Get(path), Get(plen)}
		args = append(args, newTimestamp(atim, fst, fstAtim, fstAtimNow)...)
		args = append(args, newTimestamp(mtim, fst, fstMtim, fstMtimNow)...)
		return []X{check, badTimes(fst),
			Call(method("set-times-at"), append(args, g.ret())...),
			g.fail(rCode1), Ret(I32(0))}
	})

	// path_open maps rights to descriptor-flags: reading rights ask for
	// read, writing rights for write, and rights to change a directory
	// for mutate-directory when the parent has it (the host refuses it
	// otherwise, and a read-only open must still work there).
	g.export("path_open", "iiiiiIIii", func(f *fn) []X {
		dirflags, path, plen, oflags, rights, fdflags, fdp := Local(1), Local(2), Local(3), Local(4), Local(5), Local(7), Local(8)
		pe, check := g.fdEntry(f, Get(0))
		df, nh, nfd, e, r := f.I32Local(), f.I32Local(), f.I32Local(), f.I32Local(), f.I32Local()
		has := func(bits int64) X { return Eqz(Eqz64(And64(Get(rights), I64(bits)))) }
		dropNew := func() X { return Call(g.imp(types, "[resource-drop]descriptor"), Get(nh)) }
		return []X{check,
			If(Ne(Ld8(Get(pe), feKind), I32(kDir)), Ret(I32(eNotdir))),
			If(has(rightFdRead|rightFdReaddir), Set(df, Or(Get(df), I32(dfRead)))),
			If(has(rightFdWrite|rightFdAllocate|rightFdFilestatSetSize), Set(df, Or(Get(df), I32(dfWrite)))),
			If(And(Get(fdflags), I32(fdflagSync)), Set(df, Or(Get(df), I32(dfFileSync)))),
			If(And(Get(fdflags), I32(fdflagDsync)), Set(df, Or(Get(df), I32(dfDataSync)))),
			If(And(Get(fdflags), I32(fdflagRsync)), Set(df, Or(Get(df), I32(dfRequestedSync)))),
			If(And(Ne(And(Ld8(Get(pe), feDFlags), I32(dfMutateDirectory)), I32(0)),
				has(rightPathCreateDirectory|rightPathCreateFile|rightPathLinkTarget|rightPathRenameTarget|
					rightPathFilestatSetTime|rightPathSymlink|rightPathRemoveDirectory|rightPathUnlinkFile)),
				Set(df, Or(Get(df), I32(dfMutateDirectory)))),
			Call(method("open-at"), Ld32(Get(pe), feHandle), And(Get(dirflags), I32(1)), Get(path), Get(plen),
				And(Get(oflags), I32(15)), Get(df), g.ret()),
			g.fail(rCode4),
			Set(nh, Ld32(g.ret(), rCode4)),
			Call(method("get-type"), Get(nh), g.ret()),
			If(Ld8(g.ret(), 0), Set(r, g.errno(Ld8(g.ret(), rCode1))), dropNew(), Ret(Get(r))),
			Set(nfd, Call(g.fn("alloc_fd"))),
			If(Eq(Get(nfd), I32(-1)), dropNew(), Ret(I32(eMfile))),
			Set(e, Add(g.st(g.offFDs), Shl(Get(nfd), I32(4)))),
			St8(Get(e), feKind, Select(I32(kDir), I32(kFile), Eq(Ld8(g.ret(), rCode1), I32(3)))),
			St8(Get(e), fePreopen, I32(0)),
			St8(Get(e), feFlags, Get(fdflags)),
			St8(Get(e), feDFlags, Get(df)),
			St32(Get(e), feHandle, Get(nh)),
			St64(Get(e), fePos, I64(0)),
			St32(Get(fdp), 0, Get(nfd)),
			Ret(I32(0))}
	})
}

// definePoll defines poll_oneoff on wasi:io/poll: every subscription
// becomes a pollable (files, which are always ready, and subscriptions in
// error get a zero-length timer), and the ready ones become events.
func (g *gen) definePoll() {
	mono, poll := "clocks/monotonic-clock", "io/poll"
	g.export("poll_oneoff", "iiii", func(f *fn) []X {
		in, out, nsubs, nevp := Local(0), Local(1), Local(2), Local(3)
		i, s, e, h, perr, id, rp, rn, cnt, ev, kind := f.I32Local(), f.I32Local(), f.I32Local(), f.I32Local(), f.I32Local(),
			f.I32Local(), f.I32Local(), f.I32Local(), f.I32Local(), f.I32Local(), f.I32Local()
		t, now := f.I64Local(), f.I64Local()
		handles := g.st(g.offScratch) // nsubs pollable handles, then nsubs errnos
		handleAt := func(i Local) X { return Add(g.st(g.offScratch), Shl(Get(i), I32(2))) }
		errAt := func(i Local) X { return Add(handleAt(i), Shl(Get(nsubs), I32(2))) }
		timer := func(d X) X { return Call(g.imp(mono, "subscribe-duration"), d) }
		// Two words per subscription, and room for the host's answer.
		maxSubs := (g.o.StateSize - g.offScratch) / 12
		return []X{
			If(Eqz(Get(nsubs)), Ret(I32(eInval))),
			If(GtU(Get(nsubs), U32(maxSubs)), Ret(I32(eNotsup))),
			Each(i, Get(nsubs), func(brk, next Label) []X {
				return []X{
					Set(s, Add(Get(in), Mul(Get(i), I32(48)))),
					Set(perr, I32(0)),
					IfElse(Eqz(Ld8(Get(s), 8)), []X{ // clock
						Set(id, Ld32(Get(s), 16)), Set(t, Ld64(Get(s), 24)),
						IfElse(Eq(Get(id), I32(1)), []X{
							Set(h, IfI32(And(Ld16(Get(s), 40), I32(1)),
								Call(g.imp(mono, "subscribe-instant"), Get(t)),
								timer(Get(t)))),
						}, []X{IfElse(Eq(Get(id), I32(0)), []X{
							// A realtime deadline becomes a duration from now.
							If(And(Ld16(Get(s), 40), I32(1)),
								Call(g.imp("clocks/wall-clock", "now"), g.st(offHdr)),
								Set(now, datetimeNanos(g.st(offHdr))),
								Set(t, Select(Sub64(Get(t), Get(now)), I64(0), GtU64(Get(t), Get(now))))),
							Set(h, timer(Get(t))),
						}, []X{Set(perr, I32(eInval)), Set(h, timer(I64(0)))})}),
					}, []X{IfElse(LeU(Ld8(Get(s), 8), I32(2)), []X{ // fd_read, fd_write
						Set(e, Call(g.fn("entry"), Ld32(Get(s), 16))),
						Set(kind, Select(Ld8(Get(e), feKind), I32(0), Get(e))),
						IfElse(And(Eq(Get(kind), I32(kIn)), Eq(Ld8(Get(s), 8), I32(1))), []X{
							Set(h, Call(g.imp("io/streams", "[method]input-stream.subscribe"), Ld32(Get(e), feHandle))),
						}, []X{IfElse(And(Eq(Get(kind), I32(kOut)), Eq(Ld8(Get(s), 8), I32(2))), []X{
							Set(h, Call(g.imp("io/streams", "[method]output-stream.subscribe"), Ld32(Get(e), feHandle))),
						}, []X{
							If(Eqz(Get(kind)), Set(perr, I32(eBadf))),
							Set(h, timer(I64(0))),
						})}),
					}, []X{Set(perr, I32(eInval)), Set(h, timer(I64(0)))})}),
					St32(handleAt(i), 0, Get(h)),
					St32(errAt(i), 0, Get(perr)),
				}
			}),
			g.setIA(Add(handles, Shl(Get(nsubs), I32(3))), g.st(g.o.StateSize), iaBump),
			Call(g.imp(poll, "poll"), handles, Get(nsubs), g.ret()),
			Set(rp, Ld32(g.ret(), 0)), Set(rn, Ld32(g.ret(), 4)),
			Each(i, Get(rn), func(brk, next Label) []X {
				return []X{
					Set(id, Ld32(Add(Get(rp), Shl(Get(i), I32(2))), 0)),
					BrIf(next, GeU(Get(id), Get(nsubs))),
					Set(s, Add(Get(in), Mul(Get(id), I32(48)))),
					Set(ev, Add(Get(out), Shl(Get(cnt), I32(5)))),
					Fill(Get(ev), I32(0), I32(32)),
					St64(Get(ev), 0, Ld64(Get(s), 0)),
					St16(Get(ev), 8, Ld32(errAt(id), 0)),
					St8(Get(ev), 10, Ld8(Get(s), 8)),
					Set(cnt, Add(Get(cnt), I32(1))),
				}
			}),
			Each(i, Get(nsubs), func(brk, next Label) []X {
				return []X{Call(g.imp(poll, "[resource-drop]pollable"), Ld32(handleAt(i), 0))}
			}),
			St32(Get(nevp), 0, Get(cnt)),
			Ret(I32(0)),
		}
	})
}
