package genotype

import (
	"fmt"
	"strconv"
	"strings"
)

// Python text form: the repr of the DARTS namedtuple,
//
//	Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ...], normal_concat=range(2, 6), reduce=[...], reduce_concat=range(2, 6))
//
// Fixed-arity genotypes (spaces with Arity 2) are written with pairs (op, from), two per
// node in node order, as quark0/darts does. Variable-arity genotypes (space fair7) are
// written with the triples (op, to, from) of xiaomi-automl/FairDARTS fairdarts/utils.py
// parse(): the text alone then says which node each gene feeds, and an empty node is
// simply absent.

// Python formats g as Python text, writing concat lists in g.Form.
func (g *Genotype) Python() string { return g.PythonForm(g.Form) }

// String is g.Python().
func (g *Genotype) String() string { return g.Python() }

// PythonForm formats g as Python text with concat lists written in the given form.
func (g *Genotype) PythonForm(form ConcatForm) string {
	triples := !g.pairsFit()
	var b strings.Builder
	b.WriteString("Genotype(")
	for i, kind := range []CellKind{Normal, Reduce} {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(kind.String())
		b.WriteString("=[")
		for j, gn := range g.Genes(kind) {
			if j > 0 {
				b.WriteString(", ")
			}
			if triples {
				fmt.Fprintf(&b, "('%s', %d, %d)", gn.Op, gn.To, gn.From)
			} else {
				fmt.Fprintf(&b, "('%s', %d)", gn.Op, gn.From)
			}
		}
		b.WriteString("], ")
		b.WriteString(kind.String())
		b.WriteString("_concat=")
		writeConcat(&b, g.Concat(kind), form)
	}
	b.WriteString(")")
	return b.String()
}

// pairsFit says whether g is written with pairs: its space has a fixed arity of 2 (an
// unknown space: its genes happen to be two per node in node order).
func (g *Genotype) pairsFit() bool {
	if s, err := SpaceByName(g.Space); err == nil {
		return s.Arity == 2
	}
	for _, kind := range []CellKind{Normal, Reduce} {
		for i, gn := range g.Genes(kind) {
			if gn.To != 2+i/2 {
				return false
			}
		}
	}
	return true
}

func writeConcat(b *strings.Builder, c []int, form ConcatForm) {
	contiguous := len(c) > 0
	for i := 1; i < len(c); i++ {
		if c[i] != c[i-1]+1 {
			contiguous = false
		}
	}
	if form == ConcatRange && contiguous {
		fmt.Fprintf(b, "range(%d, %d)", c[0], c[len(c)-1]+1)
		return
	}
	b.WriteString("[")
	for i, v := range c {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(v))
	}
	b.WriteString("]")
}

