package preview1

import "github.com/wasmcm/wasmcm/internal/wasm"

// This file is a small expression language over the core-wasm emitter, so
// that the adapter's functions read as nested expressions rather than as
// flat stack code. An X emits instructions when the function body is built;
// control constructs keep the label depth so that branches name their
// target by a Label instead of a counted depth.

// X is an expression (it leaves values on the stack) or a statement (it
// leaves none).
type X func(f *fn)

// fn is a function body under construction.
type fn struct {
	g      *gen
	c      wasm.Code
	params []wasm.ValType
	locals []wasm.ValType
	depth  int
}

// Local is a parameter or local variable.
type Local uint32

// Label is a block, loop or if that a branch can target.
type Label struct{ at *int }

func (f *fn) newLocal(t wasm.ValType) Local {
	f.locals = append(f.locals, t)
	return Local(len(f.params) + len(f.locals) - 1)
}

// I32Local and I64Local declare locals.
func (f *fn) I32Local() Local { return f.newLocal(wasm.ValI32) }
func (f *fn) I64Local() Local { return f.newLocal(wasm.ValI64) }

// Seq emits xs in order.
func Seq(xs ...X) X {
	return func(f *fn) {
		for _, x := range xs {
			if x != nil {
				x(f)
			}
		}
	}
}

// I32 and I64 are constants.
func I32(v int32) X { return func(f *fn) { f.c.I32Const(v) } }
func I64(v int64) X { return func(f *fn) { f.c.I64Const(v) } }

// U32 is an i32 constant given as unsigned.
func U32(v uint32) X { return I32(int32(v)) }

// Get reads a local.
func Get(l Local) X { return func(f *fn) { f.c.LocalGet(uint32(l)) } }

// Set writes a local.
func Set(l Local, v X) X { return func(f *fn) { v(f); f.c.LocalSet(uint32(l)) } }

// Tee writes a local and keeps the value.
func Tee(l Local, v X) X { return func(f *fn) { v(f); f.c.LocalTee(uint32(l)) } }

// GGet and GSet read and write a global.
func GGet(g uint32) X      { return func(f *fn) { f.c.GlobalGet(g) } }
func GSet(g uint32, v X) X { return func(f *fn) { v(f); f.c.GlobalSet(g) } }

// op emits its operands and then an instruction without immediates.
func op(o byte, args ...X) X {
	return func(f *fn) {
		for _, a := range args {
			a(f)
		}
		f.c.Op(o)
	}
}

// 32-bit arithmetic and comparisons (unsigned where it matters).
func Add(a, b X) X  { return op(wasm.OpI32Add, a, b) }
func Sub(a, b X) X  { return op(wasm.OpI32Sub, a, b) }
func Mul(a, b X) X  { return op(wasm.OpI32Mul, a, b) }
func And(a, b X) X  { return op(wasm.OpI32And, a, b) }
func Or(a, b X) X   { return op(wasm.OpI32Or, a, b) }
func Shl(a, b X) X  { return op(wasm.OpI32Shl, a, b) }
func ShrU(a, b X) X { return op(wasm.OpI32ShrU, a, b) }
func Eq(a, b X) X   { return op(wasm.OpI32Eq, a, b) }
func Ne(a, b X) X   { return op(wasm.OpI32Ne, a, b) }
func LtU(a, b X) X  { return op(wasm.OpI32LtU, a, b) }
func GtU(a, b X) X  { return op(wasm.OpI32GtU, a, b) }
func LeU(a, b X) X  { return op(wasm.OpI32LeU, a, b) }
func GeU(a, b X) X  { return op(wasm.OpI32GeU, a, b) }
func Eqz(a X) X     { return op(wasm.OpI32Eqz, a) }

// 64-bit arithmetic and conversions.
func Add64(a, b X) X  { return op(wasm.OpI64Add, a, b) }
func Sub64(a, b X) X  { return op(wasm.OpI64Sub, a, b) }
func Mul64(a, b X) X  { return op(wasm.OpI64Mul, a, b) }
func And64(a, b X) X  { return op(wasm.OpI64And, a, b) }
func ShrU64(a, b X) X { return op(wasm.OpI64ShrU, a, b) }
func Eqz64(a X) X     { return op(wasm.OpI64Eqz, a) }
func LtS64(a, b X) X  { return op(0x53, a, b) } // i64.lt_s
func GtU64(a, b X) X  { return op(wasm.OpI64GtU, a, b) }
func Ext64(a X) X     { return op(wasm.OpI64ExtendU, a) }
func Wrap(a X) X      { return op(wasm.OpI32WrapI64, a) }

// Min returns the smaller of two unsigned i32 values (evaluating each once
// into a scratch local).
func (f *fn) Min(a, b X) X {
	x, y := f.I32Local(), f.I32Local()
	return Seq(Set(x, a), Set(y, b), Select(Get(x), Get(y), LtU(Get(x), Get(y))))
}

// Select is a if c != 0 else b.
func Select(a, b, c X) X { return op(wasm.OpSelect, a, b, c) }

