// Package tensor defines float32 tensors on a device, the ops every backend implements and
// the Backend interface through which autograd, layers and nas reach a device.
package tensor

import (
	"fmt"
	"strings"
)

// Shape lists the size of each dimension, outermost first (NCHW for images).
type Shape []int

// Numel is the number of elements: the product of the dimensions (1 for a scalar).
func (s Shape) Numel() int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// Equal reports whether s and o have the same dimensions.
func (s Shape) Equal(o Shape) bool {
	if len(s) != len(o) {
		return false
	}
	for i := range s {
		if s[i] != o[i] {
			return false
		}
	}
	return true
}

// Clone returns a copy that does not share memory with s.
func (s Shape) Clone() Shape { return append(Shape(nil), s...) }

// ContiguousStrides returns the row-major strides of s, in elements.
func (s Shape) ContiguousStrides() []int {
	st := make([]int, len(s))
	acc := 1
	for i := len(s) - 1; i >= 0; i-- {
		st[i] = acc
		acc *= s[i]
	}
	return st
}

func (s Shape) String() string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// NCHW returns the four dimensions of an image tensor shape and panics, naming op, when s
// has another rank.
func (s Shape) NCHW(op string) (n, c, h, w int) {
	if len(s) != 4 {
		panic(fmt.Sprintf("%s: want a 4-d NCHW tensor, got shape %v", op, s))
	}
	return s[0], s[1], s[2], s[3]
}
