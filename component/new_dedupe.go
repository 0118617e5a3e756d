package component

import (
	"strconv"

	"github.com/wasmcm/wasmcm/internal/wasm"
)

// dedupeImports renames the second and later imports of the same
// module::name pair of a core module to "name [v2]", "name [v3]"... (as
// wit-component's dedupe.rs does: stock Go imports some WASI functions
// twice, which a component's instantiation cannot express). It returns
// the module (unchanged when there are no duplicates) and a map from each
// new name (module, name) to the original name.
func dedupeImports(module []byte) ([]byte, map[[2]string]string, error) {
	secs, err := coreSections(module)
	if err != nil {
		return nil, nil, err
	}
	for _, s := range secs {
		if s.id != wasm.SecImport {
			continue
		}
		r := wasm.NewReader(module[s.start:s.end], s.start)
		if _, err := r.Byte(); err != nil {
			return nil, nil, err
		}
		body, err := r.Sub("import section")
		if err != nil {
			return nil, nil, err
		}
		n, err := body.Count("imports")
		if err != nil {
			return nil, nil, err
		}
		seen := map[[2]string]bool{}
		renamed := map[[2]string]string{}
		imports := make([]wasm.Import, 0, n)
		for range n {
			im, err := body.ReadImport()
			if err != nil {
				return nil, nil, err
			}
			key := [2]string{im.Module, im.Name}
			if seen[key] {
				orig := im.Name
				for v := 2; ; v++ {
					im.Name = orig + " [v" + strconv.Itoa(v) + "]"
					if !seen[[2]string{im.Module, im.Name}] {
						break
					}
				}
				renamed[[2]string{im.Module, im.Name}] = orig
			}
			seen[[2]string{im.Module, im.Name}] = true
			imports = append(imports, im)
		}
		if len(renamed) == 0 {
			return module, nil, nil
		}
		sec := wasm.AppendU32(nil, uint32(len(imports)))
		for _, im := range imports {
			sec = wasm.AppendImport(sec, im)
		}
		out := append([]byte(nil), module[:s.start]...)
		out = append(out, wasm.SecImport)
		out = wasm.AppendU32(out, uint32(len(sec)))
		out = append(out, sec...)
		out = append(out, module[s.end:]...)
		return out, renamed, nil
	}
	return module, nil, nil
}
