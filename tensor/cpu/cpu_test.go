package cpu

import (
	"fmt"
	"math"
	"testing"

	"godarts/tensor"
)

const guard = 5 // NaN elements on each side of every output

// guarded returns a tensor of the given shape that sits inside a larger buffer whose
// other elements are NaN, to catch writes outside the tensor and a missed offset.
func guarded(dev tensor.Backend, shape ...int) *tensor.Tensor {
	s := tensor.Shape(shape)
	buf := dev.Alloc(s.Numel() + 2*guard)
	d := bufData(buf)
	for i := range d {
		d[i] = float32(math.NaN())
	}
	return &tensor.Tensor{Dev: dev, Buf: buf, Off: guard, Shape: s, Strides: s.ContiguousStrides()}
}

func checkGuards(t *testing.T, name string, x *tensor.Tensor) {
	t.Helper()
	d := bufData(x.Buf)
	for i, v := range d {
		if (i < x.Off || i >= x.Off+x.Numel()) && !math.IsNaN(float64(v)) {
			t.Errorf("%s: guard element %d overwritten with %v", name, i, v)
			return
		}
	}
}

// input returns a guarded tensor filled with seeded uniform values in [-1, 1).
func input(dev tensor.Backend, rng *tensor.RNG, shape ...int) *tensor.Tensor {
	x := guarded(dev, shape...)
	x.Write(rng.UniformSlice(x.Numel(), -1, 1))
	return x
}

func closeTo(t *testing.T, name string, got []float32, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", name, len(got), len(want))
	}
	for i := range got {
		g, w := float64(got[i]), want[i]
		if math.IsNaN(g) || math.Abs(g-w) > tol*(1+math.Abs(w)) {
			t.Errorf("%s: element %d = %v, want %v (tol %g)", name, i, g, w, tol)
			return
		}
	}
}

func run(dev tensor.Backend, op tensor.Op, out []*tensor.Tensor, in ...*tensor.Tensor) {
	dev.Run(op, out, in)
}

var convCases = []convShapes{
	{2, 3, 7, 7, 4, 3, tensor.Conv2DParams{Stride: 1, Pad: 1, Dilation: 1, Groups: 1}},
	{3, 5, 17, 9, 6, 3, tensor.Conv2DParams{Stride: 2, Pad: 1, Dilation: 1, Groups: 1}},
	{1, 4, 8, 8, 5, 1, tensor.Conv2DParams{Stride: 1, Pad: 0, Dilation: 1, Groups: 1}},
	{2, 6, 9, 8, 3, 1, tensor.Conv2DParams{Stride: 2, Pad: 0, Dilation: 1, Groups: 1}},
	{2, 3, 11, 10, 4, 3, tensor.Conv2DParams{Stride: 1, Pad: 2, Dilation: 2, Groups: 1}},
	{2, 4, 9, 9, 6, 3, tensor.Conv2DParams{Stride: 1, Pad: 1, Dilation: 1, Groups: 2}},
	{3, 5, 7, 7, 5, 3, tensor.Conv2DParams{Stride: 1, Pad: 1, Dilation: 1, Groups: 5}},
	{2, 3, 17, 13, 3, 3, tensor.Conv2DParams{Stride: 2, Pad: 1, Dilation: 1, Groups: 3}},
	{2, 3, 9, 10, 3, 5, tensor.Conv2DParams{Stride: 1, Pad: 4, Dilation: 2, Groups: 3}},
	{1, 2, 8, 7, 2, 5, tensor.Conv2DParams{Stride: 2, Pad: 2, Dilation: 1, Groups: 2}},
	{2, 3, 3, 3, 3, 3, tensor.Conv2DParams{Stride: 1, Pad: 2, Dilation: 2, Groups: 3}},
	{1, 2, 1, 1, 3, 1, tensor.Conv2DParams{Stride: 1, Pad: 0, Dilation: 1, Groups: 1}},
	{1, 2, 4, 5, 2, 1, tensor.Conv2DParams{Stride: 1, Pad: 1, Dilation: 1, Groups: 2}},
	{2, 3, 6, 7, 3, 3, tensor.Conv2DParams{Stride: 1, Pad: 0, Dilation: 1, Groups: 3}},
	{1, 8, 33, 33, 8, 5, tensor.Conv2DParams{Stride: 2, Pad: 4, Dilation: 2, Groups: 8}},
	{2, 4, 5, 6, 4, 2, tensor.Conv2DParams{Stride: 1, Pad: 1, Dilation: 1, Groups: 4}},
	// Depthwise stride 2 on rows of 16 and more (the vector deinterleave), odd and even
	// padding, odd and even widths.
	{2, 4, 19, 18, 4, 3, tensor.Conv2DParams{Stride: 2, Pad: 1, Dilation: 1, Groups: 4}},
	{2, 3, 32, 33, 3, 5, tensor.Conv2DParams{Stride: 2, Pad: 2, Dilation: 1, Groups: 3}},
	{1, 2, 16, 17, 2, 3, tensor.Conv2DParams{Stride: 2, Pad: 2, Dilation: 2, Groups: 2}},
	{2, 2, 15, 32, 2, 5, tensor.Conv2DParams{Stride: 2, Pad: 2, Dilation: 1, Groups: 2}},
	{3, 2, 24, 24, 2, 3, tensor.Conv2DParams{Stride: 2, Pad: 2, Dilation: 2, Groups: 2}},
	// Depthwise on small maps and many samples (several planes per kernel call).
	{9, 4, 8, 8, 4, 3, tensor.Conv2DParams{Stride: 1, Pad: 1, Dilation: 1, Groups: 4}},
	{11, 3, 4, 5, 3, 5, tensor.Conv2DParams{Stride: 1, Pad: 4, Dilation: 2, Groups: 3}},
	{13, 2, 8, 8, 2, 3, tensor.Conv2DParams{Stride: 2, Pad: 1, Dilation: 1, Groups: 2}},
	{7, 2, 9, 8, 2, 5, tensor.Conv2DParams{Stride: 2, Pad: 4, Dilation: 2, Groups: 2}},
	{33, 2, 2, 2, 2, 3, tensor.Conv2DParams{Stride: 1, Pad: 1, Dilation: 1, Groups: 2}},
	// Several stacks per channel, the last one partial (dwStack: 6 and 25 planes).
	{37, 2, 16, 16, 2, 3, tensor.Conv2DParams{Stride: 1, Pad: 1, Dilation: 1, Groups: 2}},
	{29, 2, 16, 16, 2, 3, tensor.Conv2DParams{Stride: 2, Pad: 1, Dilation: 1, Groups: 2}},
}

