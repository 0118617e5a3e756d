package wac

import (
	"strings"

	"github.com/wasmcm/wasmcm/wit"
)

// maxDepth bounds nesting of expressions and types.
const maxDepth = 100

type parser struct {
	l       lexer
	peeked  *token
	lastEnd int // end offset of the last consumed token
	depth   int
}

// Parse parses a WAC document.
func Parse(src string) (*Document, error) {
	p := &parser{l: lexer{src: src}}
	d, err := p.document()
	if err != nil {
		return nil, err
	}
	return d, nil
}

func (p *parser) peek() (token, error) {
	if p.peeked == nil {
		t, err := p.l.next()
		if err != nil {
			return t, err
		}
		if t.kind == tEOF && p.lastEnd > 0 {
			// The reference points at the last character of input.
			t.span = Span{p.lastEnd - 1, 1}
		}
		p.peeked = &t
	}
	return *p.peeked, nil
}

func (p *parser) take() (token, error) {
	t, err := p.peek()
	if err != nil {
		return t, err
	}
	p.peeked = nil
	if t.kind != tEOF {
		p.lastEnd = t.span.Offset + t.span.Len
	}
	return t, nil
}

func (p *parser) is(text string) bool {
	t, err := p.peek()
	return err == nil && (t.kind == tPunct || t.kind == tKeyword) && t.text == text
}

func (p *parser) accept(text string) (bool, error) {
	t, err := p.peek()
	if err != nil {
		return false, err
	}
	if (t.kind == tPunct || t.kind == tKeyword) && t.text == text {
		p.take()
		return true, nil
	}
	return false, nil
}

func expectedMsg(what []string, t token) *Error {
	var want string
	switch len(what) {
	case 1:
		want = what[0]
	case 2:
		want = "either " + what[0] + " or " + what[1]
	default:
		want = "either " + strings.Join(what[:len(what)-1], ", ") + ", or " + what[len(what)-1]
	}
	return Errorf(t.span, "expected %s, found %s", want, describeTok(t))
}

func quoteTok(text string) string {
	if keywords[text] {
		return "`" + text + "` keyword"
	}
	return "`" + text + "`"
}

func (p *parser) expect(text string) (token, error) {
	t, err := p.peek()
	if err != nil {
		return t, err
	}
	if (t.kind == tPunct || t.kind == tKeyword) && t.text == text {
		return p.take()
	}
	return t, expectedMsg([]string{quoteTok(text)}, t)
}

func (p *parser) ident() (Ident, error) {
	t, err := p.peek()
	if err != nil {
		return Ident{}, err
	}
	if t.kind != tIdent {
		return Ident{}, expectedMsg([]string{"identifier"}, t)
	}
	p.take()
	return Ident{Name: t.text, Span: t.span}, nil
}

// pathIdent reads an identifier of a package path, where keywords are
// allowed (test:comp/world).
func (p *parser) pathIdent() (Ident, error) {
	t, err := p.peek()
	if err != nil {
		return Ident{}, err
	}
	if t.kind == tKeyword {
		p.take()
		return Ident{Name: t.text, Span: t.span}, nil
	}
	return p.ident()
}

func join(a, b Span) Span { return Span{a.Offset, b.Offset + b.Len - a.Offset} }

func (p *parser) since(start int) Span { return Span{start, p.lastEnd - start} }

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		t, _ := p.peek()
		return Errorf(t.span, "nesting is too deep")
	}
	return nil
}

func (p *parser) document() (*Document, error) {
	d := &Document{}
	t, err := p.peek()
	if err != nil {
		return nil, err
	}
	if t.kind != tKeyword || t.text != "package" {
		return nil, expectedMsg([]string{"`package` keyword"}, t)
	}
	p.take()
	if d.Package, err = p.packageName(); err != nil {
		return nil, err
	}
	if ok, err := p.accept("targets"); err != nil {
		return nil, err
	} else if ok {
		path, err := p.packagePath()
		if err != nil {
			return nil, err
		}
		d.Targets = path
	}
	if _, err := p.expect(";"); err != nil {
		return nil, err
	}
	for {
		t, err := p.peek()
		if err != nil {
			return nil, err
		}
		if t.kind == tEOF {
			return d, nil
		}
		s, err := p.statement()
		if err != nil {
			return nil, err
		}
		d.Stmts = append(d.Stmts, s)
	}
}

