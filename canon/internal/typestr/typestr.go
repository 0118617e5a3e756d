// Package typestr parses and prints WIT types written inline, with no named
// type references: "list<u8, 4>", "record{a: u8, b: string}",
// "variant{none, int(s64)}", "own<R>". It is the notation of the canonical
// ABI conformance vectors, and the tests, benchmarks and fuzz targets of
// canon use it to build anonymous TypeDefs into a wit.Resolve.
package typestr

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/wasmcm/wasmcm/wit"
)

// Parser adds the types it parses to one Resolve. Resource names are
// scoped to the parser: the same name gives the same resource.
type Parser struct {
	R         *wit.Resolve
	resources map[string]wit.TypeID
}

// Parse parses s into a type of p.R.
func (p *Parser) Parse(s string) (wit.Type, error) {
	st := &state{p: p, s: s}
	t, err := st.typ(0)
	if err != nil {
		return 0, err
	}
	st.ws()
	if st.i != len(s) {
		return 0, st.errf("unexpected %q after the type", s[st.i:])
	}
	return t, nil
}

type state struct {
	p *Parser
	s string
	i int
}

func (st *state) errf(format string, args ...any) error {
	return fmt.Errorf("typestr: at offset %d of %q: %s", st.i, st.s, fmt.Sprintf(format, args...))
}

func (st *state) ws() {
	for st.i < len(st.s) && (st.s[st.i] == ' ' || st.s[st.i] == '\t' || st.s[st.i] == '\n') {
		st.i++
	}
}

func (st *state) peek(c byte) bool {
	st.ws()
	return st.i < len(st.s) && st.s[st.i] == c
}

func (st *state) eat(c byte) error {
	if !st.peek(c) {
		return st.errf("expected %q", c)
	}
	st.i++
	return nil
}

func isIdent(c byte, first bool) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && (c == '-' || (c >= '0' && c <= '9')))
}

func (st *state) ident() (string, error) {
	st.ws()
	j := st.i
	for st.i < len(st.s) && isIdent(st.s[st.i], st.i == j) {
		st.i++
	}
	if j == st.i {
		return "", st.errf("expected a name")
	}
	return st.s[j:st.i], nil
}

func (st *state) add(td *wit.TypeDef) wit.Type {
	st.p.R.Types = append(st.p.R.Types, td)
	return wit.TypeOf(wit.TypeID(len(st.p.R.Types) - 1))
}

func (st *state) typ(depth int) (wit.Type, error) {
	if depth > 100 {
		return 0, st.errf("type nests too deep")
	}
	st.ws()
	if st.peek('_') && (st.i+1 == len(st.s) || !isIdent(st.s[st.i+1], false)) {
		return 0, st.errf("unexpected _")
	}
	word, err := st.ident()
	if err != nil {
		return 0, err
	}
	if t, ok := wit.PrimitiveByName(word); ok {
		return t, nil
	}
	switch word {
	case "list":
		if err := st.eat('<'); err != nil {
			return 0, err
		}
		e, err := st.typ(depth + 1)
		if err != nil {
			return 0, err
		}
		if st.peek(',') {
			st.i++
			st.ws()
			j := st.i
			for st.i < len(st.s) && st.s[st.i] >= '0' && st.s[st.i] <= '9' {
				st.i++
			}
			n, err := strconv.ParseUint(st.s[j:st.i], 10, 32)
			if err != nil {
				return 0, st.errf("bad length: %v", err)
			}
			if err := st.eat('>'); err != nil {
				return 0, err
			}
			return st.add(&wit.TypeDef{Kind: wit.KindFixedLengthList, Elem: e, Len: uint32(n)}), nil
		}
		if err := st.eat('>'); err != nil {
			return 0, err
		}
		return st.add(&wit.TypeDef{Kind: wit.KindList, Elem: e}), nil
	case "option", "stream", "future":
		kind := map[string]wit.Kind{"option": wit.KindOption, "stream": wit.KindStream, "future": wit.KindFuture}[word]
		if word != "option" && !st.peek('<') {
			return st.add(&wit.TypeDef{Kind: kind}), nil
		}
		if err := st.eat('<'); err != nil {
			return 0, err
		}
		e, err := st.typ(depth + 1)
		if err != nil {
			return 0, err
		}
		if err := st.eat('>'); err != nil {
			return 0, err
		}
		return st.add(&wit.TypeDef{Kind: kind, Elem: e}), nil
	case "tuple":
		if err := st.eat('<'); err != nil {
			return 0, err
		}
		var ts []wit.Type
		for {
			e, err := st.typ(depth + 1)
			if err != nil {
				return 0, err
			}
			ts = append(ts, e)
			if !st.peek(',') {
				break
			}
			st.i++
		}
		if err := st.eat('>'); err != nil {
			return 0, err
		}
		return st.add(&wit.TypeDef{Kind: wit.KindTuple, Tuple: ts}), nil
	case "result":
		td := &wit.TypeDef{Kind: wit.KindResult}
		if !st.peek('<') {
			return st.add(td), nil
		}
		st.i++
		if st.peek('_') {
			st.i++
		} else {
			if td.Ok, err = st.typ(depth + 1); err != nil {
				return 0, err
			}
		}
		if st.peek(',') {
			st.i++
			if td.Err, err = st.typ(depth + 1); err != nil {
				return 0, err
			}
		}
		if err := st.eat('>'); err != nil {
			return 0, err
		}
		return st.add(td), nil
	case "map":
		if err := st.eat('<'); err != nil {
			return 0, err
		}
		k, err := st.typ(depth + 1)
		if err != nil {
			return 0, err
		}
		if err := st.eat(','); err != nil {
			return 0, err
		}
		v, err := st.typ(depth + 1)
		if err != nil {
			return 0, err
		}
		if err := st.eat('>'); err != nil {
			return 0, err
		}
		return st.add(&wit.TypeDef{Kind: wit.KindMap, Key: k, Elem: v}), nil
	case "own", "borrow":
		if err := st.eat('<'); err != nil {
			return 0, err
		}
		name, err := st.ident()
		if err != nil {
			return 0, err
		}
		if err := st.eat('>'); err != nil {
			return 0, err
		}
		if st.p.resources == nil {
			st.p.resources = map[string]wit.TypeID{}
		}
		id, ok := st.p.resources[name]
		if !ok {
			t := st.add(&wit.TypeDef{Kind: wit.KindResource, Name: name})
			id, _ = t.ID()
			st.p.resources[name] = id
		}
		kind := wit.KindOwn
		if word == "borrow" {
			kind = wit.KindBorrow
		}
		return st.add(&wit.TypeDef{Kind: kind, Resource: id}), nil
	case "record", "variant", "enum", "flags":
		if err := st.eat('{'); err != nil {
			return 0, err
		}
		td := &wit.TypeDef{}
		for !st.peek('}') {
			name, err := st.ident()
			if err != nil {
				return 0, err
			}
			switch word {
			case "record":
				td.Kind = wit.KindRecord
				if err := st.eat(':'); err != nil {
					return 0, err
				}
				ft, err := st.typ(depth + 1)
				if err != nil {
					return 0, err
				}
				td.Fields = append(td.Fields, wit.Field{Name: name, Type: ft})
			case "variant":
				c := wit.Case{Name: name}
				if st.peek('(') {
					st.i++
					if c.Type, err = st.typ(depth + 1); err != nil {
						return 0, err
					}
					if err := st.eat(')'); err != nil {
						return 0, err
					}
				}
				td.Cases = append(td.Cases, c)
			case "enum":
				td.Enum = append(td.Enum, wit.EnumCase{Name: name})
			case "flags":
				td.Flags = append(td.Flags, wit.Flag{Name: name})
			}
			if !st.peek(',') {
				break
			}
			st.i++
		}
		if err := st.eat('}'); err != nil {
			return 0, err
		}
		td.Kind = map[string]wit.Kind{"record": wit.KindRecord, "variant": wit.KindVariant, "enum": wit.KindEnum, "flags": wit.KindFlags}[word]
		return st.add(td), nil
	}
	return 0, st.errf("unknown type %q", word)
}

