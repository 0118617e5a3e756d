package srcerr

import (
	"strings"
	"testing"
)

func TestFormat(t *testing.T) {
	src := "package a:b;\r\n\r\ninterface i {\n  type y = éé;\n}"
	off := strings.Index(src, "éé")
	for _, tc := range []struct {
		name       string
		start, end int
		want       string
	}{
		{"caret", off, off, "bad\n     --> a.wit:4:12\n      |\n    4 |   type y = éé;\n      |            ^"},
		// One '-' per further character, not per byte.
		{"span", off, off + len("éé"), "bad\n     --> a.wit:4:12\n      |\n    4 |   type y = éé;\n      |            ^-"},
		// The CR of a CRLF line ending is not shown.
		{"crlf", 8, 11, "bad\n     --> a.wit:1:9\n      |\n    1 | package a:b;\n      |         ^--"},
		// Offsets out of the text are clamped to it; an end past it is ignored.
		{"past end", len(src) + 7, len(src) + 9, "bad\n     --> a.wit:5:2\n      |\n    5 | }\n      |  ^"},
		{"negative", -3, 1, "bad\n     --> a.wit:1:1\n      |\n    1 | package a:b;\n      | ^"},
	} {
		if got := Format("a.wit", src, tc.start, tc.end, "bad"); got != tc.want {
			t.Errorf("%s:\ngot:\n%s\nwant:\n%s", tc.name, got, tc.want)
		}
	}
	if got, want := Format("e.wit", "", 0, 0, "empty"), "empty\n     --> e.wit:1:1\n      |\n    1 | \n      | ^"; got != want {
		t.Errorf("empty text:\n%s", got)
	}
}

// A line too long for a terminal is left out.
func TestFormatLongLine(t *testing.T) {
	src := "x\n" + strings.Repeat("a", 501) + "\n"
	if got, want := Format("f", src, 7, 8, "long"), "f:2:6: long"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestLineCol(t *testing.T) {
	src := "ab\né\r\nc"
	for _, tc := range []struct{ off, line, col int }{
		{0, 1, 1}, {2, 1, 3}, {3, 2, 1}, {5, 2, 3}, {7, 3, 1}, {8, 3, 2}, {99, 3, 2}, {-1, 1, 1},
	} {
		if l, c := LineCol(src, tc.off); l != tc.line || c != tc.col {
			t.Errorf("offset %d: %d:%d, want %d:%d", tc.off, l, c, tc.line, tc.col)
		}
	}
	if got := Line(src, 4); got != "é" {
		t.Errorf("Line: %q", got)
	}
}
