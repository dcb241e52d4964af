// Package svgplot draws self-contained SVG charts (line charts with quartile bands,
// heatmaps and small multiples) as complete <svg> elements, deterministically.
//
// Every chart type is a plain struct; fill in its fields and call SVG, which returns a
// complete <svg> element with width, height and viewBox, ready to write to a .svg file (add
// the XML header with Document) or to inline in an HTML page. The output:
//
//   - fetches nothing: no external fonts, images, stylesheets or scripts;
//   - is deterministic: the same input gives the same bytes;
//   - uses no id attributes, so several charts can be inlined in one HTML page;
//   - escapes every piece of caller text (titles, labels, series names);
//   - skips non-finite points (NaN, ±Inf; and values ≤ 0 on a log axis): a gap breaks a
//     line into separate pieces, nothing is ever emitted as "NaN";
//   - draws an explicit "no data" chart when nothing is left to plot.
//
// Elements carry classes, so a page can restyle them and tests can find them: "series"
// (one path per line piece group, one per series with data), "band" (quartile bands),
// "legend", "axis", "tick", "title", "cell" (heatmap cells; "cell missing" for NaN),
// "chart" (one small chart of SmallMultiples), "nodata".
package svgplot

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Palette is the default series colours (Tableau 10), used in order; series beyond ten
// cycle through it.
var Palette = []string{
	"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
	"#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
}

// Document prefixes an <svg> element with the XML declaration, for a standalone .svg file.
func Document(svg []byte) []byte {
	return append([]byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"), svg...)
}

// canvas accumulates SVG markup.
type canvas struct{ b strings.Builder }

func (c *canvas) printf(format string, args ...any) { fmt.Fprintf(&c.b, format, args...) }

// open writes the <svg> root; close ends it.
func (c *canvas) open(w, h int) {
	c.printf(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`, w, h, w, h)
	c.printf(`<rect x="0" y="0" width="%d" height="%d" fill="#ffffff"/>`, w, h)
}

func (c *canvas) close() []byte {
	c.b.WriteString("</svg>\n")
	return []byte(c.b.String())
}

// text writes a text element; anchor is start, middle or end; extra holds raw attributes.
func (c *canvas) text(x, y float64, anchor, class, extra, s string) {
	c.printf(`<text class="%s" x="%s" y="%s" text-anchor="%s"%s>%s</text>`, class, num(x), num(y), anchor, extra, esc(s))
}

// num formats a coordinate with at most two decimals and no trailing zeros.
func num(v float64) string {
	s := strconv.FormatFloat(v, 'f', 2, 64)
	s = strings.TrimRight(s, "0")
	s = strings.TrimSuffix(s, ".")
	if s == "-0" {
		s = "0"
	}
	return s
}

// esc escapes text for element content and attribute values.
func esc(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&#39;")
		default:
			// Characters XML 1.0 forbids (most control characters) are dropped.
			if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// textWidth estimates the rendered width of s at the given font size (sans-serif averages
// about 0.6 em per character); layout only needs a rough figure.
func textWidth(s string, size float64) float64 {
	return 0.6 * size * float64(len([]rune(s)))
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// niceStep returns a step of 1, 2 or 5 times a power of ten near span/n.
func niceStep(span float64, n int) float64 {
	raw := span / float64(max(n, 1))
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	switch f := raw / p; {
	case f < 1.5:
		return p
	case f < 3:
		return 2 * p
	case f < 7:
		return 5 * p
	}
	return 10 * p
}

// linearTicks returns the axis range [lo, hi] widened to multiples of a nice step, and the
// ticks at those multiples (about n of them).
func linearTicks(lo, hi float64, n int) (tlo, thi float64, ticks []float64) {
	if lo == hi {
		d := math.Max(math.Abs(lo)*0.1, 1)
		lo, hi = lo-d, hi+d
	}
	step := niceStep(hi-lo, n)
	i0, i1 := math.Floor(lo/step+1e-9), math.Ceil(hi/step-1e-9)
	for i := i0; i <= i1; i++ {
		ticks = append(ticks, i*step)
	}
	return i0 * step, i1 * step, ticks
}

// tickLabel formats a tick value at the precision its step needs.
func tickLabel(v, step float64) string {
	if v == 0 {
		return "0"
	}
	if a := math.Abs(v); a >= 1e6 || a < 1e-4 {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	dec := 0
	if step < 1 {
		dec = int(math.Ceil(-math.Log10(step) - 1e-9))
	}
	return strconv.FormatFloat(v, 'f', dec, 64)
}

// logTicks returns the axis range and ticks for positive data on [lo, hi] on a log axis:
// powers of ten when the data span at least two decades (thinned to about n), otherwise
// nice linear values placed logarithmically.
func logTicks(lo, hi float64, n int) (tlo, thi float64, ticks []float64, labels []string) {
	e0, e1 := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if e1-e0 >= 2 {
		// Up to three decades also get ticks at 2 and 5 times each power of ten.
		mults := []float64{1}
		if e1-e0 <= 3 {
			mults = []float64{1, 2, 5}
		}
		stride := math.Ceil((e1 - e0) / float64(n))
		for e := e0; e <= e1; e += stride {
			for _, m := range mults {
				v := m * math.Pow(10, e)
				if v > math.Pow(10, e1)*(1+1e-12) {
					break
				}
				// Parse the formatted value so 2e-3 reads "0.002", not "0.0020000000000000005".
				v, _ = strconv.ParseFloat(strconv.FormatFloat(v, 'g', 3, 64), 64)
				label := strconv.FormatFloat(v, 'g', -1, 64)
				if a := math.Abs(v); a >= 1e-4 && a < 1e6 {
					label = strconv.FormatFloat(v, 'f', -1, 64)
				}
				ticks = append(ticks, v)
				labels = append(labels, label)
			}
		}
		return math.Pow(10, e0), math.Pow(10, e1), ticks, labels
	}
	step := niceStep(hi-lo, n)
	for i := math.Floor(lo / step); i*step <= hi*(1+1e-12); i++ {
		if v := i * step; v > 0 {
			ticks = append(ticks, v)
			labels = append(labels, tickLabel(v, step))
		}
	}
	tlo, thi = lo, hi
	if len(ticks) > 0 {
		tlo = math.Min(lo, ticks[0])
	}
	if tlo == thi {
		tlo, thi = tlo/2, thi*2
	}
	return tlo, thi, ticks, labels
}
