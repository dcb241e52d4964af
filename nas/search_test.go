package nas

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"godarts/autograd"
	"godarts/checkpoint"
	"godarts/data"
	"godarts/nas/genotype"
	"godarts/optim"
	"godarts/progress"
	"godarts/rundir"
	"godarts/tensor"
	"godarts/tensor/cpu"
)

func tinyData(t *testing.T, n int) (train, test *data.Dataset) {
	t.Helper()
	tr, te, err := data.Open("embedded", "")
	if err != nil {
		t.Fatal(err)
	}
	if tr, err = tr.Subset(n, 1); err != nil {
		t.Fatal(err)
	}
	if te, err = te.Subset(40, 1); err != nil {
		t.Fatal(err)
	}
	return tr, te
}

func tinyConfig(method string, epochs int) SearchConfig {
	return SearchConfig{Method: method, Epochs: epochs, Batch: 8, Channels: 4, Layers: 3, Seed: 7}
}

func newTinySearch(t *testing.T, cfg SearchConfig, dir string) *Search {
	t.Helper()
	tr, te := tinyData(t, 48)
	d, err := rundir.Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSearch(cfg, cpu.New(2), tr, te, d, progress.New(&strings.Builder{}, progress.Quiet))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSearchMethodsEndWithValidGenotypes(t *testing.T) {
	for _, method := range MethodNames {
		t.Run(method, func(t *testing.T) {
			cfg := tinyConfig(method, 2)
			cfg.ArchLR = 0.05 // large enough for the genotype to move in a few steps
			switch method {
			case "fairdarts", "dscd":
				cfg.Threshold = 0.5 // the tiny run cannot push σ to 0.85; keep the cell non-empty
			case "zarts-rs", "zarts-mgs", "zarts-gld":
				cfg.ZEvery, cfg.ZWarmup, cfg.ZSteps, cfg.ZSamples = 2, 0.01, 2, 2
				cfg.ZSigma = 0.5 // large moves, so the tiny run changes the genotype
			case "zo-darts++":
				cfg.ZORounds = 2
			}
			s := newTinySearch(t, cfg, t.TempDir())
			before, _, err := s.Genotype()
			if err != nil {
				t.Fatal(err)
			}
			res, err := s.Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if err := res.Genotype.Validate(); err != nil {
				t.Fatalf("final genotype invalid: %v", err)
			}
			if len(res.Metrics) != 2 {
				t.Fatalf("%d metric lines, want 2", len(res.Metrics))
			}
			if before.Python() == res.Genotype.Python() {
				t.Fatalf("genotype unchanged by the search: %s", before.Python())
			}
			for _, f := range []string{rundir.Metrics, rundir.Alphas, rundir.Genotype, rundir.Checkpoint, rundir.State} {
				if _, err := os.Stat(filepath.Join(s.dir.Path, f)); err != nil {
					t.Errorf("run directory lacks %s", f)
				}
			}
		})
	}
}

// TestResumeIsBitIdentical stops a search after one epoch, resumes it in a new process
// state, and compares every tensor of the final checkpoint with an uninterrupted run.
func TestResumeIsBitIdentical(t *testing.T) {
	cfg := tinyConfig("darts", 2)
	straight := newTinySearch(t, cfg, t.TempDir())
	if _, err := straight.Run(context.Background()); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	first := newTinySearch(t, cfg, dir)
	ctx, cancel := context.WithCancel(context.Background())
	first.OnEpoch = func(EpochMetrics) { cancel() } // Ctrl-C during epoch 2
	if _, err := first.Run(ctx); err != context.Canceled {
		t.Fatalf("interrupted run returned %v, want context.Canceled", err)
	}
	// The state on disk says epoch 1; a new search resumes from it.
	resumed := newTinySearch(t, cfg, dir)
	d, _ := rundir.Open(dir)
	if err := resumed.Resume(d); err != nil {
		t.Fatal(err)
	}
	if resumed.Epoch != 1 {
		t.Fatalf("resumed at epoch %d, want 1", resumed.Epoch)
	}
	if _, err := resumed.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	a, err := checkpoint.Read(filepath.Join(straight.dir.Path, rundir.Checkpoint))
	if err != nil {
		t.Fatal(err)
	}
	b, err := checkpoint.Read(filepath.Join(dir, rundir.Checkpoint))
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Entries) != len(b.Entries) {
		t.Fatalf("%d vs %d tensors", len(a.Entries), len(b.Entries))
	}
	for name, ea := range a.Entries {
		eb := b.Entries[name]
		for i := range ea.Data {
			if ea.Data[i] != eb.Data[i] {
				t.Fatalf("%s[%d]: straight %v, resumed %v", name, i, ea.Data[i], eb.Data[i])
			}
		}
	}
	ma, _ := os.ReadFile(filepath.Join(straight.dir.Path, rundir.Metrics))
	mb, _ := os.ReadFile(filepath.Join(dir, rundir.Metrics))
	if strings.Count(string(ma), "\n") != strings.Count(string(mb), "\n") {
		t.Fatalf("metrics lines differ:\n%s\nvs\n%s", ma, mb)
	}
}

