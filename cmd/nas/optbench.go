package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"godarts/internal/svgplot"
	"godarts/nas/dscd"
	"godarts/optbench"
)

func init() {
	register(command{
		name:    "optbench",
		summary: "compare Adam, Adam+DSCD, uniform sampling and CMA-ES on multimodal functions",
		run:     runOptbench,
	})
}

// optbenchRow is one line of --json output.
type optbenchRow struct {
	Function  string  `json:"function"`
	Dim       int     `json:"dim"`
	Optimizer string  `json:"optimizer"`
	LR        float64 `json:"lr,omitempty"`
	Schedule  string  `json:"schedule,omitempty"`
	Steps     int     `json:"steps"`
	Runs      int     `json:"runs"`
	Median    float64 `json:"median"`
	Q1        float64 `json:"q1"`
	Q3        float64 `json:"q3"`
	Optimum   float64 `json:"optimum"`
}

func runOptbench(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("optbench", stderr)
	fn := fs.String("function", optbench.StyblinskiTang.Name, "test function: "+strings.Join(optbench.FunctionNames(), "|"))
	dim := fs.Int("dim", 10, "dimension")
	opts := fs.String("optimizer", "all", "comma list of "+strings.Join(optbench.OptimizerNames, ", ")+", or all")
	lrs := fs.String("lr", "", "comma list of Adam learning rates (default 0.01,0.05,0.1 times the box width / 10)")
	scheds := fs.String("schedule", optbench.Constant, "comma list of Adam learning-rate schedules: constant, cosine")
	steps := fs.Int("steps", 1000, "function evaluations per run (an evaluation with its gradient counts once)")
	runs := fs.Int("runs", 20, "runs per optimizer; run r starts from the same random point for every optimizer")
	seed := fs.Uint64("seed", 1, "seed of run 0 (run r uses seed+r)")
	asJSON := fs.Bool("json", false, "print one JSON object per optimizer instead of a table")
	svgPath := fs.String("svg", "", "write the convergence curves (median and quartiles of best-so-far f − f*) to this SVG file")
	def := dscd.Default()
	dscdN := fs.Int("dscd-n", def.N, "DSCD: consecutive steps of one type before switching at the first non-improving one")
	dscdK := fs.Int("dscd-k", def.K, "DSCD: acceptance window in steps")
	dscdCoords := fs.Int("dscd-coords", def.Coords, "DSCD: coordinates changed per global step")
	dscdTol := fs.Float64("dscd-min-improvement", def.MinImprovement, "DSCD: relative loss decrease that counts as an improvement for switching (negative: strict)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}

	f, err := optbench.FunctionByName(*fn)
	if err != nil {
		return usagef("--function: %v", err)
	}
	switch {
	case *dim < 1:
		return usagef("--dim %d, want ≥ 1", *dim)
	case *steps < 1:
		return usagef("--steps %d, want ≥ 1", *steps)
	case *runs < 1:
		return usagef("--runs %d, want ≥ 1", *runs)
	}
	kinds, err := parseOptimizers(*opts)
	if err != nil {
		return err
	}
	rates, err := parseRates(*lrs, f)
	if err != nil {
		return err
	}
	var schedules []string
	for _, s := range strings.Split(*scheds, ",") {
		s = strings.TrimSpace(s)
		if s != optbench.Constant && s != optbench.Cosine {
			return usagef("--schedule %q, want constant, cosine or a comma list of them", s)
		}
		schedules = append(schedules, s)
	}
	// Zero means "default" inside dscd.Config; on the command line it is a mistake.
	for _, c := range []struct {
		name string
		v    int
	}{{"dscd-n", *dscdN}, {"dscd-k", *dscdK}, {"dscd-coords", *dscdCoords}} {
		if c.v < 1 {
			return usagef("--%s %d, want ≥ 1", c.name, c.v)
		}
	}
	if !(*dscdTol < 1) {
		return usagef("--dscd-min-improvement %v, want < 1", *dscdTol)
	}
	dcfg := dscd.Config{N: *dscdN, K: *dscdK, Coords: *dscdCoords, MinImprovement: *dscdTol}
	if *dscdTol == 0 {
		dcfg.MinImprovement = -1 // 0 on the command line means the strict reading
	}

	var specs []optbench.Spec
	for _, k := range kinds {
		if k != optbench.Adam && k != optbench.AdamDSCD {
			specs = append(specs, optbench.Spec{Kind: k})
			continue
		}
		for _, lr := range rates {
			for _, s := range schedules {
				specs = append(specs, optbench.Spec{Kind: k, LR: lr, Schedule: s, DSCD: dcfg})
			}
		}
	}

	opt := f.Optimum(*dim)
	var sums []optbench.Summary
	for _, sp := range specs {
		s, err := optbench.Bench(f, *dim, sp, *steps, *runs, *seed)
		if err != nil {
			return err
		}
		sums = append(sums, s)
	}

	if *asJSON {
		enc := json.NewEncoder(stdout)
		for _, s := range sums {
			row := optbenchRow{Function: f.Name, Dim: *dim, Optimizer: s.Spec.Name(), Steps: *steps, Runs: s.Runs,
				Median: s.Median, Q1: s.Q1, Q3: s.Q3, Optimum: opt}
			if s.Spec.Kind == optbench.Adam || s.Spec.Kind == optbench.AdamDSCD {
				row.LR, row.Schedule = s.Spec.LR, s.Spec.Schedule
			}
			if err := enc.Encode(row); err != nil {
				return err
			}
		}
	} else {
		fmt.Fprintf(stdout, "%s, d = %d, optimum %.8g, %d evaluations per run, %d runs, seed %d\n", f.Name, *dim, opt, *steps, *runs, *seed)
		width := len("optimizer")
		for _, s := range sums {
			width = max(width, len(s.Spec.Name()))
		}
		fmt.Fprintf(stdout, "%-*s  %12s  %12s  %12s  %16s\n", width, "optimizer", "median", "q1", "q3", "median − optimum")
		for _, s := range sums {
			fmt.Fprintf(stdout, "%-*s  %12.4f  %12.4f  %12.4f  %16.4g\n", width, s.Spec.Name(), s.Median, s.Q1, s.Q3, optbenchGap(s.Median, opt))
		}
	}
	if *svgPath != "" {
		if err := writeOptbenchSVG(*svgPath, f, *dim, *steps, *runs, opt, sums); err != nil {
			return err
		}
	}
	return nil
}

// optbenchGap returns v − optimum, with rounding noise below 1e-9 of the optimum's size shown as 0.
func optbenchGap(v, opt float64) float64 {
	g := v - opt
	if math.Abs(g) < 1e-9*math.Max(1, math.Abs(opt)) {
		return 0
	}
	return g
}

func parseOptimizers(s string) ([]string, error) {
	if strings.TrimSpace(s) == "all" {
		return optbench.OptimizerNames, nil
	}
	var out []string
	for _, k := range strings.Split(s, ",") {
		k = strings.TrimSpace(k)
		if err := (optbench.Spec{Kind: k, LR: 1}).Validate(); err != nil {
			return nil, usagef("--optimizer %q: want a comma list of %s, or all", k, strings.Join(optbench.OptimizerNames, ", "))
		}
		out = append(out, k)
	}
	return out, nil
}

// parseRates parses --lr; empty gives 0.01, 0.05, 0.1 scaled by the box width / 10, so
// that Schwefel's box of width 1000 gets 1, 5, 10 (appendix B does not give its rates).
func parseRates(s string, f optbench.Function) ([]float64, error) {
	if strings.TrimSpace(s) == "" {
		scale := (f.Hi - f.Lo) / 10
		return []float64{0.01 * scale, 0.05 * scale, 0.1 * scale}, nil
	}
	var out []float64
	for _, w := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(w), 64)
		if err != nil || !(v > 0) || math.IsInf(v, 0) {
			return nil, usagef("--lr %q: want a comma list of positive numbers, found %q", s, w)
		}
		out = append(out, v)
	}
	return out, nil
}

