// Package wasi is the WASI 0.2 host of wasmcm: wasi:cli, wasi:io,
// wasi:clocks, wasi:random and wasi:filesystem, defined on a runtime.Linker.
//
// One implementation serves every 0.2.x version: the functions are defined
// under the newest version (0.2.12) and the Linker's semver-compatible
// matching gives them to components built against any 0.2 release.
//
// The guest gets only the capabilities Config grants: the preopened
// directories (each an os.Root, so that "..", absolute paths and symlinks
// cannot leave it), the arguments and environment given (the host's own only
// with InheritEnv), and the standard streams given.
//
//	l := runtime.NewLinker()
//	h, err := wasi.Add(l, wasi.Config{Args: []string{"prog"}, Stdout: os.Stdout})
//	...
//	inst, err := compiled.Instantiate(ctx, l)
//	code, err := wasi.Run(ctx, inst)
package wasi
