//go:build wasm

// Command go-guest is an example component written in stock Go: it
// implements the exported interface example:guest/store with the bindings
// that `wasmcm bindgen go` generated in ./bindings.
//
// Build it as a wasip1 reactor:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o guest.wasm ./examples/go-guest
//
// Regenerate the bindings with:
//
//	wasmcm bindgen go --world guest --out examples/go-guest/bindings \
//	    --package-root github.com/wasmcm/wasmcm/examples/go-guest/bindings examples/go-guest/wit
package main

import (
	"sort"
	"strings"

	"github.com/wasmcm/wasmcm/examples/go-guest/bindings/example/guest/guest"
	"github.com/wasmcm/wasmcm/examples/go-guest/bindings/example/guest/store"
)

// maxKeys is how many keys a bucket holds before set fails with full.
const maxKeys = 100

// bucket implements store.Bucket.
type bucket struct {
	name   string
	values map[string]string
}

func (b *bucket) Get(key string) (string, error) {
	v, ok := b.values[key]
	if !ok {
		return "", store.StoreErrorNotFound(key)
	}
	return v, nil
}

func (b *bucket) Set(key, value string) error {
	if _, ok := b.values[key]; !ok && len(b.values) >= maxKeys {
		return store.StoreErrorFull()
	}
	b.values[key] = value
	return nil
}

func (b *bucket) Keys() []string {
	keys := make([]string, 0, len(b.values))
	for k := range b.values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Drop runs when the host drops the last handle to the bucket.
func (b *bucket) Drop() { guest.Log("bucket " + b.name + " dropped") }

// impl implements store.Exports.
type impl struct{}

func (impl) NewBucket(name string) store.Bucket {
	return &bucket{name: name, values: map[string]string{}}
}

func (impl) WordCount(text string) uint32 { return uint32(len(strings.Fields(text))) }

// A reactor runs no main function, so the exports are registered here.
func init() { store.Export(impl{}) }

func main() {}
