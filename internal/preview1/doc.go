// Package preview1 generates wasmcm's own wasi_snapshot_preview1 adapter:
// the core module that `component new` puts beside a module built for
// preview 1 (stock Go's GOOS=wasip1, Rust's wasm32-wasi) so that the
// component imports WASI 0.2 instead.
//
// The adapter follows the conventions of the reference adapter (wasmtime's
// wasi-preview1-component-adapter, shipped by jco), so component.New uses it
// the same way: it imports the main module's memory as env.memory and, for
// a command, its _start from __main_module__; it exports the 46 preview-1
// functions, cabi_import_realloc for the lowerings of its own imports and,
// for a command, wasi:cli/run; its world (the WASI 0.2 interfaces it calls,
// built with the wit model) is embedded in a component-type section.
//
// Nothing of the reference is embedded: the module is generated with the
// core-wasm emitter (internal/wasm) through a small expression language
// (emit.go), one Go function per preview-1 function (funcs.go, fd.go,
// path.go).
//
// # State
//
// The adapter keeps a file table, the preopens' names, return areas and
// scratch space in a region of the main module's memory, set up on its
// first call. By default that region is a page it grows memory by, as the
// reference does when the main module has no cabi_realloc. Go's runtime
// assumes nobody else grows memory (its sbrk extends its heap over pages
// grown behind its back), so for a Go module OptionsFor puts the state in
// the 8 KiB the Go linker leaves unused below the data instead; with the
// reference adapter a Go program that grows its heap crashes.
//
// # Semantics
//
// Files are read and written with positioned descriptor.read/write and a
// position kept in the file table; standard streams with blocking reads
// and blocking-write-and-flush in 4 KiB pieces. Bytes the host returns
// (reads, random bytes, argument and environment strings) are placed by
// cabi_import_realloc straight into the caller's buffers. fd_readdir
// rereads the directory and skips to the cookie (an entry's index plus
// one); "." and ".." are not listed. proc_exit maps a nonzero code to
// exit(err), as WASI 0.2 has no stable exit codes. The CPU-time clocks,
// sockets, proc_raise, fd_allocate and fd_fdstat_set_rights are not
// supported.
package preview1
