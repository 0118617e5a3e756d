package component

import (
	"fmt"
	"strings"
	"testing"
)

// TestCheckLabelsTable checks the strong uniqueness of many labels (past
// the pairwise path, through the hash table), on the same validator in
// turn so that the reused table must start empty each time.
func TestCheckLabelsTable(t *testing.T) {
	v := &validator{}
	for _, n := range []int{17, 40, 100, 300} {
		names := make([]string, n)
		for i := range names {
			// Labels sharing their first eight bytes and differing in
			// the rest, where foldHash's low bits are the same.
			names[i] = fmt.Sprintf("error-code-%c%c", 'a'+i%26, 'a'+i/26)
		}
		if err := v.checkLabels("variant case", names); err != nil {
			t.Fatalf("%d distinct labels: %v", n, err)
		}
		for _, dup := range []int{1, n / 2, n - 1} {
			bad := append([]string(nil), names...)
			bad[dup] = strings.ToUpper(names[dup-1])
			err := v.checkLabels("variant case", bad)
			want := fmt.Sprintf("variant case name `%s` conflicts with previous case name `%s`", bad[dup], names[dup-1])
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%d labels, %d repeating %d: got %v, want %q", n, dup, dup-1, err, want)
			}
		}
		if err := v.checkLabels("variant case", names); err != nil {
			t.Fatalf("%d distinct labels after a conflict: %v", n, err)
		}
	}
}

// TestAddKeyTable checks extern-name uniqueness in scopes past the
// pairwise path (through the key table), nested so that an inner scope's
// names come and go while the outer one's table stays.
func TestAddKeyTable(t *testing.T) {
	v := &validator{f: AllFeatures}
	add := func(m *nameMarks, name string) (string, bool) {
		var n externName
		if !fastExternName(name, v.f, &n) {
			var err error
			if n, err = parseExternName(name, v.f); err != nil {
				t.Fatalf("%q: %v", name, err)
			}
		}
		return v.addKey(m, n.key(1), name)
	}
	for _, count := range []int{5, 9, 40, 300} {
		var outer, inner nameMarks
		v.openNames(&outer)
		for i := range count {
			if prev, dup := add(&outer, fmt.Sprintf("f%d", i)); dup {
				t.Fatalf("%d names: f%d conflicts with %s", count, i, prev)
			}
			if i == count/2 {
				// An inner scope with the same names: its own namespace.
				v.openNames(&inner)
				for j := range count {
					if prev, dup := add(&inner, fmt.Sprintf("f%d", j)); dup {
						t.Fatalf("inner f%d conflicts with %s", j, prev)
					}
				}
				if prev, dup := add(&inner, fmt.Sprintf("F%d", count-1)); !dup || prev != fmt.Sprintf("f%d", count-1) {
					t.Errorf("inner F%d: got %q %v", count-1, prev, dup)
				}
				v.closeNames(&inner)
			}
		}
		for _, tc := range []struct{ name, prev string }{
			{"F0", "f0"}, {fmt.Sprintf("f%d", count-1), fmt.Sprintf("f%d", count-1)},
		} {
			if prev, dup := add(&outer, tc.name); !dup || prev != tc.prev {
				t.Errorf("%d names, %s: got %q %v, want a conflict with %s", count, tc.name, prev, dup, tc.prev)
			}
		}
		if prev, dup := add(&outer, "[method]r.m"); dup {
			t.Errorf("[method]r.m conflicts with %s", prev)
		}
		if prev, dup := add(&outer, "[static]R.M"); !dup || prev != "[method]r.m" {
			t.Errorf("[static]R.M: got %q %v", prev, dup)
		}
		v.closeNames(&outer)
	}
}
