//go:build !novulkan && cgo

package vk

import (
	"fmt"
	"math"

	"godarts/tensor"
)

// Operation codes of shaders/src/elementwise.comp (specialisation constant 3).
const (
	ewFill = iota
	ewAxpby
	ewScale
	ewAddScalar
	ewMul
	ewScaleByElem
	ewScaleRows
	ewReLU
	ewReLUBackward
	ewSigmoid
	ewSigmoidBackward
	ewBroadcast
	ewAddBias
	ewClipByNorm
	ewSpread
	ewCrossEntropyBackward
)

// Operation codes of reduce.comp and of the row shaders.
const (
	redSum = iota
	redSumSquares
	redDot
)

const (
	rowSoftmax = iota
	rowLogSoftmax
	rowSparsemax
)

// weightedSumChunk is how many inputs one weighted_sum dispatch adds (bindings 2..7).
const weightedSumChunk = maxBindings - 2

// Run records op reading in and writing out.
func (b *Backend) Run(op tensor.Op, out, in []*tensor.Tensor) {
	var before []*tensor.Tensor
	if b.shadow != nil {
		before = b.shadowInputs(out, in)
	}
	b.mu.Lock()
	b.record(op, out, in)
	b.mu.Unlock()
	if b.shadow != nil {
		b.shadowCheck(op, out, in, before)
	}
}

func (b *Backend) ew(code int, n int, out, x, y *tensor.Tensor, params ...uint32) {
	b.launch(kernel{
		shader: "elementwise", spec: b.spec1(uint32(code)),
		bind: []*tensor.Tensor{out, x, y}, writes: 1,
		params: append([]uint32{u(n)}, params...), groups: b.elems(n),
	})
}

func (b *Backend) ew4(code int, n int, out, x, y, z *tensor.Tensor, params ...uint32) {
	b.launch(kernel{
		shader: "elementwise", spec: b.spec1(uint32(code)),
		bind: []*tensor.Tensor{out, x, y, z}, writes: 1,
		params: append([]uint32{u(n)}, params...), groups: b.elems(n),
	})
}

// reduce records s[idx] = A*Σ f(x, y) (+ s[idx] when acc). On a GPU a large tensor is
// summed in two passes (partial sums of many workgroups, then one workgroup), so the whole
// device works on it.
func (b *Backend) reduce(code int, s *tensor.Tensor, idx int, x, y *tensor.Tensor, A float32, acc bool) {
	n := x.Numel()
	per := 16 * int(b.wg1) // elements per workgroup in the first pass
	if b.splitTarget > 1 && n >= 2*per {
		parts := min((n+per-1)/per, 512)
		scratch := b.scratch(parts)
		b.launch(kernel{
			shader: "reduce", spec: b.spec1(uint32(code)),
			bind: []*tensor.Tensor{scratch, x, y}, writes: 1,
			params: []uint32{u(n), f(1), 0, 0, 1}, groups: b.grid1(parts),
		})
		b.launch(kernel{
			shader: "reduce", spec: b.spec1(redSum),
			bind: []*tensor.Tensor{s, scratch}, writes: 1,
			params: []uint32{u(parts), f(A), u(idx), flag(acc), 0}, groups: [3]uint32{1, 1, 1},
		})
		b.releaseScratch(scratch)
		return
	}
	b.launch(kernel{
		shader: "reduce", spec: b.spec1(uint32(code)),
		bind: []*tensor.Tensor{s, x, y}, writes: 1,
		params: []uint32{u(n), f(A), u(idx), flag(acc), 0}, groups: [3]uint32{1, 1, 1},
	})
}

