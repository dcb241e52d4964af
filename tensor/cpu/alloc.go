package cpu

import (
	"runtime"
	"sync"
)

// Buffers of at least pooledMin elements are recycled: a training step allocates the same
// sizes every step, and a fresh large allocation costs page faults on first touch (about
// 0.4 ms for 4 MiB, four times a ReLU over it) where a recycled one costs a clear. A
// buffer returns to the pool when Free is called or, through a runtime cleanup, when the
// garbage collector finds it unreachable.
const pooledMin = 1 << 14

// poolMaxBytes bounds the memory the pool holds idle; beyond it buffers go back to the
// garbage collector. Idle pooled memory counts as live heap for the collector's pacing,
// so the bound also bounds what the pool can add to the peak resident size (twice this
// with GOGC=100).
const poolMaxBytes = 256 << 20

type bufferPool struct {
	mu    sync.Mutex
	free  map[int][][]float32 // by length
	bytes int
}

func (p *bufferPool) get(n int) []float32 {
	p.mu.Lock()
	list := p.free[n]
	if len(list) == 0 {
		p.mu.Unlock()
		return nil
	}
	d := list[len(list)-1]
	p.free[n] = list[:len(list)-1]
	p.bytes -= 4 * n
	p.mu.Unlock()
	return d
}

func (p *bufferPool) put(d []float32) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bytes+4*len(d) > poolMaxBytes {
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
	if d == nil {
		d = make([]float32, n)
	} else {
		b.clear(d)
	}
	buf := &buffer{data: d}
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

// clear zeroes d, in parallel for large buffers.
func (b *Backend) clear(d []float32) {
	b.each(len(d), 1, func(lo, hi int) { clear(d[lo:hi]) })
}
