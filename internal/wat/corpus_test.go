package wat

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/internal/testutil"
)

// wastBinPairs lists the .wat files of wast-bin that the reference
// assembled, with their .wasm.
func wastBinPairs(t *testing.T) []string { return watPairs(t, "conformance/wast-bin") }

// watPairs lists the .wat files under a corpus folder that have a .wasm
// beside them.
func watPairs(t *testing.T, dir string) []string {
	root := testutil.Shared(t, dir)
	var files []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasSuffix(p, ".wat") {
			if _, err := os.Stat(strings.TrimSuffix(p, ".wat") + ".wasm"); err == nil {
				files = append(files, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

// firstDiff says where two byte slices first differ.
func firstDiff(a, b []byte) string {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return fmt.Sprintf("first difference at byte %d (got %#x, want %#x; lengths %d/%d)", i, a[i], b[i], len(a), len(b))
		}
	}
	return fmt.Sprintf("lengths differ: got %d, want %d", len(a), len(b))
}

// Every component text the reference assembled parses to the same bytes.
func TestWastBinBytes(t *testing.T) { comparePairs(t, wastBinPairs(t), "wat-parse-wast") }

// The wit-component fixtures (core modules, components, binary WIT) parse
// to the bytes the reference assembled.
func TestWitComponentBytes(t *testing.T) {
	comparePairs(t, watPairs(t, "conformance/wit-component"), "wat-parse-wit-component")
}

func comparePairs(t *testing.T, files []string, key string) {
	pass := 0
	var fails []string
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(strings.TrimSuffix(f, ".wat") + ".wasm")
		if err != nil {
			t.Fatal(err)
		}
		got, err := Parse(filepath.Base(f), src)
		rel := strings.TrimPrefix(f, filepath.Dir(filepath.Dir(filepath.Dir(filepath.Dir(f))))+"/")
		switch {
		case err != nil:
			fails = append(fails, fmt.Sprintf("%s: %s", rel, short(err)))
		case !bytes.Equal(got, want):
			fails = append(fails, fmt.Sprintf("%s: %s", rel, firstDiff(got, want)))
		default:
			pass++
		}
	}
	for i, f := range fails {
		if i == 40 {
			t.Logf("... and %d more", len(fails)-i)
			break
		}
		t.Log(f)
	}
	testutil.Conformance(t, key, pass, len(files))
}

// short prints an error on one line with its location.
func short(err error) string {
	if e, ok := err.(*Error); ok {
		l, c := e.LineCol()
		return fmt.Sprintf("%d:%d: %s", l, c, e.Msg)
	}
	return firstLine(err.Error())
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// The wasm-tools-cli texts were never assembled: the valid ones must parse
// (their assert_invalid bodies too: assembling does not validate).
func TestWastUnassembled(t *testing.T) {
	root := testutil.Shared(t, "conformance/wast-bin")
	var files []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".wat") {
			if _, err := os.Stat(strings.TrimSuffix(p, ".wat") + ".wasm"); err != nil {
				files = append(files, p)
			}
		}
		return nil
	})
	sort.Strings(files)
	pass := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(filepath.Base(f), src); err != nil {
			t.Logf("%s: %s", strings.TrimPrefix(f, root+"/"), short(err))
			continue
		}
		pass++
	}
	testutil.Conformance(t, "wat-parse-wast-unassembled", pass, len(files))
}

// The component texts of the wac and wit-parser-ui corpora parse (their
// expected bytes are not stored; a local wasm-tools 1.263 gave the same
// bytes for all of them).
func TestOtherCorporaParse(t *testing.T) {
	pass, total := 0, 0
	for _, dir := range []string{"conformance/wac", "conformance/wit-parser-ui"} {
		root := testutil.Shared(t, dir)
		filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || !strings.HasSuffix(p, ".wat") {
				return nil
			}
			src, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			total++
			if _, err := Parse(filepath.Base(p), src); err != nil {
				t.Logf("%s: %s", p, short(err))
				return nil
			}
			pass++
			return nil
		})
	}
	testutil.Conformance(t, "wat-parse-wac-witui", pass, total)
}

// Printing every corpus binary and parsing the text gives the same bytes.
func TestPrintRoundTrip(t *testing.T) {
	files := append(wastBinPairs(t), watPairs(t, "conformance/wit-component")...)
	pass := 0
	shown := 0
	for _, f := range files {
		want, err := os.ReadFile(strings.TrimSuffix(f, ".wat") + ".wasm")
		if err != nil {
			t.Fatal(err)
		}
		text, err := Print(want)
		var got []byte
		if err == nil {
			got, err = Parse("printed.wat", []byte(text))
		}
		switch {
		case err != nil:
			if shown++; shown <= 30 {
				t.Logf("%s: %s", f, short(err))
			}
		case !bytes.Equal(got, want):
			if shown++; shown <= 30 {
				t.Logf("%s: %s", f, firstDiff(got, want))
			}
		default:
			pass++
		}
	}
	testutil.Conformance(t, "wat-print-roundtrip", pass, len(files))
}