func (b *Backend) record(op tensor.Op, out, in []*tensor.Tensor) {
	o := out[0]
	switch p := op.(type) {
	case tensor.FillOp:
		b.ew(ewFill, o.Numel(), o, nil, nil, f(p.Value))
	case tensor.CopyOp:
		b.copyStrided(o, in[0])
	case tensor.AxpbyOp:
		b.ew(ewAxpby, o.Numel(), o, in[0], in[1], f(p.A), f(p.B))
	case tensor.ScaleOp:
		b.ew(ewScale, o.Numel(), o, in[0], nil, f(p.A))
	case tensor.AddScalarOp:
		b.ew(ewAddScalar, o.Numel(), o, in[0], nil, f(p.A))
	case tensor.MulOp:
		b.ew(ewMul, o.Numel(), o, in[0], in[1])
	case tensor.ScaleByElemOp:
		b.ew(ewScaleByElem, o.Numel(), o, in[0], in[1], f(p.A), 0, u(p.Index))
	case tensor.ScaleRowsOp:
		b.ew(ewScaleRows, o.Numel(), o, in[0], in[1], f(1), 0, 0, u(o.Numel()/max(o.Shape[0], 1)))
	case tensor.WeightedSumOp:
		b.weightedSum(o, in[0], in[1:])
	case tensor.WeightedSumBackwardOp:
		dy, w, xs := in[0], in[1], in[2:]
		for k := range xs {
			if out[0] != nil {
				b.reduce(redDot, out[0], k, dy, xs[k], 1, false)
			}
			if out[1+k] != nil {
				b.ew(ewScaleByElem, dy.Numel(), out[1+k], dy, w, f(1), 0, u(k))
			}
		}
	case tensor.ReLUOp:
		b.ew(ewReLU, o.Numel(), o, in[0], nil)
	case tensor.ReLUBackwardOp:
		b.ew(ewReLUBackward, o.Numel(), o, in[0], in[1])
	case tensor.SigmoidOp:
		b.ew(ewSigmoid, o.Numel(), o, in[0], nil)
	case tensor.SigmoidBackwardOp:
		b.ew(ewSigmoidBackward, o.Numel(), o, in[0], in[1])
	case tensor.Conv2DOp:
		b.conv(convForward, o, in[0], in[1], p.Conv2DParams)
	case tensor.Conv2DBackwardDataOp:
		b.conv(convBackwardData, in[0], o, in[1], p.Conv2DParams)
	case tensor.Conv2DBackwardFilterOp:
		b.conv(convBackwardFilter, in[1], in[0], o, p.Conv2DParams)
	case tensor.MatMulOp:
		b.matmul(o, in[0], in[1], p.TransA, p.TransB)
	case tensor.AddBiasOp:
		c := o.Shape[1]
		s := o.Numel() / max(o.Shape[0]*c, 1)
		b.ew(ewAddBias, o.Numel(), o, in[0], in[1], 0, 0, 0, u(s), u(c))
	case tensor.BiasBackwardOp:
		dy := in[0]
		c := dy.Shape[1]
		b.channelSum(o, dy, dy.Shape[0], c, dy.Numel()/max(dy.Shape[0]*c, 1), 1)
	case tensor.Pool2DOp:
		b.pool(false, o, nil, in[0], p.Pool2DParams)
	case tensor.Pool2DBackwardOp:
		b.pool(true, o, in[0], in[1], p.Pool2DParams)
	case tensor.GlobalAvgPoolOp:
		n, c, h, w := in[0].Shape.NCHW("global_avg_pool")
		b.channelSum(o, in[0], 1, n*c, h*w, 1/float32(h*w))
	case tensor.GlobalAvgPoolBackwardOp:
		_, _, h, w := o.Shape.NCHW("global_avg_pool_backward")
		b.ew(ewSpread, o.Numel(), o, in[0], nil, f(1/float32(h*w)), 0, 0, u(h*w))
	case tensor.BatchNormTrainOp:
		b.batchNormTrain(p.BatchNormParams, out, in)
	case tensor.BatchNormEvalOp:
		x := in[0]
		n, c, h, w := x.Shape.NCHW("batch_norm_eval")
		b.launch(kernel{
			shader: "batch_norm_eval", spec: b.spec1(),
			bind: []*tensor.Tensor{o, x, in[1], in[2], in[3], in[4]}, writes: 1,
			params: []uint32{u(n * c * h * w), u(c), u(h * w), f(p.Eps), flag(in[1] != nil, in[2] != nil)},
			groups: b.elems(n * c * h * w),
		})
	case tensor.BatchNormBackwardOp:
		b.batchNormBackward(out, in)
	case tensor.SoftmaxOp:
		b.rows("softmax", rowSoftmax, o, in[0], nil)
	case tensor.LogSoftmaxOp:
		b.rows("softmax", rowLogSoftmax, o, in[0], nil)
	case tensor.SparsemaxOp:
		b.rows("softmax", rowSparsemax, o, in[0], nil)
	case tensor.SoftmaxBackwardOp:
		b.rows("softmax_backward", rowSoftmax, o, in[0], in[1])
	case tensor.LogSoftmaxBackwardOp:
		b.rows("softmax_backward", rowLogSoftmax, o, in[0], in[1])
	case tensor.SparsemaxBackwardOp:
		b.rows("softmax_backward", rowSparsemax, o, in[0], in[1])
	case tensor.CrossEntropyOp:
		logits := in[0]
		b.launch(kernel{
			shader: "cross_entropy", spec: b.spec1(),
			bind: []*tensor.Tensor{out[0], out[1], logits, in[1]}, writes: 0b11,
			params: []uint32{u(logits.Shape[0]), u(logits.Shape[1])}, groups: [3]uint32{1, 1, 1},
		})
	case tensor.CrossEntropyBackwardOp:
		probs := in[1]
		n, k := probs.Shape[0], probs.Shape[1]
		b.ew4(ewCrossEntropyBackward, o.Numel(), o, probs, in[2], in[0], f(1/float32(n)), 0, 0, u(k))
	case tensor.CountCorrectOp:
		logits := in[0]
		b.launch(kernel{
			shader: "count_correct", spec: b.spec1(),
			bind: []*tensor.Tensor{o, logits, in[1]}, writes: 1,
			params: []uint32{u(logits.Shape[0]), u(logits.Shape[1])}, groups: [3]uint32{1, 1, 1},
		})
	case tensor.SumOp:
		b.reduce(redSum, o, 0, in[0], nil, p.A, p.Accumulate)
	case tensor.SumSquaresOp:
		b.reduce(redSumSquares, o, 0, in[0], nil, 1, p.Accumulate)
	case tensor.BroadcastOp:
		b.ew(ewBroadcast, o.Numel(), o, in[0], nil, f(p.A))
	case tensor.ClipByNormOp:
		b.ew(ewClipByNorm, o.Numel(), o, in[0], in[1], f(p.MaxNorm))
	case tensor.SGDStepOp:
		w := in[0]
		b.launch(kernel{
			shader: "sgd_step", spec: b.spec1(),
			bind: []*tensor.Tensor{w, in[1], orElse(in[2], w)}, writes: 0b101,
			params: []uint32{u(w.Numel()), f(p.LR), f(p.Momentum), f(p.Dampening), f(p.WeightDecay),
				flag(p.Nesterov, p.First, in[2] != nil)},
			groups: b.elems(w.Numel()),
		})
	case tensor.AdamStepOp:
		w := in[0]
		// Bias corrections in float64, as PyTorch computes them in Python.
		bc1 := 1 - math.Pow(float64(p.Beta1), float64(p.Step))
		bc2 := 1 - math.Pow(float64(p.Beta2), float64(p.Step))
		b.launch(kernel{
			shader: "adam_step", spec: b.spec1(),
			bind: []*tensor.Tensor{w, in[1], in[2], in[3]}, writes: 0b1101,
			params: []uint32{u(w.Numel()), f(p.LR), f(p.Beta1), f(p.Beta2), f(p.Eps), f(p.WeightDecay),
				f(float32(float64(p.LR) / bc1)), f(float32(math.Sqrt(bc2)))},
			groups: b.elems(w.Numel()),
		})
	default:
		panic(fmt.Sprintf("vk: op %s (%T) not implemented", op.OpName(), op))
	}
}

