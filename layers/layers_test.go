package layers_test

import (
	"math"
	"reflect"
	"testing"

	"godarts/autograd"
	"godarts/layers"
	"godarts/optim"
	"godarts/tensor"
	"godarts/tensor/cpu"
	"godarts/tensor/ref"
)

// TestParamCounts compares parameter counts with hand counts of PyTorch's modules
// (quark0/darts cnn/operations.py; nas-algorithms.md §1.1).
func TestParamCounts(t *testing.T) {
	dev, rng := ref.New(), tensor.NewRNG(1)
	cases := []struct {
		name string
		m    layers.Module
		want int
	}{
		{"Conv2d(3,16,3) no bias", layers.NewConv2d(dev, rng, 3, 16, 3, 1, 1, 1, 1, false), 16 * 3 * 9},
		{"Conv2d(3,16,3) bias", layers.NewConv2d(dev, rng, 3, 16, 3, 1, 1, 1, 1, true), 16*3*9 + 16},
		{"Conv2d depthwise(16,16,5)", layers.NewConv2d(dev, rng, 16, 16, 5, 1, 2, 1, 16, false), 16 * 25},
		{"Linear(256,10)", layers.NewLinear(dev, rng, 256, 10), 256*10 + 10},
		{"BatchNorm2d(16) affine", layers.NewBatchNorm2d(dev, 16, true), 2 * 16},
		{"BatchNorm2d(16) no affine", layers.NewBatchNorm2d(dev, 16, false), 0},
		{"SepConv(16,16,3) affine", layers.NewSepConv(dev, rng, 16, 16, 3, 1, 1, true), 2*(16*9+16*16) + 2*2*16},
		{"SepConv(16,16,5) no affine", layers.NewSepConv(dev, rng, 16, 16, 5, 2, 2, false), 2 * (16*25 + 16*16)},
		{"DilConv(16,16,3) affine", layers.NewDilConv(dev, rng, 16, 16, 3, 1, 2, 2, true), 16*9 + 16*16 + 2*16},
		{"DilConv(36,36,5) no affine", layers.NewDilConv(dev, rng, 36, 36, 5, 1, 4, 2, false), 36*25 + 36*36},
		{"ReLUConvBN(48,16,1) affine", layers.NewReLUConvBN(dev, rng, 48, 16, 1, 1, 0, true), 48*16 + 2*16},
		{"FactorizedReduce(16,32) affine", layers.NewFactorizedReduce(dev, rng, 16, 32, true), 2*16*16 + 2*32},
		{"pools, identity, zero", layers.NewSequential(layers.NewMaxPool2d(3, 1, 1), layers.NewAvgPool2d(3, 2, 1), layers.Identity{}, layers.NewZero(2), layers.ReLU{}, layers.GlobalAvgPool{}), 0},
	}
	for _, c := range cases {
		if got := layers.CountParams(c.m); got != c.want {
			t.Errorf("%s: %d parameters, want %d", c.name, got, c.want)
		}
	}
}

func names(ps []layers.Named) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

// TestNames checks the state_dict-style names checkpoints use.
func TestNames(t *testing.T) {
	dev, rng := ref.New(), tensor.NewRNG(1)
	sep := layers.NewSepConv(dev, rng, 4, 4, 3, 1, 1, true)
	if got, want := names(sep.Params()), []string{"op.1.weight", "op.2.weight", "op.3.weight", "op.3.bias", "op.5.weight", "op.6.weight", "op.7.weight", "op.7.bias"}; !reflect.DeepEqual(got, want) {
		t.Errorf("SepConv params %v, want %v", got, want)
	}
	var bufs []string
	for _, b := range sep.Buffers() {
		bufs = append(bufs, b.Name)
	}
	if want := []string{"op.3.running_mean", "op.3.running_var", "op.7.running_mean", "op.7.running_var"}; !reflect.DeepEqual(bufs, want) {
		t.Errorf("SepConv buffers %v, want %v", bufs, want)
	}
	seq := layers.NewSequential(layers.NewConv2d(dev, rng, 2, 2, 1, 1, 0, 1, 1, true), layers.NewReLUConvBN(dev, rng, 2, 2, 1, 1, 0, true))
	if got, want := names(seq.Params()), []string{"0.weight", "0.bias", "1.op.1.weight", "1.op.2.weight", "1.op.2.bias"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Sequential params %v, want %v", got, want)
	}
	fr := layers.NewFactorizedReduce(dev, rng, 4, 4, true)
	if got, want := names(fr.Params()), []string{"conv_1.weight", "conv_2.weight", "bn.weight", "bn.bias"}; !reflect.DeepEqual(got, want) {
		t.Errorf("FactorizedReduce params %v, want %v", got, want)
	}
}

