// Package parse turns WIT source text into the syntax tree of package ast.
//
// It is a hand-written lexer and recursive-descent parser that follows
// wit-parser's (wasm-tools) lex.rs and ast.rs closely: the same tokens, the
// same identifier rules, the same look-ahead, and therefore the same error
// messages at the same places.
package parse

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/wasmcm/wasmcm/wit/internal/ast"
)

type span = ast.Span

// The reference's limits on recursion, so deep input cannot exhaust the stack.
const (
	// maxItemDepth bounds nesting of `package a:b { ... }` blocks.
	maxItemDepth = 100
	// maxTypeDepth bounds nesting of type expressions such as list<list<...>>.
	maxTypeDepth = 100
)

// File parses one WIT source file. path is used in error messages only.
// A path ending in ".md" is read as markdown: only the contents of
// ```wit fenced code blocks are parsed, with positions kept relative to the
// markdown file. Errors are *ast.Error.
func File(path, src string) (*ast.File, error) {
	var p Parser
	return p.File(path, src)
}

// Parser parses files into trees whose nodes are allocated together in
// chunks; the files parsed by one Parser share them. A Parser is for one
// goroutine at a time. The zero value is ready to use.
type Parser struct {
	a arena
}

// File parses one WIT source file like the package's File function.
func (ps *Parser) File(path, src string) (*ast.File, error) {
	text := src
	if strings.HasSuffix(path, ".md") {
		text = unwrapMarkdown(src)
	}
	f := &ast.File{Path: path, Source: src, Text: text}
	p := &parser{file: f, a: &ps.a}
	if err := p.run(text); err != nil {
		return nil, err
	}
	return f, nil
}

type parser struct {
	file *ast.File
	a    *arena
}

// slab hands out nodes of one type from chunks, so that a tree costs a few
// allocations per kind of node rather than one per node. Chunks start small
// and double (up to 256 nodes), which keeps small files small.
type slab[T any] []T

func (s *slab[T]) alloc() *T {
	if len(*s) == cap(*s) {
		*s = make([]T, 0, min(max(2*cap(*s), 8), 256))
	}
	*s = (*s)[:len(*s)+1]
	return &(*s)[len(*s)-1]
}

// list builds lists of one element type: elements are pushed on a scratch
// stack that is reused, and a finished list is copied into a window of a
// chunk shared with other lists of its type. Lists of one type may nest
// (a tuple in a tuple): the inner one is pushed and popped on top of the
// outer one. The finished lists are never appended to (their capacity is
// their length), so windows of a chunk do not overwrite each other.
type list[T any] struct {
	scratch []T
	chunk   []T
}

func (l *list[T]) start() int { return len(l.scratch) }

func (l *list[T]) push(v T) { l.scratch = append(l.scratch, v) }

func (l *list[T]) end(start int) []T {
	n := len(l.scratch) - start
	if n <= 0 {
		return nil
	}
	if cap(l.chunk)-len(l.chunk) < n {
		// Chunks grow with use (a small package gets small chunks).
		l.chunk = make([]T, 0, max(n, min(2*cap(l.chunk), 256), 16))
	}
	i := len(l.chunk)
	l.chunk = l.chunk[:i+n]
	out := l.chunk[i : i+n : i+n]
	copy(out, l.scratch[start:])
	clear(l.scratch[start:]) // drop references held by the scratch
	l.scratch = l.scratch[:start]
	return out
}

// arena holds every node and list of one file's tree. The tokenizer carries
// a pointer to it, so copies made for look-ahead share it.
type arena struct {
	prims    slab[ast.Primitive]
	names    slab[ast.Name]
	lists    slab[ast.List]
	options  slab[ast.Option]
	results  slab[ast.Result]
	handles  slab[ast.Handle]
	typeDefs slab[ast.TypeDef]
	funcs    slab[ast.NamedFunc]
	uses     slab[ast.Use]
	records  slab[ast.Record]
	variants slab[ast.Variant]
	enums    slab[ast.Enum]
	flagsT   slab[ast.Flags]
	res      slab[ast.Resource]
	imports  slab[ast.Import]
	exports  slab[ast.Export]
	pkgNames slab[ast.PackageName]

	attrs      list[ast.Attribute]
	params     list[ast.Param]
	fields     list[ast.Field]
	cases      list[ast.Case]
	enumCases  list[ast.EnumCase]
	flags      list[ast.Flag]
	useNames   list[ast.UseName]
	ifaceItems list[ast.InterfaceItem]
	worldItems list[ast.WorldItem]
	resFuncs   list[ast.ResourceFunc]
	types      list[ast.Type]
	items      list[ast.Item]
}

