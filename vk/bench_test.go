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
