package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"godarts/nas/genotype"
	"godarts/rundir"
)

const testEpochs = 10

// syntheticWeights is the relaxed weight of op j on edge e of cell c after epoch t: a
// softmax of logits that drift apart over the epochs, so each (cell, edge, op, epoch) has
// its own value and a report that mixed them up would show it.
func syntheticWeights(c, e, t, nOps int) []float64 {
	w := make([]float64, nOps)
	sum := 0.0
	for j := range w {
		logit := float64(t+1) * 0.3 * math.Sin(float64(1+j)*0.7+float64(e)*1.3+float64(c)*2.1)
		w[j] = math.Exp(logit)
		sum += w[j]
	}
	for j := range w {
		w[j] = math.Round(w[j]/sum*1e6) / 1e6
	}
	return w
}

// writeRun fills dir with the files of a small DARTS search: config, metrics, alphas (14
// edges × 8 ops, both cells) and the genotype derived from the final weights. It returns
// that genotype.
func writeRun(t *testing.T, dir string) *genotype.Genotype {
	t.Helper()
	space, err := genotype.SpaceByName("darts")
	if err != nil {
		t.Fatal(err)
	}
	d, err := rundir.Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg := map[string]any{
		"command": "search", "version": "test", "device": "cpu (2 threads)", "seed": 2,
		"started": "2026-11-22T10:00:00Z", "flags": map[string]string{"epochs": "5", "method": "darts-1st", "data": "embedded"},
		"args": []string{"--epochs=5"}, "details": map[string]any{"Space": "darts"},
	}
	if err := d.WriteJSON(rundir.Config, cfg); err != nil {
		t.Fatal(err)
	}
	var final [2][][]float64
	for ep := 0; ep < testEpochs; ep++ {
		cells := map[string]any{}
		for c, kind := range []genotype.CellKind{genotype.Normal, genotype.Reduce} {
			var edges []map[string]any
			final[c] = nil
			for e, edge := range space.Edges() {
				ops := space.Ops(kind, e)
				w := syntheticWeights(c, e, ep, len(ops))
				final[c] = append(final[c], w)
				edges = append(edges, map[string]any{"from": edge.From, "to": edge.To, "ops": ops, "weights": w})
			}
			cells[kind.String()] = map[string]any{"edges": edges}
		}
		if err := d.AppendJSONL(rundir.Alphas, map[string]any{"epoch": ep, "space": "darts", "relaxation": "softmax", "cells": cells}); err != nil {
			t.Fatal(err)
		}
		g, err := genotype.DeriveDARTS(space, final[0], final[1])
		if err != nil {
			t.Fatal(err)
		}
		x := float64(ep)
		m := map[string]any{
			"epoch": ep, "lr": 0.025 * (1 - x/testEpochs), "train_loss": 2.3 * math.Exp(-0.12*x), "train_acc": 1 - 0.9*math.Exp(-0.2*x),
			"valid_loss": 2.3 * math.Exp(-0.09*x), "valid_acc": 1 - 0.9*math.Exp(-0.14*x), "test_loss": 2.3 * math.Exp(-0.08*x),
			"test_acc": nil, // a null must leave a gap, not fail
			"seconds":  10 + x, "genotype": g.Python(), "skip_count": genotype.SkipCount(g.Normal), "derived_params": 1_000_000 + 100_000*ep,
		}
		if ep != 2 {
			m["test_acc"] = 1 - 0.9*math.Exp(-0.12*x)
		}
		if err := d.AppendJSONL(rundir.Metrics, m); err != nil {
			t.Fatal(err)
		}
	}
	g, err := genotype.DeriveDARTS(space, final[0], final[1])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(d.File(rundir.Genotype), g.JSON(), 0o644); err != nil {
		t.Fatal(err)
	}
	return g
}

// node is an element of the parsed page.
type node struct {
	name     string
	attr     map[string]string
	children []*node
	text     strings.Builder // all character data inside, descendants included
}

func (n *node) class() []string { return strings.Fields(n.attr["class"]) }

func (n *node) hasClass(c string) bool {
	for _, k := range n.class() {
		if k == c {
			return true
		}
	}
	return false
}

