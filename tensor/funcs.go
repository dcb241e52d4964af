package tensor

import "fmt"

// The functions below check shapes, allocate outputs on the inputs' backend and call Run.
// A shape mismatch is a programming error: it panics naming the op and the shapes.

func mismatch(op string, shapes ...Shape) {
	panic(fmt.Sprintf("%s: shape mismatch %v", op, shapes))
}

func sameShape(op string, a, b *Tensor) {
	if !a.Shape.Equal(b.Shape) {
		mismatch(op, a.Shape, b.Shape)
	}
}

func run(op Op, out []*Tensor, in ...*Tensor) {
	for _, t := range in {
		if t != nil && !t.IsContiguous() {
			panic(fmt.Sprintf("%s: input of shape %v is a strided view; call Contiguous first", op.OpName(), t.Shape))
		}
	}
	out[0].Dev.Run(op, out, in)
}

// Contiguous returns t itself when it is contiguous and a contiguous copy otherwise.
func (t *Tensor) Contiguous() *Tensor {
	if t.IsContiguous() {
		return t
	}
	out := NewLike(t)
	CopyInto(out, t)
	return out
}

// CopyInto copies src into dst; either may be a strided view.
func CopyInto(dst, src *Tensor) {
	sameShape("copy", dst, src)
	if len(dst.Shape) > 4 {
		panic(fmt.Sprintf("copy: rank %d above 4 (shape %v)", len(dst.Shape), dst.Shape))
	}
	dst.Dev.Run(CopyOp{}, []*Tensor{dst}, []*Tensor{src})
}

// Clone returns a contiguous copy of t.
func Clone(t *Tensor) *Tensor {
	out := NewLike(t)
	CopyInto(out, t)
	return out
}

// FillInto sets every element of t to v.
func FillInto(t *Tensor, v float32) { run(FillOp{Value: v}, []*Tensor{t}) }

// Full returns a new tensor with every element v.
func Full(dev Backend, v float32, shape ...int) *Tensor {
	t := New(dev, shape...)
	if v != 0 {
		FillInto(t, v)
	}
	return t
}

// ConcatChannels concatenates NCHW tensors along dimension 1.
func ConcatChannels(xs ...*Tensor) *Tensor {
	n, _, h, w := xs[0].Shape.NCHW("concat")
	c := 0
	for _, x := range xs {
		xn, xc, xh, xw := x.Shape.NCHW("concat")
		if xn != n || xh != h || xw != w {
			mismatch("concat", xs[0].Shape, x.Shape)
		}
		c += xc
	}
	out := New(xs[0].Dev, n, c, h, w)
	at := 0
	for _, x := range xs {
		CopyInto(out.Narrow(1, at, x.Shape[1]), x)
		at += x.Shape[1]
	}
	return out
}

// Axpby returns A*x + B*y.
func Axpby(A float32, x *Tensor, B float32, y *Tensor) *Tensor {
	out := NewLike(x)
	AxpbyInto(out, A, x, B, y)
	return out
}

// AxpbyInto writes A*x + B*y into out (which may be x or y).
func AxpbyInto(out *Tensor, A float32, x *Tensor, B float32, y *Tensor) {
	sameShape("axpby", x, y)
	sameShape("axpby", out, x)
	run(AxpbyOp{A: A, B: B}, []*Tensor{out}, x, y)
}

// Add returns x + y.
func Add(x, y *Tensor) *Tensor { return Axpby(1, x, 1, y) }

// AddInto accumulates: dst += src.
func AddInto(dst, src *Tensor) { AxpbyInto(dst, 1, dst, 1, src) }

// Scale returns A*x.
func Scale(A float32, x *Tensor) *Tensor {
	out := NewLike(x)
	run(ScaleOp{A: A}, []*Tensor{out}, x)
	return out
}

// ScaleInto sets x = A*x.
func ScaleInto(x *Tensor, A float32) { run(ScaleOp{A: A}, []*Tensor{x}, x) }

// AddScalar returns x + A.
func AddScalar(x *Tensor, A float32) *Tensor {
	out := NewLike(x)
	run(AddScalarOp{A: A}, []*Tensor{out}, x)
	return out
}

// Mul returns x*y elementwise.
func Mul(x, y *Tensor) *Tensor {
	sameShape("mul", x, y)
	out := NewLike(x)
	run(MulOp{}, []*Tensor{out}, x, y)
	return out
}

