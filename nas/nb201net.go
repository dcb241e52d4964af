package nas

import (
	"fmt"

	"godarts/autograd"
	"godarts/layers"
	"godarts/nas/genotype"
	"godarts/tensor"
)

// NB201Config is the macro structure of the NAS-Bench-201 stage network as ZO-DARTS++
// searches it (search_model_ZO_SMEA.py; nas-algorithms.md §6.3).
type NB201Config struct {
	C          int // channels of the first stage (16); the stages have C, 2C, 4C
	N          int // search cells per stage (3 in ZO-DARTS++, 5 in NAS-Bench-201)
	Classes    int
	InChannels int
	// KernelSearch builds kernel_variable_conv with its 5×5 and 3×3 alternatives and
	// α_mix; ExitSearch builds α_exit. Both take part once SetSized(true) is called
	// (ZO-DARTS++ phase 2).
	KernelSearch, ExitSearch bool
}

// NB201Network is the supernet of an NB201 space: stem conv 3×3 + BN, three stages of N
// search cells separated by two stride-2 ResNet basic blocks, BN-ReLU, global pooling and
// a linear classifier. Every stage has its own α ([6, ops]); with the size-variable search
// it also has α_mix ([6, 3], kernel 7/5/3 of kernel_variable_conv) per stage and α_exit
// ([3, N]): stage output = Σ_c w_exit[c]·(output after cell c).
type NB201Network struct {
	Space  *genotype.Space
	Config NB201Config
	Relax  Relaxation

	stem       *layers.Sequential
	stages     [3][]*nb201Cell
	reductions [2]*resBlock
	lastBN     *layers.BatchNorm2d
	classifier *layers.Linear
	modules    layers.Modules
	weights    []layers.Named
	buffers    []layers.NamedTensor

	Alpha     [3]*autograd.Var // [6, ops] per stage
	AlphaMix  [3]*autograd.Var // [6, 3] per stage; nil without KernelSearch
	AlphaExit *autograd.Var    // [3, N]; nil without ExitSearch
	sized     bool             // the size-variable phase has started
}

// nb201Cell is NAS201SearchCell: node j = Σ_{i<j} edge(i→j)(node i), output the last node.
type nb201Cell struct {
	space *genotype.Space
	edges [][]layers.Module // per edge, the candidate ops in α column order
}

// NewNB201Network builds the supernet with α (and α_mix, α_exit) drawn as alphaStd·N(0,1).
func NewNB201Network(dev tensor.Backend, rng *tensor.RNG, space *genotype.Space, cfg NB201Config, relax Relaxation, alphaStd float64) (*NB201Network, error) {
	if space.Topology != genotype.TopologyNB201 {
		return nil, fmt.Errorf("space %s: the NB201 stage network needs an NB201 space", space.Name)
	}
	if cfg.C < 1 {
		return nil, fmt.Errorf("--channels %d: want ≥ 1", cfg.C)
	}
	if cfg.N < 1 {
		return nil, fmt.Errorf("--layers %d: want ≥ 1 cell per stage", cfg.N)
	}
	hasVar := space.OpIndex(genotype.Normal, 0, genotype.VariableConv) >= 0
	if cfg.KernelSearch && !hasVar {
		cfg.KernelSearch = false // nothing to choose: no kernel_variable_conv in the space
	}
	n := &NB201Network{Space: space, Config: cfg, Relax: relax}
	n.stem = layers.NewSequential(
		layers.NewConv2d(dev, rng, cfg.InChannels, cfg.C, 3, 1, 1, 1, 1, false),
		layers.NewBatchNorm2d(dev, cfg.C, true),
	)
	n.modules = append(n.modules, layers.NamedModule{Name: "stem", M: n.stem})
	idx := 0 // xautodl numbers cells and reduction blocks in one list
	for s := 0; s < 3; s++ {
		C := cfg.C << s
		if s > 0 {
			n.reductions[s-1] = newResBlock(dev, rng, C/2, C)
			n.modules = append(n.modules, layers.NamedModule{Name: fmt.Sprintf("cells.%d", idx), M: n.reductions[s-1]})
			idx++
		}
		for c := 0; c < cfg.N; c++ {
			cell := &nb201Cell{space: space}
			for e, edge := range space.Edges() {
				var ops []layers.Module
				for k, name := range space.Ops(genotype.Normal, e) {
					op, err := newNB201Op(dev, rng, name, C, false, cfg.KernelSearch)
					if err != nil {
						return nil, fmt.Errorf("space %s: %w", space.Name, err)
					}
					ops = append(ops, op)
					n.modules = append(n.modules, layers.NamedModule{Name: fmt.Sprintf("cells.%d.edges.%d<-%d.%d", idx, edge.To, edge.From, k), M: op})
				}
				cell.edges = append(cell.edges, ops)
			}
			n.stages[s] = append(n.stages[s], cell)
			idx++
		}
	}
	n.lastBN = layers.NewBatchNorm2d(dev, cfg.C<<2, true)
	n.classifier = layers.NewLinear(dev, rng, cfg.C<<2, cfg.Classes)
	n.modules = append(n.modules, layers.NamedModule{Name: "lastact.0", M: n.lastBN}, layers.NamedModule{Name: "classifier", M: n.classifier})
	edges, ops := space.NumEdges(), len(space.Ops(genotype.Normal, 0))
	param := func(r, c int) *autograd.Var {
		return autograd.Param(tensor.FromSlice(dev, rng.NormalSlice(r*c, alphaStd), r, c))
	}
	for s := range n.Alpha {
		n.Alpha[s] = param(edges, ops)
	}
	if cfg.KernelSearch {
		for s := range n.AlphaMix {
			n.AlphaMix[s] = param(edges, len(nb201Kernels))
		}
	}
	if cfg.ExitSearch {
		n.AlphaExit = param(3, cfg.N)
	}
	return n, nil
}

