package wit

import "container/heap"

// depEdge is a reference by name to another node of a dependency graph,
// located where it is written.
type depEdge struct {
	name string
	l    loc
}

// depGraph is an insertion-ordered map of node name to its dependencies, as
// the reference keeps in an IndexMap.
type depGraph struct {
	names []string
	edges [][]depEdge
	index map[string]int
}

// newDepGraph returns a graph with room for n nodes.
func newDepGraph(n int) *depGraph {
	return &depGraph{names: make([]string, 0, n), edges: make([][]depEdge, 0, n), index: make(map[string]int, n)}
}

// set adds name (or, like IndexMap::insert, replaces its edges in place).
func (g *depGraph) set(name string, edges []depEdge) {
	if i, ok := g.index[name]; ok {
		g.edges[i] = edges
		return
	}
	g.index[name] = len(g.names)
	g.names = append(g.names, name)
	g.edges = append(g.edges, edges)
}

// push appends an edge to an existing node.
func (g *depGraph) push(name string, e depEdge) {
	i := g.index[name]
	g.edges[i] = append(g.edges[i], e)
}

// minHeap pops the smallest node index first, which is the reference's
// "earliest in source order first" among ready nodes.
type minHeap []int

func (h minHeap) Len() int           { return len(h) }
func (h minHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h minHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *minHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *minHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// toposort orders the graph's nodes dependencies first, breaking ties by
// source order exactly as the reference does (its order decides arena
// indices). kind names the nodes in errors: "type", "interface or world".
func toposort(kind string, g *depGraph, hint func(name string) string) ([]string, error) {
	n := len(g.names)
	remaining := make([]int, n)
	reverse := make([][]int, n)
	for i, edges := range g.edges {
		remaining[i] = len(edges)
		for _, e := range edges {
			j, ok := g.index[e.name]
			if !ok {
				msg := kind + " `" + e.name + "` does not exist"
				if hint != nil {
					if h := hint(e.name); h != "" {
						msg += "\n" + h
					}
				}
				return nil, errorf(e.l, "%s", msg)
			}
			reverse[j] = append(reverse[j], i)
		}
	}
	order := make([]string, 0, n)
	h := make(minHeap, 0, n)
	for i := range n {
		if remaining[i] == 0 {
			h = append(h, i)
		}
	}
	heap.Init(&h)
	for h.Len() > 0 {
		i := heap.Pop(&h).(int)
		order = append(order, g.names[i])
		for _, k := range reverse[i] {
			remaining[k]--
			if remaining[k] == 0 {
				heap.Push(&h, k)
			}
		}
		reverse[i] = nil
	}
	if len(order) == n {
		return order, nil
	}
	for i := range n {
		if remaining[i] == 0 {
			continue
		}
		for _, e := range g.edges[i] {
			if remaining[g.index[e.name]] == 0 {
				continue
			}
			return nil, errorf(e.l, "%s `%s` depends on itself", kind, e.name)
		}
	}
	return nil, errorf(loc{}, "%s cycle", kind)
}
