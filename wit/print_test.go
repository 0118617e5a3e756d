package wit

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wasmcm/wasmcm/internal/testutil"
)

// handModel builds, without the parser, the model of:
//
//	/// docs
//	package a:b@1.0.0;
//	interface types { resource r { constructor(); get: func() -> u32; }
//	                  record %type { %list: list<u8> }  type alias = r; }
//	interface user { use types.{r, %type as t}; f: func(x: borrow<r>) -> result<_, t>; }
//	world w { import user; export run: func(); }
type modelBuilder struct{ r *Resolve }

func (b *modelBuilder) typ(td *TypeDef) TypeID {
	b.r.Types = append(b.r.Types, td)
	return TypeID(len(b.r.Types) - 1)
}

func handModel() (*Resolve, PackageID) {
	v := Version{Major: 1}
	r := &Resolve{}
	b := &modelBuilder{r}
	r.Packages = append(r.Packages, &Package{
		Name: PackageName{Namespace: "a", Name: "b", Version: &v},
		Docs: Docs{Contents: "docs", Present: true},
	})
	types := &Interface{Name: "types", Package: 0}
	user := &Interface{Name: "user", Package: 0}
	r.Interfaces = append(r.Interfaces, types, user)
	inTypes := TypeOwner{Kind: OwnerInterface, Interface: 0}
	inUser := TypeOwner{Kind: OwnerInterface, Interface: 1}

	res := b.typ(&TypeDef{Name: "r", Kind: KindResource, Owner: inTypes})
	own := b.typ(&TypeDef{Kind: KindOwn, Resource: res})
	borrowR := b.typ(&TypeDef{Kind: KindBorrow, Resource: res})
	listU8 := b.typ(&TypeDef{Kind: KindList, Elem: U8})
	rec := b.typ(&TypeDef{Name: "type", Kind: KindRecord, Owner: inTypes,
		Fields: []Field{{Name: "list", Type: TypeOf(listU8), Docs: Docs{Contents: "a\n\nb", Present: true}}}})
	alias := b.typ(&TypeDef{Name: "alias", Kind: KindType, Elem: TypeOf(res), Owner: inTypes})
	types.Types = []Entry[TypeID]{{"r", res}, {"type", rec}, {"alias", alias}}
	types.Functions = []*Function{
		{Name: "[constructor]r", Kind: Constructor, Resource: res, Result: TypeOf(own)},
		{Name: "[method]r.get", Kind: Method, Resource: res,
			Params: []Param{{Name: "self", Type: TypeOf(borrowR)}}, Result: U32},
	}

	useR := b.typ(&TypeDef{Name: "r", Kind: KindType, Elem: TypeOf(res), Owner: inUser})
	useT := b.typ(&TypeDef{Name: "t", Kind: KindType, Elem: TypeOf(rec), Owner: inUser})
	borrowUse := b.typ(&TypeDef{Kind: KindBorrow, Resource: useR})
	resT := b.typ(&TypeDef{Kind: KindResult, Err: TypeOf(useT)})
	user.Types = []Entry[TypeID]{{"r", useR}, {"t", useT}}
	user.Functions = []*Function{{Name: "f", Params: []Param{{Name: "x", Type: TypeOf(borrowUse)}}, Result: TypeOf(resT),
		Stability: Stability{Kind: StabilityUnstable, Feature: "fancy"}}}

	r.Worlds = append(r.Worlds, &World{
		Name:    "w",
		Package: 0,
		Imports: []WorldItem{{Key: WorldKey{Interface: 1}, Kind: WorldItemInterface, Interface: 1}},
		Exports: []WorldItem{{Key: WorldKey{Name: "run"}, Kind: WorldItemFunction, Function: &Function{Name: "run", Kind: AsyncFreestanding}}},
	})
	r.Packages[0].Interfaces = []Entry[InterfaceID]{{"types", 0}, {"user", 1}}
	r.Packages[0].Worlds = []Entry[WorldID]{{"w", 0}}
	return r, 0
}

