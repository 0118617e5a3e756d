//go:build !unix

package wit

import "os"

// readFile reads a whole file; see readfile_unix.go for why the Unix
// version avoids os.File.
func readFile(path string) ([]byte, error) { return os.ReadFile(path) }

// isDirError reports whether reading path failed because it is a directory.
func isDirError(path string, err error) bool {
	st, serr := os.Stat(path)
	return err != nil && serr == nil && st.IsDir()
}

// isNotDirError reports whether listing path failed because it is not a
// directory (or does not exist).
func isNotDirError(path string, _ error) bool {
	st, err := os.Stat(path)
	return err != nil || !st.IsDir()
}
