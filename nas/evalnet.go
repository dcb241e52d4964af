package nas

import (
	"fmt"

	"godarts/autograd"
	"godarts/layers"
	"godarts/nas/genotype"
	"godarts/tensor"
	"godarts/tensor/count"
)

// EvalConfig is the macro structure of the evaluation network (model.py NetworkCIFAR).
type EvalConfig struct {
	C, Layers, Classes, InChannels int
	Auxiliary                      bool
}

// evalOp is one gene of a discrete cell.
type evalOp struct {
	op       layers.Module
	from     int
	identity bool // drop-path is not applied to identity ops (model.py Cell._compile)
}

// evalCell is a discrete cell: each node sums the ops of its genes; the output concatenates
// the concat list's nodes. For FairDARTS genotypes a node may have 0, 1 or 2 inputs; nodes
// without input are left out of the concat (FairDARTS DCOCell).
type evalCell struct {
	reduction  bool
	pre0, pre1 layers.Module
	nodes      [][]evalOp // per intermediate node
	concat     []int
}

func newEvalCell(dev tensor.Backend, rng *tensor.RNG, g *genotype.Genotype, kind genotype.CellKind, cpp, cp, C int, reductionPrev bool) (*evalCell, int, error) {
	c := &evalCell{reduction: kind == genotype.Reduce}
	if reductionPrev {
		c.pre0 = layers.NewFactorizedReduce(dev, rng, cpp, C, true)
	} else {
		c.pre0 = layers.NewReLUConvBN(dev, rng, cpp, C, 1, 1, 0, true)
	}
	c.pre1 = layers.NewReLUConvBN(dev, rng, cp, C, 1, 1, 0, true)
	has := map[int]bool{0: true, 1: true}
	for _, genes := range g.NodeGenes(kind) {
		var ops []evalOp
		for _, gene := range genes {
			if !has[gene.From] { // a source that never received input is skipped
				continue
			}
			stride := 1
			if c.reduction && gene.From < 2 {
				stride = 2
			}
			op, err := newOp(dev, rng, gene.Op, C, stride, true)
			if err != nil {
				return nil, 0, err
			}
			_, isID := op.(layers.Identity)
			ops = append(ops, evalOp{op: op, from: gene.From, identity: isID})
		}
		if len(ops) > 0 {
			has[len(c.nodes)+2] = true
		}
		c.nodes = append(c.nodes, ops)
	}
	for _, i := range g.Concat(kind) {
		if has[i] && i >= 2 {
			c.concat = append(c.concat, i)
		}
	}
	if len(c.concat) == 0 {
		return nil, 0, fmt.Errorf("%s cell of the genotype has no node with an input (collapsed); nothing to build", kind)
	}
	return c, len(c.concat), nil
}

func (c *evalCell) forward(tp *autograd.Tape, s0, s1 *autograd.Var, drop func(*autograd.Var) *autograd.Var) *autograd.Var {
	states := map[int]*autograd.Var{0: c.pre0.Forward(tp, s0), 1: c.pre1.Forward(tp, s1)}
	// Without a recording tape, op outputs and partial sums are freed once summed
	// (Tape.Drop); the states (which identity ops return as they are) stay.
	keep := func(more ...*autograd.Var) []*autograd.Var {
		ks := append(more, s0, s1)
		for _, st := range states {
			ks = append(ks, st)
		}
		return ks
	}
	for i, ops := range c.nodes {
		var sum *autograd.Var
		for _, o := range ops {
			h := o.op.Forward(tp, states[o.from])
			if !o.identity && drop != nil {
				h = drop(h)
			}
			if sum == nil {
				sum = h
			} else {
				next := tp.Add(sum, h)
				if !tp.Records() { // a training step builds no keep lists
					tp.Drop([]*autograd.Var{sum, h}, keep(next)...)
				}
				sum = next
			}
		}
		if sum != nil {
			states[i+2] = sum
		}
	}
	outs := make([]*autograd.Var, len(c.concat))
	for i, j := range c.concat {
		outs[i] = states[j]
	}
	out := tp.ConcatChannels(outs...)
	if !tp.Records() {
		tp.Drop(keep()[2:], s0, s1, out)
	}
	return out
}

