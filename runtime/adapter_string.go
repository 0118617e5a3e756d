package runtime

import (
	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/internal/wasm"
)

// Strings in a fused adapter follow the spec's store_string algorithms and
// the reference's adapters: the length is checked against the limit of
// the destination's worst case, the source's bounds are checked, the
// destination's realloc is called with the worst-case size before any
// byte moves. When a first optimistic pass does not fit (UTF-8 out of
// UTF-16 or Latin-1, Latin-1 out of UTF-8 or UTF-16), the block is grown
// to the worst case and a second pass finishes; the block is shrunk to
// what was written. All of it is wasm: no string goes through Go.

// fixedEnc is the encoding of a string's code units at one point of the
// adapter: a latin1+utf16 string is one of latin1 or utf16 once its tag is
// read.
type fixedEnc uint8

const (
	encUTF8 fixedEnc = iota
	encUTF16
	encLatin1
)

func (e fixedEnc) width() int32 {
	if e == encUTF16 {
		return 2
	}
	return 1
}

// str translates a string.
func (g *gen) str(src, dst place) {
	if !g.needSide(src.side, false) || !g.needSide(dst.side, true) {
		return
	}
	c := &g.c
	i32 := canon.CoreI32
	sp, sl := g.pointerPair(src)
	dp, dl := g.local(i32), g.local(i32)
	d := dst.side
	switch src.side.enc {
	case canon.UTF8:
		g.strFrom(encUTF8, false, src.side, sp, sl, d, dp, dl)
	case canon.UTF16:
		g.checkAligned(sp, 2, trapStringAlign)
		g.strFrom(encUTF16, false, src.side, sp, sl, d, dp, dl)
	default:
		g.checkAligned(sp, 2, trapStringAlign)
		c.LocalGet(sl).I32Const(tagI32).Op(wasm.OpI32And).If(wasm.BlockEmpty)
		c.LocalGet(sl).I32Const(tagI32).Op(0x73).LocalSet(sl) // i32.xor
		g.strFrom(encUTF16, true, src.side, sp, sl, d, dp, dl)
		c.Else()
		g.strFrom(encLatin1, true, src.side, sp, sl, d, dp, dl)
		c.End()
	}
	g.putPair(dst, dp, dl)
}

// strFrom moves the string of sl code units of encoding fe at sp (on side
// s) to side d, setting dp and dl. compact tells that the source is a
// latin1+utf16 string.
func (g *gen) strFrom(fe fixedEnc, compact bool, s *adapterSide, sp, sl uint32, d *adapterSide, dp, dl uint32) {
	switch d.enc {
	case canon.UTF8:
		switch fe {
		case encUTF8:
			g.strCopyUTF8(s, sp, sl, d, dp, dl)
		default:
			g.strDeflate(fe, s, sp, sl, d, dp, dl)
		}
	case canon.UTF16:
		switch fe {
		case encUTF8:
			g.strUTF8ToUTF16(s, sp, sl, d, dp, dl)
		case encUTF16:
			g.strCopyUTF16(s, sp, sl, d, dp, dl)
		default:
			g.strLatin1ToUTF16(s, sp, sl, d, dp, dl)
		}
	default:
		switch {
		case fe == encLatin1:
			g.strCopyLatin1(s, sp, sl, d, dp, dl)
		case fe == encUTF16 && compact:
			g.strProbablyUTF16(s, sp, sl, d, dp, dl)
		default:
			g.strToCompact(fe, s, sp, sl, d, dp, dl)
		}
	}
}

// checkLength traps unless sl code units, each taking factor bytes, fit
// in the spec's largest string.
func (g *gen) checkLength(sl uint32, factor int32) {
	g.c.LocalGet(sl).I32Const(int32(maxStringBytes / uint32(factor))).Op(wasm.OpI32GtU)
	g.trapIf(trapStringOOB)
}

// scaled sets a new local to sl*factor (no overflow: checked before).
func (g *gen) scaled(sl uint32, factor int32) uint32 {
	v := g.local(canon.CoreI32)
	g.c.LocalGet(sl)
	if factor != 1 {
		g.c.I32Const(factor).Op(0x6c) // i32.mul
	}
	g.c.LocalSet(v)
	return v
}

// allocFirst checks the source's bytes, then calls d's realloc for size
// bytes (local) with align, leaving the block in dp.
func (g *gen) allocFirst(s *adapterSide, sp, srcBytes uint32, d *adapterSide, dp, size uint32, align int32) {
	g.checkBounds(s, sp, srcBytes, trapStringOOB)
	g.realloc(d, func() { g.c.I32Const(0).I32Const(0).I32Const(align).LocalGet(size) }, dp, size, uint32(align), trapStringOOB)
}

// shrink calls d's realloc to take the block dp of old bytes down to the
// bytes new pushes, when they differ.
func (g *gen) shrink(d *adapterSide, dp, old uint32, align int32, newSize func()) {
	c := &g.c
	size := g.local(canon.CoreI32)
	newSize()
	c.LocalTee(size).LocalGet(old).Op(wasm.OpI32Ne).If(wasm.BlockEmpty)
	g.realloc(d, func() { c.LocalGet(dp).LocalGet(old).I32Const(align).LocalGet(size) }, dp, size, uint32(align), trapStringOOB)
	c.End()
}

