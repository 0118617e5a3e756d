package wat

import (
	"os"
	"testing"
)

// TestDebugFile assembles $WATFILE into /tmp/got.wasm (a developer aid).
func TestDebugFile(t *testing.T) {
	f := os.Getenv("WATFILE")
	if f == "" {
		t.Skip("WATFILE not set")
	}
	src, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse(f, src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("/tmp/got.wasm", b, 0o644); err != nil {
		t.Fatal(err)
	}
}
