package cpu

import (
	"runtime"
	"testing"
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