// ScaleByElem returns A*v[i]*x where v is a device vector.
func ScaleByElem(x, v *Tensor, i int, A float32) *Tensor {
	if i < 0 || i >= v.Numel() {
		panic(fmt.Sprintf("scale_by_elem: index %d outside vector of shape %v", i, v.Shape))
	}
	out := NewLike(x)
	run(ScaleByElemOp{Index: i, A: A}, []*Tensor{out}, x, v)
	return out
}

// ScaleByElemInto scales x in place by A*v[i] (v a device vector).
func ScaleByElemInto(x, v *Tensor, i int, A float32) {
	if i < 0 || i >= v.Numel() {
		panic(fmt.Sprintf("scale_by_elem: index %d outside vector of shape %v", i, v.Shape))
	}
	run(ScaleByElemOp{Index: i, A: A}, []*Tensor{x}, x, v)
}

// ScaleRows returns x[n,...]*s[n].
func ScaleRows(x, s *Tensor) *Tensor {
	if len(s.Shape) != 1 || len(x.Shape) == 0 || s.Shape[0] != x.Shape[0] {
		mismatch("scale_rows", x.Shape, s.Shape)
	}
	out := NewLike(x)
	run(ScaleRowsOp{}, []*Tensor{out}, x, s)
	return out
}

// WeightedSum returns Σ_k w[k]*xs[k] (the MixedOp sum; w stays on the device).
func WeightedSum(w *Tensor, xs []*Tensor) *Tensor {
	if len(w.Shape) != 1 || w.Shape[0] != len(xs) {
		panic(fmt.Sprintf("weighted_sum: weights of shape %v for %d tensors", w.Shape, len(xs)))
	}
	for _, x := range xs[1:] {
		sameShape("weighted_sum", xs[0], x)
	}
	out := NewLike(xs[0])
	run(WeightedSumOp{}, []*Tensor{out}, append([]*Tensor{w}, xs...)...)
	return out
}

// WeightedSumBackward returns dw and dx_k for the wanted k (wantX[k]; nil for the rest).
func WeightedSumBackward(dy, w *Tensor, xs []*Tensor, wantW bool, wantX []bool) (dw *Tensor, dxs []*Tensor) {
	if wantW {
		dw = NewLike(w)
	}
	return WeightedSumBackwardInto(dw, dy, w, xs, wantX)
}

// WeightedSumBackwardInto is WeightedSumBackward writing dw into a given tensor (a view
// of a larger gradient, say; nil when dw is not wanted).
func WeightedSumBackwardInto(dw, dy, w *Tensor, xs []*Tensor, wantX []bool) (*Tensor, []*Tensor) {
	out := make([]*Tensor, 1+len(xs))
	if dw != nil {
		sameShape("weighted_sum_backward", dw, w)
		out[0] = dw
	}
	dxs := make([]*Tensor, len(xs))
	for k := range xs {
		sameShape("weighted_sum_backward", dy, xs[k])
		if wantX[k] {
			dxs[k] = NewLike(dy)
			out[1+k] = dxs[k]
		}
	}
	in := append([]*Tensor{dy, w}, xs...)
	for _, t := range in {
		if !t.IsContiguous() {
			panic("weighted_sum_backward: strided input")
		}
	}
	dy.Dev.Run(WeightedSumBackwardOp{}, out, in)
	return dw, dxs
}

// Unary returns op applied to x elementwise (ReLUOp, SigmoidOp).
func Unary(op Op, x *Tensor) *Tensor {
	out := NewLike(x)
	run(op, []*Tensor{out}, x)
	return out
}

// ReLUInto applies max(x, 0) to x in place.
func ReLUInto(x *Tensor) { run(ReLUOp{}, []*Tensor{x}, x) }

// Binary returns op(a, b) for the backward ops whose output has a's shape
// (ReLUBackwardOp, SigmoidBackwardOp, SoftmaxBackwardOp, LogSoftmaxBackwardOp, SparsemaxBackwardOp).
func Binary(op Op, a, b *Tensor) *Tensor {
	sameShape(op.OpName(), a, b)
	out := NewLike(a)
	run(op, []*Tensor{out}, a, b)
	return out
}

