package oracle

import (
	"encoding/json"
	"strings"
)

// Current decodes JSON printed by wasm-tools 1.230 and rewrites the parts
// whose shape has changed since, so that it can be compared as a value with
// the current reference's JSON (and so with wasmcm's):
//
//   - 1.230 names async functions "[async]f", "[async method]r.f" and
//     "[async static]r.f"; today they are "f", "[method]r.f" and
//     "[static]r.f", the kind alone saying async. Both the "name" members
//     and the keys of "functions" maps change.
//   - 1.230 calls list<T, N> "fixed-size-list"; today it is
//     "fixed-length-list".
//
// Differences in behaviour rather than shape (1.230 has no map<K, V>, no
// constructor results, and elaborates `include ... with` differently) are
// not rewritten; the generator in internal/witgen avoids that syntax when
// comparing with 1.230.
func Current(data []byte) (any, error) {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	return rewrite(v, ""), nil
}

// rewrite walks a decoded JSON value; parent is the member name it was
// found under.
func rewrite(v any, parent string) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			key := k
			switch {
			case k == "fixed-size-list":
				key = "fixed-length-list"
			case parent == "functions":
				key = asyncName(k)
			}
			val = rewrite(val, k)
			if k == "name" && isFunction(x) {
				if s, ok := val.(string); ok {
					val = asyncName(s)
				}
			}
			out[key] = val
		}
		return out
	case []any:
		for i := range x {
			x[i] = rewrite(x[i], parent)
		}
		return x
	}
	return v
}

// isFunction reports whether a JSON object is a function: it has a "kind"
// and "params".
func isFunction(m map[string]any) bool {
	_, kind := m["kind"]
	_, params := m["params"]
	return kind && params
}

// asyncName maps 1.230's name of an async function to today's.
func asyncName(s string) string {
	for _, p := range [...][2]string{
		{"[async method]", "[method]"},
		{"[async static]", "[static]"},
		{"[async]", ""},
	} {
		if rest, ok := strings.CutPrefix(s, p[0]); ok {
			return p[1] + rest
		}
	}
	return s
}