// find returns the descendants of n (n included) for which keep is true, in document order.
func (n *node) find(keep func(*node) bool) []*node {
	var out []*node
	if keep(n) {
		out = append(out, n)
	}
	for _, c := range n.children {
		out = append(out, c.find(keep)...)
	}
	return out
}

func byName(name string) func(*node) bool { return func(n *node) bool { return n.name == name } }
func byClass(c string) func(*node) bool   { return func(n *node) bool { return n.hasClass(c) } }

// parsePage parses the report strictly as XML: every element closed, no unknown entities.
// Since the page is written to be well-formed, this is a stricter check than an HTML
// parser's, which would repair mistakes silently.
func parsePage(t *testing.T, page []byte) *node {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(page))
	dec.Strict = true
	root := &node{name: "#document"}
	stack := []*node{root}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("report is not well-formed: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{name: tok.Name.Local, attr: map[string]string{}}
			for _, a := range tok.Attr {
				n.attr[a.Name.Local] = a.Value
			}
			top := stack[len(stack)-1]
			top.children = append(top.children, n)
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			for _, n := range stack {
				n.text.Write(tok)
			}
		}
	}
	if len(stack) != 1 {
		t.Fatalf("report ends with %d elements open", len(stack)-1)
	}
	return root
}

func section(t *testing.T, doc *node, id string) *node {
	t.Helper()
	s := doc.find(func(n *node) bool { return n.name == "section" && n.attr["id"] == id })
	if len(s) != 1 {
		t.Fatalf("found %d sections with id %q, want 1", len(s), id)
	}
	return s[0]
}

func writeReport(t *testing.T, dir string) (string, []byte) {
	t.Helper()
	path, err := Write(dir)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	if path != filepath.Join(dir, rundir.Report) {
		t.Fatalf("Write returned %s, want %s", path, filepath.Join(dir, rundir.Report))
	}
	page, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, page
}

