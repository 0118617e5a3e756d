package runtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/internal/wat"
	"github.com/wasmcm/wasmcm/runtime"
	"github.com/wasmcm/wasmcm/wit"
)

// This file runs the component .wast scripts of the conformance corpus
// (split into commands, with every component assembled to .wasm) against
// the runtime. It needs a small s-expression reader for the commands'
// values, written here.

// sexpr is an s-expression: an atom (a keyword, a number, a $id) or a
// string (Str set), or a list.
type sexpr struct {
	atom  string
	str   string
	isStr bool
	list  []*sexpr
	isLst bool
	// start and end are the expression's byte offsets in the text.
	start, end int
}

func (s *sexpr) head() string {
	if s.isLst && len(s.list) > 0 && !s.list[0].isLst && !s.list[0].isStr {
		return s.list[0].atom
	}
	return ""
}

func (s *sexpr) String() string {
	switch {
	case s.isStr:
		return strconv.Quote(s.str)
	case s.isLst:
		parts := make([]string, len(s.list))
		for i, e := range s.list {
			parts[i] = e.String()
		}
		return "(" + strings.Join(parts, " ") + ")"
	}
	return s.atom
}

// parseSexpr reads one s-expression from text.
func parseSexpr(text string) (*sexpr, error) {
	p := &sexprParser{s: text}
	e, err := p.parse()
	if err != nil {
		return nil, err
	}
	return e, nil
}

type sexprParser struct {
	s   string
	pos int
}

func (p *sexprParser) skip() {
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch {
		case c == ' ' || c == '\n' || c == '\t' || c == '\r':
			p.pos++
		case strings.HasPrefix(p.s[p.pos:], ";;"):
			for p.pos < len(p.s) && p.s[p.pos] != '\n' {
				p.pos++
			}
		case strings.HasPrefix(p.s[p.pos:], "(;"):
			end := strings.Index(p.s[p.pos:], ";)")
			if end < 0 {
				p.pos = len(p.s)
			} else {
				p.pos += end + 2
			}
		default:
			return
		}
	}
}

func (p *sexprParser) parse() (*sexpr, error) {
	p.skip()
	start := p.pos
	e, err := p.parse1()
	if e != nil {
		e.start, e.end = start, p.pos
	}
	return e, err
}

func (p *sexprParser) parse1() (*sexpr, error) {
	if p.pos >= len(p.s) {
		return nil, errors.New("unexpected end of s-expression")
	}
	switch c := p.s[p.pos]; c {
	case '(':
		p.pos++
		e := &sexpr{isLst: true}
		for {
			p.skip()
			if p.pos >= len(p.s) {
				return nil, errors.New("unclosed parenthesis")
			}
			if p.s[p.pos] == ')' {
				p.pos++
				return e, nil
			}
			sub, err := p.parse()
			if err != nil {
				return nil, err
			}
			e.list = append(e.list, sub)
		}
	case ')':
		return nil, errors.New("unexpected )")
	case '"':
		p.pos++
		var b []byte
		for {
			if p.pos >= len(p.s) {
				return nil, errors.New("unterminated string")
			}
			c := p.s[p.pos]
			p.pos++
			if c == '"' {
				return &sexpr{str: string(b), isStr: true}, nil
			}
			if c != '\\' {
				b = append(b, c)
				continue
			}
			if p.pos >= len(p.s) {
				return nil, errors.New("bad escape")
			}
			e := p.s[p.pos]
			p.pos++
			switch e {
			case 'n':
				b = append(b, '\n')
			case 't':
				b = append(b, '\t')
			case 'r':
				b = append(b, '\r')
			case '"', '\'', '\\':
				b = append(b, e)
			case 'u':
				end := strings.IndexByte(p.s[p.pos:], '}')
				if p.pos >= len(p.s) || p.s[p.pos] != '{' || end < 0 {
					return nil, errors.New("bad \\u escape")
				}
				v, err := strconv.ParseUint(strings.ReplaceAll(p.s[p.pos+1:p.pos+end], "_", ""), 16, 32)
				if err != nil {
					return nil, err
				}
				b = utf8.AppendRune(b, rune(v))
				p.pos += end + 1
			default:
				if p.pos >= len(p.s) {
					return nil, errors.New("bad escape")
				}
				v, err := strconv.ParseUint(p.s[p.pos-1:p.pos+1], 16, 8)
				if err != nil {
					return nil, fmt.Errorf("bad escape \\%c", e)
				}
				b = append(b, byte(v))
				p.pos++
			}
		}
	default:
		start := p.pos
		for p.pos < len(p.s) {
			c := p.s[p.pos]
			if c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '(' || c == ')' || c == '"' {
				break
			}
			p.pos++
		}
		return &sexpr{atom: p.s[start:p.pos]}, nil
	}
}

