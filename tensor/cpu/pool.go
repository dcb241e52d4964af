package cpu

import (
	"sync"
	"sync/atomic"
)

// workerPool is a set of persistent goroutines that help the calling goroutine run the
// tasks of one parallel call; no goroutine is started per op.
type workerPool struct {
	workers int // helpers besides the caller
	queue   chan *batch
}

// batch is one parallel call, shared by its participants. A helper that receives it
// after the caller has finished every task (it was busy elsewhere, or it is the very
// goroutine that made this call from inside a task of another) finds it closed and
// leaves it alone: the caller waits only for helpers that joined in time, so nested and
// concurrent calls cannot deadlock.
type batch struct {
	body  func(slot, task int)
	tasks int64
	next  atomic.Int64
	slots atomic.Int32

	mu     sync.Mutex
	cond   sync.Cond
	active int  // helpers inside work
	closed bool // the caller has run out of tasks; no helper joins any more
}

func (b *batch) work() {
	slot := int(b.slots.Add(1) - 1)
	for {
		t := b.next.Add(1) - 1
		if t >= b.tasks {
			return
		}
		b.body(slot, int(t))
	}
}

// help is what a helper goroutine does with a batch it received.
func (b *batch) help() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.active++
	b.mu.Unlock()
	b.work()
	b.mu.Lock()
	b.active--
	if b.active == 0 && b.closed {
		b.cond.Signal()
	}
	b.mu.Unlock()
}

func newWorkerPool(threads int) *workerPool {
	p := &workerPool{workers: threads - 1}
	if p.workers > 0 {
		p.queue = make(chan *batch, p.workers)
		for range p.workers {
			go func(q chan *batch) {
				for b := range q {
					b.help()
				}
			}(p.queue)
		}
	}
	return p
}

// stop ends the helpers; the pool must not be used afterwards.
func (p *workerPool) stop() {
	if p.queue != nil {
		close(p.queue)
	}
}

// run calls body(slot, task) for every task in [0, tasks) on the caller and up to
// workers helpers, and returns when all have returned. slot is distinct among the
// goroutines serving this call and below workers+1, so it can index scratch. The caller
// takes every task nobody else takes. Each call has its own batch (a stale batch left in
// the queue must never be mistaken for a later call).
func (p *workerPool) run(tasks int, body func(slot, task int)) {
	helpers := min(p.workers, tasks-1)
	if helpers <= 0 {
		for t := range tasks {
			body(0, t)
		}
		return
	}
	b := &batch{body: body, tasks: int64(tasks)}
	b.cond.L = &b.mu
	for range helpers {
		select {
		case p.queue <- b:
		default:
		}
	}
	b.work()
	b.mu.Lock()
	b.closed = true
	for b.active > 0 {
		b.cond.Wait()
	}
	b.mu.Unlock()
}

// parallelMinWork is the estimated work (roughly float operations) below which an op runs
// on the calling goroutine alone: waking a parked helper costs a few microseconds, about
// the time one core needs for this many operations.
const parallelMinWork = 1 << 15

// parallel runs body over tasks, in parallel when work (the op's total estimated
// float operations) is large enough to pay for waking the helpers.
func (b *Backend) parallel(tasks int, work int, body func(slot, task int)) {
	if tasks <= 1 || work < parallelMinWork || b.threads <= 1 {
		for t := range tasks {
			body(0, t)
		}
		return
	}
	b.pool.run(tasks, body)
}

// parallelRange splits [0, n) into chunks of at least grain items and calls body(lo, hi)
// on each; workPerItem estimates the float operations per item. The chunking depends
// on n, grain and the thread count, so body must write only the items of its chunk and
// must not reduce across items.
func (b *Backend) parallelRange(n, grain, workPerItem int, body func(lo, hi int)) {
	if n <= 0 {
		return
	}
	chunks := 1
	if n*workPerItem >= parallelMinWork && b.threads > 1 {
		chunks = min(b.threads*4, max(n/max(grain, 1), 1))
	}
	if chunks <= 1 {
		body(0, n)
		return
	}
	b.pool.run(chunks, func(_, t int) {
		body(t*n/chunks, (t+1)*n/chunks)
	})
}

// scratchSet hands out reusable float32 slices (im2col columns, partial sums) so that
// steady-state training allocates nothing per op.
type scratchSet struct {
	mu   sync.Mutex
	free [][]float32
}

// get returns a slice of n elements with unspecified contents.
func (s *scratchSet) get(n int) []float32 {
	s.mu.Lock()
	best := -1
	for i, f := range s.free {
		if cap(f) >= n && (best < 0 || cap(f) < cap(s.free[best])) {
			best = i
		}
	}
	if best >= 0 {
		f := s.free[best]
		s.free[best] = s.free[len(s.free)-1]
		s.free = s.free[:len(s.free)-1]
		s.mu.Unlock()
		return f[:n]
	}
	s.mu.Unlock()
	return make([]float32, n)
}

// put gives a slice from get back.
func (s *scratchSet) put(f []float32) {
	s.mu.Lock()
	if len(s.free) < 64 {
		s.free = append(s.free, f)
	}
	s.mu.Unlock()
}