func TestReportFullRun(t *testing.T) {
	dir := t.TempDir()
	g := writeRun(t, dir)
	_, page := writeReport(t, dir)
	doc := parsePage(t, page)
	space, _ := genotype.SpaceByName("darts")

	// Self-contained: nothing is fetched and nothing runs.
	for _, n := range doc.find(func(*node) bool { return true }) {
		if n.name == "script" || n.name == "link" || n.name == "img" || n.name == "iframe" {
			t.Errorf("report has a <%s> element", n.name)
		}
		for _, a := range []string{"src", "href"} {
			if v, ok := n.attr[a]; ok && !strings.HasPrefix(v, "#") {
				t.Errorf("<%s %s=%q> refers outside the page", n.name, a, v)
			}
		}
	}

	// Trajectories: one small chart per edge per cell, one line per op, titled by edge in
	// edge order; every line has one point per epoch.
	traj := section(t, doc, "trajectories")
	grids := traj.find(byName("svg"))
	if len(grids) != 2 {
		t.Fatalf("trajectories: %d svg grids, want 2 (normal, reduce)", len(grids))
	}
	for c, kind := range []string{"normal", "reduce"} {
		if !strings.Contains(grids[c].text.String(), kind+" cell") {
			t.Errorf("trajectory grid %d is not titled %q", c, kind+" cell")
		}
		charts := grids[c].find(byClass("chart"))
		if len(charts) != space.NumEdges() {
			t.Fatalf("%s trajectories: %d charts, want %d (one per edge)", kind, len(charts), space.NumEdges())
		}
		for e, edge := range space.Edges() {
			titles := charts[e].find(byClass("title"))
			want := stateLabeler("darts")(edge.From) + " → " + stateLabeler("darts")(edge.To)
			if len(titles) != 1 || !strings.HasPrefix(titles[0].text.String(), want) {
				t.Errorf("%s chart %d: title %v, want it to start with %q", kind, e, titles, want)
			}
			series := charts[e].find(byClass("series"))
			if len(series) != 8 {
				t.Errorf("%s chart %d: %d op lines, want 8", kind, e, len(series))
			}
			for _, s := range series {
				if pts := strings.Count(s.attr["d"], "L") + 1; pts != testEpochs {
					t.Errorf("%s chart %d line %q: %d points, want %d", kind, e, s.text.String(), pts, testEpochs)
				}
			}
		}
	}

	// Heatmap of the final weights: 14 × 8 cells per cell kind, with the values of the
	// last epoch in edge-major order.
	heat := section(t, doc, "final-weights").find(byName("svg"))
	if len(heat) != 2 {
		t.Fatalf("final weights: %d heatmaps, want 2", len(heat))
	}
	for c := range heat {
		values := heat[c].find(byClass("cell-value"))
		if len(values) != space.NumEdges()*8 {
			t.Fatalf("heatmap %d: %d values, want %d", c, len(values), space.NumEdges()*8)
		}
		for e := 0; e < space.NumEdges(); e++ {
			w := syntheticWeights(c, e, testEpochs-1, 8)
			for j := range w {
				got := values[e*8+j].text.String()
				if want := strconv.FormatFloat(w[j], 'f', 2, 64); got != want {
					t.Errorf("heatmap %d edge %d op %d: %s, want %s (final epoch)", c, e, j, got, want)
				}
			}
		}
	}

	// Both cells drawn: every gene of the genotype is an arrow label of the diagram.
	cells := section(t, doc, "cells")
	diagrams := cells.find(byName("svg"))
	if len(diagrams) != 1 {
		t.Fatalf("cells: %d diagrams, want 1 (both cells stacked)", len(diagrams))
	}
	want := string(genotype.SVG(g))
	var got bytes.Buffer
	if i := bytes.Index(page, []byte(want)); i < 0 {
		got.WriteString("the page does not contain genotype.SVG of the final genotype")
		t.Error(got.String())
	}

	// Both genotype texts, exactly.
	gt := section(t, doc, "genotype")
	for class, text := range map[string]string{"genotype-python": g.Python(), "genotype-json": string(g.JSON())} {
		pre := gt.find(byClass(class))
		if len(pre) != 1 || pre[0].text.String() != text {
			t.Errorf("genotype section: <pre class=%s> missing or not the genotype's text", class)
		}
	}

	// Curves and derived-network charts have data; timings add up the epochs.
	for _, id := range []string{"curves", "derived", "timings"} {
		s := section(t, doc, id)
		if len(s.find(byName("svg"))) == 0 || len(s.find(byClass("nodata"))) > 0 {
			t.Errorf("section %s: no chart with data", id)
		}
	}
	if total := "2 min 25 s"; /* 10+11+...+19 s */ !strings.Contains(section(t, doc, "timings").text.String(), total) {
		t.Errorf("timings do not give the total %s", total)
	}
	for _, want := range []string{"cpu (2 threads)", "--epochs", "darts-1st"} {
		if !strings.Contains(section(t, doc, "config").text.String(), want) {
			t.Errorf("configuration does not show %q", want)
		}
	}
}

// TestReportMissingFiles checks that each missing file leaves its sections saying "not
// recorded" while the rest of the page is still drawn.
func TestReportMissingFiles(t *testing.T) {
	tests := []struct {
		remove      []string
		notRecorded []string // section ids that must say so
		drawn       []string // section ids that must still have an svg
	}{
		{[]string{rundir.Alphas}, []string{"trajectories", "final-weights"}, []string{"curves", "cells"}},
		{[]string{rundir.Metrics}, []string{"curves", "derived"}, []string{"trajectories", "cells"}},
		{[]string{rundir.Genotype, rundir.Metrics}, []string{"cells", "genotype"}, []string{"trajectories"}},
		{[]string{rundir.Config}, []string{"config"}, []string{"curves"}},
		{[]string{rundir.Config, rundir.Alphas, rundir.Genotype}, []string{"config", "trajectories"}, []string{"curves", "cells"}},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.remove, "+"), func(t *testing.T) {
			dir := t.TempDir()
			writeRun(t, dir)
			for _, f := range tc.remove {
				if err := os.Remove(filepath.Join(dir, f)); err != nil {
					t.Fatal(err)
				}
			}
			_, page := writeReport(t, dir)
			doc := parsePage(t, page)
			for _, id := range tc.notRecorded {
				s := section(t, doc, id)
				if !strings.Contains(s.text.String(), "not recorded") || len(s.find(byName("svg"))) > 0 {
					t.Errorf("section %s: want \"not recorded\" and no chart", id)
				}
			}
			for _, id := range tc.drawn {
				if len(section(t, doc, id).find(byName("svg"))) == 0 {
					t.Errorf("section %s: no chart", id)
				}
			}
		})
	}
}

