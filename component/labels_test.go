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
