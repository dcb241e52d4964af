package simd

import (
	"sync"
	"sync/atomic"
	"testing"
)

func TestParallel(t *testing.T) {
	for _, tc := range []struct{ workers, tasks int }{{1, 5}, {2, 1}, {2, 100}, {8, 37}, {0, 3}, {3, 0}} {
		counts := make([]atomic.Int32, tc.tasks)
		var mu sync.Mutex
		busy := map[int]bool{}
		Parallel(tc.workers, tc.tasks, func(slot, task int) {
			mu.Lock()
			if busy[slot] {
				t.Errorf("workers=%d: slot %d used by two goroutines at once", tc.workers, slot)
			}
			if slot < 0 || slot >= max(tc.workers, 1) {
				t.Errorf("workers=%d: slot %d out of range", tc.workers, slot)
			}
			busy[slot] = true
			mu.Unlock()
			counts[task].Add(1)
			mu.Lock()
			busy[slot] = false
			mu.Unlock()
		})
		for i := range counts {
			if n := counts[i].Load(); n != 1 {
				t.Errorf("workers=%d tasks=%d: task %d ran %d times", tc.workers, tc.tasks, i, n)
			}
		}
	}
}

// TestParallelNested checks that a task may itself call Parallel without
// deadlock (the caller does any work no pool goroutine is free for).
func TestParallelNested(t *testing.T) {
	var total atomic.Int32
	Parallel(MaxWorkers(), 4, func(_, _ int) {
		Parallel(MaxWorkers(), 4, func(_, _ int) { total.Add(1) })
	})
	if total.Load() != 16 {
		t.Fatalf("nested Parallel ran %d inner tasks, want 16", total.Load())
	}
}
