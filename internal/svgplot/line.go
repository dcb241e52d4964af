package svgplot

import (
	"math"
	"strings"
)

// A Series is one line of a LineChart.
type Series struct {
	// Name labels the series in the legend.
	Name string
	// X holds the x values; nil means 0, 1, 2, … (the index of each Y value).
	X []float64
	// Y holds the y values; NaN or ±Inf (and, with LogY, values ≤ 0) leave a gap.
	Y []float64
	// Lo and Hi, when both non-nil and as long as Y, are drawn as a shaded band behind the
	// line, e.g. the first and third quartiles around a median.
	Lo, Hi []float64
	// Color is any SVG colour; empty picks Palette[i % len(Palette)] for the i-th series.
	Color string
	// Dashed draws the line dashed.
	Dashed bool
}

// A LineChart plots several series against shared axes, with a legend on the right.
type LineChart struct {
	Title, XLabel, YLabel string
	// Width and Height are in pixels; 0 means 640 × 400.
	Width, Height int
	// LogY puts the y axis on a log scale (ticks at powers of ten when the data span two
	// decades or more). Non-positive y values are then skipped like NaN.
	LogY bool
	// YInclude lists y values the axis must cover even if no data reach them, e.g. 0 and 1
	// for weights in [0, 1], or a known optimum.
	YInclude []float64
	// MaxPoints thins each series to about this many points (every k-th point, plus the
	// last) to keep files small; 0 means 2000, negative means never thin.
	MaxPoints int
	Series    []Series
}

// point is a finite data point in data coordinates.
type point struct{ x, y float64 }

// pieces splits a series into runs of drawable points. band selects the Lo/Hi band: each
// point then carries y = Lo (in pts) and its Hi in his.
func (s Series) pieces(logY bool, band bool, maxPoints int) (runs [][]point, his [][]float64) {
	n := len(s.Y)
	if s.X != nil && len(s.X) < n {
		n = len(s.X)
	}
	if band && (len(s.Lo) < n || len(s.Hi) < n) {
		return nil, nil
	}
	stride := 1
	if maxPoints > 0 && n > maxPoints {
		stride = (n + maxPoints - 1) / maxPoints
	}
	ok := func(v float64) bool { return finite(v) && (!logY || v > 0) }
	var cur []point
	var curHi []float64
	flush := func() {
		if len(cur) > 0 {
			runs = append(runs, cur)
			his = append(his, curHi)
		}
		cur, curHi = nil, nil
	}
	for i := 0; i < n; i++ {
		if i%stride != 0 && i != n-1 {
			continue
		}
		x := float64(i)
		if s.X != nil {
			x = s.X[i]
		}
		y, hi := s.Y[i], 0.0
		if band {
			y, hi = s.Lo[i], s.Hi[i]
		}
		if !finite(x) || !ok(y) || (band && !ok(hi)) {
			flush()
			continue
		}
		cur = append(cur, point{x, y})
		curHi = append(curHi, hi)
	}
	flush()
	return runs, his
}

// frame maps data coordinates to pixels inside a plot rectangle.
type frame struct {
	px0, py0, px1, py1 float64 // plot rectangle: left, top, right, bottom
	x0, x1, y0, y1     float64 // data range (y in log10 when logY)
	logY               bool
}

func (f frame) sx(x float64) float64 {
	return f.px0 + (x-f.x0)/(f.x1-f.x0)*(f.px1-f.px0)
}

func (f frame) sy(y float64) float64 {
	if f.logY {
		y = math.Log10(y)
	}
	return f.py1 - (y-f.y0)/(f.y1-f.y0)*(f.py1-f.py0)
}

// SVG renders the chart as a complete <svg> element.
func (lc LineChart) SVG() []byte {
	w, h := lc.Width, lc.Height
	if w <= 0 || h <= 0 {
		w, h = 640, 400
	}
	var c canvas
	c.open(w, h)
	colors := make([]string, len(lc.Series))
	for i, s := range lc.Series {
		colors[i] = s.Color
		if colors[i] == "" {
			colors[i] = Palette[i%len(Palette)]
		}
	}
	lc.render(&c, 0, 0, float64(w), float64(h), false, colors)
	return c.close()
}

