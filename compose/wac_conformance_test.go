package compose

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/internal/testutil"
)

var resultLocRE = regexp.MustCompile(`╭─\[[^\]]*?:(\d+):(\d+)\]`)

func resultLocation(result string) (int, int, bool) {
	m := resultLocRE.FindStringSubmatch(result)
	if m == nil {
		return 0, 0, false
	}
	var l, c int
	fmt.Sscan(m[1], &l)
	fmt.Sscan(m[2], &c)
	return l, c, true
}

// runWacSuite runs the .wac cases of a wac-parser test folder: ok cases
// must resolve (and, with check, encode to what the result says); fail
// cases must fail where the reference does.
func runWacSuite(t *testing.T, suite string, check func(name string, c *Composition, want string) error) (passed, total int) {
	root := testutil.Shared(t, "conformance/wac/crates/wac-parser/tests/"+suite)
	for _, fail := range []bool{false, true} {
		dir := root
		if fail {
			dir = filepath.Join(root, "fail")
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*.wac"))
		for _, f := range files {
			total++
			name := strings.TrimSuffix(filepath.Base(f), ".wac")
			want, _ := os.ReadFile(f + ".result")
			c, err := ComposeFile(f, Options{DepsDir: filepath.Join(dir, name)})
			if !fail {
				if err == nil && check != nil {
					err = check(name, c, string(want))
				}
				if err != nil {
					t.Logf("%s/%s: %v", suite, name, err)
					continue
				}
				passed++
				continue
			}
			if err == nil && check != nil {
				_, err = c.Graph.Encode(EncodeOptions{ImportPackages: true})
				if err != nil {
					err = fmt.Errorf("encoding: %w", err)
				}
			}
			if err == nil {
				t.Logf("%s/fail/%s: succeeded, want %s", suite, name, strings.SplitN(string(want), "\n", 4)[2])
				continue
			}
			wl, wc, _ := resultLocation(string(want))
			var se *SourceError
			if !errors.As(err, &se) {
				t.Logf("%s/fail/%s: unlocated error %v, want %d:%d", suite, name, err, wl, wc)
				continue
			}
			if se.Line != wl || se.Col != wc {
				t.Logf("%s/fail/%s: error at %d:%d (%s), want %d:%d (%s)", suite, name, se.Line, se.Col, se.Msg, wl, wc, strings.TrimSpace(strings.SplitN(string(want), "\n", 4)[2]))
				continue
			}
			passed++
		}
	}
	return passed, total
}

func TestConformanceWacResolution(t *testing.T) {
	passed, total := runWacSuite(t, "resolution", nil)
	testutil.Conformance(t, "wac-resolution", passed, total)
}

func TestConformanceWacEncoding(t *testing.T) {
	passed, total := runWacSuite(t, "encoding", func(name string, c *Composition, want string) error {
		b, err := c.Graph.Encode(EncodeOptions{ImportPackages: true})
		if err != nil {
			return err
		}
		if diff := compareEncoded(b, want); diff != "" {
			return errors.New(diff)
		}
		return nil
	})
	testutil.Conformance(t, "wac-encoding", passed, total)
}
