package simd

import "fmt"

// vectorKernels are one implementation's vector loops. The exported
// functions check lengths and pass slices of equal length.
type vectorKernels struct {
	axpy         func(alpha float32, x, y []float32)
	axpby        func(dst []float32, alpha float32, x []float32, beta float32, y []float32)
	scale        func(dst []float32, alpha float32, x []float32)
	add          func(dst, x, y []float32)
	mul          func(dst, x, y []float32)
	dot          func(x, y []float32) float32
	relu         func(dst, x []float32)
	reluBackward func(dx, dy, x []float32)
	sum          func(x []float32) float32
	sumSquares   func(x []float32) float32
	affine       func(dst []float32, a float32, x []float32, c float32)
	axpbyc       func(dst []float32, a float32, x []float32, b float32, y []float32, c float32)
	sumSqDiff    func(x []float32, c float32) float32
	sumDotDiff   func(y, x []float32, c float32) (sum, dot float32)
}

var genericVectorKernels = vectorKernels{
	axpy:         axpyGeneric,
	axpby:        axpbyGeneric,
	scale:        scaleGeneric,
	add:          addGeneric,
	mul:          mulGeneric,
	dot:          dotGeneric,
	relu:         reluGeneric,
	reluBackward: reluBackwardGeneric,
	sum:          sumGeneric,
	sumSquares:   sumSquaresGeneric,
	affine:       affineGeneric,
	axpbyc:       axpbycGeneric,
	sumSqDiff:    sumSqDiffGeneric,
	sumDotDiff:   sumDotDiffGeneric,
}

func sameLen(op string, names string, lens ...int) {
	for _, l := range lens[1:] {
		if l != lens[0] {
			// A copy, so lens itself does not escape: the callers' variadic slices
			// then stay on the stack instead of costing an allocation per call.
			panic(fmt.Sprintf("simd.%s: lengths of %s differ: %v", op, names, append([]int(nil), lens...)))
		}
	}
}

// The elementwise functions below allow dst to be the same slice as an
// input (in-place), but not a partly overlapping one.
//
// The reductions (Dot, Sum, SumSquares) add in a different order in each
// implementation (the assembly keeps 32 or more partial sums), so results
// differ between implementations by rounding: for n terms the difference
// is within about n·ε·Σ|terms| (ε = 2⁻²⁴), the standard bound for recursive
// summation; tests check 4·n·ε·Σ|terms|. For a given implementation and
// length the order is fixed, so results are deterministic.

// Axpy computes
//
//	for i, v := range x {
//		y[i] += alpha * v
//	}
//
// The assembly uses fused multiply-add (one rounding).
func Axpy(alpha float32, x, y []float32) {
	sameLen("Axpy", "x, y", len(x), len(y))
	raceRead(x)
	raceWrite(y)
	current.vec.axpy(alpha, x, y)
}

// Axpby computes
//
//	for i := range dst {
//		dst[i] = alpha*x[i] + beta*y[i]
//	}
func Axpby(dst []float32, alpha float32, x []float32, beta float32, y []float32) {
	sameLen("Axpby", "dst, x, y", len(dst), len(x), len(y))
	raceRead(x)
	raceRead(y)
	raceWrite(dst)
	current.vec.axpby(dst, alpha, x, beta, y)
}

// Scale computes
//
//	for i, v := range x {
//		dst[i] = alpha * v
//	}
func Scale(dst []float32, alpha float32, x []float32) {
	sameLen("Scale", "dst, x", len(dst), len(x))
	raceRead(x)
	raceWrite(dst)
	current.vec.scale(dst, alpha, x)
}

// Add computes
//
//	for i := range dst {
//		dst[i] = x[i] + y[i]
//	}
func Add(dst, x, y []float32) {
	sameLen("Add", "dst, x, y", len(dst), len(x), len(y))
	raceRead(x)
	raceRead(y)
	raceWrite(dst)
	current.vec.add(dst, x, y)
}

// Mul computes
//
//	for i := range dst {
//		dst[i] = x[i] * y[i]
//	}
func Mul(dst, x, y []float32) {
	sameLen("Mul", "dst, x, y", len(dst), len(x), len(y))
	raceRead(x)
	raceRead(y)
	raceWrite(dst)
	current.vec.mul(dst, x, y)
}

// Dot returns
//
//	var s float32
//	for i, v := range x {
//		s += v * y[i]
//	}
//	return s
//
// up to the order of summation (see above).
func Dot(x, y []float32) float32 {
	sameLen("Dot", "x, y", len(x), len(y))
	raceRead(x)
	raceRead(y)
	return current.vec.dot(x, y)
}

// ReLU computes
//
//	for i, v := range x {
//		if v < 0 {
//			v = 0
//		}
//		dst[i] = v
//	}
//
// so NaN propagates (as in PyTorch) and -0 stays -0.
func ReLU(dst, x []float32) {
	sameLen("ReLU", "dst, x", len(dst), len(x))
	raceRead(x)
	raceWrite(dst)
	current.vec.relu(dst, x)
}