// copyStrided copies a view of rank ≤ 4 into another; shapes are padded to 4-d.
func (b *Backend) copyStrided(dst, src *tensor.Tensor) {
	var shape, ds, ss [4]uint32
	r := len(dst.Shape)
	for i := 0; i < 4; i++ {
		shape[i] = 1
	}
	for i := 0; i < r; i++ {
		j := 4 - r + i
		shape[j] = uint32(dst.Shape[i])
		ds[j] = uint32(dst.Strides[i])
		ss[j] = uint32(src.Strides[i])
	}
	n := dst.Numel()
	params := []uint32{u(n)}
	params = append(params, shape[:]...)
	params = append(params, ds[:]...)
	params = append(params, ss[:]...)
	b.launch(kernel{
		shader: "copy_strided", spec: b.spec1(),
		bind: []*tensor.Tensor{dst, src}, writes: 1, params: params, groups: b.elems(n),
	})
}

// weightedSum adds the inputs in chunks of weightedSumChunk, the later chunks accumulating.
func (b *Backend) weightedSum(out, w *tensor.Tensor, xs []*tensor.Tensor) {
	n := out.Numel()
	for k0 := 0; k0 < len(xs) || k0 == 0; k0 += weightedSumChunk {
		k1 := min(k0+weightedSumChunk, len(xs))
		bind := []*tensor.Tensor{out, w}
		bind = append(bind, xs[k0:k1]...)
		b.launch(kernel{
			shader: "weighted_sum", spec: b.spec1(),
			bind: bind, writes: 1,
			params: []uint32{u(n), u(k1 - k0), u(k0), flag(k0 > 0)},
			groups: b.elems(n),
		})
		if len(xs) == 0 {
			break
		}
	}
}

