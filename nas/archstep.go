package nas

import (
	"math"

	"godarts/autograd"
	"godarts/optim"
	"godarts/tensor"
)

// Batch is one batch on the device: images and labels (class indices as float32).
type Batch struct {
	X, Y *tensor.Tensor
}

// Objective says what the architecture minimises besides the validation cross-entropy.
type Objective struct {
	// ZeroOneWeight is w_01 of FairDARTS's zero-one loss −mean((σ(α)−0.5)²) over both cells
	// (nas-algorithms.md §2.1; 10 in the reference). 0 turns it off.
	ZeroOneWeight float64
	// Penalty, when set and on, adds ZO-DARTS++'s parameter-budget penalty.
	Penalty archPenalty
}

// archPenalty is a differentiable term of the relaxed weights (ZO-DARTS++'s parameter
// penalty on the DARTS cell or on the NB201 stages).
type archPenalty interface {
	on() bool
	lossOf(tp *autograd.Tape, relaxed []*autograd.Var) *autograd.Var
}

// StepContext is what an architecture optimiser gets for one iteration.
type StepContext struct {
	Net       Supernet
	Train     Batch
	Valid     Batch
	WeightOpt *optim.SGD
	// LR is the current weight learning rate (ξ of the unrolled step).
	LR float64
	// Iter counts iterations from 0 over the whole search.
	Iter, TotalIters int
	Objective        Objective
	// Extra draws another training batch (uploaded; the caller frees it) for methods that
	// fine-tune weight copies (ZARTS) or train a perturbed copy (ZO-DARTS).
	Extra func() Batch
}

// ArchOptimizer updates α once per search iteration, before the weight step.
type ArchOptimizer interface {
	Name() string
	Step(ctx *StepContext)
}

// archLoss builds the architecture objective on batch b: CE plus the zero-one term.
func archLoss(tp *autograd.Tape, net Supernet, b Batch, obj Objective) *autograd.Var {
	logits, relaxed := net.Logits(tp, autograd.Const(b.X))
	loss := tp.CrossEntropy(logits, b.Y)
	if obj.ZeroOneWeight != 0 {
		loss = tp.Add(loss, zeroOneLoss(tp, relaxed, obj.ZeroOneWeight))
	}
	if obj.Penalty != nil && obj.Penalty.on() {
		loss = tp.Add(loss, obj.Penalty.lossOf(tp, relaxed))
	}
	return loss
}

// zeroOneLoss is w·(−1/N Σ (w_i − 0.5)²) over the relaxed weights of every α group
// (FairDARTS: both cells, N = all their entries).
func zeroOneLoss(tp *autograd.Tape, relaxed []*autograd.Var, weight float64) *autograd.Var {
	n := 0
	for _, w := range relaxed {
		n += w.Value.Numel()
	}
	var loss *autograd.Var
	for _, w := range relaxed {
		d := tp.AddScalar(w, -0.5)
		part := tp.Sum(tp.Mul(d, d), float32(-weight/float64(n)))
		if loss == nil {
			loss = part
		} else {
			loss = tp.Add(loss, part)
		}
	}
	return loss
}

// withFrozen runs f with the network weights excluded from gradients (an α step), or
// with α excluded (a weight step), and restores the flags afterwards.
func withWeightsFrozen(net Supernet, f func()) {
	ws := net.Weights()
	for _, p := range ws {
		p.V.SetRequiresGrad(false)
	}
	defer func() {
		for _, p := range ws {
			p.V.SetRequiresGrad(true)
		}
	}()
	f()
}

func withAlphasFrozen(net Supernet, f func()) {
	for _, a := range net.Alphas() {
		a.V.SetRequiresGrad(false)
	}
	defer func() {
		for _, a := range net.Alphas() {
			a.V.SetRequiresGrad(true)
		}
	}()
	f()
}

// weightGradient runs the training loss forward and backward with α frozen, leaving
// ∇_w L_train in the weights' Grad; observe, when set, sees the loss and logits before
// the backward pass frees them.
func weightGradient(net Supernet, b Batch, observe func(loss, logits *tensor.Tensor)) {
	autograd.ZeroGrad(weightVars(net))
	withAlphasFrozen(net, func() {
		tp := autograd.NewTape()
		logits, _ := net.Logits(tp, autograd.Const(b.X))
		loss := tp.CrossEntropy(logits, b.Y)
		if observe != nil {
			observe(loss.Value, logits.Value)
		}
		tp.Backward(loss)
		tp.Release()
	})
}

func alphaVars(net Supernet) []*autograd.Var {
	as := net.Alphas()
	out := make([]*autograd.Var, len(as))
	for i, a := range as {
		out[i] = a.V
	}
	return out
}

func weightVars(net Supernet) []*autograd.Var {
	ws := net.Weights()
	out := make([]*autograd.Var, len(ws))
	for i, p := range ws {
		out[i] = p.V
	}
	return out
}

// FirstOrder is DARTS's first-order step (and FairDARTS's): α.grad = ∇_α L_val(w, α),
// then Adam.
type FirstOrder struct {
	Adam *optim.Adam
}

func (f *FirstOrder) Name() string { return "first-order" }

