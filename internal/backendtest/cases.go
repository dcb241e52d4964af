package backendtest

import (
	"fmt"

	"godarts/tensor"
	"godarts/tensor/ref"
)

// Tolerances by kind of op: elementwise results are one or two roundings from the
// reference; reductions over tens to thousands of terms accumulate float32 error.
var (
	TolElementwise = Tol{RTol: 1e-6, ATol: 1e-6}
	TolReduce      = Tol{RTol: 1e-5, ATol: 1e-5}
	TolCancel      = Tol{RTol: 1e-4, ATol: 1e-4} // batch-norm backward, sums that cancel
)

// Generators for inputs.

func uni(shape []int, lo, hi float64) Input {
	n := tensor.Shape(shape).Numel()
	return Input{Shape: shape, Gen: func(g *tensor.RNG, _ [][]float32) []float32 { return g.UniformSlice(n, lo, hi) }}
}

func u(shape ...int) Input { return Input{Shape: shape} }

func constant(shape []int, v ...float32) Input {
	return Input{Shape: shape, Gen: func(*tensor.RNG, [][]float32) []float32 { return v }}
}

// labels draws n class indices below k.
func labels(n, k int) Input {
	return Input{Shape: []int{n}, Gen: func(g *tensor.RNG, _ [][]float32) []float32 {
		l := make([]float32, n)
		for i := range l {
			l[i] = float32(g.IntN(k))
		}
		return l
	}}
}

// refOf runs op on ref with the given float32 inputs and returns output idx rounded to
// float32: a consistent derived input (a softmax output for softmax's backward, say).
func refOf(op tensor.Op, idx int, outShapes [][]int, inShapes [][]int, in ...[]float32) []float32 {
	dev := ref.New()
	ins := make([]*tensor.Tensor, len(in))
	for i := range in {
		if in[i] != nil {
			ins[i] = tensor.FromSlice(dev, in[i], inShapes[i]...)
		}
	}
	outs := make([]*tensor.Tensor, len(outShapes))
	for i, s := range outShapes {
		outs[i] = tensor.New(dev, s...)
	}
	dev.Run(op, outs, ins)
	return outs[idx].Read()
}

// rowOutput draws logits of shape [n, k] uniform in [-scale, scale) and returns op's output
// (softmax, log-softmax or sparsemax of them).
func rowOutput(op tensor.Op, n, k int, scale float64) Input {
	return Input{Shape: []int{n, k}, Gen: func(g *tensor.RNG, _ [][]float32) []float32 {
		z := g.UniformSlice(n*k, -scale, scale)
		return refOf(op, 0, [][]int{{n, k}}, [][]int{{n, k}}, z)
	}}
}

// Permute returns a View that permutes a tensor's dimensions (a strided view).
func Permute(perm ...int) func(*tensor.Tensor) *tensor.Tensor {
	return func(t *tensor.Tensor) *tensor.Tensor {
		s := make(tensor.Shape, len(perm))
		st := make([]int, len(perm))
		for i, p := range perm {
			s[i], st[i] = t.Shape[p], t.Strides[p]
		}
		return &tensor.Tensor{Dev: t.Dev, Buf: t.Buf, Off: t.Off, Shape: s, Strides: st}
	}
}

// Narrow returns a View of t.Narrow(dim, start, n).
func Narrow(dim, start, n int) func(*tensor.Tensor) *tensor.Tensor {
	return func(t *tensor.Tensor) *tensor.Tensor { return t.Narrow(dim, start, n) }
}

func out(shape ...int) Output { return Output{Shape: shape} }

func inPlace(k int, shape ...int) Output { return Output{Shape: shape, Alias: k + 1} }

func convCases(name string, x, w []int, p tensor.Conv2DParams) []Case {
	y := []int(tensor.Conv2DOutShape(x, w, p))
	return []Case{
		{Name: "conv2d/" + name, Op: tensor.Conv2DOp{Conv2DParams: p}, In: []Input{u(x...), u(w...)}, Out: []Output{out(y...)}, Tol: TolReduce},
		{Name: "conv2d_backward_data/" + name, Op: tensor.Conv2DBackwardDataOp{Conv2DParams: p}, In: []Input{u(y...), u(w...)}, Out: []Output{out(x...)}, Tol: TolReduce},
		{Name: "conv2d_backward_filter/" + name, Op: tensor.Conv2DBackwardFilterOp{Conv2DParams: p}, In: []Input{u(x...), u(y...)}, Out: []Output{out(w...)}, Tol: TolReduce},
	}
}

