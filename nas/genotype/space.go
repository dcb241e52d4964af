package genotype

import (
	"fmt"
	"slices"
	"strings"
)

// Op names, spelled as the reference code spells them, so that genotypes read and written
// here are interchangeable with the Python text of quark0/darts and its descendants.
const (
	None         = "none"
	MaxPool3x3   = "max_pool_3x3"
	AvgPool3x3   = "avg_pool_3x3"
	SkipConnect  = "skip_connect"
	SepConv3x3   = "sep_conv_3x3"
	SepConv5x5   = "sep_conv_5x5"
	DilConv3x3   = "dil_conv_3x3"
	DilConv5x5   = "dil_conv_5x5"
	Noise        = "noise"                // RobustDARTS S4: Gaussian noise, automl/RobustDARTS src/spaces.py
	NorConv1x1   = "nor_conv_1x1"         // NAS-Bench-201: ReLU-Conv-BN 1x1, xautodl cell_operations.py
	NorConv3x3   = "nor_conv_3x3"         // NAS-Bench-201: ReLU-Conv-BN 3x3
	VariableConv = "kernel_variable_conv" // ZO-DARTS++: ReLU-Conv-BN whose kernel (7, 5 or 3) is searched too
)

// CellKind says which of the two cell types of a DARTS network a gene list belongs to.
type CellKind int

const (
	Normal CellKind = iota
	Reduce
)

// String returns "normal" or "reduce", the words the genotype text and JSON use.
func (k CellKind) String() string {
	if k == Reduce {
		return "reduce"
	}
	return "normal"
}

// Topology says how the nodes of a cell are wired and which genotype type describes it.
type Topology int

const (
	// TopologyDARTS: two input states c_{k-2}, c_{k-1}; each intermediate node sums ops
	// on edges from every earlier state; the output concatenates intermediate nodes.
	// Discrete cells are Genotype values. [quark0/darts cnn/model_search.py]
	TopologyDARTS Topology = iota
	// TopologyNB201: one input node; every node sums one op from each earlier node; the
	// last node is the output. Discrete cells are NB201Cell values. [xautodl, NAS-Bench-201]
	TopologyNB201
)

// Space describes a search space as data: the cell wiring and the candidate ops of every
// edge of the normal and the reduction cell.
//
// States are numbered 0..Inputs+Steps-1: first the cell inputs, then the intermediate
// nodes in order, so intermediate node i is state Inputs+i. Intermediate node i has one
// edge from each state 0..Inputs+i-1, and edges are numbered node by node, sources in
// increasing order: this is the row order of the architecture weights (alphas) of the
// reference code. For the DARTS cell that gives 2+3+4+5 = 14 edges; for the NAS-Bench-201
// cell (node 0 the input, nodes 1..3 computed) 1+2+3 = 6 edges.
type Space struct {
	Name     string
	Topology Topology
	// Inputs is the number of input states: 2 (c_{k-2}, c_{k-1}) for DARTS, 1 for NB201.
	Inputs int
	// Steps is the number of intermediate nodes: 4 for DARTS ("steps" in model_search.py),
	// 3 for NB201 (max_nodes 4 minus the input node).
	Steps int
	// Arity is how many inputs every node of a genotype of this space has: 2 for the
	// DARTS-style spaces, whose discretisation keeps the two strongest edges; 0 when it
	// varies per node (FairDARTS: 0, 1 or 2 inputs survive the threshold); 1 for NB201
	// edges, where every edge keeps exactly one op.
	Arity int
	// normal and reduce hold the ops of every edge, in edge order. An NB201 space has
	// no reduction cell (its reductions are fixed ResNet blocks): reduce is nil.
	normal, reduce [][]string
}

