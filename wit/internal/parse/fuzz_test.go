package parse

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/wit/internal/ast"
)

// FuzzParse checks that no input makes the parser panic or hang, that
// every error is a located *ast.Error inside the source, and that every
// identifier of an accepted file is the source text at its span.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"package a:b;\ninterface i { f: func(x: list<u8, 4>) -> result<_, string>; }\n",
		"package a:b@1.0.0-rc.1+b { world w { import x: async func(); export %y: interface {} } }",
		"@since(version = 1.0.0) @unstable(feature = f) @deprecated(version = 0.1.0) @external-id(\"\\u{41}\") interface i {}",
		"/* /* nested */ */ /// doc\ninterface i { resource r { constructor(); m: static func(); } }",
		"world w { include a:b/c@1.0.0 with { x as y } use a.{b as c}; type t = map<u8, stream<future>>; }",
		"```wit\npackage a:b;\n```\n",
	} {
		f.Add(s, false)
	}
	if dir := sharedDir(f, "conformance"); dir != "" {
		for _, sub := range []string{"wit-parser-ui", "wasi", "wit-component"} {
			for _, p := range corpusFiles(f, filepath.Join(dir, sub), "") {
				if b, err := os.ReadFile(p); err == nil {
					f.Add(string(b), strings.HasSuffix(p, ".md"))
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, src string, md bool) {
		path := "fuzz.wit"
		if md {
			path = "fuzz.md"
		}
		file, err := File(path, src)
		if err != nil {
			var ae *ast.Error
			if !errors.As(err, &ae) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if ae.Span.Start < 0 || ae.Span.Start > len(src) || ae.Span.End < ae.Span.Start || ae.Span.End > len(src)+1 {
				t.Fatalf("error span %v outside a source of %d bytes", ae.Span, len(src))
			}
			_ = ae.Error()
			return
		}
		checkIDs(t, src, file)
	})
}

// sharedDir is testutil.Shared without skipping: fuzzing still runs on the
// inline seeds when the corpora are absent.
func sharedDir(tb testing.TB, rel string) string {
	p := filepath.Join(testutil.RepoRoot(tb), "..", "shared", rel)
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// checkIDs walks the declarations of a parsed file and checks each name
// against the source at its span.
func checkIDs(t *testing.T, src string, f *ast.File) {
	id := func(i ast.Id) {
		if i.Span.Start < 0 || i.Span.End > len(src) || i.Span.Start > i.Span.End {
			t.Fatalf("id %q has span %v outside the source", i.Name, i.Span)
		}
		if text := strings.TrimPrefix(src[i.Span.Start:i.Span.End], "%"); text != i.Name && i.Name != "constructor" {
			t.Fatalf("id %q at %v reads %q in the source", i.Name, i.Span, text)
		}
	}
	var items func([]ast.Item)
	ifaceItems := func(list []ast.InterfaceItem) {
		for _, it := range list {
			switch n := it.(type) {
			case *ast.TypeDef:
				id(n.Name)
			case *ast.NamedFunc:
				id(n.Name)
				for _, p := range n.Func.Params {
					id(p.Name)
				}
			case *ast.Use:
				id(n.From.Name)
				for _, u := range n.Names {
					id(u.Name)
				}
			}
		}
	}
	items = func(list []ast.Item) {
		for _, it := range list {
			switch n := it.(type) {
			case *ast.Interface:
				id(n.Name)
				ifaceItems(n.Items)
			case *ast.World:
				id(n.Name)
				for _, wi := range n.Items {
					switch w := wi.(type) {
					case *ast.Import:
						if w.Kind.Tag == ast.ExternInterface {
							ifaceItems(w.Kind.Items)
						}
					case *ast.TypeDef:
						id(w.Name)
					}
				}
			case *ast.NestedPackage:
				id(n.Name.Namespace)
				id(n.Name.Name)
				items(n.Items)
			case *ast.ToplevelUse:
				id(n.Item.Name)
			}
		}
	}
	items(f.Items)
}
