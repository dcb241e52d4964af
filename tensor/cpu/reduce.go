package cpu

import (
	"math"

	"godarts/tensor"
)

// reduceChunk is the fixed length of the pieces a long reduction is cut into. Each piece
// is summed by the vector kernel and the pieces' sums are added in order in float64, so
// the result depends on the length only, never on the thread count.
const reduceChunk = 1 << 14

// reduce returns Σ over fixed chunks of part(lo, hi), added in order.
func (b *Backend) reduce(n int, part func(lo, hi int) float32) float64 {
	chunks := (n + reduceChunk - 1) / reduceChunk
	if chunks <= 1 {
		if n == 0 {
			return 0
		}
		return float64(part(0, n))
	}
	var small [16]float64
	partial := small[:0]
	if chunks > len(small) {
		partial = make([]float64, chunks)
	} else {
		partial = small[:chunks]
	}
	b.parallel(chunks, n, func(_, t int) {
		partial[t] = float64(part(t*reduceChunk, min((t+1)*reduceChunk, n)))
	})
	var s float64
	for _, p := range partial {
		s += p
	}
	return s
}

func (b *Backend) dot(x, y []float32) float32 {
	return float32(b.reduce(len(x), func(lo, hi int) float32 { return vecDot(x[lo:hi], y[lo:hi]) }))
}

func (b *Backend) sum(out, x []float32, a float32, accumulate, squares bool) {
	var s float64
	if squares {
		s = b.reduce(len(x), func(lo, hi int) float32 { return vecSumSquares(x[lo:hi]) })
	} else {
		s = b.reduce(len(x), func(lo, hi int) float32 { return vecSum(x[lo:hi]) })
	}
	v := float32(float64(a) * s)
	if accumulate {
		out[0] += v
	} else {
		out[0] = v
	}
}

// clipByNorm follows torch.nn.utils.clip_grad_norm_: scale = MaxNorm/(norm+1e-6),
// applied only when it is below 1.
func (b *Backend) clipByNorm(dst, g []float32, sumSquares, maxNorm float32) {
	c := float32(float64(maxNorm) / (math.Sqrt(float64(sumSquares)) + 1e-6))
	if c < 1 {
		b.scale(dst, c, g)
	} else if &dst[0] != &g[0] {
		copy(dst, g)
	}
}

// sgdStep is torch.optim.SGD's update for one parameter (PyTorch 1.13, _single_tensor_sgd):
// g += wd*w; buf = g on the first step, else buf = momentum*buf + (1-dampening)*g;
// g = g + momentum*buf when nesterov, else buf; w -= lr*g.
func (b *Backend) sgdStep(w, g, buf []float32, o tensor.SGDStepOp) {
	b.each(len(w), 8, func(lo, hi int) {
		w, g, buf := w[lo:hi], g[lo:hi:hi], buf[lo:hi:hi]
		for i := range w {
			d := g[i]
			if o.WeightDecay != 0 {
				d += o.WeightDecay * w[i]
			}
			if o.Momentum != 0 {
				if o.First {
					buf[i] = d
				} else {
					buf[i] = o.Momentum*buf[i] + (1-o.Dampening)*d
				}
				if o.Nesterov {
					d += o.Momentum * buf[i]
				} else {
					d = buf[i]
				}
			}
			w[i] -= o.LR * d
		}
	})
}

// adamStep is torch.optim.Adam's update (PyTorch 1.13, _single_tensor_adam, amsgrad off):
// g += wd*w; m = β1 m + (1-β1) g; v = β2 v + (1-β2) g²;
// w -= lr/(1-β1^t) * m / (sqrt(v)/sqrt(1-β2^t) + eps).
func (b *Backend) adamStep(w, g, m, v []float32, o tensor.AdamStepOp) {
	bc1 := 1 - math.Pow(float64(o.Beta1), float64(o.Step))
	bc2 := 1 - math.Pow(float64(o.Beta2), float64(o.Step))
	stepSize := float32(float64(o.LR) / bc1)
	bc2Sqrt := float32(math.Sqrt(bc2))
	b.each(len(w), 12, func(lo, hi int) {
		w, g, m, v := w[lo:hi], g[lo:hi:hi], m[lo:hi:hi], v[lo:hi:hi]
		for i := range w {
			d := g[i]
			if o.WeightDecay != 0 {
				d += o.WeightDecay * w[i]
			}
			m[i] = o.Beta1*m[i] + (1-o.Beta1)*d
			v[i] = o.Beta2*v[i] + (1-o.Beta2)*d*d
			denom := float32(math.Sqrt(float64(v[i])))/bc2Sqrt + o.Eps
			w[i] -= stepSize * m[i] / denom
		}
	})
}
