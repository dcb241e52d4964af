//go:build !novulkan && cgo

package vk

import (
	"testing"

	"godarts/internal/backendtest"
	"godarts/tensor"
)

// TestConformance runs the shared conformance table (every op, edge shapes, NaN guards,
// in-place forms) and the PyTorch reference vectors on each memory and kernel path: unified
// memory with push descriptors, the discrete-GPU staging path, cached descriptor sets, and
// the GPU splitting of GEMMs, reductions and batch norm.
func TestConformance(t *testing.T) {
	base := device(t)
	variants := []struct {
		name string
		opt  options
	}{
		{"default", options{}},
		{"staging", options{forceStaging: true}},
		{"descriptor_sets", options{noPushDescriptors: true}},
		{"split", options{splitTarget: 1 << 16}},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			b := base
			if v.name != "default" {
				if v.opt.noPushDescriptors && syncValidation() {
					t.Skip("synchronisation validation sees whole-block bindings as hazards")
				}
				var err error
				if b, err = open("vulkan", v.opt); err != nil {
					t.Fatal(err)
				}
				defer b.Close()
			}
			dev := func() tensor.Backend { return b }
			t.Run("table", func(t *testing.T) { backendtest.Run(t, dev) })
			t.Run("golden", func(t *testing.T) { backendtest.RunGolden(t, dev) })
			checkValidation(t, b)
		})
	}
}
