package autograd

import (
	"fmt"

	"godarts/tensor"
)

// Each op: forward, then its backward rule in the closure beside it.

func need(v *Var) bool { return v != nil && v.requires }

// c returns v's value as a contiguous tensor: the value itself, or a copy the tape frees on
// Release (a nil tape leaves the copy to the garbage collector).
func (tp *Tape) c(v *Var) *tensor.Tensor {
	t := v.Value.Contiguous()
	if t != v.Value {
		tp.keep(t)
	}
	return t
}

// Conv2D is a 2-d convolution of x [N,Cin,H,W] with w [Cout,Cin/G,KH,KW].
func (tp *Tape) Conv2D(x, w *Var, p tensor.Conv2DParams) *Var {
	return tp.Conv2DBias(x, w, nil, p)
}

// Conv2DBias is Conv2D plus a per-channel bias b [Cout] (nil for none), added in place:
// one tape entry, so the output before the bias is never kept.
func (tp *Tape) Conv2DBias(x, w, b *Var, p tensor.Conv2DParams) *Var {
	xv := tp.c(x)
	y := tensor.Conv2D(xv, w.Value, p)
	name := "conv2d"
	if b != nil {
		tensor.AddBiasInto(y, b.Value)
		name = "conv2d_bias"
	}
	return tp.result(name, y, []*Var{x, w, b}, func(g *tensor.Tensor) []*tensor.Tensor {
		var gx, gw, gb *tensor.Tensor
		if need(x) {
			gx = tensor.Conv2DBackwardData(g, w.Value, xv.Shape, p)
		}
		if need(w) {
			gw = tensor.Conv2DBackwardFilter(xv, g, w.Value.Shape, p)
		}
		if need(b) {
			gb = tensor.BiasBackward(g)
		}
		return []*tensor.Tensor{gx, gw, gb}
	})
}

// MatMul is op(a)·op(b) of 2-d tensors.
func (tp *Tape) MatMul(a, b *Var, transA, transB bool) *Var {
	av, bv := tp.c(a), tp.c(b)
	y := tensor.MatMul(av, bv, transA, transB)
	return tp.result("matmul", y, []*Var{a, b}, func(g *tensor.Tensor) []*tensor.Tensor {
		var ga, gb *tensor.Tensor
		if need(a) { // C = A·B: dA = dC·Bᵀ; with transposes, as the standard table has it
			switch {
			case !transA && !transB:
				ga = tensor.MatMul(g, bv, false, true)
			case !transA && transB:
				ga = tensor.MatMul(g, bv, false, false)
			case transA && !transB:
				ga = tensor.MatMul(bv, g, false, true)
			default:
				ga = tensor.MatMul(bv, g, true, true)
			}
		}
		if need(b) {
			switch {
			case !transA && !transB:
				gb = tensor.MatMul(av, g, true, false)
			case !transA && transB:
				gb = tensor.MatMul(g, av, true, false)
			case transA && !transB:
				gb = tensor.MatMul(av, g, false, false)
			default:
				gb = tensor.MatMul(g, av, true, true)
			}
		}
		return []*tensor.Tensor{ga, gb}
	})
}

// AddBias adds b[C] along dimension 1 of x.
func (tp *Tape) AddBias(x, b *Var) *Var {
	y := tensor.AddBias(tp.c(x), b.Value)
	return tp.result("add_bias", y, []*Var{x, b}, func(g *tensor.Tensor) []*tensor.Tensor {
		var gx, gb *tensor.Tensor
		if need(x) {
			gx = g
		}
		if need(b) {
			gb = tensor.BiasBackward(g)
		}
		return []*tensor.Tensor{gx, gb}
	})
}

