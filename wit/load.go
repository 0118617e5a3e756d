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
	// DecodeWasm decodes a .wasm/.wat package (binary wasm, or component
	// text, as the reference's push_file accepts) into a Resolve holding it
	// and its dependencies, returning the package's id there; nil makes such
	// files an error. It lives outside package wit (the decoder imports
	// wit), and may be called from several goroutines at once.
	DecodeWasm func(path string, data []byte) (*Resolve, PackageID, error)
}

// Load reads WIT from path and resolves it, like the reference's
// Resolve::push_path: a .wit (or .md) file is a single document (possibly
// with nested packages); a directory's *.wit files form one package whose
// deps/ sub-directory holds its dependencies, each a file or a folder. It
// returns the Resolve and the main package (the directory's package, or the
// file's top-level package) for SelectWorld.
func Load(path string, opts Options) (*Resolve, []PackageID, error) {
	r := &Resolve{Features: slices.Clone(opts.Features), AllFeatures: opts.AllFeatures}
	id, err := r.pushPath(path, opts.DecodeWasm)
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

	// wasm, when set, is a package decoded from wasm (main and nested are
	// then nil): the reference merges it into the Resolve as soon as it is
	// read, ahead of the WIT packages sorted together.
	wasm    *Resolve
	wasmPkg PackageID
	path    string
}

// parseGroup parses and resolves (within themselves) the files of one
// package, in path order as the reference does.
func parseGroup(p *parse.Parser, srcs []source) (*group, error) {
	srcs = slices.Clone(srcs)
	slices.SortStableFunc(srcs, func(a, b source) int { return strings.Compare(a.path, b.path) })
	files := make([]parsedFile, len(srcs))
	for i, s := range srcs {
		files[i].f, files[i].err = p.File(s.path, s.text)
		if files[i].err != nil {
			break // later files are not looked at
		}
	}
	return resolveGroup(files)
}

// parsedFile is one file of a package after parsing: its tree or its
// parse error.
type parsedFile struct {
	f   *ast.File
	err error
}

