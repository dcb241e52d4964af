package tensor

// Op is one kernel-level operation with its parameters. The set is closed: backends
// switch on the concrete types below. Each type's comment says what Run's in and out
// slices hold; "nil allowed" marks an optional tensor.
type Op interface {
	OpName() string
}

// FillOp sets every element of out[0] to Value. in: none.
type FillOp struct{ Value float32 }

// CopyOp copies in[0] into out[0], element by element. Both have the same shape (rank at
// most 4) and either may be a strided view: this is the one op that takes non-contiguous
// tensors, and it is how views become contiguous and how channels are concatenated.
type CopyOp struct{}

// AxpbyOp computes out[0] = A*in[0] + B*in[1], elementwise on equal shapes. out may be in[0]
// or in[1].
type AxpbyOp struct{ A, B float32 }

// ScaleOp computes out[0] = A*in[0]. out may be in[0].
type ScaleOp struct{ A float32 }

// AddScalarOp computes out[0] = in[0] + A. out may be in[0].
type AddScalarOp struct{ A float32 }

// MulOp computes out[0] = in[0]*in[1] elementwise on equal shapes. out may be in[0] or in[1].
type MulOp struct{}

// ScaleByElemOp computes out[0] = A * in[1][Index] * in[0]: a tensor scaled by one element of
// a device vector, with no host read. out may be in[0].
type ScaleByElemOp struct {
	Index int
	A     float32
}

// ScaleRowsOp computes out[0][n, ...] = in[0][n, ...] * in[1][n]: a per-sample factor, as in
// drop-path. in[1] has shape [N]. out may be in[0].
type ScaleRowsOp struct{}

// WeightedSumOp is the MixedOp kernel: out[0] = Σ_k in[0][k] * in[1+k]. in[0] is the weight
// vector [K], living on the device; in[1..K] have the shape of out[0].
type WeightedSumOp struct{}

// WeightedSumBackward: in = [dy, w[K], x_0..x_{K-1}], out = [dw[K], dx_0..dx_{K-1}] with
// dw[k] = Σ dy*x_k and dx_k = w[k]*dy. Any out may be nil (not wanted). dw is
// overwritten, not accumulated.
type WeightedSumBackwardOp struct{}

// ReLUOp computes out[0] = max(in[0], 0). out may be in[0].
type ReLUOp struct{}

// ReLUBackward: in = [dy, x], out = [dx] with dx = dy where x > 0, else 0.
type ReLUBackwardOp struct{}

// SigmoidOp computes out[0] = 1/(1+exp(-in[0])).
type SigmoidOp struct{}

// SigmoidBackward: in = [dy, y] with y = sigmoid(x), out = [dx] = dy*y*(1-y).
type SigmoidBackwardOp struct{}

// Conv2DParams describe a 2-d convolution (cross-correlation, as in PyTorch) with equal
// stride, padding and dilation in both directions. The kernel size comes from the
// weight's shape [Cout, Cin/Groups, KH, KW].
type Conv2DParams struct {
	Stride, Pad, Dilation, Groups int
}

// Conv2D: in = [x[N,Cin,H,W], w[Cout,Cin/G,KH,KW]], out = [y[N,Cout,OH,OW]].
type Conv2DOp struct{ Conv2DParams }

// Conv2DBackwardData: in = [dy, w], out = [dx] (overwritten).
type Conv2DBackwardDataOp struct{ Conv2DParams }

// Conv2DBackwardFilter: in = [x, dy], out = [dw] (overwritten).
type Conv2DBackwardFilterOp struct{ Conv2DParams }

// MatMul: in = [a, b], out = [c] with c = op(a)·op(b), 2-d, op = transpose when TransA/B.
type MatMulOp struct{ TransA, TransB bool }

// AddBias: in = [x[N,C,...], b[C]], out = [y] = x + b broadcast over dimension 1. out may
// be in[0].
type AddBiasOp struct{}

// BiasBackward: in = [dy[N,C,...]], out = [db[C]] = Σ of dy over every dimension but 1.
type BiasBackwardOp struct{}

// PoolKind selects max or average pooling.
type PoolKind int

const (
	MaxPool PoolKind = iota
	AvgPool
)

