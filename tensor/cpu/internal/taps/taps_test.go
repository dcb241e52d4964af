package taps

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// modes lists the implementations this build and CPU can run (generic, avx2, avx512).
func modes() []string { return Implementations() }

// useImpl selects the named implementation.
func useImpl(t *testing.T, name string) {
	t.Helper()
	if err := Select(name); err != nil {
		t.Fatal(err)
	}
}

func within(t *testing.T, name string, got float32, want, scale float64) {
	t.Helper()
	// Each term is rounded at most twice in float32: allow a few ulps of the magnitude.
	if math.Abs(float64(got)-want) > 1e-6*scale+1e-30 {
		t.Fatalf("%s: got %v, want %v", name, got, want)
	}
}

func TestShifted(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, useAsm := range modes() {
		useImpl(t, useAsm)
		for _, n := range []int{0, 1, 7, 8, 9, 31, 32, 33, 65, 1100} {
			for _, taps := range []int{1, 3, 9, 25} {
				name := fmt.Sprintf("asm=%v n=%d taps=%d", useAsm, n, taps)
				off := make([]int, taps)
				w := make([]float32, taps)
				for i := range off {
					off[i] = rng.IntN(40)
					w[i] = float32(rng.NormFloat64())
				}
				src := make([]float32, n+40)
				for i := range src {
					src[i] = float32(rng.NormFloat64())
				}
				buf := make([]float32, n+2)
				buf[0], buf[n+1] = float32(math.NaN()), float32(math.NaN())
				dst := buf[1 : n+1]
				Shifted(dst, src, off, w)
				for i := range dst {
					var want, scale float64
					for k := range taps {
						want += float64(w[k]) * float64(src[off[k]+i])
						scale += math.Abs(float64(w[k]) * float64(src[off[k]+i]))
					}
					within(t, name, dst[i], want, scale)
				}
				if !math.IsNaN(float64(buf[0])) || !math.IsNaN(float64(buf[n+1])) {
					t.Fatalf("%s: wrote outside dst", name)
				}
			}
		}
	}
	UseAssembly(true)
}

func TestWeighted(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, useAsm := range modes() {
		useImpl(t, useAsm)
		for _, n := range []int{0, 5, 8, 40, 1027} {
			for _, k := range []int{1, 4, 8, MaxTaps} {
				for _, inPlace := range []bool{false, true} {
					name := fmt.Sprintf("asm=%v n=%d k=%d inPlace=%v", useAsm, n, k, inPlace)
					xs := make([][]float32, k)
					w := make([]float32, k)
					for j := range xs {
						xs[j] = make([]float32, n)
						for i := range xs[j] {
							xs[j][i] = float32(rng.NormFloat64())
						}
						w[j] = float32(rng.NormFloat64())
					}
					want := make([]float64, n)
					scale := make([]float64, n)
					for i := range want {
						for j := range k {
							want[i] += float64(w[j]) * float64(xs[j][i])
							scale[i] += math.Abs(float64(w[j]) * float64(xs[j][i]))
						}
					}
					dst := make([]float32, n)
					if inPlace {
						dst = xs[k-1]
					}
					Weighted(dst, xs, w)
					for i := range dst {
						within(t, name, dst[i], want[i], scale[i])
					}
				}
			}
		}
	}
	UseAssembly(true)
}

func TestPanics(t *testing.T) {
	for _, f := range []func(){
		func() { Shifted(make([]float32, 4), make([]float32, 4), []int{1}, []float32{1}) },
		func() { Shifted(make([]float32, 4), make([]float32, 8), []int{-1}, []float32{1}) },
		func() { Shifted(make([]float32, 4), make([]float32, 8), []int{0, 1}, []float32{1}) },
		func() { Weighted(make([]float32, 4), [][]float32{make([]float32, 3)}, []float32{1}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("bad arguments did not panic")
				}
			}()
			f()
		}()
	}
}

