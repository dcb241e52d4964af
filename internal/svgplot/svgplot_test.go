package svgplot

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
)

// element is one decoded start element.
type element struct {
	name  string
	attrs map[string]string
	text  string // character data directly inside it
	title string // text of a <title> child: the tooltip, which names a series
}

// parse decodes svg with encoding/xml, failing the test if it is not well-formed, and
// returns its elements in document order.
func parse(t *testing.T, svg []byte) []element {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(svg))
	var els []element
	var stack []int
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, svg)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			e := element{name: tk.Name.Local, attrs: map[string]string{}}
			for _, a := range tk.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			els = append(els, e)
			stack = append(stack, len(els)-1)
		case xml.EndElement:
			if n := len(stack); n >= 2 && els[stack[n-1]].name == "title" {
				els[stack[n-2]].title = els[stack[n-1]].text
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				els[stack[len(stack)-1]].text += string(tk)
			}
		}
	}
	if len(els) == 0 || els[0].name != "svg" {
		t.Fatalf("root element is not <svg>:\n%s", svg)
	}
	root := els[0]
	for _, a := range []string{"width", "height", "viewBox", "xmlns"} {
		if root.attrs[a] == "" {
			t.Errorf("<svg> lacks %s", a)
		}
	}
	if want := "0 0 " + root.attrs["width"] + " " + root.attrs["height"]; root.attrs["viewBox"] != want {
		t.Errorf("viewBox %q, want %q", root.attrs["viewBox"], want)
	}
	for _, bad := range []string{"NaN", "Inf", "href", "url(", "<script", "@import"} {
		if bytes.Contains(svg, []byte(bad)) {
			t.Errorf("output contains %q", bad)
		}
	}
	return els
}

func withClass(els []element, class string) []element {
	var out []element
	for _, e := range els {
		for _, c := range strings.Fields(e.attrs["class"]) {
			if c == class {
				out = append(out, e)
				break
			}
		}
	}
	return out
}

// pathPoints returns the number of M/L commands of a path and checks every coordinate is
// a finite number inside the svg's box.
func pathPoints(t *testing.T, d string, w, h float64) (moves, lines int) {
	t.Helper()
	d = strings.ReplaceAll(d, "h0.01", "") // the tick that keeps a lone point visible
	fields := strings.FieldsFunc(d, func(r rune) bool { return r == ' ' || r == 'M' || r == 'L' || r == 'Z' || r == 'h' })
	moves, lines = strings.Count(d, "M"), strings.Count(d, "L")
	for i, f := range fields {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("path %q: bad number %q", d, f)
		}
		limit := w
		if i%2 == 1 {
			limit = h
		}
		if v < 0 || v > limit {
			t.Errorf("path coordinate %v outside the %vx%v canvas", v, w, h)
		}
	}
	return moves, lines
}

