package backendtest_test

import (
	"testing"

	"godarts/internal/backendtest"
	"godarts/tensor"
	"godarts/tensor/cpu"
	"godarts/tensor/ref"
)

// TestCPU runs the conformance table on the CPU backend with one and two threads.
func TestCPU(t *testing.T) {
	for _, threads := range []int{1, 2} {
		t.Run(map[int]string{1: "threads1", 2: "threads2"}[threads], func(t *testing.T) {
			backendtest.Run(t, func() tensor.Backend { return cpu.New(threads) })
		})
	}
}

// TestGoldenRef compares the reference backend with PyTorch.
func TestGoldenRef(t *testing.T) {
	backendtest.RunGolden(t, func() tensor.Backend { return ref.New() })
}

// TestGoldenCPU compares the CPU backend with PyTorch.
func TestGoldenCPU(t *testing.T) {
	backendtest.RunGolden(t, func() tensor.Backend { return cpu.New(2) })
}