// bailout carries a syntax error up the recursive descent; it is recovered
// in run and never escapes the package.
type bailout struct {
	span span
	msg  string
}

func (p *parser) run(text string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				panic(r)
			}
			err = &ast.Error{Path: p.file.Path, Source: p.file.Source, Span: b.span, Msg: b.msg}
		}
	}()
	t, lerr := newTokenizer(text)
	if lerr != nil {
		lexFail(lerr)
	}
	t.a = p.a
	p.parseFile(&t)
	return nil
}

func fail(sp span, format string, args ...any) {
	panic(bailout{sp, fmt.Sprintf(format, args...)})
}

func lexFail(e *lexError) {
	panic(bailout{span{Start: e.pos, End: e.pos + 1}, e.msg})
}

// attempt runs f and reports whether it finished without a syntax error; it
// is for the reference's look-aheads that discard errors.
func attempt(f func()) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, isBail := r.(bailout); !isBail {
				panic(r)
			}
			ok = false
		}
	}()
	f()
	return true
}

// tok is one token with its span; ok is false at the end of input.
type tok struct {
	kind token
	span span
	ok   bool
}

func (t *tokenizer) mustNext() tok {
	kind, sp, ok, err := t.next()
	if err != nil {
		lexFail(err)
	}
	return tok{kind, sp, ok}
}

// peek returns the next token without consuming it, remembering it so that
// consuming it next does not lex it again.
func (t *tokenizer) peek() tok {
	if t.cached && t.cpos == t.pos {
		return tok{t.ctok, t.cspan, t.cok}
	}
	pos := t.pos
	n := t.mustNext()
	t.pos = pos
	t.remember(n)
	return n
}

func (t *tokenizer) remember(n tok) {
	t.cached, t.cpos, t.cok, t.ctok, t.cspan = true, t.pos, n.ok, n.kind, n.span
}

func (t *tokenizer) eat(want token) bool {
	n := t.peek()
	if n.ok && n.kind == want {
		t.pos = n.span.End
		return true
	}
	return false
}

func (t *tokenizer) expect(want token) span {
	n := t.mustNext()
	if !n.ok {
		fail(t.eofSpan(), "expected %s, found eof", want.describe())
	}
	if n.kind != want {
		panic(bailout{span{Start: n.span.Start, End: n.span.Start + 1}, "expected " + want.describe() + ", found " + n.kind.describe()})
	}
	return n.span
}

func (t *tokenizer) eofSpan() span { return span{Start: len(t.src), End: len(t.src)} }

func (t *tokenizer) text(sp span) string { return t.src[sp.Start:sp.End] }

// errExpected fails with "expected X, found Y" at the found token.
func errExpected(t *tokenizer, expected string, found tok) {
	if !found.ok {
		fail(t.eofSpan(), "expected %s, found eof", expected)
	}
	fail(found.span, "expected %s, found %s", expected, found.kind.describe())
}

func (p *parser) parseFile(t *tokenizer) {
	// `package a:b;` is the file's header, but `package a:b { ... }` is a
	// nested package and so an item: look ahead to tell them apart.
	peek := *t
	docs := parseDocs(&peek)
	if peek.eat(tokPackage) {
		name := parsePackageName(&peek, docs)
		if peek.eat(tokSemicolon) {
			*t = peek
			p.file.Package = &name
		}
	}
	p.file.Items = parseDeclList(t, false, 0)
}

