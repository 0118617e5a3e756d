package canon_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/wasmcm/wasmcm/canon"
)

// fromJSON converts a value of the conformance vectors' JSON mapping to a
// canon.Value of layout l. src is the encoding strings came from.
func fromJSON(l *canon.Layout, j any, src canon.StringEncoding) (canon.Value, error) {
	switch l.Kind {
	case canon.KindBool:
		b, ok := j.(bool)
		if !ok {
			return canon.Value{}, fmt.Errorf("want bool, got %v", j)
		}
		return canon.Bool(b), nil
	case canon.KindS8, canon.KindS16, canon.KindS32, canon.KindS64:
		n, ok := j.(json.Number)
		if !ok {
			return canon.Value{}, fmt.Errorf("want integer, got %v", j)
		}
		bits := map[canon.Kind]int{canon.KindS8: 8, canon.KindS16: 16, canon.KindS32: 32, canon.KindS64: 64}[l.Kind]
		x, err := strconv.ParseInt(string(n), 10, bits)
		if err != nil {
			return canon.Value{}, err
		}
		switch l.Kind {
		case canon.KindS8:
			return canon.S8(int8(x)), nil
		case canon.KindS16:
			return canon.S16(int16(x)), nil
		case canon.KindS32:
			return canon.S32(int32(x)), nil
		}
		return canon.S64(x), nil
	case canon.KindU8, canon.KindU16, canon.KindU32, canon.KindU64:
		n, ok := j.(json.Number)
		if !ok {
			return canon.Value{}, fmt.Errorf("want integer, got %v", j)
		}
		bits := map[canon.Kind]int{canon.KindU8: 8, canon.KindU16: 16, canon.KindU32: 32, canon.KindU64: 64}[l.Kind]
		x, err := strconv.ParseUint(string(n), 10, bits)
		if err != nil {
			return canon.Value{}, err
		}
		switch l.Kind {
		case canon.KindU8:
			return canon.U8(uint8(x)), nil
		case canon.KindU16:
			return canon.U16(uint16(x)), nil
		case canon.KindU32:
			return canon.U32(uint32(x)), nil
		}
		return canon.U64(x), nil
	case canon.KindF32, canon.KindF64:
		f, err := jsonFloat(j)
		if err != nil {
			return canon.Value{}, err
		}
		if l.Kind == canon.KindF32 {
			return canon.F32(float32(f)), nil
		}
		return canon.F64(f), nil
	case canon.KindChar:
		s, ok := j.(string)
		if !ok || utf8.RuneCountInString(s) != 1 {
			return canon.Value{}, fmt.Errorf("want one character, got %q", j)
		}
		r, _ := utf8.DecodeRuneInString(s)
		return canon.Char(r), nil
	case canon.KindString:
		s, ok := j.(string)
		if !ok {
			return canon.Value{}, fmt.Errorf("want string, got %v", j)
		}
		return canon.StringFrom(s, src), nil
	case canon.KindList, canon.KindFixedList, canon.KindTuple, canon.KindMap:
		a, ok := j.([]any)
		if !ok {
			return canon.Value{}, fmt.Errorf("want array, got %v", j)
		}
		if l.Kind == canon.KindTuple && len(a) != len(l.Fields()) {
			return canon.Value{}, fmt.Errorf("tuple of %d given %d", len(l.Fields()), len(a))
		}
		elems := make([]canon.Value, len(a))
		for i, e := range a {
			var el *canon.Layout
			if l.Kind == canon.KindTuple {
				el = l.Fields()[i]
			} else {
				el = l.Elem()
			}
			v, err := fromJSON(el, e, src)
			if err != nil {
				return canon.Value{}, err
			}
			elems[i] = v
		}
		switch l.Kind {
		case canon.KindList:
			return canon.List(elems...), nil
		case canon.KindFixedList:
			return canon.FixedList(elems...), nil
		case canon.KindMap:
			pairs := make([][2]canon.Value, len(elems))
			for i, e := range elems {
				pairs[i] = [2]canon.Value{e.Index(0), e.Index(1)}
			}
			return canon.Map(pairs...), nil
		}
		return canon.Tuple(elems...), nil
	case canon.KindRecord:
		m, ok := j.(map[string]any)
		if !ok {
			return canon.Value{}, fmt.Errorf("want object, got %v", j)
		}
		fields := make([]canon.Value, len(l.Fields()))
		for i, f := range l.Def().Fields {
			e, ok := m[f.Name]
			if !ok {
				return canon.Value{}, fmt.Errorf("missing field %s", f.Name)
			}
			v, err := fromJSON(l.Fields()[i], e, src)
			if err != nil {
				return canon.Value{}, err
			}
			fields[i] = v
		}
		return canon.Record(fields...), nil
	case canon.KindVariant, canon.KindOption, canon.KindResult:
		m, ok := j.(map[string]any)
		if !ok || len(m) != 1 {
			return canon.Value{}, fmt.Errorf("want one-key object, got %v", j)
		}
		var names []string
		switch l.Kind {
		case canon.KindOption:
			names = []string{"none", "some"}
		case canon.KindResult:
			names = []string{"ok", "error"}
		default:
			for _, c := range l.Def().Cases {
				names = append(names, c.Name)
			}
		}
		for k, pj := range m {
			for i, n := range names {
				if n != k {
					continue
				}
				var payload canon.Value
				if c := l.Cases()[i]; c != nil {
					p, err := fromJSON(c, pj, src)
					if err != nil {
						return canon.Value{}, err
					}
					payload = p
				}
				switch l.Kind {
				case canon.KindOption:
					if i == 0 {
						return canon.None(), nil
					}
					return canon.Some(payload), nil
				case canon.KindResult:
					if i == 0 {
						return canon.Ok(payload), nil
					}
					return canon.Err(payload), nil
				}
				return canon.Variant(uint32(i), payload), nil
			}
			return canon.Value{}, fmt.Errorf("no case %q", k)
		}
	case canon.KindEnum:
		s, _ := j.(string)
		for i, c := range l.Def().Enum {
			if c.Name == s {
				return canon.Enum(uint32(i)), nil
			}
		}
		return canon.Value{}, fmt.Errorf("no enum case %v", j)
	case canon.KindFlags:
		a, ok := j.([]any)
		if !ok {
			return canon.Value{}, fmt.Errorf("want array of labels, got %v", j)
		}
		var bits uint32
		for _, e := range a {
			found := false
			for i, f := range l.Def().Flags {
				if f.Name == e {
					bits |= 1 << i
					found = true
				}
			}
			if !found {
				return canon.Value{}, fmt.Errorf("no flag %v", e)
			}
		}
		return canon.Flags(bits), nil
	case canon.KindOwn:
		n, ok := j.(json.Number)
		if !ok {
			return canon.Value{}, fmt.Errorf("want rep, got %v", j)
		}
		x, err := strconv.ParseUint(string(n), 10, 32)
		return canon.Own(uint32(x)), err
	}
	return canon.Value{}, fmt.Errorf("unsupported kind %s", l.Kind)
}

