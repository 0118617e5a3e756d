package runtime

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf16"
)

func le16(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

func latin1(s string) ([]byte, bool) {
	var b []byte
	for _, r := range s {
		if r > 0xff {
			return nil, false
		}
		b = append(b, byte(r))
	}
	return b, true
}

// randomText mixes ASCII, Latin-1, BMP and astral characters.
func randomText(rng *rand.Rand) string {
	alphabets := [][]rune{[]rune("abc xyz"), []rune("éüÿ×"), []rune("Ā€日本"), []rune("😀𝄞")}
	var b strings.Builder
	n := rng.IntN(40)
	mix := rng.IntN(16)
	for i := 0; i < n; i++ {
		a := alphabets[rng.IntN(4)&mix%4]
		b.WriteRune(a[rng.IntN(len(a))])
	}
	return b.String()
}

// TestTranscodeLibcall checks the string libcall's operations against Go's
// encoders, with the adapters' two passes where the first one's
// destination is too small.
func TestTranscodeLibcall(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const base = 16 // where strings sit in the test memories
	for i := 0; i < 2000; i++ {
		s := randomText(rng)
		u8, u16 := []byte(s), le16(s)
		units := uint64(len(u16) / 2)
		src := append(make([]byte, base), u8...)
		src16 := append(make([]byte, base), u16...)

		// UTF-8 to UTF-16 (the kernel of the compact inflation).
		dst := make([]byte, 2*len(u8))
		n, err := utf8ToUTF16(u8, dst)
		if err != nil || n != units || !bytes.Equal(dst[:2*n], u16) {
			t.Fatalf("utf8->utf16 %q: %d %v", s, n, err)
		}

		// UTF-8 and UTF-16 to latin1+utf16: Latin-1 first, then inflated.
		for _, from16 := range []bool{false, true} {
			in, inUnits, op1, op2, w := src, uint64(len(u8)), libUTF8ToLatin1, libUTF8ToCompactUTF16, uint64(1)
			if from16 {
				in, inUnits, op1, op2, w = src16, units, libUTF16ToLatin1, libUTF16ToCompactUTF16, 2
			}
			out := make([]byte, base+2*int(inUnits))
			r, err := transcode(op1, in, out, base, inUnits, base, inUnits, 0)
			if err != nil {
				t.Fatal(err)
			}
			read, written := r>>32, r&0xffffffff
			if l1, ok := latin1(s); ok {
				if read != inUnits || !bytes.Equal(out[base:base+written], l1) {
					t.Fatalf("%q to latin1: %x", s, r)
				}
				continue
			}
			n, err := transcode(op2, in, out, base+read*w, inUnits-read, base, 2*inUnits, written)
			if err != nil || n != units || !bytes.Equal(out[base:base+2*n], u16) {
				t.Fatalf("%q to compact utf16 (from utf16 %v): %d %v", s, from16, n, err)
			}
		}

		// UTF-16 to latin1+utf16 in one pass.
		out := make([]byte, base+2*len(u16))
		n, err = transcode(libUTF16ToCompactProbably, src16, out, base, units, base, 2*units, 0)
		if err != nil {
			t.Fatal(err)
		}
		if l1, ok := latin1(s); ok {
			if n != units || !bytes.Equal(out[base:base+n], l1) {
				t.Fatalf("%q probably utf16: %x", s, n)
			}
		} else if n != units|utf16Tag || !bytes.Equal(out[base:base+2*units], u16) {
			t.Fatalf("%q probably utf16: %x", s, n)
		}
	}

	// Invalid input traps; a range out of bounds traps instead of slicing.
	bad := []struct {
		op      int
		in      []byte
		n, size uint64
	}{
		{libUTF8ToCompactUTF16, []byte{0xff}, 1, 2},
		{libUTF8ToCompactUTF16, []byte{0xe2, 0x82}, 2, 4},
		{libUTF16ToCompactProbably, []byte{0x00, 0xd8}, 1, 2},
		{libUTF16ToCompactUTF16, []byte{0x00, 0xdc, 0x41, 0x00}, 2, 6},
		{libUTF8ToLatin1, []byte{'a'}, 1 << 30, 2},
	}
	for _, b := range bad {
		if _, err := transcode(b.op, b.in, make([]byte, 8), 0, b.n, 0, b.size, 0); err == nil {
			t.Errorf("op %d on %x: no trap", b.op, b.in)
		}
	}
}
