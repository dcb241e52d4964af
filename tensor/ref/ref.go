// Package ref is the float64 reference backend: plain loops that are the oracle every other
// backend is tested against.
package ref

import (
	"fmt"
	"math"
	"sort"

	"godarts/tensor"
)

// Buffer holds a tensor's elements in float64. Data is exported so tests can read and
// poke values directly (finite differences, gradient checks).
type Buffer struct{ Data []float64 }

// Len is the number of elements.
func (b *Buffer) Len() int { return len(b.Data) }

// Backend is the reference backend. It runs every op synchronously on the host.
type Backend struct{}

// New returns a reference backend.
func New() *Backend { return &Backend{} }

// Name is "ref".
func (*Backend) Name() string { return "ref" }

// Alloc returns a zeroed buffer of n elements.
func (*Backend) Alloc(n int) tensor.Buffer { return &Buffer{Data: make([]float64, n)} }

// Free does nothing: the garbage collector reclaims buffers.
func (*Backend) Free(tensor.Buffer) {}

// Upload converts src to float64 into dst starting at off.
func (*Backend) Upload(dst tensor.Buffer, off int, src []float32) {
	d := dst.(*Buffer).Data[off : off+len(src)]
	for i, v := range src {
		d[i] = float64(v)
	}
}

// Download rounds len(dst) elements of src starting at off to float32.
func (*Backend) Download(dst []float32, src tensor.Buffer, off int) {
	s := src.(*Buffer).Data[off : off+len(dst)]
	for i, v := range s {
		dst[i] = float32(v)
	}
}

// Sync does nothing: every op has finished when Run returns.
func (*Backend) Sync() {}

// Data returns the elements of a contiguous tensor on the ref backend as a slice of its
// buffer (writes go to the tensor). A nil tensor gives nil.
func Data(t *tensor.Tensor) []float64 {
	if t == nil {
		return nil
	}
	if !t.IsContiguous() {
		panic(fmt.Sprintf("ref.Data: tensor of shape %v with strides %v is not contiguous", t.Shape, t.Strides))
	}
	return t.Buf.(*Buffer).Data[t.Off : t.Off+t.Numel()]
}

// FromFloat64 makes a contiguous ref tensor holding a copy of data (no float32 rounding).
func FromFloat64(data []float64, shape ...int) *tensor.Tensor {
	t := tensor.New(New(), shape...)
	if len(data) != t.Numel() {
		panic(fmt.Sprintf("ref.FromFloat64: %d values for shape %v", len(data), t.Shape))
	}
	copy(Data(t), data)
	return t
}

