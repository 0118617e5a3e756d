package multimem

import (
	"fmt"

	"github.com/wasmcm/wasmcm/internal/wasm"
)

// typeTable appends function types after the module's own.
type typeTable struct {
	base  uint32
	types []wasm.FuncType
}

func (t *typeTable) index(params, results []wasm.ValType) uint32 {
	ft := wasm.FuncType{Params: params, Results: results}
	for i := range t.types {
		if t.types[i].Equal(&ft) {
			return t.base + uint32(i)
		}
	}
	t.types = append(t.types, ft)
	return t.base + uint32(len(t.types)-1)
}

// Local indices of the copy helpers: parameters dst, src, n, then the
// counter, the two addresses and eight vectors.
const (
	lDst, lSrc, lN, lI, lA, lB, lV0 = 0, 1, 2, 3, 4, 5, 6
)

// emitMain encodes the main module.
func (l *lowering) emitMain() ([]byte, error) {
	info := l.info
	native := l.opts.Native
	types := &typeTable{base: uint32(info.NumTypes())}
	copyType := types.index([]wasm.ValType{i32, i32, i32}, nil)
	startType := types.index(nil, nil)
	var importTypes []uint32
	for _, a := range l.acc {
		if a == nil {
			continue
		}
		for _, k := range a.keys {
			p, r := k.sig()
			importTypes = append(importTypes, types.index(p, r))
		}
	}

	out := append(append([]byte{}, wasm.Magic...), wasm.ModuleVersion...)
	section := func(id byte, body []byte) {
		out = append(out, id)
		out = wasm.AppendU32(out, uint32(len(body)))
		out = append(out, body...)
	}

	// Types: the module's rec groups, then one group per new type.
	{
		n, rest := uint32(0), []byte(nil)
		if r := l.secs[wasm.SecType]; r != nil {
			var err error
			if n, err = r.U32(); err != nil {
				return nil, err
			}
			rest = r.Rest()
		}
		s := wasm.AppendU32(nil, n+uint32(len(types.types)))
		s = append(s, rest...)
		for _, ft := range types.types {
			s = wasm.AppendRecGroup(s, &wasm.RecGroup{Types: []wasm.SubType{{Final: true, Kind: wasm.CompFunc, Func: ft}}})
		}
		section(wasm.SecType, s)
	}

	// Imports: the module's, without the moved memories, then the accessor
	// functions.
	{
		var s []byte
		count := uint32(0)
		if r := l.secs[wasm.SecImport]; r != nil {
			n, err := r.Count("imports")
			if err != nil {
				return nil, err
			}
			mem := uint32(0)
			for i := 0; i < n; i++ {
				at := r.Offset()
				im, err := r.ReadImport()
				if err != nil {
					return nil, err
				}
				if im.Type.Kind == wasm.ExternMemory {
					mem++
					if mem-1 != native {
						continue
					}
				}
				s = append(s, l.bin[at:r.Offset()]...)
				count++
			}
		}
		j := 0
		for _, a := range l.acc {
			if a == nil {
				continue
			}
			for _, k := range a.keys {
				s = wasm.AppendImport(s, wasm.Import{Module: l.moduleName(a.mem), Name: k.name(), Type: wasm.ExternType{Kind: wasm.ExternFunc, Index: importTypes[j]}})
				j++
				count++
			}
		}
		if count > 0 {
			section(wasm.SecImport, append(wasm.AppendU32(nil, count), s...))
		}
	}

	nHelpers := len(l.helpers)
	if l.ordered {
		nHelpers++
	}
	// Functions.
	{
		n, rest := uint32(0), []byte(nil)
		if r := l.secs[wasm.SecFunction]; r != nil {
			var err error
			if n, err = r.U32(); err != nil {
				return nil, err
			}
			rest = r.Rest()
		}
		if total := n + uint32(nHelpers); total > 0 {
			s := append(wasm.AppendU32(nil, total), rest...)
			for range l.helpers {
				s = wasm.AppendU32(s, copyType)
			}
			if l.ordered {
				s = wasm.AppendU32(s, startType)
			}
			section(wasm.SecFunction, s)
		}
	}

	// Tables (their initialisers may name functions).
	if r := l.secs[wasm.SecTable]; r != nil {
		n, err := r.Count("tables")
		if err != nil {
			return nil, err
		}
		s := wasm.AppendU32(nil, uint32(n))
		for i := 0; i < n; i++ {
			at := r.Offset()
			c, err := r.Peek()
			if err != nil {
				return nil, err
			}
			if c != 0x40 {
				if _, err := r.ReadTableType(); err != nil {
					return nil, err
				}
				s = append(s, l.bin[at:r.Offset()]...)
				continue
			}
			if _, err := r.Bytes(2); err != nil {
				return nil, err
			}
			if _, err := r.ReadTableType(); err != nil {
				return nil, err
			}
			s = append(s, l.bin[at:r.Offset()]...)
			if s, err = l.constExpr(s, r); err != nil {
				return nil, err
			}
		}
		section(wasm.SecTable, s)
	}

	if int(native) >= info.ImportedMemories {
		section(wasm.SecMemory, wasm.AppendMemoryType(wasm.AppendU32(nil, 1), info.Memories[native]))
	}
	if r := l.secs[wasm.SecTag]; r != nil {
		section(wasm.SecTag, r.Rest())
	}

	if r := l.secs[wasm.SecGlobal]; r != nil {
		n, err := r.Count("globals")
		if err != nil {
			return nil, err
		}
		s := wasm.AppendU32(nil, uint32(n))
		for i := 0; i < n; i++ {
			at := r.Offset()
			if _, err := r.ReadGlobalType(); err != nil {
				return nil, err
			}
			s = append(s, l.bin[at:r.Offset()]...)
			if s, err = l.constExpr(s, r); err != nil {
				return nil, err
			}
		}
		section(wasm.SecGlobal, s)
	}

	{
		var s []byte
		count := uint32(0)
		for _, e := range info.Exports {
			switch e.Kind {
			case wasm.ExternFunc:
				f, err := l.funcIndex(e.Index, 0)
				if err != nil {
					return nil, fmt.Errorf("multimem: export %q: %w", e.Name, err)
				}
				e.Index = f
			case wasm.ExternMemory:
				if e.Index != native {
					continue // exported by the accessor
				}
				e.Index = 0
			}
			s = wasm.AppendName(s, e.Name)
			s = wasm.AppendU32(append(s, byte(e.Kind)), e.Index)
			count++
		}
		if count > 0 {
			section(wasm.SecExport, append(wasm.AppendU32(nil, count), s...))
		}
	}

	if l.ordered {
		section(wasm.SecStart, wasm.AppendU32(nil, l.definedBase()+uint32(len(l.bodies)+len(l.helpers))))
	} else if l.start != nil {
		f, err := l.funcIndex(*l.start, 0)
		if err != nil {
			return nil, fmt.Errorf("multimem: start function: %w", err)
		}
		section(wasm.SecStart, wasm.AppendU32(nil, f))
	}

	if r := l.secs[wasm.SecElement]; r != nil {
		s, err := l.elements(r)
		if err != nil {
			return nil, err
		}
		section(wasm.SecElement, s)
	}

	if len(l.datas) > 0 {
		section(wasm.SecDataCount, wasm.AppendU32(nil, uint32(len(l.datas))))
	}

	if total := len(l.bodies) + nHelpers; total > 0 {
		s := wasm.AppendU32(nil, uint32(total))
		for i := range l.bodies {
			code, err := l.rewriteBody(i)
			if err != nil {
				return nil, err
			}
			b := l.bodies[i]
			s = wasm.AppendU32(s, uint32(len(b.locals)+len(code)))
			s = append(append(s, b.locals...), code...)
		}
		for _, p := range l.helpers {
			code := l.copyHelper(p)
			s = wasm.AppendU32(s, uint32(len(code)))
			s = append(s, code...)
		}
		if l.ordered {
			code := l.startFunc()
			s = wasm.AppendU32(s, uint32(len(code)))
			s = append(s, code...)
		}
		section(wasm.SecCode, s)
	}

	if len(l.datas) > 0 {
		s := wasm.AppendU32(nil, uint32(len(l.datas)))
		for _, d := range l.datas {
			bytes := d.bytes
			switch {
			case !d.active:
				s = append(s, 1)
			case l.ordered:
				s = append(s, 1) // applied by the start function
				if d.mem != native {
					bytes = nil // the accessor's copy is the one used
				}
			default: // only the native memory has active segments
				s = append(append(s, 0), d.offset...)
			}
			s = wasm.AppendU32(s, uint32(len(bytes)))
			s = append(s, bytes...)
		}
		section(wasm.SecData, s)
	}

	for _, c := range l.customs {
		section(wasm.SecCustom, append(wasm.AppendName(nil, c.Name), c.Data...))
	}
	return out, nil
}