// strLatin1ToUTF16 is the spec's store_string_copy from Latin-1 to
// UTF-16, in wasm: every byte widened to a code unit, eight at a time
// with v128.load8x8_u.
func (g *gen) strLatin1ToUTF16(s *adapterSide, sp, sl uint32, d *adapterSide, dp, dl uint32) {
	c := &g.c
	g.checkLength(sl, 2)
	dstBytes := g.scaled(sl, 2)
	g.allocFirst(s, sp, sl, d, dp, dstBytes, 2)
	i := g.local(canon.CoreI32)
	simd := func(op uint32) { c.Prefixed(wasm.PrefixSIMD, op) }
	out := func() { c.LocalGet(dp).LocalGet(i).I32Const(1).Op(0x74).Op(wasm.OpI32Add) }
	c.I32Const(0).LocalSet(i)
	c.Block(wasm.BlockEmpty).Loop(wasm.BlockEmpty)
	c.LocalGet(i).LocalGet(sl).Op(wasm.OpI32GeU).BrIf(1)
	c.LocalGet(sl).LocalGet(i).Op(wasm.OpI32Sub).I32Const(8).Op(wasm.OpI32GeU).If(wasm.BlockEmpty)
	out()
	c.LocalGet(sp).LocalGet(i).Op(wasm.OpI32Add)
	simd(2) // v128.load8x8_u
	c.MemArg(wasm.MemArg{Mem: s.mem})
	simd(wasm.SIMDV128Store)
	c.MemArg(wasm.MemArg{Mem: d.mem})
	c.LocalGet(i).I32Const(8).Op(wasm.OpI32Add).LocalSet(i).Br(1)
	c.End()
	out()
	c.LocalGet(sp).LocalGet(i).Op(wasm.OpI32Add).Load(wasm.OpI32Load8U, 0, 0, s.mem)
	c.Store(wasm.OpI32Store16, 0, 0, d.mem)
	c.LocalGet(i).I32Const(1).Op(wasm.OpI32Add).LocalSet(i).Br(0)
	c.End().End()
	c.LocalGet(sl).LocalSet(dl)
}

// strUTF8ToUTF16 is the spec's store_utf8_to_utf16: twice the bytes
// first, shrunk to the code units written.
func (g *gen) strUTF8ToUTF16(s *adapterSide, sp, sl uint32, d *adapterSide, dp, dl uint32) {
	c := &g.c
	g.checkLength(sl, 2)
	dstBytes := g.scaled(sl, 2)
	g.allocFirst(s, sp, sl, d, dp, dstBytes, 2)
	i, o := g.local(canon.CoreI32), g.local(canon.CoreI32)
	c.I32Const(0).LocalSet(i).I32Const(0).LocalSet(o) // locals keep values across a list's elements
	g.utf8ToUTF16(s, sp, sl, d, dp, dl, i, o)
	g.shrink(d, dp, dstBytes, 2, func() { c.LocalGet(dl).I32Const(1).Op(0x74) }) // i32.shl
}

