package autograd_test

import (
	"testing"

	"godarts/autograd"
	"godarts/tensor"
	"godarts/tensor/ref"
)

// tracking wraps a backend and records which buffers are live, so a test can see exactly
// what the tape frees (and catch a buffer freed twice or one it never allocated).
type tracking struct {
	tensor.Backend
	live      map[tensor.Buffer]bool
	badFrees  int
	allocated int
}

func newTracking() *tracking {
	return &tracking{Backend: ref.New(), live: map[tensor.Buffer]bool{}}
}

func (b *tracking) Alloc(n int) tensor.Buffer {
	buf := b.Backend.Alloc(n)
	b.live[buf] = true
	b.allocated++
	return buf
}

func (b *tracking) Free(buf tensor.Buffer) {
	if !b.live[buf] {
		b.badFrees++
	}
	delete(b.live, buf)
	b.Backend.Free(buf)
}

func uniform(dev tensor.Backend, g *tensor.RNG, shape ...int) *tensor.Tensor {
	d := make([]float32, tensor.Shape(shape).Numel())
	for i := range d {
		d[i] = float32(g.Uniform(-1, 1))
	}
	return tensor.FromSlice(dev, d, shape...)
}

// TestReleaseFreesExactlyTheTapesTensors runs forwards that use every kind of tape tensor
// (outputs, views, contiguous copies of strided inputs, saved temporaries, masks) on a
// tracking backend: after Backward and Release only the leaves and their gradients are
// live, nothing was freed twice, and the loss stayed readable until Release even when it is
// a view of another op's output.
func TestReleaseFreesExactlyTheTapesTensors(t *testing.T) {
	bn := tensor.BatchNormParams{Eps: 1e-5, Momentum: 0.1}
	conv := tensor.Conv2DParams{Stride: 1, Pad: 1, Dilation: 1, Groups: 1}
	cases := []struct {
		name    string
		forward func(tp *autograd.Tape, x, w, gamma, beta, alpha, fc *autograd.Var, labels, rm, rv *tensor.Tensor) *autograd.Var
	}{
		{"cnn", func(tp *autograd.Tape, x, w, gamma, beta, alpha, fc *autograd.Var, labels, rm, rv *tensor.Tensor) *autograd.Var {
			h := tp.BatchNorm(tp.Conv2D(tp.ReLU(x), w, conv), gamma, beta, rm, rv, true, bn)
			a := tp.Pool2D(h, tensor.Pool2DParams{Kind: tensor.MaxPool, K: 3, Stride: 1, Pad: 1})
			b := tp.Pool2D(h, tensor.Pool2DParams{Kind: tensor.AvgPool, K: 3, Stride: 1, Pad: 1})
			m := tp.WeightedSum(tp.Reshape(tp.Narrow(tp.Softmax(alpha), 0, 1, 1), 3), []*autograd.Var{a, b, tp.Zero(h, 1)})
			m = tp.DropPath(m, []float32{1.25, 0})
			cat := tp.ConcatChannels(tp.Narrow(m, 1, 2, 2), tp.Narrow(m, 1, 0, 2), h)
			logits := tp.MatMul(tp.GlobalAvgPool(cat), fc, false, true)
			return tp.CrossEntropy(logits, labels)
		}},
		{"batch norm with β frozen, train and eval", func(tp *autograd.Tape, x, w, gamma, beta, alpha, fc *autograd.Var, labels, rm, rv *tensor.Tensor) *autograd.Var {
			beta.SetRequiresGrad(false)
			h := tp.BatchNorm(x, gamma, beta, rm, rv, true, bn)
			h = tp.BatchNorm(h, gamma, beta, rm, rv, false, bn)
			return tp.Mean(tp.Mul(h, h))
		}},
		{"loss is a view of an op's output", func(tp *autograd.Tape, x, w, gamma, beta, alpha, fc *autograd.Var, labels, rm, rv *tensor.Tensor) *autograd.Var {
			y := tp.Conv2D(x, w, conv)
			return tp.Reshape(tp.Mean(tp.Mul(y, y)), 1, 1)
		}},
		{"loss is a strided reshape", func(tp *autograd.Tape, x, w, gamma, beta, alpha, fc *autograd.Var, labels, rm, rv *tensor.Tensor) *autograd.Var {
			s := tp.Sigmoid(tp.Reshape(tp.Narrow(x, 1, 1, 2), 2, 2*5*5))
			return tp.Reshape(tp.Narrow(tp.Narrow(s, 1, 3, 1), 0, 1, 1), 1)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dev, g := newTracking(), tensor.NewRNG(11)
			x := autograd.Param(uniform(dev, g, 2, 4, 5, 5))
			w := autograd.Param(uniform(dev, g, 4, 4, 3, 3))
			gamma, beta := autograd.Param(tensor.Full(dev, 1, 4)), autograd.Param(tensor.New(dev, 4))
			alpha := autograd.Param(uniform(dev, g, 3, 3))
			fc := autograd.Param(uniform(dev, g, 3, 8))
			labels := tensor.FromSlice(dev, []float32{2, 0}, 2)
			rm, rv := tensor.New(dev, 4), tensor.Full(dev, 1, 4)
			leaves := len(dev.live)

			tp := autograd.NewTape()
			loss := c.forward(tp, x, w, gamma, beta, alpha, fc, labels, rm, rv)
			before := ref.Data(loss.Value)[0]
			tp.Backward(loss)
			if !dev.live[loss.Value.Buf] {
				t.Fatal("Backward freed the loss's buffer")
			}
			if after := ref.Data(loss.Value)[0]; after != before {
				t.Fatalf("loss read %v after Backward, %v before", after, before)
			}
			grads := 0
			for _, v := range []*autograd.Var{x, w, gamma, beta, alpha, fc} {
				if v.Grad != nil {
					grads++
				}
			}
			if grads == 0 {
				t.Fatal("no gradients")
			}
			tp.Release()
			if dev.badFrees != 0 {
				t.Errorf("%d frees of buffers not live (double free)", dev.badFrees)
			}
			if len(dev.live) != leaves+grads {
				t.Errorf("%d buffers live after Release, want %d leaves + %d gradients (%d allocated in all)", len(dev.live), leaves, grads, dev.allocated)
			}
			for _, v := range []*autograd.Var{x, w, gamma, beta, alpha, fc} {
				if !dev.live[v.Value.Buf] || (v.Grad != nil && !dev.live[v.Grad.Buf]) {
					t.Error("Release freed a leaf or a gradient")
				}
			}
		})
	}
}