// Pool2DParams describe a square pooling window. Average pooling never counts padding
// (PyTorch's count_include_pad=False, as DARTS uses); max pooling treats padding as -inf.
type Pool2DParams struct {
	Kind           PoolKind
	K, Stride, Pad int
}

// Pool2D: in = [x], out = [y].
type Pool2DOp struct{ Pool2DParams }

// Pool2DBackward: in = [dy, x], out = [dx] (overwritten). Max pooling sends each output's
// gradient to the first maximum of its window in row-major order.
type Pool2DBackwardOp struct{ Pool2DParams }

// GlobalAvgPool: in = [x[N,C,H,W]], out = [y[N,C]].
type GlobalAvgPoolOp struct{}

// GlobalAvgPoolBackward: in = [dy[N,C]], out = [dx[N,C,H,W]] = dy/(H*W).
type GlobalAvgPoolBackwardOp struct{}

// BatchNormParams follow PyTorch's BatchNorm2d: eps 1e-5, momentum 0.1, running variance
// updated with the unbiased batch variance.
type BatchNormParams struct {
	Eps, Momentum float32
}

// BatchNormTrainOp normalises with batch statistics over N, H, W per channel.
// in = [x[N,C,H,W], gamma[C] (nil allowed), beta[C] (nil allowed), runMean[C] (nil
// allowed), runVar[C] (nil allowed)], out = [y, saveMean[C], saveInvStd[C]]. When the
// running buffers are given they are updated in place: r = (1-m)*r + m*batch. The
// variance is computed in a numerically stable way (two passes or Welford).
type BatchNormTrainOp struct{ BatchNormParams }

// BatchNormEvalOp normalises with the running statistics.
// in = [x, gamma (nil allowed), beta (nil allowed), runMean, runVar], out = [y].
type BatchNormEvalOp struct{ BatchNormParams }

// BatchNormBackwardOp is the gradient of BatchNormTrainOp.
// in = [dy, x, saveMean, saveInvStd, gamma (nil allowed)], out = [dx, dgamma (nil
// allowed), dbeta (nil allowed)], all overwritten.
type BatchNormBackwardOp struct{ BatchNormParams }

// SoftmaxOp over the last dimension of a 2-d in[0]. out = [y].
type SoftmaxOp struct{}

// SoftmaxBackward: in = [dy, y], out = [dx] = y*(dy - Σ dy*y) per row.
type SoftmaxBackwardOp struct{}

// LogSoftmaxOp over the last dimension of a 2-d in[0]. out = [y].
type LogSoftmaxOp struct{}

// LogSoftmaxBackward: in = [dy, y], out = [dx] = dy - exp(y)*Σ dy per row.
type LogSoftmaxBackwardOp struct{}

// SparsemaxOp projects each row of a 2-d in[0] onto the probability simplex (Martins &
// Astudillo 2016). out = [y].
type SparsemaxOp struct{}

// SparsemaxBackward: in = [dy, y], out = [dx]: on the support S = {y > 0} of each row,
// dx = dy - mean_S(dy); 0 elsewhere.
type SparsemaxBackwardOp struct{}

// CrossEntropyOp is the mean negative log-likelihood of integer labels under softmax of the
// logits. in = [logits[N,K], labels[N] (class indices stored as float32)], out = [loss[1],
// probs[N,K]] (probs is kept for the backward pass).
type CrossEntropyOp struct{}

// CrossEntropyBackward: in = [dloss[1], probs[N,K], labels[N]], out = [dlogits] =
// dloss*(probs - onehot(labels))/N.
type CrossEntropyBackwardOp struct{}

// CountCorrect: in = [logits[N,K], labels[N]], out = [count[1]]; count += the number of
// rows whose first maximum is at the label. Metrics stay on the device until an epoch ends.
type CountCorrectOp struct{}

// Sum: in = [x], out = [s[1]] = A*Σx (A = 1/Numel gives the mean). With Accumulate the
// result is added to s instead of overwriting it.
type SumOp struct {
	A          float32
	Accumulate bool
}

// SumSquares: in = [x], out = [s[1]] = Σx². With Accumulate it adds to s (for a gradient
// norm over many tensors).
type SumSquaresOp struct{ Accumulate bool }

// Broadcast: in = [s[1]], out = [y] with every element = A*s[0].
type BroadcastOp struct{ A float32 }