// Run executes op at once. It panics on an op it does not know.
func (b *Backend) Run(op tensor.Op, out, in []*tensor.Tensor) {
	switch o := op.(type) {
	case tensor.FillOp:
		y := Data(out[0])
		for i := range y {
			y[i] = float64(o.Value)
		}
	case tensor.CopyOp:
		copyStrided(out[0], in[0])
	case tensor.AxpbyOp:
		x, z, y := Data(in[0]), Data(in[1]), Data(out[0])
		for i := range y {
			y[i] = float64(o.A)*x[i] + float64(o.B)*z[i]
		}
	case tensor.ScaleOp:
		x, y := Data(in[0]), Data(out[0])
		for i := range y {
			y[i] = float64(o.A) * x[i]
		}
	case tensor.AddScalarOp:
		x, y := Data(in[0]), Data(out[0])
		for i := range y {
			y[i] = x[i] + float64(o.A)
		}
	case tensor.MulOp:
		x, z, y := Data(in[0]), Data(in[1]), Data(out[0])
		for i := range y {
			y[i] = x[i] * z[i]
		}
	case tensor.ScaleByElemOp:
		x, v, y := Data(in[0]), Data(in[1]), Data(out[0])
		s := float64(o.A) * v[o.Index]
		for i := range y {
			y[i] = s * x[i]
		}
	case tensor.ScaleRowsOp:
		x, s, y := Data(in[0]), Data(in[1]), Data(out[0])
		n := len(s)
		row := 0
		if n > 0 {
			row = len(y) / n
		}
		for r := 0; r < n; r++ {
			f := s[r]
			for i := r * row; i < (r+1)*row; i++ {
				y[i] = x[i] * f
			}
		}
	case tensor.WeightedSumOp:
		w, y := Data(in[0]), Data(out[0])
		for i := range y {
			acc := 0.0
			for k := range w {
				acc += w[k] * Data(in[1+k])[i]
			}
			y[i] = acc
		}
	case tensor.WeightedSumBackwardOp:
		weightedSumBackward(out, in)
	case tensor.ReLUOp:
		x, y := Data(in[0]), Data(out[0])
		for i := range y {
			y[i] = math.Max(x[i], 0)
			if x[i] != x[i] { // NaN propagates, as in PyTorch
				y[i] = x[i]
			}
		}
	case tensor.ReLUBackwardOp:
		dy, x, dx := Data(in[0]), Data(in[1]), Data(out[0])
		for i := range dx {
			if x[i] > 0 {
				dx[i] = dy[i]
			} else {
				dx[i] = 0
			}
		}
	case tensor.SigmoidOp:
		x, y := Data(in[0]), Data(out[0])
		for i := range y {
			y[i] = 1 / (1 + math.Exp(-x[i]))
		}
	case tensor.SigmoidBackwardOp:
		dy, y, dx := Data(in[0]), Data(in[1]), Data(out[0])
		for i := range dx {
			dx[i] = dy[i] * y[i] * (1 - y[i])
		}
	case tensor.Conv2DOp:
		conv2D(out[0], in[0], in[1], o.Conv2DParams)
	case tensor.Conv2DBackwardDataOp:
		conv2DBackwardData(out[0], in[0], in[1], o.Conv2DParams)
	case tensor.Conv2DBackwardFilterOp:
		conv2DBackwardFilter(out[0], in[0], in[1], o.Conv2DParams)
	case tensor.MatMulOp:
		matMul(out[0], in[0], in[1], o.TransA, o.TransB)
	case tensor.AddBiasOp:
		addBias(out[0], in[0], in[1])
	case tensor.BiasBackwardOp:
		biasBackward(out[0], in[0])
	case tensor.Pool2DOp:
		pool2D(out[0], in[0], o.Pool2DParams)
	case tensor.Pool2DBackwardOp:
		pool2DBackward(out[0], in[0], in[1], o.Pool2DParams)
	case tensor.GlobalAvgPoolOp:
		x, y := Data(in[0]), Data(out[0])
		n, c, h, w := in[0].Shape.NCHW("global_avg_pool")
		hw := h * w
		for p := 0; p < n*c; p++ {
			acc := 0.0
			for _, v := range x[p*hw : (p+1)*hw] {
				acc += v
			}
			y[p] = acc / float64(hw)
		}
	case tensor.GlobalAvgPoolBackwardOp:
		dy, dx := Data(in[0]), Data(out[0])
		n, c, h, w := out[0].Shape.NCHW("global_avg_pool_backward")
		hw := h * w
		for p := 0; p < n*c; p++ {
			for i := p * hw; i < (p+1)*hw; i++ {
				dx[i] = dy[p] / float64(hw)
			}
		}
	case tensor.BatchNormTrainOp:
		batchNormTrain(out, in, o.BatchNormParams)
	case tensor.BatchNormEvalOp:
		batchNormEval(out, in, o.BatchNormParams)
	case tensor.BatchNormBackwardOp:
		batchNormBackward(out, in)
	case tensor.SoftmaxOp:
		rows(in[0], func(x []float64, r int) { softmaxRow(rowOf(out[0], r), x, false) })
	case tensor.LogSoftmaxOp:
		rows(in[0], func(x []float64, r int) { softmaxRow(rowOf(out[0], r), x, true) })
	case tensor.SoftmaxBackwardOp:
		rows(in[0], func(dy []float64, r int) {
			y, dx := rowOf(in[1], r), rowOf(out[0], r)
			s := 0.0
			for i := range dy {
				s += dy[i] * y[i]
			}
			for i := range dx {
				dx[i] = y[i] * (dy[i] - s)
			}
		})
	case tensor.LogSoftmaxBackwardOp:
		rows(in[0], func(dy []float64, r int) {
			y, dx := rowOf(in[1], r), rowOf(out[0], r)
			s := 0.0
			for _, v := range dy {
				s += v
			}
			for i := range dx {
				dx[i] = dy[i] - math.Exp(y[i])*s
			}
		})
	case tensor.SparsemaxOp:
		rows(in[0], func(x []float64, r int) { sparsemaxRow(rowOf(out[0], r), x) })
	case tensor.SparsemaxBackwardOp:
		rows(in[0], func(dy []float64, r int) {
			y, dx := rowOf(in[1], r), rowOf(out[0], r)
			s, k := 0.0, 0
			for i := range y {
				if y[i] > 0 {
					s += dy[i]
					k++
				}
			}
			for i := range dx {
				if y[i] > 0 {
					dx[i] = dy[i] - s/float64(k)
				} else {
					dx[i] = 0
				}
			}
		})
	case tensor.CrossEntropyOp:
		logits, labels := in[0], Data(in[1])
		loss, probs := Data(out[0]), out[1]
		total := 0.0
		rows(logits, func(x []float64, r int) {
			p := rowOf(probs, r)
			ls := make([]float64, len(x))
			softmaxRow(ls, x, true)
			softmaxRow(p, x, false)
			total -= ls[int(labels[r])]
		})
		loss[0] = total / float64(logits.Shape[0])
	case tensor.CrossEntropyBackwardOp:
		dloss, labels := Data(in[0])[0], Data(in[2])
		n := float64(in[1].Shape[0])
		rows(in[1], func(p []float64, r int) {
			dx := rowOf(out[0], r)
			for i := range dx {
				dx[i] = dloss * p[i] / n
			}
			dx[int(labels[r])] -= dloss / n
		})
	case tensor.CountCorrectOp:
		labels, count := Data(in[1]), Data(out[0])
		rows(in[0], func(x []float64, r int) {
			best := 0
			for i := range x {
				if x[i] > x[best] {
					best = i
				}
			}
			if best == int(labels[r]) {
				count[0]++
			}
		})
	case tensor.SumOp:
		acc := 0.0
		for _, v := range Data(in[0]) {
			acc += v
		}
		s := Data(out[0])
		if o.Accumulate {
			s[0] += float64(o.A) * acc
		} else {
			s[0] = float64(o.A) * acc
		}
	case tensor.SumSquaresOp:
		acc := 0.0
		for _, v := range Data(in[0]) {
			acc += v * v
		}
		s := Data(out[0])
		if o.Accumulate {
			s[0] += acc
		} else {
			s[0] = acc
		}
	case tensor.BroadcastOp:
		v := float64(o.A) * Data(in[0])[0]
		y := Data(out[0])
		for i := range y {
			y[i] = v
		}
	case tensor.ClipByNormOp:
		g, y := Data(in[0]), Data(out[0])
		f := math.Min(1, float64(o.MaxNorm)/(math.Sqrt(Data(in[1])[0])+1e-6))
		for i := range y {
			y[i] = g[i] * f
		}
	case tensor.SGDStepOp:
		sgdStep(out, in, o)
	case tensor.AdamStepOp:
		adamStep(out, in, o)
	default:
		panic(fmt.Sprintf("ref: unknown op %T (%s)", op, op.OpName()))
	}
}

