package taps

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// modes lists the implementations this build and CPU can run.
func modes() []bool {
	if HaveAssembly() {
		return []bool{false, true}
	}
	return []bool{false}
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
		UseAssembly(useAsm)
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
		UseAssembly(useAsm)
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

func BenchmarkShifted9(b *testing.B) {
	src := make([]float32, 34*34)
	dst := make([]float32, 31*34+32)
	off := []int{0, 1, 2, 34, 35, 36, 68, 69, 70}
	w := make([]float32, 9)
	for b.Loop() {
		Shifted(dst, src, off, w)
	}
	b.ReportMetric(float64(2*9*len(dst))*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func TestShiftedMaxArgmax(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, useAsm := range modes() {
		UseAssembly(useAsm)
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
		UseAssembly(useAsm)
		for _, n := range []int{0, 1, 15, 16, 17, 33, 1100} {
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
