package cpu

import (
	"fmt"
	"testing"

	"godarts/internal/backendtest"
	"godarts/tensor"
)

// TestConformance runs the shared conformance table (every op against the float64
// reference, NaN guards, in-place forms) and the PyTorch reference vectors under every
// kernel implementation this machine has, with one and two threads.
func TestConformance(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		for _, threads := range []int{1, 2} {
			newBackend := func() tensor.Backend { return New(threads) }
			t.Run(fmt.Sprintf("threads%d", threads), func(t *testing.T) {
				t.Run("table", func(t *testing.T) { backendtest.Run(t, newBackend) })
				t.Run("golden", func(t *testing.T) { backendtest.RunGolden(t, newBackend) })
			})
		}
	})
}
