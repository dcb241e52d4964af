package cpu

// Depthwise convolutions (groups == Cin == Cout: SepConv and DilConv of DARTS) run as
// direct kernels over one (sample, channel) plane at a time: for each kernel tap, a row of
// output gets a scaled, shifted row of input added, which for stride 1 is an axpy on
// contiguous slices.

// depthwiseForward: y[n,c] = Σ_taps w[c,tap] * shifted x[n,c]; one plane per task.
func (b *Backend) depthwiseForward(y, x, w []float32, g convGeom) {
	if g.planeKernelOK() {
		b.depthwiseForwardPlanes(y, x, w, g)
		return
	}
	hw, ohw, kk := g.h*g.w, g.oh*g.ow, g.kh*g.kw
	b.parallel(g.n*g.cin, g.flops(), func(_, pl int) {
		c := pl % g.cin
		xp, yp, wc := x[pl*hw:(pl+1)*hw], y[pl*ohw:(pl+1)*ohw], w[c*kk:(c+1)*kk]
		for i := range g.oh {
			yr := yp[i*g.ow : (i+1)*g.ow]
			clear(yr)
			for ki := range g.kh {
				ih := i*g.stride - g.pad + ki*g.dil
				if ih < 0 || ih >= g.h {
					continue
				}
				xr := xp[ih*g.w : (ih+1)*g.w]
				for kj := range g.kw {
					off := kj*g.dil - g.pad
					j0, j1 := colRange(off, g.stride, g.w, g.ow)
					if j0 >= j1 {
						continue
					}
					wv := wc[ki*g.kw+kj]
					if g.stride == 1 {
						vecAxpy(wv, xr[j0+off:j1+off], yr[j0:j1])
						continue
					}
					for j := j0; j < j1; j++ {
						yr[j] += wv * xr[j*g.stride+off]
					}
				}
			}
		}
	})
}

// depthwiseBackwardData: dx[n,c] = Σ_taps w[c,tap] * dy[n,c] shifted back; one plane per
// task.
func (b *Backend) depthwiseBackwardData(dx, dy, w []float32, g convGeom) {
	if g.planeKernelOK() {
		b.depthwiseBackwardDataPlanes(dx, dy, w, g)
		return
	}
	hw, ohw, kk := g.h*g.w, g.oh*g.ow, g.kh*g.kw
	b.parallel(g.n*g.cin, g.flops(), func(_, pl int) {
		c := pl % g.cin
		dxp, dyp, wc := dx[pl*hw:(pl+1)*hw], dy[pl*ohw:(pl+1)*ohw], w[c*kk:(c+1)*kk]
		clear(dxp)
		for i := range g.oh {
			dyr := dyp[i*g.ow : (i+1)*g.ow]
			for ki := range g.kh {
				ih := i*g.stride - g.pad + ki*g.dil
				if ih < 0 || ih >= g.h {
					continue
				}
				dxr := dxp[ih*g.w : (ih+1)*g.w]
				for kj := range g.kw {
					off := kj*g.dil - g.pad
					j0, j1 := colRange(off, g.stride, g.w, g.ow)
					if j0 >= j1 {
						continue
					}
					wv := wc[ki*g.kw+kj]
					if g.stride == 1 {
						vecAxpy(wv, dyr[j0:j1], dxr[j0+off:j1+off])
						continue
					}
					for j := j0; j < j1; j++ {
						dxr[j*g.stride+off] += wv * dyr[j]
					}
				}
			}
		}
	})
}

// depthwiseBackwardFilter: dw[c,tap] = Σ_n Σ dy[n,c] * shifted x[n,c]. One channel per
// task, samples and rows in order, so the sums do not depend on the thread count.
func (b *Backend) depthwiseBackwardFilter(dw, x, dy []float32, g convGeom) {
	if g.planeKernelOK() {
		b.depthwiseBackwardFilterPlanes(dw, x, dy, g)
		return
	}
	hw, ohw, kk := g.h*g.w, g.oh*g.ow, g.kh*g.kw
	b.parallel(g.cin, g.flops(), func(_, c int) {
		var acc [64]float64
		sums := acc[:0]
		if kk > len(acc) {
			sums = make([]float64, kk)
		} else {
			sums = acc[:kk]
		}
		for n := range g.n {
			pl := n*g.cin + c
			xp, dyp := x[pl*hw:(pl+1)*hw], dy[pl*ohw:(pl+1)*ohw]
			for ki := range g.kh {
				for kj := range g.kw {
					off := kj*g.dil - g.pad
					j0, j1 := colRange(off, g.stride, g.w, g.ow)
					if j0 >= j1 {
						continue
					}
					var s float32
					for i := range g.oh {
						ih := i*g.stride - g.pad + ki*g.dil
						if ih < 0 || ih >= g.h {
							continue
						}
						xr, dyr := xp[ih*g.w:(ih+1)*g.w], dyp[i*g.ow:(i+1)*g.ow]
						if g.stride == 1 {
							s += vecDot(dyr[j0:j1], xr[j0+off:j1+off])
							continue
						}
						for j := j0; j < j1; j++ {
							s += dyr[j] * xr[j*g.stride+off]
						}
					}
					sums[ki*g.kw+kj] += float64(s)
				}
			}
		}
		for t, s := range sums {
			dw[c*kk+t] = float32(s)
		}
	})
}
