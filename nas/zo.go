package nas

import (
	"math"

	"godarts/autograd"
	"godarts/layers"
	"godarts/optim"
	"godarts/tensor"
)

// ZODARTS is the zeroth-order hypergradient of ZO-DARTS / ZO-DARTS++ (arXiv 2503.06092;
// nas-algorithms.md §6.1): every Rounds iterations, a direction z uniform on the unit
// sphere and μ = MuScale·‖α‖; a perturbed copy of the network at α + μz is trained alongside
// the main one on the same batches; at the end of the round
//
//	ĝ = (zᵀ ∇_α L_val(w, α) + dᵀ ∇_w L_val(w, α)) · z,   d = (w_pert − w)/μ
//
// and Adam steps α with ĝ.
type ZODARTS struct {
	Adam    *optim.Adam
	Rounds  int     // R = 10
	MuScale float64 // 0.005
	Rng     *tensor.RNG

	pert    Supernet
	pertOpt *optim.SGD
	z       []float64
	mu      float64
	steps   int // perturbed-copy steps taken this round
}

func (m *ZODARTS) Name() string { return "zo-darts++" }

// startRound draws z and μ and copies the main network into the perturbed one.
func (m *ZODARTS) startRound(ctx *StepContext) {
	alpha := alphaVector(ctx.Net)
	norm := 0.0
	for _, v := range alpha {
		norm += v * v
	}
	m.mu = m.MuScale * math.Sqrt(norm)
	if m.mu == 0 {
		m.mu = m.MuScale
	}
	m.z = make([]float64, len(alpha))
	zn := 0.0
	for i := range m.z {
		m.z[i] = m.Rng.Normal()
		zn += m.z[i] * m.z[i]
	}
	zn = math.Sqrt(zn)
	for i := range m.z {
		m.z[i] /= zn
		alpha[i] += m.mu * m.z[i]
	}
	if m.pert == nil || len(m.pert.Alphas()) != len(ctx.Net.Alphas()) { // first round, or a new phase
		m.pert = ctx.Net.twin()
	}
	copyState(m.pert, ctx.Net)
	setAlphaVector(m.pert, alpha)
	if m.pertOpt != nil {
		for _, t := range m.pertOpt.StateTensors() {
			t.T.Free()
		}
	}
	// A fresh optimiser, as the reference: its momentum starts at zero.
	m.pertOpt = m.newPertOpt(ctx.LR)
	m.steps = 0
}

// newPertOpt is the perturbed copy's SGD (the reference's momentum and weight decay).
func (m *ZODARTS) newPertOpt(lr float64) *optim.SGD {
	return optim.NewSGD(weightVars(m.pert), optim.SGDConfig{LR: lr, Momentum: 0.9, WeightDecay: 3e-4})
}

// finishRound forms ĝ and takes the Adam step.
func (m *ZODARTS) finishRound(ctx *StepContext) {
	net := ctx.Net
	ws, alphas := weightVars(net), alphaVars(net)
	autograd.ZeroGrad(ws)
	autograd.ZeroGrad(alphas)
	tp := autograd.NewTape()
	tp.Backward(archLoss(tp, net, ctx.Valid, ctx.Objective))
	tp.Release()
	// zᵀ g_a
	ga := alphaGradHost(net)
	dot := 0.0
	for i, g := range ga {
		dot += m.z[i] * g
	}
	// dᵀ g_w on the device, read once.
	acc := tensor.New(netDevice(net), 1)
	pws := weightVars(m.pert)
	for i, w := range ws {
		if w.Grad == nil {
			continue
		}
		diff := tensor.Axpby(float32(1/m.mu), pws[i].Value, float32(-1/m.mu), w.Value)
		prod := tensor.Mul(diff, w.Grad)
		acc.Dev.Run(tensor.SumOp{A: 1, Accumulate: true}, []*tensor.Tensor{acc}, []*tensor.Tensor{prod})
		diff.Free()
		prod.Free()
	}
	dot += float64(acc.Item())
	acc.Free()
	autograd.ZeroGrad(ws)
	g := make([]float64, len(m.z))
	for i := range g {
		g[i] = dot * m.z[i]
	}
	setAlphaGrad(net, g)
	m.Adam.Step()
}