// valueExprs groups the arguments of a command into value expressions;
// a bare "u8.const 0" (as some record fields are written) becomes a list.
func valueExprs(es []*sexpr) []*sexpr {
	var out []*sexpr
	for i := 0; i < len(es); i++ {
		e := es[i]
		if !e.isLst && !e.isStr && strings.Contains(e.atom, ".") {
			l := &sexpr{isLst: true, list: []*sexpr{e}}
			if strings.HasSuffix(e.atom, ".const") && i+1 < len(es) && !es[i+1].isLst {
				l.list = append(l.list, es[i+1])
				i++
			}
			out = append(out, l)
			continue
		}
		out = append(out, e)
	}
	return out
}

// parseInt reads an integer literal (decimal or 0x hex, with underscores).
func parseInt(s string, bits int, signed bool) (uint64, error) {
	s = strings.ReplaceAll(s, "_", "")
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	} else if strings.HasPrefix(s, "+") {
		s = s[1:]
	}
	base := 10
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		base, s = 16, s[2:]
	}
	v, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		return 0, err
	}
	if neg {
		v = -v
	}
	if bits < 64 {
		v &= 1<<bits - 1
	}
	return v, nil
}

func parseFloat(s string, bits int) (float64, error) {
	s = strings.ReplaceAll(s, "_", "")
	switch strings.TrimPrefix(s, "+") {
	case "nan", "nan:canonical", "nan:arithmetic":
		return math.NaN(), nil
	case "inf":
		return math.Inf(1), nil
	case "-inf":
		return math.Inf(-1), nil
	case "-nan":
		return math.NaN(), nil
	}
	if strings.Contains(s, "0x") && !strings.ContainsAny(s, "pP") {
		s += "p0"
	}
	return strconv.ParseFloat(s, bits)
}

