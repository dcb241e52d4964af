package cpu

import (
	"math"

	"godarts/tensor"
	"godarts/tensor/cpu/internal/taps"
)

// elemGrain is the smallest chunk of an elementwise op handed to one task: a few pages,
// so that tasks do not share cache lines and the per-task cost stays small.
const elemGrain = 4096

// elemAlign is the multiple of elements every chunk boundary of each falls on. The
// assembly kernels work in blocks of 8 or more with fused multiply-adds and leave the
// last len%8 elements to Go loops that round differently; with aligned boundaries the
// same elements take the same path for every thread count.
const elemAlign = 64

// each runs body over [0, n) in chunks, in parallel when n is large.
func (b *Backend) each(n, workPerItem int, body func(lo, hi int)) {
	blocks := (n + elemAlign - 1) / elemAlign
	b.parallelRange(blocks, elemGrain/elemAlign, workPerItem*elemAlign, func(lo, hi int) {
		body(lo*elemAlign, min(hi*elemAlign, n))
	})
}

func (b *Backend) fill(dst []float32, v float32) {
	b.each(len(dst), 1, func(lo, hi int) {
		d := dst[lo:hi]
		if v == 0 {
			clear(d)
			return
		}
		for i := range d {
			d[i] = v
		}
	})
}

func (b *Backend) axpby(dst []float32, alpha float32, x []float32, beta float32, y []float32) {
	b.each(len(dst), 3, func(lo, hi int) {
		switch {
		case alpha == 1 && beta == 1:
			vecAdd(dst[lo:hi], x[lo:hi], y[lo:hi])
		case &dst[0] == &y[0] && beta == 1:
			vecAxpy(alpha, x[lo:hi], dst[lo:hi])
		default:
			vecAxpby(dst[lo:hi], alpha, x[lo:hi], beta, y[lo:hi])
		}
	})
}

func (b *Backend) scale(dst []float32, alpha float32, x []float32) {
	b.each(len(dst), 1, func(lo, hi int) { vecScale(dst[lo:hi], alpha, x[lo:hi]) })
}

func (b *Backend) addScalar(dst, x []float32, a float32) {
	b.each(len(dst), 1, func(lo, hi int) {
		d, s := dst[lo:hi], x[lo:hi]
		for i := range d {
			d[i] = s[i] + a
		}
	})
}

func (b *Backend) mul(dst, x, y []float32) {
	b.each(len(dst), 1, func(lo, hi int) { vecMul(dst[lo:hi], x[lo:hi], y[lo:hi]) })
}

// scaleRows multiplies each of the len(s) rows of x by its factor.
func (b *Backend) scaleRows(dst, x, s []float32) {
	rows := len(s)
	if rows == 0 {
		return
	}
	per := len(dst) / rows
	b.parallelRange(rows, 1, per, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			vecScale(dst[r*per:(r+1)*per], s[r], x[r*per:(r+1)*per])
		}
	})
}

func (b *Backend) relu(dst, x []float32) {
	b.each(len(dst), 1, func(lo, hi int) { vecReLU(dst[lo:hi], x[lo:hi]) })
}

func (b *Backend) reluBackward(dx, dy, x []float32) {
	b.each(len(dx), 1, func(lo, hi int) { vecReLUBackward(dx[lo:hi], dy[lo:hi], x[lo:hi]) })
}

func (b *Backend) sigmoid(dst, x []float32) {
	b.each(len(dst), 20, func(lo, hi int) {
		d, s := dst[lo:hi], x[lo:hi]
		for i, v := range s {
			d[i] = float32(1 / (1 + math.Exp(-float64(v))))
		}
	})
}

func (b *Backend) sigmoidBackward(dx, dy, y []float32) {
	b.each(len(dx), 3, func(lo, hi int) {
		d, g, s := dx[lo:hi], dy[lo:hi], y[lo:hi]
		for i, v := range s {
			d[i] = g[i] * v * (1 - v)
		}
	})
}

// weightedSum is the MixedOp forward: out = Σ_k w[k]*x_k, each output element written
// once from all K inputs (taps.Weighted).
func (b *Backend) weightedSum(out *tensor.Tensor, in []*tensor.Tensor) {
	w := data(in[0])
	xs := make([][]float32, len(in)-1)
	for k := range xs {
		xs[k] = data(in[1+k])
	}
	y := data(out)
	b.each(len(y), 2*len(xs), func(lo, hi int) {
		d := y[lo:hi]
		if len(xs) == 0 {
			clear(d)
			return
		}
		if len(xs) <= taps.MaxTaps {
			var buf [taps.MaxTaps][]float32
			chunk := buf[:len(xs)]
			for k, x := range xs {
				chunk[k] = x[lo:hi]
			}
			tapsWeighted(d, chunk, w)
			return
		}
		vecScale(d, w[0], xs[0][lo:hi])
		for k := 1; k < len(xs); k++ {
			vecAxpy(w[k], xs[k][lo:hi], d)
		}
	})
}

