package genotype

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// filled returns a cell weight matrix for space s with every entry v.
func filled(s *Space, kind CellKind, v float64) [][]float64 {
	w := make([][]float64, s.NumEdges())
	for e := range w {
		w[e] = make([]float64, len(s.rows(kind)[e]))
		for k := range w[e] {
			w[e][k] = v
		}
	}
	return w
}

// set writes w[edge from->to][op] = v.
func set(t *testing.T, s *Space, kind CellKind, w [][]float64, from, to int, op string, v float64) {
	t.Helper()
	e := s.EdgeIndex(to, from)
	k := s.OpIndex(kind, e, op)
	if e < 0 || k < 0 {
		t.Fatalf("no op %s on edge %d->%d of %s", op, from, to, s.Name)
	}
	w[e][k] = v
}

func space(t *testing.T, name string) *Space {
	t.Helper()
	s, err := SpaceByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDeriveDARTSHandMade(t *testing.T) {
	s := space(t, "darts")
	type entry struct {
		from, to int
		op       string
		v        float64
	}
	tests := []struct {
		name    string
		entries []entry
		want    []Gene
	}{
		{
			// All equal: every node keeps its two lowest sources, each with the first op
			// after none.
			name: "all tied",
			want: []Gene{
				{MaxPool3x3, 0, 2}, {MaxPool3x3, 1, 2}, {MaxPool3x3, 0, 3}, {MaxPool3x3, 1, 3},
				{MaxPool3x3, 0, 4}, {MaxPool3x3, 1, 4}, {MaxPool3x3, 0, 5}, {MaxPool3x3, 1, 5},
			},
		},
		{
			name: "none excluded, score order, ties",
			entries: []entry{
				// Node 0: none is the strongest weight of edge 0->2 but does not count;
				// edge 1->2 wins with skip and is listed first.
				{0, 2, None, 0.9}, {0, 2, SepConv3x3, 0.05}, {1, 2, SkipConnect, 0.3},
				// Node 1: best is 2->3, then 0->3; 1->3 loses.
				{2, 3, DilConv5x5, 0.5}, {0, 3, AvgPool3x3, 0.4}, {1, 3, SepConv5x5, 0.2},
				// Node 2: a tie between sources 3 and 1 goes to the lower source; source 0
				// has a larger none, which does not count.
				{3, 4, SepConv3x3, 0.6}, {1, 4, DilConv3x3, 0.6}, {0, 4, None, 0.99},
				// Node 3: a tie between ops on edge 4->5 goes to the lower column
				// (sep_conv_5x5 before dil_conv_3x3).
				{4, 5, DilConv3x3, 0.7}, {4, 5, SepConv5x5, 0.7}, {0, 5, SkipConnect, 0.65},
			},
			want: []Gene{
				{SkipConnect, 1, 2}, {SepConv3x3, 0, 2},
				{DilConv5x5, 2, 3}, {AvgPool3x3, 0, 3},
				{DilConv3x3, 1, 4}, {SepConv3x3, 3, 4},
				{SepConv5x5, 4, 5}, {SkipConnect, 0, 5},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := filled(s, Normal, 0.01)
			for _, e := range tc.entries {
				set(t, s, Normal, w, e.from, e.to, e.op, e.v)
			}
			g, err := DeriveDARTS(s, w, filled(s, Reduce, 0.125))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, g.Normal); diff != "" {
				t.Errorf("normal genes (-want +got):\n%s", diff)
			}
			if err := g.Validate(); err != nil {
				t.Errorf("derived genotype does not validate: %v", err)
			}
			if !cmp.Equal(g.NormalConcat, []int{2, 3, 4, 5}) || !cmp.Equal(g.ReduceConcat, []int{2, 3, 4, 5}) {
				t.Errorf("concat %v %v, want range(2, 6)", g.NormalConcat, g.ReduceConcat)
			}
		})
	}
}

// weightsFor builds weights whose discretisation must give genes: the k-th gene of a node
// gets weight 0.95-0.05k on its op (above the FairDARTS threshold), every other op 0.02,
// and none (where the space has it) 0.97 on the edges that must lose, which only the
// none exclusion keeps from winning.
func weightsFor(t *testing.T, s *Space, kind CellKind, genes []Gene) [][]float64 {
	w := filled(s, kind, 0.02)
	rank := map[int]int{}
	for _, gn := range genes {
		set(t, s, kind, w, gn.From, gn.To, gn.Op, 0.95-0.05*float64(rank[gn.To]))
		rank[gn.To]++
	}
	for e, edge := range s.Edges() {
		chosen := false
		for _, gn := range genes {
			chosen = chosen || (gn.From == edge.From && gn.To == edge.To)
		}
		if k := s.OpIndex(kind, e, None); k >= 0 && !chosen {
			w[e][k] = 0.97
		}
	}
	return w
}

