package train

import (
	"encoding/json"
	"math"
	"os"
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

// TestCosineLRMatchesPyTorch compares CosineLR with torch.optim.lr_scheduler.
// CosineAnnealingLR stepped once per epoch, as recorded by tools/golden/optim_golden.py
// (shared with package optim's test; regenerate with make golden).
func TestCosineLRMatchesPyTorch(t *testing.T) {
	raw, err := os.ReadFile("../optim/testdata/optim_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cosine []struct {
			Base, Min float64
			T         int
			LR        []float64
		}
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Cosine) == 0 {
		t.Fatal("no cosine schedules in optim_golden.json")
	}
	for _, c := range doc.Cosine {
		if len(c.LR) != c.T+1 {
			t.Fatalf("schedule base %v T %d: %d values, want %d", c.Base, c.T, len(c.LR), c.T+1)
		}
		for e, want := range c.LR {
			if got := CosineLR(c.Base, c.Min, e, c.T); math.Abs(got-want) > 1e-12*math.Max(1e-3, want) {
				t.Errorf("base %v min %v T %d epoch %d: lr %.15g, PyTorch %.15g", c.Base, c.Min, c.T, e, got, want)
			}
		}
	}
}
