package wasi_test

import (
	"context"
	"log"
	"os"

	"github.com/wasmcm/wasmcm/runtime"
	"github.com/wasmcm/wasmcm/runtime/wasi"
)

// A Go program runs a WASI command component: compile it, give it its
// arguments, standard streams and one directory, and run it.
func Example() {
	ctx := context.Background()
	bin, err := os.ReadFile("hello.component.wasm") // e.g. from //go:embed
	if err != nil {
		log.Fatal(err)
	}
	rt, err := runtime.New(ctx, runtime.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer rt.Close(ctx)
	c, err := rt.Compile(ctx, bin)
	if err != nil {
		log.Fatal(err)
	}

	l := runtime.NewLinker()
	host, err := wasi.Add(l, wasi.Config{
		Args:   []string{"hello", "--greeting", "hi"},
		Env:    []string{"LANG=C"},
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		Dirs:   []wasi.Dir{{Host: "./data", Guest: "/data"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer host.Close()

	inst, err := c.Instantiate(ctx, l)
	if err != nil {
		log.Fatal(err)
	}
	defer inst.Close(ctx)
	code, err := wasi.Run(ctx, inst)
	if err != nil {
		log.Fatal(err) // a trap: the message says where
	}
	os.Exit(code)
}
