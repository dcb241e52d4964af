// Package layers provides the modules DARTS networks are built from: convolutions, batch
// norm, pooling, linear layers and the composite DARTS operations, with named parameters
// for checkpoints and a training/evaluation switch.
package layers

import (
	"godarts/autograd"
	"godarts/tensor"
)

// Module is a layer or a composition of layers.
type Module interface {
	// Forward computes the module's output; tp may be nil (evaluation, nothing recorded).
	Forward(tp *autograd.Tape, x *autograd.Var) *autograd.Var
	// Params lists the trainable parameters with names relative to the module, in the
	// dotted form of PyTorch's state_dict ("1.weight").
	Params() []Named
	// Buffers lists the non-trainable state (BN running statistics).
	Buffers() []NamedTensor
	// SetTraining switches between training (batch statistics) and evaluation.
	SetTraining(on bool)
}

// Named is a named parameter.
type Named struct {
	Name string
	V    *autograd.Var
}

// NamedTensor is a named buffer.
type NamedTensor struct {
	Name string
	T    *tensor.Tensor
}

// CountParams sums the elements of the parameters of m.
func CountParams(m Module) int {
	n := 0
	for _, p := range m.Params() {
		n += p.V.Value.Numel()
	}
	return n
}

// stateless is embedded by modules without parameters or buffers.
type stateless struct{}

func (stateless) Params() []Named        { return nil }
func (stateless) Buffers() []NamedTensor { return nil }
func (stateless) SetTraining(bool)       {}

// ReLUFirst is a module whose first step is a ReLU of its input (ReLUConvBN, SepConv,
// DilConv, FactorizedReduce): ForwardFromReLU(tp, ReLU(x)) equals Forward(tp, x), so
// callers that feed one input to several such modules can compute the ReLU once.
type ReLUFirst interface {
	Module
	StartsWithReLU() bool
	ForwardFromReLU(tp *autograd.Tape, r *autograd.Var) *autograd.Var
}
