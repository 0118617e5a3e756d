package canon

import (
	"encoding/binary"
	"math/rand/v2"
	"strings"
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

// randomText returns a string of n characters drawn from ASCII runs,
// Latin-1, other BMP characters (CJK among them) and supplementary
// characters, so that the kernels' word loops meet every boundary.
func randomText(rng *rand.Rand, n int) string {
	rs := make([]rune, 0, n)
	for len(rs) < n {
		switch rng.IntN(6) {
		case 0, 1:
			for k := rng.IntN(12); k >= 0; k-- {
				rs = append(rs, rune(0x20+rng.IntN(0x5f)))
			}
		case 2:
			rs = append(rs, rune(0x80+rng.IntN(0x80)))
		case 3:
			rs = append(rs, rune(0x100+rng.IntN(0x700)))
		case 4:
			r := rune(0x800 + rng.IntN(0xf800))
			if r >= 0xd800 && r < 0xe000 {
				r = 0x4e2d
			}
			rs = append(rs, r)
		default:
			rs = append(rs, rune(0x10000+rng.IntN(0x100000)))
		}
	}
	return string(rs)
}

// TestTranscodeKernels checks every kernel against the standard library
// on random text, and that the kernels writing guest memory write nothing
// past their output.
func TestTranscodeKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for n := 0; n < 5000; n++ {
		s := randomText(rng, rng.IntN(90))
		rs := []rune(s)
		want := utf16.Encode(rs)

		for _, size := range []int{2 * len(s), 2 * len(want)} {
			b := make([]byte, size)
			got, ok := putUTF16(b, s)
			if !ok || got != 2*len(want) {
				t.Fatalf("putUTF16(%q) into %d bytes: wrote %d, %v; want %d", s, size, got, ok, 2*len(want))
			}
			for i, u := range want {
				if g := binary.LittleEndian.Uint16(b[2*i:]); g != u {
					t.Fatalf("putUTF16(%q): unit %d = %#x, want %#x", s, i, g, u)
				}
			}
			for i := got; i < len(b); i++ {
				if b[i] != 0 {
					t.Fatalf("putUTF16(%q): byte %d past the output (%d) written", s, i, got)
				}
			}
			if back, ok := decodeUTF16(b[:got]); !ok || back != s {
				t.Fatalf("decodeUTF16(putUTF16(%q)) = %q, %v", s, back, ok)
			}
		}

		latin1, ascii := true, true
		prefix := 0 // characters below U+0100 before the first that is not
		for _, r := range rs {
			if r >= 0x80 {
				ascii = false
			}
			if r >= 0x100 {
				latin1 = false
			}
			if latin1 {
				prefix++
			}
		}
		if gn, gl, ga := utf16Len(s); gn != uint64(len(want)) || gl != latin1 || ga != ascii {
			t.Fatalf("utf16Len(%q) = %d %v %v, want %d %v %v", s, gn, gl, ga, len(want), latin1, ascii)
		}
		if !validUTF8([]byte(s)) {
			t.Fatalf("validUTF8(%q) = false", s)
		}
		if a := asciiPrefix([]byte(s)); a != len(s) && (s[a] < 0x80 || strings.IndexFunc(s, func(r rune) bool { return r >= 0x80 }) != a) {
			t.Fatalf("asciiPrefix(%q) = %d", s, a)
		}

		b := make([]byte, len(s))
		w, read := putLatin1(b, s)
		if w != prefix || read != len(string(rs[:prefix])) {
			t.Fatalf("putLatin1(%q) = %d, %d; want %d, %d", s, w, read, prefix, len(string(rs[:prefix])))
		}
		for i, r := range rs[:prefix] {
			if b[i] != byte(r) {
				t.Fatalf("putLatin1(%q): byte %d = %#x, want %#x", s, i, b[i], r)
			}
		}
		for i := w; i < len(b); i++ {
			if b[i] != 0 {
				t.Fatalf("putLatin1(%q): byte %d past the output (%d) written", s, i, w)
			}
		}
		if got := decodeLatin1(b[:w]); got != string(rs[:prefix]) {
			t.Fatalf("decodeLatin1 = %q, want %q", got, string(rs[:prefix]))
		}
	}
}

