package genotype

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The published DARTS genotypes print exactly as cnn/genotypes.py writes them.
func TestPythonGoldenDARTS(t *testing.T) {
	data, err := os.ReadFile("testdata/quark0_darts_genotypes.txt")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		name, text, ok := strings.Cut(line, " = ")
		if !ok {
			t.Fatalf("bad fixture line %q", line)
		}
		n++
		g, err := ByName(name)
		if err != nil {
			t.Fatal(err)
		}
		if got := g.PythonForm(ConcatList); got != text {
			t.Errorf("%s PythonForm(ConcatList):\n got %s\nwant %s", name, got, text)
		}
		if got := g.Python(); got != text {
			t.Errorf("%s Python() does not keep the list form it was read in:\n got %s", name, got)
		}
		parsed, err := ParsePython(line, "")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if diff := cmp.Diff(g, parsed); diff != "" {
			t.Errorf("%s: parse of the golden line differs from ByName (-want +got):\n%s", name, diff)
		}
	}
	if n != 2 {
		t.Fatalf("fixture has %d genotypes, want 2", n)
	}
}

func TestPythonRangeForm(t *testing.T) {
	g, _ := ByName("DARTS_V2")
	got := g.PythonForm(ConcatRange)
	if !strings.Contains(got, "normal_concat=range(2, 6), reduce=[") || !strings.HasSuffix(got, "reduce_concat=range(2, 6))") {
		t.Errorf("range form: %s", got)
	}
	// A concat list with a gap cannot be a range.
	g.NormalConcat = []int{2, 4, 5}
	if got := g.PythonForm(ConcatRange); !strings.Contains(got, "normal_concat=[2, 4, 5]") {
		t.Errorf("gapped concat: %s", got)
	}
}

// Every built-in survives JSON -> Python -> JSON and Python -> JSON -> Python.
func TestRoundTripsBuiltins(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			g, err := ByName(name)
			if err != nil {
				t.Fatal(err)
			}
			fromJSON, err := ParseJSON(g.JSON())
			if err != nil {
				t.Fatalf("ParseJSON(JSON()): %v\n%s", err, g.JSON())
			}
			fromPy, err := ParsePython(fromJSON.Python(), "")
			if err != nil {
				t.Fatalf("ParsePython(Python()): %v", err)
			}
			if string(fromPy.JSON()) != string(g.JSON()) {
				t.Errorf("JSON -> Python -> JSON changed:\n%s\nwant\n%s", fromPy.JSON(), g.JSON())
			}
			if fromPy.Space != g.Space {
				t.Errorf("space inferred from the Python text: %s, want %s", fromPy.Space, g.Space)
			}
			again, err := ParsePython(g.Python(), g.Space)
			if err != nil {
				t.Fatal(err)
			}
			if again.Python() != g.Python() {
				t.Errorf("Python -> Python changed:\n%s\nwant\n%s", again.Python(), g.Python())
			}
		})
	}
}

func TestParsePythonForms(t *testing.T) {
	v2, _ := ByName("DARTS_V2")
	multi, err := os.ReadFile("testdata/darts_v2_multiline.py")
	if err != nil {
		t.Fatal(err)
	}
	g, err := ParsePython(string(multi), "")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(v2.JSON(), g.JSON()); diff != "" {
		t.Errorf("multi-line text with comments, double quotes and trailing commas (-want +got):\n%s", diff)
	}
	if g.Form != ConcatRange {
		t.Errorf("Form %v after range(2, 6), want ConcatRange", g.Form)
	}
	// The triples of FairDARTS give explicit targets and infer the fair7 space.
	fa, err := ParsePython("Genotype(normal=[('sep_conv_3x3', 3, 1)], normal_concat=range(2, 6), reduce=[], reduce_concat=[2, 3, 4, 5])", "")
	if err != nil {
		t.Fatal(err)
	}
	want := []Gene{{Op: SepConv3x3, From: 1, To: 3}}
	if fa.Space != "fair7" || !cmp.Equal(fa.Normal, want) {
		t.Errorf("triples: space %s normal %v, want fair7 %v", fa.Space, fa.Normal, want)
	}
	// Pairs of a RobustDARTS space need the space named (noise is no DARTS op).
	s4 := "Genotype(normal=[('noise', 0), ('sep_conv_3x3', 1), ('noise', 0), ('noise', 2), ('sep_conv_3x3', 3), ('noise', 1), ('noise', 4), ('noise', 0)], normal_concat=range(2, 6), " +
		"reduce=[('noise', 0), ('noise', 1), ('noise', 0), ('noise', 1), ('noise', 0), ('noise', 1), ('noise', 0), ('noise', 1)], reduce_concat=range(2, 6))"
	if g, err := ParsePython(s4, "s4"); err != nil || g.Space != "s4" || SkipCount(g.Normal) != 0 {
		t.Errorf("s4 pairs: %v", err)
	}
	if _, err := ParsePython(s4, ""); err == nil || !strings.Contains(err.Error(), `normal[0].op: "noise" is not an op of space darts`) {
		t.Errorf("s4 pairs read as darts: %v", err)
	}
}