// BatchNorm normalises x per channel: with batch statistics in training (updating the
// running buffers when given), with the running statistics otherwise (gradients flow in
// both modes). gamma and beta are nil for affine-free BN (the DARTS search network).
func (tp *Tape) BatchNorm(x, gamma, beta *Var, runMean, runVar *tensor.Tensor, training bool, p tensor.BatchNormParams) *Var {
	if training {
		return tp.batchNormTrain(x, gamma, beta, runMean, runVar, p, false)
	}
	xv := tp.c(x)
	var gv, bv *tensor.Tensor
	if gamma != nil {
		gv, bv = gamma.Value, beta.Value
	}
	y := tensor.BatchNormEval(xv, gv, bv, runMean, runVar, p)
	// y = γ·x̂ + β with x̂ = (x − μ)/√(σ² + ε) per channel and μ, σ² constant, so
	// dx = γ/√(σ² + ε)·g (the same op on g with a zero mean), dγ = Σ g·x̂, dβ = Σ g.
	return tp.result("batch_norm_eval", y, []*Var{x, gamma, beta}, func(g *tensor.Tensor) []*tensor.Tensor {
		var dx, dg, db *tensor.Tensor
		if need(x) {
			zero := tensor.NewLike(runMean)
			dx = tensor.BatchNormEval(g, gv, nil, zero, runVar, p)
			zero.Free()
		}
		if need(gamma) {
			xhat := tensor.BatchNormEval(xv, nil, nil, runMean, runVar, p)
			gx := tensor.Mul(g, xhat)
			dg = tensor.BiasBackward(gx)
			xhat.Free()
			gx.Free()
		}
		if need(beta) {
			db = tensor.BiasBackward(g)
		}
		return []*tensor.Tensor{dx, dg, db}
	})
}

// BatchNormReLU is ReLU(BatchNorm(x)) in training mode as one tape entry (SepConv's
// middle BN and ReLU): the ReLU is applied in place, so the BN output is never kept, and
// the backward pass masks g by y > 0 (the same mask as BN(x) > 0) before BN's rule. In
// evaluation mode it is the two ops.
func (tp *Tape) BatchNormReLU(x, gamma, beta *Var, runMean, runVar *tensor.Tensor, training bool, p tensor.BatchNormParams) *Var {
	if !training {
		return tp.ReLU(tp.BatchNorm(x, gamma, beta, runMean, runVar, training, p))
	}
	return tp.batchNormTrain(x, gamma, beta, runMean, runVar, p, true)
}

// batchNormTrain is BN with batch statistics, followed by an in-place ReLU when relu.
func (tp *Tape) batchNormTrain(x, gamma, beta *Var, runMean, runVar *tensor.Tensor, p tensor.BatchNormParams, relu bool) *Var {
	xv := tp.c(x)
	var gv, bv *tensor.Tensor
	if gamma != nil {
		gv, bv = gamma.Value, beta.Value
	}
	y, mean, invStd := tensor.BatchNormTrain(xv, gv, bv, runMean, runVar, p)
	name := "batch_norm"
	if relu {
		tensor.ReLUInto(y)
		name = "batch_norm_relu"
	}
	tp.keep(mean, invStd)
	if tp == nil {
		mean.Free()
		invStd.Free()
	}
	return tp.result(name, y, []*Var{x, gamma, beta}, func(g *tensor.Tensor) []*tensor.Tensor {
		dy := g
		if relu {
			dy = tensor.Binary(tensor.ReLUBackwardOp{}, g, y)
		}
		dx, dg, db := tensor.BatchNormBackward(dy, xv, mean, invStd, gv, p)
		if relu {
			dy.Free()
		}
		// γ and β may be frozen one without the other: hand back only what is wanted
		// (Backward does not free a gradient for an input that requires none).
		if !need(gamma) {
			dg.Free()
			dg = nil
		}
		if !need(beta) {
			db.Free()
			db = nil
		}
		if !need(x) {
			dx.Free()
			dx = nil
		}
		return []*tensor.Tensor{dx, dg, db}
	})
}

// ReLU is max(x, 0).
func (tp *Tape) ReLU(x *Var) *Var {
	xv := tp.c(x)
	y := tensor.Unary(tensor.ReLUOp{}, xv)
	return tp.result("relu", y, []*Var{x}, func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.Binary(tensor.ReLUBackwardOp{}, g, xv)}
	})
}

// Sigmoid is 1/(1+e^-x).
func (tp *Tape) Sigmoid(x *Var) *Var {
	y := tensor.Unary(tensor.SigmoidOp{}, tp.c(x))
	return tp.result("sigmoid", y, []*Var{x}, func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.Binary(tensor.SigmoidBackwardOp{}, g, y)}
	})
}