func parseDeclList(t *tokenizer, braced bool, depth int) []ast.Item {
	l := &t.a.items
	start := l.start()
	docs := parseDocs(t)
	for {
		if braced {
			if t.eat(tokRightBrace) {
				break
			}
		} else if !t.peek().ok {
			break
		}
		l.push(parseItem(t, docs, depth))
		docs = parseDocs(t)
	}
	return l.end(start)
}

func parseItem(t *tokenizer, docs ast.Docs, depth int) ast.Item {
	attrs := parseAttributes(t)
	switch n := t.peek(); {
	case n.ok && n.kind == tokInterface:
		return parseInterface(t, docs, attrs)
	case n.ok && n.kind == tokWorld:
		return parseWorld(t, docs, attrs)
	case n.ok && n.kind == tokUse:
		return parseToplevelUse(t, attrs)
	case n.ok && n.kind == tokPackage:
		sp := t.expect(tokPackage)
		if len(attrs) > 0 {
			fail(sp, "cannot place attributes on nested packages")
		}
		if depth >= maxItemDepth {
			fail(sp, "package nesting too deep")
		}
		name := parsePackageName(t, docs)
		t.expect(tokLeftBrace)
		return &ast.NestedPackage{Name: name, Items: parseDeclList(t, true, depth+1)}
	default:
		errExpected(t, "`world`, `interface` or `use`", n)
		return nil
	}
}

func parsePackageName(t *tokenizer, docs ast.Docs) ast.PackageName {
	ns := parseID(t)
	t.expect(tokColon)
	name := parseID(t)
	pn := ast.PackageName{Docs: docs, Namespace: ns, Name: name}
	end := name.Span.End
	if t.eat(tokAt) {
		pn.VerSpan, pn.Version = parseVersion(t)
		end = pn.VerSpan.End
	}
	pn.Span = span{Start: ns.Span.Start, End: end}
	return pn
}

func parseToplevelUse(t *tokenizer, attrs []ast.Attribute) *ast.ToplevelUse {
	u := &ast.ToplevelUse{Span: t.expect(tokUse), Attributes: attrs}
	u.Item = parseUsePath(t)
	if t.eat(tokAs) {
		id := parseID(t)
		u.As = &id
	}
	t.expect(tokSemicolon)
	return u
}

func parseWorld(t *tokenizer, docs ast.Docs, attrs []ast.Attribute) *ast.World {
	t.expect(tokWorld)
	w := &ast.World{Docs: docs, Attributes: attrs, Name: parseID(t)}
	t.expect(tokLeftBrace)
	l := &t.a.worldItems
	start := l.start()
	for {
		docs := parseDocs(t)
		if t.eat(tokRightBrace) {
			break
		}
		attrs := parseAttributes(t)
		item := parseWorldItem(t, docs, attrs)
		l.push(item)
	}
	w.Items = l.end(start)
	return w
}

func parseWorldItem(t *tokenizer, docs ast.Docs, attrs []ast.Attribute) ast.WorldItem {
	n := t.peek()
	if n.ok {
		switch n.kind {
		case tokImport:
			t.expect(tokImport)
			kind := parseExternKind(t)
			n := t.a.imports.alloc()
			*n = ast.Import{Docs: docs, Attributes: attrs, Kind: kind}
			return n
		case tokExport:
			t.expect(tokExport)
			kind := parseExternKind(t)
			n := t.a.exports.alloc()
			*n = ast.Export{Docs: docs, Attributes: attrs, Kind: kind}
			return n
		case tokUse:
			return parseUse(t, attrs)
		case tokType, tokFlags, tokResource, tokRecord, tokVariant, tokEnum:
			return parseTypeDef(t, n.kind, docs, attrs)
		case tokInclude:
			return parseInclude(t, attrs)
		}
	}
	errExpected(t, "`import`, `export`, `include`, `use`, or type definition", n)
	return nil
}

