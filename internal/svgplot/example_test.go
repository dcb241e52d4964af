package svgplot_test

import (
	"fmt"
	"math"

	"godarts/internal/svgplot"
)

// A loss curve with a quartile band, on a log axis.
func ExampleLineChart() {
	median := []float64{2.3, 1.1, 0.6, math.NaN(), 0.2} // the NaN leaves a gap
	chart := svgplot.LineChart{
		Title: "validation loss", XLabel: "epoch", YLabel: "loss", LogY: true,
		Series: []svgplot.Series{{
			Name: "dscd", Y: median,
			Lo: []float64{2.1, 1, 0.5, 0.3, 0.15}, Hi: []float64{2.5, 1.3, 0.8, 0.4, 0.3},
		}},
	}
	svg := chart.SVG() // a complete <svg> element; svgplot.Document(svg) for a .svg file
	fmt.Println(string(svg[:4]))
	// Output: <svg
}

// Final relaxed weights: one row per edge, one column per op.
func ExampleHeatmap() {
	hm := svgplot.Heatmap{
		Title:     "normal cell",
		RowLabels: []string{"0→2", "1→2"},
		ColLabels: []string{"skip_connect", "sep_conv_3x3"},
		Values:    [][]float64{{0.9, 0.2}, {0.1, 0.7}},
		Min:       0, Max: 1, ShowValues: true,
	}
	_ = hm.SVG()
}

// α trajectories: one small chart per edge, one line per op, one legend.
func ExampleSmallMultiples() {
	edge := func(name string, skip, conv []float64) svgplot.LineChart {
		return svgplot.LineChart{Title: name, YInclude: []float64{0, 1}, Series: []svgplot.Series{
			{Name: "skip_connect", Y: skip}, {Name: "sep_conv_3x3", Y: conv},
		}}
	}
	sm := svgplot.SmallMultiples{
		Title: "σ(α) over epochs", XLabel: "epoch", Columns: 2,
		Charts: []svgplot.LineChart{
			edge("0→2", []float64{0.5, 0.7, 0.9}, []float64{0.5, 0.4, 0.2}),
			edge("1→2", []float64{0.5, 0.3, 0.1}, []float64{0.5, 0.6, 0.8}),
		},
	}
	_ = sm.SVG()
}
