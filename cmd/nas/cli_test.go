package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"godarts/nas"
	"godarts/nas/genotype"
)

// TestBadInputIsOneLine runs the CLI on bad flags, files, checkpoints and genotypes and
// checks each answer: the right exit code, one line on stderr naming the culprit, no
// panic trace.
func TestBadInputIsOneLine(t *testing.T) {
	dir := t.TempDir()
	badJSON := filepath.Join(dir, "bad.json")
	os.WriteFile(badJSON, []byte(`{"space": "darts", "normal": [{"op": "conv_9x9", "from": 0, "to": 2}]}`), 0o644)
	corrupt := filepath.Join(dir, "run")
	os.MkdirAll(corrupt, 0o755)
	os.WriteFile(filepath.Join(corrupt, "config.json"), []byte(`{"command":"train","args":["--model=cnn","--epochs=1"]}`), 0o644)
	os.WriteFile(filepath.Join(corrupt, "state.json"), []byte(`{"epoch": "one"`), 0o644)
	nb201JSON := filepath.Join(dir, "nb201.json")
	os.WriteFile(nb201JSON, []byte(`{"space":"nb201","stages":[{"cell":"|skip_connect~0|+|none~0|none~1|+|none~0|none~1|none~2|","cells":1}]}`), 0o644)
	nb201Op := filepath.Join(dir, "nb201op.json")
	os.WriteFile(nb201Op, []byte(`{"space":"nb201","stages":[{"cell":"|skip_connect~0|+|none~0|none~1|+|none~0|none~1|none~2|","cells":1},`+
		`{"cell":"|conv_9x9~0|+|none~0|none~1|+|none~0|none~1|none~2|","cells":1},{"cell":"|skip_connect~0|+|none~0|none~1|+|none~0|none~1|none~2|","cells":1}]}`), 0o644)
	nb201Cells := filepath.Join(dir, "nb201cells.json")
	os.WriteFile(nb201Cells, []byte(`{"space":"nb201","stages":[{"cell":"|skip_connect~0|+|none~0|none~1|+|none~0|none~1|none~2|","cells":"two"}]}`), 0o644)
	notDir := filepath.Join(dir, "file")
	os.WriteFile(notDir, []byte("x"), 0o644)

	cases := []struct {
		args []string
		code int
		want string // a word the line must contain
	}{
		{[]string{"frobnicate"}, 2, "frobnicate"},
		{[]string{"search", "--bogus"}, 2, "bogus"},
		{[]string{"search", "--epochs", "-1"}, 2, "--epochs"},
		{[]string{"search", "--epochs", "0"}, 2, "--epochs 0"},
		{[]string{"search", "--method", "zarts-mgs", "--zarts-steps", "0"}, 2, "--zarts-steps 0"},
		{[]string{"train", "--model", "cnn", "--lr", "0"}, 2, "--lr 0"},
		{[]string{"train", "--model", "cnn", "--subset", "5"}, 2, "--batch 64"},
		{[]string{"report", dir}, 1, "not a run directory"},
		{[]string{"search", "--method", "magic"}, 2, "--method"},
		{[]string{"search", "--order", "2", "--method", "fairdarts"}, 2, "--order"},
		{[]string{"search", "--param-budget", "5"}, 2, "param-budget"},
		{[]string{"search", "--data", "imagenet"}, 2, "--data"},
		{[]string{"search", "--device", "tpu"}, 2, "--device"},
		{[]string{"search", "--resume", filepath.Join(dir, "missing")}, 1, "missing"},
		{[]string{"search", "--out", notDir}, 1, "file"},
		{[]string{"train"}, 2, "--model"},
		{[]string{"train", "--model", "cnn", "--optimizer", "lbfgs"}, 2, "--optimizer"},
		{[]string{"train", "--genotype", filepath.Join(dir, "nosuch.json")}, 1, "nosuch.json"},
		{[]string{"train", "--genotype", badJSON}, 1, "normal_concat"},
		{[]string{"train", "--resume", corrupt}, 1, "state.json"},
		{[]string{"train", "--model", "cnn", "--data", "cifar10", "--data-dir", dir}, 1, "cifar"},
		{[]string{"inspect", "--dataset", "svhn"}, 2, "--dataset"},
		{[]string{"inspect", "--genotype", badJSON}, 1, "normal_concat"},
		{[]string{"bench", "--config", "huge"}, 2, "--config"},
		{[]string{"bench", "--mode", "train"}, 2, "--mode"},
		{[]string{"search", "--space", "nb201", "--size-search-from", "3"}, 2, "--size-search-from"},
		{[]string{"search", "--param-budget", "organs-tiny"}, 2, "param-budget"},
		{[]string{"train", "--genotype", nb201JSON}, 1, "1 stages, want 3"},
		{[]string{"inspect", "--genotype", nb201JSON}, 1, "nb201.json: nb201 network: 1 stages, want 3"},
		{[]string{"inspect", "--genotype", nb201Op}, 1, `nb201op.json: nb201 network stage 2: nb201 cell node 1 input 0: "conv_9x9"`},
		{[]string{"inspect", "--genotype", nb201Cells}, 1, "nb201cells.json: nb201 network: json: cannot unmarshal string into Go struct field NB201Stage.stages.cells"},
		{[]string{"inspect", "--genotype", nb201Op, "--layers", "3"}, 2, "--layers"},
		{[]string{"inspect", "--genotype", nb201Op, "--auxiliary"}, 2, "--auxiliary"},
	}
	for _, c := range cases {
		var out, errb strings.Builder
		code := run(c.args, &out, &errb)
		msg := strings.TrimRight(errb.String(), "\n")
		name := strings.Join(c.args, " ")
		if code != c.code {
			t.Errorf("nas %s: exit %d, want %d (stderr %q)", name, code, c.code, msg)
		}
		if strings.Count(msg, "\n") != 0 || msg == "" {
			t.Errorf("nas %s: stderr is not one line: %q", name, msg)
		}
		if strings.Contains(msg, "goroutine") || strings.Contains(msg, "panic") {
			t.Errorf("nas %s: panic trace: %q", name, msg)
		}
		if !strings.Contains(msg, c.want) {
			t.Errorf("nas %s: %q does not mention %q", name, msg, c.want)
		}
	}
}