// parseExternKind parses what follows `import`/`export`. Like the reference
// it tries `name: func`, `name: interface` and `name: path` on a copy of the
// token stream before falling back to a plain path.
func parseExternKind(t *tokenizer) ast.ExternKind {
	c := *t
	id := parseID(&c)
	if c.eat(tokColon) {
		if f, a := c, c; f.eat(tokFunc) || a.eat(tokAsync) {
			*t = c
			fn := parseFunc(t)
			t.expect(tokSemicolon)
			return ast.ExternKind{Tag: ast.ExternFunc, Name: id, Func: &fn, Span: id.Span}
		}
		if c.eat(tokInterface) {
			*t = c
			return ast.ExternKind{Tag: ast.ExternInterface, Name: id, Items: parseInterfaceItems(t), Span: id.Span}
		}
		// `id:` may be a label (`import label: path;`) or the namespace of
		// `ns:pkg/iface`; it is the latter when `id /` follows.
		peek := c
		qualified := attempt(func() { parseID(&peek) }) && attempt(func() {
			s := peek
			if !s.eat(tokSlash) {
				panic(bailout{})
			}
		})
		if !qualified {
			*t = c
			path := parseUsePath(t)
			t.expect(tokSemicolon)
			return ast.ExternKind{Tag: ast.ExternNamedPath, Name: id, Path: path, Span: id.Span}
		}
	}
	path := parseUsePath(t)
	t.expect(tokSemicolon)
	return ast.ExternKind{Tag: ast.ExternPath, Path: path, Span: path.Name.Span}
}

func parseInterface(t *tokenizer, docs ast.Docs, attrs []ast.Attribute) *ast.Interface {
	t.expect(tokInterface)
	i := &ast.Interface{Docs: docs, Attributes: attrs, Name: parseID(t)}
	i.Items = parseInterfaceItems(t)
	return i
}

func parseInterfaceItems(t *tokenizer) []ast.InterfaceItem {
	t.expect(tokLeftBrace)
	l := &t.a.ifaceItems
	start := l.start()
	for {
		docs := parseDocs(t)
		if t.eat(tokRightBrace) {
			break
		}
		attrs := parseAttributes(t)
		n := t.peek()
		var item ast.InterfaceItem
		switch {
		case n.ok && (n.kind == tokType || n.kind == tokFlags || n.kind == tokEnum || n.kind == tokVariant || n.kind == tokResource || n.kind == tokRecord):
			item = parseTypeDef(t, n.kind, docs, attrs)
		case n.ok && (n.kind == tokId || n.kind == tokExplicitId):
			item = parseNamedFunc(t, docs, attrs)
		case n.ok && n.kind == tokUse:
			item = parseUse(t, attrs)
		default:
			errExpected(t, "`type`, `resource` or `func`", n)
		}
		l.push(item)
	}
	return l.end(start)
}

func parseUsePath(t *tokenizer) ast.UsePath {
	id := parseID(t)
	if !t.eat(tokColon) {
		return ast.UsePath{Name: id}
	}
	pkg := parseID(t)
	t.expect(tokSlash)
	name := parseID(t)
	pn := t.a.pkgNames.alloc()
	*pn = ast.PackageName{Namespace: id, Name: pkg, Span: span{Start: id.Span.Start, End: pkg.Span.End}}
	if t.eat(tokAt) {
		pn.VerSpan, pn.Version = parseVersion(t)
	}
	return ast.UsePath{Package: pn, Name: name}
}

func parseUse(t *tokenizer, attrs []ast.Attribute) *ast.Use {
	t.expect(tokUse)
	u := t.a.uses.alloc()
	*u = ast.Use{Attributes: attrs, From: parseUsePath(t)}
	t.expect(tokPeriod)
	t.expect(tokLeftBrace)
	l := &t.a.useNames
	start := l.start()
	for !t.eat(tokRightBrace) {
		n := ast.UseName{Name: parseID(t)}
		if t.eat(tokAs) {
			as := parseID(t)
			n.As = &as
		}
		l.push(n)
		if !t.eat(tokComma) {
			t.expect(tokRightBrace)
			break
		}
	}
	u.Names = l.end(start)
	t.expect(tokSemicolon)
	return u
}

