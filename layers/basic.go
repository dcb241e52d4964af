package layers

import (
	"fmt"

	"godarts/autograd"
	"godarts/tensor"
)

// Conv2d is a 2-d convolution with optional bias, initialised as PyTorch's Conv2d
// (Kaiming-uniform with a = √5, bias uniform in ±1/√fan_in).
type Conv2d struct {
	Weight, Bias *autograd.Var
	P            tensor.Conv2DParams
}

// NewConv2d makes a k×k convolution cin→cout.
func NewConv2d(dev tensor.Backend, rng *tensor.RNG, cin, cout, k, stride, pad, dilation, groups int, bias bool) *Conv2d {
	if cin%groups != 0 || cout%groups != 0 {
		panic(fmt.Sprintf("Conv2d: channels %d→%d not divisible by groups %d", cin, cout, groups))
	}
	c := &Conv2d{
		Weight: autograd.Param(tensor.KaimingUniform(dev, rng, cout, cin/groups, k, k)),
		P:      tensor.Conv2DParams{Stride: stride, Pad: pad, Dilation: dilation, Groups: groups},
	}
	if bias {
		b := tensor.KaimingUniformBound(cin / groups * k * k)
		c.Bias = autograd.Param(tensor.FromSlice(dev, rng.UniformSlice(cout, -b, b), cout))
	}
	return c
}

func (c *Conv2d) Forward(tp *autograd.Tape, x *autograd.Var) *autograd.Var {
	return tp.Conv2DBias(x, c.Weight, c.Bias, c.P)
}

func (c *Conv2d) Params() []Named {
	ps := []Named{{"weight", c.Weight}}
	if c.Bias != nil {
		ps = append(ps, Named{"bias", c.Bias})
	}
	return ps
}
func (c *Conv2d) Buffers() []NamedTensor { return nil }
func (c *Conv2d) SetTraining(bool)       {}

// Linear is y = x·Wᵀ + b with W [out, in], initialised as PyTorch's Linear.
type Linear struct {
	Weight, Bias *autograd.Var
}

// NewLinear makes an in→out layer with bias.
func NewLinear(dev tensor.Backend, rng *tensor.RNG, in, out int) *Linear {
	b := tensor.KaimingUniformBound(in)
	return &Linear{
		Weight: autograd.Param(tensor.KaimingUniform(dev, rng, out, in)),
		Bias:   autograd.Param(tensor.FromSlice(dev, rng.UniformSlice(out, -b, b), out)),
	}
}

func (l *Linear) Forward(tp *autograd.Tape, x *autograd.Var) *autograd.Var {
	return tp.AddBias(tp.MatMul(x, l.Weight, false, true), l.Bias)
}
func (l *Linear) Params() []Named        { return []Named{{"weight", l.Weight}, {"bias", l.Bias}} }
func (l *Linear) Buffers() []NamedTensor { return nil }
func (l *Linear) SetTraining(bool)       {}

// BatchNorm2d is PyTorch's BatchNorm2d (eps 1e-5, momentum 0.1, running statistics),
// with or without the affine γ, β.
type BatchNorm2d struct {
	Gamma, Beta     *autograd.Var // nil when affine is off
	RunMean, RunVar *tensor.Tensor
	P               tensor.BatchNormParams
	training        bool
}

// NewBatchNorm2d makes a BN over c channels: γ = 1, β = 0, running mean 0, var 1.
func NewBatchNorm2d(dev tensor.Backend, c int, affine bool) *BatchNorm2d {
	b := &BatchNorm2d{
		RunMean:  tensor.New(dev, c),
		RunVar:   tensor.Full(dev, 1, c),
		P:        tensor.BatchNormParams{Eps: 1e-5, Momentum: 0.1},
		training: true,
	}
	if affine {
		b.Gamma = autograd.Param(tensor.Full(dev, 1, c))
		b.Beta = autograd.Param(tensor.New(dev, c))
	}
	return b
}

func (b *BatchNorm2d) Forward(tp *autograd.Tape, x *autograd.Var) *autograd.Var {
	return tp.BatchNorm(x, b.Gamma, b.Beta, b.RunMean, b.RunVar, b.training, b.P)
}
func (b *BatchNorm2d) Params() []Named {
	if b.Gamma == nil {
		return nil
	}
	return []Named{{"weight", b.Gamma}, {"bias", b.Beta}}
}
func (b *BatchNorm2d) Buffers() []NamedTensor {
	return []NamedTensor{{"running_mean", b.RunMean}, {"running_var", b.RunVar}}
}
func (b *BatchNorm2d) SetTraining(on bool) { b.training = on }

// Training reports whether b normalises with batch statistics.
func (b *BatchNorm2d) Training() bool { return b.training }

// ReLU is max(x, 0).
type ReLU struct{ stateless }

func (ReLU) Forward(tp *autograd.Tape, x *autograd.Var) *autograd.Var { return tp.ReLU(x) }

// Identity passes x through.
type Identity struct{ stateless }

func (Identity) Forward(_ *autograd.Tape, x *autograd.Var) *autograd.Var { return x }

// Pool2d is max or average pooling (average never counts padding).
type Pool2d struct {
	stateless
	P tensor.Pool2DParams
}

// NewMaxPool2d makes a k×k max pool.
func NewMaxPool2d(k, stride, pad int) *Pool2d {
	return &Pool2d{P: tensor.Pool2DParams{Kind: tensor.MaxPool, K: k, Stride: stride, Pad: pad}}
}

