package cpu

import (
	"math"

	"godarts/tensor"
)

// Pooling is a depthwise convolution with a K×K window of ones (average) or with max in
// place of the sum, and runs on the depthwise convolution's phase planes (depthwise.go):
// one (sample, channel) plane per task, each window reduction one fused pass over the
// plane (taps.Shifted, taps.ShiftedMax). The padding is 0 for average pooling, which then
// divides by the number of valid inputs (PyTorch's count_include_pad=False, as DARTS
// uses), and -inf for max pooling.

// poolPlan returns the depthwise plan of a pooling; stacked: with the data gradient's
// stacks of planes (depthwise.go).
func poolPlan(x, y tensor.Shape, p tensor.Pool2DParams, stacked bool) *dwPlan {
	n, c, h, w := x.NCHW("pool2d")
	g := convGeom{
		n: n, cin: c, h: h, w: w, cout: c, oh: y[2], ow: y[3], kh: p.K, kw: p.K,
		groups: c, cg: 1, cog: 1, stride: p.Stride, pad: p.Pad, dil: 1,
	}
	if stacked {
		return newDWPlan(g, dwStack(g))
	}
	return newDWPlan(g, 1)
}

// window returns the valid input range [lo, hi) of the window of output o along an axis
// of length n.
func window(o, k, stride, pad, n int) (lo, hi int) {
	lo = o*stride - pad
	hi = min(lo+k, n)
	return max(lo, 0), hi
}

// invCount returns, at the plan's output row stride ws, 1/(valid inputs) of each average
// pooling window, and 0 in the gap columns.
func invCount(p *dwPlan, k int) []float32 {
	g := p.g
	inv := make([]float32, g.oh*p.ws)
	for i := range g.oh {
		r0, r1 := window(i, k, g.stride, g.pad, g.h)
		for j := range g.ow {
			c0, c1 := window(j, k, g.stride, g.pad, g.w)
			inv[i*p.ws+j] = 1 / float32((r1-r0)*(c1-c0))
		}
	}
	return inv
}

func onesN(n int) []float32 {
	o := make([]float32, n)
	for i := range o {
		o[i] = 1
	}
	return o
}

func (b *Backend) pool2D(out, in *tensor.Tensor, pp tensor.Pool2DParams) {
	p := poolPlan(in.Shape, out.Shape, pp, false)
	g := p.g
	y, x := data(out), data(in)
	hw, ohw := g.h*g.w, g.oh*g.ow
	per := p.perTask()
	scratch := b.scratch.get(b.threads * per)
	defer b.scratch.put(scratch)
	var inv, ones []float32
	if pp.Kind == tensor.AvgPool {
		inv, ones = invCount(p, pp.K), onesN(len(p.tapOff))
	}
	b.parallel(g.n*g.cin, g.n*g.cin*ohw*len(p.tapOff), func(slot, pl int) {
		planes := scratch[slot*per : slot*per+p.planesLen]
		yb := scratch[slot*per+p.planesLen : (slot+1)*per][:p.lv]
		if pp.Kind == tensor.AvgPool {
			p.split(planes, x[pl*hw:(pl+1)*hw], 0)
			tapsShifted(yb, planes, p.tapOff, ones)
			vecMul(yb[:p.l], yb[:p.l], inv[:p.l])
		} else {
			p.splitFill(planes, x[pl*hw:(pl+1)*hw], 0, float32(math.Inf(-1)))
			tapsShiftedMax(yb, planes, p.tapOff)
		}
		tapsPadRows(y[pl*ohw:(pl+1)*ohw], yb, g.ow, g.oh, g.ow, p.ws, 0)
	})
}