func (p *parser) versionAfterAt() (string, Span, error) {
	v := p.l.version()
	p.lastEnd = v.span.Offset + v.span.Len
	if _, err := wit.ParseVersion(v.text); err != nil || v.text == "" {
		sp := v.span
		if sp.Len == 0 {
			sp.Len = 1
		}
		return "", sp, Errorf(sp, "`%s` is not a valid semantic version", v.text)
	}
	return v.text, v.span, nil
}

// packageName reads ns:name(:more)*(@version)?.
func (p *parser) packageName() (PackageName, error) {
	first, err := p.ident()
	if err != nil {
		return PackageName{}, err
	}
	name := first.Name
	if _, err := p.expect(":"); err != nil {
		return PackageName{}, err
	}
	for {
		id, err := p.ident()
		if err != nil {
			return PackageName{}, err
		}
		name += ":" + id.Name
		if ok, err := p.accept(":"); err != nil {
			return PackageName{}, err
		} else if !ok {
			break
		}
	}
	pn := PackageName{Name: name}
	if p.is("@") {
		p.take()
		if pn.Version, pn.VersionSpan, err = p.versionAfterAt(); err != nil {
			return pn, err
		}
	}
	pn.Span = p.since(first.Span.Offset)
	return pn, nil
}

// packagePath reads ns:pkg/item(/item)*(@version)?.
func (p *parser) packagePath() (*PackagePath, error) {
	first, err := p.ident()
	if err != nil {
		return nil, err
	}
	return p.packagePathFrom(first)
}

func (p *parser) packagePathFrom(first Ident) (*PackagePath, error) {
	pp := &PackagePath{Package: first.Name}
	if _, err := p.expect(":"); err != nil {
		return nil, err
	}
	for {
		id, err := p.pathIdent()
		if err != nil {
			return nil, err
		}
		pp.Package += ":" + id.Name
		if ok, err := p.accept(":"); err != nil {
			return nil, err
		} else if !ok {
			break
		}
	}
	for {
		ok, err := p.accept("/")
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		id, err := p.pathIdent()
		if err != nil {
			return nil, err
		}
		pp.Segments = append(pp.Segments, id.Name)
	}
	if len(pp.Segments) == 0 {
		t, _ := p.peek()
		return nil, expectedMsg([]string{"`/`"}, t)
	}
	if p.is("@") {
		p.take()
		var err error
		if pp.Version, pp.VersionSpan, err = p.versionAfterAt(); err != nil {
			return nil, err
		}
	}
	pp.Span = p.since(first.Span.Offset)
	return pp, nil
}

func (p *parser) externName() (*ExternName, error) {
	t, err := p.peek()
	if err != nil {
		return nil, err
	}
	switch t.kind {
	case tIdent:
		p.take()
		return &ExternName{Name: t.text, Span: t.span}, nil
	case tString:
		p.take()
		return &ExternName{Name: t.text, IsString: true, Span: t.span}, nil
	}
	return nil, expectedMsg([]string{"identifier", "string"}, t)
}

var statementStarts = []string{"`import` keyword", "`let` keyword", "`export` keyword", "`interface` keyword", "`world` keyword", "`variant` keyword", "`record` keyword", "`flags` keyword", "`enum` keyword", "`type` keyword"}

func (p *parser) statement() (Stmt, error) {
	t, err := p.peek()
	if err != nil {
		return Stmt{}, err
	}
	if t.kind == tKeyword {
		switch t.text {
		case "import":
			s, err := p.importStmt()
			return Stmt{Import: s}, err
		case "let":
			s, err := p.letStmt()
			return Stmt{Let: s}, err
		case "export":
			s, err := p.exportStmt()
			return Stmt{Export: s}, err
		case "interface":
			d, err := p.interfaceDecl()
			return Stmt{Type: &TypeStmt{Interface: d}}, err
		case "world":
			d, err := p.worldDecl()
			return Stmt{Type: &TypeStmt{World: d}}, err
		case "variant", "record", "flags", "enum", "type":
			d, err := p.typeDecl(false)
			return Stmt{Type: &TypeStmt{Decl: d}}, err
		}
	}
	return Stmt{}, expectedMsg(statementStarts, t)
}

