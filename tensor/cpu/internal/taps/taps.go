// Package taps computes weighted sums of shifted or separate float32 slices, the inner
// loop of depthwise convolution and of the MixedOp weighted sum, as Go loops and as an
// AVX2+FMA assembly twin picked at run time; Shifted and Weighted also have AVX-512
// twins (BenchmarkShifted, Zen 4, data in L1: 1.12x to 1.35x the AVX2 kernel), used where
// the CPU has AVX-512F, with results bit-identical to the AVX2 ones.
//
// A sum over K taps reads each input once and writes each output once, keeping the
// partial sums in registers, where K separate axpy passes would read and write the
// output K times.
package taps

import "fmt"

// asm reports whether the assembly kernels are in use: the CPU has AVX2 and FMA and the
// build is not purego; asm512, whether Shifted and Weighted use their AVX-512 twins.
// Tests switch them with Select or UseAssembly.
var (
	asm    = haveAssembly
	asm512 = haveAVX512
)

// HaveAssembly reports whether this build and CPU can run the assembly kernels.
func HaveAssembly() bool { return haveAssembly }

// UseAssembly selects the best assembly kernels this CPU has (on = true, when
// HaveAssembly) or the Go loops. It is meant for tests and must not be called while
// kernels run.
func UseAssembly(on bool) { asm, asm512 = on && haveAssembly, on && haveAVX512 }

// Implementations returns the kernel sets this build and CPU can run, slowest first:
// "generic" always, then "avx2" and "avx512" (the names package simd uses).
func Implementations() []string {
	names := []string{"generic"}
	if haveAssembly {
		names = append(names, "avx2")
	}
	if haveAVX512 {
		names = append(names, "avx512")
	}
	return names
}

// Select makes the named kernel set the one in use. It is meant for tests and must not
// be called while kernels run.
func Select(name string) error {
	for _, n := range Implementations() {
		if n == name {
			asm, asm512 = name != "generic", name == "avx512"
			return nil
		}
	}
	return fmt.Errorf("taps: implementation %q not available, have %v", name, Implementations())
}

// Shifted computes
//
//	for i := range dst {
//		var s float32
//		for t := range w {
//			s += w[t] * src[off[t]+i]
//		}
//		dst[i] = s
//	}
//
// (the assembly fuses each multiply-add). Every off[t] must be >= 0 with
// off[t]+len(dst) <= len(src). dst must not overlap src.
func Shifted(dst, src []float32, off []int, w []float32) {
	if len(off) != len(w) {
		panic(fmt.Sprintf("taps.Shifted: %d offsets for %d weights", len(off), len(w)))
	}
	for _, o := range off {
		if o < 0 || o+len(dst) > len(src) {
			panic(fmt.Sprintf("taps.Shifted: offset %d with %d outputs outside source of %d", o, len(dst), len(src)))
		}
	}
	if len(w) == 0 {
		clear(dst)
		return
	}
	n := 0
	if asm512 {
		n = len(dst) &^ 15
		if n > 0 {
			shiftedAVX512(&dst[0], &src[0], &off[0], &w[0], len(w), n)
		}
	}
	if asm {
		if m := (len(dst) - n) &^ 7; m > 0 {
			shiftedAVX2(&dst[n], &src[n], &off[0], &w[0], len(w), m)
			n += m
		}
	}
	shiftedGo(dst[n:], src[n:], off, w)
}

func shiftedGo(dst, src []float32, off []int, w []float32) {
	for i := range dst {
		var s float32
		for t, o := range off {
			s += w[t] * src[o+i]
		}
		dst[i] = s
	}
}

// MaxTaps is the most inputs Weighted takes in one call.
const MaxTaps = 32

// Weighted computes
//
//	for i := range dst {
//		var s float32
//		for k := range w {
//			s += w[k] * xs[k][i]
//		}
//		dst[i] = s
//	}
//
// (the assembly fuses each multiply-add). Every xs[k] has len(dst) elements; there are
// at most MaxTaps of them. dst may be one of xs (in place), but not partly overlap one.
func Weighted(dst []float32, xs [][]float32, w []float32) {
	if len(xs) != len(w) || len(w) > MaxTaps {
		panic(fmt.Sprintf("taps.Weighted: %d inputs for %d weights (at most %d)", len(xs), len(w), MaxTaps))
	}
	for _, x := range xs {
		if len(x) != len(dst) {
			panic(fmt.Sprintf("taps.Weighted: input of %d elements for %d outputs", len(x), len(dst)))
		}
	}
	if len(w) == 0 {
		clear(dst)
		return
	}
	n := 0
	if asm && len(dst) >= 8 {
		var ptrs [MaxTaps]*float32
		for k, x := range xs {
			ptrs[k] = &x[0]
		}
		if asm512 {
			n = len(dst) &^ 15
			if n > 0 {
				weightedAVX512(&dst[0], &ptrs[0], &w[0], len(w), n)
			}
		}
		if m := (len(dst) - n) &^ 7; m > 0 {
			for k, x := range xs {
				ptrs[k] = &x[n]
			}
			weightedAVX2(&dst[n], &ptrs[0], &w[0], len(w), m)
			n += m
		}
	}
	for i := n; i < len(dst); i++ {
		var s float32
		for k, x := range xs {
			s += w[k] * x[i]
		}
		dst[i] = s
	}
}