// pool2DBackward: average pooling is the depthwise data gradient of dy/count with
// weights of one, on stacks of planes as that gradient; max pooling finds each window's first maximum in row-major order
// (taps.ShiftedArgmax over the -inf-padded phase planes) and adds dy there, one masked
// vector pass per tap (taps.ScatterArgmax). (An input of
// -inf that ties with the padding of its window loses its gradient to the padding.)
func (b *Backend) pool2DBackward(out, dyT, xT *tensor.Tensor, pp tensor.Pool2DParams) {
	p := poolPlan(xT.Shape, dyT.Shape, pp, pp.Kind == tensor.AvgPool)
	g := p.g
	dx, dy, x := data(out), data(dyT), data(xT)
	hw, ohw := g.h*g.w, g.oh*g.ow
	work := g.n * g.cin * ohw * len(p.tapOff)
	if pp.Kind == tensor.AvgPool {
		inv, ones := invCount(p, pp.K), onesN(len(p.tapOff))
		per := p.planesLen + p.extSize()
		scratch := b.scratch.get(b.threads * per)
		defer b.scratch.put(scratch)
		if p.k == 1 {
			b.parallel(g.n*g.cin, work, func(slot, pl int) {
				planes := scratch[slot*per : slot*per+p.planesLen]
				ext := scratch[slot*per+p.planesLen : (slot+1)*per]
				p.spreadExt(ext, dy[pl*ohw:(pl+1)*ohw], 1, 0)
				scaled := ext[p.front : p.front+p.l]
				vecMul(scaled, scaled, inv[:p.l])
				p.gather(planes, ext, ones, 1)
				p.merge(dx[pl*hw:(pl+1)*hw], planes, 0)
			})
			return
		}
		tasks, task := p.stackTasks()
		b.parallel(tasks, work, func(slot, t int) {
			c, n0, np := task(t)
			planes := scratch[slot*per : slot*per+p.planesLen]
			ext := scratch[slot*per+p.planesLen : (slot+1)*per]
			pl0 := n0*g.cin + c
			p.spreadExt(ext, dy[pl0*ohw:], np, g.cin*ohw)
			for j := range np {
				scaled := ext[p.front+j*p.phaseSize : p.front+j*p.phaseSize+p.l]
				vecMul(scaled, scaled, inv[:p.l])
			}
			p.gather(planes, ext, ones, np)
			for j := range np {
				pl := pl0 + j*g.cin
				p.merge(dx[pl*hw:(pl+1)*hw], planes, j)
			}
		})
		return
	}
	per := 2*p.planesLen + p.outLen
	scratch := b.scratch.get(b.threads * per)
	defer b.scratch.put(scratch)
	idxs := make([]int32, b.threads*p.lv)
	b.parallel(g.n*g.cin, work, func(slot, pl int) {
		planes := scratch[slot*per : slot*per+p.planesLen]
		grad := scratch[slot*per+p.planesLen : slot*per+2*p.planesLen]
		dyb := scratch[slot*per+2*p.planesLen : (slot+1)*per]
		idx := idxs[slot*p.lv : (slot+1)*p.lv]
		p.splitFill(planes, x[pl*hw:(pl+1)*hw], 0, float32(math.Inf(-1)))
		tapsShiftedArgmax(idx, planes, p.tapOff)
		p.spreadOutput(dyb, dy[pl*ohw:(pl+1)*ohw])
		clear(dyb[g.oh*p.ws:])
		clear(grad)
		// Outputs past l and in the gap columns carry a zero gradient: adding it is
		// harmless.
		tapsScatterArgmax(grad, idx, dyb[:p.lv], p.tapOff)
		p.merge(dx[pl*hw:(pl+1)*hw], grad, 0)
	})
}

func (b *Backend) globalAvgPool(out, in *tensor.Tensor) {
	n, c, h, w := in.Shape.NCHW("global_avg_pool")
	y, x := data(out), data(in)
	hw := h * w
	b.parallel(n*c, n*c*hw, func(_, pl int) {
		y[pl] = vecSum(x[pl*hw:(pl+1)*hw]) / float32(hw)
	})
}

func (b *Backend) globalAvgPoolBackward(out, dyT *tensor.Tensor) {
	n, c, h, w := out.Shape.NCHW("global_avg_pool_backward")
	dx, dy := data(out), data(dyT)
	hw := h * w
	b.parallel(n*c, n*c*hw, func(_, pl int) {
		g := dy[pl] / float32(hw)
		d := dx[pl*hw : (pl+1)*hw]
		for i := range d {
			d[i] = g
		}
	})
}