func (p *parser) importStmt() (*ImportStmt, error) {
	start, _ := p.take()
	s := &ImportStmt{}
	var err error
	if s.ID, err = p.ident(); err != nil {
		return nil, err
	}
	if ok, err := p.accept("with"); err != nil {
		return nil, err
	} else if ok {
		if s.As, err = p.externName(); err != nil {
			return nil, err
		}
	} else if ok, err := p.accept("as"); err != nil {
		return nil, err
	} else if ok {
		if s.As, err = p.externName(); err != nil {
			return nil, err
		}
	}
	if _, err := p.expect(":"); err != nil {
		return nil, err
	}
	t, err := p.peek()
	if err != nil {
		return nil, err
	}
	tstart := t.span.Offset
	switch {
	case t.kind == tKeyword && t.text == "func":
		if s.Type.Func, err = p.funcType(); err != nil {
			return nil, err
		}
	case t.kind == tKeyword && t.text == "interface":
		if s.Type.Interface, err = p.inlineInterface(); err != nil {
			return nil, err
		}
	case t.kind == tIdent:
		id, _ := p.ident()
		if p.is(":") {
			if s.Type.Path, err = p.packagePathFrom(id); err != nil {
				return nil, err
			}
		} else {
			s.Type.Ident = &id
		}
	default:
		return nil, expectedMsg([]string{"`func` keyword", "`interface` keyword", "identifier"}, t)
	}
	s.Type.Span = p.since(tstart)
	if _, err := p.expect(";"); err != nil {
		return nil, err
	}
	s.Span = p.since(start.span.Offset)
	return s, nil
}

func (p *parser) letStmt() (*LetStmt, error) {
	p.take()
	s := &LetStmt{}
	var err error
	if s.ID, err = p.ident(); err != nil {
		return nil, err
	}
	if _, err := p.expect("="); err != nil {
		return nil, err
	}
	if s.Expr, err = p.expr(); err != nil {
		return nil, err
	}
	_, err = p.expect(";")
	return s, err
}

func (p *parser) exportStmt() (*ExportStmt, error) {
	start, _ := p.take()
	s := &ExportStmt{}
	var err error
	if s.Expr, err = p.expr(); err != nil {
		return nil, err
	}
	if p.is("...") {
		t, _ := p.take()
		s.Spread, s.SpreadSpan = true, t.span
	} else if p.is("with") || p.is("as") {
		p.take()
		if s.As, err = p.externName(); err != nil {
			return nil, err
		}
	}
	if _, err := p.expect(";"); err != nil {
		return nil, err
	}
	s.Span = p.since(start.span.Offset)
	return s, nil
}

func (p *parser) expr() (Expr, error) {
	if err := p.enter(); err != nil {
		return Expr{}, err
	}
	defer func() { p.depth-- }()
	t, err := p.peek()
	if err != nil {
		return Expr{}, err
	}
	e := Expr{}
	switch {
	case t.kind == tKeyword && t.text == "new":
		if e.New, err = p.newExpr(); err != nil {
			return e, err
		}
	case t.kind == tPunct && t.text == "(":
		p.take()
		inner, err := p.expr()
		if err != nil {
			return e, err
		}
		if _, err := p.expect(")"); err != nil {
			return e, err
		}
		e.Nested = &inner
	case t.kind == tIdent:
		id, _ := p.ident()
		e.Ident = &id
	default:
		return e, expectedMsg([]string{"`new` keyword", "identifier", "`(`"}, t)
	}
	e.PrimarySpan = p.since(t.span.Offset)
	for {
		if p.is(".") {
			dot, _ := p.take()
			id, err := p.ident()
			if err != nil {
				return e, err
			}
			e.Postfix = append(e.Postfix, Postfix{Name: id.Name, Span: join(dot.span, id.Span)})
			continue
		}
		if p.is("[") {
			open, _ := p.take()
			s, err := p.peek()
			if err != nil {
				return e, err
			}
			if s.kind != tString {
				return e, expectedMsg([]string{"string"}, s)
			}
			p.take()
			if _, err := p.expect("]"); err != nil {
				return e, err
			}
			e.Postfix = append(e.Postfix, Postfix{Name: s.text, IsNamed: true, Span: p.since(open.span.Offset)})
			continue
		}
		break
	}
	e.Span = p.since(t.span.Offset)
	return e, nil
}

