package wit

import (
	"strings"
	"testing"
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