// channelSum writes out[c] = A*Σ_{n<N, s<S} x[n, c, s], one workgroup per channel.
func (b *Backend) channelSum(out, x *tensor.Tensor, n, c, s int, A float32) {
	b.launch(kernel{
		shader: "channel_sum", spec: b.spec1(),
		bind: []*tensor.Tensor{out, x}, writes: 1,
		params: []uint32{u(n), u(c), u(s), f(A)}, groups: b.grid1(c),
	})
}

func (b *Backend) pool(backward bool, out, dy, x *tensor.Tensor, p tensor.Pool2DParams) {
	n, c, h, w := x.Shape.NCHW("pool2d")
	oh := tensor.ConvOutSize(h, p.K, p.Stride, p.Pad, 1)
	ow := tensor.ConvOutSize(w, p.K, p.Stride, p.Pad, 1)
	params := []uint32{u(n * c), u(h), u(w), u(oh), u(ow), u(p.K), u(p.Stride), u(p.Pad)}
	kind := uint32(0)
	if p.Kind == tensor.AvgPool {
		kind = 1
	}
	if backward {
		b.launch(kernel{
			shader: "pool2d_backward", spec: b.spec1(kind),
			bind: []*tensor.Tensor{out, dy, x}, writes: 1, params: params, groups: b.elems(n * c * h * w),
		})
		return
	}
	b.launch(kernel{
		shader: "pool2d", spec: b.spec1(kind),
		bind: []*tensor.Tensor{out, x}, writes: 1, params: params, groups: b.elems(n * c * oh * ow),
	})
}

func (b *Backend) rows(shader string, code int, out, x, y *tensor.Tensor) {
	r, k := out.Shape[0], out.Shape[1]
	b.launch(kernel{
		shader: shader, spec: b.spec1(uint32(code)),
		bind: []*tensor.Tensor{out, x, y}, writes: 1,
		params: []uint32{u(r), u(k)}, groups: b.elems(r),
	})
}

// bnChunks returns how many chunks each channel's m = N*H*W elements are cut into so that
// c channels fill a GPU (1: one workgroup per channel suffices).
func (b *Backend) bnChunks(c, m int) int {
	per := 16 * int(b.wg1)
	if b.splitTarget <= c || m < 2*per {
		return 1
	}
	return min((m+per-1)/per, (b.splitTarget+c-1)/c, 64)
}

