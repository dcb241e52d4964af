package genotype

import (
	"slices"
	"testing"
)

func TestSpaceShapes(t *testing.T) {
	tests := []struct {
		name         string
		edges        int
		inputs       int
		steps        int
		normal0      []string // ops of edge 0 of the normal cell
		reduce13     []string // ops of the last reduce edge (nil: no reduce cell)
		uniform      bool
		arity        int
		wantTopology Topology
	}{
		{"darts", 14, 2, 4, dartsOps, dartsOps, true, 2, TopologyDARTS},
		{"fair7", 14, 2, 4, fairOps, fairOps, true, 0, TopologyDARTS},
		{"s1", 14, 2, 4, []string{SkipConnect, DilConv3x3}, []string{SkipConnect, DilConv5x5}, false, 2, TopologyDARTS},
		{"s2", 14, 2, 4, []string{SkipConnect, SepConv3x3}, []string{SkipConnect, SepConv3x3}, true, 2, TopologyDARTS},
		{"s3", 14, 2, 4, []string{None, SkipConnect, SepConv3x3}, []string{None, SkipConnect, SepConv3x3}, true, 2, TopologyDARTS},
		{"s4", 14, 2, 4, []string{Noise, SepConv3x3}, []string{Noise, SepConv3x3}, true, 2, TopologyDARTS},
		{"nb201", 6, 1, 3, []string{None, SkipConnect, NorConv1x1, NorConv3x3, AvgPool3x3}, nil, true, 1, TopologyNB201},
		{"nb201-varied", 6, 1, 3, []string{None, SkipConnect, NorConv1x1, VariableConv, AvgPool3x3}, nil, true, 1, TopologyNB201},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := SpaceByName(tc.name)
			if err != nil {
				t.Fatal(err)
			}
			if s.NumEdges() != tc.edges || len(s.Edges()) != tc.edges || s.Inputs != tc.inputs || s.Steps != tc.steps {
				t.Fatalf("edges %d/%d inputs %d steps %d, want %d inputs %d steps %d", s.NumEdges(), len(s.Edges()), s.Inputs, s.Steps, tc.edges, tc.inputs, tc.steps)
			}
			if s.Arity != tc.arity || s.Topology != tc.wantTopology {
				t.Errorf("arity %d topology %d, want %d %d", s.Arity, s.Topology, tc.arity, tc.wantTopology)
			}
			if got := s.Ops(Normal, 0); !slices.Equal(got, tc.normal0) {
				t.Errorf("normal edge 0 ops %v, want %v", got, tc.normal0)
			}
			if tc.reduce13 == nil {
				if s.HasReduce() {
					t.Errorf("HasReduce true, want false")
				}
			} else if got := s.Ops(Reduce, 13); !slices.Equal(got, tc.reduce13) {
				t.Errorf("reduce edge 13 ops %v, want %v", got, tc.reduce13)
			}
			if got := s.UniformOps() != nil; got != tc.uniform {
				t.Errorf("UniformOps != nil is %v, want %v", got, tc.uniform)
			}
		})
	}
}

// The edge order of model_search.py: node i takes states 0..i+1 in order, node by node.
func TestEdgeOrder(t *testing.T) {
	s, _ := SpaceByName("darts")
	var want []Edge
	for node := range 4 {
		for from := range node + 2 {
			want = append(want, Edge{To: node + 2, From: from})
		}
	}
	if got := s.Edges(); !slices.Equal(got, want) {
		t.Fatalf("Edges() = %v\nwant %v", got, want)
	}
	for i, e := range want {
		if got := s.EdgeIndex(e.To, e.From); got != i {
			t.Errorf("EdgeIndex(%d, %d) = %d, want %d", e.To, e.From, got, i)
		}
	}
	for _, bad := range []Edge{{2, 2}, {1, 0}, {6, 0}, {3, -1}} {
		if got := s.EdgeIndex(bad.To, bad.From); got != -1 {
			t.Errorf("EdgeIndex(%d, %d) = %d, want -1", bad.To, bad.From, got)
		}
	}
	// NB201: xautodl sorts the keys "1<-0", "2<-0", "2<-1", "3<-0", "3<-1", "3<-2".
	nb, _ := SpaceByName("nb201")
	wantNB := []Edge{{1, 0}, {2, 0}, {2, 1}, {3, 0}, {3, 1}, {3, 2}}
	if got := nb.Edges(); !slices.Equal(got, wantNB) {
		t.Fatalf("nb201 Edges() = %v, want %v", got, wantNB)
	}
}

func TestRobustS1Tables(t *testing.T) {
	s, _ := SpaceByName("s1")
	for _, kind := range []CellKind{Normal, Reduce} {
		for e := range s.NumEdges() {
			if ops := s.Ops(kind, e); len(ops) != 2 || slices.Contains(ops, None) {
				t.Errorf("%s edge %d: %v, want two ops without none", kind, e, ops)
			}
		}
	}
	// Normal and reduce differ on edge 1 (spaces.py: skip/dil5 vs max_pool/dil3).
	if slices.Equal(s.Ops(Normal, 1), s.Ops(Reduce, 1)) {
		t.Errorf("s1 normal and reduce edge 1 are equal: %v", s.Ops(Normal, 1))
	}
	if _, err := SpaceByName("s9"); err == nil {
		t.Errorf("SpaceByName(s9): no error")
	}
}

func TestOpsReturnsCopy(t *testing.T) {
	s, _ := SpaceByName("darts")
	ops := s.Ops(Normal, 0)
	ops[0] = "changed"
	if s.Ops(Normal, 0)[0] != None {
		t.Fatal("Ops exposes the shared table")
	}
}

func TestIsParameterFree(t *testing.T) {
	tests := []struct {
		op     string
		stride int
		want   bool
	}{
		{None, 1, true}, {MaxPool3x3, 2, true}, {AvgPool3x3, 1, true},
		{SkipConnect, 1, true}, {SkipConnect, 2, false}, // FactorizedReduce at stride 2
		{SepConv3x3, 1, false}, {DilConv5x5, 2, false}, {NorConv1x1, 1, false}, {Noise, 1, true},
	}
	for _, tc := range tests {
		if got := IsParameterFree(tc.op, tc.stride); got != tc.want {
			t.Errorf("IsParameterFree(%s, %d) = %v, want %v", tc.op, tc.stride, got, tc.want)
		}
	}
}
