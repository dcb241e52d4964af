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
