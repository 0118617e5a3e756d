package multimem

import (
	"fmt"
	"strconv"

	"github.com/wasmcm/wasmcm/internal/wasm"
)

// accKind says what an accessor function does.
type accKind uint8

const (
	accAccess     accKind = iota // a load or store (op, sub, memarg, lane)
	accSize                      // memory.size
	accGrow                      // memory.grow
	accFill                      // memory.fill
	accCopy                      // memory.copy within the memory
	accInit                      // memory.init from data segment x
	accDrop                      // data.drop of the copy of segment x
	accReadBlock                 // 128 bytes as eight v128
	accWriteBlock                // eight v128 to 128 bytes
)

// blockSize is the number of bytes read_block and write_block move.
const blockSize = 128

// accKey identifies one accessor function of a memory.
type accKey struct {
	kind accKind
	op   byte
	sub  uint32
	mem  wasm.MemArg // Mem is always 0
	lane byte
	x    uint32
}

// name is the export name of the function in the accessor module.
func (k accKey) name() string {
	switch k.kind {
	case accAccess:
		s := "access/" + strconv.FormatUint(uint64(k.op), 16)
		if k.op >= wasm.PrefixGC {
			s += "." + strconv.FormatUint(uint64(k.sub), 10)
		}
		s += "/o" + strconv.FormatUint(k.mem.Offset, 10) + "/a" + strconv.FormatUint(uint64(k.mem.Align), 10)
		if k.op == wasm.PrefixSIMD && k.sub >= 84 && k.sub <= 91 {
			s += "/l" + strconv.Itoa(int(k.lane))
		}
		return s
	case accInit:
		return "memory.init/" + strconv.FormatUint(uint64(k.x), 10)
	case accDrop:
		return "data.drop/" + strconv.FormatUint(uint64(k.x), 10)
	}
	return [...]string{accSize: "memory.size", accGrow: "memory.grow", accFill: "memory.fill", accCopy: "memory.copy",
		accReadBlock: "read_block", accWriteBlock: "write_block"}[k.kind]
}

var (
	i32  = wasm.ValI32
	v128 = wasm.ValV128
)

// accessType gives the value type a load produces or a store consumes, and
// whether the access is a store; ok is false for anything else.
func accessType(op byte, sub uint32) (t wasm.ValType, store, lane, ok bool) {
	switch {
	case op >= 0x28 && op <= 0x35:
		return [...]wasm.ValType{i32, wasm.ValI64, wasm.ValF32, wasm.ValF64, i32, i32, i32, i32,
			wasm.ValI64, wasm.ValI64, wasm.ValI64, wasm.ValI64, wasm.ValI64, wasm.ValI64}[op-0x28], false, false, true
	case op >= 0x36 && op <= 0x3e:
		return [...]wasm.ValType{i32, wasm.ValI64, wasm.ValF32, wasm.ValF64, i32, i32,
			wasm.ValI64, wasm.ValI64, wasm.ValI64}[op-0x36], true, false, true
	case op == wasm.PrefixSIMD:
		switch {
		case sub <= 10 || sub == 92 || sub == 93:
			return v128, false, false, true
		case sub == 11:
			return v128, true, false, true
		case sub >= 84 && sub <= 87:
			return v128, false, true, true
		case sub >= 88 && sub <= 91:
			return v128, true, true, true
		}
	}
	return wasm.ValType{}, false, false, false
}

// sig is the function type of an accessor function.
func (k accKey) sig() (params, results []wasm.ValType) {
	switch k.kind {
	case accAccess:
		t, store, lane, _ := accessType(k.op, k.sub)
		switch {
		case lane && store:
			return []wasm.ValType{i32, v128}, nil
		case lane:
			return []wasm.ValType{i32, v128}, []wasm.ValType{v128}
		case store:
			return []wasm.ValType{i32, t}, nil
		}
		return []wasm.ValType{i32}, []wasm.ValType{t}
	case accSize:
		return nil, []wasm.ValType{i32}
	case accGrow:
		return []wasm.ValType{i32}, []wasm.ValType{i32}
	case accFill, accCopy, accInit:
		return []wasm.ValType{i32, i32, i32}, nil
	case accDrop:
		return nil, nil
	case accReadBlock, accWriteBlock:
		vs := make([]wasm.ValType, blockSize/16)
		for i := range vs {
			vs[i] = v128
		}
		if k.kind == accReadBlock {
			return []wasm.ValType{i32}, vs
		}
		return append([]wasm.ValType{i32}, vs...), nil
	}
	return nil, nil
}