func (b *Backend) batchNormTrain(p tensor.BatchNormParams, out, in []*tensor.Tensor) {
	x := in[0]
	n, c, h, w := x.Shape.NCHW("batch_norm_train")
	running := in[3] != nil && in[4] != nil
	rm, rv := in[3], in[4]
	if !running {
		rm, rv = out[1], out[2]
	}
	params := []uint32{u(n), u(c), u(h * w), f(p.Eps), f(p.Momentum), flag(in[1] != nil, in[2] != nil, running)}
	parts := b.bnChunks(c, n*h*w)
	if parts == 1 {
		b.launch(kernel{
			shader: "batch_norm_train", spec: b.spec1(),
			bind:   []*tensor.Tensor{out[0], out[1], out[2], x, in[1], in[2], rm, rv},
			writes: 0b11000111, params: params, groups: b.grid1(c),
		})
		return
	}
	// Statistics in four passes over C*parts and C workgroups, then batch_norm_eval
	// normalises with the inverse standard deviation. Every pass binds every tensor any
	// pass stores to (see orElse).
	scratch := b.scratch(c * parts)
	bind := []*tensor.Tensor{scratch, out[1], out[2], x, nil, nil, rm, rv}
	params = append(params, u(parts))
	for pass, groups := range []int{c * parts, c, c * parts, c} {
		b.launch(kernel{shader: "batch_norm_stats", spec: b.spec1(uint32(pass)), bind: bind,
			writes: 0b11000111, params: params, groups: b.grid1(groups)})
	}
	b.releaseScratch(scratch)
	b.launch(kernel{
		shader: "batch_norm_eval", spec: b.spec1(),
		bind: []*tensor.Tensor{out[0], x, in[1], in[2], out[1], out[2]}, writes: 1,
		params: []uint32{u(n * c * h * w), u(c), u(h * w), f(p.Eps), flag(in[1] != nil, in[2] != nil, true)},
		groups: b.elems(n * c * h * w),
	})
}

func (b *Backend) batchNormBackward(out, in []*tensor.Tensor) {
	x := in[1]
	n, c, h, w := x.Shape.NCHW("batch_norm_backward")
	flags := flag(in[4] != nil, out[1] != nil, out[2] != nil)
	parts := b.bnChunks(c, n*h*w)
	if parts == 1 {
		b.launch(kernel{
			shader: "batch_norm_backward", spec: b.spec1(),
			bind:   []*tensor.Tensor{out[0], orElse(out[1], out[0]), orElse(out[2], out[0]), in[0], x, in[2], in[3], in[4]},
			writes: 0b111, params: []uint32{u(n), u(c), u(h * w), flags}, groups: b.grid1(c),
		})
		return
	}
	partial, sums := b.scratch(2*c*parts), b.scratch(2*c)
	params := []uint32{u(n), u(c), u(h * w), flags, u(parts)}
	sumBind := []*tensor.Tensor{partial, sums, orElse(out[1], sums), in[0], x, in[2], in[3], orElse(out[2], sums)}
	for pass, groups := range []int{c * parts, c} {
		b.launch(kernel{shader: "batch_norm_backward_split", spec: b.spec1(uint32(pass)), bind: sumBind,
			writes: 0b10000111, params: params, groups: b.grid1(groups)})
	}
	b.launch(kernel{
		shader: "batch_norm_backward_split", spec: b.spec1(2),
		bind:   []*tensor.Tensor{out[0], sums, sums, in[0], x, in[2], in[3], orElse(in[4], sums)},
		writes: 0b10000111, params: params, groups: b.elems(n * c * h * w),
	})
	b.releaseScratch(partial)
	b.releaseScratch(sums)
}

type convKind int

const (
	convForward convKind = iota
	convBackwardData
	convBackwardFilter
)