// strDeflate is the spec's store_string_to_utf8 from Latin-1 or UTF-16,
// in wasm: as many bytes as code units first, filled while the units are
// ASCII; at the first other one, the worst case, the rest encoded, then
// the block shrunk to what was written.
func (g *gen) strDeflate(fe fixedEnc, s *adapterSide, sp, sl uint32, d *adapterSide, dp, dl uint32) {
	c := &g.c
	i32 := canon.CoreI32
	factor := int32(2)
	if fe == encUTF16 {
		factor = 3
	}
	w := uint64(fe.width())
	g.checkLength(sl, fe.width())
	srcBytes := g.scaled(sl, fe.width())
	g.allocFirst(s, sp, srcBytes, d, dp, sl, 1)
	i, u, v := g.local(i32), g.local(i32), g.local(i32)
	g.locals = append(g.locals, wasm.ValV128)
	vec := g.nparams + uint32(len(g.locals)) - 1
	simd := func(op uint32) { c.Prefixed(wasm.PrefixSIMD, op) }
	unit := func(off uint64) {
		c.LocalGet(sp).LocalGet(i)
		if w == 2 {
			c.I32Const(1).Op(0x74)
		}
		c.Op(wasm.OpI32Add)
		if w == 2 {
			c.Load(wasm.OpI32Load16U, 0, off, s.mem)
		} else {
			c.Load(wasm.OpI32Load8U, 0, off, s.mem)
		}
	}
	out := func() { c.LocalGet(dp).LocalGet(dl).Op(wasm.OpI32Add) }
	// First pass: ASCII, eight units at a time.
	c.I32Const(0).LocalSet(i)
	c.Block(wasm.BlockEmpty).Loop(wasm.BlockEmpty)
	c.LocalGet(i).LocalGet(sl).Op(wasm.OpI32GeU).BrIf(1)
	c.LocalGet(sl).LocalGet(i).Op(wasm.OpI32Sub).I32Const(8).Op(wasm.OpI32GeU).If(wasm.BlockEmpty)
	c.LocalGet(sp).LocalGet(i)
	if w == 2 {
		c.I32Const(1).Op(0x74).Op(wasm.OpI32Add)
		simd(wasm.SIMDV128Load)
	} else {
		c.Op(wasm.OpI32Add)
		simd(2) // v128.load8x8_u
	}
	c.MemArg(wasm.MemArg{Mem: s.mem}).LocalTee(vec)
	c.I32Const(0xFF80)
	simd(16) // i16x8.splat
	simd(78) // v128.and
	simd(83) // v128.any_true
	c.Op(wasm.OpI32Eqz).If(wasm.BlockEmpty)
	c.LocalGet(dp).LocalGet(i).Op(wasm.OpI32Add)
	c.LocalGet(vec).LocalGet(vec)
	simd(102) // i8x16.narrow_i16x8_u: the eight bytes, twice
	simd(29)  // i64x2.extract_lane 0
	c.Op(0)
	c.Store(wasm.OpI64Store, 0, 0, d.mem)
	c.LocalGet(i).I32Const(8).Op(wasm.OpI32Add).LocalSet(i).Br(2)
	c.End().End()
	unit(0)
	c.LocalTee(u).I32Const(0x80).Op(wasm.OpI32GeU).BrIf(1)
	c.LocalGet(dp).LocalGet(i).Op(wasm.OpI32Add).LocalGet(u).Store(wasm.OpI32Store8, 0, 0, d.mem)
	c.LocalGet(i).I32Const(1).Op(wasm.OpI32Add).LocalSet(i).Br(0)
	c.End().End()
	c.LocalGet(i).LocalSet(dl)
	c.LocalGet(i).LocalGet(sl).Op(wasm.OpI32Ne).If(wasm.BlockEmpty)
	{
		g.checkLength(sl, factor)
		worst := g.scaled(sl, factor)
		g.realloc(d, func() { c.LocalGet(dp).LocalGet(sl).I32Const(1).LocalGet(worst) }, dp, worst, 1, trapStringOOB)
		// Second pass: every character, one to four bytes.
		c.Block(wasm.BlockEmpty).Loop(wasm.BlockEmpty)
		c.LocalGet(i).LocalGet(sl).Op(wasm.OpI32GeU).BrIf(1)
		unit(0)
		c.LocalSet(u)
		c.LocalGet(i).I32Const(1).Op(wasm.OpI32Add).LocalSet(i)
		if w == 2 {
			// A surrogate: a high one and a low one make a code point.
			c.LocalGet(u).I32Const(0xF800).Op(wasm.OpI32And).I32Const(0xD800).Op(wasm.OpI32Eq).If(wasm.BlockEmpty)
			c.LocalGet(u).I32Const(0xDC00).Op(wasm.OpI32GeU).LocalGet(i).LocalGet(sl).Op(wasm.OpI32GeU).Op(wasm.OpI32Or)
			g.trapIf(trapBadUTF16)
			unit(0)
			c.LocalTee(v).I32Const(0xFC00).Op(wasm.OpI32And).I32Const(0xDC00).Op(wasm.OpI32Ne)
			g.trapIf(trapBadUTF16)
			c.LocalGet(u).I32Const(0x3FF).Op(wasm.OpI32And).I32Const(10).Op(0x74)
			c.LocalGet(v).I32Const(0x3FF).Op(wasm.OpI32And).Op(wasm.OpI32Or).I32Const(0x10000).Op(wasm.OpI32Add).LocalSet(u)
			c.LocalGet(i).I32Const(1).Op(wasm.OpI32Add).LocalSet(i)
			c.End()
		}
		// The bytes of code point u.
		byteAt := func(off uint64, val func()) {
			out()
			val()
			c.Store(wasm.OpI32Store8, 0, off, d.mem)
		}
		cont := func(shift int32) func() {
			return func() {
				c.LocalGet(u)
				if shift > 0 {
					c.I32Const(shift).Op(0x76)
				}
				c.I32Const(0x3F).Op(wasm.OpI32And).I32Const(0x80).Op(wasm.OpI32Or)
			}
		}
		lead := func(shift, mark int32) func() {
			return func() { c.LocalGet(u).I32Const(shift).Op(0x76).I32Const(mark).Op(wasm.OpI32Or) }
		}
		advance := func(n int32) { c.LocalGet(dl).I32Const(n).Op(wasm.OpI32Add).LocalSet(dl).Br(1) }
		c.LocalGet(u).I32Const(0x80).Op(wasm.OpI32LtU).If(wasm.BlockEmpty)
		byteAt(0, func() { c.LocalGet(u) })
		advance(1)
		c.End()
		c.LocalGet(u).I32Const(0x800).Op(wasm.OpI32LtU).If(wasm.BlockEmpty)
		byteAt(0, lead(6, 0xC0))
		byteAt(1, cont(0))
		advance(2)
		c.End()
		c.LocalGet(u).I32Const(0x10000).Op(wasm.OpI32LtU).If(wasm.BlockEmpty)
		byteAt(0, lead(12, 0xE0))
		byteAt(1, cont(6))
		byteAt(2, cont(0))
		advance(3)
		c.End()
		byteAt(0, lead(18, 0xF0))
		byteAt(1, cont(12))
		byteAt(2, cont(6))
		byteAt(3, cont(0))
		c.LocalGet(dl).I32Const(4).Op(wasm.OpI32Add).LocalSet(dl).Br(0)
		c.End().End()
		g.shrink(d, dp, worst, 1, func() { c.LocalGet(dl) })
	}
	c.End()
}

