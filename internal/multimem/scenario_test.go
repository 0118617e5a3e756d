package multimem

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The scenarios are one module with three memories, written so that each
// exported function runs alone on a fresh instance and returns a digest of
// what it did (every load's value and the first bytes of each memory), or
// traps. They run lowered on wazero with each memory as the native one,
// with memories defined and imported, and, when wasmtime is installed,
// natively on wasmtime for the reference results.

// memDecl declares the three memories: "d" defined, "i" imported from env.
func memDecls(kinds string) string {
	limits := []string{"1 4", "1 3", "2 5"}
	var imp, def strings.Builder
	for k, c := range kinds {
		if c == 'i' {
			fmt.Fprintf(&imp, "  (import \"env%d\" \"m%d\" (memory $m%d %s))\n", k, k, k, limits[k])
		} else {
			fmt.Fprintf(&def, "  (memory $m%d %s)\n", k, limits[k])
		}
	}
	return imp.String() + def.String()
}

// providers define and export the memories a module with kinds imports,
// one module each (wazero has one memory per module).
func providers(kinds string) map[string]string {
	limits := []string{"1 4", "1 3", "2 5"}
	p := map[string]string{}
	for k, c := range kinds {
		if c == 'i' {
			p[fmt.Sprintf("env%d", k)] = fmt.Sprintf("(module (memory (export \"m%d\") %s))", k, limits[k])
		}
	}
	return p
}

// digestWindow is how many bytes of each memory the digest reads.
const digestWindow = 8192