// NewAvgPool2d makes a k×k average pool with count_include_pad=False.
func NewAvgPool2d(k, stride, pad int) *Pool2d {
	return &Pool2d{P: tensor.Pool2DParams{Kind: tensor.AvgPool, K: k, Stride: stride, Pad: pad}}
}

func (p *Pool2d) Forward(tp *autograd.Tape, x *autograd.Var) *autograd.Var { return tp.Pool2D(x, p.P) }

// Zero is the DARTS `none` op: zeros shaped like the strided output.
type Zero struct {
	stateless
	Stride int
}

// NewZero makes the none op for a stride.
func NewZero(stride int) *Zero { return &Zero{Stride: stride} }

func (z *Zero) Forward(tp *autograd.Tape, x *autograd.Var) *autograd.Var { return tp.Zero(x, z.Stride) }

// Sequential applies its modules in order; parameter names are prefixed by the index,
// and by Scope when it is set: the DARTS operations keep their layers in a field named
// `op` (quark0/darts cnn/operations.py), so their names read "op.1.weight" as PyTorch's.
type Sequential struct {
	Mods  []Module
	Scope string
}

// NewSequential chains modules.
func NewSequential(mods ...Module) *Sequential { return &Sequential{Mods: mods} }

func (s *Sequential) Forward(tp *autograd.Tape, x *autograd.Var) *autograd.Var {
	return s.forward(tp, x, s.Mods)
}

// forward runs mods in order; without a recording tape each intermediate output is freed
// as soon as the next module has read it. A training-mode BN followed by a ReLU runs as
// one tape op (autograd.BatchNormReLU), which keeps no BN output for the backward pass.
func (s *Sequential) forward(tp *autograd.Tape, x *autograd.Var, mods []Module) *autograd.Var {
	in := x
	for i := 0; i < len(mods); i++ {
		var y *autograd.Var
		bn, ok := mods[i].(*BatchNorm2d)
		if _, relu := next(mods, i).(ReLU); ok && relu && bn.training {
			y = tp.BatchNormReLU(x, bn.Gamma, bn.Beta, bn.RunMean, bn.RunVar, true, bn.P)
			i++
		} else {
			y = mods[i].Forward(tp, x)
		}
		if x != in {
			tp.Drop([]*autograd.Var{x}, y, in)
		}
		x = y
	}
	return x
}

// next returns mods[i+1], or nil at the end.
func next(mods []Module, i int) Module {
	if i+1 < len(mods) {
		return mods[i+1]
	}
	return nil
}

// StartsWithReLU reports whether s's first module is a ReLU.
func (s *Sequential) StartsWithReLU() bool {
	if len(s.Mods) == 0 {
		return false
	}
	_, ok := s.Mods[0].(ReLU)
	return ok
}

// FinalBN returns s's last module when it is an affine-free BatchNorm2d.
func (s *Sequential) FinalBN() *BatchNorm2d {
	if len(s.Mods) == 0 {
		return nil
	}
	if bn, ok := s.Mods[len(s.Mods)-1].(*BatchNorm2d); ok && bn.Gamma == nil {
		return bn
	}
	return nil
}

// ForwardFromReLU runs s on r = ReLU(x), skipping its first module (a ReLU).
func (s *Sequential) ForwardFromReLU(tp *autograd.Tape, r *autograd.Var) *autograd.Var {
	return s.ForwardStages(tp, r, true, false)
}

// ForwardStages runs s without its leading ReLU (fromReLU) and/or final BN (noBN).
func (s *Sequential) ForwardStages(tp *autograd.Tape, x *autograd.Var, fromReLU, noBN bool) *autograd.Var {
	mods := s.Mods
	if fromReLU {
		if !s.StartsWithReLU() {
			panic("layers: ForwardStages from a ReLU on a Sequential that does not start with one")
		}
		mods = mods[1:]
	}
	if noBN {
		if s.FinalBN() == nil {
			panic("layers: ForwardStages without the final BN on a Sequential that does not end with an affine-free one")
		}
		mods = mods[:len(mods)-1]
	}
	return s.forward(tp, x, mods)
}

func (s *Sequential) Params() []Named {
	var out []Named
	for i, m := range s.Mods {
		for _, p := range m.Params() {
			out = append(out, Named{s.prefix(i) + p.Name, p.V})
		}
	}
	return out
}

func (s *Sequential) Buffers() []NamedTensor {
	var out []NamedTensor
	for i, m := range s.Mods {
		for _, b := range m.Buffers() {
			out = append(out, NamedTensor{s.prefix(i) + b.Name, b.T})
		}
	}
	return out
}

func (s *Sequential) prefix(i int) string {
	if s.Scope != "" {
		return fmt.Sprintf("%s.%d.", s.Scope, i)
	}
	return fmt.Sprintf("%d.", i)
}

func (s *Sequential) SetTraining(on bool) {
	for _, m := range s.Mods {
		m.SetTraining(on)
	}
}

// GlobalAvgPool averages each channel over the plane: [N,C,H,W] → [N,C].
type GlobalAvgPool struct{ stateless }

func (GlobalAvgPool) Forward(tp *autograd.Tape, x *autograd.Var) *autograd.Var {
	return tp.GlobalAvgPool(x)
}
