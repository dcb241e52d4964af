// Package optim updates parameters on their device: SGD and Adam with PyTorch's semantics,
// global gradient-norm clipping, and state that checkpoints can save and restore.
package optim

import (
	"fmt"

	"godarts/autograd"
	"godarts/tensor"
)

// NamedTensor is one piece of optimiser state on the device.
type NamedTensor struct {
	Name string
	T    *tensor.Tensor
}

// State is the host part of an optimiser's state (the tensors are saved separately).
type State struct {
	Step int     `json:"step"`
	LR   float64 `json:"lr"`
	// ParamSteps counts the updates of each parameter (PyTorch's per-parameter
	// state["step"]); they differ from Step when a parameter had no gradient on some
	// steps. Absent in older checkpoints: then every parameter counts Step updates.
	ParamSteps []int `json:"param_steps,omitempty"`
}

// paramSteps returns st's per-parameter counts for n parameters.
func (st State) paramSteps(n int) []int {
	if len(st.ParamSteps) == n {
		return append([]int(nil), st.ParamSteps...)
	}
	out := make([]int, n)
	for i := range out {
		out[i] = st.Step
	}
	return out
}

// Optimizer is what training loops need of SGD and Adam.
type Optimizer interface {
	Step()
	SetLR(lr float64)
	State() State
	SetState(State)
	// StateTensors lists the device state (momentum buffers, moments) with names
	// "<param index>.<kind>", for checkpoints.
	StateTensors() []NamedTensor
}

// SGDConfig follows torch.optim.SGD.
type SGDConfig struct {
	LR, Momentum, Dampening, WeightDecay float64
	Nesterov                             bool
}

// SGD is stochastic gradient descent with momentum and L2 weight decay.
type SGD struct {
	Cfg    SGDConfig
	params []*autograd.Var
	bufs   []*tensor.Tensor
	// steps[i] counts the updates of parameter i; its momentum buffer holds a gradient
	// once steps[i] > 0: PyTorch initialises each buffer on the first step that parameter
	// has a gradient.
	steps []int
	step  int
}

// NewSGD makes an optimiser over params; the momentum buffers live on the params' device.
func NewSGD(params []*autograd.Var, cfg SGDConfig) *SGD {
	s := &SGD{Cfg: cfg, params: params, steps: make([]int, len(params))}
	if cfg.Momentum != 0 {
		for _, p := range params {
			s.bufs = append(s.bufs, tensor.NewLike(p.Value))
		}
	}
	return s
}

// Step updates every parameter that has a gradient. PyTorch's first step sets the
// momentum buffer to the gradient; later steps use buf = μ·buf + (1−dampening)·g.
func (s *SGD) Step() {
	for i, p := range s.params {
		if p.Grad == nil {
			continue
		}
		buf := p.Grad // unused without momentum
		if s.bufs != nil {
			buf = s.bufs[i]
		}
		tensor.SGDStepInto(p.Value, p.Grad, buf, tensor.SGDStepOp{
			LR: float32(s.Cfg.LR), Momentum: float32(s.Cfg.Momentum), Dampening: float32(s.Cfg.Dampening),
			WeightDecay: float32(s.Cfg.WeightDecay), Nesterov: s.Cfg.Nesterov, First: s.steps[i] == 0,
		})
		s.steps[i]++
	}
	s.step++
}

// SetLR changes the learning rate (once per epoch under a schedule).
func (s *SGD) SetLR(lr float64) { s.Cfg.LR = lr }

// MomentumBuffer returns p's momentum buffer, or nil before the first step or without
// momentum (the DARTS unrolled step reads it).
func (s *SGD) MomentumBuffer(p *autograd.Var) *tensor.Tensor {
	if s.bufs == nil {
		return nil
	}
	for i, q := range s.params {
		if q == p && s.steps[i] > 0 {
			return s.bufs[i]
		}
	}
	return nil
}

