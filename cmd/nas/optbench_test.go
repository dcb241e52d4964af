package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOptbenchUsageErrors(t *testing.T) {
	cases := [][]string{
		{"--function", "rastrigin"},
		{"--optimizer", "sgd"},
		{"--optimizer", "adam,bogus"},
		{"--lr", "0.1,x"},
		{"--lr", "-1"},
		{"--schedule", "linear"},
		{"--steps", "0"},
		{"--runs", "0"},
		{"--dim", "0"},
		{"--dscd-n", "0"},
		{"--dscd-k", "-3"},
		{"--dscd-min-improvement", "2"},
		{"--nosuchflag"},
		{"extra"},
	}
	for _, args := range cases {
		var out, errb bytes.Buffer
		code := run(append([]string{"optbench"}, args...), &out, &errb)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", args, code, errb.String())
		}
		// The error itself is one line; the flag package may print the flag list before it.
		lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
		if last := lines[len(lines)-1]; !strings.HasPrefix(last, "nas optbench: ") {
			t.Errorf("%v: last stderr line %q, want one line starting \"nas optbench: \"", args, last)
		}
	}
}

func TestOptbenchTableJSONAndSVG(t *testing.T) {
	dir := t.TempDir()
	svg := filepath.Join(dir, "curves.svg")
	args := []string{"optbench", "--dim", "3", "--steps", "200", "--runs", "4", "--seed", "3",
		"--optimizer", "adam,adam+dscd,uniform,cmaes", "--lr", "0.05,0.1", "--schedule", "constant,cosine", "--json", "--svg", svg}
	var out, errb bytes.Buffer
	if code := run(args, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2*2*2+2 {
		t.Fatalf("%d JSON lines, want 10:\n%s", len(lines), out.String())
	}
	names := map[string]bool{}
	for _, l := range lines {
		var row map[string]any
		if err := json.Unmarshal([]byte(l), &row); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		for _, k := range []string{"function", "dim", "optimizer", "runs", "median", "q1", "q3", "optimum"} {
			if _, ok := row[k]; !ok {
				t.Errorf("line %q lacks %q", l, k)
			}
		}
		if row["function"] != "styblinski-tang" || row["dim"] != 3.0 || row["runs"] != 4.0 {
			t.Errorf("line %q: wrong function, dim or runs", l)
		}
		q1, med, q3 := row["q1"].(float64), row["median"].(float64), row["q3"].(float64)
		if !(q1 <= med && med <= q3 && row["optimum"].(float64) <= q1+1e-9) {
			t.Errorf("line %q: want optimum ≤ q1 ≤ median ≤ q3", l)
		}
		names[row["optimizer"].(string)] = true
	}
	for _, n := range []string{"adam(lr=0.05)", "adam+dscd(lr=0.1,cosine)", "uniform", "cmaes"} {
		if !names[n] {
			t.Errorf("no row for %s in %v", n, names)
		}
	}
	data, err := os.ReadFile(svg)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	paths := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s is not well-formed: %v", svg, err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "path" {
			for _, a := range se.Attr {
				if a.Name.Local == "class" && a.Value == "series" {
					paths++
				}
			}
		}
	}
	if paths != 10 {
		t.Errorf("%d series in the SVG, want 10", paths)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temp files left beside the SVG: %v", entries)
	}

	// The table has a header and one row per optimizer.
	out.Reset()
	if code := run([]string{"optbench", "--dim", "2", "--steps", "50", "--runs", "3", "--optimizer", "uniform,adam", "--lr", "0.1"}, &out, &errb); code != 0 {
		t.Fatalf("table: exit %d: %s", code, errb.String())
	}
	table := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(table) != 4 || !strings.HasPrefix(table[2], "uniform") || !strings.HasPrefix(table[3], "adam(lr=0.1)") {
		t.Errorf("table:\n%s", out.String())
	}
}
