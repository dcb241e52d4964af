package layers

import (
	"fmt"

	"godarts/autograd"
	"godarts/tensor"
)

// The DARTS building blocks (quark0/darts cnn/operations.py; nas-algorithms.md §1.1). All
// convolutions are bias-free; affine is false in the search network. Their parameter names
// carry PyTorch's "op." scope.

// opScope wraps the layers of a DARTS operation as PyTorch's `self.op = nn.Sequential(...)`.
func opScope(mods ...Module) *Sequential { return &Sequential{Mods: mods, Scope: "op"} }

// NewReLUConvBN is ReLU → conv k×k → BN.
func NewReLUConvBN(dev tensor.Backend, rng *tensor.RNG, cin, cout, k, stride, pad int, affine bool) *Sequential {
	return opScope(ReLU{}, NewConv2d(dev, rng, cin, cout, k, stride, pad, 1, 1, false), NewBatchNorm2d(dev, cout, affine))
}

// NewDilConv is ReLU → depthwise k×k (stride, dilation) → pointwise 1×1 → BN.
func NewDilConv(dev tensor.Backend, rng *tensor.RNG, cin, cout, k, stride, pad, dilation int, affine bool) *Sequential {
	return opScope(
		ReLU{},
		NewConv2d(dev, rng, cin, cin, k, stride, pad, dilation, cin, false),
		NewConv2d(dev, rng, cin, cout, 1, 1, 0, 1, 1, false),
		NewBatchNorm2d(dev, cout, affine),
	)
}

// NewSepConv is the DilConv pattern twice without dilation; only the first depthwise conv
// has the stride.
func NewSepConv(dev tensor.Backend, rng *tensor.RNG, cin, cout, k, stride, pad int, affine bool) *Sequential {
	return opScope(
		ReLU{},
		NewConv2d(dev, rng, cin, cin, k, stride, pad, 1, cin, false),
		NewConv2d(dev, rng, cin, cin, 1, 1, 0, 1, 1, false),
		NewBatchNorm2d(dev, cin, affine),
		ReLU{},
		NewConv2d(dev, rng, cin, cin, k, 1, pad, 1, cin, false),
		NewConv2d(dev, rng, cin, cout, 1, 1, 0, 1, 1, false),
		NewBatchNorm2d(dev, cout, affine),
	)
}

// FactorizedReduce halves the spatial size: ReLU, then two 1×1 stride-2 convs producing
// cout/2 channels each, the second on x shifted by one pixel, concatenated, then BN.
type FactorizedReduce struct {
	Conv1, Conv2 *Conv2d
	BN           *BatchNorm2d
}

// NewFactorizedReduce makes the block; cout must be even.
func NewFactorizedReduce(dev tensor.Backend, rng *tensor.RNG, cin, cout int, affine bool) *FactorizedReduce {
	if cout%2 != 0 {
		panic(fmt.Sprintf("FactorizedReduce: odd output channels %d", cout))
	}
	return &FactorizedReduce{
		Conv1: NewConv2d(dev, rng, cin, cout/2, 1, 2, 0, 1, 1, false),
		Conv2: NewConv2d(dev, rng, cin, cout/2, 1, 2, 0, 1, 1, false),
		BN:    NewBatchNorm2d(dev, cout, affine),
	}
}

func (f *FactorizedReduce) Forward(tp *autograd.Tape, x *autograd.Var) *autograd.Var {
	return f.ForwardStages(tp, x, false, false)
}

// StartsWithReLU is true: FactorizedReduce begins with a ReLU of its input.
func (f *FactorizedReduce) StartsWithReLU() bool { return true }

// FinalBN returns the block's BN when it is affine-free.
func (f *FactorizedReduce) FinalBN() *BatchNorm2d {
	if f.BN.Gamma == nil {
		return f.BN
	}
	return nil
}

// ForwardFromReLU runs the block on x = ReLU(input).
func (f *FactorizedReduce) ForwardFromReLU(tp *autograd.Tape, x *autograd.Var) *autograd.Var {
	return f.ForwardStages(tp, x, true, false)
}

// ForwardStages runs the block without its ReLU (fromReLU) and/or its BN (noBN).
func (f *FactorizedReduce) ForwardStages(tp *autograd.Tape, x *autograd.Var, fromReLU, noBN bool) *autograd.Var {
	if !fromReLU {
		x = tp.ReLU(x)
	}
	_, _, h, w := x.Value.Shape.NCHW("FactorizedReduce")
	shifted := tp.Narrow(tp.Narrow(x, 2, 1, h-1), 3, 1, w-1)
	y := tp.ConcatChannels(f.Conv1.Forward(tp, x), f.Conv2.Forward(tp, shifted))
	if noBN {
		if f.FinalBN() == nil {
			panic("layers: FactorizedReduce.ForwardStages without an affine BN")
		}
		return y
	}
	return f.BN.Forward(tp, y)
}

func (f *FactorizedReduce) Params() []Named {
	ps := []Named{{"conv_1.weight", f.Conv1.Weight}, {"conv_2.weight", f.Conv2.Weight}}
	for _, p := range f.BN.Params() {
		ps = append(ps, Named{"bn." + p.Name, p.V})
	}
	return ps
}

func (f *FactorizedReduce) Buffers() []NamedTensor {
	var out []NamedTensor
	for _, b := range f.BN.Buffers() {
		out = append(out, NamedTensor{"bn." + b.Name, b.T})
	}
	return out
}

func (f *FactorizedReduce) SetTraining(on bool) { f.BN.SetTraining(on) }
