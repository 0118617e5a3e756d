package parse

import (
	"bufio"
	"bytes"
	"errors"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/internal/testutil"
)

// TestDifferential compares this parser with the reference on mutated corpus
// files. It needs a small program built against wit-parser that reads
// NUL-separated (path, source) pairs on stdin and prints "OK" or
// "ERR\t<rendered error, newlines as \n>" per input; set WASMCM_WITREF to
// its path to run it (WASMCM_WITREF_N sets the mutants per file).
func TestDifferential(t *testing.T) {
	bin := os.Getenv("WASMCM_WITREF")
	if bin == "" {
		t.Skip("skipped: set WASMCM_WITREF to a wit-parser driver to compare with the reference")
	}
	dir := testutil.Shared(t, "conformance")
	var files []string
	for _, sub := range []string{"wit-parser-ui", "wit-parser-ui/parse-fail", "wasi/0.2.12", "wasi/0.3.0", "wit-component/interfaces"} {
		files = append(files, corpusFiles(t, filepath.Join(dir, sub), "")...)
	}
	perFile, seed := 8, int64(1)
	if v, err := strconv.Atoi(os.Getenv("WASMCM_WITREF_N")); err == nil {
		perFile, seed = v, int64(v)
	}
	rng := rand.New(rand.NewSource(seed))
	var inputs []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < perFile; i++ {
			inputs = append(inputs, mutate(rng, string(b)))
		}
	}
	var stdin bytes.Buffer
	for _, in := range inputs {
		stdin.WriteString("x.wit\x00" + in + "\x00")
	}
	cmd := exec.Command(bin)
	cmd.Stdin = &stdin
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<24)
	agree, n := 0, 0
	for i := 0; sc.Scan(); i++ {
		n++
		ref := sc.Text()
		_, perr := File("x.wit", inputs[i])
		refErr, refFailed := strings.CutPrefix(ref, "ERR\t")
		// The reference dumps Rust's EscapeUnicode with Debug in two
		// messages; we print the quoted escape alone.
		refErr = escapeDump.ReplaceAllString(unescapeLine(refErr), "'$1'")
		switch {
		case perr != nil && !refFailed:
			t.Errorf("input %d: reference accepts, we fail:\n%v\n--- input:\n%s", i, perr, inputs[i])
		case perr != nil && perr.Error() != refErr:
			var want error = errors.New(refErr)
			t.Errorf("input %d: errors differ:\nref:\n%v\nours:\n%v\n--- input:\n%s", i, want, perr, inputs[i])
		case perr == nil && refFailed && syntaxMessage(refErr):
			t.Errorf("input %d: reference fails with a syntax error, we accept:\n%s\n--- input:\n%s", i, refErr, inputs[i])
		default:
			agree++
		}
		if t.Failed() && n-agree > 20 {
			t.FailNow()
		}
	}
	if n != len(inputs) {
		t.Fatalf("reference answered %d of %d inputs", n, len(inputs))
	}
	t.Logf("agreed on %d/%d mutated inputs", agree, n)
}

var escapeDump = regexp.MustCompile(`EscapeUnicode\(EscapeIterInner\('([^']*)'\)\)`)

// mutate applies a few random edits: deleting, duplicating or inserting
// snippets of WIT syntax, and truncating.
func mutate(rng *rand.Rand, s string) string {
	snippets := []string{"<", ">", "{", "}", "(", ")", ";", ":", ",", ".", "@", "/", "->", "-", "+", "%", "_", "*",
		"u32", "list", "type", "func", "async", "use", "as", "own<", "borrow<", "result<_, ", "package a:b", "%a", "%",
		"1.0.0", "@since(version = 1.0.0)", "@unstable(feature = x)", "@external-id(\"a\")", "\"s\\u{41}\"",
		"/*", "*/", "//", "///", "\n", " ", "\t", "\r\n", "\r", "é", "A-b", "a--b", "x9", "0", "9999999999",
		"map<u32, ", "list<u8, 3>", "\u202a", "\x0b", "\u0149", "\"\\q\"", "\"\\u{110000}\"", "\"\\u{d800}\"", "\"open",
		"@external-id(", "@deprecated(version = 01.0.0)", "@since(version = 1.0.0-01)", "@1.0.0+", "@1.0.0-a..b", "@1.0.0-rc.1+build.5",
		"list<u8, 99999999999>", "%-a", "%a-", "--", "Ab", "ß", "_a", "a_b", "#", "$", "\u00a0", "\u0301", "\ufeff", "\"\\ff\"", "\"\\u{1_}\"",
		"@foo", "@since(version = 1.0.0", "@unstable(feature = %a)", "\"\\u{fffffffff}\"", "/* /* */", "\x7f", "stream", "future<", "error-context", "tuple<", "import ", "export ", "include ", "with {", "world w {", "interface i {"}
	for k := 1 + rng.Intn(3); k > 0 && len(s) > 0; k-- {
		i := rng.Intn(len(s) + 1)
		switch rng.Intn(4) {
		case 0: // delete
			j := min(len(s), i+1+rng.Intn(8))
			s = s[:i] + s[j:]
		case 1, 2: // insert
			s = s[:i] + snippets[rng.Intn(len(snippets))] + s[i:]
		case 3: // truncate
			s = s[:i]
		}
	}
	if !isValidUTF8(s) {
		return strings.ToValidUTF8(s, "")
	}
	return s
}

func isValidUTF8(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// unescapeLine undoes the driver's escaping of '\\' and newlines.
func unescapeLine(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			if s[i] == 'n' {
				b.WriteByte('\n')
			} else {
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