// resolveGroup resolves the parsed files of one package, in path order:
// the first parse error is reported, or the first resolution error of a
// nested package or of the package itself, in the order the reference
// meets them.
func resolveGroup(files []parsedFile) (*group, error) {
	g := &group{}
	main := newASTResolver()
	for _, pf := range files {
		if pf.err != nil {
			return nil, fromAST(pf.err)
		}
		f := pf.f
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

func (r *Resolve) pushPath(path string, dec decodeFunc) (PackageID, error) {
	st, err := os.Stat(path)
	if err == nil && st.IsDir() {
		id, err := r.pushDir(path, dec)
		if err != nil {
			return NoPackage, withContext(err, fmt.Sprintf("failed to resolve directory while parsing WIT for path [%s]", path))
		}
		return id, nil
	}
	g, err := readFileGroup(new(parse.Parser), path, dec)
	if err != nil {
		return NoPackage, err
	}
	if g.wasm != nil {
		return r.mergeWasm(g)
	}
	return r.pushGroups(g, nil)
}

// decodeFunc is Options.DecodeWasm.
type decodeFunc = func(path string, data []byte) (*Resolve, PackageID, error)

func (r *Resolve) pushDir(path string, dec decodeFunc) (PackageID, error) {
	// The package and each of its dependencies parse independently, so
	// they are loaded concurrently; errors are still reported in the
	// reference's order (the package first, then deps/ in name order).
	depsDir := filepath.Join(path, "deps")
	deps, listErr := listDeps(depsDir)
	q := &loadQueue{decode: dec}
	q.cond.L = &q.mu
	top := &pkgLoad{path: path}
	q.add(func(*parse.Parser) { top.loadDir(q, nil) })
	for i := range deps {
		d := &deps[i]
		q.add(func(p *parse.Parser) { d.load(q, p) })
	}
	q.run()
	if top.err != nil {
		return NoPackage, withContext(top.err, "failed to parse package: "+path)
	}
	if listErr != nil {
		return NoPackage, withContext(listErr, "failed to parse dependency directory: "+depsDir)
	}
	groups := make([]*group, 0, len(deps))
	for i := range deps {
		d := &deps[i]
		if d.err != nil {
			return NoPackage, withContext(d.err, "failed to parse dependency directory: "+depsDir)
		}
		if d.g != nil && d.g.wasm != nil {
			// Merged as it is met, as the reference's parse_deps_dir does.
			if _, err := r.mergeWasm(d.g); err != nil {
				return NoPackage, withContext(err, "failed to parse dependency directory: "+depsDir)
			}
			continue
		}
		if d.g != nil {
			groups = append(groups, d.g)
		}
	}
	return r.pushGroups(top.g, groups)
}

// loadQueue runs loading tasks on up to GOMAXPROCS goroutines (the caller's
// included); a task may add more. The unit of work is a file, so a big
// package does not leave the other goroutines idle at the end, and each
// goroutine keeps one parse.Parser, whose chunks all its trees share.
type loadQueue struct {
	decode  decodeFunc
	mu      sync.Mutex
	cond    sync.Cond // on mu: a task was added, or none is left
	tasks   []func(*parse.Parser)
	pending int // tasks added and not finished
}

func (q *loadQueue) add(task func(*parse.Parser)) {
	q.mu.Lock()
	q.tasks = append(q.tasks, task)
	q.pending++
	q.mu.Unlock()
	q.cond.Signal()
}

func (q *loadQueue) work() {
	var p parse.Parser
	q.mu.Lock()
	for {
		for len(q.tasks) == 0 && q.pending > 0 {
			q.cond.Wait()
		}
		if len(q.tasks) == 0 {
			q.mu.Unlock()
			return
		}
		task := q.tasks[0]
		q.tasks = q.tasks[1:]
		q.mu.Unlock()
		q.runTask(task, &p)
		q.mu.Lock()
	}
}

// runTask runs one task and counts it done even if it panics (a bug), so
// that the other goroutines are not left waiting for it.
func (q *loadQueue) runTask(task func(*parse.Parser), p *parse.Parser) {
	defer func() {
		q.mu.Lock()
		if q.pending--; q.pending == 0 {
			q.cond.Broadcast()
		}
		q.mu.Unlock()
	}()
	task(p)
}

// run returns when every task, including those added by tasks, is done.
func (q *loadQueue) run() {
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) - 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q.work()
		}()
	}
	q.work()
	wg.Wait()
}

// depLoad is one entry of deps/ and the outcome of loading it.
type depLoad struct {
	path  string
	isDir bool
	link  bool // a symbolic link, whose target's kind is not known yet
	pkg   pkgLoad
	g     *group // nil without error: skipped
	err   error
}

// load loads one entry of deps/. A link is followed by trying what its
// name suggests, instead of a stat: a WIT file name is read as a file (or,
// failing with "is a directory", as a folder); any other name is listed
// as a folder, and skipped when it is not one, as a file of another kind
// would be. A folder's files become tasks of q; d.g and d.err are set when
// the last of them is done.
func (d *depLoad) load(q *loadQueue, p *parse.Parser) {
	ext := filepath.Ext(d.path)
	witName := ext == ".wit" || ext == ".wat" || ext == ".wasm"
	if !d.isDir && witName {
		g, err := readFileGroup(p, d.path, q.decode)
		if err == nil || !d.link || !isDirError(d.path, err) {
			d.g, d.err = g, err
			return
		}
		// A link named like a file that points at a folder.
	}
	entries, err := os.ReadDir(d.path)
	if err != nil {
		if d.link && !witName && isNotDirError(d.path, err) {
			return
		}
		d.err = withContext(withContext(err, fmt.Sprintf("failed to read directory %q", d.path)), "failed to parse package: "+d.path)
		return
	}
	d.pkg.path = d.path
	d.pkg.loadDir(q, func() {
		d.g, d.err = d.pkg.g, d.pkg.err
		if d.err != nil {
			d.err = withContext(d.err, "failed to parse package: "+d.path)
		}
	}, entries...)
}