// ParsePython reads the Python text of one genotype, optionally preceded by `NAME = `
// (so one line of a genotypes.py works), with comments and line breaks anywhere Python
// allows them. Concat lists may be written range(a, b), list(range(a, b)) or [2, 3, 4, 5].
//
// space names the space to validate against; "" infers it from the form: pairs mean darts,
// triples fair7 (RobustDARTS genotypes, whose ops differ, need their space named).
// The genotype is validated; errors are one line naming the field or the line and column.
func ParsePython(text, space string) (*Genotype, error) {
	p := &pyParser{src: text, line: 1, col: 1}
	p.next()
	g, arity, err := p.genotype()
	if err != nil {
		return nil, err
	}
	g.Space = space
	if space == "" {
		g.Space = "darts"
		if arity == 3 {
			g.Space = "fair7"
		}
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	return g, nil
}

type tokKind int

const (
	tokEOF tokKind = iota
	tokIdent
	tokInt
	tokString
	tokPunct
)

type token struct {
	kind      tokKind
	text      string
	line, col int
}

func (t token) String() string {
	switch t.kind {
	case tokEOF:
		return "end of text"
	case tokString:
		return strconv.Quote(t.text)
	}
	return "'" + t.text + "'"
}

type pyParser struct {
	src       string
	pos       int
	line, col int
	tok       token
	err       error
}

func (p *pyParser) advance() {
	if p.src[p.pos] == '\n' {
		p.line++
		p.col = 1
	} else {
		p.col++
	}
	p.pos++
}

// next reads the next token into p.tok, skipping blanks, line breaks and comments.
func (p *pyParser) next() {
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '#' {
			for p.pos < len(p.src) && p.src[p.pos] != '\n' {
				p.advance()
			}
			continue
		}
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\\' {
			p.advance()
			continue
		}
		break
	}
	t := token{line: p.line, col: p.col}
	if p.pos >= len(p.src) {
		p.tok = t
		return
	}
	start := p.pos
	c := p.src[p.pos]
	switch {
	case isIdentByte(c) && !isDigit(c):
		for p.pos < len(p.src) && isIdentByte(p.src[p.pos]) {
			p.advance()
		}
		t.kind, t.text = tokIdent, p.src[start:p.pos]
	case isDigit(c) || (c == '-' && p.pos+1 < len(p.src) && isDigit(p.src[p.pos+1])):
		p.advance()
		for p.pos < len(p.src) && isDigit(p.src[p.pos]) {
			p.advance()
		}
		t.kind, t.text = tokInt, p.src[start:p.pos]
	case c == '\'' || c == '"':
		p.advance()
		for p.pos < len(p.src) && p.src[p.pos] != c && p.src[p.pos] != '\n' {
			p.advance()
		}
		if p.pos >= len(p.src) || p.src[p.pos] != c {
			p.fail(t, "unterminated string")
			t.kind = tokEOF
			p.tok = t
			return
		}
		t.kind, t.text = tokString, p.src[start+1:p.pos]
		p.advance()
	default:
		p.advance()
		t.kind, t.text = tokPunct, p.src[start:p.pos]
	}
	p.tok = t
}

func isDigit(c byte) bool     { return c >= '0' && c <= '9' }
func isIdentByte(c byte) bool { return c == '_' || isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'z' }
func (p *pyParser) fail(t token, format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf("line %d col %d: %s", t.line, t.col, fmt.Sprintf(format, args...))
	}
}

// expect consumes punctuation s or records an error.
func (p *pyParser) expect(s string) bool {
	if p.err != nil {
		return false
	}
	if p.tok.kind != tokPunct || p.tok.text != s {
		p.fail(p.tok, "expected '%s', found %s", s, p.tok)
		return false
	}
	p.next()
	return true
}

func (p *pyParser) is(s string) bool { return p.tok.kind == tokPunct && p.tok.text == s }

// genotype parses [NAME =] Genotype(key=value, ...) and returns the arity of the gene
// tuples it saw (2 or 3; 0 when every list was empty).
func (p *pyParser) genotype() (*Genotype, int, error) {
	if p.tok.kind == tokIdent && p.tok.text != "Genotype" {
		p.next()
		p.expect("=")
	}
	if p.err == nil && (p.tok.kind != tokIdent || p.tok.text != "Genotype") {
		p.fail(p.tok, "expected Genotype(, found %s", p.tok)
	}
	if p.err != nil {
		return nil, 0, p.err
	}
	p.next()
	p.expect("(")
	g := &Genotype{}
	seen := map[string]bool{}
	arity := 0
	listForm := map[string]bool{}
	for p.err == nil && !p.is(")") {
		key := p.tok
		if key.kind != tokIdent {
			p.fail(key, "expected a field name, found %s", key)
			break
		}
		if seen[key.text] {
			p.fail(key, "field %s given twice", key.text)
			break
		}
		seen[key.text] = true
		p.next()
		p.expect("=")
		switch key.text {
		case "normal", "reduce":
			genes, a := p.genes(key.text)
			if a != 0 && arity != 0 && a != arity {
				p.fail(key, "%s: mixes (op, from) pairs and (op, to, from) triples", key.text)
			}
			if a != 0 {
				arity = a
			}
			if key.text == "normal" {
				g.Normal = genes
			} else {
				g.Reduce = genes
			}
		case "normal_concat", "reduce_concat":
			c, list := p.concat()
			listForm[key.text] = list
			if key.text == "normal_concat" {
				g.NormalConcat = c
			} else {
				g.ReduceConcat = c
			}
		default:
			p.fail(key, "unknown field %s, want normal, normal_concat, reduce, reduce_concat", key.text)
		}
		if p.err == nil && !p.is(")") {
			p.expect(",")
		}
	}
	p.expect(")")
	if p.err == nil && p.tok.kind != tokEOF {
		p.fail(p.tok, "expected end of text after Genotype(...), found %s", p.tok)
	}
	if p.err != nil {
		return nil, 0, p.err
	}
	for _, k := range []string{"normal", "normal_concat", "reduce", "reduce_concat"} {
		if !seen[k] {
			return nil, 0, fmt.Errorf("%s: missing", k)
		}
	}
	if listForm["normal_concat"] {
		g.Form = ConcatList
	}
	if arity == 2 {
		// Pairs list two genes per node in node order (model.py _compile reads them so).
		for _, genes := range [][]Gene{g.Normal, g.Reduce} {
			for i := range genes {
				genes[i].To = 2 + i/2
			}
		}
	}
	return g, arity, nil
}