func (p *parser) newExpr() (*NewExpr, error) {
	start, _ := p.take()
	n := &NewExpr{}
	var err error
	if n.Package, err = p.packageName(); err != nil {
		return nil, err
	}
	if _, err := p.expect("{"); err != nil {
		return nil, err
	}
	for !p.is("}") {
		t, err := p.peek()
		if err != nil {
			return nil, err
		}
		var a InstArg
		switch {
		case t.kind == tPunct && t.text == "...":
			p.take()
			nt, err := p.peek()
			if err != nil {
				return nil, err
			}
			if nt.kind == tIdent {
				id, _ := p.ident()
				a.Spread = &id
			} else {
				n.Fill, n.FillSpan = true, t.span
				if !p.is("}") {
					if _, err := p.accept(","); err != nil {
						return nil, err
					}
					if nt, _ := p.peek(); nt.kind != tPunct || nt.text != "}" {
						return nil, Errorf(t.span, "implicit import argument `...` must be the last argument")
					}
				}
				continue
			}
		case t.kind == tIdent:
			id, _ := p.ident()
			if p.is(":") {
				p.take()
				e, err := p.expr()
				if err != nil {
					return nil, err
				}
				a.Name, a.Expr = &ExternName{Name: id.Name, Span: id.Span}, &e
			} else {
				a.Ident = &id
			}
		case t.kind == tString:
			p.take()
			if _, err := p.expect(":"); err != nil {
				return nil, err
			}
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			a.Name, a.Expr = &ExternName{Name: t.text, IsString: true, Span: t.span}, &e
		default:
			return nil, expectedMsg([]string{"`}`", "identifier", "string", "`...`"}, t)
		}
		a.Span = p.since(t.span.Offset)
		if n.Fill {
			return nil, Errorf(n.FillSpan, "implicit import argument `...` must be the last argument")
		}
		n.Args = append(n.Args, a)
		if ok, err := p.accept(","); err != nil {
			return nil, err
		} else if !ok {
			break
		}
	}
	if _, err := p.expect("}"); err != nil {
		return nil, err
	}
	n.Span = p.since(start.span.Offset)
	return n, nil
}

func (p *parser) interfaceDecl() (*InterfaceDecl, error) {
	p.take()
	d := &InterfaceDecl{}
	var err error
	if d.ID, err = p.ident(); err != nil {
		return nil, err
	}
	d.Items, err = p.interfaceBody()
	return d, err
}

func (p *parser) inlineInterface() (*InlineInterface, error) {
	start, _ := p.take()
	items, err := p.interfaceBody()
	if err != nil {
		return nil, err
	}
	return &InlineInterface{Items: items, Span: p.since(start.span.Offset)}, nil
}

func (p *parser) interfaceBody() ([]InterfaceItem, error) {
	if _, err := p.expect("{"); err != nil {
		return nil, err
	}
	var items []InterfaceItem
	for {
		t, err := p.peek()
		if err != nil {
			return nil, err
		}
		if t.kind == tPunct && t.text == "}" {
			p.take()
			return items, nil
		}
		switch {
		case t.kind == tKeyword && t.text == "use":
			u, err := p.use()
			if err != nil {
				return nil, err
			}
			items = append(items, InterfaceItem{Use: u})
		case t.kind == tKeyword && (t.text == "resource" || t.text == "variant" || t.text == "record" || t.text == "flags" || t.text == "enum" || t.text == "type"):
			d, err := p.typeDecl(true)
			if err != nil {
				return nil, err
			}
			items = append(items, InterfaceItem{Decl: d})
		case t.kind == tIdent:
			id, _ := p.ident()
			if _, err := p.expect(":"); err != nil {
				return nil, err
			}
			ref, err := p.funcTypeRef()
			if err != nil {
				return nil, err
			}
			if _, err := p.expect(";"); err != nil {
				return nil, err
			}
			items = append(items, InterfaceItem{Export: &InterfaceExport{ID: id, Func: ref}})
		default:
			return nil, expectedMsg([]string{"`use` keyword", "`type` keyword", "`resource` keyword", "`variant` keyword", "`record` keyword", "`flags` keyword", "`enum` keyword", "identifier", "`}`"}, t)
		}
	}
}

