package wat

import (
	"os"
	"path/filepath"
	"strings"
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

// TestDebugDump assembles every .wat under $WATDIR next to itself as
// .got.wasm under /tmp/watdump (a developer aid for comparing with other
// assemblers).
func TestDebugDump(t *testing.T) {
	dir := os.Getenv("WATDIR")
	if dir == "" {
		t.Skip("WATDIR not set")
	}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(p, ".wat") {
			return nil
		}
		src, _ := os.ReadFile(p)
		b, err := Parse(p, src)
		out := filepath.Join("/tmp/watdump", strings.TrimPrefix(p, dir))
		os.MkdirAll(filepath.Dir(out), 0o755)
		if err != nil {
			os.WriteFile(out+".err", []byte(err.Error()), 0o644)
			return nil
		}
		os.WriteFile(strings.TrimSuffix(out, ".wat")+".got.wasm", b, 0o644)
		return nil
	})
}
