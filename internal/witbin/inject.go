package witbin

import (
	"encoding/json"
	"fmt"

	"github.com/wasmcm/wasmcm/wit"
)

// Reading the "package-docs" section back into a decoded package.

type mdStability struct {
	Stable *struct {
		Since      string  `json:"since"`
		Deprecated *string `json:"deprecated"`
	} `json:"stable"`
	Unstable *struct {
		Feature    string  `json:"feature"`
		Deprecated *string `json:"deprecated"`
	} `json:"unstable"`
}

type mdPackage struct {
	Docs       *string                `json:"docs"`
	Worlds     map[string]mdWorld     `json:"worlds"`
	Interfaces map[string]mdInterface `json:"interfaces"`
}

type mdWorld struct {
	Docs                     *string                    `json:"docs"`
	Stability                json.RawMessage            `json:"stability"`
	Interfaces               map[string]mdInterface     `json:"interfaces"`
	Types                    map[string]mdType          `json:"types"`
	Funcs                    map[string]mdFunction      `json:"funcs"`
	InterfaceExports         map[string]mdInterface     `json:"interface_exports"`
	FuncExports              map[string]mdFunction      `json:"func_exports"`
	InterfaceImportStability map[string]json.RawMessage `json:"interface_import_stability"`
	InterfaceExportStability map[string]json.RawMessage `json:"interface_export_stability"`
	InterfaceImportDocs      map[string]string          `json:"interface_import_docs"`
	InterfaceExportDocs      map[string]string          `json:"interface_export_docs"`
}

type mdInterface struct {
	Docs      *string               `json:"docs"`
	Stability json.RawMessage       `json:"stability"`
	Funcs     map[string]mdFunction `json:"funcs"`
	Types     map[string]mdType     `json:"types"`
}

// mdFunction is {docs, stability}, or in the old v0 form a bare string.
type mdFunction struct {
	Docs      *string
	Stability json.RawMessage
}

