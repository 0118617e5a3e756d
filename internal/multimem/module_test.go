package multimem

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"

	"github.com/wasmcm/wasmcm/internal/wasm"
)

// TestOneMemoryUnchanged checks that modules with one memory or none come
// back as they are, the same bytes.
func TestOneMemoryUnchanged(t *testing.T) {
	for _, src := range []string{`(module)`, `(module (memory 1) (func (export "f")))`, `(module (import "a" "b" (memory 1)))`} {
		bin := assemble(t, src)
		low, err := Lower(bin, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if &low.Main[0] != &bin[0] || len(low.Main) != len(bin) || len(low.Accessors) != 0 {
			t.Errorf("%s: lowered into something else", src)
		}
	}
}

// TestRenumbering checks every place a function index lives once the
// accessor imports shift the defined functions: calls, call_indirect
// through element segments, ref.func in code and in a global, exports,
// the start function (which runs after the data segments it reads).
func TestRenumbering(t *testing.T) {
	const src = `(module
  (import "lib" "seven" (func $seven (result i32)))
  (memory $m0 1) (memory $m1 1)
  (type $ft (func (result i32)))
  (table $t 4 funcref)
  (elem (table $t) (i32.const 0) func $a $b)
  (elem declare func $c)
  (global $g funcref (ref.func $b))
  (global $cnt (mut i32) (i32.const 0))
  (func $a (result i32) (i32.const 10))
  (func $b (result i32) (i32.load8_u $m1 (i32.const 0)))
  (func $c (result i32) (i32.add (call $seven) (i32.const 30)))
  (func $st (global.set $cnt (i32.add (i32.load8_u $m1 (i32.const 1)) (i32.const 100))))
  (start $st)
  (data (memory $m1) (i32.const 0) "\05\07")
  (func (export "ind") (param i32) (result i32) (call_indirect $t (type $ft) (local.get 0)))
  (func (export "refc") (result i32) (table.set $t (i32.const 2) (ref.func $c)) (call_indirect $t (type $ft) (i32.const 2)))
  (func (export "glob") (result i32) (table.set $t (i32.const 3) (global.get $g)) (call_indirect $t (type $ft) (i32.const 3)))
  (func (export "cnt") (result i32) (global.get $cnt))
  (export "a" (func $a))
)`
	lib := map[string]string{"lib": `(module (func (export "seven") (result i32) (i32.const 7)))`}
	in, err := lowerAndRun(t, assemble(t, src), Options{}, lib)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []uint64
		want uint64
	}{{"ind", []uint64{0}, 10}, {"ind", []uint64{1}, 5}, {"refc", nil, 37}, {"glob", nil, 5}, {"cnt", nil, 107}, {"a", nil, 10}} {
		r, err := in.call(c.name, c.args...)
		if err != nil || r[0] != c.want {
			t.Errorf("%s%v = %v, %v; want %d", c.name, c.args, r, err, c.want)
		}
	}
}

// TestInstantiationOrder checks that active segments are applied in
// order across memories and stop at the first that traps, leaving the
// earlier ones written in imported memories. (wazero 1.12 does not trap
// on an element segment out of bounds, so the rule that elements come
// first cannot be seen here.)
func TestInstantiationOrder(t *testing.T) {
	provide := map[string]string{
		"env0": `(module (memory (export "m") 1))`,
		"env1": `(module (memory (export "m") 1))`,
	}
	for _, c := range []struct {
		name, extra  string
		want0, want1 string
	}{
		{"data trap", `(data (memory $m1) (i32.const 65535) "CC")`, "A\x00", "B\x00"},
		{"native trap", `(data (memory $m0) (i32.const 65536) "X")`, "A\x00", "B\x00"},
	} {
		src := `(module
  (import "env0" "m" (memory $m0 1)) (import "env1" "m" (memory $m1 1))
  (data (memory $m0) (i32.const 0) "A")
  (data (memory $m1) (i32.const 0) "B")
  ` + c.extra + `
  (data (memory $m0) (i32.const 1) "D")
  (data (memory $m1) (i32.const 1) "E"))`
		in, err := lowerAndRun(t, assemble(t, src), Options{}, provide)
		if err == nil {
			t.Fatalf("%s: instantiated", c.name)
		}
		for k, want := range []string{c.want0, c.want1} {
			m := in.rt.Module("env" + string(rune('0'+k))).Memory()
			if b, _ := m.Read(0, 2); string(b) != want {
				t.Errorf("%s: memory %d holds %q, want %q", c.name, k, b, want)
			}
		}
	}
}

// simdModule stores a vector into memory 1 and uses every kind of SIMD
// access on it, writing what it read into memory 0.
func simdModule() []byte {
	b := &wasm.Builder{}
	b.AddMemory(wasm.MemoryType{Limits: wasm.Limits{Min: 1}})
	b.AddMemory(wasm.MemoryType{Limits: wasm.Limits{Min: 1}})
	var c wasm.Code
	simd := func(sub uint32, mem uint32, off uint64) *wasm.Code {
		return c.Prefixed(wasm.PrefixSIMD, sub).MemArg(wasm.MemArg{Mem: mem, Offset: off})
	}
	var vec [16]byte
	for i := range vec {
		vec[i] = byte(i*17 + 0x80)
	}
	c.I32Const(16).Prefixed(wasm.PrefixSIMD, 12).Raw(vec[:])
	simd(11, 1, 4) // v128.store mem1 at 20
	c.I32Const(0).I32Const(20)
	simd(0, 1, 0) // v128.load mem1 at 20
	simd(11, 0, 0)
	c.I32Const(32).I32Const(16).I32Const(0)
	simd(0, 0, 0)
	simd(86, 1, 8).Op(2) // v128.load32_lane mem1 at 24 into lane 2
	simd(11, 0, 0)
	c.I32Const(48).I32Const(16)
	simd(10, 1, 0) // v128.load64_splat
	simd(11, 0, 0)
	c.I32Const(64).I32Const(20)
	simd(92, 1, 0) // v128.load32_zero
	simd(11, 0, 0)
	c.I32Const(100).I32Const(0)
	simd(0, 0, 0)
	simd(89, 1, 2).Op(3) // v128.store16_lane mem1 at 102, lane 3
	c.I32Const(80).I32Const(20)
	simd(1, 1, 0) // v128.load8x8_s
	simd(11, 0, 0)
	f := b.AddFunc(wasm.Func{Type: b.AddFuncType(nil, nil), Body: c.End().Bytes()})
	b.Export("run", wasm.ExternFunc, f)
	b.Export("mem1", wasm.ExternMemory, 1)
	return b.Encode()
}