func (p *parser) funcTypeRef() (FuncTypeRef, error) {
	t, err := p.peek()
	if err != nil {
		return FuncTypeRef{}, err
	}
	if t.kind == tKeyword && t.text == "func" {
		f, err := p.funcType()
		if err != nil {
			return FuncTypeRef{}, err
		}
		return FuncTypeRef{Func: f, Span: f.Span}, nil
	}
	if t.kind == tIdent {
		id, _ := p.ident()
		return FuncTypeRef{Ident: &id, Span: id.Span}, nil
	}
	return FuncTypeRef{}, expectedMsg([]string{"`func` keyword", "identifier"}, t)
}

func (p *parser) use() (*Use, error) {
	start, _ := p.take()
	u := &Use{}
	id, err := p.ident()
	if err != nil {
		return nil, err
	}
	if p.is(":") {
		if u.Path.Path, err = p.packagePathFrom(id); err != nil {
			return nil, err
		}
	} else {
		u.Path.Ident = &id
	}
	u.Path.Span = p.since(id.Span.Offset)
	if _, err := p.expect("."); err != nil {
		return nil, err
	}
	if _, err := p.expect("{"); err != nil {
		return nil, err
	}
	for {
		it := UseItem{}
		if it.ID, err = p.ident(); err != nil {
			return nil, err
		}
		if ok, err := p.accept("as"); err != nil {
			return nil, err
		} else if ok {
			as, err := p.ident()
			if err != nil {
				return nil, err
			}
			it.As = &as
		}
		u.Items = append(u.Items, it)
		if ok, err := p.accept(","); err != nil {
			return nil, err
		} else if !ok || p.is("}") {
			break
		}
	}
	if _, err := p.expect("}"); err != nil {
		return nil, err
	}
	if _, err := p.expect(";"); err != nil {
		return nil, err
	}
	u.Span = p.since(start.span.Offset)
	return u, nil
}

func (p *parser) worldDecl() (*WorldDecl, error) {
	p.take()
	d := &WorldDecl{}
	var err error
	if d.ID, err = p.ident(); err != nil {
		return nil, err
	}
	if _, err := p.expect("{"); err != nil {
		return nil, err
	}
	for {
		t, err := p.peek()
		if err != nil {
			return nil, err
		}
		if t.kind == tPunct && t.text == "}" {
			p.take()
			return d, nil
		}
		switch {
		case t.kind == tKeyword && t.text == "use":
			u, err := p.use()
			if err != nil {
				return nil, err
			}
			d.Items = append(d.Items, WorldItem{Use: u})
		case t.kind == tKeyword && (t.text == "resource" || t.text == "variant" || t.text == "record" || t.text == "flags" || t.text == "enum" || t.text == "type"):
			td, err := p.typeDecl(true)
			if err != nil {
				return nil, err
			}
			d.Items = append(d.Items, WorldItem{Decl: td})
		case t.kind == tKeyword && (t.text == "import" || t.text == "export"):
			p.take()
			wp, err := p.worldItemPath()
			if err != nil {
				return nil, err
			}
			if _, err := p.expect(";"); err != nil {
				return nil, err
			}
			if t.text == "import" {
				d.Items = append(d.Items, WorldItem{Import: wp})
			} else {
				d.Items = append(d.Items, WorldItem{Export: wp})
			}
		case t.kind == tKeyword && t.text == "include":
			inc, err := p.include()
			if err != nil {
				return nil, err
			}
			d.Items = append(d.Items, WorldItem{Include: inc})
		default:
			return nil, expectedMsg([]string{"`use` keyword", "`type` keyword", "`import` keyword", "`export` keyword", "`include` keyword", "`}`"}, t)
		}
	}
}

