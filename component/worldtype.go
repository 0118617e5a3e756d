package component

import "github.com/wasmcm/wasmcm/wit"

// WorldType encodes world id of r as a component type: its imports and
// exports with their types, declared the way wit-component declares them
// (instance imports first, used types aliased out of them). Composition
// uses it to declare the imports of a composed component: flattened into a
// component's top level, the declarations keep their indices.
func WorldType(r *wit.Resolve, id wit.WorldID) (*ComponentType, error) {
	return encodeWorldType(r, id)
}
