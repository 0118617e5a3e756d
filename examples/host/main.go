// Command host is an example of a Go application embedding a WebAssembly
// component: it runs the shop component (./guest, a stock Go program, built
// into shop.component.wasm by go generate) on wasmcm's runtime through the
// typed host bindings in ./bindings. The application implements the
// component's import example:shop/pricing in Go and calls its exports
// with records, variants and a resource:
//
//	go generate ./examples/host
//	go run ./examples/host -component examples/host/shop.component.wasm
//
// go generate regenerates the guest's and the host's bindings from ./wit
// and builds the component; the bindings are committed, so only the
// component needs building.
package main

//go:generate go run ../../cmd/wasmcm bindgen go --world shop --out guest/bindings --package-root github.com/wasmcm/wasmcm/examples/host/guest/bindings wit
//go:generate go run ../../cmd/wasmcm bindgen go --host --world shop --out bindings --package-root github.com/wasmcm/wasmcm/examples/host/bindings wit
//go:generate env GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o shop.wasm ./guest
//go:generate go run ../../cmd/wasmcm component embed --world shop wit shop.wasm -o shop.embedded.wasm
//go:generate go run ../../cmd/wasmcm component new shop.embedded.wasm -o shop.component.wasm

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strings"

	"github.com/wasmcm/wasmcm/examples/host/bindings/example/shop/catalog"
	"github.com/wasmcm/wasmcm/examples/host/bindings/example/shop/shop"
	"github.com/wasmcm/wasmcm/runtime"
)

func main() {
	path := flag.String("component", "shop.component.wasm", "the component to run (go generate builds it)")
	flag.Parse()
	bin, err := os.ReadFile(*path)
	if err != nil {
		log.Fatalf("%v (run go generate ./examples/host to build the component)", err)
	}
	if err := run(context.Background(), bin, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// pricing is the application's implementation of the component's import
// example:shop/pricing.
type pricing struct{}

// Discount gives regular customers 10%.
func (pricing) Discount(ctx context.Context, customer string) (uint8, error) {
	if customer == "ada" {
		return 10, nil
	}
	return 0, nil
}

// run instantiates the component bin and uses a cart, writing what it
// sees to out.
func run(ctx context.Context, bin []byte, out io.Writer) error {
	rt, err := runtime.New(ctx, runtime.Config{})
	if err != nil {
		return err
	}
	defer rt.Close(ctx)
	// Instantiate checks that bin implements world shop, links the
	// application's imports (and wasmcm's WASI host for what the Go
	// guest's preview-1 adapter imports) and instantiates it.
	inst, err := shop.Instantiate(ctx, rt, bin, shop.Imports{Pricing: pricing{}})
	if err != nil {
		return err
	}
	defer inst.Close(ctx)
	cat := inst.Catalog()

	// A resource the component implements: the application holds an
	// owned handle and closes it when done.
	cart, err := cat.NewCart(ctx, "ada", 2000)
	if err != nil {
		return err
	}
	defer cart.Close(ctx)
	for _, it := range []catalog.Item{
		{Name: "green tea", Price: 450, Tags: []string{"tea", "organic"}},
		{Name: "teapot", Price: 1800, Tags: []string{"tea", "kitchen"}},
		{Name: "kettle", Price: 4500, Tags: []string{"kitchen"}},
		{Name: "green tea", Price: 450},
		{Name: "honey", Price: 700, Tags: []string{"organic"}},
	} {
		// Records go in as Go structs; a WIT error comes back as a Go
		// error holding the variant.
		n, err := cart.Add(ctx, it)
		var refused catalog.AddError
		switch {
		case errors.As(err, &refused):
			switch refused.Kind() {
			case catalog.AddErrorKindDuplicate:
				name, _ := refused.Duplicate()
				fmt.Fprintf(out, "add %s: refused, the cart has a %s already\n", it.Name, name)
			case catalog.AddErrorKindOverLimit:
				limit, _ := refused.OverLimit()
				fmt.Fprintf(out, "add %s: refused, over the limit of %d cents\n", it.Name, limit)
			}
		case err != nil:
			return err
		default:
			fmt.Fprintf(out, "add %s: %d items\n", it.Name, n)
		}
	}
	// Variants go in through their constructors.
	for _, q := range []catalog.Query{catalog.QueryAll(), catalog.QueryTagged("organic"), catalog.QueryCheaperThan(1000)} {
		items, err := cart.Find(ctx, q)
		if err != nil {
			return err
		}
		names := make([]string, len(items))
		for i, it := range items {
			names[i] = it.Name
		}
		fmt.Fprintf(out, "find %s: %s\n", describe(q), strings.Join(names, ", "))
	}
	total, err := cart.Total(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "total: %d cents\n", total)
	// The cart is lent to the component for one call (borrow<cart>).
	summary, err := cat.Summary(ctx, cart)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, summary)
	return nil
}

func describe(q catalog.Query) string {
	switch q.Kind() {
	case catalog.QueryKindTagged:
		tag, _ := q.Tagged()
		return fmt.Sprintf("tagged %q", tag)
	case catalog.QueryKindCheaperThan:
		max, _ := q.CheaperThan()
		return fmt.Sprintf("cheaper than %d", max)
	}
	return "all"
}
