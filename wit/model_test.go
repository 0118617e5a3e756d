package wit

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
)

// Columns of positions and errors count bytes, as the reference's do: the
// two multi-byte characters and the tab before `i` move it by 5 bytes.
func TestColumnsCountBytes(t *testing.T) {
	src := "package a:b;\n/*éé*/\tinterface i { f: func(x: nope); }\n"
	_, err := (&Resolve{}).AddSource("a.wit", src)
	var we *Error
	if !errors.As(err, &we) {
		t.Fatalf("got %v, want a *wit.Error", err)
	}
	wantCol := strings.Index(src, "nope") - strings.Index(src, "/*") + 1
	if we.Line != 2 || we.Col != wantCol || we.Location() != "a.wit:2:"+strconv.Itoa(wantCol) {
		t.Errorf("error at %s (line %d col %d), want line 2 col %d", we.Location(), we.Line, we.Col, wantCol)
	}
	if !strings.Contains(we.Error(), "\n      | "+strings.Repeat(" ", wantCol-1)+"^---\n") &&
		!strings.HasSuffix(we.Error(), "\n      | "+strings.Repeat(" ", wantCol-1)+"^---") {
		t.Errorf("marker not under the name:\n%s", we.Error())
	}

	r := &Resolve{}
	if _, err := r.AddSource("a.wit", strings.Replace(src, "nope", "u8", 1)); err != nil {
		t.Fatal(err)
	}
	iface := r.Interfaces[0]
	wantCol = strings.Index(src, "i {") - strings.Index(src, "/*") + 1
	if iface.Pos.Line != 2 || iface.Pos.Col != wantCol {
		t.Errorf("interface at %d:%d, want 2:%d", iface.Pos.Line, iface.Pos.Col, wantCol)
	}
	f := iface.Functions[0]
	if wantCol = strings.Index(src, "f:") - strings.Index(src, "/*") + 1; f.Pos.Col != wantCol {
		t.Errorf("function at column %d, want %d", f.Pos.Col, wantCol)
	}
}