// TestFairDARTSCollapseIsReported: with σ(α) still near 0.5 everywhere, no op reaches the
// 0.85 threshold, and the search must say the normal cell collapsed instead of quietly
// returning an empty cell.
func TestFairDARTSCollapseIsReported(t *testing.T) {
	cfg := tinyConfig("fairdarts", 1)
	s := newTinySearch(t, cfg, t.TempDir())
	res, err := s.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Empty.NormalCollapsed {
		t.Fatalf("normal cell not reported collapsed; genotype %s", res.Genotype.Python())
	}
	if !res.Metrics[0].Collapsed || !strings.Contains(res.Metrics[0].Note, "collapsed") {
		t.Fatalf("metrics do not record the collapse: %+v", res.Metrics[0])
	}
	if res.Metrics[0].DerivedParams != 0 {
		t.Fatalf("derived params %d for an empty cell", res.Metrics[0].DerivedParams)
	}
}

func TestSearchNetworkParamCountMatchesPyTorch(t *testing.T) {
	// tools/peer/darts_torch.py --params-only: small 393778, paper 1930618.
	space, _ := genotype.SpaceByName("darts")
	for _, c := range []struct {
		cfg  NetConfig
		want int
	}{
		{NetConfig{C: 8, Layers: 5, Classes: 10, InChannels: 1}, 393778},
		{NetConfig{C: 16, Layers: 8, Classes: 10, InChannels: 3}, 1930618},
	} {
		n, err := NewSearchNetwork(countDev(), tensor.NewRNG(0), space, c.cfg, Softmax{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := n.ParamCount(); got != c.want {
			t.Errorf("%+v: %d weights, PyTorch builds %d", c.cfg, got, c.want)
		}
	}
}

// TestZARTSWeightCopiesTrain guards against the public code's bug: its scratch weights are
// stepped by the main optimiser and never move.
func TestZARTSWeightCopiesTrain(t *testing.T) {
	cfg := tinyConfig("zarts-mgs", 1)
	cfg.ZEvery, cfg.ZWarmup, cfg.ZSteps, cfg.ZSamples = 1, 0.01, 3, 2
	s := newTinySearch(t, cfg, t.TempDir())
	z := s.arch.(*ZARTS)
	z.TrackMoved = true
	if _, err := s.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !(z.Moved > 0) {
		t.Fatalf("the weight copy moved %v in its %d steps, want > 0", z.Moved, cfg.ZSteps)
	}
}

// TestParamPenaltyPullsIntoBudget descends on the ZO-DARTS++ penalty alone and checks the
// expected parameter count ends inside [low, high], from above and from below.
func TestParamPenaltyPullsIntoBudget(t *testing.T) {
	space, _ := genotype.SpaceByName("darts")
	for _, side := range []string{"above", "below"} {
		dev := cpu.New(1)
		net, err := NewSearchNetwork(dev, tensor.NewRNG(3), space, NetConfig{C: 4, Layers: 3, Classes: 10, InChannels: 1}, &Sparsemax{T: 1}, 1e-3)
		if err != nil {
			t.Fatal(err)
		}
		pen := NewParamPenalty(net, 0, 0)
		an, ar := net.HostAlphas()
		relax := &Sparsemax{T: 1}
		start := pen.Expected(relax.Host(an), relax.Host(ar))
		if side == "above" { // budget below the start: the penalty must shrink the network
			pen.Low, pen.High = 0.5*start, 0.8*start
		} else {
			pen.Low, pen.High = 1.2*start, 1.5*start
		}
		pen.Active, pen.Scale = true, 15e3
		adam := optim.NewAdam(alphaVars(net), optim.AdamConfig{LR: 0.05, Beta1: 0.5, Beta2: 0.999})
		for i := 0; i < 300; i++ {
			autograd.ZeroGrad(alphaVars(net))
			tp := autograd.NewTape()
			wn, wr := relax.Apply(tp, net.AlphaNormal), relax.Apply(tp, net.AlphaReduce)
			tp.Backward(pen.loss(tp, wn, wr))
			tp.Release()
			adam.Step()
		}
		an, ar = net.HostAlphas()
		got := pen.Expected(relax.Host(an), relax.Host(ar))
		if got < pen.Low || got > pen.High {
			t.Errorf("%s: expected parameters %.0f after descent, budget [%.0f, %.0f] (start %.0f)", side, got, pen.Low, pen.High, start)
		}
	}
}

// TestRobustDARTSSpaces searches S1 (per-edge op pairs) and S4 (noise) end to end.
func TestRobustDARTSSpaces(t *testing.T) {
	for _, space := range []string{"s1", "s4"} {
		t.Run(space, func(t *testing.T) {
			cfg := tinyConfig("darts", 1)
			cfg.Space = space
			s := newTinySearch(t, cfg, t.TempDir())
			res, err := s.Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if err := res.Genotype.Validate(); err != nil {
				t.Fatal(err)
			}
			if res.Genotype.Space != space {
				t.Fatalf("genotype of space %q, want %q", res.Genotype.Space, space)
			}
		})
	}
}
