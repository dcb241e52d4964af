package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"slices"
	"sort"
	"strings"

	"godarts/nas/genotype"
	"godarts/rundir"
)

// run is what a run directory recorded, read tolerantly: a file that is missing leaves its
// field nil (the page says "not recorded"); a file that is there but cannot be read is an
// error naming the file and the line.
type run struct {
	dir     *rundir.Dir
	config  map[string]any
	metrics []epochMetrics
	alphas  []alphaRecord
	final   finalGenotype
}

// epochMetrics is one line of metrics.jsonl. Numbers a line lacks (or gives as null) are
// NaN, so charts leave a gap there.
type epochMetrics struct {
	epoch     int
	values    map[string]float64
	genotype  string // Python text (DARTS) or architecture string (NB201)
	collapsed bool
	note      string
}

// metricKeys are the numeric keys of metrics.jsonl that the report plots.
var metricKeys = []string{"lr", "train_loss", "train_acc", "valid_loss", "valid_acc", "test_loss", "test_acc", "seconds", "skip_count", "derived_params"}

func (m epochMetrics) get(key string) float64 {
	if v, ok := m.values[key]; ok {
		return v
	}
	return math.NaN()
}

// alphaRecord is one line of alphas.jsonl: the relaxed weight of every op on every edge of
// every cell at the end of one epoch.
type alphaRecord struct {
	Epoch      *int                  `json:"epoch"`
	Space      string                `json:"space"`
	Relaxation string                `json:"relaxation"`
	Cells      map[string]alphasCell `json:"cells"`
}

type alphasCell struct {
	Edges []alphasEdge `json:"edges"`
}

type alphasEdge struct {
	From    int       `json:"from"`
	To      int       `json:"to"`
	Ops     []string  `json:"ops"`
	Weights []float64 `json:"weights"`
}

// finalGenotype is the genotype the run ended with, from genotype.json or, when that file
// is missing, from the genotype text of the last metrics line.
type finalGenotype struct {
	g      *genotype.Genotype // nil when the run has no DARTS-topology genotype
	text   string             // NB201 architecture string, or text that could not be parsed
	source string             // where it came from, for the page
	note   string             // why there is no diagram, when there is none
}

// load reads every file of the run the report shows.
func load(d *rundir.Dir) (*run, error) {
	r := &run{dir: d}
	var err error
	if r.config, err = readConfig(d.File(rundir.Config)); err != nil {
		return nil, err
	}
	if r.metrics, err = readMetrics(d.File(rundir.Metrics)); err != nil {
		return nil, err
	}
	if r.alphas, err = readAlphas(d.File(rundir.Alphas)); err != nil {
		return nil, err
	}
	if r.final, err = readGenotype(d.File(rundir.Genotype), r); err != nil {
		return nil, err
	}
	if r.config == nil && len(r.metrics) == 0 {
		return nil, fmt.Errorf("%s: no %s and no %s: not a run directory of nas search or nas train", d.Path, rundir.Config, rundir.Metrics)
	}
	return r, nil
}

// readConfig decodes config.json; nil without error when it is missing.
func readConfig(path string) (map[string]any, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, jsonError(path, b, err)
	}
	return m, nil
}

// jsonError names the line of a JSON syntax or type error in a whole-file JSON document.
func jsonError(path string, b []byte, err error) error {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off >= 0 {
		line := 1 + bytes.Count(b[:min(int(off), len(b))], []byte("\n"))
		return fmt.Errorf("read %s: line %d: not valid JSON: %v", path, line, err)
	}
	return fmt.Errorf("read %s: not valid JSON: %v", path, err)
}

// jsonLine is one non-blank line of a JSONL file with its 1-based line number.
type jsonLine struct {
	n    int
	text []byte
}

// readLines returns the non-blank lines of a JSONL file; nil without error when it is
// missing. Line numbers count every line, blank ones included, as an editor does.
func readLines(path string) ([]jsonLine, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	var lines []jsonLine
	for i, l := range bytes.Split(b, []byte("\n")) {
		if len(bytes.TrimSpace(l)) > 0 {
			lines = append(lines, jsonLine{n: i + 1, text: l})
		}
	}
	if lines == nil {
		lines = []jsonLine{} // present but empty: recorded, with no epochs
	}
	return lines, nil
}

