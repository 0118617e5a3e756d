package runtime_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/wasmcm/wasmcm/canon"

	"github.com/wasmcm/wasmcm/runtime"
)

// adapterTrapsWat: $X hands bad values to $Y through general adapters
// (strings, lists, variants need both memories), and $Y returns bad ones;
// each must trap in the reference's words before $Y sees anything.
const adapterTrapsWat = `(component
  (component $Y
    (core module $m
      (memory (export "mem") 1)
      (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0x1000))
      (func (export "take") (param i32 i32) (result i32) (i32.const 0))
      (func (export "opt") (param i32 i32 i32) (result i32) (i32.const 0))
      (func (export "give") (result i32)
        (i32.store (i32.const 0x2000) (i32.const 0x3000))
        (i32.store (i32.const 0x2004) (i32.const 2))
        (i32.store (i32.const 0x3000) (i32.const 0xD800))
        (i32.const 0x2000)))
    (core instance $i (instantiate $m))
    (func (export "str") (param "x" string) (result u32)
      (canon lift (core func $i "take") (memory (core memory $i "mem")) (realloc (core func $i "realloc"))))
    (func (export "str-utf16") (param "x" string) (result u32)
      (canon lift (core func $i "take") (memory (core memory $i "mem")) (realloc (core func $i "realloc")) string-encoding=utf16))
    (func (export "str-compact") (param "x" string) (result u32)
      (canon lift (core func $i "take") (memory (core memory $i "mem")) (realloc (core func $i "realloc")) string-encoding=latin1+utf16))
    (func (export "bytes") (param "x" (list u8)) (result u32)
      (canon lift (core func $i "take") (memory (core memory $i "mem")) (realloc (core func $i "realloc"))))
    (func (export "chars") (param "x" (list char)) (result u32)
      (canon lift (core func $i "take") (memory (core memory $i "mem")) (realloc (core func $i "realloc"))))
    (func (export "opt") (param "x" (option string)) (result u32)
      (canon lift (core func $i "opt") (memory (core memory $i "mem")) (realloc (core func $i "realloc"))))
    (func (export "give") (result (list char))
      (canon lift (core func $i "give") (memory (core memory $i "mem")) (realloc (core func $i "realloc")))))
  (instance $y (instantiate $Y))
  (core module $Mem (memory (export "mem") 1) (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0x800)))
  (core instance $mem (instantiate $Mem))
  (core func $str (canon lower (func $y "str") (memory (core memory $mem "mem"))))
  (core func $str16 (canon lower (func $y "str") (memory (core memory $mem "mem")) string-encoding=utf16))
  (core func $to16 (canon lower (func $y "str-utf16") (memory (core memory $mem "mem"))))
  (core func $tocompact (canon lower (func $y "str-compact") (memory (core memory $mem "mem"))))
  (core func $16tocompact (canon lower (func $y "str-compact") (memory (core memory $mem "mem")) string-encoding=utf16))
  (core func $bytes (canon lower (func $y "bytes") (memory (core memory $mem "mem"))))
  (core func $chars (canon lower (func $y "chars") (memory (core memory $mem "mem"))))
  (core func $opt (canon lower (func $y "opt") (memory (core memory $mem "mem"))))
  (core func $give (canon lower (func $y "give") (memory (core memory $mem "mem")) (realloc (core func $mem "realloc"))))
  (core module $m
    (import "mem" "mem" (memory 1))
    (import "y" "str" (func $str (param i32 i32) (result i32)))
    (import "y" "str16" (func $str16 (param i32 i32) (result i32)))
    (import "y" "to16" (func $to16 (param i32 i32) (result i32)))
    (import "y" "tocompact" (func $tocompact (param i32 i32) (result i32)))
    (import "y" "16tocompact" (func $16tocompact (param i32 i32) (result i32)))
    (import "y" "bytes" (func $bytes (param i32 i32) (result i32)))
    (import "y" "chars" (func $chars (param i32 i32) (result i32)))
    (import "y" "opt" (func $opt (param i32 i32 i32) (result i32)))
    (import "y" "give" (func $give (param i32)))
    (func (export "bad-utf8") (result i32)
      (i32.store8 (i32.const 0x100) (i32.const 0xff))
      (call $str (i32.const 0x100) (i32.const 1)))
    (func (export "string-oob") (result i32) (call $str (i32.const 0xfff0) (i32.const 0x20)))
    (func (export "string-too-long") (result i32) (call $str16 (i32.const 0) (i32.const 0x40000000)))
    (func (export "utf16-unaligned") (result i32) (call $str16 (i32.const 0x101) (i32.const 1)))
    (func (export "bad-utf16") (result i32)
      (i32.store16 (i32.const 0x100) (i32.const 0xDC00))
      (call $str16 (i32.const 0x100) (i32.const 1)))
    (func (export "list-oob") (result i32) (call $bytes (i32.const 0x100) (i32.const 0x10000)))
    (func (export "list-unaligned") (result i32) (call $chars (i32.const 0x102) (i32.const 1)))
    (func (export "bad-char") (result i32)
      (i32.store (i32.const 0x100) (i32.const 0x110000))
      (call $chars (i32.const 0x100) (i32.const 1)))
    (func (export "bad-discriminant") (result i32) (call $opt (i32.const 2) (i32.const 0) (i32.const 0)))
    (func (export "bad-result") (result i32) (call $give (i32.const 0x200)) (i32.const 0))
    (func (export "put") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
    (func (export "send8") (param i32 i32) (result i32) (call $str (local.get 0) (local.get 1)))
    (func (export "send16") (param i32 i32) (result i32) (call $str16 (local.get 0) (local.get 1)))
    (func (export "send8to16") (param i32 i32) (result i32) (call $to16 (local.get 0) (local.get 1)))
    (func (export "send8tocompact") (param i32 i32) (result i32) (call $tocompact (local.get 0) (local.get 1)))
    (func (export "send16tocompact") (param i32 i32) (result i32) (call $16tocompact (local.get 0) (local.get 1))))
  (core instance $i (instantiate $m (with "mem" (instance $mem)) (with "y" (instance
    (export "str" (func $str)) (export "str16" (func $str16)) (export "to16" (func $to16)) (export "tocompact" (func $tocompact)) (export "16tocompact" (func $16tocompact)) (export "bytes" (func $bytes))
    (export "chars" (func $chars)) (export "opt" (func $opt)) (export "give" (func $give))))))
  (func (export "bad-utf8") (result u32) (canon lift (core func $i "bad-utf8")))
  (func (export "string-oob") (result u32) (canon lift (core func $i "string-oob")))
  (func (export "string-too-long") (result u32) (canon lift (core func $i "string-too-long")))
  (func (export "utf16-unaligned") (result u32) (canon lift (core func $i "utf16-unaligned")))
  (func (export "bad-utf16") (result u32) (canon lift (core func $i "bad-utf16")))
  (func (export "list-oob") (result u32) (canon lift (core func $i "list-oob")))
  (func (export "list-unaligned") (result u32) (canon lift (core func $i "list-unaligned")))
  (func (export "bad-char") (result u32) (canon lift (core func $i "bad-char")))
  (func (export "bad-discriminant") (result u32) (canon lift (core func $i "bad-discriminant")))
  (func (export "bad-result") (result u32) (canon lift (core func $i "bad-result")))
  (func (export "put") (param "addr" u32) (param "b" u8) (canon lift (core func $i "put")))
  (func (export "send8") (param "ptr" u32) (param "len" u32) (result u32) (canon lift (core func $i "send8")))
  (func (export "send16") (param "ptr" u32) (param "units" u32) (result u32) (canon lift (core func $i "send16")))
  (func (export "send8to16") (param "ptr" u32) (param "len" u32) (result u32) (canon lift (core func $i "send8to16")))
  (func (export "send8tocompact") (param "ptr" u32) (param "len" u32) (result u32) (canon lift (core func $i "send8tocompact")))
  (func (export "send16tocompact") (param "ptr" u32) (param "units" u32) (result u32) (canon lift (core func $i "send16tocompact"))))`

