package nas

import (
	"godarts/autograd"
	"godarts/layers"
	"godarts/nas/genotype"
	"godarts/tensor"
)

// Derive discretises the network as search_model_ZO_SMEA.py genotype() does: per stage and
// edge the argmax of α (none allowed); a kernel_variable_conv winner becomes the kernel of
// argmax α_mix (7×7 before the size-variable phase); cells per stage = argmax α_exit + 1
// (N before that phase). The argmax is taken on α itself: every relaxation keeps α's order
// within a row, and sparsemax's exact zeros would tie.
func (n *NB201Network) Derive() (*genotype.NB201Net, error) {
	g := &genotype.NB201Net{Space: n.Space.Name}
	var exit [][]float64
	if n.sized && n.AlphaExit != nil {
		exit = hostRows(n.AlphaExit)
	}
	for s := range n.Alpha {
		cell, err := genotype.DeriveNB201(n.Space, hostRows(n.Alpha[s]))
		if err != nil {
			return nil, err
		}
		var mix [][]float64
		if n.sized && n.AlphaMix[s] != nil {
			mix = hostRows(n.AlphaMix[s])
		}
		for i, node := range cell.Nodes {
			for j := range node {
				if node[j].Op != genotype.VariableConv {
					continue
				}
				k := nb201Kernels[0]
				if mix != nil {
					k = nb201Kernels[argmax(mix[n.Space.EdgeIndex(i+1, j)])]
				}
				node[j].Op = genotype.KernelOp(k)
			}
		}
		cells := n.Config.N
		if exit != nil {
			cells = argmax(exit[s]) + 1
		}
		g.Stages = append(g.Stages, genotype.NB201Stage{Cell: cell, Cells: cells})
	}
	return g, nil
}

// argmax returns the first index of the largest value.
func argmax(v []float64) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// NB201DerivedParams counts the weights of the evaluation network of g (xautodl's
// TinyNetwork with InferCells: affine BNs, bias-free convolutions): stem, the cells of each
// stage, the two ResNet reduction blocks, the last BN and the classifier.
func NB201DerivedParams(g *genotype.NB201Net, C, inChannels, classes int) int {
	p := 9*inChannels*C + 2*C // stem conv + BN
	for s, st := range g.Stages {
		Cs := C << s
		if s > 0 {
			Ci := Cs / 2
			p += 9*Ci*Cs + 2*Cs + 9*Cs*Cs + 2*Cs + Ci*Cs // conv_a, conv_b, shortcut 1×1
		}
		cell := 0
		for _, node := range st.Cell.Nodes {
			for _, in := range node {
				if k := convKernel(in.Op); k > 0 {
					cell += k*k*Cs*Cs + 2*Cs
				}
			}
		}
		p += st.Cells * cell
	}
	last := C << 2
	return p + 2*last + last*classes + classes
}

// convKernel returns k of a nor_conv_kxk op, 0 for the parameter-free ops.
func convKernel(op string) int {
	switch op {
	case genotype.NorConv1x1:
		return 1
	case genotype.NorConv3x3:
		return 3
	case genotype.NorConv5x5:
		return 5
	case genotype.NorConv7x7, genotype.VariableConv:
		return 7
	}
	return 0
}

// NB201Penalty is ZO-DARTS++'s resource penalty on the stage network (nas-algorithms.md
// §6.3): P = fixed + Σ_stages E[cells]·Σ_edges (Σ_ops w·params(op), the variable conv
// weighed by Σ_k w_mix[k]·params(k×k)), with E[cells] = Σ_c c·w_exit[c];
// penalty = (Scale/T)·[ReLU(P − High) + ReLU(Low − P)]/10⁶. The op sizes are measured on
// the network's own modules: (k²·C + 1)·C for a search-cell conv, as the reference counts.
type NB201Penalty struct {
	Low, High float64
	Scale     float64 // 15 in the reference
	T         float64
	Active    bool

	net    *NB201Network
	fixed  float64
	coef   [3]*tensor.Tensor // [edges, ops]: one cell's op sizes, the variable conv as 7×7
	noVar  [3]*tensor.Tensor // coef with the variable conv's column zeroed
	mixC   [3]*tensor.Tensor // [edges, 3]: sizes of the 7×7, 5×5, 3×3 variable convs
	varCol *tensor.Tensor    // [ops, 1]: picks the variable conv's column
	ones3  *tensor.Tensor    // [3, 1]
	depth  *tensor.Tensor    // [N]: 1..N
}