// Format prints t in the same notation.
func Format(r *wit.Resolve, t wit.Type) string {
	var b strings.Builder
	format(&b, r, t)
	return b.String()
}

func format(b *strings.Builder, r *wit.Resolve, t wit.Type) {
	if n := t.PrimitiveName(); n != "" {
		b.WriteString(n)
		return
	}
	td := r.TypeDef(t)
	if td == nil {
		b.WriteString("?")
		return
	}
	list := func(open, close string, n int, each func(i int)) {
		b.WriteString(open)
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			each(i)
		}
		b.WriteString(close)
	}
	switch td.Kind {
	case wit.KindType:
		format(b, r, td.Elem)
	case wit.KindList:
		b.WriteString("list<")
		format(b, r, td.Elem)
		b.WriteString(">")
	case wit.KindFixedLengthList:
		b.WriteString("list<")
		format(b, r, td.Elem)
		fmt.Fprintf(b, ", %d>", td.Len)
	case wit.KindOption:
		b.WriteString("option<")
		format(b, r, td.Elem)
		b.WriteString(">")
	case wit.KindStream, wit.KindFuture:
		b.WriteString(td.Kind.String())
		if td.Elem != wit.NoneType {
			b.WriteString("<")
			format(b, r, td.Elem)
			b.WriteString(">")
		}
	case wit.KindTuple:
		list("tuple<", ">", len(td.Tuple), func(i int) { format(b, r, td.Tuple[i]) })
	case wit.KindMap:
		b.WriteString("map<")
		format(b, r, td.Key)
		b.WriteString(", ")
		format(b, r, td.Elem)
		b.WriteString(">")
	case wit.KindResult:
		b.WriteString("result")
		switch {
		case td.Ok != wit.NoneType && td.Err != wit.NoneType:
			b.WriteString("<")
			format(b, r, td.Ok)
			b.WriteString(", ")
			format(b, r, td.Err)
			b.WriteString(">")
		case td.Ok != wit.NoneType:
			b.WriteString("<")
			format(b, r, td.Ok)
			b.WriteString(">")
		case td.Err != wit.NoneType:
			b.WriteString("<_, ")
			format(b, r, td.Err)
			b.WriteString(">")
		}
	case wit.KindOwn, wit.KindBorrow:
		fmt.Fprintf(b, "%s<%s>", td.Kind, r.Types[td.Resource].Name)
	case wit.KindRecord:
		list("record{", "}", len(td.Fields), func(i int) {
			b.WriteString(td.Fields[i].Name + ": ")
			format(b, r, td.Fields[i].Type)
		})
	case wit.KindVariant:
		list("variant{", "}", len(td.Cases), func(i int) {
			b.WriteString(td.Cases[i].Name)
			if td.Cases[i].Type != wit.NoneType {
				b.WriteString("(")
				format(b, r, td.Cases[i].Type)
				b.WriteString(")")
			}
		})
	case wit.KindEnum:
		list("enum{", "}", len(td.Enum), func(i int) { b.WriteString(td.Enum[i].Name) })
	case wit.KindFlags:
		list("flags{", "}", len(td.Flags), func(i int) { b.WriteString(td.Flags[i].Name) })
	default:
		b.WriteString(td.Name)
	}
}