// TestAdapterTraps checks that a general adapter refuses bad values with
// the reference's words, through core wasm alone (no call goes through
// Go), and that the instance then refuses further calls.
func TestAdapterTraps(t *testing.T) {
	ctx := context.Background()
	c := compileWAT(t, ctx, "adapter-traps.wat", adapterTrapsWat)
	if a, cp := runtime.Fused(c); a != 9 || cp != 0 {
		t.Fatalf("%d adapters and %d Go copies, want 9 adapters", a, cp)
	}
	for _, tc := range []struct{ export, want string }{
		{"bad-utf8", "invalid utf-8"},
		{"string-oob", "string content out-of-bounds"},
		{"string-too-long", "string content out-of-bounds"},
		{"utf16-unaligned", "unaligned pointer"},
		{"bad-utf16", "invalid utf-16"},
		{"list-oob", "list content out-of-bounds"},
		{"list-unaligned", "unaligned pointer"},
		{"bad-char", "invalid `char` bit pattern"},
		{"bad-discriminant", "invalid variant discriminant"},
		{"bad-result", "invalid `char` bit pattern"},
	} {
		inst, err := c.Instantiate(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := inst.Call(ctx, tc.export)
		t.Logf("%s: %v", tc.export, err)
		if err == nil || !runtime.IsTrap(err) || !strings.Contains(err.Error(), "wasm trap: "+tc.want) {
			t.Errorf("%s: %v %v, want a trap saying %q", tc.export, res, err, tc.want)
		}
		if _, err := inst.Call(ctx, "bad-utf8"); err == nil || !strings.Contains(err.Error(), "cannot enter component instance") {
			t.Errorf("%s: the next call: %v, want it refused", tc.export, err)
		}
		if n := inst.GoCalls(); n != 0 {
			t.Errorf("%s: %d calls went through Go", tc.export, n)
		}
		inst.Close(ctx)
	}
}

// TestAdapterStringValidation sends byte sequences as UTF-8 and UTF-16
// strings through adapters, which copy them in wasm: exactly the invalid
// ones trap, with the reference's words.
func TestAdapterStringValidation(t *testing.T) {
	ctx := context.Background()
	c := compileWAT(t, ctx, "adapter-traps.wat", adapterTrapsWat)
	send := func(export string, data []byte, n uint32) error {
		inst, err := c.Instantiate(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer inst.Close(ctx)
		for i, b := range data {
			if _, err := inst.Call(ctx, "put", canon.U32(0x100+uint32(i)), canon.U8(b)); err != nil {
				t.Fatal(err)
			}
		}
		_, err = inst.Call(ctx, export, canon.U32(0x100), canon.U32(n))
		if n := inst.GoCalls(); n != 0 {
			t.Errorf("%d calls went through Go", n)
		}
		return err
	}
	utf8Cases := [][]byte{
		[]byte("plain ascii text, longer than eight bytes"), []byte("é"), []byte("€"), []byte("😀"),
		[]byte("mixed é € 😀 and more ascii after it"), {0xff}, {0xc0, 0x80}, {0xc1, 0xbf}, {0xc3},
		{0xe0, 0x80, 0x80}, {0xe0, 0xa0, 0x80}, {0xed, 0xa0, 0x80}, {0xed, 0x9f, 0xbf}, {0xef, 0xbf},
		{0xf0, 0x8f, 0xbf, 0xbf}, {0xf0, 0x90, 0x80, 0x80}, {0xf4, 0x8f, 0xbf, 0xbf}, {0xf4, 0x90, 0x80, 0x80},
		{0xf5, 0x80, 0x80, 0x80}, {0x80}, {0xe2, 0x82, 0x41}, []byte("12345678\xe2\x82"),
		append([]byte("abcdefgh"), 0xc3, 0xa9, 'x'), {'a', 0xf0, 0x9f, 0x98}, {0xf0, 0x9f, 0x98, 0x80, 0x80},
	}
	// The same inside long strings, which are copied first and then
	// checked sixteen bytes at a time.
	for _, b := range utf8Cases[:len(utf8Cases):len(utf8Cases)] {
		long := append([]byte(strings.Repeat("a", 130+len(b)%7)), b...)
		utf8Cases = append(utf8Cases, append(long, strings.Repeat("b", 20)...))
	}
	for _, b := range utf8Cases {
		// To UTF-8 (copied) and to UTF-16 (transcoded), both in wasm.
		for _, export := range []string{"send8", "send8to16", "send8tocompact"} {
			err := send(export, b, uint32(len(b)))
			switch {
			case utf8.Valid(b) && err != nil:
				t.Errorf("%s: valid UTF-8 %x: %v", export, b, err)
			case !utf8.Valid(b) && (err == nil || !strings.Contains(err.Error(), "utf-8")):
				t.Errorf("%s: invalid UTF-8 %x: %v, want a trap", export, b, err)
			}
		}
	}
	le := func(us ...uint16) []byte {
		var b []byte
		for _, u := range us {
			b = append(b, byte(u), byte(u>>8))
		}
		return b
	}
	utf16Cases := [][]uint16{
		utf16.Encode([]rune("plain text")), utf16.Encode([]rune("é € 😀 한국어 mixed")), {0xd800}, {0xdc00},
		{0xd83d, 0xde00}, {0xd83d, 0x41}, {'a', 'b', 'c', 'd', 0xd83d}, {0xdbff, 0xdfff}, {0xffff, 0xac00, 0x8000},
		{0xe9, 'a', 0xff}, {0xe9, 0x100, 0xd800}, {0xe9, 0x100, 0xd83d, 0xde00},
	}
	for _, us := range utf16Cases {
		valid := !strings.ContainsRune(string(utf16.Decode(us)), utf8.RuneError)
		for _, export := range []string{"send16", "send16tocompact"} {
			err := send(export, le(us...), uint32(len(us)))
			switch {
			case valid && err != nil:
				t.Errorf("%s: valid UTF-16 %x: %v", export, us, err)
			case !valid && (err == nil || !strings.Contains(err.Error(), "invalid utf-16")):
				t.Errorf("%s: invalid UTF-16 %x: %v, want a trap", export, us, err)
			}
		}
	}
}