// conv records a convolution or one of its gradients. y, x and w are the output, input
// and weight of the forward convolution; the kind says which of them is written.
func (b *Backend) conv(kind convKind, y, x, w *tensor.Tensor, p tensor.Conv2DParams) {
	n, cin, h, wd := x.Shape.NCHW("conv2d")
	cout, cg, kh, kw := w.Shape.NCHW("conv2d")
	_, _, oh, ow := y.Shape.NCHW("conv2d")
	params := []uint32{u(n), u(cin), u(h), u(wd), u(cout), u(oh), u(ow), u(kh), u(kw),
		u(p.Stride), u(p.Pad), u(p.Dilation), u(p.Groups)}
	if p.Groups == cin && cout == cin && cg == 1 {
		// Depthwise: one thread per output (or input) element, or one workgroup per
		// weight for the filter gradient.
		switch kind {
		case convForward:
			b.launch(kernel{shader: "depthwise_conv2d", spec: b.spec1(dwKernel(kh, kw)), bind: []*tensor.Tensor{y, x, w},
				writes: 1, params: params, groups: b.elems(n * cout * oh * ow)})
		case convBackwardData:
			b.launch(kernel{shader: "depthwise_conv2d_backward_data", spec: b.spec1(strideLog(p.Stride), dwKernel(kh, kw)), bind: []*tensor.Tensor{x, y, w},
				writes: 1, params: params, groups: b.elems(n * cin * h * wd)})
		case convBackwardFilter:
			b.launch(kernel{shader: "depthwise_conv2d_backward_filter", spec: b.spec1(), bind: []*tensor.Tensor{w, x, y},
				writes: 1, params: params, groups: b.grid1(cout * kh * kw)})
		}
		return
	}
	mg := cout / p.Groups
	var m, nn, kk int
	var k kernel
	split := false
	switch kind {
	case convForward:
		m, nn, kk = mg, n*oh*ow, cg*kh*kw
		k = kernel{shader: "conv2d", bind: []*tensor.Tensor{y, x, w}}
	case convBackwardData:
		m, nn, kk = cg, n*h*wd, mg*kh*kw
		k = kernel{shader: "conv2d_backward_data", bind: []*tensor.Tensor{x, y, w}}
	case convBackwardFilter:
		m, nn, kk = mg, cg*kh*kw, n*oh*ow
		k = kernel{shader: "conv2d_backward_filter", bind: []*tensor.Tensor{w, x, y}}
		split = true // its output is [group][m][n] contiguous, as split_sum writes it
	}
	k.writes = 1
	k.spec, k.groups = b.gemmGrid(m, nn, p.Groups)
	if kh == 1 && kw == 1 && p.Stride == 1 && p.Pad == 0 {
		k.spec[5] = 1 // conv.glsl CV_PW: pointwise, no tap or position arithmetic
	}
	splits, chunk := 1, kk
	if split {
		splits, chunk = b.splitK(int(k.groups[0]*k.groups[1]*k.groups[2]), kk)
	}
	k.params = append(params, u(splits), u(chunk))
	b.launchSplit(k, splits, p.Groups*m*nn, m*nn)
}

// splitK chooses how many slices of K a GEMM with the given number of output tiles is cut
// into, so that the device has about b.splitTarget workgroups, each summing at least
// 4 tiles of K (gemm.glsl BK = 16).
func (b *Backend) splitK(tiles, k int) (splits, chunk int) {
	const bk = 16
	splits = min((b.splitTarget+tiles-1)/tiles, (k+4*bk-1)/(4*bk), 64)
	if splits <= 1 {
		return 1, k
	}
	chunk = ((k+splits-1)/splits + bk - 1) / bk * bk
	return (k + chunk - 1) / chunk, chunk
}

