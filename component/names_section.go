package component

import (
	"github.com/wasmcm/wasmcm/internal/wasm"
)

// NameSection is the contents of a component-name custom section
// (Binary.md, "Name Section"): the component's own name and names for the
// definitions of each sort.
type NameSection struct {
	Component    string
	HasComponent bool
	Sorts        []SortNames
}

// SortNames names definitions of one sort by index.
type SortNames struct {
	Sort  Sort
	Names []NameAssoc
}

// NameAssoc is one index → name pair.
type NameAssoc struct {
	Index uint32
	Name  string
}

// ParseNames reads a component-name section. Engines must not reject a
// component for a bad name section, so callers should treat an error as
// "no names"; subsections of unknown kinds or sorts are skipped.
func ParseNames(s *CustomSection) (*NameSection, error) {
	r := wasm.NewReader(s.Data, 0)
	ns := &NameSection{}
	for !r.EOF() {
		id, _ := r.Byte()
		sub, err := r.Sub("name subsection")
		if err != nil {
			return nil, err
		}
		switch id {
		case 0:
			if ns.Component, err = sub.Name(); err != nil {
				return nil, err
			}
			ns.HasComponent = true
		case 1:
			var d decoder
			sort, err := d.sort(sub)
			if err != nil {
				continue // an unknown sort: skip the subsection
			}
			n, err := sub.Count("names")
			if err != nil {
				return nil, err
			}
			sn := SortNames{Sort: sort, Names: make([]NameAssoc, n)}
			for i := range sn.Names {
				if sn.Names[i].Index, err = sub.U32(); err != nil {
					return nil, err
				}
				if sn.Names[i].Name, err = sub.Name(); err != nil {
					return nil, err
				}
			}
			ns.Sorts = append(ns.Sorts, sn)
		}
	}
	return ns, nil
}