// Loads and stores from the main module's memory (memory 0).
func load(o byte, align uint32, addr X, off uint32) X {
	return func(f *fn) { addr(f); f.c.Load(o, align, uint64(off), 0) }
}
func store(o byte, align uint32, addr X, off uint32, v X) X {
	return func(f *fn) { addr(f); v(f); f.c.Store(o, align, uint64(off), 0) }
}

func Ld8(a X, off uint32) X       { return load(wasm.OpI32Load8U, 0, a, off) }
func Ld16(a X, off uint32) X      { return load(wasm.OpI32Load16U, 1, a, off) }
func Ld32(a X, off uint32) X      { return load(wasm.OpI32Load, 2, a, off) }
func Ld64(a X, off uint32) X      { return load(wasm.OpI64Load, 3, a, off) }
func St8(a X, off uint32, v X) X  { return store(wasm.OpI32Store8, 0, a, off, v) }
func St16(a X, off uint32, v X) X { return store(wasm.OpI32Store16, 1, a, off, v) }
func St32(a X, off uint32, v X) X { return store(wasm.OpI32Store, 2, a, off, v) }
func St64(a X, off uint32, v X) X { return store(wasm.OpI64Store, 3, a, off, v) }
func Copy(dst, src, n X) X        { return func(f *fn) { dst(f); src(f); n(f); f.c.MemoryCopy(0, 0) } }
func Fill(dst, v, n X) X          { return func(f *fn) { dst(f); v(f); n(f); f.c.MemoryFill(0) } }
func Grow(pages X) X              { return func(f *fn) { pages(f); f.c.MemoryGrow(0) } }

// Call calls function idx with args.
func Call(idx uint32, args ...X) X {
	return func(f *fn) {
		for _, a := range args {
			a(f)
		}
		f.c.Call(idx)
	}
}

// Drop discards the value of x.
func Drop(x X) X { return func(f *fn) { x(f); f.c.Drop() } }

// Ret returns v (nil for a function without results).
func Ret(v X) X {
	return func(f *fn) {
		if v != nil {
			v(f)
		}
		f.c.Return()
	}
}

// Trap is unreachable.
func Trap() X { return func(f *fn) { f.c.Unreachable() } }

// nest runs body one label deeper, giving it the construct's label.
func (f *fn) nest(body func(Label) []X) {
	f.depth++
	at := f.depth
	for _, x := range body(Label{&at}) {
		if x != nil {
			x(f)
		}
	}
	f.depth--
}

// If runs then when c is not zero.
func If(c X, then ...X) X {
	return func(f *fn) {
		c(f)
		f.c.If(wasm.BlockEmpty)
		f.nest(func(Label) []X { return then })
		f.c.End()
	}
}

// IfElse runs then or els.
func IfElse(c X, then, els []X) X {
	return func(f *fn) {
		c(f)
		f.c.If(wasm.BlockEmpty)
		f.nest(func(Label) []X { return then })
		f.c.Else()
		f.nest(func(Label) []X { return els })
		f.c.End()
	}
}

// Block runs body; a branch to its label leaves the block.
func Block(body func(out Label) []X) X {
	return func(f *fn) {
		f.c.Block(wasm.BlockEmpty)
		f.nest(body)
		f.c.End()
	}
}

// Loop runs body once; a branch to its label starts it again.
func Loop(body func(top Label) []X) X {
	return func(f *fn) {
		f.c.Loop(wasm.BlockEmpty)
		f.nest(body)
		f.c.End()
	}
}

// Br and BrIf branch to a label.
func Br(l Label) X { return func(f *fn) { f.c.Br(uint32(f.depth - *l.at)) } }
func BrIf(l Label, c X) X {
	return func(f *fn) { c(f); f.c.BrIf(uint32(f.depth - *l.at)) }
}

// Each runs body with i = 0, 1, ... while i < n (n is evaluated once per
// iteration). Inside body, brk leaves the loop and next goes on with the
// following i.
func Each(i Local, n X, body func(brk, next Label) []X) X {
	return Seq(Set(i, I32(0)), Block(func(brk Label) []X {
		return []X{Loop(func(top Label) []X {
			return []X{
				BrIf(brk, GeU(Get(i), n)),
				Block(func(next Label) []X { return body(brk, next) }),
				Set(i, Add(Get(i), I32(1))),
				Br(top),
			}
		})}
	}))
}

// While runs body while c is not zero; brk leaves the loop.
func While(c X, body func(brk Label) []X) X {
	return Block(func(brk Label) []X {
		return []X{Loop(func(top Label) []X {
			return append(append([]X{BrIf(brk, Eqz(c))}, body(brk)...), Br(top))
		})}
	})
}

// IfI32 is an if-else expression of type i32: a when c is not zero, else b
// (only the chosen one is evaluated).
func IfI32(c, a, b X) X {
	return func(f *fn) {
		c(f)
		f.c.If(wasm.BlockVal(wasm.ValI32))
		f.nest(func(Label) []X { return []X{a} })
		f.c.Else()
		f.nest(func(Label) []X { return []X{b} })
		f.c.End()
	}
}