// copyStrided copies src into dst element by element; both may be strided views of rank ≤ 4.
func copyStrided(dst, src *tensor.Tensor) {
	d, s := dst.Buf.(*Buffer).Data, src.Buf.(*Buffer).Data
	// Pad both to rank 4 with leading size-1 dimensions.
	var shape, ds, ss [4]int
	r := len(dst.Shape)
	for i := 0; i < 4; i++ {
		shape[i] = 1
	}
	for i := 0; i < r; i++ {
		shape[4-r+i] = dst.Shape[i]
		ds[4-r+i] = dst.Strides[i]
		ss[4-r+i] = src.Strides[i]
	}
	// Copy through a temporary so an overlapping source reads its old values.
	tmp := make([]float64, 0, dst.Numel())
	for a := 0; a < shape[0]; a++ {
		for b := 0; b < shape[1]; b++ {
			for c := 0; c < shape[2]; c++ {
				for e := 0; e < shape[3]; e++ {
					tmp = append(tmp, s[src.Off+a*ss[0]+b*ss[1]+c*ss[2]+e*ss[3]])
				}
			}
		}
	}
	i := 0
	for a := 0; a < shape[0]; a++ {
		for b := 0; b < shape[1]; b++ {
			for c := 0; c < shape[2]; c++ {
				for e := 0; e < shape[3]; e++ {
					d[dst.Off+a*ds[0]+b*ds[1]+c*ds[2]+e*ds[3]] = tmp[i]
					i++
				}
			}
		}
	}
}

