package nas

import (
	"fmt"

	"godarts/nas/genotype"
)

// SearchConfig holds every setting of a search. Zero values are filled by Defaults from
// the method's reference settings (nas-algorithms.md §1.5, §2.2, §5, §6).
type SearchConfig struct {
	Method string `json:"method"` // darts, fairdarts, dscd, zarts-rs, zarts-mgs, zarts-gld, zo-darts++
	Space  string `json:"space"`  // darts, fair7, s1..s4, nb201, nb201-varied
	Order  int    `json:"order"`  // 1 or 2 (DARTS only)

	Epochs       int     `json:"epochs"`
	Batch        int     `json:"batch"`
	Channels     int     `json:"channels"`
	Layers       int     `json:"layers"` // cells; per stage on the NB201 spaces
	TrainPortion float64 `json:"train_portion"`

	LR          float64 `json:"lr"`
	LRMin       float64 `json:"lr_min"`
	Momentum    float64 `json:"momentum"`
	WeightDecay float64 `json:"weight_decay"`
	GradClip    float64 `json:"grad_clip"`

	ArchLR          float64 `json:"arch_lr"`
	ArchBeta1       float64 `json:"arch_beta1"`
	ArchBeta2       float64 `json:"arch_beta2"`
	ArchWeightDecay float64 `json:"arch_weight_decay"`

	Relaxation    string  `json:"relaxation"`      // softmax, sigmoid, sparsemax
	AlphaInitStd  float64 `json:"alpha_init_std"`  // 1e-3 (DARTS); 0 gives α = 0 (FairDARTS)
	ZeroOneWeight float64 `json:"zero_one_weight"` // FairDARTS w_01
	Threshold     float64 `json:"threshold"`       // FairDARTS σ threshold

	// DSCD (papers/dscd-making-darts-less-local.txt §3; nas/dscd documents each default).
	DSCDN      int     `json:"dscd_n,omitempty"`
	DSCDK      int     `json:"dscd_k,omitempty"`
	DSCDLo     float64 `json:"dscd_lo,omitempty"`
	DSCDHi     float64 `json:"dscd_hi,omitempty"`
	DSCDCoords int     `json:"dscd_coords,omitempty"`

	// ZARTS (nas-algorithms.md §5.3-5.4).
	ZSamples int     `json:"zarts_samples,omitempty"`
	ZSteps   int     `json:"zarts_steps,omitempty"`
	ZSigma   float64 `json:"zarts_sigma,omitempty"`
	ZTau     float64 `json:"zarts_tau,omitempty"`
	ZLambda  float64 `json:"zarts_lambda,omitempty"`
	ZEvery   int     `json:"zarts_every,omitempty"`
	ZWarmup  float64 `json:"zarts_warmup,omitempty"`
	ZRadius  float64 `json:"zarts_radius,omitempty"`

	// ZO-DARTS++ (nas-algorithms.md §6).
	ZORounds    int     `json:"zo_rounds,omitempty"`
	ZOMu        float64 `json:"zo_mu,omitempty"`
	Temperature float64 `json:"temperature,omitempty"`
	TempDecay   float64 `json:"temp_decay,omitempty"`
	TempEvery   int     `json:"temp_every,omitempty"`
	BudgetLow   float64 `json:"budget_low,omitempty"`
	BudgetHigh  float64 `json:"budget_high,omitempty"`
	PenaltyFrom int     `json:"penalty_from,omitempty"`
	// SizeFrom is the first epoch of ZO-DARTS++'s size-variable search on the NB201 spaces
	// (kernel and cell-count choices; 20 in the reference). 0 means that default; a
	// negative value starts it at epoch 0.
	SizeFrom int `json:"size_from,omitempty"`

	Seed uint64 `json:"seed"`
}

// MethodNames lists the architecture optimisers `nas search --method` accepts.
var MethodNames = []string{"darts", "fairdarts", "dscd", "zarts-rs", "zarts-mgs", "zarts-gld", "zo-darts++"}

