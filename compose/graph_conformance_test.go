package compose

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/internal/wat"
	"github.com/wasmcm/wasmcm/wit"
)

type graphFile struct {
	Packages []struct {
		Name    string `json:"name"`
		Version string `json:"version"`
		Path    string `json:"path"`
	} `json:"packages"`
	Nodes []struct {
		Type    string `json:"type"`
		Name    string `json:"name"`
		Package int    `json:"package"`
		Export  string `json:"export"`
		Source  int    `json:"source"`
	} `json:"nodes"`
	Arguments []struct {
		Source int    `json:"source"`
		Target int    `json:"target"`
		Name   string `json:"name"`
	} `json:"arguments"`
	Exports []struct {
		Node int    `json:"node"`
		Name string `json:"name"`
	} `json:"exports"`
	Names []struct {
		Node int    `json:"node"`
		Name string `json:"name"`
	} `json:"names"`
}

// loadTestPackage reads a package of a test: component text, or WIT (a
// file or a folder) whose selected world stands for a component.
func loadTestPackage(name, path string) (*Package, error) {
	if strings.HasSuffix(path, ".wat") {
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		b, err := wat.Parse(path, src)
		if err != nil {
			return nil, err
		}
		return NewPackage(name, b)
	}
	r, pkgs, err := wit.Load(path, wit.Options{})
	if err != nil {
		return nil, err
	}
	w, err := r.SelectWorld(pkgs, "")
	if err != nil {
		return nil, err
	}
	return NewPackageFromWorld(name, r, w), nil
}

// runGraphFile builds the composition a wac-graph test describes.
func runGraphFile(dir string) (*Graph, error) {
	data, err := os.ReadFile(filepath.Join(dir, "graph.json"))
	if err != nil {
		return nil, err
	}
	var gf graphFile
	if err := json.Unmarshal(data, &gf); err != nil {
		return nil, err
	}
	g := NewGraph()
	var pkgs []*Package
	seen := map[string]bool{}
	for _, p := range gf.Packages {
		name := p.Name
		if p.Version != "" {
			name += "@" + p.Version
		}
		if seen[name] {
			return nil, fmt.Errorf("package `%s` has already been registered", name)
		}
		seen[name] = true
		pkg, err := loadTestPackage(name, filepath.Join(dir, p.Path))
		if err != nil {
			return nil, err
		}
		pkgs = append(pkgs, pkg)
	}
	// Nodes are added in an order where arguments and alias sources come
	// first; a cycle cannot be ordered.
	order, err := nodeOrder(&gf)
	if err != nil {
		return nil, err
	}
	ids := make([]NodeID, len(gf.Nodes))
	for _, i := range order {
		n := gf.Nodes[i]
		switch n.Type {
		case "import":
			p := pkgs[n.Package]
			r, w := p.World()
			var it *wit.WorldItem
			for j, x := range r.Worlds[w].Exports {
				if KeyName(r, x.Key) == n.Export {
					it = &r.Worlds[w].Exports[j]
				}
			}
			if it == nil {
				if f, ok := p.FuncType(n.Export); ok {
					it = &wit.WorldItem{Key: wit.WorldKey{Name: n.Export}, Kind: wit.WorldItemFunction, Function: f}
				}
			}
			if it == nil {
				return nil, fmt.Errorf("package `%s` has no export named `%s`", p.Name, n.Export)
			}
			item, err := g.ImportItem(p, *it)
			if err != nil {
				return nil, err
			}
			id, err := g.Import(n.Name, item)
			if err != nil {
				return nil, err
			}
			ids[i] = id
		case "instantiation":
			var args []Arg
			for _, a := range gf.Arguments {
				if a.Target == i {
					args = append(args, Arg{Name: a.Name, Node: ids[a.Source]})
				}
			}
			id, err := g.Instantiate(pkgs[n.Package], args, true)
			if err != nil {
				return nil, err
			}
			ids[i] = id
		case "alias":
			id, err := g.Alias(ids[n.Source], n.Export)
			if err != nil {
				return nil, err
			}
			ids[i] = id
		}
	}
	for _, a := range gf.Arguments {
		if gf.Nodes[a.Target].Type != "instantiation" {
			return nil, fmt.Errorf("node %d is not an instantiation", a.Target)
		}
	}
	for _, x := range gf.Exports {
		if err := g.Export(ids[x.Node], x.Name); err != nil {
			return nil, err
		}
	}
	for _, n := range gf.Names {
		g.SetLabel(ids[n.Node], n.Name)
	}
	return g, nil
}

func nodeOrder(gf *graphFile) ([]int, error) {
	deps := make([][]int, len(gf.Nodes))
	for _, a := range gf.Arguments {
		if a.Target < 0 || a.Target >= len(gf.Nodes) || a.Source < 0 || a.Source >= len(gf.Nodes) {
			return nil, fmt.Errorf("argument refers to a missing node")
		}
		if gf.Nodes[a.Target].Type != "instantiation" {
			return nil, fmt.Errorf("node %d is not an instantiation", a.Target)
		}
		deps[a.Target] = append(deps[a.Target], a.Source)
	}
	for i, n := range gf.Nodes {
		if n.Type == "alias" {
			deps[i] = append(deps[i], n.Source)
		}
	}
	state := make([]uint8, len(gf.Nodes))
	var order []int
	var visit func(i int) error
	visit = func(i int) error {
		switch state[i] {
		case 1:
			return fmt.Errorf("the graph contains a cycle through node %d", i)
		case 2:
			return nil
		}
		state[i] = 1
		for _, j := range deps[i] {
			if err := visit(j); err != nil {
				return err
			}
		}
		state[i] = 2
		order = append(order, i)
		return nil
	}
	for i := range gf.Nodes {
		if err := visit(i); err != nil {
			return nil, err
		}
	}
	return order, nil
}

func TestConformanceWacGraph(t *testing.T) {
	root := testutil.Shared(t, "conformance/wac/crates/wac-graph/tests/graphs")
	dirs, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	passed, total := 0, 0
	for _, d := range dirs {
		dir := filepath.Join(root, d.Name())
		total++
		wantErr, _ := os.ReadFile(filepath.Join(dir, "error.txt"))
		g, err := runGraphFile(dir)
		var out []byte
		if err == nil {
			out, err = g.Encode(EncodeOptions{ImportPackages: true})
		}
		if wantErr != nil {
			if err == nil {
				t.Logf("%s: succeeded, want error %q", d.Name(), lastLine(string(wantErr)))
				continue
			}
			passed++
			continue
		}
		if err != nil {
			t.Logf("%s: %v", d.Name(), err)
			continue
		}
		want, err := os.ReadFile(filepath.Join(dir, "encoded.wat"))
		if err != nil {
			t.Fatal(err)
		}
		if diff := compareEncoded(out, string(want)); diff != "" {
			t.Logf("%s: %s", d.Name(), diff)
			continue
		}
		passed++
	}
	testutil.Conformance(t, "wac-graph", passed, total)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