// genes parses a list of (op, from) pairs or (op, to, from) triples.
func (p *pyParser) genes(field string) ([]Gene, int) {
	genes := []Gene{}
	arity := 0
	p.expect("[")
	for p.err == nil && !p.is("]") {
		start := p.tok
		p.expect("(")
		if p.err == nil && p.tok.kind != tokString {
			p.fail(p.tok, "%s[%d]: expected an op name in quotes, found %s", field, len(genes), p.tok)
		}
		gn := Gene{Op: p.tok.text}
		p.next()
		var ints []int
		for p.err == nil && p.is(",") {
			p.next()
			if p.is(")") {
				break
			}
			ints = append(ints, p.integer())
		}
		p.expect(")")
		if p.err != nil {
			break
		}
		switch len(ints) {
		case 1:
			gn.From = ints[0]
		case 2:
			gn.To, gn.From = ints[0], ints[1]
		default:
			p.fail(start, "%s[%d]: want ('op', from) or ('op', to, from), found %d numbers", field, len(genes), len(ints))
		}
		if a := len(ints) + 1; arity != 0 && a != arity {
			p.fail(start, "%s[%d]: mixes (op, from) pairs and (op, to, from) triples", field, len(genes))
		} else {
			arity = a
		}
		genes = append(genes, gn)
		if !p.is("]") {
			p.expect(",")
		}
	}
	p.expect("]")
	return genes, arity
}

func (p *pyParser) integer() int {
	if p.err != nil {
		return 0
	}
	if p.tok.kind != tokInt {
		p.fail(p.tok, "expected an integer, found %s", p.tok)
		return 0
	}
	v, err := strconv.Atoi(p.tok.text)
	if err != nil {
		p.fail(p.tok, "integer %s out of range", p.tok.text)
	}
	p.next()
	return v
}

// concat parses [a, b, ...], range(a, b), range(b) or list(range(...)); list reports
// whether it was written as a list of numbers.
func (p *pyParser) concat() (c []int, list bool) {
	c = []int{}
	if p.is("[") {
		p.next()
		for p.err == nil && !p.is("]") {
			c = append(c, p.integer())
			if !p.is("]") {
				p.expect(",")
			}
		}
		p.expect("]")
		return c, true
	}
	wrapped := false
	if p.tok.kind == tokIdent && p.tok.text == "list" {
		wrapped = true
		p.next()
		p.expect("(")
	}
	if p.err == nil && (p.tok.kind != tokIdent || p.tok.text != "range") {
		p.fail(p.tok, "expected a concat list [..] or range(a, b), found %s", p.tok)
		return nil, false
	}
	p.next()
	p.expect("(")
	lo, hi := 0, p.integer()
	if p.is(",") {
		p.next()
		lo, hi = hi, p.integer()
	}
	p.expect(")")
	if wrapped {
		p.expect(")")
	}
	for v := lo; v < hi && v < lo+64; v++ {
		c = append(c, v)
	}
	return c, false
}
