package simd

import (
	"math"
	"testing"
)

var vecLengths = []int{0, 1, 3, 7, 8, 9, 15, 16, 31, 32, 33, 63, 100, 257, 1000}

// closeTo reports whether got is within tol ulps·(|want| + scale) of want.
func closeTo(got float32, want, scale, tol float64) bool {
	return math.Abs(float64(got)-want) <= tol*0x1p-24*(math.Abs(want)+scale)
}

func TestElementwise(t *testing.T) {
	const alpha, beta = float32(-1.25), float32(0.75)
	tests := []struct {
		name string
		run  func(dst, x, y []float32)
		want func(x, y, dst0 float64) float64
		tol  float64 // in units of 2⁻²⁴ relative to |want|+|terms|
	}{
		{"Axpy", func(dst, x, _ []float32) { Axpy(alpha, x, dst) }, func(x, _, d float64) float64 { return d + float64(alpha)*x }, 2},
		{"Axpby", func(dst, x, y []float32) { Axpby(dst, alpha, x, beta, y) }, func(x, y, _ float64) float64 { return float64(alpha)*x + float64(beta)*y }, 2},
		{"Scale", func(dst, x, _ []float32) { Scale(dst, alpha, x) }, func(x, _, _ float64) float64 { return float64(alpha) * x }, 1},
		{"Add", func(dst, x, y []float32) { Add(dst, x, y) }, func(x, y, _ float64) float64 { return x + y }, 1},
		{"Mul", func(dst, x, y []float32) { Mul(dst, x, y) }, func(x, y, _ float64) float64 { return x * y }, 1},
		{"Affine", func(dst, x, _ []float32) { Affine(dst, alpha, x, beta) }, func(x, _, _ float64) float64 { return float64(alpha)*x + float64(beta) }, 2},
		{"Axpbyc", func(dst, x, y []float32) { Axpbyc(dst, alpha, x, beta, y, 0.375) }, func(x, y, _ float64) float64 {
			return float64(alpha)*x + float64(beta)*y + 0.375
		}, 3},
		{"ReLU", func(dst, x, _ []float32) { ReLU(dst, x) }, func(x, _, _ float64) float64 { return math.Max(x, 0) }, 0},
		{"ReLUBackward", func(dst, x, y []float32) { ReLUBackward(dst, y, x) }, func(x, y, _ float64) float64 {
			if x > 0 {
				return y
			}
			return 0
		}, 0},
	}
	forEachImpl(t, func(t *testing.T) {
		for _, tt := range tests {
			for _, n := range vecLengths {
				rng := newRNG(uint64(n))
				x, _ := guarded(rng, n)
				y, _ := guarded(rng, n)
				dst, dWhole := guarded(rng, n)
				if n > 2 {
					x[1] = 0 // ReLU: exact zero
				}
				dst0 := append([]float32(nil), dst...)
				tt.run(dst, x, y)
				checkGuards(t, dst, dWhole)
				for i := range n {
					want := tt.want(float64(x[i]), float64(y[i]), float64(dst0[i]))
					scale := math.Abs(float64(x[i])) + math.Abs(float64(y[i])) + math.Abs(float64(dst0[i]))
					if !closeTo(dst[i], want, scale, tt.tol) {
						t.Fatalf("%s n=%d: dst[%d] = %g, want %g", tt.name, n, i, dst[i], want)
					}
				}
			}
		}
	})
}

// TestReLUSpecialValues pins the NaN and signed-zero behaviour that the
// assembly must share with the Go loops.
func TestReLUSpecialValues(t *testing.T) {
	nan := float32(math.NaN())
	negZero := float32(math.Copysign(0, -1))
	inf := float32(math.Inf(1))
	x := []float32{nan, negZero, 0, -1, 2, -inf, inf, nan, -3, 4, negZero, 5, nan, -6, 7, 8, 9}
	dy := make([]float32, len(x))
	for i := range dy {
		dy[i] = float32(i + 1)
	}
	forEachImpl(t, func(t *testing.T) {
		got := make([]float32, len(x))
		ReLU(got, x)
		for i, v := range x {
			want := v
			if v < 0 {
				want = 0
			}
			if math.Float32bits(got[i]) != math.Float32bits(want) && !(want != want && got[i] != got[i]) {
				t.Errorf("ReLU(%g) = %g, want %g", v, got[i], want)
			}
		}
		ReLUBackward(got, dy, x)
		for i, v := range x {
			want := float32(0)
			if v > 0 {
				want = dy[i]
			}
			if math.Float32bits(got[i]) != math.Float32bits(want) {
				t.Errorf("ReLUBackward at x=%g: %g, want %g", v, got[i], want)
			}
		}
	})
}

func TestInPlace(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		x := []float32{1, -2, 3, -4, 5, -6, 7, -8, 9, -10}
		Scale(x, 2, x)
		ReLU(x, x)
		want := []float32{2, 0, 6, 0, 10, 0, 14, 0, 18, 0}
		for i := range x {
			if x[i] != want[i] {
				t.Fatalf("in place Scale then ReLU = %v, want %v", x, want)
			}
		}
	})
}

func TestReductions(t *testing.T) {
	tests := []struct {
		name string
		got  func(x, y []float32) float32
		term func(x, y float64) float64
	}{
		{"Dot", Dot, func(x, y float64) float64 { return x * y }},
		{"Sum", func(x, _ []float32) float32 { return Sum(x) }, func(x, _ float64) float64 { return x }},
		{"SumSquares", func(x, _ []float32) float32 { return SumSquares(x) }, func(x, _ float64) float64 { return x * x }},
		{"SumSqDiff", func(x, _ []float32) float32 { return SumSqDiff(x, 0.25) }, func(x, _ float64) float64 { return (x - 0.25) * (x - 0.25) }},
		{"SumDotDiff.sum", func(x, y []float32) float32 { s, _ := SumDotDiff(x, y, 0.25); return s }, func(x, _ float64) float64 { return x }},
		{"SumDotDiff.dot", func(x, y []float32) float32 { _, d := SumDotDiff(x, y, 0.25); return d }, func(x, y float64) float64 { return x * (y - 0.25) }},
	}
	forEachImpl(t, func(t *testing.T) {
		for _, tt := range tests {
			for _, n := range vecLengths {
				rng := newRNG(uint64(n) + 99)
				x, _ := guarded(rng, n)
				y, _ := guarded(rng, n)
				var want, abs float64
				for i := range n {
					v := tt.term(float64(x[i]), float64(y[i]))
					want += v
					abs += math.Abs(v)
				}
				got := tt.got(x, y)
				// The bound documented in vec.go: 4·n·ε·Σ|terms|.
				if d := math.Abs(float64(got) - want); d > 4*float64(n)*0x1p-24*abs {
					t.Fatalf("%s n=%d = %g, want %g (|diff| %g)", tt.name, n, got, want, d)
				}
			}
		}
	})
}

func TestVectorLengthMismatchPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Axpy with lengths 3 and 4 did not panic")
		}
	}()
	Axpy(1, make([]float32, 3), make([]float32, 4))
}