// Pool2D is max or average pooling.
func (tp *Tape) Pool2D(x *Var, p tensor.Pool2DParams) *Var {
	xv := tp.c(x)
	y := tensor.Pool2D(xv, p)
	return tp.result("pool2d", y, []*Var{x}, func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.Pool2DBackward(g, xv, p)}
	})
}

// GlobalAvgPool averages each channel: [N,C,H,W] → [N,C].
func (tp *Tape) GlobalAvgPool(x *Var) *Var {
	xv := tp.c(x)
	y := tensor.GlobalAvgPool(xv)
	return tp.result("global_avg_pool", y, []*Var{x}, func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.GlobalAvgPoolBackward(g, xv.Shape)}
	})
}

// Add is a + b (same shapes).
func (tp *Tape) Add(a, b *Var) *Var {
	y := tensor.Add(tp.c(a), tp.c(b))
	return tp.result("add", y, []*Var{a, b}, func(g *tensor.Tensor) []*tensor.Tensor {
		var ga, gb *tensor.Tensor
		if need(a) {
			ga = g
		}
		if need(b) {
			if ga != nil {
				gb = tensor.Clone(g)
			} else {
				gb = g
			}
		}
		return []*tensor.Tensor{ga, gb}
	})
}

// Scale is s·x.
func (tp *Tape) Scale(x *Var, s float32) *Var {
	y := tensor.Scale(s, tp.c(x))
	return tp.result("scale", y, []*Var{x}, func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.Scale(s, g)}
	})
}

// AddScalar is x + s.
func (tp *Tape) AddScalar(x *Var, s float32) *Var {
	y := tensor.AddScalar(tp.c(x), s)
	return tp.result("add_scalar", y, []*Var{x}, func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{g}
	})
}

// Mul is the elementwise product a·b.
func (tp *Tape) Mul(a, b *Var) *Var {
	av, bv := tp.c(a), tp.c(b)
	y := tensor.Mul(av, bv)
	return tp.result("mul", y, []*Var{a, b}, func(g *tensor.Tensor) []*tensor.Tensor {
		var ga, gb *tensor.Tensor
		if need(a) {
			ga = tensor.Mul(g, bv)
		}
		if need(b) {
			gb = tensor.Mul(g, av)
		}
		return []*tensor.Tensor{ga, gb}
	})
}

// Sum is A·Σx as a one-element tensor (A = 1/n gives the mean).
func (tp *Tape) Sum(x *Var, A float32) *Var {
	xv := tp.c(x)
	y := tensor.Sum(xv, A)
	return tp.result("sum", y, []*Var{x}, func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.Broadcast(g, A, xv.Shape)}
	})
}

// Mean is the mean of all elements of x.
func (tp *Tape) Mean(x *Var) *Var { return tp.Sum(x, 1/float32(x.Value.Numel())) }

// WeightedSum is the MixedOp: Σ_k w[k]·xs[k], with gradients to w and to every x.
func (tp *Tape) WeightedSum(w *Var, xs []*Var) *Var {
	vals := make([]*tensor.Tensor, len(xs))
	for i, x := range xs {
		vals[i] = tp.c(x)
	}
	y := tensor.WeightedSum(w.Value, vals)
	inputs := append([]*Var{w}, xs...)
	return tp.result("weighted_sum", y, inputs, func(g *tensor.Tensor) []*tensor.Tensor {
		want := make([]bool, len(xs))
		for i, x := range xs {
			want[i] = need(x)
		}
		dw, dxs := tensor.WeightedSumBackward(g, w.Value, vals, need(w), want)
		return append([]*tensor.Tensor{dw}, dxs...)
	})
}

// ConcatChannels concatenates NCHW tensors along the channels.
func (tp *Tape) ConcatChannels(xs ...*Var) *Var {
	vals := make([]*tensor.Tensor, len(xs))
	for i, x := range xs {
		vals[i] = x.Value
	}
	y := tensor.ConcatChannels(vals...)
	return tp.result("concat", y, xs, func(g *tensor.Tensor) []*tensor.Tensor {
		out := make([]*tensor.Tensor, len(xs))
		at := 0
		for i, x := range xs {
			n := x.Value.Shape[1]
			if need(x) {
				out[i] = tensor.Clone(g.Narrow(1, at, n)) // never a view of g, which Backward frees
			}
			at += n
		}
		return out
	})
}

