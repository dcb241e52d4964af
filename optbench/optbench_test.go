package optbench

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestOptimumValues(t *testing.T) {
	cases := []struct {
		f    Function
		d    int
		want float64
		tol  float64
	}{
		// reference/nas-algorithms.md §4.1: −39.16616570377142·d.
		{StyblinskiTang, 1, -39.16616570377142, 1e-12},
		{StyblinskiTang, 10, -391.6616570377142, 1e-10},
		// 418.9829·d − d·x* sin √x* leaves ≈ 1.2727566e-5 per dimension (computed with
		// 30-digit arithmetic at the exact minimiser).
		{Schwefel, 1, 1.27275662937e-5, 1e-9},
		{Schwefel, 10, 1.27275662937e-4, 1e-8},
	}
	for _, c := range cases {
		if got := c.f.Optimum(c.d); math.Abs(got-c.want) > c.tol {
			t.Errorf("%s d=%d: optimum %.15g, want %.15g", c.f.Name, c.d, got, c.want)
		}
		// The minimiser is a stationary point, and nearby points are worse.
		x := c.f.Argmin(c.d)
		g := make([]float64, c.d)
		c.f.ValueGrad(x, g)
		for i, gi := range g {
			if math.Abs(gi) > 1e-9 {
				t.Errorf("%s: gradient %v at the minimiser, coordinate %d", c.f.Name, gi, i)
			}
		}
		for _, h := range []float64{-1e-3, 1e-3} {
			y := append([]float64(nil), x...)
			y[0] += h
			if c.f.Value(y) <= c.f.Optimum(c.d) {
				t.Errorf("%s: f(x*+%v e0) = %v not above the optimum", c.f.Name, h, c.f.Value(y))
			}
		}
	}
}

// TestGradients compares each gradient with central differences at random points.
func TestGradients(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, f := range []Function{StyblinskiTang, Schwefel} {
		for trial := 0; trial < 20; trial++ {
			x := make([]float64, 4)
			for i := range x {
				x[i] = f.Lo + r.Float64()*(f.Hi-f.Lo)
			}
			g := make([]float64, len(x))
			v := f.ValueGrad(x, g)
			if v != f.Value(x) {
				t.Fatalf("%s: ValueGrad and Value disagree", f.Name)
			}
			for i := range x {
				h := 1e-6 * (f.Hi - f.Lo)
				xp := append([]float64(nil), x...)
				xm := append([]float64(nil), x...)
				xp[i] += h
				xm[i] -= h
				num := (f.Value(xp) - f.Value(xm)) / (2 * h)
				if math.Abs(num-g[i]) > 1e-5*math.Max(1, math.Abs(num)) {
					t.Errorf("%s at %v: ∂f/∂x%d = %v, finite difference %v", f.Name, x, i, g[i], num)
				}
			}
		}
	}
}

func TestQuantile(t *testing.T) {
	xs := []float64{5, 1, 4, 2, 3} // sorted: 1 2 3 4 5
	cases := []struct{ q, want float64 }{{0, 1}, {0.25, 2}, {0.5, 3}, {0.75, 4}, {1, 5}, {0.1, 1.4}}
	for _, c := range cases {
		if got := Quantile(xs, c.q); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("Quantile(%v) = %v, want %v", c.q, got, c.want)
		}
	}
	if xs[0] != 5 {
		t.Error("Quantile sorted its input")
	}
	if got := Quantile([]float64{1, 2, 3, 4}, 0.5); got != 2.5 {
		t.Errorf("median of 1..4 = %v, want 2.5", got)
	}
	if !math.IsNaN(Quantile(nil, 0.5)) {
		t.Error("Quantile of nothing is not NaN")
	}
}

