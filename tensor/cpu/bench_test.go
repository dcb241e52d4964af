package cpu

import (
	"fmt"
	"testing"

	"godarts/tensor"
)

// Per-kernel benchmarks on the shapes of a DARTS search cell. BenchmarkKernels: batch
// 32, C=16, 32x32 maps; BenchmarkPaperKernels: the three cell sizes of the paper search
// configuration (batch 64; C 16 at 32x32, 32 at 16x16, 64 at 8x8). Each reports GFLOP/s
// from the op's floating-point operation count (a multiply-add counts 2; for batch norm,
// pools and the weighted sum, the count stated at each case).
//
//	go test -run '^$' -bench . -benchtime 20x ./tensor/cpu/

// benchShape is the activation shape the benchmark ops work on.
type benchShape struct{ n, c, hw int }

func (s benchShape) String() string { return fmt.Sprintf("n%d-c%d-%dx%d", s.n, s.c, s.hw, s.hw) }

var (
	kernelShape = benchShape{32, 16, 32}
	paperShapes = []benchShape{{64, 16, 32}, {64, 32, 16}, {64, 64, 8}}
)

type benchOp struct {
	name  string
	flops int
	setup func(dev tensor.Backend, rng *tensor.RNG) func()
}

func benchInput(dev tensor.Backend, rng *tensor.RNG, shape ...int) *tensor.Tensor {
	return tensor.FromSlice(dev, rng.UniformSlice(tensor.Shape(shape).Numel(), -1, 1), shape...)
}

func convBench(sh benchShape, name string, cin, cout, k int, p tensor.Conv2DParams, pass string) benchOp {
	benchN, benchHW := sh.n, sh.hw
	oh := tensor.ConvOutSize(benchHW, k, p.Stride, p.Pad, p.Dilation)
	flops := 2 * benchN * cout * oh * oh * (cin / p.Groups) * k * k
	return benchOp{name + "/" + pass, flops, func(dev tensor.Backend, rng *tensor.RNG) func() {
		x := benchInput(dev, rng, benchN, cin, benchHW, benchHW)
		w := benchInput(dev, rng, cout, cin/p.Groups, k, k)
		dy := benchInput(dev, rng, benchN, cout, oh, oh)
		y, dx, dw := tensor.NewLike(dy), tensor.NewLike(x), tensor.NewLike(w)
		switch pass {
		case "fwd":
			return func() { dev.Run(tensor.Conv2DOp{Conv2DParams: p}, []*tensor.Tensor{y}, []*tensor.Tensor{x, w}) }
		case "bwd_data":
			return func() {
				dev.Run(tensor.Conv2DBackwardDataOp{Conv2DParams: p}, []*tensor.Tensor{dx}, []*tensor.Tensor{dy, w})
			}
		default:
			return func() {
				dev.Run(tensor.Conv2DBackwardFilterOp{Conv2DParams: p}, []*tensor.Tensor{dw}, []*tensor.Tensor{x, dy})
			}
		}
	}}
}