func TestConv2D(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		for _, threads := range []int{1, 2} {
			dev := New(threads)
			for _, s := range convCases {
				name := fmt.Sprintf("threads%d/%+v", threads, s)
				rng := tensor.NewRNG(7)
				oh, ow := s.out()
				x := input(dev, rng, s.n, s.cin, s.h, s.w)
				w := input(dev, rng, s.cout, s.cin/s.p.Groups, s.k, s.k)
				dy := input(dev, rng, s.n, s.cout, oh, ow)
				xs, ws, dys := to64(x.Read()), to64(w.Read()), to64(dy.Read())
				wantY := make([]float64, len(dys))
				wantDX := make([]float64, len(xs))
				wantDW := make([]float64, len(ws))
				naiveConv(s, func(yi, xi, wi int) {
					wantY[yi] += xs[xi] * ws[wi]
					wantDX[xi] += dys[yi] * ws[wi]
					wantDW[wi] += dys[yi] * xs[xi]
				})
				y := guarded(dev, s.n, s.cout, oh, ow)
				run(dev, tensor.Conv2DOp{Conv2DParams: s.p}, []*tensor.Tensor{y}, x, w)
				closeTo(t, name+" forward", y.Read(), wantY, 1e-5)
				checkGuards(t, name+" forward", y)
				dx := guarded(dev, s.n, s.cin, s.h, s.w)
				run(dev, tensor.Conv2DBackwardDataOp{Conv2DParams: s.p}, []*tensor.Tensor{dx}, dy, w)
				closeTo(t, name+" backward data", dx.Read(), wantDX, 1e-5)
				checkGuards(t, name+" backward data", dx)
				dw := guarded(dev, s.cout, s.cin/s.p.Groups, s.k, s.k)
				run(dev, tensor.Conv2DBackwardFilterOp{Conv2DParams: s.p}, []*tensor.Tensor{dw}, x, dy)
				closeTo(t, name+" backward filter", dw.Read(), wantDW, 1e-5)
				checkGuards(t, name+" backward filter", dw)
			}
		}
	})
}

