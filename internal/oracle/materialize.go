package oracle

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Materialize copies the WIT package directory src to dst (which must not
// exist) so that any WIT resolver can read it.
//
// The WASI corpus in ../shared/conformance/wasi gives each package a deps/
// folder of relative links to the packages it uses. Where those links arrive
// as real symlinks they are followed; where they arrive flattened into small
// text files holding the link target (as a checkout without symlink support
// leaves them), the target directory is copied in their place. Neither
// wasm-tools nor a plain directory walk understands the second form.
func Materialize(src, dst string) error {
	if err := copyTree(src, dst, true); err != nil {
		return err
	}
	deps := filepath.Join(src, "deps")
	ents, err := os.ReadDir(deps)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range ents {
		target, ok := pseudoLink(filepath.Join(deps, e.Name()))
		if !ok {
			continue
		}
		out := filepath.Join(dst, "deps", e.Name())
		if err := os.Remove(out); err != nil {
			return err
		}
		// Only the root's deps/ is read by resolvers, so a dependency's own
		// deps/ is left behind.
		if err := copyTree(target, out, false); err != nil {
			return fmt.Errorf("materializing deps/%s -> %s: %w", e.Name(), target, err)
		}
	}
	return nil
}

// pseudoLink reports whether path is a text file standing for a symlink,
// and the directory it names.
func pseudoLink(path string) (string, bool) {
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 || fi.Size() > 1024 {
		return "", false
	}
	switch filepath.Ext(path) {
	case ".wit", ".wasm", ".wat":
		return "", false
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", false
	}
	rel := strings.TrimSpace(string(b))
	if rel == "" || strings.ContainsAny(rel, "\n\x00") || filepath.IsAbs(rel) {
		return "", false
	}
	target := filepath.Join(filepath.Dir(path), rel)
	if fi, err := os.Stat(target); err != nil || !fi.IsDir() {
		return "", false
	}
	return target, true
}

// copyTree copies a directory, following symlinks. With withDeps false a
// top-level deps/ folder is skipped.
func copyTree(src, dst string, withDeps bool) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	ents, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range ents {
		from, to := filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())
		fi, err := os.Stat(from) // follows symlinks
		if err != nil {
			return err
		}
		switch {
		case fi.IsDir():
			if !withDeps && e.Name() == "deps" {
				continue
			}
			if err := copyTree(from, to, true); err != nil {
				return err
			}
		case fi.Mode().IsRegular():
			if err := copyFile(from, to); err != nil {
				return err
			}
		}
	}
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
