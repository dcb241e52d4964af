package autograd_test

import (
	"testing"

	"godarts/autograd"
	"godarts/tensor"
	"godarts/tensor/ref"
)

// param draws a ref parameter uniform in [lo, hi).
func param(g *tensor.RNG, lo, hi float64, shape ...int) *autograd.Var {
	d := make([]float64, tensor.Shape(shape).Numel())
	for i := range d {
		d[i] = g.Uniform(lo, hi)
	}
	return autograd.Param(ref.FromFloat64(d, shape...))
}

// awayFromZero draws values whose magnitude is at least 0.1, so ReLU kinks and ties are
// farther than the finite-difference step.
func awayFromZero(g *tensor.RNG, shape ...int) *autograd.Var {
	d := make([]float64, tensor.Shape(shape).Numel())
	for i := range d {
		v := g.Uniform(0.1, 1)
		if g.Float64() < 0.5 {
			v = -v
		}
		d[i] = v
	}
	return autograd.Param(ref.FromFloat64(d, shape...))
}

// frozen turns v's gradient off (a leaf trained by nobody in this case).
func frozen(v *autograd.Var) *autograd.Var {
	v.SetRequiresGrad(false)
	return v
}

type gcCase struct {
	name string
	in   []*autograd.Var
	f    func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var
}

