package nas

import (
	"fmt"

	"godarts/autograd"
	"godarts/layers"
	"godarts/nas/genotype"
	"godarts/tensor"
)

// The operations of the NAS-Bench-201 search cell (xautodl models/cell_operations.py, as
// HikariX/ZO-DARTS_PP extends it; nas-algorithms.md §6.3). xautodl gives every convolution
// of a cell op a bias exactly when its BN has no affine parameters (bias = not affine), so
// the search cell's ReLU-Conv-BN has (k²·C_in + 1)·C_out weights, the count ZO-DARTS++'s
// penalty uses.

// nb201Kernels are the kernel sizes of kernel_variable_conv, in α_mix column order.
var nb201Kernels = []int{7, 5, 3}

// newNB201ReLUConvBN is xautodl's ReLUConvBN: ReLU → conv k×k (stride 1, pad k/2, bias
// when affine is off) → BN.
func newNB201ReLUConvBN(dev tensor.Backend, rng *tensor.RNG, C, k int, affine bool) *layers.Sequential {
	return &layers.Sequential{Scope: "op", Mods: []layers.Module{
		layers.ReLU{},
		layers.NewConv2d(dev, rng, C, C, k, 1, k/2, 1, 1, !affine),
		layers.NewBatchNorm2d(dev, C, affine),
	}}
}

// newNB201Op builds one candidate op of an NB201 cell edge (C in = C out, stride 1).
// kernelSearch builds kernel_variable_conv with its 5×5 and 3×3 alternatives.
func newNB201Op(dev tensor.Backend, rng *tensor.RNG, name string, C int, affine, kernelSearch bool) (layers.Module, error) {
	switch name {
	case genotype.None:
		return layers.NewZero(1), nil
	case genotype.SkipConnect:
		return layers.Identity{}, nil
	case genotype.NorConv1x1:
		return newNB201ReLUConvBN(dev, rng, C, 1, affine), nil
	case genotype.NorConv3x3:
		return newNB201ReLUConvBN(dev, rng, C, 3, affine), nil
	case genotype.AvgPool3x3: // POOLING with C_in = C_out: no preprocess, no BN
		return layers.NewAvgPool2d(3, 1, 1), nil
	case genotype.VariableConv:
		v := &varConv{}
		n := 1
		if kernelSearch {
			n = len(nb201Kernels)
		}
		for _, k := range nb201Kernels[:n] {
			v.convs = append(v.convs, newNB201ReLUConvBN(dev, rng, C, k, affine))
		}
		return v, nil
	}
	return nil, fmt.Errorf("op %q is not an op of the NB201 search cell", name)
}

// varConv is ZO-DARTS++'s kernel_variable_conv (MixedReLUConvBN): a 7×7 ReLU-Conv-BN
// until the size-variable phase, then Σ_k w_mix[k]·ReLUConvBN_k(x) over 7×7, 5×5, 3×3,
// the two smaller kernels initialised from the centre of the trained 7×7 (initMixed).
type varConv struct {
	convs []*layers.Sequential // 7×7 first; 5×5 and 3×3 with kernel search
}

func (v *varConv) Forward(tp *autograd.Tape, x *autograd.Var) *autograd.Var {
	return v.ForwardFromReLU(tp, tp.ReLU(x))
}

func (v *varConv) StartsWithReLU() bool { return true }

// ForwardFromReLU is the 7×7 conv alone (before the size-variable phase).
func (v *varConv) ForwardFromReLU(tp *autograd.Tape, r *autograd.Var) *autograd.Var {
	return v.forwardMix(tp, r, nil)
}

// forwardMix weighs the kernel sizes by mix (the relaxed α_mix row); nil means 7×7 only.
func (v *varConv) forwardMix(tp *autograd.Tape, r, mix *autograd.Var) *autograd.Var {
	if mix == nil || len(v.convs) == 1 {
		return v.convs[0].ForwardFromReLU(tp, r)
	}
	outs := make([]*autograd.Var, len(v.convs))
	for k, c := range v.convs {
		outs[k] = c.ForwardFromReLU(tp, r)
	}
	y := tp.WeightedSum(mix, outs)
	tp.Drop(outs, r, y)
	return y
}

