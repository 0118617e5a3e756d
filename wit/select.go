package wit

import (
	"errors"
	"fmt"
	"strings"
)

// SelectWorld picks a world among the main packages pkgs (as returned by
// Load or AddSource), like the reference's select_world. name may be a plain
// world name (looked up in the single main package), a fully qualified
// "ns:pkg/world" or "ns:pkg/world@1.2.3" (looked up among all packages; the
// version may be left out when only one version is loaded), or "" when the
// single main package has exactly one world.
func (r *Resolve) SelectWorld(pkgs []PackageID, name string) (WorldID, error) {
	if name == "" {
		switch len(pkgs) {
		case 0:
			return NoWorld, errors.New("No main packages defined")
		case 1:
			p := r.Packages[pkgs[0]]
			switch len(p.Worlds) {
			case 0:
				return NoWorld, fmt.Errorf("The main package `%s` contains no worlds", p.Name)
			case 1:
				return p.Worlds[0].ID, nil
			}
			var b strings.Builder
			for _, e := range p.Worlds {
				b.WriteString("\n  " + r.idOfName(pkgs[0], e.Name))
			}
			return NoWorld, fmt.Errorf("There are multiple worlds in `%s`; one must be explicitly chosen:%s", p.Name, b.String())
		}
		return NoWorld, r.multipleMainPackages()
	}

	pkgName, worldName, qualified, err := parseWorldPath(name)
	if err != nil {
		return NoWorld, fmt.Errorf("failed to parse world specifier `%s`: %w", name, err)
	}
	var pkg PackageID
	switch {
	case len(pkgs) == 0:
		return NoWorld, errors.New("No main packages defined")
	case !qualified && len(pkgs) == 1:
		pkg = pkgs[0]
	case !qualified:
		return NoWorld, r.multipleMainPackages()
	default:
		pkg = NoPackage
		want := pkgName.String()
		for i, p := range r.Packages {
			if p.Name.String() == want {
				pkg = PackageID(i)
				break
			}
		}
		if pkg == NoPackage {
			var candidates []PackageID
			if pkgName.Version == nil {
				for i, p := range r.Packages {
					if p.Name.Namespace == pkgName.Namespace && p.Name.Name == pkgName.Name && p.Name.Version != nil {
						candidates = append(candidates, PackageID(i))
					}
				}
			}
			switch len(candidates) {
			case 0:
				return NoWorld, fmt.Errorf("unknown package `%s`", pkgName)
			case 1:
				pkg = candidates[0]
			default:
				return NoWorld, fmt.Errorf("package name `%s` is available at both versions %s and %s but which is not specified",
					pkgName, r.Packages[candidates[0]].Name.Version, r.Packages[candidates[1]].Name.Version)
			}
		}
	}
	p := r.Packages[pkg]
	if id, ok := Lookup(p.Worlds, worldName); ok {
		return id, nil
	}
	return NoWorld, fmt.Errorf("World `%s` not found in package `%s`", worldName, p.Name)
}

func (r *Resolve) multipleMainPackages() error {
	var b strings.Builder
	for _, w := range r.Worlds {
		if w.Package != NoPackage {
			b.WriteString("\n  " + r.idOfName(w.Package, w.Name))
		}
	}
	return fmt.Errorf("There are multiple main packages; a world must be explicitly chosen:%s", b.String())
}

// idOfName is "ns:pkg/name@version" for an item of the package.
func (r *Resolve) idOfName(pkg PackageID, name string) string {
	n := r.Packages[pkg].Name
	s := n.Namespace + ":" + n.Name + "/" + name
	if n.Version != nil {
		s += "@" + n.Version.String()
	}
	return s
}

// parseWorldPath parses "name" or "ns:pkg/name[@version]".
func parseWorldPath(s string) (pkg PackageName, name string, qualified bool, err error) {
	colon := strings.IndexByte(s, ':')
	if colon < 0 {
		name, err = parsePathID(s)
		return pkg, name, false, err
	}
	if pkg.Namespace, err = parsePathID(s[:colon]); err != nil {
		return pkg, "", false, err
	}
	rest := s[colon+1:]
	slash := strings.IndexByte(rest, '/')
	if slash < 0 {
		return pkg, "", false, errors.New("expected '/' after the package name")
	}
	if pkg.Name, err = parsePathID(rest[:slash]); err != nil {
		return pkg, "", false, err
	}
	rest = rest[slash+1:]
	if at := strings.IndexByte(rest, '@'); at >= 0 {
		v, verr := ParseVersion(rest[at+1:])
		if verr != nil {
			return pkg, "", false, verr
		}
		pkg.Version = &v
		rest = rest[:at]
	}
	if name, err = parsePathID(rest); err != nil {
		return pkg, "", false, err
	}
	return pkg, name, true, nil
}

// parsePathID validates a kebab-case identifier, allowing a leading '%'.
func parsePathID(s string) (string, error) {
	s = strings.TrimPrefix(s, "%")
	if s == "" {
		return "", errors.New("expected an identifier")
	}
	for _, part := range strings.Split(s, "-") {
		if part == "" {
			return "", fmt.Errorf("invalid identifier `%s`", s)
		}
		for _, c := range part {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
				return "", fmt.Errorf("invalid character in identifier `%s`", s)
			}
		}
		if part[0] >= '0' && part[0] <= '9' {
			return "", fmt.Errorf("identifier `%s` has a word starting with a digit", s)
		}
	}
	return s, nil
}
