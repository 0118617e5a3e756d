// Package xlang_test runs the cross-language guests of
// testdata/guests/xlang through typed host bindings: text, written in Rust
// with the canonical ABI by hand, and format, written in JavaScript and
// built with componentize-js. They are the same components compose's
// end-to-end test builds, and reuse its cached builds; a missing rustc or
// node skips.
package xlang_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	cm "github.com/wasmcm/wasmcm/bindgen/hostcm"
	"github.com/wasmcm/wasmcm/bindgen/internal/host/hosttest"
	"github.com/wasmcm/wasmcm/bindgen/internal/host/xlang/bindings/js/xlang/demo/format"
	"github.com/wasmcm/wasmcm/bindgen/internal/host/xlang/bindings/js/xlang/demo/formatimpl"
	jstext "github.com/wasmcm/wasmcm/bindgen/internal/host/xlang/bindings/js/xlang/demo/text"
	"github.com/wasmcm/wasmcm/bindgen/internal/host/xlang/bindings/rust/xlang/demo/text"
	"github.com/wasmcm/wasmcm/bindgen/internal/host/xlang/bindings/rust/xlang/demo/textimpl"
	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/preview1"
	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/wit"
)

func xlangDir(t testing.TB) string {
	return filepath.Join(testutil.RepoRoot(t), "testdata", "guests", "xlang")
}

