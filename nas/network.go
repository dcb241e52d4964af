package nas

import (
	"fmt"

	"godarts/autograd"
	"godarts/layers"
	"godarts/nas/genotype"
	"godarts/tensor"
)

// NetConfig is the macro structure of a DARTS search network (model_search.py Network).
type NetConfig struct {
	C          int // initial channels (16 in the paper)
	Layers     int // cells (8 in the paper)
	Classes    int
	InChannels int // 3 for CIFAR, 1 for (Fashion-)MNIST
	Steps      int // intermediate nodes per cell (4)
	Multiplier int // nodes concatenated into the output (4)
	StemMult   int // stem channels = StemMult*C (3)
}

// withDefaults fills the zero fields with the paper's values.
func (c NetConfig) withDefaults() NetConfig {
	if c.Steps == 0 {
		c.Steps = 4
	}
	if c.Multiplier == 0 {
		c.Multiplier = 4
	}
	if c.StemMult == 0 {
		c.StemMult = 3
	}
	return c
}

// reductionAt reports whether cell i of n is a reduction cell: cells ⌊n/3⌋ and ⌊2n/3⌋.
func reductionAt(i, n int) bool { return i == n/3 || i == 2*n/3 }

// mixedOp is one edge of the search cell: Σ_k w_k·op_k(x).
type mixedOp struct {
	ops []layers.Module
}

func newMixedOp(dev tensor.Backend, rng *tensor.RNG, names []string, C, stride int) (*mixedOp, error) {
	m := &mixedOp{}
	for _, n := range names {
		op, err := newOp(dev, rng, n, C, stride, false)
		if err != nil {
			return nil, err
		}
		if isPool(n) { // model_search.py MixedOp: pools are followed by BN(affine=False)
			op = layers.NewSequential(op, layers.NewBatchNorm2d(dev, C, false))
		}
		m.ops = append(m.ops, op)
	}
	return m, nil
}

// terms appends the edge's operations on x to a node's terms (autograd.MixedSum), at weight
// indices base+k. r is ReLU(x), shared by every operation on every edge that reads x and
// starts with a ReLU (computed on first use): PyTorch's model_search.py computes it once
// per operation. An operation that ends with an affine-free BN in training mode hands
// its pre-BN output and the BN to MixedSum, which normalises, weighs and sums without
// keeping the BN output; the none op contributes nothing at all.
func (m *mixedOp) terms(tp *autograd.Tape, x *autograd.Var, r **autograd.Var, base int, terms []autograd.MixTerm) []autograd.MixTerm {
	for k, op := range m.ops {
		t := autograd.MixTerm{Index: base + k}
		switch op := op.(type) {
		case *layers.Zero:
		case layers.Staged:
			fromReLU := op.StartsWithReLU()
			in := x
			if fromReLU {
				if *r == nil {
					*r = tp.ReLU(x)
				}
				in = *r
			}
			bn := op.FinalBN()
			if bn != nil && bn.Training() {
				t.X = op.ForwardStages(tp, in, fromReLU, true)
				t.BN = &autograd.MixBN{RunMean: bn.RunMean, RunVar: bn.RunVar, P: bn.P}
			} else {
				t.X = op.ForwardStages(tp, in, fromReLU, false)
			}
		default:
			t.X = op.Forward(tp, x)
		}
		terms = append(terms, t)
	}
	return terms
}

// searchCell is model_search.py's Cell: two preprocessed inputs, Steps nodes, every node
// the sum of mixed ops on all earlier states, output the concat of the last Multiplier.
type searchCell struct {
	reduction  bool
	pre0, pre1 layers.Module
	edges      []*mixedOp
	steps, mul int
}