// strToCompact is the spec's store_string_to_latin1_or_utf16 from UTF-8
// or UTF-16, in wasm: Latin-1 first, in as many bytes as code units; at
// the first character Latin-1 cannot hold, the block grows to UTF-16's
// worst case, what was written is inflated in place and the rest encoded
// as UTF-16.
func (g *gen) strToCompact(fe fixedEnc, s *adapterSide, sp, sl uint32, d *adapterSide, dp, dl uint32) {
	c := &g.c
	i32 := canon.CoreI32
	g.checkLength(sl, fe.width())
	srcBytes := g.scaled(sl, fe.width())
	g.allocFirst(s, sp, srcBytes, d, dp, sl, 2)
	i, o, u, n := g.local(i32), g.local(i32), g.local(i32), g.local(i32)
	b := [4]uint32{g.local(i32), g.local(i32), g.local(i32), g.local(i32)}
	w := uint64(fe.width())
	srcAt := func(off uint64, op byte) {
		c.LocalGet(sp).LocalGet(i)
		if w == 2 {
			c.I32Const(1).Op(0x74)
		}
		c.Op(wasm.OpI32Add).Load(op, 0, off, s.mem)
	}
	// First pass: Latin-1 while the characters fit in a byte.
	c.I32Const(0).LocalSet(i).I32Const(0).LocalSet(o)
	c.Block(wasm.BlockEmpty).Loop(wasm.BlockEmpty)
	c.LocalGet(i).LocalGet(sl).Op(wasm.OpI32GeU).BrIf(1)
	if w == 2 {
		srcAt(0, wasm.OpI32Load16U)
		c.LocalTee(u).I32Const(0xFF).Op(wasm.OpI32GtU).BrIf(1)
		c.I32Const(1).LocalSet(n)
	} else {
		srcAt(0, wasm.OpI32Load8U)
		c.LocalTee(b[0]).LocalSet(u)
		c.I32Const(1).LocalSet(n)
		c.LocalGet(b[0]).I32Const(0x80).Op(wasm.OpI32GeU).If(wasm.BlockEmpty)
		// Only C2 and C3 lead the two-byte forms of U+0080..U+00FF.
		c.LocalGet(b[0]).I32Const(0xC2).Op(wasm.OpI32LtU).LocalGet(b[0]).I32Const(0xC3).Op(wasm.OpI32GtU).Op(wasm.OpI32Or).BrIf(2)
		g.utf8Seq(func(off uint64, op byte) { srcAt(off, op) }, sl, i, n, b, func(int) {})
		c.LocalGet(b[0]).I32Const(0x1F).Op(wasm.OpI32And).I32Const(6).Op(0x74)
		c.LocalGet(b[1]).I32Const(0x3F).Op(wasm.OpI32And).Op(wasm.OpI32Or).LocalSet(u)
		c.End()
	}
	c.LocalGet(dp).LocalGet(o).Op(wasm.OpI32Add).LocalGet(u).Store(wasm.OpI32Store8, 0, 0, d.mem)
	c.LocalGet(o).I32Const(1).Op(wasm.OpI32Add).LocalSet(o)
	c.LocalGet(i).LocalGet(n).Op(wasm.OpI32Add).LocalSet(i).Br(0)
	c.End().End()
	c.LocalGet(i).LocalGet(sl).Op(wasm.OpI32Eq).If(wasm.BlockEmpty)
	c.LocalGet(o).LocalSet(dl)
	g.shrink(d, dp, sl, 2, func() { c.LocalGet(dl) })
	c.Else()
	{
		if fe == encUTF8 {
			g.checkLength(sl, 2)
		}
		worst := g.scaled(sl, 2)
		g.realloc(d, func() { c.LocalGet(dp).LocalGet(sl).I32Const(2).LocalGet(worst) }, dp, worst, 2, trapStringOOB)
		// Inflate the Latin-1 written so far in place, from the end.
		j := g.local(i32)
		c.LocalGet(o).LocalSet(j)
		c.Block(wasm.BlockEmpty).Loop(wasm.BlockEmpty)
		c.LocalGet(j).Op(wasm.OpI32Eqz).BrIf(1)
		c.LocalGet(j).I32Const(1).Op(wasm.OpI32Sub).LocalSet(j)
		c.LocalGet(dp).LocalGet(j).I32Const(1).Op(0x74).Op(wasm.OpI32Add)
		c.LocalGet(dp).LocalGet(j).Op(wasm.OpI32Add).Load(wasm.OpI32Load8U, 0, 0, d.mem)
		c.Store(wasm.OpI32Store16, 0, 0, d.mem)
		c.Br(0)
		c.End().End()
		c.LocalGet(o).I32Const(1).Op(0x74).LocalSet(o) // now a byte offset in UTF-16
		if fe == encUTF8 {
			g.utf8ToUTF16(s, sp, sl, d, dp, dl, i, o)
		} else {
			g.utf16Rest(s, sp, sl, d, dp, i, o)
			c.LocalGet(o).I32Const(1).Op(0x76).LocalSet(dl)
		}
		g.shrink(d, dp, worst, 2, func() { c.LocalGet(dl).I32Const(1).Op(0x74) })
		c.LocalGet(dl).I32Const(tagI32).Op(0x72).LocalSet(dl) // i32.or
	}
	c.End()
}