// Conv2DOutShape checks x and w and returns the shape of their convolution.
func Conv2DOutShape(x, w Shape, p Conv2DParams) Shape {
	n, cin, h, wd := x.NCHW("conv2d")
	cout, cg, kh, kw := w.NCHW("conv2d weight")
	if p.Groups < 1 || p.Stride < 1 || p.Dilation < 1 || p.Pad < 0 ||
		cin%p.Groups != 0 || cout%p.Groups != 0 || cg != cin/p.Groups {
		panic(fmt.Sprintf("conv2d: input %v and weight %v do not fit %+v", x, w, p))
	}
	oh := ConvOutSize(h, kh, p.Stride, p.Pad, p.Dilation)
	ow := ConvOutSize(wd, kw, p.Stride, p.Pad, p.Dilation)
	if oh < 1 || ow < 1 {
		panic(fmt.Sprintf("conv2d: input %v too small for weight %v with %+v", x, w, p))
	}
	return Shape{n, cout, oh, ow}
}

// Conv2D returns the convolution of x with w.
func Conv2D(x, w *Tensor, p Conv2DParams) *Tensor {
	out := New(x.Dev, Conv2DOutShape(x.Shape, w.Shape, p)...)
	run(Conv2DOp{p}, []*Tensor{out}, x, w)
	return out
}

// Conv2DBackwardData returns the gradient of the input of shape xShape.
func Conv2DBackwardData(dy, w *Tensor, xShape Shape, p Conv2DParams) *Tensor {
	if !Conv2DOutShape(xShape, w.Shape, p).Equal(dy.Shape) {
		mismatch("conv2d_backward_data", dy.Shape, w.Shape, xShape)
	}
	out := New(dy.Dev, xShape...)
	run(Conv2DBackwardDataOp{p}, []*Tensor{out}, dy, w)
	return out
}

// Conv2DBackwardFilter returns the gradient of the weight of shape wShape.
func Conv2DBackwardFilter(x, dy *Tensor, wShape Shape, p Conv2DParams) *Tensor {
	if !Conv2DOutShape(x.Shape, wShape, p).Equal(dy.Shape) {
		mismatch("conv2d_backward_filter", x.Shape, dy.Shape, wShape)
	}
	out := New(x.Dev, wShape...)
	run(Conv2DBackwardFilterOp{p}, []*Tensor{out}, x, dy)
	return out
}

// MatMul returns op(a)·op(b).
func MatMul(a, b *Tensor, transA, transB bool) *Tensor {
	if len(a.Shape) != 2 || len(b.Shape) != 2 {
		mismatch("matmul", a.Shape, b.Shape)
	}
	m, k := a.Shape[0], a.Shape[1]
	if transA {
		m, k = k, m
	}
	k2, n := b.Shape[0], b.Shape[1]
	if transB {
		k2, n = n, k2
	}
	if k != k2 {
		mismatch("matmul", a.Shape, b.Shape)
	}
	out := New(a.Dev, m, n)
	run(MatMulOp{TransA: transA, TransB: transB}, []*Tensor{out}, a, b)
	return out
}

// AddBias returns x + b broadcast over dimension 1.
func AddBias(x, b *Tensor) *Tensor {
	if len(x.Shape) < 2 || len(b.Shape) != 1 || b.Shape[0] != x.Shape[1] {
		mismatch("add_bias", x.Shape, b.Shape)
	}
	out := NewLike(x)
	run(AddBiasOp{}, []*Tensor{out}, x, b)
	return out
}

// AddBiasInto adds b[C] to x[N,C,...] in place.
func AddBiasInto(x, b *Tensor) {
	if len(x.Shape) < 2 || len(b.Shape) != 1 || b.Shape[0] != x.Shape[1] {
		mismatch("add_bias", x.Shape, b.Shape)
	}
	run(AddBiasOp{}, []*Tensor{x}, x, b)
}

// BiasBackward returns Σ of dy over every dimension but 1.
func BiasBackward(dy *Tensor) *Tensor {
	if len(dy.Shape) < 2 {
		mismatch("bias_backward", dy.Shape)
	}
	out := New(dy.Dev, dy.Shape[1])
	run(BiasBackwardOp{}, []*Tensor{out}, dy)
	return out
}

// Pool2DOutShape returns the output shape of pooling x.
func Pool2DOutShape(x Shape, p Pool2DParams) Shape {
	n, c, h, w := x.NCHW("pool2d")
	if p.K < 1 || p.Stride < 1 || p.Pad < 0 || 2*p.Pad > p.K {
		panic(fmt.Sprintf("pool2d: bad window %+v for input %v", p, x))
	}
	oh, ow := ConvOutSize(h, p.K, p.Stride, p.Pad, 1), ConvOutSize(w, p.K, p.Stride, p.Pad, 1)
	if oh < 1 || ow < 1 {
		panic(fmt.Sprintf("pool2d: input %v too small for %+v", x, p))
	}
	return Shape{n, c, oh, ow}
}

