package cpu

import (
	"math"
	"slices"

	"godarts/tensor"
)

// rows returns the row count and length of a 2-d tensor.
func rows(t *tensor.Tensor) (n, k int) { return t.Shape[0], t.Shape[1] }

// eachRow runs body on independent rows, in parallel when there is enough work.
func (b *Backend) eachRow(n, k, workPerElem int, body func(r int)) {
	b.parallelRange(n, 1, k*workPerElem, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			body(r)
		}
	})
}

// softmaxRow writes softmax(x) (or log-softmax) into y and returns log Σ exp(x - max) and
// max. Sums are kept in float64: rows are short (classes, candidate ops).
func softmaxRow(y, x []float32, logOut bool) (lse float64, mx float32) {
	mx = float32(math.Inf(-1))
	for _, v := range x {
		mx = max(mx, v)
	}
	var s float64
	for _, v := range x {
		s += math.Exp(float64(v - mx))
	}
	lse = math.Log(s)
	for i, v := range x {
		if logOut {
			y[i] = float32(float64(v-mx) - lse)
		} else {
			y[i] = float32(math.Exp(float64(v-mx)) / s)
		}
	}
	return lse, mx
}

func (b *Backend) softmax(out, in *tensor.Tensor, logOut bool) {
	n, k := rows(in)
	y, x := data(out), data(in)
	b.eachRow(n, k, 20, func(r int) { softmaxRow(y[r*k:(r+1)*k], x[r*k:(r+1)*k], logOut) })
}

func (b *Backend) softmaxBackward(out, dyT, yT *tensor.Tensor) {
	n, k := rows(yT)
	dx, dy, y := data(out), data(dyT), data(yT)
	b.eachRow(n, k, 4, func(r int) {
		dyr, yr, dxr := dy[r*k:(r+1)*k], y[r*k:(r+1)*k], dx[r*k:(r+1)*k]
		var s float64
		for i := range yr {
			s += float64(dyr[i]) * float64(yr[i])
		}
		for i := range yr {
			dxr[i] = float32(float64(yr[i]) * (float64(dyr[i]) - s))
		}
	})
}

func (b *Backend) logSoftmaxBackward(out, dyT, yT *tensor.Tensor) {
	n, k := rows(yT)
	dx, dy, y := data(out), data(dyT), data(yT)
	b.eachRow(n, k, 20, func(r int) {
		dyr, yr, dxr := dy[r*k:(r+1)*k], y[r*k:(r+1)*k], dx[r*k:(r+1)*k]
		var s float64
		for _, v := range dyr {
			s += float64(v)
		}
		for i := range yr {
			dxr[i] = float32(float64(dyr[i]) - math.Exp(float64(yr[i]))*s)
		}
	})
}

// sparsemax projects each row onto the simplex (Martins & Astudillo 2016, Algorithm 1):
// with z sorted in decreasing order, k = max{j : 1 + j z_(j) > Σ_{i<=j} z_(i)},
// τ = (Σ_{i<=k} z_(i) - 1)/k and y = max(z - τ, 0).
func (b *Backend) sparsemax(out, in *tensor.Tensor) {
	n, k := rows(in)
	y, x := data(out), data(in)
	b.eachRow(n, k, 20, func(r int) {
		xr, yr := x[r*k:(r+1)*k], y[r*k:(r+1)*k]
		z := make([]float64, k)
		for i, v := range xr {
			z[i] = float64(v)
		}
		slices.Sort(z)
		slices.Reverse(z)
		var cum, tauSum float64
		support := 0
		for j, v := range z {
			cum += v
			if 1+float64(j+1)*v > cum {
				support = j + 1
				tauSum = cum
			}
		}
		tau := (tauSum - 1) / float64(support)
		for i, v := range xr {
			yr[i] = float32(max(float64(v)-tau, 0))
		}
	})
}

func (b *Backend) sparsemaxBackward(out, dyT, yT *tensor.Tensor) {
	n, k := rows(yT)
	dx, dy, y := data(out), data(dyT), data(yT)
	b.eachRow(n, k, 3, func(r int) {
		dyr, yr, dxr := dy[r*k:(r+1)*k], y[r*k:(r+1)*k], dx[r*k:(r+1)*k]
		var s float64
		cnt := 0
		for i, v := range yr {
			if v > 0 {
				s += float64(dyr[i])
				cnt++
			}
		}
		mean := 0.0
		if cnt > 0 {
			mean = s / float64(cnt)
		}
		for i, v := range yr {
			if v > 0 {
				dxr[i] = float32(float64(dyr[i]) - mean)
			} else {
				dxr[i] = 0
			}
		}
	})
}

// crossEntropy writes the mean of -log softmax(logits)[label] and the probabilities. The
// per-row losses are added in row order.
func (b *Backend) crossEntropy(lossT, probsT, logitsT, labelsT *tensor.Tensor) {
	n, k := rows(logitsT)
	p, x, lab := data(probsT), data(logitsT), data(labelsT)
	var total float64
	for r := range n {
		xr := x[r*k : (r+1)*k]
		lse, mx := softmaxRow(p[r*k:(r+1)*k], xr, false)
		l := int(lab[r])
		total += lse - float64(xr[l]-mx)
	}
	data(lossT)[0] = float32(total / float64(n))
}

func (b *Backend) crossEntropyBackward(out, dlossT, probsT, labelsT *tensor.Tensor) {
	n, k := rows(probsT)
	dx, p, lab := data(out), data(probsT), data(labelsT)
	scale := data(dlossT)[0] / float32(n)
	for r := range n {
		l := int(lab[r])
		for i := range k {
			v := p[r*k+i]
			if i == l {
				v -= 1
			}
			dx[r*k+i] = scale * v
		}
	}
}

func (b *Backend) countCorrect(out, logitsT, labelsT *tensor.Tensor) {
	n, k := rows(logitsT)
	x, lab := data(logitsT), data(labelsT)
	correct := 0
	for r := range n {
		xr := x[r*k : (r+1)*k]
		best := 0
		for i, v := range xr {
			if v > xr[best] {
				best = i
			}
		}
		if best == int(lab[r]) {
			correct++
		}
	}
	data(out)[0] += float32(correct)
}
