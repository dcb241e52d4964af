package simd

import (
	"fmt"
	"math"
	"testing"
)

// refGemm computes C = alpha*op(A)*op(B) + beta*C in float64, reading C
// only when beta != 0.
func refGemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) (want, bound []float64) {
	want = make([]float64, m*n)
	bound = make([]float64, m*n) // Σ|terms|, for the error bound
	for i := range m {
		for j := range n {
			var s, abs float64
			for p := range k {
				var av, bv float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += float64(av) * float64(bv)
				abs += math.Abs(float64(av) * float64(bv))
			}
			s *= float64(alpha)
			abs *= math.Abs(float64(alpha))
			if beta != 0 {
				cv := float64(beta) * float64(c[i*ldc+j])
				s += cv
				abs += math.Abs(cv)
			}
			want[i*n+j], bound[i*n+j] = s, abs
		}
	}
	return want, bound
}

type gemmCase struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	pad            int // extra columns in every stored matrix: ld > cols
}

func (c gemmCase) String() string {
	return fmt.Sprintf("tA=%v,tB=%v,m=%d,n=%d,k=%d,alpha=%g,beta=%g,pad=%d", c.transA, c.transB, c.m, c.n, c.k, c.alpha, c.beta, c.pad)
}

func gemmCases() []gemmCase {
	var cases []gemmCase
	sizes := []int{1, 3, 7, 17, 33, 65, 100, 257}
	i := 0
	for _, m := range sizes {
		for _, n := range sizes {
			for _, k := range sizes {
				i++
				ab := [][2]float32{{1, 0}, {1, 1}, {-0.5, 2}, {1.5, 0}}[i%4]
				cases = append(cases, gemmCase{i%2 == 1, i/2%2 == 1, m, n, k, ab[0], ab[1], i % 3})
			}
		}
	}
	for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
		cases = append(cases,
			gemmCase{tr[0], tr[1], 257, 100, 300, 1, 0, 1},  // k > kc of every impl
			gemmCase{tr[0], tr[1], 16, 1568, 16, 1, 0, 0},   // skinny DARTS-like
			gemmCase{tr[0], tr[1], 65, 2100, 33, 0.5, 1, 2}, // n > nc of every impl
			gemmCase{tr[0], tr[1], 5, 4, 0, 1, 0.5, 0},      // k = 0 scales C
			gemmCase{tr[0], tr[1], 7, 9, 5, 0, 2, 0},        // alpha = 0 scales C
			gemmCase{tr[0], tr[1], 0, 9, 5, 1, 1, 0},
			gemmCase{tr[0], tr[1], 9, 0, 5, 1, 1, 0},
		)
	}
	return cases
}

// gemmInputs are one case's operands, C with its guards, and the float64
// reference result, built once and run by every implementation.
type gemmInputs struct {
	tc            gemmCase
	a, b          []float32
	c0            []float32 // C before the call, with guards around it
	lda, ldb, ldc int
	want, bound   []float64
}

// newGemmInputs fills A, B and C (C with NaN when beta is 0, and guard
// values in its padding columns and around it) and computes the reference.
func newGemmInputs(tc gemmCase) *gemmInputs {
	rng := newRNG(uint64(tc.m*1000003 + tc.n*1009 + tc.k))
	ar, ac := tc.m, tc.k
	if tc.transA {
		ar, ac = tc.k, tc.m
	}
	br, bc := tc.k, tc.n
	if tc.transB {
		br, bc = tc.n, tc.k
	}
	in := &gemmInputs{tc: tc, lda: max(ac+tc.pad, 1), ldb: max(bc+tc.pad, 1), ldc: max(tc.n+tc.pad, 1)}
	in.a, _ = guarded(rng, max(ar*in.lda, 1))
	in.b, _ = guarded(rng, max(br*in.ldb, 1))
	c, cWhole := guarded(rng, max(tc.m*in.ldc, 1))
	for i := range tc.m {
		for j := tc.n; j < in.ldc; j++ {
			c[i*in.ldc+j] = guard // padding of C must stay untouched too
		}
		if tc.beta == 0 {
			for j := range tc.n {
				c[i*in.ldc+j] = float32(math.NaN())
			}
		}
	}
	in.c0 = cWhole
	in.want, in.bound = refGemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, in.a, in.lda, in.b, in.ldb, tc.beta, c, in.ldc)
	return in
}