func TestSIMD(t *testing.T) {
	var vec [16]byte
	for i := range vec {
		vec[i] = byte(i*17 + 0x80)
	}
	lane := vec
	copy(lane[8:12], vec[4:8])
	var splat [16]byte
	copy(splat[4:8], vec[0:4])
	copy(splat[8:], splat[:8])
	var zero [16]byte
	copy(zero[:4], vec[:4])
	var ext [16]byte
	for i := 0; i < 8; i++ {
		binary.LittleEndian.PutUint16(ext[2*i:], uint16(int16(int8(vec[i]))))
	}
	// Both of wazero's engines: the runtime offers the interpreter too, and
	// the block functions pass eight v128 values.
	for i := 0; i < 4; i++ {
		native, cfg := uint32(i%2), wazero.NewRuntimeConfig()
		if i >= 2 {
			cfg = wazero.NewRuntimeConfigInterpreter()
		}
		in, err := lowerAndRunOn(t, cfg, simdModule(), Options{Native: native}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := in.call("run"); err != nil {
			t.Fatal(err)
		}
		m0 := in.memory(0)
		for _, c := range []struct {
			at   uint32
			want [16]byte
		}{{0, vec}, {32, lane}, {48, splat}, {64, zero}, {80, ext}} {
			if b, _ := m0.Read(c.at, 16); !bytes.Equal(b, c.want[:]) {
				t.Errorf("native %d: memory 0 at %d: % x, want % x", native, c.at, b, c.want)
			}
		}
		if b, _ := in.memory(1).Read(102, 2); !bytes.Equal(b, vec[6:8]) {
			t.Errorf("native %d: store16_lane wrote % x", native, b)
		}
	}
}

// TestAtomicsRefused checks that an atomic access to a non-native memory
// is refused with the function and the offset.
func TestAtomicsRefused(t *testing.T) {
	b := &wasm.Builder{}
	b.AddMemory(wasm.MemoryType{Limits: wasm.Limits{Min: 1, Max: ptr(uint64(1)), Shared: true}})
	b.AddMemory(wasm.MemoryType{Limits: wasm.Limits{Min: 1, Max: ptr(uint64(1)), Shared: true}})
	var c wasm.Code
	c.I32Const(0).Prefixed(wasm.PrefixAtomics, 0x10).MemArg(wasm.MemArg{Align: 2, Mem: 0}).Drop()
	c.I32Const(0).Prefixed(wasm.PrefixAtomics, 0x10).MemArg(wasm.MemArg{Align: 2, Mem: 1}).Drop()
	b.AddFunc(wasm.Func{Type: b.AddFuncType(nil, nil), Body: c.End().Bytes()})
	_, err := Lower(b.Encode(), Options{})
	if err == nil || !strings.Contains(err.Error(), "function 0 at offset 0x") || !strings.Contains(err.Error(), "atomics") {
		t.Fatalf("err = %v", err)
	}
	// On the native memory they stay.
	if _, err := Lower(b.Encode(), Options{Native: 1}); err == nil {
		t.Fatal("memory 0 is not native then: want an error")
	}
}

func ptr[T any](v T) *T { return &v }

// TestBadInput checks that truncated or inconsistent modules give errors.
func TestBadInput(t *testing.T) {
	bin := assemble(t, twoMems)
	for n := 8; n < len(bin); n += 7 {
		if _, err := Lower(bin[:n], Options{}); err == nil {
			// A cut at a section boundary is a valid module with fewer
			// sections only when nothing references what was cut.
			continue
		}
	}
	if _, err := Lower(bin, Options{Native: 5}); err == nil || !strings.Contains(err.Error(), "out of range") {
		t.Fatalf("native 5: %v", err)
	}
}

// TestLoweredValidates checks the lowered modules with wasm-tools when it is
// installed.
func TestLoweredValidates(t *testing.T) {
	tool, err := exec.LookPath("wasm-tools")
	if err != nil {
		t.Skip("wasm-tools not installed")
	}
	dir := t.TempDir()
	for i, bin := range [][]byte{assemble(t, scenarioModule("did")), assemble(t, twoMems), simdModule()} {
		for native := uint32(0); native < 2; native++ {
			low, err := Lower(bin, Options{Native: native})
			if err != nil {
				t.Fatal(err)
			}
			mods := [][]byte{low.Main}
			for _, a := range low.Accessors {
				mods = append(mods, a.Module)
			}
			for j, m := range mods {
				p := filepath.Join(dir, "m.wasm")
				os.WriteFile(p, m, 0o644)
				if out, err := exec.Command(tool, "validate", "--features", "all", p).CombinedOutput(); err != nil {
					t.Errorf("module %d native %d part %d: %v\n%s", i, native, j, err, out)
				}
			}
		}
	}
}
