package backendtest_test

import (
	"strings"
	"testing"

	"godarts/internal/backendtest"
	"godarts/tensor"
	"godarts/tensor/ref"
)

// faulty wraps ref and breaks one thing after each Run.
type faulty struct {
	*ref.Backend
	breakIt func(out, in []*tensor.Tensor)
}

func (f faulty) Run(op tensor.Op, out, in []*tensor.Tensor) {
	f.Backend.Run(op, out, in)
	f.breakIt(out, in)
}

func refData(t *tensor.Tensor) []float64 { return t.Buf.(*ref.Buffer).Data }

// TestHarnessCatchesFaults checks that Check reports a wrong value, a written guard and a
// changed input, so a passing backend means something.
func TestHarnessCatchesFaults(t *testing.T) {
	c := backendtest.Filter(backendtest.Cases(), "conv2d/3x3-s1-p1-n3-c5-7x7")[0]
	for _, tc := range []struct {
		name, want string
		breakIt    func(out, in []*tensor.Tensor)
	}{
		{"wrong value", "out[0] element 7", func(out, _ []*tensor.Tensor) { refData(out[0])[out[0].Off+7] += 1e-3 }},
		{"guard before", "guard", func(out, _ []*tensor.Tensor) { refData(out[0])[out[0].Off-1] = 0 }},
		{"guard after", "guard", func(out, _ []*tensor.Tensor) { refData(out[0])[out[0].Off+out[0].Numel()] = 0 }},
		{"input changed", "input in[1] changed", func(_, in []*tensor.Tensor) { refData(in[1])[in[1].Off] = 42 }},
	} {
		err := backendtest.Check(faulty{ref.New(), tc.breakIt}, c)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Check returned %v, want an error mentioning %q", tc.name, err, tc.want)
		}
	}
	if err := backendtest.Check(ref.New(), c); err != nil {
		t.Errorf("unbroken ref: %v", err)
	}
}

// TestCasesCoverEveryOp checks that the table names every op of ops.go at least once.
func TestCasesCoverEveryOp(t *testing.T) {
	ops := []tensor.Op{tensor.FillOp{}, tensor.CopyOp{}, tensor.AxpbyOp{}, tensor.ScaleOp{}, tensor.AddScalarOp{}, tensor.MulOp{},
		tensor.ScaleByElemOp{}, tensor.ScaleRowsOp{}, tensor.WeightedSumOp{}, tensor.WeightedSumBackwardOp{}, tensor.ReLUOp{},
		tensor.ReLUBackwardOp{}, tensor.SigmoidOp{}, tensor.SigmoidBackwardOp{}, tensor.Conv2DOp{}, tensor.Conv2DBackwardDataOp{},
		tensor.Conv2DBackwardFilterOp{}, tensor.MatMulOp{}, tensor.AddBiasOp{}, tensor.BiasBackwardOp{}, tensor.Pool2DOp{},
		tensor.Pool2DBackwardOp{}, tensor.GlobalAvgPoolOp{}, tensor.GlobalAvgPoolBackwardOp{}, tensor.BatchNormTrainOp{},
		tensor.BatchNormEvalOp{}, tensor.BatchNormBackwardOp{}, tensor.SoftmaxOp{}, tensor.SoftmaxBackwardOp{},
		tensor.LogSoftmaxOp{}, tensor.LogSoftmaxBackwardOp{}, tensor.SparsemaxOp{}, tensor.SparsemaxBackwardOp{},
		tensor.CrossEntropyOp{}, tensor.CrossEntropyBackwardOp{}, tensor.CountCorrectOp{}, tensor.SumOp{}, tensor.SumSquaresOp{},
		tensor.BroadcastOp{}, tensor.ClipByNormOp{}, tensor.SGDStepOp{}, tensor.AdamStepOp{}}
	seen := map[string]bool{}
	for _, c := range backendtest.Cases() {
		seen[c.Op.OpName()] = true
	}
	for _, op := range ops {
		if !seen[op.OpName()] {
			t.Errorf("no case for op %s", op.OpName())
		}
	}
}
