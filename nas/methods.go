package nas

import (
	"fmt"
	"math"

	"godarts/autograd"
	"godarts/nas/dscd"
	"godarts/optim"
	"godarts/tensor"
)

// Helpers shared by the zero-order and global methods: the loss at the current point and
// weight snapshots (α as one host vector is in supernet.go).

// lossAt evaluates the architecture objective on b without recording, and reads it: the
// one host wait these methods need, to compare candidate points.
func lossAt(net Supernet, b Batch, obj Objective) float64 {
	tp := autograd.NoGrad()
	l := archLoss(tp, net, b, obj)
	v := float64(l.Value.Item())
	tp.Release()
	return v
}

// weightSnapshot copies every weight and BN buffer so a scratch fine-tuning can be undone.
type weightSnapshot struct{ saved, live []*tensor.Tensor }

func snapshotWeights(net Supernet) *weightSnapshot {
	s := &weightSnapshot{}
	for _, p := range net.Weights() {
		s.live = append(s.live, p.V.Value)
	}
	for _, b := range net.Buffers() {
		s.live = append(s.live, b.T)
	}
	for _, t := range s.live {
		s.saved = append(s.saved, tensor.Clone(t))
	}
	return s
}

func (s *weightSnapshot) restore() {
	for i, t := range s.live {
		tensor.CopyInto(t, s.saved[i])
	}
}

func (s *weightSnapshot) free() {
	for _, t := range s.saved {
		t.Free()
	}
}

// DSCD is doubly stochastic coordinate descent (papers/dscd-making-darts-less-local.txt §3;
// nas-algorithms.md §3): local steps are the usual Adam α steps of the objective; global
// steps draw one coordinate of α and a new value from an annealed Beta proposal over
// [Lo, Hi] (sigmoid-input space), kept only if the validation loss beats the best loss of
// the last K steps. The controller switches between the two when N consecutive steps of
// one type did not improve the loss.
type DSCD struct {
	Local *FirstOrder
	Ctrl  *dscd.Controller
}

// NewDSCD builds the method over totalSteps search iterations.
func NewDSCD(adam *optim.Adam, cfg dscd.Config) (*DSCD, error) {
	c, err := dscd.New(cfg)
	if err != nil {
		return nil, err
	}
	return &DSCD{Local: &FirstOrder{Adam: adam}, Ctrl: c}, nil
}

func (d *DSCD) Name() string { return "dscd" }

func (d *DSCD) Step(ctx *StepContext) {
	switch d.Ctrl.Next() {
	case dscd.Local:
		d.Local.Step(ctx)
		d.Ctrl.Report(lossAt(ctx.Net, ctx.Valid, ctx.Objective))
	case dscd.Global:
		x := alphaVector(ctx.Net)
		moves := d.Ctrl.Propose(x)
		dscd.Apply(x, moves)
		setAlphaVector(ctx.Net, x)
		if !d.Ctrl.Report(lossAt(ctx.Net, ctx.Valid, ctx.Objective)) {
			dscd.Revert(x, moves)
			setAlphaVector(ctx.Net, x)
		}
	}
}

// ZARTS holds the settings shared by the three zero-order optimisers of ZARTS
// (arXiv 2110.04743; nas-algorithms.md §5): each candidate α is scored by L_val after M SGD
// steps of a copy of the weights with its own optimiser (the public code's copies never
// train: its scratch network is stepped by the main optimiser; we do not repeat that).
type ZARTS struct {
	Variant string  // rs, mgs, gld
	Samples int     // N candidates (4)
	M       int     // fine-tuning steps per candidate (10)
	Sigma0  float64 // σ of the sampling distribution, cosine-decayed (0.025)
	Tau     float64 // MGS temperature (0.01)
	Lambda  float64 // MGS mixture weight of the zero-centred component (1e-3)
	Every   int     // α update every this many iterations (10)
	Warmup  float64 // fraction of the search without α updates (10 of 50 epochs = 0.2)
	Radius  float64 // GLD largest radius R (multiples of σ0 by default)
	Rng     *tensor.RNG
	// With TrackMoved, Moved records how far the scratch weights travelled in the last
	// candidate's M steps (L2 norm of the change); tests use it.
	TrackMoved bool
	Moved      float64
}

func (z *ZARTS) Name() string { return "zarts-" + z.Variant }

func (z *ZARTS) sigma(ctx *StepContext) float64 {
	warm := int(z.Warmup * float64(ctx.TotalIters))
	if ctx.Iter <= warm || ctx.TotalIters <= warm {
		return z.Sigma0
	}
	t := float64(ctx.Iter-warm) / float64(ctx.TotalIters-warm)
	return z.Sigma0 * 0.5 * (1 + math.Cos(math.Pi*t))
}

