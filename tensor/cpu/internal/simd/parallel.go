package simd

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// A job is work split into numbered tasks. runTask may run on any
// goroutine; slot identifies the participant running it, distinct among the
// participants of one call, so it can index per-participant scratch.
type job interface {
	runTask(slot, task int)
}

// batch is one call of runTasks, shared by its participants. The caller
// waits only for tasks to finish, never for helpers that have not started
// (a woken goroutine can take a while to run on a busy machine); the last
// participant to let go of the batch returns it to the pool.
type batch struct {
	j       job
	tasks   int64
	next    atomic.Int64 // next task to hand out
	pending atomic.Int64 // tasks not finished
	slots   atomic.Int32 // participants so far
	refs    atomic.Int32 // caller and helpers still holding the batch
	done    chan struct{}
}

func (b *batch) work() {
	slot := int(b.slots.Add(1) - 1)
	for {
		t := b.next.Add(1) - 1
		if t >= b.tasks {
			return
		}
		b.j.runTask(slot, int(t))
		if b.pending.Add(-1) == 0 {
			b.done <- struct{}{}
		}
	}
}

func (b *batch) release() {
	if b.refs.Add(-1) == 0 {
		batches.Put(b)
	}
}

var batches = sync.Pool{New: func() any { return &batch{done: make(chan struct{}, 1)} }}

// pool is the package's persistent worker goroutines: GOMAXPROCS-1 of them
// (read at first use), so that a parallel call wakes sleeping goroutines
// instead of spawning new ones.
var pool struct {
	once    sync.Once
	workers int
	queue   chan *batch
}

func startPool() {
	pool.workers = runtime.GOMAXPROCS(0) - 1
	pool.queue = make(chan *batch, max(pool.workers, 1))
	for range pool.workers {
		go func() {
			for b := range pool.queue {
				b.work()
				b.release()
			}
		}()
	}
}

// maxWorkers is the most participants a parallel call can have: the pool's
// goroutines and the caller.
func maxWorkers() int {
	pool.once.Do(startPool)
	return pool.workers + 1
}

// runTasks runs j's tasks 0..tasks-1 on the calling goroutine and on up to
// workers-1 goroutines of the pool, and returns when all are done. Helpers
// that are busy elsewhere or slow to wake are not waited for: the caller
// takes every task nobody else has taken, so nested or concurrent calls
// cannot deadlock.
func runTasks(workers, tasks int, j job) {
	workers = min(workers, tasks, maxWorkers())
	if workers <= 1 {
		for t := range tasks {
			j.runTask(0, t)
		}
		return
	}
	b := batches.Get().(*batch)
	b.j, b.tasks = j, int64(tasks)
	b.next.Store(0)
	b.pending.Store(int64(tasks))
	b.slots.Store(0)
	b.refs.Store(1)
	for range workers - 1 {
		b.refs.Add(1)
		select {
		case pool.queue <- b:
		default:
			b.refs.Add(-1)
		}
	}
	b.work()
	<-b.done
	b.release()
}

// funcJob adapts a func to a job.
type funcJob func(slot, task int)

func (f funcJob) runTask(slot, task int) { f(slot, task) }

// Parallel calls body(slot, task) once for each task in [0, tasks), on the
// calling goroutine and up to workers-1 goroutines of the package's
// persistent pool, and returns when all calls have returned. slot is in
// [0, workers) and distinct among the goroutines serving this call, so
// body can use it to index per-goroutine scratch. Tasks are handed out in
// order but may run concurrently; with workers <= 1 they run in order on
// the caller. Parallel spawns no goroutine.
func Parallel(workers, tasks int, body func(slot, task int)) {
	runTasks(workers, tasks, funcJob(body))
}

// MaxWorkers returns the largest useful workers argument: GOMAXPROCS at the
// pool's start.
func MaxWorkers() int { return maxWorkers() }