// Defaults returns c with every zero field set from the method's reference settings.
func (c SearchConfig) Defaults() (SearchConfig, error) {
	if c.Method == "" {
		c.Method = "darts"
	}
	d := SearchConfig{
		Order: 1, Epochs: 50, Batch: 64, Channels: 16, Layers: 8, TrainPortion: 0.5,
		LR: 0.025, LRMin: 0.001, Momentum: 0.9, WeightDecay: 3e-4, GradClip: 5,
		ArchLR: 3e-4, ArchBeta1: 0.5, ArchBeta2: 0.999, ArchWeightDecay: 1e-3,
		Relaxation: "softmax", AlphaInitStd: 1e-3, Seed: 2,
	}
	switch c.Method {
	case "darts":
		d.Space = "darts"
	case "fairdarts":
		// xiaomi-automl/FairDARTS train_search.py and README (nas-algorithms.md §2.2).
		d.Space, d.Batch, d.LR = "fair7", 128, 0.005
		d.ArchLR, d.ArchBeta1 = 3e-3, 0.9
		d.Relaxation, d.AlphaInitStd = "sigmoid", 0
		d.ZeroOneWeight, d.Threshold = 10, genotype.DefaultThreshold
	case "dscd":
		// DSCD changes the optimiser, not the objective: FairDARTS's settings (§3.1).
		d.Space, d.Batch, d.LR = "fair7", 128, 0.005
		d.ArchLR, d.ArchBeta1 = 3e-3, 0.9
		d.Relaxation, d.AlphaInitStd = "sigmoid", 0
		d.ZeroOneWeight, d.Threshold = 10, genotype.DefaultThreshold
		d.DSCDN, d.DSCDK, d.DSCDLo, d.DSCDHi, d.DSCDCoords = 10, 100, -6, 6, 1
	case "zarts-rs", "zarts-mgs", "zarts-gld":
		// vicFigure/ZARTS cnn/script/run_search.sh: N 4, M 10, σ 0.025 cosine, τ 0.01,
		// λ 1e-3, one α update every 10 iterations after 10 of 50 warm-up epochs.
		d.Space = "darts"
		d.ZSamples, d.ZSteps, d.ZSigma, d.ZTau, d.ZLambda, d.ZEvery, d.ZWarmup = 4, 10, 0.025, 0.01, 1e-3, 10, 0.2
		d.ZRadius = 0.1 // GLD's largest ball; not in the public code (nas-algorithms.md §5.4)
	case "zo-darts++":
		// HikariX/ZO-DARTS_PP ZO-DARTS_SAMVR.py: Adam 1.5e-2 (0.5, 0.999), R 10, μ 0.005‖α‖,
		// sparsemax with T0 1.5 ×0.75 every 5 epochs, penalty from epoch 20 of 50.
		d.Space, d.ArchLR = "darts", 1.5e-2
		d.Relaxation = "sparsemax"
		d.ZORounds, d.ZOMu, d.Temperature, d.TempDecay, d.TempEvery = 10, 0.005, 1.5, 0.75, 5
	default:
		return c, fmt.Errorf("--method %q: want one of %v", c.Method, MethodNames)
	}
	fill := func(dst *float64, v float64) {
		if *dst == 0 {
			*dst = v
		}
	}
	filli := func(dst *int, v int) {
		if *dst == 0 {
			*dst = v
		}
	}
	if c.Space == "" {
		c.Space = d.Space
	}
	if sp, err := genotype.SpaceByName(c.Space); err == nil && sp.Topology == genotype.TopologyNB201 {
		d.Layers = 3 // cells per stage (ZO-DARTS++ N = 3)
		if c.Method == "zo-darts++" {
			d.SizeFrom = 20
		}
	}
	if c.Relaxation == "" {
		c.Relaxation = d.Relaxation
	}
	filli(&c.Order, d.Order)
	filli(&c.Epochs, d.Epochs)
	filli(&c.Batch, d.Batch)
	filli(&c.Channels, d.Channels)
	filli(&c.Layers, d.Layers)
	fill(&c.TrainPortion, d.TrainPortion)
	fill(&c.LR, d.LR)
	fill(&c.LRMin, d.LRMin)
	fill(&c.Momentum, d.Momentum)
	fill(&c.WeightDecay, d.WeightDecay)
	fill(&c.GradClip, d.GradClip)
	fill(&c.ArchLR, d.ArchLR)
	fill(&c.ArchBeta1, d.ArchBeta1)
	fill(&c.ArchBeta2, d.ArchBeta2)
	fill(&c.ArchWeightDecay, d.ArchWeightDecay)
	if c.AlphaInitStd < 0 {
		c.AlphaInitStd = 0
	} else if c.AlphaInitStd == 0 {
		c.AlphaInitStd = d.AlphaInitStd
	}
	fill(&c.ZeroOneWeight, d.ZeroOneWeight)
	fill(&c.Threshold, d.Threshold)
	if c.Seed == 0 {
		c.Seed = d.Seed
	}
	filli(&c.DSCDN, d.DSCDN)
	filli(&c.DSCDK, d.DSCDK)
	if c.DSCDLo == 0 && c.DSCDHi == 0 {
		c.DSCDLo, c.DSCDHi = d.DSCDLo, d.DSCDHi
	}
	filli(&c.DSCDCoords, d.DSCDCoords)
	filli(&c.ZSamples, d.ZSamples)
	filli(&c.ZSteps, d.ZSteps)
	fill(&c.ZSigma, d.ZSigma)
	fill(&c.ZTau, d.ZTau)
	fill(&c.ZLambda, d.ZLambda)
	filli(&c.ZEvery, d.ZEvery)
	fill(&c.ZWarmup, d.ZWarmup)
	fill(&c.ZRadius, d.ZRadius)
	filli(&c.ZORounds, d.ZORounds)
	fill(&c.ZOMu, d.ZOMu)
	fill(&c.Temperature, d.Temperature)
	fill(&c.TempDecay, d.TempDecay)
	filli(&c.TempEvery, d.TempEvery)
	filli(&c.SizeFrom, d.SizeFrom)
	if c.PenaltyFrom == 0 && c.BudgetHigh > 0 {
		if c.SizeSearch() { // the reference penalises from the size-variable phase on
			c.PenaltyFrom = c.SizeStart()
		} else {
			c.PenaltyFrom = int(0.4*float64(c.Epochs) + 0.5) // epoch 20 of 50
		}
	}
	return c, c.Validate()
}

