package nas

import (
	"math"
	"testing"

	"godarts/autograd"
	"godarts/nas/genotype"
	"godarts/tensor"
	"godarts/tensor/ref"
)

func TestFirstOrderMatchesFiniteDifference(t *testing.T) {
	dev := ref.New()
	rng := tensor.NewRNG(5)
	space, _ := genotype.SpaceByName("darts")
	net, err := NewSearchNetwork(dev, rng, space, NetConfig{C: 2, Layers: 3, Classes: 3, InChannels: 1}, Softmax{}, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	valid := Batch{X: tensor.FromSlice(dev, rng.NormalSlice(2*1*8*8, 1), 2, 1, 8, 8), Y: tensor.FromSlice(dev, []float32{0, 2}, 2)}
	got := firstOrderGrad(t, net, valid)
	data := ref.Data(net.AlphaNormal.Value)
	loss := func() float64 {
		tp := autograd.NoGrad()
		return ref.Data(archLoss(tp, net, valid, Objective{}).Value)[0]
	}
	for _, i := range []int{0, 5, 17, 42, 63, 100} {
		old := data[i]
		data[i] = old + 1e-6
		fp := loss()
		data[i] = old - 1e-6
		fm := loss()
		data[i] = old
		fd := (fp - fm) / 2e-6
		if math.Abs(fd-got[i]) > 1e-6+1e-4*math.Abs(fd) {
			t.Errorf("α[%d]: grad %.8g, fd %.8g", i, got[i], fd)
		}
	}
}
