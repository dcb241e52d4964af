package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"godarts/nas/genotype"
)

func runNas(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestGenotypeShow(t *testing.T) {
	v2, _ := genotype.ByName("DARTS_V2")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"genotype", "show", "DARTS_V2"}, string(v2.JSON()) + v2.Python() + "\n"},
		{[]string{"genotype", "show", "--json", "DARTS_V2"}, string(v2.JSON())},
		{[]string{"genotype", "show", "DARTS_V2", "--python"}, v2.Python() + "\n"},
	}
	for _, tc := range tests {
		code, out, errs := runNas(tc.args...)
		if code != 0 || out != tc.want {
			t.Errorf("%v: exit %d stderr %q\nstdout %s\nwant %s", tc.args, code, errs, out, tc.want)
		}
	}
	// A file written by show --json reads back the same.
	path := filepath.Join(t.TempDir(), "g.json")
	_, out, _ := runNas("genotype", "show", "--json", "FairDARTS_a")
	if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out2, errs := runNas("genotype", "show", "--json", path)
	if code != 0 || out2 != out {
		t.Errorf("show of a shown file: exit %d %q\n%s", code, errs, out2)
	}
	if !strings.Contains(errs, "note: normal cell: node 1 has no input") {
		t.Errorf("show of FairDARTS_a does not say node 1 is empty: %q", errs)
	}
}

func TestGenotypeDraw(t *testing.T) {
	dir := t.TempDir()
	svgPath := filepath.Join(dir, "cell.svg")
	dotPath := filepath.Join(dir, "cell.dot")
	if err := os.WriteFile(svgPath, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runNas("genotype", "draw", "DARTS_V1", "--svg", svgPath, "--dot", dotPath, "--cell", "normal")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "wrote "+svgPath) || !strings.Contains(out, "wrote "+dotPath) {
		t.Errorf("stdout %q", out)
	}
	svg, _ := os.ReadFile(svgPath)
	dec := xml.NewDecoder(bytes.NewReader(svg))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("written SVG is not XML: %v", err)
		}
	}
	if strings.Contains(string(svg), `data-cell="reduce"`) || !strings.Contains(string(svg), `data-cell="normal"`) {
		t.Errorf("--cell normal drew the wrong cells")
	}
	dot, _ := os.ReadFile(dotPath)
	if !strings.HasPrefix(string(dot), "digraph") {
		t.Errorf("DOT file: %q", dot)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("temp files left behind: %v", entries)
	}
}

func TestGenotypeErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.py")
	os.WriteFile(bad, []byte("Genotype(normal=[('sep_conv_3x3', 0)], normal_concat=range(2, 6), reduce=[], reduce_concat=range(2, 6))"), 0o644)
	badJSON := filepath.Join(dir, "bad.json")
	os.WriteFile(badJSON, []byte(`{"space": "darts", "normal": [], "normal_concat": [2, 9], "reduce": [], "reduce_concat": [2]}`), 0o644)
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"genotype"}, 2, "missing subcommand"},
		{[]string{"genotype", "paint"}, 2, `unknown subcommand "paint"`},
		{[]string{"genotype", "show"}, 2, "missing GENOTYPE"},
		{[]string{"genotype", "show", "A", "B"}, 2, "one GENOTYPE expected, found 2: A B"},
		{[]string{"genotype", "show", "--json", "--python", "DARTS"}, 2, "--json and --python exclude each other"},
		{[]string{"genotype", "draw", "DARTS"}, 2, "give --svg FILE or --dot FILE"},
		{[]string{"genotype", "draw", "DARTS", "--svg", filepath.Join(dir, "x.svg"), "--cell", "both2"}, 2, `--cell "both2": want normal, reduce or both`},
		{[]string{"genotype", "show", "--space", "s7", bad}, 2, `--space: unknown search space "s7"`},
		{[]string{"genotype", "show", "NoSuchNet"}, 1, `genotype "NoSuchNet": not a built-in`},
		{[]string{"genotype", "show", bad}, 1, bad + ": normal: 1 genes, want 8 (2 per node for space darts)"},
		{[]string{"genotype", "draw", badJSON, "--dot", filepath.Join(dir, "x.dot")}, 1, badJSON + ": normal: 0 genes, want 8"},
		{[]string{"genotype", "draw", "DARTS", "--svg", filepath.Join(dir, "no", "such", "dir.svg")}, 1, "write " + filepath.Join(dir, "no", "such", "dir.svg")},
	}
	for _, tc := range tests {
		code, _, errs := runNas(tc.args...)
		line := strings.TrimSpace(errs)
		if code != tc.code || !strings.Contains(line, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tc.args, code, errs, tc.code, tc.want)
		}
		if tc.code == 1 && strings.Contains(line, "\n") {
			t.Errorf("%v: error is not one line: %q", tc.args, errs)
		}
	}
}
