package cpu

import "godarts/tensor"

// window returns the valid input range [lo, hi) of the window of output o along an axis
// of length n.
func window(o, k, stride, pad, n int) (lo, hi int) {
	lo = o*stride - pad
	hi = min(lo+k, n)
	return max(lo, 0), hi
}

// pool2D pools each (sample, channel) plane independently: one plane per task.
func (b *Backend) pool2D(out, in *tensor.Tensor, p tensor.Pool2DParams) {
	n, c, h, w := in.Shape.NCHW("pool2d")
	oh, ow := out.Shape[2], out.Shape[3]
	y, x := data(out), data(in)
	b.parallel(n*c, n*c*oh*ow*p.K*p.K, func(_, pl int) {
		xp, yp := x[pl*h*w:(pl+1)*h*w], y[pl*oh*ow:(pl+1)*oh*ow]
		if p.Kind == tensor.AvgPool {
			avgPoolPlane(yp, xp, h, w, oh, ow, p)
		} else {
			maxPoolPlane(yp, xp, h, w, oh, ow, p)
		}
	})
}

func maxPoolPlane(y, x []float32, h, w, oh, ow int, p tensor.Pool2DParams) {
	for i := range oh {
		r0, r1 := window(i, p.K, p.Stride, p.Pad, h)
		for j := range ow {
			c0, c1 := window(j, p.K, p.Stride, p.Pad, w)
			m := x[r0*w+c0]
			for r := r0; r < r1; r++ {
				for _, v := range x[r*w+c0 : r*w+c1] {
					if v > m {
						m = v
					}
				}
			}
			y[i*ow+j] = m
		}
	}
}

func avgPoolPlane(y, x []float32, h, w, oh, ow int, p tensor.Pool2DParams) {
	for i := range oh {
		r0, r1 := window(i, p.K, p.Stride, p.Pad, h)
		for j := range ow {
			c0, c1 := window(j, p.K, p.Stride, p.Pad, w)
			var s float32
			for r := r0; r < r1; r++ {
				for _, v := range x[r*w+c0 : r*w+c1] {
					s += v
				}
			}
			y[i*ow+j] = s / float32((r1-r0)*(c1-c0))
		}
	}
}

// pool2DBackward scatters each output's gradient into its plane of dx: one plane per task.
func (b *Backend) pool2DBackward(out, dyT, xT *tensor.Tensor, p tensor.Pool2DParams) {
	n, c, h, w := xT.Shape.NCHW("pool2d_backward")
	oh, ow := dyT.Shape[2], dyT.Shape[3]
	dx, dy, x := data(out), data(dyT), data(xT)
	b.parallel(n*c, n*c*oh*ow*p.K*p.K, func(_, pl int) {
		dxp, dyp, xp := dx[pl*h*w:(pl+1)*h*w], dy[pl*oh*ow:(pl+1)*oh*ow], x[pl*h*w:(pl+1)*h*w]
		clear(dxp)
		for i := range oh {
			r0, r1 := window(i, p.K, p.Stride, p.Pad, h)
			for j := range ow {
				c0, c1 := window(j, p.K, p.Stride, p.Pad, w)
				g := dyp[i*ow+j]
				if p.Kind == tensor.AvgPool {
					g /= float32((r1 - r0) * (c1 - c0))
					for r := r0; r < r1; r++ {
						row := dxp[r*w+c0 : r*w+c1]
						for k := range row {
							row[k] += g
						}
					}
					continue
				}
				best := r0*w + c0
				m := xp[best]
				for r := r0; r < r1; r++ {
					for k, v := range xp[r*w+c0 : r*w+c1] {
						if v > m {
							m, best = v, r*w+c0+k
						}
					}
				}
				dxp[best] += g
			}
		}
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