// toValue converts a value expression to a canon.Value of type t.
func toValue(r *wit.Resolve, t wit.Type, e *sexpr) (canon.Value, error) {
	t = r.Dealias(t)
	if !e.isLst {
		return canon.Value{}, fmt.Errorf("value %s is not a list", e)
	}
	h := e.head()
	args := valueExprs(e.list[1:])
	atom := func(i int) (string, error) {
		if i >= len(args) || args[i].isLst {
			return "", fmt.Errorf("%s: missing literal", e)
		}
		if args[i].isStr {
			return args[i].str, nil
		}
		return args[i].atom, nil
	}
	num := func(bits int, signed bool) (uint64, error) {
		s, err := atom(0)
		if err != nil {
			return 0, err
		}
		return parseInt(s, bits, signed)
	}
	switch t {
	case wit.Bool:
		s, err := atom(0)
		return canon.Bool(s == "true"), err
	case wit.U8:
		v, err := num(8, false)
		return canon.U8(uint8(v)), err
	case wit.U16:
		v, err := num(16, false)
		return canon.U16(uint16(v)), err
	case wit.U32:
		v, err := num(32, false)
		return canon.U32(uint32(v)), err
	case wit.U64:
		v, err := num(64, false)
		return canon.U64(v), err
	case wit.S8:
		v, err := num(8, true)
		return canon.S8(int8(v)), err
	case wit.S16:
		v, err := num(16, true)
		return canon.S16(int16(v)), err
	case wit.S32:
		v, err := num(32, true)
		return canon.S32(int32(v)), err
	case wit.S64:
		v, err := num(64, true)
		return canon.S64(int64(v)), err
	case wit.F32:
		s, err := atom(0)
		if err != nil {
			return canon.Value{}, err
		}
		f, err := parseFloat(s, 32)
		return canon.F32(float32(f)), err
	case wit.F64:
		s, err := atom(0)
		if err != nil {
			return canon.Value{}, err
		}
		f, err := parseFloat(s, 64)
		return canon.F64(f), err
	case wit.Char:
		s, err := atom(0)
		r, _ := utf8.DecodeRuneInString(s)
		return canon.Char(r), err
	case wit.String:
		s, err := atom(0)
		return canon.String(s), err
	}
	td := r.TypeDef(t)
	if td == nil {
		return canon.Value{}, fmt.Errorf("cannot build a value of type %v", t)
	}
	switch td.Kind {
	case wit.KindList, wit.KindFixedLengthList:
		var elems []canon.Value
		for _, a := range args {
			v, err := toValue(r, td.Elem, a)
			if err != nil {
				return v, err
			}
			elems = append(elems, v)
		}
		if td.Kind == wit.KindFixedLengthList {
			return canon.FixedList(elems...), nil
		}
		return canon.List(elems...), nil
	case wit.KindRecord:
		var fields []canon.Value
		for i, a := range args {
			if i >= len(td.Fields) {
				return canon.Value{}, fmt.Errorf("too many fields in %s", e)
			}
			fe := a
			if a.head() == "field" && len(a.list) > 2 {
				if v := a.list[2]; !v.isLst && !v.isStr {
					// A bare value: "(field "x" list.const (u32.const 1) ...)".
					fe = &sexpr{isLst: true, list: a.list[2:]}
				} else {
					fe = a.list[2]
				}
			}
			v, err := toValue(r, td.Fields[i].Type, fe)
			if err != nil {
				return v, err
			}
			fields = append(fields, v)
		}
		return canon.Record(fields...), nil
	case wit.KindTuple:
		var elems []canon.Value
		for i, a := range args {
			if i >= len(td.Tuple) {
				return canon.Value{}, fmt.Errorf("too many elements in %s", e)
			}
			v, err := toValue(r, td.Tuple[i], a)
			if err != nil {
				return v, err
			}
			elems = append(elems, v)
		}
		return canon.Tuple(elems...), nil
	case wit.KindVariant:
		name, err := atom(0)
		if err != nil {
			return canon.Value{}, err
		}
		for i, c := range td.Cases {
			if c.Name == name {
				var pl canon.Value
				if c.Type != wit.NoneType && len(args) > 1 {
					if pl, err = toValue(r, c.Type, args[1]); err != nil {
						return pl, err
					}
				}
				return canon.Variant(uint32(i), pl), nil
			}
		}
		return canon.Value{}, fmt.Errorf("no case %q", name)
	case wit.KindEnum:
		name, err := atom(0)
		if err != nil {
			return canon.Value{}, err
		}
		for i, c := range td.Enum {
			if c.Name == name {
				return canon.Enum(uint32(i)), nil
			}
		}
		return canon.Value{}, fmt.Errorf("no enum case %q", name)
	case wit.KindFlags:
		var bits uint32
		for _, a := range args {
			for i, f := range td.Flags {
				if f.Name == a.str {
					bits |= 1 << i
				}
			}
		}
		return canon.Flags(bits), nil
	case wit.KindOption:
		if h == "option.none" {
			return canon.None(), nil
		}
		v, err := toValue(r, td.Elem, args[0])
		return canon.Some(v), err
	case wit.KindResult:
		pt, mk := td.Ok, canon.Ok
		if h == "result.err" {
			pt, mk = td.Err, canon.Err
		}
		var pl canon.Value
		if pt != wit.NoneType && len(args) > 0 {
			var err error
			if pl, err = toValue(r, pt, args[0]); err != nil {
				return pl, err
			}
		}
		return mk(pl), nil
	case wit.KindMap:
		var pairs [][2]canon.Value
		for _, a := range args {
			tv := valueExprs(a.list[1:])
			k, err := toValue(r, td.Key, tv[0])
			if err != nil {
				return k, err
			}
			v, err := toValue(r, td.Elem, tv[1])
			if err != nil {
				return v, err
			}
			pairs = append(pairs, [2]canon.Value{k, v})
		}
		return canon.Map(pairs...), nil
	}
	return canon.Value{}, fmt.Errorf("cannot build a %s value", td.Kind)
}