// readMetrics decodes metrics.jsonl, sorted by epoch; when a resumed run wrote an epoch
// twice the later line wins.
func readMetrics(path string) ([]epochMetrics, error) {
	lines, err := readLines(path)
	if lines == nil || err != nil {
		return nil, err
	}
	byEpoch := map[int]epochMetrics{}
	for i, l := range lines {
		var raw map[string]any
		if err := json.Unmarshal(l.text, &raw); err != nil {
			return nil, fmt.Errorf("read %s: line %d: not a JSON object: %v", path, l.n, err)
		}
		m := epochMetrics{epoch: i, values: map[string]float64{}}
		if v, ok := raw["epoch"]; ok && v != nil {
			f, ok := v.(float64)
			if !ok || f != math.Trunc(f) || f < 0 {
				return nil, fmt.Errorf("read %s: line %d: epoch is %s, want a non-negative integer", path, l.n, show(v))
			}
			m.epoch = int(f)
		}
		for _, k := range metricKeys {
			v, ok := raw[k]
			if !ok || v == nil {
				continue
			}
			f, ok := v.(float64)
			if !ok {
				return nil, fmt.Errorf("read %s: line %d: %s is %s, want a number", path, l.n, k, show(v))
			}
			m.values[k] = f
		}
		for k, dst := range map[string]*string{"genotype": &m.genotype, "note": &m.note} {
			if v, ok := raw[k]; ok && v != nil {
				s, ok := v.(string)
				if !ok {
					return nil, fmt.Errorf("read %s: line %d: %s is %s, want a string", path, l.n, k, show(v))
				}
				*dst = s
			}
		}
		if v, ok := raw["collapsed"]; ok && v != nil {
			b, ok := v.(bool)
			if !ok {
				return nil, fmt.Errorf("read %s: line %d: collapsed is %s, want true or false", path, l.n, show(v))
			}
			m.collapsed = b
		}
		byEpoch[m.epoch] = m
	}
	out := make([]epochMetrics, 0, len(byEpoch))
	for _, m := range byEpoch {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].epoch < out[j].epoch })
	return out, nil
}

// show quotes a JSON value for an error message, shortened to keep the message one line.
func show(v any) string {
	b, _ := json.Marshal(v)
	s := string(b)
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return s
}

// readAlphas decodes alphas.jsonl, sorted by epoch (the later line wins a repeated epoch).
func readAlphas(path string) ([]alphaRecord, error) {
	lines, err := readLines(path)
	if lines == nil || err != nil {
		return nil, err
	}
	byEpoch := map[int]alphaRecord{}
	for i, l := range lines {
		var a alphaRecord
		dec := json.NewDecoder(bytes.NewReader(l.text))
		if err := dec.Decode(&a); err != nil {
			return nil, fmt.Errorf("read %s: line %d: not an alphas record: %v", path, l.n, err)
		}
		if a.Epoch == nil {
			e := i
			a.Epoch = &e
		}
		for name, c := range a.Cells {
			for e, edge := range c.Edges {
				if len(edge.Ops) != len(edge.Weights) {
					return nil, fmt.Errorf("read %s: line %d: cells.%s.edges[%d] has %d ops but %d weights", path, l.n, name, e, len(edge.Ops), len(edge.Weights))
				}
			}
		}
		byEpoch[*a.Epoch] = a
	}
	out := make([]alphaRecord, 0, len(byEpoch))
	for _, a := range byEpoch {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return *out[i].Epoch < *out[j].Epoch })
	return out, nil
}

// cellNames returns the cell names alphas.jsonl uses: normal first, reduce second, the
// rest (NB201 per-stage cells, say) sorted.
func cellNames(alphas []alphaRecord) []string {
	seen := map[string]bool{}
	var names []string
	for _, a := range alphas {
		for n := range a.Cells {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	rank := func(n string) int {
		switch n {
		case "normal":
			return 0
		case "reduce":
			return 1
		}
		return 2
	}
	slices.SortFunc(names, func(a, b string) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	return names
}

// readGenotype reads genotype.json: the DARTS JSON form, or {"space": ..., "cell": ...}
// for an NB201 cell. Without the file it falls back to the last genotype of metrics.jsonl.
func readGenotype(path string, r *run) (finalGenotype, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return genotypeFromMetrics(r), nil
	}
	if err != nil {
		return finalGenotype{}, fmt.Errorf("read %s: %w", path, err)
	}
	var probe map[string]any
	if err := json.Unmarshal(b, &probe); err != nil {
		return finalGenotype{}, jsonError(path, b, err)
	}
	if cell, ok := probe["cell"].(string); ok {
		return finalGenotype{text: cell, source: rundir.Genotype,
			note: "an NB201 cell: its architecture string is shown, no diagram"}, nil
	}
	g, err := genotype.ParseJSON(b)
	if err != nil {
		return finalGenotype{}, fmt.Errorf("read %s: %v", path, err)
	}
	return finalGenotype{g: g, source: rundir.Genotype}, nil
}

func genotypeFromMetrics(r *run) finalGenotype {
	for i := len(r.metrics) - 1; i >= 0; i-- {
		text := r.metrics[i].genotype
		if text == "" {
			continue
		}
		src := fmt.Sprintf("%s missing; the genotype of epoch %d in %s", rundir.Genotype, r.metrics[i].epoch+1, rundir.Metrics)
		space := ""
		if len(r.alphas) > 0 {
			space = r.alphas[len(r.alphas)-1].Space
		}
		if strings.HasPrefix(text, "|") {
			return finalGenotype{text: text, source: src, note: "an NB201 cell: its architecture string is shown, no diagram"}
		}
		g, err := genotype.ParsePython(text, space)
		if err != nil {
			return finalGenotype{text: text, source: src, note: "not drawn: " + err.Error()}
		}
		return finalGenotype{g: g, source: src}
	}
	return finalGenotype{}
}
