package component

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// manifestEntry is one command of a wast-bin manifest.json.
type manifestEntry struct {
	Index int    `json:"index"`
	Line  int    `json:"line"`
	Kind  string `json:"kind"`
	Inner string `json:"inner"`
	Wat   string `json:"wat"`
	Text  string `json:"text"`
	// Message is the reference's expected error of an assert_invalid or
	// assert_malformed.
	Message string `json:"message"`
}

// corpusCase is one binary of the corpora: where it came from, what the
// script expects of it, and its bytes.
type corpusCase struct {
	Name  string // path/line, for failure lists
	Dir   string // the manifest's directory relative to wast-bin
	Kind  string // manifest kind: component, assert_invalid, ...
	Bytes []byte
	// Message is the error the reference expects, for the asserts.
	Message string
	// Features are the ones the script asks for (see scriptFeatures).
	Features Features
}

// wastBinCases returns every binary under wast-bin/<sub> (sub may be "" for
// all): the assembled NNN-kind.wasm files and the (component binary "...")
// texts.
func wastBinCases(t *testing.T, root, sub string) []corpusCase {
	t.Helper()
	var manifests []string
	err := filepath.WalkDir(filepath.Join(root, sub), func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Name() == "manifest.json" {
			manifests = append(manifests, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(manifests)
	var cases []corpusCase
	for _, m := range manifests {
		raw, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		var entries []manifestEntry
		if err := json.Unmarshal(raw, &entries); err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		dir := filepath.Dir(m)
		rel, _ := filepath.Rel(root, dir)
		feats := scriptFeatures(root, rel)
		for _, e := range entries {
			var err error
			c := corpusCase{Name: fmt.Sprintf("%s:%d", rel, e.Line), Dir: rel, Kind: e.Kind, Features: feats, Message: e.Message}
			switch {
			case e.Wat != "":
				b, err := os.ReadFile(filepath.Join(dir, strings.TrimSuffix(e.Wat, ".wat")+".wasm"))
				if err != nil {
					continue // the text did not assemble
				}
				c.Bytes = b
			case e.Kind == "component-binary" || e.Inner == "component-binary":
				text := e.Text
				if strings.HasSuffix(text, "…") {
					// The manifest shortens long commands: read the script.
					text, err = scriptFrom(root, rel, e.Line)
					if err != nil {
						t.Errorf("%s: %v", c.Name, err)
						continue
					}
				}
				b, err := binaryOfText(text)
				if err != nil {
					t.Errorf("%s: %v", c.Name, err)
					continue
				}
				c.Bytes = b
			default:
				continue
			}
			cases = append(cases, c)
		}
	}
	return cases
}

// scriptFrom returns the text of the .wast script behind wast-bin/<rel>
// from the given 1-based line on.
func scriptFrom(root, rel string, line int) (string, error) {
	suite, rest, _ := strings.Cut(filepath.ToSlash(rel), "/")
	if suite == "component-model-test" {
		suite = "component-model-spec"
	}
	b, err := os.ReadFile(filepath.Join(root, "..", "wast", suite, rest+".wast"))
	if err != nil {
		return "", err
	}
	lines := strings.SplitAfter(string(b), "\n")
	if line < 1 || line > len(lines) {
		return "", fmt.Errorf("line %d is outside the script", line)
	}
	return strings.Join(lines[line-1:], ""), nil
}

// scriptFeatures returns the features a script runs with: those of its
// reference runner by default, plus what its header asks for with a
// wasm-tools "-f a,b" RUN line or wasmtime ";;! name = true" lines.
// wasm-tools' scripts start from its defaults (only async); the others
// (the spec's and wasmtime's) from every proposal but nested names, 64-bit,
// GC and shared-everything threads.
func scriptFeatures(root, rel string) Features {
	f := AllFeatures
	f.NestedNames, f.Memory64, f.GC, f.SharedThreads = false, false, false, false
	if strings.HasPrefix(filepath.ToSlash(rel), "wasm-tools-cli/") {
		f = Features{Async: true}
	}
	text, err := scriptFrom(root, rel, 1)
	if err != nil {
		return f
	}
	set := func(name string, on bool) {
		name = strings.TrimPrefix(name, "component_model_")
		name = strings.ReplaceAll(strings.TrimPrefix(name, "cm-"), "_", "-")
		switch name {
		case "async":
			f.Async = on
		case "async-stackful":
			f.AsyncStackful = on
		case "more-async-builtins":
			f.MoreAsyncBuiltins = on
		case "threading":
			f.Threading = on
		case "error-context":
			f.ErrorContext = on
		case "fixed-length-lists":
			f.FixedLengthLists = on
		case "map":
			f.Map = on
		case "implements":
			f.Implements = on
		case "canon-names":
			f.CanonNames = on
		case "values":
			f.Values = on
		case "nested-names":
			f.NestedNames = on
		case "64", "cm64", "memory64":
			f.Memory64 = on
		case "gc":
			f.GC = on
		case "shared-everything-threads":
			f.SharedThreads = on
		}
	}
	for _, line := range strings.SplitN(text, "\n", 20) {
		switch {
		case strings.HasPrefix(line, ";; RUN"):
			if _, flags, ok := strings.Cut(line, " -f "); ok {
				flags, _, _ = strings.Cut(flags, " ")
				for _, n := range strings.Split(flags, ",") {
					set(n, true)
				}
			}
		case strings.HasPrefix(line, ";;!"):
			name, val, _ := strings.Cut(strings.TrimSpace(line[3:]), "=")
			set(strings.TrimSpace(name), strings.TrimSpace(val) == "true")
		}
	}
	return f
}

// binaryOfText concatenates the string literals of a (component binary
// "..." ...) form, decoding the text format's escapes and skipping comments.
func binaryOfText(text string) ([]byte, error) {
	i := strings.Index(text, "binary")
	for i >= 0 && (i+6 >= len(text) || !strings.ContainsRune(" \t\n\r", rune(text[i+6]))) {
		j := strings.Index(text[i+6:], "binary")
		if j < 0 {
			i = -1
			break
		}
		i += 6 + j
	}
	if i < 0 {
		return nil, fmt.Errorf("no binary form in %q", text)
	}
	s := text[i+6:]
	var out []byte
	for {
		switch {
		case len(s) == 0:
			return nil, fmt.Errorf("unterminated binary form in %q", text)
		case s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || s[0] == '\r':
			s = s[1:]
		case strings.HasPrefix(s, ";;"):
			nl := strings.IndexByte(s, '\n')
			if nl < 0 {
				return nil, fmt.Errorf("unterminated binary form in %q", text)
			}
			s = s[nl:]
		case strings.HasPrefix(s, "(;"):
			end := strings.Index(s, ";)")
			if end < 0 {
				return nil, fmt.Errorf("unterminated block comment in %q", text)
			}
			s = s[end+2:]
		case s[0] == ')':
			return out, nil
		case s[0] == '"':
			var err error
			if out, s, err = appendStringLiteral(out, s[1:]); err != nil {
				return nil, fmt.Errorf("%v in %q", err, text)
			}
		default:
			return nil, fmt.Errorf("unexpected %q in binary form %q", s[0], text)
		}
	}
}

// appendStringLiteral decodes a string literal whose opening quote was
// consumed, returning the rest of the text after the closing quote.
func appendStringLiteral(out []byte, s string) ([]byte, string, error) {
	for {
		if len(s) == 0 {
			return nil, "", fmt.Errorf("unterminated string")
		}
		c := s[0]
		if c == '"' {
			return out, s[1:], nil
		}
		if c != '\\' {
			out, s = append(out, c), s[1:]
			continue
		}
		if len(s) < 2 {
			return nil, "", fmt.Errorf("bad escape")
		}
		switch e := s[1]; e {
		case 'n':
			out, s = append(out, '\n'), s[2:]
		case 't':
			out, s = append(out, '\t'), s[2:]
		case 'r':
			out, s = append(out, '\r'), s[2:]
		case '\\', '\'', '"':
			out, s = append(out, e), s[2:]
		case 'u':
			end := strings.IndexByte(s, '}')
			if end < 3 {
				return nil, "", fmt.Errorf("bad \\u escape")
			}
			v, err := strconv.ParseUint(s[3:end], 16, 32)
			if err != nil {
				return nil, "", err
			}
			out, s = utf8.AppendRune(out, rune(v)), s[end+1:]
		default:
			if len(s) < 3 {
				return nil, "", fmt.Errorf("bad escape")
			}
			v, err := strconv.ParseUint(s[1:3], 16, 8)
			if err != nil {
				return nil, "", fmt.Errorf("bad escape %q", s[:3])
			}
			out, s = append(out, byte(v)), s[3:]
		}
	}
}
