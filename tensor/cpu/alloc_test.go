package cpu

import (
	"math"
	"runtime"
	"testing"
	"time"

	"godarts/tensor"
)

// TestRecycledBuffersAreZero checks that buffers coming back from the pool, after Free
// or after the garbage collector found them unreachable, are handed out zeroed.
func TestRecycledBuffersAreZero(t *testing.T) {
	dev := NewBackend(2)
	const n = pooledMin + 3
	dirty := func() {
		d := bufData(dev.Alloc(n))
		for i := range d {
			d[i] = 7
		}
	}
	for range 3 {
		dirty()
	}
	runtime.GC()
	runtime.GC()
	buf := dev.Alloc(n)
	d := bufData(buf)
	for i := range d {
		d[i] = 5
	}
	dev.Free(buf)
	for range 8 {
		for i, v := range bufData(dev.Alloc(n)) {
			if v != 0 {
				t.Fatalf("recycled buffer element %d = %v, want 0", i, v)
			}
		}
	}
	if dev.buffers.bytes < 0 {
		t.Fatalf("pool holds %d bytes", dev.buffers.bytes)
	}
}

// TestFreeTwice checks that freeing a buffer twice does not put its memory in the pool
// twice (two later buffers would share it).
func TestFreeTwice(t *testing.T) {
	dev := NewBackend(1)
	buf := dev.Alloc(pooledMin)
	dev.Free(buf)
	dev.Free(buf)
	a, b := bufData(dev.Alloc(pooledMin)), bufData(dev.Alloc(pooledMin))
	a[0] = 1
	if b[0] != 0 {
		t.Fatal("two live buffers share memory after a double Free")
	}
}

// TestPoolKeepsAStepsBuffers checks that the pool keeps every buffer of a repeated
// allocation pattern larger than its floor (a training step's activations), and that a
// miss evicts idle buffers of other sizes so that handed-out plus idle bytes stay within
// the high-water mark.
func TestPoolKeepsAStepsBuffers(t *testing.T) {
	p := &bufferPool{floor: 4 * 10}
	sizes := []int{100, 200, 200, 300}
	step := func() (misses int) {
		var held [][]float32
		for _, n := range sizes {
			d := p.get(n)
			if d == nil {
				misses++
				d = make([]float32, n)
			}
			held = append(held, d)
		}
		for _, d := range held {
			p.put(d)
		}
		return misses
	}
	if m := step(); m != len(sizes) {
		t.Fatalf("first step: %d misses, want %d", m, len(sizes))
	}
	for i := range 3 {
		if m := step(); m != 0 {
			t.Fatalf("step %d: %d misses, want 0 (pool holds %d bytes, peak %d)", i+2, m, p.bytes, p.peak)
		}
	}
	if want := 4 * 800; p.bytes != want || p.peak != want || p.inUse != 0 {
		t.Fatalf("pool holds %d idle, %d in use, peak %d; want %d, 0, %d", p.bytes, p.inUse, p.peak, want, want)
	}
	// A new size: one 300 and one 200 are handed out, then a miss of 500 must drop
	// idle buffers until in use plus idle <= the peak.
	a, b := p.get(300), p.get(200)
	if a == nil || b == nil {
		t.Fatal("pooled sizes missed")
	}
	if d := p.get(500); d != nil {
		t.Fatal("a size never put returned a buffer")
	}
	if p.inUse != 4*1000 || p.inUse+p.bytes > p.limit() {
		t.Fatalf("after the miss: %d in use, %d idle, limit %d", p.inUse, p.bytes, p.limit())
	}
}

// TestStaleBuffersNeverLeak runs the determinism sequence twice on one backend, the
// second time on recycled buffers filled with NaN: every op must either overwrite its
// output whole (claimOutputs) or see it zeroed, so the results must be bit-identical.
func TestStaleBuffersNeverLeak(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		dev := NewBackend(2)
		want := runAll(dev)
		poisoned := 0
		for i := 0; i < 2000 && poisoned == 0; i++ {
			runtime.GC()
			time.Sleep(5 * time.Millisecond)
			dev.buffers.mu.Lock()
			for _, list := range dev.buffers.free {
				for _, d := range list {
					for j := range d {
						d[j] = float32(math.NaN())
					}
					poisoned++
				}
			}
			dev.buffers.mu.Unlock()
		}
		if poisoned == 0 {
			t.Fatal("no buffer came back to the pool")
		}
		// In place on a never-written tensor: its zeros are the input.
		size := 0
		dev.buffers.mu.Lock()
		for n, list := range dev.buffers.free {
			if len(list) > 0 {
				size = n
			}
		}
		dev.buffers.mu.Unlock()
		z := tensor.New(dev, size)
		dev.Run(tensor.ScaleOp{A: 2}, []*tensor.Tensor{z}, []*tensor.Tensor{z})
		for j, v := range z.Read() {
			if v != 0 {
				t.Fatalf("in-place scale of a new tensor: element %d = %v, want 0", j, v)
			}
		}
		got := runAll(dev)
		for i := range want {
			for j := range want[i] {
				if math.Float32bits(got[i][j]) != math.Float32bits(want[i][j]) {
					t.Fatalf("output %d element %d = %v on %d recycled buffers, %v on fresh ones", i, j, got[i][j], poisoned, want[i][j])
				}
			}
		}
	})
}