// ClipByNormOp scales a gradient so the global norm is at most MaxNorm, as PyTorch's
// clip_grad_norm_: in = [g, sumSquares[1]] (Σ over every clipped gradient), out = [g] =
// g * min(1, MaxNorm/(sqrt(sumSquares)+1e-6)). out is in[0].
type ClipByNormOp struct{ MaxNorm float32 }

// SGDStepOp is PyTorch's SGD update for one parameter. in = [w, g, buf], out = [w, buf]
// (in place). First marks the first step, where PyTorch sets buf = g (plus weight decay)
// instead of using the momentum formula.
type SGDStepOp struct {
	LR, Momentum, Dampening, WeightDecay float32
	Nesterov, First                      bool
}

// AdamStepOp is PyTorch's Adam update (L2 weight decay added to the gradient, bias
// correction with Step counted from 1). in = [w, g, m, v], out = [w, m, v] (in place).
type AdamStepOp struct {
	LR, Beta1, Beta2, Eps, WeightDecay float32
	Step                               int
}

func (FillOp) OpName() string                  { return "fill" }
func (CopyOp) OpName() string                  { return "copy" }
func (AxpbyOp) OpName() string                 { return "axpby" }
func (ScaleOp) OpName() string                 { return "scale" }
func (AddScalarOp) OpName() string             { return "add_scalar" }
func (MulOp) OpName() string                   { return "mul" }
func (ScaleByElemOp) OpName() string           { return "scale_by_elem" }
func (ScaleRowsOp) OpName() string             { return "scale_rows" }
func (WeightedSumOp) OpName() string           { return "weighted_sum" }
func (WeightedSumBackwardOp) OpName() string   { return "weighted_sum_backward" }
func (ReLUOp) OpName() string                  { return "relu" }
func (ReLUBackwardOp) OpName() string          { return "relu_backward" }
func (SigmoidOp) OpName() string               { return "sigmoid" }
func (SigmoidBackwardOp) OpName() string       { return "sigmoid_backward" }
func (Conv2DOp) OpName() string                { return "conv2d" }
func (Conv2DBackwardDataOp) OpName() string    { return "conv2d_backward_data" }
func (Conv2DBackwardFilterOp) OpName() string  { return "conv2d_backward_filter" }
func (MatMulOp) OpName() string                { return "matmul" }
func (AddBiasOp) OpName() string               { return "add_bias" }
func (BiasBackwardOp) OpName() string          { return "bias_backward" }
func (Pool2DOp) OpName() string                { return "pool2d" }
func (Pool2DBackwardOp) OpName() string        { return "pool2d_backward" }
func (GlobalAvgPoolOp) OpName() string         { return "global_avg_pool" }
func (GlobalAvgPoolBackwardOp) OpName() string { return "global_avg_pool_backward" }
func (BatchNormTrainOp) OpName() string        { return "batch_norm_train" }
func (BatchNormEvalOp) OpName() string         { return "batch_norm_eval" }
func (BatchNormBackwardOp) OpName() string     { return "batch_norm_backward" }
func (SoftmaxOp) OpName() string               { return "softmax" }
func (SoftmaxBackwardOp) OpName() string       { return "softmax_backward" }
func (LogSoftmaxOp) OpName() string            { return "log_softmax" }
func (LogSoftmaxBackwardOp) OpName() string    { return "log_softmax_backward" }
func (SparsemaxOp) OpName() string             { return "sparsemax" }
func (SparsemaxBackwardOp) OpName() string     { return "sparsemax_backward" }
func (CrossEntropyOp) OpName() string          { return "cross_entropy" }
func (CrossEntropyBackwardOp) OpName() string  { return "cross_entropy_backward" }
func (CountCorrectOp) OpName() string          { return "count_correct" }
func (SumOp) OpName() string                   { return "sum" }
func (SumSquaresOp) OpName() string            { return "sum_squares" }
func (BroadcastOp) OpName() string             { return "broadcast" }
func (ClipByNormOp) OpName() string            { return "clip_by_norm" }
func (SGDStepOp) OpName() string               { return "sgd_step" }
func (AdamStepOp) OpName() string              { return "adam_step" }

// ConvOutSize is the output length of a convolution or pooling window along one axis.
func ConvOutSize(in, k, stride, pad, dilation int) int {
	return (in+2*pad-dilation*(k-1)-1)/stride + 1
}
