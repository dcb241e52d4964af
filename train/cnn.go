package train

import (
	"fmt"

	"godarts/autograd"
	"godarts/layers"
	"godarts/tensor"
)

// CNN is the plain baseline of `nas train --model cnn`: two conv-BN-ReLU-maxpool blocks
// (32 and 64 channels) and a two-layer classifier on the flattened features.
type CNN struct {
	features *layers.Sequential
	fc1, fc2 *layers.Linear
}

// NewCNN builds the baseline for inputs of size inC×h×w.
func NewCNN(dev tensor.Backend, rng *tensor.RNG, inC, h, w, classes int) (*CNN, error) {
	if h%4 != 0 || w%4 != 0 {
		return nil, fmt.Errorf("cnn: input %dx%d, want sides divisible by 4 (two 2x2 max pools)", h, w)
	}
	return &CNN{
		features: layers.NewSequential(
			layers.NewConv2d(dev, rng, inC, 32, 3, 1, 1, 1, 1, false),
			layers.NewBatchNorm2d(dev, 32, true),
			layers.ReLU{},
			layers.NewMaxPool2d(2, 2, 0),
			layers.NewConv2d(dev, rng, 32, 64, 3, 1, 1, 1, 1, false),
			layers.NewBatchNorm2d(dev, 64, true),
			layers.ReLU{},
			layers.NewMaxPool2d(2, 2, 0),
		),
		fc1: layers.NewLinear(dev, rng, 64*(h/4)*(w/4), 128),
		fc2: layers.NewLinear(dev, rng, 128, classes),
	}, nil
}

// Forward returns the logits (no auxiliary head).
func (c *CNN) Forward(tp *autograd.Tape, x *autograd.Var) (*autograd.Var, *autograd.Var) {
	f := c.features.Forward(tp, x)
	f = tp.Reshape(f, f.Value.Shape[0], -1)
	return c.fc2.Forward(tp, tp.ReLU(c.fc1.Forward(tp, f))), nil
}

func (c *CNN) modules() layers.Modules {
	return layers.Modules{{Name: "features", M: c.features}, {Name: "fc1", M: c.fc1}, {Name: "fc2", M: c.fc2}}
}

// Params returns the weights with dotted names.
func (c *CNN) Params() []layers.Named { return c.modules().Params() }

// Buffers returns the BN running statistics.
func (c *CNN) Buffers() []layers.NamedTensor { return c.modules().Buffers() }

// SetTraining switches BN between batch and running statistics.
func (c *CNN) SetTraining(on bool) { c.modules().SetTraining(on) }