// body is the accessor function's code, doing the operation on memory 0.
func (k accKey) body(localData uint32) []byte {
	var c wasm.Code
	params, _ := k.sig()
	switch k.kind {
	case accAccess:
		for i := range params {
			c.LocalGet(uint32(i))
		}
		if k.op >= wasm.PrefixGC {
			c.Prefixed(k.op, k.sub)
		} else {
			c.Op(k.op)
		}
		c.MemArg(k.mem)
		if _, _, lane, _ := accessType(k.op, k.sub); lane {
			c.Op(k.lane)
		}
	case accSize:
		c.MemorySize(0)
	case accGrow:
		c.LocalGet(0).MemoryGrow(0)
	case accFill:
		c.LocalGet(0).LocalGet(1).LocalGet(2).MemoryFill(0)
	case accCopy:
		c.LocalGet(0).LocalGet(1).LocalGet(2).MemoryCopy(0, 0)
	case accInit:
		c.LocalGet(0).LocalGet(1).LocalGet(2).MemoryInit(localData, 0)
	case accDrop:
		c.DataDrop(localData)
	case accReadBlock:
		for j := uint64(0); j < blockSize/16; j++ {
			c.LocalGet(0).Prefixed(wasm.PrefixSIMD, wasm.SIMDV128Load).MemArg(wasm.MemArg{Offset: 16 * j})
		}
	case accWriteBlock:
		for j := uint64(0); j < blockSize/16; j++ {
			c.LocalGet(0).LocalGet(uint32(1+j)).Prefixed(wasm.PrefixSIMD, wasm.SIMDV128Store).MemArg(wasm.MemArg{Offset: 16 * j})
		}
	}
	return c.End().Bytes()
}

// accessor collects what one non-native memory's accessor module exports.
type accessor struct {
	mem   uint32
	keys  []accKey
	index map[accKey]int
	base  uint32 // function index in Main of keys[0]'s import
	// datas maps an original data segment to its copy in the accessor.
	datas    map[uint32]uint32
	dataList []uint32
	exports  []string
	imp      *wasm.Import
}

// dataSeg is one data segment of the original module.
type dataSeg struct {
	active bool
	mem    uint32
	offset []byte // constant expression with its end
	bytes  []byte
}

// copyPair is a memory.copy between two different memories (dst, src).
type copyPair struct{ dst, src uint32 }

// lowering holds the state of one Lower call.
type lowering struct {
	bin  []byte
	info *wasm.ModuleInfo
	opts Options

	secs    map[byte]*wasm.Reader
	customs []wasm.Custom
	datas   []dataSeg
	bodies  []body
	ordered bool
	start   *uint32

	acc     []*accessor // by memory index; nil for the native memory
	nImport uint32      // accessor functions Main imports
	final   bool        // indices are assigned: emit instead of collecting

	helpers   []copyPair
	helperIdx map[copyPair]int
	// dropped lists the segments data.drop names (pass 1): each copy of
	// them in an accessor is dropped too.
	dropped []uint32
}

// body is a function body: its locals declaration and its instructions.
type body struct {
	locals []byte
	code   []byte
	base   int // offset of code in the input
}

