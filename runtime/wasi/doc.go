// Package wasi is the WASI 0.2 host of wasmcm: wasi:cli, wasi:io,
// wasi:clocks, wasi:random, wasi:filesystem, wasi:http and wasi:sockets,
// defined on a runtime.Linker.
//
// One implementation serves every 0.2.x version: the functions are defined
// under the newest version (0.2.12) and the Linker's semver-compatible
// matching gives them to components built against any 0.2 release.
//
// The guest gets only the capabilities Config grants: the preopened
// directories (each an os.Root, so that "..", absolute paths and symlinks
// cannot leave it), the arguments and environment given (the host's own only
// with InheritEnv), the standard streams given, outgoing HTTP requests
// to AllowedHTTPHosts only, and sockets only as Network grants: TCP and
// UDP to the AllowedAddrs patterns, name lookups with AllowNameLookup
// (InheritNetwork grants any address, as wasmtime's -S inherit-network).
//
//	l := runtime.NewLinker()
//	h, err := wasi.Add(l, wasi.Config{Args: []string{"prog"}, Stdout: os.Stdout})
//	...
//	inst, err := compiled.Instantiate(ctx, l)
//	code, err := wasi.Run(ctx, inst)
//
// A wasi:http proxy component (one exporting wasi:http/incoming-handler)
// is served by HTTPHandler, an http.Handler that instantiates it for
// every request:
//
//	h, err := wasi.NewHTTPHandler(compiled, wasi.Config{AllowedHTTPHosts: []string{"api.example.com"}})
//	...
//	http.ListenAndServe("127.0.0.1:8080", h)
package wasi