func checkShifted(op string, n int, src []float32, off []int) {
	if len(off) == 0 {
		panic(fmt.Sprintf("taps.%s: no taps", op))
	}
	for _, o := range off {
		if o < 0 || o+n > len(src) {
			panic(fmt.Sprintf("taps.%s: offset %d with %d outputs outside source of %d", op, o, n, len(src)))
		}
	}
}

// ShiftedMax computes
//
//	for i := range dst {
//		m := src[off[0]+i]
//		for _, o := range off[1:] {
//			m = max(m, src[o+i])
//		}
//		dst[i] = m
//	}
//
// for at least one tap, up to NaN handling: the assembly's VMAXPS lets a NaN through
// only when it comes from a later tap. Offsets as for Shifted.
func ShiftedMax(dst, src []float32, off []int) {
	checkShifted("ShiftedMax", len(dst), src, off)
	n := 0
	if asm {
		n = len(dst) &^ 7
		if n > 0 {
			shiftedMaxAVX2(&dst[0], &src[0], &off[0], len(off), n)
		}
	}
	for i := n; i < len(dst); i++ {
		m := src[off[0]+i]
		for _, o := range off[1:] {
			m = max(m, src[o+i])
		}
		dst[i] = m
	}
}

// ShiftedArgmax computes, for each i, the first tap t (in the order of off) at which
// src[off[t]+i] is largest:
//
//	for i := range idx {
//		best, m := 0, src[off[0]+i]
//		for t, o := range off[1:] {
//			if src[o+i] > m {
//				best, m = t+1, src[o+i]
//			}
//		}
//		idx[i] = int32(best)
//	}
//
// A NaN is never larger, so it is chosen only as the first tap. Offsets as for Shifted.
func ShiftedArgmax(idx []int32, src []float32, off []int) {
	checkShifted("ShiftedArgmax", len(idx), src, off)
	n := 0
	if asm {
		n = len(idx) &^ 7
		if n > 0 {
			shiftedArgmaxAVX2(&idx[0], &src[0], &off[0], len(off), n)
		}
	}
	for i := n; i < len(idx); i++ {
		best, m := 0, src[off[0]+i]
		for t, o := range off[1:] {
			if src[o+i] > m {
				best, m = t+1, src[o+i]
			}
		}
		idx[i] = int32(best)
	}
}

// ShiftedDots computes
//
//	for t, o := range off {
//		var s float32
//		for i, v := range a {
//			s += v * src[o+i]
//		}
//		dots[t] = s
//	}
//
// up to the order of summation, which is fixed for a given len(a) and implementation
// (the AVX2 assembly keeps eight partial sums per tap, the AVX-512 one 32 over the
// multiple of 32 it takes). Offsets as for Shifted with
// len(a) outputs; len(dots) == len(off).
func ShiftedDots(dots, a, src []float32, off []int) {
	if len(dots) != len(off) {
		panic(fmt.Sprintf("taps.ShiftedDots: %d results for %d offsets", len(dots), len(off)))
	}
	if len(off) == 0 {
		return
	}
	checkShifted("ShiftedDots", len(a), src, off)
	n := 0
	if asm {
		n = len(a) &^ 15
	}
	if n > 0 {
		for t0 := 0; t0 < len(off); t0 += 4 {
			// A last group of fewer than four taps repeats its last offset.
			var o4 [4]int
			var d4 [4]float32
			for k := range o4 {
				o4[k] = off[min(t0+k, len(off)-1)]
			}
			m := 0
			if asm512 {
				if m = n &^ 31; m > 0 {
					dots4AVX512(&d4[0], &a[0], &src[0], &o4[0], m)
				}
			}
			if m < n {
				var e4 [4]float32
				dots4AVX2(&e4[0], &a[m], &src[m], &o4[0], n-m)
				for k := range d4 {
					d4[k] += e4[k]
				}
			}
			for k := 0; k < 4 && t0+k < len(off); k++ {
				dots[t0+k] = d4[k]
			}
		}
	} else {
		clear(dots)
	}
	for t, o := range off {
		s := dots[t]
		for i := n; i < len(a); i++ {
			s += a[i] * src[o+i]
		}
		dots[t] = s
	}
}
