package canon

import (
	"fmt"

	"github.com/wasmcm/wasmcm/wit"
)

// FlattenContext says which way a function crosses the boundary: Lift
// exports a core function as a component function, Lower imports a
// component function into core wasm.
type FlattenContext uint8

// The two flattening contexts.
const (
	ContextLift FlattenContext = iota
	ContextLower
)

// CoreFuncType is a core wasm function signature.
type CoreFuncType struct {
	Params  []CoreType
	Results []CoreType
}

// FlattenTypes concatenates the flat types of ts. It fails when a type has
// no layout or is too wide to spell out (it could then only travel in
// memory).
func (a *ABI) FlattenTypes(ts []wit.Type) ([]CoreType, error) {
	var out []CoreType
	for i, t := range ts {
		l := a.layout(t)
		if l.err != nil {
			return nil, fmt.Errorf("canon: type %d of %d: %w", i, len(ts), l.err)
		}
		if l.Flat == nil {
			return nil, fmt.Errorf("canon: type %d of %d flattens to %d core values, too many to list", i, len(ts), l.FlatCount)
		}
		out = append(out, l.Flat...)
	}
	return out, nil
}

// FlatCount returns how many core values ts flatten to (saturating), the
// number to compare with MaxFlatParams and friends to know whether a
// parameter or result list is spilled.
func (a *ABI) FlatCount(ts []wit.Type) (uint64, error) { return a.flatCount(ts) }

// flatCount sums the flat counts of ts, saturating.
func (a *ABI) flatCount(ts []wit.Type) (uint64, error) {
	var n uint64
	for i, t := range ts {
		l := a.layout(t)
		if l.err != nil {
			return 0, fmt.Errorf("canon: type %d of %d: %w", i, len(ts), l.err)
		}
		if n+l.FlatCount < n {
			return ^uint64(0), nil
		}
		n += l.FlatCount
	}
	return n, nil
}

// FuncTypeOptions are the canonical options that change a core signature.
type FuncTypeOptions struct {
	Async    bool // the `async` canonical option
	Callback bool // a `callback` is given (async lift only)
}

// FlattenFuncType computes the core signature of a component function with
// the given parameter types and result (wit.NoneType for none), applying the
// spec's spilling rules: more than 16 flat parameters (4 for an async
// lower) become one pointer; more than one flat result becomes a returned
// pointer (lift) or a trailing return-area parameter (lower).
func (a *ABI) FlattenFuncType(params []wit.Type, result wit.Type, opts FuncTypeOptions, context FlattenContext) (CoreFuncType, error) {
	var results []wit.Type
	if result != wit.NoneType {
		results = []wit.Type{result}
	}
	np, err := a.flatCount(params)
	if err != nil {
		return CoreFuncType{}, fmt.Errorf("%w (parameters)", err)
	}
	nr, err := a.flatCount(results)
	if err != nil {
		return CoreFuncType{}, fmt.Errorf("%w (result)", err)
	}
	ptr := a.addr.CoreType()
	maxParams := uint64(MaxFlatParams)
	if opts.Async && context == ContextLower {
		maxParams = MaxFlatAsyncParams
	}
	var ft CoreFuncType
	if np > maxParams {
		ft.Params = []CoreType{ptr}
	} else if ft.Params, err = a.FlattenTypes(params); err != nil {
		return CoreFuncType{}, err
	}
	if !opts.Async {
		switch {
		case nr <= MaxFlatResults:
			if ft.Results, err = a.FlattenTypes(results); err != nil {
				return CoreFuncType{}, err
			}
		case context == ContextLift:
			ft.Results = []CoreType{ptr}
		default:
			ft.Params = append(ft.Params, ptr)
		}
		return ft, nil
	}
	if context == ContextLift {
		if opts.Callback {
			ft.Results = []CoreType{CoreI32}
		}
		return ft, nil
	}
	if nr > 0 {
		ft.Params = append(ft.Params, ptr)
	}
	ft.Results = []CoreType{CoreI32}
	return ft, nil
}

// FuncType computes the core signature of f (see FlattenFuncType). The
// async option is the canonical option of the lift or lower, given in opts.
func (a *ABI) FuncType(f *wit.Function, opts FuncTypeOptions, context FlattenContext) (CoreFuncType, error) {
	params := make([]wit.Type, len(f.Params))
	for i, p := range f.Params {
		params[i] = p.Type
	}
	ft, err := a.FlattenFuncType(params, f.Result, opts, context)
	if err != nil {
		return ft, fmt.Errorf("function %s: %w", f.Name, err)
	}
	return ft, nil
}
