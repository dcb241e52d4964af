package cmaes

import (
	"math"
	"testing"
)

func sphere(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	return s
}

func rosenbrock(x []float64) float64 {
	var s float64
	for i := 0; i+1 < len(x); i++ {
		a, b := 1-x[i], x[i+1]-x[i]*x[i]
		s += a*a + 100*b*b
	}
	return s
}

func rastrigin(x []float64) float64 {
	s := 10 * float64(len(x))
	for _, v := range x {
		s += v*v - 10*math.Cos(2*math.Pi*v)
	}
	return s
}

// TestConverges checks that CMA-ES reaches the minimum of unimodal functions, including the
// curved valley of Rosenbrock that only an adapted covariance follows efficiently.
func TestConverges(t *testing.T) {
	cases := []struct {
		name   string
		f      func([]float64) float64
		dim    int
		budget int
		want   float64
	}{
		{"sphere", sphere, 10, 4000, 1e-10},
		{"rosenbrock", rosenbrock, 5, 8000, 1e-8},
		{"rosenbrock", rosenbrock, 10, 20000, 1e-8},
	}
	for _, c := range cases {
		for seed := uint64(1); seed <= 3; seed++ {
			calls := 0
			f := func(x []float64) float64 { calls++; return c.f(x) }
			x0 := make([]float64, c.dim)
			for i := range x0 {
				x0[i] = -2 + 0.3*float64(i%4) // away from the minimum
			}
			res, err := MinimizeResult(f, Config{Lo: -5, Hi: 5, Budget: c.budget, Seed: seed, X0: x0})
			if err != nil {
				t.Fatal(err)
			}
			if res.Best > c.want {
				t.Errorf("%s d=%d seed %d: best %g after %d evaluations, want ≤ %g", c.name, c.dim, seed, res.Best, res.Evals, c.want)
			}
			if calls != c.budget || res.Evals != c.budget {
				t.Errorf("%s: %d calls, %d counted, want the budget %d", c.name, calls, res.Evals, c.budget)
			}
			if got := c.f(res.BestX); got != res.Best {
				t.Errorf("%s: BestX evaluates to %g, Best says %g", c.name, got, res.Best)
			}
		}
	}
}

// TestBounds minimises a function whose minimum lies outside the box: every evaluated point
// must lie inside it and the result on its face.
func TestBounds(t *testing.T) {
	f := func(x []float64) float64 {
		for _, v := range x {
			if v < -1 || v > 1 {
				t.Fatalf("evaluated %v outside [-1, 1]", x)
			}
		}
		return sphere([]float64{x[0] - 3, x[1] + 3, x[2]})
	}
	res, err := MinimizeResult(f, Config{Lo: -1, Hi: 1, Dim: 3, Budget: 3000, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if want := 8.0; math.Abs(res.Best-want) > 1e-6 {
		t.Errorf("best %v at %v, want %v at (1, -1, 0)", res.Best, res.BestX, want)
	}
}

// TestRestarts checks IPOP on Rastrigin: runs end by stagnation in local optima, restarts
// double the population, and the larger populations find the global minimum.
func TestRestarts(t *testing.T) {
	res, err := MinimizeResult(rastrigin, Config{Lo: -5.12, Hi: 5.12, Dim: 5, Budget: 60000, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Lambdas) < 2 {
		t.Fatalf("no restart in %d evaluations (populations %v)", res.Evals, res.Lambdas)
	}
	for i := 1; i < len(res.Lambdas); i++ {
		if res.Lambdas[i] != 2*res.Lambdas[i-1] {
			t.Errorf("populations %v: want each restart to double λ", res.Lambdas)
		}
	}
	if res.Lambdas[0] != 4+int(3*math.Log(5)) {
		t.Errorf("first population %d, want 4+⌊3 ln 5⌋ = %d", res.Lambdas[0], 4+int(3*math.Log(5)))
	}
	if res.Best > 1e-6 {
		t.Errorf("Rastrigin d=5: best %g with populations %v, want the global minimum 0", res.Best, res.Lambdas)
	}
}

func TestSymEigen(t *testing.T) {
	a := [][]float64{{4, 1, -2}, {1, 2, 0.5}, {-2, 0.5, 3}}
	vals, vecs := symEigen(a)
	for k := range vals {
		for i := 0; i < 3; i++ {
			var av float64
			for j := 0; j < 3; j++ {
				av += a[i][j] * vecs[j][k]
			}
			if math.Abs(av-vals[k]*vecs[i][k]) > 1e-10 {
				t.Fatalf("eigenpair %d: (Av)[%d] = %v, λv = %v", k, i, av, vals[k]*vecs[i][k])
			}
		}
	}
}

func TestConfigErrors(t *testing.T) {
	f := func([]float64) float64 { return 0 }
	for _, cfg := range []Config{
		{Lo: 0, Hi: 1, Budget: 10},
		{Lo: 1, Hi: 0, Budget: 10, Dim: 2},
		{Lo: 0, Hi: 1, Budget: 0, Dim: 2},
		{Lo: 0, Hi: 1, Budget: 10, Dim: 2, X0: []float64{0}},
		{Lo: 0, Hi: 1, Budget: 10, Dim: 2, Lambda0: 1},
	} {
		if _, err := MinimizeResult(f, cfg); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
}
