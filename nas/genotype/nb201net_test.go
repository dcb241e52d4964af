package genotype

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestNB201NetJSONRoundTrip(t *testing.T) {
	cell, err := ParseNB201("|nor_conv_7x7~0|+|none~0|nor_conv_1x1~1|+|skip_connect~0|nor_conv_3x3~1|avg_pool_3x3~2|")
	if err != nil {
		t.Fatal(err)
	}
	g := &NB201Net{Space: "nb201-varied", Stages: []NB201Stage{{cell, 3}, {cell, 1}, {cell, 2}}}
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	if !IsNB201Net(b) || !strings.Contains(string(b), `"cell":"`+g.Text()+`"`) {
		t.Fatalf("JSON %s lacks the stages or the one-line text", b)
	}
	back, err := ParseNB201Net(b)
	if err != nil {
		t.Fatal(err)
	}
	if back.Text() != g.Text() || back.Space != g.Space {
		t.Fatalf("round trip: %s (%s), want %s", back.Text(), back.Space, g.Text())
	}
	if IsNB201Net([]byte(`{"space":"darts","normal":[]}`)) {
		t.Fatal("a DARTS genotype taken for an NB201 network")
	}
}

func TestNB201NetValidate(t *testing.T) {
	full := "|nor_conv_3x3~0|+|none~0|nor_conv_1x1~1|+|skip_connect~0|nor_conv_3x3~1|avg_pool_3x3~2|"
	for _, c := range []struct {
		space, cell string
		cells       int
		want        string // "" = valid
	}{
		{"nb201", full, 5, ""},
		{"nb201-varied", full, 1, ""}, // nor_conv_3x3 is a kernel of kernel_variable_conv there
		{"nb201", strings.Replace(full, "nor_conv_3x3~0|+", "nor_conv_5x5~0|+", 1), 1, "not an op"},
		{"nb201", full, 0, "0 cells"},
		{"darts", full, 1, "not an NB201 space"},
		{"nb201", "|nor_conv_3x3~0|+|none~0|nor_conv_1x1~1|", 1, "2 nodes"},
	} {
		cell, err := ParseNB201(c.cell)
		if err != nil {
			t.Fatal(err)
		}
		g := &NB201Net{Space: c.space, Stages: []NB201Stage{{cell, c.cells}, {cell, c.cells}, {cell, c.cells}}}
		err = g.Validate()
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s %s x%d: %v, want %q", c.space, c.cell, c.cells, err, c.want)
		}
	}
}
