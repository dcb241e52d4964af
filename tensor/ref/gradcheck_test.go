package ref_test

import (
	"fmt"
	"math"
	"testing"

	"godarts/tensor"
	"godarts/tensor/ref"
)

// fdCase pairs a forward op with its backward rule. forward maps the inputs to one output;
// backward maps the inputs and dy to one gradient per input (nil: not differentiated).
type fdCase struct {
	name     string
	in       []*tensor.Tensor
	forward  func(in []*tensor.Tensor) *tensor.Tensor
	backward func(in []*tensor.Tensor, dy *tensor.Tensor) []*tensor.Tensor
}

// randTensor draws a float64 ref tensor uniform in [lo, hi).
func randTensor(g *tensor.RNG, lo, hi float64, shape ...int) *tensor.Tensor {
	d := make([]float64, tensor.Shape(shape).Numel())
	for i := range d {
		d[i] = g.Uniform(lo, hi)
	}
	return ref.FromFloat64(d, shape...)
}

// checkGradients compares the analytic gradient of L(x) = Σ r·forward(x), r random, with
// central differences (L(x+h) − L(x−h))/2h of every input element, in float64.
func checkGradients(t *testing.T, c fdCase) {
	t.Helper()
	g := tensor.NewRNG(7)
	y := c.forward(c.in)
	r := randTensor(g, -1, 1, y.Shape...)
	loss := func() float64 {
		s := 0.0
		for i, v := range ref.Data(c.forward(c.in)) {
			s += v * ref.Data(r)[i]
		}
		return s
	}
	grads := c.backward(c.in, r)
	const h = 1e-6
	for k, gk := range grads {
		if gk == nil {
			continue
		}
		x, ana := ref.Data(c.in[k]), ref.Data(gk)
		scale := 1.0
		for _, v := range ana {
			scale = math.Max(scale, math.Abs(v))
		}
		bad := 0
		for j := range x {
			old := x[j]
			x[j] = old + h
			up := loss()
			x[j] = old - h
			down := loss()
			x[j] = old
			num := (up - down) / (2 * h)
			if math.Abs(num-ana[j]) > 1e-6*scale {
				if bad < 5 {
					t.Errorf("%s: d/d in[%d][%d]: analytic %.10g, finite difference %.10g", c.name, k, j, ana[j], num)
				}
				bad++
			}
		}
	}
}

