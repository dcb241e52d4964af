package nas

import (
	"math"
	"testing"

	"godarts/autograd"
	"godarts/nas/genotype"
	"godarts/optim"
	"godarts/tensor"
	"godarts/tensor/ref"
)

// TestSecondOrderMatchesFiniteDifference compares the unrolled α-gradient of DARTS
// (architect.py: virtual step, finite-difference Hessian-vector product) with a central
// finite difference of the unrolled objective F(α) = L_val(w − ξ(∇_w L_train(w, α) + λw), α),
// in float64 on the reference backend, on a tiny network.
func TestSecondOrderMatchesFiniteDifference(t *testing.T) {
	dev := ref.New()
	rng := tensor.NewRNG(5)
	space, _ := genotype.SpaceByName("darts")
	net, err := NewSearchNetwork(dev, rng, space, NetConfig{C: 2, Layers: 3, Classes: 3, InChannels: 1}, Softmax{}, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	batch := func() Batch {
		return Batch{
			X: tensor.FromSlice(dev, rng.NormalSlice(2*1*8*8, 1), 2, 1, 8, 8),
			Y: tensor.FromSlice(dev, []float32{0, 2}, 2),
		}
	}
	train, valid := batch(), batch()
	xi, wd := xiTest, 3e-4
	wOpt := optim.NewSGD(weightVars(net), optim.SGDConfig{LR: xi, Momentum: 0.9, WeightDecay: wd})
	// ReLU and max-pool kinks make gradients jump; a smaller HVP perturbation than the
	// reference's 0.01 keeps the finite differences on one side of them.
	so := &SecondOrder{Momentum: 0.9, WeightDecay: wd, HVPScale: 1e-5}
	ctx := &StepContext{Net: net, Train: train, Valid: valid, WeightOpt: wOpt, LR: xi}
	so.Gradient(ctx)
	got := [][]float64{append([]float64(nil), ref.Data(net.AlphaNormal.Grad)...), append([]float64(nil), ref.Data(net.AlphaReduce.Grad)...)}

	ws := weightVars(net)
	w0 := make([][]float64, len(ws))
	for i, w := range ws {
		w0[i] = append([]float64(nil), ref.Data(w.Value)...)
	}
	unrolled := func() float64 {
		// w' = w − ξ(∇_w L_train + λw) (no momentum buffer before the first step)
		for i, w := range ws {
			copy(ref.Data(w.Value), w0[i])
		}
		autograd.ZeroGrad(ws)
		withAlphasFrozen(net, func() {
			tp := autograd.NewTape()
			logits, _, _ := net.Forward(tp, autograd.Const(train.X))
			tp.Backward(tp.CrossEntropy(logits, train.Y))
		})
		for i, w := range ws {
			d, g := ref.Data(w.Value), ref.Data(w.Grad)
			for j := range d {
				d[j] -= xi * (g[j] + wd*w0[i][j])
			}
		}
		tp := autograd.NoGrad()
		l := archLoss(tp, net, valid, Objective{})
		v := ref.Data(l.Value)[0]
		for i, w := range ws {
			copy(ref.Data(w.Value), w0[i])
		}
		return v
	}
	const h = 1e-6
	checked := 0
	for c, a := range []*autograd.Var{net.AlphaNormal, net.AlphaReduce} {
		data := ref.Data(a.Value)
		for _, i := range []int{0, 5, 17, 42, 63, 100} {
			old := data[i]
			data[i] = old + h
			fp := unrolled()
			data[i] = old - h
			fm := unrolled()
			data[i] = old
			fd := (fp - fm) / (2 * h)
			if diff := math.Abs(fd - got[c][i]); diff > 1e-4*math.Max(1, math.Abs(fd)) && diff > 2e-3*math.Abs(fd) {
				t.Errorf("cell %d α[%d]: unrolled gradient %.8g, finite difference %.8g", c, i, got[c][i], fd)
			}
			checked++
		}
	}
	// The second-order term must matter here, or the test would not tell the orders apart.
	first := firstOrderGrad(t, net, valid)
	differ := 0.0
	for i := range first {
		differ = math.Max(differ, math.Abs(first[i]-got[0][i]))
	}
	if differ < 1e-6 {
		t.Fatalf("first- and second-order gradients agree to %g: the test cannot tell them apart", differ)
	}
}

func firstOrderGrad(t *testing.T, net *SearchNetwork, valid Batch) []float64 {
	t.Helper()
	autograd.ZeroGrad(alphaVars(net))
	withWeightsFrozen(net, func() {
		tp := autograd.NewTape()
		tp.Backward(archLoss(tp, net, valid, Objective{}))
	})
	return append([]float64(nil), ref.Data(net.AlphaNormal.Grad)...)
}

var xiTest = 0.1
