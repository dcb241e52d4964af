package cpu

import (
	"math"

	"godarts/tensor"
)

// Batch norm works one channel per task: a channel's statistics are reductions over N, H
// and W, computed by one goroutine in a fixed order (planes summed by the vector kernel,
// plane sums added in float64), so they do not depend on the thread count.

// onesLen is the length of ones: the longest plane the vector kernels treat in one call.
const onesLen = 4096

// ones is a read-only vector of 1s: with it, Axpby adds a constant (a*x + c*1), so the
// affine maps of batch norm run on the vector kernels.
var ones = func() []float32 {
	o := make([]float32, onesLen)
	for i := range o {
		o[i] = 1
	}
	return o
}()

// shortPlane is the plane length below which batch norm uses plain loops: a vector
// kernel call costs about as much as this many scalar operations.
const shortPlane = 128

// planeAffine writes y = a*x + c.
func planeAffine(y, x []float32, a, c float32) {
	if len(y) < shortPlane {
		x = x[:len(y)]
		for i, v := range x {
			y[i] = a*v + c
		}
		return
	}
	for lo := 0; lo < len(y); lo += onesLen {
		hi := min(lo+onesLen, len(y))
		vecAxpby(y[lo:hi], a, x[lo:hi], c, ones[:hi-lo])
	}
}

// planeDeviationSquares returns Σ (x - mean)², the second pass of the two-pass variance,
// using tmp (len(x) or longer) for x - mean.
func planeDeviationSquares(x, tmp []float32, mean float32) float32 {
	if len(x) < shortPlane {
		var s float32
		for _, v := range x {
			s += (v - mean) * (v - mean)
		}
		return s
	}
	d := tmp[:len(x)]
	planeAffine(d, x, 1, -mean)
	return vecSumSquares(d)
}

func optional(t *tensor.Tensor, ch int, def float32) float32 {
	if t == nil {
		return def
	}
	return data(t)[ch]
}

func (b *Backend) batchNormTrain(out, in []*tensor.Tensor, p tensor.BatchNormParams) {
	x := in[0]
	n, c, h, w := x.Shape.NCHW("batch_norm_train")
	hw := h * w
	xs, ys := data(x), data(out[0])
	saveMean, saveInvStd := data(out[1]), data(out[2])
	gamma, beta, runMean, runVar := in[1], in[2], in[3], in[4]
	count := float64(n * hw)
	scratch := b.scratch.get(b.threads * hw)
	defer b.scratch.put(scratch)
	b.parallel(c, 4*n*c*hw, func(slot, ch int) {
		tmp := scratch[slot*hw : (slot+1)*hw]
		var s float64
		for i := range n {
			plane := xs[(i*c+ch)*hw : (i*c+ch+1)*hw]
			if hw < shortPlane {
				var p float32
				for _, v := range plane {
					p += v
				}
				s += float64(p)
				continue
			}
			s += float64(vecSum(plane))
		}
		mean := float32(s / count)
		var ss float64
		for i := range n {
			ss += float64(planeDeviationSquares(xs[(i*c+ch)*hw:(i*c+ch+1)*hw], tmp, mean))
		}
		variance := ss / count
		invStd := float32(1 / math.Sqrt(variance+float64(p.Eps)))
		saveMean[ch], saveInvStd[ch] = mean, invStd
		a := invStd * optional(gamma, ch, 1)
		shift := optional(beta, ch, 0) - mean*a
		for i := range n {
			lo, hi := (i*c+ch)*hw, (i*c+ch+1)*hw
			planeAffine(ys[lo:hi], xs[lo:hi], a, shift)
		}
		// PyTorch updates the running variance with the unbiased estimate.
		if runMean != nil {
			rm := data(runMean)
			rm[ch] = (1-p.Momentum)*rm[ch] + p.Momentum*mean
		}
		if runVar != nil {
			rv := data(runVar)
			unbiased := variance
			if count > 1 {
				unbiased = ss / (count - 1)
			}
			rv[ch] = (1-p.Momentum)*rv[ch] + p.Momentum*float32(unbiased)
		}
	})
}

func (b *Backend) batchNormEval(out *tensor.Tensor, in []*tensor.Tensor, p tensor.BatchNormParams) {
	x := in[0]
	n, c, h, w := x.Shape.NCHW("batch_norm_eval")
	hw := h * w
	xs, ys := data(x), data(out)
	rm, rv := data(in[3]), data(in[4])
	b.parallel(n*c, 2*n*c*hw, func(_, pl int) {
		ch := pl % c
		a := float32(1/math.Sqrt(float64(rv[ch])+float64(p.Eps))) * optional(in[1], ch, 1)
		shift := optional(in[2], ch, 0) - rm[ch]*a
		planeAffine(ys[pl*hw:(pl+1)*hw], xs[pl*hw:(pl+1)*hw], a, shift)
	})
}

// batchNormBackward is the gradient of batch-statistics normalisation: with
// x̂ = (x-μ)σ⁻¹ and M = N·H·W,
// dx = γσ⁻¹ (dy - Σdy/M - x̂ Σ(dy·x̂)/M), dγ = Σ dy·x̂, dβ = Σ dy.
func (b *Backend) batchNormBackward(out, in []*tensor.Tensor) {
	dyT, x := in[0], in[1]
	n, c, h, w := x.Shape.NCHW("batch_norm_backward")
	hw := h * w
	dy, xs := data(dyT), data(x)
	mean, invStd := data(in[2]), data(in[3])
	gamma := in[4]
	dx := data(out[0])
	dgamma, dbeta := out[1], out[2]
	m := float64(n * hw)
	scratch := b.scratch.get(b.threads * hw)
	defer b.scratch.put(scratch)
	b.parallel(c, 6*n*c*hw, func(slot, ch int) {
		tmp := scratch[slot*hw : (slot+1)*hw]
		mu, is := mean[ch], invStd[ch]
		var sdy, sdyx float64
		for i := range n {
			lo, hi := (i*c+ch)*hw, (i*c+ch+1)*hw
			if hw < shortPlane {
				var a, c float32
				for j, g := range dy[lo:hi] {
					a += g
					c += g * (xs[lo+j] - mu)
				}
				sdy += float64(a)
				sdyx += float64(c)
				continue
			}
			planeAffine(tmp, xs[lo:hi], 1, -mu)
			sdy += float64(vecSum(dy[lo:hi]))
			sdyx += float64(vecDot(dy[lo:hi], tmp))
		}
		if dgamma != nil {
			data(dgamma)[ch] = float32(sdyx * float64(is))
		}
		if dbeta != nil {
			data(dbeta)[ch] = float32(sdy)
		}
		g := optional(gamma, ch, 1)
		// dx = k*(dy - meanDy - (x-μ)*corr)
		k := g * is
		meanDy := float32(sdy / m)
		corr := float32(sdyx / m * float64(is) * float64(is))
		// dx = k*dy - k*corr*(x-μ) - k*meanDy, as two vector passes.
		for i := range n {
			lo, hi := (i*c+ch)*hw, (i*c+ch+1)*hw
			if hw < shortPlane {
				for j, g := range dy[lo:hi] {
					dx[lo+j] = k * (g - meanDy - (xs[lo+j]-mu)*corr)
				}
				continue
			}
			planeAffine(dx[lo:hi], xs[lo:hi], -k*corr, k*corr*mu-k*meanDy)
			vecAxpy(k, dy[lo:hi], dx[lo:hi])
		}
	})
}