// Pool2D pools x.
func Pool2D(x *Tensor, p Pool2DParams) *Tensor {
	out := New(x.Dev, Pool2DOutShape(x.Shape, p)...)
	run(Pool2DOp{p}, []*Tensor{out}, x)
	return out
}

// Pool2DBackward returns the gradient of pooling's input.
func Pool2DBackward(dy, x *Tensor, p Pool2DParams) *Tensor {
	if !Pool2DOutShape(x.Shape, p).Equal(dy.Shape) {
		mismatch("pool2d_backward", dy.Shape, x.Shape)
	}
	out := NewLike(x)
	run(Pool2DBackwardOp{p}, []*Tensor{out}, dy, x)
	return out
}

// GlobalAvgPool averages each channel of an NCHW tensor.
func GlobalAvgPool(x *Tensor) *Tensor {
	n, c, _, _ := x.Shape.NCHW("global_avg_pool")
	out := New(x.Dev, n, c)
	run(GlobalAvgPoolOp{}, []*Tensor{out}, x)
	return out
}

// GlobalAvgPoolBackward spreads dy[N,C] over xShape.
func GlobalAvgPoolBackward(dy *Tensor, xShape Shape) *Tensor {
	n, c, _, _ := xShape.NCHW("global_avg_pool_backward")
	if !dy.Shape.Equal(Shape{n, c}) {
		mismatch("global_avg_pool_backward", dy.Shape, xShape)
	}
	out := New(dy.Dev, xShape...)
	run(GlobalAvgPoolBackwardOp{}, []*Tensor{out}, dy)
	return out
}

func checkChannelVec(op string, x *Tensor, v *Tensor) {
	if v != nil && (len(v.Shape) != 1 || v.Shape[0] != x.Shape[1]) {
		mismatch(op, x.Shape, v.Shape)
	}
}

// BatchNormTrain normalises x with batch statistics; gamma, beta, runMean and runVar may
// be nil. It returns y and the saved mean and inverse standard deviation.
func BatchNormTrain(x, gamma, beta, runMean, runVar *Tensor, p BatchNormParams) (y, mean, invStd *Tensor) {
	_, c, _, _ := x.Shape.NCHW("batch_norm_train")
	for _, v := range []*Tensor{gamma, beta, runMean, runVar} {
		checkChannelVec("batch_norm_train", x, v)
	}
	y, mean, invStd = NewLike(x), New(x.Dev, c), New(x.Dev, c)
	run(BatchNormTrainOp{p}, []*Tensor{y, mean, invStd}, x, gamma, beta, runMean, runVar)
	return y, mean, invStd
}

// BatchNormEval normalises x with running statistics.
func BatchNormEval(x, gamma, beta, runMean, runVar *Tensor, p BatchNormParams) *Tensor {
	x.Shape.NCHW("batch_norm_eval")
	for _, v := range []*Tensor{gamma, beta, runMean, runVar} {
		checkChannelVec("batch_norm_eval", x, v)
	}
	y := NewLike(x)
	run(BatchNormEvalOp{p}, []*Tensor{y}, x, gamma, beta, runMean, runVar)
	return y
}

// BatchNormBackward returns dx and, when gamma is given (affine), dgamma and dbeta.
func BatchNormBackward(dy, x, mean, invStd, gamma *Tensor, p BatchNormParams) (dx, dgamma, dbeta *Tensor) {
	sameShape("batch_norm_backward", dy, x)
	_, c, _, _ := x.Shape.NCHW("batch_norm_backward")
	dx = NewLike(x)
	if gamma != nil {
		checkChannelVec("batch_norm_backward", x, gamma)
		dgamma, dbeta = New(x.Dev, c), New(x.Dev, c)
	}
	run(BatchNormBackwardOp{p}, []*Tensor{dx, dgamma, dbeta}, dy, x, mean, invStd, gamma)
	return dx, dgamma, dbeta
}