// valueEqual compares results, treating any NaN as equal to a NaN.
func valueEqual(a, b canon.Value) bool {
	if a.Kind() == canon.KindF32 && b.Kind() == canon.KindF32 && math.IsNaN(float64(a.Float32())) && math.IsNaN(float64(b.Float32())) {
		return true
	}
	if a.Kind() == canon.KindF64 && b.Kind() == canon.KindF64 && math.IsNaN(a.Float64()) && math.IsNaN(b.Float64()) {
		return true
	}
	if a.Kind() != b.Kind() || a.Len() != b.Len() {
		return a.Equal(b)
	}
	switch a.Kind() {
	case canon.KindList, canon.KindRecord, canon.KindTuple, canon.KindFixedList, canon.KindMap:
		for i := 0; i < a.Len(); i++ {
			if !valueEqual(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	}
	return a.Equal(b)
}

type wastCmd struct {
	Index   int    `json:"index"`
	Line    int    `json:"line"`
	Kind    string `json:"kind"`
	ID      string `json:"id"`
	Wat     string `json:"wat"`
	Text    string `json:"text"`
	Message string `json:"message"`
}

// wastCounts counts commands by kind: run and passed.
type wastCounts struct {
	total, pass map[string]int
	sameMsg     int
	failures    []string
}

func newCounts() *wastCounts {
	return &wastCounts{total: map[string]int{}, pass: map[string]int{}}
}

// isAsyncScript tells scripts that need the async or threading proposals.
func isAsyncScript(rel string, cmds []wastCmd, dir string) bool {
	if strings.Contains(rel, "async") || strings.Contains(rel, "threading") {
		return true
	}
	for _, c := range cmds {
		if c.Wat == "" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, c.Wat))
		if err != nil {
			continue
		}
		s := string(b)
		if strings.Contains(s, "component_model_async") || strings.Contains(s, "component_model_threading") || strings.Contains(s, "cm-async") || strings.Contains(s, "cm_async") {
			return true
		}
	}
	return false
}

func TestConformanceWAST(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every script of the corpus")
	}
	exceptions := loadExceptions(t)
	for _, suite := range []string{"component-model-test", "wasmtime-misc"} {
		root := testutil.Shared(t, "conformance/wast-bin/"+suite)
		wastBinRoot = filepath.Dir(root)
		var manifests []string
		filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.Name() == "manifest.json" {
				manifests = append(manifests, p)
			}
			return nil
		})
		sort.Strings(manifests)
		sync, async := newCounts(), newCounts()
		for _, m := range manifests {
			dir := filepath.Dir(m)
			rel, _ := filepath.Rel(root, dir)
			b, err := os.ReadFile(m)
			if err != nil {
				t.Fatal(err)
			}
			var cmds []wastCmd
			if err := json.Unmarshal(b, &cmds); err != nil {
				t.Fatalf("%s: %v", m, err)
			}
			c := sync
			if isAsyncScript(rel, cmds, dir) {
				c = async
			}
			runScript(t, suite+"/"+rel, dir, cmds, c, exceptions)
		}
		for _, kind := range []string{"assert_return", "assert_trap", "assert_unlinkable"} {
			if sync.total[kind] > 0 {
				testutil.Conformance(t, fmt.Sprintf("wast-%s-%s", suite, kind), sync.pass[kind], sync.total[kind])
			}
			if async.total[kind] > 0 {
				testutil.Conformance(t, fmt.Sprintf("wast-%s-async-%s", suite, kind), async.pass[kind], async.total[kind])
			}
		}
		// A trap must not only happen but name the reference's reason.
		testutil.Conformance(t, fmt.Sprintf("wast-%s-trap-message", suite), sync.sameMsg, sync.total["assert_trap"])
		for _, f := range sync.failures {
			t.Logf("FAIL %s", f)
		}
		if os.Getenv("WAST_ASYNC_FAILURES") != "" {
			for _, f := range async.failures {
				t.Logf("async FAIL %s", f)
			}
		}
	}
}

