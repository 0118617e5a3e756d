package component

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/wit"
)

// newCase builds the inputs of a components/ case as the reference's test
// does: module.wasm with the world "module" of the case's package embedded,
// and each adapt-NAME.wasm with the world "adapt-NAME", keyed by the import
// module it implements (NAME, or the `;; module name:` of its .wat).
func newCase(dir string) ([]byte, NewOptions, error) {
	r, w, err := loadCaseWorld(dir, "module")
	if err != nil {
		return nil, NewOptions{}, err
	}
	mod, err := os.ReadFile(filepath.Join(dir, "module.wasm"))
	if err != nil {
		return nil, NewOptions{}, err
	}
	if mod, err = Embed(mod, r, w, canon.UTF8); err != nil {
		return nil, NewOptions{}, err
	}
	var opts NewOptions
	adapters, _ := filepath.Glob(filepath.Join(dir, "adapt-*.wasm"))
	for _, a := range adapters {
		base := strings.TrimSuffix(filepath.Base(a), ".wasm")
		name := strings.TrimPrefix(base, "adapt-")
		if wat, err := os.ReadFile(filepath.Join(dir, base+".wat")); err == nil {
			if first, _, _ := strings.Cut(string(wat), "\n"); strings.HasPrefix(first, ";; module name:") {
				name = strings.TrimSpace(strings.TrimPrefix(first, ";; module name:"))
			}
		}
		b, err := os.ReadFile(a)
		if err != nil {
			return nil, NewOptions{}, err
		}
		if aw, err := r.SelectWorld(nil, base); err == nil {
			if b, err = Embed(b, r, aw, canon.UTF8); err != nil {
				return nil, NewOptions{}, err
			}
		} else if pkgs := r.Packages; len(pkgs) > 0 {
			if aw, err := r.SelectWorld([]wit.PackageID{wit.PackageID(len(pkgs) - 1)}, base); err == nil {
				if b, err = Embed(b, r, aw, canon.UTF8); err != nil {
					return nil, NewOptions{}, err
				}
			}
		}
		if opts.Adapters == nil {
			opts.Adapters = map[string][]byte{}
		}
		opts.Adapters[name] = b
	}
	return mod, opts, nil
}

// TestNewConformance runs New on every components/ case that has a core
// module (the lib-*/dlopen-* dynamic linking cases are left out): the
// component must validate and print the case's component.wit.print, and
// error-* cases must fail with the reference's complaint.
func TestNewConformance(t *testing.T) {
	root := testutil.Shared(t, "conformance/wit-component/components")
	mods, err := filepath.Glob(filepath.Join(root, "*", "module.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	passed, total, errPassed, errTotal := 0, 0, 0, 0
	for _, f := range mods {
		dir := filepath.Dir(f)
		name := filepath.Base(dir)
		mod, opts, err := newCase(dir)
		if err != nil {
			t.Logf("%s: setting up: %v", name, err)
		}
		if want, rerr := os.ReadFile(filepath.Join(dir, "error.txt")); rerr == nil {
			errTotal++
			if err != nil {
				continue
			}
			_, err := New(mod, opts)
			msg := strings.TrimSpace(string(want))
			if i := strings.LastIndex(msg, ": "); i >= 0 && !strings.HasSuffix(msg[:i], "function `a`") {
				msg = msg[i+2:]
			}
			switch {
			case err == nil:
				t.Logf("%s: no error, want %q", name, want)
			case !strings.Contains(err.Error(), msg):
				t.Logf("%s: error %q, want one about %q", name, err, msg)
			default:
				errPassed++
			}
			continue
		}
		total++
		if err != nil {
			continue
		}
		out, err := New(mod, opts)
		if err != nil {
			t.Logf("%s: %v", name, err)
			continue
		}
		c, err := Decode(out)
		if err != nil {
			t.Errorf("%s: the component does not decode: %v", name, err)
			continue
		}
		if err := Validate(c, AllFeatures); err != nil {
			t.Logf("%s: the component is not valid: %v", name, err)
			continue
		}
		dw, err := ComponentWIT(c)
		if err != nil {
			t.Errorf("%s: component wit: %v", name, err)
			continue
		}
		want, err := os.ReadFile(filepath.Join(dir, "component.wit.print"))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got := dw.Resolve.Print(dw.Package); got != string(want) {
			t.Logf("%s: the component's world differs:\n%s\nwant:\n%s", name, got, want)
			continue
		}
		passed++
	}
	testutil.Conformance(t, "component-new", passed, total)
	testutil.Conformance(t, "component-new-errors", errPassed, errTotal)
}