// utf16Rest copies the UTF-16 units of the string of sl units at sp (side
// s), from unit i on, to byte o on at dp (side d), checking surrogates and
// advancing o.
func (g *gen) utf16Rest(s *adapterSide, sp, sl uint32, d *adapterSide, dp, i, o uint32) {
	c := &g.c
	i32 := canon.CoreI32
	u, v := g.local(i32), g.local(i32)
	unit := func(off uint64) {
		c.LocalGet(sp).LocalGet(i).I32Const(1).Op(0x74).Op(wasm.OpI32Add).Load(wasm.OpI32Load16U, 0, off, s.mem)
	}
	put := func(off uint64, x uint32) {
		c.LocalGet(dp).LocalGet(o).Op(wasm.OpI32Add).LocalGet(x).Store(wasm.OpI32Store16, 0, off, d.mem)
	}
	c.Block(wasm.BlockEmpty).Loop(wasm.BlockEmpty)
	c.LocalGet(i).LocalGet(sl).Op(wasm.OpI32GeU).BrIf(1)
	unit(0)
	c.LocalSet(u)
	put(0, u)
	c.LocalGet(u).I32Const(0xF800).Op(wasm.OpI32And).I32Const(0xD800).Op(wasm.OpI32Eq).If(wasm.BlockEmpty)
	c.LocalGet(u).I32Const(0xDC00).Op(wasm.OpI32GeU)
	c.LocalGet(sl).LocalGet(i).Op(wasm.OpI32Sub).I32Const(2).Op(wasm.OpI32LtU).Op(wasm.OpI32Or)
	g.trapIf(trapBadUTF16)
	unit(2)
	c.LocalTee(v).I32Const(0xFC00).Op(wasm.OpI32And).I32Const(0xDC00).Op(wasm.OpI32Ne)
	g.trapIf(trapBadUTF16)
	put(2, v)
	c.LocalGet(i).I32Const(1).Op(wasm.OpI32Add).LocalSet(i)
	c.LocalGet(o).I32Const(2).Op(wasm.OpI32Add).LocalSet(o)
	c.End()
	c.LocalGet(i).I32Const(1).Op(wasm.OpI32Add).LocalSet(i)
	c.LocalGet(o).I32Const(2).Op(wasm.OpI32Add).LocalSet(o).Br(0)
	c.End().End()
}

// strProbablyUTF16 is the spec's store_probably_utf16_to_latin1_or_utf16,
// in wasm: the UTF-16 copied (surrogates checked) into the worst case;
// when every unit fits a byte it is compacted to Latin-1 in place and the
// block shrunk.
func (g *gen) strProbablyUTF16(s *adapterSide, sp, sl uint32, d *adapterSide, dp, dl uint32) {
	c := &g.c
	i32 := canon.CoreI32
	g.checkLength(sl, 2)
	bytes := g.scaled(sl, 2)
	g.allocFirst(s, sp, bytes, d, dp, bytes, 2)
	i, o := g.local(i32), g.local(i32)
	c.I32Const(0).LocalSet(i).I32Const(0).LocalSet(o)
	g.utf16Rest(s, sp, sl, d, dp, i, o)
	// Latin-1 when every unit is below 0x100: compacted in place.
	j := g.local(i32)
	c.I32Const(0).LocalSet(j)
	c.Block(wasm.BlockEmpty).Loop(wasm.BlockEmpty)
	c.LocalGet(j).LocalGet(sl).Op(wasm.OpI32GeU).BrIf(1)
	c.LocalGet(dp).LocalGet(j).I32Const(1).Op(0x74).Op(wasm.OpI32Add).Load(wasm.OpI32Load16U, 0, 0, d.mem)
	c.I32Const(0xFF).Op(wasm.OpI32GtU).BrIf(1)
	c.LocalGet(j).I32Const(1).Op(wasm.OpI32Add).LocalSet(j).Br(0)
	c.End().End()
	c.LocalGet(j).LocalGet(sl).Op(wasm.OpI32Eq).If(wasm.BlockEmpty)
	{
		c.I32Const(0).LocalSet(j)
		c.Block(wasm.BlockEmpty).Loop(wasm.BlockEmpty)
		c.LocalGet(j).LocalGet(sl).Op(wasm.OpI32GeU).BrIf(1)
		c.LocalGet(dp).LocalGet(j).Op(wasm.OpI32Add)
		c.LocalGet(dp).LocalGet(j).I32Const(1).Op(0x74).Op(wasm.OpI32Add).Load(wasm.OpI32Load16U, 0, 0, d.mem)
		c.Store(wasm.OpI32Store8, 0, 0, d.mem)
		c.LocalGet(j).I32Const(1).Op(wasm.OpI32Add).LocalSet(j).Br(0)
		c.End().End()
		c.LocalGet(sl).LocalSet(dl)
		g.shrink(d, dp, bytes, 2, func() { c.LocalGet(dl) })
	}
	c.Else()
	c.LocalGet(sl).I32Const(tagI32).Op(0x72).LocalSet(dl)
	c.End()
}

// tagI32 is utf16Tag as an i32 constant.
const tagI32 = -1 << 31

