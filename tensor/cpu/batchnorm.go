package cpu

import (
	"math"

	"godarts/tensor"
)

// Batch norm works one channel per task: a channel's statistics are reductions over N, H
// and W, computed by one goroutine in a fixed order (planes summed by the vector kernel,
// plane sums added in float64), so they do not depend on the thread count.

// Every pass over a plane is one vector kernel call: the statistics with Sum and
// SumSqDiff (two-pass variance, nothing written), the normalisation with Affine, the
// backward's reductions with SumDotDiff and its dx with Axpbyc.

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
	b.parallel(c, 4*n*c*hw, func(_, ch int) {
		var s float64
		for i := range n {
			s += float64(vecSum(xs[(i*c+ch)*hw : (i*c+ch+1)*hw]))
		}
		mean := float32(s / count)
		var ss float64
		for i := range n {
			ss += float64(vecSumSqDiff(xs[(i*c+ch)*hw:(i*c+ch+1)*hw], mean))
		}
		variance := ss / count
		invStd := float32(1 / math.Sqrt(variance+float64(p.Eps)))
		saveMean[ch], saveInvStd[ch] = mean, invStd
		a := invStd * optional(gamma, ch, 1)
		shift := optional(beta, ch, 0) - mean*a
		for i := range n {
			lo, hi := (i*c+ch)*hw, (i*c+ch+1)*hw
			vecAffine(ys[lo:hi], a, xs[lo:hi], shift)
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
		vecAffine(ys[pl*hw:(pl+1)*hw], a, xs[pl*hw:(pl+1)*hw], shift)
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
	b.parallel(c, 6*n*c*hw, func(_, ch int) {
		mu, is := mean[ch], invStd[ch]
		var sdy, sdyx float64
		for i := range n {
			lo, hi := (i*c+ch)*hw, (i*c+ch+1)*hw
			a, d := vecSumDotDiff(dy[lo:hi], xs[lo:hi], mu)
			sdy += float64(a)
			sdyx += float64(d)
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
		// dx = k*dy - k*corr*x + (k*corr*μ - k*meanDy), one vector pass.
		for i := range n {
			lo, hi := (i*c+ch)*hw, (i*c+ch+1)*hw
			vecAxpbyc(dx[lo:hi], k, dy[lo:hi], -k*corr, xs[lo:hi], k*corr*mu-k*meanDy)
		}
	})
}
