package ref_test

import (
	"math"
	"strings"
	"testing"

	"godarts/tensor"
	"godarts/tensor/ref"
)

// TestByHand checks ref on inputs worked out by hand, for the rules that random inputs and
// the PyTorch vectors rarely reach: ties, padding counts, strided copies, clipping.
func TestByHand(t *testing.T) {
	max3 := tensor.Pool2DParams{Kind: tensor.MaxPool, K: 3, Stride: 1, Pad: 1}
	avg3 := tensor.Pool2DParams{Kind: tensor.AvgPool, K: 3, Stride: 1, Pad: 1}
	for _, tc := range []struct {
		name string
		run  func() *tensor.Tensor
		want []float64
	}{{
		// Rows (1,1,0) label 0: first maximum is 0, correct. (0,2,2) label 2: first
		// maximum is 1, wrong. (5,1,5) label 0: correct. Count starts at 10.
		name: "count_correct first maximum",
		run: func() *tensor.Tensor {
			count := ref.FromFloat64([]float64{10}, 1)
			tensor.CountCorrectInto(count, ref.FromFloat64([]float64{1, 1, 0, 0, 2, 2, 5, 1, 5}, 3, 3), ref.FromFloat64([]float64{0, 2, 0}, 3))
			return count
		},
		want: []float64{12},
	}, {
		// A constant 1x1x2x2 image: every 3x3 padded window holds all four equal values,
		// so each output's gradient goes to the first of them, (0,0).
		name: "max pool gradient to the first maximum",
		run: func() *tensor.Tensor {
			x := ref.FromFloat64([]float64{7, 7, 7, 7}, 1, 1, 2, 2)
			return tensor.Pool2DBackward(ref.FromFloat64([]float64{1, 2, 3, 4}, 1, 1, 2, 2), x, max3)
		},
		want: []float64{10, 0, 0, 0},
	}, {
		// Padding is -inf: a window of negative values still has a negative maximum.
		name: "max pool padding is -inf",
		run: func() *tensor.Tensor {
			return tensor.Pool2D(ref.FromFloat64([]float64{-4, -3, -2, -1}, 1, 1, 2, 2), max3)
		},
		want: []float64{-1, -1, -1, -1},
	}, {
		// 3x3 input 1..9: the corner window holds 4 values, an edge one 6, the centre 9.
		name: "avg pool excludes padding",
		run: func() *tensor.Tensor {
			return tensor.Pool2D(ref.FromFloat64([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3), avg3)
		},
		want: []float64{12.0 / 4, 21.0 / 6, 16.0 / 4, 27.0 / 6, 45.0 / 9, 33.0 / 6, 24.0 / 4, 39.0 / 6, 28.0 / 4},
	}, {
		name: "avg pool backward divides by the window's count",
		run: func() *tensor.Tensor {
			x := ref.FromFloat64(make([]float64, 4), 1, 1, 2, 2)
			return tensor.Pool2DBackward(ref.FromFloat64([]float64{4, 4, 4, 4}, 1, 1, 2, 2), x, avg3)
		},
		want: []float64{4, 4, 4, 4}, // each input is in 4 windows of 4 elements
	}, {
		// A 2x3 matrix transposed by copying a strided view.
		name: "copy of a transposed view",
		run: func() *tensor.Tensor {
			a := ref.FromFloat64([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
			at := &tensor.Tensor{Dev: a.Dev, Buf: a.Buf, Shape: tensor.Shape{3, 2}, Strides: []int{1, 3}}
			return tensor.Clone(at)
		},
		want: []float64{1, 4, 2, 5, 3, 6},
	}, {
		// ‖g‖ = 5 > 1: scale 1/(5+1e-6).
		name: "clip_by_norm",
		run: func() *tensor.Tensor {
			g := ref.FromFloat64([]float64{3, 4}, 2)
			tensor.ClipByNormInto(g, ref.FromFloat64([]float64{25}, 1), 1)
			return g
		},
		want: []float64{3 / (5 + 1e-6), 4 / (5 + 1e-6)},
	}, {
		// One channel of values 1, 3 (N=2): mean 2, biased variance 1 for normalising,
		// unbiased 2 for the running variance: r = 0.9*1 + 0.1*2.
		name: "batch norm running variance is unbiased",
		run: func() *tensor.Tensor {
			rm, rv := ref.FromFloat64([]float64{0}, 1), ref.FromFloat64([]float64{1}, 1)
			tensor.BatchNormTrain(ref.FromFloat64([]float64{1, 3}, 2, 1, 1, 1), nil, nil, rm, rv, tensor.BatchNormParams{Eps: 1e-5, Momentum: 0.1})
			return tensor.ConcatChannels(rm.Reshape(1, 1, 1, 1), rv.Reshape(1, 1, 1, 1))
		},
		want: []float64{0.1 * 2, 0.9 + 0.1*2},
	}} {
		got := ref.Data(tc.run())
		if len(got) != len(tc.want) {
			t.Errorf("%s: %d values %v, want %v", tc.name, len(got), got, tc.want)
			continue
		}
		for i := range got {
			if math.Abs(got[i]-tc.want[i]) > 1e-6*(1+math.Abs(tc.want[i])) {
				t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
				break
			}
		}
	}
}

// unknownOp is an op no backend knows.
type unknownOp struct{}

func (unknownOp) OpName() string { return "unknown" }

// TestUnknownOpPanics checks that ref refuses an op outside the closed set, naming it.
func TestUnknownOpPanics(t *testing.T) {
	defer func() {
		r := recover()
		if r == nil {
			t.Fatal("Run of an unknown op did not panic")
		}
		if msg, ok := r.(string); !ok || !strings.Contains(msg, "unknown") {
			t.Errorf("panic %v does not name the op", r)
		}
	}()
	ref.New().Run(unknownOp{}, nil, nil)
}
