// Package cpu is the CPU backend of package tensor: float32 kernels run synchronously on
// a persistent worker pool, with results that do not depend on the number of threads.
//
// Layout: cpu.go dispatches each op; pool.go is the worker pool and scratch; alloc.go
// recycles large buffers; one file per op family (elementwise, reduce, softmax,
// batchnorm, conv, depthwise, pool2d) holds forward and backward side by side. The hot
// loops are package variables in kernels.go that point at internal/simd (SGEMM and
// vector kernels) and internal/taps (fused multi-tap sums); both pick AVX2/AVX-512
// assembly or Go loops at run time, and the purego build tag keeps only the Go loops.
//
// Convolutions: 1x1 stride-1 convolutions are one GEMM per sample; other dense and
// grouped ones im2col into reused scratch + GEMM, with col2im for the data gradient;
// depthwise ones (SepConv, DilConv) and pooling run directly on zero-padded phase
// planes (depthwise.go). Parallel work is split over samples, planes, channels or rows,
// and reductions over fixed-size chunks added in a fixed order.
package cpu

import (
	"fmt"
	"runtime"

	"godarts/tensor"
)

// buffer is the CPU's storage: a plain slice of float32, recycled through the backend's
// pool when it is large (alloc.go).
type buffer struct {
	data    []float32
	pooled  bool
	stale   bool // recycled and not yet zeroed or overwritten (alloc.go)
	cleanup runtime.Cleanup
}

func (b *buffer) Len() int { return len(b.data) }

// Backend runs every op of package tensor on the calling goroutine and, above a size
// threshold, on a pool of persistent worker goroutines. Work is split only over
// independent outputs (rows, channels, samples) or over fixed-size chunks combined in a
// fixed order, so every result is bit-identical for any thread count.
type Backend struct {
	threads int
	pool    *workerPool
	scratch scratchSet
	buffers bufferPool
}

// New returns a CPU backend that uses up to threads goroutines (threads <= 0:
// runtime.NumCPU()).
func New(threads int) tensor.Backend { return NewBackend(threads) }

// NewBackend is New returning the concrete type (for tests and benchmarks that want
// Threads).
func NewBackend(threads int) *Backend {
	if threads <= 0 {
		threads = runtime.NumCPU()
	}
	b := &Backend{threads: threads, pool: newWorkerPool(threads)}
	// The helpers reference only the pool, so an unreachable Backend is collected and
	// its helpers end.
	runtime.AddCleanup(b, func(p *workerPool) { p.stop() }, b.pool)
	return b
}

// Name says "cpu".
func (b *Backend) Name() string { return "cpu" }

// Threads is the number of goroutines the backend splits work over.
func (b *Backend) Threads() int { return b.threads }

// Alloc returns a zeroed buffer of n elements.
func (b *Backend) Alloc(n int) tensor.Buffer {
	if n < 0 {
		panic(fmt.Sprintf("cpu.Alloc: negative size %d", n))
	}
	return b.alloc(n)
}

// Free recycles a large buffer at once (the garbage collector would recycle it later).
// The buffer must not be used afterwards.
func (b *Backend) Free(buf tensor.Buffer) {
	if cb, ok := buf.(*buffer); ok {
		b.free(cb)
	}
}

// Upload copies src into dst starting at element off.
func (b *Backend) Upload(dst tensor.Buffer, off int, src []float32) {
	copy(bufData(dst)[off:off+len(src)], src)
	runtime.KeepAlive(dst)
}

// Download copies len(dst) elements of src starting at off into dst.
func (b *Backend) Download(dst []float32, src tensor.Buffer, off int) {
	copy(dst, bufData(src)[off:off+len(dst)])
	runtime.KeepAlive(src)
}

// Sync returns at once: every op has finished when Run returns.
func (b *Backend) Sync() {}

// bufData returns a buffer's elements, zeroing a stale one first (Run has already done
// that, or claimed the buffer, for the tensors of an op).
func bufData(b tensor.Buffer) []float32 {
	cb, ok := b.(*buffer)
	if !ok {
		panic(fmt.Sprintf("cpu: buffer of type %T belongs to another backend", b))
	}
	if cb.stale {
		clear(cb.data)
		cb.stale = false
	}
	return cb.data
}

// data returns the elements of a contiguous tensor (nil for a nil tensor).
func data(t *tensor.Tensor) []float32 {
	if t == nil {
		return nil
	}
	n := t.Numel()
	return bufData(t.Buf)[t.Off : t.Off+n : t.Off+n]
}

