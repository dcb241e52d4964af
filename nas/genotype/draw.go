package genotype

import (
	"bytes"
	"fmt"
	"html"
	"math"
	"slices"
	"strings"
)

// Cell diagrams: the states of a cell laid out left to right in layers (a node one layer
// right of its deepest input), one arrow per gene labelled with its op and coloured by op
// family, and grey arrows from the concatenated nodes to the output c_{k}. The SVG is
// written by this code alone; the same picture as DOT text serves users of graphviz.
// Both are deterministic: the same genotype gives the same bytes.

// OpFamily groups ops for colouring: "none", "pool", "skip", "sep_conv", "dil_conv",
// "conv" (NB201 convolutions), "noise" or "other".
func OpFamily(op string) string {
	switch {
	case op == None:
		return "none"
	case strings.HasSuffix(op, "_pool_3x3") || strings.Contains(op, "pool"):
		return "pool"
	case op == SkipConnect:
		return "skip"
	case strings.HasPrefix(op, "sep_conv"):
		return "sep_conv"
	case strings.HasPrefix(op, "dil_conv"):
		return "dil_conv"
	case strings.HasPrefix(op, "nor_conv") || op == VariableConv || strings.Contains(op, "conv"):
		return "conv"
	case op == Noise:
		return "noise"
	}
	return "other"
}

// familyColours are picked to stay apart for colour-blind readers (Okabe-Ito palette).
var familyColours = map[string]string{
	"none":     "#999999",
	"pool":     "#009e73",
	"skip":     "#0072b2",
	"sep_conv": "#d55e00",
	"dil_conv": "#cc79a7",
	"conv":     "#e69f00",
	"noise":    "#56b4e9",
	"other":    "#000000",
}

var familyOrder = []string{"sep_conv", "dil_conv", "conv", "pool", "skip", "noise", "none", "other"}

// FamilyColour returns the colour diagrams use for op (a #rrggbb string).
func FamilyColour(op string) string { return familyColours[OpFamily(op)] }

const (
	colourInput  = "#b4eeb4" // graphviz darkseagreen2, as quark0/darts visualize.py
	colourNode   = "#add8e6" // lightblue
	colourOutput = "#eee8aa" // palegoldenrod
	colourConcat = "#777777"
)

// stateName is the label of state s: c_{k-2}, c_{k-1}, then the intermediate nodes 0...
func stateName(s int) string {
	switch s {
	case 0:
		return "c_{k-2}"
	case 1:
		return "c_{k-1}"
	}
	return fmt.Sprint(s - 2)
}

// cellLayout places the states of one cell.
type cellLayout struct {
	kind   CellKind
	genes  []Gene
	concat []int
	steps  int
	depth  []int  // per state; index steps+2 is the output c_{k}
	empty  []bool // per state: an intermediate node with no input
	cols   [][]int
	x, y   []float64
	width  float64
	height float64
}

const (
	drawMargin = 16.0
	drawTitleH = 26.0
	drawColW   = 210.0
	drawRowH   = 72.0
	drawNodeW  = 62.0
	drawNodeH  = 28.0
	drawCharW  = 6.4 // font-size 11 sans-serif, a generous average
	drawLabelH = 14.0
	drawLegend = 24.0
)

func layoutCell(g *Genotype, kind CellKind) *cellLayout {
	steps := 4
	// Room for every node a gene or the concat list names, within reason: Validate
	// rejects states beyond the space, and a diagram of a bad genotype should still fit.
	const maxSteps = 16
	for _, gn := range g.Genes(kind) {
		steps = max(steps, min(gn.To-1, maxSteps))
	}
	for _, c := range g.Concat(kind) {
		steps = max(steps, min(c-1, maxSteps))
	}
	l := &cellLayout{kind: kind, genes: g.Genes(kind), concat: g.Concat(kind), steps: steps}
	n := steps + 3
	out := n - 1
	l.depth = make([]int, n)
	l.empty = make([]bool, n)
	for s := 2; s < out; s++ {
		d, has := 1, false
		for _, gn := range l.genes {
			if gn.To == s && gn.From >= 0 && gn.From < s {
				d = max(d, l.depth[gn.From]+1)
				has = true
			}
		}
		l.depth[s] = d
		l.empty[s] = !has
	}
	maxD := 0
	for s := range out {
		maxD = max(maxD, l.depth[s])
	}
	l.depth[out] = maxD + 1
	l.cols = make([][]int, maxD+2)
	for s := range n {
		l.cols[l.depth[s]] = append(l.cols[l.depth[s]], s)
	}
	rows := 0
	for _, c := range l.cols {
		rows = max(rows, len(c))
	}
	l.width = 2*drawMargin + float64(len(l.cols)-1)*drawColW + drawNodeW
	l.height = drawTitleH + float64(rows)*drawRowH
	l.x = make([]float64, n)
	l.y = make([]float64, n)
	for d, c := range l.cols {
		for i, s := range c {
			l.x[s] = drawMargin + drawNodeW/2 + float64(d)*drawColW
			l.y[s] = drawTitleH + (float64(rows)-float64(len(c)))*drawRowH/2 + (float64(i)+0.5)*drawRowH
		}
	}
	return l
}

