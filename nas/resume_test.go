package nas

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"godarts/checkpoint"
	"godarts/rundir"
)

// resumeMatches runs cfg straight through and again interrupted after epoch stopAfter
// (0-based) and resumed in a fresh search, and compares every tensor of the final
// checkpoints and the final state.json.
func resumeMatches(t *testing.T, cfg SearchConfig, stopAfter int) {
	t.Helper()
	straight := newTinySearch(t, cfg, t.TempDir())
	if _, err := straight.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	first := newTinySearch(t, cfg, dir)
	ctx, cancel := context.WithCancel(context.Background())
	first.OnEpoch = func(m EpochMetrics) {
		if m.Epoch == stopAfter {
			cancel()
		}
	}
	if _, err := first.Run(ctx); err != context.Canceled {
		t.Fatalf("interrupted run returned %v, want context.Canceled", err)
	}
	resumed := newTinySearch(t, cfg, dir)
	d, _ := rundir.Open(dir)
	if err := resumed.Resume(d); err != nil {
		t.Fatal(err)
	}
	if resumed.Epoch != stopAfter+1 {
		t.Fatalf("resumed at epoch %d, want %d", resumed.Epoch, stopAfter+1)
	}
	if _, err := resumed.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	sameCheckpoints(t, straight.dir.Path, dir)
	sa, _ := os.ReadFile(filepath.Join(straight.dir.Path, rundir.State))
	sb, _ := os.ReadFile(filepath.Join(dir, rundir.State))
	if string(sa) != string(sb) {
		t.Fatalf("state.json differs:\n%s\nvs\n%s", sa, sb)
	}
}

// TestZODARTSResumeIsBitIdentical interrupts ZO-DARTS++ with a zeroth-order round in
// flight (rounds of 2 iterations, 3 iterations per epoch) on nb201-varied: just before the
// size-variable phase starts (epoch 1: the checkpoint holds phase-1 α and Adam, the
// resumed run starts phase 2 as the straight one does) and inside it. The round state is
// the same code on the DARTS cell.
func TestZODARTSResumeIsBitIdentical(t *testing.T) {
	for _, c := range []struct {
		name      string
		space     string
		sizeFrom  int
		stopAfter int
		epochs    int
	}{
		{"nb201-varied/before-phase2", "nb201-varied", 1, 0, 2},
		{"nb201-varied/in-phase2", "nb201-varied", -1, 0, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := tinyConfig("zo-darts++", c.epochs)
			cfg.Space, cfg.SizeFrom, cfg.ZORounds, cfg.BudgetHigh = c.space, c.sizeFrom, 2, 1e4
			cfg.Layers, cfg.Channels, cfg.Batch = 1, 2, 8 // 24 images per half: 3 iterations per epoch
			resumeMatches(t, cfg, c.stopAfter)
		})
	}
}

// sameCheckpoints fails t unless the checkpoints of two run directories hold the same
// tensors, bit for bit.
func sameCheckpoints(t *testing.T, dirA, dirB string) {
	t.Helper()
	a, err := checkpoint.Read(filepath.Join(dirA, rundir.Checkpoint))
	if err != nil {
		t.Fatal(err)
	}
	b, err := checkpoint.Read(filepath.Join(dirB, rundir.Checkpoint))
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Entries) != len(b.Entries) {
		t.Fatalf("%d vs %d tensors", len(a.Entries), len(b.Entries))
	}
	for name, ea := range a.Entries {
		eb, ok := b.Entries[name]
		if !ok {
			t.Fatalf("resumed checkpoint lacks %s", name)
		}
		for i := range ea.Data {
			if ea.Data[i] != eb.Data[i] {
				t.Fatalf("%s[%d]: straight %v, resumed %v", name, i, ea.Data[i], eb.Data[i])
			}
		}
	}
}