func (p *parser) worldItemPath() (*WorldItemPath, error) {
	id, err := p.ident()
	if err != nil {
		return nil, err
	}
	wp := &WorldItemPath{}
	switch {
	case p.is(":"):
		// Either a package path (ns:pkg/...) or a named item (id: type).
		p.take()
		t, err := p.peek()
		if err != nil {
			return nil, err
		}
		switch {
		case t.kind == tKeyword && t.text == "func":
			wp.Named = &id
			if wp.Func, err = p.funcType(); err != nil {
				return nil, err
			}
		case t.kind == tKeyword && t.text == "interface":
			wp.Named = &id
			if wp.Iface, err = p.inlineInterface(); err != nil {
				return nil, err
			}
		case t.kind == tIdent:
			second, _ := p.ident()
			if p.is("/") || p.is(":") {
				// ns:pkg/iface: reparse as a path.
				pp := &PackagePath{Package: id.Name + ":" + second.Name}
				for p.is(":") {
					p.take()
					more, err := p.ident()
					if err != nil {
						return nil, err
					}
					pp.Package += ":" + more.Name
				}
				for p.is("/") {
					p.take()
					seg, err := p.pathIdent()
					if err != nil {
						return nil, err
					}
					pp.Segments = append(pp.Segments, seg.Name)
				}
				if p.is("@") {
					p.take()
					if pp.Version, pp.VersionSpan, err = p.versionAfterAt(); err != nil {
						return nil, err
					}
				}
				pp.Span = p.since(id.Span.Offset)
				wp.Path = pp
			} else {
				wp.Named, wp.Ref = &id, &second
			}
		default:
			return nil, expectedMsg([]string{"`func` keyword", "`interface` keyword", "identifier"}, t)
		}
	default:
		wp.Ref = &id
	}
	wp.Span = p.since(id.Span.Offset)
	return wp, nil
}

func (p *parser) include() (*Include, error) {
	start, _ := p.take()
	inc := &Include{}
	id, err := p.ident()
	if err != nil {
		return nil, err
	}
	if p.is(":") {
		if inc.Path, err = p.packagePathFrom(id); err != nil {
			return nil, err
		}
	} else {
		inc.ID = &id
	}
	if ok, err := p.accept("with"); err != nil {
		return nil, err
	} else if ok {
		if _, err := p.expect("{"); err != nil {
			return nil, err
		}
		for !p.is("}") {
			var w IncludeWith
			if w.Name, err = p.ident(); err != nil {
				return nil, err
			}
			if _, err := p.expect("as"); err != nil {
				return nil, err
			}
			if w.As, err = p.ident(); err != nil {
				return nil, err
			}
			inc.With = append(inc.With, w)
			if ok, err := p.accept(","); err != nil {
				return nil, err
			} else if !ok {
				break
			}
		}
		if _, err := p.expect("}"); err != nil {
			return nil, err
		}
	}
	if _, err := p.expect(";"); err != nil {
		return nil, err
	}
	inc.Span = p.since(start.span.Offset)
	return inc, nil
}

