// Package cmaes minimises a function on a box with the covariance matrix adaptation
// evolution strategy (CMA-ES): rank-one and rank-μ covariance updates, cumulative step-size
// adaptation, bounds by repair and IPOP restarts that double the population.
//
// The update equations and default constants are those of N. Hansen, "The CMA Evolution
// Strategy: A Tutorial" (arXiv:1604.00772, Table 1 and Fig. 7); the restart scheme is
// A. Auger and N. Hansen, "A restart CMA evolution strategy with increasing population
// size" (CEC 2005). It is the baseline of appendix B of papers/dscd-making-darts-less-local.txt
// (reference/nas-algorithms.md §4.2).
package cmaes

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// Config configures Minimize. Zero fields take the defaults given with each.
type Config struct {
	// Lo and Hi bound every coordinate. Required, Lo < Hi.
	Lo, Hi float64
	// Budget is the number of function evaluations. Required.
	Budget int
	// Seed seeds the sampling.
	Seed uint64
	// X0 is the initial mean of the first run; default the centre of the box. Restarts
	// start from a uniform random point of the box.
	X0 []float64
	// Dim is the dimension; default len(X0). One of Dim and X0 is required.
	Dim int
	// Sigma0 is the initial step size; default 0.3·(Hi − Lo), so that the box lies within
	// about ±3σ of its centre (reference/nas-algorithms.md §4.2).
	Sigma0 float64
	// Lambda0 is the population of the first run; default 4 + ⌊3 ln n⌋ (Hansen's default).
	Lambda0 int
	// MaxRestarts bounds the IPOP restarts; default unbounded (the budget stops the search);
	// negative means none.
	MaxRestarts int
}

// Result describes a finished minimisation.
type Result struct {
	Best  float64   // best value evaluated
	BestX []float64 // where
	Mean  []float64 // the mean of the last run's distribution
	Evals int       // function evaluations used
	// Lambdas holds the population size of each run: the first, then one per restart.
	Lambdas []int
}

// Minimize minimises f over the box with IPOP-CMA-ES and returns the final mean of the last
// run; use MinimizeResult for more. f is only ever called with points inside the box.
func Minimize(f func([]float64) float64, cfg Config) ([]float64, error) {
	r, err := MinimizeResult(f, cfg)
	return r.Mean, err
}

// MinimizeResult minimises f over the box with IPOP-CMA-ES until the budget is spent.
func MinimizeResult(f func([]float64) float64, cfg Config) (Result, error) {
	n := cfg.Dim
	if n == 0 {
		n = len(cfg.X0)
	}
	switch {
	case n < 1:
		return Result{}, fmt.Errorf("cmaes: dimension %d, want ≥ 1 (set Dim or X0)", n)
	case cfg.X0 != nil && len(cfg.X0) != n:
		return Result{}, fmt.Errorf("cmaes: X0 has %d coordinates, Dim is %d", len(cfg.X0), n)
	case !(cfg.Lo < cfg.Hi) || math.IsInf(cfg.Lo, 0) || math.IsInf(cfg.Hi, 0):
		return Result{}, fmt.Errorf("cmaes: box [%v, %v], want finite lo < hi", cfg.Lo, cfg.Hi)
	case cfg.Budget < 1:
		return Result{}, fmt.Errorf("cmaes: budget %d, want ≥ 1", cfg.Budget)
	case cfg.Sigma0 < 0:
		return Result{}, fmt.Errorf("cmaes: sigma0 %v, want > 0", cfg.Sigma0)
	case cfg.Lambda0 < 0 || cfg.Lambda0 == 1:
		return Result{}, fmt.Errorf("cmaes: lambda0 %d, want ≥ 2", cfg.Lambda0)
	}
	sigma0 := cfg.Sigma0
	if sigma0 == 0 {
		sigma0 = 0.3 * (cfg.Hi - cfg.Lo)
	}
	lambda := cfg.Lambda0
	if lambda == 0 {
		lambda = 4 + int(3*math.Log(float64(n)))
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x636d61)) // stream "cma"
	res := Result{Best: math.Inf(1), BestX: make([]float64, n)}
	eval := func(x []float64) float64 {
		v := f(x)
		res.Evals++
		if v < res.Best || res.Evals == 1 {
			res.Best = v
			copy(res.BestX, x)
		}
		return v
	}
	mean := make([]float64, n)
	if cfg.X0 != nil {
		copy(mean, cfg.X0)
	} else {
		for i := range mean {
			mean[i] = 0.5 * (cfg.Lo + cfg.Hi)
		}
	}
	for restart := 0; ; restart++ {
		res.Lambdas = append(res.Lambdas, lambda)
		s := newState(n, lambda, mean, sigma0)
		s.run(eval, rng, cfg.Lo, cfg.Hi, cfg.Budget-res.Evals)
		res.Mean = s.mean
		if res.Evals >= cfg.Budget || (cfg.MaxRestarts != 0 && restart >= cfg.MaxRestarts) {
			return res, nil
		}
		// IPOP: double the population and restart from a random point of the box.
		lambda *= 2
		mean = make([]float64, n)
		for i := range mean {
			mean[i] = cfg.Lo + rng.Float64()*(cfg.Hi-cfg.Lo)
		}
	}
}

