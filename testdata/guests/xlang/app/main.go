//go:build wasm

// Command app is the Go side of the cross-language composition: it
// implements world xlang:demo/app (../wit/demo.wit) with the bindings
// `wasmcm bindgen go` generates, and calls text (implemented in Rust) and
// format (implemented in JavaScript). Its wasi:cli/run prints what came
// back, so a composed component shows the same lines on every host.
//
// compose's tests generate the bindings under example.com/xlang/bindings
// and build it as a wasip1 reactor:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o app.wasm .
package main

import (
	"fmt"
	"strings"

	"example.com/xlang/bindings/wasi/cli/run"
	"example.com/xlang/bindings/xlang/demo/app"
	"example.com/xlang/bindings/xlang/demo/format"
	"example.com/xlang/bindings/xlang/demo/text"
)

const input = "The quick brown fox jumps over the lazy dog; the dog sleeps 42 times, the fox 7. Ünïcödé too!"

type impl struct{}

func (impl) Run() error {
	// A record back from Rust, then to JavaScript: ok and err cases.
	st := text.Analyze(input)
	fmt.Printf("analyze: words=%d bytes=%d longest=%q\n", st.Words, st.Bytes, st.Longest)
	s, err := format.Summary(st)
	fmt.Printf("summary: %q (error %v)\n", s, err)
	_, err = format.Summary(text.Analyze("1, 2, 3."))
	fmt.Printf("summary without words: error %q\n", err)

	// A list of variants from Rust, and more made here, to JavaScript.
	toks := text.Tokenize("fox 42, dög!")
	toks = append(toks, text.TokenNumber(-1<<62), text.TokenPunct('𝄞'))
	for _, d := range format.Describe(toks) {
		fmt.Println("describe:", d)
	}

	// A resource implemented in Rust: created and fed here, lent to
	// JavaScript, which reads it back through Rust.
	t := text.NewTally()
	fmt.Println("tally.add:", t.Add(strings.Fields(strings.ToLower(input))))
	fmt.Println("tally.add:", t.Add([]string{"fox", "dog", "fox"}))
	for _, e := range t.Top(2) {
		fmt.Printf("tally.top: %s %d\n", e.F0, e.F1)
	}
	fmt.Println("report:", format.Report(t, 3))
	t.Drop()

	// An enum and a char in a record, to JavaScript.
	for _, a := range []format.Align{format.AlignLeft, format.AlignCenter, format.AlignRight} {
		fmt.Printf("pad %s: [%s]\n", a, format.Pad("wasm", format.Style{Width: 10, Align: a, Fill: '·'}))
	}
	return nil
}

// AnalyzeMany is the benchmark's call: n calls to Rust through the
// composition (or through the host).
func (impl) AnalyzeMany(s string, n uint32) uint32 {
	var words uint32
	for i := uint32(0); i < n; i++ {
		words += text.Analyze(s).Words
	}
	return words
}

// A reactor runs no main function, so the exports are registered here.
func init() {
	run.Export(impl{})
	app.Export(impl{})
}

func main() {}
