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

// Staged is a DARTS operation seen as [ReLU] → body → [BN] (ReLUConvBN, SepConv, DilConv,
// FactorizedReduce, pool + BN): a search cell computes the leading ReLU of a state once for
// every operation that reads the state, and fuses the trailing affine-free BN into the
// node's weighted sum (autograd.MixedSum).
type Staged interface {
	Module
	// StartsWithReLU reports whether the first step is a ReLU of the input.
	StartsWithReLU() bool
	// FinalBN returns the last step when it is an affine-free BatchNorm2d, else nil.
	FinalBN() *BatchNorm2d
	// ForwardStages runs the module on x, skipping the leading ReLU when fromReLU (x is
	// then ReLU(input); StartsWithReLU must be true) and the final BN when noBN (FinalBN
	// must be non-nil). ForwardStages(tp, x, false, false) is Forward(tp, x).
	ForwardStages(tp *autograd.Tape, x *autograd.Var, fromReLU, noBN bool) *autograd.Var
}

// NamedModule is a module under its state-dict prefix ("cells.0.preprocess0").
type NamedModule struct {
	Name string
	M    Module
}

// Modules is a network's list of named modules: it gives the network its named
// parameters and buffers (prefix + "." + the module's own names) and its training switch.
type Modules []NamedModule

// Params lists every module's parameters with dotted names, in order.
func (ms Modules) Params() []Named {
	var out []Named
	for _, nm := range ms {
		for _, p := range nm.M.Params() {
			out = append(out, Named{Name: nm.Name + "." + p.Name, V: p.V})
		}
	}
	return out
}

// Buffers lists every module's buffers with dotted names, in order.
func (ms Modules) Buffers() []NamedTensor {
	var out []NamedTensor
	for _, nm := range ms {
		for _, b := range nm.M.Buffers() {
			out = append(out, NamedTensor{Name: nm.Name + "." + b.Name, T: b.T})
		}
	}
	return out
}

// SetTraining switches every module between training and evaluation.
func (ms Modules) SetTraining(on bool) {
	for _, nm := range ms {
		nm.M.SetTraining(on)
	}
}
