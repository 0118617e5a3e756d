package compose

import (
	"fmt"
	"strings"

	"github.com/wasmcm/wasmcm/wit"
)

// splitVersion splits "ns:pkg/iface@1.2.3" into the name and the version
// text ("" when there is none).
func splitVersion(name string) (string, string) {
	if i := strings.LastIndexByte(name, '@'); i > 0 && strings.Contains(name[:i], ":") {
		return name[:i], name[i+1:]
	}
	return name, ""
}

func stripVersion(name string) string {
	n, _ := splitVersion(name)
	return n
}

func versionOf(name string) *wit.Version {
	_, v := splitVersion(name)
	if v == "" {
		return nil
	}
	pv, err := wit.ParseVersion(v)
	if err != nil {
		return nil
	}
	return &pv
}

// compatKey is the name with its version cut to what semver compatibility
// keeps (1.2.3 -> 1, 0.2.3 -> 0.2), so that compatible imports share it.
func compatKey(name string) string {
	n, _ := splitVersion(name)
	v := versionOf(name)
	if v == nil {
		return name
	}
	return n + "@" + v.CompatKey()
}

// versionLess reports whether a's version is lower than b's.
func versionLess(a, b string) bool {
	va, vb := versionOf(a), versionOf(b)
	if va == nil || vb == nil {
		return false
	}
	return va.Compare(*vb) < 0
}

func isKebab(s string) bool {
	if s == "" {
		return false
	}
	for _, w := range strings.Split(s, "-") {
		if w == "" {
			return false
		}
		lower, upper := true, true
		for i, c := range w {
			switch {
			case c >= 'a' && c <= 'z':
				upper = false
			case c >= 'A' && c <= 'Z':
				lower = false
			case c >= '0' && c <= '9':
				if i == 0 {
					return false
				}
			default:
				return false
			}
		}
		if !lower && !upper {
			return false
		}
	}
	return true
}

// checkExternName accepts the names a composition may import or export: a
// kebab-case label, or an interface name ns:pkg/iface[@version]. Hash,
// URL and dependency names are not produced by composition.
func checkExternName(name string) error {
	if isKebab(name) {
		return nil
	}
	base, ver := splitVersion(name)
	colon := strings.IndexByte(base, ':')
	slash := strings.IndexByte(base, '/')
	if colon <= 0 || slash < colon {
		return fmt.Errorf("`%s` is neither a kebab-case name nor an interface name", name)
	}
	ns, pkg, iface := base[:colon], base[colon+1:slash], base[slash+1:]
	for _, part := range []string{ns, pkg, iface} {
		for _, seg := range strings.Split(part, "/") {
			if !isKebab(seg) {
				return fmt.Errorf("`%s` is not a valid interface name", name)
			}
		}
	}
	if ver != "" {
		if _, err := wit.ParseVersion(ver); err != nil {
			return fmt.Errorf("`%s` has an invalid version: %w", name, err)
		}
	}
	return nil
}
