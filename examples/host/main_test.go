package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/bindgen"
	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/preview1"
	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/wit"
)

// loadWIT loads ./wit and selects world shop.
func loadWIT(t *testing.T) (*wit.Resolve, wit.WorldID) {
	t.Helper()
	r, pkgs, err := wit.Load("wit", wit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := r.SelectWorld(pkgs, "shop")
	if err != nil {
		t.Fatal(err)
	}
	return r, w
}

// shopComponent does what go generate does to build the component, with
// the Go build cached under .cache/guests.
func shopComponent(t *testing.T) []byte {
	t.Helper()
	if testing.Short() {
		t.Skip("skipped in -short: builds a Go guest")
	}
	root := testutil.RepoRoot(t)
	key := testutil.GoWasip1Key(t)
	err := filepath.WalkDir("guest", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, err := os.ReadFile(p)
			key[p] = b
			return err
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	core, err := testutil.CachedBuild(t, "example-host", testutil.HashFiles(key), "shop.wasm", func(out string) error {
		cmd := exec.Command(testutil.GoCommand(t), "build", "-buildmode=c-shared", "-o", out, "./examples/host/guest")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0", "GOWORK=off")
		if b, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build: %v\n%s", err, b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(core)
	if err != nil {
		t.Fatal(err)
	}
	r, w := loadWIT(t)
	emb, err := component.Embed(mod, r, w, canon.UTF8)
	if err != nil {
		t.Fatal(err)
	}
	adapter, err := preview1.ForModule(mod)
	if err != nil {
		t.Fatal(err)
	}
	c, err := component.New(emb, component.NewOptions{Adapters: map[string][]byte{preview1.ModuleName: adapter}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), shopComponent(t), &out); err != nil {
		t.Fatalf("run: %v\noutput so far:\n%s", err, out.String())
	}
	want := `add green tea: 1 items
add teapot: 2 items
add kettle: refused, over the limit of 2000 cents
add green tea: refused, the cart has a green tea already
add honey: 3 items
find all: green tea, teapot, honey
find tagged "organic": green tea, honey
find cheaper than 1000: green tea, honey
total: 2655 cents
ada's cart: 3 items, 2655 cents
`
	if out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}
}

// TestRunWrongComponent: a component of another world (here an empty
// one) is refused with an error naming what is missing, before anything
// runs.
func TestRunWrongComponent(t *testing.T) {
	err := run(context.Background(), []byte("\x00asm\x0d\x00\x01\x00"), &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "example:shop/shop") || !strings.Contains(err.Error(), "does not export interface example:shop/catalog") {
		t.Errorf("running an empty component: %v", err)
	}
}

// TestBindingsCurrent checks that the committed guest and host bindings
// are what go generate makes.
func TestBindingsCurrent(t *testing.T) {
	r, w := loadWIT(t)
	guest, err := bindgen.Go(r, w, bindgen.GoOptions{PackageRoot: "github.com/wasmcm/wasmcm/examples/host/guest/bindings"})
	if err != nil {
		t.Fatal(err)
	}
	host, err := bindgen.GoHost(r, w, bindgen.GoOptions{PackageRoot: "github.com/wasmcm/wasmcm/examples/host/bindings"})
	if err != nil {
		t.Fatal(err)
	}
	for dir, files := range map[string]map[string][]byte{"guest/bindings": guest, "bindings": host} {
		for name, b := range files {
			got, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil || !bytes.Equal(got, b) {
				t.Errorf("%s/%s is not what the generator makes now (run go generate ./examples/host)", dir, name)
			}
		}
	}
}