// rustText builds text.rs (with the cache key compose's test uses, so
// either test's build serves both) and makes it the component of world
// text-impl.
func rustText(t testing.TB) []byte {
	t.Helper()
	if testing.Short() {
		t.Skip("skipped in -short: builds the Rust guest")
	}
	rustc := testutil.Rustc(t, "wasm32-unknown-unknown")
	src := filepath.Join(xlangDir(t), "text.rs")
	code, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	ver, _ := exec.Command(rustc, "-V").CombinedOutput()
	core, err := testutil.CachedBuild(t, "xlang-rust", testutil.HashFiles(map[string][]byte{"text.rs": code, "rustc": ver}), "text.wasm", func(out string) error {
		b, err := exec.Command(rustc, "--edition", "2021", "--target", "wasm32-unknown-unknown", "--crate-type", "cdylib", "-O", "-C", "strip=debuginfo", "-o", out, src).CombinedOutput()
		if err != nil {
			return fmt.Errorf("rustc: %v\n%s", err, b)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("building text.rs: %v", err)
	}
	b, err := os.ReadFile(core)
	if err != nil {
		t.Fatal(err)
	}
	r, pkgs, err := wit.Load(witDir(t), wit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := r.SelectWorld(pkgs, "text-impl")
	if err != nil {
		t.Fatal(err)
	}
	emb, err := component.Embed(b, r, w, canon.UTF8)
	if err != nil {
		t.Fatalf("embedding text-impl: %v", err)
	}
	// No preview-1 adapter: the module imports no WASI.
	c, err := component.New(emb, component.NewOptions{})
	if err != nil {
		t.Fatalf("component new: %v", err)
	}
	return c
}

// jsFormat builds format.js with componentize-js for world format-impl
// (about a minute the first time; the key is compose's, so its cached
// build serves here too).
func jsFormat(t testing.TB) []byte {
	t.Helper()
	if testing.Short() {
		t.Skip("skipped in -short: builds the JS guest")
	}
	testutil.ComponentizeJS(t)
	key := testutil.BuildJSScriptFiles(t)
	for _, f := range []string{"format.js", "wit/demo.wit"} {
		b, err := os.ReadFile(filepath.Join(xlangDir(t), f))
		if err != nil {
			t.Fatal(err)
		}
		key[f] = b
	}
	key["wasi"] = []byte(preview1.WASIVersion)
	out, err := testutil.CachedBuild(t, "xlang-js", testutil.HashFiles(key), "format.wasm", func(out string) error {
		return testutil.BuildJS(t, filepath.Join(xlangDir(t), "format.js"), witDir(t), "format-impl", out)
	})
	if err != nil {
		t.Fatalf("building format.js: %v", err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func rustInstance(t *testing.T) *textimpl.Instance {
	t.Helper()
	bin := rustText(t)
	ctx := context.Background()
	inst, err := textimpl.Instantiate(ctx, hosttest.Runtime(t), bin, textimpl.Imports{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Close(ctx) })
	return inst
}

type pair = struct {
	F0 string
	F1 uint32
}

// The Rust guest's exports through host bindings: strings empty, long and
// unicode; a record; a list of variants with every case; the resource
// made, borrowed by its methods with lists both ways, and dropped.
func TestRustText(t *testing.T) {
	ctx := context.Background()
	x := rustInstance(t).Text()

	long := strings.Repeat("w ", 50000)
	for _, c := range []struct {
		in   string
		want text.Stats
	}{
		{"", text.Stats{}},
		{"one", text.Stats{Words: 1, Bytes: 3, Longest: "one"}},
		{"Ünïcödé fox, 42 𝄞", text.Stats{Words: 2, Bytes: uint32(len("Ünïcödé fox, 42 𝄞")), Longest: "Ünïcödé"}},
		{long, text.Stats{Words: 50000, Bytes: 100000, Longest: "w"}},
	} {
		got, err := x.Analyze(ctx, c.in)
		if err != nil || got != c.want {
			t.Errorf("Analyze(%.20q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}

	// A Go string that is not UTF-8 is refused before the guest sees it,
	// and the instance goes on.
	if _, err := x.Analyze(ctx, "ab\xffcd"); err == nil || !strings.Contains(err.Error(), "not valid UTF-8") {
		t.Errorf("Analyze of invalid UTF-8: %v", err)
	}
	if got, err := x.Analyze(ctx, "ok"); err != nil || got.Words != 1 {
		t.Errorf("Analyze after a refused call = %+v, %v", got, err)
	}

	toks, err := x.Tokenize(ctx, "")
	if err != nil || len(toks) != 0 {
		t.Errorf("Tokenize(\"\") = %v, %v", toks, err)
	}
	toks, err = x.Tokenize(ctx, "fox 42, dög! 99999999999999999999 𝄞")
	if err != nil {
		t.Fatal(err)
	}
	want := []text.Token{
		text.TokenWord("fox"), text.TokenNumber(42), text.TokenPunct(','), text.TokenWord("dög"),
		text.TokenPunct('!'), text.TokenNumber(1<<63 - 1), text.TokenPunct('𝄞'),
	}
	if !slices.Equal(toks, want) {
		t.Errorf("Tokenize = %v\nwant %v", toks, want)
	}
	toks, err = x.Tokenize(ctx, long)
	if err != nil || len(toks) != 50000 || toks[49999] != text.TokenWord("w") {
		t.Errorf("Tokenize(long) = %d tokens, %v", len(toks), err)
	}

	a, err := x.NewTally(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := x.NewTally(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := a.Add(ctx, nil); err != nil || n != 0 {
		t.Errorf("Add(nil) = %d, %v", n, err)
	}
	if top, err := a.Top(ctx, 10); err != nil || len(top) != 0 {
		t.Errorf("Top of an empty tally = %v, %v", top, err)
	}
	if n, err := a.Add(ctx, []string{"the", "fox", "the", "", "dög"}); err != nil || n != 4 {
		t.Errorf("Add = %d, %v; want 4", n, err)
	}
	many := make([]string, 1000)
	for i := range many {
		many[i] = fmt.Sprintf("w%04d", i)
	}
	if n, err := a.Add(ctx, many); err != nil || n != 1004 {
		t.Errorf("Add(1000 words) = %d, %v; want 1004", n, err)
	}
	// b is a distinct resource: a's words are not in it.
	if n, err := b.Add(ctx, []string{"the"}); err != nil || n != 1 {
		t.Errorf("b.Add = %d, %v; want 1", n, err)
	}
	top, err := a.Top(ctx, 3)
	if want := []pair{{"the", 2}, {"", 1}, {"dög", 1}}; err != nil || !slices.Equal(top, want) {
		t.Errorf("Top(3) = %q, %v; want %q", top, err, want)
	}
	if top, err := a.Top(ctx, 0); err != nil || len(top) != 0 {
		t.Errorf("Top(0) = %v, %v", top, err)
	}
	if top, err := a.Top(ctx, 1<<32-1); err != nil || len(top) != 1004 || top[1003] != (pair{"w0999", 1}) {
		t.Errorf("Top(max) = %d pairs, %v", len(top), err)
	}

	if err := a.Close(ctx); err != nil {
		t.Fatalf("dropping the tally: %v", err)
	}
	if _, err := a.Add(ctx, []string{"x"}); err == nil {
		t.Error("a dropped tally accepted a call")
	}
	if err := a.Close(ctx); err != nil {
		t.Errorf("a second Close: %v", err)
	}
	// The other tally lives on after a's destructor ran.
	if top, err := b.Top(ctx, 5); err != nil || !slices.Equal(top, []pair{{"the", 1}}) {
		t.Errorf("b.Top after a's drop = %v, %v", top, err)
	}
	if err := b.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

// goTally is a tally the host implements for the JS guest.
type goTally struct {
	counts map[string]uint32
	closed *int
}

func (g *goTally) Add(ctx context.Context, words []string) (uint32, error) {
	for _, w := range words {
		g.counts[w]++
	}
	return uint32(len(g.counts)), nil
}

func (g *goTally) Top(ctx context.Context, n uint32) ([]pair, error) {
	var all []pair
	for w, c := range g.counts {
		all = append(all, pair{w, c})
	}
	slices.SortFunc(all, func(a, b pair) int {
		if a.F1 != b.F1 {
			return int(b.F1) - int(a.F1)
		}
		return strings.Compare(a.F0, b.F0)
	})
	return all[:min(len(all), int(n))], nil
}

func (g *goTally) Close(ctx context.Context) error {
	*g.closed++
	return nil
}

// rustTally serves the JS guest's calls of a tally with the Rust guest's:
// JS to the Go host to Rust, each hop through typed bindings.
type rustTally struct{ r *text.Tally }

func (t rustTally) Add(ctx context.Context, words []string) (uint32, error) {
	return t.r.Add(ctx, words)
}

func (t rustTally) Top(ctx context.Context, n uint32) ([]pair, error) {
	return t.r.Top(ctx, n)
}

// textHost is the host's text for the JS guest, backed by the Rust guest
// when it has one. format-impl imports text only for its types and the
// tally's methods.
type textHost struct {
	rust   *text.Exports
	closed int
}

func (h *textHost) Analyze(ctx context.Context, s string) (jstext.Stats, error) {
	r, err := h.rust.Analyze(ctx, s)
	return jstext.Stats{Words: r.Words, Bytes: r.Bytes, Longest: r.Longest}, err
}

func (h *textHost) Tokenize(ctx context.Context, s string) ([]jstext.Token, error) {
	return nil, errors.New("format-impl does not tokenize")
}

func (h *textHost) NewTally(ctx context.Context) (jstext.Tally, error) {
	return &goTally{counts: map[string]uint32{}, closed: &h.closed}, nil
}

// The JS guest's exports through host bindings: strings empty, long and
// unicode with a record of an enum and a char; a list of variants in and a
// list of strings out; a result both ways; and a tally the host lends it,
// implemented in Go and by the Rust guest, whose methods the guest calls
// back through the host's imports.
func TestJSFormat(t *testing.T) {
	bin := jsFormat(t)
	ctx := context.Background()
	rust := rustInstance(t).Text()
	host := &textHost{rust: rust}
	inst, err := formatimpl.Instantiate(ctx, hosttest.Runtime(t), bin, formatimpl.Imports{Text: host})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	x := inst.Format()

	long := strings.Repeat("ü", 100000)
	for _, c := range []struct {
		s     string
		style format.Style
		want  string
	}{
		{"", format.Style{Width: 5, Align: format.AlignCenter, Fill: '·'}, "·····"},
		{"", format.Style{Width: 0, Align: format.AlignLeft, Fill: ' '}, ""},
		{"wasm", format.Style{Width: 10, Align: format.AlignLeft, Fill: '·'}, "wasm······"},
		{"wasm", format.Style{Width: 10, Align: format.AlignRight, Fill: '𝄞'}, strings.Repeat("𝄞", 6) + "wasm"},
		{"dög", format.Style{Width: 6, Align: format.AlignCenter, Fill: '-'}, "-dög--"},
		{"too long", format.Style{Width: 3, Align: format.AlignRight, Fill: '-'}, "too long"},
		{long, format.Style{Width: 100002, Align: format.AlignCenter, Fill: 'é'}, "é" + long + "é"},
	} {
		got, err := x.Pad(ctx, c.s, c.style)
		if err != nil || got != c.want {
			t.Errorf("Pad(%.12q, %+v) = %.24q, %v; want %.24q", c.s, c.style, got, err, c.want)
		}
	}

	if got, err := x.Describe(ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("Describe(nil) = %q, %v", got, err)
	}
	toks := []jstext.Token{
		jstext.TokenWord(""), jstext.TokenWord("Ünïcödé"), jstext.TokenNumber(-1 << 63), jstext.TokenNumber(1<<63 - 1),
		jstext.TokenNumber(0), jstext.TokenPunct('!'), jstext.TokenPunct('𝄞'),
	}
	want := []string{
		`word ""`, `word "Ünïcödé"`, "number -9223372036854775808", "number 9223372036854775807",
		"number 0", "punct ! U+0021", "punct 𝄞 U+1D11E",
	}
	if got, err := x.Describe(ctx, toks); err != nil || !slices.Equal(got, want) {
		t.Errorf("Describe = %q, %v\nwant %q", got, err, want)
	}
	many := make([]jstext.Token, 2000)
	for i := range many {
		many[i] = jstext.TokenNumber(int64(i))
	}
	if got, err := x.Describe(ctx, many); err != nil || len(got) != 2000 || got[1999] != "number 1999" {
		t.Errorf("Describe(2000 tokens) = %d strings, %v", len(got), err)
	}

	// The result's ok case, with stats the Rust guest computed.
	st, err := host.Analyze(ctx, "the quick Ünïcödé fox")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := x.Summary(ctx, st); err != nil || got != `4 words in 25 bytes, longest "Ünïcödé"` {
		t.Errorf("Summary = %q, %v", got, err)
	}
	// Its error case.
	_, err = x.Summary(ctx, jstext.Stats{Bytes: 8})
	var e cm.ErrorOf[string]
	if !errors.As(err, &e) || e.Value != "no words in 8 bytes" {
		t.Errorf("Summary of no words: %v, want the error case", err)
	}

	// A tally the host implements in Go, lent to the guest: the guest
	// calls its top back through the host; a borrow is never dropped.
	g := &goTally{counts: map[string]uint32{}, closed: &host.closed}
	g.Add(ctx, []string{"the", "fox", "the", "fox", "dog", "Ünïcödé"})
	if got, err := x.Report(ctx, g, 4); err != nil || got != "fox=2, the=2, dog=1, Ünïcödé=1" {
		t.Errorf("Report(go tally) = %q, %v", got, err)
	}
	if got, err := x.Report(ctx, g, 0); err != nil || got != "" {
		t.Errorf("Report(go tally, 0) = %q, %v", got, err)
	}
	if host.closed != 0 {
		t.Errorf("a lent tally was closed %d times", host.closed)
	}

	// A nil tally is refused on the host's side, the guest untouched.
	if _, err := x.Report(ctx, nil, 1); err == nil || !strings.Contains(err.Error(), "nil tally") {
		t.Errorf("Report(nil) = %v", err)
	}

	// A tally the Rust guest implements, lent to JS through the host.
	rt, err := rust.NewTally(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	if _, err := rt.Add(ctx, []string{"b", "a", "b", "𝄞", "a", "b"}); err != nil {
		t.Fatal(err)
	}
	if got, err := x.Report(ctx, rustTally{rt}, 10); err != nil || got != "b=3, a=2, 𝄞=1" {
		t.Errorf("Report(rust tally) = %q, %v", got, err)
	}
	// The guest's lending left the tally as it was.
	if n, err := rt.Add(ctx, nil); err != nil || n != 3 {
		t.Errorf("the Rust tally after the loan: %d words, %v", n, err)
	}

	// A host method failing traps the guest that called it: the export's
	// call fails with the host's error, and the trapped instance refuses
	// further calls.
	if _, err := x.Report(ctx, failingTally{}, 1); err == nil || !strings.Contains(err.Error(), "the tally's store is down") {
		t.Errorf("Report(failing tally) = %v, want the host's error", err)
	}
	if got, err := x.Pad(ctx, "x", format.Style{Width: 2, Fill: '-'}); err == nil {
		t.Errorf("a trapped instance answered Pad: %q", got)
	}
}

// failingTally is a host tally whose methods fail.
type failingTally struct{}

func (failingTally) Add(context.Context, []string) (uint32, error) {
	return 0, errors.New("the tally's store is down")
}

func (failingTally) Top(context.Context, uint32) ([]pair, error) {
	return nil, errors.New("the tally's store is down")
}