func poolCases(name string, x []int, p tensor.Pool2DParams) []Case {
	y := []int(tensor.Pool2DOutShape(x, p))
	kind := "max"
	if p.Kind == tensor.AvgPool {
		kind = "avg"
	}
	return []Case{
		{Name: "pool2d/" + kind + "/" + name, Op: tensor.Pool2DOp{Pool2DParams: p}, In: []Input{u(x...)}, Out: []Output{out(y...)}, Tol: TolReduce},
		{Name: "pool2d_backward/" + kind + "/" + name, Op: tensor.Pool2DBackwardOp{Pool2DParams: p}, In: []Input{u(y...), u(x...)}, Out: []Output{out(x...)}, Tol: TolReduce},
	}
}

func bnCases(name string, x []int, affine, running bool) []Case {
	c := x[1]
	p := tensor.BatchNormParams{Eps: 1e-5, Momentum: 0.1}
	gamma, beta := uni([]int{c}, 0.5, 1.5), u(c)
	if !affine {
		gamma, beta = Input{Nil: true}, Input{Nil: true}
	}
	rm, rv := u(c), uni([]int{c}, 0.5, 1.5)
	var updated []int
	if running {
		updated = []int{3, 4}
	} else {
		rm, rv = Input{Nil: true}, Input{Nil: true}
	}
	xIn := uni(x, -2, 3)
	cases := []Case{{
		Name: "batch_norm_train/" + name, Op: tensor.BatchNormTrainOp{BatchNormParams: p},
		In:  []Input{xIn, gamma, beta, rm, rv},
		Out: []Output{out(x...), out(c), out(c)}, Updated: updated, Tol: TolReduce,
	}, {
		Name: "batch_norm_eval/" + name, Op: tensor.BatchNormEvalOp{BatchNormParams: p},
		In:  []Input{xIn, gamma, beta, u(c), uni([]int{c}, 0.5, 1.5)},
		Out: []Output{out(x...)}, Tol: TolReduce,
	}}
	// Backward with the statistics of x itself, as in training.
	stat := func(idx int) Input {
		return Input{Shape: []int{c}, Gen: func(_ *tensor.RNG, prev [][]float32) []float32 {
			return refOf(tensor.BatchNormTrainOp{BatchNormParams: p}, idx, [][]int{x, {c}, {c}}, [][]int{x, nil, nil, nil, nil}, prev[1], nil, nil, nil, nil)
		}}
	}
	dg, db := out(c), out(c)
	if !affine {
		dg, db = Output{Nil: true}, Output{Nil: true}
	}
	cases = append(cases, Case{
		Name: "batch_norm_backward/" + name, Op: tensor.BatchNormBackwardOp{BatchNormParams: p},
		In:  []Input{u(x...), xIn, stat(1), stat(2), gamma},
		Out: []Output{out(x...), dg, db}, Tol: TolCancel,
	})
	if !affine {
		// Without γ but with dγ wanted (Σ dy·x̂): autograd.MixedSum's gradient of the
		// weight that scales an affine-free BN.
		cases = append(cases, Case{
			Name: "batch_norm_backward/" + name + "/dxhat", Op: tensor.BatchNormBackwardOp{BatchNormParams: p},
			In:  []Input{u(x...), xIn, stat(1), stat(2), gamma},
			Out: []Output{out(x...), out(c), Output{Nil: true}}, Tol: TolCancel,
		})
	}
	return cases
}

func matmulCases(m, k, n int) []Case {
	var cases []Case
	for _, ta := range []bool{false, true} {
		for _, tb := range []bool{false, true} {
			a, b := []int{m, k}, []int{k, n}
			if ta {
				a = []int{k, m}
			}
			if tb {
				b = []int{n, k}
			}
			cases = append(cases, Case{
				Name: fmt.Sprintf("matmul/%dx%dx%d/ta=%v,tb=%v", m, k, n, ta, tb),
				Op:   tensor.MatMulOp{TransA: ta, TransB: tb}, In: []Input{u(a...), u(b...)},
				Out: []Output{out(m, n)}, Tol: TolReduce,
			})
		}
	}
	return cases
}

