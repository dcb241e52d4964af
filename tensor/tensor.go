package tensor

import "fmt"

// Tensor is a view of float32 elements in a backend buffer: element (i0, i1, ...) lives at
// Buf[Off + i0*Strides[0] + i1*Strides[1] + ...]. Views share the buffer; making one copies
// nothing.
type Tensor struct {
	Dev     Backend
	Buf     Buffer
	Off     int
	Shape   Shape
	Strides []int
}

// New allocates a zeroed contiguous tensor of the given shape on dev.
func New(dev Backend, shape ...int) *Tensor {
	s := Shape(shape).Clone()
	for _, d := range s {
		if d < 0 {
			panic(fmt.Sprintf("tensor.New: negative dimension in shape %v", s))
		}
	}
	return &Tensor{Dev: dev, Buf: dev.Alloc(s.Numel()), Shape: s, Strides: s.ContiguousStrides()}
}

// NewLike allocates a zeroed contiguous tensor with t's shape on t's backend.
func NewLike(t *Tensor) *Tensor { return New(t.Dev, t.Shape...) }

// FromSlice uploads data into a new tensor of the given shape.
func FromSlice(dev Backend, data []float32, shape ...int) *Tensor {
	t := New(dev, shape...)
	if len(data) != t.Numel() {
		panic(fmt.Sprintf("tensor.FromSlice: %d values for shape %v (%d elements)", len(data), t.Shape, t.Numel()))
	}
	dev.Upload(t.Buf, 0, data)
	return t
}

// Numel is the number of elements of t.
func (t *Tensor) Numel() int { return t.Shape.Numel() }

// IsContiguous reports whether t's elements are laid out row-major without gaps.
func (t *Tensor) IsContiguous() bool {
	want := t.Shape.ContiguousStrides()
	for i := range want {
		if t.Shape[i] != 1 && t.Strides[i] != want[i] {
			return false
		}
	}
	return true
}

// Reshape returns a view of a contiguous t with another shape of the same size. One
// dimension may be -1 and is then inferred.
func (t *Tensor) Reshape(shape ...int) *Tensor {
	s := Shape(shape).Clone()
	infer := -1
	known := 1
	for i, d := range s {
		if d == -1 {
			if infer >= 0 {
				panic(fmt.Sprintf("Reshape: two -1 dimensions in %v", s))
			}
			infer = i
			continue
		}
		known *= d
	}
	if infer >= 0 && known > 0 {
		s[infer] = t.Numel() / known
	}
	if s.Numel() != t.Numel() {
		panic(fmt.Sprintf("Reshape: shape %v does not hold the %d elements of %v", Shape(shape), t.Numel(), t.Shape))
	}
	if !t.IsContiguous() {
		panic(fmt.Sprintf("Reshape: tensor of shape %v with strides %v is not contiguous", t.Shape, t.Strides))
	}
	return &Tensor{Dev: t.Dev, Buf: t.Buf, Off: t.Off, Shape: s, Strides: s.ContiguousStrides()}
}

// Narrow returns the view of elements start..start+n-1 along dimension dim (a channel
// slice of an NCHW tensor is Narrow(1, c0, n)).
func (t *Tensor) Narrow(dim, start, n int) *Tensor {
	if dim < 0 || dim >= len(t.Shape) || start < 0 || n < 0 || start+n > t.Shape[dim] {
		panic(fmt.Sprintf("Narrow: dim %d range [%d,%d) outside shape %v", dim, start, start+n, t.Shape))
	}
	s := t.Shape.Clone()
	s[dim] = n
	return &Tensor{Dev: t.Dev, Buf: t.Buf, Off: t.Off + start*t.Strides[dim], Shape: s, Strides: append([]int(nil), t.Strides...)}
}

// Read downloads t's elements in row-major order. It waits for the device.
func (t *Tensor) Read() []float32 {
	c := t.Contiguous()
	out := make([]float32, c.Numel())
	t.Dev.Download(out, c.Buf, c.Off)
	return out
}

// Item reads the single element of a one-element tensor. It waits for the device.
func (t *Tensor) Item() float32 {
	if t.Numel() != 1 {
		panic(fmt.Sprintf("Item: tensor of shape %v has %d elements, want 1", t.Shape, t.Numel()))
	}
	return t.Read()[0]
}

// Write uploads data (row-major, Numel values) into a contiguous t.
func (t *Tensor) Write(data []float32) {
	if len(data) != t.Numel() || !t.IsContiguous() {
		panic(fmt.Sprintf("Write: %d values into tensor of shape %v (contiguous %v)", len(data), t.Shape, t.IsContiguous()))
	}
	t.Dev.Upload(t.Buf, t.Off, data)
}

// Free gives t's buffer back to its backend. Views of the same buffer become invalid.
// Free of a nil tensor does nothing.
func (t *Tensor) Free() {
	if t != nil && t.Buf != nil {
		t.Dev.Free(t.Buf)
		t.Buf = nil
	}
}

func (t *Tensor) String() string {
	return fmt.Sprintf("Tensor%v@%s", t.Shape, t.Dev.Name())
}
