//go:build !novulkan && cgo

package vk

import (
	"math"
	"testing"

	"godarts/tensor"
	"godarts/tensor/cpu"
)

// guarded returns a tensor of the given shape placed at element offset guard inside a
// buffer whose other elements are NaN, so a kernel writing out of bounds is caught.
const guard = 37

func guarded(dev tensor.Backend, shape ...int) *tensor.Tensor {
	s := tensor.Shape(shape)
	n := s.Numel()
	buf := dev.Alloc(n + 2*guard)
	nan := make([]float32, n+2*guard)
	for i := range nan {
		nan[i] = float32(math.NaN())
	}
	dev.Upload(buf, 0, nan)
	return &tensor.Tensor{Dev: dev, Buf: buf, Off: guard, Shape: s, Strides: s.ContiguousStrides()}
}

func checkGuards(t *testing.T, name string, x *tensor.Tensor) {
	t.Helper()
	all := make([]float32, x.Buf.Len())
	x.Dev.Download(all, x.Buf, 0)
	for i, v := range all {
		if (i < guard || i >= guard+x.Numel()) && !math.IsNaN(float64(v)) {
			t.Errorf("%s: guard element %d overwritten with %g", name, i, v)
			return
		}
	}
}

// TestGuards runs ops whose inputs and outputs sit at odd offsets between NaN guards:
// results must match the CPU and the guards stay NaN.
func TestGuards(t *testing.T) {
	b := device(t)
	split, err := open("vulkan", options{splitTarget: 1 << 16})
	if err != nil {
		t.Fatal(err)
	}
	defer split.Close()
	conv := tensor.Conv2DParams{Stride: 2, Pad: 1, Dilation: 1, Groups: 1}
	dw := tensor.Conv2DParams{Stride: 1, Pad: 2, Dilation: 2, Groups: 3}
	pool := tensor.Pool2DParams{Kind: tensor.MaxPool, K: 3, Stride: 2, Pad: 1}
	bn := tensor.BatchNormParams{Eps: 1e-5, Momentum: 0.1}
	cases := []struct {
		name   string
		op     tensor.Op
		in     [][]int
		out    [][]int
		inPlus func(in []*tensor.Tensor) []*tensor.Tensor
	}{
		{name: "scale", op: tensor.ScaleOp{A: 3}, in: [][]int{{5, 7}}, out: [][]int{{5, 7}}},
		{name: "conv2d", op: tensor.Conv2DOp{Conv2DParams: conv}, in: [][]int{{2, 3, 9, 9}, {5, 3, 3, 3}}, out: [][]int{{2, 5, 5, 5}}},
		{name: "conv2d_backward_filter", op: tensor.Conv2DBackwardFilterOp{Conv2DParams: conv}, in: [][]int{{2, 3, 9, 9}, {2, 5, 5, 5}}, out: [][]int{{5, 3, 3, 3}}},
		{name: "depthwise", op: tensor.Conv2DOp{Conv2DParams: dw}, in: [][]int{{2, 3, 7, 7}, {3, 1, 3, 3}}, out: [][]int{{2, 3, 7, 7}}},
		{name: "pool", op: tensor.Pool2DOp{Pool2DParams: pool}, in: [][]int{{2, 3, 7, 7}}, out: [][]int{{2, 3, 4, 4}}},
		{name: "matmul", op: tensor.MatMulOp{TransA: true}, in: [][]int{{300, 7}, {300, 5}}, out: [][]int{{7, 5}}},
		{name: "softmax", op: tensor.SoftmaxOp{}, in: [][]int{{3, 10}}, out: [][]int{{3, 10}}},
		{name: "sum", op: tensor.SumOp{A: 0.5}, in: [][]int{{5000}}, out: [][]int{{1}}},
		{name: "batch_norm_train", op: tensor.BatchNormTrainOp{BatchNormParams: bn}, in: [][]int{{2, 3, 40, 40}},
			out:    [][]int{{2, 3, 40, 40}, {3}, {3}},
			inPlus: func(in []*tensor.Tensor) []*tensor.Tensor { return append(in, nil, nil, nil, nil) }},
	}
	for _, dev := range []*Backend{b, split} {
		for _, c := range cases {
			var outs [2][]*tensor.Tensor
			for k, d := range []tensor.Backend{cpu.New(1), dev} {
				g := tensor.NewRNG(5)
				var in, out []*tensor.Tensor
				for _, s := range c.in {
					x := guarded(d, s...)
					x.Write(g.UniformSlice(x.Numel(), -1, 1))
					in = append(in, x)
				}
				for _, s := range c.out {
					out = append(out, guarded(d, s...))
				}
				if c.inPlus != nil {
					in = c.inPlus(in)
				}
				d.Run(c.op, out, in)
				outs[k] = out
			}
			for i := range outs[0] {
				if err := closeTo(outs[1][i].Read(), outs[0][i].Read(), 1e-4); err != nil {
					t.Errorf("%s (split %v) out[%d]: %v", c.name, dev.splitTarget > 1, i, err)
				}
				checkGuards(t, c.name, outs[1][i])
			}
		}
	}
	checkValidation(t, b)
}
