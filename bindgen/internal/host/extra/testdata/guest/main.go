// Command guest implements world test:extra/extra (../../wit) with
// wasmcm's guest bindings: maps, fixed-length lists, and a resource of the
// world itself that the host implements.
package main

import (
	"maps"
	"strings"

	"example.com/guest/bindings/test/extra/extra"
)

type impl struct{}

func (impl) EchoMap(m map[string][]uint32) map[string][]uint32 { return maps.Clone(m) }

func (impl) EchoFixed(f [3]uint32) [3]uint32 { return [3]uint32{f[2], f[1], f[0]} }

// Things makes a host thing per name, renames it, lends it to the host and
// drops it, reporting what the host said.
func (impl) Things(names []string) []string {
	var out []string
	for _, n := range names {
		t := extra.NewThing(n)
		t.Rename(strings.ToUpper(n))
		out = append(out, t.Name()+"/"+extra.Lend(t))
		t.Drop()
	}
	return out
}

func (impl) CallDescribe() string {
	return extra.Describe(map[string]uint32{"one": 1, "two": 2, "": 0}, [4]uint8{1, 2, 3, 255})
}

func init() { extra.Export(impl{}) }

func main() {}
