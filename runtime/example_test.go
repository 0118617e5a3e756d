package runtime_test

import (
	"context"
	"fmt"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/runtime"
)

// Compile a component once, serve its import from Go, instantiate it and
// call its exports.
func Example() {
	ctx := context.Background()
	rt, err := runtime.New(ctx, runtime.Config{})
	if err != nil {
		panic(err)
	}
	defer rt.Close(ctx)

	compiled, err := rt.Compile(ctx, benchComponent())
	if err != nil {
		panic(err)
	}

	// The component imports test:bench/host@1.0.0; a host at 1.2.0 is
	// semver-compatible and serves it.
	l := runtime.NewLinker()
	l.Func("test:bench/host@1.2.0", "inc", func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
		return []canon.Value{canon.U32(uint32(args[0].Uint()) + 1)}, nil
	})
	inst, err := compiled.Instantiate(ctx, l)
	if err != nil {
		panic(err)
	}
	defer inst.Close(ctx)

	sum, _ := inst.Call(ctx, "add", canon.U32(40), canon.U32(2))
	n, _ := inst.Call(ctx, "call-host", canon.U32(3))
	echo, _ := inst.Call(ctx, "echo", canon.String("hello"))
	fmt.Println(sum[0].Uint(), n[0].Uint(), echo[0].String())
	// Output: 42 3 hello
}
