package betadist

import (
	"math"
	"math/rand/v2"
	"testing"
)

// sampleMoments returns the mean and variance of draws, and the standard errors of both,
// so a test can allow a few standard errors of slack rather than a guessed tolerance.
func sampleMoments(xs []float64) (mean, variance, seMean, seVar float64) {
	n := float64(len(xs))
	for _, x := range xs {
		mean += x
	}
	mean /= n
	for _, x := range xs {
		d := x - mean
		variance += d * d
	}
	variance /= n - 1
	var m4 float64
	for _, x := range xs {
		d := x - mean
		m4 += d * d * d * d
	}
	m4 /= n
	seMean = math.Sqrt(variance / n)
	seVar = math.Sqrt((m4 - variance*variance) / n)
	return
}

func TestBetaMoments(t *testing.T) {
	const draws = 200000
	cases := []struct{ a, b float64 }{
		{1, 1}, {0.5, 0.5}, {0.2, 3}, {2, 0.3}, {5, 5}, {50, 20}, {0.05, 0.08}, {1e3, 1},
	}
	for i, c := range cases {
		r := rand.New(rand.NewPCG(uint64(i), 7))
		xs := make([]float64, draws)
		for j := range xs {
			x := Beta(r, c.a, c.b)
			if !(x >= 0 && x <= 1) {
				t.Fatalf("Beta(%v, %v) drew %v, outside [0, 1]", c.a, c.b, x)
			}
			xs[j] = x
		}
		mean, variance, seMean, seVar := sampleMoments(xs)
		wantMean, wantVar := Mean(c.a, c.b), Var(c.a, c.b)
		if math.Abs(mean-wantMean) > 5*seMean {
			t.Errorf("Beta(%v, %v): sample mean %.5f, want %.5f ± %.5f", c.a, c.b, mean, wantMean, 5*seMean)
		}
		if math.Abs(variance-wantVar) > 5*seVar {
			t.Errorf("Beta(%v, %v): sample variance %.6f, want %.6f ± %.6f", c.a, c.b, variance, wantVar, 5*seVar)
		}
	}
}

func TestGammaMoments(t *testing.T) {
	const draws = 200000
	for i, shape := range []float64{0.1, 0.7, 1, 2.5, 30} {
		r := rand.New(rand.NewPCG(uint64(i), 11))
		xs := make([]float64, draws)
		for j := range xs {
			xs[j] = Gamma(r, shape)
		}
		mean, variance, seMean, seVar := sampleMoments(xs)
		// Gamma(k, 1): mean k, variance k.
		if math.Abs(mean-shape) > 5*seMean {
			t.Errorf("Gamma(%v): sample mean %.5f, want %v ± %.5f", shape, mean, shape, 5*seMean)
		}
		if math.Abs(variance-shape) > 5*seVar {
			t.Errorf("Gamma(%v): sample variance %.5f, want %v ± %.5f", shape, variance, shape, 5*seVar)
		}
	}
}

func TestBetaIsSeeded(t *testing.T) {
	r1 := rand.New(rand.NewPCG(3, 4))
	r2 := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 100; i++ {
		if x, y := Beta(r1, 0.3, 2), Beta(r2, 0.3, 2); x != y {
			t.Fatalf("draw %d: %v and %v from the same seed", i, x, y)
		}
	}
}

func TestFromMoments(t *testing.T) {
	cases := []struct{ m, s, a, b float64 }{
		{0.5, 1 / math.Sqrt(12), 1, 1}, // uniform
		{0.25, math.Sqrt(Var(2, 6)), 2, 6},
		{0.9, math.Sqrt(Var(0.9, 0.1)), 0.9, 0.1},
	}
	for _, c := range cases {
		a, b, err := FromMoments(c.m, c.s)
		if err != nil {
			t.Fatalf("FromMoments(%v, %v): %v", c.m, c.s, err)
		}
		if math.Abs(a-c.a) > 1e-9 || math.Abs(b-c.b) > 1e-9 {
			t.Errorf("FromMoments(%v, %v) = (%v, %v), want (%v, %v)", c.m, c.s, a, b, c.a, c.b)
		}
		if math.Abs(Mean(a, b)-c.m) > 1e-12 || math.Abs(math.Sqrt(Var(a, b))-c.s) > 1e-12 {
			t.Errorf("FromMoments(%v, %v): Beta(%v, %v) has mean %v std %v", c.m, c.s, a, b, Mean(a, b), math.Sqrt(Var(a, b)))
		}
	}
	bad := []struct{ m, s float64 }{{0, 0.1}, {1, 0.1}, {0.5, 0.5}, {0.5, 0}, {math.NaN(), 0.1}, {0.5, math.NaN()}}
	for _, c := range bad {
		if _, _, err := FromMoments(c.m, c.s); err == nil {
			t.Errorf("FromMoments(%v, %v): no error, want one", c.m, c.s)
		}
	}
}
