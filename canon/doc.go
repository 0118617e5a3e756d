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
//
// # Calls
//
// canon lift (the host calls a guest export), synchronously:
//
//	scope := &canon.BorrowScope{}
//	cx := &canon.LiftLowerContext{ABI: abi, Memory: m, Realloc: r, Table: t, Borrows: scope, PostReturn: pr}
//	args, err := cx.LowerValues(ctx, canon.MaxFlatParams, paramTypes, params, nil, nil)
//	results := call(args)                                  // the core export
//	vs, err := cx.LiftResults(ctx, resultTypes, results)   // lifts, then runs post-return
//	err = scope.CheckReturn()                              // borrows must be dropped
//
// canon lower (a guest calls a host import), synchronously: the core
// function gets the flat parameters, plus a trailing return-area pointer
// when FlatCount(resultTypes) > MaxFlatResults.
//
//	vs, err := cx.LiftValues(canon.MaxFlatParams, paramTypes, flat[:nParams])
//	out := host(vs)
//	res, err := cx.LowerValues(ctx, canon.MaxFlatResults, resultTypes, out, retPtr, nil) // retPtr nil when not spilled
//	scope.Release()                                        // the lent handles are free again
package canon
