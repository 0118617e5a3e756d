// Package wat reads and writes the WebAssembly text format for components
// and core modules.
//
// Parse assembles a (component ...) or (module ...) text into its binary
// form. It follows the reference assembler (wasm-tools' wast crate) in every
// choice the text leaves open — where implied types go, which aliases an
// export reference creates, how sections are grouped, the name sections — so
// that it gives the same bytes. Print goes the other way, in the layout of
// the reference printer.
package wat

import (
	"bytes"
)

// Parse assembles the text src (named name in errors) into a component or
// core module binary. Errors are *Error values located in src.
func Parse(name string, src []byte) ([]byte, error) {
	s := &source{name: name, src: string(src)}
	top, err := s.read()
	if err != nil {
		return nil, err
	}
	if len(top) == 0 {
		return nil, s.errorf(0, "expected `(component` or `(module`, found the end of the text")
	}
	first := top[0]
	if first.kind == kList && (first.head() == "component" || first.head() == "module") {
		if len(top) > 1 {
			return nil, s.errorf(top[1].pos, "unexpected %s after the end of the %s", top[1].describe(), first.head())
		}
		c := s.cursor(first, 1)
		if first.head() == "module" {
			id, _ := c.optID()
			name, _, err := c.optNameAnnot()
			if err != nil {
				return nil, err
			}
			if c.optKw("binary") {
				return binaryForm(c)
			}
			m, err := parseModule(c, id, name)
			if err != nil {
				return nil, err
			}
			return m.encode()
		}
		return s.component(c)
	}
	// A module may be written as its fields alone.
	root := &node{kind: kList, kids: top, end: len(src) + 1}
	m, err := parseModule(s.cursor(root, 0), "", "")
	if err != nil {
		return nil, err
	}
	return m.encode()
}

// binaryForm reads (module binary "...") or (component binary "...").
func binaryForm(c *cur) ([]byte, error) {
	var b bytes.Buffer
	for !c.done() {
		s, err := c.str()
		if err != nil {
			return nil, err
		}
		b.WriteString(s)
	}
	return b.Bytes(), nil
}

func (s *source) component(c *cur) ([]byte, error) {
	id, _ := c.optID()
	name, _, err := c.optNameAnnot()
	if err != nil {
		return nil, err
	}
	if c.optKw("binary") {
		return binaryForm(c)
	}
	p := &compParser{s: s}
	fields, err := p.fields(c, 0)
	if err != nil {
		return nil, err
	}
	fields = s.expandFields(fields)
	r := &resolver{s: s}
	comp, err := r.component(id, name, fields)
	if err != nil {
		return nil, err
	}
	return comp.Encode(), nil
}