func benchOps(sh benchShape) []benchOp {
	benchN, benchC, benchHW := sh.n, sh.c, sh.hw
	var ops []benchOp
	dense := tensor.Conv2DParams{Stride: 1, Pad: 1, Dilation: 1, Groups: 1}
	dw3 := tensor.Conv2DParams{Stride: 1, Pad: 1, Dilation: 1, Groups: benchC}
	dw5dil := tensor.Conv2DParams{Stride: 1, Pad: 4, Dilation: 2, Groups: benchC}
	dw3dil := tensor.Conv2DParams{Stride: 1, Pad: 2, Dilation: 2, Groups: benchC}
	pw := tensor.Conv2DParams{Stride: 1, Pad: 0, Dilation: 1, Groups: 1}
	dw3s2 := tensor.Conv2DParams{Stride: 2, Pad: 1, Dilation: 1, Groups: benchC}
	dw5s2 := tensor.Conv2DParams{Stride: 2, Pad: 2, Dilation: 1, Groups: benchC}
	dw3dils2 := tensor.Conv2DParams{Stride: 2, Pad: 2, Dilation: 2, Groups: benchC}
	dw5dils2 := tensor.Conv2DParams{Stride: 2, Pad: 4, Dilation: 2, Groups: benchC}
	for _, pass := range []string{"fwd", "bwd_data", "bwd_filter"} {
		ops = append(ops,
			convBench(sh, "conv3x3", benchC, benchC, 3, dense, pass),
			convBench(sh, "conv1x1", benchC, benchC, 1, pw, pass),
			convBench(sh, "dw3x3", benchC, benchC, 3, dw3, pass),
			convBench(sh, "dw3x3s2", benchC, benchC, 3, dw3s2, pass),
			convBench(sh, "dw5x5s2", benchC, benchC, 5, dw5s2, pass),
			convBench(sh, "dw3x3dil2", benchC, benchC, 3, dw3dil, pass),
			convBench(sh, "dw3x3dil2s2", benchC, benchC, 3, dw3dils2, pass),
			convBench(sh, "dw5x5dil2", benchC, benchC, 5, dw5dil, pass),
			convBench(sh, "dw5x5dil2s2", benchC, benchC, 5, dw5dils2, pass))
	}
	numel := benchN * benchC * benchHW * benchHW
	bn := tensor.BatchNormParams{Eps: 1e-5, Momentum: 0.1}
	// Batch norm: 6 operations per element forward (sum, deviation square-add, affine),
	// 9 backward (two sums with a subtraction, then the 5-operation dx formula).
	ops = append(ops, benchOp{"batchnorm/fwd", 6 * numel, func(dev tensor.Backend, rng *tensor.RNG) func() {
		x := benchInput(dev, rng, benchN, benchC, benchHW, benchHW)
		g, b, rm, rv := benchInput(dev, rng, benchC), benchInput(dev, rng, benchC), tensor.New(dev, benchC), tensor.Full(dev, 1, benchC)
		y, m, s := tensor.NewLike(x), tensor.New(dev, benchC), tensor.New(dev, benchC)
		return func() {
			dev.Run(tensor.BatchNormTrainOp{BatchNormParams: bn}, []*tensor.Tensor{y, m, s}, []*tensor.Tensor{x, g, b, rm, rv})
		}
	}})
	ops = append(ops, benchOp{"batchnorm/bwd", 9 * numel, func(dev tensor.Backend, rng *tensor.RNG) func() {
		x, dy := benchInput(dev, rng, benchN, benchC, benchHW, benchHW), benchInput(dev, rng, benchN, benchC, benchHW, benchHW)
		g := benchInput(dev, rng, benchC)
		_, m, s := tensor.BatchNormTrain(x, g, nil, nil, nil, bn)
		dx, dg, db := tensor.NewLike(x), tensor.New(dev, benchC), tensor.New(dev, benchC)
		return func() {
			dev.Run(tensor.BatchNormBackwardOp{BatchNormParams: bn}, []*tensor.Tensor{dx, dg, db}, []*tensor.Tensor{dy, x, m, s, g})
		}
	}})
	// Pooling 3x3: 9 compare-or-add operations per output.
	for _, kind := range []tensor.PoolKind{tensor.MaxPool, tensor.AvgPool} {
		p := tensor.Pool2DParams{Kind: kind, K: 3, Stride: 1, Pad: 1}
		name := map[tensor.PoolKind]string{tensor.MaxPool: "maxpool3x3", tensor.AvgPool: "avgpool3x3"}[kind]
		ops = append(ops, benchOp{name + "/fwd", 9 * numel, func(dev tensor.Backend, rng *tensor.RNG) func() {
			x := benchInput(dev, rng, benchN, benchC, benchHW, benchHW)
			y := tensor.NewLike(x)
			return func() { dev.Run(tensor.Pool2DOp{Pool2DParams: p}, []*tensor.Tensor{y}, []*tensor.Tensor{x}) }
		}}, benchOp{name + "/bwd", 9 * numel, func(dev tensor.Backend, rng *tensor.RNG) func() {
			x, dy := benchInput(dev, rng, benchN, benchC, benchHW, benchHW), benchInput(dev, rng, benchN, benchC, benchHW, benchHW)
			dx := tensor.NewLike(x)
			return func() {
				dev.Run(tensor.Pool2DBackwardOp{Pool2DParams: p}, []*tensor.Tensor{dx}, []*tensor.Tensor{dy, x})
			}
		}})
	}
	// Weighted sum of the 8 DARTS candidate ops: 2 operations per element and input.
	const k = 8
	ops = append(ops, benchOp{"weightedsum8/fwd", 2 * k * numel, func(dev tensor.Backend, rng *tensor.RNG) func() {
		in := []*tensor.Tensor{benchInput(dev, rng, k)}
		for range k {
			in = append(in, benchInput(dev, rng, benchN, benchC, benchHW, benchHW))
		}
		y := tensor.NewLike(in[1])
		return func() { dev.Run(tensor.WeightedSumOp{}, []*tensor.Tensor{y}, in) }
	}}, benchOp{"weightedsum8/bwd", 4 * k * numel, func(dev tensor.Backend, rng *tensor.RNG) func() {
		in := []*tensor.Tensor{benchInput(dev, rng, benchN, benchC, benchHW, benchHW), benchInput(dev, rng, k)}
		out := []*tensor.Tensor{tensor.New(dev, k)}
		for range k {
			in = append(in, benchInput(dev, rng, benchN, benchC, benchHW, benchHW))
			out = append(out, tensor.NewLike(in[0]))
		}
		return func() { dev.Run(tensor.WeightedSumBackwardOp{}, out, in) }
	}})
	// Strided copies, counted as one operation per element: the crop of FactorizedReduce
	// (x[:, :, 1:, 1:]) and a cell's concatenation into a channel slice.
	crop := benchN * benchC * (benchHW - 1) * (benchHW - 1)
	ops = append(ops, benchOp{"copy_crop", crop, func(dev tensor.Backend, rng *tensor.RNG) func() {
		x := benchInput(dev, rng, benchN, benchC, benchHW, benchHW)
		v := x.Narrow(2, 1, benchHW-1).Narrow(3, 1, benchHW-1)
		y := tensor.New(dev, v.Shape...)
		return func() { dev.Run(tensor.CopyOp{}, []*tensor.Tensor{y}, []*tensor.Tensor{v}) }
	}}, benchOp{"copy_concat", numel, func(dev tensor.Backend, rng *tensor.RNG) func() {
		x := benchInput(dev, rng, benchN, benchC, benchHW, benchHW)
		y := tensor.New(dev, benchN, 4*benchC, benchHW, benchHW)
		v := y.Narrow(1, benchC, benchC)
		return func() { dev.Run(tensor.CopyOp{}, []*tensor.Tensor{v}, []*tensor.Tensor{x}) }
	}})
	ops = append(ops, benchOp{"relu/fwd", numel, func(dev tensor.Backend, rng *tensor.RNG) func() {
		x := benchInput(dev, rng, benchN, benchC, benchHW, benchHW)
		y := tensor.NewLike(x)
		return func() { dev.Run(tensor.ReLUOp{}, []*tensor.Tensor{y}, []*tensor.Tensor{x}) }
	}})
	return ops
}