// TestDecodeUTF16Invalid checks decodeUTF16's verdict on random units with
// lone and misordered surrogates against a direct reading of the rule.
func TestDecodeUTF16Invalid(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for n := 0; n < 20000; n++ {
		us := make([]uint16, rng.IntN(24))
		for i := range us {
			switch rng.IntN(5) {
			case 0, 1:
				us[i] = uint16(rng.IntN(0x80))
			case 2:
				us[i] = uint16(0x80 + rng.IntN(0xff80))
			default:
				us[i] = uint16(0xd800 + rng.IntN(0x800))
			}
		}
		b := make([]byte, 2*len(us))
		for i, u := range us {
			binary.LittleEndian.PutUint16(b[2*i:], u)
		}
		valid := true
		for i := 0; i < len(us); i++ {
			if us[i] >= 0xd800 && us[i] < 0xdc00 && i+1 < len(us) && us[i+1] >= 0xdc00 && us[i+1] < 0xe000 {
				i++
			} else if us[i] >= 0xd800 && us[i] < 0xe000 {
				valid = false
			}
		}
		got, ok := decodeUTF16(b)
		if ok != valid || ok && got != string(utf16.Decode(us)) {
			t.Fatalf("decodeUTF16(%x) = %q, %v; want %q, %v", us, got, ok, string(utf16.Decode(us)), valid)
		}
	}
}

// FuzzTranscode checks the kernels against the standard library on any
// bytes: the same verdict on validity, the same output when valid.
func FuzzTranscode(f *testing.F) {
	for _, s := range []string{"", "abc", "Grüße, 日本語, and 😀! ", "\xed\xa0\x80", "abcdefghijklmnopqrstuvwxyz0123456789\xf4\x90\x80\x80", "\xc3("} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		s := string(p)
		valid := utf8.Valid(p)
		if validUTF8(p) != valid {
			t.Fatalf("validUTF8(%q) = %v", p, !valid)
		}
		b := make([]byte, 2*len(s))
		w, ok := putUTF16(b, s)
		if ok != valid {
			t.Fatalf("putUTF16(%q) ok = %v", p, ok)
		}
		if valid {
			want := utf16.Encode([]rune(s))
			if w != 2*len(want) {
				t.Fatalf("putUTF16(%q) wrote %d bytes, want %d", p, w, 2*len(want))
			}
			if back, ok := decodeUTF16(b[:w]); !ok || back != s {
				t.Fatalf("decodeUTF16(putUTF16(%q)) = %q, %v", p, back, ok)
			}
			if n, _, _ := utf16Len(s); n != uint64(len(want)) {
				t.Fatalf("utf16Len(%q) = %d, want %d", p, n, len(want))
			}
		}
		// Any bytes as UTF-16.
		us := make([]uint16, len(p)/2)
		for i := range us {
			us[i] = binary.LittleEndian.Uint16(p[2*i:])
		}
		if got, ok := decodeUTF16(p[:2*len(us)]); ok && got != string(utf16.Decode(us)) {
			t.Fatalf("decodeUTF16(%x) = %q, want %q", us, got, string(utf16.Decode(us)))
		}
		// Any bytes as Latin-1.
		rs := make([]rune, len(p))
		for i, c := range p {
			rs[i] = rune(c)
		}
		if got := decodeLatin1(p); got != string(rs) {
			t.Fatalf("decodeLatin1(%x) = %q", p, got)
		}
	})
}

// TestTranscodeInvalidLong corrupts long texts, so that the invalid bytes
// fall in the kernels' word loops and not only in their tails: the
// verdicts must agree with utf8.Valid, and nothing may be written out of
// bounds (the slices would panic).
func TestTranscodeInvalidLong(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	bad := []string{"\xff", "\x80", "\xc0\x80", "\xc1\xbf", "\xc3", "\xe0\x80\x80", "\xe0\x9f\xbf", "\xed\xa0\x80", "\xed\xbf\xbf",
		"\xe2\x82", "\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xf0\x9f\x98", "\xc3(", "\xe2(\xa1"}
	for n := 0; n < 20000; n++ {
		s := []byte(randomText(rng, 20+rng.IntN(80)))
		switch rng.IntN(3) {
		case 0: // overwrite a byte
			s[rng.IntN(len(s))] = byte(rng.IntN(256))
		case 1: // insert an invalid sequence
			i := rng.IntN(len(s) + 1)
			s = append(s[:i:i], append([]byte(bad[rng.IntN(len(bad))]), s[i:]...)...)
		default: // cut the text short, maybe mid-sequence
			s = s[:rng.IntN(len(s)+1)]
		}
		valid := utf8.Valid(s)
		if validUTF8(s) != valid {
			t.Fatalf("validUTF8(%q) = %v", s, !valid)
		}
		out := make([]byte, 2*len(s))
		if _, ok := putUTF16(out, string(s)); ok != valid {
			t.Fatalf("putUTF16(%q) ok = %v, want %v", s, ok, valid)
		}
		if valid {
			continue
		}
		// putLatin1 stops at the first byte that is not Latin-1 text.
		lb := make([]byte, len(s))
		w, read := putLatin1(lb, string(s))
		if read > len(s) || w > read || !utf8.Valid(s[:read]) {
			t.Fatalf("putLatin1(%q) = %d, %d", s, w, read)
		}
	}
}
