package rundir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestJSONLAppendTruncate(t *testing.T) {
	d, err := Create(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for e := 0; e < 4; e++ {
		if err := d.AppendJSONL(Metrics, map[string]any{"epoch": e, "lr": 0.1}); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.TruncateJSONL(Metrics, func(m map[string]any) bool { return m["epoch"].(float64) < 2 }); err != nil {
		t.Fatal(err)
	}
	rows, err := d.ReadJSONL(Metrics)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[1]["epoch"].(float64) != 1 {
		t.Fatalf("rows after truncation: %v", rows)
	}
}

func TestBadJSONNamesFile(t *testing.T) {
	d, _ := Create(t.TempDir())
	os.WriteFile(d.File(State), []byte("{oops"), 0o644)
	var v struct{ Epoch int }
	err := d.ReadJSON(State, &v)
	if err == nil || !strings.Contains(err.Error(), State) {
		t.Fatalf("error %v does not name %s", err, State)
	}
	os.WriteFile(d.File(Metrics), []byte("{\"a\":1}\nnot json\n"), 0o644)
	if _, err := d.ReadJSONL(Metrics); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("error %v does not name line 2", err)
	}
}

func TestDefaultName(t *testing.T) {
	got := Default("search", time.Date(2026, 11, 22, 9, 5, 3, 0, time.UTC))
	if got != "runs/search-20261122-090503" {
		t.Fatalf("got %s", got)
	}
}

// TestDiscard checks that Discard removes only a directory Create made and left empty.
func TestDiscard(t *testing.T) {
	base := t.TempDir()
	made, err := Create(filepath.Join(base, "new", "run"))
	if err != nil {
		t.Fatal(err)
	}
	made.Discard()
	if _, err := os.Stat(made.Path); !os.IsNotExist(err) {
		t.Errorf("empty directory made by Create survived Discard: %v", err)
	}
	full, _ := Create(filepath.Join(base, "full"))
	if err := full.WriteJSON(Config, map[string]int{"a": 1}); err != nil {
		t.Fatal(err)
	}
	full.Discard()
	if _, err := os.Stat(full.File(Config)); err != nil {
		t.Errorf("Discard removed a directory holding %s: %v", Config, err)
	}
	existing := filepath.Join(base, "mine")
	os.Mkdir(existing, 0o755)
	d, _ := Create(existing)
	d.Discard()
	if _, err := os.Stat(existing); err != nil {
		t.Errorf("Discard removed an empty directory the user had made: %v", err)
	}
}
