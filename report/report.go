// Package report turns a run directory into one self-contained HTML page (report.html):
// configuration, curves, architecture-weight trajectories, the derived cells and timings.
//
// The page is inline SVG and CSS only: it fetches nothing and needs no JavaScript. It is
// also well-formed XML (void elements self-closed, no named entities), so tests can check
// its structure with encoding/xml.
package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"math"
	"path/filepath"
	"sort"
	"strings"

	"godarts/internal/atomicfile"
	"godarts/internal/svgplot"
	"godarts/nas/genotype"
	"godarts/rundir"
)

// Write reads the run directory and writes runDir/report.html atomically, returning its
// path. Missing files leave their sections saying "not recorded"; a file that is present
// but malformed is an error naming the file and the line.
func Write(runDir string) (string, error) {
	d, err := rundir.Open(runDir)
	if err != nil {
		return "", err
	}
	r, err := load(d)
	if err != nil {
		return "", err
	}
	path := d.File(rundir.Report)
	if err := atomicfile.WriteFile(path, render(r)); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return path, nil
}

// style keeps the page plain and readable; charts scale down on narrow windows.
const style = `
body { font-family: sans-serif; margin: 1.5em auto; max-width: 1200px; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 1.8em; }
h3 { font-size: 1em; margin-bottom: 0.3em; }
nav a { margin-right: 1em; }
table { border-collapse: collapse; font-size: 0.9em; }
td, th { border: 1px solid #ddd; padding: 0.2em 0.6em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
pre { background: #f7f7f7; border: 1px solid #ddd; padding: 0.6em; overflow-x: auto; font-size: 0.85em; }
svg { max-width: 100%; height: auto; display: block; margin: 0.4em 0; }
.row { display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; }
.missing { color: #777; font-style: italic; }
pre.genotype-python { white-space: pre-wrap; word-break: break-all; }
.warning { color: #a00; }
.sub { color: #555; }
`

// sections of the page, in order: anchor id and heading.
var sections = [][2]string{
	{"config", "Configuration"},
	{"curves", "Loss and accuracy"},
	{"trajectories", "Architecture weights over the epochs"},
	{"final-weights", "Final relaxed weights"},
	{"cells", "Derived cells"},
	{"derived", "Parameters and skip connections"},
	{"genotype", "Final genotype"},
	{"timings", "Timings"},
}

// page accumulates the HTML text.
type page struct{ b bytes.Buffer }

func (p *page) raw(s string)                      { p.b.WriteString(s) }
func (p *page) printf(format string, args ...any) { fmt.Fprintf(&p.b, format, args...) }
func (p *page) text(s string)                     { p.b.WriteString(html.EscapeString(s)) }
func (p *page) svg(b []byte)                      { p.b.Write(b); p.b.WriteByte('\n') }
func (p *page) missing(s string)                  { p.printf("<p class=\"missing\">%s</p>\n", html.EscapeString(s)) }
func (p *page) section(i int) {
	if i > 0 {
		p.raw("</section>\n")
	}
	p.printf("<section id=\"%s\">\n<h2>%s</h2>\n", sections[i][0], html.EscapeString(sections[i][1]))
}

func render(r *run) []byte {
	var p page
	name := filepath.Base(r.dir.Path)
	if abs, err := filepath.Abs(r.dir.Path); err == nil {
		name = filepath.Base(abs)
	}
	p.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
	p.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
	p.printf("<title>%s: godarts run report</title>\n<style>%s</style>\n</head>\n<body>\n", html.EscapeString(name), style)
	p.printf("<h1>Run %s</h1>\n", html.EscapeString(name))
	if cmd, ok := r.config["command"].(string); ok {
		p.printf("<p class=\"sub\">nas %s", html.EscapeString(cmd))
		if started, ok := r.config["started"].(string); ok {
			p.printf(", started %s", html.EscapeString(started))
		}
		if dev, ok := r.config["device"].(string); ok {
			p.printf(", on %s", html.EscapeString(dev))
		}
		p.raw("</p>\n")
	}
	p.raw("<nav>")
	for _, s := range sections {
		p.printf("<a href=\"#%s\">%s</a>", s[0], html.EscapeString(s[1]))
	}
	p.raw("</nav>\n")

	p.section(0)
	writeConfig(&p, r)
	p.section(1)
	writeCurves(&p, r)
	p.section(2)
	writeTrajectories(&p, r)
	p.section(3)
	writeFinalWeights(&p, r)
	p.section(4)
	writeCells(&p, r)
	p.section(5)
	writeDerived(&p, r)
	p.section(6)
	writeGenotypeText(&p, r)
	p.section(7)
	writeTimings(&p, r)
	p.raw("</section>\n</body>\n</html>\n")
	return p.b.Bytes()
}