// TestReportRefusesNonRunDirectory checks that a directory with neither config.json nor
// metrics.jsonl gets an error naming it, not a page of empty sections.
func TestReportRefusesNonRunDirectory(t *testing.T) {
	dir := t.TempDir()
	writeRun(t, dir)
	for _, f := range []string{rundir.Config, rundir.Metrics} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	_, err := Write(dir)
	if err == nil || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "not a run directory") {
		t.Fatalf("Write on a directory without config.json and metrics.jsonl: %v", err)
	}
	if _, statErr := os.Stat(filepath.Join(dir, rundir.Report)); statErr == nil {
		t.Error("report.html written anyway")
	}
}

// TestReportGenotypeFromMetrics checks the fallback to the last metrics line when a run
// has no genotype.json yet.
func TestReportGenotypeFromMetrics(t *testing.T) {
	dir := t.TempDir()
	g := writeRun(t, dir)
	if err := os.Remove(filepath.Join(dir, rundir.Genotype)); err != nil {
		t.Fatal(err)
	}
	_, page := writeReport(t, dir)
	doc := parsePage(t, page)
	if !bytes.Contains(page, genotype.SVG(g)) {
		t.Error("cell diagram of the last metrics genotype missing")
	}
	if pre := section(t, doc, "genotype").find(byClass("genotype-python")); len(pre) != 1 || pre[0].text.String() != g.Python() {
		t.Error("genotype text of the last metrics line missing")
	}
}

// TestReportNB201Genotype checks that an NB201 cell string is printed without a diagram.
func TestReportNB201Genotype(t *testing.T) {
	dir := t.TempDir()
	writeRun(t, dir)
	cell := "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
	b, _ := json.Marshal(map[string]string{"space": "nb201", "cell": cell})
	if err := os.WriteFile(filepath.Join(dir, rundir.Genotype), b, 0o644); err != nil {
		t.Fatal(err)
	}
	_, page := writeReport(t, dir)
	doc := parsePage(t, page)
	if n := len(section(t, doc, "cells").find(byName("svg"))); n != 0 {
		t.Errorf("NB201 cell: %d diagrams, want none", n)
	}
	if pre := section(t, doc, "genotype").find(byClass("genotype-text")); len(pre) != 1 || pre[0].text.String() != cell {
		t.Error("NB201 architecture string missing")
	}
}

// TestReportMalformed checks that a malformed file is one error naming the file and line,
// and that no report is written.
func TestReportMalformed(t *testing.T) {
	tests := []struct {
		file, content string
		want          []string
	}{
		{rundir.Metrics, `{"epoch": 0, "train_loss": 2.3}` + "\n\n" + `{"epoch": 1, "train_loss": 2.1` + "\n", []string{rundir.Metrics, "line 3"}},
		{rundir.Metrics, `{"epoch": 0, "train_loss": 2.3}` + "\n" + `{"epoch": 1, "train_loss": "fast"}` + "\n", []string{rundir.Metrics, "line 2", "train_loss", `"fast"`}},
		{rundir.Metrics, `{"epoch": 0.5}` + "\n", []string{rundir.Metrics, "line 1", "epoch"}},
		{rundir.Alphas, `{"epoch": 0, "cells": {"normal": {"edges": [{"from": 0, "to": 2, "ops": ["none"], "weights": [0.1, 0.9]}]}}}` + "\n", []string{rundir.Alphas, "line 1", "cells.normal.edges[0]"}},
		{rundir.Alphas, "[1, 2]\n", []string{rundir.Alphas, "line 1"}},
		{rundir.Config, "{\n  \"seed\": 2,\n  \"device\" \"cpu\"\n}\n", []string{rundir.Config, "line 3"}},
		{rundir.Genotype, `{"space": "darts", "normal": []}`, []string{rundir.Genotype}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			dir := t.TempDir()
			writeRun(t, dir)
			if err := os.WriteFile(filepath.Join(dir, tc.file), []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Write(dir)
			if err == nil {
				t.Fatal("Write succeeded on a malformed file")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error spans several lines: %q", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not mention %q", msg, w)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, rundir.Report)); err == nil {
				t.Error("report.html written despite the error")
			}
		})
	}
}