// SizeSearch reports whether the search has ZO-DARTS++'s size-variable phase: zo-darts++ on
// an NB201 space.
func (c SearchConfig) SizeSearch() bool {
	sp, err := genotype.SpaceByName(c.Space)
	return err == nil && sp.Topology == genotype.TopologyNB201 && c.Method == "zo-darts++"
}

// SizeStart is the first epoch of the size-variable phase.
func (c SearchConfig) SizeStart() int { return max(c.SizeFrom, 0) }

// Validate checks ranges; errors name the flag.
func (c SearchConfig) Validate() error {
	switch {
	case c.Order != 1 && c.Order != 2:
		return fmt.Errorf("--order %d: want 1 or 2", c.Order)
	case c.Order == 2 && c.Method != "darts":
		return fmt.Errorf("--order 2: only --method darts has a second-order step, not %s", c.Method)
	case c.Epochs < 1:
		return fmt.Errorf("--epochs %d: want ≥ 1", c.Epochs)
	case c.Batch < 2:
		return fmt.Errorf("--batch %d: want ≥ 2 (batch norm needs two samples)", c.Batch)
	case !(c.TrainPortion > 0 && c.TrainPortion < 1):
		return fmt.Errorf("--train-portion %v: want a fraction in (0, 1)", c.TrainPortion)
	case !(c.LR > 0) || c.LRMin < 0 || c.LRMin > c.LR:
		return fmt.Errorf("--lr %v --lr-min %v: want 0 ≤ lr-min ≤ lr, lr > 0", c.LR, c.LRMin)
	case !(c.ArchLR > 0):
		return fmt.Errorf("--arch-lr %v: want > 0", c.ArchLR)
	}
	if c.BudgetHigh != 0 && !(c.BudgetLow >= 0 && c.BudgetHigh > c.BudgetLow) {
		return fmt.Errorf("--param-budget %v:%v: want 0 ≤ LOW < HIGH", c.BudgetLow, c.BudgetHigh)
	}
	if c.BudgetHigh != 0 && c.Method != "zo-darts++" {
		return fmt.Errorf("--param-budget: only --method zo-darts++ has a parameter penalty, not %s", c.Method)
	}
	if _, err := genotype.SpaceByName(c.Space); err != nil {
		return fmt.Errorf("--space: %w", err)
	}
	if c.Layers < 1 {
		return fmt.Errorf("--layers %d: want ≥ 1", c.Layers)
	}
	if c.SizeFrom != 0 && !c.SizeSearch() {
		return fmt.Errorf("--size-search-from: only --method zo-darts++ on an NB201 space has a size-variable search, not %s on %s", c.Method, c.Space)
	}
	nb201 := false
	if sp, _ := genotype.SpaceByName(c.Space); sp.Topology == genotype.TopologyNB201 {
		nb201 = true
	}
	if sp, _ := genotype.SpaceByName(c.Space); sp.Arity == 0 && c.Relaxation != "sigmoid" {
		return fmt.Errorf("--space %s: its genotypes keep ops by a σ threshold; use --method fairdarts or dscd", c.Space)
	}
	if sp, _ := genotype.SpaceByName(c.Space); sp.Arity != 0 && c.Relaxation == "sigmoid" && !nb201 {
		return fmt.Errorf("--space %s: sigmoid weights are discretised by threshold, which needs the fair7 space", c.Space)
	}
	if _, err := RelaxationByName(c.Relaxation, 1); err != nil {
		return fmt.Errorf("--relaxation: %w", err)
	}
	return nil
}
