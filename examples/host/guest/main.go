//go:build wasm

// Command guest is the component examples/host embeds, written in stock
// Go: it implements the exported interface example:shop/catalog of world
// example:shop/shop (../wit) with the bindings `wasmcm bindgen go`
// generated in ./bindings, and asks the host's pricing interface for
// discounts. `go generate ./examples/host` builds it.
package main

import (
	"fmt"
	"slices"

	"github.com/wasmcm/wasmcm/examples/host/guest/bindings/example/shop/catalog"
	"github.com/wasmcm/wasmcm/examples/host/guest/bindings/example/shop/pricing"
)

// cart implements catalog.Cart.
type cart struct {
	customer string
	limit    uint32
	items    []catalog.Item
}

func (c *cart) Add(it catalog.Item) (uint32, error) {
	if it.Price > c.limit {
		return 0, catalog.AddErrorOverLimit(c.limit)
	}
	if slices.ContainsFunc(c.items, func(x catalog.Item) bool { return x.Name == it.Name }) {
		return 0, catalog.AddErrorDuplicate(it.Name)
	}
	c.items = append(c.items, it)
	return uint32(len(c.items)), nil
}

func (c *cart) Find(q catalog.Query) []catalog.Item {
	var out []catalog.Item
	for _, it := range c.items {
		switch q.Kind() {
		case catalog.QueryKindAll:
		case catalog.QueryKindTagged:
			tag, _ := q.Tagged()
			if !slices.Contains(it.Tags, tag) {
				continue
			}
		case catalog.QueryKindCheaperThan:
			max, _ := q.CheaperThan()
			if it.Price >= max {
				continue
			}
		}
		out = append(out, it)
	}
	return out
}

func (c *cart) Total() uint32 {
	var sum uint32
	for _, it := range c.items {
		sum += it.Price
	}
	// The host decides the discount.
	return sum - sum*uint32(min(pricing.Discount(c.customer), 100))/100
}

// impl implements catalog.Exports.
type impl struct{}

func (impl) NewCart(customer string, limit uint32) catalog.Cart {
	return &cart{customer: customer, limit: limit}
}

func (impl) Summary(c catalog.Cart) string {
	x := c.(*cart)
	return fmt.Sprintf("%s's cart: %d items, %d cents", x.customer, len(x.items), x.Total())
}

// A reactor runs no main function, so the exports are registered here.
func init() { catalog.Export(impl{}) }

func main() {}