// Sized reports whether the size-variable phase has started.
func (n *NB201Network) Sized() bool { return n.sized }

// SetSized starts (or, for a twin, mirrors) the size-variable phase: α_mix and α_exit
// join the forward pass and Alphas. Starting it with initKernels copies the centre of each
// trained 7×7 kernel into the 5×5 and 3×3 alternatives.
func (n *NB201Network) SetSized(on, initKernels bool) {
	n.sized = on
	if on && initKernels {
		n.eachVarConv(func(v *varConv) { v.initMixed() })
	}
}

func (n *NB201Network) eachVarConv(f func(*varConv)) {
	for _, cells := range n.stages {
		for _, c := range cells {
			for _, ops := range c.edges {
				for _, op := range ops {
					if v, ok := op.(*varConv); ok && len(v.convs) > 1 {
						f(v)
					}
				}
			}
		}
	}
}

// Logits returns the logits and the relaxed weights of every active α group, in Alphas
// order: the three stages' op weights, then (sized) the three α_mix and α_exit.
func (n *NB201Network) Logits(tp *autograd.Tape, x *autograd.Var) (*autograd.Var, []*autograd.Var) {
	var w, wmix [3]*autograd.Var
	var wexit *autograd.Var
	relaxed := make([]*autograd.Var, 0, 7)
	for s := range w {
		w[s] = n.Relax.Apply(tp, n.Alpha[s])
		relaxed = append(relaxed, w[s])
	}
	if n.sized && n.AlphaMix[0] != nil {
		for s := range wmix {
			wmix[s] = n.Relax.Apply(tp, n.AlphaMix[s])
			relaxed = append(relaxed, wmix[s])
		}
	}
	if n.sized && n.AlphaExit != nil {
		wexit = n.Relax.Apply(tp, n.AlphaExit)
		relaxed = append(relaxed, wexit)
	}
	// Without a recording tape every activation is freed once the last op reading it has
	// run (autograd.Tape.Drop; a no-op when recording): a cell's input after the cell, unless
	// the early-exit mixture still needs it, the cell outputs after the mixture.
	h := n.stem.Forward(tp, x)
	for s, cells := range n.stages {
		if s > 0 {
			h = dropAfter(tp, h, n.reductions[s-1].Forward(tp, h))
		}
		outs := make([]*autograd.Var, len(cells))
		for c, cell := range cells {
			in := h
			h = cell.forward(tp, in, w[s], wmix[s])
			outs[c] = h
			if c == 0 || wexit == nil {
				tp.Drop([]*autograd.Var{in}, x, h)
			}
		}
		if wexit != nil {
			h = tp.WeightedSum(row(tp, wexit, s), outs)
			tp.Drop(outs, x, h)
		}
	}
	h = dropAfter(tp, h, n.lastBN.Forward(tp, h))
	h = dropAfter(tp, h, tp.ReLU(h))
	h = dropAfter(tp, h, tp.GlobalAvgPool(h))
	return dropAfter(tp, h, n.classifier.Forward(tp, h)), relaxed
}