// constExpr appends the constant expression r reads, with function
// indices renumbered.
func (l *lowering) constExpr(s []byte, r *wasm.Reader) ([]byte, error) {
	var in wasm.Instr
	for {
		at := r.Offset()
		if err := r.ReadInstr(&in); err != nil {
			return nil, err
		}
		if in.Imm == wasm.ImmFunc {
			f, err := l.funcIndex(in.X, at)
			if err != nil {
				return nil, err
			}
			s = wasm.AppendU32(append(s, in.Op), f)
			continue
		}
		s = append(s, l.bin[at:r.Offset()]...)
		if in.Op == wasm.OpEnd {
			return s, nil
		}
	}
}

// elements rewrites the element section with function indices renumbered.
func (l *lowering) elements(r *wasm.Reader) ([]byte, error) {
	n, err := r.Count("element segments")
	if err != nil {
		return nil, err
	}
	s := wasm.AppendU32(nil, uint32(n))
	copyU32 := func() error {
		v, err := r.U32()
		s = wasm.AppendU32(s, v)
		return err
	}
	for i := 0; i < n; i++ {
		at := r.Offset()
		flags, err := r.U32()
		if err != nil {
			return nil, err
		}
		if flags > 7 {
			return nil, wasm.ErrorAt(at, "element segment %d: invalid flags %d", i, flags)
		}
		s = wasm.AppendU32(s, flags)
		if flags == 2 || flags == 6 {
			if err := copyU32(); err != nil {
				return nil, err
			}
		}
		if flags&1 == 0 { // active: an offset
			if s, err = l.constExpr(s, r); err != nil {
				return nil, err
			}
		}
		if flags != 0 && flags != 4 { // elemkind or reftype
			if flags&4 == 0 {
				b, err := r.Byte()
				if err != nil {
					return nil, err
				}
				s = append(s, b)
			} else {
				at := r.Offset()
				if _, err := r.ReadValType(); err != nil {
					return nil, err
				}
				s = append(s, l.bin[at:r.Offset()]...)
			}
		}
		m, err := r.Count("elements")
		if err != nil {
			return nil, err
		}
		s = wasm.AppendU32(s, uint32(m))
		for j := 0; j < m; j++ {
			if flags&4 != 0 {
				if s, err = l.constExpr(s, r); err != nil {
					return nil, err
				}
				continue
			}
			at := r.Offset()
			f, err := r.U32()
			if err != nil {
				return nil, err
			}
			if f, err = l.funcIndex(f, at); err != nil {
				return nil, err
			}
			s = wasm.AppendU32(s, f)
		}
	}
	return s, nil
}

