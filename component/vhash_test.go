package component

import (
	"strings"
	"testing"
)

// TestHashKeyString checks the name tables' hash: equal strings hash
// alike wherever they lie in memory, every byte of strings of each length
// class (1-3, 4-8, 9-16, longer) counts, and the key changes the hash.
func TestHashKeyString(t *testing.T) {
	key := newHashKey()
	other := newHashKey()
	base := strings.Repeat("abcdefghijklmnopqrstuvwxyz0123456789-", 3)
	seen := map[uint64]string{}
	for n := 0; n <= len(base); n++ {
		s := base[:n]
		h := key.string(s)
		if copy := string([]byte("x" + s))[1:]; key.string(copy) != h {
			t.Fatalf("len %d: a copy hashes differently", n)
		}
		if n > 0 && other.string(s) == h {
			t.Fatalf("len %d: two keys give the same hash", n)
		}
		if prev, ok := seen[h]; ok {
			t.Fatalf("%q and %q collide", prev, s)
		}
		seen[h] = s
		for i := 0; i < n; i++ {
			b := []byte(s)
			b[i] ^= 1
			if key.string(string(b)) == h {
				t.Fatalf("len %d: byte %d does not count", n, i)
			}
		}
	}
}