// render draws the chart into the rectangle (ox, oy, w, h) of c. compact drops the legend
// and axis labels' room and uses fewer ticks, for SmallMultiples.
func (lc LineChart) render(c *canvas, ox, oy, w, h float64, compact bool, colors []string) {
	maxPts := lc.MaxPoints
	if maxPts == 0 {
		maxPts = 2000
	}
	fontSize, titleSize := 12.0, 14.0
	nTicksX, nTicksY := 6, 6
	if compact {
		fontSize, titleSize = 9, 10
		nTicksX, nTicksY = 3, 3
	}

	// Gather the drawable data and its range.
	type drawn struct {
		lines, bandLo [][]point
		bandHi        [][]float64
	}
	data := make([]drawn, len(lc.Series))
	xmin, xmax := math.Inf(1), math.Inf(-1)
	ymin, ymax := math.Inf(1), math.Inf(-1)
	haveData := false
	see := func(p point) {
		haveData = true
		xmin, xmax = math.Min(xmin, p.x), math.Max(xmax, p.x)
		ymin, ymax = math.Min(ymin, p.y), math.Max(ymax, p.y)
	}
	for i, s := range lc.Series {
		data[i].lines, _ = s.pieces(lc.LogY, false, maxPts)
		if s.Lo != nil && s.Hi != nil {
			data[i].bandLo, data[i].bandHi = s.pieces(lc.LogY, true, maxPts)
		}
		for _, run := range data[i].lines {
			for _, p := range run {
				see(p)
			}
		}
		for r, run := range data[i].bandLo {
			for k, p := range run {
				see(p)
				see(point{p.x, data[i].bandHi[r][k]})
			}
		}
	}

	// Layout: title on top, legend on the right, tick labels left and below.
	top := 10.0
	if lc.Title != "" {
		top += titleSize + 8
	}
	legendW := 0.0
	if !compact {
		for _, s := range lc.Series {
			legendW = math.Max(legendW, textWidth(s.Name, fontSize))
		}
		if legendW > 0 {
			legendW = math.Min(legendW, w/3) + 36
		}
	}
	left := 8 + 6*fontSize*0.6 + 8 // room for tick labels of about six characters
	if lc.YLabel != "" && !compact {
		left += fontSize + 6
	}
	bottom := 8 + fontSize + 6
	if lc.XLabel != "" && !compact {
		bottom += fontSize + 8
	}
	f := frame{px0: ox + left, py0: oy + top, px1: ox + w - 12 - legendW, py1: oy + h - bottom, logY: lc.LogY}
	if lc.Title != "" {
		c.text(ox+w/2, oy+10+titleSize, "middle", "title", ` font-size="`+num(titleSize)+`" font-weight="bold"`, lc.Title)
	}
	if !haveData || f.px1-f.px0 < 10 || f.py1-f.py0 < 10 {
		c.printf(`<rect class="axis" x="%s" y="%s" width="%s" height="%s" fill="none" stroke="#999"/>`,
			num(f.px0), num(f.py0), num(math.Max(f.px1-f.px0, 0)), num(math.Max(f.py1-f.py0, 0)))
		c.text((f.px0+f.px1)/2, (f.py0+f.py1)/2, "middle", "nodata", ` fill="#777" font-size="`+num(titleSize)+`"`, "no data")
		return
	}
	for _, v := range lc.YInclude {
		if finite(v) && (!lc.LogY || v > 0) {
			ymin, ymax = math.Min(ymin, v), math.Max(ymax, v)
		}
	}

	// Axes and ticks.
	// The x axis spans the data exactly (a plot of epochs 0..49 should not run to 60), with
	// the nice ticks that fall inside; the y axis widens to its outer ticks.
	if xmin == xmax {
		xmin, xmax = xmin-1, xmax+1
	}
	f.x0, f.x1 = xmin, xmax
	var xt []float64
	_, _, all := linearTicks(xmin, xmax, nTicksX)
	for _, v := range all {
		if v >= xmin-1e-9*(xmax-xmin) && v <= xmax+1e-9*(xmax-xmin) {
			xt = append(xt, v)
		}
	}
	xstep := niceStep(xmax-xmin, nTicksX)
	var yt []float64
	var ylabels []string
	if lc.LogY {
		var lo, hi float64
		lo, hi, yt, ylabels = logTicks(ymin, ymax, nTicksY)
		f.y0, f.y1 = math.Log10(lo), math.Log10(hi)
		if f.y0 == f.y1 {
			f.y0, f.y1 = f.y0-1, f.y1+1
		}
	} else {
		f.y0, f.y1, yt = linearTicks(ymin, ymax, nTicksY)
		ystep := niceStep(f.y1-f.y0, nTicksY)
		for _, v := range yt {
			ylabels = append(ylabels, tickLabel(v, ystep))
		}
	}
	tickAttr := ` fill="#444" font-size="` + num(fontSize) + `"`
	c.printf(`<g class="axis" stroke="#ddd" stroke-width="1">`)
	for _, v := range yt {
		y := f.sy(v)
		c.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s"/>`, num(f.px0), num(y), num(f.px1), num(y))
	}
	for _, v := range xt {
		x := f.sx(v)
		c.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s"/>`, num(x), num(f.py0), num(x), num(f.py1))
	}
	c.printf(`</g>`)
	c.printf(`<rect class="axis" x="%s" y="%s" width="%s" height="%s" fill="none" stroke="#888"/>`,
		num(f.px0), num(f.py0), num(f.px1-f.px0), num(f.py1-f.py0))
	for i, v := range yt {
		c.text(f.px0-5, f.sy(v)+fontSize*0.35, "end", "tick", tickAttr, ylabels[i])
	}
	for _, v := range xt {
		c.text(f.sx(v), f.py1+fontSize+4, "middle", "tick", tickAttr, tickLabel(v, xstep))
	}
	if !compact && lc.XLabel != "" {
		c.text((f.px0+f.px1)/2, oy+h-8, "middle", "label", "", lc.XLabel)
	}
	if !compact && lc.YLabel != "" {
		x, y := ox+6+fontSize, (f.py0+f.py1)/2
		c.text(x, y, "middle", "label", ` transform="rotate(-90 `+num(x)+` `+num(y)+`)"`, lc.YLabel)
	}

	// Bands first, then lines over them.
	for i := range lc.Series {
		for r, run := range data[i].bandLo {
			var d strings.Builder
			for k, p := range run {
				cmd := "L"
				if k == 0 {
					cmd = "M"
				}
				d.WriteString(cmd + num(f.sx(p.x)) + " " + num(f.sy(data[i].bandHi[r][k])))
			}
			for k := len(run) - 1; k >= 0; k-- {
				d.WriteString("L" + num(f.sx(run[k].x)) + " " + num(f.sy(run[k].y)))
			}
			c.printf(`<path class="band" d="%sZ" fill="%s" fill-opacity="0.18" stroke="none"/>`, d.String(), esc(colors[i]))
		}
	}
	width := "1.8"
	if compact {
		width = "1.2"
	}
	for i, s := range lc.Series {
		if len(data[i].lines) == 0 {
			continue
		}
		var d strings.Builder
		for _, run := range data[i].lines {
			for k, p := range run {
				cmd := "L"
				if k == 0 {
					cmd = "M"
				}
				d.WriteString(cmd + num(f.sx(p.x)) + " " + num(f.sy(p.y)))
			}
			if len(run) == 1 { // a lone point: a short tick so it stays visible
				d.WriteString("h0.01")
			}
		}
		dash := ""
		if s.Dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		c.printf(`<path class="series" d="%s" fill="none" stroke="%s" stroke-width="%s" stroke-linejoin="round" stroke-linecap="round"%s><title>%s</title></path>`,
			d.String(), esc(colors[i]), width, dash, esc(s.Name))
	}

	// Legend.
	if !compact && legendW > 0 {
		lx, ly := f.px1+14, f.py0+4
		c.printf(`<g class="legend">`)
		for i, s := range lc.Series {
			y := ly + float64(i)*(fontSize+6)
			dash := ""
			if s.Dashed {
				dash = ` stroke-dasharray="4 3"`
			}
			c.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2.5"%s/>`,
				num(lx), num(y+fontSize*0.6), num(lx+16), num(y+fontSize*0.6), esc(colors[i]), dash)
			c.text(lx+20, y+fontSize, "start", "legend-label", "", clip(s.Name, legendW-36, fontSize))
		}
		c.printf(`</g>`)
	}
}

// clip shortens s with an ellipsis to fit width at the given font size.
func clip(s string, width, size float64) string {
	if textWidth(s, size) <= width {
		return s
	}
	r := []rune(s)
	n := int(width/(0.6*size)) - 1
	if n < 1 {
		n = 1
	}
	if n >= len(r) {
		return s
	}
	return string(r[:n]) + "…"
}
