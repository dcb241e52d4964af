package autograd_test

import (
	"math"
	"testing"

	"godarts/autograd"
	"godarts/tensor"
	"godarts/tensor/ref"
)

// quadLoss is L(w) = mean((x·wᵀ)²) for a fixed x.
func quadLoss(tp *autograd.Tape, x, w *autograd.Var) *autograd.Var {
	y := tp.MatMul(x, w, false, true)
	return tp.Mean(tp.Mul(y, y))
}

func grad(t *testing.T, x, w *autograd.Var) []float64 {
	t.Helper()
	autograd.ZeroGrad([]*autograd.Var{w})
	tp := autograd.NewTape()
	tp.Backward(quadLoss(tp, x, w))
	tp.Release()
	return append([]float64(nil), ref.Data(w.Grad)...)
}

func near(a, b []float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > tol*math.Max(1, math.Abs(b[i])) {
			return false
		}
	}
	return true
}

// TestGradientAtPerturbedWeights is the DARTS unrolled step's pattern (nas-algorithms.md
// §1.6): w± = w ± εv in place with AxpbyInto, a new forward on a new tape gives ∇L(w±),
// and undoing the update gives the original gradient back, without rebuilding anything.
func TestGradientAtPerturbedWeights(t *testing.T) {
	g := tensor.NewRNG(9)
	x := autograd.Const(param(g, -1, 1, 5, 4).Value)
	w := param(g, -1, 1, 3, 4)
	v := param(g, -1, 1, 3, 4).Value
	const eps = 0.01
	w0 := append([]float64(nil), ref.Data(w.Value)...)
	g0 := grad(t, x, w)

	tensor.AxpbyInto(w.Value, 1, w.Value, eps, v) // w+ = w + εv
	gPlus := grad(t, x, w)
	fresh := make([]float64, len(w0))
	for i := range fresh {
		fresh[i] = w0[i] + float64(float32(eps))*ref.Data(v)[i] // AxpbyInto takes float32 coefficients
	}
	want := grad(t, x, autograd.Param(ref.FromFloat64(fresh, 3, 4)))
	if !near(gPlus, want, 1e-12) {
		t.Errorf("gradient at w+εv in place %v, on a fresh parameter %v", gPlus, want)
	}
	if near(gPlus, g0, 1e-6) {
		t.Error("gradient did not change after perturbing w")
	}
	tensor.AxpbyInto(w.Value, 1, w.Value, -eps, v) // back to w
	if back := grad(t, x, w); !near(back, g0, 1e-12) {
		t.Errorf("gradient after undoing the perturbation %v, want %v", back, g0)
	}
}

// TestGradientsAccumulate: two Backward calls without ZeroGrad add; ZeroGrad clears.
func TestGradientsAccumulate(t *testing.T) {
	g := tensor.NewRNG(2)
	x := autograd.Const(param(g, -1, 1, 4, 3).Value)
	w := param(g, -1, 1, 2, 3)
	once := grad(t, x, w)
	tp := autograd.NewTape()
	tp.Backward(quadLoss(tp, x, w)) // w.Grad holds once; this adds a second copy
	twice := make([]float64, len(once))
	for i := range once {
		twice[i] = 2 * once[i]
	}
	if !near(ref.Data(w.Grad), twice, 1e-12) {
		t.Errorf("accumulated gradient %v, want %v", ref.Data(w.Grad), twice)
	}
	autograd.ZeroGrad([]*autograd.Var{w})
	if w.Grad != nil {
		t.Error("ZeroGrad left a gradient")
	}
}