// strCopyUTF8 copies a UTF-8 string to a UTF-8 side in wasm, validating
// it as the spec's decoding does (no overlong forms, surrogates or code
// points above U+10FFFF). A short string is copied and checked in one
// loop, eight bytes at a time while they are ASCII; a long one is one
// memory.copy, then checked sixteen bytes at a time (each access to a
// memory other than the adapter's first is a call, under multimem).
func (g *gen) strCopyUTF8(s *adapterSide, sp, sl uint32, d *adapterSide, dp, dl uint32) {
	c := &g.c
	g.checkLength(sl, 1)
	g.allocFirst(s, sp, sl, d, dp, sl, 1)
	c.LocalGet(sl).I32Const(utf8BulkCopy).Op(wasm.OpI32GeU).If(wasm.BlockEmpty)
	c.LocalGet(dp).LocalGet(sp).LocalGet(sl).MemoryCopy(d.mem, s.mem)
	g.utf8Loop(s, sp, sl, nil, 0)
	c.Else()
	g.utf8Loop(s, sp, sl, d, dp)
	c.End()
	c.LocalGet(sl).LocalSet(dl)
}

// utf8BulkCopy is the byte length from which strCopyUTF8 copies with
// memory.copy before validating.
const utf8BulkCopy = 128

// utf8Loop validates the UTF-8 string of sl bytes at sp (side s); when d
// is set it also copies it to dp there, as it goes.
func (g *gen) utf8Loop(s *adapterSide, sp, sl uint32, d *adapterSide, dp uint32) {
	c := &g.c
	i32, i64 := canon.CoreI32, canon.CoreI64
	i, n, w := g.local(i32), g.local(i32), g.local(i64)
	b := [4]uint32{g.local(i32), g.local(i32), g.local(i32), g.local(i32)}
	src := func(off uint64, op byte) { c.LocalGet(sp).LocalGet(i).Op(wasm.OpI32Add).Load(op, 0, off, s.mem) }
	store := func(off uint64, op byte, v uint32, vt canon.CoreType) {
		if d != nil {
			c.LocalGet(dp).LocalGet(i).Op(wasm.OpI32Add).LocalGet(v).Store(op, 0, off, d.mem)
		}
	}
	c.I32Const(0).LocalSet(i)
	c.Block(wasm.BlockEmpty).Loop(wasm.BlockEmpty)
	c.LocalGet(i).LocalGet(sl).Op(wasm.OpI32GeU).BrIf(1)
	// A run of ASCII bytes: eight (copying) or sixteen at once.
	step := int32(8)
	if d == nil {
		step = 16
	}
	c.LocalGet(sl).LocalGet(i).Op(wasm.OpI32Sub).I32Const(step).Op(wasm.OpI32GeU).If(wasm.BlockEmpty)
	if d != nil {
		src(0, wasm.OpI64Load)
		c.LocalTee(w).I64Const(-0x7f7f7f7f7f7f7f80).Op(wasm.OpI64And).Op(wasm.OpI64Eqz)
	} else {
		c.LocalGet(sp).LocalGet(i).Op(wasm.OpI32Add)
		c.Prefixed(wasm.PrefixSIMD, wasm.SIMDV128Load).MemArg(wasm.MemArg{Mem: s.mem})
		c.Prefixed(wasm.PrefixSIMD, 100).Op(wasm.OpI32Eqz) // i8x16.bitmask: no high bit set
	}
	c.If(wasm.BlockEmpty)
	store(0, wasm.OpI64Store, w, i64)
	c.LocalGet(i).I32Const(step).Op(wasm.OpI32Add).LocalSet(i).Br(2)
	c.End().End()
	// One character.
	src(0, wasm.OpI32Load8U)
	c.LocalTee(b[0]).I32Const(0x80).Op(wasm.OpI32LtU).If(wasm.BlockEmpty)
	store(0, wasm.OpI32Store8, b[0], i32)
	c.LocalGet(i).I32Const(1).Op(wasm.OpI32Add).LocalSet(i).Br(1)
	c.End()
	g.utf8Seq(src, sl, i, n, b, func(k int) { store(uint64(k), wasm.OpI32Store8, b[k], i32) })
	store(0, wasm.OpI32Store8, b[0], i32)
	c.LocalGet(i).LocalGet(n).Op(wasm.OpI32Add).LocalSet(i).Br(0)
	c.End().End()
}