func scenarioModule(kinds string) string {
	var b strings.Builder
	b.WriteString("(module\n")
	b.WriteString(memDecls(kinds))
	b.WriteString(`
  (data (memory $m1) (i32.const 100) "m1-active")
  (data (memory $m0) (i32.const 200) "m0-active")
  (data $p0 "passive-zero-one-two")
  (data (memory $m2) (i32.const 300) "m2-active")
  (data $p1 "\01\02\03\04\05\06\07\08\09\0a")
  (data $a1 (memory $m1) (i32.const 400) "again")
  (func $mix (param i64 i64) (result i64)
    (i64.add (i64.mul (local.get 0) (i64.const 1000003)) (local.get 1)))
`)
	for k := 0; k < 3; k++ {
		fmt.Fprintf(&b, `  (func $hash%d (result i64) (local $i i32) (local $h i64)
    (local.set $h (i64.const 0xcbf29ce484222325))
    (block (loop
      (br_if 1 (i32.ge_u (local.get $i) (i32.const %d)))
      (local.set $h (i64.mul (i64.xor (local.get $h) (i64.load8_u $m%d (local.get $i))) (i64.const 0x100000001b3)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br 0)))
    (call $mix (local.get $h) (i64.extend_i32_u (memory.size $m%d))))
`, k, digestWindow, k, k)
	}
	b.WriteString(`  (func $digest (param $acc i64) (result i64)
    (call $mix (call $mix (call $mix (local.get $acc) (call $hash0)) (call $hash1)) (call $hash2)))
`)
	// Stores of every width, then loads of every width and alignment.
	b.WriteString(`  (func (export "widths") (result i64) (local $acc i64)
    (i32.store $m1 offset=3 (i32.const 1000) (i32.const 0x80818283))
    (i64.store $m1 offset=17 (i32.const 1000) (i64.const 0x8899aabbccddeeff))
    (f32.store $m2 offset=5 (i32.const 2000) (f32.const -1.5))
    (f64.store $m2 offset=9 align=4 (i32.const 2000) (f64.const 3.25))
    (i32.store8 $m1 offset=40 (i32.const 1000) (i32.const 0x1ff))
    (i32.store16 $m1 offset=42 align=1 (i32.const 1000) (i32.const 0x18081))
    (i64.store8 $m2 offset=50 (i32.const 1000) (i64.const 0x1fe))
    (i64.store16 $m2 offset=52 (i32.const 1000) (i64.const 0x8fffe))
    (i64.store32 $m2 offset=56 (i32.const 1000) (i64.const 0x180000001))
    (i32.store $m0 (i32.const 4000) (i32.const 7))
    (i64.store $m0 offset=65528 (i32.const 0) (i64.const -2))
    (i64.store $m1 offset=65520 (i32.const 8) (i64.const -3))
`)
	loads := []struct {
		op, conv string
	}{
		{"i32.load", "i64.extend_i32_u"}, {"i64.load", ""}, {"f32.load", "i32.reinterpret_f32 i64.extend_i32_u"},
		{"f64.load", "i64.reinterpret_f64"}, {"i32.load8_s", "i64.extend_i32_u"}, {"i32.load8_u", "i64.extend_i32_u"},
		{"i32.load16_s", "i64.extend_i32_u"}, {"i32.load16_u", "i64.extend_i32_u"}, {"i64.load8_s", ""},
		{"i64.load8_u", ""}, {"i64.load16_s", ""}, {"i64.load16_u", ""}, {"i64.load32_s", ""}, {"i64.load32_u", ""},
	}
	for _, l := range loads {
		for _, m := range []string{"$m0", "$m1", "$m2"} {
			for _, at := range []struct{ addr, off, align string }{{"1000", "3", ""}, {"1001", "16", "align=1"}, {"2000", "5", ""}, {"1000", "49", ""}, {"0", "65528", ""}} {
				conv := ""
				for _, c := range strings.Fields(l.conv) {
					conv = "(" + c + " " + conv
				}
				closing := strings.Repeat(")", len(strings.Fields(l.conv)))
				fmt.Fprintf(&b, "    (local.set $acc (call $mix (local.get $acc) %s(%s %s offset=%s %s (i32.const %s))%s))\n",
					conv, l.op, m, at.off, at.align, at.addr, closing)
			}
		}
	}
	b.WriteString("    (call $digest (local.get $acc)))\n")

	b.WriteString(`  (func $pattern (param $n i32) (local $i i32)
    (block (loop
      (br_if 1 (i32.ge_u (local.get $i) (local.get $n)))
      (i32.store8 $m1 (local.get $i) (i32.add (i32.mul (local.get $i) (i32.const 7)) (i32.const 3)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br 0))))
  (func (export "copies") (result i64)
    (call $pattern (i32.const 5000))
    (memory.fill $m1 (i32.const 0) (i32.const 0x11) (i32.const 10))
    (memory.copy $m0 $m1 (i32.const 10) (i32.const 1) (i32.const 4099))
    (memory.copy $m2 $m0 (i32.const 7) (i32.const 10) (i32.const 1000))
    (memory.copy $m1 $m2 (i32.const 6000) (i32.const 3) (i32.const 129))
    (memory.copy $m2 $m2 (i32.const 9) (i32.const 7) (i32.const 500))
    (memory.copy $m1 $m1 (i32.const 0) (i32.const 5) (i32.const 300))
    (memory.copy $m1 $m1 (i32.const 7000) (i32.const 6990) (i32.const 300))
    (memory.copy $m0 $m0 (i32.const 3) (i32.const 0) (i32.const 4000))
    (memory.copy $m2 $m1 (i32.const 131072) (i32.const 0) (i32.const 0))
    (memory.copy $m1 $m2 (i32.const 65408) (i32.const 130944) (i32.const 128))
    (memory.copy $m0 $m2 (i32.const 0) (i32.const 131071) (i32.const 1))
    (call $digest (i64.const 0)))
  (func (export "grow") (result i64) (local $acc i64)
    (local.set $acc (call $mix (local.get $acc) (i64.extend_i32_u (memory.size $m1))))
    (local.set $acc (call $mix (local.get $acc) (i64.extend_i32_u (memory.grow $m1 (i32.const 1)))))
    (local.set $acc (call $mix (local.get $acc) (i64.extend_i32_u (memory.grow $m2 (i32.const 10)))))
    (local.set $acc (call $mix (local.get $acc) (i64.extend_i32_u (memory.grow $m2 (i32.const 1)))))
    (local.set $acc (call $mix (local.get $acc) (i64.extend_i32_u (memory.size $m2))))
    (local.set $acc (call $mix (local.get $acc) (i64.extend_i32_u (memory.grow $m0 (i32.const 0)))))
    (memory.fill $m2 (i32.const 131077) (i32.const 0xab) (i32.const 100))
    (memory.fill $m1 (i32.const 100) (i32.const 0xcd) (i32.const 3))
    (local.set $acc (call $mix (local.get $acc) (i64.load $m2 (i32.const 131080))))
    (i32.store $m1 (i32.const 131068) (i32.const 0x55667788))
    (local.set $acc (call $mix (local.get $acc) (i64.load32_u $m1 (i32.const 131068))))
    (call $digest (local.get $acc)))
  (func (export "init") (result i64)
    (memory.init $m1 $p0 (i32.const 100) (i32.const 2) (i32.const 10))
    (memory.init $m2 $p1 (i32.const 5) (i32.const 0) (i32.const 10))
    (memory.init $m0 $p0 (i32.const 50) (i32.const 0) (i32.const 20))
    (memory.init $m2 $p0 (i32.const 60) (i32.const 20) (i32.const 0))
    (data.drop $p0)
    (memory.init $m1 $p0 (i32.const 0) (i32.const 0) (i32.const 0))
    (memory.init $m2 $p0 (i32.const 0) (i32.const 0) (i32.const 0))
    (memory.init $m1 $a1 (i32.const 65536) (i32.const 0) (i32.const 0))
    (call $digest (i64.const 0)))
  (func (export "trap_load") (result i64) (i64.extend_i32_u (i32.load $m1 (i32.const 65533))))
  (func (export "trap_load_offset") (result i64) (i64.load $m2 offset=131070 (i32.const 0)))
  (func (export "trap_store") (result i64) (i64.store16 $m2 offset=131071 (i32.const 0) (i64.const 1)) (i64.const 0))
  (func (export "trap_copy_src") (result i64) (memory.copy $m0 $m1 (i32.const 0) (i32.const 65000) (i32.const 1000)) (i64.const 0))
  (func (export "trap_copy_dst") (result i64) (memory.copy $m1 $m0 (i32.const 65000) (i32.const 0) (i32.const 1000)) (i64.const 0))
  (func (export "trap_copy_wrap") (result i64) (memory.copy $m1 $m2 (i32.const 0) (i32.const 0xffffff00) (i32.const 0x200)) (i64.const 0))
  (func (export "trap_copy_same") (result i64) (memory.copy $m2 $m2 (i32.const 131000) (i32.const 0) (i32.const 100)) (i64.const 0))
  (func (export "trap_fill") (result i64) (memory.fill $m2 (i32.const 131000) (i32.const 0) (i32.const 10000)) (i64.const 0))
  (func (export "trap_init_dropped") (result i64) (data.drop $p1) (memory.init $m2 $p1 (i32.const 0) (i32.const 0) (i32.const 1)) (i64.const 0))
  (func (export "trap_init_active") (result i64) (memory.init $m1 $a1 (i32.const 0) (i32.const 0) (i32.const 1)) (i64.const 0))
  (func (export "trap_init_range") (result i64) (memory.init $m1 $p1 (i32.const 65530) (i32.const 0) (i32.const 10)) (i64.const 0))
`)
	b.WriteString(")\n")
	return b.String()
}

