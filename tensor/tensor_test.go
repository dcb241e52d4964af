package tensor_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"godarts/tensor"
	"godarts/tensor/ref"
)

func TestViewsShareTheBuffer(t *testing.T) {
	dev := ref.New()
	x := tensor.FromSlice(dev, []float32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 2, 3, 2, 1)
	ch := x.Narrow(1, 1, 2) // channels 1..2 of both samples: a strided view
	if ch.IsContiguous() {
		t.Fatal("a channel slice of a batch of 2 reports contiguous")
	}
	got := ch.Read()
	want := []float32{2, 3, 4, 5, 8, 9, 10, 11}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("channel slice reads %v, want %v", got, want)
	}
	r := x.Reshape(4, -1)
	if !r.Shape.Equal(tensor.Shape{4, 3}) || r.Buf != x.Buf {
		t.Fatalf("reshape gave %v sharing=%v", r.Shape, r.Buf == x.Buf)
	}
	tensor.FillInto(x.Narrow(0, 1, 1), 7) // writing through a view changes x
	if v := x.Read()[11]; v != 7 {
		t.Fatalf("write through a view: x[11] = %v", v)
	}
}

func TestShapeMismatchPanicsNamingOpAndShapes(t *testing.T) {
	dev := ref.New()
	defer func() {
		msg := fmt.Sprint(recover())
		for _, w := range []string{"axpby", "[2 3]", "[3 2]"} {
			if !strings.Contains(msg, w) {
				t.Fatalf("panic %q lacks %q", msg, w)
			}
		}
	}()
	tensor.Add(tensor.New(dev, 2, 3), tensor.New(dev, 3, 2))
}

func TestRNGIsReproducibleAndResumable(t *testing.T) {
	a, b := tensor.NewRNG(9), tensor.NewRNG(9)
	for i := 0; i < 5; i++ {
		a.Normal()
		b.Normal()
	}
	state, err := a.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	next := a.Uint64()
	var c tensor.RNG
	if err := c.UnmarshalBinary(state); err != nil {
		t.Fatal(err)
	}
	if c.Uint64() != next || b.Uint64() != next {
		t.Fatal("same seed or restored state does not give the same numbers")
	}
}

// PyTorch's Conv2d/Linear default init is kaiming_uniform_(a=√5): bound 1/√fan_in.
func TestKaimingUniformMatchesPyTorchBound(t *testing.T) {
	dev := ref.New()
	w := tensor.KaimingUniform(dev, tensor.NewRNG(1), 16, 8, 3, 3)
	bound := 1 / math.Sqrt(8*9)
	lo, hi := 0.0, 0.0
	for _, v := range ref.Data(w) {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if lo < -bound || hi > bound || hi < 0.9*bound || lo > -0.9*bound {
		t.Fatalf("values in [%v, %v], want filling [-%v, %v]", lo, hi, bound, bound)
	}
}