func TestBackwardByFiniteDifferences(t *testing.T) {
	g := tensor.NewRNG(1)
	var cases []fdCase

	for _, cv := range []struct {
		x, w []int
		p    tensor.Conv2DParams
	}{
		{[]int{2, 3, 5, 5}, []int{4, 3, 3, 3}, tensor.Conv2DParams{Stride: 1, Pad: 1, Dilation: 1, Groups: 1}},
		{[]int{1, 3, 7, 6}, []int{2, 3, 3, 3}, tensor.Conv2DParams{Stride: 2, Pad: 1, Dilation: 1, Groups: 1}},
		{[]int{2, 2, 7, 7}, []int{3, 2, 3, 3}, tensor.Conv2DParams{Stride: 1, Pad: 2, Dilation: 2, Groups: 1}},
		{[]int{1, 4, 5, 5}, []int{4, 1, 5, 5}, tensor.Conv2DParams{Stride: 2, Pad: 2, Dilation: 1, Groups: 4}},
		{[]int{1, 4, 4, 4}, []int{6, 2, 1, 1}, tensor.Conv2DParams{Stride: 1, Pad: 0, Dilation: 1, Groups: 2}},
		{[]int{2, 4, 9, 8}, []int{6, 2, 3, 3}, tensor.Conv2DParams{Stride: 2, Pad: 2, Dilation: 2, Groups: 2}},
	} {
		p := cv.p
		cases = append(cases, fdCase{
			name: fmt.Sprintf("conv2d x%v w%v %+v", cv.x, cv.w, p),
			in:   []*tensor.Tensor{randTensor(g, -1, 1, cv.x...), randTensor(g, -1, 1, cv.w...)},
			forward: func(in []*tensor.Tensor) *tensor.Tensor {
				return tensor.Conv2D(in[0], in[1], p)
			},
			backward: func(in []*tensor.Tensor, dy *tensor.Tensor) []*tensor.Tensor {
				return []*tensor.Tensor{
					tensor.Conv2DBackwardData(dy, in[1], in[0].Shape, p),
					tensor.Conv2DBackwardFilter(in[0], dy, in[1].Shape, p),
				}
			},
		})
	}

	// MatMul: the gradients of every transpose variant are themselves matmuls.
	for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
		ta, tb := tr[0], tr[1]
		m, k, n := 3, 4, 5
		a, b := []int{m, k}, []int{k, n}
		if ta {
			a = []int{k, m}
		}
		if tb {
			b = []int{n, k}
		}
		cases = append(cases, fdCase{
			name: fmt.Sprintf("matmul ta=%v tb=%v", ta, tb),
			in:   []*tensor.Tensor{randTensor(g, -1, 1, a...), randTensor(g, -1, 1, b...)},
			forward: func(in []*tensor.Tensor) *tensor.Tensor {
				return tensor.MatMul(in[0], in[1], ta, tb)
			},
			backward: func(in []*tensor.Tensor, dc *tensor.Tensor) []*tensor.Tensor {
				A, B := in[0], in[1]
				switch {
				case !ta && !tb:
					return []*tensor.Tensor{tensor.MatMul(dc, B, false, true), tensor.MatMul(A, dc, true, false)}
				case ta && !tb:
					return []*tensor.Tensor{tensor.MatMul(B, dc, false, true), tensor.MatMul(A, dc, false, false)}
				case !ta && tb:
					return []*tensor.Tensor{tensor.MatMul(dc, B, false, false), tensor.MatMul(dc, A, true, false)}
				default:
					return []*tensor.Tensor{tensor.MatMul(B, dc, true, true), tensor.MatMul(dc, A, true, true)}
				}
			},
		})
	}

	elementwise := func(name string, x *tensor.Tensor, fwd tensor.Op, bwd tensor.Op, fromOutput bool) fdCase {
		return fdCase{
			name: name, in: []*tensor.Tensor{x},
			forward: func(in []*tensor.Tensor) *tensor.Tensor { return tensor.Unary(fwd, in[0]) },
			backward: func(in []*tensor.Tensor, dy *tensor.Tensor) []*tensor.Tensor {
				arg := in[0]
				if fromOutput {
					arg = tensor.Unary(fwd, in[0])
				}
				return []*tensor.Tensor{tensor.Binary(bwd, dy, arg)}
			},
		}
	}
	cases = append(cases,
		elementwise("relu", randTensor(g, -1, 1, 3, 17), tensor.ReLUOp{}, tensor.ReLUBackwardOp{}, false),
		elementwise("sigmoid", randTensor(g, -4, 4, 3, 17), tensor.SigmoidOp{}, tensor.SigmoidBackwardOp{}, true),
		elementwise("softmax", randTensor(g, -3, 3, 3, 7), tensor.SoftmaxOp{}, tensor.SoftmaxBackwardOp{}, true),
		elementwise("log_softmax", randTensor(g, -3, 3, 3, 7), tensor.LogSoftmaxOp{}, tensor.LogSoftmaxBackwardOp{}, true),
		elementwise("sparsemax", randTensor(g, -1, 1, 4, 6), tensor.SparsemaxOp{}, tensor.SparsemaxBackwardOp{}, true),
	)

	for _, pc := range []struct {
		x []int
		p tensor.Pool2DParams
	}{
		{[]int{2, 2, 5, 5}, tensor.Pool2DParams{Kind: tensor.MaxPool, K: 3, Stride: 1, Pad: 1}},
		{[]int{1, 2, 7, 6}, tensor.Pool2DParams{Kind: tensor.MaxPool, K: 3, Stride: 2, Pad: 1}},
		{[]int{2, 2, 5, 5}, tensor.Pool2DParams{Kind: tensor.AvgPool, K: 3, Stride: 1, Pad: 1}},
		{[]int{1, 2, 7, 6}, tensor.Pool2DParams{Kind: tensor.AvgPool, K: 3, Stride: 2, Pad: 1}},
	} {
		p := pc.p
		cases = append(cases, fdCase{
			name: fmt.Sprintf("pool2d x%v %+v", pc.x, p),
			in:   []*tensor.Tensor{randTensor(g, -1, 1, pc.x...)},
			forward: func(in []*tensor.Tensor) *tensor.Tensor {
				return tensor.Pool2D(in[0], p)
			},
			backward: func(in []*tensor.Tensor, dy *tensor.Tensor) []*tensor.Tensor {
				return []*tensor.Tensor{tensor.Pool2DBackward(dy, in[0], p)}
			},
		})
	}

	cases = append(cases, fdCase{
		name:    "global_avg_pool",
		in:      []*tensor.Tensor{randTensor(g, -1, 1, 2, 3, 4, 5)},
		forward: func(in []*tensor.Tensor) *tensor.Tensor { return tensor.GlobalAvgPool(in[0]) },
		backward: func(in []*tensor.Tensor, dy *tensor.Tensor) []*tensor.Tensor {
			return []*tensor.Tensor{tensor.GlobalAvgPoolBackward(dy, in[0].Shape)}
		},
	})

	bn := tensor.BatchNormParams{Eps: 1e-5, Momentum: 0.1}
	for _, x := range [][]int{{3, 2, 4, 4}, {2, 3, 1, 1}} {
		cases = append(cases, fdCase{
			name: fmt.Sprintf("batch_norm_train x%v", x),
			in:   []*tensor.Tensor{randTensor(g, -2, 3, x...), randTensor(g, 0.5, 1.5, x[1]), randTensor(g, -1, 1, x[1])},
			forward: func(in []*tensor.Tensor) *tensor.Tensor {
				y, _, _ := tensor.BatchNormTrain(in[0], in[1], in[2], nil, nil, bn)
				return y
			},
			backward: func(in []*tensor.Tensor, dy *tensor.Tensor) []*tensor.Tensor {
				_, mean, inv := tensor.BatchNormTrain(in[0], in[1], in[2], nil, nil, bn)
				dx, dg, db := tensor.BatchNormBackward(dy, in[0], mean, inv, in[1], bn)
				return []*tensor.Tensor{dx, dg, db}
			},
		})
	}

	// Without affine parameters (γ = 1, β = 0): only dx.
	cases = append(cases, fdCase{
		name: "batch_norm_train plain",
		in:   []*tensor.Tensor{randTensor(g, -2, 3, 2, 3, 3, 2)},
		forward: func(in []*tensor.Tensor) *tensor.Tensor {
			y, _, _ := tensor.BatchNormTrain(in[0], nil, nil, nil, nil, bn)
			return y
		},
		backward: func(in []*tensor.Tensor, dy *tensor.Tensor) []*tensor.Tensor {
			_, mean, inv := tensor.BatchNormTrain(in[0], nil, nil, nil, nil, bn)
			dx, _, _ := tensor.BatchNormBackward(dy, in[0], mean, inv, nil, bn)
			return []*tensor.Tensor{dx}
		},
	})

	labels := ref.FromFloat64([]float64{2, 0, 6, 6}, 4)
	cases = append(cases, fdCase{
		name: "cross_entropy",
		in:   []*tensor.Tensor{randTensor(g, -3, 3, 4, 7)},
		forward: func(in []*tensor.Tensor) *tensor.Tensor {
			loss, _ := tensor.CrossEntropy(in[0], labels)
			return loss
		},
		backward: func(in []*tensor.Tensor, dloss *tensor.Tensor) []*tensor.Tensor {
			_, probs := tensor.CrossEntropy(in[0], labels)
			return []*tensor.Tensor{tensor.CrossEntropyBackward(dloss, probs, labels)}
		},
	})

	cases = append(cases, fdCase{
		name: "weighted_sum",
		in:   []*tensor.Tensor{randTensor(g, -1, 1, 3), randTensor(g, -1, 1, 2, 3, 2), randTensor(g, -1, 1, 2, 3, 2), randTensor(g, -1, 1, 2, 3, 2)},
		forward: func(in []*tensor.Tensor) *tensor.Tensor {
			return tensor.WeightedSum(in[0], in[1:])
		},
		backward: func(in []*tensor.Tensor, dy *tensor.Tensor) []*tensor.Tensor {
			dw, dxs := tensor.WeightedSumBackward(dy, in[0], in[1:], true, []bool{true, true, true})
			return append([]*tensor.Tensor{dw}, dxs...)
		},
	})

	cases = append(cases, fdCase{
		name: "add_bias",
		in:   []*tensor.Tensor{randTensor(g, -1, 1, 2, 3, 2, 2), randTensor(g, -1, 1, 3)},
		forward: func(in []*tensor.Tensor) *tensor.Tensor {
			return tensor.AddBias(in[0], in[1])
		},
		backward: func(in []*tensor.Tensor, dy *tensor.Tensor) []*tensor.Tensor {
			return []*tensor.Tensor{tensor.Clone(dy), tensor.BiasBackward(dy)}
		},
	})

	mask := ref.FromFloat64([]float64{0, 1.25, 0.5}, 3)
	cases = append(cases, fdCase{
		name: "scale_rows",
		in:   []*tensor.Tensor{randTensor(g, -1, 1, 3, 2, 3)},
		forward: func(in []*tensor.Tensor) *tensor.Tensor {
			return tensor.ScaleRows(in[0], mask)
		},
		backward: func(in []*tensor.Tensor, dy *tensor.Tensor) []*tensor.Tensor {
			return []*tensor.Tensor{tensor.ScaleRows(dy, mask)}
		},
	})

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkGradients(t, c) })
	}
}

// TestSparsemaxByHand checks sparsemax on a row worked by hand: z = (1.5, 1, -1):
// τ = (1.5+1−1)/2 = 0.75, y = (0.75, 0.25, 0).
func TestSparsemaxByHand(t *testing.T) {
	y := ref.Data(tensor.RowOp(tensor.SparsemaxOp{}, ref.FromFloat64([]float64{1.5, 1, -1}, 1, 3)))
	want := []float64{0.75, 0.25, 0}
	for i := range want {
		if math.Abs(y[i]-want[i]) > 1e-12 {
			t.Fatalf("sparsemax(1.5, 1, -1) = %v, want %v", y, want)
		}
	}
}