// copyUnit is a step of the copy helpers smaller than a block: the load
// and store that move size bytes.
type copyUnit struct {
	size        int32
	load, store accKey
}

// op emits the access k on the native memory.
func (copyUnit) op(c *wasm.Code, k accKey) {
	if k.op >= wasm.PrefixGC {
		c.Prefixed(k.op, k.sub)
	} else {
		c.Op(k.op)
	}
	c.MemArg(k.mem)
}

// copyUnits are the units after the blocks, largest first: a 127-byte
// copy takes 13 steps instead of 127.
var copyUnits = []copyUnit{
	{16, accKey{kind: accAccess, op: wasm.PrefixSIMD, sub: wasm.SIMDV128Load}, accKey{kind: accAccess, op: wasm.PrefixSIMD, sub: wasm.SIMDV128Store}},
	{4, accKey{kind: accAccess, op: wasm.OpI32Load}, accKey{kind: accAccess, op: wasm.OpI32Store}},
	{1, accKey{kind: accAccess, op: wasm.OpI32Load8U}, accKey{kind: accAccess, op: wasm.OpI32Store8}},
}

// sizeBytes pushes the size of memory m in bytes as an i64.
func (l *lowering) sizeBytes(c *wasm.Code, m uint32) {
	if a := l.acc[m]; a != nil {
		c.Call(l.use(a, accKey{kind: accSize}))
	} else {
		c.MemorySize(0)
	}
	c.Op(wasm.OpI64ExtendU).I64Const(16).Op(wasm.OpI64Shl)
}

