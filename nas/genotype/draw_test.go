package genotype

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// svgCell is what a test reads back from one cell group of a diagram.
type svgCell struct {
	kind   string
	top    float64
	edges  []string // "op from to" per gene arrow
	labels []string
	nodes  []string
	empty  []string // labels of nodes drawn as empty
	concat int
	boxes  []box // label boxes (white rects)
	points [][2]float64
}

// readSVG parses a diagram with encoding/xml and collects its cells.
func readSVG(t *testing.T, data []byte) (cells []*svgCell, width, height float64) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	var cur *svgCell
	var inLabel, inNode, nodeEmpty bool
	depth, cellDepth := 0, -1
	attr := func(se xml.StartElement, name string) string {
		for _, a := range se.Attr {
			if a.Name.Local == name {
				return a.Value
			}
		}
		return ""
	}
	f := func(se xml.StartElement, name string) float64 {
		v, err := strconv.ParseFloat(attr(se, name), 64)
		if err != nil {
			t.Fatalf("<%s %s=%q>: %v", se.Name.Local, name, attr(se, name), err)
		}
		return v
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case tk.Name.Local == "svg":
				width, height = f(tk, "width"), f(tk, "height")
				if attr(tk, "xmlns") != "http://www.w3.org/2000/svg" && tk.Name.Space != "http://www.w3.org/2000/svg" {
					t.Errorf("svg without the SVG namespace")
				}
			case tk.Name.Local == "g" && attr(tk, "class") == "cell":
				var top float64
				if _, err := fmt.Sscanf(attr(tk, "transform"), "translate(0 %g)", &top); err != nil {
					t.Fatalf("cell transform %q: %v", attr(tk, "transform"), err)
				}
				cur = &svgCell{kind: attr(tk, "data-cell"), top: top}
				cells = append(cells, cur)
				cellDepth = depth
			case cur == nil:
			case tk.Name.Local == "path" && attr(tk, "class") == "edge":
				cur.edges = append(cur.edges, attr(tk, "data-op")+" "+attr(tk, "data-from")+" "+attr(tk, "data-to"))
				for _, fld := range strings.FieldsFunc(attr(tk, "d"), func(r rune) bool { return r == 'M' || r == 'C' || r == ',' }) {
					var x, y float64
					if _, err := fmt.Sscanf(fld, "%g %g", &x, &y); err != nil {
						t.Fatalf("path d %q: %v", attr(tk, "d"), err)
					}
					cur.points = append(cur.points, [2]float64{x, y + cur.top})
				}
			case tk.Name.Local == "path" && attr(tk, "class") == "concat":
				cur.concat++
			case tk.Name.Local == "text" && attr(tk, "class") == "label":
				inLabel = true
			case tk.Name.Local == "rect" && attr(tk, "fill") == "#ffffff" && !inNode:
				x, y := f(tk, "x"), f(tk, "y")
				cur.boxes = append(cur.boxes, box{x, y, x + f(tk, "width"), y + f(tk, "height")})
			case tk.Name.Local == "g" && slices.Contains([]string{"node", "input", "output"}, attr(tk, "class")):
				inNode, nodeEmpty = true, false
			case tk.Name.Local == "title" && inNode:
				nodeEmpty = true
			case tk.Name.Local == "rect" && inNode:
				x, y := f(tk, "x"), f(tk, "y")+cur.top
				cur.points = append(cur.points, [2]float64{x, y}, [2]float64{x + f(tk, "width"), y + f(tk, "height")})
			}
		case xml.CharData:
			s := strings.TrimSpace(string(tk))
			if cur != nil && inLabel && s != "" {
				cur.labels = append(cur.labels, s)
			}
			if cur != nil && inNode && s != "" && s != "no input" {
				cur.nodes = append(cur.nodes, s)
				if nodeEmpty {
					cur.empty = append(cur.empty, s)
				}
			}
		case xml.EndElement:
			if tk.Name.Local == "text" {
				inLabel = false
			}
			if tk.Name.Local == "g" && inNode {
				inNode = false
			}
			if tk.Name.Local == "g" && depth == cellDepth {
				cur, cellDepth = nil, -1
			}
			depth--
		}
	}
	return cells, width, height
}

