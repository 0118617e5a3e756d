package canon_test

import (
	"context"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/canon/internal/typestr"
	"github.com/wasmcm/wasmcm/wit"
)

// cpuMetric reports the process's CPU time per op next to the wall-clock
// ns/op, and the throughput it implies: on a machine shared with other
// work the CPU time is the steadier number. Use as defer cpuMetric(b, n)().
func cpuMetric(b *testing.B, bytesPerOp int64) func() {
	start := cpuTime()
	return func() {
		if b.N == 0 {
			return
		}
		per := float64(cpuTime()-start) / float64(b.N)
		b.ReportMetric(per, "cpu-ns/op")
		if bytesPerOp > 0 && per > 0 {
			b.ReportMetric(float64(bytesPerOp)/per, "cpu-GB/s")
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchEnv is a memory with a bump allocator that each iteration resets.
type benchEnv struct {
	cx   *canon.LiftLowerContext
	mem  []byte
	last uint64
	r    *wit.Resolve
	p    *typestr.Parser
}

func newBenchEnv(size int, enc canon.StringEncoding) *benchEnv {
	e := &benchEnv{mem: make([]byte, size), r: &wit.Resolve{}}
	e.p = &typestr.Parser{R: e.r}
	e.cx = &canon.LiftLowerContext{
		ABI:            canon.New(e.r, canon.Addr32),
		Memory:         canon.FixedMemory(e.mem),
		StringEncoding: enc,
		Table:          &canon.ResourceTable{},
		Realloc: func(_ context.Context, old, oldSize, align, newSize uint64) (uint64, error) {
			if old != 0 && newSize <= oldSize {
				return old, nil
			}
			p := (e.last + align - 1) &^ (align - 1)
			e.last = p + newSize
			if old != 0 {
				copy(e.mem[p:], e.mem[old:old+oldSize])
			}
			return p, nil
		},
	}
	return e
}

func (e *benchEnv) typ(b *testing.B, s string) wit.Type {
	t, err := e.p.Parse(s)
	if err != nil {
		b.Fatal(err)
	}
	return t
}

func BenchmarkString16(b *testing.B) {
	ctx := context.Background()
	s := "0123456789abcdef"
	b.Run("fast", func(b *testing.B) {
		e := newBenchEnv(1<<16, canon.UTF8)
		b.SetBytes(int64(len(s)))
		defer cpuMetric(b, int64(len(s)))()
		b.ReportAllocs()
		for b.Loop() {
			e.last = 8
			p, n, err := e.cx.LowerString(ctx, s)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := e.cx.LiftString(p, n); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("value", func(b *testing.B) {
		e := newBenchEnv(1<<16, canon.UTF8)
		v := canon.String(s)
		var out canon.Value
		flat := make([]uint64, 0, 2)
		b.SetBytes(int64(len(s)))
		defer cpuMetric(b, int64(len(s)))()
		b.ReportAllocs()
		for b.Loop() {
			e.last = 8
			f, err := e.cx.LowerFlat(ctx, wit.String, v, flat[:0])
			if err != nil {
				b.Fatal(err)
			}
			if err := e.cx.LiftFlatInto(wit.String, f, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkListU8_1MiB(b *testing.B) {
	ctx := context.Background()
	data := make([]byte, 1<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	e := newBenchEnv(4<<20, canon.UTF8)
	b.Run("lower", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		defer cpuMetric(b, int64(len(data)))()
		b.ReportAllocs()
		for b.Loop() {
			e.last = 8
			if _, _, err := canon.LowerList(ctx, e.cx, data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("lower+lift", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		defer cpuMetric(b, int64(len(data)))()
		b.ReportAllocs()
		for b.Loop() {
			e.last = 8
			p, n, err := canon.LowerList(ctx, e.cx, data)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := canon.LiftList[uint8](e.cx, p, n); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkListU32_1Mi(b *testing.B) {
	ctx := context.Background()
	data := make([]uint32, 1<<20)
	for i := range data {
		data[i] = uint32(i) * 2654435761
	}
	e := newBenchEnv(16<<20, canon.UTF8)
	b.Run("fast", func(b *testing.B) {
		b.SetBytes(4 << 20)
		defer cpuMetric(b, int64(4<<20))()
		b.ReportAllocs()
		for b.Loop() {
			e.last = 8
			p, n, err := canon.LowerList(ctx, e.cx, data)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := canon.LiftList[uint32](e.cx, p, n); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("value", func(b *testing.B) {
		t := e.typ(b, "list<u32>")
		elems := make([]canon.Value, len(data))
		for i, x := range data {
			elems[i] = canon.U32(x)
		}
		v := canon.List(elems...)
		var out canon.Value
		flat := make([]uint64, 0, 2)
		b.SetBytes(4 << 20)
		defer cpuMetric(b, int64(4<<20))()
		b.ReportAllocs()
		for b.Loop() {
			e.last = 8
			f, err := e.cx.LowerFlat(ctx, t, v, flat[:0])
			if err != nil {
				b.Fatal(err)
			}
			if err := e.cx.LiftFlatInto(t, f, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkRecord8(b *testing.B) {
	ctx := context.Background()
	e := newBenchEnv(1<<16, canon.UTF8)
	t := e.typ(b, "record{a: u8, b: s16, c: u32, d: s64, e: f32, f: f64, g: bool, h: char}")
	v := canon.Record(canon.U8(1), canon.S16(-2), canon.U32(3), canon.S64(-4), canon.F32(5.5), canon.F64(6.25), canon.Bool(true), canon.Char('é'))
	l, _ := e.cx.ABI.Layout(t)
	b.Run("flat", func(b *testing.B) {
		var out canon.Value
		flat := make([]uint64, 0, 8)
		b.SetBytes(int64(l.Size))
		defer cpuMetric(b, int64(l.Size))()
		b.ReportAllocs()
		for b.Loop() {
			f, err := e.cx.LowerFlat(ctx, t, v, flat[:0])
			if err != nil {
				b.Fatal(err)
			}
			if err := e.cx.LiftFlatInto(t, f, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("memory", func(b *testing.B) {
		var out canon.Value
		b.SetBytes(int64(l.Size))
		defer cpuMetric(b, int64(l.Size))()
		b.ReportAllocs()
		for b.Loop() {
			if err := e.cx.Store(ctx, t, v, 64); err != nil {
				b.Fatal(err)
			}
			if err := e.cx.LoadInto(t, 64, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkEnum(b *testing.B) {
	ctx := context.Background()
	e := newBenchEnv(1<<16, canon.UTF8)
	t := e.typ(b, "enum{red, green, blue, yellow}")
	v := canon.Enum(2)
	var out canon.Value
	flat := make([]uint64, 0, 1)
	defer cpuMetric(b, 0)()
	b.ReportAllocs()
	for b.Loop() {
		f, err := e.cx.LowerFlat(ctx, t, v, flat[:0])
		if err != nil {
			b.Fatal(err)
		}
		if err := e.cx.LiftFlatInto(t, f, &out); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVariant(b *testing.B) {
	ctx := context.Background()
	e := newBenchEnv(1<<16, canon.UTF8)
	t := e.typ(b, "variant{none, int(s64), flt(f32), pair(tuple<u32, f64>)}")
	v := canon.Variant(3, canon.Tuple(canon.U32(7), canon.F64(2.5)))
	var out canon.Value
	flat := make([]uint64, 0, 4)
	defer cpuMetric(b, 0)()
	b.ReportAllocs()
	for b.Loop() {
		f, err := e.cx.LowerFlat(ctx, t, v, flat[:0])
		if err != nil {
			b.Fatal(err)
		}
		if err := e.cx.LiftFlatInto(t, f, &out); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTranscodeUTF8ToUTF16(b *testing.B) {
	ctx := context.Background()
	for _, tc := range transcodeTexts {
		b.Run(tc.name, func(b *testing.B) {
			e := newBenchEnv(4*len(tc.s)+64, canon.UTF16)
			b.SetBytes(int64(len(tc.s)))
			defer cpuMetric(b, int64(len(tc.s)))()
			b.ReportAllocs()
			for b.Loop() {
				e.last = 8
				if _, _, err := e.cx.LowerString(ctx, tc.s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// transcodeTexts are the texts of the transcoding benchmarks: plain ASCII,
// mixed (Latin-1 letters, CJK, an emoji and ASCII), CJK prose with
// ASCII punctuation, and Latin-1 text (fits latin1+utf16 as one byte a
// character). Throughput is counted in the text's UTF-8 bytes throughout.
var transcodeTexts = []struct{ name, s string }{
	{"ascii", strings.Repeat("The quick brown fox jumps over the lazy dog. ", 1<<14)},
	{"mixed", strings.Repeat("Grüße, 日本語, and 😀! ", 1<<14)},
	{"cjk", strings.Repeat("日本語のテキスト、中文文本。한국어 텍스트 ", 1<<13)},
	{"latin1", strings.Repeat("Ça coûte 5 £? Non, déjà vu à Zürich, señor. ¡Olé! ", 1<<13)},
}

// BenchmarkTranscodeUTF16ToUTF8 lifts a string from a utf16 memory.
func BenchmarkTranscodeUTF16ToUTF8(b *testing.B) {
	ctx := context.Background()
	for _, tc := range transcodeTexts {
		b.Run(tc.name, func(b *testing.B) {
			e := newBenchEnv(4*len(tc.s)+64, canon.UTF16)
			e.last = 8
			p, n, err := e.cx.LowerString(ctx, tc.s)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(tc.s)))
			defer cpuMetric(b, int64(len(tc.s)))()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.cx.LiftString(p, n); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTranscodeLatin1UTF16 lowers a Go string into a latin1+utf16
// memory (which picks Latin-1 or UTF-16 by the text) and lifts it back.
func BenchmarkTranscodeLatin1UTF16(b *testing.B) {
	ctx := context.Background()
	for _, tc := range transcodeTexts {
		b.Run("lower/"+tc.name, func(b *testing.B) {
			e := newBenchEnv(4*len(tc.s)+64, canon.Latin1UTF16)
			b.SetBytes(int64(len(tc.s)))
			defer cpuMetric(b, int64(len(tc.s)))()
			b.ReportAllocs()
			for b.Loop() {
				e.last = 8
				if _, _, err := e.cx.LowerString(ctx, tc.s); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("lift/"+tc.name, func(b *testing.B) {
			e := newBenchEnv(4*len(tc.s)+64, canon.Latin1UTF16)
			e.last = 8
			p, n, err := e.cx.LowerString(ctx, tc.s)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(tc.s)))
			defer cpuMetric(b, int64(len(tc.s)))()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.cx.LiftString(p, n); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTranscodeUTF8 lifts a string from a utf8 memory (validation and
// one copy) and lowers it into one (one copy).
func BenchmarkTranscodeUTF8(b *testing.B) {
	ctx := context.Background()
	for _, tc := range transcodeTexts {
		b.Run(tc.name, func(b *testing.B) {
			e := newBenchEnv(4*len(tc.s)+64, canon.UTF8)
			b.SetBytes(int64(len(tc.s)))
			defer cpuMetric(b, int64(len(tc.s)))()
			b.ReportAllocs()
			for b.Loop() {
				e.last = 8
				p, n, err := e.cx.LowerString(ctx, tc.s)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := e.cx.LiftString(p, n); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
