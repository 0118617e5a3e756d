package wit

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/wasmcm/wasmcm/wit/internal/ast"
	"github.com/wasmcm/wasmcm/wit/internal/parse"
)

// Options configure loading.
type Options struct {
	// Features enables @unstable(feature = name) gates by name.
	Features []string
	// AllFeatures enables every @unstable gate.
	AllFeatures bool
}

// Load reads WIT from path and resolves it, like the reference's
// Resolve::push_path: a .wit (or .md) file is a single document (possibly
// with nested packages); a directory's *.wit files form one package whose
// deps/ sub-directory holds its dependencies, each a file or a folder. It
// returns the Resolve and the main package (the directory's package, or the
// file's top-level package) for SelectWorld.
func Load(path string, opts Options) (*Resolve, []PackageID, error) {
	r := &Resolve{Features: slices.Clone(opts.Features), AllFeatures: opts.AllFeatures}
	id, err := r.pushPath(path)
	if err != nil {
		return nil, nil, err
	}
	return r, []PackageID{id}, nil
}

// AddSource parses src as one WIT document named path (used only in error
// messages) and adds its packages to r, like the reference's push_str. The
// packages it depends on must already be in r. It returns the document's
// main (top-level) package for SelectWorld. On error r may hold part of the
// document and should not be used further.
func (r *Resolve) AddSource(path, src string) ([]PackageID, error) {
	g, err := parseGroup([]source{{path, src}})
	if err != nil {
		return nil, err
	}
	id, err := r.pushGroups(g, nil)
	if err != nil {
		return nil, err
	}
	return []PackageID{id}, nil
}

// source is one WIT file's name and text.
type source struct {
	path, text string
}

// group is the packages parsed from one set of files: the main package and
// the packages nested in its files (the reference's UnresolvedPackageGroup).
type group struct {
	main   *unresolvedPackage
	nested []*unresolvedPackage
}

// parseGroup parses and resolves (within themselves) the files of one
// package, in path order as the reference does.
func parseGroup(srcs []source) (*group, error) {
	srcs = slices.Clone(srcs)
	slices.SortStableFunc(srcs, func(a, b source) int { return strings.Compare(a.path, b.path) })
	g := &group{}
	main := newASTResolver()
	for _, s := range srcs {
		f, err := parse.File(s.path, s.text)
		if err != nil {
			return nil, fromAST(err)
		}
		var items []ast.Item
		for _, it := range f.Items {
			np, ok := it.(*ast.NestedPackage)
			if !ok {
				items = append(items, it)
				continue
			}
			nr := newASTResolver()
			if err := nr.push(f, &np.Name, np.Items); err != nil {
				return nil, err
			}
			u, err := nr.resolve()
			if err != nil {
				return nil, err
			}
			g.nested = append(g.nested, u)
		}
		if err := main.push(f, f.Package, items); err != nil {
			return nil, err
		}
	}
	u, err := main.resolve()
	if err != nil {
		return nil, err
	}
	g.main = u
	return g, nil
}

// comparePackageNames orders names as the reference's derived Ord:
// namespace, name, then version (none first).
func comparePackageNames(a, b *PackageName) int {
	if c := strings.Compare(a.Namespace, b.Namespace); c != 0 {
		return c
	}
	if c := strings.Compare(a.Name, b.Name); c != 0 {
		return c
	}
	switch {
	case a.Version == nil && b.Version == nil:
		return 0
	case a.Version == nil:
		return -1
	case b.Version == nil:
		return 1
	}
	if c := a.Version.Compare(*b.Version); c != 0 {
		return c
	}
	return strings.Compare(a.Version.Build, b.Version.Build)
}

// pushGroups adds main and its dependency groups to r in dependency order
// and returns main's package (the reference's sort_unresolved_packages).
func (r *Resolve) pushGroups(main *group, deps []*group) (PackageID, error) {
	var all []*unresolvedPackage
	for _, g := range append([]*group{main}, deps...) {
		all = append(all, g.nested...)
		all = append(all, g.main)
	}
	byName := map[string]*unresolvedPackage{}
	for _, u := range all {
		key := u.name.String()
		if prev, ok := byName[key]; ok {
			return NoPackage, errorf(loc{}, "package `%s` is defined in two different locations:\n  * %s\n  * %s",
				u.name, renderLocation(u.nameLoc), renderLocation(prev.nameLoc))
		}
		byName[key] = u
	}
	sorted := make([]*unresolvedPackage, 0, len(byName))
	for _, u := range byName {
		sorted = append(sorted, u)
	}
	slices.SortFunc(sorted, func(a, b *unresolvedPackage) int { return comparePackageNames(&a.name, &b.name) })

	var order []*unresolvedPackage
	done := map[string]bool{}
	visiting := map[string]bool{}
	var visit func(u *unresolvedPackage) error
	visit = func(u *unresolvedPackage) error {
		if done[u.name.String()] {
			return nil
		}
		for i, dep := range u.foreignDeps.keys {
			if visiting[dep] {
				return errorf(u.foreignDepLocs[i], "package `%s` creates a dependency cycle", dep)
			}
			visiting[dep] = true
			if d, ok := byName[dep]; ok {
				if err := visit(d); err != nil {
					return err
				}
			}
			delete(visiting, dep)
		}
		done[u.name.String()] = true
		order = append(order, u)
		return nil
	}
	for _, u := range sorted {
		if err := visit(u); err != nil {
			return NoPackage, err
		}
	}
	mainID := NoPackage
	for _, u := range order {
		id, err := r.appendPackage(u)
		if err != nil {
			return NoPackage, err
		}
		if u == main.main {
			mainID = id
		}
	}
	return mainID, nil
}

