package nas

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"godarts/autograd"
	"godarts/data"
	"godarts/nas/genotype"
	"godarts/optim"
	"godarts/progress"
	"godarts/rundir"
	"godarts/tensor"
	"godarts/tensor/cpu"
)

// tinyData is n training and 12 test images of the embedded Fashion-MNIST subset, shrunk
// to 12×12 (shrink): the search tests check what a search does, not what it learns, and
// a 12×12 image is a fifth of the arithmetic of a 28×28 one.
func tinyData(t *testing.T, n int) (train, test *data.Dataset) {
	t.Helper()
	both, err := openEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	tr, te := both[0], both[1]
	if tr, err = tr.Subset(n, 1); err != nil {
		t.Fatal(err)
	}
	if te, err = te.Subset(12, 1); err != nil {
		t.Fatal(err)
	}
	return shrink(tr), shrink(te)
}

// openEmbedded decompresses the embedded data once for every test (read only: Subset
// copies).
var openEmbedded = sync.OnceValues(func() ([2]*data.Dataset, error) {
	tr, te, err := data.Open("embedded", "")
	return [2]*data.Dataset{tr, te}, err
})

// shrink averages 2×2 blocks of the centre 24×24 of each 28×28 image (12×12 out).
func shrink(d *data.Dataset) *data.Dataset {
	const in, crop, out = 28, 2, 12
	if d.H != in || d.W != in {
		panic("shrink: want 28×28 images")
	}
	s := *d
	s.H, s.W = out, out
	s.Pixels = make([]uint8, d.N*d.C*out*out)
	for p := 0; p < d.N*d.C; p++ {
		src, dst := d.Pixels[p*in*in:], s.Pixels[p*out*out:]
		for y := 0; y < out; y++ {
			for x := 0; x < out; x++ {
				sum := 0
				for _, o := range [4]int{0, 1, in, in + 1} {
					sum += int(src[(crop+2*y)*in+crop+2*x+o])
				}
				dst[y*out+x] = uint8((sum + 2) / 4)
			}
		}
	}
	return &s
}

// tinyConfig is a search of C 2, 3 cells, batch 12: 2 iterations per epoch on the 24
// images of each half of newTinySearch's 48.
func tinyConfig(method string, epochs int) SearchConfig {
	return SearchConfig{Method: method, Epochs: epochs, Batch: 12, Channels: 2, Layers: 3, Seed: 7}
}

func newTinySearch(t *testing.T, cfg SearchConfig, dir string) *Search {
	t.Helper()
	tr, te := tinyData(t, 48)
	d, err := rundir.Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	// One thread: on these tiny tensors a second costs more than it brings on the shared
	// 2 cores (results do not depend on the thread count).
	s, err := NewSearch(cfg, cpu.New(1), tr, te, d, progress.New(&strings.Builder{}, progress.Quiet))
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
				// one α update per epoch, one fine-tuning step per candidate
				cfg.ZEvery, cfg.ZWarmup, cfg.ZSteps, cfg.ZSamples = 3, 0.01, 1, 2
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
	sameCheckpoints(t, straight.dir.Path, dir)
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
	cfg.ZEvery, cfg.ZWarmup, cfg.ZSteps, cfg.ZSamples = 3, 0.01, 3, 2 // one α update, on the first iteration
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
