package nas

import (
	"fmt"
	"sort"
	"time"

	"godarts/autograd"
	"godarts/nas/genotype"
	"godarts/optim"
	"godarts/tensor"
)

// BenchConfig is one of the supernet sizes `nas bench` times (issue 4): small = batch 32,
// C 8, 5 cells, 28x28x1; paper = batch 64, C 16, 8 cells, 32x32x3; 10 classes each.
type BenchConfig struct {
	Name                       string
	Batch, C, Layers, Size, In int
}

// BenchConfigs lists the configs by name.
var BenchConfigs = map[string]BenchConfig{
	"small": {"small", 32, 8, 5, 28, 1},
	"paper": {"paper", 64, 16, 8, 32, 3},
}

// BenchResult is what one benchmark run measured.
type BenchResult struct {
	Config string    `json:"config"`
	Mode   string    `json:"mode"`
	Device string    `json:"device"`
	Median float64   `json:"median_s"`
	Min    float64   `json:"min_s"`
	Max    float64   `json:"max_s"`
	Params int       `json:"params"`
	Steps  []float64 `json:"steps_s"`
}

// Bench builds the DARTS supernet of cfg on dev with random data and times mode: fwd (a
// forward pass without recording), fwdbwd (forward and backward of the weights) or search1
// (one first-order DARTS iteration: an Adam step on α from a validation batch, then an SGD
// step on the weights from a training batch). Each step ends with a Sync so asynchronous
// backends are timed in full.
func Bench(dev tensor.Backend, cfg BenchConfig, mode string, warmup, steps int) (*BenchResult, error) {
	space, _ := genotype.SpaceByName("darts")
	rng := tensor.NewRNG(2)
	net, err := NewSearchNetwork(dev, rng, space, NetConfig{C: cfg.C, Layers: cfg.Layers, Classes: 10, InChannels: cfg.In}, Softmax{}, 1e-3)
	if err != nil {
		return nil, err
	}
	batch := func() Batch {
		n := cfg.Batch * cfg.In * cfg.Size * cfg.Size
		y := make([]float32, cfg.Batch)
		for i := range y {
			y[i] = float32(rng.IntN(10))
		}
		return Batch{X: tensor.FromSlice(dev, rng.NormalSlice(n, 1), cfg.Batch, cfg.In, cfg.Size, cfg.Size), Y: tensor.FromSlice(dev, y, cfg.Batch)}
	}
	tb, vb := batch(), batch()
	ws := weightVars(net)
	wOpt := optim.NewSGD(ws, optim.SGDConfig{LR: 0.025, Momentum: 0.9, WeightDecay: 3e-4})
	aOpt := optim.NewAdam(alphaVars(net), optim.AdamConfig{LR: 3e-4, Beta1: 0.5, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-3})
	arch := &FirstOrder{Adam: aOpt}
	var step func()
	switch mode {
	case "fwd":
		step = func() {
			tp := autograd.NoGrad() // records nothing; frees the activations at once
			net.Forward(tp, autograd.Const(tb.X))
			tp.Release()
		}
	case "fwdbwd":
		step = func() { weightGradient(net, tb, nil) }
	case "search1":
		step = func() {
			arch.Step(&StepContext{Net: net, Train: tb, Valid: vb, WeightOpt: wOpt, LR: 0.025})
			weightGradient(net, tb, nil)
			optim.ClipGradNorm(ws, 5)
			wOpt.Step()
		}
	default:
		return nil, fmt.Errorf("--mode %q: want fwd, fwdbwd or search1", mode)
	}
	res := &BenchResult{Config: cfg.Name, Mode: mode, Device: dev.Name(), Params: net.ParamCount()}
	for i := 0; i < warmup+steps; i++ {
		t0 := time.Now()
		step()
		dev.Sync()
		if i >= warmup {
			res.Steps = append(res.Steps, time.Since(t0).Seconds())
		}
	}
	s := append([]float64(nil), res.Steps...)
	sort.Float64s(s)
	res.Min, res.Max = s[0], s[len(s)-1]
	if len(s)%2 == 1 {
		res.Median = s[len(s)/2]
	} else {
		res.Median = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return res, nil
}
