//go:build !purego

package simd

// Assembly in vec_amd64.s: n must be a multiple of 8; the wrappers below
// run the remaining n%8 elements with the generic loops.

//go:noescape
func axpyAVX2(alpha float32, x, y *float32, n int)

//go:noescape
func axpbyAVX2(dst *float32, alpha float32, x *float32, beta float32, y *float32, n int)

//go:noescape
func scaleAVX2(dst *float32, alpha float32, x *float32, n int)

//go:noescape
func addAVX2(dst, x, y *float32, n int)

//go:noescape
func mulAVX2(dst, x, y *float32, n int)

//go:noescape
func reluAVX2(dst, x *float32, n int)

//go:noescape
func reluBackwardAVX2(dx, dy, x *float32, n int)

//go:noescape
func dotAVX2(x, y *float32, n int) float32

//go:noescape
func sumAVX2(x *float32, n int) float32

//go:noescape
func sumSquaresAVX2(x *float32, n int) float32

//go:noescape
func affineAVX2(dst *float32, a float32, x *float32, c float32, n int)

//go:noescape
func axpbycAVX2(dst *float32, a float32, x *float32, b float32, y *float32, c float32, n int)

//go:noescape
func sumSqDiffAVX2(x *float32, c float32, n int) float32

//go:noescape
func sumDotDiffAVX2(y, x *float32, c float32, n int) (sum, dot float32)

var avx2VectorKernels = vectorKernels{
	affine: func(dst []float32, a float32, x []float32, c float32) {
		n := len(dst) &^ 7
		if n > 0 {
			affineAVX2(&dst[0], a, &x[0], c, n)
		}
		affineGeneric(dst[n:], a, x[n:], c)
	},
	axpbyc: func(dst []float32, a float32, x []float32, b float32, y []float32, c float32) {
		n := len(dst) &^ 7
		if n > 0 {
			axpbycAVX2(&dst[0], a, &x[0], b, &y[0], c, n)
		}
		axpbycGeneric(dst[n:], a, x[n:], b, y[n:], c)
	},
	sumSqDiff: func(x []float32, c float32) float32 {
		n := len(x) &^ 7
		var s float32
		if n > 0 {
			s = sumSqDiffAVX2(&x[0], c, n)
		}
		return s + sumSqDiffGeneric(x[n:], c)
	},
	sumDotDiff: func(y, x []float32, c float32) (sum, dot float32) {
		n := len(y) &^ 7
		if n > 0 {
			sum, dot = sumDotDiffAVX2(&y[0], &x[0], c, n)
		}
		s, d := sumDotDiffGeneric(y[n:], x[n:], c)
		return sum + s, dot + d
	},
	axpy: func(alpha float32, x, y []float32) {
		n := len(x) &^ 7
		if n > 0 {
			axpyAVX2(alpha, &x[0], &y[0], n)
		}
		axpyGeneric(alpha, x[n:], y[n:])
	},
	axpby: func(dst []float32, alpha float32, x []float32, beta float32, y []float32) {
		n := len(dst) &^ 7
		if n > 0 {
			axpbyAVX2(&dst[0], alpha, &x[0], beta, &y[0], n)
		}
		axpbyGeneric(dst[n:], alpha, x[n:], beta, y[n:])
	},
	scale: func(dst []float32, alpha float32, x []float32) {
		n := len(dst) &^ 7
		if n > 0 {
			scaleAVX2(&dst[0], alpha, &x[0], n)
		}
		scaleGeneric(dst[n:], alpha, x[n:])
	},
	add: func(dst, x, y []float32) {
		n := len(dst) &^ 7
		if n > 0 {
			addAVX2(&dst[0], &x[0], &y[0], n)
		}
		addGeneric(dst[n:], x[n:], y[n:])
	},
	mul: func(dst, x, y []float32) {
		n := len(dst) &^ 7
		if n > 0 {
			mulAVX2(&dst[0], &x[0], &y[0], n)
		}
		mulGeneric(dst[n:], x[n:], y[n:])
	},
	relu: func(dst, x []float32) {
		n := len(dst) &^ 7
		if n > 0 {
			reluAVX2(&dst[0], &x[0], n)
		}
		reluGeneric(dst[n:], x[n:])
	},
	reluBackward: func(dx, dy, x []float32) {
		n := len(dx) &^ 7
		if n > 0 {
			reluBackwardAVX2(&dx[0], &dy[0], &x[0], n)
		}
		reluBackwardGeneric(dx[n:], dy[n:], x[n:])
	},
	dot: func(x, y []float32) float32 {
		n := len(x) &^ 7
		var s float32
		if n > 0 {
			s = dotAVX2(&x[0], &y[0], n)
		}
		return s + dotGeneric(x[n:], y[n:])
	},
	sum: func(x []float32) float32 {
		n := len(x) &^ 7
		var s float32
		if n > 0 {
			s = sumAVX2(&x[0], n)
		}
		return s + sumGeneric(x[n:])
	},
	sumSquares: func(x []float32) float32 {
		n := len(x) &^ 7
		var s float32
		if n > 0 {
			s = sumSquaresAVX2(&x[0], n)
		}
		return s + sumSquaresGeneric(x[n:])
	},
}