func TestPool2D(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		cases := []struct {
			n, c, h, w int
			p          tensor.Pool2DParams
		}{
			{2, 3, 7, 7, tensor.Pool2DParams{Kind: tensor.MaxPool, K: 3, Stride: 1, Pad: 1}},
			{2, 3, 7, 7, tensor.Pool2DParams{Kind: tensor.AvgPool, K: 3, Stride: 1, Pad: 1}},
			{1, 2, 8, 9, tensor.Pool2DParams{Kind: tensor.MaxPool, K: 3, Stride: 2, Pad: 1}},
			{3, 1, 17, 6, tensor.Pool2DParams{Kind: tensor.AvgPool, K: 3, Stride: 2, Pad: 1}},
			{1, 1, 1, 1, tensor.Pool2DParams{Kind: tensor.AvgPool, K: 3, Stride: 1, Pad: 1}},
			{1, 2, 6, 6, tensor.Pool2DParams{Kind: tensor.MaxPool, K: 2, Stride: 2, Pad: 0}},
			{2, 2, 9, 7, tensor.Pool2DParams{Kind: tensor.AvgPool, K: 5, Stride: 1, Pad: 2}},
			{1, 3, 33, 33, tensor.Pool2DParams{Kind: tensor.MaxPool, K: 3, Stride: 2, Pad: 1}},
			{2, 2, 32, 18, tensor.Pool2DParams{Kind: tensor.AvgPool, K: 3, Stride: 2, Pad: 1}},
			{9, 2, 8, 8, tensor.Pool2DParams{Kind: tensor.MaxPool, K: 3, Stride: 1, Pad: 1}},
			{3, 2, 16, 16, tensor.Pool2DParams{Kind: tensor.MaxPool, K: 3, Stride: 2, Pad: 1}},
			{9, 2, 8, 8, tensor.Pool2DParams{Kind: tensor.AvgPool, K: 3, Stride: 2, Pad: 1}},
		}
		dev := New(2)
		for _, tc := range cases {
			name := fmt.Sprintf("%+v", tc)
			rng := tensor.NewRNG(3)
			x := input(dev, rng, tc.n, tc.c, tc.h, tc.w)
			xs := to64(x.Read())
			want, arg := naivePool(xs, tc.n, tc.c, tc.h, tc.w, tc.p)
			os := tensor.Pool2DOutShape(x.Shape, tc.p)
			y := guarded(dev, os...)
			run(dev, tensor.Pool2DOp{Pool2DParams: tc.p}, []*tensor.Tensor{y}, x)
			closeTo(t, name+" forward", y.Read(), want, 1e-6)
			checkGuards(t, name, y)

			dy := input(dev, rng, os...)
			dys := to64(dy.Read())
			wantDX := make([]float64, len(xs))
			if tc.p.Kind == tensor.MaxPool {
				for o, xi := range arg {
					wantDX[xi] += dys[o]
				}
			} else {
				// The adjoint of the average: distribute by finite differences of the
				// linear map, one unit input at a time.
				for i := range xs {
					e := make([]float64, len(xs))
					e[i] = 1
					col, _ := naivePool(e, tc.n, tc.c, tc.h, tc.w, tc.p)
					for o, v := range col {
						wantDX[i] += v * dys[o]
					}
				}
			}
			dx := guarded(dev, x.Shape...)
			run(dev, tensor.Pool2DBackwardOp{Pool2DParams: tc.p}, []*tensor.Tensor{dx}, dy, x)
			closeTo(t, name+" backward", dx.Read(), wantDX, 1e-6)
			checkGuards(t, name+" backward", dx)
		}
	})
}