// TestShapes checks output shapes of the DARTS operations at stride 1 and 2 (odd sizes:
// PyTorch's floor arithmetic).
func TestShapes(t *testing.T) {
	dev, rng := ref.New(), tensor.NewRNG(1)
	x := autograd.Const(tensor.FromSlice(dev, rng.UniformSlice(2*4*7*7, -1, 1), 2, 4, 7, 7))
	cases := []struct {
		name string
		m    layers.Module
		want tensor.Shape
	}{
		{"sep_conv_3x3 s2", layers.NewSepConv(dev, rng, 4, 6, 3, 2, 1, false), tensor.Shape{2, 6, 4, 4}},
		{"sep_conv_5x5 s1", layers.NewSepConv(dev, rng, 4, 4, 5, 1, 2, false), tensor.Shape{2, 4, 7, 7}},
		{"dil_conv_3x3 s2", layers.NewDilConv(dev, rng, 4, 4, 3, 2, 2, 2, false), tensor.Shape{2, 4, 4, 4}},
		{"dil_conv_5x5 s1", layers.NewDilConv(dev, rng, 4, 4, 5, 1, 4, 2, false), tensor.Shape{2, 4, 7, 7}},
		{"max_pool s2", layers.NewMaxPool2d(3, 2, 1), tensor.Shape{2, 4, 4, 4}},
		{"avg_pool s1", layers.NewAvgPool2d(3, 1, 1), tensor.Shape{2, 4, 7, 7}},
		{"none s2", layers.NewZero(2), tensor.Shape{2, 4, 4, 4}},
		{"factorized reduce (even input)", layers.NewSequential(layers.NewAvgPool2d(3, 1, 1)), tensor.Shape{2, 4, 7, 7}},
		{"global avg pool", layers.GlobalAvgPool{}, tensor.Shape{2, 4}},
	}
	for _, c := range cases {
		if got := c.m.Forward(nil, x).Value.Shape; !got.Equal(c.want) {
			t.Errorf("%s: shape %v, want %v", c.name, got, c.want)
		}
	}
	x8 := autograd.Const(tensor.New(dev, 1, 4, 8, 8))
	if got := layers.NewFactorizedReduce(dev, rng, 4, 8, false).Forward(nil, x8).Value.Shape; !got.Equal(tensor.Shape{1, 8, 4, 4}) {
		t.Errorf("factorized reduce: shape %v, want [1 8 4 4]", got)
	}
}

