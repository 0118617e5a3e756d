package parse

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/wit/internal/ast"
)

// dump renders a tree compactly so a test can compare its whole shape.
func dump(b *strings.Builder, f *ast.File, v any) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	switch n := v.(type) {
	case []ast.Attribute:
		for _, a := range n {
			w("@%d(%s) ", a.Kind, a.Value)
		}
	case ast.Docs:
		if n.Present() {
			w("docs%q ", f.Source[n.Span.Start:n.Span.End])
		}
	case *ast.PackageName:
		w("%s:%s", n.Namespace.Name, n.Name.Name)
		if n.Version != "" {
			w("@%s", n.Version)
		}
	case ast.UsePath:
		if n.Package == nil {
			w("%s", n.Name.Name)
		} else if w("%s:%s/%s", n.Package.Namespace.Name, n.Package.Name.Name, n.Name.Name); n.Package.Version != "" {
			w("@%s", n.Package.Version)
		}
	case *ast.Interface:
		dump(b, f, n.Docs)
		dump(b, f, n.Attributes)
		w("interface %s {", n.Name.Name)
		for _, it := range n.Items {
			w(" ")
			dump(b, f, it)
		}
		w(" }\n")
	case *ast.World:
		dump(b, f, n.Docs)
		dump(b, f, n.Attributes)
		w("world %s {", n.Name.Name)
		for _, it := range n.Items {
			w(" ")
			dump(b, f, it)
		}
		w(" }\n")
	case *ast.NestedPackage:
		w("package ")
		dump(b, f, &n.Name)
		w(" {\n")
		for _, it := range n.Items {
			dump(b, f, it)
		}
		w("}\n")
	case *ast.ToplevelUse:
		w("use ")
		dump(b, f, n.Item)
		if n.As != nil {
			w(" as %s", n.As.Name)
		}
		w("\n")
	case *ast.Import:
		dump(b, f, n.Attributes)
		w("import ")
		dump(b, f, n.Kind)
	case *ast.Export:
		w("export ")
		dump(b, f, n.Kind)
	case ast.ExternKind:
		switch n.Tag {
		case ast.ExternInterface:
			w("%s: interface {", n.Name.Name)
			for _, it := range n.Items {
				w(" ")
				dump(b, f, it)
			}
			w(" }")
		case ast.ExternPath:
			dump(b, f, n.Path)
		case ast.ExternFunc:
			w("%s: ", n.Name.Name)
			dump(b, f, *n.Func)
		case ast.ExternNamedPath:
			w("%s: ", n.Name.Name)
			dump(b, f, n.Path)
		}
		w(";")
	case *ast.Use:
		w("use ")
		dump(b, f, n.From)
		w(".{")
		for _, u := range n.Names {
			w("%s", u.Name.Name)
			if u.As != nil {
				w(" as %s", u.As.Name)
			}
			w(",")
		}
		w("};")
	case *ast.Include:
		w("include ")
		dump(b, f, n.From)
		for _, u := range n.Names {
			w(" %s as %s", u.Name.Name, u.As.Name)
		}
		w(";")
	case *ast.TypeDef:
		dump(b, f, n.Docs)
		dump(b, f, n.Attributes)
		w("type %s = ", n.Name.Name)
		dump(b, f, n.Type)
		w(";")
	case *ast.NamedFunc:
		dump(b, f, n.Docs)
		dump(b, f, n.Attributes)
		w("%s: ", n.Name.Name)
		dump(b, f, n.Func)
		w(";")
	case ast.Func:
		if n.Async {
			w("async ")
		}
		w("func(")
		for _, p := range n.Params {
			w("%s: ", p.Name.Name)
			dump(b, f, p.Type)
			w(",")
		}
		w(")")
		if n.Result != nil {
			w(" -> ")
			dump(b, f, n.Result)
		}
	case nil:
		w("_")
	case *ast.Primitive:
		w("%s", n.Name)
	case *ast.Name:
		w("%s", n.Id.Name)
	case *ast.List:
		w("list<")
		dump(b, f, n.Elem)
		w(">")
	case *ast.FixedLengthList:
		w("list<")
		dump(b, f, n.Elem)
		w(", %d>", n.Size)
	case *ast.Map:
		w("map<")
		dump(b, f, n.Key)
		w(", ")
		dump(b, f, n.Value)
		w(">")
	case *ast.Option:
		w("option<")
		dump(b, f, n.Elem)
		w(">")
	case *ast.Result:
		w("result<")
		dump(b, f, n.Ok)
		w(", ")
		dump(b, f, n.Err)
		w(">")
	case *ast.Tuple:
		w("tuple<")
		for _, t := range n.Types {
			dump(b, f, t)
			w(",")
		}
		w(">")
	case *ast.Future:
		w("future<")
		dump(b, f, n.Elem)
		w(">")
	case *ast.Stream:
		w("stream<")
		dump(b, f, n.Elem)
		w(">")
	case *ast.Handle:
		if n.Borrow {
			w("borrow<%s>", n.Resource.Name)
		} else {
			w("own<%s>", n.Resource.Name)
		}
	case *ast.Resource:
		w("resource {")
		for _, fn := range n.Funcs {
			w(" %d:", fn.Kind)
			dump(b, f, &fn.Func)
		}
		w(" }")
	case *ast.Record:
		w("record {")
		for _, fl := range n.Fields {
			w(" ")
			dump(b, f, fl.Docs)
			w("%s: ", fl.Name.Name)
			dump(b, f, fl.Type)
			w(",")
		}
		w(" }")
	case *ast.Flags:
		w("flags {")
		for _, fl := range n.Flags {
			w(" %s,", fl.Name.Name)
		}
		w(" }")
	case *ast.Variant:
		w("variant {")
		for _, c := range n.Cases {
			w(" %s(", c.Name.Name)
			dump(b, f, c.Type)
			w("),")
		}
		w(" }")
	case *ast.Enum:
		w("enum {")
		for _, c := range n.Cases {
			w(" %s,", c.Name.Name)
		}
		w(" }")
	default:
		w("?%T", v)
	}
}

