// Package canon implements the Component Model's canonical ABI: how values
// of WIT types are laid out in linear memory, flattened to core wasm values,
// and lifted and lowered between a guest's memory and the host.
//
// The ABI reads types from the shared WIT model ([wit.Resolve] and
// [wit.Type]); an [ABI] binds one Resolve and one address type and caches the
// [Layout] of every type. A [LiftLowerContext] carries the canonical options
// of one call (memory, realloc, string encoding), the instance's
// [ResourceTable] and the borrow scope of the call, and moves dynamic
// [Value]s in and out of a guest. Generated bindings use the fast path
// ([LowerString], [LiftString], [LowerList], [LiftList] and the scalar
// helpers), which needs no [Value] and no reflection.
//
// Names follow the spec (CanonicalABI.md): Lift and Lower move values
// between flat core values and the host, Load and Store between memory and
// the host, Flatten computes core signatures. Every trap the spec defines is
// returned as a *[Trap]; other errors (a value that does not fit its type, a
// type the ABI does not accept) are plain errors.
package canon