// loadExceptions reads runtime/testdata/wast-exceptions.txt: lines
// "suite/dir/test index reason".
func loadExceptions(t *testing.T) map[string]string {
	m := map[string]string{}
	b, err := os.ReadFile("testdata/wast-exceptions.txt")
	if err != nil {
		return m
	}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.SplitN(line, " ", 3)
		if len(f) < 3 {
			t.Fatalf("wast-exceptions.txt: bad line %q", line)
		}
		m[f[0]+" "+f[1]] = f[2]
	}
	return m
}

// runScript runs the commands of one script.
func runScript(t *testing.T, name, dir string, cmds []wastCmd, c *wastCounts, exceptions map[string]string) {
	ctx := context.Background()
	rt, err := runtime.New(ctx, runtime.Config{CloseOnContextDone: true})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	h := newHarness(t)
	defs := map[string]*runtime.Compiled{}
	insts := map[string]*runtime.Instance{}
	var cur *runtime.Instance
	var curErr error = errors.New("no component instantiated yet")
	var lastDef *runtime.Compiled
	var lastDefErr error

	load := func(cmd wastCmd) (*runtime.Compiled, error) {
		if cmd.Wat == "" {
			return nil, errors.New("no component text")
		}
		wasmFile := strings.TrimSuffix(cmd.Wat, ".wat") + ".wasm"
		b, err := os.ReadFile(filepath.Join(dir, wasmFile))
		if err != nil {
			// Not assembled by the corpus's tool (a syntax it refuses):
			// assemble it here.
			src, rerr := os.ReadFile(filepath.Join(dir, cmd.Wat))
			if rerr != nil {
				return nil, fmt.Errorf("not assembled: %v", err)
			}
			if b, err = wat.Parse(cmd.Wat, src); err != nil {
				return nil, fmt.Errorf("not assembled: %v", err)
			}
		}
		return rt.Compile(ctx, b)
	}
	for _, cmd := range cmds {
		where := fmt.Sprintf("%s %d", name, cmd.Index)
		if _, skip := exceptions[name+" *"]; skip && !isAssert(cmd.Kind) {
			continue
		}
		reason, ok := exceptions[where]
		if !ok {
			reason, ok = exceptions[name+" *"]
		}
		if ok && isAssert(cmd.Kind) {
			c.total[cmd.Kind]++
			c.failures = append(c.failures, fmt.Sprintf("%s (line %d) %s: excepted: %s", where, cmd.Line, cmd.Kind, reason))
			continue
		}
		switch cmd.Kind {
		case "component":
			cur, curErr = nil, nil
			comp, err := load(cmd)
			if err == nil {
				cur, err = comp.Instantiate(ctx, h.linker)
			}
			if err != nil {
				curErr = fmt.Errorf("component at line %d: %w", cmd.Line, err)
				c.failures = append(c.failures, fmt.Sprintf("%s (line %d) component: %v", where, cmd.Line, err))
			}
			if cmd.ID != "" && cur != nil {
				insts[cmd.ID] = cur
				// Named instances serve later components' imports.
				h.linker.Instance(strings.TrimPrefix(cmd.ID, "$"), cur, "")
			}
		case "component-definition":
			lastDef, lastDefErr = load(cmd)
			if cmd.ID != "" && lastDef != nil {
				defs[cmd.ID] = lastDef
			}
			if lastDefErr != nil {
				c.failures = append(c.failures, fmt.Sprintf("%s (line %d) component-definition: %v", where, cmd.Line, lastDefErr))
			}
		case "component-instance":
			e, err := parseSexpr(cmd.Text)
			cur, curErr = nil, nil
			if err != nil {
				curErr = err
				break
			}
			var id, defID string
			for _, a := range e.list[2:] {
				if strings.HasPrefix(a.atom, "$") {
					if id == "" {
						id = a.atom
					} else {
						defID = a.atom
					}
				}
			}
			def, derr := lastDef, lastDefErr
			if d, ok := defs[defID]; ok {
				def, derr = d, nil
			}
			if def == nil {
				curErr = fmt.Errorf("definition %s not compiled: %v", defID, derr)
				break
			}
			cur, curErr = def.Instantiate(ctx, h.linker)
			if curErr != nil {
				c.failures = append(c.failures, fmt.Sprintf("%s (line %d) component-instance: %v", where, cmd.Line, curErr))
			}
			if id != "" && cur != nil {
				insts[id] = cur
			}
		case "invoke", "assert_return", "assert_trap":
			c.total[cmd.Kind]++
			text := cmd.Text
			if strings.HasSuffix(text, "…") {
				// The manifest cuts long commands; read the script itself.
				text = scriptText(name, cmd.Line)
			}
			e, err := parseSexpr(text)
			if err != nil {
				c.failures = append(c.failures, fmt.Sprintf("%s: parse: %v", where, err))
				continue
			}
			inv := e
			if cmd.Kind != "invoke" {
				inv = e.list[1]
			}
			if inv.head() == "component" && cmd.Kind == "assert_trap" {
				// A component written inline: assemble it, and expect its
				// instantiation (its start functions) to trap.
				err := instantiateInline(ctx, rt, h.linker, text[inv.start:inv.end])
				switch {
				case err == nil:
					c.failures = append(c.failures, fmt.Sprintf("%s (line %d) assert_trap: instantiated, want a trap", where, cmd.Line))
				case !runtime.IsTrap(err):
					c.failures = append(c.failures, fmt.Sprintf("%s (line %d) assert_trap: %v, want a trap", where, cmd.Line, err))
				default:
					if msg := e.list[len(e.list)-1].str; strings.Contains(err.Error(), msg) {
						c.sameMsg++
					} else if os.Getenv("WAST_MESSAGES") != "" {
						t.Logf("%s: trap message %q, the reference says %q", where, err, msg)
					}
					c.pass[cmd.Kind]++
				}
				continue
			}
			if inv.head() != "invoke" {
				c.failures = append(c.failures, fmt.Sprintf("%s (line %d) %s: not an invoke (needs a WAT assembler)", where, cmd.Line, cmd.Kind))
				continue
			}
			target := cur
			terr := curErr
			args := inv.list[1:]
			if len(args) > 0 && strings.HasPrefix(args[0].atom, "$") {
				target, terr = insts[args[0].atom], nil
				if target == nil {
					terr = fmt.Errorf("no instance %s", args[0].atom)
				}
				args = args[1:]
			}
			if target == nil {
				c.failures = append(c.failures, fmt.Sprintf("%s (line %d) %s: %v", where, cmd.Line, cmd.Kind, terr))
				continue
			}
			res, callErr, herr := invoke(ctx, target, args)
			if herr != nil {
				c.failures = append(c.failures, fmt.Sprintf("%s (line %d) %s: harness: %v", where, cmd.Line, cmd.Kind, herr))
				continue
			}
			switch cmd.Kind {
			case "invoke":
				if callErr != nil {
					c.failures = append(c.failures, fmt.Sprintf("%s (line %d) invoke: %v", where, cmd.Line, callErr))
					continue
				}
			case "assert_return":
				if callErr != nil {
					c.failures = append(c.failures, fmt.Sprintf("%s (line %d) assert_return: %v", where, cmd.Line, callErr))
					continue
				}
				f, _ := target.Func(args[0].str)
				want := valueExprs(e.list[2:])
				if len(want) != len(res) {
					c.failures = append(c.failures, fmt.Sprintf("%s (line %d) assert_return: %d results, want %d", where, cmd.Line, len(res), len(want)))
					continue
				}
				ok := true
				for i, w := range want {
					wv, err := toValue(f.Resolve(), f.Result(), w)
					if err != nil {
						c.failures = append(c.failures, fmt.Sprintf("%s (line %d) assert_return: expected value: %v", where, cmd.Line, err))
						ok = false
						break
					}
					if !valueEqual(wv, res[i]) {
						c.failures = append(c.failures, fmt.Sprintf("%s (line %d) assert_return: got %v, want %s", where, cmd.Line, fmtValues(res), w))
						ok = false
					}
				}
				if !ok {
					continue
				}
			case "assert_trap":
				if callErr == nil {
					c.failures = append(c.failures, fmt.Sprintf("%s (line %d) assert_trap: returned %v, want a trap", where, cmd.Line, fmtValues(res)))
					continue
				}
				msg := e.list[len(e.list)-1].str
				if notImplemented(callErr) && !strings.Contains(callErr.Error(), msg) {
					c.failures = append(c.failures, fmt.Sprintf("%s (line %d) assert_trap: trapped only because a built-in is not implemented: %v", where, cmd.Line, callErr))
					continue
				}
				if strings.Contains(callErr.Error(), msg) {
					c.sameMsg++
				} else if os.Getenv("WAST_MESSAGES") != "" {
					t.Logf("%s: trap message %q, the reference says %q", where, callErr, msg)
				}
			}
			c.pass[cmd.Kind]++
		case "assert_unlinkable":
			c.total[cmd.Kind]++
			comp, err := load(cmd)
			if err != nil && strings.HasPrefix(err.Error(), "not assembled") {
				c.failures = append(c.failures, fmt.Sprintf("%s (line %d) assert_unlinkable: %v", where, cmd.Line, err))
				continue
			}
			if err == nil {
				var inst *runtime.Instance
				inst, err = comp.Instantiate(ctx, h.linker)
				if err == nil {
					inst.Close(ctx)
				}
			}
			if err == nil {
				c.failures = append(c.failures, fmt.Sprintf("%s (line %d) assert_unlinkable: linked, want %q", where, cmd.Line, cmd.Message))
				continue
			}
			c.pass[cmd.Kind]++
		}
	}
}

