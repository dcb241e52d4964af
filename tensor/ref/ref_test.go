package ref_test

import (
	"testing"

	"godarts/internal/backendtest"
	"godarts/tensor"
	"godarts/tensor/ref"
)

// TestConformance runs the conformance table against ref itself: a smoke test of the
// harness and of ref's guards, offsets and in-place handling (results are trivially equal).
func TestConformance(t *testing.T) {
	backendtest.Run(t, func() tensor.Backend { return ref.New() })
}