// state is one run of CMA-ES (Hansen's tutorial, Fig. 7).
type state struct {
	n, lambda, mu                 int
	weights                       []float64
	mueff, cc, cs, c1, cmu, damps float64
	chiN                          float64
	mean                          []float64
	sigma, sigma0                 float64
	pc, ps                        []float64
	c                             [][]float64 // covariance
	b                             [][]float64 // eigenvectors of c, as columns
	d                             []float64   // square roots of the eigenvalues
	eigenGen                      int         // generation of the last decomposition
}

func newState(n, lambda int, mean []float64, sigma0 float64) *state {
	s := &state{n: n, lambda: lambda, mu: lambda / 2, sigma: sigma0, sigma0: sigma0}
	s.mean = append([]float64(nil), mean...)
	s.weights = make([]float64, s.mu)
	var sum, sum2 float64
	for i := range s.weights {
		s.weights[i] = math.Log(float64(s.mu)+0.5) - math.Log(float64(i+1))
		sum += s.weights[i]
	}
	for i := range s.weights {
		s.weights[i] /= sum
		sum2 += s.weights[i] * s.weights[i]
	}
	s.mueff = 1 / sum2
	nf := float64(n)
	s.cc = (4 + s.mueff/nf) / (nf + 4 + 2*s.mueff/nf)
	s.cs = (s.mueff + 2) / (nf + s.mueff + 5)
	s.c1 = 2 / ((nf+1.3)*(nf+1.3) + s.mueff)
	s.cmu = math.Min(1-s.c1, 2*(s.mueff-2+1/s.mueff)/((nf+2)*(nf+2)+s.mueff))
	s.damps = 1 + 2*math.Max(0, math.Sqrt((s.mueff-1)/(nf+1))-1) + s.cs
	s.chiN = math.Sqrt(nf) * (1 - 1/(4*nf) + 1/(21*nf*nf))
	s.pc, s.ps = make([]float64, n), make([]float64, n)
	s.c, s.b = identity(n), identity(n)
	s.d = make([]float64, n)
	for i := range s.d {
		s.d[i] = 1
	}
	return s
}

func identity(n int) [][]float64 {
	m := make([][]float64, n)
	for i := range m {
		m[i] = make([]float64, n)
		m[i][i] = 1
	}
	return m
}

type candidate struct {
	x, y []float64 // the repaired point and its step (x − mean)/σ
	f    float64
}