// utf8Seq checks the multi-byte UTF-8 sequence whose lead byte is in b[0]
// (at least 0x80), at offset i of a string of sl bytes that src loads
// from: it sets n to its length and b[1:n] to its bytes, calling each(k)
// after loading byte k, and traps unless the spec's decoding accepts it.
func (g *gen) utf8Seq(src func(off uint64, op byte), sl, i, n uint32, b [4]uint32, each func(k int)) {
	c := &g.c
	c.LocalGet(b[0]).I32Const(0xC2).Op(wasm.OpI32LtU).LocalGet(b[0]).I32Const(0xF5).Op(wasm.OpI32GeU).Op(wasm.OpI32Or)
	g.trapIf(trapBadUTF8)
	// The sequence's length: 2 below 0xE0, 3 below 0xF0, else 4.
	c.I32Const(2).LocalGet(b[0]).I32Const(0xE0).Op(wasm.OpI32GeU).Op(wasm.OpI32Add)
	c.LocalGet(b[0]).I32Const(0xF0).Op(wasm.OpI32GeU).Op(wasm.OpI32Add).LocalSet(n)
	c.LocalGet(sl).LocalGet(i).Op(wasm.OpI32Sub).LocalGet(n).Op(wasm.OpI32LtU)
	g.trapIf(trapIncompleteUTF8)
	for k := 1; k < 4; k++ {
		if k > 1 {
			c.LocalGet(n).I32Const(int32(k)).Op(wasm.OpI32GtU).If(wasm.BlockEmpty)
		}
		src(uint64(k), wasm.OpI32Load8U)
		c.LocalTee(b[k]).I32Const(0xC0).Op(wasm.OpI32And).I32Const(0x80).Op(wasm.OpI32Ne)
		g.trapIf(trapBadUTF8)
		each(k)
		if k > 1 {
			c.End()
		}
	}
	// The second byte's narrower ranges after E0 (no overlong), ED (no
	// surrogate), F0 (no overlong) and F4 (at most U+10FFFF).
	narrow := func(lead, cmp int32, op byte) {
		c.LocalGet(b[0]).I32Const(lead).Op(wasm.OpI32Eq).LocalGet(b[1]).I32Const(cmp).Op(op).Op(wasm.OpI32And)
	}
	narrow(0xE0, 0xA0, wasm.OpI32LtU)
	narrow(0xED, 0x9F, wasm.OpI32GtU)
	c.Op(wasm.OpI32Or)
	narrow(0xF0, 0x90, wasm.OpI32LtU)
	c.Op(wasm.OpI32Or)
	narrow(0xF4, 0x8F, wasm.OpI32GtU)
	c.Op(wasm.OpI32Or)
	g.trapIf(trapBadUTF8)
}

// strCopyUTF16 copies a UTF-16 string to a UTF-16 side in wasm: four
// units at a time while all are below 0x8000 (no surrogates there), else
// one unit, a high surrogate with its low one.
func (g *gen) strCopyUTF16(s *adapterSide, sp, sl uint32, d *adapterSide, dp, dl uint32) {
	c := &g.c
	i32, i64 := canon.CoreI32, canon.CoreI64
	g.checkLength(sl, 2)
	bytes := g.scaled(sl, 2)
	g.allocFirst(s, sp, bytes, d, dp, bytes, 2)
	i, u, v, w := g.local(i32), g.local(i32), g.local(i32), g.local(i64)
	src := func(off uint64, op byte) { c.LocalGet(sp).LocalGet(i).Op(wasm.OpI32Add).Load(op, 0, off, s.mem) }
	dstAddr := func() { c.LocalGet(dp).LocalGet(i).Op(wasm.OpI32Add) }
	c.I32Const(0).LocalSet(i) // a byte offset
	c.Block(wasm.BlockEmpty).Loop(wasm.BlockEmpty)
	c.LocalGet(i).LocalGet(bytes).Op(wasm.OpI32GeU).BrIf(1)
	c.LocalGet(bytes).LocalGet(i).Op(wasm.OpI32Sub).I32Const(8).Op(wasm.OpI32GeU).If(wasm.BlockEmpty)
	src(0, wasm.OpI64Load)
	c.LocalTee(w).I64Const(-0x7fff7fff7fff8000).Op(wasm.OpI64And).Op(wasm.OpI64Eqz).If(wasm.BlockEmpty)
	dstAddr()
	c.LocalGet(w).Store(wasm.OpI64Store, 0, 0, d.mem)
	c.LocalGet(i).I32Const(8).Op(wasm.OpI32Add).LocalSet(i).Br(2)
	c.End().End()
	src(0, wasm.OpI32Load16U)
	c.LocalSet(u)
	dstAddr()
	c.LocalGet(u).Store(wasm.OpI32Store16, 0, 0, d.mem)
	c.LocalGet(u).I32Const(0xF800).Op(wasm.OpI32And).I32Const(0xD800).Op(wasm.OpI32Eq).If(wasm.BlockEmpty)
	{
		// A surrogate: a high one followed by a low one.
		c.LocalGet(u).I32Const(0xDC00).Op(wasm.OpI32GeU)
		c.LocalGet(bytes).LocalGet(i).Op(wasm.OpI32Sub).I32Const(4).Op(wasm.OpI32LtU).Op(wasm.OpI32Or)
		g.trapIf(trapBadUTF16)
		src(2, wasm.OpI32Load16U)
		c.LocalTee(v).I32Const(0xFC00).Op(wasm.OpI32And).I32Const(0xDC00).Op(wasm.OpI32Ne)
		g.trapIf(trapBadUTF16)
		dstAddr()
		c.LocalGet(v).Store(wasm.OpI32Store16, 0, 2, d.mem)
		c.LocalGet(i).I32Const(2).Op(wasm.OpI32Add).LocalSet(i)
	}
	c.End()
	c.LocalGet(i).I32Const(2).Op(wasm.OpI32Add).LocalSet(i).Br(0)
	c.End().End()
	c.LocalGet(sl).LocalSet(dl)
}