func (l *lowering) run() (*Lowered, error) {
	info := l.info
	l.acc = make([]*accessor, len(info.Memories))
	for k := range info.Memories {
		if uint32(k) != l.opts.Native {
			l.acc[k] = &accessor{mem: uint32(k), index: map[accKey]int{}, datas: map[uint32]uint32{}}
		}
	}
	l.helperIdx = map[copyPair]int{}
	if err := l.readSections(); err != nil {
		return nil, err
	}
	if l.start != nil {
		if _, err := l.funcIndex(*l.start, 0); err != nil {
			return nil, fmt.Errorf("multimem: start function: %w", err)
		}
	}
	// Memory imports and exports of the moved memories.
	mi := 0
	for i := range info.Imports {
		im := info.Imports[i]
		if im.Type.Kind != wasm.ExternMemory {
			continue
		}
		if a := l.acc[mi]; a != nil {
			a.imp = &im
		}
		mi++
	}
	for _, e := range info.Exports {
		if e.Kind == wasm.ExternMemory && int64(e.Index) < int64(len(l.acc)) && l.acc[e.Index] != nil {
			l.acc[e.Index].exports = append(l.acc[e.Index].exports, e.Name)
		}
	}
	// Pass 1 collects the accessor functions, pass 2 emits.
	if err := l.collectData(); err != nil {
		return nil, err
	}
	for i := range l.bodies {
		if _, err := l.rewriteBody(i); err != nil {
			return nil, err
		}
	}
	for _, x := range l.dropped {
		for _, a := range l.acc {
			if a != nil {
				if _, ok := a.datas[x]; ok {
					l.use(a, accKey{kind: accDrop, x: x})
				}
			}
		}
	}
	l.final = true
	next := uint32(info.ImportedFuncs)
	for _, a := range l.acc {
		if a != nil {
			a.base = next
			next += uint32(len(a.keys))
		}
	}
	l.nImport = next - uint32(info.ImportedFuncs)
	main, err := l.emitMain()
	if err != nil {
		return nil, err
	}
	out := &Lowered{Main: main, Native: l.opts.Native}
	for _, a := range l.acc {
		if a == nil {
			continue
		}
		mod, err := l.emitAccessor(a)
		if err != nil {
			return nil, err
		}
		out.Accessors = append(out.Accessors, Accessor{Memory: a.mem, Module: mod, Name: l.moduleName(a.mem), Import: a.imp, Exports: a.exports})
	}
	return out, nil
}

func (l *lowering) moduleName(k uint32) string {
	return l.opts.ModulePrefix + strconv.FormatUint(uint64(k), 10)
}

// readSections splits the module into its sections and reads the data
// segments and function bodies.
func (l *lowering) readSections() error {
	r := wasm.NewReader(l.bin, 0)
	if _, err := r.Bytes(8); err != nil {
		return err
	}
	l.secs = map[byte]*wasm.Reader{}
	for !r.EOF() {
		id, _ := r.Byte()
		sec, err := r.Sub(fmt.Sprintf("section %d", id))
		if err != nil {
			return err
		}
		if id == wasm.SecCustom {
			name, err := sec.Name()
			if err != nil {
				return err
			}
			if name != "name" {
				l.customs = append(l.customs, wasm.Custom{Name: name, Data: sec.Rest()})
			}
			continue
		}
		l.secs[id] = sec
	}
	if s := l.secs[wasm.SecStart]; s != nil {
		f, err := s.U32()
		if err != nil {
			return err
		}
		l.start = &f
	}
	if s := l.secs[wasm.SecData]; s != nil {
		n, err := s.Count("data segments")
		if err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			at := s.Offset()
			flags, err := s.U32()
			if err != nil {
				return err
			}
			var d dataSeg
			switch flags {
			case 0, 2:
				d.active = true
				if flags == 2 {
					if d.mem, err = s.U32(); err != nil {
						return err
					}
				}
				if int64(d.mem) >= int64(len(l.info.Memories)) {
					return wasm.ErrorAt(at, "data segment %d: memory %d out of range", i, d.mem)
				}
				start := s.Offset()
				if err := s.SkipConstExpr(); err != nil {
					return err
				}
				d.offset = l.bin[start:s.Offset()]
			case 1:
			default:
				return wasm.ErrorAt(at, "data segment %d: invalid flags %d", i, flags)
			}
			size, err := s.U32()
			if err != nil {
				return err
			}
			if d.bytes, err = s.Bytes(int(size)); err != nil {
				return err
			}
			l.datas = append(l.datas, d)
		}
	}
	if s := l.secs[wasm.SecCode]; s != nil {
		n, err := s.Count("function bodies")
		if err != nil {
			return err
		}
		if n != l.info.NumFuncs()-l.info.ImportedFuncs {
			return s.Errorf("%d function bodies for %d functions", n, l.info.NumFuncs()-l.info.ImportedFuncs)
		}
		for i := 0; i < n; i++ {
			br, err := s.Sub("function body")
			if err != nil {
				return err
			}
			start := br.Offset()
			runs, err := br.Count("locals")
			if err != nil {
				return err
			}
			for j := 0; j < runs; j++ {
				if _, err := br.U32(); err != nil {
					return err
				}
				if _, err := br.ReadValType(); err != nil {
					return err
				}
			}
			codeAt := br.Offset()
			code := br.Rest()
			l.bodies = append(l.bodies, body{locals: l.bin[start:codeAt], code: code, base: codeAt})
		}
	} else if l.info.NumFuncs() > l.info.ImportedFuncs {
		return fmt.Errorf("multimem: %d functions but no code section", l.info.NumFuncs()-l.info.ImportedFuncs)
	}
	return nil
}