// Narrow is the view of n elements from start along dim.
func (tp *Tape) Narrow(x *Var, dim, start, n int) *Var {
	y := x.Value.Narrow(dim, start, n)
	return tp.view("narrow", y, x, func(g *tensor.Tensor) []*tensor.Tensor {
		gx := tensor.NewLike(x.Value)
		tensor.CopyInto(gx.Narrow(dim, start, n), g)
		return []*tensor.Tensor{gx}
	})
}

// Reshape is a view of x with another shape (x must be contiguous).
func (tp *Tape) Reshape(x *Var, shape ...int) *Var {
	back := func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.Clone(g).Reshape(x.Value.Shape...)}
	}
	if !x.Value.IsContiguous() { // a strided x is copied: the result owns that buffer
		return tp.result("reshape", x.Value.Contiguous().Reshape(shape...), []*Var{x}, back)
	}
	return tp.view("reshape", x.Value.Reshape(shape...), x, back)
}

// Softmax over the last dimension of a 2-d x.
func (tp *Tape) Softmax(x *Var) *Var {
	y := tensor.RowOp(tensor.SoftmaxOp{}, tp.c(x))
	return tp.result("softmax", y, []*Var{x}, func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.Binary(tensor.SoftmaxBackwardOp{}, g, y)}
	})
}

// LogSoftmax over the last dimension of a 2-d x.
func (tp *Tape) LogSoftmax(x *Var) *Var {
	y := tensor.RowOp(tensor.LogSoftmaxOp{}, tp.c(x))
	return tp.result("log_softmax", y, []*Var{x}, func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.Binary(tensor.LogSoftmaxBackwardOp{}, g, y)}
	})
}

// Sparsemax projects each row of a 2-d x onto the simplex.
func (tp *Tape) Sparsemax(x *Var) *Var {
	y := tensor.RowOp(tensor.SparsemaxOp{}, tp.c(x))
	return tp.result("sparsemax", y, []*Var{x}, func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.Binary(tensor.SparsemaxBackwardOp{}, g, y)}
	})
}

// CrossEntropy is the mean cross-entropy of logits [N,K] against class labels [N].
func (tp *Tape) CrossEntropy(logits *Var, labels *tensor.Tensor) *Var {
	loss, probs := tensor.CrossEntropy(tp.c(logits), labels)
	tp.keep(probs)
	if tp == nil {
		probs.Free()
	}
	return tp.result("cross_entropy", loss, []*Var{logits}, func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.CrossEntropyBackward(g, probs, labels)}
	})
}

// ScaleRows multiplies sample n of x by s[n] (drop-path masks; s carries no gradient).
// The tape takes ownership of s: Release frees it, so pass a fresh mask each forward.
func (tp *Tape) ScaleRows(x *Var, s *tensor.Tensor) *Var {
	y := tensor.ScaleRows(tp.c(x), s)
	tp.keep(s)
	return tp.result("scale_rows", y, []*Var{x}, func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.ScaleRows(g, s)}
	})
}

// Zero is the DARTS `none` op: zeros shaped like x subsampled by stride (x[:, :, ::s, ::s]).
// It carries no gradient.
func (tp *Tape) Zero(x *Var, stride int) *Var {
	n, ch, h, w := x.Value.Shape.NCHW("zero")
	if stride < 1 {
		panic(fmt.Sprintf("zero: stride %d", stride))
	}
	y := tensor.New(x.Value.Dev, n, ch, (h+stride-1)/stride, (w+stride-1)/stride)
	out := tp.result("zero", y, nil, nil)
	return out
}

// DropPath multiplies sample n of x by mask[n] (0 to drop the path, 1/keep to keep it:
// DARTS' drop_path, nas-algorithms.md §1.3). The mask is drawn on the host by the caller's
// RNG and uploaded (no read back); its device copy belongs to the tape.
func (tp *Tape) DropPath(x *Var, mask []float32) *Var {
	return tp.ScaleRows(x, tensor.FromSlice(x.Value.Dev, mask, len(mask)))
}