// typeDecl reads resource (when allowed), variant, record, flags, enum or
// a type alias.
func (p *parser) typeDecl(resources bool) (*TypeDecl, error) {
	kw, _ := p.take()
	d := &TypeDecl{}
	var err error
	if d.ID, err = p.ident(); err != nil {
		return nil, err
	}
	switch kw.text {
	case "resource":
		if !resources {
			return nil, Errorf(kw.span, "resources can only be declared in interfaces and worlds")
		}
		d.Kind = DeclResource
		if ok, err := p.accept(";"); err != nil || ok {
			d.Span = p.since(kw.span.Offset)
			return d, err
		}
		if _, err := p.expect("{"); err != nil {
			return nil, err
		}
		for !p.is("}") {
			t, err := p.peek()
			if err != nil {
				return nil, err
			}
			var m ResourceMethod
			switch {
			case t.kind == tKeyword && t.text == "constructor":
				p.take()
				m.Constructor, m.ID = true, Ident{Name: "constructor", Span: t.span}
				params, err := p.params()
				if err != nil {
					return nil, err
				}
				m.Func = FuncType{Params: params, Span: p.since(t.span.Offset)}
			case t.kind == tIdent:
				m.ID, _ = p.ident()
				if _, err := p.expect(":"); err != nil {
					return nil, err
				}
				if ok, err := p.accept("static"); err != nil {
					return nil, err
				} else {
					m.Static = ok
				}
				f, err := p.funcType()
				if err != nil {
					return nil, err
				}
				m.Func = *f
			default:
				return nil, expectedMsg([]string{"`constructor` keyword", "identifier", "`}`"}, t)
			}
			if _, err := p.expect(";"); err != nil {
				return nil, err
			}
			d.Methods = append(d.Methods, m)
		}
		p.take()
	case "variant":
		d.Kind = DeclVariant
		if _, err := p.expect("{"); err != nil {
			return nil, err
		}
		if p.is("}") {
			t, _ := p.peek()
			return nil, Errorf(t.span, "variant must contain at least one case")
		}
		for !p.is("}") {
			var c VariantCase
			if c.ID, err = p.ident(); err != nil {
				return nil, err
			}
			if ok, err := p.accept("("); err != nil {
				return nil, err
			} else if ok {
				t, err := p.typeRef()
				if err != nil {
					return nil, err
				}
				c.Type = &t
				if _, err := p.expect(")"); err != nil {
					return nil, err
				}
			}
			d.Cases = append(d.Cases, c)
			if ok, err := p.accept(","); err != nil {
				return nil, err
			} else if !ok {
				break
			}
		}
		if _, err := p.expect("}"); err != nil {
			return nil, err
		}
	case "record":
		d.Kind = DeclRecord
		if _, err := p.expect("{"); err != nil {
			return nil, err
		}
		if p.is("}") {
			t, _ := p.peek()
			return nil, Errorf(t.span, "record must contain at least one field")
		}
		for !p.is("}") {
			nt, err := p.namedType()
			if err != nil {
				if t, _ := p.peek(); t.kind == tEOF {
					return nil, expectedMsg([]string{"`}`", "identifier"}, t)
				}
				return nil, err
			}
			d.Fields = append(d.Fields, nt)
			if ok, err := p.accept(","); err != nil {
				return nil, err
			} else if !ok {
				break
			}
		}
		if _, err := p.expect("}"); err != nil {
			return nil, err
		}
	case "flags", "enum":
		d.Kind = DeclFlags
		what := "flags must contain at least one flag"
		if kw.text == "enum" {
			d.Kind, what = DeclEnum, "enum must contain at least one case"
		}
		if _, err := p.expect("{"); err != nil {
			return nil, err
		}
		if p.is("}") {
			t, _ := p.peek()
			return nil, Errorf(t.span, "%s", what)
		}
		for !p.is("}") {
			id, err := p.ident()
			if err != nil {
				return nil, err
			}
			d.Names = append(d.Names, id)
			if ok, err := p.accept(","); err != nil {
				return nil, err
			} else if !ok {
				break
			}
		}
		if _, err := p.expect("}"); err != nil {
			return nil, err
		}
	case "type":
		d.Kind = DeclAlias
		if _, err := p.expect("="); err != nil {
			return nil, err
		}
		if p.is("func") {
			if d.AliasFunc, err = p.funcType(); err != nil {
				return nil, err
			}
		} else {
			t, err := p.typeRef()
			if err != nil {
				return nil, err
			}
			d.AliasType = &t
		}
		if _, err := p.expect(";"); err != nil {
			return nil, err
		}
	}
	d.Span = p.since(kw.span.Offset)
	return d, nil
}

func (p *parser) namedType() (NamedType, error) {
	id, err := p.ident()
	if err != nil {
		return NamedType{}, err
	}
	if _, err := p.expect(":"); err != nil {
		return NamedType{}, err
	}
	t, err := p.typeRef()
	return NamedType{ID: id, Type: t}, err
}