// collectData decides whether active segments must be applied by a start
// function and registers what that start function calls.
func (l *lowering) collectData() error {
	for _, d := range l.datas {
		if d.active && d.mem != l.opts.Native {
			l.ordered = true
		}
	}
	if !l.ordered {
		return nil
	}
	for x, d := range l.datas {
		if d.active && d.mem != l.opts.Native {
			a := l.acc[d.mem]
			l.useData(a, uint32(x))
			l.use(a, accKey{kind: accInit, x: uint32(x)})
			l.use(a, accKey{kind: accDrop, x: uint32(x)})
		}
	}
	return nil
}

// useData gives segment x a copy in accessor a.
func (l *lowering) useData(a *accessor, x uint32) {
	if _, ok := a.datas[x]; !ok {
		a.datas[x] = uint32(len(a.dataList))
		a.dataList = append(a.dataList, x)
	}
}

// use registers an accessor function (pass 1) or returns its function index
// in Main (pass 2).
func (l *lowering) use(a *accessor, k accKey) uint32 {
	i, ok := a.index[k]
	if !ok {
		if l.final {
			panic("multimem: accessor function not collected") // a bug in this package, not bad input
		}
		i = len(a.keys)
		a.index[k] = i
		a.keys = append(a.keys, k)
	}
	return a.base + uint32(i)
}

// helper registers or finds the function copying from memory src to dst.
func (l *lowering) helper(dst, src uint32) uint32 {
	p := copyPair{dst, src}
	i, ok := l.helperIdx[p]
	if !ok {
		i = len(l.helpers)
		l.helperIdx[p] = i
		l.helpers = append(l.helpers, p)
		for _, m := range []uint32{dst, src} {
			if a := l.acc[m]; a != nil {
				l.use(a, accKey{kind: accSize})
			}
		}
		if a := l.acc[src]; a != nil {
			l.use(a, accKey{kind: accReadBlock})
			for _, u := range copyUnits {
				l.use(a, u.load)
			}
		}
		if a := l.acc[dst]; a != nil {
			l.use(a, accKey{kind: accWriteBlock})
			for _, u := range copyUnits {
				l.use(a, u.store)
			}
		}
	}
	return l.definedBase() + uint32(len(l.bodies)+i)
}

// definedBase is the index in Main of the first defined function.
func (l *lowering) definedBase() uint32 { return uint32(l.info.ImportedFuncs) + l.nImport }

// funcIndex renumbers a function index of the original module.
func (l *lowering) funcIndex(f uint32, at int) (uint32, error) {
	if int64(f) >= int64(l.info.NumFuncs()) {
		return 0, wasm.ErrorAt(at, "function index %d out of range", f)
	}
	if f < uint32(l.info.ImportedFuncs) {
		return f, nil
	}
	return f + l.nImport, nil
}

// memIndex checks a memory index of the original module.
func (l *lowering) memIndex(m uint32, at int) error {
	if int64(m) >= int64(len(l.info.Memories)) {
		return wasm.ErrorAt(at, "memory index %d out of range", m)
	}
	return nil
}