func writeConfig(p *page, r *run) {
	if r.config == nil {
		p.missing(rundir.Config + " not recorded")
		return
	}
	// The run's identity and the flags given on the command line side by side; every flag's
	// value (defaults included) folded away below, since a search has dozens.
	flags, _ := r.config["flags"].(map[string]any)
	given := map[string]bool{}
	if args, ok := r.config["args"].([]any); ok {
		for _, a := range args {
			if s, ok := a.(string); ok {
				name, _, _ := strings.Cut(strings.TrimLeft(s, "-"), "=")
				given[name] = true
			}
		}
	}
	p.raw("<div class=\"row\">\n<table>\n")
	for _, k := range []string{"command", "version", "device", "seed", "started"} {
		if v, ok := r.config[k]; ok {
			p.printf("<tr><th>%s</th><td>%s</td></tr>\n", k, html.EscapeString(scalar(v)))
		}
	}
	p.raw("</table>\n")
	if len(given) > 0 {
		p.raw("<table>\n<tr><th>flags given</th><th>value</th></tr>\n")
		for _, k := range sortedKeys(flags) {
			if given[k] {
				p.printf("<tr><td>--%s</td><td>%s</td></tr>\n", html.EscapeString(k), html.EscapeString(scalar(flags[k])))
			}
		}
		p.raw("</table>\n")
	}
	p.raw("</div>\n")
	if len(flags) > 0 {
		p.printf("<details><summary>All %d flags, defaults included</summary>\n<table>\n<tr><th>flag</th><th>value</th></tr>\n", len(flags))
		for _, k := range sortedKeys(flags) {
			p.printf("<tr><td>--%s</td><td>%s</td></tr>\n", html.EscapeString(k), html.EscapeString(scalar(flags[k])))
		}
		p.raw("</table>\n</details>\n")
	}
	var rest []string
	for _, k := range sortedKeys(r.config) {
		switch k {
		case "command", "version", "device", "seed", "started", "flags", "args":
			continue
		}
		rest = append(rest, k)
	}
	if len(rest) > 0 {
		other := map[string]any{}
		for _, k := range rest {
			other[k] = r.config[k]
		}
		b, _ := json.MarshalIndent(other, "", "  ")
		p.printf("<details><summary>Other recorded settings (%s)</summary>\n<pre>%s</pre>\n</details>\n",
			html.EscapeString(strings.Join(rest, ", ")), html.EscapeString(string(b)))
	}
}

