package progress

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestPlainWhenNotATerminal(t *testing.T) {
	var buf bytes.Buffer
	r := New(&buf, Auto)
	b := r.Bar("epoch 1", 10)
	for i := 0; i < 10; i++ {
		b.Add(1, "loss 1.0")
	}
	b.Done()
	r.Linef("epoch %d loss %.2f", 1, 0.5)
	if got := buf.String(); got != "epoch 1 loss 0.50\n" {
		t.Fatalf("a pipe got %q, want only the plain epoch line", got)
	}
}

func TestQuietAndJSON(t *testing.T) {
	var q bytes.Buffer
	New(&q, Quiet).Linef("hello")
	if q.Len() != 0 {
		t.Fatalf("quiet printed %q", q.String())
	}
	var j bytes.Buffer
	r := New(&j, JSON)
	r.Event(map[string]any{"epoch": 1, "train_loss": 0.5})
	var m map[string]any
	if err := json.Unmarshal(j.Bytes(), &m); err != nil || m["epoch"].(float64) != 1 {
		t.Fatalf("json event %q: %v", j.String(), err)
	}
}

func TestBarLineRateAndETA(t *testing.T) {
	start := time.Unix(0, 0)
	r := &Reporter{mode: Plain, now: func() time.Time { return start }}
	b := r.Bar("train", 100)
	b.done = 25
	line := b.Line(start.Add(5 * time.Second))
	for _, want := range []string{"25/100", "5.0 it/s", "ETA 0:15", "[======      "} {
		if !strings.Contains(line, want) {
			t.Errorf("line %q lacks %q", line, want)
		}
	}
}