func (m *ZODARTS) Step(ctx *StepContext) {
	if m.z == nil {
		m.startRound(ctx)
	} else if m.steps >= m.Rounds {
		m.finishRound(ctx)
		m.startRound(ctx)
	}
	// The perturbed copy takes its step on the same training batch as the main network,
	// under the same relaxation (the temperature anneals between rounds).
	m.pert.setRelaxation(ctx.Net.relaxation())
	ws := weightVars(m.pert)
	m.pertOpt.SetLR(ctx.LR)
	weightGradient(m.pert, ctx.Train, nil)
	optim.ClipGradNorm(ws, 5)
	m.pertOpt.Step()
	autograd.ZeroGrad(ws)
	m.steps++
}

// ParamPenalty is ZO-DARTS++'s resource penalty (nas-algorithms.md §6.3) on the expected
// parameter count of the relaxed network: P = fixed + Σ_cells Σ_edges Σ_ops w·params(op),
// penalty = (Scale/T)·[ReLU(P − High) + ReLU(Low − P)]/10⁶, differentiable in α.
type ParamPenalty struct {
	Low, High float64
	Scale     float64 // 15 in the reference
	T         float64 // current sparsemax temperature (the weight grows as T anneals)
	Active    bool
	fixed     float64
	coefN     *tensor.Tensor // [edges, ops]: params of each op summed over the normal cells
	coefR     *tensor.Tensor
}

// NewParamPenalty measures the network's op sizes.
func NewParamPenalty(n *SearchNetwork, low, high float64) *ParamPenalty {
	edges, ops := n.AlphaNormal.Value.Shape[0], n.AlphaNormal.Value.Shape[1]
	cn := make([]float32, edges*ops)
	cr := make([]float32, edges*ops)
	mixed := 0
	for _, c := range n.cells {
		dst := cn
		if c.reduction {
			dst = cr
		}
		for e, m := range c.edges {
			for k, op := range m.ops {
				p := layers.CountParams(op)
				dst[e*ops+k] += float32(p)
				mixed += p
			}
		}
	}
	dev := n.AlphaNormal.Value.Dev
	return &ParamPenalty{Low: low, High: high, Scale: 15, T: 1,
		fixed: float64(n.ParamCount() - mixed),
		coefN: tensor.FromSlice(dev, cn, edges, ops), coefR: tensor.FromSlice(dev, cr, edges, ops)}
}

// Expected returns P for the relaxed weights (host numbers, for logs and tests).
func (p *ParamPenalty) Expected(wn, wr [][]float64) float64 {
	cn, cr := p.coefN.Read(), p.coefR.Read()
	P := p.fixed
	ops := p.coefN.Shape[1]
	for e := range wn {
		for k := range wn[e] {
			P += wn[e][k]*float64(cn[e*ops+k]) + wr[e][k]*float64(cr[e*ops+k])
		}
	}
	return P
}

func (p *ParamPenalty) on() bool { return p.Active }

func (p *ParamPenalty) lossOf(tp *autograd.Tape, relaxed []*autograd.Var) *autograd.Var {
	return p.loss(tp, relaxed[0], relaxed[1])
}

// loss builds the penalty on the tape from the relaxed weights.
func (p *ParamPenalty) loss(tp *autograd.Tape, wn, wr *autograd.Var) *autograd.Var {
	P := tp.AddScalar(tp.Add(tp.Sum(tp.Mul(wn, autograd.Const(p.coefN)), 1), tp.Sum(tp.Mul(wr, autograd.Const(p.coefR)), 1)), float32(p.fixed))
	over := tp.ReLU(tp.AddScalar(P, float32(-p.High)))
	under := tp.ReLU(tp.Scale(tp.AddScalar(P, float32(-p.Low)), -1))
	return tp.Scale(tp.Add(over, under), float32(p.Scale/p.T/1e6))
}