// scalar writes a JSON value as a table cell: strings bare, numbers as JSON has them.
func scalar(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// column returns metric key over the epochs, scaled, with x = epoch number (1-based, as the
// progress lines print it).
func column(ms []epochMetrics, key string, scale float64) (xs, ys []float64, recorded bool) {
	for _, m := range ms {
		v := m.get(key) * scale
		xs = append(xs, float64(m.epoch+1))
		ys = append(ys, v)
		if !math.IsNaN(v) {
			recorded = true
		}
	}
	return xs, ys, recorded
}

// chart draws the given metrics as one line chart, or returns nil when none was recorded.
func chart(ms []epochMetrics, title, ylabel string, scale float64, include []float64, keys ...[2]string) []byte {
	lc := svgplot.LineChart{Title: title, XLabel: "epoch", YLabel: ylabel, Width: 340, Height: 250, YInclude: include}
	found := false
	for i, k := range keys {
		xs, ys, ok := column(ms, k[0], scale)
		if !ok {
			continue
		}
		found = true
		lc.Series = append(lc.Series, svgplot.Series{Name: k[1], X: xs, Y: ys, Color: svgplot.Palette[i]})
	}
	if !found {
		return nil
	}
	return lc.SVG()
}

func writeCurves(p *page, r *run) {
	if r.metrics == nil {
		p.missing(rundir.Metrics + " not recorded")
		return
	}
	split := [][2]string{{"train_%s", "train"}, {"valid_%s", "valid (α half)"}, {"test_%s", "test"}}
	keys := func(metric string) [][2]string {
		var out [][2]string
		for _, s := range split {
			out = append(out, [2]string{fmt.Sprintf(s[0], metric), s[1]})
		}
		return out
	}
	if len(r.metrics) == 1 {
		p.missing("only one epoch recorded so far: a line needs two")
	}
	p.raw("<div class=\"row\">\n")
	for _, c := range []struct {
		title, metric, ylabel string
		scale                 float64
		include               []float64
	}{
		{"Loss", "loss", "cross-entropy", 1, nil},
		{"Accuracy", "acc", "%", 100, []float64{0}},
	} {
		if svg := chart(r.metrics, c.title, c.ylabel, c.scale, c.include, keys(c.metric)...); svg != nil {
			p.svg(svg)
		} else {
			p.missing(strings.ToLower(c.title) + " not recorded")
		}
	}
	if svg := chart(r.metrics, "Learning rate (weights)", "lr", 1, []float64{0}, [2]string{"lr", "lr"}); svg != nil {
		p.svg(svg)
	}
	p.raw("</div>\n")
	for _, m := range r.metrics {
		msg := m.note
		if m.collapsed && msg == "" {
			msg = "the derived normal cell collapsed"
		}
		if msg != "" {
			p.printf("<p class=\"warning\">epoch %d: %s</p>\n", m.epoch+1, html.EscapeString(msg))
		}
	}
}

// stateLabeler names the states of a cell as the genotype diagrams do: c_{k-2}, c_{k-1},
// then intermediate nodes from 0 in the DARTS topology; plain node numbers in NB201's.
func stateLabeler(space string) func(int) string {
	s, err := genotype.SpaceByName(space)
	if err == nil && s.Topology == genotype.TopologyNB201 {
		return func(i int) string { return fmt.Sprint(i) }
	}
	return func(i int) string {
		switch i {
		case 0:
			return "c_{k-2}"
		case 1:
			return "c_{k-1}"
		}
		return fmt.Sprint(i - 2)
	}
}

// opColours gives every op one colour across all cells and charts, in order of first
// appearance in the last alphas record; "none" is grey, as the cell diagrams draw it.
func opColours(alphas []alphaRecord, cells []string) map[string]string {
	colours := map[string]string{}
	next := 0
	last := alphas[len(alphas)-1]
	for _, c := range cells {
		for _, e := range last.Cells[c].Edges {
			for _, op := range e.Ops {
				if _, ok := colours[op]; ok {
					continue
				}
				if op == genotype.None {
					colours[op] = "#999999"
					continue
				}
				colours[op] = svgplot.Palette[next%len(svgplot.Palette)]
				next++
			}
		}
	}
	return colours
}

// keptOps maps "from>to" of each gene of the final genotype in cell kind to its op, to
// mark the edges discretisation kept.
func keptOps(g *genotype.Genotype, cell string) map[[2]int]string {
	kept := map[[2]int]string{}
	if g == nil {
		return kept
	}
	var genes []genotype.Gene
	switch cell {
	case "normal":
		genes = g.Normal
	case "reduce":
		genes = g.Reduce
	}
	for _, gn := range genes {
		if prev, ok := kept[[2]int{gn.From, gn.To}]; ok {
			kept[[2]int{gn.From, gn.To}] = prev + ", " + gn.Op
		} else {
			kept[[2]int{gn.From, gn.To}] = gn.Op
		}
	}
	return kept
}

func writeTrajectories(p *page, r *run) {
	if r.alphas == nil {
		p.missing(rundir.Alphas + " not recorded")
		return
	}
	if len(r.alphas) == 0 {
		p.missing(rundir.Alphas + " has no epochs yet")
		return
	}
	last := r.alphas[len(r.alphas)-1]
	cells := cellNames(r.alphas)
	colours := opColours(r.alphas, cells)
	label := stateLabeler(last.Space)
	p.printf("<p>Space %s, relaxation %s: the relaxed weight of every op on every edge at the end of each epoch; one chart per edge, one line per op.",
		html.EscapeString(last.Space), html.EscapeString(last.Relaxation))
	if last.Relaxation == "sigmoid" {
		p.printf(" The dashed line is FairDARTS's threshold σ_T = %g: an op below it is dropped.", genotype.DefaultThreshold)
	}
	p.raw(" A title ending in an op names the op the final genotype keeps on that edge.</p>\n")
	if len(r.alphas) == 1 {
		p.missing("only one epoch recorded so far: a line needs two; the final weights below show it")
	}
	// Sigmoid weights live in [0, 1] and are read against the threshold, so the axis
	// spans it; softmax weights of many ops stay well below 1 and get the room instead.
	yRange := []float64{0}
	if last.Relaxation == "sigmoid" {
		yRange = []float64{0, 1}
	}
	for _, cell := range cells {
		kept := keptOps(r.final.g, cell)
		sm := svgplot.SmallMultiples{Title: cell + " cell", Columns: 5, CellWidth: 220, CellHeight: 150, XLabel: "epoch", YLabel: "op weight"}
		for e, edge := range last.Cells[cell].Edges {
			title := label(edge.From) + " → " + label(edge.To)
			if op, ok := kept[[2]int{edge.From, edge.To}]; ok {
				title += ": " + op
			}
			lc := svgplot.LineChart{Title: title, YInclude: yRange}
			for j, op := range edge.Ops {
				s := svgplot.Series{Name: op, Color: colours[op]}
				for _, a := range r.alphas {
					s.X = append(s.X, float64(*a.Epoch+1))
					s.Y = append(s.Y, weightAt(a, cell, e, edge, j, op))
				}
				lc.Series = append(lc.Series, s)
			}
			if last.Relaxation == "sigmoid" {
				s := svgplot.Series{Name: "threshold", Color: "#000000", Dashed: true}
				for _, a := range r.alphas {
					s.X = append(s.X, float64(*a.Epoch+1))
					s.Y = append(s.Y, genotype.DefaultThreshold)
				}
				lc.Series = append(lc.Series, s)
			}
			sm.Charts = append(sm.Charts, lc)
		}
		p.svg(sm.SVG())
	}
}

// weightAt is the weight of op on edge e of cell in record a, matched by endpoints and op
// name (NaN where that epoch did not record it).
func weightAt(a alphaRecord, cell string, e int, want alphasEdge, j int, op string) float64 {
	edges := a.Cells[cell].Edges
	if e >= len(edges) || edges[e].From != want.From || edges[e].To != want.To {
		return math.NaN()
	}
	got := edges[e]
	if j < len(got.Ops) && got.Ops[j] == op {
		return got.Weights[j]
	}
	for k, o := range got.Ops {
		if o == op {
			return got.Weights[k]
		}
	}
	return math.NaN()
}

func writeFinalWeights(p *page, r *run) {
	if len(r.alphas) == 0 {
		p.missing(rundir.Alphas + " not recorded")
		return
	}
	last := r.alphas[len(r.alphas)-1]
	label := stateLabeler(last.Space)
	// Sigmoid weights are compared with a fixed threshold: a fixed 0..1 scale. Softmax and
	// sparsemax weights are relative: the scale spans the values.
	scaleMax := 0.0
	if last.Relaxation == "sigmoid" {
		scaleMax = 1
	}
	p.printf("<p>The relaxed weights at the end of epoch %d, edges by ops.</p>\n<div class=\"row\">\n", *last.Epoch+1)
	for _, cell := range cellNames(r.alphas) {
		c, ok := last.Cells[cell]
		if !ok {
			continue
		}
		// Columns are the ops in order of first appearance, so edges whose op lists differ
		// (RobustDARTS S1) still line up by name; an op an edge lacks is a grey cell.
		var cols []string
		colIndex := map[string]int{}
		for _, e := range c.Edges {
			for _, op := range e.Ops {
				if _, ok := colIndex[op]; !ok {
					colIndex[op] = len(cols)
					cols = append(cols, op)
				}
			}
		}
		hm := svgplot.Heatmap{Title: cell + " cell", ColLabels: cols, ShowValues: true, Max: scaleMax, CellWidth: 56, CellHeight: 20}
		for _, e := range c.Edges {
			hm.RowLabels = append(hm.RowLabels, label(e.From)+" → "+label(e.To))
			row := make([]float64, len(cols))
			for i := range row {
				row[i] = math.NaN()
			}
			for j, op := range e.Ops {
				row[colIndex[op]] = e.Weights[j]
			}
			hm.Values = append(hm.Values, row)
		}
		p.svg(hm.SVG())
	}
	p.raw("</div>\n")
}

func writeCells(p *page, r *run) {
	f := r.final
	switch {
	case f.g != nil:
		p.printf("<p>From %s.", html.EscapeString(f.source))
		if e := f.g.Empty(); e.Any() {
			p.printf(" <span class=\"warning\">%s</span>", html.EscapeString(e.String()))
		}
		p.raw("</p>\n")
		p.svg(genotype.SVG(f.g))
	case f.text != "":
		p.printf("<p>From %s: %s.</p>\n", html.EscapeString(f.source), html.EscapeString(f.note))
	default:
		p.missing("genotype not recorded (" + rundir.Genotype + " missing, no genotype in " + rundir.Metrics + ")")
	}
}

func writeDerived(p *page, r *run) {
	if r.metrics == nil {
		p.missing(rundir.Metrics + " not recorded")
		return
	}
	params := chart(r.metrics, "Parameters of the derived network", "millions", 1e-6, []float64{0}, [2]string{"derived_params", "parameters"})
	skips := chart(r.metrics, "skip_connect in the derived normal cell", "count", 1, []float64{0, 2}, [2]string{"skip_count", "skip connections"})
	if params == nil && skips == nil {
		p.missing("not recorded (a search records them every epoch)")
		return
	}
	p.raw("<div class=\"row\">\n")
	for _, s := range [][]byte{params, skips} {
		if s != nil {
			p.svg(s)
		}
	}
	p.raw("</div>\n")
}

func writeGenotypeText(p *page, r *run) {
	f := r.final
	switch {
	case f.g != nil:
		p.printf("<p>From %s.</p>\n<h3>Python (DARTS genotypes.py)</h3>\n<pre class=\"genotype-python\">", html.EscapeString(f.source))
		p.text(f.g.Python())
		p.raw("</pre>\n<h3>JSON</h3>\n<pre class=\"genotype-json\">")
		p.text(string(f.g.JSON()))
		p.raw("</pre>\n")
	case f.text != "":
		p.printf("<p>From %s.</p>\n<pre class=\"genotype-text\">", html.EscapeString(f.source))
		p.text(f.text)
		p.raw("</pre>\n")
	default:
		p.missing("not recorded")
	}
	if len(r.metrics) > 1 {
		changes, prev := 0, ""
		for _, m := range r.metrics {
			if m.genotype != "" && prev != "" && m.genotype != prev {
				changes++
			}
			if m.genotype != "" {
				prev = m.genotype
			}
		}
		p.printf("<p>The derived genotype changed %d times over %d epochs.</p>\n", changes, len(r.metrics))
	}
}

func writeTimings(p *page, r *run) {
	p.raw("<table>\n")
	dev := "not recorded"
	if d, ok := r.config["device"].(string); ok {
		dev = d
	}
	p.printf("<tr><th>device</th><td>%s</td></tr>\n", html.EscapeString(dev))
	total, n := 0.0, 0
	for _, m := range r.metrics {
		if s := m.get("seconds"); !math.IsNaN(s) {
			total += s
			n++
		}
	}
	if n > 0 {
		p.printf("<tr><th>epochs timed</th><td>%d</td></tr>\n", n)
		p.printf("<tr><th>total</th><td>%s</td></tr>\n", duration(total))
		p.printf("<tr><th>mean per epoch</th><td>%s</td></tr>\n", duration(total/float64(n)))
	}
	p.raw("</table>\n")
	if n == 0 {
		p.missing("epoch times not recorded")
		return
	}
	p.svg(chart(r.metrics, "Seconds per epoch", "seconds", 1, []float64{0}, [2]string{"seconds", "wall time"}))
}

// duration writes seconds as 12.3 s, 4 min 05 s or 2 h 03 min.
func duration(s float64) string {
	switch {
	case s < 60:
		return fmt.Sprintf("%.1f s", s)
	case s < 3600:
		return fmt.Sprintf("%d min %02d s", int(s)/60, int(s)%60)
	}
	return fmt.Sprintf("%d h %02d min", int(s)/3600, int(s)%3600/60)
}