// notImplemented tells the trap of a built-in the runtime does not
// implement (an async one), which must not pass for the trap a script
// expects.
func notImplemented(err error) bool {
	return strings.Contains(err.Error(), "which is not implemented") || strings.Contains(err.Error(), "not lifted async")
}

// instantiateInline assembles a component text of a script and
// instantiates it.
func instantiateInline(ctx context.Context, rt *runtime.Runtime, l *runtime.Linker, text string) error {
	bin, err := wat.Parse("inline.wat", []byte(text))
	if err != nil {
		return fmt.Errorf("assembling: %v", err)
	}
	comp, err := rt.Compile(ctx, bin)
	if err != nil {
		return err
	}
	inst, err := comp.Instantiate(ctx, l)
	if err == nil {
		inst.Close(ctx)
	}
	return err
}

func isAssert(kind string) bool {
	return kind == "assert_return" || kind == "assert_trap" || kind == "assert_unlinkable" || kind == "invoke"
}

func fmtValues(vs []canon.Value) string {
	var parts []string
	for _, v := range vs {
		parts = append(parts, fmt.Sprintf("%v(%d:%v)", v.Kind(), v.Uint(), v.String()))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// invoke calls an export: args[0] is its name, the rest its arguments.
// herr is a harness problem (bad script value, unknown export), callErr
// the call's own error.
func invoke(ctx context.Context, inst *runtime.Instance, args []*sexpr) (res []canon.Value, callErr, herr error) {
	if len(args) == 0 || !args[0].isStr {
		return nil, nil, errors.New("invoke without a name")
	}
	f, err := inst.Func(args[0].str)
	if err != nil {
		return nil, nil, err
	}
	vals := valueExprs(args[1:])
	if len(vals) != len(f.Params()) {
		return nil, nil, fmt.Errorf("%d arguments for %d parameters", len(vals), len(f.Params()))
	}
	var vs []canon.Value
	for i, a := range vals {
		v, err := toValue(f.Resolve(), f.Params()[i], a)
		if err != nil {
			return nil, nil, fmt.Errorf("argument %d: %v", i, err)
		}
		vs = append(vs, v)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	res, err = f.Call(ctx, vs...)
	return res, err, nil
}

// harness is the host side of the scripts: the "host" instance wasmtime's
// script runner provides.
type harness struct {
	linker *runtime.Linker
}

func newHarness(t *testing.T) *harness {
	l := runtime.NewLinker()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	u32 := func(n uint32) runtime.HostFunc {
		return func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
			return []canon.Value{canon.U32(n)}, nil
		}
	}
	must(l.Func("host", "return-two", u32(2)))
	must(l.Func("host", "return-three", u32(3)))
	must(l.Func("host#nested", "return-four", u32(4)))
	var drops, lastDrop uint32
	must(l.Func("", "host-return-two", u32(2)))
	r1, err := l.Resource("host", "resource1", func(ctx context.Context, rep uint32) error {
		drops++
		lastDrop = rep
		return nil
	})
	must(err)
	must(err)
	must(l.DefineResource("host", "resource1-again", r1))
	_, err = l.Resource("host", "resource2", nil)
	must(err)
	must(l.Func("host", "[constructor]resource1", func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
		return []canon.Value{canon.Own(uint32(args[0].Uint()))}, nil
	}))
	must(l.Func("host", "[static]resource1.assert", func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
		if args[0].Handle() != uint32(args[1].Uint()) {
			return nil, fmt.Errorf("assertion failed: rep %d != %d", args[0].Handle(), args[1].Uint())
		}
		return nil, nil
	}))
	must(l.Func("host", "[static]resource1.last-drop", func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
		return []canon.Value{canon.U32(lastDrop)}, nil
	}))
	must(l.Func("host", "[static]resource1.drops", func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
		return []canon.Value{canon.U32(drops)}, nil
	}))
	must(l.Func("host", "[method]resource1.simple", func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
		if args[0].Handle() != uint32(args[1].Uint()) {
			return nil, fmt.Errorf("assertion failed: rep %d != %d", args[0].Handle(), args[1].Uint())
		}
		return nil, nil
	}))
	must(l.Func("host", "[method]resource1.take-borrow", func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
		return nil, nil
	}))
	must(l.Func("host", "[method]resource1.take-own", func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
		drops++
		lastDrop = args[1].Handle()
		return nil, nil
	}))
	return &harness{linker: l}
}

// scriptText returns the command starting at line of the original .wast
// script of a wast-bin test (whose manifest shortens long commands).
func scriptText(name string, line int) string {
	rel := strings.Replace(name, "component-model-test/", "component-model-spec/", 1)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(wastBinRoot), "wast", rel+".wast"))
	if err != nil {
		return ""
	}
	lines := strings.SplitAfter(string(b), "\n")
	if line < 1 || line > len(lines) {
		return ""
	}
	return strings.Join(lines[line-1:], "")
}

// wastBinRoot is the wast-bin folder, set by the test.
var wastBinRoot string
