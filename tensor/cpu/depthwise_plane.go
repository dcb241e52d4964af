package cpu

// Stride-1 depthwise convolutions as a few long vector operations per plane. The input
// plane is copied into a zero-bordered plane whose row stride Wp covers the padding; an
// output computed with that same row stride is then, for each kernel tap, one axpy over
// the whole plane at a constant offset (the columns past OW hold garbage and are dropped
// when the rows are copied out). A 3x3 kernel on a 32x32 map becomes 9 calls of ~1100
// elements instead of 288 calls of 32.

// padPlane writes the h×w plane x into dst as an hp×wp plane with top rows and left
// columns of zeros (and zeros everywhere else outside x).
func padPlane(dst, x []float32, h, w, hp, wp, top, left int) {
	clear(dst[:hp*wp])
	for i := range h {
		copy(dst[(i+top)*wp+left:(i+top)*wp+left+w], x[i*w:(i+1)*w])
	}
}

// dwPlaneGeom holds the padded sizes of a stride-1 depthwise convolution.
type dwPlaneGeom struct {
	hp, wp int // zero-padded input plane (forward, backward filter)
	span   int // d*(k-1): how far the kernel reaches
	hq, wq int // zero-padded output-gradient plane (backward data)
}

func newDWPlaneGeom(g convGeom) dwPlaneGeom {
	span := g.dil * (g.kh - 1)
	return dwPlaneGeom{
		hp: g.h + 2*g.pad, wp: g.w + 2*g.pad, span: span,
		hq: g.h + span, wq: g.w + span,
	}
}

// planeKernelOK reports whether the plane kernels apply: stride 1, a square kernel and
// padding within the kernel's reach (so the backward pass needs no negative padding).
func (g convGeom) planeKernelOK() bool {
	return g.stride == 1 && g.kh == g.kw && g.pad <= g.dil*(g.kh-1)
}

func (b *Backend) depthwiseForwardPlanes(y, x, w []float32, g convGeom) {
	pg := newDWPlaneGeom(g)
	hw, ohw, kk := g.h*g.w, g.oh*g.ow, g.kh*g.kw
	per := pg.hp*pg.wp + g.oh*pg.wp
	scratch := b.scratch.get(b.threads * per)
	defer b.scratch.put(scratch)
	L := (g.oh-1)*pg.wp + g.ow
	b.parallel(g.n*g.cin, g.flops(), func(slot, pl int) {
		c := pl % g.cin
		xp := scratch[slot*per : slot*per+pg.hp*pg.wp]
		yb := scratch[slot*per+pg.hp*pg.wp : (slot+1)*per]
		padPlane(xp, x[pl*hw:(pl+1)*hw], g.h, g.w, pg.hp, pg.wp, g.pad, g.pad)
		wc := w[c*kk : (c+1)*kk]
		yl := yb[:L]
		for ki := range g.kh {
			for kj := range g.kw {
				off := ki*g.dil*pg.wp + kj*g.dil
				if ki == 0 && kj == 0 {
					vecScale(yl, wc[0], xp[off:off+L])
				} else {
					vecAxpy(wc[ki*g.kw+kj], xp[off:off+L], yl)
				}
			}
		}
		yp := y[pl*ohw : (pl+1)*ohw]
		for i := range g.oh {
			copy(yp[i*g.ow:(i+1)*g.ow], yb[i*pg.wp:i*pg.wp+g.ow])
		}
	})
}

// depthwiseBackwardDataPlanes is the forward kernel applied to dy padded by span-pad on
// every side, with the kernel flipped: dx[i,j] = Σ w[ki,kj] dyq[i+span-ki*d, j+span-kj*d].
func (b *Backend) depthwiseBackwardDataPlanes(dx, dy, w []float32, g convGeom) {
	pg := newDWPlaneGeom(g)
	hw, ohw, kk := g.h*g.w, g.oh*g.ow, g.kh*g.kw
	q := pg.span - g.pad
	per := pg.hq*pg.wq + g.h*pg.wq
	scratch := b.scratch.get(b.threads * per)
	defer b.scratch.put(scratch)
	L := (g.h-1)*pg.wq + g.w
	b.parallel(g.n*g.cin, g.flops(), func(slot, pl int) {
		c := pl % g.cin
		dyq := scratch[slot*per : slot*per+pg.hq*pg.wq]
		db := scratch[slot*per+pg.hq*pg.wq : (slot+1)*per]
		padPlane(dyq, dy[pl*ohw:(pl+1)*ohw], g.oh, g.ow, pg.hq, pg.wq, q, q)
		wc := w[c*kk : (c+1)*kk]
		dl := db[:L]
		first := true
		for ki := range g.kh {
			for kj := range g.kw {
				off := (pg.span-ki*g.dil)*pg.wq + pg.span - kj*g.dil
				if first {
					vecScale(dl, wc[ki*g.kw+kj], dyq[off:off+L])
					first = false
				} else {
					vecAxpy(wc[ki*g.kw+kj], dyq[off:off+L], dl)
				}
			}
		}
		dxp := dx[pl*hw : (pl+1)*hw]
		for i := range g.h {
			copy(dxp[i*g.w:(i+1)*g.w], db[i*pg.wq:i*pg.wq+g.w])
		}
	})
}

// depthwiseBackwardFilterPlanes: dw[c,tap] = Σ_n dot(dy with row stride Wp and zero
// gap columns, padded x at the tap's offset). One channel per task, samples in order.
func (b *Backend) depthwiseBackwardFilterPlanes(dw, x, dy []float32, g convGeom) {
	pg := newDWPlaneGeom(g)
	hw, ohw, kk := g.h*g.w, g.oh*g.ow, g.kh*g.kw
	per := pg.hp*pg.wp + g.oh*pg.wp
	scratch := b.scratch.get(b.threads * per)
	defer b.scratch.put(scratch)
	L := (g.oh-1)*pg.wp + g.ow
	b.parallel(g.cin, g.flops(), func(slot, c int) {
		xp := scratch[slot*per : slot*per+pg.hp*pg.wp]
		dyb := scratch[slot*per+pg.hp*pg.wp : (slot+1)*per]
		var acc [64]float64
		sums := acc[:0]
		if kk > len(acc) {
			sums = make([]float64, kk)
		} else {
			sums = acc[:kk]
		}
		for n := range g.n {
			pl := n*g.cin + c
			padPlane(xp, x[pl*hw:(pl+1)*hw], g.h, g.w, pg.hp, pg.wp, g.pad, g.pad)
			padPlane(dyb, dy[pl*ohw:(pl+1)*ohw], g.oh, g.ow, g.oh, pg.wp, 0, 0)
			dl := dyb[:L]
			for ki := range g.kh {
				for kj := range g.kw {
					off := ki*g.dil*pg.wp + kj*g.dil
					sums[ki*g.kw+kj] += float64(vecDot(dl, xp[off:off+L]))
				}
			}
		}
		for t, s := range sums {
			dw[c*kk+t] = float32(s)
		}
	})
}
