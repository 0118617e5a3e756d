package canon

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

func TestPutUTF16(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 2000; n++ {
		rs := make([]rune, rng.IntN(40))
		for i := range rs {
			switch rng.IntN(4) {
			case 0:
				rs[i] = rune(rng.IntN(0x80))
			case 1:
				rs[i] = rune(0x80 + rng.IntN(0x780))
			case 2:
				rs[i] = rune(0x800 + rng.IntN(0xd000))
			default:
				rs[i] = rune(0x10000 + rng.IntN(0x100000))
			}
		}
		s := string(rs)
		want := utf16.Encode(rs)
		b := make([]byte, 2*len(s))
		got, ok := putUTF16(b, s)
		if !ok || got != 2*len(want) {
			t.Fatalf("%q: wrote %d bytes, want %d", s, got, 2*len(want))
		}
		for i, u := range want {
			if g := binary.LittleEndian.Uint16(b[2*i:]); g != u {
				t.Fatalf("%q: unit %d = %#x, want %#x", s, i, g, u)
			}
		}
		if n, _, _ := utf16Len(s); n != uint64(len(want)) {
			t.Fatalf("%q: utf16Len %d, want %d", s, n, len(want))
		}
		back, ok := decodeUTF16(b[:got])
		if !ok || back != s {
			t.Fatalf("%q: decode gives %q %v", s, back, ok)
		}
	}
}

func TestPutUTF16Invalid(t *testing.T) {
	for _, s := range []string{"\xff", "a\xc3", "\xed\xa0\x80", "abcdefgh\x80", "\xf4\x90\x80\x80",
		"\xe0\x80\x80", "\xc0\x80", "\xc1\xbf", "abc\xe2\x82", "abcdefg\xed\xbf\xbfxyz", "\xc3(", "\xef\xbf"} {
		b := make([]byte, 2*len(s))
		if _, ok := putUTF16(b, s); ok {
			t.Errorf("%q: accepted invalid UTF-8", s)
		}
	}
}

// TestPutUTF16MatchesValid compares putUTF16's verdict with utf8.ValidString
// on random byte strings.
func TestPutUTF16MatchesValid(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []byte{'a', 0x80, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff}
	for n := 0; n < 20000; n++ {
		b := make([]byte, rng.IntN(12))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		s := string(b)
		out := make([]byte, 2*len(s))
		_, ok := putUTF16(out, s)
		if ok != utf8.ValidString(s) {
			t.Fatalf("%q: putUTF16 ok=%v, utf8.ValidString=%v", s, ok, !ok)
		}
	}
}