func weightedSumBackward(out, in []*tensor.Tensor) {
	dy, w := Data(in[0]), Data(in[1])
	if out[0] != nil {
		dw := Data(out[0])
		for k := range w {
			acc := 0.0
			x := Data(in[2+k])
			for i := range dy {
				acc += dy[i] * x[i]
			}
			dw[k] = acc
		}
	}
	for k := range w {
		if out[1+k] == nil {
			continue
		}
		dx := Data(out[1+k])
		for i := range dx {
			dx[i] = w[k] * dy[i]
		}
	}
}

// rows calls f for each row of a 2-d contiguous tensor.
func rows(t *tensor.Tensor, f func(row []float64, r int)) {
	for r := 0; r < t.Shape[0]; r++ {
		f(rowOf(t, r), r)
	}
}

func rowOf(t *tensor.Tensor, r int) []float64 {
	k := t.Shape[1]
	return Data(t)[r*k : (r+1)*k]
}

// softmaxRow writes softmax(x) (or log-softmax) into y, shifting by the maximum.
func softmaxRow(y, x []float64, log bool) {
	m := math.Inf(-1)
	for _, v := range x {
		m = math.Max(m, v)
	}
	s := 0.0
	for _, v := range x {
		s += math.Exp(v - m)
	}
	for i, v := range x {
		if log {
			y[i] = v - m - math.Log(s)
		} else {
			y[i] = math.Exp(v-m) / s
		}
	}
}

// sparsemaxRow is the sort-based projection of Martins & Astudillo 2016, Algorithm 1:
// sort z descending, k(z) = max{k : 1 + k z_(k) > Σ_{j≤k} z_(j)}, τ = (Σ_{j≤k(z)} z_(j) − 1)/k(z),
// y = max(z − τ, 0).
func sparsemaxRow(y, x []float64) {
	z := append([]float64(nil), x...)
	sort.Sort(sort.Reverse(sort.Float64Slice(z)))
	cum, tau := 0.0, 0.0
	for k := 1; k <= len(z); k++ {
		cum += z[k-1]
		if 1+float64(k)*z[k-1] > cum {
			tau = (cum - 1) / float64(k)
		}
	}
	for i, v := range x {
		y[i] = math.Max(v-tau, 0)
	}
}

