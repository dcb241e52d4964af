package cpu

import (
	"sync/atomic"
	"testing"
)

// TestPoolRunsEveryTaskOnce checks that run executes each task exactly once with slots
// below the thread count, also when calls nest (a task that itself runs a parallel call
// must not deadlock waiting for busy helpers).
func TestPoolRunsEveryTaskOnce(t *testing.T) {
	for _, threads := range []int{1, 2, 4} {
		p := newWorkerPool(threads)
		const tasks = 1000
		var counts [tasks]atomic.Int32
		var badSlot atomic.Bool
		p.run(tasks, func(slot, task int) {
			if slot < 0 || slot >= threads {
				badSlot.Store(true)
			}
			counts[task].Add(1)
			if task%100 == 0 {
				var inner atomic.Int32
				p.run(10, func(_, _ int) { inner.Add(1) })
				if inner.Load() != 10 {
					badSlot.Store(true)
				}
			}
		})
		p.stop()
		if badSlot.Load() {
			t.Fatalf("threads %d: a slot outside [0, %d) or a nested call lost tasks", threads, threads)
		}
		for i := range counts {
			if c := counts[i].Load(); c != 1 {
				t.Fatalf("threads %d: task %d ran %d times", threads, i, c)
			}
		}
	}
}

// TestParallelRangeCovers checks that parallelRange's chunks tile [0, n) exactly.
func TestParallelRangeCovers(t *testing.T) {
	b := NewBackend(3)
	for _, n := range []int{0, 1, 5, 4096, 100_003} {
		seen := make([]atomic.Int32, n)
		b.parallelRange(n, 64, 1<<10, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				seen[i].Add(1)
			}
		})
		for i := range seen {
			if c := seen[i].Load(); c != 1 {
				t.Fatalf("n=%d: item %d covered %d times", n, i, c)
			}
		}
	}
}
