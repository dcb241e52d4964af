package genotype

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// builtins are published genotypes, kept as the Python text of their source so the parser
// is what reads them.
var builtins = []struct{ name, space, text string }{
	// quark0/darts cnn/genotypes.py: DARTS first order (V1) and second order (V2).
	{"DARTS_V1", "darts", "Genotype(normal=[('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('skip_connect', 0), ('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('skip_connect', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 0), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('avg_pool_3x3', 0)], reduce_concat=[2, 3, 4, 5])"},
	{"DARTS_V2", "darts", "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])"},
	// xiaomi-automl/FairDARTS fairdarts/genotypes.py, threshold 0.85, CIFAR-10.
	// FairDARTS_a is the README's FairDARTS-a (2.83M params, 373M FLOPs, 97.46 %).
	{"FairDARTS_a", "fair7", "Genotype(normal=[('sep_conv_3x3', 2, 0), ('sep_conv_5x5', 2, 1), ('max_pool_3x3', 4, 0), ('sep_conv_3x3', 5, 0)], normal_concat=range(2, 6), reduce=[('max_pool_3x3', 2, 0), ('avg_pool_3x3', 2, 1), ('avg_pool_3x3', 3, 0), ('dil_conv_5x5', 3, 1), ('avg_pool_3x3', 4, 0), ('sep_conv_5x5', 4, 1), ('skip_connect', 5, 0), ('skip_connect', 5, 1)], reduce_concat=range(2, 6))"},
	{"FairDARTS_b", "fair7", "Genotype(normal=[('sep_conv_3x3', 2, 0), ('sep_conv_3x3', 2, 1), ('sep_conv_3x3', 3, 1), ('dil_conv_3x3', 4, 0), ('sep_conv_5x5', 4, 1), ('dil_conv_5x5', 5, 1)], normal_concat=range(2, 6), reduce=[('skip_connect', 2, 0), ('dil_conv_3x3', 2, 1), ('skip_connect', 3, 0), ('dil_conv_3x3', 3, 1), ('max_pool_3x3', 4, 0), ('sep_conv_3x3', 4, 1), ('skip_connect', 5, 2), ('max_pool_3x3', 5, 0)], reduce_concat=range(2, 6))"},
	{"FairDARTS_c", "fair7", "Genotype(normal=[('max_pool_3x3', 2, 0), ('sep_conv_5x5', 2, 1), ('dil_conv_3x3', 4, 0), ('dil_conv_5x5', 4, 2), ('skip_connect', 5, 3), ('sep_conv_3x3', 5, 0)], normal_concat=range(2, 6), reduce=[('dil_conv_3x3', 2, 1), ('dil_conv_5x5', 2, 0), ('dil_conv_3x3', 3, 0), ('sep_conv_3x3', 3, 1), ('sep_conv_5x5', 4, 0), ('sep_conv_5x5', 4, 3), ('sep_conv_5x5', 5, 0), ('skip_connect', 5, 1)], reduce_concat=range(2, 6))"},
	{"FairDARTS_d", "fair7", "Genotype(normal=[('sep_conv_3x3', 2, 0), ('sep_conv_5x5', 2, 1), ('dil_conv_3x3', 3, 1), ('max_pool_3x3', 3, 0), ('dil_conv_3x3', 4, 0), ('dil_conv_3x3', 4, 1), ('sep_conv_3x3', 5, 0), ('dil_conv_5x5', 5, 1)], normal_concat=range(2, 6), reduce=[('max_pool_3x3', 2, 0), ('sep_conv_5x5', 2, 1), ('avg_pool_3x3', 3, 0), ('dil_conv_5x5', 3, 2), ('dil_conv_3x3', 4, 3), ('avg_pool_3x3', 4, 0), ('avg_pool_3x3', 5, 0), ('skip_connect', 5, 3)], reduce_concat=range(2, 6))"},
	{"FairDARTS_e", "fair7", "Genotype(normal=[('sep_conv_3x3', 2, 0), ('sep_conv_3x3', 2, 1), ('dil_conv_3x3', 4, 1), ('dil_conv_3x3', 4, 2), ('dil_conv_3x3', 5, 0), ('dil_conv_5x5', 5, 1)], normal_concat=range(2, 6), reduce=[('max_pool_3x3', 2, 1), ('max_pool_3x3', 2, 0), ('max_pool_3x3', 3, 1), ('max_pool_3x3', 3, 0), ('sep_conv_5x5', 4, 1), ('max_pool_3x3', 4, 0), ('avg_pool_3x3', 5, 0), ('dil_conv_5x5', 5, 1)], reduce_concat=range(2, 6))"},
	{"FairDARTS_f", "fair7", "Genotype(normal=[('max_pool_3x3', 2, 0), ('sep_conv_3x3', 2, 1), ('dil_conv_3x3', 3, 1), ('sep_conv_5x5', 4, 1), ('sep_conv_3x3', 5, 0), ('sep_conv_3x3', 5, 1)], normal_concat=range(2, 6), reduce=[('max_pool_3x3', 2, 0), ('max_pool_3x3', 2, 1), ('max_pool_3x3', 3, 0), ('dil_conv_3x3', 3, 1), ('dil_conv_3x3', 4, 2), ('max_pool_3x3', 4, 0), ('max_pool_3x3', 5, 0), ('sep_conv_3x3', 5, 1)], reduce_concat=range(2, 6))"},
	{"FairDARTS_g", "fair7", "Genotype(normal=[('sep_conv_3x3', 2, 0), ('sep_conv_3x3', 2, 1), ('skip_connect', 4, 3), ('sep_conv_5x5', 4, 1), ('dil_conv_3x3', 5, 0), ('sep_conv_3x3', 5, 1)], normal_concat=range(2, 6), reduce=[('avg_pool_3x3', 2, 1), ('skip_connect', 2, 0), ('skip_connect', 3, 2), ('max_pool_3x3', 3, 1), ('sep_conv_5x5', 4, 3), ('max_pool_3x3', 4, 0), ('dil_conv_3x3', 5, 1), ('dil_conv_3x3', 5, 4)], reduce_concat=range(2, 6))"},
}