func TestDeriveDARTSReproducesPublished(t *testing.T) {
	s := space(t, "darts")
	for _, name := range []string{"DARTS_V1", "DARTS_V2"} {
		want, _ := ByName(name)
		g, err := DeriveDARTS(s, weightsFor(t, s, Normal, want.Normal), weightsFor(t, s, Reduce, want.Reduce))
		if err != nil {
			t.Fatal(err)
		}
		if got, w := string(g.JSON()), string(want.JSON()); got != w {
			t.Errorf("%s: derived\n%s\nwant\n%s", name, got, w)
		}
	}
}

func TestDeriveDARTSPerEdgeOps(t *testing.T) {
	// S1's ops differ per edge: the columns are looked up per edge.
	s := space(t, "s1")
	// Each op is one of the two that spaces.py gives its edge (edges 0, 1, 3, 2, 7, 5, 13, 12).
	genes := []Gene{
		{DilConv3x3, 0, 2}, {DilConv5x5, 1, 2},
		{SepConv3x3, 1, 3}, {SkipConnect, 0, 3},
		{SkipConnect, 2, 4}, {MaxPool3x3, 0, 4},
		{DilConv5x5, 4, 5}, {DilConv3x3, 3, 5},
	}
	g, err := DeriveDARTS(s, weightsFor(t, s, Normal, genes), filled(s, Reduce, 0.5))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(genes, g.Normal); diff != "" {
		t.Errorf("s1 normal (-want +got):\n%s", diff)
	}
	if err := g.Validate(); err != nil {
		t.Error(err)
	}
	// S3 has none in column 0; it must never be chosen.
	s3 := space(t, "s3")
	w := filled(s3, Normal, 0.1)
	for e := range w {
		w[e][0] = 0.8
	}
	g, err = DeriveDARTS(s3, w, w)
	if err != nil {
		t.Fatal(err)
	}
	for _, gn := range g.Normal {
		if gn.Op != SkipConnect {
			t.Fatalf("s3 with none strongest everywhere chose %v, want skip_connect (the first op after none)", gn)
		}
	}
}

func TestDeriveWeightErrors(t *testing.T) {
	s := space(t, "darts")
	good := filled(s, Normal, 0.1)
	short := filled(s, Normal, 0.1)[:13]
	narrow := filled(s, Normal, 0.1)
	narrow[4] = narrow[4][:7]
	nan := filled(s, Normal, 0.1)
	nan[3][2] = math.NaN()
	tests := []struct {
		name           string
		normal, reduce [][]float64
		want           string
	}{
		{"rows", short, good, "normal weights: 13 rows, want 14"},
		{"cols", good, narrow, "reduce weights row 4: 7 values, want 8"},
		{"nan", nan, good, "normal weights row 3 col 2 (avg_pool_3x3): NaN"},
	}
	for _, tc := range tests {
		if _, err := DeriveDARTS(s, tc.normal, tc.reduce); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
	if _, _, err := DeriveFairDARTS(s, good, good, DefaultThreshold); err == nil || !strings.Contains(err.Error(), "variable-arity space (fair7), got darts") {
		t.Errorf("FairDARTS on darts: %v", err)
	}
	if _, err := DeriveNB201(s, good); err == nil {
		t.Errorf("NB201 on darts: no error")
	}
	if _, err := DeriveDARTS(space(t, "nb201"), good, good); err == nil {
		t.Errorf("DARTS on nb201: no error")
	}
}

func TestDeriveFairDARTS(t *testing.T) {
	s := space(t, "fair7")
	type entry struct {
		from, to int
		op       string
		v        float64
	}
	tests := []struct {
		name      string
		entries   []entry
		want      []Gene
		empty     []int
		collapsed bool
	}{
		{
			// σ = 0.5 everywhere (the α = 0 initialisation): nothing reaches 0.85.
			name:      "all below threshold",
			empty:     []int{0, 1, 2, 3},
			collapsed: true,
			want:      []Gene{},
		},
		{
			name: "mixed",
			entries: []entry{
				// Node 0: 0.85 exactly passes (>=), 0.9 passes; score order.
				{1, 2, SkipConnect, 0.85}, {0, 2, SepConv5x5, 0.9},
				// Node 1: top-2 edges are 2->3 (0.95) and 0->3 (0.84): only one passes.
				{2, 3, DilConv3x3, 0.95}, {0, 3, MaxPool3x3, 0.84}, {1, 3, AvgPool3x3, 0.3},
				// Node 2: 0.849 everywhere: empty.
				{0, 4, SepConv3x3, 0.849}, {1, 4, SepConv3x3, 0.849}, {2, 4, SepConv3x3, 0.849}, {3, 4, SepConv3x3, 0.849},
				// Node 3: three edges tie at 0.9, the two lowest sources win; the third
				// edge passes the threshold but is not among the top 2.
				{4, 5, DilConv5x5, 0.9}, {2, 5, AvgPool3x3, 0.9}, {1, 5, SkipConnect, 0.9},
			},
			want: []Gene{
				{SepConv5x5, 0, 2}, {SkipConnect, 1, 2},
				{DilConv3x3, 2, 3},
				{SkipConnect, 1, 5}, {AvgPool3x3, 2, 5},
			},
			empty: []int{2},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := filled(s, Normal, 0.5)
			for _, e := range tc.entries {
				set(t, s, Normal, w, e.from, e.to, e.op, e.v)
			}
			reduce := weightsFor(t, s, Reduce, []Gene{{SkipConnect, 0, 2}})
			g, empty, err := DeriveFairDARTS(s, w, reduce, DefaultThreshold)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, g.Normal); diff != "" {
				t.Errorf("normal genes (-want +got):\n%s", diff)
			}
			if !cmp.Equal(empty.Normal, tc.empty) || empty.NormalCollapsed != tc.collapsed {
				t.Errorf("empty %+v, want normal %v collapsed %v", empty, tc.empty, tc.collapsed)
			}
			if empty.ReduceCollapsed || !cmp.Equal(empty.Reduce, []int{1, 2, 3}) {
				t.Errorf("reduce empty %v collapsed %v, want [1 2 3] false", empty.Reduce, empty.ReduceCollapsed)
			}
			if err := g.Validate(); err != nil {
				t.Errorf("derived genotype does not validate: %v", err)
			}
			// An empty cell still round-trips through both text forms.
			back, err := ParsePython(g.Python(), "")
			if err != nil || string(back.JSON()) != string(g.JSON()) {
				t.Errorf("Python round trip: %v\n%s", err, g.Python())
			}
		})
	}
}