// rewriteBody rewrites the instructions of defined function i (pass 1
// only collects).
func (l *lowering) rewriteBody(i int) ([]byte, error) {
	b := l.bodies[i]
	fn := uint32(l.info.ImportedFuncs + i)
	r := wasm.NewReader(b.code, b.base)
	var in wasm.Instr
	var c wasm.Code
	for !r.EOF() {
		at := r.Offset()
		if err := r.ReadInstr(&in); err != nil {
			return nil, fmt.Errorf("multimem: function %d: %w", fn, err)
		}
		raw := b.code[at-b.base : r.Offset()-b.base]
		if err := l.instr(&in, raw, &c, fn, at); err != nil {
			return nil, err
		}
	}
	return c.Bytes(), nil
}

// instr rewrites one instruction of function fn at offset at.
func (l *lowering) instr(in *wasm.Instr, raw []byte, c *wasm.Code, fn uint32, at int) error {
	native := l.opts.Native
	switch in.Imm {
	case wasm.ImmFunc:
		f, err := l.funcIndex(in.X, at)
		if err != nil {
			return err
		}
		c.Op(in.Op)
		c.Raw(wasm.AppendU32(nil, f))
		return nil
	case wasm.ImmMemArg, wasm.ImmMemArgLane:
		m := in.Mem.Mem
		if err := l.memIndex(m, at); err != nil {
			return err
		}
		if m == native {
			if in.Prefixed() {
				c.Prefixed(in.Op, in.Sub)
			} else {
				c.Op(in.Op)
			}
			ma := in.Mem
			ma.Mem = 0
			c.MemArg(ma)
			if in.Imm == wasm.ImmMemArgLane {
				c.Op(in.Lane)
			}
			return nil
		}
		if _, _, _, ok := accessType(in.Op, in.Sub); !ok {
			return fmt.Errorf("multimem: function %d at offset 0x%x: instruction 0x%02x %d uses memory %d, which is not the native memory %d: atomics are not supported on a lowered memory", fn, at, in.Op, in.Sub, m, native)
		}
		k := accKey{kind: accAccess, op: in.Op, sub: in.Sub, mem: wasm.MemArg{Align: in.Mem.Align, Offset: in.Mem.Offset}}
		if in.Imm == wasm.ImmMemArgLane {
			k.lane = in.Lane
		}
		c.Call(l.use(l.acc[m], k))
		return nil
	case wasm.ImmMem: // memory.size, memory.grow, memory.fill
		if err := l.memIndex(in.X, at); err != nil {
			return err
		}
		if in.X == native {
			if in.Prefixed() {
				c.Prefixed(in.Op, in.Sub).Raw([]byte{0})
			} else {
				c.Op(in.Op).Raw([]byte{0})
			}
			return nil
		}
		kind := accFill
		switch in.Op {
		case 0x3f:
			kind = accSize
		case 0x40:
			kind = accGrow
		}
		c.Call(l.use(l.acc[in.X], accKey{kind: kind}))
		return nil
	case wasm.ImmMemInit:
		if err := l.memIndex(in.Y, at); err != nil {
			return err
		}
		if int64(in.X) >= int64(len(l.datas)) {
			return wasm.ErrorAt(at, "data segment %d out of range", in.X)
		}
		if in.Y == native {
			c.MemoryInit(in.X, 0)
			return nil
		}
		a := l.acc[in.Y]
		l.useData(a, in.X)
		c.Call(l.use(a, accKey{kind: accInit, x: in.X}))
		return nil
	case wasm.ImmData:
		if int64(in.X) >= int64(len(l.datas)) {
			return wasm.ErrorAt(at, "data segment %d out of range", in.X)
		}
		c.Raw(raw)
		if l.final {
			for _, a := range l.acc {
				if a != nil {
					if _, ok := a.datas[in.X]; ok {
						c.Call(l.use(a, accKey{kind: accDrop, x: in.X}))
					}
				}
			}
		} else {
			l.dropped = append(l.dropped, in.X)
		}
		return nil
	case wasm.ImmMemCopy:
		d, s := in.X, in.Y
		if err := l.memIndex(d, at); err != nil {
			return err
		}
		if err := l.memIndex(s, at); err != nil {
			return err
		}
		switch {
		case d == native && s == native:
			c.MemoryCopy(0, 0)
		case d == s:
			c.Call(l.use(l.acc[d], accKey{kind: accCopy}))
		default:
			c.Call(l.helper(d, s))
		}
		return nil
	}
	c.Raw(raw)
	return nil
}
