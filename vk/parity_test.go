//go:build !novulkan && cgo

package vk

import (
	"fmt"
	"math"
	"testing"

	"godarts/autograd"
	"godarts/tensor"
	"godarts/tensor/cpu"
)

// A parityCase builds its inputs from g on dev, runs ops and returns the tensors to compare.
// It runs once on the CPU backend and once on Vulkan with the same seed.
type parityCase struct {
	name string
	run  func(dev tensor.Backend, g *tensor.RNG) []*tensor.Tensor
	tol  float64 // atol = rtol; 0 means 1e-4
}

func rnd(dev tensor.Backend, g *tensor.RNG, shape ...int) *tensor.Tensor {
	return tensor.FromSlice(dev, g.UniformSlice(tensor.Shape(shape).Numel(), -1, 1), shape...)
}

func pos(dev tensor.Backend, g *tensor.RNG, shape ...int) *tensor.Tensor {
	return tensor.FromSlice(dev, g.UniformSlice(tensor.Shape(shape).Numel(), 0.5, 2), shape...)
}

func labels(dev tensor.Backend, g *tensor.RNG, n, k int) *tensor.Tensor {
	l := make([]float32, n)
	for i := range l {
		l[i] = float32(g.IntN(k))
	}
	return tensor.FromSlice(dev, l, n)
}

func convCase(name string, x, w []int, p tensor.Conv2DParams) parityCase {
	return parityCase{name: name, run: func(dev tensor.Backend, g *tensor.RNG) []*tensor.Tensor {
		xt, wt := rnd(dev, g, x...), rnd(dev, g, w...)
		y := tensor.Conv2D(xt, wt, p)
		dy := rnd(dev, g, y.Shape...)
		dx := tensor.Conv2DBackwardData(dy, wt, xt.Shape, p)
		dw := tensor.Conv2DBackwardFilter(xt, dy, wt.Shape, p)
		return []*tensor.Tensor{y, dx, dw}
	}}
}

func poolCase(name string, x []int, p tensor.Pool2DParams) parityCase {
	return parityCase{name: name, run: func(dev tensor.Backend, g *tensor.RNG) []*tensor.Tensor {
		xt := rnd(dev, g, x...)
		y := tensor.Pool2D(xt, p)
		dy := rnd(dev, g, y.Shape...)
		return []*tensor.Tensor{y, tensor.Pool2DBackward(dy, xt, p)}
	}}
}

func rowCase(name string, op, bwd tensor.Op, r, k int) parityCase {
	return parityCase{name: name, run: func(dev tensor.Backend, g *tensor.RNG) []*tensor.Tensor {
		x := rnd(dev, g, r, k)
		tensor.ScaleInto(x, 3)
		y := tensor.RowOp(op, x)
		dy := rnd(dev, g, r, k)
		return []*tensor.Tensor{y, tensor.Binary(bwd, dy, y)}
	}}
}

func bnCase(name string, n, c, h, w int) parityCase {
	return parityCase{name: name, run: func(dev tensor.Backend, g *tensor.RNG) []*tensor.Tensor {
		p := tensor.BatchNormParams{Eps: 1e-5, Momentum: 0.1}
		x := rnd(dev, g, n, c, h, w)
		x = tensor.AddScalar(x, 0.5) // a mean away from 0
		gamma, beta := pos(dev, g, c), rnd(dev, g, c)
		rm, rv := rnd(dev, g, c), pos(dev, g, c)
		y, mean, inv := tensor.BatchNormTrain(x, gamma, beta, rm, rv, p)
		y2, mean2, inv2 := tensor.BatchNormTrain(x, nil, nil, nil, nil, p)
		dy := rnd(dev, g, n, c, h, w)
		dx, dg, db := tensor.BatchNormBackward(dy, x, mean, inv, gamma, p)
		dx2, _, _ := tensor.BatchNormBackward(dy, x, mean2, inv2, nil, p)
		ev := tensor.BatchNormEval(x, gamma, beta, rm, rv, p)
		return []*tensor.Tensor{y, mean, inv, rm, rv, y2, dx, dg, db, dx2, ev}
	}}
}

