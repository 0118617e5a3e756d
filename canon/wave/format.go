// Package wave reads and writes component values in the WebAssembly Value
// Encoding (WAVE), the text form wasm-tools and wasmtime use: `{a: 1, b:
// "x"}`, `some(3)`, `ok("y")`, `[1, 2]`, `%ok`, `{read, write}`, `'x'`,
// `nan`. Values are canon.Values, typed by a WIT type of a wit.Resolve.
//
// WAVE has no syntax for maps or resource handles yet. This package writes
// a map as a list of key-value tuples, `[("a", 1), ("b", 2)]` (the ABI's
// own view of a map), and a handle as `own(7)` or `borrow(7)` with the
// rep; stream, future and error-context handles as `stream(3)`,
// `future(3)`, `error-context(3)`. Parse accepts the same.
package wave

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/wit"
)

const maxDepth = 200

// Format writes v, a value of type t, in WAVE.
func Format(r *wit.Resolve, t wit.Type, v canon.Value) (string, error) {
	var b strings.Builder
	if err := write(&b, r, t, v, 0); err != nil {
		return "", err
	}
	return b.String(), nil
}

// FormatValues writes several values as a comma-separated sequence, the
// form of a function's arguments.
func FormatValues(r *wit.Resolve, ts []wit.Type, vs []canon.Value) (string, error) {
	if len(ts) != len(vs) {
		return "", fmt.Errorf("wave: %d values for %d types", len(vs), len(ts))
	}
	var b strings.Builder
	for i := range ts {
		if i > 0 {
			b.WriteString(", ")
		}
		if err := write(&b, r, ts[i], vs[i], 0); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

// keywords must be written with a % prefix when used as labels.
var keywords = map[string]bool{"true": true, "false": true, "inf": true, "nan": true, "some": true, "none": true, "ok": true, "err": true}

func writeLabel(b *strings.Builder, l string) {
	if keywords[l] {
		b.WriteByte('%')
	}
	b.WriteString(l)
}

func typeDef(r *wit.Resolve, t wit.Type) (wit.Type, *wit.TypeDef, error) {
	t = r.Dealias(t)
	if t.IsPrimitive() {
		return t, nil, nil
	}
	id, ok := t.ID()
	if !ok || int(id) >= len(r.Types) || r.Types[id] == nil {
		return t, nil, fmt.Errorf("wave: unknown type %d", t)
	}
	return t, r.Types[id], nil
}

func kindErr(v canon.Value, want string) error {
	return fmt.Errorf("wave: a %s value is not a %s", v.Kind(), want)
}

func write(b *strings.Builder, r *wit.Resolve, t wit.Type, v canon.Value, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("wave: value nests deeper than %d", maxDepth)
	}
	t, td, err := typeDef(r, t)
	if err != nil {
		return err
	}
	if td == nil {
		return writePrim(b, t, v)
	}
	elems := v.Elems()
	switch td.Kind {
	case wit.KindList, wit.KindFixedLengthList:
		if v.Kind() != canon.KindList && v.Kind() != canon.KindFixedList {
			return kindErr(v, "list")
		}
		if td.Kind == wit.KindFixedLengthList && uint64(len(elems)) != uint64(td.Len) {
			return fmt.Errorf("wave: fixed-length list of %d given %d elements", td.Len, len(elems))
		}
		b.WriteByte('[')
		for i, e := range elems {
			if i > 0 {
				b.WriteString(", ")
			}
			if err := write(b, r, td.Elem, e, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case wit.KindMap:
		if v.Kind() != canon.KindMap && v.Kind() != canon.KindList {
			return kindErr(v, "map")
		}
		b.WriteByte('[')
		for i, e := range elems {
			if i > 0 {
				b.WriteString(", ")
			}
			if e.Len() != 2 {
				return fmt.Errorf("wave: map entry %d is not a key-value pair", i)
			}
			b.WriteByte('(')
			if err := write(b, r, td.Key, e.Index(0), depth+1); err != nil {
				return err
			}
			b.WriteString(", ")
			if err := write(b, r, td.Elem, e.Index(1), depth+1); err != nil {
				return err
			}
			b.WriteByte(')')
		}
		b.WriteByte(']')
	case wit.KindTuple:
		if v.Kind() != canon.KindTuple || len(elems) != len(td.Tuple) {
			return kindErr(v, fmt.Sprintf("tuple of %d", len(td.Tuple)))
		}
		b.WriteByte('(')
		for i, e := range elems {
			if i > 0 {
				b.WriteString(", ")
			}
			if err := write(b, r, td.Tuple[i], e, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(')')
	case wit.KindRecord:
		if v.Kind() != canon.KindRecord || len(elems) != len(td.Fields) {
			return kindErr(v, fmt.Sprintf("record of %d fields", len(td.Fields)))
		}
		b.WriteByte('{')
		first := true
		for i, f := range td.Fields {
			// Fields that are none may be left out, as the reference does.
			if _, fd, _ := typeDef(r, f.Type); fd != nil && fd.Kind == wit.KindOption && elems[i].Kind() == canon.KindOption && elems[i].Case() == 0 {
				continue
			}
			if !first {
				b.WriteString(", ")
			}
			first = false
			b.WriteString(f.Name)
			b.WriteString(": ")
			if err := write(b, r, f.Type, elems[i], depth+1); err != nil {
				return err
			}
		}
		if first {
			b.WriteByte(':')
		}
		b.WriteByte('}')
	case wit.KindVariant:
		if v.Kind() != canon.KindVariant || int(v.Case()) >= len(td.Cases) {
			return kindErr(v, "variant")
		}
		c := td.Cases[v.Case()]
		writeLabel(b, c.Name)
		return writePayload(b, r, c.Type, v, depth)
	case wit.KindEnum:
		if v.Kind() != canon.KindEnum || int(v.Case()) >= len(td.Enum) {
			return kindErr(v, "enum")
		}
		writeLabel(b, td.Enum[v.Case()].Name)
	case wit.KindOption:
		if v.Kind() != canon.KindOption {
			return kindErr(v, "option")
		}
		if v.Case() == 0 {
			b.WriteString("none")
			return nil
		}
		b.WriteString("some")
		return writePayload(b, r, td.Elem, v, depth)
	case wit.KindResult:
		if v.Kind() != canon.KindResult {
			return kindErr(v, "result")
		}
		if v.Case() == 0 {
			b.WriteString("ok")
			return writePayload(b, r, td.Ok, v, depth)
		}
		b.WriteString("err")
		return writePayload(b, r, td.Err, v, depth)
	case wit.KindFlags:
		if v.Kind() != canon.KindFlags {
			return kindErr(v, "flags")
		}
		b.WriteByte('{')
		n := 0
		for i, f := range td.Flags {
			if i < 32 && v.FlagBits()&(1<<i) != 0 {
				if n > 0 {
					b.WriteString(", ")
				}
				b.WriteString(f.Name)
				n++
			}
		}
		b.WriteByte('}')
	case wit.KindOwn, wit.KindBorrow, wit.KindStream, wit.KindFuture:
		want := map[wit.Kind]canon.Kind{wit.KindOwn: canon.KindOwn, wit.KindBorrow: canon.KindBorrow, wit.KindStream: canon.KindStream, wit.KindFuture: canon.KindFuture}[td.Kind]
		if v.Kind() != want {
			return kindErr(v, want.String())
		}
		fmt.Fprintf(b, "%s(%d)", td.Kind, v.Handle())
	default:
		return fmt.Errorf("wave: a %s has no values", td.Kind)
	}
	return nil
}

func writePayload(b *strings.Builder, r *wit.Resolve, t wit.Type, v canon.Value, depth int) error {
	p, ok := v.Payload()
	if t == wit.NoneType {
		if ok {
			return fmt.Errorf("wave: case has no payload type but the value has a payload")
		}
		return nil
	}
	if !ok {
		return fmt.Errorf("wave: case needs a payload")
	}
	b.WriteByte('(')
	if err := write(b, r, t, p, depth+1); err != nil {
		return err
	}
	b.WriteByte(')')
	return nil
}

var primKinds = map[wit.Type]canon.Kind{
	wit.Bool: canon.KindBool, wit.S8: canon.KindS8, wit.U8: canon.KindU8, wit.S16: canon.KindS16,
	wit.U16: canon.KindU16, wit.S32: canon.KindS32, wit.U32: canon.KindU32, wit.S64: canon.KindS64,
	wit.U64: canon.KindU64, wit.F32: canon.KindF32, wit.F64: canon.KindF64, wit.Char: canon.KindChar,
	wit.String: canon.KindString, wit.ErrorContext: canon.KindErrorContext,
}

func writePrim(b *strings.Builder, t wit.Type, v canon.Value) error {
	if k := primKinds[t]; v.Kind() != k {
		return kindErr(v, t.PrimitiveName())
	}
	switch t {
	case wit.Bool:
		b.WriteString(strconv.FormatBool(v.Bool()))
	case wit.S8, wit.S16, wit.S32, wit.S64:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case wit.U8, wit.U16, wit.U32, wit.U64:
		b.WriteString(strconv.FormatUint(v.Uint(), 10))
	case wit.F32:
		writeFloat(b, float64(v.Float32()), 32)
	case wit.F64:
		writeFloat(b, v.Float64(), 64)
	case wit.Char:
		b.WriteByte('\'')
		writeChar(b, v.Char())
		b.WriteByte('\'')
	case wit.String:
		b.WriteByte('"')
		for _, r := range v.String() {
			writeChar(b, r)
		}
		b.WriteByte('"')
	case wit.ErrorContext:
		fmt.Fprintf(b, "error-context(%d)", v.Handle())
	}
	return nil
}

// writeFloat writes the shortest decimal that reads back to the same
// float, without an exponent, as the reference does.
func writeFloat(b *strings.Builder, f float64, bits int) {
	switch {
	case math.IsNaN(f):
		b.WriteString("nan")
	case math.IsInf(f, 1):
		b.WriteString("inf")
	case math.IsInf(f, -1):
		b.WriteString("-inf")
	default:
		b.WriteString(strconv.FormatFloat(f, 'f', -1, bits))
	}
}

func writeChar(b *strings.Builder, r rune) {
	switch r {
	case '\\':
		b.WriteString(`\\`)
	case '"':
		b.WriteString(`\"`)
	case '\'':
		b.WriteString(`\'`)
	case '\t':
		b.WriteString(`\t`)
	case '\n':
		b.WriteString(`\n`)
	case '\r':
		b.WriteString(`\r`)
	default:
		if unicode.IsControl(r) || !unicode.IsPrint(r) && !unicode.IsSpace(r) && !unicode.IsGraphic(r) {
			fmt.Fprintf(b, `\u{%x}`, r)
			return
		}
		b.WriteRune(r)
	}
}