// TestResumeUsesSavedFlags: a resumed run takes its settings from config.json, not from
// the defaults, so it resumes the same run.
func TestResumeUsesSavedFlags(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	var out, errb strings.Builder
	if code := run([]string{"train", "--model", "cnn", "--epochs", "1", "--subset", "100", "--batch", "16", "--out", dir}, &out, &errb); code != 0 {
		t.Fatalf("train: exit %d: %s", code, errb.String())
	}
	errb.Reset()
	if code := run([]string{"train", "--resume", dir, "--threads", "1"}, &out, &errb); code != 0 {
		t.Fatalf("resume: exit %d: %s", code, errb.String())
	}
	// With the default --epochs 3 the resumed run would train two more epochs; with the
	// saved --epochs 1 it has nothing left to do.
	if !strings.Contains(errb.String(), "resuming") || !strings.Contains(errb.String(), "already finished its 1 epochs") {
		t.Fatalf("resume did not use the saved flags: %q", errb.String())
	}
}

// TestSearchNB201 runs ZO-DARTS++ on nb201-varied with the size-variable search from
// epoch 0 through the CLI: it prints the stage architecture and writes genotype.json,
// which nas train then trains.
func TestSearchNB201(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	var out, errb strings.Builder
	args := []string{"search", "--space", "nb201-varied", "--method", "zo-darts++", "--size-search-from", "0", "--param-budget", "organs-small",
		"--subset", "64", "--batch", "8", "--channels", "2", "--layers", "1", "--epochs", "1", "--zo-rounds", "2", "--threads", "1", "--quiet", "--out", dir}
	if code := run(args, &out, &errb); code != 0 {
		t.Fatalf("search: exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "architecture (NB201 stages") || !strings.Contains(out.String(), `"stages"`) {
		t.Fatalf("output lacks the NB201 architecture: %q", out.String())
	}
	b, err := os.ReadFile(filepath.Join(dir, "genotype.json"))
	if err != nil || !strings.Contains(string(b), `"cells"`) {
		t.Fatalf("genotype.json: %v %q", err, b)
	}
	errb.Reset()
	args = []string{"train", "--genotype", filepath.Join(dir, "genotype.json"), "--channels", "2", "--epochs", "1", "--subset", "64", "--batch", "16",
		"--threads", "1", "--out", filepath.Join(t.TempDir(), "train")}
	if code := run(args, &out, &errb); code != 0 {
		t.Fatalf("train: exit %d: %s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "NB201 network") || !strings.Contains(errb.String(), "epoch 1/1") {
		t.Fatalf("train did not build the NB201 network: %q", errb.String())
	}
}

// TestInspectNB201 inspects genotype.json of an NB201 search: the weight count of the
// network nas train builds (C 16 unless --channels says otherwise) and its mult-adds, as
// text and as JSON with the keys of a DARTS genotype's.
func TestInspectNB201(t *testing.T) {
	file := filepath.Join(t.TempDir(), "genotype.json")
	g := &genotype.NB201Net{Space: "nb201-varied"}
	for i, s := range []string{
		"|nor_conv_7x7~0|+|none~0|nor_conv_1x1~1|+|skip_connect~0|nor_conv_5x5~1|avg_pool_3x3~2|",
		"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|",
		"|nor_conv_3x3~0|+|avg_pool_3x3~0|nor_conv_1x1~1|+|none~0|skip_connect~1|nor_conv_3x3~2|",
	} {
		cell, err := genotype.ParseNB201(s)
		if err != nil {
			t.Fatal(err)
		}
		g.Stages = append(g.Stages, genotype.NB201Stage{Cell: cell, Cells: i + 1})
	}
	b, _ := json.Marshal(g)
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args          []string
		C, in, labels int
		spatial       int
	}{
		{nil, 16, 3, 10, 32},
		{[]string{"--channels", "8", "--dataset", "fashion-mnist"}, 8, 1, 10, 28},
		{[]string{"--dataset", "cifar100"}, 16, 3, 100, 32},
	}
	for _, c := range cases {
		wantParams, wantMadds, err := nas.InspectNB201(g, c.C, c.in, c.labels, c.spatial)
		if err != nil {
			t.Fatal(err)
		}
		if wantParams != nas.NB201DerivedParams(g, c.C, c.in, c.labels) || wantMadds <= 0 {
			t.Fatalf("%v: InspectNB201 %d weights, %d mult-adds; NB201DerivedParams %d", c.args, wantParams, wantMadds, nas.NB201DerivedParams(g, c.C, c.in, c.labels))
		}
		var out, errb strings.Builder
		args := append([]string{"inspect", "--genotype", file, "--json"}, c.args...)
		if code := run(args, &out, &errb); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errb.String())
		}
		var got map[string]int64
		if err := json.Unmarshal([]byte(out.String()), &got); err != nil || len(got) != 2 {
			t.Fatalf("%v: output %q: %v", args, out.String(), err)
		}
		if got["params"] != int64(wantParams) || got["mult_adds"] != wantMadds {
			t.Errorf("%v: %v, want params %d and mult_adds %d", args, got, wantParams, wantMadds)
		}
		if c.args != nil {
			continue
		}
		out.Reset()
		if code := run([]string{"inspect", "--genotype", file}, &out, &errb); code != 0 {
			t.Fatalf("text: exit %d: %s", code, errb.String())
		}
		for _, want := range []string{g.Text(), fmt.Sprintf("parameters: %d", wantParams), fmt.Sprintf("mult-adds:  %d", wantMadds)} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("text output %q lacks %q", out.String(), want)
			}
		}
	}
}