func TestDeriveFairDARTSReproducesPublished(t *testing.T) {
	s := space(t, "fair7")
	for _, name := range Names() {
		want, _ := ByName(name)
		if want.Space != "fair7" {
			continue
		}
		g, _, err := DeriveFairDARTS(s, weightsFor(t, s, Normal, want.Normal), weightsFor(t, s, Reduce, want.Reduce), DefaultThreshold)
		if err != nil {
			t.Fatal(err)
		}
		if got, w := g.Python(), want.Python(); got != w {
			t.Errorf("%s: derived\n%s\nwant\n%s", name, got, w)
		}
	}
}

func TestDeriveFairDARTSEdges(t *testing.T) {
	s := space(t, "fair7")
	w := filled(s, Normal, 0.1)
	// Edge 0->2: the two best ops pass, emitted in ascending weight order.
	set(t, s, Normal, w, 0, 2, MaxPool3x3, 0.86)
	set(t, s, Normal, w, 0, 2, SkipConnect, 0.95)
	// Edge 1->3: three ops tie at 0.9; Python's stable ascending sort keeps the last two
	// columns (avg_pool, skip), in column order.
	set(t, s, Normal, w, 1, 3, MaxPool3x3, 0.9)
	set(t, s, Normal, w, 1, 3, AvgPool3x3, 0.9)
	set(t, s, Normal, w, 1, 3, SkipConnect, 0.9)
	// Edges 0->5, 1->5, 2->5 all pass: threshold_edge is not limited to two edges.
	set(t, s, Normal, w, 0, 5, SepConv3x3, 0.9)
	set(t, s, Normal, w, 1, 5, SepConv3x3, 0.9)
	set(t, s, Normal, w, 2, 5, SepConv3x3, 0.9)
	g, empty, err := DeriveFairDARTSEdges(s, w, filled(s, Reduce, 0.1), DefaultThreshold)
	if err != nil {
		t.Fatal(err)
	}
	want := []Gene{
		{MaxPool3x3, 0, 2}, {SkipConnect, 0, 2},
		{AvgPool3x3, 1, 3}, {SkipConnect, 1, 3},
		{SepConv3x3, 0, 5}, {SepConv3x3, 1, 5}, {SepConv3x3, 2, 5},
	}
	if diff := cmp.Diff(want, g.Normal); diff != "" {
		t.Errorf("normal (-want +got):\n%s", diff)
	}
	if !empty.ReduceCollapsed || !cmp.Equal(empty.Normal, []int{2}) {
		t.Errorf("empty %+v", empty)
	}
}

func TestDeriveNB201(t *testing.T) {
	s := space(t, "nb201")
	tied := filled(s, Normal, 0.2)
	c, err := DeriveNB201(s, tied)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.String(), "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"; got != want {
		t.Errorf("all tied: %s, want %s (ties to the first column)", got, want)
	}
	w := filled(s, Normal, 0.1)
	set(t, s, Normal, w, 0, 1, NorConv3x3, 0.5)
	set(t, s, Normal, w, 0, 2, NorConv3x3, 0.5)
	set(t, s, Normal, w, 1, 2, AvgPool3x3, 0.5)
	set(t, s, Normal, w, 0, 3, SkipConnect, 0.5)
	set(t, s, Normal, w, 1, 3, NorConv1x1, 0.3)
	set(t, s, Normal, w, 1, 3, NorConv3x3, 0.4)
	set(t, s, Normal, w, 2, 3, None, 0.5) // none is allowed in NB201
	c, err = DeriveNB201(s, w)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.String(), "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|"; got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	if err := c.Validate(s); err != nil {
		t.Error(err)
	}
	if c.Count(NorConv3x3) != 3 || c.Count(None) != 1 {
		t.Errorf("Count: conv3 %d none %d", c.Count(NorConv3x3), c.Count(None))
	}
}
