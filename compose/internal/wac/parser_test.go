package wac

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/internal/testutil"
)

var locRE = regexp.MustCompile(`╭─\[[^\]]*?:(\d+):(\d+)\]`)

// ExpectedLocation reads line:col of the first located error of a
// reference .result file.
func expectedLocation(result string) (int, int, bool) {
	m := locRE.FindStringSubmatch(result)
	if m == nil {
		return 0, 0, false
	}
	var l, c int
	fmt.Sscan(m[1], &l)
	fmt.Sscan(m[2], &c)
	return l, c, true
}

func TestConformanceWacParser(t *testing.T) {
	root := testutil.Shared(t, "conformance/wac/crates/wac-parser/tests/parser")
	passed, total := 0, 0
	for _, fail := range []bool{false, true} {
		dir := root
		if fail {
			dir = filepath.Join(root, "fail")
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*.wac"))
		for _, f := range files {
			total++
			src, _ := os.ReadFile(f)
			want, _ := os.ReadFile(f + ".result")
			_, err := Parse(string(src))
			if !fail {
				if err != nil {
					t.Errorf("%s: %v", filepath.Base(f), err)
					continue
				}
				passed++
				continue
			}
			if err == nil {
				t.Errorf("%s: parsed, want an error", filepath.Base(f))
				continue
			}
			e := err.(*Error)
			l, c := Position(string(src), e.Span.Offset)
			wl, wc, ok := expectedLocation(string(want))
			if !ok || l != wl || c != wc {
				t.Errorf("%s: error at %d:%d (%s), want %d:%d (%s)", filepath.Base(f), l, c, e.Msg, wl, wc, strings.SplitN(string(want), "\n", 4)[2])
				continue
			}
			passed++
		}
	}
	testutil.Conformance(t, "wac-parser", passed, total)
}

// Every document of the resolution and encoding suites parses, except
// those whose expected error is a parse error.
func TestParseAllDocuments(t *testing.T) {
	root := testutil.Shared(t, "conformance/wac/crates/wac-parser/tests")
	var files []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".wac") && !strings.Contains(p, "/parser/") && !strings.Contains(p, "/fail/") {
			files = append(files, p)
		}
		return nil
	})
	for _, f := range files {
		src, _ := os.ReadFile(f)
		want, _ := os.ReadFile(f + ".result")
		if _, err := Parse(string(src)); err != nil && !strings.HasPrefix(string(want), "failed to parse") {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestRender(t *testing.T) {
	src := "package a:b;\n\nlet x = y;\n"
	_, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	got := Render("f.wac", src, Errorf(Span{22, 1}, "undefined name `y`"))
	if !strings.Contains(got, "f.wac:3:9") || !strings.Contains(got, "        ^") {
		t.Errorf("render:\n%s", got)
	}
}
