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