func TestParsePythonErrors(t *testing.T) {
	v2, _ := ByName("DARTS_V2")
	good := v2.Python()
	tests := []struct {
		name, text, space, want string
	}{
		{"unknown op", strings.Replace(good, "'dil_conv_3x3'", "'dil_conv_9x9'", 1), "", `normal[7].op: "dil_conv_9x9" is not an op of space darts`},
		{"none is a darts op but no fair7 op", strings.Replace(good, "'dil_conv_3x3'", "'none'", 1), "fair7", `normal[7].op: "none" is not an op of space fair7`},
		{"source out of range", strings.Replace(good, "('sep_conv_3x3', 1), ('sep_conv_3x3', 0)", "('sep_conv_3x3', 2), ('sep_conv_3x3', 0)", 1), "", "normal[1].from: 2 out of range for node 0, want 0..1"},
		{"negative source", strings.Replace(good, "('dil_conv_3x3', 2)", "('dil_conv_3x3', -1)", 1), "", "normal[7].from: -1 out of range"},
		{"wrong count", strings.Replace(good, ", ('dil_conv_3x3', 2)", "", 1), "", "normal: 7 genes, want 8 (2 per node for space darts)"},
		{"concat out of range", strings.Replace(good, "reduce_concat=[2, 3, 4, 5]", "reduce_concat=[2, 3, 4, 6]", 1), "", "reduce_concat[3]: 6 out of range, want 2..5"},
		{"concat not increasing", strings.Replace(good, "normal_concat=[2, 3, 4, 5]", "normal_concat=[3, 2]", 1), "", "normal_concat[1]: 2 after 3, want strictly increasing"},
		{"concat empty", strings.Replace(good, "normal_concat=[2, 3, 4, 5]", "normal_concat=[]", 1), "", "normal_concat: empty"},
		{"missing field", strings.Replace(good, ", reduce_concat=[2, 3, 4, 5]", "", 1), "", "reduce_concat: missing"},
		{"unknown field", strings.Replace(good, "reduce_concat=", "reduce_cat=", 1), "", "unknown field reduce_cat"},
		{"field twice", strings.Replace(good, "reduce_concat=", "normal_concat=", 1), "", "field normal_concat given twice"},
		{"unclosed", strings.TrimSuffix(good, ")"), "", "expected ',', found end of text"},
		{"mixed arity", "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 2, 1)], normal_concat=range(2, 6), reduce=[], reduce_concat=range(2, 6))", "", "normal[1]: mixes (op, from) pairs and (op, to, from) triples"},
		{"op not a string", "Genotype(normal=[(sep_conv_3x3, 0)], normal_concat=range(2, 6), reduce=[], reduce_concat=range(2, 6))", "", "line 1 col 19: normal[0]: expected an op name in quotes, found 'sep_conv_3x3'"},
		{"four numbers", "Genotype(normal=[('sep_conv_3x3', 2, 1, 0)], normal_concat=range(2, 6), reduce=[], reduce_concat=range(2, 6))", "", "normal[0]: want ('op', from) or ('op', to, from), found 3 numbers"},
		{"target out of range", "Genotype(normal=[('sep_conv_3x3', 6, 1)], normal_concat=range(2, 6), reduce=[], reduce_concat=range(2, 6))", "", "normal[0].to: 6 out of range, want 2..5"},
		{"trailing text", good + " x", "", "expected end of text after Genotype(...), found 'x'"},
		{"not a genotype", "hello", "", "expected '=', found end of text"},
		{"unknown space", good, "s9", `space: unknown search space "s9"`},
		{"nb201 space", good, "nb201", "space: nb201 is a NAS-Bench-201 space"},
		{"unterminated string", "Genotype(normal=[('sep_conv_3x3, 0)], normal_concat=range(2, 6), reduce=[], reduce_concat=range(2, 6))", "", "unterminated string"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePython(tc.text, tc.space)
			if err == nil {
				t.Fatalf("no error, want one containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q\nwant it to contain %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

func TestParseJSONErrors(t *testing.T) {
	v2, _ := ByName("DARTS_V2")
	good := string(v2.JSON())
	tests := []struct{ name, text, want string }{
		{"unknown field", strings.Replace(good, `"normal":`, `"nrmal":`, 1), `unknown field "nrmal"`},
		{"missing space", strings.Replace(good, `"space": "darts",`, ``, 1), "space: missing"},
		{"missing reduce", strings.Replace(good, `"reduce": [`, `"reduce_x": [`, 1), `unknown field "reduce_x"`},
		{"bad space", strings.Replace(good, `"space": "darts"`, `"space": "dart"`, 1), `space: unknown search space "dart"`},
		{"from is a string", strings.Replace(good, `"from": 2`, `"from": "2"`, 1), "normal.from: found a JSON string, want an integer"},
		{"genes not in node order", strings.Replace(good, `{"op": "sep_conv_3x3", "from": 1, "to": 2}`, `{"op": "sep_conv_3x3", "from": 1, "to": 3}`, 1), "normal[1].to: 3, want 2 (space darts lists 2 genes per node in node order)"},
		{"syntax", strings.Replace(good, `"space": "darts",`, `"space": "darts"`, 1), "json: invalid character"},
		{"empty", "", "json: empty input"},
		{"two objects", good + good, "json: text after the genotype object"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseJSON([]byte(tc.text))
			if err == nil {
				t.Fatalf("no error, want one containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q\nwant one line containing %q", err, tc.want)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	v2, _ := ByName("DARTS_V2")
	dir := t.TempDir()
	jsonPath := filepath.Join(dir, "arch.json")
	if err := os.WriteFile(jsonPath, v2.JSON(), 0o644); err != nil {
		t.Fatal(err)
	}
	// Python text under a name without an extension that says so.
	pyPath := filepath.Join(dir, "arch")
	if err := os.WriteFile(pyPath, []byte(v2.Python()+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{"DARTS_V2", "DARTS", jsonPath, pyPath, "testdata/darts_v2_multiline.py"} {
		g, err := Load(src)
		if err != nil {
			t.Fatalf("Load(%s): %v", src, err)
		}
		if string(g.JSON()) != string(v2.JSON()) {
			t.Errorf("Load(%s) differs from DARTS_V2:\n%s", src, g.JSON())
		}
	}
	errTests := []struct{ src, want string }{
		{"testdata/bad_op.json", `testdata/bad_op.json: normal[1].op: "sep_conv_9x9" is not an op of space darts`},
		{"testdata/bad_concat.py", "testdata/bad_concat.py: reduce_concat[3]: 6 out of range"},
		{"DARTS_V3", `genotype "DARTS_V3": not a built-in (DARTS, DARTS_V1, DARTS_V2, FairDARTS_a`},
		{filepath.Join(dir, "missing.json"), "not a built-in"},
	}
	for _, tc := range errTests {
		_, err := Load(tc.src)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Load(%s) error %v\nwant one line containing %q", tc.src, err, tc.want)
		}
	}
	if _, err := LoadFile(jsonPath, "fair7"); err == nil || !strings.Contains(err.Error(), "space: darts, want fair7") {
		t.Errorf("LoadFile with another space: %v", err)
	}
	g, err := Load("testdata/fair_collapsed.txt")
	if err != nil {
		t.Fatal(err)
	}
	if e := g.Empty(); !e.NormalCollapsed || e.ReduceCollapsed || len(e.Reduce) != 3 {
		t.Errorf("fair_collapsed.txt Empty() = %+v", e)
	}
}

func TestByNameReturnsCopies(t *testing.T) {
	a, _ := ByName("DARTS_V2")
	a.Normal[0].Op = "changed"
	b, _ := ByName("DARTS_V2")
	if b.Normal[0].Op != SepConv3x3 {
		t.Fatal("ByName shares state between calls")
	}
	c := b.Clone()
	c.Reduce[0].From = 1
	c.NormalConcat[0] = 3
	if b.Reduce[0].From != 0 || b.NormalConcat[0] != 2 {
		t.Fatal("Clone shares slices")
	}
}

func TestCounts(t *testing.T) {
	tests := []struct {
		name                             string
		skipN, skipR, freeN, freeR       int
		emptyNormal, emptyReduce         []int
		collapsedNormal, collapsedReduce bool
	}{
		// DARTS_V2 normal: two skips from c_{k-2}; reduce: five max pools and three
		// skips from node 0 (stride 1, identity).
		{"DARTS_V2", 2, 3, 2, 8, nil, nil, false, false},
		// DARTS_V1 reduce: skips all from node 0; the pools are free anyway.
		{"DARTS_V1", 3, 3, 3, 8, nil, nil, false, false},
		// FairDARTS_a normal: node 1 has no input; reduce: two skips from the inputs
		// (stride 2, FactorizedReduce, not free) and four pools.
		{"FairDARTS_a", 0, 2, 1, 4, []int{1}, nil, false, false},
	}
	for _, tc := range tests {
		g, _ := ByName(tc.name)
		got := []int{SkipCount(g.Normal), SkipCount(g.Reduce), ParameterFreeCount(g.Normal, Normal), ParameterFreeCount(g.Reduce, Reduce)}
		want := []int{tc.skipN, tc.skipR, tc.freeN, tc.freeR}
		if !cmp.Equal(got, want) {
			t.Errorf("%s skip/free counts %v, want %v", tc.name, got, want)
		}
		e := g.Empty()
		if !cmp.Equal(e.Normal, tc.emptyNormal) || !cmp.Equal(e.Reduce, tc.emptyReduce) || e.NormalCollapsed != tc.collapsedNormal || e.ReduceCollapsed != tc.collapsedReduce {
			t.Errorf("%s Empty() = %+v", tc.name, e)
		}
	}
}

func TestEmptyNodesString(t *testing.T) {
	tests := []struct {
		e    EmptyNodes
		want string
	}{
		{EmptyNodes{}, ""},
		{EmptyNodes{Normal: []int{1}}, "normal cell: node 1 has no input"},
		{EmptyNodes{Normal: []int{0, 1, 2, 3}, NormalCollapsed: true, Reduce: []int{0, 2}}, "normal cell collapsed: no node has an input; reduce cell: nodes 0, 2 have no input"},
	}
	for _, tc := range tests {
		if got := tc.e.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.e, got, tc.want)
		}
	}
}

func TestNodeGenes(t *testing.T) {
	g, _ := ByName("FairDARTS_c")
	want := [][]Gene{
		{{MaxPool3x3, 0, 2}, {SepConv5x5, 1, 2}},
		{},
		{{DilConv3x3, 0, 4}, {DilConv5x5, 2, 4}},
		{{SkipConnect, 3, 5}, {SepConv3x3, 0, 5}},
	}
	if diff := cmp.Diff(want, g.NodeGenes(Normal)); diff != "" {
		t.Errorf("FairDARTS_c normal by node (-want +got):\n%s", diff)
	}
	v1, _ := ByName("DARTS_V1")
	for i, node := range v1.NodeGenes(Reduce) {
		if !cmp.Equal(node, v1.Reduce[2*i:2*i+2]) {
			t.Errorf("DARTS_V1 reduce node %d: %v, want %v", i, node, v1.Reduce[2*i:2*i+2])
		}
	}
}