// weightedSumBackward: dw[k] = Σ dy*x_k (a reduction: fixed chunks summed in order),
// dx_k = w[k]*dy.
func (b *Backend) weightedSumBackward(out, in []*tensor.Tensor) {
	dy, w := data(in[0]), data(in[1])
	K := len(in) - 2
	for k := range K {
		if dx := data(out[1+k]); dx != nil {
			b.scale(dx, w[k], dy)
		}
	}
	if dw := data(out[0]); dw != nil {
		for k := range K {
			dw[k] = b.dot(dy, data(in[2+k]))
		}
	}
}

func (b *Backend) addBias(out, x, bias *tensor.Tensor) {
	y, xs, bs := data(out), data(x), data(bias)
	n, c := x.Shape[0], x.Shape[1]
	inner := 1
	for _, d := range x.Shape[2:] {
		inner *= d
	}
	b.parallelRange(n*c, max(1, elemGrain/max(inner, 1)), inner, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			bv := bs[r%c]
			d, s := y[r*inner:(r+1)*inner], xs[r*inner:(r+1)*inner]
			for i, v := range s {
				d[i] = v + bv
			}
		}
	})
}

// biasBackward sums dy over every dimension but 1: one task per channel, samples added
// in order.
func (b *Backend) biasBackward(out, dy *tensor.Tensor) {
	db, g := data(out), data(dy)
	n, c := dy.Shape[0], dy.Shape[1]
	inner := 1
	for _, d := range dy.Shape[2:] {
		inner *= d
	}
	b.parallel(c, n*c*inner, func(_, ch int) {
		var s float64
		for i := range n {
			s += float64(vecSum(g[(i*c+ch)*inner : (i*c+ch+1)*inner]))
		}
		db[ch] = float32(s)
	})
}

// copyStrided copies a strided view of rank at most 4 into another, with fast paths
// for contiguous rows.
func (b *Backend) copyStrided(dst, src *tensor.Tensor) {
	if dst.IsContiguous() && src.IsContiguous() {
		d, s := data(dst), data(src)
		b.each(len(d), 1, func(lo, hi int) { copy(d[lo:hi], s[lo:hi]) })
		return
	}
	// Pad to rank 4 with leading size-1 dimensions.
	var shape, ds, ss [4]int
	r := len(dst.Shape)
	for i := range 4 {
		j := i - (4 - r)
		if j < 0 {
			shape[i], ds[i], ss[i] = 1, 0, 0
			continue
		}
		shape[i], ds[i], ss[i] = dst.Shape[j], dst.Strides[j], src.Strides[j]
	}
	if shape[0]*shape[1]*shape[2]*shape[3] == 0 {
		return
	}
	dbuf, sbuf := bufData(dst.Buf), bufData(src.Buf)
	rows := shape[0] * shape[1] * shape[2]
	w := shape[3]
	unit := ds[3] == 1 && ss[3] == 1
	b.parallelRange(rows, max(1, elemGrain/w), w, func(lo, hi int) {
		for r := lo; r < hi; {
			i2 := r % shape[2]
			i1 := (r / shape[2]) % shape[1]
			i0 := r / (shape[2] * shape[1])
			do := dst.Off + i0*ds[0] + i1*ds[1] + i2*ds[2]
			so := src.Off + i0*ss[0] + i1*ss[1] + i2*ss[2]
			// The rows left in this plane and chunk: one call for all of them when
			// the destination rows are contiguous (a channel slice or a crop copied
			// out), instead of a copy per row.
			run := min(hi-r, shape[2]-i2)
			switch {
			case unit && ds[2] == w && ss[2] == w:
				copy(dbuf[do:do+run*w], sbuf[so:so+run*w])
			case unit && ds[2] == w && ss[2] > w:
				tapsPadRows(dbuf[do:do+run*w], sbuf[so:], w, run, w, ss[2], 0)
			case unit:
				for k := range run {
					copy(dbuf[do+k*ds[2]:do+k*ds[2]+w], sbuf[so+k*ss[2]:so+k*ss[2]+w])
				}
			default:
				for k := range run {
					for i := range w {
						dbuf[do+k*ds[2]+i*ds[3]] = sbuf[so+k*ss[2]+i*ss[3]]
					}
				}
			}
			r += run
		}
	})
}
