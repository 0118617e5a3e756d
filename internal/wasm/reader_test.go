package wasm

import "testing"

// TestS33TwoBytes checks S33's two-byte path against the general decoder
// for every two-byte encoding.
func TestS33TwoBytes(t *testing.T) {
	for b0 := 0; b0 < 256; b0++ {
		for b1 := 0; b1 < 256; b1++ {
			in := []byte{byte(b0), byte(b1)}
			want, wn, werr := DecodeS33(in)
			r := NewReader(in, 0)
			got, err := r.S33()
			if (err != nil) != (werr != nil) {
				t.Fatalf("% x: S33 error %v, DecodeS33 error %v", in, err, werr)
			}
			if err == nil && (got != want || r.pos != wn) {
				t.Fatalf("% x: S33 = %d (%d bytes), DecodeS33 = %d (%d bytes)", in, got, r.pos, want, wn)
			}
		}
	}
}

// TestSubInto checks that SubInto reads what SubValue reads, into a reader
// that held another section, and fails where SubValue fails.
func TestSubInto(t *testing.T) {
	for _, in := range [][]byte{{3, 'a', 'b', 'c', 9}, {0}, {0x80}, {5, 1}, {}} {
		for _, share := range []bool{false, true} {
			r1, r2 := NewReader(in, 10), NewReader(in, 10)
			if share {
				r1.ShareStrings()
				r2.ShareStrings()
			}
			want, werr := r1.SubValue("section")
			got := *NewReader([]byte{1, 2}, 99)
			got.pos = 1
			err := r2.SubInto("section", &got)
			if (err == nil) != (werr == nil) || (err != nil && err.Error() != werr.Error()) {
				t.Fatalf("% x: SubInto error %v, SubValue error %v", in, err, werr)
			}
			if err != nil {
				continue
			}
			if string(got.b) != string(want.b) || got.pos != want.pos || got.base != want.base || got.str != want.str || got.alias != want.alias || r1.pos != r2.pos {
				t.Fatalf("% x: SubInto = %+v, SubValue = %+v", in, got, want)
			}
		}
	}
}

// TestNameFastPath checks Name (one-byte lengths, ASCII, in line) against
// its general path on names of every length class, ASCII or not, valid
// UTF-8 or not, cut short, and in each of the reader's string modes.
func TestNameFastPath(t *testing.T) {
	names := [][]byte{nil, []byte("a"), []byte("wasi:io/streams@0.2.0"), []byte("héllo"), {0xff, 'a'},
		make([]byte, 127), make([]byte, 128), make([]byte, 300)}
	for _, name := range names {
		for cut := 0; cut <= 2; cut++ {
			for mode := 0; mode < 3; mode++ {
				in := append(AppendU32(nil, uint32(len(name))), name...)
				in = append(in[:len(in)-min(cut, len(in))], 7)
				r1, r2 := NewReader(in, 5), NewReader(in, 5)
				switch mode {
				case 1:
					r1.AliasStrings()
					r2.AliasStrings()
				case 2:
					r1.ShareStrings()
					r2.ShareStrings()
				}
				got, err := r1.Name()
				want, werr := r2.name()
				if got != want || (err == nil) != (werr == nil) || (err != nil && err.Error() != werr.Error()) || r1.pos != r2.pos {
					t.Fatalf("%q cut %d mode %d: Name = %q, %v (pos %d); name = %q, %v (pos %d)", name, cut, mode, got, err, r1.pos, want, werr, r2.pos)
				}
			}
		}
	}
}

// TestCountFastPath checks Count's one-byte path against the general one
// at and around the bytes that remain.
func TestCountFastPath(t *testing.T) {
	for _, in := range [][]byte{{}, {0}, {1}, {1, 9}, {2, 9}, {0x7f}, {0x80, 1}, {0x80, 0}, {0x81, 0, 9}, {0xff, 0xff, 0xff, 0xff, 0xff}} {
		r1, r2 := NewReader(in, 3), NewReader(in, 3)
		got, err := r1.Count("things")
		want, werr := r2.count("things")
		if got != want || (err == nil) != (werr == nil) || (err != nil && err.Error() != werr.Error()) || r1.pos != r2.pos {
			t.Fatalf("% x: Count = %d, %v; count = %d, %v", in, got, err, want, werr)
		}
	}
}