func TestLineChart(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	cases := []struct {
		name       string
		chart      LineChart
		wantSeries int
		wantPoints []int // drawn points per series (M + L commands)
		wantPieces []int // M commands per series
		wantBands  int
		wantNoData bool
	}{
		{
			name: "two series with band",
			chart: LineChart{Title: "Convergence", XLabel: "evaluations", YLabel: "f − f*", Series: []Series{
				{Name: "adam", Y: []float64{5, 4, 3, 2}, Lo: []float64{4, 3, 2, 1}, Hi: []float64{6, 5, 4, 3}},
				{Name: "cmaes", X: []float64{10, 20, 30}, Y: []float64{1, 2, 3}},
			}},
			wantSeries: 2, wantPoints: []int{4, 3}, wantPieces: []int{1, 1}, wantBands: 1,
		},
		{
			name: "non-finite points leave gaps",
			chart: LineChart{Series: []Series{
				{Name: "gappy", Y: []float64{1, nan, 2, 3, inf, -inf, 4, 5}},
				{Name: "bad x", X: []float64{0, nan, 2}, Y: []float64{1, 2, 3}},
			}},
			wantSeries: 2, wantPoints: []int{5, 2}, wantPieces: []int{3, 2},
		},
		{
			name: "log y skips non-positive values",
			chart: LineChart{LogY: true, Series: []Series{
				{Name: "loss", Y: []float64{100, 10, 0, 1, 0.1, -1, 0.001}},
			}},
			wantSeries: 1, wantPoints: []int{5}, wantPieces: []int{3},
		},
		{
			name:       "one constant point",
			chart:      LineChart{Series: []Series{{Name: "flat", Y: []float64{7}}}},
			wantSeries: 1, wantPoints: []int{1}, wantPieces: []int{1},
		},
		{name: "no series", chart: LineChart{Title: "empty"}, wantNoData: true},
		{
			name:       "only NaN",
			chart:      LineChart{Series: []Series{{Name: "x", Y: []float64{nan, nan}}}},
			wantNoData: true,
		},
		{
			name:       "thinned",
			chart:      LineChart{MaxPoints: 10, Series: []Series{{Name: "long", Y: make([]float64, 100)}}},
			wantSeries: 1, wantPoints: []int{11}, wantPieces: []int{1},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			svg := c.chart.SVG()
			els := parse(t, svg)
			w, _ := strconv.ParseFloat(els[0].attrs["width"], 64)
			h, _ := strconv.ParseFloat(els[0].attrs["height"], 64)
			if got := len(withClass(els, "nodata")); (got > 0) != c.wantNoData {
				t.Fatalf("%d \"no data\" marks, want %v", got, c.wantNoData)
			}
			series := withClass(els, "series")
			if len(series) != c.wantSeries {
				t.Fatalf("%d series paths, want %d", len(series), c.wantSeries)
			}
			for i, p := range series {
				if p.title != c.chart.Series[i].Name {
					t.Errorf("series %d titled %q, want %q", i, p.title, c.chart.Series[i].Name)
				}
				m, l := pathPoints(t, p.attrs["d"], w, h)
				if m+l != c.wantPoints[i] || m != c.wantPieces[i] {
					t.Errorf("series %d: %d points in %d pieces, want %d in %d (d=%q)", i, m+l, m, c.wantPoints[i], c.wantPieces[i], p.attrs["d"])
				}
			}
			if got := len(withClass(els, "band")); got != c.wantBands {
				t.Errorf("%d bands, want %d", got, c.wantBands)
			}
			if c.chart.Title != "" && len(withClass(els, "title")) != 1 {
				t.Error("title missing")
			}
			if !bytes.Equal(svg, c.chart.SVG()) {
				t.Error("two renders differ")
			}
		})
	}
}

// TestLineChartGeometry checks that a larger y value is drawn higher, on both axis kinds,
// and that the ticks cover the data.
func TestLineChartGeometry(t *testing.T) {
	for _, logY := range []bool{false, true} {
		lc := LineChart{LogY: logY, Series: []Series{{Name: "s", X: []float64{1, 2}, Y: []float64{0.5, 300}}}}
		els := parse(t, lc.SVG())
		d := withClass(els, "series")[0].attrs["d"]
		var x0, y0, x1, y1 float64
		if _, err := fmtSscanf(d, &x0, &y0, &x1, &y1); err != nil {
			t.Fatalf("path %q: %v", d, err)
		}
		if !(x1 > x0 && y1 < y0) {
			t.Errorf("logY=%v: path %q, want the second point right of and above the first", logY, d)
		}
		if len(withClass(els, "tick")) < 4 {
			t.Errorf("logY=%v: only %d tick labels", logY, len(withClass(els, "tick")))
		}
	}
}

func fmtSscanf(d string, x0, y0, x1, y1 *float64) (int, error) {
	d = strings.NewReplacer("M", " ", "L", " ").Replace(d)
	f := strings.Fields(d)
	vals := []*float64{x0, y0, x1, y1}
	for i, p := range vals {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return i, err
		}
		*p = v
	}
	return 4, nil
}

