package nas

import (
	"fmt"

	"godarts/nas/genotype"
)

// SearchConfig holds every setting of a search. Zero values are filled by Defaults from
// the method's reference settings (nas-algorithms.md §1.5, §2.2, §5, §6).
type SearchConfig struct {
	Method string `json:"method"` // darts, fairdarts, dscd, zarts-rs, zarts-mgs, zarts-gld, zo-darts++
	Space  string `json:"space"`  // darts, fair7, s1..s4
	Order  int    `json:"order"`  // 1 or 2 (DARTS only)

	Epochs       int     `json:"epochs"`
	Batch        int     `json:"batch"`
	Channels     int     `json:"channels"`
	Layers       int     `json:"layers"`
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

	Seed uint64 `json:"seed"`
}

// MethodNames lists the architecture optimisers `nas search --method` accepts.
var MethodNames = []string{"darts", "fairdarts"}

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
	return c, c.Validate()
}

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
	if _, err := genotype.SpaceByName(c.Space); err != nil {
		return fmt.Errorf("--space: %w", err)
	}
	if _, err := RelaxationByName(c.Relaxation, 1); err != nil {
		return fmt.Errorf("--relaxation: %w", err)
	}
	return nil
}
