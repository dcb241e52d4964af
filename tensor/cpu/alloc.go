package cpu

import (
	"runtime"
	"sync"

	"godarts/tensor"
)

// Buffers of at least pooledMin elements are recycled: a training step allocates the same
// sizes every step, and a fresh large allocation costs page faults on first touch (about
// 0.4 ms for 4 MiB, four times a ReLU over it) where a recycled one costs a clear. A
// buffer returns to the pool when Free is called or, through a runtime cleanup, when the
// garbage collector finds it unreachable.
//
// The clear is lazy: a recycled buffer is handed out stale (old contents, marked) and
// zeroed on its first use, unless that first use is an op that overwrites the whole
// buffer (claimOutputs), which is what nearly every activation and gradient is
// allocated for. That saves a write pass over memory per op output.
const pooledMin = 1 << 14

// The pool may hold idle as many bytes as were ever handed out at once (its high-water
// mark), and at least poolMinBytes. A training step's activations die at the end of its
// backward pass and are all allocated again, at the same sizes, by the next forward: a
// fixed bound smaller than that set sent most of them back to the garbage collector,
// whose scavenger returned the pages to the OS, and the next step faulted them in again
// (the paper search config: 3 million page faults, a third of the run time in the
// kernel). Bounded by the high-water mark, the pool and the live buffers together stay
// within the peak the program already reached: a miss evicts idle buffers of other sizes
// first, so that handed-out plus idle bytes do not exceed the mark.
const poolMinBytes = 256 << 20

type bufferPool struct {
	mu    sync.Mutex
	free  map[int][][]float32 // by length
	bytes int                 // idle, in free
	inUse int                 // handed out and not yet returned
	peak  int                 // largest inUse so far
	floor int                 // tests: replaces poolMinBytes when > 0
}

// limit is the most bytes the pool lets be handed out and idle together without growing
// its mark.
func (p *bufferPool) limit() int {
	if p.floor > 0 {
		return max(p.peak, p.floor)
	}
	return max(p.peak, poolMinBytes)
}

// get returns an idle buffer of n elements (with stale contents), or nil after making
// room for a new one.
func (p *bufferPool) get(n int) []float32 {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inUse += 4 * n
	p.peak = max(p.peak, p.inUse)
	if list := p.free[n]; len(list) > 0 {
		d := list[len(list)-1]
		list[len(list)-1] = nil
		p.free[n] = list[:len(list)-1]
		p.bytes -= 4 * n
		return d
	}
	// A miss: the caller allocates n new elements. Drop idle buffers of other sizes
	// (to the garbage collector) while handed-out plus idle exceeds the mark.
	if p.inUse+p.bytes <= p.limit() {
		return nil
	}
	for size, list := range p.free {
		for len(list) > 0 && p.inUse+p.bytes > p.limit() {
			list[len(list)-1] = nil
			list = list[:len(list)-1]
			p.bytes -= 4 * size
		}
		p.free[size] = list
	}
	return nil
}

// put takes back a buffer that get's caller allocated or received.
func (p *bufferPool) put(d []float32) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inUse -= 4 * len(d)
	if p.inUse+p.bytes+4*len(d) > p.limit() {
		return
	}
	if p.free == nil {
		p.free = make(map[int][][]float32)
	}
	p.free[len(d)] = append(p.free[len(d)], d)
	p.bytes += 4 * len(d)
}

// alloc returns a zeroed buffer of n elements.
func (b *Backend) alloc(n int) *buffer {
	if n < pooledMin {
		return &buffer{data: make([]float32, n)}
	}
	d := b.buffers.get(n)
	stale := d != nil
	if d == nil {
		d = make([]float32, n)
	}
	buf := &buffer{data: d, stale: stale}
	buf.cleanup = runtime.AddCleanup(buf, b.buffers.put, d)
	buf.pooled = true
	return buf
}

// free returns a pooled buffer's memory at once.
func (b *Backend) free(buf *buffer) {
	if !buf.pooled || buf.data == nil {
		return
	}
	buf.cleanup.Stop()
	b.buffers.put(buf.data)
	buf.data = nil
}

// materialize zeroes the buffers of ts that are still stale, in parallel.
func (b *Backend) materialize(ts []*tensor.Tensor) {
	for _, t := range ts {
		if t == nil {
			continue
		}
		if cb, ok := t.Buf.(*buffer); ok && cb.stale {
			b.clear(cb.data)
			cb.stale = false
		}
	}
}

// claimOutputs marks as written the stale buffers that op will overwrite whole: out
// tensors that the op writes entirely, cover their buffer exactly and are not also
// inputs (in place).
func claimOutputs(op tensor.Op, out, in []*tensor.Tensor) {
	first, last := overwritten(op, len(out))
	for _, t := range out[first:last] {
		if t == nil {
			continue
		}
		cb, ok := t.Buf.(*buffer)
		if !ok || !cb.stale || t.Off != 0 || t.Numel() != len(cb.data) || !t.IsContiguous() {
			continue
		}
		inPlace := false
		for _, x := range in {
			if x != nil && x.Buf == t.Buf {
				inPlace = true
			}
		}
		if !inPlace {
			cb.stale = false
		}
	}
}

// overwritten returns the range of out that op writes element by element, whatever the
// old contents (ops.go: no accumulation); empty for ops not listed.
func overwritten(op tensor.Op, outs int) (first, last int) {
	switch op.(type) {
	case tensor.FillOp, tensor.CopyOp, tensor.AxpbyOp, tensor.ScaleOp, tensor.AddScalarOp,
		tensor.MulOp, tensor.ScaleByElemOp, tensor.ScaleRowsOp, tensor.WeightedSumOp,
		tensor.ReLUOp, tensor.ReLUBackwardOp, tensor.SigmoidOp, tensor.SigmoidBackwardOp,
		tensor.Conv2DOp, tensor.Conv2DBackwardDataOp, tensor.Conv2DBackwardFilterOp,
		tensor.MatMulOp, tensor.AddBiasOp, tensor.Pool2DOp, tensor.Pool2DBackwardOp,
		tensor.GlobalAvgPoolBackwardOp, tensor.BatchNormTrainOp, tensor.BatchNormEvalOp,
		tensor.BatchNormBackwardOp, tensor.BroadcastOp:
		return 0, min(outs, 1)
	case tensor.WeightedSumBackwardOp:
		// dx_k = w[k]*dy; dw (out[0]) is small.
		return min(outs, 1), outs
	}
	return 0, 0
}

// clear zeroes d, in parallel for large buffers.
func (b *Backend) clear(d []float32) {
	b.each(len(d), 1, func(lo, hi int) { clear(d[lo:hi]) })
}