// TestBatchNormModes: training updates the running statistics with momentum 0.1 and the
// unbiased batch variance (PyTorch); evaluation uses them and changes nothing.
func TestBatchNormModes(t *testing.T) {
	dev := ref.New()
	// One channel, values 1..4: mean 2.5, unbiased variance 5/3.
	x := autograd.Const(ref.FromFloat64([]float64{1, 2, 3, 4}, 1, 1, 2, 2))
	bn := layers.NewBatchNorm2d(dev, 1, true)
	bn.Forward(autograd.NewTape(), x)
	rm, rv := ref.Data(bn.RunMean)[0], ref.Data(bn.RunVar)[0]
	if !near(rm, 0.1*2.5) || !near(rv, 0.9+0.1*5.0/3) {
		t.Errorf("running mean %v var %v, want %v %v", rm, rv, 0.25, 0.9+0.5/3)
	}
	bn.SetTraining(false)
	y := ref.Data(bn.Forward(nil, x).Value)
	if want := (1 - rm) / math.Sqrt(rv+1e-5); !near(y[0], want) {
		t.Errorf("eval output %v, want %v", y[0], want)
	}
	if ref.Data(bn.RunMean)[0] != rm {
		t.Error("eval mode changed the running mean")
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

// TestSmallCNNLossFalls trains a small DARTS-op CNN on one fixed synthetic batch on the
// CPU backend; the loss must fall well below its start.
func TestSmallCNNLossFalls(t *testing.T) {
	dev, rng := cpu.New(2), tensor.NewRNG(3)
	net := layers.NewSequential(
		layers.NewConv2d(dev, rng, 3, 8, 3, 1, 1, 1, 1, false),
		layers.NewBatchNorm2d(dev, 8, true),
		layers.NewSepConv(dev, rng, 8, 8, 3, 1, 1, true),
		layers.NewFactorizedReduce(dev, rng, 8, 16, true),
		layers.NewDilConv(dev, rng, 16, 16, 3, 1, 2, 2, true),
		layers.NewMaxPool2d(3, 2, 1),
		layers.ReLU{},
		layers.GlobalAvgPool{},
		layers.NewLinear(dev, rng, 16, 4),
	)
	x := autograd.Const(tensor.FromSlice(dev, rng.UniformSlice(8*3*8*8, -1, 1), 8, 3, 8, 8))
	labels := tensor.FromSlice(dev, []float32{0, 1, 2, 3, 3, 2, 1, 0}, 8)
	var params []*autograd.Var
	for _, p := range net.Params() {
		params = append(params, p.V)
	}
	opt := optim.NewSGD(params, optim.SGDConfig{LR: 0.1, Momentum: 0.9})
	var first, last float32
	for it := 0; it < 30; it++ {
		tp := autograd.NewTape()
		loss := tp.CrossEntropy(net.Forward(tp, x), labels)
		tp.Backward(loss)
		opt.Step()
		autograd.ZeroGrad(params)
		if it == 0 {
			first = loss.Value.Item()
		}
		last = loss.Value.Item()
		tp.Release()
	}
	if !(last < 0.5*first) {
		t.Errorf("loss went from %v to %v, want below half", first, last)
	}
}

// TestForwardFromReLU checks that the DARTS operations that start with a ReLU give the
// same output and input gradient from ForwardFromReLU(ReLU(x)) as from Forward(x): the
// search cell relies on it to share one ReLU between operations.
func TestForwardFromReLU(t *testing.T) {
	dev, rng := ref.New(), tensor.NewRNG(3)
	cases := []struct {
		name string
		m    layers.Staged
	}{
		{"ReLUConvBN", layers.NewReLUConvBN(dev, rng, 4, 4, 1, 1, 0, false)},
		{"SepConv 3x3 stride 2", layers.NewSepConv(dev, rng, 4, 4, 3, 2, 1, false)},
		{"DilConv 5x5", layers.NewDilConv(dev, rng, 4, 4, 5, 1, 4, 2, true)},
		{"FactorizedReduce", layers.NewFactorizedReduce(dev, rng, 4, 4, false)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !c.m.StartsWithReLU() {
				t.Fatal("StartsWithReLU is false")
			}
			xs := rng.NormalSlice(2*4*6*6, 1)
			run := func(shared bool) ([]float32, []float32) {
				x := autograd.Param(tensor.FromSlice(dev, xs, 2, 4, 6, 6))
				tp := autograd.NewTape()
				var y *autograd.Var
				switch bn := c.m.FinalBN(); {
				case shared && bn != nil: // both stages split off, run by the caller
					y = bn.Forward(tp, c.m.ForwardStages(tp, tp.ReLU(x), true, true))
				case shared:
					y = c.m.ForwardStages(tp, tp.ReLU(x), true, false)
				default:
					y = c.m.Forward(tp, x)
				}
				out := y.Value.Read()
				tp.Backward(tp.Sum(tp.Mul(y, y), 1))
				tp.Release()
				return out, x.Grad.Read()
			}
			y1, g1 := run(false)
			y2, g2 := run(true)
			if !reflect.DeepEqual(y1, y2) || !reflect.DeepEqual(g1, g2) {
				t.Fatalf("outputs or gradients differ: y %v vs %v, dx %v vs %v", y1[:4], y2[:4], g1[:4], g2[:4])
			}
		})
	}
	if layers.NewSequential(layers.NewAvgPool2d(3, 1, 1)).StartsWithReLU() {
		t.Error("a pool Sequential claims to start with a ReLU")
	}
	if layers.NewDilConv(dev, rng, 4, 4, 3, 1, 2, 2, true).FinalBN() != nil {
		t.Error("an affine BN is offered for fusion")
	}
	if layers.NewSepConv(dev, rng, 4, 4, 3, 1, 1, false).FinalBN() == nil {
		t.Error("SepConv's affine-free BN is not offered for fusion")
	}
}