// pkgLoad is a package folder being loaded: its *.wit files (not its
// sub-directories), each read and parsed by its own task, then resolved
// together by the task that finishes last.
type pkgLoad struct {
	path  string
	files []fileLoad
	left  atomic.Int32 // files not yet parsed
	done  func()       // called once g and err are set
	g     *group
	err   error
}

// fileLoad is one file of a package folder.
type fileLoad struct {
	path    string
	link    bool
	skip    bool  // a link to a directory
	readErr error // reading it failed (reported before any parse error)
	parsed  parsedFile
}

// loadDir lists the folder (unless entries are given) and queues a task
// per *.wit file.
func (pl *pkgLoad) loadDir(q *loadQueue, done func(), entries ...os.DirEntry) {
	pl.done = done
	if entries == nil {
		var err error
		if entries, err = os.ReadDir(pl.path); err != nil {
			pl.err = withContext(err, fmt.Sprintf("failed to read directory %q", pl.path))
			pl.finish(nil)
			return
		}
	}
	pl.files = make([]fileLoad, 0, len(entries))
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".wit") {
			continue
		}
		pl.files = append(pl.files, fileLoad{path: filepath.Join(pl.path, e.Name()), link: e.Type()&os.ModeSymlink != 0})
	}
	if len(pl.files) == 0 {
		pl.finish(nil)
		return
	}
	pl.left.Store(int32(len(pl.files)))
	for i := range pl.files {
		fl := &pl.files[i]
		q.add(func(p *parse.Parser) {
			fl.load(p)
			if pl.left.Add(-1) == 0 {
				pl.finish(p)
			}
		})
	}
}

func (fl *fileLoad) load(p *parse.Parser) {
	data, err := readFile(fl.path)
	if err != nil {
		// A link named *.wit may point at a directory: skipped, like the
		// folder's own sub-directories, without a stat first.
		if fl.link && isDirError(fl.path, err) {
			fl.skip = true
			return
		}
		fl.readErr = withContext(err, fmt.Sprintf("failed to read file %q", fl.path))
		return
	}
	if !utf8.Valid(data) {
		msg := fmt.Sprintf("input file is not valid utf-8 [%s]", fl.path)
		fl.readErr = &Error{Msg: msg, text: msg}
		return
	}
	fl.parsed.f, fl.parsed.err = p.File(fl.path, bytesToString(data))
}

// finish resolves the package once all its files are parsed: reading
// errors first (the reference reads every file before parsing), then the
// files in path order.
func (pl *pkgLoad) finish(*parse.Parser) {
	defer func() {
		if pl.done != nil {
			pl.done()
		}
	}()
	if pl.err != nil {
		return
	}
	files := make([]parsedFile, 0, len(pl.files))
	for i := range pl.files {
		fl := &pl.files[i]
		if fl.readErr != nil {
			pl.err = fl.readErr
			return
		}
		if !fl.skip {
			files = append(files, fl.parsed)
		}
	}
	// Entries of a listing are in name order, so paths are in order.
	pl.g, pl.err = resolveGroup(files)
}

// bytesToString makes a string of a buffer that nothing writes to again
// (a file just read), without copying it.
func bytesToString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// listDeps lists the entries of a deps/ directory to load: a folder is a
// package, a .wit file a document, a link either.
func listDeps(path string) ([]depLoad, error) {
	entries, err := os.ReadDir(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, withContext(err, "failed to read directory")
	}
	deps := make([]depLoad, 0, len(entries))
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
		deps = append(deps, depLoad{path: filepath.Join(path, e.Name()), isDir: isDir, link: link})
	}
	return deps, nil
}

