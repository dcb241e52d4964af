package backendtest

import (
	"embed"
	"encoding/json"
	"fmt"
	"math"
	"path"
	"sort"
	"testing"

	"godarts/tensor"
)

// The PyTorch reference vectors written by tools/golden/make_golden.py (make golden).
//
//go:embed testdata/golden/*.json
var goldenFS embed.FS

// GoldenTensor is one stored tensor: row-major values and their shape.
type GoldenTensor struct {
	Shape []int     `json:"shape"`
	Data  []float32 `json:"data"`
}

// GoldenCase is one PyTorch computation: Op names what was run (conv2d, pool2d,
// batch_norm_train, linear, softmax, sgd_step, ...), Params its parameters and Tensors
// its inputs, upstream gradient dy, outputs and gradients d<input>.
type GoldenCase struct {
	File    string
	Name    string                  `json:"name"`
	Op      string                  `json:"op"`
	Params  map[string]any          `json:"params"`
	Tensors map[string]GoldenTensor `json:"tensors"`
}

// GoldenTol is the accepted error against PyTorch: |got − want| ≤ 1e-5·max(1, max|want|) +
// 1e-4·|want| (issue 2: parity within rtol 1e-4).
var GoldenTol = Tol{RTol: 1e-4, ATol: 1e-5}