// run iterates until a stopping criterion of the run fires or budget evaluations are spent.
// Stopping criteria (Hansen's tutorial, appendix B.3, and the IPOP paper): the step is
// below 1e-12·σ0 in every coordinate; the best values of the last 10 + ⌈30n/λ⌉
// generations span less than 1e-12 (TolFun, relative to their magnitude); the covariance's
// condition number exceeds 1e14; or a value is not finite.
func (s *state) run(eval func([]float64) float64, rng *rand.Rand, lo, hi float64, budget int) {
	n := s.n
	histLen := 10 + int(math.Ceil(30*float64(n)/float64(s.lambda)))
	var history []float64
	pop := make([]candidate, s.lambda)
	for i := range pop {
		pop[i] = candidate{x: make([]float64, n), y: make([]float64, n)}
	}
	z := make([]float64, n)
	for gen := 0; budget > 0; gen++ {
		// A last generation that the budget cannot complete is evaluated in part (the budget
		// is spent to the last evaluation) and ends the run without an update.
		partial := budget < s.lambda
		for k := range pop[:min(s.lambda, budget)] {
			p := &pop[k]
			for i := range z {
				z[i] = rng.NormFloat64() * s.d[i]
			}
			for i := 0; i < n; i++ {
				var yi float64
				for j := 0; j < n; j++ {
					yi += s.b[i][j] * z[j]
				}
				// Repair: the point is clipped into the box and the step recomputed from the
				// clipped point (Lamarckian repair), so the updates learn from what was evaluated.
				xi := math.Min(math.Max(s.mean[i]+s.sigma*yi, lo), hi)
				p.x[i] = xi
				p.y[i] = (xi - s.mean[i]) / s.sigma
			}
			p.f = eval(p.x)
			if math.IsNaN(p.f) {
				p.f = math.Inf(1)
			}
		}
		if partial {
			return
		}
		budget -= s.lambda
		sort.SliceStable(pop, func(a, b int) bool { return pop[a].f < pop[b].f })

		// Mean: weighted recombination of the μ best steps.
		yw := make([]float64, n)
		for k := 0; k < s.mu; k++ {
			for i := range yw {
				yw[i] += s.weights[k] * pop[k].y[i]
			}
		}
		for i := range s.mean {
			s.mean[i] += s.sigma * yw[i]
		}
		// Step-size path: ps ← (1−cs) ps + √(cs(2−cs)μeff) C^(−1/2) yw.
		invSqrt := s.invSqrtTimes(yw)
		k := math.Sqrt(s.cs * (2 - s.cs) * s.mueff)
		var psNorm float64
		for i := range s.ps {
			s.ps[i] = (1-s.cs)*s.ps[i] + k*invSqrt[i]
			psNorm += s.ps[i] * s.ps[i]
		}
		psNorm = math.Sqrt(psNorm)
		hsig := 0.0
		if psNorm/math.Sqrt(1-math.Pow(1-s.cs, 2*float64(gen+1)))/s.chiN < 1.4+2/float64(n+1) {
			hsig = 1
		}
		kc := hsig * math.Sqrt(s.cc*(2-s.cc)*s.mueff)
		for i := range s.pc {
			s.pc[i] = (1-s.cc)*s.pc[i] + kc*yw[i]
		}
		// Covariance: rank-one update with pc and rank-μ update with the μ best steps.
		dh := (1 - hsig) * s.cc * (2 - s.cc)
		for i := 0; i < n; i++ {
			for j := 0; j <= i; j++ {
				rankMu := 0.0
				for k := 0; k < s.mu; k++ {
					rankMu += s.weights[k] * pop[k].y[i] * pop[k].y[j]
				}
				v := (1-s.c1-s.cmu)*s.c[i][j] + s.c1*(s.pc[i]*s.pc[j]+dh*s.c[i][j]) + s.cmu*rankMu
				s.c[i][j], s.c[j][i] = v, v
			}
		}
		s.sigma *= math.Exp((s.cs / s.damps) * (psNorm/s.chiN - 1))
		// Decompose C lazily, every 1/(10n(c1+cμ)) generations (tutorial, B.2).
		if float64(gen-s.eigenGen) > 1/((s.c1+s.cmu)*float64(n)*10) {
			s.eigenGen = gen
			s.decompose()
		}

		// Stopping criteria of the run.
		history = append(history, pop[0].f)
		if len(history) > histLen {
			history = history[1:]
		}
		if math.IsInf(pop[0].f, 0) || math.IsNaN(s.sigma) || math.IsInf(s.sigma, 0) {
			return
		}
		small := true
		for i := 0; i < n; i++ {
			if s.sigma*math.Max(math.Sqrt(s.c[i][i]), math.Abs(s.pc[i])) > 1e-12*s.sigma0 {
				small = false
				break
			}
		}
		if small {
			return
		}
		if len(history) == histLen {
			hmin, hmax := history[0], history[0]
			for _, h := range history {
				hmin, hmax = math.Min(hmin, h), math.Max(hmax, h)
			}
			if hmax-hmin <= 1e-12*math.Max(1, math.Abs(hmin)) && pop[s.lambda-1].f-pop[0].f <= 1e-12*math.Max(1, math.Abs(pop[0].f)) {
				return
			}
		}
		dmin, dmax := s.d[0], s.d[0]
		for _, v := range s.d {
			dmin, dmax = math.Min(dmin, v), math.Max(dmax, v)
		}
		if dmin <= 0 || (dmax/dmin)*(dmax/dmin) > 1e14 {
			return
		}
	}
}