func parseInclude(t *tokenizer, attrs []ast.Attribute) *ast.Include {
	t.expect(tokInclude)
	inc := &ast.Include{Attributes: attrs, From: parseUsePath(t)}
	if t.eat(tokWith) {
		t.expect(tokLeftBrace)
		parseListTrailer(t, tokRightBrace, func(ast.Docs) {
			name := parseID(t)
			t.expect(tokAs)
			inc.Names = append(inc.Names, ast.IncludeName{Name: name, As: parseID(t)})
		})
	} else {
		t.expect(tokSemicolon)
	}
	return inc
}

// parseListTrailer parses `item, item, ... end` with an optional trailing
// comma, handing each item's doc comments to item.
func parseListTrailer(t *tokenizer, end token, item func(ast.Docs)) {
	for {
		docs := parseDocs(t)
		if t.eat(end) {
			return
		}
		item(docs)
		if !t.eat(tokComma) {
			t.expect(end)
			return
		}
	}
}

func parseTypeDef(t *tokenizer, kind token, docs ast.Docs, attrs []ast.Attribute) *ast.TypeDef {
	t.expect(kind)
	td := t.a.typeDefs.alloc()
	*td = ast.TypeDef{Docs: docs, Attributes: attrs, Name: parseID(t)}
	nameSpan := td.Name.Span
	switch kind {
	case tokType:
		t.expect(tokEquals)
		td.Type = parseType(t, 0)
		t.expect(tokSemicolon)
	case tokFlags:
		fl := t.a.flagsT.alloc()
		*fl = ast.Flags{Span: nameSpan}
		l := &t.a.flags
		start := l.start()
		t.expect(tokLeftBrace)
		for {
			d := parseDocs(t)
			if t.eat(tokRightBrace) {
				break
			}
			l.push(ast.Flag{Docs: d, Name: parseID(t)})
			if !t.eat(tokComma) {
				t.expect(tokRightBrace)
				break
			}
		}
		fl.Flags = l.end(start)
		td.Type = fl
	case tokResource:
		r := t.a.res.alloc()
		*r = ast.Resource{Span: nameSpan}
		if t.eat(tokLeftBrace) {
			l := &t.a.resFuncs
			start := l.start()
			for !t.eat(tokRightBrace) {
				d := parseDocs(t)
				a := parseAttributes(t)
				f := parseResourceFunc(t, d, a)
				l.push(f)
			}
			r.Funcs = l.end(start)
		} else {
			t.expect(tokSemicolon)
		}
		td.Type = r
	case tokRecord:
		rec := t.a.records.alloc()
		*rec = ast.Record{Span: nameSpan}
		l := &t.a.fields
		start := l.start()
		t.expect(tokLeftBrace)
		for {
			d := parseDocs(t)
			if t.eat(tokRightBrace) {
				break
			}
			name := parseID(t)
			t.expect(tokColon)
			ty := parseType(t, 0)
			l.push(ast.Field{Docs: d, Name: name, Type: ty})
			if !t.eat(tokComma) {
				t.expect(tokRightBrace)
				break
			}
		}
		rec.Fields = l.end(start)
		td.Type = rec
	case tokVariant:
		v := t.a.variants.alloc()
		*v = ast.Variant{Span: nameSpan}
		l := &t.a.cases
		start := l.start()
		t.expect(tokLeftBrace)
		for {
			d := parseDocs(t)
			if t.eat(tokRightBrace) {
				break
			}
			c := ast.Case{Docs: d, Name: parseID(t)}
			if t.eat(tokLeftParen) {
				c.Type = parseType(t, 0)
				t.expect(tokRightParen)
			}
			l.push(c)
			if !t.eat(tokComma) {
				t.expect(tokRightBrace)
				break
			}
		}
		v.Cases = l.end(start)
		td.Type = v
	case tokEnum:
		e := t.a.enums.alloc()
		*e = ast.Enum{Span: nameSpan}
		l := &t.a.enumCases
		start := l.start()
		t.expect(tokLeftBrace)
		for {
			d := parseDocs(t)
			if t.eat(tokRightBrace) {
				break
			}
			l.push(ast.EnumCase{Docs: d, Name: parseID(t)})
			if !t.eat(tokComma) {
				t.expect(tokRightBrace)
				break
			}
		}
		e.Cases = l.end(start)
		td.Type = e
	}
	return td
}