// launchSplit records a GEMM kernel; with splits > 1 its partials go to a scratch buffer
// (binding 3) that split_sum adds into the output (binding 0, total elements, per-layer
// size layer).
func (b *Backend) launchSplit(k kernel, splits, total, layer int) {
	if splits <= 1 {
		// The shader's split branch stores to binding 3; bind the output there, so
		// synchronisation validation sees no write to the shared unused-binding block.
		k.bind = append(k.bind, k.bind[0])
		b.launch(k)
		return
	}
	scratch := b.scratch(splits * total)
	out := k.bind[0]
	k.bind = append(k.bind, scratch)
	k.writes |= 1 << 3
	k.groups[2] *= uint32(splits)
	b.launch(k)
	b.launch(kernel{
		shader: "split_sum", spec: b.spec1(), bind: []*tensor.Tensor{out, scratch}, writes: 1,
		params: []uint32{u(total), u(splits), u(layer)}, groups: b.elems(total),
	})
	b.releaseScratch(scratch)
}

// scratch returns a temporary device tensor for the batch being recorded; releaseScratch
// frees it once recorded (the memory returns when the batch has finished).
func (b *Backend) scratch(n int) *tensor.Tensor {
	a, err := b.allocFrom(b.devPool, n)
	if err != nil {
		panic(&tensor.DeviceError{Backend: b.name, Msg: "scratch: " + err.Error() + "; use smaller batches or --device cpu"})
	}
	b.stats.LiveBuffers++
	b.stats.LiveBytes += int64(a.size)
	return &tensor.Tensor{Dev: b, Buf: &buffer{a: a}, Shape: tensor.Shape{n}, Strides: []int{1}}
}

func (b *Backend) releaseScratch(t *tensor.Tensor) { b.release(t.Buf.(*buffer).a) }

func (b *Backend) matmul(c, a, bm *tensor.Tensor, ta, tb bool) {
	m, n := c.Shape[0], c.Shape[1]
	k := a.Shape[1]
	if ta {
		k = a.Shape[0]
	}
	spec, groups := b.gemmGrid(m, n, 1)
	splits, chunk := b.splitK(int(groups[0]*groups[1]), k)
	b.launchSplit(kernel{
		shader: "matmul", spec: spec, bind: []*tensor.Tensor{c, a, bm}, writes: 1,
		params: []uint32{u(m), u(n), u(k), flag(ta), flag(tb), u(splits), u(chunk)}, groups: groups,
	}, splits, m*n, m*n)
}

// gemmGrid returns the specialisation constants and grid of a tiled GEMM of an m×n output,
// batch of them along z. The tile shrinks to the problem (gemmTile).
func (b *Backend) gemmGrid(m, n, batch int) ([specCount]uint32, [3]uint32) {
	wx, wy, tm, tn := gemmTile(m, n, b.wgGEMM, b.tileGEM, [2]int{b.info.MaxWorkgroupSize[0], b.info.MaxWorkgroupSize[1]}, b.info.MaxSharedMemory)
	bm, bn := int(wy*tm), int(wx*tn)
	spec := [specCount]uint32{wx, wy, 1, tm, tn}
	return spec, [3]uint32{uint32((n + bn - 1) / bn), uint32((m + bm - 1) / bm), uint32(batch)}
}

// orElse returns t, or when t is nil the tensor to bind in its place: a binding the shader
// may store to must not be the shared unused-binding block, or synchronisation
// validation sees writes to it from unrelated dispatches. The shader's flags keep it from
// actually writing there.
func orElse(t, instead *tensor.Tensor) *tensor.Tensor {
	if t == nil {
		return instead
	}
	return t
}

// dwKernel is the K_S constant of the depthwise kernels: the side of the square kernels
// DARTS uses (3, 5), fixed in the pipeline so the shader unrolls the taps; 0 for other
// shapes, read from the parameters.
func dwKernel(kh, kw int) uint32 {
	if kh == kw && (kh == 3 || kh == 5) {
		return u(kh)
	}
	return 0
}

// strideLog is the STRIDE_LOG constant of depthwise_conv2d_backward_data: 1 + log2 of a
// power-of-two stride up to 8 (shifts and masks in the shader), else 0 (divisions).
func strideLog(s int) uint32 {
	for l := 0; l <= 3; l++ {
		if s == 1<<l {
			return u(l + 1)
		}
	}
	return 0
}