func TestPrintHandBuilt(t *testing.T) {
	r, pkg := handModel()
	got, err := r.PrintChecked([]PackageID{pkg})
	if err != nil {
		t.Fatal(err)
	}
	want := `/// docs
package a:b@1.0.0;

interface types {
  resource r {
    constructor();
    get: func() -> u32;
  }

  record %type {
    /// a
    ///
    /// b
    %list: list<u8>,
  }

  type alias = r;
}

interface user {
  use types.{r, %type as t};

  @unstable(feature = fancy)
  f: func(x: borrow<r>) -> result<_, t>;
}

world w {
  import user;

  export run: async func();
}
`
	if got != want {
		t.Errorf("printed:\n%s\nwant:\n%s", got, want)
	}
	if r.Print(pkg) != got {
		t.Error("Print differs from PrintChecked")
	}
}

func TestPrintNested(t *testing.T) {
	r, pkg := handModel()
	// A second package using the first one's interface from a world.
	r.Packages = append(r.Packages, &Package{Name: PackageName{Namespace: "c", Name: "d"}})
	r.Worlds = append(r.Worlds, &World{Name: "x", Package: 1,
		Imports: []WorldItem{{Key: WorldKey{Name: "u"}, Kind: WorldItemInterface, Interface: 1}}})
	r.Packages[1].Worlds = []Entry[WorldID]{{"x", 1}}
	r.Packages = append(r.Packages, &Package{Name: PackageName{Namespace: "e", Name: "f"}})
	got := r.PrintAll([]PackageID{1, pkg, 2})
	if !strings.HasPrefix(got, "package c:d;\n\nworld x {\n  import u: a:b/user@1.0.0;\n}\n/// docs\npackage a:b@1.0.0 {\n  interface types {\n") {
		t.Errorf("unexpected start:\n%s", got)
	}
	if !strings.HasSuffix(got, "    export run: async func();\n  }\n}\n\n\npackage e:f {\n}\n") {
		t.Errorf("unexpected end:\n%s", got)
	}
}

func TestPrintBadModel(t *testing.T) {
	r := &Resolve{Packages: []*Package{{
		Name:       PackageName{Namespace: "a", Name: "b"},
		Interfaces: []Entry[InterfaceID]{{"i", 0}, {"missing", 7}},
	}}}
	r.Interfaces = []*Interface{{Name: "i", Package: 0,
		Types:     []Entry[TypeID]{{"anon", 0}, {"gone", 9}},
		Functions: []*Function{{Name: "f", Result: TypeOf(42)}, {Name: "g", Result: Type(20)}}}}
	r.Types = []*TypeDef{{Kind: KindRecord, Owner: TypeOwner{Kind: OwnerInterface}}}
	out, err := r.PrintChecked([]PackageID{0, 5})
	if err == nil {
		t.Fatalf("no error for a broken model; printed:\n%s", out)
	}
	for _, want := range []string{"anonymous record", "type 9", "type 42 does not exist", "interface 7", "package 5"} {
		if !strings.Contains(out, want) {
			t.Errorf("printed text lacks a marker with %q:\n%s", want, out)
		}
	}
}

// printCase is one *.wit.print file of the wit-component corpus and how to
// load what it depends on.
type printCase struct {
	name  string // relative to the wit-component folder, for messages
	print string // the *.wit.print file
	// deps are files or folders holding the packages the printed text uses
	// but does not define (the case's deps/ entries, or for components the
	// module's and adapters' WIT).
	deps []string
	// source is the case's own WIT (a file or a folder) for interfaces/
	// cases: printing it must give the same text.
	source string
}

