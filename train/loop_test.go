package train

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"godarts/checkpoint"
	"godarts/data"
	"godarts/progress"
	"godarts/rundir"
	"godarts/tensor"
	"godarts/tensor/cpu"
)

func tinySets(t *testing.T) (*data.Dataset, *data.Dataset) {
	t.Helper()
	tr, te, err := data.Open("embedded", "")
	if err != nil {
		t.Fatal(err)
	}
	if tr, err = tr.Subset(96, 1); err != nil {
		t.Fatal(err)
	}
	if te, err = te.Subset(50, 1); err != nil {
		t.Fatal(err)
	}
	return tr, te
}

func newTrainer(t *testing.T, dir string) *Trainer {
	t.Helper()
	tr, te := tinySets(t)
	dev := cpu.New(2)
	rng := tensor.NewRNG(3)
	m, err := NewCNN(dev, rng, 1, 28, 28, 10)
	if err != nil {
		t.Fatal(err)
	}
	d, err := rundir.Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Epochs: 3, Batch: 16, Optimizer: "adam", LR: 0.003, Augment: "dataset", Seed: 3}
	tn, err := NewTrainer(cfg, dev, m, rng, tr, te, d, progress.New(&strings.Builder{}, progress.Quiet))
	if err != nil {
		t.Fatal(err)
	}
	return tn
}

// stopAfter is a context that reports cancellation once the trainer has finished epochs
// epochs, the way Ctrl-C would during the next epoch.
type stopAfter struct {
	context.Context
	t      *Trainer
	epochs int
}

func (s stopAfter) Err() error {
	if s.t.Epoch >= s.epochs {
		return context.Canceled
	}
	return nil
}

// TestResumeIsBitIdentical: a run stopped after epoch 1 and resumed ends with exactly the
// weights, buffers and optimiser state of the run that never stopped.
func TestResumeIsBitIdentical(t *testing.T) {
	straightDir := t.TempDir()
	straight := newTrainer(t, straightDir)
	if _, err := straight.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	first := newTrainer(t, dir)
	if _, err := first.Run(stopAfter{context.Background(), first, 1}); err != context.Canceled {
		t.Fatalf("interrupted run returned %v", err)
	}
	resumed := newTrainer(t, dir)
	d, _ := rundir.Open(dir)
	if err := resumed.Resume(d); err != nil {
		t.Fatal(err)
	}
	if resumed.Epoch != 1 {
		t.Fatalf("resumed at epoch %d, want 1", resumed.Epoch)
	}
	if _, err := resumed.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	a, err := checkpoint.Read(filepath.Join(straightDir, rundir.Checkpoint))
	if err != nil {
		t.Fatal(err)
	}
	b, err := checkpoint.Read(filepath.Join(dir, rundir.Checkpoint))
	if err != nil {
		t.Fatal(err)
	}
	for name, ea := range a.Entries {
		for i, v := range ea.Data {
			if b.Entries[name].Data[i] != v {
				t.Fatalf("%s[%d]: straight %v, resumed %v", name, i, v, b.Entries[name].Data[i])
			}
		}
	}
	rows, err := d.ReadJSONL(rundir.Metrics)
	if err != nil || len(rows) != 3 {
		t.Fatalf("metrics: %d rows, %v", len(rows), err)
	}
}

func TestLossFallsAndAccuracyIsMeasured(t *testing.T) {
	tn := newTrainer(t, t.TempDir())
	ms, err := tn.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !(ms[2].TrainLoss < ms[0].TrainLoss) {
		t.Fatalf("train loss did not fall: %+v", ms)
	}
	if ms[2].TestAcc <= 0.1 || ms[2].TestAcc > 1 {
		t.Fatalf("test accuracy %v", ms[2].TestAcc)
	}
}

func TestBadCheckpointIsOneLine(t *testing.T) {
	dir := t.TempDir()
	tn := newTrainer(t, dir)
	d, _ := rundir.Open(dir)
	// A checkpoint of another network: one tensor of the wrong shape.
	if err := checkpoint.Write(d.File(rundir.Checkpoint), []checkpoint.Entry{{Name: "features.0.weight", Shape: []int{1}, Data: []float32{0}}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := d.WriteJSON(rundir.State, State{Epoch: 1, Config: tn.Cfg}); err != nil {
		t.Fatal(err)
	}
	err := tn.Resume(d)
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), rundir.Checkpoint) {
		t.Fatalf("resume from a foreign checkpoint: %v", err)
	}
}