// The op tables. Order matters: it is the column order of the architecture weights and it
// decides ties (the lower index wins).
var (
	// dartsOps is PRIMITIVES of quark0/darts cnn/genotypes.py.
	dartsOps = []string{None, MaxPool3x3, AvgPool3x3, SkipConnect, SepConv3x3, SepConv5x5, DilConv3x3, DilConv5x5}
	// fairOps is PRIMITIVES of xiaomi-automl/FairDARTS fairdarts/genotypes.py: no none.
	fairOps = []string{MaxPool3x3, AvgPool3x3, SkipConnect, SepConv3x3, SepConv5x5, DilConv3x3, DilConv5x5}
	// nb201Ops is NAS_BENCH_201 of xautodl models/cell_operations.py.
	nb201Ops = []string{None, SkipConnect, NorConv1x1, NorConv3x3, AvgPool3x3}
	// nb201VariedOps is NAS_BENCH_201_VARIED of HikariX/ZO-DARTS_PP cell_operations.py.
	nb201VariedOps = []string{None, SkipConnect, NorConv1x1, VariableConv, AvgPool3x3}

	// robustS1Normal and robustS1Reduce are primitives_1 of automl/RobustDARTS
	// src/spaces.py: the two ops of each of the 14 edges, found by the paper as the two
	// strongest ops of each edge of a DARTS search.
	robustS1Normal = [][]string{
		{SkipConnect, DilConv3x3}, {SkipConnect, DilConv5x5},
		{SkipConnect, DilConv5x5}, {SkipConnect, SepConv3x3}, {SkipConnect, DilConv3x3},
		{MaxPool3x3, SkipConnect}, {SkipConnect, SepConv3x3}, {SkipConnect, SepConv3x3}, {SkipConnect, DilConv3x3},
		{SkipConnect, SepConv3x3}, {MaxPool3x3, SkipConnect}, {SkipConnect, DilConv3x3}, {DilConv3x3, DilConv5x5}, {DilConv3x3, DilConv5x5},
	}
	robustS1Reduce = [][]string{
		{MaxPool3x3, AvgPool3x3}, {MaxPool3x3, DilConv3x3},
		{MaxPool3x3, AvgPool3x3}, {MaxPool3x3, AvgPool3x3}, {SkipConnect, DilConv5x5},
		{MaxPool3x3, AvgPool3x3}, {MaxPool3x3, SepConv3x3}, {SkipConnect, DilConv3x3}, {SkipConnect, DilConv5x5},
		{MaxPool3x3, AvgPool3x3}, {MaxPool3x3, AvgPool3x3}, {SkipConnect, DilConv5x5}, {SkipConnect, DilConv5x5}, {SkipConnect, DilConv5x5},
	}
	// S2, S3, S4 of the same file: one op list for all 14 edges of both cells.
	robustS2 = []string{SkipConnect, SepConv3x3}
	robustS3 = []string{None, SkipConnect, SepConv3x3}
	robustS4 = []string{Noise, SepConv3x3}
)

// spaces lists every space by name, in the order SpaceNames reports them.
var spaces = []*Space{
	dartsSpace("darts", 2, uniform(dartsOps, 14), uniform(dartsOps, 14)),
	dartsSpace("fair7", 0, uniform(fairOps, 14), uniform(fairOps, 14)),
	dartsSpace("s1", 2, robustS1Normal, robustS1Reduce),
	dartsSpace("s2", 2, uniform(robustS2, 14), uniform(robustS2, 14)),
	dartsSpace("s3", 2, uniform(robustS3, 14), uniform(robustS3, 14)),
	dartsSpace("s4", 2, uniform(robustS4, 14), uniform(robustS4, 14)),
	{Name: "nb201", Topology: TopologyNB201, Inputs: 1, Steps: 3, Arity: 1, normal: uniform(nb201Ops, 6)},
	{Name: "nb201-varied", Topology: TopologyNB201, Inputs: 1, Steps: 3, Arity: 1, normal: uniform(nb201VariedOps, 6)},
}

func dartsSpace(name string, arity int, normal, reduce [][]string) *Space {
	return &Space{Name: name, Topology: TopologyDARTS, Inputs: 2, Steps: 4, Arity: arity, normal: normal, reduce: reduce}
}

func uniform(ops []string, edges int) [][]string {
	rows := make([][]string, edges)
	for i := range rows {
		rows[i] = ops
	}
	return rows
}

