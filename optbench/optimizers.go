package optbench

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"godarts/nas/dscd"
	"godarts/optbench/cmaes"
)

// Optimizer names.
const (
	Adam     = "adam"
	AdamDSCD = "adam+dscd"
	Uniform  = "uniform"
	CMAES    = "cmaes"
)

// OptimizerNames lists the optimizers in the order "all" expands to.
var OptimizerNames = []string{Adam, AdamDSCD, Uniform, CMAES}

// Schedules of the Adam learning rate.
const (
	Constant = "constant"
	Cosine   = "cosine" // lr·½(1 + cos(π t/T)) over the budget (SGDR without restarts)
)

// Adam's moment decays and ε: the defaults of Kingma and Ba (the paper's reference 9).
const (
	adamBeta1 = 0.9
	adamBeta2 = 0.999
	adamEps   = 1e-8
)

// A Spec says which optimizer to run and how.
type Spec struct {
	// Kind is one of Adam, AdamDSCD, Uniform, CMAES.
	Kind string
	// LR and Schedule configure the Adam variants.
	LR       float64
	Schedule string
	// DSCD configures the global steps of AdamDSCD; TotalSteps, Lo, Hi and Seed are set
	// per run (the budget, the function's box, the run's seed). Zero fields take the
	// defaults of nas/dscd.
	DSCD dscd.Config
}

// Name is the label of the spec in tables, JSON and plots, e.g. "adam+dscd(lr=0.05,cosine)".
func (s Spec) Name() string {
	switch s.Kind {
	case Adam, AdamDSCD:
		name := s.Kind + "(lr=" + strconv.FormatFloat(s.LR, 'g', -1, 64)
		if s.Schedule == Cosine {
			name += ",cosine"
		}
		return name + ")"
	}
	return s.Kind
}

// Validate reports the first field that is out of range.
func (s Spec) Validate() error {
	switch s.Kind {
	case Adam, AdamDSCD:
		if !(s.LR > 0) || math.IsInf(s.LR, 0) {
			return fmt.Errorf("%s: learning rate %v, want > 0", s.Kind, s.LR)
		}
		if s.Schedule != "" && s.Schedule != Constant && s.Schedule != Cosine {
			return fmt.Errorf("%s: schedule %q, want %s or %s", s.Kind, s.Schedule, Constant, Cosine)
		}
	case Uniform, CMAES:
	default:
		return fmt.Errorf("unknown optimizer %q, want one of %s", s.Kind, strings.Join(OptimizerNames, ", "))
	}
	return nil
}

// A Result is one run.
type Result struct {
	// Curve[i] is the best value among the first i+1 function evaluations.
	Curve []float64
	// Best is the best value found and BestX where.
	Best  float64
	BestX []float64
	// Final is the optimizer's position at the end (the mean for CMA-ES, the last sample
	// for uniform sampling).
	Final []float64
	// Proposed and Accepted count the DSCD global steps (AdamDSCD only).
	Proposed, Accepted int
}

// tracker records the best-so-far curve of a run.
type tracker struct {
	f      Function
	budget int
	res    Result
}

func newTracker(f Function, d, budget int) *tracker {
	return &tracker{f: f, budget: budget, res: Result{
		Curve: make([]float64, 0, budget), Best: math.Inf(1), BestX: make([]float64, d),
	}}
}

// eval evaluates f (and its gradient when grad is not nil) at x and records the value.
func (t *tracker) eval(x, grad []float64) float64 {
	v := t.f.ValueGrad(x, grad)
	if v < t.res.Best {
		t.res.Best = v
		copy(t.res.BestX, x)
	}
	t.res.Curve = append(t.res.Curve, t.res.Best)
	return v
}

func (t *tracker) done() bool { return len(t.res.Curve) >= t.budget }