// TestExplicitZeroIsKept checks that a 0 given on the command line for a setting where 0
// means something (no final learning rate, no zero-one loss, no warm-up, penalty from the
// start) is not replaced by the method's default, while left-out flags get the default.
func TestExplicitZeroIsKept(t *testing.T) {
	parse := func(args ...string) nas.SearchConfig {
		t.Helper()
		var cfg nas.SearchConfig
		fs := flag.NewFlagSet("search", flag.ContinueOnError)
		registerSearchFlags(fs, &cfg)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		full, err := searchSettings(fs, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return full
	}
	def := parse("--method", "fairdarts")
	if def.LRMin == 0 || def.ZeroOneWeight == 0 {
		t.Fatalf("defaults: lr-min %v, zero-one-weight %v, want non-zero", def.LRMin, def.ZeroOneWeight)
	}
	got := parse("--method", "fairdarts", "--lr-min", "0", "--zero-one-weight", "0")
	if got.LRMin != 0 || got.ZeroOneWeight != 0 {
		t.Errorf("explicit zeros: lr-min %v, zero-one-weight %v, want 0 and 0", got.LRMin, got.ZeroOneWeight)
	}
	if z := parse("--method", "zarts-mgs", "--zarts-warmup", "0"); z.ZWarmup != 0 {
		t.Errorf("--zarts-warmup 0: got %v", z.ZWarmup)
	}
	if z := parse("--method", "zo-darts++", "--param-budget", "0:1000", "--penalty-from", "0", "--epochs", "10"); z.PenaltyFrom != 0 {
		t.Errorf("--penalty-from 0: got %v", z.PenaltyFrom)
	}
}
