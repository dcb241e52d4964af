package nas

import (
	"math"
	"reflect"
	"testing"

	"godarts/autograd"
	"godarts/nas/genotype"
	"godarts/tensor"
	"godarts/tensor/ref"
)

// poisonOnFree is a backend that overwrites each buffer with NaN when it is freed.
type poisonOnFree struct{ tensor.Backend }

func (p poisonOnFree) Free(b tensor.Buffer) {
	nan := make([]float32, b.Len())
	for i := range nan {
		nan[i] = float32(math.NaN())
	}
	p.Upload(b, 0, nan)
}

// TestForwardWithoutGradFreesOnlyDeadActivations checks that a forward pass on a NoGrad
// or nil tape, which frees activations as soon as the cell is done with them
// (autograd.Tape.Drop), gives the same logits as a recording forward, in training and in
// evaluation mode. The backend fills every freed buffer with NaN, so a buffer freed while
// still needed poisons the logits.
func TestForwardWithoutGradFreesOnlyDeadActivations(t *testing.T) {
	dev := poisonOnFree{ref.New()}
	for _, space := range []string{"darts", "s3"} {
		sp, _ := genotype.SpaceByName(space)
		net, err := NewSearchNetwork(dev, tensor.NewRNG(4), sp, NetConfig{C: 4, Layers: 5, Classes: 3, InChannels: 1}, Softmax{}, 0.5)
		if err != nil {
			t.Fatal(err)
		}
		x := autograd.Const(tensor.FromSlice(dev, tensor.NewRNG(5).NormalSlice(2*1*12*12, 1), 2, 1, 12, 12))
		for _, training := range []bool{true, false} {
			net.SetTraining(training)
			run := func(tp *autograd.Tape) []float32 {
				logits, _, _ := net.Forward(tp, x)
				out := logits.Value.Read()
				tp.Release()
				return out
			}
			want := run(autograd.NewTape())
			for name, tp := range map[string]*autograd.Tape{"NoGrad": autograd.NoGrad(), "nil": nil} {
				if got := run(tp); !reflect.DeepEqual(got, want) {
					t.Errorf("%s, training %v, %s tape: logits %v, want %v", space, training, name, got, want)
				}
			}
		}
	}
}

// TestNB201ForwardWithoutGradFreesOnlyDeadActivations is the test above for the NB201
// stage supernet (nb201 and nb201-varied with the size-variable phase on: α_mix and the
// early-exit mixture α_exit live) and the NB201 evaluation network (skip connections,
// a node whose inputs are all none, a stage of none), and the DARTS_V2 evaluation
// network, in training and evaluation mode: the logits of NoGrad and nil tapes equal a
// recording tape's on a backend that poisons freed buffers, and the no-grad passes hold
// at most maxShare of the activations the recording pass holds at its peak.
func TestNB201ForwardWithoutGradFreesOnlyDeadActivations(t *testing.T) {
	dev := &allocMeter{Backend: poisonOnFree{ref.New()}} // counts live elements, poisons freed buffers
	rng := tensor.NewRNG(6)
	type forward func(tp *autograd.Tape, x *autograd.Var) *autograd.Var
	supernet := func(space string) (forward, func(bool)) {
		sp, _ := genotype.SpaceByName(space)
		n, err := NewNB201Network(dev, rng, sp, NB201Config{C: 2, N: 3, Classes: 3, InChannels: 1, KernelSearch: true, ExitSearch: true}, Softmax{}, 0.5)
		if err != nil {
			t.Fatal(err)
		}
		n.SetSized(true, true)
		return func(tp *autograd.Tape, x *autograd.Var) *autograd.Var { l, _ := n.Logits(tp, x); return l }, n.SetTraining
	}
	g, err := genotype.ParseNB201Net([]byte(`{"space":"nb201-varied","stages":[
		{"cell":"|nor_conv_7x7~0|+|skip_connect~0|nor_conv_1x1~1|+|skip_connect~0|nor_conv_5x5~1|avg_pool_3x3~2|","cells":2},
		{"cell":"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|","cells":1},
		{"cell":"|nor_conv_3x3~0|+|none~0|none~1|+|skip_connect~0|skip_connect~1|nor_conv_3x3~2|","cells":2}]}`))
	if err != nil {
		t.Fatal(err)
	}
	eval, err := NewNB201EvalNetwork(dev, rng, g, 2, 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	dartsV2, err := genotype.ByName("DARTS_V2")
	if err != nil {
		t.Fatal(err)
	}
	dartsEval, err := NewEvalNetwork(dev, rng, dartsV2, EvalConfig{C: 4, Layers: 5, Classes: 3, InChannels: 1}, 8)
	if err != nil {
		t.Fatal(err)
	}
	nets := []struct {
		name     string
		build    func() (forward, func(bool))
		maxShare float64
	}{
		{"DARTS_V2 evaluation network", func() (forward, func(bool)) {
			return func(tp *autograd.Tape, x *autograd.Var) *autograd.Var { l, _ := dartsEval.Forward(tp, x); return l }, dartsEval.SetTraining
		}, 0.3},
		{"nb201 supernet", func() (forward, func(bool)) { return supernet("nb201") }, 0.3},
		{"nb201-varied supernet", func() (forward, func(bool)) { return supernet("nb201-varied") }, 0.3},
		{"evaluation network", func() (forward, func(bool)) {
			return func(tp *autograd.Tape, x *autograd.Var) *autograd.Var { l, _ := eval.Forward(tp, x); return l }, eval.SetTraining
		}, 0.3},
	}
	x := autograd.Const(tensor.FromSlice(dev, rng.NormalSlice(2*1*8*8, 1), 2, 1, 8, 8))
	for _, net := range nets {
		fwd, setTraining := net.build()
		for _, training := range []bool{true, false} {
			setTraining(training)
			run := func(tp *autograd.Tape) ([]float32, int) {
				dev.peak = dev.live
				base := dev.live
				logits := fwd(tp, x)
				out := logits.Value.Read()
				peak := dev.peak - base
				tp.Release()
				return out, peak
			}
			want, recorded := run(autograd.NewTape())
			for _, name := range []string{"NoGrad", "nil"} {
				var tp *autograd.Tape
				if name == "NoGrad" {
					tp = autograd.NoGrad()
				}
				got, peak := run(tp)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s, training %v, %s tape: logits %v, want %v", net.name, training, name, got, want)
				}
				if float64(peak) > net.maxShare*float64(recorded) {
					t.Errorf("%s, training %v, %s tape: peak %d live elements, over %.0f%% of the recording pass's %d", net.name, training, name, peak, 100*net.maxShare, recorded)
				}
				t.Logf("%s, training %v, %s tape: peak %d live elements, recording %d", net.name, training, name, peak, recorded)
			}
		}
	}
}
