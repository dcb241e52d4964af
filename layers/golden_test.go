package layers_test

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"godarts/autograd"
	"godarts/layers"
	"godarts/tensor"
	"godarts/tensor/cpu"
)

// layerCase is one case of layers/testdata/layers_golden.json (tools/golden/layers_golden.py):
// PyTorch's state, input, output, gradients of Σ r·y, and running statistics afterwards.
type layerCase struct {
	Name       string
	Train      bool
	XShape     []int `json:"x_shape"`
	X, Y, R    []float64
	XGrad      []float64 `json:"x_grad"`
	State      map[string][]float64
	Grads      map[string][]float64
	StateAfter map[string][]float64 `json:"state_after"`
}

// goldenLayers builds the module of each golden case (same constructor arguments as the
// script's PyTorch modules).
var goldenLayers = map[string]func(dev tensor.Backend, rng *tensor.RNG) layers.Module{
	"conv2d 3x3 s2 bias": func(d tensor.Backend, g *tensor.RNG) layers.Module {
		return layers.NewConv2d(d, g, 3, 5, 3, 2, 1, 1, 1, true)
	},
	"conv2d 5x5 dilation 2 groups 2": func(d tensor.Backend, g *tensor.RNG) layers.Module {
		return layers.NewConv2d(d, g, 4, 6, 5, 1, 4, 2, 2, false)
	},
	"linear":                  func(d tensor.Backend, g *tensor.RNG) layers.Module { return layers.NewLinear(d, g, 7, 3) },
	"batchnorm2d affine":      func(d tensor.Backend, g *tensor.RNG) layers.Module { return layers.NewBatchNorm2d(d, 4, true) },
	"batchnorm2d no affine":   func(d tensor.Backend, g *tensor.RNG) layers.Module { return layers.NewBatchNorm2d(d, 3, false) },
	"batchnorm2d affine eval": func(d tensor.Backend, g *tensor.RNG) layers.Module { return layers.NewBatchNorm2d(d, 4, true) },
	"sep_conv_3x3 s2 no affine": func(d tensor.Backend, g *tensor.RNG) layers.Module {
		return layers.NewSepConv(d, g, 6, 6, 3, 2, 1, false)
	},
	"sep_conv_5x5 s1 affine": func(d tensor.Backend, g *tensor.RNG) layers.Module {
		return layers.NewSepConv(d, g, 5, 5, 5, 1, 2, true)
	},
	"dil_conv_3x3 s2": func(d tensor.Backend, g *tensor.RNG) layers.Module {
		return layers.NewDilConv(d, g, 5, 5, 3, 2, 2, 2, false)
	},
	"dil_conv_5x5 s1 affine": func(d tensor.Backend, g *tensor.RNG) layers.Module {
		return layers.NewDilConv(d, g, 4, 4, 5, 1, 4, 2, true)
	},
	"relu_conv_bn 1x1": func(d tensor.Backend, g *tensor.RNG) layers.Module {
		return layers.NewReLUConvBN(d, g, 6, 4, 1, 1, 0, true)
	},
	"factorized_reduce": func(d tensor.Backend, g *tensor.RNG) layers.Module {
		return layers.NewFactorizedReduce(d, g, 4, 6, true)
	},
	"max_pool_3x3 s2": func(d tensor.Backend, g *tensor.RNG) layers.Module { return layers.NewMaxPool2d(3, 2, 1) },
	"avg_pool_3x3 s2": func(d tensor.Backend, g *tensor.RNG) layers.Module { return layers.NewAvgPool2d(3, 2, 1) },
	"avg_pool_3x3 s1": func(d tensor.Backend, g *tensor.RNG) layers.Module { return layers.NewAvgPool2d(3, 1, 1) },
}

func f32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// within compares with rtol 1e-4 relative to the larger of |want| and the case's scale
// (the largest |want|), so values near zero are judged against the tensor's magnitude.
func within(t *testing.T, what string, got []float32, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, PyTorch %d", what, len(got), len(want))
	}
	scale := 0.0
	for _, w := range want {
		scale = math.Max(scale, math.Abs(w))
	}
	for i := range want {
		if math.Abs(float64(got[i])-want[i]) > 1e-4*math.Max(math.Abs(want[i]), 1e-2*scale)+1e-7 {
			t.Fatalf("%s[%d] = %.8g, PyTorch %.8g", what, i, got[i], want[i])
		}
	}
}

// TestPyTorchParity runs every golden case on the CPU backend: output, input gradient,
// parameter gradients (in evaluation mode too) and running statistics within rtol 1e-4
// of PyTorch's.
func TestPyTorchParity(t *testing.T) {
	b, err := os.ReadFile("testdata/layers_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Cases []layerCase }
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("testdata/layers_golden.json: %v", err)
	}
	dev := cpu.New(2)
	for _, c := range doc.Cases {
		t.Run(c.Name, func(t *testing.T) {
			build, ok := goldenLayers[c.Name]
			if !ok {
				t.Fatalf("no Go module for golden case %q", c.Name)
			}
			m := build(dev, tensor.NewRNG(1))
			params, buffers := m.Params(), m.Buffers()
			if len(params)+len(buffers) != len(c.State) {
				t.Fatalf("%d params and %d buffers, PyTorch state has %d entries", len(params), len(buffers), len(c.State))
			}
			for _, p := range params {
				v, ok := c.State[p.Name]
				if !ok {
					t.Fatalf("parameter %q not in PyTorch's state_dict", p.Name)
				}
				p.V.Value.Write(f32(v))
			}
			for _, bf := range buffers {
				v, ok := c.State[bf.Name]
				if !ok {
					t.Fatalf("buffer %q not in PyTorch's state_dict", bf.Name)
				}
				bf.T.Write(f32(v))
			}
			m.SetTraining(c.Train)
			x := autograd.Param(tensor.FromSlice(dev, f32(c.X), c.XShape...))
			tp := autograd.NewTape()
			y := m.Forward(tp, x)
			within(t, "y", y.Value.Read(), c.Y)
			if c.XGrad != nil {
				r := autograd.Const(tensor.FromSlice(dev, f32(c.R), y.Value.Shape...))
				tp.Backward(tp.Sum(tp.Mul(y, r), 1))
				within(t, "x grad", x.Grad.Read(), c.XGrad)
				for _, p := range params {
					within(t, p.Name+" grad", p.V.Grad.Read(), c.Grads[p.Name])
				}
			}
			for _, bf := range buffers {
				within(t, bf.Name, bf.T.Read(), c.StateAfter[bf.Name])
			}
		})
	}
}