func dumpFile(f *ast.File) string {
	var b strings.Builder
	if f.Package != nil {
		dump(&b, f, f.Package.Docs)
		b.WriteString("package ")
		dump(&b, f, f.Package)
		b.WriteString(";\n")
	}
	for _, it := range f.Items {
		dump(&b, f, it)
	}
	return b.String()
}

func TestShapes(t *testing.T) {
	src := `/// The package.
package wasi:demo@0.2.0-rc.1;

use wasi:io/streams@0.2.0 as s;

/** An interface. */
// and a line comment
@since(version = 0.2.0)
interface types {
  use s.{input-stream, output-stream as out};
  type a = list<u8>;
  type b = list<u8, 4>;
  type c = map<string, option<%type>>;
  type d = result;
  type e = result<_, u8>;
  type f = result<u8>;
  type g = tuple<u8, s8,>;
  type h = future;
  type i = stream<future<error-context>>;
  record r {
    /// field docs
    x: u32,
    y: own<res>,
  }
  flags fl { a, b }
  variant v { none, some(borrow<res>) }
  enum en { x, y, }
  resource res {
    constructor(x: u32);
    @unstable(feature = fancy)
    get: func(self-name: string) -> u64;
    make: static async func() -> res;
  }
  resource empty;
  f1: async func(a: u8, b: list<string>) -> result<_, string>;
}

@deprecated(version = 0.1.0)
world w {
  import types;
  import wasi:io/poll@0.2.0;
  import label: wasi:io/error;
  import local: types;
  @external-id("ext")
  import f: func();
  export i: interface { g: func(); }
  export types;
  use types.{a};
  type t = u32;
  include other with { a as b, c as d }
  include other2;
}

package nested:pkg {
  interface x {}
}
`
	f, err := File("demo.wit", src)
	if err != nil {
		t.Fatal(err)
	}
	want := `docs"/// The package." package wasi:demo@0.2.0-rc.1;
use wasi:io/streams@0.2.0 as s
docs"/** An interface. */\n// and a line comment" @0(0.2.0) interface types { use s.{input-stream,output-stream as out,}; type a = list<u8>; type b = list<u8, 4>; type c = map<string, option<type>>; type d = result<_, _>; type e = result<_, u8>; type f = result<u8, _>; type g = tuple<u8,s8,>; type h = future<_>; type i = stream<future<error-context>>; type r = record { docs"/// field docs" x: u32, y: own<res>, }; type fl = flags { a, b, }; type v = variant { none(_), some(borrow<res>), }; type en = enum { x, y, }; type res = resource { 2:constructor: func(x: u32,); 0:@1(fancy) get: func(self-name: string,) -> u64; 1:make: async func() -> res; }; type empty = resource { }; f1: async func(a: u8,b: list<string>,) -> result<_, string>; }
@2(0.1.0) world w { import types; import wasi:io/poll@0.2.0; import label: wasi:io/error; import local: types; @3(ext) import f: func(); export i: interface { g: func(); }; export types; use types.{a,}; type t = u32; include other a as b c as d; include other2; }
package nested:pkg {
interface x { }
}
`
	if got := dumpFile(f); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	// Spans point at the reference's places: names, keywords, resource names.
	w := f.Items[2].(*ast.World)
	imp := w.Items[2].(*ast.Import)
	if imp.Kind.Tag != ast.ExternNamedPath || src[imp.Kind.Span.Start:imp.Kind.Span.End] != "label" {
		t.Errorf("named import: %+v", imp.Kind)
	}
	if p := w.Items[1].(*ast.Import).Kind; src[p.Span.Start:p.Span.End] != "poll" ||
		src[p.Path.Package.Span.Start:p.Path.Package.Span.End] != "wasi:io" ||
		src[p.Path.Package.VerSpan.Start:p.Path.Package.VerSpan.End] != "0.2.0" {
		t.Errorf("path import: %+v", p)
	}
	rec := f.Items[1].(*ast.Interface).Items[10].(*ast.TypeDef).Type.(*ast.Record)
	if h := rec.Fields[1].Type.(*ast.Handle); src[h.Span.Start:h.Span.End] != "res" {
		t.Errorf("handle span %v", h.Span)
	}
	if f.Package.Span != (ast.Span{Start: 25, End: 45}) || src[f.Package.Span.Start:f.Package.Span.End] != "wasi:demo@0.2.0-rc.1" {
		t.Errorf("package span %v", f.Package.Span)
	}
}

