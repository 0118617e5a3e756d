package wit

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/internal/witgen"
)

// checkArenas verifies that every id in r points inside its arena, so that
// users of a resolved model can index without checks.
func checkArenas(r *Resolve) error {
	nt, ni, nw, np := len(r.Types), len(r.Interfaces), len(r.Worlds), len(r.Packages)
	ty := func(t Type, where string) error {
		if id, ok := t.ID(); ok && int(id) >= nt {
			return fmt.Errorf("%s: type %d out of range", where, id)
		}
		return nil
	}
	fn := func(f *Function, where string) error {
		if f.Kind != Freestanding && f.Kind != AsyncFreestanding && (f.Resource < 0 || int(f.Resource) >= nt) {
			return fmt.Errorf("%s: resource %d out of range", where, f.Resource)
		}
		for _, p := range f.Params {
			if err := ty(p.Type, where); err != nil {
				return err
			}
		}
		return ty(f.Result, where)
	}
	for i, td := range r.Types {
		where := fmt.Sprintf("type %d", i)
		var ts []Type
		switch td.Kind {
		case KindRecord:
			for _, f := range td.Fields {
				ts = append(ts, f.Type)
			}
		case KindVariant:
			for _, c := range td.Cases {
				ts = append(ts, c.Type)
			}
		case KindTuple:
			ts = td.Tuple
		case KindOwn, KindBorrow:
			ts = []Type{TypeOf(td.Resource)}
		case KindUnknown:
			return fmt.Errorf("%s: unknown kind left after resolution", where)
		default:
			ts = []Type{td.Elem, td.Key, td.Ok, td.Err}
		}
		for _, t := range ts {
			if err := ty(t, where); err != nil {
				return err
			}
		}
		switch td.Owner.Kind {
		case OwnerInterface:
			if int(td.Owner.Interface) >= ni || td.Owner.Interface < 0 {
				return fmt.Errorf("%s: owner out of range", where)
			}
		case OwnerWorld:
			if int(td.Owner.World) >= nw || td.Owner.World < 0 {
				return fmt.Errorf("%s: owner out of range", where)
			}
		}
	}
	for i, iface := range r.Interfaces {
		if iface.Package < 0 || int(iface.Package) >= np {
			return fmt.Errorf("interface %d: package out of range", i)
		}
		for _, e := range iface.Types {
			if e.ID < 0 || int(e.ID) >= nt {
				return fmt.Errorf("interface %d: type out of range", i)
			}
		}
		for _, f := range iface.Functions {
			if err := fn(f, fmt.Sprintf("interface %d", i)); err != nil {
				return err
			}
		}
	}
	for i, w := range r.Worlds {
		if w.Package < 0 || int(w.Package) >= np {
			return fmt.Errorf("world %d: package out of range", i)
		}
		for _, it := range append(append([]WorldItem(nil), w.Imports...), w.Exports...) {
			where := fmt.Sprintf("world %d item %q", i, it.Key.Name)
			switch it.Kind {
			case WorldItemInterface:
				if it.Interface < 0 || int(it.Interface) >= ni {
					return fmt.Errorf("%s: interface out of range", where)
				}
			case WorldItemType:
				if it.Type < 0 || int(it.Type) >= nt {
					return fmt.Errorf("%s: type out of range", where)
				}
			case WorldItemFunction:
				if err := fn(it.Function, where); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// resolveOne is what the fuzz target and the generated-document test run.
func resolveOne(src string) (*Resolve, error) {
	r := &Resolve{Features: []string{"active"}}
	if _, err := r.AddSource("fuzz.wit", src); err != nil {
		var we *Error
		if !errors.As(err, &we) {
			return nil, fmt.Errorf("error of type %T, want *wit.Error: %v", err, err)
		}
		if we.Error() == "" {
			return nil, errors.New("empty error text")
		}
		return nil, err
	}
	if err := checkArenas(r); err != nil {
		return nil, fmt.Errorf("resolved model is inconsistent: %v", err)
	}
	b, err := r.MarshalJSON()
	if err != nil || !json.Valid(b) {
		return nil, fmt.Errorf("invalid JSON (%v)", err)
	}
	return r, nil
}

func TestResolveGenerated(t *testing.T) {
	for seed := range uint64(200) {
		doc := witgen.Generate(seed, witgen.All)
		if _, err := resolveOne(doc); err != nil {
			t.Fatalf("seed %d: valid document rejected: %v\n%s", seed, err, doc)
		}
		bad, why := witgen.Invalid(seed, witgen.All)
		_, err := resolveOne(bad)
		var we *Error
		if err == nil || !errors.As(err, &we) {
			t.Fatalf("seed %d: document with %s: got %v, want a *wit.Error\n%s", seed, why, err, bad)
		}
	}
}

func FuzzResolve(f *testing.F) {
	for seed := range uint64(20) {
		f.Add(witgen.Generate(seed, witgen.All))
	}
	if dir := testutil.Shared(f, "conformance/wit-parser-ui"); dir != "" {
		for _, pattern := range []string{"*.wit", "parse-fail/*.wit"} {
			files, _ := filepath.Glob(filepath.Join(dir, pattern))
			for _, p := range files {
				if b, err := os.ReadFile(p); err == nil {
					f.Add(string(b))
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 1<<16 {
			return
		}
		// A hang is a failure too: report it (and keep the input) instead of
		// stalling the fuzzer.
		done := make(chan error, 1)
		go func() {
			_, err := resolveOne(src)
			done <- err
		}()
		var err error
		select {
		case err = <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("no answer after 10s for %d bytes of input", len(src))
		}
		if err != nil && !strings.Contains(err.Error(), "\n") && strings.HasPrefix(err.Error(), "error of type") {
			t.Fatal(err)
		}
		if err != nil && (strings.HasPrefix(err.Error(), "resolved model") || strings.HasPrefix(err.Error(), "invalid JSON")) {
			t.Fatal(err)
		}
	})
}
