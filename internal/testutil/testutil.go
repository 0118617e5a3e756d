// Package testutil holds what the project's tests share: finding the
// conformance corpora beside the checkout, and the conformance floors.
package testutil

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// RepoRoot returns the directory holding the main go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.Contains(string(b), "module github.com/wasmcm/wasmcm\n") {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testutil: no go.mod of github.com/wasmcm/wasmcm above the test's directory")
		}
		dir = parent
	}
}

// Shared returns ../shared/<rel> beside the checkout, or skips the test with
// a one-line reason when it is absent (a fresh clone without the corpora).
func Shared(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(RepoRoot(t), "..", "shared", rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("skipped: %s is absent (the conformance corpora live in ../shared beside the checkout)", filepath.Join("../shared", rel))
	}
	return p
}

// Conformance reports a conformance count and fails the test when it drops
// below the floor kept in testdata/conformance-floors.txt under key. The
// printed line ("conformance: key passed/total") is what `make conformance`
// collects.
func Conformance(t testing.TB, key string, passed, total int) {
	t.Helper()
	fmt.Printf("conformance: %s %d/%d\n", key, passed, total)
	floor, ok := floors(t)[key]
	if !ok {
		t.Logf("no floor for %q in testdata/conformance-floors.txt; add one", key)
		return
	}
	if passed < floor {
		t.Errorf("conformance %s: %d/%d passed, below the floor of %d", key, passed, total, floor)
	}
}

func floors(t testing.TB) map[string]int {
	t.Helper()
	f, err := os.Open(filepath.Join(RepoRoot(t), "testdata", "conformance-floors.txt"))
	if err != nil {
		return nil
	}
	defer f.Close()
	m := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			t.Fatalf("conformance-floors.txt: bad line %q (want: key number)", line)
		}
		n, err := strconv.Atoi(fields[1])
		if err != nil {
			t.Fatalf("conformance-floors.txt: bad number in %q", line)
		}
		m[fields[0]] = n
	}
	return m
}