func parseResourceFunc(t *tokenizer, docs ast.Docs, attrs []ast.Attribute) ast.ResourceFunc {
	n := t.peek()
	switch {
	case n.ok && n.kind == tokConstructor:
		t.expect(tokConstructor)
		t.expect(tokLeftParen)
		fn := ast.Func{Span: n.span, Params: parseParams(t)}
		if t.eat(tokRArrow) {
			fn.Result = parseType(t, 0)
		}
		t.expect(tokSemicolon)
		return ast.ResourceFunc{Kind: ast.ResourceConstructor, Func: ast.NamedFunc{
			Docs: docs, Attributes: attrs, Name: ast.Id{Name: "constructor", Span: n.span}, Func: fn,
		}}
	case n.ok && (n.kind == tokId || n.kind == tokExplicitId):
		name := parseID(t)
		t.expect(tokColon)
		kind := ast.ResourceMethod
		if t.eat(tokStatic) {
			kind = ast.ResourceStatic
		}
		fn := parseFunc(t)
		t.expect(tokSemicolon)
		return ast.ResourceFunc{Kind: kind, Func: ast.NamedFunc{Docs: docs, Attributes: attrs, Name: name, Func: fn}}
	}
	errExpected(t, "`constructor` or identifier", n)
	return ast.ResourceFunc{}
}

func parseNamedFunc(t *tokenizer, docs ast.Docs, attrs []ast.Attribute) *ast.NamedFunc {
	name := parseID(t)
	t.expect(tokColon)
	fn := parseFunc(t)
	t.expect(tokSemicolon)
	nf := t.a.funcs.alloc()
	*nf = ast.NamedFunc{Docs: docs, Attributes: attrs, Name: name, Func: fn}
	return nf
}

// parseFunc parses `async? func(params) (-> type)?`.
func parseFunc(t *tokenizer) ast.Func {
	async := t.eat(tokAsync)
	fn := ast.Func{Async: async, Span: t.expect(tokFunc)}
	t.expect(tokLeftParen)
	fn.Params = parseParams(t)
	if t.eat(tokRArrow) {
		fn.Result = parseType(t, 0)
	}
	return fn
}

// parseParams parses `name: type, ... )` after the opening parenthesis.
func parseParams(t *tokenizer) []ast.Param {
	l := &t.a.params
	start := l.start()
	for {
		parseDocs(t)
		if t.eat(tokRightParen) {
			break
		}
		name := parseID(t)
		t.expect(tokColon)
		ty := parseType(t, 0)
		l.push(ast.Param{Name: name, Type: ty})
		if !t.eat(tokComma) {
			t.expect(tokRightParen)
			break
		}
	}
	return l.end(start)
}

func parseID(t *tokenizer) ast.Id {
	n := t.mustNext()
	if n.ok {
		switch n.kind {
		case tokId:
			name := t.text(n.span)
			if err := validateID(n.span.Start, name); err != nil {
				lexFail(err)
			}
			return ast.Id{Name: name, Span: n.span}
		case tokExplicitId:
			name := t.text(n.span)[1:]
			if err := validateID(n.span.Start, name); err != nil {
				lexFail(err)
			}
			return ast.Id{Name: name, Span: n.span}
		}
	}
	errExpected(t, "an identifier or string", n)
	return ast.Id{}
}

// parseVersion parses a semver version after `@` (or in an attribute). The
// tokens are `int . int . int` then, loosely, `-` and `+` runs of
// identifiers, integers, `-` and `.`; the source text they cover is then
// checked as strict semver.
func parseVersion(t *tokenizer) (span, string) {
	start := t.expect(tokInteger).Start
	t.expect(tokPeriod)
	t.expect(tokInteger)
	t.expect(tokPeriod)
	sp := span{Start: start, End: t.expect(tokInteger).End}
	eatVersionIDs(t, tokMinus, &sp)
	eatVersionIDs(t, tokPlus, &sp)
	text := t.text(sp)
	if msg := checkSemver(text); msg != "" {
		fail(sp, "%s", msg)
	}
	return sp, text
}