func jsonFloat(j any) (float64, error) {
	switch x := j.(type) {
	case json.Number:
		return strconv.ParseFloat(string(x), 64)
	case string:
		switch x {
		case "nan":
			return math.Float64frombits(0x7ff8000000000000), nil
		case "inf":
			return math.Inf(1), nil
		case "-inf":
			return math.Inf(-1), nil
		}
	}
	return 0, fmt.Errorf("want float, got %v", j)
}

// flatFromJSON converts flat core values of the vectors to canon's uint64
// form: integers as they are, floats as IEEE bits.
func flatFromJSON(types []canon.CoreType, a []any) ([]uint64, error) {
	if len(types) != len(a) {
		return nil, fmt.Errorf("%d flat types for %d values", len(types), len(a))
	}
	out := make([]uint64, len(a))
	for i, j := range a {
		switch types[i] {
		case canon.CoreI32, canon.CoreI64:
			n, ok := j.(json.Number)
			if !ok {
				return nil, fmt.Errorf("flat %d: want integer, got %v", i, j)
			}
			x, err := strconv.ParseUint(string(n), 10, 64)
			if err != nil {
				return nil, err
			}
			out[i] = x
		case canon.CoreF32:
			f, err := jsonFloat(j)
			if err != nil {
				return nil, err
			}
			out[i] = uint64(math.Float32bits(float32(f)))
		case canon.CoreF64:
			f, err := jsonFloat(j)
			if err != nil {
				return nil, err
			}
			out[i] = math.Float64bits(f)
		}
	}
	return out, nil
}
