package parse

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/wit/internal/ast"
)

// corpusFiles lists the .wit and .md files under dir (symlinks skipped: in
// the WASI corpus they are links to files listed elsewhere).
func corpusFiles(t testing.TB, dir string, skipDir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == skipDir {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() && (strings.HasSuffix(path, ".wit") || strings.HasSuffix(path, ".md") && strings.Contains(path, "wit-parser-ui")) {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

// TestCorpusParses parses every WIT file of the valid corpora.
func TestCorpusParses(t *testing.T) {
	for _, c := range []struct{ key, dir, skip string }{
		{"wit-parse-ui-valid", "conformance/wit-parser-ui", "parse-fail"},
		{"wit-parse-wasi", "conformance/wasi", ""},
		{"wit-parse-wit-component", "conformance/wit-component", ""},
	} {
		t.Run(c.key, func(t *testing.T) {
			dir := testutil.Shared(t, c.dir)
			files := corpusFiles(t, dir, c.skip)
			passed := 0
			for _, path := range files {
				src, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				rel, _ := filepath.Rel(dir, path)
				if _, err := File(rel, string(src)); err != nil {
					t.Errorf("%v", err)
					continue
				}
				passed++
			}
			testutil.Conformance(t, c.key, passed, len(files))
		})
	}
}

var resultLoc = regexp.MustCompile(`tests/ui/parse-fail/[^:\s]+:(\d+):(\d+)`)

// syntaxMessage reports whether an expected error message is one the lexer
// or parser produces (rather than the resolver).
func syntaxMessage(msg string) bool {
	for _, p := range []string{
		"expected ", "unknown attribute", "invalid character in identifier",
		"identifiers must have characters between", "unexpected character",
		"unterminated block comment", "type nesting too deep", "package nesting too deep",
		"cannot place attributes on nested packages", "invalid list size",
		"Control code", "Codepoint", "Input contains bidirectional",
		"invalid string", "invalid unicode value", "invalid hex digit", "unexpected end of file",
		"trailing underscore", "number is too big", "invalid UTF-8",
		"unexpected end of input while parsing", "invalid leading zero", "empty identifier segment",
		"value of ",
	} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// TestParseFail checks the single-file parse-fail cases: where the expected
// error is a syntax error, ours must be at the same line:col with the same
// message; otherwise (a resolver error) the file must parse.
func TestParseFail(t *testing.T) {
	dir := testutil.Shared(t, "conformance/wit-parser-ui/parse-fail")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	syntax, matched := 0, 0
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasSuffix(name, ".wit") {
			continue
		}
		want, err := os.ReadFile(filepath.Join(dir, name+".result"))
		if err != nil {
			continue
		}
		src, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		wantText := string(want)
		firstLine, _, _ := strings.Cut(wantText, "\n")
		msg := firstLine
		loc := resultLoc.FindStringSubmatch(wantText)
		if strings.HasPrefix(firstLine, "tests/ui/parse-fail/") && loc != nil {
			// Long lines print as "path:line:col: message".
			msg = strings.TrimPrefix(firstLine[len(loc[0]):], ": ")
		}
		_, perr := File("tests/ui/parse-fail/"+name, string(src))
		if !syntaxMessage(msg) {
			if perr != nil {
				t.Errorf("%s: expected a resolver error (%q), but parsing failed:\n%v", name, msg, perr)
			}
			continue
		}
		syntax++
		var ae *ast.Error
		if !errors.As(perr, &ae) {
			t.Errorf("%s: want error %q at %s:%s, got %v", name, msg, loc[1], loc[2], perr)
			continue
		}
		line, col := ae.LineCol()
		if strconv.Itoa(line) != loc[1] || strconv.Itoa(col) != loc[2] || ae.Msg != msg {
			t.Errorf("%s: want %q at %s:%s, got %q at %d:%d", name, msg, loc[1], loc[2], ae.Msg, line, col)
			continue
		}
		if ae.Error() != strings.TrimRight(wantText, "\n") {
			t.Errorf("%s: rendering differs:\nwant:\n%s\ngot:\n%s", name, wantText, ae.Error())
		}
		matched++
	}
	testutil.Conformance(t, "wit-parse-fail-syntax", matched, syntax)
}

// TestParseFailDirs checks the parse-fail folders whose expected error is a
// syntax error: parsing their files in path order (as the reference does)
// must stop at the same file, line:col and message.
func TestParseFailDirs(t *testing.T) {
	dir := testutil.Shared(t, "conformance/wit-parser-ui/parse-fail")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	syntax, matched := 0, 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		want, err := os.ReadFile(filepath.Join(dir, e.Name()+".wit.result"))
		if err != nil {
			continue
		}
		firstLine, _, _ := strings.Cut(string(want), "\n")
		// Folder errors are prefixed with "failed to ...: " contexts.
		msg := firstLine
		for _, ctx := range []string{"failed to resolve directory while parsing WIT for path [tests/ui/parse-fail/" + e.Name() + "]: ", "failed to parse package: tests/ui/parse-fail/" + e.Name() + ": "} {
			msg = strings.TrimPrefix(msg, ctx)
		}
		if !syntaxMessage(msg) {
			continue
		}
		syntax++
		wantLoc := regexp.MustCompile(`--> (\S+)`).FindStringSubmatch(string(want))
		files, _ := filepath.Glob(filepath.Join(dir, e.Name(), "*.wit"))
		sort.Strings(files)
		var gotLoc, gotMsg string
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			_, perr := File("tests/ui/parse-fail/"+e.Name()+"/"+filepath.Base(f), string(src))
			var ae *ast.Error
			if errors.As(perr, &ae) {
				gotLoc, gotMsg = ae.Location(), ae.Msg
				break
			}
		}
		if wantLoc == nil || gotLoc != wantLoc[1] || gotMsg != msg {
			t.Errorf("%s: want %q at %v, got %q at %s", e.Name(), msg, wantLoc, gotMsg, gotLoc)
			continue
		}
		matched++
	}
	testutil.Conformance(t, "wit-parse-fail-syntax-dirs", matched, syntax)
}