// run calls SgemmParallel with the implementation in use and the given
// worker count on a fresh copy of C, checks C, its guards and its padding
// against the reference, and returns C.
func (in *gemmInputs) run(t *testing.T, workers int) []float32 {
	t.Helper()
	tc := in.tc
	whole := append([]float32(nil), in.c0...)
	pad := (len(whole) - max(tc.m*in.ldc, 1)) / 2
	c := whole[pad : len(whole)-pad]
	SgemmParallel(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, in.a, in.lda, in.b, in.ldb, tc.beta, c, in.ldc, workers)
	checkGuards(t, c, whole)
	// Float32 products are exact in float64; the float32 sum of k terms is
	// within k·ε·Σ|terms| of the exact sum (ε = 2⁻²⁴), plus the alpha, beta
	// roundings.
	for i := range tc.m {
		for j := range in.ldc {
			got := c[i*in.ldc+j]
			if j >= tc.n {
				if got != guard {
					t.Fatalf("%s %v: padding C[%d,%d] = %g, want untouched", Current(), tc, i, j, got)
				}
				continue
			}
			tol := float64(tc.k+4)*0x1p-24*in.bound[i*tc.n+j] + 1e-30
			if d := math.Abs(float64(got) - in.want[i*tc.n+j]); !(d <= tol) {
				t.Fatalf("%s %v: C[%d,%d] = %g, want %g (|diff| %g > %g)", Current(), tc, i, j, got, in.want[i*tc.n+j], d, tol)
			}
		}
	}
	return c
}

// TestSgemm runs every case with every implementation available here.
func TestSgemm(t *testing.T) {
	saved := Current()
	defer Select(saved)
	for _, tc := range gemmCases() {
		in := newGemmInputs(tc)
		for _, name := range Implementations() {
			Select(name)
			in.run(t, 1)
		}
	}
}

// TestSgemmParallelBitIdentical checks that the worker count does not
// change a single bit of C, on shapes above the parallel threshold.
func TestSgemmParallelBitIdentical(t *testing.T) {
	cases := []gemmCase{
		{false, false, 257, 129, 300, 1, 0, 1},
		{true, false, 16, 6272, 16, 1, 0, 0},
		{false, true, 100, 2100, 65, 0.5, 1.5, 2},
		{true, true, 33, 257, 257, 1, 1, 0},
	}
	var inputs []*gemmInputs
	for _, tc := range cases {
		if 2*tc.m*tc.n*tc.k < ParallelMinFlops {
			t.Fatalf("%v is below ParallelMinFlops", tc)
		}
		inputs = append(inputs, newGemmInputs(tc))
	}
	forEachImpl(t, func(t *testing.T) {
		for _, in := range inputs {
			one := in.run(t, 1)
			for _, w := range []int{2, 3, 8} {
				got := in.run(t, w)
				for i := range one {
					if math.Float32bits(got[i]) != math.Float32bits(one[i]) {
						t.Fatalf("%v workers=%d: C[%d] = %g, want %g as with 1 worker", in.tc, w, i, got[i], one[i])
					}
				}
			}
		}
	})
}

func TestSgemmPanicsOnShortSlices(t *testing.T) {
	tests := []struct {
		name string
		f    func()
	}{
		{"short A", func() {
			Sgemm(false, false, 2, 2, 2, 1, make([]float32, 3), 2, make([]float32, 4), 2, 0, make([]float32, 4), 2)
		}},
		{"short C", func() {
			Sgemm(false, false, 2, 2, 2, 1, make([]float32, 4), 2, make([]float32, 4), 2, 0, make([]float32, 3), 2)
		}},
		{"small ldb", func() {
			Sgemm(false, true, 2, 3, 2, 1, make([]float32, 4), 2, make([]float32, 6), 1, 0, make([]float32, 6), 3)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			tt.f()
		})
	}
}

func TestSgemmNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("under -race, sync.Pool drops items at random on purpose")
	}
	const s = 128 // 2·128³ flops: above ParallelMinFlops
	a, b, c := make([]float32, s*s), make([]float32, s*s), make([]float32, s*s)
	forEachImpl(t, func(t *testing.T) {
		for _, workers := range []int{1, 2} {
			SgemmParallel(false, true, s, s, s, 1, a, s, b, s, 0, c, s, workers) // warm the pools
			if n := testing.AllocsPerRun(20, func() {
				SgemmParallel(false, true, s, s, s, 1, a, s, b, s, 0, c, s, workers)
			}); n > 0 {
				t.Errorf("SgemmParallel with %d workers allocates %v times per call", workers, n)
			}
		}
	})
}
