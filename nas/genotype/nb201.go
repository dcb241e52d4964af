package genotype

import (
	"fmt"
	"strconv"
	"strings"
)

// NB201Cell is a discrete NAS-Bench-201 cell: Nodes[i-1] lists the inputs of node i
// (i = 1..3; node 0 is the cell input). Its text form is the standard architecture string
// of NAS-Bench-201 (xautodl Structure.tostr):
//
//	|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|
type NB201Cell struct {
	Nodes [][]NB201Input
}

// NB201Input is one op on the edge from an earlier node.
type NB201Input struct {
	Op   string
	From int
}

// String returns the architecture string.
func (c NB201Cell) String() string {
	parts := make([]string, len(c.Nodes))
	for i, node := range c.Nodes {
		var b strings.Builder
		b.WriteString("|")
		for _, in := range node {
			fmt.Fprintf(&b, "%s~%d|", in.Op, in.From)
		}
		parts[i] = b.String()
	}
	return strings.Join(parts, "+")
}

// MarshalText makes an NB201Cell a JSON string.
func (c NB201Cell) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText parses the architecture string.
func (c *NB201Cell) UnmarshalText(b []byte) error {
	p, err := ParseNB201(string(b))
	if err != nil {
		return err
	}
	*c = p
	return nil
}

// ParseNB201 reads an architecture string. It checks the syntax and that every input
// comes from an earlier node; Validate checks it against a space.
func ParseNB201(s string) (NB201Cell, error) {
	var c NB201Cell
	if strings.TrimSpace(s) == "" {
		return c, fmt.Errorf("nb201 cell: empty string")
	}
	for i, part := range strings.Split(strings.TrimSpace(s), "+") {
		node := i + 1
		if !strings.HasPrefix(part, "|") || !strings.HasSuffix(part, "|") || len(part) < 2 {
			return NB201Cell{}, fmt.Errorf("nb201 cell node %d: %q, want |op~from|...|", node, part)
		}
		var inputs []NB201Input
		for _, in := range strings.Split(part[1:len(part)-1], "|") {
			op, from, ok := strings.Cut(in, "~")
			if !ok || op == "" {
				return NB201Cell{}, fmt.Errorf("nb201 cell node %d: %q, want op~from", node, in)
			}
			j, err := strconv.Atoi(from)
			if err != nil || j < 0 || j >= node {
				return NB201Cell{}, fmt.Errorf("nb201 cell node %d: input %q from %q, want a node 0..%d", node, op, from, node-1)
			}
			inputs = append(inputs, NB201Input{Op: op, From: j})
		}
		c.Nodes = append(c.Nodes, inputs)
	}
	return c, nil
}

// Validate checks that c is a full cell of space: node i has one input from each node
// 0..i-1, in that order, each op one the space offers.
func (c NB201Cell) Validate(space *Space) error {
	if space.Topology != TopologyNB201 {
		return fmt.Errorf("nb201 cell: space %s is not an NB201 space", space.Name)
	}
	if len(c.Nodes) != space.Steps {
		return fmt.Errorf("nb201 cell: %d nodes, want %d", len(c.Nodes), space.Steps)
	}
	for i, node := range c.Nodes {
		to := space.Inputs + i
		if len(node) != to {
			return fmt.Errorf("nb201 cell node %d: %d inputs, want %d", to, len(node), to)
		}
		for j, in := range node {
			if in.From != j {
				return fmt.Errorf("nb201 cell node %d input %d: from %d, want %d", to, j, in.From, j)
			}
			e := space.EdgeIndex(to, j)
			if space.OpIndex(Normal, e, in.Op) < 0 {
				return fmt.Errorf("nb201 cell node %d input %d: %q is not an op of space %s", to, j, in.Op, space.Name)
			}
		}
	}
	return nil
}

// Count returns how many edges of c carry op.
func (c NB201Cell) Count(op string) int {
	n := 0
	for _, node := range c.Nodes {
		for _, in := range node {
			if in.Op == op {
				n++
			}
		}
	}
	return n
}
