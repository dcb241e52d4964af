package backendtest_test

import (
	"testing"

	"godarts/internal/backendtest"
	"godarts/tensor"
	"godarts/vk"
)

// TestVulkan runs the conformance table and the PyTorch vectors on the first Vulkan device
// (Mesa lavapipe in CI). It is skipped, saying why, where no Vulkan device opens.
func TestVulkan(t *testing.T) {
	dev, err := vk.Open("vulkan")
	if err != nil {
		t.Skipf("no Vulkan device: %v", err)
	}
	t.Logf("device %s", dev.Name())
	t.Run("conformance", func(t *testing.T) {
		backendtest.Run(t, func() tensor.Backend { return dev })
	})
	t.Run("golden", func(t *testing.T) {
		backendtest.RunGolden(t, func() tensor.Backend { return dev })
	})
}
