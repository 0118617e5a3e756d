package wat

import (
	"strconv"

	"github.com/wasmcm/wasmcm/internal/wasm"
)

var coreValTypes = map[string]wasm.ValType{
	"i32": wasm.ValI32, "i64": {Code: wasm.I64}, "f32": {Code: wasm.F32}, "f64": {Code: wasm.F64},
}

// coreScope holds the names of a core module's index spaces.
type coreScope struct {
	names  map[string]map[string]uint32 // kind -> $id -> index
	counts map[string]uint32
}

func (c *coreScope) bind(kind string, id *node) uint32 {
	i := c.counts[kind]
	c.counts[kind]++
	if id != nil && id.isID() {
		if c.names[kind] == nil {
			c.names[kind] = map[string]uint32{}
		}
		c.names[kind][id.atom] = i
	}
	return i
}

func (c *coreScope) ref(kind string, n *node) (uint32, error) {
	if n == nil || n.isList || n.isStr {
		return 0, errAt(n, "expected a %s index", kind)
	}
	if n.isID() {
		i, ok := c.names[kind][n.atom]
		if !ok {
			return 0, errAt(n, "unknown %s %s", kind, n.atom)
		}
		return i, nil
	}
	v, err := strconv.ParseUint(n.atom, 10, 32)
	if err != nil {
		return 0, errAt(n, "expected a %s index", kind)
	}
	return uint32(v), nil
}

// coreSig reads (param ...)* (result ...)* and returns the rest of args;
// named params are bound as locals.
func coreSig(args []*node, locals map[string]uint32) (params, results []wasm.ValType, rest []*node, err error) {
	for len(args) > 0 {
		a := args[0]
		switch a.head() {
		case "param", "result":
			vs := tail(a)
			if a.head() == "param" && len(vs) == 2 && vs[0].isID() {
				if locals != nil {
					locals[vs[0].atom] = uint32(len(params))
				}
				vs = vs[1:]
			}
			for _, v := range vs {
				t, ok := coreValTypes[v.atom]
				if !ok || v.isList {
					return nil, nil, nil, errAt(v, "unsupported core value type %q", describe(v))
				}
				if a.head() == "param" {
					params = append(params, t)
				} else {
					results = append(results, t)
				}
			}
		default:
			return params, results, args, nil
		}
		args = args[1:]
	}
	return params, results, nil, nil
}

func limits(args []*node) (wasm.Limits, error) {
	var l wasm.Limits
	if len(args) < 1 || len(args) > 2 {
		return l, errAt(nil, "expected limits")
	}
	v, err := strconv.ParseUint(args[0].atom, 10, 32)
	if err != nil {
		return l, errAt(args[0], "expected a minimum")
	}
	l.Min = v
	if len(args) == 2 {
		m, err := strconv.ParseUint(args[1].atom, 10, 32)
		if err != nil {
			return l, errAt(args[1], "expected a maximum")
		}
		l.Max = &m
	}
	return l, nil
}