func conv2D(yt, xt, wt *tensor.Tensor, p tensor.Conv2DParams) {
	n, cin, h, w := xt.Shape.NCHW("conv2d")
	cout, cpg, kh, kw := wt.Shape.NCHW("conv2d")
	_, _, oh, ow := yt.Shape.NCHW("conv2d")
	x, wd, y := Data(xt), Data(wt), Data(yt)
	opg := cout / p.Groups
	for b := 0; b < n; b++ {
		for co := 0; co < cout; co++ {
			g := co / opg
			for i := 0; i < oh; i++ {
				for j := 0; j < ow; j++ {
					acc := 0.0
					for ci := 0; ci < cpg; ci++ {
						c := g*cpg + ci
						for u := 0; u < kh; u++ {
							ih := i*p.Stride - p.Pad + u*p.Dilation
							if ih < 0 || ih >= h {
								continue
							}
							for v := 0; v < kw; v++ {
								iw := j*p.Stride - p.Pad + v*p.Dilation
								if iw < 0 || iw >= w {
									continue
								}
								acc += x[((b*cin+c)*h+ih)*w+iw] * wd[((co*cpg+ci)*kh+u)*kw+v]
							}
						}
					}
					y[((b*cout+co)*oh+i)*ow+j] = acc
				}
			}
		}
	}
}

func conv2DBackwardData(dxt, dyt, wt *tensor.Tensor, p tensor.Conv2DParams) {
	n, cin, h, w := dxt.Shape.NCHW("conv2d_backward_data")
	cout, cpg, kh, kw := wt.Shape.NCHW("conv2d_backward_data")
	_, _, oh, ow := dyt.Shape.NCHW("conv2d_backward_data")
	dx, wd, dy := Data(dxt), Data(wt), Data(dyt)
	acc := make([]float64, len(dx))
	opg := cout / p.Groups
	for b := 0; b < n; b++ {
		for co := 0; co < cout; co++ {
			g := co / opg
			for i := 0; i < oh; i++ {
				for j := 0; j < ow; j++ {
					d := dy[((b*cout+co)*oh+i)*ow+j]
					for ci := 0; ci < cpg; ci++ {
						c := g*cpg + ci
						for u := 0; u < kh; u++ {
							ih := i*p.Stride - p.Pad + u*p.Dilation
							if ih < 0 || ih >= h {
								continue
							}
							for v := 0; v < kw; v++ {
								iw := j*p.Stride - p.Pad + v*p.Dilation
								if iw < 0 || iw >= w {
									continue
								}
								acc[((b*cin+c)*h+ih)*w+iw] += d * wd[((co*cpg+ci)*kh+u)*kw+v]
							}
						}
					}
				}
			}
		}
	}
	copy(dx, acc)
}

func conv2DBackwardFilter(dwt, xt, dyt *tensor.Tensor, p tensor.Conv2DParams) {
	n, cin, h, w := xt.Shape.NCHW("conv2d_backward_filter")
	cout, cpg, kh, kw := dwt.Shape.NCHW("conv2d_backward_filter")
	_, _, oh, ow := dyt.Shape.NCHW("conv2d_backward_filter")
	x, dw, dy := Data(xt), Data(dwt), Data(dyt)
	opg := cout / p.Groups
	for co := 0; co < cout; co++ {
		g := co / opg
		for ci := 0; ci < cpg; ci++ {
			c := g*cpg + ci
			for u := 0; u < kh; u++ {
				for v := 0; v < kw; v++ {
					acc := 0.0
					for b := 0; b < n; b++ {
						for i := 0; i < oh; i++ {
							ih := i*p.Stride - p.Pad + u*p.Dilation
							if ih < 0 || ih >= h {
								continue
							}
							for j := 0; j < ow; j++ {
								iw := j*p.Stride - p.Pad + v*p.Dilation
								if iw < 0 || iw >= w {
									continue
								}
								acc += dy[((b*cout+co)*oh+i)*ow+j] * x[((b*cin+c)*h+ih)*w+iw]
							}
						}
					}
					dw[((co*cpg+ci)*kh+u)*kw+v] = acc
				}
			}
		}
	}
}