func BenchmarkKernels(b *testing.B) { runBenchOps(b, benchOps(kernelShape)) }

// BenchmarkPaperKernels: go test -run '^$' -bench 'PaperKernels/n64-c64-8x8/dw' ./tensor/cpu/
func BenchmarkPaperKernels(b *testing.B) {
	for _, sh := range paperShapes {
		b.Run(sh.String(), func(b *testing.B) { runBenchOps(b, benchOps(sh)) })
	}
}

func runBenchOps(b *testing.B, ops []benchOp) {
	for _, op := range ops {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", op.name, threads), func(b *testing.B) {
				dev := New(threads)
				f := op.setup(dev, tensor.NewRNG(1))
				f()
				b.ResetTimer()
				for b.Loop() {
					f()
				}
				b.ReportMetric(float64(op.flops)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkAllocThenReLU allocates a [64,16,32,32] output, runs ReLU into it and frees
// it: the pattern of every op output in a training step, where the output buffer comes
// back from the pool (alloc.go).
func BenchmarkAllocThenReLU(b *testing.B) {
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			dev := New(threads)
			x := benchInput(dev, tensor.NewRNG(1), 64, 16, 32, 32)
			for b.Loop() {
				y := tensor.NewLike(x)
				dev.Run(tensor.ReLUOp{}, []*tensor.Tensor{y}, []*tensor.Tensor{x})
				y.Free()
			}
		})
	}
}