// coreModule assembles a small core module: types, function and memory
// imports, functions with simple bodies, memories and exports.
func coreModule(fields []*node) ([]byte, error) {
	var m wasm.Builder
	cs := &coreScope{names: map[string]map[string]uint32{}, counts: map[string]uint32{}}
	type pendingFunc struct {
		typ    uint32
		body   []*node
		locals map[string]uint32
		nLocal int
		extra  []wasm.ValType
	}
	var funcs []pendingFunc
	typeUse := func(args []*node, locals map[string]uint32) (uint32, []*node, error) {
		if len(args) > 0 && args[0].head() == "type" && len(args[0].list) == 2 {
			t, err := cs.ref("type", args[0].list[1])
			if err != nil {
				return 0, nil, err
			}
			// A repeated inline signature only names the parameters.
			_, _, rest, err := coreSig(args[1:], locals)
			if err != nil {
				return 0, nil, err
			}
			return t, rest, nil
		}
		p, r, rest, err := coreSig(args, locals)
		if err != nil {
			return 0, nil, err
		}
		return m.AddFuncType(p, r), rest, nil
	}
	var exports []struct {
		name string
		kind wasm.ExternKind
		idx  uint32
	}
	inlineExports := func(args []*node, kind wasm.ExternKind, idx uint32) []*node {
		for len(args) > 0 && args[0].head() == "export" && len(args[0].list) == 2 {
			exports = append(exports, struct {
				name string
				kind wasm.ExternKind
				idx  uint32
			}{args[0].list[1].atom, kind, idx})
			args = args[1:]
		}
		return args
	}
	for _, f := range fields {
		id, args := optID(tail(f))
		switch f.head() {
		case "type":
			if len(args) != 1 || args[0].head() != "func" {
				return nil, errAt(f, "expected (type (func ...))")
			}
			p, r, rest, err := coreSig(tail(args[0]), nil)
			if err != nil {
				return nil, err
			}
			if len(rest) != 0 {
				return nil, errAt(rest[0], "unexpected %s in a function type", describe(rest[0]))
			}
			m.Types = append(m.Types, wasm.RecGroup{Types: []wasm.SubType{{Final: true, Kind: wasm.CompFunc, Func: wasm.FuncType{Params: p, Results: r}}}})
			cs.bind("type", id)
		case "import":
			if len(args) != 3 || !args[2].isList {
				return nil, errAt(f, "expected (import \"module\" \"name\" desc)")
			}
			mod, name := args[0].atom, args[1].atom
			did, dargs := optID(tail(args[2]))
			switch args[2].head() {
			case "func":
				t, _, err := typeUse(dargs, nil)
				if err != nil {
					return nil, err
				}
				m.AddImport(mod, name, wasm.ExternType{Kind: wasm.ExternFunc, Index: t})
				cs.bind("func", did)
			case "memory":
				l, err := limits(dargs)
				if err != nil {
					return nil, err
				}
				m.AddImport(mod, name, wasm.ExternType{Kind: wasm.ExternMemory, Memory: wasm.MemoryType{Limits: l}})
				cs.bind("memory", did)
			default:
				return nil, errAt(args[2], "unsupported core import %q", args[2].head())
			}
		case "func":
			locals := map[string]uint32{}
			args = inlineExports(args, wasm.ExternFunc, cs.counts["func"])
			t, rest, err := typeUse(args, locals)
			if err != nil {
				return nil, err
			}
			pf := pendingFunc{typ: t, locals: locals}
			if int(t) < len(m.Types) {
				pf.nLocal = len(m.Types[t].Types[0].Func.Params)
			}
			for len(rest) > 0 && rest[0].head() == "local" {
				vs := tail(rest[0])
				if len(vs) == 2 && vs[0].isID() {
					locals[vs[0].atom] = uint32(pf.nLocal + len(pf.extra))
					vs = vs[1:]
				}
				for _, v := range vs {
					vt, ok := coreValTypes[v.atom]
					if !ok {
						return nil, errAt(v, "unsupported local type")
					}
					pf.extra = append(pf.extra, vt)
				}
				rest = rest[1:]
			}
			pf.body = rest
			funcs = append(funcs, pf)
			cs.bind("func", id)
		case "memory":
			args = inlineExports(args, wasm.ExternMemory, cs.counts["memory"])
			l, err := limits(args)
			if err != nil {
				return nil, err
			}
			m.AddMemory(wasm.MemoryType{Limits: l})
			cs.bind("memory", id)
		case "export":
			if len(args) != 2 || !args[1].isList || len(args[1].list) != 2 {
				return nil, errAt(f, "expected (export \"name\" (kind idx))")
			}
			kinds := map[string]wasm.ExternKind{"func": wasm.ExternFunc, "memory": wasm.ExternMemory, "table": wasm.ExternTable, "global": wasm.ExternGlobal}
			k, ok := kinds[args[1].head()]
			if !ok {
				return nil, errAt(args[1], "unsupported export kind %q", args[1].head())
			}
			i, err := cs.ref(args[1].head(), args[1].list[1])
			if err != nil {
				return nil, err
			}
			exports = append(exports, struct {
				name string
				kind wasm.ExternKind
				idx  uint32
			}{args[0].atom, k, i})
		default:
			return nil, errAt(f, "unsupported core module field %q", f.head())
		}
	}
	for _, pf := range funcs {
		var c wasm.Code
		if err := instrs(&c, pf.body, cs, pf.locals); err != nil {
			return nil, err
		}
		c.End()
		m.Funcs = append(m.Funcs, wasm.Func{Type: pf.typ, Locals: pf.extra, Body: c.Bytes()})
	}
	for _, x := range exports {
		m.Export(x.name, x.kind, x.idx)
	}
	return m.Encode(), nil
}

