package wasm

import (
	"math"
	"testing"
)

func TestDecodeU32(t *testing.T) {
	tests := []struct {
		in      []byte
		want    uint32
		n       int
		wantErr error
	}{
		{[]byte{0x00}, 0, 1, nil},
		{[]byte{0x7f}, 127, 1, nil},
		{[]byte{0x80, 0x01}, 128, 2, nil},
		{[]byte{0xff, 0xff, 0xff, 0xff, 0x0f}, math.MaxUint32, 5, nil},
		// Overlong but zero-padded encodings are valid.
		{[]byte{0x80, 0x80, 0x80, 0x80, 0x00}, 0, 5, nil},
		{[]byte{0x81, 0x80, 0x00}, 1, 3, nil},
		// Bits past the 32nd.
		{[]byte{0xff, 0xff, 0xff, 0xff, 0x1f}, 0, 0, errLEBTooLarge},
		{[]byte{0x80, 0x80, 0x80, 0x80, 0x70}, 0, 0, errLEBTooLarge},
		// Six bytes.
		{[]byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 0, 0, errLEBTooLong},
		// Truncated.
		{[]byte{}, 0, 0, errLEBEnd},
		{[]byte{0x80}, 0, 0, errLEBEnd},
		{[]byte{0xff, 0xff}, 0, 0, errLEBEnd},
	}
	for _, tc := range tests {
		v, n, err := DecodeU32(tc.in)
		if err != tc.wantErr || (err == nil && (v != tc.want || n != tc.n)) {
			t.Errorf("DecodeU32(% x) = %d, %d, %v; want %d, %d, %v", tc.in, v, n, err, tc.want, tc.n, tc.wantErr)
		}
	}
}

func TestDecodeSigned(t *testing.T) {
	tests := []struct {
		bits    int
		in      []byte
		want    int64
		wantErr error
	}{
		{32, []byte{0x7f}, -1, nil},
		{32, []byte{0x3f}, 63, nil},
		{32, []byte{0x40}, -64, nil},
		{32, []byte{0xc0, 0x00}, 64, nil},
		{32, []byte{0x80, 0x80, 0x80, 0x80, 0x78}, math.MinInt32, nil},
		{32, []byte{0xff, 0xff, 0xff, 0xff, 0x07}, math.MaxInt32, nil},
		// Overlong negative padding is valid when it repeats the sign.
		{32, []byte{0xff, 0xff, 0xff, 0xff, 0x7f}, -1, nil},
		// Unused bits that disagree with the sign bit.
		{32, []byte{0xff, 0xff, 0xff, 0xff, 0x0f}, 0, errLEBTooLarge},
		{32, []byte{0x80, 0x80, 0x80, 0x80, 0x70}, 0, errLEBTooLarge},
		{32, []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 0, errLEBTooLong},
		{33, []byte{0xff, 0xff, 0xff, 0xff, 0x0f}, math.MaxUint32, nil},
		{33, []byte{0x80, 0x80, 0x80, 0x80, 0x70}, -1 << 32, nil},
		{33, []byte{0xff, 0xff, 0xff, 0xff, 0x1f}, 0, errLEBTooLarge},
		{64, []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f}, math.MinInt64, nil},
		{64, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00}, math.MaxInt64, nil},
		{64, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 0, errLEBTooLarge},
		{64, []byte{0x80}, 0, errLEBEnd},
	}
	for _, tc := range tests {
		v, _, err := decodeSigned(tc.in, tc.bits)
		if err != tc.wantErr || (err == nil && v != tc.want) {
			t.Errorf("s%d(% x) = %d, %v; want %d, %v", tc.bits, tc.in, v, err, tc.want, tc.wantErr)
		}
	}
}

func TestLEBRoundTrip(t *testing.T) {
	for _, v := range []int64{0, 1, -1, 63, 64, -64, -65, math.MaxInt32, math.MinInt32, math.MaxInt64, math.MinInt64} {
		b := AppendS64(nil, v)
		got, n, err := DecodeS64(b)
		if err != nil || got != v || n != len(b) {
			t.Errorf("s64 %d: % x decodes to %d, %d, %v", v, b, got, n, err)
		}
	}
	for _, v := range []uint64{0, 127, 128, math.MaxUint32, math.MaxUint64} {
		b := AppendU64(nil, v)
		got, n, err := DecodeU64(b)
		if err != nil || got != v || n != len(b) {
			t.Errorf("u64 %d: % x decodes to %d, %d, %v", v, b, got, n, err)
		}
		if v <= math.MaxUint32 && SizeU32(uint32(v)) != len(b) {
			t.Errorf("SizeU32(%d) = %d, want %d", v, SizeU32(uint32(v)), len(b))
		}
	}
	if _, _, err := DecodeU64([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}); err != errLEBTooLarge {
		t.Errorf("u64 with a bit past the 64th: %v", err)
	}
}

func TestReaderErrorsCarryOffsets(t *testing.T) {
	r := NewReader([]byte{0x01, 0x80}, 100)
	if _, err := r.Byte(); err != nil {
		t.Fatal(err)
	}
	_, err := r.U32()
	e, ok := err.(*Error)
	if !ok || e.Offset != 101 {
		t.Fatalf("error %v: want an *Error at offset 101", err)
	}
	r = NewReader([]byte{0x05, 'a'}, 0)
	if _, err := r.Name(); err == nil {
		t.Fatal("a name longer than the input was read")
	}
	r = NewReader([]byte{0xff, 0xff, 0xff, 0xff, 0x0f}, 0)
	if _, err := r.Count("things"); err == nil {
		t.Fatal("a count larger than the input was accepted")
	}
}
