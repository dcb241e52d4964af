// Package deferbackend is a test backend that queues every op and runs it only when the
// host reads data, counting the reads, to prove that training code never waits on the
// device implicitly (issue 2, item 2; DESIGN.md: the host waits only when it reads data).
package deferbackend

import "godarts/tensor"

// Backend wraps another backend. Run, Upload and Free are queued; Download and Sync run
// the queue first. Alloc goes straight to the wrapped backend (a zeroed buffer is ready at
// once on any backend); Free is queued so no buffer is reused before the queued ops that
// touch it have run, as an asynchronous device would do.
type Backend struct {
	Inner tensor.Backend
	// Downloads and Syncs count the calls that made the host wait.
	Downloads, Syncs int
	// Live is the number of buffers allocated and not yet freed (a Free counts when it is
	// called, as it would be on a device once its work is done).
	Live  int
	queue []func()
}

// New wraps inner.
func New(inner tensor.Backend) *Backend { return &Backend{Inner: inner} }

// Name is "defer:" and the wrapped backend's name.
func (b *Backend) Name() string { return "defer:" + b.Inner.Name() }

// Alloc returns a zeroed buffer of the wrapped backend.
func (b *Backend) Alloc(n int) tensor.Buffer {
	b.Live++
	return b.Inner.Alloc(n)
}

// Free queues the release of buf.
func (b *Backend) Free(buf tensor.Buffer) {
	b.Live--
	b.queue = append(b.queue, func() { b.Inner.Free(buf) })
}

// Upload queues a copy of src (taken now, as a device staging buffer would).
func (b *Backend) Upload(dst tensor.Buffer, off int, src []float32) {
	data := append([]float32(nil), src...)
	b.queue = append(b.queue, func() { b.Inner.Upload(dst, off, data) })
}

// Download runs the queue, then reads.
func (b *Backend) Download(dst []float32, src tensor.Buffer, off int) {
	b.Downloads++
	b.flush()
	b.Inner.Download(dst, src, off)
}

// Run queues op on snapshots of the tensors' headers (a later Free clears a tensor's Buf
// field; the queued op must still see the buffer it was given).
func (b *Backend) Run(op tensor.Op, out, in []*tensor.Tensor) {
	o, i := snapshot(out), snapshot(in)
	b.queue = append(b.queue, func() { b.Inner.Run(op, o, i) })
}

// Sync runs the queue.
func (b *Backend) Sync() {
	b.Syncs++
	b.flush()
	b.Inner.Sync()
}

// Pending is the number of queued calls not yet run.
func (b *Backend) Pending() int { return len(b.queue) }

func (b *Backend) flush() {
	q := b.queue
	b.queue = nil
	for _, f := range q {
		f()
	}
}

func snapshot(ts []*tensor.Tensor) []*tensor.Tensor {
	out := make([]*tensor.Tensor, len(ts))
	for k, t := range ts {
		if t != nil {
			c := *t
			c.Shape = append(tensor.Shape(nil), t.Shape...)
			c.Strides = append([]int(nil), t.Strides...)
			out[k] = &c
		}
	}
	return out
}