func printCases(t *testing.T) []printCase {
	root := testutil.Shared(t, "conformance/wit-component")
	var cases []printCase
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".wit.print") {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		c := printCase{name: rel, print: path}
		dir := filepath.Dir(path)
		switch {
		case strings.HasPrefix(rel, "interfaces"+string(filepath.Separator)):
			if filepath.Dir(rel) == "interfaces" {
				c.source = strings.TrimSuffix(path, ".print")
			} else {
				c.source = dir
				if ents, err := os.ReadDir(filepath.Join(dir, "deps")); err == nil {
					for _, e := range ents {
						c.deps = append(c.deps, filepath.Join(dir, "deps", e.Name()))
					}
				}
			}
		case strings.HasPrefix(rel, "components"+string(filepath.Separator)):
			deps, err := componentDeps(path, dir)
			if err != nil {
				return err
			}
			c.deps = deps
		}
		cases = append(cases, c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return cases
}

// foreignRef matches a use of another package's interface in printed WIT.
var foreignRef = regexp.MustCompile(`([a-z][a-z0-9-]*):([a-z][a-z0-9-]*)/`)

// componentDeps picks, among a component case's WIT files (the module's and
// the adapters'), one defining each package the printed text refers to: the
// files also define packages the text does not need, sometimes the same one
// twice, which a single Resolve cannot hold.
func componentDeps(printFile, dir string) ([]string, error) {
	text, err := os.ReadFile(printFile)
	if err != nil {
		return nil, err
	}
	need := map[string]bool{}
	for _, m := range foreignRef.FindAllStringSubmatch(string(text), -1) {
		need[m[1]+":"+m[2]] = true
	}
	if len(need) == 0 {
		return nil, nil
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.wit"))
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(files, func(a, b string) int { // the module's WIT first
		return cmpBool(filepath.Base(b) == "module.wit", filepath.Base(a) == "module.wit")
	})
	var deps []string
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for _, m := range regexp.MustCompile(`(?m)^\s*package\s+([a-z][a-z0-9-]*:[a-z][a-z0-9-]*)`).FindAllStringSubmatch(string(src), -1) {
			if need[m[1]] {
				deps = append(deps, f)
				delete(need, m[1])
				break
			}
		}
	}
	return deps, nil
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// loadWithDeps resolves the WIT text src as the root package of a folder
// whose deps/ holds links to deps, the way the reference loads a package
// with its dependencies. Without deps, src is loaded as a single document.
// It returns the Resolve and the package src defines last (its main one).
func loadWithDeps(t *testing.T, name, src string, deps []string) (*Resolve, PackageID, error) {
	if len(deps) == 0 {
		r := &Resolve{}
		ids, err := r.AddSource(name, src)
		if err != nil {
			return nil, NoPackage, err
		}
		if len(ids) == 0 {
			return nil, NoPackage, fmt.Errorf("%s defines no package", name)
		}
		return r, ids[len(ids)-1], nil
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "root.wit"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "deps"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, d := range deps {
		if err := os.Symlink(d, filepath.Join(dir, "deps", filepath.Base(d))); err != nil {
			t.Fatal(err)
		}
	}
	r, ids, err := Load(dir, Options{})
	if err != nil {
		return nil, NoPackage, err
	}
	if len(ids) == 0 {
		return nil, NoPackage, fmt.Errorf("%s defines no package", name)
	}
	return r, ids[len(ids)-1], nil
}

// TestPrintConformance prints what wit-component's tests print and compares
// byte for byte: the printed form of each interfaces/ case's source
// (wit-print-interfaces), and the printed form of each *.wit.print file
// itself, which is canonical and so must print unchanged (wit-print-fixpoint).
func TestPrintConformance(t *testing.T) {
	cases := printCases(t)
	fixPassed, srcPassed, srcTotal := 0, 0, 0
	for _, c := range cases {
		want, err := os.ReadFile(c.print)
		if err != nil {
			t.Fatal(err)
		}
		if c.source != "" {
			srcTotal++
			if checkPrinted(t, c.name+" (source)", c.source, nil, string(want)) {
				srcPassed++
			}
		}
		if checkPrinted(t, c.name, "", c.deps, string(want)) {
			fixPassed++
		}
	}
	testutil.Conformance(t, "wit-print-interfaces", srcPassed, srcTotal)
	testutil.Conformance(t, "wit-print-fixpoint", fixPassed, len(cases))
}

// checkPrinted loads either the WIT at path (a file or a folder) or, when
// path is empty, want itself with deps, prints the main package and compares
// with want.
func checkPrinted(t *testing.T, name, path string, deps []string, want string) bool {
	var (
		r   *Resolve
		pkg PackageID
		err error
	)
	if path != "" {
		var ids []PackageID
		r, ids, err = Load(path, Options{})
		if err == nil && len(ids) == 0 {
			err = fmt.Errorf("no package")
		}
		if err == nil {
			pkg = ids[len(ids)-1]
		}
	} else {
		r, pkg, err = loadWithDeps(t, name, want, deps)
	}
	if err != nil {
		t.Logf("%s: load: %v", name, firstLine(err.Error()))
		return false
	}
	got, err := r.PrintChecked([]PackageID{pkg})
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return false
	}
	if got != want {
		t.Errorf("%s: printed text differs:\n%s", name, lineDiff(want, got))
		return false
	}
	return true
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// lineDiff shows the first differing line of two texts with some context.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl || i >= len(w) || i >= len(g) {
			return fmt.Sprintf("line %d:\n  want %q\n  got  %q", i+1, wl, gl)
		}
	}
	return "(equal)"
}

