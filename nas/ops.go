// Package nas builds DARTS-style search networks from a search space, relaxes their
// architecture weights, runs the bilevel search and discretises the result to a genotype.
package nas

import (
	"fmt"

	"godarts/autograd"
	"godarts/layers"
	"godarts/nas/genotype"
	"godarts/tensor"
)

// newOp builds one candidate operation of the DARTS op set (quark0/darts cnn/operations.py;
// nas-algorithms.md §1.1) for C channels and the given stride. affine is false in the
// search network and true in the evaluation network.
func newOp(dev tensor.Backend, rng *tensor.RNG, name string, C, stride int, affine bool) (layers.Module, error) {
	switch name {
	case genotype.None:
		return layers.NewZero(stride), nil
	case genotype.MaxPool3x3:
		return layers.NewMaxPool2d(3, stride, 1), nil
	case genotype.AvgPool3x3:
		return layers.NewAvgPool2d(3, stride, 1), nil
	case genotype.SkipConnect:
		if stride == 1 {
			return layers.Identity{}, nil
		}
		return layers.NewFactorizedReduce(dev, rng, C, C, affine), nil
	case genotype.SepConv3x3:
		return layers.NewSepConv(dev, rng, C, C, 3, stride, 1, affine), nil
	case genotype.SepConv5x5:
		return layers.NewSepConv(dev, rng, C, C, 5, stride, 2, affine), nil
	case genotype.DilConv3x3:
		return layers.NewDilConv(dev, rng, C, C, 3, stride, 2, 2, affine), nil
	case genotype.DilConv5x5:
		return layers.NewDilConv(dev, rng, C, C, 5, stride, 4, 2, affine), nil
	case genotype.Noise:
		return &noiseOp{stride: stride, zero: layers.NewZero(stride), rng: rng}, nil
	case genotype.NorConv1x1:
		return layers.NewReLUConvBN(dev, rng, C, C, 1, stride, 0, affine), nil
	case genotype.NorConv3x3:
		return layers.NewReLUConvBN(dev, rng, C, C, 3, stride, 1, affine), nil
	}
	return nil, fmt.Errorf("op %q is not built by this network", name)
}

// isPool reports whether the search MixedOp follows name with BN(affine=false), as
// model_search.py does for the pooling ops (nas-algorithms.md §1.1).
func isPool(name string) bool {
	return name == genotype.MaxPool3x3 || name == genotype.AvgPool3x3
}

// noiseOp is RobustDARTS S4's noise op. The reference draws N(0,1) noise shaped like the
// (subsampled) input and passes no gradient through it; we draw it from the host RNG so
// runs stay reproducible (and resumable: the RNG state is checkpointed).
type noiseOp struct {
	stride int
	zero   layers.Module
	rng    *tensor.RNG
}

func (o *noiseOp) Forward(tp *autograd.Tape, x *autograd.Var) *autograd.Var {
	z := o.zero.Forward(tp, x)
	if o.rng == nil {
		return z
	}
	noise := o.rng.NormalSlice(z.Value.Numel(), 1)
	return autograd.Const(tensor.FromSlice(x.Value.Dev, noise, z.Value.Shape...))
}
func (o *noiseOp) Params() []layers.Named        { return nil }
func (o *noiseOp) Buffers() []layers.NamedTensor { return nil }
func (o *noiseOp) SetTraining(bool)              {}