// copyHelper is the body of the function copying n bytes from memory
// p.src at src to memory p.dst at dst.
func (l *lowering) copyHelper(p copyPair) []byte {
	var c wasm.Code
	// Both ranges are checked before anything is written, as memory.copy
	// does; the trap is a native out-of-bounds access, so that it reads as
	// the one the original instruction gives.
	end := func(addr uint32) {
		c.LocalGet(addr).Op(wasm.OpI64ExtendU).LocalGet(lN).Op(wasm.OpI64ExtendU).Op(wasm.OpI64Add)
	}
	end(lSrc)
	l.sizeBytes(&c, p.src)
	c.Op(wasm.OpI64GtU)
	end(lDst)
	l.sizeBytes(&c, p.dst)
	c.Op(wasm.OpI64GtU)
	c.Op(wasm.OpI32Or).If(wasm.BlockEmpty)
	c.I32Const(-1).Load(wasm.OpI32Load, 0, 0, 0).Drop().Unreachable()
	c.End()

	addrs := func() {
		c.LocalGet(lSrc).LocalGet(lI).Op(wasm.OpI32Add).LocalSet(lA)
		c.LocalGet(lDst).LocalGet(lI).Op(wasm.OpI32Add).LocalSet(lB)
	}
	block := func() {
		addrs()
		src, dst := l.acc[p.src], l.acc[p.dst]
		if dst != nil {
			c.LocalGet(lB)
		}
		if src != nil {
			c.LocalGet(lA).Call(l.use(src, accKey{kind: accReadBlock}))
		} else {
			for j := uint64(0); j < blockSize/16; j++ {
				c.LocalGet(lA).Prefixed(wasm.PrefixSIMD, wasm.SIMDV128Load).MemArg(wasm.MemArg{Offset: 16 * j})
			}
		}
		if dst != nil {
			c.Call(l.use(dst, accKey{kind: accWriteBlock}))
			return
		}
		for j := blockSize/16 - 1; j >= 0; j-- {
			c.LocalSet(uint32(lV0 + j))
		}
		for j := 0; j < blockSize/16; j++ {
			c.LocalGet(lB).LocalGet(uint32(lV0+j)).Prefixed(wasm.PrefixSIMD, wasm.SIMDV128Store).MemArg(wasm.MemArg{Offset: uint64(16 * j)})
		}
	}
	unit := func(u copyUnit) {
		addrs()
		c.LocalGet(lB).LocalGet(lA)
		if a := l.acc[p.src]; a != nil {
			c.Call(l.use(a, u.load))
		} else {
			u.op(&c, u.load)
		}
		if a := l.acc[p.dst]; a != nil {
			c.Call(l.use(a, u.store))
		} else {
			u.op(&c, u.store)
		}
	}
	step := func(d int32) {
		c.LocalGet(lI).I32Const(d).Op(wasm.OpI32Add).LocalSet(lI)
	}
	loop := func(cond func(), body func()) {
		c.Block(wasm.BlockEmpty).Loop(wasm.BlockEmpty)
		cond()
		c.BrIf(1)
		body()
		c.Br(0).End().End()
	}

	// Upwards when the destination is not above the source, downwards
	// otherwise, so that two imports of one memory copy as memmove does:
	// upwards 128-byte blocks while they fit, then 16, 4 and 1-byte units;
	// downwards the units first, from the top, until what is left is a
	// whole number of blocks.
	c.LocalGet(lDst).LocalGet(lSrc).Op(wasm.OpI32LeU).If(wasm.BlockEmpty)
	loop(func() { c.LocalGet(lN).LocalGet(lI).Op(wasm.OpI32Sub).I32Const(blockSize).Op(wasm.OpI32LtU) },
		func() { block(); step(blockSize) })
	for _, u := range copyUnits {
		loop(func() { c.LocalGet(lN).LocalGet(lI).Op(wasm.OpI32Sub).I32Const(u.size).Op(wasm.OpI32LtU) },
			func() { unit(u); step(u.size) })
	}
	c.Else()
	c.LocalGet(lN).LocalSet(lI)
	for j := len(copyUnits) - 1; j >= 0; j-- {
		u, next := copyUnits[j], int32(blockSize)
		if j > 0 {
			next = copyUnits[j-1].size
		}
		loop(func() { c.LocalGet(lI).I32Const(next - 1).Op(wasm.OpI32And).Op(wasm.OpI32Eqz) },
			func() { step(-u.size); unit(u) })
	}
	loop(func() { c.LocalGet(lI).Op(wasm.OpI32Eqz) },
		func() { step(-blockSize); block() })
	c.End()
	c.End()

	locals := wasm.AppendU32(nil, 2)
	locals = wasm.AppendValType(wasm.AppendU32(locals, 3), i32)
	locals = wasm.AppendValType(wasm.AppendU32(locals, blockSize/16), v128)
	return append(locals, c.Bytes()...)
}