func matMul(ct, at, bt *tensor.Tensor, transA, transB bool) {
	a, b, c := Data(at), Data(bt), Data(ct)
	m, n := ct.Shape[0], ct.Shape[1]
	k := at.Shape[1]
	if transA {
		k = at.Shape[0]
	}
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			acc := 0.0
			for l := 0; l < k; l++ {
				var av, bv float64
				if transA {
					av = a[l*m+i]
				} else {
					av = a[i*k+l]
				}
				if transB {
					bv = b[j*k+l]
				} else {
					bv = b[l*n+j]
				}
				acc += av * bv
			}
			c[i*n+j] = acc
		}
	}
}

// inner is the number of elements per (n, c) pair of an [N, C, ...] tensor.
func inner(t *tensor.Tensor) int {
	in := 1
	for _, d := range t.Shape[2:] {
		in *= d
	}
	return in
}

func addBias(yt, xt, bt *tensor.Tensor) {
	x, b, y := Data(xt), Data(bt), Data(yt)
	c, in := xt.Shape[1], inner(xt)
	for i := range y {
		y[i] = x[i] + b[(i/in)%c]
	}
}

func biasBackward(dbt, dyt *tensor.Tensor) {
	dy, db := Data(dyt), Data(dbt)
	c, in := dyt.Shape[1], inner(dyt)
	acc := make([]float64, c)
	for i, v := range dy {
		acc[(i/in)%c] += v
	}
	copy(db, acc)
}

// poolWindow calls f for each in-bounds input position (row-major) of the window of output
// (i, j).
func poolWindow(p tensor.Pool2DParams, h, w, i, j int, f func(ih, iw int)) {
	for u := 0; u < p.K; u++ {
		ih := i*p.Stride - p.Pad + u
		if ih < 0 || ih >= h {
			continue
		}
		for v := 0; v < p.K; v++ {
			iw := j*p.Stride - p.Pad + v
			if iw < 0 || iw >= w {
				continue
			}
			f(ih, iw)
		}
	}
}

// pool2D: max over the window's in-bounds positions (padding is -inf), or their mean (the
// count excludes padding, PyTorch's count_include_pad=False).
func pool2D(yt, xt *tensor.Tensor, p tensor.Pool2DParams) {
	n, c, h, w := xt.Shape.NCHW("pool2d")
	_, _, oh, ow := yt.Shape.NCHW("pool2d")
	x, y := Data(xt), Data(yt)
	for pl := 0; pl < n*c; pl++ {
		xp := x[pl*h*w : (pl+1)*h*w]
		for i := 0; i < oh; i++ {
			for j := 0; j < ow; j++ {
				var v float64
				if p.Kind == tensor.MaxPool {
					v = math.Inf(-1)
					poolWindow(p, h, w, i, j, func(ih, iw int) { v = math.Max(v, xp[ih*w+iw]) })
				} else {
					cnt := 0
					poolWindow(p, h, w, i, j, func(ih, iw int) { v += xp[ih*w+iw]; cnt++ })
					v /= float64(cnt)
				}
				y[(pl*oh+i)*ow+j] = v
			}
		}
	}
}

func pool2DBackward(dxt, dyt, xt *tensor.Tensor, p tensor.Pool2DParams) {
	n, c, h, w := xt.Shape.NCHW("pool2d_backward")
	_, _, oh, ow := dyt.Shape.NCHW("pool2d_backward")
	x, dy, dx := Data(xt), Data(dyt), Data(dxt)
	acc := make([]float64, len(dx))
	for pl := 0; pl < n*c; pl++ {
		xp := x[pl*h*w : (pl+1)*h*w]
		ap := acc[pl*h*w : (pl+1)*h*w]
		for i := 0; i < oh; i++ {
			for j := 0; j < ow; j++ {
				d := dy[(pl*oh+i)*ow+j]
				if p.Kind == tensor.MaxPool {
					best, bv := -1, math.Inf(-1)
					poolWindow(p, h, w, i, j, func(ih, iw int) {
						if best < 0 || xp[ih*w+iw] > bv {
							best, bv = ih*w+iw, xp[ih*w+iw]
						}
					})
					ap[best] += d
				} else {
					cnt := 0
					poolWindow(p, h, w, i, j, func(int, int) { cnt++ })
					poolWindow(p, h, w, i, j, func(ih, iw int) { ap[ih*w+iw] += d / float64(cnt) })
				}
			}
		}
	}
	copy(dx, acc)
}