// score fine-tunes a copy of the weights at α+u for M steps and returns L_val there.
func (z *ZARTS) score(ctx *StepContext, alpha, u []float64) float64 {
	snap := snapshotWeights(ctx.Net)
	defer func() {
		snap.restore()
		snap.free()
	}()
	cand := make([]float64, len(alpha))
	for i := range alpha {
		cand[i] = alpha[i] + u[i]
	}
	setAlphaVector(ctx.Net, cand)
	ws := weightVars(ctx.Net)
	opt := optim.NewSGD(ws, optim.SGDConfig{LR: ctx.LR, Momentum: 0.9, WeightDecay: 3e-4}) // its own optimiser, fresh momentum
	for i := 0; i < z.M; i++ {
		b := ctx.Extra()
		weightGradient(ctx.Net, b, nil)
		optim.ClipGradNorm(ws, 5)
		opt.Step()
		b.X.Free()
		b.Y.Free()
	}
	autograd.ZeroGrad(ws)
	for _, t := range opt.StateTensors() {
		t.T.Free()
	}
	if z.TrackMoved { // a diagnostic for tests: one extra pass and one read
		acc := tensor.New(netDevice(ctx.Net), 1)
		for i, w := range ws {
			d := tensor.Axpby(1, w.Value, -1, snap.saved[i])
			tensor.SumSquaresInto(acc, d)
			d.Free()
		}
		z.Moved = math.Sqrt(float64(acc.Item()))
		acc.Free()
	}
	l := lossAt(ctx.Net, ctx.Valid, ctx.Objective)
	setAlphaVector(ctx.Net, alpha)
	return l
}

func (z *ZARTS) Step(ctx *StepContext) {
	warm := int(z.Warmup * float64(ctx.TotalIters))
	if ctx.Iter < warm || (ctx.Iter-warm)%z.Every != 0 {
		return
	}
	alpha := alphaVector(ctx.Net)
	sigma := z.sigma(ctx)
	l0 := lossAt(ctx.Net, ctx.Valid, ctx.Objective)
	gauss := func(centre []float64, s float64) []float64 {
		u := make([]float64, len(alpha))
		for i := range u {
			u[i] = s * z.Rng.Normal()
			if centre != nil {
				u[i] += centre[i]
			}
		}
		return u
	}
	switch z.Variant {
	case "mgs":
		// Proposal: mixture of N(−g, σ²) (weight 1−λ) and N(0, σ²) (weight λ); importance
		// weights exp(−(L_i − L_0)/τ)/q(u_i), normalised; α ← α + Σ c_i u_i.
		g := alphaGradient(ctx)
		negG := make([]float64, len(g))
		for i := range g {
			negG[i] = -g[i]
		}
		us := make([][]float64, z.Samples)
		cs := make([]float64, z.Samples)
		logc := make([]float64, z.Samples)
		for i := range us {
			if z.Rng.Float64() < z.Lambda {
				us[i] = gauss(nil, sigma)
			} else {
				us[i] = gauss(negG, sigma)
			}
			li := z.score(ctx, alpha, us[i])
			var d1, d0 float64
			for j, u := range us[i] {
				d1 += (u + g[j]) * (u + g[j])
				d0 += u * u
			}
			q := (1-z.Lambda)*math.Exp(-d1/(2*sigma*sigma)) + z.Lambda*math.Exp(-d0/(2*sigma*sigma))
			logc[i] = -(li-l0)/z.Tau - math.Log(q+1e-300)
		}
		// Normalise in log space: the exponentials under- and overflow for 196-d u.
		m := math.Inf(-1)
		for _, v := range logc {
			m = math.Max(m, v)
		}
		sum := 0.0
		for i, v := range logc {
			cs[i] = math.Exp(v - m)
			sum += cs[i]
		}
		for j := range alpha {
			for i := range us {
				alpha[j] += cs[i] / sum * us[i][j]
			}
		}
	case "rs":
		best, bestL := []float64(nil), l0
		for i := 0; i < z.Samples; i++ {
			u := gauss(nil, sigma)
			if li := z.score(ctx, alpha, u); li < bestL {
				best, bestL = u, li
			}
		}
		for j := range best {
			alpha[j] += best[j]
		}
	case "gld":
		// Gradientless descent (Golovin et al. 2020): one uniform sample in each ball of
		// radius R·2^-k, k = 0..K; move to the best if it beats the current point.
		best, bestL := []float64(nil), l0
		for k := 0; k < z.Samples; k++ {
			r := z.Radius * math.Pow(2, -float64(k))
			u := gauss(nil, 1)
			norm := 0.0
			for _, v := range u {
				norm += v * v
			}
			scale := r * math.Pow(z.Rng.Float64(), 1/float64(len(u))) / math.Sqrt(norm)
			for j := range u {
				u[j] *= scale
			}
			if li := z.score(ctx, alpha, u); li < bestL {
				best, bestL = u, li
			}
		}
		for j := range best {
			alpha[j] += best[j]
		}
	default:
		panic(fmt.Sprintf("zarts: unknown variant %q", z.Variant))
	}
	setAlphaVector(ctx.Net, alpha)
}

// alphaGradient returns ∇_α L_val(w, α) on the validation batch as a host vector.
func alphaGradient(ctx *StepContext) []float64 {
	alphas := alphaVars(ctx.Net)
	autograd.ZeroGrad(alphas)
	withWeightsFrozen(ctx.Net, func() {
		tp := autograd.NewTape()
		tp.Backward(archLoss(tp, ctx.Net, ctx.Valid, ctx.Objective))
		tp.Release()
	})
	var g []float64
	for _, a := range alphas {
		for _, v := range a.Grad.Read() {
			g = append(g, float64(v))
		}
	}
	autograd.ZeroGrad(alphas)
	return g
}