// SpaceNames returns the names SpaceByName knows: darts (DARTS, 8 ops), fair7
// (FairDARTS, 7 ops), s1..s4 (RobustDARTS), nb201 (NAS-Bench-201, 5 ops) and
// nb201-varied (ZO-DARTS++).
func SpaceNames() []string {
	names := make([]string, len(spaces))
	for i, s := range spaces {
		names[i] = s.Name
	}
	return names
}

// SpaceByName returns the named space. The result is shared; do not modify it.
func SpaceByName(name string) (*Space, error) {
	for _, s := range spaces {
		if s.Name == name {
			return s, nil
		}
	}
	return nil, fmt.Errorf("unknown search space %q, want one of %s", name, strings.Join(SpaceNames(), ", "))
}

// An Edge connects state From to intermediate node state To.
type Edge struct{ To, From int }

// NumEdges is the number of edges of one cell (14 for DARTS, 6 for NB201).
func (s *Space) NumEdges() int {
	return s.Steps*s.Inputs + s.Steps*(s.Steps-1)/2
}

// Edges returns the edges of one cell in edge order.
func (s *Space) Edges() []Edge {
	edges := make([]Edge, 0, s.NumEdges())
	for i := range s.Steps {
		for j := range s.Inputs + i {
			edges = append(edges, Edge{To: s.Inputs + i, From: j})
		}
	}
	return edges
}

// EdgeIndex returns the row of edge from -> to in edge order, or -1 when the cell has no
// such edge.
func (s *Space) EdgeIndex(to, from int) int {
	i := to - s.Inputs
	if i < 0 || i >= s.Steps || from < 0 || from >= to {
		return -1
	}
	// Nodes before i own Inputs+k edges each, k = 0..i-1.
	return i*s.Inputs + i*(i-1)/2 + from
}

// HasReduce says whether the space searches a reduction cell (false for NB201, whose
// reductions are fixed blocks).
func (s *Space) HasReduce() bool { return s.reduce != nil }

// Ops returns the candidate ops of one edge of one cell kind, in weight-column order.
// The slice is a copy.
func (s *Space) Ops(kind CellKind, edge int) []string {
	rows := s.rows(kind)
	if rows == nil || edge < 0 || edge >= len(rows) {
		panic(fmt.Sprintf("genotype: Space.Ops: space %s has no %s edge %d", s.Name, kind, edge))
	}
	return slices.Clone(rows[edge])
}

// UniformOps returns the op list shared by every edge of every cell, or nil when the ops
// depend on the edge (RobustDARTS S1).
func (s *Space) UniformOps() []string {
	first := s.normal[0]
	for _, rows := range [][][]string{s.normal, s.reduce} {
		for _, r := range rows {
			if !slices.Equal(r, first) {
				return nil
			}
		}
	}
	return slices.Clone(first)
}

// OpIndex returns the column of op on one edge, or -1 when the edge does not offer it.
func (s *Space) OpIndex(kind CellKind, edge int, op string) int {
	rows := s.rows(kind)
	if edge < 0 || edge >= len(rows) {
		return -1
	}
	return slices.Index(rows[edge], op)
}

func (s *Space) rows(kind CellKind) [][]string {
	if kind == Reduce {
		return s.reduce
	}
	return s.normal
}

// concatAll is the default concat list: every intermediate node, range(2, 6) for DARTS
// (multiplier = steps in model_search.py).
func (s *Space) concatAll() []int {
	c := make([]int, s.Steps)
	for i := range c {
		c[i] = s.Inputs + i
	}
	return c
}

// IsParameterFree reports whether op has no trainable weights on an edge with the given
// stride. skip_connect is the identity at stride 1 but a FactorizedReduce (two 1x1 convs
// and a BN) at stride 2 [quark0/darts cnn/operations.py]. Pools are free in the
// evaluation network; in the search network their BN has affine=false, also free.
func IsParameterFree(op string, stride int) bool {
	switch op {
	case None, MaxPool3x3, AvgPool3x3, Noise:
		return true
	case SkipConnect:
		return stride == 1
	}
	return false
}
