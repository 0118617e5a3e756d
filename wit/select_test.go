package wit

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/internal/srcerr"
	"github.com/wasmcm/wasmcm/wit/internal/ast"
)

func mustAdd(t *testing.T, r *Resolve, src string) PackageID {
	t.Helper()
	ids, err := r.AddSource("test.wit", src)
	if err != nil {
		t.Fatal(err)
	}
	return ids[0]
}

// The cases of the reference's select_world tests.
func TestSelectWorld(t *testing.T) {
	r := &Resolve{}
	mustAdd(t, r, "package foo:bar@0.1.0; world foo {}")
	mustAdd(t, r, "package foo:baz@0.1.0; world foo {}")
	mustAdd(t, r, "package foo:baz@0.2.0; world foo {}")
	dummy := mustAdd(t, r, "package foo:dummy; world foo {}")
	for _, c := range []struct {
		name string
		ok   bool
	}{
		{"", true}, {"xx", false}, {"foo:bar/foo", true}, {"foo:bar/foo@0.1.0", true},
		{"foo:baz/foo", false}, {"foo:baz/foo@0.1.0", true}, {"foo:baz/foo@0.2.0", true},
		{"foo@0.1.0", false}, {"foo:bar", false}, {"foo:bar/foo@0.1.0.bat", false},
	} {
		_, err := r.SelectWorld([]PackageID{dummy}, c.name)
		if (err == nil) != c.ok {
			t.Errorf("SelectWorld(%q): err = %v, want ok = %v", c.name, err, c.ok)
		}
	}
	if id, err := r.SelectWorld([]PackageID{dummy}, ""); err != nil || r.Worlds[id].Package != dummy {
		t.Errorf("SelectWorld(\"\") = %v, %v; want dummy's world", id, err)
	}
}

func TestSelectWorldMultiplePackages(t *testing.T) {
	r := &Resolve{}
	stuff := mustAdd(t, r, "package test:stuff; world foo {}")
	for _, name := range []string{"", "foo"} {
		if _, err := r.SelectWorld([]PackageID{stuff}, name); err != nil {
			t.Errorf("one package, %q: %v", name, err)
		}
	}
	empty := mustAdd(t, r, "package test:empty;")
	for _, pkgs := range [][]PackageID{{stuff, empty}, {empty}} {
		for _, name := range []string{"", "foo"} {
			if _, err := r.SelectWorld(pkgs, name); err == nil {
				t.Errorf("%v, %q: selected a world, want an error", pkgs, name)
			}
		}
	}
	if _, err := r.SelectWorld(nil, ""); err == nil {
		t.Error("no main packages: want an error")
	}
}

func TestSelectWorldVersions(t *testing.T) {
	r := &Resolve{}
	mustAdd(t, r, "package example:distraction;")
	v1 := mustAdd(t, r, "package example:versions@1.0.0; world foo {}")
	for name, ok := range map[string]bool{"foo": true, "foo@1.0.0": false, "example:versions/foo": true, "example:versions/foo@1.0.0": true} {
		if _, err := r.SelectWorld([]PackageID{v1}, name); (err == nil) != ok {
			t.Errorf("one version, %q: err = %v, want ok = %v", name, err, ok)
		}
	}
	v2 := mustAdd(t, r, "package example:versions@2.0.0; world foo {}")
	for name, ok := range map[string]bool{"foo": false, "foo@1.0.0": false, "foo@2.0.0": false, "example:versions/foo": false,
		"example:versions/foo@1.0.0": true, "example:versions/foo@2.0.0": true} {
		id, err := r.SelectWorld([]PackageID{v1, v2}, name)
		if (err == nil) != ok {
			t.Errorf("two versions, %q: err = %v, want ok = %v", name, err, ok)
		}
		if err == nil && name == "example:versions/foo@2.0.0" && r.Worlds[id].Package != v2 {
			t.Errorf("%q picked the wrong package", name)
		}
	}
}

func TestAddSourceTwice(t *testing.T) {
	r := &Resolve{}
	mustAdd(t, r, "package a:b; interface i {}")
	if _, err := r.AddSource("again.wit", "package a:b; interface j {}"); err == nil {
		t.Fatal("adding a package already in the Resolve succeeded")
	}
}

func TestAddSourceUsesEarlierPackage(t *testing.T) {
	r := &Resolve{}
	mustAdd(t, r, "package a:dep; interface types { type t = u32; }")
	id := mustAdd(t, r, "package a:main; interface user { use a:dep/types.{t}; f: func(x: t); }")
	p := r.Packages[id]
	iface := r.Interfaces[p.Interfaces[0].ID]
	td := r.TypeDef(iface.Function("f").Params[0].Type)
	if td == nil || td.Kind != KindType || r.Dealias(iface.Function("f").Params[0].Type) != U32 {
		t.Fatalf("param type = %+v, want an alias of u32", td)
	}
}

func TestLoadMissingPath(t *testing.T) {
	_, _, err := Load(filepath.Join(t.TempDir(), "nope.wit"), Options{})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want one that wraps fs.ErrNotExist", err)
	}
	var we *Error
	if !errors.As(err, &we) || !strings.HasPrefix(err.Error(), "failed to read path for WIT [") {
		t.Fatalf("err = %v, want a *wit.Error with the reference's context", err)
	}
}

func TestLoadFeatures(t *testing.T) {
	dir := t.TempDir()
	src := "package a:b;\ninterface i {\n  @unstable(feature = x)\n  f: func();\n  g: func();\n}\n"
	path := filepath.Join(dir, "a.wit")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		opts Options
		want int
	}{{Options{}, 1}, {Options{Features: []string{"x"}}, 2}, {Options{AllFeatures: true}, 2}, {Options{Features: []string{"y"}}, 1}} {
		r, ids, err := Load(path, c.opts)
		if err != nil {
			t.Fatal(err)
		}
		iface := r.Interfaces[r.Packages[ids[0]].Interfaces[0].ID]
		if len(iface.Functions) != c.want {
			t.Errorf("%+v: %d functions, want %d", c.opts, len(iface.Functions), c.want)
		}
	}
}

// The resolver's incremental positions agree with srcerr.LineCol in any order.
func TestPosCursor(t *testing.T) {
	src := "package a:b;\n\ninterface é {\n  f: func();\r\n\n}\nworld w {}\n"
	f1 := &ast.File{Path: "a.wit", Source: src}
	f2 := &ast.File{Path: "b.wit", Source: "x\ny\n"}
	r := newASTResolver()
	offs := []int{0, 5, 14, 30, 20, 3, len(src), 17, 16, 40, 13}
	for i, off := range offs {
		f := f1
		if i%4 == 3 {
			f, off = f2, off%4
		}
		got := r.pos(loc{f: f, span: ast.Span{Start: off, End: off}})
		line, col := srcerr.LineCol(f.Source, off)
		if got.File != f.Path || got.Line != line || got.Col != col {
			t.Errorf("offset %d of %s: got %+v, want %d:%d", off, f.Path, got, line, col)
		}
	}
}
