package cpu

import (
	"math"

	"godarts/tensor"
)

// Pooling works one (sample, channel) plane per task. The plane is copied into a padded
// plane (-inf for max, 0 for average) so that every window is a plain K×K block, and the
// window is reduced separably: first along rows (hm[r, j] over the K columns of window j),
// then along columns, 2K operations per output instead of K².

// poolGeom holds one pooling's plane sizes.
type poolGeom struct {
	h, w, oh, ow, hp, wp int
	p                    tensor.Pool2DParams
}

func newPoolGeom(x, y tensor.Shape, p tensor.Pool2DParams) poolGeom {
	return poolGeom{h: x[2], w: x[3], oh: y[2], ow: y[3], hp: x[2] + 2*p.Pad, wp: x[3] + 2*p.Pad, p: p}
}

// scratchSize is the per-task scratch: the padded plane, the row-reduced plane and one
// output plane.
func (g poolGeom) scratchSize() int { return g.hp*g.wp + g.hp*g.ow + g.oh*g.ow }

// window returns the valid input range [lo, hi) of the window of output o along an axis
// of length n.
func window(o, k, stride, pad, n int) (lo, hi int) {
	lo = o*stride - pad
	hi = min(lo+k, n)
	return max(lo, 0), hi
}

// padPlaneWith writes the h×w plane x into the middle of dst (hp×wp, border pad) and
// sets the border to v.
func padPlaneWith(dst, x []float32, h, w, hp, wp, pad int, v float32) {
	for i := range pad * wp {
		dst[i] = v
		dst[(hp-pad)*wp+i] = v
	}
	for i := range h {
		row := dst[(i+pad)*wp : (i+pad+1)*wp]
		for j := range pad {
			row[j] = v
			row[wp-1-j] = v
		}
		copy(row[pad:pad+w], x[i*w:(i+1)*w])
	}
}

// poolForwardPlane pools the padded plane xp into y, using hm (hp×ow) as scratch.
func poolForwardPlane(y, xp, hm []float32, g poolGeom) {
	k, s := g.p.K, g.p.Stride
	isMax := g.p.Kind == tensor.MaxPool
	for r := range g.hp {
		row, out := xp[r*g.wp:(r+1)*g.wp], hm[r*g.ow:(r+1)*g.ow]
		if k == 3 {
			for j := range out {
				a, b, c := row[j*s], row[j*s+1], row[j*s+2]
				if isMax {
					out[j] = max(a, b, c)
				} else {
					out[j] = a + b + c
				}
			}
			continue
		}
		for j := range out {
			win := row[j*s : j*s+k]
			acc := win[0]
			for _, v := range win[1:] {
				if isMax {
					acc = max(acc, v)
				} else {
					acc += v
				}
			}
			out[j] = acc
		}
	}
	for i := range g.oh {
		out := y[i*g.ow : (i+1)*g.ow]
		copy(out, hm[i*s*g.ow:(i*s+1)*g.ow])
		for ki := 1; ki < k; ki++ {
			in := hm[(i*s+ki)*g.ow : (i*s+ki+1)*g.ow]
			if isMax {
				for j, v := range in {
					out[j] = max(out[j], v)
				}
			} else {
				for j, v := range in {
					out[j] += v
				}
			}
		}
		if !isMax {
			// Average pooling never counts padding (count_include_pad=False in DARTS).
			r0, r1 := window(i, k, s, g.p.Pad, g.h)
			for j := range out {
				c0, c1 := window(j, k, s, g.p.Pad, g.w)
				out[j] /= float32((r1 - r0) * (c1 - c0))
			}
		}
	}
}

func (b *Backend) pool2D(out, in *tensor.Tensor, p tensor.Pool2DParams) {
	n, c, _, _ := in.Shape.NCHW("pool2d")
	g := newPoolGeom(in.Shape, out.Shape, p)
	y, x := data(out), data(in)
	hw, ohw := g.h*g.w, g.oh*g.ow
	per := g.scratchSize()
	scratch := b.scratch.get(b.threads * per)
	defer b.scratch.put(scratch)
	pad := float32(0)
	if p.Kind == tensor.MaxPool {
		pad = float32(math.Inf(-1))
	}
	b.parallel(n*c, n*c*(g.hp*g.ow+ohw)*p.K, func(slot, pl int) {
		xp := scratch[slot*per : slot*per+g.hp*g.wp]
		hm := scratch[slot*per+g.hp*g.wp : slot*per+g.hp*g.wp+g.hp*g.ow]
		padPlaneWith(xp, x[pl*hw:(pl+1)*hw], g.h, g.w, g.hp, g.wp, p.Pad, pad)
		poolForwardPlane(y[pl*ohw:(pl+1)*ohw], xp, hm, g)
	})
}

