package genotype

import (
	"fmt"
	"math"
	"sort"
)

// The discretisation rules turn the relaxed weights of a search into a genotype. Weights
// are given per cell as rows = edges in edge order (Space.Edges), columns = the ops of
// that edge (Space.Ops): the already-relaxed values (softmax probabilities for DARTS,
// sigmoids for FairDARTS). None of the rules needs them normalised.

// DefaultThreshold is FairDARTS's op_threshold σ_T [xiaomi-automl/FairDARTS
// fairdarts/utils.py parse_genotype; nas-algorithms.md §2.3].
const DefaultThreshold = 0.85

// DeriveDARTS applies the DARTS rule [quark0/darts cnn/model_search.py genotype();
// nas-algorithms.md §1.4] to both cells: per node, rank incoming edges by their strongest
// op other than none, keep the two best (ties to the lower source), on each take the
// strongest op other than none (ties to the lower column), genes in rank order.
func DeriveDARTS(space *Space, normal, reduce [][]float64) (*Genotype, error) {
	if space.Topology != TopologyDARTS {
		return nil, fmt.Errorf("DARTS discretisation needs a DARTS-topology space, got %s", space.Name)
	}
	g := &Genotype{Space: space.Name, NormalConcat: space.concatAll(), ReduceConcat: space.concatAll()}
	for _, c := range []struct {
		kind  CellKind
		w     [][]float64
		genes *[]Gene
	}{{Normal, normal, &g.Normal}, {Reduce, reduce, &g.Reduce}} {
		if err := checkWeights(space, c.kind, c.w); err != nil {
			return nil, err
		}
		genes, err := dartsCell(space, c.kind, c.w)
		if err != nil {
			return nil, err
		}
		*c.genes = genes
	}
	return g, nil
}

// dartsKeep is the number of edges DARTS keeps per node.
const dartsKeep = 2

func dartsCell(s *Space, kind CellKind, w [][]float64) ([]Gene, error) {
	var genes []Gene
	for i := range s.Steps {
		to := s.Inputs + i
		n := s.Inputs + i
		score := make([]float64, n)
		best := make([]int, n)
		for j := range n {
			e := s.EdgeIndex(to, j)
			best[j] = argmaxExcept(w[e], s.rows(kind)[e], None)
			score[j] = math.Inf(-1)
			if best[j] >= 0 {
				score[j] = w[e][best[j]]
			}
		}
		order := rankDescending(score)
		for _, j := range order[:min(dartsKeep, n)] {
			if best[j] < 0 {
				return nil, fmt.Errorf("%s weights: edge %d->%d has no op other than none", kind, j, to)
			}
			genes = append(genes, Gene{Op: s.rows(kind)[s.EdgeIndex(to, j)][best[j]], From: j, To: to})
		}
	}
	return genes, nil
}

// argmaxExcept returns the column of the largest weight whose op is not skip (the first
// one on ties), or -1 when every op is skip.
func argmaxExcept(w []float64, ops []string, skip string) int {
	best := -1
	for k, v := range w {
		if ops[k] == skip {
			continue
		}
		if best < 0 || v > w[best] {
			best = k
		}
	}
	return best
}

// rankDescending returns the indices of score from largest to smallest, equal scores in
// index order (Python's stable sorted with key -score).
func rankDescending(score []float64) []int {
	order := make([]int, len(score))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return score[order[a]] > score[order[b]] })
	return order
}

// DeriveFairDARTS applies FairDARTS's threshold_sparse rule [fairdarts/utils.py parse;
// nas-algorithms.md §2.3] to both cells: per node, rank edges by their strongest op (all
// ops count), take the two best (ties to the lower source), and on each emit its strongest
// op only when its weight is at least threshold (DefaultThreshold = 0.85). A node can end
// with 0, 1 or 2 inputs; the returned EmptyNodes says which have none and whether a whole
// cell collapsed. space must have variable arity (fair7).
func DeriveFairDARTS(space *Space, normal, reduce [][]float64, threshold float64) (*Genotype, EmptyNodes, error) {
	return deriveFair(space, normal, reduce, threshold, fairSparseCell)
}

// DeriveFairDARTSEdges applies FairDARTS's threshold_edge variant: every edge, not just
// the two best, emits its two strongest ops that reach threshold, in ascending weight order
// as the reference code does.
func DeriveFairDARTSEdges(space *Space, normal, reduce [][]float64, threshold float64) (*Genotype, EmptyNodes, error) {
	return deriveFair(space, normal, reduce, threshold, fairEdgeCell)
}