// aliases are other names the reference code gives the same genotype: quark0/darts sets
// DARTS = DARTS_V2.
var aliases = map[string]string{"DARTS": "DARTS_V2"}

// Names returns the built-in genotype names (aliases included), sorted.
func Names() []string {
	names := make([]string, 0, len(builtins)+len(aliases))
	for _, b := range builtins {
		names = append(names, b.name)
	}
	for a := range aliases {
		names = append(names, a)
	}
	sort.Strings(names)
	return names
}

// ByName returns a fresh copy of a built-in genotype: DARTS_V1, DARTS_V2 (alias DARTS),
// FairDARTS_a .. FairDARTS_g.
func ByName(name string) (*Genotype, error) {
	if a, ok := aliases[name]; ok {
		name = a
	}
	for _, b := range builtins {
		if b.name == name {
			g, err := ParsePython(b.text, b.space)
			if err != nil {
				panic(fmt.Sprintf("genotype: built-in %s does not parse: %v", name, err))
			}
			return g, nil
		}
	}
	return nil, fmt.Errorf("unknown genotype %q, want one of %s", name, strings.Join(Names(), ", "))
}

// Load returns the built-in genotype of that name, or else reads the file: JSON when it
// ends in .json or starts with '{', the Python text otherwise (space inferred). Errors are
// one line naming the file.
func Load(nameOrPath string) (*Genotype, error) {
	if g, err := ByName(nameOrPath); err == nil {
		return g, nil
	}
	g, err := LoadFile(nameOrPath, "")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("genotype %q: not a built-in (%s) and no such file", nameOrPath, strings.Join(Names(), ", "))
	}
	return g, err
}

// LoadFile reads a genotype file (see Load). space, when not "", names the space a
// Python text is validated against; a JSON file names its own.
func LoadFile(path, space string) (*Genotype, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read genotype: %w", err)
	}
	var g *Genotype
	if strings.EqualFold(filepath.Ext(path), ".json") || bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
		g, err = ParseJSON(data)
		if err == nil && space != "" && g.Space != space {
			err = fmt.Errorf("space: %s, want %s", g.Space, space)
		}
	} else {
		g, err = ParsePython(string(data), space)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return g, nil
}