// roundTripCases lists the WIT the round trip runs over: every passing case
// of the wit-parser UI suite and every WASI package of every version.
func roundTripCases(t *testing.T) (paths []string, features [][]string) {
	ui := testutil.Shared(t, "conformance/wit-parser-ui")
	ents, err := os.ReadDir(ui)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		n := e.Name()
		switch {
		case e.IsDir() && n != "parse-fail",
			!e.IsDir() && (strings.HasSuffix(n, ".wit") || strings.HasSuffix(n, ".md") || strings.HasSuffix(n, ".wat")):
			paths = append(paths, filepath.Join(ui, n))
			features = append(features, []string{"active"})
		}
	}
	wasi := testutil.Shared(t, "conformance/wasi")
	pkgs, err := filepath.Glob(filepath.Join(wasi, "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkgs {
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			paths = append(paths, p)
			features = append(features, nil)
		}
	}
	return paths, features
}

// TestPrintRoundTrip loads each case, prints all its packages into one text
// (the main package first, the others as nested packages), loads that text
// and compares the two models. Printing cannot keep arena order (the
// reference printer puts `use` before declarations and resource functions
// with their resource) nor types that nothing reaches (feature-gated
// leftovers), so the count that must hold compares the models by name, with
// references written as paths (wit-print-roundtrip); the count of models
// whose JSON is equal as values, arena indices included, is reported beside
// it (wit-print-roundtrip-json).
func TestPrintRoundTrip(t *testing.T) {
	paths, features := roundTripCases(t)
	passed, passedJSON, loaded := 0, 0, 0
	for i, path := range paths {
		name := filepath.Base(filepath.Dir(path)) + "/" + filepath.Base(path)
		if features[i] == nil { // a WASI package: its deps/ are links kept as text
			path = materializeWASI(t, path)
		}
		r1, ids, err := Load(path, Options{Features: features[i]})
		if err != nil || len(ids) == 0 {
			continue // not a printing matter; the loader's tests report it
		}
		loaded++
		r2, text, err := reprint(r1, ids, features[i])
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if d := cmp.Diff(canonModel(r1), canonModel(r2)); d != "" {
			t.Errorf("%s: models differ after printing (-loaded +re-loaded):\n%s\nprinted:\n%s", name, d, text)
			continue
		}
		passed++
		j1, err1 := jsonValue(r1)
		j2, err2 := jsonValue(r2)
		if err1 == nil && err2 == nil && cmp.Equal(j1, j2) {
			passedJSON++
		}
	}
	t.Logf("%d of %d cases loaded", loaded, len(paths))
	testutil.Conformance(t, "wit-print-roundtrip", passed, len(paths))
	testutil.Conformance(t, "wit-print-roundtrip-json", passedJSON, len(paths))
}

