package wasi_test

import (
	"context"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/wasmcm/wasmcm/runtime"
	"github.com/wasmcm/wasmcm/runtime/wasi"
)

// A Go program serves HTTP with a wasi:http proxy component, as wasmtime
// serve does: compiled once, instantiated for every request, allowed to
// call one API and nothing else.
func ExampleHTTPHandler() {
	ctx := context.Background()
	bin, err := os.ReadFile("proxy.component.wasm")
	if err != nil {
		log.Fatal(err)
	}
	// CloseOnContextDone: a guest stops when its client goes away or its
	// Timeout passes.
	rt, err := runtime.New(ctx, runtime.Config{CloseOnContextDone: true})
	if err != nil {
		log.Fatal(err)
	}
	defer rt.Close(ctx)
	c, err := rt.Compile(ctx, bin)
	if err != nil {
		log.Fatal(err)
	}
	h, err := wasi.NewHTTPHandler(c, wasi.Config{
		AllowedHTTPHosts: []string{"api.example.com"},
		Stderr:           os.Stderr,
	})
	if err != nil {
		log.Fatal(err) // not a proxy: it exports no wasi:http/incoming-handler
	}
	h.Timeout = 30 * time.Second
	defer h.Close()
	mux := http.NewServeMux()
	mux.Handle("/api/", h) // the guest sees the whole path
	log.Fatal(http.ListenAndServe("127.0.0.1:8080", mux))
}