// Run executes op synchronously.
func (b *Backend) Run(op tensor.Op, out, in []*tensor.Tensor) {
	// The kernels hold only the buffers' slices: keep the buffers reachable, so that
	// their cleanup cannot recycle the memory while an op still uses it.
	defer runtime.KeepAlive(in)
	defer runtime.KeepAlive(out)
	// Outputs about to be overwritten skip the zeroing of recycled memory; every other
	// stale buffer is zeroed here, before any task can touch it.
	claimOutputs(op, out, in)
	b.materialize(in)
	b.materialize(out)
	switch o := op.(type) {
	case tensor.FillOp:
		b.fill(data(out[0]), o.Value)
	case tensor.CopyOp:
		b.copyStrided(out[0], in[0])
	case tensor.AxpbyOp:
		b.axpby(data(out[0]), o.A, data(in[0]), o.B, data(in[1]))
	case tensor.ScaleOp:
		b.scale(data(out[0]), o.A, data(in[0]))
	case tensor.AddScalarOp:
		b.addScalar(data(out[0]), data(in[0]), o.A)
	case tensor.MulOp:
		b.mul(data(out[0]), data(in[0]), data(in[1]))
	case tensor.ScaleByElemOp:
		b.scale(data(out[0]), o.A*data(in[1])[o.Index], data(in[0]))
	case tensor.ScaleRowsOp:
		b.scaleRows(data(out[0]), data(in[0]), data(in[1]))
	case tensor.WeightedSumOp:
		b.weightedSum(out[0], in)
	case tensor.WeightedSumBackwardOp:
		b.weightedSumBackward(out, in)
	case tensor.ReLUOp:
		b.relu(data(out[0]), data(in[0]))
	case tensor.ReLUBackwardOp:
		b.reluBackward(data(out[0]), data(in[0]), data(in[1]))
	case tensor.SigmoidOp:
		b.sigmoid(data(out[0]), data(in[0]))
	case tensor.SigmoidBackwardOp:
		b.sigmoidBackward(data(out[0]), data(in[0]), data(in[1]))
	case tensor.Conv2DOp:
		b.conv2D(out[0], in[0], in[1], o.Conv2DParams)
	case tensor.Conv2DBackwardDataOp:
		b.conv2DBackwardData(out[0], in[0], in[1], o.Conv2DParams)
	case tensor.Conv2DBackwardFilterOp:
		b.conv2DBackwardFilter(out[0], in[0], in[1], o.Conv2DParams)
	case tensor.MatMulOp:
		b.matMul(out[0], in[0], in[1], o.TransA, o.TransB)
	case tensor.AddBiasOp:
		b.addBias(out[0], in[0], in[1])
	case tensor.BiasBackwardOp:
		b.biasBackward(out[0], in[0])
	case tensor.Pool2DOp:
		b.pool2D(out[0], in[0], o.Pool2DParams)
	case tensor.Pool2DBackwardOp:
		b.pool2DBackward(out[0], in[0], in[1], o.Pool2DParams)
	case tensor.GlobalAvgPoolOp:
		b.globalAvgPool(out[0], in[0])
	case tensor.GlobalAvgPoolBackwardOp:
		b.globalAvgPoolBackward(out[0], in[0])
	case tensor.BatchNormTrainOp:
		b.batchNormTrain(out, in, o.BatchNormParams)
	case tensor.BatchNormEvalOp:
		b.batchNormEval(out[0], in, o.BatchNormParams)
	case tensor.BatchNormBackwardOp:
		b.batchNormBackward(out, in)
	case tensor.SoftmaxOp:
		b.softmax(out[0], in[0], false)
	case tensor.SoftmaxBackwardOp:
		b.softmaxBackward(out[0], in[0], in[1])
	case tensor.LogSoftmaxOp:
		b.softmax(out[0], in[0], true)
	case tensor.LogSoftmaxBackwardOp:
		b.logSoftmaxBackward(out[0], in[0], in[1])
	case tensor.SparsemaxOp:
		b.sparsemax(out[0], in[0])
	case tensor.SparsemaxBackwardOp:
		b.sparsemaxBackward(out[0], in[0], in[1])
	case tensor.CrossEntropyOp:
		b.crossEntropy(out[0], out[1], in[0], in[1])
	case tensor.CrossEntropyBackwardOp:
		b.crossEntropyBackward(out[0], in[0], in[1], in[2])
	case tensor.CountCorrectOp:
		b.countCorrect(out[0], in[0], in[1])
	case tensor.SumOp:
		b.sum(data(out[0]), data(in[0]), o.A, o.Accumulate, false)
	case tensor.SumSquaresOp:
		b.sum(data(out[0]), data(in[0]), 1, o.Accumulate, true)
	case tensor.BroadcastOp:
		b.fill(data(out[0]), o.A*data(in[0])[0])
	case tensor.ClipByNormOp:
		b.clipByNorm(data(out[0]), data(in[0]), data(in[1])[0], o.MaxNorm)
	case tensor.SGDStepOp:
		b.sgdStep(data(in[0]), data(in[1]), data(in[2]), o)
	case tensor.AdamStepOp:
		b.adamStep(data(in[0]), data(in[1]), data(in[2]), data(in[3]), o)
	default:
		panic(fmt.Sprintf("cpu: op %s (%T) not implemented", op.OpName(), op))
	}
}
