package svgplot

import "math"

// SmallMultiples draws a grid of small line charts sharing one legend, e.g. the trajectory
// of every operation weight on every edge of a cell: one chart per edge, one line per op.
//
// Series are coloured by name across all charts (the first name seen gets Palette[0], …)
// unless a Series sets Color, so one op has one colour everywhere; the legend lists each
// name once. Each chart's Title labels its cell; its XLabel, YLabel, Width and Height are
// ignored (the grid sets the size), LogY, YInclude and MaxPoints apply.
type SmallMultiples struct {
	Title  string
	Charts []LineChart
	// Columns is the number of charts per row; 0 means 4.
	Columns int
	// CellWidth and CellHeight are the size of one chart in pixels; 0 means 220 × 150.
	CellWidth, CellHeight int
	// XLabel and YLabel, when set, are written once under the grid and along its left side.
	XLabel, YLabel string
}

// SVG renders the grid as a complete <svg> element.
func (sm SmallMultiples) SVG() []byte {
	cols := sm.Columns
	if cols <= 0 {
		cols = 4
	}
	cw, ch := float64(sm.CellWidth), float64(sm.CellHeight)
	if cw <= 0 {
		cw = 220
	}
	if ch <= 0 {
		ch = 150
	}
	// Colours by series name, in order of first appearance.
	var names, nameColors []string
	index := map[string]int{}
	for _, lc := range sm.Charts {
		for _, s := range lc.Series {
			if _, ok := index[s.Name]; !ok {
				index[s.Name] = len(names)
				names = append(names, s.Name)
				col := s.Color
				if col == "" {
					col = Palette[len(nameColors)%len(Palette)]
				}
				nameColors = append(nameColors, col)
			}
		}
	}
	const fontSize = 12.0
	top := 8.0
	if sm.Title != "" {
		top += 24
	}
	// Legend: entries laid out left to right, wrapping at the grid width.
	left := 0.0
	if sm.YLabel != "" {
		left = 20
	}
	gridW := float64(min(cols, max(len(sm.Charts), 1))) * cw
	width := left + gridW + 8
	if sm.Title != "" {
		width = math.Max(width, textWidth(sm.Title, 14)+20)
	}
	type entry struct{ x, y float64 }
	entries := make([]entry, len(names))
	lx, ly := left+8, top
	for i, n := range names {
		ew := 24 + textWidth(n, fontSize) + 14
		if lx+ew > width && lx > left+8 {
			lx, ly = left+8, ly+fontSize+8
		}
		entries[i] = entry{lx, ly}
		lx += ew
	}
	if len(names) > 0 {
		top = ly + fontSize + 12
	}
	rows := (len(sm.Charts) + cols - 1) / cols
	bottom := 6.0
	if sm.XLabel != "" {
		bottom += 20
	}
	height := top + float64(max(rows, 1))*ch + bottom
	var c canvas
	c.open(int(math.Ceil(width)), int(math.Ceil(height)))
	if sm.Title != "" {
		c.text(width/2, 22, "middle", "title", ` font-size="14" font-weight="bold"`, sm.Title)
	}
	if len(sm.Charts) == 0 {
		c.text(width/2, top+ch/2, "middle", "nodata", ` fill="#777" font-size="14"`, "no data")
		return c.close()
	}
	if len(names) > 0 {
		c.printf(`<g class="legend">`)
		for i, n := range names {
			e := entries[i]
			c.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2.5"/>`,
				num(e.x), num(e.y+fontSize*0.6), num(e.x+18), num(e.y+fontSize*0.6), esc(nameColors[i]))
			c.text(e.x+22, e.y+fontSize, "start", "legend-label", "", n)
		}
		c.printf(`</g>`)
	}
	for k, lc := range sm.Charts {
		ox := left + float64(k%cols)*cw
		oy := top + float64(k/cols)*ch
		colors := make([]string, len(lc.Series))
		for i, s := range lc.Series {
			colors[i] = nameColors[index[s.Name]]
		}
		c.printf(`<g class="chart">`)
		lc.render(&c, ox, oy, cw, ch, true, colors)
		c.printf(`</g>`)
	}
	if sm.XLabel != "" {
		c.text(left+gridW/2, height-8, "middle", "label", "", sm.XLabel)
	}
	if sm.YLabel != "" {
		x, y := 14.0, top+float64(rows)*ch/2
		c.text(x, y, "middle", "label", ` transform="rotate(-90 `+num(x)+` `+num(y)+`)"`, sm.YLabel)
	}
	return c.close()
}