// readFileGroup reads and parses one WIT document, or decodes a package
// encoded as wasm with dec.
func readFileGroup(p *parse.Parser, path string, dec decodeFunc) (*group, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, withContext(err, fmt.Sprintf("failed to read path for WIT [%s]", path))
	}
	if isWasm(path, data) && dec != nil {
		d, id, err := dec(path, data)
		if err != nil {
			return nil, err
		}
		if d == nil || int(id) < 0 || int(id) >= len(d.Packages) {
			msg := fmt.Sprintf("decoding [%s] gave no package", path)
			return nil, &Error{Msg: msg, text: msg}
		}
		return &group{wasm: d, wasmPkg: id, path: path}, nil
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

// mergeWasm brings a decoded package and its dependencies into r, like the
// reference's Resolve::merge: a package r already has by name is taken as
// it is, any other is printed as WIT and added from that text (so that it
// is checked and laid out as if it were written in WIT). It returns the id
// in r of the decoded main package.
func (r *Resolve) mergeWasm(g *group) (PackageID, error) {
	d := g.wasm
	have := make(map[string]PackageID, len(r.Packages))
	for i := range r.Packages {
		have[r.Packages[i].Name.String()] = PackageID(i)
	}
	main := NoPackage
	for i := range d.Packages {
		name := d.Packages[i].Name.String()
		id, ok := have[name]
		if ok {
			if err := r.checkCovers(id, d, PackageID(i)); err != nil {
				return NoPackage, withContext(err, fmt.Sprintf("failed to merge package `%s` decoded from [%s]", name, g.path))
			}
		} else {
			text, err := d.PrintChecked([]PackageID{PackageID(i)})
			if err != nil {
				return NoPackage, withContext(err, fmt.Sprintf("failed to print package `%s` decoded from [%s]", name, g.path))
			}
			ids, err := r.AddSource(g.path, text)
			if err != nil {
				return NoPackage, withContext(err, fmt.Sprintf("failed to merge package `%s` decoded from [%s]", name, g.path))
			}
			id = ids[0]
			have[name] = id
		}
		if PackageID(i) == g.wasmPkg {
			main = id
		}
	}
	return main, nil
}

// checkCovers reports an item of package from in d that r's package of the
// same name lacks (an interface, a world, an interface's type or function).
// The reference's merge would add it to the existing package; here that is
// not done yet, so it is an error rather than a silent loss.
func (r *Resolve) checkCovers(id PackageID, d *Resolve, from PackageID) error {
	have, want := r.Packages[id], d.Packages[from]
	for _, e := range want.Worlds {
		if !slices.ContainsFunc(have.Worlds, func(h Entry[WorldID]) bool { return h.Name == e.Name }) {
			return errorf(loc{}, "world `%s` is not in the package already loaded; adding it to that package is not supported", e.Name)
		}
	}
	for _, e := range want.Interfaces {
		i := slices.IndexFunc(have.Interfaces, func(h Entry[InterfaceID]) bool { return h.Name == e.Name })
		if i < 0 {
			return errorf(loc{}, "interface `%s` is not in the package already loaded; adding it to that package is not supported", e.Name)
		}
		hi, wi := r.Interfaces[have.Interfaces[i].ID], d.Interfaces[e.ID]
		for _, t := range wi.Types {
			if !slices.ContainsFunc(hi.Types, func(h Entry[TypeID]) bool { return h.Name == t.Name }) {
				return errorf(loc{}, "type `%s` of interface `%s` is not in the package already loaded; adding it is not supported", t.Name, e.Name)
			}
		}
		for _, f := range wi.Functions {
			if hi.Function(f.Name) == nil {
				return errorf(loc{}, "function `%s` of interface `%s` is not in the package already loaded; adding it is not supported", f.Name, e.Name)
			}
		}
	}
	return nil
}