// pool2DBackward: average pooling runs the separable forward's adjoint (spread dy/count
// down the columns, then along the rows, then crop the padding); max pooling recomputes
// each window's maximum and sends dy to its first occurrence in row-major order.
func (b *Backend) pool2DBackward(out, dyT, xT *tensor.Tensor, p tensor.Pool2DParams) {
	n, c, _, _ := xT.Shape.NCHW("pool2d_backward")
	g := newPoolGeom(xT.Shape, dyT.Shape, p)
	dx, dy, x := data(out), data(dyT), data(xT)
	hw, ohw := g.h*g.w, g.oh*g.ow
	per := g.scratchSize()
	scratch := b.scratch.get(b.threads * per)
	defer b.scratch.put(scratch)
	k, s := p.K, p.Stride
	b.parallel(n*c, n*c*(g.hp*g.ow+ohw)*p.K, func(slot, pl int) {
		xp := scratch[slot*per : slot*per+g.hp*g.wp]
		hm := scratch[slot*per+g.hp*g.wp : slot*per+g.hp*g.wp+g.hp*g.ow]
		ym := scratch[slot*per+g.hp*g.wp+g.hp*g.ow : (slot+1)*per]
		dxp, dyp := dx[pl*hw:(pl+1)*hw], dy[pl*ohw:(pl+1)*ohw]
		if p.Kind == tensor.AvgPool {
			clear(hm)
			for i := range g.oh {
				r0, r1 := window(i, k, s, p.Pad, g.h)
				gi := ym[i*g.ow : (i+1)*g.ow]
				for j := range gi {
					c0, c1 := window(j, k, s, p.Pad, g.w)
					gi[j] = dyp[i*g.ow+j] / float32((r1-r0)*(c1-c0))
				}
				for ki := range k {
					row := hm[(i*s+ki)*g.ow : (i*s+ki+1)*g.ow]
					for j, v := range gi {
						row[j] += v
					}
				}
			}
			clear(xp)
			for r := range g.hp {
				row, in := xp[r*g.wp:(r+1)*g.wp], hm[r*g.ow:(r+1)*g.ow]
				for j, v := range in {
					win := row[j*s : j*s+k]
					for t := range win {
						win[t] += v
					}
				}
			}
			for i := range g.h {
				copy(dxp[i*g.w:(i+1)*g.w], xp[(i+p.Pad)*g.wp+p.Pad:])
			}
			return
		}
		padPlaneWith(xp, x[pl*hw:(pl+1)*hw], g.h, g.w, g.hp, g.wp, p.Pad, float32(math.Inf(-1)))
		poolForwardPlane(ym, xp, hm, g)
		xs := x[pl*hw : (pl+1)*hw]
		clear(dxp)
		for i := range g.oh {
			r0, r1 := window(i, k, s, p.Pad, g.h)
			for j := range g.ow {
				c0, c1 := window(j, k, s, p.Pad, g.w)
				m := ym[i*g.ow+j]
				best := -1
			scan:
				for r := r0; r < r1; r++ {
					for cc := c0; cc < c1; cc++ {
						if xs[r*g.w+cc] == m {
							best = r*g.w + cc
							break scan
						}
					}
				}
				if best < 0 {
					// m is NaN: send the gradient to the first NaN, as the scan that
					// produced it would.
					best = firstNaN(xs, g.w, r0, r1, c0, c1)
				}
				dxp[best] += dyp[i*g.ow+j]
			}
		}
	})
}

// firstNaN returns the index of the first NaN of a window, or its first element.
func firstNaN(x []float32, w, r0, r1, c0, c1 int) int {
	for r := r0; r < r1; r++ {
		for c := c0; c < c1; c++ {
			if x[r*w+c] != x[r*w+c] {
				return r*w + c
			}
		}
	}
	return r0*w + c0
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
