package multimem

import (
	"bytes"
	"encoding/binary"
	"math/rand"
	"testing"

	"github.com/tetratelabs/wazero"

	"github.com/wasmcm/wasmcm/internal/wasm"
)

// The property test runs random programs of loads, stores, copies, fills
// and growths over three memories, lowered, against a model of the
// memories in Go: the same accumulated load results, the same trap (or
// none), the same memory contents and sizes afterwards.

const pageSize = 65536

type model struct {
	mems [3][]byte
	max  [3]int // pages
	acc  uint64
	// trapped is set when the program traps; at is the operation.
	trapped bool
	at      int
}

func (m *model) mix(v uint64) { m.acc = (m.acc ^ v) * 0x100000001b3 }

// storeOp is a store: opcode, width in bytes.
var storeOps = []struct {
	op    byte
	width int
	i64   bool
}{{wasm.OpI32Store8, 1, false}, {wasm.OpI32Store16, 2, false}, {wasm.OpI32Store, 4, false},
	{wasm.OpI64Store8, 1, true}, {wasm.OpI64Store16, 2, true}, {wasm.OpI64Store32, 4, true}, {wasm.OpI64Store, 8, true}}

// loadOps are loads with their width, signedness and result type.
var loadOps = []struct {
	op     byte
	width  int
	signed bool
	i64    bool
}{{wasm.OpI32Load8U, 1, false, false}, {0x2c, 1, true, false}, {wasm.OpI32Load16U, 2, false, false}, {0x2e, 2, true, false},
	{wasm.OpI32Load, 4, false, false}, {0x30, 1, true, true}, {wasm.OpI64Load8U, 1, false, true}, {0x32, 2, true, true},
	{wasm.OpI64Load16U, 2, false, true}, {0x34, 4, true, true}, {wasm.OpI64Load32U, 4, false, true}, {wasm.OpI64Load, 8, false, true}}

type gen struct {
	r *rand.Rand
	c wasm.Code
	m *model
	// trapped is set once the model trapped: later operations are still
	// emitted but not modelled.
	trapped bool
}

// addr picks an address for an access of need bytes: rarely one out of
// bounds (or wrapping), mostly one near either end of memory k.
func (g *gen) addr(k int, need uint64) uint32 {
	size := uint64(len(g.m.mems[k]))
	r := g.r
	if r.Intn(40) == 0 || need > size {
		if r.Intn(4) == 0 {
			return uint32(0xffffffff - r.Intn(16))
		}
		return uint32(size - need + 1 + uint64(r.Intn(16)))
	}
	room := size - need
	if r.Intn(2) == 0 {
		return uint32(uint64(r.Intn(300)) % (room + 1))
	}
	return uint32(room - uint64(r.Intn(300))%(room+1))
}

func (g *gen) inBounds(k int, at, n uint64) bool { return at+n <= uint64(len(g.m.mems[k])) }

const accGlobal = 0

func (g *gen) mixValue() {
	g.c.GlobalGet(accGlobal).Op(0x85).I64Const(0x100000001b3).Op(wasm.OpI64Mul).GlobalSet(accGlobal) // i64.xor
}

func (g *gen) op() {
	m, c, r := g.m, &g.c, g.r
	k := r.Intn(3)
	switch r.Intn(7) {
	case 0, 1: // store
		s := storeOps[r.Intn(len(storeOps))]
		off := uint64([]int{0, 1, 7, 100, 65000}[r.Intn(5)])
		a := g.addr(k, off+uint64(s.width))
		v := r.Uint64()
		c.I32Const(int32(a))
		if s.i64 {
			c.I64Const(int64(v))
		} else {
			c.I32Const(int32(v))
		}
		c.Store(s.op, 0, off, uint32(k))
		if !g.trapped {
			if !g.inBounds(k, uint64(a)+off, uint64(s.width)) {
				g.trapped = true
				return
			}
			var b [8]byte
			binary.LittleEndian.PutUint64(b[:], v)
			copy(m.mems[k][uint64(a)+off:], b[:s.width])
		}
	case 2, 3: // load
		l := loadOps[r.Intn(len(loadOps))]
		off := uint64([]int{0, 3, 8, 65528}[r.Intn(4)])
		a := g.addr(k, off+uint64(l.width))
		c.I32Const(int32(a)).Load(l.op, 0, off, uint32(k))
		if !l.i64 {
			c.Op(wasm.OpI64ExtendU)
		}
		g.mixValue()
		if !g.trapped {
			if !g.inBounds(k, uint64(a)+off, uint64(l.width)) {
				g.trapped = true
				return
			}
			var b [8]byte
			copy(b[:], m.mems[k][uint64(a)+off:uint64(a)+off+uint64(l.width)])
			v := binary.LittleEndian.Uint64(b[:])
			if l.signed {
				sh := 64 - 8*l.width
				v = uint64(int64(v<<sh) >> sh)
			}
			if !l.i64 {
				v &= 0xffffffff
			}
			m.mix(v)
		}
	case 4: // copy
		k2 := r.Intn(3)
		n := uint32(r.Intn(700))
		if r.Intn(4) == 0 {
			n = uint32(r.Intn(5))
		}
		d, s := g.addr(k, uint64(n)), g.addr(k2, uint64(n))
		if r.Intn(3) == 0 && k == k2 && d >= 150 && uint64(d)+uint64(n)+150 <= uint64(len(m.mems[k])) { // overlapping
			s = d + uint32(r.Intn(300)) - 150
		}
		c.I32Const(int32(d)).I32Const(int32(s)).I32Const(int32(n)).MemoryCopy(uint32(k), uint32(k2))
		if !g.trapped {
			if !g.inBounds(k, uint64(d), uint64(n)) || !g.inBounds(k2, uint64(s), uint64(n)) {
				g.trapped = true
				return
			}
			copy(m.mems[k][d:d+n], m.mems[k2][s:s+n])
		}
	case 5: // fill
		n, v := uint32(r.Intn(500)), byte(r.Intn(256))
		d := g.addr(k, uint64(n))
		c.I32Const(int32(d)).I32Const(int32(v)).I32Const(int32(n)).MemoryFill(uint32(k))
		if !g.trapped {
			if !g.inBounds(k, uint64(d), uint64(n)) {
				g.trapped = true
				return
			}
			for i := d; i < d+n; i++ {
				m.mems[k][i] = v
			}
		}
	case 6: // grow or size
		delta, isSize := r.Intn(2), r.Intn(2) == 0
		if isSize {
			c.MemorySize(uint32(k))
		} else {
			c.I32Const(int32(delta)).MemoryGrow(uint32(k))
		}
		c.Op(wasm.OpI64ExtendU)
		g.mixValue()
		if !g.trapped {
			pages := len(m.mems[k]) / pageSize
			switch {
			case isSize:
				m.mix(uint64(pages))
			case pages+delta > m.max[k]:
				m.mix(0xffffffff)
			default:
				m.mix(uint64(pages))
				m.mems[k] = append(m.mems[k], make([]byte, delta*pageSize)...)
			}
		}
	}
}

