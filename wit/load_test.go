package wit

import (
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeTree writes files (path → text) under dir; a text starting with
// "->" makes a symbolic link to the rest.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for p, text := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		if target, ok := strings.CutPrefix(text, "->"); ok {
			err = os.Symlink(target, full)
		} else {
			err = os.WriteFile(full, []byte(text), 0o644)
		}
		if err != nil {
			t.Skipf("skipped: cannot create %s: %v", p, err)
		}
	}
}

func packageNames(r *Resolve) []string {
	var names []string
	for _, p := range r.Packages {
		names = append(names, p.Name.String())
	}
	slices.Sort(names)
	return names
}

// Links in a package folder and in deps/ are followed without a stat
// first, with the same outcome as a stat would give: a link to a folder is
// a package, a link named *.wit to a folder is too, links to other files
// or to nothing are skipped unless named like WIT.
func TestLoadLinks(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"store/b/b.wit":       "package x:b;\ninterface ib { type t = u8; }\n",
		"store/c/c.wit":       "package x:c;\ninterface ic {}\n",
		"store/d.wit":         "package x:d;\ninterface id {}\n",
		"store/notes.txt":     "not WIT",
		"root/a.wit":          "package x:a;\ninterface ia { use x:b/ib.{t}; }\nworld w { import x:c/ic; import x:d/id; }\n",
		"root/sub.wit":        "->" + filepath.Join(dir, "store", "b"), // a folder named like a file: skipped
		"root/deps/b":         "->" + filepath.Join(dir, "store", "b"),
		"root/deps/c.wit":     "->" + filepath.Join(dir, "store", "c"),
		"root/deps/d.wit":     "->" + filepath.Join(dir, "store", "d.wit"),
		"root/deps/notes":     "->" + filepath.Join(dir, "store", "notes.txt"),
		"root/deps/dangling":  "->" + filepath.Join(dir, "store", "nothing"),
		"root/deps/.DS_Store": "junk",
	})
	r, ids, err := Load(filepath.Join(dir, "root"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := packageNames(r), []string{"x:a", "x:b", "x:c", "x:d"}; !slices.Equal(got, want) {
		t.Errorf("packages %v, want %v", got, want)
	}
	if r.Packages[ids[0]].Name.String() != "x:a" {
		t.Errorf("main package %s, want x:a", r.Packages[ids[0]].Name)
	}

	// A dangling link named like a WIT file is an error, as reading it is.
	writeTree(t, dir, map[string]string{"root/deps/e.wit": "->" + filepath.Join(dir, "store", "nothing.wit")})
	_, _, err = Load(filepath.Join(dir, "root"), Options{})
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "failed to read path for WIT [") {
		t.Errorf("dangling e.wit: got %v, want a not-exist error reading it", err)
	}
}

// A package file that cannot be read reports its path in the reference's
// words and unwraps to the file system error.
func TestLoadUnreadableFile(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.wit": "->" + filepath.Join(dir, "missing")})
	_, _, err := Load(dir, Options{})
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "failed to read file ") {
		t.Errorf("got %v, want a not-exist error naming the file", err)
	}
	writeTree(t, dir, map[string]string{"deps/b/x.wit": "package x:b;\ninterface i { type t = nope; }\n", "b.wit": "package x:a;\n"})
	os.Remove(filepath.Join(dir, "a.wit"))
	_, _, err = Load(dir, Options{})
	if err == nil || !strings.HasPrefix(err.Error(), "failed to resolve directory while parsing WIT for path ["+dir+"]: failed to parse dependency directory: ") ||
		!strings.Contains(err.Error(), "failed to parse package: "+filepath.Join(dir, "deps", "b")+": type `nope` does not exist") {
		t.Errorf("got %v", err)
	}
}

// Errors come in the reference's order although files load in parallel:
// a file that cannot be read before any syntax error of its package, the
// package before its deps, deps in name order, files in name order.
func TestLoadErrorOrder(t *testing.T) {
	for _, c := range []struct {
		files map[string]string
		want  string
	}{
		{map[string]string{"a.wit": "package x:a;\ninterface i { oops }\n", "b.wit": "->missing"}, "failed to read file "},
		{map[string]string{"a.wit": "package x:a;\ninterface i { oops }\n", "deps/b/b.wit": "package x:b;\ninterface j { bad }\n"}, "/a.wit:2:"},
		{map[string]string{"a.wit": "package x:a;\n", "deps/b/b.wit": "package x:b;\ninterface j { bad }\n", "deps/c/c.wit": "package x:c;\ninterface k { worse }\n"}, "/b.wit:2:"},
		{map[string]string{"a.wit": "package x:a;\n", "deps/b/b1.wit": "package x:b;\n", "deps/b/b2.wit": "package x:b;\ninterface j { bad }\n", "deps/b/b3.wit": "package x:b;\ninterface k { worse }\n"}, "/b2.wit:2:"},
		{map[string]string{"a.wit": "package x:a;\n", "deps/b/b1.wit": "package x:b;\ninterface j {}\n", "deps/b/b2.wit": "package x:b;\ninterface j {}\n"}, "duplicate item named `j`"},
	} {
		dir := t.TempDir()
		writeTree(t, dir, c.files)
		_, _, err := Load(dir, Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want an error with %q", slices.Sorted(maps.Keys(c.files)), err, c.want)
		}
	}
}