var scenarioNames = []string{"widths", "copies", "grow", "init", "trap_load", "trap_load_offset", "trap_store",
	"trap_copy_src", "trap_copy_dst", "trap_copy_wrap", "trap_copy_same", "trap_fill", "trap_init_dropped",
	"trap_init_active", "trap_init_range"}

// outcome is a scenario's digest, or "trap".
func runScenario(t *testing.T, kinds string, native uint32, name string) string {
	t.Helper()
	in, err := lowerAndRun(t, assemble(t, scenarioModule(kinds)), Options{Native: native}, providers(kinds))
	if err != nil {
		t.Fatalf("instantiate: %v", err)
	}
	r, err := in.call(name)
	if err != nil {
		if !strings.Contains(err.Error(), "out of bounds memory access") {
			t.Fatalf("%s: trap %v, want out of bounds memory access", name, err)
		}
		return "trap"
	}
	return strconv.FormatUint(r[0], 10)
}

// TestScenarios runs every scenario lowered with each memory native and
// with defined, imported and mixed memories; all must agree, and agree
// with wasmtime when it is installed.
func TestScenarios(t *testing.T) {
	want := map[string]string{}
	for _, name := range scenarioNames {
		want[name] = runScenario(t, "ddd", 0, name)
	}
	t.Logf("results on wazero, lowered: %v", want)
	for _, kinds := range []string{"ddd", "iii", "did", "idi"} {
		for native := uint32(0); native < 3; native++ {
			for _, name := range scenarioNames {
				if got := runScenario(t, kinds, native, name); got != want[name] {
					t.Errorf("%s with memories %s, native %d: %s, want %s", name, kinds, native, got, want[name])
				}
			}
		}
	}
	for _, name := range scenarioNames {
		if strings.HasPrefix(name, "trap") != (want[name] == "trap") {
			t.Errorf("%s: %s", name, want[name])
		}
	}
	wasmtime, err := exec.LookPath("wasmtime")
	if err != nil {
		t.Log("wasmtime not installed: results not compared with the reference")
		return
	}
	dir := t.TempDir()
	mod := filepath.Join(dir, "s.wasm")
	if err := os.WriteFile(mod, assemble(t, scenarioModule("ddd")), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range scenarioNames {
		var stdout, stderr bytes.Buffer
		cmd := exec.Command(wasmtime, "run", "--invoke", name, mod)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		got := strings.TrimSpace(stdout.String())
		if err := cmd.Run(); err != nil {
			if !strings.Contains(stderr.String(), "out of bounds memory access") {
				t.Fatalf("wasmtime %s: %v\n%s", name, err, stderr.String())
			}
			got = "trap"
		} else {
			got = strings.TrimSpace(stdout.String())
			if v, err := strconv.ParseInt(got, 10, 64); err == nil {
				got = strconv.FormatUint(uint64(v), 10)
			}
		}
		if got != want[name] {
			t.Errorf("%s: lowered on wazero %s, wasmtime %s", name, want[name], got)
		}
	}
}

// TestTrapWritesNothing checks that a trapping copy between memories
// leaves both unchanged.
func TestTrapWritesNothing(t *testing.T) {
	for _, name := range []string{"trap_copy_src", "trap_copy_dst", "trap_copy_wrap"} {
		in, err := lowerAndRun(t, assemble(t, scenarioModule("ddd")), Options{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var before [3][]byte
		for k := uint32(0); k < 3; k++ {
			b, _ := in.memory(k).Read(0, in.memory(k).Size())
			before[k] = append([]byte(nil), b...)
		}
		if _, err := in.call(name); err == nil {
			t.Fatalf("%s did not trap", name)
		}
		for k := uint32(0); k < 3; k++ {
			b, _ := in.memory(k).Read(0, in.memory(k).Size())
			if !bytes.Equal(b, before[k]) {
				t.Errorf("%s changed memory %d", name, k)
			}
		}
	}
}

// TestSecondMemoryExport checks that an exported non-native memory is the
// accessor's, under the original name, and sees the module's writes.
func TestSecondMemoryExport(t *testing.T) {
	in, err := lowerAndRun(t, assemble(t, twoMems), Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	acc := in.accs[1]
	mem := acc.ExportedMemory("mem1")
	if mem == nil {
		t.Fatal("accessor does not export mem1")
	}
	if in.main.ExportedMemory("mem1") != nil {
		t.Fatal("main still exports mem1")
	}
	if _, err := in.call("store32", 500, 0xdeadbeef); err != nil {
		t.Fatal(err)
	}
	if v, _ := mem.ReadUint32Le(504); v != 0xdeadbeef {
		t.Fatalf("mem1 holds %x", v)
	}
}
