package backendtest

import (
	"math"
	"testing"

	"godarts/tensor"
	"godarts/tensor/ref"
)

// TestGoldenCompareCatchesErrors checks that a result 2e-4 off in one element, or of
// another shape, fails the PyTorch comparison.
func TestGoldenCompareCatchesErrors(t *testing.T) {
	cases, err := GoldenCases()
	if err != nil {
		t.Fatal(err)
	}
	c := cases[0]
	dev := ref.New()
	got := RunGoldenCase(dev, c)["y"]
	if err := compareGolden("y", got, c.Tensors["y"], GoldenTol); err != nil {
		t.Fatalf("unperturbed %s: %v", c.Name, err)
	}
	v := ref.Data(got)[3]
	ref.Data(got)[3] += 2e-4 * (1 + math.Abs(v))
	if compareGolden("y", got, c.Tensors["y"], GoldenTol) == nil {
		t.Errorf("%s: perturbed output passed", c.Name)
	}
	if compareGolden("y", tensor.New(dev, 1, 2), c.Tensors["y"], GoldenTol) == nil {
		t.Errorf("%s: wrong shape passed", c.Name)
	}
}
