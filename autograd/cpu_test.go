package autograd_test

import (
	"testing"

	"godarts/autograd"
	"godarts/tensor"
	"godarts/tensor/cpu"
)

// TestConcatGradientsOwnTheirBuffers: with batch 1 a channel slice of the output gradient
// is contiguous; the input gradients must still be copies, not views of a buffer Backward
// frees (the CPU backend reuses freed buffers at once).
func TestConcatGradientsOwnTheirBuffers(t *testing.T) {
	dev := cpu.New(1)
	const side = 64 // large enough for the CPU backend to pool the buffers
	const hw = side * side
	rng := tensor.NewRNG(8)
	a := autograd.Param(tensor.FromSlice(dev, rng.UniformSlice(2*hw, -1, 1), 1, 2, side, side))
	b := autograd.Param(tensor.FromSlice(dev, rng.UniformSlice(3*hw, -1, 1), 1, 3, side, side))
	rv := rng.UniformSlice(5*hw, -1, 1)
	r := autograd.Const(tensor.FromSlice(dev, rv, 1, 5, side, side))
	tp := autograd.NewTape()
	tp.Backward(tp.Sum(tp.Mul(tp.ConcatChannels(a, b), r), 1))
	for i := 0; i < 4; i++ { // reuse whatever Backward freed
		tensor.Full(dev, 99, 1, 5, side, side)
	}
	got := append(a.Grad.Read(), b.Grad.Read()...)
	for i := range rv {
		if got[i] != rv[i] {
			t.Fatalf("gradient element %d = %v, want %v", i, got[i], rv[i])
		}
	}
}