func (f *FirstOrder) Step(ctx *StepContext) {
	autograd.ZeroGrad(alphaVars(ctx.Net))
	withWeightsFrozen(ctx.Net, func() {
		tp := autograd.NewTape()
		tp.Backward(archLoss(tp, ctx.Net, ctx.Valid, ctx.Objective))
		tp.Release()
	})
	f.Adam.Step()
}

// SecondOrder is DARTS's unrolled step (architect.py; nas-algorithms.md §1.6):
//
//	w' = w − ξ(μ·b + ∇_w L_train(w) + λw)                    (virtual step, b = momentum)
//	g_α = ∇_α L_val(w', α),  v = ∇_w' L_val(w', α)
//	h = [∇_α L_train(w+εv) − ∇_α L_train(w−εv)] / 2ε,  ε = 0.01/‖v‖
//	α.grad = g_α − ξ·h
type SecondOrder struct {
	Adam *optim.Adam
	// Momentum and WeightDecay of the weight optimiser, used in the virtual step.
	Momentum, WeightDecay float64
	// HVPScale is the norm of the weight perturbation of the finite-difference
	// Hessian-vector product, ε·‖v‖ (0.01 in architect.py; 0 means that).
	HVPScale float64
}

func (s *SecondOrder) Name() string { return "second-order" }

func (s *SecondOrder) Step(ctx *StepContext) {
	s.Gradient(ctx)
	s.Adam.Step()
}

// Gradient sets α.Grad to the unrolled approximation without stepping.
func (s *SecondOrder) Gradient(ctx *StepContext) {
	net := ctx.Net
	ws := weightVars(net)
	alphas := alphaVars(net)
	xi := float32(ctx.LR)

	// Gradient of the training loss at w, for the virtual step.
	weightGradient(net, ctx.Train, nil)
	saved := make([]*tensor.Tensor, len(ws))
	for i, w := range ws {
		saved[i] = tensor.Clone(w.Value)
		// d = g + λw (+ μ·b); w' = w − ξ d
		d := tensor.Axpby(1, gradOrZero(w), float32(s.WeightDecay), w.Value)
		if b := ctx.WeightOpt.MomentumBuffer(w); b != nil {
			tensor.AxpbyInto(d, 1, d, float32(s.Momentum), b)
		}
		tensor.AxpbyInto(w.Value, 1, w.Value, -xi, d)
		d.Free()
	}

	// g_α and v at w'.
	autograd.ZeroGrad(ws)
	autograd.ZeroGrad(alphas)
	{
		tp := autograd.NewTape()
		tp.Backward(archLoss(tp, net, ctx.Valid, ctx.Objective))
		tp.Release()
	}
	gAlpha := cloneGrads(alphas)
	v := make([]*tensor.Tensor, len(ws))
	norm2 := tensor.New(netDevice(net), 1)
	for i, w := range ws {
		v[i] = tensor.Clone(gradOrZero(w))
		tensor.SumSquaresInto(norm2, v[i])
	}
	// ε = 0.01/‖v‖ is a host number in the reference; reading one scalar here is the
	// one host wait of the unrolled step.
	scale := s.HVPScale
	if scale == 0 {
		scale = 0.01
	}
	eps := float32(scale / math.Sqrt(float64(norm2.Item())))
	if math.IsInf(float64(eps), 0) || math.IsNaN(float64(eps)) {
		eps = float32(scale)
	}

	hvpGrad := func(sign float32) []*tensor.Tensor {
		for i, w := range ws {
			tensor.AxpbyInto(w.Value, 1, saved[i], sign*eps, v[i])
		}
		autograd.ZeroGrad(alphas)
		withWeightsFrozen(net, func() {
			tp := autograd.NewTape()
			logits, _ := net.Logits(tp, autograd.Const(ctx.Train.X))
			tp.Backward(tp.CrossEntropy(logits, ctx.Train.Y))
			tp.Release()
		})
		return cloneGrads(alphas)
	}
	gp := hvpGrad(+1)
	gm := hvpGrad(-1)
	for i, w := range ws { // restore w
		tensor.CopyInto(w.Value, saved[i])
		saved[i].Free()
		v[i].Free()
	}
	autograd.ZeroGrad(ws)
	for i, a := range alphas {
		// h = (gp − gm)/2ε; α.grad = g_α − ξ h
		h := tensor.Axpby(1/(2*eps), gp[i], -1/(2*eps), gm[i])
		tensor.AxpbyInto(a.Grad, 1, gAlpha[i], -xi, h)
		h.Free()
		gp[i].Free()
		gm[i].Free()
		gAlpha[i].Free()
	}
}

// cloneGrads copies the gradient of each var (zeros where it has none).
func cloneGrads(vs []*autograd.Var) []*tensor.Tensor {
	out := make([]*tensor.Tensor, len(vs))
	for i, v := range vs {
		out[i] = tensor.Clone(gradOrZero(v))
	}
	return out
}

func gradOrZero(v *autograd.Var) *tensor.Tensor {
	if v.Grad == nil {
		v.Grad = tensor.NewLike(v.Value)
	}
	return v.Grad
}
