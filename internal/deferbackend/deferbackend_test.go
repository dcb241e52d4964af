package deferbackend_test

import (
	"testing"

	"godarts/autograd"
	"godarts/internal/deferbackend"
	"godarts/layers"
	"godarts/optim"
	"godarts/tensor"
	"godarts/tensor/cpu"
)

// net is a small DARTS-like CNN: stem conv+BN, a two-candidate MixedOp weighted by
// softmax(α), a FactorizedReduce, global pooling and a classifier.
type net struct {
	stem  *layers.Sequential
	cands []layers.Module
	alpha *autograd.Var
	red   *layers.FactorizedReduce
	head  *layers.Linear
}

func newNet(dev tensor.Backend) *net {
	rng := tensor.NewRNG(11)
	return &net{
		stem:  layers.NewSequential(layers.NewConv2d(dev, rng, 3, 8, 3, 1, 1, 1, 1, false), layers.NewBatchNorm2d(dev, 8, true)),
		cands: []layers.Module{layers.NewSepConv(dev, rng, 8, 8, 3, 1, 1, false), layers.NewMaxPool2d(3, 1, 1)},
		alpha: autograd.Param(tensor.FromSlice(dev, rng.NormalSlice(2, 1e-3), 1, 2)),
		red:   layers.NewFactorizedReduce(dev, rng, 8, 8, false),
		head:  layers.NewLinear(dev, rng, 8, 5),
	}
}

func (n *net) weights() []*autograd.Var {
	var ps []*autograd.Var
	for _, m := range []layers.Module{n.stem, n.cands[0], n.red, n.head} {
		for _, p := range m.Params() {
			ps = append(ps, p.V)
		}
	}
	return ps
}

func (n *net) loss(tp *autograd.Tape, x *autograd.Var, labels *tensor.Tensor, mask []float32) *autograd.Var {
	h := n.stem.Forward(tp, x)
	outs := []*autograd.Var{n.cands[0].Forward(tp, h), n.cands[1].Forward(tp, h)}
	h = tp.WeightedSum(tp.Reshape(tp.Softmax(n.alpha), 2), outs)
	// ScaleRows takes ownership of its mask (Release frees it): a fresh one per forward,
	// uploaded inside the step as drop-path does.
	h = tp.ScaleRows(n.red.Forward(tp, h), tensor.FromSlice(x.Value.Dev, mask, len(mask)))
	return tp.CrossEntropy(n.head.Forward(tp, layers.GlobalAvgPool{}.Forward(tp, h)), labels)
}

// step runs two training steps (weights by SGD with clipping, then α by Adam) and returns
// the final loss tensor, unread.
func step(dev tensor.Backend) (*net, *autograd.Var) {
	n := newNet(dev)
	rng := tensor.NewRNG(5)
	x := autograd.Const(tensor.FromSlice(dev, rng.UniformSlice(4*3*8*8, -1, 1), 4, 3, 8, 8))
	labels := tensor.FromSlice(dev, []float32{0, 3, 1, 4}, 4)
	mask := []float32{1.25, 0, 1.25, 1.25}
	sgd := optim.NewSGD(n.weights(), optim.SGDConfig{LR: 0.05, Momentum: 0.9, WeightDecay: 3e-4})
	adam := optim.NewAdam([]*autograd.Var{n.alpha}, optim.AdamConfig{LR: 3e-3, Beta1: 0.5, Beta2: 0.999, WeightDecay: 1e-3})
	var loss *autograd.Var
	for it := 0; it < 2; it++ {
		// Weight step with α frozen.
		n.alpha.SetRequiresGrad(false)
		tp := autograd.NewTape()
		tp.Backward(n.loss(tp, x, labels, mask))
		optim.ClipGradNorm(n.weights(), 5)
		sgd.Step()
		autograd.ZeroGrad(n.weights())
		tp.Release()
		// α step with the weights frozen.
		n.alpha.SetRequiresGrad(true)
		for _, w := range n.weights() {
			w.SetRequiresGrad(false)
		}
		tp = autograd.NewTape()
		loss = n.loss(tp, x, labels, mask)
		tp.Backward(loss)
		adam.Step()
		autograd.ZeroGrad([]*autograd.Var{n.alpha})
		for _, w := range n.weights() {
			w.SetRequiresGrad(true)
		}
	}
	return n, loss
}

// TestTrainingStepNeverReadsBack runs forward, backward, clipping and optimiser steps on a
// backend that defers every op until the host reads: no read may happen inside the
// steps, the one read asked for (the loss) flushes them, and the results equal those of
// running the same steps directly.
func TestTrainingStepNeverReadsBack(t *testing.T) {
	d := deferbackend.New(cpu.New(2))
	n, loss := step(d)
	if d.Downloads != 0 || d.Syncs != 0 {
		t.Fatalf("training steps made the host wait: %d downloads, %d syncs", d.Downloads, d.Syncs)
	}
	if d.Pending() == 0 {
		t.Fatal("nothing was queued: the deferred backend did not defer")
	}
	got := loss.Value.Item()
	if d.Downloads != 1 || d.Pending() != 0 {
		t.Fatalf("after reading the loss: %d downloads, %d pending, want 1 and 0", d.Downloads, d.Pending())
	}

	direct, wantLoss := step(cpu.New(2))
	if got != wantLoss.Value.Item() {
		t.Errorf("loss deferred %v, direct %v", got, wantLoss.Value.Item())
	}
	gw, ww := append(n.weights(), n.alpha), append(direct.weights(), direct.alpha)
	for i := range gw {
		a, b := gw[i].Value.Read(), ww[i].Value.Read()
		for j := range a {
			if a[j] != b[j] {
				t.Fatalf("parameter %d element %d: deferred %v, direct %v", i, j, a[j], b[j])
			}
		}
	}
	rm, wm := n.stem.Buffers()[0].T.Read(), direct.stem.Buffers()[0].T.Read()
	for j := range rm {
		if rm[j] != wm[j] {
			t.Fatalf("running mean %d: deferred %v, direct %v", j, rm[j], wm[j])
		}
	}
}

// TestReleaseKeepsMemoryFlat: with Release after every step and ZeroGrad of the
// gradients, the number of live buffers is the same after every training step.
func TestReleaseKeepsMemoryFlat(t *testing.T) {
	d := deferbackend.New(cpu.New(2))
	n := newNet(d)
	rng := tensor.NewRNG(5)
	x := autograd.Const(tensor.FromSlice(d, rng.UniformSlice(4*3*8*8, -1, 1), 4, 3, 8, 8))
	labels := tensor.FromSlice(d, []float32{0, 3, 1, 4}, 4)
	params := append(n.weights(), n.alpha)
	sgd := optim.NewSGD(params, optim.SGDConfig{LR: 0.05, Momentum: 0.9})
	var live []int
	for it := 0; it < 4; it++ {
		tp := autograd.NewTape()
		tp.Backward(n.loss(tp, x, labels, []float32{1, 1, 0, 2}))
		optim.ClipGradNorm(params, 5)
		sgd.Step()
		autograd.ZeroGrad(params)
		tp.Release()
		live = append(live, d.Live)
	}
	for _, l := range live[1:] {
		if l != live[0] {
			t.Fatalf("live buffers after each step %v, want constant", live)
		}
	}
	if d.Downloads != 0 {
		t.Errorf("%d downloads", d.Downloads)
	}
}
