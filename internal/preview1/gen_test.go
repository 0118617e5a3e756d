package preview1

import (
	"context"
	"testing"

	"github.com/tetratelabs/wazero"
)

func TestGenerateCompiles(t *testing.T) {
	for _, o := range []Options{{Flavor: Command}, {Flavor: Reactor}, {Flavor: Command, StateAddr: goStateAddr, StateSize: goStateSize}} {
		b, err := Generate(o)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
		if _, err := r.CompileModule(ctx, b); err != nil {
			t.Fatalf("%+v: %v", o, err)
		}
		r.Close(ctx)
		t.Logf("%+v: %d bytes", o, len(b))
	}
}
