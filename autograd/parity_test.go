package autograd_test

import (
	"fmt"
	"math"
	"testing"

	"godarts/autograd"
	"godarts/tensor"
	"godarts/tensor/cpu"
	"godarts/tensor/ref"
)

// TestCPUGradientsMatchRef runs tape ops forward and backward on the CPU backend and on
// ref from the same float32 inputs and compares values and every input gradient (rtol
// 1e-4). The golden layer tests cover conv, batch norm, pools and linear against PyTorch;
// this covers the rest of the tape on the CPU kernels, including strided views.
func TestCPUGradientsMatchRef(t *testing.T) {
	type env struct {
		dev    tensor.Backend
		consts func(vals []float32, shape ...int) *tensor.Tensor
	}
	cases := []struct {
		name   string
		shapes [][]int
		f      func(tp *autograd.Tape, e env, in []*autograd.Var) *autograd.Var
	}{
		{"matmul ᵀaᵀb", [][]int{{5, 3}, {4, 5}}, func(tp *autograd.Tape, e env, in []*autograd.Var) *autograd.Var {
			return tp.MatMul(in[0], in[1], true, true)
		}},
		{"matmul ᵀa", [][]int{{5, 3}, {5, 4}}, func(tp *autograd.Tape, e env, in []*autograd.Var) *autograd.Var {
			return tp.MatMul(in[0], in[1], true, false)
		}},
		{"softmax, log_softmax, sigmoid", [][]int{{3, 7}}, func(tp *autograd.Tape, e env, in []*autograd.Var) *autograd.Var {
			return tp.Add(tp.Mul(tp.Softmax(in[0]), tp.Sigmoid(in[0])), tp.Scale(tp.LogSoftmax(in[0]), 0.3))
		}},
		{"sparsemax", [][]int{{4, 6}}, func(tp *autograd.Tape, e env, in []*autograd.Var) *autograd.Var {
			return tp.Mul(tp.Sparsemax(tp.Scale(in[0], 3)), in[0])
		}},
		{"cross_entropy", [][]int{{3, 5}}, func(tp *autograd.Tape, e env, in []*autograd.Var) *autograd.Var {
			return tp.CrossEntropy(in[0], e.consts([]float32{4, 0, 2}, 3))
		}},
		{"weighted_sum of a softmax row", [][]int{{2, 3}, {2, 3, 3, 3}, {2, 3, 3, 3}, {2, 3, 3, 3}}, func(tp *autograd.Tape, e env, in []*autograd.Var) *autograd.Var {
			return tp.WeightedSum(tp.Reshape(tp.Narrow(tp.Softmax(in[0]), 0, 1, 1), 3), in[1:])
		}},
		{"concat and narrow of strided views", [][]int{{2, 5, 4, 4}}, func(tp *autograd.Tape, e env, in []*autograd.Var) *autograd.Var {
			sp := tp.Narrow(tp.Narrow(in[0], 2, 1, 3), 3, 0, 3) // [2,5,3,3], strided
			c := tp.ConcatChannels(tp.Narrow(sp, 1, 3, 2), tp.Narrow(sp, 1, 0, 3))
			return tp.Mul(c, c)
		}},
		{"scale_rows, add_scalar, mean, global_avg_pool", [][]int{{3, 2, 3, 3}}, func(tp *autograd.Tape, e env, in []*autograd.Var) *autograd.Var {
			y := tp.ScaleRows(tp.AddScalar(in[0], 0.5), e.consts([]float32{1.25, 0, 1.25}, 3))
			return tp.Add(tp.Mean(tp.Mul(y, y)), tp.Sum(tp.GlobalAvgPool(y), 0.1))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := tensor.NewRNG(21)
			data := make([][]float32, len(c.shapes))
			for i, s := range c.shapes {
				data[i] = g.UniformSlice(tensor.Shape(s).Numel(), -1, 1)
			}
			run := func(dev tensor.Backend) (y []float32, grads [][]float32) {
				e := env{dev, func(v []float32, shape ...int) *tensor.Tensor { return tensor.FromSlice(dev, v, shape...) }}
				in := make([]*autograd.Var, len(data))
				for i := range data {
					in[i] = autograd.Param(tensor.FromSlice(dev, data[i], c.shapes[i]...))
				}
				tp := autograd.NewTape()
				out := c.f(tp, e, in)
				r := make([]float32, out.Value.Numel())
				for i := range r {
					r[i] = float32(math.Sin(float64(i+1))) + 0.1
				}
				loss := tp.Sum(tp.Mul(out, autograd.Const(tensor.FromSlice(dev, r, out.Value.Shape...))), 1)
				y = out.Value.Contiguous().Read()
				tp.Backward(loss)
				for _, v := range in {
					grads = append(grads, v.Grad.Read())
				}
				tp.Release()
				return y, grads
			}
			wantY, wantG := run(ref.New())
			gotY, gotG := run(cpu.New(2))
			closeTo(t, "output", gotY, wantY)
			for i := range wantG {
				closeTo(t, fmt.Sprintf("gradient of input %d", i), gotG[i], wantG[i])
			}
		})
	}
}

func closeTo(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d elements, want %d", what, len(got), len(want))
	}
	scale := 0.0
	for _, w := range want {
		scale = math.Max(scale, math.Abs(float64(w)))
	}
	for i := range want {
		if d := math.Abs(float64(got[i] - want[i])); d > 1e-4*math.Max(scale, 1e-3) {
			t.Fatalf("%s element %d: cpu %v, ref %v", what, i, got[i], want[i])
		}
	}
}
