package autograd

import (
	"fmt"
	"math"

	"godarts/tensor/ref"
)

// GradCheck compares the gradients Backward computes for f with central finite
// differences, in float64 on the ref backend. Every input must be a contiguous tensor on
// the ref backend; those that require a gradient are checked element by element.
//
// The scalar checked is L = Σ_i r_i·f(x)_i with fixed weights r_i = sin(i+1)+0.1 (a
// one-element f is used as is), so every output element's rule contributes. f is called
// once per perturbation with a fresh tape; it must be deterministic (no drop-path masks
// drawn inside it). An element fails when |analytic − numeric| > tol·max(1, max|analytic|).
// The error names the first failures; nil means every element passed.
func GradCheck(f func(tp *Tape) *Var, inputs []*Var, h, tol float64) error {
	loss := func(tp *Tape) *Var {
		y := f(tp)
		if y.Value.Numel() == 1 {
			return y
		}
		r := make([]float64, y.Value.Numel())
		for i := range r {
			r[i] = math.Sin(float64(i+1)) + 0.1
		}
		w := Const(ref.FromFloat64(r, y.Value.Shape...))
		return tp.Sum(tp.Mul(y, w), 1)
	}
	ZeroGrad(inputs)
	tp := NewTape()
	tp.Backward(loss(tp))
	value := func() float64 {
		return ref.Data(loss(nil).Value)[0]
	}
	var msgs []string
	bad := 0
	for k, in := range inputs {
		if !in.RequiresGrad() {
			continue
		}
		if in.Grad == nil {
			return fmt.Errorf("gradcheck: input %d %v requires a gradient but Backward gave none", k, in.Value.Shape)
		}
		x, ana := ref.Data(in.Value), ref.Data(in.Grad)
		scale := 1.0
		for _, v := range ana {
			scale = math.Max(scale, math.Abs(v))
		}
		for j := range x {
			old := x[j]
			x[j] = old + h
			up := value()
			x[j] = old - h
			down := value()
			x[j] = old
			num := (up - down) / (2 * h)
			if math.Abs(num-ana[j]) > tol*scale {
				if bad < 5 {
					msgs = append(msgs, fmt.Sprintf("input %d element %d: analytic %.10g, finite difference %.10g", k, j, ana[j], num))
				}
				bad++
			}
		}
	}
	if bad > 0 {
		return fmt.Errorf("gradcheck: %d elements differ: %v", bad, msgs)
	}
	return nil
}
