// Package autograd records tensor ops on a tape and computes gradients in reverse mode.
//
// A Var holds a device tensor and, for leaves that require it, the accumulated gradient.
// Each op is a method of *Tape that runs the forward op at once (or records it on an
// asynchronous backend) and, when an input requires a gradient, appends its backward
// rule to the tape. The forward and backward of each op sit side by side in this package.
// A nil *Tape records nothing: that is evaluation mode.
//
// Gradients at perturbed weights (the DARTS unrolled step's w± = w ± εv) need no rebuilt
// modules: update the parameters' Values in place (tensor.AxpbyInto), run a new forward on
// a new tape, Backward, and undo the update the same way (TestGradientAtPerturbedWeights).
package autograd

import (
	"fmt"

	"godarts/tensor"
)

// Var is a tensor in a computation: a leaf (parameter or constant) or an op's output.
type Var struct {
	Value *tensor.Tensor
	// Grad is the accumulated gradient of a leaf that requires one (nil until the first
	// Backward reaches it).
	Grad *tensor.Tensor

	requires bool
	leaf     bool
	view     bool // Value shares its parent's buffer: never freed by Release
}

// Param returns a leaf that requires a gradient (a weight or an architecture parameter).
func Param(t *tensor.Tensor) *Var { return &Var{Value: t, requires: true, leaf: true} }

// Const returns a leaf without gradient (an input batch).
func Const(t *tensor.Tensor) *Var { return &Var{Value: t, leaf: true} }

// RequiresGrad reports whether gradients flow to or through v.
func (v *Var) RequiresGrad() bool { return v.requires }

// SetRequiresGrad turns a leaf's gradient on or off: an α step freezes the weights so no
// gradient is computed for them, and a weight step freezes α.
func (v *Var) SetRequiresGrad(on bool) {
	if !v.leaf {
		panic("autograd: SetRequiresGrad on a non-leaf Var")
	}
	v.requires = on
}

// ZeroGrad drops the gradients of vs; the next Backward allocates them afresh.
func ZeroGrad(vs []*Var) {
	for _, v := range vs {
		if v.Grad != nil {
			v.Grad.Free()
			v.Grad = nil
		}
	}
}

// backwardFn returns the gradient of each input given the output's gradient g; an entry
// may be nil when that input needs none. Every returned tensor must be owned by the caller
// afterwards: a fresh tensor, or g itself for at most one input, never a view.
type backwardFn func(g *tensor.Tensor) []*tensor.Tensor

type node struct {
	op       string
	out      *Var
	inputs   []*Var
	backward backwardFn
}

// Tape records the ops of one forward pass.
type Tape struct {
	nodes   []*node
	created []*tensor.Tensor // tensors made by ops on this tape, freed by Release
	noGrad  bool
	// done is set by Backward, which frees the intermediates: a second Backward on the
	// same tape would read freed (on the CPU backend: reused) buffers.
	done bool
}

// NewTape returns an empty tape.
func NewTape() *Tape { return &Tape{} }

// NoGrad returns a tape that records nothing but still frees what its ops create on
// Release.
func NoGrad() *Tape { return &Tape{noGrad: true} }

// result wraps an op's output; it records the backward rule when some input requires a
// gradient and the tape records.
func (tp *Tape) result(op string, y *tensor.Tensor, inputs []*Var, bw backwardFn) *Var {
	out := &Var{Value: y}
	if tp == nil {
		return out
	}
	tp.created = append(tp.created, y)
	if tp.noGrad {
		return out
	}
	for _, in := range inputs {
		if in != nil && in.requires {
			out.requires = true
			break
		}
	}
	if out.requires {
		tp.nodes = append(tp.nodes, &node{op: op, out: out, inputs: inputs, backward: bw})
	}
	return out
}

// Records reports whether tp records backward rules (a tape from NewTape): only then do
// op outputs have to live until Backward.
func (tp *Tape) Records() bool { return tp != nil && !tp.noGrad }

