package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
