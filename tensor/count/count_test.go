package count

import (
	"testing"

	"godarts/tensor"
)

func TestCountsConvAndMatMul(t *testing.T) {
	b := New()
	x := tensor.New(b, 1, 4, 8, 8)
	w := tensor.New(b, 6, 2, 3, 3) // groups 2
	y := tensor.Conv2D(x, w, tensor.Conv2DParams{Stride: 2, Pad: 1, Dilation: 1, Groups: 2})
	if !y.Shape.Equal(tensor.Shape{1, 6, 4, 4}) {
		t.Fatalf("shape %v", y.Shape)
	}
	want := int64(6 * 4 * 4 * 2 * 3 * 3)
	if b.MultAdds != want {
		t.Fatalf("conv mult-adds %d, want %d", b.MultAdds, want)
	}
	b.MultAdds = 0
	tensor.MatMul(tensor.New(b, 1, 10), tensor.New(b, 5, 10), false, true)
	if b.MultAdds != 50 {
		t.Fatalf("matmul mult-adds %d, want 50", b.MultAdds)
	}
}