// strCopyLatin1 copies a Latin-1 string into a latin1+utf16 side: any
// byte is a character, so one memory.copy.
func (g *gen) strCopyLatin1(s *adapterSide, sp, sl uint32, d *adapterSide, dp, dl uint32) {
	g.checkLength(sl, 1)
	g.allocFirst(s, sp, sl, d, dp, sl, 2)
	g.c.LocalGet(dp).LocalGet(sp).LocalGet(sl).MemoryCopy(d.mem, s.mem)
	g.c.LocalGet(sl).LocalSet(dl)
}

// utf8ToUTF16 decodes the UTF-8 string of sl bytes at sp (side s), from
// byte i on, into UTF-16 at dp (side d, room for 2*sl bytes), from byte o
// on, in wasm, validating it, and sets dl to the code units in the block:
// eight ASCII bytes at a time widened with v128.load8x8_u, else one
// character.
func (g *gen) utf8ToUTF16(s *adapterSide, sp, sl uint32, d *adapterSide, dp, dl, i, o uint32) {
	c := &g.c
	i32 := canon.CoreI32
	n, cp := g.local(i32), g.local(i32)
	b := [4]uint32{g.local(i32), g.local(i32), g.local(i32), g.local(i32)}
	g.locals = append(g.locals, wasm.ValV128)
	v := g.nparams + uint32(len(g.locals)) - 1
	src := func(off uint64, op byte) { c.LocalGet(sp).LocalGet(i).Op(wasm.OpI32Add).Load(op, 0, off, s.mem) }
	out := func() { c.LocalGet(dp).LocalGet(o).Op(wasm.OpI32Add) }
	simd := func(op uint32) { c.Prefixed(wasm.PrefixSIMD, op) }
	c.Block(wasm.BlockEmpty).Loop(wasm.BlockEmpty)
	c.LocalGet(i).LocalGet(sl).Op(wasm.OpI32GeU).BrIf(1)
	c.LocalGet(sl).LocalGet(i).Op(wasm.OpI32Sub).I32Const(8).Op(wasm.OpI32GeU).If(wasm.BlockEmpty)
	c.LocalGet(sp).LocalGet(i).Op(wasm.OpI32Add)
	simd(2) // v128.load8x8_u: eight bytes as eight u16 lanes
	c.MemArg(wasm.MemArg{Mem: s.mem}).LocalTee(v)
	c.I32Const(0xFF80)
	simd(16) // i16x8.splat
	simd(78) // v128.and
	simd(83) // v128.any_true
	c.Op(wasm.OpI32Eqz).If(wasm.BlockEmpty)
	out()
	c.LocalGet(v)
	simd(wasm.SIMDV128Store)
	c.MemArg(wasm.MemArg{Mem: d.mem})
	c.LocalGet(i).I32Const(8).Op(wasm.OpI32Add).LocalSet(i)
	c.LocalGet(o).I32Const(16).Op(wasm.OpI32Add).LocalSet(o).Br(2)
	c.End().End()
	src(0, wasm.OpI32Load8U)
	c.LocalTee(b[0]).I32Const(0x80).Op(wasm.OpI32LtU).If(wasm.BlockEmpty)
	out()
	c.LocalGet(b[0]).Store(wasm.OpI32Store16, 0, 0, d.mem)
	c.LocalGet(i).I32Const(1).Op(wasm.OpI32Add).LocalSet(i)
	c.LocalGet(o).I32Const(2).Op(wasm.OpI32Add).LocalSet(o).Br(1)
	c.End()
	g.utf8Seq(src, sl, i, n, b, func(int) {})
	// The code point: the lead byte's bits, then six from each of the
	// others.
	c.LocalGet(b[0]).I32Const(0x7F).LocalGet(n).Op(0x76).Op(wasm.OpI32And).LocalSet(cp) // i32.shr_u
	for k := 1; k < 4; k++ {
		if k > 1 {
			c.LocalGet(n).I32Const(int32(k)).Op(wasm.OpI32GtU).If(wasm.BlockEmpty)
		}
		c.LocalGet(cp).I32Const(6).Op(0x74).LocalGet(b[k]).I32Const(0x3F).Op(wasm.OpI32And).Op(wasm.OpI32Or).LocalSet(cp)
		if k > 1 {
			c.End()
		}
	}
	c.LocalGet(cp).I32Const(0x10000).Op(wasm.OpI32LtU).If(wasm.BlockEmpty)
	out()
	c.LocalGet(cp).Store(wasm.OpI32Store16, 0, 0, d.mem)
	c.LocalGet(o).I32Const(2).Op(wasm.OpI32Add).LocalSet(o)
	c.Else()
	c.LocalGet(cp).I32Const(0x10000).Op(wasm.OpI32Sub).LocalSet(cp)
	out()
	c.LocalGet(cp).I32Const(10).Op(0x76).I32Const(0xD800).Op(wasm.OpI32Or).Store(wasm.OpI32Store16, 0, 0, d.mem)
	out()
	c.LocalGet(cp).I32Const(0x3FF).Op(wasm.OpI32And).I32Const(0xDC00).Op(wasm.OpI32Or).Store(wasm.OpI32Store16, 0, 2, d.mem)
	c.LocalGet(o).I32Const(4).Op(wasm.OpI32Add).LocalSet(o)
	c.End()
	c.LocalGet(i).LocalGet(n).Op(wasm.OpI32Add).LocalSet(i).Br(0)
	c.End().End()
	c.LocalGet(o).I32Const(1).Op(0x76).LocalSet(dl)
}
