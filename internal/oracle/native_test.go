package oracle

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/internal/witgen"
	"github.com/wasmcm/wasmcm/wit"
)

// nativeWasmTools returns a wasm-tools on PATH that is at least as new as
// the corpus's (1.257), or skips: these tests are for machines that have
// the current reference installed (see TOOLS.md), never for CI.
func nativeWasmTools(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("wasm-tools")
	if err != nil {
		t.Skip("skipped: no wasm-tools on PATH (cargo install --locked wasm-tools)")
	}
	out, err := exec.Command(bin, "--version").Output()
	m := regexp.MustCompile(`wasm-tools 1\.(\d+)\.`).FindSubmatch(out)
	if err != nil || m == nil {
		t.Skipf("skipped: cannot tell the version of %s", bin)
	}
	if minor, _ := strconv.Atoi(string(m[1])); minor < 257 {
		t.Skipf("skipped: %s is older than 1.257", strings.TrimSpace(string(out)))
	}
	return bin
}

// newerOnly are JSON members the native reference may print that are newer
// than the corpus wasmcm follows: interfaces copied by includes
// ("clone_of", 1.263) and @external-id ("external_id", 1.263).
var newerOnly = []string{"clone_of", "external_id"}

func dropMembers(v any, names []string) any {
	switch x := v.(type) {
	case map[string]any:
		for _, n := range names {
			delete(x, n)
		}
		for k, val := range x {
			x[k] = dropMembers(val, names)
		}
	case []any:
		for i := range x {
			x[i] = dropMembers(x[i], names)
		}
	}
	return v
}

// nativeAgrees resolves the file at path with the native reference and with
// wasmcm, and reports whether they agree on acceptance, on the JSON (but for
// newerOnly members) and, when printText is set, on the printed WIT.
func nativeAgrees(t *testing.T, bin, path string, features []string, printText bool) (bool, string) {
	t.Helper()
	args := []string{"component", "wit"}
	if len(features) > 0 {
		args = append(args, "--features", strings.Join(features, ","))
	}
	refJSON, refErr := exec.Command(bin, append(append(args, "--json"), path)...).Output()
	r, pkgs, ourErr := wit.Load(path, wit.Options{Features: features})
	switch {
	case refErr != nil && ourErr != nil:
		return true, ""
	case refErr != nil:
		return false, "wasmcm accepts what the reference rejects"
	case ourErr != nil:
		return false, "wasmcm rejects what the reference accepts: " + firstLine(ourErr.Error())
	}
	ours, err := r.MarshalJSON()
	if err != nil {
		return false, err.Error()
	}
	var want, got any
	if err := json.Unmarshal(refJSON, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(ours, &got); err != nil {
		return false, "invalid JSON: " + err.Error()
	}
	if p, ok := firstDiff(dropMembers(want, newerOnly), dropMembers(got, newerOnly), ""); !ok {
		return false, "JSON differs at " + p
	}
	if !printText {
		return true, ""
	}
	refText, err := exec.Command(bin, append(args, path)...).Output()
	if err != nil {
		t.Fatal(err)
	}
	// As `wasmcm wit` prints: the main package, then the others nested.
	order := []wit.PackageID{pkgs[len(pkgs)-1]}
	for id := range r.Packages {
		if wit.PackageID(id) != order[0] {
			order = append(order, wit.PackageID(id))
		}
	}
	text, err := r.PrintChecked(order)
	if err != nil {
		return false, "printing: " + err.Error()
	}
	if text != string(refText) {
		return false, "printed WIT differs"
	}
	return true, ""
}

// TestConformanceNativeWitgen compares wasmcm with a native, current
// wasm-tools on documents using all the syntax witgen knows (including what
// 1.230 lacks): acceptance, JSON and printed WIT.
func TestConformanceNativeWitgen(t *testing.T) {
	bin := nativeWasmTools(t)
	dir := t.TempDir()
	passed, total := 0, 0
	for seed := uint64(0); seed < 150; seed++ {
		o := witgen.All
		o.Size = 1 + int(seed%6)
		valid := witgen.Generate(seed, o)
		invalid, _ := witgen.Invalid(seed, o)
		for i, doc := range []string{valid, invalid} {
			path := filepath.Join(dir, fmt.Sprintf("seed-%d-%d.wit", seed, i))
			if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
				t.Fatal(err)
			}
			total++
			if ok, why := nativeAgrees(t, bin, path, []string{"active"}, true); ok {
				passed++
			} else {
				t.Logf("seed %d (%s): %s", seed, []string{"valid", "invalid"}[i], why)
			}
		}
	}
	testutil.Conformance(t, "wit-native-witgen", passed, total)
}

// TestConformanceNativeWitSmith compares wasmcm with a native wasm-tools on
// packages from `wasm-tools wit-smith` (the reference's own WIT generator),
// printed to text by the reference: JSON always, printed WIT where the
// package has no @external-id (which wasmcm does not know yet).
func TestConformanceNativeWitSmith(t *testing.T) {
	bin := nativeWasmTools(t)
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	passed, total := 0, 0
	for i := 0; i < 150; i++ {
		seed := make([]byte, 500+rng.IntN(4000))
		for j := range seed {
			seed[j] = byte(rng.Uint32())
		}
		seedPath := filepath.Join(dir, "seed.bin")
		if err := os.WriteFile(seedPath, seed, 0o644); err != nil {
			t.Fatal(err)
		}
		wasm, err := exec.Command(bin, "wit-smith", seedPath).Output()
		if err != nil {
			continue // the seed ran out before a package was complete
		}
		wasmPath := filepath.Join(dir, "pkg.wasm")
		if err := os.WriteFile(wasmPath, wasm, 0o644); err != nil {
			t.Fatal(err)
		}
		text, err := exec.Command(bin, "component", "wit", wasmPath).Output()
		if err != nil {
			continue
		}
		path := filepath.Join(dir, fmt.Sprintf("smith-%d.wit", i))
		if err := os.WriteFile(path, text, 0o644); err != nil {
			t.Fatal(err)
		}
		total++
		if ok, why := nativeAgrees(t, bin, path, nil, !bytes.Contains(text, []byte("@external-id"))); ok {
			passed++
		} else {
			t.Logf("wit-smith case %d: %s", i, why)
		}
	}
	testutil.Conformance(t, "wit-native-wit-smith", passed, total)
}
