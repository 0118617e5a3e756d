package compose

import (
	"errors"
	"fmt"
	"strings"
)

// PlugOptions configure Plug.
type PlugOptions struct {
	// Strict makes an import that more than one plug could fill an error;
	// otherwise the first plug in order is used and the others are noted.
	Strict bool
}

// PlugResult is a composition made by Plug, with what was wired, for
// people.
type PlugResult struct {
	Graph *Graph
	// Wiring says, one line each, which export filled which import.
	Wiring []string
	// Notes are what was not wired and why (unused plugs, ties broken).
	Notes []string
}

// PlugError is an error of Plug, naming the components on both sides.
type PlugError struct {
	Msg string
}

// Error implements error.
func (e *PlugError) Error() string { return e.Msg }

type plugger struct {
	g       *Graph
	socket  *Package
	plugs   []*Package
	opts    PlugOptions
	nodes   map[int]NodeID
	onStack map[int]bool
	stack   []int
	used    map[int]bool
	res     *PlugResult
}

func (pl *plugger) pkg(i int) *Package {
	if i < 0 {
		return pl.socket
	}
	return pl.plugs[i]
}

// provider finds the plug exporting what import name of component i asks
// for; -1 when none does.
func (pl *plugger) provider(i int, name string) (int, string, error) {
	var found []int
	var exportName []string
	var incompatible []string
	for j, p := range pl.plugs {
		if j == i {
			continue
		}
		for _, x := range p.Exports() {
			switch {
			case x == name || compatKey(x) == compatKey(name):
				found = append(found, j)
				exportName = append(exportName, x)
			case stripVersion(x) == stripVersion(name) && strings.Contains(name, "@"):
				incompatible = append(incompatible, fmt.Sprintf("%s exports `%s`", p.Name, x))
			}
		}
	}
	if len(found) == 0 {
		if len(incompatible) > 0 {
			return -1, "", &PlugError{Msg: fmt.Sprintf("%s imports `%s`, but only an incompatible version is offered: %s (versions are compatible when they agree up to the first non-zero part)", pl.pkg(i).Name, name, strings.Join(incompatible, ", "))}
		}
		return -1, "", nil
	}
	if len(found) > 1 {
		var names []string
		for _, j := range found {
			names = append(names, pl.plugs[j].Name)
		}
		if pl.opts.Strict {
			return -1, "", &PlugError{Msg: fmt.Sprintf("ambiguous plugs for import `%s` of %s: %s all export it", name, pl.pkg(i).Name, strings.Join(names, ", "))}
		}
		pl.res.Notes = append(pl.res.Notes, fmt.Sprintf("import `%s` of %s: %s chosen over %s (--plug order)", name, pl.pkg(i).Name, names[0], strings.Join(names[1:], ", ")))
	}
	return found[0], exportName[0], nil
}

// node instantiates component i (the socket for -1), first instantiating
// the plugs that fill its imports.
func (pl *plugger) node(i int) (NodeID, error) {
	if n, ok := pl.nodes[i]; ok {
		return n, nil
	}
	if pl.onStack[i] {
		var cycle []string
		for _, j := range pl.stack[indexOf(pl.stack, i):] {
			cycle = append(cycle, pl.pkg(j).Name)
		}
		cycle = append(cycle, pl.pkg(i).Name)
		return 0, &PlugError{Msg: "plugs import from each other in a cycle: " + strings.Join(cycle, " -> ")}
	}
	pl.onStack[i] = true
	pl.stack = append(pl.stack, i)
	defer func() {
		pl.onStack[i] = false
		pl.stack = pl.stack[:len(pl.stack)-1]
	}()
	p := pl.pkg(i)
	var args []Arg
	var from []string
	for _, name := range p.Imports() {
		j, export, err := pl.provider(i, name)
		if err != nil {
			return 0, err
		}
		if j < 0 {
			continue
		}
		src, err := pl.node(j)
		if err != nil {
			return 0, err
		}
		al, err := pl.g.Alias(src, export)
		if err != nil {
			return 0, err
		}
		args = append(args, Arg{Name: name, Node: al})
		from = append(from, pl.plugs[j].Name)
		pl.used[j] = true
		pl.res.Wiring = append(pl.res.Wiring, fmt.Sprintf("%s: import `%s` <- export `%s` of %s", p.Name, name, export, pl.plugs[j].Name))
	}
	n, err := pl.g.Instantiate(p, args, true)
	if err != nil {
		var ae *ArgError
		if errors.As(err, &ae) && ae.Index >= 0 {
			return 0, &PlugError{Msg: fmt.Sprintf("%s cannot fill import `%s` of %s: %v", from[ae.Index], ae.Name, p.Name, ae.Err)}
		}
		var me *MergeError
		if errors.As(err, &me) {
			return 0, &PlugError{Msg: fmt.Sprintf("%s and %s both leave import `%s` open with types that cannot be merged: %v", me.Packages[0], me.Packages[1], me.Name, me.Err)}
		}
		return 0, &PlugError{Msg: fmt.Sprintf("%s: %v", p.Name, err)}
	}
	pl.g.SetLabel(n, p.Name)
	pl.nodes[i] = n
	return n, nil
}

func indexOf(s []int, v int) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return 0
}

// Plug composes socket with plugs: each import of the socket that a plug
// exports is filled by that plug's instance, and the plugs' own imports
// are filled the same way from the other plugs, transitively; what no plug
// exports stays an import of the result. The result exports what the
// socket exports. Every plug is instantiated at most once.
func Plug(socket *Package, plugs []*Package, opts PlugOptions) (*PlugResult, error) {
	if !socket.IsComponent() {
		return nil, &PlugError{Msg: fmt.Sprintf("the socket %s is not a component", socket.Name)}
	}
	seen := map[string]bool{socket.Name: true}
	for _, p := range plugs {
		if !p.IsComponent() {
			return nil, &PlugError{Msg: fmt.Sprintf("the plug %s is not a component", p.Name)}
		}
		if seen[p.Name] {
			return nil, &PlugError{Msg: fmt.Sprintf("%s is given twice", p.Name)}
		}
		seen[p.Name] = true
	}
	pl := &plugger{g: NewGraph(), socket: socket, plugs: plugs, opts: opts, nodes: map[int]NodeID{},
		onStack: map[int]bool{}, used: map[int]bool{}, res: &PlugResult{}}
	pl.res.Graph = pl.g
	n, err := pl.node(-1)
	if err != nil {
		return nil, err
	}
	if len(pl.used) == 0 {
		return nil, &PlugError{Msg: fmt.Sprintf("no plug exports anything %s imports (it imports %s)", socket.Name, quoteList(socket.Imports()))}
	}
	for i, p := range plugs {
		if !pl.used[i] {
			pl.res.Notes = append(pl.res.Notes, fmt.Sprintf("%s was not used: nothing imports what it exports (%s)", p.Name, quoteList(p.Exports())))
		}
	}
	for _, name := range socket.Exports() {
		al, err := pl.g.Alias(n, name)
		if err != nil {
			return nil, err
		}
		if err := pl.g.Export(al, name); err != nil {
			return nil, err
		}
	}
	for _, im := range pl.g.imports {
		pl.res.Notes = append(pl.res.Notes, fmt.Sprintf("import `%s` (of %s) stays an import of the composition", im.name, im.by))
	}
	return pl.res, nil
}

func quoteList(names []string) string {
	if len(names) == 0 {
		return "nothing"
	}
	return "`" + strings.Join(names, "`, `") + "`"
}