func eatVersionIDs(t *tokenizer, prefix token, sp *span) {
	if !t.eat(prefix) {
		return
	}
	for {
		c := *t
		n := c.mustNext()
		if !n.ok {
			return
		}
		switch n.kind {
		case tokId, tokInteger, tokMinus:
		case tokPeriod:
			// A '.' not followed by more version text belongs to the WIT
			// syntax, as in `use a:b/c@1.0.0-a.{x}`.
			n = c.mustNext()
			if !n.ok || (n.kind != tokId && n.kind != tokInteger && n.kind != tokMinus) {
				return
			}
		default:
			return
		}
		sp.End = n.span.End
		*t = c
	}
}

// parseDocs collects the comments before the next token. Like the
// reference, every comment counts ("//" as well as "///" and "/** */"); the
// resolver strips the markers.
func parseDocs(t *tokenizer) ast.Docs {
	var docs ast.Docs
	if t.cached && t.cpos == t.pos {
		// The next token is known; without a '/' before it there is only
		// whitespace in between, so no comment.
		end := len(t.src)
		if t.cok {
			end = t.cspan.Start
		}
		if strings.IndexByte(t.src[t.pos:end], '/') < 0 {
			return docs
		}
	}
	started := false
	for {
		last := t.pos
		kind, sp, ok, err := t.nextRaw()
		if err != nil {
			lexFail(err)
		}
		if !ok {
			t.remember(tok{})
			break
		}
		switch kind {
		case tokWhitespace:
		case tokComment:
			if !started {
				docs.Span.Start = sp.Start
				started = true
			}
			end := sp.End
			for end > sp.Start && isTrailingSpace(t.src[end-1]) {
				end--
			}
			docs.Span.End = end
		default:
			// The token after the docs is what the parser looks at next:
			// keep it so that it is not lexed twice.
			t.pos = last
			t.remember(tok{kind, sp, true})
			return docs
		}
	}
	return docs
}

// isTrailingSpace is a byte strings.TrimRight(s, " \t\n\r\f") removes.
func isTrailingSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

