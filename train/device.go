// Package train holds what every training command shares: host batches moved to the
// device, metrics accumulated on the device, the learning-rate schedule, evaluation, and
// checkpoints that resume exactly.
package train

import (
	"godarts/data"
	"godarts/tensor"
)

// DeviceBatch is a batch uploaded to a backend: images [N,C,H,W] and labels [N] (class
// indices stored as float32, as tensor.CrossEntropyOp expects).
type DeviceBatch struct {
	X, Y *tensor.Tensor
	N    int
}

// Upload copies a host batch to dev. It allocates new tensors; Free them after the step.
func Upload(dev tensor.Backend, b *data.Batch) DeviceBatch {
	y := make([]float32, b.N)
	for i, l := range b.Y[:b.N] {
		y[i] = float32(l)
	}
	return DeviceBatch{
		X: tensor.FromSlice(dev, b.X[:b.N*b.C*b.H*b.W], b.N, b.C, b.H, b.W),
		Y: tensor.FromSlice(dev, y, b.N),
		N: b.N,
	}
}

// Free gives the batch's buffers back.
func (b DeviceBatch) Free() {
	b.X.Free()
	b.Y.Free()
}

// Meter sums losses and correct predictions on the device, so a training step never
// waits for the host; Read waits once, at the end of an epoch.
type Meter struct {
	lossSum, correct *tensor.Tensor
	samples          int
	batches          int
}

// NewMeter returns an empty meter on dev.
func NewMeter(dev tensor.Backend) *Meter {
	return &Meter{lossSum: tensor.New(dev, 1), correct: tensor.New(dev, 1)}
}

// Add records one batch: its mean loss [1], its logits and labels.
func (m *Meter) Add(loss, logits, labels *tensor.Tensor) {
	tensor.AxpbyInto(m.lossSum, 1, m.lossSum, float32(labels.Shape[0]), loss)
	tensor.CountCorrectInto(m.correct, logits, labels)
	m.samples += labels.Shape[0]
	m.batches++
}

// Read returns the mean loss per sample and the accuracy in [0,1], and resets the meter.
func (m *Meter) Read() (loss, acc float64) {
	if m.samples == 0 {
		return 0, 0
	}
	loss = float64(m.lossSum.Item()) / float64(m.samples)
	acc = float64(m.correct.Item()) / float64(m.samples)
	tensor.FillInto(m.lossSum, 0)
	tensor.FillInto(m.correct, 0)
	m.samples, m.batches = 0, 0
	return loss, acc
}
