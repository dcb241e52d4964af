// Package genotype holds NAS search spaces as data and the discrete cells derived from them:
// op tables, genotypes, their JSON and DARTS Python text forms, discretisation rules and
// cell diagrams.
package genotype

import (
	"fmt"
	"slices"
	"strings"
)

// A Gene is one op on one edge of a discrete cell.
//
// From and To are state indices: 0 = c_{k-2}, 1 = c_{k-1}, 2+i = intermediate node i. To is
// stored explicitly, as in the FairDARTS triples (op, to, from), so a node can have any
// number of inputs; in a DARTS genotype it is 2 + (gene index)/2.
type Gene struct {
	Op   string `json:"op"`
	From int    `json:"from"`
	To   int    `json:"to"`
}

// ConcatForm says how the Python text writes a concat list.
type ConcatForm int

const (
	// ConcatRange writes range(2, 6), as Python 3 prints the genotype of
	// model_search.py (and FairDARTS's genotypes.py has it). Lists that are not
	// contiguous are still written as lists.
	ConcatRange ConcatForm = iota
	// ConcatList writes [2, 3, 4, 5], as the published DARTS_V1/DARTS_V2 in
	// quark0/darts cnn/genotypes.py have it.
	ConcatList
)

// A Genotype is a discrete architecture of a DARTS-topology space: the genes of the normal
// and the reduction cell and the states each cell concatenates into its output.
//
// JSON form (fields in this order; every field required, no others allowed):
//
//	{
//	  "space": "darts",                                   // a SpaceNames name
//	  "normal": [{"op": "sep_conv_3x3", "from": 0, "to": 2}, ...],
//	  "normal_concat": [2, 3, 4, 5],
//	  "reduce": [{"op": "max_pool_3x3", "from": 0, "to": 2}, ...],
//	  "reduce_concat": [2, 3, 4, 5]
//	}
//
// A space with Arity 2 requires its genes in node order, two per node.
type Genotype struct {
	Space        string `json:"space"`
	Normal       []Gene `json:"normal"`
	NormalConcat []int  `json:"normal_concat"`
	Reduce       []Gene `json:"reduce"`
	ReduceConcat []int  `json:"reduce_concat"`
	// Form is how Python writes the concat lists; the Python parser records the form it
	// read, so text read and written again comes out the same. JSON does not carry it.
	Form ConcatForm `json:"-"`
}

// Genes returns the gene list of one cell kind.
func (g *Genotype) Genes(kind CellKind) []Gene {
	if kind == Reduce {
		return g.Reduce
	}
	return g.Normal
}

// Concat returns the concat list of one cell kind.
func (g *Genotype) Concat(kind CellKind) []int {
	if kind == Reduce {
		return g.ReduceConcat
	}
	return g.NormalConcat
}

// NodeGenes groups the genes of one cell by intermediate node: element i holds, in gene
// order, the genes feeding node i (state i+2). Nodes with no input get an empty list. The
// evaluation network builds node i as the sum of these ops, as DARTS's model.py and
// FairDARTS's DCOCell do.
func (g *Genotype) NodeGenes(kind CellKind) [][]Gene {
	steps, inputs := 4, 2
	if s, err := SpaceByName(g.Space); err == nil {
		steps, inputs = s.Steps, s.Inputs
	}
	nodes := make([][]Gene, steps)
	for i := range nodes {
		nodes[i] = []Gene{}
	}
	for _, gn := range g.Genes(kind) {
		if i := gn.To - inputs; i >= 0 && i < steps {
			nodes[i] = append(nodes[i], gn)
		}
	}
	return nodes
}

// Clone returns a deep copy.
func (g *Genotype) Clone() *Genotype {
	c := *g
	c.Normal = slices.Clone(g.Normal)
	c.Reduce = slices.Clone(g.Reduce)
	c.NormalConcat = slices.Clone(g.NormalConcat)
	c.ReduceConcat = slices.Clone(g.ReduceConcat)
	return &c
}

// Validate checks g against its space. The error is one line naming the field, e.g.
// `normal[3].op: "sep_conv_9x9" is not an op of space darts (edge 1->3)`.
func (g *Genotype) Validate() error {
	s, err := SpaceByName(g.Space)
	if err != nil {
		return fmt.Errorf("space: %v", err)
	}
	if s.Topology != TopologyDARTS {
		return fmt.Errorf("space: %s is a NAS-Bench-201 space; its cells are NB201Cell strings, not genotypes", s.Name)
	}
	for _, kind := range []CellKind{Normal, Reduce} {
		if err := validateCell(s, kind, g.Genes(kind)); err != nil {
			return err
		}
		if err := validateConcat(s, kind.String()+"_concat", g.Concat(kind)); err != nil {
			return err
		}
	}
	return nil
}