func parseType(t *tokenizer, depth int) ast.Type {
	n := t.mustNext()
	if depth >= maxTypeDepth {
		sp := t.eofSpan()
		if n.ok {
			sp = n.span
		}
		fail(sp, "type nesting too deep")
	}
	if !n.ok {
		errExpected(t, "a type", n)
	}
	sp := n.span
	switch n.kind {
	case tokU8, tokU16, tokU32, tokU64, tokS8, tokS16, tokS32, tokS64,
		tokF32, tokF64, tokChar, tokBool, tokString, tokErrorContext:
		p := t.a.prims.alloc()
		*p = ast.Primitive{Name: t.text(sp), Span: sp}
		return p
	case tokTuple:
		tu := &ast.Tuple{Span: sp}
		l := &t.a.types
		start := l.start()
		t.expect(tokLessThan)
		for {
			parseDocs(t)
			if t.eat(tokGreaterThan) {
				break
			}
			l.push(parseType(t, depth+1))
			if !t.eat(tokComma) {
				t.expect(tokGreaterThan)
				break
			}
		}
		tu.Types = l.end(start)
		return tu
	case tokList:
		t.expect(tokLessThan)
		elem := parseType(t, depth+1)
		if t.eat(tokComma) {
			num := t.mustNext()
			if !num.ok || num.kind != tokInteger {
				errExpected(t, "fixed-length", num)
			}
			size, err := strconv.ParseUint(t.text(num.span), 10, 32)
			if err != nil {
				fail(num.span, "invalid list size: number too large to fit in target type")
			}
			t.expect(tokGreaterThan)
			return &ast.FixedLengthList{Span: sp, Elem: elem, Size: uint32(size)}
		}
		t.expect(tokGreaterThan)
		l := t.a.lists.alloc()
		*l = ast.List{Span: sp, Elem: elem}
		return l
	case tokMap:
		t.expect(tokLessThan)
		key := parseType(t, depth+1)
		t.expect(tokComma)
		value := parseType(t, depth+1)
		t.expect(tokGreaterThan)
		return &ast.Map{Span: sp, Key: key, Value: value}
	case tokOption:
		t.expect(tokLessThan)
		elem := parseType(t, depth+1)
		t.expect(tokGreaterThan)
		o := t.a.options.alloc()
		*o = ast.Option{Span: sp, Elem: elem}
		return o
	case tokResult:
		r := t.a.results.alloc()
		*r = ast.Result{Span: sp}
		if t.eat(tokLessThan) {
			if t.eat(tokUnderscore) {
				t.expect(tokComma)
				r.Err = parseType(t, depth+1)
			} else {
				r.Ok = parseType(t, depth+1)
				if t.eat(tokComma) {
					r.Err = parseType(t, depth+1)
				}
			}
			t.expect(tokGreaterThan)
		}
		return r
	case tokFuture:
		f := &ast.Future{Span: sp}
		if t.eat(tokLessThan) {
			f.Elem = parseType(t, depth+1)
			t.expect(tokGreaterThan)
		}
		return f
	case tokStream:
		s := &ast.Stream{Span: sp}
		if t.eat(tokLessThan) {
			s.Elem = parseType(t, depth+1)
			t.expect(tokGreaterThan)
		}
		return s
	case tokOwn, tokBorrow:
		t.expect(tokLessThan)
		res := parseID(t)
		t.expect(tokGreaterThan)
		// The reference points handle errors at the resource's name.
		h := t.a.handles.alloc()
		*h = ast.Handle{Span: res.Span, Borrow: n.kind == tokBorrow, Resource: res}
		return h
	case tokId:
		name := t.text(sp)
		if err := validateID(sp.Start, name); err != nil {
			lexFail(err)
		}
		nm := t.a.names.alloc()
		*nm = ast.Name{Id: ast.Id{Name: name, Span: sp}}
		return nm
	case tokExplicitId:
		name := t.text(sp)[1:]
		if err := validateID(sp.Start, name); err != nil {
			lexFail(err)
		}
		nm := t.a.names.alloc()
		*nm = ast.Name{Id: ast.Id{Name: name, Span: sp}}
		return nm
	}
	errExpected(t, "a type", n)
	return nil
}

func parseAttributes(t *tokenizer) []ast.Attribute {
	l := &t.a.attrs
	start := l.start()
	for t.eat(tokAt) {
		id := parseID(t)
		a := ast.Attribute{Span: id.Span}
		switch id.Name {
		case "since", "deprecated":
			a.Kind = ast.AttrSince
			if id.Name == "deprecated" {
				a.Kind = ast.AttrDeprecated
			}
			t.expect(tokLeftParen)
			eatID(t, "version")
			t.expect(tokEquals)
			_, a.Value = parseVersion(t)
			t.expect(tokRightParen)
		case "unstable":
			a.Kind = ast.AttrUnstable
			t.expect(tokLeftParen)
			eatID(t, "feature")
			t.expect(tokEquals)
			a.Value = parseID(t).Name
			t.expect(tokRightParen)
		case "external-id":
			a.Kind = ast.AttrExternalID
			t.expect(tokLeftParen)
			sp := t.expect(tokStringLiteral)
			t.expect(tokRightParen)
			s := tokenizer{src: t.src, pos: sp.Start + 1}
			val, err := s.lexString(sp.Start)
			if err != nil {
				lexFail(err)
			}
			a.Value = val
		default:
			fail(id.Span, "unknown attribute `%s`", id.Name)
		}
		l.push(a)
	}
	return l.end(start)
}

func eatID(t *tokenizer, want string) {
	id := parseID(t)
	if id.Name != want {
		fail(id.Span, "expected `%s`, found `%s`", want, id.Name)
	}
}
