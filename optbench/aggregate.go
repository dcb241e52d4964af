package optbench

import (
	"fmt"
	"math"
	"sort"
)

// A Summary aggregates the runs of one optimizer.
type Summary struct {
	Spec Spec
	Runs int
	// Median, Q1 and Q3 are the quartiles of the runs' best values.
	Median, Q1, Q3 float64
	// CurveMedian, CurveQ1 and CurveQ3 are the quartiles, over runs, of the best-so-far
	// value after each evaluation.
	CurveMedian, CurveQ1, CurveQ3 []float64
	// Results holds the runs themselves.
	Results []Result
}

// Quantile returns the q-quantile of xs by linear interpolation between order statistics
// (Hyndman and Fan's type 7, the default of R and NumPy). It does not modify xs and
// returns NaN for an empty slice.
func Quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	h := q * float64(len(s)-1)
	lo := int(math.Floor(h))
	if lo >= len(s)-1 {
		return s[len(s)-1]
	}
	if lo < 0 {
		return s[0]
	}
	return s[lo] + (h-float64(lo))*(s[lo+1]-s[lo])
}

// Aggregate returns the quartiles of the best values and curves of results, which must all
// have curves of the same length.
func Aggregate(spec Spec, results []Result) Summary {
	s := Summary{Spec: spec, Runs: len(results), Results: results}
	best := make([]float64, len(results))
	for i, r := range results {
		best[i] = r.Best
	}
	s.Median, s.Q1, s.Q3 = Quantile(best, 0.5), Quantile(best, 0.25), Quantile(best, 0.75)
	if len(results) == 0 {
		return s
	}
	n := len(results[0].Curve)
	s.CurveMedian, s.CurveQ1, s.CurveQ3 = make([]float64, n), make([]float64, n), make([]float64, n)
	col := make([]float64, len(results))
	for j := 0; j < n; j++ {
		for i, r := range results {
			col[i] = r.Curve[j]
		}
		s.CurveMedian[j], s.CurveQ1[j], s.CurveQ3[j] = Quantile(col, 0.5), Quantile(col, 0.25), Quantile(col, 0.75)
	}
	return s
}

// Bench runs spec runs times on f in d dimensions, run r with seed seed+r (so every spec
// starts its run r from the same point), and aggregates them.
func Bench(f Function, d int, spec Spec, budget, runs int, seed uint64) (Summary, error) {
	if runs < 1 {
		return Summary{}, fmt.Errorf("runs %d, want ≥ 1", runs)
	}
	results := make([]Result, runs)
	for r := range results {
		res, err := Run(f, d, spec, budget, seed+uint64(r))
		if err != nil {
			return Summary{}, fmt.Errorf("%s run %d: %w", spec.Name(), r, err)
		}
		results[r] = res
	}
	return Aggregate(spec, results), nil
}
