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

// batch is one parallel call, shared by its participants.
type batch struct {
	body  func(slot, task int)
	tasks int64
	next  atomic.Int64
	slots atomic.Int32
	done  sync.WaitGroup
}

var batches = sync.Pool{New: func() any { return new(batch) }}

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

func newWorkerPool(threads int) *workerPool {
	p := &workerPool{workers: threads - 1}
	if p.workers > 0 {
		p.queue = make(chan *batch, p.workers)
		for range p.workers {
			go func(q chan *batch) {
				for b := range q {
					b.work()
					b.done.Done()
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
// goroutines serving this call and below threads, so it can index scratch. A helper busy
// elsewhere is not waited for: the caller takes every task nobody else takes, so nested
// or concurrent calls cannot deadlock.
func (p *workerPool) run(tasks int, body func(slot, task int)) {
	helpers := min(p.workers, tasks-1)
	if helpers <= 0 {
		for t := range tasks {
			body(0, t)
		}
		return
	}
	b := batches.Get().(*batch)
	b.body, b.tasks = body, int64(tasks)
	b.next.Store(0)
	b.slots.Store(0)
	for range helpers {
		b.done.Add(1)
		select {
		case p.queue <- b:
		default:
			b.done.Done()
		}
	}
	b.work()
	b.done.Wait()
	b.body = nil
	batches.Put(b)
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