// channelStats returns the per-channel mean and biased variance over N, H, W (two passes).
func channelStats(xt *tensor.Tensor) (mean, variance []float64) {
	n, c, h, w := xt.Shape.NCHW("batch_norm")
	x := Data(xt)
	hw := h * w
	m := float64(n * hw)
	mean, variance = make([]float64, c), make([]float64, c)
	for ch := 0; ch < c; ch++ {
		s := 0.0
		for b := 0; b < n; b++ {
			for _, v := range x[(b*c+ch)*hw : (b*c+ch+1)*hw] {
				s += v
			}
		}
		mu := s / m
		q := 0.0
		for b := 0; b < n; b++ {
			for _, v := range x[(b*c+ch)*hw : (b*c+ch+1)*hw] {
				q += (v - mu) * (v - mu)
			}
		}
		mean[ch], variance[ch] = mu, q/m
	}
	return mean, variance
}

// affine returns gamma[ch] and beta[ch], 1 and 0 when absent.
func affine(gamma, beta []float64, ch int) (g, b float64) {
	g, b = 1, 0
	if gamma != nil {
		g = gamma[ch]
	}
	if beta != nil {
		b = beta[ch]
	}
	return g, b
}

func batchNormTrain(out, in []*tensor.Tensor, p tensor.BatchNormParams) {
	n, c, h, w := in[0].Shape.NCHW("batch_norm_train")
	x, gamma, beta, rm, rv := Data(in[0]), Data(in[1]), Data(in[2]), Data(in[3]), Data(in[4])
	y, sm, si := Data(out[0]), Data(out[1]), Data(out[2])
	mean, variance := channelStats(in[0])
	hw := h * w
	m := float64(n * hw)
	mom := float64(p.Momentum)
	for ch := 0; ch < c; ch++ {
		inv := 1 / math.Sqrt(variance[ch]+float64(p.Eps))
		g, bb := affine(gamma, beta, ch)
		for b := 0; b < n; b++ {
			base := (b*c + ch) * hw
			for i := base; i < base+hw; i++ {
				y[i] = (x[i]-mean[ch])*inv*g + bb
			}
		}
		sm[ch], si[ch] = mean[ch], inv
		if rm != nil {
			rm[ch] = (1-mom)*rm[ch] + mom*mean[ch]
		}
		if rv != nil {
			unbiased := variance[ch]
			if m > 1 {
				unbiased = variance[ch] * m / (m - 1)
			}
			rv[ch] = (1-mom)*rv[ch] + mom*unbiased
		}
	}
}

func batchNormEval(out, in []*tensor.Tensor, p tensor.BatchNormParams) {
	n, c, h, w := in[0].Shape.NCHW("batch_norm_eval")
	x, gamma, beta, rm, rv := Data(in[0]), Data(in[1]), Data(in[2]), Data(in[3]), Data(in[4])
	y := Data(out[0])
	hw := h * w
	for ch := 0; ch < c; ch++ {
		inv := 1 / math.Sqrt(rv[ch]+float64(p.Eps))
		g, bb := affine(gamma, beta, ch)
		for b := 0; b < n; b++ {
			base := (b*c + ch) * hw
			for i := base; i < base+hw; i++ {
				y[i] = (x[i]-rm[ch])*inv*g + bb
			}
		}
	}
}

