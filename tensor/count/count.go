// Package count is a backend that computes nothing: it allocates no memory, and counts the
// multiply-adds of the convolutions and matrix products run on it. Building a network on it
// gives parameter counts and a forward pass gives the mult-adds of one image, for any
// genotype, in microseconds (`nas inspect`).
package count

import "godarts/tensor"

// Backend counts multiply-adds. Reads return zeros.
type Backend struct {
	// MultAdds is the number of multiply-adds of the convolutions and matrix products run
	// so far (batch norm, pools and elementwise ops are not counted, as in the DARTS and
	// FairDARTS papers' FLOP counts).
	MultAdds int64
}

type buffer int

func (b buffer) Len() int { return int(b) }

// New returns a counting backend.
func New() *Backend { return &Backend{} }

func (b *Backend) Name() string                         { return "count" }
func (b *Backend) Alloc(n int) tensor.Buffer            { return buffer(n) }
func (b *Backend) Free(tensor.Buffer)                   {}
func (b *Backend) Upload(tensor.Buffer, int, []float32) {}
func (b *Backend) Sync()                                {}
func (b *Backend) Download(dst []float32, _ tensor.Buffer, _ int) {
	clear(dst)
}

// Run adds the multiply-adds of convolutions and matrix products; other ops cost nothing.
func (b *Backend) Run(op tensor.Op, out, in []*tensor.Tensor) {
	switch o := op.(type) {
	case tensor.Conv2DOp:
		y, w := out[0].Shape, in[1].Shape
		// every output element: Cin/G · KH · KW multiply-adds
		b.MultAdds += int64(y.Numel()) * int64(w[1]*w[2]*w[3])
	case tensor.MatMulOp:
		a := in[0].Shape
		k := a[1]
		if o.TransA {
			k = a[0]
		}
		b.MultAdds += int64(out[0].Shape.Numel()) * int64(k)
	}
}