func TestBatchNorm(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		dev := New(2)
		for _, affine := range []bool{true, false} {
			for _, sh := range [][4]int{{3, 5, 7, 7}, {1, 3, 1, 1}, {2, 2, 17, 3}, {2, 3, 17, 9}} {
				name := fmt.Sprintf("affine=%v %v", affine, sh)
				n, c, h, w := sh[0], sh[1], sh[2], sh[3]
				rng := tensor.NewRNG(11)
				x := input(dev, rng, n, c, h, w)
				// Shift the data far from zero: a one-pass variance would lose digits.
				tensor.AddScalar(x, 0) // exercise the op path
				run(dev, tensor.AddScalarOp{A: 100}, []*tensor.Tensor{x}, x)
				var gamma, beta *tensor.Tensor
				if affine {
					gamma, beta = input(dev, rng, c), input(dev, rng, c)
				}
				rm, rv := input(dev, rng, c), input(dev, rng, c)
				rm0, rv0 := to64(rm.Read()), to64(rv.Read())
				dy := input(dev, rng, n, c, h, w)
				xs, dys := to64(x.Read()), to64(dy.Read())
				m := float64(n * h * w)
				wantY := make([]float64, len(xs))
				wantDX := make([]float64, len(xs))
				wantMean, wantInv := make([]float64, c), make([]float64, c)
				wantRM, wantRV := make([]float64, c), make([]float64, c)
				wantDG, wantDB := make([]float64, c), make([]float64, c)
				idx := func(i, ch, j int) int { return (i*c+ch)*h*w + j }
				for ch := range c {
					var s, ss float64
					for i := range n {
						for j := range h * w {
							s += xs[idx(i, ch, j)]
						}
					}
					mean := s / m
					for i := range n {
						for j := range h * w {
							d := xs[idx(i, ch, j)] - mean
							ss += d * d
						}
					}
					inv := 1 / math.Sqrt(ss/m+1e-5)
					g, bb := 1.0, 0.0
					if affine {
						g, bb = float64(gamma.Read()[ch]), float64(beta.Read()[ch])
					}
					var sdy, sdyx float64
					for i := range n {
						for j := range h * w {
							k := idx(i, ch, j)
							xh := (xs[k] - mean) * inv
							wantY[k] = g*xh + bb
							sdy += dys[k]
							sdyx += dys[k] * xh
						}
					}
					for i := range n {
						for j := range h * w {
							k := idx(i, ch, j)
							xh := (xs[k] - mean) * inv
							wantDX[k] = g * inv * (dys[k] - sdy/m - xh*sdyx/m)
						}
					}
					wantMean[ch], wantInv[ch] = mean, inv
					unb := ss / m
					if m > 1 {
						unb = ss / (m - 1)
					}
					wantRM[ch] = 0.9*rm0[ch] + 0.1*mean
					wantRV[ch] = 0.9*rv0[ch] + 0.1*unb
					wantDG[ch], wantDB[ch] = sdyx, sdy
				}
				p := tensor.BatchNormParams{Eps: 1e-5, Momentum: 0.1}
				y, mean, inv := guarded(dev, n, c, h, w), guarded(dev, c), guarded(dev, c)
				run(dev, tensor.BatchNormTrainOp{BatchNormParams: p}, []*tensor.Tensor{y, mean, inv}, x, gamma, beta, rm, rv)
				closeTo(t, name+" y", y.Read(), wantY, 2e-3) // x ~ 100: float32 input rounding
				closeTo(t, name+" mean", mean.Read(), wantMean, 1e-6)
				closeTo(t, name+" invstd", inv.Read(), wantInv, 1e-3)
				closeTo(t, name+" running mean", rm.Read(), wantRM, 1e-6)
				closeTo(t, name+" running var", rv.Read(), wantRV, 1e-4)
				checkGuards(t, name+" y", y)
				dx := guarded(dev, n, c, h, w)
				var dg, db *tensor.Tensor
				if affine {
					dg, db = guarded(dev, c), guarded(dev, c)
				}
				run(dev, tensor.BatchNormBackwardOp{BatchNormParams: p}, []*tensor.Tensor{dx, dg, db}, dy, x, mean, inv, gamma)
				closeTo(t, name+" dx", dx.Read(), wantDX, 2e-3)
				if affine {
					closeTo(t, name+" dgamma", dg.Read(), wantDG, 1e-3)
					closeTo(t, name+" dbeta", db.Read(), wantDB, 1e-5)
				}
				ye := guarded(dev, n, c, h, w)
				run(dev, tensor.BatchNormEvalOp{BatchNormParams: p}, []*tensor.Tensor{ye}, x, gamma, beta, rm, rv)
				wantE := make([]float64, len(xs))
				rmv, rvv := to64(rm.Read()), to64(rv.Read())
				for i := range xs {
					ch := (i / (h * w)) % c
					g, bb := 1.0, 0.0
					if affine {
						g, bb = float64(gamma.Read()[ch]), float64(beta.Read()[ch])
					}
					wantE[i] = g*(xs[i]-rmv[ch])/math.Sqrt(math.Abs(rvv[ch])+1e-5) + bb
				}
				if allPositive(rvv) {
					closeTo(t, name+" eval", ye.Read(), wantE, 1e-4)
				}
			}
		}
	})
}

func allPositive(x []float64) bool {
	for _, v := range x {
		if v <= 0 {
			return false
		}
	}
	return true
}