// BenchmarkShifted runs Shifted per implementation on the plane lengths of a 3x3
// depthwise convolution of the paper config (stride 1: 8x8, 16x16 and 32x32 maps padded
// by 1), data in L1.
//
//	go test ./tensor/cpu/internal/taps -run '^$' -bench Shifted
func BenchmarkShifted(b *testing.B) {
	defer UseAssembly(true)
	for _, impl := range Implementations() {
		for _, hw := range []int{8, 16, 32} {
			ws := hw + 2
			n := ((hw-1)*ws + hw + 7) &^ 7
			b.Run(fmt.Sprintf("%s/%dx%d", impl, hw, hw), func(b *testing.B) {
				if err := Select(impl); err != nil {
					b.Fatal(err)
				}
				src := make([]float32, ws*ws+8)
				dst := make([]float32, n)
				off := []int{0, 1, 2, ws, ws + 1, ws + 2, 2 * ws, 2*ws + 1, 2*ws + 2}
				w := make([]float32, 9)
				for b.Loop() {
					Shifted(dst, src, off, w)
				}
				b.ReportMetric(float64(2*9*len(dst))*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkShiftedDots runs ShiftedDots per implementation on the lengths of a 3x3
// depthwise filter gradient of the paper config (as BenchmarkShifted, rounded up to 16).
func BenchmarkShiftedDots(b *testing.B) {
	defer UseAssembly(true)
	for _, impl := range Implementations() {
		for _, hw := range []int{8, 16, 32} {
			ws := hw + 2
			n := ((hw-1)*ws + hw + 15) &^ 15
			b.Run(fmt.Sprintf("%s/%dx%d", impl, hw, hw), func(b *testing.B) {
				if err := Select(impl); err != nil {
					b.Fatal(err)
				}
				src := make([]float32, ws*ws+16)
				a := make([]float32, n)
				off := []int{0, 1, 2, ws, ws + 1, ws + 2, 2 * ws, 2*ws + 1, 2*ws + 2}
				dots := make([]float32, 9)
				for b.Loop() {
					ShiftedDots(dots, a, src, off)
				}
				b.ReportMetric(float64(2*9*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

func TestShiftedMaxArgmax(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, useAsm := range modes() {
		useImpl(t, useAsm)
		for _, n := range []int{1, 7, 8, 15, 16, 17, 33, 100, 1100} {
			for _, taps := range []int{1, 2, 9, 25} {
				name := fmt.Sprintf("asm=%v n=%d taps=%d", useAsm, n, taps)
				off := make([]int, taps)
				for i := range off {
					off[i] = rng.IntN(30)
				}
				src := make([]float32, n+30)
				for i := range src {
					// Few distinct values, so that ties are common.
					src[i] = float32(rng.IntN(5))
				}
				dst := make([]float32, n)
				idx := make([]int32, n)
				ShiftedMax(dst, src, off)
				ShiftedArgmax(idx, src, off)
				for i := range n {
					best := 0
					for k := 1; k < taps; k++ {
						if src[off[k]+i] > src[off[best]+i] {
							best = k
						}
					}
					if dst[i] != src[off[best]+i] || idx[i] != int32(best) {
						t.Fatalf("%s: element %d: max %v argmax %d, want %v at %d", name, i, dst[i], idx[i], src[off[best]+i], best)
					}
				}
			}
		}
	}
	UseAssembly(true)
}

func TestShiftedDots(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, useAsm := range modes() {
		useImpl(t, useAsm)
		for _, n := range []int{0, 1, 15, 16, 17, 33, 48, 80, 1100} {
			for _, taps := range []int{1, 3, 4, 9, 25} {
				name := fmt.Sprintf("asm=%v n=%d taps=%d", useAsm, n, taps)
				off := make([]int, taps)
				for i := range off {
					off[i] = rng.IntN(40)
				}
				a := make([]float32, n)
				src := make([]float32, n+40)
				for i := range a {
					a[i] = float32(rng.NormFloat64())
				}
				for i := range src {
					src[i] = float32(rng.NormFloat64())
				}
				dots := make([]float32, taps)
				ShiftedDots(dots, a, src, off)
				for k, o := range off {
					var want, scale float64
					for i := range a {
						want += float64(a[i]) * float64(src[o+i])
						scale += math.Abs(float64(a[i]) * float64(src[o+i]))
					}
					// Summation of n terms: allow n·ε of the magnitude.
					if d := math.Abs(float64(dots[k]) - want); d > float64(n+1)*1.2e-7*scale+1e-30 {
						t.Fatalf("%s: tap %d = %v, want %v", name, k, dots[k], want)
					}
				}
			}
		}
	}
	UseAssembly(true)
}

// TestAVX512MatchesAVX2 checks the documented bit-identity of the AVX-512 and AVX2
// twins of Shifted and Weighted.
func TestAVX512MatchesAVX2(t *testing.T) {
	if !haveAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	defer UseAssembly(true)
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{16, 40, 112, 136, 248, 1100} {
		src := make([]float32, n+80)
		for i := range src {
			src[i] = float32(rng.NormFloat64())
		}
		off := []int{0, 1, 2, 34, 35, 36, 68, 69, 79}
		w := make([]float32, len(off))
		xs := make([][]float32, len(off))
		for k := range w {
			w[k] = float32(rng.NormFloat64())
			xs[k] = src[off[k] : off[k]+n]
		}
		var got [2][2][]float32
		for i, name := range []string{"avx2", "avx512"} {
			useImpl(t, name)
			got[i][0], got[i][1] = make([]float32, n), make([]float32, n)
			Shifted(got[i][0], src, off, w)
			Weighted(got[i][1], xs, w)
		}
		for f, fn := range []string{"Shifted", "Weighted"} {
			for j := range n {
				if math.Float32bits(got[0][f][j]) != math.Float32bits(got[1][f][j]) {
					t.Fatalf("%s n=%d: element %d avx2 %v, avx512 %v", fn, n, j, got[0][f][j], got[1][f][j])
				}
			}
		}
	}
}
