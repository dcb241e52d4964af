// Package optbench is the synthetic benchmark of appendix B of
// papers/dscd-making-darts-less-local.txt: multimodal test functions with known optima and
// the optimisers compared on them (Adam, Adam with DSCD global steps, uniform sampling and
// CMA-ES), each run returning its best-so-far curve, and the median and quartiles over runs.
package optbench

import (
	"fmt"
	"math"
	"strings"
)

// A Function is a test function on the box [Lo, Hi]^d with a known global minimiser.
type Function struct {
	Name   string
	Lo, Hi float64
	// ArgminCoord is the value of every coordinate of the global minimiser.
	ArgminCoord float64
	// ValueGrad returns f(x) and, when grad is not nil, writes ∇f(x) into it.
	ValueGrad func(x, grad []float64) float64
}

// Value returns f(x).
func (f Function) Value(x []float64) float64 { return f.ValueGrad(x, nil) }

// Argmin returns the global minimiser in d dimensions.
func (f Function) Argmin(d int) []float64 {
	x := make([]float64, d)
	for i := range x {
		x[i] = f.ArgminCoord
	}
	return x
}

// Optimum returns the global minimum in d dimensions, evaluated at Argmin rather than
// taken from a table: Schwefel's constant 418.9829 leaves a residual of about 1.27e-5 per
// dimension at its minimiser, so its optimum is not exactly 0.
func (f Function) Optimum(d int) float64 { return f.Value(f.Argmin(d)) }

// StyblinskiTang is f(x) = ½ Σ (x_i⁴ − 16x_i² + 5x_i) on [−5, 5]^d, minimum ≈ −39.16617·d at
// x_i = −2.903534; every coordinate has a second, worse basin near +2.7468
// (reference/nas-algorithms.md §4.1).
var StyblinskiTang = Function{
	Name: "styblinski-tang",
	Lo:   -5, Hi: 5,
	// The root of 4x³ − 32x + 5 near −2.9035, to float64 precision.
	ArgminCoord: -2.903534027771177,
	ValueGrad: func(x, grad []float64) float64 {
		var s float64
		for i, v := range x {
			v2 := v * v
			s += v2*v2 - 16*v2 + 5*v
			if grad != nil {
				grad[i] = 0.5 * (4*v2*v - 32*v + 5)
			}
		}
		return 0.5 * s
	},
}

// Schwefel is Schwefel's function 2.26, f(x) = 418.9829·d − Σ x_i sin(√|x_i|) on
// [−500, 500]^d, minimum ≈ 0 at x_i = 420.9687; deceptive, its second-best basin lies far
// from the best (reference/nas-algorithms.md §4.1).
var Schwefel = Function{
	Name: "schwefel",
	Lo:   -500, Hi: 500,
	// The root of sin(√x) + ½√x cos(√x) near 420.9687, to float64 precision.
	ArgminCoord: 420.96874635998203,
	ValueGrad: func(x, grad []float64) float64 {
		s := 418.9829 * float64(len(x))
		for i, v := range x {
			r := math.Sqrt(math.Abs(v))
			sn := math.Sin(r)
			s -= v * sn
			if grad != nil {
				// d/dv [v sin √|v|] = sin √|v| + ½ √|v| cos √|v| (for either sign of v).
				grad[i] = -(sn + 0.5*r*math.Cos(r))
			}
		}
		return s
	},
}

// Functions lists the benchmark functions by name.
var Functions = map[string]Function{
	StyblinskiTang.Name: StyblinskiTang,
	Schwefel.Name:       Schwefel,
}

// FunctionByName returns the named function or an error listing the known names.
func FunctionByName(name string) (Function, error) {
	if f, ok := Functions[name]; ok {
		return f, nil
	}
	return Function{}, fmt.Errorf("unknown function %q, want one of %s", name, strings.Join(FunctionNames(), ", "))
}

// FunctionNames returns the known function names, sorted.
func FunctionNames() []string { return []string{Schwefel.Name, StyblinskiTang.Name} }