// invSqrtTimes returns C^(−1/2) v = B D⁻¹ Bᵀ v.
func (s *state) invSqrtTimes(v []float64) []float64 {
	n := s.n
	t := make([]float64, n)
	for j := 0; j < n; j++ {
		var sum float64
		for i := 0; i < n; i++ {
			sum += s.b[i][j] * v[i]
		}
		t[j] = sum / s.d[j]
	}
	out := make([]float64, n)
	for i := 0; i < n; i++ {
		var sum float64
		for j := 0; j < n; j++ {
			sum += s.b[i][j] * t[j]
		}
		out[i] = sum
	}
	return out
}

// decompose sets B and D from the eigendecomposition C = B diag(D²) Bᵀ.
func (s *state) decompose() {
	vals, vecs := symEigen(s.c)
	for i, v := range vals {
		s.d[i] = math.Sqrt(math.Max(v, 0))
	}
	s.b = vecs
}

// symEigen returns the eigenvalues and eigenvectors (as columns) of the symmetric matrix a
// by cyclic Jacobi rotations (Golub and Van Loan, §8.5); a is not modified.
func symEigen(a [][]float64) ([]float64, [][]float64) {
	n := len(a)
	m := make([][]float64, n)
	for i := range m {
		m[i] = append([]float64(nil), a[i]...)
	}
	v := identity(n)
	for sweep := 0; sweep < 100; sweep++ {
		var off, diag float64
		for i := 0; i < n; i++ {
			diag += m[i][i] * m[i][i]
			for j := i + 1; j < n; j++ {
				off += m[i][j] * m[i][j]
			}
		}
		if off <= 1e-30*diag || off == 0 {
			break
		}
		for p := 0; p < n; p++ {
			for q := p + 1; q < n; q++ {
				if m[p][q] == 0 {
					continue
				}
				theta := (m[q][q] - m[p][p]) / (2 * m[p][q])
				t := 1 / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				if theta < 0 {
					t = -t
				}
				c := 1 / math.Sqrt(t*t+1)
				sn := t * c
				for k := 0; k < n; k++ {
					mkp, mkq := m[k][p], m[k][q]
					m[k][p] = c*mkp - sn*mkq
					m[k][q] = sn*mkp + c*mkq
				}
				for k := 0; k < n; k++ {
					mpk, mqk := m[p][k], m[q][k]
					m[p][k] = c*mpk - sn*mqk
					m[q][k] = sn*mpk + c*mqk
				}
				for k := 0; k < n; k++ {
					vkp, vkq := v[k][p], v[k][q]
					v[k][p] = c*vkp - sn*vkq
					v[k][q] = sn*vkp + c*vkq
				}
			}
		}
	}
	vals := make([]float64, n)
	for i := range vals {
		vals[i] = m[i][i]
	}
	return vals, v
}