func (f *mdFunction) UnmarshalJSON(b []byte) error {
	var s *string
	if err := json.Unmarshal(b, &s); err == nil {
		f.Docs = s
		return nil
	}
	var v struct {
		Docs      *string         `json:"docs"`
		Stability json.RawMessage `json:"stability"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	f.Docs, f.Stability = v.Docs, v.Stability
	return nil
}

type mdType struct {
	Docs      *string           `json:"docs"`
	Stability json.RawMessage   `json:"stability"`
	Items     map[string]string `json:"items"`
}

func injectMetadata(r *wit.Resolve, pkg wit.PackageID, data []byte) error {
	if len(data) == 0 || data[0] > packageDocsVersion {
		return fmt.Errorf("unsupported version byte")
	}
	var md mdPackage
	if err := json.Unmarshal(data[1:], &md); err != nil {
		return err
	}
	p := r.Packages[pkg]
	for name, w := range md.Worlds {
		id, ok := wit.Lookup(p.Worlds, name)
		if !ok {
			return fmt.Errorf("missing world %q", name)
		}
		if err := injectWorld(r, r.Worlds[id], w); err != nil {
			return err
		}
	}
	for name, i := range md.Interfaces {
		id, ok := wit.Lookup(p.Interfaces, name)
		if !ok {
			return fmt.Errorf("missing interface %q", name)
		}
		if err := injectInterface(r, r.Interfaces[id], i); err != nil {
			return err
		}
	}
	if md.Docs != nil {
		p.Docs = wit.Docs{Contents: *md.Docs, Present: true}
	}
	return nil
}

func docsOf(s *string) wit.Docs {
	if s == nil {
		return wit.Docs{}
	}
	return wit.Docs{Contents: *s, Present: true}
}

func parseStability(raw json.RawMessage) (wit.Stability, error) {
	if len(raw) == 0 || string(raw) == "null" || string(raw) == `"unknown"` {
		return wit.Stability{}, nil
	}
	var s mdStability
	if err := json.Unmarshal(raw, &s); err != nil {
		return wit.Stability{}, fmt.Errorf("stability: %w", err)
	}
	version := func(v string) (*wit.Version, error) {
		ver, err := wit.ParseVersion(v)
		if err != nil {
			return nil, err
		}
		return &ver, nil
	}
	var out wit.Stability
	var dep *string
	switch {
	case s.Stable != nil:
		out.Kind = wit.StabilityStable
		v, err := version(s.Stable.Since)
		if err != nil {
			return out, err
		}
		out.Since, dep = v, s.Stable.Deprecated
	case s.Unstable != nil:
		out.Kind = wit.StabilityUnstable
		out.Feature, dep = s.Unstable.Feature, s.Unstable.Deprecated
	default:
		return out, fmt.Errorf("stability %s is neither stable nor unstable", raw)
	}
	if dep != nil {
		v, err := version(*dep)
		if err != nil {
			return out, err
		}
		out.Deprecated = v
	}
	return out, nil
}

func injectInterface(r *wit.Resolve, i *wit.Interface, md mdInterface) error {
	for name, t := range md.Types {
		id, ok := wit.Lookup(i.Types, name)
		if !ok {
			return fmt.Errorf("missing type %q", name)
		}
		if err := injectType(r.Types[id], t); err != nil {
			return err
		}
	}
	for name, f := range md.Funcs {
		fn := i.Function(name)
		if fn == nil {
			return fmt.Errorf("missing func %q", name)
		}
		if err := injectFunction(fn, f); err != nil {
			return err
		}
	}
	if md.Docs != nil {
		i.Docs = docsOf(md.Docs)
	}
	s, err := parseStability(md.Stability)
	i.Stability = s
	return err
}

func injectFunction(f *wit.Function, md mdFunction) error {
	f.Docs = docsOf(md.Docs)
	s, err := parseStability(md.Stability)
	f.Stability = s
	return err
}

func injectType(td *wit.TypeDef, md mdType) error {
	for name, docs := range md.Items {
		found := false
		set := func(n string, d *wit.Docs) {
			if n == name {
				*d, found = wit.Docs{Contents: docs, Present: true}, true
			}
		}
		for i := range td.Fields {
			set(td.Fields[i].Name, &td.Fields[i].Docs)
		}
		for i := range td.Flags {
			set(td.Flags[i].Name, &td.Flags[i].Docs)
		}
		for i := range td.Cases {
			set(td.Cases[i].Name, &td.Cases[i].Docs)
		}
		for i := range td.Enum {
			set(td.Enum[i].Name, &td.Enum[i].Docs)
		}
		if !found {
			return fmt.Errorf("missing item %q of type %s", name, td.Name)
		}
	}
	if md.Docs != nil {
		td.Docs = docsOf(md.Docs)
	}
	s, err := parseStability(md.Stability)
	td.Stability = s
	return err
}

// findItem finds a world item by its plain name.
func findItem(list []wit.WorldItem, name string) *wit.WorldItem {
	for i := range list {
		if !list[i].Key.IsInterface() && list[i].Key.Name == name {
			return &list[i]
		}
	}
	return nil
}

func injectWorld(r *wit.Resolve, w *wit.World, md mdWorld) error {
	lookup := func(name string, onlyExport bool) *wit.WorldItem {
		if !onlyExport {
			if it := findItem(w.Imports, name); it != nil {
				return it
			}
		}
		return findItem(w.Exports, name)
	}
	for _, set := range []struct {
		m          map[string]mdInterface
		onlyExport bool
	}{{md.Interfaces, false}, {md.InterfaceExports, true}} {
		for name, data := range set.m {
			it := lookup(name, set.onlyExport)
			if it == nil || it.Kind != wit.WorldItemInterface {
				return fmt.Errorf("missing interface %q", name)
			}
			s, err := parseStability(data.Stability)
			if err != nil {
				return err
			}
			it.Stability = s
			if err := injectInterface(r, r.Interfaces[it.Interface], data); err != nil {
				return err
			}
		}
	}
	for name, data := range md.Types {
		it := findItem(w.Imports, name)
		if it == nil || it.Kind != wit.WorldItemType {
			return fmt.Errorf("missing type %q", name)
		}
		if err := injectType(r.Types[it.Type], data); err != nil {
			return err
		}
	}
	// Interfaces imported or exported by reference are keyed by their full
	// name ("ns:pkg/iface@v") or their plain name.
	byName := func(name string, isImport bool) *wit.WorldItem {
		list := w.Exports
		if isImport {
			list = w.Imports
		}
		for i := range list {
			if list[i].Kind == wit.WorldItemInterface && worldKeyName(r, list[i].Key) == name {
				return &list[i]
			}
		}
		return nil
	}
	for _, set := range []struct {
		m        map[string]json.RawMessage
		isImport bool
	}{{md.InterfaceImportStability, true}, {md.InterfaceExportStability, false}} {
		for name, raw := range set.m {
			it := byName(name, set.isImport)
			if it == nil {
				return fmt.Errorf("missing interface `%s`", name)
			}
			s, err := parseStability(raw)
			if err != nil {
				return err
			}
			it.Stability = s
		}
	}
	for _, set := range []struct {
		m        map[string]string
		isImport bool
	}{{md.InterfaceImportDocs, true}, {md.InterfaceExportDocs, false}} {
		for name, docs := range set.m {
			it := byName(name, set.isImport)
			if it == nil {
				return fmt.Errorf("missing interface `%s`", name)
			}
			it.Docs = wit.Docs{Contents: docs, Present: true}
		}
	}
	for _, set := range []struct {
		m          map[string]mdFunction
		onlyExport bool
	}{{md.Funcs, false}, {md.FuncExports, true}} {
		for name, data := range set.m {
			it := lookup(name, set.onlyExport)
			if it == nil || it.Kind != wit.WorldItemFunction || it.Function == nil {
				return fmt.Errorf("missing func %q", name)
			}
			if err := injectFunction(it.Function, data); err != nil {
				return err
			}
		}
	}
	if md.Docs != nil {
		w.Docs = docsOf(md.Docs)
	}
	s, err := parseStability(md.Stability)
	w.Stability = s
	return err
}