// Drop tells the tape the caller will not read vs again. On a tape that records, it does
// nothing (the backward rules may need them); on a NoGrad or nil tape it frees each v's
// buffer now, so a forward pass without gradients holds only the activations still in
// use instead of every one until Release. Leaves, views and Vars sharing a buffer with
// one of keep are left alone.
func (tp *Tape) Drop(vs []*Var, keep ...*Var) {
	if tp.Records() {
		return
	}
next:
	for _, v := range vs {
		if v == nil || v.leaf || v.view || v.Value == nil || v.Value.Buf == nil {
			continue
		}
		for _, k := range keep {
			if k != nil && k.Value != nil && k.Value.Buf == v.Value.Buf {
				continue next
			}
		}
		v.Value.Free()
	}
}

// view wraps an op whose output shares its input's buffer (Reshape, Narrow): it is not
// freed by Release.
func (tp *Tape) view(op string, y *tensor.Tensor, in *Var, bw backwardFn) *Var {
	out := tp.result(op, y, []*Var{in}, bw)
	out.view = true
	if tp != nil {
		tp.created = tp.created[:len(tp.created)-1]
	}
	return out
}

// keep registers a temporary (saved for backward) to be freed by Release.
func (tp *Tape) keep(ts ...*tensor.Tensor) {
	if tp != nil {
		for _, t := range ts {
			if t != nil {
				tp.created = append(tp.created, t)
			}
		}
	}
}

// Backward computes the gradient of loss (a one-element Var) with respect to every leaf
// that requires one, adding it to the leaf's Grad. It frees the tape's intermediate
// outputs as it goes: after Backward only the loss's value may be read.
func (tp *Tape) Backward(loss *Var) {
	if loss.Value.Numel() != 1 {
		panic(fmt.Sprintf("autograd: Backward of a tensor of shape %v, want one element", loss.Value.Shape))
	}
	if !loss.requires {
		return
	}
	grads := map[*Var]*tensor.Tensor{loss: tensor.Full(loss.Value.Dev, 1, loss.Value.Shape...)}
	if loss.leaf {
		accumulate(loss, grads[loss])
		return
	}
	if tp.done {
		panic("autograd: Backward called twice on one tape (its intermediates are freed); record a new forward on a new tape")
	}
	tp.done = true
	for i := len(tp.nodes) - 1; i >= 0; i-- {
		n := tp.nodes[i]
		g, ok := grads[n.out]
		if !ok {
			continue
		}
		delete(grads, n.out)
		ins := n.backward(g)
		passed := false // a rule may hand g itself to one input (Add does)
		for _, t := range ins {
			passed = passed || t == g
		}
		if !passed {
			g.Free()
		}
		// Every consumer of this output comes later on the tape and has run its backward
		// already, so the output is dead: free it now rather than at Release, which
		// roughly halves the peak memory of a step. The loss itself stays readable, also
		// when it is a view (Reshape, Narrow) of this output's buffer.
		if !n.out.view && n.out != loss && n.out.Value.Buf != loss.Value.Buf {
			n.out.Value.Free()
		}
		for j, in := range n.inputs {
			if in == nil || !in.requires || ins[j] == nil {
				continue
			}
			gi := ins[j]
			if !gi.Shape.Equal(in.Value.Shape) {
				panic(fmt.Sprintf("autograd: %s backward gave gradient %v for input %v", n.op, gi.Shape, in.Value.Shape))
			}
			if in.leaf {
				accumulate(in, gi)
				continue
			}
			if prev, ok := grads[in]; ok {
				tensor.AddInto(prev, gi)
				gi.Free()
			} else {
				grads[in] = gi
			}
		}
	}
	for _, g := range grads {
		g.Free()
	}
}

func accumulate(v *Var, g *tensor.Tensor) {
	if v.Grad == nil {
		if g.IsContiguous() {
			v.Grad = g
			return
		}
		v.Grad = g.Contiguous()
		return
	}
	tensor.AddInto(v.Grad, g)
	g.Free()
}

// Release frees every tensor the tape's ops created (outputs and saved temporaries, not
// leaves and not gradients), so a long run keeps device memory flat. Vars returned by the
// tape's ops are invalid afterwards.
func (tp *Tape) Release() {
	if tp == nil {
		return
	}
	for _, t := range tp.created {
		t.Free()
	}
	tp.created = nil
	tp.nodes = nil
}