// NewNB201Penalty measures the op sizes of n.
func NewNB201Penalty(n *NB201Network, low, high float64) *NB201Penalty {
	dev := n.Alpha[0].Value.Dev
	edges, ops := n.Alpha[0].Value.Shape[0], n.Alpha[0].Value.Shape[1]
	p := &NB201Penalty{Low: low, High: high, Scale: 15, T: 1, net: n}
	vcol := n.Space.OpIndex(genotype.Normal, 0, genotype.VariableConv)
	mixed := 0
	for s, cells := range n.stages {
		for _, c := range cells {
			for _, e := range c.edges {
				for _, op := range e {
					mixed += layers.CountParams(op)
				}
			}
		}
		cf := make([]float32, edges*ops)
		nv := make([]float32, edges*ops)
		mc := make([]float32, edges*len(nb201Kernels))
		for e, opsOfEdge := range cells[0].edges {
			for k, op := range opsOfEdge {
				c := layers.CountParams(op)
				if v, ok := op.(*varConv); ok {
					c = layers.CountParams(v.convs[0])
					for j, conv := range v.convs {
						mc[e*len(nb201Kernels)+j] = float32(layers.CountParams(conv))
					}
				}
				cf[e*ops+k] = float32(c)
				if k != vcol {
					nv[e*ops+k] = float32(c)
				}
			}
		}
		p.coef[s] = tensor.FromSlice(dev, cf, edges, ops)
		p.noVar[s] = tensor.FromSlice(dev, nv, edges, ops)
		p.mixC[s] = tensor.FromSlice(dev, mc, edges, len(nb201Kernels))
	}
	p.fixed = float64(n.ParamCount() - mixed)
	sel := make([]float32, ops)
	if vcol >= 0 {
		sel[vcol] = 1
	}
	p.varCol = tensor.FromSlice(dev, sel, ops, 1)
	p.ones3 = tensor.FromSlice(dev, []float32{1, 1, 1}, len(nb201Kernels), 1)
	d := make([]float32, n.Config.N)
	for i := range d {
		d[i] = float32(i + 1)
	}
	p.depth = tensor.FromSlice(dev, d, n.Config.N)
	return p
}

func (p *NB201Penalty) on() bool { return p.Active }

func (p *NB201Penalty) schedule(T float64, active bool) { p.T, p.Active = T, active }

// expected builds P from the relaxed weights in Alphas order (3 stage groups, then the
// three α_mix groups when present, then α_exit when present).
func (p *NB201Penalty) expected(tp *autograd.Tape, relaxed []*autograd.Var) *autograd.Var {
	var mix []*autograd.Var
	var exit *autograd.Var
	rest := relaxed[3:]
	if len(rest) >= 3 && p.net.Config.KernelSearch {
		mix, rest = rest[:3], rest[3:]
	}
	if len(rest) > 0 {
		exit = rest[0]
	}
	var P *autograd.Var
	for s := 0; s < 3; s++ {
		w := relaxed[s]
		var cell *autograd.Var
		if mix != nil {
			fixedOps := tp.Sum(tp.Mul(w, autograd.Const(p.noVar[s])), 1)
			wVar := tp.MatMul(w, autograd.Const(p.varCol), false, false)                                         // [edges, 1]
			kSize := tp.MatMul(tp.Mul(mix[s], autograd.Const(p.mixC[s])), autograd.Const(p.ones3), false, false) // [edges, 1]
			cell = tp.Add(fixedOps, tp.Sum(tp.Mul(wVar, kSize), 1))
		} else {
			cell = tp.Sum(tp.Mul(w, autograd.Const(p.coef[s])), 1)
		}
		var stage *autograd.Var
		if exit != nil {
			stage = tp.Mul(cell, tp.Sum(tp.Mul(row(tp, exit, s), autograd.Const(p.depth)), 1))
		} else {
			stage = tp.Scale(cell, float32(p.net.Config.N))
		}
		if P == nil {
			P = stage
		} else {
			P = tp.Add(P, stage)
		}
	}
	return tp.AddScalar(P, float32(p.fixed))
}

func (p *NB201Penalty) lossOf(tp *autograd.Tape, relaxed []*autograd.Var) *autograd.Var {
	P := p.expected(tp, relaxed)
	over := tp.ReLU(tp.AddScalar(P, float32(-p.High)))
	under := tp.ReLU(tp.Scale(tp.AddScalar(P, float32(-p.Low)), -1))
	return tp.Scale(tp.Add(over, under), float32(p.Scale/p.T/1e6))
}

// Expected returns P at the network's current α under its relaxation (a host read).
func (p *NB201Penalty) Expected() float64 {
	tp := autograd.NoGrad()
	defer tp.Release()
	var relaxed []*autograd.Var
	for _, a := range p.net.Alphas() {
		relaxed = append(relaxed, p.net.Relax.Apply(tp, autograd.Const(a.V.Value)))
	}
	return float64(p.expected(tp, relaxed).Value.Item())
}