// batchNormBackward: with x̂ = (x−μ)·invstd over M = N·H·W elements per channel,
// dβ = Σdy, dγ = Σdy·x̂, dx = γ·invstd/M · (M·dy − dβ − x̂·dγ).
func batchNormBackward(out, in []*tensor.Tensor) {
	n, c, h, w := in[0].Shape.NCHW("batch_norm_backward")
	dy, x, mean, inv, gamma := Data(in[0]), Data(in[1]), Data(in[2]), Data(in[3]), Data(in[4])
	dx, dgamma, dbeta := Data(out[0]), Data(out[1]), Data(out[2])
	hw := h * w
	m := float64(n * hw)
	for ch := 0; ch < c; ch++ {
		sdy, sdyx := 0.0, 0.0
		for b := 0; b < n; b++ {
			base := (b*c + ch) * hw
			for i := base; i < base+hw; i++ {
				sdy += dy[i]
				sdyx += dy[i] * (x[i] - mean[ch]) * inv[ch]
			}
		}
		g, _ := affine(gamma, nil, ch)
		for b := 0; b < n; b++ {
			base := (b*c + ch) * hw
			for i := base; i < base+hw; i++ {
				xh := (x[i] - mean[ch]) * inv[ch]
				dx[i] = g * inv[ch] / m * (m*dy[i] - sdy - xh*sdyx)
			}
		}
		if dgamma != nil {
			dgamma[ch] = sdyx
		}
		if dbeta != nil {
			dbeta[ch] = sdy
		}
	}
}

// sgdStep follows torch.optim.SGD (PyTorch 1.13, _single_tensor_sgd): d = g + wd·w; with
// momentum buf = d on the first step, else buf = μ·buf + (1−dampening)·d; nesterov uses
// d + μ·buf, otherwise buf; w −= lr·that. Without momentum buf is not touched (the caller
// may pass g itself as buf).
func sgdStep(out, in []*tensor.Tensor, o tensor.SGDStepOp) {
	w, g, buf := Data(in[0]), Data(in[1]), Data(in[2])
	wo, bo := Data(out[0]), Data(out[1])
	lr, mom, damp, wd := float64(o.LR), float64(o.Momentum), float64(o.Dampening), float64(o.WeightDecay)
	for i := range wo {
		d := g[i] + wd*w[i]
		if mom != 0 {
			var bv float64
			if o.First {
				bv = d
			} else {
				bv = mom*buf[i] + (1-damp)*d
			}
			bo[i] = bv
			if o.Nesterov {
				d += mom * bv
			} else {
				d = bv
			}
		}
		wo[i] = w[i] - lr*d
	}
}

// adamStep follows torch.optim.Adam (PyTorch 1.13, _single_tensor_adam): g += wd·w;
// m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; denom = √v/√(1−β2^t) + eps;
// w −= lr/(1−β1^t) · m/denom.
func adamStep(out, in []*tensor.Tensor, o tensor.AdamStepOp) {
	w, g, m, v := Data(in[0]), Data(in[1]), Data(in[2]), Data(in[3])
	wo, mo, vo := Data(out[0]), Data(out[1]), Data(out[2])
	b1, b2 := float64(o.Beta1), float64(o.Beta2)
	bc1 := 1 - math.Pow(b1, float64(o.Step))
	bc2 := 1 - math.Pow(b2, float64(o.Step))
	stepSize := float64(o.LR) / bc1
	for i := range wo {
		gi := g[i] + float64(o.WeightDecay)*w[i]
		mi := b1*m[i] + (1-b1)*gi
		vi := b2*v[i] + (1-b2)*gi*gi
		denom := math.Sqrt(vi)/math.Sqrt(bc2) + float64(o.Eps)
		mo[i], vo[i] = mi, vi
		wo[i] = w[i] - stepSize*mi/denom
	}
}
