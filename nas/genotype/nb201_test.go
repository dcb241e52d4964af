package genotype

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNB201RoundTrip(t *testing.T) {
	tests := []string{
		// The best CIFAR-10 cell of NAS-Bench-201 in its paper's notation.
		"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|",
		"|none~0|+|skip_connect~0|avg_pool_3x3~1|+|nor_conv_1x1~0|none~1|kernel_variable_conv~2|",
	}
	for _, s := range tests {
		c, err := ParseNB201(s)
		if err != nil {
			t.Fatalf("ParseNB201(%s): %v", s, err)
		}
		if got := c.String(); got != s {
			t.Errorf("round trip: %s, want %s", got, s)
		}
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var back NB201Cell
		if err := json.Unmarshal(b, &back); err != nil || !cmp.Equal(back, c) {
			t.Errorf("JSON round trip: %s -> %+v, %v", b, back, err)
		}
	}
	c, _ := ParseNB201(tests[0])
	want := NB201Cell{Nodes: [][]NB201Input{
		{{NorConv3x3, 0}},
		{{NorConv3x3, 0}, {NorConv3x3, 1}},
		{{SkipConnect, 0}, {NorConv3x3, 1}, {NorConv3x3, 2}},
	}}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("parsed cell (-want +got):\n%s", diff)
	}
	nb, _ := SpaceByName("nb201")
	varied, _ := SpaceByName("nb201-varied")
	if err := c.Validate(nb); err != nil {
		t.Error(err)
	}
	c2, _ := ParseNB201(tests[1])
	if err := c2.Validate(varied); err != nil {
		t.Error(err)
	}
	if err := c2.Validate(nb); err == nil || !strings.Contains(err.Error(), `"kernel_variable_conv" is not an op of space nb201`) {
		t.Errorf("varied op in nb201: %v", err)
	}
}

func TestNB201Errors(t *testing.T) {
	nb, _ := SpaceByName("nb201")
	parseErrs := []struct{ s, want string }{
		{"", "empty string"},
		{"|nor_conv_3x3~1|", "node 1: input \"nor_conv_3x3\" from \"1\", want a node 0..0"},
		{"|nor_conv_3x3~0|+nor_conv_3x3~0|", "node 2: \"nor_conv_3x3~0|\", want |op~from|...|"},
		{"|nor_conv_3x3|", "want op~from"},
		{"|nor_conv_3x3~x|", "from \"x\""},
	}
	for _, tc := range parseErrs {
		if _, err := ParseNB201(tc.s); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseNB201(%q): %v, want %q", tc.s, err, tc.want)
		}
	}
	validateErrs := []struct{ s, want string }{
		{"|none~0|+|none~0|none~1|", "2 nodes, want 3"},
		{"|none~0|+|none~0|+|none~0|none~1|none~2|", "node 2: 1 inputs, want 2"},
		{"|none~0|+|none~1|none~0|+|none~0|none~1|none~2|", "node 2 input 0: from 1, want 0"},
		{"|sep_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|", `"sep_conv_3x3" is not an op of space nb201`},
	}
	for _, tc := range validateErrs {
		c, err := ParseNB201(tc.s)
		if err != nil {
			t.Fatalf("ParseNB201(%q): %v", tc.s, err)
		}
		if err := c.Validate(nb); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate(%q): %v, want %q", tc.s, err, tc.want)
		}
	}
}
