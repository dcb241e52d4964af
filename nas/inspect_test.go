package nas

import (
	"testing"

	"godarts/nas/genotype"
	"godarts/tensor"
	"godarts/tensor/count"
)

func countDev() tensor.Backend { return count.New() }

// The DARTS paper reports 3.3M parameters for DARTS_V2 at C 36, 20 cells on CIFAR-10, and
// quark0/darts's count_parameters_in_MB (auxiliary head excluded) gives 3.349342M.
func TestInspectDARTSV2(t *testing.T) {
	g, err := genotype.ByName("DARTS_V2")
	if err != nil {
		t.Fatal(err)
	}
	params, madds, err := Inspect(g, EvalConfig{C: 36, Layers: 20, Classes: 10, InChannels: 3}, 32)
	if err != nil {
		t.Fatal(err)
	}
	if params != 3349342 {
		t.Errorf("DARTS_V2 parameters %d, want 3349342", params)
	}
	if madds < 500e6 || madds > 560e6 {
		t.Errorf("DARTS_V2 mult-adds %d, want about 530M", madds)
	}
	withAux, _, err := Inspect(g, EvalConfig{C: 36, Layers: 20, Classes: 10, InChannels: 3, Auxiliary: true}, 32)
	if err != nil {
		t.Fatal(err)
	}
	if withAux <= params {
		t.Errorf("auxiliary head adds nothing: %d vs %d", withAux, params)
	}
	// The auxiliary head also builds on 28x28 inputs (7x7 maps at 2/3 depth).
	if _, _, err := Inspect(g, EvalConfig{C: 16, Layers: 8, Classes: 10, InChannels: 1, Auxiliary: true}, 28); err != nil {
		t.Errorf("28x28 with auxiliary head: %v", err)
	}
}

// TestInspectNB201 counts the NAS-Bench-201 ResNet-like stage network (every stage its
// cell of two 3×3 convs, 5 cells; C 16, CIFAR-10) by hand: per cell two 3×3 convs on the
// stage's map; the stem; each ResNet block's conv_a (stride 2), conv_b and 1×1 shortcut;
// the classifier.
func TestInspectNB201(t *testing.T) {
	cell, err := genotype.ParseNB201("|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|")
	if err != nil {
		t.Fatal(err)
	}
	g := &genotype.NB201Net{Space: "nb201"}
	for range 3 {
		g.Stages = append(g.Stages, genotype.NB201Stage{Cell: cell, Cells: 5})
	}
	params, madds, err := InspectNB201(g, 16, 3, 10, 32)
	if err != nil {
		t.Fatal(err)
	}
	if want := NB201DerivedParams(g, 16, 3, 10); params != want {
		t.Errorf("parameters %d, want %d", params, want)
	}
	want := int64(32 * 32 * 16 * 3 * 9) // stem
	for s, C := range []int64{16, 32, 64} {
		hw := int64(32>>s) * int64(32>>s)
		want += 5 * 2 * hw * C * C * 9 // the cells
		if s > 0 {
			want += hw*C*(C/2)*9 + hw*C*C*9 + hw*C*(C/2) // conv_a, conv_b, shortcut
		}
	}
	want += 64 * 10
	if madds != want {
		t.Errorf("mult-adds %d, hand count %d", madds, want)
	}
	if _, _, err := InspectNB201(g, 16, 3, 10, 2); err == nil {
		t.Error("a 2×2 input was accepted")
	}
}