// writeOptbenchSVG draws the median best-so-far gap f − f* of each optimizer with its
// quartile band, on a log axis, and writes it atomically (temp file + rename).
func writeOptbenchSVG(path string, f optbench.Function, dim, steps, runs int, opt float64, sums []optbench.Summary) error {
	lc := svgplot.LineChart{
		Title:  fmt.Sprintf("%s, d = %d: best-so-far f − f* (median and quartiles of %d runs)", f.Name, dim, runs),
		XLabel: "function evaluations",
		YLabel: "f − f* (log)",
		LogY:   true,
		Width:  820, Height: 480,
	}
	x := make([]float64, steps)
	for i := range x {
		x[i] = float64(i + 1)
	}
	shift := func(v []float64) []float64 {
		out := make([]float64, len(v))
		for i, y := range v {
			out[i] = y - opt
		}
		return out
	}
	// Adam with and without DSCD at one learning rate and schedule share a colour; Adam
	// alone is dashed.
	colorOf := map[string]string{}
	for _, s := range sums {
		key := s.Spec.Kind
		if key == optbench.Adam || key == optbench.AdamDSCD {
			key = fmt.Sprint(s.Spec.LR, s.Spec.Schedule)
		}
		if _, ok := colorOf[key]; !ok {
			colorOf[key] = svgplot.Palette[len(colorOf)%len(svgplot.Palette)]
		}
		lc.Series = append(lc.Series, svgplot.Series{
			Name: s.Spec.Name(), X: x, Y: shift(s.CurveMedian), Lo: shift(s.CurveQ1), Hi: shift(s.CurveQ3),
			Color: colorOf[key], Dashed: s.Spec.Kind == optbench.Adam,
		})
	}
	return optbenchWriteFile(path, svgplot.Document(lc.SVG()))
}

// optbenchWriteFile writes data to a temp file beside path and renames it over path, so a
// failure never leaves a half-written file where an old one was.
func optbenchWriteFile(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, werr)
	}
	return nil
}
