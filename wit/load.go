package wit

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
	"unsafe"

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
	g, err := parseGroup(new(parse.Parser), []source{{path, src}})
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
func parseGroup(p *parse.Parser, srcs []source) (*group, error) {
	srcs = slices.Clone(srcs)
	slices.SortStableFunc(srcs, func(a, b source) int { return strings.Compare(a.path, b.path) })
	g := &group{}
	main := newASTResolver()
	for _, s := range srcs {
		f, err := p.File(s.path, s.text)
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
	g, err := readFileGroup(new(parse.Parser), path)
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
	deps, listErr := listDeps(depsDir)
	jobs := make([]parseJob, 0, 1+len(deps))
	jobs = append(jobs, parseJob{path: path, top: true})
	jobs = append(jobs, deps...)
	runParseJobs(jobs)
	if jobs[0].err != nil {
		return NoPackage, withContext(jobs[0].err, "failed to parse package: "+path)
	}
	if listErr != nil {
		return NoPackage, withContext(listErr, "failed to parse dependency directory: "+depsDir)
	}
	groups := make([]*group, 0, len(deps))
	for _, j := range jobs[1:] {
		if j.err != nil {
			return NoPackage, withContext(j.err, "failed to parse dependency directory: "+depsDir)
		}
		if j.g != nil {
			groups = append(groups, j.g)
		}
	}
	return r.pushGroups(jobs[0].g, groups)
}

// parseJob is the package folder being loaded (top) or one entry of its
// deps/ folder, and the outcome of parsing it.
type parseJob struct {
	path  string
	top   bool
	isDir bool
	link  bool // a symbolic link, whose target's kind is not known yet
	g     *group
	err   error
}

func (j *parseJob) run(p *parse.Parser) {
	if j.top {
		j.g, j.err = parseDir(p, j.path)
		return
	}
	j.g, j.err = parseDep(p, j.path, j.isDir, j.link)
}

// runParseJobs runs the jobs on at most GOMAXPROCS goroutines (the calling
// one included), each taking the next job until none is left: fewer
// goroutines than jobs means fewer stacks to grow for the parser's
// recursion and less scheduling.
func runParseJobs(jobs []parseJob) {
	var next atomic.Int32
	work := func() {
		// One Parser per goroutine: the trees of all its jobs share chunks.
		var p parse.Parser
		for {
			i := int(next.Add(1)) - 1
			if i >= len(jobs) {
				return
			}
			jobs[i].run(&p)
		}
	}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(jobs)) - 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work()
		}()
	}
	work()
	wg.Wait()
}

// parseDir parses a directory's *.wit files (not its sub-directories) as
// one package.
func parseDir(p *parse.Parser, path string) (*group, error) {
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, withContext(err, fmt.Sprintf("failed to read directory %q", path))
	}
	return parseDirEntries(p, path, entries)
}

func parseDirEntries(ps *parse.Parser, path string, entries []os.DirEntry) (*group, error) {
	srcs := make([]source, 0, len(entries))
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".wit") {
			continue
		}
		p := filepath.Join(path, e.Name())
		data, err := readFile(p)
		if err != nil {
			// A link named *.wit may point at a directory: skipped, like
			// the directory's own sub-directories, without a stat first.
			if e.Type()&os.ModeSymlink != 0 && isDirError(p, err) {
				continue
			}
			return nil, withContext(err, fmt.Sprintf("failed to read file %q", p))
		}
		if !utf8.Valid(data) {
			msg := fmt.Sprintf("input file is not valid utf-8 [%s]", p)
			return nil, &Error{Msg: msg, text: msg}
		}
		srcs = append(srcs, source{p, bytesToString(data)})
	}
	return parseGroup(ps, srcs)
}

// bytesToString makes a string of a buffer that nothing writes to again
// (a file just read), without copying it.
func bytesToString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// listDeps lists the entries of a deps/ directory to parse: a folder is a
// package, a .wit file a document, a link either.
func listDeps(path string) ([]parseJob, error) {
	entries, err := os.ReadDir(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, withContext(err, "failed to read directory")
	}
	jobs := make([]parseJob, 0, len(entries))
	for _, e := range entries {
		isDir := e.IsDir()
		link := !isDir && e.Type()&os.ModeSymlink != 0
		if !isDir && !link {
			switch filepath.Ext(e.Name()) {
			case ".wit", ".wat", ".wasm":
			default:
				continue // e.g. .DS_Store
			}
		}
		jobs = append(jobs, parseJob{path: filepath.Join(path, e.Name()), isDir: isDir, link: link})
	}
	return jobs, nil
}

// parseDep parses one entry of deps/. A link is followed by trying what
// its name suggests, instead of a stat: a WIT file name is read as a file
// (or, failing with "is a directory", as a folder); any other name is
// listed as a folder, and skipped when it is not one, as a file of
// another kind would be. A nil group without error means skipped.
func parseDep(p *parse.Parser, path string, isDir, link bool) (*group, error) {
	ext := filepath.Ext(path)
	witName := ext == ".wit" || ext == ".wat" || ext == ".wasm"
	if !isDir && witName {
		g, err := readFileGroup(p, path)
		if err == nil || !link || !isDirError(path, err) {
			return g, err
		}
		// A link named like a file that points at a folder.
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		if link && !witName && isNotDirError(path, err) {
			return nil, nil
		}
		err = withContext(err, fmt.Sprintf("failed to read directory %q", path))
	} else {
		var g *group
		if g, err = parseDirEntries(p, path, entries); err == nil {
			return g, nil
		}
	}
	return nil, withContext(err, "failed to parse package: "+path)
}

// readFileGroup reads and parses one WIT document.
func readFileGroup(p *parse.Parser, path string) (*group, error) {
	data, err := readFile(path)
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
	return parseGroup(p, []source{{path, bytesToString(data)}})
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
