package svgplot

import (
	"math"
	"strconv"
)

// A Heatmap draws a rows × cols matrix as coloured cells with row and column labels and a
// colour bar.
type Heatmap struct {
	Title string
	// RowLabels and ColLabels name the rows and columns; missing labels are left blank.
	RowLabels, ColLabels []string
	// Values[r][c] is the value of row r, column c; rows may be ragged (missing cells are
	// drawn like NaN: grey, class "cell missing").
	Values [][]float64
	// Min and Max fix the colour scale; when Min == Max (e.g. both 0) the scale spans the
	// finite values.
	Min, Max float64
	// CellWidth and CellHeight are in pixels; 0 means 44 × 22.
	CellWidth, CellHeight int
	// ShowValues prints each value in its cell, with Decimals decimals (0 means 2).
	ShowValues bool
	Decimals   int
	// Colors are the colour-scale stops from Min to Max, as "#rrggbb"; nil means a
	// viridis-like sequential scale.
	Colors []string
}

// viridis approximates matplotlib's viridis at five stops: perceptually ordered and
// readable in grey scale.
var viridis = []string{"#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"}

// SVG renders the heatmap as a complete <svg> element.
func (hm Heatmap) SVG() []byte {
	cw, ch := float64(hm.CellWidth), float64(hm.CellHeight)
	if cw <= 0 {
		cw = 44
	}
	if ch <= 0 {
		ch = 22
	}
	rows := len(hm.Values)
	cols := 0
	for _, r := range hm.Values {
		cols = max(cols, len(r))
	}
	rows, cols = max(rows, len(hm.RowLabels)), max(cols, len(hm.ColLabels))
	stops := hm.Colors
	if len(stops) < 2 {
		stops = viridis
	}
	const fontSize = 11.0
	lo, hi := hm.Min, hm.Max
	if lo == hi || !finite(lo) || !finite(hi) {
		lo, hi = math.Inf(1), math.Inf(-1)
		for _, r := range hm.Values {
			for _, v := range r {
				if finite(v) {
					lo, hi = math.Min(lo, v), math.Max(hi, v)
				}
			}
		}
	}
	haveData := lo <= hi

	labelW := 0.0
	for _, l := range hm.RowLabels {
		labelW = math.Max(labelW, textWidth(l, fontSize))
	}
	colLabelH := 0.0
	for _, l := range hm.ColLabels {
		colLabelH = math.Max(colLabelH, textWidth(l, fontSize))
	}
	colLabelH = colLabelH*math.Sin(math.Pi/4) + fontSize // labels rotated 45°
	top := 10.0
	if hm.Title != "" {
		top += 22
	}
	gx, gy := 10+labelW+6, top+colLabelH+4
	if rows == 0 || cols == 0 || !haveData {
		w, h := 320, 200
		var c canvas
		c.open(w, h)
		if hm.Title != "" {
			c.text(float64(w)/2, 24, "middle", "title", ` font-size="14" font-weight="bold"`, hm.Title)
		}
		c.printf(`<rect class="axis" x="10" y="40" width="300" height="150" fill="none" stroke="#999"/>`)
		c.text(160, 120, "middle", "nodata", ` fill="#777" font-size="14"`, "no data")
		return c.close()
	}
	barX := gx + float64(cols)*cw + 16
	barW := 14.0
	w := int(math.Ceil(barX + barW + 6 + 8*fontSize*0.6 + 10))
	h := int(math.Ceil(math.Max(gy+float64(rows)*ch, top+120) + 12))
	if hm.Title != "" {
		w = max(w, int(textWidth(hm.Title, 14)+20))
	}
	var c canvas
	c.open(w, h)
	if hm.Title != "" {
		c.text(float64(w)/2, 24, "middle", "title", ` font-size="14" font-weight="bold"`, hm.Title)
	}
	dec := hm.Decimals
	if dec <= 0 {
		dec = 2
	}
	for r := 0; r < rows; r++ {
		y := gy + float64(r)*ch
		if r < len(hm.RowLabels) {
			c.text(gx-5, y+ch/2+fontSize*0.35, "end", "row-label", ` font-size="11"`, hm.RowLabels[r])
		}
		for col := 0; col < cols; col++ {
			x := gx + float64(col)*cw
			v := math.NaN()
			if r < len(hm.Values) && col < len(hm.Values[r]) {
				v = hm.Values[r][col]
			}
			if !finite(v) {
				c.printf(`<rect class="cell missing" x="%s" y="%s" width="%s" height="%s" fill="#dddddd" stroke="#ffffff"/>`, num(x), num(y), num(cw), num(ch))
				continue
			}
			t := 0.5
			if hi > lo {
				t = math.Min(math.Max((v-lo)/(hi-lo), 0), 1)
			}
			fill := interpolate(stops, t)
			c.printf(`<rect class="cell" x="%s" y="%s" width="%s" height="%s" fill="%s" stroke="#ffffff"><title>%s</title></rect>`,
				num(x), num(y), num(cw), num(ch), fill, esc(cellTitle(hm, r, col, v)))
			if hm.ShowValues {
				ink := "#ffffff"
				if luminance(fill) > 0.5 {
					ink = "#000000"
				}
				c.text(x+cw/2, y+ch/2+3.5, "middle", "cell-value", ` font-size="10" fill="`+ink+`"`, strconv.FormatFloat(v, 'f', dec, 64))
			}
		}
	}
	for col := 0; col < cols && col < len(hm.ColLabels); col++ {
		x, y := gx+float64(col)*cw+cw/2, gy-4
		c.text(x, y, "start", "col-label", ` font-size="11" transform="rotate(-45 `+num(x)+` `+num(y)+`)"`, hm.ColLabels[col])
	}
	// Colour bar, Max at the top.
	barH := math.Max(float64(rows)*ch, 100)
	const steps = 32
	c.printf(`<g class="colorbar">`)
	for i := 0; i < steps; i++ {
		t := 1 - (float64(i)+0.5)/steps
		c.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`,
			num(barX), num(gy+float64(i)*barH/steps), num(barW), num(barH/steps+0.5), interpolate(stops, t))
	}
	c.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="none" stroke="#888"/>`, num(barX), num(gy), num(barW), num(barH))
	c.text(barX+barW+4, gy+fontSize*0.8, "start", "tick", ` font-size="11"`, strconv.FormatFloat(hi, 'g', 4, 64))
	c.text(barX+barW+4, gy+barH, "start", "tick", ` font-size="11"`, strconv.FormatFloat(lo, 'g', 4, 64))
	c.printf(`</g>`)
	return c.close()
}