func (s *SGD) State() State {
	return State{Step: s.step, LR: s.Cfg.LR, ParamSteps: append([]int(nil), s.steps...)}
}

// SetState restores the step counts and learning rate (restore the momentum buffers
// through StateTensors).
func (s *SGD) SetState(st State) {
	s.step, s.Cfg.LR = st.Step, st.LR
	s.steps = st.paramSteps(len(s.params))
}

func (s *SGD) StateTensors() []NamedTensor {
	var out []NamedTensor
	for i, b := range s.bufs {
		out = append(out, NamedTensor{fmt.Sprintf("%d.momentum_buffer", i), b})
	}
	return out
}

// AdamConfig follows torch.optim.Adam (weight decay is L2 added to the gradient).
type AdamConfig struct {
	LR, Beta1, Beta2, Eps, WeightDecay float64
}

// Adam is torch.optim.Adam with bias correction.
type Adam struct {
	Cfg    AdamConfig
	params []*autograd.Var
	m, v   []*tensor.Tensor
	step   int
	// steps[i] counts the updates of parameter i: PyTorch keeps the bias-correction step
	// per parameter (state["step"]), so a parameter without a gradient on some steps is
	// corrected by its own count, not by the optimiser's.
	steps []int
}

// NewAdam makes an optimiser over params.
func NewAdam(params []*autograd.Var, cfg AdamConfig) *Adam {
	if cfg.Eps == 0 {
		cfg.Eps = 1e-8
	}
	a := &Adam{Cfg: cfg, params: params, steps: make([]int, len(params))}
	for _, p := range params {
		a.m = append(a.m, tensor.NewLike(p.Value))
		a.v = append(a.v, tensor.NewLike(p.Value))
	}
	return a
}

// Step updates every parameter that has a gradient.
func (a *Adam) Step() {
	a.step++
	for i, p := range a.params {
		if p.Grad == nil {
			continue
		}
		a.steps[i]++
		tensor.AdamStepInto(p.Value, p.Grad, a.m[i], a.v[i], tensor.AdamStepOp{
			LR: float32(a.Cfg.LR), Beta1: float32(a.Cfg.Beta1), Beta2: float32(a.Cfg.Beta2),
			Eps: float32(a.Cfg.Eps), WeightDecay: float32(a.Cfg.WeightDecay), Step: a.steps[i],
		})
	}
}

func (a *Adam) SetLR(lr float64) { a.Cfg.LR = lr }
func (a *Adam) State() State {
	return State{Step: a.step, LR: a.Cfg.LR, ParamSteps: append([]int(nil), a.steps...)}
}

// SetState restores the step counts and learning rate (restore the moments through
// StateTensors).
func (a *Adam) SetState(st State) {
	a.step, a.Cfg.LR = st.Step, st.LR
	a.steps = st.paramSteps(len(a.params))
}

func (a *Adam) StateTensors() []NamedTensor {
	var out []NamedTensor
	for i := range a.m {
		out = append(out, NamedTensor{fmt.Sprintf("%d.exp_avg", i), a.m[i]}, NamedTensor{fmt.Sprintf("%d.exp_avg_sq", i), a.v[i]})
	}
	return out
}

// ClipGradNorm scales the gradients of params so their global L2 norm is at most maxNorm,
// as torch.nn.utils.clip_grad_norm_ does, entirely on the device: the norm is never read
// back.
func ClipGradNorm(params []*autograd.Var, maxNorm float32) {
	var acc *tensor.Tensor
	for _, p := range params {
		if p.Grad == nil {
			continue
		}
		if acc == nil {
			acc = tensor.New(p.Grad.Dev, 1)
		}
		tensor.SumSquaresInto(acc, p.Grad)
	}
	if acc == nil {
		return
	}
	for _, p := range params {
		if p.Grad != nil {
			tensor.ClipByNormInto(p.Grad, acc, maxNorm)
		}
	}
	acc.Free()
}
