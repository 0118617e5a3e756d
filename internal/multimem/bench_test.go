package multimem

import (
	"testing"
)

const benchModule = `(module
  (memory $m0 32) (memory $m1 32)
  (func (export "copy10") (param i32) (memory.copy $m1 $m0 (i32.const 0) (i32.const 0) (local.get 0)))
  (func (export "copy01") (param i32) (memory.copy $m0 $m1 (i32.const 0) (i32.const 0) (local.get 0)))
  (func (export "copy00") (param i32) (memory.copy $m0 $m0 (i32.const 0) (i32.const 1048576) (local.get 0)))
  (func (export "load1") (param $n i32) (result i32) (local $acc i32)
    (block (loop
      (br_if 1 (i32.eqz (local.get $n)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (local.set $acc (i32.add (local.get $acc) (i32.load $m1 offset=16 (i32.and (local.get $n) (i32.const 0xfff0)))))
      (br 0)))
    (local.get $acc))
  (func (export "load0") (param $n i32) (result i32) (local $acc i32)
    (block (loop
      (br_if 1 (i32.eqz (local.get $n)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (local.set $acc (i32.add (local.get $acc) (i32.load $m0 offset=16 (i32.and (local.get $n) (i32.const 0xfff0)))))
      (br 0)))
    (local.get $acc))
)`

// BenchmarkCopy copies 1 MiB from the non-native memory 1 to memory 0 and
// back (128-byte blocks), 127 bytes (the 16-, 4- and 1-byte units after
// the blocks), and 1 MiB natively within memory 0 for comparison.
// Measured (2 shared cores, noisy): 64-byte blocks ~2-5.7 GB/s, 128-byte
// ~12-16 GB/s, 256-byte ~5-15 GB/s; 128 it is.
func BenchmarkCopy(b *testing.B) {
	in, err := lowerAndRun(b, assemble(b, benchModule), Options{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	const mib = 1 << 20
	b.Run("1MiB-1to0-and-back", func(b *testing.B) {
		b.SetBytes(2 * mib)
		for i := 0; i < b.N; i++ {
			if _, err := in.call("copy01", mib); err != nil {
				b.Fatal(err)
			}
			if _, err := in.call("copy10", mib); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("127B-1to0-units", func(b *testing.B) {
		b.SetBytes(127)
		for i := 0; i < b.N; i++ {
			if _, err := in.call("copy01", 127); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("1MiB-native-0to0", func(b *testing.B) {
		b.SetBytes(mib)
		for i := 0; i < b.N; i++ {
			if _, err := in.call("copy00", mib); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkLoad is a scalar load from the non-native memory (a call into
// its accessor) beside the same load from the native memory, per load.
func BenchmarkLoad(b *testing.B) {
	in, err := lowerAndRun(b, assemble(b, benchModule), Options{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	const n = 1 << 16
	for _, f := range []string{"load1", "load0"} {
		name := map[string]string{"load1": "non-native", "load0": "native"}[f]
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := in.call(f, n); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/load")
		})
	}
}