func cellTitle(hm Heatmap, r, col int, v float64) string {
	s := ""
	if r < len(hm.RowLabels) {
		s = hm.RowLabels[r]
	}
	if col < len(hm.ColLabels) {
		s += " / " + hm.ColLabels[col]
	}
	return s + ": " + strconv.FormatFloat(v, 'g', 6, 64)
}

// interpolate returns the colour at t ∈ [0, 1] along the stops, as #rrggbb.
func interpolate(stops []string, t float64) string {
	pos := t * float64(len(stops)-1)
	i := int(math.Floor(pos))
	if i >= len(stops)-1 {
		i = len(stops) - 2
	}
	f := pos - float64(i)
	a, b := rgb(stops[i]), rgb(stops[i+1])
	var out [3]int
	for k := range out {
		out[k] = int(math.Round(a[k] + f*(b[k]-a[k])))
	}
	return "#" + hex2(out[0]) + hex2(out[1]) + hex2(out[2])
}

func hex2(v int) string {
	const digits = "0123456789abcdef"
	v = min(max(v, 0), 255)
	return string([]byte{digits[v>>4], digits[v&15]})
}

// rgb parses #rrggbb; anything else reads as mid grey.
func rgb(s string) [3]float64 {
	if len(s) != 7 || s[0] != '#' {
		return [3]float64{128, 128, 128}
	}
	var out [3]float64
	for k := range out {
		v, err := strconv.ParseUint(s[1+2*k:3+2*k], 16, 8)
		if err != nil {
			return [3]float64{128, 128, 128}
		}
		out[k] = float64(v)
	}
	return out
}

// luminance is the relative brightness of #rrggbb in [0, 1] (Rec. 709 weights).
func luminance(s string) float64 {
	c := rgb(s)
	return (0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]) / 255
}