// program builds a random module and its model's final state.
func program(seed int64, ops int) ([]byte, *model) {
	r := rand.New(rand.NewSource(seed))
	m := &model{max: [3]int{2, 3, 2}}
	b := &wasm.Builder{}
	for k := 0; k < 3; k++ {
		m.mems[k] = make([]byte, pageSize)
		max := uint64(m.max[k])
		b.AddMemory(wasm.MemoryType{Limits: wasm.Limits{Min: 1, Max: &max}})
		b.Export("m"+string(rune('0'+k)), wasm.ExternMemory, uint32(k))
	}
	// Some data to start from.
	for k := 0; k < 3; k++ {
		d := make([]byte, 64+r.Intn(200))
		r.Read(d)
		at := r.Intn(pageSize - len(d))
		b.Datas = append(b.Datas, wasm.Data{Memory: uint32(k), Offset: wasm.ConstI32(int32(at)), Bytes: d})
		copy(m.mems[k][at:], d)
	}
	b.AddGlobal(wasm.Global{Type: wasm.GlobalType{Val: wasm.ValI64, Mutable: true}, Init: append(wasm.AppendS64([]byte{0x42}, 0), wasm.OpEnd)})
	b.Export("acc", wasm.ExternGlobal, accGlobal)
	g := &gen{r: r, m: m}
	for i := 0; i < ops; i++ {
		if g.op(); g.trapped && m.at == 0 {
			m.at = i + 1
		}
	}
	f := b.AddFunc(wasm.Func{Type: b.AddFuncType(nil, nil), Body: g.c.End().Bytes()})
	b.Export("run", wasm.ExternFunc, f)
	m.trapped = g.trapped
	return b.Encode(), m
}

func TestRandomPrograms(t *testing.T) {
	n := 300
	if testing.Short() {
		n = 50
	}
	traps, ran := 0, 0
	for seed := int64(1); seed <= int64(n); seed++ {
		bin, want := program(seed, 40)
		native, cfg := uint32(seed%3), wazero.NewRuntimeConfig()
		if seed%5 == 0 {
			cfg = wazero.NewRuntimeConfigInterpreter()
		}
		in, err := lowerAndRunOn(t, cfg, bin, Options{Native: native}, nil)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		_, err = in.call("run")
		if (err != nil) != want.trapped {
			t.Fatalf("seed %d native %d: trap %v, model trapped %v", seed, native, err, want.trapped)
		}
		if want.trapped {
			traps++
			ran += want.at
		} else {
			ran += 40
		}
		if got := in.main.ExportedGlobal("acc").Get(); got != want.acc {
			t.Fatalf("seed %d native %d: loads accumulated %x, model %x", seed, native, got, want.acc)
		}
		for k := uint32(0); k < 3; k++ {
			mem := in.memory(k)
			b, _ := mem.Read(0, mem.Size())
			if !bytes.Equal(b, want.mems[k]) {
				t.Fatalf("seed %d native %d: memory %d differs from the model (%d bytes, model %d)", seed, native, k, len(b), len(want.mems[k]))
			}
		}
	}
	t.Logf("%d programs, %d trapped, %d operations run", n, traps, ran)
}
