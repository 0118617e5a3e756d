package compose

import (
	"fmt"
	"strings"
)

// DOT draws the graph in Graphviz's language, as wac's resolution does:
// one node per import, instantiation and alias (implicit imports too),
// edges for arguments and aliased exports, and the exported nodes marked.
func (g *Graph) DOT() string {
	var b strings.Builder
	b.WriteString("digraph {\n")
	exports := map[NodeID][]string{}
	for _, x := range g.exports {
		exports[x.node] = append(exports[x.node], x.name)
	}
	q := func(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) }
	for i, nd := range g.nodes {
		var label string
		switch nd.kind {
		case nodeImport:
			label = fmt.Sprintf("import %q", nd.importName)
		case nodeInstance:
			label = fmt.Sprintf("instantiation of package %q", nd.pkg.Name)
		case nodeAlias:
			label = fmt.Sprintf("alias of export %q", nd.export)
		}
		fmt.Fprintf(&b, "    %d [ label = \"%s\"; kind = \"%s\"", i, q(label), nd.item.Kind)
		if xs := exports[NodeID(i)]; len(xs) > 0 {
			fmt.Fprintf(&b, "; export = \"%s\"", q(strings.Join(xs, ", ")))
		}
		b.WriteString("]\n")
	}
	// Implicit imports follow the nodes, numbered after them.
	implicit := map[int]int{}
	next := len(g.nodes)
	for i, im := range g.imports {
		if im.explicit {
			continue
		}
		implicit[i] = next
		fmt.Fprintf(&b, "    %d [ label = \"%s\"; kind = \"%s\"]\n", next, q(fmt.Sprintf("implicit import %q", im.name)), im.item.Kind)
		next++
	}
	for i, nd := range g.nodes {
		switch nd.kind {
		case nodeInstance:
			for _, name := range nd.argOrder {
				if a, ok := nd.args[name]; ok {
					fmt.Fprintf(&b, "    %d -> %d [ label = \"argument to\" ]\n", a, i)
				} else if k, ok := nd.implicit[name]; ok {
					if n, ok := implicit[k]; ok {
						fmt.Fprintf(&b, "    %d -> %d [ label = \"argument to\" ]\n", n, i)
					} else if g.imports[k].node >= 0 {
						fmt.Fprintf(&b, "    %d -> %d [ label = \"argument to\" ]\n", g.imports[k].node, i)
					}
				}
			}
		case nodeAlias:
			fmt.Fprintf(&b, "    %d -> %d [ label = \"aliased export\" ]\n", nd.source, i)
		}
	}
	b.WriteString("}\n")
	return b.String()
}