func validateCell(s *Space, kind CellKind, genes []Gene) error {
	field := kind.String()
	if s.Arity > 0 && len(genes) != s.Arity*s.Steps {
		return fmt.Errorf("%s: %d genes, want %d (%d per node for space %s)", field, len(genes), s.Arity*s.Steps, s.Arity, s.Name)
	}
	first, last := s.Inputs, s.Inputs+s.Steps-1
	for i, gn := range genes {
		if gn.To < first || gn.To > last {
			return fmt.Errorf("%s[%d].to: %d out of range, want %d..%d", field, i, gn.To, first, last)
		}
		if s.Arity > 0 && gn.To != first+i/s.Arity {
			return fmt.Errorf("%s[%d].to: %d, want %d (space %s lists %d genes per node in node order)", field, i, gn.To, first+i/s.Arity, s.Name, s.Arity)
		}
		if gn.From < 0 || gn.From >= gn.To {
			return fmt.Errorf("%s[%d].from: %d out of range for node %d, want 0..%d", field, i, gn.From, gn.To-s.Inputs, gn.To-1)
		}
		e := s.EdgeIndex(gn.To, gn.From)
		if s.OpIndex(kind, e, gn.Op) < 0 {
			return fmt.Errorf("%s[%d].op: %q is not an op of space %s (edge %d->%d offers %s)", field, i, gn.Op, s.Name, gn.From, gn.To, strings.Join(s.rows(kind)[e], ", "))
		}
	}
	return nil
}

func validateConcat(s *Space, field string, concat []int) error {
	if len(concat) == 0 {
		return fmt.Errorf("%s: empty, want a list of node states within %d..%d", field, s.Inputs, s.Inputs+s.Steps-1)
	}
	for i, c := range concat {
		if c < s.Inputs || c >= s.Inputs+s.Steps {
			return fmt.Errorf("%s[%d]: %d out of range, want %d..%d", field, i, c, s.Inputs, s.Inputs+s.Steps-1)
		}
		if i > 0 && c <= concat[i-1] {
			return fmt.Errorf("%s[%d]: %d after %d, want strictly increasing", field, i, c, concat[i-1])
		}
	}
	return nil
}

// SkipCount counts skip_connect genes, the number DARTS's collapse is watched by.
func SkipCount(genes []Gene) int {
	n := 0
	for _, g := range genes {
		if g.Op == SkipConnect {
			n++
		}
	}
	return n
}

// ParameterFreeCount counts genes whose op has no weights (see IsParameterFree). In a
// reduction cell the edges from the two cell inputs have stride 2.
func ParameterFreeCount(genes []Gene, kind CellKind) int {
	n := 0
	for _, g := range genes {
		stride := 1
		if kind == Reduce && g.From < 2 {
			stride = 2
		}
		if IsParameterFree(g.Op, stride) {
			n++
		}
	}
	return n
}

// EmptyNodes describes the intermediate nodes that received no input: possible only in a
// variable-arity (FairDARTS) genotype. Node numbers are 0-based (node i is state i+2).
type EmptyNodes struct {
	Normal, Reduce []int
	// NormalCollapsed and ReduceCollapsed are true when every node of that cell is
	// empty: the cell outputs nothing, the collapse of FairDARTS when every weight falls
	// below the threshold (DSCD paper, figure 1).
	NormalCollapsed, ReduceCollapsed bool
}

// Empty returns the nodes of g with no input.
func (g *Genotype) Empty() EmptyNodes {
	steps := 4
	inputs := 2
	if s, err := SpaceByName(g.Space); err == nil {
		steps, inputs = s.Steps, s.Inputs
	}
	var e EmptyNodes
	for _, kind := range []CellKind{Normal, Reduce} {
		has := make([]bool, steps)
		for _, gn := range g.Genes(kind) {
			if i := gn.To - inputs; i >= 0 && i < steps {
				has[i] = true
			}
		}
		var empty []int
		for i, h := range has {
			if !h {
				empty = append(empty, i)
			}
		}
		if kind == Normal {
			e.Normal, e.NormalCollapsed = empty, len(empty) == steps
		} else {
			e.Reduce, e.ReduceCollapsed = empty, len(empty) == steps
		}
	}
	return e
}

// Any reports whether some node is empty.
func (e EmptyNodes) Any() bool { return len(e.Normal)+len(e.Reduce) > 0 }

// String says in one line which nodes are empty, or "" when none is, e.g.
// "normal cell collapsed: no node has an input; reduce cell: node 1 has no input".
func (e EmptyNodes) String() string {
	var parts []string
	for _, c := range []struct {
		name      string
		nodes     []int
		collapsed bool
	}{{"normal", e.Normal, e.NormalCollapsed}, {"reduce", e.Reduce, e.ReduceCollapsed}} {
		switch {
		case c.collapsed:
			parts = append(parts, c.name+" cell collapsed: no node has an input")
		case len(c.nodes) == 1:
			parts = append(parts, fmt.Sprintf("%s cell: node %d has no input", c.name, c.nodes[0]))
		case len(c.nodes) > 1:
			s := make([]string, len(c.nodes))
			for i, n := range c.nodes {
				s[i] = fmt.Sprint(n)
			}
			parts = append(parts, fmt.Sprintf("%s cell: nodes %s have no input", c.name, strings.Join(s, ", ")))
		}
	}
	return strings.Join(parts, "; ")
}