// TestFrozenAndNoGrad: frozen leaves get no gradient; a nil tape and NoGrad record nothing
// but compute the same value.
func TestFrozenAndNoGrad(t *testing.T) {
	g := tensor.NewRNG(4)
	x := param(g, -1, 1, 4, 3)
	w := param(g, -1, 1, 2, 3)
	w.SetRequiresGrad(false)
	tp := autograd.NewTape()
	loss := quadLoss(tp, x, w)
	tp.Backward(loss)
	if w.Grad != nil {
		t.Error("frozen weight got a gradient")
	}
	if x.Grad == nil {
		t.Error("input that requires a gradient got none")
	}
	w.SetRequiresGrad(true)
	x.SetRequiresGrad(false)
	want := ref.Data(quadLoss(autograd.NewTape(), x, w).Value)[0]
	for name, tp := range map[string]*autograd.Tape{"nil": nil, "NoGrad": autograd.NoGrad()} {
		l := quadLoss(tp, x, w)
		if l.RequiresGrad() {
			t.Errorf("%s tape: loss requires a gradient", name)
		}
		if got := ref.Data(l.Value)[0]; got != want {
			t.Errorf("%s tape: loss %v, want %v", name, got, want)
		}
	}
	// Nothing requires a gradient: Backward is a no-op, not a panic.
	w.SetRequiresGrad(false)
	tp = autograd.NewTape()
	tp.Backward(quadLoss(tp, x, w))
	if w.Grad != nil {
		t.Error("gradient with every leaf frozen")
	}
}

// TestReleaseFreesOnlyIntermediates: after Release the leaves and gradients stay usable.
func TestReleaseFreesOnlyIntermediates(t *testing.T) {
	g := tensor.NewRNG(6)
	x := autograd.Const(param(g, -1, 1, 4, 3).Value)
	w := param(g, -1, 1, 2, 3)
	tp := autograd.NewTape()
	loss := quadLoss(tp, x, w)
	tp.Backward(loss)
	tp.Release()
	if loss.Value.Buf != nil {
		t.Error("Release kept the loss (an intermediate)")
	}
	if w.Value.Buf == nil || w.Grad == nil || w.Grad.Buf == nil || x.Value.Buf == nil {
		t.Error("Release freed a leaf or a gradient")
	}
}

// TestBackwardOfNonScalarPanics: the loss must have one element.
func TestBackwardOfNonScalarPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Backward of a [2,3] tensor did not panic")
		}
	}()
	w := param(tensor.NewRNG(1), -1, 1, 2, 3)
	tp := autograd.NewTape()
	tp.Backward(tp.Scale(w, 2))
}

// TestZeroCarriesNoGradient: the DARTS `none` op is zeros of the subsampled shape and its
// input gets no gradient through it (only through the other path here).
func TestZeroCarriesNoGradient(t *testing.T) {
	g := tensor.NewRNG(9)
	cases := []struct {
		name      string
		stride    int
		shape     []int
		wantShape tensor.Shape
	}{
		{"stride 1", 1, []int{2, 3, 4, 4}, tensor.Shape{2, 3, 4, 4}},
		{"stride 2 odd size", 2, []int{1, 2, 5, 3}, tensor.Shape{1, 2, 3, 2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := param(g, -1, 1, c.shape...)
			y := param(g, -1, 1, c.wantShape...)
			tp := autograd.NewTape()
			z := tp.Zero(x, c.stride)
			if !z.Value.Shape.Equal(c.wantShape) {
				t.Fatalf("zero shape %v, want %v", z.Value.Shape, c.wantShape)
			}
			for i, v := range ref.Data(z.Value) {
				if v != 0 {
					t.Fatalf("zero element %d is %v", i, v)
				}
			}
			tp.Backward(tp.Sum(tp.Mul(tp.Add(z, y), y), 1))
			if x.Grad != nil {
				for i, v := range ref.Data(x.Grad) {
					if v != 0 {
						t.Fatalf("x got gradient %v at %d through the zero op", v, i)
					}
				}
			}
			if y.Grad == nil {
				t.Fatal("the other path got no gradient")
			}
		})
	}
}

// TestSecondBackwardOnOneTapePanics: Backward frees the tape's intermediates, so a second
// Backward on the same tape must stop instead of reading freed buffers.
func TestSecondBackwardOnOneTapePanics(t *testing.T) {
	g := tensor.NewRNG(5)
	x := autograd.Const(param(g, -1, 1, 4, 3).Value)
	w := param(g, -1, 1, 2, 3)
	tp := autograd.NewTape()
	loss := quadLoss(tp, x, w)
	tp.Backward(loss)
	defer func() {
		if recover() == nil {
			t.Error("second Backward on one tape did not panic")
		}
	}()
	tp.Backward(loss)
}