// concatSources returns the states joined into c_{k}: the concat list minus nodes with no
// input (FairDARTS's DCOCell leaves those out).
func (l *cellLayout) concatSources() []int {
	var src []int
	for _, c := range l.concat {
		if c >= 2 && c < len(l.empty)-1 && !l.empty[c] {
			src = append(src, c)
		}
	}
	return src
}

type box struct{ x0, y0, x1, y1 float64 }

func (a box) overlaps(b box) bool { return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1 }

// edgeCurve is a cubic Bézier from the right side of one state to the left side of another.
type edgeCurve struct{ p [4][2]float64 }

func (l *cellLayout) curve(from, to int, bend float64) edgeCurve {
	x1, y1 := l.x[from]+drawNodeW/2, l.y[from]
	x2, y2 := l.x[to]-drawNodeW/2, l.y[to]
	dx := (x2 - x1) / 2
	return edgeCurve{[4][2]float64{{x1, y1}, {x1 + dx, y1 + bend}, {x2 - dx, y2 + bend}, {x2, y2}}}
}

// avoidNodes bends an edge that spans several layers until it misses the boxes of the
// states in between, trying small bends first, up before down.
func (l *cellLayout) avoidNodes(from, to int, bend float64) edgeCurve {
	var between []box
	for s := range l.depth {
		if s != from && s != to && l.depth[s] > l.depth[from] && l.depth[s] < l.depth[to] {
			const pad = 6
			between = append(between, box{l.x[s] - drawNodeW/2 - pad, l.y[s] - drawNodeH/2 - pad, l.x[s] + drawNodeW/2 + pad, l.y[s] + drawNodeH/2 + pad})
		}
	}
	hits := func(c edgeCurve) bool {
		for i := 0; i <= 40; i++ {
			x, y := c.at(float64(i) / 40)
			for _, b := range between {
				if x >= b.x0 && x <= b.x1 && y >= b.y0 && y <= b.y1 {
					return true
				}
			}
		}
		return false
	}
	for _, extra := range []float64{0, -30, 30, -60, 60, -90, 90, -120, 120} {
		if c := l.curve(from, to, bend+extra); !hits(c) {
			return c
		}
	}
	return l.curve(from, to, bend)
}

func (c edgeCurve) at(t float64) (float64, float64) {
	u := 1 - t
	a, b, d, e := u*u*u, 3*u*u*t, 3*u*t*t, t*t*t
	return a*c.p[0][0] + b*c.p[1][0] + d*c.p[2][0] + e*c.p[3][0], a*c.p[0][1] + b*c.p[1][1] + d*c.p[2][1] + e*c.p[3][1]
}

func (c edgeCurve) path() string {
	return fmt.Sprintf("M%s %s C%s %s, %s %s, %s %s", num(c.p[0][0]), num(c.p[0][1]), num(c.p[1][0]), num(c.p[1][1]),
		num(c.p[2][0]), num(c.p[2][1]), num(c.p[3][0]), num(c.p[3][1]))
}

// num formats a coordinate with one decimal, without "-0".
func num(v float64) string {
	v = math.Round(v*10) / 10
	if v == 0 {
		v = 0
	}
	return fmt.Sprintf("%.1f", v)
}

