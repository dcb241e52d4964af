package nas

import (
	"context"
	"fmt"
	"math"
	"testing"

	"godarts/autograd"
	"godarts/nas/genotype"
	"godarts/optim"
	"godarts/tensor"
	"godarts/tensor/ref"
)

// TestNB201SupernetParamCount compares the supernet of space nb201 at C 16, N 5 (the
// NAS-Bench-201 search setting, CIFAR: 3 input channels, 10 classes) with a hand count of
// xautodl's TinyNetworkDarts, whose search-cell convs carry a bias (bias = not affine):
//
//	stem            conv 3→16 3×3 (432) + BN affine (32)                       =       464
//	stage cells     per edge nor_conv_1x1 (C²+C) + nor_conv_3x3 (9C²+C), 6 edges, 5 cells:
//	                C 16: 5·6·2,592 = 77,760; C 32: 5·6·10,304 = 309,120; C 64: 5·6·41,088 = 1,232,640
//	ResNet 16→32    conv_a 4,608 + BN 64, conv_b 9,216 + BN 64, shortcut 1×1 512 =    14,464
//	ResNet 32→64    18,432 + 128 + 36,864 + 128 + 2,048                          =    57,600
//	lastact BN 64 (128), classifier 64·10 + 10 (650)
//
// total 1,692,826.
func TestNB201SupernetParamCount(t *testing.T) {
	space, _ := genotype.SpaceByName("nb201")
	n, err := NewNB201Network(countDev(), tensor.NewRNG(0), space, NB201Config{C: 16, N: 5, Classes: 10, InChannels: 3}, Softmax{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := 464 + 77760 + 309120 + 1232640 + 14464 + 57600 + 128 + 650
	if got := n.ParamCount(); got != want {
		t.Fatalf("%d weights, hand count of xautodl's network %d", got, want)
	}
	// nb201-varied with the kernel search: kernel_variable_conv holds 7×7, 5×5 and 3×3
	// ReLU-Conv-BNs ((49+25+9)·C² + 3C) where nb201 has nor_conv_3x3 (9C² + C).
	varied, _ := genotype.SpaceByName("nb201-varied")
	v, err := NewNB201Network(countDev(), tensor.NewRNG(0), varied, NB201Config{C: 16, N: 5, Classes: 10, InChannels: 3, KernelSearch: true}, Softmax{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	extra := 0
	for _, C := range []int{16, 32, 64} {
		extra += 5 * 6 * ((83-9)*C*C + 2*C)
	}
	if got := v.ParamCount(); got != want+extra {
		t.Fatalf("nb201-varied: %d weights, want %d", got, want+extra)
	}
}

// TestNB201DerivedParams checks the evaluation-network count of the NAS-Bench-201
// ResNet-like cell at C 16, N 5, CIFAR-10 against a hand count: per cell two 3×3 convs
// with affine BN (2·(9·C² + 2C)); the other parts as the supernet (stem 464, the two ResNet
// blocks 14,464 + 57,600, lastact 128, classifier 650).
func TestNB201DerivedParams(t *testing.T) {
	cell, err := genotype.ParseNB201("|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|")
	if err != nil {
		t.Fatal(err)
	}
	g := &genotype.NB201Net{Space: "nb201"}
	for range 3 {
		g.Stages = append(g.Stages, genotype.NB201Stage{Cell: cell, Cells: 5})
	}
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	want := 464 + 14464 + 57600 + 128 + 650
	for _, C := range []int{16, 32, 64} {
		want += 5 * 2 * (9*C*C + 2*C)
	}
	if got := NB201DerivedParams(g, 16, 3, 10); got != want {
		t.Fatalf("%d, hand count %d", got, want)
	}
}

// tinyNB201 builds a sized nb201-varied network on the float64 reference backend.
func tinyNB201(t *testing.T, relax Relaxation) (*NB201Network, Batch) {
	t.Helper()
	dev := ref.New()
	rng := tensor.NewRNG(11)
	space, _ := genotype.SpaceByName("nb201-varied")
	n, err := NewNB201Network(dev, rng, space, NB201Config{C: 2, N: 2, Classes: 3, InChannels: 1, KernelSearch: true, ExitSearch: true}, relax, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	n.SetSized(true, true)
	b := Batch{X: tensor.FromSlice(dev, rng.NormalSlice(2*1*8*8, 1), 2, 1, 8, 8), Y: tensor.FromSlice(dev, []float32{0, 2}, 2)}
	return n, b
}

// TestNB201GradientsMatchFiniteDifferences checks ∇ of the validation loss plus the
// parameter penalty with respect to α, α_mix and α_exit against central differences.
func TestNB201GradientsMatchFiniteDifferences(t *testing.T) {
	n, b := tinyNB201(t, Softmax{})
	pen := NewNB201Penalty(n, 0, 0)
	pen.Active, pen.Scale = true, 1e5 // the budget [0, 0] is exceeded: the penalty is live
	obj := Objective{Penalty: pen}
	alphas := alphaVars(n)
	if len(alphas) != 7 {
		t.Fatalf("%d α groups once sized, want 7", len(alphas))
	}
	autograd.ZeroGrad(alphas)
	withWeightsFrozen(n, func() {
		tp := autograd.NewTape()
		tp.Backward(archLoss(tp, n, b, obj))
		tp.Release()
	})
	loss := func() float64 {
		tp := autograd.NoGrad()
		defer tp.Release()
		return ref.Data(archLoss(tp, n, b, obj).Value)[0]
	}
	for gi, a := range alphas {
		data := ref.Data(a.Value)
		grad := ref.Data(a.Grad)
		for _, i := range []int{0, len(data) / 2, len(data) - 1} {
			old := data[i]
			data[i] = old + 1e-6
			fp := loss()
			data[i] = old - 1e-6
			fm := loss()
			data[i] = old
			fd := (fp - fm) / 2e-6
			if math.Abs(fd-grad[i]) > 1e-6+1e-4*math.Abs(fd) {
				t.Errorf("group %d (%s) [%d]: grad %.8g, fd %.8g", gi, n.Alphas()[gi].Name, i, grad[i], fd)
			}
		}
	}
}

// TestNB201KernelsStartFromCentre: entering the size-variable phase copies the centre of
// each 7×7 kernel into the 5×5 and 3×3 ones.
func TestNB201KernelsStartFromCentre(t *testing.T) {
	n, _ := tinyNB201(t, Softmax{})
	checked := 0
	n.eachVarConv(func(v *varConv) {
		checked++
		w7 := ref.Data(v.convs[0].Params()[0].V.Value)
		w3 := ref.Data(v.convs[2].Params()[0].V.Value)
		w5 := ref.Data(v.convs[1].Params()[0].V.Value)
		sh := v.convs[0].Params()[0].V.Value.Shape
		for o := 0; o < sh[0]; o++ {
			for c := 0; c < sh[1]; c++ {
				base7 := (o*sh[1] + c) * 49
				if w5[(o*sh[1]+c)*25+0] != w7[base7+1*7+1] || w3[(o*sh[1]+c)*9+4] != w7[base7+3*7+3] {
					t.Fatalf("kernels not taken from the 7×7 centre")
				}
			}
		}
	})
	if checked == 0 {
		t.Fatal("no kernel_variable_conv found")
	}
}

// TestNB201PenaltyKeepsDerivedNetworkInBudget descends on the penalty alone, with a
// budget far below the unpenalised size, and checks that both the expected count and the
// derived network's count end inside the budget.
func TestNB201PenaltyKeepsDerivedNetworkInBudget(t *testing.T) {
	dev := ref.New()
	space, _ := genotype.SpaceByName("nb201-varied")
	relax := &Sparsemax{T: 1}
	cfg := NB201Config{C: 4, N: 3, Classes: 10, InChannels: 1, KernelSearch: true, ExitSearch: true}
	n, err := NewNB201Network(dev, tensor.NewRNG(3), space, cfg, relax, 1e-3)
	if err != nil {
		t.Fatal(err)
	}
	n.SetSized(true, true)
	pen := NewNB201Penalty(n, 0, 0)
	start := pen.Expected()
	// Smallest derived network: every edge parameter-free, one cell per stage.
	floor := NB201DerivedParams(&genotype.NB201Net{Space: space.Name, Stages: []genotype.NB201Stage{
		{Cell: emptyCell(), Cells: 1}, {Cell: emptyCell(), Cells: 1}, {Cell: emptyCell(), Cells: 1}}}, cfg.C, cfg.InChannels, cfg.Classes)
	pen.Low, pen.High = 0, float64(floor)+0.1*(start-float64(floor))
	pen.Active, pen.Scale = true, 15e3
	adam := optim.NewAdam(alphaVars(n), optim.AdamConfig{LR: 0.05, Beta1: 0.5, Beta2: 0.999})
	for i := 0; i < 300; i++ {
		autograd.ZeroGrad(alphaVars(n))
		tp := autograd.NewTape()
		var relaxed []*autograd.Var
		for _, a := range alphaVars(n) {
			relaxed = append(relaxed, relax.Apply(tp, a))
		}
		tp.Backward(pen.lossOf(tp, relaxed))
		tp.Release()
		adam.Step()
	}
	if got := pen.Expected(); got > pen.High {
		t.Errorf("expected parameters %.0f after descent, budget [0, %.0f] (start %.0f)", got, pen.High, start)
	}
	g, err := n.Derive()
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := NB201DerivedParams(g, cfg.C, cfg.InChannels, cfg.Classes); float64(got) > pen.High {
		t.Errorf("derived network %s has %d parameters, budget [0, %.0f] (start %.0f)", g.Text(), got, pen.High, start)
	}
}

func emptyCell() genotype.NB201Cell {
	c, _ := genotype.ParseNB201("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|")
	return c
}

// TestNB201SearchMethodsEndWithValidNetworks runs every method on --space nb201, and
// ZO-DARTS++ on nb201-varied with the size-variable search from epoch 0 and a budget.
func TestNB201SearchMethodsEndWithValidNetworks(t *testing.T) {
	type run struct {
		method, space   string
		sizeFrom, order int
	}
	var runs []run
	for _, m := range MethodNames {
		runs = append(runs, run{m, "nb201", 0, 1})
	}
	runs = append(runs, run{"darts", "nb201", 0, 2}, run{"zo-darts++", "nb201-varied", -1, 1})
	for _, r := range runs {
		t.Run(fmt.Sprintf("%s/%s/order%d", r.method, r.space, r.order), func(t *testing.T) {
			cfg := tinyConfig(r.method, 2)
			cfg.Order = r.order
			cfg.Space, cfg.Layers, cfg.Channels, cfg.SizeFrom, cfg.ArchLR = r.space, 1, 2, r.sizeFrom, 0.05
			switch r.method {
			case "zarts-rs", "zarts-mgs", "zarts-gld":
				cfg.ZEvery, cfg.ZWarmup, cfg.ZSteps, cfg.ZSamples, cfg.ZSigma = 2, 0.01, 1, 2, 0.5
			case "zo-darts++":
				cfg.ZORounds = 2
				cfg.BudgetHigh = 1e4
			}
			s := newTinySearch(t, cfg, t.TempDir())
			before := alphaVector(s.Net)[:18*5]
			res, err := s.Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			moved := false
			for i, v := range alphaVector(s.Net)[:len(before)] {
				moved = moved || v != before[i]
			}
			if !moved {
				t.Fatal("the search left the stages' α unchanged")
			}
			if res.NB201 == nil {
				t.Fatal("no NB201 network in the result")
			}
			if err := res.NB201.Validate(); err != nil {
				t.Fatalf("final network invalid: %v (%s)", err, res.NB201.Text())
			}
			if len(res.Metrics) != 2 || res.Metrics[1].Genotype != res.NB201.Text() || res.Metrics[1].DerivedParams <= 0 {
				t.Fatalf("metrics %+v do not describe %s", res.Metrics, res.NB201.Text())
			}
			if r.sizeFrom < 0 && len(s.Net.Alphas()) != 7 {
				t.Fatalf("%d α groups after the size-variable phase began, want 7", len(s.Net.Alphas()))
			}
		})
	}
}

// TestNB201EvalNetworkMatchesDerivedCount builds the evaluation network of a searched
// stage genotype read back from its JSON, checks its weight count against
// NB201DerivedParams and runs a forward pass.
func TestNB201EvalNetworkMatchesDerivedCount(t *testing.T) {
	src := `{"space":"nb201-varied","cell":"ignored","stages":[
		{"cell":"|nor_conv_7x7~0|+|none~0|nor_conv_1x1~1|+|skip_connect~0|nor_conv_5x5~1|avg_pool_3x3~2|","cells":2},
		{"cell":"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|","cells":1},
		{"cell":"|nor_conv_3x3~0|+|avg_pool_3x3~0|nor_conv_1x1~1|+|none~0|skip_connect~1|nor_conv_3x3~2|","cells":3}]}`
	g, err := genotype.ParseNB201Net([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	n, err := NewNB201EvalNetwork(countDev(), tensor.NewRNG(0), g, 16, 1, 11)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := n.ParamCount(), NB201DerivedParams(g, 16, 1, 11); got != want {
		t.Fatalf("evaluation network %d weights, NB201DerivedParams %d", got, want)
	}
	dev := ref.New()
	rng := tensor.NewRNG(1)
	e, err := NewNB201EvalNetwork(dev, rng, g, 2, 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	tp := autograd.NewTape()
	logits, _ := e.Forward(tp, autograd.Const(tensor.FromSlice(dev, rng.NormalSlice(2*64, 1), 2, 1, 8, 8)))
	if s := logits.Value.Shape; len(s) != 2 || s[0] != 2 || s[1] != 3 {
		t.Fatalf("logits shape %v, want [2 3]", s)
	}
	tp.Backward(tp.CrossEntropy(logits, tensor.FromSlice(dev, []float32{0, 1}, 2)))
	tp.Release()
	if _, err := genotype.ParseNB201Net([]byte(`{"space":"nb201","stages":[{"cell":"|nor_conv_7x7~0|+|none~0|none~1|+|none~0|none~1|none~2|","cells":1}]}`)); err == nil {
		t.Fatal("a 2-stage network with a 7×7 conv on nb201 was accepted")
	}
}