// GoldenCases loads every stored case, ordered by file and name.
func GoldenCases() ([]GoldenCase, error) {
	files, err := goldenFS.ReadDir("testdata/golden")
	if err != nil {
		return nil, fmt.Errorf("golden vectors: %w", err)
	}
	var all []GoldenCase
	for _, f := range files {
		p := path.Join("testdata/golden", f.Name())
		b, err := goldenFS.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		var doc struct {
			Cases []GoldenCase `json:"cases"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		for i := range doc.Cases {
			doc.Cases[i].File = f.Name()
		}
		all = append(all, doc.Cases...)
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].File != all[j].File {
			return all[i].File < all[j].File
		}
		return all[i].Name < all[j].Name
	})
	return all, nil
}

func (c GoldenCase) num(key string) float64 {
	v, ok := c.Params[key].(float64)
	if !ok {
		panic(fmt.Sprintf("golden %s: parameter %q missing or not a number", c.Name, key))
	}
	return v
}

func (c GoldenCase) tensor(dev tensor.Backend, key string) *tensor.Tensor {
	g, ok := c.Tensors[key]
	if !ok {
		return nil
	}
	return tensor.FromSlice(dev, g.Data, g.Shape...)
}

// RunGolden runs every PyTorch reference case on a backend from newBackend, each as a
// subtest named file/case, and compares within GoldenTol.
func RunGolden(t *testing.T, newBackend func() tensor.Backend) {
	t.Helper()
	cases, err := GoldenCases()
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no golden cases embedded")
	}
	dev := newBackend()
	for _, c := range cases {
		t.Run(c.File+"/"+c.Name, func(t *testing.T) {
			got := RunGoldenCase(dev, c)
			if len(got) == 0 {
				t.Fatalf("op %q produced nothing to compare", c.Op)
			}
			keys := make([]string, 0, len(got))
			for k := range got {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				want, ok := c.Tensors[k]
				if !ok {
					t.Fatalf("golden case has no tensor %q", k)
				}
				if err := compareGolden(k, got[k], want, GoldenTol); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

func compareGolden(name string, got *tensor.Tensor, want GoldenTensor, tol Tol) error {
	if !got.Shape.Equal(want.Shape) {
		return fmt.Errorf("%s: shape %v, PyTorch %v", name, got.Shape, want.Shape)
	}
	g := got.Read()
	maxAbs := 1.0
	for _, v := range want.Data {
		maxAbs = math.Max(maxAbs, math.Abs(float64(v)))
	}
	bad, msg := 0, ""
	for i, w := range want.Data {
		d := math.Abs(float64(g[i]) - float64(w))
		if !(d <= tol.ATol*maxAbs+tol.RTol*math.Abs(float64(w))) {
			if bad < 5 {
				msg += fmt.Sprintf(" [%d] got %g, PyTorch %g;", i, g[i], w)
			}
			bad++
		}
	}
	if bad > 0 {
		return fmt.Errorf("%s: %d of %d elements differ:%s", name, bad, len(want.Data), msg)
	}
	return nil
}

// RunGoldenCase runs one PyTorch case on dev and returns the results by the names of the
// stored tensors they are compared with.
func RunGoldenCase(dev tensor.Backend, c GoldenCase) map[string]*tensor.Tensor {
	T := func(k string) *tensor.Tensor { return c.tensor(dev, k) }
	res := map[string]*tensor.Tensor{}
	switch c.Op {
	case "conv2d":
		p := tensor.Conv2DParams{Stride: int(c.num("stride")), Pad: int(c.num("pad")), Dilation: int(c.num("dilation")), Groups: int(c.num("groups"))}
		x, w, dy := T("x"), T("w"), T("dy")
		res["y"] = tensor.Conv2D(x, w, p)
		res["dx"] = tensor.Conv2DBackwardData(dy, w, x.Shape, p)
		res["dw"] = tensor.Conv2DBackwardFilter(x, dy, w.Shape, p)
	case "pool2d":
		p := tensor.Pool2DParams{Kind: tensor.MaxPool, K: int(c.num("k")), Stride: int(c.num("stride")), Pad: int(c.num("pad"))}
		if c.Params["kind"] == "avg" {
			p.Kind = tensor.AvgPool
		}
		x, dy := T("x"), T("dy")
		res["y"] = tensor.Pool2D(x, p)
		res["dx"] = tensor.Pool2DBackward(dy, x, p)
	case "global_avg_pool":
		x := T("x")
		res["y"] = tensor.GlobalAvgPool(x)
		res["dx"] = tensor.GlobalAvgPoolBackward(T("dy"), x.Shape)
	case "batch_norm_train":
		p := tensor.BatchNormParams{Eps: float32(c.num("eps")), Momentum: float32(c.num("momentum"))}
		x, gamma, beta, rm, rv := T("x"), T("gamma"), T("beta"), T("running_mean"), T("running_var")
		y, mean, inv := tensor.BatchNormTrain(x, gamma, beta, rm, rv, p)
		res["y"], res["new_running_mean"], res["new_running_var"] = y, rm, rv
		dx, dg, db := tensor.BatchNormBackward(T("dy"), x, mean, inv, gamma, p)
		res["dx"] = dx
		if gamma != nil {
			res["dgamma"], res["dbeta"] = dg, db
		}
	case "batch_norm_eval":
		p := tensor.BatchNormParams{Eps: float32(c.num("eps")), Momentum: float32(c.num("momentum"))}
		res["y"] = tensor.BatchNormEval(T("x"), T("gamma"), T("beta"), T("running_mean"), T("running_var"), p)
	case "linear":
		x, w, b, dy := T("x"), T("w"), T("b"), T("dy")
		res["y"] = tensor.AddBias(tensor.MatMul(x, w, false, true), b)
		res["dx"] = tensor.MatMul(dy, w, false, false)
		res["dw"] = tensor.MatMul(dy, x, true, false)
		res["db"] = tensor.BiasBackward(dy)
	case "softmax", "log_softmax":
		var fwd, bwd tensor.Op = tensor.SoftmaxOp{}, tensor.SoftmaxBackwardOp{}
		if c.Op == "log_softmax" {
			fwd, bwd = tensor.LogSoftmaxOp{}, tensor.LogSoftmaxBackwardOp{}
		}
		y := tensor.RowOp(fwd, T("x"))
		res["y"] = y
		res["dx"] = tensor.Binary(bwd, T("dy"), y)
	case "cross_entropy":
		labels := T("labels")
		loss, probs := tensor.CrossEntropy(T("x"), labels)
		res["loss"] = loss
		res["dx"] = tensor.CrossEntropyBackward(tensor.Full(dev, 1, 1), probs, labels)
	case "relu", "sigmoid":
		x, dy := T("x"), T("dy")
		if c.Op == "relu" {
			res["y"] = tensor.Unary(tensor.ReLUOp{}, x)
			res["dx"] = tensor.Binary(tensor.ReLUBackwardOp{}, dy, x)
		} else {
			y := tensor.Unary(tensor.SigmoidOp{}, x)
			res["y"] = y
			res["dx"] = tensor.Binary(tensor.SigmoidBackwardOp{}, dy, y)
		}
	case "sgd_step", "adam_step":
		res["w"] = runOptimGolden(dev, c)
	default:
		panic(fmt.Sprintf("golden %s: unknown op %q", c.Name, c.Op))
	}
	return res
}

// runOptimGolden applies the stored gradients step by step and returns the parameter
// after each step, stacked as PyTorch's trajectory is.
func runOptimGolden(dev tensor.Backend, c GoldenCase) *tensor.Tensor {
	w0, grads := c.Tensors["w0"], c.Tensors["g"]
	steps, n := grads.Shape[0], grads.Shape[1]
	w := tensor.FromSlice(dev, w0.Data, n)
	s1, s2 := tensor.New(dev, n), tensor.New(dev, n)
	traj := tensor.New(dev, steps, n)
	for s := 0; s < steps; s++ {
		g := tensor.FromSlice(dev, grads.Data[s*n:(s+1)*n], n)
		if c.Op == "sgd_step" {
			tensor.SGDStepInto(w, g, s1, tensor.SGDStepOp{
				LR: float32(c.num("lr")), Momentum: float32(c.num("momentum")), Dampening: float32(c.num("dampening")),
				WeightDecay: float32(c.num("weight_decay")), Nesterov: c.Params["nesterov"] == true, First: s == 0,
			})
		} else {
			tensor.AdamStepInto(w, g, s1, s2, tensor.AdamStepOp{
				LR: float32(c.num("lr")), Beta1: float32(c.num("beta1")), Beta2: float32(c.num("beta2")),
				Eps: float32(c.num("eps")), WeightDecay: float32(c.num("weight_decay")), Step: s + 1,
			})
		}
		tensor.CopyInto(traj.Narrow(0, s, 1).Reshape(n), w)
	}
	return traj
}