// TestRunContract checks, for every optimizer, that a run spends exactly its budget, that
// its curve is the best-so-far of what it evaluated, that it stays in the box and that it
// is reproducible from its seed.
func TestRunContract(t *testing.T) {
	specs := []Spec{
		{Kind: Adam, LR: 0.05}, {Kind: Adam, LR: 0.05, Schedule: Cosine},
		{Kind: AdamDSCD, LR: 0.05}, {Kind: Uniform}, {Kind: CMAES},
	}
	for _, f := range []Function{StyblinskiTang, Schwefel} {
		for _, s := range specs {
			const budget = 300
			res, err := Run(f, 4, s, budget, 7)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Curve) != budget {
				t.Fatalf("%s %s: curve of %d points, want %d", f.Name, s.Name(), len(res.Curve), budget)
			}
			for i := 1; i < len(res.Curve); i++ {
				if res.Curve[i] > res.Curve[i-1] {
					t.Fatalf("%s %s: curve rises at %d", f.Name, s.Name(), i)
				}
			}
			if res.Curve[budget-1] != res.Best || f.Value(res.BestX) != res.Best {
				t.Errorf("%s %s: best %v, curve ends at %v, f(BestX) = %v", f.Name, s.Name(), res.Best, res.Curve[budget-1], f.Value(res.BestX))
			}
			for _, x := range [][]float64{res.BestX, res.Final} {
				for _, v := range x {
					if v < f.Lo || v > f.Hi {
						t.Errorf("%s %s: point %v outside the box", f.Name, s.Name(), x)
					}
				}
			}
			again, _ := Run(f, 4, s, budget, 7)
			if again.Best != res.Best {
				t.Errorf("%s %s: best %v then %v from the same seed", f.Name, s.Name(), res.Best, again.Best)
			}
		}
	}
	if _, err := Run(StyblinskiTang, 2, Spec{Kind: "sgd"}, 10, 1); err == nil {
		t.Error("unknown optimizer accepted")
	}
	if _, err := Run(StyblinskiTang, 2, Spec{Kind: Adam}, 10, 1); err == nil {
		t.Error("Adam without a learning rate accepted")
	}
}

// inGlobalBasin says whether every coordinate of x lies in the global basin of
// Styblinski-Tang, left of the local maximum at x ≈ 0.1567 of each coordinate; a point
// there is Adam's start of a descent to −2.9035.
func inGlobalBasin(x []float64) bool {
	for _, v := range x {
		if v > 0.1567 {
			return false
		}
	}
	return true
}

// TestDSCDEscapesLocalMinima is the acceptance test of issue 7 (appendix B of the DSCD
// paper): on Styblinski-Tang, d = 10, 20 runs of 1000 evaluations from the same random
// starts, Adam alone ends outside the global basin in most runs, and Adam with DSCD global
// steps (nas/dscd defaults) reaches a better median at every learning rate.
func TestDSCDEscapesLocalMinima(t *testing.T) {
	const (
		dim    = 10
		runs   = 20
		budget = 1000
		seed   = 1
	)
	f := StyblinskiTang
	for _, lr := range []float64{0.01, 0.05, 0.1} {
		for _, sched := range []string{Constant, Cosine} {
			adam, err := Bench(f, dim, Spec{Kind: Adam, LR: lr, Schedule: sched}, budget, runs, seed)
			if err != nil {
				t.Fatal(err)
			}
			both, err := Bench(f, dim, Spec{Kind: AdamDSCD, LR: lr, Schedule: sched}, budget, runs, seed)
			if err != nil {
				t.Fatal(err)
			}
			outside := 0
			for _, r := range adam.Results {
				if !inGlobalBasin(r.Final) {
					outside++
				}
			}
			if outside <= runs/2 {
				t.Errorf("%s: %d of %d runs end outside the global basin, want most", adam.Spec.Name(), outside, runs)
			}
			opt := f.Optimum(dim)
			t.Logf("%-26s median gap %8.3f   %-30s median gap %8.3f", adam.Spec.Name(), adam.Median-opt, both.Spec.Name(), both.Median-opt)
			if !(both.Median < adam.Median-1) {
				t.Errorf("lr %v %s: Adam+DSCD median %v, Adam %v; want DSCD better", lr, sched, both.Median, adam.Median)
			}
		}
	}
}