// reprint prints r1's packages and loads the text into a new Resolve.
func reprint(r1 *Resolve, mains []PackageID, features []string) (*Resolve, string, error) {
	text, err := r1.PrintChecked(printOrder(r1, mains))
	if err != nil {
		return nil, "", err
	}
	r2 := &Resolve{Features: features}
	if _, err := r2.AddSource("printed.wit", text); err != nil {
		return nil, text, fmt.Errorf("re-loading the printed text: %v\n%s", firstLine(err.Error()), text)
	}
	return r2, text, nil
}

// canonModel renders a Resolve as nested maps keyed by names, with every
// type reference written as a path (a primitive's name, "owner#name" for a
// named type, the structure of an anonymous one), so that two models that
// say the same thing compare equal whatever their arena order.
func canonModel(r *Resolve) any {
	pkgs := map[string]any{}
	for _, p := range r.Packages {
		ifaces := map[string]any{}
		for _, e := range p.Interfaces {
			ifaces[e.Name] = canonInterface(r, r.Interfaces[e.ID])
		}
		worlds := map[string]any{}
		for _, e := range p.Worlds {
			w := r.Worlds[e.ID]
			worlds[e.Name] = map[string]any{
				"docs": w.Docs, "stability": canonStability(w.Stability),
				"imports": canonWorldItems(r, w.Imports), "exports": canonWorldItems(r, w.Exports),
			}
		}
		pkgs[p.Name.String()] = map[string]any{"docs": p.Docs, "interfaces": ifaces, "worlds": worlds}
	}
	return pkgs
}

func canonInterface(r *Resolve, i *Interface) any {
	types := map[string]any{}
	for _, e := range i.Types {
		types[e.Name] = canonTypeDef(r, r.Types[e.ID])
	}
	funcs := map[string]any{}
	for _, f := range i.Functions {
		funcs[f.Name] = canonFunction(r, f)
	}
	return map[string]any{"name": i.Name, "docs": i.Docs, "stability": canonStability(i.Stability), "types": types, "functions": funcs}
}

func canonWorldItems(r *Resolve, items []WorldItem) any {
	out := map[string]any{}
	for _, it := range items {
		key := it.Key.Name
		if it.Key.IsInterface() {
			key = "iface:" + canonIfacePath(r, it.Key.Interface)
		}
		switch it.Kind {
		case WorldItemInterface:
			v := map[string]any{"docs": it.Docs, "stability": canonStability(it.Stability)}
			if r.Interfaces[it.Interface].Name == "" {
				v["inline"] = canonInterface(r, r.Interfaces[it.Interface])
			} else {
				v["interface"] = canonIfacePath(r, it.Interface)
			}
			out[key] = v
		case WorldItemFunction:
			out[key] = canonFunction(r, it.Function)
		case WorldItemType:
			out[key] = canonTypeDef(r, r.Types[it.Type])
		}
	}
	return out
}

func canonIfacePath(r *Resolve, id InterfaceID) string {
	i := r.Interfaces[id]
	pkg := "?"
	if i.Package >= 0 && int(i.Package) < len(r.Packages) {
		pkg = r.Packages[i.Package].Name.String()
	}
	return pkg + "/" + i.Name
}

func canonStability(s Stability) string {
	var b strings.Builder
	switch s.Kind {
	case StabilityStable:
		b.WriteString("since " + s.Since.String())
	case StabilityUnstable:
		b.WriteString("unstable " + s.Feature)
	}
	if s.Deprecated != nil {
		b.WriteString(" deprecated " + s.Deprecated.String())
	}
	return b.String()
}