func (p *parser) params() ([]NamedType, error) {
	if _, err := p.expect("("); err != nil {
		return nil, err
	}
	var out []NamedType
	for !p.is(")") {
		nt, err := p.namedType()
		if err != nil {
			return nil, err
		}
		out = append(out, nt)
		if ok, err := p.accept(","); err != nil {
			return nil, err
		} else if !ok {
			break
		}
	}
	_, err := p.expect(")")
	return out, err
}

func (p *parser) funcType() (*FuncType, error) {
	start, err := p.expect("func")
	if err != nil {
		return nil, err
	}
	f := &FuncType{}
	if f.Params, err = p.params(); err != nil {
		return nil, err
	}
	if ok, err := p.accept("->"); err != nil {
		return nil, err
	} else if ok {
		if p.is("(") {
			p.take()
			f.HasNamed = true
			for !p.is(")") {
				nt, err := p.namedType()
				if err != nil {
					return nil, err
				}
				f.NamedResults = append(f.NamedResults, nt)
				if ok, err := p.accept(","); err != nil {
					return nil, err
				} else if !ok {
					break
				}
			}
			if _, err := p.expect(")"); err != nil {
				return nil, err
			}
		} else {
			t, err := p.typeRef()
			if err != nil {
				return nil, err
			}
			f.Result = &t
		}
	}
	f.Span = p.since(start.span.Offset)
	return f, nil
}

var primNames = []string{"u8", "s8", "u16", "s16", "u32", "s32", "u64", "s64", "f32", "f64", "char", "bool", "string"}

func (p *parser) typeRef() (TypeRef, error) {
	if err := p.enter(); err != nil {
		return TypeRef{}, err
	}
	defer func() { p.depth-- }()
	t, err := p.peek()
	if err != nil {
		return TypeRef{}, err
	}
	if t.kind == tIdent {
		p.take()
		return TypeRef{Kind: TypeIdent, Name: t.text, Span: t.span}, nil
	}
	if t.kind == tKeyword {
		for _, n := range primNames {
			if t.text == n {
				p.take()
				return TypeRef{Kind: TypePrim, Name: n, Span: t.span}, nil
			}
		}
		switch t.text {
		case "tuple", "list", "option", "borrow":
			p.take()
			kinds := map[string]TypeKind{"tuple": TypeTuple, "list": TypeList, "option": TypeOption, "borrow": TypeBorrow}
			r := TypeRef{Kind: kinds[t.text]}
			if _, err := p.expect("<"); err != nil {
				return r, err
			}
			for {
				e, err := p.typeRef()
				if err != nil {
					return r, err
				}
				r.Elems = append(r.Elems, e)
				if r.Kind != TypeTuple {
					break
				}
				if ok, err := p.accept(","); err != nil {
					return r, err
				} else if !ok || p.is(">") {
					break
				}
			}
			if _, err := p.expect(">"); err != nil {
				return r, err
			}
			r.Span = p.since(t.span.Offset)
			return r, nil
		case "result":
			p.take()
			r := TypeRef{Kind: TypeResult}
			if ok, err := p.accept("<"); err != nil {
				return r, err
			} else if ok {
				if p.is("_") {
					p.take()
				} else {
					ok, err := p.typeRef()
					if err != nil {
						return r, err
					}
					r.Ok = &ok
				}
				if c, err := p.accept(","); err != nil {
					return r, err
				} else if c {
					e, err := p.typeRef()
					if err != nil {
						return r, err
					}
					r.Err = &e
				}
				if _, err := p.expect(">"); err != nil {
					return r, err
				}
			}
			r.Span = p.since(t.span.Offset)
			return r, nil
		}
	}
	want := []string{"`func` keyword"}
	for _, n := range primNames[:10] {
		want = append(want, "`"+n+"` keyword")
	}
	e := expectedMsg(append(want[:11], "or more..."), t)
	e.Msg = strings.Replace(e.Msg, ", or or more...", ", or more...", 1)
	return TypeRef{}, e
}