// startFunc is the body of the start function that applies the active data
// segments in order, then calls the original start function.
func (l *lowering) startFunc() []byte {
	var c wasm.Code
	for x, d := range l.datas {
		if !d.active {
			continue
		}
		c.Raw(d.offset[:len(d.offset)-1]) // without its end
		c.I32Const(0).I32Const(int32(len(d.bytes)))
		if a := l.acc[d.mem]; a != nil {
			c.Call(l.use(a, accKey{kind: accInit, x: uint32(x)}))
			c.Call(l.use(a, accKey{kind: accDrop, x: uint32(x)}))
		} else {
			c.MemoryInit(uint32(x), 0)
		}
		c.DataDrop(uint32(x))
	}
	if l.start != nil {
		f, _ := l.funcIndex(*l.start, 0) // checked by run
		c.Call(f)
	}
	c.End()
	return append(wasm.AppendU32(nil, 0), c.Bytes()...)
}

// emitAccessor encodes the accessor module of one memory.
func (l *lowering) emitAccessor(a *accessor) ([]byte, error) {
	b := &wasm.Builder{}
	if a.imp != nil {
		b.AddImport(a.imp.Module, a.imp.Name, a.imp.Type)
	} else {
		b.AddMemory(l.info.Memories[a.mem])
	}
	names := map[string]bool{}
	for _, e := range a.exports {
		b.Export(e, wasm.ExternMemory, 0)
		names[e] = true
	}
	for _, x := range a.dataList {
		d := l.datas[x]
		bytes := d.bytes
		if d.active && !(l.ordered && d.mem == a.mem) {
			bytes = nil // already dropped when the module starts
		}
		b.Datas = append(b.Datas, wasm.Data{Bytes: bytes})
	}
	for _, k := range a.keys {
		p, r := k.sig()
		f := b.AddFunc(wasm.Func{Type: b.AddFuncType(p, r), Body: k.body(a.datas[k.x])})
		name := k.name()
		if names[name] {
			return nil, fmt.Errorf("multimem: memory %d is exported as %q, the name of one of its accessor functions", a.mem, name)
		}
		names[name] = true
		b.Export(name, wasm.ExternFunc, f)
	}
	return b.Encode(), nil
}
