package runtime_test

import (
	"context"
	"testing"

	"github.com/wasmcm/wasmcm/internal/wat"
	"github.com/wasmcm/wasmcm/runtime"
)

// compileWAT assembles the component text src and compiles it on a fresh
// runtime, closed when the test ends.
func compileWAT(t testing.TB, ctx context.Context, name, src string) *runtime.Compiled {
	t.Helper()
	bin, err := wat.Parse(name, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	rt, err := runtime.New(ctx, runtime.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close(context.Background()) })
	c, err := rt.Compile(ctx, bin)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
