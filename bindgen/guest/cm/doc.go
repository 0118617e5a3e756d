// Package cm is the run-time support of the Go guest bindings that
// [github.com/wasmcm/wasmcm/bindgen] generates: the shapes of option, result
// and imported resource values, the cabi_realloc arena, the pins that keep
// Go memory alive while the host reads it, and the generic shapes generated
// code calls instead of spelling them out per type (lists and maps element
// by element, results made and taken apart).
//
// The package is written for stock Go's wasip1 port (GOOS=wasip1
// GOARCH=wasm, usually -buildmode=c-shared). Its portable parts also build
// on other platforms so that they can be tested there.
//
// Two rules of the canonical ABI shape it:
//
//   - Memory the host writes into during a lowering (cabi_realloc) comes from
//     an arena that never allocates from the Go heap while the runtime is not
//     initialised, and normally not at all: the Go heap may start a garbage
//     collection, which calls WASI imports, which the component model forbids
//     in the middle of a lift. The arena is reset once the generated code has
//     copied the values out.
//   - Every Go pointer handed to the host as an address goes through a [Pins]
//     first. That makes the pointee escape to the heap (so a goroutine stack
//     move cannot invalidate the address) and keeps it alive until the host is
//     done with it: the end of an import call, or the post-return of an export.
//
// A wasm instance runs one thread, and the component model does not let an
// export be entered again while it runs, so the arena and the export pins are
// package state: cabi_realloc has no other place to find them.
package cm