// instrs assembles a small instruction set, flat or folded.
func instrs(c *wasm.Code, body []*node, cs *coreScope, locals map[string]uint32) error {
	for i := 0; i < len(body); i++ {
		n := body[i]
		if n.isList {
			if len(n.list) == 0 || n.list[0].isList {
				return errAt(n, "expected a folded instruction")
			}
			op, operands := n.list[0], tail(n)
			var imm *node
			if hasImmediate(op.atom) {
				if len(operands) == 0 {
					return errAt(n, "%s needs an immediate", op.atom)
				}
				imm, operands = operands[0], operands[1:]
			}
			if err := instrs(c, operands, cs, locals); err != nil {
				return err
			}
			if err := instr(c, op, imm, cs, locals); err != nil {
				return err
			}
			continue
		}
		var imm *node
		if hasImmediate(n.atom) {
			if i+1 >= len(body) {
				return errAt(n, "%s needs an immediate", n.atom)
			}
			i++
			imm = body[i]
		}
		if err := instr(c, n, imm, cs, locals); err != nil {
			return err
		}
	}
	return nil
}

func hasImmediate(op string) bool {
	switch op {
	case "i32.const", "i64.const", "local.get", "local.set", "local.tee", "call":
		return true
	}
	return false
}

func instr(c *wasm.Code, n, imm *node, cs *coreScope, locals map[string]uint32) error {
	local := func() (uint32, error) {
		if imm.isID() {
			i, ok := locals[imm.atom]
			if !ok {
				return 0, errAt(imm, "unknown local %s", imm.atom)
			}
			return i, nil
		}
		v, err := strconv.ParseUint(imm.atom, 10, 32)
		if err != nil {
			return 0, errAt(imm, "expected a local index")
		}
		return uint32(v), nil
	}
	switch n.atom {
	case "unreachable":
		c.Unreachable()
	case "nop":
		c.Op(0x01)
	case "drop":
		c.Drop()
	case "return":
		c.Return()
	case "i32.add":
		c.Op(wasm.OpI32Add)
	case "i32.const":
		v, err := strconv.ParseInt(imm.atom, 0, 64)
		if err != nil {
			return errAt(imm, "expected an i32")
		}
		c.I32Const(int32(v))
	case "i64.const":
		v, err := strconv.ParseInt(imm.atom, 0, 64)
		if err != nil {
			return errAt(imm, "expected an i64")
		}
		c.I64Const(v)
	case "local.get", "local.set", "local.tee":
		i, err := local()
		if err != nil {
			return err
		}
		switch n.atom {
		case "local.get":
			c.LocalGet(i)
		case "local.set":
			c.LocalSet(i)
		default:
			c.LocalTee(i)
		}
	case "call":
		f, err := cs.ref("func", imm)
		if err != nil {
			return err
		}
		c.Call(f)
	default:
		return errAt(n, "unsupported instruction %q", n.atom)
	}
	return nil
}
