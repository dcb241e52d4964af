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

// bnMaxBlock is the most channels one batch-norm task owns.
const bnMaxBlock = 16

// bnBlock returns how many channels each batch-norm task takes. On maps of fewer than
// 256 elements, enough that a sample's planes of the block make a run of about 2048
// contiguous elements: the passes go sample by sample through that run, which the
// hardware prefetches, where the walk over one channel jumped from one short plane to
// the next sample's (cold 8x8 maps: 1.35x forward, 1.46x backward). Larger planes keep
// one channel per task (16x16 read 0.9x with blocks of 4 or 8). The block stays within
// bnBlockElems per tensor and leaves at least two tasks per thread. Each channel's sums
// run over the samples in order in any case, so the result does not depend on the block.
func bnBlock(n, c, hw, threads int) int {
	if hw >= 256 {
		return 1
	}
	cb := min(bnMaxBlock, (2048+hw-1)/hw, bnBlockElems/max(1, n*hw))
	return max(1, min(cb, c/(2*threads)))
}

// bnBlockElems bounds a block's elements per tensor, so that the two tensors of the
// backward's passes stay in a 1 MiB L2 between passes.
const bnBlockElems = 1 << 16

func (b *Backend) batchNormTrain(out, in []*tensor.Tensor, p tensor.BatchNormParams) {
	x := in[0]
	n, c, h, w := x.Shape.NCHW("batch_norm_train")
	hw := h * w
	xs, ys := data(x), data(out[0])
	saveMean, saveInvStd := data(out[1]), data(out[2])
	gamma, beta, runMean, runVar := in[1], in[2], in[3], in[4]
	count := float64(n * hw)
	cb := bnBlock(n, c, hw, b.threads)
	b.parallel((c+cb-1)/cb, 4*n*c*hw, func(_, blk int) {
		c0, c1 := blk*cb, min((blk+1)*cb, c)
		var sums, sqs [bnMaxBlock]float64
		var means, as, shifts [bnMaxBlock]float32
		for i := range n {
			for ch := c0; ch < c1; ch++ {
				sums[ch-c0] += float64(vecSum(xs[(i*c+ch)*hw : (i*c+ch+1)*hw]))
			}
		}
		for k := range c1 - c0 {
			means[k] = float32(sums[k] / count)
		}
		for i := range n {
			for ch := c0; ch < c1; ch++ {
				sqs[ch-c0] += float64(vecSumSqDiff(xs[(i*c+ch)*hw:(i*c+ch+1)*hw], means[ch-c0]))
			}
		}
		for ch := c0; ch < c1; ch++ {
			k := ch - c0
			mean, ss := means[k], sqs[k]
			variance := ss / count
			invStd := float32(1 / math.Sqrt(variance+float64(p.Eps)))
			saveMean[ch], saveInvStd[ch] = mean, invStd
			as[k] = invStd * optional(gamma, ch, 1)
			shifts[k] = optional(beta, ch, 0) - mean*as[k]
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
		}
		for i := range n {
			for ch := c0; ch < c1; ch++ {
				lo, hi := (i*c+ch)*hw, (i*c+ch+1)*hw
				vecAffine(ys[lo:hi], as[ch-c0], xs[lo:hi], shifts[ch-c0])
			}
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
	cb := bnBlock(n, c, hw, b.threads)
	b.parallel((c+cb-1)/cb, 6*n*c*hw, func(_, blk int) {
		c0, c1 := blk*cb, min((blk+1)*cb, c)
		var sdys, sdyxs [bnMaxBlock]float64
		for i := range n {
			for ch := c0; ch < c1; ch++ {
				lo, hi := (i*c+ch)*hw, (i*c+ch+1)*hw
				a, d := vecSumDotDiff(dy[lo:hi], xs[lo:hi], mean[ch])
				sdys[ch-c0] += float64(a)
				sdyxs[ch-c0] += float64(d)
			}
		}
		// dx = k*(dy - meanDy - (x-μ)*corr) = k*dy - k*corr*x + (k*corr*μ - k*meanDy),
		// one vector pass.
		var ks, xcoef, consts [bnMaxBlock]float32
		for ch := c0; ch < c1; ch++ {
			sdy, sdyx := sdys[ch-c0], sdyxs[ch-c0]
			mu, is := mean[ch], invStd[ch]
			if dgamma != nil {
				data(dgamma)[ch] = float32(sdyx * float64(is))
			}
			if dbeta != nil {
				data(dbeta)[ch] = float32(sdy)
			}
			k := optional(gamma, ch, 1) * is
			meanDy := float32(sdy / m)
			corr := float32(sdyx / m * float64(is) * float64(is))
			ks[ch-c0], xcoef[ch-c0], consts[ch-c0] = k, -k*corr, k*corr*mu-k*meanDy
		}
		for i := range n {
			for ch := c0; ch < c1; ch++ {
				lo, hi := (i*c+ch)*hw, (i*c+ch+1)*hw
				vecAxpbyc(dx[lo:hi], ks[ch-c0], dy[lo:hi], xcoef[ch-c0], xs[lo:hi], consts[ch-c0])
			}
		}
	})
}