// BatchNormBackwardNoAffine returns dx of an affine-free BN for dy, and Σ_{n,h,w} dy·x̂
// per channel (what dγ would be): the gradient of a weight that scales the BN's output.
func BatchNormBackwardNoAffine(dy, x, mean, invStd *Tensor, p BatchNormParams) (dx, dyXhat *Tensor) {
	sameShape("batch_norm_backward", dy, x)
	_, c, _, _ := x.Shape.NCHW("batch_norm_backward")
	dx, dyXhat = NewLike(x), New(x.Dev, c)
	run(BatchNormBackwardOp{p}, []*Tensor{dx, dyXhat, nil}, dy, x, mean, invStd, nil)
	return dx, dyXhat
}

// RowOp applies a row-wise op (SoftmaxOp, LogSoftmaxOp, SparsemaxOp) to a 2-d x.
func RowOp(op Op, x *Tensor) *Tensor {
	if len(x.Shape) != 2 {
		panic(fmt.Sprintf("%s: want a 2-d tensor, got %v", op.OpName(), x.Shape))
	}
	return Unary(op, x)
}

func checkLabels(op string, logits, labels *Tensor) {
	if len(logits.Shape) != 2 || len(labels.Shape) != 1 || labels.Shape[0] != logits.Shape[0] {
		mismatch(op, logits.Shape, labels.Shape)
	}
}

// CrossEntropy returns the mean cross-entropy loss [1] and the softmax probabilities.
func CrossEntropy(logits, labels *Tensor) (loss, probs *Tensor) {
	checkLabels("cross_entropy", logits, labels)
	loss, probs = New(logits.Dev, 1), NewLike(logits)
	run(CrossEntropyOp{}, []*Tensor{loss, probs}, logits, labels)
	return loss, probs
}

// CrossEntropyBackward returns the gradient of the logits.
func CrossEntropyBackward(dloss, probs, labels *Tensor) *Tensor {
	checkLabels("cross_entropy_backward", probs, labels)
	out := NewLike(probs)
	run(CrossEntropyBackwardOp{}, []*Tensor{out}, dloss, probs, labels)
	return out
}

// CountCorrectInto adds the number of correctly classified rows to count[1].
func CountCorrectInto(count, logits, labels *Tensor) {
	checkLabels("count_correct", logits, labels)
	run(CountCorrectOp{}, []*Tensor{count}, logits, labels)
}

// Sum returns A*Σx as a one-element tensor.
func Sum(x *Tensor, A float32) *Tensor {
	out := New(x.Dev, 1)
	run(SumOp{A: A}, []*Tensor{out}, x)
	return out
}

// SumInto writes A*Σx into the one-element out (a view of a larger tensor, say).
func SumInto(out, x *Tensor, A float32) {
	if out.Numel() != 1 {
		panic(fmt.Sprintf("sum: output of shape %v, want one element", out.Shape))
	}
	run(SumOp{A: A}, []*Tensor{out}, x)
}

// Mean returns the mean of x as a one-element tensor.
func Mean(x *Tensor) *Tensor { return Sum(x, 1/float32(x.Numel())) }

// SumSquaresInto adds Σx² to acc[1].
func SumSquaresInto(acc, x *Tensor) { run(SumSquaresOp{Accumulate: true}, []*Tensor{acc}, x) }

// Broadcast returns a tensor of the given shape filled with A*s[0].
func Broadcast(s *Tensor, A float32, shape Shape) *Tensor {
	if s.Numel() != 1 {
		mismatch("broadcast", s.Shape, shape)
	}
	out := New(s.Dev, shape...)
	run(BroadcastOp{A: A}, []*Tensor{out}, s)
	return out
}

// ClipByNormInto scales g in place by min(1, maxNorm/(sqrt(sumSq)+1e-6)).
func ClipByNormInto(g, sumSq *Tensor, maxNorm float32) {
	run(ClipByNormOp{MaxNorm: maxNorm}, []*Tensor{g}, g, sumSq)
}

// SGDStepInto updates w and buf in place from g.
func SGDStepInto(w, g, buf *Tensor, p SGDStepOp) {
	sameShape("sgd_step", w, g)
	sameShape("sgd_step", w, buf)
	run(p, []*Tensor{w, buf}, w, g, buf)
}

// AdamStepInto updates w, m and v in place from g.
func AdamStepInto(w, g, m, v *Tensor, p AdamStepOp) {
	sameShape("adam_step", w, g)
	sameShape("adam_step", w, m)
	sameShape("adam_step", w, v)
	run(p, []*Tensor{w, m, v}, w, g, m, v)
}