func TestReportNotADirectory(t *testing.T) {
	if _, err := Write(filepath.Join(t.TempDir(), "nope")); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("Write on a missing directory: %v, want an error naming it", err)
	}
}

// TestReportCellOrderAndThreshold checks that cells other than normal and reduce (NB201's
// per-stage cells) are drawn too, normal first and the rest sorted, and that a sigmoid
// relaxation gets FairDARTS's threshold line on every chart.
func TestReportCellOrderAndThreshold(t *testing.T) {
	dir := t.TempDir()
	writeRun(t, dir)
	if err := os.Remove(filepath.Join(dir, rundir.Alphas)); err != nil {
		t.Fatal(err)
	}
	d := &rundir.Dir{Path: dir}
	edges := []map[string]any{
		{"from": 0, "to": 1, "ops": []string{"none", "skip_connect"}, "weights": []float64{0.2, 0.9}},
		{"from": 0, "to": 2, "ops": []string{"none", "skip_connect"}, "weights": []float64{0.3, 0.7}},
	}
	cell := map[string]any{"edges": edges}
	for ep := 0; ep < 3; ep++ {
		rec := map[string]any{"epoch": ep, "space": "nb201", "relaxation": "sigmoid",
			"cells": map[string]any{"stage1": cell, "normal": cell, "stage0": cell}}
		if err := d.AppendJSONL(rundir.Alphas, rec); err != nil {
			t.Fatal(err)
		}
	}
	_, page := writeReport(t, dir)
	doc := parsePage(t, page)
	grids := section(t, doc, "trajectories").find(byName("svg"))
	want := []string{"normal cell", "stage0 cell", "stage1 cell"}
	if len(grids) != len(want) {
		t.Fatalf("%d trajectory grids, want %d", len(grids), len(want))
	}
	for i, g := range grids {
		if title := g.find(byClass("title")); len(title) == 0 || title[0].text.String() != want[i] {
			t.Errorf("grid %d: title %v, want %q", i, title, want[i])
		}
		for k, c := range g.find(byClass("chart")) {
			var names []string
			for _, s := range c.find(byClass("series")) {
				names = append(names, s.text.String())
			}
			if strings.Join(names, ",") != "none,skip_connect,threshold" {
				t.Errorf("grid %d chart %d: lines %v, want none, skip_connect, threshold", i, k, names)
			}
		}
		if n := len(g.find(byClass("chart"))); n != 2 {
			t.Errorf("grid %d: %d charts, want 2", i, n)
		}
	}
	if n := len(section(t, doc, "final-weights").find(byName("svg"))); n != 3 {
		t.Errorf("%d heatmaps, want 3", n)
	}
}

// TestReportNotes checks that a collapse noted in metrics.jsonl is shown, and that a line
// written again for an epoch (a resumed run) replaces the earlier one.
func TestReportNotes(t *testing.T) {
	dir := t.TempDir()
	writeRun(t, dir)
	d := &rundir.Dir{Path: dir}
	again := map[string]any{"epoch": 7, "train_loss": 0.5, "collapsed": true, "note": "normal cell collapsed: no node has an input"}
	if err := d.AppendJSONL(rundir.Metrics, again); err != nil {
		t.Fatal(err)
	}
	_, page := writeReport(t, dir)
	doc := parsePage(t, page)
	text := section(t, doc, "curves").text.String()
	if !strings.Contains(text, "epoch 8: normal cell collapsed: no node has an input") {
		t.Error("the collapse noted at epoch 8 is not shown")
	}
	// The replaced line has no seconds: the timings count one epoch fewer.
	if want := fmt.Sprintf("%d", testEpochs-1); !strings.Contains(section(t, doc, "timings").text.String(), "epochs timed"+want) {
		t.Errorf("timings: want %s epochs timed after epoch 8 was rewritten without seconds", want)
	}
}
