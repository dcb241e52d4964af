//go:build !novulkan && cgo

package vk

import (
	"math"
	"testing"

	"godarts/tensor"
	"godarts/tensor/cpu"
)

// smallCNN is conv3x3 → batch norm → ReLU → max pool → global average pool → linear →
// cross-entropy, trained with SGD and momentum: every kind of op a DARTS step records.
type smallCNN struct {
	dev                      tensor.Backend
	x, labels, one           *tensor.Tensor
	w1, gamma, beta, rm, rv  *tensor.Tensor
	wfc                      *tensor.Tensor
	bw1, bgamma, bbeta, bwfc *tensor.Tensor
	step                     int
}

func newSmallCNN(dev tensor.Backend, seed uint64) *smallCNN {
	g := tensor.NewRNG(seed)
	m := &smallCNN{dev: dev}
	m.x = rnd(dev, g, 4, 3, 8, 8)
	m.labels = labels(dev, g, 4, 10)
	m.one = tensor.Full(dev, 1, 1)
	m.w1 = tensor.KaimingUniform(dev, g, 8, 3, 3, 3)
	m.gamma, m.beta = tensor.Full(dev, 1, 8), tensor.New(dev, 8)
	m.rm, m.rv = tensor.New(dev, 8), tensor.Full(dev, 1, 8)
	m.wfc = tensor.KaimingUniform(dev, g, 8, 10)
	m.bw1, m.bgamma, m.bbeta, m.bwfc = tensor.NewLike(m.w1), tensor.New(dev, 8), tensor.New(dev, 8), tensor.NewLike(m.wfc)
	return m
}

// trainStep records one forward, backward and update and returns the loss tensor; every
// other temporary is freed.
func (m *smallCNN) trainStep() *tensor.Tensor {
	var tmp []*tensor.Tensor
	keep := func(ts ...*tensor.Tensor) { tmp = append(tmp, ts...) }
	conv := tensor.Conv2DParams{Stride: 1, Pad: 1, Dilation: 1, Groups: 1}
	pool := tensor.Pool2DParams{Kind: tensor.MaxPool, K: 2, Stride: 2}
	bn := tensor.BatchNormParams{Eps: 1e-5, Momentum: 0.1}

	c := tensor.Conv2D(m.x, m.w1, conv)
	y, mean, inv := tensor.BatchNormTrain(c, m.gamma, m.beta, m.rm, m.rv, bn)
	r := tensor.Unary(tensor.ReLUOp{}, y)
	p := tensor.Pool2D(r, pool)
	g := tensor.GlobalAvgPool(p)
	logits := tensor.MatMul(g, m.wfc, false, false)
	loss, probs := tensor.CrossEntropy(logits, m.labels)
	keep(c, y, mean, inv, r, p, g, logits, probs)

	dlogits := tensor.CrossEntropyBackward(m.one, probs, m.labels)
	dwfc := tensor.MatMul(g, dlogits, true, false)
	dg := tensor.MatMul(dlogits, m.wfc, false, true)
	dp := tensor.GlobalAvgPoolBackward(dg, p.Shape)
	dr := tensor.Pool2DBackward(dp, r, pool)
	dy := tensor.Binary(tensor.ReLUBackwardOp{}, dr, r)
	dc, dgamma, dbeta := tensor.BatchNormBackward(dy, c, mean, inv, m.gamma, bn)
	dw1 := tensor.Conv2DBackwardFilter(m.x, dc, m.w1.Shape, conv)
	keep(dlogits, dwfc, dg, dp, dr, dy, dc, dgamma, dbeta, dw1)

	sgd := tensor.SGDStepOp{LR: 0.1, Momentum: 0.9, WeightDecay: 3e-4, First: m.step == 0}
	tensor.SGDStepInto(m.w1, dw1, m.bw1, sgd)
	tensor.SGDStepInto(m.gamma, dgamma, m.bgamma, sgd)
	tensor.SGDStepInto(m.beta, dbeta, m.bbeta, sgd)
	tensor.SGDStepInto(m.wfc, dwfc, m.bwfc, sgd)
	m.step++
	for _, t := range tmp {
		t.Free()
	}
	return loss
}

// TestSteadyState: after warm-up a training step creates no pipelines, descriptor pools,
// descriptor sets, command buffers or memory blocks, and never waits on the host until
// the loss is read; 1,000 steps leave live buffers and bytes flat.
func TestSteadyState(t *testing.T) {
	b := device(t)
	m := newSmallCNN(b, 1)
	for i := 0; i < 3; i++ {
		m.trainStep().Free()
	}
	b.Sync()
	before, _ := Stats(b)
	var loss *tensor.Tensor
	for i := 0; i < 10; i++ {
		if loss != nil {
			loss.Free()
		}
		loss = m.trainStep()
	}
	mid, _ := Stats(b)
	if d := mid.Pipelines - before.Pipelines; d != 0 {
		t.Errorf("%d pipelines created after warm-up", d)
	}
	if d := mid.DescriptorPools - before.DescriptorPools; d != 0 {
		t.Errorf("%d descriptor pools created after warm-up", d)
	}
	if d := mid.HostWaits - before.HostWaits; d != 0 {
		t.Errorf("%d host waits in 10 steps without a read", d)
	}
	if mid.Dispatches-before.Dispatches < 10*15 {
		t.Errorf("only %d dispatches in 10 steps", mid.Dispatches-before.Dispatches)
	}
	if !(loss.Item() > 0) {
		t.Errorf("loss %v", loss.Item())
	}
	loss.Free()
	read, _ := Stats(b)
	if d := read.HostWaits - mid.HostWaits; d != 1 {
		t.Errorf("reading the loss waited %d times, want 1", d)
	}

	for i := 0; i < 1000; i++ {
		m.trainStep().Free()
	}
	b.Sync()
	after, _ := Stats(b)
	if after.LiveBuffers != read.LiveBuffers || after.LiveBytes != read.LiveBytes {
		t.Errorf("live buffers %d → %d, bytes %d → %d over 1000 steps", read.LiveBuffers, after.LiveBuffers, read.LiveBytes, after.LiveBytes)
	}
	if after.Blocks != before.Blocks || after.Pipelines != before.Pipelines || after.DescriptorPools != before.DescriptorPools {
		t.Errorf("1000 steps grew blocks %d → %d, pipelines %d → %d, descriptor pools %d → %d",
			before.Blocks, after.Blocks, before.Pipelines, after.Pipelines, before.DescriptorPools, after.DescriptorPools)
	}
	t.Logf("per step: %.1f dispatches, %.2f submits, %.1f barriers",
		float64(after.Dispatches-read.Dispatches)/1000, float64(after.Submits-read.Submits)/1000, float64(after.Barriers-read.Barriers)/1000)
	checkValidation(t, b)
}

// TestTrainingMatchesCPU: the losses of 20 steps equal the CPU run's within 1e-4.
func TestTrainingMatchesCPU(t *testing.T) {
	b := device(t)
	mv, mc := newSmallCNN(b, 2), newSmallCNN(cpu.New(1), 2)
	for i := 0; i < 20; i++ {
		lv, lc := mv.trainStep(), mc.trainStep()
		gv, gc := lv.Item(), lc.Item()
		if math.Abs(float64(gv-gc)) > 1e-4 {
			t.Fatalf("step %d: loss %g on Vulkan, %g on the CPU", i, gv, gc)
		}
		lv.Free()
	}
	checkValidation(t, b)
}
