package cpu

import (
	"fmt"
	"testing"

	"godarts/tensor"
)

// BenchmarkSepConvStep runs the forward and backward ops of one DARTS sep_conv_3x3
// (ReLU, depthwise 3x3, 1x1, BN, twice; nas-algorithms.md §1.1) at the small and paper
// search configurations (first cells; paper-8x8: the last cells, 64 channels on 8x8
// maps), the op mix that dominates a search step. It reports
// milliseconds per forward+backward.
func BenchmarkSepConvStep(b *testing.B) {
	for _, cfg := range []struct {
		name     string
		n, c, hw int
	}{{"small", 32, 8, 28}, {"paper", 64, 16, 32}, {"paper-8x8", 64, 64, 8}} {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", cfg.name, threads), func(b *testing.B) {
				dev := New(threads)
				rng := tensor.NewRNG(1)
				in := func(shape ...int) *tensor.Tensor {
					return tensor.FromSlice(dev, rng.UniformSlice(tensor.Shape(shape).Numel(), -1, 1), shape...)
				}
				x := in(cfg.n, cfg.c, cfg.hw, cfg.hw)
				dwP := tensor.Conv2DParams{Stride: 1, Pad: 1, Dilation: 1, Groups: cfg.c}
				pwP := tensor.Conv2DParams{Stride: 1, Pad: 0, Dilation: 1, Groups: 1}
				bn := tensor.BatchNormParams{Eps: 1e-5, Momentum: 0.1}
				dw1, pw1, dw2, pw2 := in(cfg.c, 1, 3, 3), in(cfg.c, cfg.c, 1, 1), in(cfg.c, 1, 3, 3), in(cfg.c, cfg.c, 1, 1)
				step := func() {
					r1 := tensor.Unary(tensor.ReLUOp{}, x)
					a1 := tensor.Conv2D(r1, dw1, dwP)
					b1 := tensor.Conv2D(a1, pw1, pwP)
					y1, m1, s1 := tensor.BatchNormTrain(b1, nil, nil, nil, nil, bn)
					r2 := tensor.Unary(tensor.ReLUOp{}, y1)
					a2 := tensor.Conv2D(r2, dw2, dwP)
					b2 := tensor.Conv2D(a2, pw2, pwP)
					y2, m2, s2 := tensor.BatchNormTrain(b2, nil, nil, nil, nil, bn)
					g := y2
					g, _, _ = tensor.BatchNormBackward(g, b2, m2, s2, nil, bn)
					tensor.Conv2DBackwardFilter(a2, g, pw2.Shape, pwP)
					g = tensor.Conv2DBackwardData(g, pw2, a2.Shape, pwP)
					tensor.Conv2DBackwardFilter(r2, g, dw2.Shape, dwP)
					g = tensor.Conv2DBackwardData(g, dw2, r2.Shape, dwP)
					g = tensor.Binary(tensor.ReLUBackwardOp{}, g, y1)
					g, _, _ = tensor.BatchNormBackward(g, b1, m1, s1, nil, bn)
					tensor.Conv2DBackwardFilter(a1, g, pw1.Shape, pwP)
					g = tensor.Conv2DBackwardData(g, pw1, a1.Shape, pwP)
					tensor.Conv2DBackwardFilter(r1, g, dw1.Shape, dwP)
					g = tensor.Conv2DBackwardData(g, dw1, r1.Shape, dwP)
					tensor.Binary(tensor.ReLUBackwardOp{}, g, x)
				}
				step()
				b.ResetTimer()
				for b.Loop() {
					step()
				}
				b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N), "ms/step")
			})
		}
	}
}