// SVG draws the given cells of g (both when none is given) stacked top to bottom, with a
// legend of the op families it uses. The result is a standalone SVG document that can
// also be pasted inline into HTML.
func SVG(g *Genotype, kinds ...CellKind) []byte {
	if len(kinds) == 0 {
		kinds = []CellKind{Normal, Reduce}
	}
	var layouts []*cellLayout
	width, height := 0.0, 0.0
	families := map[string]bool{}
	for _, k := range kinds {
		l := layoutCell(g, k)
		layouts = append(layouts, l)
		width = max(width, l.width)
		height += l.height + drawMargin
		for _, gn := range l.genes {
			families[OpFamily(gn.Op)] = true
		}
	}
	var used []string
	for _, f := range familyOrder {
		if families[f] {
			used = append(used, f)
		}
	}
	width = max(width, 2*drawMargin+float64(len(used))*100)
	height += drawLegend + drawMargin

	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" font-family="sans-serif" font-size="11">`+"\n",
		num(width), num(height), num(width), num(height))
	b.WriteString("<defs>\n")
	for _, f := range append(slices.Clone(used), "concat") {
		colour := colourConcat
		if f != "concat" {
			colour = familyColours[f]
		}
		fmt.Fprintf(&b, `<marker id="genotype-arrow-%s" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0 0 L10 5 L0 10 z" fill="%s"/></marker>`+"\n", f, colour)
	}
	b.WriteString("</defs>\n")
	fmt.Fprintf(&b, `<rect width="%s" height="%s" fill="#ffffff"/>`+"\n", num(width), num(height))
	top := drawMargin / 2
	for _, l := range layouts {
		writeCellSVG(&b, g, l, top)
		top += l.height + drawMargin
	}
	// Legend.
	y := top + drawLegend/2
	for i, f := range used {
		x := drawMargin + float64(i)*100
		fmt.Fprintf(&b, `<g class="legend"><line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2.5"/><text x="%s" y="%s" dominant-baseline="middle">%s</text></g>`+"\n",
			num(x), num(y), num(x+22), num(y), familyColours[f], num(x+27), num(y), f)
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

func cellTitle(k CellKind) string {
	if k == Reduce {
		return "reduction cell"
	}
	return "normal cell"
}

func writeCellSVG(b *bytes.Buffer, g *Genotype, l *cellLayout, top float64) {
	out := len(l.depth) - 1
	fmt.Fprintf(b, `<g class="cell" data-cell="%s" transform="translate(0 %s)">`+"\n", l.kind, num(top))
	title := cellTitle(l.kind)
	if g.Space != "" {
		title += " (" + g.Space + ")"
	}
	fmt.Fprintf(b, `<text class="title" x="%s" y="16" font-size="13" font-weight="bold">%s</text>`+"\n", num(drawMargin), html.EscapeString(title))

	// Node boxes block labels.
	var taken []box
	for s := range l.depth {
		taken = append(taken, box{l.x[s] - drawNodeW/2, l.y[s] - drawNodeH/2, l.x[s] + drawNodeW/2, l.y[s] + drawNodeH/2})
	}
	// Genes on the same edge bend apart so their arrows and labels do not coincide.
	type key struct{ from, to int }
	count := map[key]int{}
	for _, gn := range l.genes {
		count[key{gn.From, gn.To}]++
	}
	seen := map[key]int{}
	type placed struct {
		gn     Gene
		c      edgeCurve
		lx, ly float64
		w      float64
	}
	var edges []placed
	for _, gn := range l.genes {
		if gn.From < 0 || gn.To <= gn.From || gn.To >= out {
			continue // Validate rejects these; draw what can be drawn.
		}
		k := key{gn.From, gn.To}
		bend := (float64(seen[k]) - float64(count[k]-1)/2) * 22
		seen[k]++
		c := l.curve(gn.From, gn.To, bend)
		if l.depth[gn.To]-l.depth[gn.From] > 1 {
			c = l.avoidNodes(gn.From, gn.To, bend)
		}
		w := float64(len(gn.Op))*drawCharW + 6
		lx, ly := c.at(0.66)
		for _, t := range []float64{0.66, 0.54, 0.78, 0.42, 0.86, 0.3, 0.6, 0.72} {
			x, y := c.at(t)
			bx := box{x - w/2, y - drawLabelH/2, x + w/2, y + drawLabelH/2}
			if !slices.ContainsFunc(taken, bx.overlaps) {
				lx, ly = x, y
				break
			}
		}
		taken = append(taken, box{lx - w/2, ly - drawLabelH/2, lx + w/2, ly + drawLabelH/2})
		edges = append(edges, placed{gn, c, lx, ly, w})
	}
	// Arrows to the output first, then gene arrows, then labels, then nodes on top.
	for _, s := range l.concatSources() {
		c := l.curve(s, out, 0)
		if l.depth[out]-l.depth[s] > 1 {
			c = l.avoidNodes(s, out, 0)
		}
		fmt.Fprintf(b, `<path class="concat" d="%s" fill="none" stroke="%s" stroke-width="1.2" stroke-dasharray="4 3" marker-end="url(#genotype-arrow-concat)"/>`+"\n", c.path(), colourConcat)
	}
	for _, e := range edges {
		f := OpFamily(e.gn.Op)
		fmt.Fprintf(b, `<path class="edge" data-op="%s" data-from="%d" data-to="%d" d="%s" fill="none" stroke="%s" stroke-width="2" marker-end="url(#genotype-arrow-%s)"/>`+"\n",
			html.EscapeString(e.gn.Op), e.gn.From, e.gn.To, e.c.path(), familyColours[f], f)
	}
	for _, e := range edges {
		fmt.Fprintf(b, `<rect x="%s" y="%s" width="%s" height="%s" rx="3" fill="#ffffff" fill-opacity="0.85"/>`+"\n",
			num(e.lx-e.w/2), num(e.ly-drawLabelH/2), num(e.w), num(drawLabelH))
		fmt.Fprintf(b, `<text class="label" x="%s" y="%s" text-anchor="middle" dominant-baseline="central" fill="%s">%s</text>`+"\n",
			num(e.lx), num(e.ly), familyColours[OpFamily(e.gn.Op)], html.EscapeString(e.gn.Op))
	}
	for s := range l.depth {
		fill, label, dash, class := colourNode, stateName(s), "", "node"
		switch {
		case s < 2:
			fill, class = colourInput, "input"
		case s == out:
			fill, label, class = colourOutput, "c_{k}", "output"
		case l.empty[s]:
			fill, dash = "#eeeeee", ` stroke-dasharray="3 2"`
		}
		fmt.Fprintf(b, `<g class="%s" data-state="%d">`, class, s)
		if class == "node" && l.empty[s] {
			b.WriteString("<title>no input</title>")
		}
		fmt.Fprintf(b, `<rect x="%s" y="%s" width="%s" height="%s" rx="6" fill="%s" stroke="#333333"%s/><text x="%s" y="%s" text-anchor="middle" dominant-baseline="central">%s</text></g>`+"\n",
			num(l.x[s]-drawNodeW/2), num(l.y[s]-drawNodeH/2), num(drawNodeW), num(drawNodeH), fill, dash, num(l.x[s]), num(l.y[s]), html.EscapeString(label))
	}
	b.WriteString("</g>\n")
}

// DOT returns the given cells of g (both when none is given) as a graphviz digraph, laid
// out left to right like the SVG; several cells become clusters of one graph.
func DOT(g *Genotype, kinds ...CellKind) []byte {
	if len(kinds) == 0 {
		kinds = []CellKind{Normal, Reduce}
	}
	var b bytes.Buffer
	b.WriteString("digraph genotype {\n")
	b.WriteString("  rankdir=LR;\n")
	b.WriteString("  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=12];\n")
	b.WriteString("  edge [fontname=\"Helvetica\", fontsize=11];\n")
	for _, k := range kinds {
		l := layoutCell(g, k)
		out := len(l.depth) - 1
		id := func(s int) string { return fmt.Sprintf("%q", k.String()+"/"+stateName(s)) }
		fmt.Fprintf(&b, "  subgraph cluster_%s {\n", k)
		title := cellTitle(k)
		if g.Space != "" {
			title += " (" + g.Space + ")"
		}
		fmt.Fprintf(&b, "    label=%q;\n", title)
		for s := range l.depth {
			label, fill, extra := stateName(s), colourNode, ""
			switch {
			case s < 2:
				fill = colourInput
			case s == out:
				label, fill = "c_{k}", colourOutput
			case l.empty[s]:
				fill, extra = "#eeeeee", `, style="rounded,filled,dashed", tooltip="no input"`
			}
			fmt.Fprintf(&b, "    %s [label=%q, fillcolor=%q%s];\n", id(s), label, fill, extra)
		}
		for _, gn := range l.genes {
			if gn.From < 0 || gn.To <= gn.From || gn.To >= out {
				continue
			}
			c := FamilyColour(gn.Op)
			fmt.Fprintf(&b, "    %s -> %s [label=%q, color=%q, fontcolor=%q];\n", id(gn.From), id(gn.To), gn.Op, c, c)
		}
		for _, s := range l.concatSources() {
			fmt.Fprintf(&b, "    %s -> %s [color=%q, style=dashed];\n", id(s), id(out), colourConcat)
		}
		b.WriteString("  }\n")
	}
	b.WriteString("}\n")
	return b.Bytes()
}