// renderLocation is "path:line:col" of a loc.
func renderLocation(l loc) string {
	if !l.known() {
		return "<unknown>"
	}
	p := l.pos()
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

func (r *Resolve) pushPath(path string) (PackageID, error) {
	st, err := os.Stat(path)
	if err == nil && st.IsDir() {
		id, err := r.pushDir(path)
		if err != nil {
			return NoPackage, withContext(err, fmt.Sprintf("failed to resolve directory while parsing WIT for path [%s]", path))
		}
		return id, nil
	}
	g, err := readFileGroup(path)
	if err != nil {
		return NoPackage, err
	}
	return r.pushGroups(g, nil)
}

func (r *Resolve) pushDir(path string) (PackageID, error) {
	// The package and each of its dependencies parse independently, so
	// they are parsed concurrently; errors are still reported in the
	// reference's order (the package first, then deps/ in name order).
	depsDir := filepath.Join(path, "deps")
	var top *group
	var topErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		top, topErr = parseDir(path)
	}()
	deps, depsErr := parseDepsDir(depsDir)
	<-done
	if topErr != nil {
		return NoPackage, withContext(topErr, "failed to parse package: "+path)
	}
	if depsErr != nil {
		return NoPackage, withContext(depsErr, "failed to parse dependency directory: "+depsDir)
	}
	return r.pushGroups(top, deps)
}

// parseDir parses a directory's *.wit files (not its sub-directories) as
// one package.
func parseDir(path string) (*group, error) {
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, withContext(err, fmt.Sprintf("failed to read directory %q", path))
	}
	var srcs []source
	var scratch []byte
	for _, e := range entries {
		p := filepath.Join(path, e.Name())
		if e.IsDir() {
			continue
		}
		if e.Type()&os.ModeSymlink != 0 {
			if st, err := os.Stat(p); err == nil && st.IsDir() {
				continue
			}
		}
		if !strings.HasSuffix(e.Name(), ".wit") {
			continue
		}
		text, err := readText(p, &scratch)
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, source{p, text})
	}
	return parseGroup(srcs)
}

// parseDepsDir parses each entry of a deps/ directory: a folder is a
// package, a .wit file a document. Entries are parsed concurrently (at most
// GOMAXPROCS at a time); the first error in name order is returned, as a
// sequential reading would.
func parseDepsDir(path string) ([]*group, error) {
	entries, err := os.ReadDir(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, withContext(err, "failed to read directory")
	}
	type job struct {
		path  string
		isDir bool
		g     *group
		err   error
	}
	var jobs []*job
	for _, e := range entries {
		p := filepath.Join(path, e.Name())
		isDir := e.IsDir()
		if e.Type()&os.ModeSymlink != 0 {
			if st, err := os.Stat(p); err == nil && st.IsDir() {
				isDir = true
			}
		}
		if !isDir {
			switch filepath.Ext(e.Name()) {
			case ".wit", ".wat", ".wasm":
			default:
				continue // e.g. .DS_Store
			}
		}
		jobs = append(jobs, &job{path: p, isDir: isDir})
	}
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if j.isDir {
				if j.g, j.err = parseDir(j.path); j.err != nil {
					j.err = withContext(j.err, "failed to parse package: "+j.path)
				}
				return
			}
			j.g, j.err = readFileGroup(j.path)
		}()
	}
	wg.Wait()
	out := make([]*group, 0, len(jobs))
	for _, j := range jobs {
		if j.err != nil {
			return nil, j.err
		}
		out = append(out, j.g)
	}
	return out, nil
}

// readFileGroup reads and parses one WIT document.
func readFileGroup(path string) (*group, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, withContext(err, fmt.Sprintf("failed to read path for WIT [%s]", path))
	}
	if isWasm(path, data) {
		return nil, &Error{Msg: "WIT packages encoded as wasm are not supported here yet", text: fmt.Sprintf("WIT packages encoded as wasm are not supported here yet [%s]", path)}
	}
	if !utf8.Valid(data) {
		msg := fmt.Sprintf("input file is not valid utf-8 [%s]", path)
		return nil, &Error{Msg: msg, text: msg}
	}
	return parseGroup([]source{{path, string(data)}})
}

// isWasm tells binary wasm, and the text format of a component, from WIT.
func isWasm(path string, data []byte) bool {
	if bytes.HasPrefix(data, []byte("\x00asm")) {
		return true
	}
	if strings.HasSuffix(path, ".wat") {
		return true
	}
	return false
}

// readText reads a WIT file through a reusable buffer, so that the only
// allocation per file is the returned string.
func readText(path string, scratch *[]byte) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", withContext(err, fmt.Sprintf("failed to read file %q", path))
	}
	defer f.Close()
	buf := (*scratch)[:0]
	if st, err := f.Stat(); err == nil && st.Size() >= int64(cap(buf)) && st.Size() < 1<<30 {
		buf = make([]byte, 0, st.Size()+512) // room to see EOF without growing
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", withContext(err, fmt.Sprintf("failed to read file %q", path))
		}
	}
	*scratch = buf
	if !utf8.Valid(buf) {
		msg := fmt.Sprintf("input file is not valid utf-8 [%s]", path)
		return "", &Error{Msg: msg, text: msg}
	}
	return string(buf), nil
}