func (c *searchCell) forward(tp *autograd.Tape, s0, s1, weights *autograd.Var) *autograd.Var {
	states := []*autograd.Var{c.pre0.Forward(tp, s0), c.pre1.Forward(tp, s1)}
	relus := make([]*autograd.Var, c.steps+1) // ReLU of each state, made on first use
	e := 0
	k := weights.Value.Shape[1]
	for i := 0; i < c.steps; i++ {
		// The node sums the mixed ops of its len(states) incoming edges: rows e.. of the
		// weights, flattened, weigh the edges' operations in order.
		var terms []autograd.MixTerm // fresh: MixedSum's backward keeps it
		for j, h := range states {
			terms = c.edges[e+j].terms(tp, h, &relus[j], j*k, terms)
		}
		w := tp.Reshape(tp.Narrow(weights, 0, e, len(states)), len(states)*k)
		node := tp.MixedSum(w, terms)
		if !tp.Records() { // free the operations' outputs now (not the states they may be)
			xs := make([]*autograd.Var, len(terms))
			for t := range terms {
				xs[t] = terms[t].X
			}
			tp.Drop(xs, append(states, node)...)
		}
		states = append(states, node)
		e += len(states) - 1
	}
	out := tp.ConcatChannels(states[len(states)-c.mul:]...)
	tp.Drop(append(relus, states...), s0, s1, out)
	return out
}

// SearchNetwork is the DARTS supernet: stem, cells sharing one α per cell type, global
// pooling and a linear classifier. All its BNs but the stem's are affine-free.
type SearchNetwork struct {
	Space  *genotype.Space
	Config NetConfig
	Relax  Relaxation

	stem       *layers.Sequential
	cells      []*searchCell
	classifier *layers.Linear
	modules    layers.Modules
	weights    []layers.Named       // cache of Weights
	buffers    []layers.NamedTensor // cache of Buffers

	// AlphaNormal and AlphaReduce are the architecture logits, [edges, ops] each.
	AlphaNormal, AlphaReduce *autograd.Var
}

// numel is the number of weights in ps.
func numel(ps []layers.Named) int {
	c := 0
	for _, p := range ps {
		c += p.V.Value.Numel()
	}
	return c
}

// NewSearchNetwork builds the supernet of space with α initialised by alphaInit
// (1e-3·N(0,1) for DARTS; zeros for FairDARTS).
func NewSearchNetwork(dev tensor.Backend, rng *tensor.RNG, space *genotype.Space, cfg NetConfig, relax Relaxation, alphaStd float64) (*SearchNetwork, error) {
	if space.Topology != genotype.TopologyDARTS {
		return nil, fmt.Errorf("space %s: the DARTS search network needs a DARTS-topology space", space.Name)
	}
	cfg = cfg.withDefaults()
	if cfg.C < 2 || cfg.C%2 != 0 {
		return nil, fmt.Errorf("--channels %d: want an even number ≥ 2 (FactorizedReduce halves it)", cfg.C)
	}
	if cfg.Layers < 3 {
		return nil, fmt.Errorf("--layers %d: want at least 3 (two reduction cells and a normal cell)", cfg.Layers)
	}
	n := &SearchNetwork{Space: space, Config: cfg, Relax: relax}
	cCur := cfg.StemMult * cfg.C
	n.stem = layers.NewSequential(
		layers.NewConv2d(dev, rng, cfg.InChannels, cCur, 3, 1, 1, 1, 1, false),
		layers.NewBatchNorm2d(dev, cCur, true),
	)
	n.modules = append(n.modules, layers.NamedModule{Name: "stem", M: n.stem})
	cpp, cp, cCur := cCur, cCur, cfg.C
	reductionPrev := false
	for i := 0; i < cfg.Layers; i++ {
		red := reductionAt(i, cfg.Layers)
		if red {
			cCur *= 2
		}
		cell := &searchCell{reduction: red, steps: cfg.Steps, mul: cfg.Multiplier}
		if reductionPrev {
			cell.pre0 = layers.NewFactorizedReduce(dev, rng, cpp, cCur, false)
		} else {
			cell.pre0 = layers.NewReLUConvBN(dev, rng, cpp, cCur, 1, 1, 0, false)
		}
		cell.pre1 = layers.NewReLUConvBN(dev, rng, cp, cCur, 1, 1, 0, false)
		kind := genotype.Normal
		if red {
			kind = genotype.Reduce
		}
		for e, edge := range space.Edges() {
			stride := 1
			if red && edge.From < 2 {
				stride = 2
			}
			m, err := newMixedOp(dev, rng, space.Ops(kind, e), cCur, stride)
			if err != nil {
				return nil, fmt.Errorf("space %s: %w", space.Name, err)
			}
			cell.edges = append(cell.edges, m)
		}
		n.cells = append(n.cells, cell)
		prefix := fmt.Sprintf("cells.%d.", i)
		n.modules = append(n.modules, layers.NamedModule{Name: prefix + "preprocess0", M: cell.pre0}, layers.NamedModule{Name: prefix + "preprocess1", M: cell.pre1})
		for e, m := range cell.edges {
			for k, op := range m.ops {
				n.modules = append(n.modules, layers.NamedModule{Name: fmt.Sprintf("%s_ops.%d._ops.%d", prefix, e, k), M: op})
			}
		}
		reductionPrev = red
		cpp, cp = cp, cfg.Multiplier*cCur
	}
	n.classifier = layers.NewLinear(dev, rng, cp, cfg.Classes)
	n.modules = append(n.modules, layers.NamedModule{Name: "classifier", M: n.classifier})
	edges := space.NumEdges()
	nOps := len(space.Ops(genotype.Normal, 0))
	n.AlphaNormal = autograd.Param(tensor.FromSlice(dev, rng.NormalSlice(edges*nOps, alphaStd), edges, nOps))
	n.AlphaReduce = autograd.Param(tensor.FromSlice(dev, rng.NormalSlice(edges*nOps, alphaStd), edges, nOps))
	return n, nil
}