// TestGradCheckEveryOp checks the backward rule of every tape op against central finite
// differences in float64 on the ref backend.
func TestGradCheckEveryOp(t *testing.T) {
	g := tensor.NewRNG(3)
	conv := func(p tensor.Conv2DParams) func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var {
		return func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var { return tp.Conv2D(in[0], in[1], p) }
	}
	bn := tensor.BatchNormParams{Eps: 1e-5, Momentum: 0.1}
	labels := ref.FromFloat64([]float64{2, 0, 4}, 3)
	mask := ref.FromFloat64([]float64{0, 1.25, 1.25}, 3)
	cases := []gcCase{
		{"conv2d", []*autograd.Var{param(g, -1, 1, 2, 3, 5, 5), param(g, -1, 1, 4, 3, 3, 3)}, conv(tensor.Conv2DParams{Stride: 1, Pad: 1, Dilation: 1, Groups: 1})},
		{"conv2d with bias", []*autograd.Var{param(g, -1, 1, 2, 3, 5, 5), param(g, -1, 1, 4, 3, 3, 3), param(g, -1, 1, 4)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var {
			return tp.Conv2DBias(in[0], in[1], in[2], tensor.Conv2DParams{Stride: 1, Pad: 1, Dilation: 1, Groups: 1})
		}},
		{"conv2d stride 2", []*autograd.Var{param(g, -1, 1, 1, 2, 7, 6), param(g, -1, 1, 3, 2, 3, 3)}, conv(tensor.Conv2DParams{Stride: 2, Pad: 1, Dilation: 1, Groups: 1})},
		{"conv2d dilation 2", []*autograd.Var{param(g, -1, 1, 1, 2, 7, 7), param(g, -1, 1, 2, 2, 3, 3)}, conv(tensor.Conv2DParams{Stride: 1, Pad: 2, Dilation: 2, Groups: 1})},
		{"conv2d depthwise", []*autograd.Var{param(g, -1, 1, 2, 3, 5, 5), param(g, -1, 1, 3, 1, 3, 3)}, conv(tensor.Conv2DParams{Stride: 1, Pad: 1, Dilation: 1, Groups: 3})},
		{"conv2d groups 2 (not depthwise)", []*autograd.Var{param(g, -1, 1, 2, 4, 5, 4), param(g, -1, 1, 6, 2, 3, 3)}, conv(tensor.Conv2DParams{Stride: 1, Pad: 1, Dilation: 1, Groups: 2})},
		{"conv2d depthwise stride 2 dilation 2 (dil_conv reduce)", []*autograd.Var{param(g, -1, 1, 1, 3, 7, 6), param(g, -1, 1, 3, 1, 3, 3)}, conv(tensor.Conv2DParams{Stride: 2, Pad: 2, Dilation: 2, Groups: 3})},
		{"conv2d 1x1 stride 2 no pad", []*autograd.Var{param(g, -1, 1, 3, 2, 5, 5), param(g, -1, 1, 3, 2, 1, 1)}, conv(tensor.Conv2DParams{Stride: 2, Pad: 0, Dilation: 1, Groups: 1})},
		{"conv2d 5x5 pad 2 batch 1", []*autograd.Var{param(g, -1, 1, 1, 1, 3, 4), param(g, -1, 1, 2, 1, 5, 5)}, conv(tensor.Conv2DParams{Stride: 1, Pad: 2, Dilation: 1, Groups: 1})},
		{"matmul", []*autograd.Var{param(g, -1, 1, 3, 4), param(g, -1, 1, 4, 2)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var {
			return tp.MatMul(in[0], in[1], false, false)
		}},
		{"matmul ᵀb", []*autograd.Var{param(g, -1, 1, 3, 4), param(g, -1, 1, 2, 4)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var { return tp.MatMul(in[0], in[1], false, true) }},
		{"matmul ᵀa", []*autograd.Var{param(g, -1, 1, 4, 3), param(g, -1, 1, 4, 2)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var { return tp.MatMul(in[0], in[1], true, false) }},
		{"matmul ᵀaᵀb", []*autograd.Var{param(g, -1, 1, 4, 3), param(g, -1, 1, 2, 4)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var { return tp.MatMul(in[0], in[1], true, true) }},
		{"add_bias 2d", []*autograd.Var{param(g, -1, 1, 3, 4), param(g, -1, 1, 4)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var { return tp.AddBias(in[0], in[1]) }},
		{"add_bias 4d", []*autograd.Var{param(g, -1, 1, 2, 3, 2, 2), param(g, -1, 1, 3)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var { return tp.AddBias(in[0], in[1]) }},
		{"batch_norm affine", []*autograd.Var{param(g, -1, 1, 3, 2, 3, 3), param(g, 0.5, 1.5, 2), param(g, -1, 1, 2)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var {
			return tp.BatchNorm(in[0], in[1], in[2], nil, nil, true, bn)
		}},
		{"batch_norm no affine, running buffers", []*autograd.Var{param(g, -1, 1, 2, 3, 3, 2)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var {
			return tp.BatchNorm(in[0], nil, nil, tensor.New(ref.New(), 3), tensor.Full(ref.New(), 1, 3), true, bn)
		}},
		{"batch_norm eval affine", []*autograd.Var{param(g, -1, 1, 2, 3, 3, 2), param(g, 0.5, 1.5, 3), param(g, -1, 1, 3)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var {
			return tp.BatchNorm(in[0], in[1], in[2], ref.FromFloat64([]float64{0.1, -0.2, 0.3}, 3), ref.FromFloat64([]float64{0.5, 1.2, 2}, 3), false, bn)
		}},
		{"batch_norm eval no affine", []*autograd.Var{param(g, -1, 1, 2, 3, 2, 2)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var {
			return tp.BatchNorm(in[0], nil, nil, ref.FromFloat64([]float64{0.1, -0.2, 0.3}, 3), ref.FromFloat64([]float64{0.5, 1.2, 2}, 3), false, bn)
		}},
		{"batch_norm train, γ frozen, β trained", []*autograd.Var{param(g, -1, 1, 2, 2, 3, 3), frozen(param(g, 0.5, 1.5, 2)), param(g, -1, 1, 2)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var {
			return tp.BatchNorm(in[0], in[1], in[2], nil, nil, true, bn)
		}},
		{"batch_norm eval, β frozen, γ trained", []*autograd.Var{param(g, -1, 1, 2, 3, 2, 2), param(g, 0.5, 1.5, 3), frozen(param(g, -1, 1, 3))}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var {
			return tp.BatchNorm(in[0], in[1], in[2], ref.FromFloat64([]float64{0.1, -0.2, 0.3}, 3), ref.FromFloat64([]float64{0.5, 1.2, 2}, 3), false, bn)
		}},
		{"batch_norm eval, γ frozen, β trained", []*autograd.Var{param(g, -1, 1, 2, 3, 2, 2), frozen(param(g, 0.5, 1.5, 3)), param(g, -1, 1, 3)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var {
			return tp.BatchNorm(in[0], in[1], in[2], ref.FromFloat64([]float64{0.1, -0.2, 0.3}, 3), ref.FromFloat64([]float64{0.5, 1.2, 2}, 3), false, bn)
		}},
		{"relu", []*autograd.Var{awayFromZero(g, 2, 3, 4)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var { return tp.ReLU(in[0]) }},
		{"sigmoid", []*autograd.Var{param(g, -3, 3, 2, 5)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var { return tp.Sigmoid(in[0]) }},
		{"max_pool 3x3 s1", []*autograd.Var{param(g, -1, 1, 2, 2, 5, 5)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var {
			return tp.Pool2D(in[0], tensor.Pool2DParams{Kind: tensor.MaxPool, K: 3, Stride: 1, Pad: 1})
		}},
		{"max_pool 3x3 s2", []*autograd.Var{param(g, -1, 1, 1, 2, 7, 6)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var {
			return tp.Pool2D(in[0], tensor.Pool2DParams{Kind: tensor.MaxPool, K: 3, Stride: 2, Pad: 1})
		}},
		{"avg_pool 3x3 s2", []*autograd.Var{param(g, -1, 1, 2, 2, 5, 7)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var {
			return tp.Pool2D(in[0], tensor.Pool2DParams{Kind: tensor.AvgPool, K: 3, Stride: 2, Pad: 1})
		}},
		{"avg_pool 3x3 s1 (padding excluded from the count)", []*autograd.Var{param(g, -1, 1, 1, 2, 4, 5)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var {
			return tp.Pool2D(in[0], tensor.Pool2DParams{Kind: tensor.AvgPool, K: 3, Stride: 1, Pad: 1})
		}},
		{"global_avg_pool", []*autograd.Var{param(g, -1, 1, 2, 3, 3, 4)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var { return tp.GlobalAvgPool(in[0]) }},
		{"add", []*autograd.Var{param(g, -1, 1, 2, 3), param(g, -1, 1, 2, 3)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var { return tp.Add(in[0], in[1]) }},
		{"add same input twice", []*autograd.Var{param(g, -1, 1, 2, 3)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var { return tp.Add(in[0], in[0]) }},
		{"scale", []*autograd.Var{param(g, -1, 1, 2, 3)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var { return tp.Scale(in[0], -2.5) }},
		{"add_scalar", []*autograd.Var{param(g, -1, 1, 2, 3)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var { return tp.AddScalar(in[0], 0.5) }},
		{"mul", []*autograd.Var{param(g, -1, 1, 2, 3), param(g, -1, 1, 2, 3)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var { return tp.Mul(in[0], in[1]) }},
		{"mul square", []*autograd.Var{param(g, -1, 1, 4)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var { return tp.Mul(in[0], in[0]) }},
		{"sum", []*autograd.Var{param(g, -1, 1, 2, 3, 2)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var { return tp.Sum(tp.Mul(in[0], in[0]), 0.7) }},
		{"mean", []*autograd.Var{param(g, -1, 1, 3, 5)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var { return tp.Mean(tp.Mul(in[0], in[0])) }},
		{"weighted_sum", []*autograd.Var{param(g, -1, 1, 3), param(g, -1, 1, 2, 2, 3, 3), param(g, -1, 1, 2, 2, 3, 3), param(g, -1, 1, 2, 2, 3, 3)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var {
			return tp.WeightedSum(in[0], in[1:])
		}},
		{"weighted_sum of softmax(α)", []*autograd.Var{param(g, -1, 1, 1, 3), param(g, -1, 1, 1, 2, 2, 2), param(g, -1, 1, 1, 2, 2, 2), param(g, -1, 1, 1, 2, 2, 2)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var {
			return tp.WeightedSum(tp.Reshape(tp.Softmax(in[0]), 3), in[1:])
		}},
		{"concat", []*autograd.Var{param(g, -1, 1, 2, 1, 3, 3), param(g, -1, 1, 2, 3, 3, 3), param(g, -1, 1, 2, 2, 3, 3)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var {
			return tp.ConcatChannels(in...)
		}},
		{"narrow channels then conv", []*autograd.Var{param(g, -1, 1, 2, 4, 3, 3), param(g, -1, 1, 2, 2, 1, 1)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var {
			return tp.Conv2D(tp.Narrow(in[0], 1, 1, 2), in[1], tensor.Conv2DParams{Stride: 1, Dilation: 1, Groups: 1})
		}},
		{"narrow spatial (factorized reduce shift)", []*autograd.Var{param(g, -1, 1, 1, 2, 5, 4)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var {
			return tp.Scale(tp.Narrow(tp.Narrow(in[0], 2, 1, 4), 3, 1, 3), 1)
		}},
		{"narrow rows of a 2-d weight matrix (supernet edge weights)", []*autograd.Var{param(g, -1, 1, 4, 3), param(g, -1, 1, 3, 2, 2, 2), param(g, -1, 1, 3, 2, 2, 2), param(g, -1, 1, 3, 2, 2, 2)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var {
			w := tp.Softmax(in[0])
			a := tp.WeightedSum(tp.Reshape(tp.Narrow(w, 0, 1, 1), 3), in[1:])
			b := tp.WeightedSum(tp.Reshape(tp.Narrow(w, 0, 3, 1), 3), in[1:])
			return tp.Add(a, tp.Scale(b, 0.5))
		}},
		{"mixed_sum: skip, BN, none, BN, skip over 6 weights", []*autograd.Var{param(g, -1, 1, 2, 3), param(g, -1, 1, 2, 2, 3, 3), param(g, -1, 1, 2, 2, 3, 3), param(g, -1, 1, 2, 2, 3, 3), param(g, -1, 1, 2, 2, 3, 3)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var {
			mbn := &autograd.MixBN{RunMean: tensor.New(ref.New(), 2), RunVar: tensor.Full(ref.New(), 1, 2), P: bn}
			return tp.MixedSum(tp.Reshape(in[0], 6), []autograd.MixTerm{
				{Index: 0, X: in[1]}, {Index: 1, X: in[2], BN: mbn}, {Index: 2},
				{Index: 4, X: in[3], BN: &autograd.MixBN{P: bn}}, {Index: 5, X: in[4]},
			})
		}},
		{"mixed_sum with weights frozen and one input frozen", []*autograd.Var{frozen(param(g, -1, 1, 3)), param(g, -1, 1, 1, 2, 3, 3), frozen(param(g, -1, 1, 1, 2, 3, 3))}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var {
			return tp.MixedSum(in[0], []autograd.MixTerm{{Index: 0, X: in[1], BN: &autograd.MixBN{P: bn}}, {Index: 2, X: in[2], BN: &autograd.MixBN{P: bn}}})
		}},
		{"batch_norm_relu affine", []*autograd.Var{param(g, -1, 1, 3, 2, 3, 3), param(g, 0.5, 1.5, 2), param(g, -1, 1, 2)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var {
			return tp.BatchNormReLU(in[0], in[1], in[2], nil, nil, true, bn)
		}},
		{"batch_norm_relu no affine, running buffers", []*autograd.Var{param(g, -1, 1, 2, 3, 3, 2)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var {
			return tp.BatchNormReLU(in[0], nil, nil, tensor.New(ref.New(), 3), tensor.Full(ref.New(), 1, 3), true, bn)
		}},
		{"reshape", []*autograd.Var{param(g, -1, 1, 2, 3, 2, 2)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var {
			return tp.Mul(tp.Reshape(in[0], 2, 12), tp.Reshape(in[0], 2, 12))
		}},
		{"reshape of a strided view", []*autograd.Var{param(g, -1, 1, 2, 4, 2, 3)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var {
			return tp.Reshape(tp.Narrow(in[0], 1, 1, 2), 2, 12)
		}},
		{"concat of strided views", []*autograd.Var{param(g, -1, 1, 2, 4, 3, 3)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var {
			return tp.ConcatChannels(tp.Narrow(in[0], 1, 2, 2), tp.Narrow(in[0], 1, 0, 3))
		}},
		{"softmax", []*autograd.Var{param(g, -2, 2, 3, 5)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var { return tp.Softmax(in[0]) }},
		{"log_softmax", []*autograd.Var{param(g, -2, 2, 3, 5)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var { return tp.LogSoftmax(in[0]) }},
		{"sparsemax", []*autograd.Var{param(g, -1, 1, 4, 6)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var { return tp.Sparsemax(in[0]) }},
		{"cross_entropy", []*autograd.Var{param(g, -2, 2, 3, 5)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var { return tp.CrossEntropy(in[0], labels) }},
		{"scale_rows (drop-path)", []*autograd.Var{param(g, -1, 1, 3, 2, 2, 2)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var { return tp.ScaleRows(in[0], mask) }},
		{"drop_path", []*autograd.Var{param(g, -1, 1, 3, 2, 2, 2)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var {
			return tp.DropPath(in[0], []float32{1.25, 0, 1.25})
		}},
		{"zero plus x", []*autograd.Var{param(g, -1, 1, 2, 2, 4, 4)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var {
			return tp.Add(tp.Zero(in[0], 1), in[0])
		}},
		{"small cnn", []*autograd.Var{param(g, -1, 1, 2, 2, 5, 5), param(g, -1, 1, 3, 2, 3, 3), param(g, 0.5, 1.5, 3), param(g, -1, 1, 3), param(g, -1, 1, 4, 3), param(g, -1, 1, 4)}, func(tp *autograd.Tape, in []*autograd.Var) *autograd.Var {
			h := tp.Conv2D(in[0], in[1], tensor.Conv2DParams{Stride: 1, Pad: 1, Dilation: 1, Groups: 1})
			h = tp.BatchNorm(h, in[2], in[3], nil, nil, true, bn)
			h = tp.Pool2D(tp.ReLU(h), tensor.Pool2DParams{Kind: tensor.AvgPool, K: 3, Stride: 2, Pad: 1})
			logits := tp.AddBias(tp.MatMul(tp.GlobalAvgPool(h), in[4], false, true), in[5])
			return tp.CrossEntropy(tp.Reshape(logits, 2, 4), ref.FromFloat64([]float64{1, 3}, 2))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := autograd.GradCheck(func(tp *autograd.Tape) *autograd.Var { return c.f(tp, c.in) }, c.in, 1e-6, 1e-6)
			if err != nil {
				t.Error(err)
			}
		})
	}
}

// TestGradCheckCatchesWrongRule makes sure GradCheck fails when Backward is wrong: the
// loss here reads x through a path Backward does not see (a Const sharing x's buffer).
func TestGradCheckCatchesWrongRule(t *testing.T) {
	x := param(tensor.NewRNG(1), -1, 1, 5)
	hidden := autograd.Const(x.Value)
	err := autograd.GradCheck(func(tp *autograd.Tape) *autograd.Var {
		return tp.Mul(x, hidden)
	}, []*autograd.Var{x}, 1e-6, 1e-6)
	if err == nil {
		t.Fatal("GradCheck passed a gradient that misses half of d(x²)/dx")
	}
}