// @external-id reaches the model and the JSON where the reference keeps it:
// types (and the aliases a `use` defines), functions and interface items of
// worlds, including the interfaces an export drags in.
func TestExternalID(t *testing.T) {
	src := `package a:b;
interface j {
  type x = u8;
}
interface i {
  @external-id("ext:t") type t = u32;
  @external-id("ext:f") f: func();
  @external-id("ext:u") use j.{x};
  @external-id("ext:r") resource r {
    @external-id("ext:m") m: func();
  }
  g: func();
}
interface l {
  type y = u8;
}
interface k {
  use l.{y};
}
world w {
  @external-id("ext:imp") import i;
  @external-id("ext:inl") import inline: interface { h: func(); }
  @external-id("ext:fn") import fun: func();
  @external-id("ext:exp") export k;
}
`
	r := &Resolve{}
	if _, err := r.AddSource("a.wit", src); err != nil {
		t.Fatal(err)
	}
	typ := func(iface, name string) *TypeDef {
		for _, it := range r.Interfaces {
			if it.Name == iface {
				id, ok := Lookup(it.Types, name)
				if !ok {
					t.Fatalf("no type %s in %s", name, iface)
				}
				return r.Types[id]
			}
		}
		t.Fatalf("no interface %s", iface)
		return nil
	}
	fn := func(iface, name string) *Function {
		for _, it := range r.Interfaces {
			if it.Name == iface {
				return it.Function(name)
			}
		}
		return nil
	}
	for _, c := range []struct{ got, want string }{
		{typ("i", "t").ExternalID, "ext:t"},
		{typ("i", "x").ExternalID, "ext:u"},
		{typ("i", "r").ExternalID, "ext:r"},
		{typ("j", "x").ExternalID, ""},
		{fn("i", "f").ExternalID, "ext:f"},
		{fn("i", "[method]r.m").ExternalID, "ext:m"},
		{fn("i", "g").ExternalID, ""},
	} {
		if c.got != c.want {
			t.Errorf("external id %q, want %q", c.got, c.want)
		}
	}

	w := r.Worlds[0]
	ext := map[string]string{}
	for _, items := range [][]WorldItem{w.Imports, w.Exports} {
		for _, it := range items {
			name := it.Key.Name
			if it.Key.IsInterface() {
				name = r.Interfaces[it.Interface].Name
			}
			id := it.ExternalID
			if it.Kind == WorldItemFunction {
				id = it.Function.ExternalID
			}
			ext[name] = id
		}
	}
	// l is imported because the export k uses it; the reference gives it
	// the external id of k. j is a dependency of the import i, with none.
	want := map[string]string{"i": "ext:imp", "inline": "ext:inl", "fun": "ext:fn", "k": "ext:exp", "l": "ext:exp", "j": ""}
	for name, id := range want {
		if ext[name] != id {
			t.Errorf("world item %s: external id %q, want %q", name, ext[name], id)
		}
	}

	b, err := r.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Worlds []struct {
			Imports map[string]map[string]json.RawMessage
		}
		Types []struct {
			Name       *string
			ExternalID *string `json:"external_id"`
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, td := range doc.Types {
		if td.ExternalID != nil {
			n++
			if td.Name == nil || *td.ExternalID == "" {
				t.Errorf("type %v: external_id %q", td.Name, *td.ExternalID)
			}
		}
	}
	if n != 3 {
		t.Errorf("%d types with external_id in the JSON, want 3 (t, the alias x, r)", n)
	}
	for _, want := range []string{`"external_id":"ext:imp"`, `"external_id":"ext:fn"`, `"external_id":"ext:m"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s", want)
		}
	}

	_, err = (&Resolve{}).AddSource("b.wit", "package a:b;\ninterface i {\n  @external-id(\"a\") @external-id(\"b\") f: func();\n}\n")
	if err == nil || !strings.Contains(err.Error(), "cannot specify @external-id twice") {
		t.Errorf("two external ids: got %v", err)
	}
}

// The printer writes @external-id where the reference's does, so a package
// with them prints, parses back and prints the same.
func TestExternalIDPrint(t *testing.T) {
	src := `package a:b;

interface j {
  type x = u8;
}

interface i {
  use j.{x};
  @external-id("ext:u") use j.{x as y};
  @external-id("ext:t\u{e9}\"\\") type t = u32;
  @external-id("ext:r")
  resource r {
    @external-id("ext:m") m: func();
  }
  @external-id("ext:f") f: func();
}

world w {
  @external-id("ext:imp") import i;
  @external-id("ext:fn") import fun: func();
}
`
	r := &Resolve{}
	ids, err := r.AddSource("a.wit", src)
	if err != nil {
		t.Fatal(err)
	}
	out := r.Print(ids[0])
	for _, want := range []string{
		`@external-id("ext:u")` + "\n  use j.{x as y};",
		`@external-id("ext:t\u{e9}\"\\")` + "\n  type t = u32;",
		`@external-id("ext:m")` + "\n    m: func();",
		`@external-id("ext:imp")` + "\n  import i;",
		`@external-id("ext:fn")` + "\n  import fun: func();",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("printed WIT lacks %q:\n%s", want, out)
		}
	}
	r2 := &Resolve{}
	ids2, err := r2.AddSource("a.wit", out)
	if err != nil {
		t.Fatalf("printed WIT does not parse: %v\n%s", err, out)
	}
	if again := r2.Print(ids2[0]); again != out {
		t.Errorf("printing is not a fixpoint:\n%s\n---\n%s", out, again)
	}
	j1, _ := r.MarshalJSON()
	j2, _ := r2.MarshalJSON()
	if string(j1) != string(j2) {
		t.Errorf("JSON differs after a print round trip:\n%s\n%s", j1, j2)
	}
}

// Doc comments keep the reference's text: markers stripped, common
// indentation of spaces removed, CRLF folded, nested block comments whole.
func TestDocComments(t *testing.T) {
	for _, c := range []struct{ doc, want string }{
		{"/// one line\n", "one line"},
		{"///   a\n///     b\n///\n///   c\n", "a\n  b\n\nc"},
		{"// plain\r\n// comments\r\n", "plain\ncomments"},
		{"/** block\n    doc */\n", "block\n    doc"},
		{"/* outer /* inner */ still */\n", "* outer /* inner */ still */"},
		{"///\ta tab\n///  two\n", "\ta tab\n two"},
		{"/// trailing \u00a0\n", "trailing"},
		{"///\n", ""},
	} {
		r := &Resolve{}
		if _, err := r.AddSource("a.wit", "package a:b;\n"+c.doc+"interface i {}\n"); err != nil {
			t.Fatalf("%q: %v", c.doc, err)
		}
		if d := r.Interfaces[0].Docs; !d.Present || d.Contents != c.want {
			t.Errorf("%q: docs %+v, want %q", c.doc, d, c.want)
		}
	}
}