// Forward returns the logits for a batch x and the relaxed weights of both cell types.
func (n *SearchNetwork) Forward(tp *autograd.Tape, x *autograd.Var) (logits, wNormal, wReduce *autograd.Var) {
	wNormal = n.Relax.Apply(tp, n.AlphaNormal)
	wReduce = n.Relax.Apply(tp, n.AlphaReduce)
	s0 := n.stem.Forward(tp, x)
	s1 := s0
	for _, c := range n.cells {
		w := wNormal
		if c.reduction {
			w = wReduce
		}
		s2 := c.forward(tp, s0, s1, w)
		if s0 != s1 {
			tp.Drop([]*autograd.Var{s0}, x) // read by no later cell (no-op when recording)
		}
		s0, s1 = s1, s2
	}
	pooled := tp.GlobalAvgPool(s1)
	tp.Drop([]*autograd.Var{s0, s1}, x)
	return n.classifier.Forward(tp, pooled), wNormal, wReduce
}

// Weights returns the network weights (everything but α) with dotted names. The list is
// built once: steps ask for it several times per iteration.
func (n *SearchNetwork) Weights() []layers.Named {
	if n.weights == nil {
		n.weights = n.modules.Params()
	}
	return n.weights
}

// Buffers returns the BN running statistics with dotted names.
func (n *SearchNetwork) Buffers() []layers.NamedTensor {
	if n.buffers == nil {
		n.buffers = n.modules.Buffers()
	}
	return n.buffers
}

// Alphas returns the architecture parameters with their checkpoint names.
func (n *SearchNetwork) Alphas() []layers.Named {
	return []layers.Named{{Name: "alphas_normal", V: n.AlphaNormal}, {Name: "alphas_reduce", V: n.AlphaReduce}}
}

// SetTraining switches every BN between batch and running statistics.
func (n *SearchNetwork) SetTraining(on bool) { n.modules.SetTraining(on) }

// ParamCount is the number of weights (α excluded), as the DARTS code counts them.
func (n *SearchNetwork) ParamCount() int { return numel(n.Weights()) }

// HostAlphas downloads α of both cell types (a host wait: call it between steps only).
func (n *SearchNetwork) HostAlphas() (normal, reduce [][]float64) {
	return toRows(n.AlphaNormal.Value), toRows(n.AlphaReduce.Value)
}

func toRows(t *tensor.Tensor) [][]float64 {
	v := t.Read()
	r, c := t.Shape[0], t.Shape[1]
	out := make([][]float64, r)
	for i := range out {
		out[i] = make([]float64, c)
		for j := range out[i] {
			out[i][j] = float64(v[i*c+j])
		}
	}
	return out
}