func TestEscaping(t *testing.T) {
	name := `a<b & "c" 'd'` + "\x01"
	lc := LineChart{Title: "<script>alert(1)</script>", XLabel: "x & y", Series: []Series{{Name: name, Y: []float64{1, 2}}}}
	els := parse(t, lc.SVG())
	if got := withClass(els, "series")[0].title; got != `a<b & "c" 'd'` {
		t.Errorf("series name decodes to %q", got)
	}
	if got := withClass(els, "title")[0].text; got != "<script>alert(1)</script>" {
		t.Errorf("title decodes to %q", got)
	}
	hm := Heatmap{Title: "<&>", RowLabels: []string{"r<1>"}, ColLabels: []string{`c"1"`}, Values: [][]float64{{1}}}
	parse(t, hm.SVG())
}

func TestHeatmap(t *testing.T) {
	nan := math.NaN()
	hm := Heatmap{
		Title:      "final weights",
		RowLabels:  []string{"edge 0", "edge 1", "edge 2"},
		ColLabels:  []string{"none", "skip_connect", "sep_conv_3x3"},
		Values:     [][]float64{{0.1, 0.9, 0.5}, {nan, 0.2, 0.3}, {1, 0}},
		ShowValues: true,
	}
	svg := hm.SVG()
	els := parse(t, svg)
	cells := withClass(els, "cell")
	if len(cells) != 9 {
		t.Fatalf("%d cells, want 9", len(cells))
	}
	if got := len(withClass(els, "missing")); got != 2 {
		t.Errorf("%d missing cells, want 2 (one NaN, one ragged)", got)
	}
	// The scale spans the data: the largest value gets the last stop, the smallest the first.
	fills := map[string]bool{}
	for _, c := range cells {
		fills[c.attrs["fill"]] = true
	}
	if !fills[viridis[0]] || !fills[viridis[len(viridis)-1]] {
		t.Errorf("fills %v lack the ends of the scale %s and %s", fills, viridis[0], viridis[len(viridis)-1])
	}
	if got := len(withClass(els, "row-label")); got != 3 {
		t.Errorf("%d row labels, want 3", got)
	}
	if got := len(withClass(els, "col-label")); got != 3 {
		t.Errorf("%d column labels, want 3", got)
	}
	if got := len(withClass(els, "cell-value")); got != 7 {
		t.Errorf("%d printed values, want 7", got)
	}
	if !bytes.Equal(svg, hm.SVG()) {
		t.Error("two renders differ")
	}
	for _, empty := range []Heatmap{{}, {Values: [][]float64{{nan}}}} {
		if els := parse(t, empty.SVG()); len(withClass(els, "nodata")) != 1 {
			t.Error("empty heatmap without \"no data\"")
		}
	}
}

func TestInterpolate(t *testing.T) {
	stops := []string{"#000000", "#ff0080"}
	for _, c := range []struct {
		t    float64
		want string
	}{{0, "#000000"}, {1, "#ff0080"}, {0.5, "#800040"}} {
		if got := interpolate(stops, c.t); got != c.want {
			t.Errorf("interpolate(%v) = %s, want %s", c.t, got, c.want)
		}
	}
}