func deriveFair(space *Space, normal, reduce [][]float64, threshold float64, cell func(*Space, CellKind, [][]float64, float64) []Gene) (*Genotype, EmptyNodes, error) {
	if space.Topology != TopologyDARTS || space.Arity != 0 {
		return nil, EmptyNodes{}, fmt.Errorf("FairDARTS discretisation needs a variable-arity space (fair7), got %s", space.Name)
	}
	if math.IsNaN(threshold) {
		return nil, EmptyNodes{}, fmt.Errorf("FairDARTS threshold is NaN")
	}
	g := &Genotype{Space: space.Name, NormalConcat: space.concatAll(), ReduceConcat: space.concatAll()}
	if err := checkWeights(space, Normal, normal); err != nil {
		return nil, EmptyNodes{}, err
	}
	if err := checkWeights(space, Reduce, reduce); err != nil {
		return nil, EmptyNodes{}, err
	}
	g.Normal = cell(space, Normal, normal, threshold)
	g.Reduce = cell(space, Reduce, reduce, threshold)
	return g, g.Empty(), nil
}

func fairSparseCell(s *Space, kind CellKind, w [][]float64, threshold float64) []Gene {
	genes := []Gene{}
	for i := range s.Steps {
		to := s.Inputs + i
		n := s.Inputs + i
		score := make([]float64, n)
		best := make([]int, n)
		for j := range n {
			e := s.EdgeIndex(to, j)
			best[j] = argmaxExcept(w[e], s.rows(kind)[e], "")
			score[j] = w[e][best[j]]
		}
		for _, j := range rankDescending(score)[:min(dartsKeep, n)] {
			if score[j] >= threshold {
				genes = append(genes, Gene{Op: s.rows(kind)[s.EdgeIndex(to, j)][best[j]], From: j, To: to})
			}
		}
	}
	return genes
}

func fairEdgeCell(s *Space, kind CellKind, w [][]float64, threshold float64) []Gene {
	genes := []Gene{}
	for i := range s.Steps {
		to := s.Inputs + i
		for j := range s.Inputs + i {
			e := s.EdgeIndex(to, j)
			// Python: sorted(enumerate(W[j]), key=value)[-2:], stable ascending.
			cols := make([]int, len(w[e]))
			for k := range cols {
				cols[k] = k
			}
			sort.SliceStable(cols, func(a, b int) bool { return w[e][cols[a]] < w[e][cols[b]] })
			for _, k := range cols[max(0, len(cols)-dartsKeep):] {
				if w[e][k] >= threshold {
					genes = append(genes, Gene{Op: s.rows(kind)[e][k], From: j, To: to})
				}
			}
		}
	}
	return genes
}

// DeriveNB201 takes, on every edge of an NB201 cell, the op of largest weight (none
// allowed; ties to the lower column), as xautodl's genotype() does. ZO-DARTS++ takes the
// argmax of α itself: pass α rather than sparsemax(α/T), whose zeros would tie.
func DeriveNB201(space *Space, w [][]float64) (NB201Cell, error) {
	if space.Topology != TopologyNB201 {
		return NB201Cell{}, fmt.Errorf("NB201 discretisation needs an NB201 space, got %s", space.Name)
	}
	if err := checkWeights(space, Normal, w); err != nil {
		return NB201Cell{}, err
	}
	var c NB201Cell
	for i := range space.Steps {
		to := space.Inputs + i
		var node []NB201Input
		for j := range to {
			e := space.EdgeIndex(to, j)
			node = append(node, NB201Input{Op: space.normal[e][argmaxExcept(w[e], space.normal[e], "")], From: j})
		}
		c.Nodes = append(c.Nodes, node)
	}
	return c, nil
}

// checkWeights checks the shape of one cell's weights and that no weight is NaN (a
// diverged search), naming the cell, row and column.
func checkWeights(s *Space, kind CellKind, w [][]float64) error {
	rows := s.rows(kind)
	if len(w) != len(rows) {
		return fmt.Errorf("%s weights: %d rows, want %d (one per edge of space %s)", kind, len(w), len(rows), s.Name)
	}
	for e, r := range w {
		if len(r) != len(rows[e]) {
			return fmt.Errorf("%s weights row %d: %d values, want %d (ops of space %s on that edge)", kind, e, len(r), len(rows[e]), s.Name)
		}
		for k, v := range r {
			if math.IsNaN(v) {
				return fmt.Errorf("%s weights row %d col %d (%s): NaN", kind, e, k, rows[e][k])
			}
		}
	}
	return nil
}
