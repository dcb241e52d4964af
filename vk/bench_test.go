//go:build !novulkan && cgo

package vk

import (
	"testing"

	"godarts/tensor"
)

// BenchmarkRecordDispatch measures the host cost of recording one small elementwise op
// (shape check, hazard check, one cgo call); the device runs behind it.
func BenchmarkRecordDispatch(bm *testing.B) {
	b := device(bm)
	xs := make([]*tensor.Tensor, 16)
	for i := range xs {
		xs[i] = tensor.Full(b, 1, 64)
	}
	b.Sync()
	bm.ResetTimer()
	for i := 0; i < bm.N; i++ {
		tensor.ScaleInto(xs[i%len(xs)], 1)
	}
	bm.StopTimer()
	b.Sync()
}

// BenchmarkSmallCNNStep is one training step of the small CNN of TestSteadyState.
func BenchmarkSmallCNNStep(bm *testing.B) {
	b := device(bm)
	m := newSmallCNN(b, 1)
	m.trainStep().Free()
	b.Sync()
	bm.ResetTimer()
	for i := 0; i < bm.N; i++ {
		m.trainStep().Free()
	}
	b.Sync()
}

// BenchmarkConv times the convolutions of the small DARTS search (batch 32, 28×28, 8
// channels): a pointwise convolution, a 3×3 depthwise one, and their gradients.
func BenchmarkConv(bm *testing.B) {
	b := device(bm)
	g := tensor.NewRNG(1)
	pw := tensor.Conv2DParams{Stride: 1, Pad: 0, Dilation: 1, Groups: 1}
	dw := tensor.Conv2DParams{Stride: 1, Pad: 1, Dilation: 1, Groups: 8}
	dw2 := tensor.Conv2DParams{Stride: 2, Pad: 2, Dilation: 1, Groups: 8}
	x, dy2 := rnd(b, g, 32, 8, 28, 28), rnd(b, g, 32, 8, 14, 14)
	wp, wd, wd5 := rnd(b, g, 8, 8, 1, 1), rnd(b, g, 8, 1, 3, 3), rnd(b, g, 8, 1, 5, 5)
	for _, c := range []struct {
		name string
		run  func() *tensor.Tensor
	}{
		{"pointwise", func() *tensor.Tensor { return tensor.Conv2D(x, wp, pw) }},
		{"pointwise_data", func() *tensor.Tensor { return tensor.Conv2DBackwardData(x, wp, x.Shape, pw) }},
		{"pointwise_filter", func() *tensor.Tensor { return tensor.Conv2DBackwardFilter(x, x, wp.Shape, pw) }},
		{"depthwise", func() *tensor.Tensor { return tensor.Conv2D(x, wd, dw) }},
		{"depthwise_data", func() *tensor.Tensor { return tensor.Conv2DBackwardData(x, wd, x.Shape, dw) }},
		{"depthwise_filter", func() *tensor.Tensor { return tensor.Conv2DBackwardFilter(x, x, wd.Shape, dw) }},
		{"depthwise_5x5_s2_data", func() *tensor.Tensor { return tensor.Conv2DBackwardData(dy2, wd5, x.Shape, dw2) }},
	} {
		bm.Run(c.name, func(bm *testing.B) {
			c.run().Free()
			b.Sync()
			bm.ResetTimer()
			for i := 0; i < bm.N; i++ {
				c.run().Free()
			}
			b.Sync()
		})
	}
}