func TestSmallMultiples(t *testing.T) {
	ops := []string{"none", "skip_connect", "sep_conv_3x3"}
	var charts []LineChart
	for e := 0; e < 5; e++ {
		lc := LineChart{Title: "edge " + strconv.Itoa(e), YInclude: []float64{0, 1}}
		for k, op := range ops {
			ys := make([]float64, 20)
			for i := range ys {
				ys[i] = 1 / (1 + math.Exp(-float64(i-10*k+e)/5))
			}
			lc.Series = append(lc.Series, Series{Name: op, Y: ys})
		}
		charts = append(charts, lc)
	}
	charts = append(charts, LineChart{Title: "empty edge"})
	sm := SmallMultiples{Title: "α over epochs", Charts: charts, Columns: 3, XLabel: "epoch", YLabel: "σ(α)"}
	svg := sm.SVG()
	els := parse(t, svg)
	if got := len(withClass(els, "chart")); got != 6 {
		t.Errorf("%d charts, want 6", got)
	}
	if got := len(withClass(els, "series")); got != 15 {
		t.Errorf("%d series paths, want 15", got)
	}
	if got := len(withClass(els, "nodata")); got != 1 {
		t.Errorf("%d \"no data\" marks, want 1 for the empty edge", got)
	}
	if got := len(withClass(els, "legend-label")); got != 3 {
		t.Errorf("%d legend entries, want one per op (3)", got)
	}
	// One colour per op across all charts.
	colour := map[string]string{}
	for _, p := range withClass(els, "series") {
		if c, ok := colour[p.title]; ok && c != p.attrs["stroke"] {
			t.Errorf("op %s drawn in %s and %s", p.title, c, p.attrs["stroke"])
		}
		colour[p.title] = p.attrs["stroke"]
	}
	if len(colour) != 3 {
		t.Errorf("series named %v, want the 3 ops", colour)
	}
	if !bytes.Equal(svg, sm.SVG()) {
		t.Error("two renders differ")
	}
	if els := parse(t, (SmallMultiples{}).SVG()); len(withClass(els, "nodata")) != 1 {
		t.Error("empty grid without \"no data\"")
	}
}

func TestTicks(t *testing.T) {
	lo, hi, ticks := linearTicks(0.13, 9.7, 5)
	if lo > 0.13 || hi < 9.7 || len(ticks) < 3 {
		t.Errorf("linearTicks(0.13, 9.7) = [%v, %v] %v", lo, hi, ticks)
	}
	for _, v := range ticks {
		if l := tickLabel(v, 2); strings.Contains(l, "0000") {
			t.Errorf("tick label %q", l)
		}
	}
	if got := tickLabel(0.30000000000000004, 0.1); got != "0.3" {
		t.Errorf("tickLabel(0.3…) = %q", got)
	}
	_, _, lt, labels := logTicks(0.002, 500, 6)
	if len(lt) < 3 || labels[0] != "0.001" {
		t.Errorf("logTicks(0.002, 500) = %v %v", lt, labels)
	}
}

// TestOddRanges renders awkward inputs that have broken chart code before: equal values,
// huge and tiny magnitudes, negative values on a linear axis, a single x.
func TestOddRanges(t *testing.T) {
	cases := []LineChart{
		{Series: []Series{{Name: "equal", Y: []float64{3, 3, 3}}}},
		{LogY: true, Series: []Series{{Name: "equal log", Y: []float64{5, 5}}}},
		{Series: []Series{{Name: "huge", Y: []float64{-1e300, 1e300}}}},
		{Series: []Series{{Name: "tiny", Y: []float64{1e-300, 2e-300}}}},
		{LogY: true, Series: []Series{{Name: "decades", Y: []float64{1e-12, 1e12}}}},
		{Series: []Series{{Name: "one x", X: []float64{2, 2, 2}, Y: []float64{1, 2, 3}}}},
		{Series: []Series{{Name: "negative", Y: []float64{-5, -0.001, -3}}}},
		{Width: 30, Height: 20, Series: []Series{{Name: "too small", Y: []float64{1, 2}}}},
	}
	for _, lc := range cases {
		els := parse(t, lc.SVG())
		w, _ := strconv.ParseFloat(els[0].attrs["width"], 64)
		h, _ := strconv.ParseFloat(els[0].attrs["height"], 64)
		for _, p := range withClass(els, "series") {
			pathPoints(t, p.attrs["d"], w, h)
		}
		if len(withClass(els, "series"))+len(withClass(els, "nodata")) != 1 {
			t.Errorf("%s: want its series drawn or an explicit no-data mark", lc.Series[0].Name)
		}
	}
}