func canonFunction(r *Resolve, f *Function) any {
	var params []any
	for _, p := range f.Params {
		params = append(params, []any{p.Name, canonTypeRef(r, p.Type)})
	}
	res := ""
	switch f.Kind {
	case Method, AsyncMethod, Static, AsyncStatic, Constructor:
		res = canonTypeRef(r, TypeOf(f.Resource))
	}
	return map[string]any{"kind": int(f.Kind), "resource": res, "params": params,
		"result": canonTypeRef(r, f.Result), "docs": f.Docs, "stability": canonStability(f.Stability)}
}

// canonTypeRef names a type by path: named types by owner and name, the
// others by structure.
func canonTypeRef(r *Resolve, t Type) string {
	if t == NoneType {
		return ""
	}
	if n := t.PrimitiveName(); n != "" {
		return n
	}
	td := r.TypeDef(t)
	if td.Name != "" {
		switch td.Owner.Kind {
		case OwnerInterface:
			return canonIfacePath(r, td.Owner.Interface) + "#" + td.Name
		case OwnerWorld:
			w := r.Worlds[td.Owner.World]
			return r.Packages[w.Package].Name.String() + "/world " + w.Name + "#" + td.Name
		}
		return "#" + td.Name
	}
	return fmt.Sprint(canonTypeDef(r, td))
}

func canonTypeDef(r *Resolve, td *TypeDef) any {
	v := map[string]any{"name": td.Name, "kind": td.Kind.String(), "docs": td.Docs, "stability": canonStability(td.Stability)}
	ref := func(t Type) string { return canonTypeRef(r, t) }
	switch td.Kind {
	case KindRecord:
		var fs []any
		for _, f := range td.Fields {
			fs = append(fs, []any{f.Name, ref(f.Type), f.Docs})
		}
		v["fields"] = fs
	case KindVariant:
		var cs []any
		for _, c := range td.Cases {
			cs = append(cs, []any{c.Name, ref(c.Type), c.Docs})
		}
		v["cases"] = cs
	case KindFlags:
		var fs []any
		for _, f := range td.Flags {
			fs = append(fs, []any{f.Name, f.Docs})
		}
		v["flags"] = fs
	case KindEnum:
		var cs []any
		for _, c := range td.Enum {
			cs = append(cs, []any{c.Name, c.Docs})
		}
		v["enum"] = cs
	case KindTuple:
		var ts []string
		for _, t := range td.Tuple {
			ts = append(ts, ref(t))
		}
		v["tuple"] = ts
	case KindOwn, KindBorrow:
		v["resource"] = ref(TypeOf(td.Resource))
	default:
		v["elem"], v["key"], v["ok"], v["err"], v["len"] = ref(td.Elem), ref(td.Key), ref(td.Ok), ref(td.Err), td.Len
	}
	return v
}

// printOrder puts the last main package first (it becomes the text's
// top-level package) and every other package after it in arena order.
func printOrder(r *Resolve, mains []PackageID) []PackageID {
	main := mains[len(mains)-1]
	order := []PackageID{main}
	for i := range r.Packages {
		if PackageID(i) != main {
			order = append(order, PackageID(i))
		}
	}
	return order
}

func jsonValue(r *Resolve) (any, error) {
	b, err := r.MarshalJSON()
	if err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("MarshalJSON gave invalid JSON: %v", err)
	}
	return v, nil
}

// BenchmarkPrintWASIHTTP prints the wasi:http@0.2.12 package.
func BenchmarkPrintWASIHTTP(b *testing.B) {
	r, ids, err := Load(materializeWASI(b, testutil.Shared(b, "conformance/wasi/0.2.12/http")), Options{})
	if err != nil {
		b.Skipf("skipped: loading wasi:http failed: %v", firstLine(err.Error()))
	}
	pkg := ids[len(ids)-1]
	b.SetBytes(int64(len(r.Print(pkg))))
	b.ReportAllocs()
	for b.Loop() {
		_ = r.Print(pkg)
	}
}