// ReLUBackward computes the gradient of ReLU with respect to its input x:
//
//	for i, v := range x {
//		if v > 0 {
//			dx[i] = dy[i]
//		} else {
//			dx[i] = 0
//		}
//	}
//
// dx may be dy (in place).
func ReLUBackward(dx, dy, x []float32) {
	sameLen("ReLUBackward", "dx, dy, x", len(dx), len(dy), len(x))
	raceRead(dy)
	raceRead(x)
	raceWrite(dx)
	current.vec.reluBackward(dx, dy, x)
}

// Sum returns
//
//	var s float32
//	for _, v := range x {
//		s += v
//	}
//	return s
//
// up to the order of summation (see above).
func Sum(x []float32) float32 {
	raceRead(x)
	return current.vec.sum(x)
}

// SumSquares returns
//
//	var s float32
//	for _, v := range x {
//		s += v * v
//	}
//	return s
//
// up to the order of summation (see above).
func SumSquares(x []float32) float32 {
	raceRead(x)
	return current.vec.sumSquares(x)
}

// Affine computes
//
//	for i, v := range x {
//		dst[i] = a*v + c
//	}
//
// The assembly uses fused multiply-add (one rounding).
func Affine(dst []float32, a float32, x []float32, c float32) {
	sameLen("Affine", "dst, x", len(dst), len(x))
	raceRead(x)
	raceWrite(dst)
	current.vec.affine(dst, a, x, c)
}

// Axpbyc computes
//
//	for i := range dst {
//		dst[i] = a*x[i] + b*y[i] + c
//	}
//
// The assembly uses fused multiply-adds (two roundings).
func Axpbyc(dst []float32, a float32, x []float32, b float32, y []float32, c float32) {
	sameLen("Axpbyc", "dst, x, y", len(dst), len(x), len(y))
	raceRead(x)
	raceRead(y)
	raceWrite(dst)
	current.vec.axpbyc(dst, a, x, b, y, c)
}

// SumSqDiff returns
//
//	var s float32
//	for _, v := range x {
//		s += (v - c) * (v - c)
//	}
//	return s
//
// up to the order of summation (see above): the second pass of a two-pass variance,
// without writing x - c anywhere.
func SumSqDiff(x []float32, c float32) float32 {
	raceRead(x)
	return current.vec.sumSqDiff(x, c)
}

// SumDotDiff returns
//
//	for i, v := range y {
//		sum += v
//		dot += v * (x[i] - c)
//	}
//
// up to the order of summation (see above), in one pass: batch norm's two backward
// reductions.
func SumDotDiff(y, x []float32, c float32) (sum, dot float32) {
	sameLen("SumDotDiff", "y, x", len(y), len(x))
	raceRead(y)
	raceRead(x)
	return current.vec.sumDotDiff(y, x, c)
}

func affineGeneric(dst []float32, a float32, x []float32, c float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = a*v + c
	}
}

func axpbycGeneric(dst []float32, a float32, x []float32, b float32, y []float32, c float32) {
	x, y = x[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = a*x[i] + b*y[i] + c
	}
}

func sumSqDiffGeneric(x []float32, c float32) float32 {
	var s float32
	for _, v := range x {
		s += (v - c) * (v - c)
	}
	return s
}

func sumDotDiffGeneric(y, x []float32, c float32) (sum, dot float32) {
	x = x[:len(y)]
	for i, v := range y {
		sum += v
		dot += v * (x[i] - c)
	}
	return sum, dot
}

func axpyGeneric(alpha float32, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += alpha * v
	}
}

func axpbyGeneric(dst []float32, alpha float32, x []float32, beta float32, y []float32) {
	x, y = x[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = alpha*x[i] + beta*y[i]
	}
}

func scaleGeneric(dst []float32, alpha float32, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = alpha * v
	}
}

func addGeneric(dst, x, y []float32) {
	x, y = x[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = x[i] + y[i]
	}
}

func mulGeneric(dst, x, y []float32) {
	x, y = x[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = x[i] * y[i]
	}
}

func dotGeneric(x, y []float32) float32 {
	y = y[:len(x)]
	var s float32
	for i, v := range x {
		s += v * y[i]
	}
	return s
}

func reluGeneric(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		if v < 0 {
			v = 0
		}
		dst[i] = v
	}
}

func reluBackwardGeneric(dx, dy, x []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	for i, v := range x {
		if v > 0 {
			dx[i] = dy[i]
		} else {
			dx[i] = 0
		}
	}
}

func sumGeneric(x []float32) float32 {
	var s float32
	for _, v := range x {
		s += v
	}
	return s
}

func sumSquaresGeneric(x []float32) float32 {
	var s float32
	for _, v := range x {
		s += v * v
	}
	return s
}
