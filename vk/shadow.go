//go:build !novulkan && cgo

package vk

import (
	"fmt"
	"math"

	"godarts/tensor"
	"godarts/tensor/cpu"
)

// Shadow mode (GODARTS_VK_CHECK=1, ggml's GGML_VULKAN_CHECK_RESULTS, engine-anchors.md §1.1):
// every op also runs on the CPU backend on copies of its buffers, and the first op whose
// Vulkan result differs panics with a message naming it. It waits for the device after
// every op, so it is for debugging only.

// shadowTolerance bounds |vulkan - cpu| by atol + rtol*|cpu|: float32 kernels that sum in
// different orders differ by a few ulps per term.
const shadowAtol, shadowRtol = 1e-4, 1e-3

func newShadow() tensor.Backend { return cpu.New(1) }

// shadowInputs copies every buffer op touches to the CPU, keeping views and aliasing: the
// returned tensors are out then in, re-pointed at CPU buffers.
func (b *Backend) shadowInputs(out, in []*tensor.Tensor) []*tensor.Tensor {
	copies := map[tensor.Buffer]tensor.Buffer{}
	mirror := func(t *tensor.Tensor) *tensor.Tensor {
		if t == nil {
			return nil
		}
		cb, ok := copies[t.Buf]
		if !ok {
			data := make([]float32, t.Buf.Len())
			b.Download(data, t.Buf, 0)
			cb = b.shadow.Alloc(len(data))
			b.shadow.Upload(cb, 0, data)
			copies[t.Buf] = cb
		}
		return &tensor.Tensor{Dev: b.shadow, Buf: cb, Off: t.Off, Shape: t.Shape, Strides: t.Strides}
	}
	var all []*tensor.Tensor
	for _, t := range out {
		all = append(all, mirror(t))
	}
	for _, t := range in {
		all = append(all, mirror(t))
	}
	return all
}

func (b *Backend) shadowCheck(op tensor.Op, out, in, mirrors []*tensor.Tensor) {
	cout, cin := mirrors[:len(out)], mirrors[len(out):]
	b.shadow.Run(op, cout, cin)
	for i, t := range out {
		if t == nil {
			continue
		}
		got := t.Read()
		want := cout[i].Read()
		for j := range got {
			g, w := float64(got[j]), float64(want[j])
			if math.IsNaN(g) != math.IsNaN(w) || math.Abs(g-w) > shadowAtol+shadowRtol*math.Abs(w) {
				panic(fmt.Sprintf("GODARTS_VK_CHECK: op %s %+v: out[%d] (shape %v) element %d is %g on %s, %g on the CPU",
					op.OpName(), op, i, t.Shape, j, g, b.name, w))
			}
		}
	}
}
