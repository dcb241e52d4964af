package genotype

import (
	"encoding/json"
	"fmt"
	"strings"
)

// NB201Net is the discrete result of a search on an NB201 space in the stage layout of
// ZO-DARTS++: one cell per stage (three stages), how many times it repeats, and the
// kernel chosen for kernel_variable_conv, written into the cell as nor_conv_7x7,
// nor_conv_5x5 or nor_conv_3x3 (as search_model_ZO_SMEA.py genotype() does). Its JSON form
// is genotype.json of such a search:
//
//	{"space":"nb201-varied","cell":"<Text>","stages":[{"cell":"|nor_conv_5x5~0|+...","cells":3}, ...]}
type NB201Net struct {
	Space  string       `json:"space"`
	Stages []NB201Stage `json:"stages"`
}

// NB201Stage is one stage: its cell and the number of cells kept (argmax α_exit + 1).
type NB201Stage struct {
	Cell  NB201Cell `json:"cell"`
	Cells int       `json:"cells"`
}

// Kernel ops a kernel_variable_conv edge resolves to.
const (
	NorConv5x5 = "nor_conv_5x5"
	NorConv7x7 = "nor_conv_7x7"
)

// KernelOp names the ReLU-Conv-BN of kernel size k (3, 5 or 7).
func KernelOp(k int) string { return fmt.Sprintf("nor_conv_%dx%d", k, k) }

// Text is one line: each stage's architecture string and its cell count, "|...| x3 ; ...".
// It starts with "|", as the NB201 strings the run report recognises.
func (g *NB201Net) Text() string {
	parts := make([]string, len(g.Stages))
	for i, s := range g.Stages {
		parts[i] = fmt.Sprintf("%s x%d", s.Cell, s.Cells)
	}
	return strings.Join(parts, " ; ")
}

// MarshalJSON adds the one-line text as "cell" (what the run report shows).
func (g *NB201Net) MarshalJSON() ([]byte, error) {
	type plain NB201Net
	return json.Marshal(struct {
		Space  string       `json:"space"`
		Cell   string       `json:"cell"`
		Stages []NB201Stage `json:"stages"`
	}{g.Space, g.Text(), (*plain)(g).Stages})
}

// Validate checks the stages against space: three stages of at least one cell, every
// cell a full NB201 cell whose ops the space offers (kernel_variable_conv may appear
// resolved to a kernel).
func (g *NB201Net) Validate() error {
	space, err := SpaceByName(g.Space)
	if err != nil {
		return err
	}
	if space.Topology != TopologyNB201 {
		return fmt.Errorf("nb201 network: space %s is not an NB201 space", g.Space)
	}
	if len(g.Stages) != 3 {
		return fmt.Errorf("nb201 network: %d stages, want 3", len(g.Stages))
	}
	for i, s := range g.Stages {
		if s.Cells < 1 {
			return fmt.Errorf("nb201 network stage %d: %d cells, want ≥ 1", i+1, s.Cells)
		}
		c := NB201Cell{Nodes: make([][]NB201Input, len(s.Cell.Nodes))}
		for n, node := range s.Cell.Nodes {
			for _, in := range node {
				if in.Op == NorConv7x7 || in.Op == NorConv5x5 || (in.Op == NorConv3x3 && space.OpIndex(Normal, 0, NorConv3x3) < 0) {
					in.Op = VariableConv
				}
				c.Nodes[n] = append(c.Nodes[n], in)
			}
		}
		if err := c.Validate(space); err != nil {
			return fmt.Errorf("nb201 network stage %d: %w", i+1, err)
		}
	}
	return nil
}

// IsNB201Net reports whether b (a genotype.json) holds an NB201 stage network.
func IsNB201Net(b []byte) bool {
	var probe struct {
		Stages []json.RawMessage `json:"stages"`
	}
	return json.Unmarshal(b, &probe) == nil && probe.Stages != nil
}

// ParseNB201Net reads genotype.json of an NB201 search and validates it.
func ParseNB201Net(b []byte) (*NB201Net, error) {
	var g NB201Net
	if err := json.Unmarshal(b, &g); err != nil {
		return nil, fmt.Errorf("nb201 network: %v", err)
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	return &g, nil
}