// auxHead is model.py AuxiliaryHeadCIFAR, adapted to 7x7 maps (Fashion-MNIST) by choosing
// the average pool's stride so its output is 2x2 (stride 3 on 8x8 as in DARTS, 2 on 7x7).
type auxHead struct {
	features   *layers.Sequential
	classifier *layers.Linear
}

func newAuxHead(dev tensor.Backend, rng *tensor.RNG, C, spatial, classes int) *auxHead {
	stride := spatial - 5
	if stride < 1 {
		stride = 1
	}
	return &auxHead{
		features: layers.NewSequential(
			layers.ReLU{},
			layers.NewAvgPool2d(5, stride, 0),
			layers.NewConv2d(dev, rng, C, 128, 1, 1, 0, 1, 1, false),
			layers.NewBatchNorm2d(dev, 128, true),
			layers.ReLU{},
			layers.NewConv2d(dev, rng, 128, 768, 2, 1, 0, 1, 1, false),
			layers.NewBatchNorm2d(dev, 768, true),
			layers.ReLU{},
		),
		classifier: layers.NewLinear(dev, rng, 768, classes),
	}
}

// EvalNetwork is the network trained from a genotype.
type EvalNetwork struct {
	Config     EvalConfig
	stem       *layers.Sequential
	cells      []*evalCell
	aux        *auxHead
	auxAt      int
	classifier *layers.Linear
	modules    layers.Modules
	auxModules layers.Modules
	// DropPathProb is the current drop-path probability (ramped by the trainer).
	DropPathProb float64
	rng          *tensor.RNG
	training     bool
}

// NewEvalNetwork builds the evaluation network of g. spatial is the input's height
// (32 for CIFAR, 28 for Fashion-MNIST), needed to size the auxiliary head.
func NewEvalNetwork(dev tensor.Backend, rng *tensor.RNG, g *genotype.Genotype, cfg EvalConfig, spatial int) (*EvalNetwork, error) {
	if cfg.Layers < 3 || cfg.C < 2 || cfg.C%2 != 0 {
		return nil, fmt.Errorf("--layers %d --channels %d: want ≥ 3 layers and an even channel count", cfg.Layers, cfg.C)
	}
	if spatial%4 != 0 {
		return nil, fmt.Errorf("input size %d: the two reductions need a multiple of 4", spatial)
	}
	n := &EvalNetwork{Config: cfg, rng: rng, training: true}
	cCur := 3 * cfg.C
	n.stem = layers.NewSequential(
		layers.NewConv2d(dev, rng, cfg.InChannels, cCur, 3, 1, 1, 1, 1, false),
		layers.NewBatchNorm2d(dev, cCur, true),
	)
	n.modules = append(n.modules, layers.NamedModule{Name: "stem", M: n.stem})
	cpp, cp, cCur := cCur, cCur, cfg.C
	reductionPrev := false
	n.auxAt = 2 * cfg.Layers / 3
	size := spatial
	for i := 0; i < cfg.Layers; i++ {
		kind := genotype.Normal
		if reductionAt(i, cfg.Layers) {
			cCur *= 2
			kind = genotype.Reduce
			size /= 2
		}
		cell, mult, err := newEvalCell(dev, rng, g, kind, cpp, cp, cCur, reductionPrev)
		if err != nil {
			return nil, err
		}
		n.cells = append(n.cells, cell)
		prefix := fmt.Sprintf("cells.%d.", i)
		n.modules = append(n.modules, layers.NamedModule{Name: prefix + "preprocess0", M: cell.pre0}, layers.NamedModule{Name: prefix + "preprocess1", M: cell.pre1})
		k := 0
		for _, ops := range cell.nodes {
			for _, o := range ops {
				n.modules = append(n.modules, layers.NamedModule{Name: fmt.Sprintf("%s_ops.%d", prefix, k), M: o.op})
				k++
			}
		}
		reductionPrev = kind == genotype.Reduce
		cpp, cp = cp, mult*cCur
		if cfg.Auxiliary && i == n.auxAt {
			n.aux = newAuxHead(dev, rng, cp, size, cfg.Classes)
			n.auxModules = layers.Modules{{Name: "auxiliary_head.features", M: n.aux.features}, {Name: "auxiliary_head.classifier", M: n.aux.classifier}}
		}
	}
	n.classifier = layers.NewLinear(dev, rng, cp, cfg.Classes)
	n.modules = append(n.modules, layers.NamedModule{Name: "classifier", M: n.classifier})
	return n, nil
}