// Run runs one optimizer on f in d dimensions for a budget of function evaluations (one
// evaluation of f together with its gradient counts as one) and returns its best-so-far
// curve. Runs with the same seed start from the same point, so Adam and Adam+DSCD are
// compared from identical starts.
func Run(f Function, d int, spec Spec, budget int, seed uint64) (Result, error) {
	if err := spec.Validate(); err != nil {
		return Result{}, err
	}
	if d < 1 {
		return Result{}, fmt.Errorf("dimension %d, want ≥ 1", d)
	}
	if budget < 1 {
		return Result{}, fmt.Errorf("budget %d evaluations, want ≥ 1", budget)
	}
	rng := rand.New(rand.NewPCG(seed, 0x6f7074)) // stream "opt"
	x0 := make([]float64, d)
	for i := range x0 {
		x0[i] = f.Lo + rng.Float64()*(f.Hi-f.Lo)
	}
	t := newTracker(f, d, budget)
	switch spec.Kind {
	case Adam, AdamDSCD:
		if err := runAdam(t, spec, x0, seed); err != nil {
			return Result{}, err
		}
	case Uniform:
		x := make([]float64, d)
		for !t.done() {
			for i := range x {
				x[i] = f.Lo + rng.Float64()*(f.Hi-f.Lo)
			}
			t.eval(x, nil)
		}
		t.res.Final = x
	case CMAES:
		cfg := cmaes.Config{Lo: f.Lo, Hi: f.Hi, Budget: budget, Seed: seed, X0: x0}
		last, err := cmaes.Minimize(func(x []float64) float64 { return t.eval(x, nil) }, cfg)
		if err != nil {
			return Result{}, err
		}
		t.res.Final = last
	}
	return t.res, nil
}

// runAdam runs Adam projected onto the box, with DSCD global steps for AdamDSCD. Each step
// is one evaluation: a local step evaluates f and ∇f at the point Adam moved to, a global
// step at the proposed point (kept or reverted by the DSCD controller). The Adam moments
// are left as they are across global steps (the paper does not say it resets them).
func runAdam(t *tracker, spec Spec, x0 []float64, seed uint64) error {
	d := len(x0)
	x := append([]float64(nil), x0...)
	g := make([]float64, d)
	m := make([]float64, d)
	v := make([]float64, d)
	fx := t.eval(x, g)
	var ctrl *dscd.Controller
	if spec.Kind == AdamDSCD {
		cfg := spec.DSCD
		cfg.Lo, cfg.Hi, cfg.Seed, cfg.TotalSteps = t.f.Lo, t.f.Hi, seed, t.budget
		var err error
		if ctrl, err = dscd.New(cfg); err != nil {
			return err
		}
		ctrl.Start(fx)
	}
	gNew := make([]float64, d)
	adamSteps := 0
	for step := 1; !t.done(); step++ {
		if ctrl != nil && ctrl.Next() == dscd.Global {
			moves := ctrl.Propose(x)
			dscd.Apply(x, moves)
			f := t.eval(x, gNew)
			if ctrl.Report(f) {
				g, gNew = gNew, g
			} else {
				dscd.Revert(x, moves)
			}
			continue
		}
		lr := spec.LR
		if spec.Schedule == Cosine {
			lr *= 0.5 * (1 + math.Cos(math.Pi*float64(step)/float64(t.budget)))
		}
		adamSteps++
		c1 := 1 - math.Pow(adamBeta1, float64(adamSteps))
		c2 := 1 - math.Pow(adamBeta2, float64(adamSteps))
		for i := range x {
			m[i] = adamBeta1*m[i] + (1-adamBeta1)*g[i]
			v[i] = adamBeta2*v[i] + (1-adamBeta2)*g[i]*g[i]
			x[i] -= lr * (m[i] / c1) / (math.Sqrt(v[i]/c2) + adamEps)
			x[i] = math.Min(math.Max(x[i], t.f.Lo), t.f.Hi)
		}
		f := t.eval(x, g)
		if ctrl != nil {
			ctrl.Report(f)
		}
	}
	t.res.Final = x
	if ctrl != nil {
		st := ctrl.State()
		t.res.Proposed, t.res.Accepted = st.Proposed, st.Accepted
	}
	return nil
}