// Cases returns the conformance table. Each case is small (a few thousand elements) so
// that a software Vulkan rasteriser runs the whole table in seconds.
func Cases() []Case {
	E := TolElementwise
	var cs []Case
	add := func(c ...Case) { cs = append(cs, c...) }

	// Fill and copy (the one op on strided views).
	add(Case{Name: "fill/3x17", Op: tensor.FillOp{Value: 0.5}, Out: []Output{out(3, 17)}, Tol: E})
	add(Case{Name: "copy/contiguous", Op: tensor.CopyOp{}, In: []Input{u(2, 3, 5, 7)}, Out: []Output{out(2, 3, 5, 7)}, Tol: E})
	add(Case{Name: "copy/transposed-src", Op: tensor.CopyOp{}, In: []Input{{Shape: []int{2, 3, 7, 5}, View: Permute(0, 1, 3, 2)}}, Out: []Output{out(2, 3, 5, 7)}, Tol: E})
	add(Case{Name: "copy/2d-transpose", Op: tensor.CopyOp{}, In: []Input{{Shape: []int{17, 33}, View: Permute(1, 0)}}, Out: []Output{out(33, 17)}, Tol: E})
	add(Case{Name: "copy/into-channel-slice", Op: tensor.CopyOp{}, In: []Input{u(2, 3, 5, 5)}, Out: []Output{{Shape: []int{2, 8, 5, 5}, View: Narrow(1, 3, 3)}}, Tol: E})
	add(Case{Name: "copy/from-channel-slice", Op: tensor.CopyOp{}, In: []Input{{Shape: []int{3, 7, 3, 3}, View: Narrow(1, 2, 5)}}, Out: []Output{out(3, 5, 3, 3)}, Tol: E})
	add(Case{Name: "copy/rank1", Op: tensor.CopyOp{}, In: []Input{u(65)}, Out: []Output{out(65)}, Tol: E})

	// Elementwise.
	add(Case{Name: "axpby/3x65", Op: tensor.AxpbyOp{A: 0.7, B: -1.3}, In: []Input{u(3, 65), u(3, 65)}, Out: []Output{out(3, 65)}, Tol: E})
	add(Case{Name: "axpby/inplace0", Op: tensor.AxpbyOp{A: 1, B: 1}, In: []Input{u(2, 3, 7, 7), u(2, 3, 7, 7)}, Out: []Output{inPlace(0, 2, 3, 7, 7)}, Tol: E})
	add(Case{Name: "axpby/inplace1", Op: tensor.AxpbyOp{A: -0.5, B: 2}, In: []Input{u(1, 17), u(1, 17)}, Out: []Output{inPlace(1, 1, 17)}, Tol: E})
	// Long enough (odd, over two 4096-element chunks) to be split across threads.
	add(Case{Name: "axpby/9001", Op: tensor.AxpbyOp{A: 0.7, B: -1.3}, In: []Input{u(9001), u(9001)}, Out: []Output{out(9001)}, Tol: E})
	add(Case{Name: "mul/inplace-9001", Op: tensor.MulOp{}, In: []Input{u(9001), u(9001)}, Out: []Output{inPlace(0, 9001)}, Tol: E})
	add(Case{Name: "scale/33", Op: tensor.ScaleOp{A: -1.7}, In: []Input{u(33)}, Out: []Output{out(33)}, Tol: E})
	add(Case{Name: "scale/inplace", Op: tensor.ScaleOp{A: 0.3}, In: []Input{u(3, 5, 7)}, Out: []Output{inPlace(0, 3, 5, 7)}, Tol: E})
	add(Case{Name: "add_scalar/17", Op: tensor.AddScalarOp{A: 2.5}, In: []Input{u(17)}, Out: []Output{out(17)}, Tol: E})
	add(Case{Name: "add_scalar/inplace", Op: tensor.AddScalarOp{A: -1}, In: []Input{u(3, 7)}, Out: []Output{inPlace(0, 3, 7)}, Tol: E})
	add(Case{Name: "mul/3x5x7x7", Op: tensor.MulOp{}, In: []Input{u(3, 5, 7, 7), u(3, 5, 7, 7)}, Out: []Output{out(3, 5, 7, 7)}, Tol: E})
	add(Case{Name: "mul/inplace0", Op: tensor.MulOp{}, In: []Input{u(65), u(65)}, Out: []Output{inPlace(0, 65)}, Tol: E})
	add(Case{Name: "mul/inplace1", Op: tensor.MulOp{}, In: []Input{u(1), u(1)}, Out: []Output{inPlace(1, 1)}, Tol: E})
	add(Case{Name: "scale_by_elem/index2", Op: tensor.ScaleByElemOp{Index: 2, A: 0.5}, In: []Input{u(2, 3, 7, 7), u(5)}, Out: []Output{out(2, 3, 7, 7)}, Tol: E})
	add(Case{Name: "scale_by_elem/inplace", Op: tensor.ScaleByElemOp{Index: 0, A: -2}, In: []Input{u(33), u(1)}, Out: []Output{inPlace(0, 33)}, Tol: E})
	add(Case{Name: "scale_rows/3x5x7x7", Op: tensor.ScaleRowsOp{}, In: []Input{u(3, 5, 7, 7), u(3)}, Out: []Output{out(3, 5, 7, 7)}, Tol: E})
	add(Case{Name: "scale_rows/inplace-zero-row", Op: tensor.ScaleRowsOp{}, In: []Input{u(3, 17), constant([]int{3}, 0, 1.25, 1.25)}, Out: []Output{inPlace(0, 3, 17)}, Tol: E})
	add(Case{Name: "scale_rows/batch1", Op: tensor.ScaleRowsOp{}, In: []Input{u(1, 3, 3, 3), u(1)}, Out: []Output{out(1, 3, 3, 3)}, Tol: E})

	// The MixedOp weighted sum.
	for _, k := range []int{1, 3, 8} {
		xs := []Input{u(k)}                  // w, x_0..x_{K-1}
		wsIn := []Input{u(2, 5, 7, 7), u(k)} // dy, w, x_0..x_{K-1}
		for i := 0; i < k; i++ {
			xs = append(xs, u(2, 5, 7, 7))
			wsIn = append(wsIn, u(2, 5, 7, 7))
		}
		add(Case{Name: fmt.Sprintf("weighted_sum/k%d", k), Op: tensor.WeightedSumOp{}, In: xs, Out: []Output{out(2, 5, 7, 7)}, Tol: E})
		outs := []Output{out(k)}
		for i := 0; i < k; i++ {
			outs = append(outs, out(2, 5, 7, 7))
		}
		add(Case{Name: fmt.Sprintf("weighted_sum_backward/k%d", k), Op: tensor.WeightedSumBackwardOp{}, In: wsIn, Out: outs, Tol: TolReduce})
		if k > 1 {
			some := append([]Output(nil), outs...)
			some[0] = Output{Nil: true}
			some[2] = Output{Nil: true}
			add(Case{Name: fmt.Sprintf("weighted_sum_backward/k%d-some-nil", k), Op: tensor.WeightedSumBackwardOp{}, In: wsIn, Out: some, Tol: TolReduce})
		}
	}

	// Activations.
	add(Case{Name: "relu/3x33", Op: tensor.ReLUOp{}, In: []Input{u(3, 33)}, Out: []Output{out(3, 33)}, Tol: E})
	add(Case{Name: "relu/inplace", Op: tensor.ReLUOp{}, In: []Input{u(2, 3, 7, 7)}, Out: []Output{inPlace(0, 2, 3, 7, 7)}, Tol: E})
	add(Case{Name: "relu/inplace-9001", Op: tensor.ReLUOp{}, In: []Input{u(9001)}, Out: []Output{inPlace(0, 9001)}, Tol: E})
	add(Case{Name: "sigmoid/9001", Op: tensor.SigmoidOp{}, In: []Input{uni([]int{9001}, -8, 8)}, Out: []Output{out(9001)}, Tol: E})
	add(Case{Name: "relu_backward/3x5x7x7", Op: tensor.ReLUBackwardOp{}, In: []Input{u(3, 5, 7, 7), u(3, 5, 7, 7)}, Out: []Output{out(3, 5, 7, 7)}, Tol: E})
	add(Case{Name: "sigmoid/3x65", Op: tensor.SigmoidOp{}, In: []Input{uni([]int{3, 65}, -8, 8)}, Out: []Output{out(3, 65)}, Tol: E})
	add(Case{Name: "sigmoid_backward/3x65", Op: tensor.SigmoidBackwardOp{}, In: []Input{u(3, 65), uni([]int{3, 65}, 0, 1)}, Out: []Output{out(3, 65)}, Tol: E})

	// Convolutions: sizes 1..65, non-square, stride 2, dilation 2, groups, 1x1, odd channels.
	P := func(stride, pad, dil, groups int) tensor.Conv2DParams {
		return tensor.Conv2DParams{Stride: stride, Pad: pad, Dilation: dil, Groups: groups}
	}
	add(convCases("3x3-s1-p1-n3-c5-7x7", []int{3, 5, 7, 7}, []int{6, 5, 3, 3}, P(1, 1, 1, 1))...)
	add(convCases("3x3-s2-p1-n1-c3-17x17", []int{1, 3, 17, 17}, []int{5, 3, 3, 3}, P(2, 1, 1, 1))...)
	add(convCases("1x1-n3-c13-7x7", []int{3, 13, 7, 7}, []int{11, 13, 1, 1}, P(1, 0, 1, 1))...)
	add(convCases("1x1-s2-n2-c3-33x33", []int{2, 3, 33, 33}, []int{2, 3, 1, 1}, P(2, 0, 1, 1))...)
	add(convCases("3x3-d2-p2-n2-c5-17x17", []int{2, 5, 17, 17}, []int{3, 5, 3, 3}, P(1, 2, 2, 1))...)
	add(convCases("5x5-d2-p4-s2-n1-c3-17x17", []int{1, 3, 17, 17}, []int{2, 3, 5, 5}, P(2, 4, 2, 1))...)
	add(convCases("depthwise-3x3-p1-n2-c9-17x17", []int{2, 9, 17, 17}, []int{9, 1, 3, 3}, P(1, 1, 1, 9))...)
	add(convCases("depthwise-5x5-p2-s2-n3-c5-7x7", []int{3, 5, 7, 7}, []int{5, 1, 5, 5}, P(2, 2, 1, 5))...)
	add(convCases("depthwise-3x3-d2-p2-n1-c7-17x17", []int{1, 7, 17, 17}, []int{7, 1, 3, 3}, P(1, 2, 2, 7))...)
	add(convCases("depthwise-5x5-d2-p4-n1-c3-33x33", []int{1, 3, 33, 33}, []int{3, 1, 5, 5}, P(1, 4, 2, 3))...)
	add(convCases("groups3-3x3-p1-n1-c6-7x7", []int{1, 6, 7, 7}, []int{9, 2, 3, 3}, P(1, 1, 1, 3))...)
	add(convCases("3x3-p1-nonsquare-n2-c3-7x17", []int{2, 3, 7, 17}, []int{4, 3, 3, 3}, P(1, 1, 1, 1))...)
	add(convCases("1x3-p0-nonsquare-kernel-n1-c2-3x7", []int{1, 2, 3, 7}, []int{3, 2, 1, 3}, P(1, 0, 1, 1))...)
	add(convCases("3x3-p1-size1-n3-c4", []int{3, 4, 1, 1}, []int{5, 4, 3, 3}, P(1, 1, 1, 1))...)
	add(convCases("3x3-p0-size3-n1-c2", []int{1, 2, 3, 3}, []int{3, 2, 3, 3}, P(1, 0, 1, 1))...)
	add(convCases("3x3-s2-p1-n1-c2-65x65", []int{1, 2, 65, 65}, []int{3, 2, 3, 3}, P(2, 1, 1, 1))...)
	// Channel counts that reach the CPU backend's GEMM paths (a 1x1 filter gradient over
	// more than 32 input channels, multi-strip packing).
	add(convCases("1x1-n2-c40-5x5", []int{2, 40, 5, 5}, []int{36, 40, 1, 1}, P(1, 0, 1, 1))...)
	add(convCases("3x3-p1-n2-c24-9x9", []int{2, 24, 9, 9}, []int{40, 24, 3, 3}, P(1, 1, 1, 1))...)

	// Matrix products with every transpose.
	add(matmulCases(7, 13, 5)...)
	add(matmulCases(1, 33, 10)...)
	add(matmulCases(3, 65, 17)...)
	// Past the CPU GEMM's blocking (kc 256, mc up to 128, nc 512): more than one panel
	// along each of K, M and N.
	add(matmulCases(5, 300, 7)...)
	add(matmulCases(130, 7, 9)...)
	add(matmulCases(3, 5, 530)...)

	// Bias.
	add(Case{Name: "add_bias/4d", Op: tensor.AddBiasOp{}, In: []Input{u(3, 5, 7, 7), u(5)}, Out: []Output{out(3, 5, 7, 7)}, Tol: E})
	add(Case{Name: "add_bias/2d", Op: tensor.AddBiasOp{}, In: []Input{u(3, 10), u(10)}, Out: []Output{out(3, 10)}, Tol: E})
	add(Case{Name: "add_bias/inplace", Op: tensor.AddBiasOp{}, In: []Input{u(1, 7, 3, 3), u(7)}, Out: []Output{inPlace(0, 1, 7, 3, 3)}, Tol: E})
	add(Case{Name: "bias_backward/4d", Op: tensor.BiasBackwardOp{}, In: []Input{u(3, 5, 7, 7)}, Out: []Output{out(5)}, Tol: TolReduce})
	add(Case{Name: "bias_backward/2d", Op: tensor.BiasBackwardOp{}, In: []Input{u(3, 10)}, Out: []Output{out(10)}, Tol: TolReduce})

	// Pools: 3x3 pad 1 stride 1 and 2 (DARTS), on sizes 1..65 and non-square.
	for _, kind := range []tensor.PoolKind{tensor.MaxPool, tensor.AvgPool} {
		s1 := tensor.Pool2DParams{Kind: kind, K: 3, Stride: 1, Pad: 1}
		s2 := tensor.Pool2DParams{Kind: kind, K: 3, Stride: 2, Pad: 1}
		add(poolCases("3x3-s1-p1-n3-c5-7x7", []int{3, 5, 7, 7}, s1)...)
		add(poolCases("3x3-s2-p1-n3-c5-7x7", []int{3, 5, 7, 7}, s2)...)
		add(poolCases("3x3-s1-p1-size1", []int{3, 4, 1, 1}, s1)...)
		add(poolCases("3x3-s2-p1-size3", []int{1, 3, 3, 3}, s2)...)
		add(poolCases("3x3-s2-p1-n1-c3-17x17", []int{1, 3, 17, 17}, s2)...)
		add(poolCases("3x3-s1-p1-nonsquare-7x17", []int{2, 3, 7, 17}, s1)...)
		add(poolCases("3x3-s2-p1-33x33", []int{1, 2, 33, 33}, s2)...)
		add(poolCases("3x3-s2-p1-65x65", []int{1, 1, 65, 65}, s2)...)
		add(poolCases("2x2-s2-p0-n2-c3-7x7", []int{2, 3, 7, 7}, tensor.Pool2DParams{Kind: kind, K: 2, Stride: 2})...)
	}
	add(Case{Name: "global_avg_pool/3x5x7x7", Op: tensor.GlobalAvgPoolOp{}, In: []Input{u(3, 5, 7, 7)}, Out: []Output{out(3, 5)}, Tol: TolReduce})
	add(Case{Name: "global_avg_pool/size1", Op: tensor.GlobalAvgPoolOp{}, In: []Input{u(1, 3, 1, 1)}, Out: []Output{out(1, 3)}, Tol: TolReduce})
	add(Case{Name: "global_avg_pool/33x33", Op: tensor.GlobalAvgPoolOp{}, In: []Input{u(1, 2, 33, 33)}, Out: []Output{out(1, 2)}, Tol: TolReduce})
	add(Case{Name: "global_avg_pool_backward/3x5x7x7", Op: tensor.GlobalAvgPoolBackwardOp{}, In: []Input{u(3, 5)}, Out: []Output{out(3, 5, 7, 7)}, Tol: E})
	add(Case{Name: "global_avg_pool_backward/size1", Op: tensor.GlobalAvgPoolBackwardOp{}, In: []Input{u(1, 3)}, Out: []Output{out(1, 3, 1, 1)}, Tol: E})

	// Batch norm.
	add(bnCases("n3-c5-7x7-affine-running", []int{3, 5, 7, 7}, true, true)...)
	add(bnCases("n2-c3-1x1-affine-running", []int{2, 3, 1, 1}, true, true)...)
	add(bnCases("n1-c7-17x17-plain", []int{1, 7, 17, 17}, false, false)...)
	add(bnCases("n3-c2-3x3-affine", []int{3, 2, 3, 3}, true, false)...)
	add(bnCases("n2-c3-7x17-running", []int{2, 3, 7, 17}, false, true)...)
	add(bnCases("n1-c2-65x65-affine-running", []int{1, 2, 65, 65}, true, true)...) // planes longer than 4096

	// Row ops.
	for _, s := range [][2]int{{3, 10}, {1, 1}, {5, 65}, {2, 7}} {
		n, k := s[0], s[1]
		name := fmt.Sprintf("%dx%d", n, k)
		add(Case{Name: "softmax/" + name, Op: tensor.SoftmaxOp{}, In: []Input{uni([]int{n, k}, -5, 5)}, Out: []Output{out(n, k)}, Tol: E})
		add(Case{Name: "log_softmax/" + name, Op: tensor.LogSoftmaxOp{}, In: []Input{uni([]int{n, k}, -5, 5)}, Out: []Output{out(n, k)}, Tol: E})
		add(Case{Name: "sparsemax/" + name, Op: tensor.SparsemaxOp{}, In: []Input{uni([]int{n, k}, -2, 2)}, Out: []Output{out(n, k)}, Tol: E})
		add(Case{Name: "softmax_backward/" + name, Op: tensor.SoftmaxBackwardOp{}, In: []Input{u(n, k), rowOutput(tensor.SoftmaxOp{}, n, k, 5)}, Out: []Output{out(n, k)}, Tol: TolReduce})
		add(Case{Name: "log_softmax_backward/" + name, Op: tensor.LogSoftmaxBackwardOp{}, In: []Input{u(n, k), rowOutput(tensor.LogSoftmaxOp{}, n, k, 5)}, Out: []Output{out(n, k)}, Tol: TolReduce})
		add(Case{Name: "sparsemax_backward/" + name, Op: tensor.SparsemaxBackwardOp{}, In: []Input{u(n, k), rowOutput(tensor.SparsemaxOp{}, n, k, 2)}, Out: []Output{out(n, k)}, Tol: TolReduce})
		add(Case{Name: "cross_entropy/" + name, Op: tensor.CrossEntropyOp{}, In: []Input{uni([]int{n, k}, -5, 5), labels(n, k)}, Out: []Output{out(1), out(n, k)}, Tol: TolReduce})
		add(Case{Name: "cross_entropy_backward/" + name, Op: tensor.CrossEntropyBackwardOp{}, In: []Input{uni([]int{1}, 0.5, 2), rowOutput(tensor.SoftmaxOp{}, n, k, 5), labels(n, k)}, Out: []Output{out(n, k)}, Tol: E})
		add(Case{Name: "count_correct/" + name, Op: tensor.CountCorrectOp{}, In: []Input{u(n, k), labels(n, k)}, Out: []Output{{Shape: []int{1}, Init: []float32{2}}}, Tol: E})
	}
	// Wide rows of large logits: the maximum must be shifted out before exp.
	add(Case{Name: "softmax/3x1000-large", Op: tensor.SoftmaxOp{}, In: []Input{uni([]int{3, 1000}, -60, 60)}, Out: []Output{out(3, 1000)}, Tol: E})
	add(Case{Name: "log_softmax/3x1000-large", Op: tensor.LogSoftmaxOp{}, In: []Input{uni([]int{3, 1000}, -60, 60)}, Out: []Output{out(3, 1000)}, Tol: TolReduce})
	add(Case{Name: "cross_entropy/3x1000-large", Op: tensor.CrossEntropyOp{}, In: []Input{uni([]int{3, 1000}, -60, 60), labels(3, 1000)}, Out: []Output{out(1), out(3, 1000)}, Tol: TolReduce})
	// Rows whose maximum is the label for sure, and ties (the first maximum counts).
	add(Case{Name: "count_correct/ties", Op: tensor.CountCorrectOp{}, In: []Input{constant([]int{3, 3}, 1, 1, 0, 0, 2, 2, 5, 1, 5), constant([]int{3}, 0, 2, 0)}, Out: []Output{{Shape: []int{1}, Init: []float32{0}}}, Tol: E})

	// Reductions and broadcast.
	add(Case{Name: "sum/3x5x7x7", Op: tensor.SumOp{A: 1}, In: []Input{u(3, 5, 7, 7)}, Out: []Output{out(1)}, Tol: TolReduce})
	add(Case{Name: "sum/mean-65x33", Op: tensor.SumOp{A: 1.0 / (65 * 33)}, In: []Input{u(65, 33)}, Out: []Output{out(1)}, Tol: TolReduce})
	add(Case{Name: "sum/accumulate", Op: tensor.SumOp{A: 0.5, Accumulate: true}, In: []Input{u(17)}, Out: []Output{{Shape: []int{1}, Init: []float32{1.5}}}, Tol: TolReduce})
	add(Case{Name: "sum/9001", Op: tensor.SumOp{A: 1}, In: []Input{u(9001)}, Out: []Output{out(1)}, Tol: TolReduce})
	add(Case{Name: "sum_squares/3x5x7x7", Op: tensor.SumSquaresOp{}, In: []Input{u(3, 5, 7, 7)}, Out: []Output{out(1)}, Tol: TolReduce})
	add(Case{Name: "sum_squares/accumulate", Op: tensor.SumSquaresOp{Accumulate: true}, In: []Input{u(65)}, Out: []Output{{Shape: []int{1}, Init: []float32{3}}}, Tol: TolReduce})
	add(Case{Name: "broadcast/3x5x7", Op: tensor.BroadcastOp{A: 0.25}, In: []Input{u(1)}, Out: []Output{out(3, 5, 7)}, Tol: E})
	add(Case{Name: "clip_by_norm/clipped", Op: tensor.ClipByNormOp{MaxNorm: 5}, In: []Input{u(3, 17), constant([]int{1}, 400)}, Out: []Output{inPlace(0, 3, 17)}, Tol: E})
	add(Case{Name: "clip_by_norm/unclipped", Op: tensor.ClipByNormOp{MaxNorm: 5}, In: []Input{u(3, 17), constant([]int{1}, 4)}, Out: []Output{inPlace(0, 3, 17)}, Tol: E})

	// Optimiser steps.
	for _, o := range []tensor.SGDStepOp{
		{LR: 0.025, Momentum: 0.9, WeightDecay: 3e-4, First: true},
		{LR: 0.025, Momentum: 0.9, WeightDecay: 3e-4},
		{LR: 0.1, Momentum: 0.9, Nesterov: true},
		{LR: 0.1, Momentum: 0.5, Dampening: 0.3, WeightDecay: 1e-2},
		{LR: 0.1, WeightDecay: 1e-3},
	} {
		name := fmt.Sprintf("sgd_step/mom%g-damp%g-wd%g-nesterov%v-first%v", o.Momentum, o.Dampening, o.WeightDecay, o.Nesterov, o.First)
		add(Case{Name: name, Op: o, In: []Input{u(3, 5, 7), u(3, 5, 7), u(3, 5, 7)}, Out: []Output{inPlace(0, 3, 5, 7), inPlace(2, 3, 5, 7)}, Tol: E})
	}
	for _, o := range []tensor.AdamStepOp{
		{LR: 3e-4, Beta1: 0.5, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-3, Step: 1},
		{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 7},
	} {
		name := fmt.Sprintf("adam_step/step%d-wd%g", o.Step, o.WeightDecay)
		add(Case{Name: name, Op: o, In: []Input{u(3, 17), u(3, 17), u(3, 17), uni([]int{3, 17}, 0.01, 1)}, Out: []Output{inPlace(0, 3, 17), inPlace(2, 3, 17), inPlace(3, 3, 17)}, Tol: TolReduce})
	}
	return cs
}
