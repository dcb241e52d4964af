package cpu

import (
	"godarts/tensor/cpu/internal/simd"
	"godarts/tensor/cpu/internal/taps"
)

// The hot inner loops, one variable each, pointing at package simd: Go loops there, with
// assembly twins picked by cpuid (purego keeps the Go loops). Package simd's doc comments
// give the loop each computes; the lengths of all slice arguments must be equal. The
// elementwise ones allow dst to be an input (in place).
var (
	vecAxpy         = simd.Axpy         // y += alpha*x
	vecAxpby        = simd.Axpby        // dst = alpha*x + beta*y
	vecScale        = simd.Scale        // dst = alpha*x
	vecAdd          = simd.Add          // dst = x + y
	vecMul          = simd.Mul          // dst = x*y
	vecDot          = simd.Dot          // Σ x*y (summation order fixed per length)
	vecReLU         = simd.ReLU         // dst = max(x, 0), NaN propagates
	vecReLUBackward = simd.ReLUBackward // dx = dy where x > 0, else 0
	vecSum          = simd.Sum          // Σ x (summation order fixed per length)
	vecSumSquares   = simd.SumSquares   // Σ x² (summation order fixed per length)
	vecAffine       = simd.Affine       // dst = a*x + c
	vecAxpbyc       = simd.Axpbyc       // dst = a*x + b*y + c
	vecSumSqDiff    = simd.SumSqDiff    // Σ (x-c)² (summation order fixed per length)
	vecSumDotDiff   = simd.SumDotDiff   // Σ y and Σ y*(x-c) (summation order fixed per length)
	sgemm           = simd.Sgemm        // C = alpha*op(A)*op(B) + beta*C, row-major

	// dst[i] = Σ_t w[t]*src[off[t]+i], each output written once
	tapsShifted = taps.Shifted
	// dst[i] = Σ_k w[k]*xs[k][i] for at most taps.MaxTaps inputs
	tapsWeighted = taps.Weighted
	// dst[i] = max_t src[off[t]+i]
	tapsShiftedMax = taps.ShiftedMax
	// idx[i] = first t with the largest src[off[t]+i]
	tapsShiftedArgmax = taps.ShiftedArgmax
	// dst[off[idx[i]]+i] += dy[i], tap by tap
	tapsScatterArgmax = taps.ScatterArgmax
	// dots[t] = Σ_i a[i]*src[off[t]+i]
	tapsShiftedDots = taps.ShiftedDots
	// rows copied between strides, the gap after each set to v
	tapsPadRows = taps.PadRows
	// even[j] = src[2j], odd[j] = src[2j+1] row by row, and back
	tapsDeinterleaveRows = taps.DeinterleaveRows
	tapsInterleaveRows   = taps.InterleaveRows
)