var parityCases = []parityCase{
	{name: "fill", run: func(dev tensor.Backend, g *tensor.RNG) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.Full(dev, 2.5, 3, 77)}
	}},
	{name: "elementwise", run: func(dev tensor.Backend, g *tensor.RNG) []*tensor.Tensor {
		x, y := rnd(dev, g, 1000), rnd(dev, g, 1000)
		v := rnd(dev, g, 5)
		a := tensor.Axpby(0.5, x, -2, y)
		tensor.AxpbyInto(a, 1, a, 3, x) // in place
		s := tensor.Scale(1.5, x)
		tensor.ScaleInto(s, -1)
		return []*tensor.Tensor{a, s, tensor.AddScalar(x, 0.25), tensor.Mul(x, y), tensor.ScaleByElem(x, v, 3, 2),
			tensor.Unary(tensor.ReLUOp{}, x), tensor.Binary(tensor.ReLUBackwardOp{}, y, x),
			tensor.Unary(tensor.SigmoidOp{}, x), tensor.Binary(tensor.SigmoidBackwardOp{}, y, tensor.Unary(tensor.SigmoidOp{}, x))}
	}},
	{name: "scale_rows", run: func(dev tensor.Backend, g *tensor.RNG) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.ScaleRows(rnd(dev, g, 3, 4, 5, 5), rnd(dev, g, 3))}
	}},
	{name: "copy_views", run: func(dev tensor.Backend, g *tensor.RNG) []*tensor.Tensor {
		a, b := rnd(dev, g, 2, 3, 5, 5), rnd(dev, g, 2, 4, 5, 5)
		cat := tensor.ConcatChannels(a, b, a)
		n := cat.Narrow(1, 2, 4).Narrow(3, 1, 3)
		tr := &tensor.Tensor{Dev: dev, Buf: a.Buf, Off: 0, Shape: tensor.Shape{5, 6}, Strides: []int{1, 5}}
		return []*tensor.Tensor{cat, tensor.Clone(n), tensor.Clone(tr)}
	}},
	{name: "weighted_sum", run: func(dev tensor.Backend, g *tensor.RNG) []*tensor.Tensor {
		w := rnd(dev, g, 8)
		xs := make([]*tensor.Tensor, 8)
		for i := range xs {
			xs[i] = rnd(dev, g, 2, 3, 4, 4)
		}
		y := tensor.WeightedSum(w, xs)
		dy := rnd(dev, g, 2, 3, 4, 4)
		want := []bool{true, false, true, true, true, true, true, true}
		dw, dxs := tensor.WeightedSumBackward(dy, w, xs, true, want)
		out := []*tensor.Tensor{y, dw}
		for _, d := range dxs {
			if d != nil {
				out = append(out, d)
			}
		}
		return out
	}},
	{name: "mixed_sum (autograd, views of the weight gradient)", run: func(dev tensor.Backend, g *tensor.RNG) []*tensor.Tensor {
		w := autograd.Param(rnd(dev, g, 8))
		xs := make([]*autograd.Var, 4)
		for i := range xs {
			xs[i] = autograd.Param(rnd(dev, g, 2, 3, 4, 4))
		}
		p := tensor.BatchNormParams{Eps: 1e-5, Momentum: 0.1}
		rm, rv := tensor.New(dev, 3), tensor.Full(dev, 1, 3)
		tp := autograd.NewTape()
		y := tp.MixedSum(w, []autograd.MixTerm{
			{Index: 1, X: xs[0]}, {Index: 2, X: xs[1], BN: &autograd.MixBN{RunMean: rm, RunVar: rv, P: p}},
			{Index: 3}, {Index: 5, X: xs[2], BN: &autograd.MixBN{P: p}}, {Index: 7, X: xs[3]},
		})
		r := autograd.Const(rnd(dev, g, 2, 3, 4, 4))
		out := []*tensor.Tensor{tensor.Clone(y.Value)}
		tp.Backward(tp.Sum(tp.Mul(y, r), 1))
		tp.Release()
		out = append(out, w.Grad, rm, rv)
		for _, x := range xs {
			out = append(out, x.Grad)
		}
		return out
	}},
	{name: "conv2d with bias in place (autograd)", run: func(dev tensor.Backend, g *tensor.RNG) []*tensor.Tensor {
		x := autograd.Param(rnd(dev, g, 2, 3, 6, 6))
		w, b := autograd.Param(rnd(dev, g, 4, 3, 3, 3)), autograd.Param(rnd(dev, g, 4))
		tp := autograd.NewTape()
		y := tp.Conv2DBias(x, w, b, tensor.Conv2DParams{Stride: 1, Pad: 1, Dilation: 1, Groups: 1})
		out := []*tensor.Tensor{tensor.Clone(y.Value)}
		tp.Backward(tp.Sum(tp.Mul(y, autograd.Const(rnd(dev, g, y.Value.Shape...))), 1))
		tp.Release()
		return append(out, x.Grad, w.Grad, b.Grad)
	}},
	convCase("conv3x3", []int{2, 3, 7, 7}, []int{5, 3, 3, 3}, tensor.Conv2DParams{Stride: 1, Pad: 1, Dilation: 1, Groups: 1}),
	convCase("conv_s2_d2", []int{3, 4, 9, 8}, []int{6, 4, 3, 3}, tensor.Conv2DParams{Stride: 2, Pad: 2, Dilation: 2, Groups: 1}),
	convCase("conv1x1_big", []int{2, 70, 5, 5}, []int{67, 70, 1, 1}, tensor.Conv2DParams{Stride: 1, Pad: 0, Dilation: 1, Groups: 1}),
	convCase("conv_groups2", []int{2, 4, 6, 6}, []int{6, 2, 3, 3}, tensor.Conv2DParams{Stride: 1, Pad: 1, Dilation: 1, Groups: 2}),
	convCase("depthwise_s2", []int{2, 5, 9, 9}, []int{5, 1, 3, 3}, tensor.Conv2DParams{Stride: 2, Pad: 1, Dilation: 1, Groups: 5}),
	convCase("depthwise_dil", []int{2, 3, 8, 8}, []int{3, 1, 5, 5}, tensor.Conv2DParams{Stride: 1, Pad: 4, Dilation: 2, Groups: 3}),
	// The specialised paths' fallbacks and edges: a stride that is no power of two, a
	// non-square depthwise kernel (no fixed side), a grouped pointwise conv, a strided 1x1.
	convCase("depthwise_s3", []int{2, 3, 11, 10}, []int{3, 1, 3, 3}, tensor.Conv2DParams{Stride: 3, Pad: 1, Dilation: 1, Groups: 3}),
	convCase("depthwise_3x5_s2_d2", []int{1, 4, 13, 12}, []int{4, 1, 3, 5}, tensor.Conv2DParams{Stride: 2, Pad: 2, Dilation: 2, Groups: 4}),
	convCase("pointwise_groups2", []int{3, 6, 5, 7}, []int{4, 3, 1, 1}, tensor.Conv2DParams{Stride: 1, Pad: 0, Dilation: 1, Groups: 2}),
	convCase("conv1x1_s2", []int{2, 5, 9, 9}, []int{7, 5, 1, 1}, tensor.Conv2DParams{Stride: 2, Pad: 0, Dilation: 1, Groups: 1}),
	{name: "matmul", run: func(dev tensor.Backend, g *tensor.RNG) []*tensor.Tensor {
		a, b := rnd(dev, g, 17, 33), rnd(dev, g, 33, 65)
		at, bt := rnd(dev, g, 33, 17), rnd(dev, g, 65, 33)
		return []*tensor.Tensor{tensor.MatMul(a, b, false, false), tensor.MatMul(at, b, true, false),
			tensor.MatMul(a, bt, false, true), tensor.MatMul(at, bt, true, true)}
	}},
	{name: "bias", run: func(dev tensor.Backend, g *tensor.RNG) []*tensor.Tensor {
		x, b := rnd(dev, g, 3, 5, 4, 4), rnd(dev, g, 5)
		l := rnd(dev, g, 6, 7)
		return []*tensor.Tensor{tensor.AddBias(x, b), tensor.BiasBackward(x), tensor.AddBias(l, rnd(dev, g, 7)), tensor.BiasBackward(l)}
	}},
	poolCase("max3_s1", []int{2, 3, 7, 7}, tensor.Pool2DParams{Kind: tensor.MaxPool, K: 3, Stride: 1, Pad: 1}),
	poolCase("max3_s2", []int{2, 3, 8, 8}, tensor.Pool2DParams{Kind: tensor.MaxPool, K: 3, Stride: 2, Pad: 1}),
	poolCase("avg3_s1", []int{2, 3, 7, 7}, tensor.Pool2DParams{Kind: tensor.AvgPool, K: 3, Stride: 1, Pad: 1}),
	poolCase("avg3_s2", []int{2, 3, 8, 8}, tensor.Pool2DParams{Kind: tensor.AvgPool, K: 3, Stride: 2, Pad: 1}),
	poolCase("max2_s2", []int{1, 2, 6, 6}, tensor.Pool2DParams{Kind: tensor.MaxPool, K: 2, Stride: 2, Pad: 0}),
	{name: "global_avg_pool", run: func(dev tensor.Backend, g *tensor.RNG) []*tensor.Tensor {
		x := rnd(dev, g, 3, 5, 6, 7)
		return []*tensor.Tensor{tensor.GlobalAvgPool(x), tensor.GlobalAvgPoolBackward(rnd(dev, g, 3, 5), x.Shape)}
	}},
	bnCase("batch_norm", 4, 3, 5, 5),
	bnCase("batch_norm_large", 4, 3, 24, 24), // split over chunks of each channel on GPUs
	rowCase("softmax", tensor.SoftmaxOp{}, tensor.SoftmaxBackwardOp{}, 5, 10),
	rowCase("log_softmax", tensor.LogSoftmaxOp{}, tensor.LogSoftmaxBackwardOp{}, 5, 10),
	rowCase("sparsemax", tensor.SparsemaxOp{}, tensor.SparsemaxBackwardOp{}, 6, 8),
	{name: "cross_entropy", run: func(dev tensor.Backend, g *tensor.RNG) []*tensor.Tensor {
		logits := rnd(dev, g, 7, 10)
		lab := labels(dev, g, 7, 10)
		loss, probs := tensor.CrossEntropy(logits, lab)
		dl := tensor.CrossEntropyBackward(tensor.Full(dev, 2, 1), probs, lab)
		cnt := tensor.Full(dev, 1, 1)
		tensor.CountCorrectInto(cnt, logits, lab)
		tensor.CountCorrectInto(cnt, logits, labels(dev, g, 7, 10))
		return []*tensor.Tensor{loss, probs, dl, cnt}
	}},
	{name: "reductions", run: func(dev tensor.Backend, g *tensor.RNG) []*tensor.Tensor {
		x := rnd(dev, g, 3000)
		acc := tensor.Full(dev, 1, 1)
		tensor.SumSquaresInto(acc, x)
		tensor.SumSquaresInto(acc, x)
		gr := rnd(dev, g, 100)
		tensor.ClipByNormInto(gr, acc, 0.5)
		return []*tensor.Tensor{tensor.Sum(x, 1), tensor.Mean(x), acc, tensor.Broadcast(acc, 0.5, tensor.Shape{3, 4}), gr}
	}},
	{name: "sgd", run: func(dev tensor.Backend, g *tensor.RNG) []*tensor.Tensor {
		w, buf := rnd(dev, g, 300), tensor.New(dev, 300)
		w2, buf2 := rnd(dev, g, 300), tensor.New(dev, 300)
		for step := 0; step < 3; step++ {
			gr := rnd(dev, g, 300)
			tensor.SGDStepInto(w, gr, buf, tensor.SGDStepOp{LR: 0.1, Momentum: 0.9, WeightDecay: 3e-4, First: step == 0})
			tensor.SGDStepInto(w2, gr, buf2, tensor.SGDStepOp{LR: 0.05, Momentum: 0.9, Dampening: 0.1, Nesterov: true, First: step == 0})
		}
		return []*tensor.Tensor{w, buf, w2, buf2}
	}},
	{name: "adam", run: func(dev tensor.Backend, g *tensor.RNG) []*tensor.Tensor {
		w, m, v := rnd(dev, g, 300), tensor.New(dev, 300), tensor.New(dev, 300)
		for step := 1; step <= 3; step++ {
			tensor.AdamStepInto(w, rnd(dev, g, 300), m, v, tensor.AdamStepOp{LR: 3e-4, Beta1: 0.5, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-3, Step: step})
		}
		return []*tensor.Tensor{w, m, v}
	}},
}