func (v *varConv) Params() []layers.Named {
	var out []layers.Named
	for k, c := range v.convs {
		for _, p := range c.Params() {
			out = append(out, layers.Named{Name: fmt.Sprintf("op_list.%d.%s", k, p.Name), V: p.V})
		}
	}
	return out
}

func (v *varConv) Buffers() []layers.NamedTensor {
	var out []layers.NamedTensor
	for k, c := range v.convs {
		for _, b := range c.Buffers() {
			out = append(out, layers.NamedTensor{Name: fmt.Sprintf("op_list.%d.%s", k, b.Name), T: b.T})
		}
	}
	return out
}

func (v *varConv) SetTraining(on bool) {
	for _, c := range v.convs {
		c.SetTraining(on)
	}
}

// initMixed copies the centre 5×5 and 3×3 of the 7×7 kernel (and its bias) into the
// smaller convolutions (cell_operations.py initialize_mixed_weight).
func (v *varConv) initMixed() {
	big := v.convs[0].Mods[1].(*layers.Conv2d)
	w := big.Weight.Value.Read()
	shape := big.Weight.Value.Shape // [out, in, 7, 7]
	for i := 1; i < len(v.convs); i++ {
		small := v.convs[i].Mods[1].(*layers.Conv2d)
		k := small.Weight.Value.Shape[2]
		off := (shape[2] - k) / 2
		dst := make([]float32, small.Weight.Value.Numel())
		for o := 0; o < shape[0]; o++ {
			for c := 0; c < shape[1]; c++ {
				for y := 0; y < k; y++ {
					for x := 0; x < k; x++ {
						dst[((o*shape[1]+c)*k+y)*k+x] = w[((o*shape[1]+c)*shape[2]+y+off)*shape[3]+x+off]
					}
				}
			}
		}
		small.Weight.Value.Write(dst)
		if big.Bias != nil && small.Bias != nil {
			tensor.CopyInto(small.Bias.Value, big.Bias.Value)
		}
	}
}

// resBlock is xautodl's ResNetBasicblock with stride 2, the fixed reduction between NB201
// stages: ReLUConvBN 3×3 stride 2, ReLUConvBN 3×3, plus a shortcut AvgPool 2×2 → conv 1×1.
// It is built with xautodl's default affine = true (no conv biases, affine BNs).
type resBlock struct {
	convA, convB *layers.Sequential
	down         *layers.Sequential
}

func newResBlock(dev tensor.Backend, rng *tensor.RNG, cin, cout int) *resBlock {
	return &resBlock{
		convA: layers.NewReLUConvBN(dev, rng, cin, cout, 3, 2, 1, true),
		convB: layers.NewReLUConvBN(dev, rng, cout, cout, 3, 1, 1, true),
		down:  layers.NewSequential(layers.NewAvgPool2d(2, 2, 0), layers.NewConv2d(dev, rng, cin, cout, 1, 1, 0, 1, 1, false)),
	}
}

// Forward frees its intermediates when the tape does not record (x is the caller's).
func (b *resBlock) Forward(tp *autograd.Tape, x *autograd.Var) *autograd.Var {
	a := b.convA.Forward(tp, x)
	r := dropAfter(tp, a, b.convB.Forward(tp, a))
	d := b.down.Forward(tp, x)
	y := tp.Add(d, r)
	tp.Drop([]*autograd.Var{d, r}, x, y)
	return y
}

func (b *resBlock) parts() layers.Modules {
	return layers.Modules{{Name: "conv_a", M: b.convA}, {Name: "conv_b", M: b.convB}, {Name: "downsample", M: b.down}}
}

func (b *resBlock) Params() []layers.Named        { return b.parts().Params() }
func (b *resBlock) Buffers() []layers.NamedTensor { return b.parts().Buffers() }
func (b *resBlock) SetTraining(on bool)           { b.parts().SetTraining(on) }