// BenchmarkParse parses the wasi:http 0.2.12 package and its dependencies
// (the corpus's deps/ entries are text files naming the directory they
// stand for).
func BenchmarkParse(b *testing.B) {
	root := testutil.Shared(b, "conformance/wasi/0.2.12/http")
	dirs := []string{root}
	deps, err := os.ReadDir(filepath.Join(root, "deps"))
	if err != nil {
		b.Fatal(err)
	}
	for _, d := range deps {
		p := filepath.Join(root, "deps", d.Name())
		if !d.IsDir() {
			link, err := os.ReadFile(p)
			if err != nil {
				b.Fatal(err)
			}
			p = filepath.Join(root, "deps", strings.TrimSpace(string(link)))
		}
		dirs = append(dirs, p)
	}
	type file struct{ path, src string }
	var files []file
	size := 0
	for _, d := range dirs {
		matches, _ := filepath.Glob(filepath.Join(d, "*.wit"))
		for _, m := range matches {
			src, err := os.ReadFile(m)
			if err != nil {
				b.Fatal(err)
			}
			files = append(files, file{m, string(src)})
			size += len(src)
		}
	}
	if len(files) < 10 {
		b.Fatalf("found only %d files", len(files))
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	cpu := processCPU()
	for range b.N {
		// One Parser for all the files, as each loading goroutine has.
		var p Parser
		for _, f := range files {
			if _, err := p.File(f.path, f.src); err != nil {
				b.Fatal(err)
			}
		}
	}
	if cpu := processCPU() - cpu; cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}