func TestParityWithCPU(t *testing.T) { testParity(t, device(t)) }

// TestParityStaging runs the cases through the discrete-GPU memory path: device-local
// buffers, uploads and readbacks through staging copies.
func TestParityStaging(t *testing.T) {
	device(t)
	b, err := open("vulkan", options{forceStaging: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.uma {
		t.Fatal("forceStaging left unified memory on")
	}
	testParity(t, b)
}

// TestParitySplitK runs the cases with split-K forced wherever K allows it, as on a
// large GPU.
func TestParitySplitK(t *testing.T) {
	device(t)
	b, err := open("vulkan", options{splitTarget: 1 << 16})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	testParity(t, b)
	for _, name := range []string{"split_sum", "batch_norm_stats", "batch_norm_backward_split"} {
		if _, ok := b.pipes[pipeKey{shader: name, spec: b.spec1()}]; !ok {
			t.Errorf("shader %s never ran: nothing was split", name)
		}
	}
}

// TestParityDescriptorSets runs the cases through the fallback for devices without push
// descriptors: cached sets binding whole blocks.
func TestParityDescriptorSets(t *testing.T) {
	device(t)
	if syncValidation() {
		t.Skip("synchronisation validation sees whole-block bindings as hazards")
	}
	b, err := open("vulkan", options{noPushDescriptors: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.pushDesc {
		t.Fatal("noPushDescriptors left push descriptors on")
	}
	testParity(t, b)
}

func testParity(t *testing.T, b *Backend) {
	ref := cpu.New(1)
	for _, c := range parityCases {
		t.Run(c.name, func(t *testing.T) {
			want := c.run(ref, tensor.NewRNG(7))
			got := c.run(b, tensor.NewRNG(7))
			tol := c.tol
			if tol == 0 {
				tol = 1e-4
			}
			for i := range want {
				if err := closeTo(got[i].Read(), want[i].Read(), tol); err != nil {
					t.Errorf("output %d (shape %v): %v", i, want[i].Shape, err)
				}
			}
		})
	}
	checkValidation(t, b)
}

func closeTo(got, want []float32, tol float64) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d values, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := float64(got[i]), float64(want[i])
		if math.IsNaN(g) || math.Abs(g-w) > tol+tol*math.Abs(w) {
			return fmt.Errorf("element %d = %g, want %g", i, g, w)
		}
	}
	return nil
}