// Forward returns the logits and, in training with an auxiliary head, its logits too.
func (n *EvalNetwork) Forward(tp *autograd.Tape, x *autograd.Var) (logits, auxLogits *autograd.Var) {
	var drop func(*autograd.Var) *autograd.Var
	if n.training && n.DropPathProb > 0 {
		drop = func(h *autograd.Var) *autograd.Var { return n.dropPath(tp, h) }
	}
	s0 := n.stem.Forward(tp, x)
	s1 := s0
	for i, c := range n.cells {
		s2 := c.forward(tp, s0, s1, drop)
		if s0 != s1 {
			tp.Drop([]*autograd.Var{s0}, x) // read by no later cell (no-op when recording)
		}
		s0, s1 = s1, s2
		if n.aux != nil && n.training && i == n.auxAt {
			auxLogits = n.aux.classifier.Forward(tp, tp.Reshape(n.aux.features.Forward(tp, s1), s1.Value.Shape[0], -1))
		}
	}
	pooled := tp.GlobalAvgPool(s1)
	tp.Drop([]*autograd.Var{s0, s1}, x)
	return n.classifier.Forward(tp, pooled), auxLogits
}

// dropPath zeroes whole samples with probability p and scales the rest by 1/(1−p)
// (model.py drop_path); the mask comes from the host RNG.
func (n *EvalNetwork) dropPath(tp *autograd.Tape, h *autograd.Var) *autograd.Var {
	keep := 1 - n.DropPathProb
	N := h.Value.Shape[0]
	mask := make([]float32, N)
	for i := range mask {
		if n.rng.Float64() < keep {
			mask[i] = float32(1 / keep)
		}
	}
	return tp.ScaleRows(h, tensor.FromSlice(h.Value.Dev, mask, N))
}

// SetTraining switches BN and drop-path between training and evaluation.
func (n *EvalNetwork) SetTraining(on bool) {
	n.training = on
	n.modules.SetTraining(on)
	n.auxModules.SetTraining(on)
}

// Params returns the weights with dotted names, the auxiliary head's last.
func (n *EvalNetwork) Params() []layers.Named {
	return append(n.modules.Params(), n.auxModules.Params()...)
}

// Buffers returns the BN running statistics with dotted names.
func (n *EvalNetwork) Buffers() []layers.NamedTensor {
	return append(n.modules.Buffers(), n.auxModules.Buffers()...)
}

// ParamCount counts weights; the auxiliary head only when withAux (the DARTS code's
// count_parameters_in_MB skips it).
func (n *EvalNetwork) ParamCount(withAux bool) int {
	c := numel(n.modules.Params())
	if withAux {
		c += numel(n.auxModules.Params())
	}
	return c
}

// Inspect builds g's evaluation network on a counting backend and returns its parameter
// count and the multiply-adds of a forward pass of one image.
func Inspect(g *genotype.Genotype, cfg EvalConfig, spatial int) (params int, multAdds int64, err error) {
	b := count.New()
	n, err := NewEvalNetwork(b, tensor.NewRNG(0), g, cfg, spatial)
	if err != nil {
		return 0, 0, err
	}
	n.SetTraining(false)
	x := tensor.New(b, 1, cfg.InChannels, spatial, spatial)
	n.Forward(nil, autograd.Const(x))
	return n.ParamCount(cfg.Auxiliary), b.MultAdds, nil
}

// DerivedParams is the parameter count of g's evaluation network at the search network's
// width and depth (0 when the genotype cannot be built, e.g. a collapsed cell).
func DerivedParams(g *genotype.Genotype, c NetConfig) int {
	p, _, err := Inspect(g, EvalConfig{C: c.C, Layers: c.Layers, Classes: c.Classes, InChannels: c.InChannels}, 32)
	if err != nil {
		return 0
	}
	return p
}
