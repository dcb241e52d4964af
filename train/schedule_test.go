package train

import (
	"math"
	"testing"
)

// The DARTS search log of quark0/darts issue #7 prints "epoch 49 lr 1.023679e-03" for
// base 0.025, min 0.001 over 50 epochs.
func TestCosineLRMatchesDARTSLog(t *testing.T) {
	cases := []struct {
		e    int
		want float64
	}{{0, 0.025}, {25, 0.013}, {49, 1.023679e-03}}
	for _, c := range cases {
		if got := CosineLR(0.025, 0.001, c.e, 50); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("epoch %d: lr %.9g, want %.9g", c.e, got, c.want)
		}
	}
}
