// Package witbin holds the parts of the binary WIT form that do not depend
// on the component codec: the "package-docs" custom section, which carries
// the docs and @since/@unstable gates that component types cannot hold.
// Package component encodes and decodes the component types themselves.
package witbin

import (
	"fmt"

	"github.com/wasmcm/wasmcm/wit"
)

// PackageDocsSection is the name of the custom section.
const PackageDocsSection = "package-docs"

// PackageDocs returns the contents of the "package-docs" section for one
// package of r, byte for byte as the reference writes it.
func PackageDocs(r *wit.Resolve, pkg wit.PackageID) ([]byte, error) {
	if pkg < 0 || int(pkg) >= len(r.Packages) || r.Packages[pkg] == nil {
		return nil, fmt.Errorf("witbin: package %d does not exist", pkg)
	}
	return packageMetadata(r, pkg)
}

// InjectPackageDocs puts the docs and gates of a "package-docs" section
// into the decoded package pkg of r.
func InjectPackageDocs(r *wit.Resolve, pkg wit.PackageID, data []byte) error {
	return injectMetadata(r, pkg, data)
}

func iface(r *wit.Resolve, id wit.InterfaceID) (*wit.Interface, error) {
	if id < 0 || int(id) >= len(r.Interfaces) || r.Interfaces[id] == nil {
		return nil, fmt.Errorf("interface %d does not exist", id)
	}
	return r.Interfaces[id], nil
}

func typeDef(r *wit.Resolve, id wit.TypeID) (*wit.TypeDef, error) {
	if id < 0 || int(id) >= len(r.Types) || r.Types[id] == nil {
		return nil, fmt.Errorf("type %d does not exist", id)
	}
	return r.Types[id], nil
}

// worldKeyName is the name of a world item as the binary form writes it.
func worldKeyName(r *wit.Resolve, k wit.WorldKey) string {
	if !k.IsInterface() {
		return k.Name
	}
	i, err := iface(r, k.Interface)
	if err != nil || i.Name == "" || i.Package < 0 || int(i.Package) >= len(r.Packages) {
		return "?"
	}
	p := r.Packages[i.Package].Name
	s := p.Namespace + ":" + p.Name + "/" + i.Name
	if p.Version != nil {
		s += "@" + p.Version.String()
	}
	return s
}
