package cpu

import (
	"fmt"
	"math"
	"testing"

	"godarts/tensor"
)

// runAll runs a fixed sequence of ops on dev, large enough to be split over threads, and
// returns every output in order.
func runAll(dev tensor.Backend) [][]float32 {
	rng := tensor.NewRNG(99)
	var outs [][]float32
	keep := func(ts ...*tensor.Tensor) {
		for _, t := range ts {
			if t != nil {
				outs = append(outs, t.Read())
			}
		}
	}
	in := func(shape ...int) *tensor.Tensor {
		return tensor.FromSlice(dev, rng.UniformSlice(tensor.Shape(shape).Numel(), -1, 1), shape...)
	}
	x := in(8, 16, 16, 16)
	for _, p := range []tensor.Conv2DParams{
		{Stride: 1, Pad: 1, Dilation: 1, Groups: 1},
		{Stride: 1, Pad: 2, Dilation: 2, Groups: 16},
		{Stride: 2, Pad: 1, Dilation: 1, Groups: 16},
		{Stride: 1, Pad: 0, Dilation: 1, Groups: 1},
	} {
		k := 3
		if p.Pad == 0 {
			k = 1
		}
		w := in(16, 16/p.Groups, k, k)
		y := tensor.Conv2D(x, w, p)
		dy := in(y.Shape...)
		keep(y, tensor.Conv2DBackwardData(dy, w, x.Shape, p), tensor.Conv2DBackwardFilter(x, dy, w.Shape, p))
	}
	gamma, beta, rm, rv := in(16), in(16), in(16), in(16)
	y, mean, inv := tensor.BatchNormTrain(x, gamma, beta, rm, rv, tensor.BatchNormParams{Eps: 1e-5, Momentum: 0.1})
	dx, dg, db := tensor.BatchNormBackward(in(x.Shape...), x, mean, inv, gamma, tensor.BatchNormParams{Eps: 1e-5})
	keep(y, mean, inv, rm, rv, dx, dg, db)
	keep(tensor.Sum(x, 1), tensor.BiasBackward(x))
	acc := tensor.New(dev, 1)
	tensor.SumSquaresInto(acc, x)
	keep(acc)
	w := in(3)
	xs := []*tensor.Tensor{x, in(x.Shape...), in(x.Shape...)}
	keep(tensor.WeightedSum(w, xs))
	dw, _ := tensor.WeightedSumBackward(in(x.Shape...), w, xs, true, []bool{false, false, false})
	keep(dw)
	keep(tensor.MatMul(in(200, 70), in(70, 90), false, false))
	// Odd lengths: chunk boundaries must not move elements between the assembly blocks
	// and the Go tail loops.
	odd := in(100_003)
	tensor.AxpbyInto(odd, 0.5, odd, 1, in(100_003))
	keep(odd, tensor.WeightedSum(w, []*tensor.Tensor{odd, in(100_003), in(100_003)}))
	return outs
}

// TestThreadCountIndependence checks that every result is bit-identical for 1, 2 and 3
// threads.
func TestThreadCountIndependence(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		want := runAll(New(1))
		for _, threads := range []int{2, 3} {
			got := runAll(New(threads))
			for i := range want {
				for j := range want[i] {
					if math.Float32bits(got[i][j]) != math.Float32bits(want[i][j]) {
						t.Fatalf("%s: output %d element %d = %v, with 1 thread %v",
							fmt.Sprint(threads, " threads"), i, j, got[i][j], want[i][j])
					}
				}
			}
		}
	})
}
