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
