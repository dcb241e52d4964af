// Package betadist draws seeded samples from Gamma and Beta distributions and converts a
// Beta distribution's mean and standard deviation into its shape parameters.
//
// The samplers take a *rand.Rand from math/rand/v2 so that a caller seeding it with
// rand.NewPCG(seed, seq) gets the same draws on every platform and can save and restore
// the generator's state (rand.PCG implements encoding.BinaryMarshaler).
package betadist

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// LogGamma returns log X for X ~ Gamma(shape, 1), by Marsaglia and Tsang's method
// ("A simple method for generating gamma variables", ACM TOMS 26(3), 2000).
// Working in log space keeps shapes far below 1 usable: there X = G·U^(1/shape) with
// G ~ Gamma(shape+1) underflows to 0 in float64 while its logarithm stays finite.
// It panics if shape is not positive and finite (a programming error of the caller).
func LogGamma(r *rand.Rand, shape float64) float64 {
	if !(shape > 0) || math.IsInf(shape, 1) {
		panic(fmt.Sprintf("betadist.LogGamma: shape %v, want a positive finite number", shape))
	}
	boost := 0.0
	if shape < 1 {
		// Gamma(a) = Gamma(a+1)·U^(1/a) (Marsaglia and Tsang, section 6).
		u := 1 - r.Float64() // in (0, 1], so the log is finite
		boost = math.Log(u) / shape
		shape++
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		var x, v float64
		for {
			x = r.NormFloat64()
			v = 1 + c*x
			if v > 0 {
				break
			}
		}
		v = v * v * v
		u := 1 - r.Float64()
		// Squeeze first, then the exact log test.
		if u < 1-0.0331*x*x*x*x || math.Log(u) < 0.5*x*x+d*(1-v+math.Log(v)) {
			return math.Log(d) + math.Log(v) + boost
		}
	}
}

// Gamma returns a draw of Gamma(shape, 1). For shape well below 1 it may return 0
// (an underflow of a legitimate, tiny value); use LogGamma when that matters.
func Gamma(r *rand.Rand, shape float64) float64 {
	return math.Exp(LogGamma(r, shape))
}

// Beta returns a draw of Beta(a, b) as X/(X+Y) with X ~ Gamma(a), Y ~ Gamma(b), computed
// from log X and log Y so that a, b < 1 do not produce 0/0. The result lies in [0, 1].
// It panics if a or b is not positive and finite.
func Beta(r *rand.Rand, a, b float64) float64 {
	lx := LogGamma(r, a)
	ly := LogGamma(r, b)
	// X/(X+Y) = 1/(1+exp(log Y − log X)), stable for any finite difference.
	return 1 / (1 + math.Exp(ly-lx))
}

// Mean and Var are the moments of Beta(a, b).
func Mean(a, b float64) float64 { return a / (a + b) }

// Var is the variance of Beta(a, b).
func Var(a, b float64) float64 {
	s := a + b
	return a * b / (s * s * (s + 1))
}

// FromMoments returns the Beta(a, b) with mean m and standard deviation s, by the method of
// moments: ν = m(1−m)/s² − 1, a = mν, b = (1−m)ν (see reference/nas-algorithms.md §3.3).
// Such a Beta exists only for 0 < m < 1 and 0 < s² < m(1−m); FromMoments returns an error
// naming the offending values otherwise. Callers that interpolate moments should clamp them
// first (see nas/dscd).
func FromMoments(m, s float64) (a, b float64, err error) {
	if !(m > 0 && m < 1) {
		return 0, 0, fmt.Errorf("beta from moments: mean %v, want in (0, 1)", m)
	}
	if !(s > 0) || s*s >= m*(1-m) {
		return 0, 0, fmt.Errorf("beta from moments: std %v with mean %v, want 0 < std < %v", s, m, math.Sqrt(m*(1-m)))
	}
	nu := m*(1-m)/(s*s) - 1
	return m * nu, (1 - m) * nu, nil
}