func TestSVG(t *testing.T) {
	tests := []struct {
		name  string
		kinds []CellKind
		want  []string // cell kinds drawn
	}{
		{"DARTS_V2", nil, []string{"normal", "reduce"}},
		{"DARTS_V1", []CellKind{Reduce}, []string{"reduce"}},
		{"FairDARTS_a", []CellKind{Normal}, []string{"normal"}},
		{"FairDARTS_c", nil, []string{"normal", "reduce"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, _ := ByName(tc.name)
			data := SVG(g, tc.kinds...)
			if !bytes.Equal(data, SVG(g, tc.kinds...)) {
				t.Fatal("two drawings of the same genotype differ")
			}
			cells, width, height := readSVG(t, data)
			var kinds []string
			for _, c := range cells {
				kinds = append(kinds, c.kind)
			}
			if !slices.Equal(kinds, tc.want) {
				t.Fatalf("cells %v, want %v", kinds, tc.want)
			}
			for _, c := range cells {
				kind := Normal
				if c.kind == "reduce" {
					kind = Reduce
				}
				var wantEdges, wantLabels []string
				for _, gn := range g.Genes(kind) {
					wantEdges = append(wantEdges, fmt.Sprintf("%s %d %d", gn.Op, gn.From, gn.To))
					wantLabels = append(wantLabels, gn.Op)
				}
				slices.Sort(wantEdges)
				slices.Sort(wantLabels)
				slices.Sort(c.edges)
				slices.Sort(c.labels)
				if !slices.Equal(c.edges, wantEdges) {
					t.Errorf("%s arrows %v\nwant %v", c.kind, c.edges, wantEdges)
				}
				if !slices.Equal(c.labels, wantLabels) {
					t.Errorf("%s labels %v\nwant %v", c.kind, c.labels, wantLabels)
				}
				wantNodes := []string{"c_{k-2}", "c_{k-1}", "0", "1", "2", "3", "c_{k}"}
				got := slices.Clone(c.nodes)
				slices.Sort(got)
				slices.Sort(wantNodes)
				if !slices.Equal(got, wantNodes) {
					t.Errorf("%s nodes %v, want %v", c.kind, c.nodes, wantNodes)
				}
				var wantEmpty []string
				for _, n := range g.Empty().Normal {
					if kind == Normal {
						wantEmpty = append(wantEmpty, fmt.Sprint(n))
					}
				}
				for _, n := range g.Empty().Reduce {
					if kind == Reduce {
						wantEmpty = append(wantEmpty, fmt.Sprint(n))
					}
				}
				if !slices.Equal(c.empty, wantEmpty) {
					t.Errorf("%s empty nodes drawn %v, want %v", c.kind, c.empty, wantEmpty)
				}
				if want := len(g.Concat(kind)) - len(wantEmpty); c.concat != want {
					t.Errorf("%s concat arrows %d, want %d", c.kind, c.concat, want)
				}
				for _, p := range c.points {
					if p[0] < 0 || p[0] > width || p[1] < 0 || p[1] > height {
						t.Errorf("%s point %v outside the %gx%g picture", c.kind, p, width, height)
						break
					}
				}
				for i, a := range c.boxes {
					for _, b := range c.boxes[i+1:] {
						if a.overlaps(b) {
							t.Errorf("%s labels overlap: %v %v", c.kind, a, b)
						}
					}
				}
			}
		})
	}
}

func TestDOT(t *testing.T) {
	for _, name := range []string{"DARTS_V2", "FairDARTS_a"} {
		g, _ := ByName(name)
		dot := string(DOT(g))
		if !strings.HasPrefix(dot, "digraph genotype {\n") || !strings.HasSuffix(dot, "  }\n}\n") || strings.Count(dot, "subgraph cluster_") != 2 {
			t.Errorf("%s: not one digraph with two clusters:\n%s", name, dot)
		}
		arrows := 0
		for _, kind := range []CellKind{Normal, Reduce} {
			for _, gn := range g.Genes(kind) {
				line := fmt.Sprintf("%q -> %q [label=%q", kind.String()+"/"+stateName(gn.From), kind.String()+"/"+stateName(gn.To), gn.Op)
				if !strings.Contains(dot, line) {
					t.Errorf("%s: DOT lacks %s", name, line)
				}
				arrows++
			}
			e := g.Empty()
			empty := len(e.Normal)
			if kind == Reduce {
				empty = len(e.Reduce)
			}
			arrows += len(g.Concat(kind)) - empty
		}
		if got := strings.Count(dot, " -> "); got != arrows {
			t.Errorf("%s: %d arrows, want %d", name, got, arrows)
		}
		if only := string(DOT(g, Reduce)); strings.Contains(only, "normal/") || !strings.Contains(only, "reduce/") {
			t.Errorf("%s: DOT(g, Reduce) draws the normal cell", name)
		}
	}
}

func TestOpFamily(t *testing.T) {
	tests := map[string]string{
		None: "none", MaxPool3x3: "pool", AvgPool3x3: "pool", SkipConnect: "skip",
		SepConv3x3: "sep_conv", SepConv5x5: "sep_conv", DilConv3x3: "dil_conv", DilConv5x5: "dil_conv",
		NorConv1x1: "conv", NorConv3x3: "conv", VariableConv: "conv", Noise: "noise", "mystery": "other",
	}
	for op, want := range tests {
		if got := OpFamily(op); got != want {
			t.Errorf("OpFamily(%s) = %s, want %s", op, got, want)
		}
	}
}