// dropAfter frees in (an activation no later op reads) unless it is y's buffer, and
// returns y; without a recording tape only (autograd.Tape.Drop).
func dropAfter(tp *autograd.Tape, in, y *autograd.Var) *autograd.Var {
	tp.Drop([]*autograd.Var{in}, y)
	return y
}

// row returns row i of a 2-d weight tensor as a vector.
func row(tp *autograd.Tape, w *autograd.Var, i int) *autograd.Var {
	return tp.Reshape(tp.Narrow(w, 0, i, 1), w.Value.Shape[1])
}

// forward returns the cell's last node. Without a recording tape it frees every other
// activation it made (partial sums, edge outputs, shared ReLUs, inner nodes) as soon as it
// is dead; x is the caller's.
func (c *nb201Cell) forward(tp *autograd.Tape, x, w, wmix *autograd.Var) *autograd.Var {
	nodes := []*autograd.Var{x}
	relus := make([]*autograd.Var, c.space.Steps+1)
	e := 0
	for i := 0; i < c.space.Steps; i++ {
		var node *autograd.Var
		for j := range nodes {
			var mix *autograd.Var
			if wmix != nil {
				mix = row(tp, wmix, e)
			}
			y := edgeForward(tp, c.edges[e], nodes[j], &relus[j], row(tp, w, e), mix)
			if node == nil {
				node = y
			} else {
				sum := tp.Add(node, y)
				tp.Drop([]*autograd.Var{node, y}, append(nodes, sum)...)
				node = sum
			}
			e++
		}
		nodes = append(nodes, node)
	}
	out := nodes[len(nodes)-1]
	tp.Drop(append(relus, nodes[1:len(nodes)-1]...), x, out)
	return out
}

// edgeForward is the mixed op Σ_k w_k·op_k(x); r shares ReLU(x) between the ops of every
// edge reading x, as the DARTS cell does.
func edgeForward(tp *autograd.Tape, ops []layers.Module, x *autograd.Var, r **autograd.Var, w, mix *autograd.Var) *autograd.Var {
	outs := make([]*autograd.Var, len(ops))
	for k, op := range ops {
		if rf, ok := op.(layers.ReLUFirst); ok && rf.StartsWithReLU() {
			if *r == nil {
				*r = tp.ReLU(x)
			}
			if v, ok := op.(*varConv); ok {
				outs[k] = v.forwardMix(tp, *r, mix)
			} else {
				outs[k] = rf.ForwardFromReLU(tp, *r)
			}
			continue
		}
		outs[k] = op.Forward(tp, x)
	}
	y := tp.WeightedSum(w, outs)
	tp.Drop(outs, x, *r, y) // skip_connect's output is x itself
	return y
}

// Weights returns the network weights (α excluded) with dotted names.
func (n *NB201Network) Weights() []layers.Named {
	if n.weights == nil {
		n.weights = n.modules.Params()
	}
	return n.weights
}

// Buffers returns the BN running statistics with dotted names.
func (n *NB201Network) Buffers() []layers.NamedTensor {
	if n.buffers == nil {
		n.buffers = n.modules.Buffers()
	}
	return n.buffers
}

// Alphas returns the active architecture parameters: α of each stage, then, once sized,
// α_mix of each stage and α_exit.
func (n *NB201Network) Alphas() []layers.Named {
	out := make([]layers.Named, 0, 7)
	for s, a := range n.Alpha {
		out = append(out, layers.Named{Name: fmt.Sprintf("alphas_stage%d", s+1), V: a})
	}
	if n.sized && n.AlphaMix[0] != nil {
		for s, a := range n.AlphaMix {
			out = append(out, layers.Named{Name: fmt.Sprintf("alphas_mix_stage%d", s+1), V: a})
		}
	}
	if n.sized && n.AlphaExit != nil {
		out = append(out, layers.Named{Name: "alphas_exit", V: n.AlphaExit})
	}
	return out
}

// SetTraining switches every BN between batch and running statistics.
func (n *NB201Network) SetTraining(on bool) { n.modules.SetTraining(on) }

// ParamCount is the number of weights (α excluded).
func (n *NB201Network) ParamCount() int { return numel(n.Weights()) }
